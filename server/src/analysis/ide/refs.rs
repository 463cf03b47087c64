//! What a cursor is on (a binding, an app setting, `scriptFile`, `entryPoint`) and every place in
//! the app that refers to the same thing, with how to rewrite each place for a rename.

use std::collections::HashMap;

use crate::analysis::diagnostic::FileEdit;
use crate::analysis::edits::{json_quote, plain_string_content};
use crate::analysis::entry;
use crate::analysis::entry::{script_is, EntryDef};
use crate::analysis::function::{FunctionUnit, Script};
use crate::analysis::function_json::{Binding, Spanned};
use crate::analysis::ide::FilesInOrder;
use crate::analysis::json;
use crate::analysis::python::{Binding as PyBinding, NameKind};
use crate::analysis::python_scopes;
use crate::analysis::setting_places::{function_setting_places, PlaceKind, SettingPlace};
use crate::analysis::settings::{
    self, setting_expressions, LocalSettings, Resolution, CONNECTION_KEYS, LOCAL_SETTINGS,
};
use crate::analysis::state::AppState;
use crate::analysis::text::{RangeLines, TextRange};

/// The entry function of `unit` (see [`entry::entry_def`]).
pub(crate) fn entry_def<'s>(state: &'s AppState, unit: &'s FunctionUnit) -> Option<EntryDef<'s>> {
    entry::entry_def(state.input(), state.modules(), unit)
}

/// The definition the entry point names in its script: the `def` or `class` name.
pub(crate) fn entry_point_definition(
    state: &AppState,
    unit: &FunctionUnit,
) -> Option<(String, TextRange, TextRange)> {
    let Script::Found { path, .. } = &unit.script else {
        return None;
    };
    if unit.decorated().is_some() {
        // The `def` under the decorators, whatever else the module binds to its name.
        let def = entry_def(state, unit)?;
        let f = def.function;
        return Some((path.clone(), f.range, f.name_range));
    }
    let module = state.modules().get(path)?;
    let PyBinding::Def(def) = module.final_binding(unit.entry_name()) else {
        return None;
    };
    match def.kind {
        NameKind::Function(i) => {
            let f = module.functions.get(i)?;
            Some((path.clone(), f.range, f.name_range))
        }
        NameKind::Class(i) => {
            let c = module.classes.get(i)?;
            Some((path.clone(), c.name_range, c.name_range))
        }
        _ => None,
    }
}

/// A binding, seen from every function that shares its entry function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BindingSubject {
    pub name: String,
    /// The functions whose function.json declares the binding (several when functions share a
    /// script and entry point).
    pub units: Vec<String>,
}

/// An app setting: one key, or the prefix of an identity-based `<prefix>__…` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SettingSubject {
    pub name: String,
    pub section: bool,
}

/// What a navigation request is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Subject {
    Binding(BindingSubject),
    Setting(SettingSubject),
    ScriptFile {
        unit: String,
    },
    EntryPoint {
        unit: String,
    },
    /// A decorated function's name as `function_name(name=…)` writes it.
    Function {
        name: String,
    },
}

/// What the cursor is on, and the range of the token it touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    pub subject: Subject,
    pub range: TextRange,
    /// The token's text (the placeholder of a rename).
    pub text: String,
}

/// How one place is rewritten when the subject gets a new name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rewrite {
    /// The range holds exactly the name.
    Name,
    /// The range holds the name without the `AzureWebJobs` prefix that the host adds when it
    /// resolves a `connection`.
    ShortConnection,
    /// The range is a whole JSON string (quotes included) whose value is `before` + name +
    /// `after`; it is written again, escaped.
    JsonString { before: String, after: String },
    /// The name is the default of a decorator parameter (`route()` names its request `req`):
    /// the range is the decorator, and the rename writes `keyword="name"` into its call at `at`
    /// (`separator` goes before it when the call has arguments).
    DecoratorKeyword {
        at: usize,
        separator: &'static str,
        keyword: &'static str,
    },
}

/// One place that names a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Occurrence {
    pub file: String,
    pub range: TextRange,
    pub rewrite: Rewrite,
    /// The place defines the subject (the binding in function.json, the key in
    /// local.settings.json).
    pub declaration: bool,
    /// The range's lines and columns when known without the text (see [`SettingPlace::lines`]).
    pub lines: Option<RangeLines>,
}

