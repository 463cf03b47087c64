//! Every conversion between the core's byte offsets and LSP positions lives here, together with
//! the builders of LSP diagnostics, completion items and hovers from the core's plain data.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::{
    self as lsp, CompletionTextEdit, Documentation, InsertTextFormat, MarkupContent, MarkupKind,
    NumberOrString, Position, Range, Uri,
};

use crate::analysis::text::{ColumnUnit, LineCol, LineCols, LineIndex, RangeLines, TextRange};
use crate::analysis::{Diagnostic, Severity};

/// The negotiated position encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

impl Encoding {
    fn unit(self) -> ColumnUnit {
        match self {
            Encoding::Utf8 => ColumnUnit::Utf8,
            Encoding::Utf16 => ColumnUnit::Utf16,
        }
    }
}

/// A text with its line index, for converting the core's byte ranges to LSP positions.
pub struct LineMap<'a> {
    text: &'a str,
    index: LineIndex,
    encoding: Encoding,
}

/// The LSP range of a range whose lines and columns are known (no text needed).
pub fn known_range(lines: &RangeLines, encoding: Encoding) -> Range {
    let position = |at: &LineCols| {
        Position::new(
            at.line,
            match encoding {
                Encoding::Utf8 => at.utf8,
                Encoding::Utf16 => at.utf16,
            },
        )
    };
    Range::new(position(&lines.start), position(&lines.end))
}

impl<'a> LineMap<'a> {
    pub fn new(text: &'a str, encoding: Encoding) -> LineMap<'a> {
        LineMap {
            text,
            index: LineIndex::new(text),
            encoding,
        }
    }

    /// The LSP position of a byte offset (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let lc = self.index.line_col(self.text, offset, self.encoding.unit());
        Position::new(lc.line, lc.col)
    }

    pub fn range(&self, range: TextRange) -> Range {
        Range::new(
            self.position(range.start as usize),
            self.position(range.end as usize),
        )
    }

    /// The byte offset of an LSP position; lines past the end give the end of the text, columns
    /// past the end of their line clamp to the line's end.
    pub fn offset(&self, pos: Position) -> usize {
        self.index.offset(
            self.text,
            LineCol {
                line: pos.line,
                col: pos.character,
            },
            self.encoding.unit(),
        )
    }
}

/// Applies one `didChange` content change to an open document's text and returns the
/// tree-sitter edit it makes (`None` for a change without a range, which replaces the text).
/// Positions resolve as [`LineMap::offset`] does (columns clamp to the line's content, lines past
/// the end give the end of the text, a position inside a character gives its start); a reversed
/// range is taken in order.
pub fn apply_change(
    text: &mut String,
    range: Option<Range>,
    new_text: &str,
    encoding: Encoding,
) -> Option<tree_sitter::InputEdit> {
    let Some(range) = range else {
        new_text.clone_into(text);
        return None;
    };
    let map = LineMap::new(text, encoding);
    let replaced = text_range(&map, range).as_usize();
    let start_position = tree_point(text, replaced.start);
    let old_end_position = tree_point(text, replaced.end);
    let new_end_position = match new_text.rfind('\n') {
        Some(last) => tree_sitter::Point {
            row: start_position.row + new_text.matches('\n').count(),
            column: new_text.len() - last - 1,
        },
        None => tree_sitter::Point {
            row: start_position.row,
            column: start_position.column + new_text.len(),
        },
    };
    let edit = tree_sitter::InputEdit {
        start_byte: replaced.start,
        old_end_byte: replaced.end,
        new_end_byte: replaced.start + new_text.len(),
        start_position,
        old_end_position,
        new_end_position,
    };
    text.replace_range(replaced, new_text);
    Some(edit)
}

/// The tree-sitter point of a byte offset: tree-sitter counts rows at `\n` only (a lone `\r`
/// does not start a row for it, unlike an LSP line) and columns in bytes since the last `\n`.
fn tree_point(text: &str, byte: usize) -> tree_sitter::Point {
    let before = &text.as_bytes()[..byte];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let column = match before.iter().rposition(|&b| b == b'\n') {
        Some(newline) => byte - newline - 1,
        None => byte,
    };
    tree_sitter::Point { row, column }
}

