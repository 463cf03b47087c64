//! Rule configuration for the server: the editor's `azfunc` settings (from `initializationOptions`,
//! `workspace/configuration` or `workspace/didChangeConfiguration`) over `[tool.azfunc-lsp]` in the
//! app's nearest `pyproject.toml`.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::analysis::config::RuleSettings;
use crate::analysis::Config;
use crate::cli::config::ConfigFinder;

/// The editor's settings, section `azfunc`: the same type, keys and values as
/// `[tool.azfunc-lsp]`. A missing key leaves the project's value in force.
pub type ClientSettings = RuleSettings;

impl RuleSettings {
    /// Reads settings from either the `azfunc` section itself or an object that holds it under
    /// `azfunc`. What is not understood is left out (and logged), never fatal.
    pub fn from_value(value: &Value) -> ClientSettings {
        let section = match value.get("azfunc") {
            Some(inner) if inner.is_object() => inner,
            _ => value,
        };
        if !section.is_object() {
            return ClientSettings::default();
        }
        // Every value is accepted by `RuleSettings` (problems are collected, not raised).
        let settings = RuleSettings::deserialize(section).unwrap_or_else(|e| RuleSettings {
            problems: vec![e.to_string()],
            ..RuleSettings::default()
        });
        for problem in &settings.problems {
            tracing::warn!("setting azfunc: {problem}");
        }
        settings
    }
}

/// The effective configuration of an app: the project's, then the editor's on top (`select`
/// replaces, `ignore` adds, severities override per code).
pub fn merge(project: &Config, client: &ClientSettings) -> Config {
    client.over(project)
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
    use crate::analysis::Severity;
    use serde_json::json;

    #[test]
    fn client_settings_override_the_project() {
        let project = Config {
            select: vec!["AZF".into()],
            ignore: vec!["AZF212".into()],
            severity: [("AZF201".to_string(), Severity::Warning)]
                .into_iter()
                .collect(),
            ..Config::default()
        };
        let client = ClientSettings::from_value(&json!({
            "azfunc": {"ignore": ["AZF2"], "severity": {"AZF201": "hint", "AZF001": "off"}}
        }));
        let config = merge(&project, &client);
        assert_eq!(config.select, ["AZF"]);
        assert_eq!(config.ignore, ["AZF212", "AZF2", "AZF001"]);
        assert_eq!(config.severity.get("AZF201"), Some(&Severity::Hint));
        // The section itself is accepted too; wrong types are skipped.
        let direct = ClientSettings::from_value(&json!({"select": 1, "ignore": ["X", 2]}));
        assert_eq!(direct.select, None);
        assert_eq!(direct.ignore, ["X"]);
        assert_eq!(direct.problems.len(), 2, "{:?}", direct.problems);
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
