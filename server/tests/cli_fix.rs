//! `azfunc-lsp check --fix` on a copy of `examples/orders-app`: the automatic fixes are written,
//! what remains has no automatic fix, and a second run changes nothing.

mod cli_support;

use std::path::Path;

use azfunc_lsp::analysis::ide::fixes;
use azfunc_lsp::analysis::state::AppState;
use azfunc_lsp::analysis::Config;
use cli_support::{copy_dir, run, snapshot};
use serde_json::Value;

#[test]
fn fix_leaves_only_problems_without_an_automatic_fix() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/orders-app");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("orders-app");
    copy_dir(&example, &root);
    let before = snapshot(&root);

    let output = run(
        dir.path(),
        &["check", "--fix", "--format", "json", "orders-app"],
    );
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "Fixed 4 problems in orders-app (4 files written):\n\
         \x20 AZF201 CreateOrder/__init__.py: Rename parameter 'request' to 'req'\n\
         \x20 AZF207 GetReceipt/__init__.py: Annotate 'receipt' as func.InputStream\n\
         \x20 AZF122 NightlyReport/function.json: Use schedule '0 0 2 * * *' (seconds first)\n\
         \x20 AZF204 ProcessOrder/__init__.py: Wrap in func.Out[...]\n"
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let left: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["AZF208"]);

    // The files changed as the fixes say, and nothing else did.
    let after = snapshot(&root);
    let changed: Vec<String> = after
        .iter()
        .filter(|(path, bytes)| before.get(*path) != Some(*bytes))
        .map(|(path, _)| path.to_string_lossy().replace('\\', "/"))
        .collect();
    assert_eq!(
        changed,
        [
            "CreateOrder/__init__.py",
            "GetReceipt/__init__.py",
            "NightlyReport/function.json",
            "ProcessOrder/__init__.py"
        ]
    );
    assert_eq!(after.len(), before.len());
    let text = |rel: &str| std::fs::read_to_string(root.join(rel)).unwrap();
    assert!(text("CreateOrder/__init__.py").contains(
        "def main(req: func.HttpRequest, orders: func.Out[str]) -> func.HttpResponse:\n    order = parse_order(req.get_body())"
    ));
    assert!(text("ProcessOrder/__init__.py").contains("receipt: func.Out[str]"));
    assert!(text("NightlyReport/function.json").contains("\"schedule\": \"0 0 2 * * *\""));

    // What remains has no automatic fix.
    let input = azfunc_lsp::loader::load_app(&root, "orders-app".into());
    let mut state = AppState::new(input);
    let remaining: Vec<_> = state
        .diagnostics_by_file(&Config::default())
        .into_values()
        .flatten()
        .collect();
    assert_eq!(remaining.len(), 1);
    for d in &remaining {
        assert!(
            fixes::fixes(&state, d).iter().all(|f| !f.auto),
            "{} has an automatic fix",
            d.code
        );
        // It still has a quick fix for the editor.
        assert!(!fixes::fixes(&state, d).is_empty());
    }

    // A second run has nothing to do.
    let again = run(dir.path(), &["check", "--fix", "--quiet", "orders-app"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(String::from_utf8(again.stderr).unwrap(), "");
    assert_eq!(snapshot(&root), after);
}

#[test]
fn fix_respects_ignored_codes() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/orders-app");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("orders-app");
    copy_dir(&example, &root);
    let output = run(
        dir.path(),
        &[
            "check",
            "--fix",
            "--ignore",
            "AZF2",
            "--format",
            "json",
            "orders-app",
        ],
    );
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(
        stderr,
        "Fixed 1 problem in orders-app (1 file written):\n\
         \x20 AZF122 NightlyReport/function.json: Use schedule '0 0 2 * * *' (seconds first)\n"
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        std::fs::read(root.join("CreateOrder/__init__.py")).unwrap(),
        std::fs::read(example.join("CreateOrder/__init__.py")).unwrap()
    );
}
