//! What the checker needs to know about a Python module, read with tree-sitter-python: imports,
//! the names bound at module level, top-level functions and classes with their signatures, code
//! that fails the import, and syntax errors. Never executes anything.

use crate::analysis::python::fields::{KindName, FIELDS};
use std::cell::RefCell;

use super::text::{Needle, TextRange};

pub mod expr;
pub(crate) mod fields;
mod reuse;
#[cfg(test)]
pub(crate) use reuse::DEFINITIONS_TAKEN;
mod statements;
pub mod syntax;

use expr::expr;
pub use expr::{ExprKind, PyExpr};
use statements::{Ctx, ModuleWalker};

/// A summary of one Python source file.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PyModule {
    pub syntax_errors: Vec<PySyntaxError>,
    pub imports: Vec<Import>,
    /// Names bound at module level, each with every place that binds it, in source order. Looked
    /// up for every name an annotation or a call reads, so with a fast (still seeded) hasher.
    pub names: foldhash::HashMap<String, Vec<NameDef>>,
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
    /// String literals that name a CORS response header (`Access-Control-Allow-…`), in source
    /// order.
    pub cors_headers: Vec<TextRange>,
    /// `….route_params["x"]` and `….route_params.get("x")` reads: the name and its range, in
    /// source order (a function finds its own by binary search).
    pub route_param_reads: Vec<(String, TextRange)>,
    /// Module-level statements with call and decorator arguments, for the decorator model.
    pub statements: Vec<syntax::Stmt>,
    /// `(def_offset, index into functions)` sorted by offset, for [`PyModule::function_at`].
    by_def_offset: Vec<(usize, usize)>,
    /// The module-level definitions whose summaries the next summary of the file may re-use.
    items: Vec<reuse::Item>,
    /// The annotations of its top-level `def`s that fail when it is imported, found on first
    /// use: every function.json function whose script this is asks the same question.
    #[serde(skip)]
    pub failing_at_import: std::sync::OnceLock<Vec<FailingAnnotation>>,
}

/// What kind of literal a name is bound to ([`NameKind::Literal`]).
#[derive(Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LiteralKind {
    String,
    Number,
    Boolean,
    List,
    Dict,
    Tuple,
    Set,
}

impl LiteralKind {
    /// The kind as messages name it ("a string").
    pub fn text(self) -> &'static str {
        match self {
            LiteralKind::String => "a string",
            LiteralKind::Number => "a number",
            LiteralKind::Boolean => "a boolean",
            LiteralKind::List => "a list",
            LiteralKind::Dict => "a dict",
            LiteralKind::Tuple => "a tuple",
            LiteralKind::Set => "a set",
        }
    }
}

/// Shown as its text, as the summary's `Debug` form always showed it.
impl std::fmt::Debug for LiteralKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.text())
    }
}

impl PyModule {
    /// Gives back the room the lists grew into. A summary lives as long as its file is open or
    /// checked, and most modules are small: a list of one grows room for four (a `def` takes
    /// 272 bytes), which made the summaries of an app of small modules twice their size.
    fn compact(&mut self) {
        self.syntax_errors.shrink_to_fit();
        self.imports.shrink_to_fit();
        self.names.shrink_to_fit();
        self.functions.shrink_to_fit();
        self.classes.shrink_to_fit();
        self.import_failures.shrink_to_fit();
        self.env_reads.shrink_to_fit();
        self.cors_headers.shrink_to_fit();
        self.route_param_reads.shrink_to_fit();
        self.statements.shrink_to_fit();
        self.items.shrink_to_fit();
    }
}

/// An annotation that fails when it is evaluated: where it is, its text, why it fails and the
/// did-you-mean that ends the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingAnnotation {
    pub range: TextRange,
    pub text: String,
    pub why: String,
    pub hint: String,
}

/// One read of an environment variable by a constant name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PySyntaxError {
    pub range: TextRange,
    pub message: String,
}

/// One `import` or `from … import` statement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportedName {
    pub name: String,
    pub alias: Option<String>,
    pub range: TextRange,
}

impl ImportedName {
    /// The module-level name the import binds: the alias, else the imported name for `from m
    /// import x`, else the top package for `import a.b`.
    pub fn bound(&self, is_from: bool) -> &str {
        match (&self.alias, is_from) {
            (Some(alias), _) => alias,
            (None, true) => &self.name,
            (None, false) => self.name.split('.').next().unwrap_or_default(),
        }
    }
}

