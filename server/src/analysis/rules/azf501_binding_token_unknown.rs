//! AZF501: a `{token}` in a binding is not supplied by the trigger.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use std::collections::HashSet;

use crate::analysis::catalog::Suggester;
use crate::analysis::diagnostic::{quoted, Diagnostic, Severity};
use crate::analysis::routes::route_params;
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF501",
    name: "binding-token-unknown",
    severity: Severity::Warning,
    summary: "A `{token}` in a binding is not supplied by the trigger (route parameter, blob path token, …)",
    explanation: r#"Binding expressions such as `{id}` are filled from the trigger: route parameters of an HTTP
trigger, `{tokens}` of a blob trigger's path, properties of a JSON queue message, plus
`{rand-guid}`, `{DateTime}` and `{sys.utcnow}`. A token the trigger does not supply makes the
binding fail when the function runs.

```json
[ { "type": "httpTrigger", "name": "req", "route": "orders/{orderId}" },
  { "type": "blob", "name": "doc", "path": "orders/{id}.json" } ]
```

Use `{orderId}` in the blob path.
"#,
    fix: FixAvailability::None,
};

/// `{token}`s of a string: (token, byte range of the braces and content within the string).
pub fn tokens(value: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(a) = value[i..].find('{') {
        let start = i + a;
        let Some(b) = value[start..].find('}') else { break };
        let end = start + b;
        out.push((value[start + 1..end].trim().to_string(), start..end + 1));
        i = end + 1;
    }
    out
}

fn builtin(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    lower == "rand-guid" || lower.starts_with("datetime") || lower.starts_with("sys.")
}

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(trigger) = ctx.unit.bindings().iter().find(|b| b.is_trigger()) else { return };
    let Some(t) = trigger.type_str() else { return };
    // Most functions write no `{token}` outside the trigger: then the trigger's supply is not
    // worked out.
    let has_token = |b: &crate::analysis::function_json::Binding| {
        b.members
            .iter()
            .any(|m| m.value.as_ref().and_then(|v| v.as_str()).is_some_and(|s| s.contains('{')))
    };
    if !ctx.unit.bindings().iter().filter(|b| !b.is_trigger()).any(has_token) {
        return;
    }
    // What the trigger supplies, and whether anything else may be (JSON payload properties).
    let (supplied, open, what): (Vec<String>, bool, String) = match t.to_ascii_lowercase().as_str() {
        "httptrigger" => {
            let route = trigger.property_str("route").map(|r| r.value).unwrap_or_default();
            // Request bodies may be JSON: only near misses of route parameters are reported.
            (route_params(&route), true, format!("route '{}'", quoted(&route)))
        }
        "blobtrigger" => {
            let path = trigger.property_str("path").map(|p| p.value).unwrap_or_default();
            let mut names: Vec<String> = tokens(&path).into_iter().map(|(t, _)| t).collect();
            names.extend(["BlobTrigger", "Uri", "Properties", "Metadata", "name"].map(String::from));
            (names, false, format!("the blob trigger path '{}'", quoted(&path)))
        }
        "timertrigger" => (Vec::new(), false, "a timer trigger".to_string()),
        _ => return,
    };
    let supplied_lower: HashSet<String> = supplied.iter().map(|n| n.to_ascii_lowercase()).collect();
    // Indexed on first use: most bindings use no token, or only supplied ones.
    let suggester = std::cell::OnceCell::new();
    for b in ctx.unit.bindings() {
        if b.is_trigger() {
            continue;
        }
        for m in &b.members {
            if matches!(m.key.to_ascii_lowercase().as_str(), "name" | "type" | "direction" | "datatype" | "connection") {
                continue;
            }
            let Some(v) = m.value.as_ref() else { continue };
            let Some(s) = v.as_str() else { continue };
            let raw = ctx.json_text.get(v.range.as_usize()).unwrap_or("");
            let mut unknown = Vec::new();
            for (token, span) in tokens(s) {
                let base = token.split(['.', ':']).next().unwrap_or("");
                if token.is_empty() || builtin(&token) || supplied_lower.contains(&base.to_ascii_lowercase()) {
                    continue;
                }
                if open && (token.starts_with("query.") || token.starts_with("headers.")) {
                    continue;
                }
                let suggestion = suggester
                    .get_or_init(|| Suggester::new(supplied.iter().map(String::as_str)))
                    .suggest(base);
                if open && suggestion.is_none() {
                    continue;
                }
                let range = if raw.len() == s.len() + 2 {
                    TextRange::new(v.range.start as usize + 1 + span.start, v.range.start as usize + 1 + span.end)
                } else {
                    v.range
                };
                unknown.push((token, range, suggestion));
            }
            // One diagnostic per token up to a few, then one for the rest of the value.
            let rest = unknown.len().saturating_sub(MAX_TOKENS_PER_VALUE);
            for (token, range, suggestion) in unknown.iter().take(MAX_TOKENS_PER_VALUE) {
                let hint = suggestion.map(|s| format!(" — did you mean '{{{}}}'?", quoted(s))).unwrap_or_default();
                out.push(ctx.declaration_diag(&META, *range, format!("'{{{}}}' is not supplied by {what}, so the binding fails when the function runs{hint}", quoted(token))));
            }
            if rest > 0 {
                let (_, first, _) = &unknown[MAX_TOKENS_PER_VALUE];
                let (_, last, _) = &unknown[unknown.len() - 1];
                out.push(ctx.declaration_diag(
                    &META,
                    TextRange::new(first.start as usize, last.end as usize),
                    format!(
                        "'{{{}}}' and {} more tokens of this value are not supplied by {what} either",
                        quoted(&unknown[MAX_TOKENS_PER_VALUE].0),
                        rest - 1,
                    ),
                ));
            }
        }
    }
}

