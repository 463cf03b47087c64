//! The language server at scale, measured as an editor sees it: the release binary spawned over
//! stdio, driven by the raw JSON-RPC client of the integration tests, in a generated app of N
//! function folders (`support/lsp_app.rs`, 10,000 by default).
//!
//! ```sh
//! cargo bench --bench lsp_stdio              # 10,000 functions
//! cargo bench --bench lsp_stdio -- 40000     # 40,000 functions
//! AZFUNC_LSP_EXE=/path/to/azfunc-lsp cargo bench --bench lsp_stdio   # another build
//! cargo bench --bench lsp_stdio -- 40000 references   # only the references rows
//! cargo bench --bench lsp_stdio -- decorator 2000      # keystrokes in one module of 2,000
//!                                                      # decorated functions (200 by default)
//! cargo bench --bench lsp_stdio -- scaling 10000 40000 rounds=3   # start-up only, medians
//! cargo bench --bench lsp_stdio -- blueprints 10000    # a decorator app of N functions in
//!                                                      # blueprint modules of 50: start-up
//!                                                      # and keystrokes in one blueprint
//! cargo bench --bench lsp_stdio -- blueprints 1000 keystrokes=300   # more keystrokes (30 by
//!                                                      # default), e.g. under a profiler
//! ```
//!
//! It prints the time from `initialized` to the last diagnostics (push: every file that
//! `azfunc-lsp check --format json` reports has been published; pull: `workspace/diagnostic`
//! answers all of them), the server's memory (VmRSS and VmHWM of the child) after indexing and
//! after editing, keystroke → diagnostics latency in a function's `__init__.py`, its
//! `function.json` and `local.settings.json`, completion and hover sent right behind a keystroke
//! (the edit is applied first), references, and the memory growth over 1,000 further edits.

#[path = "support/generate.rs"]
mod generate;
#[path = "support/lsp_app.rs"]
mod lsp_app;
#[path = "../tests/lsp_support/mod.rs"]
mod lsp_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use lsp_app::{generate, summary, SETTINGS};
use lsp_support::*;
use serde_json::{json, Value};

/// The binary under test: `AZFUNC_LSP_EXE`, else the one cargo built with the benchmark.
fn exe() -> PathBuf {
    std::env::var_os("AZFUNC_LSP_EXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_azfunc-lsp")))
}

/// The files `check --format json` reports, as absolute paths.
fn files_the_cli_reports(root: &Path) -> BTreeSet<PathBuf> {
    let out = std::process::Command::new(exe())
        .args(["check", "--format", "json", "."])
        .current_dir(root)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).expect("check --format json");
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| root.join(d["file"].as_str().unwrap().trim_start_matches("./")))
        .collect()
}

/// VmRSS and VmHWM of a process, in MB.
fn memory_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The CPU time (user and system) a process has used, in ms.
fn cpu_ms(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses: utime and stime are 14 and 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        // Clock ticks of 10 ms (USER_HZ is 100 on Linux).
        (Some(user), Some(system)) => (user + system) * 10.0,
        _ => f64::NAN,
    }
}

fn print_memory(what: &str, pid: u32) -> f64 {
    let (rss, hwm) = memory_mb(pid);
    println!("{what:<48} VmRSS {rss:>7.1} MB  VmHWM {hwm:>7.1} MB");
    rss
}

fn position(line: usize, character: usize) -> Value {
    json!({"line": line, "character": character})
}

/// One insertion of `text` at a position.
fn insert(line: usize, character: usize, text: &str) -> Value {
    json!([{"range": {"start": position(line, character), "end": position(line, character)}, "text": text}])
}

/// The line and column (bytes: the documents are ASCII) of the end of the first `needle`.
fn after(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?}")) + needle.len();
    let line = text[..at].matches('\n').count();
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line, column)
}

/// An open document the benchmark types into: each keystroke inserts one character at the
/// cursor and moves it on.
struct Typed {
    uri: String,
    version: i32,
    line: usize,
    column: usize,
    /// The keystroke inserts this, cycling (a value that stays a valid identifier or string).
    alphabet: &'static [u8],
}

