//! An app kept in memory across edits: files, parsed modules, discovered functions and their
//! diagnostics are updated incrementally, so a keystroke in one function re-checks only what it
//! affects. This is the one place that knows what depends on what: an edit answers which
//! functions and files changed, and [`AppState::file_diagnostics`] answers per file.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::{Arc, OnceLock};

// Keyed by function names and file paths, looked up per function at start-up and per edit.
use foldhash::{HashMap, HashMapExt};

use super::app::{AppInput, FileContent};
use super::config::Config;
use super::diagnostic::Diagnostic;
use super::edits::JsonFile;
use super::entry::{self, EntryDef};
use super::function::{self, Found, FunctionUnit, Modules, Script};
use super::installed::Installed;
use super::maps;
use super::python;
use super::reads::PythonReads;
use super::rules::{self, AppFacts};
use super::setting_places::SettingPlaces;
use super::settings::{self, LocalSettings, SettingsDiff, SettingsReads, LOCAL_SETTINGS};
use super::suppress;
use super::v2;

/// What an edit changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed {
    /// The functions (by key) checked again, appeared or vanished; after an edit of
    /// local.settings.json, those whose diagnostics differ.
    pub functions: BTreeSet<String>,
    /// The files whose diagnostics may differ; the edited file is always one of them.
    pub files: BTreeSet<String>,
}

/// Where a diagnostic comes from: the rules over the whole app, or one function's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Source {
    App,
    Function(String),
}

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
    /// The units in host order: rebuilt when `order` changes, else updated in place.
    ordered: Vec<Arc<FunctionUnit>>,
    /// Their facts for the app-level rules, in the same order (derived when the rules next run,
    /// and again after an edit of the unit).
    facts: AppFacts,
    /// The position of each key of `units` in `ordered`.
    position: HashMap<String, usize>,
    /// The units by script file, built on first use from `units` and `order` alone; every
    /// change of either goes through [`AppState::set_units`] or [`AppState::rediscover`], which
    /// drop it.
    by_script: OnceLock<Arc<UnitsByScript>>,
    /// Whether a unit has a durable trigger, known on first use from `units` alone and dropped
    /// with `by_script`.
    has_durable: OnceLock<bool>,
    /// The files that may hold suppression directives (`suppress::files_with_directives`),
    /// kept as files change: a workspace pull lists them after every keystroke.
    directive_files: BTreeSet<String>,
    /// The places that name settings (references), built on first use; then kept up to date as
    /// units and modules change, and dropped when all units or modules are derived again.
    setting_places: OnceLock<SettingPlaces>,
    /// Diagnostics per checked function. Boxed: a map keeps room for more entries than it
    /// holds, and an entry is a few hundred bytes.
    cache: HashMap<String, Box<Cached>>,
    /// Which checked functions' settings rules read what (from `cache`, and from
    /// `readers_waiting` for a function waiting to be checked again).
    readers: SettingsReaders,
    /// What `readers` holds of a function that an edit sent back to `pending`: its record
    /// before the edit, compared with the new one when it is checked again (a record mostly
    /// stays the same: the index is then left as it is, not emptied and filled again for every
    /// function of an edited module).
    readers_waiting: HashMap<String, SettingsReads>,
    /// Functions to check before the next answer: never checked, or affected by an edit (and
    /// possibly gone since).
    pending: BTreeSet<String>,
    /// The app-level diagnostics; `None` until computed.
    app_level: Option<Arc<Vec<Diagnostic>>>,
    /// Whether an edit of what the app-level rules read made `app_level` stale (it is kept until
    /// they run again, to tell which files their findings changed in).
    app_level_stale: bool,
    /// Per file, the positions in `app_level` of its diagnostics: a file's answer reads its own.
    app_level_by_file: HashMap<String, Vec<usize>>,
    /// Whether `app_level` has a binding without parameter, which another of its findings may
    /// cover ([`suppress::one_per_mistake`]); without one, nothing is covered.
    app_level_may_cover: bool,
    /// The files each source has diagnostics in, sorted (a few per function: a set would
    /// allocate a node of eleven).
    files_by_source: HashMap<Source, Vec<String>>,
    /// The sources with diagnostics in each file.
    sources_by_file: HashMap<String, BTreeSet<Source>>,
    /// Counts the changes of the files [`AppState::files_with_diagnostics`] lists (a file's first
    /// source or its last gone, a file's directives come or gone), so a listing can be kept.
    files_listed_changes: u64,
    /// `local.settings.json`, parsed once per edit of it.
    settings: Option<Arc<LocalSettings>>,
    /// Its JSON tree and style, for fixes that edit it: read on first use, dropped with
    /// `settings`.
    settings_json: OnceLock<Option<JsonFile>>,
    /// For each checked function, the app files its load runs (script, packages, local
    /// imports): the list its check found, which the functions of a decorator app share.
    loads: HashMap<String, Arc<Vec<rules::context::LoadedModule>>>,
    /// Which checked functions load each file (the reverse of `loads`).
    loaded_by: HashMap<String, Names>,
    /// The checked functions by the files their findings depend on: built when an edit of a
    /// decorator app's module first asks, then kept with `cache` (every entry that comes into
    /// it or leaves it, or changes in it, passes through [`Dependents`]).
    dependents: Option<Dependents>,
    /// The app's v2 script, when the app is a v2 app (its functions then come from decorators).
    v2_script: Option<String>,
    /// The decorator model the units were derived with, while it stands for the app's files:
    /// the app-level rules read it rather than run the modules again. Dropped by any edit and
    /// derived again with the units ([`AppState::rederive_all`]).
    v2_model: Option<Arc<crate::analysis::v2::V2App>>,
    /// The decorator model the units were last derived from, with them: the next derivation
    /// keeps the unit of a builder whose inputs are the same. Kept across edits (unlike
    /// `v2_model`): it only ever stands for what it was derived from.
    derived: Option<DerivedUnits>,
    /// The record an edit's derivation replaced, let go of by [`AppState::let_go_of_replaced`]:
    /// dropping a model of thousands of decorated functions takes milliseconds that an editor's
    /// request queued behind the keystroke, or its diagnostics, need not wait for.
    replaced: Option<DerivedUnits>,
    /// Whether the decorator module being set ([`AppState::set_file_reusing`]) parses as it did
    /// and imports what it did: what the app's loads run, and all the functions of a decorator
    /// app share, then stands. Taken by the edit's [`AppState::refresh`].
    loads_kept: bool,
    /// How many functions had their settings rules run again after edits of the settings, and
    /// which after the last edit.
    #[cfg(test)]
    settings_rechecks: usize,
    #[cfg(test)]
    settings_rechecked: BTreeSet<String>,
    /// How many times the app-level rules ran.
    #[cfg(test)]
    app_level_checks: usize,
    /// How many derivations of the units replaced them in place (the same functions).
    #[cfg(test)]
    units_replaced_in_place: usize,
    /// How many functions had their facts for the app-level rules derived.
    #[cfg(test)]
    facts_derived: usize,
}

/// What of a module decides which modules the app's loads run and what the functions of a
/// decorator app share of them: whether it parses, and its imports (not where they are).
#[derive(PartialEq)]
struct LoadShape {
    parses: bool,
    imports: Vec<ImportShape>,
}

/// An import without its place: level, module, `from`, unconditional, names with aliases.
type ImportShape = (u32, String, bool, bool, Vec<(String, Option<String>)>);

impl LoadShape {
    fn of(module: &python::PyModule) -> LoadShape {
        LoadShape {
            parses: module.syntax_errors.is_empty(),
            imports: module
                .imports
                .iter()
                .map(|i| {
                    let names = i
                        .names
                        .iter()
                        .map(|n| (n.name.clone(), n.alias.clone()))
                        .collect();
                    (i.level, i.module.clone(), i.is_from, i.unconditional, names)
                })
                .collect(),
        }
    }
}

/// The units grouped by the file of their script, for the questions asked once per finding
/// (which functions share an entry function) that would otherwise scan every unit.
#[derive(Debug, Default)]
struct UnitsByScript {
    /// Per script file, its units.
    units: HashMap<String, ScriptUnits>,
    /// The names more than one unit has (an error in a decorator app).
    shared_names: HashSet<String>,
}

/// Units, each with its position in host order.
type PlacedUnits = Vec<(usize, Arc<FunctionUnit>)>;

/// The units of one script file.
#[derive(Debug, Default)]
struct ScriptUnits {
    /// In host order.
    all: Vec<Arc<FunctionUnit>>,
    /// The decorated ones by their `def`, and the others, each with its host position: the
    /// functions of a decorator app share one script, and a finding's fix asks which of them
    /// share its function's `def`.
    by_def: foldhash::HashMap<usize, PlacedUnits>,
    /// Those without a decorated `def` (function.json functions naming the file).
    others: PlacedUnits,
    /// `others` by the function each runs (the start of its name), found on first use: a
    /// script may be the entry of thousands of function.json functions, and the fix of each
    /// one's finding asks which of them share its function. Found from the script's summary,
    /// and found again when the summary is another (an edit of the script).
    others_by_entry: std::sync::Mutex<Option<EntryIndex>>,
}

/// [`ScriptUnits::others_by_entry`], with the summary it was found from.
#[derive(Debug)]
struct EntryIndex {
    /// Held weakly: only to tell whether the script's summary is still this one.
    module: std::sync::Weak<python::PyModule>,
    /// Positions in `others`.
    by_entry: Arc<foldhash::HashMap<u32, Vec<usize>>>,
}

impl ScriptUnits {
    /// The `others` whose entry runs the function whose name starts at `entry`, from the index
    /// of `others_by_entry` (`runs` gives the start of each one's function in `module`, the
    /// script's current summary), found again when the summary is another.
    fn others_running(
        &self,
        entry: u32,
        module: &Arc<python::PyModule>,
        runs: impl Fn(&FunctionUnit) -> Option<u32>,
    ) -> Vec<&(usize, Arc<FunctionUnit>)> {
        let current = Arc::downgrade(module);
        let by_entry = {
            let mut slot = self
                .others_by_entry
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            match slot.as_ref() {
                Some(index) if index.module.ptr_eq(&current) => index.by_entry.clone(),
                _ => {
                    let mut by_entry: foldhash::HashMap<u32, Vec<usize>> =
                        foldhash::HashMap::default();
                    for (i, (_, u)) in self.others.iter().enumerate() {
                        if let Some(start) = runs(u) {
                            by_entry.entry(start).or_default().push(i);
                        }
                    }
                    let by_entry = Arc::new(by_entry);
                    *slot = Some(EntryIndex {
                        module: current,
                        by_entry: by_entry.clone(),
                    });
                    by_entry
                }
            }
        };
        by_entry
            .get(&entry)
            .into_iter()
            .flatten()
            .map(|&i| &self.others[i])
            .collect()
    }
}

impl UnitsByScript {
    fn build(units: &BTreeMap<String, Arc<FunctionUnit>>, order: &[String]) -> UnitsByScript {
        let mut index = UnitsByScript::default();
        let mut names = HashSet::with_capacity(units.len());
        for (position, unit) in order.iter().filter_map(|key| units.get(key)).enumerate() {
            if !names.insert(unit.name.as_str()) {
                index.shared_names.insert(unit.name.clone());
            }
            if let Script::Found { path, .. } = &unit.script {
                let script = index.units.entry(path.clone()).or_default();
                script.all.push(unit.clone());
                let at = (position, unit.clone());
                match unit.decorated().and_then(|v2| v2.def_offset) {
                    Some(offset) => script.by_def.entry(offset).or_default().push(at),
                    None => script.others.push(at),
                }
            }
        }
        index
    }
}

/// One function's diagnostics, in rule order, with which of them the rules that read
/// local.settings.json reported: an edit of the settings re-runs only those rules and replaces
/// only their part. Each diagnostic is kept once (the parts in `checked` are left empty).
#[derive(Debug, Clone)]
struct Cached {
    checked: rules::FunctionChecked,
    all: Arc<Vec<Diagnostic>>,
    /// Positions in `all` of the settings rules' diagnostics, ascending.
    on_settings: Vec<u32>,
}

impl Cached {
    fn new(mut checked: rules::FunctionChecked) -> Cached {
        let independent = std::mem::take(&mut checked.independent);
        let on_settings = std::mem::take(&mut checked.on_settings);
        let (all, on_settings) = Cached::merge(independent, on_settings);
        Cached {
            checked,
            all: Arc::new(all),
            on_settings,
        }
    }

    /// Both parts in one list, with the positions of the second part's diagnostics. Rules run
    /// in code order and report under their own code: a stable sort by code merges the parts
    /// in rule order.
    fn merge(
        independent: Vec<Diagnostic>,
        on_settings: Vec<Diagnostic>,
    ) -> (Vec<Diagnostic>, Vec<u32>) {
        let mut tagged: Vec<(Diagnostic, bool)> = independent
            .into_iter()
            .map(|d| (d, false))
            .chain(on_settings.into_iter().map(|d| (d, true)))
            .collect();
        tagged.sort_by_key(|(d, _)| d.code);
        let positions = tagged
            .iter()
            .enumerate()
            .filter(|(_, (_, settings))| *settings)
            .map(|(i, _)| i as u32)
            .collect();
        (tagged.into_iter().map(|(d, _)| d).collect(), positions)
    }

    /// Whether the settings rules reported exactly `found`.
    fn settings_part_is(&self, found: &[Diagnostic]) -> bool {
        self.on_settings.len() == found.len()
            && self
                .on_settings
                .iter()
                .zip(found)
                .all(|(&i, d)| self.all[i as usize] == *d)
    }

    /// The same function with the settings rules' diagnostics replaced by `found`.
    fn with_settings_part(self, found: Vec<Diagnostic>) -> Cached {
        let independent = self
            .all
            .iter()
            .enumerate()
            .filter(|(i, _)| self.on_settings.binary_search(&(*i as u32)).is_err())
            .map(|(_, d)| d.clone())
            .collect();
        let (all, on_settings) = Cached::merge(independent, found);
        Cached {
            checked: self.checked,
            all: Arc::new(all),
            on_settings,
        }
    }
}

/// Function names, each shared with the other sets it is in; looked up by `&str`.
type Names = foldhash::HashSet<Arc<str>>;

/// Which checked functions' settings rules observe what of the settings: each setting's
/// presence, its value's shape, the names under a prefix, the list of names, `Host.CORS`. After
/// an edit of local.settings.json, the functions to re-run rules on are found from the
/// observations that changed, not by asking every function.
#[derive(Debug, Clone, Default)]
struct SettingsReaders {
    present: HashMap<String, Names>,
    shapes: HashMap<String, Names>,
    by_prefix: HashMap<String, Names>,
    /// How many prefixes of `by_prefix` have each length: a changed name is looked up only by
    /// its prefixes of those lengths (a name of many underscores has as many prefixes).
    prefix_lengths: BTreeMap<usize, usize>,
    all_names: Names,
    cors: Names,
}

impl SettingsReaders {
    fn add(&mut self, function: &str, reads: &SettingsReads) {
        for prefix in &reads.prefixes {
            if !self.by_prefix.contains_key(prefix) {
                *self.prefix_lengths.entry(prefix.len()).or_default() += 1;
            }
        }
        // One copy of the name, shared by every set it joins (thousands of functions read the
        // same few settings: the keys are mostly there already).
        let function: Arc<str> = Arc::from(function);
        for (map, keys) in [
            (&mut self.present, &reads.present),
            (&mut self.shapes, &reads.shapes),
            (&mut self.by_prefix, &reads.prefixes),
        ] {
            for key in keys {
                maps::value_or_default(map, key).insert(Arc::clone(&function));
            }
        }
        if reads.all_names {
            self.all_names.insert(Arc::clone(&function));
        }
        if reads.cors {
            self.cors.insert(function);
        }
    }

    fn remove(&mut self, function: &str, reads: &SettingsReads) {
        /// Takes `function` from the readers of each key; returns the keys left without one.
        fn without<'k>(
            map: &mut HashMap<String, Names>,
            keys: &'k BTreeSet<String>,
            function: &str,
        ) -> Vec<&'k String> {
            let mut emptied = Vec::new();
            for key in keys {
                if let Some(set) = map.get_mut(key) {
                    set.remove(function);
                    if set.is_empty() {
                        map.remove(key);
                        emptied.push(key);
                    }
                }
            }
            emptied
        }
        without(&mut self.present, &reads.present, function);
        without(&mut self.shapes, &reads.shapes, function);
        for prefix in without(&mut self.by_prefix, &reads.prefixes, function) {
            if let Some(count) = self.prefix_lengths.get_mut(&prefix.len()) {
                *count -= 1;
                if *count == 0 {
                    self.prefix_lengths.remove(&prefix.len());
                }
            }
        }
        self.all_names.remove(function);
        self.cors.remove(function);
    }

    /// What the settings rules of a checked function read: nothing when it has none.
    fn reads_of(checked: &rules::FunctionChecked) -> Option<&SettingsReads> {
        (!checked.settings_rules.is_empty()).then_some(&checked.settings_reads)
    }

    /// The functions whose settings rules observed something `diff` changed, each once.
    fn affected_by(&self, diff: &SettingsDiff) -> Vec<&str> {
        let mut sets: Vec<&Names> = Vec::new();
        if diff.names {
            sets.push(&self.all_names);
        }
        if diff.cors {
            sets.push(&self.cors);
        }
        for name in &diff.shapes {
            sets.extend(self.shapes.get(name));
        }
        for name in &diff.presence {
            sets.extend(self.present.get(name));
            // Every recorded prefix ends with `__`: the sections `name` is in are looked up, not
            // every prefix compared with it.
            sets.extend(
                settings::section_prefixes(name)
                    .filter(|p| self.prefix_lengths.contains_key(&p.len()))
                    .filter_map(|p| self.by_prefix.get(p)),
            );
        }
        // A keystroke that changes one observation: its readers, as they are.
        match sets.as_slice() {
            [] => Vec::new(),
            [only] => only.iter().map(|f| &**f).collect(),
            _ => {
                let mut seen: HashSet<&str, foldhash::fast::RandomState> = HashSet::default();
                sets.iter()
                    .flat_map(|set| set.iter())
                    .map(|f| &**f)
                    .filter(|f| seen.insert(f))
                    .collect()
            }
        }
    }
}

