//! AZF701: `PYTHON_SCRIPT_FILE_NAME` names an existing script the worker refuses to import.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF701",
    name: "script-name-invalid",
    severity: Severity::Error,
    summary: "`PYTHON_SCRIPT_FILE_NAME` is not a valid script name, so the worker refuses the v2 app",
    explanation: r#"A v2 app's script is `function_app.py`, or the file named by the app setting
`PYTHON_SCRIPT_FILE_NAME`. When that file exists, the worker checks its name first: a letter,
digit or `_`, then only letters, digits, `_` and `-`, ending in `.py`, with no folder. Any other
name fails indexing with `InvalidFileNameError` and the app has no function.

```json
{ "Values": { "PYTHON_SCRIPT_FILE_NAME": "my app.py" } }
```

Rename the script, e.g. `my_app.py`, and the setting with it.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    if model.script.is_valid() {
        return;
    }
    let (file, range) = match model.script.setting {
        Some(r) => ("local.settings.json", r),
        None => (model.script.name.as_str(), TextRange::empty(0)),
    };
    out.push(META.diag(file,
        range,
        format!(
            "'{}' is not a valid script name (a letter, digit or '_', then letters, digits, '_' or '-', ending in .py, no folders): the worker fails with InvalidFileNameError and indexes no function of the app (\"0 functions found\")",
            model.script.name
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn invalid_script_names() {
        expect![[r#"
            local.settings.json:1:100 AZF701 error 'my app.py' is not a valid script name (a letter, digit or '_', then letters, digits, '_' or '-', ending in .py, no folders): the worker fails with InvalidFileNameError and indexes no function of the app ("0 functions found")
        "#]]
        .assert_eq(&check(
            "AZF701",
            r#"
//- /local.settings.json
{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "PYTHON_SCRIPT_FILE_NAME": "my app.py"}}
//- /my app.py
import azure.functions as func
app = func.FunctionApp()
"#,
        ));
        // A name that does not exist is not a v2 app at all; a valid name is fine.
        expect![""].assert_eq(&check(
            "AZF701",
            r#"
//- /local.settings.json
{"IsEncrypted": false, "Values": {"PYTHON_SCRIPT_FILE_NAME": "my app.py"}}
//- /main-app.py
import azure.functions as func
app = func.FunctionApp()
"#,
        ));
    }
}
