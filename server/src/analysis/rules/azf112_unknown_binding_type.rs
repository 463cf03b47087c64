//! AZF112: a binding type is a misspelling of a known type, so no extension provides it.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::{
    binding_type_ignore_case, binding_types::BINDING_TYPES, did_you_mean,
};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF112",
    name: "unknown-binding-type",
    severity: Severity::Error,
    summary:
        "A binding type is a misspelling of a known type; the extension bundle has no such binding",
    explanation: r#"The host looks every binding type up in the extension bundle. A misspelled type is not found,
and the function fails ("The binding type(s) 'queu' were not found in the configured extension
bundle"). Types that are not close to a known one are left alone: they may come from an
extension this tool has no data for.

```json
{ "type": "queu", "name": "msg", "direction": "out", "queueName": "orders" }
```

Use `"type": "queue"`.
"#,
    fix: FixAvailability::Unsafe,
};

/// A known type that `value` merely decorates with a prefix (`storageQueueTrigger` →
/// `queueTrigger`), when no explicitly installed extension could provide the longer name.
fn known_suffix(ctx: &FunctionCtx, value: &str) -> Option<&'static str> {
    if ctx.app.exists("extensions.csproj") || ctx.app.exists("bin/extensions.json") {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    BINDING_TYPES
        .iter()
        .map(|b| b.name)
        .filter(|n| n.len() >= 8 && lower.len() > n.len())
        .find(|n| lower.ends_with(&n.to_ascii_lowercase()))
}

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        let Some(t) = &b.binding_type else { continue };
        if binding_type_ignore_case(&t.value).is_some() || t.value.is_empty() {
            continue;
        }
        let Some(suggestion) = did_you_mean(&t.value, BINDING_TYPES.iter().map(|b| b.name))
            .or_else(|| known_suffix(ctx, &t.value))
        else {
            continue;
        };
        out.push(ctx.string_diag(
            &META,
            t.range,
            format!(
                "unknown binding type '{}': the extension bundle has no such binding, so '{}' will not load — did you mean '{suggestion}'?",
                t.value,
                ctx.name()
            ),
            format!("Change the type to '{suggestion}'"),
            suggestion,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_fix};
    use expect_test::expect;

    #[test]
    fn misspelled_types_only() {
        expect![[r#"
            F/function.json:1:85 AZF112 error unknown binding type 'queu': the extension bundle has no such binding, so 'F' will not load — did you mean 'queue'?
              fix: Change the type to 'queue'
        "#]]
        .assert_eq(&check(
            "AZF112",
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg"}, {"direction": "out", "type": "queu", "name": "o"}, {"type": "myCompanyBinding", "name": "x"}, {"type": "HttpTrigger", "name": "y"}]}
"#,
        ));
    }

    /// The fix, applied as the editor offers it.
    #[test]
    fn fix() {
        let typo = r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}, {"direction": "out", "type": "queu", "name": "o", "queueName": "x"}]}
//- /F/__init__.py
def main(msg, o): pass
"#;
        expect_test::expect![[r#"
            Change the type to 'queue' [preferred]
            --- F/function.json
            {"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}, {"direction": "out", "type": "queue", "name": "o", "queueName": "x"}]}
        "#]]
        .assert_eq(&check_fix(typo, "AZF112", "Change the type"));
    }
}
