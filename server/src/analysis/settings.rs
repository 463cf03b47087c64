//! The app settings model, read from `local.settings.json` (Core Tools' file; on Azure the same
//! names are app settings).

use super::app::AppInput;
use super::json::{self, JsonKind};
use super::text::TextRange;
use std::collections::{BTreeSet, HashSet};

pub const LOCAL_SETTINGS: &str = "local.settings.json";

/// The binding properties that name a connection (an app setting, or the prefix of an
/// identity-based `<prefix>__…` section).
pub const CONNECTION_KEYS: &[&str] = &["connection", "connectionStringSetting"];

/// `%Name%` expressions in a string: (name, range of the whole `%Name%` inside the string).
pub fn setting_expressions(value: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut i = 0;
    let bytes = value.as_bytes();
    while let Some(a) = value[i..].find('%') {
        let start = i + a;
        let Some(b) = value[start + 1..].find('%') else {
            break;
        };
        let end = start + 1 + b;
        let name = &value[start + 1..end];
        if !name.is_empty() && !name.contains(char::is_whitespace) && !name.contains(['{', '}']) {
            out.push((name.to_string(), start..end + 1));
        }
        i = end + 1;
        if i >= bytes.len() {
            break;
        }
    }
    out
}

/// One entry of `Values`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub name: String,
    pub name_range: TextRange,
    /// The value as Core Tools sees it (numbers and booleans become strings).
    pub value: Option<String>,
    pub value_range: TextRange,
}

/// What `local.settings.json` says, when the file exists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalSettings {
    pub values: Vec<Setting>,
    pub connection_strings: Vec<Setting>,
    /// `Host.CORS`, when set.
    pub host_cors: Option<String>,
    /// Position in `values` of the first entry of each name, so a lookup costs a hash.
    by_name: foldhash::HashMap<String, usize>,
    /// Positions in `values` sorted by name, for the entries under a prefix.
    sorted: Vec<usize>,
    /// Near misses among the names of `values`.
    suggestions: super::catalog::SuggestIndex,
    /// The names of `values`, in order (what `suggestions` indexes).
    names: Vec<String>,
}

impl LocalSettings {
    pub fn value(&self, name: &str) -> Option<&Setting> {
        self.by_name.get(name).map(|&i| &self.values[i])
    }

    /// The name in `Values` that `name` is likely a typo of (see `catalog::did_you_mean`).
    pub fn suggest_value(&self, name: &str) -> Option<&str> {
        self.suggestions.suggest(&self.names, name)
    }

    /// `Host.CORS`, when set.
    pub fn cors(&self) -> Option<&str> {
        self.host_cors.as_deref()
    }

    /// Whether `Host.CORS` is set to something other than blanks (what AZF401 asks).
    fn cors_is_set(&self) -> bool {
        self.host_cors
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty())
    }

    /// Whether `name` is in `Values`, and whether it is in `ConnectionStrings`.
    fn presence(&self, name: &str, connection_strings: &HashSet<&str>) -> (bool, bool) {
        (
            self.by_name.contains_key(name),
            connection_strings.contains(name),
        )
    }

    /// The shape of the value of `name` in `Values` (its first entry), when there is one.
    fn shape(&self, name: &str) -> Option<ValueShape> {
        self.value(name).map(ValueShape::of)
    }

    /// What changed from `self` to `new` of what the rules can observe (see [`WatchedSettings`]):
    /// each setting's presence and value shape is compared once here, whoever reads it.
    pub fn diff(&self, new: &LocalSettings) -> SettingsDiff {
        fn connection_names(s: &LocalSettings) -> HashSet<&str> {
            s.connection_strings
                .iter()
                .map(|c| c.name.as_str())
                .collect()
        }
        let (old_strings, new_strings) = (connection_names(self), connection_names(new));
        let mut names: HashSet<&str> = HashSet::with_capacity(self.by_name.len());
        names.extend(self.by_name.keys().map(String::as_str));
        names.extend(new.by_name.keys().map(String::as_str));
        names.extend(old_strings.iter().chain(&new_strings));
        let mut diff = SettingsDiff {
            names: self.names != new.names,
            cors: self.cors_is_set() != new.cors_is_set(),
            ..SettingsDiff::default()
        };
        for name in names {
            if self.presence(name, &old_strings) != new.presence(name, &new_strings) {
                diff.presence.insert(name.to_string());
            }
            if self.shape(name) != new.shape(name) {
                diff.shapes.insert(name.to_string());
            }
        }
        diff
    }
}

