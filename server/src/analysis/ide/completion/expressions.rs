//! Completion of the binding expressions the host resolves inside any binding string, in both
//! models: `%Setting%` (an app setting) and `{token}` (binding data of the trigger, or a system
//! value such as `{rand-guid}`).

use super::local_settings::setting_candidates;
use super::{CompletionItem, CompletionKind};
use crate::analysis::function::FunctionUnit;
use crate::analysis::routes::route_params;
use crate::analysis::state::AppState;
use crate::analysis::text::TextRange;

/// Longest expression name looked back over while typing.
const MAX_NAME: usize = 256;

/// The metadata each trigger type adds to its binding data (what `{Name}` may refer to in the
/// other bindings), after the extensions' documentation.
const TRIGGER_METADATA: &[(&str, &[&str])] = &[
    (
        "queueTrigger",
        &[
            "QueueTrigger",
            "DequeueCount",
            "ExpirationTime",
            "Id",
            "InsertionTime",
            "NextVisibleTime",
            "PopReceipt",
        ],
    ),
    (
        "blobTrigger",
        &["BlobTrigger", "Uri", "Properties", "Metadata"],
    ),
    (
        "serviceBusTrigger",
        &[
            "MessageId",
            "DeliveryCount",
            "EnqueuedTimeUtc",
            "ExpiresAtUtc",
            "ContentType",
            "CorrelationId",
            "Label",
            "ReplyTo",
            "SequenceNumber",
            "To",
            "SessionId",
        ],
    ),
    (
        "eventHubTrigger",
        &[
            "PartitionContext",
            "EnqueuedTimeUtc",
            "Offset",
            "PartitionKey",
            "SequenceNumber",
            "SystemProperties",
            "Properties",
        ],
    ),
    ("httpTrigger", &["Query", "Headers"]),
];

/// Values every binding expression may use, whatever the trigger.
const SYSTEM_TOKENS: &[(&str, &str)] = &[
    ("rand-guid", "a new GUID for each invocation"),
    ("DateTime", "the invocation time (UTC)"),
];

/// What `{…}` may name in a binding of `unit`: the trigger's path or route parameters, the
/// trigger's metadata, then the system values; with a short description each.
pub(crate) fn binding_data(unit: &FunctionUnit) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    if let Some(trigger) = unit.bindings().iter().find(|b| b.is_trigger()) {
        let t = trigger.type_str().unwrap_or("");
        for key in ["path", "route", "blobPath"] {
            if let Some(v) = trigger.property_str(key) {
                for name in route_params(&v.value) {
                    out.push((name, format!("from the trigger's {key} '{}'", v.value)));
                }
            }
        }
        if let Some((_, names)) = TRIGGER_METADATA
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(t))
        {
            for n in *names {
                out.push((n.to_string(), format!("{t} metadata")));
            }
        }
    }
    for (n, detail) in SYSTEM_TOKENS {
        out.push((n.to_string(), detail.to_string()));
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|(n, _)| seen.insert(n.to_ascii_lowercase()));
    out
}

/// The settings `%…%` may name: those local.settings.json defines, then those the app reads
/// elsewhere that it does not define yet.
fn settings(state: &AppState) -> Vec<(String, String)> {
    let mut out = setting_candidates(state);
    for name in crate::analysis::ide::fixes::missing_settings(state) {
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, "read by the app, not in local.settings.json".into()));
        }
    }
    out
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':')
}

/// Completions for an expression being typed in the string whose content starts at
/// `content_start`, the cursor at `offset`: after an unclosed `%` the app settings, after an
/// unclosed `{` the binding data of `unit`. `None` when the cursor is in neither.
pub(super) fn expression_completions(
    state: &AppState,
    unit: Option<&FunctionUnit>,
    text: &str,
    content_start: usize,
    offset: usize,
) -> Option<Vec<CompletionItem>> {
    let before = text.get(content_start..offset)?.as_bytes();
    let bytes = text.as_bytes();
    // The name typed so far: identifier bytes back from the cursor, then the opening character.
    let mut start = before.len();
    while start > 0 && before.len() - start < MAX_NAME && is_name_byte(before[start - 1]) {
        start -= 1;
    }
    let opener = *before.get(start.checked_sub(1)?)?;
    let name_start = content_start + start;
    let mut end = offset;
    while end < bytes.len() && end - offset < MAX_NAME && is_name_byte(bytes[end]) {
        end += 1;
    }
    let range = TextRange::new(name_start, end);
    let item = |name: &str, label: String, close: char, detail: String, kind| {
        let closed = bytes.get(end) == Some(&(close as u8));
        CompletionItem {
            label,
            kind,
            detail: Some(detail),
            documentation: None,
            edit_range: range,
            insert_text: if closed {
                name.to_string()
            } else {
                format!("{name}{close}")
            },
            is_snippet: false,
            sort_text: None,
            filter_text: Some(name.to_string()),
        }
    };
    match opener {
        // An odd number of `%` before the name: the last one opens a setting.
        b'%' if before[..start].iter().filter(|b| **b == b'%').count() % 2 == 1 => Some(
            settings(state)
                .into_iter()
                .map(|(name, detail)| {
                    item(
                        &name,
                        format!("%{name}%"),
                        '%',
                        detail,
                        CompletionKind::Variable,
                    )
                })
                .collect(),
        ),
        b'{' => Some(
            unit.map(binding_data)
                .unwrap_or_default()
                .into_iter()
                .map(|(name, detail)| {
                    item(
                        &name,
                        format!("{{{name}}}"),
                        '}',
                        detail,
                        CompletionKind::Value,
                    )
                })
                .collect(),
        ),
        _ => None,
    }
}
