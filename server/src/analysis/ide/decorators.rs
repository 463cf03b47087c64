//! Completion and hover inside the decorators of a v2 app (`@app.route(auth_level="…")`): the
//! values a keyword takes (enum members, settings for connections, the function's parameters for
//! `arg_name`), the keywords a decorator takes, and what a decorator or keyword means.

use super::completion::{CompletionItem, CompletionKind};
use super::hover::HoverInfo;
use crate::analysis::catalog::binding_type_ignore_case;
use crate::analysis::catalog::binding_types::BINDING_TYPES;
use crate::analysis::catalog::decorator_types::{camel_case, DecoratorKind, DecoratorSpec};
use crate::analysis::catalog::{decorator, enumeration};
use crate::analysis::state::AppState;
use crate::analysis::text::TextRange;
use crate::analysis::v2::syntax::{ExprKind, StmtKind};

/// How far back a decorator's start is looked for.
const MAX_DECORATOR_LEN: usize = 4000;

/// Where the cursor is inside a decorator call, read from the text (it may not parse yet).
#[derive(Debug, PartialEq, Eq)]
struct CallCursor {
    /// `app.route`
    callee: String,
    /// The keyword whose value holds the cursor (at the call's top level), if any.
    keyword: Option<String>,
    /// Inside a string literal: where its content starts.
    string_start: Option<usize>,
    /// Outside strings, at the top level of the call: the identifier being typed and its start.
    word: Option<(String, usize)>,
    /// Keywords already written in the call.
    given: Vec<String>,
}

/// Reads the decorator call around `offset`: the nearest line before it that starts with `@`,
/// scanned forward to `offset`.
fn call_cursor(text: &str, offset: usize) -> Option<CallCursor> {
    let window_start = offset.saturating_sub(MAX_DECORATOR_LEN);
    let before = text.get(window_start..offset)?;
    let mut at = None;
    let mut line_start = 0;
    for (i, line) in before.split_inclusive('\n').enumerate() {
        if i > 0 || window_start == 0 || text.as_bytes().get(window_start - 1) == Some(&b'\n') {
            let t = line.trim_start();
            if t.starts_with('@') {
                at = Some(line_start + (line.len() - t.len()));
            } else if t.starts_with("def ") || t.starts_with("async ") || t.starts_with("class ") {
                at = None;
            }
        }
        line_start += line.len();
    }
    let start = at?;
    let src = &before[start + 1..];
    let open = src.find('(')?;
    let callee = src[..open].trim().to_string();
    if callee.is_empty()
        || !callee
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        return None;
    }
    let body = &src[open + 1..];
    let base = window_start + start + 1 + open + 1;
    let bytes = body.as_bytes();
    let mut depth = 0usize;
    let mut keyword: Option<String> = None;
    let mut given = Vec::new();
    let mut string: Option<(u8, usize)> = None;
    let mut segment_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if let Some((q, _)) = string {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == q {
                string = None;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' | b'\'' => string = Some((c, i + 1)),
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                if depth == 0 {
                    return None; // the call is closed before the cursor
                }
                depth -= 1;
            }
            b',' if depth == 0 => {
                keyword = None;
                segment_start = i + 1;
            }
            b'=' if depth == 0 && bytes.get(i + 1) != Some(&b'=') => {
                let name = body[segment_start..i].trim();
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    keyword = Some(name.to_string());
                    given.push(name.to_string());
                }
            }
            _ => {}
        }
        i += 1;
    }
    let string_start = string.map(|(_, s)| base + s);
    let word = if string.is_none() && depth == 0 && keyword.is_none() {
        let seg = &body[segment_start..];
        let typed = seg.trim_start();
        (typed.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then(|| (typed.to_string(), base + body.len() - typed.len()))
    } else {
        None
    };
    Some(CallCursor {
        callee,
        keyword,
        string_start,
        word,
        given,
    })
}

fn item(
    label: &str,
    kind: CompletionKind,
    detail: &str,
    range: TextRange,
    doc: Option<String>,
) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind,
        detail: Some(detail.to_string()),
        documentation: doc,
        edit_range: range,
        insert_text: label.to_string(),
        is_snippet: false,
        sort_text: None,
        filter_text: Some(label.to_string()),
    }
}

/// The end of the identifier-like text at `offset` (what a completion replaces).
fn word_end(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = offset;
    while end < bytes.len()
        && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'_' | b'-' | b'.' | b'$'))
    {
        end += 1;
    }
    end
}

