//! Soak: a seeded random LSP session against the built binary over stdio. Buffers of a fixture
//! app (scripts, function.json, local.settings.json; in the second test a decorator app's
//! modules) are edited at random while batches of
//! requests are in flight; every request must be answered, and at checkpoints along the way and
//! at the end the diagnostics the server holds must equal `azfunc-lsp check --format json` on the
//! same files. Python buffers get pieces inserted anywhere; a decorator app's modules mostly get
//! whole statements and body lines added or taken away and parameters added to a `def` or
//! taken from it (edits that keep a module parsing, the path where an edit re-checks only the
//! functions that read the module); every buffer now and then gets its first text back.
//!
//! `AZFUNC_LSP_SOAK_MESSAGES` sets the number of messages (default 3,000, a few seconds in a debug
//! build), `AZFUNC_LSP_SOAK_SEED` the seed (default 1), `AZFUNC_LSP_SOAK_CHECK_EVERY` how many
//! messages apart the comparisons with `check` are (default 100: a wrong state is mostly mended
//! by a later edit, so one comparison at the end misses most). CI runs 10,000 in a release
//! build; the long run:
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

/// The decorator app's buffers: the script, two blueprints, the module one of them imports, and
/// one no module imports until an edit does.
const DECORATOR_FILES: &[&str] = &[
    "function_app.py",
    "blueprints/jobs.py",
    "blueprints/orders.py",
    "shared/util.py",
    "shared/extra.py",
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

/// Whole statements of a module, each inserted where a module-level statement starts: a module
/// mostly keeps parsing (and its imports), which a piece inserted anywhere rarely leaves it
/// doing.
const DECORATOR_LINES: &[&str] = &[
    "\n",
    "# note\n",
    "import json\n",
    "from shared import util\n",
    "from shared import extra\n",
    "import shared.extra\n",
    "from blueprints import jobs\n",
    "import azurefunctions.extensions.http.fastapi\n",
    "x = 1\n",
    "PREFIX = \"p\"\n",
    "bp = func.Blueprint()\n",
    "import os\nos.environ[\"ORDER_PREFIX\"]\n",
    "@bp.route(route=\"extra\")\ndef extra(req: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"x\")\n",
    "@bp.route(route=\"stream\")\ndef stream(req: func.HttpRequest) -> None:\n    pass\n",
    "@bp.route(route=\"orders\", methods=[\"POST\"])\ndef again(req: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"x\")\n",
    "@bp.queue_trigger(arg_name=\"m\", queue_name=\"q\", connection=\"Missing\")\ndef queued(m: func.QueueMessage) -> None:\n    pass\n",
    "@bp.timer_trigger(schedule=\"0 * * * * *\", arg_name=\"t\")\ndef timed(t: func.TimerRequest, extra) -> None:\n    pass\n",
    "@app.route(route=\"more\")\ndef more(req):\n    pass\n",
    "def label(value: str) -> str:\n    return value\n",
    "raise RuntimeError()\n",
];

/// Lines of a function's body, each inserted before a line of a body: what the rules read of a
/// function's body changes while the function (its decorators and signature) stays the same.
const DECORATOR_BODY_LINES: &[&str] = &[
    "    os.environ[\"BODY_SETTING\"]\n",
    "    os.getenv(\"ORDER_PREFIX\")\n",
    "    out.set(\"more\")\n",
    "    return None\n",
    "    return func.HttpResponse(\"x\")\n",
    "    x = 1\n",
    "    pass\n",
];

/// How a session edits its Python buffers: `pieces` anywhere; in `line_share` of a hundred
/// edits, a third each: whole `lines` at module level, `body_lines` in a function's body, a
/// parameter added to or taken from a `def` (with no `body_lines`, all at module level).
struct PythonEdits<'a> {
    pieces: &'a [&'a str],
    lines: &'a [&'a str],
    body_lines: &'a [&'a str],
    line_share: usize,
}

/// In how many of a thousand edits a buffer gets its first text back.
const RESTORE_PER_MILLE: usize = 30;

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
    let edits = PythonEdits {
        pieces: PYTHON_PIECES,
        lines: &[],
        body_lines: &[],
        line_share: 0,
    };
    soak("basic", FILES, &edits, pull_caps()).await;
}

