//! Editor features on a decorator-model app, over the wire: renaming a parameter whose binding
//! name the decorator implies, completion of `%Setting%`, `{token}` and connections inside
//! decorator arguments, quick-fix titles that name the edited file, and the source action that
//! creates local.settings.json with every setting the app reads, fix all, and the outline of
//! the decorated functions.

mod lsp_support;

use lsp_support::*;
use serde_json::{json, Value};

/// A push client that takes versioned workspace edits with file creation and code action
/// literals.
fn caps() -> Value {
    let mut caps = push_caps();
    caps["workspace"]["workspaceEdit"] =
        json!({"documentChanges": true, "resourceOperations": ["create"]});
    caps["textDocument"]["rename"] = json!({"prepareSupport": true});
    caps["textDocument"]["codeAction"] = json!({
        "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}},
        "isPreferredSupport": true
    });
    caps
}

/// The position just after the first `needle` in `text` (ASCII text: bytes are UTF-16 units).
fn after(text: &str, needle: &str) -> Value {
    let at = text.find(needle).unwrap_or_else(|| panic!("no {needle:?}")) + needle.len();
    let line = text[..at].matches('\n').count();
    let character = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": character})
}

fn offset(text: &str, p: &Value) -> usize {
    let line = p["line"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    start + p["character"].as_u64().unwrap() as usize
}

/// `text` after the LSP text edits `edits`.
fn apply(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse((s.0, s.1)));
    let mut out = text.to_string();
    for (a, b, t) in spans {
        out.replace_range(a..b, t);
    }
    out
}

fn labels(completion: &Value) -> Vec<String> {
    let items = completion
        .get("items")
        .unwrap_or(completion)
        .as_array()
        .unwrap();
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn decorator_app_rename_completion_and_settings() {
    let (_dir, root) = fixture("editor_v2");
    let mut client = TestClient::start(caps(), &[&root], None).await;
    client.wait_indexed().await;
    let script = file_uri(&root.join("function_app.py"));
    let mut text = std::fs::read_to_string(root.join("function_app.py")).unwrap();
    client.open(&script, "python", 1, &text).await;
    let doc = json!({"uri": script});

    // Rename `req`, whose name route() implies: the decorator gets trigger_arg_name.
    let at_req = after(&text, "def orders(r");
    let prepared = client
        .request(
            "textDocument/prepareRename",
            json!({"textDocument": doc, "position": at_req}),
        )
        .await
        .unwrap();
    assert_eq!(prepared["placeholder"], "req");
    let edit = client
        .request(
            "textDocument/rename",
            json!({"textDocument": doc, "position": at_req, "newName": "request"}),
        )
        .await
        .unwrap();
    let changes = edit["documentChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{edit:#}");
    text = apply(&text, changes[0]["edits"].as_array().unwrap());
    assert!(
        text.contains("@app.route(route=\"orders/{id}\", auth_level=\"anonymous\", trigger_arg_name=\"request\")\n"),
        "{text}"
    );
    assert!(text.contains("def orders(request: func.HttpRequest"));
    assert!(text.contains("outbox.set(request.route_params[\"id\"])"));
    client
        .change(&script, 2, json!([{"text": text.clone()}]))
        .await;
    // The server now binds `request`: its hover names the HTTP trigger.
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": doc, "position": after(&text, "def orders(req")}),
        )
        .await
        .unwrap();
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(
        md.starts_with("**request** — `httpTrigger` binding"),
        "{md}"
    );

    // `%Setting%` inside queue_name: the setting the app reads, though no file defines it yet.
    let completion = client
        .request(
            "textDocument/completion",
            json!({"textDocument": doc, "position": after(&text, "queue_name=\"%")}),
        )
        .await
        .unwrap();
    let l = labels(&completion);
    assert!(l.contains(&"%OrdersQueue%".to_string()), "{l:?}");
    // A connection.
    let completion = client
        .request(
            "textDocument/completion",
            json!({"textDocument": doc, "position": after(&text, "connection=\"")}),
        )
        .await
        .unwrap();
    assert!(labels(&completion).contains(&"AzureWebJobsStorage".to_string()));
    // `{token}` in an output path, from the blob trigger's path.
    text = text.replace("path=\"out/x\"", "path=\"out/{\"");
    client
        .change(&script, 3, json!([{"text": text.clone()}]))
        .await;
    let completion = client
        .request(
            "textDocument/completion",
            json!({"textDocument": doc, "position": after(&text, "path=\"out/{")}),
        )
        .await
        .unwrap();
    let items = completion.get("items").unwrap_or(&completion);
    assert_eq!(items[0]["label"], "{name}", "{completion:#}");
    let inserted = items[0]["textEdit"]["newText"]
        .as_str()
        .or(items[0]["insertText"].as_str());
    assert_eq!(inserted, Some("name}"));

    // A parameter that no longer matches its binding: the fixes speak of the script they edit.
    text = text
        .replace("path=\"out/{\"", "path=\"out/{name}\"")
        .replace("copy: func.Out[bytes]", "cpy: func.Out[bytes]");
    client
        .change(&script, 4, json!([{"text": text.clone()}]))
        .await;
    let published = client
        .wait_diagnostics(&script, |d| codes(d).iter().any(|c| c == "AZF201"))
        .await;
    let diags = published["params"]["diagnostics"].as_array().unwrap();
    let at_cpy = after(&text, "func.InputStream, c");
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": doc,
                "range": {"start": at_cpy, "end": at_cpy},
                "context": {"diagnostics": diags, "only": ["quickfix"]}
            }),
        )
        .await
        .unwrap();
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Rename binding 'copy' to 'cpy' in function_app.py"),
        "{titles:?}"
    );
    assert!(
        titles.iter().all(|t| !t.contains("function.json")),
        "{titles:?}"
    );

    // A quick fix on one missing setting creates local.settings.json with the usual skeleton.
    let at_queue = after(&text, "queue_name=\"%Orders");
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": doc,
                "range": {"start": at_queue, "end": at_queue},
                "context": {"diagnostics": [], "only": ["quickfix"]}
            }),
        )
        .await
        .unwrap();
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Create local.settings.json with setting 'OrdersQueue'")
        .unwrap_or_else(|| panic!("{actions:#}"));
    let ops = action["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(ops[0]["kind"], "create");
    let created: Value =
        serde_json::from_str(ops[1]["edits"][0]["newText"].as_str().unwrap()).unwrap();
    assert_eq!(
        created,
        json!({"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "OrdersQueue": ""}})
    );

    // Every setting the app reads, in a local.settings.json the action creates.
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": doc,
                "range": {"start": at_cpy, "end": at_cpy},
                "context": {"diagnostics": [], "only": ["source.addSettings.azfunc"]}
            }),
        )
        .await
        .unwrap();
    let [action] = actions.as_array().unwrap().as_slice() else {
        panic!("{actions:#}")
    };
    assert!(
        action["title"]
            .as_str()
            .unwrap()
            .starts_with("Add all settings this app reads to local.settings.json"),
        "{action:#}"
    );
    let ops = action["edit"]["documentChanges"].as_array().unwrap();
    let settings_uri = file_uri(&root.join("local.settings.json"));
    assert_eq!(ops[0]["kind"], "create");
    assert_eq!(ops[0]["uri"], json!(settings_uri));
    let created = ops[1]["edits"][0]["newText"].as_str().unwrap();
    let parsed: Value = serde_json::from_str(created).unwrap();
    assert_eq!(
        parsed,
        json!({
            "IsEncrypted": false,
            "Values": {
                "FUNCTIONS_WORKER_RUNTIME": "python",
                "AzureWebJobsStorage": "UseDevelopmentStorage=true",
                "OrdersQueue": "",
                "ApiKey": ""
            }
        })
    );
    client.shutdown().await;
}

