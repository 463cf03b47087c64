//! The places of an app that name settings, by what they name: `connection` values and
//! `%Name%` expressions in the functions' bindings, environment reads in the modules.
//!
//! The references to a setting read only its own places here. A scan reads the bindings of every
//! function and the reads of every module instead: at 40,000 functions that data is spread over
//! hundreds of MB of heap, and the scan costs a cache miss or more per function however few
//! places it finds. The index is built on first use and then kept by the state, unit by unit and
//! module by module ([`SettingPlaces::unit_changed`], [`SettingPlaces::module_changed`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use super::app::AppInput;
use super::edits::plain_string_content;
use super::function::{FunctionUnit, Modules};
use super::python::PyModule;
use super::settings::{setting_expressions, CONNECTION_KEYS};
use super::text::{LineIndex, RangeLines, TextRange};

/// One string in a binding that names a setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingPlace {
    /// The unit's declaration file.
    pub file: String,
    /// The name's range when the string is written without escapes; else the whole string's.
    pub range: TextRange,
    /// For a string with escapes, what comes before and after the name in its value: a rename
    /// writes the whole string again.
    pub around: Option<(String, String)>,
    /// The range's lines and columns, when the index made the place: a references answer then
    /// gives its position without the file's text.
    pub lines: Option<RangeLines>,
}

/// The place of `value[span]` in the string literal at `range` of `file`; `None` when `range`
/// holds no string literal (a decorator may imply a value instead).
pub(crate) fn place(
    file: &str,
    text: &str,
    range: TextRange,
    value: &str,
    span: std::ops::Range<usize>,
) -> Option<SettingPlace> {
    let raw = text.get(range.as_usize())?;
    if !(raw.starts_with('"') || raw.starts_with('\'')) {
        return None;
    }
    Some(match plain_string_content(text, range, value) {
        Some(inner) => SettingPlace {
            file: file.to_string(),
            range: TextRange::new(
                inner.start as usize + span.start,
                inner.start as usize + span.end,
            ),
            around: None,
            lines: None,
        },
        None => SettingPlace {
            file: file.to_string(),
            range,
            around: Some((
                value.get(..span.start).unwrap_or("").to_string(),
                value.get(span.end..).unwrap_or("").to_string(),
            )),
            lines: None,
        },
    })
}

/// Every place in `unit`'s bindings that names a setting, in order: each `connection` value
/// that may name one (the key given is the value as written), and each `%Name%` in another
/// value (the key given is the name), with what makes the place: `None` when the value is no
/// string literal. `text` gives the text of the unit's declaration file, asked for when a place
/// is made (a scan for one setting makes only its own).
pub fn function_setting_places<'t>(
    unit: &FunctionUnit,
    text: &mut impl FnMut() -> &'t str,
    mut visit: impl FnMut(PlaceKind, &str, &mut dyn FnMut() -> Option<SettingPlace>),
) {
    let file = unit.declaration_file();
    for b in unit.bindings() {
        for m in &b.members {
            let Some(v) = m.value.as_ref() else { continue };
            let Some(s) = v.as_str() else { continue };
            if CONNECTION_KEYS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&m.key))
            {
                // Empty, or with a `%`, it names no setting.
                let trimmed = s.trim();
                if trimmed.is_empty() || s.contains('%') {
                    continue;
                }
                let lead = s.len() - s.trim_start().len();
                let span = lead..lead + trimmed.len();
                visit(PlaceKind::Connection, s, &mut || {
                    place(file, text(), v.range, s, span.clone())
                });
                continue;
            }
            if !s.contains('%') {
                continue;
            }
            for (name, span) in setting_expressions(s) {
                let span = span.start + 1..span.end - 1;
                visit(PlaceKind::Expression, &name, &mut || {
                    place(file, text(), v.range, s, span.clone())
                });
            }
        }
    }
}

/// What a place in a binding names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    /// A `connection` (or `connectionStringSetting`) value; its key is the value as written.
    Connection,
    /// A `%Name%` inside another value; its key is the name.
    Expression,
}

/// Places by key, then by the unit or module they are in.
type ByKey<T> = HashMap<String, BTreeMap<String, Vec<T>>>;

/// The index; see the module documentation.
#[derive(Debug, Clone, Default)]
pub struct SettingPlaces {
    connections: ByKey<SettingPlace>,
    expressions: ByKey<SettingPlace>,
    /// Environment read name → module path → the ranges of the name's string content, with
    /// their lines.
    env_reads: ByKey<(TextRange, Option<RangeLines>)>,
    /// The keys each unit is listed under (connection values, expression names), to unlist it.
    unit_keys: HashMap<String, (Vec<String>, Vec<String>)>,
    /// The names each module is listed under.
    module_names: HashMap<String, Vec<String>>,
}

