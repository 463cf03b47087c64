//! Tolerant JSON reading with byte ranges, on tree-sitter-json.
//!
//! The Functions host reads `function.json` with Newtonsoft.Json, which accepts `//` and `/* */`
//! comments and trailing commas, and stops at a nesting depth of 64. This reader accepts the same
//! text, keeps whatever it can of a broken document (so the editor still has a tree while the user
//! types) and reports real syntax errors as data.

use super::diagnostic::escape_controls;
use super::text::TextRange;

/// The deepest nesting Newtonsoft.Json's reader allows by default (`JsonReader.MaxDepth`).
pub const MAX_DEPTH: usize = 64;

/// A JSON value with the byte range it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonValue {
    pub kind: JsonKind,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct JsonMember {
    pub key: String,
    pub key_range: TextRange,
    pub value: Option<JsonValue>,
}

/// A syntax error: where, and what the reader expected.
#[derive(Debug, Clone, PartialEq, Eq)]
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

thread_local! {
    static TS_PARSER: std::cell::RefCell<Option<tree_sitter::Parser>> =
        const { std::cell::RefCell::new(None) };
}

/// A strict reader for well-formed JSON with comments and trailing commas. It gives up (`None`)
/// at the first thing it does not expect; the tolerant reader then takes over.
mod fast {
    use super::{JsonKind, JsonMember, JsonValue, MAX_DEPTH};
    use crate::analysis::text::TextRange;

    pub fn parse(text: &str) -> Option<JsonValue> {
        let mut p = Parser {
            bytes: text.as_bytes(),
            text,
            pos: 0,
        };
        p.skip_trivia()?;
        let value = p.value(0)?;
        p.skip_trivia()?;
        (p.pos == p.bytes.len()).then_some(value)
    }

