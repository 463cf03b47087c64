//! A framing guard in front of tower-lsp-server.
//!
//! The framework's reader stops the whole server after the first message it cannot decode
//! (tokio-util's `FramedRead` ends the stream after an error). This guard reads the client's
//! frames itself ([`FrameDecoder`]), forwards the well-formed ones to the framework over an
//! in-memory pipe, and answers the others with a JSON-RPC error (`-32700` for bad JSON or framing,
//! `-32600` for valid JSON that is not a message, `-32601` for a `$/…` request, which the
//! framework would leave unanswered), so a malformed message never ends the session. The
//! framework's output passes through the same guard so that those error responses are written
//! between whole frames.
//!
//! Large results skip the framework's copy: the framework turns every result into a
//! `serde_json::Value` tree and then into text, which for thousands of locations costs more than
//! finding them. A handler may serialize its result itself ([`PreparedResults::put`]) and give the
//! framework a placeholder naming it (one location, or a workspace diagnostic report of one
//! document); [`frames_of`] puts the prepared text in the placeholder's place in the response
//! frame.
//!
//! Resynchronisation: after a bad header block the decoder discards input up to the next
//! `Content-Length: <digits>` line. Those bytes followed by a line break cannot occur inside a
//! JSON body (a JSON string cannot hold a raw line break), so every well-formed frame that follows
//! garbage is found again, unless the garbage itself announces a body that swallows it. Header
//! lines and header blocks are bounded, and a body over the size limit is skipped without being
//! kept, so memory stays bounded whatever the client sends.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Largest message body accepted (a bigger one is answered with an error and skipped).
pub const MAX_BODY: usize = 256 * 1024 * 1024;
/// Longest header line (`Content-Length: …` and the like are a few dozen bytes).
pub const MAX_HEADER_LINE: usize = 1024;
/// Largest header block, blank line included.
pub const MAX_HEADER_BLOCK: usize = 8 * 1024;

const ANCHOR: &[u8] = b"content-length:";
/// Longest `Content-Length:` line the resynchronisation accepts: the name, a few blanks, up to
/// 20 digits and `\r\n`.
const MAX_ANCHOR_LINE: usize = ANCHOR.len() + 16 + 20 + 2;

/// What the decoder found in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A whole frame body.
    Body(Vec<u8>),
    /// A framing problem; the decoder has skipped past it.
    Bad(String),
}

#[derive(Debug, Clone, Copy)]
enum State {
    /// At the start of a header block.
    Header,
    /// Discarding input up to the next `Content-Length:` line.
    Resync,
    /// Waiting for a body of this length.
    Body(usize),
    /// Discarding an oversized body; this many bytes are left.
    Skip(usize),
}

/// An incremental, synchronous decoder of `Content-Length` framed messages: feed it bytes with
/// [`FrameDecoder::push`], take frames with [`FrameDecoder::next_frame`]. It keeps at most one
/// header block or one body (up to its size limit) plus the last pushed chunk.
#[derive(Debug)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    /// Start of the unconsumed bytes in `buf`.
    pos: usize,
    state: State,
    max_body: usize,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        FrameDecoder::new(MAX_BODY)
    }
}

enum HeaderParse {
    Incomplete,
    /// Header block of this many bytes (leading blank lines included), announcing this length.
    Complete(usize, usize),
    Bad(String),
}

impl FrameDecoder {
    /// A decoder accepting bodies up to `max_body` bytes.
    pub fn new(max_body: usize) -> FrameDecoder {
        FrameDecoder {
            buf: Vec::new(),
            pos: 0,
            state: State::Header,
            max_body,
        }
    }

