//! Suppressions through the command line: comments, `exclude` and `per-file-ignores` in
//! `pyproject.toml`, a nested app checked as its own app unless excluded, and the unused
//! suppression's fix, in every output format.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for entry in fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dst.join(entry.file_name()));
        } else {
            fs::copy(entry.path(), dst.join(entry.file_name())).unwrap();
        }
    }
}

/// A copy of the `suppress_project` fixture (a project with `.git`, the app in `app/`).
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/cli/suppress_project");
    copy_dir(&fixture, &root);
    fs::create_dir(root.join(".git")).unwrap();
    (dir, root)
}

fn run(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"))
        .args(args)
        .current_dir(cwd)
        .env_remove("AZFUNC_LSP_LOG")
        .output()
        .unwrap()
}

/// `code file` of every finding of `check --format json`.
fn findings(cwd: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["check", "--format", "json", "--fail-on", "never"];
    args.extend(extra);
    let output = run(cwd, &args);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["code"].as_str().unwrap(),
                d["file"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn comments_globs_and_nested_apps() {
    let (_dir, root) = project();
    // AZF201 is silenced by its comment, AZF711 by the comment that closes the multi-line call
    // (whose AZF404 is unused), the import of `requests` by per-file-ignores, and the fixture
    // app below tests/ by extend-exclude.
    assert_eq!(findings(&root, &["."]), ["AZF014 app/function_app.py"]);
    // Without the settings, the fixture is its own app with its own finding, and the import
    // is reported.
    fs::remove_file(root.join("pyproject.toml")).unwrap();
    let all = findings(&root, &["."]);
    assert!(
        all.contains(&"AZF201 app/tests/fixture_app/function_app.py".to_string()),
        "{all:?}"
    );
    assert!(
        all.contains(&"AZF607 app/function_app.py".to_string()),
        "{all:?}"
    );
    assert!(
        !all.iter()
            .any(|f| f.starts_with("AZF201 app/function_app.py")),
        "{all:?}"
    );
}

#[test]
fn excluded_paths_stay_excluded_when_named() {
    let (_dir, root) = project();
    assert!(findings(&root, &["app/tests/fixture_app"]).is_empty());
    assert_eq!(
        findings(&root, &["app/function_app.py"]),
        ["AZF014 app/function_app.py"]
    );
}

#[test]
fn sarif_and_text_show_the_unused_suppression_only() {
    let (_dir, root) = project();
    let sarif = run(
        &root,
        &["check", "--format", "sarif", "--fail-on", "never", "."],
    );
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let ids: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["AZF014"]);
    let text = run(&root, &["check", "--fail-on", "hint", "."]);
    assert_eq!(text.status.code(), Some(1));
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(out.contains("no AZF404 diagnostic on this line"), "{out}");
}

#[test]
fn fix_removes_only_the_unused_code() {
    let (_dir, root) = project();
    let output = run(&root, &["check", "--fix", "--fail-on", "never", "."]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = fs::read_to_string(root.join("app/function_app.py")).unwrap();
    assert!(text.contains(")  # azfunc: ignore[AZF711]\n"), "{text}");
    assert!(text.contains("# azfunc: ignore[AZF201]\n"), "{text}");
    assert!(findings(&root, &["."]).is_empty());
}
