//! Completion in `function.json`: root keys, binding keys and their values, binding snippets.

use super::expressions;
use super::local_settings::setting_candidates;
use super::{member_value, object_text, present_keys, CompletionItem, CompletionKind, JsonItems};
use crate::analysis::catalog::binding_types::{BINDING_TYPES, DATA_TYPES, HTTP_METHODS};
use crate::analysis::catalog::{binding_type_ignore_case, PropKind};
use crate::analysis::entry;
use crate::analysis::function::{self, Script};
use crate::analysis::ide::binding_type_markdown;
use crate::analysis::ide::json_cursor::{self, Segment, Slot};
use crate::analysis::python::NameKind;
use crate::analysis::state::AppState;

const ROOT_KEYS: &[(&str, &str)] = &[
    (
        "bindings",
        "The function's trigger and its input/output bindings.",
    ),
    (
        "scriptFile",
        "The Python file to load, relative to this folder (default `__init__.py`).",
    ),
    (
        "entryPoint",
        "The function (or class) the worker calls (default `main`).",
    ),
    ("disabled", "Skip this function when the host starts."),
    (
        "retry",
        "Retry policy for failed executions (`strategy`, `maxRetryCount`, intervals).",
    ),
];

const COMMON_KEYS: &[(&str, &str)] = &[
    (
        "type",
        "The binding type, e.g. `httpTrigger`, `queue`, `blob`.",
    ),
    (
        "name",
        "The Python parameter that receives the binding, or `$return`.",
    ),
    ("direction", "`in` (default) or `out`."),
    (
        "dataType",
        "How the host passes the payload: `string`, `binary` or `stream`.",
    ),
];

/// A conventional parameter name for each binding type, for snippets.
fn default_name(t: &str) -> &'static str {
    match t {
        "httpTrigger" => "req",
        "http" => "$return",
        "timerTrigger" => "timer",
        "queueTrigger" | "serviceBusTrigger" => "msg",
        "queue" | "serviceBus" => "outMsg",
        "blobTrigger" | "blob" => "blob",
        "eventHubTrigger" | "eventGridTrigger" => "event",
        "cosmosDBTrigger" | "cosmosDB" => "documents",
        "orchestrationTrigger" => "context",
        "durableClient" => "starter",
        "activityTrigger" => "payload",
        _ => "item",
    }
}

/// Binding keys whose values the host reads literally (a `%` or `{` there is no expression).
const NOT_EXPRESSIONS: &[&str] = &[
    "type",
    "direction",
    "name",
    "connection",
    "connectionstringsetting",
    "datatype",
];

pub(super) fn function_json(
    state: &AppState,
    folder: &str,
    text: &str,
    offset: usize,
) -> Vec<CompletionItem> {
    let Some(cursor) = json_cursor::cursor(text, offset) else {
        return Vec::new();
    };
    let mut out = JsonItems {
        cursor: &cursor,
        items: Vec::new(),
    };
    let unit = state.unit(folder);
    let object = cursor
        .object_start
        .map(|s| object_text(text, s))
        .unwrap_or("");
    match (cursor.path.as_slice(), &cursor.slot) {
        ([], Slot::Key) => out.missing_keys(text, ROOT_KEYS),
        ([], Slot::Value { key }) if key == "scriptFile" => {
            for f in state
                .input()
                .files_in(folder)
                .filter(|f| f.ends_with(".py"))
            {
                let name = f.rsplit('/').next().unwrap_or(f);
                out.push(name, CompletionKind::File, Some(f.to_string()), None, "0");
            }
        }
        ([], Slot::Value { key }) if key == "entryPoint" => entry_points(state, unit, &mut out),
        ([Segment::Key(b)], Slot::ArrayItem { .. }) if b == "bindings" && !cursor.in_string => {
            binding_snippets(&mut out)
        }
        ([Segment::Key(b), Segment::Index(_)], Slot::Key) if b == "bindings" => {
            binding_keys(object, &mut out)
        }
        ([Segment::Key(b), Segment::Index(_)], Slot::Value { key }) if b == "bindings" => {
            let expression = (cursor.in_string
                && !NOT_EXPRESSIONS.contains(&key.to_ascii_lowercase().as_str()))
            .then(|| {
                expressions::expression_completions(
                    state,
                    unit,
                    text,
                    cursor.token.start as usize,
                    offset,
                )
            })
            .flatten();
            match expression {
                Some(items) => return items,
                None => binding_value(state, unit, object, key, &mut out),
            }
        }
        ([Segment::Key(b), Segment::Index(_), Segment::Key(m)], Slot::ArrayItem { .. })
            if b == "bindings" && m.eq_ignore_ascii_case("methods") =>
        {
            let present: Vec<String> = present_methods(object);
            for m in HTTP_METHODS.iter().filter(|m| **m != "connect") {
                if !present.contains(&m.to_string()) {
                    out.push(m, CompletionKind::EnumMember, None, None, "0");
                }
            }
        }
        _ => {}
    }
    out.items
}

/// Functions and classes of the script, for `entryPoint`.
fn entry_points(state: &AppState, unit: Option<&function::FunctionUnit>, out: &mut JsonItems) {
    if let Some(Script::Found { path, .. }) = unit.map(|u| &u.script) {
        if let Some(module) = state.modules().get(path) {
            let mut names: Vec<(&String, &str)> = module
                .names
                .iter()
                .filter_map(|(n, defs)| match defs.last().map(|d| &d.kind) {
                    Some(NameKind::Function(_)) => Some((n, "function")),
                    Some(NameKind::Class(_)) => Some((n, "class")),
                    _ => None,
                })
                .collect();
            names.sort();
            for (n, what) in names {
                let kind = if what == "class" {
                    CompletionKind::Class
                } else {
                    CompletionKind::Function
                };
                out.push(n, kind, Some(format!("{what} in {path}")), None, "0");
            }
        }
    }
}