    /// Bytes held (for memory bounds).
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Appends input.
    pub fn push(&mut self, mut bytes: &[u8]) {
        if let State::Skip(left) = self.state {
            let n = left.min(bytes.len());
            bytes = &bytes[n..];
            if n < left {
                self.state = State::Skip(left - n);
                return;
            }
            self.state = State::Header;
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next frame or framing problem, `None` when more input is needed.
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            match self.state {
                State::Skip(_) => return None,
                State::Body(len) => {
                    if self.buffered() < len {
                        return None;
                    }
                    let body = self.buf[self.pos..self.pos + len].to_vec();
                    self.pos += len;
                    self.state = State::Header;
                    return Some(Frame::Body(body));
                }
                State::Resync => {
                    if !self.resync() {
                        return None;
                    }
                    self.state = State::Header;
                }
                State::Header => match self.skip_blank_lines().parse_header() {
                    HeaderParse::Incomplete => return None,
                    HeaderParse::Complete(consumed, len) => {
                        self.pos += consumed;
                        if len > self.max_body {
                            let held = self.buffered().min(len);
                            self.pos += held;
                            self.state = if held == len {
                                State::Header
                            } else {
                                State::Skip(len - held)
                            };
                            return Some(Frame::Bad(format!(
                                "message of {len} bytes is too large"
                            )));
                        }
                        self.state = State::Body(len);
                    }
                    HeaderParse::Bad(problem) => {
                        // Look for the next frame after the first byte of this bad block.
                        self.pos += 1;
                        self.state = State::Resync;
                        return Some(Frame::Bad(problem));
                    }
                },
            }
        }
    }

    /// At the end of the input: the problem with what is left, if anything.
    pub fn finish(&mut self) -> Option<Frame> {
        let rest = &self.buf[self.pos..];
        let truncated = match self.state {
            State::Header => rest.iter().any(|b| !b.is_ascii_whitespace()),
            State::Body(_) | State::Skip(_) => true,
            State::Resync => false,
        };
        self.buf.clear();
        self.pos = 0;
        self.state = State::Header;
        truncated.then(|| Frame::Bad("input ended inside a message".to_string()))
    }

    /// Moves `pos` to the next `Content-Length: <digits>` line; false (keeping only a possible
    /// start of such a line) when more input is needed.
    fn resync(&mut self) -> bool {
        let mut i = self.pos;
        while i < self.buf.len() {
            let rest = &self.buf[i..];
            if !rest[0].eq_ignore_ascii_case(&ANCHOR[0]) {
                i += 1;
                continue;
            }
            match anchor_at(rest) {
                Some(true) => {
                    self.pos = i;
                    return true;
                }
                Some(false) => i += 1,
                None => {
                    self.pos = i;
                    return false;
                }
            }
        }
        self.pos = self.buf.len();
        false
    }

    /// Consumes blank lines before a header block (tolerated between frames).
    fn skip_blank_lines(&mut self) -> &Self {
        loop {
            let rest = &self.buf[self.pos..];
            if rest.starts_with(b"\r\n") {
                self.pos += 2;
            } else if rest.starts_with(b"\n") {
                self.pos += 1;
            } else {
                return self;
            }
        }
    }

