//! Durable Functions as the rules see them: which functions are activities, orchestrators and
//! entities (in either model, from their trigger bindings), the calls that name one of them, and
//! what an orchestrator's body does. The module summary keeps no syntax tree, so the modules that
//! import `azure.durable_functions` are parsed again here; no other module is.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use super::function::FunctionUnit;
use super::python::fields::{KindName, FIELDS};
use super::python::{node_text, range_of, Binding, NameDef, NameKind, PyFunction, PyModule};
use super::text::TextRange;

/// What a durable function is, by its trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurableKind {
    Activity,
    Orchestrator,
    Entity,
}

impl DurableKind {
    pub fn noun(self) -> &'static str {
        match self {
            DurableKind::Activity => "activity",
            DurableKind::Orchestrator => "orchestrator",
            DurableKind::Entity => "entity",
        }
    }

    /// The call that runs a function of this kind from an orchestrator.
    pub fn orchestrator_call(self) -> &'static str {
        match self {
            DurableKind::Activity => "call_activity",
            DurableKind::Orchestrator => "call_sub_orchestrator",
            DurableKind::Entity => "call_entity",
        }
    }
}

/// The kind of a function by its trigger binding (`activityTrigger`, `orchestrationTrigger`,
/// `entityTrigger`, compared as the host compares binding types: without case).
pub fn kind_of(unit: &FunctionUnit) -> Option<DurableKind> {
    unit.bindings().iter().find_map(|b| {
        let t = b.type_str()?;
        if t.eq_ignore_ascii_case("activityTrigger") {
            Some(DurableKind::Activity)
        } else if t.eq_ignore_ascii_case("orchestrationTrigger") {
            Some(DurableKind::Orchestrator)
        } else if t.eq_ignore_ascii_case("entityTrigger") {
            Some(DurableKind::Entity)
        } else {
            None
        }
    })
}

/// The name a durable trigger may give its function besides the function's own (`orchestration`,
/// `activity` or `entity` in the binding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alias {
    None,
    Named(String),
    /// Set to something that is not a string: a name the checker cannot know.
    Unknown,
}

pub fn alias_of(unit: &FunctionUnit) -> Alias {
    for b in unit.bindings() {
        for key in ["orchestration", "activity", "entity"] {
            if b.property(key).is_some() {
                return match b.property_str(key) {
                    Some(s) => Alias::Named(s.value),
                    None => Alias::Unknown,
                };
            }
        }
    }
    Alias::None
}

/// Whether a module imports the Durable library: only such modules are read for durable calls.
pub fn imports_durable(module: &PyModule) -> bool {
    module.imports.iter().any(|i| {
        let m = if i.is_from {
            i.module.as_str()
        } else {
            i.names.first().map_or("", |n| n.name.as_str())
        };
        i.level == 0
            && (m == "azure.durable_functions" || m.starts_with("azure.durable_functions."))
            || (i.level == 0
                && i.is_from
                && m == "azure"
                && i.names.iter().any(|n| n.name == "durable_functions"))
    })
}

thread_local! {
    static PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
    /// The last module read for orchestrators on this thread, and in which batch: a module with
    /// many orchestrators is parsed and read once, not once per orchestrator. The text is kept
    /// alive with what was read from it, so identity of the allocation means identity of the
    /// text.
    static LAST: RefCell<Option<Held>> = const { RefCell::new(None) };
}

/// What a thread holds of a reading: the batch it was taken in, the text, the reading.
type Held = (u64, Arc<str>, Arc<BodiesSlot>);

/// Batches of checks ended ([`end_batch`]): a thread lets go of a reading of an earlier batch
/// at its next read, without being woken for it.
static BATCHES: AtomicU64 = AtomicU64::new(0);

/// The bodies of one text, read by the first thread that asks (the others wait for them).
type BodiesSlot = OnceLock<Option<Arc<ModuleBodies>>>;

/// The slots the threads hold in `LAST`, by their text, held weakly: threads checking the
/// orchestrators of one module share one tree (the largest thing a check holds: 35 bytes a
/// byte of source), which goes when the last of them lets it go.
static SHARED: Mutex<Vec<(Weak<str>, Weak<BodiesSlot>)>> = Mutex::new(Vec::new());

/// The slot of `source`: the one a thread holds already, else a new one.
fn shared_slot(source: &Arc<str>) -> Arc<BodiesSlot> {
    let mut shared = SHARED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // A live text is the same text exactly when it is the same allocation.
    shared.retain(|(text, slot)| text.strong_count() > 0 && slot.strong_count() > 0);
    let found = shared.iter().find_map(|(text, slot)| {
        let text = text.upgrade()?;
        Arc::ptr_eq(&text, source).then(|| slot.upgrade())?
    });
    found.unwrap_or_else(|| {
        let slot = Arc::new(BodiesSlot::new());
        shared.push((Arc::downgrade(source), Arc::downgrade(&slot)));
        slot
    })
}

/// Lets go of what this thread keeps of the last module it read for orchestrators.
pub fn forget_module_bodies() {
    LAST.with(|cell| cell.borrow_mut().take());
}

