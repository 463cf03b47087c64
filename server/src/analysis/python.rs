//! What the checker needs to know about a Python module, read with tree-sitter-python: imports,
//! the names bound at module level, top-level functions and classes with their signatures, code
//! that fails the import, and syntax errors. Never executes anything.

use std::cell::RefCell;
use std::collections::HashMap;

use super::text::TextRange;

/// A summary of one Python source file.
#[derive(Debug, Clone, Default)]
pub struct PyModule {
    pub syntax_errors: Vec<PySyntaxError>,
    pub imports: Vec<Import>,
    /// Names bound at module level, each with every place that binds it, in source order.
    pub names: HashMap<String, Vec<NameDef>>,
    /// `from x import *` somewhere at module level: any name may be defined.
    pub has_star_import: bool,
    /// A module-level `__getattr__`: any attribute may exist.
    pub has_module_getattr: bool,
    /// `from __future__ import annotations`: annotations are strings, evaluated only on demand.
    pub future_annotations: bool,
    pub functions: Vec<PyFunction>,
    pub classes: Vec<PyClass>,
    /// Statements at module level that always make the import fail.
    pub import_failures: Vec<ImportFailure>,
    /// Reads of environment variables (`os.environ[...]`, `os.environ.get`, `os.getenv`).
    pub env_reads: Vec<EnvRead>,
    /// String literals that name a CORS response header (`Access-Control-Allow-…`).
    pub cors_headers: Vec<TextRange>,
    /// `….route_params["x"]` and `….route_params.get("x")` reads: the name and its range.
    pub route_param_reads: Vec<(String, TextRange)>,
    /// Module-level statements with call and decorator arguments, for the decorator model.
    pub statements: Vec<super::v2::syntax::Stmt>,
}

/// One read of an environment variable by a constant name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvRead {
    pub name: String,
    /// The string literal's content.
    pub range: TextRange,
    /// `os.environ["X"]`: raises `KeyError` when unset.
    pub raises_when_unset: bool,
    /// A default value is given (`.get("X", "d")`, `getenv("X", "d")`).
    pub has_default: bool,
    /// Runs whenever the module is imported (module level, outside functions and conditions).
    pub at_import: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PySyntaxError {
    pub range: TextRange,
    pub message: String,
}

/// One `import` or `from … import` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub range: TextRange,
    /// Number of leading dots (`from ..x import y` has 2).
    pub level: u32,
    /// The dotted module path after the dots (may be empty: `from . import x`).
    pub module: String,
    pub module_range: TextRange,
    /// For `import a.b as c`: one entry with `name = "a.b"`. For `from m import a as b`: `a`/`b`.
    pub names: Vec<ImportedName>,
    pub is_from: bool,
    /// Runs whenever the module is imported: at module level and not inside `if`, `try`, `with`,
    /// a loop, or a function.
    pub unconditional: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedName {
    pub name: String,
    pub alias: Option<String>,
    pub range: TextRange,
}

/// One place where a module-level name is bound.
#[derive(Debug, Clone, PartialEq)]
pub struct NameDef {
    pub offset: usize,
    pub kind: NameKind,
    /// Bound inside `if`/`try`/`with`/a loop: may not happen.
    pub conditional: bool,
    /// Bound only for type checkers (`if TYPE_CHECKING:`), never at run time.
    pub type_checking_only: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NameKind {
    /// Index into `PyModule::functions`.
    Function(usize),
    /// Index into `PyModule::classes`.
    Class(usize),
    /// `import a.b` binds `a` to module `a`; `import a.b as c` binds `c` to module `a.b`.
    Module(String),
    /// `from m import x` (with the import's level and module).
    FromImport {
        level: u32,
        module: String,
        name: String,
    },
    /// An assignment whose value is a literal that cannot be called (string, number, …).
    Literal(&'static str),
    /// An assignment of `None`.
    NoneValue,
    /// Anything else (a call result, a lambda, a name…): callable or not, we cannot tell.
    Other,
}

/// A `def` at module level or directly in a class body.
#[derive(Debug, Clone, PartialEq)]
pub struct PyFunction {
    pub name: String,
    pub name_range: TextRange,
    /// From the first decorator (or `def`/`async`) to the end of the body.
    pub range: TextRange,
    /// Where the `def` keyword (or `async`) starts: annotations are evaluated here.
    pub def_offset: usize,
    pub is_async: bool,
    pub decorators: Vec<Expr>,
    pub params: Vec<Param>,
    pub params_range: TextRange,
    pub return_annotation: Option<Annotation>,
    /// `return <value>` statements of this function (not nested functions), except `return None`.
    pub value_returns: Vec<TextRange>,
    /// The body contains `yield`: a generator.
    pub is_generator: bool,
    pub body_range: TextRange,
    /// Functions defined directly in the body (indices into `PyModule::functions`).
    pub nested: Vec<usize>,
    /// Names returned by `return <name>` in the body (a decorator returning its wrapper).
    pub returned_names: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    PositionalOnly,
    Normal,
    KeywordOnly,
    /// `*args`
    VarPositional,
    /// `**kwargs`
    VarKeyword,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub name_range: TextRange,
    /// The whole parameter, annotation and default included.
    pub range: TextRange,
    pub kind: ParamKind,
    pub annotation: Option<Annotation>,
    pub has_default: bool,
}

/// An annotation as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    pub expr: Expr,
    pub range: TextRange,
    /// The source text, for messages.
    pub text: String,
}

/// The subset of Python expressions annotations are made of.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Name(String),
    Attribute(Box<Expr>, String),
    Subscript(Box<Expr>, Vec<Expr>),
    /// `a | b`
    BitOr(Box<Expr>, Box<Expr>),
    /// A string literal (a forward reference in an annotation); the content, unescaped if simple.
    Str(String),
    None,
    /// A call such as `decorator(arg)`: the callee.
    Call(Box<Expr>),
    /// Anything else (numbers, lambdas, …).
    Other,
}