/// The same in a decorator app of two blueprints and a module one imports, most edits whole
/// lines: an edit of a module that keeps its imports re-checks only the functions that read it,
/// and each checkpoint holds that to a fresh `check`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_decorator_session_is_answered_and_agrees_with_check() {
    let pieces: Vec<&str> = PYTHON_PIECES
        .iter()
        .chain(DECORATOR_PIECES)
        .copied()
        .collect();
    let edits = PythonEdits {
        pieces: &pieces,
        lines: DECORATOR_LINES,
        body_lines: DECORATOR_BODY_LINES,
        line_share: 97,
    };
    // A push client: the server brings every function up to date after each edit, so the next
    // edit meets a state that knows what each function read (a pull client's state mostly
    // waits for the next pull with nothing checked).
    let mut caps = push_caps();
    caps["general"]["positionEncodings"] = json!(["utf-8", "utf-16"]);
    soak("soak_v2", DECORATOR_FILES, &edits, caps).await;
}

/// A seeded session on the fixture app `name`, editing `files` (Python ones by `python`),
/// answered throughout and agreeing with `check` at each checkpoint and at the end.
async fn soak(name: &str, files: &[&'static str], python: &PythonEdits<'_>, caps: Value) {
    let messages = env_number("AZFUNC_LSP_SOAK_MESSAGES", 3_000) as usize;
    let seed = env_number("AZFUNC_LSP_SOAK_SEED", 1);
    let checkpoint_every = env_number("AZFUNC_LSP_SOAK_CHECK_EVERY", 100) as usize;
    let mut rng = Rng(seed);
    let push = caps["textDocument"].get("diagnostic").is_none();
    let (_dir, root) = fixture(name);
    // Where `check` reads the buffers at a checkpoint (the server's own folder stays as it was).
    let (_scratch_dir, scratch) = fixture(name);
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"));
    command
        .env("AZFUNC_LSP_LOG", "error")
        .stderr(Stdio::inherit());
    let (mut child, client) = TestClient::spawn(command);
    let mut client = TestClient::initialize(client, caps, &[&root], None).await;
    client.disable_log();
    assert_eq!(client.init["capabilities"]["positionEncoding"], "utf-8");
    client.wait_indexed().await;

    let started = Instant::now();
    let mut texts: BTreeMap<&str, (String, i32)> = BTreeMap::new();
    let mut first_texts: BTreeMap<&str, String> = BTreeMap::new();
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
        first_texts.insert(rel, text.clone());
        texts.insert(rel, (text, 1));
    }
    let mut in_flight = Vec::new();
    let mut held = Held::new();
    let mut batch = 1 + rng.below(16);
    let (mut edits, mut requests, mut compared) = (0usize, 0usize, 0usize);
    for message in 1..=messages {
        let rel = *rng.pick(files);
        let uri = file_uri(&root.join(rel));
        let (text, version) = texts.get_mut(rel).unwrap();
        if rng.below(100) < 55 {
            let (range, insert) = if rng.below(1000) < RESTORE_PER_MILLE {
                // The buffer's first text back (a module that parses again, after many edits
                // left it broken).
                let whole = json!({"start": position(text, 0), "end": position(text, text.len())});
                let first = first_texts[rel].clone();
                *text = first.clone();
                (whole, first)
            } else if rel.ends_with(".py") && rng.below(100) < python.line_share {
                match rng.below(3) {
                    _ if python.body_lines.is_empty() => line_edit(&mut rng, text, python.lines),
                    0 => line_edit(&mut rng, text, python.lines),
                    1 => body_line_edit(&mut rng, text, python.body_lines),
                    _ => signature_edit(&mut rng, text),
                }
            } else {
                // Insert a piece, delete a little, or both; bigger deletions when long.
                let pieces = if rel.ends_with(".py") {
                    python.pieces
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
                replace(text, start, end, insert)
            };
            *version += 1;
            client
                .change(&uri, *version, json!([{"range": range, "text": insert}]))
                .await;
            edits += 1;
            // A push client's edited file is published with its version once the server has
            // checked what the edit affects: waiting for it now and then lets the next edit
            // meet a state with every function checked (edits sent at once are taken together).
            if push && rng.below(2) == 0 {
                let version = i64::from(*version);
                client
                    .wait_notification(|n| {
                        n["method"] == "textDocument/publishDiagnostics"
                            && n["params"]["uri"] == uri.as_str()
                            && n["params"]["version"] == version
                    })
                    .await;
            }
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
                    // Only cancellations of stale results are expected, and a rename refused
                    // with its reason (the editor shows it); never a failure.
                    let refused = method == "textDocument/prepareRename"
                        && error["code"] == -32803
                        && error["message"].as_str().is_some_and(|m| !m.is_empty());
                    assert!(refused || error["code"] == -32800, "{method}: {error}");
                }
            }
            client.take_notifications();
            batch = 1 + rng.below(16);
        }
        if checkpoint_every > 0 && message % checkpoint_every == 0 && message < messages {
            answer_all(&mut in_flight).await;
            let server = server_diagnostics(&mut client, &root, &texts, &mut held).await;
            let checked = check_buffers(&scratch, &texts);
            assert_eq!(
                server, checked,
                "{name}, seed {seed}: the server and check disagree after {message} messages"
            );
            compared += 1;
        }
    }
    answer_all(&mut in_flight).await;

    // The server's diagnostics for the final buffers…
    let server = server_diagnostics(&mut client, &root, &texts, &mut held).await;
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
         agreed with check at {compared} checkpoints; {} files with diagnostics at the end",
        elapsed.as_secs_f64(),
        checked.len()
    );
    assert_eq!(
        server, checked,
        "{name}, seed {seed}: the server and check disagree"
    );
}

