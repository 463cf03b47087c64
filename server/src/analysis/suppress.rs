//! Suppressions: the last step between the rules and every output (`check`, `--fix`, the
//! editor), so the command line and the server silence exactly the same diagnostics.
//!
//! In order: a file in an `exclude`d path reports nothing; `select`/`ignore` and
//! `per-file-ignores` drop codes; then comments in Python files:
//!
//! - `# azfunc: ignore[AZF201, AZF202]` (or a bare `# azfunc: ignore`) silences the diagnostics
//!   that start on its logical line: a statement or decorator call written over several lines
//!   (open brackets, a backslash, a triple-quoted string) is one line, so the comment may sit on
//!   any of its lines;
//! - `# azfunc: ignore-file[AZF607]` (or bare, for every code) anywhere in the file silences
//!   those codes in the whole file.
//!
//! A directive (or a code in it) that silenced nothing, and a code no rule has, is reported by
//! the unused-suppression rule with a fix that removes it; codes the configuration turns off are
//! not reported as unused (the directive may be meant for another configuration).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::app::AppInput;
use super::config::Config;
use super::diagnostic::Diagnostic;
use super::rules;
use super::text::TextRange;

/// The word that starts a directive, after `#`.
const MARKER: &str = "azfunc";

/// One `azfunc:` directive in a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// From the `#` that opens it to its last character (`]` or the keyword).
    pub range: TextRange,
    pub scope: Scope,
    /// The codes listed, upper-cased, each with its range; empty for a bare directive.
    pub codes: Vec<(String, TextRange)>,
    /// The range inside the brackets, when codes are listed.
    pub list: Option<TextRange>,
    /// Text that follows it on the line, not part of it (another comment, a reason).
    pub tail: TextRange,
    /// The start of the physical line it is on.
    pub line_start: usize,
    /// Whether only whitespace precedes it on its line.
    pub alone: bool,
    /// The logical line it silences (for `ignore`), as an index into [`Scan::logical`].
    pub logical: usize,
    /// Why it is not understood (brackets not closed, nothing in them); such a directive
    /// silences nothing.
    pub malformed: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `ignore`: the logical line.
    Line,
    /// `ignore-file`: the whole file.
    File,
}

/// What a Python file's text says about suppressions.
#[derive(Debug, Default)]
pub struct Scan {
    pub directives: Vec<Directive>,
    /// Byte offset of each physical line's start.
    line_starts: Vec<usize>,
    /// For each physical line, its logical line (the index of the logical line's first
    /// physical line).
    logical: Vec<usize>,
}

impl Scan {
    /// The logical line that holds byte `offset`.
    fn logical_of(&self, offset: usize) -> usize {
        let line = self.line_starts.partition_point(|s| *s <= offset).max(1) - 1;
        self.logical.get(line).copied().unwrap_or(line)
    }
}

/// Whether a file may hold directives worth a scan (a Python file that mentions the marker).
pub fn may_hold_directives(file: &str, text: &str) -> bool {
    static NEEDLE: crate::analysis::text::Needle = crate::analysis::text::Needle::new(MARKER);
    file.ends_with(".py") && NEEDLE.is_in(text)
}

