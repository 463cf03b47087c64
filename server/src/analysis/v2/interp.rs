//! Runs the module-level statements of the script and of the app modules it imports, statically:
//! which names hold which app objects, what each decorator does to the builder lists, what each
//! `register_functions` copies. Values that cannot be followed are `Unknown`; nothing is guessed.

use foldhash::HashMap;

use super::syntax::{Arm, Call, ExprKind, PyExpr, Stmt, StmtKind};
use super::{
    AppName, AppObject, AppliedDecorator, Condition, DecoratedFunction, Entry, FnId, ObjId,
    ObjectKind, Problem, Registration, ScriptName, V2App,
};
use crate::analysis::app::AppInput;
use crate::analysis::imports::{locate, ModuleLocation};
use crate::analysis::modules::Modules;
use crate::analysis::python::{Import, PyModule};
use crate::analysis::text::TextRange;

/// Modules imported deeper than this are not followed.
const MAX_IMPORT_DEPTH: usize = 32;
/// At most this many statements are run in all (a guard against pathological apps).
const MAX_STEPS: usize = 200_000;
/// At most this many builders are kept per app object.
const MAX_BUILDERS: usize = 50_000;
/// At most this many builders are looked at by all `register_functions` calls together (a
/// blueprint that grows in every arm of a long chain and is registered in each).
const MAX_COPIED: usize = 1_000_000;
/// At most this many objects from other arms are kept per name.
const MAX_ALTERNATIVES: usize = 64;

/// What a name refers to.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Obj(ObjId),
    /// An app module (by its dotted parts below the app root) and the file that runs for it.
    Module {
        parts: Vec<String>,
        file: Option<String>,
    },
    /// Something outside the app, by qualified name (`azure.functions.FunctionApp`).
    External(String),
    /// A module-level name bound to a builder (a decorated `def`).
    Builder(FnId),
    /// A function or class defined in the app.
    Local,
    /// A string constant.
    Str(String),
    Unknown,
}

/// Lookups into a module's summary by offset.
struct ModuleIndex {
    /// Import statement start → index into `PyModule::imports`.
    imports: HashMap<u32, usize>,
    /// `def` offset → the name's range.
    defs: HashMap<usize, TextRange>,
}

/// An object a name held in an arm that later bindings of the name cannot run with.
#[derive(Debug, Clone)]
struct Alternative {
    condition: Condition,
    object: ObjId,
    /// Where that arm bound the name.
    range: TextRange,
}

/// What a module-level name holds, with what the model asks of it besides.
#[derive(Debug)]
struct Binding {
    value: Val,
    /// When the name was first bound, among the module's names.
    first: u32,
    /// Where the name was last bound.
    range: Option<TextRange>,
    /// The condition of the binding, when the name holds an app object.
    condition: Option<Condition>,
    /// The objects the name was bound to in other arms of `if`/`try`/`match` statements (its
    /// value when those arms ran), with their conditions.
    alternatives: Vec<Alternative>,
}

/// A module's names: one map, one copy of each name (a module of thousands of decorated
/// functions binds as many names).
#[derive(Default)]
struct Env {
    /// Keyed by the summary's own name of a `def` (shared, not copied).
    names: HashMap<std::sync::Arc<str>, Binding>,
    /// The condition of the statement of this module that is running.
    current: Condition,
}

