//! End-to-end tests of the language server over an in-memory pipe: lifecycle, push and pull
//! diagnostics across files, hover and completion wiring, configuration, watched files,
//! workspace folders and robustness.

mod lsp_support;

use lsp_support::*;
use serde_json::{json, Value};

#[tokio::test]
async fn push_diagnostics_follow_cross_file_edits() {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    let py = file_uri(&root.join("Mismatch/__init__.py"));
    let fj = file_uri(&root.join("Mismatch/function.json"));
    // Indexing publishes the mismatch once, in the script, with the binding related.
    let first = client.wait_diagnostics(&py, |d| !d.is_empty()).await;
    assert_eq!(
        codes(first["params"]["diagnostics"].as_array().unwrap()),
        ["AZF201"]
    );
    assert_eq!(
        first["params"]["diagnostics"][0]["relatedInformation"][0]["location"]["uri"],
        fj
    );
    client.wait_indexed().await;

    let text = std::fs::read_to_string(root.join("Mismatch/__init__.py")).unwrap();
    client.open(&py, "python", 1, &text).await;
    let opened = client.wait_diagnostics(&py, |d| !d.is_empty()).await;
    assert_eq!(opened["params"]["version"], 1);
    // Rename the parameter `message` -> `msg` (line 3, "def main(message: ...").
    client
        .change(
            &py,
            2,
            json!([{"range": {"start": {"line": 3, "character": 9}, "end": {"line": 3, "character": 16}}, "text": "msg"}]),
        )
        .await;
    let fixed = client.wait_diagnostics(&py, |d| d.is_empty()).await;
    assert_eq!(fixed["params"]["version"], 2);
    client.shutdown().await;
}

#[tokio::test]
async fn negotiates_encoding_and_diagnostics_mode_from_client_capabilities() {
    let (_dir, root) = fixture("basic");
    let push = TestClient::start(push_caps(), &[&root], None).await;
    let caps = &push.init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert!(caps.get("diagnosticProvider").is_none());
    assert_eq!(caps["textDocumentSync"]["change"], 2);
    assert_eq!(
        caps["completionProvider"]["triggerCharacters"],
        json!(["\"", ":", "%", ".", "("])
    );
    push.shutdown().await;

    let pull = TestClient::start(pull_caps(), &[&root], None).await;
    let caps = &pull.init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-8");
    assert_eq!(caps["diagnosticProvider"]["workspaceDiagnostics"], true);
    pull.shutdown().await;

    // No capabilities at all: UTF-16, push.
    let bare = TestClient::start(json!({}), &[&root], None).await;
    assert_eq!(bare.init["capabilities"]["positionEncoding"], "utf-16");
    assert!(bare.init["capabilities"]
        .get("diagnosticProvider")
        .is_none());
    bare.shutdown().await;
}

#[tokio::test]
async fn pull_mode_answers_pulls_and_never_pushes() {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(pull_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let py = file_uri(&root.join("Mismatch/__init__.py"));
    let fj = file_uri(&root.join("Mismatch/function.json"));
    let text = std::fs::read_to_string(root.join("Mismatch/__init__.py")).unwrap();
    client.open(&py, "python", 1, &text).await;

    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": py}}),
        )
        .await
        .unwrap();
    assert_eq!(report["kind"], "full");
    assert_eq!(codes(report["items"].as_array().unwrap()), ["AZF201"]);
    // UTF-8 columns: `message` starts at byte 9 of line 3.
    assert_eq!(
        report["items"][0]["range"]["start"],
        json!({"line": 3, "character": 9})
    );
    let related = &report["items"][0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], fj);
    let id = report["resultId"].as_str().unwrap().to_string();
    let again = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": py}, "previousResultId": id}),
        )
        .await
        .unwrap();
    assert_eq!(again, json!({"kind": "unchanged", "resultId": id}));

    let ws = client
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .await
        .unwrap();
    let uris: Vec<&str> = ws["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["uri"].as_str().unwrap())
        .collect();
    // The mismatch is one finding, in the script.
    assert!(uris.contains(&py.as_str()), "{uris:?}");
    let open_item = ws["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["uri"] == py)
        .unwrap();
    assert_eq!(open_item["version"], 1);

    // Deleting the parameter in the script changes function.json's diagnostics (the binding
    // now has no parameter that could mean it): the server asks for a refresh.
    let before = client
        .server_requests()
        .iter()
        .filter(|r| r["method"] == "workspace/diagnostic/refresh")
        .count();
    client
        .change(
            &py,
            2,
            json!([{"range": {"start": {"line": 3, "character": 9}, "end": {"line": 3, "character": 35}}, "text": ""}]),
        )
        .await;
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": fj}}),
        )
        .await
        .unwrap();
    assert_eq!(report["items"][0]["code"], "AZF202");
    let after = client
        .server_requests()
        .iter()
        .filter(|r| r["method"] == "workspace/diagnostic/refresh")
        .count();
    assert!(after > before, "no workspace/diagnostic/refresh");
    // Never a push.
    assert!(client
        .log()
        .iter()
        .all(|m| m["method"] != "textDocument/publishDiagnostics"));
    client.shutdown().await;
}

