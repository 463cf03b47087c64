//! Completion inside the decorators of a v2 app: keyword values and keywords not yet given.

use super::expressions;
use super::local_settings::setting_candidates;
use super::{CompletionItem, CompletionKind};
use crate::analysis::catalog::binding_types::BINDING_TYPES;
use crate::analysis::catalog::decorator_types::{DecoratorKind, DecoratorSpec};
use crate::analysis::catalog::{decorator, enumeration};
use crate::analysis::ide::decorators::{call_cursor, decorated_params, param_markdown, word_end};
use crate::analysis::state::AppState;
use crate::analysis::text::TextRange;

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

/// Completions inside a decorator call of a v2 app; `None` when the cursor is not in one.
pub(super) fn completions(
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
        if !is_literal_keyword(spec, keyword) {
            // `%Setting%` and `{token}` in any other string (`queue_name="%…"`, `path="in/{…"`).
            let unit = state.units().find(|u| {
                u.declaration_file() == file
                    && u.decorators().iter().any(|d| d.range.touches(offset))
            });
            if let Some(items) =
                expressions::expression_completions(state, unit, text, start, offset)
            {
                return Some(items);
            }
        }
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

/// Keywords whose string the library or the host reads literally: names, types, connections.
fn is_literal_keyword(spec: &DecoratorSpec, keyword: &str) -> bool {
    Some(keyword) == spec.name_param
        || keyword.ends_with("arg_name")
        || keyword.contains("connection")
        || keyword.ends_with("_setting")
        || matches!(keyword, "type" | "data_type" | "name")
        || spec.param(keyword).is_some_and(|p| p.enum_type.is_some())
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
        return setting_candidates(state)
            .into_iter()
            .map(|(name, detail)| item(&name, CompletionKind::Variable, &detail, range, None))
            .collect();
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ide::decorators::test_app::{state, SCRIPT};
    use crate::analysis::rules::test_support::app;

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
}
