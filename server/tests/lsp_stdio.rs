//! The built binary over real stdio: `azfunc-lsp` (no subcommand) and `azfunc-lsp serve
//! --stdio` serve LSP, publish diagnostics, and exit promptly after `shutdown`/`exit` while
//! stdin stays open; malformed framing never silences it, and `exit` without `shutdown` exits 1.

mod lsp_support;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use lsp_support::*;
use serde_json::{json, Value};
use tokio::process::Child;

/// Starts the binary on the `basic` fixture and initializes it.
async fn start(args: &[&str]) -> (tempfile::TempDir, PathBuf, Child, TestClient) {
    let (dir, root) = fixture("basic");
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"));
    command
        .args(args)
        .env("AZFUNC_LSP_DEBUG_REQUESTS", "1")
        .env("AZFUNC_LSP_LOG", "error")
        .stderr(Stdio::inherit());
    let (child, client) = TestClient::spawn(command);
    let client = TestClient::initialize(client, push_caps(), &[&root], None).await;
    (dir, root, child, client)
}

async fn run(args: &[&str]) {
    let (_dir, root, mut child, mut client) = start(args).await;
    assert_eq!(client.init["serverInfo"]["name"], "azfunc-lsp");
    let py = file_uri(&root.join("Mismatch/__init__.py"));
    client.wait_diagnostics(&py, |d| !d.is_empty()).await;
    let text = std::fs::read_to_string(root.join("Mismatch/__init__.py")).unwrap();
    client.open(&py, "python", 1, &text).await;
    let (server_text, version) = client.server_text(&py).await.unwrap();
    assert_eq!((server_text.as_str(), version), (text.as_str(), 1));
    // shutdown + exit, stdin left open (the client keeps its handle): the process ends.
    let r = client.request("shutdown", Value::Null).await;
    assert_eq!(r, Ok(Value::Null));
    client.notify("exit", Value::Null).await;
    let status = tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .expect("server did not exit after `exit` with stdin open")
        .unwrap();
    assert!(status.success(), "{status}");
    drop(client);
}

#[tokio::test]
async fn binary_serves_on_stdio_by_default() {
    run(&[]).await;
}

#[tokio::test]
async fn binary_serve_subcommand_accepts_stdio_flag() {
    run(&["serve", "--stdio"]).await;
}

/// The server still answers after `garbage` (and says what was wrong with it).
async fn answers_after(client: &mut TestClient, garbage: &[u8]) {
    let errors_before = parse_errors(client);
    client.send_raw(garbage).await;
    let status = client.request("azfunc/status", Value::Null).await;
    assert_eq!(
        status.map(|s| s["apps"].clone()),
        Ok(json!(1)),
        "after {:?}",
        String::from_utf8_lossy(&garbage[..garbage.len().min(80)])
    );
    assert!(
        parse_errors(client) > errors_before,
        "no -32700 for the garbage"
    );
}

fn parse_errors(client: &TestClient) -> usize {
    client
        .log()
        .iter()
        .filter(|m| m["error"]["code"] == -32700)
        .count()
}

#[tokio::test]
async fn malformed_headers_do_not_silence_the_server() {
    let (_dir, _root, mut child, mut client) = start(&[]).await;
    client.wait_indexed().await;
    let body = br#"{"jsonrpc":"2.0","id":900,"method":"azfunc/status"}"#;
    let with_header = |header: &str| [header.as_bytes(), body.as_slice()].concat();
    answers_after(&mut client, &with_header("Content-Length: abc\r\n\r\n")).await;
    answers_after(&mut client, &with_header("Content-Length: 7\r\n\r\n")).await;
    answers_after(
        &mut client,
        &with_header("Content-Type: text/plain\r\n\r\n"),
    )
    .await;
    answers_after(&mut client, &with_header("Content-Length: 12 34\r\n\r\n")).await;
    answers_after(&mut client, b"\x00\x01 garbage without a line break").await;
    // A header line that never ends: refused once it is too long, without holding it all.
    let endless = vec![b'a'; 64 * 1024 * 1024];
    answers_after(&mut client, &endless).await;
    let peak = peak_rss_kib(child.id().unwrap());
    assert!(
        peak < 48 * 1024,
        "peak RSS {peak} KiB after a 64 MiB header line"
    );
    client.request("shutdown", Value::Null).await.unwrap();
    client.notify("exit", Value::Null).await;
    let status = tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0));
}

/// VmHWM of a process, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test]
async fn dollar_requests_get_method_not_found_and_dollar_notifications_are_ignored() {
    let (_dir, _root, mut child, mut client) = start(&[]).await;
    client.wait_indexed().await;
    let e = client
        .request("$/unknownRequest", json!({}))
        .await
        .unwrap_err();
    assert_eq!(e["code"], -32601, "{e}");
    client.notify("$/unknownNotification", json!({})).await;
    client.notify("$/setTrace", json!({"value": "off"})).await;
    let status = client.request("azfunc/status", Value::Null).await.unwrap();
    assert_eq!(status["apps"], 1);
    assert!(
        !client
            .log()
            .iter()
            .any(|m| m.get("error").is_some() && m["id"].is_null()),
        "a notification was answered: {:?}",
        client.log()
    );
    client.notify("exit", Value::Null).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
}

#[tokio::test]
async fn exit_without_shutdown_exits_with_code_1() {
    let (_dir, _root, mut child, client) = start(&[]).await;
    client.notify("exit", Value::Null).await;
    let status = tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .expect("server did not exit after `exit`")
        .unwrap();
    assert_eq!(status.code(), Some(1));
    drop(client);
}
