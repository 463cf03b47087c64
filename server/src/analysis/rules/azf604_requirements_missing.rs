//! AZF604: the app has no requirements.txt.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;
use super::fix_support::{create_file_fix, FixCtx, QuickFix};

pub const META: RuleMeta = RuleMeta {
    code: "AZF604",
    name: "requirements-missing",
    severity: Severity::Warning,
    summary: "The app has no requirements.txt, so a deployment installs no packages",
    explanation: r#"Deployment installs the app's packages from `requirements.txt` at the app root. Without it,
every third-party import fails after deploy with `ModuleNotFoundError`.

```text
azure-functions
requests
```
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    if ctx.app.exists("requirements.txt") || !ctx.app.exists("host.json") {
        return;
    }
    out.push(META.diag("host.json", TextRange::empty(0), "the app has no requirements.txt: deployments install no packages (add one with at least azure-functions)"));
}

/// Create requirements.txt with the worker's package.
pub fn fixes(ctx: &dyn FixCtx, _: &Diagnostic) -> Vec<QuickFix> {
    create_file_fix(
        ctx,
        "requirements.txt",
        "azure-functions\n",
        "Create requirements.txt with azure-functions",
    )
    .into_iter()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn missing() {
        expect![[r#"
            host.json:1:1 AZF604 warning the app has no requirements.txt: deployments install no packages (add one with at least azure-functions)
        "#]]
        .assert_eq(&check("AZF604", "//- /host.json\n{\"version\": \"2.0\"}\n"));
    }
}
