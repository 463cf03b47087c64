//! The language server: a thin protocol layer over [`crate::analysis`].
//!
//! One task (the main loop, [`main_loop`]) owns all document and workspace state and applies
//! every change in the order the client sent it; the `LanguageServer` handlers in [`server`] only
//! enqueue. Positions are converted in [`convert`] alone.
//!
//! What it does:
//! - Position encoding: UTF-8 when the client offers it, else UTF-16. Incremental sync on the
//!   document's `String`, positions resolved by the core's `LineIndex`.
//! - Diagnostics: pulled (`textDocument/diagnostic`, `workspace/diagnostic`, with
//!   `workspace/diagnostic/refresh` after cross-file changes) when the client supports pull,
//!   pushed otherwise, never both.
//! - Apps are found in every workspace folder at `initialized`, in the background, with
//!   `$/progress`; watched files (`**/function.json`, `**/*.py`, `**/host.json`,
//!   `**/local.settings.json`, `**/requirements.txt`, `**/pyproject.toml`) keep them current.
//! - Settings, section `azfunc` (from `initializationOptions`, `workspace/configuration` or
//!   `workspace/didChangeConfiguration`), over `[tool.azfunc-lsp]` in the app's pyproject.toml:
//!   `{"select": ["AZF2"], "ignore": ["AZF212"], "severity": {"AZF201": "warning", "AZF106": "off"}}`.
//! - Navigation and edits (`navigation.rs`): definition, references, rename with prepareRename,
//!   quick fixes and a `source.fixAll.azfunc` action, document and workspace symbols, code
//!   lenses (each runs `azfunc-lsp.showFunctionMetadata`, `host_view.rs`, for its function),
//!   inlay hints and document links. Workspace edits use `documentChanges` (with buffer
//!   versions, and `create` for a new local.settings.json) when the client supports them.
//! - Logging goes to stderr, filtered by `AZFUNC_LSP_LOG` (e.g. `AZFUNC_LSP_LOG=debug`).
//!   `AZFUNC_LSP_DEBUG_REQUESTS=1` enables `azfunc/documentText` and `azfunc/debugPanic` (tests);
//!   `azfunc/status` is always there.
//! - `exit` without a `shutdown` before it (or the end of the input) ends the process with code 1.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod capabilities;
pub mod config;
pub mod convert;
mod disk;
mod handlers;
mod host_view;
mod index;
pub mod main_loop;
mod migrate;
mod navigation;
pub mod server;
pub mod state;
#[doc(hidden)]
pub mod transport;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, watch};
use tower_lsp_server::{LspService, Server};

pub use handlers::WATCHED_GLOBS;

/// Options of a server instance.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Answer the debugging requests `azfunc/documentText` and `azfunc/debugPanic` (tests).
    pub debug_requests: bool,
}

impl ServeOptions {
    /// Options from the environment: `AZFUNC_LSP_DEBUG_REQUESTS=1` enables the debugging
    /// requests.
    pub fn from_env() -> ServeOptions {
        ServeOptions {
            debug_requests: std::env::var("AZFUNC_LSP_DEBUG_REQUESTS").is_ok_and(|v| v == "1"),
        }
    }
}

/// Runs the server on stdin/stdout until the client sends `exit` (or closes stdin). Returns
/// whether the session ended cleanly (a `shutdown` request came before): the specification's
/// condition for exit code 0 rather than 1.
pub fn run_stdio() -> anyhow::Result<bool> {
    // The state task and the loading tasks run the analysis: give them its stack.
    crate::threads::configure_global_pool();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(crate::threads::ANALYSIS_STACK_SIZE)
        .build()?;
    enlarge_stdout_pipe();
    let clean = runtime.block_on(serve_session(
        tokio::io::stdin(),
        tokio::io::stdout(),
        ServeOptions::from_env(),
    ));
    // Reading stdin blocks a thread that would otherwise keep the runtime alive after `exit`.
    runtime.shutdown_background();
    Ok(clean)
}

/// Gives stdout, when it is a pipe, room for 1 MB rather than 64 KB: a large answer (thousands
/// of references) or the burst of diagnostics after indexing then goes out in a few writes,
/// not one per 64 KB that the client has read. Where the system refuses, the pipe stays as it is.
fn enlarge_stdout_pipe() {
    #[cfg(target_os = "linux")]
    // SAFETY: fcntl on a file descriptor number, with an integer argument; it changes nothing
    // when the descriptor is not a pipe.
    unsafe {
        libc::fcntl(libc::STDOUT_FILENO, libc::F_SETPIPE_SZ, 1 << 20);
    }
}

/// Serves one client over a reader and a writer (stdio, or an in-memory pipe in tests).
pub async fn serve<I, O>(input: I, output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    serve_with(input, output, ServeOptions::from_env()).await
}

/// [`serve`] with explicit options.
pub async fn serve_with<I, O>(input: I, output: O, options: ServeOptions)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    serve_session(input, output, options).await;
}

/// [`serve_with`], returning whether the client sent `shutdown` before leaving.
pub async fn serve_session<I, O>(input: I, output: O, options: ServeOptions) -> bool
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let (tx, rx) = mpsc::unbounded_channel();
    let (changes_tx, changes_rx) = watch::channel(0u64);
    let weak = tx.downgrade();
    let debug = options.debug_requests;
    let prepared = std::sync::Arc::new(transport::PreparedResults::default());
    let backend_prepared = prepared.clone();
    // What goes to the client: the framework's frames, the guard's error responses and the
    // outbox's notifications.
    let (output_tx, output_rx) = mpsc::unbounded_channel();
    let notifications = output_tx.downgrade();
    let (service, socket) = LspService::build(move |client| {
        let (out_tx, out_rx) = mpsc::unbounded_channel();
        tokio::spawn(main_loop::run_outbox(out_rx, client.clone(), notifications));
        let ctx = main_loop::Ctx {
            out: out_tx,
            events: weak,
            client,
            changes: changes_tx,
        };
        tokio::spawn(main_loop::run(rx, ctx));
        server::Backend::new(tx, changes_rx, debug, backend_prepared)
    })
    .custom_method("azfunc/documentText", server::Backend::document_text)
    .custom_method("azfunc/status", server::Backend::status)
    .custom_method("azfunc/debugPanic", server::Backend::debug_panic)
    .finish();
    // The framework talks to the client through the framing guard (see `transport`).
    let (to_server, server_in) = tokio::io::duplex(1 << 20);
    let (server_out, from_server) = tokio::io::duplex(1 << 20);
    let errors_tx = output_tx.clone();
    let end = std::sync::Arc::new(transport::SessionEnd::default());
    let guard_end = end.clone();
    let guarded_input = async move {
        transport::guard_input(input, to_server, errors_tx, guard_end).await;
        // End of input: the framework sees it and stops; wait for that.
        std::future::pending::<()>().await
    };
    let run = async {
        tokio::select! {
            _ = Server::new(server_in, server_out, socket).serve(service) => {}
            _ = guarded_input => {}
        }
    };
    futures::join!(
        run,
        transport::frames_of(from_server, output_tx, prepared),
        transport::write_output(output, output_rx)
    );
    end.clean()
}
