//! The app settings model, read from `local.settings.json` (Core Tools' file; on Azure the same
//! names are app settings).

use super::app::AppInput;
use super::json::{self, JsonKind};
use super::text::TextRange;

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
    by_name: std::collections::HashMap<String, usize>,
    /// Positions in `values` sorted by name, for the entries under a prefix.
    sorted: Vec<usize>,
    /// Near misses among the names of `values`.
    suggestions: super::catalog::SuggestIndex,
    /// The names of `values`, in order (what `suggestions` indexes).
    names: Vec<String>,
}

impl LocalSettings {
    pub fn value(&self, name: &str) -> Option<&Setting> {
        record(|r| r.name(name));
        self.by_name.get(name).map(|&i| &self.values[i])
    }

    /// The name in `Values` that `name` is likely a typo of (see `catalog::did_you_mean`).
    pub fn suggest_value(&self, name: &str) -> Option<&str> {
        record(|r| r.all_names = true);
        self.suggestions.suggest(&self.names, name)
    }

    /// `Host.CORS`, when set (read through here, so that a read is recorded).
    pub fn cors(&self) -> Option<&str> {
        record(|r| r.cors = true);
        self.host_cors.as_deref()
    }

    /// What changed from `self` to `new`, for [`SettingsReads::affected_by`].
    pub fn diff(&self, new: &LocalSettings) -> SettingsDiff {
        let mut changed = std::collections::BTreeSet::new();
        fn entries(s: &LocalSettings) -> std::collections::HashMap<&str, Vec<(bool, &Setting)>> {
            let mut by_name: std::collections::HashMap<&str, Vec<(bool, &Setting)>> =
                std::collections::HashMap::new();
            for (conn, list) in [(false, &s.values), (true, &s.connection_strings)] {
                for setting in list {
                    by_name
                        .entry(setting.name.as_str())
                        .or_default()
                        .push((conn, setting));
                }
            }
            by_name
        }
        let (old_entries, new_entries) = (entries(self), entries(new));
        for (name, list) in &old_entries {
            if new_entries.get(name) != Some(list) {
                changed.insert(name.to_string());
            }
        }
        for name in new_entries.keys() {
            if !old_entries.contains_key(name) {
                changed.insert(name.to_string());
            }
        }
        SettingsDiff {
            changed,
            names: self.names != new.names,
            cors: self.host_cors != new.host_cors,
        }
    }
}

/// What a function's rules read of the settings, recorded by [`recording`]: a re-check after an
/// edit of local.settings.json is needed only when something read changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsReads {
    /// Names looked up, in `Values` or `ConnectionStrings`.
    pub names: std::collections::BTreeSet<String>,
    /// Prefixes whose settings were listed (identity-based sections `<prefix>__…`).
    pub prefixes: std::collections::BTreeSet<String>,
    /// The names of `Values` as a whole (near-miss suggestions).
    pub all_names: bool,
    /// `Host.CORS`.
    pub cors: bool,
}

impl SettingsReads {
    fn name(&mut self, name: &str) {
        if !self.names.contains(name) {
            self.names.insert(name.to_string());
        }
    }

    fn prefix(&mut self, prefix: &str) {
        if !self.prefixes.contains(prefix) {
            self.prefixes.insert(prefix.to_string());
        }
    }

    pub fn extend(&mut self, other: SettingsReads) {
        self.names.extend(other.names);
        self.prefixes.extend(other.prefixes);
        self.all_names |= other.all_names;
        self.cors |= other.cors;
    }

    /// Whether anything read differs after an edit.
    pub fn affected_by(&self, diff: &SettingsDiff) -> bool {
        (self.all_names && diff.names)
            || (self.cors && diff.cors)
            || diff.changed.iter().any(|name| {
                self.names.contains(name) || self.prefixes.iter().any(|p| name.starts_with(p))
            })
    }
}

/// What an edit of local.settings.json changed (see [`LocalSettings::diff`]).
#[derive(Debug, Clone, Default)]
pub struct SettingsDiff {
    /// Names whose entries (value, ranges, place among those of the name) differ, appeared or
    /// vanished.
    pub changed: std::collections::BTreeSet<String>,
    /// Whether the list of names of `Values` differs.
    pub names: bool,
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

/// Reads `local.settings.json` of the app; `None` when the file is absent (it is usually
/// git-ignored, so its absence says nothing about the settings).
pub fn local_settings(app: &AppInput) -> Option<LocalSettings> {
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
        let candidates = [format!("AzureWebJobs{name}"), name.to_string()];
        let prefixes = candidates.each_ref().map(|c| format!("{c}__"));
        record(|r| {
            for (candidate, prefix) in candidates.iter().zip(&prefixes) {
                r.name(candidate);
                r.prefix(prefix);
            }
        });
        for candidate in &candidates {
            if let Some(s) = self
                .connection_strings
                .iter()
                .find(|s| &s.name == candidate)
            {
                return Resolution::ConnectionString(s);
            }
            if let Some(s) = self.value(candidate) {
                return Resolution::Setting(s);
            }
        }
        for (candidate, prefix) in candidates.into_iter().zip(prefixes) {
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
                    prefix: candidate,
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
