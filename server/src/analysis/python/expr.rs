//! Expressions as the summary keeps them ([`Expr`]), function parameters and annotations.

use super::{node_text, range_of, Annotation, Expr, Param, ParamKind};

pub(super) fn read_params(node: tree_sitter::Node, src: &str, out: &mut Vec<Param>) {
    let mut kind = ParamKind::Normal;
    let mut cursor = node.walk();
    let children: Vec<_> = node.named_children(&mut cursor).collect();
    let mut pending_positional_only = 0;
    for child in children {
        let (name_node, ann, has_default, star) = match child.kind() {
            "identifier" => (Some(child), None, false, None),
            "typed_parameter" => {
                let inner = child.named_child(0);
                let star = inner.and_then(|i| match i.kind() {
                    "list_splat_pattern" => Some(ParamKind::VarPositional),
                    "dictionary_splat_pattern" => Some(ParamKind::VarKeyword),
                    _ => None,
                });
                let name = if star.is_some() {
                    inner.and_then(|i| i.named_child(0))
                } else {
                    inner
                };
                (name, child.child_by_field_name("type"), false, star)
            }
            "default_parameter" => (child.child_by_field_name("name"), None, true, None),
            "typed_default_parameter" => (
                child.child_by_field_name("name"),
                child.child_by_field_name("type"),
                true,
                None,
            ),
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
    let inner = if type_node.kind() == "type" {
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

pub(super) fn expr(node: tree_sitter::Node, src: &str) -> Expr {
    expr_at(node, src, 0)
}

/// Deeper expressions than this are not followed (`Expr::Other`).
pub(super) const MAX_EXPR_DEPTH: u32 = 64;

/// Long by design: one short arm per tree-sitter node kind.
fn expr_at(node: tree_sitter::Node, src: &str, depth: u32) -> Expr {
    if depth > MAX_EXPR_DEPTH {
        return Expr::Other;
    }
    let expr = |n: tree_sitter::Node, src: &str| expr_at(n, src, depth + 1);
    match node.kind() {
        "identifier" => Expr::Name(node_text(node, src).to_string()),
        "type" => node
            .named_child(0)
            .map(|c| expr(c, src))
            .unwrap_or(Expr::Other),
        "attribute" => {
            let object = node.child_by_field_name("object");
            let attr = node.child_by_field_name("attribute");
            match (object, attr) {
                (Some(o), Some(a)) => {
                    Expr::Attribute(Box::new(expr(o, src)), node_text(a, src).to_string())
                }
                _ => Expr::Other,
            }
        }
        "subscript" => {
            let value = node
                .child_by_field_name("value")
                .map(|v| expr(v, src))
                .unwrap_or(Expr::Other);
            let mut cursor = node.walk();
            let args: Vec<Expr> = node
                .children_by_field_name("subscript", &mut cursor)
                .map(|s| expr(s, src))
                .collect();
            Expr::Subscript(Box::new(value), args)
        }
        "generic_type" => {
            let base = node
                .named_child(0)
                .map(|b| expr(b, src))
                .unwrap_or(Expr::Other);
            let mut args = Vec::new();
            if let Some(tp) = node.named_child(1) {
                let mut cursor = tp.walk();
                for t in tp.named_children(&mut cursor) {
                    args.push(expr(t, src));
                }
            }
            Expr::Subscript(Box::new(base), args)
        }
        "binary_operator" => {
            let op = node
                .child_by_field_name("operator")
                .map(|o| node_text(o, src))
                .unwrap_or("");
            match (
                op,
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) {
                ("|", Some(l), Some(r)) => {
                    Expr::BitOr(Box::new(expr(l, src)), Box::new(expr(r, src)))
                }
                _ => Expr::Other,
            }
        }
        "union_type" => {
            let mut cursor = node.walk();
            let parts: Vec<Expr> = node
                .named_children(&mut cursor)
                .map(|c| expr(c, src))
                .collect();
            let mut it = parts.into_iter();
            let first = it.next().unwrap_or(Expr::Other);
            it.fold(first, |acc, e| Expr::BitOr(Box::new(acc), Box::new(e)))
        }
        "string" => {
            let mut content = String::new();
            let mut simple = true;
            let mut cursor = node.walk();
            for c in node.named_children(&mut cursor) {
                match c.kind() {
                    "string_content" => content.push_str(node_text(c, src)),
                    "string_start" | "string_end" => {
                        let t = node_text(c, src);
                        if t.chars()
                            .any(|ch| ch.is_ascii_alphabetic() && !"rRuU".contains(ch))
                        {
                            simple = false; // f-strings and bytes are not forward references
                        }
                    }
                    _ => simple = false,
                }
            }
            if simple {
                Expr::Str(content)
            } else {
                Expr::Other
            }
        }
        "none" => Expr::None,
        "call" => Expr::Call(Box::new(
            node.child_by_field_name("function")
                .map(|f| expr(f, src))
                .unwrap_or(Expr::Other),
        )),
        "parenthesized_expression" => node
            .named_child(0)
            .map(|c| expr(c, src))
            .unwrap_or(Expr::Other),
        _ => Expr::Other,
    }
}
