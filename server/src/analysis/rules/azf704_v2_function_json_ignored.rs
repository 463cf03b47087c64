//! AZF704: a function.json folder in a v2 app, which the worker ignores.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF704",
    name: "function-json-ignored",
    severity: Severity::Warning,
    summary: "A function.json folder sits in a v2 app: the worker indexes the decorators and ignores it",
    explanation: r#"When the app has its v2 script (`function_app.py`, or `PYTHON_SCRIPT_FILE_NAME`), the worker
indexes the decorated functions and the host ignores function.json folders: their functions do not
exist ("Detected mixed function app. Some functions may not be indexed").

```text
function_app.py
LegacyHttp/function.json      ← not indexed
```

Move the function into `function_app.py` (or a blueprint) as a decorated function.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    let script = &model.script.name;
    for path in ctx.app.files.keys() {
        let Some(folder) = path.strip_suffix("/function.json") else {
            continue;
        };
        if folder.contains('/') {
            continue;
        }
        out.push(META.diag(path,
            TextRange::empty(0),
            format!(
                "{script} makes this a v2 app: the worker indexes its decorators and ignores function.json folders, so '{folder}' is not indexed (the host logs \"Detected mixed function app. Some functions may not be indexed - {folder}\")"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check_script;
    use expect_test::expect;

    #[test]
    fn mixed_app() {
        expect![[r#"
            LegacyHttp/function.json:1:1 AZF704 warning function_app.py makes this a v2 app: the worker indexes its decorators and ignores function.json folders, so 'LegacyHttp' is not indexed (the host logs "Detected mixed function app. Some functions may not be indexed - LegacyHttp")
        "#]]
        .assert_eq(&check_script(
            "AZF704",
            r#"
//- /LegacyHttp/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /LegacyHttp/__init__.py
def main(req): pass
"#,
        ));
    }
}
