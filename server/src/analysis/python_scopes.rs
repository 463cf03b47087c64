//! Name uses inside one Python function, scope-aware, for navigation and renames: where a
//! parameter is read or rebound in the function's body, leaving out attributes (`x.name`),
//! keyword argument names (`f(name=1)`), strings, and nested scopes that shadow the name.
//!
//! The module summary (`python.rs`) does not keep the syntax tree, so this module parses the
//! file again on demand: a caller with several questions parses once ([`Syntax`]), and a fix
//! about one function parses only that function's text. Only editor requests and fixes call
//! it; the rules never do.

use crate::analysis::python::fields::{KindName, FIELDS};
use std::cell::RefCell;

use super::python::{node_text, range_of, PyFunction};
use super::text::TextRange;

thread_local! {
    static PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
}

/// Deeper syntax than this is not walked (the checker refuses such files anyway).
const MAX_DEPTH: u32 = 200;

/// A syntax tree of a module's text, parsed once by the caller and asked several questions (a
/// rename's uses, then its conflicts): either the whole module, or only the text of one
/// module-level function ([`Syntax::of_function`]), with node offsets in the module's text.
pub struct Syntax<'t> {
    text: &'t str,
    tree: tree_sitter::Tree,
}

impl<'t> Syntax<'t> {
    /// The whole module.
    pub fn of_module(text: &'t str) -> Option<Syntax<'t>> {
        let tree = parse_range(text, None)?;
        Some(Syntax { text, tree })
    }

    /// Enough of the module to answer questions about `function`: its own text from its `def`
    /// (its decorators are evaluated outside it) when it is a module-level definition (starting
    /// a line) that parses without error on its own, the whole module otherwise. A module of
    /// many functions is then not parsed again for each.
    pub fn of_function(text: &'t str, function: &PyFunction) -> Option<Syntax<'t>> {
        let (start, end) = (function.def_offset, function.range.end as usize);
        let starts_line = start == 0
            || matches!(
                text.as_bytes().get(start.wrapping_sub(1)),
                Some(b'\n' | b'\r')
            );
        if starts_line && start < end && end <= text.len() {
            if let Some(tree) = parse_range(text, Some(start..end)) {
                if !tree.root_node().has_error() {
                    return Some(Syntax { text, tree });
                }
            }
        }
        Self::of_module(text)
    }

    /// See [`parameter_uses`].
    pub fn parameter_uses(&self, function_name: TextRange, name: &str) -> Option<Vec<TextRange>> {
        parameter_uses_in(&self.tree, self.text, function_name, name)
    }

    /// See [`rename_conflicts`].
    pub fn rename_conflicts(&self, function_name: TextRange, old: &str, new: &str) -> bool {
        rename_uses_in(&self.tree, self.text, function_name, old, new).is_none()
    }

    /// The [`parameter_uses`] of `old` when renaming it to `new` conflicts with nothing
    /// ([`rename_conflicts`]), else `None`: one walk finds both.
    pub fn rename_uses(
        &self,
        function_name: TextRange,
        old: &str,
        new: &str,
    ) -> Option<Vec<TextRange>> {
        rename_uses_in(&self.tree, self.text, function_name, old, new)
    }

    /// See [`identifier_at`].
    pub fn identifier_at(&self, offset: usize) -> Option<(String, TextRange)> {
        identifier_at_in(&self.tree, self.text, offset)
    }
}

#[cfg(test)]
thread_local! {
    /// Bytes of Python [`parse_range`] parsed on this thread.
    pub(crate) static BYTES_PARSED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Parses `text`, or only its bytes in `range` (which starts a line) with node offsets still in
/// `text`.
fn parse_range(text: &str, range: Option<std::ops::Range<usize>>) -> Option<tree_sitter::Tree> {
    #[cfg(test)]
    BYTES_PARSED
        .with(|parsed| parsed.set(parsed.get() + range.as_ref().map_or(text.len(), |r| r.len())));
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&tree_sitter_python::LANGUAGE.into()).ok()?;
            *slot = Some(p);
        }
        let parser = slot.as_mut()?;
        let Some(range) = range else {
            parser.set_included_ranges(&[]).ok()?;
            // Same length as `text`, so node offsets index `text` as well.
            return parser.parse(&*super::python::lone_cr_as_newline(text), None);
        };
        // Only the range is read, so only its text is prepared, whatever comes before it: a fix
        // in each of thousands of functions of one module would otherwise go over the whole
        // module each time. Its rows count from its first line (the questions asked of the tree
        // are about bytes); its first column is 0, so tree-sitter never reads before it.
        let own = super::python::lone_cr_as_newline(text.get(range.clone())?);
        let end = tree_sitter::Point::new(
            memchr::memchr_iter(b'\n', own.as_bytes()).count(),
            own.len() - memchr::memrchr(b'\n', own.as_bytes()).map_or(0, |i| i + 1),
        );
        parser
            .set_included_ranges(&[tree_sitter::Range {
                start_byte: range.start,
                end_byte: range.end,
                start_point: tree_sitter::Point::new(0, 0),
                end_point: end,
            }])
            .ok()?;
        let bytes = own.as_bytes();
        parser.parse_with_options(
            &mut |offset, _| match offset.checked_sub(range.start) {
                Some(at) if at < bytes.len() => &bytes[at..],
                _ => &[],
            },
            None,
            None,
        )
    })
}