/// The parameters of the `def` that the decorator at `offset` decorates.
fn decorated_params(state: &AppState, file: &str, offset: usize) -> Vec<String> {
    let Some(module) = state.modules().get(file) else {
        return Vec::new();
    };
    module
        .functions
        .iter()
        .filter(|f| f.range.start as usize <= offset && offset < f.def_offset)
        .max_by_key(|f| f.range.start)
        .map(|f| f.params.iter().map(|p| p.name.clone()).collect())
        .unwrap_or_default()
}

/// Completions inside a decorator call of a v2 app; `None` when the cursor is not in one.
pub(crate) fn completions(
    state: &AppState,
    file: &str,
    text: &str,
    offset: usize,
) -> Option<Vec<CompletionItem>> {
    if !state.uses_decorator_model() {
        return None;
    }
    let c = call_cursor(text, offset)?;
    let method = c.callee.rsplit('.').next().unwrap_or("");
    let spec = decorator(method)?;
    if let Some(start) = c.string_start {
        let range = TextRange::new(start, word_end(text, offset));
        let keyword = c.keyword.as_deref()?;
        return Some(value_completions(state, file, offset, spec, keyword, range));
    }
    let (typed, start) = c.word?;
    let range = TextRange::new(start, start + typed.len());
    Some(
        spec.params
            .iter()
            .filter(|p| !c.given.iter().any(|g| g == p.name))
            .map(|p| {
                let mut it = item(
                    p.name,
                    CompletionKind::Property,
                    if p.required { "required" } else { "optional" },
                    range,
                    Some(param_markdown(spec, p.name)),
                );
                it.insert_text = format!("{}=", p.name);
                it.sort_text = Some(format!("{}{}", u8::from(!p.required), p.name));
                it
            })
            .collect(),
    )
}

fn value_completions(
    state: &AppState,
    file: &str,
    offset: usize,
    spec: &DecoratorSpec,
    keyword: &str,
    range: TextRange,
) -> Vec<CompletionItem> {
    if let Some(e) = spec
        .param(keyword)
        .and_then(|p| p.enum_type)
        .and_then(enumeration)
    {
        return e
            .members
            .iter()
            .map(|m| item(m, CompletionKind::EnumMember, e.name, range, None))
            .collect();
    }
    let is_name = Some(keyword) == spec.name_param
        || matches!(
            keyword,
            "trigger_arg_name" | "binding_arg_name" | "arg_name"
        );
    if is_name {
        let mut names = decorated_params(state, file, offset);
        if keyword == "binding_arg_name" {
            names.insert(0, "$return".into());
        }
        return names
            .iter()
            .map(|n| {
                item(
                    n,
                    CompletionKind::Variable,
                    "parameter of the function",
                    range,
                    None,
                )
            })
            .collect();
    }
    if keyword == "type" && spec.is_generic() {
        let triggers = spec.kind == DecoratorKind::Trigger;
        return BINDING_TYPES
            .iter()
            .filter(|b| b.is_trigger == triggers)
            .map(|b| {
                item(
                    b.name,
                    CompletionKind::Value,
                    "binding type",
                    range,
                    Some(b.doc.to_string()),
                )
            })
            .collect();
    }
    if keyword == "strategy" && spec.name == "retry" {
        return ["fixed_delay", "exponential_backoff"]
            .iter()
            .map(|s| item(s, CompletionKind::EnumMember, "retry strategy", range, None))
            .collect();
    }
    if keyword.contains("connection") || keyword.ends_with("_setting") {
        return super::completion::setting_candidates(state)
            .into_iter()
            .map(|(name, detail)| item(&name, CompletionKind::Variable, &detail, range, None))
            .collect();
    }
    Vec::new()
}

