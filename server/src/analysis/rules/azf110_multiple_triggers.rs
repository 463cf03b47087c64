//! AZF110: the function has more than one trigger binding.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF110",
    name: "multiple-triggers",
    severity: Severity::Error,
    summary: "More than one binding is a trigger",
    explanation: r#"A function runs for exactly one kind of event. Two triggers are refused.

```json
[ { "type": "queueTrigger", "name": "msg", "queueName": "a" },
  { "type": "timerTrigger", "name": "timer", "schedule": "0 */5 * * * *" } ]
```

Split it into two functions that share code.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    if ctx.unit.decorated().is_some() {
        return; // AZF709: the second trigger decorator raises at import
    }
    let triggers: Vec<_> = ctx
        .unit
        .bindings()
        .iter()
        .filter(|b| b.is_trigger())
        .collect();
    let Some(first) = triggers.first() else {
        return;
    };
    for extra in &triggers[1..] {
        let range = extra
            .binding_type
            .as_ref()
            .map(|t| t.range)
            .unwrap_or(extra.range);
        out.push(
            ctx.declaration_diag(
                &META,
                range,
                format!(
                    "'{}' is a second trigger binding, and a function has exactly one: the host will not load '{}'",
                    extra.type_str().unwrap_or(""),
                    ctx.name()
                ),
            )
            .with_related(
                ctx.unit.declaration_file(),
                first.binding_type.as_ref().map(|t| t.range).unwrap_or(first.range),
                "the first trigger",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn two_triggers() {
        expect![[r#"
            F/function.json:1:65 AZF110 error 'timerTrigger' is a second trigger binding, and a function has exactly one: the host will not load 'F'
              related F/function.json:1:24: the first trigger
        "#]]
        .assert_eq(&check(
            "AZF110",
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg"}, {"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
"#,
        ));
    }
}
