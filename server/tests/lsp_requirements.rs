//! requirements.txt through the language server: the fix-all source action of a Python file
//! (what fix-on-save runs) never edits requirements.txt, the quick fix that adds a package
//! keeps the file's line endings and final newline, and a package installed or removed in the
//! app's environment is seen.

mod lsp_support;

use std::path::Path;

use lsp_support::*;
use serde_json::{json, Value};

/// A push client taking versioned workspace edits and code action literals.
fn caps() -> Value {
    let mut caps = push_caps();
    caps["workspace"]["workspaceEdit"] = json!({"documentChanges": true});
    caps["textDocument"]["codeAction"] = json!({
        "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source", "source.fixAll"]}},
        "isPreferredSupport": true
    });
    caps
}

/// A function.json app whose script imports `yaml` (AZF607) and names its trigger parameter
/// differently from the binding (AZF201, fixed automatically); requirements.txt in CRLF with
/// no final newline.
fn app(root: &Path) {
    std::fs::create_dir_all(root.join("Hello")).unwrap();
    std::fs::write(root.join("host.json"), r#"{"version": "2.0"}"#).unwrap();
    std::fs::write(root.join("requirements.txt"), "azure-functions\r\nrequests").unwrap();
    std::fs::write(
        root.join("Hello/function.json"),
        r#"{"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}]}"#,
    )
    .unwrap();
    std::fs::write(
        root.join("Hello/__init__.py"),
        "import yaml\nimport azure.functions as func\n\n\ndef main(request: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(yaml.dump({}))\n",
    )
    .unwrap();
}

/// The files a workspace edit touches.
fn edited_files(edit: &Value) -> Vec<String> {
    let mut files: Vec<String> = match edit["documentChanges"].as_array() {
        Some(changes) => changes
            .iter()
            .map(|c| c["textDocument"]["uri"].as_str().unwrap().to_string())
            .collect(),
        None => edit["changes"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default(),
    };
    files.sort();
    files
}

/// The text edits of `uri` in a workspace edit.
fn edits_of(edit: &Value, uri: &str) -> Vec<Value> {
    edit["documentChanges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["textDocument"]["uri"] == uri)
        .flat_map(|c| c["edits"].as_array().unwrap().clone())
        .collect()
}

#[tokio::test]
async fn fix_all_of_a_python_file_leaves_requirements_alone() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    app(&root);
    let mut client = TestClient::start(caps(), &[&root], None).await;
    client.wait_indexed().await;
    let script = file_uri(&root.join("Hello/__init__.py"));
    let requirements = file_uri(&root.join("requirements.txt"));
    let text = std::fs::read_to_string(root.join("Hello/__init__.py")).unwrap();
    client.open(&script, "python", 1, &text).await;

    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": script}}),
        )
        .await
        .unwrap();
    let items = report["items"].as_array().unwrap().clone();
    assert_eq!(codes(&items), ["AZF201", "AZF607"]);

    // Fix-on-save: the rename only.
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": script}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
        )
        .await
        .unwrap();
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["title"], "Fix 1 problem automatically (azfunc)");
    assert_eq!(
        edited_files(&actions[0]["edit"]),
        std::slice::from_ref(&script)
    );

    // The quick fix is offered, and appends in the file's own style.
    let missing = items.iter().find(|d| d["code"] == "AZF607").unwrap();
    let quick = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": script}, "range": missing["range"], "context": {"diagnostics": [missing], "only": ["quickfix"]}}),
        )
        .await
        .unwrap();
    let add = quick
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Add PyYAML to requirements.txt")
        .unwrap_or_else(|| panic!("{quick:#?}"))
        .clone();
    assert_eq!(
        edited_files(&add["edit"]),
        std::slice::from_ref(&requirements)
    );
    let edits = edits_of(&add["edit"], &requirements);
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["newText"], "\r\nPyYAML");
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 1, "character": 8})
    );
    client.shutdown().await;
}

#[tokio::test]
async fn a_package_removed_from_the_environment_is_seen() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pkg_venv_through");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    copy_dir(&src, &root);
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    let script = file_uri(&root.join("function_app.py"));
    // numpy comes through tensorflow: information.
    client
        .wait_diagnostics(&script, |d| codes(d) == ["AZF609"])
        .await;
    client.wait_indexed().await;
    let numpy = root.join(".venv/lib/python3.11/site-packages/numpy-1.26.4.dist-info");
    std::fs::remove_dir_all(&numpy).unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": file_uri(&numpy), "type": 3}]}),
        )
        .await;
    // Not installed any more: the table names it, and nothing says it comes through tensorflow.
    client
        .wait_diagnostics(&script, |d| codes(d) == ["AZF607"])
        .await;
    client.shutdown().await;
}

#[tokio::test]
async fn the_interpreter_in_the_editor_settings_gives_the_environment() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pkg_venv_through");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    copy_dir(&src, &root);
    // An environment no search finds: only the setting names it.
    std::fs::rename(root.join(".venv"), dir.path().join("prod-env")).unwrap();
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    let script = file_uri(&root.join("function_app.py"));
    client
        .wait_diagnostics(&script, |d| codes(d) == ["AZF607"])
        .await;
    client.wait_indexed().await;
    let interpreter = dir.path().join("prod-env/bin/python");
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"azfunc": {"python": interpreter.to_str().unwrap()}}}),
        )
        .await;
    client
        .wait_diagnostics(&script, |d| codes(d) == ["AZF609"])
        .await;
    // Back to no interpreter: the app's own folders again, where there is none.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"azfunc": {}}}),
        )
        .await;
    client
        .wait_diagnostics(&script, |d| codes(d) == ["AZF607"])
        .await;
    client.shutdown().await;
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
