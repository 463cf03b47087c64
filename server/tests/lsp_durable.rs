//! Durable Functions in the editor, over the wire, in both programming models: completion of
//! function names inside durable calls, hover on a called name, the code lens listing what an
//! orchestrator calls, definition and references between calls and functions, and the client
//! rules' diagnostics with their fixes.

mod lsp_support;

use lsp_support::*;
use serde_json::{json, Value};

/// The position just after the first `needle` in `text` (ASCII text: bytes are UTF-16 units).
fn after(text: &str, needle: &str) -> Value {
    let at = text.find(needle).unwrap_or_else(|| panic!("no {needle:?}")) + needle.len();
    let line = text[..at].matches('\n').count();
    let character = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": character})
}

fn items(completion: &Value) -> Vec<Value> {
    completion
        .get("items")
        .unwrap_or(completion)
        .as_array()
        .unwrap()
        .clone()
}

fn labels(completion: &Value) -> Vec<String> {
    items(completion)
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

/// The Markdown of an item's documentation.
fn documentation(item: &Value) -> String {
    item["documentation"]["value"]
        .as_str()
        .or(item["documentation"].as_str())
        .unwrap_or("")
        .to_string()
}

fn lens_titles(lenses: &Value) -> Vec<String> {
    lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn decorator_app_completion_hover_lens_and_client_rule() {
    let (_dir, root) = fixture("durable_v2");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let script = file_uri(&root.join("function_app.py"));
    let text = std::fs::read_to_string(root.join("function_app.py")).unwrap();
    client.open(&script, "python", 1, &text).await;
    let doc = json!({"uri": script});

    // Activities inside call_activity("…"), with the target's signature and docstring.
    let completion = client
        .request(
            "textDocument/completion",
            json!({"textDocument": doc, "position": after(&text, "call_activity(\"say_")}),
        )
        .await
        .unwrap();
    assert_eq!(labels(&completion), vec!["say_goodbye", "say_hello"]);
    let hello = items(&completion)
        .into_iter()
        .find(|i| i["label"] == "say_hello")
        .unwrap();
    let md = documentation(&hello);
    assert!(md.contains("def say_hello(city: str) -> str"), "{md}");
    assert!(md.contains("Greets one city."), "{md}");
    // Orchestrators inside start_new("…") and call_sub_orchestrator("…").
    for call in ["start_new(\"", "call_sub_orchestrator(\""] {
        let completion = client
            .request(
                "textDocument/completion",
                json!({"textDocument": doc, "position": after(&text, call)}),
            )
            .await
            .unwrap();
        assert_eq!(
            labels(&completion),
            vec!["orchestrator", "sub_flow"],
            "{call}"
        );
    }

    // Hover on the called name: trigger, bindings, docstring.
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": doc, "position": after(&text, "call_activity(\"say")}),
        )
        .await
        .unwrap();
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("**say_hello** — activity function"), "{md}");
    assert!(md.contains("Trigger: `activityTrigger`"), "{md}");
    assert!(md.contains("Greets one city."), "{md}");

    // The lens above the orchestrator lists what it calls.
    let lenses = client
        .request("textDocument/codeLens", json!({"textDocument": doc}))
        .await
        .unwrap();
    let titles = lens_titles(&lenses);
    assert!(
        titles.contains(&"calls: say_hello, sub_flow (sub-orchestrator)".to_string()),
        "{titles:?}"
    );

    // start_new without await is reported with its fix.
    let published = client
        .wait_diagnostics(&script, |d| d.iter().any(|x| x["code"] == "AZF806"))
        .await;
    let d = published["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "AZF806")
        .unwrap()
        .clone();
    assert_eq!(d["severity"], 2);
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": doc, "range": d["range"], "context": {"diagnostics": [d]}}),
        )
        .await
        .unwrap();
    assert!(
        actions.to_string().contains("Await 'client.start_new'"),
        "{actions}"
    );
    client.shutdown().await;
}

