//! AZF606: requirements.txt lists `azure-functions-worker`.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::requirements;

pub const META: RuleMeta = RuleMeta {
    code: "AZF606",
    name: "worker-package-listed",
    severity: Severity::Warning,
    summary: "requirements.txt lists `azure-functions-worker`, which the platform provides",
    explanation: r#"The Python worker is part of the Functions platform. Installing `azure-functions-worker` from
PyPI (last released in 2019) into the app can shadow the platform's worker and break the app.

```text
azure-functions
azure-functions-worker
```

Remove the `azure-functions-worker` line.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(reqs) = requirements::parse(ctx.app, "requirements.txt") else { return };
    if let Some(r) = reqs.find("azure-functions-worker") {
        out.push(META.diag(&r.file, r.range, "azure-functions-worker is provided by the platform: do not install it with the app"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn worker() {
        expect![[r#"
            requirements.txt:2:1 AZF606 warning azure-functions-worker is provided by the platform: do not install it with the app
        "#]]
        .assert_eq(&check("AZF606", "//- /requirements.txt\nazure-functions\nazure-functions-worker==1.1.9\n"));
    }
}
