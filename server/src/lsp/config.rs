//! Rule configuration for the server: the editor's `azfunc` settings (from `initializationOptions`,
//! `workspace/configuration` or `workspace/didChangeConfiguration`) over `[tool.azfunc-lsp]` in the
//! app's nearest `pyproject.toml`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::analysis::{Config, Severity};
use crate::cli::config::ConfigFinder;

/// The editor's settings, section `azfunc`. A missing key leaves the project's value in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientSettings {
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    /// Code (or prefix) → `error` | `warning` | `information` | `hint` | `off`.
    pub severity: BTreeMap<String, String>,
}

impl ClientSettings {
    /// Reads settings from either the `azfunc` section itself or an object that holds it under
    /// `azfunc`. Ill-typed entries are skipped (and logged), never fatal.
    pub fn from_value(value: &Value) -> ClientSettings {
        let section = match value.get("azfunc") {
            Some(inner) if inner.is_object() => inner,
            _ => value,
        };
        let Some(obj) = section.as_object() else {
            return ClientSettings::default();
        };
        let strings = |key: &str| -> Option<Vec<String>> {
            let v = obj.get(key)?;
            match v.as_array() {
                Some(items) => Some(
                    items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect(),
                ),
                None => {
                    tracing::warn!("setting azfunc.{key} is not an array of strings");
                    None
                }
            }
        };
        let severity = obj
            .get("severity")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        ClientSettings {
            select: strings("select"),
            ignore: strings("ignore"),
            severity,
        }
    }
}

/// Adds a severity map (`off`/`none` meaning ignore) to `config`.
fn add_severities<'a>(config: &mut Config, entries: impl Iterator<Item = (&'a str, &'a str)>) {
    for (code, level) in entries {
        if matches!(
            level.to_ascii_lowercase().as_str(),
            "off" | "none" | "ignore"
        ) {
            config.ignore.push(code.to_string());
        } else if let Some(s) = Severity::parse(level) {
            config.severity.insert(code.to_string(), s);
        } else {
            tracing::warn!("unknown severity {level:?} for {code}");
        }
    }
}

/// The effective configuration of an app: the project's, then the editor's on top (`select`
/// replaces, `ignore` adds, severities override per code).
pub fn merge(project: &Config, client: &ClientSettings) -> Config {
    let mut config = project.clone();
    if let Some(select) = &client.select {
        config.select = select.clone();
    }
    if let Some(ignore) = &client.ignore {
        config.ignore.extend(ignore.iter().cloned());
    }
    add_severities(
        &mut config,
        client
            .severity
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    config
}

/// The `[tool.azfunc-lsp]` configuration from the nearest `pyproject.toml` at or above
/// `app_root` (found and parsed as the `check` command does); problems in the file are logged.
pub fn project_config(app_root: &Path) -> Config {
    let mut finder = ConfigFinder::default();
    let found = finder.find(app_root);
    for warning in &finder.warnings {
        tracing::warn!("{warning}");
    }
    found.map(|f| f.config).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn client_settings_override_the_project() {
        let project = Config {
            select: vec!["AZF".into()],
            ignore: vec!["AZF212".into()],
            severity: [("AZF201".to_string(), Severity::Warning)]
                .into_iter()
                .collect(),
        };
        let client = ClientSettings::from_value(&json!({
            "azfunc": {"ignore": ["AZF2"], "severity": {"AZF201": "hint", "AZF001": "off"}}
        }));
        let config = merge(&project, &client);
        assert_eq!(config.select, ["AZF"]);
        assert_eq!(config.ignore, ["AZF212", "AZF2", "AZF001"]);
        assert_eq!(config.severity.get("AZF201"), Some(&Severity::Hint));
        // The section itself is accepted too; wrong types are skipped.
        let direct = ClientSettings::from_value(&json!({"select": "AZF1", "ignore": ["X"]}));
        assert_eq!(direct.select, None);
        assert_eq!(direct.ignore, Some(vec!["X".to_string()]));
    }

    #[cfg(unix)]
    #[test]
    fn a_project_file_linked_from_outside_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("project/app");
        std::fs::create_dir_all(&app).unwrap();
        let outside = dir.path().join("shared.toml");
        std::fs::write(&outside, "[tool.azfunc-lsp]\nselect = [\"AZF1\"]\n").unwrap();
        std::os::unix::fs::symlink(&outside, app.join("pyproject.toml")).unwrap();
        assert_eq!(project_config(&app), Config::default());
        // The same file inside the app is used.
        std::fs::remove_file(app.join("pyproject.toml")).unwrap();
        std::fs::copy(&outside, app.join("pyproject.toml")).unwrap();
        assert_eq!(project_config(&app).select, ["AZF1"]);
    }
}
