//! Name uses inside one Python function, scope-aware, for navigation and renames: where a
//! parameter is read or rebound in the function's body, leaving out attributes (`x.name`),
//! keyword argument names (`f(name=1)`), strings, and nested scopes that shadow the name.
//!
//! The module summary (`python.rs`) does not keep the syntax tree, so this module parses the
//! file again on demand. Only editor requests and fixes call it; the checker never does.

use crate::analysis::python::fields::FIELDS;
use std::cell::RefCell;

use super::python::{node_text, range_of};
use super::text::TextRange;

thread_local! {
    static PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
    /// The last text parsed on this thread and its tree: the fixes of many findings in one
    /// module (a rename's uses, then its conflicts) read the same module, parsed once.
    static LAST: RefCell<Option<(Box<str>, tree_sitter::Tree)>> = const { RefCell::new(None) };
}

/// Deeper syntax than this is not walked (the checker refuses such files anyway).
const MAX_DEPTH: u32 = 200;

fn parse(text: &str) -> Option<tree_sitter::Tree> {
    let known = LAST.with_borrow(|last| {
        last.as_ref()
            .filter(|(seen, _)| **seen == *text)
            .map(|(_, tree)| tree.clone())
    });
    if known.is_some() {
        return known;
    }
    let tree = parse_anew(text)?;
    LAST.set(Some((text.into(), tree.clone())));
    Some(tree)
}

fn parse_anew(text: &str) -> Option<tree_sitter::Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&tree_sitter_python::LANGUAGE.into()).ok()?;
            *slot = Some(p);
        }
        // Same length as `text`, so node offsets index `text` as well.
        slot.as_mut()?
            .parse(&*super::python::lone_cr_as_newline(text), None)
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
    (def.kind() == "function_definition" && range_of(ident) == name_range).then_some(def)
}

/// Every place where `name` refers to the parameter `name` of the function whose name is at
/// `function_name` in `text`: the parameter itself, then its reads and rebindings in the body
/// (nested functions, lambdas, classes and comprehensions included unless they shadow it), in
/// source order. `None` when the function or the parameter is not found.
pub fn parameter_uses(text: &str, function_name: TextRange, name: &str) -> Option<Vec<TextRange>> {
    let tree = parse(text)?;
    let def = function_node(&tree, function_name)?;
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
        let mut walker = Walker {
            src: text,
            name,
            out: &mut out,
        };
        walker.visit(body, 0);
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
    let Some(tree) = parse(text) else {
        return true;
    };
    let Some(def) = function_node(&tree, function_name) else {
        return true;
    };
    let params = def.child_by_field_id(FIELDS.parameters);
    if params_declare(params, text, new) {
        return true;
    }
    let mut existing = Vec::new();
    if let Some(body) = def.child_by_field_id(FIELDS.body) {
        let mut walker = Walker {
            src: text,
            name: new,
            out: &mut existing,
        };
        walker.visit(body, 0);
    }
    if !existing.is_empty() {
        return true;
    }
    // A use of `old` inside a nested scope that binds `new` would be captured by it.
    let Some(uses) = parameter_uses(text, function_name, old) else {
        return true;
    };
    for range in uses {
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
                return true;
            }
            node = parent;
        }
    }
    false
}

