//! AZF113: a binding type differs from a known type only in case.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::{binding_type, binding_type_ignore_case};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF113",
    name: "binding-type-case",
    severity: Severity::Warning,
    summary: "A binding type differs from a known type only in case; the Python worker then treats it as generic",
    explanation: r#"The host finds binding types ignoring case, but the Python worker looks its converters up
case-sensitively. `HttpTrigger` therefore loads as a *generic* binding: `func.HttpRequest` is
rejected and a `str` parameter receives data the generic binding cannot decode.

```json
{ "type": "HttpTrigger", "name": "req", "direction": "in" }
```

Use `"type": "httpTrigger"`.
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        let Some(t) = &b.binding_type else { continue };
        if binding_type(&t.value).is_some() {
            continue;
        }
        let Some(known) = binding_type_ignore_case(&t.value) else {
            continue;
        };
        out.push(ctx.string_diag(
            &META,
            t.range,
            format!(
                "binding type '{}' should be spelled '{}': the host accepts it, but the Python worker treats it as a generic binding",
                t.value, known.name
            ),
            format!("Change the type to '{}'", known.name),
            known.name,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn miscased_type() {
        expect![[r#"
            F/function.json:1:24 AZF113 warning binding type 'HttpTrigger' should be spelled 'httpTrigger': the host accepts it, but the Python worker treats it as a generic binding
              fix: Change the type to 'httpTrigger'
        "#]]
        .assert_eq(&check(
            "AZF113",
            r#"
//- /F/function.json
{"bindings": [{"type": "HttpTrigger", "name": "req"}, {"type": "http", "name": "$return", "direction": "out"}]}
"#,
        ));
    }
}
