//! AZF305: a trigger needs `AzureWebJobsStorage`, and local.settings.json does not set it.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::settings::{Connection, ValueShape, LOCAL_SETTINGS};
use super::fix_support::{add_setting_fix, FixCtx, QuickFix, EMULATOR};
use crate::analysis::diagnostic::FileEdit;
use crate::analysis::edits::json_quote;

pub const META: RuleMeta = RuleMeta {
    code: "AZF305",
    name: "storage-missing",
    severity: Severity::Warning,
    summary: "A trigger other than HTTP needs `AzureWebJobsStorage`, which local.settings.json does not set",
    explanation: r#"The host keeps trigger state (leases, timers, poison queues) in the storage account named by
`AzureWebJobsStorage`. Core Tools refuses to start when it is missing, empty or a placeholder and
any trigger other than HTTP (and a few others) is used. The identity form
(`AzureWebJobsStorage__accountName`, `__queueServiceUri`, …) is fine.

```json
{ "IsEncrypted": false, "Values": { "FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "" } }
```

Use `"UseDevelopmentStorage=true"` with Azurite, or a real connection string.
"#,
    fix: FixAvailability::Safe,
};

/// Triggers Core Tools lets run without storage.
const EXEMPT: &[&str] = &[
    "httptrigger", "kafkatrigger", "rabbitmqtrigger", "orchestrationtrigger", "activitytrigger",
    "entitytrigger", "warmuptrigger", "daprbindingtrigger", "daprservicetrigger",
    "daprserviceinvocationtrigger", "daprtopictrigger",
];

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(trigger) = ctx.unit.bindings().iter().find(|b| b.is_trigger()) else { return };
    let Some(t) = trigger.type_str() else { return };
    if EXEMPT.contains(&t.to_ascii_lowercase().as_str()) {
        return;
    }
    // Asked only now: the functions this rule exempts do not depend on the settings.
    let Some(settings) = ctx.settings() else { return };
    let (problem, related) = match settings.connection("Storage") {
        Connection::Setting(name) => match settings.shape(name) {
            None | Some(ValueShape::Usable) => return,
            Some(ValueShape::Empty(range)) => ("is empty", (name == "AzureWebJobsStorage").then_some(range)),
            Some(ValueShape::Placeholder(range)) => ("is a placeholder, not a connection string", (name == "AzureWebJobsStorage").then_some(range)),
        },
        Connection::Section { .. } | Connection::ConnectionString(_) => return,
        Connection::Unresolved => ("is not set", None),
    };
    let range = trigger.binding_type.as_ref().map(|t| t.range).unwrap_or(trigger.range);
    let mut d = ctx.declaration_diag(
        &META,
        range,
        format!("a {t} needs the storage account in AzureWebJobsStorage, which {problem} in local.settings.json: `func start` refuses to run"),
    );
    // The setting the finding is about, when it is AzureWebJobsStorage itself.
    if let Some(range) = related {
        d = d.with_related(LOCAL_SETTINGS, range, "AzureWebJobsStorage");
    }
    out.push(d);
}

/// Point AzureWebJobsStorage at the local storage emulator.
pub fn fixes(ctx: &dyn FixCtx, _: &Diagnostic) -> Vec<QuickFix> {
    let Some(local) = ctx.local_settings() else {
        return Vec::new();
    };
    match local.value("AzureWebJobsStorage") {
        None => add_setting_fix(ctx, "AzureWebJobsStorage", EMULATOR)
            .map(|f| f.preferred(true).auto(true))
            .into_iter()
            .collect(),
        Some(s) => vec![QuickFix::new(
            "Use the local storage emulator (UseDevelopmentStorage=true)",
            vec![FileEdit {
                file: LOCAL_SETTINGS.to_string(),
                range: s.value_range,
                new_text: json_quote(EMULATOR),
            }],
        )
        .preferred(true)],
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn storage_for_non_http_triggers() {
        let queue = "//- /Q/function.json\n{\"bindings\": [{\"type\": \"queueTrigger\", \"name\": \"m\", \"queueName\": \"q\"}]}\n//- /H/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"req\"}]}\n";
        expect![[r#"
            Q/function.json:1:24 AZF305 warning a queueTrigger needs the storage account in AzureWebJobsStorage, which is empty in local.settings.json: `func start` refuses to run
              related local.settings.json:1:58: AzureWebJobsStorage
        "#]]
        .assert_eq(&check("AZF305", &format!("{queue}//- /local.settings.json\n{{\"IsEncrypted\": false, \"Values\": {{\"AzureWebJobsStorage\": \"\"}}}}\n")));
        expect![""].assert_eq(&check("AZF305", &format!("{queue}//- /local.settings.json\n{{\"IsEncrypted\": false, \"Values\": {{\"AzureWebJobsStorage__accountName\": \"acct\"}}}}\n")));
        // Without local.settings.json nothing is known: no diagnostic.
        expect![""].assert_eq(&check("AZF305", queue));
    }
}
