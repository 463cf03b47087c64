//! The checked apps and their diagnostics resolved for output: paths relative to the current
//! directory, 1-based lines and character columns, a stable order. This is also the `--format
//! json` schema (version 1), documented in `docs/json-output.md`.

use std::collections::HashMap;

use serde::Serialize;

use crate::analysis::text::{ColumnUnit, LineIndex};
use crate::analysis::{AppInput, Diagnostic, Severity};

/// The version of the JSON output schema; bumped only on incompatible changes.
pub const JSON_VERSION: u32 = 1;

/// One app after checking.
#[derive(Debug, Clone)]
pub struct CheckedApp {
    /// The app's files (for source snippets and line/column conversion).
    pub input: AppInput,
    /// The app root relative to the current directory, `/`-separated; `.` for the current
    /// directory itself.
    pub display_root: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Every file of the app lies in an excluded path: nothing of it was checked.
    pub excluded: bool,
    /// The app as analysed (its modules parsed), kept for building the fixes of its findings.
    pub state: Option<crate::analysis::state::AppState>,
}

/// The whole `--format json` document, over the items it prints (serialised where they are,
/// not copied first).
#[derive(Debug, Clone, Serialize)]
pub struct JsonOutput<'a> {
    pub version: u32,
    pub diagnostics: Vec<&'a JsonDiagnostic>,
}

/// One diagnostic as the CLI prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonDiagnostic {
    pub code: String,
    /// `error`, `warning`, `information` or `hint`.
    pub severity: &'static str,
    /// Path relative to the current directory, `/`-separated.
    pub file: String,
    pub range: JsonRange,
    pub message: String,
    /// The function the diagnostic belongs to, if any.
    pub function: Option<String>,
    /// The app root relative to the current directory.
    pub app: String,
    pub related: Vec<JsonRelated>,
    pub fixes: Vec<JsonFix>,
}

/// A 1-based range; `end` is the position just after the last character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct JsonRange {
    pub start: JsonPosition,
    pub end: JsonPosition,
}

/// A 1-based line and a 1-based column counted in Unicode characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct JsonPosition {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonRelated {
    pub file: String,
    pub range: JsonRange,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonFix {
    pub title: String,
    /// Whether `check --fix` applies it.
    pub automatic: bool,
    pub edits: Vec<JsonEdit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonEdit {
    pub file: String,
    pub range: JsonRange,
    #[serde(rename = "newText")]
    pub new_text: String,
}

/// A diagnostic resolved for output, with the way back to its app and source.
#[derive(Debug, Clone)]
pub struct Item {
    pub out: JsonDiagnostic,
    pub severity: Severity,
    /// Index into the checked apps.
    pub app: usize,
    /// Index into that app's diagnostics.
    pub index: usize,
}

impl Item {
    /// The core diagnostic this item was made from.
    pub fn diagnostic<'a>(&self, apps: &'a [CheckedApp]) -> &'a Diagnostic {
        &apps[self.app].diagnostics[self.index]
    }
}

/// Resolves every diagnostic of every app and sorts them by file, line, column and code.
pub fn resolve(apps: &[CheckedApp]) -> Vec<Item> {
    let mut items = Vec::new();
    for (app_index, app) in apps.iter().enumerate() {
        let mut positions = Positions::new(&app.input);
        for (index, d) in app.diagnostics.iter().enumerate() {
            let out = JsonDiagnostic {
                code: d.code.to_string(),
                severity: d.severity.as_str(),
                file: join_display(&app.display_root, &d.file),
                range: positions.range(&d.file, d.range),
                message: d.message.clone(),
                function: d.function.clone(),
                app: app.display_root.clone(),
                related: d
                    .related
                    .iter()
                    .map(|r| JsonRelated {
                        file: join_display(&app.display_root, &r.file),
                        range: positions.range(&r.file, r.range),
                        message: r.message.clone(),
                    })
                    .collect(),
                fixes: d
                    .fixes
                    .iter()
                    .map(|f| JsonFix {
                        title: f.title.clone(),
                        automatic: f.automatic,
                        edits: f
                            .edits
                            .iter()
                            .map(|e| JsonEdit {
                                file: join_display(&app.display_root, &e.file),
                                range: positions.range(&e.file, e.range),
                                new_text: e.new_text.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
            };
            items.push(Item {
                out,
                severity: d.severity,
                app: app_index,
                index,
            });
        }
    }
    items.sort_by(|a, b| {
        let key = |i: &Item| {
            (
                i.out.file.clone(),
                i.out.range.start,
                i.out.code.clone(),
                i.out.range.end,
                i.out.message.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    items
}

/// The JSON document for the resolved items.
pub fn json_output(items: &[Item]) -> JsonOutput<'_> {
    JsonOutput {
        version: JSON_VERSION,
        diagnostics: items.iter().map(|i| &i.out).collect(),
    }
}

/// A file path inside an app as shown to the user.
pub fn join_display(root: &str, file: &str) -> String {
    if root == "." || root.is_empty() {
        file.to_string()
    } else if file.is_empty() {
        root.to_string()
    } else {
        format!("{}/{}", root.trim_end_matches('/'), file)
    }
}

/// Byte offset → line/column conversion with one [`LineIndex`] per file, built on first use.
pub struct Positions<'a> {
    app: &'a AppInput,
    indexes: HashMap<&'a str, LineIndex>,
}

impl<'a> Positions<'a> {
    pub fn new(app: &'a AppInput) -> Positions<'a> {
        Positions {
            app,
            indexes: HashMap::new(),
        }
    }

    /// The 1-based position of a byte offset in `file`; `1:1` when the file has no text (it is
    /// missing, binary, too large…).
    pub fn position(&mut self, file: &str, offset: u32) -> JsonPosition {
        let Some((key, content)) = self.app.files.get_key_value(file) else {
            return JsonPosition { line: 1, column: 1 };
        };
        let Some(text) = content.text() else {
            return JsonPosition { line: 1, column: 1 };
        };
        let index = self
            .indexes
            .entry(key.as_str())
            .or_insert_with(|| LineIndex::new(text));
        let lc = index.line_col(text, offset as usize, ColumnUnit::Char);
        JsonPosition {
            line: lc.line + 1,
            column: lc.col + 1,
        }
    }

    pub fn range(&mut self, file: &str, range: crate::analysis::text::TextRange) -> JsonRange {
        JsonRange {
            start: self.position(file, range.start),
            end: self.position(file, range.end),
        }
    }
}
