//! AZF807: an orchestrator or entity declares bindings besides its trigger, which the Durable
//! library's wrapper cannot take, so the worker refuses the function.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::durable::{self, DurableKind};
use crate::analysis::python::{Binding as PyBinding, NameDef, NameKind};

pub const META: RuleMeta = RuleMeta {
    code: "AZF807",
    name: "durable-trigger-with-bindings",
    severity: Severity::Error,
    summary: "An orchestrator or entity declares bindings besides its trigger: the library's wrapper has no parameter for them",
    explanation: r#"The worker does not call an orchestrator or an entity function directly. It calls the wrapper
the Durable library builds around it (`df.Orchestrator.create(f)`, `df.Entity.create(f)`, or what
`@app.orchestration_trigger` and `@app.entity_trigger` build from the decorated function), and that
wrapper has one parameter, `context`. A second binding (a blob input, a queue output, …) names a
parameter the wrapper does not have, so the worker refuses the function when it loads it:
"Extra parameters in binding definition — the following parameters are declared as bindings but are
not present in Python" in the decorator model, where the whole app then indexes no function, and
"the following parameters are declared in function.json but not in Python" in a function.json app
(azure-functions-durable 1.7.0's wrappers; the worker's loaders compare the bindings with
`inspect.signature` of the function they are given, and a decorator app with a blob input on its
orchestrator was run through the v2 loader with that result).

Bindings belong in activities, which the orchestrator calls; an orchestrator must not do I/O anyway
(the Durable Functions documentation says not to use input or output bindings with an
orchestration trigger):

```python
@app.activity_trigger(input_name="name")
@app.blob_input(arg_name="blob", path="config/{name}.json", connection="AzureWebJobsStorage")
def read_config(name: str, blob: str) -> str:
    return blob

@app.orchestration_trigger(context_name="context")
def orchestrator(context):
    config = yield context.call_activity("read_config", "settings")
```

In a function.json app the rule reads functions whose entry point is
`main = df.Orchestrator.create(...)` or `df.Entity.create(...)`; an entry point that is a `def` of
its own is held to its own parameters by the rules on parameters and bindings.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let kind = match durable::kind_of(ctx.unit) {
        Some(k @ (DurableKind::Orchestrator | DurableKind::Entity)) => k,
        _ => return,
    };
    if ctx.unit.decorated().is_none() && !wrapped_entry(ctx) {
        return;
    }
    for b in ctx.unit.bindings() {
        let name = b.name_str().unwrap_or("");
        if b.is_trigger() || name.is_empty() || name == "$return" {
            continue;
        }
        let binding_type = b.type_str().unwrap_or("?");
        let consequence = match ctx.unit.decorated() {
            Some(_) if trigger_above_bindings(ctx) => {
                "importing the script fails with AttributeError (the decorator above hands the wrapper a function builder) and the app indexes no function"
            }
            Some(_) => "the worker refuses it and the app indexes no function",
            None => "the worker refuses to load it",
        };
        out.push(ctx.declaration_diag(
            &META,
            b.anchor(),
            format!(
                "{} '{}' has the binding '{name}' ({binding_type}), but the Durable library's wrapper that the worker calls takes only 'context', so {consequence} — move the binding to an activity and call that activity",
                if kind == DurableKind::Orchestrator { "Orchestrator" } else { "Entity" },
                ctx.name()
            ),
        ));
    }
}

/// Whether the durable trigger's decorator is above another decorator of the function: it is
/// then given the function builder instead of the function and fails to read its `__name__`.
fn trigger_above_bindings(ctx: &FunctionCtx) -> bool {
    let decorators = ctx.unit.decorators();
    let Some(trigger) = decorators
        .iter()
        .find(|d| matches!(d.method, "orchestration_trigger" | "entity_trigger"))
    else {
        return false;
    };
    decorators
        .iter()
        .any(|d| d.range.start > trigger.range.start && d.method != "function_name")
}

