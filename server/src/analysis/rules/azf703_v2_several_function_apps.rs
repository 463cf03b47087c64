//! AZF703: the v2 script binds more than one module-level name to app objects.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::v2::condition::first_together;

pub const META: RuleMeta = RuleMeta {
    code: "AZF703",
    name: "several-function-apps",
    severity: Severity::Error,
    summary: "More than one module-level name of the v2 script holds an app object",
    explanation: r#"The worker takes the module-level names of `function_app.py` one by one and refuses a second
one that holds an app object ("More than one FunctionApp or other top level function app instances
are defined."), even when both names hold the same object. The app then has no function.

```python
app = func.FunctionApp()
application = app              # a second name for the same app
```

Keep one app object under one name; put other functions in a `Blueprint` and register it.
Apps created in different branches of one `if`/`else`, `try`/`except` or `match` never exist
together; code under `if TYPE_CHECKING:` or `if __name__ == "__main__":` never runs in the worker.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    let names = model.app_names.as_slice();
    let script = model.script.name.as_str();
    for (i, other) in names.iter().enumerate().skip(1) {
        // The first earlier name that can hold an app at the same time.
        let Some(first) = first_together(&names[..i], &other.condition, |n| &n.condition) else {
            continue;
        };
        let class = model.objects[first.object].kind.class_name();
        let same = other.object == first.object;
        let what = if same {
            format!("'{}' is a second name for the app object '{}'", other.name, first.name)
        } else {
            format!(
                "'{}' is a second {} at module level (besides '{}')",
                other.name,
                model.objects[other.object].kind.class_name(),
                first.name
            )
        };
        out.push(
            META.diag(script,
                other.range,
                format!(
                    "{what}: the worker refuses more than one (\"More than one {class} or other top level function app instances are defined.\") and indexes no function of the app (\"0 functions found\")"
                ),
            )
            .with_related(script, first.range, format!("'{}' is the first", first.name)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check_script;
    use expect_test::expect;

    #[test]
    fn several_app_names() {
        expect![[r#"
            function_app.py:3:1 AZF703 error 'application' is a second name for the app object 'app': the worker refuses more than one ("More than one FunctionApp or other top level function app instances are defined.") and indexes no function of the app ("0 functions found")
              related function_app.py:2:1: 'app' is the first
            function_app.py:4:1 AZF703 error 'admin' is a second FunctionApp at module level (besides 'app'): the worker refuses more than one ("More than one FunctionApp or other top level function app instances are defined.") and indexes no function of the app ("0 functions found")
              related function_app.py:2:1: 'app' is the first
        "#]]
        .assert_eq(&check_script(
            "AZF703",
            r#"
application = app
admin = func.FunctionApp()
bp = func.Blueprint()
"#,
        ));
    }

    #[test]
    fn apps_in_alternatives_or_never_run() {
        // One app per arm under two names, one only for type checkers and one in the __main__
        // block: never two at once. The one under a lone `if` can exist with the first.
        expect![[r#"
            function_app.py:13:5 AZF703 error 'extra' is a second FunctionApp at module level (besides 'public'): the worker refuses more than one ("More than one FunctionApp or other top level function app instances are defined.") and indexes no function of the app ("0 functions found")
              related function_app.py:5:5: 'public' is the first
        "#]]
        .assert_eq(&super::super::test_support::check(
            "AZF703",
            r#"
//- /function_app.py
import os
from typing import TYPE_CHECKING
import azure.functions as func
if os.environ.get("ANONYMOUS"):
    public = func.FunctionApp()
else:
    private = func.FunctionApp()
if TYPE_CHECKING:
    typed = func.FunctionApp()
if __name__ == "__main__":
    debug = func.FunctionApp()
if os.environ.get("EXTRA"):
    extra = func.FunctionApp()
"#,
        ));
    }
}
