//! Hover in `local.settings.json` and `host.json` over the wire, in both programming models: a
//! setting shows its masked value and the bindings and code that read it; host.json keys and the
//! extension bundle say what they mean.

mod lsp_support;

use std::path::Path;

use lsp_support::*;
use serde_json::{json, Value};

const LOCAL_SETTINGS: &str = r#"{
  "IsEncrypted": false,
  "Values": {
    "FUNCTIONS_WORKER_RUNTIME": "python",
    "AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=topsecretkey",
    "OrdersQueue": "orders"
  }
}
"#;

const HOST_JSON: &str = r#"{
  "version": "2.0",
  "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}
}
"#;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// The position of the first `needle` in `text`, moved `into` characters inside it.
fn at(text: &str, needle: &str, into: usize) -> Value {
    let offset = text.find(needle).unwrap_or_else(|| panic!("no {needle:?}")) + into;
    let line = text[..offset].matches('\n').count();
    let character = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": character})
}

async fn hover(client: &mut TestClient, uri: &str, position: Value) -> String {
    let answer = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position}),
        )
        .await
        .unwrap();
    answer["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

async fn check_app(root: &Path, reader: &str) {
    let mut client = TestClient::start(push_caps(), &[root], None).await;
    client.wait_indexed().await;
    let settings = file_uri(&root.join("local.settings.json"));
    client.open(&settings, "json", 1, LOCAL_SETTINGS).await;
    let text = hover(
        &mut client,
        &settings,
        at(LOCAL_SETTINGS, "\"OrdersQueue\"", 3),
    )
    .await;
    assert!(text.starts_with("**OrdersQueue** = `orders`"), "{text}");
    assert!(text.contains(reader), "{text}");
    let text = hover(
        &mut client,
        &settings,
        at(LOCAL_SETTINGS, "\"AzureWebJobsStorage\"", 3),
    )
    .await;
    assert!(text.contains("(masked"), "{text}");
    assert!(!text.contains("topsecretkey"), "{text}");
    let host = file_uri(&root.join("host.json"));
    client.open(&host, "json", 1, HOST_JSON).await;
    let text = hover(&mut client, &host, at(HOST_JSON, "[4.*", 2)).await;
    assert!(
        text.contains("bundle versions from `4.*` below `5.0.0`"),
        "{text}"
    );
    client.shutdown().await;
}

#[tokio::test]
async fn hover_in_settings_and_host_json_of_a_decorator_app() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    write(
        &root,
        &[
            ("host.json", HOST_JSON),
            ("local.settings.json", LOCAL_SETTINGS),
            ("requirements.txt", "azure-functions\n"),
            (
                "function_app.py",
                "import azure.functions as func\n\napp = func.FunctionApp()\n\n\n@app.queue_trigger(arg_name=\"msg\", queue_name=\"%OrdersQueue%\", connection=\"AzureWebJobsStorage\")\ndef orders(msg: func.QueueMessage) -> None:\n    pass\n",
            ),
        ],
    );
    check_app(
        &root,
        "function `orders`, binding `msg` (function_app.py:6)",
    )
    .await;
}

#[tokio::test]
async fn hover_in_settings_and_host_json_of_a_function_json_app() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    write(
        &root,
        &[
            ("host.json", HOST_JSON),
            ("local.settings.json", LOCAL_SETTINGS),
            ("requirements.txt", "azure-functions\n"),
            (
                "Orders/function.json",
                r#"{"bindings": [{"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "%OrdersQueue%", "connection": "AzureWebJobsStorage"}]}"#,
            ),
            (
                "Orders/__init__.py",
                "import azure.functions as func\n\n\ndef main(msg: func.QueueMessage) -> None:\n    pass\n",
            ),
        ],
    );
    check_app(
        &root,
        "function `Orders`, binding `msg` (Orders/function.json:1)",
    )
    .await;
}
