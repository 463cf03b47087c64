//! The persistent cache of `azfunc-lsp check` (docs/cache.md): what a check found, kept on disk
//! so that checking an unchanged app again reads no source file, and a change re-checks only
//! the functions that depend on it.
//!
//! Each app has two files in `<cache dir>/<version>/`, named after its absolute root:
//!
//! - `<name>.app` ([`AppRecord`]): each file's stamp (size, times, inode) and content hash,
//!   and the final diagnostics (fixes resolved) under the app key: a hash of the build, the
//!   configuration, the display root, the environment and every file's path and content. A
//!   file whose stamp is unchanged is taken to have its recorded hash, unless it changed too
//!   close to the time of the record to tell (racily clean, as git says): then it is read again.
//! - `<name>.functions` ([`FunctionsRecord`]): each function's diagnostics before
//!   configuration, under the hash of its unit and of the files it depends on (its load, its
//!   declaration and script, its function folder), valid while the app context (build,
//!   environment, the list of files, the root files) is the same.
//!
//! - `<name>.modules` ([`ModulesRecord`]), for a decorator app (whose modules are all read to
//!   find its functions): each module's summary, encoded on its own, under the hash of its
//!   text, so that a run after an edit parses (and encodes) only the modules that changed.
//! - `<name>.walk` ([`WalkRecord`]), named after a folder given to `check`: the folders its walk
//!   read, with their stamps, and the files it listed. When no folder's stamp changed, the apps
//!   are found from it without walking (a folder's times change whenever an entry is added,
//!   removed or renamed in it); it is written only when no folder had changed shortly before.
//!
//! A record is [`RECORD_MAGIC`], the [`FORMAT`] and a checksum of the rest, then the record in
//! postcard's serde encoding. A file that cannot be read or decoded, whose checksum differs, or
//! that another build wrote, is a miss; a failure to write is ignored. The cache never decides a
//! result: on a miss the same code runs as without it.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

use super::report::CheckedApp;
use crate::analysis::function::{Declaration, FunctionUnit, Modules, Script};
use crate::analysis::python::PyModule;
use crate::analysis::rules::{self, context::LoadedModule, context::SharedLoads};
use crate::analysis::settings::LocalSettings;
use crate::analysis::{AppInput, Config, Diagnostic, FileContent};
use crate::loader::{self, AppListing, FileStamp, FoundApp, WalkListing, CACHE_DIR_NAME};

/// The environment variable naming the cache folder (as `--cache-dir` does).
pub const CACHE_DIR_ENV: &str = "AZFUNC_LSP_CACHE_DIR";

/// The layout of the records; a record of another layout is a miss.
const FORMAT: u32 = 3;

/// What every record file starts with, before its format and checksum.
const RECORD_MAGIC: &[u8; 8] = b"azfcache";

/// A file changed less than this before a record was made may have changed again within the
/// same tick of the file system's clock without its stamp showing it (coarse kernel clocks lag
/// by a few milliseconds; some file systems keep whole or even two seconds): it is read again on
/// the next run rather than trusted.
const RACY_MARGIN_NS: i128 = 2_000_000_000;

/// What `.gitignore` in the cache folder says: nothing in it belongs in version control.
const GITIGNORE: &str = "# Written by azfunc-lsp check: this folder is a cache.\n*\n";

/// A cache directory tag (https://bford.info/cachedir/): backup tools may skip the folder.
const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by azfunc-lsp.\n\
# For information about cache directory tags, see https://bford.info/cachedir/\n";

/// Where the caches of one run go.
#[derive(Debug, Clone, Default)]
pub struct CacheOptions {
    /// `--cache-dir`, else `AZFUNC_LSP_CACHE_DIR`: one folder for every app.
    pub dir: Option<PathBuf>,
}

