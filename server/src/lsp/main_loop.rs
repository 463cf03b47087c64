//! The task that owns the [`State`]: it receives every event (notifications, requests that read
//! state, results of background work) on one unbounded channel and applies them in order, each
//! under `catch_unwind`. Outgoing notifications go through an ordered outbox task.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, watch};
use tower_lsp_server::ls_types::notification::{Notification, Progress, PublishDiagnostics};
use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, NumberOrString, ProgressParams,
    ProgressParamsValue, PublishDiagnosticsParams, Registration, Uri, WorkDoneProgress,
};
use tower_lsp_server::Client;

use super::state::{App, Negotiated, State};
use super::transport::Outgoing;
use crate::analysis::AppInput;

/// A request to answer from the main loop, after every earlier event: its method name (for
/// logs) and the work that answers it. Requests read the state and never change it.
pub struct Job {
    pub method: &'static str,
    answer: Box<dyn FnOnce(&State) + Send>,
}

/// The requests that read the text, summaries, units and model of an app but none of its
/// findings: queued behind a keystroke, they are answered before its checks (an editor sends
/// them with the keystroke, and a check of a large decorator module takes tens of
/// milliseconds). Any other request waits for the checks.
const ANSWERED_BEFORE_CHECKS: &[&str] = &[
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/documentSymbol",
    "textDocument/documentLink",
    "textDocument/inlayHint",
    "textDocument/codeLens",
];

impl Job {
    pub fn new(method: &'static str, answer: impl FnOnce(&State) + Send + 'static) -> Job {
        Job {
            method,
            answer: Box::new(answer),
        }
    }

    /// Whether the answer may read findings, so that an edit's checks must come first.
    pub fn reads_findings(&self) -> bool {
        !ANSWERED_BEFORE_CHECKS.contains(&self.method)
    }

    pub fn run(self, state: &State) {
        (self.answer)(state)
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("method", &self.method).finish()
    }
}

#[derive(Debug)]
pub enum Event {
    Initialize {
        caps: Negotiated,
        folders: Vec<PathBuf>,
        options: Option<Value>,
    },
    Initialized,
    Open(DidOpenTextDocumentParams),
    Change(DidChangeTextDocumentParams),
    Close(DidCloseTextDocumentParams),
    WatchedFiles(DidChangeWatchedFilesParams),
    Folders(DidChangeWorkspaceFoldersParams),
    /// `workspace/didChangeConfiguration` with its `settings`.
    ConfigurationChanged(Value),
    /// The answer to our `workspace/configuration` request.
    Settings(Value),
    /// Apps loaded in the background. `scope` is the workspace folder that was indexed (apps
    /// below it that are not in `apps` are gone); `None` for a reload of single apps.
    Indexed {
        scope: Option<PathBuf>,
        apps: Vec<App>,
        token: Option<NumberOrString>,
    },
    /// An app re-read from disk (after a folder appeared or vanished).
    Rescanned {
        root: PathBuf,
        input: AppInput,
    },
    /// The app roots of every workspace folder, found again.
    Rediscovered(Vec<PathBuf>),
    Request(Job),
    Shutdown,
}

/// What the outbox task sends to the client, in order.
#[derive(Debug)]
pub enum Out {
    Publish {
        uri: Uri,
        diagnostics: Vec<tower_lsp_server::ls_types::Diagnostic>,
        version: Option<i32>,
    },
    Refresh,
    ProgressCreate(NumberOrString),
    Progress(NumberOrString, WorkDoneProgress),
    Register(Vec<Registration>),
}

/// Handles the main loop needs beside its state.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub out: mpsc::UnboundedSender<Out>,
    /// A weak handle on our own queue, for background work to report back (the loop ends when
    /// the server drops the last strong sender).
    pub events: mpsc::WeakUnboundedSender<Event>,
    pub client: Client,
    /// Bumped after every event that may change diagnostics, that is every event but a
    /// request (wakes long-polling `workspace/diagnostic` requests).
    pub changes: watch::Sender<u64>,
}

impl Ctx {
    pub fn send_out(&self, out: Out) {
        let _ = self.out.send(out);
    }

    pub fn send_event(&self, event: Event) {
        if let Some(tx) = self.events.upgrade() {
            let _ = tx.send(event);
        }
    }
}

