//! AZF116: a binding property has a value outside its allowed set (e.g. `authLevel`).

use super::context::{did_you_mean_hint, FunctionCtx};
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::{binding_type_ignore_case, did_you_mean, PropKind};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF116",
    name: "invalid-property-value",
    severity: Severity::Error,
    summary:
        "A binding property has a value outside its allowed set (`authLevel`, `cardinality`, …)",
    explanation: r#"Some properties are enumerations that the host parses (ignoring case); other values make the
function fail to index.

```json
{ "type": "httpTrigger", "name": "req", "authLevel": "public" }
```

Use `anonymous`, `function` or `admin`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        let Some(spec) = b.type_str().and_then(binding_type_ignore_case) else {
            continue;
        };
        for prop in spec.props.unwrap_or_default() {
            let PropKind::Enum(values) = prop.kind else {
                continue;
            };
            let Some(value) = b.property_str(prop.name) else {
                continue;
            };
            if value.value.contains('%')
                || values.iter().any(|v| v.eq_ignore_ascii_case(&value.value))
            {
                continue;
            }
            let hint = did_you_mean_hint(did_you_mean(&value.value, values.iter().copied()));
            out.push(ctx.declaration_diag(
                &META,
                value.range,
                format!(
                    "'{}' is not a valid {} (expected {}): the host will not load '{}'{hint}",
                    value.value,
                    prop.name,
                    values.join(", "),
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
    fn enum_values() {
        expect![[r#"
            F/function.json:1:52 AZF116 error 'anonymus' is not a valid authLevel (expected anonymous, function, admin, user, system): the host will not load 'F' — did you mean 'anonymous'?
        "#]]
        .assert_eq(&check(
            "AZF116",
            r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "authLevel": "anonymus", "name": "req"}]}
//- /G/function.json
{"bindings": [{"type": "httpTrigger", "authLevel": "Anonymous", "name": "req"}, {"type": "eventHub", "name": "e", "cardinality": "%CARD%", "direction": "out"}]}
"#,
        ));
    }
}