/// The `function_definition` node whose name is at `name_range`.
fn function_node<'t>(
    tree: &'t tree_sitter::Tree,
    name_range: TextRange,
) -> Option<tree_sitter::Node<'t>> {
    let ident = tree
        .root_node()
        .descendant_for_byte_range(name_range.start as usize, name_range.end as usize)?;
    let def = ident.parent()?;
    (def.kind_name() == "function_definition" && range_of(ident) == name_range).then_some(def)
}

/// Every place where `name` refers to the parameter `name` of the function whose name is at
/// `function_name` in `text`: the parameter itself, then its reads and rebindings in the body
/// (nested functions, lambdas, classes and comprehensions included unless they shadow it), in
/// source order. `None` when the function or the parameter is not found.
pub fn parameter_uses(text: &str, function_name: TextRange, name: &str) -> Option<Vec<TextRange>> {
    Syntax::of_module(text)?.parameter_uses(function_name, name)
}

fn parameter_uses_in(
    tree: &tree_sitter::Tree,
    text: &str,
    function_name: TextRange,
    name: &str,
) -> Option<Vec<TextRange>> {
    let def = function_node(tree, function_name)?;
    let params = def.child_by_field_id(FIELDS.parameters)?;
    let mut out = Vec::new();
    let mut cursor = params.walk();
    for p in params.named_children(&mut cursor) {
        if let Some(ident) = param_identifier(p) {
            if node_text(ident, text) == name {
                out.push(range_of(ident));
            }
        }
    }
    if out.is_empty() {
        return None;
    }
    if let Some(body) = def.child_by_field_id(FIELDS.body) {
        Walker::new(text, name, body, &mut out).visit(body, 0);
    }
    out.sort();
    out.dedup();
    Some(out)
}

/// Whether renaming the parameter `old` of the function whose name is at `function_name` to
/// `new` would change what a name means: `new` is already a parameter or local of the function,
/// is read there (a global, a builtin, an import), or is bound by a nested scope that uses `old`.
/// `true` when the function cannot be found.
pub fn rename_conflicts(text: &str, function_name: TextRange, old: &str, new: &str) -> bool {
    match Syntax::of_module(text) {
        Some(syntax) => syntax.rename_conflicts(function_name, old, new),
        None => true,
    }
}

