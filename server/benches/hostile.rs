//! Hostile workspaces: `azfunc-lsp check` (the release binary) on generated apps that try to
//! crash it, stall it or make it use memory without bound. Each case asserts the exit code, a
//! time and a peak memory cap, and for inputs of size N and 4N a generous linear bound (the 4N run
//! may take at most 8 times as long, and use at most 8 times the memory above the binary's
//! baseline). Prints a table and exits non-zero when a case fails.
//!
//! The language server gets the same bounds on the decorator module: start-up to the end of
//! indexing, the requests that go over every function (workspace symbols, the module's
//! symbols), and a keystroke in it.
//!
//! `cargo bench --bench hostile` runs the full sizes; `cargo bench --bench hostile -- --quick`
//! runs a quarter of them (for CI). `AZFUNC_HOSTILE_ONLY=name,name` runs some cases only.

use std::fmt::Write as _;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "../tests/lsp_support/mod.rs"]
mod lsp_support;

use lsp_support::{file_uri, push_caps, TestClient};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_azfunc-lsp");
/// No single run may take longer than this, or use more memory.
const TIME_CAP: Duration = Duration::from_secs(10);
const MEMORY_CAP_KIB: u64 = 1024 * 1024;
/// A run is stopped (and fails) after this long.
const KILL_AFTER: Duration = Duration::from_secs(60);
/// The N-vs-4N bound.
const MAX_RATIO: f64 = 8.0;
/// How much longer than JSON the text rendering of the same diagnostics may take.
const TEXT_OVER_JSON: f64 = 4.0;
/// Times below this are treated as this (noise) when comparing N and 4N.
const TIME_FLOOR: f64 = 0.1;
/// The same for one request to the language server, which answers in milliseconds.
const REQUEST_FLOOR: f64 = 0.02;

/// One run of the binary.
#[derive(Debug, Clone)]
struct Run {
    code: Option<i32>,
    signal: Option<i32>,
    secs: f64,
    peak_kib: u64,
    stdout_bytes: u64,
    killed: bool,
}

impl Run {
    fn exit(&self) -> String {
        match (self.killed, self.code, self.signal) {
            (true, _, _) => "killed".to_string(),
            (_, Some(c), _) => c.to_string(),
            (_, _, Some(s)) => format!("signal {s}"),
            _ => "?".to_string(),
        }
    }
}

/// Runs the binary with `args` in `cwd`, measuring wall time, peak RSS (from `wait4`) and the
/// size of its output.
fn run(cwd: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env("AZFUNC_LSP_LOG", "off")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let mut stdout = child.stdout.take().unwrap();
    let counter = std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        let mut total = 0u64;
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            total += n as u64;
        }
        total
    });
    let pid = child.id() as libc::pid_t;
    let mut killed = false;
    // `wait4`'s maximum RSS would include this process's own (the child is spawned with
    // vfork), so the child's VmHWM is sampled until it exits.
    let mut peak_kib = 0;
    let status = loop {
        if let Some(hwm) = vm_hwm_kib(pid) {
            peak_kib = peak_kib.max(hwm);
        }
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if !killed && started.elapsed() > KILL_AFTER {
            let _ = child.kill();
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let secs = started.elapsed().as_secs_f64();
    let stdout_bytes = counter.join().unwrap_or(0);
    Run {
        code: status.code(),
        signal: std::os::unix::process::ExitStatusExt::signal(&status),
        secs,
        peak_kib,
        stdout_bytes,
        killed,
    }
}

/// The peak resident set of a running process, in KiB.
fn vm_hwm_kib(pid: libc::pid_t) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn check(root: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check"];
    args.extend_from_slice(extra);
    args.push(".");
    run(root, &args)
}

/// A result line of the table.
struct Row {
    case: String,
    size: String,
    run: Run,
    problems: Vec<String>,
}

/// The common assertions: an expected exit code, the time and memory caps.
fn judge(case: &str, size: impl ToString, run: Run, codes: &[i32]) -> Row {
    let mut problems = Vec::new();
    if !run.code.is_some_and(|c| codes.contains(&c)) {
        problems.push(format!("exit {} (expected {codes:?})", run.exit()));
    }
    if run.secs > TIME_CAP.as_secs_f64() {
        problems.push(format!("{:.1} s > {} s", run.secs, TIME_CAP.as_secs()));
    }
    if run.peak_kib > MEMORY_CAP_KIB {
        problems.push(format!("{} MiB > 1 GiB", run.peak_kib / 1024));
    }
    Row {
        case: case.to_string(),
        size: size.to_string(),
        run,
        problems,
    }
}

/// The N-vs-4N bound on time, memory above `baseline` and output size, added to the 4N row.
fn scaling(small: &Row, large: &mut Row, baseline_kib: u64) {
    let floor = if large.case.starts_with("served:") {
        REQUEST_FLOOR
    } else {
        TIME_FLOOR
    };
    let time = large.run.secs.max(floor) / small.run.secs.max(floor);
    if time > MAX_RATIO {
        large.problems.push(format!("time ×{time:.1} for ×4 input"));
    }
    let mem = |r: &Run| r.peak_kib.saturating_sub(baseline_kib).max(16 * 1024) as f64;
    let memory = mem(&large.run) / mem(&small.run);
    if memory > MAX_RATIO {
        large
            .problems
            .push(format!("memory ×{memory:.1} for ×4 input"));
    }
    let out = |r: &Run| r.stdout_bytes.max(64 * 1024) as f64;
    let output = out(&large.run) / out(&small.run);
    if output > MAX_RATIO {
        large
            .problems
            .push(format!("output ×{output:.1} for ×4 input"));
    }
}

/// A fresh folder for one case, with `host.json` (so it is an app).
fn app(base: &Path, name: &str) -> PathBuf {
    let root = base.join(name);
    fs::create_dir_all(&root).unwrap();
    fs::write(
        root.join("host.json"),
        r#"{"version": "2.0", "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}}"#,
    )
    .unwrap();
    fs::write(root.join("requirements.txt"), "azure-functions\n").unwrap();
    root
}

fn function(root: &Path, name: &str, json: &str, script: &str) {
    let dir = root.join(name);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("function.json"), json).unwrap();
    fs::write(dir.join("__init__.py"), script).unwrap();
}

