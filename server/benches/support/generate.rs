//! Generates a synthetic function app of N function folders with a realistic mix of binding
//! types and a few mistakes, for benchmarks. Shared by the benchmarks through `#[path]`.

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
