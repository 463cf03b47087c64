//! The analysis core: pure functions from an app's files to diagnostics. No I/O, no LSP types.

pub mod annotations;
pub mod app;
pub mod catalog;
pub mod diagnostic;
pub mod function_json;
pub mod json;
pub mod python;
pub mod text;
