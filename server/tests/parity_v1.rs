//! Runtime parity: for every function of the v1 parity fixtures, "we report an error" must equal
//! "the real worker (or host) refuses it", as recorded from the worker oracle beside each app.
//! Where the oracle does not model the host (`<app>.expect.json`), the recorded override wins.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use azfunc_lsp::analysis::{check_functions, Severity};
use serde_json::Value;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/parity/v1")
}

/// Which rule codes may explain each kind of runtime failure.
fn codes_for(kind: &str) -> &'static [&'static str] {
    match kind {
        "host-invalid-function-name" => &["AZF002"],
        "host-function-json-invalid" => &["AZF001"],
        "host-no-bindings" => &["AZF003"],
        "host-binding-invalid" => &["AZF003", "AZF103", "AZF104", "AZF120"],
        "host-script-file-not-found" => &["AZF004"],
        "host-no-primary-script" => &["AZF005"],
        "host-not-python" | "script-not-py" => &["AZF006"],
        "host-binding-name-invalid" => &["AZF105", "AZF101"],
        "host-return-not-out" | "return-binding-not-out" => &["AZF108"],
        "host-binding-type-missing" => &["AZF102"],
        "host-duplicate-binding-name" => &["AZF107"],
        "host-multiple-triggers" => &["AZF110"],
        "host-no-trigger" => &["AZF109"],
        "script-outside-app" => &["AZF007"],
        "import-error" => &["AZF009", "AZF010", "AZF011", "AZF211"],
        "worker-crash" => &["AZF011"],
        "entrypoint-not-found" | "signature-error" => &["AZF008"],
        // The worker's `get_type_hints` step also raises for a callable instance.
        "annotation-unresolvable" => &["AZF211", "AZF008"],
        "inout-not-supported" => &["AZF111"],
        "context-bad-annotation" => &["AZF209"],
        "param-missing-in-json" => &["AZF201", "AZF210"],
        "binding-missing-in-python" => &["AZF202"],
        "out-annotation-invalid" => &["AZF206"],
        "annotation-not-a-type" => &["AZF207"],
        "out-binding-without-Out" => &["AZF204"],
        "in-binding-with-Out" => &["AZF205"],
        "datatype-annotation-mismatch"
        | "annotation-type-mismatch"
        | "converter-missing-check"
        | "converter-type-error" => &["AZF203"],
        "return-annotation-is-Out"
        | "return-annotation-not-a-type"
        | "return-annotation-mismatch" => &["AZF208"],
        _ => &[],
    }
}

/// Reads an app folder the way the checker and the server do.
fn read_app(root: &Path) -> azfunc_lsp::analysis::AppInput {
    azfunc_lsp::loader::load_app(root, root.display().to_string())
}

#[test]
fn verdicts_match_the_runtime() {
    let dir = fixtures_dir();
    let mut apps: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    apps.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for app_dir in &apps {
        let name = app_dir.file_name().unwrap().to_string_lossy().to_string();
        let verdict: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{name}.verdict.json"))).unwrap(),
        )
        .unwrap();
        let overrides: BTreeMap<String, Value> =
            std::fs::read_to_string(dir.join(format!("{name}.expect.json")))
                .ok()
                .map(|t| serde_json::from_str(&t).unwrap())
                .unwrap_or_default();
        let app = read_app(app_dir);
        let ours: BTreeMap<String, Vec<azfunc_lsp::analysis::Diagnostic>> =
            check_functions(&app).into_iter().collect();
        for f in verdict["functions"].as_array().unwrap() {
            let fname = f["name"].as_str().unwrap();
            let (expect_error, kinds): (bool, Vec<&str>) = match overrides.get(fname) {
                Some(o) => (o["error"].as_bool().unwrap(), vec![]),
                None => {
                    let mut kinds = vec![f["error_kind"].as_str().unwrap_or("")];
                    for h in f["host_checks"].as_array().into_iter().flatten() {
                        kinds.push(h["kind"].as_str().unwrap_or(""));
                    }
                    (!f["ok"].as_bool().unwrap(), kinds)
                }
            };
            let diags = ours.get(fname).cloned().unwrap_or_default();
            let errors: Vec<_> = diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .collect();
            checked += 1;
            let summary = || {
                diags
                    .iter()
                    .map(|d| format!("{} {} {}", d.code, d.severity.as_str(), d.message))
                    .collect::<Vec<_>>()
                    .join("\n      ")
            };
            if errors.is_empty() == expect_error {
                failures.push(format!(
                    "{name}/{fname}: runtime says {}, we report {}\n    runtime: {}\n    ours:\n      {}",
                    if expect_error { "error" } else { "ok" },
                    if errors.is_empty() { "no error" } else { "an error" },
                    f["error"].as_str().unwrap_or("(override)"),
                    summary()
                ));
                continue;
            }
            let allowed: Vec<&str> = kinds
                .iter()
                .flat_map(|k| codes_for(k).iter().copied())
                .collect();
            if expect_error
                && !allowed.is_empty()
                && !errors.iter().any(|d| allowed.contains(&d.code.as_str()))
            {
                failures.push(format!(
                    "{name}/{fname}: runtime kind {kinds:?} expects one of {allowed:?}\n    runtime: {}\n    ours:\n      {}",
                    f["error"].as_str().unwrap_or(""),
                    summary()
                ));
            }
        }
    }
    assert!(checked >= 80, "only {checked} parity functions");
    assert!(
        failures.is_empty(),
        "{} of {checked} functions disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
