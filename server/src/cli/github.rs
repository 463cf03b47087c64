//! `--format github`: GitHub Actions workflow commands, one annotation per diagnostic.
//!
//! ```text
//! ::error file=app/F/__init__.py,line=4,endLine=4,col=10,endColumn=17,title=AZF201::message
//! ```
//!
//! Errors are `error`, warnings `warning`, information and hints `notice`.

use std::fmt::Write as _;

use super::report::Item;
use crate::analysis::Severity;

/// One line per item.
pub fn render(items: &[Item]) -> String {
    let mut out = String::new();
    for item in items {
        let d = &item.out;
        let command = match item.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information | Severity::Hint => "notice",
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={},endLine={},col={},endColumn={},title={}::{}",
            escape_property(&d.file),
            d.range.start.line,
            d.range.end.line,
            d.range.start.column,
            d.range.end.column,
            escape_property(&d.code),
            escape_data(&d.message),
        );
    }
    out
}

/// Escapes a command's message (`%`, CR, LF).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (as data, plus `:` and `,`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_per_github_rules() {
        assert_eq!(escape_data("100%\r\nok: a, b"), "100%25%0D%0Aok: a, b");
        assert_eq!(escape_property("C:\\a,b%"), "C%3A\\a%2Cb%25");
    }
}