/// Whether a scope node (a function, lambda, class or comprehension) binds `name` for its body.
fn scope_binds(node: tree_sitter::Node, src: &str, name: &str) -> bool {
    match node.kind() {
        "function_definition" | "lambda" => {
            params_declare(node.child_by_field_id(FIELDS.parameters), src, name)
                || node
                    .child_by_field_id(FIELDS.body)
                    .filter(|b| b.kind() == "block")
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
                .filter(|c| c.kind() == "for_in_clause")
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
    let tree = parse(text)?;
    let root = tree.root_node();
    for at in [offset, offset.saturating_sub(1)] {
        let Some(n) = root.descendant_for_byte_range(at, at) else {
            continue;
        };
        if n.kind() == "identifier" && range_of(n).touches(offset) {
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
    let tree = parse(text)?;
    let mut out = Vec::new();
    let mut stack = vec![(tree.root_node(), 0u32)];
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return None;
        }
        if node.kind() == "identifier" && node_text(node, text) == name {
            let parent = node.parent();
            let field_of = |field: &str| {
                parent
                    .and_then(|p| p.child_by_field_name(field))
                    .is_some_and(|n| n.id() == node.id())
            };
            let is_attribute =
                parent.is_some_and(|p| p.kind() == "attribute") && field_of("attribute");
            let is_keyword =
                parent.is_some_and(|p| p.kind() == "keyword_argument") && field_of("name");
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
    match p.kind() {
        "identifier" => Some(p),
        "default_parameter" | "typed_default_parameter" => p
            .child_by_field_id(FIELDS.name)
            .filter(|n| n.kind() == "identifier"),
        "typed_parameter" => {
            let first = p.named_child(0)?;
            match first.kind() {
                "identifier" => Some(first),
                "list_splat_pattern" | "dictionary_splat_pattern" => {
                    first.named_child(0).filter(|n| n.kind() == "identifier")
                }
                _ => None,
            }
        }
        "list_splat_pattern" | "dictionary_splat_pattern" => {
            p.named_child(0).filter(|n| n.kind() == "identifier")
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
    match node.kind() {
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
        match n.kind() {
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
                    let bound_name = match c.kind() {
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
    out: &'o mut Vec<TextRange>,
}

impl Walker<'_, '_> {
    fn children(&mut self, node: tree_sitter::Node, depth: u32) {
        let mut cursor = node.walk();
        let children: Vec<_> = node.named_children(&mut cursor).collect();
        for c in children {
            self.visit(c, depth + 1);
        }
    }

    fn field(&mut self, node: tree_sitter::Node, field: &str, depth: u32) {
        let mut cursor = node.walk();
        let children: Vec<_> = node.children_by_field_name(field, &mut cursor).collect();
        for c in children {
            self.visit(c, depth + 1);
        }
    }

    fn visit(&mut self, node: tree_sitter::Node, depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        match node.kind() {
            "identifier" => {
                if node_text(node, self.src) == self.name {
                    self.out.push(range_of(node));
                }
            }
            // `x.name`: only `x` is a name.
            "attribute" => self.field(node, "object", depth),
            // `f(name=1)`: the keyword is not a name.
            "keyword_argument" => self.field(node, "value", depth),
            // Walked only where the name is ours, so `nonlocal name` names our variable.
            "nonlocal_statement" => self.children(node, depth),
            "global_statement"
            | "import_statement"
            | "import_from_statement"
            | "future_import_statement"
            | "keyword_pattern" => {}
            "decorated_definition" => {
                let mut cursor = node.walk();
                let children: Vec<_> = node.named_children(&mut cursor).collect();
                for c in children {
                    if c.kind() == "decorator" {
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
                    self.field(node, "body", depth);
                }
            }
            "class_definition" => {
                if let Some(n) = node.child_by_field_id(FIELDS.name) {
                    self.visit(n, depth + 1);
                }
                self.field(node, "superclasses", depth);
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
                    .filter(|c| c.kind() == "for_in_clause")
                    .collect();
                let shadowed = clauses.iter().any(|c| {
                    c.child_by_field_id(FIELDS.left)
                        .is_some_and(|l| target_binds(l, self.src, self.name))
                });
                if shadowed {
                    // Only the first iterable is evaluated in the enclosing scope.
                    if let Some(first) = clauses.first() {
                        self.field(*first, "right", depth);
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
        let list: Vec<_> = params.named_children(&mut cursor).collect();
        for p in list {
            match p.kind() {
                "default_parameter" => self.field(p, "value", depth),
                "typed_default_parameter" => {
                    self.field(p, "type", depth);
                    self.field(p, "value", depth);
                }
                "typed_parameter" => self.field(p, "type", depth),
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
        self.field(node, "return_type", depth);
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
            let def = match s.kind() {
                "function_definition" => Some(s),
                "decorated_definition" => s
                    .child_by_field_id(FIELDS.definition)
                    .filter(|d| d.kind() == "function_definition"),
                _ => None,
            };
            match def {
                Some(def) => {
                    if !shadowed {
                        if s.kind() == "decorated_definition" {
                            let mut c = s.walk();
                            let decorators: Vec<_> = s
                                .named_children(&mut c)
                                .filter(|d| d.kind() == "decorator")
                                .collect();
                            for d in decorators {
                                self.children(d, depth);
                            }
                        }
                        if let Some(params) = def.child_by_field_id(FIELDS.parameters) {
                            self.param_defaults(params, depth);
                        }
                        self.field(def, "return_type", depth);
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
