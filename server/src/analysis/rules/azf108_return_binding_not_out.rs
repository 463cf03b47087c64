//! AZF108: the `$return` binding's direction is not `out`.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function_json::Direction;

pub const META: RuleMeta = RuleMeta {
    code: "AZF108",
    name: "return-binding-not-out",
    severity: Severity::Error,
    summary: "The `$return` binding's direction is not `out`",
    explanation: r#"`$return` binds the function's return value, so its direction must be `out` (`in` is the
default when `direction` is missing).

```json
{ "type": "http", "name": "$return" }
```

Add `"direction": "out"`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        let Some(name) = &b.name else { continue };
        if !name.value.eq_ignore_ascii_case("$return")
            || b.direction == Some(Direction::Out)
            || b.direction.is_none()
        {
            continue;
        }
        let range = b
            .direction_raw
            .as_ref()
            .map(|d| d.range)
            .unwrap_or(name.range);
        let current = b.direction.map(|d| d.as_str()).unwrap_or("in");
        out.push(ctx.declaration_diag(
            &META,
            range,
            format!(
                "the '$return' binding has direction '{current}', but it must be 'out': the host will not load '{}'",
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
    fn return_direction() {
        expect![[r#"
            F/function.json:1:64 AZF108 error the '$return' binding has direction 'in', but it must be 'out': the host will not load 'F'
        "#]]
        .assert_eq(&check(
            "AZF108",
            r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}, {"name": "$return", "type": "http"}]}
"#,
        ));
    }
}
