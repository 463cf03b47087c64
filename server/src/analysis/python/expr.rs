//! Python expressions: one type ([`PyExpr`]) and one reader for the whole analysis, the module
//! summary (annotations, decorators, base classes) and the decorator model (every call's
//! arguments) alike; also function parameters and their annotations.

use super::{named_children, node_text, range_of, Annotation, Param, ParamKind};
use crate::analysis::python::fields::{children_by_field_ids, KindName, FIELDS};
use crate::analysis::text::TextRange;

/// An expression with its range.
///
/// Read back from the check cache through [`PyExpr`]'s `Deserialize`, which bounds the nesting
/// (the derived code here is only called by it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(remote = "Self")]
pub struct PyExpr {
    pub kind: ExprKind,
    pub range: TextRange,
}

/// How deeply expressions read back may nest: far deeper than a summary makes them (reading
/// stops at [`MAX_EXPR_DEPTH`]), far shallower than would exhaust a thread's stack. A record is
/// read from a file: nesting it a million deep must be an error, not a crash.
const MAX_DECODED_DEPTH: u32 = 1024;

thread_local! {
    static DECODING_DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

impl serde::Serialize for PyExpr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PyExpr::serialize(self, serializer)
    }
}

impl<'de> serde::Deserialize<'de> for PyExpr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Leaves the level when the expression is read, or reading it failed.
        struct Level;
        impl Drop for Level {
            fn drop(&mut self) {
                DECODING_DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
            }
        }
        let depth = DECODING_DEPTH.with(|d| {
            d.set(d.get() + 1);
            d.get()
        });
        let _level = Level;
        if depth > MAX_DECODED_DEPTH {
            return Err(serde::de::Error::custom("expression nested too deeply"));
        }
        PyExpr::deserialize(deserializer)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ExprKind {
    /// A string literal without interpolation (adjacent literals joined), unescaped.
    Str(String),
    /// A number literal, as written (a leading `-` included).
    Number(String),
    Bool(bool),
    None,
    Name(String),
    Attribute {
        object: Box<PyExpr>,
        name: String,
        name_range: TextRange,
    },
    /// Shared: the decorator model keeps the calls of app decorators without copying them.
    Call(std::sync::Arc<Call>),
    List(Vec<PyExpr>),
    Tuple(Vec<PyExpr>),
    Dict(Vec<DictItem>),
    /// A generator expression or comprehension.
    Comprehension,
    /// `value[index]`, `value[a, b]`, and the generic types of annotations (`list[int]`).
    Subscript {
        value: Box<PyExpr>,
        index: Vec<PyExpr>,
    },
    /// `a | b` (an operator or a union type).
    BitOr(Box<PyExpr>, Box<PyExpr>),
    /// Anything else (an f-string, another operator, a lambda, …).
    Other,
}

/// One entry of a dict display: `key: value`, or `**value` (no key).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct DictItem {
    pub key: Option<PyExpr>,
    pub value: PyExpr,
}

/// A call: the callee and its arguments.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Call {
    pub func: PyExpr,
    pub args: Vec<Arg>,
    /// The parentheses and what is between them.
    pub args_range: TextRange,
}

/// One argument of a call.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Arg {
    /// `name=` of a keyword argument, with the name's range.
    pub keyword: Option<(String, TextRange)>,
    pub value: PyExpr,
    pub splat: Splat,
    /// The whole argument.
    pub range: TextRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Splat {
    None,
    /// `*value`
    List,
    /// `**value`
    Dict,
}

