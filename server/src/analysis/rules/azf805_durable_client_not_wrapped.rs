//! AZF805: a function.json `durableClient` parameter is used as a client without
//! `df.DurableOrchestrationClient(...)`.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::app::FileContent;
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::durable::{self, ASYNC_CLIENT_METHODS, SYNC_CLIENT_METHODS};
use crate::analysis::python::fields::FIELDS;
use crate::analysis::python::{node_text, range_of};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF805",
    name: "durable-client-not-wrapped",
    severity: Severity::Warning,
    summary: "A function.json `durableClient` parameter is used as a client without `df.DurableOrchestrationClient(...)`",
    explanation: r#"In a function.json app the worker passes a `durableClient` binding to the function as a string:
the JSON that tells the library where the task hub is. It is not a client; the library builds one
from it with `df.DurableOrchestrationClient(starter)`. Calling a client method on the string
(`starter.start_new(...)`) raises `AttributeError` on every invocation, so no orchestration starts.

```python
async def main(req: func.HttpRequest, starter: str) -> func.HttpResponse:
    client = df.DurableOrchestrationClient(starter)
    instance_id = await client.start_new("Orchestrator")
    return client.create_check_status_response(req, instance_id)
```

The decorator model (`@app.durable_client_input`) builds the client itself, so this rule reads
function.json apps only. It reports the first client method called on the parameter, and stays
silent when the parameter is passed to `DurableOrchestrationClient` anywhere in the function. The
fix wraps the parameter at the top of the function when the module imports the library.
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    if ctx.unit.decorated().is_some() {
        return;
    }
    let (Some(module), Some(file)) = (ctx.module, ctx.script_path) else {
        return;
    };
    let Some(param) = durable::client_binding(ctx.unit).and_then(|b| b.name_str()) else {
        return;
    };
    let Some(FileContent::Text(source)) = ctx.app.content(file) else {
        return;
    };
    let Some(function) = durable::entry_def(ctx.unit, module, &ctx.entry_name) else {
        return;
    };
    if !function.params.iter().any(|p| p.name == param) || !module.syntax_errors.is_empty() {
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
    let wrapped = nodes.iter().any(|n| {
        n.kind() == "call"
            && n.child_by_field_id(FIELDS.function)
                .is_some_and(|f| node_text(f, text).ends_with("DurableOrchestrationClient"))
            && n.child_by_field_id(FIELDS.arguments).is_some_and(|args| {
                let mut cursor = args.walk();
                let found = args
                    .named_children(&mut cursor)
                    .any(|a| a.kind() == "identifier" && node_text(a, text) == param);
                found
            })
    });
    if wrapped {
        return;
    }
    let first_use = nodes.iter().find_map(|n| {
        if n.kind() != "attribute" {
            return None;
        }
        let object = n.child_by_field_id(FIELDS.object)?;
        let method = node_text(n.child_by_field_id(FIELDS.attribute)?, text);
        (object.kind() == "identifier"
            && node_text(object, text) == param
            && (ASYNC_CLIENT_METHODS.contains(&method) || SYNC_CLIENT_METHODS.contains(&method)))
        .then(|| (range_of(*n), method))
    });
    let Some((range, method)) = first_use else {
        return;
    };
    let mut d = ctx.diag(
        &META,
        file,
        range,
        format!(
            "'{param}' is the durableClient binding's JSON string, not a client, so '{param}.{method}' raises AttributeError on every call — wrap it first with 'DurableOrchestrationClient({param})'"
        ),
    );
    if let (Some(class), Some(first)) = (
        durable::client_class_name(module),
        durable::first_statement(def),
    ) {
        let start = first.start_byte();
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent = &text[line_start..start];
        if indent.chars().all(|c| c == ' ' || c == '\t') {
            d = d.with_fix(
                format!("Wrap '{param}' in {class}"),
                vec![FileEdit {
                    file: file.to_string(),
                    range: TextRange::new(start, start),
                    new_text: format!("{param} = {class}({param})\n{indent}"),
                }],
            );
        }
    }
    out.push(d);
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
import azure.functions as func
import azure.durable_functions as df

async def main(req: func.HttpRequest, starter: str) -> func.HttpResponse:
    """Starts the orchestration."""
    instance_id = await starter.start_new("Orch")
    return starter.create_check_status_response(req, instance_id)
//- /Wrapped/function.json
{"bindings": [
  {"name": "req", "type": "httpTrigger", "direction": "in"},
  {"name": "$return", "type": "http", "direction": "out"},
  {"name": "starter", "type": "durableClient", "direction": "in"}
]}
//- /Wrapped/__init__.py
import azure.functions as func
import azure.durable_functions as df

async def main(req: func.HttpRequest, starter: str) -> func.HttpResponse:
    client = df.DurableOrchestrationClient(starter)
    instance_id = await client.start_new("Orch")
    return client.create_check_status_response(req, instance_id)
//- /Orch/function.json
{"bindings": [{"name": "context", "type": "orchestrationTrigger", "direction": "in"}]}
//- /Orch/__init__.py
import azure.durable_functions as df
def orchestrator_function(context):
    yield context.call_activity("Hello", "x")
main = df.Orchestrator.create(orchestrator_function)
"#;

    /// The decorator gives the function a client object: calling it directly is right.
    const V2: &str = r#"
//- /function_app.py
import azure.functions as func
import azure.durable_functions as df
app = df.DFApp()

@app.route(route="start")
@app.durable_client_input(client_name="client")
async def start(req: func.HttpRequest, client) -> func.HttpResponse:
    instance_id = await client.start_new("orch")
    return client.create_check_status_response(req, instance_id)

@app.orchestration_trigger(context_name="context")
def orch(context):
    yield context.call_activity("hello", "x")

@app.activity_trigger(input_name="city")
def hello(city: str):
    return city
"#;

    #[test]
    fn unwrapped_parameter_in_function_json_apps_only() {
        expect![[r#"
            Start/__init__.py:6:25 AZF805 warning 'starter' is the durableClient binding's JSON string, not a client, so 'starter.start_new' raises AttributeError on every call — wrap it first with 'DurableOrchestrationClient(starter)'
              fix: Wrap 'starter' in df.DurableOrchestrationClient
        "#]]
        .assert_eq(&check("AZF805", V1));
        expect![[""]].assert_eq(&check("AZF805", V2));
    }

    #[test]
    fn fix_wraps_the_parameter_after_the_docstring() {
        let fixed = check_fix(V1, "AZF805", "Wrap 'starter'");
        assert!(
            fixed.contains(
                "    \"\"\"Starts the orchestration.\"\"\"\n    starter = df.DurableOrchestrationClient(starter)\n    instance_id = await starter.start_new(\"Orch\")"
            ),
            "{fixed}"
        );
    }
}
