//! Which rules run and at what severity: from `[tool.azfunc-lsp]`, CLI flags or editor settings.
//!
//! [`RuleSettings`] is what a user writes, read by serde from TOML (`pyproject.toml`) and JSON
//! (the editor's `azfunc` section) alike; [`Config`] is the selection in force, the settings
//! laid over one another ([`RuleSettings::over`]).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::diagnostic::{Diagnostic, Severity};
use super::rules::{self, RuleMeta};

/// Rule selection. Codes are matched by prefix, as in ruff: `AZF2` means every `AZF2xx` rule,
/// `AZF` (or `ALL`) every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Only these codes (prefixes) are reported; empty means all.
    pub select: Vec<String>,
    /// These codes (prefixes) are never reported; wins over `select`.
    pub ignore: Vec<String>,
    /// Per-code (or prefix) severity overrides; the longest matching prefix wins.
    pub severity: BTreeMap<String, Severity>,
    /// Paths that report nothing ([`DEFAULT_EXCLUDE`] unless `exclude` says otherwise).
    pub exclude: PathGlobs,
    /// Codes (prefixes) not reported in the paths that match.
    pub per_file_ignores: Vec<(PathGlobs, Vec<String>)>,
    /// The Python interpreter (or its environment's folder) whose installed packages the
    /// package rules read, instead of the app's `.venv`, `venv` or `.python_packages`.
    pub python: Option<std::path::PathBuf>,
    /// The app's folder relative to the folder the globs are written for (the one holding the
    /// `pyproject.toml`), `/`-terminated, or empty: a file's path for the globs is `base` plus
    /// its path in the app.
    pub base: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            select: Vec::new(),
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            exclude: PathGlobs::new(DEFAULT_EXCLUDE.iter().map(|p| p.to_string())).0,
            per_file_ignores: Vec::new(),
            python: None,
            base: String::new(),
        }
    }
}

/// What `exclude` is unless set: virtual environments, installed packages, caches, version
/// control and build output. Names without `/` match a folder or file of that name anywhere.
pub const DEFAULT_EXCLUDE: &[&str] = &[
    ".venv",
    "venv",
    ".python_packages",
    "node_modules",
    ".git",
    ".hg",
    ".svn",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".tox",
    ".nox",
    "build",
    "dist",
    "bin",
    "obj",
    "target",
    "site-packages",
];

/// Globs over `/`-separated paths, ruff-like: a pattern without `/` matches any one component of
/// a path (`tests` matches `tests/a.py` and `app/tests/b.py`); a pattern with `/` is anchored at
/// the folder the globs are written for (`tests/fixtures/**`, `./build`). A pattern that matches
/// a folder matches everything below it. `*` never crosses `/`; `**` does.
#[derive(Clone, Default)]
pub struct PathGlobs {
    patterns: Vec<String>,
    names: Arc<GlobSet>,
    anchored: Arc<GlobSet>,
}

impl PathGlobs {
    /// The globs of `patterns`, and a problem for each one that is not a valid glob (left out).
    pub fn new(patterns: impl IntoIterator<Item = String>) -> (PathGlobs, Vec<String>) {
        let mut names = GlobSetBuilder::new();
        let mut anchored = GlobSetBuilder::new();
        let mut kept = Vec::new();
        let mut problems = Vec::new();
        for pattern in patterns {
            let trimmed = pattern.trim();
            let body = trimmed.trim_start_matches("./").trim_start_matches('/');
            let body = body.trim_end_matches('/');
            if body.is_empty() {
                continue;
            }
            match GlobBuilder::new(body).literal_separator(true).build() {
                Ok(glob) => {
                    if body.contains('/') {
                        anchored.add(glob);
                    } else {
                        names.add(glob);
                    }
                    kept.push(trimmed.to_string());
                }
                Err(e) => problems.push(format!(
                    "{} is not a valid glob ({}); left out",
                    quoted(trimmed),
                    e.kind()
                )),
            }
        }
        let build = |b: GlobSetBuilder| Arc::new(b.build().unwrap_or_else(|_| GlobSet::empty()));
        (
            PathGlobs {
                patterns: kept,
                names: build(names),
                anchored: build(anchored),
            },
            problems,
        )
    }

    /// The patterns as written.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether `path` (`/`-separated, relative to the globs' folder) or a folder above it
    /// matches.
    pub fn matches(&self, path: &str) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let path = path.trim_start_matches("./");
        let mut prefix_end = 0;
        for component in path.split('/') {
            prefix_end += component.len();
            if !component.is_empty()
                && (self.names.is_match(component) || self.anchored.is_match(&path[..prefix_end]))
            {
                return true;
            }
            prefix_end += 1;
        }
        false
    }
}

impl PartialEq for PathGlobs {
    fn eq(&self, other: &PathGlobs) -> bool {
        self.patterns == other.patterns
    }
}

