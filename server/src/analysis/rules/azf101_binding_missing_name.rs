//! AZF101: a binding has no `name`.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF101",
    name: "binding-missing-name",
    severity: Severity::Error,
    summary: "A binding has no `name`",
    explanation: r#"Every binding needs a `name`: the Python parameter it is passed as, or `$return`.

```json
{ "type": "queue", "direction": "out", "queueName": "orders" }
```

Add `"name": "msg"` and a parameter `msg: func.Out[str]`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        if b.name.is_none() && b.property("name").is_none() {
            let range = b
                .binding_type
                .as_ref()
                .map(|t| t.range)
                .unwrap_or(TextRange::new(
                    b.range.start as usize,
                    b.range.start as usize + 1,
                ));
            let kind = b.type_str().map(|t| format!("'{t}' ")).unwrap_or_default();
            out.push(ctx.declaration_diag(
                &META,
                range,
                format!(
                    "{kind}binding has no `name`; the host will not load '{}'",
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
    fn binding_without_name() {
        expect![[r#"
            F/function.json:1:110 AZF101 error 'queue' binding has no `name`; the host will not load 'F'
        "#]]
        .assert_eq(&check(
            "AZF101",
            r#"
//- /F/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}, {"direction": "out", "type": "queue", "queueName": "q"}]}
"#,
        ));
    }
}
