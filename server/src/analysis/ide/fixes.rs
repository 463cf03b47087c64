//! Quick fixes, built on demand from the app's current state for a diagnostic (or for a setting
//! reference under the cursor), and the choice of fixes that "fix all" and `check --fix` apply.
//!
//! Rules attach simple fixes themselves; the fixes that need more of the app (renames with their
//! uses, inferred binding types, settings files) are built here, so the checker does not pay for
//! them.

use super::edits::{self, add_member, add_object_item, add_parameter, azure_prefix_with_import};
use super::navigation::binding_name_problem;
use super::refs::{self, json_quote, EntryDef, Subject};
use crate::analysis::annotations::{self, ClassRef, EvalSite, Position, Resolved, Verdict};
use crate::analysis::app::{AppInput, FileContent};
use crate::analysis::catalog::annotation_matrix::{ANNOTATIONS, MATRIX};
use crate::analysis::catalog::{binding_type, did_you_mean};
use crate::analysis::config::Config;
use crate::analysis::diagnostic::{Diagnostic, FileEdit};
use crate::analysis::function::FunctionUnit;
use crate::analysis::function_json::{Binding, Direction};
use crate::analysis::json::{self, JsonValue};
use crate::analysis::python::{self, Param, ParamKind, PyModule};
use crate::analysis::python_scopes;
use crate::analysis::rules::context::counterpart;
use crate::analysis::rules::shared::schedule_problem;
use crate::analysis::settings::{self, LOCAL_SETTINGS};
use crate::analysis::state::AppState;
use crate::analysis::text::TextRange;
use std::sync::Arc;

/// One way to fix a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickFix {
    pub title: String,
    pub edits: Vec<FileEdit>,
    /// The fix to offer first.
    pub preferred: bool,
    /// Safe to apply unseen: it does what the diagnostic asks and nothing a person must choose
    /// (no placeholder values, no pick between alternatives). "Fix all" and `check --fix` apply
    /// only these.
    pub auto: bool,
}

impl QuickFix {
    fn new(title: impl Into<String>, edits: Vec<FileEdit>) -> QuickFix {
        QuickFix {
            title: title.into(),
            edits,
            preferred: false,
            auto: false,
        }
    }

    fn preferred(mut self, yes: bool) -> QuickFix {
        self.preferred = yes;
        self
    }

    fn auto(mut self, yes: bool) -> QuickFix {
        self.auto = yes;
        self
    }
}

/// Codes whose rule-made fixes are certain and complete.
const AUTO_RULE_FIXES: &[&str] = &[
    "AZF113", "AZF204", "AZF303", "AZF308", "AZF401", "AZF402", "AZF405", "AZF605", "AZF607",
];

/// Codes whose rule-made fix is superseded by one built here (AZF201's rename leaves the
/// parameter's uses behind).
const SUPERSEDED_RULE_FIXES: &[&str] = &["AZF201"];

/// The fixes for one diagnostic, the preferred one first.
pub fn fixes(state: &AppState, d: &Diagnostic) -> Vec<QuickFix> {
    let mut out = Vec::new();
    if !SUPERSEDED_RULE_FIXES.contains(&d.code) {
        for (i, f) in d.fixes.iter().enumerate() {
            out.push(
                QuickFix::new(f.title.clone(), f.edits.clone())
                    .preferred(i == 0)
                    .auto(i == 0 && AUTO_RULE_FIXES.contains(&d.code)),
            );
        }
    }
    let built = match d.code {
        "AZF118" => schedule_fix(state, d).into_iter().collect(),
        "AZF201" => parameter_without_binding(state, d),
        "AZF202" => binding_without_parameter(state, d),
        "AZF203" | "AZF207" | "AZF212" => parameter_annotation_fixes(state, d),
        "AZF208" => return_annotation_fixes(state, d),
        "AZF304" => worker_runtime_fix(state, d).into_iter().collect(),
        "AZF305" => storage_fixes(state),
        "AZF306" => connection_fixes(state, d),
        "AZF309" => expression_fixes(state, d),
        "AZF310" | "AZF311" => env_read_fixes(state, d),
        "AZF601" => create_file_fix(state, "host.json", HOST_JSON, "Create host.json")
            .into_iter()
            .collect(),
        "AZF603" => extension_bundle_fix(state).into_iter().collect(),
        "AZF604" => create_file_fix(
            state,
            "requirements.txt",
            "azure-functions\n",
            "Create requirements.txt with azure-functions",
        )
        .into_iter()
        .collect(),
        _ => Vec::new(),
    };
    if out.iter().any(|f| f.preferred) {
        out.extend(built.into_iter().map(|f| f.preferred(false)));
    } else {
        out.extend(built);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| !f.edits.is_empty() && seen.insert(f.title.clone()));
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
    let defined = settings::local_settings(state.input()).is_some_and(|l| {
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

/// A problem an automatic fix took care of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedProblem {
    pub code: &'static str,
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
    let mut all = FixAll::default();
    for d in diagnostics {
        let Some(fix) = fixes(state, d).into_iter().find(|f| f.auto) else {
            continue;
        };
        let fixed = FixedProblem {
            code: d.code,
            file: d.file.clone(),
            title: fix.title.clone(),
        };
        if fix.edits.iter().all(|e| all.edits.contains(e)) {
            all.fixed.push(fixed);
            continue;
        }
        let clash = fix.edits.iter().any(|e| {
            let creates = !state.input().exists(&e.file);
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
        for e in fix.edits {
            if !all.edits.contains(&e) {
                all.edits.push(e);
            }
        }
        all.fixed.push(fixed);
    }
    all
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

// ---------------------------------------------------------------------------------------------
// Bindings and parameters.

fn unit_of<'s>(state: &'s AppState, d: &Diagnostic) -> Option<&'s FunctionUnit> {
    state.unit(d.function.as_deref()?)
}

fn has_binding(unit: &FunctionUnit, name: &str) -> bool {
    unit.json
        .bindings
        .iter()
        .any(|b| b.name_str() == Some(name))
}

/// Parameters with no binding (the ones the worker would reject).
fn unbound_params<'d>(unit: &FunctionUnit, def: &EntryDef<'d>) -> Vec<&'d Param> {
    // One set of binding names, so that each parameter costs a lookup.
    let bound: std::collections::HashSet<&str> = unit
        .json
        .bindings
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
fn unmatched_bindings<'u>(unit: &'u FunctionUnit, def: &EntryDef) -> Vec<&'u str> {
    let params: std::collections::HashSet<&str> = def.params().map(|p| p.name.as_str()).collect();
    let mut names: Vec<&str> = unit
        .json
        .bindings
        .iter()
        .filter_map(|b| b.name_str())
        .filter(|n| *n != "$return" && !params.contains(n))
        .collect();
    names.dedup();
    names
}

