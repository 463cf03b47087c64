//! AZF807: an orchestrator declares an input binding besides its orchestration trigger.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::durable::{self, DurableKind};
use crate::analysis::function_json::Direction;

pub const META: RuleMeta = RuleMeta {
    code: "AZF807",
    name: "durable-orchestrator-input-binding",
    severity: Severity::Warning,
    summary: "An orchestrator declares an input binding besides its orchestration trigger",
    explanation: r#"An orchestrator must not do I/O, and an input binding is I/O done for it: the Durable Functions
documentation tells not to use input or output bindings with an `orchestrationTrigger`, and to read
them in an activity instead. The function still loads, but the binding is read again on every
replay, its value may differ between replays, and the wrapper the library hands the worker
(`df.Orchestrator.create`, or what `@app.orchestration_trigger` builds from the function) takes
only the orchestration context, so the value never reaches the orchestrator's code.

```python
@app.activity_trigger(input_name="name")
@app.blob_input(arg_name="blob", path="config/{name}.json", connection="AzureWebJobsStorage")
def read_config(name: str, blob: str) -> str:
    return blob

@app.orchestration_trigger(context_name="context")
def orchestrator(context):
    config = yield context.call_activity("read_config", "settings")
```

Entity functions are not replayed and may use bindings (the Durable Functions documentation
passes binding data to entities from their entry function), so they are not reported.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    if durable::kind_of(ctx.unit) != Some(DurableKind::Orchestrator) {
        return;
    }
    for b in ctx.unit.bindings() {
        if b.is_trigger() || b.direction != Some(Direction::In) {
            continue;
        }
        let name = b.name_str().unwrap_or("?");
        let kind = b.type_str().unwrap_or("?");
        out.push(ctx.declaration_diag(
            &META,
            b.anchor(),
            format!(
                "Orchestrator '{}' has the input binding '{name}' ({kind}), which is read again on every replay and never reaches the orchestrator's code — read it in an activity and call that activity instead",
                ctx.name()
            ),
        ));
    }
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
  {"name": "config", "type": "blob", "direction": "in", "path": "c/settings.json", "connection": "AzureWebJobsStorage"}
]}
//- /Counter/__init__.py
import azure.durable_functions as df
def entity_function(context):
    context.set_result(1)
main = df.Entity.create(entity_function)
"#;

    const V2: &str = r#"
//- /function_app.py
import azure.functions as func
import azure.durable_functions as df
app = df.DFApp()

@app.orchestration_trigger(context_name="context")
@app.blob_input(arg_name="config", path="c/settings.json", connection="AzureWebJobsStorage")
def orch(context, config):
    yield context.call_activity("hello", "x")

@app.orchestration_trigger(context_name="context")
def plain(context):
    yield context.call_activity("hello", "x")

@app.activity_trigger(input_name="city")
@app.blob_input(arg_name="config", path="c/settings.json", connection="AzureWebJobsStorage")
def hello(city: str, config: str):
    return city
"#;

    #[test]
    fn input_bindings_on_orchestrators_only() {
        expect![[r#"
            Orch/function.json:3:12 AZF807 warning Orchestrator 'Orch' has the input binding 'config' (blob), which is read again on every replay and never reaches the orchestrator's code — read it in an activity and call that activity instead
        "#]]
        .assert_eq(&check("AZF807", V1));
        expect![[r#"
            function_app.py:6:26 AZF807 warning Orchestrator 'orch' has the input binding 'config' (blob), which is read again on every replay and never reaches the orchestrator's code — read it in an activity and call that activity instead
        "#]]
        .assert_eq(&check("AZF807", V2));
    }
}