impl CacheOptions {
    /// The folder from the flag, else from the environment variable (when set and not empty).
    pub fn new(flag: Option<&Path>) -> CacheOptions {
        let dir = flag.map(Path::to_path_buf).or_else(|| {
            std::env::var_os(CACHE_DIR_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        CacheOptions { dir }
    }

    /// The cache folder of the app at `root`: the chosen one, else `.azfunc_cache` beside the
    /// `pyproject.toml` whose settings the app uses, else in the app root.
    pub fn dir_for(&self, root: &Path, pyproject: Option<&Path>) -> PathBuf {
        match (&self.dir, pyproject.and_then(Path::parent)) {
            (Some(dir), _) => loader::absolute(dir).unwrap_or_else(|_| dir.clone()),
            (None, Some(project)) => project.join(CACHE_DIR_NAME),
            (None, None) => root.join(CACHE_DIR_NAME),
        }
    }
}

/// What the cache did for one app, for logs and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// The final diagnostics came from the cache: nothing was checked.
    pub whole_app_hit: bool,
    /// Functions whose rules ran.
    pub functions_checked: usize,
    /// Functions whose diagnostics came from the cache.
    pub functions_reused: usize,
    /// Files read to tell whether they changed (their stamp did not say).
    pub files_hashed: usize,
    /// Module summaries taken from the cache instead of parsing the module.
    pub summaries_reused: usize,
}

/// The build: its version and its executable's stamp, so that a rebuilt binary never reads
/// what another build found.
fn build_id() -> Option<u128> {
    let exe = std::env::current_exe().ok()?;
    let stamp = FileStamp::of(&fs::metadata(exe).ok()?)?;
    let mut h = KeyHasher::new("build");
    h.str(env!("CARGO_PKG_VERSION"));
    h.u64(stamp.size);
    h.i128(stamp.mtime_ns);
    h.u64(stamp.ino);
    Some(h.finish())
}

/// A 128-bit hash over length-prefixed fields, so that no two sequences of fields collide by
/// concatenation.
struct KeyHasher(Xxh3);

impl KeyHasher {
    fn new(purpose: &str) -> KeyHasher {
        let mut h = KeyHasher(Xxh3::new());
        h.str(purpose);
        h
    }
    fn bytes(&mut self, bytes: &[u8]) {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn u64(&mut self, n: u64) {
        self.0.update(&n.to_le_bytes());
    }
    fn i128(&mut self, n: i128) {
        self.0.update(&n.to_le_bytes());
    }
    fn u128(&mut self, n: u128) {
        self.0.update(&n.to_le_bytes());
    }
    fn finish(&self) -> u128 {
        self.0.digest128()
    }
}

/// The hash of a value's `Debug` form (the configuration: plain data printed in a fixed order,
/// hashed once per app). The form is written into a buffer kept per thread and hashed at once:
/// hashing each of the many small pieces `Debug` writes costs more than the writing.
fn debug_hash(purpose: &str, value: &dyn std::fmt::Debug) -> u128 {
    use std::fmt::Write;
    thread_local! {
        static FORM: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    let mut h = KeyHasher::new(purpose);
    FORM.with(|form| match form.try_borrow_mut() {
        Ok(mut form) => {
            form.clear();
            let _ = write!(form, "{value:?}");
            h.str(&form);
        }
        Err(_) => h.str(&format!("{value:?}")),
    });
    h.finish()
}

/// The hash of every field of a value, as its `Hash` implementation feeds them (lengths before
/// contents, so no two values run together). The bytes are gathered in a buffer kept per
/// thread and hashed at once: a decorated function's unit is a few hundred small fields, and
/// hashing each on its own costs more than copying it. (Its `Debug` form, hashed before, cost
/// a quarter of a cached check of a decorator app.)
fn structural_hash(purpose: &str, value: &impl std::hash::Hash) -> u128 {
    /// Collects what `Hash` writes.
    struct Gather<'a>(&'a mut Vec<u8>);
    impl std::hash::Hasher for Gather<'_> {
        fn write(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
        fn finish(&self) -> u64 {
            xxhash_rust::xxh3::xxh3_64(self.0)
        }
    }
    thread_local! {
        static FIELDS: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let mut h = KeyHasher::new(purpose);
    let mut gather = |fields: &mut Vec<u8>| {
        fields.clear();
        value.hash(&mut Gather(fields));
        h.bytes(fields);
    };
    FIELDS.with(|fields| match fields.try_borrow_mut() {
        Ok(mut fields) => gather(&mut fields),
        Err(_) => gather(&mut Vec::new()),
    });
    h.finish()
}

/// The key of a function's record. A function.json folder's unit is derived from the files of
/// its folder (all in its dependency set) and from the app context alone, so its name and file
/// identify it; a decorated function's unit comes from the modules as a whole and is keyed by
/// all of it (hashing a function.json unit's parsed JSON would cost more than its rules).
fn unit_key(unit: &FunctionUnit) -> u128 {
    match &unit.declaration {
        Declaration::FunctionJson { path, .. } => {
            let mut h = KeyHasher::new("function.json unit");
            h.str(&unit.name);
            h.str(path);
            h.finish()
        }
        Declaration::Decorators(_) => structural_hash("unit", unit),
    }
}

/// The hash of a file's content as loading gives it.
fn content_hash(content: &FileContent) -> u128 {
    let mut h = Xxh3::new();
    match content {
        FileContent::Text(text) => {
            h.update(b"t");
            h.update(text.as_bytes());
        }
        FileContent::NotUtf8 => h.update(b"u"),
        FileContent::TooLarge(len) => {
            h.update(b"l");
            h.update(&len.to_le_bytes());
        }
        FileContent::Unreadable(error) => {
            h.update(b"e");
            h.update(error.as_bytes());
        }
        FileContent::NotLoaded => h.update(b"n"),
    }
    h.digest128()
}

fn now_ns() -> i128 {
    loader::ns_since_epoch(std::time::SystemTime::now())
}

/// What every record starts with: a record of another layout, build or app is a miss.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    format: u32,
    version: String,
    build: u128,
    root: String,
}

impl Header {
    /// The header of this build's records about the folder `root` (absolute), and the name of
    /// their files: a hash of `kind` and the folder.
    fn new(build: u128, root: &Path, kind: &str) -> (Header, String) {
        let root = root.to_string_lossy().into_owned();
        let mut name = KeyHasher::new(kind);
        name.str(&root);
        let header = Header {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            build,
            root,
        };
        (header, format!("{:032x}", name.finish()))
    }
}

/// The folder of this version's records in the cache folder `cache_dir`.
fn version_dir(cache_dir: &Path) -> PathBuf {
    cache_dir.join(env!("CARGO_PKG_VERSION"))
}

/// One file as last seen.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FileRecord {
    rel: String,
    /// `None`: not trusted next time (its metadata could not be read, or it is not read).
    stamp: Option<FileStamp>,
    hash: u128,
}

/// The app's files and, when its last whole check was recorded, its result.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AppRecord {
    header: Header,
    /// When the stamps were taken (before any of them).
    recorded_at_ns: i128,
    files: Vec<FileRecord>,
    result: Option<AppResult>,
}

/// The final diagnostics of a whole-app check, under the key they are valid for.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AppResult {
    key: u128,
    excluded: bool,
    diagnostics: Vec<Diagnostic>,
}

/// Each function's unfiltered diagnostics, valid under `context`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FunctionsRecord {
    header: Header,
    context: u128,
    /// Sets of files (positions in the app's files sorted by path, the same list while the
    /// context is the same), with the hash of their contents.
    dep_sets: Vec<DepSet>,
    entries: Vec<FunctionEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DepSet {
    files: Vec<u32>,
    hash: u128,
}

/// The module summaries of a decorator app, each under the hash of the text it summarises.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ModulesRecord {
    header: Header,
    modules: Vec<ModuleEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ModuleEntry {
    rel: String,
    hash: u128,
    summary: EncodedSummary,
}

/// A module summary in postcard's encoding, kept as bytes inside the record: the summaries a
/// run takes are decoded in parallel, and those of unchanged modules are written back as they
/// were read (an edit of one module re-encoded all of them: 7 MB for 10,000 decorated
/// functions).
#[derive(Debug, Clone)]
struct EncodedSummary(Vec<u8>);

impl EncodedSummary {
    /// Encoded into a buffer of exactly its size (a growing one would hold up to twice it).
    fn encode(summary: &PyModule) -> Option<EncodedSummary> {
        let size = postcard::experimental::serialized_size(summary).ok()?;
        postcard::to_extend(summary, Vec::with_capacity(size))
            .ok()
            .map(EncodedSummary)
    }

    fn decode(&self) -> Option<PyModule> {
        postcard::from_bytes(&self.0).ok()
    }
}

