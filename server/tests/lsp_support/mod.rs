//! An LSP test client speaking raw `Content-Length` framed JSON-RPC, either to an in-process
//! server over `tokio::io::duplex` or to the built binary over real stdio.
//!
//! Server-to-client requests are answered automatically (`workspace/configuration` from
//! [`TestClient::set_settings`], everything else with `null`) and recorded.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;

/// How long to wait for the server: 20 s, or `AZFUNC_TEST_TIMEOUT_SECS` for runs that are slow on
/// purpose (under a profiler such as callgrind).
pub static TIMEOUT: std::sync::LazyLock<Duration> = std::sync::LazyLock::new(|| {
    let secs = std::env::var("AZFUNC_TEST_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    Duration::from_secs(secs)
});

type Writer = Arc<tokio::sync::Mutex<Box<dyn AsyncWrite + Unpin + Send>>>;

#[derive(Default)]
struct Inbox {
    /// Notifications not yet consumed, in arrival order. A deque: a waiter takes one from near
    /// the front while tens of thousands may be queued behind it (a start-up's diagnostics).
    notifications: VecDeque<Value>,
    /// Every server-to-client request, in arrival order.
    server_requests: Vec<Value>,
    /// Every message the server sent, in arrival order (for protocol snapshots).
    log: Vec<Value>,
    responses: HashMap<i64, oneshot::Sender<Value>>,
    early: HashMap<i64, Value>,
    closed: bool,
    /// Don't keep `log` (benchmarks).
    no_log: bool,
    /// When each response's bytes had all arrived, by id, once [`TestClient::record_arrivals`]
    /// is called (benchmarks: the server's part of a round trip, without the client's parse).
    arrivals: Option<HashMap<i64, std::time::Instant>>,
}

pub struct TestClient {
    writer: Writer,
    inbox: Arc<Mutex<Inbox>>,
    notify: Arc<Notify>,
    settings: Arc<Mutex<Value>>,
    next_id: i64,
    server: Option<JoinHandle<()>>,
    reader_task: JoinHandle<()>,
    /// The response to `initialize`.
    pub init: Value,
}

/// Client capabilities of a push client (like VS Code before pull diagnostics) offering
/// UTF-16 only.
pub fn push_caps() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-16"]},
        "textDocument": {
            "synchronization": {"dynamicRegistration": false},
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "completion": {"completionItem": {"snippetSupport": true, "documentationFormat": ["markdown"]}},
            "publishDiagnostics": {"relatedInformation": true, "versionSupport": true}
        },
        "workspace": {
            "workspaceFolders": true,
            "configuration": true,
            "didChangeWatchedFiles": {"dynamicRegistration": true}
        },
        "window": {"workDoneProgress": true}
    })
}

/// Client capabilities of a pull client offering UTF-8 (like Neovim 0.11).
pub fn pull_caps() -> Value {
    let mut caps = push_caps();
    caps["general"]["positionEncodings"] = json!(["utf-8", "utf-16"]);
    caps["textDocument"]["diagnostic"] =
        json!({"dynamicRegistration": false, "relatedDocumentSupport": false});
    caps["workspace"]["diagnostics"] = json!({"refreshSupport": true});
    caps
}

pub fn file_uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                s.push(b as char)
            }
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    s
}

/// Copies a fixture app from `tests/fixtures/lsp/<name>` into a fresh temp dir; returns the dir
/// (keep it alive) and the app root inside it.
pub fn fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/lsp")
        .join(name);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(name);
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

/// The next message, with the instant its last byte was read (before it is parsed).
async fn read_message<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> Option<(Value, std::time::Instant)> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0u8; length?];
    reader.read_exact(&mut body).await.ok()?;
    let arrived = std::time::Instant::now();
    Some((serde_json::from_slice(&body).ok()?, arrived))
}

impl TestClient {
    /// Starts an in-process server (debug requests enabled) and initializes it.
    pub async fn start(caps: Value, folders: &[&Path], options: Option<Value>) -> TestClient {
        let (client_w, server_r) = tokio::io::duplex(1 << 16);
        let (server_w, client_r) = tokio::io::duplex(1 << 16);
        let server = tokio::spawn(azfunc_lsp::lsp::serve_with(
            server_r,
            server_w,
            azfunc_lsp::lsp::ServeOptions {
                debug_requests: true,
            },
        ));
        Self::connect(
            Box::new(client_w),
            client_r,
            Some(server),
            caps,
            folders,
            options,
        )
        .await
    }

