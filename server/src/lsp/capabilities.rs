//! What the server offers, chosen from what the client says it supports.

use std::path::PathBuf;

use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    CodeLensOptions, CompletionOptions, DiagnosticOptions, DiagnosticServerCapabilities,
    DocumentLinkOptions, ExecuteCommandOptions, HoverProviderCapability, InitializeParams,
    InitializeResult, MarkupKind, OneOf, PositionEncodingKind, RenameOptions,
    ResourceOperationKind, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, WorkDoneProgressOptions,
    WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};

use super::convert::{self, Encoding};
use super::state::Negotiated;

/// Characters after which clients should ask for completion.
pub const TRIGGER_CHARACTERS: &[&str] = &["\"", ":", "%", ".", "("];

/// The kind of the source action that applies every automatic fix of a file.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.azfunc")
}

/// The kind of the source action that adds every setting the app reads to local.settings.json.
pub fn add_settings_kind() -> CodeActionKind {
    CodeActionKind::new("source.addSettings.azfunc")
}

/// Reads the client's capabilities.
pub fn negotiate(caps: &ClientCapabilities) -> Negotiated {
    let offered = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    let utf8 = offered.is_some_and(|o| o.contains(&PositionEncodingKind::UTF8));
    let text = caps.text_document.as_ref();
    let workspace = caps.workspace.as_ref();
    let workspace_edit = workspace.and_then(|w| w.workspace_edit.as_ref());
    let completion_item = text
        .and_then(|t| t.completion.as_ref())
        .and_then(|c| c.completion_item.as_ref());
    let refresh = workspace
        .and_then(|w| w.diagnostics.as_ref())
        .and_then(|d| d.refresh_support)
        .unwrap_or(false);
    Negotiated {
        encoding: if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        },
        // Pulling is only safe when the server can ask the client to pull again: otherwise a
        // change in one file could never update another open file's diagnostics (Neovim 0.11
        // pulls but does not support refresh), so such clients get pushed diagnostics.
        pull: text.is_some_and(|t| t.diagnostic.is_some()) && refresh,
        refresh,
        progress: caps
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false),
        watch_dynamic: workspace
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false),
        configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
        markdown_hover: text
            .and_then(|t| t.hover.as_ref())
            .and_then(|h| h.content_format.as_ref())
            .is_none_or(|f| f.contains(&MarkupKind::Markdown)),
        markdown_completion: completion_item
            .and_then(|c| c.documentation_format.as_ref())
            .is_none_or(|f| f.contains(&MarkupKind::Markdown)),
        snippets: completion_item
            .and_then(|c| c.snippet_support)
            .unwrap_or(false),
        document_changes: workspace_edit
            .and_then(|w| w.document_changes)
            .unwrap_or(false),
        create_files: workspace_edit
            .and_then(|w| w.document_changes.filter(|d| *d))
            .and_then(|_| workspace_edit?.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
        delete_files: workspace_edit
            .and_then(|w| w.document_changes.filter(|d| *d))
            .and_then(|_| workspace_edit?.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&ResourceOperationKind::Delete)),
        rename_files: workspace_edit
            .and_then(|w| w.document_changes.filter(|d| *d))
            .and_then(|_| workspace_edit?.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&ResourceOperationKind::Rename)),
        hierarchical_symbols: text
            .and_then(|t| t.document_symbol.as_ref())
            .and_then(|d| d.hierarchical_document_symbol_support)
            .unwrap_or(false),
        definition_links: text
            .and_then(|t| t.definition.as_ref())
            .and_then(|d| d.link_support)
            .unwrap_or(false),
    }
}

/// The workspace folders of an `initialize` request (`rootUri`/`rootPath` when the client sends
/// no folders).
#[allow(deprecated)]
pub fn workspace_folders(params: &InitializeParams) -> Vec<PathBuf> {
    if let Some(folders) = &params.workspace_folders {
        return folders
            .iter()
            .filter_map(|f| convert::uri_to_path(&f.uri))
            .collect();
    }
    if let Some(path) = params.root_uri.as_ref().and_then(convert::uri_to_path) {
        return vec![path];
    }
    params
        .root_path
        .as_ref()
        .map(|p| vec![PathBuf::from(p)])
        .unwrap_or_default()
}

/// The `initialize` result for what was negotiated.
pub fn server_capabilities(n: &Negotiated) -> InitializeResult {
    let capabilities = ServerCapabilities {
        position_encoding: Some(match n.encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                will_save: None,
                will_save_wait_until: None,
                save: None,
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            resolve_provider: Some(false),
            trigger_characters: Some(TRIGGER_CHARACTERS.iter().map(|c| c.to_string()).collect()),
            ..Default::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                fix_all_kind(),
                add_settings_kind(),
                super::migrate::migrate_kind(),
            ]),
            resolve_provider: Some(false),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: super::host_view::COMMANDS
                .iter()
                .map(|c| c.to_string())
                .collect(),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        inlay_hint_provider: Some(OneOf::Left(true)),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        diagnostic_provider: n.pull.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("azfunc".to_string()),
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        }),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    };
    InitializeResult {
        capabilities,
        server_info: Some(ServerInfo {
            name: "azfunc-lsp".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
        offset_encoding: None,
    }
}