impl Serialize for EncodedSummary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for EncodedSummary {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = EncodedSummary;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an encoded module summary")
            }
            fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<EncodedSummary, E> {
                Ok(EncodedSummary(bytes.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(
                self,
                bytes: Vec<u8>,
            ) -> Result<EncodedSummary, E> {
                Ok(EncodedSummary(bytes))
            }
        }
        deserializer.deserialize_byte_buf(Bytes)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct FunctionEntry {
    /// The hash of the function's unit.
    unit: u128,
    /// Its position in `dep_sets`.
    deps: u32,
    diagnostics: Vec<Diagnostic>,
}

/// One file of the app now: its stamp, its content hash and, when it was read for the hash,
/// its content.
struct FileState {
    rel: String,
    stamp: Option<FileStamp>,
    hash: u128,
    content: Option<FileContent>,
}

/// The hash of a set of files' contents.
fn dep_set_hash(files: &[u32], states: &[FileState]) -> Option<u128> {
    let mut h = KeyHasher::new("deps");
    for &i in files {
        h.u64(u64::from(i));
        h.u128(states.get(i as usize)?.hash);
    }
    Some(h.finish())
}

/// The caches of one app for one run: what was recorded, what the files are now.
pub struct AppCache {
    dir: PathBuf,
    name: String,
    header: Header,
    display_root: String,
    listing: AppListing,
    interpreter: Option<PathBuf>,
    recorded_at_ns: i128,
    files: Vec<FileState>,
    /// Whether a file's stamp or hash differs from the record (the record is then rewritten).
    files_changed: bool,
    app_key: u128,
    context: u128,
    /// Environment files changed too recently to trust their stamps: nothing is recorded.
    unsettled: bool,
    previous: Option<AppRecord>,
    stats: CacheStats,
}

impl AppCache {
    /// Lists and stats the app's files, reads those whose stamp does not match the record, and
    /// computes the keys. `None` when the build cannot be identified (the cache is then off).
    pub fn open(
        cache_dir: &Path,
        app: FoundApp,
        display_root: &str,
        config: &Config,
    ) -> Result<AppCache, FoundApp> {
        let Some(build) = build_id() else {
            return Err(app);
        };
        let started = std::time::Instant::now();
        let listing = app.list();
        let listed = started.elapsed();
        let (header, name) = Header::new(build, &listing.root, "root");
        let dir = version_dir(cache_dir);
        let previous = read_record::<AppRecord>(&dir.join(format!("{name}.app")))
            .filter(|r| r.header == header);
        let read_in = started.elapsed() - listed;
        // No stamp may be older than the time it is recorded with (see `RACY_MARGIN_NS`).
        let recorded_at_ns = listing
            .stamped_since
            .map_or_else(now_ns, loader::ns_since_epoch);
        let known: HashMap<&str, &FileRecord> = previous
            .iter()
            .flat_map(|r| r.files.iter().map(|f| (f.rel.as_str(), f)))
            .collect();
        let trusted_before = previous
            .as_ref()
            .map_or(i128::MIN, |r| r.recorded_at_ns - RACY_MARGIN_NS);
        let hashed = AtomicUsize::new(0);
        let mut files: Vec<FileState> = listing
            .files
            .par_iter()
            .map(|file| {
                if !file.content_needed() {
                    // Not opened: `NotLoaded` or the error of an unreadable folder.
                    let content = file.read();
                    return FileState {
                        rel: file.rel.clone(),
                        stamp: None,
                        hash: content_hash(&content),
                        content: Some(content),
                    };
                }
                let stamp = file.stamp();
                let recorded = known.get(file.rel.as_str()).filter(|r| {
                    r.stamp.is_some()
                        && r.stamp == stamp
                        && stamp.is_some_and(|s| s.changed_ns() < trusted_before)
                });
                match recorded {
                    Some(r) => FileState {
                        rel: file.rel.clone(),
                        stamp,
                        hash: r.hash,
                        content: None,
                    },
                    None => {
                        hashed.fetch_add(1, Ordering::Relaxed);
                        let content = file.read();
                        FileState {
                            rel: file.rel.clone(),
                            stamp,
                            hash: content_hash(&content),
                            content: Some(content),
                        }
                    }
                }
            })
            .collect();
        files.par_sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
        let files_hashed = hashed.into_inner();
        // A file read for its hash is trusted by its stamp once recorded again.
        let files_changed = files_hashed > 0
            || previous.as_ref().is_none_or(|r| {
                r.files.len() != files.len()
                    || r.files
                        .iter()
                        .zip(&files)
                        .any(|(r, f)| r.rel != f.rel || r.stamp != f.stamp || r.hash != f.hash)
            });

        let interpreter = config.python.clone();
        let (environment, unsettled) = environment_key(&listing.root, interpreter.as_deref());
        let mut app_key = KeyHasher::new("app");
        let mut context = KeyHasher::new("functions");
        for key in [&mut app_key, &mut context] {
            key.u128(build);
            key.str(display_root);
            key.u128(environment);
            key.u64(files.len() as u64);
        }
        app_key.u128(debug_hash("config", config));
        for file in &files {
            app_key.str(&file.rel);
            app_key.u128(file.hash);
            // The function-level rules read the list of files (imports, scripts), and
            // the root files (settings, requirements, host.json) are read for every function.
            context.str(&file.rel);
            if !file.rel.contains('/') || file.content.as_ref().is_some_and(is_not_read) {
                context.u128(file.hash);
            }
        }
        tracing::debug!(
            "cache: {display_root}: {} files listed in {listed:?}, record read in {read_in:?}, \
             stamped and keyed in {:?}",
            files.len(),
            started.elapsed() - listed - read_in
        );
        let stats = CacheStats {
            files_hashed,
            ..CacheStats::default()
        };
        Ok(AppCache {
            dir,
            name,
            header,
            display_root: display_root.to_string(),
            listing,
            interpreter,
            recorded_at_ns,
            files,
            files_changed,
            app_key: app_key.finish(),
            context: context.finish(),
            unsettled,
            previous,
            stats,
        })
    }

    /// The app's final diagnostics when the last whole check of the same app, configuration
    /// and files recorded them: the files they point into are read (for snippets and
    /// positions), nothing is checked.
    pub fn whole_app_hit(&mut self) -> Option<CheckedApp> {
        let result = self.previous.as_ref()?.result.as_ref()?;
        if result.key != self.app_key {
            return None;
        }
        let mut needed: Vec<&str> = Vec::new();
        for d in &result.diagnostics {
            needed.push(&d.file);
            needed.extend(d.related.iter().map(|r| r.file.as_str()));
            for fix in &d.fixes {
                needed.extend(fix.edits.iter().map(|e| e.file.as_str()));
            }
        }
        needed.sort_unstable();
        needed.dedup();
        let listed: HashMap<&str, &loader::ListedFile> = self
            .listing
            .files
            .iter()
            .map(|f| (f.rel.as_str(), f))
            .collect();
        let mut input = AppInput::new(self.display_root.clone());
        for rel in needed {
            let Ok(i) = self.files.binary_search_by(|f| f.rel.as_str().cmp(rel)) else {
                // A file that does not exist: the output shows it at 1:1, as it did.
                continue;
            };
            let state = &self.files[i];
            let content = match &state.content {
                Some(content) => content.clone(),
                None => {
                    let content = listed.get(rel)?.read();
                    // Trusted by its stamp: confirm, since its text is shown.
                    if content_hash(&content) != state.hash {
                        tracing::debug!("cache: {rel} changed under its stamp");
                        return None;
                    }
                    content
                }
            };
            input.files.insert(rel.to_string(), content);
        }
        self.stats.whole_app_hit = true;
        Some(CheckedApp {
            input,
            display_root: self.display_root.clone(),
            diagnostics: result.diagnostics.clone(),
            excluded: result.excluded,
            state: None,
        })
    }

    /// Loads the app (the files read for their hash are not read again) and returns what
    /// checks its functions reusing the recorded diagnostics of those whose dependencies did
    /// not change.
    pub fn load(&mut self) -> (AppInput, FunctionReuse) {
        let listing = std::mem::replace(
            &mut self.listing,
            AppListing {
                root: PathBuf::new(),
                files: Vec::new(),
                stamped_since: None,
            },
        );
        let contents: HashMap<&str, &FileContent> = self
            .files
            .iter()
            .filter_map(|f| Some((f.rel.as_str(), f.content.as_ref()?)))
            .collect();
        let input = listing.read(
            self.display_root.clone(),
            self.interpreter.as_deref(),
            |rel| contents.get(rel).map(|c| (*c).clone()),
        );
        // The contents are in the input now.
        for file in &mut self.files {
            file.content = None;
        }
        let record = read_record::<FunctionsRecord>(&self.functions_path())
            .filter(|r| r.header == self.header && r.context == self.context);
        let reuse = FunctionReuse::new(
            record,
            &self.files,
            self.modules_path(),
            self.header.clone(),
        );
        (input, reuse)
    }

    fn app_path(&self) -> PathBuf {
        self.dir.join(format!("{}.app", self.name))
    }

    fn functions_path(&self) -> PathBuf {
        self.dir.join(format!("{}.functions", self.name))
    }

    fn modules_path(&self) -> PathBuf {
        self.dir.join(format!("{}.modules", self.name))
    }

    /// Writes what this run learnt: the files' stamps, and `result` (the final diagnostics of a
    /// whole-app check) or the result still valid from before; the functions' diagnostics
    /// when they were checked; `summaries`, the modules a decorator app's check parsed, when
    /// they differ from the record. Failures are ignored.
    pub fn store(
        mut self,
        result: Option<&CheckedApp>,
        functions: Option<FunctionReuse>,
        summaries: Vec<(String, Arc<PyModule>)>,
    ) -> CacheStats {
        let mut summaries_recorded = 0;
        let mut kept_summaries = Vec::new();
        if let Some(f) = &functions {
            if let Ok(mut kept) = f.summaries_kept.lock() {
                kept_summaries = std::mem::take(&mut *kept);
            }
            self.stats.functions_checked = f.checked.load(Ordering::Relaxed);
            self.stats.functions_reused = f.reused.load(Ordering::Relaxed);
            self.stats.summaries_reused = f.summaries_taken.load(Ordering::Relaxed);
            summaries_recorded = f.summaries_recorded.load(Ordering::Relaxed);
        }
        let stats = self.stats;
        tracing::debug!(
            "cache: {}: {}{} functions checked, {} reused, {} files read for their hash, \
             {} module summaries reused",
            self.display_root,
            if stats.whole_app_hit {
                "whole-app hit; "
            } else {
                ""
            },
            stats.functions_checked,
            stats.functions_reused,
            stats.files_hashed,
            stats.summaries_reused,
        );
        if self.unsettled {
            tracing::debug!("cache: the environment changed just now; nothing recorded");
            return stats;
        }
        let result = match result {
            Some(checked) => Some(AppResult {
                key: self.app_key,
                excluded: checked.excluded,
                diagnostics: checked.diagnostics.clone(),
            }),
            None => self
                .previous
                .take()
                .and_then(|p| p.result)
                .filter(|r| r.key == self.app_key),
        };
        let result_changed = !stats.whole_app_hit;
        if self.files_changed || result_changed {
            let record = AppRecord {
                header: self.header.clone(),
                recorded_at_ns: self.recorded_at_ns,
                files: self
                    .files
                    .iter()
                    .map(|f| FileRecord {
                        rel: f.rel.clone(),
                        stamp: f.stamp,
                        hash: f.hash,
                    })
                    .collect(),
                result,
            };
            write_record(&self.dir, &self.app_path(), &record);
        }
        if let Some(functions) = functions {
            if let Some(record) = functions.into_record(self.header.clone(), self.context) {
                write_record(&self.dir, &self.functions_path(), &record);
            }
        }
        // Every module's summary came from the record, which held no other: it stands.
        let unchanged = summaries.len() == stats.summaries_reused
            && summaries_recorded == stats.summaries_reused;
        if !summaries.is_empty() && !unchanged {
            // The summaries taken from the record go back as they were read; the others are
            // encoded, in parallel.
            let kept: HashMap<(String, u128), EncodedSummary> = kept_summaries
                .into_iter()
                .map(|m| ((m.rel, m.hash), m.summary))
                .collect();
            let modules = summaries
                .into_par_iter()
                .filter_map(|(rel, summary)| {
                    let i = self
                        .files
                        .binary_search_by(|f| f.rel.as_str().cmp(&rel))
                        .ok()?;
                    let hash = self.files[i].hash;
                    let summary = match kept.get(&(rel.clone(), hash)) {
                        Some(encoded) => encoded.clone(),
                        None => EncodedSummary::encode(&summary)?,
                    };
                    Some(ModuleEntry { rel, hash, summary })
                })
                .collect();
            let record = ModulesRecord {
                header: self.header.clone(),
                modules,
            };
            write_record(&self.dir, &self.modules_path(), &record);
        }
        stats
    }
}

/// What the walk of a folder given to `check` listed (see [`loader::find_apps_under_listing`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WalkRecord {
    header: Header,
    listing: WalkListing,
}

/// The walk of one folder given to `check`, with the record it may leave in a cache folder.
pub struct FolderWalk {
    /// The cache folder the record goes in (written only if one of the apps uses it).
    pub cache_dir: PathBuf,
    header: Header,
    name: String,
    /// What the walk listed, when it walked: to record.
    fresh: Option<WalkListing>,
}

impl FolderWalk {
    /// Finds the apps below the folder `path` as [`loader::find_apps_under_stamped`] does: from
    /// the record of its last walk in `cache_dir` when every folder in it is unchanged, else by
    /// walking (the walk is returned, to be recorded).
    pub fn find_apps(
        path: &Path,
        cache_dir: &Path,
    ) -> anyhow::Result<(Vec<FoundApp>, Option<FolderWalk>)> {
        let started = std::time::Instant::now();
        let walk = build_id()
            .zip(loader::absolute(path).ok())
            .map(|(build, abs)| {
                let (header, name) = Header::new(build, &abs, "walked folder");
                FolderWalk {
                    cache_dir: cache_dir.to_path_buf(),
                    header,
                    name,
                    fresh: None,
                }
            });
        if let Some(walk) = &walk {
            let record =
                read_record::<WalkRecord>(&walk.record_path()).filter(|r| r.header == walk.header);
            if let Some(apps) =
                record.and_then(|r| loader::find_apps_under_listing(path, &r.listing))
            {
                tracing::debug!(
                    "cache: {}: no folder changed since its last walk ({:?})",
                    path.display(),
                    started.elapsed()
                );
                return Ok((apps, None));
            }
        }
        let (apps, listing) = loader::find_apps_under_stamped(path)?;
        Ok((
            apps,
            walk.map(|walk| FolderWalk {
                fresh: listing,
                ..walk
            }),
        ))
    }

    fn record_path(&self) -> PathBuf {
        version_dir(&self.cache_dir).join(format!("{}.walk", self.name))
    }

    /// Records the walk when it walked and no folder had changed in the moments before (a
    /// change within the same tick of the clock would not show in the stamps); otherwise a
    /// previous record, which can no longer match, is removed.
    pub fn store(self) {
        let path = self.record_path();
        let FolderWalk {
            cache_dir,
            header,
            fresh: Some(listing),
            ..
        } = self
        else {
            return;
        };
        if listing.last_change_ns() < listing.walked_at_ns - RACY_MARGIN_NS {
            let record = WalkRecord { header, listing };
            write_record(&version_dir(&cache_dir), &path, &record);
        } else {
            tracing::debug!("cache: a folder changed just now; the walk is not recorded");
            let _ = fs::remove_file(&path);
        }
    }
}

/// Whether loading never opens a file of this content (its hash is then that of its kind).
fn is_not_read(content: &FileContent) -> bool {
    matches!(content, FileContent::NotLoaded | FileContent::Unreadable(_))
}

/// The hash of the environment's stamps (see [`loader::venv::environment_stamps`]), and
/// whether one of its files changed too recently for its stamp to be trusted.
fn environment_key(root: &Path, interpreter: Option<&Path>) -> (u128, bool) {
    let started = now_ns();
    let mut h = KeyHasher::new("environment");
    let mut unsettled = false;
    if let Some((site_packages, dists)) = loader::venv::environment_stamps(root, interpreter) {
        h.str(&site_packages.to_string_lossy());
        for (name, stamps) in dists {
            h.str(&name);
            for stamp in stamps {
                match stamp {
                    Some(s) => {
                        unsettled |= s.changed_ns() >= started - RACY_MARGIN_NS;
                        h.u64(1);
                        h.u64(s.size);
                        h.i128(s.mtime_ns);
                        h.i128(s.ctime_ns);
                        h.u64(s.ino);
                    }
                    None => h.u64(0),
                }
            }
        }
    }
    (h.finish(), unsettled)
}

/// A function's unit hash, dependency set and unfiltered diagnostics, as found by one check.
type Found = (u128, Arc<Vec<u32>>, Vec<Diagnostic>);

/// Positions of the files of a list of loaded modules, by the list's address (the list is kept
/// alive here, so the address is not reused).
type LoadedPositions = HashMap<usize, (Arc<Vec<LoadedModule>>, Arc<Vec<u32>>)>;

/// The function-level rules of one check, answered from the record for each function whose
/// unit and dependencies are unchanged.
pub struct FunctionReuse {
    /// The recorded entries by unit hash, with whether their dependencies are unchanged.
    recorded: HashMap<u128, (FunctionEntry, bool)>,
    /// The recorded dependency sets.
    dep_sets: Vec<Arc<Vec<u32>>>,
    /// The functions of a decorator app share one list of loaded modules: its positions are
    /// found once.
    loaded_positions: Mutex<LoadedPositions>,
    /// Paths of the app's files, sorted, with their content hashes.
    files: Vec<(String, u128)>,
    /// What this check found, for the next record: entries and their dependency sets.
    found: Mutex<Vec<Found>>,
    checked: AtomicUsize,
    reused: AtomicUsize,
    /// Where the module summaries are recorded, and how many the record held and gave.
    modules_path: PathBuf,
    header: Header,
    summaries_recorded: AtomicUsize,
    summaries_taken: AtomicUsize,
    /// The recorded summaries taken, as encoded: written back as they are.
    summaries_kept: Mutex<Vec<ModuleEntry>>,
}

impl FunctionReuse {
    fn new(
        record: Option<FunctionsRecord>,
        states: &[FileState],
        modules_path: PathBuf,
        header: Header,
    ) -> FunctionReuse {
        let mut recorded = HashMap::new();
        let mut dep_sets = Vec::new();
        if let Some(record) = record {
            let valid: Vec<bool> = record
                .dep_sets
                .iter()
                .map(|set| dep_set_hash(&set.files, states) == Some(set.hash))
                .collect();
            for entry in record.entries {
                let ok = valid.get(entry.deps as usize).copied().unwrap_or(false);
                recorded.insert(entry.unit, (entry, ok));
            }
            dep_sets = record
                .dep_sets
                .into_iter()
                .map(|set| Arc::new(set.files))
                .collect();
        }
        FunctionReuse {
            recorded,
            dep_sets,
            loaded_positions: Mutex::new(HashMap::new()),
            files: states.iter().map(|f| (f.rel.clone(), f.hash)).collect(),
            found: Mutex::new(Vec::new()),
            checked: AtomicUsize::new(0),
            reused: AtomicUsize::new(0),
            modules_path,
            header,
            summaries_recorded: AtomicUsize::new(0),
            summaries_taken: AtomicUsize::new(0),
            summaries_kept: Mutex::new(Vec::new()),
        }
    }

    /// The recorded summaries of the modules whose text is unchanged (asked for a decorator
    /// app, before its modules are parsed).
    pub fn recorded_summaries(&self) -> Vec<(String, Arc<PyModule>)> {
        let Some(record) =
            read_record::<ModulesRecord>(&self.modules_path).filter(|r| r.header == self.header)
        else {
            return Vec::new();
        };
        self.summaries_recorded
            .store(record.modules.len(), Ordering::Relaxed);
        let current: Vec<ModuleEntry> = record
            .modules
            .into_iter()
            .filter(|m| {
                self.position(&m.rel)
                    .is_some_and(|i| self.files[i as usize].1 == m.hash)
            })
            .collect();
        // A summary that does not decode (a record of the same build and checksum always
        // does) is left out: its module is parsed.
        let decoded: Vec<Option<Arc<PyModule>>> = current
            .par_iter()
            .map(|m| m.summary.decode().map(Arc::new))
            .collect();
        let mut taken = Vec::with_capacity(current.len());
        let mut kept = Vec::with_capacity(current.len());
        for (entry, summary) in current.into_iter().zip(decoded) {
            if let Some(summary) = summary {
                taken.push((entry.rel.clone(), summary));
                kept.push(entry);
            }
        }
        self.summaries_taken.store(taken.len(), Ordering::Relaxed);
        if let Ok(mut slot) = self.summaries_kept.lock() {
            *slot = kept;
        }
        taken
    }

    fn position(&self, rel: &str) -> Option<u32> {
        self.files
            .binary_search_by(|(f, _)| f.as_str().cmp(rel))
            .ok()
            .map(|i| i as u32)
    }

    /// One function's unfiltered diagnostics: recorded, or from its rules.
    pub fn check(
        &self,
        app: &AppInput,
        modules: &Modules,
        unit: &FunctionUnit,
        settings: &Option<std::sync::Arc<LocalSettings>>,
        loads: &SharedLoads,
    ) -> Vec<Diagnostic> {
        let unit_hash = unit_key(unit);
        if let Some((entry, true)) = self.recorded.get(&unit_hash) {
            self.reused.fetch_add(1, Ordering::Relaxed);
            if let Some(deps) = self.recorded_deps(entry) {
                self.remember(unit_hash, deps, entry.diagnostics.clone());
            }
            return entry.diagnostics.clone();
        }
        self.checked.fetch_add(1, Ordering::Relaxed);
        let (diagnostics, loaded) =
            rules::check_function_with_loaded_modules(app, modules, unit, settings, loads);
        if let Some(deps) = loaded.and_then(|loaded| self.dependencies(app, unit, loaded)) {
            self.remember(unit_hash, deps, diagnostics.clone());
        }
        diagnostics
    }

    /// The dependency set an entry was recorded with (unchanged, so still valid).
    fn recorded_deps(&self, entry: &FunctionEntry) -> Option<Arc<Vec<u32>>> {
        self.dep_sets.get(entry.deps as usize).cloned()
    }

    fn remember(&self, unit: u128, deps: Arc<Vec<u32>>, diagnostics: Vec<Diagnostic>) {
        if let Ok(mut found) = self.found.lock() {
            found.push((unit, deps, diagnostics));
        }
    }

    /// What a function's diagnostics depend on besides the app context: the files its load
    /// ran, its declaration and script, and in a function.json app the files of its folder.
    fn dependencies(
        &self,
        app: &AppInput,
        unit: &FunctionUnit,
        loaded: Arc<Vec<LoadedModule>>,
    ) -> Option<Arc<Vec<u32>>> {
        let base = self.loaded_positions(loaded)?;
        let mut extra = vec![unit.declaration_file()];
        if let Script::Found { path, .. } = &unit.script {
            extra.push(path);
        }
        if let Declaration::FunctionJson { path, .. } = &unit.declaration {
            if let Some((folder, _)) = path.rsplit_once('/') {
                extra.extend(app.files_in(folder));
            }
        }
        let extra = extra
            .into_iter()
            .map(|rel| self.position(rel))
            .collect::<Option<Vec<u32>>>()?;
        if extra.iter().all(|i| base.binary_search(i).is_ok()) {
            return Some(base);
        }
        let mut deps: Vec<u32> = base.iter().copied().chain(extra).collect();
        deps.sort_unstable();
        deps.dedup();
        Some(Arc::new(deps))
    }

    /// The sorted positions of the files of `loaded`.
    fn loaded_positions(&self, loaded: Arc<Vec<LoadedModule>>) -> Option<Arc<Vec<u32>>> {
        let compute = || {
            let mut positions = loaded
                .iter()
                .map(|m| self.position(&m.file))
                .collect::<Option<Vec<u32>>>()?;
            positions.sort_unstable();
            positions.dedup();
            Some(Arc::new(positions))
        };
        // A list no other function holds (a function.json app's) is not kept.
        if Arc::strong_count(&loaded) == 1 {
            return compute();
        }
        let key = Arc::as_ptr(&loaded) as usize;
        if let Some((_, positions)) = self.loaded_positions.lock().ok()?.get(&key) {
            return Some(positions.clone());
        }
        let positions = compute()?;
        self.loaded_positions
            .lock()
            .ok()?
            .insert(key, (loaded, positions.clone()));
        Some(positions)
    }

    fn into_record(self, header: Header, context: u128) -> Option<FunctionsRecord> {
        let found = self.found.into_inner().ok()?;
        let mut sets: HashMap<Arc<Vec<u32>>, u32, foldhash::fast::RandomState> = HashMap::default();
        let mut dep_sets = Vec::new();
        let mut entries = Vec::with_capacity(found.len());
        for (unit, deps, diagnostics) in found {
            let index = match sets.get(&deps) {
                Some(&i) => i,
                None => {
                    let mut h = KeyHasher::new("deps");
                    for &i in deps.iter() {
                        h.u64(u64::from(i));
                        h.u128(self.files.get(i as usize)?.1);
                    }
                    let i = dep_sets.len() as u32;
                    dep_sets.push(DepSet {
                        files: deps.to_vec(),
                        hash: h.finish(),
                    });
                    sets.insert(deps, i);
                    i
                }
            };
            entries.push(FunctionEntry {
                unit,
                deps: index,
                diagnostics,
            });
        }
        Some(FunctionsRecord {
            header,
            context,
            dep_sets,
            entries,
        })
    }
}

/// A record, or `None` when it is missing, unreadable, damaged or not one of ours.
fn read_record<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::debug!("cache: no record at {}: {error}", path.display());
            return None;
        }
    };
    let Some(body) = record_body(&bytes) else {
        tracing::debug!(
            "cache: ignoring {}: not a record of this format",
            path.display()
        );
        return None;
    };
    match postcard::from_bytes(body) {
        Ok(record) => Some(record),
        Err(error) => {
            tracing::debug!("cache: ignoring {}: {error}", path.display());
            None
        }
    }
}

