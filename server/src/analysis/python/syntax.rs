//! The module-level statements the decorator model reads, with the arguments of every call and
//! decorator: assignments (`app = func.FunctionApp(...)`), expression statements
//! (`app.register_functions(bp)`), `def`s with their decorators, imports and classes. Read from
//! the same tree-sitter tree as the rest of the module summary; nothing is evaluated.

pub use crate::analysis::python::expr::{Arg, Call, DictItem, ExprKind, PyExpr, Splat};
use crate::analysis::python::fields::{KindName, FIELDS};
use crate::analysis::python::{named_children, node_text, range_of};
use crate::analysis::text::TextRange;

/// One module-level statement (or one inside a module-level `if`/`try`/`with`/loop/`match`).
/// Statements in blocks that never run when the worker imports the module (`if TYPE_CHECKING:`,
/// `if __name__ == "__main__":`, a branch whose condition is a known constant) are left out.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stmt {
    pub kind: StmtKind,
    pub range: TextRange,
    /// Inside a compound statement: it may not run, or run more than once.
    pub conditional: bool,
    /// The arms of `if`/`try`/`match` statements it lies in, outermost first (so by `at`).
    pub arms: Vec<Arm>,
}

/// One arm of a module-level `if`/`elif`/`else`, `try`/`except`/`else` or `match`/`case`: two
/// statements in different arms of the same statement never both run. Arms inside a loop are not
/// recorded (each pass may take another one).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Arm {
    /// Where the `if`/`try`/`match` statement starts.
    pub at: u32,
    /// `if`, `elif`…, `else` in order (arms that never run are skipped); the `try` body and its
    /// `else` are 0 (they run together), each `except` 1, 2, …; each `case` in order.
    pub index: u32,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum StmtKind {
    /// An `import` or `from … import …` statement (see `PyModule::imports`, same range).
    Import,
    /// `a = b = value`: the targets, left to right, and the value.
    Assign { targets: Vec<PyExpr>, value: PyExpr },
    /// An expression statement.
    Expr(PyExpr),
    /// A `def` (or `async def`), with its decorators outermost first.
    Def {
        /// Shared with what the decorator model makes of the function.
        name: std::sync::Arc<str>,
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

/// Reads the module-level statements of a parsed module. `folded` holds the `if` statements
/// (by start offset) whose condition the module summary folded to a constant; `summary` is the
/// module's summary, whose functions' decorators are taken rather than read again.
pub fn read(
    root: tree_sitter::Node,
    src: &str,
    folded: &std::collections::HashMap<usize, bool>,
    summary: &crate::analysis::python::PyModule,
) -> Vec<Stmt> {
    let mut reader = Reader {
        src,
        folded,
        summary,
        out: Vec::new(),
        arms: Vec::new(),
        conditional: false,
        in_loop: false,
    };
    reader.block(root, 0);
    reader.out
}

struct Reader<'a> {
    src: &'a str,
    folded: &'a std::collections::HashMap<usize, bool>,
    summary: &'a crate::analysis::python::PyModule,
    out: Vec<Stmt>,
    /// The arms around the statement being read.
    arms: Vec<Arm>,
    conditional: bool,
    in_loop: bool,
}

impl Reader<'_> {
    fn block(&mut self, node: tree_sitter::Node, depth: u32) {
        if depth > MAX_BLOCK_DEPTH {
            return;
        }
        for child in named_children(node) {
            self.statement(child, depth);
        }
    }

    /// Reads `body` as a block that may not run (or runs more than once when `in_loop`).
    fn nested(&mut self, body: tree_sitter::Node, depth: u32, arm: Option<Arm>, in_loop: bool) {
        let saved = (self.conditional, self.in_loop);
        self.conditional = true;
        self.in_loop |= in_loop;
        let pushed = match arm {
            Some(a) if !self.in_loop => {
                self.arms.push(a);
                true
            }
            _ => false,
        };
        self.block(body, depth + 1);
        if pushed {
            self.arms.pop();
        }
        (self.conditional, self.in_loop) = saved;
    }

    /// The arms of an `if` chain: each clause's body with what is known of its condition at
    /// import time (`else` is `Some(true)`).
    fn alternatives(
        &mut self,
        at: usize,
        clauses: Vec<(Option<bool>, tree_sitter::Node)>,
        depth: u32,
    ) {
        let mut live = Vec::new();
        for (truth, body) in clauses {
            match truth {
                Some(false) => continue,
                Some(true) if live.is_empty() => {
                    // Every clause before it is known false: it always runs.
                    self.block(body, depth + 1);
                    return;
                }
                Some(true) => {
                    live.push(body);
                    break;
                }
                None => live.push(body),
            }
        }
        let alone = live.len() == 1;
        for (index, body) in live.into_iter().enumerate() {
            let arm = Arm {
                at: at as u32,
                index: index as u32,
            };
            // A lone arm is an alternative to nothing: no arm recorded.
            self.nested(body, depth, (!alone).then_some(arm), false);
        }
    }

    /// Long by design: one arm per statement kind, as in the module summary's walker.
    fn statement(&mut self, node: tree_sitter::Node, depth: u32) {
        let src = self.src;
        let stmt = |kind: StmtKind, range: TextRange, reader: &Self| Stmt {
            kind,
            range,
            conditional: reader.conditional,
            arms: reader.arms.clone(),
        };
        match node.kind_name() {
            "import_statement" | "import_from_statement" => {
                self.out.push(stmt(StmtKind::Import, range_of(node), self))
            }
            "expression_statement" => {
                for child in named_children(node) {
                    match child.kind_name() {
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
                                    Some(right)
                                        if right.kind_name() == "assignment" && guard < 64 =>
                                    {
                                        current = right;
                                    }
                                    Some(right) => break Some(expr(right, src, 0)),
                                    None => break None,
                                }
                            };
                            if let Some(value) = value {
                                let s = stmt(
                                    StmtKind::Assign { targets, value },
                                    range_of(child),
                                    self,
                                );
                                self.out.push(s);
                            }
                        }
                        "augmented_assignment" => {}
                        _ => {
                            let s =
                                stmt(StmtKind::Expr(expr(child, src, 0)), range_of(child), self);
                            self.out.push(s);
                        }
                    }
                }
            }
            "function_definition" => {
                let name = node
                    .child_by_field_id(FIELDS.name)
                    .map_or_else(|| "".into(), |n| node_text(n, src).into());
                let kind = StmtKind::Def {
                    name,
                    def_offset: node.start_byte(),
                    decorators: Vec::new(),
                };
                self.out.push(stmt(kind, range_of(node), self));
            }
            "class_definition" => {
                let name = node
                    .child_by_field_id(FIELDS.name)
                    .map(|n| node_text(n, src).to_string())
                    .unwrap_or_default();
                self.out
                    .push(stmt(StmtKind::Class { name }, range_of(node), self));
            }
            "decorated_definition" => {
                let Some(def) = node.child_by_field_id(FIELDS.definition) else {
                    return;
                };
                // The summary read the same decorators of a module-level `def`: when its
                // reading stayed within this reader's bound, they are the same expressions.
                let summarized = match def.kind_name() {
                    "function_definition" => self
                        .summary
                        .function_at(def.start_byte())
                        .filter(|f| f.decorators_depth <= MAX_EXPR_DEPTH),
                    _ => None,
                };
                let decorators: Vec<PyExpr> = match summarized {
                    Some(f) => f.decorators.clone(),
                    None => named_children(node)
                        .into_iter()
                        .filter(|d| d.kind_name() == "decorator")
                        .filter_map(|d| d.named_child(0))
                        .map(|e| expr(e, src, 0))
                        .collect(),
                };
                let name = def
                    .child_by_field_id(FIELDS.name)
                    .map(|n| node_text(n, src).to_string())
                    .unwrap_or_default();
                let kind = match def.kind_name() {
                    "function_definition" => StmtKind::Def {
                        name: name.into(),
                        def_offset: def.start_byte(),
                        decorators,
                    },
                    "class_definition" => StmtKind::Class { name },
                    _ => return,
                };
                self.out.push(stmt(kind, range_of(node), self));
            }
            "if_statement" => {
                let truth =
                    |c: Option<tree_sitter::Node>| c.and_then(|c| import_time_truth(c, src));
                let first = self
                    .folded
                    .get(&node.start_byte())
                    .copied()
                    .or_else(|| truth(node.child_by_field_id(FIELDS.condition)));
                let mut clauses = Vec::new();
                if let Some(body) = node.child_by_field_id(FIELDS.consequence) {
                    clauses.push((first, body));
                }
                for alt in named_children(node) {
                    match alt.kind_name() {
                        "elif_clause" => {
                            if let Some(body) = alt.child_by_field_id(FIELDS.consequence) {
                                clauses
                                    .push((truth(alt.child_by_field_id(FIELDS.condition)), body));
                            }
                        }
                        "else_clause" => {
                            if let Some(body) = alt.child_by_field_id(FIELDS.body) {
                                clauses.push((Some(true), body));
                            }
                        }
                        _ => {}
                    }
                }
                self.alternatives(node.start_byte(), clauses, depth);
            }
            "try_statement" => {
                let at = node.start_byte() as u32;
                let handlers = named_children(node)
                    .iter()
                    .filter(|c| matches!(c.kind_name(), "except_clause" | "except_group_clause"))
                    .count();
                // Without a handler the body and `finally` both run: no alternatives.
                let arm = |index: u32| (handlers > 0).then_some(Arm { at, index });
                let mut handler = 0;
                for child in named_children(node) {
                    let (body, arm) = match child.kind_name() {
                        "block" => (Some(child), arm(0)),
                        "else_clause" => (child.child_by_field_id(FIELDS.body), arm(0)),
                        "except_clause" | "except_group_clause" => {
                            handler += 1;
                            let body = named_children(child)
                                .into_iter()
                                .find(|b| b.kind_name() == "block");
                            (body, arm(handler))
                        }
                        "finally_clause" => (
                            named_children(child)
                                .into_iter()
                                .find(|b| b.kind_name() == "block"),
                            None,
                        ),
                        _ => (None, None),
                    };
                    if let Some(body) = body {
                        self.nested(body, depth, arm, false);
                    }
                }
            }
            "match_statement" => {
                let at = node.start_byte() as u32;
                let cases: Vec<_> = node
                    .child_by_field_id(FIELDS.body)
                    .map(named_children)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|c| c.kind_name() == "case_clause")
                    .filter_map(|c| c.child_by_field_id(FIELDS.consequence))
                    .collect();
                let alone = cases.len() == 1;
                for (index, body) in cases.into_iter().enumerate() {
                    let arm = Arm {
                        at,
                        index: index as u32,
                    };
                    self.nested(body, depth, (!alone).then_some(arm), false);
                }
            }
            "with_statement" | "for_statement" | "while_statement" => {
                let in_loop = node.kind_name() != "with_statement";
                for child in named_children(node) {
                    let body = match child.kind_name() {
                        "block" => Some(child),
                        "else_clause" => child.child_by_field_id(FIELDS.body),
                        _ => None,
                    };
                    if let Some(body) = body {
                        self.nested(body, depth, None, in_loop);
                    }
                }
            }
            _ => {}
        }
    }
}