    fn parse_header(&self) -> HeaderParse {
        let block = &self.buf[self.pos..];
        let mut at = 0;
        let mut length: Option<usize> = None;
        loop {
            let Some(end) = block[at..].iter().position(|&b| b == b'\n') else {
                let pending = block.len() - at;
                if pending > MAX_HEADER_LINE {
                    return HeaderParse::Bad("header line too long".to_string());
                }
                if block.len() > MAX_HEADER_BLOCK {
                    return HeaderParse::Bad("header too large".to_string());
                }
                return HeaderParse::Incomplete;
            };
            let raw = &block[at..at + end];
            let line = raw.strip_suffix(b"\r").unwrap_or(raw);
            at += end + 1;
            if line.len() > MAX_HEADER_LINE {
                return HeaderParse::Bad("header line too long".to_string());
            }
            if at > MAX_HEADER_BLOCK {
                return HeaderParse::Bad("header too large".to_string());
            }
            if line.is_empty() {
                return match length {
                    Some(len) => HeaderParse::Complete(at, len),
                    None => HeaderParse::Bad("missing Content-Length".to_string()),
                };
            }
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                return HeaderParse::Bad(format!("invalid header line {}", quote(line)));
            };
            let (name, value) = (&line[..colon], trim(&line[colon + 1..]));
            if name.is_empty() || !name.iter().all(|&b| is_token_byte(b)) {
                return HeaderParse::Bad(format!("invalid header line {}", quote(line)));
            }
            if name.eq_ignore_ascii_case(b"content-length") {
                let parsed = parse_length(value);
                match (parsed, length) {
                    (None, _) => {
                        return HeaderParse::Bad(format!("invalid Content-Length {}", quote(value)))
                    }
                    (Some(n), Some(old)) if n != old => {
                        return HeaderParse::Bad("conflicting Content-Length headers".to_string())
                    }
                    (Some(n), _) => length = Some(n),
                }
            }
        }
    }
}

/// Whether `bytes` starts with a `Content-Length: <digits>` line: `Some(true)` yes, `Some(false)`
/// no, `None` when it could still become one with more input.
fn anchor_at(bytes: &[u8]) -> Option<bool> {
    let name_len = ANCHOR.len().min(bytes.len());
    if !bytes[..name_len].eq_ignore_ascii_case(&ANCHOR[..name_len]) {
        return Some(false);
    }
    if bytes.len() < ANCHOR.len() {
        return None;
    }
    let mut digits = 0;
    for (i, &b) in bytes.iter().enumerate().skip(ANCHOR.len()) {
        if i >= MAX_ANCHOR_LINE {
            return Some(false);
        }
        match b {
            b' ' | b'\t' if digits == 0 => {}
            b'0'..=b'9' if digits < 20 => digits += 1,
            b'\n' => return Some(digits > 0),
            b'\r' => return bytes.get(i + 1).map(|&next| digits > 0 && next == b'\n'),
            _ => return Some(false),
        }
    }
    None
}

/// An HTTP token character (header names).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| !b" \t".contains(b));
    let end = bytes.iter().rposition(|b| !b" \t".contains(b));
    match (start, end) {
        (Some(s), Some(e)) => &bytes[s..=e],
        _ => &[],
    }
}

fn parse_length(value: &[u8]) -> Option<usize> {
    if value.is_empty() || value.len() > 20 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

/// A short, printable rendering of client bytes for a log or an error message.
fn quote(bytes: &[u8]) -> String {
    const SHOWN: usize = 60;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(SHOWN)]);
    let mut out = format!("{text:?}");
    if bytes.len() > SHOWN {
        out.push('…');
    }
    out
}

fn error_response(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// What a well-formed body is, for the session bookkeeping.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Shutdown,
    Exit,
    Other,
}

/// Checks a frame body: `Ok` to forward it, `Err` with the error response to send instead.
fn check(body: &[u8]) -> Result<Kind, Value> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Err(error_response(
                Value::Null,
                -32700,
                &format!("Parse error: {e}"),
            ))
        }
    };
    if let Ok(request) = serde_json::from_value::<Request>(value.clone()) {
        let method = request.method();
        // The framework drops `$/…` messages; a request among them still needs an answer.
        if let (true, Some(id)) = (method.starts_with("$/"), request.id()) {
            let id = serde_json::to_value(id).unwrap_or(Value::Null);
            return Err(error_response(
                id,
                -32601,
                &format!("Method not found: {}", quote(method.as_bytes())),
            ));
        }
        return Ok(match (method, request.id()) {
            ("shutdown", Some(_)) => Kind::Shutdown,
            ("exit", None) => Kind::Exit,
            _ => Kind::Other,
        });
    }
    if serde_json::from_value::<Response>(value.clone()).is_ok() {
        return Ok(Kind::Other);
    }
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Err(error_response(id, -32600, "Invalid request"))
}

