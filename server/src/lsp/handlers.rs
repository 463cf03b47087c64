//! What the main loop does with each event. Everything here is synchronous: slow work (loading
//! apps) is spawned and reports back through the event queue.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tower_lsp_server::ls_types::{
    self as lsp, CompletionList, CompletionResponse, DidChangeWatchedFilesRegistrationOptions,
    DocumentDiagnosticReport, DocumentDiagnosticReportResult, FileChangeType, FileSystemWatcher,
    FullDocumentDiagnosticReport, GlobPattern, MarkupContent, MarkupKind, NumberOrString, Position,
    Registration, RelatedFullDocumentDiagnosticReport, RelatedUnchangedDocumentDiagnosticReport,
    UnchangedDocumentDiagnosticReport, Uri, WorkDoneProgress, WorkDoneProgressBegin,
    WorkDoneProgressEnd, WorkDoneProgressReport, WorkspaceDocumentDiagnosticReport,
    WorkspaceFullDocumentDiagnosticReport, WorkspaceUnchangedDocumentDiagnosticReport,
};

use super::config::{self, ClientSettings};
use super::convert::{self, Encoding, FileUris, LineMap};
use super::disk;
use super::index;
use super::main_loop::{Ctx, Event, Out};
use super::state::{digest, App, Document, State, Unchecked};
use crate::analysis::{ide, AppInput};

/// The globs the server watches.
pub const WATCHED_GLOBS: &[&str] = &[
    "**/function.json",
    "**/*.py",
    "**/host.json",
    "**/local.settings.json",
    "**/requirements.txt",
    "**/pyproject.toml",
    // The app's environment: a package installed (its metadata written) or removed.
    "**/*.dist-info",
    "**/*.dist-info/METADATA",
];

impl State {
    pub fn handle(&mut self, ctx: &Ctx, event: Event) {
        let meets_checks = match &event {
            Event::Request(job) => job.reads_findings(),
            // Another edit of the same buffer joins the one waiting (`buffer_changed`).
            Event::Change(_) => false,
            _ => true,
        };
        if meets_checks {
            // Every other event meets the last edit checked.
            self.finish_checks(ctx);
        }
        match event {
            Event::Initialize {
                caps,
                folders,
                options,
            } => {
                self.caps = caps;
                self.folders = folders;
                if let Some(options) = options {
                    self.client_settings = ClientSettings::from_value(&options);
                }
            }
            Event::Initialized => self.on_initialized(ctx),
            Event::Open(p) => self.on_open(ctx, p),
            Event::Change(p) => self.on_change(ctx, p),
            Event::Close(p) => self.on_close(ctx, p),
            Event::WatchedFiles(p) => self.on_watched_files(ctx, p),
            Event::Folders(p) => self.on_folders(ctx, p),
            Event::ConfigurationChanged(settings) => {
                let has_section = settings.get("azfunc").is_some_and(|v| v.is_object());
                if has_section || !self.caps.configuration {
                    self.apply_settings(ctx, ClientSettings::from_value(&settings));
                } else {
                    // A pull-style notification: ask for the section.
                    request_settings(ctx);
                }
            }
            Event::Settings(value) => self.apply_settings(ctx, ClientSettings::from_value(&value)),
            Event::Indexed { scope, apps, token } => self.on_indexed(ctx, scope, apps, token),
            Event::Rescanned { root, input } => self.on_rescanned(ctx, root, input),
            Event::Rediscovered(roots) => self.on_rediscovered(ctx, roots),
            Event::Request(job) => job.run(self),
            Event::Shutdown => self.shutting_down = true,
        }
    }

