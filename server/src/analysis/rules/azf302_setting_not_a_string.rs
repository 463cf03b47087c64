//! AZF302: a value in `Values` of local.settings.json is an object or array.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::json::{self, JsonKind};
use crate::analysis::settings::LOCAL_SETTINGS;

pub const META: RuleMeta = RuleMeta {
    code: "AZF302",
    name: "setting-not-a-string",
    severity: Severity::Warning,
    summary: "A value in `Values` is an object or array, so Core Tools drops the whole file",
    explanation: r#"`Values` is a flat map of strings (numbers and booleans are converted). A nested object or
array makes the whole file fail to load: Core Tools warns and continues with no settings.

```json
{ "IsEncrypted": false, "Values": { "Retry": { "count": 3 } } }
```

Flatten it: `"Retry__count": "3"`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(text) = ctx.app.text(LOCAL_SETTINGS) else { return };
    let Some(root) = json::parse(text).value else { return };
    let Some(values) = root.get("Values").and_then(|m| m.value.as_ref()) else { return };
    let Some(members) = values.as_object() else {
        out.push(META.diag(LOCAL_SETTINGS, values.range, "`Values` must be an object of setting names to strings"));
        return;
    };
    for m in members {
        let Some(v) = &m.value else { continue };
        if matches!(v.kind, JsonKind::Object(_) | JsonKind::Array(_)) {
            out.push(META.diag(LOCAL_SETTINGS,
                v.range,
                format!("'{}' is {}, but settings are strings: Core Tools drops the whole file and runs with no settings", m.key, v.kind_name()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn nested_values() {
        expect![[r#"
            local.settings.json:1:44 AZF302 warning 'Retry' is an object, but settings are strings: Core Tools drops the whole file and runs with no settings
        "#]]
        .assert_eq(&check(
            "AZF302",
            "//- /local.settings.json\n{\"IsEncrypted\": false, \"Values\": {\"Retry\": {\"count\": 3}, \"N\": 3, \"B\": true}}\n",
        ));
    }
}