/// Runs the main loop until every sender of `rx` is gone.
pub async fn run(mut rx: mpsc::UnboundedReceiver<Event>, ctx: Ctx) {
    let mut state = State::default();
    let mut waiting = None;
    loop {
        let event = match waiting.take() {
            Some(event) => event,
            // A buffer's edit waits for its checks only while requests that read no findings
            // are queued behind it (`State::handle` checks before any other event).
            None if state.checks_deferred() => match rx.try_recv() {
                Ok(event) => event,
                Err(_) => {
                    let finished = state.checks_finished;
                    guarded("checks", || state.finish_checks(&ctx));
                    if state.checks_finished != finished {
                        ctx.changes.send_modify(|g| *g += 1);
                    }
                    continue;
                }
            },
            None => match rx.recv().await {
                Some(event) => event,
                None => break,
            },
        };
        let event = match event {
            Event::Change(change) => {
                let (change, next) = coalesce(change, &mut rx);
                waiting = next;
                Event::Change(change)
            }
            event => event,
        };
        let name = event_name(&event);
        let is_request = matches!(event, Event::Request(_));
        let finished = state.checks_finished;
        let _span = tracing::debug_span!("event", name).entered();
        guarded(name, || state.handle(&ctx, event));
        // Diagnostics may have changed: wake the long-polling `workspace/diagnostic` requests
        // (after the checks of an edit, not before them).
        if (!is_request && !state.checks_deferred()) || state.checks_finished != finished {
            ctx.changes.send_modify(|g| *g += 1);
        }
    }
    tracing::debug!("main loop finished");
}

/// Runs `work` (the handling of `name`), logging a panic instead of ending the loop.
fn guarded(name: &str, work: impl FnOnce()) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(work)) {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!("panic while handling {name}: {message}");
    }
}

/// `change` with the changes of the same document already queued right behind it: one change
/// of their content changes in order and the last version, and the first other event, to handle
/// next. A burst of keystrokes that arrived while an analysis ran is then analysed once, not
/// once per keystroke with each answer later than the last (the LSP applies a notification's
/// content changes one after another, as if sent one by one). Only what directly follows is
/// taken: a request or another document's change keeps its place.
fn coalesce(
    mut change: DidChangeTextDocumentParams,
    rx: &mut mpsc::UnboundedReceiver<Event>,
) -> (DidChangeTextDocumentParams, Option<Event>) {
    loop {
        match rx.try_recv() {
            Ok(Event::Change(next)) if next.text_document.uri == change.text_document.uri => {
                change.content_changes.extend(next.content_changes);
                change.text_document.version = next.text_document.version;
            }
            Ok(other) => return (change, Some(other)),
            Err(_) => return (change, None),
        }
    }
}

fn event_name(event: &Event) -> &'static str {
    match event {
        Event::Initialize { .. } => "initialize",
        Event::Initialized => "initialized",
        Event::Open(_) => "didOpen",
        Event::Change(_) => "didChange",
        Event::Close(_) => "didClose",
        Event::WatchedFiles(_) => "didChangeWatchedFiles",
        Event::Folders(_) => "didChangeWorkspaceFolders",
        Event::ConfigurationChanged(_) => "didChangeConfiguration",
        Event::Settings(_) => "settings",
        Event::Indexed { .. } => "indexed",
        Event::Rescanned { .. } => "rescanned",
        Event::Rediscovered(_) => "rediscovered",
        Event::Request(job) => job.method,
        Event::Shutdown => "shutdown",
    }
}

/// Frames a notification and queues it for the output. The framework's own path (its value
/// tree, a one-message queue to its writer task, the in-memory pipe to the transport) costs about
/// 14 µs a message, most of the time to publish the 20,801 files of a 40,000-function app after
/// indexing; this costs the serialisation alone. Once the output is gone, nothing is sent.
fn notify<N: Notification>(frames: &mpsc::WeakUnboundedSender<Outgoing>, params: N::Params) {
    #[derive(serde::Serialize)]
    struct Message<P> {
        jsonrpc: &'static str,
        method: &'static str,
        params: P,
    }
    let Some(frames) = frames.upgrade() else {
        return;
    };
    let message = Message {
        jsonrpc: "2.0",
        method: N::METHOD,
        params,
    };
    match serde_json::to_vec(&message) {
        Ok(body) => {
            let _ = frames.send(Outgoing::Frame(body));
        }
        Err(e) => tracing::error!("cannot serialise {}: {e}", N::METHOD),
    }
}