    struct Parser<'a> {
        bytes: &'a [u8],
        text: &'a str,
        pos: usize,
    }

    impl Parser<'_> {
        fn skip_trivia(&mut self) -> Option<()> {
            loop {
                match self.bytes.get(self.pos) {
                    Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                    Some(b'/') => match self.bytes.get(self.pos + 1) {
                        Some(b'/') => {
                            while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
                                self.pos += 1;
                            }
                        }
                        Some(b'*') => {
                            let end = self.text.get(self.pos + 2..)?.find("*/")?;
                            self.pos += 2 + end + 2;
                        }
                        _ => return None,
                    },
                    _ => return Some(()),
                }
            }
        }

        fn value(&mut self, depth: usize) -> Option<JsonValue> {
            let start = self.pos;
            let kind = match *self.bytes.get(self.pos)? {
                b'{' => {
                    if depth >= MAX_DEPTH {
                        return None;
                    }
                    self.pos += 1;
                    let mut members = Vec::new();
                    loop {
                        self.skip_trivia()?;
                        if self.bytes.get(self.pos) == Some(&b'}') {
                            self.pos += 1;
                            break;
                        }
                        let key_start = self.pos;
                        let key = self.string()?;
                        let key_range = TextRange::new(key_start, self.pos);
                        self.skip_trivia()?;
                        if self.bytes.get(self.pos) != Some(&b':') {
                            return None;
                        }
                        self.pos += 1;
                        self.skip_trivia()?;
                        let value = self.value(depth + 1)?;
                        members.push(JsonMember {
                            key,
                            key_range,
                            value: Some(value),
                        });
                        self.skip_trivia()?;
                        match self.bytes.get(self.pos)? {
                            b',' => self.pos += 1,
                            b'}' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                    JsonKind::Object(members)
                }
                b'[' => {
                    if depth >= MAX_DEPTH {
                        return None;
                    }
                    self.pos += 1;
                    let mut items = Vec::new();
                    loop {
                        self.skip_trivia()?;
                        if self.bytes.get(self.pos) == Some(&b']') {
                            self.pos += 1;
                            break;
                        }
                        items.push(self.value(depth + 1)?);
                        self.skip_trivia()?;
                        match self.bytes.get(self.pos)? {
                            b',' => self.pos += 1,
                            b']' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                    JsonKind::Array(items)
                }
                b'"' => JsonKind::String(self.string()?),
                b't' => self.word("true", JsonKind::Bool(true))?,
                b'f' => self.word("false", JsonKind::Bool(false))?,
                b'n' => self.word("null", JsonKind::Null)?,
                b'-' | b'0'..=b'9' => {
                    while self.pos < self.bytes.len()
                        && matches!(
                            self.bytes[self.pos],
                            b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                        )
                    {
                        self.pos += 1;
                    }
                    let number = &self.text[start..self.pos];
                    number.parse::<f64>().ok()?;
                    JsonKind::Number(number.to_string())
                }
                _ => return None,
            };
            Some(JsonValue {
                kind,
                range: TextRange::new(start, self.pos),
            })
        }

        fn word(&mut self, word: &str, kind: JsonKind) -> Option<JsonKind> {
            if self.text.get(self.pos..self.pos + word.len())? == word {
                self.pos += word.len();
                Some(kind)
            } else {
                None
            }
        }

        fn string(&mut self) -> Option<String> {
            if self.bytes.get(self.pos) != Some(&b'"') {
                return None;
            }
            let start = self.pos + 1;
            let mut i = start;
            let mut escaped = false;
            while i < self.bytes.len() {
                match self.bytes[i] {
                    b'"' => {
                        let raw = &self.text[start..i];
                        self.pos = i + 1;
                        return Some(if escaped {
                            super::unescape(raw)
                        } else {
                            raw.to_string()
                        });
                    }
                    b'\\' => {
                        escaped = true;
                        i += 2;
                    }
                    b'\n' => return None,
                    _ => i += 1,
                }
            }
            None
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

/// The tree-sitter reader alone, without the pre-checks [`parse`] makes.
#[doc(hidden)]
pub fn parse_tolerant(text: &str) -> ParsedJson {
    let tree = TS_PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let parser = slot.get_or_insert_with(|| {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&tree_sitter_json::LANGUAGE.into())
                .expect("tree-sitter-json is ABI-compatible with tree-sitter");
            p
        });
        parser.parse(text, None)
    });
    let Some(tree) = tree else {
        return ParsedJson {
            value: None,
            errors: vec![],
        };
    };
    let mut reader = Reader::new(text);
    let root = tree.root_node();
    let mut value = None;
    let mut cursor = root.walk();
    for child in root.children(&mut cursor) {
        if child.kind() == "comment" {
            continue;
        }
        if value.is_none() && child.kind() != "ERROR" {
            value = reader.value(child);
        } else if child.kind() != "ERROR" {
            // The host's reader stops after one value and refuses anything but comments after it.
            reader.errors.push(JsonSyntaxError {
                range: TextRange::new(
                    child.start_byte(),
                    child.start_byte() + first_token_len(reader.text(child)),
                ),
                message: "unexpected content after the JSON value".into(),
            });
        } else {
            reader.collect_errors(child);
            if value.is_none() {
                value = reader.salvage(child);
            }
        }
    }
    if root.kind() == "ERROR" {
        reader.collect_errors(root);
        value = reader.salvage(root);
    }
    if value.is_none() && reader.errors.is_empty() {
        reader.errors.push(JsonSyntaxError {
            range: TextRange::empty(0),
            message: "the file is empty; expected a JSON object".into(),
        });
    }
    reader.errors.sort_by_key(|e| e.range);
    reader.errors.dedup_by_key(|e| e.range);
    ParsedJson {
        value,
        errors: reader.errors,
    }
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

/// Reads a tree-sitter-json tree into a [`JsonValue`]. The tree can be deeper than the pre-check
/// saw (error recovery nests nodes its own way), so the reader bounds its own recursion.
struct Reader<'a> {
    src: &'a str,
    errors: Vec<JsonSyntaxError>,
    /// How many `value` calls are active: every recursive path goes through `value`.
    depth: usize,
}

/// Nested `value` calls the tree-sitter reader allows: a document at the host's limit nests
/// `MAX_DEPTH` containers, and error recovery can wrap each in an ERROR node.
const MAX_READER_DEPTH: usize = 2 * MAX_DEPTH + 2;

fn range_of(node: tree_sitter::Node) -> TextRange {
    TextRange::new(node.start_byte(), node.end_byte())
}

impl<'a> Reader<'a> {
    fn new(src: &'a str) -> Reader<'a> {
        Reader {
            src,
            errors: Vec::new(),
            depth: 0,
        }
    }

    fn text(&self, node: tree_sitter::Node) -> &str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    fn value(&mut self, node: tree_sitter::Node) -> Option<JsonValue> {
        if node.is_missing() {
            return None;
        }
        if self.depth >= MAX_READER_DEPTH {
            if !self.errors.iter().any(|e| e.message == too_deep_message()) {
                self.errors.push(JsonSyntaxError {
                    range: TextRange::new(node.start_byte(), node.start_byte() + 1),
                    message: too_deep_message(),
                });
            }
            return None;
        }
        self.depth += 1;
        let value = self.value_inner(node);
        self.depth -= 1;
        value
    }

    fn value_inner(&mut self, node: tree_sitter::Node) -> Option<JsonValue> {
        let range = range_of(node);
        let kind = match node.kind() {
            "object" => JsonKind::Object(self.members(node)),
            "array" => JsonKind::Array(self.elements(node)),
            "string" => JsonKind::String(self.string(node)),
            "number" => JsonKind::Number(self.text(node).to_string()),
            "true" => JsonKind::Bool(true),
            "false" => JsonKind::Bool(false),
            "null" => JsonKind::Null,
            "ERROR" => {
                self.collect_errors(node);
                return self.salvage(node);
            }
            _ => JsonKind::Invalid,
        };
        Some(JsonValue { kind, range })
    }

    fn members(&mut self, node: tree_sitter::Node) -> Vec<JsonMember> {
        let mut members = Vec::new();
        let mut cursor = node.walk();
        let children: Vec<_> = node.children(&mut cursor).collect();
        for (i, child) in children.iter().enumerate() {
            match child.kind() {
                "pair" => members.extend(self.pair(*child)),
                "ERROR" => {
                    if let Some(at) = missing_comma(&children, i, "pair") {
                        self.errors.push(JsonSyntaxError {
                            range: at,
                            message: "expected `,` between properties".into(),
                        });
                    } else if !is_trailing_comma(&children, i, self.src) {
                        self.collect_errors(*child);
                    }
                    self.salvage_members(*child, &mut members);
                }
                "{" | "}" | "," | "comment" => {
                    if child.is_missing() {
                        self.missing(*child);
                    }
                }
                _ => {
                    if child.is_missing() {
                        self.missing(*child);
                    }
                }
            }
        }
        members
    }

    fn salvage_members(&mut self, node: tree_sitter::Node, members: &mut Vec<JsonMember>) {
        let mut cursor = node.walk();
        let children: Vec<_> = node.children(&mut cursor).collect();
        let mut i = 0;
        while i < children.len() {
            let child = children[i];
            match child.kind() {
                "pair" => members.extend(self.pair(child)),
                // A key still being typed: `"bind` or `"type":` with no value yet.
                "string"
                    if children
                        .get(i + 1)
                        .is_some_and(|n| n.kind() == ":" || n.kind() == "ERROR")
                        || i + 1 == children.len() =>
                {
                    let value = children
                        .get(i + 2)
                        .filter(|_| children.get(i + 1).is_some_and(|n| n.kind() == ":"))
                        .and_then(|v| self.value_quiet(*v));
                    members.push(JsonMember {
                        key: self.string(child),
                        key_range: range_of(child),
                        value,
                    });
                    i += if value_taken(&children, i) { 3 } else { 1 };
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// Reads a value inside an ERROR subtree without reporting its errors again.
    fn value_quiet(&mut self, node: tree_sitter::Node) -> Option<JsonValue> {
        let before = self.errors.len();
        let v = self.value(node);
        let too_deep = self.errors[before..]
            .iter()
            .position(|e| e.message == too_deep_message())
            .map(|i| self.errors[before + i].clone());
        self.errors.truncate(before);
        self.errors.extend(too_deep);
        v
    }

    fn pair(&mut self, node: tree_sitter::Node) -> Option<JsonMember> {
        let key_node = node.child_by_field_name("key")?;
        let value = node.child_by_field_name("value").and_then(|v| {
            if v.is_missing() {
                self.missing(v);
                None
            } else {
                self.value(v)
            }
        });
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.kind() == "ERROR" {
                self.collect_errors(child);
            } else if child.is_missing() && child.kind() != "string" {
                self.missing(child);
            }
        }
        let key = if key_node.kind() == "string" {
            self.string(key_node)
        } else {
            self.text(key_node).to_string()
        };
        Some(JsonMember {
            key,
            key_range: range_of(key_node),
            value,
        })
    }

    fn elements(&mut self, node: tree_sitter::Node) -> Vec<JsonValue> {
        let mut out = Vec::new();
        let mut cursor = node.walk();
        let children: Vec<_> = node.children(&mut cursor).collect();
        for (i, child) in children.iter().enumerate() {
            match child.kind() {
                "[" | "]" | "," | "comment" => {
                    if child.is_missing() {
                        self.missing(*child);
                    }
                }
                "ERROR" => {
                    if let Some(at) = missing_comma(&children, i, "value") {
                        self.errors.push(JsonSyntaxError {
                            range: at,
                            message: "expected `,` between values".into(),
                        });
                    } else if !is_trailing_comma(&children, i, self.src) {
                        self.collect_errors(*child);
                    }
                    if let Some(v) = self.salvage(*child) {
                        out.push(v);
                    }
                }
                _ if child.is_missing() => {
                    // `[1, 2,]` parses as a missing value before `]`: a trailing comma (with
                    // comments around it or not).
                    let after_comma = children[..i]
                        .iter()
                        .rev()
                        .find(|n| n.kind() != "comment")
                        .is_some_and(|n| n.kind() == ",");
                    let before_close = children[i + 1..]
                        .iter()
                        .find(|n| n.kind() != "comment")
                        .is_some_and(|n| n.kind() == "]");
                    if !(after_comma && before_close) {
                        self.missing(*child);
                    }
                }
                _ => out.extend(self.value(*child)),
            }
        }
        out
    }

    fn string(&self, node: tree_sitter::Node) -> String {
        let raw = self.text(node);
        let inner = raw.strip_prefix('"').unwrap_or(raw);
        let inner = inner.strip_suffix('"').unwrap_or(inner);
        unescape(inner)
    }

    /// The best value inside an ERROR node: its first object, array or scalar.
    fn salvage(&mut self, node: tree_sitter::Node) -> Option<JsonValue> {
        let mut cursor = node.walk();
        let children: Vec<_> = node.children(&mut cursor).collect();
        // An unterminated object shows up as `{` followed by loose pairs/strings inside ERROR.
        if children.first().is_some_and(|c| c.kind() == "{") {
            let mut members = Vec::new();
            self.salvage_members(node, &mut members);
            return Some(JsonValue {
                kind: JsonKind::Object(members),
                range: range_of(node),
            });
        }
        for child in children {
            match child.kind() {
                "object" | "array" | "string" | "number" | "true" | "false" | "null" => {
                    return self.value_quiet(child);
                }
                _ => {}
            }
        }
        None
    }

    /// Reports the ERROR and MISSING nodes below `node`, walking with an explicit stack (the
    /// tree can be arbitrarily deep).
    fn collect_errors(&mut self, node: tree_sitter::Node) {
        let mut stack = vec![node];
        while let Some(node) = stack.pop() {
            if !node.has_error() && !node.is_missing() {
                continue;
            }
            if node.kind() == "ERROR" || node.is_missing() {
                self.report_error_node(node);
                continue;
            }
            let mut cursor = node.walk();
            let children: Vec<_> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }

    fn report_error_node(&mut self, node: tree_sitter::Node) {
        if node.kind() == "ERROR" {
            let text = self.text(node);
            let shown: String = text.chars().take(20).collect();
            let message = if text.trim().is_empty() {
                "unexpected end of the file".to_string()
            } else if !text.contains('"') || text.starts_with('"') && !text[1..].contains('"') {
                format!("unexpected `{}`", escape_controls(shown.trim()))
            } else {
                "invalid JSON here".to_string()
            };
            let range = range_of(node);
            // One error per broken region is enough; report it where it starts.
            let at = TextRange::new(
                range.start as usize,
                (range.start as usize + first_token_len(text)).min(range.end as usize),
            );
            self.errors.push(JsonSyntaxError { range: at, message });
        } else {
            self.missing(node);
        }
    }

    fn missing(&mut self, node: tree_sitter::Node) {
        let what = match node.kind() {
            "}" => "`}`".to_string(),
            "]" => "`]`".to_string(),
            "\"" => "a closing `\"`".to_string(),
            ":" => "`:`".to_string(),
            "," => "`,`".to_string(),
            "number" | "string" | "true" | "false" | "null" | "object" | "array" | "_value" => {
                "a value".to_string()
            }
            other => format!("`{other}`"),
        };
        self.errors.push(JsonSyntaxError {
            range: range_of(node),
            message: format!("expected {what}"),
        });
    }
}

fn value_taken(children: &[tree_sitter::Node], i: usize) -> bool {
    children.get(i + 1).is_some_and(|n| n.kind() == ":") && children.get(i + 2).is_some()
}

fn first_token_len(text: &str) -> usize {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let token = trimmed
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, _)| i)
        .unwrap_or(trimmed.len());
    (lead + token).max(1)
}

/// When the ERROR child at `i` wraps complete members (or values) and another one follows, the
/// document lacks a `,` right where the ERROR ends: returns that (empty) position.
fn missing_comma(children: &[tree_sitter::Node], i: usize, what: &str) -> Option<TextRange> {
    let node = children[i];
    let is_item = |n: &tree_sitter::Node| {
        if what == "pair" {
            n.kind() == "pair"
        } else {
            matches!(
                n.kind(),
                "object" | "array" | "string" | "number" | "true" | "false" | "null"
            )
        }
    };
    let last = node.named_child(u32::try_from(node.named_child_count().checked_sub(1)?).ok()?)?;
    let next = children[i + 1..].iter().find(|n| n.kind() != "comment")?;
    (is_item(&last) && !last.has_error() && is_item(next))
        .then(|| TextRange::empty(node.end_byte()))
}

/// Whether the ERROR child at `i` is only a `,` right before the closing bracket: a trailing comma,
/// which the host accepts.
fn is_trailing_comma(children: &[tree_sitter::Node], i: usize, src: &str) -> bool {
    let node = children[i];
    let text = src.get(node.byte_range()).unwrap_or("");
    if text.trim() != "," {
        return false;
    }
    children[i + 1..]
        .iter()
        .find(|n| n.kind() != "comment")
        .is_some_and(|n| matches!(n.kind(), "}" | "]") && !n.is_missing())
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
}
