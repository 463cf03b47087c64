//! An app kept in memory across edits: files, parsed modules and discovered functions are
//! updated incrementally, so a keystroke in one function re-checks only what it affects.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::app::{AppInput, FileContent};
use super::config::Config;
use super::diagnostic::Diagnostic;
use super::function::{self, FunctionUnit, Modules};
use super::python;
use super::rules;
use super::settings::{self, LocalSettings, LOCAL_SETTINGS};
use super::v2;

/// One app with its derived data, updated file by file.
#[derive(Debug, Clone)]
pub struct AppState {
    input: AppInput,
    modules: Modules,
    /// Function units by folder name.
    units: BTreeMap<String, Arc<FunctionUnit>>,
    /// The keys of `units` in host order (the order `check` sees the functions in, which rules
    /// across functions depend on).
    order: Vec<String>,
    /// Diagnostics per function, computed on demand and dropped when an edit affects them (only
    /// their settings part when the edit is to local.settings.json).
    cache: HashMap<String, Cached>,
    /// `local.settings.json`, parsed once per edit of it.
    settings: Option<Arc<LocalSettings>>,
    /// For each checked function, the app files its load runs (script, packages, local imports).
    loads: HashMap<String, Vec<String>>,
    /// Which checked functions load each file (the reverse of `loads`).
    loaded_by: HashMap<String, BTreeSet<String>>,
    /// The app's v2 script, when the app is a v2 app (its functions then come from decorators).
    v2_script: Option<String>,
}

/// One function's diagnostics, kept in two parts so that an edit of local.settings.json re-runs
/// only the rules that read it.
#[derive(Debug, Clone)]
struct Cached {
    checked: rules::FunctionChecked,
    /// Whether `checked.on_settings` is current (false after an edit of the settings).
    settings_current: bool,
    /// Both parts in rule order, once asked for.
    all: Option<Arc<Vec<Diagnostic>>>,
}

impl Cached {
    fn all(&mut self) -> Arc<Vec<Diagnostic>> {
        self.all
            .get_or_insert_with(|| {
                let mut all = self.checked.independent.clone();
                all.extend(self.checked.on_settings.iter().cloned());
                // Rules run in code order: a stable sort by code restores their order.
                all.sort_by_key(|d| d.code);
                Arc::new(all)
            })
            .clone()
    }
}

/// Units by name. Several functions with one name (an error in a v2 app) are all kept, as
/// `check` keeps them: the first under its name, the others under the name plus a NUL and their
/// rank, a key no function name has, so their diagnostics are not lost.
fn by_name(units: Vec<FunctionUnit>) -> (BTreeMap<String, Arc<FunctionUnit>>, Vec<String>) {
    let mut map = BTreeMap::new();
    let mut order = Vec::with_capacity(units.len());
    for u in units {
        let mut key = u.name.clone();
        let mut rank = 1;
        while map.contains_key(&key) {
            rank += 1;
            key = format!("{}\0{rank}", u.name);
        }
        order.push(key.clone());
        map.insert(key, Arc::new(u));
    }
    (map, order)
}

fn v2_script(input: &AppInput) -> Option<String> {
    let name = v2::script_name(input).name;
    input.exists(&name).then_some(name)
}

impl AppState {
    pub fn new(input: AppInput) -> AppState {
        let modules = function::parse_modules(&input);
        let (units, order) = by_name(function::discover_all(&input, &modules));
        let v2_script = v2_script(&input);
        let settings = settings::local_settings(&input).map(Arc::new);
        AppState {
            input,
            modules,
            units,
            order,
            cache: HashMap::new(),
            settings,
            loads: HashMap::new(),
            loaded_by: HashMap::new(),
            v2_script,
        }
    }

    /// Checks every function (in parallel) and keeps the results.
    pub fn check_all(&mut self) {
        use rayon::prelude::*;
        enum Work<'s> {
            Full(&'s Arc<FunctionUnit>),
            Settings(&'s Arc<FunctionUnit>, &'s rules::FunctionChecked),
        }
        enum Done {
            Full(rules::FunctionChecked),
            Settings(Vec<Diagnostic>),
        }
        let pending: Vec<(&String, Work)> = self
            .units
            .iter()
            .filter_map(|(key, u)| match self.cache.get(key) {
                None => Some((key, Work::Full(u))),
                Some(c) if !c.settings_current => Some((key, Work::Settings(u, &c.checked))),
                Some(_) => None,
            })
            .collect();
        let results: Vec<(String, Done)> = pending
            .par_iter()
            .map(|(key, work)| match work {
                Work::Full(u) => ((*key).clone(), Done::Full(self.check(u))),
                Work::Settings(u, rules) => (
                    (*key).clone(),
                    Done::Settings(self.recheck_settings(u, rules)),
                ),
            })
            .collect();
        for (name, done) in results {
            match done {
                Done::Full(checked) => {
                    self.remember(name, checked);
                }
                Done::Settings(found) => self.remember_settings(&name, found),
            }
        }
    }