    fn on_initialized(&mut self, ctx: &Ctx) {
        self.initialized = true;
        if self.caps.watch_dynamic {
            let watchers = WATCHED_GLOBS
                .iter()
                .map(|g| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(g.to_string()),
                    kind: None,
                })
                .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            ctx.send_out(Out::Register(vec![Registration {
                id: "azfunc-watched-files".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(options).ok(),
            }]));
        }
        if self.caps.configuration {
            request_settings(ctx);
        }
        let folders = self.folders.clone();
        for folder in folders {
            self.start_indexing(ctx, folder);
        }
    }

    /// Indexes one workspace folder in the background, with work-done progress.
    fn start_indexing(&mut self, ctx: &Ctx, folder: PathBuf) {
        self.indexing += 1;
        self.index_jobs += 1;
        let token = self
            .caps
            .progress
            .then(|| NumberOrString::String(format!("azfunc/index/{}", self.index_jobs)));
        if let Some(token) = &token {
            ctx.send_out(Out::ProgressCreate(token.clone()));
            ctx.send_out(Out::Progress(
                token.clone(),
                WorkDoneProgress::Begin(WorkDoneProgressBegin {
                    title: "Indexing Azure Functions apps".to_string(),
                    cancellable: Some(false),
                    message: Some(folder.display().to_string()),
                    percentage: None,
                }),
            ));
        }
        let settings = self.client_settings.clone();
        let ctx2 = ctx.clone();
        tokio::task::spawn_blocking(move || {
            let report = |message: String| {
                if let Some(token) = &token {
                    ctx2.send_out(Out::Progress(
                        token.clone(),
                        WorkDoneProgress::Report(WorkDoneProgressReport {
                            cancellable: Some(false),
                            message: Some(message),
                            percentage: None,
                        }),
                    ));
                }
            };
            let apps = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                index::index_folder(&folder, &settings, &report)
            }))
            .unwrap_or_else(|_| {
                tracing::error!("indexing {} panicked", folder.display());
                Vec::new()
            });
            ctx2.send_event(Event::Indexed {
                scope: Some(folder),
                apps,
                token,
            });
        });
    }

    /// Loads single apps again in the background (new roots).
    fn start_loading(&mut self, ctx: &Ctx, roots: Vec<PathBuf>) {
        self.indexing += 1;
        let settings = self.client_settings.clone();
        let ctx2 = ctx.clone();
        tokio::task::spawn_blocking(move || {
            let apps = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                roots
                    .iter()
                    .map(|r| index::load_root(r, &settings))
                    .collect()
            }))
            .unwrap_or_default();
            ctx2.send_event(Event::Indexed {
                scope: None,
                apps,
                token: None,
            });
        });
    }

    fn on_indexed(
        &mut self,
        ctx: &Ctx,
        scope: Option<PathBuf>,
        apps: Vec<App>,
        token: Option<NumberOrString>,
    ) {
        self.indexing = self.indexing.saturating_sub(1);
        let end = |message: String| {
            if let Some(token) = &token {
                ctx.send_out(Out::Progress(
                    token.clone(),
                    WorkDoneProgress::End(WorkDoneProgressEnd {
                        message: Some(message),
                    }),
                ));
            }
        };
        if let Some(scope) = &scope {
            if !self.folders.contains(scope) {
                end("workspace folder removed".to_string());
                return;
            }
            // Apps of this folder that are no longer there.
            let found: BTreeSet<&PathBuf> = apps.iter().map(|a| &a.root).collect();
            let gone: Vec<PathBuf> = self
                .apps
                .by_root
                .keys()
                .filter(|r| r.starts_with(scope) && !found.contains(r))
                .filter(|r| !self.folders.iter().any(|f| f != scope && r.starts_with(f)))
                .cloned()
                .collect();
            for root in gone {
                self.remove_app(ctx, &root);
            }
        }
        let mut functions = 0;
        let mut roots = Vec::new();
        for mut app in apps {
            functions += app.function_count();
            if let Some(old) = self.apps.by_root.remove(&app.root) {
                app.keep_reported(old);
            }
            // Settings may have arrived (workspace/configuration) while the app was indexed.
            app.config = config::merge(&app.project_config, &self.client_settings);
            roots.push(app.root.clone());
            self.apps.by_root.insert(app.root.clone(), app);
        }
        // Open buffers win over the disk.
        let open: Vec<(PathBuf, Uri)> = self
            .open_paths
            .iter()
            .map(|(p, u)| (p.clone(), u.clone()))
            .collect();
        for (path, uri) in open {
            let Some((root, rel)) = self.apps.locate(&path) else {
                continue;
            };
            if !roots.contains(&root) {
                continue;
            }
            let Some(doc) = self.docs.get(&uri) else {
                continue;
            };
            let content = disk::buffer_content(&rel, &doc.text);
            if let Some(app) = self.apps.by_root.get_mut(&root) {
                app.set(&rel, Some(content));
            }
        }
        for root in &roots {
            let started = std::time::Instant::now();
            let files = match self.apps.by_root.get(root) {
                Some(app) => app.all_files(),
                None => continue,
            };
            let count = files.len();
            self.report(ctx, root, files, None);
            tracing::debug!(
                "{}: reported {count} files in {:?}",
                root.display(),
                started.elapsed()
            );
        }
        end(format!("{} apps, {functions} functions", roots.len()));
    }

    fn remove_app(&mut self, ctx: &Ctx, root: &Path) {
        let Some(app) = self.apps.by_root.remove(root) else {
            return;
        };
        if self.caps.pull {
            if self.caps.refresh && app.reported_files().next().is_some() {
                ctx.send_out(Out::Refresh);
            }
            return;
        }
        for file in app.reported_files() {
            let path = root.join(file);
            if let Some(uri) = self.uri_of(&path) {
                ctx.send_out(Out::Publish {
                    uri,
                    diagnostics: Vec::new(),
                    version: None,
                });
            }
        }
    }

    pub(super) fn uri_of(&self, path: &Path) -> Option<Uri> {
        match self.open_paths.get(path) {
            Some(uri) => Some(uri.clone()),
            None => convert::path_to_uri(path),
        }
    }

    /// Reports the diagnostics of `files` of one app: publishes what changed (push), or asks
    /// the client to pull again when files other than `edited` changed (pull). The edited file
    /// of a push client is always published, with its version.
    fn report(&mut self, ctx: &Ctx, root: &Path, files: BTreeSet<String>, edited: Option<&str>) {
        let encoding = self.caps.encoding;
        let pull = self.caps.pull;
        let Some(app) = self.apps.by_root.get_mut(root) else {
            return;
        };
        let mut others_changed = false;
        let mut to_publish = Vec::new();
        let listed = map_files(files.into_iter().collect(), |file| {
            let list = app.file_diagnostics(&file);
            let digest = (!list.is_empty()).then(|| digest(&list));
            (file, list, digest)
        });
        for (file, list, digest) in listed {
            let changed = app.record_reported(&file, digest) != digest;
            let is_edited = edited == Some(file.as_str());
            if pull {
                others_changed |= changed && !is_edited;
            } else if changed || is_edited {
                to_publish.push((file, list));
            }
        }
        if pull {
            if others_changed && self.caps.refresh {
                ctx.send_out(Out::Refresh);
            }
            return;
        }
        let app = &self.apps.by_root[root];
        // Thousands of files after indexing: their URIs without a path conversion each.
        let uris = FileUris::new(root, &self.open_paths);
        let docs = &self.docs;
        let publications = map_files(to_publish, |(file, list)| {
            let uri = uris.uri(&file)?;
            let version = docs.get(&uri).map(|d| d.version);
            let diagnostics = lsp_diagnostics(app, &file, &list, encoding, &uris);
            Some(Out::Publish {
                uri,
                diagnostics,
                version,
            })
        });
        for publication in publications.into_iter().flatten() {
            ctx.send_out(publication);
        }
    }

    fn on_open(&mut self, ctx: &Ctx, p: lsp::DidOpenTextDocumentParams) {
        let doc = p.text_document;
        let path = convert::uri_to_path(&doc.uri);
        self.docs.insert(
            doc.uri.clone(),
            Document {
                text: doc.text.clone(),
                version: doc.version,
                path: path.clone(),
                tree: None,
            },
        );
        let Some(path) = path else { return };
        self.open_paths.insert(path.clone(), doc.uri.clone());
        let tree = self.buffer_changed(ctx, &path, &doc.text, None);
        if let Some(d) = self.docs.get_mut(&doc.uri) {
            d.tree = tree;
        }
    }

    /// Hands an open buffer's text to its app, leaving the checks of what it affects and the
    /// report of what changed to [`State::finish_checks`]. For a Python buffer,
    /// `previous` is the syntax tree of its text before the edits (adjusted for them), and the
    /// tree of `text` is returned.
    fn buffer_changed(
        &mut self,
        ctx: &Ctx,
        path: &Path,
        text: &str,
        previous: Option<&tree_sitter::Tree>,
    ) -> Option<tree_sitter::Tree> {
        let (root, rel) = self.apps.locate(path)?;
        // Edits of one buffer wait together (keystrokes faster than their checks); another
        // buffer's edit meets them checked.
        if (self.unchecked.as_ref()).is_some_and(|u| u.root != root || u.edited != rel) {
            self.finish_checks(ctx);
        }
        let app = self.apps.by_root.get_mut(&root)?;
        let (files, tree) =
            app.set_buffer_leaving_checks(&rel, disk::buffer_content(&rel, text), previous);
        match &mut self.unchecked {
            Some(waiting) => waiting.files.extend(files),
            None => {
                self.unchecked = Some(Unchecked {
                    root,
                    files,
                    edited: rel,
                })
            }
        }
        // The analysed text drops a byte order mark: the tree's offsets are then not the
        // buffer's, and the next edit parses from scratch.
        tree.filter(|_| !text.starts_with('\u{feff}'))
    }

    /// Whether a buffer's edit waits for its checks.
    pub fn checks_deferred(&self) -> bool {
        self.unchecked.is_some()
    }

    /// Checks what the last buffer edit affects and reports the files it changed.
    pub fn finish_checks(&mut self, ctx: &Ctx) {
        let Some(Unchecked {
            root,
            mut files,
            edited,
        }) = self.unchecked.take()
        else {
            return;
        };
        let Some(app) = self.apps.by_root.get_mut(&root) else {
            return;
        };
        files.extend(app.check_pending());
        self.checks_finished += 1;
        self.report(ctx, &root, files, Some(&edited));
        // After the diagnostics went to the outbox.
        if let Some(app) = self.apps.by_root.get_mut(&root) {
            app.state.let_go_of_replaced();
        }
    }

    fn on_change(&mut self, ctx: &Ctx, p: lsp::DidChangeTextDocumentParams) {
        let encoding = self.caps.encoding;
        let Some(doc) = self.docs.get_mut(&p.text_document.uri) else {
            tracing::warn!("didChange for a document that is not open");
            return;
        };
        if p.text_document.version < doc.version {
            tracing::warn!(
                "didChange version {} after {}",
                p.text_document.version,
                doc.version
            );
        }
        // The document's syntax tree follows the edits; a full replacement drops it.
        let mut tree = doc.tree.take();
        for change in p.content_changes {
            let edit = convert::apply_change(&mut doc.text, change.range, &change.text, encoding);
            match (edit, tree.as_mut()) {
                (Some(edit), Some(t)) => t.edit(&edit),
                (None, _) => tree = None,
                _ => {}
            }
        }
        doc.version = p.text_document.version;
        let Some(path) = doc.path.clone() else { return };
        // A copy: `buffer_changed` needs the whole state, and the analysis copies the text into
        // an `Arc<str>` anyway.
        let text = doc.text.clone();
        let tree = self.buffer_changed(ctx, &path, &text, tree.as_ref());
        if let Some(d) = self.docs.get_mut(&p.text_document.uri) {
            d.tree = tree;
        }
    }

    fn on_close(&mut self, ctx: &Ctx, p: lsp::DidCloseTextDocumentParams) {
        let Some(doc) = self.docs.remove(&p.text_document.uri) else {
            return;
        };
        let Some(path) = doc.path else { return };
        self.open_paths.remove(&path);
        // The disk's content (or its absence) counts again.
        let Some((root, rel)) = self.apps.locate(&path) else {
            return;
        };
        let content = disk::read_file(&root, &path, &rel);
        let Some(app) = self.apps.by_root.get_mut(&root) else {
            return;
        };
        let files = app.set(&rel, content);
        self.report(ctx, &root, files, None);
    }

    fn on_watched_files(&mut self, ctx: &Ctx, p: lsp::DidChangeWatchedFilesParams) {
        let mut touched: HashMap<PathBuf, BTreeSet<String>> = HashMap::new();
        let mut rescan: BTreeSet<PathBuf> = BTreeSet::new();
        let mut rediscover = false;
        let mut reconfigure = false;
        for change in p.changes {
            let Some(path) = convert::uri_to_path(&change.uri) else {
                continue;
            };
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name == "pyproject.toml" {
                reconfigure = true;
            }
            if in_dist_info(&path) {
                // Not a file of the app: its environment, read again with the app.
                if let Some((root, _)) = self.apps.locate(&path) {
                    rescan.insert(root);
                }
                continue;
            }
            if self.apps.by_root.contains_key(&path)
                || (change.typ == FileChangeType::DELETED
                    && self.apps.by_root.keys().any(|r| r.starts_with(&path)))
            {
                // An app root itself appeared or vanished.
                rediscover = true;
                continue;
            }
            let Some((root, rel)) = self.apps.locate(&path) else {
                if matches!(name, "host.json" | "function_app.py" | "function.json")
                    || path.is_dir()
                {
                    rediscover = true;
                }
                continue;
            };
            if matches!(name, "host.json" | "function_app.py") && rel.contains('/') {
                // Perhaps a new app nested in this one.
                rediscover = true;
            }
            if self.open_paths.contains_key(&path) {
                continue; // The buffer wins.
            }
            let Some(app) = self.apps.by_root.get_mut(&root) else {
                continue;
            };
            let files = touched.entry(root.clone()).or_default();
            if change.typ == FileChangeType::DELETED {
                if app.state.input().exists(&rel) {
                    files.extend(app.set(&rel, None));
                } else if app.state.input().dir_exists(&rel) {
                    // A folder: everything below it (open buffers stay).
                    let prefix = format!("{rel}/");
                    let below: Vec<String> = app
                        .state
                        .input()
                        .files
                        .range(prefix.clone()..)
                        .map(|(k, _)| k.clone())
                        .take_while(|k| k.starts_with(&prefix))
                        .filter(|k| !self.open_paths.contains_key(&root.join(k)))
                        .collect();
                    for file in below {
                        files.extend(app.set(&file, None));
                    }
                }
            } else if path.is_dir() {
                rescan.insert(root.clone());
            } else {
                let content = disk::read_file(&root, &path, &rel);
                files.extend(app.set(&rel, content));
            }
        }
        if reconfigure {
            for app in self.apps.by_root.values_mut() {
                let python = app.config.python.take();
                app.project_config = config::project_config(&app.root);
                app.config = config::merge(&app.project_config, &self.client_settings);
                if app.config.python != python {
                    // Another interpreter: its packages are read again with the app.
                    rescan.insert(app.root.clone());
                }
                touched
                    .entry(app.root.clone())
                    .or_default()
                    .extend(app.all_files());
            }
        }
        for (root, files) in touched {
            self.report(ctx, &root, files, None);
        }
        for root in rescan {
            self.rescan(ctx, root);
        }
        if rediscover {
            let folders = self.folders.clone();
            let ctx2 = ctx.clone();
            tokio::task::spawn_blocking(move || {
                let roots = index::find_roots(&folders);
                ctx2.send_event(Event::Rediscovered(roots));
            });
        }
    }

    fn on_rescanned(&mut self, ctx: &Ctx, root: PathBuf, input: AppInput) {
        let Some(app) = self.apps.by_root.get_mut(&root) else {
            return;
        };
        let is_open = |rel: &str| self.open_paths.contains_key(&root.join(rel));
        let old: Vec<String> = app.state.input().files.keys().cloned().collect();
        let mut files = BTreeSet::new();
        for rel in old {
            if !input.files.contains_key(&rel) && !is_open(&rel) {
                files.extend(app.set(&rel, None));
            }
        }
        for (rel, content) in input.files {
            if is_open(&rel) || app.state.input().files.get(&rel) == Some(&content) {
                continue;
            }
            files.extend(app.set(&rel, Some(content)));
        }
        files.extend(app.state.set_environment(input.environment).files);
        self.report(ctx, &root, files, None);
    }

    fn on_rediscovered(&mut self, ctx: &Ctx, roots: Vec<PathBuf>) {
        let gone: Vec<PathBuf> = self
            .apps
            .by_root
            .keys()
            .filter(|r| !roots.contains(r))
            .cloned()
            .collect();
        for root in gone {
            self.remove_app(ctx, &root);
        }
        let new: Vec<PathBuf> = roots
            .into_iter()
            .filter(|r| !self.apps.by_root.contains_key(r))
            .collect();
        if !new.is_empty() {
            self.start_loading(ctx, new);
        }
    }

    fn on_folders(&mut self, ctx: &Ctx, p: lsp::DidChangeWorkspaceFoldersParams) {
        for removed in &p.event.removed {
            let Some(folder) = convert::uri_to_path(&removed.uri) else {
                continue;
            };
            self.folders.retain(|f| f != &folder);
            let gone: Vec<PathBuf> = self
                .apps
                .by_root
                .keys()
                .filter(|r| r.starts_with(&folder))
                .filter(|r| !self.folders.iter().any(|f| r.starts_with(f)))
                .cloned()
                .collect();
            for root in gone {
                self.remove_app(ctx, &root);
            }
        }
        for added in &p.event.added {
            let Some(folder) = convert::uri_to_path(&added.uri) else {
                continue;
            };
            if !self.folders.contains(&folder) {
                self.folders.push(folder.clone());
                if self.initialized {
                    self.start_indexing(ctx, folder);
                }
            }
        }
    }

    fn apply_settings(&mut self, ctx: &Ctx, settings: ClientSettings) {
        if settings == self.client_settings {
            return;
        }
        self.client_settings = settings;
        let roots: Vec<PathBuf> = self.apps.by_root.keys().cloned().collect();
        for root in roots {
            let Some(app) = self.apps.by_root.get_mut(&root) else {
                continue;
            };
            let python = app.config.python.take();
            app.config = config::merge(&app.project_config, &self.client_settings);
            if app.config.python != python {
                self.rescan(ctx, root.clone());
            }
            let Some(app) = self.apps.by_root.get(&root) else {
                continue;
            };
            let files = app.all_files();
            self.report(ctx, &root, files, None);
        }
    }

    /// Loads an app from disk again, off the main loop (with the packages of the interpreter its
    /// configuration names).
    fn rescan(&self, ctx: &Ctx, root: PathBuf) {
        let python = self
            .apps
            .by_root
            .get(&root)
            .and_then(|app| app.config.python.clone());
        let ctx2 = ctx.clone();
        tokio::task::spawn_blocking(move || {
            let display = root.display().to_string();
            let input = crate::loader::load_app_with_interpreter(&root, display, python.as_deref());
            ctx2.send_event(Event::Rescanned { root, input });
        });
    }

    /// `azfunc/documentText`: the text and version of an open document.
    pub(super) fn document_text(&self, uri: Uri) -> Option<(String, i32)> {
        self.docs.get(&uri).map(|d| (d.text.clone(), d.version))
    }

    /// `azfunc/status`: counters for tests and benchmarks.
    pub(super) fn status(&self, _: ()) -> Value {
        let functions: usize = self.apps.by_root.values().map(App::function_count).sum();
        json!({
            "apps": self.apps.by_root.len(),
            "functions": functions,
            "indexing": self.indexing,
            "documents": self.docs.len(),
            "initialized": self.initialized,
        })
    }

    /// `azfunc/debugPanic`: panics on purpose (tests of the panic guard).
    pub(super) fn debug_panic(&self, _: ()) {
        panic!("panic requested by azfunc/debugPanic")
    }

    /// The app, relative path and byte offset of a position in a document.
    pub(super) fn resolve(&self, uri: &Uri, pos: Position) -> Option<(&App, String, usize)> {
        let path = convert::uri_to_path(uri)?;
        let (root, rel) = self.apps.locate(&path)?;
        let app = self.apps.by_root.get(&root)?;
        let text = match self.docs.get(uri) {
            Some(doc) => doc.text.as_str(),
            None => app.text(&rel),
        };
        let offset = LineMap::new(text, self.caps.encoding).offset(pos);
        Some((app, rel, offset))
    }

    pub(super) fn hover(&self, p: lsp::HoverParams) -> Option<lsp::Hover> {
        let tdp = p.text_document_position_params;
        let (app, rel, offset) = self.resolve(&tdp.text_document.uri, tdp.position)?;
        let info = ide::hover(&app.state, &rel, offset)?;
        let map = LineMap::new(app.text(&rel), self.caps.encoding);
        let mut hover = convert::hover(&info, &map);
        if !self.caps.markdown_hover {
            hover.contents = lsp::HoverContents::Markup(MarkupContent {
                kind: MarkupKind::PlainText,
                value: info.markdown,
            });
        }
        Some(hover)
    }

    pub(super) fn completion(&self, p: lsp::CompletionParams) -> Option<CompletionResponse> {
        let tdp = p.text_document_position;
        let (app, rel, offset) = self.resolve(&tdp.text_document.uri, tdp.position)?;
        let items = ide::completions(&app.state, &rel, offset);
        let map = LineMap::new(app.text(&rel), self.caps.encoding);
        let items: Vec<lsp::CompletionItem> = items
            .iter()
            .filter(|i| self.caps.snippets || !i.is_snippet)
            .map(|i| {
                let mut item = convert::completion_item(i, &map);
                if !self.caps.markdown_completion {
                    if let Some(doc) = &i.documentation {
                        item.documentation = Some(lsp::Documentation::String(doc.clone()));
                    }
                }
                item
            })
            .collect();
        Some(CompletionResponse::List(CompletionList {
            is_incomplete: false,
            items,
        }))
    }

    pub(super) fn document_diagnostic(
        &self,
        p: lsp::DocumentDiagnosticParams,
    ) -> DocumentDiagnosticReportResult {
        let located = convert::uri_to_path(&p.text_document.uri)
            .and_then(|path| self.apps.locate(&path))
            .and_then(|(root, rel)| Some((self.apps.by_root.get(&root)?, rel)));
        let report = match located {
            None => DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items: Vec::new(),
                },
            }),
            Some((app, rel)) => {
                let list = app.file_diagnostics(&rel);
                let result_id = format!("{:016x}", digest(&list));
                if p.previous_result_id.as_deref() == Some(result_id.as_str()) {
                    DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                        related_documents: None,
                        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                            result_id,
                        },
                    })
                } else {
                    let uris = FileUris::new(&app.root, &self.open_paths);
                    let items = lsp_diagnostics(app, &rel, &list, self.caps.encoding, &uris);
                    DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                        related_documents: None,
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id: Some(result_id),
                            items,
                        },
                    })
                }
            }
        };
        DocumentDiagnosticReportResult::Report(report)
    }

    /// The workspace diagnostic report, written as JSON (a `WorkspaceDiagnosticReport`: the
    /// framework's value tree of the reports of a 40,000-function app cost more time and memory
    /// than making them; see `transport::PreparedResults`), and whether every document in it is
    /// unchanged.
    pub(super) fn workspace_diagnostic(
        &self,
        previous: std::sync::Arc<PreviousResults>,
    ) -> (Vec<u8>, bool) {
        let started = std::time::Instant::now();
        let mut out = br#"{"items":["#.to_vec();
        let mut count = 0usize;
        let mut all_unchanged = true;
        // The client's entries reported below (the others are cleared after).
        let mut seen = vec![false; previous.held.len()];
        let mut push = |out: &mut Vec<u8>, report: &[u8]| {
            if count > 0 {
                out.push(b',');
            }
            out.extend_from_slice(report);
            count += 1;
        };
        for (root, app) in &self.apps.by_root {
            let uris = FileUris::new(root, &self.open_paths);
            // Each file's report is made and written on the pool (thousands of files after
            // indexing), then they are listed in file order.
            let listed = app.listed_files();
            let files: Vec<&str> = listed.iter().map(String::as_str).collect();
            let reports = map_files(files, |file| {
                let uri = uris.uri_str(file)?;
                let entry = previous.find(&uri, || root.join(file));
                let known = entry.map(|i| &previous.held[i]);
                // `report` runs after every change: the digest it recorded is that of the
                // file's diagnostics now, and a client holding it needs nothing computed (most
                // files, when a client asks again after a keystroke).
                let recorded = app.reported(file);
                if let Some(held) =
                    known.filter(|held| recorded.is_some() && held.digest == recorded)
                {
                    // Written as serde writes a `WorkspaceUnchangedDocumentDiagnosticReport`,
                    // from the URI's text (a URI made from the root's needs no parsing).
                    let version = uris
                        .open_uri(file)
                        .and_then(|uri| self.docs.get(uri))
                        .map(|d| i64::from(d.version));
                    let mut report = br#"{"kind":"unchanged","uri":"#.to_vec();
                    serde_json::to_writer(&mut report, uri.as_ref()).ok()?;
                    report.extend_from_slice(br#","version":"#);
                    serde_json::to_writer(&mut report, &version).ok()?;
                    report.extend_from_slice(br#","resultId":"#);
                    serde_json::to_writer(&mut report, &held.id).ok()?;
                    report.push(b'}');
                    return Some((entry, true, report));
                }
                let list = app.file_diagnostics(file);
                if list.is_empty() && known.is_none() {
                    return None;
                }
                let uri = uris.uri(file)?;
                let version = self.docs.get(&uri).map(|d| i64::from(d.version));
                let result_id = format!("{:016x}", digest(&list));
                let report = if known.is_some_and(|held| held.id == result_id) {
                    WorkspaceDocumentDiagnosticReport::Unchanged(
                        WorkspaceUnchangedDocumentDiagnosticReport {
                            uri,
                            version,
                            unchanged_document_diagnostic_report:
                                UnchangedDocumentDiagnosticReport { result_id },
                        },
                    )
                } else {
                    let items = lsp_diagnostics(app, file, &list, self.caps.encoding, &uris);
                    WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                        uri,
                        version,
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id: Some(result_id),
                            items,
                        },
                    })
                };
                let unchanged = matches!(report, WorkspaceDocumentDiagnosticReport::Unchanged(_));
                Some((entry, unchanged, serde_json::to_vec(&report).ok()?))
            });
            for (entry, unchanged, report) in reports.into_iter().flatten() {
                all_unchanged &= unchanged;
                if let Some(i) = entry {
                    seen[i] = true;
                }
                push(&mut out, &report);
            }
        }
        // Files the client knows about that have no diagnostics now (or are in no app any
        // more): cleared, unless the client holds their empty report already (an answer that
        // is not all unchanged comes at once, and the client asks again at once).
        let empty_id = format!("{:016x}", digest(&[]));
        for (held, _) in previous.held.iter().zip(&seen).filter(|(_, seen)| !**seen) {
            if let Some(uri) = self.uri_of(&held.path) {
                let report = if held.id == empty_id {
                    WorkspaceDocumentDiagnosticReport::Unchanged(
                        WorkspaceUnchangedDocumentDiagnosticReport {
                            uri,
                            version: None,
                            unchanged_document_diagnostic_report:
                                UnchangedDocumentDiagnosticReport {
                                    result_id: empty_id.clone(),
                                },
                        },
                    )
                } else {
                    all_unchanged = false;
                    WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                        uri,
                        version: None,
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id: Some(empty_id.clone()),
                            items: Vec::new(),
                        },
                    })
                };
                if let Ok(report) = serde_json::to_vec(&report) {
                    push(&mut out, &report);
                }
            }
        }
        out.extend_from_slice(b"]}");
        tracing::debug!(
            "workspace/diagnostic: {count} reports written ({} bytes) in {:?}",
            out.len(),
            started.elapsed()
        );
        (out, all_unchanged)
    }
}

