//! AZF301: local.settings.json is not valid JSON, so Core Tools ignores every setting in it.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::json;
use crate::analysis::settings::LOCAL_SETTINGS;

pub const META: RuleMeta = RuleMeta {
    code: "AZF301",
    name: "local-settings-invalid",
    severity: Severity::Warning,
    summary: "local.settings.json is not valid JSON, so `func start` runs with no settings",
    explanation: r#"Core Tools reads `local.settings.json` into its settings. If the file does not parse it
prints a warning and carries on with **no** settings at all, which then surfaces as "Missing value
for AzureWebJobsStorage", an unknown worker runtime or "No job functions found".

```json
{ "IsEncrypted": false, "Values": { "FUNCTIONS_WORKER_RUNTIME": "python" "AzureWebJobsStorage": "" } }
```

A comma is missing between the two values.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(text) = ctx.app.text(LOCAL_SETTINGS) else { return };
    let parsed = json::parse(text);
    if let Some(e) = parsed.errors.first() {
        out.push(META.diag(LOCAL_SETTINGS,
            e.range,
            format!("local.settings.json is not valid JSON ({}): Core Tools ignores all its settings", e.message),
        ));
    } else if let Some(root) = parsed.value.filter(|v| v.as_object().is_none()) {
        out.push(META.diag(LOCAL_SETTINGS, root.range, "local.settings.json must hold a JSON object"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn broken_settings() {
        expect![[r#"
            local.settings.json:1:43 AZF301 warning local.settings.json is not valid JSON (expected `,` between properties): Core Tools ignores all its settings
        "#]]
        .assert_eq(&check(
            "AZF301",
            "//- /local.settings.json\n{\"IsEncrypted\": false, \"Values\": {\"A\": \"1\" \"B\": \"2\"}}\n",
        ));
        expect![""].assert_eq(&check("AZF301", "//- /local.settings.json\n{\"IsEncrypted\": false, // ok\n \"Values\": {},}\n"));
    }
}
