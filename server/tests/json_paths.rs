//! The JSON reader's fast path against its tree-sitter path on a corpus of tricky inputs (the
//! deterministic half of the `json_paths` fuzz target): whatever the fast path accepts, the
//! tree-sitter reader reads to the same value without an error, and `json::parse` returns it.
//! Where the paths differ, the expected verdict says how, so a change on either side shows here.

use azfunc_lsp::analysis::json;

/// The verdict for one input.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Verdict {
    /// Both paths read it, to equal values, without errors.
    Both,
    /// The fast path declines; the tree-sitter reader reports an error.
    Broken,
    /// The fast path declines a document the tree-sitter reader reads without an error.
    FastDeclines,
    /// The fast path reads it; the tree-sitter reader reports an error (`json::parse` gives the
    /// fast path's value, as the host reads it).
    FastOnly,
}
use Verdict::*;

const CORPUS: &[(&str, Verdict)] = &[
    // Escapes.
    (r#"{"a": "\u00e9\ud83d\ude00\/\b\f\n\r\t\\\""}"#, Both),
    (r#"{"a": "\ud800"}"#, Both),
    // Unknown and short escapes are kept as written by both paths.
    (r#"{"a": "\x"}"#, Both),
    (r#"{"a": "\u12"}"#, Both),
    (r#"{"a\"b": 1}"#, Both),
    // Numbers.
    (
        "[-0, 1e5, 1.0e-5, 123456789012345678901234567890, 1.]",
        Both,
    ),
    // tree-sitter-json refuses an exponent with a capital `E` and a sign, and a leading zero,
    // both of which the host reads; well-formed, such a file takes the fast path.
    ("[1E+5]", FastOnly),
    ("[01]", FastOnly),
    ("[.5]", Broken),
    ("[-]", Broken),
    ("[+1]", Broken),
    ("[NaN]", Broken),
    ("[Infinity]", Broken),
    // Literals.
    ("[true, false, null]", Both),
    ("[tru]", Broken),
    ("[nulll]", Broken),
    ("[True]", Broken),
    // Whitespace and line ends.
    ("\t{\r\n\"a\" :\t1\r}\n", Both),
    ("{\u{a0}}", Broken),
    // Comments.
    ("{} // tail without a newline", Both),
    ("/* lead */ [1, /* mid */ 2] /* tail */", Both),
    ("[1] /* unterminated", Broken),
    ("# not a comment\n{}", Broken),
    // Trailing and missing commas.
    ("[1,]", Both),
    ("{\"a\": 1,}", Both),
    // A lone comma in an empty container: the fast path leaves it to the tree-sitter reader.
    ("[,]", FastDeclines),
    ("[1,,2]", Broken),
    ("{,}", FastDeclines),
    ("[1 2]", Broken),
    // A comment after a trailing comma (tree-sitter recovers some of these with a missing
    // value, some with an ERROR node; found by the `json_paths` fuzz target).
    ("[false,/* c */]", Both),
    ("[false/* c */,/* c */]", Both),
    ("[[null,false,/* c */],\"\",\"\"]", Both),
    ("[[false,/* c */],\"\",\"\"]", Both),
    ("{\"a\": 1, /* c */}", Both),
    ("{\"a\": 1,// c\n}", Both),
    ("{\"a\": 1 \"b\": 2}", Broken),
    // Keys.
    (r#"{"a": 1, "a": 2, "": 3}"#, Both),
    ("{a: 1}", Broken),
    ("{'a': 1}", Broken),
    (r#"{"a" 1}"#, Broken),
    (r#"{"a": }"#, Broken),
    // Strings with raw control characters, NUL and non-ASCII text.
    ("[\"tab\there\"]", Both),
    // A raw line break in a string (the host reads it): the fast path declines.
    ("[\"line\nbreak\"]", FastDeclines),
    ("[\"nul\u{0}byte\"]", Both),
    (r#"{"clé": "😀 ünïcödé"}"#, Both),
    // Documents.
    ("", Broken),
    ("   ", Broken),
    ("{} {}", Broken),
    ("{}]", Broken),
    ("\"just a string\"", Both),
    ("42", Both),
    ("{\"a\": [1, {\"b\": [2, {\"c\": null}]}]}", Both),
];

fn verdict(text: &str) -> Verdict {
    let parsed = json::parse(text);
    let tolerant = json::parse_tolerant(text);
    match json::parse_fast(text) {
        Some(fast) => {
            assert!(parsed.errors.is_empty(), "{text:?}: {:?}", parsed.errors);
            assert_eq!(parsed.value.as_ref(), Some(&fast), "{text:?}");
            if !tolerant.errors.is_empty() {
                return FastOnly;
            }
            assert_eq!(tolerant.value.as_ref(), Some(&fast), "{text:?}");
            Both
        }
        None => {
            assert_eq!(parsed, tolerant, "{text:?}");
            if tolerant.errors.is_empty() {
                FastDeclines
            } else {
                Broken
            }
        }
    }
}

#[test]
fn fast_and_tree_sitter_paths_agree_on_tricky_inputs() {
    let mut wrong = Vec::new();
    for (text, expected) in CORPUS {
        let got = verdict(text);
        if got != *expected {
            wrong.push(format!("{text:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Nesting at the host's limit is read by both paths; one level more is refused before either.
#[test]
fn nesting_at_and_past_the_limit() {
    let at = format!(
        "{}{}",
        "[".repeat(json::MAX_DEPTH),
        "]".repeat(json::MAX_DEPTH)
    );
    assert_eq!(verdict(&at), Both);
    let past = format!(
        "{}{}",
        "[".repeat(json::MAX_DEPTH + 1),
        "]".repeat(json::MAX_DEPTH + 1)
    );
    assert!(json::parse_fast(&past).is_none());
    assert_eq!(json::parse(&past).errors.len(), 1);
}
