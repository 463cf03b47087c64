//! What the analysis reports: plain data in byte ranges, converted to LSP or CLI output at the edges.

use super::text::TextRange;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    Hint,
    Information,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "information" | "info" => Some(Severity::Information),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }
}

/// A rule's identity and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable code, `AZF` plus three digits; never reused (see `rules::RETIRED`).
    pub code: &'static str,
    /// Kebab-case name of the problem.
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// Why it matters, with an example of the mistake and the fix (Markdown).
    pub explanation: &'static str,
    /// Whether the rule offers fixes, and whether they may be applied unattended.
    pub fix: FixAvailability,
}

impl RuleMeta {
    /// A diagnostic of this rule in `file` that belongs to no function (an app-level file);
    /// `FunctionCtx::diag` gives one of a function.
    pub fn diag(
        &'static self,
        file: &str,
        range: TextRange,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code: Rule::new(self),
            severity: self.severity,
            file: file.to_string(),
            range,
            message: message.into(),
            function: None,
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }
}

/// What a rule's fixes are worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    /// The rule offers no fix.
    None,
    /// Fixes are offered in the editor; a person picks one ("fix all" and `check --fix` skip
    /// them): they may need a value only the author knows, or choose between alternatives.
    Unsafe,
    /// The rule's first fix does what the diagnostic asks and nothing a person must choose, so
    /// "fix all" and `check --fix` apply it (a fix builder may still mark a fix as not
    /// automatic when it is only one guess among several).
    Safe,
}

/// The rule a diagnostic belongs to: its metadata, compared, ordered and shown by its code.
#[derive(Clone, Copy)]
pub struct Rule(&'static RuleMeta);

impl Rule {
    pub const fn new(meta: &'static RuleMeta) -> Rule {
        Rule(meta)
    }

    /// The stable code, e.g. `AZF201`: what every output shows.
    pub fn as_str(self) -> &'static str {
        self.0.code
    }

    pub fn meta(self) -> &'static RuleMeta {
        self.0
    }
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.0.code == other.0.code
    }
}

impl Eq for Rule {}

impl PartialOrd for Rule {
    fn partial_cmp(&self, other: &Rule) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rule {
    fn cmp(&self, other: &Rule) -> std::cmp::Ordering {
        self.0.code.cmp(other.0.code)
    }
}

impl std::hash::Hash for Rule {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.code.hash(state);
    }
}

impl PartialEq<str> for Rule {
    fn eq(&self, other: &str) -> bool {
        self.0.code == other
    }
}

impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        self.0.code == *other
    }
}

/// Shown as its code, as a string would be (`"AZF201"`), so debug output reads as before.
impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0.code, f)
    }
}

/// Stored as its code (by the check cache); read back in `rules` (which knows the codes).
impl serde::Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.code)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.code)
    }
}

/// A place in another file (or the same one) that explains a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Related {
    pub file: String,
    pub range: TextRange,
    pub message: String,
}

/// One text replacement in one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileEdit {
    pub file: String,
    pub range: TextRange,
    pub new_text: String,
}

/// A fix for a diagnostic: a title and the edits that make it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<FileEdit>,
    /// Applied by `check --fix` (set by the CLI once it knows which fixes are automatic).
    pub automatic: bool,
}

/// One problem found in an app.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// The rule that reports it; `code.as_str()` is the stable code, e.g. `AZF201`.
    pub code: Rule,
    pub severity: Severity,
    /// Path relative to the app root.
    pub file: String,
    pub range: TextRange,
    pub message: String,
    /// The function the problem belongs to; `None` for app-level files.
    pub function: Option<String>,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn with_related(
        mut self,
        file: &str,
        range: TextRange,
        message: impl Into<String>,
    ) -> Self {
        self.related.push(Related {
            file: file.to_string(),
            range,
            message: message.into(),
        });
        self
    }

    /// Whether it points into `file`: where it is, a related place, or an edit of a fix.
    pub fn mentions(&self, file: &str) -> bool {
        self.file == file
            || self.related.iter().any(|r| r.file == file)
            || self
                .fixes
                .iter()
                .any(|f| f.edits.iter().any(|e| e.file == file))
    }

    pub fn with_fix(mut self, title: impl Into<String>, edits: Vec<FileEdit>) -> Self {
        self.fixes.push(Fix {
            title: title.into(),
            edits,
            automatic: false,
        });
        self
    }
}

/// Whether a character would act on the terminal or the editor instead of being shown: control
/// characters, line and paragraph separators and bidirectional overrides.
fn is_invisible_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with its control characters written as escapes (`\0`, `\n`, `\u{1b}`), so a message
/// that quotes file content shows every character and moves no cursor.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_invisible_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\0' => out.push_str("\\0"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_invisible_control(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

impl Diagnostic {
    /// Escapes the control characters in the message and the related messages.
    pub fn escape_messages(&mut self) {
        if let std::borrow::Cow::Owned(m) = escape_controls(&self.message) {
            self.message = m;
        }
        for r in &mut self.related {
            if let std::borrow::Cow::Owned(m) = escape_controls(&r.message) {
                r.message = m;
            }
        }
    }
}

/// Characters of a user-written value a message quotes at most; longer values are cut with an
/// ellipsis, so the size of a message never grows with the input.
pub const MAX_QUOTED_CHARS: usize = 80;

/// `text` as a message quotes it: unchanged when short, else its first characters and `…`.
pub fn quoted(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        None => std::borrow::Cow::Borrowed(text),
        Some(_) => {
            let cut = text
                .char_indices()
                .nth(MAX_QUOTED_CHARS - 1)
                .map_or(text.len(), |(i, _)| i);
            std::borrow::Cow::Owned(format!("{}…", &text[..cut]))
        }
    }
}

/// Appends `, and N more` to a list of at most `shown` items out of `total`.
pub fn and_more(total: usize, shown: usize) -> String {
    if total > shown {
        format!(", and {} more", total - shown)
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_controls("plain é"), "plain é");
        assert_eq!(
            escape_controls("a\0b\nc\u{1b}[31m\u{202e}"),
            "a\\0b\\nc\\u{1b}[31m\\u{202e}"
        );
    }

    #[test]
    fn long_values_are_quoted_cut() {
        assert_eq!(quoted("orders/{id}"), "orders/{id}");
        let exact = "x".repeat(MAX_QUOTED_CHARS);
        assert_eq!(quoted(&exact), exact);
        let long = "é".repeat(10_000);
        let q = quoted(&long);
        assert_eq!(q.chars().count(), MAX_QUOTED_CHARS);
        assert!(q.ends_with('…') && q.starts_with("éé"));
        assert_eq!(and_more(5, 3), ", and 2 more");
        assert_eq!(and_more(3, 3), "");
    }
}
