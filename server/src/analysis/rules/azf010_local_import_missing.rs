//! AZF010: a relative, `__app__.` or app-local import names a module or name that does not exist.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF010",
    name: "local-import-missing",
    severity: Severity::Error,
    summary: "An import of the app's own code names a module or name that does not exist",
    explanation: r#"Relative imports, `__app__.` imports and imports of the app's own packages are resolved
inside the app. If the module or name is not there, the import raises and the function does not
load.

```python
from .helpers import parse_order     # HttpTrigger/helpers.py has no parse_order
```

Fix the name, or add the module.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for (m, _) in ctx.parsed_loaded_modules() {
        for broken in &m.imports.broken {
            let message = format!(
                "{}: the import fails, so {}",
                broken.message,
                ctx.load_failure()
            );
            out.push(ctx.module_diag(&META, m, broken.range, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn broken_local_imports() {
        expect![[r#"
            F/__init__.py:1:6 AZF010 error No module named '__app__.F.missing': the import fails, so 'F' does not load
            F/__init__.py:2:22 AZF010 error cannot import name 'nope' from '__app__.F.helpers': the import fails, so 'F' does not load
            F/__init__.py:3:6 AZF010 error No module named '__app__.shared_code': the import fails, so 'F' does not load
        "#]]
        .assert_eq(&check(
            "AZF010",
            r#"
//- /F/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /F/__init__.py
from .missing import x
from .helpers import nope, fine
from __app__.shared_code import util
import requests
try:
    from . import optional
except ImportError:
    optional = None
def main(t): pass
//- /F/helpers.py
fine = 1
"#,
        ));
    }
}