/// Renames a parameter (and its uses in the body) to `new`.
fn rename_parameter_fix(def: &EntryDef, old: &str, new: &str) -> Option<QuickFix> {
    if binding_name_problem(new).is_some()
        || python_scopes::rename_conflicts(def.text, def.function.name_range, old, new)
    {
        return None;
    }
    let uses = python_scopes::parameter_uses(def.text, def.function.name_range, old)?;
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

/// Renames a binding's `name` in function.json (in every function sharing the entry function).
fn rename_binding_fix(
    state: &AppState,
    unit: &FunctionUnit,
    old: &str,
    new: &str,
) -> Option<QuickFix> {
    if binding_name_problem(new).is_some() || has_binding(unit, new) {
        return None;
    }
    let subject = refs::binding_subject(state, unit, old);
    let edits: Vec<FileEdit> = refs::binding_occurrences(state, &subject)
        .into_iter()
        .filter(|o| o.declaration)
        .map(|o| o.edit(new))
        .collect();
    Some(QuickFix::new(
        format!("Rename binding '{old}' to '{new}' in function.json"),
        edits,
    ))
}

/// AZF201: rename the parameter to its near-match binding (or the binding to it), or add a
/// binding of the type its annotation implies.
fn parameter_without_binding(state: &AppState, d: &Diagnostic) -> Vec<QuickFix> {
    let Some(unit) = unit_of(state, d) else {
        return Vec::new();
    };
    let Some(def) = refs::entry_def(state, unit).filter(|def| def.script == d.file) else {
        return Vec::new();
    };
    let Some(p) = def.params().find(|p| p.name_range == d.range) else {
        return Vec::new();
    };
    let unmatched = unmatched_bindings(unit, &def);
    let unbound = unbound_params(unit, &def).len();
    let mut out = Vec::new();
    let suggestion = counterpart(&p.name, &unmatched, unbound == 1);
    if let Some(s) = suggestion {
        out.extend(rename_parameter_fix(&def, &p.name, s).map(|f| f.preferred(true).auto(true)));
        out.extend(rename_binding_fix(state, unit, s, &p.name));
    }
    let added = add_binding_fixes(state, unit, &def, p);
    let prefer_added = out.is_empty() && added.len() == 1;
    out.extend(added.into_iter().map(|f| f.preferred(prefer_added)));
    out
}

/// AZF202: rename the near-match parameter to the binding (or the binding to it), or add the
/// parameter with the annotation the binding takes.
fn binding_without_parameter(state: &AppState, d: &Diagnostic) -> Vec<QuickFix> {
    let Some(unit) = unit_of(state, d).filter(|u| u.declaration_file() == d.file) else {
        return Vec::new();
    };
    let Some(b) = unit
        .json
        .bindings
        .iter()
        .find(|b| b.name.as_ref().is_some_and(|n| n.range == d.range))
    else {
        return Vec::new();
    };
    let Some(name) = b.name_str() else {
        return Vec::new();
    };
    let Some(def) = refs::entry_def(state, unit) else {
        return Vec::new();
    };
    let unbound: Vec<&str> = unbound_params(unit, &def)
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let missing = unmatched_bindings(unit, &def).len();
    let mut out = Vec::new();
    let suggestion = counterpart(name, &unbound, missing == 1);
    if let Some(s) = suggestion {
        out.extend(rename_parameter_fix(&def, s, name).map(|f| f.preferred(true).auto(true)));
        out.extend(rename_binding_fix(state, unit, name, s));
    }
    let first = out.is_empty();
    out.extend(
        add_parameter_fix(state, &def, b).map(|f| f.preferred(first).auto(suggestion.is_none())),
    );
    out
}

/// The annotation a new parameter for a binding gets: the binding's own class (`func.Out[str]`
/// for an output), `str` for bindings the worker treats generically, `None` when nothing fits.
fn annotation_for(binding_type: &str, direction: Direction, prefix: &str) -> Option<String> {
    let entry = annotations::matrix_entry(binding_type);
    let row = match direction {
        Direction::Out => entry.output,
        _ => entry.input,
    };
    let object = ANNOTATIONS.iter().position(|a| *a == "object")?;
    let generic = row.as_bytes().get(object) == Some(&b'o');
    let accepted = super::accepted_annotations(binding_type, direction, prefix);
    if generic {
        return Some(match direction {
            Direction::Out => format!("{prefix}Out[str]"),
            _ => "str".to_string(),
        });
    }
    match direction {
        Direction::Out => accepted
            .iter()
            .find(|a| a.ends_with("[str]"))
            .or(accepted.first())
            .cloned(),
        _ => accepted.first().cloned(),
    }
}

/// Adds the parameter a binding needs to the entry function.
fn add_parameter_fix(state: &AppState, def: &EntryDef, b: &Binding) -> Option<QuickFix> {
    let name = b.name_str()?;
    let binding_type = b.type_str()?;
    let direction = b.direction?;
    if binding_name_problem(name).is_some() {
        return None;
    }
    let module = state.modules().get(def.script)?;
    let (prefix, import) = azure_prefix_with_import(def.script, def.text, module);
    let annotation = annotation_for(binding_type, direction, &prefix);
    let param = match &annotation {
        Some(a) => format!("{name}: {a}"),
        None => name.to_string(),
    };
    let mut edits = Vec::new();
    if annotation.as_ref().is_some_and(|a| a.contains(&prefix)) {
        edits.extend(import);
    }
    edits.push(add_parameter(def.script, def.text, def.function, &param)?);
    Some(QuickFix::new(
        format!("Add parameter '{param}' to {}()", def.function.name),
        edits,
    ))
}

/// The key of the annotation matrix a resolved annotation matches, and whether it is an output
/// (`Out[...]`).
fn matrix_key(resolved: &Resolved) -> Option<(String, bool)> {
    let key = |r: &Resolved| -> Option<String> {
        match r {
            Resolved::Class(ClassRef::Builtin(n)) => Some(n.clone()),
            Resolved::Class(ClassRef::Azure(n)) => Some(format!("func.{n}")),
            Resolved::List(inner) => match inner.as_ref() {
                Resolved::Class(ClassRef::Builtin(n)) if n == "str" => {
                    Some("typing.List[str]".to_string())
                }
                Resolved::Class(ClassRef::Azure(n)) => Some(format!("typing.List[func.{n}]")),
                _ => None,
            },
            _ => None,
        }
    };
    match resolved {
        Resolved::Out(args) => match args.as_slice() {
            [inner] => Some((key(inner)?, true)),
            _ => None,
        },
        other => Some((key(other)?, false)),
    }
}

/// Binding types commonly added by hand, in the order we suggest them.
const COMMON_TYPES: &[&str] = &[
    "httpTrigger",
    "timerTrigger",
    "queueTrigger",
    "blobTrigger",
    "serviceBusTrigger",
    "eventHubTrigger",
    "eventGridTrigger",
    "cosmosDBTrigger",
    "queue",
    "blob",
    "table",
    "cosmosDB",
    "serviceBus",
    "eventHub",
    "eventGrid",
    "http",
];

/// The binding types that take an annotation (by its matrix key), most likely first: the
/// types whose converter accepts it and does not accept every class.
fn binding_types_for(key: &str, out: bool, has_trigger: bool) -> Vec<&'static str> {
    let Some(i) = ANNOTATIONS.iter().position(|a| *a == key) else {
        return Vec::new();
    };
    let Some(object) = ANNOTATIONS.iter().position(|a| *a == "object") else {
        return Vec::new();
    };
    let mut found: Vec<&'static str> = MATRIX
        .iter()
        .filter(|e| {
            let row = if out { e.output } else { e.input }.as_bytes();
            row.get(i) == Some(&b'o') && row.get(object) != Some(&b'o')
        })
        .filter_map(|e| binding_type(e.binding_type))
        .filter(|spec| {
            let direction_ok = spec.directions.contains(&if out { "out" } else { "in" });
            let trigger_ok = !spec.is_trigger || (!out && !has_trigger);
            direction_ok && trigger_ok
        })
        .map(|spec| spec.name)
        .collect();
    found.sort_by_key(|t| {
        let rank = COMMON_TYPES
            .iter()
            .position(|c| c == t)
            .unwrap_or(COMMON_TYPES.len());
        let trigger = binding_type(t).is_some_and(|s| s.is_trigger);
        (trigger == has_trigger, rank)
    });
    found
}

