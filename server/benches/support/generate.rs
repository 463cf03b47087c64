//! Generates a synthetic function app of N function folders with a realistic mix of binding
//! types and a few mistakes, for benchmarks. Shared by the benchmarks and the bench examples
//! through `#[path]`; each uses the models it needs.
#![allow(dead_code)]

use std::fs;
use std::path::Path;

/// Writes an app with `n` function folders under `root` and returns how many files it wrote.
pub fn generate_app(root: &Path, n: usize) -> std::io::Result<usize> {
    fs::create_dir_all(root)?;
    let mut files = 0;
    let mut write = |rel: &str, text: &str| -> std::io::Result<()> {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, text)?;
        files += 1;
        Ok(())
    };
    write(
        "host.json",
        r#"{"version": "2.0", "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}}"#,
    )?;
    write("requirements.txt", "azure-functions\nrequests\n")?;
    write(
        "local.settings.json",
        r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true", "ServiceBusConnection": "Endpoint=sb://x/", "EventHubConnection": "Endpoint=sb://y/"}}"#,
    )?;
    write("shared_code/__init__.py", "")?;
    write(
        "shared_code/util.py",
        "import json\n\n\ndef parse(body: bytes) -> dict:\n    return json.loads(body or b\"{}\")\n",
    )?;
    for i in 0..n {
        let name = format!("F{i:05}");
        let (json, py) = function(i);
        write(&format!("{name}/function.json"), &json)?;
        write(&format!("{name}/__init__.py"), &py)?;
    }
    Ok(files)
}

/// One function's files. About 3% have a mistake the checker reports.
fn function(i: usize) -> (String, String) {
    let mistake = i.is_multiple_of(37);
    match i % 20 {
        0..=7 => {
            let param = if mistake { "request" } else { "req" };
            (
                format!(
                    r#"{{
  "scriptFile": "__init__.py",
  "bindings": [
    {{
      "authLevel": "function",
      "type": "httpTrigger",
      "direction": "in",
      "name": "req",
      "methods": ["get", "post"],
      "route": "items/{{id}}/v{i}"
    }},
    {{
      "type": "http",
      "direction": "out",
      "name": "$return"
    }}
  ]
}}
"#
                ),
                format!(
                    r#"import logging

import azure.functions as func
from shared_code import util


def main({param}: func.HttpRequest) -> func.HttpResponse:
    logging.info("Python HTTP trigger function processed a request.")
    item_id = {param}.route_params.get("id")
    body = util.parse({param}.get_body())
    name = {param}.params.get("name") or body.get("name")
    if not name:
        return func.HttpResponse("Pass a name in the query string or body", status_code=400)
    return func.HttpResponse(f"Hello, {{name}} ({{item_id}})")
"#
                ),
            )
        }
        8..=11 => {
            let out_annotation = if mistake { "str" } else { "func.Out[str]" };
            (
                format!(
                    r#"{{
  "bindings": [
    {{
      "name": "msg",
      "type": "queueTrigger",
      "direction": "in",
      "queueName": "orders-{i}",
      "connection": "AzureWebJobsStorage"
    }},
    {{
      "name": "outputBlob",
      "type": "blob",
      "direction": "out",
      "path": "processed/{{id}}.json",
      "connection": "AzureWebJobsStorage"
    }}
  ]
}}
"#
                ),
                format!(
                    r#"import json
import logging

import azure.functions as func


def main(msg: func.QueueMessage, outputBlob: {out_annotation}) -> None:
    payload = json.loads(msg.get_body().decode("utf-8"))
    logging.info("Processing order %s", payload.get("id"))
    outputBlob.set(json.dumps(payload))
"#
                ),
            )
        }
        12..=14 => {
            let schedule = if mistake { "*/5 * * * *" } else { "0 */5 * * * *" };
            (
                format!(
                    r#"{{
  "bindings": [
    {{
      "name": "mytimer",
      "type": "timerTrigger",
      "direction": "in",
      "schedule": "{schedule}"
    }}
  ]
}}
"#
                ),
                r#"import datetime
import logging

import azure.functions as func


