//! The server's state: open documents, the apps of the workspace and what was reported for
//! them. Owned by the main loop task alone, so every change applies in arrival order.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tower_lsp_server::ls_types::Uri;

use super::config::ClientSettings;
use super::convert::Encoding;
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
    /// Workspace edits may delete files (`documentChanges` with a `delete` operation).
    pub delete_files: bool,
    /// Workspace edits may rename files and folders (`documentChanges` with a `rename`
    /// operation).
    pub rename_files: bool,
    /// The client takes nested document symbols.
    pub hierarchical_symbols: bool,
    /// The client takes `LocationLink`s for definitions.
    pub definition_links: bool,
}

/// An open buffer.
#[derive(Debug)]
pub struct Document {
    /// The client's text, kept equal to it by `didChange` (see [`super::convert::apply_change`]).
    pub text: String,
    pub version: i32,
    pub path: Option<PathBuf>,
    /// The syntax tree of the text last analysed, for a Python document: the next edit re-parses
    /// only what changed.
    pub tree: Option<tree_sitter::Tree>,
}

/// One function app: its incremental state, its configuration and what was reported for it.
#[derive(Debug)]
pub struct App {
    pub root: PathBuf,
    pub state: AppState,
    /// `[tool.azfunc-lsp]` of the app's pyproject.toml.
    pub project_config: Config,
    /// The project's configuration with the editor's settings on top.
    pub config: Config,
    /// Digest of the last non-empty diagnostics reported for each file (changed through
    /// [`App::record_reported`]).
    reported: HashMap<String, u64>,
    /// Counts the files that came into `reported` or left it.
    reported_changes: u64,
    /// [`App::listed_files`] as last made, with the counts of changes it was made at.
    listed: Mutex<Option<Listed>>,
}

/// The files a pull lists, in order, and when they were listed.
#[derive(Debug)]
struct Listed {
    state_changes: u64,
    reported_changes: u64,
    files: Arc<Vec<String>>,
}

impl App {
    /// Builds an app and checks every function (in parallel).
    pub fn new(root: PathBuf, input: AppInput, project_config: Config, config: Config) -> App {
        let started = std::time::Instant::now();
        let mut state = AppState::new(input);
        let derived = started.elapsed();
        state.check_all();
        let checked = started.elapsed();
        // Built here, off the main loop, rather than by the first references request (a pause
        // of tens of ms at tens of thousands of functions); the state keeps it up to date.
        state.setting_places();
        tracing::debug!(
            "{}: parsed and found the functions in {derived:?}, checked them in {:?}, \
             indexed the settings they name in {:?}",
            root.display(),
            checked - derived,
            started.elapsed() - checked
        );
        App {
            root,
            state,
            project_config,
            config,
            reported: HashMap::new(),
            reported_changes: 0,
            listed: Mutex::new(None),
        }
    }

    pub fn function_count(&self) -> usize {
        self.state.units().count()
    }

    /// Sets (`Some`) or removes (`None`) a file. Returns the files whose diagnostics may have
    /// changed.
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
        let (changed, tree) = match content {
            Some(content) => self.state.set_file_reusing(rel, content, previous),
            None => (self.state.remove_file(rel), None),
        };
        (changed.files, tree)
    }

    /// [`App::set_reusing`] for an open buffer, leaving the checks of what it affects to
    /// [`App::check_pending`]: the files returned are those known to change before the checks.
    pub fn set_buffer_leaving_checks(
        &mut self,
        rel: &str,
        content: FileContent,
        previous: Option<&tree_sitter::Tree>,
    ) -> (BTreeSet<String>, Option<tree_sitter::Tree>) {
        let (changed, tree) = self.state.set_file_leaving_checks(rel, content, previous);
        (changed.files, tree)
    }

    /// Checks what an edit left waiting and returns the further files it changed.
    pub fn check_pending(&mut self) -> BTreeSet<String> {
        self.state.check_pending()
    }

    /// Every file that has diagnostics now or had some reported.
    pub fn all_files(&self) -> BTreeSet<String> {
        self.state
            .files_with_diagnostics()
            .chain(self.reported.keys())
            .cloned()
            .collect()
    }

    /// The digest recorded for `file`'s reported diagnostics.
    pub fn reported(&self, file: &str) -> Option<u64> {
        self.reported.get(file).copied()
    }

    /// The files with a recorded digest.
    pub fn reported_files(&self) -> impl Iterator<Item = &String> {
        self.reported.keys()
    }

    /// Records the digest of `file`'s diagnostics (`None`: it has none); returns the one before.
    pub fn record_reported(&mut self, file: &str, digest: Option<u64>) -> Option<u64> {
        let before = match digest {
            Some(digest) => self.reported.insert(file.to_string(), digest),
            None => self.reported.remove(file),
        };
        if before.is_none() != digest.is_none() {
            self.reported_changes += 1;
        }
        before
    }

    /// Takes over what was reported for the app's files before it was loaded again.
    pub fn keep_reported(&mut self, before: App) {
        self.reported = before.reported;
        self.reported_changes += 1;
    }

    /// [`App::all_files`] in order, made again only when a file came into the list or left it
    /// (a workspace pull lists them after every keystroke; sorting tens of thousands of paths
    /// cost a third of its answer).
    pub fn listed_files(&self) -> Arc<Vec<String>> {
        let state_changes = self.state.files_listed_changes();
        let mut listed = self.listed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = listed.as_ref().filter(|l| {
            l.state_changes == state_changes && l.reported_changes == self.reported_changes
        }) {
            debug_assert_eq!(*l.files, self.all_files().into_iter().collect::<Vec<_>>());
            return Arc::clone(&l.files);
        }
        let files = Arc::new(self.all_files().into_iter().collect());
        *listed = Some(Listed {
            state_changes,
            reported_changes: self.reported_changes,
            files: Arc::clone(&files),
        });
        files
    }

    /// The diagnostics of one file under the app's configuration.
    pub fn file_diagnostics(&self, file: &str) -> Vec<Diagnostic> {
        self.state.file_diagnostics(file, &self.config)
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
    /// A buffer's edit applied without its checks (see [`State::finish_checks`]): the app's
    /// root, the files it changed so far, the edited file.
    pub unchecked: Option<Unchecked>,
    /// How many deferred checks have finished (the main loop wakes long polls after each).
    pub checks_finished: u64,
}

