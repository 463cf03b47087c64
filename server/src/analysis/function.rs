//! The per-function model of a function.json app, built the way the host and the worker build it:
//! discovery (H1), the primary script (H6), the module name (L5) and the entry point (L6).

use super::app::{join_relative, AppInput, FileContent};
use super::function_json::{self, FunctionJson, Spanned};
use super::python::{self, Binding, NameKind, PyClass, PyFunction, PyModule};
use super::text::TextRange;
use super::v2::{self, DecoratedUnit, V2Unit};

pub use super::app_script::uses_decorator_model;
pub use super::modules::{parse_modules, Modules};

/// A function as the host sees it: a sub-folder of the app root holding `function.json` (H1), or
/// a decorated function of an app that uses the decorator model.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct FunctionUnit {
    /// The function name (the folder name, or the name the decorators give).
    pub name: String,
    /// Where the function is declared.
    pub declaration: Declaration,
    /// function.json as the host reads it. For a decorated function there is no such file: this
    /// holds only the bindings built from the decorator arguments (as the library builds them)
    /// and `bindings_key` at the `def` name; the rest stays empty. Read bindings through
    /// [`FunctionUnit::bindings`]; the other fields (`scriptFile`, `entryPoint`, miscased keys,
    /// syntax errors, the shape of `bindings`) are function.json's own.
    pub json: FunctionJson,
    pub script: Script,
}

/// The source that declares a function and its bindings.
#[derive(Debug, Clone, PartialEq, Hash)]
pub enum Declaration {
    /// `path` is the folder's `function.json`; `unavailable` when it could not be read as text.
    FunctionJson {
        path: String,
        unavailable: Option<FileContent>,
    },
    /// Decorators in a Python file (the decorator model).
    Decorators(Box<V2Unit>),
}

impl Declaration {
    /// The file the declaration is written in (function.json, or the Python file with the
    /// decorators).
    pub fn file(&self) -> &str {
        match self {
            Declaration::FunctionJson { path, .. } => path,
            Declaration::Decorators(unit) => &unit.file,
        }
    }
}

impl FunctionUnit {
    /// The file the function's bindings are declared in: every binding range is in this file.
    pub fn declaration_file(&self) -> &str {
        self.declaration.file()
    }

    /// The bindings as the host receives them, in either model: read from function.json, or
    /// built from the decorator arguments. Their ranges are in [`FunctionUnit::declaration_file`].
    pub fn bindings(&self) -> &[function_json::Binding] {
        &self.json.bindings
    }

    /// The name of the function the worker calls, in either model: the `def` under the decorators
    /// of a decorated function, else function.json's `entryPoint` (`main` when absent), which the
    /// worker looks up in the script.
    pub fn entry_name(&self) -> &str {
        match self.decorated() {
            Some(d) => &d.def_name,
            None => self.json.entry_name(),
        }
    }

    /// The first HTTP trigger binding.
    pub fn http_trigger(&self) -> Option<&function_json::Binding> {
        self.bindings().iter().find(|b| b.is_http_trigger())
    }

    /// The decorated function, when the function is declared with decorators rather than
    /// function.json (the one question a rule asks about the model of a function).
    pub fn decorated(&self) -> Option<&V2Unit> {
        match &self.declaration {
            Declaration::Decorators(unit) => Some(unit),
            Declaration::FunctionJson { .. } => None,
        }
    }

    /// Where the function's name is written in [`FunctionUnit::declaration_file`]: the
    /// `function_name` value or the `def` name of a decorated function; `None` for a function.json
    /// function, named by its folder.
    pub fn name_range(&self) -> Option<TextRange> {
        self.decorated().map(|d| d.name_range)
    }

    /// Whether the function's name is known: a decorated function's `function_name` may not be
    /// a literal.
    pub fn name_is_known(&self) -> bool {
        !self.decorated().is_some_and(|d| d.name_dynamic)
    }

    /// The app decorators applied to the function, innermost first (none for a function.json
    /// function).
    pub fn decorators(&self) -> &[v2::AppliedDecorator] {
        self.decorated().map_or(&[], |d| &d.decorators)
    }

    /// What was read instead of text, when function.json could not be read as text.
    pub fn json_unavailable(&self) -> Option<&FileContent> {
        match &self.declaration {
            Declaration::FunctionJson { unavailable, .. } => unavailable.as_ref(),
            Declaration::Decorators(_) => None,
        }
    }
}

