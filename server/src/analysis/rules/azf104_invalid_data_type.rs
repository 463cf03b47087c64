//! AZF104: a binding's `dataType` is not `string`, `binary` or `stream`.

use super::context::{did_you_mean_hint, FunctionCtx};
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::{binding_types::DATA_TYPES, did_you_mean};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF104",
    name: "invalid-data-type",
    severity: Severity::Error,
    summary: "A binding's `dataType` is not `string`, `binary` or `stream`",
    explanation: r#"`dataType` tells the host how to pass the payload. The host accepts `string`, `binary`, `stream`
(and `undefined`), in any case; any other value fails the function.

```json
{ "type": "blobTrigger", "name": "blob", "path": "in/{name}", "dataType": "bytes" }
```

Use `"dataType": "binary"`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        let Some(dt) = &b.data_type else { continue };
        if DATA_TYPES.iter().any(|d| d.eq_ignore_ascii_case(&dt.value)) {
            continue;
        }
        let hint = did_you_mean_hint(did_you_mean(&dt.value, ["string", "binary", "stream"])
            .or(match dt.value.to_ascii_lowercase().as_str() {
                "bytes" | "byte" | "bin" => Some("binary"),
                "str" | "text" => Some("string"),
                _ => None,
            }));
        out.push(ctx.declaration_diag(
            &META,
            dt.range,
            format!(
                "'{}' is not a valid binding dataType (string, binary or stream): the host will not load '{}'{hint}",
                dt.value,
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
    fn bad_data_types() {
        expect![[r#"
            F/function.json:1:81 AZF104 error 'text' is not a valid binding dataType (string, binary or stream): the host will not load 'F' — did you mean 'string'?
        "#]]
        .assert_eq(&check(
            "AZF104",
            r#"
//- /F/function.json
{"bindings": [{"type": "blobTrigger", "name": "b", "path": "x/{n}", "dataType": "text"}, {"type": "blob", "name": "c", "path": "y", "dataType": "Binary", "direction": "out"}]}
"#,
        ));
    }
}