/// A record's encoded body, after its prefix: the magic, the format (little-endian `u32`) and
/// the XXH3 of the body (little-endian `u64`), which must all match.
fn record_body(bytes: &[u8]) -> Option<&[u8]> {
    let rest = bytes.strip_prefix(RECORD_MAGIC.as_slice())?;
    let (format, rest) = rest.split_first_chunk::<4>()?;
    let (checksum, body) = rest.split_first_chunk::<8>()?;
    (u32::from_le_bytes(*format) == FORMAT
        && u64::from_le_bytes(*checksum) == xxhash_rust::xxh3::xxh3_64(body))
    .then_some(body)
}

/// Writes a record file: the prefix [`record_body`] checks, then the encoded record, streamed
/// to the file through a buffer and the checksum, which is written into the prefix last. A
/// record of a large app is megabytes: it is never held in memory whole.
fn write_record_file<T: Serialize>(path: &Path, record: &T) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    /// Hashes what passes through, in the buffer's chunks.
    struct Checksummed<W> {
        inner: W,
        hasher: Xxh3,
    }
    impl<W: Write> Write for Checksummed<W> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let written = self.inner.write(bytes)?;
            self.hasher.update(&bytes[..written]);
            Ok(written)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.inner.flush()
        }
    }
    let mut file = fs::File::create(path)?;
    file.write_all(RECORD_MAGIC)?;
    file.write_all(&FORMAT.to_le_bytes())?;
    file.write_all(&[0; 8])?;
    let body = Checksummed {
        inner: &mut file,
        hasher: Xxh3::new(),
    };
    let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, body);
    postcard::to_io(record, &mut buffered).map_err(std::io::Error::other)?;
    let body = buffered.into_inner().map_err(|e| e.into_error())?;
    let checksum = body.hasher.digest();
    file.seek(SeekFrom::Start((RECORD_MAGIC.len() + 4) as u64))?;
    file.write_all(&checksum.to_le_bytes())
}

