//! Building and applying text edits: inserting members into JSON objects and arrays in the
//! file's own layout, adding parameters and imports to Python code, and applying a set of edits
//! to a text. Fixes build on these; they know nothing of rules or editors.

use crate::analysis::diagnostic::FileEdit;
use crate::analysis::json::JsonValue;
use crate::analysis::python::{ParamKind, PyFunction, PyModule};
use crate::analysis::text::TextRange;

/// A JSON string literal for `s`.
pub fn json_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The range of a JSON string's content when it is written without escapes.
pub fn plain_string_content(text: &str, range: TextRange, value: &str) -> Option<TextRange> {
    let raw = text.get(range.as_usize())?;
    (raw.len() == value.len() + 2 && raw.get(1..raw.len() - 1) == Some(value))
        .then(|| TextRange::new(range.start as usize + 1, range.end as usize - 1))
}

/// The edit that removes the item at `range` from a comma-separated list (a JSON object's
/// member, a call's keyword argument) with one of its commas: the line too when the item has a
/// line of its own, else the comma after it, else the one before it.
pub fn remove_list_item(file: &str, text: &str, range: TextRange) -> Option<FileEdit> {
    let (start, end) = (range.start as usize, range.end as usize);
    text.get(start..end)?;
    let bytes = text.as_bytes();
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let mut after = end;
    while bytes.get(after).is_some_and(blank) {
        after += 1;
    }
    let comma_after = bytes.get(after) == Some(&b',');
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let own_line = text[line_start..start].bytes().all(|b| blank(&b));
    let removed = if comma_after {
        let mut stop = after + 1;
        while bytes.get(stop).is_some_and(blank) {
            stop += 1;
        }
        match bytes.get(stop) {
            // The item and its comma fill their line: the line goes.
            Some(b'\n') if own_line => line_start..stop + 1,
            Some(b'\r') if own_line && bytes.get(stop + 1) == Some(&b'\n') => line_start..stop + 2,
            _ => start..stop,
        }
    } else {
        let before = text[..start].trim_end();
        if before.ends_with(',') {
            before.len() - 1..end
        } else {
            start..end
        }
    };
    Some(FileEdit {
        file: file.to_string(),
        range: TextRange::new(removed.start, removed.end),
        new_text: String::new(),
    })
}

