//! Quick fixes in the editor and `check --fix`: each rule builds its own (in its file, see
//! `rules::fixes`); this is the glue that collects them for a diagnostic, offers settings at the
//! cursor, and chooses what "fix all" and `check --fix` apply.

use super::refs::{self, Subject};
use crate::analysis::app::{AppInput, FileContent};
use crate::analysis::config::Config;
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Rule};
use crate::analysis::edits;
use crate::analysis::edits::JsonFile;
use crate::analysis::function::{FunctionUnit, Modules};
use crate::analysis::maps;
use crate::analysis::requirements;
use crate::analysis::rules;
use crate::analysis::rules::fix_support::{add_setting_edit, add_setting_fix, FixCtx};
use crate::analysis::settings::{self, LocalSettings};
use crate::analysis::state::AppState;
use std::sync::Arc;

pub use crate::analysis::rules::fix_support::QuickFix;

impl FixCtx for AppState {
    fn input(&self) -> &AppInput {
        AppState::input(self)
    }

    fn local_settings(&self) -> Option<&LocalSettings> {
        AppState::local_settings(self)
    }

    fn local_settings_json(&self) -> Option<&JsonFile> {
        AppState::local_settings_json(self)
    }

    fn modules(&self) -> &Modules {
        AppState::modules(self)
    }

    fn unit(&self, name: &str) -> Option<&FunctionUnit> {
        AppState::unit(self, name)
    }

    fn rename_binding_edits(&self, unit: &FunctionUnit, old: &str, new: &str) -> Vec<FileEdit> {
        let subject = refs::binding_subject(self, unit, old);
        refs::binding_occurrences(self, &subject)
            .into_iter()
            .filter(|o| o.declaration)
            .map(|o| o.edit(new))
            .collect()
    }
}

/// The fixes for one diagnostic, the preferred one first.
///
/// A fix that edits a requirements file other than the diagnostic's own is never automatic:
/// adding a package is a choice made in the editor, not by "fix all", fix-on-save or
/// `check --fix` acting on another file.
pub fn fixes(state: &AppState, d: &Diagnostic) -> Vec<QuickFix> {
    let mut out = rules::fixes(state, d);
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| !f.edits.is_empty() && seen.insert(f.title.clone()));
    for fix in &mut out {
        let elsewhere = fix
            .edits
            .iter()
            .any(|e| e.file != d.file && requirements::is_requirements_file(&e.file));
        if elsewhere {
            fix.auto = false;
        }
    }
    out
}

/// Fixes offered where the cursor is, without a diagnostic: adding a setting that a
/// `connection`, `%Name%` or environment read names but nothing defines (also when
/// local.settings.json does not exist, which silences the settings rules).
pub fn fixes_at(state: &AppState, file: &str, offset: usize) -> Vec<QuickFix> {
    let Some(hit) = refs::hit(state, file, offset) else {
        return Vec::new();
    };
    let Subject::Setting(s) = hit.subject else {
        return Vec::new();
    };
    if s.section {
        return Vec::new();
    }
    let defined = state.local_settings().is_some_and(|l| {
        l.values
            .iter()
            .chain(&l.connection_strings)
            .any(|v| v.name == s.name)
    });
    if defined {
        return Vec::new();
    }
    add_setting_fix(state, &s.name, "").into_iter().collect()
}

/// At most this many settings are added by one action (each is one more pass over the file).
const MAX_ADDED_SETTINGS: usize = 500;

/// The settings the app reads that local.settings.json does not define, in the order they are
/// first read: unresolved `connection`s, `%Name%` in bindings, then environment reads without a
/// default in the app's modules (by path).
pub fn missing_settings(state: &AppState) -> Vec<String> {
    let local = state.local_settings();
    let defined = |name: &str| {
        local.as_ref().is_some_and(|l| {
            l.values
                .iter()
                .chain(&l.connection_strings)
                .any(|v| v.name == name)
        })
    };
    let mut out: Vec<String> = Vec::new();
    let push = |name: &str, out: &mut Vec<String>| {
        if !name.is_empty() && !defined(name) && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    };
    for unit in state.units() {
        for b in unit.bindings() {
            for m in &b.members {
                let Some(value) = m.value.as_ref().and_then(|v| v.as_str()) else {
                    continue;
                };
                if settings::CONNECTION_KEYS
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(&m.key))
                {
                    let name = value.trim();
                    let resolved = local.as_ref().is_some_and(|l| {
                        l.resolve_connection(name) != settings::Resolution::Unresolved
                    });
                    if !name.contains('%') && !resolved {
                        push(name, &mut out);
                    }
                    continue;
                }
                for (name, _) in settings::setting_expressions(value) {
                    push(&name, &mut out);
                }
            }
        }
    }
    let mut modules: Vec<_> = state.modules().iter().collect();
    modules.sort_by(|a, b| a.0.cmp(b.0));
    for (_, module) in modules {
        let mut reads: Vec<_> = module.env_reads.iter().filter(|r| !r.has_default).collect();
        reads.sort_by_key(|r| r.range.start);
        for read in reads {
            push(&read.name, &mut out);
        }
    }
    out.truncate(MAX_ADDED_SETTINGS);
    out
}

