//! `azfunc-lsp check FILE…` (as pre-commit runs it) on copies of `examples/orders-app`: only the
//! findings of the named files and those that depend on them are reported, `--all` reports the
//! whole app, and `--fix` writes only the named files.

mod cli_support;

use std::path::{Path, PathBuf};
use std::process::Output;

use cli_support::{copy_dir, run, snapshot};

use serde_json::Value;

/// A temporary folder holding a copy of the example app as `orders-app`.
fn example_copy() -> tempfile::TempDir {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/orders-app");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&example, &dir.path().join("orders-app"));
    dir
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// `file code` of every reported diagnostic.
fn reported(output: &Output) -> Vec<String> {
    let report: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["file"].as_str().unwrap(),
                d["code"].as_str().unwrap()
            )
        })
        .collect()
}

fn check_json(cwd: &Path, args: &[&str]) -> (Option<i32>, Vec<String>) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let output = run(cwd, &all);
    (output.status.code(), reported(&output))
}

#[test]
fn a_file_reports_its_own_findings_only() {
    let dir = example_copy();
    // Its one finding is a warning: the check passes unless warnings fail it.
    let (status, found) = check_json(dir.path(), &["orders-app/NightlyReport/function.json"]);
    assert_eq!(status, Some(0));
    assert_eq!(found, ["orders-app/NightlyReport/function.json AZF122"]);
    let (status, _) = check_json(
        dir.path(),
        &[
            "--fail-on",
            "warning",
            "orders-app/NightlyReport/function.json",
        ],
    );
    assert_eq!(status, Some(1));
    let (status, found) = check_json(dir.path(), &["orders-app/ProcessOrder/__init__.py"]);
    assert_eq!(status, Some(1));
    assert_eq!(found, ["orders-app/ProcessOrder/__init__.py AZF204"]);

    // A clean function passes although the app has errors elsewhere.
    let output = run(dir.path(), &["check", "orders-app/Health/__init__.py"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "All checks passed.\n"
    );
}

#[test]
fn a_function_json_brings_the_parameter_it_no_longer_matches() {
    let dir = example_copy();
    let (status, found) = check_json(dir.path(), &["orders-app/CreateOrder/function.json"]);
    assert_eq!(status, Some(1));
    assert_eq!(
        found,
        // One finding for the misnamed parameter, its binding related.
        ["orders-app/CreateOrder/__init__.py AZF201"]
    );
}

#[test]
fn a_settings_change_brings_the_findings_it_causes_elsewhere() {
    let dir = example_copy();
    // The queue trigger's connection names a setting that local.settings.json no longer has.
    let binding = dir.path().join("orders-app/ProcessOrder/function.json");
    let text = std::fs::read_to_string(&binding).unwrap();
    let renamed = text.replacen(
        "\"connection\": \"AzureWebJobsStorage\"",
        "\"connection\": \"Queues\"",
        1,
    );
    assert_ne!(renamed, text);
    std::fs::write(&binding, renamed).unwrap();

    let (status, found) = check_json(dir.path(), &["orders-app/local.settings.json"]);
    assert_eq!(status, Some(0), "warnings only");
    assert_eq!(found, ["orders-app/ProcessOrder/function.json AZF306"]);
    // A commit that touches another function is not blocked by it.
    let (_, found) = check_json(dir.path(), &["orders-app/Health/__init__.py"]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn all_reports_the_whole_app_and_folders_win_over_files() {
    let dir = example_copy();
    let (_, whole) = check_json(dir.path(), &["orders-app"]);
    assert_eq!(whole.len(), 5, "{whole:?}");
    let (status, found) = check_json(dir.path(), &["--all", "orders-app/Health/__init__.py"]);
    assert_eq!(status, Some(1));
    assert_eq!(found, whole);
    let (_, found) = check_json(dir.path(), &["orders-app/Health/__init__.py", "orders-app"]);
    assert_eq!(found, whole);
    // Two files of one app: the findings of both, the app checked once.
    let (_, found) = check_json(
        dir.path(),
        &[
            "orders-app/NightlyReport/function.json",
            "orders-app/ProcessOrder/__init__.py",
        ],
    );
    assert_eq!(
        found,
        [
            "orders-app/NightlyReport/function.json AZF122",
            "orders-app/ProcessOrder/__init__.py AZF204"
        ]
    );
}

#[test]
fn files_outside_any_app_are_skipped_with_a_note() {
    let dir = example_copy();
    std::fs::write(dir.path().join("setup.py"), "print('hi')\n").unwrap();
    let output = run(dir.path(), &["check", "setup.py"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stderr(&output),
        "note: setup.py is not part of an Azure Functions app; skipped\n"
    );
    let output = run(
        dir.path(),
        &["check", "setup.py", "orders-app/ProcessOrder/__init__.py"],
    );
    assert_eq!(output.status.code(), Some(1));
    let output = run(dir.path(), &["check", "orders-app/Missing/__init__.py"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn fix_writes_only_the_named_files() {
    let dir = example_copy();
    let root = dir.path().join("orders-app");
    let before = snapshot(&root);
    let output = run(
        dir.path(),
        &[
            "check",
            "--fix",
            "--format",
            "json",
            "orders-app/CreateOrder/__init__.py",
            "orders-app/GetReceipt/__init__.py",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "Fixed 2 problems in orders-app (2 files written):\n\
         \x20 AZF201 CreateOrder/__init__.py: Rename parameter 'request' to 'req'\n\
         \x20 AZF207 GetReceipt/__init__.py: Annotate 'receipt' as func.InputStream\n"
    );
    // What is left in those files has no automatic fix.
    assert_eq!(
        reported(&output),
        ["orders-app/GetReceipt/__init__.py AZF208"]
    );
    let after = snapshot(&root);
    let changed: Vec<&PathBuf> = after
        .iter()
        .filter(|(path, content)| before.get(*path) != Some(*content))
        .map(|(path, _)| path)
        .collect();
    assert_eq!(
        changed,
        [
            Path::new("CreateOrder/__init__.py"),
            Path::new("GetReceipt/__init__.py")
        ]
    );
    assert!(
        String::from_utf8_lossy(&after[Path::new("CreateOrder/__init__.py")])
            .contains("def main(req: func.HttpRequest")
    );

    // The rest of the app still has its problems.
    let (status, found) = check_json(dir.path(), &["orders-app"]);
    assert_eq!(status, Some(1));
    assert!(found.contains(&"orders-app/NightlyReport/function.json AZF122".to_string()));
}

#[test]
fn help_documents_files_and_all() {
    let output = run(Path::new("."), &["check", "--help"]);
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(
        help.contains("A file: the app that owns it is checked"),
        "{help}"
    );
    assert!(help.contains("--all"), "{help}");
}