/// The uses of `old` to rename, `None` when renaming it to `new` conflicts.
fn rename_uses_in(
    tree: &tree_sitter::Tree,
    text: &str,
    function_name: TextRange,
    old: &str,
    new: &str,
) -> Option<Vec<TextRange>> {
    let def = function_node(tree, function_name)?;
    let params = def.child_by_field_id(FIELDS.parameters);
    if params_declare(params, text, new) {
        return None;
    }
    let mut existing = Vec::new();
    if let Some(body) = def.child_by_field_id(FIELDS.body) {
        Walker::new(text, new, body, &mut existing).visit(body, 0);
    }
    if !existing.is_empty() {
        return None;
    }
    // A use of `old` inside a nested scope that binds `new` would be captured by it.
    let uses = parameter_uses_in(tree, text, function_name, old)?;
    for range in &uses {
        let Some(mut node) = tree
            .root_node()
            .descendant_for_byte_range(range.start as usize, range.end as usize)
        else {
            continue;
        };
        while let Some(parent) = node.parent() {
            if parent.id() == def.id() {
                break;
            }
            if scope_binds(parent, text, new) {
                return None;
            }
            node = parent;
        }
    }
    Some(uses)
}

/// The offsets (plus `base`) where `name` occurs in `text` other than inside a longer ASCII
/// identifier: every identifier `name` starts at one of them.
fn word_offsets(text: &str, name: &str, base: usize) -> Vec<usize> {
    if name.is_empty() {
        return Vec::new();
    }
    let bytes = text.as_bytes();
    let continues = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    memchr::memmem::find_iter(bytes, name.as_bytes())
        .filter(|&i| {
            !continues(i.checked_sub(1).and_then(|before| bytes.get(before)))
                && !continues(bytes.get(i + name.len()))
        })
        .map(|i| base + i)
        .collect()
}

/// Whether a scope node (a function, lambda, class or comprehension) binds `name` for its body.
fn scope_binds(node: tree_sitter::Node, src: &str, name: &str) -> bool {
    match node.kind_name() {
        "function_definition" | "lambda" => {
            params_declare(node.child_by_field_id(FIELDS.parameters), src, name)
                || node
                    .child_by_field_id(FIELDS.body)
                    .filter(|b| b.kind_name() == "block")
                    .is_some_and(|b| body_view(b, src, name) == ScopeView::Shadowed)
        }
        "class_definition" => node
            .child_by_field_id(FIELDS.body)
            .is_some_and(|b| body_view(b, src, name) == ScopeView::Shadowed),
        "list_comprehension"
        | "set_comprehension"
        | "dictionary_comprehension"
        | "generator_expression" => {
            let mut cursor = node.walk();
            let found = node
                .named_children(&mut cursor)
                .filter(|c| c.kind_name() == "for_in_clause")
                .any(|c| {
                    c.child_by_field_id(FIELDS.left)
                        .is_some_and(|l| target_binds(l, src, name))
                });
            found
        }
        _ => false,
    }
}

/// The identifier under the cursor (touching `offset`), with its range.
pub fn identifier_at(text: &str, offset: usize) -> Option<(String, TextRange)> {
    Syntax::of_module(text)?.identifier_at(offset)
}

fn identifier_at_in(
    tree: &tree_sitter::Tree,
    text: &str,
    offset: usize,
) -> Option<(String, TextRange)> {
    let root = tree.root_node();
    for at in [offset, offset.saturating_sub(1)] {
        let Some(n) = root.descendant_for_byte_range(at, at) else {
            continue;
        };
        if n.kind_name() == "identifier" && range_of(n).touches(offset) {
            return Some((node_text(n, text).to_string(), range_of(n)));
        }
    }
    None
}

/// Every identifier `name` in the module `text` except attribute names (`x.name`) and keyword
/// argument names (`f(name=1)`), in any scope: where a module-level name may be read or bound.
/// `None` when the file cannot be parsed or nests deeper than the walk goes.
pub fn module_name_uses(text: &str, name: &str) -> Option<Vec<TextRange>> {
    if !text.contains(name) {
        return Some(Vec::new());
    }
    let tree = parse_range(text, None)?;
    let mut out = Vec::new();
    let mut stack = vec![(tree.root_node(), 0u32)];
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return None;
        }
        if node.kind_name() == "identifier" && node_text(node, text) == name {
            let parent = node.parent();
            let field_of = |field: &str| {
                parent
                    .and_then(|p| p.child_by_field_name(field))
                    .is_some_and(|n| n.id() == node.id())
            };
            let is_attribute =
                parent.is_some_and(|p| p.kind_name() == "attribute") && field_of("attribute");
            let is_keyword =
                parent.is_some_and(|p| p.kind_name() == "keyword_argument") && field_of("name");
            if !is_attribute && !is_keyword {
                out.push(range_of(node));
            }
        }
        let mut cursor = node.walk();
        for c in node.children(&mut cursor) {
            stack.push((c, depth + 1));
        }
    }
    out.sort();
    Some(out)
}