/// "Add all settings this app reads": one edit of local.settings.json (creating it when absent)
/// that adds every [`missing_settings`] name to `Values` with an empty placeholder (the storage
/// emulator for `AzureWebJobsStorage`), leaving every existing value as it is. `None` when
/// nothing is missing or the file is not a JSON object.
pub fn add_missing_settings(state: &AppState) -> Option<QuickFix> {
    let missing = missing_settings(state);
    let first = missing.first()?;
    let placeholder = |name: &str| {
        if name == "AzureWebJobsStorage" {
            crate::analysis::rules::fix_support::EMULATOR
        } else {
            ""
        }
    };
    let exists = state.input().exists(settings::LOCAL_SETTINGS);
    let original = if exists {
        state.input().text(settings::LOCAL_SETTINGS)?.to_string()
    } else {
        // The usual skeleton, with the first setting.
        add_setting_edit(state, first, placeholder(first))?.new_text
    };
    let mut text = original.clone();
    // After the second member, each next one goes where the last ended, after the separator the
    // layout gave the second: the file is parsed twice, not once a setting.
    let mut template: Option<(usize, String)> = None;
    for (i, name) in missing.iter().enumerate() {
        let member = format!(
            "{}: {}",
            edits::json_quote(name),
            edits::json_quote(placeholder(name))
        );
        if let Some((at, separator)) = &mut template {
            let insert = format!("{separator}{member}");
            text.insert_str(*at, &insert);
            *at += insert.len();
            continue;
        }
        let root = crate::analysis::json::parse(&text).value?;
        root.as_object()?;
        let edit = match root.get("Values").and_then(|m| m.value.as_ref()) {
            Some(values) if values.get(name).is_some() => continue,
            Some(values) => {
                values.as_object()?;
                edits::add_member(
                    settings::LOCAL_SETTINGS,
                    &text,
                    values,
                    name,
                    &edits::json_quote(placeholder(name)),
                )
            }
            None => {
                let object = edits::render_object(
                    &[(
                        edits::json_quote(name),
                        edits::json_quote(placeholder(name)),
                    )],
                    Some(("", "  ", "\n")),
                );
                edits::add_member(settings::LOCAL_SETTINGS, &text, &root, "Values", &object)
            }
        };
        if i > 0 && edit.range.start == edit.range.end {
            if let Some(separator) = edit.new_text.strip_suffix(&member) {
                let end = edit.range.start as usize + edit.new_text.len();
                template = Some((end, separator.to_string()));
            }
        }
        text = edits::apply_edits(&text, &[&edit])?;
    }
    let edit = if exists {
        changed_span(&original, &text)
    } else {
        FileEdit {
            file: settings::LOCAL_SETTINGS.to_string(),
            range: crate::analysis::text::TextRange::empty(0),
            new_text: text,
        }
    };
    let n = missing.len();
    let title = format!(
        "Add all settings this app reads to local.settings.json ({n} missing: {})",
        if n > 3 {
            format!("{}, …", missing[..3].join(", "))
        } else {
            missing.join(", ")
        }
    );
    Some(QuickFix::new(title, vec![edit]))
}

/// One edit of local.settings.json that turns `before` into `after`: the span between their
/// common prefix and suffix (on character boundaries), so that the text around stays untouched.
fn changed_span(before: &str, after: &str) -> FileEdit {
    let mut start = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(start) || !after.is_char_boundary(start) {
        start -= 1;
    }
    let max_suffix = before.len().min(after.len()) - start;
    let mut suffix = before
        .bytes()
        .rev()
        .zip(after.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(before.len() - suffix)
        || !after.is_char_boundary(after.len() - suffix)
    {
        suffix -= 1;
    }
    FileEdit {
        file: settings::LOCAL_SETTINGS.to_string(),
        range: crate::analysis::text::TextRange::new(start, before.len() - suffix),
        new_text: after[start..after.len() - suffix].to_string(),
    }
}

/// A problem an automatic fix took care of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedProblem {
    pub code: Rule,
    /// The file of the diagnostic.
    pub file: String,
    pub title: String,
}

/// What "fix all" applies: the first automatic fix of each diagnostic, skipping a fix whose
/// edits clash with one already taken.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixAll {
    pub edits: Vec<FileEdit>,
    pub fixed: Vec<FixedProblem>,
    /// Automatic fixes left out because they clash with another; a second pass can apply them.
    pub deferred: usize,
}

/// Chooses the automatic fixes of `diagnostics` that can apply together.
pub fn fix_all(state: &AppState, diagnostics: &[Diagnostic]) -> FixAll {
    let offered = diagnostics.iter().filter_map(|d| {
        let fix = fixes(state, d).into_iter().find(|f| f.auto)?;
        let fixed = FixedProblem {
            code: d.code,
            file: d.file.clone(),
            title: fix.title,
        };
        Some((fixed, fix.edits))
    });
    choose_fixes(offered, |file| state.input().exists(file))
}

/// The fixes `offered` (in order) that apply together: a fix whose edits are all taken already
/// is counted as fixed; one with an edit that clashes with a taken one is deferred. An edit
/// clashes with another edit of its file when they conflict (`edits::conflict`), when the file
/// does not exist yet (`exists`) and the other is any other edit of it, or when the file is JSON
/// and both start at the same place.
fn choose_fixes(
    offered: impl IntoIterator<Item = (FixedProblem, Vec<FileEdit>)>,
    exists: impl Fn(&str) -> bool,
) -> FixAll {
    let mut all = FixAll::default();
    let mut taken = TakenEdits::default();
    for (fixed, edits) in offered {
        if edits.iter().all(|e| taken.contains(&all.edits, e)) {
            all.fixed.push(fixed);
            continue;
        }
        let clash = edits.iter().any(|e| {
            let creates = !exists(&e.file);
            let strict = creates || e.file.ends_with(".json");
            taken.clashes(&all.edits, e, creates, strict)
        });
        if clash {
            all.deferred += 1;
            continue;
        }
        for e in edits {
            if !taken.contains(&all.edits, &e) {
                taken.insert(all.edits.len(), &e);
                all.edits.push(e);
            }
        }
        all.fixed.push(fixed);
    }
    all
}

/// The edits taken by [`choose_fixes`] (positions in its list), by file and start: a fix of
/// every finding asks whether its edits clash with those taken, thousands in one module.
#[derive(Default)]
struct TakenEdits {
    by_file: foldhash::HashMap<String, FileEdits>,
}

