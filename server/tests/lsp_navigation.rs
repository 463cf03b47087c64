//! Navigation and edits through the language server over an in-memory pipe: definition,
//! references, document links, rename (with prepareRename, round trips and refusals), quick
//! fixes applied and re-checked, the fix-all source action, file creation, document and
//! workspace symbols, code lenses and inlay hints.

mod lsp_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_support::*;
use serde_json::{json, Value};

/// A push client that also takes versioned workspace edits, file creation, nested document
/// symbols and definition links.
fn edit_caps(create: bool) -> Value {
    let mut caps = push_caps();
    caps["workspace"]["workspaceEdit"] = json!({
        "documentChanges": true,
        "resourceOperations": if create { json!(["create"]) } else { json!([]) },
    });
    caps["textDocument"]["documentSymbol"] = json!({"hierarchicalDocumentSymbolSupport": true});
    caps["textDocument"]["definition"] = json!({"linkSupport": true});
    caps["textDocument"]["rename"] = json!({"prepareSupport": true});
    caps["textDocument"]["codeAction"] = json!({
        "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source", "source.fixAll"]}},
        "isPreferredSupport": true
    });
    caps
}

/// UTF-16 position of the `n`th `needle` in `text`, plus `delta` characters.
fn pos(text: &str, needle: &str, n: usize, delta: usize) -> Value {
    let at = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("no {needle:?} #{n}"))
        .0;
    let mut offset = at;
    for _ in 0..delta {
        offset += text[offset..].chars().next().map_or(0, char::len_utf8);
    }
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": character})
}