/// How the client ended the session, as the guard saw it.
#[derive(Debug, Default)]
pub struct SessionEnd {
    shutdown_requested: AtomicBool,
}

impl SessionEnd {
    /// Whether the client asked for `shutdown` before leaving: the specification's condition for
    /// exit code 0 (otherwise 1).
    pub fn clean(&self) -> bool {
        self.shutdown_requested.load(Ordering::SeqCst)
    }
}

/// Copies the client's well-formed frames to `to_server`; reports the others on `errors`.
pub async fn guard_input<R, W>(
    mut input: R,
    mut to_server: W,
    errors: mpsc::UnboundedSender<Outgoing>,
    end: Arc<SessionEnd>,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut decoder = FrameDecoder::default();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut at_end = false;
    'read: while !at_end {
        match input.read(&mut chunk).await {
            Ok(0) | Err(_) => at_end = true,
            Ok(n) => decoder.push(&chunk[..n]),
        }
        loop {
            let frame = if at_end {
                decoder.next_frame().or_else(|| decoder.finish())
            } else {
                decoder.next_frame()
            };
            let Some(frame) = frame else { break };
            let problem = match frame {
                Frame::Body(body) => match check(&body) {
                    Ok(kind) => {
                        if kind == Kind::Shutdown {
                            end.shutdown_requested.store(true, Ordering::SeqCst);
                        }
                        let header = format!("Content-Length: {}\r\n\r\n", body.len());
                        if to_server.write_all(header.as_bytes()).await.is_err()
                            || to_server.write_all(&body).await.is_err()
                            || to_server.flush().await.is_err()
                            || kind == Kind::Exit
                        {
                            break 'read;
                        }
                        continue;
                    }
                    Err(response) => {
                        tracing::warn!("malformed message from the client: {response}");
                        response
                    }
                },
                Frame::Bad(problem) => {
                    tracing::warn!("malformed frame from the client: {problem}");
                    error_response(Value::Null, -32700, &format!("Parse error: {problem}"))
                }
            };
            let _ = errors.send(Outgoing::Error(problem));
        }
    }
    if at_end {
        let _ = to_server.shutdown().await;
    }
}

/// The URI scheme of a placeholder location: no file of an app has it.
const PREPARED_SCHEME: &str = "azfunc-prepared:";
/// Results kept for responses that have not gone out (a cancelled request's response never
/// does: the oldest are dropped beyond this).
const MAX_PREPARED: usize = 16;
/// The largest frame that may be a placeholder response (an id, one location or document report).
const MAX_PLACEHOLDER_FRAME: usize = 512;

/// Results serialized by their handlers, waiting for their response frames.
#[derive(Debug, Default)]
pub struct PreparedResults {
    next: AtomicU64,
    results: Mutex<BTreeMap<u64, Vec<u8>>>,
}

impl PreparedResults {
    /// Keeps `json` (a serialized result) and returns the URI of the placeholder that stands for
    /// it: the handler answers a list of locations holding only a location with that URI, or a
    /// workspace diagnostic report holding only a document report with that URI.
    pub fn put(&self, json: Vec<u8>) -> String {
        let token = self.next.fetch_add(1, Ordering::Relaxed);
        let mut results = self.results.lock().unwrap_or_else(|e| e.into_inner());
        results.insert(token, json);
        while results.len() > MAX_PREPARED {
            results.pop_first();
        }
        format!("{PREPARED_SCHEME}{token}")
    }