#[tokio::test]
async fn hover_and_completion_go_through_the_core() {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let fj = file_uri(&root.join("HttpOk/function.json"));
    let text = std::fs::read_to_string(root.join("HttpOk/function.json")).unwrap();
    client.open(&fj, "json", 1, &text).await;
    // Hover on "httpTrigger" (line 5).
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": fj}, "position": {"line": 5, "character": 17}}),
        )
        .await
        .unwrap();
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("http"),
        "{hover}"
    );
    assert_eq!(hover["range"]["start"]["line"], 5);

    // Completion of the `type` value: replace "httpTrigger" by typing inside the quotes.
    let completion = client
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": fj}, "position": {"line": 5, "character": 15}}),
        )
        .await
        .unwrap();
    let items = completion["items"].as_array().unwrap();
    assert!(!items.is_empty());
    let queue = items
        .iter()
        .find(|i| i["label"] == "queueTrigger")
        .expect("queueTrigger");
    assert_eq!(queue["textEdit"]["range"]["start"]["line"], 5);
    assert!(queue["documentation"]["kind"] == "markdown");

    // A snippet for a whole binding inside the bindings array (after the first binding's
    // `},` on line 9).
    client
        .change(
            &fj,
            2,
            json!([{"range": {"start": {"line": 9, "character": 6}, "end": {"line": 9, "character": 6}}, "text": "\n    "}]),
        )
        .await;
    let completion = client
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": fj}, "position": {"line": 10, "character": 4}}),
        )
        .await
        .unwrap();
    let items = completion["items"].as_array().unwrap();
    let snippet = items.iter().find(|i| i["insertTextFormat"] == 2);
    assert!(snippet.is_some(), "no snippet among {items:#?}");

    // Python: an os.environ key completes from local.settings.json.
    let py = file_uri(&root.join("HttpOk/__init__.py"));
    let src = "import os\nx = os.environ[\"\n";
    client.open(&py, "python", 1, src).await;
    let completion = client
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": py}, "position": {"line": 1, "character": 16}}),
        )
        .await
        .unwrap();
    let labels: Vec<&str> = completion["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"ORDERS_QUEUE"), "{labels:?}");

    // A position far past the end clamps instead of failing.
    let r = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": fj}, "position": {"line": 9999, "character": 9999}}),
        )
        .await;
    assert!(r.is_ok());
    client.shutdown().await;
}

#[tokio::test]
async fn configuration_changes_apply_without_restart() {
    let (_dir, root) = fixture("basic");
    let py = file_uri(&root.join("Mismatch/__init__.py"));
    let fj = file_uri(&root.join("Mismatch/function.json"));
    // initializationOptions already downgrade AZF201 to a warning.
    let mut client = TestClient::start(
        push_caps(),
        &[&root],
        Some(json!({"azfunc": {"severity": {"AZF201": "warning"}}})),
    )
    .await;
    let d = client.wait_diagnostics(&py, |d| !d.is_empty()).await;
    assert_eq!(d["params"]["diagnostics"][0]["severity"], 2);
    client.wait_indexed().await;

    // Push-style settings in the notification.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"azfunc": {"ignore": ["AZF2"]}}}),
        )
        .await;
    client.wait_diagnostics(&py, |d| d.is_empty()).await;

    // Pull-style: a null payload makes the server ask workspace/configuration.
    client.set_settings(json!({"select": ["AZF202"], "severity": {"AZF202": "hint"}}));
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": null}),
        )
        .await;
    let d = client.wait_diagnostics(&fj, |d| !d.is_empty()).await;
    assert_eq!(d["params"]["diagnostics"][0]["code"], "AZF202");
    assert_eq!(d["params"]["diagnostics"][0]["severity"], 4);
    client.shutdown().await;
}

