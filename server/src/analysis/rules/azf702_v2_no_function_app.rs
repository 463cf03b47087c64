//! AZF702: the v2 script binds no `FunctionApp` (or other app object) at module level.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;
use crate::analysis::v2::ObjectKind;

pub const META: RuleMeta = RuleMeta {
    code: "AZF702",
    name: "no-function-app",
    severity: Severity::Error,
    summary: "The v2 script has no `FunctionApp` (or ASGI/WSGI/Durable app) at module level",
    explanation: r#"The worker imports `function_app.py` and looks among its module-level names for the app
object: a `func.FunctionApp`, `func.AsgiFunctionApp`, `func.WsgiFunctionApp` or Durable
`df.DFApp` (imported names count: a name imported from a package outside the app may be the
app object, and then the rule says nothing). A `Blueprint` is not an app: its functions are only indexed
through `app.register_functions(bp)`. Without an app the worker fails with "Could not find top
level function app instances in function_app.py." and the app has no function.

```python
bp = func.Blueprint()          # no app object
```

Add `app = func.FunctionApp()` and `app.register_functions(bp)`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    if !model.app_names.is_empty() || model.uncertain || !model.script.is_valid() {
        return;
    }
    let script = model.script.name.as_str();
    if ctx
        .modules
        .get(script)
        .is_none_or(|m| !m.syntax_errors.is_empty())
    {
        return; // AZF009
    }
    let blueprint = model
        .objects
        .iter()
        .find(|o| o.file == script && o.kind == ObjectKind::Blueprint);
    let (range, what) = match blueprint {
        Some(bp) => (
            bp.range,
            format!(
                "{script} has only a Blueprint ('{}') at module level, no FunctionApp",
                bp.var
            ),
        ),
        None => (
            TextRange::empty(0),
            format!("{script} has no FunctionApp at module level"),
        ),
    };
    out.push(META.diag(script,
        range,
        format!(
            "{what}: the worker fails with \"Could not find top level function app instances in {script}.\" and indexes no function of the app (\"0 functions found\")"
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn no_app_object() {
        expect![[r#"
            function_app.py:2:6 AZF702 error function_app.py has only a Blueprint ('bp') at module level, no FunctionApp: the worker fails with "Could not find top level function app instances in function_app.py." and indexes no function of the app ("0 functions found")
        "#]]
        .assert_eq(&check(
            "AZF702",
            r#"
//- /function_app.py
import azure.functions as func
bp = func.Blueprint()

@bp.route(route="hello")
def hello(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("hi")
"#,
        ));
    }

    #[test]
    fn imported_or_built_apps_count() {
        // Imported from another module: found. Built by a function of the app: cannot be known.
        expect![""].assert_eq(&check(
            "AZF702",
            r#"
//- /function_app.py
from core import app
//- /core.py
import azure.functions as func
app = func.FunctionApp()
"#,
        ));
        expect![""].assert_eq(&check(
            "AZF702",
            r#"
//- /function_app.py
from factory import make_app
app = make_app()
//- /factory.py
import azure.functions as func
def make_app():
    return func.FunctionApp()
"#,
        ));
    }

    /// A name the script imports from a package outside the app may be the app object (the
    /// worker looks at imported names too); classes, called functions, the standard library and
    /// the Functions libraries' names are not.
    #[test]
    fn names_from_packages_outside_the_app() {
        for script in [
            "from shared_apps.http import app  # noqa: F401\n",
            "from platform_sdk.workflows import app\nfunctions = app.get_functions()\n",
            "from platform_sdk import factory as app, Settings\n",
        ] {
            let fixture = format!("//- /function_app.py\nimport azure.functions as func\n{script}");
            expect![""].assert_eq(&check("AZF702", &fixture));
        }
        let no_app = "function_app.py has no FunctionApp at module level: the worker fails with \"Could not find top level function app instances in function_app.py.\" and indexes no function of the app (\"0 functions found\")";
        for script in [
            "from dotenv import load_dotenv\nload_dotenv()\n",
            "from pydantic import BaseModel\nclass Order(BaseModel):\n    id: str\n",
            "from __future__ import annotations\nfrom typing import cast\n",
            "from azure.functions import AuthLevel, decorators\n",
            "from tenacity import retry\n@retry(stop=None)\ndef work(): pass\n",
        ] {
            let fixture = format!("//- /function_app.py\nimport azure.functions as func\n{script}");
            let found = check("AZF702", &fixture);
            assert!(found.contains(no_app), "{script}: {found}");
        }
    }
}