impl Typed {
    async fn open(
        client: &TestClient,
        path: &Path,
        language: &str,
        cursor_after: &str,
        alphabet: &'static [u8],
    ) -> Typed {
        let uri = file_uri(path);
        let text = std::fs::read_to_string(path).unwrap();
        client.open(&uri, language, 1, &text).await;
        let (line, column) = after(&text, cursor_after);
        Typed {
            uri,
            version: 1,
            line,
            column,
            alphabet,
        }
    }

    /// Sends one keystroke; returns its version.
    async fn keystroke(&mut self, client: &TestClient) -> i32 {
        self.version += 1;
        let c = self.alphabet[self.version as usize % self.alphabet.len()] as char;
        client
            .change(
                &self.uri,
                self.version,
                insert(self.line, self.column, &c.to_string()),
            )
            .await;
        self.column += 1;
        self.version
    }

    /// A Python module opened with the cursor after `cursor_after`, once its first diagnostics
    /// are published (and the notifications before them dropped).
    async fn open_module(client: &TestClient, path: &Path, cursor_after: &str) -> Typed {
        let module = Typed::open(client, path, "python", cursor_after, b"abcdefgh").await;
        module.wait_published(client, 1).await;
        client.take_notifications();
        module
    }

    async fn wait_published(&self, client: &TestClient, version: i32) {
        client
            .wait_notification(|m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == self.uri
                    && m["params"]["version"] == version
            })
            .await;
    }
}

/// Keystroke → the edited file's diagnostics published (push).
async fn keystrokes(client: &TestClient, doc: &mut Typed, count: usize) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let t = Instant::now();
        let version = doc.keystroke(client).await;
        doc.wait_published(client, version).await;
        samples.push(t.elapsed());
        client.take_notifications();
    }
    samples
}

/// A request sent right behind each keystroke, timed from the keystroke to the response (the
/// server applies the edit first), and the request alone after the diagnostics arrived.
async fn behind_keystrokes(
    client: &mut TestClient,
    doc: &mut Typed,
    method: &str,
    params: &dyn Fn(&Typed) -> Value,
    count: usize,
) -> (Vec<Duration>, Vec<Duration>) {
    let (mut with_edit, mut alone) = (Vec::new(), Vec::new());
    for _ in 0..count {
        let t = Instant::now();
        let version = doc.keystroke(client).await;
        client.request(method, params(doc)).await.unwrap();
        with_edit.push(t.elapsed());
        doc.wait_published(client, version).await;
        client.take_notifications();
        let t = Instant::now();
        client.request(method, params(doc)).await.unwrap();
        alone.push(t.elapsed());
    }
    (with_edit, alone)
}

async fn references(
    client: &mut TestClient,
    pid: u32,
    name: &str,
    path: &Path,
    needle: &str,
    back: usize,
) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    let (line, column) = after(&text, needle);
    let params = json!({
        "textDocument": {"uri": file_uri(path)},
        "position": position(line, column - back),
        "context": {"includeDeclaration": true},
    });
    let mut samples = Vec::new();
    let mut received = Vec::new();
    let mut found = 0;
    let mut answer = Value::Null;
    let cpu_before = cpu_ms(pid);
    let client_cpu_before = cpu_ms(std::process::id());
    for _ in 0..30 {
        let t = Instant::now();
        let (r, arrived) = client
            .request_timed("textDocument/references", params.clone())
            .await;
        let r = r.unwrap();
        samples.push(t.elapsed());
        received.push(arrived - t);
        found = r.as_array().map_or(0, Vec::len);
        // The previous answer is dropped here, after the sample.
        answer = r;
    }
    summary(&format!("references: {name} ({found} found)"), &mut samples);
    // The server's part of the round trip: until the answer's last byte is in the client.
    summary(
        "    answer received, before the client parses it",
        &mut received,
    );
    // What a loaded machine does not change: the server's own time per request.
    println!(
        "{:<48} {:>8.1} ms",
        "    server CPU per request",
        (cpu_ms(pid) - cpu_before) / samples.len() as f64
    );
    println!(
        "{:<48} {:>8.1} ms",
        "    client CPU per request (reading the answer)",
        (cpu_ms(std::process::id()) - client_cpu_before) / samples.len() as f64
    );
    // Part of every sample no server can remove: a client turning the answer's bytes into a JSON
    // tree (here serde_json's `Value`, as the client above does), timed alone on the same bytes.
    let body = serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": 1, "result": answer})).unwrap();
    let mut parses: Vec<Duration> = (0..30)
        .map(|_| {
            let t = Instant::now();
            let tree: Value = serde_json::from_slice(&body).unwrap();
            let took = t.elapsed();
            drop(std::hint::black_box(tree));
            took
        })
        .collect();
    parses.sort();
    println!(
        "{:<48} {:>8.1} ms ({:.1} MB; parse alone, median of 30)",
        "    the answer's JSON parse in the client",
        parses[parses.len() / 2].as_secs_f64() * 1e3,
        body.len() as f64 / 1e6
    );
    found
}

