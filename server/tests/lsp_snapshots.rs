//! Snapshots of the protocol traffic for the `basic` fixture app: the initialize result, the
//! diagnostics published after indexing and after an edit, a pull report, a hover and the
//! labels of a completion. Paths are redacted to `[ROOT]`.

mod lsp_support;

use lsp_support::*;
use serde_json::{json, Value};

fn published(client: &TestClient) -> Vec<Value> {
    let mut list: Vec<Value> = client
        .take_notifications()
        .into_iter()
        .filter(|n| n["method"] == "textDocument/publishDiagnostics")
        .map(|n| n["params"].clone())
        .collect();
    list.sort_by_key(|p| p["uri"].as_str().unwrap_or("").to_string());
    list
}

#[tokio::test]
async fn push_session_traffic() {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    insta::assert_json_snapshot!("push_initialize", client.init);
    client
        .wait_notification(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end")
        .await;
    client.wait_indexed().await;
    insta::assert_json_snapshot!("push_indexed", redact(&json!(published(&client)), &root));

    let py = file_uri(&root.join("Mismatch/__init__.py"));
    let text = std::fs::read_to_string(root.join("Mismatch/__init__.py")).unwrap();
    client.open(&py, "python", 1, &text).await;
    client
        .change(
            &py,
            2,
            json!([{"range": {"start": {"line": 3, "character": 9}, "end": {"line": 3, "character": 16}}, "text": "msg"}]),
        )
        .await;
    client.wait_diagnostics(&py, |d| d.is_empty()).await;
    let fj = file_uri(&root.join("Mismatch/function.json"));
    client.wait_indexed().await;
    // Now break the binding name in function.json instead.
    let fj_text = std::fs::read_to_string(root.join("Mismatch/function.json")).unwrap();
    client.open(&fj, "json", 1, &fj_text).await;
    client
        .change(
            &fj,
            2,
            json!([{"range": {"start": {"line": 6, "character": 15}, "end": {"line": 6, "character": 18}}, "text": "mgs"}]),
        )
        .await;
    // One mistake, one finding: at the parameter, with the binding related.
    client.wait_diagnostics(&py, |d| !d.is_empty()).await;
    let mut after = vec![];
    for uri in [&fj, &py] {
        let report = client
            .request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}}),
            )
            .await;
        // A push client has no pull capability, but the request still works.
        after.push(json!({"uri": uri, "report": report.unwrap_or_default()}));
    }
    insta::assert_json_snapshot!("push_after_edits", redact(&json!(after), &root));

    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": fj}, "position": {"line": 4, "character": 16}}),
        )
        .await
        .unwrap();
    insta::assert_json_snapshot!("push_hover_queue_trigger", hover);
    let completion = client
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": fj}, "position": {"line": 5, "character": 20}}),
        )
        .await
        .unwrap();
    let labels: Vec<&Value> = completion["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["label"])
        .collect();
    insta::assert_json_snapshot!("push_completion_direction_values", labels);
    client.shutdown().await;
}

#[tokio::test]
async fn pull_session_traffic() {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(pull_caps(), &[&root], None).await;
    insta::assert_json_snapshot!("pull_initialize", client.init);
    client.wait_indexed().await;
    let ws = client
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .await
        .unwrap();
    let mut items = ws["items"].as_array().unwrap().clone();
    items.sort_by_key(|i| i["uri"].as_str().unwrap_or("").to_string());
    insta::assert_json_snapshot!("pull_workspace_diagnostic", redact(&json!(items), &root));
    // Which server-to-client methods were used (sorted: their order across tasks is free).
    let mut methods: Vec<String> = client
        .log()
        .iter()
        .filter_map(|m| m["method"].as_str().map(str::to_string))
        .collect();
    methods.sort();
    methods.dedup();
    insta::assert_json_snapshot!("pull_server_methods", methods);
    client.shutdown().await;
}
