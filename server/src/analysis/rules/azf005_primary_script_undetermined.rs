//! AZF005: without `scriptFile`, the host cannot tell which file is the script.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function::Script;
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF005",
    name: "primary-script-undetermined",
    severity: Severity::Error,
    summary: "No `scriptFile`, and the host cannot determine the primary script",
    explanation: r#"Without `scriptFile`, the host uses the only file in the function folder besides
function.json, or else the first named `run.*` or `__init__.py`. With several files and none of
those names, it cannot pick one and the function does not load.

```text
Orders/function.json
Orders/handler.py
Orders/models.py
```

Add `"scriptFile": "handler.py"` to function.json, or rename the script to `__init__.py`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Script::Undetermined { candidates } = &ctx.unit.script else {
        return;
    };
    let range = ctx.unit.json.bindings_key.unwrap_or(TextRange::empty(0));
    let listed: Vec<&str> = candidates
        .iter()
        .map(|c| c.rsplit('/').next().unwrap_or(c))
        .collect();
    let message = if listed.is_empty() {
        format!(
            "'{}' has no script file, so it does not load: add __init__.py with a main() function",
            ctx.name()
        )
    } else {
        format!(
            "cannot determine the primary script of '{}': none of {} is named run.* or __init__.py, so '{}' does not load; set \"scriptFile\"",
            ctx.name(),
            listed.join(", "),
            ctx.name()
        )
    };
    out.push(ctx.declaration_diag(&META, range, message));
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn several_files_without_a_primary_one() {
        expect![[r#"
            F/function.json:1:2 AZF005 error cannot determine the primary script of 'F': none of handler.py, models.py is named run.* or __init__.py, so 'F' does not load; set "scriptFile"
            Lonely/function.json:1:2 AZF005 error 'Lonely' has no script file, so it does not load: add __init__.py with a main() function
        "#]]
        .assert_eq(&check(
            "AZF005",
            r#"
//- /F/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /F/handler.py
def main(t): pass
//- /F/models.py
//- /Lonely/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /Single/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /Single/handler.py
def main(t): pass
"#,
        ));
    }
}