impl Occurrence {
    /// The edit that gives this place the new name.
    pub fn edit(&self, new_name: &str) -> FileEdit {
        let (range, new_text) = match &self.rewrite {
            Rewrite::Name => (self.range, new_name.to_string()),
            Rewrite::ShortConnection => (
                self.range,
                new_name
                    .strip_prefix("AzureWebJobs")
                    .filter(|s| !s.is_empty())
                    .unwrap_or(new_name)
                    .to_string(),
            ),
            Rewrite::JsonString { before, after } => (
                self.range,
                json_quote(&format!("{before}{new_name}{after}")),
            ),
            Rewrite::DecoratorKeyword {
                at,
                separator,
                keyword,
            } => (
                TextRange::empty(*at),
                format!("{separator}{keyword}={}", json_quote(new_name)),
            ),
        };
        FileEdit {
            file: self.file.clone(),
            range,
            new_text,
        }
    }
}

/// An occurrence for a whole JSON string whose value is `value`, the subject being
/// `value[span]`.
fn json_occurrence(
    file: &str,
    text: &str,
    range: TextRange,
    value: &str,
    span: std::ops::Range<usize>,
    declaration: bool,
) -> Option<Occurrence> {
    // Only a string literal can be rewritten (a v2 decorator may imply a name instead).
    let place = crate::analysis::setting_places::place(file, text, range, value, span)?;
    Some(Occurrence {
        declaration,
        ..binding_occurrence(&place)
    })
}

/// The units that share `unit`'s entry function (itself included), in host order.
fn sharing_units<'s>(state: &'s AppState, unit: &'s FunctionUnit) -> Vec<&'s FunctionUnit> {
    let Some(def) = entry_def(state, unit) else {
        return vec![unit];
    };
    // The fixes of every finding ask: answered from the state's index of units by the
    // function they run, unless `unit` has a namesake.
    match state.entry_sharers(unit, &def) {
        Some(sharing) if sharing.len() > 1 => sharing,
        Some(_) => vec![unit],
        None => sharing_units_by_scan(state, unit, &def),
    }
}

/// Whether `u` shares `unit`'s entry function `def`: `unit`'s name, or the same function.
fn shares_entry(
    state: &AppState,
    unit: &FunctionUnit,
    def: &EntryDef<'_>,
    u: &FunctionUnit,
) -> bool {
    u.name == unit.name
        || script_is(u, def.script)
            && entry_def(state, u).is_some_and(|d| {
                d.script == def.script && d.function.name_range == def.function.name_range
            })
}

/// [`sharing_units`] by a scan of every unit: when `unit` has a namesake or is not the state's.
fn sharing_units_by_scan<'s>(
    state: &'s AppState,
    unit: &'s FunctionUnit,
    def: &EntryDef<'_>,
) -> Vec<&'s FunctionUnit> {
    let shares = |u: &FunctionUnit| shares_entry(state, unit, def, u);
    let found = state
        .units_unordered()
        .filter(|u| script_is(u, def.script) && u.name != unit.name && shares(u))
        .count();
    if found == 0 {
        return vec![unit];
    }
    state.units().filter(|u| shares(u)).collect()
}

/// The binding `name` of `unit`, with the functions that share it.
pub(crate) fn binding_subject(state: &AppState, unit: &FunctionUnit, name: &str) -> BindingSubject {
    let units = sharing_units(state, unit)
        .into_iter()
        .filter(|u| u.bindings().iter().any(|b| b.name_str() == Some(name)))
        .map(|u| u.name.clone())
        .collect();
    BindingSubject {
        name: name.to_string(),
        units,
    }
}

/// Every place that names a binding: its `name` in each function.json, then the parameter and
/// its uses in the entry function.
pub(crate) fn binding_occurrences(state: &AppState, subject: &BindingSubject) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let mut python_done = false;
    for unit_name in &subject.units {
        let Some(unit) = state.unit(unit_name) else {
            continue;
        };
        let text = state.input().text(unit.declaration_file()).unwrap_or("");
        for b in unit.bindings() {
            if let Some(n) = b.name.as_ref().filter(|n| n.value == subject.name) {
                out.extend(
                    spanned_occurrence(unit.declaration_file(), text, n, true)
                        .or_else(|| implied_name_occurrence(unit, b)),
                );
            }
        }
        if python_done {
            continue;
        }
        let Some(def) = entry_def(state, unit) else {
            continue;
        };
        if def.param(&subject.name).is_none() {
            continue;
        }
        python_done = true;
        // The function's own text when it parses alone: a module of thousands of functions is
        // not parsed for one of them.
        let uses = python_scopes::Syntax::of_function(def.text, def.function)
            .and_then(|s| s.parameter_uses(def.function.name_range, &subject.name))
            .unwrap_or_default();
        for range in uses {
            out.push(Occurrence {
                file: def.script.to_string(),
                range,
                rewrite: Rewrite::Name,
                declaration: false,
                lines: None,
            });
        }
    }
    out
}