impl Env {
    /// The binding of `name`, made (holding nothing known) when the name is new; `key` gives
    /// the new entry its key.
    fn slot<'e>(
        names: &'e mut HashMap<std::sync::Arc<str>, Binding>,
        name: &str,
        key: impl FnOnce() -> std::sync::Arc<str>,
    ) -> &'e mut Binding {
        if !names.contains_key(name) {
            let first = names.len() as u32;
            names.insert(
                key(),
                Binding {
                    value: Val::Unknown,
                    first,
                    range: None,
                    condition: None,
                    alternatives: Vec::new(),
                },
            );
        }
        names
            .get_mut(name)
            .expect("present: inserted above when missing")
    }

    fn bind(&mut self, name: &str, v: Val) {
        self.bind_with(name, || name.into(), v, None);
    }

    fn bind_at(&mut self, name: &str, v: Val, range: TextRange) {
        self.bind_with(name, || name.into(), v, Some(range));
    }

    /// [`Env::bind_at`] for a name the summary holds shared (a `def`'s).
    fn bind_shared_at(&mut self, name: &std::sync::Arc<str>, v: Val, range: TextRange) {
        self.bind_with(name, || std::sync::Arc::clone(name), v, Some(range));
    }

    /// Binds `name` to `v`; `range`, when given, is where.
    fn bind_with(
        &mut self,
        name: &str,
        key: impl FnOnce() -> std::sync::Arc<str>,
        v: Val,
        range: Option<TextRange>,
    ) {
        let binding = Env::slot(&mut self.names, name, key);
        if matches!(v, Val::Obj(_)) {
            // Earlier objects bound in arms this binding cannot run with stay the name's value
            // when those arms ran.
            let mut alternatives = std::mem::take(&mut binding.alternatives);
            alternatives.retain(|a| a.condition.excludes(&self.current));
            if let (Val::Obj(previous), Some(c)) = (&binding.value, &binding.condition) {
                if c.excludes(&self.current) && alternatives.len() < MAX_ALTERNATIVES {
                    alternatives.push(Alternative {
                        condition: c.clone(),
                        object: *previous,
                        range: binding.range.unwrap_or_default(),
                    });
                }
            }
            binding.alternatives = alternatives;
            binding.condition = Some(self.current.clone());
        } else {
            binding.condition = None;
            binding.alternatives = Vec::new();
        }
        binding.value = v;
        if range.is_some() {
            binding.range = range;
        }
    }

    fn set_range(&mut self, name: &str, range: TextRange) {
        Env::slot(&mut self.names, name, || name.into()).range = Some(range);
    }

    fn value(&self, name: &str) -> Option<&Val> {
        self.names.get(name).map(|b| &b.value)
    }

    /// The names in the order first bound.
    fn in_order(&self) -> Vec<(&std::sync::Arc<str>, &Binding)> {
        let mut names: Vec<(&std::sync::Arc<str>, &Binding)> = self.names.iter().collect();
        names.sort_unstable_by_key(|(_, b)| b.first);
        names
    }
}

struct Interp<'a> {
    app: &'a AppInput,
    modules: &'a Modules,
    /// The environment of each module run, by its number in `file_ids`.
    envs: Vec<Env>,
    /// Files whose statements are running (import cycles stop here).
    running: Vec<String>,
    executed: Vec<String>,
    objects: Vec<AppObject>,
    functions: Vec<DecoratedFunction>,
    registrations: Vec<Registration>,
    problems: Vec<Problem>,
    uncertain: bool,
    unknown_registrations: bool,
    steps: usize,
    /// Running modules the script does not import (looking for forgotten blueprints).
    orphan: bool,
    /// Builders `register_functions` calls may still look at.
    copy_budget: usize,
    /// A number for each module run, for the statements' identities in conditions.
    file_ids: HashMap<String, u32>,
    /// The module that is running: its number and the condition of the import that runs it.
    file_id: u32,
    base: Condition,
    /// The arms the running statement lies in (in its module) and whether it is conditional
    /// there.
    arms: Vec<Arm>,
    conditional: bool,
    /// The name of the module the model last made something of, shared by all it makes of it
    /// (one string per module rather than one per decorator).
    shared_file: Option<std::sync::Arc<str>>,
    /// How the last app decorator wrote its object, shared by the next that writes it alike.
    shared_object_text: Option<std::sync::Arc<str>>,
    /// The names the script calls somewhere (`name(`), read from its text when first asked.
    script_calls: Option<std::collections::HashSet<&'a str>>,
}

