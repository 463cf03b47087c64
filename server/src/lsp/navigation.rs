//! Navigation and edit requests: definition, references, rename, code actions, symbols, code
//! lenses, inlay hints and document links. Each converts positions in, asks the core, and
//! converts the answer out; nothing is kept between requests (a code action recomputes its
//! fixes from the current diagnostics).

use std::collections::{HashMap, HashSet};

use tower_lsp_server::ls_types::{
    self as lsp, CodeActionKind, CodeActionOrCommand, CodeActionResponse, DocumentSymbolResponse,
    GotoDefinitionResponse, PrepareRenameResponse, Uri, WorkspaceSymbolResponse,
};

use super::capabilities::{add_settings_kind, fix_all_kind};
use super::convert::{self, EditSupport, FileInfo, FileUris, LineMap};
use super::state::{App, State};
use crate::analysis::ide::{fixes, navigation, symbols, FilesInOrder};
use crate::analysis::{Diagnostic, FileEdit};

/// A references answer: the locations, or for many of them the JSON of the list, written
/// directly (the framework's route through a value tree costs more than finding them).
pub enum References {
    Locations(Vec<lsp::Location>),
    Json(Vec<u8>),
}

impl References {
    /// The number of places from which the answer is written as JSON.
    pub const JSON_FROM: usize = 64;
}

