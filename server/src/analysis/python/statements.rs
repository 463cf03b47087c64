//! The module-level statements of a module, walked in order: the names each binds, imports,
//! classes and functions with their signatures, constant conditions, and code that fails the
//! import.

use crate::analysis::python::fields::{KindName, FIELDS};
use crate::analysis::text::Needle;
use std::collections::HashMap;

use super::expr::{annotation, expr, expr_with_depth, read_params, MAX_EXPR_DEPTH};
use super::reuse::{Bound, Item, Previous};
use super::{
    named_children, node_text, range_of, Import, ImportFailure, ImportFailureKind, ImportedName,
    LiteralKind, NameDef, NameKind, PyClass, PyExpr, PyFunction, PyModule, PySyntaxError,
    TextRange,
};

#[derive(Clone, Copy, Default)]
pub(super) struct Ctx {
    conditional: bool,
    type_checking: bool,
}

pub(super) struct ModuleWalker<'a, 'm> {
    src: &'a str,
    module: &'m mut PyModule,
    /// Module-level names currently bound to a literal, for folding `if` conditions.
    constants: HashMap<String, Const>,
    /// The module manipulates its namespace dynamically (`globals()`, `exec`), so undefined
    /// names cannot be judged.
    dynamic_names: bool,
    /// Current nesting of blocks and definitions being walked.
    depth: u32,
    /// `if` statements (by start offset) whose condition folded to a constant.
    folded: HashMap<usize, bool>,
    /// The previous summary of the file, whose unchanged definitions are re-used.
    previous: Option<Previous<'a>>,
    /// How many times the walk stopped at the nesting limit (a definition that did is never
    /// re-used, since the error it reports depends on what came before).
    too_deep_count: u32,
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

/// A module whose text holds one of these may bind names no statement shows.
static DYNAMIC_NAMES: [Needle; 3] = [
    Needle::new("globals()"),
    Needle::new("exec("),
    Needle::new("__builtins__"),
];

impl<'a, 'm> ModuleWalker<'a, 'm> {
    pub(super) fn new(
        src: &'a str,
        module: &'m mut PyModule,
        previous: Option<Previous<'a>>,
    ) -> ModuleWalker<'a, 'm> {
        ModuleWalker {
            src,
            module,
            constants: HashMap::new(),
            dynamic_names: DYNAMIC_NAMES.iter().any(|needle| needle.is_in(src)),
            depth: 0,
            folded: HashMap::new(),
            previous,
            too_deep_count: 0,
        }
    }

    /// The `if` statements whose condition folded to a constant, by start offset (the decorator
    /// model's reader skips the branches that never run).
    pub(super) fn into_folded(self) -> HashMap<usize, bool> {
        self.folded
    }

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
        self.too_deep_count += 1;
        if self.module.syntax_errors.is_empty() {
            self.module.syntax_errors.push(PySyntaxError {
                range: TextRange::new(node.start_byte(), node.start_byte() + 1),
                message: "too many levels of indentation".into(),
            });
        }
    }

    pub(super) fn block(&mut self, node: tree_sitter::Node, ctx: Ctx) {
        if self.depth > MAX_BLOCK_DEPTH {
            self.too_deep(node);
            return;
        }
        self.depth += 1;
        for child in named_children(node) {
            self.statement(child, ctx);
        }
        self.depth -= 1;
    }