    /// The response frame `body` with its placeholder result replaced by the prepared one;
    /// `None` when `body` is not a placeholder response.
    pub fn substitute(&self, body: &[u8]) -> Option<Vec<u8>> {
        if body.len() > MAX_PLACEHOLDER_FRAME
            || !body
                .windows(PREPARED_SCHEME.len())
                .any(|w| w == PREPARED_SCHEME.as_bytes())
        {
            return None;
        }
        let response: Value = serde_json::from_slice(body).ok()?;
        let result = response.get("result")?;
        // A list of locations, or a workspace diagnostic report: one entry naming the result.
        let entries = match result.as_array() {
            Some(locations) => locations,
            None => result.get("items")?.as_array()?,
        };
        let [placeholder] = entries.as_slice() else {
            return None;
        };
        let token: u64 = placeholder
            .get("uri")?
            .as_str()?
            .strip_prefix(PREPARED_SCHEME)?
            .parse()
            .ok()?;
        let json = self
            .results
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&token)?;
        let id = serde_json::to_vec(response.get("id")?).ok()?;
        let mut out = Vec::with_capacity(json.len() + id.len() + 40);
        out.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
        out.extend_from_slice(&id);
        out.extend_from_slice(br#","result":"#);
        out.extend_from_slice(&json);
        out.push(b'}');
        Some(out)
    }
}

/// Splits the framework's output into frames for [`write_output`], with the prepared results
/// in their responses.
pub async fn frames_of<R: AsyncRead + Unpin>(
    mut from_server: R,
    out: mpsc::UnboundedSender<Outgoing>,
    prepared: Arc<PreparedResults>,
) {
    let mut decoder = FrameDecoder::default();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match from_server.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => decoder.push(&chunk[..n]),
        }
        while let Some(frame) = decoder.next_frame() {
            if let Frame::Body(body) = frame {
                let body = prepared.substitute(&body).unwrap_or(body);
                if out.send(Outgoing::Frame(body)).is_err() {
                    return;
                }
            }
        }
    }
}

/// How much output is gathered before a write: stdout writes each call on a blocking thread, one
/// at a time, so unbuffered a burst of small frames (the 20,801 notifications after indexing a
/// large app) costs two hand-offs each, a header and a body.
const OUTPUT_BUFFER: usize = 256 * 1024;

/// Writes frames and error responses to the client until every sender is gone.
pub async fn write_output<W: AsyncWrite + Unpin>(
    output: W,
    mut rx: mpsc::UnboundedReceiver<Outgoing>,
) {
    let mut output = tokio::io::BufWriter::with_capacity(OUTPUT_BUFFER, output);
    while let Some(item) = rx.recv().await {
        let body = match item {
            Outgoing::Frame(body) => body,
            Outgoing::Error(value) => serde_json::to_vec(&value).unwrap_or_default(),
        };
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        if output.write_all(header.as_bytes()).await.is_err()
            || output.write_all(&body).await.is_err()
        {
            break;
        }
        // Flush when nothing else is queued, so bursts go out in few writes.
        if rx.is_empty() && output.flush().await.is_err() {
            break;
        }
    }
    let _ = output.flush().await;
}

/// What the output side writes.
pub enum Outgoing {
    /// A whole frame body from the framework.
    Frame(Vec<u8>),
    /// An error response from the guard.
    Error(Value),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    /// Every event for `input` pushed in chunks of `chunk` bytes, then the end of input.
    fn decode(input: &[u8], chunk: usize) -> Vec<Frame> {
        let mut decoder = FrameDecoder::new(1024);
        let mut out = Vec::new();
        for piece in input.chunks(chunk.max(1)) {
            decoder.push(piece);
            while let Some(f) = decoder.next_frame() {
                out.push(f);
            }
        }
        out.extend(decoder.finish());
        out
    }

    fn bodies(frames: &[Frame]) -> Vec<String> {
        frames
            .iter()
            .filter_map(|f| match f {
                Frame::Body(b) => Some(String::from_utf8_lossy(b).into_owned()),
                Frame::Bad(_) => None,
            })
            .collect()
    }

    const GOOD: &str = r#"{"jsonrpc":"2.0","id":1,"method":"x"}"#;