/// Sorts one file's diagnostics by position (then code, message, end) and keeps each once
/// (several functions loading one module report the same problem in it).
fn sort_and_dedup(list: &mut Vec<Diagnostic>) {
    list.sort_by(|a, b| {
        (a.range.start, a.code, &a.message, a.range.end).cmp(&(
            b.range.start,
            b.code,
            &b.message,
            b.range.end,
        ))
    });
    list.dedup_by(|b, a| a.range == b.range && a.code == b.code && a.message == b.message);
}

/// The checked functions by the files their findings depend on: the Python files their rules
/// read ([`PythonReads`]) and the files their diagnostics point into. An edit of a decorator
/// app's module that leaves its imports as they were changes what a function says only when the
/// function depends on the module: those are looked up here rather than found by reading the
/// record of every function of the app.
#[derive(Debug, Clone, Default, PartialEq)]
struct Dependents {
    by_file: HashMap<String, Names>,
    /// The functions whose rules read files not known by name: each may depend on any file.
    on_any_file: Names,
}

impl Dependents {
    /// The index of every function in `cache`.
    fn of(cache: &HashMap<String, Box<Cached>>) -> Dependents {
        let mut dependents = Dependents::default();
        for (name, cached) in cache {
            dependents.add(name, cached);
        }
        dependents
    }

    /// The files `cached` depends on by name, each once; `false` when its rules read files not
    /// known by name.
    fn files_of(cached: &Cached) -> (Vec<&str>, bool) {
        let reads = cached.checked.python_reads.paths();
        let mut files: Vec<&str> = reads.into_iter().flatten().map(|p| &**p).collect();
        for d in cached.all.iter() {
            files.push(&d.file);
            files.extend(d.related.iter().map(|r| r.file.as_str()));
            files.extend(
                d.fixes
                    .iter()
                    .flat_map(|f| f.edits.iter().map(|e| e.file.as_str())),
            );
        }
        files.sort_unstable();
        files.dedup();
        (files, reads.is_some())
    }

    fn add(&mut self, name: &str, cached: &Cached) {
        let (files, known) = Dependents::files_of(cached);
        // One copy of the name, shared by every set it joins.
        let name: Arc<str> = Arc::from(name);
        for file in files {
            maps::value_or_default(&mut self.by_file, file).insert(Arc::clone(&name));
        }
        if !known {
            self.on_any_file.insert(name);
        }
    }

    /// Takes out what [`Dependents::add`] put in for the same record.
    fn remove(&mut self, name: &str, cached: &Cached) {
        let (files, known) = Dependents::files_of(cached);
        for file in files {
            if let Some(set) = self.by_file.get_mut(file) {
                set.remove(name);
                if set.is_empty() {
                    self.by_file.remove(file);
                }
            }
        }
        if !known {
            self.on_any_file.remove(name);
        }
    }

    /// The functions that may depend on `file`.
    fn on(&self, file: &str) -> impl Iterator<Item = &str> {
        self.by_file
            .get(file)
            .into_iter()
            .flatten()
            .chain(&self.on_any_file)
            .map(|name| &**name)
    }
}

/// The decorator model's builders and the units derived from them, for the next derivation to
/// keep the unit of a builder whose inputs are the same ([`v2::units_keeping`]): with thousands
/// of decorated functions, an edit of one module derives that module's units again, not all.
#[derive(Debug, Clone)]
struct DerivedUnits {
    model: Arc<v2::V2App>,
    /// The unit of each builder (by `FnId`) as the state listed it.
    by_builder: Vec<Option<Arc<FunctionUnit>>>,
    /// The module of each file with builders, as the units read it: weak, as the next edit of
    /// the module moves its unchanged definitions out of it when nothing else holds it (a weak
    /// reference keeps the allocation, so no other module can take its address meanwhile).
    modules: HashMap<String, Option<std::sync::Weak<python::PyModule>>>,
}

impl DerivedUnits {
    /// The record of `units` (the state's, in the order found), derived from `model` and the
    /// builders `builders` (one per unit) with `modules`.
    fn new(
        model: Arc<v2::V2App>,
        modules: &Modules,
        builders: &[v2::FnId],
        units: &[Arc<FunctionUnit>],
    ) -> DerivedUnits {
        let mut by_builder = vec![None; model.functions.len()];
        for (&f, unit) in builders.iter().zip(units) {
            if let Some(slot) = by_builder.get_mut(f) {
                *slot = Some(Arc::clone(unit));
            }
        }
        let mut files: HashMap<String, Option<std::sync::Weak<python::PyModule>>> = HashMap::new();
        for function in &model.functions {
            if !files.contains_key(&*function.file) {
                let module = modules.get(&function.file).map(Arc::downgrade);
                files.insert(function.file.to_string(), module);
            }
        }
        DerivedUnits {
            model,
            by_builder,
            modules: files,
        }
    }

    /// The unit derived before for the builder of `derivation` in `model`, if deriving it again
    /// would give the same: the builder, the module of its file (the constants it names), the
    /// script, `derivation` and its owner's fields a unit reads (the route of an ASGI/WSGI
    /// app's function) are as they were.
    fn keep(
        &self,
        model: &v2::V2App,
        modules: &Modules,
        derivation: &v2::Derivation,
    ) -> Option<Arc<FunctionUnit>> {
        let f = derivation.function;
        let unit = self.by_builder.get(f)?.as_ref()?;
        let (then, now) = (self.model.functions.get(f)?, model.functions.get(f)?);
        // The module first: an edit of it derives its units again, with nothing compared.
        let same_module = match (self.modules.get(&*now.file)?, modules.get(&now.file)) {
            (Some(then), Some(now)) => std::ptr::eq(then.as_ptr(), Arc::as_ptr(now)),
            (None, None) => true,
            _ => false,
        };
        if !same_module {
            return None;
        }
        let function::Declaration::Decorators(derived) = &unit.declaration else {
            return None;
        };
        let same_place = derived.app_var == derivation.app_var
            && derived.app_kind == derivation.app_kind
            && derived.condition == *derivation.condition
            && derived.script == model.script.name;
        if !same_place || then != now || now.decorators.iter().any(|d| d.file != now.file) {
            return None;
        }
        let (owner_then, owner_now) = (
            self.model.objects.get(then.owner)?,
            model.objects.get(now.owner)?,
        );
        let same_owner = owner_then.kind == owner_now.kind
            && owner_then.var == owner_now.var
            && owner_then.file == owner_now.file
            && owner_then.range == owner_now.range
            && owner_then.call == owner_now.call;
        same_owner.then(|| Arc::clone(unit))
    }
}

/// Units by name, with their keys and the units in the order found. Several functions with one
/// name (an error in a v2 app) are all kept, as `check` keeps them: the first under its name,
/// the others under the name plus a NUL and their rank, a key no function name has, so their
/// diagnostics are not lost. A unit equal to the one `known` holds under its key is that one
/// (with what was derived from it: see [`AppState::rebuild_ordered`]).
fn by_name(units: Vec<Found>, known: Option<&BTreeMap<String, Arc<FunctionUnit>>>) -> ByName {
    use rayon::prelude::*;
    // The keys on one thread (the ranks depend on the order), the units on the pool: thousands
    // of units moved into their `Arc`s, or compared with the known ones and dropped.
    let mut seen: foldhash::HashMap<&str, usize> = foldhash::HashMap::default();
    seen.reserve(units.len());
    let order: Vec<String> = units
        .iter()
        .map(|u| {
            let rank = seen.entry(u.name()).or_default();
            *rank += 1;
            match *rank {
                1 => u.name().to_string(),
                rank => format!("{}\0{rank}", u.name()),
            }
        })
        .collect();
    drop(seen);
    let mut keyed: Vec<(String, Arc<FunctionUnit>)> = units
        .into_par_iter()
        .zip(order.par_iter())
        .with_min_len(64)
        .map(|(unit, key)| {
            let known = known.and_then(|k| k.get(key));
            let unit = match unit {
                Found::Kept(unit) => match known {
                    Some(known) if Arc::ptr_eq(known, &unit) => unit,
                    Some(known) if **known == *unit => Arc::clone(known),
                    _ => unit,
                },
                Found::New(unit) => match known.filter(|k| ***k == unit) {
                    Some(known) => Arc::clone(known),
                    None => Arc::new(unit),
                },
            };
            (key.clone(), unit)
        })
        .collect();
    let in_order = keyed.iter().map(|(_, unit)| Arc::clone(unit)).collect();
    keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // From sorted keys, the map is built in one pass rather than by one search per key.
    ByName {
        units: keyed.into_iter().collect(),
        order,
        in_order,
    }
}

/// The units [`by_name`] lists.
struct ByName {
    units: BTreeMap<String, Arc<FunctionUnit>>,
    /// The keys of `units` in the order found.
    order: Vec<String>,
    /// The units in the order found.
    in_order: Vec<Arc<FunctionUnit>>,
}

fn v2_script(input: &AppInput) -> Option<String> {
    v2_script_named(input, v2::script_name(input).name)
}

fn v2_script_named(input: &AppInput, name: String) -> Option<String> {
    input.exists(&name).then_some(name)
}

impl AppState {
    /// The app's state; nothing is checked until asked ([`AppState::check_all`], an edit, or
    /// [`AppState::diagnostics_by_file`]).
    pub fn new(input: AppInput) -> AppState {
        AppState::new_keeping_model(input).0
    }

    /// [`AppState::new`], with the decorator model its units were found with.
    pub fn new_keeping_model(
        input: AppInput,
    ) -> (AppState, Option<Arc<crate::analysis::v2::V2App>>) {
        let started = std::time::Instant::now();
        let modules = function::parse_modules(&input);
        AppState::with_modules_keeping_model(input, modules, started)
    }

    /// [`AppState::new_keeping_model`] for a check that takes most functions' findings from
    /// elsewhere (the check cache): a function.json app's modules are parsed as something asks
    /// for them. A decorator app's are all parsed at once, in parallel, as its functions are
    /// found by reading them all, except those `summaries` gives: summaries made earlier of
    /// the same texts in the decorator model (`summaries` is asked only for a decorator app).
    pub fn new_parsing_on_demand(
        input: AppInput,
        summaries: impl FnOnce() -> Vec<(String, Arc<python::PyModule>)>,
    ) -> (AppState, Option<Arc<crate::analysis::v2::V2App>>) {
        let started = std::time::Instant::now();
        let modules = Modules::lazy(&input);
        if modules.decorator_model() {
            modules.preset(summaries());
            modules.parse_all();
        }
        AppState::with_modules_keeping_model(input, modules, started)
    }

    /// The state of `input` with its modules (parsed, or some left to parse on demand), timed
    /// from `started`.
    fn with_modules_keeping_model(
        input: AppInput,
        modules: Modules,
        started: std::time::Instant,
    ) -> (AppState, Option<Arc<crate::analysis::v2::V2App>>) {
        let parsed = started.elapsed();
        let (units, v2_units) = function::discover_all_reusing(&input, &modules, &|_, _| None);
        tracing::debug!(
            "parsed {} of {} modules in {parsed:?}, found {} functions in {:?}",
            modules.parsed_count(),
            modules.len(),
            units.len(),
            started.elapsed() - parsed
        );
        let ByName {
            units,
            order,
            in_order,
        } = by_name(units, None);
        let (v2_model, derived) = match v2_units {
            Some((model, builders)) => {
                let derived = DerivedUnits::new(Arc::clone(&model), &modules, &builders, &in_order);
                (Some(model), Some(derived))
            }
            None => (None, None),
        };
        let v2_script = v2_script(&input);
        let settings = settings::local_settings(&input).map(Arc::new);
        let pending = units.keys().cloned().collect();
        let directive_files = suppress::files_with_directives(&input).cloned().collect();
        let mut state = AppState {
            input,
            directive_files,
            modules,
            units,
            order,
            ordered: Vec::new(),
            facts: AppFacts::default(),
            position: HashMap::new(),
            by_script: OnceLock::new(),
            has_durable: OnceLock::new(),
            setting_places: OnceLock::new(),
            cache: HashMap::new(),
            readers: SettingsReaders::default(),
            readers_waiting: HashMap::new(),
            pending,
            app_level: None,
            app_level_stale: false,
            app_level_by_file: HashMap::new(),
            app_level_may_cover: false,
            files_by_source: HashMap::new(),
            sources_by_file: HashMap::new(),
            files_listed_changes: 0,
            settings,
            settings_json: OnceLock::new(),
            loads: HashMap::new(),
            loaded_by: HashMap::new(),
            dependents: None,
            v2_script,
            v2_model: v2_model.clone(),
            derived,
            replaced: None,
            loads_kept: false,
            #[cfg(test)]
            settings_rechecks: 0,
            #[cfg(test)]
            settings_rechecked: BTreeSet::new(),
            #[cfg(test)]
            app_level_checks: 0,
            #[cfg(test)]
            units_replaced_in_place: 0,
            #[cfg(test)]
            facts_derived: 0,
        };
        state.rebuild_ordered();
        (state, v2_model)
    }

    /// Lists the units in host order again. The facts of a unit that is the one listed before
    /// under its name move with it; the others' are derived again when next needed.
    fn rebuild_ordered(&mut self) {
        // One look-up per key gives both its unit and its position (on one thread, between
        // the parse and the rules, for every function of the app).
        let mut ordered = Vec::with_capacity(self.order.len());
        let mut position = HashMap::with_capacity(self.order.len());
        for key in &self.order {
            if let Some(unit) = self.units.get(key) {
                position.insert(key.clone(), ordered.len());
                ordered.push(Arc::clone(unit));
            }
        }
        let mut facts = AppFacts::new(ordered.len());
        for (key, &i) in &position {
            if let Some(&before) = self.position.get(key) {
                if self
                    .ordered
                    .get(before)
                    .is_some_and(|unit| Arc::ptr_eq(unit, &ordered[i]))
                {
                    facts.take_row(i, &mut self.facts, before);
                }
            }
        }
        self.facts = facts;
        self.ordered = ordered;
        self.position = position;
    }

    /// [`AppState::rebuild_ordered`] for units listed in the order they were listed in before
    /// (an edit of a decorator module mostly changes units, not names): each place takes the
    /// unit now under its key, and keeps its facts if that is the unit it had. `false`, with
    /// nothing changed, when a key has no unit.
    fn refill_ordered(&mut self) -> bool {
        let now: Option<Vec<Arc<FunctionUnit>>> = self
            .order
            .iter()
            .map(|key| self.units.get(key).cloned())
            .collect();
        let Some(now) = now.filter(|now| now.len() == self.ordered.len()) else {
            return false;
        };
        for (i, (before, unit)) in self.ordered.iter().zip(&now).enumerate() {
            if !Arc::ptr_eq(before, unit) {
                self.facts.forget(i);
            }
        }
        self.ordered = now;
        true
    }

    /// Checks every function not checked yet (in parallel) and the app-level rules, and keeps
    /// the results.
    pub fn check_all(&mut self) {
        self.bring_up_to_date();
    }

    /// Checks what an edit left waiting ([`AppState::set_file_leaving_checks`]) and returns the
    /// files whose diagnostics may have changed by it.
    pub fn check_pending(&mut self) -> BTreeSet<String> {
        self.bring_up_to_date()
    }

    /// Whether an edit left functions or the app-level rules to check.
    pub fn has_pending_checks(&self) -> bool {
        !self.pending.is_empty() || self.app_level.is_none() || self.app_level_stale
    }

    /// Checks what is pending and returns the files whose diagnostics may have changed.
    fn bring_up_to_date(&mut self) -> BTreeSet<String> {
        use rayon::prelude::*;
        let mut touched = BTreeSet::new();
        let pending = std::mem::take(&mut self.pending);
        let work: Vec<(&String, &Arc<FunctionUnit>)> = pending
            .iter()
            .filter_map(|key| Some((key, self.units.get(key)?)))
            .collect();
        // Functions checked at once (all of them at start, those of an edited decorator module)
        // find what they share once: the modules their script loads, host.json,
        // requirements.txt.
        let loads = rules::context::SharedLoads::default();
        // What this thread read of a module for an editor's request is of the text before the
        // edit: let go of it before the batch reads the new one.
        super::durable::forget_module_bodies();
        let check = |(key, unit): &(&String, &Arc<FunctionUnit>)| {
            ((*key).clone(), self.check(unit, Some(&loads)))
        };
        // A keystroke re-checks one function: on this thread, without waking the pool.
        let started = std::time::Instant::now();
        let results: Vec<(String, rules::FunctionChecked)> = if work.len() > 1 {
            work.par_iter().map(check).collect()
        } else {
            work.iter().map(check).collect()
        };
        let checked = results.len();
        let recording = std::time::Instant::now();
        for key in &pending {
            if !self.units.contains_key(key) {
                self.forget(key, &mut touched);
            }
        }
        for (key, checked) in results {
            self.remember(key, checked, &mut touched);
        }
        // Recording is serial: the log tells it apart from the rules on the pool.
        if checked > 1 {
            tracing::debug!(
                "checked {checked} functions in {:?}, recorded them in {:?}",
                recording - started,
                recording.elapsed()
            );
        }
        if self.app_level.is_none() || self.app_level_stale {
            self.recheck_app_level(&mut touched);
        }
        // The module trees the Durable rules read (the app-level ones after the functions'
        // ones) are let go of: here now, on the pool's threads at their next read. Waking every
        // thread for it waits on whatever the pool is running.
        super::durable::end_batch();
        touched
    }