impl Expr {
    /// `a.b.c` for names and attribute chains.
    pub fn dotted(&self) -> Option<String> {
        match self {
            Expr::Name(n) => Some(n.clone()),
            Expr::Attribute(base, attr) => Some(format!("{}.{attr}", base.dotted()?)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PyClass {
    pub name: String,
    pub name_range: TextRange,
    pub bases: Vec<Expr>,
    /// Functions defined directly in the class body (indices into `PyModule::functions`).
    pub methods: Vec<usize>,
    /// The class defines `__call__`, `__new__` or a metaclass: instances or the class itself may
    /// behave unusually.
    pub has_metaclass: bool,
}

/// A module-level statement that always fails the import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFailure {
    pub range: TextRange,
    pub kind: ImportFailureKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportFailureKind {
    /// `raise X` at module level.
    Raise,
    /// `sys.exit()`, `exit()`, `quit()`, `os._exit()` at module level: ends the worker process.
    Exit(String),
    /// Module-level code reads a name that is not bound at that point (`NameError`).
    UndefinedName(String),
}

impl PyModule {
    /// The binding of `name` that is in force after the module has run: the last unconditional
    /// one, or `None` when a conditional binding (or a star import) makes it uncertain.
    pub fn final_binding(&self, name: &str) -> Binding<'_> {
        match self.names.get(name) {
            Some(defs) => {
                let last = defs.iter().rev().find(|d| !d.type_checking_only);
                match last {
                    None if self.has_star_import || self.has_module_getattr => Binding::Unknown,
                    None => Binding::Unbound,
                    Some(last) if last.conditional => Binding::Unknown,
                    Some(last) => Binding::Def(last),
                }
            }
            None if self.has_star_import || self.has_module_getattr => Binding::Unknown,
            None => Binding::Unbound,
        }
    }

    /// Whether `name` is bound at module level before `offset` (for annotations evaluated when a
    /// `def` runs), or anywhere when `anywhere` (annotations evaluated after the import).
    pub fn binding_at(&self, name: &str, offset: usize, anywhere: bool) -> Binding<'_> {
        let Some(defs) = self.names.get(name) else {
            return if self.has_star_import {
                Binding::Unknown
            } else {
                Binding::Unbound
            };
        };
        let visible: Vec<&NameDef> = defs
            .iter()
            .filter(|d| !d.type_checking_only && (anywhere || d.offset < offset))
            .collect();
        match visible.last() {
            None if self.has_star_import => Binding::Unknown,
            None => Binding::Unbound,
            Some(d) if d.conditional => {
                if visible.iter().any(|d| !d.conditional) {
                    Binding::Def(visible.iter().rev().find(|d| !d.conditional).unwrap_or(d))
                } else {
                    Binding::Unknown
                }
            }
            Some(d) => Binding::Def(d),
        }
    }
}

/// What a module-level name refers to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Binding<'a> {
    Def(&'a NameDef),
    /// Never bound at module level.
    Unbound,
    /// Maybe bound: we cannot tell statically.
    Unknown,
}

thread_local! {
    static PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
}

/// CPython's tokenizer refuses brackets nested deeper than this ("too many nested parentheses").
const MAX_BRACKET_DEPTH: usize = 200;

/// Parses a Python source file into a summary.
pub fn parse(text: &str) -> PyModule {
    parse_for(text, true)
}

/// Parses a Python source file; the module-level statements the decorator model reads
/// (`PyModule::statements`) are collected only when `decorator_model` is set, since apps without
/// a decorator script never look at them.
pub fn parse_for(text: &str, decorator_model: bool) -> PyModule {
    parse_reusing(text, decorator_model, None).0
}

/// [`parse_for`], also returning the syntax tree, and re-using `previous` when given: the tree
/// of the text before an edit, already adjusted with [`tree_sitter::Tree::edit`] for every change
/// made since (byte offsets and `\n`-based rows and byte columns). Only the changed region is
/// parsed again; the result equals a parse from scratch.
pub fn parse_reusing(
    text: &str,
    decorator_model: bool,
    previous: Option<&tree_sitter::Tree>,
) -> (PyModule, Option<tree_sitter::Tree>) {
    #[cfg(test)]
    if text.contains(super::guard::TEST_PANIC_MARKER) {
        panic!("test panic while reading a module");
    }
    if let Some(at) = text.find('\0') {
        // CPython refuses the whole file before tokenizing it.
        let module = PyModule {
            syntax_errors: vec![PySyntaxError {
                range: TextRange::new(at, at + 1),
                message: "source code cannot contain null bytes".into(),
            }],
            ..PyModule::default()
        };
        return (module, None);
    }
    let normalized = lone_cr_as_newline(text);
    // Rows of the previous tree were counted on `\n` only: after lone CRs become line breaks
    // they no longer match, so such a text is parsed from scratch.
    // Neither is the tree of such a text kept for the next edit.
    let rows_match = matches!(normalized, std::borrow::Cow::Borrowed(_));
    let previous = previous.filter(|_| rows_match);
    let text = &*normalized;
    if let Some(at) = bracket_depth_exceeded(text) {
        let module = PyModule {
            syntax_errors: vec![PySyntaxError {
                range: TextRange::new(at, at + 1),
                message: "too many nested parentheses".into(),
            }],
            ..PyModule::default()
        };
        return (module, None);
    }
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let parser = slot.get_or_insert_with(|| {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&tree_sitter_python::LANGUAGE.into())
                .expect("tree-sitter-python is ABI-compatible with tree-sitter");
            p
        });
        match parser.parse(text, previous) {
            Some(tree) => {
                let module = summarize(&tree, text, decorator_model);
                (module, Some(tree).filter(|_| rows_match))
            }
            None => (PyModule::default(), None),
        }
    })
}

/// [`parse_for`], or `None` after an internal error: the file is then left out of the modules
/// and reported as not analysed (AZF013) rather than taking the app's analysis down.
pub fn parse_guarded(text: &str, decorator_model: bool) -> Option<PyModule> {
    super::guard::catch(|| parse_for(text, decorator_model)).ok()
}

/// [`parse_reusing`], or `None` after an internal error (as [`parse_guarded`]).
pub fn parse_reusing_guarded(
    text: &str,
    decorator_model: bool,
    previous: Option<&tree_sitter::Tree>,
) -> Option<(PyModule, Option<tree_sitter::Tree>)> {
    super::guard::catch(|| parse_reusing(text, decorator_model, previous)).ok()
}

