//! A decorator (v2) app from arbitrary bytes: `function_app.py`, a blueprint module
//! `blueprints.py` and, optionally, `local.settings.json`, split at the separator. The decorator
//! interpreter and every rule run, `check` and the server must agree, and the editor features
//! run at a few offsets. Then edits of the blueprint that keep what it imports (a line added at
//! its end, then removed) must leave the server where `check` is.
#![no_main]

use azfunc_lsp::analysis::AppInput;
use azfunc_lsp_fuzz::{
    analyse_everything, assert_edits_end_where_check_does, json_file, python_file, split,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts = split(data, 3);
    let mut app = AppInput::new("app")
        .with_file("host.json", r#"{"version": "2.0"}"#)
        .with_file("requirements.txt", "azure-functions\n");
    app.files
        .insert("function_app.py".into(), python_file(parts[0]));
    if let Some(blueprint) = parts.get(1) {
        app.files
            .insert("blueprints.py".into(), python_file(blueprint));
    }
    if let Some(settings) = parts.get(2) {
        app.files
            .insert("local.settings.json".into(), json_file(settings));
    }
    analyse_everything(&app, data);
    if let Some(text) = app.text("blueprints.py").map(str::to_string) {
        let edited = format!("{text}\n# edited\n");
        assert_edits_end_where_check_does(&app, "blueprints.py", &[edited, text]);
    }
});
