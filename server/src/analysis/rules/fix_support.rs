//! What fix builders share: the quick-fix type, the view of the app they read, and the edits
//! several rules make (renaming parameters and bindings, replacing annotations, adding settings
//! and files). A rule's own fix lives in its file; this module knows no rule.

use crate::analysis::annotations::{accepted_annotations, EvalSite, Position, Verdict};
use crate::analysis::app::AppInput;
use crate::analysis::diagnostic::{Diagnostic, FileEdit};
use crate::analysis::edits::{
    self, add_member_styled, azure_prefix_with_import, json_quote, JsonFile,
};
use crate::analysis::entry::{self, EntryDef};
use crate::analysis::function::{FunctionUnit, Modules};
use crate::analysis::function_json::Direction;
use crate::analysis::names::binding_name_problem;
use crate::analysis::python::{Annotation, Param, ParamKind, PyModule};
use crate::analysis::python_scopes;
use crate::analysis::settings::{LocalSettings, LOCAL_SETTINGS};
use crate::analysis::text::TextRange;

/// One way to fix a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickFix {
    pub title: String,
    pub edits: Vec<FileEdit>,
    /// The fix to offer first.
    pub preferred: bool,
    /// Safe to apply unseen: it does what the diagnostic asks and nothing a person must choose
    /// (no placeholder values, no pick between alternatives). "Fix all" and `check --fix` apply
    /// only these, and only for a rule whose fixes are `FixAvailability::Safe`.
    pub auto: bool,
}

impl QuickFix {
    pub fn new(title: impl Into<String>, edits: Vec<FileEdit>) -> QuickFix {
        QuickFix {
            title: title.into(),
            edits,
            preferred: false,
            auto: false,
        }
    }

    pub fn preferred(mut self, yes: bool) -> QuickFix {
        self.preferred = yes;
        self
    }

    pub fn auto(mut self, yes: bool) -> QuickFix {
        self.auto = yes;
        self
    }
}

/// What a fix builder reads of the app: the files, their Python summaries and the functions, and
/// the edits that only editor navigation knows how to find.
pub trait FixCtx {
    fn input(&self) -> &AppInput;
    /// `local.settings.json` as the rules read it, when it exists and parses.
    fn local_settings(&self) -> Option<&LocalSettings>;
    /// The JSON tree and style of `local.settings.json`, when it exists and parses.
    fn local_settings_json(&self) -> Option<&JsonFile>;
    fn modules(&self) -> &Modules;
    /// The function with this key.
    fn unit(&self, name: &str) -> Option<&FunctionUnit>;
    /// The edits that rename the binding `old` of `unit` to `new` where function.json declares it,
    /// in every function that shares `unit`'s entry function.
    fn rename_binding_edits(&self, unit: &FunctionUnit, old: &str, new: &str) -> Vec<FileEdit>;

    /// The entry function of `unit`.
    fn entry_def<'s>(&'s self, unit: &'s FunctionUnit) -> Option<EntryDef<'s>> {
        entry::entry_def(self.input(), self.modules(), unit)
    }
}

// ---------------------------------------------------------------------------------------------
// Bindings and parameters.

/// The function a diagnostic belongs to.
pub fn unit_of<'s>(ctx: &'s dyn FixCtx, d: &Diagnostic) -> Option<&'s FunctionUnit> {
    ctx.unit(d.function.as_deref()?)
}

/// The function a diagnostic belongs to and its entry function, when the diagnostic is in the
/// script that defines the entry function.
pub fn entry_of<'s>(
    ctx: &'s dyn FixCtx,
    d: &Diagnostic,
) -> Option<(&'s FunctionUnit, EntryDef<'s>)> {
    let unit = unit_of(ctx, d)?;
    let def = ctx.entry_def(unit).filter(|def| def.script == d.file)?;
    Some((unit, def))
}

/// Whether `unit` declares a binding named `name`.
pub fn has_binding(unit: &FunctionUnit, name: &str) -> bool {
    unit.bindings().iter().any(|b| b.name_str() == Some(name))
}

/// Parameters with no binding (the ones the worker would reject).
pub fn unbound_params<'d>(unit: &FunctionUnit, def: &EntryDef<'d>) -> Vec<&'d Param> {
    // One set of binding names, so that each parameter costs a lookup.
    let bound: std::collections::HashSet<&str> = unit
        .bindings()
        .iter()
        .filter_map(|b| b.name_str())
        .collect();
    let context_bound = bound.contains("context");
    def.params()
        .filter(|p| {
            // `context` with no binding of that name receives the invocation context.
            let is_context = p.name == "context" && !context_bound;
            !is_context
                && !bound.contains(p.name.as_str())
                && !matches!(p.kind, ParamKind::VarPositional | ParamKind::VarKeyword)
        })
        .collect()
}

