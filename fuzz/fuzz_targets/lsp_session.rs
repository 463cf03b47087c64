//! An LSP session from arbitrary bytes against an in-memory server: documents of a small app
//! are opened, edited (incremental UTF-16 ranges over CRLF, lone CR, emoji, positions past the
//! end, reversed ranges; whole-text replacements), closed and queried with the position
//! requests. After the sequence, the server's copy of every open document must equal a model of
//! the client's text (the positions resolved as `convert::apply_change` documents: clamped to
//! the line's content, lines past the end at the end of the text, inside a character at its
//! start), and every request must have been answered.

#![no_main]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Pieces of text the edits are made of.
const PIECES: &[&str] = &[
    "\r\n",
    "\n",
    "\r",
    "😀",
    "é",
    "x",
    " ",
    "\"",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "(",
    ")",
    "\t",
    "def main(req):\n",
    "import os\n",
    "os.environ[\"KEY\"]",
    "    return req\n",
    "{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"req\", \"direction\": \"in\"}]}",
    "{\"IsEncrypted\": false, \"Values\": {\"KEY\": \"v\"}}",
    "{\"version\": \"2.0\"}",
    "\"name\": \"req\"",
    "@app.route(route=\"a/{id}\")\n",
    "import azure.functions as func\napp = func.FunctionApp()\n",
    "def f(id):\n",
    "\u{2028}",
    "\u{feff}",
    "\0",
];

const DOCS: &[(&str, &str)] = &[
    ("F/__init__.py", "python"),
    ("F/function.json", "json"),
    ("local.settings.json", "json"),
    ("host.json", "json"),
    ("function_app.py", "python"),
    ("../loose.py", "python"),
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
    "textDocument/prepareRename",
    "textDocument/rename",
    "textDocument/documentHighlight",
    "textDocument/diagnostic",
    "$/unknownRequest",
];

#[derive(Arbitrary, Debug)]
struct Text(Vec<u8>);

impl Text {
    fn render(&self) -> String {
        self.0
            .iter()
            .take(24)
            .map(|&b| PIECES[b as usize % PIECES.len()])
            .collect()
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
struct Pos {
    line: u8,
    character: u8,
}

impl Pos {
    /// Mostly inside small documents, sometimes far past the end.
    fn lsp(self) -> Value {
        let line = if self.line >= 250 {
            1000
        } else {
            self.line as u32 % 8
        };
        let character = if self.character >= 240 {
            500
        } else {
            self.character as u32 % 12
        };
        json!({"line": line, "character": character})
    }
}

#[derive(Arbitrary, Debug)]
enum Op {
    Open {
        doc: u8,
        text: Text,
    },
    Edit {
        doc: u8,
        changes: Vec<(Pos, Pos, Text)>,
    },
    Replace {
        doc: u8,
        text: Text,
    },
    Close {
        doc: u8,
    },
    Request {
        doc: u8,
        kind: u8,
        start: Pos,
        end: Pos,
    },
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// A small app on disk (the workspace folder), made once.
fn app_root() -> &'static Path {
    static ROOT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &ROOT
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("app");
            std::fs::create_dir_all(root.join("F")).unwrap();
            std::fs::write(root.join("host.json"), "{\"version\": \"2.0\"}").unwrap();
            std::fs::write(
                root.join("F/function.json"),
                "{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"req\", \"direction\": \"in\"}]}",
            )
            .unwrap();
            std::fs::write(root.join("F/__init__.py"), "def main(req):\n    return req\n").unwrap();
            (dir, root)
        })
        .1
}