/// Ends a batch of checks: this thread lets go of its reading now, the others at their next
/// read (the texts of the next batch may be new: an old tree would be kept beside the new).
pub fn end_batch() {
    BATCHES.fetch_add(1, Ordering::Relaxed);
    forget_module_bodies();
}

#[cfg(test)]
thread_local! {
    /// Modules [`parse`] parsed on this thread.
    static PARSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The module's syntax tree (offsets index `text`).
pub fn parse(text: &str) -> Option<tree_sitter::Tree> {
    #[cfg(test)]
    PARSES.with(|parses| parses.set(parses.get() + 1));
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&tree_sitter_python::LANGUAGE.into()).ok()?;
            *slot = Some(p);
        }
        slot.as_mut()?
            .parse(&*super::python::lone_cr_as_newline(text), None)
    })
}

/// A module's syntax tree and what the body of each of its functions does (read with the
/// function's first parameter as the orchestration context), by the start of the function's name.
pub struct ModuleBodies {
    pub tree: tree_sitter::Tree,
    bodies: HashMap<u32, OrchestratorBody>,
}

impl ModuleBodies {
    /// The body of `function`, a function of the module.
    pub fn body(&self, function: &PyFunction) -> Option<&OrchestratorBody> {
        self.bodies.get(&function.name_range.start)
    }
}

/// [`ModuleBodies`] of `module`, whose text is `source`: read in one walk, and shared by every
/// orchestrator of the same text, on every thread (see `LAST` and `SHARED`).
pub fn module_bodies(module: &PyModule, source: &Arc<str>) -> Option<Arc<ModuleBodies>> {
    let batch = BATCHES.load(Ordering::Relaxed);
    let held = LAST.with(|cell| {
        let mut last = cell.borrow_mut();
        // A reading of an earlier batch goes first, whatever its text.
        if last.as_ref().is_some_and(|(b, _, _)| *b != batch) {
            *last = None;
        }
        last.as_ref()
            .filter(|(_, t, _)| Arc::ptr_eq(t, source))
            .map(|(_, _, slot)| slot.clone())
    });
    let slot = held.unwrap_or_else(|| {
        let slot = shared_slot(source);
        LAST.with(|cell| *cell.borrow_mut() = Some((batch, source.clone(), slot.clone())));
        slot
    });
    slot.get_or_init(|| read_bodies(module, source).map(Arc::new))
        .clone()
}

