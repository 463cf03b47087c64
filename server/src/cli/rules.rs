//! `azfunc-lsp rules [CODE]`: the rule table, or one rule's explanation; and the generated
//! `server/RULES.md`.

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::Args;

use super::write_stdout;
use crate::analysis::rules::{RuleMeta, RULES};

#[derive(Debug, Clone, Args)]
pub struct RulesArgs {
    /// A rule code (`AZF201`) or name to explain, or a code prefix (`AZF2`) to list.
    pub code: Option<String>,
}

/// Runs `rules`.
pub fn run(args: &RulesArgs) -> ExitCode {
    let Some(query) = args.code.as_deref().map(str::trim) else {
        return write_stdout(&format!(
            "{}\n{}",
            table(RULES.iter()),
            wrapped(POLICY, 100)
        ));
    };
    if let Some(rule) = find(query) {
        return write_stdout(&explain(rule));
    }
    let matching: Vec<&RuleMeta> = RULES
        .iter()
        .filter(|r| {
            r.code
                .get(..query.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(query))
        })
        .collect();
    if !query.is_empty() && !matching.is_empty() {
        return write_stdout(&table(matching.into_iter()));
    }
    let mut message = format!("error: unknown rule '{query}'");
    if let Some(suggestion) = did_you_mean(query) {
        let _ = write!(message, "; did you mean '{suggestion}'?");
    }
    eprintln!("{message}\nRun `azfunc-lsp rules` for the list of rules.");
    ExitCode::from(2)
}

/// The rule with this code or name (case-insensitive).
pub fn find(query: &str) -> Option<&'static RuleMeta> {
    RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(query) || r.name.eq_ignore_ascii_case(query))
}

/// The closest rule code or name to a mistyped one, if any is close.
pub fn did_you_mean(query: &str) -> Option<&'static str> {
    let query = query.to_ascii_lowercase();
    RULES
        .iter()
        .flat_map(|r| [r.code, r.name])
        .map(|candidate| {
            let distance = strsim::levenshtein(&query, &candidate.to_ascii_lowercase());
            (distance, candidate)
        })
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 4))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// The plain-text table: code, name, default severity, summary.
pub fn table<'a>(rules: impl Iterator<Item = &'a RuleMeta>) -> String {
    let rules: Vec<&RuleMeta> = rules.collect();
    let name_width = rules
        .iter()
        .map(|r| r.name.len())
        .chain(["Name".len()])
        .max()
        .unwrap_or(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<6}  {:<name_width$}  {:<11}  Summary",
        "Code", "Name", "Severity"
    );
    for rule in rules {
        let _ = writeln!(
            out,
            "{:<6}  {:<name_width$}  {:<11}  {}",
            rule.code,
            rule.name,
            rule.severity.as_str(),
            rule.summary
        );
    }
    out
}

/// One rule's explanation, with a header.
pub fn explain(rule: &RuleMeta) -> String {
    let mut out = format!(
        "{} ({})\n\nDefault severity: {}\n\n{}\n",
        rule.code,
        rule.name,
        rule.severity.as_str(),
        rule.summary
    );
    let explanation = rule.explanation.trim();
    if !explanation.is_empty() {
        let _ = write!(out, "\n{explanation}\n");
    }
    out
}

/// What the severities promise and how to silence a rule: printed under the list of rules and
/// in `server/RULES.md`.
pub const POLICY: &str = "An error means the runtime refuses the function or the app (the worker \
fails to index it, or the host rejects it); a valid app gets none. A warning means it may fail or \
misbehave depending on what the checker cannot see (settings of the deployed app, packages it does \
not model, a branch that may not run); information and hints are advice. Where the checker cannot \
know, it stays below error or says nothing. Silence a rule on one line with \
`# azfunc: ignore[AZF201]`, in a file with `# azfunc: ignore-file[AZF201]`, and for paths with \
`per-file-ignores` or `extend-exclude` in `[tool.azfunc-lsp]` (docs/suppressions.md, \
docs/configuration.md).";

/// `text` in lines of at most `width` characters (longer words stay whole), each ending in `\n`.
fn wrapped(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if line_len > 0 && line_len + 1 + len > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += len;
    }
    out.push('\n');
    out
}

/// The content of `server/RULES.md`, generated from [`RULES`].
pub fn markdown_table() -> String {
    let mut out = String::from(
        "# Rules\n\n\
         <!-- Generated from `analysis::rules::RULES` by `server/tests/cli_rules_doc.rs`. \
         Do not edit by hand: run `UPDATE_RULES_DOC=1 cargo test --test cli_rules_doc`. -->\n\n\
         Every diagnostic `azfunc-lsp` reports has one of these codes. \
         `azfunc-lsp rules CODE` prints a rule's explanation. \
         Select, ignore or re-rank rules in `[tool.azfunc-lsp]` of `pyproject.toml` \
         or with `azfunc-lsp check --select/--ignore`.\n\n",
    );
    out.push_str(POLICY);
    out.push_str(
        "\n\n\
         | Code | Name | Default severity | Summary |\n\
         | --- | --- | --- | --- |\n",
    );
    for rule in RULES {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            rule.code,
            markdown_cell(rule.name),
            rule.severity.as_str(),
            markdown_cell(rule.summary)
        );
    }
    out
}

/// Text made safe for one Markdown table cell.
fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace("\r\n", " ")
        .replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn wrapping_keeps_every_word_and_the_width() {
        let text = wrapped(super::POLICY, 100);
        assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
        assert_eq!(
            text.split_whitespace().collect::<Vec<_>>(),
            super::POLICY.split_whitespace().collect::<Vec<_>>()
        );
        assert_eq!(wrapped("a bb ccc", 4), "a bb\nccc\n");
    }

    use super::*;

    #[test]
    fn cells_escape_pipes_and_line_breaks() {
        assert_eq!(markdown_cell("a | b\nc"), "a \\| b c");
    }

    #[test]
    fn table_lists_every_rule() {
        let text = table(RULES.iter());
        assert_eq!(text.lines().count(), RULES.len() + 1);
        for rule in RULES {
            assert!(text.contains(rule.code));
            assert!(did_you_mean(&rule.code.to_lowercase()) == Some(rule.code));
        }
    }
}