/// Reads the comments of a Python file: one pass over the text, tracking strings, brackets and
/// line continuations (linear in the text, whatever it holds).
pub fn scan(text: &str) -> Scan {
    let bytes = text.as_bytes();
    let mut scan = Scan {
        line_starts: vec![0],
        logical: vec![0],
        ..Scan::default()
    };
    let mut depth: usize = 0;
    let mut continued = false;
    let mut i = 0;
    // Starts a new physical line at `at`; it continues the logical line when brackets are open,
    // a backslash ended the last line, or a string spans the break.
    let new_line = |scan: &mut Scan, at: usize, joined: bool| {
        let current = *scan.logical.last().unwrap_or(&0);
        let line = scan.line_starts.len();
        scan.line_starts.push(at);
        scan.logical.push(if joined { current } else { line });
    };
    while i < bytes.len() {
        match bytes[i] {
            b'\r' | b'\n' => {
                let end = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else {
                    i + 1
                };
                new_line(&mut scan, end, depth > 0 || continued);
                continued = false;
                i = end;
            }
            b'\\' => {
                continued = matches!(bytes.get(i + 1), Some(b'\n' | b'\r'));
                i += 1;
            }
            b'#' => {
                let end = bytes[i..]
                    .iter()
                    .position(|b| matches!(b, b'\n' | b'\r'))
                    .map_or(bytes.len(), |p| i + p);
                let line_start = *scan.line_starts.last().unwrap_or(&0);
                let logical = *scan.logical.last().unwrap_or(&0);
                if let Some(d) = directive(text, i, end, line_start, logical) {
                    scan.directives.push(d);
                }
                i = end;
            }
            quote @ (b'\'' | b'"') => {
                let triple = bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote);
                i += if triple { 3 } else { 1 };
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => {
                            // An escaped line break inside a string still starts a line.
                            if matches!(bytes.get(i + 1), Some(b'\n' | b'\r')) {
                                i += 1;
                                continue;
                            }
                            i += 2;
                        }
                        b'\r' | b'\n' if !triple => break,
                        b'\r' | b'\n' => {
                            let end = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                                i + 2
                            } else {
                                i + 1
                            };
                            new_line(&mut scan, end, true);
                            i = end;
                        }
                        b if b == quote
                            && (!triple
                                || (bytes.get(i + 1) == Some(&quote)
                                    && bytes.get(i + 2) == Some(&quote))) =>
                        {
                            i += if triple { 3 } else { 1 };
                            break;
                        }
                        _ => i += 1,
                    }
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => {
                continued = false;
                i += 1;
            }
        }
    }
    scan
}

/// The directive in the comment `text[hash..end]`, if it holds one: `#`, spaces, `azfunc`,
/// spaces, `:`, spaces, `ignore` or `ignore-file`, then optionally `[codes]`. It may follow other
/// comment text (`# type: ignore  # azfunc: ignore[AZF201]`).
fn directive(
    text: &str,
    comment: usize,
    end: usize,
    line_start: usize,
    logical: usize,
) -> Option<Directive> {
    let body = &text[comment..end];
    for (at, _) in body.match_indices('#') {
        let start = comment + at;
        let rest = text[start + 1..end].trim_start();
        let mut pos = end - rest.len();
        if !rest
            .get(..MARKER.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(MARKER))
        {
            continue;
        }
        pos += MARKER.len();
        let after = text[pos..end].trim_start();
        let Some(after) = after.strip_prefix(':') else {
            continue;
        };
        let after = after.trim_start();
        pos = end - after.len();
        let keyword = |word: &str| {
            after
                .get(..word.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(word))
        };
        let scope = if keyword("ignore-file") {
            pos += "ignore-file".len();
            Scope::File
        } else if keyword("ignore") {
            pos += "ignore".len();
            Scope::Line
        } else {
            continue;
        };
        // `ignore` followed by a word character is another word (`ignored`, `ignore_me`).
        if text[pos..end]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            continue;
        }
        let mut codes = Vec::new();
        let mut list = None;
        let mut malformed = None;
        if text[pos..end].starts_with('[') {
            match text[pos..end].find(']') {
                Some(close) => {
                    let inner = TextRange::new(pos + 1, pos + close);
                    let mut offset = inner.start as usize;
                    for piece in text[inner.as_usize()].split(',') {
                        let trimmed = piece.trim();
                        if !trimmed.is_empty() {
                            let lead = piece.len() - piece.trim_start().len();
                            let s = offset + lead;
                            codes.push((
                                trimmed.to_ascii_uppercase(),
                                TextRange::new(s, s + trimmed.len()),
                            ));
                        }
                        offset += piece.len() + 1;
                    }
                    if codes.is_empty() {
                        malformed = Some("lists no code");
                    }
                    list = Some(inner);
                    pos += close + 1;
                }
                None => {
                    malformed = Some("has no closing ']'");
                    pos = end;
                }
            }
        }
        return Some(Directive {
            range: TextRange::new(start, pos),
            scope,
            codes,
            list,
            tail: TextRange::new(pos, end),
            line_start,
            alone: text[line_start..start].trim().is_empty(),
            logical,
            malformed,
        });
    }
    None
}