/// Applies `edits` (all for the same text) and returns the new text; `None` when an edit is out
/// of bounds, splits a character, or overlaps another. Inserts at the same offset keep their
/// order.
pub fn apply_edits(text: &str, edits: &[&FileEdit]) -> Option<String> {
    let mut order: Vec<(usize, &FileEdit)> = edits.iter().copied().enumerate().collect();
    order.sort_by_key(|(i, e)| (e.range.start, e.range.end, *i));
    let mut previous_end = 0usize;
    for (_, e) in &order {
        let r = e.range.as_usize();
        if r.end > text.len() || !text.is_char_boundary(r.start) || !text.is_char_boundary(r.end) {
            return None;
        }
        if r.start < previous_end {
            return None;
        }
        previous_end = previous_end.max(r.end);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0usize;
    for (_, e) in &order {
        let r = e.range.as_usize();
        out.push_str(&text[last..r.start]);
        out.push_str(&e.new_text);
        last = r.end;
    }
    out.push_str(&text[last..]);
    Some(out)
}

/// Whether two edits of the same file cannot both apply: their replaced ranges overlap, or one
/// inserts strictly inside the range the other replaces.
pub fn conflict(a: &TextRange, b: &TextRange) -> bool {
    let overlap = a.start < b.end && b.start < a.end;
    let inside = |p: u32, r: &TextRange| r.start < p && p < r.end;
    overlap || (a.is_empty() && inside(a.start, b)) || (b.is_empty() && inside(b.start, a))
}

/// The file's line break.
pub fn line_break(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// The whitespace that starts the line holding `offset`.
fn indent_at(text: &str, offset: usize) -> &str {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let start = text[..offset]
        .rfind(['\n', '\r'])
        .map(|i| i + 1)
        .unwrap_or(0);
    let line = &text[start..];
    let end = line
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(line.len());
    &line[..end]
}

/// The file's indentation step: the smallest indentation of a line, two spaces by default.
fn indent_unit(text: &str) -> String {
    let mut best: Option<&str> = None;
    for line in text.lines() {
        let ws = &line[..line.len() - line.trim_start().len()];
        if ws.is_empty() || line.trim().is_empty() {
            continue;
        }
        if ws.starts_with('\t') {
            return "\t".to_string();
        }
        if best.is_none_or(|b| ws.len() < b.len()) {
            best = Some(ws);
        }
    }
    best.unwrap_or("  ").to_string()
}

/// Where a JSON value ends, counting a member's trailing comma (and the whitespace before it).
fn skip_trailing_comma(text: &str, end: usize) -> usize {
    let Some(rest) = text.get(end..) else {
        return end;
    };
    let ws = rest.len() - rest.trim_start().len();
    if rest[ws..].starts_with(',') {
        end + ws + 1
    } else {
        end
    }
}

/// A JSON object as text: one member a line (with `layout` = indentation of the object's line,
/// indentation step, line break) or all on one line. Keys and values are JSON text already.
pub fn render_object(members: &[(String, String)], layout: Option<(&str, &str, &str)>) -> String {
    match layout {
        None => {
            let inner: Vec<String> = members.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!("{{{}}}", inner.join(", "))
        }
        Some((indent, unit, nl)) => {
            let inner: Vec<String> = members
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{indent}{unit}{k}: {}",
                        reindent(v, &format!("{indent}{unit}"), nl)
                    )
                })
                .collect();
            format!("{{{nl}{}{nl}{indent}}}", inner.join(&format!(",{nl}")))
        }
    }
}

/// Puts `indent` before every line of `value` but the first, joined by `nl`.
fn reindent(value: &str, indent: &str, nl: &str) -> String {
    value
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join(nl)
}

/// A multi-line JSON value on one line.
fn one_line(value: &str) -> String {
    value.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

/// How the entries of a JSON object or array are laid out.
struct Layout {
    /// Whether the container puts its entries on their own lines.
    multiline: bool,
    /// The indentation of its entries.
    indent: String,
    unit: String,
    nl: &'static str,
    /// The whole file is on one line.
    one_line: bool,
}

/// What the edits of a JSON file follow of the whole file: its line break and indentation
/// step. Read once for a file that many edits change (local.settings.json).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonStyle {
    nl: &'static str,
    unit: String,
    /// The whole file is on one line (blanks around it aside).
    one_line: bool,
}

impl JsonStyle {
    pub fn of(text: &str) -> JsonStyle {
        JsonStyle {
            nl: line_break(text),
            unit: indent_unit(text),
            one_line: !text.trim().contains('\n'),
        }
    }
}

/// A JSON file's tree and style, for the edits that change it.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonFile {
    pub root: JsonValue,
    pub style: JsonStyle,
}

impl JsonFile {
    /// `None` when `text` holds no JSON value.
    pub fn parse(text: &str) -> Option<JsonFile> {
        Some(JsonFile {
            root: super::json::parse(text).value?,
            style: JsonStyle::of(text),
        })
    }
}

/// The layout of a container: multi-line when its first entry is on a later line than its
/// opening bracket.
fn layout(
    text: &str,
    style: &JsonStyle,
    container: &JsonValue,
    first_entry: Option<TextRange>,
) -> Layout {
    let (nl, unit) = (style.nl, style.unit.clone());
    let open = container.range.start as usize;
    let multiline = first_entry.is_some_and(|r| {
        text.get(open..r.start as usize)
            .is_some_and(|s| s.contains('\n') || s.contains('\r'))
    });
    let indent = match first_entry {
        Some(r) if multiline => indent_at(text, r.start as usize).to_string(),
        _ => format!("{}{unit}", indent_at(text, open)),
    };
    Layout {
        multiline,
        indent,
        unit,
        nl,
        one_line: style.one_line,
    }
}

