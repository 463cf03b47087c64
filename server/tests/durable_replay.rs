//! The Durable rules held against what the `azure-functions-durable` library's own replay
//! machinery did with the fixture's orchestrators (`tests/fixtures/durable_replay/outcome.json`,
//! recorded by `record.py` beside it):
//! - AZF802 reports an orchestrator exactly when the library failed it or scheduled none of its
//!   tasks on its first episode;
//! - AZF801 reports an orchestrator exactly when its second episode, replayed with the Durable
//!   extension's answer to each scheduled activity, failed because the extension knows no
//!   activity of that name — and not when it completed.

use std::path::{Path, PathBuf};

use azfunc_lsp::analysis::{check_app, check_functions, Config, Diagnostic};
use serde_json::{Map, Value};

/// The start of the reason the Durable extension gives an activity call it has no function for.
const UNKNOWN_ACTIVITY: &str = "doesn't exist, is disabled, or is not an activity function";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/durable_replay")
}

fn recorded() -> Map<String, Value> {
    let text = std::fs::read_to_string(fixture().join("outcome.json")).unwrap();
    let outcome: Value = serde_json::from_str(&text).unwrap();
    outcome.as_object().unwrap().clone()
}

fn app() -> azfunc_lsp::analysis::AppInput {
    let root = fixture();
    azfunc_lsp::loader::load_app(&root, root.display().to_string())
}

fn checked() -> Vec<(String, Vec<Diagnostic>)> {
    check_functions(&app())
}

fn diagnostics_of<'a>(checked: &'a [(String, Vec<Diagnostic>)], name: &str) -> &'a [Diagnostic] {
    &checked
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} is not a function of the fixture"))
        .1
}

#[test]
fn orchestrator_shapes_match_the_library_replay() {
    let outcome = recorded();
    let checked = checked();
    assert_eq!(outcome.len(), 8, "every orchestrator was recorded");
    for (name, recorded) in &outcome {
        let diagnostics = diagnostics_of(&checked, name);
        let reported = diagnostics.iter().any(|d| d.code == "AZF802");
        let runs = !recorded["failed"].as_bool().unwrap()
            && !recorded["scheduled"].as_array().unwrap().is_empty();
        assert_eq!(
            reported, !runs,
            "{name}: AZF802 reported = {reported}, but the library recorded {recorded}"
        );
        assert!(
            diagnostics
                .iter()
                .all(|d| d.severity < azfunc_lsp::analysis::Severity::Error),
            "{name}: an error on an app that loads: {diagnostics:#?}"
        );
    }
}

#[test]
fn unknown_activity_names_match_the_extension_replay() {
    let outcome = recorded();
    // AZF801 is judged across the app (a name is held against every function), so the whole
    // check is read and each report is placed by the orchestrator file it is in.
    let diagnostics = check_app(&app(), &Config::default());
    let (mut failed, mut completed) = (0, 0);
    for (name, recorded) in &outcome {
        let file = format!("{name}/__init__.py");
        let unknown: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| d.code == "AZF801" && d.file == file)
            .collect();
        let answered = &recorded["answered"];
        let failed_for_unknown_name = answered["failed"].as_bool() == Some(true)
            && answered["detail"]
                .as_str()
                .is_some_and(|detail| detail.contains(UNKNOWN_ACTIVITY));
        if failed_for_unknown_name {
            failed += 1;
        }
        if answered["completed"].as_bool() == Some(true) {
            completed += 1;
        }
        assert_eq!(
            !unknown.is_empty(),
            failed_for_unknown_name,
            "{name}: AZF801 reported = {}, but the replay recorded {answered}",
            !unknown.is_empty()
        );
        if !failed_for_unknown_name {
            continue;
        }
        // Each report underlines a name the extension refused, and every refused name is reported.
        let source = std::fs::read_to_string(fixture().join(&file)).unwrap();
        let underlined: Vec<&str> = unknown
            .iter()
            .map(|d| {
                let text = &source[d.range.start as usize..d.range.end as usize];
                text.trim_matches(|c| c == '"' || c == '\'')
            })
            .collect();
        let refused: Vec<&str> = answered["unknown"]
            .as_array()
            .unwrap()
            .iter()
            .map(|name| name.as_str().unwrap())
            .collect();
        assert_eq!(underlined, refused, "{name}: {unknown:#?}");
        for refused in refused {
            assert!(
                answered["detail"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("'{refused}'")),
                "{name}: the extension's reason names {refused}: {answered}"
            );
        }
    }
    assert!(
        failed >= 1 && completed >= 1,
        "the fixture records both outcomes: {failed} failed, {completed} completed"
    );
}
