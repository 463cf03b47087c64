//! AZF701: `PYTHON_SCRIPT_FILE_NAME` is a name the worker refuses, whether or not such a file
//! exists.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::app_script::script_name;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF701",
    name: "script-name-invalid",
    severity: Severity::Error,
    summary: "`PYTHON_SCRIPT_FILE_NAME` is not a valid script name, so the worker refuses the v2 app",
    explanation: r#"A v2 app's script is `function_app.py`, or the file named by the app setting
`PYTHON_SCRIPT_FILE_NAME`. The worker checks that name before it looks for the file (so also in
an app of function.json folders, and when no such file exists): a letter, digit or `_`, then
only letters, digits, `_` and `-`, ending in `.py`, with no folder. Any other name fails with
`InvalidFileNameError` and the app has no function.

```json
{ "Values": { "PYTHON_SCRIPT_FILE_NAME": "my app.py" } }
```

Rename the script, e.g. `my_app.py`, and the setting with it.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    // The name as configured, not the v2 model's script: the worker validates the setting
    // before it checks that the file exists.
    let script = script_name(ctx.app);
    if script.is_valid() {
        return;
    }
    let (file, range) = match script.setting {
        Some(r) => ("local.settings.json", r),
        None => (script.name.as_str(), TextRange::empty(0)),
    };
    let missing = if ctx.app.exists(&script.name) {
        ""
    } else {
        " before it looks for the file (none of that name exists)"
    };
    out.push(META.diag(file,
        range,
        format!(
            "'{}' is not a valid script name (a letter, digit or '_', then letters, digits, '_' or '-', ending in .py, no folders): the worker fails with InvalidFileNameError{missing} and indexes no function of the app (\"0 functions found\")",
            script.name
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
        // The worker validates the name before it looks for the file.
        expect![[r#"
            local.settings.json:1:100 AZF701 error 'main' is not a valid script name (a letter, digit or '_', then letters, digits, '_' or '-', ending in .py, no folders): the worker fails with InvalidFileNameError before it looks for the file (none of that name exists) and indexes no function of the app ("0 functions found")
        "#]]
        .assert_eq(&check(
            "AZF701",
            r#"
//- /local.settings.json
{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "PYTHON_SCRIPT_FILE_NAME": "main"}}
//- /function_app.py
import azure.functions as func
app = func.FunctionApp()
"#,
        ));
        // A valid name is fine, whether or not the file exists.
        expect![""].assert_eq(&check(
            "AZF701",
            r#"
//- /local.settings.json
{"IsEncrypted": false, "Values": {"PYTHON_SCRIPT_FILE_NAME": "main-app.py"}}
//- /function_app.py
import azure.functions as func
app = func.FunctionApp()
"#,
        ));
    }
}
