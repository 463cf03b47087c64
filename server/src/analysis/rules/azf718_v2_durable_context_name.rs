//! AZF718: a Durable orchestrator or entity trigger not named `context`.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF718",
    name: "durable-context-name",
    severity: Severity::Error,
    summary: "An `orchestration_trigger`/`entity_trigger` has a `context_name` other than `context`",
    explanation: r#"Durable Functions runs an orchestrator or entity through a library function
`handle(context)`, and that is the signature the worker checks. Its trigger binding must therefore
be named `context`: with any other `context_name` the worker takes `context` for the invocation
context and refuses the function (for an orchestrator: `the "context" parameter is expected to be
of type azure.functions.Context, got "<class 'azure.functions._durable_functions.OrchestrationContext'>"`),
and the app has no function. The name of your own function's parameter does not matter.

```python
@app.orchestration_trigger(context_name="ctx")
def orchestrator(ctx: df.DurableOrchestrationContext): ...
```

Use `context_name="context"`.
"#,
    fix: FixAvailability::Unsafe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(v2) = ctx.unit.decorated() else { return };
    for d in &v2.decorators {
        if d.method != "orchestration_trigger" && d.method != "entity_trigger" {
            continue;
        }
        let Some((_, bound)) = d.bound_args() else {
            continue;
        };
        let Some(value) = bound.value("context_name") else {
            continue;
        };
        let Some(name) = value.as_str() else { continue };
        if name == "context" {
            continue;
        }
        out.push(
            ctx.diag(
                &META,
                &d.file,
                value.range,
                ctx.app_fails(format!(
                    "{}(context_name='{name}'): the library runs {}() through handle(context), so the worker needs the trigger named 'context'",
                    d.display(),
                    v2.def_name
                )),
            )
            .with_fix(
                "Use context_name=\"context\"",
                vec![FileEdit {
                    file: d.file.to_string(),
                    range: value.range,
                    new_text: "\"context\"".into(),
                }],
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn context_names() {
        expect![[r#"
            function_app.py:4:41 AZF718 error app.orchestration_trigger(context_name='ctx'): the library runs orchestrator() through handle(context), so the worker needs the trigger named 'context'; the worker then indexes no function of the app ("0 functions found")
              fix: Use context_name="context"
        "#]].assert_eq(&check(
            "AZF718",
            r#"
//- /function_app.py
import azure.durable_functions as df
app = df.DFApp()

@app.orchestration_trigger(context_name="ctx")
def orchestrator(ctx):
    yield ctx.call_activity("a", 1)

@app.entity_trigger(context_name="context")
def counter(context): pass
"#,
        ));
    }
}
