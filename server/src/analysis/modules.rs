//! The app's Python files, parsed once for every rule and editor feature.

use foldhash::HashMap;
use std::sync::{Arc, OnceLock};

use super::app::AppInput;
use super::app_script::uses_decorator_model;
use super::python::{self, PyModule};

/// Parsed Python files of an app, by relative path. Files that are not text are absent, and so
/// are text files whose analysis failed (AZF013 reports those). Every rule looks its files up
/// here, so the map hashes with foldhash rather than SipHash.
///
/// A module is parsed when first asked for, or all at once in parallel
/// ([`Modules::parse_all`], which [`parse_modules`] does): a check that takes most functions'
/// findings from its cache parses only the modules the rest of the check reads.
#[derive(Default, Clone)]
pub struct Modules {
    slots: HashMap<String, Slot>,
    /// Whether summaries collect what only the decorator model reads.
    decorator_model: bool,
    /// Set once every slot is parsed (a slot added later is parsed already): the server asks
    /// for every module on requests and keystrokes, and needs no pass over the slots then.
    all_parsed: OnceLock<()>,
}

/// One Python text file: its source until parsed, and its summary once asked for (`None`
/// when its analysis failed).
#[derive(Clone)]
struct Slot {
    source: Option<Arc<str>>,
    parsed: OnceLock<Option<Arc<PyModule>>>,
}

impl Slot {
    fn module(&self, decorator_model: bool) -> Option<&Arc<PyModule>> {
        self.parsed
            .get_or_init(|| {
                let source = self.source.as_deref()?;
                python::parse_guarded(source, decorator_model).map(Arc::new)
            })
            .as_ref()
    }
}

impl std::fmt::Debug for Modules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parsed: Vec<&str> = self
            .slots
            .iter()
            .filter(|(_, s)| s.parsed.get().is_some())
            .map(|(p, _)| p.as_str())
            .collect();
        parsed.sort_unstable();
        f.debug_struct("Modules")
            .field("files", &self.slots.len())
            .field("parsed", &parsed)
            .finish()
    }
}

impl Modules {
    /// The Python text files of `app`, none parsed yet; what only the decorator model reads is
    /// collected only when the app has its decorator script.
    pub fn lazy(app: &AppInput) -> Modules {
        let slots = app
            .files
            .iter()
            .filter(|(p, _)| p.ends_with(".py"))
            .filter_map(|(p, c)| match c {
                super::app::FileContent::Text(text) => Some((
                    p.clone(),
                    Slot {
                        source: Some(Arc::clone(text)),
                        parsed: OnceLock::new(),
                    },
                )),
                _ => None,
            })
            .collect();
        Modules {
            slots,
            decorator_model: uses_decorator_model(app),
            all_parsed: OnceLock::new(),
        }
    }

    /// [`Modules::lazy`], taking from `earlier` the summary of every module whose text is the
    /// same (and was summarised in the same model): only the others are parsed when asked for.
    pub fn lazy_reusing(app: &AppInput, earlier: &Modules) -> Modules {
        let modules = Modules::lazy(app);
        if modules.decorator_model == earlier.decorator_model {
            for (path, slot) in &modules.slots {
                let Some(old) = earlier.slots.get(path) else {
                    continue;
                };
                if let (Some(Some(summary)), Some(old_text), Some(text)) =
                    (old.parsed.get(), &old.source, &slot.source)
                {
                    if Arc::ptr_eq(old_text, text) || old_text == text {
                        let _ = slot.parsed.set(Some(Arc::clone(summary)));
                    }
                }
            }
        }
        modules
    }

    /// Parses every module not parsed yet, in parallel.
    pub fn parse_all(&self) {
        use rayon::prelude::*;
        if self.all_parsed.get().is_some() {
            return;
        }
        let decorator_model = self.decorator_model;
        self.slots.par_iter().for_each(|(_, slot)| {
            slot.module(decorator_model);
        });
        let _ = self.all_parsed.set(());
    }

    /// The module of `path`, parsed now if it was not yet.
    pub fn get(&self, path: &str) -> Option<&Arc<PyModule>> {
        super::reads::note(path);
        self.slots.get(path)?.module(self.decorator_model)
    }

    /// The module of `path` with the key it is kept under.
    pub fn get_key_value(&self, path: &str) -> Option<(&String, &Arc<PyModule>)> {
        super::reads::note(path);
        let (key, slot) = self.slots.get_key_value(path)?;
        Some((key, slot.module(self.decorator_model)?))
    }

    /// Whether `path` is a Python text file whose analysis succeeded (parsing it if needed).
    pub fn contains_key(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    /// Every module, in no particular order (all parsed first).
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Arc<PyModule>)> {
        super::reads::every_module();
        self.parse_all();
        let decorator_model = self.decorator_model;
        self.slots
            .iter()
            .filter_map(move |(path, slot)| Some((path, slot.module(decorator_model)?)))
    }