impl Eq for PathGlobs {}

impl fmt::Debug for PathGlobs {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_list().entries(&self.patterns).finish()
    }
}

impl Config {
    /// The path of an app's file as the globs see it.
    pub fn glob_path(&self, file: &str) -> String {
        format!("{}{file}", self.base)
    }

    /// Whether a file of the app lies in an excluded path (it then reports nothing).
    pub fn excluded(&self, file: &str) -> bool {
        self.exclude.matches(&self.glob_path(file))
    }

    /// Whether diagnostics with this code are reported in this file of the app (`select`,
    /// `ignore`, `per-file-ignores`; not `exclude`).
    pub fn enabled_in(&self, code: &str, file: &str) -> bool {
        self.enabled(code) && !self.ignored_in(code, file)
    }

    /// Whether `per-file-ignores` silences this code in this file.
    pub fn ignored_in(&self, code: &str, file: &str) -> bool {
        if self.per_file_ignores.is_empty() {
            return false;
        }
        let path = self.glob_path(file);
        self.per_file_ignores.iter().any(|(globs, codes)| {
            codes.iter().any(|p| Self::matches(p, code)) && globs.matches(&path)
        })
    }

    fn matches(prefix: &str, code: &str) -> bool {
        let prefix = prefix.trim();
        prefix.eq_ignore_ascii_case("ALL")
            || code
                .get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    }

    /// Whether diagnostics with this code are reported.
    pub fn enabled(&self, code: &str) -> bool {
        let selected = self.select.is_empty() || self.select.iter().any(|p| Self::matches(p, code));
        selected && !self.ignore.iter().any(|p| Self::matches(p, code))
    }

    /// The severity diagnostics with this code get.
    pub fn severity_for(&self, code: &str, default: Severity) -> Severity {
        self.severity
            .iter()
            .filter(|(p, _)| Self::matches(p, code))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, s)| *s)
            .unwrap_or(default)
    }

    /// Drops disabled diagnostics and applies severity overrides.
    pub fn apply(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter(|d| self.enabled(d.code.as_str()))
            .map(|mut d| {
                d.severity = self.severity_for(d.code.as_str(), d.severity);
                d
            })
            .collect()
    }

    /// Codes or prefixes in this configuration that match no rule (for a warning to the user).
    pub fn unknown_codes(&self) -> Vec<String> {
        self.select
            .iter()
            .chain(&self.ignore)
            .chain(self.severity.keys())
            .chain(self.per_file_ignores.iter().flat_map(|(_, codes)| codes))
            .filter(|p| {
                !rules::RULES
                    .iter()
                    .any(|r: &RuleMeta| Self::matches(p, r.code))
            })
            .cloned()
            .collect()
    }
}

/// Rule settings as written: `[tool.azfunc-lsp]` in `pyproject.toml` or the editor's `azfunc`
/// section, one type for both formats.
///
/// ```toml
/// select = ["AZF"]               # codes or prefixes to report (or one comma-separated string)
/// ignore = ["AZF106", "AZF6"]    # codes or prefixes never reported
/// severity = { AZF203 = "warning", AZF4 = "off" }   # "off" (or "none", "ignore") = ignore
/// extend-exclude = ["tests/fixtures"]               # `exclude` replaces the defaults
/// per-file-ignores = { "scripts/*.py" = ["AZF6"] }
/// ```
///
/// The editor's settings also accept `extendExclude` and `perFileIgnores`.
///
/// Reading never fails on content: what is not understood (an unknown key, a value of the wrong
/// type, an unknown level) is left out and described in `problems`; the rest applies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSettings {
    /// Replaces the selection underneath when present.
    pub select: Option<Vec<String>>,
    /// Added to the ignored codes underneath.
    pub ignore: Vec<String>,
    /// Code (or prefix) → level.
    pub severity: BTreeMap<String, Level>,
    /// Replaces the excluded paths underneath (globs) when present.
    pub exclude: Option<Vec<String>>,
    /// Added to the excluded paths underneath.
    pub extend_exclude: Vec<String>,
    /// Glob → codes (prefixes) not reported in the paths that match; added to those underneath.
    pub per_file_ignores: Vec<(String, Vec<String>)>,
    /// The interpreter whose environment the package rules read (as written).
    pub python: Option<String>,
    /// What was left out, for a warning (keys and values quoted briefly by [`quoted`]).
    pub problems: Vec<String>,
}

/// A level in `severity`: a severity, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    /// `error`, `warning` (`warn`), `information` (`info`), `hint`, or `off` (`none`, `ignore`),
    /// in any case.
    pub fn parse(name: &str) -> Option<Level> {
        match name.to_ascii_lowercase().as_str() {
            "off" | "none" | "ignore" => Some(Level::Off),
            other => Severity::parse(other).map(Level::On),
        }
    }
}

