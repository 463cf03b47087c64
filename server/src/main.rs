//! The `azfunc-lsp` binary: command-line parsing and dispatch.

use std::io::IsTerminal;
use std::process::ExitCode;

use azfunc_lsp::{allocator, cli, threads};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// The analysis allocates many small, short-lived objects on several threads at once; mimalloc
/// costs less CPU for that than the system allocator (docs/performance.md, "The allocator").
#[global_allocator]
static GLOBAL: azfunc_lsp::allocator::Mimalloc = azfunc_lsp::allocator::Mimalloc;

/// Language server and checker for Azure Functions Python apps.
#[derive(Debug, Parser)]
#[command(name = "azfunc-lsp", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Accepted and ignored: editors pass it to the default `serve`.
    #[arg(long, hide = true)]
    stdio: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check function apps and report problems (exit 1 when one is at or above --fail-on).
    Check(cli::check::CheckArgs),
    /// Show what the host sees of each function: bindings, settings, HTTP routes.
    Inspect(cli::inspect::InspectArgs),
    /// Convert a function.json app to the decorator model (a diff by default).
    Migrate(cli::migrate::MigrateArgs),
    /// List the rules, or explain one.
    Rules(cli::rules::RulesArgs),
    /// Remove the cache of `check` for the apps found below the paths.
    Clean(cli::cache::CleanArgs),
    /// Run the language server on stdin/stdout (the default).
    Serve {
        /// Accepted and ignored (vscode-languageclient appends it).
        #[arg(long)]
        stdio: bool,
    },
}

fn main() -> ExitCode {
    // SAFETY: first in `main`, on the only thread, before any tree-sitter object exists.
    unsafe { allocator::parse_trees_in_mimalloc() };
    init_tracing();
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::Check(args)) => {
            threads::configure_global_pool();
            threads::with_analysis_stack(|| cli::check::run(args))
        }
        Some(Command::Inspect(args)) => {
            threads::configure_global_pool();
            threads::with_analysis_stack(|| cli::inspect::run(args))
        }
        Some(Command::Migrate(args)) => {
            threads::configure_global_pool();
            threads::with_analysis_stack(|| cli::migrate::run(args))
        }
        Some(Command::Rules(args)) => cli::rules::run(args),
        Some(Command::Clean(args)) => cli::cache::run_clean(args),
        None | Some(Command::Serve { .. }) => match azfunc_lsp::lsp::run_stdio() {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => {
                tracing::error!("the client left without a shutdown request");
                ExitCode::from(1)
            }
            Err(e) => {
                tracing::error!("{e:#}");
                ExitCode::from(2)
            }
        },
    }
}

/// Logs go to stderr (stdout belongs to the output, or to JSON-RPC in server mode), filtered by
/// `AZFUNC_LSP_LOG` (default `warn`).
fn init_tracing() {
    let filter =
        EnvFilter::try_from_env("AZFUNC_LSP_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}
