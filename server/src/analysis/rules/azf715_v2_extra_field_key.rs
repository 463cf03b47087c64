//! AZF715: an extra binding field whose key the library cannot turn into a property name.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::decorator_types::{camel_case, DecoratorKind};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::v2::syntax::{ExprKind, PyExpr};

pub const META: RuleMeta = RuleMeta {
    code: "AZF715",
    name: "extra-field-key",
    severity: Severity::Error,
    summary: "An extra binding field's key is neither one word nor snake_case",
    explanation: r#"Extra keyword arguments of a decorator (and the keys of `trigger_extra_fields` /
`binding_extra_fields`) become binding properties: `visibility_timeout` → `visibilityTimeout`.
The library accepts only one word or snake_case keys; anything else fails while the worker builds
the function's metadata ("Please ensure visibility-timeout is a word or snake case string with
underscore as separator.") and the app has no function.

```python
@app.queue_trigger(arg_name="msg", queue_name="q", connection="C", **{"visibility-timeout": "00:00:30"})
```

Use `visibility_timeout="00:00:30"`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for d in ctx.unit.decorators() {
        let Some((spec, bound)) = d.bound_args() else {
            continue;
        };
        let mut keys: Vec<(String, crate::analysis::text::TextRange)> = Vec::new();
        if spec.kwargs {
            keys.extend(bound.extra.iter().filter_map(|a| a.keyword.clone()));
        }
        if spec.kind == DecoratorKind::Route {
            for field in ["trigger_extra_fields", "binding_extra_fields"] {
                if let Some(PyExpr {
                    kind: ExprKind::Dict(items),
                    ..
                }) = bound.value(field)
                {
                    for i in items {
                        if let Some(k) = i.key.as_ref().and_then(|k| k.as_str().map(|s| (s.to_string(), k.range))) {
                            keys.push(k);
                        }
                    }
                }
            }
        }
        for (key, range) in keys {
            if camel_case(&key).is_some() {
                continue;
            }
            out.push(ctx.diag(
                &META,
                &d.file,
                range,
                ctx.app_fails(format!(
                    "extra field '{key}' of {}() is neither one word nor snake_case: building the binding fails (ValueError: Please ensure {key} is a word or snake case string with underscore as separator.)",
                    d.display()
                )),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check_script;
    use expect_test::expect;

    #[test]
    fn extra_field_keys() {
        expect![[r#"
            function_app.py:4:69 AZF715 error extra field 'visibility-timeout' of app.queue_trigger() is neither one word nor snake_case: building the binding fails (ValueError: Please ensure visibility-timeout is a word or snake case string with underscore as separator.); the worker then indexes no function of the app ("0 functions found")
            function_app.py:7:45 AZF715 error extra field 'x.y' of app.route() is neither one word nor snake_case: building the binding fails (ValueError: Please ensure x.y is a word or snake case string with underscore as separator.); the worker then indexes no function of the app ("0 functions found")
        "#]]
        .assert_eq(&check_script(
            "AZF715",
            r#"

@app.queue_trigger(arg_name="m", queue_name="q", connection="C", **{"visibility-timeout": "00:00:30"}, batch_size=4)
def a(m): pass

@app.route(route="r", trigger_extra_fields={"x.y": 1, "ok_key": 2})
def b(req): return "x"
"#,
        ));
    }
}