impl SettingPlaces {
    /// The index of the units (by key) and modules of an app.
    pub fn build(
        input: &AppInput,
        units: &BTreeMap<String, Arc<FunctionUnit>>,
        modules: &Modules,
    ) -> SettingPlaces {
        use rayon::prelude::*;
        // Finding the places and working out their lines (a line index per file) is most of
        // the work: done in parallel, then listed in order.
        let units: Vec<_> = units.iter().collect();
        // One line index per declaration file, made by the first of its units that has a
        // place: the functions of a decorator module all declare in it, and an index per
        // function made the index grow with the square of the module.
        let indexes: HashMap<&str, OnceLock<LineIndex>> = units
            .iter()
            .map(|(_, unit)| (unit.declaration_file(), OnceLock::new()))
            .collect();
        let unit_places: Vec<_> = units
            .par_iter()
            .map(|(_, unit)| {
                places_of_unit(unit, |file| {
                    let text = input.text(file)?;
                    let index = indexes.get(file)?.get_or_init(|| index_of(text));
                    Some((text, index))
                })
            })
            .collect();
        let modules: Vec<_> = modules.iter().collect();
        let module_reads: Vec<_> = modules
            .par_iter()
            .map(|(path, module)| reads_of_module(module, input.text(path)))
            .collect();
        let mut places = SettingPlaces::default();
        for ((key, _), found) in units.into_iter().zip(unit_places) {
            places.list_unit(key, found);
        }
        for ((path, _), reads) in modules.into_iter().zip(module_reads) {
            places.list_module(path, reads);
        }
        places
    }

    /// After the unit under `key` changed, appeared (`unit` is it) or vanished (`None`).
    pub fn unit_changed(&mut self, key: &str, unit: Option<&FunctionUnit>, input: &AppInput) {
        self.remove_unit(key);
        if let Some(unit) = unit {
            let index = std::cell::OnceCell::new();
            let found = places_of_unit(unit, |file| {
                let text = input.text(file)?;
                Some((text, index.get_or_init(|| index_of(text))))
            });
            self.list_unit(key, found);
        }
    }

    /// After the module at `path` changed, appeared (`module` is it, read from `text`) or
    /// vanished (`None`).
    pub fn module_changed(&mut self, path: &str, module: Option<&PyModule>, text: Option<&str>) {
        if let Some(names) = self.module_names.remove(path) {
            for name in names {
                unlist(&mut self.env_reads, &name, path);
            }
        }
        if let Some(module) = module {
            self.list_module(path, reads_of_module(module, text));
        }
    }

    /// The connection values as written, each with its places.
    pub fn connection_values(
        &self,
    ) -> impl Iterator<Item = (&str, impl Iterator<Item = &SettingPlace>)> {
        self.connections
            .iter()
            .map(|(value, by_unit)| (value.as_str(), by_unit.values().flatten()))
    }

    /// The places of the `%name%` expressions.
    pub fn expressions(&self, name: &str) -> impl Iterator<Item = &SettingPlace> {
        self.expressions
            .get(name)
            .into_iter()
            .flat_map(|by_unit| by_unit.values().flatten())
    }

