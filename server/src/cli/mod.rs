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

/// Writes `value` to stdout as pretty-printed JSON and a newline, as it is serialised (a report
/// of many findings is not first built as one string). Errors as [`write_stdout`].
pub fn write_json_stdout<T: serde::Serialize>(value: &T) -> ExitCode {
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut stdout, value)
        .map_err(std::io::Error::from)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    written_or_exit(written)
}

/// Writes the whole output to stdout. A closed pipe (`… | head`) is not an error; any other
/// write failure gives exit code 2.
pub fn write_stdout(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    written_or_exit(
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush()),
    )
}

/// The exit code for an output written (or not): a closed pipe is not an error.
fn written_or_exit(written: std::io::Result<()>) -> ExitCode {
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: cannot write the output: {error}");
            ExitCode::from(2)
        }
    }
}
