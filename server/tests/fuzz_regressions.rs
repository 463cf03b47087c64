//! Every input the fuzz targets (`fuzz/`) found a failure with, kept in
//! `tests/fixtures/fuzz/<target>/`, checked with the property the target checks.

use std::path::PathBuf;

use azfunc_lsp::analysis::edits::apply_edits;
use azfunc_lsp::analysis::ide::fixes;
use azfunc_lsp::analysis::state::AppState;
use azfunc_lsp::analysis::{check_app, json, python, AppInput, Config, Diagnostic};

/// The fuzz targets' own input splitting and properties, so a regression is read exactly as the
/// target read it.
#[allow(dead_code)]
#[path = "../../fuzz/src/lib.rs"]
mod fuzz_support;

use fuzz_support::{assert_range, json_file, python_file, split};

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/fuzz")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    found.sort();
    found
}

/// `check` and the server's state agree, and every diagnostic is well-formed.
fn assert_app(name: &str, app: &AppInput) {
    let config = Config::default();
    let diagnostics = check_app(app, &config);
    for d in &diagnostics {
        if let Some(text) = app.text(&d.file) {
            assert_range(text, d.range, d.code.as_str());
        }
        assert!(!d.message.chars().any(char::is_control), "{name}: {d:?}");
    }
    let key = |d: &Diagnostic| (d.file.clone(), d.range, d.code, d.message.clone());
    let mut state = AppState::new(app.clone());
    state.check_all();
    let mut from_server: Vec<_> = state
        .diagnostics_by_file(&config)
        .into_values()
        .flatten()
        .map(|d| key(&d))
        .collect();
    let mut from_check: Vec<_> = diagnostics.iter().map(key).collect();
    from_server.sort();
    from_server.dedup();
    from_check.sort();
    from_check.dedup();
    let only_check: Vec<_> = from_check
        .iter()
        .filter(|d| !from_server.contains(d))
        .collect();
    let only_server: Vec<_> = from_server
        .iter()
        .filter(|d| !from_check.contains(d))
        .collect();
    assert!(
        only_check.is_empty() && only_server.is_empty(),
        "{name}: check and the server disagree\nonly check: {only_check:?}\nonly server: {only_server:?}"
    );
    // "Fix all" edits fall on character boundaries and apply together.
    let all = fixes::fix_all(&state, &diagnostics);
    for e in &all.edits {
        if let Some(text) = app.text(&e.file) {
            assert_range(text, e.range, &format!("{name}: fix all {e:?}"));
            let same_file: Vec<_> = all.edits.iter().filter(|x| x.file == e.file).collect();
            assert!(
                apply_edits(text, &same_file).is_some(),
                "{name}: clashing edits"
            );
        }
    }
}

/// The nesting depth of `value`, walked with a stack (a deep value must not overflow the test).
fn json_depth(value: &json::JsonValue) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 1usize)];
    while let Some((v, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        match &v.kind {
            json::JsonKind::Object(members) => stack.extend(
                members
                    .iter()
                    .filter_map(|m| m.value.as_ref())
                    .map(|c| (c, depth + 1)),
            ),
            json::JsonKind::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
            _ => {}
        }
    }
    deepest
}

#[test]
fn json_reader() {
    for (name, data) in inputs("json_reader") {
        let text = String::from_utf8_lossy(&data);
        // Containers nest at most MAX_DEPTH deep in the host's reading; error recovery may wrap
        // each in an ERROR node, and scalars sit one level below.
        for value in [json::parse(&text).value, json::parse_tolerant(&text).value]
            .iter()
            .flatten()
        {
            assert!(json_depth(value) <= 2 * json::MAX_DEPTH + 3, "{name}");
        }
        let parsed = json::parse(&text);
        for e in &parsed.errors {
            assert_range(&text, e.range, &name);
            assert!(!e.message.chars().any(char::is_control), "{name}");
        }
        if let Some(fast) = json::parse_fast(&text) {
            assert!(parsed.errors.is_empty(), "{name}: {:?}", parsed.errors);
            assert_eq!(parsed.value.as_ref(), Some(&fast), "{name}");
            let tolerant = json::parse_tolerant(&text);
            if tolerant.errors.is_empty() {
                assert_eq!(tolerant.value.as_ref(), Some(&fast), "{name}");
            }
        }
    }
}

#[test]
fn python_summary() {
    for (name, data) in inputs("python_summary") {
        let Ok(text) = std::str::from_utf8(&data) else {
            continue;
        };
        let module = python::parse(text);
        for e in &module.syntax_errors {
            assert_range(text, e.range, &name);
        }
        for f in &module.functions {
            assert_range(text, f.range, &name);
        }
    }
}

#[test]
fn app_analysis() {
    for (name, data) in inputs("app_analysis") {
        let parts = split(&data, 5);
        let mut app = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("requirements.txt", "azure-functions\n");
        let files = [
            "F/function.json",
            "F/__init__.py",
            "local.settings.json",
            "host.json",
            "shared/util.py",
        ];
        for (file, part) in files.iter().zip(&parts) {
            let content = if file.ends_with(".py") {
                python_file(part)
            } else {
                json_file(part)
            };
            app.files.insert(file.to_string(), content);
        }
        assert_app(&name, &app);
    }
}

#[test]
fn v2_interp() {
    for (name, data) in inputs("v2_interp") {
        let parts = split(&data, 3);
        let mut app = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("requirements.txt", "azure-functions\n");
        let files = ["function_app.py", "blueprints.py", "local.settings.json"];
        for (file, part) in files.iter().zip(&parts) {
            let content = if file.ends_with(".py") {
                python_file(part)
            } else {
                json_file(part)
            };
            app.files.insert(file.to_string(), content);
        }
        assert_app(&name, &app);
    }
}
