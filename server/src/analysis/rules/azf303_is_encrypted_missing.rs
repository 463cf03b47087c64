//! AZF303: local.settings.json has no `IsEncrypted`, so Core Tools treats it as encrypted.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::json;
use crate::analysis::settings::LOCAL_SETTINGS;
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF303",
    name: "is-encrypted-missing",
    severity: Severity::Warning,
    summary: "local.settings.json has no `IsEncrypted: false`, so Core Tools tries to decrypt plain values",
    explanation: r#"When `IsEncrypted` is absent, Core Tools assumes the file is encrypted and tries to decrypt
every value, failing with "Failed to decrypt settings".

```json
{ "Values": { "FUNCTIONS_WORKER_RUNTIME": "python" } }
```

Add `"IsEncrypted": false`.
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(text) = ctx.app.text(LOCAL_SETTINGS) else { return };
    let parsed = json::parse(text);
    let Some(root) = parsed.value.filter(|_| parsed.errors.is_empty()) else { return };
    if root.as_object().is_none() || root.get("IsEncrypted").is_some() {
        return;
    }
    let brace = TextRange::new(root.range.start as usize, root.range.start as usize + 1);
    out.push(
        META.diag(LOCAL_SETTINGS, brace, "no \"IsEncrypted\": Core Tools then treats the file as encrypted and fails to decrypt its values")
            .with_fix(
                "Add \"IsEncrypted\": false",
                vec![FileEdit {
                    file: LOCAL_SETTINGS.to_string(),
                    range: TextRange::empty(root.range.start as usize + 1),
                    new_text: "\n  \"IsEncrypted\": false,".to_string(),
                }],
            ),
    );
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn missing_flag() {
        expect![[r#"
            local.settings.json:1:1 AZF303 warning no "IsEncrypted": Core Tools then treats the file as encrypted and fails to decrypt its values
              fix: Add "IsEncrypted": false
        "#]]
        .assert_eq(&check("AZF303", "//- /local.settings.json\n{\"Values\": {}}\n"));
        expect![""].assert_eq(&check("AZF303", "//- /local.settings.json\n{\"IsEncrypted\": false, \"Values\": {}}\n"));
    }
}