    /// The modules that may answer yes to a question only a module whose text contains
    /// `needle` can answer yes to (such as whether it imports a package by a name): every
    /// module parsed already (asking its summary costs nothing), and those not parsed yet whose
    /// text has `needle` (parsed now, in parallel). The caller asks its question of each; in no
    /// particular order.
    pub fn parsed_or_containing(&self, needle: &str) -> Vec<(&String, &Arc<PyModule>)> {
        use rayon::prelude::*;
        super::reads::every_module();
        // The server's modules are all parsed: the same as every module, without a pass over
        // every text on each keystroke.
        if self.all_parsed.get().is_some() {
            return self.iter().collect();
        }
        let finder = memchr::memmem::Finder::new(needle);
        let decorator_model = self.decorator_model;
        self.slots
            .par_iter()
            .filter(|(_, slot)| {
                slot.parsed.get().is_some()
                    || slot
                        .source
                        .as_deref()
                        .is_some_and(|text| finder.find(text.as_bytes()).is_some())
            })
            .filter_map(|(path, slot)| Some((path, slot.module(decorator_model)?)))
            .collect()
    }

    /// The paths of every module (all parsed first).
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.iter().map(|(path, _)| path)
    }

    /// How many Python text files there are (parsed or not).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Whether the summaries collect what only the decorator model reads.
    pub fn decorator_model(&self) -> bool {
        self.decorator_model
    }

    /// Takes summaries made earlier of the same texts (in the same model) instead of parsing
    /// them: each is set for its path if the path is a module not parsed yet.
    pub fn preset(&self, summaries: impl IntoIterator<Item = (String, Arc<PyModule>)>) {
        for (path, module) in summaries {
            if let Some(slot) = self.slots.get(&path) {
                let _ = slot.parsed.set(Some(module));
            }
        }
    }

    /// The modules parsed (or set) so far, without parsing any; in no particular order.
    pub fn parsed(&self) -> impl Iterator<Item = (&String, &Arc<PyModule>)> {
        super::reads::every_module();
        self.slots
            .iter()
            .filter_map(|(path, slot)| Some((path, slot.parsed.get()?.as_ref()?)))
    }

    /// How many modules have been parsed (or set) so far.
    pub fn parsed_count(&self) -> usize {
        self.slots
            .values()
            .filter(|s| s.parsed.get().is_some())
            .count()
    }

    /// Sets the module of `path` (parsed by the caller).
    pub fn insert(&mut self, path: String, module: Arc<PyModule>) {
        self.slots.insert(
            path,
            Slot {
                source: None,
                parsed: OnceLock::from(Some(module)),
            },
        );
    }

    /// Forgets `path`, returning its module if it had been parsed.
    pub fn remove(&mut self, path: &str) -> Option<Arc<PyModule>> {
        self.slots.remove(path)?.parsed.into_inner().flatten()
    }
}

/// Parses every Python file of the app (in parallel); what only the decorator model reads is
/// collected only when the app has its decorator script.
pub fn parse_modules(app: &AppInput) -> Modules {
    let modules = Modules::lazy(app);
    modules.parse_all();
    modules
}

/// `modules[path]`, as for a map: panics when `path` has no module.
impl std::ops::Index<&str> for Modules {
    type Output = Arc<PyModule>;