/// What a rule can tell about a connection setting's value without knowing the function: whether
/// it may work, or is blank or a leftover placeholder (and then where it is written, which the
/// finding points at). Typing into a usable value keeps its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueShape {
    Usable,
    /// No text, or blanks only.
    Empty(TextRange),
    /// A leftover placeholder (`{…}`, `<…>`, padded with blanks), or not a scalar.
    Placeholder(TextRange),
}

impl ValueShape {
    pub fn of(setting: &Setting) -> ValueShape {
        match setting.value.as_deref() {
            Some(v) if !is_placeholder(v) => ValueShape::Usable,
            Some(v) if v.trim().is_empty() => ValueShape::Empty(setting.value_range),
            _ => ValueShape::Placeholder(setting.value_range),
        }
    }
}

/// How a connection name resolves ([`LocalSettings::resolve_connection`]) as far as its
/// presence decides: which setting holds it, not what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection<'s> {
    /// A plain setting of `Values` holds the value.
    Setting(&'s str),
    /// A `ConnectionStrings` entry holds it.
    ConnectionString(&'s str),
    /// An identity-based section: the settings named `<prefix>__<suffix>`, suffixes sorted and
    /// each once.
    Section {
        prefix: String,
        suffixes: Vec<&'s str>,
    },
    Unresolved,
}

/// `local.settings.json` as a function's rules see it ([`FunctionCtx::settings`]): each read says
/// what it observes (a setting's presence, its value's [`ValueShape`], the names under a prefix,
/// the list of names, whether `Host.CORS` is set) and is recorded as such, so that an edit of the
/// settings re-runs a function's rules only when an observation of theirs changed. The settings
/// themselves are not reachable from here: a rule that needs another property of them adds an
/// observation (and its comparison in [`LocalSettings::diff`]).
///
/// [`FunctionCtx::settings`]: crate::analysis::rules::context::FunctionCtx::settings
#[derive(Clone, Copy)]
pub struct WatchedSettings<'s> {
    settings: &'s LocalSettings,
}

impl<'s> WatchedSettings<'s> {
    pub fn new(settings: &'s LocalSettings) -> WatchedSettings<'s> {
        WatchedSettings { settings }
    }

    /// Whether `Values` has `name`.
    pub fn is_set(&self, name: &str) -> bool {
        record(|r| r.present(name));
        self.settings.by_name.contains_key(name)
    }

    /// The shape of the value of `name` in `Values`, when it is there.
    pub fn shape(&self, name: &str) -> Option<ValueShape> {
        record(|r| r.shape(name));
        self.settings.shape(name)
    }

    /// Where a binding's `connection` resolves ([`LocalSettings::resolve_connection`]).
    pub fn connection(&self, name: &str) -> Connection<'s> {
        let name = if name.trim().is_empty() {
            "Storage"
        } else {
            name
        };
        record(|r| {
            let prefixed = format!("AzureWebJobs{name}");
            for candidate in [prefixed.as_str(), name] {
                r.prefix(&format!("{candidate}{PREFIX_END}"));
                r.present(candidate);
            }
        });
        match self.settings.resolve_connection(name) {
            Resolution::Setting(s) => Connection::Setting(&s.name),
            Resolution::ConnectionString(s) => Connection::ConnectionString(&s.name),
            Resolution::Section { prefix, keys } => {
                let mut suffixes: Vec<&str> =
                    keys.iter().map(|k| &k.name[prefix.len() + 2..]).collect();
                suffixes.sort_unstable();
                suffixes.dedup();
                Connection::Section { prefix, suffixes }
            }
            Resolution::Unresolved => Connection::Unresolved,
        }
    }

    /// The name in `Values` that `name` is likely a typo of.
    pub fn suggest_value(&self, name: &str) -> Option<&'s str> {
        record(|r| r.all_names = true);
        self.settings.suggest_value(name)
    }

    /// Whether `Host.CORS` is set to something other than blanks.
    pub fn cors_is_set(&self) -> bool {
        record(|r| r.cors = true);
        self.settings.cors_is_set()
    }
}