/// The byte offset of a UTF-16 LSP position.
fn offset(text: &str, p: &Value) -> usize {
    let line = p["line"].as_u64().unwrap() as usize;
    let character = p["character"].as_u64().unwrap() as usize;
    let mut start = 0;
    for _ in 0..line {
        start += text[start..]
            .find('\n')
            .map_or(text.len() - start, |i| i + 1);
    }
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

fn apply_text_edits(text: &str, edits: &[Value]) -> String {
    let mut edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
    let mut out = text.to_string();
    for (a, b, t) in edits {
        out.replace_range(a..b, &t);
    }
    out
}

fn uri_path(uri: &str) -> PathBuf {
    let raw = uri.strip_prefix("file://").unwrap();
    let mut bytes = Vec::new();
    let mut i = 0;
    let b = raw.as_bytes();
    while i < b.len() {
        if b[i] == b'%' {
            bytes.push(u8::from_str_radix(&raw[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            bytes.push(b[i]);
            i += 1;
        }
    }
    PathBuf::from(String::from_utf8(bytes).unwrap())
}

/// What the editor holds: the open documents and their versions.
#[derive(Default)]
struct Editor {
    texts: BTreeMap<String, (String, i32)>,
}

impl Editor {
    fn text(&self, uri: &str) -> String {
        match self.texts.get(uri) {
            Some((t, _)) => t.clone(),
            None => std::fs::read_to_string(uri_path(uri)).unwrap_or_default(),
        }
    }

    async fn open(&mut self, client: &TestClient, uri: &str) -> String {
        if let Some((t, _)) = self.texts.get(uri) {
            return t.clone();
        }
        let text = self.text(uri);
        let language = if uri.ends_with(".py") {
            "python"
        } else {
            "json"
        };
        client.open(uri, language, 1, &text).await;
        self.texts.insert(uri.to_string(), (text.clone(), 1));
        text
    }

    /// Applies a workspace edit the way an editor does, and tells the server.
    async fn apply(&mut self, client: &TestClient, edit: &Value) {
        let mut per_file: Vec<(String, Vec<Value>)> = Vec::new();
        if let Some(changes) = edit["documentChanges"].as_array() {
            for change in changes {
                if change["kind"] == "create" {
                    let uri = change["uri"].as_str().unwrap().to_string();
                    assert!(!uri_path(&uri).exists(), "create of an existing file");
                    per_file.push((uri, Vec::new()));
                    continue;
                }
                let uri = change["textDocument"]["uri"].as_str().unwrap().to_string();
                let version = &change["textDocument"]["version"];
                match self.texts.get(&uri) {
                    Some((_, v)) => assert_eq!(version, &json!(v), "stale version for {uri}"),
                    None => assert!(version.is_null(), "a version for a closed file"),
                }
                per_file.push((uri, change["edits"].as_array().unwrap().clone()));
            }
        } else if let Some(changes) = edit["changes"].as_object() {
            for (uri, edits) in changes {
                per_file.push((uri.clone(), edits.as_array().unwrap().clone()));
            }
        }
        for (uri, edits) in per_file {
            let text = self.text(&uri);
            let new = apply_text_edits(&text, &edits);
            match self.texts.get_mut(&uri) {
                Some((t, v)) => {
                    *t = new.clone();
                    *v += 1;
                    let version = *v;
                    client.change(&uri, version, json!([{"text": new}])).await;
                }
                None => {
                    let language = if uri.ends_with(".py") {
                        "python"
                    } else {
                        "json"
                    };
                    client.open(&uri, language, 1, &new).await;
                    self.texts.insert(uri, (new, 1));
                }
            }
        }
    }
}

fn range_text(text: &str, range: &Value) -> String {
    text[offset(text, &range["start"])..offset(text, &range["end"])].to_string()
}

#[tokio::test]
async fn definition_references_and_links() {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(edit_caps(true), &[&root], None).await;
    client.wait_indexed().await;
    let fj = file_uri(&root.join("HttpOk/function.json"));
    let py = file_uri(&root.join("HttpOk/__init__.py"));
    let settings = file_uri(&root.join("local.settings.json"));
    let mismatch = file_uri(&root.join("Mismatch/function.json"));
    let fj_text = std::fs::read_to_string(root.join("HttpOk/function.json")).unwrap();
    let py_text = std::fs::read_to_string(root.join("HttpOk/__init__.py")).unwrap();
    let settings_text = std::fs::read_to_string(root.join("local.settings.json")).unwrap();
    let mismatch_text = std::fs::read_to_string(root.join("Mismatch/function.json")).unwrap();

    let at = |uri: &str, p: Value| json!({"textDocument": {"uri": uri}, "position": p});
    // function.json `name` → the parameter (a LocationLink: the whole parameter, its name).
    let d = client
        .request(
            "textDocument/definition",
            at(&fj, pos(&fj_text, "\"req\"", 0, 2)),
        )
        .await
        .unwrap();
    assert_eq!(d[0]["targetUri"], py);
    assert_eq!(range_text(&py_text, &d[0]["targetSelectionRange"]), "req");
    assert_eq!(
        range_text(&py_text, &d[0]["targetRange"]),
        "req: func.HttpRequest"
    );
    // The parameter → the binding.
    let d = client
        .request(
            "textDocument/definition",
            at(&py, pos(&py_text, "req:", 0, 1)),
        )
        .await
        .unwrap();
    assert_eq!(d[0]["targetUri"], fj);
    assert_eq!(
        range_text(&fj_text, &d[0]["targetSelectionRange"]),
        "\"req\""
    );
    // `%ORDERS_QUEUE%` and `connection` → local.settings.json.
    for needle in ["ORDERS_QUEUE", "AzureWebJobsStorage"] {
        let d = client
            .request(
                "textDocument/definition",
                at(&mismatch, pos(&mismatch_text, needle, 0, 3)),
            )
            .await
            .unwrap();
        assert_eq!(d[0]["targetUri"], settings);
        assert_eq!(
            range_text(&settings_text, &d[0]["targetSelectionRange"]),
            format!("\"{needle}\"")
        );
    }
    // scriptFile → the script, and a document link.
    let d = client
        .request(
            "textDocument/definition",
            at(&fj, pos(&fj_text, "__init__", 0, 2)),
        )
        .await
        .unwrap();
    assert_eq!(d[0]["targetUri"], py);
    let links = client
        .request(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": fj}}),
        )
        .await
        .unwrap();
    assert_eq!(links.as_array().unwrap().len(), 1);
    assert_eq!(links[0]["target"], py);
    assert_eq!(range_text(&fj_text, &links[0]["range"]), "__init__.py");
    // Nothing on a plain value.
    let none = client
        .request(
            "textDocument/definition",
            at(&fj, pos(&fj_text, "httpTrigger", 0, 2)),
        )
        .await
        .unwrap();
    assert!(none.is_null());

    // References of a binding: its name, the parameter, its use in the body (not in strings).
    let mut refs = client
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": py}, "position": pos(&py_text, "req.params", 0, 0), "context": {"includeDeclaration": true}}),
        )
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    refs.sort_by_key(|r| {
        (
            r["uri"].as_str().unwrap().to_string(),
            r["range"]["start"]["line"].as_u64(),
        )
    });
    let shown: Vec<String> = refs
        .iter()
        .map(|r| {
            let text = if r["uri"] == fj { &fj_text } else { &py_text };
            format!(
                "{}:{} {}",
                r["uri"].as_str().unwrap().rsplit('/').next().unwrap(),
                r["range"]["start"]["line"],
                range_text(text, &r["range"])
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            "__init__.py:3 req",
            "__init__.py:4 req",
            "function.json:7 req"
        ]
    );
    // References of a setting, from its key.
    let refs = client
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": settings}, "position": pos(&settings_text, "ORDERS_QUEUE", 0, 1), "context": {"includeDeclaration": false}}),
        )
        .await
        .unwrap();
    assert_eq!(refs.as_array().unwrap().len(), 1);
    assert_eq!(refs[0]["uri"], mismatch);
    assert_eq!(
        range_text(&mismatch_text, &refs[0]["range"]),
        "ORDERS_QUEUE"
    );
    client.shutdown().await;
}

#[tokio::test]
async fn renames_round_trip_and_refuse_invalid_names() {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(edit_caps(true), &[&root], None).await;
    client.wait_indexed().await;
    let mut editor = Editor::default();
    let fj = file_uri(&root.join("HttpOk/function.json"));
    let py = file_uri(&root.join("HttpOk/__init__.py"));
    // The script is open (its version goes into the edit), function.json is not.
    let py_text = editor.open(&client, &py).await;
    let fj_text = std::fs::read_to_string(root.join("HttpOk/function.json")).unwrap();
    client.wait_diagnostics(&py, |d| d.is_empty()).await;

    let name = pos(&fj_text, "\"req\"", 0, 1);
    let prepared = client
        .request(
            "textDocument/prepareRename",
            json!({"textDocument": {"uri": fj}, "position": name}),
        )
        .await
        .unwrap();
    assert_eq!(prepared["placeholder"], "req");
    assert_eq!(range_text(&fj_text, &prepared["range"]), "req");

    let bad = client
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": fj}, "position": name, "newName": "my-request"}),
        )
        .await
        .unwrap_err();
    assert_eq!(bad["code"], -32803);
    assert!(
        bad["message"]
            .as_str()
            .unwrap()
            .contains("not a valid binding name"),
        "{bad}"
    );
    let ret = client
        .request(
            "textDocument/prepareRename",
            json!({"textDocument": {"uri": fj}, "position": pos(&fj_text, "$return", 0, 1)}),
        )
        .await
        .unwrap_err();
    assert!(
        ret["message"].as_str().unwrap().contains("$return"),
        "{ret}"
    );

    let edit = client
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": fj}, "position": name, "newName": "request"}),
        )
        .await
        .unwrap();
    editor.apply(&client, &edit).await;
    let renamed_py = editor.text(&py);
    assert!(
        renamed_py.contains("def main(request: func.HttpRequest)"),
        "{renamed_py}"
    );
    assert!(renamed_py.contains("name = request.params.get(\"name\", \"wörld 😀\")"));
    assert!(editor.text(&fj).contains("\"name\": \"request\""));
    client.wait_diagnostics(&py, |d| d.is_empty()).await;
    client.wait_diagnostics(&fj, |d| d.is_empty()).await;

    // And back, from a use in the body.
    let back = client
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": py}, "position": pos(&renamed_py, "request.params", 0, 3), "newName": "req"}),
        )
        .await
        .unwrap();
    editor.apply(&client, &back).await;
    assert_eq!(editor.text(&py), py_text);
    assert_eq!(editor.text(&fj), fj_text);

    // A setting: the key and its `%…%` use.
    let settings = file_uri(&root.join("local.settings.json"));
    let settings_text = editor.open(&client, &settings).await;
    let edit = client
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": settings}, "position": pos(&settings_text, "ORDERS_QUEUE", 0, 0), "newName": "OrdersQueue"}),
        )
        .await
        .unwrap();
    editor.apply(&client, &edit).await;
    let mismatch = file_uri(&root.join("Mismatch/function.json"));
    assert!(editor.text(&mismatch).contains("%OrdersQueue%"));
    let back = client
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": mismatch}, "position": pos(&editor.text(&mismatch), "OrdersQueue", 0, 0), "newName": "ORDERS_QUEUE"}),
        )
        .await
        .unwrap();
    editor.apply(&client, &back).await;
    assert_eq!(editor.text(&settings), settings_text);
    client.shutdown().await;
}