/// The result ids a client holds: made from a `workspace/diagnostic` request before it reaches
/// the main loop (and once for all the answers of a long poll).
#[derive(Debug, Default)]
pub struct PreviousResults {
    held: Vec<Held>,
    /// Entries by the URI's text: a client sends back the URIs it was given, so a document's
    /// is found without a path conversion.
    by_uri: foldhash::HashMap<String, usize>,
    /// Entries by path, for a URI spelled otherwise than the server spells it.
    by_path: foldhash::HashMap<PathBuf, usize>,
}

/// One document's result id, as a client holds it.
#[derive(Debug)]
struct Held {
    path: PathBuf,
    id: String,
    /// The digest the id names, when it is one the server made (16 lowercase hex digits).
    digest: Option<u64>,
}

impl PreviousResults {
    pub fn new(p: &lsp::WorkspaceDiagnosticParams) -> PreviousResults {
        let mut previous = PreviousResults::default();
        for r in &p.previous_result_ids {
            let Some(path) = convert::uri_to_path(&r.uri) else {
                continue;
            };
            let made = r.value.len() == 16
                && r.value
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
            let digest = made
                .then(|| u64::from_str_radix(&r.value, 16).ok())
                .flatten();
            let i = match previous.by_path.get(&path) {
                // The same document twice: the last id counts.
                Some(&i) => i,
                None => {
                    previous.held.push(Held {
                        path: path.clone(),
                        id: String::new(),
                        digest: None,
                    });
                    previous.by_path.insert(path, previous.held.len() - 1);
                    previous.held.len() - 1
                }
            };
            previous.held[i].id = r.value.clone();
            previous.held[i].digest = digest;
            previous.by_uri.insert(r.uri.as_str().to_string(), i);
        }
        previous
    }

