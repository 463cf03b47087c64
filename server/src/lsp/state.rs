//! The server's state: open documents, the apps of the workspace and what was reported for
//! them. Owned by the main loop task alone, so every change applies in arrival order.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::Uri;

use super::config::ClientSettings;
use super::convert::Encoding;
use crate::analysis::settings::LOCAL_SETTINGS;
use crate::analysis::state::AppState;
use crate::analysis::{AppInput, Config, Diagnostic, FileContent};

/// What was negotiated with the client at `initialize`.
#[derive(Debug, Clone, Default)]
pub struct Negotiated {
    pub encoding: Encoding,
    /// The client pulls diagnostics (`textDocument/diagnostic`); nothing is pushed then.
    pub pull: bool,
    /// The client accepts `workspace/diagnostic/refresh`.
    pub refresh: bool,
    /// The client accepts `window/workDoneProgress/create`.
    pub progress: bool,
    /// `workspace/didChangeWatchedFiles` can be registered dynamically.
    pub watch_dynamic: bool,
    /// The client answers `workspace/configuration`.
    pub configuration: bool,
    pub markdown_hover: bool,
    pub markdown_completion: bool,
    pub snippets: bool,
    /// Workspace edits may use `documentChanges` (versioned edits).
    pub document_changes: bool,
    /// Workspace edits may create files (`documentChanges` with a `create` operation).
    pub create_files: bool,
    /// The client takes nested document symbols.
    pub hierarchical_symbols: bool,
    /// The client takes `LocationLink`s for definitions.
    pub definition_links: bool,
}

/// An open buffer.
#[derive(Debug)]
pub struct Document {
    pub rope: Rope,
    pub version: i32,
    pub path: Option<PathBuf>,
    /// The syntax tree of the text last analysed, for a Python document: the next edit re-parses
    /// only what changed.
    pub tree: Option<tree_sitter::Tree>,
}

/// The key under which app-level diagnostics are kept beside the functions' (no function folder
/// has an empty name).
const APP_LEVEL: &str = "";

/// One function app with the diagnostics of each function and what was reported per file.
#[derive(Debug)]
pub struct App {
    pub root: PathBuf,
    pub state: AppState,
    /// `[tool.azfunc-lsp]` of the app's pyproject.toml.
    pub project_config: Config,
    /// The project's configuration with the editor's settings on top.
    pub config: Config,
    /// Unfiltered diagnostics per function, always current.
    diags: HashMap<String, Arc<Vec<Diagnostic>>>,
    /// Functions with at least one diagnostic in each file.
    file_fns: HashMap<String, BTreeSet<String>>,
    /// Digest of the last non-empty diagnostics reported for each file.
    pub reported: HashMap<String, u64>,
}

impl App {
    /// Builds an app and checks every function (in parallel).
    pub fn new(root: PathBuf, input: AppInput, project_config: Config, config: Config) -> App {
        let mut state = AppState::new(input);
        state.check_all();
        let names: Vec<String> = state.function_keys().cloned().collect();
        let mut app = App {
            root,
            state,
            project_config,
            config,
            diags: HashMap::new(),
            file_fns: HashMap::new(),
            reported: HashMap::new(),
        };
        for name in names {
            let list = app.state.function_diagnostics(&name);
            app.store(name, list);
        }
        let app_level = Arc::new(app.state.app_diagnostics());
        app.store(APP_LEVEL.to_string(), app_level);
        app
    }

    pub fn function_count(&self) -> usize {
        self.state.units().count()
    }

    /// Re-runs the app-level rules (host.json, settings, requirements, routes across functions).
    fn recheck_app_level(&mut self, files: &mut BTreeSet<String>) {
        self.forget(APP_LEVEL, files);
        let list = Arc::new(self.state.app_diagnostics());
        files.extend(list.iter().map(|d| d.file.clone()));
        self.store(APP_LEVEL.to_string(), list);
    }

    fn store(&mut self, name: String, list: Arc<Vec<Diagnostic>>) {
        for d in list.iter() {
            self.file_fns
                .entry(d.file.clone())
                .or_default()
                .insert(name.clone());
        }
        self.diags.insert(name, list);
    }