    /// Runs the app-level rules again; adds to `touched` the files whose app-level findings
    /// differ (with thousands of functions, most of the files they report in keep theirs).
    fn recheck_app_level(&mut self, touched: &mut BTreeSet<String>) {
        #[cfg(test)]
        {
            self.app_level_checks += 1;
        }
        let list = Arc::new(self.check_app_level());
        let mut by_file: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, d) in list.iter().enumerate() {
            match by_file.get_mut(d.file.as_str()) {
                Some(positions) => positions.push(i),
                None => {
                    by_file.insert(d.file.clone(), vec![i]);
                }
            }
        }
        let mut files = BTreeSet::new();
        self.index(Source::App, &list, &mut files);
        let before = self.app_level.take();
        let empty = Vec::new();
        let same = |file: &str| -> bool {
            let Some(before) = &before else { return false };
            let old = self.app_level_by_file.get(file).unwrap_or(&empty);
            let new = by_file.get(file).unwrap_or(&empty);
            old.len() == new.len() && old.iter().zip(new).all(|(&a, &b)| before[a] == list[b])
        };
        touched.extend(files.into_iter().filter(|f| !same(f)));
        self.app_level_by_file = by_file;
        self.app_level_may_cover = list
            .iter()
            .any(|d| d.code.as_str() == rules::BINDING_WITHOUT_PARAMETER.code);
        self.app_level = Some(list);
        self.app_level_stale = false;
    }

    fn check(
        &self,
        unit: &FunctionUnit,
        loads: Option<&rules::context::SharedLoads>,
    ) -> rules::FunctionChecked {
        rules::check_function_parts(
            &self.input,
            &self.modules,
            unit,
            Some(self.settings.clone()),
            loads,
        )
    }

    /// Re-runs the rules of `unit` that read the settings; also returns what they read.
    fn recheck_settings(
        &self,
        unit: &FunctionUnit,
        checked: &rules::FunctionChecked,
    ) -> (Vec<Diagnostic>, SettingsReads, PythonReads) {
        rules::check_function_rules_reading(
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
        checked: rules::FunctionChecked,
        touched: &mut BTreeSet<String>,
    ) -> Arc<Vec<Diagnostic>> {
        // Checked again after an edit, a function mostly loads what it loaded before: the index
        // then stands. (Each function of a decorator app loads every module: dropping and adding
        // it back everywhere, for every function an edit of a module re-checks, was most of a
        // keystroke in a large app.)
        let same = self
            .loads
            .get(&name)
            .is_some_and(|before| before.iter().map(|m| m.file.as_str()).eq(checked.files()));
        if !same {
            self.forget_loads(&name);
            // Thousands of functions load the same few shared modules: one copy of the name.
            let loader: Arc<str> = Arc::from(name.as_str());
            for f in checked.files() {
                maps::value_or_default(&mut self.loaded_by, f).insert(Arc::clone(&loader));
            }
        }
        self.loads.insert(name.clone(), Arc::clone(&checked.loaded));
        let cached = Cached::new(checked);
        let all = cached.all.clone();
        self.index(Source::Function(name.clone()), &all, touched);
        self.pending.remove(&name);
        self.cache_insert(name, cached);
        all
    }

    fn remember_settings(
        &mut self,
        name: &str,
        found: Vec<Diagnostic>,
        (reads, python_reads): (SettingsReads, PythonReads),
        touched: &mut BTreeSet<String>,
    ) {
        let Some(c) = self.cache.get_mut(name) else {
            return;
        };
        // The rules that ran again may have read other Python files than before.
        if !c.checked.python_reads.includes(&python_reads) {
            let union = c.checked.python_reads.union(&python_reads);
            if let Some(dependents) = &mut self.dependents {
                dependents.remove(name, c);
                c.checked.python_reads = union;
                dependents.add(name, c);
            } else {
                c.checked.python_reads = union;
            }
        }
        // Most re-runs read what they read before: the index then stays as it is.
        if c.checked.settings_reads != reads {
            let before = std::mem::replace(&mut c.checked.settings_reads, reads);
            if !c.checked.settings_rules.is_empty() {
                self.readers.remove(name, &before);
                self.readers.add(name, &c.checked.settings_reads);
            }
        }
        if c.settings_part_is(&found) {
            return;
        }
        let Some(c) = self.cache.remove(name) else {
            return;
        };
        if let Some(dependents) = &mut self.dependents {
            dependents.remove(name, &c);
        }
        let cached = (*c).with_settings_part(found);
        if let Some(dependents) = &mut self.dependents {
            dependents.add(name, &cached);
        }
        self.index(Source::Function(name.to_string()), &cached.all, touched);
        self.cache.insert(name.to_string(), Box::new(cached));
    }

    /// Drops what is known of a function that is gone.
    fn forget(&mut self, name: &str, touched: &mut BTreeSet<String>) {
        self.cache_remove(name);
        self.forget_loads(name);
        self.index(Source::Function(name.to_string()), &[], touched);
    }

    /// Records the files `source` now has diagnostics in; adds those and the files it had
    /// diagnostics in before to `touched`.
    fn index(&mut self, source: Source, list: &[Diagnostic], touched: &mut BTreeSet<String>) {
        let mut now: Vec<&str> = list.iter().map(|d| d.file.as_str()).collect();
        now.sort_unstable();
        now.dedup();
        // A function checked again mostly reports in the files it reported in (thousands of
        // them in one module, after a keystroke there): nothing to move, nothing to copy.
        let before = self
            .files_by_source
            .get(&source)
            .map_or(&[][..], Vec::as_slice);
        if before.iter().map(String::as_str).eq(now.iter().copied()) {
            touch(touched, now);
            return;
        }
        let now: Vec<String> = now.into_iter().map(str::to_string).collect();
        let before = self.files_by_source.remove(&source).unwrap_or_default();
        let absent = |list: &[String], file: &String| list.binary_search(file).is_err();
        for file in before.iter().filter(|f| absent(&now, f)) {
            if let Some(sources) = self.sources_by_file.get_mut(file) {
                sources.remove(&source);
                if sources.is_empty() {
                    self.sources_by_file.remove(file);
                    self.files_listed_changes += 1;
                }
            }
        }
        for file in now.iter().filter(|f| absent(&before, f)) {
            let sources = self.sources_by_file.entry(file.clone()).or_default();
            let first = sources.is_empty();
            sources.insert(source.clone());
            if first {
                self.files_listed_changes += 1;
            }
        }
        touched.extend(before);
        touch(touched, now.iter().map(String::as_str));
        if !now.is_empty() {
            self.files_by_source.insert(source, now);
        }
    }

    /// Marks a function to be checked again before the next answer. What it reported stays
    /// indexed until then, so that the files it leaves are reported as changed.
    fn invalidate(&mut self, name: &str) {
        // Its record stays indexed until it is checked again (a settings edit meanwhile finds
        // it among the readers, and skips it: it is not in `cache`).
        if let Some(reads) = self.take_indexed_reads(name) {
            self.readers_waiting.insert(name.to_string(), reads);
        }
        if !self.pending.contains(name) {
            self.pending.insert(name.to_string());
        }
    }

    fn cache_insert(&mut self, name: String, cached: Cached) {
        let before = self.take_indexed_reads(&name);
        let now = SettingsReaders::reads_of(&cached.checked);
        if before.as_ref() != now {
            if let Some(before) = &before {
                self.readers.remove(&name, before);
            }
            if let Some(now) = now {
                self.readers.add(&name, now);
            }
        }
        if let Some(dependents) = &mut self.dependents {
            dependents.add(&name, &cached);
        }
        self.cache.insert(name, Box::new(cached));
    }

    fn cache_remove(&mut self, name: &str) {
        if let Some(before) = self.take_indexed_reads(name) {
            self.readers.remove(name, &before);
        }
    }

    /// Takes the function out of `cache` and `readers_waiting`; returns the record `readers`
    /// holds of it, which the caller updates.
    fn take_indexed_reads(&mut self, name: &str) -> Option<SettingsReads> {
        // A function is in one of the two at most.
        let waiting = self.readers_waiting.remove(name);
        let taken = self.cache.remove(name);
        if let (Some(dependents), Some(cached)) = (&mut self.dependents, &taken) {
            dependents.remove(name, cached);
        }
        match taken {
            Some(mut cached) => SettingsReaders::reads_of(&cached.checked)
                .is_some()
                .then(|| std::mem::take(&mut cached.checked.settings_reads)),
            None => waiting,
        }
    }

    fn forget_loads(&mut self, name: &str) {
        if let Some(loaded) = self.loads.remove(name) {
            for f in loaded.iter().map(|m| m.file.as_str()) {
                if let Some(set) = self.loaded_by.get_mut(f) {
                    set.remove(name);
                    if set.is_empty() {
                        self.loaded_by.remove(f);
                    }
                }
            }
        }
    }

    /// The app-level diagnostics (host.json, local.settings.json, requirements, routes across
    /// functions), unfiltered.
    fn check_app_level(&mut self) -> Vec<Diagnostic> {
        let units: Vec<&FunctionUnit> = self.ordered.iter().map(|u| u.as_ref()).collect();
        #[cfg(test)]
        {
            self.facts_derived += self.facts.not_derived();
        }
        rules::check_app_files_keeping(
            &self.input,
            &self.modules,
            &units,
            self.settings.clone(),
            &mut self.facts,
            self.v2_model.clone(),
        )
    }

    /// Whether the app-level rules read `path` (after its edit): root files, function.json
    /// (routes), with a .funcignore the imports, and in a decorator app every module the
    /// script imports; in an app with durable functions every module (durable calls name
    /// functions across the app).
    fn app_level_reads(&self, path: &str) -> bool {
        !path.contains('/')
            || path.ends_with("/function.json")
            || !path.ends_with(".py")
            || self.uses_decorator_model()
            || self.input.exists(".funcignore")
            || *self.has_durable.get_or_init(|| {
                self.units_unordered()
                    .any(|u| crate::analysis::durable::kind_of(u).is_some())
            })
    }

    pub fn input(&self) -> &AppInput {
        &self.input
    }

    /// `local.settings.json` as the rules read it, when it exists and parses.
    pub fn local_settings(&self) -> Option<&LocalSettings> {
        self.settings.as_deref()
    }

    /// The JSON tree and style of `local.settings.json`, when it exists and parses: read once
    /// per edit of it, however many fixes edit it.
    pub fn local_settings_json(&self) -> Option<&JsonFile> {
        self.settings_json
            .get_or_init(|| JsonFile::parse(self.input.text(LOCAL_SETTINGS)?))
            .as_ref()
    }

    pub fn modules(&self) -> &Modules {
        &self.modules
    }

    /// The functions in host order.
    pub fn units(&self) -> impl Iterator<Item = &FunctionUnit> {
        self.ordered.iter().map(|u| u.as_ref())
    }

    /// Every function unit in no particular order, without the look-up per unit that host
    /// order costs: for scans that keep few of them.
    pub fn units_unordered(&self) -> impl Iterator<Item = &FunctionUnit> {
        self.units.values().map(|u| u.as_ref())
    }

    /// The units that run `def`, `unit`'s entry function, in host order (`unit` among them),
    /// when `unit` is one of the state's units and no other unit has its name; `None` otherwise
    /// (then only a scan of every unit answers questions about `unit`'s namesakes). Found without
    /// looking at the other functions of the script: the decorated units by their `def`, the
    /// others by the function their entry point resolves to.
    pub fn entry_sharers(&self, unit: &FunctionUnit, def: &EntryDef) -> Option<Vec<&FunctionUnit>> {
        let index = self
            .by_script
            .get_or_init(|| Arc::new(UnitsByScript::build(&self.units, &self.order)));
        if index.shared_names.contains(&unit.name) {
            return None;
        }
        let script = index.units.get(def.script)?;
        if !script.all.iter().any(|u| std::ptr::eq(u.as_ref(), unit)) {
            return None;
        }
        let module = self.modules.get(def.script)?;
        let others = script.others_running(def.function.name_range.start, module, |u| {
            let entry = entry::entry_def(&self.input, &self.modules, u)?;
            (entry.script == def.script).then_some(entry.function.name_range.start)
        });
        let decorated = script.by_def.get(&def.function.def_offset);
        let mut sharing: Vec<&(usize, Arc<FunctionUnit>)> =
            decorated.into_iter().flatten().chain(others).collect();
        sharing.sort_unstable_by_key(|(position, _)| *position);
        Some(sharing.into_iter().map(|(_, u)| u.as_ref()).collect())
    }

    /// The units whose script is `file`, in host order (what a scan of [`AppState::units`] for
    /// `entry::script_is` finds), from the index of units by script.
    pub fn units_with_script(&self, file: &str) -> impl Iterator<Item = &FunctionUnit> {
        let index = self
            .by_script
            .get_or_init(|| Arc::new(UnitsByScript::build(&self.units, &self.order)));
        index
            .units
            .get(file)
            .into_iter()
            .flat_map(|script| &script.all)
            .map(|u| u.as_ref())
    }

    pub fn unit(&self, name: &str) -> Option<&FunctionUnit> {
        self.units.get(name).map(|u| u.as_ref())
    }

    /// Sets a file's content (an edit, a new file), checks again what it affects and returns
    /// what changed.
    pub fn set_file(&mut self, path: &str, content: FileContent) -> Changed {
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
    ) -> (Changed, Option<tree_sitter::Tree>) {
        let (mut changed, tree) = self.set_file_leaving_checks(path, content, previous);
        changed.files.extend(self.check_pending());
        self.let_go_of_replaced();
        (changed, tree)
    }

    /// Drops what the last edit replaced and kept for later (see `replaced`).
    pub fn let_go_of_replaced(&mut self) {
        self.replaced = None;
    }

    /// [`AppState::set_file_reusing`] up to the checks: the files, summaries, units and model
    /// follow the edit (what an editor's hover, completion or navigation reads), the functions
    /// it affects wait in `pending`, and [`AppState::check_pending`] checks them and returns
    /// the rest of the changed files. Until then the findings are those before the edit and
    /// must not be read.
    pub fn set_file_leaving_checks(
        &mut self,
        path: &str,
        content: FileContent,
        previous: Option<&tree_sitter::Tree>,
    ) -> (Changed, Option<tree_sitter::Tree>) {
        let mut tree = None;
        if path.ends_with(".py") {
            // Only a decorator app's edit asks (see `refresh`).
            let shape_before = self
                .v2_script
                .is_some()
                .then(|| self.modules.get(path).map(|m| LoadShape::of(m)))
                .flatten();
            match content.text() {
                Some(text) => {
                    let decorator_model = self.v2_script.is_some();
                    // The previous summary, when nothing else holds it, with the text it was
                    // read from: its unchanged definitions are moved into the new one.
                    let before = self
                        .modules
                        .remove(path)
                        .and_then(|m| Arc::try_unwrap(m).ok())
                        .and_then(|m| Some((self.input.text(path)?, m)));
                    match python::parse_reusing_guarded(text, decorator_model, previous, before) {
                        Some((module, new_tree)) => {
                            tree = new_tree;
                            self.loads_kept = shape_before == Some(LoadShape::of(&module));
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
            self.module_changed(path, content.text());
        }
        let existed = self.input.files.contains_key(path);
        let listed = if content
            .text()
            .is_some_and(|text| suppress::may_hold_directives(path, text))
        {
            self.directive_files.insert(path.to_string())
        } else {
            self.directive_files.remove(path)
        };
        if listed {
            self.files_listed_changes += 1;
        }
        self.input.files.insert(path.to_string(), content);
        (self.edited_leaving_checks(path, !existed), tree)
    }

    /// Removes a file, checks again what it affects and returns what changed.
    /// After the app's environment changed (a package installed or removed): which
    /// distribution provides an import may differ for any module, so every function and the
    /// app-level rules are checked again.
    pub fn set_environment(&mut self, environment: Option<Arc<Installed>>) -> Changed {
        if self.input.environment == environment {
            return Changed::default();
        }
        self.input.environment = environment;
        self.v2_model = None;
        let functions: BTreeSet<String> = self.units.keys().cloned().collect();
        for name in &functions {
            self.invalidate(name);
        }
        self.app_level_stale = true;
        let files = self.bring_up_to_date();
        Changed { functions, files }
    }

    pub fn remove_file(&mut self, path: &str) -> Changed {
        self.modules.remove(path);
        if self.directive_files.remove(path) {
            self.files_listed_changes += 1;
        }
        self.module_changed(path, None);
        if self.input.files.remove(path).is_none() {
            return Changed {
                functions: BTreeSet::new(),
                files: BTreeSet::from([path.to_string()]),
            };
        }
        self.edited(path, true)
    }

    /// After `path` changed: re-derives and re-checks what depends on it.
    fn edited(&mut self, path: &str, listing_changed: bool) -> Changed {
        let mut changed = self.edited_leaving_checks(path, listing_changed);
        changed.files.extend(self.bring_up_to_date());
        self.let_go_of_replaced();
        changed
    }

    /// [`AppState::edited`] without the checks: what `path`'s edit affects waits in `pending`.
    fn edited_leaving_checks(&mut self, path: &str, listing_changed: bool) -> Changed {
        let mut files = BTreeSet::new();
        let functions = self.refresh(path, listing_changed, &mut files);
        if self.app_level_reads(path) {
            self.app_level_stale = true;
        }
        files.extend(self.declaration_files(&functions));
        files.insert(path.to_string());
        Changed { functions, files }
    }

    /// Re-derives what depends on `path`, marks the affected functions for checking and
    /// returns them; `listing_changed` when a file appeared or vanished (which can change the
    /// primary script of its folder).
    fn refresh(
        &mut self,
        path: &str,
        listing_changed: bool,
        touched: &mut BTreeSet<String>,
    ) -> BTreeSet<String> {
        let mut affected = BTreeSet::new();
        let loads_kept = std::mem::take(&mut self.loads_kept);
        // Whatever the edit, the model derived before may not stand for the files now.
        self.v2_model = None;
        // Whether the app is a v2 app can change with the script or the setting that names it.
        let was_v2 = self.v2_script.is_some();
        // An edit of the settings is read once, here: for the script's name and for what the
        // rules observe.
        let settings =
            (path == LOCAL_SETTINGS).then(|| settings::local_settings(&self.input).map(Arc::new));
        if let Some(settings) = &settings {
            let name = super::app_script::script_name_in(settings.as_deref()).name;
            self.v2_script = v2_script_named(&self.input, name);
        } else if self.v2_script.as_deref() == Some(path)
            || (listing_changed && path.ends_with(".py"))
        {
            self.v2_script = v2_script(&self.input);
        }
        if !was_v2 && self.v2_script.is_some() {
            // The decorator model reads more of each module than was collected.
            self.modules = function::parse_modules(&self.input);
            self.setting_places = OnceLock::new();
        }
        if self.v2_script.is_none() {
            // Only an edit of a decorator app's module asks for it.
            self.dependents = None;
        }
        if was_v2 || self.v2_script.is_some() {
            if path.ends_with(".py") || path == LOCAL_SETTINGS || was_v2 != self.v2_script.is_some()
            {
                affected.extend(self.rederive_all());
            }
            if path != LOCAL_SETTINGS {
                // Every function of a decorator app loads every module its script imports. When
                // the edited one imports what it did, those loads stand, and a function whose
                // rules read nothing of it (nor reported in it) says what it said.
                let only_readers = loads_kept
                    && !listing_changed
                    && was_v2
                    && self.v2_script.is_some()
                    && self.v2_script.as_deref() != Some(path);
                if only_readers {
                    affected.extend(self.importers_depending_on(path, listing_changed));
                } else {
                    let importers = self.importers_of(path, listing_changed);
                    affected.extend(importers.into_iter().map(str::to_string));
                }
            }
            for f in &affected {
                self.invalidate(f);
            }
            if let Some(settings) = settings {
                affected.extend(self.settings_changed(settings, touched));
            }
            return affected;
        }
        if let Some(settings) = settings {
            return self.settings_changed(settings, touched);
        }
        if let Some((folder, rest)) = path.split_once('/') {
            if !rest.contains('/') {
                let was_unit = self.units.contains_key(folder);
                if rest == "function.json" || listing_changed {
                    self.rediscover(folder);
                }
                if was_unit || self.units.contains_key(folder) {
                    affected.insert(folder.to_string());
                }
            }
        }
        affected.extend(
            self.importers_of(path, listing_changed)
                .into_iter()
                .map(str::to_string),
        );
        for f in &affected {
            self.invalidate(f);
        }
        affected
    }

    /// After an edit of local.settings.json, with its new content read: re-runs the rules that
    /// read it on every checked function whose rules observed something that changed (in
    /// parallel) and returns the functions whose diagnostics changed, with those not checked
    /// yet. Nothing else depends on the settings.
    fn settings_changed(
        &mut self,
        settings: Option<Arc<LocalSettings>>,
        touched: &mut BTreeSet<String>,
    ) -> BTreeSet<String> {
        use rayon::prelude::*;
        let before = std::mem::replace(&mut self.settings, settings);
        self.settings_json = OnceLock::new();
        // `None`: the file appeared, vanished or stopped parsing; every reader runs again.
        let diff = match (&before, &self.settings) {
            (Some(before), Some(now)) => Some(before.diff(now)),
            _ => None,
        };
        // Every function is checked (in `cache`) or waits to be (in `pending`).
        debug_assert!(self
            .units
            .keys()
            .all(|k| self.cache.contains_key(k) || self.pending.contains(k)));
        let mut affected: BTreeSet<String> = self
            .pending
            .iter()
            .filter(|k| self.units.contains_key(*k) && !self.cache.contains_key(*k))
            .cloned()
            .collect();
        let readers: Vec<&str> = match &diff {
            Some(diff) => self.readers.affected_by(diff),
            None => self.cache.keys().map(String::as_str).collect(),
        };
        let mut work = Vec::new();
        for name in readers {
            let unit = self.position.get(name).map(|&i| &self.ordered[i]);
            if let (Some(unit), Some(c)) = (unit, self.cache.get(name)) {
                if !c.checked.settings_rules.is_empty() {
                    work.push((name, unit, &**c));
                }
            }
        }
        let rechecked = work.len();
        #[cfg(test)]
        {
            self.settings_rechecked = work.iter().map(|(name, ..)| name.to_string()).collect();
        }
        let run = |(name, unit, cached): &(&str, &Arc<FunctionUnit>, &Cached)| {
            let (found, reads, python_reads) = self.recheck_settings(unit, &cached.checked);
            let changed = !cached.settings_part_is(&found);
            (name.to_string(), found, (reads, python_reads), changed)
        };
        type Rerun = (String, Vec<Diagnostic>, (SettingsReads, PythonReads), bool);
        let results: Vec<Rerun> = if work.len() > 1 {
            work.par_iter().map(run).collect()
        } else {
            work.iter().map(run).collect()
        };
        for (name, found, reads, changed) in results {
            self.remember_settings(&name, found, reads, touched);
            if changed {
                affected.insert(name);
            }
        }
        #[cfg(test)]
        {
            self.settings_rechecks += rechecked;
        }
        #[cfg(not(test))]
        let _ = rechecked;
        affected
    }

    /// Derives every unit again (a v2 app's functions come from its modules as a whole) and
    /// returns the names whose unit changed, appeared or vanished.
    fn rederive_all(&mut self) -> BTreeSet<String> {
        let previous = self.derived.take();
        let modules = &self.modules;
        let keep = |model: &v2::V2App, derivation: &v2::Derivation| {
            previous.as_ref()?.keep(model, modules, derivation)
        };
        let (units, v2_units) = function::discover_all_reusing(&self.input, modules, &keep);
        let changed = match self.replace_in_place(units) {
            Ok(changed) => changed,
            Err(units) => {
                let ByName {
                    units: new, order, ..
                } = by_name(units, Some(&self.units));
                self.replace_units(new, order)
            }
        };
        // Either way the units in host order are those found, one per builder.
        self.v2_model = v2_units.as_ref().map(|(model, _)| Arc::clone(model));
        self.derived = v2_units.map(|(model, builders)| {
            DerivedUnits::new(model, &self.modules, &builders, &self.ordered)
        });
        self.replaced = previous;
        changed
    }

    /// [`AppState::rederive_all`]'s units when they are the functions the state lists, by the
    /// same names in the same order (a keystroke in a body or in a decorator's arguments): each
    /// unit equal to the one before stays that one, the others take its place; the keys, their
    /// order and the map stay. The units are given back when a function came, went, moved or
    /// shares its name with another.
    fn replace_in_place(&mut self, units: Vec<Found>) -> Result<BTreeSet<String>, Vec<Found>> {
        use rayon::prelude::*;
        let same_functions = units.len() == self.order.len()
            && self.ordered.len() == self.order.len()
            && units
                .iter()
                .zip(&self.order)
                .all(|(u, key)| u.name() == key);
        if !same_functions {
            return Err(units);
        }
        #[cfg(test)]
        {
            self.units_replaced_in_place += 1;
        }
        // Compared on the pool, as `by_name` does: a unit derived again is compared field by
        // field with the one before.
        let now: Vec<Arc<FunctionUnit>> = units
            .into_par_iter()
            .zip(self.ordered.par_iter())
            .with_min_len(64)
            .map(|(unit, known)| match unit {
                Found::Kept(unit) if Arc::ptr_eq(known, &unit) || **known == *unit => {
                    Arc::clone(known)
                }
                Found::Kept(unit) => unit,
                Found::New(unit) if **known == unit => Arc::clone(known),
                Found::New(unit) => Arc::new(unit),
            })
            .collect();
        let mut changed = BTreeSet::new();
        for (i, unit) in now.iter().enumerate() {
            if Arc::ptr_eq(&self.ordered[i], unit) {
                continue;
            }
            let key = &self.order[i];
            if let Some(slot) = self.units.get_mut(key) {
                *slot = Arc::clone(unit);
            }
            self.facts.forget(i);
            changed.insert(key.clone());
        }
        self.ordered = now;
        self.forget_unit_indexes();
        Ok(changed)
    }

    /// Takes `new` (keyed and ordered by `order`) as the units; returns the keys whose unit
    /// came, went or changed.
    fn replace_units(
        &mut self,
        new: BTreeMap<String, Arc<FunctionUnit>>,
        order: Vec<String>,
    ) -> BTreeSet<String> {
        // Both maps in key order, side by side: one pass rather than a search per key.
        let mut changed = BTreeSet::new();
        let (mut before, mut after) = (self.units.iter().peekable(), new.iter().peekable());
        loop {
            let vanished = match (before.peek(), after.peek()) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some((old, old_unit)), Some((now, unit))) => match old.cmp(now) {
                    std::cmp::Ordering::Less => true,
                    std::cmp::Ordering::Greater => false,
                    std::cmp::Ordering::Equal => {
                        if !Arc::ptr_eq(old_unit, unit) {
                            changed.insert((*old).clone());
                        }
                        before.next();
                        after.next();
                        continue;
                    }
                },
            };
            let gone_or_new = if vanished {
                before.next()
            } else {
                after.next()
            };
            changed.extend(gone_or_new.map(|(name, _)| name.clone()));
        }
        for name in &changed {
            if !new.contains_key(name) {
                self.forget_loads(name);
            }
        }
        self.set_units(new, order);
        changed
    }

    /// Whether the app uses the decorator model.
    pub fn uses_decorator_model(&self) -> bool {
        self.v2_script.is_some()
    }

    fn set_units(&mut self, units: BTreeMap<String, Arc<FunctionUnit>>, order: Vec<String>) {
        let same_order = order == self.order;
        self.units = units;
        self.order = order;
        if !(same_order && self.refill_ordered()) {
            self.rebuild_ordered();
        }
        self.forget_unit_indexes();
    }

    /// Lets go of what was built from the units, to be built again when asked.
    fn forget_unit_indexes(&mut self) {
        self.by_script = OnceLock::new();
        self.has_durable = OnceLock::new();
        self.setting_places = OnceLock::new();
    }

    fn rediscover(&mut self, folder: &str) {
        self.by_script = OnceLock::new();
        self.has_durable = OnceLock::new();
        let listed = match function::discover_one(&self.input, folder) {
            Some(unit) => self
                .units
                .insert(folder.to_string(), Arc::new(unit))
                .is_none(),
            None => self.units.remove(folder).is_some(),
        };
        if listed {
            // Function folders in host order, as `function::discover` lists them (an edit of a
            // function that stays keeps its place).
            self.order = self.units.keys().cloned().collect();
            self.order
                .sort_by_cached_key(|f| (f.to_ascii_lowercase(), f.clone()));
            self.rebuild_ordered();
        } else if let (Some(unit), Some(&i)) = (self.units.get(folder), self.position.get(folder)) {
            self.ordered[i] = unit.clone();
            self.facts.forget(i);
        }
        if let Some(places) = self.setting_places.get_mut() {
            let unit = self.units.get(folder).map(|u| u.as_ref());
            places.unit_changed(folder, unit, &self.input);
        }
    }

    /// After the module of `path` changed (its text is now `text`), appeared or vanished.
    fn module_changed(&mut self, path: &str, text: Option<&str>) {
        if let Some(places) = self.setting_places.get_mut() {
            let module = self.modules.get(path).map(|m| m.as_ref());
            places.module_changed(path, module, text);
        }
    }

    /// Whether the index of setting places is built (and kept up to date).
    #[cfg(test)]
    pub(crate) fn setting_places_built(&self) -> bool {
        self.setting_places.get().is_some()
    }

    /// The places that name settings, by what they name.
    pub fn setting_places(&self) -> &SettingPlaces {
        self.setting_places
            .get_or_init(|| SettingPlaces::build(&self.input, &self.units, &self.modules))
    }

    /// The functions of [`AppState::importers_of`] that an edit of the module `path`, which
    /// imports what it did, may change the findings of: those waiting for their check, and
    /// those whose rules read the module or whose findings point into it. Found through
    /// `dependents` (built now if not yet), not by reading every importer's record: in a
    /// decorator app every function imports every module.
    fn importers_depending_on(&mut self, path: &str, listing_changed: bool) -> BTreeSet<String> {
        let cache = &self.cache;
        let dependents = &*self.dependents.get_or_insert_with(|| Dependents::of(cache));
        // As `importers_of` lists them.
        let every_function = !path.contains('/') || (listing_changed && path.ends_with(".py"));
        let loaders = self.loaded_by.get(path).filter(|_| path.ends_with(".py"));
        let is_importer = |name: &str| -> bool {
            if every_function {
                self.units.contains_key(name)
            } else {
                loaders.is_some_and(|loaders| loaders.contains(name))
            }
        };
        // An importer not in `cache` waits in `pending` (every function is in one of the two).
        let found: BTreeSet<String> = self
            .pending
            .iter()
            .map(String::as_str)
            .chain(dependents.on(path))
            .filter(|name| is_importer(name))
            .map(str::to_string)
            .collect();
        debug_assert_eq!(
            found,
            self.importers_of(path, listing_changed)
                .into_iter()
                .filter(|name| {
                    !self.cache.get(*name).is_some_and(|c| {
                        !c.checked.python_reads.may_include(path)
                            && !c.all.iter().any(|d| d.mentions(path))
                    })
                })
                .map(str::to_string)
                .collect::<BTreeSet<String>>(),
            "the index finds the importers that reading every record finds"
        );
        found
    }

    /// Functions whose diagnostics may depend on `path`: the function of its folder, and every
    /// checked function whose load ran it. A new Python file may satisfy an import that failed
    /// before, and a root file (settings, requirements, host.json) is read by every function.
    fn importers_of(&self, path: &str, listing_changed: bool) -> Vec<&str> {
        let root_file = !path.contains('/');
        if root_file || (listing_changed && path.ends_with(".py")) {
            return self.units.keys().map(String::as_str).collect();
        }
        if !path.ends_with(".py") {
            return Vec::new();
        }
        // Borrowed: an edit of a module every function of a decorator app loads lists all of
        // them, and most are then found to stand.
        self.loaded_by
            .get(path)
            .map(|loaders| loaders.iter().map(|name| &**name).collect())
            .unwrap_or_default()
    }

    /// The diagnostics of one function (unfiltered), computed once until an edit affects it.
    pub fn function_diagnostics(&mut self, name: &str) -> Arc<Vec<Diagnostic>> {
        if let Some(c) = self.cache.get(name) {
            return c.all.clone();
        }
        let mut touched = BTreeSet::new();
        match self.units.get(name).cloned() {
            Some(unit) => {
                let checked = self.check(&unit, None);
                self.remember(name.to_string(), checked, &mut touched)
            }
            None => {
                self.forget(name, &mut touched);
                Arc::new(Vec::new())
            }
        }
    }

    /// The diagnostics of one file, filtered and re-ranked by `config`, sorted by position,
    /// each once. Answers from what is checked: after [`AppState::check_all`] or an edit,
    /// everything is.
    pub fn file_diagnostics(&self, file: &str, config: &Config) -> Vec<Diagnostic> {
        debug_assert!(
            self.pending.is_empty() && self.app_level.is_some() && !self.app_level_stale,
            "findings read before the checks they wait for"
        );
        let no_sources = BTreeSet::new();
        let sources = self.sources_by_file.get(file).unwrap_or(&no_sources);
        let no_positions = Vec::new();
        let list: Vec<Diagnostic> = sources
            .iter()
            .filter_map(|source| match source {
                Source::App => self.app_level.as_ref().map(|list| {
                    // Only this file's part of the app's list is read.
                    let positions = self.app_level_by_file.get(file).unwrap_or(&no_positions);
                    (list, Some(positions), self.app_level_may_cover)
                }),
                Source::Function(name) => self.cache.get(name).map(|c| (&c.all, None, true)),
            })
            .flat_map(|(list, positions, may_cover)| {
                // A function's findings in other files may already cover one here.
                let covered = if may_cover {
                    suppress::one_per_mistake(list, config)
                } else {
                    BTreeSet::new()
                };
                let in_file: Box<dyn Iterator<Item = &Diagnostic>> = match positions {
                    Some(positions) => Box::new(positions.iter().map(|&i| &list[i])),
                    None => Box::new(list.iter().filter(move |d| d.file == file)),
                };
                in_file.filter(move |d| !suppress::is_covered(d, &covered))
            })
            .filter(|d| config.enabled(d.code.as_str()))
            .cloned()
            .collect();
        let mut list = suppress::finish_file(&self.input, config, file, list);
        sort_and_dedup(&mut list);
        suppress::consequence_once(&mut list);
        list
    }

    /// The files with at least one diagnostic (unfiltered) as of the last check, and the Python
    /// files with suppression comments (which may be unused); a file may come twice.
    pub fn files_with_diagnostics(&self) -> impl Iterator<Item = &String> {
        self.sources_by_file.keys().chain(&self.directive_files)
    }

    /// How many times the files [`AppState::files_with_diagnostics`] lists have changed: the
    /// same count, the same files.
    pub fn files_listed_changes(&self) -> u64 {
        self.files_listed_changes
    }

    /// Every diagnostic of the app, filtered by `config`, grouped by file.
    pub fn diagnostics_by_file(&mut self, config: &Config) -> BTreeMap<String, Vec<Diagnostic>> {
        self.check_all();
        let files: BTreeSet<&String> = self.files_with_diagnostics().collect();
        files
            .into_iter()
            .map(|file| (file.clone(), self.file_diagnostics(file, config)))
            .filter(|(_, list)| !list.is_empty())
            .collect()
    }

    /// The files that declare `functions` (function.json, script), which report their
    /// functions' problems even when they had none before.
    fn declaration_files(&self, functions: &BTreeSet<String>) -> BTreeSet<String> {
        let mut files = BTreeSet::new();
        for unit in functions.iter().filter_map(|name| self.units.get(name)) {
            files.insert(unit.declaration_file().to_string());
            if let function::Script::Found { path, .. } = &unit.script {
                files.insert(path.clone());
            }
        }
        files
    }
}

/// Adds `files` to `touched`, copying only the names it does not hold yet (most, after a keystroke
/// that re-checks thousands of functions reporting in the same files).
fn touch<'f>(touched: &mut BTreeSet<String>, files: impl IntoIterator<Item = &'f str>) {
    for file in files {
        if !touched.contains(file) {
            touched.insert(file.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::text::TextRange;

    #[test]
    fn a_cached_function_keeps_each_diagnostic_once_and_replaces_only_the_settings_part() {
        let diagnostic = |meta: &'static rules::RuleMeta, message: &str| Diagnostic {
            code: crate::analysis::diagnostic::Rule::new(meta),
            severity: meta.severity,
            file: "F/__init__.py".into(),
            range: TextRange::default(),
            message: message.into(),
            function: Some("F".into()),
            related: Vec::new(),
            fixes: Vec::new(),
        };
        let meta = |code: &str| rules::RULES.iter().find(|m| m.code == code).unwrap();
        let (a, b, c, settings) = (
            meta("AZF009"),
            meta("AZF201"),
            meta("AZF607"),
            meta("AZF310"),
        );
        let checked = rules::FunctionChecked {
            independent: vec![diagnostic(a, "a"), diagnostic(b, "b"), diagnostic(c, "c")],
            on_settings: vec![diagnostic(settings, "x"), diagnostic(settings, "y")],
            ..Default::default()
        };
        let cached = Cached::new(checked);
        fn messages(c: &Cached) -> Vec<&str> {
            c.all.iter().map(|d| d.message.as_str()).collect()
        }
        assert_eq!(
            messages(&cached),
            ["a", "b", "x", "y", "c"],
            "in rule order"
        );
        assert!(cached.checked.independent.is_empty() && cached.checked.on_settings.is_empty());
        assert_eq!(cached.on_settings, [2, 3]);
        assert!(cached.settings_part_is(&[diagnostic(settings, "x"), diagnostic(settings, "y")]));
        assert!(!cached.settings_part_is(&[diagnostic(settings, "x")]));
        let replaced = cached.with_settings_part(vec![diagnostic(settings, "z")]);
        assert_eq!(messages(&replaced), ["a", "b", "z", "c"]);
        assert_eq!(replaced.on_settings, [2]);
        let emptied = replaced.with_settings_part(Vec::new());
        assert_eq!(messages(&emptied), ["a", "b", "c"]);
        assert!(emptied.on_settings.is_empty());
    }

    const HTTP_JSON: &str = r#"{"bindings": [{"type": "httpTrigger", "name": "req"}]}"#;

    /// A queue-triggered function's function.json whose connection is `connection`.
    fn queue_json(connection: &str) -> String {
        format!(
            r#"{{"bindings": [{{"type": "queueTrigger", "name": "msg", "queueName": "q", "connection": "{connection}"}}]}}"#
        )
    }

    fn text(t: &str) -> FileContent {
        FileContent::Text(Arc::from(t))
    }

    #[test]
    fn an_edit_of_a_script_keeps_the_index_of_units_by_script() {
        // Completion and hover in a script ask for its units on every keystroke: building the
        // index again after each edit costs a pass over every unit of the app.
        let input = AppInput::new("app")
            .with_file("A/function.json", HTTP_JSON)
            .with_file("A/__init__.py", "def main(req):\n    return req\n")
            .with_file("B/function.json", HTTP_JSON)
            .with_file("B/__init__.py", "def main(req):\n    return req\n");
        let mut state = AppState::new(input);
        assert_eq!(state.units_with_script("A/__init__.py").count(), 1);
        let index = state.by_script.get().cloned().expect("built");
        state.set_file("A/__init__.py", text("def main(req):\n    return 1\n"));
        let kept = state.by_script.get().expect("kept");
        assert!(Arc::ptr_eq(&index, kept));
        // A new function changes the units: the index is built again.
        state.set_file("C/function.json", text(HTTP_JSON));
        assert!(state.by_script.get().is_none());
    }

    #[test]
    fn the_files_that_may_hold_directives_follow_the_edits() {
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("A/function.json", HTTP_JSON)
            .with_file("A/__init__.py", "def main(req):\n    return req\n")
            .with_file("helpers.py", "x = 1\n");
        let mut state = AppState::new(input);
        let listed = |state: &AppState| state.files_with_diagnostics().any(|f| f == "helpers.py");
        assert!(!listed(&state));
        // A directive in a module no function reads: its finding is reported all the same.
        state.set_file("helpers.py", text("x = 1  # azfunc: ignore\n"));
        assert!(listed(&state));
        let found = all(&mut state);
        assert!(found
            .iter()
            .any(|(file, _, _, message)| file == "helpers.py"
                && message.starts_with("unused suppression")));
        assert_eq!(found, from_check(state.input()));
        state.set_file("helpers.py", text("x = 2\n"));
        assert!(!listed(&state));
        assert_eq!(all(&mut state), from_check(state.input()));
        state.set_file("helpers.py", text("x = 3  # azfunc: ignore\n"));
        state.remove_file("helpers.py");
        assert!(!listed(&state));
        assert_eq!(all(&mut state), from_check(state.input()));
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
    fn a_new_environment_rechecks_package_findings() {
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("requirements.txt", "azure-functions\ntensorflow\n")
            .with_file("F/function.json", HTTP_JSON)
            .with_file("F/__init__.py", "import numpy\ndef main(req): pass\n");
        let mut state = AppState::new(input.clone());
        let codes = |state: &mut AppState| -> Vec<&'static str> {
            all(state).into_iter().map(|d| d.2).collect()
        };
        assert_eq!(codes(&mut state), ["AZF607"]);
        let environment = Arc::new(Installed::from_dist_infos([
            crate::analysis::installed::DistInfo {
                dir: "tensorflow-2.16.1.dist-info",
                metadata: Some("Name: tensorflow\nRequires-Dist: numpy\n"),
                top_level: Some("tensorflow\n"),
                record: None,
            },
            crate::analysis::installed::DistInfo {
                dir: "numpy-1.26.4.dist-info",
                metadata: Some("Name: numpy\n"),
                top_level: Some("numpy\n"),
                record: None,
            },
        ]));
        let changed = state.set_environment(Some(environment.clone()));
        assert!(changed.files.contains("F/__init__.py"), "{changed:?}");
        assert_eq!(codes(&mut state), ["AZF609"]);
        let mut with_environment = input;
        with_environment.environment = Some(environment.clone());
        assert_eq!(all(&mut state), from_check(&with_environment));
        // The same environment again changes nothing.
        assert_eq!(state.set_environment(Some(environment)), Changed::default());
        state.set_environment(None);
        assert_eq!(codes(&mut state), ["AZF607"]);
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
        assert_eq!(affected.functions.into_iter().collect::<Vec<_>>(), ["A"]);
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
        assert_eq!(affected.functions.len(), 2);
    }

    #[test]
    fn the_modules_a_function_loads_follow_its_imports() {
        let input = AppInput::new("app")
            .with_file("A/function.json", HTTP_JSON)
            .with_file("A/__init__.py", "import shared.one\ndef main(req): pass\n")
            .with_file("B/function.json", HTTP_JSON)
            .with_file("B/__init__.py", "import shared.one\ndef main(req): pass\n")
            .with_file("shared/__init__.py", "")
            .with_file("shared/one.py", "x = 1\n")
            .with_file("shared/two.py", "y = 2\n");
        let mut state = AppState::new(input);
        state.check_all();
        let rechecked = |state: &mut AppState, path: &str, text_now: &str| -> Vec<String> {
            let changed = state.set_file(path, text(text_now));
            changed.functions.into_iter().collect()
        };
        assert_eq!(
            rechecked(&mut state, "shared/one.py", "x = 3\n"),
            ["A", "B"]
        );
        assert!(rechecked(&mut state, "shared/two.py", "y = 3\n").is_empty());
        // A edited, loading the same modules: what loads each module stays as it was.
        assert_eq!(
            rechecked(
                &mut state,
                "A/__init__.py",
                "import shared.one\ndef main(req): return 1\n"
            ),
            ["A"]
        );
        assert_eq!(
            rechecked(&mut state, "shared/one.py", "x = 4\n"),
            ["A", "B"]
        );
        // A now imports the other module: it follows.
        assert_eq!(
            rechecked(
                &mut state,
                "A/__init__.py",
                "import shared.two\ndef main(req): pass\n"
            ),
            ["A"]
        );
        assert_eq!(rechecked(&mut state, "shared/one.py", "x = 5\n"), ["B"]);
        assert_eq!(rechecked(&mut state, "shared/two.py", "y = 4\n"), ["A"]);
        // And back again, in both directions; then A is gone.
        rechecked(
            &mut state,
            "A/__init__.py",
            "import shared.one\ndef main(req): pass\n",
        );
        assert!(rechecked(&mut state, "shared/two.py", "y = 5\n").is_empty());
        assert_eq!(
            rechecked(&mut state, "shared/one.py", "x = 6\n"),
            ["A", "B"]
        );
        state.remove_file("A/function.json");
        assert_eq!(rechecked(&mut state, "shared/one.py", "x = 7\n"), ["B"]);
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
        // The connection is an app-level finding (one per setting, whoever uses it); the
        // environment read is A's own.
        assert_eq!(codes(&mut state, "A"), ["AZF310"]);
        assert_eq!(codes(&mut state, "B"), ["AZF201", "AZF202"]);
        let json_codes = |state: &AppState| -> Vec<&'static str> {
            state
                .file_diagnostics("A/function.json", &Config::default())
                .iter()
                .map(|d| d.code.as_str())
                .collect()
        };
        assert_eq!(json_codes(&state), ["AZF306"]);

        // Defining the setting A reads changes A only; B's diagnostics are kept as they were.
        let b_before = state.function_diagnostics("B");
        let affected = state.set_file(
            "local.settings.json",
            text(&settings(
                r#", "MyConn__serviceUri": "https://x", "Token": "t""#,
            )),
        );
        assert_eq!(affected.functions.iter().collect::<Vec<_>>(), ["A"]);
        assert!(
            !affected.files.iter().any(|f| f.starts_with("B/")),
            "{affected:?}"
        );
        assert!(codes(&mut state, "A").is_empty());
        assert!(json_codes(&state).is_empty());
        assert!(Arc::ptr_eq(&b_before, &state.function_diagnostics("B")));

        // The result equals a check from scratch, and an edit that changes nothing affects
        // nothing.
        let fresh = AppState::new(state.input().clone()).function_diagnostics("A");
        assert_eq!(*state.function_diagnostics("A"), *fresh);
        let affected = state.set_file(
            "local.settings.json",
            text(&settings(
                r#", "MyConn__serviceUri": "https://y", "Token": "t""#,
            )),
        );
        assert!(affected.functions.is_empty(), "{affected:?}");

        // Removing the file silences the settings rules.
        state.remove_file("local.settings.json");
        assert!(codes(&mut state, "A").is_empty());
        assert!(json_codes(&state).is_empty());
    }

    #[test]
    fn a_function_checked_again_is_indexed_by_what_its_rules_read_now() {
        // An edit sends the function back to be checked; the index of settings readers keeps
        // its old record until then, and takes the new one (only when it differs) after.
        let settings = |values: &str| {
            format!(
                r#"{{"IsEncrypted": false, "Values": {{"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"{values}}}}}"#
            )
        };
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("local.settings.json", &settings(""))
            .with_file("Q/function.json", &queue_json("Alpha"))
            .with_file("Q/__init__.py", "def main(msg): pass\n")
            .with_file("P/function.json", HTTP_JSON)
            .with_file("P/__init__.py", "def main(req): pass\n");
        let mut state = AppState::new(input);
        state.check_all();
        let settings_edit = |state: &mut AppState, values: &str| {
            state.set_file("local.settings.json", text(&settings(values)));
            assert_eq!(all(state), from_check(state.input()), "after {values}");
            state.settings_rechecked.iter().cloned().collect::<Vec<_>>()
        };
        // A keystroke in Q's function.json that keeps its connection: the record stands.
        state.set_file(
            "Q/function.json",
            text(&queue_json("Alpha").replace(": \"q\"", ": \"qq\"")),
        );
        assert_eq!(settings_edit(&mut state, r#", "Alpha": "a""#), ["Q"]);
        // Q now names another connection: a setting of the new name re-runs Q, of the old one
        // not any more.
        state.set_file("Q/function.json", text(&queue_json("Beta")));
        assert_eq!(
            settings_edit(&mut state, r#", "Alpha": "a", "Beta": "b""#),
            ["Q"]
        );
        assert!(settings_edit(&mut state, r#", "Beta": "b""#).is_empty());
        // Q gone: no reader left.
        state.remove_file("Q/function.json");
        state.remove_file("Q/__init__.py");
        assert!(settings_edit(&mut state, "").is_empty());
        assert!(state.readers_waiting.is_empty());
    }

    #[test]
    fn a_settings_edit_re_runs_only_the_functions_that_read_what_changed() {
        let settings = |values: &str| {
            format!(
                r#"{{"IsEncrypted": false, "Values": {{"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true", "Orders": "o"{values}, "Typed": ""}}}}"#
            )
        };
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("local.settings.json", &settings(""))
            .with_file("Q/function.json", &queue_json("AzureWebJobsStorage"))
            .with_file("Q/__init__.py", "def main(msg): pass\n")
            .with_file("O/function.json", &queue_json("Orders"))
            .with_file("O/__init__.py", "def main(msg): pass\n")
            .with_file("H/function.json", &queue_json("Hub"))
            .with_file("H/__init__.py", "def main(msg): pass\n")
            .with_file("E/function.json", HTTP_JSON)
            .with_file(
                "E/__init__.py",
                "import os\ndef main(req):\n    return os.environ[\"API_KEYS\"]\n",
            )
            .with_file("P/function.json", HTTP_JSON)
            .with_file("P/__init__.py", "def main(req): pass\n");
        let mut state = AppState::new(input);
        state.check_all();
        // Each edit: the functions whose settings rules run again, and the result equals a
        // check from scratch.
        let mut edit = |values: &str, text_: &str| -> usize {
            let before = state.settings_rechecks;
            let content = if text_.is_empty() {
                settings(values)
            } else {
                text_.to_string()
            };
            state.set_file("local.settings.json", text(&content));
            let rechecked = state.settings_rechecks - before;
            assert_eq!(
                all(&mut state),
                from_check(state.input()),
                "after {content}"
            );
            rechecked
        };
        // Typing in a value nobody reads (names unchanged, nothing before it moves).
        assert_eq!(
            edit(
                "",
                &settings("").replace("\"Typed\": \"\"", "\"Typed\": \"ab\"")
            ),
            0
        );
        // The value of the connection O names: O's rules only ask whether it is set.
        assert_eq!(edit("x", &settings("").replace("\"o\"", "\"ox\"")), 0);
        // A new name: E, whose unset read suggests a near miss among all names.
        assert_eq!(edit(r#", "API_KEY": "k""#, ""), 1);
        // The identity section H names: H, and E again (a new name).
        assert_eq!(
            edit(
                r#", "API_KEY": "k", "Hub__queueServiceUri": "https://h""#,
                ""
            ),
            2
        );
        // The storage setting every queue trigger reads becomes empty: Q, O and H, which
        // observe its shape. The ranges after it move, which E does not read (its near miss is
        // by name).
        let rechecked = edit(
            r#", "API_KEY": "k", "Hub__queueServiceUri": "https://h""#,
            &settings(r#", "API_KEY": "k", "Hub__queueServiceUri": "https://h""#)
                .replace("UseDevelopmentStorage=true", ""),
        );
        assert_eq!(rechecked, 3);
        // Broken JSON, then valid again: every function with settings rules.
        let readers = edit("", "{\"Values\": ");
        assert!(readers >= 4, "{readers}");
        assert_eq!(edit("", ""), readers);
    }

    /// The `\n`-based row and byte column of `offset`, as tree-sitter counts them.
    fn point(text: &str, offset: usize) -> tree_sitter::Point {
        let before = &text[..offset];
        let row = before.matches('\n').count();
        let column = offset - before.rfind('\n').map_or(0, |i| i + 1);
        tree_sitter::Point { row, column }
    }

    use python::comparable;

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
                let (scratch, scratch_tree) = python::parse_reusing(&source, false, None, None);
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
        assert!(affected.functions.contains("hello") && affected.functions.contains("greet"));
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
        assert!(affected.functions.contains("tick") && affected.functions.contains("nightly"));
        state.set_file("Legacy/function.json", text(HTTP_JSON));
        assert!(state.unit("Legacy").is_none());

        // Without the script the app is a function.json app again.
        state.remove_file("function_app.py");
        assert!(!state.uses_decorator_model());
        let names: Vec<&str> = state.units().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["Legacy"]);
    }

    #[test]
    fn the_app_level_rules_read_the_decorator_model_the_units_were_derived_with() {
        let script = "import azure.functions as func\nfrom bps import jobs\napp = func.FunctionApp()\napp.register_functions(jobs.bp)\n\n@app.route(route=\"hello\")\ndef hello(req): return \"hi\"\n";
        let jobs = "import azure.functions as func\nbp = func.Blueprint()\n\n@bp.schedule(arg_name=\"t\", schedule=\"0 * * * * *\")\ndef tick(t): pass\n";
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("function_app.py", script)
            .with_file("bps/__init__.py", "")
            .with_file("bps/jobs.py", jobs);
        // One thread: the model's runs are counted on it.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let runs = || crate::analysis::v2::MODELS_RUN.with(|run| run.get());
        pool.install(|| {
            let before = runs();
            let mut state = AppState::new(input.clone());
            state.check_all();
            assert_eq!(
                runs() - before,
                1,
                "start: the units' model serves the app-level rules"
            );
            // A module edit derives the units again, and the app-level rules read that model.
            let before = runs();
            let edited = jobs.replace("0 * * * * *", "0 */5 * * * *");
            state.set_file("bps/jobs.py", text(&edited));
            assert_eq!(runs() - before, 1, "a module edit");
            // Another file does not derive the units again: the app-level rules run the model
            // (the one they had may not stand for the files any more).
            let before = runs();
            state.set_file("host.json", text(r#"{"version": "2.0", "logging": {}}"#));
            assert_eq!(runs() - before, 1, "host.json");
            // And each time, the findings are those of a fresh state of the same files.
            let mut fresh = AppState::new(state.input().clone());
            assert_eq!(all(&mut state), all(&mut fresh));
        });
    }

    #[test]
    fn a_module_edit_derives_again_only_the_units_whose_inputs_changed() {
        let script = "import azure.functions as func\nfrom bps import jobs, more\napp = func.FunctionApp()\napp.register_functions(jobs.bp)\napp.register_functions(more.bp)\n\n@app.route(route=\"hello\")\ndef hello(req): return \"hi\"\n";
        let jobs = "import azure.functions as func\nbp = func.Blueprint()\nNAME = \"named\"\n\n@bp.function_name(name=NAME)\n@bp.queue_trigger(arg_name=\"msg\", queue_name=\"q\", connection=\"Orders\")\ndef queued(msg): pass\n\n@bp.schedule(arg_name=\"t\", schedule=\"0 * * * * *\")\ndef tick(t): pass\n";
        let more = "import azure.functions as func\nbp = func.Blueprint()\n\n@bp.route(route=\"more\")\ndef more(req): pass\n\n@bp.route(route=\"less\")\ndef less(req): pass\n";
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("function_app.py", script)
            .with_file("bps/__init__.py", "")
            .with_file("bps/jobs.py", jobs)
            .with_file("bps/more.py", more);
        // One thread: the derivations are counted on it.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let derived = || crate::analysis::v2::UNITS_DERIVED.with(|d| d.get());
        // Sets `path` to `new`: `expected` units are derived again, and the units and the
        // findings are those of a fresh state.
        let edit = |state: &mut AppState, path: &str, new: &str, expected: usize, context: &str| {
            let before = derived();
            state.set_file(path, text(new));
            assert_eq!(derived() - before, expected, "{context}");
            let fresh = AppState::new(state.input().clone());
            let units = |s: &AppState| s.units().cloned().collect::<Vec<_>>();
            assert_eq!(units(state), units(&fresh), "{context}");
            assert_as_from_scratch(state, context);
        };
        pool.install(|| {
            let mut state = AppState::new(input);
            state.check_all();
            let names = |s: &AppState| s.units().map(|u| u.name.clone()).collect::<Vec<_>>();
            assert_eq!(names(&state), ["named", "tick", "more", "less", "hello"]);

            // A line moved in one blueprint: its two functions, not the others.
            let moved = more.replacen("\n\n", "\n\n# moved\n", 1);
            edit(&mut state, "bps/more.py", &moved, 2, "a line moved");

            // A constant the decorators name, changed in place (no position moves): the
            // module's functions are derived again and the name follows.
            let constant = jobs.replace("\"named\"", "\"other\"");
            edit(&mut state, "bps/jobs.py", &constant, 2, "a constant");
            assert_eq!(names(&state), ["other", "tick", "more", "less", "hello"]);

            // The script: its function, and those whose registration now needs an arm.
            let guarded = script.replace(
                "app.register_functions(more.bp)\n",
                "try:\n    app.register_functions(more.bp)\nexcept ImportError:\n    pass\n",
            );
            let context = "a registration under an arm";
            edit(&mut state, "function_app.py", &guarded, 3, context);

            // An object made before the blueprints: theirs are numbered again, and the units
            // that name them with it.
            let earlier = guarded.replacen(
                "from bps import",
                "first = func.Blueprint()\nfrom bps import",
                1,
            );
            let context = "the blueprints numbered again";
            edit(&mut state, "function_app.py", &earlier, 5, context);
            state.set_file("function_app.py", text(&guarded));

            // The app object under another name, then of another kind: every function it
            // indexes.
            let renamed = guarded.replace("app", "main");
            edit(
                &mut state,
                "function_app.py",
                &renamed,
                5,
                "the app object's name",
            );
            let durable = renamed.replace(
                "main = func.FunctionApp()",
                "import azure.durable_functions as df\nmain = df.DFApp()",
            );
            edit(
                &mut state,
                "function_app.py",
                &durable,
                5,
                "the app object's kind",
            );
        });
    }

    #[test]
    fn the_units_of_the_same_functions_are_replaced_in_place_and_others_listed_again() {
        let script = "import azure.functions as func\nfrom bps import jobs\napp = func.FunctionApp()\napp.register_functions(jobs.bp)\n\n@app.route(route=\"hello\")\ndef hello(req): return \"hi\"\n";
        let jobs = "import azure.functions as func\nbp = func.Blueprint()\n\n@bp.route(route=\"one\")\ndef one(req):\n    return 1\n\n@bp.schedule(arg_name=\"t\", schedule=\"0 * * * * *\")\ndef tick(t): pass\n";
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("function_app.py", script)
            .with_file("bps/__init__.py", "")
            .with_file("bps/jobs.py", jobs);
        let mut state = AppState::new(input);
        state.check_all();
        let names = |s: &AppState| s.units().map(|u| u.name.clone()).collect::<Vec<_>>();
        // Sets bps/jobs.py to `new`: the units are replaced in place or not, and the units, the
        // order and the findings are those of a fresh state.
        let edit = |state: &mut AppState, new: &str, in_place: bool, context: &str| {
            let before = state.units_replaced_in_place;
            state.set_file("bps/jobs.py", text(new));
            let replaced = state.units_replaced_in_place - before;
            assert_eq!(replaced, usize::from(in_place), "{context}");
            let fresh = AppState::new(state.input().clone());
            let units = |s: &AppState| s.units().cloned().collect::<Vec<_>>();
            assert_eq!(units(state), units(&fresh), "{context}");
            assert_eq!(state.units, fresh.units, "{context}");
            assert_eq!(state.order, fresh.order, "{context}");
            assert_as_from_scratch(state, context);
        };
        assert_eq!(names(&state), ["one", "tick", "hello"]);

        let body = jobs.replace("return 1", "return 12");
        edit(&mut state, &body, true, "a keystroke in a body");
        let clash = body.replace("route=\"one\"", "route=\"hello\"");
        edit(
            &mut state,
            &clash,
            true,
            "a route that clashes with another function's",
        );
        let route = body.replace("route=\"one\"", "route=\"uno\"");
        edit(&mut state, &route, true, "a decorator's argument");
        let binding = route.replace("def one(req)", "def one(request)");
        edit(
            &mut state,
            &binding,
            true,
            "a parameter that no longer binds",
        );

        let renamed = binding.replace("def one(", "def first(");
        edit(&mut state, &renamed, false, "a function renamed");
        assert_eq!(names(&state), ["first", "tick", "hello"]);
        let added = format!("{renamed}\n@bp.route(route=\"two\")\ndef two(req): pass\n");
        edit(&mut state, &added, false, "a function added");
        let twice = added.replace("def two(", "def tick(");
        edit(&mut state, &twice, false, "a name taken twice");
        let again = twice.replace("return 12", "return 123");
        edit(
            &mut state,
            &again,
            false,
            "a keystroke while a name is taken twice",
        );
        edit(&mut state, jobs, false, "back to the start");
        edit(&mut state, &body, true, "a keystroke again");
    }

    #[test]
    fn an_edit_of_a_decorator_module_moves_its_unchanged_definitions_from_the_summary_before() {
        // What the state keeps of the units' derivation must not hold the module's summary:
        // an edit then reads every definition of the module again.
        let files = blueprint_app();
        let input = blueprint_input(&files);
        let jobs = files
            .iter()
            .find(|(p, _)| *p == "bps/jobs.py")
            .unwrap()
            .1
            .clone();
        let mut state = AppState::new(input);
        state.check_all();
        let taken = || python::DEFINITIONS_TAKEN.with(|taken| taken.get());
        for round in 0..3 {
            let before = taken();
            let edited = jobs.replace("# tail", &format!("# tail {round}"));
            state.set_file("bps/jobs.py", text(&edited));
            // Its three decorated functions, unchanged, each moved rather than read.
            assert_eq!(taken() - before, 3, "round {round}");
        }
        assert_as_from_scratch(&mut state, "after the edits");
    }

    /// A reproducible series of picks below `n` (xorshift) from `seed`.
    fn seeded(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        }
    }

    /// The input of the app `files` lists.
    fn blueprint_input(files: &[(&'static str, String)]) -> AppInput {
        files
            .iter()
            .fold(AppInput::new("app"), |input, (path, content)| {
                input.with_file(path, content)
            })
    }

    /// [`blueprint_app`]'s texts by path, and its state with every function checked.
    fn checked_blueprint_app() -> (BTreeMap<&'static str, String>, AppState) {
        let files = blueprint_app();
        let mut state = AppState::new(blueprint_input(&files));
        state.check_all();
        (files.into_iter().collect(), state)
    }

    /// A decorator app of two blueprints and a helper module one of them imports from.
    fn blueprint_app() -> Vec<(&'static str, String)> {
        let script = "import azure.functions as func\nfrom bps import jobs, more\napp = func.FunctionApp()\napp.register_functions(jobs.bp)\napp.register_functions(more.bp)\n\n@app.route(route=\"hello\")\ndef hello(req: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"hi\")\n";
        let jobs = "import azure.functions as func\nbp = func.Blueprint()\n\n@bp.schedule(arg_name=\"t\", schedule=\"0 * * * * *\")\ndef tick(t): pass\n\n@bp.route(route=\"jobs\")\ndef jobs(req: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"hi\")\n\n@bp.queue_trigger(arg_name=\"msg\", queue_name=\"q\", connection=\"Orders\")\ndef queued(message): pass\n# tail\n";
        let more = "import azure.functions as func\nfrom helpers import Payload\nbp = func.Blueprint()\n\n@bp.route(route=\"more\")\ndef more(req: func.HttpRequest, p: Payload) -> func.HttpResponse:\n    return func.HttpResponse(\"more\")\n\n@bp.schedule(arg_name=\"t\", schedule=\"0 * * * * *\")\ndef late(t): pass\n# tail\n";
        let helpers = "class Payload:\n    pass\n# tail\n";
        vec![
            ("host.json", r#"{"version": "2.0"}"#.to_string()),
            ("requirements.txt", "azure-functions\n".to_string()),
            ("function_app.py", script.to_string()),
            ("bps/__init__.py", String::new()),
            ("bps/jobs.py", jobs.to_string()),
            ("bps/more.py", more.to_string()),
            ("helpers.py", helpers.to_string()),
        ]
    }

    #[test]
    fn an_edit_of_a_blueprint_re_checks_only_the_functions_that_read_it() {
        let files = blueprint_app();
        let input = blueprint_input(&files);
        let original = |path: &str| files.iter().find(|(p, _)| *p == path).unwrap().1.clone();
        let mut state = AppState::new(input);
        state.check_all();
        let names = |c: &Changed| c.functions.iter().cloned().collect::<Vec<_>>();

        // A line moves every function of the module: they are checked again, the others not,
        // and only their facts for the app-level rules are derived again.
        let jobs = original("bps/jobs.py").replacen("\n\n", "\n\n# moved\n", 1);
        let derived = state.facts_derived;
        let changed = state.set_file("bps/jobs.py", text(&jobs));
        assert_eq!(names(&changed), ["jobs", "queued", "tick"]);
        assert_eq!(state.facts_derived - derived, 3);
        assert_as_from_scratch(&mut state, "a line added");

        // The helper module: no function's rules read it (the import of the name it no longer
        // defines is the script's loads', reported by the app-level rules).
        let helpers = original("helpers.py").replace("class Payload:", "class Payload2:");
        let changed = state.set_file("helpers.py", text(&helpers));
        assert!(changed.functions.is_empty(), "{:?}", changed.functions);
        assert_as_from_scratch(&mut state, "the helper's class renamed");
        let broken_import = state
            .diagnostics_by_file(&Config::default())
            .into_values()
            .flatten()
            .any(|d| d.message.contains("cannot import name 'Payload'"));
        assert!(broken_import);

        // A new import may change what every load runs: every function.
        let jobs = jobs.replacen("\n", "\nimport json\n", 1);
        let changed = state.set_file("bps/jobs.py", text(&jobs));
        assert_eq!(
            names(&changed),
            ["hello", "jobs", "late", "more", "queued", "tick"]
        );
        assert_as_from_scratch(&mut state, "an import added");

        // So does a syntax error (a module that does not parse is not read for its imports).
        let broken = format!("{jobs}def broken(:\n");
        let changed = state.set_file("bps/jobs.py", text(&broken));
        assert_eq!(changed.functions.len(), 6, "{:?}", changed.functions);
        assert_as_from_scratch(&mut state, "a syntax error");
        state.set_file("bps/jobs.py", text(&jobs));
        assert_as_from_scratch(&mut state, "the syntax error mended");

        // And an edit of the script, which every function is registered through.
        let script = original("function_app.py").replace("route=\"hello\"", "route=\"hi\"");
        let changed = state.set_file("function_app.py", text(&script));
        assert_eq!(changed.functions.len(), 6, "{:?}", changed.functions);
        assert_as_from_scratch(&mut state, "the script");
    }

    /// Edits of the blueprint app's modules, each undone by itself when met again.
    const BLUEPRINT_TOGGLES: &[(&str, &str, &str)] = &[
        ("bps/jobs.py", "def tick(t)", "def tick(timer)"),
        (
            "bps/jobs.py",
            "return func.HttpResponse(\"hi\")",
            "return func.HttpResponse(\"hi there\")",
        ),
        (
            "bps/jobs.py",
            "import azure.functions as func\n",
            "import azure.functions as func\nimport os\n",
        ),
        ("bps/jobs.py", "\n# tail\n", "\ndef broken(:\n# tail\n"),
        (
            "bps/jobs.py",
            "bp = func.Blueprint()\n",
            "bp = func.Blueprint()\nKEY = os.environ[\"API_KEY\"]\n",
        ),
        (
            "bps/jobs.py",
            "connection=\"Orders\"",
            "connection=\"Storage\"",
        ),
        (
            "bps/jobs.py",
            "\n# tail\n",
            "\n@bp.route(route=\"extra\")\ndef extra(req): pass\n# tail\n",
        ),
        (
            "bps/more.py",
            "from helpers import Payload\n",
            "from helpers import Payload, Other\n",
        ),
        ("bps/more.py", "p: Payload", "p: Missing"),
        ("bps/more.py", "def late(t)", "def late(t, extra)"),
        (
            "bps/more.py",
            "def more(req: func.HttpRequest,",
            "def more(req: str,",
        ),
        ("helpers.py", "class Payload:", "class Payload2:"),
        (
            "helpers.py",
            "\n# tail\n",
            "\nraise RuntimeError('x')\n# tail\n",
        ),
        ("helpers.py", "\n# tail\n", "\nimport bps.jobs\n# tail\n"),
        ("function_app.py", "route=\"hello\"", "route=\"jobs\""),
    ];

    /// A seeded edit of a module of [`blueprint_app`] (as `texts` holds it now): a comment line
    /// added at the start of a random line or one removed (positions move), or a toggle of
    /// names, parameters, annotations, imports, syntax errors, failures at import, settings read
    /// at import, functions added.
    fn blueprint_edit(
        next: &mut impl FnMut(usize) -> usize,
        texts: &BTreeMap<&'static str, String>,
    ) -> (&'static str, String) {
        let toggles = BLUEPRINT_TOGGLES;
        let modules = [
            "bps/jobs.py",
            "bps/more.py",
            "helpers.py",
            "function_app.py",
        ];
        match next(3) {
            // A comment line added at the start of a random line, or one removed.
            0 | 1 => {
                let path = modules[next(3)];
                let text = &texts[path];
                let starts: Vec<usize> = std::iter::once(0)
                    .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                    .filter(|&i| i < text.len())
                    .collect();
                let comments: Vec<usize> = starts
                    .iter()
                    .copied()
                    .filter(|&i| text[i..].starts_with("# c\n"))
                    .collect();
                let edited = if !comments.is_empty() && next(3) == 0 {
                    let at = comments[next(comments.len())];
                    format!("{}{}", &text[..at], &text[at + 4..])
                } else {
                    let at = starts[next(starts.len())];
                    format!("{}# c\n{}", &text[..at], &text[at..])
                };
                (path, edited)
            }
            _ => {
                let (path, a, b) = toggles[next(toggles.len())];
                let text = &texts[path];
                let edited = if text.contains(b) {
                    text.replacen(b, a, 1)
                } else {
                    text.replacen(a, b, 1)
                };
                (path, edited)
            }
        }
    }

    #[test]
    fn any_series_of_blueprint_edits_ends_where_a_fresh_check_does() {
        // A seeded series of edits of the modules of a decorator app: lines added and removed
        // (positions move), names, parameters, annotations, imports, syntax errors, failures at
        // import, settings read at import, functions added: after each, the state equals a
        // check from scratch.
        let (mut texts, mut state) = checked_blueprint_app();
        let mut next = seeded(0xb1e5_9a1d);
        let (mut kept, mut rechecked) = (0, 0);
        for round in 0..300 {
            let (path, edit) = blueprint_edit(&mut next, &texts);
            let changed = state.set_file(path, text(&edit));
            texts.insert(path, edit);
            if changed.functions.len() < state.units.len() {
                kept += 1;
            } else {
                rechecked += 1;
            }
            assert_as_from_scratch(&mut state, &format!("round {round}, {path}"));
        }
        // Both kinds of edit came up: some left functions as they were, some re-checked all.
        assert!(kept > 50 && rechecked > 20, "{kept} kept, {rechecked} all");
    }

    #[test]
    fn the_functions_depending_on_each_file_are_kept_with_the_checks() {
        // After the first edit of a blueprint that imports what it did (which builds the index
        // of the functions depending on each file), a seeded series of module edits and edits of
        // the settings (the storage account, a connection a function reads, a setting one reads
        // at import, each defined or not): after each, the index is the one the checked functions make afresh, and the
        // state equals a check from scratch. (In debug builds each such edit also asserts that
        // the index finds what reading every function's record finds.)
        let (mut texts, mut state) = checked_blueprint_app();
        let settings = |orders: bool, key: bool, storage: bool| {
            let mut values = vec!["\"FUNCTIONS_WORKER_RUNTIME\": \"python\"".to_string()];
            if storage {
                values.push("\"AzureWebJobsStorage\": \"UseDevelopmentStorage=true\"".to_string());
            }
            if orders {
                values.push("\"Orders\": \"UseDevelopmentStorage=true\"".to_string());
            }
            if key {
                values.push("\"API_KEY\": \"k\"".to_string());
            }
            format!(
                "{{\"IsEncrypted\": false, \"Values\": {{{}}}}}",
                values.join(", ")
            )
        };
        state.set_file(LOCAL_SETTINGS, text(&settings(false, false, false)));
        assert!(state.dependents.is_none(), "built on first use");
        let jobs = texts["bps/jobs.py"].replacen("\n\n", "\n\n# c\n", 1);
        let changed = state.set_file("bps/jobs.py", text(&jobs));
        texts.insert("bps/jobs.py", jobs);
        assert_eq!(changed.functions.len(), 3, "{:?}", changed.functions);
        assert!(state.dependents.is_some(), "built by the edit");
        let mut next = seeded(0xde9e_17d5);
        let (mut orders, mut key, mut storage) = (false, false, false);
        let mut settings_edits = 0;
        for round in 0..200 {
            if next(4) == 0 {
                match next(3) {
                    0 => orders = !orders,
                    1 => key = !key,
                    _ => storage = !storage,
                }
                state.set_file(LOCAL_SETTINGS, text(&settings(orders, key, storage)));
                settings_edits += 1;
            } else {
                let (path, edit) = blueprint_edit(&mut next, &texts);
                state.set_file(path, text(&edit));
                texts.insert(path, edit);
            }
            if let Some(dependents) = &state.dependents {
                assert_eq!(
                    *dependents,
                    Dependents::of(&state.cache),
                    "round {round}: the index as the checked functions make it"
                );
            }
            assert_as_from_scratch(&mut state, &format!("round {round}"));
        }
        assert!(
            settings_edits > 30,
            "{settings_edits} edits of the settings"
        );
        for (path, original) in blueprint_app() {
            if texts.get(path).is_some_and(|now| *now != original) {
                state.set_file(path, text(&original));
            }
        }
        assert_as_from_scratch(&mut state, "the modules as they were");
        // The connection's setting is read by the function that names it: its findings
        // depend on the settings, and on the module that declares it.
        let index = state.dependents.as_ref().expect("kept");
        assert!(index.on("bps/jobs.py").any(|name| name == "queued"));
        assert!(!index.on("bps/jobs.py").any(|name| name == "late"));
    }

    #[test]
    fn edits_whose_checks_wait_end_where_a_fresh_check_does_and_name_every_changed_file() {
        // An editor's keystrokes in a row apply their edits before the checks (requests that
        // read no findings are answered in between): runs of one to four seeded edits of the
        // blueprint app, each left unchecked, then checked at once. After each run the state
        // equals a check from scratch, and every file whose diagnostics differ from before the
        // run is among the files the edits and the checks returned (what a client is told).
        let (mut texts, mut state) = checked_blueprint_app();
        let mut next = seeded(0x5eed_c0de);
        let (mut waited, mut files_changed) = (0, 0);
        for round in 0..200 {
            let before = state.diagnostics_by_file(&Config::default());
            let mut named = BTreeSet::new();
            for _ in 0..=next(4) {
                let (path, edit) = blueprint_edit(&mut next, &texts);
                let (changed, _) = state.set_file_leaving_checks(path, text(&edit), None);
                texts.insert(path, edit);
                named.extend(changed.files);
                waited += usize::from(state.has_pending_checks());
            }
            named.extend(state.check_pending());
            state.let_go_of_replaced();
            assert!(!state.has_pending_checks(), "round {round}");
            let after = state.diagnostics_by_file(&Config::default());
            for file in before.keys().chain(after.keys()) {
                if before.get(file) != after.get(file) {
                    files_changed += 1;
                    assert!(named.contains(file), "round {round}: {file} not named");
                }
            }
            assert_as_from_scratch(&mut state, &format!("round {round}"));
        }
        assert!(
            waited > 400 && files_changed > 300,
            "{waited} edits waited, {files_changed} files changed"
        );
    }

    #[test]
    fn functions_checked_together_find_what_they_share_once() {
        let script = "import azure.functions as func\nfrom bps import jobs, more\napp = func.FunctionApp()\napp.register_functions(jobs.bp)\napp.register_functions(more.bp)\n\n@app.route(route=\"hello\")\ndef hello(req): return \"hi\"\n";
        let blueprint = |name: &str| {
            format!(
                "import azure.functions as func\nbp = func.Blueprint()\n\n\
                 @bp.schedule(arg_name=\"t\", schedule=\"0 * * * * *\")\ndef {name}(timer): pass\n"
            )
        };
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("requirements.txt", "azure-functions\n")
            .with_file("function_app.py", script)
            .with_file("bps/__init__.py", "")
            .with_file("bps/jobs.py", &blueprint("tick"))
            .with_file("bps/more.py", &blueprint("tock"));
        let mut state = AppState::new(input.clone());
        state.check_all();
        // The three functions' loads run the same modules: found once, for all of them.
        let loaded = |name: &str| state.cache[name].checked.loaded.clone();
        assert_eq!(loaded("hello").len(), 4, "{:?}", loaded("hello"));
        assert!(Arc::ptr_eq(&loaded("hello"), &loaded("tick")));
        assert!(Arc::ptr_eq(&loaded("tick"), &loaded("tock")));
        // And each says what it says checked alone.
        let alone = AppState::new(input);
        for name in ["hello", "tick", "tock"] {
            let unit = alone.unit(name).unwrap();
            let checked = rules::check_function_parts(
                alone.input(),
                alone.modules(),
                unit,
                Some(alone.settings.clone()),
                None,
            );
            assert_eq!(*state.cache[name].all, checked.into_diagnostics(), "{name}");
        }
        // Not trivially: each function has findings of its own.
        for name in ["tick", "tock"] {
            let codes: Vec<&str> = state.cache[name]
                .all
                .iter()
                .map(|d| d.code.as_str())
                .collect();
            assert!(codes.contains(&"AZF201"), "{name}: {codes:?}");
        }
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

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn an_edit_answers_exactly_the_functions_and_files_it_changes() {
        // A and B load `shared/util.py`, whose import is not in requirements.txt (AZF607, found
        // by both); A's parameter does not match its binding (AZF201/AZF202); C loads nothing.
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("requirements.txt", "azure-functions\n")
            .with_file("shared/__init__.py", "")
            .with_file("shared/util.py", "import requests\n")
            .with_file("A/function.json", HTTP_JSON)
            .with_file(
                "A/__init__.py",
                "from shared import util\ndef main(request): pass\n",
            )
            .with_file("B/function.json", HTTP_JSON)
            .with_file(
                "B/__init__.py",
                "from shared import util\ndef main(req): pass\n",
            )
            .with_file("C/function.json", HTTP_JSON)
            .with_file("C/__init__.py", "def main(req): pass\n");
        let mut state = AppState::new(input);
        state.check_all();
        let files: BTreeSet<String> = state.files_with_diagnostics().cloned().collect();
        assert_eq!(
            files,
            set(&["A/__init__.py", "A/function.json", "shared/util.py"])
        );
        // Reported by two functions, answered once.
        let shared = state.file_diagnostics("shared/util.py", &Config::default());
        let codes: Vec<_> = shared.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["AZF607"]);

        // A keystroke in A's script: A alone, and the files its diagnostics were in.
        let changed = state.set_file(
            "A/__init__.py",
            text("from shared import util\ndef main(req): pass\n"),
        );
        assert_eq!(changed.functions, set(&["A"]));
        assert_eq!(
            changed.files,
            set(&["A/__init__.py", "A/function.json", "shared/util.py"])
        );
        assert!(state
            .file_diagnostics("A/__init__.py", &Config::default())
            .is_empty());

        // The shared module: the functions that load it, not C.
        let changed = state.set_file("shared/util.py", text("import json\n"));
        assert_eq!(changed.functions, set(&["A", "B"]));
        assert_eq!(
            changed.files,
            set(&[
                "A/__init__.py",
                "A/function.json",
                "B/__init__.py",
                "B/function.json",
                "shared/util.py",
            ])
        );
        assert_eq!(state.files_with_diagnostics().count(), 0);

        // A root file: every function.
        let changed = state.set_file("host.json", text(r#"{"version": "2.0" }"#));
        assert_eq!(changed.functions, set(&["A", "B", "C"]));
        assert!(changed.files.contains("host.json") && changed.files.contains("C/__init__.py"));

        // A function that stops being one is among the changed; a file of no function changes
        // only itself.
        let changed = state.remove_file("C/function.json");
        assert_eq!(changed.functions, set(&["C"]));
        assert_eq!(changed.files, set(&["C/function.json"]));
        let changed = state.set_file("C/__init__.py", text("def main(x): pass\n"));
        assert_eq!(
            changed,
            Changed {
                functions: BTreeSet::new(),
                files: set(&["C/__init__.py"]),
            }
        );
    }

    #[test]
    fn app_level_rules_re_run_only_for_what_they_read() {
        // host.json without a version: an app-level diagnostic in host.json.
        let input = AppInput::new("app")
            .with_file("host.json", "{}")
            .with_file("A/function.json", HTTP_JSON)
            .with_file("A/__init__.py", "def main(req): pass\n");
        let mut state = AppState::new(input);
        state.check_all();
        assert!(!state
            .file_diagnostics("host.json", &Config::default())
            .is_empty());
        // A script edit in a function.json app: the app-level rules do not read it.
        let runs = state.app_level_checks;
        let changed = state.set_file("A/__init__.py", text("def main(req): return 1\n"));
        assert_eq!(changed.files, set(&["A/__init__.py", "A/function.json"]));
        assert_eq!(state.app_level_checks, runs);
        // function.json (routes) is read by them: they run again, and host.json, whose findings
        // stay the same, is not among the changed files.
        let changed = state.set_file("A/function.json", text(HTTP_JSON));
        assert_eq!(state.app_level_checks, runs + 1);
        assert!(!changed.files.contains("host.json"), "{changed:?}");
        // So is every module once a .funcignore exists.
        state.set_file(".funcignore", text("tests\n"));
        let runs = state.app_level_checks;
        state.set_file("A/__init__.py", text("def main(req): pass\n"));
        assert_eq!(state.app_level_checks, runs + 1);
        // An edit that changes an app-level finding names its file.
        let changed = state.set_file("host.json", text(r#"{"version": "2.0"}"#));
        assert!(changed.files.contains("host.json"), "{changed:?}");
        assert_eq!(all(&mut state), from_check(state.input()));
    }

    /// local.settings.json as a list of entries, written out whole after each edit.
    #[derive(Clone)]
    struct SettingsModel {
        values: Vec<(String, String)>,
        connection_strings: Vec<(String, String)>,
        cors: Option<String>,
    }

    impl SettingsModel {
        fn text(&self) -> String {
            let members = |list: &[(String, String)]| -> String {
                list.iter()
                    .map(|(n, v)| format!("\"{n}\": \"{v}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let host = match &self.cors {
                Some(c) => format!(", \"Host\": {{\"CORS\": \"{c}\"}}"),
                None => String::new(),
            };
            format!(
                "{{\"IsEncrypted\": false, \"Values\": {{{}}}, \"ConnectionStrings\": {{{}}}{host}}}",
                members(&self.values),
                members(&self.connection_strings)
            )
        }

        fn value_mut(&mut self, name: &str) -> &mut String {
            &mut self.values.iter_mut().find(|(n, _)| n == name).unwrap().1
        }
    }

    /// An app whose functions observe the settings in each way the rules do: Q, O and B the
    /// storage value's shape (AZF305) and where their connection resolves (AZF307: `Orders` a
    /// plain setting, `Bus` an identity section), H whether Host.CORS is set (AZF401), E the
    /// presence of what its code reads and, for `MISSING`, which is never set, the list of names
    /// (AZF310, AZF311); P nothing.
    fn observing_app(settings: &SettingsModel) -> AppInput {
        AppInput::new("app")
            .with_file(
                "host.json",
                r#"{"version": "2.0", "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}}"#,
            )
            .with_file("requirements.txt", "azure-functions\n")
            .with_file("local.settings.json", &settings.text())
            .with_file("Q/function.json", &queue_json("AzureWebJobsStorage"))
            .with_file("Q/__init__.py", "def main(msg): pass\n")
            .with_file("O/function.json", &queue_json("Orders"))
            .with_file("O/__init__.py", "def main(msg): pass\n")
            .with_file(
                "B/function.json",
                r#"{"bindings": [{"type": "serviceBusTrigger", "name": "msg", "queueName": "q", "connection": "Bus"}]}"#,
            )
            .with_file("B/__init__.py", "def main(msg): pass\n")
            .with_file(
                "H/function.json",
                r#"{"bindings": [{"type": "httpTrigger", "name": "req", "methods": ["get"]}, {"type": "http", "direction": "out", "name": "$return"}]}"#,
            )
            .with_file(
                "H/__init__.py",
                "import azure.functions as func\nHEADERS = {\"Access-Control-Allow-Origin\": \"*\"}\ndef main(req):\n    return func.HttpResponse(\"x\", headers=HEADERS)\n",
            )
            .with_file("E/function.json", HTTP_JSON)
            .with_file(
                "E/__init__.py",
                "import os\nDB = os.environ[\"DB\"]\ndef main(req):\n    os.environ[\"API_KEYS\"]\n    os.environ.get(\"MISSING\")\n",
            )
            .with_file("P/function.json", HTTP_JSON)
            .with_file("P/__init__.py", "def main(req): pass\n")
    }

    fn observed_settings() -> SettingsModel {
        let entries = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        };
        SettingsModel {
            values: entries(&[
                ("FUNCTIONS_WORKER_RUNTIME", "python"),
                ("AzureWebJobsStorage", "UseDevelopmentStorage=true"),
                ("Orders", "Endpoint=sb://o/"),
                ("Bus__fullyQualifiedNamespace", "ns.servicebus.windows.net"),
                ("API_KEYS", "k"),
                ("DB", "d"),
            ]),
            connection_strings: Vec::new(),
            cors: Some("*".into()),
        }
    }

    /// Writes `settings`, checks the result against a check from scratch and returns the
    /// functions whose settings rules ran again and those the edit reports as changed.
    fn write_settings(
        state: &mut AppState,
        settings: &SettingsModel,
    ) -> (BTreeSet<String>, BTreeSet<String>) {
        let before = state.settings_rechecks;
        let changed = state.set_file("local.settings.json", text(&settings.text()));
        let rechecked = if state.settings_rechecks == before {
            BTreeSet::new()
        } else {
            state.settings_rechecked.clone()
        };
        assert_eq!(state.settings_rechecks - before, rechecked.len());
        assert_as_from_scratch(state, &format!("after {}", settings.text()));
        (rechecked, changed.functions)
    }

    /// The state's diagnostics, whole, are those of a check from scratch of its input.
    fn assert_as_from_scratch(state: &mut AppState, context: &str) {
        assert_eq!(
            whole(
                state
                    .diagnostics_by_file(&Config::default())
                    .into_values()
                    .flatten()
            ),
            whole(crate::analysis::check_app(
                state.input(),
                &Config::default()
            )),
            "{context}"
        );
    }

    /// Diagnostics with everything they say (related places and fixes too), in one order.
    fn whole(list: impl IntoIterator<Item = Diagnostic>) -> Vec<String> {
        let mut list: Vec<String> = list.into_iter().map(|d| format!("{d:?}")).collect();
        list.sort();
        list
    }

    #[test]
    fn value_edits_that_keep_every_observation_re_check_no_function() {
        let mut settings = observed_settings();
        let mut state = AppState::new(observing_app(&settings));
        state.check_all();
        // Before: E's reads but `MISSING` and H's CORS are answered, O's and B's connections
        // resolve.
        let codes: Vec<&str> = all(&mut state).into_iter().map(|d| d.2).collect();
        assert_eq!(codes, ["AZF310"]);
        // Typing, then deleting, in each value and in Host.CORS, a letter at a time.
        let names = [
            "FUNCTIONS_WORKER_RUNTIME",
            "AzureWebJobsStorage",
            "Orders",
            "Bus__fullyQualifiedNamespace",
            "API_KEYS",
            "DB",
        ];
        for name in names {
            for step in 0..6 {
                if step < 3 {
                    settings
                        .value_mut(name)
                        .push("xy;"[step..].chars().next().unwrap());
                } else {
                    settings.value_mut(name).pop();
                }
                let (rechecked, changed) = write_settings(&mut state, &settings);
                assert!(rechecked.is_empty(), "{name}: {rechecked:?}");
                assert!(changed.is_empty(), "{name}: {changed:?}");
            }
        }
        for cors in ["*x", "https://a", "*"] {
            settings.cors = Some(cors.into());
            let (rechecked, _) = write_settings(&mut state, &settings);
            assert!(rechecked.is_empty(), "CORS {cors}: {rechecked:?}");
        }
        assert_eq!(state.settings_rechecks, 0);
    }

    #[test]
    fn edits_that_change_an_observation_re_check_exactly_its_readers() {
        let mut settings = observed_settings();
        let mut state = AppState::new(observing_app(&settings));
        state.check_all();
        let storage_readers = set(&["B", "O", "Q"]);
        let mut step = |state: &mut AppState,
                        edit: &dyn Fn(&mut SettingsModel),
                        readers: &BTreeSet<String>,
                        code: Option<&str>| {
            edit(&mut settings);
            let (rechecked, changed) = write_settings(state, &settings);
            assert_eq!(&rechecked, readers, "after {}", settings.text());
            // The functions reported changed are among those re-run.
            assert!(changed.is_subset(&rechecked), "{changed:?}");
            let codes: BTreeSet<&str> = all(state).into_iter().map(|d| d.2).collect();
            if let Some(code) = code {
                assert!(codes.contains(code), "{code} missing: {codes:?}");
            }
            codes.len()
        };
        // The storage value emptied, blanked, made a placeholder, edited inside the
        // placeholder (the finding points at it), usable again: its shape's readers each time.
        for (value, code) in [
            ("", Some("AZF305")),
            (" ", Some("AZF305")),
            ("<conn>", Some("AZF305")),
            ("<connx>", Some("AZF305")),
            (
                "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k",
                None,
            ),
        ] {
            step(
                &mut state,
                &|s| *s.value_mut("AzureWebJobsStorage") = value.into(),
                &storage_readers,
                code,
            );
        }
        // A placeholder moved by an edit before it: its readers again; usable, nothing.
        step(
            &mut state,
            &|s| *s.value_mut("AzureWebJobsStorage") = "{x}".into(),
            &storage_readers,
            Some("AZF305"),
        );
        step(
            &mut state,
            &|s| s.value_mut("FUNCTIONS_WORKER_RUNTIME").push('3'),
            &storage_readers,
            Some("AZF305"),
        );
        step(
            &mut state,
            &|s| *s.value_mut("AzureWebJobsStorage") = "UseDevelopmentStorage=true".into(),
            &storage_readers,
            None,
        );
        step(
            &mut state,
            &|s| {
                s.value_mut("FUNCTIONS_WORKER_RUNTIME")
                    .pop()
                    .map(drop)
                    .unwrap()
            },
            &BTreeSet::new(),
            None,
        );
        // A name gone: who looks it up, and E, whose near misses look at every name.
        step(
            &mut state,
            &|s| s.values.retain(|(n, _)| n != "DB"),
            &set(&["E"]),
            Some("AZF311"),
        );
        step(
            &mut state,
            &|s| s.values.retain(|(n, _)| n != "Orders"),
            &set(&["E", "O"]),
            None,
        );
        // A name in ConnectionStrings resolves a connection.
        step(
            &mut state,
            &|s| {
                s.connection_strings
                    .push(("Orders".into(), "Endpoint=sb://o/".into()))
            },
            &set(&["O"]),
            None,
        );
        // A name in an identity section: who lists the section.
        step(
            &mut state,
            &|s| {
                s.values
                    .retain(|(n, _)| n != "Bus__fullyQualifiedNamespace")
            },
            &set(&["B", "E"]),
            Some("AZF306"),
        );
        step(
            &mut state,
            &|s| {
                s.values
                    .push(("Bus__serviceUri".into(), "https://b".into()))
            },
            &set(&["B", "E"]),
            Some("AZF307"),
        );
        // The storage account by identity: its section's readers (where it resolves).
        step(
            &mut state,
            &|s| s.values.retain(|(n, _)| n != "AzureWebJobsStorage"),
            &set(&["B", "E", "O", "Q"]),
            Some("AZF305"),
        );
        step(
            &mut state,
            &|s| {
                s.values.push((
                    "AzureWebJobsStorage__queueServiceUri".into(),
                    "https://q".into(),
                ))
            },
            &set(&["B", "E", "O", "Q"]),
            None,
        );
        // Host.CORS unset, blank, set: H, whose code sets CORS headers, alone.
        step(&mut state, &|s| s.cors = None, &set(&["H"]), Some("AZF401"));
        step(
            &mut state,
            &|s| s.cors = Some(" ".into()),
            &BTreeSet::new(),
            None,
        );
        step(
            &mut state,
            &|s| s.cors = Some("*".into()),
            &set(&["H"]),
            None,
        );
    }

    #[test]
    fn any_series_of_settings_edits_ends_where_a_fresh_check_does() {
        // A seeded series of edits of every kind (typing into and out of values, values made
        // empty, placeholders, development storage, connection strings, service URIs; entries
        // added, removed, renamed, reordered, moved to ConnectionStrings; Host.CORS; broken JSON
        // and a missing file): after each, the state equals a check from scratch; an edit that
        // changes no observation re-runs nothing.
        let pool = [
            "AzureWebJobsStorage",
            "Storage",
            "AzureWebJobsStorage__accountName",
            "AzureWebJobsStorage__queueServiceUri",
            "Orders",
            "AzureWebJobsOrders",
            "Orders__queueServiceUri",
            "Bus__fullyQualifiedNamespace",
            "Bus__serviceUri",
            "API_KEYS",
            "API_KEY",
            "DB",
            "Typed",
        ];
        let values = [
            "",
            " ",
            "UseDevelopmentStorage=true",
            "<conn>",
            "{x}",
            "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k",
            "https://a.queue.core.windows.net",
            "ns.servicebus.windows.net",
        ];
        let mut settings = observed_settings();
        let mut state = AppState::new(observing_app(&settings));
        state.check_all();
        let mut next = seeded(0x5eed_2024);
        let mut seen: BTreeSet<&'static str> = BTreeSet::new();
        let mut kept = 0;
        for round in 0..600 {
            let old = settings.clone();
            // Back to the start now and then, so that the series does not drift away from
            // what the functions read.
            if round % 60 == 0 {
                settings = observed_settings();
            }
            // Half the edits of an entry go to the storage setting, when it is there.
            let storage = settings
                .values
                .iter()
                .position(|(n, _)| n == "AzureWebJobsStorage");
            let pick = |n: usize, next: &mut dyn FnMut(usize) -> usize| match storage {
                Some(i) if next(2) == 0 => i,
                _ => next(n.max(1)),
            };
            match next(12) {
                0..=2 if !settings.values.is_empty() => {
                    let i = pick(settings.values.len(), &mut next);
                    let c = b"ab=;/:. "[next(8)] as char;
                    settings.values[i].1.push(c);
                }
                3 if !settings.values.is_empty() => {
                    let i = pick(settings.values.len(), &mut next);
                    settings.values[i].1.pop();
                }
                4 if !settings.values.is_empty() => {
                    let i = pick(settings.values.len(), &mut next);
                    settings.values[i].1 = values[next(values.len())].into();
                }
                5 if !settings.values.is_empty() => {
                    let i = pick(settings.values.len(), &mut next);
                    settings.values.remove(i);
                }
                6 => {
                    let name = pool[next(pool.len())];
                    let at = next(settings.values.len() + 1);
                    settings
                        .values
                        .insert(at, (name.into(), values[next(values.len())].into()));
                }
                7 if !settings.values.is_empty() => {
                    let i = pick(settings.values.len(), &mut next);
                    settings.values[i].0 = pool[next(pool.len())].into();
                }
                8 if !settings.connection_strings.is_empty() && next(2) == 0 => {
                    let entry = settings.connection_strings.remove(0);
                    settings.values.push(entry);
                }
                8 if !settings.values.is_empty() => {
                    let i = pick(settings.values.len(), &mut next);
                    let entry = settings.values.remove(i);
                    settings.connection_strings.push(entry);
                }
                9 if settings.values.len() > 1 => {
                    let (i, j) = (
                        pick(settings.values.len(), &mut next),
                        pick(settings.values.len(), &mut next),
                    );
                    settings.values.swap(i, j);
                }
                10 => {
                    settings.cors =
                        [None, Some(""), Some("*"), Some("*x")][next(4)].map(String::from);
                }
                _ => {
                    // Broken, or gone, for one edit; then back as it was.
                    if next(2) == 0 {
                        state.set_file("local.settings.json", text("{\"Values\": {\"A"));
                    } else {
                        state.remove_file("local.settings.json");
                    }
                    assert_as_from_scratch(&mut state, &format!("round {round}"));
                    let (rechecked, _) = write_settings(&mut state, &settings);
                    assert!(!rechecked.is_empty());
                    continue;
                }
            }
            let diff = settings::local_settings(&observing_app(&old))
                .unwrap()
                .diff(&settings::local_settings(&observing_app(&settings)).unwrap());
            let (rechecked, _) = write_settings(&mut state, &settings);
            if diff.presence.is_empty() && diff.shapes.is_empty() && !diff.names && !diff.cors {
                assert!(rechecked.is_empty(), "round {round}: {rechecked:?}");
                kept += 1;
            }
            seen.extend(all(&mut state).into_iter().map(|d| d.2));
        }
        // The series went through edits that keep every observation and through each finding
        // that depends on the settings.
        assert!(kept > 50, "{kept}");
        for code in ["AZF305", "AZF306", "AZF307", "AZF310", "AZF311", "AZF401"] {
            assert!(seen.contains(code), "{code} never seen: {seen:?}");
        }
    }

    #[test]
    fn a_settings_edit_that_names_the_script_switches_the_model() {
        // `PYTHON_SCRIPT_FILE_NAME` names a decorator script: the app becomes a decorator app
        // (its modules read again for it), and back when the setting goes.
        let settings = |values: &str| {
            format!(
                r#"{{"IsEncrypted": false, "Values": {{"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": ""{values}}}}}"#
            )
        };
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("local.settings.json", &settings(""))
            .with_file(
                "main_app.py",
                "import azure.functions as func\napp = func.FunctionApp()\n\n@app.queue_trigger(arg_name=\"msg\", queue_name=\"q\", connection=\"AzureWebJobsStorage\")\ndef jobs(msg): pass\n",
            )
            .with_file("F/function.json", HTTP_JSON)
            .with_file("F/__init__.py", "def main(req): pass\n");
        let mut state = AppState::new(input);
        state.check_all();
        let names =
            |state: &AppState| -> Vec<String> { state.units().map(|u| u.name.clone()).collect() };
        assert_eq!(names(&state), ["F"]);
        for (values, expected) in [
            (r#", "PYTHON_SCRIPT_FILE_NAME": "main_app.py""#, "jobs"),
            ("", "F"),
        ] {
            state.set_file("local.settings.json", text(&settings(values)));
            assert_eq!(names(&state), [expected]);
            assert_eq!(state.uses_decorator_model(), expected == "jobs");
            assert_eq!(all(&mut state), from_check(state.input()), "{values}");
        }
    }

    #[test]
    fn the_index_of_settings_readers_finds_what_each_functions_reads_say() {
        // Every combination of observations over a few names (presence, value shape) and a
        // prefix, against every diff over a few names (with and without a change of the name
        // list and of Host.CORS).
        let names = ["A", "B", "Conn__x"];
        let mut readers = SettingsReaders::default();
        let mut functions = Vec::new();
        for bits in 0u32..128 {
            let mut reads = SettingsReads::default();
            for (i, name) in names.iter().enumerate() {
                if bits & (1 << i) != 0 {
                    reads.present.insert(name.to_string());
                }
                if bits & (1 << (i + 3)) != 0 {
                    reads.shapes.insert(name.to_string());
                }
            }
            if bits & 64 != 0 {
                reads.prefixes.insert("Conn__".into());
            }
            if bits % 7 == 3 {
                // The section of a connection named `Conn_`.
                reads.prefixes.insert("Conn___".into());
            }
            reads.all_names = bits % 3 == 0;
            reads.cors = bits % 5 == 0;
            let checked = rules::FunctionChecked {
                settings_rules: if bits == 127 { Vec::new() } else { vec![0] },
                settings_reads: reads,
                ..Default::default()
            };
            let name = format!("F{bits}");
            if let Some(reads) = SettingsReaders::reads_of(&checked) {
                readers.add(&name, reads);
            }
            functions.push((name, checked));
        }
        // One function stops reading: what it read before no longer finds it.
        let (gone, checked) = functions.remove(7);
        readers.remove(&gone, &checked.settings_reads);
        // The prefix lengths counted are those of the prefixes indexed.
        let lengths = |readers: &SettingsReaders| {
            let mut lengths: BTreeMap<usize, usize> = BTreeMap::new();
            for prefix in readers.by_prefix.keys() {
                *lengths.entry(prefix.len()).or_default() += 1;
            }
            lengths
        };
        assert_eq!(readers.prefix_lengths, lengths(&readers));
        assert_eq!(readers.prefix_lengths.len(), 2);
        let changed_names = ["A", "B", "Conn__x", "Conn__y__z", "Conn____w"];
        let pick = |bits: u32| -> BTreeSet<String> {
            changed_names
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, n)| n.to_string())
                .collect()
        };
        let mut affected_somewhere = 0;
        for presence in 0u32..32 {
            for shapes in [0u32, 1, 2, 4, 7, 31] {
                for (names_changed, cors) in [(false, false), (true, false), (false, true)] {
                    let diff = SettingsDiff {
                        presence: pick(presence),
                        shapes: pick(shapes),
                        names: names_changed,
                        cors,
                    };
                    let expected: BTreeSet<&str> = functions
                        .iter()
                        .filter(|(_, c)| {
                            !c.settings_rules.is_empty() && c.settings_reads.affected_by(&diff)
                        })
                        .map(|(n, _)| n.as_str())
                        .collect();
                    let found = readers.affected_by(&diff);
                    assert_eq!(found.len(), expected.len(), "each once: {diff:?}");
                    assert_eq!(
                        found.into_iter().collect::<BTreeSet<_>>(),
                        expected,
                        "{diff:?}"
                    );
                    affected_somewhere += expected.len();
                }
            }
        }
        assert!(affected_somewhere > 0);
        // Once no function lists a section, its length is no longer looked up.
        let mut without_sections = readers.clone();
        for (name, checked) in &functions {
            if checked.settings_reads.prefixes.contains("Conn___") {
                without_sections.remove(name, &checked.settings_reads);
            }
        }
        assert_eq!(without_sections.prefix_lengths, lengths(&without_sections));
        assert_eq!(without_sections.prefix_lengths.len(), 1);
        // A shape read is not a presence read, nor the other way round.
        let only_shape = SettingsDiff {
            shapes: pick(1),
            ..SettingsDiff::default()
        };
        let found: BTreeSet<&str> = readers.affected_by(&only_shape).into_iter().collect();
        assert!(found.contains("F8") && !found.contains("F1"));
        // A name in a section two levels down is found through each of its prefixes.
        assert_eq!(
            settings::section_prefixes("Conn__y__z").collect::<Vec<_>>(),
            ["Conn__", "Conn__y__"]
        );
        assert_eq!(
            settings::section_prefixes("Conn____w").collect::<Vec<_>>(),
            ["Conn__", "Conn___", "Conn____"]
        );
    }

    #[test]
    fn rules_across_functions_derive_again_only_the_edited_functions_facts() {
        // Routes (AZF403), connections (AZF306), `%…%` settings (AZF309) and durable names
        // (AZF801) across functions, each found once and then changed by an edit of one file.
        let route = |route: &str, methods: &str| {
            format!(
                r#"{{"bindings": [{{"type": "httpTrigger", "name": "req", "route": "{route}", "methods": [{methods}]}}, {{"type": "http", "direction": "out", "name": "$return"}}]}}"#
            )
        };
        let queue = |connection: &str, queue: &str| {
            format!(
                r#"{{"bindings": [{{"type": "queueTrigger", "name": "msg", "queueName": "{queue}", "connection": "{connection}"}}]}}"#
            )
        };
        let orchestrator = r#"{"bindings": [{"type": "orchestrationTrigger", "name": "context"}]}"#;
        let activity = r#"{"bindings": [{"type": "activityTrigger", "name": "name"}]}"#;
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file(
                "local.settings.json",
                r#"{"Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "x", "Queue": "q"}}"#,
            )
            .with_file("A/function.json", &route("orders/{id}", r#""get""#))
            .with_file("A/__init__.py", "def main(req): pass\n")
            .with_file("B/function.json", &route("Orders/{id}", r#""GET""#))
            .with_file("B/__init__.py", "def main(req): pass\n")
            .with_file("C/function.json", &queue("Missing", "%Queue%"))
            .with_file("C/__init__.py", "def main(msg): pass\n")
            .with_file("D/function.json", &queue("Missing", "%Unset%"))
            .with_file("D/__init__.py", "def main(msg): pass\n")
            .with_file("O/function.json", orchestrator)
            .with_file(
                "O/__init__.py",
                "import azure.durable_functions as df\n\ndef orchestrator_function(context):\n    yield context.call_activity('Act', 1)\n\nmain = df.Orchestrator.create(orchestrator_function)\n",
            )
            .with_file("Act/function.json", activity)
            .with_file("Act/__init__.py", "def main(name): return name\n");
        let mut state = AppState::new(input);
        state.check_all();
        assert_eq!(state.facts_derived, 6);
        let codes = |state: &mut AppState| -> BTreeSet<&'static str> {
            all(state).into_iter().map(|(_, _, code, _)| code).collect()
        };
        let found = codes(&mut state);
        for code in ["AZF306", "AZF309", "AZF403"] {
            assert!(found.contains(code), "{code} missing: {found:?}");
        }
        assert!(!found.contains("AZF801"), "{found:?}");
        assert_eq!(all(&mut state), from_check(state.input()));
        let edits = [
            ("B/function.json", route("orders/{id}", r#""post""#)),
            ("D/function.json", queue("Queue", "%Queue%")),
            ("C/function.json", queue("AzureWebJobsStorage", "plain")),
            ("Act/function.json", orchestrator.to_string()),
            ("Act/function.json", activity.to_string()),
            ("A/function.json", route("items", "")),
        ];
        let mut durable_name_wrong = false;
        for (path, content) in edits {
            let derived = state.facts_derived;
            state.set_file(path, text(&content));
            assert_eq!(state.facts_derived, derived + 1, "after {path}");
            assert_eq!(all(&mut state), from_check(state.input()), "after {path}");
            durable_name_wrong |= codes(&mut state).contains("AZF801");
        }
        // The edits took each rule's finding away; one made a durable name wrong for a while.
        assert!(durable_name_wrong);
        let found = codes(&mut state);
        for code in ["AZF306", "AZF309", "AZF403"] {
            assert!(!found.contains(code), "{code} left: {found:?}");
        }
        // The settings are not part of any function's facts.
        let derived = state.facts_derived;
        state.set_file(
            "local.settings.json",
            text(r#"{"Values": {"FUNCTIONS_WORKER_RUNTIME": "python"}}"#),
        );
        assert_eq!(state.facts_derived, derived);
        assert_eq!(all(&mut state), from_check(state.input()));
        // A new function folder lists the functions again: the others' facts move with them.
        state.set_file("E/function.json", text(&route("orders/{id}", r#""get""#)));
        assert_eq!(state.facts_derived, derived + 1);
        assert_eq!(all(&mut state), from_check(state.input()));
    }

    #[test]
    fn app_level_findings_across_thousands_of_files_are_answered_per_file() {
        // Every queue trigger without an extension bundle: an app-level finding in each
        // function.json. An edit of one function.json changes none of the others.
        let queue = r#"{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q", "connection": "AzureWebJobsStorage"}]}"#;
        let mut input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("requirements.txt", "azure-functions\n");
        for i in 0..50 {
            input = input
                .with_file(&format!("F{i}/function.json"), queue)
                .with_file(&format!("F{i}/__init__.py"), "def main(msg): pass\n");
        }
        let mut state = AppState::new(input);
        state.check_all();
        let in_json = |state: &AppState, f: &str| -> Vec<&'static str> {
            state
                .file_diagnostics(f, &Config::default())
                .iter()
                .map(|d| d.code.as_str())
                .collect()
        };
        assert!(!in_json(&state, "F7/function.json").is_empty());
        let edited = queue.replace("\"q\"", "\"qx\"");
        let changed = state.set_file("F3/function.json", text(&edited));
        assert!(
            changed.files.iter().all(|f| f.starts_with("F3/")),
            "{changed:?}"
        );
        assert_eq!(all(&mut state), from_check(state.input()));
        // The bundle added to host.json: every function.json changes.
        let changed = state.set_file(
            "host.json",
            text(r#"{"version": "2.0", "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}}"#),
        );
        assert!(changed.files.contains("F7/function.json"), "{changed:?}");
        assert!(in_json(&state, "F7/function.json").is_empty());
        assert_eq!(all(&mut state), from_check(state.input()));
    }
}
