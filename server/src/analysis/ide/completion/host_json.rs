//! Completion in `host.json`.

use super::{present_keys, CompletionItem, CompletionKind, JsonItems};
use crate::analysis::catalog::config_files::HOST_JSON_KEYS;
use crate::analysis::ide::json_cursor::{self, Segment, Slot};

pub(super) fn host_json(text: &str, offset: usize) -> Vec<CompletionItem> {
    let Some(cursor) = json_cursor::cursor(text, offset) else {
        return Vec::new();
    };
    let mut out = JsonItems {
        cursor: &cursor,
        items: Vec::new(),
    };
    match (cursor.path.as_slice(), &cursor.slot) {
        ([], Slot::Key) => {
            let present = present_keys(text);
            for (k, doc) in HOST_JSON_KEYS {
                if !present.contains(&k.to_ascii_lowercase()) {
                    out.push(
                        k,
                        CompletionKind::Property,
                        None,
                        Some(doc.to_string()),
                        "0",
                    );
                }
            }
        }
        ([], Slot::Value { key }) if key == "version" => {
            out.push("2.0", CompletionKind::Value, None, None, "0")
        }
        ([Segment::Key(e)], Slot::Key) if e == "extensionBundle" => {
            out.push(
                "id",
                CompletionKind::Property,
                None,
                Some("`Microsoft.Azure.Functions.ExtensionBundle`".into()),
                "0",
            );
            out.push(
                "version",
                CompletionKind::Property,
                None,
                Some("A version range, e.g. `[4.*, 5.0.0)`.".into()),
                "0",
            );
        }
        ([Segment::Key(e)], Slot::Value { key }) if e == "extensionBundle" && key == "id" => {
            out.push(
                "Microsoft.Azure.Functions.ExtensionBundle",
                CompletionKind::Value,
                None,
                None,
                "0",
            );
        }
        ([Segment::Key(e)], Slot::Value { key }) if e == "extensionBundle" && key == "version" => {
            out.push(
                "[4.*, 5.0.0)",
                CompletionKind::Value,
                Some("the current bundle".into()),
                None,
                "0",
            );
        }
        _ => {}
    }
    out.items
}
