//! The language server on a v2 (decorator) app: diagnostics in the script follow edits, a
//! blueprint edit re-derives its functions, and hover and completion work inside decorators.

mod lsp_support;

use lsp_support::*;
use serde_json::json;

#[tokio::test]
async fn v2_app_diagnostics_hover_and_completion() {
    let (_dir, root) = fixture("v2-app");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    let script = file_uri(&root.join("function_app.py"));
    // `request` is not the `req` that route() binds: one finding at the parameter, the
    // binding related.
    let first = client.wait_diagnostics(&script, |d| !d.is_empty()).await;
    assert_eq!(
        codes(first["params"]["diagnostics"].as_array().unwrap()),
        ["AZF201"]
    );
    client.wait_indexed().await;

    let text = std::fs::read_to_string(root.join("function_app.py")).unwrap();
    client.open(&script, "python", 1, &text).await;
    // Rename the parameter: line 9, "def hello(request" → "def hello(req".
    client
        .change(
            &script,
            2,
            json!([{"range": {"start": {"line": 9, "character": 10}, "end": {"line": 9, "character": 17}}, "text": "req"}]),
        )
        .await;
    client.wait_diagnostics(&script, |d| d.is_empty()).await;

    // Hover on `route` (line 8, "@app.route(").
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": script}, "position": {"line": 8, "character": 6}}),
        )
        .await
        .unwrap();
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("**route()**"), "{md}");

    // Completion inside auth_level="…" (line 8, after the opening quote at character 38).
    let completion = client
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": script}, "position": {"line": 8, "character": 38}}),
        )
        .await
        .unwrap();
    let labels: Vec<&str> = completion["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["FUNCTION", "ANONYMOUS", "ADMIN"]);

    // A blueprint edit: arg_name no longer matches the parameter.
    let jobs = file_uri(&root.join("blueprints/jobs.py"));
    let jobs_text = std::fs::read_to_string(root.join("blueprints/jobs.py")).unwrap();
    client.open(&jobs, "python", 1, &jobs_text).await;
    client
        .change(
            &jobs,
            2,
            json!([{"range": {"start": {"line": 5, "character": 28}, "end": {"line": 5, "character": 31}}, "text": "message"}]),
        )
        .await;
    let broken = client.wait_diagnostics(&jobs, |d| !d.is_empty()).await;
    assert_eq!(
        codes(broken["params"]["diagnostics"].as_array().unwrap()),
        ["AZF201"]
    );
    client.shutdown().await;
}
