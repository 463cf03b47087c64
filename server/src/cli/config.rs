//! `[tool.azfunc-lsp]` in `pyproject.toml`, merged with the command-line flags into an
//! [`analysis::Config`](crate::analysis::Config).
//!
//! ```toml
//! [tool.azfunc-lsp]
//! select = ["AZF"]               # codes or prefixes to report (default: all)
//! ignore = ["AZF106", "AZF6"]    # codes or prefixes never reported
//! severity = { AZF203 = "warning", AZF4 = "off" }   # "off" is the same as ignore
//! ```
//!
//! Problems in the file (bad TOML, wrong types, unknown codes) are warnings on stderr, never
//! failures: the check goes on with what could be understood.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use crate::analysis::{Config, Severity};

/// The settings read from one `pyproject.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileConfig {
    /// The file it came from.
    pub path: PathBuf,
    pub config: Config,
}

/// Settings given on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagConfig {
    /// `--select`: replaces the file's `select` when given.
    pub select: Option<Vec<String>>,
    /// `--ignore`: added to the file's `ignore`.
    pub ignore: Vec<String>,
}

impl FlagConfig {
    /// The flags on top of the file's settings (if any).
    pub fn merge(&self, file: Option<&FileConfig>) -> Config {
        let mut config = file.map(|f| f.config.clone()).unwrap_or_default();
        if let Some(select) = &self.select {
            config.select = select.clone();
        }
        config.ignore.extend(self.ignore.iter().cloned());
        config
    }

    /// Codes in the flags that match no rule.
    pub fn unknown_codes(&self) -> Vec<String> {
        Config {
            select: self.select.clone().unwrap_or_default(),
            ignore: self.ignore.clone(),
            severity: BTreeMap::new(),
        }
        .unknown_codes()
    }
}

/// Splits comma-separated flag values (`--select AZF1,AZF2 --select AZF301`) into codes.
pub fn split_codes(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// Finds and parses the configuration for app roots, reading each `pyproject.toml` once.
#[derive(Debug, Default)]
pub struct ConfigFinder {
    cache: HashMap<PathBuf, Option<FileConfig>>,
    /// Warnings to show on stderr, in the order they were found.
    pub warnings: Vec<String>,
}

impl ConfigFinder {
    /// The nearest `pyproject.toml` at or above `root` with a `[tool.azfunc-lsp]` table. The
    /// search stops at the folder that holds `.git`.
    pub fn find(&mut self, root: &Path) -> Option<FileConfig> {
        for dir in root.ancestors() {
            let candidate = dir.join("pyproject.toml");
            if candidate.is_file() {
                if !self.cache.contains_key(&candidate) {
                    let parsed = self.parse(&candidate);
                    self.cache.insert(candidate.clone(), parsed);
                }
                if let Some(Some(found)) = self.cache.get(&candidate) {
                    return Some(found.clone());
                }
            }
            if dir.join(".git").exists() {
                break;
            }
        }
        None
    }

    fn parse(&mut self, path: &Path) -> Option<FileConfig> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                self.warnings
                    .push(format!("cannot read {}: {error}", path.display()));
                return None;
            }
        };
        match parse_pyproject(&text) {
            Ok(None) => None,
            Ok(Some((config, warnings))) => {
                let shown = path.display();
                self.warnings
                    .extend(warnings.into_iter().map(|w| format!("{shown}: {w}")));
                self.warnings.extend(
                    config
                        .unknown_codes()
                        .into_iter()
                        .map(|c| format!("{shown}: unknown rule code or prefix '{c}'")),
                );
                Some(FileConfig {
                    path: path.to_path_buf(),
                    config,
                })
            }
            Err(error) => {
                self.warnings.push(format!(
                    "{}: not valid TOML, its settings are ignored: {}",
                    path.display(),
                    error.trim_end()
                ));
                None
            }
        }
    }
}

