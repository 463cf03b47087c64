//! Runtime parity for the v2 (decorator) model: for every app of the v2 parity fixtures, "we
//! report an error" must equal "the real worker fails to index the app" as recorded from the
//! worker oracle beside each app (`<app>.verdict.json`). Where the oracle does not model the host
//! (`<app>.expect.json`), the recorded expectation wins. The worker indexes a v2 app as one unit,
//! so the verdict is per app; where the runtime's message tells which check failed, one of our
//! errors must have a code that explains it.

use std::path::{Path, PathBuf};

use azfunc_lsp::analysis::{check_app, Config, Diagnostic, Severity};
use serde_json::Value;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/parity/v2")
}

/// Which rule codes may explain a worker failure, from its stage and message.
fn codes_for_worker(stage: &str, message: &str) -> &'static [&'static str] {
    let has = |s: &str| message.contains(s);
    match stage {
        "script_name" => &["AZF701"],
        "discover" if has("Could not find top level function app") => &["AZF702"],
        "discover" if has("More than one") => &["AZF703"],
        "import" if has("A trigger was already registered") => &["AZF709"],
        "import" if has("Can not parse") => &["AZF711"],
        "import" if message.starts_with("KeyError") => &["AZF711", "AZF311"],
        "import" if message.starts_with("AttributeError") && has("AuthLevel") => &["AZF711"],
        "import" if message.starts_with("AttributeError") && has("object has no attribute") => {
            &["AZF719"]
        }
        "import" if has("received an Azure Functions FunctionBuilder") => &["AZF720"],
        "import" if has("unexpected keyword argument") => &["AZF712"],
        "import" if has("relative import") => &["AZF010"],
        "import" if has("Specify either the 'Connection' property") => &["AZF713"],
        "import" if has("pop from empty list") => &["AZF710"],
        "import" if has("functions can not be type of FunctionRegister") => &["AZF705"],
        "import" if has("missing") && has("required") => &["AZF712"],
        "import" if message.starts_with("SyntaxError") => &["AZF009"],
        "import" if message.starts_with("ModuleNotFoundError") => &["AZF010"],
        "import" if message.starts_with("NameError") => &["AZF011", "AZF211"],
        "get_functions" if has("does not have a trigger") => &["AZF708"],
        "get_functions" if has("does not have a unique function name") => &["AZF707"],
        "worker" if has("declared in Python but not in the function definition") => {
            &["AZF201", "AZF210", "AZF710"]
        }
        "worker" if has("declared as bindings but are not present in Python") => {
            &["AZF202", "AZF710"]
        }
        "worker" if has("invalid non-type annotation") => &["AZF207"],
        "worker" if has("invalid Out annotation") => &["AZF206"],
        "worker" if has("is not a subclass of azure.functions.Out") => &["AZF204"],
        "worker" if has("but its annotation is azure.functions.Out") => &["AZF205"],
        "worker" if has("do not match the corresponding") || has("does not match its Python") => {
            &["AZF203"]
        }
        "worker" if has("return annotation") => &["AZF208"],
        "worker" if has("\"context\" parameter") => &["AZF209", "AZF718"],
        "worker" if has("word or snake case") => &["AZF715"],
        "worker"
            if has("time data")
                || has("invalid literal for int")
                || has("unknown enum label")
                || has("strptime()") =>
        {
            &["AZF714"]
        }
        _ => &[],
    }
}

/// Which rule codes may explain a host-only rejection, from the recorded reason.
fn codes_for_host(reason: &str) -> &'static [&'static str] {
    let has = |s: &str| reason.contains(s);
    if has("is not a valid function name") {
        &["AZF002"]
    } else if has("The binding name") {
        &["AZF105"]
    } else if has("Multiple bindings with name") {
        &["AZF107"]
    } else if has("No trigger binding specified") {
        &["AZF708"]
    } else if has("were not found in the configured extension bundle") {
        &["AZF112"]
    } else if has("conflicts with the route defined by function") {
        &["AZF403"]
    } else if has("conflicts with one or more built in routes") {
        &["AZF407"]
    } else if has("AsgiFunctionApp") || has("WsgiFunctionApp") {
        &["AZF717"]
    } else if has("cannot appear consecutively") {
        &["AZF402"]
    } else {
        &[]
    }
}