impl From<DecoratedUnit> for FunctionUnit {
    /// A decorated function: its script is the file with its decorators.
    fn from(d: DecoratedUnit) -> FunctionUnit {
        FunctionUnit {
            name: d.name,
            script: Script::Found {
                path: d.unit.file.clone(),
                declared: None,
            },
            json: d.bindings,
            declaration: Declaration::Decorators(d.unit),
        }
    }
}

/// The functions of an app as the runtime finds them: the decorated functions the worker indexes
/// when the app uses the decorator model (function.json folders are then ignored), else the
/// function.json folders.
pub fn discover_all(app: &AppInput, modules: &Modules) -> Vec<FunctionUnit> {
    discover_all_keeping_model(app, modules).0
}

/// [`discover_all`], with the decorator model the units came from when the app uses it (what
/// [`crate::analysis::rules::context::AppCtx::v2_app`] would compute again).
pub fn discover_all_keeping_model(
    app: &AppInput,
    modules: &Modules,
) -> (Vec<FunctionUnit>, Option<std::sync::Arc<v2::V2App>>) {
    let (found, model) = discover_all_reusing(app, modules, &|_, _| None);
    let units = found
        .into_iter()
        .filter_map(|found| match found {
            Found::New(unit) => Some(unit),
            Found::Kept(_) => None,
        })
        .collect();
    (units, model.map(|(model, _)| model))
}

/// A unit found now, or one found before for the same inputs.
// A list of them is made once per discovery; a box for each new unit would cost more.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Found {
    New(FunctionUnit),
    Kept(std::sync::Arc<FunctionUnit>),
}

impl Found {
    pub fn name(&self) -> &str {
        match self {
            Found::New(unit) => &unit.name,
            Found::Kept(unit) => &unit.name,
        }
    }
}

/// A decorator model and the builder of each unit derived from it, in the units' order.
pub type ModelAndBuilders = (std::sync::Arc<v2::V2App>, Vec<v2::FnId>);

/// [`discover_all_keeping_model`], with the builder of each unit when the app uses the
/// decorator model, asking `keep` (given the model) for each builder first: a unit it returns
/// (derived earlier from the same inputs, see [`v2::units_keeping`]) is not derived again.
pub fn discover_all_reusing(
    app: &AppInput,
    modules: &Modules,
    keep: &(dyn Fn(&v2::V2App, &v2::Derivation) -> Option<std::sync::Arc<FunctionUnit>> + Sync),
) -> (Vec<Found>, Option<ModelAndBuilders>) {
    use rayon::prelude::*;
    let Some(model) = v2::model(app, modules) else {
        return (discover(app).into_iter().map(Found::New).collect(), None);
    };
    let derived = v2::units_keeping(modules, &model, &|d| keep(&model, d));
    let (builders, found): (Vec<v2::FnId>, Vec<Found>) = derived
        .into_par_iter()
        .map(|(f, derived)| {
            let found = match derived {
                v2::Derived::New(unit) => Found::New(FunctionUnit::from(unit)),
                v2::Derived::Kept(unit) => Found::Kept(unit),
            };
            (f, found)
        })
        .unzip();
    (found, Some((std::sync::Arc::new(model), builders)))
}

/// The outcome of the host's primary-script selection.
#[derive(Debug, Clone, PartialEq, Hash)]
pub enum Script {
    /// The script file, relative to the app root.
    Found {
        path: String,
        /// `scriptFile` as written, when set.
        declared: Option<Spanned>,
    },
    /// `scriptFile` names a file that does not exist.
    DeclaredMissing { declared: Spanned, path: String },
    /// `scriptFile` leaves the app root (relative `..` or absolute).
    OutsideApp { declared: Spanned },
    /// No `scriptFile`, and no file that the host would pick.
    Undetermined { candidates: Vec<String> },
    /// function.json could not be read, so the host never got this far.
    NotReached,
}

/// Finds the function folders in host order (case-insensitive name order).
pub fn discover(app: &AppInput) -> Vec<FunctionUnit> {
    use rayon::prelude::*;
    let mut folders: Vec<&str> = app
        .files
        .keys()
        .filter_map(|p| p.strip_suffix("/function.json"))
        .filter(|dir| !dir.contains('/'))
        .collect();
    folders.sort_by_key(|f| (f.to_ascii_lowercase(), f.to_string()));
    folders
        .par_iter()
        .map(|folder| guarded_unit(app, folder))
        .collect()
}