/// One mistake, one diagnostic: a binding without its parameter that an enabled finding of a
/// misnamed parameter already names (as its related binding, with the rename fix) is left out
/// of `diagnostics` (those of one function, or of a whole app). When the configuration turns
/// the parameter's rule off (or `per-file-ignores` does in its file), the binding is reported
/// on its own again; a comment that silences the parameter's finding silences the mistake.
pub fn one_per_mistake(
    diagnostics: &[Diagnostic],
    config: &Config,
) -> BTreeSet<(String, u32, u32)> {
    let parameter = rules::PARAMETER_WITHOUT_BINDING.code;
    let binding = rules::BINDING_WITHOUT_PARAMETER.code;
    if !diagnostics.iter().any(|d| d.code.as_str() == binding) {
        return BTreeSet::new();
    }
    diagnostics
        .iter()
        .filter(|d| {
            d.code.as_str() == parameter
                && config.enabled_in(parameter, &d.file)
                && !config.excluded(&d.file)
        })
        .flat_map(|d| &d.related)
        .map(|r| (r.file.clone(), r.range.start, r.range.end))
        .collect()
}

/// Whether `d` is a binding without parameter that [`one_per_mistake`] covered.
pub fn is_covered(d: &Diagnostic, covered: &BTreeSet<(String, u32, u32)>) -> bool {
    !covered.is_empty()
        && d.code.as_str() == rules::BINDING_WITHOUT_PARAMETER.code
        && covered.contains(&(d.file.clone(), d.range.start, d.range.end))
}

/// What every one of [`APP_CONSEQUENCES`] holds.
static CONSEQUENCE_MARK: crate::analysis::text::Needle =
    crate::analysis::text::Needle::new("(\"0 functions found\")");

/// The ways a message states the app-level consequence of a failure in a decorator-model app
/// (the worker indexes the app as one unit), each removable without breaking the sentence.
const APP_CONSEQUENCES: &[&str] = &[
    " The worker then indexes no function of the app (\"0 functions found\").",
    "; the worker then indexes no function of the app (\"0 functions found\")",
    ", so no function of the app is indexed (\"0 functions found\")",
    " and the worker indexes no function of the app (\"0 functions found\")",
    " and indexes no function of the app (\"0 functions found\")",
];

/// States the app-level consequence ("0 functions found") once per file: the first diagnostic
/// (in `list`'s order: by file, then position) that states it keeps it, the others of its file
/// lose that clause.
pub fn consequence_once(list: &mut [Diagnostic]) {
    let mut stated: Option<String> = None;
    for d in list.iter_mut() {
        // Asked of every diagnostic a file reports, most of which state no consequence: one
        // search for what every clause holds, before trying each.
        if !CONSEQUENCE_MARK.is_in(&d.message) {
            continue;
        }
        let Some(clause) = APP_CONSEQUENCES.iter().find(|c| d.message.contains(*c)) else {
            continue;
        };
        if stated.as_deref() == Some(d.file.as_str()) {
            d.message = d.message.replacen(clause, "", 1);
        } else {
            stated = Some(d.file.clone());
        }
    }
}

/// What a directive silenced, as suppression goes.
#[derive(Default)]
struct Used {
    /// The directive silenced something (for a bare directive).
    any: bool,
    /// The listed codes that silenced something.
    codes: BTreeSet<String>,
}

