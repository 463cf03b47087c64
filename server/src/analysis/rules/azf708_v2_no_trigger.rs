//! AZF708: a v2 function has no trigger decorator, or its trigger is not one for the host.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF708",
    name: "decorated-function-without-trigger",
    severity: Severity::Error,
    summary: "A decorated function has no trigger decorator (or a generic trigger whose type is not a trigger)",
    explanation: r#"Every decorated function needs exactly one trigger decorator (`route`, `queue_trigger`,
`timer_trigger`, …). Without one the library refuses the app while the worker indexes it
("Function enqueue does not have a trigger. A valid function must have one and only one trigger
registered.") and the app has no function. A `generic_trigger` counts for the library, but the
host sees a trigger only when the type ends with `Trigger`; otherwise it refuses the function
("No trigger binding specified.").

```python
@app.queue_output(arg_name="msg", queue_name="outbox", connection="AzureWebJobsStorage")
def enqueue(msg: func.Out[str]) -> None: ...
```

Add the decorator that should run the function, e.g. `@app.timer_trigger(...)` or `@app.route(...)`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(v2) = ctx.unit.decorated() else { return };
    if v2.http_app.is_some() {
        return;
    }
    let file = ctx.unit.declaration_file();
    let triggers: Vec<_> = v2
        .decorators
        .iter()
        .filter(|d| d.spec().is_some_and(|s| s.adds_trigger()))
        .collect();
    if triggers.is_empty() {
        out.push(ctx.diag(
            &META,
            file,
            v2.def_name_range,
            format!(
                "{}() has no trigger decorator: the library refuses it (\"Function {} does not have a trigger. A valid function must have one and only one trigger registered.\") and the worker indexes no function of the app (\"0 functions found\")",
                v2.def_name,
                ctx.name()
            ),
        ));
        return;
    }
    if triggers.len() > 1 {
        return; // AZF709
    }
    // The host recognises a trigger by its type.
    for (b, o) in ctx.unit.bindings().iter().zip(&v2.origins) {
        if b.direction != Some(crate::analysis::function_json::Direction::In)
            || v2.decorators.get(o.decorator).map(|d| d.range) != Some(triggers[0].range)
        {
            continue;
        }
        let Some(t) = &b.binding_type else { continue };
        if t.value.to_ascii_lowercase().ends_with("trigger") {
            continue;
        }
        out.push(ctx.diag(
            &META,
            file,
            t.range,
            format!(
                "'{}' does not end with 'Trigger', so the host sees no trigger: it refuses '{}' (\"No trigger binding specified. A function must have a trigger input binding.\")",
                t.value,
                ctx.name()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check_script;
    use expect_test::expect;

    #[test]
    fn functions_without_trigger() {
        expect![[r#"
            function_app.py:5:5 AZF708 error enqueue() has no trigger decorator: the library refuses it ("Function enqueue does not have a trigger. A valid function must have one and only one trigger registered.") and the worker indexes no function of the app ("0 functions found")
            function_app.py:8:41 AZF708 error 'queueTriger' does not end with 'Trigger', so the host sees no trigger: it refuses 'process' ("No trigger binding specified. A function must have a trigger input binding.")
        "#]]
        .assert_eq(&check_script(
            "AZF708",
            r#"

@app.queue_output(arg_name="msg", queue_name="outbox", connection="AzureWebJobsStorage")
def enqueue(msg: func.Out[str]) -> None:
    msg.set("x")

@app.generic_trigger(arg_name="m", type="queueTriger", queue_name="q")
def process(m) -> None: pass

@app.generic_trigger(arg_name="req", type="httpTrigger")
@app.generic_output_binding(arg_name="$return", type="http")
def hello(req): return "x"
"#,
        ));
    }
}
