//! The per-function model of a function.json app, built the way the host and the worker build it:
//! discovery (H1), the primary script (H6), the module name (L5) and the entry point (L6).

use std::collections::HashMap;
use std::sync::Arc;

use super::app::{join_relative, AppInput, FileContent};
use super::function_json::{self, FunctionJson, Spanned};
use super::python::{self, Binding, NameKind, PyClass, PyFunction, PyModule};

/// Parsed Python files of an app, by relative path. Files that are not text are absent, and so
/// are text files whose analysis failed (AZF013 reports those).
pub type Modules = HashMap<String, Arc<PyModule>>;

/// Parses every Python file of the app (in parallel); what only the decorator model reads is
/// collected only when the app has its decorator script.
pub fn parse_modules(app: &AppInput) -> Modules {
    use rayon::prelude::*;
    let decorator_model = uses_decorator_model(app);
    let files: Vec<(&String, &str)> = app
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".py"))
        .filter_map(|(p, c)| c.text().map(|t| (p, t)))
        .collect();
    files
        .par_iter()
        .filter_map(|(p, t)| {
            let module = python::parse_guarded(t, decorator_model)?;
            Some(((*p).clone(), Arc::new(module)))
        })
        .collect()
}

/// Whether the app has the script of the decorator model (`PYTHON_SCRIPT_FILE_NAME`, default
/// `function_app.py`).
pub fn uses_decorator_model(app: &AppInput) -> bool {
    app.exists(&super::v2::script_name(app).name)
}

/// A function folder: a sub-folder of the app root holding `function.json` (H1), or a decorated
/// function of a v2 app.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionUnit {
    /// The folder name, which is the function name.
    pub name: String,
    pub json_path: String,
    pub json: FunctionJson,
    /// `function.json` could not be read as text.
    pub json_unavailable: Option<FileContent>,
    pub script: Script,
    /// For a function of a v2 (decorator) app: where it comes from. Its `json_path` is then the
    /// Python file with the decorators, and `json` holds the bindings the decorators declare, with
    /// ranges in that file.
    pub v2: Option<Box<super::v2::V2Unit>>,
}

impl FunctionUnit {
    /// Whether the function is declared with decorators (v2) rather than function.json.
    pub fn is_v2(&self) -> bool {
        self.v2.is_some()
    }
}

/// The functions of an app as the runtime finds them: the decorated functions the worker indexes
/// when the app's v2 script exists (function.json folders are then ignored), else the
/// function.json folders.
pub fn discover_all(app: &AppInput, modules: &Modules) -> Vec<FunctionUnit> {
    super::v2::discover(app, modules).unwrap_or_else(|| discover(app))
}

/// The outcome of the host's primary-script selection.
#[derive(Debug, Clone, PartialEq)]
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
        json_path: format!("{folder}/function.json"),
        json: FunctionJson::default(),
        json_unavailable: Some(FileContent::Unreadable(format!(
            "internal error of the checker ({reason})"
        ))),
        script: Script::NotReached,
        v2: None,
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
        json_path,
        json,
        json_unavailable,
        script,
        v2: None,
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
    let parts: Vec<&str> = script.split('/').collect();
    for i in 1..parts.len() {
        let init = format!("{}/__init__.py", parts[..i].join("/"));
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
                what,
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