/// A placeholder for a required binding property.
fn placeholder(key: &str, param: &str, trigger: bool) -> String {
    let lower = param.to_ascii_lowercase();
    match key {
        "queueName" => lower,
        "path" if trigger => "samples/{name}".to_string(),
        "path" => format!("samples/{lower}"),
        "schedule" => "0 */5 * * * *".to_string(),
        "tableName" => param.to_string(),
        "commandText" => "SELECT 1".to_string(),
        "connectionStringSetting" => "SqlConnectionString".to_string(),
        _ => lower,
    }
}

/// The members of a new binding object.
fn binding_members(type_name: &str, name: &str, out: bool) -> Vec<(String, String)> {
    let q = |s: &str| json_quote(s);
    let mut members = vec![
        (q("type"), q(type_name)),
        (q("direction"), q(if out { "out" } else { "in" })),
        (q("name"), q(name)),
    ];
    let Some(spec) = binding_type(type_name) else {
        return members;
    };
    if spec.name == "httpTrigger" {
        members.push((q("authLevel"), q("function")));
        members.push((q("methods"), "[\"get\", \"post\"]".to_string()));
    }
    for group in spec.required {
        if let Some(key) = group.first() {
            members.push((q(key), q(&placeholder(key, name, spec.is_trigger))));
        }
    }
    let storage = matches!(
        spec.name,
        "queueTrigger" | "queue" | "blobTrigger" | "blob" | "table"
    );
    if storage {
        members.push((q("connection"), q("AzureWebJobsStorage")));
    }
    members
}

