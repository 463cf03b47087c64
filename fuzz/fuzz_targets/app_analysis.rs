//! A generated function.json app from arbitrary bytes: `function.json`, `__init__.py` and,
//! optionally, `local.settings.json` and `host.json`, split at the separator. Every rule runs,
//! `check` and the server must agree, and the editor features run at a few offsets.
#![no_main]

use azfunc_lsp::analysis::AppInput;
use azfunc_lsp_fuzz::{analyse_everything, json_file, python_file, split};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts = split(data, 5);
    let mut app = AppInput::new("app")
        .with_file("host.json", r#"{"version": "2.0"}"#)
        .with_file("requirements.txt", "azure-functions\n");
    app.files
        .insert("F/function.json".into(), json_file(parts[0]));
    if let Some(script) = parts.get(1) {
        app.files
            .insert("F/__init__.py".into(), python_file(script));
    }
    if let Some(settings) = parts.get(2) {
        app.files
            .insert("local.settings.json".into(), json_file(settings));
    }
    if let Some(host) = parts.get(3) {
        app.files.insert("host.json".into(), json_file(host));
    }
    if let Some(shared) = parts.get(4) {
        app.files
            .insert("shared/util.py".into(), python_file(shared));
    }
    analyse_everything(&app, data);
});