/// What [`module_bodies`] reads of a module.
fn read_bodies(module: &PyModule, source: &str) -> Option<ModuleBodies> {
    let text: &str = source;
    let tree = parse(text)?;
    let by_name: HashMap<u32, &PyFunction> = module
        .functions
        .iter()
        .map(|f| (f.name_range.start, f))
        .collect();
    let mut bodies = HashMap::new();
    let mut stack = vec![tree.root_node()];
    let mut seen = 0usize;
    while let Some(node) = stack.pop() {
        seen += 1;
        if seen > MAX_NODES * 4 {
            break;
        }
        if node.kind_name() == "function_definition" {
            let f = node
                .child_by_field_id(FIELDS.name)
                .and_then(|n| by_name.get(&(n.start_byte() as u32)));
            if let Some(f) = f {
                let context = f.params.first().map_or("", |p| p.name.as_str());
                if let Some(body) = body_of(module, node, text, context) {
                    bodies.insert(f.name_range.start, body);
                }
            }
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    Some(ModuleBodies { tree, bodies })
}

/// The calls that name a durable function, with the kind they expect and the keyword that may
/// carry the name instead of the first positional argument.
const NAMING_METHODS: &[(&str, DurableKind, &str)] = &[
    ("call_activity", DurableKind::Activity, "name"),
    ("call_activity_with_retry", DurableKind::Activity, "name"),
    ("call_sub_orchestrator", DurableKind::Orchestrator, "name"),
    (
        "call_sub_orchestrator_with_retry",
        DurableKind::Orchestrator,
        "name",
    ),
    (
        "start_new",
        DurableKind::Orchestrator,
        "orchestration_function_name",
    ),
    ("EntityId", DurableKind::Entity, "name"),
];

/// The kind of function a call named `method` names in its first argument (`call_activity`:
/// an activity), when it is one of [`NAMING_METHODS`].
pub fn naming_kind(method: &str) -> Option<DurableKind> {
    NAMING_METHODS
        .iter()
        .find(|(m, _, _)| *m == method)
        .map(|&(_, kind, _)| kind)
}

/// The names of the calls that name a durable function.
pub fn naming_methods() -> impl Iterator<Item = &'static str> {
    NAMING_METHODS.iter().map(|(m, _, _)| *m)
}

/// Orchestration-context methods that return a task, which only `yield` schedules.
pub const TASK_METHODS: &[&str] = &[
    "call_activity",
    "call_activity_with_retry",
    "call_sub_orchestrator",
    "call_sub_orchestrator_with_retry",
    "call_http",
    "call_entity",
    "create_timer",
    "wait_for_external_event",
    "task_all",
    "task_any",
];

/// A literal name of a durable function in a call.
#[derive(Debug, Clone, PartialEq)]
pub struct NameRef {
    /// What the call expects the name to be.
    pub kind: DurableKind,
    /// `call_activity`, `start_new`, `EntityId`, …
    pub method: String,
    /// The method's name (the attribute, or the called name).
    pub method_range: TextRange,
    pub name: String,
    /// The string's content (between the quotes).
    pub content: TextRange,
}

/// Every call of `tree` that names a durable function with a plain string literal. Names built
/// at run time (variables, f-strings, function objects) are left out.
pub fn name_refs(tree: &tree_sitter::Tree, text: &str) -> Vec<NameRef> {
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind_name() == "call" {
            if let Some(r) = name_ref(node, text) {
                out.push(r);
            }
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    out.sort_by_key(|r| r.content.start);
    out
}

fn name_ref(call: tree_sitter::Node, text: &str) -> Option<NameRef> {
    let function = call.child_by_field_id(FIELDS.function)?;
    let method_node = match function.kind_name() {
        "attribute" => function.child_by_field_id(FIELDS.attribute)?,
        "identifier" => function,
        _ => return None,
    };
    let method = node_text(method_node, text);
    let &(_, kind, keyword) = NAMING_METHODS.iter().find(|(m, _, _)| *m == method)?;
    // `EntityId` may be called by its bare name; the methods only on an object.
    if function.kind_name() == "identifier" && method != "EntityId" {
        return None;
    }
    let args = call.child_by_field_id(FIELDS.arguments)?;
    let arg = argument(args, keyword, text)?;
    let (name, content) = literal(arg, text)?;
    Some(NameRef {
        kind,
        method: method.to_string(),
        method_range: range_of(method_node),
        name,
        content,
    })
}

/// The first positional argument, or the keyword argument `keyword`.
fn argument<'t>(
    args: tree_sitter::Node<'t>,
    keyword: &str,
    text: &str,
) -> Option<tree_sitter::Node<'t>> {
    let mut cursor = args.walk();
    let children: Vec<_> = args.named_children(&mut cursor).collect();
    match children.first() {
        Some(first)
            if !matches!(
                first.kind_name(),
                "keyword_argument" | "list_splat" | "dictionary_splat" | "comment"
            ) =>
        {
            Some(*first)
        }
        _ => children.iter().find_map(|c| {
            (c.kind_name() == "keyword_argument"
                && c.child_by_field_id(FIELDS.name)
                    .is_some_and(|n| node_text(n, text) == keyword))
            .then(|| c.child_by_field_id(FIELDS.value))
            .flatten()
        }),
    }
}

/// The value and content range of a plain string literal (no prefix but `r`/`u`, no escapes,
/// no interpolation).
fn literal(node: tree_sitter::Node, text: &str) -> Option<(String, TextRange)> {
    if node.kind_name() != "string" {
        return None;
    }
    let mut cursor = node.walk();
    let parts: Vec<_> = node.children(&mut cursor).collect();
    let start = parts.first().filter(|p| p.kind_name() == "string_start")?;
    let prefix = node_text(*start, text).trim_end_matches(['"', '\'']);
    if !prefix.chars().all(|c| matches!(c, 'r' | 'R' | 'u' | 'U')) {
        return None;
    }
    match parts.as_slice() {
        [_, content, end]
            if content.kind_name() == "string_content" && end.kind_name() == "string_end" =>
        {
            let value = node_text(*content, text);
            if value.contains('\\') || value.is_empty() {
                return None;
            }
            Some((value.to_string(), range_of(*content)))
        }
        _ => None,
    }
}

/// The `def` a function.json orchestrator runs: the entry point itself when it is a `def`, else
/// the function given to `Orchestrator.create(...)` in `entry = df.Orchestrator.create(f)`.
pub fn orchestrator_def<'m>(
    module: &'m PyModule,
    tree: &tree_sitter::Tree,
    text: &str,
    entry: &str,
) -> Option<&'m PyFunction> {
    let top_level = |name: &str| match module.final_binding(name) {
        Binding::Def(d) => match d.kind {
            NameKind::Function(i) => module.functions.get(i),
            _ => None,
        },
        _ => None,
    };
    if let Some(f) = top_level(entry) {
        return Some(f);
    }
    let root = tree.root_node();
    let mut cursor = root.walk();
    let statements: Vec<_> = root.named_children(&mut cursor).collect();
    statements.into_iter().rev().find_map(|stmt| {
        let assignment = stmt
            .named_child(0)
            .filter(|a| a.kind_name() == "assignment")?;
        let left = assignment.child_by_field_id(FIELDS.left)?;
        if left.kind_name() != "identifier" || node_text(left, text) != entry {
            return None;
        }
        let call = assignment
            .child_by_field_id(FIELDS.right)
            .filter(|c| c.kind_name() == "call")?;
        let function = call.child_by_field_id(FIELDS.function)?;
        if !node_text(function, text).ends_with("create") {
            return None;
        }
        let args = call.child_by_field_id(FIELDS.arguments)?;
        let arg = args
            .named_child(0)
            .filter(|a| a.kind_name() == "identifier")?;
        top_level(node_text(arg, text))
    })
}