/// The place of a decorated function's binding whose name is the default of its decorator's
/// name parameter (`req` of `route()`): a rename writes the keyword into the call.
fn implied_name_occurrence(unit: &FunctionUnit, b: &Binding) -> Option<Occurrence> {
    let v2 = unit.decorated()?;
    let origin = v2.origin(unit.bindings(), b)?;
    if origin.name_given {
        return None;
    }
    let decorator = v2.decorators.get(origin.decorator)?;
    let call = decorator.call.as_ref()?;
    let (at, separator) = match call.args.last() {
        Some(last) => (last.range.end as usize, ", "),
        None => (call.args_range.start as usize + 1, ""),
    };
    Some(Occurrence {
        file: decorator.file.to_string(),
        range: decorator.method_range,
        rewrite: Rewrite::DecoratorKeyword {
            at,
            separator,
            keyword: origin.name_param,
        },
        declaration: true,
        lines: None,
    })
}

/// Whether a rename can rewrite binding `b`'s name: a string literal, or the default of a
/// decorator parameter that the rename can write.
pub(crate) fn binding_name_editable(unit: &FunctionUnit, text: &str, b: &Binding) -> bool {
    let Some(n) = b.name.as_ref() else {
        return false;
    };
    text.get(n.range.as_usize())
        .is_some_and(|raw| raw.starts_with('"') || raw.starts_with('\''))
        || implied_name_occurrence(unit, b).is_some()
}

fn spanned_occurrence(
    file: &str,
    text: &str,
    s: &Spanned,
    declaration: bool,
) -> Option<Occurrence> {
    json_occurrence(file, text, s.range, &s.value, 0..s.value.len(), declaration)
}

/// What a `connection` value refers to.
fn connection_subject(settings: Option<&LocalSettings>, value: &str) -> Option<SettingSubject> {
    let value = value.trim();
    if value.is_empty() || value.contains('%') {
        return None;
    }
    let resolved = settings.map(|s| s.resolve_connection(value));
    Some(match resolved {
        Some(Resolution::Setting(s)) | Some(Resolution::ConnectionString(s)) => SettingSubject {
            name: s.name.clone(),
            section: false,
        },
        Some(Resolution::Section { prefix, .. }) => SettingSubject {
            name: prefix,
            section: true,
        },
        _ => SettingSubject {
            name: value.to_string(),
            section: false,
        },
    })
}

/// Every place that names a setting: its key(s) in local.settings.json, every `connection`
/// that resolves to it, every `%Name%` in a binding, every environment read in the app's modules
/// (by file), the functions in host order.
pub(crate) fn setting_occurrences(state: &AppState, subject: &SettingSubject) -> Vec<Occurrence> {
    let settings = state.local_settings();
    let mut out = setting_keys(state, settings, subject);
    // Thousands of bindings name the same few connections: each value is resolved once.
    let mut names_subject: HashMap<String, bool> = HashMap::new();
    let mut files = FilesInOrder::new(state.input());
    for unit in state.units() {
        let mut text: Option<&str> = None;
        let mut text =
            || *text.get_or_insert_with(|| files.text(unit.declaration_file()).unwrap_or(""));
        // The text is looked up for the subject's places only.
        function_setting_places(unit, &mut text, |kind, key, make| match kind {
            PlaceKind::Connection => {
                // Looked up before inserting: a key is allocated once per distinct value.
                let named = match names_subject.get(key) {
                    Some(&named) => named,
                    None => {
                        let named = connection_subject(settings, key).as_ref() == Some(subject);
                        names_subject.insert(key.to_string(), named);
                        named
                    }
                };
                if named {
                    out.extend(make().map(|p| connection_occurrence(subject, key, &p)));
                }
            }
            PlaceKind::Expression => {
                if !subject.section && key == subject.name {
                    out.extend(make().map(|p| binding_occurrence(&p)));
                }
            }
        });
    }
    // Only the reads found are put in order by file (a stable sort keeps each file's reads in
    // their order): sorting every file name of a large app would cost more than the scan.
    let mut reads = Vec::new();
    for (file, module) in state.modules().iter() {
        for read in &module.env_reads {
            reads.extend(env_read_occurrence(
                subject, &read.name, file, read.range, None,
            ));
        }
    }
    reads.sort_by(|a, b| a.file.cmp(&b.file));
    out.extend(reads);
    out
}