/// What a decorator keyword is: the binding property it becomes, required or not, its values.
fn param_markdown(spec: &DecoratorSpec, param: &str) -> String {
    let p = spec.param(param);
    let mut md = format!("**{param}** — `{}()` ", spec.name);
    md.push_str(if p.is_some_and(|p| p.required) {
        "(required)"
    } else {
        "(optional)"
    });
    if Some(param) == spec.name_param || matches!(param, "trigger_arg_name" | "binding_arg_name") {
        md.push_str(
            "\n\nThe name of the binding: the function's parameter of the same name receives it.",
        );
    }
    if let Some(e) = p.and_then(|p| p.enum_type).and_then(enumeration) {
        md.push_str(&format!(
            "\n\n{}: {}",
            e.name,
            e.members
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let property = if param == "data_type" {
        Some("dataType".to_string())
    } else {
        camel_case(param)
    };
    if let (Some(key), Some(t)) = (
        property,
        spec.binding_type.and_then(binding_type_ignore_case),
    ) {
        if let Some(prop) = t
            .props
            .unwrap_or_default()
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(&key))
        {
            md.push_str(&format!(
                "\n\nBinding property `{}`: {}",
                prop.name, prop.doc
            ));
        }
    }
    md
}

/// A decorator's description: what it adds and its parameters.
fn decorator_markdown(spec: &DecoratorSpec) -> String {
    let what = match spec.kind {
        DecoratorKind::Trigger => "adds the trigger",
        DecoratorKind::Route => "adds an HTTP trigger and the `$return` response",
        DecoratorKind::Input => "adds an input binding",
        DecoratorKind::Output => "adds an output binding",
        DecoratorKind::Setting => "sets a function setting",
        DecoratorKind::Modifier => "changes the function",
    };
    let mut md = format!("**{}()** — {what}", spec.name);
    match spec.binding_type {
        Some(t) => md.push_str(&format!(" (`{t}`)")),
        None if spec.is_generic() => md.push_str(" of the type given by `type=`"),
        None => {}
    }
    if let Some(t) = spec.binding_type.and_then(binding_type_ignore_case) {
        md.push_str(&format!("\n\n{}", t.doc));
    }
    let params: Vec<String> = spec
        .params
        .iter()
        .map(|p| {
            if p.required {
                format!("**`{}`**", p.name)
            } else {
                format!("`{}`", p.name)
            }
        })
        .collect();
    if !params.is_empty() {
        md.push_str(&format!(
            "\n\nParameters (required in bold): {}",
            params.join(", ")
        ));
    }
    if spec.kwargs {
        md.push_str("\n\nOther keyword arguments become binding properties (`visibility_timeout` → `visibilityTimeout`).");
    }
    if spec.durable {
        md.push_str("\n\nNeeds the `azure-functions-durable` package.");
    }
    md
}

/// Hover on a parameter of a decorated function: the binding a decorator gives it.
fn parameter_hover(state: &AppState, file: &str, offset: usize) -> Option<HoverInfo> {
    let module = state.modules().get(file)?;
    for unit in state.units() {
        let Some(v2) = unit.decorated() else { continue };
        if unit.declaration_file() != file {
            continue;
        }
        let Some(f) = v2
            .def_offset
            .and_then(|o| module.functions.iter().find(|f| f.def_offset == o))
        else {
            continue;
        };
        let Some(p) = f.params.iter().find(|p| p.name_range.touches(offset)) else {
            continue;
        };
        let found = unit
            .json
            .bindings
            .iter()
            .zip(&v2.origins)
            .find(|(b, _)| b.name_str() == Some(p.name.as_str()));
        let markdown = match found {
            None if p.name == "context" => "**context** — the invocation context (`func.Context`): invocation id, function name and directory, trace context.".to_string(),
            None => format!("**{}** is not bound by any decorator of `{}`: the worker refuses the function", p.name, unit.name),
            Some((b, o)) => {
                let t = b.type_str().unwrap_or("?");
                let direction = b.direction.unwrap_or(crate::analysis::function_json::Direction::In);
                let by = v2
                    .decorators
                    .get(o.decorator)
                    .map(|d| format!(" from `{}(…)`", d.display()))
                    .unwrap_or_default();
                let mut md = format!("**{}** — `{t}` binding, direction `{}`{by} (function '{}')", p.name, direction.as_str(), unit.name);
                for key in ["queueName", "path", "schedule", "route", "connection", "eventHubName", "topicName", "databaseName"] {
                    if let Some(v) = b.property_str(key) {
                        md.push_str(&format!("\n\n`{key}`: `{}`", v.value));
                    }
                }
                let accepted = super::accepted_annotations(t, direction, "func.");
                if !accepted.is_empty() {
                    md.push_str(&format!(
                        "\n\nAccepted annotations: {}",
                        accepted.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
                    ));
                }
                md
            }
        };
        return Some(HoverInfo {
            range: p.name_range,
            markdown,
        });
    }
    None
}

/// Hover on a decorator of a v2 app, one of its keywords, or a parameter of a decorated function;
/// `None` elsewhere.
pub(crate) fn hover(state: &AppState, file: &str, offset: usize) -> Option<HoverInfo> {
    if !state.uses_decorator_model() {
        return None;
    }
    if let Some(h) = parameter_hover(state, file, offset) {
        return Some(h);
    }
    let module = state.modules().get(file)?;
    for stmt in &module.statements {
        let StmtKind::Def { decorators, .. } = &stmt.kind else {
            continue;
        };
        for d in decorators {
            if !d.range.touches(offset) {
                continue;
            }
            let ExprKind::Call(call) = &d.kind else {
                continue;
            };
            let ExprKind::Attribute {
                name, name_range, ..
            } = &call.func.kind
            else {
                continue;
            };
            let spec = decorator(name)?;
            if name_range.touches(offset) {
                return Some(HoverInfo {
                    range: *name_range,
                    markdown: decorator_markdown(spec),
                });
            }
            for a in &call.args {
                let Some((k, kr)) = &a.keyword else { continue };
                if kr.touches(offset) {
                    return Some(HoverInfo {
                        range: *kr,
                        markdown: param_markdown(spec, k),
                    });
                }
                let is_setting = k.contains("connection") || k.ends_with("_setting");
                if is_setting && a.value.range.touches(offset) {
                    let value = a.value.as_str()?;
                    return Some(HoverInfo {
                        range: a.value.range,
                        markdown: super::hover::setting_markdown(
                            state,
                            value,
                            k.contains("connection"),
                        ),
                    });
                }
            }
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support::app;

    const SCRIPT: &str = "import azure.functions as func\napp = func.FunctionApp()\n\n@app.route(route=\"items\", auth_level=\"\", methods=[\"GET\", \"\"])\n@app.queue_output(arg_name=\"\", connection=\"\")\ndef items(req: func.HttpRequest, outbox: func.Out[str]) -> str:\n    return \"x\"\n";

    fn state() -> AppState {
        AppState::new(app(&format!(
            "//- /local.settings.json\n{{\"IsEncrypted\": false, \"Values\": {{\"QueueConn\": \"x\"}}}}\n//- /function_app.py\n{SCRIPT}"
        )))
    }

    fn labels(at: &str, nth: usize) -> Vec<String> {
        let offset = SCRIPT.match_indices(at).nth(nth).unwrap().0 + at.len();
        completions(&state(), "function_app.py", SCRIPT, offset)
            .unwrap_or_default()
            .into_iter()
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn completes_keyword_values() {
        assert_eq!(
            labels("auth_level=\"", 0),
            ["FUNCTION", "ANONYMOUS", "ADMIN"]
        );
        assert!(labels("\"GET\", \"", 0).contains(&"POST".to_string()));
        assert_eq!(labels("arg_name=\"", 0), ["req", "outbox"]);
        assert_eq!(
            labels("connection=\"", 0),
            ["QueueConn", "AzureWebJobsStorage"]
        );
        assert!(labels("route=\"", 0).is_empty());
    }

    #[test]
    fn completes_keywords_not_yet_given() {
        let text = "import azure.functions as func\napp = func.FunctionApp()\n\n@app.queue_trigger(arg_name=\"m\", q\ndef f(m): pass\n";
        let st = AppState::new(app(&format!("//- /function_app.py\n{text}")));
        let offset = text.find(", q").unwrap() + 3;
        let items = completions(&st, "function_app.py", text, offset).unwrap();
        let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["queue_name", "connection", "data_type"]);
        assert_eq!(items[0].insert_text, "queue_name=");
        assert_eq!(items[0].edit_range, TextRange::new(offset - 1, offset));
    }

    #[test]
    fn hovers_decorators_keywords_and_settings() {
        let st = state();
        let at = |s: &str| SCRIPT.find(s).unwrap() + 1;
        let h = hover(&st, "function_app.py", at("queue_output")).unwrap();
        assert!(
            h.markdown
                .starts_with("**queue_output()** — adds an output binding (`queue`)"),
            "{}",
            h.markdown
        );
        assert!(h.markdown.contains("**`queue_name`**"));
        let h = hover(&st, "function_app.py", at("auth_level")).unwrap();
        assert!(h.markdown.contains("`ANONYMOUS`"), "{}", h.markdown);
        let h = hover(&st, "function_app.py", at("connection=\"\"") + 11).unwrap();
        assert!(h.markdown.contains("app setting"), "{}", h.markdown);
        assert!(hover(&st, "function_app.py", at("def items")).is_none());
        let h = hover(&st, "function_app.py", at("req:")).unwrap();
        assert!(
            h.markdown
                .starts_with("**req** — `httpTrigger` binding, direction `in` from `app.route(…)`"),
            "{}",
            h.markdown
        );
    }

    #[test]
    fn outside_decorators_nothing() {
        assert!(call_cursor("x = f(a=\"", 9).is_none());
        assert!(call_cursor("@app.route(route=\"a\")\ndef f(): g(a=\"", 36).is_none());
        let c = call_cursor("@app.route(methods=[\"GET\", \"P", 29).unwrap();
        assert_eq!(c.keyword.as_deref(), Some("methods"));
        assert_eq!(c.callee, "app.route");
    }
}