/// One place where a module-level name is bound.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NameDef {
    pub offset: usize,
    pub kind: NameKind,
    /// Bound inside `if`/`try`/`with`/a loop: may not happen.
    pub conditional: bool,
    /// Bound only for type checkers (`if TYPE_CHECKING:`) or when run as a program
    /// (`if __name__ == "__main__":`), never when the worker imports the module.
    pub type_checking_only: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
    Literal(LiteralKind),
    /// An assignment of `None`.
    NoneValue,
    /// Anything else (a call result, a lambda, a name…): callable or not, we cannot tell.
    Other,
}

/// A `def` at module level or directly in a class body.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PyFunction {
    pub name: String,
    pub name_range: TextRange,
    /// From the first decorator (or `def`/`async`) to the end of the body.
    pub range: TextRange,
    /// Where the `def` keyword (or `async`) starts: annotations are evaluated here.
    pub def_offset: usize,
    pub is_async: bool,
    pub decorators: Vec<PyExpr>,
    /// The deepest nesting reached while reading `decorators`: a reader whose bound is at or
    /// above it reads the same expressions (the decorator model takes them from here).
    pub decorators_depth: u32,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ParamKind {
    PositionalOnly,
    Normal,
    KeywordOnly,
    /// `*args`
    VarPositional,
    /// `**kwargs`
    VarKeyword,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Annotation {
    pub expr: PyExpr,
    pub range: TextRange,
    /// The source text, for messages.
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PyClass {
    pub name: String,
    pub name_range: TextRange,
    pub bases: Vec<PyExpr>,
    /// Functions defined directly in the class body (indices into `PyModule::functions`).
    pub methods: Vec<usize>,
    /// The class defines `__call__`, `__new__` or a metaclass: instances or the class itself may
    /// behave unusually.
    pub has_metaclass: bool,
}

/// A module-level statement that always fails the import.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportFailure {
    pub range: TextRange,
    pub kind: ImportFailureKind,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ImportFailureKind {
    /// `raise X` at module level.
    Raise,
    /// `sys.exit()`, `exit()`, `quit()`, `os._exit()` at module level: ends the worker process.
    Exit(String),
    /// Module-level code reads a name that is not bound at that point (`NameError`).
    UndefinedName(String),
}

impl PyModule {
    /// The function whose `def` (or `async`) keyword starts at `def_offset` (a decorated
    /// function's `def`), found without scanning every function.
    pub fn function_at(&self, def_offset: usize) -> Option<&PyFunction> {
        let i = self
            .by_def_offset
            .binary_search_by_key(&def_offset, |&(offset, _)| offset)
            .ok()?;
        self.functions.get(self.by_def_offset[i].1)
    }

    /// What `pick` makes of the first binding it accepts (in source order) of the alphabetically
    /// first name that an import statement binds and that has one: how the module spells an
    /// imported module or name, a choice that does not depend on the map's order. Only the
    /// names of import statements are asked, not every name of the module: the fixes of a
    /// module of thousands of functions ask once each.
    pub fn first_import_binding<T>(
        &self,
        mut pick: impl FnMut(&str, &NameKind) -> Option<T>,
    ) -> Option<T> {
        let mut first: Option<(&str, T)> = None;
        for import in &self.imports {
            for imported in &import.names {
                let bound = imported.bound(import.is_from);
                if first.as_ref().is_some_and(|(name, _)| *name <= bound) {
                    continue;
                }
                let Some((name, defs)) = self.names.get_key_value(bound) else {
                    continue;
                };
                if let Some(picked) = defs.iter().find_map(|d| pick(name, &d.kind)) {
                    first = Some((name.as_str(), picked));
                }
            }
        }
        first.map(|(_, picked)| picked)
    }

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
        // The last visible binding, and the last unconditional one (asked for every annotation
        // of every function: no allocation).
        let mut last = None;
        let mut last_unconditional = None;
        for d in defs
            .iter()
            .filter(|d| !d.type_checking_only && (anywhere || d.offset < offset))
        {
            last = Some(d);
            if !d.conditional {
                last_unconditional = Some(d);
            }
        }
        match (last, last_unconditional) {
            (None, _) if self.has_star_import => Binding::Unknown,
            (None, _) => Binding::Unbound,
            (Some(d), _) if !d.conditional => Binding::Def(d),
            (Some(_), Some(unconditional)) => Binding::Def(unconditional),
            (Some(_), None) => Binding::Unknown,
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
    parse_reusing(text, decorator_model, None, None).0
}

/// [`parse_for`], also returning the syntax tree, and re-using `previous` when given: the tree
/// of the text before an edit, already adjusted with [`tree_sitter::Tree::edit`] for every change
/// made since (byte offsets and `\n`-based rows and byte columns). Only the changed region is
/// parsed again. `summary` is the file's previous summary with the text it was read from: the
/// module-level definitions whose text did not change are not walked again (see `reuse.rs`).
/// The result equals a parse from scratch.
pub fn parse_reusing(
    text: &str,
    decorator_model: bool,
    previous: Option<&tree_sitter::Tree>,
    summary: Option<(&str, PyModule)>,
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
    // Offsets of the previous summary are those of its text with lone CRs made line breaks:
    // re-used only when neither text has one, so both texts are what tree-sitter read.
    let summary = summary.filter(|(before, _)| {
        rows_match && matches!(lone_cr_as_newline(before), std::borrow::Cow::Borrowed(_))
    });
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
                let previous = summary.map(|(before, module)| reuse::Previous::new(before, module));
                let module = summarize(&tree, text, decorator_model, previous);
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
    summary: Option<(&str, PyModule)>,
) -> Option<(PyModule, Option<tree_sitter::Tree>)> {
    super::guard::catch(|| parse_reusing(text, decorator_model, previous, summary)).ok()
}

/// `text` with every lone `\r` made a `\n`: CPython reads a lone carriage return as a line
/// break, tree-sitter-python does not. Same length, so every byte offset stays valid.
pub fn lone_cr_as_newline(text: &str) -> std::borrow::Cow<'_, str> {
    // Asked twice on every edit of a module: most texts have no `\r` at all (a fast search).
    if !text.contains('\r') {
        return std::borrow::Cow::Borrowed(text);
    }
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
    // The depth never exceeds the number of opening brackets, which a vectorised count finds
    // in a fraction of the scan's time: most files have fewer than the limit.
    let opening: usize = bytes
        .chunks(u8::MAX as usize)
        .map(|chunk| {
            let count = chunk.iter().fold(0u8, |n, &b| {
                n + u8::from(b == b'(') + u8::from(b == b'[') + u8::from(b == b'{')
            });
            usize::from(count)
        })
        .sum();
    if opening <= MAX_BRACKET_DEPTH {
        return None;
    }
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
pub fn parse_expression(text: &str) -> Option<PyExpr> {
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
        if stmt.kind_name() != "expression_statement" || stmt.named_child_count() != 1 {
            return None;
        }
        Some(expr(stmt.named_child(0)?, text.trim()))
    })
}

/// The byte range of a node (shared by every reader of tree-sitter-python trees).
pub(crate) fn range_of(node: tree_sitter::Node) -> TextRange {
    TextRange::new(node.start_byte(), node.end_byte())
}

/// The source text of a node.
pub(crate) fn node_text<'a>(node: tree_sitter::Node, src: &'a str) -> &'a str {
    src.get(node.byte_range()).unwrap_or("")
}