/// [`setting_occurrences`] in no particular order, for callers that sort the places: from the
/// state's index of the places that name settings, which reads only the subject's own places.
pub(crate) fn setting_occurrences_unordered(
    state: &AppState,
    subject: &SettingSubject,
) -> Vec<Occurrence> {
    let settings = settings::local_settings(state.input());
    let settings = settings.as_ref();
    let mut out = setting_keys(state, settings, subject);
    let places = state.setting_places();
    for (value, found) in places.connection_values() {
        if connection_subject(settings, value).as_ref() == Some(subject) {
            out.extend(found.map(|p| connection_occurrence(subject, value, p)));
        }
    }
    if subject.section {
        let prefix = format!("{}__", subject.name);
        let reads = places.env_reads(|name| name.starts_with(&prefix));
        out.extend(reads.filter_map(|(name, file, range, lines)| {
            env_read_occurrence(subject, name, file, range, lines)
        }));
    } else {
        out.extend(places.expressions(&subject.name).map(binding_occurrence));
        out.extend(
            places
                .env_reads_of(&subject.name)
                .filter_map(|(file, range, lines)| {
                    env_read_occurrence(subject, &subject.name, file, range, lines)
                }),
        );
    }
    out
}

/// What of setting `key` a place names that is not the subject itself: `Some("")` for the
/// subject's key, `Some("__rest")` for a key of the subject's section, `None` for another.
fn key_rest(subject: &SettingSubject, key: &str) -> Option<String> {
    if subject.section {
        key.strip_prefix(subject.name.as_str())
            .and_then(|r| r.strip_prefix("__"))
            .map(|r| format!("__{r}"))
    } else {
        (key == subject.name).then(String::new)
    }
}

/// The subject's key(s) in local.settings.json.
fn setting_keys(
    state: &AppState,
    settings: Option<&LocalSettings>,
    subject: &SettingSubject,
) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let (Some(text), Some(s)) = (state.input().text(LOCAL_SETTINGS), settings) else {
        return out;
    };
    for setting in s.values.iter().chain(&s.connection_strings) {
        let Some(rest) = key_rest(subject, &setting.name) else {
            continue;
        };
        let span = 0..setting.name.len() - rest.len();
        out.extend(json_occurrence(
            LOCAL_SETTINGS,
            text,
            setting.name_range,
            &setting.name,
            span,
            true,
        ));
    }
    out
}

/// The occurrence of a place in a binding (or in local.settings.json, see [`json_occurrence`]).
fn binding_occurrence(p: &SettingPlace) -> Occurrence {
    Occurrence {
        file: p.file.clone(),
        range: p.range,
        rewrite: match &p.around {
            None => Rewrite::Name,
            Some((before, after)) => Rewrite::JsonString {
                before: before.clone(),
                after: after.clone(),
            },
        },
        declaration: false,
        lines: p.lines,
    }
}

/// A `connection` place of the subject: the value `written` is the setting's name without the
/// `AzureWebJobs` prefix when it differs from the subject's name.
fn connection_occurrence(subject: &SettingSubject, written: &str, p: &SettingPlace) -> Occurrence {
    let mut o = binding_occurrence(p);
    if written.trim() != subject.name && o.rewrite == Rewrite::Name {
        o.rewrite = Rewrite::ShortConnection;
    }
    o
}

/// An environment read of `name` at `range` (the string's content) in `file`, when it names
/// the subject: the range of the subject's part of the name. The range's `lines` are kept when
/// it is the whole of the read's.
fn env_read_occurrence(
    subject: &SettingSubject,
    name: &str,
    file: &str,
    range: TextRange,
    lines: Option<RangeLines>,
) -> Option<Occurrence> {
    let rest = key_rest(subject, name)?;
    Some(Occurrence {
        file: file.to_string(),
        range: TextRange::new(range.start as usize, range.end as usize - rest.len()),
        rewrite: Rewrite::Name,
        declaration: false,
        lines: lines.filter(|_| rest.is_empty()),
    })
}

/// What the cursor at `offset` of `file` is on.
pub(crate) fn hit(state: &AppState, file: &str, offset: usize) -> Option<Hit> {
    let text = state.input().text(file)?;
    if let Some(folder) = file.strip_suffix("/function.json") {
        let unit = state.unit(folder)?;
        return function_json_hit(state, unit, text, offset);
    }
    if file == LOCAL_SETTINGS {
        return local_settings_hit(text, offset);
    }
    if file.ends_with(".py") {
        return python_hit(state, file, text, offset);
    }
    None
}