const HTTP_JSON: &str = r#"{"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}]}"#;

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

fn symlink_loops(base: &Path) -> Vec<Row> {
    let root = app(base, "symlink_loops");
    function(&root, "F", HTTP_JSON, "def main(req):\n    return req\n");
    let link = std::os::unix::fs::symlink;
    link("..", root.join("F/up")).unwrap();
    link(".", root.join("F/self")).unwrap();
    link("loop_b", root.join("loop_a")).unwrap();
    link("loop_a", root.join("loop_b")).unwrap();
    link("me.py", root.join("F/me.py")).unwrap();
    link("/", root.join("F/everything")).unwrap();
    link("/proc/self/environ", root.join("pyproject.toml")).unwrap();
    link("/proc/self/environ", root.join("local.settings.json")).unwrap();
    vec![judge(
        "symlink loops and links out",
        "",
        check(&root, &[]),
        &[0, 1],
    )]
}

fn fifos(base: &Path) -> Vec<Row> {
    let root = app(base, "fifos");
    function(&root, "F", HTTP_JSON, "def main(req):\n    return req\n");
    fs::create_dir_all(root.join("G")).unwrap();
    for path in [
        "G/function.json",
        "G/__init__.py",
        "local.settings.json",
        "pyproject.toml",
        "F/helper.py",
    ] {
        mkfifo(&root.join(path));
    }
    vec![judge(
        "FIFOs (must not block)",
        "",
        check(&root, &[]),
        &[0, 1],
    )]
}

fn unreadable(base: &Path) -> Vec<Row> {
    use std::os::unix::fs::PermissionsExt;
    let root = app(base, "unreadable");
    function(&root, "F", HTTP_JSON, "def main(req):\n    return req\n");
    function(&root, "G", HTTP_JSON, "def main(req):\n    return req\n");
    fs::write(root.join("local.settings.json"), "{}").unwrap();
    for path in ["G", "local.settings.json", "F/function.json"] {
        fs::set_permissions(root.join(path), fs::Permissions::from_mode(0o000)).unwrap();
    }
    let row = judge(
        "unreadable folder and files",
        "",
        check(&root, &[]),
        &[0, 1],
    );
    for path in ["G", "local.settings.json", "F/function.json"] {
        let _ = fs::set_permissions(root.join(path), fs::Permissions::from_mode(0o755));
    }
    vec![row]
}

