//! Suppressions in the editor: the same comments and settings as the command line, the unused
//! suppression published with its quick fix, and editor settings for paths applied live.

mod lsp_support;

use lsp_support::*;
use serde_json::json;

#[tokio::test]
async fn comments_settings_and_the_unused_suppression_fix() {
    let (_dir, root) = fixture("suppress_v2");
    let mut caps = push_caps();
    caps["textDocument"]["codeAction"] = json!({
        "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source", "source.fixAll"]}},
        "isPreferredSupport": true
    });
    let mut client = TestClient::start(caps, &[&root], None).await;
    let script = file_uri(&root.join("function_app.py"));
    client.wait_indexed().await;
    let text = std::fs::read_to_string(root.join("function_app.py")).unwrap();
    client.open(&script, "python", 1, &text).await;
    // AZF201 is silenced by its comment; the bare comment below silences nothing.
    let first = client.wait_diagnostics(&script, |d| !d.is_empty()).await;
    let diags = first["params"]["diagnostics"].as_array().unwrap().clone();
    assert_eq!(codes(&diags), ["AZF014"]);
    assert_eq!(diags[0]["range"]["start"]["line"], 7);
    assert_eq!(diags[0]["severity"], 4);
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": script}, "range": diags[0]["range"], "context": {"diagnostics": [diags[0]], "only": ["quickfix"]}}),
        )
        .await
        .unwrap();
    let removal = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Remove the unused suppression")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    let edit = serde_json::to_string(&removal["edit"]).unwrap();
    assert!(edit.contains("\"newText\":\"\""), "{edit}");

    // Without the comment on the `def`, the parameter is reported.
    let bare = text.replace("  # azfunc: ignore[AZF201]", "");
    client.change(&script, 2, json!([{"text": bare}])).await;
    client
        .wait_diagnostics(&script, |d| codes(d) == ["AZF014", "AZF201"])
        .await;
    // per-file-ignores from the editor's settings silence it again (a name without `/`
    // matches the file in any folder; with AZF201 off, the binding's AZF202 would speak) ...
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"azfunc": {"perFileIgnores": {"function_app.py": ["AZF2"]}}}}),
        )
        .await;
    client
        .wait_diagnostics(&script, |d| codes(d) == ["AZF014"])
        .await;
    // ... and an excluded path reports nothing at all.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"azfunc": {"extendExclude": ["function_app.py"]}}}),
        )
        .await;
    client.wait_diagnostics(&script, |d| d.is_empty()).await;
    client.shutdown().await;
}

#[tokio::test]
async fn a_nested_app_is_its_own_app_and_excluded_by_the_same_globs() {
    let (_dir, root) = fixture("suppress_nested");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    let status = client.wait_indexed().await;
    // The outer app and the fixture below tests/ are two apps, one function each.
    assert_eq!(status["apps"], 2);
    assert_eq!(status["functions"], 2);
    let outer = file_uri(&root.join("function_app.py"));
    let nested = file_uri(&root.join("tests/fixture_app/function_app.py"));
    let text = std::fs::read_to_string(root.join("function_app.py")).unwrap();
    client.open(&outer, "python", 1, &text).await;
    client
        .wait_diagnostics(&outer, |d| codes(d) == ["AZF201"])
        .await;
    // The same mistake in the excluded fixture reports nothing.
    client.open(&nested, "python", 1, &text).await;
    let published = client.wait_diagnostics(&nested, |_| true).await;
    assert_eq!(published["params"]["diagnostics"], json!([]));
    client.shutdown().await;
}
