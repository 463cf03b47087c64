//! AZF102: a binding has no `type`.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF102",
    name: "binding-missing-type",
    severity: Severity::Error,
    summary: "A binding has no `type`",
    explanation: r#"Every binding needs a `type` such as `httpTrigger`, `queue` or `blob`.

```json
{ "name": "msg", "direction": "out", "queueName": "orders" }
```

Add `"type": "queue"`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        if b.binding_type.is_none() && b.property("type").is_none() {
            let name = b.name_str().unwrap_or("");
            out.push(ctx.declaration_diag(
                &META,
                b.anchor(),
                format!(
                    "binding '{name}' has no `type`; the host will not load '{}'",
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
    fn binding_without_type() {
        expect![[r#"
            F/function.json:1:90 AZF102 error binding 'msg' has no `type`; the host will not load 'F'
        "#]]
        .assert_eq(&check(
            "AZF102",
            r#"
//- /F/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}, {"name": "msg", "direction": "out"}]}
"#,
        ));
    }
}
