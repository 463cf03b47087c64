//! AZF111: a binding uses direction `inout`, which the Python worker does not support.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function_json::Direction;

pub const META: RuleMeta = RuleMeta {
    code: "AZF111",
    name: "inout-direction",
    severity: Severity::Error,
    summary: "A binding uses direction `inout`, which the Python worker rejects",
    explanation: r#"The host accepts `inout`, but the Python worker refuses to load such a function.

```json
{ "type": "blob", "name": "doc", "direction": "inout", "path": "docs/{id}" }
```

Use two bindings: one `in` to read and one `out` (with `func.Out[...]`) to write.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        if b.direction == Some(Direction::InOut) {
            let range = b.direction_raw.as_ref().map(|d| d.range).unwrap_or(b.range);
            out.push(ctx.declaration_diag(
                &META,
                range,
                format!(
                    "\"inout\" bindings are not supported by the Python worker: split '{}' into an 'in' and an 'out' binding",
                    b.name_str().unwrap_or("")
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
    fn inout() {
        expect![[r#"
            F/function.json:1:101 AZF111 error "inout" bindings are not supported by the Python worker: split 'doc' into an 'in' and an 'out' binding
        "#]]
        .assert_eq(&check(
            "AZF111",
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg"}, {"type": "blob", "name": "doc", "direction": "InOut"}]}
"#,
        ));
    }
}
