//! AZF106: a binding name uses `_`, which only hosts 4.1038 and later accept.

use crate::analysis::names::{is_valid_binding_name, is_valid_legacy};
use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF106",
    name: "binding-name-underscore",
    severity: Severity::Information,
    summary: "A binding name uses `_`, which hosts older than 4.1038 reject",
    explanation: r#"Hosts from 4.1038 accept `_` in binding names; older hosts (and some local tool versions)
reject them. If the app must run on older hosts, use camelCase.

```json
{ "type": "blob", "name": "input_blob", "path": "in/{name}" }
```

`inputBlob` works everywhere.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        let Some(name) = &b.name else { continue };
        if is_valid_binding_name(&name.value) && !is_valid_legacy(&name.value) {
            out.push(ctx.declaration_diag(
                &META,
                name.range,
                format!(
                    "binding name '{}' contains '_': accepted by hosts 4.1038 and later only",
                    name.value
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn underscore() {
        expect![[r#"
            F/function.json:1:64 AZF106 information binding name 'input_blob' contains '_': accepted by hosts 4.1038 and later only
        "#]]
        .assert_eq(&check(
            "AZF106",
            r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}, {"name": "input_blob", "type": "blob", "path": "a/b"}]}
"#,
        ));
    }
}