/// The identifier a parameter node declares (`x`, `x: T`, `x=1`, `*x`, `**x`).
fn param_identifier(p: tree_sitter::Node) -> Option<tree_sitter::Node> {
    match p.kind_name() {
        "identifier" => Some(p),
        "default_parameter" | "typed_default_parameter" => p
            .child_by_field_id(FIELDS.name)
            .filter(|n| n.kind_name() == "identifier"),
        "typed_parameter" => {
            let first = p.named_child(0)?;
            match first.kind_name() {
                "identifier" => Some(first),
                "list_splat_pattern" | "dictionary_splat_pattern" => first
                    .named_child(0)
                    .filter(|n| n.kind_name() == "identifier"),
                _ => None,
            }
        }
        "list_splat_pattern" | "dictionary_splat_pattern" => {
            p.named_child(0).filter(|n| n.kind_name() == "identifier")
        }
        _ => None,
    }
}

/// Whether a parameter list (`parameters` or `lambda_parameters`) declares `name`.
fn params_declare(params: Option<tree_sitter::Node>, src: &str, name: &str) -> bool {
    let Some(params) = params else { return false };
    let mut cursor = params.walk();
    let found = params
        .named_children(&mut cursor)
        .filter_map(param_identifier)
        .any(|i| node_text(i, src) == name);
    found
}

/// Whether an assignment target binds `name` (`name = …`, `a, name = …`, `*name = …`; not
/// `x.name = …` or `x[name] = …`).
fn target_binds(node: tree_sitter::Node, src: &str, name: &str) -> bool {
    target_binds_at(node, src, name, 0)
}

fn target_binds_at(node: tree_sitter::Node, src: &str, name: &str, depth: u32) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match node.kind_name() {
        "identifier" => node_text(node, src) == name,
        "tuple_pattern"
        | "list_pattern"
        | "pattern_list"
        | "list_splat_pattern"
        | "as_pattern_target"
        | "parenthesized_expression"
        | "tuple"
        | "list"
        | "expression_list" => {
            let mut cursor = node.walk();
            let found = node
                .named_children(&mut cursor)
                .any(|c| target_binds_at(c, src, name, depth + 1));
            found
        }
        _ => false,
    }
}

/// How a nested scope treats `name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScopeView {
    /// The scope does not bind it: uses refer to the enclosing function's variable.
    Free,
    /// The scope binds it (a local, a parameter, or a `global` declaration).
    Shadowed,
}

