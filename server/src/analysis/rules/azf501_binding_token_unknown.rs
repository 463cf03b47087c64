//! AZF501: a `{token}` in a binding is not supplied by the trigger.

use super::context::FunctionCtx;
use super::RuleMeta;
use crate::analysis::catalog::did_you_mean;
use crate::analysis::diagnostic::{Diagnostic, Severity};
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
    let Some(trigger) = ctx.unit.json.bindings.iter().find(|b| b.is_trigger()) else { return };
    let Some(t) = trigger.type_str() else { return };
    // What the trigger supplies, and whether anything else may be (JSON payload properties).
    let (supplied, open, what): (Vec<String>, bool, String) = match t.to_ascii_lowercase().as_str() {
        "httptrigger" => {
            let route = trigger.property_str("route").map(|r| r.value).unwrap_or_default();
            // Request bodies may be JSON: only near misses of route parameters are reported.
            (route_params(&route), true, format!("route '{route}'"))
        }
        "blobtrigger" => {
            let path = trigger.property_str("path").map(|p| p.value).unwrap_or_default();
            let mut names: Vec<String> = tokens(&path).into_iter().map(|(t, _)| t).collect();
            names.extend(["BlobTrigger", "Uri", "Properties", "Metadata", "name"].map(String::from));
            (names, false, format!("the blob trigger path '{path}'"))
        }
        "timertrigger" => (Vec::new(), false, "a timer trigger".to_string()),
        _ => return,
    };
    for b in &ctx.unit.json.bindings {
        if b.is_trigger() {
            continue;
        }
        for m in &b.members {
            if matches!(m.key.to_ascii_lowercase().as_str(), "name" | "type" | "direction" | "datatype" | "connection") {
                continue;
            }
            let Some(v) = m.value.as_ref() else { continue };
            let Some(s) = v.as_str() else { continue };
            for (token, span) in tokens(s) {
                let base = token.split(['.', ':']).next().unwrap_or("");
                if token.is_empty() || builtin(&token) || supplied.iter().any(|n| n.eq_ignore_ascii_case(base)) {
                    continue;
                }
                if open && (token.starts_with("query.") || token.starts_with("headers.")) {
                    continue;
                }
                let suggestion = did_you_mean(base, supplied.iter().map(String::as_str));
                if open && suggestion.is_none() {
                    continue;
                }
                let raw = ctx.json_text.get(v.range.as_usize()).unwrap_or("");
                let range = if raw.len() == s.len() + 2 {
                    TextRange::new(v.range.start as usize + 1 + span.start, v.range.start as usize + 1 + span.end)
                } else {
                    v.range
                };
                let hint = suggestion.map(|s| format!(" — did you mean '{{{s}}}'?")).unwrap_or_default();
                out.push(ctx.json_diag(&META, range, format!("'{{{token}}}' is not supplied by {what}{hint}")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn tokens() {
        expect![[r#"
            H/function.json:1:130 AZF501 warning '{ordrId}' is not supplied by route 'orders/{orderId}/{line}' — did you mean '{orderId}'?
            T/function.json:1:142 AZF501 warning '{name}' is not supplied by a timer trigger
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
}