/// Parses `[tool.azfunc-lsp]` from a `pyproject.toml`: `Ok(None)` when the table is absent;
/// otherwise the configuration and warnings about the parts that were not understood.
pub fn parse_pyproject(text: &str) -> Result<Option<(Config, Vec<String>)>, String> {
    let document: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let Some(section) = document.get("tool").and_then(|t| t.get("azfunc-lsp")) else {
        return Ok(None);
    };
    let mut warnings = Vec::new();
    let Some(section) = section.as_table() else {
        warnings.push("[tool.azfunc-lsp] is not a table".to_string());
        return Ok(Some((Config::default(), warnings)));
    };
    let mut config = Config::default();
    for (key, value) in section {
        match key.as_str() {
            "select" => config.select = code_list(key, value, &mut warnings),
            "ignore" => config.ignore.extend(code_list(key, value, &mut warnings)),
            "severity" => {
                let Some(table) = value.as_table() else {
                    warnings.push("'severity' must be a table of code = \"level\"".to_string());
                    continue;
                };
                for (code, level) in table {
                    match level.as_str().map(str::to_ascii_lowercase).as_deref() {
                        Some("off") => config.ignore.push(code.clone()),
                        Some(name) => match Severity::parse(name) {
                            Some(severity) => {
                                config.severity.insert(code.clone(), severity);
                            }
                            None => warnings.push(format!(
                                "severity of '{code}': '{name}' is not one of error, warning, \
                                 information, hint, off"
                            )),
                        },
                        None => warnings.push(format!("severity of '{code}' must be a string")),
                    }
                }
            }
            other => warnings.push(format!("unknown key '{other}' in [tool.azfunc-lsp]")),
        }
    }
    Ok(Some((config, warnings)))
}

/// A list of codes: an array of strings, or one comma-separated string.
fn code_list(key: &str, value: &toml::Value, warnings: &mut Vec<String>) -> Vec<String> {
    match value {
        toml::Value::String(s) => split_codes(std::slice::from_ref(s)),
        toml::Value::Array(items) => {
            let mut codes = Vec::new();
            for item in items {
                match item.as_str() {
                    Some(code) => codes.push(code.trim().to_string()),
                    None => warnings.push(format!(
                        "'{key}' must hold strings, found {}",
                        item.type_str()
                    )),
                }
            }
            codes
        }
        other => {
            warnings.push(format!(
                "'{key}' must be an array of strings, found {}",
                other.type_str()
            ));
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_tool_table() {
        let text = r#"
[project]
name = "x"

[tool.azfunc-lsp]
select = ["AZF2", "AZF301"]
ignore = "AZF106, AZF6"
severity = { AZF203 = "warning", AZF4 = "off", AZF5 = "fatal" }
colour = true
"#;
        let (config, warnings) = parse_pyproject(text).unwrap().unwrap();
        assert_eq!(config.select, ["AZF2", "AZF301"]);
        assert_eq!(config.ignore, ["AZF106", "AZF6", "AZF4"]);
        assert_eq!(config.severity.get("AZF203"), Some(&Severity::Warning));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings.iter().any(|w| w.contains("'fatal'")));
        assert!(warnings.iter().any(|w| w.contains("'colour'")));
    }

    #[test]
    fn absent_table_and_bad_toml() {
        assert_eq!(parse_pyproject("[tool.ruff]\nx = 1\n"), Ok(None));
        assert!(parse_pyproject("[tool.azfunc-lsp\n").is_err());
    }

    #[test]
    fn flags_replace_select_and_extend_ignore() {
        let file = FileConfig {
            path: PathBuf::from("pyproject.toml"),
            config: Config {
                select: vec!["AZF2".into()],
                ignore: vec!["AZF201".into()],
                severity: BTreeMap::new(),
            },
        };
        let flags = FlagConfig {
            select: Some(vec!["AZF1".into()]),
            ignore: vec!["AZF101".into()],
        };
        let merged = flags.merge(Some(&file));
        assert_eq!(merged.select, ["AZF1"]);
        assert_eq!(merged.ignore, ["AZF201", "AZF101"]);
        assert_eq!(
            split_codes(&["AZF1, AZF2".into(), "AZF3".into()]),
            ["AZF1", "AZF2", "AZF3"]
        );
    }
}
