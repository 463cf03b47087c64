//! The JSON reader's fast path against its tree-sitter path on generated well-formed documents
//! (comments, trailing commas, escapes, odd whitespace and all), where a byte-level fuzzer rarely
//! gets past the first brace. Both paths must read every such document to the same value, and
//! `json::parse` must return it; a document the fast path declines is a failure too, since the
//! generator writes only what it is meant to accept (`json_reader` compares the paths on raw
//! bytes).
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use azfunc_lsp::analysis::json;
use libfuzzer_sys::fuzz_target;

/// Nesting of generated documents (well below the reader's limit of 64).
const MAX_GEN_DEPTH: u32 = 8;

/// Whitespace, comments and a trailing comma, chosen by the input.
fn gap(u: &mut Unstructured, out: &mut String) -> arbitrary::Result<()> {
    for _ in 0..u.int_in_range(0..=2)? {
        match u.int_in_range(0..=5)? {
            0 => out.push(' '),
            1 => out.push('\n'),
            2 => out.push_str("\r\n"),
            3 => out.push('\t'),
            4 => out.push_str("/* c */"),
            _ => out.push_str("// c\n"),
        }
    }
    Ok(())
}

fn string(u: &mut Unstructured, out: &mut String) -> arbitrary::Result<()> {
    out.push('"');
    for _ in 0..u.int_in_range(0..=6)? {
        match u.int_in_range(0..=9)? {
            0 => out.push_str("\\\""),
            1 => out.push_str("\\\\"),
            2 => out.push_str("\\n"),
            3 => out.push_str("\\u00e9"),
            4 => out.push_str("\\ud83d\\ude00"),
            5 => out.push_str("\\/"),
            6 => out.push('é'),
            7 => out.push('😀'),
            _ => out.push(char::from(u.int_in_range(b'a'..=b'z')?)),
        }
    }
    out.push('"');
    Ok(())
}

fn number(u: &mut Unstructured, out: &mut String) -> arbitrary::Result<()> {
    if bool::arbitrary(u)? {
        out.push('-');
    }
    let int = u32::arbitrary(u)?;
    out.push_str(&int.to_string());
    if bool::arbitrary(u)? {
        out.push_str(&format!(".{}", u8::arbitrary(u)?));
    }
    if bool::arbitrary(u)? {
        // A lower-case `e`: tree-sitter-json refuses `E+` (see tests/json_paths.rs).
        out.push_str(&format!("e{}", u8::arbitrary(u)? % 20));
    }
    Ok(())
}

fn value(u: &mut Unstructured, depth: u32, out: &mut String) -> arbitrary::Result<()> {
    let kinds = if depth >= MAX_GEN_DEPTH { 4 } else { 6 };
    match u.int_in_range(0..=kinds)? {
        0 => string(u, out)?,
        1 => number(u, out)?,
        2 => out.push_str(u.choose(&["true", "false", "null"])?),
        3 | 4 if depth >= MAX_GEN_DEPTH => string(u, out)?,
        3 | 5 => {
            out.push('[');
            let n = u.int_in_range(0..=4)?;
            for i in 0..n {
                gap(u, out)?;
                value(u, depth + 1, out)?;
                gap(u, out)?;
                if i + 1 < n || bool::arbitrary(u)? {
                    out.push(',');
                }
            }
            gap(u, out)?;
            out.push(']');
        }
        _ => {
            out.push('{');
            let n = u.int_in_range(0..=4)?;
            for i in 0..n {
                gap(u, out)?;
                string(u, out)?;
                gap(u, out)?;
                out.push(':');
                gap(u, out)?;
                value(u, depth + 1, out)?;
                gap(u, out)?;
                if i + 1 < n || bool::arbitrary(u)? {
                    out.push(',');
                }
            }
            gap(u, out)?;
            out.push('}');
        }
    }
    Ok(())
}

/// Whether the fast path accepts `text`; when it does, the other readings agree with it.
fn compare(text: &str) -> bool {
    let Some(fast) = json::parse_fast(text) else {
        return false;
    };
    let parsed = json::parse(text);
    assert!(parsed.errors.is_empty(), "{text:?}: {:?}", parsed.errors);
    assert_eq!(parsed.value.as_ref(), Some(&fast), "{text:?}");
    let tolerant = json::parse_tolerant(text);
    assert!(
        tolerant.errors.is_empty(),
        "{text:?}: {:?}",
        tolerant.errors
    );
    assert_eq!(tolerant.value.as_ref(), Some(&fast), "{text:?}");
    true
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let mut text = String::new();
    if gap(&mut u, &mut text).is_err() || value(&mut u, 0, &mut text).is_err() {
        return;
    }
    let _ = gap(&mut u, &mut text);
    assert!(
        compare(&text),
        "the fast path declines a well-formed document: {text:?}"
    );
});
