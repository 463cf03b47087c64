//! The module-level statements the decorator model reads, with the arguments of every call and
//! decorator: assignments (`app = func.FunctionApp(...)`), expression statements
//! (`app.register_functions(bp)`), `def`s with their decorators, imports and classes. Read from
//! the same tree-sitter tree as the rest of the module summary; nothing is evaluated.

pub use crate::analysis::python::expr::{Arg, Call, DictItem, ExprKind, PyExpr, Splat};
use crate::analysis::python::fields::FIELDS;
use crate::analysis::python::{named_children, node_text, range_of};
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

/// Statements below this nesting are not read.
const MAX_BLOCK_DEPTH: u32 = 20;
/// Expressions below this nesting are read as `Other`.
const MAX_EXPR_DEPTH: u32 = 48;

/// Reads an expression of a statement at nesting `depth`.
pub fn expr(node: tree_sitter::Node, src: &str, depth: u32) -> PyExpr {
    crate::analysis::python::expr::read(node, src, depth, MAX_EXPR_DEPTH)
}

/// Reads the module-level statements of a parsed module.
pub fn read(root: tree_sitter::Node, src: &str) -> Vec<Stmt> {
    let mut out = Vec::new();
    block(root, src, false, 0, &mut out);
    out
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
                            if let Some(left) = current.child_by_field_id(FIELDS.left) {
                                targets.push(expr(left, src, 0));
                            }
                            match current.child_by_field_id(FIELDS.right) {
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
                .child_by_field_id(FIELDS.name)
                .map(|n| node_text(n, src).to_string())
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
                .child_by_field_id(FIELDS.name)
                .map(|n| node_text(n, src).to_string())
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
            let Some(def) = node.child_by_field_id(FIELDS.definition) else {
                return;
            };
            let name = def
                .child_by_field_id(FIELDS.name)
                .map(|n| node_text(n, src).to_string())
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
