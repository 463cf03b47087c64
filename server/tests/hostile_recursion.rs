//! Inputs that nest deeply (or chain without end) must give a clear diagnostic, never a stack
//! overflow: each case runs through the built binary (`check`), through the analysis in process on
//! a thread with a small stack (so the bounds hold without the generous stack the binary gives
//! its analysis threads), and through the language server over stdio.

mod lsp_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use azfunc_lsp::analysis::{check_app, Config, Diagnostic};
use azfunc_lsp::loader::load_app;
use serde_json::Value;

const HOST: &str = r#"{"version": "2.0", "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}}"#;
const SETTINGS: &str = r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}"#;
const FUNCTION: &str = r#"{"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "anonymous"}, {"type": "http", "direction": "out", "name": "$return"}]}"#;
const SCRIPT: &str = "def main(req):\n    return 'ok'\n";

/// One hostile file in an otherwise valid app, and the diagnostics it must get: `(code,
/// substring of the message)`, exactly these.
struct Case {
    name: &'static str,
    file: &'static str,
    content: String,
    expected: Vec<(&'static str, &'static str)>,
}

/// A module that reads an undefined name after `chain`: the only diagnostic is that name, which
/// proves the walk went through the chain and found nothing wrong in it.
fn after_chain(chain: String) -> String {
    format!("{SCRIPT}{chain}\nz = missing_name\n")
}

const MISSING: (&str, &str) = ("AZF011", "'missing_name'");

fn cases() -> Vec<Case> {
    let unterminated_then_arrays =
        "{\"a\": \"x\n".to_string() + &"[".repeat(50_000) + &"]".repeat(50_000) + "}";
    let unterminated_then_objects = "{\"a\": \"x\n, \"b\": ".to_string()
        + &"{\"c\": ".repeat(30_000)
        + "1"
        + &"}".repeat(30_000)
        + "}";
    let n = 20_000;
    vec![
        Case {
            name: "function_json_unterminated_string_then_arrays",
            file: "F/function.json",
            content: unterminated_then_arrays.clone(),
            expected: vec![("AZF001", "deeper than 64")],
        },
        Case {
            name: "function_json_unterminated_string_then_objects",
            file: "F/function.json",
            content: unterminated_then_objects,
            expected: vec![("AZF001", "deeper than 64")],
        },
        Case {
            name: "host_json_unterminated_string_then_arrays",
            file: "host.json",
            content: unterminated_then_arrays.clone(),
            expected: vec![("AZF602", "deeper than 64")],
        },
        Case {
            name: "local_settings_unterminated_string_then_arrays",
            file: "local.settings.json",
            content: unterminated_then_arrays,
            expected: vec![("AZF301", "deeper than 64")],
        },
        Case {
            name: "assignment_chain",
            file: "F/__init__.py",
            content: after_chain("x = ".repeat(8_000) + "1"),
            expected: vec![MISSING],
        },
        Case {
            name: "assignment_chain_long",
            file: "F/__init__.py",
            content: after_chain("x = ".repeat(100_000) + "1"),
            expected: vec![MISSING],
        },
        Case {
            name: "not_chain",
            file: "F/__init__.py",
            content: after_chain("x = ".to_string() + &"not ".repeat(n) + "1"),
            expected: vec![MISSING],
        },
        Case {
            name: "unary_minus_chain",
            file: "F/__init__.py",
            content: after_chain("x = ".to_string() + &"-".repeat(n) + "1"),
            expected: vec![MISSING],
        },
        Case {
            name: "binary_operator_chain",
            file: "F/__init__.py",
            content: after_chain("x = ".to_string() + &vec!["1"; n].join(" + ")),
            expected: vec![MISSING],
        },
        Case {
            name: "conditional_expression_chain",
            file: "F/__init__.py",
            content: after_chain("x = ".to_string() + &"1 if 1 else ".repeat(n) + "1"),
            expected: vec![MISSING],
        },
        Case {
            name: "lambda_chain",
            file: "F/__init__.py",
            content: after_chain("x = ".to_string() + &"lambda: ".repeat(n) + "1"),
            expected: vec![MISSING],
        },
        Case {
            name: "attribute_chain",
            file: "F/__init__.py",
            content: after_chain("import os\nx = os".to_string() + &".path".repeat(n)),
            expected: vec![MISSING],
        },
        Case {
            name: "comparison_and_boolean_chains",
            file: "F/__init__.py",
            content: after_chain(format!(
                "x = {}\nif {}:\n    pass",
                vec!["1"; n].join(" < "),
                vec!["True"; n].join(" and ")
            )),
            expected: vec![MISSING],
        },
        Case {
            name: "deep_string_annotation",
            file: "F/__init__.py",
            content: format!(
                "import azure.functions as func\ndef main(req: \"{}str{}\"):\n    return 'ok'\n",
                "func.Out[".repeat(n),
                "]".repeat(n)
            ),
            expected: vec![("AZF205", "func.Out")],
        },
        Case {
            name: "deep_indentation",
            file: "F/__init__.py",
            content: format!(
                "{SCRIPT}x = 1\n{}{}pass\n",
                (0..150)
                    .map(|i| format!("{}if x:\n", "    ".repeat(i)))
                    .collect::<String>(),
                "    ".repeat(150)
            ),
            expected: vec![("AZF009", "too many levels of indentation")],
        },
    ]
}

