//! AZF117: an HTTP trigger's `methods` has a value that is not an HTTP method.

use super::context::{did_you_mean_hint, FunctionCtx};
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::{binding_types::HTTP_METHODS, did_you_mean};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::json::JsonKind;

pub const META: RuleMeta = RuleMeta {
    code: "AZF117",
    name: "invalid-http-method",
    severity: Severity::Warning,
    summary: "`methods` of an HTTP trigger lists something that is not an HTTP method",
    explanation: r#"`methods` is an array of HTTP method names. A misspelled method never matches a request, so
calls with the intended method get 404.

```json
{ "type": "httpTrigger", "name": "req", "methods": ["get", "pots"] }
```

Use `"post"`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        if !b.is_http_trigger() {
            continue;
        }
        let Some(value) = b.property("methods").and_then(|m| m.value.as_ref()) else {
            continue;
        };
        match &value.kind {
            JsonKind::Array(items) => {
                for item in items {
                    match item.as_str() {
                        Some(m) if HTTP_METHODS.iter().any(|h| h.eq_ignore_ascii_case(m)) => {}
                        Some(m) => {
                            let hint = did_you_mean_hint(did_you_mean(m, HTTP_METHODS.iter().copied()));
                            out.push(ctx.declaration_diag(
                                &META,
                                item.range,
                                format!("'{m}' is not an HTTP method, so requests with the method meant get 404{hint}"),
                            ));
                        }
                        None => out.push(ctx.declaration_diag(
                            &META,
                            item.range,
                            "each entry of `methods` must be a string such as \"get\"",
                        )),
                    }
                }
            }
            JsonKind::Null => {}
            _ => out.push(ctx.declaration_diag(
                &META,
                value.range,
                "`methods` must be an array of HTTP methods, e.g. [\"get\", \"post\"]",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn methods() {
        expect![[r#"
            F/function.json:1:73 AZF117 warning 'pots' is not an HTTP method, so requests with the method meant get 404 — did you mean 'post'?
            G/function.json:1:65 AZF117 warning `methods` must be an array of HTTP methods, e.g. ["get", "post"]
        "#]]
        .assert_eq(&check(
            "AZF117",
            r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req", "methods": ["GET", "pots"]}]}
//- /G/function.json
{"bindings": [{"type": "httpTrigger", "name": "req", "methods": "get"}]}
"#,
        ));
    }
}