impl State {
    /// The URI, text and buffer version of a file of `app`; `text` is `None` when the file does
    /// not exist, and the whole answer `None` when it exists but is not text.
    fn file_info<'a>(&self, app: &'a App, rel: &str) -> Option<FileInfo<'a>> {
        let uri = self.uri_of(&app.root.join(rel))?;
        let input = app.state.input();
        let text = match input.files.get(rel) {
            None => None,
            Some(content) => Some(content.text()?),
        };
        let version = self.docs.get(&uri).map(|d| d.version);
        Some(FileInfo { uri, text, version })
    }

    fn edit_support(&self) -> EditSupport {
        EditSupport {
            document_changes: self.caps.document_changes,
            create_files: self.caps.create_files,
        }
    }

    fn workspace_edit(&self, app: &App, edits: &[FileEdit]) -> Option<lsp::WorkspaceEdit> {
        convert::workspace_edit(
            edits,
            |rel| self.file_info(app, rel),
            self.edit_support(),
            self.caps.encoding,
        )
    }

    /// The app and relative path of a document.
    fn locate_document<'a>(&'a self, uri: &Uri) -> Option<(&'a App, String)> {
        let path = convert::uri_to_path(uri)?;
        let (root, rel) = self.apps.locate(&path)?;
        Some((self.apps.by_root.get(&root)?, rel))
    }

    pub(super) fn definition(
        &self,
        p: lsp::GotoDefinitionParams,
    ) -> Option<GotoDefinitionResponse> {
        let tdp = p.text_document_position_params;
        let (app, rel, offset) = self.resolve(&tdp.text_document.uri, tdp.position)?;
        let targets = navigation::definition(&app.state, &rel, offset);
        if targets.is_empty() {
            return None;
        }
        let encoding = self.caps.encoding;
        let links: Vec<lsp::LocationLink> = targets
            .iter()
            .filter_map(|t| {
                let info = self.file_info(app, &t.file)?;
                let map = LineMap::new(info.text.unwrap_or(""), encoding);
                Some(lsp::LocationLink {
                    origin_selection_range: None,
                    target_uri: info.uri,
                    target_range: map.range(t.range),
                    target_selection_range: map.range(t.focus),
                })
            })
            .collect();
        if self.caps.definition_links {
            Some(GotoDefinitionResponse::Link(links))
        } else {
            Some(GotoDefinitionResponse::Array(
                links
                    .into_iter()
                    .map(|l| lsp::Location {
                        uri: l.target_uri,
                        range: l.target_selection_range,
                    })
                    .collect(),
            ))
        }
    }

    pub(super) fn references(&self, p: lsp::ReferenceParams) -> Option<References> {
        let tdp = p.text_document_position;
        let (app, rel, offset) = self.resolve(&tdp.text_document.uri, tdp.position)?;
        let found = navigation::references(&app.state, &rel, offset, p.context.include_declaration);
        let uris = FileUris::new(&app.root, &self.open_paths);
        let mut files = FilesInOrder::new(app.state.input());
        let json = found.len() >= References::JSON_FROM;
        let mut locations = Vec::new();
        let mut out = Vec::new();
        // A file's URI as a JSON string, written once for all its places.
        let mut uri_json = Vec::new();
        if json {
            // About 150 bytes a place.
            out.reserve(found.len() * 160 + 2);
            out.push(b'[');
        }
        // The places come by file: each file's URI and line index are made once.
        for places in found.chunk_by(|a, b| a.file == b.file) {
            let file = &places[0].file;
            // Places whose lines the index knows need neither the file's text nor its lines.
            let map = if places.iter().all(|r| r.lines.is_some()) {
                None
            } else {
                // A file that is not text has no positions; one that is gone, an empty text.
                let text = match files.get(file) {
                    None => "",
                    Some(content) => match content.text() {
                        Some(text) => text,
                        None => continue,
                    },
                };
                Some(LineMap::new(text, self.caps.encoding))
            };
            let encoding = self.caps.encoding;
            let range_of = |r: &navigation::FileRange| match (&map, &r.lines) {
                (Some(map), _) => map.range(r.range),
                (None, Some(lines)) => convert::known_range(lines, encoding),
                // Every place has its lines when there is no map.
                (None, None) => lsp::Range::default(),
            };
            if json {
                let Some(uri) = uris.uri_str(file) else {
                    continue;
                };
                uri_json.clear();
                serde_json::to_writer(&mut uri_json, uri.as_ref()).ok()?;
                convert::write_ranges_json(&mut out, &uri_json, places.iter().map(range_of));
            } else {
                let Some(uri) = uris.uri(file) else {
                    continue;
                };
                locations.extend(places.iter().map(|r| lsp::Location {
                    uri: uri.clone(),
                    range: range_of(r),
                }));
            }
        }
        Some(if json {
            out.push(b']');
            References::Json(out)
        } else {
            References::Locations(locations)
        })
    }

    pub(super) fn prepare_rename(
        &self,
        p: lsp::TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>, String> {
        let Some((app, rel, offset)) = self.resolve(&p.text_document.uri, p.position) else {
            return Ok(None);
        };
        let Some(prepared) = navigation::prepare_rename(&app.state, &rel, offset)? else {
            return Ok(None);
        };
        let map = LineMap::new(app.text(&rel), self.caps.encoding);
        Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
            range: map.range(prepared.range),
            placeholder: prepared.placeholder,
        }))
    }

    pub(super) fn rename(
        &self,
        p: lsp::RenameParams,
    ) -> Result<Option<lsp::WorkspaceEdit>, String> {
        let tdp = p.text_document_position;
        let Some((app, rel, offset)) = self.resolve(&tdp.text_document.uri, tdp.position) else {
            return Ok(None);
        };
        if let Some(moved) = navigation::folder_rename(&app.state, &rel, offset, &p.new_name) {
            return self.folder_rename_edit(app, moved?).map(Some);
        }
        let edits = navigation::rename(&app.state, &rel, offset, &p.new_name)?;
        if edits.is_empty() {
            return Ok(None);
        }
        self.workspace_edit(app, &edits)
            .map(Some)
            .ok_or_else(|| "the rename touches a file the editor cannot edit".to_string())
    }

    /// A function.json function's rename: the calls that name it, then its folder's move (the
    /// edits name the files where they are before the move).
    fn folder_rename_edit(
        &self,
        app: &App,
        moved: navigation::FolderRename,
    ) -> Result<lsp::WorkspaceEdit, String> {
        if !self.caps.rename_files {
            return Err(format!(
                "renaming '{}' moves its folder to '{}', and this editor does not let the server rename folders: rename the folder instead",
                moved.from, moved.to
            ));
        }
        let mut edit = if moved.edits.is_empty() {
            lsp::WorkspaceEdit::default()
        } else {
            self.workspace_edit(app, &moved.edits)
                .ok_or_else(|| "the rename touches a file the editor cannot edit".to_string())?
        };
        let (Some(old_uri), Some(new_uri)) = (
            self.uri_of(&app.root.join(&moved.from)),
            self.uri_of(&app.root.join(&moved.to)),
        ) else {
            return Err(format!("'{}' cannot be named by a URI", moved.from));
        };
        let mut operations = match edit.document_changes.take() {
            Some(lsp::DocumentChanges::Operations(ops)) => ops,
            Some(lsp::DocumentChanges::Edits(edits)) => edits
                .into_iter()
                .map(lsp::DocumentChangeOperation::Edit)
                .collect(),
            None => Vec::new(),
        };
        operations.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Rename(
            lsp::RenameFile {
                old_uri,
                new_uri,
                options: Some(lsp::RenameFileOptions {
                    overwrite: Some(false),
                    ignore_if_exists: Some(false),
                }),
                annotation_id: None,
            },
        )));
        edit.document_changes = Some(lsp::DocumentChanges::Operations(operations));
        Ok(edit)
    }

    pub(super) fn code_action(&self, p: lsp::CodeActionParams) -> Option<CodeActionResponse> {
        let (app, rel) = self.locate_document(&p.text_document.uri)?;
        let text = app.text(&rel);
        let encoding = self.caps.encoding;
        let map = LineMap::new(text, encoding);
        let range = convert::text_range(&map, p.range);
        let only = p.context.only.clone();
        let wanted = |kind: &CodeActionKind| match &only {
            None => true,
            Some(kinds) => kinds.iter().any(|k| {
                kind.as_str() == k.as_str()
                    || kind.as_str().starts_with(&format!("{}.", k.as_str()))
            }),
        };
        let diagnostics = app.file_diagnostics(&rel);
        let related = |rel_path: &str| {
            let info = self.file_info(app, rel_path)?;
            Some((info.uri, info.text))
        };
        let mut actions: Vec<CodeActionOrCommand> = Vec::new();
        let mut titles: HashSet<String> = HashSet::new();
        if wanted(&CodeActionKind::QUICKFIX) {
            let touching = diagnostics
                .iter()
                .filter(|d| d.range.start <= range.end && range.start <= d.range.end);
            for d in touching {
                let lsp_diagnostic = convert::diagnostic(d, &map, related, encoding);
                for fix in fixes::fixes(&app.state, d) {
                    let Some(edit) = self.workspace_edit(app, &fix.edits) else {
                        continue;
                    };
                    titles.insert(fix.title.clone());
                    actions.push(CodeActionOrCommand::CodeAction(lsp::CodeAction {
                        title: fix.title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![lsp_diagnostic.clone()]),
                        edit: Some(edit),
                        command: None,
                        is_preferred: fix.preferred.then_some(true),
                        disabled: None,
                        data: None,
                    }));
                }
            }
            for fix in fixes::fixes_at(&app.state, &rel, range.start as usize) {
                if titles.contains(&fix.title) {
                    continue;
                }
                let Some(edit) = self.workspace_edit(app, &fix.edits) else {
                    continue;
                };
                actions.push(CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: fix.title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: None,
                    edit: Some(edit),
                    command: None,
                    is_preferred: None,
                    disabled: None,
                    data: None,
                }));
            }
        }
        let add_settings = add_settings_kind();
        if wanted(&add_settings) {
            let fix = fixes::add_missing_settings(&app.state);
            if let Some((fix, edit)) = fix.and_then(|f| {
                let edit = self.workspace_edit(app, &f.edits)?;
                Some((f, edit))
            }) {
                actions.push(CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: fix.title,
                    kind: Some(add_settings),
                    diagnostics: None,
                    edit: Some(edit),
                    command: None,
                    is_preferred: None,
                    disabled: None,
                    data: None,
                }));
            }
        }
        // The conversion plans the whole app: not on the automatic requests editors send at
        // every cursor move, only when the user asks for actions or for refactorings.
        let automatic = p.context.trigger_kind == Some(lsp::CodeActionTriggerKind::AUTOMATIC);
        let migrate = super::migrate::migrate_kind();
        if wanted(&migrate) && (only.is_some() || !automatic) {
            actions.extend(self.migrate_action(app, &rel));
        }
        let fix_all = fix_all_kind();
        if wanted(&fix_all) {
            if let Some(action) = self.fix_all_action(app, &diagnostics, fix_all) {
                actions.push(action);
            }
        }
        Some(actions)
    }

    /// The source action that applies every automatic fix of a file's diagnostics.
    fn fix_all_action(
        &self,
        app: &App,
        diagnostics: &[Diagnostic],
        kind: CodeActionKind,
    ) -> Option<CodeActionOrCommand> {
        let all = fixes::fix_all(&app.state, diagnostics);
        if all.edits.is_empty() {
            return None;
        }
        let edit = self.workspace_edit(app, &all.edits)?;
        let n = all.fixed.len();
        let title = if n == 1 {
            "Fix 1 problem automatically (azfunc)".to_string()
        } else {
            format!("Fix {n} problems automatically (azfunc)")
        };
        Some(CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title,
            kind: Some(kind),
            diagnostics: None,
            edit: Some(edit),
            command: None,
            is_preferred: None,
            disabled: None,
            data: None,
        }))
    }

    pub(super) fn document_symbol(
        &self,
        p: lsp::DocumentSymbolParams,
    ) -> Option<DocumentSymbolResponse> {
        let (app, rel) = self.locate_document(&p.text_document.uri)?;
        let found = symbols::document_symbols(&app.state, &rel);
        let map = LineMap::new(app.text(&rel), self.caps.encoding);
        if self.caps.hierarchical_symbols {
            return Some(DocumentSymbolResponse::Nested(convert::document_symbols(
                &found, &map,
            )));
        }
        let mut flat = Vec::new();
        convert::flat_symbols(&found, &p.text_document.uri, &map, None, &mut flat);
        Some(DocumentSymbolResponse::Flat(flat))
    }

    pub(super) fn workspace_symbol(
        &self,
        p: lsp::WorkspaceSymbolParams,
    ) -> Option<WorkspaceSymbolResponse> {
        let mut out = Vec::new();
        for app in self.apps.by_root.values() {
            // One URI and line map per file: the functions of a decorator module all have theirs
            // in it, and a map per function made the answer grow with the square of the module.
            let mut files: HashMap<String, Option<(lsp::Uri, LineMap<'_>)>> = HashMap::new();
            for s in symbols::workspace_symbols(&app.state, &p.query) {
                let file = files.entry(s.file.clone()).or_insert_with(|| {
                    let info = self.file_info(app, &s.file)?;
                    let map = LineMap::new(info.text.unwrap_or(""), self.caps.encoding);
                    Some((info.uri, map))
                });
                if let Some((uri, map)) = file {
                    out.push(convert::workspace_symbol(&s, uri, map));
                }
            }
        }
        Some(WorkspaceSymbolResponse::Nested(out))
    }

    pub(super) fn code_lens(&self, p: lsp::CodeLensParams) -> Option<Vec<lsp::CodeLens>> {
        let (app, rel) = self.locate_document(&p.text_document.uri)?;
        let map = LineMap::new(app.text(&rel), self.caps.encoding);
        Some(
            symbols::code_lenses(&app.state, &rel)
                .iter()
                .chain(&crate::analysis::ide::durable::code_lenses(
                    &app.state, &rel,
                ))
                .map(|l| convert::code_lens(l, &map, &p.text_document.uri))
                .collect(),
        )
    }

    pub(super) fn inlay_hint(&self, p: lsp::InlayHintParams) -> Option<Vec<lsp::InlayHint>> {
        let (app, rel) = self.locate_document(&p.text_document.uri)?;
        let map = LineMap::new(app.text(&rel), self.caps.encoding);
        let range = convert::text_range(&map, p.range);
        Some(
            symbols::inlay_hints(&app.state, &rel, range)
                .iter()
                .map(|h| convert::inlay_hint(h, &map))
                .collect(),
        )
    }

    pub(super) fn document_link(
        &self,
        p: lsp::DocumentLinkParams,
    ) -> Option<Vec<lsp::DocumentLink>> {
        let (app, rel) = self.locate_document(&p.text_document.uri)?;
        let map = LineMap::new(app.text(&rel), self.caps.encoding);
        Some(
            navigation::document_links(&app.state, &rel)
                .iter()
                .filter_map(|l| {
                    Some(lsp::DocumentLink {
                        range: map.range(l.range),
                        target: Some(self.file_info(app, &l.target)?.uri),
                        tooltip: Some(l.target.clone()),
                        data: None,
                    })
                })
                .collect(),
        )
    }
}
