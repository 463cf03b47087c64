//! Completion in Python scripts: decorator arguments of a v2 app, names, and the entry
//! function's signature.

use super::decorators;
use super::local_settings::referenced_settings;
use super::{CompletionItem, CompletionKind};
use crate::analysis::entry;
use crate::analysis::function_json::Direction;
use crate::analysis::ide::{accepted_annotations, azure_prefix};
use crate::analysis::state::AppState;
use crate::analysis::text::TextRange;

pub(super) fn python(
    state: &AppState,
    file: &str,
    text: &str,
    offset: usize,
) -> Vec<CompletionItem> {
    // Inside a decorator call of a v2 app.
    if let Some(items) = decorators::completions(state, file, text, offset) {
        return items;
    }
    if let Some(items) = super::durable::completions(state, text, offset) {
        return items;
    }
    let line_start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let before = &text[line_start..offset];
    // Setting keys in os.environ["…"], os.environ.get("…"), os.getenv("…").
    for pattern in ["environ[", "environ.get(", "getenv("] {
        let Some(at) = before.rfind(pattern) else {
            continue;
        };
        let arg = &before[at + pattern.len()..];
        let Some(quote) = arg.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let typed = &arg[1..];
        if typed.contains(quote) {
            continue;
        }
        let start = offset - typed.len();
        let mut end = offset;
        let bytes = text.as_bytes();
        while end < text.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        let mut names: Vec<(String, String)> = state
            .local_settings()
            .iter()
            .flat_map(|s| s.values.iter())
            .map(|v| (v.name.clone(), "local.settings.json".to_string()))
            .collect();
        let defined: std::collections::HashSet<String> =
            names.iter().map(|(n, _)| n.clone()).collect();
        for r in referenced_settings(state) {
            if !defined.contains(&r) {
                names.push((r, "used by a binding".into()));
            }
        }
        return names
            .into_iter()
            .map(|(name, detail)| CompletionItem {
                label: name.clone(),
                kind: CompletionKind::Variable,
                detail: Some(detail),
                documentation: None,
                edit_range: TextRange::new(start, end),
                insert_text: name.clone(),
                is_snippet: false,
                sort_text: None,
                filter_text: Some(name),
            })
            .collect();
    }
    signature(state, file, text, offset)
}

/// Parameter names and annotations inside the entry function's signature.
fn signature(state: &AppState, file: &str, text: &str, offset: usize) -> Vec<CompletionItem> {
    // The function whose entry `def` (in either model) has the cursor in its parameter list.
    let found = state
        .units_with_script(file)
        .filter_map(|u| Some((u, entry::entry_def(state.input(), state.modules(), u)?)))
        .find(|(_, def)| {
            let params = def.function.params_range;
            offset > params.start as usize && offset < params.end as usize
        });
    let Some((unit, def)) = found else {
        return Vec::new();
    };
    let Some(module) = state.modules().get(file) else {
        return Vec::new();
    };
    let f = def.function;
    let params = f.params_range;
    let inside = &text[params.start as usize + 1..offset];
    let segment_start = inside.rfind([',', '(']).map(|i| i + 1).unwrap_or(0);
    let segment = &inside[segment_start..];
    let bytes = text.as_bytes();
    let mut start = offset;
    while start > 0
        && (bytes[start - 1].is_ascii_alphanumeric()
            || bytes[start - 1] == b'_'
            || bytes[start - 1] == b'.')
    {
        start -= 1;
    }
    let range = TextRange::new(start, offset);
    let item = |label: String, kind, detail: Option<String>| CompletionItem {
        filter_text: Some(label.clone()),
        insert_text: label.clone(),
        label,
        kind,
        detail,
        documentation: None,
        edit_range: range,
        is_snippet: false,
        sort_text: None,
    };
    let prefix = azure_prefix(Some(module));
    match segment.split_once(':') {
        Some((name, _)) => {
            let name = name.trim().trim_start_matches('*');
            let Some(b) = unit.bindings().iter().find(|b| b.name_str() == Some(name)) else {
                if name == "context" {
                    return vec![item(
                        format!("{prefix}Context"),
                        CompletionKind::Class,
                        Some("invocation context".into()),
                    )];
                }
                return Vec::new();
            };
            let Some(t) = b.type_str() else {
                return Vec::new();
            };
            accepted_annotations(t, b.direction.unwrap_or(Direction::In), &prefix)
                .into_iter()
                .map(|a| {
                    item(
                        a,
                        CompletionKind::Class,
                        Some(format!("accepted for '{t}'")),
                    )
                })
                .collect()
        }
        None => {
            let taken: Vec<&str> = f.params.iter().map(|p| p.name.as_str()).collect();
            let mut items: Vec<CompletionItem> = unit
                .bindings()
                .iter()
                .filter_map(|b| Some((b.name_str()?, b.type_str().unwrap_or(""))))
                .filter(|(n, _)| *n != "$return" && !taken.contains(n))
                .map(|(n, t)| {
                    item(
                        n.to_string(),
                        CompletionKind::Variable,
                        Some(format!("{t} binding")),
                    )
                })
                .collect();
            if !taken.contains(&"context") {
                items.push(item(
                    "context".into(),
                    CompletionKind::Variable,
                    Some("invocation context".into()),
                ));
            }
            items
        }
    }
}