    fn check(&self, unit: &FunctionUnit) -> rules::FunctionChecked {
        rules::check_function_parts(
            &self.input,
            &self.modules,
            unit,
            Some(self.settings.clone()),
        )
    }

    fn recheck_settings(
        &self,
        unit: &FunctionUnit,
        checked: &rules::FunctionChecked,
    ) -> Vec<Diagnostic> {
        if checked.settings_rules.is_empty() {
            return Vec::new();
        }
        rules::check_function_rules(
            &self.input,
            &self.modules,
            unit,
            self.settings.clone(),
            checked.loaded.clone(),
            &checked.settings_rules,
        )
    }

    fn remember(
        &mut self,
        name: String,
        mut checked: rules::FunctionChecked,
    ) -> Arc<Vec<Diagnostic>> {
        self.forget_loads(&name);
        let files = std::mem::take(&mut checked.files);
        for f in &files {
            self.loaded_by
                .entry(f.clone())
                .or_default()
                .insert(name.clone());
        }
        self.loads.insert(name.clone(), files);
        let mut cached = Cached {
            checked,
            settings_current: true,
            all: None,
        };
        let all = cached.all();
        self.cache.insert(name, cached);
        all
    }

    fn remember_settings(&mut self, name: &str, found: Vec<Diagnostic>) {
        if let Some(c) = self.cache.get_mut(name) {
            c.checked.on_settings = found;
            c.settings_current = true;
            c.all = None;
        }
    }

    fn forget_loads(&mut self, name: &str) {
        if let Some(files) = self.loads.remove(name) {
            for f in files {
                if let Some(set) = self.loaded_by.get_mut(&f) {
                    set.remove(name);
                    if set.is_empty() {
                        self.loaded_by.remove(&f);
                    }
                }
            }
        }
    }

    /// The app-level diagnostics (host.json, local.settings.json, requirements, routes across
    /// functions), unfiltered.
    pub fn app_diagnostics(&self) -> Vec<Diagnostic> {
        let units: Vec<&FunctionUnit> = self.units().collect();
        rules::check_app_files(&self.input, &self.modules, &units)
    }

    pub fn input(&self) -> &AppInput {
        &self.input
    }

    pub fn modules(&self) -> &Modules {
        &self.modules
    }

    /// The functions in host order.
    pub fn units(&self) -> impl Iterator<Item = &FunctionUnit> {
        self.order
            .iter()
            .filter_map(|key| self.units.get(key))
            .map(|u| u.as_ref())
    }

    /// The keys of the functions, for [`AppState::function_diagnostics`]: their names, made
    /// unique when several functions share one.
    pub fn function_keys(&self) -> impl Iterator<Item = &String> {
        self.units.keys()
    }

    pub fn unit(&self, name: &str) -> Option<&FunctionUnit> {
        self.units.get(name).map(|u| u.as_ref())
    }

    /// Sets a file's content (an edit, a new file) and returns the functions it affects.
    pub fn set_file(&mut self, path: &str, content: FileContent) -> BTreeSet<String> {
        self.set_file_reusing(path, content, None).0
    }

    /// [`AppState::set_file`] for an edited Python file whose previous syntax tree is known
    /// (adjusted for the edits with `Tree::edit`): only the edited region is parsed again. Also
    /// returns the new tree, for the next edit.
    pub fn set_file_reusing(
        &mut self,
        path: &str,
        content: FileContent,
        previous: Option<&tree_sitter::Tree>,
    ) -> (BTreeSet<String>, Option<tree_sitter::Tree>) {
        let mut tree = None;
        if path.ends_with(".py") {
            match content.text() {
                Some(text) => {
                    let decorator_model = self.v2_script.is_some();
                    match python::parse_reusing_guarded(text, decorator_model, previous) {
                        Some((module, new_tree)) => {
                            tree = new_tree;
                            self.modules.insert(path.to_string(), Arc::new(module));
                        }
                        None => {
                            self.modules.remove(path);
                        }
                    }
                }
                None => {
                    self.modules.remove(path);
                }
            }
        }
        let existed = self.input.files.contains_key(path);
        self.input.files.insert(path.to_string(), content);
        (self.refresh(path, !existed), tree)
    }