    fn forget(&mut self, name: &str, files: &mut BTreeSet<String>) {
        if let Some(old) = self.diags.remove(name) {
            for d in old.iter() {
                if let Some(fns) = self.file_fns.get_mut(&d.file) {
                    fns.remove(name);
                    if fns.is_empty() {
                        self.file_fns.remove(&d.file);
                    }
                }
                files.insert(d.file.clone());
            }
        }
    }

    /// Sets (`Some`) or removes (`None`) a file and re-checks what it affects. Returns the files
    /// whose diagnostics may have changed.
    pub fn set(&mut self, rel: &str, content: Option<FileContent>) -> BTreeSet<String> {
        self.set_reusing(rel, content, None).0
    }

    /// [`App::set`] for a Python buffer whose previous syntax tree is known (already adjusted for
    /// the edits); also returns the new tree.
    pub fn set_reusing(
        &mut self,
        rel: &str,
        content: Option<FileContent>,
        previous: Option<&tree_sitter::Tree>,
    ) -> (BTreeSet<String>, Option<tree_sitter::Tree>) {
        let (mut affected, tree) = match content {
            Some(content) => self.state.set_file_reusing(rel, content, previous),
            None => (self.state.remove_file(rel), None),
        };
        match rel.split_once('/') {
            // local.settings.json: the state re-ran the rules that read it and returned the
            // functions whose diagnostics changed.
            None if rel == LOCAL_SETTINGS => {}
            // host.json, requirements.txt, shared root modules: the whole app.
            None => affected.extend(self.state.function_keys().cloned()),
            // A function folder that stopped being one.
            Some((folder, _)) => {
                if self.diags.contains_key(folder) && self.state.unit(folder).is_none() {
                    affected.insert(folder.to_string());
                }
            }
        }
        let mut files = self.recheck(&affected);
        // App-level rules read root files, function.json (routes), with a .funcignore the
        // imports, and in a decorator app every module the script imports.
        let app_level_input = !rel.contains('/')
            || rel.ends_with("/function.json")
            || !rel.ends_with(".py")
            || self.state.uses_decorator_model()
            || self.state.input().exists(".funcignore");
        if app_level_input {
            self.recheck_app_level(&mut files);
        }
        files.insert(rel.to_string());
        (files, tree)
    }

    /// Re-checks `functions` and returns the files whose diagnostics may have changed.
    pub fn recheck(&mut self, functions: &BTreeSet<String>) -> BTreeSet<String> {
        let mut files = BTreeSet::new();
        for name in functions {
            self.forget(name, &mut files);
            if self.state.unit(name).is_some() {
                let list = self.state.function_diagnostics(name);
                files.extend(list.iter().map(|d| d.file.clone()));
                self.store(name.clone(), list);
            }
        }
        files.extend(self.state.files_of(functions));
        files
    }

    /// Every file that has diagnostics now or had some reported.
    pub fn all_files(&self) -> BTreeSet<String> {
        self.file_fns
            .keys()
            .chain(self.reported.keys())
            .cloned()
            .collect()
    }

    /// The diagnostics of one file: filtered, re-ranked by the configuration, sorted, each
    /// reported once.
    pub fn file_diagnostics(&self, file: &str) -> Vec<Diagnostic> {
        let Some(fns) = self.file_fns.get(file) else {
            return Vec::new();
        };
        let mut list: Vec<Diagnostic> = fns
            .iter()
            .filter_map(|f| self.diags.get(f))
            .flat_map(|d| d.iter())
            .filter(|d| d.file == file && self.config.enabled(d.code.as_str()))
            .cloned()
            .collect();
        list.sort_by(|a, b| {
            (a.range.start, a.code, &a.message, a.range.end).cmp(&(
                b.range.start,
                b.code,
                &b.message,
                b.range.end,
            ))
        });
        list.dedup_by(|b, a| a.range == b.range && a.code == b.code && a.message == b.message);
        self.config.apply(list)
    }

    /// The text of a file of the app ("" when it has none).
    pub fn text(&self, rel: &str) -> &str {
        self.state.input().text(rel).unwrap_or("")
    }
}