#[derive(Default)]
struct FileEdits {
    by_start: std::collections::BTreeMap<u32, Vec<usize>>,
    /// The length of the longest range replaced: an edit that overlaps another starts at most
    /// this far before it.
    longest: u32,
}

impl TakenEdits {
    fn insert(&mut self, position: usize, e: &FileEdit) {
        let file = maps::value_or_default(&mut self.by_file, &e.file);
        file.by_start
            .entry(e.range.start)
            .or_default()
            .push(position);
        file.longest = file.longest.max(e.range.end.saturating_sub(e.range.start));
    }

    fn contains(&self, taken: &[FileEdit], e: &FileEdit) -> bool {
        self.by_file
            .get(&e.file)
            .and_then(|file| file.by_start.get(&e.range.start))
            .is_some_and(|at| at.iter().any(|&i| taken[i] == *e))
    }

    fn clashes(&self, taken: &[FileEdit], e: &FileEdit, creates: bool, strict: bool) -> bool {
        let Some(file) = self.by_file.get(&e.file) else {
            return false;
        };
        let other = |i: &usize| taken[*i] != *e;
        if creates {
            return file.by_start.values().flatten().any(other);
        }
        if strict
            && file
                .by_start
                .get(&e.range.start)
                .is_some_and(|at| at.iter().any(other))
        {
            return true;
        }
        // A conflicting edit starts before `e` ends, and at most `longest` bytes before it
        // starts (it ends after `e` starts).
        let from = e.range.start.saturating_sub(file.longest);
        file.by_start
            .range(from..e.range.end.max(from))
            .flat_map(|(_, at)| at)
            .any(|&i| taken[i] != *e && edits::conflict(&taken[i].range, &e.range))
    }
}

/// An app after [`fix_app`].
#[derive(Debug, Clone)]
pub struct FixedApp {
    /// The app's files with the fixes applied (new files included).
    pub input: AppInput,
    pub fixed: Vec<FixedProblem>,
}

/// How many times [`fix_app`] re-checks and fixes again (a fix can unblock another).
const MAX_PASSES: usize = 10;

/// Applies the automatic fixes of every diagnostic `config` enables, in memory: fix, re-check,
/// fix what is left, until nothing changes.
pub fn fix_app(input: AppInput, config: &Config) -> FixedApp {
    let mut state = AppState::new(input);
    let mut fixed = Vec::new();
    for _ in 0..MAX_PASSES {
        let diagnostics: Vec<Diagnostic> = state
            .diagnostics_by_file(config)
            .into_values()
            .flatten()
            .collect();
        let plan = fix_all(&state, &diagnostics);
        if plan.edits.is_empty() {
            break;
        }
        let mut files: Vec<&str> = plan.edits.iter().map(|e| e.file.as_str()).collect();
        files.sort();
        files.dedup();
        let mut updates = Vec::new();
        for file in files {
            let text = match state.input().files.get(file) {
                None => "",
                Some(content) => match content.text() {
                    Some(t) => t,
                    None => continue,
                },
            };
            let mine: Vec<&FileEdit> = plan.edits.iter().filter(|e| e.file == file).collect();
            if let Some(new) = edits::apply_edits(text, &mine) {
                updates.push((file.to_string(), new));
            }
        }
        if updates.is_empty() {
            break;
        }
        for (file, new) in updates {
            state.set_file(&file, FileContent::Text(Arc::from(new.as_str())));
        }
        fixed.extend(plan.fixed);
    }
    FixedApp {
        input: state.input().clone(),
        fixed,
    }
}

/// Fixes of several rules on one app, the flags the glue sets, "fix all", `check --fix` and the
/// cursor. A fix of one rule on its own is tested in the rule's file.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support::{
        self, apply, check_fix, check_fix_raw, diagnostics, titles, BASE,
    };
    use crate::analysis::settings::LOCAL_SETTINGS;

    const READS_SETTINGS: &str = r#"
//- /function_app.py
import os
import azure.functions as func

app = func.FunctionApp()
KEY = os.environ["ApiKey"]
LEVEL = os.getenv("LogLevel", "info")

@app.queue_trigger(arg_name="msg", queue_name="%OrdersQueue%", connection="OrdersConn")
@app.blob_output(arg_name="out", path="%Container%/{Id}", connection="AzureWebJobsStorage")
def process(msg: func.QueueMessage, out: func.Out[str]) -> None:
    out.set(os.environ["ApiKey"])
