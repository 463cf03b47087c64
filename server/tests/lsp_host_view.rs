//! What the host sees, through the language server: the `azfunc-lsp.showFunctionMetadata`
//! command (advertised, run from a code lens, run by name and for a whole app, refused for an
//! unknown function) on a function.json app and a decorator app.

mod lsp_support;

use std::path::PathBuf;

use lsp_support::*;
use serde_json::{json, Value};

const COMMAND: &str = "azfunc-lsp.showFunctionMetadata";

/// The secrets written in the fixtures' local.settings.json.
const SECRETS: &[&str] = &["c2VjcmV0c2VjcmV0", "hunter2", "9f8e7d6c5b4a"];

/// The CLI's fixture apps, served where they are (the server only reads them).
fn app(name: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/cli")
        .join(name)
        .canonicalize()
        .unwrap()
}

async fn start(root: &std::path::Path) -> TestClient {
    let mut client = TestClient::start(push_caps(), &[root], None).await;
    assert_eq!(
        client.init["capabilities"]["executeCommandProvider"]["commands"],
        json!([COMMAND])
    );
    client.wait_indexed().await;
    client
}

/// The lens of `function` in `file`, checked to carry the command for it.
async fn lens_command(client: &mut TestClient, file: &str, function: &str) -> Value {
    let lenses = client
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": file}}),
        )
        .await
        .unwrap();
    let lens = lenses
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["command"]["arguments"][0]["function"] == function)
        .unwrap_or_else(|| panic!("no lens for {function}: {lenses}"))
        .clone();
    assert_eq!(lens["command"]["command"], COMMAND);
    assert_eq!(lens["command"]["arguments"][0]["uri"], file);
    lens["command"].clone()
}

async fn execute(client: &mut TestClient, arguments: Value) -> Result<Value, Value> {
    client
        .request(
            "workspace/executeCommand",
            json!({"command": COMMAND, "arguments": arguments}),
        )
        .await
}

fn assert_masked(answer: &Value) {
    let text = answer.to_string();
    for secret in SECRETS {
        assert!(!text.contains(secret), "a secret is shown: {text}");
    }
}

#[tokio::test]
async fn function_json_app() {
    let root = app("inspect_v1");
    let mut client = start(&root).await;
    let script = file_uri(&root.join("Orders/__init__.py"));
    let command = lens_command(&mut client, &script, "Orders").await;
    assert!(
        command["title"]
            .as_str()
            .unwrap()
            .contains("GET POST /shop/orders/{id} · 3 bindings"),
        "{command}"
    );

    let answer = execute(&mut client, command["arguments"].clone())
        .await
        .unwrap();
    assert_eq!(answer["version"], 1);
    assert_eq!(answer["model"], "function.json");
    assert_eq!(answer["root"], file_uri(&root));
    let functions = answer["functions"].as_array().unwrap();
    assert_eq!(functions.len(), 1);
    let orders = &functions[0];
    assert_eq!(orders["name"], "Orders");
    assert_eq!(orders["http"]["url"], "/shop/orders/{id}");
    assert_eq!(orders["http"]["methods"], json!(["GET", "POST"]));
    let queue = &orders["bindings"][1];
    assert_eq!(queue["properties"]["queueName"], "%ORDERS_QUEUE%");
    assert_eq!(queue["settings"][0]["value"], "orders-v2");
    assert!(queue["settings"][1]["value"]
        .as_str()
        .unwrap()
        .starts_with("Defa… (masked"));
    assert_masked(&answer);

    // Without arguments: the workspace's only app, every function.
    let all = execute(&mut client, json!([])).await.unwrap();
    let names: Vec<&str> = all["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Nightly", "Orders"]);

    let refused = execute(&mut client, json!(["Missing"])).await.unwrap_err();
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("no function 'Missing'"),
        "{refused}"
    );
    client.shutdown().await;
}

#[tokio::test]
async fn decorator_app() {
    let root = app("inspect_v2");
    let mut client = start(&root).await;
    let script = file_uri(&root.join("function_app.py"));
    let command = lens_command(&mut client, &script, "GetOrder").await;
    lens_command(&mut client, &script, "on_order").await;

    let answer = execute(&mut client, command["arguments"].clone())
        .await
        .unwrap();
    assert_eq!(answer["model"], "decorators");
    let get = &answer["functions"][0];
    assert_eq!(get["name"], "GetOrder");
    assert_eq!(get["pythonFunction"], "get_order");
    assert_eq!(get["http"]["url"], "/api/orders/{id}");
    // The app's http_auth_level, as the library applies it to a route without auth_level.
    assert_eq!(get["http"]["authLevel"], "anonymous");
    let types: Vec<&str> = get["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["queue", "httpTrigger", "http"]);
    // Decorator arguments become the properties the host receives.
    assert_eq!(get["bindings"][0]["properties"]["queueName"], "%API_TOKEN%");
    assert!(get["bindings"][0]["settings"][0]["value"]
        .as_str()
        .unwrap()
        .starts_with("tok_… (masked"));

    // By name alone, and the connection-string setting masked.
    let on_order = execute(&mut client, json!(["ON_ORDER"])).await.unwrap();
    assert_eq!(on_order["functions"][0]["name"], "on_order");
    assert_eq!(
        on_order["functions"][0]["bindings"][0]["settings"][0]["foundIn"],
        "ConnectionStrings"
    );
    assert_masked(&on_order);
    let all = execute(&mut client, json!([{"uri": script}]))
        .await
        .unwrap();
    assert_eq!(all["functions"].as_array().unwrap().len(), 3);
    assert_masked(&all);
    client.shutdown().await;
}
