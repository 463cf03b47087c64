//! Odd but real files: a NUL byte in a module, lone-CR line endings, UTF-16 JSON with and without a
//! byte order mark, app files that cannot be read. `check` and the language server must report
//! the same thing, and messages never carry raw control characters.

mod lsp_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use azfunc_lsp::analysis::{check_app, Config, FileContent};
use azfunc_lsp::loader::load_app;
use serde_json::Value;

const HOST: &str = r#"{"version": "2.0", "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}}"#;
const SETTINGS: &str = r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}"#;
const FUNCTION: &str = r#"{"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "anonymous"}, {"type": "http", "direction": "out", "name": "$return"}]}"#;
const SCRIPT: &str = "def main(req):\n    return 'ok'\n";

/// A valid app with `file` replaced by `bytes`.
fn app_with(file: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in [
        ("host.json", HOST.as_bytes()),
        ("local.settings.json", SETTINGS.as_bytes()),
        ("requirements.txt", b"azure-functions\n".as_slice()),
        ("F/function.json", FUNCTION.as_bytes()),
        ("F/__init__.py", SCRIPT.as_bytes()),
        (file, bytes),
    ] {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

/// `(code, file, line, column, message)` from `check --format json`, with the exit code.
type Found = Vec<(String, String, u64, u64, String)>;

fn check_cli(root: &Path) -> (Option<i32>, Found) {
    let output = Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"))
        .args(["check", "--format", "json", "."])
        .current_dir(root)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (output.status.code(), found)
}

fn assert_no_control_characters(found: &Found) {
    for (.., message) in found {
        assert!(!message.chars().any(char::is_control), "{message:?}");
    }
}

#[test]
fn nul_byte_in_a_module_is_a_syntax_error() {
    let dir = app_with("F/__init__.py", b"def main(req):\n    return 'ok'\0\n");
    let (code, found) = check_cli(dir.path());
    assert_eq!(code, Some(1));
    assert_eq!(found.len(), 1, "{found:?}");
    let (c, file, line, column, message) = &found[0];
    assert_eq!(
        (c.as_str(), file.as_str(), *line, *column),
        ("AZF009", "F/__init__.py", 2, 16)
    );
    assert!(message.contains("null bytes"), "{message}");
    assert_no_control_characters(&found);
}

#[test]
fn lone_carriage_returns_end_lines() {
    // CPython reads a lone `\r` as a line break: this module imports fine and fails only on the
    // undefined name of its third line.
    let dir = app_with(
        "F/__init__.py",
        b"def main(req):\r    return 'ok'\rz = missing_name\r",
    );
    let (code, found) = check_cli(dir.path());
    assert_eq!(code, Some(1));
    let summary: Vec<_> = found
        .iter()
        .map(|(c, f, l, col, _)| (c.as_str(), f.as_str(), *l, *col))
        .collect();
    assert_eq!(summary, [("AZF011", "F/__init__.py", 3, 5)], "{found:?}");
}

#[test]
fn utf16_json_with_a_byte_order_mark_is_read_as_the_host_reads_it() {
    // The host decodes the mark; the binding name that differs from the parameter proves the
    // content was read.
    let json = FUNCTION.replace("\"req\"", "\"req2\"");
    for bytes in [utf16le(&json, true), {
        let mut be = vec![0xFE, 0xFF];
        be.extend(json.encode_utf16().flat_map(u16::to_be_bytes));
        be
    }] {
        let dir = app_with("F/function.json", &bytes);
        let (code, found) = check_cli(dir.path());
        assert_eq!(code, Some(1));
        let summary: Vec<_> = found
            .iter()
            .map(|(c, f, ..)| (c.as_str(), f.as_str()))
            .collect();
        assert_eq!(summary, [("AZF201", "F/__init__.py")], "{found:?}");
    }
    // host.json and local.settings.json as well.
    let dir = app_with("host.json", &utf16le(HOST, true));
    std::fs::write(
        dir.path().join("local.settings.json"),
        utf16le(SETTINGS, true),
    )
    .unwrap();
    assert_eq!(check_cli(dir.path()), (Some(0), vec![]));
}

#[test]
fn utf16_json_without_a_byte_order_mark_is_one_clear_error() {
    let dir = app_with("F/function.json", &utf16le(FUNCTION, false));
    let (code, found) = check_cli(dir.path());
    assert_eq!(code, Some(1));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "AZF001");
    assert!(found[0].4.contains("UTF-16"), "{}", found[0].4);
    assert_no_control_characters(&found);
}

#[test]
fn control_characters_in_quoted_content_are_escaped() {
    let dir = app_with("F/function.json", b"{\"bindings\": [\x1b[31m]}");
    let (_, found) = check_cli(dir.path());
    assert!(!found.is_empty());
    assert_no_control_characters(&found);
    assert!(found.iter().any(|f| f.4.contains("\\u{1b}")), "{found:?}");
}

/// Files the loader could not read are reported, not passed over.
#[test]
fn unreadable_app_files_are_reported() {
    let dir = app_with("F/__init__.py", SCRIPT.as_bytes());
    let mut app = load_app(dir.path(), ".".into());
    for file in ["host.json", "local.settings.json", "requirements.txt"] {
        app.files.insert(
            file.into(),
            FileContent::Unreadable("permission denied".into()),
        );
    }
    let found: Vec<_> = check_app(&app, &Config::default())
        .into_iter()
        .map(|d| (d.code.as_str(), d.file, d.severity.as_str(), d.message))
        .collect();
    let expected: Vec<_> = ["host.json", "local.settings.json", "requirements.txt"]
        .into_iter()
        .map(|f| {
            (
                "AZF013",
                f.to_string(),
                "warning",
                format!("{f} could not be read: permission denied; it was not checked"),
            )
        })
        .collect();
    assert_eq!(found, expected);
    // Too large is reported the same way.
    app.files
        .insert("host.json".into(), FileContent::TooLarge(9_000_000));
    assert!(check_app(&app, &Config::default())
        .iter()
        .any(|d| d.code == "AZF013" && d.message.contains("host.json is too large")));
}

/// On disk, when the permissions really apply (not as root).
#[cfg(unix)]
#[test]
fn unreadable_app_files_on_disk() {
    use std::os::unix::fs::PermissionsExt;
    let dir = app_with("F/__init__.py", SCRIPT.as_bytes());
    let host = dir.path().join("host.json");
    std::fs::set_permissions(&host, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable = std::fs::read(&host).is_ok();
    let (code, found) = check_cli(dir.path());
    std::fs::set_permissions(&host, std::fs::Permissions::from_mode(0o644)).unwrap();
    if readable {
        // Root reads the file anyway: a valid app.
        assert_eq!((code, found), (Some(0), vec![]));
    } else {
        assert_eq!(code, Some(0));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].0.as_str(), found[0].1.as_str()),
            ("AZF013", "host.json")
        );
    }
}

