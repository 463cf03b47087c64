//! Package checks from the command line, on the `tests/fixtures/pkg_*` apps: which distribution
//! an import names (the app's environment first), one finding per package, no guessed names,
//! requirements.txt never written by `--fix` and kept in its own style by the quick fix; and the
//! CLI's edges: what "(N fixable)" and the JSON `fixes` promise is what `--fix` does, `check
//! FILE…` brings the app-level findings, no summary when no app was checked.

mod cli_support;

use std::path::{Path, PathBuf};
use std::process::Output;

use cli_support::{copy_dir, run, snapshot};
use serde_json::Value;

/// A copy of `tests/fixtures/<name>` in a temporary folder, and its root.
fn fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(name);
    copy_dir(&src, &root);
    (dir, root)
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn json(cwd: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["check", "--format", "json", "--fail-on", "never"];
    all.extend_from_slice(args);
    let output = run(cwd, &all);
    let report: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    report["diagnostics"].as_array().unwrap().clone()
}

/// `file:line code message` of each diagnostic.
fn lines(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}:{} {} {}",
                d["file"].as_str().unwrap(),
                d["range"]["start"]["line"],
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect()
}

fn automatic_fixes(diagnostics: &[Value]) -> usize {
    diagnostics
        .iter()
        .filter(|d| {
            d["fixes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["automatic"] == true)
        })
        .count()
}

#[test]
fn imports_name_real_distributions_once_per_package() {
    let (_dir, root) = fixture("pkg_imports");
    let found = json(&root, &["--select", "AZF607"]);
    assert_eq!(
        lines(&found),
        [
            "function_app.py:1 AZF607 'yaml' is imported, but requirements.txt does not list PyYAML, which provides it: unless a listed package brings it in, it fails with ModuleNotFoundError after deploy",
            "function_app.py:2 AZF607 'numpy.linalg' is imported, but requirements.txt does not list numpy, which provides it: unless a listed package brings it in, it fails with ModuleNotFoundError after deploy",
            "function_app.py:4 AZF607 'does_not_exists' is imported, but no listed requirement provides `does_not_exists` (which distribution does is not known): unless a listed package brings it in, it fails with ModuleNotFoundError after deploy",
        ]
    );
    // A known distribution is offered as a quick fix, never applied by `--fix`; an unknown one
    // gets no fix at all.
    let titles: Vec<Vec<(&str, bool)>> = found
        .iter()
        .map(|d| {
            d["fixes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| (f["title"].as_str().unwrap(), f["automatic"] == true))
                .collect()
        })
        .collect();
    assert_eq!(
        titles,
        [
            vec![("Add PyYAML to requirements.txt", false)],
            vec![("Add numpy to requirements.txt", false)],
            vec![],
        ]
    );
}

#[test]
fn fix_never_writes_requirements_and_counts_what_it_applies() {
    let (_dir, root) = fixture("pkg_imports");
    // CRLF and no final newline: the quick fix keeps both.
    std::fs::write(root.join("requirements.txt"), "azure-functions\r\nrequests").unwrap();
    let found = json(&root, &[]);
    let fixable = automatic_fixes(&found);
    // host.json is missing: creating it is the one automatic fix.
    assert_eq!(fixable, 1, "{:#?}", lines(&found));
    let text = run(&root, &["check", "--fail-on", "never"]);
    assert!(
        stdout(&text).ends_with(&format!("({fixable} fixable).\n")),
        "{}",
        stdout(&text)
    );
    let yaml = found
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("PyYAML"))
        .unwrap();
    let edit = &yaml["fixes"][0]["edits"][0];
    assert_eq!(edit["newText"], "\r\nPyYAML");
    assert_eq!(
        edit["range"]["start"],
        serde_json::json!({"line": 2, "column": 9})
    );

    let before = std::fs::read(root.join("requirements.txt")).unwrap();
    let fixed = run(&root, &["check", "--fix", "--fail-on", "never"]);
    assert!(
        stderr(&fixed).starts_with(&format!("Fixed {fixable} problem in")),
        "{}",
        stderr(&fixed)
    );
    assert!(root.join("host.json").exists());
    assert_eq!(
        std::fs::read(root.join("requirements.txt")).unwrap(),
        before
    );
    // What remains has nothing `--fix` would apply.
    assert_eq!(automatic_fixes(&json(&root, &[])), 0);
    let again = run(&root, &["check", "--fix", "--fail-on", "never"]);
    assert_eq!(stderr(&again), "");
}

#[test]
fn every_automatic_fix_is_in_the_json_and_fix_applies_exactly_those() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/orders-app");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("orders-app");
    copy_dir(&src, &root);
    let found = json(&root, &[]);
    let fixable = automatic_fixes(&found);
    // Fixes built from the whole app (the name mismatch's renames, of the parameter or of the
    // binding in function.json) count too.
    let renamed = found
        .iter()
        .find(|d| d["code"] == "AZF201")
        .expect("AZF201 in the example");
    assert_eq!(renamed["fixes"][0]["automatic"], true);
    assert!(renamed["fixes"].as_array().unwrap().len() > 1);
    let fixed = run(&root, &["check", "--fix", "--fail-on", "never"]);
    assert!(
        stderr(&fixed).starts_with(&format!("Fixed {fixable} problems in")),
        "{fixable}: {}",
        stderr(&fixed)
    );
    // With a file named, only fixes inside it count, as only it is written.
    let (_dir2, root2) = {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("orders-app");
        copy_dir(&src, &root);
        (dir, root)
    };
    let named = json(&root2, &["CreateOrder/function.json"]);
    assert_eq!(automatic_fixes(&named), 0, "{:#?}", named);
    let before = snapshot(&root2);
    let output = run(
        &root2,
        &[
            "check",
            "--fix",
            "--fail-on",
            "never",
            "CreateOrder/function.json",
        ],
    );
    assert_eq!(stderr(&output), "");
    assert_eq!(snapshot(&root2), before);
}