def main(mytimer: func.TimerRequest) -> None:
    utc_timestamp = datetime.datetime.utcnow().replace(tzinfo=datetime.timezone.utc).isoformat()
    if mytimer.past_due:
        logging.info("The timer is past due!")
    logging.info("Python timer trigger function ran at %s", utc_timestamp)
"#
                .to_string(),
            )
        }
        15..=16 => (
            r#"{
  "scriptFile": "__init__.py",
  "bindings": [
    {
      "name": "myblob",
      "type": "blobTrigger",
      "direction": "in",
      "path": "samples-workitems/{name}",
      "connection": "AzureWebJobsStorage"
    }
  ]
}
"#
            .to_string(),
            r#"import logging

import azure.functions as func


def main(myblob: func.InputStream):
    logging.info(f"Python blob trigger function processed blob \n"
                 f"Name: {myblob.name}\n"
                 f"Blob Size: {myblob.length} bytes")
"#
            .to_string(),
        ),
        17 => (
            r#"{
  "bindings": [
    {
      "type": "eventHubTrigger",
      "name": "events",
      "direction": "in",
      "eventHubName": "telemetry",
      "connection": "EventHubConnection",
      "cardinality": "many",
      "consumerGroup": "$Default"
    }
  ]
}
"#
            .to_string(),
            r#"import logging
from typing import List

import azure.functions as func


def main(events: List[func.EventHubEvent]):
    for event in events:
        logging.info("Python EventHub trigger processed an event: %s", event.get_body().decode("utf-8"))
"#
            .to_string(),
        ),
        18 => (
            r#"{
  "bindings": [
    {
      "name": "msg",
      "type": "serviceBusTrigger",
      "direction": "in",
      "queueName": "inbound",
      "connection": "ServiceBusConnection"
    },
    {
      "name": "outmsg",
      "type": "serviceBus",
      "direction": "out",
      "queueName": "outbound",
      "connection": "ServiceBusConnection"
    }
  ]
}
"#
            .to_string(),
            r#"import logging

import azure.functions as func


def main(msg: func.ServiceBusMessage, outmsg: func.Out[str]):
    body = msg.get_body().decode("utf-8")
    logging.info("Python ServiceBus queue trigger processed message: %s", body)
    outmsg.set(body.upper())
"#
            .to_string(),
        ),
        _ => (
            r#"{
  "bindings": [
    {
      "name": "name",
      "type": "activityTrigger",
      "direction": "in"
    }
  ]
}
"#
            .to_string(),
            r#"def main(name: str) -> str:
    return f"Hello {name}!"
"#
            .to_string(),
        ),
    }
}

/// Writes a decorator-model (v2) app with `n` functions under `root`: `function_app.py` registers
/// one blueprint module per [`FUNCTIONS_PER_BLUEPRINT`] functions, with the same mix of triggers
/// and about 3% mistakes as [`generate_app`]. Returns how many files it wrote.
pub fn generate_app_v2(root: &Path, n: usize) -> std::io::Result<usize> {
    fs::create_dir_all(root.join("blueprints"))?;
    let mut files = 0;
    let mut write = |rel: &str, text: &str| -> std::io::Result<()> {
        fs::write(root.join(rel), text)?;
        files += 1;
        Ok(())
    };
    write(
        "host.json",
        r#"{"version": "2.0", "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}}"#,
    )?;
    write("requirements.txt", "azure-functions\nrequests\n")?;
    write(
        "local.settings.json",
        r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true", "ServiceBusConnection": "Endpoint=sb://x/", "EventHubConnection": "Endpoint=sb://y/"}}"#,
    )?;
    write("blueprints/__init__.py", "")?;
    let modules = n.div_ceil(FUNCTIONS_PER_BLUEPRINT);
    let mut app = String::from("import azure.functions as func\n\n");
    for m in 0..modules {
        app.push_str(&format!("from blueprints import bp{m:04}\n"));
    }
    app.push_str("\napp = func.FunctionApp()\n");
    for m in 0..modules {
        app.push_str(&format!("app.register_functions(bp{m:04}.bp)\n"));
    }
    write("function_app.py", &app)?;
    for m in 0..modules {
        let mut module = String::from(
            "import datetime\nimport json\nimport logging\n\nimport azure.functions as func\n\nbp = func.Blueprint()\n",
        );
        let first = m * FUNCTIONS_PER_BLUEPRINT;
        for i in first..n.min(first + FUNCTIONS_PER_BLUEPRINT) {
            module.push_str(&decorated_function(i));
        }
        write(&format!("blueprints/bp{m:04}.py"), &module)?;
    }
    Ok(files)
}

