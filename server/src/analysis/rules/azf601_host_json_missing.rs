//! AZF601: the app has no host.json.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;
use super::fix_support::{create_file_fix, FixCtx, QuickFix};

pub const META: RuleMeta = RuleMeta {
    code: "AZF601",
    name: "host-json-missing",
    severity: Severity::Warning,
    summary: "The app has no host.json",
    explanation: r#"host.json marks the app root and configures the host (version, extension bundle, logging).
Core Tools refuses to start without it, and deployments without it run on defaults, with no
extension bundle for non-HTTP triggers.

```json
{ "version": "2.0", "extensionBundle": { "id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)" } }
```
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    if ctx.app.exists("host.json") || ctx.units.is_empty() {
        return;
    }
    let first = ctx.units[0];
    out.push(META.diag(first.declaration_file(),
        TextRange::empty(0),
        format!("the app at '{}' has no host.json: `func start` cannot find the app root and the host runs without an extension bundle", ctx.app.root),
    ));
}

/// Create host.json.
pub fn fixes(ctx: &dyn FixCtx, _: &Diagnostic) -> Vec<QuickFix> {
    create_file_fix(ctx, "host.json", HOST_JSON, "Create host.json")
        .into_iter()
        .collect()
}

/// A host.json for a Python app: version 2.0 with the current extension bundle.
const HOST_JSON: &str = "{\n  \"version\": \"2.0\",\n  \"extensionBundle\": {\n    \"id\": \"Microsoft.Azure.Functions.ExtensionBundle\",\n    \"version\": \"[4.*, 5.0.0)\"\n  }\n}\n";

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn missing() {
        expect![[r#"
            F/function.json:1:1 AZF601 warning the app at 'app' has no host.json: `func start` cannot find the app root and the host runs without an extension bundle
        "#]]
        .assert_eq(&check("AZF601", "//- /F/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"req\"}]}\n"));
    }
}