/// The references rows: a setting thousands of bindings name, from its key and from a
/// `connection` value, and a binding name.
async fn all_references(client: &mut TestClient, pid: u32, root: &Path) {
    references(
        client,
        pid,
        "the AzureWebJobsStorage setting",
        &root.join("local.settings.json"),
        "\"AzureWebJobsStorage",
        3,
    )
    .await;
    references(
        client,
        pid,
        "a connection value in function.json",
        &root.join("F00005/function.json"),
        "\"connection\": \"AzureWebJobsStorage",
        3,
    )
    .await;
    references(
        client,
        pid,
        "a binding name",
        &root.join("F00005/function.json"),
        "\"name\": \"msg",
        1,
    )
    .await;
}

/// Only the references rows, once the server has indexed the app and published its diagnostics
/// (no keystrokes before).
async fn references_only(root: &Path, n: usize) {
    let (child, mut client) = spawn(push_caps(), root).await;
    let pid = child.id().unwrap();
    let start = Instant::now();
    client.notify("initialized", json!({})).await;
    let status = client.wait_indexed().await;
    assert_eq!(status["functions"], n);
    // Diagnostics go out after indexing: measured once the server has been quiet for a while.
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if client.take_notifications().is_empty() {
            break;
        }
    }
    println!(
        "{:<48} {:>8.1} ms",
        "[push] initialized -> indexed and published",
        start.elapsed().as_secs_f64() * 1e3
    );
    all_references(&mut client, pid, root).await;
    client.request("shutdown", Value::Null).await.unwrap();
    client.notify("exit", Value::Null).await;
}

/// Spawns the binary and sends `initialize`; `initialized` is left to the caller.
async fn spawn(caps: Value, root: &Path) -> (tokio::process::Child, TestClient) {
    let mut command = tokio::process::Command::new(exe());
    command
        .env("AZFUNC_LSP_LOG", "error")
        .stderr(Stdio::inherit());
    let (child, mut client) = TestClient::spawn(command);
    client.disable_log();
    client.record_arrivals();
    let folder = json!([{"uri": file_uri(root), "name": "app"}]);
    client
        .request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": caps, "workspaceFolders": folder}),
        )
        .await
        .unwrap();
    (child, client)
}

