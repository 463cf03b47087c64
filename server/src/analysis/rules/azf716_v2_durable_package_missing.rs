//! AZF716: Durable Functions decorators without `azure-functions-durable` in requirements.txt.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::requirements;

pub const META: RuleMeta = RuleMeta {
    code: "AZF716",
    name: "durable-package-missing",
    severity: Severity::Warning,
    summary: "Durable Functions decorators are used, but requirements.txt does not list `azure-functions-durable`",
    explanation: r#"`orchestration_trigger`, `activity_trigger`, `entity_trigger` and `durable_client_input` (and
`df.DFApp`) come from the `azure-functions-durable` package. When a deployment does not install
it, the worker's import of the script fails ("Attempted to use a Durable Functions decorator, but
the `azure-functions-durable` SDK package could not be found") and the app has no function.

```python
@app.orchestration_trigger(context_name="context")     # requirements.txt: azure-functions only
```

Add `azure-functions-durable` to requirements.txt.
"#,
    fix: FixAvailability::Unsafe,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    let Some(reqs) = requirements::parse(ctx.app, "requirements.txt") else {
        return; // AZF604
    };
    if reqs.provides("azure-functions-durable") {
        return;
    }
    let first = model
        .functions
        .iter()
        .filter(|f| f.imported)
        .flat_map(|f| &f.decorators)
        .find(|d| d.spec().is_some_and(|s| s.durable))
        .map(|d| (d.file.to_string(), d.callee_range(), format!("{}()", d.display())));
    let first = first.or_else(|| {
        model
            .objects
            .iter()
            .find(|o| o.imported && o.kind.is_durable())
            .map(|o| (o.file.clone(), o.call.func.range, format!("df.{}", o.kind.class_name())))
    });
    let Some((file, range, what)) = first else { return };
    out.push(
        META.diag(&file,
            range,
            format!(
                "{what} needs azure-functions-durable, which requirements.txt does not list: after deploy the worker's import of {} fails and no function of the app is indexed",
                model.script.name
            ),
        )
        .with_fix(
            "Add azure-functions-durable to requirements.txt",
            vec![requirements::append_line(
                ctx.app,
                "requirements.txt",
                "azure-functions-durable",
            )],
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_script};
    use expect_test::expect;

    #[test]
    fn durable_without_package() {
        expect![[r#"
            function_app.py:4:2 AZF716 warning app.activity_trigger() needs azure-functions-durable, which requirements.txt does not list: after deploy the worker's import of function_app.py fails and no function of the app is indexed
              fix: Add azure-functions-durable to requirements.txt
        "#]]
        .assert_eq(&check_script(
            "AZF716",
            r#"

@app.activity_trigger(input_name="city")
def hello(city: str) -> str:
    return city
//- /requirements.txt
azure-functions
"#,
        ));
        expect![""].assert_eq(&check(
            "AZF716",
            r#"
//- /function_app.py
import azure.durable_functions as df
app = df.DFApp()
//- /requirements.txt
azure-functions
azure-functions-durable>=1.2
"#,
        ));
    }
}