/// The file path of a `file:` URI.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let scheme = uri.scheme().as_str();
    if !scheme.eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

/// The `file:` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

/// The URIs of one app's files, for answers that name thousands of them: an open document has
/// the URI its client sent, another file the root's URI followed by its relative path, encoded as
/// [`path_to_uri`] encodes the joined path, without a path conversion per file.
pub struct FileUris<'a> {
    root: &'a Path,
    /// Relative path → URI of the app's open documents.
    open: HashMap<String, &'a Uri>,
    /// `file://` and the encoded root without a trailing `/`, when relative paths can follow it.
    prefix: Option<String>,
}

impl<'a> FileUris<'a> {
    pub fn new(root: &'a Path, open_paths: &'a HashMap<PathBuf, Uri>) -> FileUris<'a> {
        let open = open_paths
            .iter()
            .filter_map(|(path, uri)| Some((relative_path(root, path)?, uri)))
            .collect();
        // Elsewhere the separator and the drive letter make the joined path differ.
        let prefix = (cfg!(unix) && root.is_absolute())
            .then(|| path_to_uri(root))
            .flatten()
            .map(|uri| {
                let s = uri.as_str();
                s.strip_suffix('/').unwrap_or(s).to_string()
            });
        FileUris { root, open, prefix }
    }

    /// The URI of the file at `rel` (a `/`-separated path below the root).
    pub fn uri(&self, rel: &str) -> Option<Uri> {
        if let Some(uri) = self.open.get(rel) {
            return Some((*uri).clone());
        }
        match self.joined(rel) {
            Some(s) => s.parse().ok(),
            None => path_to_uri(&self.root.join(rel)),
        }
    }

    /// The URI of `rel` when it is an open document (the one its client sent).
    pub fn open_uri(&self, rel: &str) -> Option<&'a Uri> {
        self.open.get(rel).copied()
    }

    /// [`FileUris::uri`] as text, for answers written as JSON: a URI made from the root's needs
    /// no parsing (it is valid by construction).
    pub fn uri_str(&self, rel: &str) -> Option<Cow<'a, str>> {
        if let Some(uri) = self.open.get(rel) {
            return Some(Cow::Borrowed(uri.as_str()));
        }
        match self.joined(rel) {
            Some(s) => Some(Cow::Owned(s)),
            None => path_to_uri(&self.root.join(rel)).map(|u| Cow::Owned(u.as_str().to_string())),
        }
    }

    /// The root's URI followed by `rel` encoded, when `rel` is a plain relative path and the
    /// root's URI can be followed by one.
    fn joined(&self, rel: &str) -> Option<String> {
        let plain = !rel.is_empty()
            && rel
                .split('/')
                .all(|c| !c.is_empty() && c != "." && c != "..");
        let prefix = self.prefix.as_ref().filter(|_| plain)?;
        let mut s = String::with_capacity(prefix.len() + 1 + rel.len() * 3);
        s.push_str(prefix);
        s.push('/');
        percent_encode_path(rel, &mut s);
        Some(s)
    }
}

/// Appends `path` percent-encoded as a `file:` URI's path: every byte but ASCII letters, digits,
/// `-`, `.`, `_`, `~` and `/` as `%XX`.
fn percent_encode_path(path: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        }
    }
}

