//! Navigation and renames across function.json, the entry functions and local.settings.json, in
//! byte offsets: go to definition, find references, rename (with its preparation) and document
//! links.

use super::refs::{self, Hit, Occurrence, SettingSubject, Subject};
use crate::analysis::diagnostic::FileEdit;
use crate::analysis::function::{FunctionUnit, Script};
use crate::analysis::names::binding_name_problem;
use crate::analysis::python_scopes;
use crate::analysis::settings::LOCAL_SETTINGS;
use crate::analysis::state::AppState;
use crate::analysis::text::{RangeLines, TextRange};

/// A place to go to: `range` is the whole thing (a parameter with its annotation, a setting
/// with its value), `focus` the part to select (its name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavTarget {
    pub file: String,
    pub range: TextRange,
    pub focus: TextRange,
}

/// A range in a file of the app.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileRange {
    pub file: String,
    pub range: TextRange,
    /// The range's lines and columns when known without the file's text.
    pub lines: Option<RangeLines>,
}

/// A link from a range of a document to a file of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLink {
    pub range: TextRange,
    pub target: String,
}

/// What a rename would replace under the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRename {
    pub range: TextRange,
    pub placeholder: String,
}

/// Where the thing under the cursor is defined: a binding's parameter (from function.json) or
/// its binding (from Python), a setting's key in local.settings.json, the file `scriptFile`
/// names, the function `entryPoint` names.
pub fn definition(state: &AppState, file: &str, offset: usize) -> Vec<NavTarget> {
    let Some(hit) = refs::hit(state, file, offset) else {
        return Vec::new();
    };
    match &hit.subject {
        Subject::Binding(b) => {
            // From the binding's `name` to the parameter, from anywhere else to the binding.
            let from_json = b.units.iter().filter_map(|u| state.unit(u)).any(|u| {
                u.declaration_file() == file
                    && u.bindings().iter().any(|x| {
                        x.name
                            .as_ref()
                            .is_some_and(|n| n.value == b.name && n.range.touches(offset))
                    })
            });
            let mut out = Vec::new();
            if from_json {
                // The parameter of the entry function.
                for unit in b.units.iter().filter_map(|u| state.unit(u)) {
                    let Some(def) = refs::entry_def(state, unit) else {
                        continue;
                    };
                    if let Some(p) = def.param(&b.name) {
                        out.push(NavTarget {
                            file: def.script.to_string(),
                            range: p.range,
                            focus: p.name_range,
                        });
                    }
                    break;
                }
            } else {
                for unit in b.units.iter().filter_map(|u| state.unit(u)) {
                    for binding in unit.bindings() {
                        if let Some(n) = binding.name.as_ref().filter(|n| n.value == b.name) {
                            out.push(NavTarget {
                                file: unit.declaration_file().to_string(),
                                range: binding.range,
                                focus: n.range,
                            });
                        }
                    }
                }
            }
            out
        }
        Subject::Setting(s) => setting_definitions(state, s),
        Subject::Function { name } => state
            .units()
            .filter(|u| &u.name == name)
            .filter_map(|u| {
                let def = refs::entry_def(state, u)?;
                // The `function_name` value of a decorated function, else the entry `def`.
                let focus = u.name_range().unwrap_or(def.function.name_range);
                Some(NavTarget {
                    file: def.script.to_string(),
                    range: def.function.range,
                    focus,
                })
            })
            .collect(),
        Subject::ScriptFile { unit } => match state.unit(unit).map(|u| &u.script) {
            Some(Script::Found { path, .. }) => vec![NavTarget {
                file: path.clone(),
                range: TextRange::empty(0),
                focus: TextRange::empty(0),
            }],
            _ => Vec::new(),
        },
        Subject::EntryPoint { unit } => state
            .unit(unit)
            .and_then(|u| refs::entry_point_definition(state, u))
            .map(|(file, range, focus)| vec![NavTarget { file, range, focus }])
            .unwrap_or_default(),
    }
}

/// The keys of local.settings.json that define a setting.
fn setting_definitions(state: &AppState, s: &SettingSubject) -> Vec<NavTarget> {
    let Some(local) = state.local_settings() else {
        return Vec::new();
    };
    let prefix = format!("{}__", s.name);
    local
        .values
        .iter()
        .chain(&local.connection_strings)
        .filter(|v| {
            if s.section {
                v.name.starts_with(&prefix)
            } else {
                v.name == s.name
            }
        })
        .map(|v| NavTarget {
            file: LOCAL_SETTINGS.to_string(),
            range: TextRange::new(v.name_range.start as usize, v.value_range.end as usize),
            focus: v.name_range,
        })
        .collect()
}

/// The places that name the subject of `hit`, in no particular order (both callers sort them).
fn occurrences(state: &AppState, hit: &Hit) -> Vec<Occurrence> {
    match &hit.subject {
        Subject::Binding(b) => refs::binding_occurrences(state, b),
        Subject::Setting(s) => refs::setting_occurrences_unordered(state, s),
        Subject::Function { name } => refs::function_occurrences(state, name),
        Subject::ScriptFile { .. } | Subject::EntryPoint { .. } => Vec::new(),
    }
}

/// Every place that names the binding or setting under the cursor, the declarations (the
/// binding's `name` in function.json, the setting's key) only when `include_declaration`.
pub fn references(
    state: &AppState,
    file: &str,
    offset: usize,
    include_declaration: bool,
) -> Vec<FileRange> {
    let Some(hit) = refs::hit(state, file, offset) else {
        return Vec::new();
    };
    let mut out: Vec<FileRange> = occurrences(state, &hit)
        .into_iter()
        .filter(|o| include_declaration || !o.declaration)
        .map(|o| FileRange {
            file: o.file,
            range: o.range,
            lines: o.lines,
        })
        .collect();
    out.sort();
    // A range known with its lines and without is the same place.
    out.dedup_by(|a, b| a.file == b.file && a.range == b.range);
    out
}

