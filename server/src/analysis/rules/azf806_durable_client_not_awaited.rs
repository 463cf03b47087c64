//! AZF806: a Durable client coroutine (`start_new`, `raise_event`, …) is called without `await`.

use std::collections::HashSet;

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::app::FileContent;
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::durable::{self, ASYNC_CLIENT_METHODS};
use crate::analysis::python::fields::FIELDS;
use crate::analysis::python::{node_text, range_of};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF806",
    name: "durable-client-not-awaited",
    severity: Severity::Warning,
    summary: "A Durable client coroutine such as `start_new` is called without `await`",
    explanation: r#"`start_new`, `raise_event`, `terminate`, `get_status` and the other request methods of
`DurableOrchestrationClient` are coroutines: calling one only builds the request, and nothing is
sent until it is awaited. Without `await` no orchestration starts (Python warns "coroutine was
never awaited" in the log) and the variable holds a coroutine instead of an instance id, so
`create_check_status_response(req, instance_id)` answers with links that lead nowhere.

```python
@app.durable_client_input(client_name="client")
async def start(req: func.HttpRequest, client) -> func.HttpResponse:
    instance_id = await client.start_new("orchestrator")
    return client.create_check_status_response(req, instance_id)
```

The rule reads the functions with a `durableClient` binding: in the decorator model the
parameter is the client; in a function.json app the client is what
`df.DurableOrchestrationClient(...)` returns. A call whose result is dropped or assigned is
reported; one passed on (to `asyncio.gather`, say) is not. The fix adds `await` inside an
`async def`; a plain `def` must become `async def` first.
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let (Some(module), Some(file)) = (ctx.module, ctx.script_path) else {
        return;
    };
    let Some(binding) = durable::client_binding(ctx.unit).and_then(|b| b.name_str()) else {
        return;
    };
    let Some(FileContent::Text(source)) = ctx.app.content(file) else {
        return;
    };
    let Some(function) = durable::entry_def(ctx.unit, module, &ctx.entry_name) else {
        return;
    };
    if !module.syntax_errors.is_empty() {
        return;
    }
    let Some(read) = durable::module_bodies(module, source) else {
        return;
    };
    let text: &str = source;
    let Some(def) = durable::def_node(&read.tree, function) else {
        return;
    };
    let nodes = durable::descendants(def);
    // The names that hold a client: the parameter in the decorator model, else what
    // `DurableOrchestrationClient(...)` is assigned to.
    let mut clients: HashSet<&str> = HashSet::new();
    if ctx.unit.decorated().is_some() {
        clients.insert(binding);
    }
    for n in &nodes {
        if n.kind() != "assignment" {
            continue;
        }
        let (Some(left), Some(right)) = (
            n.child_by_field_id(FIELDS.left),
            n.child_by_field_id(FIELDS.right),
        ) else {
            continue;
        };
        if left.kind() == "identifier"
            && right.kind() == "call"
            && right
                .child_by_field_id(FIELDS.function)
                .is_some_and(|f| node_text(f, text).ends_with("DurableOrchestrationClient"))
        {
            clients.insert(node_text(left, text));
        }
    }
    for n in &nodes {
        if n.kind() != "call" {
            continue;
        }
        let Some(callee) = n
            .child_by_field_id(FIELDS.function)
            .filter(|f| f.kind() == "attribute")
        else {
            continue;
        };
        let (Some(object), Some(method)) = (
            callee.child_by_field_id(FIELDS.object),
            callee.child_by_field_id(FIELDS.attribute),
        ) else {
            continue;
        };
        let (object, method) = (node_text(object, text), node_text(method, text));
        if !clients.contains(object) || !ASYNC_CLIENT_METHODS.contains(&method) {
            continue;
        }
        let dropped = match durable::parent_past_parens(*n) {
            Some(p) if p.kind() == "expression_statement" => true,
            Some(p) if p.kind() == "assignment" => p
                .child_by_field_id(FIELDS.right)
                .is_some_and(|r| r.start_byte() <= n.start_byte()),
            _ => false,
        };
        if !dropped {
            continue;
        }
        let mut d = ctx.diag(
            &META,
            file,
            range_of(callee),
            format!(
                "'{object}.{method}(...)' is a coroutine that is never awaited, so the request is never sent{} — write 'await {object}.{method}(...)'",
                if method == "start_new" { " and no orchestration starts" } else { "" }
            ),
        );
        let mut enclosing = n.parent();
        while let Some(p) = enclosing.filter(|p| !matches!(p.kind(), "function_definition" | "lambda")) {
            enclosing = p.parent();
        }
        if enclosing.is_some_and(|e| e.kind() == "function_definition" && durable::is_async_def(e)) {
            let start = n.start_byte();
            d = d.with_fix(
                format!("Await '{object}.{method}'"),
                vec![FileEdit {
                    file: file.to_string(),
                    range: TextRange::new(start, start),
                    new_text: "await ".to_string(),
                }],
            );
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_fix};
    use expect_test::expect;

    const V1: &str = r#"
//- /Start/function.json
{"bindings": [
  {"name": "req", "type": "httpTrigger", "direction": "in"},
  {"name": "$return", "type": "http", "direction": "out"},
  {"name": "starter", "type": "durableClient", "direction": "in"}
]}
//- /Start/__init__.py
import asyncio
import azure.functions as func
import azure.durable_functions as df

async def main(req: func.HttpRequest, starter: str) -> func.HttpResponse:
    client = df.DurableOrchestrationClient(starter)
    instance_id = client.start_new("Orch")
    other = await client.start_new("Orch")
    await asyncio.gather(client.raise_event(other, "go"))
    return client.create_check_status_response(req, instance_id)
//- /Sync/function.json
{"bindings": [
  {"name": "req", "type": "httpTrigger", "direction": "in"},
  {"name": "$return", "type": "http", "direction": "out"},
  {"name": "starter", "type": "durableClient", "direction": "in"}
]}
//- /Sync/__init__.py
import azure.functions as func
import azure.durable_functions as df

def main(req: func.HttpRequest, starter: str) -> func.HttpResponse:
    client = df.DurableOrchestrationClient(starter)
    client.terminate("id", "stop")
    return func.HttpResponse("ok")
//- /Orch/function.json
{"bindings": [{"name": "context", "type": "orchestrationTrigger", "direction": "in"}]}
//- /Orch/__init__.py
import azure.durable_functions as df
def orchestrator_function(context):
    yield context.call_activity("Hello", "x")
main = df.Orchestrator.create(orchestrator_function)
//- /Hello/function.json
{"bindings": [{"name": "city", "type": "activityTrigger", "direction": "in"}]}
//- /Hello/__init__.py
def main(city: str) -> str:
    return city
"#;

    const V2: &str = r#"
//- /function_app.py
import azure.functions as func
import azure.durable_functions as df
app = df.DFApp()

@app.route(route="start")
@app.durable_client_input(client_name="client")
async def start(req: func.HttpRequest, client) -> func.HttpResponse:
    instance_id = client.start_new("orch")
    return client.create_check_status_response(req, instance_id)

@app.route(route="fine")
@app.durable_client_input(client_name="client")
async def fine(req: func.HttpRequest, client) -> func.HttpResponse:
    instance_id = await client.start_new("orch")
    status = await client.get_status(instance_id)
    return client.create_check_status_response(req, instance_id)

@app.orchestration_trigger(context_name="context")
def orch(context):
    yield context.call_activity("hello", "x")

@app.activity_trigger(input_name="city")
def hello(city: str):
    return city
"#;

    #[test]
    fn dropped_or_assigned_coroutines_in_both_models() {
        expect![[r#"
            Start/__init__.py:7:19 AZF806 warning 'client.start_new(...)' is a coroutine that is never awaited, so the request is never sent and no orchestration starts — write 'await client.start_new(...)'
              fix: Await 'client.start_new'
            Sync/__init__.py:6:5 AZF806 warning 'client.terminate(...)' is a coroutine that is never awaited, so the request is never sent — write 'await client.terminate(...)'
        "#]]
        .assert_eq(&check("AZF806", V1));
        expect![[r#"
            function_app.py:8:19 AZF806 warning 'client.start_new(...)' is a coroutine that is never awaited, so the request is never sent and no orchestration starts — write 'await client.start_new(...)'
              fix: Await 'client.start_new'
        "#]]
        .assert_eq(&check("AZF806", V2));
    }

    #[test]
    fn fix_adds_await() {
        expect![[r#"
            Await 'client.start_new' [preferred] [auto]
            --- function_app.py
            import azure.functions as func
            import azure.durable_functions as df
            app = df.DFApp()

            @app.route(route="start")
            @app.durable_client_input(client_name="client")
            async def start(req: func.HttpRequest, client) -> func.HttpResponse:
                instance_id = await client.start_new("orch")
                return client.create_check_status_response(req, instance_id)

            @app.route(route="fine")
            @app.durable_client_input(client_name="client")
            async def fine(req: func.HttpRequest, client) -> func.HttpResponse:
                instance_id = await client.start_new("orch")
                status = await client.get_status(instance_id)
                return client.create_check_status_response(req, instance_id)

            @app.orchestration_trigger(context_name="context")
            def orch(context):
                yield context.call_activity("hello", "x")

            @app.activity_trigger(input_name="city")
            def hello(city: str):
                return city
        "#]]
        .assert_eq(&check_fix(V2, "AZF806", "Await"));
    }
}
