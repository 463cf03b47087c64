//! `check FILE…`: which findings of an app belong to the files named on the command line, and
//! fixes that write only those files.
//!
//! A commit (or a pre-commit hook) that touches one function of a large app should see the
//! problems of what it touched, not every old problem of the app. A finding belongs to the named
//! files when it is located in one of them, or when it depends on them: checking the app without
//! those files no longer reports it. That covers what a change causes elsewhere — a binding
//! renamed in `function.json` shows at the script's parameter, a setting removed from
//! `local.settings.json` at the `connection` that names it, a line removed from
//! `requirements.txt` at the import it provided — and it costs one more check of the app.
//! Findings about the app as a whole (in host.json, requirements.txt, local.settings.json…)
//! are reported with any file of it.

use std::collections::{BTreeSet, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::analysis::edits;
use crate::analysis::function::Modules;
use crate::analysis::ide::fixes;
use crate::analysis::state::AppState;
use crate::analysis::text::TextRange;
use crate::analysis::{self, AppInput, Config, Diagnostic, FileContent, FileEdit};
use crate::loader;

/// Files of one app named on the command line, `/`-separated and relative to the app root.
pub type FileSet = BTreeSet<String>;

/// How many times [`fix_files`] re-checks and fixes again (a fix can unblock another).
const MAX_PASSES: usize = 10;

/// The app that owns `file` (the nearest app root above it, by the loader's rules) and the
/// file's path relative to that root; `None` when the file belongs to no app.
pub fn app_of_file(file: &Path) -> anyhow::Result<Option<(loader::FoundApp, String)>> {
    let abs = loader::absolute(file)?;
    let owner = loader::find_apps_under(file)?
        .into_iter()
        .filter(|app| abs.starts_with(&app.root) && abs != app.root)
        .max_by_key(|app| app.root.components().count());
    Ok(owner.map(|app| {
        let rel = relative_key(&app.root, &abs);
        (app, rel)
    }))
}

/// `path` below `root` as a `/`-separated key, as the loader keys an app's files.
fn relative_key(root: &Path, path: &Path) -> String {
    let rel = path
        .strip_prefix(root)
        .map(PathBuf::from)
        .unwrap_or_default();
    rel.components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The findings of `diagnostics` (the app's, checked with `config`) that belong to `files`:
/// located in one of them, or no longer reported once they are taken out of the app. The app
/// is checked again without them, taking the summaries of the modules `checked` (the app's
/// modules as its check left them) parsed already.
pub fn belonging_to(
    input: &AppInput,
    config: &Config,
    diagnostics: Vec<Diagnostic>,
    files: &FileSet,
    checked: &Modules,
) -> Vec<Diagnostic> {
    let started = std::time::Instant::now();
    let mut without = input.clone();
    without.files.retain(|path, _| !files.contains(path));
    let remaining = analysis::check_app_reusing(&without, config, checked);
    tracing::debug!(
        "checked again without the named files in {:?} ({} modules parsed before)",
        started.elapsed(),
        checked.parsed_count()
    );
    let remaining: HashSet<(&str, TextRange, &str, &str)> = remaining.iter().map(key).collect();
    diagnostics
        .into_iter()
        .filter(|d| files.contains(&d.file) || is_app_level(d) || !remaining.contains(&key(d)))
        .collect()
}

/// A finding about the app as a whole, in a file every function shares (host.json,
/// requirements.txt, local.settings.json…): it concerns whichever file is named.
fn is_app_level(d: &Diagnostic) -> bool {
    const APP_FILES: [&str; 5] = [
        "host.json",
        "requirements.txt",
        "local.settings.json",
        "pyproject.toml",
        ".funcignore",
    ];
    d.function.is_none() && APP_FILES.contains(&d.file.as_str())
}

fn key(d: &Diagnostic) -> (&str, TextRange, &str, &str) {
    (
        d.file.as_str(),
        d.range,
        d.code.as_str(),
        d.message.as_str(),
    )
}

/// Applies in memory, pass after pass as `check --fix` does for a whole app, the automatic
/// fixes whose edits all fall in `files`: the other files of the app are never changed.
pub fn fix_files(input: AppInput, config: &Config, files: &FileSet) -> fixes::FixedApp {
    let mut state = AppState::new(input);
    let mut fixed = Vec::new();
    let inside = |e: &FileEdit| files.contains(&e.file);
    for _ in 0..MAX_PASSES {
        let diagnostics: Vec<Diagnostic> = state
            .diagnostics_by_file(config)
            .into_values()
            .flatten()
            .filter(|d| {
                fixes::fixes(&state, d)
                    .into_iter()
                    .find(|f| f.auto)
                    .is_some_and(|f| f.edits.iter().all(inside))
            })
            .collect();
        let plan = fixes::fix_all(&state, &diagnostics);
        let mut updates = Vec::new();
        for file in plan.edits.iter().map(|e| &e.file).collect::<BTreeSet<_>>() {
            let Some(text) = state.input().text(file) else {
                continue;
            };
            let mine: Vec<&FileEdit> = plan.edits.iter().filter(|e| &e.file == file).collect();
            if let Some(new) = edits::apply_edits(text, &mine) {
                updates.push((file.clone(), new));
            }
        }
        if updates.is_empty() {
            break;
        }
        for (file, new) in updates {
            state.set_file(&file, FileContent::Text(Arc::from(new.as_str())));
        }
        fixed.extend(plan.fixed);
    }
    fixes::FixedApp {
        input: state.input().clone(),
        fixed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = r#"{"version": "2.0", "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}}"#;

    /// Two HTTP functions, each with a parameter that does not match its binding, and a queue
    /// function whose connection names a setting.
    fn app() -> AppInput {
        let http = r#"{"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "anonymous"}, {"type": "http", "direction": "out", "name": "$return"}]}"#;
        let script = "import azure.functions as func\n\ndef main(request: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse('ok')\n";
        let queue = r#"{"bindings": [{"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "q", "connection": "Queues"}]}"#;
        AppInput::new("app")
            .with_file("host.json", HOST)
            .with_file("requirements.txt", "azure-functions\n")
            .with_file(
                "local.settings.json",
                r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true", "Queues": "Endpoint=sb://x"}}"#,
            )
            .with_file("A/function.json", http)
            .with_file("A/__init__.py", script)
            .with_file("B/function.json", http)
            .with_file("B/__init__.py", script)
            .with_file("Q/function.json", queue)
            .with_file(
                "Q/__init__.py",
                "import azure.functions as func\n\ndef main(msg: func.QueueMessage) -> None:\n    pass\n",
            )
    }

    fn codes_in(diagnostics: &[Diagnostic]) -> Vec<String> {
        diagnostics
            .iter()
            .map(|d| format!("{} {}", d.file, d.code))
            .collect()
    }

    fn scoped(input: &AppInput, files: &[&str]) -> Vec<String> {
        let config = Config::default();
        let all = analysis::check_app(input, &config);
        let files: FileSet = files.iter().map(|f| f.to_string()).collect();
        codes_in(&belonging_to(
            input,
            &config,
            all,
            &files,
            &Modules::default(),
        ))
    }

    #[test]
    fn a_script_brings_its_own_findings_and_those_of_its_function_json_that_it_causes() {
        let input = app();
        let all = codes_in(&analysis::check_app(&input, &Config::default()));
        assert!(all.contains(&"B/__init__.py AZF201".to_string()), "{all:?}");
        assert_eq!(scoped(&input, &["A/__init__.py"]), ["A/__init__.py AZF201"]);
    }

    #[test]
    fn a_function_json_brings_the_findings_it_causes_in_the_script() {
        assert_eq!(
            scoped(&app(), &["B/function.json"]),
            ["B/__init__.py AZF201"]
        );
    }

    #[test]
    fn a_settings_file_brings_the_findings_that_read_it() {
        let input = app().with_file(
            "local.settings.json",
            r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}"#,
        );
        assert_eq!(
            scoped(&input, &["local.settings.json"]),
            ["Q/function.json AZF306"]
        );
        // The same finding is an old problem for a commit that touches only function A.
        assert_eq!(scoped(&input, &["A/__init__.py"]), ["A/__init__.py AZF201"]);
    }

    #[test]
    fn a_file_without_findings_brings_none() {
        assert!(scoped(&app(), &["Q/__init__.py"]).is_empty());
    }

    #[test]
    fn fixes_write_only_the_named_files() {
        let input = app();
        let files: FileSet = ["A/__init__.py".to_string()].into();
        let fixed = fix_files(input.clone(), &Config::default(), &files);
        let changed: Vec<&String> = fixed
            .input
            .files
            .iter()
            .filter(|(path, content)| input.files.get(*path) != Some(*content))
            .map(|(path, _)| path)
            .collect();
        assert_eq!(changed, ["A/__init__.py"]);
        assert!(fixed
            .input
            .text("A/__init__.py")
            .unwrap()
            .contains("def main(req: func.HttpRequest)"));
        // The misnamed parameter is one finding (its binding related), settled by one rename.
        let codes: Vec<&str> = fixed.fixed.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["AZF201"]);
        // The whole-app fix would have fixed B as well.
        let whole = fixes::fix_app(input.clone(), &Config::default());
        assert_ne!(
            whole.input.text("B/__init__.py"),
            input.text("B/__init__.py")
        );
    }

    #[test]
    fn a_fix_that_needs_another_file_is_left_alone() {
        // Adding the missing setting would edit local.settings.json, which is not named.
        let input = app().with_file(
            "local.settings.json",
            r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}"#,
        );
        let files: FileSet = ["Q/function.json".to_string()].into();
        let fixed = fix_files(input.clone(), &Config::default(), &files);
        assert_eq!(fixed.input, input);
        assert!(fixed.fixed.is_empty());
    }
}
