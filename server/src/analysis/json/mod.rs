//! Tolerant JSON reading with byte ranges, on tree-sitter-json.
//!
//! The Functions host reads `function.json` with Newtonsoft.Json, which accepts `//` and `/* */`
//! comments and trailing commas, and stops at a nesting depth of 64. This reader accepts the same
//! text, keeps whatever it can of a broken document (so the editor still has a tree while the user
//! types) and reports real syntax errors as data.

use super::diagnostic::escape_controls;
use super::text::TextRange;

mod fast;
mod tolerant;

pub use tolerant::parse_tolerant;

/// The deepest nesting Newtonsoft.Json's reader allows by default (`JsonReader.MaxDepth`).
pub const MAX_DEPTH: usize = 64;

/// A JSON value with the byte range it covers.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct JsonValue {
    pub kind: JsonKind,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Hash)]
pub enum JsonKind {
    Object(Vec<JsonMember>),
    Array(Vec<JsonValue>),
    String(String),
    Number(String),
    Bool(bool),
    Null,
    /// A value that could not be read (mid-edit or broken text).
    Invalid,
}

/// One `"key": value` pair. `value` is `None` while the user is still typing it.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct JsonMember {
    pub key: String,
    pub key_range: TextRange,
    pub value: Option<JsonValue>,
}

/// A syntax error: where, and what the reader expected.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JsonSyntaxError {
    pub range: TextRange,
    pub message: String,
}

/// The result of reading a JSON document: the (possibly partial) value and the syntax errors.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedJson {
    pub value: Option<JsonValue>,
    pub errors: Vec<JsonSyntaxError>,
}

impl JsonValue {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[JsonMember]> {
        match &self.kind {
            JsonKind::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[JsonValue]> {
        match &self.kind {
            JsonKind::Array(v) => Some(v),
            _ => None,
        }
    }

    /// The first member whose key equals `key` exactly.
    pub fn get(&self, key: &str) -> Option<&JsonMember> {
        self.as_object()?.iter().find(|m| m.key == key)
    }

    /// The first member whose key equals `key` ignoring ASCII case.
    pub fn get_ignore_case(&self, key: &str) -> Option<&JsonMember> {
        self.as_object()?
            .iter()
            .find(|m| m.key.eq_ignore_ascii_case(key))
    }

    /// A short name of the value's kind, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            JsonKind::Object(_) => "an object",
            JsonKind::Array(_) => "an array",
            JsonKind::String(_) => "a string",
            JsonKind::Number(_) => "a number",
            JsonKind::Bool(_) => "a boolean",
            JsonKind::Null => "null",
            JsonKind::Invalid => "invalid",
        }
    }

    /// The value as the host's `JToken.ToString()` would give it for a string-typed setting.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            JsonKind::String(s) => Some(s.clone()),
            JsonKind::Number(n) => Some(n.clone()),
            JsonKind::Bool(b) => Some(if *b { "True".into() } else { "False".into() }),
            _ => None,
        }
    }
}

/// The message for nesting past [`MAX_DEPTH`].
fn too_deep_message() -> String {
    format!("nesting is deeper than {MAX_DEPTH} levels, the most the host's JSON reader accepts")
}

/// Reads `text` as JSON the way the host does.
pub fn parse(text: &str) -> ParsedJson {
    if let Some(offset) = depth_exceeded(text) {
        return ParsedJson {
            value: None,
            errors: vec![JsonSyntaxError {
                range: TextRange::new(offset, offset + 1),
                message: too_deep_message(),
            }],
        };
    }
    // Well-formed documents (nearly all of them) take the fast path; broken ones go through
    // tree-sitter, which recovers a partial tree and locates the errors.
    if let Some(value) = fast::parse(text) {
        return ParsedJson {
            value: Some(value),
            errors: Vec::new(),
        };
    }
    if let Some(error) = utf16_without_bom(text) {
        return ParsedJson {
            value: None,
            errors: vec![error],
        };
    }
    parse_tolerant(text)
}

