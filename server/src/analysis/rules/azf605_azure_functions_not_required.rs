//! AZF605: requirements.txt does not list `azure-functions`.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::requirements;
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF605",
    name: "azure-functions-not-required",
    severity: Severity::Warning,
    summary: "requirements.txt does not list `azure-functions`",
    explanation: r#"The `azure-functions` package provides `func.HttpRequest`, `func.Out` and the other types the
code imports. List it so local environments, tests and deployments agree on its version.

```text
requests
```

Add a line `azure-functions`.
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(reqs) = requirements::parse(ctx.app, "requirements.txt") else { return };
    if reqs.provides("azure-functions") {
        return;
    }
    let text = ctx.app.text("requirements.txt").unwrap_or("");
    let prefix = if text.is_empty() || text.ends_with('\n') { "" } else { "\n" };
    out.push(
        META.diag("requirements.txt", TextRange::empty(0), "requirements.txt does not list azure-functions")
            .with_fix(
                "Add azure-functions to requirements.txt",
                vec![FileEdit { file: "requirements.txt".into(), range: TextRange::empty(text.len()), new_text: format!("{prefix}azure-functions\n") }],
            ),
    );
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn missing_library() {
        expect![[r#"
            requirements.txt:1:1 AZF605 warning requirements.txt does not list azure-functions
              fix: Add azure-functions to requirements.txt
        "#]]
        .assert_eq(&check("AZF605", "//- /requirements.txt\nrequests\n"));
        expect![""].assert_eq(&check("AZF605", "//- /requirements.txt\nAzure_Functions==1.21\n"));
    }
}