/// The range between a container's brackets, for filling an empty container.
/// The range between a container's brackets. A container still being typed may lack its
/// closing bracket: its range then ends with whatever the user typed, which is kept (the edit
/// goes after it).
fn inside(text: &str, container: &JsonValue) -> TextRange {
    let (start, end) = (container.range.start as usize, container.range.end as usize);
    let bytes = text.as_bytes();
    let closed = end > start + 1 && matches!(bytes.get(end - 1), Some(b'}' | b']'));
    if !closed {
        return TextRange::empty(end);
    }
    let start = start + usize::from(matches!(bytes.get(start), Some(b'{' | b'[')));
    TextRange::new(start, (end - 1).max(start))
}

/// The edit that appends `"key": value` to the object `object` (value is JSON text; a
/// multi-line value is indented to fit).
pub fn add_member(file: &str, text: &str, object: &JsonValue, key: &str, value: &str) -> FileEdit {
    add_member_styled(file, text, &JsonStyle::of(text), object, key, value)
}

/// [`add_member`] in a file whose style is known.
pub fn add_member_styled(
    file: &str,
    text: &str,
    style: &JsonStyle,
    object: &JsonValue,
    key: &str,
    value: &str,
) -> FileEdit {
    let members = object.as_object().unwrap_or_default();
    let key = json_quote(key);
    let l = layout(text, style, object, members.first().map(|m| m.key_range));
    match members.last() {
        Some(last) => {
            let end = last
                .value
                .as_ref()
                .map(|v| v.range.end)
                .unwrap_or(last.key_range.end) as usize;
            let at = skip_trailing_comma(text, end);
            let comma = if at == end { "," } else { "" };
            let new_text = if l.multiline {
                format!(
                    "{comma}{}{}{key}: {}",
                    l.nl,
                    l.indent,
                    reindent(value, &l.indent, l.nl)
                )
            } else {
                format!("{comma} {key}: {}", one_line(value))
            };
            FileEdit {
                file: file.to_string(),
                range: TextRange::empty(at),
                new_text,
            }
        }
        None if l.one_line => FileEdit {
            file: file.to_string(),
            range: inside(text, object),
            new_text: format!("{key}: {}", one_line(value)),
        },
        None => {
            let base = indent_at(text, object.range.start as usize);
            let inner = format!("{base}{}", l.unit);
            FileEdit {
                file: file.to_string(),
                range: inside(text, object),
                new_text: format!(
                    "{}{inner}{key}: {}{}{base}",
                    l.nl,
                    reindent(value, &inner, l.nl),
                    l.nl
                ),
            }
        }
    }
}

/// The edit that appends an object with `members` to the array `array`, laid out like the
/// array's last item (one member a line, or all on one line).
pub fn add_object_item(
    file: &str,
    text: &str,
    array: &JsonValue,
    members: &[(String, String)],
) -> FileEdit {
    let items = array.as_array().unwrap_or_default();
    let l = layout(
        text,
        &JsonStyle::of(text),
        array,
        items.first().map(|i| i.range),
    );
    match items.last() {
        Some(last) => {
            let last_multiline = text
                .get(last.range.as_usize())
                .is_some_and(|s| s.contains('\n') || s.contains('\r'));
            let item = if last_multiline {
                let indent = if l.multiline {
                    l.indent.clone()
                } else {
                    indent_at(text, last.range.start as usize).to_string()
                };
                render_object(members, Some((&indent, &l.unit, l.nl)))
            } else {
                render_object(members, None)
            };
            let end = last.range.end as usize;
            let at = skip_trailing_comma(text, end);
            let comma = if at == end { "," } else { "" };
            let new_text = if l.multiline {
                format!("{comma}{}{}{item}", l.nl, l.indent)
            } else {
                format!("{comma} {item}")
            };
            FileEdit {
                file: file.to_string(),
                range: TextRange::empty(at),
                new_text,
            }
        }
        None if l.one_line => FileEdit {
            file: file.to_string(),
            range: inside(text, array),
            new_text: render_object(members, None),
        },
        None => {
            let base = indent_at(text, array.range.start as usize);
            let inner = format!("{base}{}", l.unit);
            let item = render_object(members, Some((&inner, &l.unit, l.nl)));
            FileEdit {
                file: file.to_string(),
                range: inside(text, array),
                new_text: format!("{}{inner}{item}{}{base}", l.nl, l.nl),
            }
        }
    }
}

