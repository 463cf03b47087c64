//! AZF009: the script, or a module it imports, has a syntax error.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::app::FileContent;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF009",
    name: "python-syntax-error",
    severity: Severity::Error,
    summary: "The script, or an app module it imports, is not valid Python",
    explanation: r#"The worker imports the script to load the function. A syntax error there, or in any module of
the app it imports, makes the import fail, and the function with it.

```python
def main(req)
    return "hello"
```

The `:` after the signature is missing.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for m in ctx.loaded_modules() {
        // A file that is not UTF-8 has no module: the app's files are searched only then.
        let module = ctx.modules.get(&m.file);
        let d = match module.is_none().then(|| ctx.app.content(&m.file)).flatten() {
            Some(FileContent::NotUtf8) => Some(ctx.diag(
                &META,
                &m.file,
                TextRange::empty(0),
                format!("{} is not valid UTF-8, so Python cannot import it", m.file),
            )),
            _ => module.and_then(|module| {
                module.syntax_errors.first().map(|e| {
                    let extra = module.syntax_errors.len() - 1;
                    let more = if extra > 0 {
                        format!(" (and {extra} more)")
                    } else {
                        String::new()
                    };
                    ctx.diag(
                        &META,
                        &m.file,
                        e.range,
                        format!(
                            "syntax error: {}{more}; importing {} fails, so {}",
                            e.message,
                            m.file,
                            ctx.load_failure()
                        ),
                    )
                })
            }),
        };
        if let Some(d) = d {
            out.push(ctx.with_import_context(d, m));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn syntax_errors_in_script_and_imports() {
        expect![[r#"
            Direct/__init__.py:1:1 AZF009 error syntax error: invalid syntax near `def main(t)`; importing Direct/__init__.py fails, so 'Direct' does not load
            shared/util.py:1:1 AZF009 error syntax error: invalid syntax near `print((1)`; importing shared/util.py fails, so 'ViaImport' does not load
              related ViaImport/__init__.py:1:20: imported here while loading 'ViaImport'
        "#]]
        .assert_eq(&check(
            "AZF009",
            r#"
//- /Direct/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /Direct/__init__.py
def main(t)
    pass
//- /ViaImport/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /ViaImport/__init__.py
from shared import util
def main(t): pass
//- /shared/__init__.py
//- /shared/util.py
print((1)
"#,
        ));
    }

    #[test]
    fn an_imported_module_that_is_not_utf8() {
        use super::super::test_support::{app, render};
        use crate::analysis::app::FileContent;
        let mut input = app(r#"
//- /ViaImport/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /ViaImport/__init__.py
from shared import latin
def main(t): pass
//- /shared/__init__.py
"#);
        input
            .files
            .insert("shared/latin.py".to_string(), FileContent::NotUtf8);
        let config = crate::analysis::Config {
            select: vec!["AZF009".to_string()],
            ..Default::default()
        };
        expect![[r#"
            shared/latin.py:1:1 AZF009 error shared/latin.py is not valid UTF-8, so Python cannot import it
              related ViaImport/__init__.py:1:20: imported here while loading 'ViaImport'
        "#]]
        .assert_eq(&render(
            &input,
            &crate::analysis::check_app_whole_messages(&input, &config),
        ));
    }

    #[test]
    fn v2_script_without_functions() {
        // The broken decorator leaves no decorated function: the script itself is checked.
        expect![[r#"
            function_app.py:1:1 AZF009 error syntax error: invalid syntax near `import azure.functions as func`; importing function_app.py fails, so no function of the app is indexed ("0 functions found")
        "#]]
        .assert_eq(&check(
            "AZF009",
            "//- /function_app.py\nimport azure.functions as func\napp = func.FunctionApp()\n\n@app.route(route=\"x\"\ndef hello(req):\n    return \"x\"\n",
        ));
    }
}
