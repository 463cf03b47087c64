//! The module-level statements the decorator model reads, with the arguments of every call and
//! decorator: assignments (`app = func.FunctionApp(...)`), expression statements
//! (`app.register_functions(bp)`), `def`s with their decorators, imports and classes. Read from
//! the same tree-sitter tree as the rest of the module summary; nothing is evaluated.

use crate::analysis::text::TextRange;

/// One module-level statement (or one inside a module-level `if`/`try`/`with`/loop).
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub range: TextRange,
    /// Inside a compound statement: it may not run, or run more than once.
    pub conditional: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// An `import` or `from … import …` statement (see `PyModule::imports`, same range).
    Import,
    /// `a = b = value`: the targets, left to right, and the value.
    Assign { targets: Vec<PyExpr>, value: PyExpr },
    /// An expression statement.
    Expr(PyExpr),
    /// A `def` (or `async def`), with its decorators outermost first.
    Def {
        name: String,
        /// Where the `def` (or `async`) keyword starts: `PyFunction::def_offset`.
        def_offset: usize,
        decorators: Vec<PyExpr>,
    },
    /// A `class` statement (binds its name).
    Class { name: String },
}

/// An expression with its range.
#[derive(Debug, Clone, PartialEq)]
pub struct PyExpr {
    pub kind: ExprKind,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq)]
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
    Call(Box<Call>),
    List(Vec<PyExpr>),
    Tuple(Vec<PyExpr>),
    Dict(Vec<DictItem>),
    /// A generator expression or comprehension.
    Comprehension,
    /// Anything else (an f-string, an operator, a lambda, …).
    Other,
}

/// One entry of a dict display: `key: value`, or `**value` (no key).
#[derive(Debug, Clone, PartialEq)]
pub struct DictItem {
    pub key: Option<PyExpr>,
    pub value: PyExpr,
}

/// A call: the callee and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub func: PyExpr,
    pub args: Vec<Arg>,
    /// The parentheses and what is between them.
    pub args_range: TextRange,
}

/// One argument of a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    /// `name=` of a keyword argument, with the name's range.
    pub keyword: Option<(String, TextRange)>,
    pub value: PyExpr,
    pub splat: Splat,
    /// The whole argument.
    pub range: TextRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Statements below this nesting are not read.
const MAX_BLOCK_DEPTH: u32 = 20;
/// Expressions below this nesting are read as `Other`.
const MAX_EXPR_DEPTH: u32 = 48;
/// At most this many items of one list, dict or argument list are read.
const MAX_ITEMS: usize = 256;

/// Reads the module-level statements of a parsed module.
pub fn read(root: tree_sitter::Node, src: &str) -> Vec<Stmt> {
    let mut out = Vec::new();
    block(root, src, false, 0, &mut out);
    out
}

fn range_of(node: tree_sitter::Node) -> TextRange {
    TextRange::new(node.start_byte(), node.end_byte())
}

fn text<'a>(node: tree_sitter::Node, src: &'a str) -> &'a str {
    src.get(node.byte_range()).unwrap_or("")
}

fn named_children<'t>(node: tree_sitter::Node<'t>) -> Vec<tree_sitter::Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

fn block(node: tree_sitter::Node, src: &str, conditional: bool, depth: u32, out: &mut Vec<Stmt>) {
    if depth > MAX_BLOCK_DEPTH {
        return;
    }
    for child in named_children(node) {
        statement(child, src, conditional, depth, out);
    }
}

