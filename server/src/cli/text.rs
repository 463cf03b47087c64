//! `--format text`: one header line per diagnostic, the source with the range underlined, notes
//! for related locations and help for fixes, then a summary.
//!
//! ```text
//! HttpTrigger/__init__.py:4:10: error[AZF201] parameter 'request' has no binding in function.json
//!   |
//! 4 | def main(request: func.HttpRequest) -> func.HttpResponse:
//!   |          ^^^^^^^
//!   = note: HttpTrigger/function.json:7:15: binding 'req' is declared here
//!   = help: Rename the parameter to 'req'
//!
//! Found 1 error, 0 warnings (1 fixable).
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::report::{CheckedApp, Item};
use crate::analysis::text::LineIndex;
use crate::analysis::Severity;

/// Source lines of a range shown at most; longer ranges show their first and last lines.
const MAX_SNIPPET_LINES: usize = 6;
/// Lines wider than this (in characters) are cut around the range.
const MAX_LINE_WIDTH: usize = 160;
/// Characters kept before the range when a line is cut.
const CUT_CONTEXT: usize = 40;
const TAB: &str = "    ";

/// The styles used; all plain when colour is off.
#[derive(Debug, Clone, Copy, Default)]
struct Styles {
    path: Style,
    error: Style,
    warning: Style,
    info: Style,
    hint: Style,
    gutter: Style,
    label: Style,
}

impl Styles {
    fn new(color: bool) -> Styles {
        if !color {
            return Styles::default();
        }
        let bold = Style::new().bold();
        Styles {
            path: bold,
            error: bold.fg_color(Some(AnsiColor::Red.into())),
            warning: bold.fg_color(Some(AnsiColor::Yellow.into())),
            info: bold.fg_color(Some(AnsiColor::Blue.into())),
            hint: bold.fg_color(Some(AnsiColor::Cyan.into())),
            gutter: bold.fg_color(Some(AnsiColor::Blue.into())),
            label: bold,
        }
    }

    fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Information => self.info,
            Severity::Hint => self.hint,
        }
    }
}

/// The short severity label shown in the header.
pub fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information => "info",
        Severity::Hint => "hint",
    }
}

/// Renders the diagnostics, and the summary unless `quiet`.
pub fn render(apps: &[CheckedApp], items: &[Item], color: bool, quiet: bool) -> String {
    let styles = Styles::new(color);
    let mut out = String::new();
    // One line index per file, built on first use: a file with many diagnostics is indexed once.
    let mut indexes: HashMap<(usize, &str), LineIndex> = HashMap::new();
    for item in items {
        render_item(&mut out, apps, item, &styles, &mut indexes);
        out.push('\n');
    }
    if !quiet {
        if items.is_empty() && !apps.is_empty() && apps.iter().all(|app| app.excluded) {
            // Nothing was looked at: "All checks passed." would claim otherwise.
            out.push_str(NOTHING_CHECKED);
        } else {
            out.push_str(&summary(items));
        }
        out.push('\n');
    }
    out
}

/// The summary when every app found lies in an excluded path.
pub const NOTHING_CHECKED: &str =
    "No file checked: every app found lies in a path excluded by `exclude`/`extend-exclude`.";

fn render_item<'a>(
    out: &mut String,
    apps: &'a [CheckedApp],
    item: &Item,
    styles: &Styles,
    indexes: &mut HashMap<(usize, &'a str), LineIndex>,
) {
    let d = &item.out;
    let sev = styles.severity(item.severity);
    let _ = writeln!(
        out,
        "{path_s}{}:{}:{}:{path_s:#} {sev}{}[{}]{sev:#} {}",
        d.file,
        d.range.start.line,
        d.range.start.column,
        severity_label(item.severity),
        d.code,
        d.message,
        path_s = styles.path,
    );
    let diagnostic = item.diagnostic(apps);
    if let Some((file, content)) = apps[item.app].input.files.get_key_value(&diagnostic.file) {
        if let Some(text) = content.text() {
            let index = indexes
                .entry((item.app, file.as_str()))
                .or_insert_with(|| LineIndex::new(text));
            render_snippet(out, text, index, diagnostic.range.as_usize(), sev, styles);
        }
    }
    let label = styles.label;
    for related in &d.related {
        let _ = writeln!(
            out,
            "  {label}= note{label:#}: {}:{}:{}: {}",
            related.file, related.range.start.line, related.range.start.column, related.message
        );
    }
    for fix in &d.fixes {
        let _ = writeln!(out, "  {label}= help{label:#}: {}", fix.title);
    }
}

