//! Language server benchmark in a generated 10,000-function workspace (PRODUCT.md §5):
//! indexing time, keystroke → diagnostics latency (push and pull), completion latency and
//! resident memory. Run with `cargo bench --bench lsp_latency` (optionally `-- N` functions).
//!
//! The server runs in-process over an in-memory pipe, driven by the same raw JSON-RPC client as
//! the integration tests.

#[path = "support/lsp_app.rs"]
mod lsp_app;
#[path = "../tests/lsp_support/mod.rs"]
mod lsp_support;

use std::path::Path;
use std::time::Instant;

use lsp_app::{generate, summary, SETTINGS};
use lsp_support::*;
use serde_json::{json, Value};

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// One keystroke-like edit in `__init__.py` of the opened function: typing in the log message,
/// and every 10th edit toggling the parameter name (which changes the diagnostics of both the
/// script and its function.json).
fn edit(i: usize, typed: &mut usize, broken: &mut bool) -> Value {
    if i % 10 == 9 {
        let (from, to) = if *broken {
            ("reqx", "req")
        } else {
            ("req", "reqx")
        };
        *broken = !*broken;
        json!([{"range": {"start": {"line": 5, "character": 9}, "end": {"line": 5, "character": 9 + from.len()}}, "text": to}])
    } else {
        let col = 18 + *typed;
        *typed += 1;
        json!([{"range": {"start": {"line": 6, "character": col}, "end": {"line": 6, "character": col}}, "text": "x"}])
    }
}

async fn bench(root: &Path, n: usize, pull: bool) {
    let mode = if pull { "pull" } else { "push" };
    let caps = if pull { pull_caps() } else { push_caps() };
    let start = Instant::now();
    let mut client = TestClient::start(caps, &[root], None).await;
    client.disable_log();
    client
        .wait_notification(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        .await;
    let indexed = start.elapsed();
    let status = client.request("azfunc/status", Value::Null).await.unwrap();
    assert_eq!(status["functions"], n);
    let published = client
        .take_notifications()
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .count();
    println!(
        "[{mode}] indexing {n} functions (initialize -> all diagnostics available): {:.1} ms; {published} files published; RSS {:.1} MB",
        indexed.as_secs_f64() * 1e3,
        rss_mb()
    );

    // Keystrokes in F00002/__init__.py (an HTTP function).
    let path = root.join("F00002/__init__.py");
    let uri = file_uri(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    client.open(&uri, "python", 1, &text).await;
    if !pull {
        client
            .wait_notification(|m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
            })
            .await;
    }
    let (mut typed, mut broken) = (0, false);
    let mut keystrokes = Vec::new();
    for i in 0..300 {
        let version = i as i32 + 2;
        let changes = edit(i, &mut typed, &mut broken);
        let t = Instant::now();
        client.change(&uri, version, changes).await;
        if pull {
            client
                .request(
                    "textDocument/diagnostic",
                    json!({"textDocument": {"uri": uri}}),
                )
                .await
                .unwrap();
        } else {
            client
                .wait_notification(|m| {
                    m["method"] == "textDocument/publishDiagnostics"
                        && m["params"]["uri"] == uri
                        && m["params"]["version"] == version
                })
                .await;
        }
        keystrokes.push(t.elapsed());
        client.take_notifications();
    }
    let (_, server_version) = client.server_text(&uri).await.unwrap();
    assert_eq!(server_version, 301);
    summary(
        &format!("[{mode}] didChange -> diagnostics"),
        &mut keystrokes,
    );

    // Keystrokes in local.settings.json, which every function reads: typing in a value. The
    // request after each change is answered once the change is applied and re-checked.
    let settings_uri = file_uri(&root.join("local.settings.json"));
    client.open(&settings_uri, "json", 1, SETTINGS).await;
    let column = SETTINGS.rfind("\"\"}}").unwrap() + 1;
    let mut settings_samples = Vec::new();
    for i in 0..30 {
        let col = column + i;
        let t = Instant::now();
        client
            .change(
                &settings_uri,
                i as i32 + 2,
                json!([{"range": {"start": {"line": 0, "character": col}, "end": {"line": 0, "character": col}}, "text": "x"}]),
            )
            .await;
        client.request("azfunc/status", Value::Null).await.unwrap();
        settings_samples.push(t.elapsed());
        client.take_notifications();
    }
    summary(
        &format!("[{mode}] local.settings.json keystroke"),
        &mut settings_samples,
    );

    // Completion: a binding's `type` value in function.json, and an os.environ key in Python.
    let fj = file_uri(&root.join("F00002/function.json"));
    let fj_text = std::fs::read_to_string(root.join("F00002/function.json")).unwrap();
    client.open(&fj, "json", 1, &fj_text).await;
    let mut json_samples = Vec::new();
    let mut py_samples = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let r = client
            .request(
                "textDocument/completion",
                json!({"textDocument": {"uri": fj}, "position": {"line": 3, "character": 45}}),
            )
            .await
            .unwrap();
        json_samples.push(t.elapsed());
        assert!(!r["items"].as_array().unwrap().is_empty());
        let t = Instant::now();
        client
            .request(
                "textDocument/completion",
                json!({"textDocument": {"uri": uri}, "position": {"line": 6, "character": 4}}),
            )
            .await
            .unwrap();
        py_samples.push(t.elapsed());
    }
    summary(
        &format!("[{mode}] completion in function.json"),
        &mut json_samples,
    );
    summary(
        &format!("[{mode}] completion in __init__.py"),
        &mut py_samples,
    );
    println!("[{mode}] RSS after edits: {:.1} MB", rss_mb());
    client.shutdown().await;
}