    /// One statement at module level (or in a block that runs there). Long by design: one arm
    /// per statement kind, each short, and the order in which a statement binds its names reads
    /// best in one place.
    fn statement(&mut self, node: tree_sitter::Node, ctx: Ctx) {
        let src = self.src;
        match node.kind_name() {
            "import_statement" => self.import(node, ctx, false),
            "import_from_statement" => self.import(node, ctx, true),
            "future_import_statement" if node_text(node, src).contains("annotations") => {
                self.module.future_annotations = true;
            }
            "function_definition" | "decorated_definition" | "class_definition" => {
                self.definition(node, ctx)
            }
            "expression_statement" => {
                for child in named_children(node) {
                    if !ctx.conditional {
                        match child.kind_name() {
                            "assignment" | "augmented_assignment" => {
                                if let Some(right) = child.child_by_field_id(FIELDS.right) {
                                    self.check_loads(right);
                                }
                                if child.kind_name() == "augmented_assignment" {
                                    if let Some(left) = child.child_by_field_id(FIELDS.left) {
                                        self.check_loads(left);
                                    }
                                }
                            }
                            _ => self.check_loads(child),
                        }
                    }
                    match child.kind_name() {
                        "assignment" => self.assignment(child, ctx),
                        "augmented_assignment" => {}
                        "call" if !ctx.conditional => {
                            if let Some(f) = child.child_by_field_id(FIELDS.function) {
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
                let condition = node.child_by_field_id(FIELDS.condition);
                // `if TYPE_CHECKING:` and `if __name__ == "__main__":` bodies never run when the
                // worker imports the module: their names are bound for type checkers only.
                let is_type_checking =
                    condition.and_then(|c| super::syntax::import_time_truth(c, src)) == Some(false);
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
                if let Some(value) = folded {
                    self.folded.insert(node.start_byte(), value);
                }
                let inner = Ctx {
                    conditional: folded != Some(true),
                    type_checking: ctx.type_checking || is_type_checking,
                };
                if folded != Some(false) {
                    if let Some(body) = node.child_by_field_id(FIELDS.consequence) {
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
                    && alternatives[0].kind_name() == "else_clause";
                let else_ctx = Ctx {
                    conditional: !else_always,
                    type_checking: ctx.type_checking,
                };
                for alt in alternatives {
                    if let Some(body) = alt.child_by_field_id(FIELDS.body) {
                        self.block(body, else_ctx);
                    } else if let Some(body) = alt.child_by_field_id(FIELDS.consequence) {
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
                if node.kind_name() == "for_statement" {
                    if let Some(left) = node.child_by_field_id(FIELDS.left) {
                        self.bind_targets(left, NameKind::Other, inner);
                    }
                }
                if node.kind_name() == "with_statement" {
                    self.bind_with_targets(node, inner);
                }
                let mut cursor = node.walk();
                let children: Vec<_> = node.named_children(&mut cursor).collect();
                for child in children {
                    match child.kind_name() {
                        "block" => self.block(child, inner),
                        "except_clause"
                        | "else_clause"
                        | "finally_clause"
                        | "except_group_clause"
                        | "case_clause" => {
                            let mut c2 = child.walk();
                            let blocks: Vec<_> = child
                                .named_children(&mut c2)
                                .filter(|n| n.kind_name() == "block")
                                .collect();
                            for b in blocks {
                                self.block(b, inner);
                            }
                        }
                        _ => {}
                    }
                }
            }
            // The arms of a `match` (its body block holds them).
            "case_clause" => {
                if let Some(body) = node.child_by_field_id(FIELDS.consequence) {
                    self.block(body, ctx);
                }
            }
            "global_statement" | "nonlocal_statement" => {}
            "type_alias_statement" => {
                if let Some(left) = node.child_by_field_id(FIELDS.left) {
                    let name = node_text(left, src).to_string();
                    self.bind(&name, node.start_byte(), NameKind::Other, ctx);
                }
            }
            _ => {}
        }
    }

    /// A `def` or `class` statement, decorated or not: its summary, and the name it binds.
    fn definition(&mut self, node: tree_sitter::Node, ctx: Ctx) {
        match self.walk_or_reuse(node) {
            Some(Bound::Function(idx)) => {
                let f = &self.module.functions[idx];
                let (name, offset) = (f.name.clone(), f.def_offset);
                // Whether decorators keep the signature is decided where it matters (the entry
                // point), from the function's `decorators`.
                if name == "__getattr__"
                    && !ctx.conditional
                    && node.kind_name() == "function_definition"
                {
                    self.module.has_module_getattr = true;
                }
                self.bind(&name, offset, NameKind::Function(idx), ctx);
            }
            Some(Bound::Class(idx)) => {
                let name = self.module.classes[idx].name.clone();
                self.bind(&name, node.start_byte(), NameKind::Class(idx), ctx);
            }
            None => {}
        }
    }

    /// The summary of a definition: moved from the previous summary when the statement is one
    /// of the module's own (not in a block), starts a line, has no syntax error and its text
    /// did not change; else walked, and remembered for the next edit when it could have been
    /// re-used.
    fn walk_or_reuse(&mut self, node: tree_sitter::Node) -> Option<Bound> {
        let reusable = self.depth == 1 && node.start_position().column == 0 && !node.has_error();
        if !reusable {
            return self.walk_definition(node);
        }
        let text = node_text(node, self.src);
        if let Some(previous) = &mut self.previous {
            if let Some(item) = previous.take(text, node.start_byte(), self.module) {
                return item.bound;
            }
        }
        let functions = self.module.functions.len();
        let classes = self.module.classes.len();
        let too_deep = self.too_deep_count;
        let bound = self.walk_definition(node);
        if self.too_deep_count == too_deep {
            self.module.items.push(Item {
                range: range_of(node),
                functions: functions..self.module.functions.len(),
                classes: classes..self.module.classes.len(),
                bound,
            });
        }
        bound
    }

    fn walk_definition(&mut self, node: tree_sitter::Node) -> Option<Bound> {
        match node.kind_name() {
            "function_definition" => Some(Bound::Function(self.function(
                node,
                Decorators::default(),
                node.start_byte(),
            ))),
            "class_definition" => Some(Bound::Class(self.class(node))),
            _ => {
                let decorators = Decorators::read(node, self.src);
                let def = node.child_by_field_id(FIELDS.definition)?;
                match def.kind_name() {
                    "function_definition" => Some(Bound::Function(self.function(
                        def,
                        decorators,
                        node.start_byte(),
                    ))),
                    "class_definition" => Some(Bound::Class(self.class(def))),
                    _ => None,
                }
            }
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
        match node.kind_name() {
            "integer" => text.replace('_', "").parse().ok().map(Const::Int),
            "true" => Some(Const::Bool(true)),
            "false" => Some(Const::Bool(false)),
            "none" => Some(Const::None),
            "string" => {
                let mut cursor = node.walk();
                let mut content = String::new();
                for c in node.named_children(&mut cursor) {
                    match c.kind_name() {
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
        match node.kind_name() {
            "identifier" => self.constants.get(node_text(node, self.src)).cloned(),
            "not_operator" => node
                .child_by_field_id(FIELDS.argument)
                .and_then(eval)
                .map(|v| Const::Bool(!v.truthy())),
            "boolean_operator" => {
                let left = eval(node.child_by_field_id(FIELDS.left)?)?;
                let op = node_text(node.child_by_field_id(FIELDS.operator)?, self.src);
                match (op, left.truthy()) {
                    ("and", false) | ("or", true) => Some(left),
                    _ => eval(node.child_by_field_id(FIELDS.right)?),
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
            match n.kind_name() {
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
                    if let Some(right) = n.child_by_field_id(FIELDS.right) {
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
                        && !crate::analysis::catalog::is_builtin(name)
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
            if n.kind_name() == "as_pattern" {
                if let Some(alias) = n.child_by_field_id(FIELDS.alias) {
                    self.bind_targets(alias, NameKind::Other, ctx);
                }
                continue;
            }
            if n.kind_name() == "block" {
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
        if is_from {
            if let Some(m) = node.child_by_field_id(FIELDS.module_name) {
                module_range = range_of(m);
                if m.kind_name() == "relative_import" {
                    let mut cursor = m.walk();
                    for part in m.named_children(&mut cursor) {
                        match part.kind_name() {
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
        // The `name` children and a wildcard, in one pass over the statement's children (a
        // field looked up by name compares strings on every call).
        let mut name_nodes = Vec::new();
        let mut has_wildcard = false;
        let mut cursor = node.walk();
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                if cursor.field_id().is_some_and(|id| id.get() == FIELDS.name) {
                    name_nodes.push(child);
                }
                if child.is_named() && child.kind_name() == "wildcard_import" {
                    has_wildcard = true;
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        let mut names = Vec::with_capacity(name_nodes.len());
        for n in name_nodes {
            let (name, alias) = if n.kind_name() == "aliased_import" {
                (
                    n.child_by_field_id(FIELDS.name)
                        .map(|x| node_text(x, src).to_string())
                        .unwrap_or_default(),
                    n.child_by_field_id(FIELDS.alias)
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
        if has_wildcard && !ctx.type_checking {
            self.module.has_star_import = true;
        }
        let offset = node.start_byte();
        for n in &names {
            let bound = n.bound(is_from);
            let kind = if is_from {
                NameKind::FromImport {
                    level,
                    module: module.clone(),
                    name: n.name.clone(),
                }
            } else if n.alias.is_some() {
                NameKind::Module(n.name.clone())
            } else {
                // `import a.b` binds `a`, the package.
                NameKind::Module(bound.to_string())
            };
            self.bind(bound, offset, kind, ctx);
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
            let Some(left) = current.child_by_field_id(FIELDS.left) else {
                return;
            };
            targets.push(left);
            match current.child_by_field_id(FIELDS.right) {
                Some(right) if right.kind_name() == "assignment" => current = right,
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
        let kind = match value.kind_name() {
            "string" | "concatenated_string" => NameKind::Literal(LiteralKind::String),
            "integer" | "float" => NameKind::Literal(LiteralKind::Number),
            "true" | "false" => NameKind::Literal(LiteralKind::Boolean),
            "list" | "list_comprehension" => NameKind::Literal(LiteralKind::List),
            "dictionary" | "dictionary_comprehension" => NameKind::Literal(LiteralKind::Dict),
            "tuple" => NameKind::Literal(LiteralKind::Tuple),
            "set" => NameKind::Literal(LiteralKind::Set),
            "none" => NameKind::NoneValue,
            _ => NameKind::Other,
        };
        // Innermost first, as the targets read from right to left.
        for left in targets.into_iter().rev() {
            if left.kind_name() == "identifier" {
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
        match target.kind_name() {
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
        let name_node = node.child_by_field_id(FIELDS.name);
        let mut bases = Vec::new();
        let mut has_metaclass = false;
        if let Some(args) = node.child_by_field_id(FIELDS.superclasses) {
            let mut cursor = args.walk();
            for a in args.named_children(&mut cursor) {
                if a.kind_name() == "keyword_argument" {
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
        if let Some(body) = node.child_by_field_id(FIELDS.body) {
            let mut cursor = body.walk();
            let children: Vec<_> = body.named_children(&mut cursor).collect();
            for child in children {
                let (def, decorators, start) = match child.kind_name() {
                    "function_definition" => {
                        (Some(child), Decorators::default(), child.start_byte())
                    }
                    "decorated_definition" => {
                        let decorators = Decorators::read(child, src);
                        (
                            child
                                .child_by_field_id(FIELDS.definition)
                                .filter(|d| d.kind_name() == "function_definition"),
                            decorators,
                            child.start_byte(),
                        )
                    }
                    _ => (None, Decorators::default(), 0),
                };
                if let Some(def) = def {
                    methods.push(self.function(def, decorators, start));
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

    fn function(&mut self, node: tree_sitter::Node, decorators: Decorators, start: usize) -> usize {
        let src = self.src;
        // A field look-up each: cheaper than a cursor over the definition's seven or so
        // children (see `named_children`).
        let field = |id| node.child_by_field_id(id);
        let [name_node, params_node, return_type, body] = [
            FIELDS.name,
            FIELDS.parameters,
            FIELDS.return_type,
            FIELDS.body,
        ]
        .map(field);
        let is_async = node.child(0).is_some_and(|c| c.kind_name() == "async");
        let mut params = Vec::new();
        if let Some(p) = params_node {
            read_params(p, src, &mut params);
        }
        let return_annotation = return_type.map(|t| annotation(t, src));
        let mut value_returns = Vec::new();
        let mut is_generator = false;
        // The body's own `def`s and `return`s, in order: found by the same walk.
        let mut statements = Vec::new();
        if let Some(body) = body {
            scan_body(
                body,
                src,
                &mut value_returns,
                &mut is_generator,
                &mut statements,
            );
        }
        let mut nested = Vec::new();
        let mut returned_names = Vec::new();
        self.depth += 1;
        if let (Some(body), true) = (body, self.depth > MAX_BLOCK_DEPTH) {
            self.too_deep(body);
        }
        if self.depth <= MAX_BLOCK_DEPTH {
            for st in statements {
                match st.kind_name() {
                    "function_definition" => {
                        nested.push(self.function(st, Decorators::default(), st.start_byte()))
                    }
                    "decorated_definition" => {
                        if let Some(def) = st
                            .child_by_field_id(FIELDS.definition)
                            .filter(|d| d.kind_name() == "function_definition")
                        {
                            let decorators = Decorators::read(st, src);
                            nested.push(self.function(def, decorators, st.start_byte()));
                        }
                    }
                    "return_statement" => {
                        if let Some(v) = st.named_child(0).filter(|v| v.kind_name() == "identifier")
                        {
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
            decorators: decorators.exprs,
            decorators_depth: decorators.depth,
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

/// The decorators of a decorated definition, outermost first, and the deepest nesting their
/// reading reached.
#[derive(Default)]
struct Decorators {
    exprs: Vec<PyExpr>,
    depth: u32,
}

impl Decorators {
    fn read(decorated: tree_sitter::Node, src: &str) -> Decorators {
        let mut out = Decorators::default();
        for child in named_children(decorated) {
            if child.kind_name() == "decorator" {
                if let Some(e) = child.named_child(0) {
                    let (e, depth) = expr_with_depth(e, src);
                    out.exprs.push(e);
                    out.depth = out.depth.max(depth);
                }
            }
        }
        out
    }
}

static YIELD: Needle = Needle::new("yield");

/// Finds `return <value>` and `yield` in a function body, not descending into nested functions,
/// classes or lambdas; and keeps the body's own function definitions and `return` statements, in
/// order, in `statements`.
fn scan_body<'t>(
    node: tree_sitter::Node<'t>,
    src: &str,
    returns: &mut Vec<TextRange>,
    is_generator: &mut bool,
    statements: &mut Vec<tree_sitter::Node<'t>>,
) {
    // `return` only appears in statements, so only compound statements are entered; `yield` can
    // hide in any expression, so the whole body is walked for it only when the text has one.
    let may_yield = src
        .get(node.byte_range())
        .is_some_and(|body| YIELD.is_in(body));
    let mut stack = vec![node];
    // One cursor for the whole walk: a new one per node allocates its stack every time.
    let mut cursor = node.walk();
    while let Some(n) = stack.pop() {
        match n.kind_name() {
            "function_definition" | "class_definition" | "lambda" | "decorated_definition" => {
                continue
            }
            "return_statement" => {
                if let Some(value) = n.named_child(0) {
                    if value.kind_name() != "none" {
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
        let at_top = n.id() == node.id();
        cursor.reset(n);
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                if child.is_named() {
                    if at_top
                        && matches!(
                            child.kind_name(),
                            "function_definition" | "decorated_definition" | "return_statement"
                        )
                    {
                        statements.push(child);
                    }
                    stack.push(child);
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
    }
}