    /// The environment reads whose name `matches` accepts: (name, module path, range, lines).
    pub fn env_reads<'s>(
        &'s self,
        mut matches: impl FnMut(&str) -> bool + 's,
    ) -> impl Iterator<Item = (&'s str, &'s str, TextRange, Option<RangeLines>)> {
        self.env_reads
            .iter()
            .filter(move |(name, _)| matches(name))
            .flat_map(|(name, by_module)| {
                by_module.iter().flat_map(move |(path, ranges)| {
                    ranges
                        .iter()
                        .map(move |(r, lines)| (name.as_str(), path.as_str(), *r, *lines))
                })
            })
    }

    /// The environment reads of exactly `name`, by module path, with their lines.
    pub fn env_reads_of(
        &self,
        name: &str,
    ) -> impl Iterator<Item = (&str, TextRange, Option<RangeLines>)> {
        self.env_reads.get(name).into_iter().flat_map(|by_module| {
            by_module.iter().flat_map(|(path, ranges)| {
                ranges
                    .iter()
                    .map(move |(r, lines)| (path.as_str(), *r, *lines))
            })
        })
    }

    /// Lists the places of the unit under `key`, in order.
    fn list_unit(&mut self, key: &str, found: Vec<(PlaceKind, String, SettingPlace)>) {
        let mut listed = (Vec::new(), Vec::new());
        for (kind, key_of_place, place) in found {
            let (map, keys) = match kind {
                PlaceKind::Connection => (&mut self.connections, &mut listed.0),
                PlaceKind::Expression => (&mut self.expressions, &mut listed.1),
            };
            let first = !map
                .get(&key_of_place)
                .is_some_and(|by_unit| by_unit.contains_key(key));
            if first {
                keys.push(key_of_place.clone());
            }
            map.entry(key_of_place)
                .or_default()
                .entry(key.to_string())
                .or_default()
                .push(place);
        }
        if !listed.0.is_empty() || !listed.1.is_empty() {
            self.unit_keys.insert(key.to_string(), listed);
        }
    }

    fn remove_unit(&mut self, key: &str) {
        if let Some((connections, expressions)) = self.unit_keys.remove(key) {
            for value in connections {
                unlist(&mut self.connections, &value, key);
            }
            for name in expressions {
                unlist(&mut self.expressions, &name, key);
            }
        }
    }

    /// Lists the environment reads of the module at `path`, in order.
    fn list_module(&mut self, path: &str, reads: Vec<(String, TextRange, Option<RangeLines>)>) {
        let mut names = Vec::new();
        for (name, range, lines) in reads {
            let ranges = self
                .env_reads
                .entry(name.clone())
                .or_default()
                .entry(path.to_string())
                .or_default();
            if ranges.is_empty() {
                names.push(name);
            }
            ranges.push((range, lines));
        }
        if !names.is_empty() {
            self.module_names.insert(path.to_string(), names);
        }
    }
}

/// The places in `unit`'s bindings, each with what it names and its lines. `lines_of` gives
/// the text of the unit's declaration file and its line index; it is asked at the first place
/// (most functions have none).
fn places_of_unit<'t>(
    unit: &FunctionUnit,
    lines_of: impl FnOnce(&str) -> Option<(&'t str, &'t LineIndex)>,
) -> Vec<(PlaceKind, String, SettingPlace)> {
    let mut found = Vec::new();
    let mut lines_of = Some(lines_of);
    let looked_up: std::cell::OnceCell<Option<(&str, &LineIndex)>> = std::cell::OnceCell::new();
    let mut text = || {
        looked_up
            .get_or_init(|| lines_of.take().and_then(|f| f(unit.declaration_file())))
            .map_or("", |(text, _)| text)
    };
    // The places' lines are worked out here, where the text is at hand (an edit of the file
    // lists its unit again).
    function_setting_places(unit, &mut text, |kind, key_of_place, make| {
        let Some(mut place) = make() else { return };
        if let Some(Some((text, index))) = looked_up.get() {
            place.lines = Some(RangeLines::of(index, text, place.range));
        }
        found.push((kind, key_of_place.to_string(), place));
    });
    found
}

/// The line index of a declaration file's text.
fn index_of(text: &str) -> LineIndex {
    #[cfg(test)]
    LINE_INDEXES_MADE.with(|made| made.set(made.get() + 1));
    LineIndex::new(text)
}

