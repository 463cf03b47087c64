//! AZF406: host.json has a `cors` section, which the host does not read.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::json;

pub const META: RuleMeta = RuleMeta {
    code: "AZF406",
    name: "cors-in-host-json",
    severity: Severity::Warning,
    summary: "host.json has a `cors` section, which the host ignores",
    explanation: r#"CORS is not a host.json setting. Locally it is `Host.CORS` in local.settings.json (or
`func start --cors`); in Azure it is the app's CORS configuration (portal or
`az functionapp cors add`).

```json
{ "version": "2.0", "cors": { "allowedOrigins": ["*"] } }
```

Move it to `"Host": { "CORS": "*" }` in local.settings.json and to the app's CORS settings.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(text) = ctx.app.text("host.json") else { return };
    let Some(root) = json::parse(text).value else { return };
    for m in root.as_object().unwrap_or_default() {
        if m.key.eq_ignore_ascii_case("cors") {
            out.push(META.diag("host.json",
                m.key_range,
                "the host ignores `cors` in host.json: use Host.CORS in local.settings.json locally and the app's CORS settings in Azure",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn cors_key() {
        expect![[r#"
            host.json:1:20 AZF406 warning the host ignores `cors` in host.json: use Host.CORS in local.settings.json locally and the app's CORS settings in Azure
        "#]]
        .assert_eq(&check("AZF406", "//- /host.json\n{\"version\": \"2.0\", \"cors\": {}}\n"));
    }
}
