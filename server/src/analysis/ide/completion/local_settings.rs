//! Completion in `local.settings.json`: its keys, and setting names the app uses.

use super::{CompletionItem, CompletionKind, JsonItems};
use crate::analysis::catalog::config_files::{
    KNOWN_SETTINGS as KNOWN_VALUES, LOCAL_SETTINGS_KEYS as SETTINGS_KEYS,
};
use crate::analysis::ide::json_cursor::{self, Segment, Slot};
use crate::analysis::state::AppState;

/// Setting names from local.settings.json, plus `AzureWebJobsStorage`.
pub(super) fn setting_candidates(state: &AppState) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(s) = state.local_settings() {
        for v in &s.values {
            out.push((v.name.clone(), "local.settings.json".to_string()));
        }
    }
    if !out.iter().any(|(n, _)| n == "AzureWebJobsStorage") {
        out.push((
            "AzureWebJobsStorage".into(),
            "the app's storage account".into(),
        ));
    }
    out
}

pub(super) fn local_settings(state: &AppState, text: &str, offset: usize) -> Vec<CompletionItem> {
    let Some(cursor) = json_cursor::cursor(text, offset) else {
        return Vec::new();
    };
    let mut out = JsonItems {
        cursor: &cursor,
        items: Vec::new(),
    };
    match (cursor.path.as_slice(), &cursor.slot) {
        ([], Slot::Key) => out.missing_keys(text, SETTINGS_KEYS),
        ([], Slot::Value { key }) if key == "IsEncrypted" => {
            out.items.push(CompletionItem {
                label: "false".into(),
                kind: CompletionKind::Value,
                detail: None,
                documentation: None,
                edit_range: cursor.token,
                insert_text: "false".into(),
                is_snippet: false,
                sort_text: None,
                filter_text: None,
            });
        }
        ([Segment::Key(v)], Slot::Key) if v == "Values" => {
            // Sets: an app of thousands of settings, each used by a binding, compared each
            // with each.
            let present: std::collections::HashSet<&str> = state
                .local_settings()
                .map(|s| s.values.iter().map(|v| v.name.as_str()).collect())
                .unwrap_or_default();
            for (k, doc) in KNOWN_VALUES {
                if !present.contains(k) {
                    out.push(
                        k,
                        CompletionKind::Property,
                        None,
                        Some(doc.to_string()),
                        "0",
                    );
                }
            }
            for name in referenced_settings(state) {
                if !present.contains(name.as_str()) && !KNOWN_VALUES.iter().any(|(k, _)| *k == name)
                {
                    out.push(
                        &name,
                        CompletionKind::Property,
                        Some("used by a binding, not set".into()),
                        None,
                        "1",
                    );
                }
            }
        }
        ([Segment::Key(v)], Slot::Value { key })
            if v == "Values" && key == "FUNCTIONS_WORKER_RUNTIME" =>
        {
            out.push("python", CompletionKind::EnumMember, None, None, "0");
        }
        ([Segment::Key(v)], Slot::Value { key })
            if v == "Values" && key == "AzureWebJobsStorage" =>
        {
            out.push(
                "UseDevelopmentStorage=true",
                CompletionKind::Value,
                Some("Azurite, the local storage emulator".into()),
                None,
                "0",
            );
        }
        ([Segment::Key(h)], Slot::Key) if h == "Host" => {
            for (k, doc) in [
                ("LocalHttpPort", "Port for `func start` (default 7071)."),
                ("CORS", "Comma-separated allowed origins, `*` for any."),
                (
                    "CORSCredentials",
                    "Allow credentials in cross-origin requests.",
                ),
            ] {
                out.push(
                    k,
                    CompletionKind::Property,
                    None,
                    Some(doc.to_string()),
                    "0",
                );
            }
        }
        _ => {}
    }
    out.items
}

/// Setting names the app's bindings refer to (`connection`, `%Name%`).
pub(super) fn referenced_settings(state: &AppState) -> Vec<String> {
    let mut names = Vec::new();
    for unit in state.units() {
        for b in unit.bindings() {
            for m in &b.members {
                let Some(v) = m.value.as_ref().and_then(|v| v.as_str()) else {
                    continue;
                };
                let is_connection = m.key.eq_ignore_ascii_case("connection")
                    || m.key.eq_ignore_ascii_case("connectionStringSetting");
                if is_connection && !v.is_empty() && !v.contains('%') {
                    names.push(v.to_string());
                }
                let mut rest = v;
                while let Some(a) = rest.find('%') {
                    let after = &rest[a + 1..];
                    let Some(b) = after.find('%') else { break };
                    if b > 0 {
                        names.push(after[..b].to_string());
                    }
                    rest = &after[b + 1..];
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}