/// What a function's rules observed of the settings, recorded by [`recording`] through
/// [`WatchedSettings`]: a re-check after an edit of local.settings.json is needed only when an
/// observation changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsReads {
    /// Names whose presence was looked up (in `Values` or `ConnectionStrings`).
    pub present: BTreeSet<String>,
    /// Names whose value's [`ValueShape`] was looked at.
    pub shapes: BTreeSet<String>,
    /// Prefixes (`<name>__`) whose names in `Values` were listed (identity-based sections).
    pub prefixes: BTreeSet<String>,
    /// The names of `Values` as a whole (near-miss suggestions).
    pub all_names: bool,
    /// Whether `Host.CORS` is set.
    pub cors: bool,
}

impl SettingsReads {
    fn present(&mut self, name: &str) {
        if !self.present.contains(name) {
            self.present.insert(name.to_string());
        }
    }

    fn shape(&mut self, name: &str) {
        if !self.shapes.contains(name) {
            self.shapes.insert(name.to_string());
        }
    }

    fn prefix(&mut self, prefix: &str) {
        debug_assert!(prefix.ends_with(PREFIX_END));
        if !self.prefixes.contains(prefix) {
            self.prefixes.insert(prefix.to_string());
        }
    }

    pub fn extend(&mut self, other: SettingsReads) {
        self.present.extend(other.present);
        self.shapes.extend(other.shapes);
        self.prefixes.extend(other.prefixes);
        self.all_names |= other.all_names;
        self.cors |= other.cors;
    }

    /// Whether anything observed differs after an edit.
    pub fn affected_by(&self, diff: &SettingsDiff) -> bool {
        (self.all_names && diff.names)
            || (self.cors && diff.cors)
            || diff.shapes.iter().any(|name| self.shapes.contains(name))
            || diff.presence.iter().any(|name| {
                self.present.contains(name)
                    || self.prefixes.iter().any(|p| name.starts_with(p.as_str()))
            })
    }
}

/// How every recorded prefix ends: the prefixes of a name that a reader may have listed are its
/// parts up to each `__` (see [`section_prefixes`]).
pub const PREFIX_END: &str = "__";

/// The prefixes of `name` that end with [`PREFIX_END`]: the sections `name` belongs to. Runs of
/// underscores end several (`A___x` is in `A__` and in `A___`, the section of `A_`).
pub fn section_prefixes(name: &str) -> impl Iterator<Item = &str> {
    let bytes = name.as_bytes();
    (PREFIX_END.len()..=bytes.len())
        .filter(move |&end| bytes[..end].ends_with(PREFIX_END.as_bytes()))
        .map(move |end| &name[..end])
}

/// What an edit of local.settings.json changed of what the rules observe (see
/// [`LocalSettings::diff`]).
#[derive(Debug, Clone, Default)]
pub struct SettingsDiff {
    /// Names that appeared or vanished in `Values` or `ConnectionStrings`.
    pub presence: BTreeSet<String>,
    /// Names whose value's [`ValueShape`] differs (or which have a value on one side only).
    pub shapes: BTreeSet<String>,
    /// Whether the list of names of `Values` differs.
    pub names: bool,
    /// Whether `Host.CORS` went from set to unset or back.
    pub cors: bool,
}