    /// Removes a file and returns the functions it affects.
    pub fn remove_file(&mut self, path: &str) -> BTreeSet<String> {
        self.modules.remove(path);
        if self.input.files.remove(path).is_none() {
            return BTreeSet::new();
        }
        self.refresh(path, true)
    }

    /// Re-derives what depends on `path`; `listing_changed` when a file appeared or vanished
    /// (which can change the primary script of its folder).
    fn refresh(&mut self, path: &str, listing_changed: bool) -> BTreeSet<String> {
        let mut affected = BTreeSet::new();
        // Whether the app is a v2 app can change with the script or the setting that names it.
        let was_v2 = self.v2_script.is_some();
        if path == LOCAL_SETTINGS
            || self.v2_script.as_deref() == Some(path)
            || (listing_changed && path.ends_with(".py"))
        {
            self.v2_script = v2_script(&self.input);
            if !was_v2 && self.v2_script.is_some() {
                // The decorator model reads more of each module than was collected.
                self.modules = function::parse_modules(&self.input);
            }
        }
        if was_v2 || self.v2_script.is_some() {
            if path.ends_with(".py") || path == LOCAL_SETTINGS || was_v2 != self.v2_script.is_some()
            {
                affected.extend(self.rederive_all());
            }
            if path != LOCAL_SETTINGS {
                affected.extend(self.importers_of(path, listing_changed));
            }
            for f in &affected {
                self.cache.remove(f);
            }
            if path == LOCAL_SETTINGS {
                affected.extend(self.settings_changed());
            }
            return affected;
        }
        if path == LOCAL_SETTINGS {
            return self.settings_changed();
        }
        if let Some((folder, rest)) = path.split_once('/') {
            if !rest.contains('/') {
                if rest == "function.json" || listing_changed {
                    self.rediscover(folder);
                }
                if self.units.contains_key(folder) {
                    affected.insert(folder.to_string());
                }
            }
        }
        affected.extend(self.importers_of(path, listing_changed));
        for f in &affected {
            self.cache.remove(f);
        }
        affected
    }

    /// After an edit of local.settings.json: reads it once, re-runs the rules that read it on
    /// every checked function (in parallel) and returns the functions whose diagnostics changed,
    /// with those never checked. Nothing else depends on the settings.
    fn settings_changed(&mut self) -> BTreeSet<String> {
        use rayon::prelude::*;
        self.settings = settings::local_settings(&self.input).map(Arc::new);
        let mut affected: BTreeSet<String> = BTreeSet::new();
        let mut work = Vec::new();
        for (name, unit) in &self.units {
            match self.cache.get(name) {
                Some(c) => work.push((name, unit, &c.checked)),
                None => {
                    affected.insert(name.clone());
                }
            }
        }
        let results: Vec<(String, Vec<Diagnostic>)> = work
            .par_iter()
            .map(|(name, unit, rules)| ((*name).clone(), self.recheck_settings(unit, rules)))
            .collect();
        for (name, found) in results {
            let changed = self
                .cache
                .get(&name)
                .is_none_or(|c| c.checked.on_settings != found);
            if changed {
                self.remember_settings(&name, found);
                affected.insert(name);
            }
        }
        affected
    }

    /// Derives every unit again (a v2 app's functions come from its modules as a whole) and
    /// returns the names whose unit changed, appeared or vanished.
    fn rederive_all(&mut self) -> BTreeSet<String> {
        let (new, order) = by_name(function::discover_all(&self.input, &self.modules));
        let mut changed = BTreeSet::new();
        for (name, unit) in &self.units {
            if new.get(name).is_none_or(|n| n != unit) {
                changed.insert(name.clone());
            }
        }
        for name in new.keys() {
            if !self.units.contains_key(name) {
                changed.insert(name.clone());
            }
        }
        for name in &changed {
            if !new.contains_key(name) {
                self.forget_loads(name);
            }
        }
        self.units = new;
        self.order = order;
        changed
    }

