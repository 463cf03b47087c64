//! Resolution of imports that stay inside the app: relative imports, `__app__.` imports and
//! absolute imports of the app's own packages (the worker appends the app root to `sys.path` and
//! maps it to the `__app__` package).

use super::app::AppInput;
use super::python::{Binding, Import, PyModule};
use super::text::TextRange;

/// Where a dotted module path (relative to the app root) lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleLocation {
    /// `a/b.py`
    File(String),
    /// `a/b/__init__.py`
    Package(String),
    /// `a/b/` without `__init__.py`: a namespace package.
    Namespace(String),
}

impl ModuleLocation {
    /// The file that runs when the module is imported, if any.
    pub fn file(&self) -> Option<&str> {
        match self {
            ModuleLocation::File(f) | ModuleLocation::Package(f) => Some(f),
            ModuleLocation::Namespace(_) => None,
        }
    }

    fn dir(&self) -> Option<String> {
        match self {
            ModuleLocation::Package(f) => Some(f.trim_end_matches("/__init__.py").to_string()),
            ModuleLocation::Namespace(d) => Some(d.clone()),
            ModuleLocation::File(_) => None,
        }
    }
}

/// Finds the module at `parts` (relative to the app root).
pub fn locate(app: &AppInput, parts: &[&str]) -> Option<ModuleLocation> {
    if parts.is_empty() {
        return Some(ModuleLocation::Namespace(String::new()));
    }
    let path = parts.join("/");
    let file = format!("{path}.py");
    if app.exists(&file) {
        return Some(ModuleLocation::File(file));
    }
    let init = format!("{path}/__init__.py");
    if app.exists(&init) {
        return Some(ModuleLocation::Package(init));
    }
    if app.dir_exists(&path) {
        return Some(ModuleLocation::Namespace(path));
    }
    None
}

/// Module locations already found, shared by the functions of one check: the scripts of a
/// function.json app import the same shared packages and the same standard-library names, each
/// of which costs several look-ups among the app's files to find (or to rule out).
#[derive(Debug, Default)]
pub struct KnownLocations(std::sync::Mutex<foldhash::HashMap<String, Option<ModuleLocation>>>);

/// Finds modules in `app`, through `known` when there is one.
#[derive(Clone, Copy)]
pub struct Finder<'a> {
    pub app: &'a AppInput,
    pub known: Option<&'a KnownLocations>,
}

impl<'a> Finder<'a> {
    /// A finder that looks every module up.
    pub fn new(app: &'a AppInput) -> Finder<'a> {
        Finder { app, known: None }
    }

    /// [`locate`], answered once per module path when locations are shared.
    pub fn locate(self, parts: &[&str]) -> Option<ModuleLocation> {
        let Some(known) = self.known else {
            return locate(self.app, parts);
        };
        let key = parts.join("/");
        let lock = || known.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = lock().get(&key) {
            return found.clone();
        }
        let found = locate(self.app, parts);
        lock().insert(key, found.clone());
        found
    }

    /// The module, package or folder named `top` at the app's root.
    pub fn top_level(self, top: &str) -> Option<ModuleLocation> {
        // Alone, one range look-up rules most names out before the three of `locate`.
        if self.known.is_none() && !may_be_local(self.app, top) {
            return None;
        }
        self.locate(&[top])
    }
}

/// One local module an import statement brings in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalImport {
    /// The file that runs (module or package `__init__.py`).
    pub file: String,
    /// The dotted name as the worker would show it.
    pub module_name: String,
    /// The range in the importing file to point at.
    pub range: TextRange,
}

/// A local import that fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenImport {
    pub range: TextRange,
    /// The worker's message (`No module named '…'`, `cannot import name '…' from '…'`).
    pub message: String,
}

/// The result of resolving one module's imports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Local modules imported unconditionally, in statement order.
    pub local: Vec<LocalImport>,
    /// Unconditional local imports that fail.
    pub broken: Vec<BrokenImport>,
}

/// The package (folder parts) a file belongs to, as seen from `__app__`.
fn package_of(file: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = file.split('/').collect();
    parts.pop();
    parts
}

fn dotted(parts: &[&str]) -> String {
    let mut s = String::from("__app__");
    for p in parts {
        s.push('.');
        s.push_str(p);
    }
    s
}

/// Resolves the imports of `module` (the file at `file`) that refer to the app itself.
pub fn resolve_imports(
    finder: Finder,
    file: &str,
    module: &PyModule,
    modules: &super::modules::Modules,
) -> ImportReport {
    let mut report = ImportReport::default();
    for import in module.imports.iter().filter(|i| i.unconditional) {
        resolve_one(finder, file, import, modules, &mut report);
    }
    report
}