impl PyExpr {
    /// `a.b.c` for a name or an attribute chain.
    pub fn dotted(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Name(n) => Some(n.clone()),
            ExprKind::Attribute { object, name, .. } => {
                Some(format!("{}.{name}", object.dotted()?))
            }
            _ => None,
        }
    }

    /// Whether this is a name or an attribute chain (`a.b.c`, [`PyExpr::dotted`]) whose last
    /// part is `last`, asked without building the dotted name.
    pub fn is_dotted_ending_in(&self, last: &str) -> bool {
        let mut object = match &self.kind {
            ExprKind::Name(n) => return n == last,
            ExprKind::Attribute { object, name, .. } if name == last => object,
            _ => return false,
        };
        loop {
            match &object.kind {
                ExprKind::Name(_) => return true,
                ExprKind::Attribute { object: inner, .. } => object = inner,
                _ => return false,
            }
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_call(&self) -> Option<&Call> {
        match &self.kind {
            ExprKind::Call(c) => Some(c),
            _ => None,
        }
    }
}

impl Call {
    /// The keyword argument `name`, if given.
    pub fn keyword(&self, name: &str) -> Option<&Arg> {
        self.args
            .iter()
            .find(|a| a.keyword.as_ref().is_some_and(|(k, _)| k == name))
    }
}

/// At most this many items of one list, dict or argument list are read.
const MAX_ITEMS: usize = 256;

pub(super) fn read_params(node: tree_sitter::Node, src: &str, out: &mut Vec<Param>) {
    let mut kind = ParamKind::Normal;
    let mut pending_positional_only = 0;
    for child in named_children(node) {
        let (name_node, ann, has_default, star) = match child.kind_name() {
            "identifier" => (Some(child), None, false, None),
            "typed_parameter" => {
                let inner = child.named_child(0);
                let star = inner.and_then(|i| match i.kind_name() {
                    "list_splat_pattern" => Some(ParamKind::VarPositional),
                    "dictionary_splat_pattern" => Some(ParamKind::VarKeyword),
                    _ => None,
                });
                let name = if star.is_some() {
                    inner.and_then(|i| i.named_child(0))
                } else {
                    inner
                };
                (name, child.child_by_field_id(FIELDS.type_), false, star)
            }
            "default_parameter" => (child.child_by_field_id(FIELDS.name), None, true, None),
            "typed_default_parameter" => {
                let [name, ty] = children_by_field_ids(child, [FIELDS.name, FIELDS.type_]);
                (name, ty, true, None)
            }
            "list_splat_pattern" => (
                child.named_child(0),
                None,
                false,
                Some(ParamKind::VarPositional),
            ),
            "dictionary_splat_pattern" => (
                child.named_child(0),
                None,
                false,
                Some(ParamKind::VarKeyword),
            ),
            "keyword_separator" => {
                kind = ParamKind::KeywordOnly;
                continue;
            }
            "positional_separator" => {
                for p in out.iter_mut().rev().take(pending_positional_only) {
                    p.kind = ParamKind::PositionalOnly;
                }
                continue;
            }
            _ => continue,
        };
        let Some(name_node) = name_node else { continue };
        let this_kind = match star {
            Some(k) => {
                if k == ParamKind::VarPositional {
                    kind = ParamKind::KeywordOnly;
                }
                k
            }
            None => kind,
        };
        if this_kind == ParamKind::Normal {
            pending_positional_only += 1;
        }
        out.push(Param {
            name: node_text(name_node, src).to_string(),
            name_range: range_of(name_node),
            range: range_of(child),
            kind: this_kind,
            annotation: ann.map(|a| annotation(a, src)),
            has_default,
        });
    }
}

pub(super) fn annotation(type_node: tree_sitter::Node, src: &str) -> Annotation {
    let inner = if type_node.kind_name() == "type" {
        type_node.named_child(0).unwrap_or(type_node)
    } else {
        type_node
    };
    Annotation {
        expr: expr(inner, src),
        range: range_of(type_node),
        text: node_text(type_node, src).to_string(),
    }
}

/// Expressions in the module summary below this nesting are read as `Other`.
pub(super) const MAX_EXPR_DEPTH: u32 = 64;

/// Reads an expression of the module summary (annotations, decorators, base classes).
pub(super) fn expr(node: tree_sitter::Node, src: &str) -> PyExpr {
    read(node, src, 0, MAX_EXPR_DEPTH)
}

/// Reads an expression at nesting `depth`; below `max_depth` every expression is `Other` (each
/// caller bounds the recursion for the stack it runs on).
pub fn read(node: tree_sitter::Node, src: &str, depth: u32, max_depth: u32) -> PyExpr {
    read_at(node, src, depth, max_depth, &std::cell::Cell::new(0))
}

/// [`expr`], with the deepest nesting the read reached: read with any bound at or above it, the
/// expression is the same.
pub(super) fn expr_with_depth(node: tree_sitter::Node, src: &str) -> (PyExpr, u32) {
    let deepest = std::cell::Cell::new(0);
    let e = read_at(node, src, 0, MAX_EXPR_DEPTH, &deepest);
    (e, deepest.get())
}

/// [`read`], keeping in `deepest` the deepest nesting reached (the only thing the bound decides).
fn read_at(
    node: tree_sitter::Node,
    src: &str,
    depth: u32,
    max_depth: u32,
    deepest: &std::cell::Cell<u32>,
) -> PyExpr {
    deepest.set(deepest.get().max(depth));
    let range = range_of(node);
    let kind = if depth > max_depth {
        ExprKind::Other
    } else {
        expr_kind(node, src, depth, max_depth, deepest)
    };
    PyExpr { kind, range }
}

/// Long by design: one arm per tree-sitter node kind.
fn expr_kind(
    node: tree_sitter::Node,
    src: &str,
    depth: u32,
    max_depth: u32,
    deepest: &std::cell::Cell<u32>,
) -> ExprKind {
    let sub = |n: tree_sitter::Node| read_at(n, src, depth + 1, max_depth, deepest);
    let other = || PyExpr {
        kind: ExprKind::Other,
        range: range_of(node),
    };
    match node.kind_name() {
        "identifier" => ExprKind::Name(node_text(node, src).to_string()),
        "attribute" => match (
            node.child_by_field_id(FIELDS.object),
            node.child_by_field_id(FIELDS.attribute),
        ) {
            (Some(o), Some(a)) => ExprKind::Attribute {
                object: Box::new(sub(o)),
                name: node_text(a, src).to_string(),
                name_range: range_of(a),
            },
            _ => ExprKind::Other,
        },
        "string" => string(node, src)
            .map(ExprKind::Str)
            .unwrap_or(ExprKind::Other),
        "concatenated_string" => {
            let mut all = String::new();
            for part in named_children(node) {
                match string(part, src) {
                    Some(s) => all.push_str(&s),
                    None => return ExprKind::Other,
                }
            }
            ExprKind::Str(all)
        }
        "integer" | "float" => ExprKind::Number(node_text(node, src).to_string()),
        "unary_operator" => {
            let op = node
                .child_by_field_id(FIELDS.operator)
                .map(|o| node_text(o, src))
                .unwrap_or("");
            match node.child_by_field_id(FIELDS.argument) {
                Some(a) if op == "-" && matches!(a.kind_name(), "integer" | "float") => {
                    ExprKind::Number(format!("-{}", node_text(a, src)))
                }
                _ => ExprKind::Other,
            }
        }
        "true" => ExprKind::Bool(true),
        "false" => ExprKind::Bool(false),
        "none" => ExprKind::None,
        "parenthesized_expression" | "type" => match node.named_child(0) {
            Some(inner) => sub(inner).kind,
            None => ExprKind::Other,
        },
        "subscript" => {
            let value = node
                .child_by_field_id(FIELDS.value)
                .map(sub)
                .unwrap_or_else(other);
            let mut cursor = node.walk();
            let index = match std::num::NonZeroU16::new(FIELDS.subscript) {
                Some(id) => node
                    .children_by_field_id(id, &mut cursor)
                    .map(sub)
                    .collect(),
                None => Vec::new(),
            };
            ExprKind::Subscript {
                value: Box::new(value),
                index,
            }
        }
        "generic_type" => {
            let value = node.named_child(0).map(sub).unwrap_or_else(other);
            let index = node
                .named_child(1)
                .map(|params| named_children(params).into_iter().map(sub).collect())
                .unwrap_or_default();
            ExprKind::Subscript {
                value: Box::new(value),
                index,
            }
        }
        "binary_operator" => {
            let op = node
                .child_by_field_id(FIELDS.operator)
                .map(|o| node_text(o, src))
                .unwrap_or("");
            match (
                op,
                node.child_by_field_id(FIELDS.left),
                node.child_by_field_id(FIELDS.right),
            ) {
                ("|", Some(l), Some(r)) => ExprKind::BitOr(Box::new(sub(l)), Box::new(sub(r))),
                _ => ExprKind::Other,
            }
        }
        "union_type" => {
            let mut parts = named_children(node).into_iter().map(sub);
            let first = parts.next().unwrap_or_else(other);
            parts
                .fold(first, |acc, e| PyExpr {
                    range: TextRange::new(acc.range.start as usize, e.range.end as usize),
                    kind: ExprKind::BitOr(Box::new(acc), Box::new(e)),
                })
                .kind
        }
        "list" | "tuple" | "set" => {
            let mut cursor = node.walk();
            let items: Vec<PyExpr> = node
                .named_children(&mut cursor)
                .take(MAX_ITEMS)
                .map(sub)
                .collect();
            if node.kind_name() == "list" {
                ExprKind::List(items)
            } else if node.kind_name() == "tuple" {
                ExprKind::Tuple(items)
            } else {
                ExprKind::Other
            }
        }
        "dictionary" => {
            let mut items = Vec::new();
            for child in named_children(node).into_iter().take(MAX_ITEMS) {
                match child.kind_name() {
                    "pair" => {
                        if let (Some(k), Some(v)) = (
                            child.child_by_field_id(FIELDS.key),
                            child.child_by_field_id(FIELDS.value),
                        ) {
                            items.push(DictItem {
                                key: Some(sub(k)),
                                value: sub(v),
                            });
                        }
                    }
                    "dictionary_splat" => {
                        if let Some(v) = child.named_child(0) {
                            items.push(DictItem {
                                key: None,
                                value: sub(v),
                            });
                        }
                    }
                    _ => {}
                }
            }
            ExprKind::Dict(items)
        }
        "list_comprehension"
        | "dictionary_comprehension"
        | "set_comprehension"
        | "generator_expression" => ExprKind::Comprehension,
        "call" => {
            let Some(func) = node.child_by_field_id(FIELDS.function) else {
                return ExprKind::Other;
            };
            let Some(arguments) = node.child_by_field_id(FIELDS.arguments) else {
                return ExprKind::Other;
            };
            let mut args = Vec::new();
            if arguments.kind_name() == "generator_expression" {
                args.push(Arg {
                    keyword: None,
                    value: PyExpr {
                        kind: ExprKind::Comprehension,
                        range: range_of(arguments),
                    },
                    splat: Splat::None,
                    range: range_of(arguments),
                });
            } else {
                for a in named_children(arguments).into_iter().take(MAX_ITEMS) {
                    match a.kind_name() {
                        "keyword_argument" => {
                            let (Some(name), Some(value)) = (
                                a.child_by_field_id(FIELDS.name),
                                a.child_by_field_id(FIELDS.value),
                            ) else {
                                continue;
                            };
                            args.push(Arg {
                                keyword: Some((node_text(name, src).to_string(), range_of(name))),
                                value: sub(value),
                                splat: Splat::None,
                                range: range_of(a),
                            });
                        }
                        "list_splat" | "dictionary_splat" => {
                            let Some(value) = a.named_child(0) else {
                                continue;
                            };
                            args.push(Arg {
                                keyword: None,
                                value: sub(value),
                                splat: if a.kind_name() == "list_splat" {
                                    Splat::List
                                } else {
                                    Splat::Dict
                                },
                                range: range_of(a),
                            });
                        }
                        "comment" => {}
                        _ => args.push(Arg {
                            keyword: None,
                            value: sub(a),
                            splat: Splat::None,
                            range: range_of(a),
                        }),
                    }
                }
            }
            ExprKind::Call(std::sync::Arc::new(Call {
                func: sub(func),
                args,
                args_range: range_of(arguments),
            }))
        }
        _ => ExprKind::Other,
    }
}

/// The value of a plain string literal (no f-string, no bytes), with simple escapes decoded.
fn string(node: tree_sitter::Node, src: &str) -> Option<String> {
    if node.kind_name() != "string" {
        return None;
    }
    // Most literals have neither prefix nor escape: their value is the text between the quotes,
    // read without walking the node's children (a cursor step costs more than the copy).
    if let Some(value) = unprefixed_without_escapes(node, src) {
        return Some(value.to_string());
    }
    string_by_parts(node, src)
}

/// The text between the quotes of a well-formed literal with no prefix and no backslash
/// (`"abc"`, `'''a "b" c'''`): its value as [`string_by_parts`] reads it.
fn unprefixed_without_escapes<'s>(node: tree_sitter::Node, src: &'s str) -> Option<&'s str> {
    let text = node_text(node, src);
    let bytes = text.as_bytes();
    let quote = *bytes.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let delimiter = if bytes.len() >= 6 && bytes[..3] == [quote; 3] {
        3
    } else {
        1
    };
    let closed = bytes.len() >= 2 * delimiter
        && bytes[bytes.len() - delimiter..].iter().all(|&b| b == quote);
    // A missing closing quote, like any other parse error, sets `has_error`.
    if !closed || bytes.contains(&b'\\') || node.has_error() {
        return None;
    }
    text.get(delimiter..text.len() - delimiter)
}