/// What a rename at the cursor would change: `Ok(None)` when there is nothing renamable there,
/// `Err` with the reason when the thing under the cursor cannot be renamed.
pub fn prepare_rename(
    state: &AppState,
    file: &str,
    offset: usize,
) -> Result<Option<PreparedRename>, String> {
    let Some(hit) = refs::hit(state, file, offset) else {
        return Ok(None);
    };
    match &hit.subject {
        Subject::Binding(b) if b.name == "$return" => {
            Err("'$return' binds the return value; its name cannot change".to_string())
        }
        Subject::Binding(_) | Subject::Setting(_) | Subject::Function { .. } => {
            Ok(Some(PreparedRename {
                range: hit.range,
                placeholder: hit.text,
            }))
        }
        Subject::ScriptFile { .. } | Subject::EntryPoint { .. } => Ok(None),
    }
}

/// The folder of the function.json function `name`, when a folder names it.
fn function_folder<'s>(state: &'s AppState, name: &str) -> Option<&'s str> {
    state
        .units()
        .find(|u| u.name == name && u.decorated().is_none())
        .and_then(|u| u.declaration_file().strip_suffix("/function.json"))
}

/// Renaming a function that its function.json folder names: the folder moves, and the Durable
/// calls that name the function change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderRename {
    pub from: String,
    pub to: String,
    pub edits: Vec<FileEdit>,
}

/// The folder rename that renaming the function under the cursor to `new_name` takes, when a
/// function.json folder names that function (`None` for anything else); `Err` when the host
/// rejects the name or a function or folder of the app already has it (ignoring case).
pub fn folder_rename(
    state: &AppState,
    file: &str,
    offset: usize,
    new_name: &str,
) -> Option<Result<FolderRename, String>> {
    let hit = refs::hit(state, file, offset)?;
    let Subject::Function { name } = &hit.subject else {
        return None;
    };
    let from = function_folder(state, name)?.to_string();
    if !crate::analysis::names::is_valid_function_name(new_name) {
        return Some(Err(format!(
            "'{new_name}' is not a valid function name: start with a letter, then letters, digits, '_' or '-'"
        )));
    }
    let taken = state
        .units()
        .any(|u| u.name != *name && u.name.eq_ignore_ascii_case(new_name))
        || state.input().files.keys().any(|f| {
            f.split_once('/')
                .is_some_and(|(top, _)| top != from && top.eq_ignore_ascii_case(new_name))
        });
    if taken {
        return Some(Err(format!(
            "the app already has a function or folder named '{new_name}'"
        )));
    }
    // Another function whose scriptFile points into the folder would lose its script.
    let inside = format!("{from}/");
    let sharing = state.units().find(|u| {
        u.name != *name
            && matches!(&u.script, Script::Found { path, .. } if path.starts_with(&inside))
    });
    if let Some(other) = sharing {
        return Some(Err(format!(
            "'{}' runs a script in {from}/: moving the folder would break it",
            other.name
        )));
    }
    let mut edits: Vec<FileEdit> = refs::function_occurrences(state, name)
        .iter()
        .map(|o| o.edit(new_name))
        .collect();
    edits.sort_by(|a, b| (&a.file, a.range).cmp(&(&b.file, b.range)));
    edits.dedup();
    Some(Ok(FolderRename {
        from,
        to: new_name.to_string(),
        edits,
    }))
}

/// Why the `def` that names decorated function `unit` cannot become `new_name`: the name must
/// also be a Python name, free in the def's module, and the old name must not be used anywhere
/// else in the app's Python (those uses are the Python language server's to rename).
fn def_rename_problem(state: &AppState, unit: &FunctionUnit, new_name: &str) -> Result<(), String> {
    let Some(v2) = unit.decorated() else {
        return Ok(());
    };
    if new_name.contains('-') || crate::analysis::names::is_python_keyword(new_name) {
        return Err(format!(
            "'{new_name}' cannot name the def of '{}': it is not a Python name (add @{}.function_name(name=\"{new_name}\") to give the function that name)",
            unit.name, v2.app_var
        ));
    }
    let text = state.input().text(&v2.file).unwrap_or("");
    match python_scopes::module_name_uses(text, new_name) {
        Some(uses) if uses.is_empty() => {}
        _ => return Err(format!("'{new_name}' is already a name in {}", v2.file)),
    }
    let mut files: Vec<&String> = state.modules().keys().collect();
    files.sort();
    for file in files {
        let other = state.input().text(file).unwrap_or("");
        let used = match python_scopes::module_name_uses(other, &unit.name) {
            Some(uses) => uses
                .iter()
                .any(|r| !(file == &v2.file && *r == v2.def_name_range)),
            None => true,
        };
        if used {
            return Err(format!(
                "'{}' is also used by name in {file}: rename the def with the Python language server, or name the function with @{}.function_name",
                unit.name, v2.app_var
            ));
        }
    }
    Ok(())
}

/// Why `name` cannot be an app setting name, if it cannot.
pub fn setting_name_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    (!ok).then(|| {
        format!(
            "'{name}' is not a valid app setting name: use letters, digits, '_' and '.', starting with a letter or '_'"
        )
    })
}

