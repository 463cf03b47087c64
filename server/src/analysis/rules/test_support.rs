//! Fixture-driven tests for rules: a multi-file app in one string, diagnostics rendered as text.

use crate::analysis::app::AppInput;
use crate::analysis::config::Config;
use crate::analysis::text::{ColumnUnit, LineIndex};

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
    render(&app, &crate::analysis::check_app(&app, &config))
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
