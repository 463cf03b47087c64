//! AZF115: a binding lacks a property its type requires.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::binding_type_ignore_case;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function_json::Binding;

pub const META: RuleMeta = RuleMeta {
    code: "AZF115",
    name: "missing-required-property",
    severity: Severity::Error,
    summary: "A binding lacks a property its type requires (e.g. `queueName`, `path`, `schedule`)",
    explanation: r#"Some bindings cannot work without a property: the host fails to index the function when a
queue binding has no `queueName`, a blob binding no `path` or a timer no `schedule`.

```json
{ "type": "queueTrigger", "name": "msg", "connection": "AzureWebJobsStorage" }
```

Add `"queueName": "orders"`.
"#,
    fix: FixAvailability::None,
};

fn has(b: &Binding, key: &str) -> bool {
    b.property(key)
        .and_then(|m| m.value.as_ref())
        .is_some_and(|v| v.as_str().is_none_or(|s| !s.trim().is_empty()))
}

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        // A decorator's own required parameters are AZF712's (a TypeError at import); only the
        // generic decorators leave the properties to the caller.
        if let Some(v2) = ctx.unit.decorated() {
            let generic = v2
                .decorator_of(ctx.unit.bindings(), b)
                .and_then(|d| d.spec())
                .is_some_and(|s| s.is_generic());
            if !generic || v2.origin(ctx.unit.bindings(), b).is_some_and(|o| o.dynamic) {
                continue;
            }
        }
        let Some(t) = b.type_str() else { continue };
        let Some(spec) = binding_type_ignore_case(t) else {
            continue;
        };
        let mut missing: Vec<String> = spec
            .required
            .iter()
            .filter(|group| !group.iter().any(|k| has(b, k)))
            .map(|group| {
                group
                    .iter()
                    .map(|k| format!("'{k}'"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            })
            .collect();
        if spec.name == "serviceBusTrigger" && has(b, "topicName") && !has(b, "subscriptionName") {
            missing.push("'subscriptionName' (with 'topicName')".into());
        }
        for what in missing {
            out.push(ctx.declaration_diag(
                &META,
                b.anchor(),
                format!(
                    "{} binding '{}' has no {what}; the host cannot index '{}'",
                    spec.name,
                    b.name_str().unwrap_or(""),
                    ctx.name()
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn required_properties() {
        expect![[r#"
            F/function.json:1:48 AZF115 error queueTrigger binding 'msg' has no 'queueName'; the host cannot index 'F'
            F/function.json:1:100 AZF115 error blob binding 'doc' has no 'path'; the host cannot index 'F'
            G/function.json:1:53 AZF115 error serviceBusTrigger binding 'm' has no 'subscriptionName' (with 'topicName'); the host cannot index 'G'
        "#]]
        .assert_eq(&check(
            "AZF115",
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "connection": "X"}, {"type": "blob", "name": "doc", "path": ""}]}
//- /G/function.json
{"bindings": [{"type": "serviceBusTrigger", "name": "m", "topicName": "t"}]}
//- /H/function.json
{"bindings": [{"type": "serviceBusTrigger", "name": "m", "queueName": "q"}, {"type": "someExtension", "name": "x"}]}
"#,
        ));
    }
}