/// An orchestrator function of the app, found in its module.
pub struct Orchestrator<'m> {
    pub function: &'m PyFunction,
    /// The module's tree and the bodies of its functions.
    pub read: Arc<ModuleBodies>,
    /// The name of its orchestration-context parameter.
    pub context: String,
}

/// The orchestrator `def` of `unit` (an `orchestrationTrigger` function) in `module` (its script,
/// whose text is `source`), when it can be found and the module parses.
pub fn orchestrator<'m>(
    unit: &FunctionUnit,
    module: &'m PyModule,
    source: Option<&super::app::FileContent>,
    entry_name: &str,
) -> Option<Orchestrator<'m>> {
    if kind_of(unit) != Some(DurableKind::Orchestrator) || !module.syntax_errors.is_empty() {
        return None;
    }
    let super::app::FileContent::Text(source) = source? else {
        return None;
    };
    let text: &str = source;
    let read = module_bodies(module, source)?;
    let function = match unit.decorated() {
        Some(v2) => module.function_at(v2.def_offset?)?,
        None => orchestrator_def(module, &read.tree, text, entry_name)?,
    };
    let context = function.params.first()?.name.clone();
    Some(Orchestrator {
        function,
        read,
        context,
    })
}

/// The `def` the host runs for `unit` in `module`: the decorated function, or the entry point
/// when it is a `def` of the module.
pub fn entry_def<'m>(
    unit: &FunctionUnit,
    module: &'m PyModule,
    entry_name: &str,
) -> Option<&'m PyFunction> {
    match unit.decorated() {
        Some(v2) => module.function_at(v2.def_offset?),
        None => match module.final_binding(entry_name) {
            Binding::Def(NameDef {
                kind: NameKind::Function(i),
                ..
            }) => module.functions.get(*i),
            _ => None,
        },
    }
}

/// The `function_definition` node of `function` in `tree`.
pub fn def_node<'t>(
    tree: &'t tree_sitter::Tree,
    function: &PyFunction,
) -> Option<tree_sitter::Node<'t>> {
    let r = function.name_range;
    tree.root_node()
        .descendant_for_byte_range(r.start as usize, r.end as usize)?
        .parent()
        .filter(|p| p.kind_name() == "function_definition")
}

/// The function's `durableClient` binding (`orchestrationClient` is its older name).
pub fn client_binding(unit: &FunctionUnit) -> Option<&super::function_json::Binding> {
    unit.bindings().iter().find(|b| {
        b.type_str().is_some_and(|t| {
            t.eq_ignore_ascii_case("durableClient") || t.eq_ignore_ascii_case("orchestrationClient")
        })
    })
}

/// The public methods of `DurableOrchestrationClient` that are coroutines (azure-functions-durable
/// 1.7.0): their result does nothing until awaited.
pub const ASYNC_CLIENT_METHODS: &[&str] = &[
    "start_new",
    "read_entity_state",
    "raise_event",
    "get_status",
    "get_status_all",
    "get_status_by",
    "purge_instance_history",
    "purge_instance_history_by",
    "terminate",
    "wait_for_completion_or_create_check_status_response",
    "signal_entity",
    "rewind",
    "suspend",
    "restart",
    "resume",
];

/// The other public methods of `DurableOrchestrationClient`.
pub const SYNC_CLIENT_METHODS: &[&str] = &[
    "create_check_status_response",
    "create_http_management_payload",
    "get_client_response_links",
];

/// Iterates the nodes below `root` (itself included) in document order, at most `MAX_NODES`.
pub fn descendants(root: tree_sitter::Node) -> Vec<tree_sitter::Node> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if out.len() >= MAX_NODES {
            break;
        }
        out.push(node);
        let mut cursor = node.walk();
        let children: Vec<_> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    out
}

/// The parent of `node` past any parentheses around it.
pub fn parent_past_parens(node: tree_sitter::Node) -> Option<tree_sitter::Node> {
    let mut parent = node.parent();
    while let Some(p) = parent.filter(|p| p.kind_name() == "parenthesized_expression") {
        parent = p.parent();
    }
    parent
}

/// The argument of `call` at `position` (positional), or the keyword argument `keyword`.
pub fn call_argument<'t>(
    call: tree_sitter::Node<'t>,
    position: usize,
    keyword: &str,
    text: &str,
) -> Option<tree_sitter::Node<'t>> {
    let args = call.child_by_field_id(FIELDS.arguments)?;
    let mut cursor = args.walk();
    let children: Vec<_> = args
        .named_children(&mut cursor)
        .filter(|c| c.kind_name() != "comment")
        .collect();
    let positional: Vec<_> = children
        .iter()
        .take_while(|c| !matches!(c.kind_name(), "keyword_argument" | "dictionary_splat"))
        .collect();
    if positional.iter().any(|c| c.kind_name() == "list_splat") {
        return None;
    }
    if let Some(arg) = positional.get(position) {
        return Some(**arg);
    }
    children.iter().find_map(|c| {
        (c.kind_name() == "keyword_argument"
            && c.child_by_field_id(FIELDS.name)
                .is_some_and(|n| node_text(n, text) == keyword))
        .then(|| c.child_by_field_id(FIELDS.value))
        .flatten()
    })
}

