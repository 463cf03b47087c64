//! AZF308: `connection` is written as a `%Setting%` expression.

use crate::analysis::settings::CONNECTION_KEYS;
use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF308",
    name: "percent-in-connection",
    severity: Severity::Warning,
    summary: "`connection` is written as `%Setting%`, but it already is a setting name",
    explanation: r#"`connection` holds the *name* of a setting; the host does not expand `%…%` there, so
`"%MyStorage%"` looks for a setting literally named `%MyStorage%`.

```json
{ "type": "queueTrigger", "name": "msg", "queueName": "orders", "connection": "%MyStorage%" }
```

Write `"connection": "MyStorage"`.
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        for key in CONNECTION_KEYS {
            let Some(conn) = b.property_str(key) else { continue };
            if !conn.value.contains('%') {
                continue;
            }
            let bare = conn.value.trim_matches('%').to_string();
            out.push(ctx.string_diag(
                &META,
                conn.range,
                format!("'{key}' is already a setting name: the host does not expand '{}', write '{bare}'", conn.value),
                format!("Use '{bare}'"),
                &bare,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_fix};
    use expect_test::expect;

    #[test]
    fn percent() {
        expect![[r#"
            F/function.json:1:85 AZF308 warning 'connection' is already a setting name: the host does not expand '%MyStorage%', write 'MyStorage'
              fix: Use 'MyStorage'
        "#]]
        .assert_eq(&check("AZF308", "//- /F/function.json\n{\"bindings\": [{\"type\": \"queueTrigger\", \"name\": \"m\", \"queueName\": \"q\", \"connection\": \"%MyStorage%\"}]}\n"));
    }

    /// The fix, applied as the editor offers it.
    #[test]
    fn fix() {
        let percent = r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "m", "queueName": "q", "connection": "%AzureWebJobsStorage%"}]}
//- /F/__init__.py
def main(m): pass
"#;
        expect_test::expect![[r#"
            Use 'AzureWebJobsStorage' [preferred] [auto]
            --- F/function.json
            {"bindings": [{"type": "queueTrigger", "name": "m", "queueName": "q", "connection": "AzureWebJobsStorage"}]}
        "#]]
        .assert_eq(&check_fix(percent, "AZF308", "Use"));
    }
}