/// `text` with every lone `\r` made a `\n`: CPython reads a lone carriage return as a line
/// break, tree-sitter-python does not. Same length, so every byte offset stays valid.
pub fn lone_cr_as_newline(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let lone = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    if !(0..bytes.len()).any(lone) {
        return std::borrow::Cow::Borrowed(text);
    }
    let normalized: Vec<u8> = (0..bytes.len())
        .map(|i| if lone(i) { b'\n' } else { bytes[i] })
        .collect();
    // Only ASCII bytes changed, so the text is still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8(normalized).unwrap_or_else(|_| text.to_string()))
}

/// Finds the bracket that opens nesting level `MAX_BRACKET_DEPTH + 1`, outside strings and
/// comments.
fn bracket_depth_exceeded(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            q @ (b'"' | b'\'') => {
                let triple = bytes.get(i + 1) == Some(&q) && bytes.get(i + 2) == Some(&q);
                i += if triple { 3 } else { 1 };
                while i < bytes.len() {
                    if bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == q
                        && (!triple
                            || (bytes.get(i + 1) == Some(&q) && bytes.get(i + 2) == Some(&q)))
                    {
                        i += if triple { 2 } else { 0 };
                        break;
                    }
                    if !triple && bytes[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_BRACKET_DEPTH {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parses a string annotation's content as an expression.
pub fn parse_expression(text: &str) -> Option<Expr> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let parser = slot.get_or_insert_with(|| {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&tree_sitter_python::LANGUAGE.into())
                .expect("tree-sitter-python is ABI-compatible with tree-sitter");
            p
        });
        let tree = parser.parse(text.trim(), None)?;
        let root = tree.root_node();
        if root.has_error() || root.named_child_count() != 1 {
            return None;
        }
        let stmt = root.named_child(0)?;
        if stmt.kind() != "expression_statement" || stmt.named_child_count() != 1 {
            return None;
        }
        Some(expr(stmt.named_child(0)?, text.trim()))
    })
}

fn range_of(node: tree_sitter::Node) -> TextRange {
    TextRange::new(node.start_byte(), node.end_byte())
}

fn node_text<'a>(node: tree_sitter::Node, src: &'a str) -> &'a str {
    src.get(node.byte_range()).unwrap_or("")
}

fn summarize(tree: &tree_sitter::Tree, src: &str, decorator_model: bool) -> PyModule {
    let mut module = PyModule::default();
    // Room for every `def` at once: growing by doubling would briefly hold three times the
    // functions of a module with very many.
    module.functions.reserve(src.matches("def ").count());
    let root = tree.root_node();
    if root.has_error() {
        collect_syntax_errors(root, src, &mut module.syntax_errors);
    }
    let mut walker = ModuleWalker {
        src,
        module: &mut module,
        constants: HashMap::new(),
        dynamic_names: src.contains("globals()")
            || src.contains("exec(")
            || src.contains("__builtins__"),
        depth: 0,
    };
    walker.block(root, Ctx::default());
    if decorator_model {
        module.statements = super::v2::syntax::read(root, src);
    }
    if ["environ", "getenv", "Access-Control-Allow", "route_params"]
        .iter()
        .any(|needle| src.contains(needle))
    {
        scan_usages(root, src, &mut module);
    }
    module
}

/// The content and range of a plain string literal node.
fn string_literal(node: tree_sitter::Node, src: &str) -> Option<(String, TextRange)> {
    if node.kind() != "string" {
        return None;
    }
    let mut cursor = node.walk();
    let mut content = None;
    for c in node.named_children(&mut cursor) {
        match c.kind() {
            "string_content" if content.is_none() => {
                content = Some((node_text(c, src).to_string(), range_of(c)))
            }
            "string_start" | "string_end" => {
                if node_text(c, src).chars().any(|ch| "fFbB".contains(ch)) {
                    return None;
                }
            }
            "string_content" => return None,
            _ => return None,
        }
    }
    Some(content.unwrap_or_else(|| {
        let inner = node.start_byte() + 1;
        (String::new(), TextRange::empty(inner))
    }))
}

/// Finds environment reads, CORS header names and route parameter reads anywhere in the module.
fn scan_usages(root: tree_sitter::Node, src: &str, module: &mut PyModule) {
    // (node, inside a function or lambda, inside a module-level condition)
    let mut stack = vec![(root, false, false)];
    while let Some((n, in_function, conditional)) = stack.pop() {
        match n.kind() {
            "subscript" => {
                let value = n
                    .child_by_field_name("value")
                    .map(|v| node_text(v, src))
                    .unwrap_or("");
                if let Some((name, range)) = n
                    .child_by_field_name("subscript")
                    .and_then(|k| string_literal(k, src))
                {
                    if value == "os.environ" || value == "environ" {
                        module.env_reads.push(EnvRead {
                            name,
                            range,
                            raises_when_unset: true,
                            has_default: false,
                            at_import: !in_function && !conditional,
                        });
                    } else if value.ends_with(".route_params") {
                        module.route_param_reads.push((name, range));
                    }
                }
            }
            "call" => {
                let callee = n
                    .child_by_field_name("function")
                    .map(|f| node_text(f, src))
                    .unwrap_or("");
                let args = n.child_by_field_name("arguments");
                let first = args.and_then(|a| a.named_child(0));
                let arg_count = args.map(|a| a.named_child_count()).unwrap_or(0);
                if let Some((name, range)) = first.and_then(|f| string_literal(f, src)) {
                    if matches!(
                        callee,
                        "os.environ.get" | "environ.get" | "os.getenv" | "getenv"
                    ) {
                        module.env_reads.push(EnvRead {
                            name,
                            range,
                            raises_when_unset: false,
                            has_default: arg_count > 1,
                            at_import: !in_function && !conditional,
                        });
                    } else if callee.ends_with(".route_params.get") {
                        module.route_param_reads.push((name, range));
                    }
                }
            }
            "string" => {
                if let Some((content, range)) = string_literal(n, src) {
                    if content
                        .to_ascii_lowercase()
                        .starts_with("access-control-allow-")
                    {
                        module.cors_headers.push(range);
                    }
                }
                continue;
            }
            _ => {}
        }
        let entering_function = matches!(n.kind(), "function_definition" | "lambda");
        let entering_condition = matches!(
            n.kind(),
            "if_statement"
                | "try_statement"
                | "with_statement"
                | "for_statement"
                | "while_statement"
                | "match_statement"
        );
        let mut cursor = n.walk();
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                if child.is_named() {
                    stack.push((
                        child,
                        in_function || entering_function,
                        conditional || entering_condition,
                    ));
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
    }
}

fn collect_syntax_errors(root: tree_sitter::Node, src: &str, out: &mut Vec<PySyntaxError>) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if out.len() >= 20 {
            return;
        }
        if node.is_missing() {
            out.push(PySyntaxError {
                range: range_of(node),
                message: format!("expected `{}`", node.kind()),
            });
            continue;
        }
        if node.kind() == "ERROR" {
            let text = node_text(node, src);
            let first_line = text.lines().next().unwrap_or("").trim();
            let shown: String = first_line.chars().take(30).collect();
            let start = node.start_byte();
            let end = (start + first_line.len().max(1)).min(node.end_byte().max(start + 1));
            out.push(PySyntaxError {
                range: TextRange::new(start, end),
                message: if shown.is_empty() {
                    "invalid syntax".into()
                } else {
                    format!("invalid syntax near `{shown}`")
                },
            });
            continue;
        }
        if !node.has_error() {
            continue;
        }
        let mut cursor = node.walk();
        let children: Vec<_> = node.children(&mut cursor).collect();
        for child in children.into_iter().rev() {
            stack.push(child);
        }
    }
    out.sort_by_key(|e| e.range);
}