/// Copies `examples/orders-app` into a temp dir.
fn orders_app() -> (tempfile::TempDir, PathBuf) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/orders-app");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("orders-app");
    copy_dir(&src, &root);
    (dir, root)
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

/// The code actions for the first diagnostic of `code` in `uri`.
async fn actions_for(client: &mut TestClient, uri: &str, code: &str) -> (Value, Vec<Value>) {
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .await
        .unwrap();
    let d = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {report}"))
        .clone();
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d], "only": ["quickfix"]}}),
        )
        .await
        .unwrap();
    (d, actions.as_array().unwrap().clone())
}

#[tokio::test]
async fn quick_fixes_apply_and_clear_their_diagnostics() {
    let (_dir, root) = orders_app();
    let mut client = TestClient::start(edit_caps(true), &[&root], None).await;
    client.wait_indexed().await;
    let mut editor = Editor::default();
    let cases = [
        (
            "CreateOrder/__init__.py",
            "AZF201",
            "Rename parameter 'request' to 'req'",
        ),
        (
            "ProcessOrder/__init__.py",
            "AZF204",
            "Wrap in func.Out[...]",
        ),
        (
            "GetReceipt/__init__.py",
            "AZF207",
            "Annotate 'receipt' as func.InputStream",
        ),
        (
            "GetReceipt/__init__.py",
            "AZF208",
            "Change the return annotation to func.HttpResponse",
        ),
        (
            "NightlyReport/function.json",
            "AZF122",
            "Use schedule '0 0 2 * * *' (seconds first)",
        ),
    ];
    for (file, code, title) in cases {
        let uri = file_uri(&root.join(file));
        editor.open(&client, &uri).await;
        let (d, actions) = actions_for(&mut client, &uri, code).await;
        let action = actions
            .iter()
            .find(|a| a["title"] == title)
            .unwrap_or_else(|| panic!("no '{title}' in {actions:#?}"));
        assert_eq!(action["kind"], "quickfix");
        assert_eq!(action["diagnostics"][0]["code"], code);
        // The preferred fix of a diagnostic is the first one offered.
        assert_eq!(actions[0]["isPreferred"], true, "{actions:#?}");
        let before = client
            .request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}}),
            )
            .await
            .unwrap();
        let errors_before = before["items"].as_array().unwrap().len();
        editor.apply(&client, &action["edit"]).await;
        let after = client
            .request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}}),
            )
            .await
            .unwrap();
        let items = after["items"].as_array().unwrap();
        assert!(
            !items
                .iter()
                .any(|x| x["code"] == code && x["message"] == d["message"]),
            "{code} still there after '{title}': {items:#?}"
        );
        assert!(items.len() < errors_before, "{title}: {items:#?}");
    }
    // The function.json side of the renamed parameter is clean too.
    let create = file_uri(&root.join("CreateOrder/function.json"));
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": create}}),
        )
        .await
        .unwrap();
    assert_eq!(report["items"], json!([]));
    client.shutdown().await;
}

