//! AZF004: `scriptFile` names a file that does not exist.

use super::context::{did_you_mean_hint, FunctionCtx};
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::did_you_mean;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function::Script;

pub const META: RuleMeta = RuleMeta {
    code: "AZF004",
    name: "script-file-not-found",
    severity: Severity::Error,
    summary: "`scriptFile` names a file that does not exist",
    explanation: r#"`scriptFile` is resolved relative to the function folder. When the file is not there, the host
refuses the function ("The 'scriptFile' property is set to a file that does not exist").

```json
{ "scriptFile": "handler.py", "bindings": [ ... ] }
```

with only `__init__.py` in the folder. Point `scriptFile` at an existing file, or remove it to use
`__init__.py`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Script::DeclaredMissing { declared, path } = &ctx.unit.script else {
        return;
    };
    let folder = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let siblings: Vec<&str> = ctx
        .app
        .files_in(folder)
        .filter(|p| p.ends_with(".py"))
        .map(|p| p.rsplit('/').next().unwrap_or(p))
        .collect();
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let hint = did_you_mean_hint(did_you_mean(file_name, siblings.iter().copied()));
    out.push(ctx.declaration_diag(
        &META,
        declared.range,
        format!(
            "scriptFile '{}' does not exist ({path}), so {}{hint}",
            declared.value,
            ctx.load_failure()
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn missing_script_file() {
        expect![[r#"
            F/function.json:1:16 AZF004 error scriptFile 'handlr.py' does not exist (F/handlr.py), so 'F' does not load — did you mean 'handler.py'?
        "#]]
        .assert_eq(&check(
            "AZF004",
            r#"
//- /F/function.json
{"scriptFile": "handlr.py", "bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /F/handler.py
def main(t): pass
//- /G/function.json
{"scriptFile": "../shared/run.py", "bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /shared/run.py
def main(t): pass
"#,
        ));
    }
}