"#;

    /// [`choose_fixes`] by its definition: each edit against every edit taken.
    fn choose_fixes_by_scan(
        offered: &[(FixedProblem, Vec<FileEdit>)],
        exists: impl Fn(&str) -> bool,
    ) -> FixAll {
        let mut all = FixAll::default();
        for (fixed, fix) in offered {
            if fix.iter().all(|e| all.edits.contains(e)) {
                all.fixed.push(fixed.clone());
                continue;
            }
            let clash = fix.iter().any(|e| {
                let creates = !exists(&e.file);
                let strict = creates || e.file.ends_with(".json");
                all.edits.iter().any(|c| {
                    c.file == e.file
                        && c != e
                        && (edits::conflict(&c.range, &e.range)
                            || creates
                            || (strict && c.range.start == e.range.start))
                })
            });
            if clash {
                all.deferred += 1;
                continue;
            }
            for e in fix {
                if !all.edits.contains(e) {
                    all.edits.push(e.clone());
                }
            }
            all.fixed.push(fixed.clone());
        }
        all
    }

    #[test]
    fn choosing_fixes_by_index_agrees_with_the_scan_of_every_taken_edit() {
        // Random fixes of one to three edits over a Python file, a JSON file and a file that
        // does not exist, with short and long, empty and repeated ranges.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        let files = ["function_app.py", "F/function.json", "new.py"];
        for round in 0..300 {
            let offered: Vec<(FixedProblem, Vec<FileEdit>)> = (0..next(40) + 1)
                .map(|i| {
                    let edits = (0..next(3) + 1)
                        .map(|_| {
                            let start = next(60) as usize;
                            let len = match next(4) {
                                0 => 0,
                                1 => next(30) as usize,
                                _ => next(4) as usize,
                            };
                            FileEdit {
                                file: files[next(3) as usize].to_string(),
                                range: crate::analysis::text::TextRange::new(start, start + len),
                                new_text: ["x", "y"][next(2) as usize].to_string(),
                            }
                        })
                        .collect();
                    let fixed = FixedProblem {
                        code: Rule::new(rules::BINDING_WITHOUT_PARAMETER),
                        file: files[0].to_string(),
                        title: format!("fix {round}.{i}"),
                    };
                    (fixed, edits)
                })
                .collect();
            let exists = |file: &str| file != "new.py";
            assert_eq!(
                choose_fixes(offered.clone(), exists),
                choose_fixes_by_scan(&offered, exists),
                "round {round}: {offered:?}"
            );
        }
    }

    #[test]
    fn a_fix_that_adds_a_setting_edits_the_settings_as_they_are_now() {
        // The settings' JSON tree is read once and kept for the fixes: each edit of the file
        // must be seen by the next fix as by a fresh state.
        let add_api_key = |state: &mut AppState| -> Vec<FileEdit> {
            let d = diagnostics(state)
                .into_iter()
                .find(|d| d.code.as_str() == "AZF310" && d.message.contains("ApiKey"))
                .expect("AZF310 for ApiKey");
            fixes(state, &d)
                .into_iter()
                .find(|f| f.title.contains("'ApiKey'"))
                .expect("a fix adding ApiKey")
                .edits
        };
        let settings = |values: &str| {
            format!("{{\n  \"IsEncrypted\": false,\n  \"Values\": {{\n    \"FUNCTIONS_WORKER_RUNTIME\": \"python\"{values}\n  }}\n}}\n")
        };
        let mut state = AppState::new(test_support::app(&format!(
            "{READS_SETTINGS}//- /local.settings.json\n{}",
            settings("")
        )));
        let first = add_api_key(&mut state);
        for values in [
            ",\n    \"Container\": \"c\",\n    \"OrdersQueue\": \"q\"",
            "",
        ] {
            let text = settings(values);
            state.set_file(LOCAL_SETTINGS, FileContent::Text(Arc::from(text.as_str())));
            let fresh = AppState::new(state.input().clone());
            let now = add_api_key(&mut state);
            assert_eq!(now, add_api_key(&mut fresh.clone()));
            assert_eq!(now[0].range.start as usize, text.rfind("\n  }").unwrap());
        }
        assert_eq!(add_api_key(&mut state), first);
        // The file's layout is read with its tree: one line, then tabs.
        for text in [
            "{\"IsEncrypted\": false, \"Values\": {\"FUNCTIONS_WORKER_RUNTIME\": \"python\"}}",
            "{\n\t\"IsEncrypted\": false,\n\t\"Values\": {\n\t\t\"FUNCTIONS_WORKER_RUNTIME\": \"python\"\n\t}\n}\n",
        ] {
            state.set_file(LOCAL_SETTINGS, FileContent::Text(Arc::from(text)));
            let fresh = AppState::new(state.input().clone());
            assert_eq!(add_api_key(&mut state), add_api_key(&mut fresh.clone()));
        }
        assert!(add_api_key(&mut state)[0]
            .new_text
            .starts_with(",\n\t\t\"ApiKey\""));
    }

    #[test]
    fn add_all_settings_fills_only_what_is_missing() {
        let existing = "{\n  \"IsEncrypted\": false,\n  \"Values\": {\n    \"FUNCTIONS_WORKER_RUNTIME\": \"python\",\n    \"Container\": \"kept\"\n  }\n}\n";
        let state = AppState::new(test_support::app(&format!(
            "{READS_SETTINGS}//- /local.settings.json\n{existing}"
        )));
        assert_eq!(
            missing_settings(&state),
            ["AzureWebJobsStorage", "OrdersQueue", "OrdersConn", "ApiKey"]
        );
        let fix = add_missing_settings(&state).unwrap();
        assert_eq!(
            fix.title,
            "Add all settings this app reads to local.settings.json (4 missing: AzureWebJobsStorage, OrdersQueue, OrdersConn, …)"
        );
        let [edit] = fix.edits.as_slice() else {
            panic!("{fix:?}")
        };
        // One insertion after the last value: the existing text stays as it is.
        assert_eq!(edit.range.start, edit.range.end);
        let mut fixed = apply(&state, &fix.edits);
        expect_test::expect![[r#"
            {
              "IsEncrypted": false,
              "Values": {
                "FUNCTIONS_WORKER_RUNTIME": "python",
                "Container": "kept",
                "AzureWebJobsStorage": "UseDevelopmentStorage=true",
                "OrdersQueue": "",
                "OrdersConn": "",
                "ApiKey": ""
              }
            }
        "#]]
        .assert_eq(fixed.input().text(LOCAL_SETTINGS).unwrap());
        assert!(missing_settings(&fixed).is_empty());
        assert!(add_missing_settings(&fixed).is_none());
        // No rule about an undefined setting is left.
        let left: Vec<_> = diagnostics(&mut fixed)
            .into_iter()
            .filter(|d| {
                ["AZF306", "AZF309", "AZF310", "AZF311"]
                    .iter()
                    .any(|c| d.code == *c)
            })
            .collect();
        assert!(left.is_empty(), "{left:#?}");
    }

    #[test]
    fn add_all_settings_in_a_function_json_app() {
        let state = AppState::new(test_support::app(
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "%Q%", "connection": "Bus"}]}
//- /F/__init__.py
import os
def main(msg: str) -> None:
    os.environ["Key"]
    os.environ["Other"]
//- /local.settings.json
{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "Q": "kept"}}
"#,
        ));
        assert_eq!(missing_settings(&state), ["Bus", "Key", "Other"]);
        let fixed = apply(&state, &add_missing_settings(&state).unwrap().edits);
        assert_eq!(
            fixed.input().text(LOCAL_SETTINGS).unwrap(),
            r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "Q": "kept", "Bus": "", "Key": "", "Other": ""}}