#[tokio::test]
async fn fix_all_source_action_applies_every_automatic_fix_of_a_file() {
    let (_dir, root) = orders_app();
    let mut client = TestClient::start(edit_caps(true), &[&root], None).await;
    client.wait_indexed().await;
    let mut editor = Editor::default();
    let uri = file_uri(&root.join("GetReceipt/__init__.py"));
    editor.open(&client, &uri).await;
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
        )
        .await
        .unwrap();
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.azfunc");
    assert_eq!(actions[0]["title"], "Fix 1 problem automatically (azfunc)");
    editor.apply(&client, &actions[0]["edit"]).await;
    let after = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .await
        .unwrap();
    // What is left needs a person: the return annotation (bytes or an HTTP response?).
    assert_eq!(codes(after["items"].as_array().unwrap()), ["AZF208"]);
    // Quick fixes are not offered to a request for source actions only, and vice versa.
    let quick = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 80}}, "context": {"diagnostics": [], "only": ["quickfix"]}}),
        )
        .await
        .unwrap();
    assert!(quick
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["kind"] == "quickfix"));
    assert!(!quick.as_array().unwrap().is_empty());
    client.shutdown().await;
}

#[tokio::test]
async fn a_missing_settings_file_is_created_when_the_client_can() {
    let (_dir, root) = orders_app();
    std::fs::remove_file(root.join("local.settings.json")).unwrap();
    let queue = root.join("ProcessOrder/function.json");
    let text = std::fs::read_to_string(&queue).unwrap().replacen(
        "\"AzureWebJobsStorage\"",
        "\"OrdersStorage\"",
        1,
    );
    std::fs::write(&queue, &text).unwrap();
    let uri = file_uri(&queue);
    let at = pos(&text, "OrdersStorage", 0, 2);
    let request = json!({"textDocument": {"uri": uri}, "range": {"start": at, "end": at}, "context": {"diagnostics": []}});

    // Without `create` support, no action needs a new file.
    let mut client = TestClient::start(edit_caps(false), &[&root], None).await;
    client.wait_indexed().await;
    let actions = client
        .request("textDocument/codeAction", request.clone())
        .await
        .unwrap();
    assert!(
        !actions.as_array().unwrap().iter().any(|a| a["title"]
            .as_str()
            .unwrap()
            .contains("Create local.settings.json")),
        "{actions:#?}"
    );
    client.shutdown().await;

    let mut client = TestClient::start(edit_caps(true), &[&root], None).await;
    client.wait_indexed().await;
    let actions = client
        .request("textDocument/codeAction", request)
        .await
        .unwrap();
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Create local.settings.json with setting 'OrdersStorage'")
        .unwrap_or_else(|| panic!("{actions:#?}"))
        .clone();
    let settings = file_uri(&root.join("local.settings.json"));
    let ops = action["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(
        ops[0],
        json!({"kind": "create", "uri": settings, "options": {"overwrite": false, "ignoreIfExists": true}})
    );
    assert_eq!(
        ops[1]["textDocument"],
        json!({"uri": settings, "version": null})
    );
    let mut editor = Editor::default();
    editor.apply(&client, &action["edit"]).await;
    let created: Value = serde_json::from_str(&editor.text(&settings)).unwrap();
    assert_eq!(
        created,
        json!({"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "OrdersStorage": ""}})
    );
    client.shutdown().await;
}

#[tokio::test]
async fn symbols_lenses_and_hints() {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(edit_caps(true), &[&root], None).await;
    client.wait_indexed().await;
    let fj = file_uri(&root.join("Mismatch/function.json"));
    let py = file_uri(&root.join("HttpOk/__init__.py"));
    let settings = file_uri(&root.join("local.settings.json"));
    let doc = |uri: &str| json!({"textDocument": {"uri": uri}});
    let mut traffic = serde_json::Map::new();
    for (name, method, params) in [
        (
            "function.json symbols",
            "textDocument/documentSymbol",
            doc(&fj),
        ),
        (
            "local.settings.json symbols",
            "textDocument/documentSymbol",
            doc(&settings),
        ),
        (
            "workspace symbols",
            "workspace/symbol",
            json!({"query": ""}),
        ),
        (
            "workspace symbols 'mis'",
            "workspace/symbol",
            json!({"query": "mis"}),
        ),
        ("code lenses", "textDocument/codeLens", doc(&py)),
        (
            "inlay hints",
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": py}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 10, "character": 0}}}),
        ),
        (
            "mismatch hints",
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": file_uri(&root.join("Mismatch/__init__.py"))}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 10, "character": 0}}}),
        ),
    ] {
        let mut answer = client.request(method, params).await.unwrap();
        if method == "workspace/symbol" {
            if let Some(list) = answer.as_array_mut() {
                list.sort_by_key(|s| s["name"].as_str().unwrap_or("").to_string());
            }
        }
        traffic.insert(name.to_string(), answer);
    }
    insta::assert_json_snapshot!(
        "symbols_lenses_and_hints",
        redact(&Value::Object(traffic), &root)
    );
    client.shutdown().await;
}

#[tokio::test]
async fn plain_clients_get_changes_flat_symbols_and_locations() {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let fj = file_uri(&root.join("HttpOk/function.json"));
    let py = file_uri(&root.join("HttpOk/__init__.py"));
    let fj_text = std::fs::read_to_string(root.join("HttpOk/function.json")).unwrap();
    let name = pos(&fj_text, "\"req\"", 0, 1);
    let edit = client
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": fj}, "position": name, "newName": "request"}),
        )
        .await
        .unwrap();
    assert!(edit.get("documentChanges").is_none(), "{edit}");
    let changes = edit["changes"].as_object().unwrap();
    assert_eq!(changes[&fj].as_array().unwrap().len(), 1);
    assert_eq!(changes[&py].as_array().unwrap().len(), 2);
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": fj}}),
        )
        .await
        .unwrap();
    let flat: Vec<(String, Value)> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["containerName"].clone(),
            )
        })
        .collect();
    assert_eq!(
        flat,
        [
            ("scriptFile".to_string(), Value::Null),
            ("bindings".to_string(), Value::Null),
            ("req".to_string(), json!("bindings")),
            ("$return".to_string(), json!("bindings"))
        ]
    );
    let d = client
        .request(
            "textDocument/definition",
            json!({"textDocument": {"uri": fj}, "position": name}),
        )
        .await
        .unwrap();
    assert_eq!(d[0]["uri"], py);
    assert_eq!(d[0]["range"]["start"], json!({"line": 3, "character": 9}));
    client.shutdown().await;
}