    /// The entry of the document at `uri` (the server's spelling), else of its `path`.
    fn find(&self, uri: &str, path: impl FnOnce() -> PathBuf) -> Option<usize> {
        if self.held.is_empty() {
            return None;
        }
        match self.by_uri.get(uri) {
            Some(&i) => Some(i),
            None => self.by_path.get(&path()).copied(),
        }
    }
}

/// Asks the client for the `azfunc` section; the answer comes back as [`Event::Settings`].
fn request_settings(ctx: &Ctx) {
    let ctx2 = ctx.clone();
    tokio::spawn(async move {
        let items = vec![lsp::ConfigurationItem {
            scope_uri: None,
            section: Some("azfunc".to_string()),
        }];
        match ctx2.client.configuration(items).await {
            Ok(values) => {
                let value = values.into_iter().next().unwrap_or(Value::Null);
                if !value.is_null() {
                    ctx2.send_event(Event::Settings(value));
                }
            }
            Err(e) => tracing::debug!("workspace/configuration: {e}"),
        }
    });
}

/// `f` of each item, in order: on the pool for the thousands of files of an app just indexed or
/// whose settings changed, on this thread for the few of a keystroke (waking the pool would cost
/// more than it saves).
fn map_files<T: Send, U: Send>(items: Vec<T>, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    use rayon::prelude::*;
    const ON_THE_POOL_FROM: usize = 256;
    if items.len() < ON_THE_POOL_FROM {
        items.into_iter().map(f).collect()
    } else {
        items.into_par_iter().map(&f).collect()
    }
}