#[tokio::test]
async fn renaming_a_decorated_function_updates_the_calls_that_name_it() {
    let (_dir, root) = fixture("editor_v2_durable");
    let mut client = TestClient::start(caps(), &[&root], None).await;
    client.wait_indexed().await;
    let script = file_uri(&root.join("function_app.py"));
    let text = std::fs::read_to_string(root.join("function_app.py")).unwrap();
    client.open(&script, "python", 1, &text).await;
    let doc = json!({"uri": script});
    // From the call that starts the orchestration.
    let position = after(&text, "start_new(\"Orch");
    let prepared = client
        .request(
            "textDocument/prepareRename",
            json!({"textDocument": doc, "position": position}),
        )
        .await
        .unwrap();
    assert_eq!(prepared["placeholder"], "Orchestrate");
    let edit = client
        .request(
            "textDocument/rename",
            json!({"textDocument": doc, "position": position, "newName": "RunOrder"}),
        )
        .await
        .unwrap();
    let changes = edit["documentChanges"].as_array().unwrap();
    let renamed = apply(&text, changes[0]["edits"].as_array().unwrap());
    assert!(
        renamed.contains("client.start_new(\"RunOrder\")"),
        "{renamed}"
    );
    assert!(renamed.contains("@app.function_name(name=\"RunOrder\")"));
    // The activity, from its declaration.
    let edit = client
        .request(
            "textDocument/rename",
            json!({"textDocument": doc, "position": after(&text, "name=\"Hel"), "newName": "Greet"}),
        )
        .await
        .unwrap();
    let changes = edit["documentChanges"].as_array().unwrap();
    let renamed = apply(&text, changes[0]["edits"].as_array().unwrap());
    assert!(
        renamed.contains("call_activity(\"Greet\", \"Tokyo\")"),
        "{renamed}"
    );
    assert!(
        renamed.contains("return \"Hello \" + city"),
        "other strings stay"
    );
    client.shutdown().await;
}