fn deleted_while_checking(base: &Path, n: usize) -> Vec<Row> {
    let root = app(base, "deleted");
    for i in 0..n {
        function(
            &root,
            &format!("F{i}"),
            HTTP_JSON,
            "def main(req):\n    return req\n",
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    let deleter = {
        let (root, stop) = (root.clone(), stop.clone());
        std::thread::spawn(move || {
            for i in (0..n).rev() {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let dir = root.join(format!("F{i}"));
                let _ = fs::remove_file(dir.join("__init__.py"));
                let _ = fs::remove_file(dir.join("function.json"));
                let _ = fs::remove_dir(&dir);
            }
        })
    };
    let result = check(&root, &[]);
    stop.store(true, Ordering::Relaxed);
    deleter.join().unwrap();
    vec![judge("files deleted while checking", n, result, &[0, 1])]
}

fn nested_folders(base: &Path, depth: usize) -> Vec<Row> {
    let root = app(base, "nested");
    function(&root, "F", HTTP_JSON, "def main(req):\n    return req\n");
    // Deeper than PATH_MAX: built one level at a time from inside.
    let here = std::env::current_dir().unwrap();
    std::env::set_current_dir(&root).unwrap();
    for _ in 0..depth {
        fs::create_dir("d").unwrap();
        std::env::set_current_dir("d").unwrap();
    }
    fs::write("function.json", HTTP_JSON).unwrap();
    fs::write("x.py", "x = 1\n").unwrap();
    std::env::set_current_dir(here).unwrap();
    vec![judge("nested folders", depth, check(&root, &[]), &[0, 1])]
}

fn huge_files(base: &Path) -> Vec<Row> {
    let root = app(base, "huge");
    function(&root, "F", HTTP_JSON, "def main(req):\n    return req\n");
    let big = 64 * 1024 * 1024;
    let line = "x = 1\n".repeat(big / 6);
    fs::write(root.join("F/__init__.py"), &line).unwrap();
    fs::write(root.join("F/helper.py"), &line).unwrap();
    let mut json = String::from("{\"bindings\": [");
    while json.len() < big {
        json.push_str("{\"type\": \"http\", \"direction\": \"out\", \"name\": \"x\"},");
    }
    json.push_str("{}]}");
    fs::write(root.join("F/function.json"), &json).unwrap();
    fs::write(root.join("local.settings.json"), &json).unwrap();
    fs::write(
        root.join("requirements.txt"),
        "azure-functions\n".repeat(big / 16),
    )
    .unwrap();
    let sparse = fs::File::create(root.join("F/sparse.py")).unwrap();
    sparse.set_len(8 << 30).unwrap();
    vec![judge(
        "huge files (64 MiB, 8 GiB sparse)",
        "",
        check(&root, &[]),
        &[0, 1],
    )]
}

/// One function with `n` output bindings, each a parameter of `main`.
fn many_bindings(base: &Path, n: usize) -> Row {
    let root = bindings_app(base, n);
    judge("bindings in one function", n, check(&root, &[]), &[0, 1])
}

/// The app of [`many_bindings`].
fn bindings_app(base: &Path, n: usize) -> PathBuf {
    let root = app(base, &format!("bindings_{n}"));
    let mut bindings =
        vec![r#"{"type": "httpTrigger", "direction": "in", "name": "req"}"#.to_string()];
    let mut params = vec!["req".to_string()];
    for i in 0..n {
        bindings.push(format!(
            r#"{{"type": "queue", "direction": "out", "name": "out{i}", "queueName": "q{i}", "connection": "C{i}"}}"#
        ));
        params.push(format!("out{i}"));
    }
    let json = format!("{{\"bindings\": [{}]}}", bindings.join(",\n"));
    let script = format!("def main({}):\n    return None\n", params.join(", "));
    function(&root, "F", &json, &script);
    root
}

/// An HTTP route with `n` parameters and a blob path with `n` tokens the route does not supply.
fn route_params(base: &Path, n: usize) -> Row {
    let root = app(base, &format!("route_{n}"));
    let route: Vec<String> = (0..n).map(|i| format!("{{p{i}}}")).collect();
    let path: Vec<String> = (0..n).map(|i| format!("{{q{i}}}")).collect();
    let json = format!(
        r#"{{"bindings": [{{"type": "httpTrigger", "direction": "in", "name": "req", "route": "{}"}}, {{"type": "blob", "direction": "out", "name": "doc", "path": "c/{}", "connection": "S"}}, {{"type": "http", "direction": "out", "name": "$return"}}]}}"#,
        route.join("/"),
        path.join("/")
    );
    function(&root, "F", &json, "def main(req, doc):\n    return req\n");
    judge("route params + path tokens", n, check(&root, &[]), &[0, 1])
}

/// `header`, then `item(i)` for each `i` below `n`: one module of many functions.
fn repeated(header: &str, n: usize, item: impl Fn(usize) -> String) -> String {
    let mut module = String::from(header);
    for i in 0..n {
        module.push_str(&item(i));
    }
    module
}

/// A decorator app whose `function_app.py` holds `n` HTTP functions, each with an undecorated
/// helper, a read of a setting local.settings.json lacks, reads of a declared and of an unknown
/// route parameter and a CORS header, and every other one a parameter the fix of AZF201 renames:
/// rules and fixes that look at the whole module once per function grow with n².
fn decorated_functions(base: &Path, n: usize) -> Row {
    let root = decorated_app(base, n);
    judge(
        "decorated functions in one module",
        n,
        check(&root, &[]),
        &[0, 1],
    )
}

/// The app of [`decorated_functions`]: `function_app.py` of `n` decorated functions, each with a
/// helper.
fn decorated_app(base: &Path, n: usize) -> PathBuf {
    let root = app(base, &format!("decorated_{n}"));
    fs::write(
        root.join("local.settings.json"),
        r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python"}}"#,
    )
    .unwrap();
    let header = "import os\n\nimport azure.functions as func\n\napp = func.FunctionApp()\n\n";
    let module = repeated(header, n, |i| {
        // Every other parameter is not the trigger's name: a finding whose fix renames it.
        let req = if i % 2 == 0 { "req" } else { "request" };
        format!(
            "def helper_{i}(value: int) -> int:\n    return value + {i}\n\n\n@app.route(route=\"r{i}/{{id}}\")\ndef f{i}({req}: func.HttpRequest) -> func.HttpResponse:\n    key = os.environ[\"KEY_{i}\"] + {req}.route_params[\"id\"] + {req}.route_params.get(\"item\", \"\")\n    headers = {{\"Access-Control-Allow-Origin\": \"*\"}}\n    return func.HttpResponse(key + str(helper_{i}(1)), headers=headers)\n\n\n"
        )
    });
    fs::write(root.join("function_app.py"), module).unwrap();
    root
}

/// An app the language server is started on: a name for its rows, the app at a size N, the
/// module opened and typed in, and how many functions N makes.
struct Served {
    /// Its rows are `served <name>: <what was timed>`.
    name: &'static str,
    /// The 4N of a full run.
    full: usize,
    /// Writes the app at a size under a folder and returns its root.
    app: fn(&Path, usize) -> PathBuf,
    /// The module opened and typed in, relative to the root.
    module: &'static str,
    /// How many functions the server finds at a size.
    functions: fn(usize) -> usize,
}

const SERVED: [Served; 6] = [
    Served {
        name: "decorated",
        full: 8000,
        app: decorated_app,
        module: "function_app.py",
        functions: |n| n,
    },
    Served {
        name: "durable",
        full: 8000,
        app: durable_app,
        module: "function_app.py",
        functions: |n| 3 * n,
    },
    Served {
        name: "settings",
        full: 8000,
        app: settings_app,
        module: "function_app.py",
        functions: |n| n,
    },
    Served {
        name: "shared script",
        full: 8000,
        app: shared_script_app,
        module: "shared/app.py",
        functions: |n| n,
    },
    Served {
        name: "bindings",
        full: 4000,
        app: bindings_app,
        module: "F/__init__.py",
        functions: |_| 1,
    },
    Served {
        name: "definitions",
        full: 200_000,
        app: definitions_app,
        module: "F/__init__.py",
        functions: |_| 1,
    },
];

/// The language server on `shape` at size `n`: `initialized` → the end of indexing, then the
/// requests that go over every function of the module (see [`serve`]), then a keystroke in it →
/// its diagnostics. A row each; the peak memory is the server's.
fn served(base: &Path, shape: &Served, n: usize) -> Vec<Row> {
    let root = (shape.app)(base, n);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let functions = (shape.functions)(n);
    let (timings, peak_kib, code) = runtime.block_on(serve(&root, shape.module, functions));
    timings
        .into_iter()
        .map(|(what, secs)| {
            let run = Run {
                code,
                signal: None,
                secs,
                peak_kib,
                stdout_bytes: 0,
                killed: false,
            };
            judge(&format!("served {}: {what}", shape.name), n, run, &[0])
        })
        .collect()
}

/// Sends a request and records how long its answer took under `case`.
async fn timed(
    client: &mut TestClient,
    timings: &mut Vec<(&'static str, f64)>,
    case: &'static str,
    method: &str,
    params: Value,
) -> Value {
    let started = Instant::now();
    // An error answer (nothing to rename there) is an answer too.
    let answer = client.request(method, params).await.unwrap_or_else(|e| e);
    timings.push((case, started.elapsed().as_secs_f64()));
    answer
}

/// Starts the server over stdio on `root` (an app of `n` functions, each with its entry in
/// `module`), and times its start-up, `workspace/symbol` (every function), then with `module`
/// open `textDocument/documentSymbol`, code lenses, inlay hints and links of the whole module,
/// its fix-all action, references, definition, rename, completion and hover at the last
/// function's parameter, a completion in `Values` of local.settings.json, and a keystroke in the
/// first function's body. Returns the timings, the server's peak memory and its exit code
/// after `shutdown` and `exit`.
async fn serve(
    root: &Path,
    module: &str,
    n: usize,
) -> (Vec<(&'static str, f64)>, u64, Option<i32>) {
    let mut command = tokio::process::Command::new(BIN);
    command.env("AZFUNC_LSP_LOG", "off").stderr(Stdio::null());
    let (mut child, mut client) = TestClient::spawn(command);
    let pid = child.id().unwrap() as libc::pid_t;
    client.disable_log();
    let folder = json!([{"uri": file_uri(root), "name": "app"}]);
    client
        .request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": push_caps(), "workspaceFolders": folder}),
        )
        .await
        .unwrap();
    let mut timings = Vec::new();
    let started = Instant::now();
    client.notify("initialized", json!({})).await;
    client
        .wait_notification(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        .await;
    timings.push(("start-up", started.elapsed().as_secs_f64()));
    let status = client.request("azfunc/status", Value::Null).await.unwrap();
    assert_eq!(status["functions"], n);
    let module = root.join(module);
    let uri = file_uri(&module);
    let text = fs::read_to_string(&module).unwrap();
    let started = Instant::now();
    let symbols = client
        .request("workspace/symbol", json!({"query": ""}))
        .await
        .unwrap();
    timings.push(("workspace symbols", started.elapsed().as_secs_f64()));
    assert_eq!(symbols.as_array().map(Vec::len), Some(n));
    client.open(&uri, "python", 1, &text).await;
    client
        .wait_notification(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 1
        })
        .await;
    let doc = json!({"textDocument": {"uri": uri}});
    let symbols = timed(
        &mut client,
        &mut timings,
        "document symbols",
        "textDocument/documentSymbol",
        doc.clone(),
    )
    .await;
    // A decorator module's functions are its symbols (a function.json app's are in its
    // function.json files).
    let decorated = module.ends_with("function_app.py");
    assert!(
        symbols
            .as_array()
            .is_some_and(|s| s.len() >= n || !decorated),
        "{uri}: {symbols}"
    );
    let lenses = timed(
        &mut client,
        &mut timings,
        "code lenses",
        "textDocument/codeLens",
        doc.clone(),
    )
    .await;
    assert!(lenses.as_array().is_some_and(|l| l.len() >= n));
    let lines = text.lines().count();
    let whole =
        json!({"start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}});
    let hints = timed(
        &mut client,
        &mut timings,
        "inlay hints",
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": whole}),
    )
    .await;
    assert!(
        hints
            .as_array()
            .is_some_and(|h| !h.is_empty() || !decorated),
        "{hints}"
    );
    timed(
        &mut client,
        &mut timings,
        "document links",
        "textDocument/documentLink",
        doc.clone(),
    )
    .await;
    // Empty where no finding has an automatic fix.
    timed(&mut client, &mut timings, "fix all", "textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": [], "only": ["source.fixAll"]}})).await;
    // The parameter of the last function: its references in the module.
    let last = text.rfind("\ndef ").map_or(0, |at| at + 1);
    let param = text[..last].lines().count();
    let column = text[last..].find('(').unwrap() + 1;
    let at =
        json!({"textDocument": {"uri": uri}, "position": {"line": param, "character": column}});
    let mut references = at.clone();
    references["context"] = json!({"includeDeclaration": true});
    timed(
        &mut client,
        &mut timings,
        "references",
        "textDocument/references",
        references,
    )
    .await;
    timed(
        &mut client,
        &mut timings,
        "definition",
        "textDocument/definition",
        at.clone(),
    )
    .await;
    let mut rename = at.clone();
    rename["newName"] = json!("renamed");
    timed(
        &mut client,
        &mut timings,
        "rename",
        "textDocument/rename",
        rename,
    )
    .await;
    timed(
        &mut client,
        &mut timings,
        "completion",
        "textDocument/completion",
        at.clone(),
    )
    .await;
    timed(&mut client, &mut timings, "hover", "textDocument/hover", at).await;
    // A key in `Values` of local.settings.json: the settings it lacks that bindings name.
    let settings = root.join("local.settings.json");
    if let Ok(settings_text) = fs::read_to_string(&settings) {
        let settings_uri = file_uri(&settings);
        client.open(&settings_uri, "json", 1, &settings_text).await;
        let values = settings_text.find("\"Values\": {").unwrap() + "\"Values\": {".len();
        let line = settings_text[..values].lines().count() - 1;
        let character = settings_text[..values].lines().last().unwrap().len();
        timed(
            &mut client,
            &mut timings,
            "settings completion",
            "textDocument/completion",
            json!({"textDocument": {"uri": settings_uri}, "position": {"line": line, "character": character}}),
        )
        .await;
    }
    // A keystroke in the first function's body (line 1 of its `def`, after the indent).
    let line = text
        .lines()
        .position(|l| l.starts_with("def "))
        .expect("a function")
        + 1;
    let started = Instant::now();
    client
        .change(
            &uri,
            2,
            json!([{"range": {"start": {"line": line, "character": 4}, "end": {"line": line, "character": 4}}, "text": "x"}]),
        )
        .await;
    client
        .wait_notification(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 2
        })
        .await;
    timings.push(("keystroke", started.elapsed().as_secs_f64()));
    let peak_kib = vm_hwm_kib(pid).unwrap_or(0);
    client.shutdown().await;
    let code = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .ok()
        .and_then(|status| status.ok()?.code());
    (timings, peak_kib, code)
}

/// A Durable Functions app whose `function_app.py` holds `n` orchestrators, each with its
/// activity and an HTTP starter: every orchestrator calls one activity it has and one the app
/// lacks, reads the clock and logs (findings of AZF801, AZF803, AZF804 and AZF806 with fixes).
/// A rule that compares each call with every function grows with n².
fn durable_functions(base: &Path, n: usize) -> Row {
    let root = durable_app(base, n);
    judge(
        "durable functions in one module",
        n,
        check(&root, &[]),
        &[0, 1],
    )
}

/// The app of [`durable_functions`].
fn durable_app(base: &Path, n: usize) -> PathBuf {
    let root = app(base, &format!("durable_{n}"));
    fs::write(
        root.join("requirements.txt"),
        "azure-functions\nazure-functions-durable\n",
    )
    .unwrap();
    let header = "import datetime\nimport logging\n\nimport azure.durable_functions as df\nimport azure.functions as func\n\napp = df.DFApp()\n\n";
    let module = repeated(header, n, |i| {
        format!(
            "@app.orchestration_trigger(context_name=\"context\")\ndef orchestrator_{i}(context: df.DurableOrchestrationContext):\n    now = datetime.datetime.now()\n    logging.info(\"started\")\n    first = yield context.call_activity(\"missing_{i}\", str(now))\n    return (yield context.call_activity(\"activity_{i}\", first))\n\n\n@app.activity_trigger(input_name=\"payload\")\ndef activity_{i}(payload: str) -> str:\n    return payload\n\n\n@app.route(route=\"start_{i}\")\n@app.durable_client_input(client_name=\"client\")\nasync def start_{i}(req: func.HttpRequest, client) -> func.HttpResponse:\n    client.start_new(\"orchestrator_{i}\")\n    return client.create_check_status_response(req, \"id\")\n\n\n"
        )
    });
    fs::write(root.join("function_app.py"), module).unwrap();
    root
}

/// A decorator app of `n` queue functions, each naming a `%setting%` that local.settings.json
/// (itself `n` settings long, one a line) lacks: a finding of AZF309 whose fixes suggest a near
/// setting and add the missing one. A fix that reads the whole settings file again (its JSON,
/// its line breaks, its indentation) grows with n².
fn unresolved_settings(base: &Path, n: usize) -> Row {
    let root = settings_app(base, n);
    judge(
        "unresolved settings, long settings file",
        n,
        check(&root, &["--format", "json"]),
        &[0, 1],
    )
}

/// The app of [`unresolved_settings`].
fn settings_app(base: &Path, n: usize) -> PathBuf {
    let root = app(base, &format!("unresolved_settings_{n}"));
    // One setting a line, as Core Tools writes the file: the fix that adds one follows the
    // file's line breaks and indentation.
    let mut values = String::from("\n    \"FUNCTIONS_WORKER_RUNTIME\": \"python\",\n    \"AzureWebJobsStorage\": \"UseDevelopmentStorage=true\"");
    for i in 0..n {
        let _ = write!(values, ",\n    \"Defined{i}\": \"v\"");
    }
    fs::write(
        root.join("local.settings.json"),
        format!("{{\n  \"IsEncrypted\": false,\n  \"Values\": {{{values}\n  }}\n}}\n"),
    )
    .unwrap();
    let header = "import azure.functions as func\n\napp = func.FunctionApp()\n\n";
    let module = repeated(header, n, |i| {
        format!("@app.queue_trigger(arg_name=\"msg\", queue_name=\"%Missing{i}%\", connection=\"AzureWebJobsStorage\")\ndef q{i}(msg: func.QueueMessage) -> None:\n    pass\n\n\n")
    });
    fs::write(root.join("function_app.py"), module).unwrap();
    root
}

/// `n` function.json functions whose `scriptFile` is one shared module, each running its own
/// `def` there, with a parameter that is not its binding's name (AZF201, whose fix renames it
/// wherever the function is shared): a rule or fix that looks at the whole script, or at every
/// function of it, once per function grows with n².
fn shared_script(base: &Path, n: usize) -> Row {
    let root = shared_script_app(base, n);
    judge(
        "function.json functions sharing a script",
        n,
        check(&root, &["--format", "json"]),
        &[0, 1],
    )
}

/// The app of [`shared_script`].
fn shared_script_app(base: &Path, n: usize) -> PathBuf {
    let root = app(base, &format!("shared_script_{n}"));
    fs::create_dir_all(root.join("shared")).unwrap();
    let mut module = String::from("import azure.functions as func\n\n");
    for i in 0..n {
        let _ = write!(
            module,
            "def f{i}(request: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"{i}\")\n\n\n"
        );
        let json = format!(
            r#"{{"scriptFile": "../shared/app.py", "entryPoint": "f{i}", "bindings": [{{"type": "httpTrigger", "direction": "in", "name": "req"}}, {{"type": "http", "direction": "out", "name": "$return"}}]}}"#
        );
        let dir = root.join(format!("F{i}"));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("function.json"), json).unwrap();
    }
    fs::write(root.join("shared").join("app.py"), module).unwrap();
    root
}

/// One script with `n` reads of settings that local.settings.json lacks (one diagnostic each),
/// rendered as text and as JSON.
fn many_diagnostics(base: &Path, n: usize) -> Vec<Row> {
    let root = app(base, &format!("diagnostics_{n}"));
    let mut script = String::from("import os\n\n\ndef main(req):\n    return req\n\n");
    for i in 0..n {
        let _ = writeln!(script, "V{i} = os.environ[\"K{i}\"]");
    }
    function(&root, "F", HTTP_JSON, &script);
    fs::write(
        root.join("local.settings.json"),
        r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python"}}"#,
    )
    .unwrap();
    let text = judge(
        "diagnostics in one file, as text",
        n,
        check(&root, &["--format", "text"]),
        &[0, 1],
    );
    let json = judge(
        "diagnostics in one file, as JSON",
        n,
        check(&root, &["--format", "json"]),
        &[0, 1],
    );
    vec![text, json]
}

/// A module with `n` top-level definitions.
fn many_definitions(base: &Path, n: usize) -> Row {
    let root = definitions_app(base, n);
    judge("definitions in one module", n, check(&root, &[]), &[0, 1])
}

/// The app of [`many_definitions`].
fn definitions_app(base: &Path, n: usize) -> PathBuf {
    let root = app(base, &format!("definitions_{n}"));
    let mut script = String::from("def main(req):\n    return req\n");
    for i in 0..n {
        let _ = writeln!(script, "def f{i}():\n    pass");
    }
    function(&root, "F", HTTP_JSON, &script);
    root
}

/// function.json, host.json and local.settings.json: an unterminated string, then deep nesting.
fn deep_json(base: &Path, depth: usize) -> Row {
    let root = app(base, &format!("deep_json_{depth}"));
    let json = format!(
        "{{\"bindings\": [{{\"type\": \"x\n{}{}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    function(&root, "F", &json, "def main(req):\n    return req\n");
    fs::write(root.join("host.json"), &json).unwrap();
    fs::write(root.join("local.settings.json"), &json).unwrap();
    judge(
        "deep JSON after an unterminated string",
        depth,
        check(&root, &[]),
        &[1],
    )
}

/// `x = x = … = 1` with `n` targets, in a script and in a decorator app's module.
fn assignment_chain(base: &Path, n: usize) -> Row {
    let root = app(base, &format!("chain_{n}"));
    let chain = "x = ".repeat(n);
    let script = format!("def main(req):\n    return req\n\n{chain}1\n");
    function(&root, "F", HTTP_JSON, &script);
    let module =
        format!("import azure.functions as func\n\napp = func.FunctionApp()\n\n{chain}1\n");
    fs::write(root.join("function_app.py"), module).unwrap();
    judge("x = x = … = 1 chain", n, check(&root, &[]), &[0, 1])
}

/// A generator of one hostile shape: its workspace at a size, checked.
type MakeCase = fn(&Path, usize) -> Row;

fn pair(rows: &mut Vec<Row>, baseline: u64, small: Row, large: Row) {
    let mut large = large;
    scaling(&small, &mut large, baseline);
    rows.push(small);
    rows.push(large);
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let only: Option<Vec<String>> = std::env::var("AZFUNC_HOSTILE_ONLY")
        .ok()
        .map(|v| v.split(',').map(str::to_string).collect());
    let wanted = |name: &str| only.as_ref().is_none_or(|o| o.iter().any(|x| x == name));
    let scale = if quick { 4 } else { 1 };
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    let baseline = run(base, &["--version"]).peak_kib;
    let mut rows: Vec<Row> = Vec::new();
    if wanted("symlinks") {
        rows.extend(symlink_loops(base));
    }
    if wanted("fifos") {
        rows.extend(fifos(base));
    }
    if wanted("unreadable") {
        rows.extend(unreadable(base));
    }
    if wanted("deleted") {
        rows.extend(deleted_while_checking(base, 4000 / scale));
    }
    if wanted("nested") {
        rows.extend(nested_folders(base, 10_000));
    }
    if wanted("huge") {
        rows.extend(huge_files(base));
    }
    if wanted("bindings") {
        let n = 1000 / scale;
        pair(
            &mut rows,
            baseline,
            many_bindings(base, n),
            many_bindings(base, 4 * n),
        );
    }
    if wanted("route") {
        let n = 1000 / scale;
        pair(
            &mut rows,
            baseline,
            route_params(base, n),
            route_params(base, 4 * n),
        );
    }
    if wanted("diagnostics") {
        let n = 2000 / scale;
        let mut small = many_diagnostics(base, n);
        let mut large = many_diagnostics(base, 4 * n);
        // Text (with source snippets) may cost a few times JSON, not more.
        for set in [&mut small, &mut large] {
            let json = set[1].run.secs.max(TIME_FLOOR);
            if set[0].run.secs.max(TIME_FLOOR) > TEXT_OVER_JSON * json {
                let ratio = set[0].run.secs / json;
                set[0]
                    .problems
                    .push(format!("text takes ×{ratio:.1} the JSON time"));
            }
        }
        let (small_json, large_json) = (small.pop().unwrap(), large.pop().unwrap());
        let (small_text, large_text) = (small.pop().unwrap(), large.pop().unwrap());
        pair(&mut rows, baseline, small_text, large_text);
        pair(&mut rows, baseline, small_json, large_json);
    }
    // Each shape at N / 4 and at N functions (definitions, levels…), in this order.
    let scaled: [(&str, usize, MakeCase); 7] = [
        ("definitions", 200_000, many_definitions),
        ("decorated", 8000, decorated_functions),
        ("durable", 8000, durable_functions),
        ("settings", 8000, unresolved_settings),
        ("shared_script", 8000, shared_script),
        ("deep_json", 100_000, deep_json),
        ("chain", 8000, assignment_chain),
    ];
    for (name, full, make) in scaled {
        if wanted(name) {
            let n = full / scale;
            pair(&mut rows, baseline, make(base, n / 4), make(base, n));
        }
    }
    for shape in &SERVED {
        if wanted(&format!("served {}", shape.name)) || wanted("served") {
            // Half the full size in quick runs, not a quarter: what grows with the square of
            // the module must stand out from the requests' floor.
            let n = shape.full / scale.min(2);
            let small = served(base, shape, n / 4);
            let large = served(base, shape, n);
            for (small, large) in small.into_iter().zip(large) {
                pair(&mut rows, baseline, small, large);
            }
        }
    }

    println!(
        "\nhostile workspaces ({}; binary baseline {} MiB)\n",
        if quick { "quick" } else { "full" },
        baseline / 1024
    );
    println!(
        "{:<44} {:>7} {:>9} {:>9} {:>10} {:>11}  result",
        "case", "N", "exit", "time", "peak RSS", "output"
    );
    let mut failed = 0;
    for row in &rows {
        let verdict = if row.problems.is_empty() {
            "PASS".to_string()
        } else {
            failed += 1;
            format!("FAIL: {}", row.problems.join("; "))
        };
        println!(
            "{:<44} {:>7} {:>9} {:>7.2} s {:>6} MiB {:>7} KiB  {verdict}",
            row.case,
            row.size,
            row.run.exit(),
            row.run.secs,
            row.run.peak_kib / 1024,
            row.run.stdout_bytes / 1024,
        );
    }
    println!("\n{} cases, {failed} failed", rows.len());
    if failed > 0 {
        std::process::exit(1);
    }
}