/// Sends the outbox's messages to the client in order: notifications straight to the output
/// (`frames`), requests through the framework, which routes their answers.
pub async fn run_outbox(
    mut rx: mpsc::UnboundedReceiver<Out>,
    client: Client,
    frames: mpsc::WeakUnboundedSender<Outgoing>,
) {
    let mut dead_tokens = Vec::new();
    while let Some(out) = rx.recv().await {
        match out {
            Out::Publish {
                uri,
                diagnostics,
                version,
            } => notify::<PublishDiagnostics>(
                &frames,
                PublishDiagnosticsParams {
                    uri,
                    diagnostics,
                    version,
                },
            ),
            Out::Refresh => {
                let client = client.clone();
                tokio::spawn(async move {
                    if let Err(e) = client.workspace_diagnostic_refresh().await {
                        tracing::debug!("workspace/diagnostic/refresh: {e}");
                    }
                });
            }
            Out::ProgressCreate(token) => {
                let created = tokio::time::timeout(
                    Duration::from_secs(10),
                    client.create_work_done_progress(token.clone()),
                )
                .await;
                if !matches!(created, Ok(Ok(()))) {
                    tracing::debug!("progress token {token:?} refused");
                    dead_tokens.push(token);
                }
            }
            Out::Progress(token, value) => {
                if !dead_tokens.contains(&token) {
                    notify::<Progress>(
                        &frames,
                        ProgressParams {
                            token,
                            value: ProgressParamsValue::WorkDone(value),
                        },
                    );
                }
            }
            Out::Register(registrations) => {
                let client = client.clone();
                tokio::spawn(async move {
                    if let Err(e) = client.register_capability(registrations).await {
                        tracing::warn!("client/registerCapability: {e}");
                    }
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use tower_lsp_server::ls_types::{
        TextDocumentContentChangeEvent, VersionedTextDocumentIdentifier,
    };

    fn change(uri: &str, version: i32, text: &str) -> Event {
        Event::Change(DidChangeTextDocumentParams {
            text_document: VersionedTextDocumentIdentifier {
                uri: Uri::from_str(uri).unwrap(),
                version,
            },
            content_changes: vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: text.to_string(),
            }],
        })
    }

    fn texts(change: &DidChangeTextDocumentParams) -> Vec<&str> {
        change
            .content_changes
            .iter()
            .map(|c| c.text.as_str())
            .collect()
    }

    #[test]
    fn queued_changes_of_one_document_are_taken_together_up_to_another_event() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        for event in [
            change("file:///a.py", 3, "b"),
            change("file:///a.py", 4, "c"),
            change("file:///b.py", 7, "x"),
            change("file:///a.py", 5, "d"),
            Event::Initialized,
            change("file:///a.py", 6, "e"),
        ] {
            tx.send(event).unwrap();
        }
        let Event::Change(first) = change("file:///a.py", 2, "a") else {
            unreachable!()
        };
        let (merged, next) = coalesce(first, &mut rx);
        assert_eq!(texts(&merged), ["a", "b", "c"]);
        assert_eq!(merged.text_document.version, 4);
        // Another document's change comes next, then the rest in order.
        let Some(Event::Change(other)) = next else {
            panic!("the change of b.py is next")
        };
        assert_eq!(other.text_document.uri.as_str(), "file:///b.py");
        let (other, next) = coalesce(other, &mut rx);
        assert_eq!((texts(&other), other.text_document.version), (vec!["x"], 7));
        let Some(Event::Change(third)) = next else {
            panic!("a.py again")
        };
        let (third, next) = coalesce(third, &mut rx);
        assert_eq!(texts(&third), ["d"]);
        assert!(matches!(next, Some(Event::Initialized)));
        // Nothing queued: the change alone.
        let Ok(Event::Change(last)) = rx.try_recv() else {
            panic!("the last change")
        };
        let (last, next) = coalesce(last, &mut rx);
        assert_eq!((texts(&last), last.text_document.version), (vec!["e"], 6));
        assert!(next.is_none());
    }
}