/// Binding names with no parameter.
pub fn unmatched_bindings<'u>(unit: &'u FunctionUnit, def: &EntryDef) -> Vec<&'u str> {
    let params: std::collections::HashSet<&str> = def.params().map(|p| p.name.as_str()).collect();
    let mut names: Vec<&str> = unit
        .bindings()
        .iter()
        .filter_map(|b| b.name_str())
        .filter(|n| *n != "$return" && !params.contains(n))
        .collect();
    names.dedup();
    names
}

/// Renames a parameter (and its uses in the body) to `new`.
pub fn rename_parameter_fix(def: &EntryDef, old: &str, new: &str) -> Option<QuickFix> {
    if binding_name_problem(new).is_some() {
        return None;
    }
    // One parse of the function's own text and one walk answer both questions.
    let syntax = python_scopes::Syntax::of_function(def.text, def.function)?;
    let uses = syntax.rename_uses(def.function.name_range, old, new)?;
    let edits = uses
        .into_iter()
        .map(|range| FileEdit {
            file: def.script.to_string(),
            range,
            new_text: new.to_string(),
        })
        .collect();
    Some(QuickFix::new(
        format!("Rename parameter '{old}' to '{new}'"),
        edits,
    ))
}

/// Renames a binding's `name` where it is declared (function.json or the decorator, in every
/// function sharing the entry function). When the parameter `new` is annotated with a type the
/// worker refuses for that binding, the same fix also gives it the first accepted annotation, so
/// that the rename does not leave a mechanical second step.
pub fn rename_binding_fix(
    ctx: &dyn FixCtx,
    unit: &FunctionUnit,
    old: &str,
    new: &str,
) -> Option<QuickFix> {
    if binding_name_problem(new).is_some() || has_binding(unit, new) {
        return None;
    }
    let mut edits = ctx.rename_binding_edits(unit, old, new);
    let mut title = format!(
        "Rename binding '{old}' to '{new}' in {}",
        file_name(unit.declaration_file())
    );
    if let Some((annotation, edit)) = implied_annotation(ctx, unit, old, new) {
        title.push_str(&format!(" and annotate '{new}' as {annotation}"));
        edits.extend(edit);
    }
    Some(QuickFix::new(title, edits))
}

/// The last part of a relative path (`Orders/function.json` → `function.json`), how a title
/// names the file it edits.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// When binding `old` of `unit` is renamed to parameter `new` and the worker would refuse `new`'s
/// annotation for that binding: the first annotation it accepts and the edits that write it
/// (the annotation, then an import when one is needed).
fn implied_annotation(
    ctx: &dyn FixCtx,
    unit: &FunctionUnit,
    old: &str,
    new: &str,
) -> Option<(String, Vec<FileEdit>)> {
    let binding = unit.bindings().iter().find(|b| b.name_str() == Some(old))?;
    let (binding_type, direction) = (binding.type_str()?, binding.direction?);
    let def = ctx.entry_def(unit)?;
    let param = def.param(new)?;
    let annotation = param.annotation.as_ref()?;
    let module = ctx.modules().get(def.script)?;
    let site = EvalSite {
        def_offset: def.function.def_offset,
        deferred: module.future_annotations,
    };
    let resolved = crate::analysis::annotations::resolve(&annotation.expr, module, site);
    let position = match direction {
        Direction::Out => return None, // `func.Out[...]` shapes are AZF204/206's business.
        _ => Position::Input,
    };
    let verdict = crate::analysis::annotations::judge(binding_type, position, &resolved);
    if !matches!(
        verdict,
        Verdict::Mismatch | Verdict::CrashAttribute | Verdict::CrashType
    ) {
        return None;
    }
    let (prefix, import) = azure_prefix_with_import(def.script, def.text, module);
    let candidate = accepted_annotations(binding_type, direction, &prefix)
        .into_iter()
        .next()?;
    let mut edits = vec![FileEdit {
        file: def.script.to_string(),
        range: annotation.range,
        new_text: candidate.clone(),
    }];
    if candidate.contains(&prefix) {
        edits.extend(import);
    }
    Some((candidate, edits))
}