/// The `/`-separated path of `path` relative to `root`, if it lies below it.
pub fn relative_path(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

pub fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// Builds an LSP diagnostic. `map` is the diagnostic's file; `related` resolves another file of
/// the app to its URI and text (for `relatedInformation`).
pub fn diagnostic<'t>(
    d: &Diagnostic,
    map: &LineMap<'_>,
    mut related: impl FnMut(&str) -> Option<(Uri, Option<&'t str>)>,
    encoding: Encoding,
) -> lsp::Diagnostic {
    let related_information: Vec<lsp::DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let range = if r.file == d.file {
                map.range(r.range)
            } else {
                let (_, text) = related(&r.file)?;
                match text {
                    Some(text) => LineMap::new(text, encoding).range(r.range),
                    None => Range::default(),
                }
            };
            let (uri, _) = related(&r.file)?;
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location { uri, range },
                message: r.message.clone(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range: map.range(d.range),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: None,
        source: Some("azfunc".to_string()),
        message: d.message.clone(),
        related_information: if related_information.is_empty() {
            None
        } else {
            Some(related_information)
        },
        tags: None,
        data: None,
    }
}

/// Builds an LSP completion item from the core's.
pub fn completion_item(
    item: &crate::analysis::ide::CompletionItem,
    map: &LineMap<'_>,
) -> lsp::CompletionItem {
    use crate::analysis::ide::CompletionKind as K;
    let kind = match item.kind {
        K::Property => lsp::CompletionItemKind::PROPERTY,
        K::Value => lsp::CompletionItemKind::VALUE,
        K::EnumMember => lsp::CompletionItemKind::ENUM_MEMBER,
        K::Snippet => lsp::CompletionItemKind::SNIPPET,
        K::File => lsp::CompletionItemKind::FILE,
        K::Function => lsp::CompletionItemKind::FUNCTION,
        K::Variable => lsp::CompletionItemKind::VARIABLE,
        K::Class => lsp::CompletionItemKind::CLASS,
        // Kinds the core may add later.
        #[allow(unreachable_patterns)]
        _ => lsp::CompletionItemKind::TEXT,
    };
    lsp::CompletionItem {
        label: item.label.clone(),
        kind: Some(kind),
        detail: item.detail.clone(),
        documentation: item.documentation.as_ref().map(|md| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: md.clone(),
            })
        }),
        sort_text: item.sort_text.clone(),
        filter_text: item.filter_text.clone(),
        insert_text_format: Some(if item.is_snippet {
            InsertTextFormat::SNIPPET
        } else {
            InsertTextFormat::PLAIN_TEXT
        }),
        text_edit: Some(CompletionTextEdit::Edit(lsp::TextEdit {
            range: map.range(item.edit_range),
            new_text: item.insert_text.clone(),
        })),
        ..Default::default()
    }
}

/// Builds an LSP hover from the core's.
pub fn hover(info: &crate::analysis::ide::HoverInfo, map: &LineMap<'_>) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: info.markdown.clone(),
        }),
        range: Some(map.range(info.range)),
    }
}

/// What the conversions below need to know about a file of the app: its URI, its current text
/// (`None` when the file does not exist yet) and the version of its open buffer.
pub struct FileInfo<'t> {
    pub uri: Uri,
    pub text: Option<&'t str>,
    pub version: Option<i32>,
}

/// Appends the locations of `ranges` in one file to the JSON array being written in `out` (which
/// holds at least its opening `[`), each as serde writes an [`lsp::Location`]:
/// `{"uri":…,"range":{"start":{"line":…,"character":…},"end":{…}}}`. `uri_json` is the file's URI
/// as a JSON string, made once for all its places.
pub fn write_locations_json(
    out: &mut Vec<u8>,
    uri_json: &[u8],
    map: &LineMap<'_>,
    ranges: impl Iterator<Item = TextRange>,
) {
    write_ranges_json(out, uri_json, ranges.map(|r| map.range(r)));
}

