//! AZF309: a `%Setting%` expression in a binding names a setting that is not defined.

use super::context::{did_you_mean_hint, FunctionCtx};
use super::{FixAvailability, RuleMeta};
use crate::analysis::settings::CONNECTION_KEYS;
use crate::analysis::settings::setting_expressions;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;
use super::fix_support::{undefined_setting_fixes, FixCtx, QuickFix};

pub const META: RuleMeta = RuleMeta {
    code: "AZF309",
    name: "app-setting-unresolved",
    severity: Severity::Warning,
    summary: "A `%Setting%` expression in a binding names a setting local.settings.json does not define",
    explanation: r#"The host replaces `%Name%` in binding properties (`queueName`, `path`, `schedule`, …) with the
app setting `Name` when it indexes the function; an undefined setting fails the function
("'%Name%' does not resolve to a value").

```json
{ "type": "queueTrigger", "name": "msg", "queueName": "%OrdersQueue%" }
```

Add `"OrdersQueue": "orders"` to local.settings.json (and the app's settings in Azure).
"#,
    fix: FixAvailability::Unsafe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(settings) = ctx.settings() else { return };
    for b in ctx.unit.bindings() {
        for m in &b.members {
            if CONNECTION_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&m.key)) {
                continue;
            }
            let Some(v) = m.value.as_ref() else { continue };
            let Some(s) = v.as_str() else { continue };
            for (name, span) in setting_expressions(s) {
                if settings.value(&name).is_some() {
                    continue;
                }
                // Point inside the string when it has no escapes (offsets then match the text).
                let raw = ctx.json_text.get(v.range.as_usize()).unwrap_or("");
                let range = if raw.len() == s.len() + 2 {
                    TextRange::new(v.range.start as usize + 1 + span.start, v.range.start as usize + 1 + span.end)
                } else {
                    v.range
                };
                let hint = did_you_mean_hint(settings.suggest_value(&name));
                out.push(ctx.declaration_diag(
                    &META,
                    range,
                    format!("'%{name}%' does not resolve: local.settings.json has no setting '{name}'{hint}"),
                ));
            }
        }
    }
}

/// Use the near-miss setting in the `%Name%` expression, or add the setting.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    let raw = ctx
        .input()
        .text(&d.file)
        .and_then(|t| t.get(d.range.as_usize()))
        .unwrap_or("");
    let name = match raw.strip_prefix('%').and_then(|r| r.strip_suffix('%')) {
        Some(n) => n.to_string(),
        None => match d
            .message
            .split_once("'%")
            .and_then(|(_, rest)| rest.split_once("%'"))
        {
            Some((n, _)) => n.to_string(),
            None => return Vec::new(),
        },
    };
    let expression = raw.starts_with('%');
    undefined_setting_fixes(ctx, d, &name, "", |s| {
        expression.then(|| (format!("Use '%{s}%'"), format!("%{s}%")))
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn expressions() {
        expect![[r#"
            F/function.json:1:67 AZF309 warning '%Queue%' does not resolve: local.settings.json has no setting 'Queue' — did you mean 'QUEUE'?
        "#]]
        .assert_eq(&check(
            "AZF309",
            "//- /local.settings.json\n{\"IsEncrypted\": false, \"Values\": {\"QUEUE\": \"q\", \"Container\": \"c\"}}\n//- /F/function.json\n{\"bindings\": [{\"type\": \"queueTrigger\", \"name\": \"m\", \"queueName\": \"%Queue%\"}, {\"type\": \"blob\", \"name\": \"b\", \"path\": \"%Container%/{name} 100%\"}]}\n",
        ));
    }
}