// ---------------------------------------------------------------------------------------------
// Annotations.

/// A parameter whose annotation a diagnostic points at, with the binding it receives.
pub struct AnnotatedParam<'a> {
    pub def: EntryDef<'a>,
    pub module: &'a PyModule,
    pub param: &'a Param,
    pub annotation: &'a Annotation,
    pub binding_type: &'a str,
    pub direction: Direction,
    pub position: Position,
    pub site: EvalSite,
}

/// The parameter of `d`'s function whose annotation is at `d`'s range, with its binding.
pub fn annotated_param<'a>(ctx: &'a dyn FixCtx, d: &Diagnostic) -> Option<AnnotatedParam<'a>> {
    let (unit, def) = entry_of(ctx, d)?;
    let module = ctx.modules().get(def.script)?;
    let (param, annotation) = def.params().find_map(|p| {
        let a = p.annotation.as_ref().filter(|a| a.range == d.range)?;
        Some((p, a))
    })?;
    let b = unit
        .bindings()
        .iter()
        .find(|b| b.name_str() == Some(param.name.as_str()))?;
    let (binding_type, direction) = (b.type_str()?, b.direction?);
    let position = match direction {
        Direction::Out => Position::Output,
        _ => Position::Input,
    };
    let site = EvalSite {
        def_offset: def.function.def_offset,
        deferred: module.future_annotations,
    };
    Some(AnnotatedParam {
        def,
        module,
        param,
        annotation,
        binding_type,
        direction,
        position,
        site,
    })
}

impl AnnotatedParam<'_> {
    /// The edits that replace the annotation with `text` (after `extra`, an import).
    pub fn replace(&self, text: &str, extra: Option<FileEdit>) -> Vec<FileEdit> {
        let mut edits: Vec<FileEdit> = extra.into_iter().collect();
        edits.push(FileEdit {
            file: self.def.script.to_string(),
            range: self.annotation.range,
            new_text: text.to_string(),
        });
        edits
    }
}

