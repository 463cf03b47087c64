//! Every conversion between the core's byte offsets and LSP positions lives here, together with
//! the builders of LSP diagnostics, completion items and hovers from the core's plain data.

use std::path::{Path, PathBuf};

use ropey::Rope;
use tower_lsp_server::ls_types::{
    self as lsp, CompletionTextEdit, Documentation, InsertTextFormat, MarkupContent, MarkupKind,
    NumberOrString, Position, Range, Uri,
};

use crate::analysis::text::{ColumnUnit, LineCol, LineIndex, TextRange};
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

/// The char index of an LSP position in a rope, clamped to the line's content (its line break
/// excluded) and to the text; a position inside a character gives that character's start.
pub fn rope_char_index(rope: &Rope, pos: Position, encoding: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let start = rope.line_to_char(line);
    let slice = rope.line(line);
    let mut n = slice.len_chars();
    while n > 0 && matches!(slice.char(n - 1), '\n' | '\r') {
        n -= 1;
    }
    let end = start + n;
    let col = pos.character as usize;
    let idx = match encoding {
        Encoding::Utf8 => {
            let start_byte = rope.char_to_byte(start);
            let end_byte = rope.char_to_byte(end);
            let byte = (start_byte + col).min(end_byte);
            // `byte_to_char` gives the char containing `byte`, so a byte inside a
            // multi-byte character maps to its start.
            rope.byte_to_char(byte)
        }
        Encoding::Utf16 => {
            let start_cu = rope.char_to_utf16_cu(start);
            let end_cu = rope.char_to_utf16_cu(end);
            let cu = (start_cu + col).min(end_cu);
            let c = rope.utf16_cu_to_char(cu);
            // Inside a surrogate pair `utf16_cu_to_char` rounds down, which is what we want.
            c
        }
    };
    idx.min(end)
}

/// The byte offset of an LSP position in a rope (see [`rope_char_index`]).
pub fn rope_offset(rope: &Rope, pos: Position, encoding: Encoding) -> usize {
    rope.char_to_byte(rope_char_index(rope, pos, encoding))
}

/// Applies one `didChange` content change to a rope. A change without a range replaces the text.
pub fn apply_change(rope: &mut Rope, range: Option<Range>, text: &str, encoding: Encoding) {
    match range {
        None => *rope = Rope::from_str(text),
        Some(range) => {
            let a = rope_char_index(rope, range.start, encoding);
            let b = rope_char_index(rope, range.end, encoding);
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            rope.remove(a..b);
            rope.insert(a, text);
        }
    }
}

/// The tree-sitter edit of a change about to be applied to `rope` (as [`apply_change`] applies
/// it): byte offsets, and rows and byte columns counted at `\n` only, as tree-sitter counts them.
pub fn input_edit(
    rope: &Rope,
    range: Range,
    text: &str,
    encoding: Encoding,
) -> tree_sitter::InputEdit {
    let a = rope_char_index(rope, range.start, encoding);
    let b = rope_char_index(rope, range.end, encoding);
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    let start_byte = rope.char_to_byte(a);
    let old_end_byte = rope.char_to_byte(b);
    let start_position = tree_point(rope, start_byte);
    let new_end_position = match text.rfind('\n') {
        Some(last) => tree_sitter::Point {
            row: start_position.row + text.matches('\n').count(),
            column: text.len() - last - 1,
        },
        None => tree_sitter::Point {
            row: start_position.row,
            column: start_position.column + text.len(),
        },
    };
    tree_sitter::InputEdit {
        start_byte,
        old_end_byte,
        new_end_byte: start_byte + text.len(),
        start_position,
        old_end_position: tree_point(rope, old_end_byte),
        new_end_position,
    }
}