/// Applies the configuration and the directives to the diagnostics of one file of `input`, and
/// adds the unused-suppression findings of that file. `diagnostics` are the file's, unfiltered.
pub fn finish_file(
    input: &AppInput,
    config: &Config,
    file: &str,
    diagnostics: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    if config.excluded(file) {
        return Vec::new();
    }
    let mut kept: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| config.enabled_in(d.code.as_str(), file))
        .collect();
    let text = input.text(file).unwrap_or("");
    if !may_hold_directives(file, text) {
        return config.apply(kept);
    }
    let scan = scan(text);
    if scan.directives.is_empty() {
        return config.apply(kept);
    }
    // What the directives silence, as sets (a line or file may hold any number of them).
    let mut line_bare: HashSet<usize> = HashSet::new();
    let mut line_codes: HashSet<(usize, &str)> = HashSet::new();
    let mut file_bare = false;
    let mut file_codes: HashSet<&str> = HashSet::new();
    for directive in scan.directives.iter().filter(|d| d.malformed.is_none()) {
        match (directive.scope, directive.codes.is_empty()) {
            (Scope::Line, true) => {
                line_bare.insert(directive.logical);
            }
            (Scope::Line, false) => line_codes.extend(
                directive
                    .codes
                    .iter()
                    .map(|(c, _)| (directive.logical, c.as_str())),
            ),
            (Scope::File, true) => file_bare = true,
            (Scope::File, false) => {
                file_codes.extend(directive.codes.iter().map(|(c, _)| c.as_str()))
            }
        }
    }
    let mut used_line_bare: HashSet<usize> = HashSet::new();
    let mut used_line_codes: HashSet<(usize, &'static str)> = HashSet::new();
    let mut used_file_bare = false;
    let mut used_file_codes: HashSet<&'static str> = HashSet::new();
    kept.retain(|d| {
        if d.code.meta().code == rules::UNUSED_SUPPRESSION.code {
            return true;
        }
        let code = d.code.as_str();
        let logical = scan.logical_of(d.range.start as usize);
        let mut silenced = false;
        if file_bare {
            used_file_bare = true;
            silenced = true;
        }
        if file_codes.contains(code) {
            used_file_codes.insert(code);
            silenced = true;
        }
        if line_bare.contains(&logical) {
            used_line_bare.insert(logical);
            silenced = true;
        }
        if line_codes.contains(&(logical, code)) {
            used_line_codes.insert((logical, code));
            silenced = true;
        }
        !silenced
    });
    let used: Vec<Used> = scan
        .directives
        .iter()
        .map(|directive| {
            let (any, codes) = match directive.scope {
                Scope::Line => (
                    used_line_bare.contains(&directive.logical),
                    directive
                        .codes
                        .iter()
                        .filter(|(c, _)| used_line_codes.contains(&(directive.logical, c.as_str())))
                        .map(|(c, _)| c.clone())
                        .collect(),
                ),
                Scope::File => (
                    used_file_bare,
                    directive
                        .codes
                        .iter()
                        .filter(|(c, _)| used_file_codes.contains(c.as_str()))
                        .map(|(c, _)| c.clone())
                        .collect(),
                ),
            };
            Used { any, codes }
        })
        .collect();
    if config.enabled_in(rules::UNUSED_SUPPRESSION.code, file) {
        for (directive, used) in scan.directives.iter().zip(&used) {
            if let Some(d) = unused_finding(text, file, config, directive, used) {
                kept.push(d);
            }
        }
    }
    settle(config.apply(kept))
}

/// The last touch on one file's findings: in position order, with the app-level consequence
/// stated once.
fn settle(mut list: Vec<Diagnostic>) -> Vec<Diagnostic> {
    list.sort_by(|a, b| {
        (a.range.start, a.code, a.range.end).cmp(&(b.range.start, b.code, b.range.end))
    });
    consequence_once(&mut list);
    list
}

/// The finding for a directive that silenced nothing (or lists codes that silenced nothing or
/// that no rule has), with the fix that removes it or the codes.
fn unused_finding(
    text: &str,
    file: &str,
    config: &Config,
    directive: &Directive,
    used: &Used,
) -> Option<Diagnostic> {
    let what = match directive.scope {
        Scope::Line => "suppression",
        Scope::File => "file suppression",
    };
    if let Some(why) = directive.malformed {
        return Some(rules::unused_suppression(
            file,
            directive.range,
            format!("{what} {why}, so it silences nothing"),
            None,
        ));
    }
    if directive.codes.is_empty() {
        if used.any {
            return None;
        }
        let message = match directive.scope {
            Scope::Line => "unused suppression: no diagnostic starts on this line".to_string(),
            Scope::File => "unused file suppression: the file has no diagnostic".to_string(),
        };
        let fix = removal(text, directive);
        return Some(rules::unused_suppression(
            file,
            directive.range,
            message,
            Some(("Remove the unused suppression".to_string(), fix)),
        ));
    }
    let mut unknown = Vec::new();
    let mut unused = Vec::new();
    let mut keep = Vec::new();
    let mut seen = BTreeSet::new();
    for (code, _) in &directive.codes {
        if !seen.insert(code.as_str()) {
            continue;
        }
        if rules::rule(code).is_none() {
            unknown.push(code.as_str());
        } else if used.codes.contains(code) || !config.enabled_in(code, file) {
            keep.push(code.as_str());
        } else {
            unused.push(code.as_str());
        }
    }
    if unknown.is_empty() && unused.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !unused.is_empty() {
        let place = match directive.scope {
            Scope::Line => "on this line",
            Scope::File => "in this file",
        };
        parts.push(format!("no {} diagnostic {place}", unused.join(" or ")));
    }
    if !unknown.is_empty() {
        let shown: Vec<String> = unknown
            .iter()
            .take(5)
            .map(|c| super::config::quoted(c))
            .collect();
        parts.push(format!(
            "unknown code{} {}{}",
            if unknown.len() == 1 { "" } else { "s" },
            shown.join(", "),
            super::diagnostic::and_more(unknown.len(), shown.len())
        ));
    }
    let message = format!("unused {what}: {}", parts.join("; "));
    let (title, edit) = match (keep.is_empty(), directive.list) {
        (false, Some(list)) => (
            "Remove the unused codes from the suppression".to_string(),
            (list, keep.join(", ")),
        ),
        _ => (
            "Remove the unused suppression".to_string(),
            removal(text, directive),
        ),
    };
    Some(rules::unused_suppression(
        file,
        directive.range,
        message,
        Some((title, edit)),
    ))
}

