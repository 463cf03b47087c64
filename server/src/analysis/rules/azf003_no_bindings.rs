//! AZF003: function.json declares no bindings.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF003",
    name: "no-bindings",
    severity: Severity::Error,
    summary: "function.json has no `bindings` array, or it is empty",
    explanation: r#"Every function needs a `bindings` array (the key is case-sensitive) with at least its trigger.

```json
{ "Bindings": [ { "type": "timerTrigger", "name": "timer", "schedule": "0 */5 * * * *" } ] }
```

Use the exact key `bindings`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let json = &ctx.unit.json;
    if !json.is_readable() {
        return;
    }
    let root_start = json
        .root
        .as_ref()
        .map(|r| TextRange::new(r.range.start as usize, r.range.start as usize + 1))
        .unwrap_or_default();
    match (json.bindings_key, json.bindings_empty) {
        (None, _) => {
            let miscased = json
                .miscased_keys
                .iter()
                .find(|(_, _, known)| *known == "bindings");
            let (range, message) = match miscased {
                Some((range, key, _)) => (
                    *range,
                    format!("the host reads `bindings` case-sensitively, so '{key}' is ignored and '{}' has no bindings", ctx.name()),
                ),
                None => (root_start, format!("function.json has no `bindings`; the host will not load '{}'", ctx.name())),
            };
            out.push(ctx.declaration_diag(&META, range, message));
        }
        (Some(_), Some(range)) => out.push(ctx.declaration_diag(
            &META,
            range,
            "`bindings` is empty: at least one binding (the trigger) must be declared",
        )),
        (Some(key), None) if json.bindings_not_array => {
            out.push(ctx.declaration_diag(&META, key, "`bindings` must be an array of binding objects"))
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn missing_empty_and_miscased() {
        expect![[r#"
            Empty/function.json:1:14 AZF003 error `bindings` is empty: at least one binding (the trigger) must be declared
            Miscased/function.json:1:2 AZF003 error the host reads `bindings` case-sensitively, so 'Bindings' is ignored and 'Miscased' has no bindings
            Missing/function.json:1:1 AZF003 error function.json has no `bindings`; the host will not load 'Missing'
            NotArray/function.json:1:2 AZF003 error `bindings` must be an array of binding objects
        "#]]
        .assert_eq(&check(
            "AZF003",
            r#"
//- /Empty/function.json
{"bindings": []}
//- /Miscased/function.json
{"Bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /Missing/function.json
{"scriptFile": "__init__.py"}
//- /NotArray/function.json
{"bindings": {"type": "httpTrigger"}}
//- /Fine/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
"#,
        ));
    }
}
