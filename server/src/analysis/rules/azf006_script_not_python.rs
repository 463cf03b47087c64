//! AZF006: the function's script is not a `.py` file.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function::Script;
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF006",
    name: "script-not-python",
    severity: Severity::Error,
    summary: "The function's script is not a `.py` file",
    explanation: r#"The host sends a function to the Python worker only when its script ends in `.py`, and the
worker accepts only the exact lower-case extension.

```json
{ "scriptFile": "Handler.PY", "bindings": [ ... ] }
```

Rename the file to `handler.py` and update `scriptFile`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Script::Found { path, declared } = &ctx.unit.script else {
        return;
    };
    if path.ends_with(".py") {
        return;
    }
    let range = declared
        .as_ref()
        .map(|d| d.range)
        .unwrap_or(TextRange::empty(0));
    let message = if path.to_ascii_lowercase().ends_with(".py") {
        format!("the worker accepts only a lower-case '.py' extension: cannot load '{path}'")
    } else {
        format!("the primary script '{path}' is not a Python file, so the Python worker never loads '{}'", ctx.name())
    };
    out.push(ctx.declaration_diag(&META, range, message));
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn non_python_scripts() {
        expect![[r#"
            Js/function.json:1:16 AZF006 error the primary script 'Js/index.js' is not a Python file, so the Python worker never loads 'Js'
            Upper/function.json:1:16 AZF006 error the worker accepts only a lower-case '.py' extension: cannot load 'Upper/Handler.PY'
        "#]]
        .assert_eq(&check(
            "AZF006",
            r#"
//- /Js/function.json
{"scriptFile": "index.js", "bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /Js/index.js
//- /Upper/function.json
{"scriptFile": "Handler.PY", "bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /Upper/Handler.PY
def main(t): pass
"#,
        ));
    }
}