/// Whether the statements of a scope's body bind `name` (not counting nested scopes' bodies).
fn body_view(body: tree_sitter::Node, src: &str, name: &str) -> ScopeView {
    let mut stack = vec![(body, 0u32)];
    let mut bound = false;
    while let Some((n, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return ScopeView::Shadowed;
        }
        match n.kind_name() {
            "nonlocal_statement" => {
                let mut cursor = n.walk();
                if n.named_children(&mut cursor)
                    .any(|i| node_text(i, src) == name)
                {
                    return ScopeView::Free;
                }
                continue;
            }
            "global_statement" => {
                let mut cursor = n.walk();
                if n.named_children(&mut cursor)
                    .any(|i| node_text(i, src) == name)
                {
                    return ScopeView::Shadowed;
                }
                continue;
            }
            "function_definition" | "class_definition" => {
                if n.child_by_field_id(FIELDS.name)
                    .is_some_and(|i| node_text(i, src) == name)
                {
                    bound = true;
                }
                // Decorators, defaults and annotations are part of this scope but rarely bind;
                // the nested body is its own scope.
                continue;
            }
            "lambda"
            | "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression" => continue,
            "assignment" | "augmented_assignment" | "for_statement" => {
                bound |= n
                    .child_by_field_id(FIELDS.left)
                    .is_some_and(|l| target_binds(l, src, name));
            }
            "named_expression" => {
                bound |= n
                    .child_by_field_id(FIELDS.name)
                    .is_some_and(|l| node_text(l, src) == name);
            }
            "as_pattern" | "except_clause" => {
                bound |= n
                    .child_by_field_id(FIELDS.alias)
                    .is_some_and(|l| target_binds(l, src, name));
            }
            "delete_statement" => {
                let mut cursor = n.walk();
                bound |= n
                    .named_children(&mut cursor)
                    .any(|c| target_binds(c, src, name));
            }
            "import_statement" | "import_from_statement" => {
                let mut cursor = n.walk();
                for c in n.children_by_field_name("name", &mut cursor) {
                    let bound_name = match c.kind_name() {
                        "aliased_import" => c.child_by_field_id(FIELDS.alias),
                        "dotted_name" => c.named_child(0),
                        _ => None,
                    };
                    if bound_name.is_some_and(|b| node_text(b, src) == name) {
                        bound = true;
                    }
                }
                continue;
            }
            _ => {}
        }
        let mut cursor = n.walk();
        for c in n.named_children(&mut cursor) {
            stack.push((c, depth + 1));
        }
    }
    if bound {
        ScopeView::Shadowed
    } else {
        ScopeView::Free
    }
}

/// Collects the uses of `name` that refer to the variable of the scope being walked.
struct Walker<'a, 'o> {
    src: &'a str,
    name: &'a str,
    /// Where `name` stands as a whole word in the walked node's text, in order: a subtree
    /// without one holds no use, and is not walked.
    words: Vec<usize>,
    out: &'o mut Vec<TextRange>,
}

impl<'a, 'o> Walker<'a, 'o> {
    /// A walker of `within` and its descendants.
    fn new(
        src: &'a str,
        name: &'a str,
        within: tree_sitter::Node,
        out: &'o mut Vec<TextRange>,
    ) -> Self {
        let range = within.byte_range();
        let words = src
            .get(range.clone())
            .map(|text| word_offsets(text, name, range.start))
            .unwrap_or_default();
        Walker {
            src,
            name,
            words,
            out,
        }
    }

    /// Whether `node`'s text holds `name` as a whole word.
    fn mentions(&self, node: tree_sitter::Node) -> bool {
        let first = self.words.partition_point(|&w| w < node.start_byte());
        self.words
            .get(first)
            .is_some_and(|&w| w + self.name.len() <= node.end_byte())
    }

    fn children(&mut self, node: tree_sitter::Node, depth: u32) {
        let mut cursor = node.walk();
        for c in node.named_children(&mut cursor) {
            self.visit(c, depth + 1);
        }
    }

    fn field(&mut self, node: tree_sitter::Node, field: u16, depth: u32) {
        let Some(field) = std::num::NonZeroU16::new(field) else {
            return;
        };
        let mut cursor = node.walk();
        for c in node.children_by_field_id(field, &mut cursor) {
            self.visit(c, depth + 1);
        }
    }