thread_local! {
    /// The reads being recorded on this thread, innermost last (a rayon worker may run another
    /// function's check while waiting inside one).
    static READS: std::cell::RefCell<Vec<SettingsReads>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn record(f: impl FnOnce(&mut SettingsReads)) {
    READS.with(|r| {
        if let Some(top) = r.borrow_mut().last_mut() {
            f(top);
        }
    });
}

/// Runs `f` and returns what it read of any [`LocalSettings`] on this thread.
pub fn recording<T>(f: impl FnOnce() -> T) -> (T, SettingsReads) {
    /// Pops the frame even when `f` panics (the panic guard catches it further up).
    struct Frame;
    impl Drop for Frame {
        fn drop(&mut self) {
            READS.with(|r| {
                r.borrow_mut().pop();
            });
        }
    }
    READS.with(|r| r.borrow_mut().push(SettingsReads::default()));
    let frame = Frame;
    let out = f();
    let reads = READS.with(|r| r.borrow_mut().last_mut().map(std::mem::take));
    drop(frame);
    (out, reads.unwrap_or_default())
}

#[cfg(test)]
thread_local! {
    /// Times [`local_settings`] read the file on this thread.
    pub(crate) static LOCAL_SETTINGS_READ: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Reads `local.settings.json` of the app; `None` when the file is absent (it is usually
/// git-ignored, so its absence says nothing about the settings).
pub fn local_settings(app: &AppInput) -> Option<LocalSettings> {
    #[cfg(test)]
    LOCAL_SETTINGS_READ.with(|read| read.set(read.get() + 1));
    let text = app.text(LOCAL_SETTINGS)?;
    let parsed = json::parse(text);
    let root = parsed.value?;
    let mut out = LocalSettings::default();
    let read = |key: &str| -> Vec<Setting> {
        root.get(key)
            .and_then(|m| m.value.as_ref())
            .and_then(|v| v.as_object())
            .map(|members| {
                members
                    .iter()
                    .map(|m| Setting {
                        name: m.key.clone(),
                        name_range: m.key_range,
                        value: m.value.as_ref().and_then(|v| match &v.kind {
                            JsonKind::Object(_) => v
                                .get("ConnectionString")
                                .and_then(|c| c.value.as_ref())
                                .and_then(|c| c.scalar_text()),
                            _ => v.scalar_text(),
                        }),
                        value_range: m.value.as_ref().map(|v| v.range).unwrap_or(m.key_range),
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    out.values = read("Values");
    for (i, v) in out.values.iter().enumerate() {
        out.by_name.entry(v.name.clone()).or_insert(i);
    }
    out.names = out.values.iter().map(|v| v.name.clone()).collect();
    out.suggestions = super::catalog::SuggestIndex::new(&out.names);
    out.sorted = (0..out.values.len()).collect();
    out.sorted
        .sort_by(|&a, &b| out.values[a].name.cmp(&out.values[b].name));
    out.connection_strings = read("ConnectionStrings");
    out.host_cors = root
        .get("Host")
        .and_then(|m| m.value.as_ref())
        .and_then(|h| h.get("CORS"))
        .and_then(|m| m.value.as_ref())
        .and_then(|v| v.scalar_text());
    Some(out)
}

/// Whether a setting's value looks like a secret (a key, password, connection string, token), so
/// hovers mask it.
pub fn looks_secret(name: &str, value: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let v = value.to_ascii_lowercase();
    [
        "key",
        "secret",
        "password",
        "pwd",
        "token",
        "connection",
        "sas",
        "credential",
    ]
    .iter()
    .any(|w| n.contains(w))
        || v.contains("accountkey=")
        || v.contains("sharedaccesskey=")
        || v.contains("password=")
        || v.contains("sig=")
}

/// A value safe to show: secrets are masked but keep a hint of their shape.
pub fn masked(name: &str, value: &str) -> String {
    if value == "UseDevelopmentStorage=true" || !looks_secret(name, value) {
        return value.to_string();
    }
    mask(value)
}

/// A secret value with only a hint of its shape: its first 4 characters and its length.
pub fn mask(value: &str) -> String {
    let visible: String = value.chars().take(4).collect();
    format!("{visible}… (masked, {} characters)", value.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_values_and_masks_secrets() {
        let app = AppInput::new("a").with_file(
            LOCAL_SETTINGS,
            r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "N": 3, "AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abcd"}, "Host": {"CORS": "*"}}"#,
        );
        let s = local_settings(&app).unwrap();
        assert_eq!(s.values.len(), 3);
        assert_eq!(s.value("N").unwrap().value.as_deref(), Some("3"));
        assert_eq!(s.host_cors.as_deref(), Some("*"));
        let storage = s
            .value("AzureWebJobsStorage")
            .unwrap()
            .value
            .clone()
            .unwrap();
        assert!(masked("AzureWebJobsStorage", &storage).contains("masked"));
        assert_eq!(masked("FUNCTIONS_WORKER_RUNTIME", "python"), "python");
        assert!(local_settings(&AppInput::new("b")).is_none());
    }
}

/// How a binding's `connection` resolves, per the WebJobs SDK: `AzureWebJobs<N>`, then `N`, each
/// looked up in `ConnectionStrings` and then `Values`; otherwise a section of `N__*` settings
/// (an identity-based connection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution<'s> {
    /// A plain setting holds the value.
    Setting(&'s Setting),
    /// A `ConnectionStrings` entry holds it (works locally, is not published as an app setting).
    ConnectionString(&'s Setting),
    /// An identity-based section: the settings named `<prefix>__…`.
    Section {
        prefix: String,
        keys: Vec<&'s Setting>,
    },
    Unresolved,
}

impl LocalSettings {
    /// Resolves a binding's `connection` value (`""` means `Storage`, i.e. `AzureWebJobsStorage`).
    pub fn resolve_connection(&self, name: &str) -> Resolution<'_> {
        let name = if name.trim().is_empty() {
            "Storage"
        } else {
            name
        };
        let prefixed = format!("AzureWebJobs{name}");
        let candidates = [prefixed.as_str(), name];
        for candidate in candidates {
            if let Some(s) = self.connection_strings.iter().find(|s| s.name == candidate) {
                return Resolution::ConnectionString(s);
            }
            if let Some(s) = self.value(candidate) {
                return Resolution::Setting(s);
            }
        }
        // Most connections are found above: the section prefixes are made only when needed.
        for candidate in candidates {
            let prefix = format!("{candidate}{PREFIX_END}");
            let from = self
                .sorted
                .partition_point(|&i| self.values[i].name.as_str() < prefix.as_str());
            let mut under: Vec<usize> = self.sorted[from..]
                .iter()
                .copied()
                .take_while(|&i| self.values[i].name.starts_with(&prefix))
                .collect();
            under.sort_unstable();
            let keys: Vec<&Setting> = under.into_iter().map(|i| &self.values[i]).collect();
            if !keys.is_empty() {
                return Resolution::Section {
                    prefix: candidate.to_string(),
                    keys,
                };
            }
        }
        Resolution::Unresolved
    }
}

/// The identity-based suffixes that make a `<N>__…` section usable for a binding type; any one of
/// them is enough. `None` when the type takes no identity connection we know of.
pub fn identity_suffixes(binding_type: &str) -> Option<&'static [&'static str]> {
    match binding_type.to_ascii_lowercase().as_str() {
        "blobtrigger" | "blob" => Some(&["serviceUri", "blobServiceUri"]),
        "queuetrigger" | "queue" => Some(&["queueServiceUri", "serviceUri"]),
        "table" => Some(&["tableServiceUri", "serviceUri"]),
        "servicebustrigger" | "servicebus" | "eventhubtrigger" | "eventhub" => {
            Some(&["fullyQualifiedNamespace"])
        }
        "cosmosdbtrigger" | "cosmosdb" => Some(&["accountEndpoint"]),
        "webpubsubtrigger" | "webpubsub" | "webpubsubconnection" => Some(&["serviceUri"]),
        _ => None,
    }
}

/// Whether a storage connection value is a leftover placeholder or blank.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    v.is_empty()
        || (v.starts_with('{') && v.ends_with('}'))
        || (v.starts_with('<') && v.ends_with('>'))
        || v != value
}

#[cfg(test)]
mod resolution_tests {
    use super::*;

    #[test]
    fn resolves_like_the_host() {
        let app = AppInput::new("a").with_file(
            LOCAL_SETTINGS,
            r#"{"IsEncrypted": false,
                "Values": {"AzureWebJobsStorage": "UseDevelopmentStorage=true", "AzureWebJobsOrders": "x", "Plain": "y",
                           "Bus__fullyQualifiedNamespace": "ns.servicebus.windows.net"},
                "ConnectionStrings": {"Db": "Server=.;"}}"#,
        );
        let s = local_settings(&app).unwrap();
        assert!(
            matches!(s.resolve_connection(""), Resolution::Setting(x) if x.name == "AzureWebJobsStorage")
        );
        assert!(
            matches!(s.resolve_connection("Orders"), Resolution::Setting(x) if x.name == "AzureWebJobsOrders")
        );
        assert!(matches!(
            s.resolve_connection("Plain"),
            Resolution::Setting(_)
        ));
        assert!(matches!(
            s.resolve_connection("Db"),
            Resolution::ConnectionString(_)
        ));
        assert!(matches!(
            s.resolve_connection("Bus"),
            Resolution::Section { .. }
        ));
        assert_eq!(s.resolve_connection("Missing"), Resolution::Unresolved);
        assert!(
            is_placeholder("{AzureWebJobsStorage}") && is_placeholder(" x") && !is_placeholder("x")
        );
    }
}