/// An edit of an open buffer whose checks wait for the requests queued behind it that read no
/// findings (hover, completion, navigation): they are answered first, from the edited text.
#[derive(Debug)]
pub struct Unchecked {
    pub root: PathBuf,
    pub files: BTreeSet<String>,
    pub edited: String,
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    const HTTP_JSON: &str = r#"{"bindings": [{"type": "httpTrigger", "name": "req"}]}"#;

    /// An app at `root` with the default configuration.
    fn app_at(root: &str, input: AppInput) -> App {
        App::new(
            PathBuf::from(root),
            input,
            Config::default(),
            Config::default(),
        )
    }

    #[test]
    fn the_listed_files_are_kept_until_a_file_comes_or_goes() {
        let input = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("A/function.json", HTTP_JSON)
            .with_file("A/__init__.py", "def main(req): pass\n")
            .with_file("B/function.json", HTTP_JSON)
            .with_file("B/__init__.py", "def main(request): pass\n");
        let mut app = app_at("/w/app", input);
        let fresh = |app: &App| app.all_files().into_iter().collect::<Vec<_>>();
        let first = app.listed_files();
        assert_eq!(*first, fresh(&app));
        assert!(first.contains(&"B/__init__.py".to_string()));
        // An edit that changes no file's presence keeps the listing.
        app.set(
            "B/__init__.py",
            Some(FileContent::Text(Arc::from(
                "def main(request):\n    pass\n",
            ))),
        );
        assert!(Arc::ptr_eq(&first, &app.listed_files()));
        // A file with its first finding, a file without its last, a directive, a record.
        app.set(
            "A/__init__.py",
            Some(FileContent::Text(Arc::from("def main(x): pass\n"))),
        );
        assert_eq!(*app.listed_files(), fresh(&app));
        assert!(app.listed_files().contains(&"A/__init__.py".to_string()));
        app.set(
            "B/__init__.py",
            Some(FileContent::Text(Arc::from("def main(req): pass\n"))),
        );
        assert_eq!(*app.listed_files(), fresh(&app));
        app.set(
            "helpers.py",
            Some(FileContent::Text(Arc::from("x = 1  # azfunc: ignore\n"))),
        );
        assert_eq!(*app.listed_files(), fresh(&app));
        assert!(app.listed_files().contains(&"helpers.py".to_string()));
        app.record_reported("C/__init__.py", Some(7));
        assert_eq!(*app.listed_files(), fresh(&app));
        app.record_reported("C/__init__.py", None);
        assert_eq!(*app.listed_files(), fresh(&app));
        assert!(!app.listed_files().contains(&"C/__init__.py".to_string()));
    }

    #[test]
    fn app_tracks_diagnostics_per_file_across_edits() {
        let input = AppInput::new("app")
            .with_file("host.json", "{}")
            .with_file("A/function.json", HTTP_JSON)
            .with_file("A/__init__.py", "def main(req): pass\n")
            .with_file("B/function.json", HTTP_JSON)
            .with_file("B/__init__.py", "def main(request): pass\n");
        let mut app = app_at("/w/app", input);
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
    fn an_app_comes_with_its_index_of_setting_places() {
        let input = AppInput::new("app")
            .with_file("host.json", "{}")
            .with_file("A/function.json", HTTP_JSON)
            .with_file("A/__init__.py", "def main(req): pass\n");
        let mut app = app_at("/w/app", input);
        // Built off the main loop with the app, not by the first references request.
        assert!(app.state.setting_places_built());
        // An edit keeps it rather than dropping it.
        app.set(
            "A/__init__.py",
            Some(FileContent::Text(Arc::from("def main(req): return 1\n"))),
        );
        assert!(app.state.setting_places_built());
    }

    #[test]
    fn nearest_root_owns_a_file() {
        let mut apps = Apps::default();
        for root in ["/w/a", "/w/a/nested"] {
            apps.by_root
                .insert(PathBuf::from(root), app_at(root, AppInput::new(root)));
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