/// The `rename` answer's edits of the one document it changes, applied to `text`.
fn renamed(text: &str, edit: &Value) -> String {
    let changes = edit["documentChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{edit}");
    apply(text, changes[0]["edits"].as_array().unwrap())
}

#[tokio::test]
async fn renaming_a_function_named_by_its_def_renames_the_def_and_the_calls() {
    let (_dir, root) = fixture("editor_v2_def_names");
    let mut client = TestClient::start(caps(), &[&root], None).await;
    client.wait_indexed().await;
    let script = file_uri(&root.join("function_app.py"));
    let text = std::fs::read_to_string(root.join("function_app.py")).unwrap();
    client.open(&script, "python", 1, &text).await;
    let doc = json!({"uri": script});
    let rename = |position: Value, new_name: &str| json!({"textDocument": doc, "position": position, "newName": new_name});
    // From the def of the activity: the def and both calls that name it.
    let on_def = after(&text, "def hel");
    let prepared = client
        .request(
            "textDocument/prepareRename",
            json!({"textDocument": doc, "position": on_def}),
        )
        .await
        .unwrap();
    assert_eq!(prepared["placeholder"], "hello");
    let edit = client
        .request("textDocument/rename", rename(on_def.clone(), "greet"))
        .await
        .unwrap();
    let text_after = renamed(&text, &edit);
    for want in [
        "def greet(city: str) -> str:",
        "call_activity(\"greet\", \"Tokyo\")",
        "call_activity_with_retry(\"greet\", retry_options",
        "return \"Hello \" + city",
    ] {
        assert!(text_after.contains(want), "{want}: {text_after}");
    }
    // From the call that starts the orchestrator: its def follows.
    let edit = client
        .request(
            "textDocument/rename",
            rename(after(&text, "start_new(\"orch"), "run_order"),
        )
        .await
        .unwrap();
    let text_after = renamed(&text, &edit);
    assert!(
        text_after.contains("start_new(\"run_order\")"),
        "{text_after}"
    );
    assert!(text_after.contains("def run_order(context"), "{text_after}");
    // Names the host rejects, names that cannot be a def, names already used.
    for (bad, why) in [
        ("2nd", "not a valid function name"),
        ("greet-all", "not a Python name"),
        ("retry_options", "already a name in function_app.py"),
        ("Start", "already has a function named"),
    ] {
        let err = client
            .request("textDocument/rename", rename(on_def.clone(), bad))
            .await
            .unwrap_err();
        assert!(err.to_string().contains(why), "{bad}: {err}");
    }
    client.shutdown().await;
}

#[tokio::test]
async fn without_file_creation_no_action_creates_local_settings() {
    let (_dir, root) = fixture("editor_v2");
    let mut no_create = caps();
    no_create["workspace"]["workspaceEdit"]["resourceOperations"] = json!([]);
    let mut client = TestClient::start(no_create, &[&root], None).await;
    client.wait_indexed().await;
    let script = file_uri(&root.join("function_app.py"));
    let text = std::fs::read_to_string(root.join("function_app.py")).unwrap();
    client.open(&script, "python", 1, &text).await;
    let at_queue = after(&text, "queue_name=\"%Orders");
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": script},
                "range": {"start": at_queue, "end": at_queue},
                "context": {"diagnostics": []}
            }),
        )
        .await
        .unwrap();
    assert_eq!(actions, json!([]), "{actions:#}");
    client.shutdown().await;
}