#[test]
fn the_interpreter_named_in_pyproject_gives_the_environment() {
    // The environment lives where no search looks: only the configuration finds it.
    let (_dir, root) = fixture("pkg_venv_through");
    std::fs::create_dir_all(root.join("envs")).unwrap();
    std::fs::rename(root.join(".venv"), root.join("envs/prod")).unwrap();
    assert_eq!(json(&root, &[])[0]["code"], "AZF607");
    std::fs::write(
        root.join("pyproject.toml"),
        "[tool.azfunc-lsp]\npython = \"envs/prod/bin/python\"\n",
    )
    .unwrap();
    let found = json(&root, &[]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["code"], "AZF609");
    // The environment's folder itself is accepted too, and the path is relative to the folder of
    // the pyproject.toml, from wherever the check runs.
    std::fs::write(
        root.join("pyproject.toml"),
        "[tool.azfunc-lsp]\npython = \"envs/prod\"\n",
    )
    .unwrap();
    let output = run(
        root.parent().unwrap(),
        &[
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "pkg_venv_through",
        ],
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["diagnostics"][0]["code"], "AZF609");
}

#[test]
fn a_dependency_of_a_listed_package_is_information_from_the_environment() {
    let (_dir, root) = fixture("pkg_venv_through");
    let found = json(&root, &[]);
    assert_eq!(
        lines(&found),
        ["function_app.py:1 AZF609 'numpy' comes only through tensorflow: requirements.txt does not list numpy, which provides it"]
    );
    assert_eq!(found[0]["severity"], "information");
    // Without the environment, the table names numpy and nothing says how it arrives.
    std::fs::remove_dir_all(root.join(".venv")).unwrap();
    let found = json(&root, &[]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["code"], "AZF607");
}

#[test]
fn pyproject_only_apps_are_told_to_export_requirements() {
    let (_dir, root) = fixture("pkg_pyproject_only");
    // Named file: its own finding plus the app-level one in host.json.
    let found = json(&root, &["function_app.py"]);
    let codes: Vec<(&str, &str)> = found
        .iter()
        .map(|d| (d["file"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [("function_app.py", "AZF607"), ("host.json", "AZF604")]
    );
    assert!(found[0]["message"]
        .as_str()
        .unwrap()
        .contains("remote build does not read pyproject.toml"));
    let message = found[1]["message"].as_str().unwrap();
    assert!(
        message.contains("only in pyproject.toml") && message.contains("uv export"),
        "{message}"
    );
    // Creating requirements.txt with azure-functions alone would drop the declared packages.
    assert!(found[1]["fixes"].as_array().unwrap().is_empty());
}

#[test]
fn no_summary_when_no_app_was_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    std::fs::write(dir.path().join("setup.py"), "print('hi')\n").unwrap();
    let output = run(dir.path(), &["check", "empty"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).contains("no Azure Functions app found"));
    let output = run(dir.path(), &["check", "setup.py"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).contains("not part of an Azure Functions app"));
}
