//! AZF309: a `%Setting%` expression in a binding names a setting that is not defined.


use super::context::{did_you_mean_hint, AppCtx};
use super::{FixAvailability, NamedUse, RuleMeta};
use crate::analysis::settings::CONNECTION_KEYS;
use crate::analysis::settings::setting_expressions;
use crate::analysis::diagnostic::{quoted, Diagnostic, Severity};
use crate::analysis::app::AppInput;
use crate::analysis::function::FunctionUnit;
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

/// Related places shown at most for one setting (the message counts the rest).
const MAX_RELATED: usize = 50;

/// The `%Name%` expressions of `unit`'s bindings, but those in connections (AZF308's).
pub fn uses(app: &AppInput, unit: &FunctionUnit) -> Vec<NamedUse> {
    let mut found = Vec::new();
    // Looked up at the first expression: most functions have none.
    let mut json_text: Option<&str> = None;
    for b in unit.bindings() {
        for m in &b.members {
            let Some(v) = m.value.as_ref() else { continue };
            let Some(s) = v.as_str() else { continue };
            if !s.contains('%') || CONNECTION_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&m.key)) {
                continue;
            }
            let json_text = *json_text.get_or_insert_with(|| app.text(unit.declaration_file()).unwrap_or(""));
            for (name, span) in setting_expressions(s) {
                // Point inside the string when it has no escapes (offsets then match the text).
                let raw = json_text.get(v.range.as_usize()).unwrap_or("");
                let range = if raw.len() == s.len() + 2 {
                    TextRange::new(v.range.start as usize + 1 + span.start, v.range.start as usize + 1 + span.end)
                } else {
                    v.range
                };
                found.push(NamedUse { name, range });
            }
        }
    }
    found
}

/// One finding per setting name, at its first use in host order, with every other `%Name%`
/// that names it as related information: one missing setting is one mistake.
pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(settings) = &ctx.settings else { return };
    let unresolved =
        ctx.unresolved_uses(&ctx.facts.setting_uses, |name| settings.value(name).is_none());
    for (name, places) in unresolved {
        let (unit, range) = places[0];
        let hint = did_you_mean_hint(settings.suggest_value(name));
        let also = match places.len() {
            1 => String::new(),
            n => format!(" (used by {n} bindings)"),
        };
        let mut d = META.diag(
            unit.declaration_file(),
            range,
            format!("'%{name}%' does not resolve: local.settings.json has no setting '{name}'{hint}{also}"),
        );
        d.function = Some(unit.name.clone());
        for (other, range) in places.iter().skip(1).take(MAX_RELATED) {
            d = d.with_related(
                other.declaration_file(),
                *range,
                format!("'%{name}%' is also used by {}", quoted(&other.name)),
            );
        }
        out.push(d);
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

    #[test]
    fn one_missing_setting_is_one_finding_with_every_use_related() {
        let mut fixture = String::from("//- /local.settings.json\n{\"IsEncrypted\": false, \"Values\": {}}\n");
        for i in 1..=6 {
            fixture.push_str(&format!("//- /F{i}/function.json\n{{\"bindings\": [{{\"type\": \"queueTrigger\", \"name\": \"m\", \"queueName\": \"%Orders%\"}}]}}\n"));
        }
        expect![[r#"
            F1/function.json:1:67 AZF309 warning '%Orders%' does not resolve: local.settings.json has no setting 'Orders' (used by 6 bindings)
              related F2/function.json:1:67: '%Orders%' is also used by F2
              related F3/function.json:1:67: '%Orders%' is also used by F3
              related F4/function.json:1:67: '%Orders%' is also used by F4
              related F5/function.json:1:67: '%Orders%' is also used by F5
              related F6/function.json:1:67: '%Orders%' is also used by F6
        "#]]
        .assert_eq(&check("AZF309", &fixture));
    }
}
