//! AZF605: requirements.txt does not list `azure-functions`.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
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
    out.push(
        META.diag(
            "requirements.txt",
            TextRange::empty(0),
            "requirements.txt does not list azure-functions: list it so local runs, tests and deployments use the same version",
        )
        .with_fix(
            "Add azure-functions to requirements.txt",
            vec![requirements::append_line(
                ctx.app,
                "requirements.txt",
                "azure-functions",
            )],
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
            requirements.txt:1:1 AZF605 warning requirements.txt does not list azure-functions: list it so local runs, tests and deployments use the same version
              fix: Add azure-functions to requirements.txt
        "#]]
        .assert_eq(&check("AZF605", "//- /requirements.txt\nrequests\n"));
        expect![""].assert_eq(&check("AZF605", "//- /requirements.txt\nAzure_Functions==1.21\n"));
        // The added line keeps the file's CRLF line endings and its missing final newline.
        let app = super::super::test_support::app("//- /requirements.txt\nrequests");
        let app = app.with_file("requirements.txt", "requests\r\nPyYAML");
        let found = crate::analysis::check_app(&app, &crate::analysis::Config::default());
        let fix = &found.iter().find(|d| d.code.as_str() == "AZF605").unwrap().fixes[0];
        assert_eq!(fix.edits[0].new_text, "\r\nazure-functions");
    }
}