#[derive(Clone, Copy, Default)]
struct Ctx {
    conditional: bool,
    type_checking: bool,
}

struct ModuleWalker<'a, 'm> {
    src: &'a str,
    module: &'m mut PyModule,
    /// Module-level names currently bound to a literal, for folding `if` conditions.
    constants: HashMap<String, Const>,
    /// The module manipulates its namespace dynamically (`globals()`, `exec`), so undefined
    /// names cannot be judged.
    dynamic_names: bool,
    /// Current nesting of blocks and definitions being walked.
    depth: u32,
}

/// CPython refuses more than 100 levels of indentation; deeper code is not walked.
const MAX_BLOCK_DEPTH: u32 = 100;

/// A literal value known statically.
#[derive(Debug, Clone, PartialEq)]
enum Const {
    Str(String),
    Int(i64),
    Bool(bool),
    None,
    Seq(Vec<Const>),
}

impl Const {
    fn truthy(&self) -> bool {
        match self {
            Const::Str(s) => !s.is_empty(),
            Const::Int(i) => *i != 0,
            Const::Bool(b) => *b,
            Const::None => false,
            Const::Seq(v) => !v.is_empty(),
        }
    }
}

impl ModuleWalker<'_, '_> {
    fn bind(&mut self, name: &str, offset: usize, kind: NameKind, ctx: Ctx) {
        // Most names are bound once: room for one definition, not the default four.
        self.module
            .names
            .entry(name.to_string())
            .or_insert_with(|| Vec::with_capacity(1))
            .push(NameDef {
                offset,
                kind,
                conditional: ctx.conditional,
                type_checking_only: ctx.type_checking,
            });
    }

    /// Blocks nested past the limit: each nested block is one more indentation level, which
    /// CPython refuses past 100 ("too many levels of indentation").
    fn too_deep(&mut self, node: tree_sitter::Node) {
        if self.module.syntax_errors.is_empty() {
            self.module.syntax_errors.push(PySyntaxError {
                range: TextRange::new(node.start_byte(), node.start_byte() + 1),
                message: "too many levels of indentation".into(),
            });
        }
    }

    fn block(&mut self, node: tree_sitter::Node, ctx: Ctx) {
        if self.depth > MAX_BLOCK_DEPTH {
            self.too_deep(node);
            return;
        }
        self.depth += 1;
        let mut cursor = node.walk();
        let children: Vec<_> = node.named_children(&mut cursor).collect();
        for child in children {
            self.statement(child, ctx);
        }
        self.depth -= 1;
    }

