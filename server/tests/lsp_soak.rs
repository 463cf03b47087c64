//! Soak: a seeded random LSP session against the built binary over stdio. Buffers of a fixture
//! app (scripts, function.json, local.settings.json; in the second test a decorator app's
//! modules) are edited at random while batches of
//! requests are in flight; every request must be answered, and at the end the diagnostics the
//! server holds must equal `azfunc-lsp check --format json` on the same final files.
//!
//! `AZFUNC_LSP_SOAK_MESSAGES` sets the number of messages (default 3,000, a few seconds in a debug
//! build), `AZFUNC_LSP_SOAK_SEED` the seed (default 1). CI runs 10,000 in a release build; the
//! long run:
//! `AZFUNC_LSP_SOAK_MESSAGES=100000 cargo test --release -p azfunc-lsp --test lsp_soak -- --nocapture`

mod lsp_support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use lsp_support::*;
use serde_json::{json, Value};

/// SplitMix64: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const FILES: &[&str] = &[
    "HttpOk/__init__.py",
    "HttpOk/function.json",
    "Mismatch/__init__.py",
    "Mismatch/function.json",
    "local.settings.json",
];

/// The decorator app's buffers: the script, two blueprints, the module one of them imports.
const DECORATOR_FILES: &[&str] = &[
    "function_app.py",
    "blueprints/jobs.py",
    "blueprints/orders.py",
    "shared/util.py",
    "local.settings.json",
];

const PYTHON_PIECES: &[&str] = &[
    "x",
    " ",
    "\n",
    "req",
    "msg",
    "message",
    "(",
    ")",
    ":",
    "😀",
    "注",
    "import os\n",
    "os.environ[\"ORDERS_QUEUE\"]",
    "os.getenv(\"MISSING\")",
    "def main(req):\n    return req\n",
    "    ",
    "\"",
    "func.HttpRequest",
];

/// Besides [`PYTHON_PIECES`], what a decorator module is made of.
const DECORATOR_PIECES: &[&str] = &[
    "@bp.route(route=\"extra\")\ndef extra(req):\n    pass\n",
    "@bp.queue_trigger(arg_name=\"m\", queue_name=\"q\", connection=\"Missing\")\n",
    "import json\n",
    "from shared import util\n",
    "bp",
    "app",
    "arg_name=\"req\"",
    "route=\"orders\"",
    "raise RuntimeError()\n",
    "\n\n",
    "# c\n",
];

const JSON_PIECES: &[&str] = &[
    "x",
    " ",
    "\n",
    ",",
    "\"",
    "{",
    "}",
    "[",
    "]",
    ":",
    "😀",
    "\"name\": \"req\"",
    "\"name\": \"msg\"",
    "\"type\": \"queueTrigger\"",
    "\"direction\": \"in\"",
    "\"queueName\": \"%ORDERS_QUEUE%\"",
    "\"NEW_KEY\": \"v\"",
    "{\"type\": \"http\", \"direction\": \"out\", \"name\": \"$return\"}",
];

const REQUESTS: &[&str] = &[
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/documentSymbol",
    "textDocument/codeAction",
    "textDocument/inlayHint",
    "textDocument/codeLens",
    "textDocument/documentLink",
    "textDocument/diagnostic",
    "textDocument/prepareRename",
];

/// The LSP position (UTF-8 columns) of a byte offset.
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": column})
}

/// A random char boundary of `text`.
fn boundary(rng: &mut Rng, text: &str) -> usize {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// (code, start line, start column, end line, end column), 1-based, columns in characters.
type Key = (String, usize, usize, usize, usize);

/// A server diagnostic (UTF-8 columns) in the `check` report's terms.
fn key_of_lsp(diag: &Value, text: &str) -> Key {
    let lines: Vec<&str> = text.split('\n').collect();
    let point = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let byte = p["character"].as_u64().unwrap() as usize;
        let content = lines.get(line).copied().unwrap_or("");
        let chars = content[..byte.min(content.len())].chars().count();
        (line + 1, chars + 1)
    };
    let (sl, sc) = point(&diag["range"]["start"]);
    let (el, ec) = point(&diag["range"]["end"]);
    (
        diag["code"].as_str().unwrap_or("").to_string(),
        sl,
        sc,
        el,
        ec,
    )
}

fn key_of_check(diag: &Value) -> Key {
    let n = |v: &Value| v.as_u64().unwrap() as usize;
    let r = &diag["range"];
    (
        diag["code"].as_str().unwrap().to_string(),
        n(&r["start"]["line"]),
        n(&r["start"]["column"]),
        n(&r["end"]["line"]),
        n(&r["end"]["column"]),
    )
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_session_is_answered_and_agrees_with_check() {
    soak("basic", FILES, PYTHON_PIECES).await;
}

/// The same in a decorator app of two blueprints and a module one imports (an edit of a module
/// that keeps its imports re-checks only the functions that read it: the state's own tests hold
/// that to a fresh check after each edit; here the session runs through the server).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_decorator_session_is_answered_and_agrees_with_check() {
    let pieces: Vec<&str> = PYTHON_PIECES
        .iter()
        .chain(DECORATOR_PIECES)
        .copied()
        .collect();
    soak("soak_v2", DECORATOR_FILES, &pieces).await;
}

