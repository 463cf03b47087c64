//! The `LanguageServer` implementation: a thin shell that turns every notification into an
//! event on the main loop's queue and every request into a job with a reply channel, run on
//! the main loop's state. The requests are the table in [`requests!`]: one line each.
//!
//! Invariant: no handler awaits anything before its `send`, so events reach the main loop in
//! the order the client sent them (tower-lsp-server first-polls handler futures in arrival
//! order).

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot, watch};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::request::{self as req, Request};
use tower_lsp_server::ls_types::{
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWorkspaceFoldersParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    InitializeParams, InitializeResult, InitializedParams, Location, ReferenceParams, Uri,
    WorkspaceDiagnosticParams, WorkspaceDiagnosticReport, WorkspaceDiagnosticReportResult,
    WorkspaceDocumentDiagnosticReport, WorkspaceFullDocumentDiagnosticReport,
};
use tower_lsp_server::LanguageServer;

use super::capabilities;
use super::handlers::PreviousResults;
use super::main_loop::{Event, Job};
use super::navigation::References;
use super::state::State;
use super::transport::PreparedResults;

/// How long a `workspace/diagnostic` request with nothing new waits for a change.
const LONG_POLL: Duration = Duration::from_secs(30);

/// The requests answered from the main loop's state: `trait method: request type => handler;`.
/// The handler takes `&State` and the request's params and returns its result, or
/// `Result<result, String>` to refuse with a reason (`RequestFailed`). Requests only read the
/// state: they never wake a long-polling `workspace/diagnostic`.
macro_rules! requests {
    ($($method:ident: $request:ty => $handler:path;)*) => {$(
        async fn $method(
            &self,
            params: <$request as Request>::Params,
        ) -> Result<<$request as Request>::Result> {
            self.ask(<$request as Request>::METHOD, params, $handler)
                .await?
                .into_answer()
                .map_err(request_failed)
        }
    )*};
}

pub struct Backend {
    tx: mpsc::UnboundedSender<Event>,
    changes: watch::Receiver<u64>,
    debug: bool,
    prepared: Arc<PreparedResults>,
}

impl Backend {
    pub fn new(
        tx: mpsc::UnboundedSender<Event>,
        changes: watch::Receiver<u64>,
        debug: bool,
        prepared: Arc<PreparedResults>,
    ) -> Self {
        Backend {
            tx,
            changes,
            debug,
            prepared,
        }
    }

    fn send(&self, event: Event) {
        if self.tx.send(event).is_err() {
            tracing::error!("main loop is gone");
        }
    }

    /// Runs `handler` on the main loop's state, after every earlier event, and waits for its
    /// answer. A panic there drops the reply channel, which becomes an `InternalError`.
    async fn ask<P, T>(
        &self,
        method: &'static str,
        params: P,
        handler: fn(&State, P) -> T,
    ) -> Result<T>
    where
        P: Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.send(Event::Request(Job::new(method, move |state| {
            let _ = reply.send(handler(state, params));
        })));
        answer.await.map_err(|_| {
            let mut e = Error::internal_error();
            e.message = "the request failed inside the server (see its log)".into();
            e
        })
    }

    /// A workspace diagnostic report the handler wrote as JSON, answered through a placeholder
    /// report of one document (see `PreparedResults`).
    fn prepared_report(&self, json: Vec<u8>) -> Result<WorkspaceDiagnosticReportResult> {
        let uri = self.prepared.put(json);
        let placeholder =
            WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                uri: uri.parse().map_err(|_| Error::internal_error())?,
                version: None,
                full_document_diagnostic_report: Default::default(),
            });
        Ok(WorkspaceDiagnosticReportResult::Report(
            WorkspaceDiagnosticReport {
                items: vec![placeholder],
            },
        ))
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
        let text = self
            .ask("azfunc/documentText", params.uri, State::document_text)
            .await?;
        Ok(text.map(|(text, version)| DocumentText { text, version }))
    }

    /// `azfunc/status`: apps, functions, pending indexing jobs, and how many times the
    /// diagnostics may have changed (tests, benchmarks).
    pub async fn status(&self) -> Result<Value> {
        let mut status = self.ask("azfunc/status", (), State::status).await?;
        // Read after the answer: every earlier event has bumped it by then.
        status["diagnostics_generation"] = json!(*self.changes.borrow());
        Ok(status)
    }

    /// `azfunc/debugPanic`: panics inside the main loop (tests of the panic guard).
    pub async fn debug_panic(&self) -> Result<()> {
        self.check_debug()?;
        self.ask("azfunc/debugPanic", (), State::debug_panic).await
    }
}

/// A handler's answer: its result, or the reason it refuses the request.
trait IntoAnswer<T> {
    fn into_answer(self) -> std::result::Result<T, String>;
}

impl<T> IntoAnswer<T> for T {
    fn into_answer(self) -> std::result::Result<T, String> {
        Ok(self)
    }
}

impl<T> IntoAnswer<T> for std::result::Result<T, String> {
    fn into_answer(self) -> std::result::Result<T, String> {
        self
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

    requests! {
        hover: req::HoverRequest => State::hover;
        completion: req::Completion => State::completion;
        goto_definition: req::GotoDefinition => State::definition;
        prepare_rename: req::PrepareRenameRequest => State::prepare_rename;
        rename: req::Rename => State::rename;
        code_action: req::CodeActionRequest => State::code_action;
        document_symbol: req::DocumentSymbolRequest => State::document_symbol;
        symbol: req::WorkspaceSymbolRequest => State::workspace_symbol;
        code_lens: req::CodeLensRequest => State::code_lens;
        execute_command: req::ExecuteCommand => State::execute_command;
        inlay_hint: req::InlayHintRequest => State::inlay_hint;
        document_link: req::DocumentLinkRequest => State::document_link;
        diagnostic: req::DocumentDiagnosticRequest => State::document_diagnostic;
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let found = self
            .ask(req::References::METHOD, params, State::references)
            .await?;
        match found {
            None => Ok(None),
            Some(References::Locations(locations)) => Ok(Some(locations)),
            Some(References::Json(json)) => {
                // Sent as written, through a placeholder (see `PreparedResults`).
                let uri = self.prepared.put(json);
                let placeholder = Location {
                    uri: uri.parse().map_err(|_| Error::internal_error())?,
                    range: Default::default(),
                };
                Ok(Some(vec![placeholder]))
            }
        }
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
        let method = req::WorkspaceDiagnosticRequest::METHOD;
        let previous = Arc::new(PreviousResults::new(&params));
        let (report, unchanged) = self
            .ask(method, Arc::clone(&previous), State::workspace_diagnostic)
            .await?;
        if !(waits && unchanged) {
            return self.prepared_report(report);
        }
        let deadline = tokio::time::Instant::now() + LONG_POLL;
        loop {
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {
                    changes.mark_unchanged();
                    let (report, unchanged) = self
                        .ask(method, Arc::clone(&previous), State::workspace_diagnostic)
                        .await?;
                    if !unchanged {
                        return self.prepared_report(report);
                    }
                }
                _ => return self.prepared_report(report),
            }
        }
    }
}