/// How many functions each generated blueprint module holds.
pub const FUNCTIONS_PER_BLUEPRINT: usize = 50;

/// One decorated function of a v2 app. About 3% have a mistake the checker reports.
fn decorated_function(i: usize) -> String {
    let mistake = i.is_multiple_of(37);
    match i % 20 {
        0..=7 => {
            let param = if mistake { "request" } else { "req" };
            format!(
                r#"

@bp.function_name(name="http_{i:05}")
@bp.route(route="items/{{id}}/v{i}", methods=["GET", "POST"], auth_level=func.AuthLevel.FUNCTION)
def http_{i:05}({param}: func.HttpRequest) -> func.HttpResponse:
    logging.info("Python HTTP trigger function processed a request.")
    item_id = {param}.route_params.get("id")
    body = json.loads({param}.get_body() or b"{{}}")
    name = {param}.params.get("name") or body.get("name")
    if not name:
        return func.HttpResponse("Pass a name in the query string or body", status_code=400)
    return func.HttpResponse(f"Hello, {{name}} ({{item_id}})")
"#
            )
        }
        8..=11 => {
            let out = if mistake { "str" } else { "func.Out[str]" };
            format!(
                r#"

@bp.queue_trigger(arg_name="msg", queue_name="orders-{i}", connection="AzureWebJobsStorage")
@bp.blob_output(arg_name="outputBlob", path="processed/{{id}}.json", connection="AzureWebJobsStorage")
def queue_{i:05}(msg: func.QueueMessage, outputBlob: {out}) -> None:
    payload = json.loads(msg.get_body().decode("utf-8"))
    logging.info("Processing order %s", payload.get("id"))
    outputBlob.set(json.dumps(payload))
"#
            )
        }
        12..=14 => {
            let schedule = if mistake {
                "*/5 * * * *"
            } else {
                "0 */5 * * * *"
            };
            format!(
                r#"

@bp.timer_trigger(arg_name="mytimer", schedule="{schedule}")
def timer_{i:05}(mytimer: func.TimerRequest) -> None:
    utc_timestamp = datetime.datetime.utcnow().replace(tzinfo=datetime.timezone.utc).isoformat()
    if mytimer.past_due:
        logging.info("The timer is past due!")
    logging.info("Python timer trigger function ran at %s", utc_timestamp)
"#
            )
        }
        15..=16 => format!(
            r#"

@bp.blob_trigger(arg_name="myblob", path="samples-workitems/{{name}}", connection="AzureWebJobsStorage")
def blob_{i:05}(myblob: func.InputStream):
    logging.info(f"Python blob trigger function processed blob \n"
                 f"Name: {{myblob.name}}\n"
                 f"Blob Size: {{myblob.length}} bytes")
"#
        ),
        17 => format!(
            r#"

@bp.event_hub_message_trigger(arg_name="events", event_hub_name="telemetry", connection="EventHubConnection", cardinality="many")
def events_{i:05}(events: list[func.EventHubEvent]):
    for event in events:
        logging.info("Python EventHub trigger processed an event: %s", event.get_body().decode("utf-8"))
"#
        ),
        18 => format!(
            r#"

@bp.service_bus_queue_trigger(arg_name="msg", queue_name="inbound", connection="ServiceBusConnection")
@bp.service_bus_queue_output(arg_name="outmsg", queue_name="outbound", connection="ServiceBusConnection")
def bus_{i:05}(msg: func.ServiceBusMessage, outmsg: func.Out[str]):
    body = msg.get_body().decode("utf-8")
    logging.info("Python ServiceBus queue trigger processed message: %s", body)
    outmsg.set(body.upper())
"#
        ),
        _ => format!(
            r#"

@bp.route(route="hello/{i}", auth_level=func.AuthLevel.ANONYMOUS)
def hello_{i:05}(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(f"Hello {{req.params.get('name')}}!")
"#
        ),
    }
}