/// Whether a function.json function's entry point is the library's wrapper:
/// `main = df.Orchestrator.create(f)` or `main = df.Entity.create(f)` at module level.
fn wrapped_entry(ctx: &FunctionCtx) -> bool {
    let (Some(module), Some(text)) = (ctx.module, ctx.script_text) else {
        return false;
    };
    let entry = ctx.entry_name.as_str();
    let Some(NameDef {
        kind: NameKind::Other,
        offset,
        conditional: false,
        ..
    }) = (match module.final_binding(entry) {
        PyBinding::Def(d) => Some(d),
        _ => None,
    })
    else {
        return false;
    };
    let line_end = text[*offset..].find('\n').map_or(text.len(), |i| offset + i);
    let Some(value) = text[*offset..line_end]
        .strip_prefix(entry)
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix('='))
    else {
        return false;
    };
    let value = value.trim_start();
    ["Orchestrator.create(", "Entity.create("]
        .iter()
        .any(|w| value.starts_with(w) || value.contains(&format!(".{w}")))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    const V1: &str = r#"
//- /Orch/function.json
{"bindings": [
  {"name": "context", "type": "orchestrationTrigger", "direction": "in"},
  {"name": "config", "type": "blob", "direction": "in", "path": "c/settings.json", "connection": "AzureWebJobsStorage"}
]}
//- /Orch/__init__.py
import azure.durable_functions as df
def orchestrator_function(context):
    yield context.call_activity("Hello", "x")
main = df.Orchestrator.create(orchestrator_function)
//- /Hello/function.json
{"bindings": [
  {"name": "city", "type": "activityTrigger", "direction": "in"},
  {"name": "config", "type": "blob", "direction": "in", "path": "c/settings.json", "connection": "AzureWebJobsStorage"}
]}
//- /Hello/__init__.py
def main(city: str, config: str) -> str:
    return city
//- /Counter/function.json
{"bindings": [
  {"name": "context", "type": "entityTrigger", "direction": "in"},
  {"name": "msg", "type": "queue", "direction": "out", "queueName": "q", "connection": "AzureWebJobsStorage"}
]}
//- /Counter/__init__.py
import azure.durable_functions as df
def entity_function(context):
    context.set_result(1)
main = df.Entity.create(entity_function)
//- /Own/function.json
{"bindings": [
  {"name": "context", "type": "orchestrationTrigger", "direction": "in"},
  {"name": "config", "type": "blob", "direction": "in", "path": "c/settings.json", "connection": "AzureWebJobsStorage"}
]}
//- /Own/__init__.py
def main(context, config):
    return "{}"
"#;

    const V2: &str = r#"
//- /function_app.py
import azure.functions as func
import azure.durable_functions as df
app = df.DFApp()

@app.blob_input(arg_name="config", path="c/settings.json", connection="AzureWebJobsStorage")
@app.orchestration_trigger(context_name="context")
def orch(context, config):
    yield context.call_activity("hello", "x")

@app.orchestration_trigger(context_name="context")
def plain(context):
    yield context.call_activity("hello", "x")

@app.entity_trigger(context_name="context")
@app.queue_output(arg_name="msg", queue_name="q", connection="AzureWebJobsStorage")
def counter(context, msg):
    context.set_result(1)

@app.activity_trigger(input_name="city")
@app.blob_input(arg_name="config", path="c/settings.json", connection="AzureWebJobsStorage")
def hello(city: str, config: str):
    return city
"#;

    #[test]
    fn bindings_beside_durable_triggers_the_wrapper_cannot_take() {
        expect![[r#"
            Counter/function.json:3:12 AZF807 error Entity 'Counter' has the binding 'msg' (queue), but the Durable library's wrapper that the worker calls takes only 'context', so the worker refuses to load it — move the binding to an activity and call that activity
            Orch/function.json:3:12 AZF807 error Orchestrator 'Orch' has the binding 'config' (blob), but the Durable library's wrapper that the worker calls takes only 'context', so the worker refuses to load it — move the binding to an activity and call that activity
        "#]]
        .assert_eq(&check("AZF807", V1));
        expect![[r#"
            function_app.py:5:26 AZF807 error Orchestrator 'orch' has the binding 'config' (blob), but the Durable library's wrapper that the worker calls takes only 'context', so the worker refuses it and the app indexes no function — move the binding to an activity and call that activity
            function_app.py:15:28 AZF807 error Entity 'counter' has the binding 'msg' (queue), but the Durable library's wrapper that the worker calls takes only 'context', so importing the script fails with AttributeError (the decorator above hands the wrapper a function builder) and the app indexes no function — move the binding to an activity and call that activity
        "#]]
        .assert_eq(&check("AZF807", V2));
    }
}