/// Replaces `start..end` of `text` with `insert`; returns the edit's LSP range (in the text
/// before) and its text.
fn replace(text: &mut String, start: usize, end: usize, insert: &str) -> (Value, String) {
    let range = json!({"start": position(text, start), "end": position(text, end)});
    text.replace_range(start..end, insert);
    (range, insert.to_string())
}

/// Whole statements: one of `lines` inserted where a module-level statement starts (or at the
/// end), or, half of the time, one of them that an earlier edit inserted taken away (the
/// module's own statements stay: taking its app or imports away would leave the app with no
/// function for most of the session). Returns the edit's range and text.
fn line_edit(rng: &mut Rng, text: &mut String, lines: &[&str]) -> (Value, String) {
    let starts = statement_starts(text);
    let inserted: Vec<(usize, usize)> = starts
        .windows(2)
        .map(|w| (w[0], w[1]))
        .filter(|&(a, b)| lines.contains(&&text[a..b]))
        .collect();
    let (at, end, insert) = if rng.below(2) == 0 && !inserted.is_empty() {
        let &(at, end) = rng.pick(&inserted);
        (at, end, "")
    } else {
        let at = *rng.pick(&starts);
        (at, at, *rng.pick(lines))
    };
    replace(text, at, end, insert)
}

/// A line of a function's body: one of `lines` inserted before a line of a body, or, half of
/// the time, one of them that an earlier edit inserted taken away. Returns the edit's range and
/// text (an empty edit when no function has a body line).
fn body_line_edit(rng: &mut Rng, text: &mut String, lines: &[&str]) -> (Value, String) {
    let mut body: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("    ") && !line.trim().is_empty() {
            body.push((at, at + line.len()));
        }
        at += line.len();
    }
    let inserted: Vec<(usize, usize)> = body
        .iter()
        .copied()
        .filter(|&(a, b)| lines.contains(&&text[a..b]))
        .collect();
    let (start, end, insert) = if rng.below(2) == 0 && !inserted.is_empty() {
        let &(start, end) = rng.pick(&inserted);
        (start, end, "")
    } else if body.is_empty() {
        (0, 0, "")
    } else {
        let &(start, _) = rng.pick(&body);
        (start, start, *rng.pick(lines))
    };
    replace(text, start, end, insert)
}