/// A syntax tree of `text`, for the tests that look at its nodes themselves.
#[cfg(test)]
pub(crate) fn test_tree(text: &str) -> tree_sitter::Tree {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("tree-sitter-python loads");
    parser
        .parse(text, None)
        .expect("a parser with a language parses")
}

/// The named children of a node, collected (so the caller may recurse while holding them).
/// A node with few is read by index: a cursor's step to the next sibling recomputes the
/// parent's layout (about 470 instructions), where `named_child(i)` walks from the first child,
/// cheaper for the one to four children of most nodes and quadratic for long lists, which the
/// cursor keeps.
pub(crate) fn named_children<'t>(node: tree_sitter::Node<'t>) -> Vec<tree_sitter::Node<'t>> {
    const BY_INDEX: usize = 4;
    let count = node.named_child_count();
    if count <= BY_INDEX {
        return (0..count as u32)
            .filter_map(|i| node.named_child(i))
            .collect();
    }
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

fn summarize(
    tree: &tree_sitter::Tree,
    src: &str,
    decorator_model: bool,
    previous: Option<reuse::Previous>,
) -> PyModule {
    let mut module = PyModule::default();
    // Room for every `def` at once: growing by doubling would briefly hold three times the
    // functions of a module with very many.
    static DEF: Needle = Needle::new("def ");
    module.functions.reserve(DEF.count_in(src));
    let root = tree.root_node();
    if root.has_error() {
        collect_syntax_errors(root, src, &mut module.syntax_errors);
    }
    let mut walker = ModuleWalker::new(src, &mut module, previous);
    walker.block(root, Ctx::default());
    let folded = walker.into_folded();
    module.by_def_offset = module
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| (f.def_offset, i))
        .collect();
    module.by_def_offset.sort_unstable();
    if decorator_model {
        module.statements = syntax::read(root, src, &folded, &module);
    }
    if USAGE_GATE.iter().any(|needle| needle.is_in(src)) {
        scan_usages(root, src, &mut module, Some(&usage_marks(src)));
    }
    module.compact();
    module
}