    /// Like [`TestClient::start`], with `workspace/configuration` answering `settings` from the
    /// first request on (before `initialized` is sent).
    pub async fn start_with_settings(
        caps: Value,
        folders: &[&Path],
        settings: Value,
    ) -> TestClient {
        let (client_w, server_r) = tokio::io::duplex(1 << 16);
        let (server_w, client_r) = tokio::io::duplex(1 << 16);
        let server = tokio::spawn(azfunc_lsp::lsp::serve_with(
            server_r,
            server_w,
            azfunc_lsp::lsp::ServeOptions {
                debug_requests: true,
            },
        ));
        let client = Self::connect_raw(Box::new(client_w), client_r, Some(server));
        client.set_settings(settings);
        Self::initialize(client, caps, folders, None).await
    }

    /// Connects over any pipe pair and initializes (always awaiting the response first).
    pub async fn connect<R: AsyncRead + Unpin + Send + 'static>(
        writer: Box<dyn AsyncWrite + Unpin + Send>,
        reader: R,
        server: Option<JoinHandle<()>>,
        caps: Value,
        folders: &[&Path],
        options: Option<Value>,
    ) -> TestClient {
        let client = Self::connect_raw(writer, reader, server);
        Self::initialize(client, caps, folders, options).await
    }

    /// Sends `initialize` (awaiting the response) and `initialized`.
    pub async fn initialize(
        mut client: TestClient,
        caps: Value,
        folders: &[&Path],
        options: Option<Value>,
    ) -> TestClient {
        let folders: Vec<Value> = folders
            .iter()
            .map(|f| json!({"uri": file_uri(f), "name": f.file_name().unwrap().to_string_lossy()}))
            .collect();
        let mut params = json!({
            "processId": null,
            "rootUri": null,
            "capabilities": caps,
            "workspaceFolders": folders,
        });
        if let Some(options) = options {
            params["initializationOptions"] = options;
        }
        client.init = client
            .request("initialize", params)
            .await
            .expect("initialize");
        client.notify("initialized", json!({})).await;
        client
    }

    /// Starts `command` (the server binary with its arguments and environment) with its stdin
    /// and stdout piped to a client, without initializing; the process is killed when dropped.
    pub fn spawn(mut command: tokio::process::Command) -> (tokio::process::Child, TestClient) {
        let mut child = command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the server binary runs");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        (child, Self::connect_raw(Box::new(stdin), stdout, None))
    }

    /// Connects without initializing.
    pub fn connect_raw<R: AsyncRead + Unpin + Send + 'static>(
        writer: Box<dyn AsyncWrite + Unpin + Send>,
        reader: R,
        server: Option<JoinHandle<()>>,
    ) -> TestClient {
        let writer: Writer = Arc::new(tokio::sync::Mutex::new(writer));
        let inbox = Arc::new(Mutex::new(Inbox::default()));
        let notify = Arc::new(Notify::new());
        let settings = Arc::new(Mutex::new(Value::Null));
        let reader_task = {
            let (writer, inbox, notify, settings) = (
                writer.clone(),
                inbox.clone(),
                notify.clone(),
                settings.clone(),
            );
            tokio::spawn(async move {
                let mut reader = BufReader::new(reader);
                while let Some((msg, arrived)) = read_message(&mut reader).await {
                    let has_id = msg.get("id").is_some_and(|i| !i.is_null());
                    let method = msg
                        .get("method")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    let mut answer = None;
                    {
                        let mut inbox = inbox.lock().unwrap();
                        if !inbox.no_log {
                            inbox.log.push(msg.clone());
                        }
                        match (has_id, method) {
                            (true, Some(method)) => {
                                inbox.server_requests.push(msg.clone());
                                let result = if method == "workspace/configuration" {
                                    let n = msg["params"]["items"].as_array().map_or(1, Vec::len);
                                    Value::Array(vec![settings.lock().unwrap().clone(); n])
                                } else {
                                    Value::Null
                                };
                                answer = Some(
                                    json!({"jsonrpc": "2.0", "id": msg["id"], "result": result}),
                                );
                            }
                            (false, Some(_)) => inbox.notifications.push_back(msg),
                            (true, None) => {
                                let id = msg["id"].as_i64().unwrap_or(-1);
                                if let Some(arrivals) = &mut inbox.arrivals {
                                    arrivals.insert(id, arrived);
                                }
                                match inbox.responses.remove(&id) {
                                    Some(tx) => {
                                        let _ = tx.send(msg);
                                    }
                                    None => {
                                        inbox.early.insert(id, msg);
                                    }
                                }
                            }
                            (false, None) => inbox.notifications.push_back(msg),
                        }
                    }
                    notify.notify_waiters();
                    if let Some(answer) = answer {
                        write_message(&writer, &answer).await;
                    }
                }
                inbox.lock().unwrap().closed = true;
                notify.notify_waiters();
            })
        };
        TestClient {
            writer,
            inbox,
            notify,
            settings,
            next_id: 1,
            server,
            reader_task,
            init: Value::Null,
        }
    }

    /// Stops recording every message in [`TestClient::log`] (benchmarks).
    pub fn disable_log(&self) {
        let mut inbox = self.inbox.lock().unwrap();
        inbox.no_log = true;
        inbox.log.clear();
    }

    /// Records when each response has arrived, for [`TestClient::request_timed`].
    pub fn record_arrivals(&self) {
        self.inbox.lock().unwrap().arrivals = Some(HashMap::new());
    }

    /// What `workspace/configuration` answers from now on.
    pub fn set_settings(&self, value: Value) {
        *self.settings.lock().unwrap() = value;
    }

    pub async fn send_raw(&self, bytes: &[u8]) {
        let mut w = self.writer.lock().await;
        w.write_all(bytes).await.unwrap();
        w.flush().await.unwrap();
    }

    pub async fn send(&self, msg: &Value) {
        write_message(&self.writer, msg).await;
    }

    pub async fn notify(&self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// Sends a request without waiting; returns its id and the channel of its response.
    pub async fn start_request(
        &mut self,
        method: &str,
        params: Value,
    ) -> (i64, oneshot::Receiver<Value>) {
        let id = self.next_id;
        self.next_id += 1;
        let (tx, rx) = oneshot::channel();
        {
            let mut inbox = self.inbox.lock().unwrap();
            match inbox.early.remove(&id) {
                Some(msg) => {
                    let _ = tx.send(msg);
                }
                None => {
                    inbox.responses.insert(id, tx);
                }
            }
        }
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        (id, rx)
    }

    /// Sends a request and waits for its response: `Ok(result)` or `Err(error)`.
    pub async fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let (_, rx) = self.start_request(method, params).await;
        let mut msg = tokio::time::timeout(*TIMEOUT, rx)
            .await
            .unwrap_or_else(|_| panic!("no response to {method} in {:?}", *TIMEOUT))
            .expect("connection closed");
        // Taken, not copied: a large answer's copy would weigh on the benchmarks' latencies.
        match msg.get_mut("error") {
            Some(e) => Err(e.take()),
            None => Ok(msg["result"].take()),
        }
    }

    /// [`TestClient::request`], with the instant the response's last byte was read, before the
    /// client parsed it (needs [`TestClient::record_arrivals`]).
    pub async fn request_timed(
        &mut self,
        method: &str,
        params: Value,
    ) -> (Result<Value, Value>, std::time::Instant) {
        let id = self.next_id;
        let answer = self.request(method, params).await;
        let arrived = self
            .inbox
            .lock()
            .unwrap()
            .arrivals
            .as_mut()
            .and_then(|arrivals| arrivals.remove(&id))
            .expect("record_arrivals before request_timed");
        (answer, arrived)
    }

    /// The instant the response to request `id` was read, before the client parsed it (needs
    /// [`TestClient::record_arrivals`]); taken once.
    pub fn take_arrival(&self, id: i64) -> Option<std::time::Instant> {
        self.inbox.lock().unwrap().arrivals.as_mut()?.remove(&id)
    }

    /// Waits for (and removes) the first notification that satisfies `pred`.
    pub async fn wait_notification(&self, mut pred: impl FnMut(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + *TIMEOUT;
        loop {
            let notified = self.notify.notified();
            {
                let mut inbox = self.inbox.lock().unwrap();
                let found = inbox.notifications.iter().position(&mut pred);
                if let Some(found) = found.and_then(|i| inbox.notifications.remove(i)) {
                    return found;
                }
                if inbox.closed {
                    panic!("connection closed while waiting for a notification");
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let inbox = self.inbox.lock().unwrap();
                panic!(
                    "timed out waiting for a notification; pending: {:#?}",
                    inbox.notifications
                );
            }
        }
    }

    /// Waits for a `publishDiagnostics` of `uri` whose diagnostics satisfy `pred`; earlier
    /// publications of that URI are dropped.
    pub async fn wait_diagnostics(
        &self,
        uri: &str,
        mut pred: impl FnMut(&[Value]) -> bool,
    ) -> Value {
        loop {
            let msg = self
                .wait_notification(|n| {
                    n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
                })
                .await;
            let diags = msg["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if pred(&diags) {
                return msg;
            }
        }
    }

    /// Waits until the server finished indexing (its `azfunc/status` says so).
    pub async fn wait_indexed(&mut self) -> Value {
        let deadline = tokio::time::Instant::now() + *TIMEOUT;
        loop {
            let status = self.request("azfunc/status", Value::Null).await.unwrap();
            if status["initialized"] == true && status["indexing"] == 0 {
                return status;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "indexing did not finish"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Notifications received and not yet consumed.
    pub fn pending_notifications(&self) -> Vec<Value> {
        self.inbox
            .lock()
            .unwrap()
            .notifications
            .iter()
            .cloned()
            .collect()
    }

    pub fn take_notifications(&self) -> Vec<Value> {
        std::mem::take(&mut self.inbox.lock().unwrap().notifications).into()
    }

    pub fn server_requests(&self) -> Vec<Value> {
        self.inbox.lock().unwrap().server_requests.clone()
    }

    /// Every message from the server so far.
    pub fn log(&self) -> Vec<Value> {
        self.inbox.lock().unwrap().log.clone()
    }

    pub async fn open(&self, uri: &str, language: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}}),
        )
        .await;
    }

    pub async fn change(&self, uri: &str, version: i32, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        )
        .await;
    }

    /// The server's copy of a document (`azfunc/documentText`).
    pub async fn server_text(&mut self, uri: &str) -> Option<(String, i64)> {
        let v = self
            .request("azfunc/documentText", json!({"uri": uri}))
            .await
            .unwrap();
        if v.is_null() {
            return None;
        }
        Some((
            v["text"].as_str().unwrap().to_string(),
            v["version"].as_i64().unwrap(),
        ))
    }

    /// `shutdown` + `exit`; asserts that the server stops by itself (stdin stays open).
    pub async fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null).await;
        assert_eq!(r, Ok(Value::Null));
        self.notify("exit", Value::Null).await;
        if let Some(server) = self.server.take() {
            tokio::time::timeout(Duration::from_secs(5), server)
                .await
                .expect("server did not stop after exit")
                .unwrap();
        }
        self.reader_task.abort();
    }
}

async fn write_message(writer: &Writer, msg: &Value) {
    let body = serde_json::to_vec(msg).unwrap();
    let mut w = writer.lock().await;
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    // A closed pipe (server gone) is for the test to notice, not a panic here.
    let _ = w.write_all(header.as_bytes()).await;
    let _ = w.write_all(&body).await;
    let _ = w.flush().await;
}

/// Replaces `root` (and its URI form) in a JSON value's strings by `[ROOT]`.
pub fn redact(value: &Value, root: &Path) -> Value {
    let text = serde_json::to_string(value).unwrap();
    let uri = file_uri(root);
    let text = text
        .replace(&uri, "file://[ROOT]")
        .replace(&root.to_string_lossy().to_string(), "[ROOT]");
    serde_json::from_str(&text).unwrap()
}

/// The codes of a diagnostics list, sorted.
pub fn codes(diags: &[Value]) -> Vec<String> {
    let mut c: Vec<String> = diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect();
    c.sort();
    c
}
