//! AZF311: module-level code reads `os.environ["X"]` and local.settings.json does not set X.

use super::azf310_env_var_unset::unset_reads;
use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use super::fix_support::{FixCtx, QuickFix};

pub const META: RuleMeta = RuleMeta {
    code: "AZF311",
    name: "env-var-unset-at-import",
    severity: Severity::Error,
    summary: "Module-level `os.environ[\"X\"]` of a setting that local.settings.json does not set: the import fails",
    explanation: r#"Code at module level runs when the worker imports the script. `os.environ["X"]` raises
`KeyError` when X is not set, so the import fails and the function (in the v2 model, the whole
app: "0 functions found") does not load.

```python
import os
CONNECTION = os.environ["DB_CONNECTION"]     # at module level
```

Set `DB_CONNECTION` in local.settings.json (and in the app settings), or read it inside the
function, or use `os.environ.get("DB_CONNECTION", "")`.
"#,
    fix: FixAvailability::Unsafe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(settings) = ctx.settings() else { return };
    for (file, read) in unset_reads(ctx, settings) {
        if !(read.raises_when_unset && read.at_import) {
            continue;
        }
        out.push(ctx.diag(
            &META,
            file,
            read.range,
            format!(
                "'{}' is not set in local.settings.json, so this module-level read raises KeyError when the worker imports {file}: {}",
                read.name,
                ctx.load_failure()
            ),
        ));
    }
}

/// The fixes of a read at run time (AZF310): read the near-miss setting, or add the setting.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    super::azf310_env_var_unset::fixes(ctx, d)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn at_import() {
        expect![[r#"
            F/__init__.py:2:20 AZF311 error 'DB_CONNECTION' is not set in local.settings.json, so this module-level read raises KeyError when the worker imports F/__init__.py: 'F' does not load
        "#]]
        .assert_eq(&check(
            "AZF311",
            r#"
//- /local.settings.json
{"IsEncrypted": false, "Values": {}}
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /F/__init__.py
import os
CONN = os.environ["DB_CONNECTION"]
if os.environ.get("X"):
    Y = os.environ["Y"]
def main(req):
    return os.environ["Z"]
"#,
        ));
    }
}