pub(super) fn run(app: &AppInput, modules: &Modules, script: ScriptName) -> V2App {
    let mut it = Interp {
        app,
        modules,
        envs: Vec::new(),
        running: Vec::new(),
        executed: Vec::new(),
        objects: Vec::new(),
        functions: Vec::new(),
        registrations: Vec::new(),
        problems: Vec::new(),
        uncertain: false,
        unknown_registrations: false,
        steps: 0,
        orphan: false,
        copy_budget: MAX_COPIED,
        file_ids: HashMap::default(),
        file_id: 0,
        base: Condition::default(),
        arms: Vec::new(),
        conditional: false,
        shared_file: None,
        shared_object_text: None,
        script_calls: None,
    };
    it.exec_module(&script.name, vec![stem(&script.name)]);
    if modules
        .get(&script.name)
        .is_some_and(|m| m.has_star_import || m.has_module_getattr)
    {
        it.uncertain = true;
    }
    let mut app_names = Vec::new();
    if let Some(env) = it.env_of(&script.name) {
        for (name, binding) in env.in_order() {
            if let Val::Obj(o) = &binding.value {
                if it.objects[*o].kind.is_register() {
                    app_names.push(AppName {
                        name: name.to_string(),
                        object: *o,
                        range: binding.range.unwrap_or_default(),
                        condition: binding.condition.clone().unwrap_or_default(),
                    });
                }
                // The app objects the name held when other arms ran.
                for other in &binding.alternatives {
                    if it.objects[other.object].kind.is_register() {
                        app_names.push(AppName {
                            name: name.to_string(),
                            object: other.object,
                            range: other.range,
                            condition: other.condition.clone(),
                        });
                    }
                }
            }
        }
    }
    let mut indexed = Vec::new();
    let mut seen = Vec::new();
    for n in &app_names {
        if !seen.contains(&n.object) && indexed.len() < MAX_BUILDERS {
            seen.push(n.object);
            // An object bound in an arm indexes its builders only when that arm ran.
            indexed.extend(it.objects[n.object].builders.iter().filter_map(|e| {
                Some(Entry {
                    function: e.function,
                    condition: e.condition.and(&n.condition)?,
                })
            }));
        }
    }
    // Blueprints in modules the script never imports: their functions never exist either.
    it.orphan = true;
    let mut orphans: Vec<&String> = modules
        .iter()
        .filter(|(f, _)| !it.file_ids.contains_key(*f) && !is_test_path(f))
        .filter(|(_, module)| {
            module.statements.iter().any(|s| {
                matches!(&s.kind, StmtKind::Assign { value, .. }
                    if value.as_call().and_then(|c| c.func.dotted()).is_some_and(|d| d.ends_with("Blueprint")))
            })
        })
        .map(|(f, _)| f)
        .collect();
    orphans.sort();
    for f in orphans {
        let parts = module_parts(f);
        it.exec_module(f, parts);
    }
    V2App {
        script,
        objects: it.objects,
        functions: it.functions,
        registrations: it.registrations,
        problems: it.problems,
        app_names,
        indexed,
        executed: it.executed,
        uncertain: it.uncertain,
        unknown_registrations: it.unknown_registrations,
    }
}

/// Whether `from M import name` of the script, M outside the app, may bind an app object: M
/// is neither the standard library nor a Functions library (whose names are classes, functions
/// and modules), and a name it binds looks like neither a class (capitalised) nor a function
/// (called somewhere in `text`, the script's source).
fn may_import_app_object<'t>(
    import: &Import,
    calls: &mut Option<std::collections::HashSet<&'t str>>,
    text: impl FnOnce() -> Option<&'t str>,
) -> bool {
    let module = import.module.as_str();
    let functions_library = [
        "azure.functions",
        "azure.durable_functions",
        "azurefunctions",
    ]
    .iter()
    .any(|lib| module == *lib || module.strip_prefix(lib).is_some_and(|r| r.starts_with('.')));
    if functions_library || crate::analysis::requirements::is_stdlib(module) {
        return false;
    }
    let mut text = Some(text);
    import.names.iter().any(|n| {
        let bound = n.alias.as_deref().unwrap_or(&n.name);
        if bound == "*" || bound.starts_with(|c: char| c.is_uppercase()) {
            return false;
        }
        // Made once per script: a script of many such imports reads its text once.
        let called = calls.get_or_insert_with(|| {
            text.take()
                .and_then(|text| text())
                .map(called_names)
                .unwrap_or_default()
        });
        !called.contains(bound)
    })
}

/// The identifiers of `text` written as a call (`name(`, not `x.name(`): one pass over the text.
fn called_names(text: &str) -> std::collections::HashSet<&str> {
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80;
    let mut found = std::collections::HashSet::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_ident(bytes[i]) || bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        let mut j = i;
        while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
            j += 1;
        }
        let attribute = start > 0 && bytes[start - 1] == b'.';
        if j < bytes.len() && bytes[j] == b'(' && !attribute {
            // Both ends are at ASCII bytes or the text's ends: character boundaries.
            found.insert(&text[start..i]);
        }
    }
    found
}

