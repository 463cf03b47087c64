//! AZF604: the app has no requirements.txt.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::requirements;
use crate::analysis::text::TextRange;
use super::fix_support::{create_file_fix, FixCtx, QuickFix};

pub const META: RuleMeta = RuleMeta {
    code: "AZF604",
    name: "requirements-missing",
    severity: Severity::Warning,
    summary: "The app has no requirements.txt, so a deployment installs no packages",
    explanation: r#"Deployment installs the app's packages from `requirements.txt` at the app root. Without it,
every third-party import fails after deploy with `ModuleNotFoundError`. Remote build reads only
`requirements.txt`: an app that declares its dependencies in `pyproject.toml` exports them
(`uv export --no-hashes -o requirements.txt`, `poetry export -o requirements.txt`,
`pip-compile -o requirements.txt pyproject.toml`).

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
    let message = if requirements::pyproject_declares_dependencies(ctx.app) {
        "the app declares its dependencies only in pyproject.toml, but remote build installs from requirements.txt: \
         produce one from it (`uv export --no-hashes -o requirements.txt`, `poetry export -o requirements.txt` \
         or `pip-compile -o requirements.txt pyproject.toml`) and keep azure-functions in it"
    } else {
        "the app has no requirements.txt: deployments install no packages (add one with at least azure-functions)"
    };
    out.push(META.diag("host.json", TextRange::empty(0), message));
}

/// Create requirements.txt with the worker's package; not when pyproject.toml declares the
/// dependencies (a file with azure-functions alone would drop them: the user exports them).
pub fn fixes(ctx: &dyn FixCtx, _: &Diagnostic) -> Vec<QuickFix> {
    if requirements::pyproject_declares_dependencies(ctx.input()) {
        return Vec::new();
    }
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

    #[test]
    fn dependencies_only_in_pyproject() {
        expect![[r#"
            host.json:1:1 AZF604 warning the app declares its dependencies only in pyproject.toml, but remote build installs from requirements.txt: produce one from it (`uv export --no-hashes -o requirements.txt`, `poetry export -o requirements.txt` or `pip-compile -o requirements.txt pyproject.toml`) and keep azure-functions in it
        "#]]
        .assert_eq(&check(
            "AZF604",
            "//- /host.json\n{}\n//- /pyproject.toml\n[project]\nname = \"x\"\ndependencies = [\"azure-functions\", \"requests\"]\n",
        ));
        expect![[r#"
            host.json:1:1 AZF604 warning the app declares its dependencies only in pyproject.toml, but remote build installs from requirements.txt: produce one from it (`uv export --no-hashes -o requirements.txt`, `poetry export -o requirements.txt` or `pip-compile -o requirements.txt pyproject.toml`) and keep azure-functions in it
        "#]]
        .assert_eq(&check(
            "AZF604",
            "//- /host.json\n{}\n//- /pyproject.toml\n[tool.poetry.dependencies]\npython = \"^3.11\"\n",
        ));
        // Settings only, no dependencies: the plain message.
        assert!(check(
            "AZF604",
            "//- /host.json\n{}\n//- /pyproject.toml\n[project]\nname = \"x\"\n[tool.azfunc-lsp]\nignore = []\n",
        )
        .contains("deployments install no packages"));
    }
}
