//! AZF705: `register_functions` is given an app object instead of a blueprint.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::v2::{import_fails, Problem};

pub const META: RuleMeta = RuleMeta {
    code: "AZF705",
    name: "register-function-app",
    severity: Severity::Error,
    summary: "`register_functions` is given a `FunctionApp` (or other app object) instead of a `Blueprint`",
    explanation: r#"`app.register_functions(x)` (alias `register_blueprint`) copies the functions of a
`Blueprint`. Given an app object it raises `TypeError: functions can not be type of
FunctionRegister!` while the worker imports the script, and the app has no function.

```python
app.register_functions(func.FunctionApp())
```

Declare the other functions on a `func.Blueprint()` and register that.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    for p in &model.problems {
        let Problem::RegisterApp { file, range, kind } = p else {
            continue;
        };
        out.push(META.diag(file,
            *range,
            format!(
                "register_functions() needs a Blueprint, not a {}: it raises TypeError (\"functions can not be type of FunctionRegister!\"), and {}",
                kind.class_name(),
                import_fails(&model.script.name)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check_script;
    use expect_test::expect;

    #[test]
    fn registering_an_app() {
        expect![[r#"
            function_app.py:4:24 AZF705 error register_functions() needs a Blueprint, not a FunctionApp: it raises TypeError ("functions can not be type of FunctionRegister!"), and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found")
        "#]]
        .assert_eq(&check_script(
            "AZF705",
            r#"
other = func.Blueprint()
app.register_functions(func.FunctionApp())
app.register_functions(other)
"#,
        ));
    }
}