#[tokio::test]
async fn decorator_apps_get_navigation_symbols_lenses_hints_and_fixes() {
    let (_dir, root) = fixture("v2-app");
    let mut client = TestClient::start(edit_caps(true), &[&root], None).await;
    client.wait_indexed().await;
    let jobs = file_uri(&root.join("blueprints/jobs.py"));
    let script = file_uri(&root.join("function_app.py"));
    let jobs_text = std::fs::read_to_string(root.join("blueprints/jobs.py")).unwrap();
    let script_text = std::fs::read_to_string(root.join("function_app.py")).unwrap();
    let at = |uri: &str, p: Value| json!({"textDocument": {"uri": uri}, "position": p});

    // arg_name="msg" → the parameter, and back.
    let d = client
        .request(
            "textDocument/definition",
            at(&jobs, pos(&jobs_text, "\"msg\"", 0, 2)),
        )
        .await
        .unwrap();
    assert_eq!(d[0]["targetUri"], jobs);
    assert_eq!(range_text(&jobs_text, &d[0]["targetSelectionRange"]), "msg");
    let d = client
        .request(
            "textDocument/definition",
            at(&jobs, pos(&jobs_text, "msg:", 0, 1)),
        )
        .await
        .unwrap();
    assert_eq!(d[0]["targetUri"], jobs);
    assert!(range_text(&jobs_text, &d[0]["targetSelectionRange"]).contains("msg"));

    // Every decorated function is a workspace symbol.
    let symbols = client
        .request("workspace/symbol", json!({"query": ""}))
        .await
        .unwrap();
    let names: Vec<String> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(names.iter().any(|n| n.starts_with("process")), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("hello")), "{names:?}");
    // Each at its function's name, in its own module.
    for symbol in symbols.as_array().unwrap() {
        let name = symbol["name"].as_str().unwrap();
        let location = &symbol["location"];
        let (uri, text) = if name.starts_with("process") {
            (&jobs, &jobs_text)
        } else {
            (&script, &script_text)
        };
        assert_eq!(location["uri"], *uri, "{symbol}");
        let function = name.split(' ').next().unwrap();
        assert_eq!(range_text(text, &location["range"]), function, "{symbol}");
    }

    // A code lens above the blueprint function and an inlay hint after its parameter.
    let lenses = client
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": jobs}}),
        )
        .await
        .unwrap();
    assert!(lenses.to_string().contains("queueTrigger"), "{lenses}");
    let hints = client
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": jobs}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 20, "character": 0}}}),
        )
        .await
        .unwrap();
    assert!(hints.to_string().contains("queueTrigger"), "{hints}");

    // The app-wide error in function_app.py offers its quick fix.
    client.open(&script, "python", 1, &script_text).await;
    let published = client
        .wait_diagnostics(&script, |d| d.iter().any(|x| x["code"] == "AZF201"))
        .await;
    let diagnostic = published["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "AZF201")
        .unwrap()
        .clone();
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": script}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}}),
        )
        .await
        .unwrap();
    assert!(
        actions
            .to_string()
            .contains("Rename parameter 'request' to 'req'"),
        "{actions}"
    );
    client.shutdown().await;
}