/// The edit that removes a directive: the whole line when it is alone on it, else the directive
/// (and the spaces before it when nothing follows it, or after it when a comment follows).
fn removal(text: &str, directive: &Directive) -> (TextRange, String) {
    let start = directive.range.start as usize;
    let end = directive.range.end as usize;
    let tail_end = directive.tail.end as usize;
    let tail = &text[end..tail_end];
    if tail.trim().is_empty() {
        if directive.alone {
            // The line and its line break.
            let mut line_end = tail_end;
            if text[line_end..].starts_with("\r\n") {
                line_end += 2;
            } else if text[line_end..].starts_with(['\n', '\r']) {
                line_end += 1;
            }
            return (
                TextRange::new(directive.line_start, line_end),
                String::new(),
            );
        }
        let before = text[..start].trim_end_matches([' ', '\t']).len();
        return (TextRange::new(before, tail_end), String::new());
    }
    let spaces = tail.len() - tail.trim_start().len();
    if tail.trim_start().starts_with('#') {
        return (TextRange::new(start, end + spaces), String::new());
    }
    // A reason follows: keep `# reason`.
    let hash_end =
        start + 1 + (text[start + 1..end].len() - text[start + 1..end].trim_start().len());
    (TextRange::new(hash_end, end + spaces), String::new())
}

/// [`finish_file`] over all of an app's diagnostics (any order), also for the Python files that
/// hold directives but have no diagnostic; the result is sorted by file and position.
pub fn finish_app(input: &AppInput, config: &Config, all: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut by_file: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
    for d in all {
        by_file.entry(d.file.clone()).or_default().push(d);
    }
    for file in files_with_directives(input) {
        by_file.entry(file.to_string()).or_default();
    }
    let mut out = Vec::new();
    for (file, list) in by_file {
        out.extend(finish_file(input, config, &file, list));
    }
    out.sort_by(|a, b| {
        (&a.file, a.range.start, a.code, &a.message, a.range.end).cmp(&(
            &b.file,
            b.range.start,
            b.code,
            &b.message,
            b.range.end,
        ))
    });
    out
}