    fn visit(&mut self, node: tree_sitter::Node, depth: u32) {
        if depth > MAX_DEPTH || !self.mentions(node) {
            return;
        }
        match node.kind_name() {
            "identifier" => {
                if node_text(node, self.src) == self.name {
                    self.out.push(range_of(node));
                }
            }
            // `x.name`: only `x` is a name.
            "attribute" => self.field(node, FIELDS.object, depth),
            // `f(name=1)`: the keyword is not a name.
            "keyword_argument" => self.field(node, FIELDS.value, depth),
            // Walked only where the name is ours, so `nonlocal name` names our variable.
            "nonlocal_statement" => self.children(node, depth),
            "global_statement"
            | "import_statement"
            | "import_from_statement"
            | "future_import_statement"
            | "keyword_pattern" => {}
            "decorated_definition" => {
                let mut cursor = node.walk();
                for c in node.named_children(&mut cursor) {
                    if c.kind_name() == "decorator" {
                        self.children(c, depth);
                    } else {
                        self.visit(c, depth + 1);
                    }
                }
            }
            "function_definition" => self.nested_function(node, depth, true),
            "lambda" => {
                let params = node.child_by_field_id(FIELDS.parameters);
                if let Some(params) = params {
                    self.param_defaults(params, depth);
                }
                if !params_declare(params, self.src, self.name) {
                    self.field(node, FIELDS.body, depth);
                }
            }
            "class_definition" => {
                if let Some(n) = node.child_by_field_id(FIELDS.name) {
                    self.visit(n, depth + 1);
                }
                self.field(node, FIELDS.superclasses, depth);
                if let Some(body) = node.child_by_field_id(FIELDS.body) {
                    self.class_body(body, depth);
                }
            }
            "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression" => {
                let mut cursor = node.walk();
                let clauses: Vec<_> = node
                    .named_children(&mut cursor)
                    .filter(|c| c.kind_name() == "for_in_clause")
                    .collect();
                let shadowed = clauses.iter().any(|c| {
                    c.child_by_field_id(FIELDS.left)
                        .is_some_and(|l| target_binds(l, self.src, self.name))
                });
                if shadowed {
                    // Only the first iterable is evaluated in the enclosing scope.
                    if let Some(first) = clauses.first() {
                        self.field(*first, FIELDS.right, depth);
                    }
                } else {
                    self.children(node, depth);
                }
            }
            _ => self.children(node, depth),
        }
    }

    /// Defaults and annotations of a parameter list: evaluated in the enclosing scope.
    fn param_defaults(&mut self, params: tree_sitter::Node, depth: u32) {
        let mut cursor = params.walk();
        for p in params.named_children(&mut cursor) {
            match p.kind_name() {
                "default_parameter" => self.field(p, FIELDS.value, depth),
                "typed_default_parameter" => {
                    self.field(p, FIELDS.type_, depth);
                    self.field(p, FIELDS.value, depth);
                }
                "typed_parameter" => self.field(p, FIELDS.type_, depth),
                _ => {}
            }
        }
    }

    /// A `def` inside the scope being walked: its name binds here (when `binds_here`), its
    /// defaults, annotations are evaluated here, and its body sees our variable unless it binds
    /// the name itself.
    fn nested_function(&mut self, node: tree_sitter::Node, depth: u32, binds_here: bool) {
        if binds_here {
            if let Some(n) = node.child_by_field_id(FIELDS.name) {
                self.visit(n, depth + 1);
            }
        }
        let params = node.child_by_field_id(FIELDS.parameters);
        if let Some(params) = params {
            self.param_defaults(params, depth);
        }
        self.field(node, FIELDS.return_type, depth);
        if params_declare(params, self.src, self.name) {
            return;
        }
        if let Some(body) = node.child_by_field_id(FIELDS.body) {
            if body_view(body, self.src, self.name) == ScopeView::Free {
                self.visit(body, depth + 1);
            }
        }
    }