#[tokio::test]
async fn renaming_a_folder_named_function_moves_its_folder_and_updates_the_calls() {
    let (_dir, root) = fixture("durable_v1");
    let mut caps = edit_caps(true);
    caps["workspace"]["workspaceEdit"]["resourceOperations"] = json!(["create", "rename"]);
    let mut client = TestClient::start(caps, &[&root], None).await;
    client.wait_indexed().await;
    let uri = file_uri(&root.join("Orchestrator/__init__.py"));
    let text = std::fs::read_to_string(root.join("Orchestrator/__init__.py")).unwrap();
    client.open(&uri, "python", 1, &text).await;
    let doc = json!({"uri": uri});
    let at = pos(&text, "\"SayHello\"", 0, 2);
    let prepared = client
        .request(
            "textDocument/prepareRename",
            json!({"textDocument": doc, "position": at}),
        )
        .await
        .unwrap();
    assert_eq!(prepared["placeholder"], "SayHello");
    let rename = |name: &str| json!({"textDocument": doc, "position": at, "newName": name});
    let edit = client
        .request("textDocument/rename", rename("Greet"))
        .await
        .unwrap();
    let ops = edit["documentChanges"].as_array().unwrap();
    assert_eq!(ops.len(), 2, "{edit:#}");
    // The call first, in the file where it is before the move.
    assert_eq!(ops[0]["textDocument"]["uri"], json!(uri));
    let [call] = ops[0]["edits"].as_array().unwrap().as_slice() else {
        panic!("{edit:#}")
    };
    assert_eq!(call["newText"], "Greet");
    assert_eq!(call["range"]["start"], pos(&text, "\"SayHello\"", 0, 1));
    assert_eq!(call["range"]["end"], pos(&text, "\"SayHello\"", 0, 9));
    // Then the folder.
    assert_eq!(ops[1]["kind"], "rename");
    assert_eq!(ops[1]["oldUri"], json!(file_uri(&root.join("SayHello"))));
    assert_eq!(ops[1]["newUri"], json!(file_uri(&root.join("Greet"))));
    assert_eq!(ops[1]["options"]["overwrite"], false);
    // Names the host rejects and names taken (ignoring case) are refused.
    for (bad, why) in [
        ("2nd", "not a valid function name"),
        ("host", "not a valid function name"),
        (
            "subflow",
            "already has a function or folder named 'subflow'",
        ),
    ] {
        let err = client
            .request("textDocument/rename", rename(bad))
            .await
            .unwrap_err();
        assert!(err.to_string().contains(why), "{bad}: {err}");
    }
    client.shutdown().await;

    // A client that cannot rename files is told why.
    let mut client = TestClient::start(edit_caps(true), &[&root], None).await;
    client.wait_indexed().await;
    client.open(&uri, "python", 1, &text).await;
    let err = client
        .request("textDocument/rename", rename("Greet"))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("renaming 'SayHello' moves its folder to 'Greet'"),
        "{err}"
    );
    client.shutdown().await;
}