#[cfg(test)]
thread_local! {
    /// Line indexes [`index_of`] made on this thread.
    static LINE_INDEXES_MADE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The environment reads of `module`: name, range of its string content, and its lines when the
/// module's `text` is at hand.
fn reads_of_module(
    module: &PyModule,
    text: Option<&str>,
) -> Vec<(String, TextRange, Option<RangeLines>)> {
    let mut index: Option<LineIndex> = None;
    module
        .env_reads
        .iter()
        .map(|read| {
            let lines = text.map(|text| {
                let index = index.get_or_insert_with(|| LineIndex::new(text));
                RangeLines::of(index, text, read.range)
            });
            (read.name.clone(), read.range, lines)
        })
        .collect()
}

/// Removes what `holder` has under `key`, and the key when nothing else has it.
fn unlist<T>(map: &mut ByKey<T>, key: &str, holder: &str) {
    if let Some(by_holder) = map.get_mut(key) {
        by_holder.remove(holder);
        if by_holder.is_empty() {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::analysis::app::{AppInput, FileContent};
    use crate::analysis::ide::refs::{
        setting_occurrences, setting_occurrences_unordered, Occurrence, SettingSubject,
    };
    use crate::analysis::state::AppState;
    use crate::analysis::text::{LineIndex, RangeLines};

    fn text(t: &str) -> FileContent {
        FileContent::Text(Arc::from(t))
    }

    fn queue(connection: &str, queue: &str) -> String {
        format!(
            r#"{{"bindings": [{{"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": {queue}, "connection": {connection}}}]}}"#
        )
    }

    const SETTINGS: &str = r#"{"Values": {"AzureWebJobsStorage": "UseDevelopmentStorage=true", "Other": "x", "Ident__serviceUri": "https://x", "Ident__clientId": "y", "Queue": "q"}}"#;

    fn subjects() -> Vec<SettingSubject> {
        let plain = |name: &str| SettingSubject {
            name: name.to_string(),
            section: false,
        };
        vec![
            plain("AzureWebJobsStorage"),
            plain("Other"),
            plain("Queue"),
            plain("Missing"),
            SettingSubject {
                name: "Ident".to_string(),
                section: true,
            },
        ]
    }

    fn sorted(mut places: Vec<Occurrence>) -> Vec<String> {
        places.sort_by(|a, b| (&a.file, a.range.start).cmp(&(&b.file, b.range.start)));
        places
            .iter()
            .map(|o| format!("{} {:?} {:?} {}", o.file, o.range, o.rewrite, o.declaration))
            .collect()
    }

    /// The index's answer for every subject against the scan's, and against a state built from
    /// scratch on the same files; returns the places of each subject.
    fn agree(state: &AppState) -> Vec<Vec<String>> {
        let fresh = AppState::new(state.input().clone());
        subjects()
            .iter()
            .map(|subject| {
                let found = setting_occurrences_unordered(state, subject);
                // Lines known without the text are those of the text as it is now.
                for o in &found {
                    if let Some(lines) = o.lines {
                        let text = state.input().text(&o.file).unwrap();
                        let index = LineIndex::new(text);
                        assert_eq!(lines, RangeLines::of(&index, text, o.range), "{o:?}");
                    }
                }
                let indexed = sorted(found);
                assert_eq!(
                    indexed,
                    sorted(setting_occurrences(state, subject)),
                    "{subject:?}"
                );
                assert_eq!(
                    indexed,
                    sorted(setting_occurrences_unordered(&fresh, subject)),
                    "{subject:?}"
                );
                indexed
            })
            .collect()
    }

    fn files(places: &[String]) -> Vec<&str> {
        places
            .iter()
            .map(|p| p.split(' ').next().unwrap())
            .collect()
    }

    #[test]
    fn the_index_answers_as_the_scan_across_edits() {
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("local.settings.json", SETTINGS)
            // The full name, the short one the host prefixes, one with blanks and an escape.
            .with_file("A/function.json", &queue(r#""AzureWebJobsStorage""#, r#""%Queue%""#))
            .with_file("B/function.json", &queue(r#""Storage""#, r#""items""#))
            .with_file("C/function.json", &queue(r#"" Other \u0020""#, r#""a-%Queue%-b""#))
            .with_file("D/function.json", &queue(r#""Ident""#, r#""%Other%""#))
            .with_file(
                "A/__init__.py",
                "import os\nS = os.environ[\"AzureWebJobsStorage\"]\nI = os.getenv(\"Ident__clientId\")\n",
            )
            .with_file("lib/util.py", "import os\nQ = os.environ.get(\"Queue\")\n");
        let mut state = AppState::new(input);
        let before = agree(&state);
        let [storage, other, queue_name, missing, ident] = before.as_slice() else {
            unreachable!()
        };
        assert_eq!(
            files(storage),
            [
                "A/__init__.py",
                "A/function.json",
                "B/function.json",
                "local.settings.json"
            ]
        );
        // `Storage` is the short form of the setting's name.
        assert!(storage.iter().any(|p| p.contains("ShortConnection")));
        assert_eq!(
            files(other),
            ["C/function.json", "D/function.json", "local.settings.json"]
        );
        // The escaped value is rewritten as a whole string.
        assert!(other[0].contains("JsonString"));
        assert_eq!(
            files(queue_name),
            [
                "A/function.json",
                "C/function.json",
                "lib/util.py",
                "local.settings.json"
            ]
        );
        assert!(missing.is_empty());
        assert_eq!(
            files(ident),
            [
                "A/__init__.py",
                "D/function.json",
                "local.settings.json",
                "local.settings.json"
            ]
        );

        // A new function, one gone, a connection and an expression changed, a module read
        // added and one removed.
        state.set_file(
            "E/function.json",
            text(&queue(r#""Other""#, r#""%Missing%""#)),
        );
        state.remove_file("B/function.json");
        state.set_file("C/function.json", text(&queue(r#""Queue""#, r#""items""#)));
        state.set_file(
            "A/__init__.py",
            text("import os\nS = os.environ[\"Other\"]\nT = os.getenv(\"Missing\")\n"),
        );
        state.remove_file("lib/util.py");
        state.set_file(
            "lib/more.py",
            text("import os\nI = os.getenv(\"Ident__x\")\n"),
        );
        let after = agree(&state);
        assert_eq!(files(&after[0]), ["A/function.json", "local.settings.json"]);
        assert_eq!(
            files(&after[1]),
            [
                "A/__init__.py",
                "D/function.json",
                "E/function.json",
                "local.settings.json"
            ]
        );
        assert_eq!(files(&after[3]), ["A/__init__.py", "E/function.json"]);
        assert_eq!(
            files(&after[4]),
            [
                "D/function.json",
                "lib/more.py",
                "local.settings.json",
                "local.settings.json"
            ]
        );

        // The settings edited: `Storage` no longer resolves to the setting, which is gone.
        state.set_file("local.settings.json", text(r#"{"Values": {"Other": "x"}}"#));
        let edited = agree(&state);
        assert_eq!(files(&edited[0]), ["A/function.json"]);
        // A function becomes a decorator app's: every unit and module is derived again.
        state.set_file(
            "function_app.py",
            text("import azure.functions as func\napp = func.FunctionApp()\n\n@app.queue_trigger(arg_name=\"m\", queue_name=\"%Other%\", connection=\"Other\")\ndef f(m):\n    pass\n"),
        );
        let v2 = agree(&state);
        assert!(files(&v2[1]).contains(&"function_app.py"));
    }

    #[test]
    fn the_functions_of_one_module_share_its_line_index() {
        // A decorator module of many functions: an index per function grew with the square of
        // the module (8,000 functions: half a second at start-up).
        let mut py = String::from("import azure.functions as func\napp = func.FunctionApp()\n");
        for i in 0..40 {
            py.push_str(&format!(
                "\n@app.queue_trigger(arg_name=\"m\", queue_name=\"%Queue%\", connection=\"Conn{i}\")\ndef f{i}(m):\n    pass\n"
            ));
        }
        let mut input = AppInput::new(".");
        input.files.insert("function_app.py".into(), text(&py));
        input
            .files
            .insert("local.settings.json".into(), text(SETTINGS));
        // One thread, so that the count of this thread is the build's.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let (made, connections, state) = pool.install(|| {
            super::LINE_INDEXES_MADE.with(|made| made.set(0));
            let state = AppState::new(input);
            let connections = state.setting_places().connection_values().count();
            (
                super::LINE_INDEXES_MADE.with(|made| made.get()),
                connections,
                state,
            )
        });
        assert_eq!(connections, 40);
        assert_eq!(made, 1);
        // Each place has the lines of its own text.
        let queue = &agree(&state)[2];
        let in_module = files(queue)
            .into_iter()
            .filter(|f| *f == "function_app.py")
            .count();
        assert_eq!(in_module, 40, "{queue:?}");
    }

    #[test]
    fn places_after_non_ascii_text_keep_their_byte_offsets() {
        let json = r#"{"description": "é日本🙂", "bindings": [{"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "q", "connection": "Other"}]}"#;
        let input = AppInput::new("app")
            .with_file("local.settings.json", SETTINGS)
            .with_file("F/function.json", json);
        let mut state = AppState::new(input);
        let subject = &subjects()[1];
        let at = json.find("\"Other\"").unwrap() + 1;
        let places = setting_occurrences_unordered(&state, subject);
        let in_function: Vec<_> = places
            .iter()
            .filter(|o| o.file != "local.settings.json")
            .collect();
        assert_eq!(in_function.len(), 1);
        assert_eq!(in_function[0].range.start as usize, at);
        assert_eq!(&json[in_function[0].range.as_usize()], "Other");
        // Text inserted before it moves it.
        let edited = json.replace("é日本🙂", "é日本🙂🙂");
        state.set_file("F/function.json", text(&edited));
        let places = setting_occurrences_unordered(&state, subject);
        let moved = places.iter().find(|o| o.file == "F/function.json").unwrap();
        assert_eq!(&edited[moved.range.as_usize()], "Other");
        assert_eq!(moved.range.start as usize, at + "🙂".len());
    }
}