/// [`unit`], with an internal error reported as an unreadable function.json (AZF013) instead of
/// losing the app.
fn guarded_unit(app: &AppInput, folder: &str) -> FunctionUnit {
    super::guard::catch(|| unit(app, folder)).unwrap_or_else(|reason| FunctionUnit {
        name: folder.to_string(),
        declaration: Declaration::FunctionJson {
            path: format!("{folder}/function.json"),
            unavailable: Some(FileContent::Unreadable(format!(
                "internal error of the checker ({reason})"
            ))),
        },
        json: FunctionJson::default(),
        script: Script::NotReached,
    })
}

/// The function in `folder`, if the folder is a function folder.
pub fn discover_one(app: &AppInput, folder: &str) -> Option<FunctionUnit> {
    app.exists(&format!("{folder}/function.json"))
        .then(|| guarded_unit(app, folder))
}

fn unit(app: &AppInput, folder: &str) -> FunctionUnit {
    let json_path = format!("{folder}/function.json");
    let content = app.files.get(&json_path);
    let (json, json_unavailable) = match content {
        Some(FileContent::Text(t)) => (function_json::parse(t), None),
        other => (
            FunctionJson::default(),
            Some(other.cloned().unwrap_or(FileContent::NotLoaded)),
        ),
    };
    let script = if json.is_readable() {
        primary_script(app, folder, &json)
    } else {
        Script::NotReached
    };
    FunctionUnit {
        name: folder.to_string(),
        declaration: Declaration::FunctionJson {
            path: json_path,
            unavailable: json_unavailable,
        },
        json,
        script,
    }
}

fn primary_script(app: &AppInput, folder: &str, json: &FunctionJson) -> Script {
    if let Some(declared) = &json.script_file {
        let value = declared.value.trim();
        if value.starts_with('/') || value.starts_with('\\') || value.get(1..2) == Some(":") {
            return Script::OutsideApp {
                declared: declared.clone(),
            };
        }
        return match join_relative(folder, value) {
            None => Script::OutsideApp {
                declared: declared.clone(),
            },
            Some(path) if app.exists(&path) => Script::Found {
                path,
                declared: Some(declared.clone()),
            },
            Some(path) => Script::DeclaredMissing {
                declared: declared.clone(),
                path,
            },
        };
    }
    let mut files: Vec<&str> = app
        .files_in(folder)
        .filter(|p| {
            !p.rsplit('/')
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case("function.json"))
        })
        .collect();
    files.sort();
    if files.len() == 1 {
        return Script::Found {
            path: files[0].to_string(),
            declared: None,
        };
    }
    let primary = files.iter().find(|p| {
        let file = p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
        let stem = file.rsplit_once('.').map(|(s, _)| s).unwrap_or(&file);
        stem == "run"
            || matches!(
                file.as_str(),
                "index.js" | "index.mjs" | "index.cjs" | "__init__.py"
            )
    });
    match primary {
        Some(p) => Script::Found {
            path: p.to_string(),
            declared: None,
        },
        None => Script::Undetermined {
            candidates: files.iter().map(|s| s.to_string()).collect(),
        },
    }
}

/// The Python module name the worker gives a script (`F/__init__.py` → `__app__.F`).
pub fn module_name(script: &str) -> String {
    let mut parts: Vec<&str> = script.split('/').collect();
    if let Some(last) = parts.last_mut() {
        let stem = last.strip_suffix(".py").unwrap_or(last);
        *last = stem;
    }
    if parts
        .last()
        .is_some_and(|s| s.eq_ignore_ascii_case("__init__"))
    {
        parts.pop();
    }
    let mut name = String::from("__app__");
    for p in parts {
        name.push('.');
        name.push_str(p);
    }
    name
}

/// The modules the worker imports to load `script`, in order: each package `__init__.py` on the
/// way (when it exists), then the script itself.
pub fn import_chain(app: &AppInput, script: &str) -> Vec<String> {
    let mut chain = Vec::new();
    // Each folder on the way, outermost first (`a`, then `a/b` for `a/b/c.py`).
    for (end, _) in script.match_indices('/') {
        let init = [&script[..end], "/__init__.py"].concat();
        if init != script && app.exists(&init) {
            chain.push(init);
        }
    }
    chain.push(script.to_string());
    chain
}

/// What the entry point name refers to in the script.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'m> {
    Function(&'m PyFunction),
    /// A class: the worker inspects its `__init__` (minus `self`).
    Class {
        class: &'m PyClass,
        init: Option<&'m PyFunction>,
    },
    /// Bound to something that cannot be called.
    NotCallable {
        what: &'static str,
        offset: usize,
    },
    /// An instance of a class defined in the module (`main = Handler()`).
    Instance {
        class: &'m str,
        offset: usize,
    },
    /// Not bound at module level.
    Missing,
    /// Bound in a way we cannot follow (an import, a call result, a conditional definition).
    Unknown,
}