/// A digest of what a client sees of a diagnostics list (also the pull `resultId`).
pub fn digest(list: &[Diagnostic]) -> u64 {
    let mut h = DefaultHasher::new();
    list.len().hash(&mut h);
    for d in list {
        d.code.hash(&mut h);
        d.severity.hash(&mut h);
        d.range.hash(&mut h);
        d.message.hash(&mut h);
        for r in &d.related {
            r.file.hash(&mut h);
            r.range.hash(&mut h);
            r.message.hash(&mut h);
        }
    }
    h.finish()
}

/// The apps of the workspace by root.
#[derive(Debug, Default)]
pub struct Apps {
    pub by_root: BTreeMap<PathBuf, App>,
}

impl Apps {
    /// The app that owns `path` (the nearest root above it) and the path relative to it.
    pub fn locate(&self, path: &Path) -> Option<(PathBuf, String)> {
        for ancestor in path.ancestors().skip(1) {
            if self.by_root.contains_key(ancestor) {
                let rel = super::convert::relative_path(ancestor, path)?;
                return Some((ancestor.to_path_buf(), rel));
            }
        }
        None
    }
}

/// Everything the main loop owns.
#[derive(Debug, Default)]
pub struct State {
    pub caps: Negotiated,
    pub folders: Vec<PathBuf>,
    pub apps: Apps,
    pub docs: HashMap<Uri, Document>,
    /// Open documents by file path.
    pub open_paths: HashMap<PathBuf, Uri>,
    pub client_settings: ClientSettings,
    /// Indexing jobs not yet finished.
    pub indexing: usize,
    /// Indexing jobs started so far (names progress tokens).
    pub index_jobs: usize,
    pub initialized: bool,
    pub shutting_down: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    const HTTP_JSON: &str = r#"{"bindings": [{"type": "httpTrigger", "name": "req"}]}"#;

    #[test]
    fn app_tracks_diagnostics_per_file_across_edits() {
        let input = AppInput::new("app")
            .with_file("host.json", "{}")
            .with_file("A/function.json", HTTP_JSON)
            .with_file("A/__init__.py", "def main(req): pass\n")
            .with_file("B/function.json", HTTP_JSON)
            .with_file("B/__init__.py", "def main(request): pass\n");
        let mut app = App::new(
            PathBuf::from("/w/app"),
            input,
            Config::default(),
            Config::default(),
        );
        assert_eq!(app.function_count(), 2);
        assert!(app.file_diagnostics("A/__init__.py").is_empty());
        assert!(!app.file_diagnostics("B/__init__.py").is_empty());

        let files = app.set(
            "A/__init__.py",
            Some(FileContent::Text(Arc::from("def main(request): pass\n"))),
        );
        assert!(files.contains("A/__init__.py") && files.contains("A/function.json"));
        assert!(!app.file_diagnostics("A/__init__.py").is_empty());

        // Deleting a function folder clears its files.
        let files = app.set("B/__init__.py", None);
        assert!(files.contains("B/__init__.py"));
        assert!(app.file_diagnostics("B/__init__.py").is_empty());
        assert!(!app.file_diagnostics("B/function.json").is_empty());
        let files = app.set("B/function.json", None);
        assert!(files.contains("B/function.json"));
        assert!(app.file_diagnostics("B/function.json").is_empty());
        assert_eq!(app.function_count(), 1);

        // An app-level file re-checks every function.
        let files = app.set("host.json", Some(FileContent::Text(Arc::from("{ }"))));
        assert!(files.contains("A/__init__.py"));

        app.config.ignore.push("AZF2".into());
        assert!(app.file_diagnostics("A/__init__.py").is_empty());
    }

    #[test]
    fn nearest_root_owns_a_file() {
        let mut apps = Apps::default();
        for root in ["/w/a", "/w/a/nested"] {
            apps.by_root.insert(
                PathBuf::from(root),
                App::new(
                    PathBuf::from(root),
                    AppInput::new(root),
                    Config::default(),
                    Config::default(),
                ),
            );
        }
        assert_eq!(
            apps.locate(Path::new("/w/a/nested/F/x.py")),
            Some((PathBuf::from("/w/a/nested"), "F/x.py".to_string()))
        );
        assert_eq!(
            apps.locate(Path::new("/w/a/F/x.py")),
            Some((PathBuf::from("/w/a"), "F/x.py".to_string()))
        );
        assert_eq!(apps.locate(Path::new("/w/b/x.py")), None);
    }
}
