//! AZF007: `scriptFile` points outside the function app.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function::Script;

pub const META: RuleMeta = RuleMeta {
    code: "AZF007",
    name: "script-outside-app",
    severity: Severity::Error,
    summary: "`scriptFile` points outside the function app",
    explanation: r#"The worker loads a script only from inside the app root (it must be importable as part of
the `__app__` package). `../shared_code/handler.py` is fine; `../../lib/handler.py` is not.

```json
{ "scriptFile": "../../lib/handler.py", "bindings": [ ... ] }
```

Move the code into the app (e.g. `shared_code/handler.py`) and point `scriptFile` there.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Script::OutsideApp { declared } = &ctx.unit.script else {
        return;
    };
    out.push(ctx.declaration_diag(
        &META,
        declared.range,
        format!(
            "scriptFile '{}' is outside the app root; the worker only loads scripts inside the app",
            declared.value
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn outside_the_app() {
        expect![[r#"
            F/function.json:1:16 AZF007 error scriptFile '../../lib/x.py' is outside the app root; the worker only loads scripts inside the app
        "#]]
        .assert_eq(&check(
            "AZF007",
            r#"
//- /F/function.json
{"scriptFile": "../../lib/x.py", "bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
"#,
        ));
    }
}
