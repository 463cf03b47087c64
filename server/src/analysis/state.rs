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
    /// Diagnostics per function, computed on demand and dropped when an edit affects them.
    cache: HashMap<String, Arc<Vec<Diagnostic>>>,
    /// For each checked function, the app files its load runs (script, packages, local imports).
    loads: HashMap<String, Vec<String>>,
    /// Which checked functions load each file (the reverse of `loads`).
    loaded_by: HashMap<String, BTreeSet<String>>,
    /// The app's v2 script, when the app is a v2 app (its functions then come from decorators).
    v2_script: Option<String>,
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
        AppState {
            input,
            modules,
            units,
            order,
            cache: HashMap::new(),
            loads: HashMap::new(),
            loaded_by: HashMap::new(),
            v2_script,
        }
    }

    /// Checks every function (in parallel) and keeps the results.
    pub fn check_all(&mut self) {
        use rayon::prelude::*;
        let pending: Vec<(&String, &Arc<FunctionUnit>)> = self
            .units
            .iter()
            .filter(|(key, _)| !self.cache.contains_key(*key))
            .collect();
        let results: Vec<(String, Vec<Diagnostic>, Vec<String>)> = pending
            .par_iter()
            .map(|(key, u)| {
                let (d, files) = rules::check_function_and_modules(&self.input, &self.modules, u);
                ((*key).clone(), d, files)
            })
            .collect();
        for (name, diagnostics, files) in results {
            self.remember(name, diagnostics, files);
        }
    }

    fn remember(
        &mut self,
        name: String,
        diagnostics: Vec<Diagnostic>,
        files: Vec<String>,
    ) -> Arc<Vec<Diagnostic>> {
        self.forget_loads(&name);
        for f in &files {
            self.loaded_by
                .entry(f.clone())
                .or_default()
                .insert(name.clone());
        }
        self.loads.insert(name.clone(), files);
        let diagnostics = Arc::new(diagnostics);
        self.cache.insert(name, diagnostics.clone());
        diagnostics
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
        if path.ends_with(".py") {
            match content.text() {
                Some(text) => match python::parse_guarded(text, self.v2_script.is_some()) {
                    Some(module) => {
                        self.modules.insert(path.to_string(), Arc::new(module));
                    }
                    None => {
                        self.modules.remove(path);
                    }
                },
                None => {
                    self.modules.remove(path);
                }
            }
        }
        let existed = self.input.files.contains_key(path);
        self.input.files.insert(path.to_string(), content);
        self.refresh(path, !existed)
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
        if path == "local.settings.json"
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
            if path.ends_with(".py")
                || path == "local.settings.json"
                || was_v2 != self.v2_script.is_some()
            {
                affected.extend(self.rederive_all());
            }
            affected.extend(self.importers_of(path, listing_changed));
            for f in &affected {
                self.cache.remove(f);
            }
            return affected;
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

    /// Whether the app is a v2 (decorator) app.
    pub fn is_v2(&self) -> bool {
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
        if let Some(d) = self.cache.get(name) {
            return d.clone();
        }
        match self.units.get(name).cloned() {
            Some(unit) => {
                let (d, files) =
                    rules::check_function_and_modules(&self.input, &self.modules, &unit);
                self.remember(name.to_string(), d, files)
            }
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
                if config.enabled(d.code) {
                    by_file.entry(d.file.clone()).or_default().push(d.clone());
                }
            }
        }
        for d in self.app_diagnostics() {
            if config.enabled(d.code) {
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
            if let Some(d) = self.cache.get(name) {
                files.extend(d.iter().map(|d| d.file.clone()));
            }
            if let Some(unit) = self.units.get(name) {
                files.insert(unit.json_path.clone());
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
            .map(|d| (d.file, d.range, d.code, d.message))
            .collect();
        found.sort();
        found
    }

    fn from_check(input: &AppInput) -> Vec<(String, TextRange, &'static str, String)> {
        let mut found: Vec<_> = crate::analysis::check_app(input, &Config::default())
            .into_iter()
            .map(|d| (d.file, d.range, d.code, d.message))
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
        assert!(state.is_v2());
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
        assert!(!state.is_v2());
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