"#
        );
    }

    #[test]
    fn add_all_settings_creates_the_file() {
        let state = AppState::new(test_support::app(READS_SETTINGS));
        let fix = add_missing_settings(&state).unwrap();
        assert_eq!(fix.edits.len(), 1);
        assert!(!state.input().exists(LOCAL_SETTINGS));
        let fixed = apply(&state, &fix.edits);
        expect_test::expect![[r#"
            {
              "IsEncrypted": false,
              "Values": {
                "FUNCTIONS_WORKER_RUNTIME": "python",
                "Container": "",
                "AzureWebJobsStorage": "UseDevelopmentStorage=true",
                "OrdersQueue": "",
                "OrdersConn": "",
                "ApiKey": ""
              }
            }
        "#]]
        .assert_eq(fixed.input().text(LOCAL_SETTINGS).unwrap());
    }

    const RENAMED: &str = r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}]}
//- /F/__init__.py
import azure.functions as func

def main(request: func.HttpRequest) -> func.HttpResponse:
    name = request.params.get("name")
    return func.HttpResponse(f"hello {name}", headers={"request": "1"})
"#;

    #[test]
    fn rename_parameter_or_binding() {
        expect_test::expect![[r#"
            [
                "Rename parameter 'request' to 'req' [preferred] [auto]",
                "Rename binding 'req' to 'request' in function.json",
            ]
        "#]]
        .assert_debug_eq(&titles(RENAMED, "AZF201"));
        expect_test::expect![[r#"
            Rename parameter 'request' to 'req' [preferred] [auto]
            --- F/__init__.py
            import azure.functions as func

            def main(req: func.HttpRequest) -> func.HttpResponse:
                name = req.params.get("name")
                return func.HttpResponse(f"hello {name}", headers={"request": "1"})
        "#]]
        .assert_eq(&check_fix(RENAMED, "AZF201", "Rename parameter"));
        expect_test::expect![[r#"
            Rename binding 'req' to 'request' in function.json
            --- F/function.json
            {"bindings": [{"type": "httpTrigger", "name": "request"}, {"type": "http", "direction": "out", "name": "$return"}]}
        "#]]
        // The binding is the other half of the same mistake: one diagnostic offers both renames.
        .assert_eq(&check_fix(RENAMED, "AZF201", "Rename binding"));
    }

    #[test]
    fn add_binding_or_parameter() {
        let missing_binding = r#"
//- /F/function.json
{
  "bindings": [
    {
      "type": "queueTrigger",
      "name": "msg",
      "queueName": "orders",
      "connection": "AzureWebJobsStorage"
    }
  ]
}
//- /F/__init__.py
import azure.functions as func

def main(msg: func.QueueMessage, receipt: func.InputStream, out: func.Out[func.QueueMessage]) -> None:
    pass
"#;
        expect_test::expect![[r#"
            Add a 'blob' binding 'receipt' to function.json [preferred]
            --- F/function.json
            {
              "bindings": [
                {
                  "type": "queueTrigger",
                  "name": "msg",
                  "queueName": "orders",
                  "connection": "AzureWebJobsStorage"
                },
                {
                  "type": "blob",
                  "direction": "in",
                  "name": "receipt",
                  "path": "samples/receipt",
                  "connection": "AzureWebJobsStorage"
                }
              ]
            }
        "#]]
        .assert_eq(&check_fix(missing_binding, "AZF201", "Add a 'blob'"));
        let out_param = missing_binding.replace("receipt: func.InputStream, ", "");
        expect_test::expect![[r#"
            Add a 'queue' binding 'out' to function.json [preferred]
            --- F/function.json
            {
              "bindings": [
                {
                  "type": "queueTrigger",
                  "name": "msg",
                  "queueName": "orders",
                  "connection": "AzureWebJobsStorage"
                },
                {
                  "type": "queue",
                  "direction": "out",
                  "name": "out",
                  "queueName": "out",
                  "connection": "AzureWebJobsStorage"
                }
              ]
            }
        "#]]
        .assert_eq(&check_fix(&out_param, "AZF201", "Add a 'queue'"));

        let missing_param = r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "orders"}, {"type": "blob", "direction": "out", "name": "receipt", "path": "receipts/{id}"}, {"type": "cosmosDB", "name": "docs", "databaseName": "d", "containerName": "c", "connection": "Cosmos"}]}
//- /F/__init__.py
import logging

def main(msg, docs=None):
    logging.info(msg)
"#;
        expect_test::expect![[r#"
            [
                "Add parameter 'receipt: func.Out[str]' to main() [preferred] [auto]",
            ]
        "#]]
        .assert_debug_eq(&titles(missing_param, "AZF202"));
        expect_test::expect![[r#"
            Add parameter 'receipt: func.Out[str]' to main() [preferred] [auto]
            --- F/__init__.py
            import azure.functions as func
            import logging

            def main(msg, receipt: func.Out[str], docs=None):
                logging.info(msg)
        "#]]
        .assert_eq(&check_fix(
            missing_param,
            "AZF202",
            "Add parameter 'receipt",
        ));
    }

    #[test]
    fn replace_annotations() {
        let optional = r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "blob", "name": "receipt", "path": "r/{id}", "connection": "AzureWebJobsStorage"}, {"type": "http", "direction": "out", "name": "$return"}]}
//- /F/__init__.py
from typing import Optional
import azure.functions as func
def main(req: func.HttpRequest, receipt: Optional[func.InputStream]) -> bytes:
    return receipt.read()
"#;
        expect_test::expect![[r#"
            Annotate 'receipt' as func.InputStream [preferred] [auto]
            --- F/__init__.py
            from typing import Optional
            import azure.functions as func
            def main(req: func.HttpRequest, receipt: func.InputStream) -> bytes:
                return receipt.read()
        "#]]
        .assert_eq(&check_fix(optional, "AZF207", "Annotate"));
        expect_test::expect![[r#"
            [
                "Change the return annotation to func.HttpResponse [preferred]",
                "Change the return annotation to str",
            ]
        "#]]
        .assert_debug_eq(&titles(optional, "AZF208"));
        expect_test::expect![[r#"
            Change the return annotation to func.HttpResponse [preferred]
            --- F/__init__.py
            from typing import Optional
            import azure.functions as func
            def main(req: func.HttpRequest, receipt: Optional[func.InputStream]) -> func.HttpResponse:
                return receipt.read()
        "#]]
        .assert_eq(&check_fix(optional, "AZF208", "Change the return annotation to func"));
    }

    #[test]
    fn function_json_values() {
        let http = |binding: &str| {
            format!("\n//- /F/function.json\n{{\"bindings\": [{binding}, {{\"type\": \"http\", \"direction\": \"out\", \"name\": \"$return\"}}]}}\n//- /F/__init__.py\nimport azure.functions as func\nHEADERS = {{\"Access-Control-Allow-Origin\": \"*\"}}\ndef main(req):\n    return func.HttpResponse(\"x\", headers=HEADERS)\n")
        };
        expect_test::expect![[r#"
            Change the type to 'httpTrigger' [preferred] [auto]
            --- F/function.json
            {"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}]}
        "#]]
        .assert_eq(&check_fix(&http(r#"{"type": "HttpTrigger", "name": "req"}"#), "AZF113", "Change the type"));
        expect_test::expect![[r#"
            Add "options" to methods [preferred] [auto]
            --- F/function.json
            {"bindings": [{"type": "httpTrigger", "name": "req", "methods": ["get", "post", "options"]}, {"type": "http", "direction": "out", "name": "$return"}]}
        "#]]
        .assert_eq(&check_fix(&http(r#"{"type": "httpTrigger", "name": "req", "methods": ["get", "post"]}"#), "AZF401", "Add"));
        expect_test::expect![[r#"
            Use route 'health' [preferred] [auto]
            --- F/function.json
            {"bindings": [{"type": "httpTrigger", "name": "req", "route": "health"}, {"type": "http", "direction": "out", "name": "$return"}]}
        "#]]
        .assert_eq(&check_fix(&http(r#"{"type": "httpTrigger", "name": "req", "route": "/health"}"#), "AZF402", "Use route"));
        expect_test::expect![[r#"
            Use route 'orders' [preferred] [auto]
            --- F/function.json
            {"bindings": [{"type": "httpTrigger", "name": "req", "route": "orders"}, {"type": "http", "direction": "out", "name": "$return"}]}
        "#]]
        .assert_eq(&check_fix(&http(r#"{"type": "httpTrigger", "name": "req", "route": "api/orders"}"#), "AZF405", "Use route"));
    }

    #[test]
    fn settings() {
        let uses = r#"
//- /F/function.json
{"bindings": [{"type": "serviceBusTrigger", "name": "m", "queueName": "%OrdersQueue%", "connection": "ServiceBus"}]}
//- /F/__init__.py
import os
KEY = os.environ["API_KEY"]
def main(m):
    return os.getenv("REGION")
"#;
        expect_test::expect![[r#"
            Add setting 'ServiceBus' to local.settings.json
            --- local.settings.json
            {
              "IsEncrypted": false,
              "Values": {
                "FUNCTIONS_WORKER_RUNTIME": "python",
                "AzureWebJobsStorage": "UseDevelopmentStorage=true",
                "ServiceBus": ""
              }
            }

        "#]]
        .assert_eq(&check_fix(uses, "AZF306", "Add setting"));
        expect_test::expect![[r#"
            Add setting 'OrdersQueue' to local.settings.json
            --- local.settings.json
            {
              "IsEncrypted": false,
              "Values": {
                "FUNCTIONS_WORKER_RUNTIME": "python",
                "AzureWebJobsStorage": "UseDevelopmentStorage=true",
                "OrdersQueue": ""
              }
            }

        "#]]
        .assert_eq(&check_fix(uses, "AZF309", "Add setting"));
        expect_test::expect![[r#"
            Add setting 'REGION' to local.settings.json
            --- local.settings.json
            {
              "IsEncrypted": false,
              "Values": {
                "FUNCTIONS_WORKER_RUNTIME": "python",
                "AzureWebJobsStorage": "UseDevelopmentStorage=true",
                "REGION": ""
              }
            }

        "#]]
        .assert_eq(&check_fix(uses, "AZF310", "Add setting"));
        expect_test::expect![[r#"
            Add setting 'API_KEY' to local.settings.json
            --- local.settings.json
            {
              "IsEncrypted": false,
              "Values": {
                "FUNCTIONS_WORKER_RUNTIME": "python",
                "AzureWebJobsStorage": "UseDevelopmentStorage=true",
                "API_KEY": ""
              }
            }

        "#]]
        .assert_eq(&check_fix(uses, "AZF311", "Add setting"));
        let near = r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "m", "queueName": "%AzureWebJobStorage%", "connection": "AzureWebJobsStorage"}]}
//- /F/__init__.py
import os
def main(m):
    return os.getenv("AzureWebJobsStorag")
"#;
        expect_test::expect![[r#"
            Use '%AzureWebJobsStorage%' [preferred]
            --- F/function.json
            {"bindings": [{"type": "queueTrigger", "name": "m", "queueName": "%AzureWebJobsStorage%", "connection": "AzureWebJobsStorage"}]}
        "#]]
        .assert_eq(&check_fix(near, "AZF309", "Use"));
        expect_test::expect![[r#"
            Read 'AzureWebJobsStorage' instead [preferred]
            --- F/__init__.py
            import os
            def main(m):
                return os.getenv("AzureWebJobsStorage")
        "#]]
        .assert_eq(&check_fix(near, "AZF310", "Read"));
        let typo = uses.replace("\"ServiceBus\"", "\"AzureWebJobsStorag\"");
        expect_test::expect![[r#"
            Use connection 'AzureWebJobsStorage' [preferred]
            --- F/function.json
            {"bindings": [{"type": "serviceBusTrigger", "name": "m", "queueName": "%OrdersQueue%", "connection": "AzureWebJobsStorage"}]}
        "#]]
        .assert_eq(&check_fix(&typo, "AZF306", "Use connection"));
    }

    #[test]
    fn settings_file_fixes() {
        let settings = |text: &str| {
            format!("//- /local.settings.json\n{text}\n//- /Q/function.json\n{{\"bindings\": [{{\"type\": \"queueTrigger\", \"name\": \"m\", \"queueName\": \"q\"}}]}}\n//- /Q/__init__.py\ndef main(m): pass\n")
        };
        expect_test::expect![[r#"
            Add setting 'AzureWebJobsStorage' to local.settings.json [preferred] [auto]
            --- local.settings.json
            {"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}
        "#]]
        .assert_eq(&check_fix(&settings(r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python"}}"#), "AZF305", "Add setting"));
        expect_test::expect![[r#"
            Use the local storage emulator (UseDevelopmentStorage=true) [preferred]
            --- local.settings.json
            {"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}
        "#]]
        .assert_eq(&check_fix(&settings(r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": ""}}"#), "AZF305", "Use the local"));
        expect_test::expect![[r#"
            Set FUNCTIONS_WORKER_RUNTIME to 'python' [preferred] [auto]
            --- local.settings.json
            {"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}
        "#]]
        .assert_eq(&check_fix(&settings(r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "node", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}"#), "AZF304", "Set"));
        expect_test::expect![[r#"
            Add setting 'FUNCTIONS_WORKER_RUNTIME' to local.settings.json [preferred] [auto]
            --- local.settings.json
            {"IsEncrypted": false, "Values": {"AzureWebJobsStorage": "UseDevelopmentStorage=true", "FUNCTIONS_WORKER_RUNTIME": "python"}}
        "#]]
        .assert_eq(&check_fix(&settings(r#"{"IsEncrypted": false, "Values": {"AzureWebJobsStorage": "UseDevelopmentStorage=true"}}"#), "AZF304", "Add"));
        expect_test::expect![[r#"
            Add "IsEncrypted": false [preferred] [auto]
            --- local.settings.json
            {
              "IsEncrypted": false,"Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}
        "#]]
        .assert_eq(&check_fix(&settings(r#"{"Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}"#), "AZF303", "Add"));
    }

    #[test]
    fn app_files() {
        let app = |files: &str| {
            format!("{files}//- /F/function.json\n{{\"bindings\": [{{\"type\": \"queueTrigger\", \"name\": \"m\", \"queueName\": \"q\"}}]}}\n//- /F/__init__.py\nimport yaml\ndef main(m): pass\n")
        };
        let mut state = AppState::new(test_support::app(&app("")));
        let before = diagnostics(&mut state);
        let codes: Vec<&str> = before.iter().map(|d| d.code.as_str()).collect();
        assert!(codes.contains(&"AZF601"), "{codes:?}");
        expect_test::expect![[r#"
            Create host.json [preferred] [auto]
            --- host.json
            {
              "version": "2.0",
              "extensionBundle": {
                "id": "Microsoft.Azure.Functions.ExtensionBundle",
                "version": "[4.*, 5.0.0)"
              }
            }
        "#]]
        .assert_eq(&check_fix_raw(
            &app("//- /requirements.txt\nazure-functions\nPyYAML\n"),
            "AZF601",
            "Create",
        ));
        expect_test::expect![[r#"
            Add the extension bundle to host.json [preferred] [auto]
            --- host.json
            {"version": "2.0", "extensionBundle": { "id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)" }}
        "#]]
        .assert_eq(&check_fix_raw(&app("//- /host.json\n{\"version\": \"2.0\"}\n"), "AZF603", "Add the extension"));
        let no_imports =
            app("//- /host.json\n{\"version\": \"2.0\"}\n").replace("import yaml\n", "");
        expect_test::expect![[r#"
            Create requirements.txt with azure-functions [preferred]
            --- requirements.txt
            azure-functions
        "#]]
        .assert_eq(&check_fix_raw(&no_imports, "AZF604", "Create"));
        let reqs = app("//- /host.json\n{\"version\": \"2.0\"}\n//- /requirements.txt\nrequests\n");
        expect_test::expect![[r#"
            Add azure-functions to requirements.txt [preferred] [auto]
            --- requirements.txt
            requests
            azure-functions
        "#]]
        .assert_eq(&check_fix_raw(&reqs, "AZF605", "Add"));
        expect_test::expect![[r#"
            Add PyYAML to requirements.txt [preferred]
            --- requirements.txt
            requests
            PyYAML
        "#]]
        .assert_eq(&check_fix_raw(&reqs, "AZF607", "Add"));
    }

    #[test]
    fn fix_all_never_edits_requirements_for_a_diagnostic_elsewhere() {
        // AZF601 (create host.json) is automatic; AZF607 (add PyYAML) and AZF604's kin edit
        // requirements.txt for a diagnostic in another file: offered, never applied unattended.
        let fixture = "//- /requirements.txt\r\nrequests\r\n//- /function_app.py\nimport yaml\nimport azure.functions as func\napp = func.FunctionApp()\n@app.route()\ndef f(req: func.HttpRequest) -> func.HttpResponse: ...\n";
        let mut state = AppState::new(test_support::app(fixture));
        let all = diagnostics(&mut state);
        let codes: Vec<&str> = all.iter().map(|d| d.code.as_str()).collect();
        assert!(
            codes.contains(&"AZF605") && codes.contains(&"AZF607"),
            "{codes:?}"
        );
        let offered: Vec<QuickFix> = all
            .iter()
            .filter(|d| d.code.as_str() == "AZF607")
            .flat_map(|d| fixes(&state, d))
            .collect();
        assert_eq!(offered.len(), 1);
        assert!(!offered[0].auto);
        let plan = fix_all(&state, &all);
        let written: Vec<&str> = plan.edits.iter().map(|e| e.file.as_str()).collect();
        // AZF605's own file may be fixed from there; nothing else touches requirements.txt.
        let fixed: Vec<&str> = plan.fixed.iter().map(|f| f.code.as_str()).collect();
        assert!(!fixed.contains(&"AZF607"), "{fixed:?}");
        assert!(
            fixed.contains(&"AZF601") && fixed.contains(&"AZF605"),
            "{fixed:?}"
        );
        assert!(written.contains(&"host.json"));
        // The quick fix keeps the file's CRLF line endings and its final newline.
        let after = apply(&state, &offered[0].edits);
        assert_eq!(
            after.input().text("requirements.txt"),
            Some("requests\r\nPyYAML\r\n")
        );
    }

    #[test]
    fn a_setting_reference_offers_to_create_the_settings_file() {
        let fixture = "//- /F/function.json\n{\"bindings\": [{\"type\": \"queueTrigger\", \"name\": \"m\", \"queueName\": \"%Queue%\", \"connection\": \"Bus\"}]}\n//- /F/__init__.py\ndef main(m): pass\n";
        let state = AppState::new(test_support::app(fixture));
        let text = state.input().text("F/function.json").unwrap();
        let at = text.find("Bus").unwrap() + 1;
        let found = fixes_at(&state, "F/function.json", at);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].title,
            "Create local.settings.json with setting 'Bus'"
        );
        let created = apply(&state, &found[0].edits);
        expect_test::expect![[r#"
            {
              "IsEncrypted": false,
              "Values": {
                "FUNCTIONS_WORKER_RUNTIME": "python",
                "Bus": ""
              }
            }
        "#]]
        .assert_eq(created.input().text(LOCAL_SETTINGS).unwrap());
        // Once defined, nothing more to add.
        let at = text.find("Queue").unwrap();
        assert_eq!(
            fixes_at(&created, "F/function.json", text.find("Bus").unwrap()),
            Vec::new()
        );
        assert_eq!(fixes_at(&created, "F/function.json", at).len(), 1);
    }

    #[test]
    fn fix_all_takes_each_automatic_fix_once() {
        let fixture = format!("{BASE}{RENAMED}//- /G/function.json\n{{\"bindings\": [{{\"type\": \"timerTrigger\", \"name\": \"t\", \"schedule\": \"0 2 * * *\"}}]}}\n//- /G/__init__.py\ndef main(timer): pass\n");
        let mut state = AppState::new(test_support::app(&fixture));
        let before = diagnostics(&mut state);
        let all = fix_all(&state, &before);
        let fixed: Vec<String> = all
            .fixed
            .iter()
            .map(|f| format!("{} {}", f.code, f.title))
            .collect();
        expect_test::expect![[r#"
            [
                "AZF201 Rename parameter 'request' to 'req'",
                "AZF201 Rename parameter 'timer' to 't'",
                "AZF122 Use schedule '0 0 2 * * *' (seconds first)",
            ]
        "#]]
        .assert_debug_eq(&fixed);
        let mut after = apply(&state, &all.edits);
        let left: Vec<&str> = diagnostics(&mut after)
            .iter()
            .map(|d| d.code.as_str())
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn fix_app_fixes_again_until_nothing_changes() {
        let fixture = "//- /host.json\n{\"version\": \"2.0\"}\n//- /requirements.txt\nazure-functions\n//- /local.settings.json\n{\"IsEncrypted\": false, \"Values\": {}}\n//- /Q/function.json\n{\"bindings\": [{\"type\": \"queueTrigger\", \"name\": \"m\", \"queueName\": \"q\"}]}\n//- /Q/__init__.py\ndef main(msg): pass\n";
        let fixed = fix_app(test_support::app(fixture), &Config::default());
        let done: Vec<String> = fixed
            .fixed
            .iter()
            .map(|f| format!("{} {} {}", f.file, f.code, f.title))
            .collect();
        expect_test::expect![[r#"
            [
                "Q/__init__.py AZF201 Rename parameter 'msg' to 'm'",
                "Q/function.json AZF305 Add setting 'AzureWebJobsStorage' to local.settings.json",
                "Q/function.json AZF603 Add the extension bundle to host.json",
                "local.settings.json AZF304 Add setting 'FUNCTIONS_WORKER_RUNTIME' to local.settings.json",
            ]
        "#]]
        .assert_debug_eq(&done);
        expect_test::expect![[r#"
            {"IsEncrypted": false, "Values": {"AzureWebJobsStorage": "UseDevelopmentStorage=true", "FUNCTIONS_WORKER_RUNTIME": "python"}}
        "#]]
        .assert_eq(fixed.input.text(LOCAL_SETTINGS).unwrap());
        let mut state = AppState::new(fixed.input);
        assert_eq!(diagnostics(&mut state), Vec::new());
        // Nothing to do: the same files.
        let again = fix_app(state.input().clone(), &Config::default());
        assert!(again.fixed.is_empty());
        assert_eq!(&again.input, state.input());
    }
}