/// Waits for the end of indexing; the server then knows `n` functions.
async fn wait_indexed(client: &mut TestClient, n: usize) {
    client
        .wait_notification(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        .await;
    let status = client.request("azfunc/status", Value::Null).await.unwrap();
    assert_eq!(status["functions"], n);
}

/// A push server started on `root`: `initialized` → every expected file published, then the
/// end of indexing. Returns the server, the time and how many files were published.
async fn push_startup(
    root: &Path,
    n: usize,
    expected: &BTreeSet<PathBuf>,
) -> (tokio::process::Child, TestClient, Duration, usize) {
    let (child, mut client) = spawn(push_caps(), root).await;
    let start = Instant::now();
    client.notify("initialized", json!({})).await;
    let mut missing: BTreeSet<String> = expected.iter().map(|p| file_uri(p)).collect();
    let mut published = 0;
    while !missing.is_empty() {
        let m = client
            .wait_notification(|m| m["method"] == "textDocument/publishDiagnostics")
            .await;
        published += 1;
        missing.remove(m["params"]["uri"].as_str().unwrap());
    }
    let last = start.elapsed();
    wait_indexed(&mut client, n).await;
    client.take_notifications();
    (child, client, last, published)
}

/// Push: `initialized` → every expected file published, then everything else.
async fn push(root: &Path, n: usize, expected: &BTreeSet<PathBuf>) {
    let (child, mut client, last, published) = push_startup(root, n, expected).await;
    let pid = child.id().unwrap();
    println!(
        "{:<48} {:>8.1} ms ({} files published, {} expected)",
        "[push] initialized -> last diagnostics",
        last.as_secs_f64() * 1e3,
        published,
        expected.len()
    );
    print_memory("[push] memory after indexing", pid);

    // Keystrokes: a log message in an HTTP function's script, a queue name in a queue
    // function's function.json, a value no function reads in local.settings.json.
    let mut py = Typed::open(
        &client,
        &root.join("F00002/__init__.py"),
        "python",
        "logging.info(\"F00002",
        b"abcdefgh",
    )
    .await;
    let mut fj = Typed::open(
        &client,
        &root.join("F00003/function.json"),
        "json",
        "\"queueName\": \"items",
        b"abcdefgh",
    )
    .await;
    let mut settings = Typed::open(
        &client,
        &root.join("local.settings.json"),
        "json",
        "\"Typed\": \"",
        b"abcdefgh",
    )
    .await;
    py.wait_published(&client, 1).await;
    fj.wait_published(&client, 1).await;
    settings.wait_published(&client, 1).await;
    client.take_notifications();

    let mut s = keystrokes(&client, &mut py, 200).await;
    summary("keystroke -> diagnostics: __init__.py", &mut s);
    let mut s = keystrokes(&client, &mut fj, 200).await;
    summary("keystroke -> diagnostics: function.json", &mut s);
    let mut s = keystrokes(&client, &mut settings, 200).await;
    summary("keystroke -> diagnostics: local.settings.json", &mut s);

    // A value that thousands of bindings name as their connection.
    let mut storage = Typed {
        uri: settings.uri.clone(),
        version: settings.version,
        line: 0,
        column: after(SETTINGS, "\"UseDevelopmentStorage=true").1,
        alphabet: b"abcdefgh",
    };
    let mut s = keystrokes(&client, &mut storage, 50).await;
    // The typed value is further right by as much.
    settings.column += 50;
    summary(
        "keystroke -> diagnostics: AzureWebJobsStorage value",
        &mut s,
    );
    settings.version = storage.version;
    let after_edits = print_memory("memory after the first 650 edits", pid);

    // Completion and hover right behind keystrokes.
    let completion_fj =
        |d: &Typed| json!({"textDocument": {"uri": d.uri}, "position": position(d.line, 15)});
    let (mut with_edit, mut alone) = behind_keystrokes(
        &mut client,
        &mut fj,
        "textDocument/completion",
        &completion_fj,
        200,
    )
    .await;
    summary("keystroke + completion: function.json", &mut with_edit);
    summary("completion alone: function.json", &mut alone);
    let hover_fj =
        |d: &Typed| json!({"textDocument": {"uri": d.uri}, "position": position(d.line, 15)});
    let (mut with_edit, mut alone) =
        behind_keystrokes(&mut client, &mut fj, "textDocument/hover", &hover_fj, 200).await;
    summary("keystroke + hover: function.json", &mut with_edit);
    summary("hover alone: function.json", &mut alone);
    // A name at the start of the statement being typed in.
    let completion_py =
        |d: &Typed| json!({"textDocument": {"uri": d.uri}, "position": position(d.line, 4)});
    let (mut with_edit, mut alone) = behind_keystrokes(
        &mut client,
        &mut py,
        "textDocument/completion",
        &completion_py,
        200,
    )
    .await;
    summary("keystroke + completion: __init__.py", &mut with_edit);
    summary("completion alone: __init__.py", &mut alone);
    let hover_py =
        |d: &Typed| json!({"textDocument": {"uri": d.uri}, "position": position(d.line - 1, 20)});
    let (mut with_edit, mut alone) =
        behind_keystrokes(&mut client, &mut py, "textDocument/hover", &hover_py, 200).await;
    summary("keystroke + hover: __init__.py", &mut with_edit);
    summary("hover alone: __init__.py", &mut alone);

    all_references(&mut client, pid, root).await;

    // Growth: 1,000 further edits across the three documents.
    let before = print_memory("memory before 1,000 further edits", pid);
    for i in 0..1000 {
        let doc = match i % 3 {
            0 => &mut py,
            1 => &mut fj,
            _ => &mut settings,
        };
        let version = doc.keystroke(&client).await;
        doc.wait_published(&client, version).await;
        client.take_notifications();
    }
    let end = print_memory("memory after 1,000 further edits", pid);
    println!(
        "{:<48} {:+.1} MB (since the first 650 edits: {:+.1} MB)",
        "growth over 1,000 edits",
        end - before,
        end - after_edits
    );
    client.request("shutdown", Value::Null).await.unwrap();
    client.notify("exit", Value::Null).await;
}

/// What [`pull_startup`] measured.
struct PullStartup {
    /// `initialized` → the answer with every expected file, parsed by the client.
    took: Duration,
    /// `initialized` → that answer's last byte read, before the client parsed it.
    received: Duration,
    /// The files the answer has diagnostics for.
    files: usize,
    /// The answer's size in bytes, as the client serialises it again.
    bytes: usize,
    /// The server's VmRSS and VmHWM then, in MB.
    memory: (f64, f64),
}

/// A pull server started on `root`: `initialized` → a `workspace/diagnostic` answer with every
/// expected file.
async fn pull_startup(root: &Path, expected: &BTreeSet<PathBuf>) -> PullStartup {
    let (child, mut client) = spawn(pull_caps(), root).await;
    let pid = child.id().unwrap();
    let start = Instant::now();
    client.notify("initialized", json!({})).await;
    let expected: BTreeSet<String> = expected.iter().map(|p| file_uri(p)).collect();
    let measured = loop {
        let (r, arrived) = client
            .request_timed("workspace/diagnostic", json!({"previousResultIds": []}))
            .await;
        let r = r.unwrap();
        let got: BTreeSet<String> = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["items"].as_array().is_some_and(|a| !a.is_empty()))
            .map(|i| i["uri"].as_str().unwrap().to_string())
            .collect();
        if got.is_superset(&expected) {
            let took = start.elapsed();
            break PullStartup {
                took,
                received: arrived - start,
                files: got.len(),
                bytes: serde_json::to_vec(&r).map_or(0, |b| b.len()),
                memory: memory_mb(pid),
            };
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    client.request("shutdown", Value::Null).await.unwrap();
    client.notify("exit", Value::Null).await;
    measured
}

/// Pull: `initialized` → a `workspace/diagnostic` answer with every expected file.
async fn pull(root: &Path, expected: &BTreeSet<PathBuf>) {
    let m = pull_startup(root, expected).await;
    println!(
        "{:<48} {:>8.1} ms ({} files; {:.1} MB, its last byte read at {:.1} ms)",
        "[pull] initialized -> workspace/diagnostic",
        m.took.as_secs_f64() * 1e3,
        m.files,
        m.bytes as f64 / 1e6,
        m.received.as_secs_f64() * 1e3,
    );
    let (rss, hwm) = m.memory;
    println!(
        "{:<48} VmRSS {rss:>7.1} MB  VmHWM {hwm:>7.1} MB",
        "[pull] memory after indexing"
    );
}

/// Pull: a keystroke → the answer to the `workspace/diagnostic` request the client keeps open
/// with the result id of every document it holds (as an editor does: the server answers when
/// something changed, every other document unchanged). The keystrokes type comments at the top
/// of a script whose finding follows, so each one moves it.
async fn pull_keystrokes(root: &Path, n: usize, count: usize) {
    let (child, mut client) = spawn(pull_caps(), root).await;
    client.notify("initialized", json!({})).await;
    wait_indexed(&mut client, n).await;
    let mut held: BTreeMap<String, String> = BTreeMap::new();
    let hold = |result: &Value, held: &mut BTreeMap<String, String>| {
        for item in result["items"].as_array().unwrap() {
            let uri = item["uri"].as_str().unwrap().to_string();
            held.insert(uri, item["resultId"].as_str().unwrap().to_string());
        }
    };
    let first = client
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .await
        .unwrap();
    hold(&first, &mut held);
    let mut typed = Typed::open(
        &client,
        &root.join("F00007/__init__.py"),
        "python",
        "",
        b"#",
    )
    .await;
    let mut samples = Vec::with_capacity(count);
    let mut reports = 0;
    for _ in 0..count {
        let previous: Vec<Value> = held
            .iter()
            .map(|(uri, id)| json!({"uri": uri, "value": id}))
            .collect();
        let (id, answer) = client
            .start_request(
                "workspace/diagnostic",
                json!({"previousResultIds": previous}),
            )
            .await;
        // The server holds it until something changes.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let start = Instant::now();
        typed.keystroke(&client).await;
        let answer = tokio::time::timeout(*TIMEOUT, answer)
            .await
            .expect("an answer after the keystroke")
            .unwrap();
        let arrived = client.take_arrival(id).unwrap();
        samples.push(arrived - start);
        reports = answer["result"]["items"].as_array().unwrap().len();
        hold(&answer["result"], &mut held);
        client.take_notifications();
    }
    summary(
        &format!("[pull] keystroke -> workspace/diagnostic ({reports} reports)"),
        &mut samples,
    );
    print_memory("[pull] memory after the keystrokes", child.id().unwrap());
    client.request("shutdown", Value::Null).await.unwrap();
    client.notify("exit", Value::Null).await;
}

/// Start-up at several sizes, `rounds` times each, the sizes alternating within a round (a busy
/// spell of the machine then weighs on every size alike): the medians, and their ratios to the
/// first size's.
async fn scaling(sizes: &[usize], rounds: usize) {
    let dir = tempfile::tempdir().unwrap();
    let apps: Vec<(usize, PathBuf, BTreeSet<PathBuf>)> = sizes
        .iter()
        .map(|&n| {
            let root = dir.path().join(format!("app{n}"));
            generate(&root, n);
            let expected = files_the_cli_reports(&root);
            (n, root, expected)
        })
        .collect();
    println!("server: {}", exe().display());
    println!("start-up, {rounds} rounds; sizes alternate within a round");
    // Per size: push ms, push VmRSS, pull ms, pull VmRSS, pull's last byte ms.
    let mut samples: Vec<[Vec<f64>; 5]> = vec![Default::default(); sizes.len()];
    for round in 1..=rounds {
        for (i, (n, root, expected)) in apps.iter().enumerate() {
            let (mut child, client, push_took, _) = push_startup(root, *n, expected).await;
            let (push_rss, _) = memory_mb(child.id().unwrap());
            client.shutdown().await;
            let _ = child.wait().await;
            let pulled = pull_startup(root, expected).await;
            let row = [
                push_took.as_secs_f64() * 1e3,
                push_rss,
                pulled.took.as_secs_f64() * 1e3,
                pulled.memory.0,
                pulled.received.as_secs_f64() * 1e3,
            ];
            println!(
                "round {round} {n:>6} functions: push {:>8.1} ms {:>7.1} MB   pull {:>8.1} ms {:>7.1} MB \
                 (answer of {:.1} MB read at {:.1} ms)",
                row[0],
                row[1],
                row[2],
                row[3],
                pulled.bytes as f64 / 1e6,
                row[4]
            );
            for (column, value) in samples[i].iter_mut().zip(row) {
                column.push(value);
            }
        }
    }
    let median = |values: &[f64]| {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted[sorted.len() / 2]
    };
    let medians: Vec<[f64; 5]> = samples
        .iter()
        .map(|columns| std::array::from_fn(|c| median(&columns[c])))
        .collect();
    for (&n, m) in sizes.iter().zip(&medians) {
        let ratio = |c: usize| m[c] / medians[0][c];
        println!(
            "median {n:>6} functions: push {:>8.1} ms ({:.2}x) {:>7.1} MB ({:.2}x)   pull {:>8.1} ms ({:.2}x) {:>7.1} MB ({:.2}x) \
             (last byte {:.1} ms, {:.2}x)",
            m[0], ratio(0), m[1], ratio(1), m[2], ratio(2), m[3], ratio(3), m[4], ratio(4)
        );
    }
}

/// A decorator app: one `function_app.py` of `n` functions, alternating HTTP and queue
/// triggers, the second one with a parameter that is not its trigger's name (so the module has a
/// finding, published again after every keystroke).
fn generate_decorated(root: &Path, n: usize) {
    std::fs::create_dir_all(root).unwrap();
    std::fs::write(root.join("host.json"), r#"{"version": "2.0"}"#).unwrap();
    std::fs::write(root.join("local.settings.json"), SETTINGS).unwrap();
    std::fs::write(root.join("requirements.txt"), "azure-functions\n").unwrap();
    let mut module = String::from(
        "import logging\n\nimport azure.functions as func\n\napp = func.FunctionApp()\n\n",
    );
    for i in 0..n {
        let function = if i % 2 == 0 {
            format!(
                "@app.route(route=\"r{i}\", methods=[\"GET\", \"POST\"])\ndef f{i:05}({}: func.HttpRequest) -> func.HttpResponse:\n    logging.info(\"f{i:05}\")\n    return func.HttpResponse(\"ok\")\n\n\n",
                if i == 2 { "request" } else { "req" }
            )
        } else {
            format!(
                "@app.queue_trigger(arg_name=\"msg\", queue_name=\"items\", connection=\"AzureWebJobsStorage\")\ndef f{i:05}(msg: func.QueueMessage) -> None:\n    logging.info(\"f{i:05} %s\", msg.get_body())\n\n\n"
            )
        };
        module.push_str(&function);
    }
    std::fs::write(root.join("function_app.py"), module).unwrap();
}

/// Keystrokes in the module of a decorator app: every function's script, so what an edit of it
/// costs grows with the functions it holds.
async fn decorated(root: &Path, n: usize) {
    let (_child, mut client) = spawn(push_caps(), root).await;
    let start = Instant::now();
    client.notify("initialized", json!({})).await;
    wait_indexed(&mut client, n).await;
    println!(
        "{:<48} {:>8.1} ms",
        "[decorator] initialized -> indexed",
        start.elapsed().as_secs_f64() * 1e3
    );
    client.take_notifications();
    let mut module = Typed::open_module(
        &client,
        &root.join("function_app.py"),
        "logging.info(\"f00004",
    )
    .await;
    let mut s = keystrokes(&client, &mut module, 100).await;
    summary("keystroke -> diagnostics: function_app.py", &mut s);
    let (mut with_edit, mut alone) = behind_keystrokes(
        &mut client,
        &mut module,
        "textDocument/hover",
        &|doc: &Typed| {
            json!({"textDocument": {"uri": doc.uri}, "position": position(doc.line, doc.column)})
        },
        100,
    )
    .await;
    summary("keystroke + hover: function_app.py", &mut with_edit);
    summary("hover alone: function_app.py", &mut alone);
    // Every function of the module, as an editor's "go to symbol in workspace" asks first.
    let mut symbols = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let found = client
            .request("workspace/symbol", json!({"query": ""}))
            .await
            .unwrap();
        symbols.push(t.elapsed());
        assert_eq!(found.as_array().map(Vec::len), Some(n));
    }
    summary("workspace/symbol, every function", &mut symbols);
}

/// A decorator app as `check`'s benchmarks generate it (`support/generate.rs`: N functions in
/// blueprint modules of 50, registered by `function_app.py`): start-up, then keystrokes in a log
/// message of one blueprint. Every function's load imports every blueprint, so each keystroke
/// re-checks all of them.
async fn blueprints(root: &Path, n: usize, keystroke_count: usize) {
    let expected = files_the_cli_reports(root);
    let (child, mut client, last, published) = push_startup(root, n, &expected).await;
    println!(
        "{:<48} {:>8.1} ms ({} files published, {} expected)",
        "[blueprints] initialized -> last diagnostics",
        last.as_secs_f64() * 1e3,
        published,
        expected.len()
    );
    let pid = child.id().unwrap();
    print_memory("[blueprints] memory after indexing", pid);
    let mut module = Typed::open_module(
        &client,
        &root.join("blueprints/bp0007.py"),
        "logging.info(\"Processing order",
    )
    .await;
    let mut s = keystrokes(&client, &mut module, keystroke_count).await;
    summary("keystroke -> diagnostics: blueprints/bp0007.py", &mut s);
    // Typing faster than an analysis: ten keystrokes sent at once, timed to the diagnostics
    // of the last.
    let mut bursts = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let mut version = 0;
        for _ in 0..10 {
            version = module.keystroke(&client).await;
        }
        module.wait_published(&client, version).await;
        bursts.push(t.elapsed());
        client.take_notifications();
    }
    summary("ten keystrokes at once -> the last one's", &mut bursts);
    // An editor's requests sent with a keystroke: the decorator arguments' names after the
    // opening bracket of the function's trigger (four lines above the typing), the parameter
    // its trigger binds (two lines above).
    let completion = |d: &Typed| json!({"textDocument": {"uri": d.uri}, "position": position(d.line - 4, "@bp.queue_trigger(".len())});
    let hover = |d: &Typed| json!({"textDocument": {"uri": d.uri}, "position": position(d.line - 2, "def queue_00350(m".len())});
    let items = client
        .request("textDocument/completion", completion(&module))
        .await
        .unwrap();
    assert!(
        items["items"].as_array().is_some_and(|i| !i.is_empty()),
        "no completion in the trigger's arguments: {items}"
    );
    let answer = client
        .request("textDocument/hover", hover(&module))
        .await
        .unwrap();
    assert!(
        answer["contents"].is_object(),
        "no hover on the parameter: {answer}"
    );
    let (mut with_edit, mut alone) = behind_keystrokes(
        &mut client,
        &mut module,
        "textDocument/completion",
        &completion,
        keystroke_count,
    )
    .await;
    summary(
        "keystroke + completion: blueprints/bp0007.py",
        &mut with_edit,
    );
    summary("completion alone: blueprints/bp0007.py", &mut alone);
    let (mut with_edit, mut alone) = behind_keystrokes(
        &mut client,
        &mut module,
        "textDocument/hover",
        &hover,
        keystroke_count,
    )
    .await;
    summary("keystroke + hover: blueprints/bp0007.py", &mut with_edit);
    summary("hover alone: blueprints/bp0007.py", &mut alone);
    print_memory("[blueprints] memory after the keystrokes", pid);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "scaling") {
        let rounds = args
            .iter()
            .find_map(|a| a.strip_prefix("rounds=")?.parse().ok())
            .unwrap_or(3);
        let mut sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
        if sizes.is_empty() {
            sizes = vec![10_000, 40_000];
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(scaling(&sizes, rounds));
        return;
    }
    let n: Option<usize> = std::env::args().skip(1).find_map(|a| a.parse().ok());
    if args.iter().any(|a| a == "blueprints") {
        let n = n.unwrap_or(10_000);
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("app");
        generate::generate_app_v2(&root, n).unwrap();
        println!("server: {}", exe().display());
        println!("a decorator app of {n} functions in blueprint modules");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let keystroke_count = args
            .iter()
            .find_map(|a| a.strip_prefix("keystrokes=")?.parse().ok())
            .unwrap_or(30);
        runtime.block_on(blueprints(&root, n, keystroke_count));
        return;
    }
    let only_references = std::env::args().skip(1).any(|a| a == "references");
    let decorator = std::env::args().skip(1).any(|a| a == "decorator");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if decorator {
        let n = n.unwrap_or(200);
        generate_decorated(&root, n);
        println!("server: {}", exe().display());
        println!("a decorator app of {n} functions in one module");
        runtime.block_on(decorated(&root, n));
        return;
    }
    let n = n.unwrap_or(10_000);
    generate(&root, n);
    if only_references {
        println!("server: {}", exe().display());
        println!("{n} functions");
        runtime.block_on(references_only(&root, n));
        return;
    }
    let t = Instant::now();
    let expected = files_the_cli_reports(&root);
    println!("server: {}", exe().display());
    println!(
        "{n} functions; check --format json: {} files with diagnostics in {:.0} ms",
        expected.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    runtime.block_on(push(&root, n, &expected));
    runtime.block_on(pull(&root, &expected));
    runtime.block_on(pull_keystrokes(&root, n, 100));
}