#[tokio::test]
async fn function_json_app_completion_hover_lens_and_client_rule() {
    let (_dir, root) = fixture("durable_v1");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let orch = file_uri(&root.join("Orchestrator/__init__.py"));
    let text = std::fs::read_to_string(root.join("Orchestrator/__init__.py")).unwrap();
    client.open(&orch, "python", 1, &text).await;
    let doc = json!({"uri": orch});

    let completion = client
        .request(
            "textDocument/completion",
            json!({"textDocument": doc, "position": after(&text, "call_activity(\"")}),
        )
        .await
        .unwrap();
    assert_eq!(labels(&completion), vec!["SayHello"]);
    let md = documentation(&items(&completion)[0]);
    assert!(md.contains("def main(city: str) -> str"), "{md}");
    assert!(md.contains("Declared in `SayHello/function.json`"), "{md}");
    let completion = client
        .request(
            "textDocument/completion",
            json!({"textDocument": doc, "position": after(&text, "call_sub_orchestrator(\"")}),
        )
        .await
        .unwrap();
    assert_eq!(labels(&completion), vec!["Orchestrator", "SubFlow"]);

    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": doc, "position": after(&text, "call_sub_orchestrator(\"Sub")}),
        )
        .await
        .unwrap();
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(
        md.starts_with("**SubFlow** — orchestrator function"),
        "{md}"
    );
    assert!(md.contains("Trigger: `orchestrationTrigger`"), "{md}");

    // The lens sits on the generator behind df.Orchestrator.create.
    let lenses = client
        .request("textDocument/codeLens", json!({"textDocument": doc}))
        .await
        .unwrap();
    let lens = lenses
        .as_array()
        .unwrap()
        .iter()
        .find(|l| {
            l["command"]["title"]
                .as_str()
                .unwrap()
                .starts_with("calls:")
        })
        .unwrap_or_else(|| panic!("{lenses}"));
    assert_eq!(
        lens["command"]["title"],
        "calls: SayHello, SubFlow (sub-orchestrator)"
    );
    assert_eq!(lens["range"]["start"]["line"], 3);

    // The client function uses the binding's string as a client.
    let start = file_uri(&root.join("Start/__init__.py"));
    let start_text = std::fs::read_to_string(root.join("Start/__init__.py")).unwrap();
    client.open(&start, "python", 1, &start_text).await;
    let published = client
        .wait_diagnostics(&start, |d| d.iter().any(|x| x["code"] == "AZF805"))
        .await;
    let d = published["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "AZF805")
        .unwrap()
        .clone();
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": start}, "range": d["range"], "context": {"diagnostics": [d]}}),
        )
        .await
        .unwrap();
    assert!(
        actions
            .to_string()
            .contains("Wrap 'starter' in df.DurableOrchestrationClient"),
        "{actions}"
    );
    client.shutdown().await;
}

/// The locations of a `definition` or `references` answer as (file name relative to `root`, line).
fn places(answer: &Value, root: &std::path::Path) -> Vec<(String, u64)> {
    let list = match answer {
        Value::Array(list) => list.clone(),
        Value::Object(_) => vec![answer.clone()],
        _ => vec![],
    };
    let root_uri = file_uri(root);
    let mut places: Vec<(String, u64)> = list
        .iter()
        .map(|l| {
            let uri = l["uri"].as_str().or(l["targetUri"].as_str()).unwrap();
            let range = if l["range"].is_object() {
                &l["range"]
            } else {
                &l["targetSelectionRange"]
            };
            let file = uri
                .trim_start_matches(root_uri.as_str())
                .trim_start_matches('/');
            (file.to_string(), range["start"]["line"].as_u64().unwrap())
        })
        .collect();
    places.sort();
    places
}

#[tokio::test]
async fn definition_and_references_between_calls_and_functions_in_both_models() {
    // Decorator app: from the called name to the def, and from the def back to every call.
    let (_dir, root) = fixture("durable_v2");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let script = file_uri(&root.join("function_app.py"));
    let text = std::fs::read_to_string(root.join("function_app.py")).unwrap();
    client.open(&script, "python", 1, &text).await;
    let doc = json!({"uri": script});
    let line_of = |needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() as u64;

    let definition = client
        .request(
            "textDocument/definition",
            json!({"textDocument": doc, "position": after(&text, "call_activity(\"say")}),
        )
        .await
        .unwrap();
    let found = places(&definition, &root);
    assert!(!found.is_empty(), "{definition}");
    assert!(
        found.iter().all(|(file, _)| file == "function_app.py"),
        "{found:?}"
    );
    let def_line = line_of("def say_hello");
    assert!(
        found
            .iter()
            .any(|(_, line)| *line == def_line || *line + 1 == def_line),
        "{found:?} vs def at {def_line}"
    );

    let references = client
        .request(
            "textDocument/references",
            json!({"textDocument": doc, "position": after(&text, "def say_h"),
                   "context": {"includeDeclaration": false}}),
        )
        .await
        .unwrap();
    let found = places(&references, &root);
    assert!(
        found.contains(&(
            "function_app.py".to_string(),
            line_of("call_activity(\"say_hello\"")
        )),
        "{found:?}"
    );
    client.shutdown().await;

    // function.json app: from the called name to the folder that declares the function.
    let (_dir, root) = fixture("durable_v1");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    client.wait_indexed().await;
    let orch = file_uri(&root.join("Orchestrator/__init__.py"));
    let text = std::fs::read_to_string(root.join("Orchestrator/__init__.py")).unwrap();
    client.open(&orch, "python", 1, &text).await;
    let definition = client
        .request(
            "textDocument/definition",
            json!({"textDocument": {"uri": orch}, "position": after(&text, "call_activity(\"Say")}),
        )
        .await
        .unwrap();
    let found = places(&definition, &root);
    assert!(!found.is_empty(), "{definition}");
    assert!(
        found.iter().all(|(file, _)| file.starts_with("SayHello/")),
        "{found:?}"
    );
    client.shutdown().await;
}
