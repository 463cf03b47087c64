//! The code action "Convert this app to the v2 model" on host.json and on any function.json: the
//! plan of `analysis/migrate` as one workspace edit (`documentChanges` with the created, edited
//! and deleted files), which the editor previews before applying. When the app cannot be
//! converted faithfully the action is offered disabled, with the first reason.

use tower_lsp_server::ls_types::{self as lsp, CodeActionKind, CodeActionOrCommand};

use super::convert::LineMap;
use super::state::{App, State};
use crate::analysis::migrate::{self, Change, Options, Plan};

/// The kind of the conversion action (a rewrite of the whole app).
pub fn migrate_kind() -> CodeActionKind {
    CodeActionKind::new("refactor.rewrite.azfunc.migrate")
}

const TITLE: &str = "Convert this app to the v2 model (azfunc)";

/// Whether the document is one the action is offered on.
fn offered_on(rel: &str) -> bool {
    rel == "host.json"
        || rel
            .strip_suffix("/function.json")
            .is_some_and(|dir| !dir.contains('/'))
}

impl State {
    /// The conversion action for document `rel` of `app`, when it is host.json or a
    /// function.json of a function.json app.
    pub(super) fn migrate_action(&self, app: &App, rel: &str) -> Option<CodeActionOrCommand> {
        if !offered_on(rel) || app.state.uses_decorator_model() {
            return None;
        }
        let input = app.state.input();
        let (edit, disabled) =
            match migrate::plan_with(input, app.state.modules(), &Options::default()) {
                Err(refusals) => {
                    let first = refusals.first()?;
                    let more = match refusals.len() {
                        1 => String::new(),
                        n => format!(" (and {} more; `azfunc-lsp migrate` lists them)", n - 1),
                    };
                    (
                        None,
                        Some(format!("{}: {}{more}", first.file, first.reason)),
                    )
                }
                Ok(_)
                    if !(self.caps.document_changes
                        && self.caps.create_files
                        && self.caps.delete_files) =>
                {
                    (
                        None,
                        Some("the editor cannot create and delete files in one edit".to_string()),
                    )
                }
                Ok(plan) => match self.plan_edit(app, &plan) {
                    Some(edit) => (Some(edit), None),
                    None => (None, Some("a file of the app cannot be edited".to_string())),
                },
            };
        Some(CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title: TITLE.to_string(),
            kind: Some(migrate_kind()),
            diagnostics: None,
            edit,
            command: None,
            is_preferred: None,
            disabled: disabled.map(|reason| lsp::CodeActionDisabled { reason }),
            data: None,
        }))
    }

    /// The plan as `documentChanges`: each created file as a `create` and its text, each edited
    /// file's edits against its open version, each removed file as a `delete`.
    fn plan_edit(&self, app: &App, plan: &Plan) -> Option<lsp::WorkspaceEdit> {
        let encoding = self.caps.encoding;
        let mut operations = Vec::new();
        for change in &plan.changes {
            let uri = self.uri_of(&app.root.join(change.path()))?;
            match change {
                Change::Create { text, .. } => {
                    operations.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(
                        lsp::CreateFile {
                            uri: uri.clone(),
                            options: Some(lsp::CreateFileOptions {
                                overwrite: Some(false),
                                ignore_if_exists: Some(false),
                            }),
                            annotation_id: None,
                        },
                    )));
                    operations.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                        text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                            uri,
                            version: None,
                        },
                        edits: vec![lsp::OneOf::Left(lsp::TextEdit {
                            range: lsp::Range::default(),
                            new_text: text.clone(),
                        })],
                    }));
                }
                Change::Edit { path, edits } => {
                    let map = LineMap::new(app.text(path), encoding);
                    let version = self.docs.get(&uri).map(|d| d.version);
                    operations.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                        text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                            uri,
                            version,
                        },
                        edits: edits
                            .iter()
                            .map(|e| {
                                lsp::OneOf::Left(lsp::TextEdit {
                                    range: map.range(e.range),
                                    new_text: e.new_text.clone(),
                                })
                            })
                            .collect(),
                    }));
                }
                Change::Delete { .. } => {
                    operations.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Delete(
                        lsp::DeleteFile {
                            uri,
                            options: Some(lsp::DeleteFileOptions {
                                recursive: Some(false),
                                ignore_if_not_exists: Some(true),
                            }),
                            annotation_id: None,
                        },
                    )));
                }
            }
        }
        Some(lsp::WorkspaceEdit {
            changes: None,
            document_changes: Some(lsp::DocumentChanges::Operations(operations)),
            change_annotations: None,
        })
    }
}