/// The edits that rename the binding or setting under the cursor to `new_name` everywhere;
/// `Err` with a message when the name is invalid, already taken, or nothing renamable is there.
pub fn rename(
    state: &AppState,
    file: &str,
    offset: usize,
    new_name: &str,
) -> Result<Vec<FileEdit>, String> {
    let Some(hit) = refs::hit(state, file, offset) else {
        return Err("nothing to rename here".to_string());
    };
    if hit.text == new_name {
        return Ok(Vec::new());
    }
    match &hit.subject {
        Subject::Binding(b) => {
            if b.name == "$return" {
                return Err("'$return' binds the return value; its name cannot change".to_string());
            }
            if let Some(problem) = binding_name_problem(new_name) {
                return Err(problem);
            }
            for unit in b.units.iter().filter_map(|u| state.unit(u)) {
                let text = state.input().text(unit.declaration_file()).unwrap_or("");
                let literal = unit
                    .bindings()
                    .iter()
                    .filter(|x| x.name_str() == Some(b.name.as_str()))
                    .all(|x| refs::binding_name_editable(unit, text, x));
                if !literal {
                    return Err(format!(
                        "the name of binding '{}' is not written as a string in {}, so it cannot be renamed here",
                        b.name, unit.declaration_file()
                    ));
                }
                if unit
                    .bindings()
                    .iter()
                    .any(|x| x.name_str() == Some(new_name))
                {
                    return Err(format!(
                        "'{}' already has a binding named '{new_name}'",
                        unit.name
                    ));
                }
                if let Some(def) = refs::entry_def(state, unit) {
                    if def.param(&b.name).is_some()
                        && crate::analysis::python_scopes::Syntax::of_function(
                            def.text,
                            def.function,
                        )
                        .is_none_or(|s| {
                            s.rename_conflicts(def.function.name_range, &b.name, new_name)
                        })
                    {
                        return Err(format!(
                            "'{new_name}' is already used in {}() in {}",
                            def.function.name, def.script
                        ));
                    }
                }
            }
        }
        Subject::Setting(s) => {
            if let Some(problem) = setting_name_problem(new_name) {
                return Err(problem);
            }
            if let Some(local) = state.local_settings() {
                let taken = local
                    .values
                    .iter()
                    .chain(&local.connection_strings)
                    .any(|v| {
                        v.name == new_name
                            || (s.section && v.name.starts_with(&format!("{new_name}__")))
                    });
                if taken {
                    return Err(format!(
                        "local.settings.json already has a setting '{new_name}'"
                    ));
                }
            }
        }
        Subject::Function { name } => {
            if function_folder(state, name).is_some() {
                return Err(format!(
                    "'{name}' is named by its folder: renaming it moves the folder, which takes an editor that can rename files"
                ));
            }
            if !crate::analysis::names::is_valid_function_name(new_name) {
                return Err(format!(
                    "'{new_name}' is not a valid function name: start with a letter, then letters, digits, '_' or '-'"
                ));
            }
            if state.units().any(|u| u.name.eq_ignore_ascii_case(new_name)) {
                return Err(format!("the app already has a function named '{new_name}'"));
            }
            if let Some(unit) = state
                .units()
                .find(|u| &u.name == name && refs::named_by_def(u))
            {
                def_rename_problem(state, unit, new_name)?;
            }
        }
        Subject::ScriptFile { .. } | Subject::EntryPoint { .. } => {
            return Err(
                "only bindings, app settings and function names can be renamed here".to_string(),
            );
        }
    }
    let mut edits: Vec<FileEdit> = occurrences(state, &hit)
        .iter()
        .map(|o| o.edit(new_name))
        .collect();
    edits.sort_by(|a, b| (&a.file, a.range).cmp(&(&b.file, b.range)));
    edits.dedup();
    Ok(edits)
}