/// The Python files of the app whose text may hold directives.
pub fn files_with_directives(input: &AppInput) -> impl Iterator<Item = &String> {
    input
        .files
        .iter()
        .filter(|(path, content)| {
            content
                .text()
                .is_some_and(|text| may_hold_directives(path, text))
        })
        .map(|(path, _)| path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::config::PathGlobs;
    use crate::analysis::rules::test_support::{app, render};
    use crate::analysis::state::AppState;
    use crate::analysis::{check_app, Config};
    use expect_test::expect;

    const MISNAMED: &str = "//- /host.json\n{\"version\": \"2.0\"}\n//- /F/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"req\"}, {\"type\": \"blob\", \"name\": \"doc\", \"path\": \"a/b\"}]}\n//- /F/__init__.py\ndef main(request): pass\n";

    fn select(codes: &[&str]) -> Config {
        Config {
            select: codes.iter().map(|c| c.to_string()).collect(),
            ..Config::default()
        }
    }

    #[test]
    fn a_misnamed_parameter_is_one_diagnostic_with_both_places() {
        let app = app(MISNAMED);
        // The parameter carries the binding it means; the binding 'doc', with no parameter at
        // all, is its own mistake.
        expect![[r#"
            F/__init__.py:1:10 AZF201 error parameter 'request' of main() is not declared in function.json, so 'F' does not load — did you mean 'req'?
              related F/function.json:1:47: binding 'req'
              fix: Rename parameter 'request' to 'req'
            F/function.json:1:80 AZF202 error binding 'doc' has no parameter in main(), so 'F' does not load
              related F/__init__.py:1:5: main() is defined here
        "#]]
        .assert_eq(&render(&app, &check_app(&app, &select(&["AZF2"]))));
        // The editor's answer per file agrees.
        let mut state = AppState::new(app.clone());
        state.check_all();
        let json: Vec<_> = state
            .file_diagnostics("F/function.json", &select(&["AZF2"]))
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert_eq!(
            json,
            ["binding 'doc' has no parameter in main(), so 'F' does not load"]
        );
        // With the parameter's rule off (or ignored for the script), the binding speaks again.
        for config in [select(&["AZF202"]), {
            let mut c = select(&["AZF2"]);
            c.per_file_ignores.push((
                PathGlobs::new(["*.py".to_string()]).0,
                vec!["AZF201".into()],
            ));
            c
        }] {
            let found = check_app(&app, &config);
            assert_eq!(found.len(), 2, "{found:?}");
            assert!(found.iter().all(|d| d.code == "AZF202"));
        }
    }

    #[test]
    fn excluded_paths_and_per_file_ignores() {
        let fixture =
            format!("{MISNAMED}//- /tests/fixture/function_app.py\nimport os\nos.environ[\"X\"]\n");
        let app = app(&fixture);
        let mut config = Config::default();
        assert!(config.excluded(".venv/lib/x.py") && config.excluded("a/node_modules/b.py"));
        assert!(!config.excluded("F/__init__.py"));
        config.base = "apps/one/".into();
        config.exclude = PathGlobs::new(["apps/one/F".to_string()]).0;
        assert!(config.excluded("F/function.json") && !config.excluded("G/function.json"));
        // Anchored globs are relative to the configuration's folder, not the app's.
        config.exclude = PathGlobs::new(["F/**".to_string()]).0;
        assert!(!config.excluded("F/function.json"));
        config.base.clear();
        let found = check_app(&app, &config);
        assert!(found.iter().all(|d| !d.file.starts_with("F/")), "{found:?}");
        // per-file-ignores by prefix, for the paths that match.
        let mut config = select(&["AZF2"]);
        config.per_file_ignores.push((
            PathGlobs::new(["F/*.json".to_string()]).0,
            vec!["AZF2".into()],
        ));
        let codes: Vec<_> = check_app(&app, &config)
            .into_iter()
            .map(|d| (d.code.as_str(), d.file))
            .collect();
        assert_eq!(codes, [("AZF201", "F/__init__.py".to_string())]);
        // Bad globs are left out with a problem.
        let (globs, problems) = PathGlobs::new(["a/[b".to_string(), "ok".to_string()]);
        assert_eq!(globs.patterns(), ["ok"]);
        assert_eq!(problems.len(), 1, "{problems:?}");
    }

    #[test]
    fn logical_lines_follow_brackets_strings_and_backslashes() {
        let text = "a = (1,\n  2)  # azfunc: ignore\nb = '''x\n# not a comment\n''' \\\n  + c  # azfunc: ignore-file[AZF001]\nd = \"#\"\n";
        let scan = scan(text);
        assert_eq!(scan.directives.len(), 2, "{:?}", scan.directives);
        let line = |n: usize| {
            text.split_inclusive('\n')
                .take(n)
                .map(str::len)
                .sum::<usize>()
        };
        // Lines 1-2 are one logical line, lines 3-6 another, line 7 its own.
        assert_eq!(scan.logical_of(line(0)), scan.logical_of(line(1)));
        assert_eq!(scan.logical_of(line(2)), scan.logical_of(line(5)));
        assert_ne!(scan.logical_of(line(1)), scan.logical_of(line(2)));
        assert_ne!(scan.logical_of(line(5)), scan.logical_of(line(6)));
        assert_eq!(scan.directives[1].scope, Scope::File);
        assert_eq!(scan.directives[1].codes[0].0, "AZF001");
    }

    #[test]
    fn hostile_text_is_scanned_in_linear_time() {
        let text = format!(
            "{}{}",
            "(".repeat(200_000),
            "x  # azfunc: ignore[AZF201]\n\"\"\"\n".repeat(20_000)
        );
        let started = std::time::Instant::now();
        let scan = scan(&text);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // Every other `"""` opens a string that hides the next directive.
        assert_eq!(scan.directives.len(), 10_000);
    }

    #[test]
    fn the_app_level_consequence_is_stated_once_per_file() {
        let fixture = "//- /host.json\n{\"version\": \"2.0\"}\n//- /function_app.py\nimport azure.functions as func\napp = func.FunctionApp()\n@app.route(route=\"a\", auth_level=\"public\")\ndef a(req: func.HttpRequest) -> func.HttpResponse:\n    return 1\n@app.route(route=\"b\", methods=[\"FETCH\"])\ndef b(req: func.HttpRequest) -> func.HttpResponse:\n    return 1\n";
        let app = app(fixture);
        let config = select(&["AZF711"]);
        let whole = crate::analysis::check_app_whole_messages(&app, &config);
        assert_eq!(whole.len(), 2);
        assert!(whole
            .iter()
            .all(|d| d.message.contains("0 functions found")));
        let once = check_app(&app, &config);
        let stating: Vec<bool> = once
            .iter()
            .map(|d| d.message.contains("0 functions found"))
            .collect();
        assert_eq!(stating, [true, false]);
        // The sentence still reads: only the clause goes.
        assert!(
            once[1]
                .message
                .ends_with("the worker's import of function_app.py fails — did you mean 'PATCH'?"),
            "{}",
            once[1].message
        );
        // The editor's answer for the file agrees.
        let mut state = AppState::new(app.clone());
        state.check_all();
        let messages: Vec<String> = state
            .file_diagnostics("function_app.py", &config)
            .into_iter()
            .map(|d| d.message)
            .collect();
        let expected: Vec<String> = once.into_iter().map(|d| d.message).collect();
        assert_eq!(messages, expected);
    }

    #[test]
    fn every_way_of_stating_the_consequence_holds_what_is_searched_first() {
        // `consequence_once` passes over a message without the mark: a clause without it would
        // be stated in every diagnostic of its file.
        for clause in APP_CONSEQUENCES {
            assert!(CONSEQUENCE_MARK.is_in(clause), "{clause}");
        }
        let message = |text: &str| {
            rules::BINDING_WITHOUT_PARAMETER.diag(
                "function_app.py",
                crate::analysis::text::TextRange::new(0, 1),
                text,
            )
        };
        for clause in APP_CONSEQUENCES {
            let mut list = [
                message(&format!("first{clause}")),
                message(&format!("second{clause}")),
            ];
            consequence_once(&mut list);
            assert_eq!(list[0].message, format!("first{clause}"));
            assert_eq!(list[1].message, "second");
        }
    }

    #[test]
    fn many_directives_and_diagnostics_cost_linear_time() {
        // 20,000 misnamed parameters, each line with a suppression, in one call (one logical
        // line) and below a thousand file directives.
        let n = 20_000;
        let params: Vec<String> = (0..n)
            .map(|i| format!("p{i},  # azfunc: ignore[AZF201]\n"))
            .collect();
        let files = "# azfunc: ignore-file[AZF203]\n".repeat(1_000);
        let py = format!("{files}def main(\n{}):\n    pass\n", params.concat());
        let app = crate::analysis::AppInput::new("app")
            .with_file(
                "F/function.json",
                "{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"req\"}]}",
            )
            .with_file("F/__init__.py", &py);
        let started = std::time::Instant::now();
        let found = check_app(&app, &select(&["AZF014", "AZF201", "AZF203"]));
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        // Every AZF201 is silenced; each file directive is unused.
        assert!(
            found.iter().all(|d| d.code == "AZF014"),
            "{:?}",
            &found[..3.min(found.len())]
        );
        assert_eq!(found.len(), 1_000);
    }
}