fn function_json_hit(
    state: &AppState,
    unit: &FunctionUnit,
    text: &str,
    offset: usize,
) -> Option<Hit> {
    let token = |s: &Spanned| -> (TextRange, String) {
        let range = plain_string_content(text, s.range, &s.value).unwrap_or(s.range);
        (range, s.value.clone())
    };
    if let Some(s) = unit
        .json
        .script_file
        .as_ref()
        .filter(|s| s.range.touches(offset))
    {
        let (range, text) = token(s);
        return Some(Hit {
            subject: Subject::ScriptFile {
                unit: unit.name.clone(),
            },
            range,
            text,
        });
    }
    if let Some(s) = unit
        .json
        .entry_point
        .as_ref()
        .filter(|s| s.range.touches(offset))
    {
        let (range, text) = token(s);
        return Some(Hit {
            subject: Subject::EntryPoint {
                unit: unit.name.clone(),
            },
            range,
            text,
        });
    }
    for b in unit.bindings() {
        if !b.range.touches(offset) {
            continue;
        }
        if let Some(n) = b.name.as_ref().filter(|n| n.range.touches(offset)) {
            let (range, text) = token(n);
            return Some(Hit {
                subject: Subject::Binding(binding_subject(state, unit, &n.value)),
                range,
                text,
            });
        }
        for m in &b.members {
            let Some(v) = m.value.as_ref().filter(|v| v.range.touches(offset)) else {
                continue;
            };
            let Some(s) = v.as_str() else { continue };
            if CONNECTION_KEYS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&m.key))
            {
                // The state's copy: a module of thousands of functions asks each of them.
                let subject = connection_subject(state.local_settings(), s)?;
                let spanned = Spanned {
                    value: s.to_string(),
                    range: v.range,
                };
                let (range, text) = token(&spanned);
                return Some(Hit {
                    subject: Subject::Setting(subject),
                    range,
                    text,
                });
            }
            let inner = plain_string_content(text, v.range, s);
            for (name, span) in setting_expressions(s) {
                let range = match inner {
                    Some(inner) => TextRange::new(
                        inner.start as usize + span.start + 1,
                        inner.start as usize + span.end - 1,
                    ),
                    None => v.range,
                };
                if range.touches(offset) {
                    return Some(Hit {
                        subject: Subject::Setting(SettingSubject {
                            name: name.clone(),
                            section: false,
                        }),
                        range,
                        text: name,
                    });
                }
            }
        }
    }
    None
}

fn local_settings_hit(text: &str, offset: usize) -> Option<Hit> {
    let root = json::parse(text).value?;
    for section in ["Values", "ConnectionStrings"] {
        let Some(obj) = root.get(section).and_then(|m| m.value.as_ref()) else {
            continue;
        };
        for m in obj.as_object().unwrap_or_default() {
            if m.key_range.touches(offset) {
                return Some(Hit {
                    subject: Subject::Setting(SettingSubject {
                        name: m.key.clone(),
                        section: false,
                    }),
                    range: plain_string_content(text, m.key_range, &m.key).unwrap_or(m.key_range),
                    text: m.key.clone(),
                });
            }
        }
    }
    None
}

/// The calls of the Durable Functions SDK that name another function of the app by its function
/// name in their first argument.
const CALLS_BY_FUNCTION_NAME: &[&str] = &[
    "call_activity",
    "call_activity_with_retry",
    "call_sub_orchestrator",
    "call_sub_orchestrator_with_retry",
    "start_new",
];

/// The content range of the string literal that starts `text` after optional whitespace, and
/// its (unescaped, backslash-free) content.
fn leading_string(text: &str, from: usize) -> Option<(TextRange, &str)> {
    let rest = text.get(from..)?;
    let trimmed = rest.trim_start();
    let start = from + rest.len() - trimmed.len();
    let quote = trimmed.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let body = &trimmed[1..];
    let end = body.find([quote, '\\', '\n'])?;
    if !body[end..].starts_with(quote) {
        return None;
    }
    Some((TextRange::new(start + 1, start + 1 + end), &body[..end]))
}

/// Every place that names function `subject` of a decorator app: its `function_name(name=…)`
/// value, and the string naming it in the Durable calls of every module
/// ([`CALLS_BY_FUNCTION_NAME`]).
pub(crate) fn function_occurrences(state: &AppState, name: &str) -> Vec<Occurrence> {
    let mut out = Vec::new();
    for unit in state.units().filter(|u| u.name == name) {
        let Some(v2) = unit.decorated() else { continue };
        let text = state.input().text(&v2.file).unwrap_or("");
        if named_by_def(unit) {
            out.push(Occurrence {
                file: v2.file.clone(),
                range: v2.def_name_range,
                rewrite: Rewrite::Name,
                declaration: true,
                lines: None,
            });
        } else if let Some(range) = plain_string_content(text, v2.name_range, name) {
            out.push(Occurrence {
                file: v2.file.clone(),
                range,
                rewrite: Rewrite::Name,
                declaration: true,
                lines: None,
            });
        }
    }
    // By file, each file's calls in their order (only the files with calls are sorted).
    let mut calls = Vec::new();
    for file in state.modules().keys() {
        let Some(text) = state.input().text(file) else {
            continue;
        };
        for (range, _) in function_occurrences_in(text, |v| v == name) {
            calls.push(Occurrence {
                file: file.clone(),
                range,
                rewrite: Rewrite::Name,
                declaration: false,
                lines: None,
            });
        }
    }
    calls.sort_by(|a, b| a.file.cmp(&b.file));
    out.extend(calls);
    out
}