/// Long by design: one arm per statement kind, as in the module summary's walker.
fn statement(
    node: tree_sitter::Node,
    src: &str,
    conditional: bool,
    depth: u32,
    out: &mut Vec<Stmt>,
) {
    let push = |kind: StmtKind, out: &mut Vec<Stmt>| {
        out.push(Stmt {
            kind,
            range: range_of(node),
            conditional,
        })
    };
    match node.kind() {
        "import_statement" | "import_from_statement" => push(StmtKind::Import, out),
        "expression_statement" => {
            for child in named_children(node) {
                match child.kind() {
                    "assignment" => {
                        let mut targets = Vec::new();
                        let mut current = child;
                        let mut guard = 0;
                        let value = loop {
                            guard += 1;
                            if let Some(left) = current.child_by_field_name("left") {
                                targets.push(expr(left, src, 0));
                            }
                            match current.child_by_field_name("right") {
                                Some(right) if right.kind() == "assignment" && guard < 64 => {
                                    current = right;
                                }
                                Some(right) => break Some(expr(right, src, 0)),
                                None => break None,
                            }
                        };
                        if let Some(value) = value {
                            out.push(Stmt {
                                kind: StmtKind::Assign { targets, value },
                                range: range_of(child),
                                conditional,
                            });
                        }
                    }
                    "augmented_assignment" => {}
                    _ => out.push(Stmt {
                        kind: StmtKind::Expr(expr(child, src, 0)),
                        range: range_of(child),
                        conditional,
                    }),
                }
            }
        }
        "function_definition" => {
            let name = node
                .child_by_field_name("name")
                .map(|n| text(n, src).to_string())
                .unwrap_or_default();
            push(
                StmtKind::Def {
                    name,
                    def_offset: node.start_byte(),
                    decorators: Vec::new(),
                },
                out,
            );
        }
        "class_definition" => {
            let name = node
                .child_by_field_name("name")
                .map(|n| text(n, src).to_string())
                .unwrap_or_default();
            push(StmtKind::Class { name }, out);
        }
        "decorated_definition" => {
            let decorators: Vec<PyExpr> = named_children(node)
                .into_iter()
                .filter(|d| d.kind() == "decorator")
                .filter_map(|d| d.named_child(0))
                .map(|e| expr(e, src, 0))
                .collect();
            let Some(def) = node.child_by_field_name("definition") else {
                return;
            };
            let name = def
                .child_by_field_name("name")
                .map(|n| text(n, src).to_string())
                .unwrap_or_default();
            match def.kind() {
                "function_definition" => push(
                    StmtKind::Def {
                        name,
                        def_offset: def.start_byte(),
                        decorators,
                    },
                    out,
                ),
                "class_definition" => push(StmtKind::Class { name }, out),
                _ => {}
            }
        }
        "if_statement" | "try_statement" | "with_statement" | "for_statement"
        | "while_statement" => {
            for child in named_children(node) {
                match child.kind() {
                    "block" => block(child, src, true, depth + 1, out),
                    "elif_clause"
                    | "else_clause"
                    | "except_clause"
                    | "except_group_clause"
                    | "finally_clause" => {
                        for b in named_children(child) {
                            if b.kind() == "block" {
                                block(b, src, true, depth + 1, out);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// Reads an expression.
pub fn expr(node: tree_sitter::Node, src: &str, depth: u32) -> PyExpr {
    let range = range_of(node);
    let kind = if depth > MAX_EXPR_DEPTH {
        ExprKind::Other
    } else {
        expr_kind(node, src, depth)
    };
    PyExpr { kind, range }
}

/// Long by design: one arm per tree-sitter node kind.
fn expr_kind(node: tree_sitter::Node, src: &str, depth: u32) -> ExprKind {
    let sub = |n: tree_sitter::Node| expr(n, src, depth + 1);
    match node.kind() {
        "identifier" => ExprKind::Name(text(node, src).to_string()),
        "attribute" => match (
            node.child_by_field_name("object"),
            node.child_by_field_name("attribute"),
        ) {
            (Some(o), Some(a)) => ExprKind::Attribute {
                object: Box::new(sub(o)),
                name: text(a, src).to_string(),
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
        "integer" | "float" => ExprKind::Number(text(node, src).to_string()),
        "unary_operator" => {
            let op = node
                .child_by_field_name("operator")
                .map(|o| text(o, src))
                .unwrap_or("");
            match node.child_by_field_name("argument") {
                Some(a) if op == "-" && matches!(a.kind(), "integer" | "float") => {
                    ExprKind::Number(format!("-{}", text(a, src)))
                }
                _ => ExprKind::Other,
            }
        }
        "true" => ExprKind::Bool(true),
        "false" => ExprKind::Bool(false),
        "none" => ExprKind::None,
        "parenthesized_expression" => match node.named_child(0) {
            Some(inner) => sub(inner).kind,
            None => ExprKind::Other,
        },
        "list" | "tuple" | "set" => {
            let items: Vec<PyExpr> = named_children(node)
                .into_iter()
                .take(MAX_ITEMS)
                .map(sub)
                .collect();
            if node.kind() == "list" {
                ExprKind::List(items)
            } else if node.kind() == "tuple" {
                ExprKind::Tuple(items)
            } else {
                ExprKind::Other
            }
        }
        "dictionary" => {
            let mut items = Vec::new();
            for child in named_children(node).into_iter().take(MAX_ITEMS) {
                match child.kind() {
                    "pair" => {
                        if let (Some(k), Some(v)) = (
                            child.child_by_field_name("key"),
                            child.child_by_field_name("value"),
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
            let Some(func) = node.child_by_field_name("function") else {
                return ExprKind::Other;
            };
            let Some(arguments) = node.child_by_field_name("arguments") else {
                return ExprKind::Other;
            };
            let mut args = Vec::new();
            if arguments.kind() == "generator_expression" {
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
                    match a.kind() {
                        "keyword_argument" => {
                            let (Some(name), Some(value)) = (
                                a.child_by_field_name("name"),
                                a.child_by_field_name("value"),
                            ) else {
                                continue;
                            };
                            args.push(Arg {
                                keyword: Some((text(name, src).to_string(), range_of(name))),
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
                                splat: if a.kind() == "list_splat" {
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
            ExprKind::Call(Box::new(Call {
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
    if node.kind() != "string" {
        return None;
    }
    let mut out = String::new();
    let mut raw = false;
    for c in named_children(node) {
        match c.kind() {
            "string_start" => {
                let prefix = text(c, src);
                if prefix.chars().any(|ch| "fFbBtT".contains(ch)) {
                    return None;
                }
                raw = prefix.chars().any(|ch| ch == 'r' || ch == 'R');
            }
            "string_content" => {
                // Escape sequences are children of the content node.
                let content = text(c, src);
                let escapes = named_children(c);
                if escapes.is_empty() || raw {
                    out.push_str(content);
                    continue;
                }
                let mut at = c.start_byte();
                for e in escapes {
                    out.push_str(src.get(at..e.start_byte()).unwrap_or(""));
                    let seq = text(e, src);
                    if e.kind() != "escape_sequence" {
                        return None;
                    }
                    out.push(match seq {
                        "\\n" => '\n',
                        "\\t" => '\t',
                        "\\r" => '\r',
                        "\\\\" => '\\',
                        "\\'" => '\'',
                        "\\\"" => '"',
                        "\\0" => '\0',
                        _ => return None,
                    });
                    at = e.end_byte();
                }
                out.push_str(src.get(at..c.end_byte()).unwrap_or(""));
            }
            "escape_sequence" => {
                if raw {
                    out.push_str(text(c, src));
                    continue;
                }
                out.push(match text(c, src) {
                    "\\n" => '\n',
                    "\\t" => '\t',
                    "\\r" => '\r',
                    "\\\\" => '\\',
                    "\\'" => '\'',
                    "\\\"" => '"',
                    "\\0" => '\0',
                    _ => return None,
                });
            }
            "string_end" => {}
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Vec<Stmt> {
        crate::analysis::python::parse(src).statements
    }

    #[test]
    fn reads_decorators_calls_and_assignments() {
        let stmts = parse(
            "import azure.functions as func\napp = application = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)\napp.register_functions(bp)\n\n@app.route(route=\"a/{id}\", methods=[\"GET\", 'post'])\n@app.queue_output(arg_name=\"msg\", **{\"visibility-timeout\": 3})\nasync def f(req, msg):\n    pass\nif True:\n    x = 'a' 'b'\n",
        );
        assert_eq!(stmts.len(), 5);
        assert_eq!(stmts[0].kind, StmtKind::Import);
        let StmtKind::Assign { targets, value } = &stmts[1].kind else {
            panic!("{:?}", stmts[1]);
        };
        assert_eq!(targets.len(), 2);
        let call = value.as_call().unwrap();
        assert_eq!(call.func.dotted().as_deref(), Some("func.FunctionApp"));
        assert_eq!(
            call.keyword("http_auth_level")
                .and_then(|a| a.value.dotted())
                .as_deref(),
            Some("func.AuthLevel.ANONYMOUS")
        );
        let StmtKind::Def {
            name, decorators, ..
        } = &stmts[3].kind
        else {
            panic!()
        };
        assert_eq!(name, "f");
        let route = decorators[0].as_call().unwrap();
        assert_eq!(
            route.keyword("route").unwrap().value.as_str(),
            Some("a/{id}")
        );
        let ExprKind::List(methods) = &route.keyword("methods").unwrap().value.kind else {
            panic!()
        };
        assert_eq!(methods[1].as_str(), Some("post"));
        let out = decorators[1].as_call().unwrap();
        assert_eq!(out.args[1].splat, Splat::Dict);
        assert!(stmts[4].conditional);
        let StmtKind::Assign { value, .. } = &stmts[4].kind else {
            panic!()
        };
        assert_eq!(value.as_str(), Some("ab"));
    }

    #[test]
    fn strings_with_escapes_prefixes_and_interpolation() {
        let stmts =
            parse("a = 'x\\ty'\nb = r'\\d'\nc = f'{x}'\nd = b'x'\ne = -3\n@x\ndef f(): pass\n");
        let values: Vec<ExprKind> = stmts
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::Assign { value, .. } => Some(value.kind.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            values,
            [
                ExprKind::Str("x\ty".into()),
                ExprKind::Str("\\d".into()),
                ExprKind::Other,
                ExprKind::Other,
                ExprKind::Number("-3".into()),
            ]
        );
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let deep = format!(
            "x = {}1{}\n@a\ndef f(): pass\n",
            "[".repeat(150),
            "]".repeat(150)
        );
        let stmts = parse(&deep);
        assert_eq!(stmts.len(), 2);
    }
}
