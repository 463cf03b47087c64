//! AZF109: the function has no trigger binding.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF109",
    name: "no-trigger",
    severity: Severity::Error,
    summary: "No binding is a trigger",
    explanation: r#"A function needs exactly one trigger: an input binding whose type ends with `Trigger`.

```json
[ { "type": "http", "name": "req", "direction": "in" } ]
```

Use `"type": "httpTrigger"` for the request, and `http` (direction `out`) for the response.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    if ctx.unit.decorated().is_some() {
        return; // AZF708 knows the decorators
    }
    let json = &ctx.unit.json;
    if json.bindings.is_empty() || json.bindings.iter().any(|b| b.is_trigger()) {
        return;
    }
    let range = json.bindings_key.unwrap_or(TextRange::empty(0));
    let hint = json
        .bindings
        .iter()
        .find(|b| {
            b.type_str()
                .is_some_and(|t| t.to_ascii_lowercase().ends_with("trigger"))
        })
        .map(|b| format!(" ('{}' has direction 'out')", b.name_str().unwrap_or("")))
        .unwrap_or_default();
    out.push(ctx.declaration_diag(
        &META,
        range,
        format!(
            "no trigger binding{hint}: a function needs exactly one input binding whose type ends with 'Trigger', so the host will not load '{}'",
            ctx.name()
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn no_trigger() {
        expect![[r#"
            F/function.json:1:2 AZF109 error no trigger binding: a function needs exactly one input binding whose type ends with 'Trigger', so the host will not load 'F'
        "#]]
        .assert_eq(&check(
            "AZF109",
            r#"
//- /F/function.json
{"bindings": [{"type": "http", "name": "req"}, {"name": "$return", "type": "http", "direction": "out"}]}
//- /G/function.json
{"bindings": [{"type": "HTTPTRIGGER", "name": "req"}]}
"#,
        ));
    }
}
