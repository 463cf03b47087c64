//! AZF602: host.json is not valid, or its `version` is not "2.0".

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::json;
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF602",
    name: "host-json-invalid",
    severity: Severity::Error,
    summary: "host.json is not valid JSON, or its `version` is missing or not \"2.0\"",
    explanation: r#"The Functions host (runtime 2.x and later) requires host.json to be a JSON object with
`"version": "2.0"` — the schema version of the file, not the runtime's. Without it the host does
not start ("The host.json file is missing the required 'version' property").

```json
{ "version": "4.0" }
```

Write `"version": "2.0"`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(text) = ctx.app.text("host.json") else { return };
    let parsed = json::parse(text);
    if let Some(e) = parsed.errors.first() {
        out.push(META.diag("host.json", e.range, format!("host.json is not valid JSON ({}): the host does not start", e.message)));
        return;
    }
    let Some(root) = parsed.value else { return };
    if root.as_object().is_none() {
        out.push(META.diag("host.json", root.range, "host.json must hold a JSON object"));
        return;
    }
    match root.get("version").and_then(|m| m.value.as_ref().map(|v| (m, v))) {
        Some((_, v)) if v.as_str() == Some("2.0") => {}
        Some((_, v)) => out.push(META.diag("host.json",
            v.range,
            format!("host.json version is {}, so the host does not start; write \"2.0\" (the file's schema version, for every runtime since 2.x)", v.scalar_text().map(|s| format!("'{s}'")).unwrap_or_else(|| v.kind_name().to_string())),
        )),
        None => out.push(META.diag("host.json",
            TextRange::new(root.range.start as usize, root.range.start as usize + 1),
            "host.json has no \"version\": the host does not start; add \"version\": \"2.0\"",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn versions() {
        expect![[r#"
            host.json:1:13 AZF602 error host.json version is '4.0', so the host does not start; write "2.0" (the file's schema version, for every runtime since 2.x)
        "#]]
        .assert_eq(&check("AZF602", "//- /host.json\n{\"version\": \"4.0\"}\n"));
        expect![[r#"
            host.json:1:1 AZF602 error host.json has no "version": the host does not start; add "version": "2.0"
        "#]]
        .assert_eq(&check("AZF602", "//- /host.json\n{\"logging\": {}}\n"));
        expect![""].assert_eq(&check("AZF602", "//- /host.json\n{\"version\": \"2.0\"}\n"));
    }
}