    fn index(&self, path: &str) -> &Arc<PyModule> {
        self.get(path)
            .unwrap_or_else(|| panic!("no module for {path}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::app::FileContent;

    fn app() -> AppInput {
        let mut app = AppInput::new("app");
        for (path, text) in [
            (
                "F/__init__.py",
                "import azure.functions as func\n\ndef main(req): ...\n",
            ),
            (
                "G/__init__.py",
                "from azure import durable_functions as df\n",
            ),
            ("shared/util.py", "def helper(:\n"),
            ("F/function.json", "{}"),
        ] {
            app.files
                .insert(path.into(), FileContent::Text(text.into()));
        }
        app.files.insert("bad.py".into(), FileContent::NotUtf8);
        app
    }

    #[test]
    fn preset_summaries_are_used_instead_of_parsing() {
        let earlier = parse_modules(&app());
        let modules = Modules::lazy(&app());
        let summary = Arc::clone(earlier.get("F/__init__.py").unwrap());
        modules.preset([
            ("F/__init__.py".to_string(), Arc::clone(&summary)),
            // Not a module of the app: nothing to set.
            ("F/function.json".to_string(), Arc::clone(&summary)),
        ]);
        assert_eq!(modules.parsed_count(), 1);
        modules.parse_all();
        assert!(Arc::ptr_eq(modules.get("F/__init__.py").unwrap(), &summary));
        assert!(!modules.contains_key("F/function.json"));
        assert_eq!(modules.parsed_count(), 3);
    }

    #[test]
    fn summaries_are_taken_over_for_the_same_text_in_the_same_model() {
        let earlier = Modules::lazy(&app());
        earlier.get("F/__init__.py").unwrap();
        earlier.get("shared/util.py").unwrap();
        let mut later_app = app();
        later_app.files.insert(
            "shared/util.py".into(),
            FileContent::Text("def helper(): ...\n".into()),
        );
        // A copy of the text (not the same allocation) counts as the same text.
        later_app.files.insert(
            "F/__init__.py".into(),
            FileContent::Text(String::from(later_app.text("F/__init__.py").unwrap()).into()),
        );
        let later = Modules::lazy_reusing(&later_app, &earlier);
        // F's summary is taken; util.py's text changed; G was never parsed.
        assert_eq!(later.parsed_count(), 1);
        assert!(Arc::ptr_eq(
            later.get("F/__init__.py").unwrap(),
            earlier.get("F/__init__.py").unwrap()
        ));
        assert!(!Arc::ptr_eq(
            later.get("shared/util.py").unwrap(),
            earlier.get("shared/util.py").unwrap()
        ));
        // In another model nothing is taken: the summaries collect different things.
        let mut decorated = app();
        decorated.files.insert(
            "function_app.py".into(),
            FileContent::Text("import azure.functions as func\napp = func.FunctionApp()\n".into()),
        );
        assert_eq!(
            Modules::lazy_reusing(&decorated, &earlier).parsed_count(),
            0
        );
    }

    #[test]
    fn a_module_is_parsed_when_first_asked_for_and_once() {
        let modules = Modules::lazy(&app());
        // Python text files only.
        assert_eq!(modules.len(), 3);
        assert_eq!(modules.parsed_count(), 0);
        let first = modules.get("F/__init__.py").unwrap();
        assert_eq!(modules.parsed_count(), 1);
        assert!(Arc::ptr_eq(first, modules.get("F/__init__.py").unwrap()));
        assert_eq!(first.imports.len(), 1);
        // A file with a syntax error is still a module; a file that is not text is none.
        assert!(modules.contains_key("shared/util.py"));
        assert!(!modules.contains_key("bad.py"));
        assert!(!modules.contains_key("F/function.json"));
        assert_eq!(modules.parsed_count(), 2);
    }

    #[test]
    fn parsing_on_demand_gives_the_summaries_parsing_everything_gives() {
        let app = app();
        let lazy = Modules::lazy(&app);
        let eager = parse_modules(&app);
        assert_eq!(eager.parsed_count(), 3);
        let mut paths: Vec<&String> = lazy.keys().collect();
        paths.sort();
        assert_eq!(paths, ["F/__init__.py", "G/__init__.py", "shared/util.py"]);
        // The names' map is in hash order: compared sorted.
        let comparable = |module: &PyModule| {
            let mut m = module.clone();
            let names: std::collections::BTreeMap<_, _> =
                std::mem::take(&mut m.names).into_iter().collect();
            format!("{m:?} {names:?}")
        };
        for path in paths {
            assert_eq!(
                comparable(&lazy[path.as_str()]),
                comparable(&eager[path.as_str()]),
                "{path}"
            );
        }
    }

    #[test]
    fn only_modules_whose_text_has_the_needle_are_parsed_for_it() {
        let mut modules = Modules::lazy(&app());
        let found = modules.parsed_or_containing("durable_functions");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "G/__init__.py");
        assert_eq!(modules.parsed_count(), 1);
        // A module parsed already is offered whatever its text (its summary is asked), and so is
        // one set by its summary alone.
        let summary = Arc::clone(modules.get("F/__init__.py").unwrap());
        modules.insert("set.py".into(), summary);
        let names = |found: Vec<(&String, &Arc<PyModule>)>| {
            let mut names: Vec<String> = found.into_iter().map(|(p, _)| p.clone()).collect();
            names.sort_unstable();
            names
        };
        assert_eq!(
            names(modules.parsed_or_containing("durable_functions")),
            ["F/__init__.py", "G/__init__.py", "set.py"]
        );
        assert_eq!(modules.parsed_count(), 3);
        // Once all are parsed, every module is offered.
        modules.parse_all();
        assert_eq!(
            names(modules.parsed_or_containing("durable_functions")),
            ["F/__init__.py", "G/__init__.py", "set.py", "shared/util.py"]
        );
        // Once all are parsed, a module set later is still listed.
        modules.parse_all();
        assert_eq!(modules.parsed_count(), modules.len());
        modules.insert(
            "later.py".into(),
            Arc::clone(modules.get("set.py").unwrap()),
        );
        assert_eq!(
            modules.keys().filter(|k| k.ends_with("later.py")).count(),
            1
        );
        assert!(modules.remove("later.py").is_some());
        // Removing gives back a parsed module, and nothing for one never parsed.
        assert!(modules.remove("set.py").is_some());
        assert!(modules.remove("shared/util.py").is_some());
        assert!(!modules.contains_key("shared/util.py"));
        let mut fresh = Modules::lazy(&app());
        assert!(fresh.remove("shared/util.py").is_none());
    }
}