/// [`write_locations_json`] for ranges already given as LSP ranges.
pub fn write_ranges_json(out: &mut Vec<u8>, uri_json: &[u8], ranges: impl Iterator<Item = Range>) {
    for range in ranges {
        if out.last() != Some(&b'[') {
            out.push(b',');
        }
        out.extend_from_slice(br#"{"uri":"#);
        out.extend_from_slice(uri_json);
        out.extend_from_slice(br#","range":{"start":{"line":"#);
        write_u32(out, range.start.line);
        out.extend_from_slice(br#","character":"#);
        write_u32(out, range.start.character);
        out.extend_from_slice(br#"},"end":{"line":"#);
        write_u32(out, range.end.line);
        out.extend_from_slice(br#","character":"#);
        write_u32(out, range.end.character);
        out.extend_from_slice(b"}}}");
    }
}

fn write_u32(out: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// How workspace edits may be expressed to the client.
#[derive(Debug, Clone, Copy)]
pub struct EditSupport {
    /// `documentChanges` with versioned documents.
    pub document_changes: bool,
    /// `documentChanges` may create files.
    pub create_files: bool,
}

/// Builds a workspace edit from the core's file edits: `documentChanges` (with the open
/// buffers' versions, and a `create` operation for a file that does not exist yet) when the
/// client supports them, plain `changes` otherwise. `None` when a file cannot be resolved, or an
/// edit creates a file the client cannot create.
pub fn workspace_edit<'t>(
    edits: &[crate::analysis::FileEdit],
    mut file: impl FnMut(&str) -> Option<FileInfo<'t>>,
    support: EditSupport,
    encoding: Encoding,
) -> Option<lsp::WorkspaceEdit> {
    let mut names: Vec<&str> = edits.iter().map(|e| e.file.as_str()).collect();
    names.sort();
    names.dedup();
    let mut operations: Vec<lsp::DocumentChangeOperation> = Vec::new();
    let mut changes: std::collections::HashMap<Uri, Vec<lsp::TextEdit>> =
        std::collections::HashMap::new();
    for name in names {
        let info = file(name)?;
        let creates = info.text.is_none();
        if creates && !support.create_files {
            return None;
        }
        let map = LineMap::new(info.text.unwrap_or(""), encoding);
        let mut mine: Vec<&crate::analysis::FileEdit> =
            edits.iter().filter(|e| e.file == name).collect();
        mine.sort_by_key(|e| (e.range.start, e.range.end));
        let text_edits: Vec<lsp::TextEdit> = mine
            .iter()
            .map(|e| lsp::TextEdit {
                range: map.range(e.range),
                new_text: e.new_text.clone(),
            })
            .collect();
        if support.document_changes {
            if creates {
                operations.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(
                    lsp::CreateFile {
                        uri: info.uri.clone(),
                        options: Some(lsp::CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(true),
                        }),
                        annotation_id: None,
                    },
                )));
            }
            operations.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                    uri: info.uri,
                    version: info.version,
                },
                edits: text_edits.into_iter().map(lsp::OneOf::Left).collect(),
            }));
        } else {
            changes.entry(info.uri).or_default().extend(text_edits);
        }
    }
    Some(if support.document_changes {
        lsp::WorkspaceEdit {
            changes: None,
            document_changes: Some(lsp::DocumentChanges::Operations(operations)),
            change_annotations: None,
        }
    } else {
        lsp::WorkspaceEdit {
            changes: Some(changes),
            document_changes: None,
            change_annotations: None,
        }
    })
}

/// The LSP kind of a core symbol kind.
pub fn symbol_kind(kind: crate::analysis::ide::symbols::SymbolKind) -> lsp::SymbolKind {
    use crate::analysis::ide::symbols::SymbolKind as K;
    match kind {
        K::File => lsp::SymbolKind::FILE,
        K::Function => lsp::SymbolKind::FUNCTION,
        K::Array => lsp::SymbolKind::ARRAY,
        K::Object => lsp::SymbolKind::OBJECT,
        K::Key => lsp::SymbolKind::KEY,
        K::Event => lsp::SymbolKind::EVENT,
        K::Variable => lsp::SymbolKind::VARIABLE,
        K::Constant => lsp::SymbolKind::CONSTANT,
        K::Boolean => lsp::SymbolKind::BOOLEAN,
        // Kinds the core may add later.
        #[allow(unreachable_patterns)]
        _ => lsp::SymbolKind::NULL,
    }
}

/// Nested document symbols.
#[allow(deprecated)]
pub fn document_symbols(
    symbols: &[crate::analysis::ide::symbols::DocumentSymbol],
    map: &LineMap<'_>,
) -> Vec<lsp::DocumentSymbol> {
    symbols
        .iter()
        .map(|s| lsp::DocumentSymbol {
            name: s.name.clone(),
            detail: s.detail.clone(),
            kind: symbol_kind(s.kind),
            tags: None,
            deprecated: None,
            range: map.range(s.range),
            selection_range: map.range(s.selection),
            children: (!s.children.is_empty()).then(|| document_symbols(&s.children, map)),
        })
        .collect()
}

