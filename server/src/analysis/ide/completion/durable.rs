//! Function names inside Durable calls, as completion items (the names come from `ide::durable`).

use super::{CompletionItem, CompletionKind};
use crate::analysis::state::AppState;

pub(super) fn completions(
    state: &AppState,
    text: &str,
    offset: usize,
) -> Option<Vec<CompletionItem>> {
    let names = crate::analysis::ide::durable::completions(state, text, offset)?;
    Some(
        names
            .into_iter()
            .map(|n| CompletionItem {
                sort_text: Some(format!("0{}", n.label)),
                filter_text: Some(n.label.clone()),
                label: n.label,
                kind: CompletionKind::Function,
                detail: Some(n.detail),
                documentation: Some(n.documentation),
                edit_range: n.edit_range,
                insert_text: n.insert_text,
                is_snippet: false,
            })
            .collect(),
    )
}