/// A parameter the bindings do not name, added to a `def` or taken from one: the function's
/// signature changes while its decorators (what the worker indexes) stay.
fn signature_edit(rng: &mut Rng, text: &mut String) -> (Value, String) {
    const EXTRA: &str = ", extra";
    let mut defs: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("def ") {
            if let Some(close) = line.find(')') {
                defs.push((at, at + close));
            }
        }
        at += line.len();
    }
    let Some(&(line, close)) = (!defs.is_empty()).then(|| rng.pick(&defs)) else {
        return replace(text, 0, 0, "");
    };
    let params = &text[line..close];
    let (start, end, insert) = if params.ends_with(EXTRA) {
        (close - EXTRA.len(), close, "")
    } else if params.ends_with("(extra") {
        (close - "extra".len(), close, "")
    } else if params.ends_with('(') {
        (close, close, &EXTRA[2..])
    } else {
        (close, close, EXTRA)
    };
    replace(text, start, end, insert)
}

/// Where each module-level statement starts (a line at column 0 that does not continue a
/// decorator), and the end of the text when it ends a line.
fn statement_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut after_decorator = false;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let top = !line.starts_with([' ', '\t', '\n', '\r', '#', ')', ']', '}']);
        if top && !after_decorator {
            starts.push(at);
        }
        if top {
            after_decorator = line.starts_with('@');
        }
        at += line.len();
    }
    if text.is_empty() || text.ends_with('\n') {
        starts.push(text.len());
    }
    if starts.is_empty() {
        starts.push(0);
    }
    starts
}

/// Waits for the answer to every request in flight.
async fn answer_all(in_flight: &mut Vec<(&str, tokio::sync::oneshot::Receiver<Value>)>) {
    for (method, rx) in in_flight.drain(..) {
        tokio::time::timeout(*TIMEOUT, rx)
            .await
            .unwrap_or_else(|_| panic!("no answer to {method}"))
            .expect("connection closed");
    }
}

/// What a pull client holds after its last `workspace/diagnostic`: each reported document's
/// result id and diagnostics, by URI.
type Held = BTreeMap<String, (String, Value)>;

/// The diagnostics the server holds now, by file, as `check` words them: asked as an editor
/// asks, with the result ids `held` from the last answer (the documents the server says are
/// unchanged keep what the client holds), and `held` updated.
async fn server_diagnostics(
    client: &mut TestClient,
    root: &Path,
    texts: &BTreeMap<&str, (String, i32)>,
    held: &mut Held,
) -> BTreeMap<String, Vec<Key>> {
    // One id stale, so that the answer comes at once (a request whose documents are all
    // unchanged waits for a change).
    let previous: Vec<Value> = held
        .iter()
        .enumerate()
        .map(|(i, (uri, (id, _)))| {
            let id = if i == 0 { "stale" } else { id.as_str() };
            json!({"uri": uri, "value": id})
        })
        .collect();
    let report = client
        .request(
            "workspace/diagnostic",
            json!({"previousResultIds": previous}),
        )
        .await
        .unwrap();
    let mut now = Held::new();
    for item in report["items"].as_array().unwrap() {
        let uri = item["uri"].as_str().unwrap().to_string();
        let items = if item["kind"] == "unchanged" {
            let (_, items) = held
                .get(&uri)
                .unwrap_or_else(|| panic!("{uri}: unchanged, but the client holds nothing"));
            items.clone()
        } else {
            item["items"].clone()
        };
        let id = item["resultId"].as_str().unwrap().to_string();
        now.insert(uri, (id, items));
    }
    *held = now;
    let mut server: BTreeMap<String, Vec<Key>> = BTreeMap::new();
    for (uri, (_, items)) in held.iter() {
        let rel = uri
            .strip_prefix(&format!("{}/", file_uri(root)))
            .unwrap()
            .to_string();
        let text = match texts.get(rel.as_str()) {
            Some((text, _)) => text.clone(),
            None => std::fs::read_to_string(root.join(&rel)).unwrap_or_default(),
        };
        let mut keys: Vec<Key> = items
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
    client.take_notifications();
    server
}

/// `check` on a copy of the app holding the buffers as they are now.
fn check_buffers(
    scratch: &Path,
    texts: &BTreeMap<&str, (String, i32)>,
) -> BTreeMap<String, Vec<Key>> {
    for (rel, (text, _)) in texts {
        std::fs::write(scratch.join(rel), text).unwrap();
    }
    check_json(scratch)
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