/// [`string`] read from the literal's parts: its prefix, its content and escape sequences.
fn string_by_parts(node: tree_sitter::Node, src: &str) -> Option<String> {
    let mut out = String::new();
    let mut raw = false;
    let mut cursor = node.walk();
    for c in node.named_children(&mut cursor) {
        match c.kind_name() {
            "string_start" => {
                let prefix = node_text(c, src);
                if prefix.chars().any(|ch| "fFbBtT".contains(ch)) {
                    return None;
                }
                raw = prefix.chars().any(|ch| ch == 'r' || ch == 'R');
            }
            "string_content" => {
                // Escape sequences are children of the content node.
                let content = node_text(c, src);
                if raw || c.named_child_count() == 0 {
                    out.push_str(content);
                    continue;
                }
                let escapes = named_children(c);
                let mut at = c.start_byte();
                for e in escapes {
                    out.push_str(src.get(at..e.start_byte()).unwrap_or(""));
                    let seq = node_text(e, src);
                    if e.kind_name() != "escape_sequence" {
                        return None;
                    }
                    out.push(simple_escape(seq)?);
                    at = e.end_byte();
                }
                out.push_str(src.get(at..c.end_byte()).unwrap_or(""));
            }
            "escape_sequence" => {
                if raw {
                    out.push_str(node_text(c, src));
                    continue;
                }
                out.push(simple_escape(node_text(c, src))?);
            }
            "string_end" => {}
            _ => return None,
        }
    }
    Some(out)
}