    /// A class body: class-level names are the class's own; methods see the enclosing function.
    fn class_body(&mut self, body: tree_sitter::Node, depth: u32) {
        let shadowed = body_view(body, self.src, self.name) == ScopeView::Shadowed;
        let mut cursor = body.walk();
        let statements: Vec<_> = body.named_children(&mut cursor).collect();
        for s in statements {
            let def = match s.kind_name() {
                "function_definition" => Some(s),
                "decorated_definition" => s
                    .child_by_field_id(FIELDS.definition)
                    .filter(|d| d.kind_name() == "function_definition"),
                _ => None,
            };
            match def {
                Some(def) => {
                    if !shadowed {
                        if s.kind_name() == "decorated_definition" {
                            let mut c = s.walk();
                            let decorators: Vec<_> = s
                                .named_children(&mut c)
                                .filter(|d| d.kind_name() == "decorator")
                                .collect();
                            for d in decorators {
                                self.children(d, depth);
                            }
                        }
                        if let Some(params) = def.child_by_field_id(FIELDS.parameters) {
                            self.param_defaults(params, depth);
                        }
                        self.field(def, FIELDS.return_type, depth);
                    }
                    let params = def.child_by_field_id(FIELDS.parameters);
                    if params_declare(params, self.src, self.name) {
                        continue;
                    }
                    if let Some(b) = def.child_by_field_id(FIELDS.body) {
                        if body_view(b, self.src, self.name) == ScopeView::Free {
                            self.visit(b, depth + 1);
                        }
                    }
                }
                None if !shadowed => self.visit(s, depth + 1),
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_skips_only_text_where_the_name_cannot_be_an_identifier() {
        // Inside a longer ASCII identifier, never; next to a non-ASCII letter, kept (it may
        // belong to the identifier or not: the tree decides).
        let text = "request req _req req2 \u{e9}req (req)";
        assert_eq!(word_offsets(text, "req", 100), vec![108, 124, 129]);
        assert_eq!(word_offsets(text, "", 0), Vec::<usize>::new());
    }

    /// Marks every use `parameter_uses` finds with `[..]`.
    fn marked(text: &str, function: &str, name: &str) -> String {
        let at = text.find(&format!("def {function}(")).unwrap() + 4;
        let range = TextRange::new(at, at + function.len());
        let uses = parameter_uses(text, range, name).unwrap();
        let mut out = String::new();
        let mut last = 0;
        for r in uses {
            out.push_str(&text[last..r.start as usize]);
            out.push('[');
            out.push_str(&text[r.as_usize()]);
            out.push(']');
            last = r.end as usize;
        }
        out.push_str(&text[last..]);
        out
    }

    #[test]
    fn a_module_read_again_is_the_same_and_a_changed_one_is_parsed_again() {
        let first = "def main(req):\n    return req\n";
        // Same length, another layout: a stale tree would put the uses elsewhere.
        let second = "def main(req):\n  x = 1; req()\n";
        assert_eq!(first.len(), second.len());
        for _ in 0..2 {
            assert_eq!(
                marked(first, "main", "req"),
                "def main([req]):\n    return [req]\n"
            );
        }
        assert_eq!(
            marked(second, "main", "req"),
            "def main([req]):\n  x = 1; [req]()\n"
        );
        assert_eq!(
            marked(first, "main", "req"),
            "def main([req]):\n    return [req]\n"
        );
    }

    #[test]
    fn uses_respect_scopes() {
        let text = r#"req = 1
def main(req: func.HttpRequest, other=req) -> str:
    body = req.get_body()
    log(req=req, text="req", f=f"{req.url}")
    obj.req = 2
    def inner(x):
        return req.params
    def shadow(req):
        return req
    def local():
        req = 3
        return req
    def uses_nonlocal():
        nonlocal req
        req = 4
    square = [req for req in items]
    first = [x for x in req]
    later = [req for x in items]
    fn = lambda req: req
    fn2 = lambda: req
    class C:
        req = 5
        def method(self):
            return req
    req = req.strip()
    return req
"#;
        expect_test::expect![[r#"
            req = 1
            def main([req]: func.HttpRequest, other=req) -> str:
                body = [req].get_body()
                log(req=[req], text="req", f=f"{[req].url}")
                obj.req = 2
                def inner(x):
                    return [req].params
                def shadow(req):
                    return req
                def local():
                    req = 3
                    return req
                def uses_nonlocal():
                    nonlocal [req]
                    [req] = 4
                square = [req for req in items]
                first = [x for x in [req]]
                later = [[req] for x in items]
                fn = lambda req: req
                fn2 = lambda: [req]
                class C:
                    req = 5
                    def method(self):
                        return [req]
                [req] = [req].strip()
                return [req]
        "#]]
        .assert_eq(&marked(text, "main", "req"));
    }

    /// Every function of `text` that the summary finds, asked through its own text and through
    /// the whole module: the same answers.
    fn same_through_the_function_alone(text: &str, names: &[&str]) {
        let module = crate::analysis::python::parse(text);
        assert!(module.functions.len() >= 3);
        let whole = Syntax::of_module(text).unwrap();
        for f in &module.functions {
            let alone = Syntax::of_function(text, f).unwrap();
            let params: Vec<&str> = f.params.iter().map(|p| p.name.as_str()).collect();
            for old in names.iter().chain(&params) {
                assert_eq!(
                    alone.parameter_uses(f.name_range, old),
                    whole.parameter_uses(f.name_range, old),
                    "{} {old}",
                    f.name
                );
                for new in names {
                    assert_eq!(
                        alone.rename_conflicts(f.name_range, old, new),
                        whole.rename_conflicts(f.name_range, old, new),
                        "{} {old} -> {new}",
                        f.name
                    );
                }
            }
        }
    }

    #[test]
    fn a_function_parsed_alone_answers_as_the_whole_module() {
        let text = concat!(
            "import json\r\nx = 1\ry = 2\n\n",
            "@app.route(route=\"a\")\n@other\ndef a(req, msg):\n",
            "    \"\"\"doc\n    req\"\"\"\n    return json.dumps(req) + x\n\n",
            "async def b(msg, \\\n    other=x):\r    f = lambda x: msg\r",
            "    return [msg for msg in other]\n\n",
            "class C:\n    def __init__(self, msg):\n        self.msg = msg\n\n",
            "def c(x, *args, **kw): return x\n",
            "def d(req):\n    return f\"{req}\" + req",
        );
        same_through_the_function_alone(
            text,
            &["req", "msg", "x", "json", "other", "f", "args", "nope"],
        );
    }

    #[test]
    fn a_module_level_function_is_parsed_without_the_rest_of_its_module() {
        let text = "def a(req):\n    return req\n\ndef b(msg):\n    return msg\n";
        let module = crate::analysis::python::parse(text);
        let b = module.functions.iter().find(|f| f.name == "b").unwrap();
        let alone = Syntax::of_function(text, b).unwrap();
        let root = alone.tree.root_node();
        assert_eq!(root.start_byte(), b.range.start as usize);
        assert!(root.end_byte() <= b.range.end as usize);
        // A decorated one from its `def`: the decorators are not parsed again.
        let decorated = "@app.route(route=\"r\")\n@app.other()\ndef r(req):\n    return req\n";
        let module = crate::analysis::python::parse(decorated);
        let r = &module.functions[0];
        assert_eq!(r.range.start, 0);
        let from_def = Syntax::of_function(decorated, r).unwrap();
        assert_eq!(from_def.tree.root_node().start_byte(), r.def_offset);
        assert_eq!(
            from_def.parameter_uses(r.name_range, "req").unwrap().len(),
            2
        );
        let start = b.range.start as usize;
        let param = start + "def b(".len();
        let read = text.rfind("msg").unwrap();
        assert_eq!(
            alone.parameter_uses(b.name_range, "msg").unwrap(),
            vec![
                TextRange::new(param, param + 3),
                TextRange::new(read, read + 3)
            ]
        );
        // A method does not start a line at module level: the whole module is parsed.
        let text = "class C:\n    def __init__(self, msg):\n        self.msg = msg\n";
        let module = crate::analysis::python::parse(text);
        let init = &module.functions[0];
        let whole = Syntax::of_function(text, init).unwrap();
        assert_eq!(whole.tree.root_node().start_byte(), 0);
        assert_eq!(
            whole.parameter_uses(init.name_range, "msg").unwrap().len(),
            2
        );
    }

    #[test]
    fn conflicts_and_identifiers() {
        let text = "import json\ndef main(msg, other):\n    f = lambda x: msg\n    g = lambda msg: msg\n    return json.dumps(msg)\n";
        let at = text.find("main").unwrap();
        let name = TextRange::new(at, at + 4);
        assert!(rename_conflicts(text, name, "msg", "json"));
        assert!(rename_conflicts(text, name, "msg", "other"));
        assert!(rename_conflicts(text, name, "msg", "f"));
        assert!(rename_conflicts(text, name, "msg", "x"));
        assert!(!rename_conflicts(text, name, "msg", "request"));
        assert!(rename_conflicts(text, name, "other", "msg"));
        let dumps = text.find("dumps").unwrap() + 2;
        assert_eq!(identifier_at(text, dumps).unwrap().0, "dumps");
        assert_eq!(parameter_uses(text, name, "nope"), None);
    }
}