/// The name a module binds for the client class: `df.DurableOrchestrationClient` after
/// `import azure.durable_functions as df`, `DurableOrchestrationClient` after a from-import.
pub fn client_class_name(module: &PyModule) -> Option<String> {
    module
        .imports
        .iter()
        .filter(|i| i.level == 0)
        .find_map(|i| {
            i.names.iter().find_map(|n| {
                let bound = n.alias.as_deref();
                if i.is_from
                    && i.module == "azure.durable_functions"
                    && n.name == "DurableOrchestrationClient"
                {
                    Some(bound.unwrap_or("DurableOrchestrationClient").to_string())
                } else if i.is_from && i.module == "azure" && n.name == "durable_functions" {
                    Some(format!(
                        "{}.DurableOrchestrationClient",
                        bound.unwrap_or("durable_functions")
                    ))
                } else if !i.is_from && n.name == "azure.durable_functions" {
                    Some(format!(
                        "{}.DurableOrchestrationClient",
                        bound.unwrap_or("azure.durable_functions")
                    ))
                } else {
                    None
                }
            })
        })
}

/// The first statement of a `def`'s body that is not its docstring: where code that must run
/// first goes.
pub fn first_statement(def: tree_sitter::Node) -> Option<tree_sitter::Node> {
    let body = def.child_by_field_id(FIELDS.body)?;
    let mut cursor = body.walk();
    let statements: Vec<_> = body
        .named_children(&mut cursor)
        .filter(|c| c.kind_name() != "comment")
        .collect();
    let docstring = statements.first().is_some_and(|s| {
        s.kind_name() == "expression_statement"
            && s.named_child(0).is_some_and(|e| e.kind_name() == "string")
    });
    statements.get(usize::from(docstring)).copied()
}

/// The docstring of a `def`, without its quotes and common indentation.
pub fn docstring(def: tree_sitter::Node, text: &str) -> Option<String> {
    let body = def.child_by_field_id(FIELDS.body)?;
    let first = body.named_child(0)?;
    let string = first
        .named_child(0)
        .filter(|s| first.kind_name() == "expression_statement" && s.kind_name() == "string")?;
    let mut cursor = string.walk();
    let content: String = string
        .named_children(&mut cursor)
        .filter(|c| c.kind_name() == "string_content")
        .map(|c| node_text(c, text))
        .collect();
    let lines: Vec<&str> = content.trim().lines().collect();
    let indent = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let doc: Vec<&str> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.trim()
            } else {
                l.get(indent..).unwrap_or(l.trim())
            }
        })
        .collect();
    let doc = doc.join("\n");
    (!doc.is_empty()).then_some(doc)
}

/// Whether `def` is an `async def`.
pub fn is_async_def(def: tree_sitter::Node) -> bool {
    def.child(0).is_some_and(|c| c.kind_name() == "async")
}

/// What cannot pass between an orchestrator and its activities: the library serialises inputs
/// and results with `json.dumps`, which accepts only JSON values and objects with `to_json`.
/// `node` is a literal or a call whose value is certain; the answer names what it is.
pub fn unserialisable(node: tree_sitter::Node, text: &str, module: &PyModule) -> Option<String> {
    match node.kind_name() {
        "set" | "set_comprehension" => Some("a set".into()),
        "lambda" => Some("a lambda".into()),
        "generator_expression" => Some("a generator".into()),
        "call" => {
            let callee = node.child_by_field_id(FIELDS.function)?;
            if callee.kind_name() != "identifier" {
                return None;
            }
            let name = node_text(callee, text);
            match module.final_binding(name) {
                Binding::Unbound => match name {
                    "set" | "frozenset" => Some(format!("a {name}")),
                    "open" => Some("an open file".into()),
                    _ => None,
                },
                Binding::Def(NameDef {
                    kind: NameKind::Class(i),
                    ..
                }) => {
                    let class = module.classes.get(*i)?;
                    // A base class or a metaclass may give it `to_json`.
                    let has_to_json = class
                        .methods
                        .iter()
                        .any(|&m| module.functions.get(m).is_some_and(|f| f.name == "to_json"));
                    (class.bases.is_empty() && !class.has_metaclass && !has_to_json)
                        .then(|| format!("an instance of class '{name}', which has no 'to_json'"))
                }
                Binding::Def(NameDef {
                    kind: NameKind::Function(i),
                    ..
                }) => module
                    .functions
                    .get(*i)
                    .filter(|f| f.is_generator && !f.is_async)
                    .map(|_| "a generator".into()),
                _ => None,
            }
        }
        "parenthesized_expression" => unserialisable(node.named_child(0)?, text, module),
        _ => None,
    }
}