#[tokio::test]
async fn fix_all_in_a_decorator_app_applies_every_automatic_fix_of_the_script() {
    let (_dir, root) = fixture("editor_v2_fix_all");
    let mut client = TestClient::start(caps(), &[&root], None).await;
    client.wait_indexed().await;
    let script = file_uri(&root.join("function_app.py"));
    let text = std::fs::read_to_string(root.join("function_app.py")).unwrap();
    client.open(&script, "python", 1, &text).await;
    let published = client
        .wait_diagnostics(&script, |d| codes(d).len() == 2)
        .await;
    let mut found = codes(published["params"]["diagnostics"].as_array().unwrap());
    found.sort();
    assert_eq!(found, ["AZF122", "AZF207"]);
    let origin = json!({"line": 0, "character": 0});
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": script},
                "range": {"start": origin, "end": origin},
                "context": {"diagnostics": [], "only": ["source.fixAll.azfunc"]}
            }),
        )
        .await
        .unwrap();
    let [action] = actions.as_array().unwrap().as_slice() else {
        panic!("{actions:#}")
    };
    assert_eq!(action["kind"], "source.fixAll.azfunc");
    assert_eq!(action["title"], "Fix 2 problems automatically (azfunc)");
    let changes = action["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{action:#}");
    assert_eq!(changes[0]["textDocument"]["uri"], json!(script));
    let fixed = apply(&text, changes[0]["edits"].as_array().unwrap());
    assert_eq!(
        fixed,
        text.replace("schedule=\"0 2 * * *\"", "schedule=\"0 0 2 * * *\"")
            .replace("req: Optional[func.HttpRequest]", "req: func.HttpRequest")
    );
    assert_ne!(fixed, text);
    client
        .change(&script, 2, json!([{"text": fixed.clone()}]))
        .await;
    client.wait_diagnostics(&script, |d| d.is_empty()).await;
    // Nothing is left for another fix-all.
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": script},
                "range": {"start": origin, "end": origin},
                "context": {"diagnostics": [], "only": ["source.fixAll.azfunc"]}
            }),
        )
        .await
        .unwrap();
    assert_eq!(actions, json!([]));
    client.shutdown().await;
}

/// `name — detail (kind) [range] @selection` for each symbol and its children, ranges as text.
fn symbol_lines(text: &str, symbols: &Value, depth: usize, out: &mut Vec<String>) {
    for s in symbols.as_array().unwrap() {
        let slice = |r: &Value| &text[offset(text, &r["start"])..offset(text, &r["end"])];
        let range = slice(&s["range"]);
        out.push(format!(
            "{}{} — {} ({}) [{}…] @{}",
            "  ".repeat(depth),
            s["name"].as_str().unwrap(),
            s["detail"].as_str().unwrap_or(""),
            s["kind"],
            range.lines().next().unwrap_or(""),
            slice(&s["selectionRange"]),
        ));
        if let Some(children) = s.get("children") {
            symbol_lines(text, children, depth + 1, out);
        }
    }
}

#[tokio::test]
async fn outline_of_the_decorated_functions_of_the_script_and_a_blueprint() {
    let mut hierarchical = caps();
    hierarchical["textDocument"]["documentSymbol"] =
        json!({"hierarchicalDocumentSymbolSupport": true});
    for (app, file, want) in [
        (
            "editor_v2",
            "function_app.py",
            vec![
                "orders — ANY /api/orders/{id} · 3 bindings (12) [@app.route(route=\"orders/{id}\", auth_level=\"anonymous\")…] @orders",
                "  req — httpTrigger · in (24) [app.route(route=\"orders/{id}\", auth_level=\"anonymous\")…] @route",
                "  $return — http · out (13) [app.route(route=\"orders/{id}\", auth_level=\"anonymous\")…] @route",
                "  outbox — queue · out · %OrdersQueue% (13) [app.queue_output(arg_name=\"outbox\", queue_name=\"%OrdersQueue%\", connection=\"AzureWebJobsStorage\")…] @\"outbox\"",
                "archive — blobTrigger in/{name} · 2 bindings (12) [@app.blob_trigger(arg_name=\"blob\", path=\"in/{name}\", connection=\"AzureWebJobsStorage\")…] @archive",
                "  blob — blobTrigger · in · in/{name} (24) [app.blob_trigger(arg_name=\"blob\", path=\"in/{name}\", connection=\"AzureWebJobsStorage\")…] @\"blob\"",
                "  copy — blob · out · out/x (13) [app.blob_output(arg_name=\"copy\", path=\"out/x\", connection=\"AzureWebJobsStorage\")…] @\"copy\"",
            ],
        ),
        (
            "v2-blueprint",
            "blueprints/orders.py",
            vec![
                "list_orders — ANY /api/orders · 2 bindings (12) [@bp.route(route=\"orders\", auth_level=\"anonymous\")…] @list_orders",
                "  req — httpTrigger · in (24) [bp.route(route=\"orders\", auth_level=\"anonymous\")…] @route",
                "  $return — http · out (13) [bp.route(route=\"orders\", auth_level=\"anonymous\")…] @route",
            ],
        ),
    ] {
        let (_dir, root) = fixture(app);
        let mut client = TestClient::start(hierarchical.clone(), &[&root], None).await;
        client.wait_indexed().await;
        let uri = file_uri(&root.join(file));
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        client.open(&uri, "python", 1, &text).await;
        let symbols = client
            .request(
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": uri}}),
            )
            .await
            .unwrap();
        let mut lines = Vec::new();
        symbol_lines(&text, &symbols, 0, &mut lines);
        assert_eq!(lines, want, "{symbols:#}");
        client.shutdown().await;
    }
}
