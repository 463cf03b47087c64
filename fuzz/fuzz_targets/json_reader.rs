//! The JSON reader on arbitrary bytes: it never panics, its ranges are valid, nothing nests
//! deeper than its bound, and the fast path and the tree-sitter path agree on every document they
//! both accept.
#![no_main]

use azfunc_lsp::analysis::json::{self, JsonKind, JsonValue, MAX_DEPTH};
use azfunc_lsp_fuzz::assert_range;
use libfuzzer_sys::fuzz_target;

/// Asserts valid ranges everywhere in `value` and returns its nesting depth (iteratively: the
/// check itself must not recurse on a deep value).
fn check_value(text: &str, value: &JsonValue) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 1usize)];
    while let Some((v, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        assert_range(text, v.range, "value");
        match &v.kind {
            JsonKind::Object(members) => {
                for m in members {
                    assert_range(text, m.key_range, "key");
                    if let Some(child) = &m.value {
                        stack.push((child, depth + 1));
                    }
                }
            }
            JsonKind::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
            _ => {}
        }
    }
    deepest
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = json::parse(&text);
    for e in &parsed.errors {
        assert_range(&text, e.range, &e.message);
        assert!(!e.message.chars().any(char::is_control), "{:?}", e.message);
    }
    if let Some(v) = &parsed.value {
        // Containers nest at most MAX_DEPTH deep; scalars sit one level below.
        assert!(check_value(&text, v) <= 2 * MAX_DEPTH + 3);
    }

    let tolerant = json::parse_tolerant(&text);
    if let Some(v) = &tolerant.value {
        assert!(check_value(&text, v) <= 2 * MAX_DEPTH + 3);
    }
    if let Some(fast) = json::parse_fast(&text) {
        assert!(check_value(&text, &fast) <= MAX_DEPTH + 1);
        assert!(parsed.errors.is_empty());
        assert_eq!(parsed.value.as_ref(), Some(&fast));
        if tolerant.errors.is_empty() {
            assert_eq!(
                tolerant.value.as_ref(),
                Some(&fast),
                "the fast and the tree-sitter readers disagree"
            );
        }
    }
});
