//! AZF106: a function.json binding name uses `_`, which hosts before 4.1038 reject.

use crate::analysis::names::{is_valid_binding_name, is_valid_legacy};
use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF106",
    name: "binding-name-underscore",
    severity: Severity::Hint,
    summary: "A function.json binding name uses `_`, which hosts older than 4.1038 reject",
    explanation: r#"Hosts from 4.1038 (early 2025) accept `_` in binding names; older hosts refuse the function
("The binding name input_blob is invalid"). Azure has run newer hosts since then, so this is only a
hint, for an app pinned to an older host or run with an old Core Tools.

```json
{ "type": "blob", "name": "input_blob", "path": "in/{name}" }
```

`inputBlob` works on every host. Decorator apps are not checked: snake_case `arg_name` is their
norm, and they need a host that accepts it.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    if ctx.unit.decorated().is_some() {
        return;
    }
    for b in ctx.unit.bindings() {
        let Some(name) = &b.name else { continue };
        if is_valid_binding_name(&name.value) && !is_valid_legacy(&name.value) {
            out.push(ctx.declaration_diag(
                &META,
                name.range,
                format!(
                    "binding name '{}' contains '_', which hosts before 4.1038 refuse; write '{}' if the app must run on one",
                    name.value,
                    camel_case(&name.value)
                ),
            ));
        }
    }
}

/// `input_blob` → `inputBlob`.
fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        match c {
            '_' if !out.is_empty() => upper = true,
            '_' => {}
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn underscore() {
        expect![[r#"
            F/function.json:1:64 AZF106 hint binding name 'input_blob' contains '_', which hosts before 4.1038 refuse; write 'inputBlob' if the app must run on one
        "#]]
        .assert_eq(&check(
            "AZF106",
            r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}, {"name": "input_blob", "type": "blob", "path": "a/b"}]}
"#,
        ));
    }

    #[test]
    fn decorator_apps_are_not_told_about_snake_case() {
        expect![[""]].assert_eq(&super::super::test_support::check_script(
            "AZF106",
            r#"
@app.queue_trigger(arg_name="order_msg", queue_name="q", connection="C")
def f(order_msg): pass
"#,
        ));
    }
}