/// The row (`\n`s before) and byte column (bytes since the last `\n`) of a byte offset.
fn tree_point(rope: &Rope, byte: usize) -> tree_sitter::Point {
    let before = rope.byte_slice(..byte);
    let row = before
        .chunks()
        .map(|c| c.bytes().filter(|&b| b == b'\n').count())
        .sum();
    let mut column = 0;
    let mut bytes = rope.bytes_at(byte);
    while let Some(b) = bytes.prev() {
        if b == b'\n' {
            break;
        }
        column += 1;
    }
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

/// An LSP location of a range in a file of the app.
pub fn location(file: &FileInfo<'_>, range: TextRange, encoding: Encoding) -> lsp::Location {
    lsp::Location {
        uri: file.uri.clone(),
        range: LineMap::new(file.text.unwrap_or(""), encoding).range(range),
    }
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
    file: &FileInfo<'_>,
    encoding: Encoding,
) -> lsp::WorkspaceSymbol {
    lsp::WorkspaceSymbol {
        name: symbol.name.clone(),
        kind: symbol_kind(symbol.kind),
        tags: None,
        container_name: Some(symbol.container.clone()),
        location: lsp::OneOf::Left(location(file, symbol.range, encoding)),
        data: None,
    }
}

/// A code lens that shows a title (its command does nothing when clicked).
pub fn code_lens(
    lens: &crate::analysis::ide::symbols::CodeLens,
    map: &LineMap<'_>,
) -> lsp::CodeLens {
    lsp::CodeLens {
        range: map.range(lens.range),
        command: Some(lsp::Command {
            title: lens.title.clone(),
            command: String::new(),
            arguments: None,
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

    #[test]
    fn rope_positions_clamp_and_respect_lsp_line_breaks() {
        let rope = Rope::from_str("a\u{2028}b😀c\r\nx\ry");
        assert_eq!(rope.len_lines(), 3);
        let p = |l, c| Position::new(l, c);
        // The emoji is 2 UTF-16 units and 4 bytes; U+2028 is not a line break.
        let c_byte = "a\u{2028}b😀".len();
        assert_eq!(rope_offset(&rope, p(0, 5), Encoding::Utf16), c_byte);
        assert_eq!(
            rope_offset(&rope, p(0, c_byte as u32), Encoding::Utf8),
            c_byte
        );
        // Inside the surrogate pair / the UTF-8 sequence: the character's start.
        let emoji = "a\u{2028}b".len();
        assert_eq!(rope_offset(&rope, p(0, 4), Encoding::Utf16), emoji);
        assert_eq!(
            rope_offset(&rope, p(0, emoji as u32 + 2), Encoding::Utf8),
            emoji
        );
        // Past the end of the line: before the CRLF, never into the next line.
        let cr = "a\u{2028}b😀c".len();
        assert_eq!(rope_offset(&rope, p(0, 99), Encoding::Utf16), cr);
        assert_eq!(rope_offset(&rope, p(1, 99), Encoding::Utf8), cr + 3);
        assert_eq!(
            rope_offset(&rope, p(7, 0), Encoding::Utf8),
            rope.len_bytes()
        );
    }

    #[test]
    fn line_map_and_rope_agree() {
        let text = "é𝄞x\r\n中文😀\ry\nlast";
        let rope = Rope::from_str(text);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let map = LineMap::new(text, enc);
            for (offset, _) in text.char_indices() {
                if offset > 0 && text[..offset].ends_with('\r') && text[offset..].starts_with('\n')
                {
                    continue; // Inside a CRLF: not a position.
                }
                let pos = map.position(offset);
                assert_eq!(map.offset(pos), offset);
                assert_eq!(rope_offset(&rope, pos, enc), offset, "{enc:?} {pos:?}");
            }
        }
    }

    #[test]
    fn changes_apply_in_both_encodings() {
        let mut rope = Rope::from_str("ab😀cd\r\nxy");
        apply_change(
            &mut rope,
            Some(Range::new(Position::new(0, 2), Position::new(0, 4))),
            "Z",
            Encoding::Utf16,
        );
        assert_eq!(rope.to_string(), "abZcd\r\nxy");
        apply_change(
            &mut rope,
            Some(Range::new(Position::new(1, 1), Position::new(0, 3))),
            "",
            Encoding::Utf8,
        );
        assert_eq!(rope.to_string(), "abZy");
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
