//! The built binary over real stdio: `azfunc-lsp` (no subcommand) and `azfunc-lsp serve
//! --stdio` serve LSP, publish diagnostics, and exit promptly after `shutdown`/`exit` while
//! stdin stays open.

mod lsp_support;

use std::process::Stdio;
use std::time::Duration;

use lsp_support::*;
use serde_json::Value;

async fn run(args: &[&str]) {
    let (_dir, root) = fixture("basic");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"))
        .args(args)
        .env("AZFUNC_LSP_DEBUG_REQUESTS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut client =
        TestClient::connect(Box::new(stdin), stdout, None, push_caps(), &[&root], None).await;
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
