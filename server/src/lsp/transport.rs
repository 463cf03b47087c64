//! A framing guard in front of tower-lsp-server.
//!
//! The framework's reader stops the whole server after the first message it cannot decode
//! (tokio-util's `FramedRead` ends the stream after an error). This guard reads the client's
//! frames itself, forwards the well-formed ones to the framework over an in-memory pipe, and
//! answers the others with a JSON-RPC error (`-32700` for bad JSON or framing, `-32600` for valid
//! JSON that is not a message), so a malformed message never ends the session. The framework's
//! output passes through the same guard so that those error responses are written between whole
//! frames.

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Largest message body accepted (a bigger one is answered with an error and skipped).
const MAX_BODY: usize = 256 * 1024 * 1024;

/// What the output side writes.
pub enum Outgoing {
    /// A whole frame body from the framework.
    Frame(Vec<u8>),
    /// An error response from the guard.
    Error(Value),
}

enum Frame {
    Body(Vec<u8>),
    /// A framing problem; the reader has skipped past it.
    Bad(String),
}

/// Reads one frame; `None` at the end of the input.
async fn read_frame<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> Option<Frame> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        let n = reader.read_until(b'\n', &mut line).await.ok()?;
        if n == 0 {
            return None;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| format!("invalid Content-Length {:?}", value.trim())),
                );
            }
        } else {
            length = Some(Err(format!("invalid header line {text:?}")));
        }
    }
    let length = match length {
        None => return Some(Frame::Bad("missing Content-Length".to_string())),
        Some(Err(e)) => return Some(Frame::Bad(e)),
        Some(Ok(n)) => n,
    };
    if length > MAX_BODY {
        // Skip the body without keeping it.
        let mut rest = (&mut *reader).take(length as u64);
        let _ = tokio::io::copy(&mut rest, &mut tokio::io::sink()).await;
        return Some(Frame::Bad(format!(
            "message of {length} bytes is too large"
        )));
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).await.ok()?;
    Some(Frame::Body(body))
}

fn error_response(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// Checks a frame body: `Ok` to forward it, `Err` with the error response to send instead.
fn check(body: &[u8]) -> Result<(), Value> {
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
    if serde_json::from_value::<Request>(value.clone()).is_ok()
        || serde_json::from_value::<Response>(value.clone()).is_ok()
    {
        return Ok(());
    }
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Err(error_response(id, -32600, "Invalid request"))
}

/// Copies the client's well-formed frames to `to_server`; reports the others on `errors`.
pub async fn guard_input<R, W>(input: R, mut to_server: W, errors: mpsc::UnboundedSender<Outgoing>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::with_capacity(64 * 1024, input);
    while let Some(frame) = read_frame(&mut reader).await {
        match frame {
            Frame::Body(body) => match check(&body) {
                Ok(()) => {
                    let header = format!("Content-Length: {}\r\n\r\n", body.len());
                    if to_server.write_all(header.as_bytes()).await.is_err()
                        || to_server.write_all(&body).await.is_err()
                        || to_server.flush().await.is_err()
                    {
                        break;
                    }
                }
                Err(response) => {
                    tracing::warn!("malformed message from the client: {response}");
                    let _ = errors.send(Outgoing::Error(response));
                }
            },
            Frame::Bad(problem) => {
                tracing::warn!("malformed frame from the client: {problem}");
                let response =
                    error_response(Value::Null, -32700, &format!("Parse error: {problem}"));
                let _ = errors.send(Outgoing::Error(response));
            }
        }
    }
    let _ = to_server.shutdown().await;
}

/// Splits the framework's output into frames for [`write_output`].
pub async fn frames_of<R: AsyncRead + Unpin>(from_server: R, out: mpsc::UnboundedSender<Outgoing>) {
    let mut reader = BufReader::with_capacity(64 * 1024, from_server);
    while let Some(frame) = read_frame(&mut reader).await {
        if let Frame::Body(body) = frame {
            if out.send(Outgoing::Frame(body)).is_err() {
                break;
            }
        }
    }
}

/// Writes frames and error responses to the client until every sender is gone.
pub async fn write_output<W: AsyncWrite + Unpin>(
    mut output: W,
    mut rx: mpsc::UnboundedReceiver<Outgoing>,
) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_bodies() {
        assert!(check(br#"{"jsonrpc":"2.0","id":1,"method":"x"}"#).is_ok());
        assert!(check(br#"{"jsonrpc":"2.0","method":"x","params":{}}"#).is_ok());
        assert!(check(br#"{"jsonrpc":"2.0","id":1,"result":null}"#).is_ok());
        assert_eq!(check(b"{\"id\": 1, ").unwrap_err()["error"]["code"], -32700);
        let e = check(br#"{"id": 7, "foo": 1}"#).unwrap_err();
        assert_eq!(
            (e["id"].clone(), e["error"]["code"].clone()),
            (json!(7), json!(-32600))
        );
        assert_eq!(check(b"[1, 2]").unwrap_err()["error"]["code"], -32600);
    }
}