/// A seeded session on the fixture app `name`, editing `files` (Python ones with
/// `python_pieces`), answered throughout and ending where `check` does.
async fn soak(name: &str, files: &[&'static str], python_pieces: &[&str]) {
    let messages = env_number("AZFUNC_LSP_SOAK_MESSAGES", 3_000) as usize;
    let seed = env_number("AZFUNC_LSP_SOAK_SEED", 1);
    let mut rng = Rng(seed);
    let (_dir, root) = fixture(name);
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"));
    command
        .env("AZFUNC_LSP_LOG", "error")
        .stderr(Stdio::inherit());
    let (mut child, client) = TestClient::spawn(command);
    let mut client = TestClient::initialize(client, pull_caps(), &[&root], None).await;
    client.disable_log();
    assert_eq!(client.init["capabilities"]["positionEncoding"], "utf-8");
    client.wait_indexed().await;

    let started = Instant::now();
    let mut texts: BTreeMap<&str, (String, i32)> = BTreeMap::new();
    for rel in files {
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        let language = if rel.ends_with(".py") {
            "python"
        } else {
            "json"
        };
        client
            .open(&file_uri(&root.join(rel)), language, 1, &text)
            .await;
        texts.insert(rel, (text, 1));
    }
    let mut in_flight = Vec::new();
    let mut batch = 1 + rng.below(16);
    let (mut edits, mut requests) = (0usize, 0usize);
    for _ in 0..messages {
        let rel = *rng.pick(files);
        let uri = file_uri(&root.join(rel));
        let (text, version) = texts.get_mut(rel).unwrap();
        if rng.below(100) < 55 {
            // An edit: insert a piece, delete a little, or both; bigger deletions when long.
            let pieces = if rel.ends_with(".py") {
                python_pieces
            } else {
                JSON_PIECES
            };
            let start = boundary(&mut rng, text);
            let max_delete = if text.len() > 1200 { 100 } else { 6 };
            let mut end = (start + rng.below(max_delete + 1)).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let insert = if rng.below(4) == 0 {
                ""
            } else {
                *rng.pick(pieces)
            };
            let range = json!({"start": position(text, start), "end": position(text, end)});
            text.replace_range(start..end, insert);
            *version += 1;
            client
                .change(&uri, *version, json!([{"range": range, "text": insert}]))
                .await;
            edits += 1;
        } else {
            let method = *rng.pick(REQUESTS);
            let at = position(text, boundary(&mut rng, text));
            let mut params = json!({
                "textDocument": {"uri": uri},
                "position": at,
                "range": {"start": at, "end": at},
            });
            params["context"] = match method {
                "textDocument/completion" => json!({"triggerKind": 1}),
                "textDocument/references" => json!({"includeDeclaration": true}),
                _ => json!({"diagnostics": []}),
            };
            in_flight.push((method, client.start_request(method, params).await.1));
            requests += 1;
        }
        if in_flight.len() >= batch {
            for (method, rx) in in_flight.drain(..) {
                let answer = tokio::time::timeout(*TIMEOUT, rx)
                    .await
                    .unwrap_or_else(|_| panic!("no answer to {method}"))
                    .expect("connection closed");
                assert!(
                    answer.get("result").is_some() || answer.get("error").is_some(),
                    "{answer}"
                );
                if let Some(error) = answer.get("error") {
                    // Only cancellations of stale results are expected, never failures.
                    assert_eq!(error["code"], -32800, "{method}: {error}");
                }
            }
            client.take_notifications();
            batch = 1 + rng.below(16);
        }
    }
    for (method, rx) in in_flight.drain(..) {
        tokio::time::timeout(*TIMEOUT, rx)
            .await
            .unwrap_or_else(|_| panic!("no answer to {method}"))
            .expect("connection closed");
    }

    // The server's diagnostics for the final buffers…
    let mut server: BTreeMap<String, Vec<Key>> = BTreeMap::new();
    let report = client
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .await
        .unwrap();
    for item in report["items"].as_array().unwrap() {
        let uri = item["uri"].as_str().unwrap();
        let rel = uri
            .strip_prefix(&format!("{}/", file_uri(&root)))
            .unwrap()
            .to_string();
        let text = match texts.get(rel.as_str()) {
            Some((text, _)) => text.clone(),
            None => std::fs::read_to_string(root.join(&rel)).unwrap_or_default(),
        };
        let mut keys: Vec<Key> = item["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| key_of_lsp(d, &text))
            .collect();
        keys.sort();
        if !keys.is_empty() {
            server.insert(rel, keys);
        }
    }
    let elapsed = started.elapsed();
    client.request("shutdown", Value::Null).await.unwrap();
    client.notify("exit", Value::Null).await;
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0));

    // …equal `check` on the same files written to disk.
    for (rel, (text, _)) in &texts {
        std::fs::write(root.join(rel), text).unwrap();
    }
    let checked = check_json(&root);
    eprintln!(
        "soak {name}: seed {seed}, {messages} messages ({edits} edits, {requests} requests) in {:.1} s; \
         {} files with diagnostics",
        elapsed.as_secs_f64(),
        checked.len()
    );
    assert_eq!(
        server, checked,
        "{name}, seed {seed}: the server and check disagree"
    );
}

fn check_json(root: &Path) -> BTreeMap<String, Vec<Key>> {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"))
        .args(["check", "--format", "json", "."])
        .current_dir(root)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut out: BTreeMap<String, Vec<Key>> = BTreeMap::new();
    for diag in report["diagnostics"].as_array().unwrap() {
        out.entry(diag["file"].as_str().unwrap().to_string())
            .or_default()
            .push(key_of_check(diag));
    }
    for keys in out.values_mut() {
        keys.sort();
    }
    out
}
