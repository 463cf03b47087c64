//! The orchestrator shapes AZF802 judges, held against what the `azure-functions-durable`
//! library's own replay machinery did with them (`tests/fixtures/durable_replay/outcome.json`,
//! recorded by `record.py` beside it): an orchestrator is reported exactly when the library
//! failed it or scheduled none of its tasks.

use std::path::Path;

use azfunc_lsp::analysis::check_functions;
use serde_json::Value;

#[test]
fn orchestrator_shapes_match_the_library_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/durable_replay");
    let outcome: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("outcome.json")).unwrap()).unwrap();
    let app = azfunc_lsp::loader::load_app(&root, root.display().to_string());
    let checked = check_functions(&app);
    let outcome = outcome.as_object().unwrap();
    assert_eq!(outcome.len(), 5, "every orchestrator was recorded");
    for (name, recorded) in outcome {
        let (_, diagnostics) = checked
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} is not a function of the fixture"));
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
