//! AZF709: a function has two trigger decorators; the second raises at import.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::v2::import_fails;

pub const META: RuleMeta = RuleMeta {
    code: "AZF709",
    name: "second-trigger-decorator",
    severity: Severity::Error,
    summary: "A decorated function has two trigger decorators",
    explanation: r#"A function has exactly one trigger. A second trigger decorator (an HTTP `route` on a queue
function, two `timer_trigger`s, …) raises `ValueError: A trigger was already registered to this
function` while the worker imports the script, and the app has no function.

```python
@app.route(route="orders")
@app.queue_trigger(arg_name="msg", queue_name="orders", connection="AzureWebJobsStorage")
def orders(req, msg): ...
```

Split it into two functions that share code.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    for f in model.functions.iter().filter(|f| f.imported) {
        let mut triggers = f
            .decorators
            .iter()
            .filter(|d| d.spec().is_some_and(|s| s.adds_trigger()));
        let Some(first) = triggers.next() else { continue };
        let Some(second) = triggers.next() else { continue };
        out.push(
            META.diag(&second.file,
                second.callee_range(),
                format!(
                    "a second trigger for {}(): {}() already added one and a function has exactly one; it raises ValueError (\"A trigger was already registered to this function.\"), and {}",
                    f.def_name,
                    first.display(),
                    import_fails(&model.script.name)
                ),
            )
            .with_related(&first.file, first.callee_range(), "the first trigger"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check_script;
    use expect_test::expect;

    #[test]
    fn two_triggers() {
        expect![[r#"
            function_app.py:4:2 AZF709 error a second trigger for orders(): app.queue_trigger() already added one and a function has exactly one; it raises ValueError ("A trigger was already registered to this function."), and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found")
              related function_app.py:5:2: the first trigger
        "#]]
        .assert_eq(&check_script(
            "AZF709",
            r#"

@app.route(route="orders", methods=["POST"])
@app.queue_trigger(arg_name="msg", queue_name="orders", connection="AzureWebJobsStorage")
def orders(req, msg): pass
"#,
        ));
    }
}