/// The server reads the same files from disk (the loader) and gets the editable ones as buffers:
/// it reports what `check` reports.
#[tokio::test]
async fn server_agrees_with_check() {
    use lsp_support::*;
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "nul",
            "F/__init__.py",
            b"def main(req):\n    return 'ok'\0\n".to_vec(),
        ),
        (
            "lone_cr",
            "F/__init__.py",
            b"def main(req):\r    return 'ok'\rz = missing_name\r".to_vec(),
        ),
        ("utf16", "F/function.json", utf16le(FUNCTION, false)),
    ];
    let dirs: Vec<_> = cases
        .iter()
        .map(|(_, file, bytes)| app_with(file, bytes))
        .collect();
    let roots: Vec<&Path> = dirs.iter().map(|d| d.path()).collect();
    let client = TestClient::start(push_caps(), &roots, None).await;
    for ((name, file, bytes), root) in cases.iter().zip(&roots) {
        let (_, expected) = check_cli(root);
        let expected_codes: Vec<String> = expected
            .iter()
            .filter(|f| f.1 == *file)
            .map(|f| f.0.clone())
            .collect();
        assert!(!expected_codes.is_empty(), "{name}");
        let uri = file_uri(&root.join(file));
        let same = |d: &[Value]| {
            codes(d) == expected_codes
                && d.iter().all(|d| {
                    let message = d["message"].as_str().unwrap();
                    !message.chars().any(char::is_control)
                        && expected.iter().any(|e| e.4 == message)
                })
        };
        tokio::time::timeout(Duration::from_secs(30), client.wait_diagnostics(&uri, same))
            .await
            .unwrap_or_else(|_| panic!("{name}: the server's diagnostics differ from check's"));
        // Editors decode UTF-16 themselves; the others arrive as the bytes were.
        if let Ok(text) = std::str::from_utf8(bytes) {
            client.open(&uri, "python", 1, text).await;
            tokio::time::timeout(Duration::from_secs(30), client.wait_diagnostics(&uri, same))
                .await
                .unwrap_or_else(|_| panic!("{name}: the buffer's diagnostics differ"));
        }
    }
    client.shutdown().await;
}
