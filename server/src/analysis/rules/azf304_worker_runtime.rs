//! AZF304: `FUNCTIONS_WORKER_RUNTIME` is missing or not `python`.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::settings::LOCAL_SETTINGS;
use crate::analysis::text::TextRange;
use super::fix_support::{add_setting_fix, FixCtx, QuickFix};
use crate::analysis::diagnostic::FileEdit;
use crate::analysis::edits::json_quote;

pub const META: RuleMeta = RuleMeta {
    code: "AZF304",
    name: "worker-runtime-not-python",
    severity: Severity::Warning,
    summary: "`FUNCTIONS_WORKER_RUNTIME` is missing from local.settings.json or is not `python`",
    explanation: r#"Core Tools picks the language worker from `FUNCTIONS_WORKER_RUNTIME`. Without it `func start`
cannot tell the project's language; values like `python3.11` are wrong.

```json
{ "IsEncrypted": false, "Values": { "FUNCTIONS_WORKER_RUNTIME": "python3.11" } }
```

Use `"python"`.
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(settings) = &ctx.settings else { return };
    match settings.value("FUNCTIONS_WORKER_RUNTIME") {
        Some(s) if s.value.as_deref() == Some("python") => {}
        Some(s) => out.push(META.diag(LOCAL_SETTINGS,
            s.value_range,
            format!("FUNCTIONS_WORKER_RUNTIME is '{}'; a Python app needs 'python'", s.value.as_deref().unwrap_or("")),
        )),
        None => {
            let range = settings.values.first().map(|v| v.name_range).unwrap_or(TextRange::empty(0));
            out.push(META.diag(LOCAL_SETTINGS, range, "FUNCTIONS_WORKER_RUNTIME is not set: add \"FUNCTIONS_WORKER_RUNTIME\": \"python\" to Values"));
        }
    }
}

/// The fixes of an AZF304 diagnostic.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    worker_runtime_fix(ctx, d).into_iter().collect()
}

/// AZF304: `FUNCTIONS_WORKER_RUNTIME` must be `python`.
fn worker_runtime_fix(ctx: &dyn FixCtx, d: &Diagnostic) -> Option<QuickFix> {
    let local = ctx.local_settings()?;
    let fix = match local.value("FUNCTIONS_WORKER_RUNTIME") {
        Some(s) if s.value_range == d.range => QuickFix::new(
            "Set FUNCTIONS_WORKER_RUNTIME to 'python'",
            vec![FileEdit {
                file: LOCAL_SETTINGS.to_string(),
                range: s.value_range,
                new_text: json_quote("python"),
            }],
        ),
        Some(_) => return None,
        None => add_setting_fix(ctx, "FUNCTIONS_WORKER_RUNTIME", "python")?,
    };
    Some(fix.preferred(true).auto(true))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn runtime() {
        expect![[r#"
            local.settings.json:1:63 AZF304 warning FUNCTIONS_WORKER_RUNTIME is 'python3.11'; a Python app needs 'python'
        "#]]
        .assert_eq(&check("AZF304", "//- /local.settings.json\n{\"IsEncrypted\": false, \"Values\": {\"FUNCTIONS_WORKER_RUNTIME\": \"python3.11\"}}\n"));
        expect![""].assert_eq(&check("AZF304", "//- /host.json\n{\"version\": \"2.0\"}\n"));
    }
}