/// Whether a decorated function takes its name from its `def` (no `function_name`).
pub(crate) fn named_by_def(unit: &FunctionUnit) -> bool {
    unit.decorated().is_some_and(|v2| {
        !v2.name_dynamic && v2.name_range == v2.def_name_range && v2.def_name == unit.name
    })
}

/// The decorated function whose `function_name(name=…)` string literal holds `offset`, or whose
/// `def` name (when it names the function) does.
fn function_name_hit(state: &AppState, file: &str, text: &str, offset: usize) -> Option<Hit> {
    state.units().find_map(|u| {
        let v2 = u.decorated()?;
        if v2.file == file && named_by_def(u) && v2.def_name_range.touches(offset) {
            return Some(Hit {
                subject: Subject::Function {
                    name: u.name.clone(),
                },
                range: v2.def_name_range,
                text: u.name.clone(),
            });
        }
        if v2.file != file
            || v2.name_dynamic
            || v2.name_range == v2.def_name_range
            || !v2.name_range.touches(offset)
        {
            return None;
        }
        let range = plain_string_content(text, v2.name_range, &u.name)?;
        Some(Hit {
            subject: Subject::Function {
                name: u.name.clone(),
            },
            range,
            text: u.name.clone(),
        })
    })
}

/// A string naming a function of the app in a Durable call ([`CALLS_BY_FUNCTION_NAME`]).
fn function_call_hit(state: &AppState, text: &str, offset: usize) -> Option<Hit> {
    let name = function_occurrences_in(text, |_| true)
        .into_iter()
        .find(|(range, _)| range.touches(offset))?;
    let (range, value) = name;
    state.units().any(|u| u.name == value).then(|| Hit {
        subject: Subject::Function {
            name: value.clone(),
        },
        range,
        text: value,
    })
}

/// The strings in `text` that name a function in a Durable call, with their content, when
/// `keep` accepts the content.
fn function_occurrences_in(text: &str, keep: impl Fn(&str) -> bool) -> Vec<(TextRange, String)> {
    let mut out = Vec::new();
    for call in CALLS_BY_FUNCTION_NAME {
        let needle = format!(".{call}(");
        for (at, _) in text.match_indices(&needle) {
            if let Some((range, value)) = leading_string(text, at + needle.len()) {
                if keep(value) {
                    out.push((range, value.to_string()));
                }
            }
        }
    }
    out
}

