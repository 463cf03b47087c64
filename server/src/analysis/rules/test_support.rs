//! Fixture-driven tests for rules: a multi-file app in one string, diagnostics rendered as text.

use crate::analysis::app::{AppInput, FileContent};
use crate::analysis::config::Config;
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::edits;
use crate::analysis::ide::fixes;
use crate::analysis::state::AppState;
use crate::analysis::text::{ColumnUnit, LineIndex};
use std::sync::Arc;

/// Builds an app from `//- /path` sections.
pub fn app(fixture: &str) -> AppInput {
    let mut app = AppInput::new("app");
    let mut current: Option<(String, String)> = None;
    for line in fixture.split_inclusive('\n') {
        if let Some(path) = line.trim().strip_prefix("//- /") {
            if let Some((p, t)) = current.take() {
                app = app.with_file(&p, &t);
            }
            current = Some((path.trim().to_string(), String::new()));
        } else if let Some((_, text)) = current.as_mut() {
            text.push_str(line);
        }
    }
    if let Some((p, t)) = current {
        app = app.with_file(&p, &t);
    }
    app
}

/// Runs only the rules whose code starts with `code` and renders what they report, one line per
/// diagnostic: `file:line:col code severity message`, then related locations indented.
pub fn check(code: &str, fixture: &str) -> String {
    let app = app(fixture);
    let config = Config {
        select: vec![code.to_string()],
        ..Config::default()
    };
    render(
        &app,
        &crate::analysis::check_app_whole_messages(&app, &config),
    )
}

/// The start of a decorator-model script: the import and the app object.
const SCRIPT_HEAD: &str =
    "//- /function_app.py\nimport azure.functions as func\napp = func.FunctionApp()\n";

/// [`check`] on an app whose `function_app.py` is [`SCRIPT_HEAD`] and then `rest` (without its
/// first newline; later `//- /path` sections add files). Line numbers count the head's two lines.
pub fn check_script(code: &str, rest: &str) -> String {
    let rest = rest.strip_prefix('\n').unwrap_or(rest);
    check(code, &format!("{SCRIPT_HEAD}{rest}"))
}

/// What each diagnostic of [`check_script`] underlines, one line each: `code `text``, the text
/// being the source its range covers.
pub fn underlined(code: &str, rest: &str) -> String {
    let rest = rest.strip_prefix('\n').unwrap_or(rest);
    let app = app(&format!("{SCRIPT_HEAD}{rest}"));
    let config = Config {
        select: vec![code.to_string()],
        ..Config::default()
    };
    crate::analysis::check_app_whole_messages(&app, &config)
        .iter()
        .map(|d| {
            let text = app.text(&d.file).unwrap_or("");
            let covered = text
                .get(d.range.start as usize..d.range.end as usize)
                .unwrap_or("?");
            format!("{} `{covered}`\n", d.code)
        })
        .collect()
}

pub fn render(app: &AppInput, diagnostics: &[crate::analysis::Diagnostic]) -> String {
    let mut out = String::new();
    let pos = |file: &str, offset: u32| {
        let text = app.text(file).unwrap_or("");
        let lc = LineIndex::new(text).line_col(text, offset as usize, ColumnUnit::Char);
        format!("{file}:{}:{}", lc.line + 1, lc.col + 1)
    };
    for d in diagnostics {
        out.push_str(&format!(
            "{} {} {} {}\n",
            pos(&d.file, d.range.start),
            d.code,
            d.severity.as_str(),
            d.message
        ));
        for r in &d.related {
            out.push_str(&format!(
                "  related {}: {}\n",
                pos(&r.file, r.range.start),
                r.message
            ));
        }
        for f in &d.fixes {
            out.push_str(&format!("  fix: {}\n", f.title));
        }
    }
    out
}

// Fixes, applied to an `AppState` as the editor applies them, through the same glue.

