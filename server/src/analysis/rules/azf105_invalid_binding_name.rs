//! AZF105: a binding name is not a valid binding name.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::names::is_valid_binding_name;

pub const META: RuleMeta = RuleMeta {
    code: "AZF105",
    name: "invalid-binding-name",
    severity: Severity::Error,
    summary: "A binding name is not a valid identifier for the host",
    explanation: r#"The host accepts binding names that start with a letter (or `_` on hosts 4.1038 and later),
continue with letters, digits (and single `_`), are at most 128 characters, or are exactly `$return`.

```json
{ "type": "queue", "name": "out-msg", "direction": "out", "queueName": "orders" }
```

Use `outMsg`, and the same name for the Python parameter.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        let Some(name) = &b.name else { continue };
        if is_valid_binding_name(&name.value) {
            continue;
        }
        let why = if name.value.is_empty() {
            "it is empty".to_string()
        } else if name.value.eq_ignore_ascii_case("$return") {
            "the return binding must be spelled exactly '$return'".to_string()
        } else if name.value.contains("__") {
            "names may not contain '__'".to_string()
        } else {
            "names start with a letter and use only letters and digits".to_string()
        };
        out.push(ctx.declaration_diag(
            &META,
            name.range,
            format!("the binding name '{}' is invalid: {why}", name.value),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn invalid_names() {
        expect![[r#"
            F/function.json:1:64 AZF105 error the binding name 'out-msg' is invalid: names start with a letter and use only letters and digits
            F/function.json:1:140 AZF105 error the binding name '$Return' is invalid: the return binding must be spelled exactly '$return'
        "#]]
        .assert_eq(&check(
            "AZF105",
            r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}, {"name": "out-msg", "type": "queue", "direction": "out", "queueName": "q"}, {"name": "$Return", "type": "http", "direction": "out"}, {"name": "my_blob", "type": "blob", "path": "a/b"}]}
"#,
        ));
    }
}