/// The content and range of a plain string literal node.
fn string_literal(node: tree_sitter::Node, src: &str) -> Option<(String, TextRange)> {
    if node.kind_name() != "string" {
        return None;
    }
    let mut cursor = node.walk();
    let mut content = None;
    for c in node.named_children(&mut cursor) {
        match c.kind_name() {
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

/// A module is scanned for usages only when its text holds one of these.
static USAGE_GATE: [Needle; 4] = [
    Needle::new("environ"),
    Needle::new("getenv"),
    Needle::new("Access-Control-Allow"),
    Needle::new("route_params"),
];

/// What every usage [`scan_usages`] records holds in its text, compared in ASCII lowercase: a
/// subtree whose text holds none of them records nothing.
const USAGE_MARKS: [&[u8]; 4] = [
    b"environ",
    b"getenv",
    b"access-control-allow-",
    b"route_params",
];

/// The sorted byte offsets where one of [`USAGE_MARKS`] starts in `src` (ignoring ASCII case).
fn usage_marks(src: &str) -> Vec<usize> {
    let lower = src.to_ascii_lowercase();
    let mut marks: Vec<usize> = USAGE_MARKS
        .iter()
        .flat_map(|mark| memchr::memmem::find_iter(lower.as_bytes(), mark))
        .collect();
    marks.sort_unstable();
    marks
}

/// Finds environment reads, CORS header names and route parameter reads anywhere in the module.
/// With `marks` (from [`usage_marks`]), only the subtrees that contain one are walked: the same
/// usages in the same order, without visiting every node of the module.
fn scan_usages(root: tree_sitter::Node, src: &str, module: &mut PyModule, marks: Option<&[usize]>) {
    let holds_mark = |n: tree_sitter::Node| {
        marks.is_none_or(|marks| {
            let from = marks.partition_point(|&at| at < n.start_byte());
            marks.get(from).is_some_and(|&at| at < n.end_byte())
        })
    };
    // (node, inside a function or lambda, inside a module-level condition)
    let mut stack = vec![(root, false, false)];
    // One cursor for the whole walk: a new one per node allocates its stack every time.
    let mut cursor = root.walk();
    while let Some((n, in_function, conditional)) = stack.pop() {
        match n.kind_name() {
            "subscript" => {
                let value = n
                    .child_by_field_id(FIELDS.value)
                    .map(|v| node_text(v, src))
                    .unwrap_or("");
                if let Some((name, range)) = n
                    .child_by_field_id(FIELDS.subscript)
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
                    .child_by_field_id(FIELDS.function)
                    .map(|f| node_text(f, src))
                    .unwrap_or("");
                let args = n.child_by_field_id(FIELDS.arguments);
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
        let entering_function = matches!(n.kind_name(), "function_definition" | "lambda");
        let entering_condition = matches!(
            n.kind_name(),
            "if_statement"
                | "try_statement"
                | "with_statement"
                | "for_statement"
                | "while_statement"
                | "match_statement"
        );
        cursor.reset(n);
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                if child.is_named() && holds_mark(child) {
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
    // The walk's stack visits siblings last first: in source order for the searches by range.
    module.cors_headers.sort_by_key(|range| range.start);
    module
        .route_param_reads
        .sort_by_key(|(_, range)| range.start);
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
                message: format!("expected `{}`", node.kind_name()),
            });
            continue;
        }
        if node.kind_name() == "ERROR" {
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

/// A summary's `Debug` form with its names in a stable order, leaving out what rules found on
/// first use (not read from the text): two summaries of one text compare equal.
#[cfg(test)]
pub(crate) fn comparable(module: &PyModule) -> String {
    let mut m = module.clone();
    m.failing_at_import = std::sync::OnceLock::new();
    let names: std::collections::BTreeMap<_, _> =
        std::mem::take(&mut m.names).into_iter().collect();
    format!("{m:?} {names:?}")
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_summary_reads_back_as_it_was_written() {
        // A few shapes of statement and the larger fixtures, in both models (the check cache keeps a decorator app's summaries in this encoding).
        macro_rules! fixture {
            ($path:literal) => {
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../", $path))
            };
        }
        let texts = [
            "X: int = 1\nY = 'a'\nZ = [1]\nW = {1}\nV = (1,)\nU = {}\nT = True\nS = None\nR = 1.5\n",
            "from . import a as b, c\nimport x.y as z\nfrom m import *\ndef __getattr__(n): ...\n",
            "if True:\n    import os\nelse:\n    def f(*a, k=1, **kw) -> 'T': pass\nclass C(B):\n    def m(self): ...\n",
            "import azure.functions as func\napp = func.FunctionApp()\n@app.route(route='r', methods=['GET'])\n@app.queue_output(arg_name='q', queue_name='x', connection='C')\ndef f(req: func.HttpRequest, q: func.Out[str]) -> func.HttpResponse:\n    req.route_params.get('id')\n    return func.HttpResponse(os.environ['A'])\n",
            "def broken(:\n",
            fixture!("tests/fixtures/lsp/durable_v2/function_app.py"),
            fixture!("tests/fixtures/durable_replay/record.py"),
            fixture!("tests/fixtures/parity/v2/ext_sdk_types_every_binding/function_app.py"),
            fixture!("tests/fixtures/parity/v2/ext_http_streaming_every_response/function_app.py"),
            fixture!("tests/fixtures/parity/v2/realistic_asgi_app/asgi_api.py"),
            fixture!("tests/fixtures/parity/v2/flow_optional_backend_branches/function_app.py"),
            fixture!("tests/fixtures/templates/v2-every-trigger/function_app.py"),
            fixture!("tests/fixtures/lsp/v2-app/function_app.py"),
            fixture!("tests/fixtures/lsp/v2-app/blueprints/jobs.py"),
            fixture!("examples/orders-app/CreateOrder/__init__.py"),
        ];
        for text in &texts {
            for decorator_model in [false, true] {
                let module = parse_for(text, decorator_model);
                let bytes = postcard::to_stdvec(&module).unwrap();
                let back: PyModule = postcard::from_bytes(&bytes).unwrap();
                assert_eq!(comparable(&back), comparable(&module), "{text}");
            }
        }
    }
    use super::*;

    #[test]
    fn brackets_nested_past_the_limit_are_found_outside_strings_and_comments() {
        let nested = |depth: usize| format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
        assert_eq!(bracket_depth_exceeded(&nested(MAX_BRACKET_DEPTH)), None);
        assert_eq!(
            bracket_depth_exceeded(&nested(MAX_BRACKET_DEPTH + 1)),
            Some(4 + MAX_BRACKET_DEPTH)
        );
        // Many brackets, none deep.
        assert_eq!(bracket_depth_exceeded(&"f([{}])\n".repeat(300)), None);
        // Brackets in strings and comments do not nest.
        let quoted = format!(
            "s = '{0}'\nt = \"\"\"{0}\"\"\"\n# {0}\nu = [{1}]\n",
            "(".repeat(300),
            "{".repeat(3)
        );
        assert_eq!(bracket_depth_exceeded(&quoted), None);
        let mixed = format!(
            "{}# {}\n{}",
            "[".repeat(150),
            "(".repeat(100),
            "{".repeat(60)
        );
        assert_eq!(bracket_depth_exceeded(&mixed), Some(mixed.len() - 10));
    }

    #[test]
    fn the_first_import_binding_is_the_alphabetically_first_accepted_one() {
        let m = parse("import typing as zt\nimport azure.functions as func\nimport typing as mt\nfrom typing import List as at\nimport azure.functions as af\nmt = 1\n");
        let typing_alias = |name: &str, kind: &NameKind| match kind {
            NameKind::Module(m) if m == "typing" => Some(name.to_string()),
            _ => None,
        };
        // `at` is bound by a from-import, which this choice does not accept.
        assert_eq!(m.first_import_binding(typing_alias).as_deref(), Some("mt"));
        let azure = |name: &str, kind: &NameKind| match kind {
            NameKind::Module(m) if m == "azure.functions" => Some(format!("{name}.")),
            _ => None,
        };
        assert_eq!(m.first_import_binding(azure).as_deref(), Some("af."));
        assert_eq!(m.first_import_binding(|_, _| None::<()>), None);
    }

    #[test]
    fn named_children_read_by_index_are_those_a_cursor_walks() {
        let src = "@app.route(route=\"r\",  # the route\n    methods=[\"GET\"])\n@other\ndef f(a, /, b: int = 1, *c, d, **e) -> None:\n    # comment\n    x = f(1, *g, k=2, **h)\n    return {1: 2, **m}\nclass C(B, metaclass=M): pass\nf(a)(b)[c]\ny = [1, 2, 3, 4, 5, 6]\nz = g(1, 2, # six\n  3, 4, 5)\n";
        let tree = test_tree(src);
        let (mut small, mut large) = (0, 0);
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            let mut cursor = node.walk();
            let walked: Vec<_> = node.named_children(&mut cursor).collect();
            assert_eq!(named_children(node), walked, "{}", node.kind());
            if walked.len() <= 4 {
                small += 1;
            } else {
                large += 1;
            }
            stack.extend(walked);
        }
        // Both ways of reading were compared, comments among the children included.
        assert!(small > 20 && large >= 3, "{small} {large}");
    }

    #[test]
    fn summaries_keep_no_spare_room() {
        let m = parse(
            "import logging\nimport azure.functions as func\nfrom shared import util\n\n\ndef main(req: func.HttpRequest) -> str:\n    return req.route_params.get(\"id\")\n",
        );
        assert_eq!((m.imports.len(), m.functions.len()), (3, 1));
        assert_eq!(m.route_param_reads.len(), 1);
        assert_eq!(m.imports.capacity(), m.imports.len());
        assert_eq!(m.functions.capacity(), m.functions.len());
        assert_eq!(m.route_param_reads.capacity(), 1);
        assert!(m
            .imports
            .iter()
            .all(|i| i.names.capacity() == i.names.len()));
        assert!(
            m.names.capacity() < 8,
            "four names, room for {}",
            m.names.capacity()
        );
    }

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
            f.params[2].annotation.as_ref().unwrap().expr.kind,
            ExprKind::Str("X".into())
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
    fn a_conditional_binding_defers_to_the_last_unconditional_one() {
        let m = parse("import os\nx = 1\nif os.sep:\n    x = f()\n    y = 2\nx = 3\nif TYPE_CHECKING:\n    z = 1\n");
        let offset = |name: &str, i: usize| match m.binding_at(name, usize::MAX, true) {
            Binding::Def(d) => d.offset == m.names[name][i].offset,
            _ => false,
        };
        assert!(offset("x", 2));
        let before_last = m.names["x"][2].offset;
        assert!(
            matches!(m.binding_at("x", before_last, false), Binding::Def(d) if d.offset == m.names["x"][0].offset)
        );
        assert_eq!(m.binding_at("y", usize::MAX, false), Binding::Unknown);
        assert_eq!(m.binding_at("y", 0, false), Binding::Unbound);
        assert_eq!(m.binding_at("z", usize::MAX, true), Binding::Unbound);
    }

    /// The usage scan walks only the subtrees holding a mark, and finds what a walk of every
    /// node finds, in the same order, with the same flags.
    #[test]
    fn the_usage_scan_skips_only_subtrees_without_a_mark() {
        let text = r#"
import os
from os import environ, getenv
A = os.environ["A"]
if os.sep:
    B = os.environ.get("B", "b")
def main(req):
    c = getenv("C")
    d = environ["D"]
    headers = {"ACCESS-CONTROL-ALLOW-ORIGIN": "*", "Access-Control-Allow-Methods": "GET"}
    f = lambda: os.getenv("F")
    return req.route_params.get("id"), req.route_params["other"], [x for x in environ.get("G")]
class Config:
    h = os.environ["H"]
    not_a_read = "environ"
"#;
        let tree = test_tree(text);
        let mut every_node = PyModule::default();
        scan_usages(tree.root_node(), text, &mut every_node, None);
        let mut pruned = PyModule::default();
        let marks = usage_marks(text);
        scan_usages(tree.root_node(), text, &mut pruned, Some(&marks));
        assert_eq!(every_node.env_reads.len(), 7);
        assert_eq!(every_node.cors_headers.len(), 2);
        assert_eq!(every_node.route_param_reads.len(), 2);
        assert_eq!(pruned.env_reads, every_node.env_reads);
        assert_eq!(pruned.cors_headers, every_node.cors_headers);
        assert_eq!(pruned.route_param_reads, every_node.route_param_reads);
        // The summary scans with the marks.
        let module = parse(text);
        assert_eq!(module.env_reads, every_node.env_reads);
        // Without a mark in a subtree, nothing below it is visited: an empty list of marks
        // finds nothing.
        let mut none = PyModule::default();
        scan_usages(tree.root_node(), text, &mut none, Some(&[]));
        assert!(none.env_reads.is_empty() && none.cors_headers.is_empty());
    }

    /// The decorator model's statements take a `def`'s decorators from the summary when reading
    /// them stayed within the statements' own (lower) bound, and read them again otherwise.
    #[test]
    fn statements_share_the_decorators_the_summary_read_within_their_bound() {
        let decorators = |module: &PyModule| -> Vec<Vec<PyExpr>> {
            module
                .statements
                .iter()
                .filter_map(|s| match &s.kind {
                    syntax::StmtKind::Def { decorators, .. } => Some(decorators.clone()),
                    _ => None,
                })
                .collect()
        };
        let shallow = parse(
            "import azure.functions as func\napp = func.FunctionApp()\n@app.function_name(name=\"a\")\n@app.route(route=\"a/{id}\", methods=[\"GET\"], auth_level=func.AuthLevel.ANONYMOUS)\ndef a(req): pass\n",
        );
        assert_eq!(shallow.functions[0].decorators.len(), 2);
        assert!(shallow.functions[0].decorators_depth < 10);
        assert_eq!(
            decorators(&shallow),
            [shallow.functions[0].decorators.clone()]
        );
        // The summary reads all of it, the statements stop at their bound (as when they read it).
        let deep = parse(deep_text());
        let f = &deep.functions[0];
        assert!(f.decorators_depth > 48 && f.decorators_depth <= 64);
        let [read] = decorators(&deep).try_into().unwrap();
        assert_ne!(read, f.decorators);
        let tree = test_tree(deep_text());
        let decorator = tree
            .root_node()
            .named_child(0)
            .unwrap()
            .named_child(0)
            .unwrap();
        assert_eq!(
            read,
            [syntax::expr(
                decorator.named_child(0).unwrap(),
                deep_text(),
                0
            )]
        );
    }

    /// A decorator whose arguments nest 56 calls deep.
    fn deep_text() -> &'static str {
        static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        TEXT.get_or_init(|| {
            format!(
                "@app.route({}x{})\ndef b(req): pass\n",
                "f(".repeat(55),
                ")".repeat(55)
            )
        })
    }

    #[test]
    fn string_annotations_parse_as_expressions() {
        let e = parse_expression("typing.List[func.X]").unwrap();
        let ExprKind::Subscript { value, index } = &e.kind else {
            panic!("{e:?}");
        };
        assert_eq!(value.dotted().as_deref(), Some("typing.List"));
        assert_eq!(index.len(), 1);
        assert_eq!(index[0].dotted().as_deref(), Some("func.X"));
        let e = parse_expression("int | None").unwrap();
        let ExprKind::BitOr(l, r) = &e.kind else {
            panic!("{e:?}");
        };
        assert_eq!(l.dotted().as_deref(), Some("int"));
        assert_eq!(r.kind, ExprKind::None);
        assert_eq!(parse_expression("not valid ("), None);
    }

    /// The shared expression reader stops at its depth bound on long operator chains and nested
    /// calls, in annotations, decorators and base classes alike, on a 2 MB stack.
    #[test]
    fn deep_expressions_fit_a_small_stack() {
        let chain = vec!["int"; 20_000].join(" | ");
        let calls = format!("{}x{}", "f(".repeat(150), ")".repeat(150));
        let text = format!(
            "@{calls}\ndef main(a: {chain}) -> {chain}:\n    pass\n\nclass C({calls}, {chain}):\n    pass\n"
        );
        let module = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || parse(&text))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(module.functions.len(), 1);
        assert_eq!(module.classes[0].bases.len(), 2);
    }
}