fn write_app(root: &Path, case: &Case) {
    for (rel, text) in [
        ("host.json", HOST),
        ("local.settings.json", SETTINGS),
        ("requirements.txt", "azure-functions\n"),
        ("F/function.json", FUNCTION),
        ("F/__init__.py", SCRIPT),
    ] {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(root.join(case.file), &case.content).unwrap();
}

fn assert_expected(case: &Case, found: &[(String, String, String)]) {
    let codes: Vec<&str> = found.iter().map(|(c, _, _)| c.as_str()).collect();
    let expected: Vec<&str> = case.expected.iter().map(|(c, _)| *c).collect();
    assert_eq!(codes, expected, "{}: {found:?}", case.name);
    for ((_, message, _), (_, part)) in found.iter().zip(&case.expected) {
        assert!(message.contains(part), "{}: {message}", case.name);
    }
    if let Some((code, _, file)) = found.first() {
        assert_eq!(file, case.file, "{}: {code}", case.name);
    }
}

#[test]
fn check_reports_every_case_and_exits_normally() {
    let dir = tempfile::tempdir().unwrap();
    for case in cases() {
        let root = dir.path().join(case.name);
        write_app(&root, &case);
        let output = Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"))
            .args(["check", "--format", "json"])
            .arg(&root)
            .current_dir(&root)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        // A stack overflow aborts (no exit code); a panic would print to stderr.
        let code = output.status.code();
        let errors = case
            .expected
            .iter()
            .any(|(c, _)| matches!(*c, "AZF001" | "AZF009" | "AZF011" | "AZF205" | "AZF602"));
        assert_eq!(
            code,
            Some(if errors { 1 } else { 0 }),
            "{}: {stderr}",
            case.name
        );
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.name);
        let json: Value = serde_json::from_slice(&output.stdout).unwrap();
        let found: Vec<(String, String, String)> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["message"].as_str().unwrap().to_string(),
                    d["file"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_expected(&case, &found);
    }
}

/// The bounds must not depend on the analysis stack: 2 MB is what a spawned thread gets by
/// default, and what tokio and rayon threads get unless configured.
#[test]
fn analysis_in_process_stays_within_a_small_stack() {
    let dir = tempfile::tempdir().unwrap();
    let roots: Vec<_> = cases()
        .into_iter()
        .map(|case| {
            let root = dir.path().join(case.name);
            write_app(&root, &case);
            (case, root)
        })
        .collect();
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            // The parallel parts run here or on rayon's pool with its default stack.
            for (case, root) in roots {
                let app = load_app(&root, ".".into());
                let diagnostics: Vec<Diagnostic> = check_app(&app, &Config::default());
                let found: Vec<_> = diagnostics
                    .into_iter()
                    .map(|d| (d.code.to_string(), d.message, d.file))
                    .collect();
                assert_expected(&case, &found);
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

/// The language server indexes the same files from disk, then gets them again as open buffers.
#[tokio::test]
async fn server_reports_every_case_from_disk_and_from_buffers() {
    use lsp_support::*;
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("ws");
    let selected: Vec<Case> = cases()
        .into_iter()
        .filter(|c| {
            matches!(
                c.name,
                "function_json_unterminated_string_then_arrays"
                    | "host_json_unterminated_string_then_arrays"
                    | "assignment_chain"
                    | "deep_indentation"
            )
        })
        .collect();
    for case in &selected {
        write_app(&workspace.join(case.name), case);
    }
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let client = TestClient::connect(
        Box::new(stdin),
        stdout,
        None,
        push_caps(),
        &[&workspace],
        None,
    )
    .await;
    for case in &selected {
        let uri = file_uri(&workspace.join(case.name).join(case.file));
        let expected: Vec<String> = case.expected.iter().map(|(c, _)| c.to_string()).collect();
        let wait = client.wait_diagnostics(&uri, |d| codes(d) == expected);
        tokio::time::timeout(Duration::from_secs(60), wait)
            .await
            .unwrap_or_else(|_| panic!("{}: no diagnostics from disk", case.name));
        let language = if case.file.ends_with(".py") {
            "python"
        } else {
            "json"
        };
        client.open(&uri, language, 1, &case.content).await;
        let wait = client.wait_diagnostics(&uri, |d| {
            codes(d) == expected
                && d.iter()
                    .zip(&case.expected)
                    .all(|(d, (_, part))| d["message"].as_str().unwrap().contains(part))
        });
        tokio::time::timeout(Duration::from_secs(60), wait)
            .await
            .unwrap_or_else(|_| panic!("{}: no diagnostics from the buffer", case.name));
    }
    client.shutdown().await;
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the server did not exit")
        .unwrap();
    assert!(status.success(), "{status}");
}
