//! The `LanguageServer` implementation: a thin shell that turns every notification into an
//! event on the main loop's queue and every state-reading request into an event with a reply
//! channel.
//!
//! Invariant: no handler awaits anything before its `send`, so events reach the main loop in
//! the order the client sent them (tower-lsp-server first-polls handler futures in arrival
//! order).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot, watch};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::ls_types::{
    CompletionParams, CompletionResponse, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DocumentDiagnosticParams,
    DocumentDiagnosticReportResult, Hover, HoverParams, InitializeParams, InitializeResult,
    InitializedParams, Uri, WorkspaceDiagnosticParams, WorkspaceDiagnosticReportResult,
};
use tower_lsp_server::LanguageServer;

use super::capabilities;
use super::main_loop::{Event, Reply, Request};

/// How long a `workspace/diagnostic` request with nothing new waits for a change.
const LONG_POLL: Duration = Duration::from_secs(30);

pub struct Backend {
    tx: mpsc::UnboundedSender<Event>,
    changes: watch::Receiver<u64>,
    debug: bool,
}

impl Backend {
    pub fn new(
        tx: mpsc::UnboundedSender<Event>,
        changes: watch::Receiver<u64>,
        debug: bool,
    ) -> Self {
        Backend { tx, changes, debug }
    }

    fn send(&self, event: Event) {
        if self.tx.send(event).is_err() {
            tracing::error!("main loop is gone");
        }
    }

    /// Sends a request to the main loop and waits for its answer. A panic there drops the reply
    /// channel, which becomes an `InternalError`.
    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T> {
        let (reply, answer) = oneshot::channel();
        self.send(Event::Request(make(reply)));
        answer.await.map_err(|_| {
            let mut e = Error::internal_error();
            e.message = "the request failed inside the server (see its log)".into();
            e
        })
    }

    fn check_debug(&self) -> Result<()> {
        if self.debug {
            Ok(())
        } else {
            Err(Error::method_not_found())
        }
    }

    /// `azfunc/documentText`: the server's copy of an open document (tests).
    pub async fn document_text(&self, params: DocumentTextParams) -> Result<Option<DocumentText>> {
        self.check_debug()?;
        let text = self.ask(|r| Request::DocumentText(params.uri, r)).await?;
        Ok(text.map(|(text, version)| DocumentText { text, version }))
    }

    /// `azfunc/status`: apps, functions and pending indexing jobs (tests, benchmarks).
    pub async fn status(&self) -> Result<Value> {
        self.ask(Request::Status).await
    }

    /// `azfunc/debugPanic`: panics inside the main loop (tests of the panic guard).
    pub async fn debug_panic(&self) -> Result<()> {
        self.check_debug()?;
        self.ask(Request::Panic).await
    }
}

/// A request the server understood but refuses (LSP's `RequestFailed`), with the reason.
fn request_failed(message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DocumentTextParams {
    pub uri: Uri,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentText {
    pub text: String,
    pub version: i32,
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = capabilities::negotiate(&params.capabilities);
        let result = capabilities::server_capabilities(&caps);
        tracing::info!(
            "initialize: encoding {:?}, pull diagnostics {}",
            caps.encoding,
            caps.pull
        );
        self.send(Event::Initialize {
            caps,
            folders: capabilities::workspace_folders(&params),
            options: params.initialization_options,
        });
        Ok(result)
    }

    async fn initialized(&self, _: InitializedParams) {
        self.send(Event::Initialized);
    }

    async fn shutdown(&self) -> Result<()> {
        self.send(Event::Shutdown);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.send(Event::Open(params));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.send(Event::Change(params));
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.send(Event::Close(params));
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.send(Event::WatchedFiles(params));
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        self.send(Event::Folders(params));
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        self.send(Event::ConfigurationChanged(params.settings));
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.ask(|r| Request::Hover(params, r)).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.ask(|r| Request::Completion(params, r)).await
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        self.ask(|r| Request::Definition(params, r)).await
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        self.ask(|r| Request::References(params, r)).await
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        self.ask(|r| Request::PrepareRename(params, r))
            .await?
            .map_err(request_failed)
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        self.ask(|r| Request::Rename(params, r))
            .await?
            .map_err(request_failed)
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        self.ask(|r| Request::CodeAction(params, r)).await
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        self.ask(|r| Request::DocumentSymbol(params, r)).await
    }

    async fn symbol(
        &self,
        params: lsp::WorkspaceSymbolParams,
    ) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        self.ask(|r| Request::WorkspaceSymbol(params, r)).await
    }

    async fn code_lens(&self, params: lsp::CodeLensParams) -> Result<Option<Vec<lsp::CodeLens>>> {
        self.ask(|r| Request::CodeLens(params, r)).await
    }

    async fn inlay_hint(
        &self,
        params: lsp::InlayHintParams,
    ) -> Result<Option<Vec<lsp::InlayHint>>> {
        self.ask(|r| Request::InlayHint(params, r)).await
    }

    async fn document_link(
        &self,
        params: lsp::DocumentLinkParams,
    ) -> Result<Option<Vec<lsp::DocumentLink>>> {
        self.ask(|r| Request::DocumentLink(params, r)).await
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        self.ask(|r| Request::Diagnostic(params, r)).await
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        // Nothing new for a client that already has results: wait for a change (long poll), so
        // that clients which re-ask at once do not spin.
        let mut changes = self.changes.clone();
        changes.mark_unchanged();
        let waits = !params.previous_result_ids.is_empty();
        let (report, unchanged) = self
            .ask(|r| Request::WorkspaceDiagnostic(params.clone(), r))
            .await?;
        if !(waits && unchanged) {
            return Ok(report);
        }
        let deadline = tokio::time::Instant::now() + LONG_POLL;
        loop {
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {
                    changes.mark_unchanged();
                    let (report, unchanged) = self
                        .ask(|r| Request::WorkspaceDiagnostic(params.clone(), r))
                        .await?;
                    if !unchanged {
                        return Ok(report);
                    }
                }
                _ => return Ok(report),
            }
        }
    }
}