/// The byte offset `chars` characters before `offset` (not before `floor`).
fn back_chars(text: &str, floor: usize, offset: usize, chars: usize) -> usize {
    text[floor..offset]
        .char_indices()
        .rev()
        .take(chars)
        .last()
        .map_or(offset, |(i, _)| floor + i)
}

/// The byte offset `chars` characters after `offset` (not after `ceiling`).
fn forward_chars(text: &str, offset: usize, ceiling: usize, chars: usize) -> usize {
    text[offset..ceiling]
        .char_indices()
        .nth(chars)
        .map_or(ceiling, |(i, _)| offset + i)
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The lines of `range` with a gutter and the range underlined with `^`. Work and output per
/// line are bounded by [`MAX_LINE_WIDTH`], however long the line or the range.
fn render_snippet(
    out: &mut String,
    text: &str,
    index: &LineIndex,
    range: std::ops::Range<usize>,
    sev: Style,
    styles: &Styles,
) {
    let range_start = floor_boundary(text, range.start);
    let range_end = floor_boundary(text, range.end.max(range.start));
    let first = index.line_of(range_start);
    let mut last = index.line_of(range_end);
    // A range that ends at the start of a line (after a line break) does not cover that line.
    if last > first && index.line_start(last) == Some(range_end) {
        last -= 1;
    }

    let mut lines: Vec<Option<usize>> = if last - first + 1 > MAX_SNIPPET_LINES {
        let mut l: Vec<Option<usize>> = (first..first + 3).map(Some).collect();
        l.push(None);
        l.extend((last - 1..=last).map(Some));
        l
    } else {
        (first..=last).map(Some).collect()
    };
    lines.shrink_to_fit();
    let width = (last + 1).to_string().len();
    let gutter = styles.gutter;
    let _ = writeln!(out, "{:width$} {gutter}|{gutter:#}", "");
    for line in lines {
        let Some(line) = line else {
            let _ = writeln!(out, "{gutter}{:width$}{gutter:#}", "...");
            continue;
        };
        let Some(line_range) = index.line_range(text, line) else {
            continue;
        };
        let (ls, le) = (line_range.start, line_range.end);
        // The underlined part of this line, in bytes.
        let from = if line == first {
            range_start.clamp(ls, le)
        } else {
            ls + (text[ls..le].len() - text[ls..le].trim_start().len())
        };
        let to = if line == last {
            range_end.clamp(from, le)
        } else {
            le
        };
        // The part of the line shown: all of it when short, else a window from a little before
        // the mark.
        let short = text[ls..le].chars().nth(MAX_LINE_WIDTH).is_none();
        let begin = if short {
            ls
        } else {
            back_chars(text, ls, from, CUT_CONTEXT)
        };
        let end = if short {
            le
        } else {
            forward_chars(text, begin, le, MAX_LINE_WIDTH)
        };
        let chars: Vec<char> = text[begin..end].chars().collect();
        let mark_from = text[begin..from.min(end)].chars().count();
        let mark_to = text[begin..to.clamp(begin, end)].chars().count();
        let (shown, mark_from, mark_to) =
            cut_line(&chars, mark_from, mark_to, begin > ls, end < le);
        let shown = shown.trim_end();
        let _ = writeln!(
            out,
            "{gutter}{:>width$} |{gutter:#}{}{shown}",
            line + 1,
            if shown.is_empty() { "" } else { " " },
        );
        // Only an empty range gets a lone caret; an empty part of a longer range gets none.
        let marks = if first == last {
            (mark_to - mark_from).max(1)
        } else {
            mark_to - mark_from
        };
        if marks == 0 {
            continue;
        }
        let _ = writeln!(
            out,
            "{:width$} {gutter}|{gutter:#} {:mark_from$}{sev}{}{sev:#}",
            "",
            "",
            "^".repeat(marks),
        );
    }
}

/// The displayed form of a part of a line (tabs expanded, control characters replaced, `…` where
/// it was cut) and the mark's display columns in it.
fn cut_line(
    chars: &[char],
    from: usize,
    to: usize,
    cut_before: bool,
    cut_after: bool,
) -> (String, usize, usize) {
    let mut shown = String::new();
    let mut mark_from = None;
    let mut mark_to = None;
    if cut_before {
        shown.push('…');
    }
    let mut column = usize::from(cut_before);
    for (i, &c) in chars.iter().enumerate() {
        if i == from {
            mark_from = Some(column);
        }
        if i == to {
            mark_to = Some(column);
        }
        match c {
            '\t' => {
                shown.push_str(TAB);
                column += TAB.len();
            }
            c if c.is_control() => {
                shown.push('\u{FFFD}');
                column += 1;
            }
            c => {
                shown.push(c);
                column += 1;
            }
        }
    }
    let mark_from = mark_from.unwrap_or(column);
    let mark_to = mark_to.unwrap_or(column.max(mark_from));
    if cut_after {
        shown.push('…');
    }
    (shown, mark_from, mark_to.max(mark_from))
}

/// `Found 2 errors, 1 warning (1 fixable).`, or `All checks passed.` when there is nothing.
pub fn summary(items: &[Item]) -> String {
    if items.is_empty() {
        return "All checks passed.".to_string();
    }
    let count = |s: Severity| items.iter().filter(|i| i.severity == s).count();
    let errors = count(Severity::Error);
    let warnings = count(Severity::Warning);
    let notes = count(Severity::Information) + count(Severity::Hint);
    // What `--fix` would apply, not every fix the editor offers.
    let fixable = items
        .iter()
        .filter(|i| i.out.fixes.iter().any(|f| f.automatic))
        .count();
    let mut line = format!(
        "Found {}, {}",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings")
    );
    if notes > 0 {
        let _ = write!(line, ", {}", plural(notes, "note", "notes"));
    }
    if fixable > 0 {
        let _ = write!(line, " ({fixable} fixable)");
    }
    line.push('.');
    line
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet(text: &str, range: std::ops::Range<usize>) -> String {
        let mut out = String::new();
        let index = LineIndex::new(text);
        render_snippet(
            &mut out,
            text,
            &index,
            range,
            Style::new(),
            &Styles::new(false),
        );
        out
    }

    #[test]
    fn underlines_one_line() {
        let text = "import x\ndef main(request):\n    pass\n";
        let start = text.find("request").unwrap();
        insta::assert_snapshot!(snippet(text, start..start + 7), @r"
          |
        2 | def main(request):
          |          ^^^^^^^
        ");
    }

    #[test]
    fn empty_range_and_tabs_and_unicode() {
        let text = "\tx = 'é𝄞' + y\n";
        let y = text.find('y').unwrap();
        insta::assert_snapshot!(snippet(text, y..y), @r"
          |
        1 |     x = 'é𝄞' + y
          |                ^
        ");
    }

    #[test]
    fn multi_line_ranges_are_shortened() {
        let text: String = (1..=12).map(|i| format!("  line {i}\n")).collect();
        insta::assert_snapshot!(snippet(&text, 4..text.len()), @r"
           |
         1 |   line 1
           |     ^^^^
         2 |   line 2
           |   ^^^^^^
         3 |   line 3
           |   ^^^^^^
        ...
        11 |   line 11
           |   ^^^^^^^
        12 |   line 12
           |   ^^^^^^^
        ");
    }

    #[test]
    fn long_lines_are_cut_around_the_range() {
        let text = format!("{}TARGET{}", "a".repeat(300), "b".repeat(300));
        let start = text.find("TARGET").unwrap();
        let out = snippet(&text, start..start + 6);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[1].starts_with("1 | …aaaa"));
        assert!(lines[1].ends_with("bbb…"));
        let caret = lines[2].find('^').unwrap();
        let marked: String = lines[1].chars().skip(caret).take(6).collect();
        assert_eq!(marked, "TARGET", "{out}");
        assert_eq!(lines[2].matches('^').count(), 6);
    }

    #[test]
    fn a_range_over_a_huge_line_shows_a_bounded_window() {
        let text = format!("{{\"path\": \"{}\"}}\n", "x".repeat(1_000_000));
        let out = snippet(&text, 10..text.len() - 3);
        assert!(out.len() < 1_000, "{}", out.len());
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[1].starts_with("1 | {\"path\": \"xxx") && lines[1].ends_with("xxx…"));
        assert_eq!(lines[2].matches('^').count(), MAX_LINE_WIDTH - 10);
    }

    /// An app with a binding-name mistake and hand-made diagnostics (the rules live elsewhere).
    fn example() -> Vec<CheckedApp> {
        use crate::analysis::text::TextRange;
        use crate::analysis::{AppInput, Diagnostic, FileEdit};

        let script = "import azure.functions as func\n\n\ndef main(request: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"ok\")\n";
        let json = "{\n  \"bindings\": [\n    {\n      \"type\": \"httpTrigger\",\n      \"direction\": \"in\",\n      \"name\": \"req\"\n    }\n  ]\n}\n";
        let input = AppInput::new("apps/orders")
            .with_file("HttpTrigger/__init__.py", script)
            .with_file("HttpTrigger/function.json", json);
        let param = script.find("request").unwrap();
        let param = TextRange::new(param, param + "request".len());
        let name = json.find("\"req\"").unwrap();
        let name = TextRange::new(name, name + 5);
        let mut diagnostics = vec![
            Diagnostic {
                code: crate::analysis::Rule::new(crate::analysis::rules::rule("AZF201").unwrap()),
                severity: Severity::Error,
                file: "HttpTrigger/__init__.py".into(),
                range: param,
                message: "parameter 'request' of main() has no binding in function.json".into(),
                function: Some("HttpTrigger".into()),
                related: vec![],
                fixes: vec![],
            }
            .with_related(
                "HttpTrigger/function.json",
                name,
                "binding 'req' is declared here",
            )
            .with_fix(
                "Rename the parameter to 'req'",
                vec![FileEdit {
                    file: "HttpTrigger/__init__.py".into(),
                    range: param,
                    new_text: "req".into(),
                }],
            ),
            Diagnostic {
                code: crate::analysis::Rule::new(crate::analysis::rules::rule("AZF601").unwrap()),
                severity: Severity::Warning,
                file: "requirements.txt".into(),
                range: TextRange::empty(0),
                message: "requirements.txt is missing".into(),
                function: None,
                related: vec![],
                fixes: vec![],
            },
        ];
        // The CLI marks what `--fix` applies; the count in the summary is of those.
        diagnostics[0].fixes[0].automatic = true;
        vec![CheckedApp {
            input,
            display_root: "apps/orders".into(),
            diagnostics,
            excluded: false,
            state: None,
        }]
    }

    #[test]
    fn renders_the_whole_report() {
        let apps = example();
        let items = super::super::report::resolve(&apps);
        insta::assert_snapshot!(render(&apps, &items, false, false), @r"
        apps/orders/HttpTrigger/__init__.py:4:10: error[AZF201] parameter 'request' of main() has no binding in function.json
          |
        4 | def main(request: func.HttpRequest) -> func.HttpResponse:
          |          ^^^^^^^
          = note: apps/orders/HttpTrigger/function.json:6:15: binding 'req' is declared here
          = help: Rename the parameter to 'req'

        apps/orders/requirements.txt:1:1: warning[AZF601] requirements.txt is missing

        Found 1 error, 1 warning (1 fixable).
        ");
        assert_eq!(render(&apps, &items, false, true).lines().last(), Some(""));
        assert!(!render(&apps, &items, false, false).contains('\x1b'));
        let colored = render(&apps, &items, true, false);
        assert!(
            colored.contains("\x1b[1m\x1b[31merror[AZF201]"),
            "{colored:?}"
        );
    }

    #[test]
    fn an_excluded_app_is_not_said_to_pass() {
        let mut apps = example();
        for app in &mut apps {
            app.diagnostics.clear();
            app.excluded = true;
        }
        assert_eq!(
            render(&apps, &[], false, false),
            format!("{NOTHING_CHECKED}\n")
        );
        apps[0].excluded = false;
        assert_eq!(render(&apps, &[], false, false), "All checks passed.\n");
    }

    #[test]
    fn summary_counts() {
        assert_eq!(summary(&[]), "All checks passed.");
    }

    #[test]
    fn range_past_the_end_does_not_panic() {
        let out = snippet("abc", 2..99);
        assert!(out.contains("^"), "{out}");
        let out = snippet("", 0..0);
        assert!(out.contains("^"), "{out}");
    }
}
