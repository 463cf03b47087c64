//! `--format sarif`: a SARIF 2.1.0 log with one run, for code scanning (GitHub, Azure DevOps).
//!
//! Columns are counted in Unicode code points (`run.columnKind`), as in the other formats. URIs
//! are relative to the current directory, which should be the repository root.

use serde_json::{json, Map, Value};

use super::report::{Item, JsonRange};
use crate::analysis::rules::RULES;
use crate::analysis::Severity;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF log for the resolved items.
pub fn sarif_log(items: &[Item]) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            let explanation = rule.explanation.trim();
            let help = if explanation.is_empty() {
                rule.summary
            } else {
                explanation
            };
            json!({
                "id": rule.code,
                "name": rule.name,
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": first_paragraph(help) },
                "help": { "text": help, "markdown": help },
                "defaultConfiguration": { "level": level(rule.severity) },
            })
        })
        .collect();
    let results: Vec<Value> = items.iter().map(result).collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "azfunc-lsp",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// SARIF's level for a severity: `error`, `warning` or `note`.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

fn result(item: &Item) -> Value {
    let d = &item.out;
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(d.code));
    if let Some(index) = RULES.iter().position(|r| r.code == d.code) {
        result.insert("ruleIndex".into(), json!(index));
    }
    result.insert("level".into(), json!(level(item.severity)));
    result.insert("message".into(), json!({ "text": d.message }));
    result.insert(
        "locations".into(),
        json!([{ "physicalLocation": physical_location(&d.file, d.range) }]),
    );
    if !d.related.is_empty() {
        let related: Vec<Value> = d
            .related
            .iter()
            .enumerate()
            .map(|(id, r)| {
                json!({
                    "id": id,
                    "physicalLocation": physical_location(&r.file, r.range),
                    "message": { "text": r.message },
                })
            })
            .collect();
        result.insert("relatedLocations".into(), Value::Array(related));
    }
    if !d.fixes.is_empty() {
        let fixes: Vec<Value> = d
            .fixes
            .iter()
            .map(|fix| {
                // SARIF groups replacements by file, in the order the files first appear.
                let mut files: Vec<&str> = Vec::new();
                for edit in &fix.edits {
                    if !files.contains(&edit.file.as_str()) {
                        files.push(&edit.file);
                    }
                }
                let changes: Vec<Value> = files
                    .iter()
                    .map(|file| {
                        let replacements: Vec<Value> = fix
                            .edits
                            .iter()
                            .filter(|e| e.file == *file)
                            .map(|e| {
                                json!({
                                    "deletedRegion": region(e.range),
                                    "insertedContent": { "text": e.new_text },
                                })
                            })
                            .collect();
                        json!({
                            "artifactLocation": { "uri": uri(file) },
                            "replacements": replacements,
                        })
                    })
                    .collect();
                json!({
                    "description": { "text": fix.title },
                    "artifactChanges": changes,
                })
            })
            .collect();
        result.insert("fixes".into(), Value::Array(fixes));
    }
    if let Some(function) = &d.function {
        result.insert("properties".into(), json!({ "function": function }));
    }
    Value::Object(result)
}

fn physical_location(file: &str, range: JsonRange) -> Value {
    json!({
        "artifactLocation": { "uri": uri(file) },
        "region": region(range),
    })
}

fn region(range: JsonRange) -> Value {
    json!({
        "startLine": range.start.line,
        "startColumn": range.start.column,
        "endLine": range.end.line,
        "endColumn": range.end.column,
    })
}

/// A relative path as a URI reference: `/`-separated, with everything but unreserved characters
/// percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            b'\\' => out.push('/'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The first paragraph of Markdown that is not a heading.
fn first_paragraph(text: &str) -> &str {
    let text = text.trim();
    text.split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty() && !p.starts_with('#'))
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            uri("my app/Func 1/__init__.py"),
            "my%20app/Func%201/__init__.py"
        );
        assert_eq!(uri("a\\b#c.json"), "a/b%23c.json");
        assert_eq!(uri("é"), "%C3%A9");
    }
}
