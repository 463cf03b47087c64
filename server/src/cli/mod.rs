//! The command line: `azfunc-lsp check` (with its cache, `azfunc-lsp clean`), `azfunc-lsp
//! inspect`, `azfunc-lsp migrate` and `azfunc-lsp rules`.
//!
//! The CLI is the only place that writes to stdout outside JSON-RPC; it loads apps through
//! [`crate::loader`] and checks them with [`crate::analysis::check_app`], so its answers are the
//! language server's.

pub mod cache;
pub mod check;
pub mod config;
pub mod files;
pub mod fix;
pub mod github;
pub mod inspect;
pub mod migrate;
pub mod report;
pub mod rules;
pub mod sarif;
pub mod text;

use std::io::Write;
use std::process::ExitCode;

/// Writes the whole output to stdout. A closed pipe (`… | head`) is not an error; any other
/// write failure gives exit code 2.
pub fn write_stdout(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: cannot write the output: {error}");
            ExitCode::from(2)
        }
    }
}