/// The character of a simple escape sequence; `None` for the others (the string is then not
/// read as a plain literal).
fn simple_escape(seq: &str) -> Option<char> {
    Some(match seq {
        "\\n" => '\n',
        "\\t" => '\t',
        "\\r" => '\r',
        "\\\\" => '\\',
        "\\'" => '\'',
        "\\\"" => '"',
        "\\0" => '\0',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Postcard's bytes of `a.b.b.b…` with `depth` attributes, made by hand (making the value
    /// and encoding it would recurse as deep).
    fn nested_attributes(depth: usize) -> Vec<u8> {
        const ATTRIBUTE: u8 = 5; // the variant index of `ExprKind::Attribute`
        const NAME: u8 = 4; // of `ExprKind::Name`
        let mut bytes = vec![ATTRIBUTE; depth];
        // The innermost expression: `Name("a")` at 0..0.
        bytes.extend([NAME, 1, b'a', 0, 0]);
        for _ in 0..depth {
            // `name: "b"`, `name_range` and the expression's `range`.
            bytes.extend([1, b'b', 0, 0, 0, 0]);
        }
        bytes
    }

    #[test]
    fn an_expression_read_back_is_bounded_in_depth() {
        let shallow: PyExpr = postcard::from_bytes(&nested_attributes(40)).unwrap();
        assert_eq!(shallow.dotted().unwrap(), format!("a{}", ".b".repeat(40)));
        // A million levels: an error, not a stack overflow; and the depth count is back to 0.
        assert!(postcard::from_bytes::<PyExpr>(&nested_attributes(1_000_000)).is_err());
        assert!(postcard::from_bytes::<PyExpr>(&nested_attributes(1_000)).is_ok());
    }

    /// Every string literal of `src`, read both ways.
    fn both_readings(src: &str) -> Vec<(String, Option<String>, Option<String>)> {
        let tree = crate::analysis::python::test_tree(src);
        let mut out = Vec::new();
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind_name() == "string" {
                out.push((
                    node_text(node, src).to_string(),
                    string(node, src),
                    string_by_parts(node, src),
                ));
            }
            stack.extend(named_children(node));
        }
        out
    }

    #[test]
    fn a_literal_read_from_its_text_has_the_value_its_parts_give() {
        let src = r#"
a = "abc"
b = 'abc'
c = ""
d = ''
e = """a "b" c"""
f = '''x
y'''
g = """"quoted" start"""
h = """"""
i = "tab\tand\\back"
j = f"x{y}"
k = b"bytes"
l = r"raw\d"
m = "it's"
n = 'say "hi"'
o = u"unicode"
p = "café ☕"
q = """end quote\""""
"#;
        let readings = both_readings(src);
        assert_eq!(readings.len(), 17, "{readings:#?}");
        for (text, fast, walked) in &readings {
            assert_eq!(fast, walked, "{text}");
        }
        let value = |literal: &str| {
            readings
                .iter()
                .find(|(text, ..)| text == literal)
                .and_then(|(_, value, _)| value.clone())
        };
        assert_eq!(value(r#""""a "b" c""""#).as_deref(), Some(r#"a "b" c"#));
        assert_eq!(value("\"\"\"\"\"\"").as_deref(), Some(""));
        assert_eq!(value(r#"'say "hi"'"#).as_deref(), Some(r#"say "hi""#));
        assert_eq!(value(r#"f"x{y}""#), None);
    }

    #[test]
    fn an_unterminated_literal_is_not_read_from_its_text() {
        for src in [
            "x = \"abc\n",
            "x = '''abc'\n",
            "x = \"\"\"abc\"\n",
            "x = 'a\n",
        ] {
            for (text, fast, walked) in both_readings(src) {
                assert_eq!(fast, walked, "{src:?}: {text:?}");
            }
        }
    }
}