fn python_hit(state: &AppState, file: &str, text: &str, offset: usize) -> Option<Hit> {
    if let Some(hit) = function_name_hit(state, file, text, offset) {
        return Some(hit);
    }
    if let Some(hit) = function_call_hit(state, text, offset) {
        return Some(hit);
    }
    // The decorators of a v2 app hold its bindings.
    for unit in state
        .units()
        .filter(|u| u.decorated().is_some() && u.declaration_file() == file)
    {
        if let Some(hit) = function_json_hit(state, unit, text, offset) {
            return Some(hit);
        }
    }
    if let Some(module) = state.modules().get(file) {
        if let Some(read) = module.env_reads.iter().find(|r| r.range.touches(offset)) {
            return Some(Hit {
                subject: Subject::Setting(SettingSubject {
                    name: read.name.clone(),
                    section: false,
                }),
                range: read.range,
                text: read.name.clone(),
            });
        }
    }
    // The syntax of the function at the cursor (its own text when it parses alone), by the
    // offset of its `def`: parsed once, for the cursor's identifier and the parameter's uses.
    let mut syntax: Option<(usize, Option<python_scopes::Syntax>)> = None;
    let mut identifier = None;
    for unit in state.units_with_script(file) {
        let Some(def) = entry_def(state, unit) else {
            continue;
        };
        if def.script != file || !def.function.range.touches(offset) {
            continue;
        }
        let has = |name: &str| unit.bindings().iter().any(|b| b.name_str() == Some(name));
        if let Some(p) = def.params().find(|p| p.name_range.touches(offset)) {
            if has(&p.name) {
                return Some(Hit {
                    subject: Subject::Binding(binding_subject(state, unit, &p.name)),
                    range: p.name_range,
                    text: p.name.clone(),
                });
            }
            continue;
        }
        if syntax
            .as_ref()
            .is_none_or(|(at, _)| *at != def.function.def_offset)
        {
            let of_function = python_scopes::Syntax::of_function(text, def.function);
            identifier = Some(of_function.as_ref().and_then(|s| s.identifier_at(offset)));
            syntax = Some((def.function.def_offset, of_function));
        }
        let Some(Some((name, range))) = &identifier else {
            continue;
        };
        if def.param(name).is_none() || !has(name) {
            continue;
        }
        let uses = syntax
            .as_ref()
            .and_then(|(_, s)| s.as_ref())
            .and_then(|s| s.parameter_uses(def.function.name_range, name))
            .unwrap_or_default();
        if uses.contains(range) {
            return Some(Hit {
                subject: Subject::Binding(binding_subject(state, unit, name)),
                range: *range,
                text: name.clone(),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::app::{AppInput, FileContent};
    use std::sync::Arc;

    const HOST: &str = r#"{"version": "2.0"}"#;

    fn shared_json(entry: &str) -> String {
        format!(
            r#"{{"scriptFile": "../shared/handlers.py", "entryPoint": "{entry}", "bindings": [{{"type": "httpTrigger", "name": "req", "direction": "in"}}]}}"#
        )
    }

    fn text(t: &str) -> FileContent {
        FileContent::Text(Arc::from(t))
    }

    fn ptrs(units: &[&FunctionUnit]) -> Vec<*const FunctionUnit> {
        units.iter().map(|u| *u as *const FunctionUnit).collect()
    }

    /// The answer of every unit of `state` against the scan of every unit; returns the names
    /// per unit for the assertions on what is shared.
    fn agree_with_scan(state: &AppState) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for unit in state.units() {
            let indexed = sharing_units(state, unit);
            let scanned = match entry_def(state, unit) {
                Some(def) => sharing_units_by_scan(state, unit, &def),
                None => vec![unit],
            };
            assert_eq!(ptrs(&indexed), ptrs(&scanned), "{}", unit.name);
            let names = indexed.iter().map(|u| u.name.clone()).collect();
            out.push((unit.name.clone(), names));
        }
        out
    }

    fn shared_by<'a>(answers: &'a [(String, Vec<String>)], name: &str) -> &'a [String] {
        &answers.iter().find(|(n, _)| n == name).unwrap().1
    }

    #[test]
    fn references_in_a_module_of_many_functions_read_only_what_they_need() {
        // Each function of a decorator module was asked whether the cursor is on its binding
        // with local.settings.json parsed again, and the parameter's uses were found in a parse
        // of the whole module: 8,000 functions took 11 s per request.
        let mut module =
            String::from("import azure.functions as func\n\napp = func.FunctionApp()\n");
        for i in 0..50 {
            module.push_str(&format!(
                "\n@app.queue_trigger(arg_name=\"msg\", queue_name=\"q{i}\", connection=\"Conn\")\ndef q{i}(msg: func.QueueMessage) -> None:\n    print(msg)\n"
            ));
        }
        let input = AppInput::new("app")
            .with_file("host.json", HOST)
            .with_file(
                "local.settings.json",
                r#"{"Values": {"Conn": "UseDevelopmentStorage=true"}}"#,
            )
            .with_file("function_app.py", &module);
        let state = AppState::new(input);
        let def = module.rfind("def q49(msg").unwrap();
        let at = def + "def q49(".len();
        crate::analysis::settings::LOCAL_SETTINGS_READ.with(|read| read.set(0));
        crate::analysis::python_scopes::BYTES_PARSED.with(|parsed| parsed.set(0));
        let found =
            crate::analysis::ide::navigation::references(&state, "function_app.py", at, true);
        let texts: Vec<&str> = found.iter().map(|r| &module[r.range.as_usize()]).collect();
        // The binding in the decorator, the parameter and its use.
        assert_eq!(texts, ["msg", "msg", "msg"], "{found:?}");
        assert!(found
            .iter()
            .all(|r| r.range.start as usize > module.rfind("@app").unwrap()));
        assert_eq!(
            crate::analysis::settings::LOCAL_SETTINGS_READ.with(|read| read.get()),
            0
        );
        let parsed = crate::analysis::python_scopes::BYTES_PARSED.with(|parsed| parsed.get());
        assert!(
            parsed < module.len() / 10,
            "{parsed} of {} bytes parsed",
            module.len()
        );
    }

    #[test]
    fn function_json_units_sharing_a_script_agree_with_the_scan_across_edits() {
        let input = AppInput::new("app")
            .with_file("host.json", HOST)
            .with_file(
                "shared/handlers.py",
                "def main(req):\n    return req\n\ndef other(req):\n    return req\n",
            )
            .with_file("Zeta/function.json", &shared_json("main"))
            .with_file("alpha/function.json", &shared_json("main"))
            .with_file("Mid/function.json", &shared_json("other"))
            .with_file(
                "Own/function.json",
                r#"{"bindings": [{"type": "httpTrigger", "name": "req", "direction": "in"}]}"#,
            )
            .with_file("Own/__init__.py", "def main(req):\n    return req\n");
        let mut state = AppState::new(input);
        let answers = agree_with_scan(&state);
        // Host order: folders case-insensitively.
        assert_eq!(shared_by(&answers, "Zeta"), ["alpha", "Zeta"]);
        assert_eq!(shared_by(&answers, "alpha"), ["alpha", "Zeta"]);
        assert_eq!(shared_by(&answers, "Mid"), ["Mid"]);
        assert_eq!(shared_by(&answers, "Own"), ["Own"]);

        // A new function on the shared entry, one moved to it, one gone.
        state.set_file("beta/function.json", text(&shared_json("main")));
        state.set_file("Mid/function.json", text(&shared_json("main")));
        state.remove_file("Zeta/function.json");
        let answers = agree_with_scan(&state);
        assert_eq!(shared_by(&answers, "alpha"), ["alpha", "beta", "Mid"]);
        assert!(answers.iter().all(|(n, _)| n != "Zeta"));

        // A rename of a folder: the function goes and comes back under its new name.
        state.remove_file("beta/function.json");
        state.set_file("Gamma/function.json", text(&shared_json("main")));
        let answers = agree_with_scan(&state);
        assert_eq!(shared_by(&answers, "Mid"), ["alpha", "Gamma", "Mid"]);

        // The entry renamed in the script: no function shares `main` any more.
        state.set_file(
            "shared/handlers.py",
            text("def handler(req):\n    return req\n\ndef other(req):\n    return req\n"),
        );
        let answers = agree_with_scan(&state);
        assert_eq!(shared_by(&answers, "alpha"), ["alpha"]);

        // Entry points of two names that run one function: a decorator without
        // `functools.wraps` gives both the signature of its wrapper.
        state.set_file("Gamma/function.json", text(&shared_json("other")));
        state.set_file(
            "shared/handlers.py",
            text("def log(fn):\n    def wrapper(req):\n        return fn(req)\n    return wrapper\n\n@log\ndef main(req):\n    return req\n\n@log\ndef other(req):\n    return req\n"),
        );
        let answers = agree_with_scan(&state);
        assert_eq!(shared_by(&answers, "Gamma"), ["alpha", "Gamma", "Mid"]);

        // Back to plain functions: the index follows the script.
        state.set_file(
            "shared/handlers.py",
            text("def main(req):\n    return req\n\ndef other(req):\n    return req\n"),
        );
        let answers = agree_with_scan(&state);
        assert_eq!(shared_by(&answers, "alpha"), ["alpha", "Mid"]);
        assert_eq!(shared_by(&answers, "Gamma"), ["Gamma"]);
    }

    #[test]
    fn decorated_units_agree_with_the_scan_with_namesakes_and_after_edits() {
        let script = "import azure.functions as func\napp = func.FunctionApp()\n\n@app.route(route=\"a\")\ndef f(req):\n    return 'a'\n\n@app.queue_trigger(arg_name=\"m\", queue_name=\"q\", connection=\"C\")\ndef f(m):\n    pass\n\n@app.route(route=\"g\")\ndef g(req):\n    return 'g'\n";
        let input = AppInput::new("app")
            .with_file("host.json", HOST)
            .with_file("function_app.py", script);
        let mut state = AppState::new(input);
        let answers = agree_with_scan(&state);
        // Two functions named `f` on two `def`s: a namesake alone does not share the entry.
        assert_eq!(shared_by(&answers, "f"), ["f"]);
        assert_eq!(shared_by(&answers, "g"), ["g"]);

        // Functions added and removed by an edit of the script.
        let edited = "import azure.functions as func\napp = func.FunctionApp()\n\n@app.route(route=\"g\")\ndef g(req):\n    return 'g'\n\n@app.route(route=\"h\")\ndef h(req):\n    return 'h'\n";
        state.set_file("function_app.py", text(edited));
        let answers = agree_with_scan(&state);
        let names: Vec<&str> = answers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["g", "h"]);
        assert_eq!(shared_by(&answers, "h"), ["h"]);
    }
}