/// Flat document symbols, for clients without hierarchical support: every symbol with its
/// parent's name as container.
#[allow(deprecated)]
pub fn flat_symbols(
    symbols: &[crate::analysis::ide::symbols::DocumentSymbol],
    uri: &Uri,
    map: &LineMap<'_>,
    container: Option<&str>,
    out: &mut Vec<lsp::SymbolInformation>,
) {
    for s in symbols {
        out.push(lsp::SymbolInformation {
            name: s.name.clone(),
            kind: symbol_kind(s.kind),
            tags: None,
            deprecated: None,
            location: lsp::Location {
                uri: uri.clone(),
                range: map.range(s.range),
            },
            container_name: container.map(str::to_string),
        });
        flat_symbols(&s.children, uri, map, Some(&s.name), out);
    }
}

/// A workspace symbol (a function of an app).
pub fn workspace_symbol(
    symbol: &crate::analysis::ide::symbols::WorkspaceSymbol,
    uri: &Uri,
    map: &LineMap<'_>,
) -> lsp::WorkspaceSymbol {
    lsp::WorkspaceSymbol {
        name: symbol.name.clone(),
        kind: symbol_kind(symbol.kind),
        tags: None,
        container_name: Some(symbol.container.clone()),
        location: lsp::OneOf::Left(lsp::Location {
            uri: uri.clone(),
            range: map.range(symbol.range),
        }),
        data: None,
    }
}

/// A code lens that shows what the host sees of its function when clicked
/// (`azfunc-lsp.showFunctionMetadata` with the document and the function).
pub fn code_lens(
    lens: &crate::analysis::ide::symbols::CodeLens,
    map: &LineMap<'_>,
    uri: &Uri,
) -> lsp::CodeLens {
    lsp::CodeLens {
        range: map.range(lens.range),
        command: Some(lsp::Command {
            title: lens.title.clone(),
            command: super::host_view::SHOW_FUNCTION_METADATA.to_string(),
            arguments: Some(vec![serde_json::json!({
                "uri": uri.as_str(),
                "function": lens.function,
            })]),
        }),
        data: None,
    }
}

