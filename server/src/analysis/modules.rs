//! The app's Python files, parsed once for every rule and editor feature.

use std::sync::Arc;

use super::app::AppInput;
use super::app_script::uses_decorator_model;
use super::python::{self, PyModule};

/// Parsed Python files of an app, by relative path. Files that are not text are absent, and so
/// are text files whose analysis failed (AZF013 reports those). Looked up by several rules for
/// every module each function loads, so with a fast (still seeded) hasher.
pub type Modules = foldhash::HashMap<String, Arc<PyModule>>;

/// Parses every Python file of the app (in parallel); what only the decorator model reads is
/// collected only when the app has its decorator script.
pub fn parse_modules(app: &AppInput) -> Modules {
    use rayon::prelude::*;
    let decorator_model = uses_decorator_model(app);
    let files: Vec<(&String, &str)> = app
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".py"))
        .filter_map(|(p, c)| c.text().map(|t| (p, t)))
        .collect();
    files
        .par_iter()
        .filter_map(|(p, t)| {
            let module = python::parse_guarded(t, decorator_model)?;
            Some(((*p).clone(), Arc::new(module)))
        })
        .collect()
}
