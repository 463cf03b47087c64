//! Converting a `function.json` app to the decorator model, as a plan of file changes.
//!
//! Each function folder stays where it is, as a package the new script imports; the script
//! declares one thin decorated function per former folder that calls the folder's entry point
//! with the same arguments. The package import keeps relative imports inside the folder and the
//! frames of the function's own code as they were; the wrapper has the entry point's parameters
//! and annotations, so the worker binds and converts exactly what it did before.
//!
//! Pure: the input is the app's files, the output is a [`Plan`] of file creations, edits (byte
//! offsets) and deletions, or the list of everything that cannot be converted faithfully.

pub mod translate;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::analysis::app::{AppInput, FileContent};
use crate::analysis::app_script::{script_name, uses_decorator_model};
use crate::analysis::edits::apply_edits;
use crate::analysis::function::{self, Entry, FunctionUnit, Modules, Script};
use crate::analysis::imports::locate;
use crate::analysis::json::{self, JsonKind};
use crate::analysis::python::{Annotation, Binding, NameKind, ParamKind, PyModule};
use crate::analysis::text::TextRange;
use crate::analysis::FileEdit;
use translate::{is_identifier, py_str, DecoratorCall};

/// The extension bundle range written when host.json asks for one too old for the decorator model.
pub const BUNDLE_RANGE: &str = "[4.*, 5.0.0)";

/// What the conversion produces.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// One blueprint module per former folder, registered from the script, instead of every
    /// function in the script.
    pub blueprints: bool,
}

/// One change to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Create { path: String, text: String },
    Edit { path: String, edits: Vec<FileEdit> },
    Delete { path: String },
}

impl Change {
    pub fn path(&self) -> &str {
        match self {
            Change::Create { path, .. } | Change::Edit { path, .. } | Change::Delete { path } => {
                path
            }
        }
    }
}

/// The conversion of an app: its changes, sorted by path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// The converted functions, in host order.
    pub functions: Vec<String>,
}