/// Keystrokes in a 2 MB Python module of a small app (one function whose script defines many
/// helpers): the cost of re-parsing the edited module.
async fn large_module(root: &Path) {
    std::fs::create_dir_all(root.join("Big")).unwrap();
    std::fs::write(root.join("host.json"), r#"{"version": "2.0"}"#).unwrap();
    std::fs::write(
        root.join("Big/function.json"),
        r#"{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}]}"#,
    )
    .unwrap();
    let mut text = String::from("import azure.functions as func\n\n\ndef main(req: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"ok\")\n");
    let mut i = 0;
    while text.len() < 2_000_000 {
        text.push_str(&format!("\n\ndef helper_{i}(value: int, scale: int = 2) -> int:\n    total = value * scale\n    return total + {i}\n"));
        i += 1;
    }
    let path = root.join("Big/__init__.py");
    std::fs::write(&path, &text).unwrap();
    let mut client = TestClient::start(pull_caps(), &[root], None).await;
    client.disable_log();
    client.wait_indexed().await;
    let uri = file_uri(&path);
    client.open(&uri, "python", 1, &text).await;
    let doc = json!({"textDocument": {"uri": uri}});
    client
        .request("textDocument/diagnostic", doc.clone())
        .await
        .unwrap();
    // Typing in the return expression of `main` (line 4), then in a helper in the middle.
    let middle = text[..text.len() / 2].matches('\n').count() + 1;
    let mut samples = Vec::new();
    for k in 0..40usize {
        let (line, col) = if k < 20 {
            (4, 32 + k)
        } else {
            (middle, k - 20)
        };
        let t = Instant::now();
        client
            .change(
                &uri,
                k as i32 + 2,
                json!([{"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": "x"}]),
            )
            .await;
        client
            .request("textDocument/diagnostic", doc.clone())
            .await
            .unwrap();
        samples.push(t.elapsed());
    }
    summary(
        &format!(
            "[pull] keystroke in a {:.1} MB module",
            text.len() as f64 / 1e6
        ),
        &mut samples,
    );
    println!("[pull] RSS with the module open: {:.1} MB", rss_mb());
    client.shutdown().await;
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    let t = Instant::now();
    generate(&root, n);
    println!(
        "generated {n} functions in {:.0} ms under {}",
        t.elapsed().as_secs_f64() * 1e3,
        root.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!("RSS before the server: {:.1} MB", rss_mb());
    runtime.block_on(bench(&root, n, false));
    runtime.block_on(bench(&root, n, true));
    runtime.block_on(large_module(&dir.path().join("large")));
}