/// The strict reader alone (for the fuzz targets, which compare it with [`parse_tolerant`]).
#[doc(hidden)]
pub fn parse_fast(text: &str) -> Option<JsonValue> {
    fast::parse(text)
}

/// A file whose first characters alternate with NUL bytes is UTF-16 text without a byte order
/// mark (the loader decodes the ones with a mark). The host reads such a file as UTF-8 and sees
/// no JSON in it: one error says so instead of one per NUL.
fn utf16_without_bom(text: &str) -> Option<JsonSyntaxError> {
    // UTF-16 code units of ASCII text: a NUL in every other byte, and only there.
    let head = &text.as_bytes()[..text.len().min(64) & !1];
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let nul_at = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (nul_at(0), nul_at(1));
    let alternating = |nuls: usize, others: usize| nuls * 4 >= pairs * 3 && others * 4 <= pairs;
    if !alternating(odd, even) && !alternating(even, odd) {
        return None;
    }
    Some(JsonSyntaxError {
        range: TextRange::empty(0),
        message: "the file is UTF-16 text without a byte order mark, which the host reads as \
                  UTF-8 and cannot parse; save it as UTF-8"
            .into(),
    })
}

/// Finds the first bracket that opens nesting level `MAX_DEPTH + 1`, skipping strings and comments.
/// Strings end at a line break, as in both readers (an unterminated string must not hide the
/// brackets after it).
fn depth_exceeded(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' && bytes.get(i + 1) != Some(&b'\n') {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16).ok();
                out.push(code.and_then(char::from_u32).unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::tolerant::Reader;
    use super::*;

    fn keys(v: &JsonValue) -> Vec<&str> {
        v.as_object()
            .unwrap()
            .iter()
            .map(|m| m.key.as_str())
            .collect()
    }

    #[test]
    fn comments_and_trailing_commas_are_accepted() {
        let p = parse("// top\n{\"a\": 1, /* c */ \"b\": [1, 2,], }");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let v = p.value.unwrap();
        assert_eq!(keys(&v), ["a", "b"]);
        assert_eq!(
            v.get("b")
                .unwrap()
                .value
                .as_ref()
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn partial_documents_keep_their_keys() {
        let p = parse(r#"{"scriptFile": "x.py", "bindings": [ {"type": "htt"#);
        assert!(!p.errors.is_empty());
        let v = p.value.unwrap();
        assert!(keys(&v).contains(&"scriptFile"));

        let p = parse(r#"{"a": 1 "b": 2}"#);
        assert!(!p.errors.is_empty());
        assert_eq!(keys(&p.value.unwrap()), ["a", "b"]);
    }

    #[test]
    fn string_escapes_and_ranges() {
        let text = r#"{"na\u006de": "a\"b"}"#;
        let v = parse(text).value.unwrap();
        let m = &v.as_object().unwrap()[0];
        assert_eq!(m.key, "name");
        assert_eq!(&text[m.key_range.as_usize()], r#""na\u006de""#);
        assert_eq!(m.value.as_ref().unwrap().as_str(), Some("a\"b"));
    }

    #[test]
    fn empty_and_garbage_are_errors() {
        assert!(!parse("").errors.is_empty());
        assert!(!parse("   ").errors.is_empty());
        assert!(!parse("\u{0}\u{1}binary").errors.is_empty());
        assert!(!parse("{\"a\": }").errors.is_empty());
    }

    #[test]
    fn fast_and_tolerant_readers_agree_on_valid_documents() {
        for text in [
            r#"{"a": [1, -2.5e3, true, false, null, "x\"y", {"b": {}}], "c": []}"#,
            "// lead\n{ /* c */ \"a\" : 1 , \"b\": [1, 2,], } // tail",
            "  [ ]  ",
            r#""just a string""#,
        ] {
            let fast = fast::parse(text).expect(text);
            let mut tolerant = None;
            // Force the tree-sitter path by reading the same text through it.
            let tree = {
                let mut p = tree_sitter::Parser::new();
                p.set_language(&tree_sitter_json::LANGUAGE.into()).unwrap();
                p.parse(text, None).unwrap()
            };
            let mut reader = Reader::new(text);
            let mut cursor = tree.root_node().walk();
            for child in tree.root_node().children(&mut cursor) {
                if child.kind() != "comment" && child.kind() != "ERROR" && tolerant.is_none() {
                    tolerant = reader.value(child);
                }
            }
            assert_eq!(Some(fast), tolerant, "{text}");
        }
        assert!(fast::parse("{\"a\": 1 \"b\": 2}").is_none());
        assert!(fast::parse("{\"a\": tru}").is_none());
    }

    #[test]
    fn a_second_value_is_an_error() {
        for text in [r#"{"a": 1} {"b": 2}"#, "[] // c\n[]"] {
            let p = parse(text);
            assert!(
                p.errors
                    .iter()
                    .any(|e| e.message == "unexpected content after the JSON value"),
                "{text}: {:?}",
                p.errors
            );
        }
        assert!(parse("{} // c\n").errors.is_empty());
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let p = parse(&deep);
        assert!(p.value.is_none());
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].range.start as usize, MAX_DEPTH);
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).errors.is_empty());
    }

    #[test]
    fn an_unterminated_string_does_not_hide_deep_nesting() {
        // The string ends at the line break in both readers, so the pre-check counts the
        // brackets after it.
        let text = "{\"a\": \"x\n".to_string() + &"[".repeat(50_000) + &"]".repeat(50_000) + "}";
        let p = parse(&text);
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert!(p.errors[0].message.contains("deeper than 64"));
        assert_eq!(p.errors[0].range.start as usize, 8 + MAX_DEPTH);
    }

    #[test]
    fn the_tree_sitter_reader_bounds_its_own_recursion() {
        // Without the pre-check, the reader itself stops at its depth limit.
        for text in [
            "[".repeat(100_000) + &"]".repeat(100_000),
            "{\"a\": \"x\n".to_string() + &"{\"b\": ".repeat(30_000) + "1" + &"}".repeat(30_000),
            "[".repeat(100_000) + "1" + &"]".repeat(100_000),
        ] {
            let p = parse_tolerant(&text);
            assert!(
                p.errors
                    .iter()
                    .any(|e| e.message.contains("deeper than 64")),
                "{:?}",
                &p.errors[..p.errors.len().min(3)]
            );
        }
    }

    #[test]
    fn utf16_without_a_byte_order_mark_is_one_clear_error() {
        let utf16: String = "{\"bindings\": []}"
            .chars()
            .flat_map(|c| [c, '\0'])
            .collect();
        let p = parse(&utf16);
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert!(p.errors[0].message.contains("UTF-16"));
        // NUL bytes inside a string are no sign of UTF-16.
        let nuls = format!("{{\"a\": \"{}\", \"b\": []}}", "\0".repeat(60));
        assert!(parse(&nuls).errors.is_empty());
        // A stray NUL in ordinary text is an ordinary error, shown escaped.
        let p = parse("{\"a\": 1, \0}");
        assert!(!p.errors.is_empty());
        assert!(
            p.errors.iter().all(|e| !e.message.contains('\0')),
            "{:?}",
            p.errors
        );
    }

    #[test]
    fn a_nul_inside_a_string_ends_nothing_in_a_broken_document() {
        // The fast reader gives up on the missing comma; the tolerant one must still see two
        // members, the first key holding its NUL, not one key running to the next quote.
        let text = "{\"a\0/* b\": \"x\" \"c\": []}";
        let p = parse(text);
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert_eq!(keys(p.value.as_ref().unwrap()), ["a\0/* b", "c"]);
    }
}