/// The LSP diagnostics of one file of an app.
fn lsp_diagnostics(
    app: &App,
    file: &str,
    list: &[crate::analysis::Diagnostic],
    encoding: Encoding,
    uris: &FileUris<'_>,
) -> Vec<lsp::Diagnostic> {
    if list.is_empty() {
        return Vec::new();
    }
    let map = LineMap::new(app.text(file), encoding);
    let related = |rel: &str| Some((uris.uri(rel)?, app.state.input().text(rel)));
    list.iter()
        .map(|d| convert::diagnostic(d, &map, &related, encoding))
        .collect()
}

/// Whether `path` is a `*.dist-info` folder of an environment, or inside one.
fn in_dist_info(path: &std::path::Path) -> bool {
    path.components().any(|c| {
        c.as_os_str()
            .to_str()
            .is_some_and(|name| name.ends_with(".dist-info"))
    })
}

#[cfg(test)]
mod tests {
    use super::{lsp, map_files, PreviousResults};
    use serde_json::json;
    use std::path::PathBuf;

    #[test]
    fn files_mapped_on_the_pool_keep_their_order() {
        for n in [3, 5_000] {
            let files: Vec<String> = (0..n).map(|i| format!("F{i:05}/function.json")).collect();
            let mapped = map_files(files.clone(), |file| file.len() + file.find('/').unwrap());
            let expected: Vec<usize> = files.iter().map(|f| f.len() + 6).collect();
            assert_eq!(mapped, expected);
            let names = map_files(files.clone(), |file| file);
            assert_eq!(names, files);
        }
    }