#[tokio::test]
async fn pyproject_configuration_is_read_and_watched() {
    let (_dir, root) = fixture("basic");
    std::fs::write(
        root.join("pyproject.toml"),
        "[tool.azfunc-lsp]\nignore = [\"AZF201\"]\n",
    )
    .unwrap();
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    let fj = file_uri(&root.join("Mismatch/function.json"));
    let py = file_uri(&root.join("Mismatch/__init__.py"));
    client
        .wait_diagnostics(&fj, |d| codes(d) == ["AZF202"])
        .await;
    client.wait_indexed().await;
    assert!(client
        .pending_notifications()
        .iter()
        .all(|n| n["params"]["uri"] != py));
    std::fs::write(root.join("pyproject.toml"), "[tool.azfunc-lsp]\n").unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": file_uri(&root.join("pyproject.toml")), "type": 2}]}),
        )
        .await;
    client
        .wait_diagnostics(&py, |d| codes(d) == ["AZF201"])
        .await;
    client.shutdown().await;
}

#[tokio::test]
async fn watched_files_create_change_and_delete_function_folders() {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    client.wait_indexed().await;
    // The watcher was registered dynamically.
    let reg = client
        .server_requests()
        .into_iter()
        .find(|r| r["method"] == "client/registerCapability")
        .expect("registration");
    let globs: Vec<&str> = reg["params"]["registrations"][0]["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert!(globs.contains(&"**/function.json") && globs.contains(&"**/*.py"));

    // A new function folder appears on disk with a mismatch.
    let new = root.join("NewFunc");
    write_mismatched_function(&new);
    let py = file_uri(&new.join("__init__.py"));
    let fj = file_uri(&new.join("function.json"));
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [
                {"uri": fj, "type": 1},
                {"uri": py, "type": 1}
            ]}),
        )
        .await;
    client
        .wait_diagnostics(&py, |d| codes(d) == ["AZF201"])
        .await;

    // Fixed on disk.
    std::fs::write(new.join("__init__.py"), "def main(req):\n    pass\n").unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": py, "type": 2}]}),
        )
        .await;
    client.wait_diagnostics(&py, |d| d.is_empty()).await;

    // The whole Mismatch folder is deleted (one event for the folder): its diagnostics clear.
    let mpy = file_uri(&root.join("Mismatch/__init__.py"));
    std::fs::remove_dir_all(root.join("Mismatch")).unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": file_uri(&root.join("Mismatch")), "type": 3}]}),
        )
        .await;
    client.wait_diagnostics(&mpy, |d| d.is_empty()).await;

    // A folder created by a rename (one event for the folder) is rescanned.
    std::fs::rename(&new, root.join("Renamed")).unwrap();
    std::fs::write(root.join("Renamed/__init__.py"), "def main(r):\n    pass\n").unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [
                {"uri": file_uri(&new), "type": 3},
                {"uri": file_uri(&root.join("Renamed")), "type": 1}
            ]}),
        )
        .await;
    let rpy = file_uri(&root.join("Renamed/__init__.py"));
    client
        .wait_diagnostics(&rpy, |d| codes(d) == ["AZF201"])
        .await;
    client.shutdown().await;
}

#[tokio::test]
async fn open_buffer_wins_and_closing_falls_back_to_disk() {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let py = file_uri(&root.join("HttpOk/__init__.py"));
    client
        .open(&py, "python", 1, "def main(request):\n    pass\n")
        .await;
    client
        .wait_diagnostics(&py, |d| codes(d) == ["AZF201"])
        .await;
    // The disk changes while the buffer is open: the buffer still wins.
    std::fs::write(
        root.join("HttpOk/__init__.py"),
        "def main(req):\n    return 1\n",
    )
    .unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": py, "type": 2}]}),
        )
        .await;
    let status = client.request("azfunc/status", Value::Null).await.unwrap();
    assert_eq!(status["documents"], 1);
    assert!(client
        .pending_notifications()
        .iter()
        .all(|n| !(n["params"]["uri"] == py && n["params"]["diagnostics"] == json!([]))));
    // Closing falls back to the disk content, which is fine.
    client
        .notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": py}}),
        )
        .await;
    let d = client.wait_diagnostics(&py, |d| d.is_empty()).await;
    assert!(d["params"].get("version").is_none_or(Value::is_null));

    // A file deleted while open: nothing breaks, closing it removes it.
    let mpy = file_uri(&root.join("Mismatch/__init__.py"));
    let text = std::fs::read_to_string(root.join("Mismatch/__init__.py")).unwrap();
    client.open(&mpy, "python", 1, &text).await;
    std::fs::remove_file(root.join("Mismatch/__init__.py")).unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": mpy, "type": 3}]}),
        )
        .await;
    client
        .notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": mpy}}),
        )
        .await;
    // The script is gone: function.json now reports it.
    let fj = file_uri(&root.join("Mismatch/function.json"));
    client
        .wait_diagnostics(&fj, |d| codes(d).iter().any(|c| c != "AZF202"))
        .await;
    client.wait_diagnostics(&mpy, |d| d.is_empty()).await;
    client.shutdown().await;
}

#[tokio::test]
async fn workspace_folders_come_and_go() {
    let (_dir, root) = fixture("basic");
    let (_dir2, other) = fixture("basic");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let other_py = file_uri(&other.join("Mismatch/__init__.py"));
    client
        .notify(
            "workspace/didChangeWorkspaceFolders",
            json!({"event": {"added": [{"uri": file_uri(&other), "name": "other"}], "removed": []}}),
        )
        .await;
    client.wait_diagnostics(&other_py, |d| !d.is_empty()).await;
    let status = client.wait_indexed().await;
    assert_eq!(status["apps"], 2);
    client
        .notify(
            "workspace/didChangeWorkspaceFolders",
            json!({"event": {"added": [], "removed": [{"uri": file_uri(&other), "name": "other"}]}}),
        )
        .await;
    client.wait_diagnostics(&other_py, |d| d.is_empty()).await;
    let status = client.request("azfunc/status", Value::Null).await.unwrap();
    assert_eq!(status["apps"], 1);
    client.shutdown().await;
}

#[tokio::test]
async fn indexing_reports_work_done_progress() {
    let (_dir, root) = fixture("basic");
    let client = TestClient::start(push_caps(), &[&root], None).await;
    let end = client
        .wait_notification(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end")
        .await;
    let token = end["params"]["token"].clone();
    let create = client
        .server_requests()
        .into_iter()
        .find(|r| r["method"] == "window/workDoneProgress/create")
        .expect("create");
    assert_eq!(create["params"]["token"], token);
    let log = client.log();
    let kinds: Vec<&str> = log
        .iter()
        .filter(|m| m["method"] == "$/progress" && m["params"]["token"] == token)
        .map(|m| m["params"]["value"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"begin"));
    assert!(kinds.contains(&"report"));
    assert_eq!(kinds.last(), Some(&"end"));
    client.shutdown().await;
}

#[tokio::test]
async fn errors_panics_and_cancellation_leave_the_server_running() {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(pull_caps(), &[&root], None).await;
    client.wait_indexed().await;

    // A panic inside the main loop becomes an InternalError.
    let e = client
        .request("azfunc/debugPanic", Value::Null)
        .await
        .unwrap_err();
    assert_eq!(e["code"], -32603);

    // Invalid params.
    let e = client
        .request("textDocument/hover", json!({"textDocument": 5}))
        .await
        .unwrap_err();
    assert_eq!(e["code"], -32602);

    // A malformed message gets an error response; the server goes on.
    let body = b"{\"jsonrpc\": \"2.0\", \"id\": 99, \"method\": ";
    let framed = format!("Content-Length: {}\r\n\r\n", body.len());
    client.send_raw(framed.as_bytes()).await;
    client.send_raw(body).await;
    let status = client.request("azfunc/status", Value::Null).await.unwrap();
    assert_eq!(status["apps"], 1);
    assert!(
        client.log().iter().any(|m| m["error"]["code"] == -32700),
        "no parse error"
    );

    // Cancellation of a pending (long-polling) workspace/diagnostic request.
    let (id, rx) = start_long_poll(&mut client).await;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    client.notify("$/cancelRequest", json!({"id": id})).await;
    let response = tokio::time::timeout(*TIMEOUT, rx).await.unwrap().unwrap();
    assert_eq!(response["error"]["code"], -32800, "{response}");

    // Unknown documents and files outside any app are not errors.
    let outside = file_uri(&root.parent().unwrap().join("loose.py"));
    client
        .open(&outside, "python", 1, "def main(x): pass\n")
        .await;
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": outside}}),
        )
        .await
        .unwrap();
    assert_eq!(report["items"], json!([]));
    client.shutdown().await;
}

/// Pulls every diagnostic, then asks again with the result ids just received: nothing is new,
/// so that second `workspace/diagnostic` waits for a change. Returns its id and response.
async fn start_long_poll(client: &mut TestClient) -> (i64, tokio::sync::oneshot::Receiver<Value>) {
    let ws = client
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .await
        .unwrap();
    let previous: Vec<Value> = ws["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| json!({"uri": i["uri"], "value": i["resultId"]}))
        .collect();
    client
        .start_request(
            "workspace/diagnostic",
            json!({"previousResultIds": previous}),
        )
        .await
}

#[tokio::test]
async fn read_only_requests_do_not_wake_a_long_polling_workspace_diagnostic() {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(pull_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let py = file_uri(&root.join("Mismatch/__init__.py"));
    let text = std::fs::read_to_string(root.join("Mismatch/__init__.py")).unwrap();
    client.open(&py, "python", 1, &text).await;
    let (_, mut poll) = start_long_poll(&mut client).await;
    let generation = |status: Value| status["diagnostics_generation"].as_u64().unwrap();
    let before = generation(client.request("azfunc/status", Value::Null).await.unwrap());
    let position = json!({"textDocument": {"uri": py}, "position": {"line": 3, "character": 9}});
    for _ in 0..3 {
        let hover = client.request("textDocument/hover", position.clone()).await;
        assert!(hover.unwrap().is_object());
        client
            .request("textDocument/completion", position.clone())
            .await
            .unwrap();
        client
            .request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": py}}),
            )
            .await
            .unwrap();
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let after = generation(client.request("azfunc/status", Value::Null).await.unwrap());
    assert_eq!(before, after, "a read-only request woke the long poll");
    assert!(poll.try_recv().is_err(), "answered with nothing new");

    // An edit wakes it: the fixed script's diagnostics are gone.
    client
        .change(
            &py,
            2,
            json!([{"range": {"start": {"line": 3, "character": 9}, "end": {"line": 3, "character": 16}}, "text": "msg"}]),
        )
        .await;
    let response = tokio::time::timeout(*TIMEOUT, poll).await.unwrap().unwrap();
    let item = response["result"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["uri"] == py)
        .cloned()
        .unwrap_or_else(|| panic!("{response}"));
    assert_eq!(item["kind"], "full");
    assert_eq!(item["items"], json!([]));
    let edited = generation(client.request("azfunc/status", Value::Null).await.unwrap());
    assert!(edited > after);
    client.shutdown().await;
}

#[tokio::test]
async fn huge_and_invalid_files_do_not_break_anything() {
    let (_dir, root) = fixture("basic");
    // Invalid UTF-8 on disk, and a 10 MB script.
    std::fs::write(
        root.join("Mismatch/__init__.py"),
        b"def main(msg):\n    x = '\xff\xfe'\n",
    )
    .unwrap();
    let big = "x = 1\n".repeat(10 * 1024 * 1024 / 6);
    std::fs::write(root.join("HttpOk/__init__.py"), &big).unwrap();
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let py = file_uri(&root.join("HttpOk/__init__.py"));
    client.open(&py, "python", 1, &big).await;
    client
        .change(
            &py,
            2,
            json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "text": "y"}]),
        )
        .await;
    let (text, version) = client.server_text(&py).await.unwrap();
    assert_eq!(version, 2);
    assert!(text.starts_with("y = 1\n") && text.len() == big.len());
    let r = client
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": py}, "position": {"line": 5, "character": 2}}),
        )
        .await;
    assert!(r.is_ok());
    client.shutdown().await;
}

#[tokio::test]
async fn app_level_diagnostics_follow_settings_edits() {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let settings = file_uri(&root.join("local.settings.json"));
    client
        .open(
            &settings,
            "json",
            1,
            r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python3.11"}}"#,
        )
        .await;
    let wrong = client
        .wait_diagnostics(&settings, |d| codes(d).contains(&"AZF304".to_string()))
        .await;
    assert_eq!(wrong["params"]["version"], 1);
    // Fix the value in the buffer: the app-level diagnostic clears.
    client
        .change(
            &settings,
            2,
            json!([{"text": r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python"}}"#}]),
        )
        .await;
    client
        .wait_diagnostics(&settings, |d| !codes(d).contains(&"AZF304".to_string()))
        .await;
    client.shutdown().await;
}

#[tokio::test]
async fn decorator_app_rules_follow_edits_in_blueprint_modules() {
    let (_dir, root) = fixture("v2-blueprint");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let module = file_uri(&root.join("blueprints/orders.py"));
    let text = std::fs::read_to_string(root.join("blueprints/orders.py")).unwrap();
    client.open(&module, "python", 1, &text).await;
    client.wait_diagnostics(&module, |d| d.is_empty()).await;
    let broken = text.replace("auth_level=\"anonymous\"", "auth_level=\"public\"");
    client.change(&module, 2, json!([{ "text": broken }])).await;
    let reported = client
        .wait_diagnostics(&module, |d| codes(d).contains(&"AZF711".to_string()))
        .await;
    assert_eq!(reported["params"]["version"], 2);
    client.change(&module, 3, json!([{ "text": text }])).await;
    client.wait_diagnostics(&module, |d| d.is_empty()).await;
    client.shutdown().await;
}

#[tokio::test]
async fn clients_that_pull_without_refresh_get_pushed_diagnostics() {
    // Neovim 0.11 pulls but cannot be asked to pull again: pushing keeps other files current.
    let (_dir, root) = fixture("basic");
    let mut caps = pull_caps();
    caps["workspace"]
        .as_object_mut()
        .unwrap()
        .remove("diagnostics");
    let client = TestClient::start(caps, &[&root], None).await;
    assert!(client.init["capabilities"]
        .get("diagnosticProvider")
        .is_none());
    let py = file_uri(&root.join("Mismatch/__init__.py"));
    client.wait_diagnostics(&py, |d| !d.is_empty()).await;
    client.shutdown().await;
}

#[tokio::test]
async fn settings_answered_during_indexing_apply_to_the_first_diagnostics() {
    let (_dir, root) = fixture("basic");
    let mut client =
        TestClient::start_with_settings(push_caps(), &[&root], json!({"ignore": ["AZF201"]})).await;
    let fj = file_uri(&root.join("Mismatch/function.json"));
    let py = file_uri(&root.join("Mismatch/__init__.py"));
    // The function.json side is still reported; the ignored code never is.
    client
        .wait_diagnostics(&fj, |d| codes(d) == ["AZF202"])
        .await;
    client.wait_indexed().await;
    let text = std::fs::read_to_string(root.join("Mismatch/__init__.py")).unwrap();
    client.open(&py, "python", 1, &text).await;
    let opened = client.wait_diagnostics(&py, |_| true).await;
    assert!(
        !codes(opened["params"]["diagnostics"].as_array().unwrap()).contains(&"AZF201".to_string()),
        "{opened}"
    );
    client.shutdown().await;
}

#[tokio::test]
async fn workspace_diagnostic_of_hundreds_of_files_lists_each_once_in_file_order() {
    // More files than the server reports one by one (they are then made on the pool).
    const FUNCTIONS: usize = 300;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("host.json"), r#"{"version": "2.0"}"#).unwrap();
    for i in 0..FUNCTIONS {
        write_mismatched_function(&root.join(format!("F{i:03}")));
    }
    let mut client = TestClient::start(pull_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let gone = file_uri(&root.join("Gone/__init__.py"));
    let ws = client
        .request(
            "workspace/diagnostic",
            json!({"previousResultIds": [{"uri": gone, "value": "0"}]}),
        )
        .await
        .unwrap();
    let items = ws["items"].as_array().unwrap();
    let scripts: Vec<String> = (0..FUNCTIONS)
        .map(|i| file_uri(&root.join(format!("F{i:03}/__init__.py"))))
        .collect();
    let listed: Vec<&str> = items
        .iter()
        .map(|i| i["uri"].as_str().unwrap())
        .filter(|uri| *uri != gone)
        .collect();
    // Each file once, in file order (host.json has its own finding, after the folders).
    assert!(listed.windows(2).all(|w| w[0] < w[1]), "{listed:?}");
    let listed_scripts: Vec<&str> = listed
        .iter()
        .copied()
        .filter(|uri| uri.ends_with("/__init__.py"))
        .collect();
    assert_eq!(listed_scripts, scripts, "one report per script");
    for item in items.iter().filter(|i| i["uri"] != gone) {
        assert_eq!(item["kind"], "full");
        if item["uri"].as_str().unwrap().ends_with("/__init__.py") {
            assert_eq!(codes(item["items"].as_array().unwrap()), ["AZF201"]);
        }
    }
    // The file the client knew of and no app has is cleared.
    let cleared = items.iter().find(|i| i["uri"] == gone).unwrap();
    assert_eq!(cleared["items"], json!([]));

    // Asked again with those result ids: every report is unchanged.
    let previous: Vec<Value> = items
        .iter()
        .filter(|i| i["uri"] != gone)
        .map(|i| json!({"uri": i["uri"], "value": i["resultId"]}))
        .collect();
    let (_, answer) = client
        .start_request(
            "workspace/diagnostic",
            json!({"previousResultIds": previous}),
        )
        .await;
    // Nothing changed: the server holds the request open until something does, so a change
    // of one script ends it with that script's full report and the others unchanged.
    let items = fix_ending_the_long_poll(&client, &root, "F007", answer, previous.len()).await;

    // The client now holds the script's empty report: asked again with every result id held,
    // nothing is new and the request waits again (answered at once, the client would ask again
    // at once, without end). Another script's edit ends it; the first stays unchanged.
    let previous: Vec<Value> = items
        .iter()
        .map(|i| json!({"uri": i["uri"], "value": i["resultId"]}))
        .collect();
    let (_, mut answer) = client
        .start_request(
            "workspace/diagnostic",
            json!({"previousResultIds": previous}),
        )
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(answer.try_recv().is_err(), "answered with nothing new");
    fix_ending_the_long_poll(&client, &root, "F008", answer, previous.len()).await;
    client.shutdown().await;
}

/// Opens `folder`'s script with its parameter matching its binding, and waits for the pending
/// long poll `answer`: `held` reports, the script's full and empty, every other unchanged.
/// Returns them.
async fn fix_ending_the_long_poll(
    client: &TestClient,
    root: &std::path::Path,
    folder: &str,
    answer: tokio::sync::oneshot::Receiver<Value>,
    held: usize,
) -> Vec<Value> {
    let script = file_uri(&root.join(folder).join("__init__.py"));
    client
        .open(&script, "python", 1, "def main(req):\n    pass\n")
        .await;
    let ws = tokio::time::timeout(std::time::Duration::from_secs(30), answer)
        .await
        .expect("the long poll ends after an edit")
        .unwrap();
    let items = ws["result"]["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), held);
    for item in &items {
        if item["uri"] == script.as_str() {
            assert_eq!(item["kind"], "full");
            assert_eq!(item["items"], json!([]));
        } else {
            assert_eq!(item["kind"], "unchanged", "{item}");
        }
    }
    items
}

/// Writes a function folder at `folder` whose script's parameter `request` is not its HTTP
/// trigger's binding `req`: one AZF201 in the script.
fn write_mismatched_function(folder: &std::path::Path) {
    std::fs::create_dir_all(folder).unwrap();
    std::fs::write(
        folder.join("function.json"),
        r#"{"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req"}]}"#,
    )
    .unwrap();
    std::fs::write(folder.join("__init__.py"), "def main(request):\n    pass\n").unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_read_no_findings_are_answered_before_the_keystrokes_checks() {
    // A decorator module of a few hundred functions: a keystroke in it checks all of them.
    // Hover sent with the keystroke is answered from the edited text before those checks;
    // a code action (which reads the findings) after them, never from the findings before.
    const FUNCTIONS: usize = 300;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("host.json"), r#"{"version": "2.0"}"#).unwrap();
    let mut module = String::from(
        "import logging\nimport azure.functions as func\n\napp = func.FunctionApp()\n",
    );
    for i in 0..FUNCTIONS {
        module.push_str(&format!(
            "\n\n@app.route(route=\"r{i}\")\ndef f{i}(req: func.HttpRequest) -> func.HttpResponse:\n    logging.info(\"f{i}\")\n    return func.HttpResponse(\"ok\")\n"
        ));
    }
    // The last function's parameter has no binding: a finding whose range the keystrokes move.
    module.push_str("\n\n@app.route(route=\"last\")\ndef last(req: func.HttpRequest, extra) -> func.HttpResponse:\n    return func.HttpResponse(\"ok\")\n");
    std::fs::write(root.join("function_app.py"), &module).unwrap();
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let uri = file_uri(&root.join("function_app.py"));
    client.open(&uri, "python", 1, &module).await;
    client
        .wait_notification(|m| m["params"]["uri"] == uri && m["params"]["version"] == 1)
        .await;
    // Typing at the start of the first log message; hover on the first function's parameter.
    let typing = module.find("logging.info(\"f0\")").unwrap();
    let line = module[..typing].matches('\n').count();
    let hover_at = json!({"line": line - 1, "character": "def f0(r".len()});
    let mut hover_first = 0;
    for round in 0..10 {
        let version = 2 + round;
        client
            .change(
                &uri,
                version,
                json!([{"range": {"start": {"line": line, "character": 4}, "end": {"line": line, "character": 4}}, "text": "x"}]),
            )
            .await;
        let (hover_id, hover) = client
            .start_request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": hover_at}),
            )
            .await;
        let (action_id, action) = client
            .start_request(
                "textDocument/codeAction",
                json!({
                    "textDocument": {"uri": uri},
                    "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                    "context": {"diagnostics": []}
                }),
            )
            .await;
        let hover = hover.await.unwrap();
        let action = action.await.unwrap();
        assert!(hover["result"]["contents"].is_object(), "{hover}");
        // Answered, not refused: the findings it read were of this version.
        assert!(action.get("error").is_none(), "{action}");
        let published = client
            .wait_notification(|m| m["params"]["uri"] == uri && m["params"]["version"] == version)
            .await;
        // The last function's finding, checked again with the module.
        assert_eq!(
            codes(published["params"]["diagnostics"].as_array().unwrap()),
            ["AZF201"]
        );
        let log = client.log();
        let at = |found: &dyn Fn(&Value) -> bool| log.iter().position(found).unwrap();
        let hover_answered = at(&|m| m["id"] == hover_id);
        let action_answered = at(&|m| m["id"] == action_id);
        let checked = at(&|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        if hover_answered < checked {
            hover_first += 1;
        }
        assert!(action_answered > hover_answered, "round {round}");
    }
    // A timing property (the hover must reach the server's queue while the edit is applied),
    // so not asked of every round; without the deferral the checks always come first.
    assert!(
        hover_first >= 6,
        "hover answered first in {hover_first} of 10 rounds"
    );
    client.shutdown().await;
}