fn uri(path: &Path) -> String {
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

/// The byte offset of an LSP position (UTF-16 columns) in the client's model of a text.
fn offset(text: &str, pos: &Value) -> usize {
    let (line, column) = (
        pos["line"].as_u64().unwrap() as usize,
        pos["character"].as_u64().unwrap() as usize,
    );
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        i += match (bytes[i], bytes.get(i + 1)) {
            (b'\r', Some(b'\n')) => 2,
            (b'\r' | b'\n', _) => 1,
            _ => {
                i += 1;
                continue;
            }
        };
        starts.push(i);
    }
    if line >= starts.len() {
        return text.len();
    }
    let start = starts[line];
    let mut end = starts.get(line + 1).copied().unwrap_or(text.len());
    while end > start && matches!(bytes[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    let mut units = 0;
    for (at, c) in text[start..end].char_indices() {
        if units + c.len_utf16() > column {
            return start + at;
        }
        units += c.len_utf16();
    }
    end
}

async fn send<W: AsyncWrite + Unpin>(w: &mut W, msg: &Value) {
    let body = serde_json::to_vec(msg).unwrap();
    w.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await
        .unwrap();
    w.write_all(&body).await.unwrap();
}

/// Reads messages, answering the server's requests, until the response to `id` arrives.
struct Reader<R> {
    inner: R,
    buf: Vec<u8>,
    responses: HashMap<i64, Value>,
}

impl<R: AsyncRead + Unpin> Reader<R> {
    async fn next(&mut self) -> Value {
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let header = String::from_utf8_lossy(&self.buf[..end]).to_string();
                let len: usize = header
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .and_then(|v| v.trim().parse().ok())
                    .expect("the server's frames have a Content-Length");
                if self.buf.len() >= end + 4 + len {
                    let body: Vec<u8> = self.buf.drain(..end + 4 + len).skip(end + 4).collect();
                    return serde_json::from_slice(&body).expect("the server sends JSON");
                }
            }
            let mut chunk = [0u8; 65536];
            let n = self.inner.read(&mut chunk).await.unwrap();
            assert!(n > 0, "the server closed its output");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    async fn wait<W: AsyncWrite + Unpin>(&mut self, writer: &mut W, id: i64) -> Value {
        loop {
            if let Some(v) = self.responses.remove(&id) {
                return v;
            }
            let msg = self.next().await;
            match (msg.get("id").filter(|i| !i.is_null()), msg.get("method")) {
                (Some(server_id), Some(_)) => {
                    let answer = json!({"jsonrpc": "2.0", "id": server_id, "result": null});
                    send(writer, &answer).await;
                    writer.flush().await.unwrap();
                }
                (Some(response_id), None) => {
                    self.responses.insert(response_id.as_i64().unwrap(), msg);
                }
                _ => {}
            }
        }
    }
}

async fn session(ops: Vec<Op>) {
    let root = app_root();
    let (mut client_w, server_r) = tokio::io::duplex(1 << 16);
    let (server_w, client_r) = tokio::io::duplex(1 << 16);
    let server = tokio::spawn(azfunc_lsp::lsp::serve_with(
        server_r,
        server_w,
        azfunc_lsp::lsp::ServeOptions {
            debug_requests: true,
        },
    ));
    let mut reader = Reader {
        inner: client_r,
        buf: Vec::new(),
        responses: HashMap::new(),
    };
    let caps = json!({"general": {"positionEncodings": ["utf-16"]}});
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "processId": null, "rootUri": null, "capabilities": caps,
        "workspaceFolders": [{"uri": uri(root), "name": "app"}]}});
    send(&mut client_w, &init).await;
    client_w.flush().await.unwrap();
    reader.wait(&mut client_w, 0).await;
    send(
        &mut client_w,
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    )
    .await;

    let uris: Vec<String> = DOCS.iter().map(|(rel, _)| uri(&root.join(rel))).collect();
    // The client's model: open documents' text and version.
    let mut open: BTreeMap<usize, (String, i32)> = BTreeMap::new();
    let mut next_id = 1i64;
    let mut pending = Vec::new();
    for op in ops.into_iter().take(64) {
        let msg = match op {
            Op::Open { doc, text } => {
                let d = doc as usize % DOCS.len();
                if open.contains_key(&d) {
                    continue;
                }
                let text = text.render();
                let msg = json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
                    "textDocument": {"uri": uris[d], "languageId": DOCS[d].1, "version": 1, "text": text}}});
                open.insert(d, (text, 1));
                msg
            }
            Op::Edit { doc, changes } => {
                let d = doc as usize % DOCS.len();
                let Some((text, version)) = open.get_mut(&d) else {
                    continue;
                };
                let mut content_changes = Vec::new();
                for (start, end, new) in changes.into_iter().take(8) {
                    let (start, end, new) = (start.lsp(), end.lsp(), new.render());
                    let (a, b) = (offset(text, &start), offset(text, &end));
                    text.replace_range(a.min(b)..a.max(b), &new);
                    content_changes
                        .push(json!({"range": {"start": start, "end": end}, "text": new}));
                }
                *version += 1;
                json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                    "textDocument": {"uri": uris[d], "version": *version}, "contentChanges": content_changes}})
            }
            Op::Replace { doc, text: new } => {
                let d = doc as usize % DOCS.len();
                let Some((text, version)) = open.get_mut(&d) else {
                    continue;
                };
                *text = new.render();
                *version += 1;
                json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                    "textDocument": {"uri": uris[d], "version": *version}, "contentChanges": [{"text": text}]}})
            }
            Op::Close { doc } => {
                let d = doc as usize % DOCS.len();
                if open.remove(&d).is_none() {
                    continue;
                }
                json!({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {
                    "textDocument": {"uri": uris[d]}}})
            }
            Op::Request {
                doc,
                kind,
                start,
                end,
            } => {
                let d = doc as usize % DOCS.len();
                let method = REQUESTS[kind as usize % REQUESTS.len()];
                let (start, end) = (start.lsp(), end.lsp());
                let params = json!({
                    "textDocument": {"uri": uris[d]},
                    "position": start,
                    "range": {"start": start, "end": end},
                    "context": {"includeDeclaration": true, "diagnostics": []},
                    "newName": "renamed",
                });
                let id = next_id;
                next_id += 1;
                pending.push((id, method));
                json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
            }
        };
        send(&mut client_w, &msg).await;
    }
    client_w.flush().await.unwrap();
    let deadline = Duration::from_secs(20);
    for (id, method) in pending {
        let answer = tokio::time::timeout(deadline, reader.wait(&mut client_w, id))
            .await
            .unwrap_or_else(|_| panic!("no answer to {method} (id {id})"));
        assert!(
            answer.get("result").is_some() || answer.get("error").is_some(),
            "{answer}"
        );
    }
    for (d, (text, version)) in &open {
        let id = next_id;
        next_id += 1;
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": "azfunc/documentText",
            "params": {"uri": uris[*d]}});
        send(&mut client_w, &msg).await;
        client_w.flush().await.unwrap();
        let answer = tokio::time::timeout(deadline, reader.wait(&mut client_w, id))
            .await
            .expect("no answer to azfunc/documentText");
        let server = &answer["result"];
        assert_eq!(
            (server["text"].as_str(), server["version"].as_i64()),
            (Some(text.as_str()), Some(*version as i64)),
            "{} diverged",
            DOCS[*d].0
        );
    }
    let id = next_id;
    send(
        &mut client_w,
        &json!({"jsonrpc": "2.0", "id": id, "method": "shutdown"}),
    )
    .await;
    client_w.flush().await.unwrap();
    tokio::time::timeout(deadline, reader.wait(&mut client_w, id))
        .await
        .expect("no answer to shutdown");
    send(&mut client_w, &json!({"jsonrpc": "2.0", "method": "exit"})).await;
    client_w.flush().await.unwrap();
    tokio::time::timeout(deadline, server)
        .await
        .expect("the server did not stop after exit")
        .unwrap();
}

fuzz_target!(|ops: Vec<Op>| {
    runtime().block_on(session(ops));
});