/// What a condition is when the worker imports the module, when that is known without the
/// module's values: `TYPE_CHECKING` is false, `__name__` is never `"__main__"`.
pub fn import_time_truth(node: tree_sitter::Node, src: &str) -> Option<bool> {
    import_time_truth_at(node, src, 0)
}

fn import_time_truth_at(node: tree_sitter::Node, src: &str, depth: u32) -> Option<bool> {
    if depth > MAX_EXPR_DEPTH {
        return None;
    }
    let truth =
        |n: Option<tree_sitter::Node>| n.and_then(|n| import_time_truth_at(n, src, depth + 1));
    match node.kind_name() {
        "identifier" | "attribute" => matches!(
            node_text(node, src),
            "TYPE_CHECKING" | "typing.TYPE_CHECKING"
        )
        .then_some(false),
        "not_operator" => truth(node.child_by_field_id(FIELDS.argument)).map(|v| !v),
        "parenthesized_expression" => truth(node.named_child(0)),
        "boolean_operator" => {
            let left = truth(node.child_by_field_id(FIELDS.left));
            let right = truth(node.child_by_field_id(FIELDS.right));
            let op = node
                .child_by_field_id(FIELDS.operator)
                .map(|o| node_text(o, src));
            match (op, left, right) {
                (Some("and"), Some(false), _) | (Some("and"), _, Some(false)) => Some(false),
                (Some("and"), Some(true), Some(true)) => Some(true),
                (Some("or"), Some(true), _) | (Some("or"), _, Some(true)) => Some(true),
                (Some("or"), Some(false), Some(false)) => Some(false),
                _ => None,
            }
        }
        "comparison_operator" => {
            let operands = named_children(node);
            let [a, b] = operands.as_slice() else {
                return None;
            };
            let is_name = |n: &tree_sitter::Node| {
                n.kind_name() == "identifier" && node_text(*n, src) == "__name__"
            };
            let is_main = |n: &tree_sitter::Node| {
                n.kind_name() == "string"
                    && matches!(node_text(*n, src), "\"__main__\"" | "'__main__'")
            };
            if !((is_name(a) && is_main(b)) || (is_main(a) && is_name(b))) {
                return None;
            }
            let mut cursor = node.walk();
            let op: Vec<&str> = node
                .children(&mut cursor)
                .filter(|c| !c.is_named())
                .map(|c| node_text(c, src))
                .collect();
            match op.as_slice() {
                ["=="] => Some(false),
                ["!="] => Some(true),
                _ => None,
            }
        }
        _ => None,
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
            "import azure.functions as func\napp = application = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)\napp.register_functions(bp)\n\n@app.route(route=\"a/{id}\", methods=[\"GET\", 'post'])\n@app.queue_output(arg_name=\"msg\", **{\"visibility-timeout\": 3})\nasync def f(req, msg):\n    pass\nif flag:\n    x = 'a' 'b'\n",
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
        assert_eq!(&**name, "f");
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
    fn match_arms_are_read_and_main_blocks_bind_nothing_at_import() {
        let m = crate::analysis::python::parse(
            "import os\nmatch os.environ.get('S'):\n    case 'a':\n        def handler(req): pass\n    case _:\n        main = 1\nif __name__ == '__main__':\n    main = 2\n    def run(): pass\n",
        );
        // The summary sees the `def` in a case arm (its signature is checked) and knows the
        // names bound in the `__main__` block are never bound when the worker imports it.
        assert_eq!(m.functions.len(), 2);
        assert!(m.names["handler"][0].conditional);
        assert!(!m.names["main"][0].type_checking_only);
        assert!(m.names["main"][1].type_checking_only);
        assert!(m.names["run"][0].type_checking_only);
        // The decorator model reads the case arms and leaves the `__main__` block out.
        let defs: Vec<(&str, &[Arm])> = m
            .statements
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::Def { name, .. } => Some((&**name, s.arms.as_slice())),
                _ => None,
            })
            .collect();
        assert_eq!(defs, [("handler", &[Arm { at: 10, index: 0 }][..])]);
    }

    #[test]
    fn functions_are_found_by_their_def() {
        // Nested functions come first in `functions`; each `def` statement finds its own.
        let m = crate::analysis::python::parse(
            "@app.route()\ndef outer(req):\n    def inner(): pass\n    return inner\nasync def later(): pass\n",
        );
        for s in &m.statements {
            let StmtKind::Def {
                name, def_offset, ..
            } = &s.kind
            else {
                continue;
            };
            assert_eq!(m.function_at(*def_offset).unwrap().name, **name);
        }
        assert_eq!(m.function_at(1), None);
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
