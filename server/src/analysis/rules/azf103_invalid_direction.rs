//! AZF103: a binding's `direction` is not `in`, `out` or `inout`.

use super::context::{did_you_mean_hint, FunctionCtx};
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::{binding_types::DIRECTIONS, did_you_mean};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF103",
    name: "invalid-direction",
    severity: Severity::Error,
    summary: "A binding's `direction` is not `in`, `out` or `inout`",
    explanation: r#"The host accepts `in`, `out` and `inout` (in any case); anything else fails the function.

```json
{ "type": "blob", "name": "doc", "direction": "input", "path": "docs/{name}" }
```

Use `"direction": "in"`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        let (Some(raw), None) = (&b.direction_raw, b.direction) else {
            continue;
        };
        let lower = raw.value.to_ascii_lowercase();
        let hint = did_you_mean_hint(match lower.as_str() {
            "input" | "inbound" | "read" => Some("in"),
            "output" | "outbound" | "write" => Some("out"),
            _ => did_you_mean(&raw.value, DIRECTIONS.iter().copied()),
        });
        out.push(ctx.declaration_diag(
            &META,
            raw.range,
            format!(
                "'{}' is not a valid binding direction: the host will not load '{}'{hint}",
                raw.value,
                ctx.name()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn bad_directions() {
        expect![[r#"
            F/function.json:1:114 AZF103 error 'input' is not a valid binding direction: the host will not load 'F' — did you mean 'in'?
        "#]]
        .assert_eq(&check(
            "AZF103",
            r#"
//- /F/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *", "direction": "IN"}, {"direction": "input", "type": "blob", "name": "b", "path": "x/y"}]}
"#,
        ));
    }
}