/// Replacing a parameter's annotation with up to three the worker accepts for its binding (those
/// `keep` lets through), the first preferred.
pub fn annotation_fixes(p: &AnnotatedParam, keep: impl Fn(&str) -> bool) -> Vec<QuickFix> {
    let (prefix, import) = azure_prefix_with_import(p.def.script, p.def.text, p.module);
    let mut candidates = accepted_annotations(p.binding_type, p.direction, &prefix);
    candidates.retain(|c| keep(c));
    candidates
        .into_iter()
        .filter(|c| *c != p.annotation.text)
        .take(3)
        .enumerate()
        .map(|(i, candidate)| {
            let extra = if candidate.contains(&prefix) {
                import.clone()
            } else {
                None
            };
            QuickFix::new(
                format!("Annotate '{}' as {candidate}", p.param.name),
                p.replace(&candidate, extra),
            )
            .preferred(i == 0)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Settings and app files.

/// The edit that adds `name` = `value` to `Values` in local.settings.json, creating the file
/// (with `IsEncrypted` and `FUNCTIONS_WORKER_RUNTIME`) when the app has none. `None` when the
/// setting exists or the file cannot be read as a JSON object.
pub fn add_setting_edit(ctx: &dyn FixCtx, name: &str, value: &str) -> Option<FileEdit> {
    if !ctx.input().exists(LOCAL_SETTINGS) {
        let mut values = vec![("FUNCTIONS_WORKER_RUNTIME".to_string(), "python".to_string())];
        if name != "FUNCTIONS_WORKER_RUNTIME" {
            values.push((name.to_string(), value.to_string()));
        }
        let values: Vec<(String, String)> = values
            .iter()
            .map(|(k, v)| (json_quote(k), json_quote(v)))
            .collect();
        let members = vec![
            (json_quote("IsEncrypted"), "false".to_string()),
            (
                json_quote("Values"),
                edits::render_object(&values, Some(("", "  ", "\n"))),
            ),
        ];
        let mut content = edits::render_object(&members, Some(("", "  ", "\n")));
        content.push('\n');
        return Some(FileEdit {
            file: LOCAL_SETTINGS.to_string(),
            range: TextRange::empty(0),
            new_text: content,
        });
    }
    let text = ctx.input().text(LOCAL_SETTINGS)?;
    let JsonFile { root, style } = ctx.local_settings_json()?;
    root.as_object()?;
    match root.get("Values").and_then(|m| m.value.as_ref()) {
        Some(values) => {
            if values.get(name).is_some() {
                return None;
            }
            values.as_object()?;
            Some(add_member_styled(
                LOCAL_SETTINGS,
                text,
                style,
                values,
                name,
                &json_quote(value),
            ))
        }
        None => {
            let object = edits::render_object(
                &[(json_quote(name), json_quote(value))],
                Some(("", "  ", "\n")),
            );
            Some(add_member_styled(
                LOCAL_SETTINGS,
                text,
                style,
                root,
                "Values",
                &object,
            ))
        }
    }
}

/// Adds setting `name` = `value` (see [`add_setting_edit`]), titled for the file it changes.
pub fn add_setting_fix(ctx: &dyn FixCtx, name: &str, value: &str) -> Option<QuickFix> {
    let edit = add_setting_edit(ctx, name, value)?;
    let title = if ctx.input().exists(LOCAL_SETTINGS) {
        format!("Add setting '{name}' to local.settings.json")
    } else {
        format!("Create local.settings.json with setting '{name}'")
    };
    Some(QuickFix::new(title, vec![edit]))
}

/// The local storage emulator's connection string.
pub const EMULATOR: &str = "UseDevelopmentStorage=true";

/// The fixes for a setting `name` that local.settings.json does not define: when a defined
/// setting is a near miss, replace the diagnostic's text by it (`rewrite` gives the title and the
/// new text, or `None` when that text cannot be rewritten), offered first; then add the setting
/// with `value`.
pub fn undefined_setting_fixes(
    ctx: &dyn FixCtx,
    d: &Diagnostic,
    name: &str,
    value: &str,
    rewrite: impl FnOnce(&str) -> Option<(String, String)>,
) -> Vec<QuickFix> {
    let near = ctx.local_settings().and_then(|l| l.suggest_value(name));
    let mut out = Vec::new();
    if let Some((title, new_text)) = near.and_then(rewrite) {
        let edit = FileEdit {
            file: d.file.clone(),
            range: d.range,
            new_text,
        };
        out.push(QuickFix::new(title, vec![edit]).preferred(true));
    }
    out.extend(add_setting_fix(ctx, name, value));
    out
}

/// Creates a missing app file with `content`: certain, so automatic.
pub fn create_file_fix(
    ctx: &dyn FixCtx,
    file: &str,
    content: &str,
    title: &str,
) -> Option<QuickFix> {
    if ctx.input().exists(file) {
        return None;
    }
    Some(
        QuickFix::new(
            title,
            vec![FileEdit {
                file: file.to_string(),
                range: TextRange::empty(0),
                new_text: content.to_string(),
            }],
        )
        .preferred(true)
        .auto(true),
    )
}

#[cfg(test)]
mod tests {
    use crate::analysis::rules::test_support::{check_fix, titles};

    #[test]
    fn renaming_a_binding_also_fixes_the_annotation_it_implies() {
        // The binding takes the parameter's name; the parameter's annotation is refused for a
        // queue trigger, so the same fix writes one the worker accepts.
        let fixture = r#"
//- /function_app.py
import azure.functions as func

app = func.FunctionApp()

@app.queue_trigger(arg_name="msg", queue_name="q", connection="AzureWebJobsStorage")
def process(mesg: func.HttpRequest) -> None:
    pass
"#;
        expect_test::expect![[r#"
            Rename binding 'msg' to 'mesg' in function_app.py and annotate 'mesg' as func.QueueMessage
            --- function_app.py
            import azure.functions as func

            app = func.FunctionApp()

            @app.queue_trigger(arg_name="mesg", queue_name="q", connection="AzureWebJobsStorage")
            def process(mesg: func.QueueMessage) -> None:
                pass
        "#]]
        .assert_eq(&check_fix(fixture, "AZF201", "Rename binding"));
        // An accepted annotation stays.
        let accepted = fixture.replace("func.HttpRequest", "str");
        let offered = titles(&accepted, "AZF201");
        assert!(
            offered.contains(&"Rename binding 'msg' to 'mesg' in function_app.py".to_string()),
            "{offered:?}"
        );
    }

    #[test]
    fn fix_titles_name_the_file_they_edit() {
        let fixture = r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q", "connection": "AzureWebJobsStorage"}]}
//- /F/__init__.py
def main(mesg: str) -> None:
    pass
"#;
        let offered = titles(fixture, "AZF201");
        assert!(
            offered.contains(&"Rename binding 'msg' to 'mesg' in function.json".to_string()),
            "{offered:?}"
        );
    }
}