/// Unknown tokens of one value reported one by one; the rest share one diagnostic.
const MAX_TOKENS_PER_VALUE: usize = 10;

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn tokens() {
        expect![[r#"
            H/function.json:1:130 AZF501 warning '{ordrId}' is not supplied by route 'orders/{orderId}/{line}', so the binding fails when the function runs — did you mean '{orderId}'?
            T/function.json:1:142 AZF501 warning '{name}' is not supplied by a timer trigger, so the binding fails when the function runs
        "#]]
        .assert_eq(&check(
            "AZF501",
            r#"
//- /H/function.json
{"bindings": [{"type": "httpTrigger", "name": "r", "route": "orders/{orderId}/{line}"}, {"type": "blob", "name": "b", "path": "o/{ordrId}/{line}/{customer}/{query.x}/{rand-guid}.json"}]}
//- /T/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}, {"type": "blob", "name": "b", "direction": "out", "path": "r/{name}-{DateTime}.csv"}]}
//- /B/function.json
{"bindings": [{"type": "blobTrigger", "name": "b", "path": "in/{name}.{ext}"}, {"type": "blob", "direction": "out", "name": "o", "path": "out/{name}.{ext}"}]}
//- /Q/function.json
{"bindings": [{"type": "queueTrigger", "name": "m", "queueName": "q"}, {"type": "blob", "name": "b", "path": "x/{id}"}]}
"#,
        ));
    }

    #[test]
    fn unknown_tokens_of_one_value_are_capped() {
        use crate::analysis::{check_app, AppInput, Config};
        let n = 30;
        let route: Vec<String> = (0..n).map(|i| format!("{{param{i}}}")).collect();
        let path: Vec<String> = (0..n).map(|i| format!("{{parm{i}}}")).collect();
        let json = format!(
            "{{\"bindings\": [{{\"type\": \"httpTrigger\", \"name\": \"req\", \"route\": \"{}\"}}, {{\"type\": \"blob\", \"name\": \"doc\", \"path\": \"{}\"}}]}}",
            route.join("/"),
            path.join("/")
        );
        let app = AppInput::new("app").with_file("F/function.json", &json);
        let config = Config { select: vec!["AZF501".into()], ..Config::default() };
        let found = check_app(&app, &config);
        assert_eq!(found.len(), 11);
        assert_eq!(&json[found[0].range.as_usize()], "{parm0}");
        assert!(found[0].message.contains("did you mean '{param0}'"), "{}", found[0].message);
        // The route is quoted cut, not in full.
        assert!(found[0].message.contains("…'"), "{}", found[0].message);
        assert!(found.iter().all(|d| d.message.len() < 300));
        let last = &found[10];
        assert_eq!(
            last.message,
            format!(
                "'{{parm10}}' and 19 more tokens of this value are not supplied by route '{}…' either",
                &route.join("/")[..79]
            )
        );
        assert_eq!(&json[last.range.as_usize()], path[10..].join("/"));
    }
}