/// Resolves the entry point `name` in `module` (the binding in force after the module ran).
pub fn entry_point<'m>(module: &'m PyModule, name: &str, text: &str) -> Entry<'m> {
    match module.final_binding(name) {
        Binding::Unbound => Entry::Missing,
        Binding::Unknown => Entry::Unknown,
        Binding::Def(def) => match &def.kind {
            NameKind::Function(i) => match decorated_signature(module, &module.functions[*i]) {
                Some(f) => Entry::Function(f),
                None => Entry::Unknown,
            },
            NameKind::Class(i) => {
                let class = &module.classes[*i];
                let init = class
                    .methods
                    .iter()
                    .map(|&m| &module.functions[m])
                    .rfind(|f| f.name == "__init__");
                Entry::Class { class, init }
            }
            NameKind::Literal(what) => Entry::NotCallable {
                what: what.text(),
                offset: def.offset,
            },
            NameKind::NoneValue => Entry::NotCallable {
                what: "None",
                offset: def.offset,
            },
            NameKind::Other => {
                // `main = Handler()` where Handler is a plain class of this module.
                let line_end = text[def.offset..]
                    .find('\n')
                    .map(|e| def.offset + e)
                    .unwrap_or(text.len());
                let line = &text[def.offset..line_end];
                if let Some((_, rhs)) = line.split_once('=') {
                    let rhs = rhs.trim();
                    if let Some(callee) = rhs.strip_suffix("()").or_else(|| {
                        rhs.find('(')
                            .filter(|_| rhs.ends_with(')'))
                            .map(|i| &rhs[..i])
                    }) {
                        if let Binding::Def(d) = module.final_binding(callee.trim()) {
                            if let NameKind::Class(ci) = d.kind {
                                let class = &module.classes[ci];
                                let has_call = class
                                    .methods
                                    .iter()
                                    .any(|&m| module.functions[m].name == "__call__");
                                if !class.has_metaclass && has_call {
                                    return Entry::Instance {
                                        class: &class.name,
                                        offset: def.offset,
                                    };
                                }
                                if !class.has_metaclass && !has_call && class.bases.is_empty() {
                                    return Entry::NotCallable {
                                        what: "an instance without `__call__`",
                                        offset: def.offset,
                                    };
                                }
                            }
                        }
                    }
                }
                Entry::Unknown
            }
            NameKind::Module(_) => Entry::NotCallable {
                what: "a module",
                offset: def.offset,
            },
            NameKind::FromImport { .. } => Entry::Unknown,
        },
    }
}

/// The function whose signature the worker sees for a decorated `f`: `f` itself when every
/// decorator wraps it with `functools.wraps` (`inspect.signature` follows `__wrapped__`), the
/// wrapper otherwise. `None` when a decorator cannot be followed (it is not defined in the module).
fn decorated_signature<'m>(module: &'m PyModule, f: &'m PyFunction) -> Option<&'m PyFunction> {
    signature_through(module, f, &f.decorators)
}

/// The function whose signature the worker sees for `f` wrapped by `decorators` (outermost
/// first; each one a function of the module): see [`decorated_signature`].
pub fn signature_through<'m>(
    module: &'m PyModule,
    f: &'m PyFunction,
    decorators: &[python::PyExpr],
) -> Option<&'m PyFunction> {
    let mut current = f;
    // Decorators apply bottom-up.
    for decorator in decorators.iter().rev() {
        let (name, factory) = match &decorator.kind {
            python::ExprKind::Name(n) => (n, false),
            python::ExprKind::Call(call) => match &call.func.kind {
                python::ExprKind::Name(n) => (n, true),
                _ => return None,
            },
            _ => return None,
        };
        let Binding::Def(def) = module.final_binding(name) else {
            return None;
        };
        let NameKind::Function(i) = def.kind else {
            return None;
        };
        let mut decorator_fn = &module.functions[i];
        if factory {
            decorator_fn = returned_function(module, decorator_fn)?;
        }
        let wrapper = returned_function(module, decorator_fn)?;
        let wraps = wrapper.decorators.iter().any(|d| {
            matches!(&d.kind, python::ExprKind::Call(c) if c.func.dotted().is_some_and(|n| n == "wraps" || n.ends_with(".wraps")))
        });
        if !wraps {
            current = wrapper;
        }
    }
    Some(current)
}