/// The edit that adds the parameter `param` (e.g. `doc: func.InputStream`) to `function`:
/// before `**kwargs`, before the first positional parameter with a default (a parameter
/// without one may not follow it), else at the end.
pub fn add_parameter(
    file: &str,
    text: &str,
    function: &PyFunction,
    param: &str,
) -> Option<FileEdit> {
    let params = &function.params;
    let var_keyword = params.iter().find(|p| p.kind == ParamKind::VarKeyword);
    let has_star = params
        .iter()
        .any(|p| matches!(p.kind, ParamKind::VarPositional | ParamKind::KeywordOnly));
    let first_default = params
        .iter()
        .find(|p| p.has_default && matches!(p.kind, ParamKind::Normal | ParamKind::PositionalOnly));
    let before = if has_star {
        var_keyword
    } else {
        first_default.or(var_keyword)
    };
    let (at, new_text) = match (before, params.last()) {
        (Some(p), _) => (p.range.start as usize, format!("{param}, ")),
        (None, Some(last)) => (last.range.end as usize, format!(", {param}")),
        (None, None) => {
            let open = function.params_range.start as usize;
            if text.get(open..open + 1) != Some("(") {
                return None;
            }
            (open + 1, param.to_string())
        }
    };
    Some(FileEdit {
        file: file.to_string(),
        range: TextRange::empty(at),
        new_text,
    })
}

/// How the module spells `azure.functions` (`func.` after `import azure.functions as func`), or
/// `None` when it does not import it as a module.
pub fn azure_alias(module: &PyModule) -> Option<String> {
    use crate::analysis::python::NameKind;
    module.first_import_binding(|name, kind| match kind {
        NameKind::Module(p) if p == "azure.functions" => Some(format!("{name}.")),
        NameKind::FromImport {
            level: 0,
            module,
            name: n,
        } if module == "azure" && n == "functions" => Some(format!("{name}.")),
        _ => None,
    })
}