/// What the code does with a task of the orchestration context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskUse {
    Yielded,
    /// `await task`: the `await` expression's range, and whether it stands where a bare `yield`
    /// may (a statement, or the right side of an assignment).
    Awaited {
        range: TextRange,
        bare: bool,
    },
    /// A statement of its own: the task is dropped and never scheduled.
    Discarded,
    /// Assigned, returned, passed on, …
    Other,
}

/// A call of a task method on the orchestration context.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskCall {
    pub method: String,
    /// The whole call.
    pub range: TextRange,
    pub usage: TaskUse,
}

/// A call in an orchestrator's code.
#[derive(Debug, Clone, PartialEq)]
pub struct CallSite {
    /// The qualified name of what is called (`datetime.datetime.now`, `builtins.open`), when the
    /// called expression is a dotted name whose head the module or the function imports, or a
    /// builtin.
    pub qualified: String,
    /// The whole call.
    pub range: TextRange,
    /// The called expression.
    pub callee_range: TextRange,
    /// Called without arguments.
    pub no_arguments: bool,
    /// A statement of its own (its value is not used).
    pub statement: bool,
    /// Inside an `if` whose condition reads `is_replaying`.
    pub replay_guarded: bool,
}

/// What an orchestrator's body does (nested functions and lambdas included: they run during
/// replay as well).
#[derive(Debug, Default)]
pub struct OrchestratorBody {
    pub tasks: Vec<TaskCall>,
    /// `await` expressions on anything that is not a context task.
    pub other_awaits: usize,
    pub calls: Vec<CallSite>,
    /// Reads of a qualified attribute (`os.environ`), with their range.
    pub attributes: Vec<(String, TextRange)>,
    /// `yield` of a value that cannot be a task (a literal, a list or tuple display…).
    pub non_task_yields: Vec<NonTaskYield>,
    /// Functions of the module that the body calls by name (indices into `PyModule::functions`).
    pub helpers: Vec<usize>,
}

/// `yield` of something that is not a task: the library fails the orchestration on it.
#[derive(Debug, Clone, PartialEq)]
pub struct NonTaskYield {
    /// The yielded value.
    pub value: TextRange,
    /// A list display or comprehension (of tasks, most likely): `task_all` gathers those.
    pub is_list: bool,
}

/// Nodes beyond this many in one function are not read (a bound on hostile input).
const MAX_NODES: usize = 200_000;