impl Plan {
    /// Each changed file with its new text (`None`: deleted), sorted by path.
    pub fn new_texts(&self, app: &AppInput) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        for c in &self.changes {
            match c {
                Change::Create { path, text } => out.push((path.clone(), Some(text.clone()))),
                Change::Delete { path } => out.push((path.clone(), None)),
                Change::Edit { path, edits } => {
                    let refs: Vec<&FileEdit> = edits.iter().collect();
                    if let Some(text) = app.text(path).and_then(|t| apply_edits(t, &refs)) {
                        out.push((path.clone(), Some(text)));
                    }
                }
            }
        }
        out
    }

    /// The app as it is after the plan.
    pub fn apply(&self, app: &AppInput) -> AppInput {
        let mut out = app.clone();
        for (path, text) in self.new_texts(app) {
            match text {
                Some(t) => {
                    out.files.insert(path, FileContent::Text(Arc::from(t)));
                }
                None => {
                    out.files.remove(&path);
                }
            }
        }
        out
    }

    /// The `function.json` files the plan removes.
    pub fn removed(&self) -> Vec<&str> {
        self.changes
            .iter()
            .filter_map(|c| match c {
                Change::Delete { path } => Some(path.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Something that cannot be converted faithfully: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Refusal {
    pub file: String,
    pub range: Option<TextRange>,
    pub reason: String,
}

fn refusal(file: &str, range: Option<TextRange>, reason: impl Into<String>) -> Refusal {
    Refusal {
        file: file.to_string(),
        range,
        reason: reason.into(),
    }
}

/// Names bound at the top of a generated module, and by what.
struct Names {
    bound: HashMap<String, String>,
    /// The next suffix to try for each base name (so many equal names stay linear).
    next_suffix: HashMap<String, usize>,
}

const FUNC_IMPORT: &str = "import azure.functions as func";

/// Builtins an annotation may name without an import (also never used for generated names).
const BUILTINS: &[&str] = &[
    "bool",
    "bytearray",
    "bytes",
    "complex",
    "dict",
    "float",
    "frozenset",
    "int",
    "list",
    "memoryview",
    "object",
    "set",
    "str",
    "tuple",
    "type",
];

impl Names {
    fn new() -> Names {
        let mut bound = HashMap::new();
        bound.insert("func".to_string(), FUNC_IMPORT.to_string());
        for reserved in ["app", "bp", "importlib", "main"] {
            bound.insert(reserved.to_string(), String::new());
        }
        for b in BUILTINS {
            bound.insert(b.to_string(), String::new());
        }
        Names {
            bound,
            next_suffix: HashMap::new(),
        }
    }

    /// Binds `name` to an import line; false when it is taken by something else.
    fn bind_import(&mut self, name: &str, line: &str) -> bool {
        match self.bound.get(name) {
            Some(l) => l == line,
            None => {
                self.bound.insert(name.to_string(), line.to_string());
                true
            }
        }
    }

    /// A free identifier made from `wanted`.
    fn fresh(&mut self, wanted: &str) -> String {
        let base = identifier_from(wanted);
        let mut candidate = base.clone();
        let n = self.next_suffix.entry(base.clone()).or_insert(2);
        while self.bound.contains_key(&candidate) {
            candidate = format!("{base}_{n}");
            *n += 1;
        }
        self.bound.insert(candidate.clone(), String::new());
        candidate
    }
}

/// `s` with every character an identifier cannot hold replaced by `_`.
fn identifier_from(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if translate::PYTHON_KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// One converted function.
struct Converted {
    name: String,
    folder: String,
    /// `import a.b as _alias`, or `_alias = importlib.import_module("a-b")`.
    module_import: String,
    uses_importlib: bool,
    /// Imports the wrapper's annotations need, besides `azure.functions as func`.
    imports: Vec<String>,
    decorators: Vec<DecoratorCall>,
    /// The wrapper, from `def` (or `async def`) to the end of its body, without decorators.
    wrapper: String,
}

/// Plans the conversion of `app` to the decorator model, or says everything that stops it.
pub fn plan(app: &AppInput, options: &Options) -> Result<Plan, Vec<Refusal>> {
    plan_with(app, &function::parse_modules(app), options)
}

/// [`plan`] with the app's Python files already parsed (the language server keeps them).
pub fn plan_with(
    app: &AppInput,
    modules: &Modules,
    options: &Options,
) -> Result<Plan, Vec<Refusal>> {
    let script = script_name(app);
    if uses_decorator_model(app) {
        return Err(vec![refusal(
            &script.name,
            None,
            "the app already uses the decorator model (it has its script)",
        )]);
    }
    if !script.is_valid() {
        return Err(vec![refusal(
            "local.settings.json",
            script.setting,
            format!(
                "`PYTHON_SCRIPT_FILE_NAME` ({}) is not a script name the worker accepts",
                script.name
            ),
        )]);
    }
    let units = function::discover(app);
    if units.is_empty() {
        return Err(vec![refusal(
            "host.json",
            None,
            "the app has no function folder (a folder with function.json) to convert",
        )]);
    }
    let mut names = Names::new();
    let mut refusals = Vec::new();
    let mut converted = Vec::new();
    for unit in &units {
        match convert(app, modules, unit, &mut names) {
            Ok(c) => converted.push(c),
            Err(mut r) => refusals.append(&mut r),
        }
    }
    let folders: std::collections::HashSet<&str> = units
        .iter()
        .filter_map(|u| u.declaration_file().strip_suffix("/function.json"))
        .collect();
    check_imports(modules, &folders, &mut refusals);
    let mut changes = Vec::new();
    if let Some(edit) = bundle_edit(app) {
        changes.push(Change::Edit {
            path: "host.json".into(),
            edits: vec![edit],
        });
    }
    let created = if options.blueprints {
        blueprint_files(app, &script.name, &converted, &mut names, &mut refusals)
    } else {
        vec![(script.name.clone(), script_file(&converted, &[]))]
    };
    if !refusals.is_empty() {
        refusals.sort();
        refusals.dedup();
        return Err(refusals);
    }
    for (path, text) in created {
        changes.push(Change::Create { path, text });
    }
    for unit in &units {
        changes.push(Change::Delete {
            path: unit.declaration_file().to_string(),
        });
    }
    changes.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(Plan {
        changes,
        functions: converted.into_iter().map(|c| c.name).collect(),
    })
}

/// The top-level keys of function.json the host ignores (or that say nothing when false).
fn ignorable_key(key: &str, value: Option<&json::JsonValue>) -> bool {
    match key {
        "bindings"
        | "scriptFile"
        | "entryPoint"
        | "$schema"
        | "configurationSource"
        | "generatedBy" => true,
        "disabled" | "excluded" => value.is_some_and(|v| v.kind == JsonKind::Bool(false)),
        _ => false,
    }
}

fn convert(
    app: &AppInput,
    modules: &Modules,
    unit: &FunctionUnit,
    names: &mut Names,
) -> Result<Converted, Vec<Refusal>> {
    let fj_path = unit.declaration_file();
    let folder = fj_path.strip_suffix("/function.json").unwrap_or(&unit.name);
    let whole = |reason: String| Err(vec![refusal(fj_path, None, reason)]);
    if unit.json_unavailable().is_some() || !unit.json.is_readable() {
        return whole("function.json cannot be read as a JSON object".into());
    }
    let mut refusals = Vec::new();
    if let Some(JsonKind::Object(members)) = unit.json.root.as_ref().map(|r| &r.kind) {
        for m in members {
            if !ignorable_key(&m.key, m.value.as_ref()) {
                refusals.push(refusal(
                    fj_path,
                    Some(m.key_range),
                    format!("`{}` has no decorator equivalent here", m.key),
                ));
            }
        }
    }
    let calls = match translate::translate(unit.bindings()) {
        Ok(c) => c,
        Err(problems) => {
            refusals.extend(
                problems
                    .into_iter()
                    .map(|p| refusal(fj_path, Some(p.range), p.reason)),
            );
            Vec::new()
        }
    };
    let script = match &unit.script {
        Script::Found { path, .. } if path.starts_with(&format!("{folder}/")) => path,
        Script::Found { path, declared } => {
            refusals.push(refusal(
                fj_path,
                declared.as_ref().map(|d| d.range),
                format!(
                    "the script `{path}` is outside the function's folder: importing the folder \
                     as a package would not run it"
                ),
            ));
            return Err(refusals);
        }
        Script::OutsideApp { declared } | Script::DeclaredMissing { declared, .. } => {
            refusals.push(refusal(
                fj_path,
                Some(declared.range),
                "`scriptFile` does not name a file in the function's folder",
            ));
            return Err(refusals);
        }
        Script::Undetermined { .. } | Script::NotReached => {
            refusals.push(refusal(
                fj_path,
                None,
                "the host finds no script for this function",
            ));
            return Err(refusals);
        }
    };
    let Some(module_path) = script.strip_suffix(".py") else {
        refusals.push(refusal(script, None, "the script is not a Python file"));
        return Err(refusals);
    };
    let mut parts: Vec<&str> = module_path.split('/').collect();
    if parts.last() == Some(&"__init__") {
        parts.pop();
    }
    if parts.iter().any(|p| p.is_empty() || p.contains('.')) {
        refusals.push(refusal(
            script,
            None,
            "the script's path cannot be imported as a module (a name with a dot)",
        ));
        return Err(refusals);
    }
    let (Some(module), Some(text)) = (modules.get(script.as_str()), app.text(script)) else {
        refusals.push(refusal(script, None, "the script cannot be read"));
        return Err(refusals);
    };
    let entry = unit.json.entry_name();
    let entry_range = unit.json.entry_point.as_ref().map(|e| e.range);
    if entry.contains('.') || !is_identifier(entry) {
        refusals.push(refusal(
            fj_path,
            entry_range,
            format!(
                "the entry point `{entry}` is not a module-level function name (a class method?)"
            ),
        ));
        return Err(refusals);
    }
    let def = match function::entry_point(module, entry, text) {
        Entry::Function(f) => f,
        Entry::Class { class, .. } => {
            refusals.push(refusal(
                script,
                Some(class.name_range),
                format!("the entry point `{entry}` is a class; only a function can be decorated"),
            ));
            return Err(refusals);
        }
        Entry::Missing => {
            refusals.push(refusal(
                script,
                None,
                format!("the entry point `{entry}` is not defined in the script"),
            ));
            return Err(refusals);
        }
        Entry::NotCallable { offset, .. } | Entry::Instance { offset, .. } => {
            refusals.push(refusal(
                script,
                Some(TextRange::new(offset, offset)),
                format!("the entry point `{entry}` is not a function"),
            ));
            return Err(refusals);
        }
        Entry::Unknown => {
            refusals.push(refusal(
                script,
                None,
                format!(
                    "the entry point `{entry}` is bound by code that cannot be read statically \
                     (an import, a call or a conditional definition): its parameters are unknown"
                ),
            ));
            return Err(refusals);
        }
    };
    let alias = names.fresh(&format!("_{}", identifier_from(folder)));
    let identifiers = parts.iter().all(|p| is_identifier(p));
    let dotted = parts.join(".");
    let module_import = if identifiers {
        format!("import {dotted} as {alias}")
    } else {
        format!("{alias} = importlib.import_module({})", py_str(&dotted))
    };
    // The wrapper's signature: the entry point's parameters and annotations.
    let mut imports = Vec::new();
    let mut params = Vec::new();
    let mut args = Vec::new();
    let mut seen_keyword_only = false;
    let positional_only = def
        .params
        .iter()
        .rposition(|p| p.kind == ParamKind::PositionalOnly);
    for (i, p) in def.params.iter().enumerate() {
        match p.kind {
            ParamKind::VarPositional | ParamKind::VarKeyword => {
                refusals.push(refusal(
                    script,
                    Some(p.range),
                    "a `*args`/`**kwargs` parameter cannot be bound to a binding",
                ));
                continue;
            }
            ParamKind::KeywordOnly if !seen_keyword_only => {
                seen_keyword_only = true;
                params.push("*".to_string());
            }
            _ => {}
        }
        if p.has_default {
            refusals.push(refusal(
                script,
                Some(p.range),
                format!(
                    "parameter `{}` has a default value, which is not copied",
                    p.name
                ),
            ));
            continue;
        }
        let mut text = p.name.clone();
        if let Some(a) = &p.annotation {
            match annotation(app, module, a, &alias, names, &mut imports) {
                Ok(t) => text = format!("{}: {t}", p.name),
                Err(reason) => refusals.push(refusal(script, Some(a.range), reason)),
            }
        }
        params.push(text);
        if positional_only == Some(i) {
            params.push("/".to_string());
        }
        args.push(if p.kind == ParamKind::KeywordOnly {
            format!("{0}={0}", p.name)
        } else {
            p.name.clone()
        });
    }
    let returns = match &def.return_annotation {
        Some(a) => match annotation(app, module, a, &alias, names, &mut imports) {
            Ok(t) => format!(" -> {t}"),
            Err(reason) => {
                refusals.push(refusal(script, Some(a.range), reason));
                String::new()
            }
        },
        None => String::new(),
    };
    if !refusals.is_empty() {
        return Err(refusals);
    }
    let def_name = if is_identifier(&unit.name) && !names.bound.contains_key(&unit.name) {
        names.bound.insert(unit.name.clone(), String::new());
        unit.name.clone()
    } else {
        names.fresh(&unit.name)
    };
    let mut decorators = Vec::new();
    if def_name != unit.name {
        decorators.push(DecoratorCall {
            method: "function_name",
            args: vec![("name".to_string(), py_str(&unit.name))],
        });
    }
    decorators.extend(calls);
    let (keyword, call) = if def.is_async {
        ("async def", "await ")
    } else {
        ("def", "")
    };
    let wrapper = format!(
        "{keyword} {def_name}({}){returns}:\n    return {call}{alias}.{entry}({})\n",
        params.join(", "),
        args.join(", ")
    );
    imports.sort();
    imports.dedup();
    Ok(Converted {
        name: unit.name.clone(),
        folder: folder.to_string(),
        module_import,
        uses_importlib: !identifiers,
        imports,
        decorators,
        wrapper,
    })
}

/// An annotation of the entry point, written so that it means the same in the new module: names
/// imported from outside the app are imported again, everything else is read through the
/// function's module (`_Folder.Name`); a quoted annotation (evaluated in the function's module)
/// is written unquoted in the same way.
fn annotation(
    app: &AppInput,
    module: &PyModule,
    a: &Annotation,
    alias: &str,
    names: &mut Names,
    imports: &mut Vec<String>,
) -> Result<String, String> {
    let mut ctx = Rewrite {
        app,
        module,
        alias,
        names,
        imports,
    };
    ctx.expression(&a.expr, &a.text, a.range.start, 0)
}

struct Rewrite<'a> {
    app: &'a AppInput,
    module: &'a PyModule,
    alias: &'a str,
    names: &'a mut Names,
    imports: &'a mut Vec<String>,
}

/// A part of an annotation that is written differently in the new module.
enum Piece {
    /// A name the annotation starts from (`func` in `func.Out[str]`).
    Root(TextRange, String),
    /// A string holding an annotation.
    Quoted(TextRange, String),
}

impl Rewrite<'_> {
    /// `text` (the source of `e`, which starts at offset `base`) written for the new module.
    fn expression(
        &mut self,
        e: &crate::analysis::python::expr::PyExpr,
        text: &str,
        base: u32,
        depth: u32,
    ) -> Result<String, String> {
        let mut pieces = Vec::new();
        annotation_pieces(e, &mut pieces, 0)?;
        let mut edits = Vec::new();
        for piece in pieces {
            let (range, replacement) = match piece {
                Piece::Root(range, name) => {
                    let replacement = match root_import(self.app, self.module, &name)? {
                        RootKind::Builtin => continue,
                        RootKind::Import(line) if self.names.bind_import(&name, &line) => {
                            if line != FUNC_IMPORT {
                                self.imports.push(line);
                            }
                            continue;
                        }
                        RootKind::Import(_) | RootKind::ThroughModule => {
                            format!("{}.{name}", self.alias)
                        }
                    };
                    (range, replacement)
                }
                Piece::Quoted(range, content) => {
                    let inner = content.trim();
                    let parsed = (depth < 4)
                        .then(|| crate::analysis::python::parse_expression(inner))
                        .flatten()
                        .ok_or("a quoted annotation that is not one expression is not copied")?;
                    (range, self.expression(&parsed, inner, 0, depth + 1)?)
                }
            };
            let start = range.start.checked_sub(base).ok_or("bad range")? as usize;
            let end = range.end.checked_sub(base).ok_or("bad range")? as usize;
            edits.push((start, end, replacement));
        }
        // Edits in order, copied forward (each name once: linear in the annotation's length).
        edits.sort_by_key(|e| e.0);
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (start, end, replacement) in edits {
            if start < last
                || end > text.len()
                || !text.is_char_boundary(start)
                || !text.is_char_boundary(end)
            {
                return Err("the annotation cannot be copied".into());
            }
            out.push_str(&text[last..start]);
            out.push_str(&replacement);
            last = end;
        }
        out.push_str(&text[last..]);
        Ok(out)
    }
}

/// The parts of an annotation to write differently, with their ranges.
fn annotation_pieces(
    e: &crate::analysis::python::expr::PyExpr,
    out: &mut Vec<Piece>,
    depth: u32,
) -> Result<(), String> {
    use crate::analysis::python::expr::ExprKind;
    if depth > 32 {
        return Err("the annotation is nested too deeply to copy".into());
    }
    match &e.kind {
        ExprKind::Name(n) => out.push(Piece::Root(e.range, n.clone())),
        ExprKind::Attribute { object, .. } => annotation_pieces(object, out, depth + 1)?,
        ExprKind::Subscript { value, index } => {
            annotation_pieces(value, out, depth + 1)?;
            // `Literal[...]` holds values, and `Annotated[T, ...]` metadata after its type.
            let last = match &value.kind {
                ExprKind::Name(n) => n.as_str(),
                ExprKind::Attribute { name, .. } => name.as_str(),
                _ => "",
            };
            let types = match last {
                "Literal" => 0,
                "Annotated" => 1,
                _ => index.len(),
            };
            for i in index.iter().take(types) {
                annotation_pieces(i, out, depth + 1)?;
            }
        }
        ExprKind::BitOr(a, b) => {
            annotation_pieces(a, out, depth + 1)?;
            annotation_pieces(b, out, depth + 1)?;
        }
        ExprKind::List(items) | ExprKind::Tuple(items) => {
            for i in items {
                annotation_pieces(i, out, depth + 1)?;
            }
        }
        ExprKind::None | ExprKind::Number(_) | ExprKind::Bool(_) => {}
        ExprKind::Str(s) => out.push(Piece::Quoted(e.range, s.clone())),
        _ => return Err("the annotation is an expression that is not copied".into()),
    }
    Ok(())
}

enum RootKind {
    Builtin,
    /// Imported from outside the app: the same import in the new module.
    Import(String),
    /// Read through the function's module.
    ThroughModule,
}

fn root_import(app: &AppInput, module: &PyModule, name: &str) -> Result<RootKind, String> {
    let local = |dotted: &str| {
        let first = dotted.split('.').next().unwrap_or(dotted);
        locate(app, &[first]).is_some()
    };
    Ok(match module.final_binding(name) {
        Binding::Unbound if BUILTINS.contains(&name) => RootKind::Builtin,
        Binding::Unbound => {
            return Err(format!(
                "the annotation names `{name}`, which the module does not define"
            ))
        }
        Binding::Unknown => RootKind::ThroughModule,
        Binding::Def(d) => match &d.kind {
            NameKind::Module(m) if !local(m) => RootKind::Import(if m == name {
                format!("import {m}")
            } else {
                format!("import {m} as {name}")
            }),
            NameKind::FromImport {
                level: 0,
                module: m,
                name: imported,
            } if !local(m) && imported != "*" => RootKind::Import(if imported == name {
                format!("from {m} import {imported}")
            } else {
                format!("from {m} import {imported} as {name}")
            }),
            _ => RootKind::ThroughModule,
        },
    })
}

/// Imports that stop working once the folder is a top-level package: `__app__` (the v1
/// worker's package of the app) and relative imports that climb above the function's folder.
fn check_imports(
    modules: &Modules,
    folders: &std::collections::HashSet<&str>,
    out: &mut Vec<Refusal>,
) {
    let mut paths: Vec<(&String, &Arc<PyModule>)> = modules.iter().collect();
    paths.sort_by(|a, b| a.0.cmp(b.0));
    for (path, module) in paths {
        let depth = path.matches('/').count() as u32;
        let in_function = path
            .split_once('/')
            .is_some_and(|(first, _)| folders.contains(first));
        for import in &module.imports {
            let app_package = import.level == 0
                && (import.module == "__app__" || import.module.starts_with("__app__."));
            if app_package {
                out.push(refusal(
                    path,
                    Some(import.range),
                    "`__app__` exists only in the function.json model; import the module by its \
                     name (`import shared`) first",
                ));
            } else if in_function && import.level > depth {
                out.push(refusal(
                    path,
                    Some(import.range),
                    "this relative import climbs above the function's folder, which is a \
                     top-level package after the conversion; import the module by its name first",
                ));
            }
        }
    }
}

/// An edit of host.json that moves an extension bundle range older than 3.15 (which the
/// decorator model needs) to [`BUNDLE_RANGE`].
fn bundle_edit(app: &AppInput) -> Option<FileEdit> {
    let text = app.text("host.json")?;
    let parsed = json::parse(text);
    let root = parsed.value?;
    let version = root
        .get("extensionBundle")?
        .value
        .as_ref()?
        .get("version")?;
    let value = version.value.as_ref()?;
    let range = value.as_str()?;
    let lower = range.trim_start_matches(['[', '(', ' ']);
    let mut numbers = lower.split([',', ' ']).next()?.split('.');
    let major: u32 = numbers.next()?.parse().ok()?;
    let minor = numbers.next().unwrap_or("0");
    let recent =
        major >= 4 || (major == 3 && (minor == "*" || minor.parse::<u32>().is_ok_and(|m| m >= 15)));
    (!recent).then(|| FileEdit {
        file: "host.json".into(),
        range: value.range,
        new_text: crate::analysis::edits::json_quote(BUNDLE_RANGE),
    })
}

const SCRIPT_DOC: &str = "\"\"\"The app's functions, declared with decorators.\n\n\
Converted from function.json folders by `azfunc-lsp migrate`: each function's code stays in its\n\
folder, imported as a package, and the decorated function calls its entry point.\n\"\"\"\n";

/// The import block of a generated module.
fn import_block(converted: &[&Converted]) -> String {
    let mut out = String::new();
    if converted.iter().any(|c| c.uses_importlib) {
        out.push_str("import importlib\n\n");
    }
    out.push_str(FUNC_IMPORT);
    out.push('\n');
    let mut imports: Vec<&str> = converted
        .iter()
        .flat_map(|c| c.imports.iter().map(String::as_str))
        .collect();
    imports.sort();
    imports.dedup();
    for i in imports {
        out.push_str(i);
        out.push('\n');
    }
    out.push('\n');
    for c in converted {
        out.push_str(&c.module_import);
        out.push('\n');
    }
    out
}

fn function_block(c: &Converted, app_var: &str) -> String {
    let mut out = String::from("\n\n");
    for d in &c.decorators {
        out.push_str(&d.render(app_var));
        out.push('\n');
    }
    out.push_str(&c.wrapper);
    out
}

/// `function_app.py`: every function, or (with `blueprints`) the registration of each module.
fn script_file(converted: &[Converted], blueprints: &[(String, String)]) -> String {
    let mut out = String::from(SCRIPT_DOC);
    out.push('\n');
    if blueprints.is_empty() {
        let all: Vec<&Converted> = converted.iter().collect();
        out.push_str(&import_block(&all));
        out.push_str("\napp = func.FunctionApp()\n");
        for c in converted {
            out.push_str(&function_block(c, "app"));
        }
    } else {
        out.push_str(FUNC_IMPORT);
        out.push_str("\n\n");
        for (module, var) in blueprints {
            out.push_str(&format!("from {module} import bp as {var}\n"));
        }
        out.push_str("\napp = func.FunctionApp()\n");
        for (_, var) in blueprints {
            out.push_str(&format!("app.register_functions({var})\n"));
        }
    }
    out
}

/// One blueprint module per function (`<folder>_blueprint.py`) and the script registering them.
fn blueprint_files(
    app: &AppInput,
    script: &str,
    converted: &[Converted],
    names: &mut Names,
    refusals: &mut Vec<Refusal>,
) -> Vec<(String, String)> {
    let mut files = BTreeMap::new();
    let mut registered = Vec::new();
    for c in converted {
        let module = names.fresh(&format!("{}_blueprint", identifier_from(&c.folder)));
        let path = format!("{module}.py");
        if app.exists(&path) || locate(app, &[&module]).is_some() {
            refusals.push(refusal(
                &path,
                None,
                "a module of this name exists; the blueprint of the function would replace it",
            ));
            continue;
        }
        let var = names.fresh(&format!("{}_bp", identifier_from(&c.folder)));
        let mut text = format!(
            "\"\"\"The `{}` function, declared with decorators.\n\nConverted from \
             {}/function.json by `azfunc-lsp migrate`.\n\"\"\"\n\n",
            c.name, c.folder
        );
        text.push_str(&import_block(&[c]));
        text.push_str("\nbp = func.Blueprint()\n");
        text.push_str(&function_block(c, "bp"));
        files.insert(path, text);
        registered.push((module, var));
    }
    let mut out: Vec<(String, String)> = files.into_iter().collect();
    out.push((script.to_string(), script_file(converted, &registered)));
    out
}

#[cfg(test)]
mod tests;
