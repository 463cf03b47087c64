//! AZF120: a `bindings` entry is not an object, or one of its key fields is not a string.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF120",
    name: "malformed-binding",
    severity: Severity::Error,
    summary: "A `bindings` entry is not an object, or its `name`/`type`/`direction`/`dataType` is not a string",
    explanation: r#"Each entry of `bindings` is an object whose `name`, `type`, `direction` and `dataType` are
strings. Anything else cannot be read by the host.

```json
{ "bindings": [ "httpTrigger" ] }
```

Write `{ "type": "httpTrigger", "name": "req", "direction": "in" }`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for range in &ctx.unit.json.non_object_bindings {
        out.push(ctx.declaration_diag(&META, *range, "each binding must be a JSON object"));
    }
    for b in ctx.unit.bindings() {
        for (range, key) in &b.malformed {
            out.push(ctx.declaration_diag(&META, *range, format!("`{key}` must be a string")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn malformed() {
        expect![[r#"
            F/function.json:1:15 AZF120 error each binding must be a JSON object
            F/function.json:1:39 AZF120 error `name` must be a string
        "#]]
        .assert_eq(&check(
            "AZF120",
            r#"
//- /F/function.json
{"bindings": ["httpTrigger", {"name": ["req"], "type": "httpTrigger"}]}
"#,
        ));
    }
}