/// Reads the body of the function `def` (from `module`, whose text is `text`): `context` is the
/// name of its orchestration-context parameter.
fn body_of(
    module: &PyModule,
    def: tree_sitter::Node,
    text: &str,
    context: &str,
) -> Option<OrchestratorBody> {
    let body = def.child_by_field_id(FIELDS.body)?;
    let mut local_imports: HashMap<String, String> = HashMap::new();
    let mut out = OrchestratorBody::default();
    let mut stack = vec![body];
    let mut seen = 0usize;
    // Imports inside the function first, so that a call before its import still resolves.
    let mut nodes = Vec::new();
    while let Some(node) = stack.pop() {
        seen += 1;
        if seen > MAX_NODES {
            break;
        }
        match node.kind_name() {
            "import_statement" | "import_from_statement" => {
                local_import(node, text, &mut local_imports)
            }
            _ => nodes.push(node),
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    let resolve = |dotted: &str| qualify(module, &local_imports, dotted);
    for node in nodes {
        match node.kind_name() {
            "call" => {
                let Some(function) = node.child_by_field_id(FIELDS.function) else {
                    continue;
                };
                let args = node.child_by_field_id(FIELDS.arguments);
                let no_arguments = args.is_some_and(|a| a.named_child_count() == 0);
                if function.kind_name() == "attribute" {
                    let object = function.child_by_field_id(FIELDS.object);
                    let method = function
                        .child_by_field_id(FIELDS.attribute)
                        .map(|m| node_text(m, text))
                        .unwrap_or("");
                    if object.is_some_and(|o| {
                        o.kind_name() == "identifier" && node_text(o, text) == context
                    }) && TASK_METHODS.contains(&method)
                    {
                        out.tasks.push(TaskCall {
                            method: method.to_string(),
                            range: range_of(node),
                            usage: task_use(node),
                        });
                        continue;
                    }
                }
                let Some(dotted) = dotted(function, text) else {
                    continue;
                };
                if function.kind_name() == "identifier" && !local_imports.contains_key(&dotted) {
                    if let Binding::Def(NameDef {
                        kind: NameKind::Function(i),
                        ..
                    }) = module.final_binding(&dotted)
                    {
                        out.helpers.push(*i);
                        continue;
                    }
                }
                if let Some(qualified) = resolve(&dotted) {
                    out.calls.push(CallSite {
                        qualified,
                        range: range_of(node),
                        callee_range: range_of(function),
                        no_arguments,
                        statement: node
                            .parent()
                            .is_some_and(|p| p.kind_name() == "expression_statement"),
                        replay_guarded: replay_guarded(node, def, text),
                    });
                }
            }
            "attribute" => {
                if let Some(q) = dotted(node, text).and_then(|d| resolve(&d)) {
                    out.attributes.push((q, range_of(node)));
                }
            }
            "yield" if !in_nested_function(node, def) => {
                let value = node.named_child(0);
                if let Some(v) = value.filter(|v| {
                    matches!(
                        v.kind_name(),
                        "list"
                            | "list_comprehension"
                            | "tuple"
                            | "dictionary"
                            | "set"
                            | "string"
                            | "integer"
                            | "float"
                            | "true"
                            | "false"
                    )
                }) {
                    // `yield from` delegates to another generator.
                    if !node_text(node, text).starts_with("yield from") {
                        out.non_task_yields.push(NonTaskYield {
                            value: range_of(v),
                            is_list: matches!(v.kind_name(), "list" | "list_comprehension"),
                        });
                    }
                }
            }
            "await" => {
                let inner = skip_parens(node.named_child(0));
                let on_task = inner.is_some_and(|c| {
                    c.kind_name() == "call"
                        && c.child_by_field_id(FIELDS.function).is_some_and(|f| {
                            f.kind_name() == "attribute"
                                && f.child_by_field_id(FIELDS.object)
                                    .is_some_and(|o| node_text(o, text) == context)
                                && f.child_by_field_id(FIELDS.attribute)
                                    .is_some_and(|m| TASK_METHODS.contains(&node_text(m, text)))
                        })
                });
                if !on_task {
                    out.other_awaits += 1;
                }
            }
            _ => {}
        }
    }
    out.tasks.sort_by_key(|t| t.range.start);
    out.calls.sort_by_key(|c| c.range.start);
    out.attributes.sort_by_key(|a| a.1.start);
    out.non_task_yields.sort_by_key(|y| y.value.start);
    out.helpers.sort_unstable();
    out.helpers.dedup();
    Some(out)
}

/// Whether `node` is inside an `if` (of `def`) whose condition reads `is_replaying`.
fn replay_guarded(node: tree_sitter::Node, def: tree_sitter::Node, text: &str) -> bool {
    let mut current = node.parent();
    let mut steps = 0;
    while let Some(p) = current {
        steps += 1;
        if p.id() == def.id() || steps > 256 {
            return false;
        }
        if p.kind_name() == "if_statement"
            && p.child_by_field_id(FIELDS.condition)
                .is_some_and(|c| node_text(c, text).contains("is_replaying"))
        {
            return true;
        }
        current = p.parent();
    }
    false
}

/// Whether `node` is inside a function or lambda nested in `def` (its `yield` is not the
/// orchestrator's).
fn in_nested_function(node: tree_sitter::Node, def: tree_sitter::Node) -> bool {
    let mut current = node.parent();
    while let Some(p) = current {
        if p.id() == def.id() {
            return false;
        }
        if matches!(p.kind_name(), "function_definition" | "lambda") {
            return true;
        }
        current = p.parent();
    }
    false
}

fn skip_parens(mut node: Option<tree_sitter::Node>) -> Option<tree_sitter::Node> {
    while let Some(n) = node.filter(|n| n.kind_name() == "parenthesized_expression") {
        node = n.named_child(0);
    }
    node
}

fn task_use(call: tree_sitter::Node) -> TaskUse {
    let mut parent = call.parent();
    while let Some(p) = parent.filter(|p| p.kind_name() == "parenthesized_expression") {
        parent = p.parent();
    }
    match parent {
        Some(p) if p.kind_name() == "yield" => TaskUse::Yielded,
        Some(p) if p.kind_name() == "await" => TaskUse::Awaited {
            range: range_of(p),
            bare: p.parent().is_some_and(|g| {
                matches!(
                    g.kind_name(),
                    "expression_statement" | "assignment" | "augmented_assignment"
                )
            }),
        },
        Some(p) if p.kind_name() == "expression_statement" => TaskUse::Discarded,
        _ => TaskUse::Other,
    }
}

/// `a.b.c` for a chain of names, else `None`.
fn dotted(node: tree_sitter::Node, text: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut current = node;
    loop {
        match current.kind_name() {
            "identifier" => {
                parts.push(node_text(current, text));
                break;
            }
            "attribute" => {
                parts.push(node_text(
                    current.child_by_field_id(FIELDS.attribute)?,
                    text,
                ));
                current = current.child_by_field_id(FIELDS.object)?;
            }
            _ => return None,
        }
        if parts.len() > 16 {
            return None;
        }
    }
    parts.reverse();
    Some(parts.join("."))
}

/// Records what an `import` inside the function binds.
fn local_import(node: tree_sitter::Node, text: &str, into: &mut HashMap<String, String>) {
    let mut cursor = node.walk();
    let module = node
        .child_by_field_id(FIELDS.module_name)
        .map(|m| node_text(m, text).to_string());
    let from = node.kind_name() == "import_from_statement";
    for child in node.children_by_field_name("name", &mut cursor) {
        let (name, alias) = match child.kind_name() {
            "aliased_import" => (
                child
                    .child_by_field_id(FIELDS.name)
                    .map(|n| node_text(n, text)),
                child
                    .child_by_field_id(FIELDS.alias)
                    .map(|n| node_text(n, text)),
            ),
            _ => (Some(node_text(child, text)), None),
        };
        let Some(name) = name else { continue };
        match (&module, from, alias) {
            (Some(m), true, alias) => {
                into.insert(alias.unwrap_or(name).to_string(), format!("{m}.{name}"));
            }
            (_, false, Some(alias)) => {
                into.insert(alias.to_string(), name.to_string());
            }
            (_, false, None) => {
                let head = name.split('.').next().unwrap_or(name);
                into.insert(head.to_string(), head.to_string());
            }
            _ => {}
        }
    }
}

/// The qualified name of a dotted name read in a function of `module`.
fn qualify(module: &PyModule, local: &HashMap<String, String>, dotted: &str) -> Option<String> {
    let (head, rest) = match dotted.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (dotted, None),
    };
    let base = match local.get(head) {
        Some(q) => q.clone(),
        None => match module.final_binding(head) {
            Binding::Def(d) => match &d.kind {
                NameKind::Module(m) => m.clone(),
                NameKind::FromImport {
                    level: 0,
                    module,
                    name,
                } => format!("{module}.{name}"),
                _ => return None,
            },
            Binding::Unbound => format!("builtins.{head}"),
            Binding::Unknown => return None,
        },
    };
    Some(match rest {
        Some(r) => format!("{base}.{r}"),
        None => base,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_is_parsed_once_for_its_orchestrators_and_its_calls() {
        let app = crate::analysis::rules::test_support::app(
            r#"
//- /host.json
{"version": "2.0"}
//- /function_app.py
import azure.durable_functions as df
app = df.DFApp()

@app.orchestration_trigger(context_name="context")
def first(context):
    yield context.call_activity("missing", 1)

@app.orchestration_trigger(context_name="context")
def second(context):
    yield context.call_activity("work", 1)

@app.activity_trigger(input_name="payload")
def work(payload: str) -> str:
    return payload
"#,
        );
        // One thread, so that the count of this thread is the check's.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let (parses, diagnostics) = pool.install(|| {
            forget_module_bodies();
            PARSES.with(|parses| parses.set(0));
            let config = crate::analysis::Config::default();
            let diagnostics = crate::analysis::check_app_whole_messages(&app, &config);
            forget_module_bodies();
            (PARSES.with(|parses| parses.get()), diagnostics)
        });
        // The orchestrator rules read both orchestrators, AZF801 every call: one parse.
        assert!(diagnostics.iter().any(|d| d.code.as_str() == "AZF801"));
        assert_eq!(parses, 1);
    }

    #[test]
    fn threads_reading_one_module_share_its_bodies_until_they_let_go() {
        let text = "import azure.durable_functions as df\n\ndef orch(context):\n    yield context.call_activity(\"a\", 1)\n";
        let source: Arc<str> = Arc::from(text);
        let module = super::super::python::parse_for(text, true);
        let here = module_bodies(&module, &source).unwrap();
        assert!(here.body(&module.functions[0]).is_some());
        // Another thread asking for the same text gets the same reading.
        let there = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let read = module_bodies(&module, &source).unwrap();
                    forget_module_bodies();
                    read
                })
                .join()
                .unwrap()
        });
        assert!(Arc::ptr_eq(&here, &there));
        // An equal text in another allocation is read on its own.
        let copy: Arc<str> = Arc::from(text);
        let other = module_bodies(&module, &copy).unwrap();
        assert!(!Arc::ptr_eq(&here, &other));
        // Once every thread and caller has let it go, the reading is gone.
        forget_module_bodies();
        let weak = Arc::downgrade(&here);
        drop((here, there, other));
        assert!(weak.upgrade().is_none());
        let again = module_bodies(&module, &source).unwrap();
        assert!(again.body(&module.functions[0]).is_some());
        forget_module_bodies();
    }

    #[test]
    fn names_only_from_plain_literals() {
        let text = r#"
import azure.durable_functions as df
def f(context, client, n):
    context.call_activity("Hello", 1)
    context.call_activity_with_retry('Retry', opts, 2)
    context.call_sub_orchestrator(name="Sub")
    client.start_new(f"Orch{n}")
    client.start_new(n)
    context.call_activity(hello)
    df.EntityId("Counter", "k")
    EntityId(r"Raw", "k")
    call_activity("not a method")
    context.call_activity("a" "b")
    context.call_activity(b"bytes")
"#;
        let tree = parse(text).unwrap();
        let got: Vec<(DurableKind, String, String)> = name_refs(&tree, text)
            .into_iter()
            .map(|r| (r.kind, r.method, r.name))
            .collect();
        use DurableKind::*;
        assert_eq!(
            got,
            vec![
                (Activity, "call_activity".into(), "Hello".into()),
                (Activity, "call_activity_with_retry".into(), "Retry".into()),
                (Orchestrator, "call_sub_orchestrator".into(), "Sub".into()),
                (Entity, "EntityId".into(), "Counter".into()),
                (Entity, "EntityId".into(), "Raw".into()),
            ]
        );
    }
}