/// One snippet per binding type with its required keys, for a new entry of `bindings`.
fn binding_snippets(out: &mut JsonItems) {
    for spec in BINDING_TYPES.iter().filter(|t| t.props.is_some()) {
        let name = default_name(spec.name);
        let direction = spec.directions[0];
        let mut lines = vec![
            format!("\t\"type\": \"{}\"", spec.name),
            format!("\t\"direction\": \"{direction}\""),
            format!("\t\"name\": \"${{1:{name}}}\""),
        ];
        let mut n = 2;
        for group in spec.required {
            lines.push(format!("\t\"{}\": \"${{{n}}}\"", group[0]));
            n += 1;
        }
        if spec
            .props
            .unwrap_or_default()
            .iter()
            .any(|p| p.name == "connection")
        {
            lines.push(format!(
                "\t\"connection\": \"${{{n}:AzureWebJobsStorage}}\""
            ));
        }
        let body = format!("{{\n{}\n}}", lines.join(",\n"));
        out.snippet(spec.name, body, binding_type_markdown(spec));
    }
}

/// The keys every binding has and those of its type, that the binding does not have yet.
fn binding_keys(object: &str, out: &mut JsonItems) {
    let present = present_keys(object);
    for (k, doc) in COMMON_KEYS {
        if !present.contains(&k.to_ascii_lowercase()) {
            out.push(
                k,
                CompletionKind::Property,
                None,
                Some(doc.to_string()),
                "0",
            );
        }
    }
    if let Some(spec) = member_value(object, "type").and_then(|t| binding_type_ignore_case(&t)) {
        for p in spec.props.unwrap_or_default() {
            if !present.contains(&p.name.to_ascii_lowercase()) {
                out.push(
                    p.name,
                    CompletionKind::Property,
                    Some(spec.name.to_string()),
                    Some(p.doc.to_string()),
                    "1",
                );
            }
        }
    }
}

/// Parameters of the entry function that no binding takes yet (and `$return`), for `name`.
fn unbound_parameters(
    state: &AppState,
    unit: Option<&function::FunctionUnit>,
    out: &mut JsonItems,
) {
    let Some(unit) = unit else { return };
    if let Some(def) = entry::entry_def(state.input(), state.modules(), unit) {
        let f = def.function;
        for p in def.params() {
            let bound = unit
                .bindings()
                .iter()
                .any(|b| b.name_str() == Some(p.name.as_str()));
            if !bound && p.name != "context" {
                let ann = p.annotation.as_ref().map(|a| a.text.clone());
                out.push(
                    &p.name,
                    CompletionKind::Variable,
                    ann.map(|a| format!("{}: {a}", p.name)),
                    None,
                    "0",
                );
            }
        }
        if f.return_annotation.is_some() || !f.value_returns.is_empty() {
            out.push(
                "$return",
                CompletionKind::Variable,
                Some("the return value".into()),
                None,
                "1",
            );
        }
    }
}

fn present_methods(object: &str) -> Vec<String> {
    let lower = object.to_ascii_lowercase();
    let Some(at) = lower.find("\"methods\"") else {
        return Vec::new();
    };
    let rest = &lower[at..];
    let end = rest.find(']').unwrap_or(rest.len());
    HTTP_METHODS
        .iter()
        .filter(|m| rest[..end].contains(&format!("\"{m}\"")))
        .map(|m| m.to_string())
        .collect()
}

fn binding_value(
    state: &AppState,
    unit: Option<&function::FunctionUnit>,
    object: &str,
    key: &str,
    out: &mut JsonItems,
) {
    let binding_type = member_value(object, "type");
    let spec = binding_type.as_deref().and_then(binding_type_ignore_case);
    match key.to_ascii_lowercase().as_str() {
        "type" => {
            for t in BINDING_TYPES {
                let sort = if t.is_trigger { "0" } else { "1" };
                let role = if t.is_trigger { "trigger" } else { "binding" };
                out.push(
                    t.name,
                    CompletionKind::EnumMember,
                    Some(role.into()),
                    Some(binding_type_markdown(t)),
                    sort,
                );
            }
        }
        "direction" => {
            let allowed: &[&str] = spec.map(|s| s.directions).unwrap_or(&["in", "out"]);
            for d in allowed.iter().filter(|d| **d != "inout") {
                out.push(d, CompletionKind::EnumMember, None, None, "0");
            }
        }
        "datatype" => {
            for d in DATA_TYPES.iter().filter(|d| **d != "undefined") {
                out.push(d, CompletionKind::EnumMember, None, None, "0");
            }
        }
        "name" => unbound_parameters(state, unit, out),
        "connection" | "connectionstringsetting" => {
            for (name, detail) in setting_candidates(state) {
                out.push(&name, CompletionKind::Variable, Some(detail), None, "0");
            }
        }
        _ => {
            if let Some(spec) = spec {
                for p in spec.props.unwrap_or_default() {
                    if !p.name.eq_ignore_ascii_case(key) {
                        continue;
                    }
                    if let PropKind::Enum(values) = p.kind {
                        for v in values {
                            out.push(
                                v,
                                CompletionKind::EnumMember,
                                None,
                                Some(p.doc.to_string()),
                                "0",
                            );
                        }
                    }
                }
            }
        }
    }
}
