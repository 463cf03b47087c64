//! Which rules run and at what severity: from `[tool.azfunc-lsp]`, CLI flags or editor settings.

use std::collections::BTreeMap;

use super::diagnostic::{Diagnostic, Severity};
use super::rules::{self, RuleMeta};

/// Rule selection. Codes are matched by prefix, as in ruff: `AZF2` means every `AZF2xx` rule,
/// `AZF` (or `ALL`) every rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Only these codes (prefixes) are reported; empty means all.
    pub select: Vec<String>,
    /// These codes (prefixes) are never reported; wins over `select`.
    pub ignore: Vec<String>,
    /// Per-code (or prefix) severity overrides; the longest matching prefix wins.
    pub severity: BTreeMap<String, Severity>,
}

impl Config {
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
            .filter(|p| {
                !rules::RULES
                    .iter()
                    .any(|r: &RuleMeta| Self::matches(p, r.code))
            })
            .cloned()
            .collect()
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