/// AZF201: bindings of the type(s) the parameter's annotation implies.
fn add_binding_fixes(
    state: &AppState,
    unit: &FunctionUnit,
    def: &EntryDef,
    p: &Param,
) -> Vec<QuickFix> {
    if binding_name_problem(&p.name).is_some() {
        return Vec::new();
    }
    let (Some(module), Some(annotation)) = (state.modules().get(def.script), &p.annotation) else {
        return Vec::new();
    };
    let Some(text) = state.input().text(unit.declaration_file()) else {
        return Vec::new();
    };
    let Some(array) = json::parse(text)
        .value
        .and_then(|root| root.get("bindings")?.value.clone())
        .filter(|v| v.as_array().is_some())
    else {
        return Vec::new();
    };
    let site = EvalSite {
        def_offset: def.function.def_offset,
        deferred: module.future_annotations,
    };
    let resolved = annotations::resolve(&annotation.expr, module, site);
    let Some((key, out)) = matrix_key(&resolved) else {
        return Vec::new();
    };
    let has_trigger = unit.json.bindings.iter().any(|b| b.is_trigger());
    binding_types_for(&key, out, has_trigger)
        .into_iter()
        .take(3)
        .map(|t| {
            let members = binding_members(t, &p.name, out);
            let edit = add_object_item(unit.declaration_file(), text, &array, &members);
            QuickFix::new(
                format!("Add a '{t}' binding '{}' to function.json", p.name),
                vec![edit],
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Annotations.

/// Splits `a[b]` into `a` and `b` (the outermost subscript).
fn split_subscript(text: &str) -> Option<(&str, &str)> {
    let t = text.trim();
    let inner_end = t.strip_suffix(']')?;
    let open = t.find('[')?;
    Some((t[..open].trim(), inner_end.get(open + 1..)?))
}

/// Splits at `sep` outside brackets.
fn split_top(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' => depth -= 1,
            c if c == sep && depth == 0 => {
                parts.push(text[start..i].trim());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts
}

/// The class inside `Optional[X]`, `Union[X, None]`, `X | None` (also within `Out[...]`).
fn strip_optional(text: &str) -> Option<String> {
    strip_optional_at(text, 0)
}

fn strip_optional_at(text: &str, depth: u32) -> Option<String> {
    // `Out[Out[…]]` in a string annotation is not bounded by the module's bracket check.
    if depth > 8 {
        return None;
    }
    let is_none = |s: &str| s == "None" || s == "NoneType" || s.ends_with(".NoneType");
    let only_one = |parts: Vec<&str>| -> Option<String> {
        let rest: Vec<&str> = parts.iter().copied().filter(|p| !is_none(p)).collect();
        (parts.len() == 2 && rest.len() == 1).then(|| rest[0].to_string())
    };
    if let Some((outer, inner)) = split_subscript(text) {
        let last = outer.rsplit('.').next().unwrap_or(outer);
        return match last {
            "Out" => strip_optional_at(inner, depth + 1).map(|x| format!("{outer}[{x}]")),
            "Optional" => {
                let parts = split_top(inner, ',');
                (parts.len() == 1 && !parts[0].is_empty()).then(|| parts[0].to_string())
            }
            "Union" => only_one(split_top(inner, ',')),
            _ => None,
        };
    }
    only_one(split_top(text, '|'))
}

/// Whether the worker accepts `text` (an annotation spelled in `module`) for the binding.
fn accepted(
    text: &str,
    module: &PyModule,
    site: EvalSite,
    binding_type: &str,
    position: Position,
) -> bool {
    let Some(expr) = python::parse_expression(text) else {
        return false;
    };
    let resolved = annotations::resolve(&expr, module, site);
    let ty = match (position, &resolved) {
        (Position::Output, Resolved::Out(args)) => match args.as_slice() {
            [inner] => inner.clone(),
            _ => return false,
        },
        (Position::Output, _) => return false,
        (_, r) => r.clone(),
    };
    annotations::judge(binding_type, position, &ty) == Verdict::Accepted
}

/// AZF203, AZF207, AZF212: replace a parameter's annotation with one the worker accepts.
fn parameter_annotation_fixes(state: &AppState, d: &Diagnostic) -> Vec<QuickFix> {
    let Some(unit) = unit_of(state, d) else {
        return Vec::new();
    };
    let Some(def) = refs::entry_def(state, unit).filter(|def| def.script == d.file) else {
        return Vec::new();
    };
    let Some(module) = state.modules().get(def.script) else {
        return Vec::new();
    };
    let Some((p, ann)) = def.params().find_map(|p| {
        let a = p.annotation.as_ref().filter(|a| a.range == d.range)?;
        Some((p, a))
    }) else {
        return Vec::new();
    };
    let Some(b) = unit
        .json
        .bindings
        .iter()
        .find(|b| b.name_str() == Some(p.name.as_str()))
    else {
        return Vec::new();
    };
    let (Some(binding_type), Some(direction)) = (b.type_str(), b.direction) else {
        return Vec::new();
    };
    let position = match direction {
        Direction::Out => Position::Output,
        _ => Position::Input,
    };
    let site = EvalSite {
        def_offset: def.function.def_offset,
        deferred: module.future_annotations,
    };
    let mut out = Vec::new();
    let replace = |text: &str, extra: Option<FileEdit>| -> Vec<FileEdit> {
        let mut edits: Vec<FileEdit> = extra.into_iter().collect();
        edits.push(FileEdit {
            file: def.script.to_string(),
            range: ann.range,
            new_text: text.to_string(),
        });
        edits
    };
    if d.code == "AZF207" {
        if let Some(inner) = strip_optional(&ann.text) {
            if accepted(&inner, module, site, binding_type, position) {
                out.push(
                    QuickFix::new(
                        format!("Annotate '{}' as {inner}", p.name),
                        replace(&inner, None),
                    )
                    .preferred(true)
                    .auto(true),
                );
            }
        }
    }
    let (prefix, import) = azure_prefix_with_import(def.script, def.text, module);
    let mut candidates = super::accepted_annotations(binding_type, direction, &prefix);
    if d.code == "AZF212" {
        candidates.retain(|c| c.contains('.'));
    }
    for candidate in candidates.into_iter().filter(|c| *c != ann.text).take(3) {
        let extra = if candidate.contains(&prefix) {
            import.clone()
        } else {
            None
        };
        let first = out.is_empty();
        out.push(
            QuickFix::new(
                format!("Annotate '{}' as {candidate}", p.name),
                replace(&candidate, extra),
            )
            .preferred(first),
        );
    }
    out
}

/// AZF208: replace the return annotation with one the `$return` binding accepts.
fn return_annotation_fixes(state: &AppState, d: &Diagnostic) -> Vec<QuickFix> {
    let Some(unit) = unit_of(state, d) else {
        return Vec::new();
    };
    let Some(def) = refs::entry_def(state, unit).filter(|def| def.script == d.file) else {
        return Vec::new();
    };
    let Some(module) = state.modules().get(def.script) else {
        return Vec::new();
    };
    let Some(ann) = def
        .function
        .return_annotation
        .as_ref()
        .filter(|a| a.range == d.range)
    else {
        return Vec::new();
    };
    let Some(binding_type) = unit
        .json
        .bindings
        .iter()
        .find(|b| b.is_return())
        .and_then(|b| b.type_str())
    else {
        return Vec::new();
    };
    let (prefix, import) = azure_prefix_with_import(def.script, def.text, module);
    let row = annotations::matrix_entry(binding_type).ret.as_bytes();
    let mut candidates: Vec<String> = ANNOTATIONS
        .iter()
        .enumerate()
        .filter(|(i, a)| row.get(*i) == Some(&b'o') && **a != "object")
        .map(|(_, a)| a.replace("func.", &prefix).replace("typing.", ""))
        .collect();
    candidates.sort_by_key(|a| (!a.contains('.'), a.clone()));
    candidates
        .into_iter()
        .filter(|c| *c != ann.text)
        .take(3)
        .enumerate()
        .map(|(i, c)| {
            let mut edits = Vec::new();
            if c.contains(&prefix) {
                edits.extend(import.clone());
            }
            edits.push(FileEdit {
                file: def.script.to_string(),
                range: ann.range,
                new_text: c.clone(),
            });
            QuickFix::new(format!("Change the return annotation to {c}"), edits).preferred(i == 0)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// function.json values.

/// AZF118: a five-field cron expression gets its seconds field.
fn schedule_fix(state: &AppState, d: &Diagnostic) -> Option<QuickFix> {
    let unit = unit_of(state, d)?;
    let schedule = unit
        .json
        .bindings
        .iter()
        .filter_map(|b| b.property_str("schedule"))
        .find(|s| s.range == d.range)?;
    let trimmed = schedule.value.trim();
    if trimmed.split_whitespace().count() != 5 {
        return None;
    }
    let fixed = format!("0 {trimmed}");
    if schedule_problem(&fixed).is_some() {
        return None;
    }
    Some(
        QuickFix::new(
            format!("Use schedule '{fixed}' (seconds first)"),
            vec![FileEdit {
                file: unit.declaration_file().to_string(),
                range: schedule.range,
                new_text: json_quote(&fixed),
            }],
        )
        .preferred(true)
        .auto(true),
    )
}

// ---------------------------------------------------------------------------------------------
// Settings and app files.

/// The edit that adds `name` = `value` to `Values` in local.settings.json, creating the file
/// (with `IsEncrypted` and `FUNCTIONS_WORKER_RUNTIME`) when the app has none. `None` when the
/// setting exists or the file cannot be read as a JSON object.
fn add_setting_edit(state: &AppState, name: &str, value: &str) -> Option<FileEdit> {
    if !state.input().exists(LOCAL_SETTINGS) {
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
    let text = state.input().text(LOCAL_SETTINGS)?;
    let root = json::parse(text).value?;
    root.as_object()?;
    match root.get("Values").and_then(|m| m.value.as_ref()) {
        Some(values) => {
            if values.get(name).is_some() {
                return None;
            }
            values.as_object()?;
            Some(add_member(
                LOCAL_SETTINGS,
                text,
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
            Some(add_member(LOCAL_SETTINGS, text, &root, "Values", &object))
        }
    }
}

fn add_setting_fix(state: &AppState, name: &str, value: &str) -> Option<QuickFix> {
    let edit = add_setting_edit(state, name, value)?;
    let title = if state.input().exists(LOCAL_SETTINGS) {
        format!("Add setting '{name}' to local.settings.json")
    } else {
        format!("Create local.settings.json with setting '{name}'")
    };
    Some(QuickFix::new(title, vec![edit]))
}

/// AZF304: `FUNCTIONS_WORKER_RUNTIME` must be `python`.
fn worker_runtime_fix(state: &AppState, d: &Diagnostic) -> Option<QuickFix> {
    let local = settings::local_settings(state.input())?;
    let fix = match local.value("FUNCTIONS_WORKER_RUNTIME") {
        Some(s) if s.value_range == d.range => QuickFix::new(
            "Set FUNCTIONS_WORKER_RUNTIME to 'python'",
            vec![FileEdit {
                file: LOCAL_SETTINGS.to_string(),
                range: s.value_range,
                new_text: json_quote("python"),
            }],
        ),
        Some(_) => return None,
        None => add_setting_fix(state, "FUNCTIONS_WORKER_RUNTIME", "python")?,
    };
    Some(fix.preferred(true).auto(true))
}

/// The local storage emulator's connection string.
const EMULATOR: &str = "UseDevelopmentStorage=true";

/// AZF305: point AzureWebJobsStorage at the local storage emulator.
fn storage_fixes(state: &AppState) -> Vec<QuickFix> {
    let Some(local) = settings::local_settings(state.input()) else {
        return Vec::new();
    };
    match local.value("AzureWebJobsStorage") {
        None => add_setting_fix(state, "AzureWebJobsStorage", EMULATOR)
            .map(|f| f.preferred(true).auto(true))
            .into_iter()
            .collect(),
        Some(s) => vec![QuickFix::new(
            "Use the local storage emulator (UseDevelopmentStorage=true)",
            vec![FileEdit {
                file: LOCAL_SETTINGS.to_string(),
                range: s.value_range,
                new_text: json_quote(EMULATOR),
            }],
        )
        .preferred(true)],
    }
}

/// The JSON string value at `range` of `file`.
fn json_string_at(state: &AppState, file: &str, range: TextRange) -> Option<String> {
    let raw = state.input().text(file)?.get(range.as_usize())?;
    json::parse(raw).value?.as_str().map(str::to_string)
}

fn setting_names(state: &AppState) -> Vec<String> {
    settings::local_settings(state.input())
        .map(|l| l.values.into_iter().map(|v| v.name).collect())
        .unwrap_or_default()
}

/// AZF306: use the near-miss setting, or add the setting.
fn connection_fixes(state: &AppState, d: &Diagnostic) -> Vec<QuickFix> {
    let Some(value) = json_string_at(state, &d.file, d.range) else {
        return Vec::new();
    };
    let name = value.trim();
    let mut out = Vec::new();
    let names = setting_names(state);
    if let Some(s) = did_you_mean(name, names.iter().map(String::as_str)) {
        out.push(
            QuickFix::new(
                format!("Use connection '{s}'"),
                vec![FileEdit {
                    file: d.file.clone(),
                    range: d.range,
                    new_text: json_quote(s),
                }],
            )
            .preferred(true),
        );
    }
    let storage = unit_of(state, d)
        .and_then(|u| {
            u.json.bindings.iter().find(|b| {
                b.members
                    .iter()
                    .any(|m| m.value.as_ref().is_some_and(|v| v.range == d.range))
            })
        })
        .and_then(|b| b.type_str())
        .is_some_and(|t| {
            matches!(
                t.to_ascii_lowercase().as_str(),
                "queuetrigger" | "queue" | "blobtrigger" | "blob" | "table"
            )
        });
    let default = if storage { EMULATOR } else { "" };
    out.extend(add_setting_fix(state, name, default));
    out
}

/// AZF309: use the near-miss setting in the `%Name%` expression, or add the setting.
fn expression_fixes(state: &AppState, d: &Diagnostic) -> Vec<QuickFix> {
    let raw = state
        .input()
        .text(&d.file)
        .and_then(|t| t.get(d.range.as_usize()))
        .unwrap_or("");
    let name = match raw.strip_prefix('%').and_then(|r| r.strip_suffix('%')) {
        Some(n) => n.to_string(),
        None => match d
            .message
            .split_once("'%")
            .and_then(|(_, rest)| rest.split_once("%'"))
        {
            Some((n, _)) => n.to_string(),
            None => return Vec::new(),
        },
    };
    let mut out = Vec::new();
    let names = setting_names(state);
    if raw.starts_with('%') {
        if let Some(s) = did_you_mean(&name, names.iter().map(String::as_str)) {
            out.push(
                QuickFix::new(
                    format!("Use '%{s}%'"),
                    vec![FileEdit {
                        file: d.file.clone(),
                        range: d.range,
                        new_text: format!("%{s}%"),
                    }],
                )
                .preferred(true),
            );
        }
    }
    out.extend(add_setting_fix(state, &name, ""));
    out
}

/// AZF310, AZF311: read the near-miss setting, or add the setting.
fn env_read_fixes(state: &AppState, d: &Diagnostic) -> Vec<QuickFix> {
    let Some(name) = state
        .modules()
        .get(&d.file)
        .and_then(|m| m.env_reads.iter().find(|r| r.range == d.range))
        .map(|r| r.name.clone())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let names = setting_names(state);
    if let Some(s) = did_you_mean(&name, names.iter().map(String::as_str)) {
        let plain = state
            .input()
            .text(&d.file)
            .and_then(|t| t.get(d.range.as_usize()))
            == Some(name.as_str());
        if plain {
            out.push(
                QuickFix::new(
                    format!("Read '{s}' instead"),
                    vec![FileEdit {
                        file: d.file.clone(),
                        range: d.range,
                        new_text: s.to_string(),
                    }],
                )
                .preferred(true),
            );
        }
    }
    out.extend(add_setting_fix(state, &name, ""));
    out
}

/// A host.json for a Python app: version 2.0 with the current extension bundle.
const HOST_JSON: &str = "{\n  \"version\": \"2.0\",\n  \"extensionBundle\": {\n    \"id\": \"Microsoft.Azure.Functions.ExtensionBundle\",\n    \"version\": \"[4.*, 5.0.0)\"\n  }\n}\n";

/// AZF601, AZF604: create a missing app file.
fn create_file_fix(state: &AppState, file: &str, content: &str, title: &str) -> Option<QuickFix> {
    if state.input().exists(file) {
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

/// AZF603: add the extension bundle to host.json.
fn extension_bundle_fix(state: &AppState) -> Option<QuickFix> {
    let text = state.input().text("host.json")?;
    let root: JsonValue = json::parse(text).value?;
    root.as_object()?;
    if root.get("extensionBundle").is_some() {
        return None;
    }
    let bundle = "{\n  \"id\": \"Microsoft.Azure.Functions.ExtensionBundle\",\n  \"version\": \"[4.*, 5.0.0)\"\n}";
    Some(
        QuickFix::new(
            "Add the extension bundle to host.json",
            vec![add_member(
                "host.json",
                text,
                &root,
                "extensionBundle",
                bundle,
            )],
        )
        .preferred(true)
        .auto(true),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::diagnostic::Severity;
    use crate::analysis::rules::test_support;

    /// A healthy app around the functions of each case.
    const BASE: &str = r#"
//- /host.json
{"version": "2.0", "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}}
//- /requirements.txt
azure-functions
//- /local.settings.json
{
  "IsEncrypted": false,
  "Values": {
    "FUNCTIONS_WORKER_RUNTIME": "python",
    "AzureWebJobsStorage": "UseDevelopmentStorage=true"
  }
}
"#;

    fn diagnostics(state: &mut AppState) -> Vec<Diagnostic> {
        state
            .diagnostics_by_file(&Config::default())
            .into_values()
            .flatten()
            .collect()
    }

    /// The state after `edits` (files that do not exist are created).
    fn apply(state: &AppState, edits: &[FileEdit]) -> AppState {
        let mut next = state.clone();
        let mut files: Vec<&str> = edits.iter().map(|e| e.file.as_str()).collect();
        files.sort();
        files.dedup();
        for f in files {
            let mine: Vec<&FileEdit> = edits.iter().filter(|e| e.file == f).collect();
            let text = state.input().text(f).unwrap_or("");
            let new = edits::apply_edits(text, &mine).expect("edits apply");
            next.set_file(f, FileContent::Text(Arc::from(new.as_str())));
        }
        next
    }

    /// Applies the fix titled `title…` of the first `code` diagnostic (of the base app plus
    /// `fixture`), checks that the diagnostic is gone and that no new error or warning
    /// appeared, and shows the fix and the changed files.
    fn check_fix(fixture: &str, code: &str, title: &str) -> String {
        check_fix_in(&format!("{BASE}{fixture}"), code, title)
    }

    fn check_fix_in(fixture: &str, code: &str, title: &str) -> String {
        let mut state = AppState::new(test_support::app(fixture));
        let before = diagnostics(&mut state);
        let d = before
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("no {code} in {before:#?}"));
        let all = fixes(&state, d);
        let fix = all
            .iter()
            .find(|f| f.title.starts_with(title))
            .unwrap_or_else(|| panic!("no fix '{title}' for {code} in {all:#?}"));
        let mut fixed = apply(&state, &fix.edits);
        let after = diagnostics(&mut fixed);
        assert!(
            !after
                .iter()
                .any(|x| x.code == code && x.message == d.message),
            "{code} is still reported after '{}': {after:#?}",
            fix.title
        );
        let key = |x: &Diagnostic| (x.code, x.file.clone(), x.message.clone());
        let new: Vec<&Diagnostic> = after
            .iter()
            .filter(|x| x.severity >= Severity::Warning && !before.iter().any(|b| key(b) == key(x)))
            .collect();
        assert!(new.is_empty(), "'{}' introduced {new:#?}", fix.title);
        let mut out = format!(
            "{}{}{}\n",
            fix.title,
            if fix.preferred { " [preferred]" } else { "" },
            if fix.auto { " [auto]" } else { "" }
        );
        let mut files: Vec<&str> = fix.edits.iter().map(|e| e.file.as_str()).collect();
        files.sort();
        files.dedup();
        for f in files {
            out.push_str(&format!("--- {f}\n{}", fixed.input().text(f).unwrap_or("")));
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }

    /// Like [`check_fix`], without the base app.
    fn check_fix_raw(fixture: &str, code: &str, title: &str) -> String {
        check_fix_in(fixture, code, title)
    }

    /// The titles of the fixes of the first `code` diagnostic.
    fn titles(fixture: &str, code: &str) -> Vec<String> {
        let mut state = AppState::new(test_support::app(&format!("{BASE}{fixture}")));
        let d = diagnostics(&mut state)
            .into_iter()
            .find(|d| d.code == code)
            .unwrap();
        fixes(&state, &d)
            .into_iter()
            .map(|f| {
                let mut t = f.title;
                if f.preferred {
                    t.push_str(" [preferred]");
                }
                if f.auto {
                    t.push_str(" [auto]");
                }
                t
            })
            .collect()
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
            [
                "Rename parameter 'request' to 'req' [preferred] [auto]",
                "Rename binding 'req' to 'request' in function.json",
                "Add parameter 'req: func.HttpRequest' to main()",
            ]
        "#]]
        .assert_debug_eq(&titles(RENAMED, "AZF202"));
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
        .assert_eq(&check_fix(RENAMED, "AZF202", "Rename binding"));
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
        let mismatch = r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "in"}, {"type": "cosmosDB", "name": "doc", "databaseName": "d", "containerName": "c", "connection": "AzureWebJobsStorage"}]}
//- /F/__init__.py
import azure.functions as func
def main(msg: func.QueueMessage, doc: func.Document): pass
"#;
        expect_test::expect![[r#"
            [
                "Annotate 'doc' as func.DocumentList [preferred]",
                "Annotate 'doc' as bytes",
                "Annotate 'doc' as str",
            ]
        "#]]
        .assert_debug_eq(&titles(mismatch, "AZF203"));
        expect_test::expect![[r#"
            Annotate 'doc' as func.DocumentList [preferred]
            --- F/__init__.py
            import azure.functions as func
            def main(msg: func.QueueMessage, doc: func.DocumentList): pass
        "#]]
        .assert_eq(&check_fix(
            mismatch,
            "AZF203",
            "Annotate 'doc' as func.DocumentList",
        ));

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

        let as_str = r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /F/__init__.py
def main(req: str): pass
"#;
        expect_test::expect![[r#"
            Annotate 'req' as func.HttpRequest [preferred]
            --- F/__init__.py
            import azure.functions as func

            def main(req: func.HttpRequest): pass
        "#]]
        .assert_eq(&check_fix(as_str, "AZF212", "Annotate"));

        let not_out = r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}, {"type": "blob", "name": "doc", "direction": "out", "path": "x", "connection": "AzureWebJobsStorage"}]}
//- /F/__init__.py
import azure.functions as func
def main(msg: str, doc: str): pass
"#;
        expect_test::expect![[r#"
            Wrap in func.Out[...] [preferred] [auto]
            --- F/__init__.py
            import azure.functions as func
            def main(msg: str, doc: func.Out[str]): pass
        "#]]
        .assert_eq(&check_fix(not_out, "AZF204", "Wrap"));
    }

    #[test]
    fn function_json_values() {
        let timer = r#"
//- /F/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 2 * * *"}]}
//- /F/__init__.py
def main(t): pass
"#;
        expect_test::expect![[r#"
            Use schedule '0 0 2 * * *' (seconds first) [preferred] [auto]
            --- F/function.json
            {"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 2 * * *"}]}
        "#]]
        .assert_eq(&check_fix(timer, "AZF118", "Use schedule"));
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
        let typo = r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}, {"direction": "out", "type": "queu", "name": "o", "queueName": "x"}]}
//- /F/__init__.py
def main(msg, o): pass
"#;
        expect_test::expect![[r#"
            Change the type to 'queue' [preferred]
            --- F/function.json
            {"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}, {"direction": "out", "type": "queue", "name": "o", "queueName": "x"}]}
        "#]]
        .assert_eq(&check_fix(typo, "AZF112", "Change the type"));
        let percent = r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "m", "queueName": "q", "connection": "%AzureWebJobsStorage%"}]}
//- /F/__init__.py
def main(m): pass
"#;
        expect_test::expect![[r#"
            Use 'AzureWebJobsStorage' [preferred] [auto]
            --- F/function.json
            {"bindings": [{"type": "queueTrigger", "name": "m", "queueName": "q", "connection": "AzureWebJobsStorage"}]}
        "#]]
        .assert_eq(&check_fix(percent, "AZF308", "Use"));
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
        let codes: Vec<&str> = before.iter().map(|d| d.code).collect();
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
            Create requirements.txt with azure-functions [preferred] [auto]
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
            Add PyYAML to requirements.txt [preferred] [auto]
            --- requirements.txt
            requests
            PyYAML
        "#]]
        .assert_eq(&check_fix_raw(&reqs, "AZF607", "Add"));
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
                "AZF202 Rename parameter 'request' to 'req'",
                "AZF201 Rename parameter 'timer' to 't'",
                "AZF202 Rename parameter 'timer' to 't'",
                "AZF118 Use schedule '0 0 2 * * *' (seconds first)",
            ]
        "#]]
        .assert_debug_eq(&fixed);
        let mut after = apply(&state, &all.edits);
        let left: Vec<&str> = diagnostics(&mut after)
            .iter()
            .map(|d| d.code)
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
                "Q/function.json AZF202 Rename parameter 'msg' to 'm'",
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