/// `text` as the string `last` holds when it is the same (one allocation for a run of equal
/// texts), else as a new one that `last` then holds.
fn shared_alike(last: &mut Option<std::sync::Arc<str>>, text: &str) -> std::sync::Arc<str> {
    match last {
        Some(shared) if **shared == *text => std::sync::Arc::clone(shared),
        _ => {
            let shared: std::sync::Arc<str> = text.into();
            *last = Some(std::sync::Arc::clone(&shared));
            shared
        }
    }
}

fn stem(file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.strip_suffix(".py").unwrap_or(name).to_string()
}

/// The dotted parts of an app file (`a/b.py` → `a.b`, `a/__init__.py` → `a`).
fn module_parts(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.split('/').map(str::to_string).collect();
    if let Some(last) = parts.last_mut() {
        *last = last.strip_suffix(".py").unwrap_or(last).to_string();
    }
    if parts.last().is_some_and(|l| l == "__init__") {
        parts.pop();
    }
    parts
}

fn is_test_path(file: &str) -> bool {
    file.split('/')
        .any(|p| p == "tests" || p == "test" || p.starts_with("test_") || p.ends_with("_test.py"))
}

impl Interp<'_> {
    /// The environment of the running module (`file`): found by the module's number, as this
    /// runs for every statement.
    fn env(&mut self, file: &str) -> &mut Env {
        debug_assert_eq!(self.file_ids.get(file), Some(&self.file_id), "{file} runs");
        &mut self.envs[self.file_id as usize]
    }

    /// The environment of `file`, when it has run or is running.
    fn env_of(&self, file: &str) -> Option<&Env> {
        // Mostly asked of the running module: found without hashing its name.
        if self.running.last().is_some_and(|running| running == file) {
            return self.envs.get(self.file_id as usize);
        }
        self.envs.get(*self.file_ids.get(file)? as usize)
    }

    fn lookup(&self, file: &str, name: &str) -> Val {
        self.env_of(file)
            .and_then(|e| e.value(name))
            .cloned()
            .unwrap_or(Val::Unknown)
    }

    /// The arms the running statement needs, the import that runs its module included.
    fn condition(&self) -> Condition {
        if self.arms.is_empty() {
            return self.base.clone();
        }
        let own = Condition::from_arms(self.file_id, &self.arms);
        // Statements of different modules never share a number: no contradiction.
        self.base.and(&own).unwrap_or(own)
    }

    /// Runs a module once; `parts` is its dotted name (for relative imports).
    fn exec_module(&mut self, file: &str, parts: Vec<String>) {
        if self.file_ids.contains_key(file) || self.running.len() > MAX_IMPORT_DEPTH {
            return;
        }
        let Some(module) = self.modules.get(file).cloned() else {
            return;
        };
        // The module runs where the import statement runs: under its condition.
        let next_id = self.file_ids.len() as u32;
        let file_id = *self.file_ids.entry(file.to_string()).or_insert(next_id);
        let base = self.condition();
        let outer = (
            std::mem::replace(&mut self.base, base),
            std::mem::replace(&mut self.file_id, file_id),
            std::mem::take(&mut self.arms),
            self.conditional,
        );
        self.run_module(file, &module, parts);
        (self.base, self.file_id, self.arms, self.conditional) = outer;
    }

    fn run_module(&mut self, file: &str, module: &PyModule, parts: Vec<String>) {
        debug_assert_eq!(
            self.envs.len(),
            self.file_id as usize,
            "numbered in run order"
        );
        self.envs.push(Env::default());
        self.running.push(file.to_string());
        if !self.orphan {
            self.executed.push(file.to_string());
        }
        let is_package = file.ends_with("__init__.py");
        let package: Vec<String> = if is_package {
            parts.clone()
        } else {
            parts[..parts.len().saturating_sub(1)].to_vec()
        };
        let index = ModuleIndex {
            imports: module
                .imports
                .iter()
                .enumerate()
                .map(|(i, imp)| (imp.range.start, i))
                .collect(),
            defs: module
                .functions
                .iter()
                .map(|f| (f.def_offset, f.name_range))
                .collect(),
        };
        for stmt in &module.statements {
            self.steps += 1;
            if self.steps > MAX_STEPS {
                self.uncertain = true;
                break;
            }
            self.arms.clone_from(&stmt.arms);
            self.conditional = stmt.conditional;
            let current = self.condition();
            self.env(file).current = current;
            self.exec_stmt(file, module, &index, stmt, &package);
        }
        self.running.pop();
    }

    fn exec_stmt(
        &mut self,
        file: &str,
        module: &PyModule,
        index: &ModuleIndex,
        stmt: &Stmt,
        package: &[String],
    ) {
        match &stmt.kind {
            StmtKind::Import => {
                let import = index
                    .imports
                    .get(&stmt.range.start)
                    .and_then(|&i| module.imports.get(i))
                    .cloned();
                if let Some(import) = import {
                    self.exec_import(file, &import, package);
                    for n in &import.names {
                        let bound = n.alias.clone().unwrap_or_else(|| {
                            n.name.split('.').next().unwrap_or_default().to_string()
                        });
                        self.env(file).set_range(&bound, n.range);
                    }
                }
            }
            StmtKind::Assign { targets, value } => {
                let v = self.eval(file, value);
                if self.conditional && matches!(v, Val::Obj(_)) {
                    self.uncertain = true;
                }
                for t in targets {
                    self.bind_target(file, t, v.clone());
                }
            }
            StmtKind::Expr(e) => {
                if let Some(call) = e.as_call() {
                    self.exec_call(file, call, e.range);
                }
            }
            StmtKind::Def {
                name,
                def_offset,
                decorators,
            } => {
                let def_name_range = index
                    .defs
                    .get(def_offset)
                    .copied()
                    .unwrap_or(TextRange::empty(*def_offset));
                let v = self.exec_def(file, name, *def_offset, def_name_range, decorators);
                self.env(file).bind_shared_at(name, v, def_name_range);
            }
            StmtKind::Class { name } => self.env(file).bind(name, Val::Local),
        }
    }

    fn bind_target(&mut self, file: &str, target: &PyExpr, v: Val) {
        match &target.kind {
            ExprKind::Name(n) => {
                if let Val::Obj(o) = v {
                    if self.objects[o].var.is_empty() {
                        self.objects[o].var = n.clone();
                    }
                }
                self.env(file).bind_at(n, v, target.range);
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items {
                    self.bind_target(file, i, Val::Unknown);
                }
            }
            _ => {}
        }
    }

    /// The module at `parts`, run if it is an app module.
    fn import_module(&mut self, parts: &[String]) -> Option<Val> {
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let location = locate(self.app, &refs)?;
        let file = location.file().map(str::to_string);
        if let Some(f) = &file {
            self.exec_module(f, parts.to_vec());
        }
        if matches!(location, ModuleLocation::Namespace(_)) && parts.is_empty() {
            return None;
        }
        Some(Val::Module {
            parts: parts.to_vec(),
            file,
        })
    }

    /// Whether `top` names an app module or package (not `azure`, which is the library's).
    fn is_local(&self, top: &str) -> bool {
        !top.is_empty()
            && top != "azure"
            && (self.app.exists(&format!("{top}.py"))
                || self.app.exists(&format!("{top}/__init__.py"))
                || self.app.dir_exists(top))
    }

    fn exec_import(&mut self, file: &str, import: &Import, package: &[String]) {
        // The module the statement names, below the app root, or None when it is external.
        let base: Option<Vec<String>> = if import.level > 0 {
            let up = import.level as usize - 1;
            if up >= package.len() {
                // A top-level module has no parent package: the import raises, names stay unknown.
                for n in &import.names {
                    let bound = n.alias.clone().unwrap_or_else(|| n.name.clone());
                    self.env(file).bind(&bound, Val::Unknown);
                }
                return;
            }
            let mut parts = package[..package.len() - up].to_vec();
            parts.extend(
                import
                    .module
                    .split('.')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            );
            Some(parts)
        } else if import.is_from {
            let top = import.module.split('.').next().unwrap_or("");
            self.is_local(top)
                .then(|| import.module.split('.').map(str::to_string).collect())
        } else {
            None
        };
        if !import.is_from {
            for n in &import.names {
                let parts: Vec<String> = n.name.split('.').map(str::to_string).collect();
                let top = parts.first().cloned().unwrap_or_default();
                if !self.is_local(&top) {
                    match &n.alias {
                        Some(alias) => self.env(file).bind(alias, Val::External(n.name.clone())),
                        None => self.env(file).bind(&top, Val::External(top.clone())),
                    }
                    continue;
                }
                let mut last = Val::Unknown;
                for i in 1..=parts.len() {
                    last = self.import_module(&parts[..i]).unwrap_or(Val::Unknown);
                }
                match &n.alias {
                    Some(alias) => self.env(file).bind(alias, last),
                    None => {
                        let v = self.import_module(&parts[..1]).unwrap_or(Val::Unknown);
                        self.env(file).bind(&top, v);
                    }
                }
            }
            return;
        }
        let Some(base) = base else {
            // The worker looks for the app object among the script's names, imported ones
            // included: one taken from a package the model does not read may be it.
            if import.is_from && self.running.len() == 1 && !self.orphan && !self.uncertain {
                let app = self.app;
                self.uncertain =
                    may_import_app_object(import, &mut self.script_calls, || app.text(file));
            }
            for n in &import.names {
                let bound = n.alias.clone().unwrap_or_else(|| n.name.clone());
                let q = format!("{}.{}", import.module, n.name);
                self.env(file).bind(&bound, Val::External(q));
            }
            return;
        };
        let mut module_val = None;
        for i in 1..=base.len() {
            module_val = self.import_module(&base[..i]);
        }
        if base.is_empty() {
            module_val = Some(Val::Module {
                parts: Vec::new(),
                file: None,
            });
        }
        for n in &import.names {
            let bound = n.alias.clone().unwrap_or_else(|| n.name.clone());
            let mut sub = base.clone();
            sub.push(n.name.clone());
            let v = match self.import_module(&sub) {
                Some(v) => v,
                None => match &module_val {
                    Some(Val::Module { file: Some(f), .. }) => {
                        let f = f.clone();
                        self.lookup(&f, &n.name)
                    }
                    _ => Val::Unknown,
                },
            };
            self.env(file).bind(&bound, v);
        }
    }

    /// An attribute of a value.
    fn attribute(&mut self, base: Val, name: &str) -> Val {
        match base {
            Val::Module { parts, file } => {
                let mut sub = parts.clone();
                sub.push(name.to_string());
                if let Some(f) = &file {
                    let v = self.lookup(f, name);
                    if v != Val::Unknown {
                        return v;
                    }
                }
                // A submodule that the package itself did not import is not an attribute yet,
                // unless an import elsewhere loaded it.
                let refs: Vec<&str> = sub.iter().map(String::as_str).collect();
                match locate(self.app, &refs).and_then(|l| l.file().map(str::to_string)) {
                    Some(f) if self.file_ids.contains_key(&f) => Val::Module {
                        parts: sub,
                        file: Some(f),
                    },
                    _ => Val::Unknown,
                }
            }
            Val::External(q) => Val::External(format!("{q}.{name}")),
            _ => Val::Unknown,
        }
    }

    fn eval(&mut self, file: &str, e: &PyExpr) -> Val {
        match &e.kind {
            ExprKind::Name(n) => self.lookup(file, n),
            ExprKind::Attribute { object, name, .. } => {
                let base = self.eval(file, object);
                self.attribute(base, name)
            }
            ExprKind::Str(s) => Val::Str(s.clone()),
            ExprKind::Call(call) => {
                let callee = self.eval(file, &call.func);
                match callee {
                    Val::External(q) => match ObjectKind::from_qualified(&q) {
                        Some(kind) => Val::Obj(self.construct(file, kind, call, e.range)),
                        None => Val::Unknown,
                    },
                    Val::Local => {
                        // An app object built by the app's own code cannot be followed.
                        self.uncertain = true;
                        Val::Unknown
                    }
                    _ => Val::Unknown,
                }
            }
            _ => Val::Unknown,
        }
    }

    /// How `object` (which holds `o`) is written, shared with the decorator before when it
    /// wrote it alike (a blueprint's decorators all write `bp`).
    fn object_text(&mut self, object: &PyExpr, o: ObjId) -> std::sync::Arc<str> {
        let text: std::borrow::Cow<str> = match &object.kind {
            ExprKind::Name(name) => name.as_str().into(),
            _ => match object.dotted() {
                Some(dotted) => dotted.into(),
                None => self.objects[o].var.as_str().into(),
            },
        };
        shared_alike(&mut self.shared_object_text, &text)
    }

    /// `file`, shared with what the model made of it just before.
    fn file_name(&mut self, file: &str) -> std::sync::Arc<str> {
        shared_alike(&mut self.shared_file, file)
    }

    fn construct(&mut self, file: &str, kind: ObjectKind, call: &Call, range: TextRange) -> ObjId {
        let id = self.objects.len();
        self.objects.push(AppObject {
            kind,
            file: file.to_string(),
            range,
            call: call.clone(),
            var: String::new(),
            builders: Vec::new(),
            imported: !self.orphan,
            condition: self.condition(),
        });
        if matches!(
            kind,
            ObjectKind::AsgiFunctionApp | ObjectKind::WsgiFunctionApp
        ) {
            // The constructor registers the web app's function itself.
            let fid = self.functions.len();
            let file = self.file_name(file);
            self.functions.push(DecoratedFunction {
                file,
                def_offset: None,
                def_name: "http_app_func".into(),
                def_name_range: range,
                owner: id,
                decorators: Vec::new(),
                inner_wrappers: 0,
                conditional: self.conditional,
                http_app: Some(kind),
                imported: !self.orphan,
                condition: self.condition(),
            });
            let condition = self.condition();
            self.objects[id].builders.push(Entry {
                function: fid,
                condition,
            });
        }
        id
    }

    fn exec_call(&mut self, file: &str, call: &Call, range: TextRange) {
        let ExprKind::Attribute { object, name, .. } = &call.func.kind else {
            // A bare call may still create an object whose decorators run later; nothing to do.
            return;
        };
        if name != "register_functions" && name != "register_blueprint" {
            return;
        }
        let Val::Obj(app) = self.eval(file, object) else {
            return;
        };
        if self.conditional {
            self.uncertain = true;
        }
        let condition = self.condition();
        let Some(arg) = call.args.first() else {
            return;
        };
        let value = self.eval(file, &arg.value);
        match value {
            Val::Obj(o) if self.objects[o].kind.is_register() => {
                self.problems.push(Problem::RegisterApp {
                    file: file.to_string(),
                    range: arg.value.range,
                    kind: self.objects[o].kind,
                });
            }
            Val::Obj(o) => {
                // A blueprint the name held in another arm of an `if`/`try`/`match` is what
                // the call registers when that arm ran.
                let alternatives = match &arg.value.kind {
                    ExprKind::Name(n) => self
                        .env_of(file)
                        .and_then(|e| e.names.get(n.as_str()))
                        .map(|b| b.alternatives.clone())
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                let arg_range = arg.value.range;
                self.register(file, range, arg_range, app, o, condition.clone());
                for other in alternatives {
                    if self.objects[other.object].kind.is_register() {
                        continue;
                    }
                    if let Some(both) = condition.and(&other.condition) {
                        self.register(file, range, arg_range, app, other.object, both);
                    }
                }
            }
            _ => {
                self.unknown_registrations = true;
                self.registrations.push(Registration {
                    file: file.to_string(),
                    range,
                    arg_range: arg.value.range,
                    app,
                    container: None,
                    snapshot: 0,
                    condition,
                });
            }
        }
    }

    /// `app.register_functions(o)` under `condition`: copies the blueprint's builders.
    fn register(
        &mut self,
        file: &str,
        range: TextRange,
        arg_range: TextRange,
        app: ObjId,
        o: ObjId,
        condition: Condition,
    ) {
        let room = MAX_BUILDERS.saturating_sub(self.objects[app].builders.len());
        let available = self.objects[o].builders.len();
        if available > room {
            // Registering the same blueprint again and again: no real app gets here.
            self.uncertain = true;
        }
        let snapshot = available.min(room);
        let examined = snapshot.min(self.copy_budget);
        if examined < snapshot {
            self.uncertain = true;
        }
        self.copy_budget -= examined;
        // Each copy needs the arms of its builder and of this call; a builder defined in another
        // arm of a statement than the call is never copied by it.
        let copied: Vec<Entry> = self.objects[o].builders[..examined]
            .iter()
            .filter_map(|e| {
                Some(Entry {
                    function: e.function,
                    condition: e.condition.and(&condition)?,
                })
            })
            .collect();
        self.registrations.push(Registration {
            file: file.to_string(),
            range,
            arg_range,
            app,
            container: Some(o),
            snapshot,
            condition,
        });
        self.objects[app].builders.extend(copied);
    }

    /// The app object and method of a decorator expression (`@app.route(...)`), if it is one.
    fn app_decorator(&mut self, file: &str, d: &PyExpr) -> Option<AppliedDecorator> {
        let (func, call) = match &d.kind {
            ExprKind::Call(c) => (&c.func, Some(std::sync::Arc::clone(c))),
            _ => return None,
        };
        let ExprKind::Attribute {
            object,
            name,
            name_range,
        } = &func.kind
        else {
            return None;
        };
        let Val::Obj(o) = self.eval(file, object) else {
            return None;
        };
        let index = crate::analysis::catalog::decorator_index(name)?;
        Some(AppliedDecorator {
            object: o,
            object_text: self.object_text(object, o),
            method: crate::analysis::catalog::decorator_at(index).name,
            spec_index: Some(index),
            method_range: *name_range,
            range: d.range,
            call,
            file: self.file_name(file),
        })
    }

    fn exec_def(
        &mut self,
        file: &str,
        name: &std::sync::Arc<str>,
        def_offset: usize,
        def_name_range: TextRange,
        decorators: &[PyExpr],
    ) -> Val {
        let conditional = self.conditional;
        let mut current: Option<FnId> = None;
        let mut inner_wrappers = 0;
        for (i, d) in decorators.iter().enumerate().rev() {
            let Some(applied) = self.app_decorator(file, d) else {
                if current.is_none() {
                    inner_wrappers += 1;
                }
                continue;
            };
            if conditional {
                self.uncertain = true;
            }
            let object = applied.object;
            match current {
                Some(b) => match self.objects[object].builders.pop() {
                    None => {
                        self.problems.push(Problem::StackedEmpty {
                            decorator: applied,
                            function: b,
                        });
                        return Val::Unknown;
                    }
                    Some(entry) => {
                        let popped = entry.function;
                        if popped != b {
                            self.problems.push(Problem::StackedForeign {
                                decorator: applied.clone(),
                                function: b,
                                grabbed: popped,
                            });
                        }
                        self.functions[popped].decorators.push(applied);
                        self.objects[object].builders.push(entry);
                        current = Some(popped);
                    }
                },
                None => {
                    let fid = self.functions.len();
                    let file = self.file_name(file);
                    self.functions.push(DecoratedFunction {
                        file,
                        def_offset: Some(def_offset),
                        def_name: std::sync::Arc::clone(name),
                        def_name_range,
                        owner: object,
                        // This decorator and at most every one above it.
                        decorators: {
                            let mut applied_above = Vec::with_capacity(i + 1);
                            applied_above.push(applied);
                            applied_above
                        },
                        inner_wrappers,
                        conditional,
                        http_app: None,
                        imported: !self.orphan,
                        condition: self.condition(),
                    });
                    let condition = self.condition();
                    self.objects[object].builders.push(Entry {
                        function: fid,
                        condition,
                    });
                    current = Some(fid);
                }
            }
        }
        match current {
            Some(b) => Val::Builder(b),
            None => Val::Local,
        }
    }
}

/// The string constant a module-level name holds after the module ran, if any.
pub fn constant(modules: &Modules, file: &str, name: &str) -> Option<String> {
    let module = modules.get(file)?;
    let mut value = None;
    for s in &module.statements {
        if let StmtKind::Assign { targets, value: v } = &s.kind {
            if targets
                .iter()
                .any(|t| matches!(&t.kind, ExprKind::Name(n) if n == name))
            {
                value = match (&v.kind, s.conditional) {
                    (ExprKind::Str(s), false) => Some(s.clone()),
                    _ => None,
                };
            }
        }
    }
    value
}