/// Writes a record atomically (a temporary file renamed over it), creating the cache folder
/// with its `.gitignore` and `CACHEDIR.TAG`; failures are logged and ignored.
fn write_record<T: Serialize>(version_dir: &Path, path: &Path, record: &T) {
    if let Err(error) = try_write_record(version_dir, path, record) {
        tracing::debug!("cache: cannot write {}: {error}", path.display());
    }
}

fn try_write_record<T: Serialize>(
    version_dir: &Path,
    path: &Path,
    record: &T,
) -> std::io::Result<()> {
    if let Some(cache_dir) = version_dir.parent() {
        prepare_cache_dir(cache_dir)?;
    }
    fs::create_dir_all(version_dir)?;
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = version_dir.join(format!(
        ".{file_name}.{}.{:x}.tmp",
        std::process::id(),
        now_ns() as u64
    ));
    let written = write_record_file(&temp, record).and_then(|()| fs::rename(&temp, path));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

/// Creates the cache folder with a `.gitignore` that leaves all of it out of version control
/// and a cache directory tag.
fn prepare_cache_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    for (name, text) in [(".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)] {
        let path = dir.join(name);
        if fs::symlink_metadata(&path).is_err() {
            fs::write(&path, text)?;
        }
    }
    Ok(())
}

/// Whether `dir` is a cache folder this tool made (it holds our cache directory tag): only such
/// a folder is ever removed.
pub fn is_cache_dir(dir: &Path) -> bool {
    fs::read_to_string(dir.join("CACHEDIR.TAG")).is_ok_and(|t| t == CACHEDIR_TAG)
}

/// Removes a cache folder made by this tool; `Ok(false)` when there is none at `dir`.
pub fn remove_cache_dir(dir: &Path) -> std::io::Result<bool> {
    if !fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        return Ok(false);
    }
    if !is_cache_dir(dir) {
        return Err(std::io::Error::other(
            "not a cache folder of azfunc-lsp (no CACHEDIR.TAG of ours); left alone",
        ));
    }
    fs::remove_dir_all(dir)?;
    Ok(true)
}