/// An inlay hint after a parameter.
pub fn inlay_hint(
    hint: &crate::analysis::ide::symbols::InlayHint,
    map: &LineMap<'_>,
) -> lsp::InlayHint {
    lsp::InlayHint {
        position: map.position(hint.offset),
        label: lsp::InlayHintLabel::String(hint.label.clone()),
        kind: None,
        text_edits: None,
        tooltip: hint.tooltip.clone().map(lsp::InlayHintTooltip::String),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}

/// The byte range of an LSP range in `map`'s text (code actions, inlay hints).
pub fn text_range(map: &LineMap<'_>, range: Range) -> TextRange {
    TextRange::new(map.offset(range.start), map.offset(range.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    fn r(start: (u32, u32), end: (u32, u32)) -> Option<Range> {
        Some(Range::new(p(start.0, start.1), p(end.0, end.1)))
    }

    /// `text` after one change.
    fn changed(text: &str, range: Option<Range>, new_text: &str, encoding: Encoding) -> String {
        let mut text = text.to_string();
        apply_change(&mut text, range, new_text, encoding);
        text
    }

    #[test]
    fn positions_clamp_and_respect_lsp_line_breaks() {
        let text = "a\u{2028}b😀c\r\nx\ry";
        let utf16 = LineMap::new(text, Encoding::Utf16);
        let utf8 = LineMap::new(text, Encoding::Utf8);
        // The emoji is 2 UTF-16 units and 4 bytes; U+2028 is not a line break.
        let c_byte = "a\u{2028}b😀".len();
        assert_eq!(utf16.offset(p(0, 5)), c_byte);
        assert_eq!(utf8.offset(p(0, c_byte as u32)), c_byte);
        // Inside the surrogate pair / the UTF-8 sequence: the character's start.
        let emoji = "a\u{2028}b".len();
        assert_eq!(utf16.offset(p(0, 4)), emoji);
        assert_eq!(utf8.offset(p(0, emoji as u32 + 2)), emoji);
        // Past the end of the line: before the CRLF (or the lone CR), never into the next line.
        let cr = "a\u{2028}b😀c".len();
        assert_eq!(utf16.offset(p(0, 99)), cr);
        assert_eq!(utf8.offset(p(1, 99)), cr + 3);
        assert_eq!(utf8.offset(p(2, 0)), cr + 4);
        assert_eq!(utf8.offset(p(7, 0)), text.len());
    }

    #[test]
    fn line_map_positions_round_trip() {
        let text = "é𝄞x\r\n中文😀\ry\nlast";
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let map = LineMap::new(text, enc);
            for (offset, _) in text.char_indices() {
                if offset > 0 && text[..offset].ends_with('\r') && text[offset..].starts_with('\n')
                {
                    continue; // Inside a CRLF: not a position.
                }
                assert_eq!(map.offset(map.position(offset)), offset, "{enc:?}");
            }
        }
    }

    #[test]
    fn changes_apply_in_both_encodings() {
        let mut text = "ab😀cd\r\nxy".to_string();
        apply_change(&mut text, r((0, 2), (0, 4)), "Z", Encoding::Utf16);
        assert_eq!(text, "abZcd\r\nxy");
        // A reversed range is taken in order.
        apply_change(&mut text, r((1, 1), (0, 3)), "", Encoding::Utf8);
        assert_eq!(text, "abZy");
    }

    #[test]
    fn utf16_changes_around_surrogate_pairs() {
        let text = "a😀b\n😀";
        // Typing after the emoji (column 3 = after its two code units).
        assert_eq!(
            changed(text, r((0, 3), (0, 3)), "x", Encoding::Utf16),
            "a😀xb\n😀"
        );
        // A range ending inside the pair stops at the emoji's start; starting inside it
        // replaces from its start.
        assert_eq!(
            changed(text, r((0, 0), (0, 2)), "", Encoding::Utf16),
            "😀b\n😀"
        );
        assert_eq!(
            changed(text, r((0, 2), (0, 4)), "", Encoding::Utf16),
            "a\n😀"
        );
        // The same columns in UTF-8 count bytes.
        assert_eq!(
            changed(text, r((0, 1), (0, 5)), "", Encoding::Utf8),
            "ab\n😀"
        );
        assert_eq!(
            changed(text, r((1, 2), (1, 2)), "!", Encoding::Utf16),
            "a😀b\n😀!"
        );
    }

    #[test]
    fn changes_respect_crlf_and_lone_cr() {
        let text = "one\r\ntwo\rthree";
        // A column past the end of a line stops before its line break.
        assert_eq!(
            changed(text, r((0, 9), (0, 9)), "!", Encoding::Utf16),
            "one!\r\ntwo\rthree"
        );
        assert_eq!(
            changed(text, r((1, 9), (1, 9)), "!", Encoding::Utf16),
            "one\r\ntwo!\rthree"
        );
        // A lone CR ends a line: line 2 is `three`.
        assert_eq!(
            changed(text, r((2, 0), (2, 1)), "T", Encoding::Utf16),
            "one\r\ntwo\rThree"
        );
        // Deleting a whole line break, CRLF as one.
        assert_eq!(
            changed(text, r((0, 3), (1, 0)), "", Encoding::Utf16),
            "onetwo\rthree"
        );
        // An inserted `\n` right after a lone CR makes a CRLF: one break, not two.
        let mut text = text.to_string();
        apply_change(&mut text, r((2, 0), (2, 0)), "\n", Encoding::Utf16);
        assert_eq!(text, "one\r\ntwo\r\nthree");
        apply_change(&mut text, r((2, 0), (2, 0)), "3:", Encoding::Utf16);
        assert_eq!(text, "one\r\ntwo\r\n3:three");
    }

    #[test]
    fn changes_at_and_past_the_end() {
        let text = "ab\ncd";
        assert_eq!(
            changed(text, r((1, 2), (1, 2)), "!", Encoding::Utf16),
            "ab\ncd!"
        );
        // Lines past the end are the end of the text; columns past a line's end clamp.
        assert_eq!(
            changed(text, r((9, 0), (9, 4)), "!", Encoding::Utf16),
            "ab\ncd!"
        );
        assert_eq!(
            changed(text, r((1, 1), (7, 7)), "", Encoding::Utf8),
            "ab\nc"
        );
        assert_eq!(
            changed(text, r((0, 50), (0, 60)), "!", Encoding::Utf16),
            "ab!\ncd"
        );
        // A trailing line break leaves an empty last line to type on.
        assert_eq!(
            changed("ab\n", r((1, 0), (1, 5)), "c", Encoding::Utf16),
            "ab\nc"
        );
        assert_eq!(
            changed("ab\r", r((1, 0), (1, 0)), "c", Encoding::Utf16),
            "ab\rc"
        );
        assert_eq!(changed("", r((0, 3), (2, 0)), "x", Encoding::Utf16), "x");
        // No range: the whole text.
        assert_eq!(changed(text, None, "new", Encoding::Utf16), "new");
    }

    #[test]
    fn tree_edit_points_count_rows_at_newlines_only() {
        let point = |row, column| tree_sitter::Point { row, column };
        // LSP line 1 starts after the lone CR; tree-sitter's row 0 goes on to the `\n`.
        let mut text = "a\rb\nc".to_string();
        let edit = apply_change(&mut text, r((1, 1), (2, 0)), "XY\nZ", Encoding::Utf16).unwrap();
        assert_eq!(text, "a\rbXY\nZc");
        assert_eq!(
            (edit.start_byte, edit.old_end_byte, edit.new_end_byte),
            (3, 4, 7)
        );
        assert_eq!(edit.start_position, point(0, 3));
        assert_eq!(edit.old_end_position, point(1, 0));
        assert_eq!(edit.new_end_position, point(1, 1));
        // Columns are bytes, whatever the position encoding.
        let mut text = "é😀\r\nx".to_string();
        let edit = apply_change(&mut text, r((0, 3), (1, 1)), "", Encoding::Utf16).unwrap();
        assert_eq!(text, "é😀");
        assert_eq!(edit.start_position, point(0, 6));
        assert_eq!(edit.old_end_position, point(1, 1));
        assert_eq!(edit.new_end_position, point(0, 6));
    }

    #[test]
    fn tree_edits_match_a_fresh_parse() {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .unwrap();
        let mut text = "x = 1\ry = '😀'\r\ndef f():\n    return y\n".to_string();
        let mut tree = parser.parse(&text, None).unwrap();
        let changes = [
            // Joins the first two lines: the replaced range holds a lone CR, no row for tree-sitter.
            (r((0, 5), (1, 0)), "; "),
            (r((0, 11), (0, 15)), "'é'\n\rz = 2"),
            (r((0, 0), (0, 1)), "xx"),
            (r((3, 4), (3, 99)), "return z\r\n"),
            (r((1, 9), (1, 9)), "\r"),
            (r((9, 0), (9, 0)), "w = 3\n"),
        ];
        for (range, new_text) in changes {
            let edit = apply_change(&mut text, range, new_text, Encoding::Utf16).unwrap();
            tree.edit(&edit);
            tree = parser.parse(&text, Some(&tree)).unwrap();
            let fresh = parser.parse(&text, None).unwrap();
            assert_eq!(tree.root_node().to_sexp(), fresh.root_node().to_sexp());
            // Every node's points agree too: the edit's rows and columns are tree-sitter's.
            assert_eq!(
                spans(tree.root_node()),
                spans(fresh.root_node()),
                "{text:?}"
            );
        }
    }

    /// Every node's byte range and points, in document order.
    fn spans(node: tree_sitter::Node<'_>) -> Vec<String> {
        let mut out = vec![format!(
            "{} {:?} {} {}",
            node.kind(),
            node.byte_range(),
            node.start_position(),
            node.end_position()
        )];
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            out.extend(spans(child));
        }
        out
    }

    #[test]
    fn file_uris_agree_with_the_path_conversion() {
        let rels = [
            "F00001/function.json",
            "local.settings.json",
            "With space/function.json",
            "Ünïcode 名前/__init__.py",
            "per%cent#hash?q/a+b=c&d;e,f@g!h$i'j(k)l*m[n]o~p_q-r.s.py",
            "a/./b.py",
            "a/../b.py",
            "a//b.py",
        ];
        let open = HashMap::from([(
            PathBuf::from("/w/my app/Open/function.json"),
            "file:///w/my%20app/Open/function.json"
                .parse::<Uri>()
                .unwrap(),
        )]);
        for root in ["/w/my app", "/w/my app/", "/", "/w/ä%b"] {
            let root = Path::new(root);
            let uris = FileUris::new(root, &open);
            for rel in rels {
                let expected = path_to_uri(&root.join(rel)).map(|u| u.as_str().to_string());
                assert_eq!(
                    uris.uri(rel).map(|u| u.as_str().to_string()),
                    expected,
                    "{root:?} {rel}"
                );
                assert_eq!(
                    uris.uri_str(rel).map(|u| u.into_owned()),
                    expected,
                    "{root:?} {rel}"
                );
            }
        }
        // An open document keeps the URI its client sent.
        let spelled = "file:///w/my%20app/Open/%66unction.json"
            .parse::<Uri>()
            .unwrap();
        let open = HashMap::from([(PathBuf::from("/w/my app/Open/function.json"), spelled)]);
        let uris = FileUris::new(Path::new("/w/my app"), &open);
        assert_eq!(
            uris.uri("Open/function.json").unwrap().as_str(),
            "file:///w/my%20app/Open/%66unction.json"
        );
        assert_eq!(
            uris.uri_str("Open/function.json").unwrap(),
            "file:///w/my%20app/Open/%66unction.json"
        );
    }

    #[test]
    fn locations_json_is_what_serde_writes() {
        let text = "{\n  \"a\": \"xé\",\r\n\t\"b\": \"😀y\"\n}";
        let ranges = [
            TextRange::new(0, 1),
            TextRange::new(8, 16),
            TextRange::new(24, 33),
            TextRange::new(35, 35),
            TextRange::new(0, 4_000_000),
        ];
        let uri: Uri = "file:///w/my%20app/F/function.json".parse().unwrap();
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let map = LineMap::new(text, encoding);
            let expected: Vec<lsp::Location> = ranges
                .iter()
                .map(|r| lsp::Location {
                    uri: uri.clone(),
                    range: map.range(*r),
                })
                .collect();
            let uri_json = serde_json::to_vec(uri.as_str()).unwrap();
            let mut out = b"[".to_vec();
            write_locations_json(&mut out, &uri_json, &map, ranges.iter().copied());
            write_locations_json(&mut out, &uri_json, &map, ranges.iter().copied());
            out.push(b']');
            let twice: Vec<lsp::Location> = expected.iter().chain(&expected).cloned().collect();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&twice).unwrap()
            );
        }
        let mut out = b"[".to_vec();
        write_locations_json(
            &mut out,
            b"\"u\"",
            &LineMap::new("", Encoding::Utf16),
            std::iter::empty(),
        );
        assert_eq!(out, b"[");
        for n in [0, 7, 10, 99, 100, 4_294_967_295] {
            let mut out = Vec::new();
            write_u32(&mut out, n);
            assert_eq!(out, n.to_string().into_bytes());
        }
    }

    #[test]
    fn relative_paths_use_slashes() {
        let root = Path::new("/w/app");
        assert_eq!(
            relative_path(root, Path::new("/w/app/F/function.json")).as_deref(),
            Some("F/function.json")
        );
        assert_eq!(relative_path(root, Path::new("/w/other/x.py")), None);
        assert_eq!(relative_path(root, root), None);
    }
}