/// A setting that many functions name: the answer (serialized by the server itself from 64
/// locations on) holds every place, by file then position, with the URIs a client expects
/// (percent-encoded folder names; an open document's URI as the client sent it).
#[tokio::test]
async fn references_of_a_widely_used_setting_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("many app");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("host.json"), r#"{"version": "2.0"}"#).unwrap();
    let settings_text = "{\"IsEncrypted\": false, \"Values\": {\"FUNCTIONS_WORKER_RUNTIME\": \"python\",\n  \"Store\": \"UseDevelopmentStorage=true\"}}";
    std::fs::write(root.join("local.settings.json"), settings_text).unwrap();
    // Folders whose host order (case-insensitive) is not their byte order, one with a space and
    // non-ASCII letters; the connection on a line of its own after a multi-byte character.
    let mut folders: Vec<String> = (0..70)
        .map(|i| format!("{}{i:02}", if i % 3 == 0 { "f" } else { "F" }))
        .collect();
    folders.push("Ünï code".to_string());
    for folder in &folders {
        let dir = root.join(folder);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("function.json"),
            "{\"bindings\": [{\"type\": \"queueTrigger\", \"direction\": \"in\", \"name\": \"msg\", \"queueName\": \"é\",\n  \"connection\": \"Store\"}]}\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("__init__.py"),
            "import os\n\nKEY = os.environ[\"Store\"]\n\ndef main(msg):\n    pass\n",
        )
        .unwrap();
    }
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    client.wait_indexed().await;
    // One document open under a URI spelled differently from the server's own.
    let open_path = root.join("F01/function.json");
    let open_uri = file_uri(&open_path).replace("function.json", "%66unction.json");
    let open_text = std::fs::read_to_string(&open_path).unwrap();
    client.open(&open_uri, "json", 1, &open_text).await;

    let mut expected = Vec::new();
    let mut rels: Vec<String> = folders
        .iter()
        .flat_map(|f| [format!("{f}/__init__.py"), format!("{f}/function.json")])
        .collect();
    rels.push("local.settings.json".to_string());
    rels.sort();
    let place = |line: u32, start: u32, end: u32| json!({"start": {"line": line, "character": start}, "end": {"line": line, "character": end}});
    for rel in &rels {
        let uri = if root.join(rel) == open_path {
            open_uri.clone()
        } else {
            file_uri(&root.join(rel))
        };
        let range = if rel.ends_with(".py") {
            place(2, 18, 23)
        } else if rel.ends_with("function.json") {
            place(1, 17, 22)
        } else {
            place(1, 3, 8)
        };
        expected.push(json!({"uri": uri, "range": range}));
    }
    let settings = file_uri(&root.join("local.settings.json"));
    let refs = client
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": settings}, "position": pos(settings_text, "Store", 0, 1), "context": {"includeDeclaration": true}}),
        )
        .await
        .unwrap();
    assert_eq!(refs.as_array().unwrap().len(), 2 * folders.len() + 1);
    assert_eq!(refs, Value::Array(expected.clone()));
    // From a connection, without the declaration, twice (each answer is taken once).
    let from = file_uri(&root.join("F02/function.json"));
    let text = std::fs::read_to_string(root.join("F02/function.json")).unwrap();
    expected.retain(|r| r["uri"] != settings);
    for _ in 0..2 {
        let refs = client
            .request(
                "textDocument/references",
                json!({"textDocument": {"uri": from}, "position": pos(&text, "\"Store", 0, 2), "context": {"includeDeclaration": false}}),
            )
            .await
            .unwrap();
        assert_eq!(refs, Value::Array(expected.clone()));
    }
    // The open function names another setting, and its script reads another one: both drop out
    // of the answer (the places are kept up to date as documents change).
    let other = open_text.replace("\"Store\"", "\"Other\"");
    client.change(&open_uri, 2, json!([{"text": other}])).await;
    let script = root.join("F01/__init__.py");
    let script_uri = file_uri(&script);
    let script_text = std::fs::read_to_string(&script).unwrap();
    client.open(&script_uri, "python", 1, &script_text).await;
    client
        .change(
            &script_uri,
            2,
            json!([{"text": script_text.replace("\"Store\"", "\"Other\"")}]),
        )
        .await;
    expected.retain(|r| r["uri"] != open_uri && r["uri"] != script_uri);
    let refs = client
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": from}, "position": pos(&text, "\"Store", 0, 2), "context": {"includeDeclaration": false}}),
        )
        .await
        .unwrap();
    assert_eq!(refs.as_array().unwrap().len(), 2 * folders.len() - 2);
    assert_eq!(refs, Value::Array(expected.clone()));
    client.shutdown().await;
}