/// `azfunc-lsp clean`: the arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct CleanArgs {
    /// Folders whose apps' caches to remove (default: the current folder).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Remove this cache folder (as given to `check --cache-dir`; also
    /// `AZFUNC_LSP_CACHE_DIR`).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// Removes the cache folders `check` would use for the apps below the paths (and a
/// `.azfunc_cache` directly in each path). Exit code 2 when one could not be removed.
pub fn run_clean(args: &CleanArgs) -> std::process::ExitCode {
    let options = CacheOptions::new(args.cache_dir.as_deref());
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut finder = super::config::ConfigFinder::default();
    let mut dirs = std::collections::BTreeSet::new();
    for path in &paths {
        let Ok(abs) = loader::absolute(path) else {
            continue;
        };
        if abs.is_dir() {
            dirs.insert(options.dir_for(&abs, None));
        }
        for app in loader::find_apps_under(&abs).unwrap_or_default() {
            let pyproject = finder.find(&app.root).map(|f| f.path);
            dirs.insert(options.dir_for(&app.root, pyproject.as_deref()));
        }
    }
    let mut failed = false;
    for dir in dirs {
        match remove_cache_dir(&dir) {
            Ok(true) => eprintln!("Removed {}", dir.display()),
            Ok(false) => {}
            Err(error) => {
                eprintln!("error: {}: {error}", dir.display());
                failed = true;
            }
        }
    }
    if failed {
        std::process::ExitCode::from(2)
    } else {
        std::process::ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> FunctionsRecord {
        FunctionsRecord {
            header: Header {
                format: FORMAT,
                version: "1.2.3".into(),
                build: u128::MAX - 7,
                root: "/app/ü".into(),
            },
            context: 42,
            dep_sets: vec![DepSet {
                files: vec![0, 3, 70_000],
                hash: 1 << 100,
            }],
            entries: vec![FunctionEntry {
                unit: 9,
                deps: 0,
                diagnostics: Vec::new(),
            }],
        }
    }

    /// The units of a decorator app whose `function_app.py` is `script`.
    fn decorated_units(script: &str) -> Vec<FunctionUnit> {
        let app = crate::analysis::AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("function_app.py", script);
        let modules = crate::analysis::function::parse_modules(&app);
        crate::analysis::function::discover_all(&app, &modules)
    }

    #[test]
    fn a_decorated_unit_is_keyed_by_all_of_it() {
        let script = "import azure.functions as func\napp = func.FunctionApp()\n\n\
                      @app.route(route=\"a\")\ndef a(req: func.HttpRequest) -> str:\n    return ''\n\n\
                      @app.queue_trigger(arg_name=\"msg\", queue_name=\"q\", connection=\"C\")\n\
                      def b(msg: func.QueueMessage) -> None:\n    pass\n";
        let units = decorated_units(script);
        assert_eq!(units.len(), 2);
        let keys: Vec<u128> = units.iter().map(unit_key).collect();
        assert_ne!(keys[0], keys[1]);
        // The same text gives the same keys, run after run.
        let again: Vec<u128> = decorated_units(script).iter().map(unit_key).collect();
        assert_eq!(keys, again);
        // A decorator argument, a binding's setting name, or only where the function is written.
        for changed in [
            script.replace("route=\"a\"", "route=\"b\""),
            script.replace("connection=\"C\"", "connection=\"D\""),
            script.replace("app = func.FunctionApp()\n", "app = func.FunctionApp()\n\n"),
        ] {
            let other: Vec<u128> = decorated_units(&changed).iter().map(unit_key).collect();
            assert_eq!(other.len(), 2);
            assert!(
                other.iter().zip(&keys).any(|(a, b)| a != b),
                "same keys after {changed:?}"
            );
        }
        // The connection belongs to `b` alone.
        let other: Vec<u128> =
            decorated_units(&script.replace("connection=\"C\"", "connection=\"D\""))
                .iter()
                .map(unit_key)
                .collect();
        assert_eq!(other[0], keys[0]);
        assert_ne!(other[1], keys[1]);
    }

    #[test]
    fn module_summaries_go_through_a_record_as_bytes_and_decode_as_they_were() {
        let texts = [
            "import azure.functions as func\nbp = func.Blueprint()\n\n@bp.route(route=\"a\")\ndef a(req: func.HttpRequest) -> str:\n    return req.route_params[\"x\"]\n",
            "from .shared import helper\nVALUE = {\"k\": [1, 2.5, None]}\n",
        ];
        let summaries: Vec<PyModule> = texts
            .iter()
            .map(|t| crate::analysis::python::parse_for(t, true))
            .collect();
        let record = ModulesRecord {
            header: sample().header,
            modules: summaries
                .iter()
                .enumerate()
                .map(|(i, m)| ModuleEntry {
                    rel: format!("m{i}.py"),
                    hash: i as u128,
                    summary: EncodedSummary::encode(m).unwrap(),
                })
                .collect(),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.modules");
        write_record_file(&path, &record).unwrap();
        let back: ModulesRecord = read_record(&path).unwrap();
        assert_eq!(back.modules.len(), 2);
        for ((entry, written), summary) in back.modules.iter().zip(&record.modules).zip(&summaries)
        {
            // The bytes are kept as they were (written back as read after an edit elsewhere).
            assert_eq!(entry.summary.0, written.summary.0);
            let decoded = entry.summary.decode().unwrap();
            assert_eq!(
                crate::analysis::python::comparable(&decoded),
                crate::analysis::python::comparable(summary)
            );
        }
        // Bytes that are not a summary decode to nothing: that module is parsed instead.
        assert!(EncodedSummary(vec![0xff; 3]).decode().is_none());
        let mut cut = record.modules[0].summary.0.clone();
        cut.truncate(cut.len() / 2);
        assert!(EncodedSummary(cut).decode().is_none());
    }

    #[test]
    fn a_record_reads_back_as_written_and_any_damage_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.functions");
        write_record_file(&path, &sample()).unwrap();
        let bytes = fs::read(&path).unwrap();
        let back: FunctionsRecord = read_record(&path).unwrap();
        assert_eq!(back.header, sample().header);
        assert_eq!(back.context, 42);
        assert_eq!(back.dep_sets[0].files, vec![0, 3, 70_000]);
        assert_eq!(back.dep_sets[0].hash, 1 << 100);
        assert_eq!(back.entries[0].unit, 9);
        // Every single flipped byte, in the prefix or the body, is caught.
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x20;
            fs::write(&path, &damaged).unwrap();
            assert!(read_record::<FunctionsRecord>(&path).is_none(), "byte {i}");
        }
        // Cut short anywhere.
        for len in 0..bytes.len() {
            fs::write(&path, &bytes[..len]).unwrap();
            assert!(
                read_record::<FunctionsRecord>(&path).is_none(),
                "{len} bytes"
            );
        }
        // A record of the JSON layout of format 1.
        fs::write(&path, br#"{"header":{"format":1}}"#).unwrap();
        assert!(read_record::<FunctionsRecord>(&path).is_none());
    }
}