    /// Whether the app uses the decorator model.
    pub fn uses_decorator_model(&self) -> bool {
        self.v2_script.is_some()
    }

    fn rediscover(&mut self, folder: &str) {
        match function::discover_one(&self.input, folder) {
            Some(unit) => {
                self.units.insert(folder.to_string(), Arc::new(unit));
            }
            None => {
                self.units.remove(folder);
            }
        }
        // Function folders in host order, as `function::discover` lists them.
        self.order = self.units.keys().cloned().collect();
        self.order
            .sort_by_key(|f| (f.to_ascii_lowercase(), f.clone()));
    }

    /// Functions whose diagnostics may depend on `path`: the function of its folder, and every
    /// checked function whose load ran it. A new Python file may satisfy an import that failed
    /// before, and a root file (settings, requirements, host.json) is read by every function.
    fn importers_of(&self, path: &str, listing_changed: bool) -> BTreeSet<String> {
        let root_file = !path.contains('/');
        if root_file || (listing_changed && path.ends_with(".py")) {
            return self.units.keys().cloned().collect();
        }
        if !path.ends_with(".py") {
            return BTreeSet::new();
        }
        self.loaded_by.get(path).cloned().unwrap_or_default()
    }

    /// The diagnostics of one function (unfiltered), computed once until an edit affects it.
    pub fn function_diagnostics(&mut self, name: &str) -> Arc<Vec<Diagnostic>> {
        if let Some(c) = self.cache.get_mut(name) {
            if c.settings_current {
                return c.all();
            }
        }
        match self.units.get(name).cloned() {
            Some(unit) => match self.cache.get(name) {
                Some(c) => {
                    let found = self.recheck_settings(&unit, &c.checked);
                    self.remember_settings(name, found);
                    self.cache
                        .get_mut(name)
                        .map(Cached::all)
                        .unwrap_or_default()
                }
                None => {
                    let checked = self.check(&unit);
                    self.remember(name.to_string(), checked)
                }
            },
            None => {
                self.forget_loads(name);
                Arc::new(Vec::new())
            }
        }
    }

    /// Every diagnostic of the app, filtered by `config`, grouped by file.
    pub fn diagnostics_by_file(&mut self, config: &Config) -> BTreeMap<String, Vec<Diagnostic>> {
        let names: Vec<String> = self.units.keys().cloned().collect();
        let mut by_file: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
        for name in names {
            for d in self.function_diagnostics(&name).iter() {
                if config.enabled(d.code.as_str()) {
                    by_file.entry(d.file.clone()).or_default().push(d.clone());
                }
            }
        }
        for d in self.app_diagnostics() {
            if config.enabled(d.code.as_str()) {
                by_file.entry(d.file.clone()).or_default().push(d);
            }
        }
        for list in by_file.values_mut() {
            list.sort_by(|a, b| {
                (a.range.start, a.code, &a.message).cmp(&(b.range.start, b.code, &b.message))
            });
            list.dedup_by(|b, a| a.range == b.range && a.code == b.code && a.message == b.message);
            let owned = std::mem::take(list);
            *list = config.apply(owned);
        }
        by_file
    }