impl RuleSettings {
    /// These settings laid over `base`: `select` replaces, `ignore` adds, each severity
    /// overrides its code (`off` adds the code to `ignore`).
    pub fn over(&self, base: &Config) -> Config {
        let mut config = base.clone();
        if let Some(select) = &self.select {
            config.select = select.clone();
        }
        config.ignore.extend(self.ignore.iter().cloned());
        for (code, level) in &self.severity {
            match level {
                Level::Off => config.ignore.push(code.clone()),
                Level::On(severity) => {
                    config.severity.insert(code.clone(), *severity);
                }
            }
        }
        if self.exclude.is_some() || !self.extend_exclude.is_empty() {
            let mut patterns = match &self.exclude {
                Some(replaced) => replaced.clone(),
                None => config.exclude.patterns().to_vec(),
            };
            patterns.extend(self.extend_exclude.iter().cloned());
            config.exclude = PathGlobs::new(patterns).0;
        }
        if let Some(python) = &self.python {
            config.python = Some(std::path::PathBuf::from(python));
        }
        for (pattern, codes) in &self.per_file_ignores {
            let (globs, _) = PathGlobs::new([pattern.clone()]);
            if !globs.patterns().is_empty() {
                config.per_file_ignores.push((globs, codes.clone()));
            }
        }
        config
    }
}

/// Splits comma-separated values (`"AZF1,AZF2"`, or flags `--select AZF1,AZF2 --select AZF301`)
/// into codes.
pub fn split_codes(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// Longest piece of a user's text quoted in a message.
pub const QUOTED_CHARS: usize = 60;

/// A key or value from a configuration, quoted for a message: bounded in length, with control
/// characters escaped (a configuration may sit next to secrets; messages never echo much of it).
pub fn quoted(text: &str) -> String {
    let mut out = String::from("'");
    for (i, c) in text.chars().enumerate() {
        if i == QUOTED_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

impl<'de> Deserialize<'de> for RuleSettings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SettingsVisitor)
    }
}

struct SettingsVisitor;

impl<'de> Visitor<'de> for SettingsVisitor {
    type Value = RuleSettings;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a table of rule settings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RuleSettings, A::Error> {
        let mut settings = RuleSettings::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "select" => {
                    settings.select = map
                        .next_value::<Loose>()?
                        .codes(&key, &mut settings.problems)
                }
                "ignore" => {
                    let codes = map
                        .next_value::<Loose>()?
                        .codes(&key, &mut settings.problems);
                    settings.ignore.extend(codes.unwrap_or_default());
                }
                "severity" => match map.next_value::<Loose>()? {
                    Loose::Table(entries) => {
                        for (code, level) in entries {
                            settings.add_level(code, level);
                        }
                    }
                    _ => settings
                        .problems
                        .push("'severity' must be a table of code = \"level\"".to_string()),
                },
                "exclude" => {
                    let globs = map
                        .next_value::<Loose>()?
                        .codes(&key, &mut settings.problems);
                    settings.exclude = globs.map(|g| settings.valid_globs(g));
                }
                "extend-exclude" | "extendExclude" | "extend_exclude" => {
                    let globs = map
                        .next_value::<Loose>()?
                        .codes("extend-exclude", &mut settings.problems)
                        .unwrap_or_default();
                    let globs = settings.valid_globs(globs);
                    settings.extend_exclude.extend(globs);
                }
                "per-file-ignores" | "perFileIgnores" | "per_file_ignores" => {
                    match map.next_value::<LooseTable>()? {
                        LooseTable::Table(entries) => {
                            for (glob, codes) in entries {
                                let shown: String = glob
                                    .chars()
                                    .take(QUOTED_CHARS)
                                    .map(|c| if c.is_control() { ' ' } else { c })
                                    .collect();
                                let label = format!("per-file-ignores.{shown}");
                                let codes = codes.codes(&label, &mut settings.problems);
                                let Some(codes) = codes else { continue };
                                if settings.valid_globs(vec![glob.clone()]).is_empty() {
                                    continue;
                                }
                                settings.per_file_ignores.push((glob, codes));
                            }
                        }
                        LooseTable::Other(found) => settings.problems.push(format!(
                            "'per-file-ignores' must be a table of glob = [codes], found {found}"
                        )),
                    }
                }
                "python" => match map.next_value::<Loose>()? {
                    Loose::Str(path) if !path.trim().is_empty() => settings.python = Some(path),
                    _ => settings.problems.push(
                        "'python' must be the path of an interpreter or of its environment"
                            .to_string(),
                    ),
                },
                other => {
                    map.next_value::<IgnoredAny>()?;
                    settings.problems.push(format!(
                        "unknown key {}, left out (see docs/configuration.md)",
                        quoted(other)
                    ));
                }
            }
        }
        Ok(settings)
    }
}