/// A healthy app around the functions of each case.
pub const BASE: &str = r#"
//- /host.json
{"version": "2.0", "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}}
//- /requirements.txt
azure-functions
//- /local.settings.json
{
  "IsEncrypted": false,
  "Values": {
    "FUNCTIONS_WORKER_RUNTIME": "python",
    "AzureWebJobsStorage": "UseDevelopmentStorage=true"
  }
}
"#;

/// Every diagnostic of the app, as the editor gets them.
pub fn diagnostics(state: &mut AppState) -> Vec<Diagnostic> {
    state
        .diagnostics_by_file(&Config::default())
        .into_values()
        .flatten()
        .collect()
}

/// The state after `edits` (files that do not exist are created).
pub fn apply(state: &AppState, edits: &[FileEdit]) -> AppState {
    let mut next = state.clone();
    let mut files: Vec<&str> = edits.iter().map(|e| e.file.as_str()).collect();
    files.sort();
    files.dedup();
    for f in files {
        let mine: Vec<&FileEdit> = edits.iter().filter(|e| e.file == f).collect();
        let text = state.input().text(f).unwrap_or("");
        let new = edits::apply_edits(text, &mine).expect("edits apply");
        next.set_file(f, FileContent::Text(Arc::from(new.as_str())));
    }
    next
}

/// Applies the fix titled `title…` (as the editor offers it) of the first `code` diagnostic (of
/// the base app plus `fixture`), checks that the diagnostic is gone and that no new error or warning
/// appeared, and shows the fix and the changed files.
pub fn check_fix(fixture: &str, code: &str, title: &str) -> String {
    check_fix_in(&format!("{BASE}{fixture}"), code, title)
}

fn check_fix_in(fixture: &str, code: &str, title: &str) -> String {
    let mut state = AppState::new(app(fixture));
    let before = diagnostics(&mut state);
    let d = before
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no {code} in {before:#?}"));
    let all = fixes::fixes(&state, d);
    let fix = all
        .iter()
        .find(|f| f.title.starts_with(title))
        .unwrap_or_else(|| panic!("no fix '{title}' for {code} in {all:#?}"));
    let mut fixed = apply(&state, &fix.edits);
    let after = diagnostics(&mut fixed);
    assert!(
        !after
            .iter()
            .any(|x| x.code == code && x.message == d.message),
        "{code} is still reported after '{}': {after:#?}",
        fix.title
    );
    let key = |x: &Diagnostic| (x.code, x.file.clone(), x.message.clone());
    let new: Vec<&Diagnostic> = after
        .iter()
        .filter(|x| x.severity >= Severity::Warning && !before.iter().any(|b| key(b) == key(x)))
        .collect();
    assert!(new.is_empty(), "'{}' introduced {new:#?}", fix.title);
    let mut out = format!(
        "{}{}{}\n",
        fix.title,
        if fix.preferred { " [preferred]" } else { "" },
        if fix.auto { " [auto]" } else { "" }
    );
    let mut files: Vec<&str> = fix.edits.iter().map(|e| e.file.as_str()).collect();
    files.sort();
    files.dedup();
    for f in files {
        out.push_str(&format!("--- {f}\n{}", fixed.input().text(f).unwrap_or("")));
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Like [`check_fix`], without the base app.
pub fn check_fix_raw(fixture: &str, code: &str, title: &str) -> String {
    check_fix_in(fixture, code, title)
}

/// The titles of the fixes of the first `code` diagnostic.
pub fn titles(fixture: &str, code: &str) -> Vec<String> {
    let mut state = AppState::new(app(&format!("{BASE}{fixture}")));
    let d = diagnostics(&mut state)
        .into_iter()
        .find(|d| d.code == code)
        .unwrap();
    fixes::fixes(&state, &d)
        .into_iter()
        .map(|f| {
            let mut t = f.title;
            if f.preferred {
                t.push_str(" [preferred]");
            }
            if f.auto {
                t.push_str(" [auto]");
            }
            t
        })
        .collect()
}