/// Links from function.json's `scriptFile` to the script.
pub fn document_links(state: &AppState, file: &str) -> Vec<DocumentLink> {
    let Some(folder) = file.strip_suffix("/function.json") else {
        return Vec::new();
    };
    let Some(unit) = state.unit(folder) else {
        return Vec::new();
    };
    let (Some(declared), Script::Found { path, .. }) = (&unit.json.script_file, &unit.script)
    else {
        return Vec::new();
    };
    let text = state.input().text(file).unwrap_or("");
    let range = crate::analysis::edits::plain_string_content(text, declared.range, &declared.value)
        .unwrap_or(declared.range);
    vec![DocumentLink {
        range,
        target: path.clone(),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support;

    const APP: &str = r#"
//- /Orders/function.json
{"scriptFile": "__init__.py", "entryPoint": "main", "bindings": [
  {"type": "queueTrigger", "name": "msg", "queueName": "%OrdersQueue%", "connection": "Storage"},
  {"type": "blob", "direction": "out", "name": "receipt", "path": "receipts/{id}", "connection": "AzureWebJobsStorage"}
]}
//- /Orders/__init__.py
import os
import azure.functions as func

KEY = os.environ["OrdersQueue"]

def main(msg: func.QueueMessage, receipt: func.Out[str]) -> None:
    body = msg.get_body()
    receipt.set(body)
    helper = lambda msg: msg
//- /local.settings.json
{
  "IsEncrypted": false,
  "Values": {
    "FUNCTIONS_WORKER_RUNTIME": "python",
    "AzureWebJobsStorage": "UseDevelopmentStorage=true",
    "OrdersQueue": "orders"
  }
}
"#;

    fn state() -> AppState {
        AppState::new(test_support::app(APP))
    }

    /// The offset of the `n`th occurrence of `needle` in `file` plus `delta`.
    fn at(state: &AppState, file: &str, needle: &str, n: usize, delta: usize) -> usize {
        let text = state.input().text(file).unwrap();
        text.match_indices(needle).nth(n).unwrap().0 + delta
    }

    fn show(state: &AppState, ranges: &[FileRange]) -> Vec<String> {
        ranges
            .iter()
            .map(|r| {
                let text = state.input().text(&r.file).unwrap();
                format!("{} {}", r.file, &text[r.range.as_usize()])
            })
            .collect()
    }

    #[test]
    fn definitions_both_ways() {
        let s = state();
        let fj = "Orders/function.json";
        let py = "Orders/__init__.py";
        let d = definition(&s, fj, at(&s, fj, "\"msg\"", 0, 2));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].file, py);
        assert_eq!(&s.input().text(py).unwrap()[d[0].focus.as_usize()], "msg");
        assert_eq!(
            &s.input().text(py).unwrap()[d[0].range.as_usize()],
            "msg: func.QueueMessage"
        );
        let back = definition(&s, py, at(&s, py, "msg:", 0, 1));
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].file, fj);
        assert_eq!(
            &s.input().text(fj).unwrap()[back[0].focus.as_usize()],
            "\"msg\""
        );

        // connection "Storage" resolves to AzureWebJobsStorage.
        let d = definition(&s, fj, at(&s, fj, "\"Storage\"", 0, 3));
        assert_eq!(d[0].file, LOCAL_SETTINGS);
        let ls = s.input().text(LOCAL_SETTINGS).unwrap();
        assert_eq!(&ls[d[0].focus.as_usize()], "\"AzureWebJobsStorage\"");
        // %OrdersQueue% and os.environ["OrdersQueue"].
        let d = definition(&s, fj, at(&s, fj, "OrdersQueue", 0, 1));
        assert_eq!(&ls[d[0].focus.as_usize()], "\"OrdersQueue\"");
        let d = definition(&s, py, at(&s, py, "OrdersQueue", 0, 0));
        assert_eq!(&ls[d[0].focus.as_usize()], "\"OrdersQueue\"");
        // scriptFile and entryPoint.
        let d = definition(&s, fj, at(&s, fj, "__init__.py", 0, 1));
        assert_eq!(d[0].file, py);
        let d = definition(&s, fj, at(&s, fj, "\"main\"", 0, 1));
        assert_eq!(&s.input().text(py).unwrap()[d[0].focus.as_usize()], "main");
        // Nothing on a keyword or a plain value.
        assert!(definition(&s, fj, at(&s, fj, "queueTrigger", 0, 1)).is_empty());
        let links = document_links(&s, fj);
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].target, py);
    }

    #[test]
    fn references_of_bindings_and_settings() {
        let s = state();
        let py = "Orders/__init__.py";
        let refs = references(&s, py, at(&s, py, "msg.get_body", 0, 0), true);
        expect_test::expect![[r#"
            [
                "Orders/__init__.py msg",
                "Orders/__init__.py msg",
                "Orders/function.json msg",
            ]
        "#]]
        .assert_debug_eq(&show(&s, &refs));
        let without = references(&s, py, at(&s, py, "msg.get_body", 0, 0), false);
        assert_eq!(without.len(), 2);
        let refs = references(
            &s,
            LOCAL_SETTINGS,
            at(&s, LOCAL_SETTINGS, "AzureWebJobsStorage", 0, 1),
            true,
        );
        expect_test::expect![[r#"
            [
                "Orders/function.json Storage",
                "Orders/function.json AzureWebJobsStorage",
                "local.settings.json AzureWebJobsStorage",
            ]
        "#]]
        .assert_debug_eq(&show(&s, &refs));
        let refs = references(
            &s,
            "Orders/function.json",
            at(&s, "Orders/function.json", "OrdersQueue", 0, 2),
            true,
        );
        expect_test::expect![[r#"
            [
                "Orders/__init__.py OrdersQueue",
                "Orders/function.json OrdersQueue",
                "local.settings.json OrdersQueue",
            ]
        "#]]
        .assert_debug_eq(&show(&s, &refs));
    }

    /// Folders whose host order (case-insensitive) is not their byte order, settings read by
    /// connections, `%…%` expressions and several modules.
    const MANY: &str = r#"
//- /beta/function.json
{"bindings": [{"type": "queueTrigger", "name": "m", "queueName": "%Q%", "connection": "Store"},
  {"type": "blob", "direction": "out", "name": "b", "path": "x/%Q%/y", "connection": "Store"}]}
//- /beta/__init__.py
import os
A = os.environ["Store"]
B = os.getenv("Q")
def main(m, b): pass
//- /Alpha/function.json
{"bindings": [{"type": "queueTrigger", "name": "m", "queueName": "q", "connection": "Store"}]}
//- /Alpha/__init__.py
import os
def main(m):
    return os.environ["Store"], os.environ["Store"]
//- /alpha2/function.json
{"bindings": [{"type": "queueTrigger", "name": "m", "queueName": "%Q%", "connection": "Other"}]}
//- /alpha2/__init__.py
def main(m): pass
//- /Zed/function.json
{"bindings": [{"type": "queueTrigger", "name": "m", "queueName": "q", "connection": "Store"}]}
//- /Zed/__init__.py
def main(m): pass
//- /local.settings.json
{"IsEncrypted": false, "Values": {"Store": "UseDevelopmentStorage=true", "Q": "q", "Other": "x"}}
"#;

    #[test]
    fn references_come_by_file_then_place_whatever_the_host_order() {
        let s = AppState::new(test_support::app(MANY));
        let names: Vec<&str> = s.units().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["Alpha", "alpha2", "beta", "Zed"]);
        let from_key = references(
            &s,
            LOCAL_SETTINGS,
            at(&s, LOCAL_SETTINGS, "Store", 0, 1),
            true,
        );
        expect_test::expect![[r#"
            [
                "Alpha/__init__.py Store",
                "Alpha/__init__.py Store",
                "Alpha/function.json Store",
                "Zed/function.json Store",
                "beta/__init__.py Store",
                "beta/function.json Store",
                "beta/function.json Store",
                "local.settings.json Store",
            ]
        "#]]
        .assert_debug_eq(&show(&s, &from_key));
        let mut sorted = from_key.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(from_key, sorted);
        // The same places from a connection, without the declaration.
        let fj = "Zed/function.json";
        let from_connection = references(&s, fj, at(&s, fj, "\"Store\"", 0, 2), false);
        assert_eq!(from_connection, from_key[..7]);
        let q = references(
            &s,
            LOCAL_SETTINGS,
            at(&s, LOCAL_SETTINGS, "\"Q\"", 0, 1),
            true,
        );
        expect_test::expect![[r#"
            [
                "alpha2/function.json Q",
                "beta/__init__.py Q",
                "beta/function.json Q",
                "beta/function.json Q",
                "local.settings.json Q",
            ]
        "#]]
        .assert_debug_eq(&show(&s, &q));
        // Host order where it shows: the setting's uses in its hover.
        let ordered = refs::setting_occurrences(
            &s,
            &SettingSubject {
                name: "Store".to_string(),
                section: false,
            },
        );
        let files: Vec<&str> = ordered.iter().map(|o| o.file.as_str()).collect();
        assert_eq!(
            files,
            [
                "local.settings.json",
                "Alpha/function.json",
                "beta/function.json",
                "beta/function.json",
                "Zed/function.json",
                "Alpha/__init__.py",
                "Alpha/__init__.py",
                "beta/__init__.py",
            ]
        );
    }

    /// Applies edits to the state's files and returns the new state.
    fn apply(state: &AppState, edits: &[FileEdit]) -> AppState {
        let mut input = state.input().clone();
        let mut files: Vec<&str> = edits.iter().map(|e| e.file.as_str()).collect();
        files.sort();
        files.dedup();
        for f in files {
            let mut text = input.text(f).unwrap_or("").to_string();
            let mut mine: Vec<&FileEdit> = edits.iter().filter(|e| e.file == f).collect();
            mine.sort_by_key(|e| std::cmp::Reverse(e.range.start));
            for e in mine {
                text.replace_range(e.range.as_usize(), &e.new_text);
            }
            input = input.with_file(f, &text);
        }
        AppState::new(input)
    }

    #[test]
    fn renames_round_trip() {
        let s = state();
        let py = "Orders/__init__.py";
        let fj = "Orders/function.json";
        let edits = rename(&s, fj, at(&s, fj, "\"msg\"", 0, 1), "message").unwrap();
        assert_eq!(edits.len(), 3, "{edits:#?}");
        let renamed = apply(&s, &edits);
        let text = renamed.input().text(py).unwrap();
        assert!(text.contains("def main(message: func.QueueMessage"));
        assert!(text.contains("body = message.get_body()"));
        assert!(text.contains("lambda msg: msg"), "{text}");
        let back = rename(&renamed, py, at(&renamed, py, "message", 0, 0), "msg").unwrap();
        let restored = apply(&renamed, &back);
        assert_eq!(restored.input(), s.input());

        // A setting: the key, %X% and the env read.
        let edits = rename(&s, py, at(&s, py, "OrdersQueue", 0, 3), "QueueName").unwrap();
        assert_eq!(edits.len(), 3);
        let renamed = apply(&s, &edits);
        assert!(renamed.input().text(fj).unwrap().contains("%QueueName%"));
        let back = rename(
            &renamed,
            LOCAL_SETTINGS,
            at(&renamed, LOCAL_SETTINGS, "QueueName", 0, 0),
            "OrdersQueue",
        )
        .unwrap();
        assert_eq!(apply(&renamed, &back).input(), s.input());

        // The storage connection, referred to by its short name.
        let edits = rename(&s, fj, at(&s, fj, "\"Storage\"", 0, 1), "AzureWebJobsMain").unwrap();
        let renamed = apply(&s, &edits);
        let fj_text = renamed.input().text(fj).unwrap();
        assert!(fj_text.contains("\"connection\": \"Main\""), "{fj_text}");
        assert!(fj_text.contains("\"connection\": \"AzureWebJobsMain\""));
        let back = rename(
            &renamed,
            LOCAL_SETTINGS,
            at(&renamed, LOCAL_SETTINGS, "AzureWebJobsMain", 0, 0),
            "AzureWebJobsStorage",
        )
        .unwrap();
        assert_eq!(apply(&renamed, &back).input(), s.input());
    }

    #[test]
    fn invalid_renames_are_refused() {
        let s = state();
        let fj = "Orders/function.json";
        let msg = at(&s, fj, "\"msg\"", 0, 1);
        assert!(rename(&s, fj, msg, "out-msg")
            .unwrap_err()
            .contains("not a valid binding name"));
        assert!(rename(&s, fj, msg, "a__b").is_err());
        assert!(rename(&s, fj, msg, "class")
            .unwrap_err()
            .contains("keyword"));
        assert!(rename(&s, fj, msg, "receipt")
            .unwrap_err()
            .contains("already has a binding"));
        assert!(rename(&s, fj, msg, "body")
            .unwrap_err()
            .contains("already used in main()"));
        assert!(rename(
            &s,
            LOCAL_SETTINGS,
            at(&s, LOCAL_SETTINGS, "OrdersQueue", 0, 0),
            "FUNCTIONS_WORKER_RUNTIME"
        )
        .is_err());
        assert!(rename(
            &s,
            LOCAL_SETTINGS,
            at(&s, LOCAL_SETTINGS, "OrdersQueue", 0, 0),
            "has space"
        )
        .is_err());
        assert_eq!(
            prepare_rename(&s, fj, at(&s, fj, "queueTrigger", 0, 1)),
            Ok(None)
        );
        let p = prepare_rename(&s, fj, msg).unwrap().unwrap();
        assert_eq!(p.placeholder, "msg");
    }

    #[test]
    fn v2_decorators_are_bindings() {
        let s = AppState::new(test_support::app(
            r#"
//- /host.json
{"version": "2.0"}
//- /function_app.py
import azure.functions as func

app = func.FunctionApp()

@app.queue_trigger(arg_name="msg", queue_name="%OrdersQueue%", connection="Storage")
def process(msg: func.QueueMessage) -> None:
    body = msg.get_body()
//- /local.settings.json
{"IsEncrypted": false, "Values": {"AzureWebJobsStorage": "UseDevelopmentStorage=true", "OrdersQueue": "orders"}}
"#,
        ));
        let py = "function_app.py";
        let d = definition(&s, py, at(&s, py, "\"msg\"", 0, 2));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(&s.input().text(py).unwrap()[d[0].focus.as_usize()], "msg");
        let d = definition(&s, py, at(&s, py, "msg:", 0, 1));
        assert_eq!(
            &s.input().text(py).unwrap()[d[0].focus.as_usize()],
            "\"msg\""
        );
        let d = definition(&s, py, at(&s, py, "Storage", 0, 1));
        assert_eq!(d[0].file, LOCAL_SETTINGS);
        let edits = rename(&s, py, at(&s, py, "msg.get_body", 0, 0), "message").unwrap();
        let renamed = apply(&s, &edits);
        let text = renamed.input().text(py).unwrap();
        assert!(text.contains("arg_name=\"message\""), "{text}");
        assert!(text.contains("def process(message: func.QueueMessage)"));
        assert!(text.contains("body = message.get_body()"));
        let refs = references(
            &s,
            LOCAL_SETTINGS,
            at(&s, LOCAL_SETTINGS, "OrdersQueue", 0, 0),
            false,
        );
        assert_eq!(show(&s, &refs), ["function_app.py OrdersQueue"]);
    }

    #[test]
    fn renaming_an_implied_binding_name_writes_the_decorator_keyword() {
        let s = AppState::new(test_support::app(
            r#"
//- /function_app.py
import azure.functions as func

app = func.FunctionApp()

@app.route(route="orders")
def orders(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(req.url)

@app.route()
def bare(req):
    return req

@app.schedule(schedule="0 * * * * *", arg_name="timer")
@app.blob_input(arg_name="blob", path="in/x", connection="C")
def tick(timer, blob):
    pass
"#,
        ));
        let py = "function_app.py";
        let edits = rename(&s, py, at(&s, py, "req:", 0, 1), "request").unwrap();
        let renamed = apply(&s, &edits);
        let text = renamed.input().text(py).unwrap();
        assert!(
            text.contains("@app.route(route=\"orders\", trigger_arg_name=\"request\")\ndef orders(request: func.HttpRequest)"),
            "{text}"
        );
        assert!(text.contains("HttpResponse(request.url)"));
        // The renamed app has no new problem, and renaming back finds the written keyword.
        let mut check = renamed.clone();
        assert!(check
            .diagnostics_by_file(&crate::analysis::Config::default())
            .values()
            .flatten()
            .all(|d| d.severity != crate::analysis::diagnostic::Severity::Error));
        let back = rename(&renamed, py, at(&renamed, py, "request", 0, 0), "req").unwrap();
        assert!(apply(&renamed, &back)
            .input()
            .text(py)
            .unwrap()
            .contains("trigger_arg_name=\"req\")"));
        // A call without arguments, renamed from a use in the body.
        let edits = rename(&s, py, at(&s, py, "return req", 0, 7), "r").unwrap();
        let text = apply(&s, &edits).input().text(py).unwrap().to_string();
        assert!(
            text.contains("@app.route(trigger_arg_name=\"r\")\ndef bare(r):\n    return r\n"),
            "{text}"
        );
        // A name written as a string is still rewritten in place.
        let edits = rename(&s, py, at(&s, py, "timer,", 0, 0), "t").unwrap();
        let text = apply(&s, &edits).input().text(py).unwrap().to_string();
        assert!(text.contains("arg_name=\"t\")\n@app.blob_input"), "{text}");
        // References show the decorator that implies the name.
        let refs = references(&s, py, at(&s, py, "req:", 0, 0), true);
        assert_eq!(
            show(&s, &refs),
            [
                "function_app.py route",
                "function_app.py req",
                "function_app.py req"
            ]
        );
    }

    #[test]
    fn renaming_a_function_updates_the_calls_that_name_it() {
        let s = AppState::new(test_support::app(
            r#"
//- /function_app.py
import azure.functions as func
import azure.durable_functions as df

app = df.DFApp()

@app.function_name(name="Orchestrate")
@app.orchestration_trigger(context_name="context")
def orchestrate(context):
    result = yield context.call_activity("Hello", "Tokyo")
    again = yield context.call_activity_with_retry( 'Hello', retry, "x")
    other = yield context.call_activity("Hellos", "x")
    return result

@app.function_name(name="Hello")
@app.activity_trigger(input_name="city")
def hello(city: str) -> str:
    return "Hello " + city

@app.route(route="start")
@app.durable_client_input(client_name="client")
async def start(req: func.HttpRequest, client) -> func.HttpResponse:
    instance = await client.start_new("Orchestrate")
    return client.create_check_status_response(req, instance)
"#,
        ));
        let py = "function_app.py";
        // From the function_name value, and from a call that names it.
        let from_decl = at(&s, py, "\"Hello\")\n", 0, 1);
        let p = prepare_rename(&s, py, from_decl).unwrap().unwrap();
        assert_eq!(p.placeholder, "Hello");
        let refs = references(&s, py, at(&s, py, "'Hello'", 0, 1), true);
        assert_eq!(show(&s, &refs).len(), 3, "{:?}", show(&s, &refs));
        let edits = rename(&s, py, from_decl, "Greet").unwrap();
        let text = apply(&s, &edits).input().text(py).unwrap().to_string();
        assert!(
            text.contains("call_activity(\"Greet\", \"Tokyo\")"),
            "{text}"
        );
        assert!(text.contains("call_activity_with_retry( 'Greet', retry"));
        assert!(
            text.contains("call_activity(\"Hellos\""),
            "another name stays"
        );
        assert!(text.contains("@app.function_name(name=\"Greet\")"));
        let edits = rename(&s, py, at(&s, py, "\"Orchestrate\"", 1, 1), "Run").unwrap();
        let text = apply(&s, &edits).input().text(py).unwrap().to_string();
        assert!(text.contains("name=\"Run\")") && text.contains("start_new(\"Run\")"));
        // Definition from a call goes to the function.
        let d = definition(&s, py, at(&s, py, "\"Hello\", \"Tokyo", 0, 1));
        assert_eq!(
            &s.input().text(py).unwrap()[d[0].focus.as_usize()],
            "\"Hello\""
        );
        // Names the host refuses, and names taken.
        assert!(rename(&s, py, from_decl, "1st")
            .unwrap_err()
            .contains("not a valid function name"));
        assert!(rename(&s, py, from_decl, "orchestrate")
            .unwrap_err()
            .contains("already has"));
    }

    #[test]
    fn renaming_a_function_named_by_its_def() {
        let s = AppState::new(test_support::app(
            r#"
//- /function_app.py
import azure.durable_functions as df

app = df.DFApp()
taken = 1

@app.orchestration_trigger(context_name="context")
def orchestrate(context):
    first = yield context.call_activity("hello", "Tokyo")
    second = yield context.call_activity_with_retry("hello", retry, "x")
    return [first, second]

@app.activity_trigger(input_name="city")
def hello(city: str) -> str:
    return "Hello " + city

@app.activity_trigger(input_name="city")
def called(city: str) -> str:
    return hello(city)
"#,
        ));
        let py = "function_app.py";
        let on_def = at(&s, py, "def hello", 0, 5);
        let p = prepare_rename(&s, py, on_def).unwrap().unwrap();
        assert_eq!(p.placeholder, "hello");
        let from_def = references(&s, py, on_def, true);
        assert_eq!(show(&s, &from_def).len(), 3, "{:?}", show(&s, &from_def));
        // `hello` is called by name in `called`: the Python language server renames that.
        assert!(rename(&s, py, on_def, "greet")
            .unwrap_err()
            .contains("also used by name in function_app.py"));

        let s = apply(
            &s,
            &[FileEdit {
                file: py.to_string(),
                range: {
                    let text = s.input().text(py).unwrap();
                    let start = text.find("    return hello(city)").unwrap();
                    TextRange::new(start, start + "    return hello(city)".len())
                },
                new_text: "    return city".to_string(),
            }],
        );
        let on_def = at(&s, py, "def hello", 0, 5);
        let edits = rename(&s, py, on_def, "greet").unwrap();
        assert_eq!(edits.len(), 3, "{edits:?}");
        let renamed = apply(&s, &edits);
        let text = renamed.input().text(py).unwrap().to_string();
        assert!(text.contains("def greet(city: str)"), "{text}");
        assert!(
            text.contains("call_activity(\"greet\", \"Tokyo\")"),
            "{text}"
        );
        assert!(text.contains("call_activity_with_retry(\"greet\", retry"));
        assert!(renamed.units().any(|u| u.name == "greet"));
        // From a call, the def follows.
        let from_call = at(&s, py, "\"hello\", \"Tokyo", 0, 1);
        assert_eq!(rename(&s, py, from_call, "greet").unwrap(), edits);
        // Names the host refuses, names Python refuses, names taken.
        for (bad, why) in [
            ("1st", "not a valid function name"),
            ("greet-all", "not a Python name"),
            ("class", "not a Python name"),
            ("taken", "already a name in function_app.py"),
            ("ORCHESTRATE", "already has a function named"),
        ] {
            let err = rename(&s, py, on_def, bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn a_durable_call_leads_to_a_function_json_function() {
        let s = AppState::new(test_support::app(
            r#"
//- /Orchestrate/function.json
{"bindings": [{"type": "orchestrationTrigger", "name": "context"}]}
//- /Orchestrate/__init__.py
import azure.durable_functions as df

def orchestrator(context):
    result = yield context.call_activity("Hello", "Tokyo")
    return result

main = df.Orchestrator.create(orchestrator)
//- /Hello/function.json
{"bindings": [{"type": "activityTrigger", "name": "city"}]}
//- /Hello/__init__.py
def main(city: str) -> str:
    return city
"#,
        ));
        let py = "Orchestrate/__init__.py";
        let call = at(&s, py, "\"Hello\"", 0, 1);
        let d = definition(&s, py, call);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].file, "Hello/__init__.py");
        assert_eq!(
            &s.input().text("Hello/__init__.py").unwrap()[d[0].focus.as_usize()],
            "main"
        );
        let refs = references(&s, py, call, true);
        assert_eq!(show(&s, &refs), ["Orchestrate/__init__.py Hello"]);
        let prepared = prepare_rename(&s, py, call).unwrap().unwrap();
        assert_eq!(prepared.placeholder, "Hello");
        // Text edits alone cannot rename it: the folder must move.
        assert!(rename(&s, py, call, "Greet")
            .unwrap_err()
            .contains("moves the folder"));
        let moved = folder_rename(&s, py, call, "Greet").unwrap().unwrap();
        assert_eq!((moved.from.as_str(), moved.to.as_str()), ("Hello", "Greet"));
        let [edit] = moved.edits.as_slice() else {
            panic!("{moved:?}")
        };
        assert_eq!(edit.file, py);
        assert_eq!(&s.input().text(py).unwrap()[edit.range.as_usize()], "Hello");
        assert_eq!(edit.new_text, "Greet");
        for (bad, why) in [
            ("2nd", "not a valid function name"),
            ("host", "not a valid function name"),
            ("orchestrate", "already has a function or folder named"),
        ] {
            let err = folder_rename(&s, py, call, bad).unwrap().unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
        // Another case of its own name is fine.
        assert!(folder_rename(&s, py, call, "hello").unwrap().is_ok());
        // Not a folder-named function: nothing to move.
        assert!(folder_rename(&s, py, 0, "Greet").is_none());
        // A function that runs a script in the folder would lose it.
        let shared = AppState::new(s.input().clone().with_file(
            "Again/function.json",
            r#"{"scriptFile": "../Hello/__init__.py", "bindings": [{"type": "activityTrigger", "name": "city"}]}"#,
        ));
        let err = folder_rename(&shared, py, call, "Greet")
            .unwrap()
            .unwrap_err();
        assert!(err.contains("'Again' runs a script in Hello/"), "{err}");
    }

    /// Every request at every offset of odd files answers without panicking.
    #[test]
    fn every_offset_is_safe() {
        let fixtures = [
            APP.to_string(),
            "//- /F/function.json\r\n{\"bindings\": [{\"type\": \"queueTrigger\", \"name\": \"m\\u0073g\", \"queueName\": \"%Q%\", \"connection\": \"%\"}, 5, {\"name\": 3}\r\n//- /F/__init__.py\r\nimport os\r\ndef main(msg: 'func.QueueMessage', *a, **k):\r\n    x = os.environ['Q\\x41']  # 😀\r\n    return lambda msg: [msg for msg in msg]\r\n//- /local.settings.json\r\n{\"Values\": {\"Q\": 1, \"Q\": 2, \"é\": \"\"}, \"ConnectionStrings\": {\"x__y\": \"\"}}\r\n".to_string(),
            "//- /function_app.py\nimport azure.functions as func\napp = func.FunctionApp()\n@app.route(route='x')\n@app.queue_output(arg_name=NAME, queue_name='q', connection='C')\ndef f(req, out):\n    return req\n".to_string(),
            "//- /function_app.py\nimport azure.durable_functions as df\napp = df.DFApp()\n@app.function_name(name='A')\n@app.orchestration_trigger(context_name='c')\ndef o(c):\n    yield c.call_activity('A', 'x'); c.start_new('A\\'); c.call_activity(\"A\n@app.route()\ndef r(req): pass\n".to_string(),
        ];
        for fixture in fixtures {
            let s = AppState::new(test_support::app(&fixture));
            let files: Vec<String> = s.input().files.keys().cloned().collect();
            for file in &files {
                let len = s.input().text(file).map_or(0, str::len);
                for offset in 0..=len + 1 {
                    let _ = definition(&s, file, offset);
                    let _ = references(&s, file, offset, true);
                    let _ = prepare_rename(&s, file, offset);
                    for name in ["renamed", "x__y", ""] {
                        if let Ok(edits) = rename(&s, file, offset, name) {
                            for e in &edits {
                                let text = s.input().text(&e.file).unwrap_or("");
                                assert!(text.get(e.range.as_usize()).is_some(), "{e:?}");
                            }
                        }
                        if let Some(Ok(moved)) = folder_rename(&s, file, offset, name) {
                            for e in &moved.edits {
                                let text = s.input().text(&e.file).unwrap_or("");
                                assert!(text.get(e.range.as_usize()).is_some(), "{e:?}");
                            }
                        }
                    }
                    let _ = crate::analysis::ide::fixes::fixes_at(&s, file, offset);
                }
                let _ = document_links(&s, file);
                let _ = crate::analysis::ide::symbols::document_symbols(&s, file);
                let _ = crate::analysis::ide::symbols::code_lenses(&s, file);
                let _ =
                    crate::analysis::ide::symbols::inlay_hints(&s, file, TextRange::new(0, len));
            }
            let _ = crate::analysis::ide::symbols::workspace_symbols(&s, "f");
            let mut state = s.clone();
            let all: Vec<_> = state
                .diagnostics_by_file(&crate::analysis::Config::default())
                .into_values()
                .flatten()
                .collect();
            for d in &all {
                for f in crate::analysis::ide::fixes::fixes(&s, d) {
                    for e in &f.edits {
                        let text = s.input().text(&e.file).unwrap_or("");
                        assert!(text.get(e.range.as_usize()).is_some(), "{e:?}");
                    }
                }
            }
            let _ = crate::analysis::ide::fixes::fix_app(
                s.input().clone(),
                &crate::analysis::Config::default(),
            );
        }
    }
}