/// Whether a file of the app is named `top` followed by `.` or `/` (`top.py`, `top/…`), as every
/// local module or package named `top` is: one look-up rules out the imports of installed
/// packages before the exact tests. The paths starting `top.` and `top/` are contiguous in the
/// sorted files (`.` and `/` are consecutive bytes), so the first path from `top.` on decides.
pub(crate) fn may_be_local(app: &AppInput, top: &str) -> bool {
    use std::ops::Bound;
    let mut from = String::with_capacity(top.len() + 1);
    from.push_str(top);
    from.push('.');
    app.files
        .range::<str, _>((Bound::Included(from.as_str()), Bound::Unbounded))
        .next()
        .is_some_and(|(path, _)| {
            path.starts_with(top) && matches!(path.as_bytes().get(top.len()), Some(b'.' | b'/'))
        })
}

fn resolve_one(
    finder: Finder,
    file: &str,
    import: &Import,
    modules: &super::modules::Modules,
    report: &mut ImportReport,
) {
    // The module path (relative to the app root) the statement names, or None when external.
    let (base, shown): (Vec<String>, String) = if import.level > 0 {
        let package = package_of(file);
        let up = import.level as usize - 1;
        if up > package.len() {
            // Above `__app__` (the app root), whichever way the module was imported.
            report.broken.push(BrokenImport {
                range: import.module_range,
                message: "attempted relative import beyond top-level package".into(),
            });
            return;
        }
        let mut parts: Vec<String> = package[..package.len() - up]
            .iter()
            .map(|s| s.to_string())
            .collect();
        parts.extend(
            import
                .module
                .split('.')
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let shown = dotted(&refs);
        (parts, shown)
    } else {
        let first = import.names.first().map(|n| n.name.as_str()).unwrap_or("");
        let module_path = if import.is_from {
            import.module.as_str()
        } else {
            first
        };
        if let Some(rest) = module_path.strip_prefix("__app__") {
            let parts: Vec<String> = rest
                .split('.')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            (parts, module_path.to_string())
        } else {
            let top = module_path.split('.').next().unwrap_or("");
            let is_local = !top.is_empty()
                && top != "azure"
                && match finder.top_level(top) {
                    Some(ModuleLocation::File(_) | ModuleLocation::Package(_)) => true,
                    // A function's folder is no package to import.
                    Some(ModuleLocation::Namespace(_)) => {
                        !finder.app.exists(&format!("{top}/function.json"))
                    }
                    None => false,
                };
            if !is_local {
                return;
            }
            // `import a.b, c` statements: handle each name separately.
            if !import.is_from && import.names.len() > 1 {
                for n in &import.names {
                    let single = Import {
                        names: vec![n.clone()],
                        ..import.clone()
                    };
                    resolve_one(finder, file, &single, modules, report);
                }
                return;
            }
            let parts: Vec<String> = module_path.split('.').map(str::to_string).collect();
            (parts, module_path.to_string())
        }
    };
    let refs: Vec<&str> = base.iter().map(String::as_str).collect();
    // Every package on the way must exist, and runs; the last is the module itself.
    let mut whole = None;
    for i in 1..=refs.len() {
        match finder.locate(&refs[..i]) {
            Some(loc) => {
                if let Some(f) = loc.file() {
                    if f != file {
                        report.local.push(LocalImport {
                            file: f.to_string(),
                            module_name: dotted(&refs[..i]),
                            range: import.range,
                        });
                    }
                }
                whole = Some(loc);
            }
            None => {
                let missing = if import.level > 0 || shown.starts_with("__app__") {
                    dotted(&refs[..i])
                } else {
                    refs[..i].join(".")
                };
                report.broken.push(BrokenImport {
                    range: if import.is_from {
                        import.module_range
                    } else {
                        import.range
                    },
                    message: format!("No module named '{missing}'"),
                });
                return;
            }
        }
    }
    if !import.is_from {
        return;
    }
    // `from M import a, b`: each name is a submodule or an attribute of M (located above,
    // unless M is the app root itself).
    let Some(location) = whole.or_else(|| finder.locate(&refs)) else {
        return;
    };
    for name in &import.names {
        let mut sub: Vec<&str> = refs.clone();
        sub.push(&name.name);
        if let Some(loc) = finder.locate(&sub) {
            if let Some(f) = loc.file() {
                report.local.push(LocalImport {
                    file: f.to_string(),
                    module_name: dotted(&sub),
                    range: name.range,
                });
            }
            continue;
        }
        let defined = match location.file() {
            Some(f) => match modules.get(f) {
                // A package importing from itself is only partly initialised: only names bound
                // before this statement exist.
                Some(m) if f == file => !matches!(
                    m.binding_at(&name.name, import.range.start as usize, false),
                    Binding::Unbound
                ),
                Some(m) => !matches!(m.final_binding(&name.name), Binding::Unbound),
                None => true, // not readable: cannot tell
            },
            None => false, // a namespace package has no attributes
        };
        if !defined {
            let _ = location.dir();
            report.broken.push(BrokenImport {
                range: name.range,
                message: format!("cannot import name '{}' from '{}'", name.name, shown),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::function::parse_modules;

    fn report(app: &AppInput, file: &str) -> ImportReport {
        let modules = parse_modules(app);
        resolve_imports(Finder::new(app), file, &modules[file], &modules)
    }

    #[test]
    fn a_module_may_be_local_only_when_a_path_continues_its_name_with_a_dot_or_a_slash() {
        let app = AppInput::new("a")
            .with_file("shared.py", "")
            .with_file("pkg/__init__.py", "")
            .with_file("data/x.json", "{}")
            .with_file("pkg-extra/y.py", "")
            .with_file("pkg0.py", "")
            .with_file("sharedx.py", "");
        for local in ["shared", "pkg", "data"] {
            assert!(may_be_local(&app, local), "{local}");
        }
        for external in ["os", "share", "pkg-", "sharedx.p", "data/x", "zzz"] {
            assert_eq!(
                may_be_local(&app, external),
                app.files
                    .keys()
                    .any(|k| k.starts_with(&format!("{external}."))
                        || k.starts_with(&format!("{external}/"))),
                "{external}"
            );
        }
        assert!(!may_be_local(&app, "os"));
        assert!(!may_be_local(&app, "share"));
    }

    #[test]
    fn known_locations_answer_as_the_look_ups_do() {
        let app = AppInput::new("a")
            .with_file(
                "F/__init__.py",
                "import os, shared.util\nimport G\nimport data\nfrom shared import util, nope\nfrom data import x\nimport missing.y\nfrom . import helpers\n",
            )
            .with_file("F/function.json", "{}")
            .with_file("F/helpers.py", "import shared\nfrom shared.util import thing\n")
            .with_file("G/__init__.py", "import F\nfrom shared import util\n")
            .with_file("G/function.json", "{}")
            .with_file("data/x.json", "{}")
            .with_file("shared/__init__.py", "")
            .with_file("shared/util.py", "thing = 1\n");
        let modules = parse_modules(&app);
        let known = KnownLocations::default();
        let shared = Finder {
            app: &app,
            known: Some(&known),
        };
        // Twice: the second time from what the first found.
        for _ in 0..2 {
            for file in ["F/__init__.py", "F/helpers.py", "G/__init__.py"] {
                assert_eq!(
                    resolve_imports(shared, file, &modules[file], &modules),
                    resolve_imports(Finder::new(&app), file, &modules[file], &modules),
                    "{file}"
                );
            }
        }
        for top in ["shared", "data", "F", "os", "missing", "sharedx"] {
            assert_eq!(
                shared.top_level(top),
                Finder::new(&app).top_level(top),
                "{top}"
            );
        }
        // A location once found is not looked up again.
        known.0.lock().unwrap().insert("shared".into(), None);
        assert_eq!(shared.top_level("shared"), None);
        assert!(Finder::new(&app).top_level("shared").is_some());
    }

    #[test]
    fn relative_and_app_imports() {
        let app = AppInput::new("a")
            .with_file(
                "F/__init__.py",
                "from . import helpers\nfrom .helpers import thing, nothing\nfrom . import missing\nfrom __app__.shared import util\nfrom __app__.nope import x\nimport shared.util\nfrom ..shared import util as u2\nimport os\ntry:\n    from . import optional\nexcept ImportError:\n    pass\n",
            )
            .with_file("F/helpers.py", "thing = 1\n")
            .with_file("shared/__init__.py", "")
            .with_file("shared/util.py", "");
        let r = report(&app, "F/__init__.py");
        let messages: Vec<_> = r.broken.iter().map(|b| b.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "cannot import name 'nothing' from '__app__.F.helpers'",
                "cannot import name 'missing' from '__app__.F'",
                "No module named '__app__.nope'",
            ]
        );
        let files: Vec<_> = r.local.iter().map(|l| l.file.as_str()).collect();
        assert!(files.contains(&"F/helpers.py"));
        assert!(files.contains(&"shared/util.py"));
    }
}