fn read_json(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).unwrap())
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
    let mut failures = Vec::new();
    for app_dir in &apps {
        let name = app_dir.file_name().unwrap().to_string_lossy().to_string();
        let verdict = read_json(&dir.join(format!("{name}.verdict.json")))
            .unwrap_or_else(|| panic!("{name} has no verdict"));
        let expect = read_json(&dir.join(format!("{name}.expect.json")));
        let app = azfunc_lsp::loader::load_app(app_dir, app_dir.display().to_string());
        let diags = check_app(&app, &Config::default());
        let errors: Vec<&Diagnostic> = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        let worker_error = verdict["error"].as_str();
        let (expect_error, allowed): (bool, &[&str]) = match &expect {
            Some(e) => (
                e["error"].as_bool().unwrap(),
                codes_for_host(e["reason"].as_str().unwrap_or("")),
            ),
            None => (
                worker_error.is_some(),
                codes_for_worker(
                    verdict["error_stage"].as_str().unwrap_or(""),
                    worker_error.unwrap_or(""),
                ),
            ),
        };
        let summary = || {
            diags
                .iter()
                .map(|d| {
                    format!(
                        "{} {} {}: {}",
                        d.code,
                        d.severity.as_str(),
                        d.file,
                        d.message
                    )
                })
                .collect::<Vec<_>>()
                .join("\n      ")
        };
        let runtime = || {
            expect
                .as_ref()
                .and_then(|e| e["reason"].as_str().map(str::to_string))
                .or(worker_error.map(str::to_string))
                .unwrap_or_else(|| "indexes".into())
        };
        if errors.is_empty() == expect_error {
            failures.push(format!(
                "{name}: runtime says {}, we report {}\n    runtime: {}\n    ours:\n      {}",
                if expect_error { "error" } else { "ok" },
                if errors.is_empty() {
                    "no error"
                } else {
                    "an error"
                },
                runtime(),
                summary()
            ));
            continue;
        }
        if expect_error
            && !allowed.is_empty()
            && !errors.iter().any(|d| allowed.contains(&d.code.as_str()))
        {
            failures.push(format!(
                "{name}: the runtime's failure expects one of {allowed:?}\n    runtime: {}\n    ours:\n      {}",
                runtime(),
                summary()
            ));
        }
        if expect_error && expect.is_none() && allowed.is_empty() {
            failures.push(format!(
                "{name}: no rule family is mapped for this runtime failure\n    runtime: {}",
                runtime()
            ));
        }
    }
    assert!(apps.len() >= 77, "only {} v2 parity apps", apps.len());
    assert!(
        failures.is_empty(),
        "{} of {} apps disagree:\n{}",
        failures.len(),
        apps.len(),
        failures.join("\n")
    );
}

/// Every error in a v2 app that comes from a function-level worker or library check says that
/// the whole app fails: that is the symptom users see. The report states it once per file (the
/// first such error keeps the statement): each rule's whole message is checked here, and the
/// report for a statement in each file that has such an error.
#[test]
fn function_level_errors_say_the_app_fails() {
    let dir = fixtures_dir();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let app_dir = entry.unwrap().path();
        if !app_dir.is_dir() {
            continue;
        }
        let app = azfunc_lsp::loader::load_app(&app_dir, app_dir.display().to_string());
        let mut files_failing = std::collections::BTreeSet::new();
        for d in azfunc_lsp::analysis::check_app_whole_messages(&app, &Config::default()) {
            let worker_check = d.code.as_str().starts_with("AZF2")
                || matches!(d.code.as_str(), "AZF009" | "AZF010" | "AZF011" | "AZF311")
                || (d.code.as_str().starts_with("AZF7")
                    && !matches!(d.code.as_str(), "AZF704" | "AZF706" | "AZF716" | "AZF717"));
            // Host checks (AZF708 for a generic trigger type) fail only their function.
            let host_check = d.message.contains("the host");
            if d.severity == Severity::Error && worker_check && !host_check {
                assert!(
                    d.message.contains("0 functions found")
                        || d.message.contains("no function of the app"),
                    "{}: {} {}",
                    app_dir.display(),
                    d.code,
                    d.message
                );
                files_failing.insert(d.file.clone());
            }
        }
        let report = check_app(&app, &Config::default());
        for file in files_failing {
            assert!(
                report.iter().any(|d| d.file == file
                    && (d.message.contains("0 functions found")
                        || d.message.contains("no function of the app"))),
                "{}: {file} states the app-level failure nowhere",
                app_dir.display()
            );
        }
    }
}