    #[test]
    fn a_held_result_id_is_found_by_the_uri_and_else_by_the_path() {
        let params: lsp::WorkspaceDiagnosticParams = serde_json::from_value(json!({
            "previousResultIds": [
                {"uri": "file:///app/F1/__init__.py", "value": "00000000000000ff"},
                // Spelled otherwise than the server spells it ("0" encoded).
                {"uri": "file:///app/F%30/__init__.py", "value": "000000000000000a"},
                // Not an id the server makes: no digest.
                {"uri": "file:///app/F2/__init__.py", "value": "00000000000000FF"},
                {"uri": "file:///app/F3/__init__.py", "value": "+0000000000000ff"},
                // The same document again: the last id counts.
                {"uri": "file:///app/F1/__init__.py", "value": "0000000000000001"},
                {"uri": "untitled:Untitled-1", "value": "0000000000000001"},
            ]
        }))
        .unwrap();
        let previous = PreviousResults::new(&params);
        assert_eq!(previous.held.len(), 4, "one entry per file document");
        let held = |uri: &str, path: &str| {
            let i = previous.find(uri, || PathBuf::from(path))?;
            let held = &previous.held[i];
            Some((held.id.as_str(), held.digest))
        };
        let never = |path: &str| -> Option<usize> {
            previous.find("file:///app/F1/__init__.py", || panic!("{path} looked up"))
        };
        assert_eq!(
            never("/app/F1/__init__.py"),
            Some(0),
            "found by its URI alone"
        );
        assert_eq!(
            held("file:///app/F1/__init__.py", "/app/F1/__init__.py"),
            Some(("0000000000000001", Some(1)))
        );
        assert_eq!(
            held("file:///app/F0/__init__.py", "/app/F0/__init__.py"),
            Some(("000000000000000a", Some(10)))
        );
        assert_eq!(
            held("file:///app/F2/__init__.py", "/app/F2/__init__.py"),
            Some(("00000000000000FF", None))
        );
        assert_eq!(
            held("file:///app/F3/__init__.py", "/app/F3/__init__.py"),
            Some(("+0000000000000ff", None))
        );
        assert_eq!(
            held("file:///app/F4/__init__.py", "/app/F4/__init__.py"),
            None
        );
        let nothing = PreviousResults::default();
        assert_eq!(
            nothing.find("file:///app/F1/__init__.py", || panic!("looked up")),
            None
        );
    }
}