/// The range of the `n`th `needle` in `text` in the position encoding asked for.
fn encoded_range(text: &str, needle: &str, n: usize, utf8: bool) -> Value {
    let at = |offset: usize| {
        let before = &text[..offset];
        let line = before.matches('\n').count();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let character: usize = if utf8 {
            offset - line_start
        } else {
            before[line_start..].chars().map(char::len_utf16).sum()
        };
        json!({"line": line, "character": character})
    };
    let start = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("no {needle:?} #{n}"))
        .0;
    json!({"start": at(start), "end": at(start + needle.len())})
}

#[tokio::test]
async fn references_after_non_ascii_text_in_both_encodings_and_across_edits() {
    for utf8 in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("app");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("host.json"), r#"{"version": "2.0"}"#).unwrap();
        let settings_text =
            "{\"Values\": {\"FUNCTIONS_WORKER_RUNTIME\": \"python\", \"Store\": \"x\"}}";
        std::fs::write(root.join("local.settings.json"), settings_text).unwrap();
        // Non-ASCII text before each place on its own line, and on an earlier line.
        let same_line = "{\"bindings\": [{\"type\": \"queueTrigger\", \"direction\": \"in\", \"name\": \"msg\", \"queueName\": \"é日本🙂-%Store%\", \"connection\": \"Store\"}]}";
        let earlier_line = "{\"description\": \"🙂🙂 ü\",\n \"bindings\": [{\"type\": \"queueTrigger\", \"direction\": \"in\", \"name\": \"msg\", \"queueName\": \"q\",\n  \"connection\": \"Store\"}]}";
        let module = "import os\n# é🙂\nS = '🙂'; K = os.environ[\"Store\"]\n";
        for (file, text) in [
            ("A/function.json", same_line),
            ("B/function.json", earlier_line),
            ("lib/util.py", module),
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let caps = if utf8 { pull_caps() } else { push_caps() };
        let mut client = TestClient::start(caps, &[&root], None).await;
        client.wait_indexed().await;
        let settings = file_uri(&root.join("local.settings.json"));
        let a = file_uri(&root.join("A/function.json"));
        let b = file_uri(&root.join("B/function.json"));
        let util = file_uri(&root.join("lib/util.py"));
        let request = json!({"textDocument": {"uri": settings}, "position": pos(settings_text, "Store", 0, 1), "context": {"includeDeclaration": false}});
        let expect = |a_text: &str, b_text: &str, util_text: &str| {
            Value::Array(vec![
                json!({"uri": a, "range": encoded_range(a_text, "Store", 0, utf8)}),
                json!({"uri": a, "range": encoded_range(a_text, "Store", 1, utf8)}),
                json!({"uri": b, "range": encoded_range(b_text, "Store", 0, utf8)}),
                json!({"uri": util, "range": encoded_range(util_text, "Store", 0, utf8)}),
            ])
        };
        let refs = client
            .request("textDocument/references", request.clone())
            .await
            .unwrap();
        assert_eq!(
            refs,
            expect(same_line, earlier_line, module),
            "utf8: {utf8}"
        );

        // Edits that move the places: more non-ASCII text before them on their line, and lines
        // (one of them non-ASCII) inserted before them.
        let a_moved = same_line.replace("é日本🙂", "🙂é日本🙂ñ");
        let b_moved = earlier_line.replace("{\"description\"", "{\"x\": \"ö\",\n\n\"description\"");
        let util_moved = module.replace("S = '🙂';", "\n\nS = 'ß🙂🙂';");
        for (uri, language, before, after) in [
            (&a, "json", same_line, &a_moved),
            (&b, "json", earlier_line, &b_moved),
            (&util, "python", module, &util_moved),
        ] {
            client.open(uri, language, 1, before).await;
            client.change(uri, 2, json!([{"text": after}])).await;
        }
        let refs = client
            .request("textDocument/references", request.clone())
            .await
            .unwrap();
        assert_eq!(
            refs,
            expect(&a_moved, &b_moved, &util_moved),
            "utf8: {utf8}"
        );
        client.shutdown().await;
    }
}