    #[test]
    fn decodes_frames_in_any_chunking() {
        let mut input = frame(GOOD);
        input.extend(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n");
        input.extend(frame("{}"));
        input.extend(b"\r\n");
        input.extend(frame("[]"));
        for chunk in [1, 2, 7, 1000] {
            assert_eq!(decode(&input, chunk), {
                let b = |s: &str| Frame::Body(s.as_bytes().to_vec());
                vec![b(GOOD), b("{}"), b("[]")]
            });
        }
    }

    #[test]
    fn resynchronises_after_a_bad_header() {
        let cases: Vec<Vec<u8>> = vec![
            // Not a number: the body that follows is not read as a header.
            [b"Content-Length: abc\r\n\r\n".as_slice(), GOOD.as_bytes()].concat(),
            // Too small: the rest of the body is glued to the next header.
            [b"Content-Length: 5\r\n\r\n".as_slice(), GOOD.as_bytes()].concat(),
            // Missing.
            [b"Content-Type: x\r\n\r\n".as_slice(), GOOD.as_bytes()].concat(),
            // A line that is no header, and garbage glued to the next header.
            b"hello world\r\n\r\n{}".to_vec(),
            b"X:".to_vec(),
            b"\x00\xff\r\n".to_vec(),
        ];
        for garbage in cases {
            let mut input = garbage.clone();
            input.extend(frame(GOOD));
            input.extend(frame("{}"));
            for chunk in [1, 3, 4096] {
                let frames = decode(&input, chunk);
                let got = bodies(&frames);
                assert!(
                    got.ends_with(&[GOOD.to_string(), "{}".to_string()]),
                    "{:?} in chunks of {chunk}: {frames:?}",
                    String::from_utf8_lossy(&garbage)
                );
                assert!(frames.iter().any(|f| matches!(f, Frame::Bad(_))));
            }
        }
    }

    /// A writer that records what it is given and how many writes it took.
    #[derive(Default)]
    struct CountingWriter {
        written: Vec<u8>,
        writes: usize,
    }

    impl AsyncWrite for CountingWriter {
        fn poll_write(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            self.writes += 1;
            self.written.extend_from_slice(buf);
            std::task::Poll::Ready(Ok(buf.len()))
        }

        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }

        fn poll_shutdown(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn a_burst_of_frames_goes_out_in_few_writes() {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut expected = Vec::new();
        for i in 0..2000 {
            let body = format!(r#"{{"jsonrpc":"2.0","method":"m","params":{i}}}"#);
            expected.extend(frame(&body));
            tx.send(Outgoing::Frame(body.into_bytes())).unwrap();
        }
        // A body larger than the buffer, then an error response.
        let large = format!(r#"{{"x":"{}"}}"#, "a".repeat(OUTPUT_BUFFER * 2));
        expected.extend(frame(&large));
        tx.send(Outgoing::Frame(large.into_bytes())).unwrap();
        let error = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700}});
        expected.extend(frame(&error.to_string()));
        tx.send(Outgoing::Error(error)).unwrap();
        drop(tx);
        let mut out = CountingWriter::default();
        write_output(&mut out, rx).await;
        assert_eq!(out.written, expected);
        assert!(out.writes < 10, "{} writes", out.writes);
    }

    #[test]
    fn a_content_length_inside_a_json_string_is_no_resync_point() {
        // Garbage, then a frame whose body mentions a header: the body is delivered whole.
        let body = r#"{"text":"Content-Length: 3\r\n\r\nabc"}"#;
        let mut input = b"junk\r\n".to_vec();
        input.extend(frame(body));
        assert_eq!(bodies(&decode(&input, 5)), vec![body.to_string()]);
    }

    #[test]
    fn memory_is_bounded_on_endless_headers_and_huge_bodies() {
        let mut decoder = FrameDecoder::new(1024);
        let mut bad = 0;
        for _ in 0..1000 {
            decoder.push(&[b'a'; 1000]);
            while let Some(f) = decoder.next_frame() {
                assert!(matches!(f, Frame::Bad(_)));
                bad += 1;
            }
            assert!(decoder.buffered() <= MAX_HEADER_BLOCK + 1000);
        }
        assert!(bad >= 1);
        // Nor on endless blank lines.
        let mut decoder = FrameDecoder::new(1024);
        for _ in 0..1000 {
            decoder.push(&b"\r\n".repeat(500));
            assert_eq!(decoder.next_frame(), None);
            assert!(decoder.buffered() <= 1000);
        }
        // A body over the limit is skipped as it arrives, and the next frame still comes.
        let mut decoder = FrameDecoder::new(1024);
        decoder.push(b"Content-Length: 1000000\r\n\r\n");
        assert!(matches!(decoder.next_frame(), Some(Frame::Bad(_))));
        for _ in 0..1000 {
            decoder.push(&[b'{'; 1000]);
            assert_eq!(decoder.next_frame(), None);
            assert!(decoder.buffered() <= 1000);
        }
        decoder.push(&frame("{}"));
        assert_eq!(decoder.next_frame(), Some(Frame::Body(b"{}".to_vec())));
    }

    #[test]
    fn reports_truncated_input_at_the_end() {
        assert!(matches!(
            decode(b"Content-Length: 10\r\n\r\n{", 4).as_slice(),
            [Frame::Bad(_)]
        ));
        assert_eq!(decode(b"\r\n", 4), vec![]);
    }

    #[test]
    fn classifies_bodies() {
        assert_eq!(
            check(br#"{"jsonrpc":"2.0","id":1,"method":"x"}"#),
            Ok(Kind::Other)
        );
        assert_eq!(
            check(br#"{"jsonrpc":"2.0","method":"x","params":{}}"#),
            Ok(Kind::Other)
        );
        assert_eq!(
            check(br#"{"jsonrpc":"2.0","id":1,"result":null}"#),
            Ok(Kind::Other)
        );
        assert_eq!(
            check(br#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#),
            Ok(Kind::Shutdown)
        );
        assert_eq!(
            check(br#"{"jsonrpc":"2.0","method":"exit"}"#),
            Ok(Kind::Exit)
        );
        assert_eq!(
            check(br#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#),
            Ok(Kind::Other)
        );
        let e = check(br#"{"jsonrpc":"2.0","id":"a","method":"$/custom"}"#).unwrap_err();
        assert_eq!(
            (e["id"].clone(), e["error"]["code"].clone()),
            (json!("a"), json!(-32601))
        );
        assert_eq!(check(b"{\"id\": 1, ").unwrap_err()["error"]["code"], -32700);
        let e = check(br#"{"id": 7, "foo": 1}"#).unwrap_err();
        assert_eq!(
            (e["id"].clone(), e["error"]["code"].clone()),
            (json!(7), json!(-32600))
        );
        assert_eq!(check(b"[1, 2]").unwrap_err()["error"]["code"], -32600);
    }
}

#[cfg(test)]
mod prepared_tests {
    use super::*;

    fn placeholder(id: &str, uri: &str) -> Vec<u8> {
        format!(
            r#"{{"jsonrpc":"2.0","result":[{{"uri":"{uri}","range":{{"start":{{"line":0,"character":0}},"end":{{"line":0,"character":0}}}}}}],"id":{id}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn a_placeholder_response_gets_its_prepared_result() {
        let prepared = PreparedResults::default();
        let result = json!([{"uri": "file:///a/b.json", "range": {"start": {"line": 1, "character": 2}, "end": {"line": 1, "character": 5}}}]);
        let uri = prepared.put(serde_json::to_vec(&result).unwrap());
        assert!(uri.starts_with(PREPARED_SCHEME));
        let out = prepared.substitute(&placeholder("7", &uri)).unwrap();
        let response: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            response,
            json!({"jsonrpc": "2.0", "id": 7, "result": result})
        );
        // Taken once.
        assert_eq!(prepared.substitute(&placeholder("7", &uri)), None);
        // A string id is kept as it is.
        let uri = prepared.put(b"[]".to_vec());
        let out = prepared
            .substitute(&placeholder("\"x\\\"y\"", &uri))
            .unwrap();
        assert_eq!(out, br#"{"jsonrpc":"2.0","id":"x\"y","result":[]}"#);
    }

    /// The framework's response frame for a workspace diagnostic report of these URIs.
    fn report_frame(id: u64, uris: &[&str]) -> Vec<u8> {
        use tower_lsp_server::ls_types::{
            WorkspaceDiagnosticReport, WorkspaceDiagnosticReportResult,
            WorkspaceDocumentDiagnosticReport, WorkspaceFullDocumentDiagnosticReport,
        };
        let items = uris
            .iter()
            .map(|uri| {
                WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                    uri: uri.parse().unwrap(),
                    version: None,
                    full_document_diagnostic_report: Default::default(),
                })
            })
            .collect();
        let result = WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items });
        serde_json::to_vec(&json!({"jsonrpc": "2.0", "result": result, "id": id})).unwrap()
    }

    #[test]
    fn a_placeholder_workspace_report_gets_its_prepared_result() {
        let prepared = PreparedResults::default();
        let result = json!({"items": [{"kind": "full", "uri": "file:///a/F1/function.json", "version": null, "resultId": "1f", "items": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "message": "m"}]}]});
        let uri = prepared.put(serde_json::to_vec(&result).unwrap());
        let out = prepared.substitute(&report_frame(4, &[&uri])).unwrap();
        let response: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            response,
            json!({"jsonrpc": "2.0", "id": 4, "result": result})
        );
        // A report of a real document, or of two, is the framework's own.
        let uri = prepared.put(b"{\"items\":[]}".to_vec());
        assert_eq!(
            prepared.substitute(&report_frame(5, &["file:///a/x.py"])),
            None
        );
        assert_eq!(prepared.substitute(&report_frame(5, &[&uri, &uri])), None);
        assert!(prepared.substitute(&report_frame(5, &[&uri])).is_some());
    }

    #[test]
    fn other_frames_are_left_alone() {
        let prepared = PreparedResults::default();
        let uri = prepared.put(b"[1]".to_vec());
        // Real locations, a notification, an unknown token, two locations, a large frame.
        assert_eq!(prepared.substitute(&placeholder("1", "file:///x")), None);
        let notification = format!(
            r#"{{"jsonrpc":"2.0","method":"window/logMessage","params":{{"message":"{uri}"}}}}"#
        );
        assert_eq!(prepared.substitute(notification.as_bytes()), None);
        assert_eq!(
            prepared.substitute(&placeholder("1", &format!("{PREPARED_SCHEME}999"))),
            None
        );
        let two =
            format!(r#"{{"jsonrpc":"2.0","result":[{{"uri":"{uri}"}},{{"uri":"{uri}"}}],"id":1}}"#);
        assert_eq!(prepared.substitute(two.as_bytes()), None);
        let mut large = placeholder("1", &uri);
        large.extend(std::iter::repeat_n(b' ', MAX_PLACEHOLDER_FRAME));
        assert_eq!(prepared.substitute(&large), None);
        // Still there for its own response.
        assert!(prepared.substitute(&placeholder("1", &uri)).is_some());
    }

    #[test]
    fn results_never_taken_are_dropped_oldest_first() {
        let prepared = PreparedResults::default();
        let first = prepared.put(b"[0]".to_vec());
        let uris: Vec<String> = (1..=MAX_PREPARED)
            .map(|i| prepared.put(format!("[{i}]").into_bytes()))
            .collect();
        assert_eq!(prepared.substitute(&placeholder("1", &first)), None);
        for uri in &uris {
            assert!(prepared.substitute(&placeholder("1", uri)).is_some());
        }
    }
}
