//! AZF011: module-level code always raises or exits while the worker imports it.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::python::ImportFailureKind;

pub const META: RuleMeta = RuleMeta {
    code: "AZF011",
    name: "import-time-failure",
    severity: Severity::Error,
    summary: "Module-level code raises or exits when the worker imports the script",
    explanation: r#"Module-level code runs when the worker imports the script. An unconditional `raise` fails the
import, and `sys.exit()` ends the worker process, so no function of the app loads.

```python
import sys
if not CONFIG_OK:
    ...
sys.exit(1)            # runs on every import
```

Move such code into the function body, or guard it.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for (m, module) in ctx.parsed_loaded_modules() {
        if let Some(failure) = module.import_failures.first() {
            let message = match &failure.kind {
                ImportFailureKind::Raise => format!(
                    "this `raise` runs when the worker imports {}, so {}",
                    m.file,
                    ctx.load_failure()
                ),
                ImportFailureKind::UndefinedName(name) => format!(
                    "name '{name}' is not defined when the worker imports {} (NameError), so {}",
                    m.file,
                    ctx.load_failure()
                ),
                ImportFailureKind::Exit(call) => format!(
                    "`{call}()` at module level ends the worker process while it imports {}: no function of the app loads",
                    m.file
                ),
            };
            out.push(ctx.module_diag(&META, m, failure.range, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn raise_and_exit_at_module_level() {
        expect![[r#"
            Exit/__init__.py:2:1 AZF011 error `sys.exit()` at module level ends the worker process while it imports Exit/__init__.py: no function of the app loads
            Folded/__init__.py:4:5 AZF011 error this `raise` runs when the worker imports Folded/__init__.py, so 'Folded' does not load
            Raise/__init__.py:1:1 AZF011 error this `raise` runs when the worker imports Raise/__init__.py, so 'Raise' does not load
            Undefined/__init__.py:1:10 AZF011 error name 'logging' is not defined when the worker imports Undefined/__init__.py (NameError), so 'Undefined' does not load
        "#]]
        .assert_eq(&check(
            "AZF011",
            r#"
//- /Raise/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /Raise/__init__.py
raise RuntimeError("not configured")
def main(t): pass
//- /Exit/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /Exit/__init__.py
import sys
sys.exit(1)
def main(t): pass
//- /Folded/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /Folded/__init__.py
FORMATS = ("json", "csv")
DEFAULT = "xml"
if DEFAULT not in FORMATS:
    raise ValueError(DEFAULT)
def main(t): pass
//- /Undefined/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /Undefined/__init__.py
logger = logging.getLogger(__name__)
def main(t): pass
//- /FineNames/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /FineNames/__init__.py
import logging
logger = logging.getLogger(__name__)
handlers = [h for h in range(3) if h]
key = dict(name=1)
CONFIG = {"a": len(handlers)}
if DEBUG := False:
    pass
DEFAULT = "json"
if DEFAULT not in ("json",):
    raise ValueError(DEFAULT)
def main(t): pass
//- /Guarded/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /Guarded/__init__.py
import os
if not os.environ.get("X"):
    raise RuntimeError("X")
def main(t):
    raise ValueError("only when invoked")
"#,
        ));
    }
}
