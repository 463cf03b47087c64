//! Realistic apps modelled on the official templates, one function per trigger type, with their
//! settings, requirements and host.json: the checker must report nothing at all, and the recorded
//! verdict of the real worker confirms every function loads.

use std::path::Path;

use azfunc_lsp::analysis::{check_app, Config};
use azfunc_lsp::loader::load_app;

#[test]
fn template_apps_are_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/templates");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_dir() {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let app = load_app(&path, name.clone());
        let diagnostics = check_app(&app, &Config::default());
        assert!(
            diagnostics.is_empty(),
            "{name}: {:#?}",
            diagnostics
                .iter()
                .map(|d| format!("{} {} {}", d.file, d.code, d.message))
                .collect::<Vec<_>>()
        );
        let verdict: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{name}.verdict.json"))).unwrap(),
        )
        .unwrap();
        let functions = verdict["functions"].as_array().unwrap();
        assert!(
            functions.len() >= 8,
            "{name}: {} functions",
            functions.len()
        );
        assert!(
            functions.iter().all(|f| f["ok"] == true),
            "{name}: the worker refuses a function"
        );
        checked += 1;
    }
    assert!(checked >= 1);
}

#[test]
fn breaking_the_settings_is_noticed() {
    // The same app with typical local mistakes: each is reported, as a warning.
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/templates/v1-every-trigger");
    let mut app = load_app(&dir, "app".into());
    let broken = r#"{"Values": {"FUNCTIONS_WORKER_RUNTIME": "python3.11", "AzureWebJobsStorage": "{AzureWebJobsStorage}", "ServiceBus__serviceUri": "x"}}"#;
    app.files.insert(
        "local.settings.json".into(),
        azfunc_lsp::analysis::FileContent::Text(broken.into()),
    );
    let mut codes: Vec<&str> = check_app(&app, &Config::default())
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    codes.sort();
    codes.dedup();
    assert_eq!(
        codes,
        ["AZF303", "AZF304", "AZF305", "AZF306", "AZF307", "AZF309"]
    );
}