    /// The files that the diagnostics of `functions` can land in (for re-publishing).
    pub fn files_of(&self, functions: &BTreeSet<String>) -> BTreeSet<String> {
        let mut files = BTreeSet::new();
        for name in functions {
            if let Some(c) = self.cache.get(name) {
                let checked = &c.checked;
                let all = checked.independent.iter().chain(&checked.on_settings);
                files.extend(all.map(|d| d.file.clone()));
            }
            if let Some(unit) = self.units.get(name) {
                files.insert(unit.declaration_file().to_string());
                if let function::Script::Found { path, .. } = &unit.script {
                    files.insert(path.clone());
                }
            }
        }
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::text::TextRange;

    const HTTP_JSON: &str = r#"{"bindings": [{"type": "httpTrigger", "name": "req"}]}"#;

    fn text(t: &str) -> FileContent {
        FileContent::Text(Arc::from(t))
    }

    /// Every diagnostic, as `check` keys them.
    fn all(state: &mut AppState) -> Vec<(String, TextRange, &'static str, String)> {
        let mut found: Vec<_> = state
            .diagnostics_by_file(&Config::default())
            .into_values()
            .flatten()
            .map(|d| (d.file, d.range, d.code.as_str(), d.message))
            .collect();
        found.sort();
        found
    }

    fn from_check(input: &AppInput) -> Vec<(String, TextRange, &'static str, String)> {
        let mut found: Vec<_> = crate::analysis::check_app(input, &Config::default())
            .into_iter()
            .map(|d| (d.file, d.range, d.code.as_str(), d.message))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn rules_across_functions_see_them_in_host_order() {
        // Host order ignores case: `a` comes before `B`, and the route conflict is reported on
        // the later one, here as in `check`, also after an edit.
        let route = r#"{"bindings": [{"type": "httpTrigger", "name": "req", "route": "x"}]}"#;
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("a/function.json", route)
            .with_file("a/__init__.py", "def main(req): pass\n")
            .with_file("B/function.json", route)
            .with_file("B/__init__.py", "def main(req): pass\n");
        let mut state = AppState::new(input.clone());
        let expected = from_check(&input);
        assert!(expected
            .iter()
            .any(|d| d.2 == "AZF403" && d.0 == "B/function.json"));
        assert_eq!(all(&mut state), expected);
        state.set_file("a/function.json", text(route));
        assert_eq!(all(&mut state), expected);
    }

    #[test]
    fn functions_sharing_a_name_are_all_checked() {
        let script = "import azure.functions as func\napp = func.FunctionApp()\n\n@app.route(route=\"a\")\ndef f(req):\n    return 'a'\n\n@app.queue_trigger(arg_name=\"m\", queue_name=\"q\", connection=\"C\")\ndef f(m):\n    pass\n";
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("function_app.py", script);
        let mut state = AppState::new(input.clone());
        let expected = from_check(&input);
        // The queue trigger needs the extension bundle: a diagnostic of the second `f` only.
        assert!(expected.iter().any(|d| d.2 == "AZF603"), "{expected:?}");
        assert_eq!(all(&mut state), expected);
    }

    #[test]
    fn edits_recheck_only_the_affected_function() {
        let input = AppInput::new("app")
            .with_file("A/function.json", HTTP_JSON)
            .with_file("A/__init__.py", "def main(req): pass\n")
            .with_file("B/function.json", HTTP_JSON)
            .with_file("B/__init__.py", "def main(req): pass\n");
        let mut state = AppState::new(input);
        assert!(state.function_diagnostics("A").is_empty());
        let affected = state.set_file("A/__init__.py", text("def main(request): pass\n"));
        assert_eq!(affected.into_iter().collect::<Vec<_>>(), ["A"]);
        let codes: Vec<_> = state
            .function_diagnostics("A")
            .iter()
            .map(|d| d.code)
            .collect();
        assert_eq!(codes, ["AZF201", "AZF202"]);
        assert!(state.function_diagnostics("B").is_empty());

        // A new function folder appears; removing its function.json makes it disappear.
        state.set_file("C/function.json", text(HTTP_JSON));
        assert!(state.unit("C").is_some());
        state.remove_file("C/function.json");
        assert!(state.unit("C").is_none());

        // Shared code affects every function.
        let affected = state.set_file("shared/util.py", text("x = 1\n"));
        assert_eq!(affected.len(), 2);
    }

    #[test]
    fn a_settings_edit_re_runs_only_what_reads_the_settings() {
        let queue = r#"{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q", "connection": "MyConn"}]}"#;
        let settings = |values: &str| {
            format!(
                r#"{{"IsEncrypted": false, "Values": {{"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"{values}}}}}"#
            )
        };
        let input = AppInput::new("app")
            .with_file(
                "host.json",
                r#"{"version": "2.0", "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}}"#,
            )
            .with_file("local.settings.json", &settings(""))
            .with_file("A/function.json", queue)
            .with_file("A/__init__.py", "import os\ndef main(msg):\n    os.environ[\"Token\"]\n")
            .with_file("B/function.json", HTTP_JSON)
            .with_file("B/__init__.py", "def main(request): pass\n");
        let mut state = AppState::new(input);
        state.check_all();
        let codes = |state: &mut AppState, name: &str| -> Vec<&'static str> {
            state
                .function_diagnostics(name)
                .iter()
                .map(|d| d.code.as_str())
                .collect()
        };
        assert_eq!(codes(&mut state, "A"), ["AZF306", "AZF310"]);
        assert_eq!(codes(&mut state, "B"), ["AZF201", "AZF202"]);

        // Defining the connection changes A only; B's diagnostics are kept as they were.
        let b_before = state.function_diagnostics("B");
        let affected = state.set_file(
            "local.settings.json",
            text(&settings(r#", "MyConn__serviceUri": "https://x""#)),
        );
        assert_eq!(affected.into_iter().collect::<Vec<_>>(), ["A"]);
        assert_eq!(codes(&mut state, "A"), ["AZF310"]);
        assert!(Arc::ptr_eq(&b_before, &state.function_diagnostics("B")));

        // The result equals a check from scratch, and an edit that changes nothing affects
        // nothing.
        let fresh = AppState::new(state.input().clone()).function_diagnostics("A");
        assert_eq!(*state.function_diagnostics("A"), *fresh);
        let affected = state.set_file(
            "local.settings.json",
            text(&settings(r#", "MyConn__serviceUri": "https://y""#)),
        );
        assert!(affected.is_empty(), "{affected:?}");

        // Removing the file silences the settings rules.
        let affected = state.remove_file("local.settings.json");
        assert_eq!(affected.into_iter().collect::<Vec<_>>(), ["A"]);
        assert!(codes(&mut state, "A").is_empty());
    }

    /// The `\n`-based row and byte column of `offset`, as tree-sitter counts them.
    fn point(text: &str, offset: usize) -> tree_sitter::Point {
        let before = &text[..offset];
        let row = before.matches('\n').count();
        let column = offset - before.rfind('\n').map_or(0, |i| i + 1);
        tree_sitter::Point { row, column }
    }

    /// A module's summary with its names in a stable order.
    fn comparable(module: &python::PyModule) -> String {
        let mut m = module.clone();
        let names: BTreeMap<_, _> = std::mem::take(&mut m.names).into_iter().collect();
        format!("{m:?} {names:?}")
    }

    #[test]
    fn incremental_parses_equal_parses_from_scratch() {
        const PIECES: &[&str] = &[
            "def ",
            "f(",
            ")",
            ":",
            "\n",
            "\n    ",
            "    ",
            "return x",
            "é",
            "😀",
            "\r\n",
            "\r",
            "\"",
            "'''",
            "(",
            "[",
            "]",
            "import os\n",
            "os.environ[\"K\"]",
            "@app.route()\n",
            "class C:\n",
            "x: int = 1\n",
            "#",
            "\\",
            "lambda: 0",
            " ",
            "a",
            "𝄞",
            "中文",
            "{",
            "}",
            "ß",
            "x = \"🎉\"\r\n",
        ];
        let base = "import os\nimport azure.functions as func\n\n\ndef main(req: func.HttpRequest) -> func.HttpResponse:\n    name = os.environ[\"NAME\"]\n    return func.HttpResponse(name)\n\n\nclass Helper:\n    def __init__(self, x: int = 1):\n        self.x = x\n";
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move |n: usize| {
            seed ^= seed >> 12;
            seed ^= seed << 25;
            seed ^= seed >> 27;
            (seed.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1) as u64) as usize
        };
        for session in 0..20 {
            let input = AppInput::new("app")
                .with_file("F/function.json", HTTP_JSON)
                .with_file("F/__init__.py", base);
            let mut state = AppState::new(input);
            let mut source = base.to_string();
            let (_, mut tree) = state.set_file_reusing("F/__init__.py", text(&source), None);
            for step in 0..60 {
                let bounds: Vec<usize> = source
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain([source.len()])
                    .collect();
                let mut start = bounds[next(bounds.len())];
                let mut end = bounds[next(bounds.len())];
                if start > end {
                    std::mem::swap(&mut start, &mut end);
                }
                if end - start > 20 {
                    end = *bounds.iter().find(|&&b| b >= start + next(20)).unwrap();
                }
                let insert: String = (0..next(3)).map(|_| PIECES[next(PIECES.len())]).collect();
                let mut edited = source.clone();
                edited.replace_range(start..end, &insert);
                let edit = tree_sitter::InputEdit {
                    start_byte: start,
                    old_end_byte: end,
                    new_end_byte: start + insert.len(),
                    start_position: point(&source, start),
                    old_end_position: point(&source, end),
                    new_end_position: point(&edited, start + insert.len()),
                };
                if let Some(t) = tree.as_mut() {
                    t.edit(&edit);
                }
                source = edited;
                let (_, new_tree) =
                    state.set_file_reusing("F/__init__.py", text(&source), tree.as_ref());
                let (scratch, scratch_tree) = python::parse_reusing(&source, false, None);
                assert_eq!(
                    comparable(&state.modules()["F/__init__.py"]),
                    comparable(&scratch),
                    "session {session} step {step}: {source:?}"
                );
                assert_eq!(
                    new_tree.as_ref().map(|t| t.root_node().to_sexp()),
                    scratch_tree.as_ref().map(|t| t.root_node().to_sexp()),
                    "session {session} step {step}: {source:?}"
                );
                tree = new_tree;
            }
        }
    }

    #[test]
    fn a_new_file_can_change_the_primary_script() {
        let input = AppInput::new("app")
            .with_file("A/function.json", HTTP_JSON)
            .with_file("A/handler.py", "def main(req): pass\n");
        let mut state = AppState::new(input);
        assert!(state.function_diagnostics("A").is_empty());
        state.set_file("A/other.py", text(""));
        let codes: Vec<_> = state
            .function_diagnostics("A")
            .iter()
            .map(|d| d.code)
            .collect();
        assert_eq!(codes, ["AZF005"]);
    }

    #[test]
    fn v2_units_follow_edits_of_the_script_and_blueprints() {
        let script = "import azure.functions as func\nfrom bps import jobs\napp = func.FunctionApp()\napp.register_functions(jobs.bp)\n\n@app.route(route=\"hello\")\ndef hello(req): return \"hi\"\n";
        let jobs = "import azure.functions as func\nbp = func.Blueprint()\n\n@bp.schedule(arg_name=\"t\", schedule=\"0 * * * * *\")\ndef tick(t): pass\n";
        let input = AppInput::new("app")
            .with_file("function_app.py", script)
            .with_file("bps/__init__.py", "")
            .with_file("bps/jobs.py", jobs)
            .with_file("Legacy/function.json", HTTP_JSON)
            .with_file("Legacy/__init__.py", "def main(req): pass\n");
        let mut state = AppState::new(input);
        assert!(state.uses_decorator_model());
        // In host order: the blueprint's functions are registered before `hello` is defined.
        let names: Vec<&str> = state.units().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["tick", "hello"]);
        let hello: Vec<_> = state
            .function_diagnostics("hello")
            .iter()
            .map(|d| d.code)
            .collect();
        assert!(hello.is_empty(), "{hello:?}");

        // Renaming the def: the old function vanishes, the new one appears.
        let affected = state.set_file(
            "function_app.py",
            text(&script.replace("def hello(req)", "def greet(request)")),
        );
        assert!(affected.contains("hello") && affected.contains("greet"));
        assert!(state.unit("hello").is_none());
        let codes: Vec<_> = state
            .function_diagnostics("greet")
            .iter()
            .map(|d| d.code)
            .collect();
        assert_eq!(codes, ["AZF201", "AZF202"]);

        // A blueprint module edit re-derives its functions; function.json folders stay ignored.
        let affected = state.set_file(
            "bps/jobs.py",
            text(&jobs.replace("def tick", "def nightly")),
        );
        assert!(affected.contains("tick") && affected.contains("nightly"));
        state.set_file("Legacy/function.json", text(HTTP_JSON));
        assert!(state.unit("Legacy").is_none());

        // Without the script the app is a function.json app again.
        state.remove_file("function_app.py");
        assert!(!state.uses_decorator_model());
        let names: Vec<&str> = state.units().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["Legacy"]);
    }

    #[test]
    fn becoming_a_decorator_app_reads_modules_parsed_before() {
        // The blueprint module is parsed while the app is a function.json app; once the script
        // appears, its decorators must still be seen.
        let input = AppInput::new("app")
            .with_file("F/function.json", HTTP_JSON)
            .with_file("F/__init__.py", "def main(req): pass\n")
            .with_file(
                "jobs.py",
                "import azure.functions as func\nbp = func.Blueprint()\n\n@bp.route(route=\"jobs\")\ndef jobs(req: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"[]\")\n",
            );
        let mut state = AppState::new(input);
        assert!(state.modules()["jobs.py"].statements.is_empty());
        state.set_file(
            "function_app.py",
            text("import azure.functions as func\nfrom jobs import bp\n\napp = func.FunctionApp()\napp.register_functions(bp)\n"),
        );
        let names: Vec<&str> = state.units().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["jobs"]);
        assert!(state.function_diagnostics("jobs").is_empty());
    }
}