/// The prefix that spells `azure.functions` classes in `module`, and the edit that imports the
/// package as `func` when the module does not import it yet.
pub fn azure_prefix_with_import(
    file: &str,
    text: &str,
    module: &PyModule,
) -> (String, Option<FileEdit>) {
    if let Some(alias) = azure_alias(module) {
        return (alias, None);
    }
    let nl = line_break(text);
    // After `from __future__` imports, else before the first import, else at the top.
    let future_end = module
        .imports
        .iter()
        .filter(|i| i.is_from && i.module == "__future__")
        .map(|i| i.range.end as usize)
        .max();
    let first_import = module
        .imports
        .iter()
        .filter(|i| i.unconditional)
        .map(|i| i.range.start as usize)
        .min();
    let (at, new_text) = match (future_end, first_import) {
        (Some(end), _) => {
            let end = end.min(text.len());
            match text[end..].find('\n') {
                Some(i) => (end + i + 1, format!("import azure.functions as func{nl}")),
                None => (
                    text.len(),
                    format!("{nl}import azure.functions as func{nl}"),
                ),
            }
        }
        (None, Some(start)) => {
            let start = start.min(text.len());
            let line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
            (line_start, format!("import azure.functions as func{nl}"))
        }
        (None, None) => (0, format!("import azure.functions as func{nl}{nl}")),
    };
    (
        "func.".to_string(),
        Some(FileEdit {
            file: file.to_string(),
            range: TextRange::empty(at),
            new_text,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::json;

    fn edit_json(text: &str, f: impl Fn(&JsonValue) -> FileEdit) -> String {
        let root = json::parse(text).value.unwrap();
        let e = f(&root);
        apply_edits(text, &[&e]).unwrap()
    }

    fn member<'a>(root: &'a JsonValue, key: &str) -> &'a JsonValue {
        root.get(key).unwrap().value.as_ref().unwrap()
    }

    #[test]
    fn list_items_go_with_one_comma() {
        let remove = |text: &str, item: &str| {
            let at = text.find(item).unwrap();
            let e = remove_list_item("f", text, TextRange::new(at, at + item.len())).unwrap();
            apply_edits(text, &[&e]).unwrap()
        };
        assert_eq!(
            remove(r#"{"a": 1, "b": true, "c": 2}"#, r#""b": true"#),
            r#"{"a": 1, "c": 2}"#
        );
        assert_eq!(
            remove(r#"{"a": 1, "b": true}"#, r#""b": true"#),
            r#"{"a": 1}"#
        );
        assert_eq!(remove(r#"{"b": true}"#, r#""b": true"#), "{}");
        assert_eq!(
            remove(
                "{\n  \"a\": 1,\n  \"b\": true,\n  \"c\": 2\n}",
                "\"b\": true"
            ),
            "{\n  \"a\": 1,\n  \"c\": 2\n}"
        );
        assert_eq!(
            remove("{\r\n  \"a\": 1,\r\n  \"b\": true\r\n}", "\"b\": true"),
            "{\r\n  \"a\": 1\r\n}"
        );
        assert_eq!(
            remove("f(\n    a=1,\n    b=True,\n)", "b=True"),
            "f(\n    a=1,\n)"
        );
        assert_eq!(remove("f(a=1, b=True)", "b=True"), "f(a=1)");
        assert_eq!(remove_list_item("f", "ab", TextRange::new(1, 9)), None);
    }

    #[test]
    fn json_members_follow_the_layout() {
        let multi = "{\n    \"a\": 1,\n    \"b\": {\"x\": 2}\n}\n";
        let out = edit_json(multi, |r| add_member("f", multi, r, "c", "\"v\""));
        assert_eq!(
            out,
            "{\n    \"a\": 1,\n    \"b\": {\"x\": 2},\n    \"c\": \"v\"\n}\n"
        );
        let inline = r#"{"a": 1}"#;
        assert_eq!(
            edit_json(inline, |r| add_member("f", inline, r, "c", "true")),
            r#"{"a": 1, "c": true}"#
        );
        let trailing = "{\n  \"a\": 1,\n}";
        assert_eq!(
            edit_json(trailing, |r| add_member("f", trailing, r, "b", "2")),
            "{\n  \"a\": 1,\n  \"b\": 2\n}"
        );
        let empty = "{\n  \"Values\": {}\n}";
        let out = edit_json(empty, |r| {
            add_member("f", empty, member(r, "Values"), "K", "\"v\"")
        });
        assert_eq!(out, "{\n  \"Values\": {\n    \"K\": \"v\"\n  }\n}");
        let crlf = "{\r\n  \"a\": 1\r\n}";
        assert_eq!(
            edit_json(crlf, |r| add_member("f", crlf, r, "o", "{\n  \"x\": 1\n}")),
            "{\r\n  \"a\": 1,\r\n  \"o\": {\r\n    \"x\": 1\r\n  }\r\n}"
        );
    }

    #[test]
    fn array_items_follow_the_layout() {
        let members = vec![
            ("\"type\"".to_string(), "\"blob\"".to_string()),
            ("\"name\"".to_string(), "\"doc\"".to_string()),
        ];
        let multi = "{\n  \"bindings\": [\n    {\n      \"type\": \"queueTrigger\"\n    }\n  ]\n}";
        let out = edit_json(multi, |r| {
            add_object_item("f", multi, member(r, "bindings"), &members)
        });
        assert_eq!(
            out,
            "{\n  \"bindings\": [\n    {\n      \"type\": \"queueTrigger\"\n    },\n    {\n      \"type\": \"blob\",\n      \"name\": \"doc\"\n    }\n  ]\n}"
        );
        let inline = r#"{"bindings": [{"type": "queueTrigger"}]}"#;
        let out = edit_json(inline, |r| {
            add_object_item("f", inline, member(r, "bindings"), &members)
        });
        assert_eq!(
            out,
            r#"{"bindings": [{"type": "queueTrigger"}, {"type": "blob", "name": "doc"}]}"#
        );
        let empty = "{\n  \"bindings\": []\n}";
        let out = edit_json(empty, |r| {
            add_object_item("f", empty, member(r, "bindings"), &members)
        });
        assert_eq!(
            out,
            "{\n  \"bindings\": [\n    {\n      \"type\": \"blob\",\n      \"name\": \"doc\"\n    }\n  ]\n}"
        );
    }

    #[test]
    fn edits_apply_in_order_and_refuse_overlaps() {
        let e = |s: usize, end: usize, t: &str| FileEdit {
            file: "f".into(),
            range: TextRange::new(s, end),
            new_text: t.into(),
        };
        let (a, b, c) = (e(0, 1, "X"), e(3, 3, "1"), e(3, 3, "2"));
        assert_eq!(apply_edits("abcd", &[&a, &b, &c]).unwrap(), "Xbc12d");
        assert!(apply_edits("abcd", &[&e(0, 2, ""), &e(1, 3, "")]).is_none());
        assert!(apply_edits("abcd", &[&e(0, 9, "")]).is_none());
        assert!(apply_edits("é", &[&e(1, 1, "x")]).is_none());
        assert!(conflict(&TextRange::new(0, 4), &TextRange::empty(2)));
        assert!(!conflict(&TextRange::new(0, 4), &TextRange::empty(4)));
        assert!(!conflict(&TextRange::empty(4), &TextRange::empty(4)));
    }

    #[test]
    fn parameters_and_imports() {
        let text = "from __future__ import annotations\nimport json\n\ndef main(a, b=1, **kw):\n    pass\ndef other():\n    pass\ndef star(a, *, b=1):\n    pass\n";
        let m = crate::analysis::python::parse(text);
        let add = |name: &str| {
            let f = m.functions.iter().find(|f| f.name == name).unwrap();
            let e = add_parameter("f", text, f, "doc: func.InputStream").unwrap();
            let out = apply_edits(text, &[&e]).unwrap();
            out.lines()
                .find(|l| l.starts_with(&format!("def {name}")))
                .unwrap()
                .to_string()
        };
        assert_eq!(
            add("main"),
            "def main(a, doc: func.InputStream, b=1, **kw):"
        );
        assert_eq!(add("other"), "def other(doc: func.InputStream):");
        assert_eq!(add("star"), "def star(a, *, b=1, doc: func.InputStream):");
        let (prefix, import) = azure_prefix_with_import("f", text, &m);
        assert_eq!(prefix, "func.");
        let out = apply_edits(text, &[&import.unwrap()]).unwrap();
        assert!(out.starts_with(
            "from __future__ import annotations\nimport azure.functions as func\nimport json\n"
        ));
        let aliased = "import azure.functions as af\n";
        let m = crate::analysis::python::parse(aliased);
        assert_eq!(
            azure_prefix_with_import("f", aliased, &m),
            ("af.".to_string(), None)
        );
    }
}
