//! The code action "Convert this app to the v2 model" over the wire: on host.json and on a
//! function.json of a function.json app it carries the conversion as one workspace edit
//! (`documentChanges` that create function_app.py, edit host.json and delete every
//! function.json), the same change `azfunc-lsp migrate` makes; it is disabled with the reason
//! when the app cannot be converted faithfully or the editor cannot create and delete files.

mod lsp_support;

use std::path::{Path, PathBuf};

use lsp_support::*;
use serde_json::{json, Value};

fn caps(resource_operations: Value) -> Value {
    let mut caps = push_caps();
    caps["workspace"]["workspaceEdit"] =
        json!({"documentChanges": true, "resourceOperations": resource_operations});
    caps["textDocument"]["codeAction"] = json!({
        "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "refactor", "source"]}},
        "disabledSupport": true
    });
    caps
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

fn migrate_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(name);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/migrate")
            .join(name),
        &root,
    );
    (dir, root)
}

async fn conversion_actions(client: &mut TestClient, file: &Path) -> Vec<Value> {
    let at = json!({"line": 0, "character": 0});
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": file_uri(file)},
                "range": {"start": at, "end": at},
                "context": {"diagnostics": [], "only": ["refactor"]}
            }),
        )
        .await
        .unwrap();
    actions.as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conversion_is_one_workspace_edit_that_creates_edits_and_deletes() {
    let (_dir, root) = migrate_fixture("cli_app");
    let mut client = TestClient::start(caps(json!(["create", "delete"])), &[&root], None).await;
    client.wait_indexed().await;
    let uri = |rel: &str| file_uri(&root.join(rel));

    for on in ["host.json", "HttpHello/function.json"] {
        let actions = conversion_actions(&mut client, &root.join(on)).await;
        assert_eq!(actions.len(), 1, "{actions:#?}");
        let action = &actions[0];
        assert_eq!(action["title"], "Convert this app to the v2 model (azfunc)");
        assert_eq!(action["kind"], "refactor.rewrite.azfunc.migrate");
        assert!(action.get("disabled").is_none(), "{action:#}");
        let changes = action["edit"]["documentChanges"].as_array().unwrap();
        let shape: Vec<(String, String)> = changes
            .iter()
            .map(|c| match c["kind"].as_str() {
                Some(kind) => (kind.to_string(), c["uri"].as_str().unwrap().to_string()),
                None => (
                    "edit".to_string(),
                    c["textDocument"]["uri"].as_str().unwrap().to_string(),
                ),
            })
            .collect();
        let expected: Vec<(String, String)> = [
            ("delete", "HttpHello/function.json"),
            ("create", "function_app.py"),
            ("edit", "function_app.py"),
            ("edit", "host.json"),
            ("delete", "nightly-report/function.json"),
        ]
        .iter()
        .map(|(k, p)| (k.to_string(), uri(p)))
        .collect();
        assert_eq!(shape, expected);
        // The created script is the one the command line writes.
        let input = azfunc_lsp::loader::load_app(&root, "cli_app".into());
        let plan = azfunc_lsp::analysis::migrate::plan(&input, &Default::default()).unwrap();
        let script = plan
            .new_texts(&input)
            .into_iter()
            .find(|(p, _)| p == "function_app.py")
            .and_then(|(_, t)| t)
            .unwrap();
        assert_eq!(changes[2]["edits"][0]["newText"], Value::from(script));
        assert_eq!(changes[3]["edits"][0]["newText"], "\"[4.*, 5.0.0)\"");
    }

    // Not on a Python file.
    let actions = conversion_actions(&mut client, &root.join("HttpHello/__init__.py")).await;
    assert!(actions.is_empty(), "{actions:#?}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_action_is_disabled_with_the_reason_when_it_cannot_be_applied() {
    // The editor cannot delete files.
    let (_dir, root) = migrate_fixture("cli_app");
    let mut client = TestClient::start(caps(json!(["create"])), &[&root], None).await;
    client.wait_indexed().await;
    let actions = conversion_actions(&mut client, &root.join("host.json")).await;
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert!(actions[0].get("edit").is_none());
    assert_eq!(
        actions[0]["disabled"]["reason"],
        "the editor cannot create and delete files in one edit"
    );
    client.shutdown().await;

    // The app cannot be converted faithfully: the first reason, and how many more.
    let (_dir, root) = migrate_fixture("cli_refused");
    let mut client = TestClient::start(caps(json!(["create", "delete"])), &[&root], None).await;
    client.wait_indexed().await;
    let actions = conversion_actions(&mut client, &root.join("Relative/function.json")).await;
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert!(actions[0].get("edit").is_none());
    assert_eq!(
        actions[0]["disabled"]["reason"],
        "Broken/function.json: the script `shared/handler.py` is outside the function's folder: \
         importing the folder as a package would not run it (and 2 more; `azfunc-lsp migrate` \
         lists them)"
    );
    client.shutdown().await;
}

/// Editors ask for code actions automatically at every cursor move: the conversion, which plans
/// the whole app, is left out of those and offered when the user asks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conversion_is_not_planned_on_automatic_requests() {
    let (_dir, root) = migrate_fixture("cli_app");
    let mut client = TestClient::start(caps(json!(["create", "delete"])), &[&root], None).await;
    client.wait_indexed().await;
    let at = json!({"line": 0, "character": 0});
    let titles = |actions: Value| -> Vec<String> {
        actions
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap().to_string())
            .collect()
    };
    for (trigger_kind, offered) in [(2, false), (1, true)] {
        let actions = client
            .request(
                "textDocument/codeAction",
                json!({
                    "textDocument": {"uri": file_uri(&root.join("host.json"))},
                    "range": {"start": at, "end": at},
                    "context": {"diagnostics": [], "triggerKind": trigger_kind}
                }),
            )
            .await
            .unwrap();
        let titles = titles(actions);
        assert_eq!(
            titles.iter().any(|t| t.starts_with("Convert this app")),
            offered,
            "trigger kind {trigger_kind}: {titles:?}"
        );
    }
    client.shutdown().await;
}
