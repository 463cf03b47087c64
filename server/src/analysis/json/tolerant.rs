//! The tolerant reader on tree-sitter-json: keeps what it can of a broken document and reports
//! its syntax errors as data.

use super::*;

thread_local! {
    static TS_PARSER: std::cell::RefCell<Option<tree_sitter::Parser>> =
        const { std::cell::RefCell::new(None) };
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
        // Tree-sitter's lexer leaves NUL out of every negated character class (it once marked the
        // end of input), so a NUL inside a string would end the string's content and error
        // recovery could re-pair the quotes around it. The host reads NUL as any other character:
        // the tree is built over a copy with each NUL as U+0001, which every token treats alike,
        // and the reader takes its text from the original, byte offsets being the same.
        if text.contains('\0') {
            parser.parse(text.replace('\0', "\u{1}"), None)
        } else {
            parser.parse(text, None)
        }
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

/// Reads a tree-sitter-json tree into a [`JsonValue`]. The tree can be deeper than the pre-check
/// saw (error recovery nests nodes its own way), so the reader bounds its own recursion.
pub(super) struct Reader<'a> {
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
    pub(super) fn new(src: &'a str) -> Reader<'a> {
        Reader {
            src,
            errors: Vec::new(),
            depth: 0,
        }
    }

    fn text(&self, node: tree_sitter::Node) -> &str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    pub(super) fn value(&mut self, node: tree_sitter::Node) -> Option<JsonValue> {
        if node.is_missing() {
            return None;
        }
        self.nested(node, |reader| reader.value_inner(node))
    }

    /// Runs `read` one level deeper, or reports the nesting as too deep. Every path that makes a
    /// level of the value goes through here, so the value nests at most [`MAX_READER_DEPTH`] deep.
    fn nested(
        &mut self,
        node: tree_sitter::Node,
        read: impl FnOnce(&mut Self) -> Option<JsonValue>,
    ) -> Option<JsonValue> {
        if self.depth >= MAX_READER_DEPTH {
            if !self.errors.iter().any(|e| e.message == too_deep_message()) {
                self.errors.push(JsonSyntaxError {
                    // The node's first character (an ERROR node may start with any).
                    range: TextRange::new(
                        node.start_byte(),
                        node.start_byte()
                            + self
                                .src
                                .get(node.start_byte()..)
                                .and_then(|rest| rest.chars().next())
                                .map_or(0, char::len_utf8),
                    ),
                    message: too_deep_message(),
                });
            }
            return None;
        }
        self.depth += 1;
        let value = read(self);
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
                    // A salvaged `{…` is a level of its own.
                    if let Some(v) = self.nested(*child, |reader| reader.salvage(*child)) {
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