    fn statement(&mut self, node: tree_sitter::Node, ctx: Ctx) {
        let src = self.src;
        match node.kind() {
            "import_statement" => self.import(node, ctx, false),
            "import_from_statement" => self.import(node, ctx, true),
            "future_import_statement" if node_text(node, src).contains("annotations") => {
                self.module.future_annotations = true;
            }
            "function_definition" => {
                let idx = self.function(node, &[], node.start_byte());
                let f = &self.module.functions[idx];
                let (name, offset) = (f.name.clone(), f.def_offset);
                if name == "__getattr__" && !ctx.conditional {
                    self.module.has_module_getattr = true;
                }
                self.bind(&name, offset, NameKind::Function(idx), ctx);
            }
            "class_definition" => {
                let idx = self.class(node);
                let name = self.module.classes[idx].name.clone();
                self.bind(&name, node.start_byte(), NameKind::Class(idx), ctx);
            }
            "decorated_definition" => {
                let mut decorators = Vec::new();
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    if child.kind() == "decorator" {
                        if let Some(e) = child.named_child(0) {
                            decorators.push(expr(e, src));
                        }
                    }
                }
                let Some(def) = node.child_by_field_name("definition") else {
                    return;
                };
                if def.kind() == "function_definition" {
                    let idx = self.function(def, &decorators, node.start_byte());
                    let f = &self.module.functions[idx];
                    let (name, offset) = (f.name.clone(), f.def_offset);
                    // Whether the decorators keep the signature is decided where it matters
                    // (the entry point), from the function's `decorators`.
                    self.bind(&name, offset, NameKind::Function(idx), ctx);
                } else if def.kind() == "class_definition" {
                    let idx = self.class(def);
                    let name = self.module.classes[idx].name.clone();
                    self.bind(&name, node.start_byte(), NameKind::Class(idx), ctx);
                }
            }
            "expression_statement" => {
                let mut cursor = node.walk();
                let children: Vec<_> = node.named_children(&mut cursor).collect();
                for child in children {
                    if !ctx.conditional {
                        match child.kind() {
                            "assignment" | "augmented_assignment" => {
                                if let Some(right) = child.child_by_field_name("right") {
                                    self.check_loads(right);
                                }
                                if child.kind() == "augmented_assignment" {
                                    if let Some(left) = child.child_by_field_name("left") {
                                        self.check_loads(left);
                                    }
                                }
                            }
                            _ => self.check_loads(child),
                        }
                    }
                    match child.kind() {
                        "assignment" => self.assignment(child, ctx),
                        "augmented_assignment" => {}
                        "call" if !ctx.conditional => {
                            if let Some(f) = child.child_by_field_name("function") {
                                let callee = node_text(f, src);
                                if matches!(callee, "sys.exit" | "exit" | "quit" | "os._exit") {
                                    self.module.import_failures.push(ImportFailure {
                                        range: range_of(child),
                                        kind: ImportFailureKind::Exit(callee.to_string()),
                                    });
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            "raise_statement" if !ctx.conditional => {
                self.module.import_failures.push(ImportFailure {
                    range: range_of(node),
                    kind: ImportFailureKind::Raise,
                });
            }
            "if_statement" => {
                let condition = node.child_by_field_name("condition");
                let cond = condition.map(|c| node_text(c, src)).unwrap_or("");
                let is_type_checking = matches!(cond, "TYPE_CHECKING" | "typing.TYPE_CHECKING");
                if !ctx.conditional {
                    if let Some(c) = condition {
                        self.check_loads(c);
                    }
                }
                // A condition known statically decides which branch runs.
                let folded = if ctx.conditional || is_type_checking {
                    None
                } else {
                    condition.and_then(|c| self.eval(c)).map(|v| v.truthy())
                };
                let inner = Ctx {
                    conditional: folded != Some(true),
                    type_checking: ctx.type_checking || is_type_checking,
                };
                if folded != Some(false) {
                    if let Some(body) = node.child_by_field_name("consequence") {
                        self.block(body, inner);
                    }
                }
                if folded == Some(true) {
                    return;
                }
                let mut cursor = node.walk();
                let alternatives: Vec<_> = node
                    .children_by_field_name("alternative", &mut cursor)
                    .collect();
                // With a false condition and a plain `else`, the else branch always runs.
                let else_always = folded == Some(false)
                    && alternatives.len() == 1
                    && alternatives[0].kind() == "else_clause";
                let else_ctx = Ctx {
                    conditional: !else_always,
                    type_checking: ctx.type_checking,
                };
                for alt in alternatives {
                    if let Some(body) = alt.child_by_field_name("body") {
                        self.block(body, else_ctx);
                    } else if let Some(body) = alt.child_by_field_name("consequence") {
                        self.block(body, else_ctx);
                    }
                }
            }
            "try_statement" | "with_statement" | "for_statement" | "while_statement"
            | "match_statement" => {
                let inner = Ctx {
                    conditional: true,
                    type_checking: ctx.type_checking,
                };
                if node.kind() == "for_statement" {
                    if let Some(left) = node.child_by_field_name("left") {
                        self.bind_targets(left, NameKind::Other, inner);
                    }
                }
                if node.kind() == "with_statement" {
                    self.bind_with_targets(node, inner);
                }
                let mut cursor = node.walk();
                let children: Vec<_> = node.named_children(&mut cursor).collect();
                for child in children {
                    match child.kind() {
                        "block" => self.block(child, inner),
                        "except_clause"
                        | "else_clause"
                        | "finally_clause"
                        | "except_group_clause"
                        | "case_clause" => {
                            let mut c2 = child.walk();
                            let blocks: Vec<_> = child
                                .named_children(&mut c2)
                                .filter(|n| n.kind() == "block")
                                .collect();
                            for b in blocks {
                                self.block(b, inner);
                            }
                        }
                        _ => {}
                    }
                }
            }
            "global_statement" | "nonlocal_statement" => {}
            "type_alias_statement" => {
                if let Some(left) = node.child_by_field_name("left") {
                    let name = node_text(left, src).to_string();
                    self.bind(&name, node.start_byte(), NameKind::Other, ctx);
                }
            }
            _ => {}
        }
    }

    /// The value of a literal expression.
    fn literal(&self, node: tree_sitter::Node) -> Option<Const> {
        self.literal_at(node, 0)
    }

    fn literal_at(&self, node: tree_sitter::Node, depth: u32) -> Option<Const> {
        if depth > MAX_EXPR_DEPTH {
            return None;
        }
        let text = node_text(node, self.src);
        match node.kind() {
            "integer" => text.replace('_', "").parse().ok().map(Const::Int),
            "true" => Some(Const::Bool(true)),
            "false" => Some(Const::Bool(false)),
            "none" => Some(Const::None),
            "string" => {
                let mut cursor = node.walk();
                let mut content = String::new();
                for c in node.named_children(&mut cursor) {
                    match c.kind() {
                        "string_content" => content.push_str(node_text(c, self.src)),
                        "string_start" | "string_end" => {
                            if node_text(c, self.src).chars().any(|ch| "fFbB".contains(ch)) {
                                return None;
                            }
                        }
                        _ => return None,
                    }
                }
                Some(Const::Str(content))
            }
            "tuple" | "list" => {
                let mut cursor = node.walk();
                let items: Option<Vec<Const>> = node
                    .named_children(&mut cursor)
                    .map(|c| self.literal_at(c, depth + 1))
                    .collect();
                items.map(Const::Seq)
            }
            "parenthesized_expression" => node
                .named_child(0)
                .and_then(|c| self.literal_at(c, depth + 1)),
            _ => None,
        }
    }

    /// Folds a condition made of literals, module constants, comparisons and boolean operators.
    fn eval(&self, node: tree_sitter::Node) -> Option<Const> {
        self.eval_at(node, 0)
    }

    fn eval_at(&self, node: tree_sitter::Node, depth: u32) -> Option<Const> {
        if depth > MAX_EXPR_DEPTH {
            return None;
        }
        let eval = |n: tree_sitter::Node| self.eval_at(n, depth + 1);
        match node.kind() {
            "identifier" => self.constants.get(node_text(node, self.src)).cloned(),
            "not_operator" => node
                .child_by_field_name("argument")
                .and_then(eval)
                .map(|v| Const::Bool(!v.truthy())),
            "boolean_operator" => {
                let left = eval(node.child_by_field_name("left")?)?;
                let op = node_text(node.child_by_field_name("operator")?, self.src);
                match (op, left.truthy()) {
                    ("and", false) | ("or", true) => Some(left),
                    _ => eval(node.child_by_field_name("right")?),
                }
            }
            "comparison_operator" => {
                let mut cursor = node.walk();
                let operands: Vec<_> = node.named_children(&mut cursor).collect();
                let ops: Vec<String> = node
                    .children(&mut node.walk())
                    .filter(|c| !c.is_named())
                    .map(|c| node_text(c, self.src).to_string())
                    .collect();
                if operands.len() != 2 {
                    return None;
                }
                let (a, b) = (eval(operands[0])?, eval(operands[1])?);
                let op = ops.join(" ");
                let contains = |hay: &Const, needle: &Const| match hay {
                    Const::Seq(items) => Some(items.contains(needle)),
                    Const::Str(h) => match needle {
                        Const::Str(n) => Some(h.contains(n.as_str())),
                        _ => None,
                    },
                    _ => None,
                };
                let result = match op.as_str() {
                    "==" => a == b,
                    "!=" => a != b,
                    "in" => contains(&b, &a)?,
                    "not in" => !contains(&b, &a)?,
                    _ => return None,
                };
                Some(Const::Bool(result))
            }
            "parenthesized_expression" => eval(node.named_child(0)?),
            _ => self.literal(node),
        }
    }

    /// Records the first name that module-level code reads before anything binds it.
    fn check_loads<'t>(&mut self, node: tree_sitter::Node<'t>) {
        if self.dynamic_names
            || self.module.has_star_import
            || self
                .module
                .import_failures
                .iter()
                .any(|f| matches!(f.kind, ImportFailureKind::UndefinedName(_)))
        {
            return;
        }
        // Each entry: a node and the (parent kind, field) it sits in.
        let mut stack: Vec<(tree_sitter::Node<'t>, &str, Option<&str>)> = vec![(node, "", None)];
        while let Some((n, parent, field)) = stack.pop() {
            match n.kind() {
                // New scopes: their names are not module-level reads (or bind their own).
                "lambda"
                | "list_comprehension"
                | "set_comprehension"
                | "dictionary_comprehension"
                | "generator_expression"
                | "function_definition"
                | "class_definition"
                | "type" => continue,
                // `a = b = value`: the inner targets are stores; only the value is read.
                "assignment" => {
                    if let Some(right) = n.child_by_field_name("right") {
                        stack.push((right, "assignment", Some("right")));
                    }
                }
                "identifier" => {
                    let is_load = !matches!(
                        (parent, field),
                        ("attribute", Some("attribute"))
                            | ("keyword_argument", Some("name"))
                            | ("named_expression", Some("name"))
                    );
                    if !is_load {
                        continue;
                    }
                    let name = node_text(n, self.src);
                    let bound = self.module.names.get(name).is_some_and(|defs| {
                        defs.iter()
                            .any(|d| d.offset < n.start_byte() && !d.type_checking_only)
                    });
                    if !bound
                        && !super::catalog::is_builtin(name)
                        && !matches!(
                            name,
                            "__annotations__" | "__cached__" | "__dict__" | "print"
                        )
                    {
                        self.module.import_failures.push(ImportFailure {
                            range: range_of(n),
                            kind: ImportFailureKind::UndefinedName(name.to_string()),
                        });
                        return;
                    }
                }
                kind => {
                    let mut cursor = n.walk();
                    let mut children = Vec::new();
                    if cursor.goto_first_child() {
                        loop {
                            let child = cursor.node();
                            if child.is_named() {
                                children.push((child, kind, cursor.field_name()));
                            }
                            if !cursor.goto_next_sibling() {
                                break;
                            }
                        }
                    }
                    stack.extend(children.into_iter().rev());
                }
            }
        }
    }

    fn bind_with_targets(&mut self, node: tree_sitter::Node, ctx: Ctx) {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if n.kind() == "as_pattern" {
                if let Some(alias) = n.child_by_field_name("alias") {
                    self.bind_targets(alias, NameKind::Other, ctx);
                }
                continue;
            }
            if n.kind() == "block" {
                continue;
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
        }
    }

    fn import(&mut self, node: tree_sitter::Node, ctx: Ctx, is_from: bool) {
        let src = self.src;
        let mut level = 0u32;
        let mut module = String::new();
        let mut module_range = range_of(node);
        let mut names = Vec::new();
        if is_from {
            if let Some(m) = node.child_by_field_name("module_name") {
                module_range = range_of(m);
                if m.kind() == "relative_import" {
                    let mut cursor = m.walk();
                    for part in m.named_children(&mut cursor) {
                        match part.kind() {
                            "import_prefix" => level = node_text(part, src).len() as u32,
                            "dotted_name" => module = node_text(part, src).to_string(),
                            _ => {}
                        }
                    }
                } else {
                    module = node_text(m, src).to_string();
                }
            }
        }
        let mut cursor = node.walk();
        let name_nodes: Vec<_> = node.children_by_field_name("name", &mut cursor).collect();
        for n in name_nodes {
            let (name, alias) = if n.kind() == "aliased_import" {
                (
                    n.child_by_field_name("name")
                        .map(|x| node_text(x, src).to_string())
                        .unwrap_or_default(),
                    n.child_by_field_name("alias")
                        .map(|x| node_text(x, src).to_string()),
                )
            } else {
                (node_text(n, src).to_string(), None)
            };
            names.push(ImportedName {
                name,
                alias,
                range: range_of(n),
            });
        }
        let mut has_wildcard = false;
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.kind() == "wildcard_import" {
                has_wildcard = true;
            }
        }
        if has_wildcard && !ctx.type_checking {
            self.module.has_star_import = true;
        }
        let offset = node.start_byte();
        for n in &names {
            if is_from {
                let bound = n.alias.clone().unwrap_or_else(|| n.name.clone());
                self.bind(
                    &bound,
                    offset,
                    NameKind::FromImport {
                        level,
                        module: module.clone(),
                        name: n.name.clone(),
                    },
                    ctx,
                );
            } else if let Some(alias) = &n.alias {
                self.bind(alias, offset, NameKind::Module(n.name.clone()), ctx);
            } else {
                let top = n.name.split('.').next().unwrap_or("").to_string();
                self.bind(&top, offset, NameKind::Module(top.clone()), ctx);
            }
        }
        if !is_from {
            module_range = range_of(node);
        }
        self.module.imports.push(Import {
            range: range_of(node),
            level,
            module,
            module_range,
            names,
            is_from,
            unconditional: !ctx.conditional,
        });
    }

    fn assignment(&mut self, node: tree_sitter::Node, ctx: Ctx) {
        // `a = b = value` nests to the right, one level per target (thousands in hostile
        // files): collect the targets in a loop; every one of them receives the value.
        let mut targets = Vec::new();
        let mut current = node;
        let value = loop {
            let Some(left) = current.child_by_field_name("left") else {
                return;
            };
            targets.push(left);
            match current.child_by_field_name("right") {
                Some(right) if right.kind() == "assignment" => current = right,
                // `None`: an annotation without a value binds nothing.
                right => break right,
            }
        };
        let Some(value) = value else { return };
        let literal = if ctx.conditional {
            None
        } else {
            self.literal(value)
        };
        let kind = match value.kind() {
            "string" | "concatenated_string" => NameKind::Literal("a string"),
            "integer" | "float" => NameKind::Literal("a number"),
            "true" | "false" => NameKind::Literal("a boolean"),
            "list" | "list_comprehension" => NameKind::Literal("a list"),
            "dictionary" | "dictionary_comprehension" => NameKind::Literal("a dict"),
            "tuple" => NameKind::Literal("a tuple"),
            "set" => NameKind::Literal("a set"),
            "none" => NameKind::NoneValue,
            _ => NameKind::Other,
        };
        // Innermost first, as the targets read from right to left.
        for left in targets.into_iter().rev() {
            if left.kind() == "identifier" {
                let name = node_text(left, self.src).to_string();
                match &literal {
                    Some(value) => {
                        self.constants.insert(name, value.clone());
                    }
                    None => {
                        self.constants.remove(&name);
                    }
                }
            }
            self.bind_targets(left, kind.clone(), ctx);
        }
    }

    fn bind_targets(&mut self, target: tree_sitter::Node, kind: NameKind, ctx: Ctx) {
        self.bind_targets_at(target, kind, ctx, 0)
    }

    fn bind_targets_at(&mut self, target: tree_sitter::Node, kind: NameKind, ctx: Ctx, depth: u32) {
        if depth > MAX_EXPR_DEPTH {
            return;
        }
        match target.kind() {
            "identifier" => {
                let name = node_text(target, self.src).to_string();
                self.bind(&name, target.start_byte(), kind, ctx);
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "expression_list" | "tuple"
            | "list" | "list_splat_pattern" => {
                let mut cursor = target.walk();
                let children: Vec<_> = target.named_children(&mut cursor).collect();
                for child in children {
                    self.bind_targets_at(child, NameKind::Other, ctx, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn class(&mut self, node: tree_sitter::Node) -> usize {
        let src = self.src;
        let name_node = node.child_by_field_name("name");
        let mut bases = Vec::new();
        let mut has_metaclass = false;
        if let Some(args) = node.child_by_field_name("superclasses") {
            let mut cursor = args.walk();
            for a in args.named_children(&mut cursor) {
                if a.kind() == "keyword_argument" {
                    has_metaclass = true;
                } else {
                    bases.push(expr(a, src));
                }
            }
        }
        let idx = self.module.classes.len();
        self.module.classes.push(PyClass {
            name: name_node
                .map(|n| node_text(n, src).to_string())
                .unwrap_or_default(),
            name_range: name_node.map(range_of).unwrap_or_default(),
            bases,
            methods: Vec::new(),
            has_metaclass,
        });
        let mut methods = Vec::new();
        if let Some(body) = node.child_by_field_name("body") {
            let mut cursor = body.walk();
            let children: Vec<_> = body.named_children(&mut cursor).collect();
            for child in children {
                let (def, decorators, start) = match child.kind() {
                    "function_definition" => (Some(child), Vec::new(), child.start_byte()),
                    "decorated_definition" => {
                        let mut decorators = Vec::new();
                        let mut c2 = child.walk();
                        for d in child.named_children(&mut c2) {
                            if d.kind() == "decorator" {
                                if let Some(e) = d.named_child(0) {
                                    decorators.push(expr(e, src));
                                }
                            }
                        }
                        (
                            child
                                .child_by_field_name("definition")
                                .filter(|d| d.kind() == "function_definition"),
                            decorators,
                            child.start_byte(),
                        )
                    }
                    _ => (None, Vec::new(), 0),
                };
                if let Some(def) = def {
                    methods.push(self.function(def, &decorators, start));
                }
            }
        }
        let class = &mut self.module.classes[idx];
        if methods.iter().any(|&m| {
            matches!(
                self.module.functions[m].name.as_str(),
                "__new__" | "__init_subclass__"
            )
        }) {
            class.has_metaclass = true;
        }
        class.methods = methods;
        idx
    }

    fn function(&mut self, node: tree_sitter::Node, decorators: &[Expr], start: usize) -> usize {
        let src = self.src;
        let name_node = node.child_by_field_name("name");
        let is_async = node.child(0).is_some_and(|c| c.kind() == "async");
        let mut params = Vec::new();
        let params_node = node.child_by_field_name("parameters");
        if let Some(p) = params_node {
            read_params(p, src, &mut params);
        }
        let return_annotation = node
            .child_by_field_name("return_type")
            .map(|t| annotation(t, src));
        let mut value_returns = Vec::new();
        let mut is_generator = false;
        let body = node.child_by_field_name("body");
        if let Some(body) = body {
            scan_body(body, src, &mut value_returns, &mut is_generator);
        }
        let mut nested = Vec::new();
        let mut returned_names = Vec::new();
        self.depth += 1;
        if let (Some(body), true) = (body, self.depth > MAX_BLOCK_DEPTH) {
            self.too_deep(body);
        }
        if let Some(body) = body.filter(|_| self.depth <= MAX_BLOCK_DEPTH) {
            let mut cursor = body.walk();
            let statements: Vec<_> = body.named_children(&mut cursor).collect();
            for st in statements {
                match st.kind() {
                    "function_definition" => nested.push(self.function(st, &[], st.start_byte())),
                    "decorated_definition" => {
                        let mut decorators = Vec::new();
                        let mut c2 = st.walk();
                        for d in st.named_children(&mut c2) {
                            if d.kind() == "decorator" {
                                if let Some(e) = d.named_child(0) {
                                    decorators.push(expr(e, src));
                                }
                            }
                        }
                        if let Some(def) = st
                            .child_by_field_name("definition")
                            .filter(|d| d.kind() == "function_definition")
                        {
                            nested.push(self.function(def, &decorators, st.start_byte()));
                        }
                    }
                    "return_statement" => {
                        if let Some(v) = st.named_child(0).filter(|v| v.kind() == "identifier") {
                            returned_names.push(node_text(v, src).to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        self.depth -= 1;
        // A module can hold many definitions: keep no spare capacity per definition.
        params.shrink_to_fit();
        value_returns.shrink_to_fit();
        nested.shrink_to_fit();
        returned_names.shrink_to_fit();
        let idx = self.module.functions.len();
        self.module.functions.push(PyFunction {
            name: name_node
                .map(|n| node_text(n, src).to_string())
                .unwrap_or_default(),
            name_range: name_node.map(range_of).unwrap_or_default(),
            range: TextRange::new(start, node.end_byte()),
            def_offset: node.start_byte(),
            is_async,
            decorators: decorators.to_vec(),
            params,
            params_range: params_node.map(range_of).unwrap_or_default(),
            return_annotation,
            value_returns,
            is_generator,
            body_range: body.map(range_of).unwrap_or_default(),
            nested,
            returned_names,
        });
        idx
    }
}

/// Finds `return <value>` and `yield` in a function body, not descending into nested functions,
/// classes or lambdas.
fn scan_body(
    node: tree_sitter::Node,
    src: &str,
    returns: &mut Vec<TextRange>,
    is_generator: &mut bool,
) {
    // `return` only appears in statements, so only compound statements are entered; `yield` can
    // hide in any expression, so the whole body is walked for it only when the text has one.
    let may_yield = src
        .get(node.byte_range())
        .is_some_and(|body| body.contains("yield"));
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "function_definition" | "class_definition" | "lambda" | "decorated_definition" => {
                continue
            }
            "return_statement" => {
                if let Some(value) = n.named_child(0) {
                    if value.kind() != "none" {
                        returns.push(range_of(n));
                    }
                }
                if !may_yield {
                    continue;
                }
            }
            "yield" => {
                *is_generator = true;
                continue;
            }
            "block"
            | "if_statement"
            | "elif_clause"
            | "else_clause"
            | "try_statement"
            | "except_clause"
            | "except_group_clause"
            | "finally_clause"
            | "with_statement"
            | "for_statement"
            | "while_statement"
            | "match_statement"
            | "case_clause" => {}
            _ if !may_yield => continue,
            _ => {}
        }
        let mut cursor = n.walk();
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                if child.is_named() {
                    stack.push(child);
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
    }
}

fn read_params(node: tree_sitter::Node, src: &str, out: &mut Vec<Param>) {
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

fn annotation(type_node: tree_sitter::Node, src: &str) -> Annotation {
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

fn expr(node: tree_sitter::Node, src: &str) -> Expr {
    expr_at(node, src, 0)
}

/// Deeper expressions than this are not followed (`Expr::Other`).
const MAX_EXPR_DEPTH: u32 = 64;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_imports_and_bindings() {
        let m = parse(
            "import azure.functions as func\nimport typing\nfrom azure import functions\nfrom . import helpers\nfrom ..shared import x as y\ntry:\n    import yaml\nexcept ImportError:\n    yaml = None\n",
        );
        assert!(m.syntax_errors.is_empty());
        assert_eq!(m.imports.len(), 6);
        assert!(!m.imports[5].unconditional);
        assert_eq!(m.imports[3].level, 1);
        assert_eq!(m.imports[4].level, 2);
        assert_eq!(m.imports[4].module, "shared");
        assert!(!m.imports[4].names.is_empty());
        assert!(m.imports.iter().take(4).all(|i| i.unconditional));
        assert_eq!(
            m.names["func"][0].kind,
            NameKind::Module("azure.functions".into())
        );
        assert_eq!(m.names["typing"][0].kind, NameKind::Module("typing".into()));
        assert!(matches!(
            m.names["y"][0].kind,
            NameKind::FromImport { level: 2, .. }
        ));
        assert!(m.names["yaml"].iter().all(|d| d.conditional));
    }

    #[test]
    fn reads_signatures() {
        let m = parse(
            "async def main(req: func.HttpRequest, *args, b: 'X' = 1, c=2, **kw) -> func.HttpResponse:\n    return x\n",
        );
        let f = &m.functions[0];
        assert!(f.is_async);
        let names: Vec<_> = f.params.iter().map(|p| (p.name.as_str(), p.kind)).collect();
        assert_eq!(
            names,
            [
                ("req", ParamKind::Normal),
                ("args", ParamKind::VarPositional),
                ("b", ParamKind::KeywordOnly),
                ("c", ParamKind::KeywordOnly),
                ("kw", ParamKind::VarKeyword)
            ]
        );
        assert_eq!(
            f.params[0]
                .annotation
                .as_ref()
                .unwrap()
                .expr
                .dotted()
                .as_deref(),
            Some("func.HttpRequest")
        );
        assert_eq!(
            f.params[2].annotation.as_ref().unwrap().expr,
            Expr::Str("X".into())
        );
        assert!(f.params[2].has_default);
        assert_eq!(f.value_returns.len(), 1);
    }

    #[test]
    fn finds_import_failures_and_syntax_errors() {
        let m =
            parse("import sys\nraise ValueError('x')\nsys.exit(1)\nif sys.argv:\n    raise Y\n");
        assert_eq!(m.import_failures.len(), 2);
        let m = parse("x = y + 1\ny = 2\n");
        assert_eq!(
            m.import_failures[0].kind,
            ImportFailureKind::UndefinedName("y".into())
        );
        let m = parse("def main(req)\n    return 1\n");
        assert!(!m.syntax_errors.is_empty());
    }

    #[test]
    fn string_annotations_parse_as_expressions() {
        assert_eq!(
            parse_expression("typing.List[func.X]"),
            Some(Expr::Subscript(
                Box::new(Expr::Attribute(
                    Box::new(Expr::Name("typing".into())),
                    "List".into()
                )),
                vec![Expr::Attribute(
                    Box::new(Expr::Name("func".into())),
                    "X".into()
                )]
            ))
        );
        assert_eq!(parse_expression("not valid ("), None);
    }
}
