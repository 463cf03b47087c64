//! AZF306: a binding's `connection` names a setting that local.settings.json does not define.

use super::context::{did_you_mean_hint, AppCtx};
use super::{FixAvailability, NamedUse, RuleMeta};
use crate::analysis::settings::CONNECTION_KEYS;
use crate::analysis::diagnostic::{quoted, Diagnostic, Severity};
use crate::analysis::function::FunctionUnit;
use crate::analysis::settings::Resolution;
use super::fix_support::{undefined_setting_fixes, unit_of, FixCtx, QuickFix, EMULATOR};
use crate::analysis::edits::json_quote;
use crate::analysis::json;
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF306",
    name: "connection-unresolved",
    severity: Severity::Warning,
    summary: "A binding's `connection` names a setting that local.settings.json does not define",
    explanation: r#"`connection` is the *name* of a setting. The host looks for `AzureWebJobs<name>`, then `<name>`
(each also in `ConnectionStrings`), then an identity-based group `<name>__…`. When none exists the
binding fails when its listener starts.

```json
{ "type": "serviceBusTrigger", "name": "msg", "queueName": "orders", "connection": "ServiceBus" }
```

with no `ServiceBus` (or `AzureWebJobsServiceBus`, or `ServiceBus__fullyQualifiedNamespace`)
setting. Add it to local.settings.json (and to the app's settings in Azure).
"#,
    fix: FixAvailability::Unsafe,
};

/// Related places shown at most for one setting (the message counts the rest).
const MAX_RELATED: usize = 50;

/// The connection names `unit`'s bindings use, but those AZF305 (the storage account) and AZF308
/// (`%`) are about.
pub fn uses(unit: &FunctionUnit) -> Vec<NamedUse> {
    let mut found = Vec::new();
    for b in unit.bindings() {
        for key in CONNECTION_KEYS {
            let Some(conn) = b.property_str(key) else { continue };
            let name = conn.value.trim();
            if name.is_empty() || name == "Storage" || name == "AzureWebJobsStorage" || name.contains('%') {
                continue;
            }
            found.push(NamedUse { name: name.to_string(), range: conn.range });
        }
    }
    found
}

/// One finding per setting name, at its first use in host order, with every other binding that
/// names it as related information: one missing setting is one mistake.
pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(settings) = &ctx.settings else { return };
    let unresolved = ctx.unresolved_uses(&ctx.facts.connections, |name| {
        settings.resolve_connection(name) == Resolution::Unresolved
    });
    for (name, places) in unresolved {
        let (unit, range) = places[0];
        let hint = did_you_mean_hint(settings.suggest_value(name));
        let others = places.len() - 1;
        let also = match others {
            0 => String::new(),
            n => format!(" (used by {} bindings)", n + 1),
        };
        let mut d = META.diag(
            unit.declaration_file(),
            range,
            format!("connection '{name}' does not resolve: local.settings.json has no '{name}', 'AzureWebJobs{name}' or '{name}__…' setting{hint}{also}"),
        );
        d.function = Some(unit.name.clone());
        for (other, range) in places.iter().skip(1).take(MAX_RELATED) {
            d = d.with_related(
                other.declaration_file(),
                *range,
                format!("'{name}' is also the connection of {}", quoted(&other.name)),
            );
        }
        out.push(d);
    }
}

/// Use the near-miss setting, or add the setting.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    let Some(value) = json_string_at(ctx, &d.file, d.range) else {
        return Vec::new();
    };
    let name = value.trim();
    let storage = unit_of(ctx, d)
        .and_then(|u| {
            u.bindings().iter().find(|b| {
                b.members
                    .iter()
                    .any(|m| m.value.as_ref().is_some_and(|v| v.range == d.range))
            })
        })
        .and_then(|b| b.type_str())
        .is_some_and(|t| {
            matches!(
                t.to_ascii_lowercase().as_str(),
                "queuetrigger" | "queue" | "blobtrigger" | "blob" | "table"
            )
        });
    let default = if storage { EMULATOR } else { "" };
    undefined_setting_fixes(ctx, d, name, default, |s| {
        Some((format!("Use connection '{s}'"), json_quote(s)))
    })
}

/// The JSON string value at `range` of `file`.
fn json_string_at(ctx: &dyn FixCtx, file: &str, range: TextRange) -> Option<String> {
    let raw = ctx.input().text(file)?.get(range.as_usize())?;
    json::parse(raw).value?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn connections() {
        let settings = "//- /local.settings.json\n{\"IsEncrypted\": false, \"Values\": {\"AzureWebJobsOrders\": \"x\", \"ServiceBusConnection\": \"y\", \"Hub__fullyQualifiedNamespace\": \"z\"}}\n";
        expect![[r#"
            F/function.json:1:90 AZF306 warning connection 'ServiceBusConection' does not resolve: local.settings.json has no 'ServiceBusConection', 'AzureWebJobsServiceBusConection' or 'ServiceBusConection__…' setting — did you mean 'ServiceBusConnection'?
        "#]]
        .assert_eq(&check(
            "AZF306",
            &format!("{settings}//- /F/function.json\n{{\"bindings\": [{{\"type\": \"serviceBusTrigger\", \"name\": \"m\", \"queueName\": \"q\", \"connection\": \"ServiceBusConection\"}}, {{\"type\": \"queue\", \"direction\": \"out\", \"name\": \"o\", \"queueName\": \"x\", \"connection\": \"Orders\"}}, {{\"type\": \"eventHub\", \"direction\": \"out\", \"name\": \"e\", \"eventHubName\": \"h\", \"connection\": \"Hub\"}}]}}\n"),
        ));
    }

    #[test]
    fn one_missing_connection_is_one_finding_in_both_models() {
        let mut fixture = String::from("//- /local.settings.json\n{\"IsEncrypted\": false, \"Values\": {}}\n//- /function_app.py\nimport azure.functions as func\napp = func.FunctionApp()\n");
        for i in 1..=3 {
            fixture.push_str(&format!("@app.queue_trigger(arg_name=\"m\", queue_name=\"q\", connection=\"Bus\")\ndef f{i}(m: func.QueueMessage) -> None:\n    pass\n"));
        }
        expect![[r#"
            function_app.py:3:61 AZF306 warning connection 'Bus' does not resolve: local.settings.json has no 'Bus', 'AzureWebJobsBus' or 'Bus__…' setting (used by 3 bindings)
              related function_app.py:6:61: 'Bus' is also the connection of f2
              related function_app.py:9:61: 'Bus' is also the connection of f3
        "#]]
        .assert_eq(&check("AZF306", &fixture));
    }
}