impl RuleSettings {
    /// The patterns that are valid globs; a problem for each other one.
    fn valid_globs(&mut self, patterns: Vec<String>) -> Vec<String> {
        let (globs, problems) = PathGlobs::new(patterns);
        self.problems.extend(problems);
        globs.patterns().to_vec()
    }

    fn add_level(&mut self, code: String, level: Scalar) {
        match level {
            Scalar::Str(name) => match Level::parse(&name) {
                Some(level) => {
                    self.severity.insert(code, level);
                }
                None => self.problems.push(format!(
                    "severity of {}: {} is not one of error, warning, information, hint, off",
                    quoted(&code),
                    quoted(&name.to_ascii_lowercase())
                )),
            },
            Scalar::Other(_) => self
                .problems
                .push(format!("severity of {} must be a string", quoted(&code))),
        }
    }
}

/// A setting's value read for what it is, whatever the format: a string, a list or table of
/// scalars, or the name of another type. Nested lists and tables are not kept (skipped, so no
/// recursion follows the input's depth).
enum Loose {
    Str(String),
    List(Vec<Scalar>),
    Table(Vec<(String, Scalar)>),
    Other(&'static str),
}

/// An item of a list or table: a string, or the name of the type found instead.
enum Scalar {
    Str(String),
    Other(&'static str),
}

impl Loose {
    /// A list of codes: an array of strings, or one comma-separated string. `None` (and a
    /// problem) for another type; items that are not strings are left out with a problem.
    fn codes(self, key: &str, problems: &mut Vec<String>) -> Option<Vec<String>> {
        match self {
            Loose::Str(s) => Some(split_codes(std::slice::from_ref(&s))),
            Loose::List(items) => Some(
                items
                    .into_iter()
                    .filter_map(|item| match item {
                        Scalar::Str(code) => Some(code.trim().to_string()),
                        Scalar::Other(found) => {
                            problems.push(format!("'{key}' must hold strings, found {found}"));
                            None
                        }
                    })
                    .collect(),
            ),
            Loose::Table(_) => {
                problems.push(format!("'{key}' must be an array of strings, found table"));
                None
            }
            Loose::Other(found) => {
                problems.push(format!(
                    "'{key}' must be an array of strings, found {found}"
                ));
                None
            }
        }
    }
}

/// The visitor methods every value type shares: scalars other than strings become their type's
/// name.
macro_rules! other_scalars {
    ($variant:path) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($variant("boolean"))
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($variant("integer"))
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($variant("integer"))
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($variant("float"))
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($variant("null"))
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok($variant("null"))
        }
    };
}

/// Skips a map, naming it `table`.
fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<&'static str, A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok("table")
}

fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<&'static str, A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok("array")
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.to_string()))
            }
            other_scalars!(Scalar::Other);
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Scalar, A::Error> {
                skip_seq(seq).map(Scalar::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Scalar, A::Error> {
                skip_map(map).map(Scalar::Other)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
                Ok(Loose::Str(v.to_string()))
            }
            other_scalars!(Loose::Other);
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Scalar>()? {
                    items.push(item);
                }
                Ok(Loose::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Scalar>()? {
                    entries.push(entry);
                }
                Ok(Loose::Table(entries))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A table whose values are read as [`Loose`] (`per-file-ignores`: glob → codes), or the name
/// of the type found instead.
enum LooseTable {
    Table(Vec<(String, Loose)>),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for LooseTable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LooseTable;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E>(self, _: &str) -> Result<LooseTable, E> {
                Ok(LooseTable::Other("string"))
            }
            other_scalars!(LooseTable::Other);
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<LooseTable, A::Error> {
                skip_seq(seq).map(LooseTable::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LooseTable, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Loose>()? {
                    entries.push(entry);
                }
                Ok(LooseTable::Table(entries))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_select_ignore_and_override() {
        let config = Config {
            select: vec!["AZF2".into(), "AZF001".into()],
            ignore: vec!["AZF212".into()],
            severity: [
                ("AZF2".to_string(), Severity::Warning),
                ("AZF201".to_string(), Severity::Hint),
            ]
            .into_iter()
            .collect(),
            ..Config::default()
        };
        assert!(config.enabled("AZF201"));
        assert!(config.enabled("AZF001"));
        assert!(!config.enabled("AZF101"));
        assert!(!config.enabled("AZF212"));
        assert_eq!(
            config.severity_for("AZF203", Severity::Error),
            Severity::Warning
        );
        assert_eq!(
            config.severity_for("AZF201", Severity::Error),
            Severity::Hint
        );
        assert_eq!(
            config.severity_for("AZF101", Severity::Error),
            Severity::Error
        );
        let odd = Config {
            ignore: vec!["XYZ".into()],
            ..Config::default()
        };
        assert_eq!(odd.unknown_codes(), ["XYZ"]);
    }
}