/// The nested function a function returns by name (`def deco(f): def wrapper(...): ...; return wrapper`).
fn returned_function<'m>(module: &'m PyModule, f: &'m PyFunction) -> Option<&'m PyFunction> {
    let [name] = f.returned_names.as_slice() else {
        return None;
    };
    f.nested
        .iter()
        .map(|&i| &module.functions[i])
        .rfind(|n| &n.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_follow_the_worker() {
        assert_eq!(module_name("F/__init__.py"), "__app__.F");
        assert_eq!(module_name("F/handler.py"), "__app__.F.handler");
        assert_eq!(module_name("shared/h.py"), "__app__.shared.h");
    }

    #[test]
    fn a_function_knows_the_file_that_declares_it() {
        let app = AppInput::new("a")
            .with_file(
                "F/function.json",
                r#"{"bindings": [{"name": "req", "type": "httpTrigger"}]}"#,
            )
            .with_file("F/__init__.py", "def main(req): pass\n");
        let units = discover_all(&app, &parse_modules(&app));
        assert_eq!(units[0].declaration_file(), "F/function.json");
        assert!(units[0].decorated().is_none());

        let script = "import azure.functions as func\nimport orders\napp = func.FunctionApp()\napp.register_functions(orders.bp)\n";
        let orders = "import azure.functions as func\nbp = func.Blueprint()\n@bp.route(route=\"o\")\ndef list_orders(req): pass\n";
        let app = app
            .with_file("function_app.py", script)
            .with_file("orders.py", orders);
        let units = discover_all(&app, &parse_modules(&app));
        let [unit] = units.as_slice() else {
            panic!("{units:?}")
        };
        // The decorators live in orders.py, not in the app script: bindings point there.
        assert_eq!(unit.declaration_file(), "orders.py");
        assert_eq!(
            unit.decorated().map(|d| d.script.as_str()),
            Some("function_app.py")
        );
        assert!(matches!(&unit.script, Script::Found { path, .. } if path == "orders.py"));
        let name = unit.bindings()[0].name.as_ref().unwrap();
        assert_eq!(&orders[name.range.as_usize()], "route");
        assert_eq!(unit.decorators()[0].method, "route");
    }

    #[test]
    fn the_entry_name_in_both_models() {
        let app = AppInput::new("a")
            .with_file(
                "F/function.json",
                r#"{"entryPoint": "handle", "bindings": [{"name": "req", "type": "httpTrigger"}]}"#,
            )
            .with_file("F/__init__.py", "def handle(req): pass\n")
            .with_file(
                "G/function.json",
                r#"{"bindings": [{"name": "req", "type": "httpTrigger"}]}"#,
            )
            .with_file("G/__init__.py", "def main(req): pass\n");
        let units = discover_all(&app, &parse_modules(&app));
        let names: Vec<&str> = units.iter().map(FunctionUnit::entry_name).collect();
        assert_eq!(names, ["handle", "main"]);
        let script = "import azure.functions as func\napp = func.FunctionApp()\n@app.function_name(name=\"Orders\")\n@app.route(route=\"o\")\ndef list_orders(req): pass\n";
        let app = AppInput::new("a").with_file("function_app.py", script);
        let units = discover_all(&app, &parse_modules(&app));
        assert_eq!(units[0].name, "Orders");
        assert_eq!(units[0].entry_name(), "list_orders");
    }

    #[test]
    fn primary_script_selection() {
        let app = AppInput::new("a")
            .with_file("A/function.json", r#"{"bindings": []}"#)
            .with_file("A/handler.py", "")
            .with_file("B/function.json", r#"{"bindings": []}"#)
            .with_file("B/run.py", "")
            .with_file("B/util.py", "")
            .with_file("C/function.json", r#"{"bindings": []}"#)
            .with_file("C/a.py", "")
            .with_file("C/b.py", "")
            .with_file(
                "D/function.json",
                r#"{"scriptFile": "../shared/x.py", "bindings": []}"#,
            )
            .with_file("shared/x.py", "")
            .with_file(
                "E/function.json",
                r#"{"scriptFile": "../../x.py", "bindings": []}"#,
            );
        let units = discover(&app);
        let scripts: Vec<_> = units.iter().map(|u| &u.script).collect();
        assert!(matches!(scripts[0], Script::Found { path, .. } if path == "A/handler.py"));
        assert!(matches!(scripts[1], Script::Found { path, .. } if path == "B/run.py"));
        assert!(matches!(scripts[2], Script::Undetermined { .. }));
        assert!(matches!(scripts[3], Script::Found { path, .. } if path == "shared/x.py"));
        assert!(matches!(scripts[4], Script::OutsideApp { .. }));
    }
}
