//! The only code that reads the disk: finds function app roots and loads an app's files into an
//! [`AppInput`] for the analysis core.
//!
//! Both the `check` command and the language server load through here, so they see the same files.
//! The walk never follows a symlinked directory, never reads a file whose real location is
//! outside the app, and turns every I/O failure into data ([`FileContent::Unreadable`]) or a log
//! line instead of an error.

use std::collections::{BTreeSet, HashMap};
use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};
use rayon::prelude::*;

use crate::analysis::{AppInput, FileContent};

pub mod venv;

/// Files larger than this are not read ([`FileContent::TooLarge`]).
pub const MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// Bytes read before asking a file for its size.
const FIRST_READ: usize = 16 * 1024;

/// How many leading bytes are searched for a NUL byte to tell a binary file.
const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// Folders that never belong to an app's sources: virtual environments, caches, VCS and build
/// output. Folders that hold a `pyvenv.cfg` are skipped as well.
pub const SKIPPED_DIRS: &[&str] = &[
    ".venv",
    "venv",
    ".git",
    "node_modules",
    "__pycache__",
    ".python_packages",
    ".mypy_cache",
    ".pytest_cache",
    ".tox",
    "target",
    CACHE_DIR_NAME,
];

/// The folder `check` keeps its cache in (see `cli/cache`): never part of an app, never searched
/// for apps.
pub const CACHE_DIR_NAME: &str = ".azfunc_cache";

/// File names that make their folder an app root.
const ROOT_MARKERS: &[&str] = &["host.json", "function_app.py"];

/// Finds the function app roots for the paths given on the command line.
///
/// Below each path, a root is a folder that contains `host.json` or `function_app.py`, or whose
/// immediate sub-folders hold a `function.json`. A folder of the last kind that lies inside
/// another root is a function folder's parent, not an app, and is not reported on its own. When
/// nothing is found below a path, the path resolves to the app that contains it (the nearest
/// folder above with a `host.json`, not looking above a folder that holds `.git`).
///
/// The result is absolute, lexically normalised, sorted and free of duplicates. Nested roots are
/// allowed: the nearest root owns a file. A path that does not exist is an error; a path with no
/// app gives no roots (see [`find_app_roots_under`] to tell which path that was).
pub fn find_app_roots(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut roots = Vec::new();
    for path in paths {
        roots.extend(find_app_roots_under(path)?);
    }
    roots.sort();
    roots.dedup();
    Ok(roots)
}

/// The app roots for one path; see [`find_app_roots`].
pub fn find_app_roots_under(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    Ok(find_apps_under(path)?.into_iter().map(|a| a.root).collect())
}

/// An app found by [`find_apps_under`], with the files the search already listed so that loading
/// it does not walk its folders again.
#[derive(Debug)]
pub struct FoundApp {
    /// The app root: absolute and lexically normalised.
    pub root: PathBuf,
    /// The app's files when the search walked them; `None` when the app lies above the searched
    /// path.
    files: Option<Vec<Found>>,
    /// When the walk that listed `files` started, if it took the stamps of the files whose
    /// content is read ([`find_apps_under_stamped`]).
    stamped_since: Option<std::time::SystemTime>,
}

impl FoundApp {
    /// Whether the search already listed the app's files.
    pub fn is_listed(&self) -> bool {
        self.files.is_some()
    }

    /// Loads the app's files, as [`load_app`] does.
    pub fn load(self, display_root: String) -> AppInput {
        self.load_with_interpreter(display_root, None)
    }

    /// Loads the app's files, as [`load_app_with_interpreter`] does.
    pub fn load_with_interpreter(
        self,
        display_root: String,
        interpreter: Option<&Path>,
    ) -> AppInput {
        self.list()
            .read(display_root, interpreter, |_| None::<FileContent>)
    }

    /// The files loading the app would read, without reading them: walked now unless the search
    /// already did. [`AppListing::read`] then loads exactly these.
    pub fn list(self) -> AppListing {
        match self.files {
            Some(files) => AppListing::new(self.root, files, self.stamped_since),
            None => {
                let files = app_files(&self.root);
                AppListing::new(self.root, files, None)
            }
        }
    }
}

/// An app's files as loading sees them (same skipped folders, nested roots and symlink policy),
/// before any is read: what the check cache stats instead of reading.
#[derive(Debug)]
pub struct AppListing {
    /// The app root: absolute and lexically normalised.
    pub root: PathBuf,
    /// In no particular order; keys are unique.
    pub files: Vec<ListedFile>,
    /// When the walk that took the files' stamps started (each [`ListedFile::stamp`] is then
    /// from the walk: a stamp is never older than this), or `None` if none was taken.
    pub stamped_since: Option<std::time::SystemTime>,
}

/// One file of an [`AppListing`].
#[derive(Debug)]
pub struct ListedFile {
    /// `/`-separated path relative to the root: the key in [`AppInput::files`].
    pub rel: String,
    /// Absolute path.
    pub path: PathBuf,
    /// Why it could not be listed (a folder that cannot be read): its content is this error.
    pub unreadable: Option<String>,
    /// Its stamp, when the walk took it.
    walk_stamp: Option<Box<FileStamp>>,
}

impl ListedFile {
    /// Whether loading reads this file's content (else it is [`FileContent::NotLoaded`] or
    /// [`FileContent::Unreadable`] without opening it).
    pub fn content_needed(&self) -> bool {
        self.unreadable.is_none() && content_needed(&self.rel)
    }

    /// The content loading gives this file.
    pub fn read(&self) -> FileContent {
        match &self.unreadable {
            Some(error) => FileContent::Unreadable(error.clone()),
            None => read_content(&self.path, &self.rel),
        }
    }

    /// The file's size and change times (those of a symlink's target), for telling whether it
    /// changed since it was last read; `None` when it cannot be asked.
    pub fn stamp(&self) -> Option<FileStamp> {
        match &self.walk_stamp {
            Some(stamp) => Some(**stamp),
            None => FileStamp::of(&fs::metadata(&self.path).ok()?),
        }
    }
}

/// What a file's metadata says of its content: a file whose stamp is unchanged (and was not
/// changed right before the stamp was taken) is taken to have the same content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileStamp {
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i128,
    /// Status change time (Unix; the modification time elsewhere): unlike the modification
    /// time, no program can set it back.
    pub ctime_ns: i128,
    /// Inode and device (Unix; 0 elsewhere): a file replaced by another is a new file.
    pub ino: u64,
    pub dev: u64,
}

/// Nanoseconds from the Unix epoch to `time` (negative before it): the unit of [`FileStamp`]
/// times.
pub fn ns_since_epoch(time: std::time::SystemTime) -> i128 {
    match time.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

impl FileStamp {
    pub fn of(meta: &fs::Metadata) -> Option<FileStamp> {
        let mtime_ns = ns_since_epoch(meta.modified().ok()?);
        #[cfg(unix)]
        let (ctime_ns, ino, dev) = {
            use std::os::unix::fs::MetadataExt;
            (
                i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
                meta.ino(),
                meta.dev(),
            )
        };
        #[cfg(not(unix))]
        let (ctime_ns, ino, dev) = (mtime_ns, 0, 0);
        Some(FileStamp {
            size: meta.len(),
            mtime_ns,
            ctime_ns,
            ino,
            dev,
        })
    }

    /// The latest of the two times: when the content or the metadata last changed.
    pub fn changed_ns(&self) -> i128 {
        self.mtime_ns.max(self.ctime_ns)
    }
}

impl AppListing {
    fn new(
        root: PathBuf,
        found: Vec<Found>,
        stamped_since: Option<std::time::SystemTime>,
    ) -> AppListing {
        let canonical_root = fs::canonicalize(&root).ok();
        // Tens of thousands of paths made relative: in parallel, in the walk's order.
        let files = found
            .into_par_iter()
            .filter_map(|entry| {
                let rel = relative_key(&root, &entry.path)?;
                if rel.is_empty() {
                    return None;
                }
                let unreadable = match entry.kind {
                    FoundKind::File => None,
                    FoundKind::Symlink(target) => {
                        let inside = matches!((&target, &canonical_root),
                            (Some(t), Some(r)) if t.starts_with(r));
                        if !inside {
                            tracing::debug!("skipping symlink {}", entry.path.display());
                            return None;
                        }
                        None
                    }
                    FoundKind::Unreadable(error) => {
                        tracing::warn!("cannot read {}: {error}", entry.path.display());
                        Some(error)
                    }
                };
                Some(ListedFile {
                    rel,
                    path: entry.path,
                    unreadable,
                    walk_stamp: entry.stamp,
                })
            })
            .collect();
        AppListing {
            root,
            files,
            stamped_since,
        }
    }

    /// Loads the listed files in parallel into an [`AppInput`], with the app's environment;
    /// `known` gives the content of a file already read (by its key), so it is not read again.
    pub fn read(
        self,
        display_root: String,
        interpreter: Option<&Path>,
        known: impl Fn(&str) -> Option<FileContent> + Sync,
    ) -> AppInput {
        let contents: Vec<(String, FileContent)> = self
            .files
            .into_par_iter()
            .map(|file| {
                let content = known(&file.rel).unwrap_or_else(|| file.read());
                (file.rel, content)
            })
            .collect();
        let mut contents = contents;
        // Sorted in parallel, the map is built from them in one pass rather than by one
        // insertion per file (the keys are unique).
        contents.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut app = AppInput::new(display_root);
        app.files = contents.into_iter().collect();
        app.environment =
            venv::load_environment(&self.root, interpreter).map(|env| Arc::new(env.installed));
        app
    }
}

/// The apps for one path (see [`find_app_roots`]) with their files, in root order. This walks
/// the path once for both finding and (later) loading.
pub fn find_apps_under(path: &Path) -> anyhow::Result<Vec<FoundApp>> {
    Ok(find_apps(path, false)?.0)
}

/// [`find_apps_under`], the walk also taking the stamp of each file whose content loading reads
/// (what the check cache compares), as it lists the file: a `stat` in the walk's threads
/// rather than another pass over every path. With them, when the path is a folder whose walk
/// met nothing but folders and regular files, the [`WalkListing`] that lets a later run find the
/// same apps without walking ([`find_apps_under_listing`]).
pub fn find_apps_under_stamped(
    path: &Path,
) -> anyhow::Result<(Vec<FoundApp>, Option<WalkListing>)> {
    find_apps(path, true)
}

/// The apps [`find_apps_under_stamped`] finds below the folder `path`, found from what the walk
/// that made `listing` saw, when every folder it read is unchanged: a `stat` per folder and per
/// file whose content is read, instead of opening and reading every folder. `None` when any
/// folder or listed file differs (the caller walks instead).
///
/// A folder's modification and status change times move whenever an entry is added to it,
/// removed or renamed (POSIX), and its inode and device change when it is replaced or mounted
/// over, so unchanged stamps mean unchanged entries. The caller keeps only listings whose
/// folders had not changed for a while when they were stamped (a change within the same tick
/// of the file system's clock would not show); on other systems there is no listing.
pub fn find_apps_under_listing(path: &Path, listing: &WalkListing) -> Option<Vec<FoundApp>> {
    if !cfg!(unix) || !listing.stays_inside() {
        return None;
    }
    let abs = absolute(path).ok()?;
    let stamped_since = std::time::SystemTime::now();
    let at = |rel: &str| {
        if rel.is_empty() {
            abs.clone()
        } else {
            abs.join(rel)
        }
    };
    let unchanged = listing.folders.par_iter().all(|(rel, stamp)| {
        // The walked folder itself may be a link to a folder (the walk starts from where it
        // leads).
        let meta = if rel.is_empty() {
            fs::metadata(&abs)
        } else {
            fs::symlink_metadata(at(rel))
        };
        meta.ok()
            .filter(fs::Metadata::is_dir)
            .and_then(|meta| FileStamp::of(&meta))
            == Some(*stamp)
    });
    if !unchanged {
        return None;
    }
    // The files are stamped as the walk would have stamped them.
    let found: Option<Vec<Found>> = listing
        .files
        .par_iter()
        .map(|rel| {
            let path = at(rel);
            let name = rel.rsplit('/').next().unwrap_or(rel);
            let stamp = if content_needed(name) {
                let meta = fs::symlink_metadata(&path)
                    .ok()
                    .filter(fs::Metadata::is_file)?;
                Some(Box::new(FileStamp::of(&meta)?))
            } else {
                None
            };
            Some(Found {
                path,
                kind: FoundKind::File,
                stamp,
            })
        })
        .collect();
    Some(apps_from_found(abs, true, found?, Some(stamped_since)))
}

/// What a stamped walk of a folder saw ([`find_apps_under_stamped`]): each folder it read with
/// its stamp, and the regular files it listed, relative to the walked folder (`/`-separated;
/// `""` is the folder itself).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WalkListing {
    /// When the walk started (nanoseconds since the epoch): no stamp is older.
    pub walked_at_ns: i128,
    pub folders: Vec<(String, FileStamp)>,
    pub files: Vec<String>,
}

impl WalkListing {
    /// Whether every path is a plain relative path below the walked folder (a listing is read
    /// from a file: one that names `..` or an absolute path is not one a walk made).
    fn stays_inside(&self) -> bool {
        let plain = |rel: &str| {
            rel.split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..")
        };
        self.folders
            .iter()
            .all(|(rel, _)| rel.is_empty() || plain(rel))
            && self.files.iter().all(|rel| plain(rel))
    }

    /// When a listed folder last changed (nanoseconds since the epoch).
    pub fn last_change_ns(&self) -> i128 {
        self.folders
            .iter()
            .map(|(_, stamp)| stamp.changed_ns())
            .max()
            .unwrap_or(i128::MIN)
    }

    /// The listing of a walk of `root`, when the walk was exact and every path is `root`
    /// followed by UTF-8.
    #[cfg(unix)]
    fn of(root: &Path, walked: &Walked, since: std::time::SystemTime) -> Option<WalkListing> {
        if !walked.exact {
            return None;
        }
        let rel = |path: &Path| {
            if path == root {
                Some(String::new())
            } else {
                plain_relative_key(root, path)
            }
        };
        let folders = walked
            .folders
            .iter()
            .map(|(path, stamp)| Some((rel(path)?, *stamp)))
            .collect::<Option<Vec<_>>>()?;
        let files = walked
            .found
            .iter()
            .map(|f| rel(&f.path).filter(|r| !r.is_empty()))
            .collect::<Option<Vec<_>>>()?;
        Some(WalkListing {
            walked_at_ns: ns_since_epoch(since),
            folders,
            files,
        })
    }

    #[cfg(not(unix))]
    fn of(_: &Path, _: &Walked, _: std::time::SystemTime) -> Option<WalkListing> {
        None
    }
}

fn find_apps(path: &Path, stamps: bool) -> anyhow::Result<(Vec<FoundApp>, Option<WalkListing>)> {
    let abs = absolute(path).with_context(|| format!("resolving {}", path.display()))?;
    let meta = fs::metadata(&abs).with_context(|| format!("{}", path.display()))?;
    if meta.is_dir() {
        // Taken before any stamp: a stamp is then never older than the time it is recorded
        // with.
        let stamped_since = stamps.then(std::time::SystemTime::now);
        let walked = walk(&abs, stamps);
        let listing = stamped_since.and_then(|since| WalkListing::of(&abs, &walked, since));
        let apps = apps_from_found(abs, true, walked.found, stamped_since);
        return Ok((apps, listing));
    }
    let Some(parent) = abs.parent() else {
        return Ok((Vec::new(), None));
    };
    // A file: its folder and the folder's parent are the only candidates.
    let found = ROOT_MARKERS
        .iter()
        .chain(&["function.json"])
        .map(|name| parent.join(name))
        .filter(|candidate| candidate.is_file())
        .map(|path| Found {
            path,
            kind: FoundKind::File,
            stamp: None,
        })
        .collect();
    Ok((
        apps_from_found(parent.to_path_buf(), false, found, None),
        None,
    ))
}

/// The apps below `dir` from what was found there: by a walk of `dir` (`walked`), whose files
/// the apps inside it then take, or by looking at a file's folder and its parent.
fn apps_from_found(
    dir: PathBuf,
    walked: bool,
    found: Vec<Found>,
    stamped_since: Option<std::time::SystemTime>,
) -> Vec<FoundApp> {
    // Tens of thousands of entries classified in parallel, each part's folders merged.
    let (strong, weak) = found
        .par_iter()
        .fold(
            || (BTreeSet::new(), BTreeSet::new()),
            |(mut strong, mut weak), entry| {
                classify(&entry.path, &mut strong, &mut weak);
                (strong, weak)
            },
        )
        .reduce(
            || (BTreeSet::new(), BTreeSet::new()),
            |(mut strong, mut weak), (other_strong, other_weak)| {
                strong.extend(other_strong);
                weak.extend(other_weak);
                (strong, weak)
            },
        );
    let enclosing = enclosing_root(&dir);
    let is_inside_other = |w: &Path| {
        w.ancestors()
            .skip(1)
            .any(|a| strong.contains(a) || weak.contains(a) || enclosing.as_deref() == Some(a))
    };
    let mut roots: BTreeSet<PathBuf> = strong.iter().map(|s| s.to_path_buf()).collect();
    roots.extend(
        weak.iter()
            .filter(|w| !is_inside_other(w))
            .map(|w| w.to_path_buf()),
    );
    if roots.is_empty() {
        roots.extend(enclosing);
    }

    // Roots inside the walked folder take their files from the walk; others walk on their own.
    let mut shares = if walked {
        assign(&roots, found)
    } else {
        HashMap::new()
    };
    roots
        .into_iter()
        .map(|root| {
            let files = if walked && root.starts_with(&dir) {
                Some(shares.remove(&root).unwrap_or_default())
            } else {
                None
            };
            FoundApp {
                root,
                files,
                stamped_since,
            }
        })
        .collect()
}

/// Gives each found entry to the nearest root at or above it; entries under no root are dropped.
fn assign(roots: &BTreeSet<PathBuf>, found: Vec<Found>) -> HashMap<PathBuf, Vec<Found>> {
    // The owners are looked up in parallel (a walk lists tens of thousands of entries), by
    // their position among the roots, then the entries grouped by owner in the walk's order
    // (by position: hashing a path per entry cost more than the grouping itself).
    let sorted: Vec<&PathBuf> = roots.iter().collect();
    // Plain paths are compared by their bytes, a hash look-up per ancestor.
    let by_bytes: Option<foldhash::HashMap<&[u8], usize>> = sorted
        .iter()
        .enumerate()
        .map(|(i, root)| plain(root).map(|bytes| (bytes, i)))
        .collect();
    let owned: Vec<(Option<usize>, Found)> = found
        .into_par_iter()
        .map(|entry| {
            // An unreadable folder may itself be a root's sub-folder; a file's own path never
            // is a root.
            let skip = usize::from(!matches!(entry.kind, FoundKind::Unreadable(_)));
            let owner = match (&by_bytes, plain(&entry.path)) {
                (Some(by_bytes), Some(path)) => plain_ancestors(path)
                    .skip(skip)
                    .find_map(|a| by_bytes.get(a).copied())
                    .filter(|&owner| plain(sorted[owner]) != Some(path)),
                _ => entry
                    .path
                    .ancestors()
                    .skip(skip)
                    .find_map(|a| sorted.binary_search_by(|root| root.as_path().cmp(a)).ok())
                    .filter(|&owner| *sorted[owner] != entry.path),
            };
            (owner, entry)
        })
        .collect();
    let mut shares: Vec<Vec<Found>> = sorted.iter().map(|_| Vec::new()).collect();
    for (owner, entry) in owned {
        if let Some(owner) = owner {
            shares[owner].push(entry);
        }
    }
    sorted
        .into_iter()
        .zip(shares)
        .filter(|(_, entries)| !entries.is_empty())
        .map(|(owner, entries)| (owner.clone(), entries))
        .collect()
}

/// Sorts a file found by a walk into the root candidates it makes: its folder for a root marker,
/// its folder's parent for a `function.json`.
fn classify<'p>(path: &'p Path, strong: &mut BTreeSet<&'p Path>, weak: &mut BTreeSet<&'p Path>) {
    #[cfg(unix)]
    if let Some(bytes) = plain(path) {
        let mut ancestors = plain_ancestors(bytes).map(path_of_plain);
        let name = bytes.rsplit(|&b| b == b'/').next().unwrap_or_default();
        if ROOT_MARKERS.iter().any(|marker| marker.as_bytes() == name) {
            strong.extend(ancestors.nth(1));
        } else if name == b"function.json" {
            weak.extend(ancestors.nth(2));
        }
        return;
    }
    classify_by_components(path, strong, weak);
}

fn classify_by_components<'p>(
    path: &'p Path,
    strong: &mut BTreeSet<&'p Path>,
    weak: &mut BTreeSet<&'p Path>,
) {
    let Some(name) = path.file_name().and_then(OsStr::to_str) else {
        return;
    };
    if ROOT_MARKERS.contains(&name) {
        if let Some(dir) = path.parent() {
            strong.insert(dir);
        }
    } else if name == "function.json" {
        if let Some(dir) = path.parent().and_then(Path::parent) {
            weak.insert(dir);
        }
    }
}

/// A path's bytes when it is plain: absolute, with no empty, `.` or `..` part and no trailing
/// `/`, as are the paths a walk of a plain root lists. Its ancestors are then the prefixes that
/// end before a `/` (and `/`), and two plain paths are equal when their bytes are: found and
/// compared without parsing components, for each of tens of thousands of walked paths.
#[cfg(unix)]
fn plain(path: &Path) -> Option<&[u8]> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let parts = bytes.strip_prefix(b"/")?;
    let plain = parts.is_empty()
        || parts
            .split(|&b| b == b'/')
            .all(|part| !matches!(part, b"" | b"." | b".."));
    plain.then_some(bytes)
}

#[cfg(not(unix))]
fn plain(_: &Path) -> Option<&[u8]> {
    None
}

/// The plain path `bytes`, then each of its ancestors up to `/` (as [`Path::ancestors`]).
fn plain_ancestors(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::successors(Some(bytes), |path| match memchr::memrchr(b'/', path)? {
        0 if path.len() > 1 => Some(&path[..1]),
        0 => None,
        at => Some(&path[..at]),
    })
}

/// The path of a plain path's bytes (see [`plain`]).
#[cfg(unix)]
fn path_of_plain(bytes: &[u8]) -> &Path {
    use std::os::unix::ffi::OsStrExt;
    Path::new(OsStr::from_bytes(bytes))
}

/// The nearest folder at or above `dir` that holds a `host.json`, not looking above a folder that
/// holds `.git` (the top of a repository).
fn enclosing_root(dir: &Path) -> Option<PathBuf> {
    for ancestor in dir.ancestors() {
        if ancestor.join("host.json").is_file() {
            return Some(ancestor.to_path_buf());
        }
        if ancestor.join(".git").exists() {
            return None;
        }
    }
    None
}

/// Loads every file of the app at `root` (an app root from [`find_app_roots`]).
///
/// Keys are `/`-separated paths relative to `root`. Skipped folders ([`SKIPPED_DIRS`], virtual
/// environments) and nested app roots (folders below `root` with a `host.json` or
/// `function_app.py`) are left out. The files the analysis reads (`host.json`,
/// `local.settings.json`, `requirements*.txt`, `.funcignore`, `pyproject.toml`, every
/// `function.json`, `*.py` and `*.pyi`) are read as text, without a UTF-8 BOM; every other file
/// is recorded as [`FileContent::NotLoaded`]. A folder that cannot be read is recorded as
/// [`FileContent::Unreadable`] under its own path, with nothing below it. Symlinked files are
/// kept only when their target lies inside the app; symlinked folders are never entered.
pub fn load_app(root: &Path, display_root: String) -> AppInput {
    load_app_with_interpreter(root, display_root, None)
}

/// [`load_app`], with the installed packages of `interpreter`'s environment when given
/// (relative to the root) rather than of the app's `.venv`, `venv` or `.python_packages`.
pub fn load_app_with_interpreter(
    root: &Path,
    display_root: String,
    interpreter: Option<&Path>,
) -> AppInput {
    let root = absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let files = app_files(&root);
    AppListing::new(root, files, None).read(display_root, interpreter, |_| None)
}

/// Walks an app (`root` absolute) and keeps its own files: nested app roots are left out.
fn app_files(root: &Path) -> Vec<Found> {
    let root = root.to_path_buf();
    let found = walk(&root, false).found;
    let mut roots = BTreeSet::new();
    for entry in &found {
        if let Some(dir) = entry.path.parent() {
            let name = entry.path.file_name().and_then(OsStr::to_str);
            if dir != root && name.is_some_and(|n| ROOT_MARKERS.contains(&n)) {
                roots.insert(dir.to_path_buf());
            }
        }
    }
    roots.insert(root.clone());
    assign(&roots, found).remove(&root).unwrap_or_default()
}

/// One entry a walk found.
#[derive(Debug)]
struct Found {
    /// Absolute path.
    path: PathBuf,
    kind: FoundKind,
    /// A regular file's stamp, when the walk took stamps and loading reads the file (boxed: an
    /// inline stamp would more than double every entry of every walk, stamped or not).
    stamp: Option<Box<FileStamp>>,
}

#[derive(Debug)]
enum FoundKind {
    /// A regular file.
    File,
    /// A symlink and, when it resolves to a regular file, that file's canonical path.
    Symlink(Option<PathBuf>),
    /// A file or folder that could not be read, with the error.
    Unreadable(String),
}

/// What one walk found.
struct Walked {
    found: Vec<Found>,
    /// With stamps: each folder the walk read, with its stamp.
    folders: Vec<(PathBuf, FileStamp)>,
    /// Whether `found` follows from the folders' entries alone: the walk met no symlink, no
    /// entry it could not read and no folder it could not stamp (what a [`WalkListing`] needs).
    exact: bool,
}

impl Walked {
    fn new() -> Walked {
        Walked {
            found: Vec::new(),
            folders: Vec::new(),
            exact: true,
        }
    }

    fn append(&mut self, other: &mut Walked) {
        self.found.append(&mut other.found);
        self.folders.append(&mut other.folders);
        self.exact &= other.exact;
    }
}

/// Walks `root` in parallel with the skip list applied, listing regular files, symlinks (not
/// followed) and unreadable entries; with `stamps`, the stamps of the files loading reads and
/// of the folders read.
fn walk(root: &Path, stamps: bool) -> Walked {
    let walked = Mutex::new(Walked::new());
    let environments = Environments::default();
    let mut builder = CollectorBuilder {
        root,
        walked: &walked,
        environments: &environments,
        stamps,
    };
    WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(false)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .follow_links(false)
        .filter_entry(keep_entry)
        .build_parallel()
        .visit(&mut builder);
    let mut walked = walked.into_inner().unwrap_or_else(|e| e.into_inner());
    // A folder's `pyvenv.cfg` may be seen after some of its sub-folders were entered.
    environments.drop_inside(&mut walked.found);
    walked
}

/// The folders below the walk's root found to hold a `pyvenv.cfg` (virtual environments). They
/// are told by that file as the walk lists their entries, rather than by looking for it in every
/// folder before entering it: that would cost a failed `stat` per folder of the app.
#[derive(Default)]
struct Environments {
    any: std::sync::atomic::AtomicBool,
    folders: Mutex<Vec<PathBuf>>,
}

impl Environments {
    fn add(&self, folder: &Path) {
        let mut folders = self.folders.lock().unwrap_or_else(|e| e.into_inner());
        folders.push(folder.to_path_buf());
        self.any.store(true, std::sync::atomic::Ordering::Release);
    }

    fn contains(&self, path: &Path) -> bool {
        self.any.load(std::sync::atomic::Ordering::Acquire)
            && self
                .folders
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .any(|f| path.starts_with(f))
    }

    fn drop_inside(&self, found: &mut Vec<Found>) {
        let folders = self.folders.lock().unwrap_or_else(|e| e.into_inner());
        if !folders.is_empty() {
            found.retain(|f| !folders.iter().any(|e| f.path.starts_with(e)));
        }
    }
}

/// Makes one [`Collector`] per walker thread.
struct CollectorBuilder<'a> {
    root: &'a Path,
    walked: &'a Mutex<Walked>,
    environments: &'a Environments,
    stamps: bool,
}

impl<'s> ParallelVisitorBuilder<'s> for CollectorBuilder<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Collector {
            root: self.root,
            shared: self.walked,
            environments: self.environments,
            stamps: self.stamps,
            local: Walked::new(),
        })
    }
}

/// One walker thread's findings, merged into the shared list when the thread finishes.
struct Collector<'a> {
    root: &'a Path,
    shared: &'a Mutex<Walked>,
    environments: &'a Environments,
    stamps: bool,
    local: Walked,
}

impl ParallelVisitor for Collector<'_> {
    fn visit(&mut self, result: Result<DirEntry, ignore::Error>) -> WalkState {
        match result {
            Ok(entry) => return self.visit_entry(entry),
            Err(error) => {
                let path = error_path(&error).unwrap_or(self.root);
                let message = io_message(&error);
                tracing::debug!("cannot read {}: {message}", path.display());
                self.local.exact = false;
                if path != self.root {
                    self.local.found.push(Found {
                        path: path.to_path_buf(),
                        kind: FoundKind::Unreadable(message),
                        stamp: None,
                    });
                }
            }
        }
        WalkState::Continue
    }
}

impl Collector<'_> {
    fn visit_entry(&mut self, entry: DirEntry) -> WalkState {
        if let Some(error) = entry.error() {
            tracing::debug!("partial error at {}: {error}", entry.path().display());
            self.local.exact = false;
        }
        if entry.depth() > 1 && entry.file_name() == "pyvenv.cfg" {
            if let Some(folder) = entry.path().parent() {
                self.environments.add(folder);
            }
        }
        if entry.depth() > 0 && self.environments.contains(entry.path()) {
            return WalkState::Skip;
        }
        let Some(file_type) = entry.file_type() else {
            self.local.exact = false;
            return WalkState::Continue;
        };
        let kind = if file_type.is_dir() {
            if self.stamps {
                // The walked folder may be a link to the folder walked: its target's stamp.
                let meta = if entry.depth() == 0 {
                    fs::metadata(entry.path())
                } else {
                    entry.metadata().map_err(std::io::Error::other)
                };
                match meta.ok().and_then(|m| FileStamp::of(&m)) {
                    Some(stamp) => self.local.folders.push((entry.into_path(), stamp)),
                    None => self.local.exact = false,
                }
            }
            return WalkState::Continue;
        } else if entry.path_is_symlink() || file_type.is_symlink() {
            self.local.exact = false;
            // Resolved now; whether the target is inside the app is decided per app.
            let target = fs::canonicalize(entry.path())
                .ok()
                .filter(|t| fs::metadata(t).is_ok_and(|m| m.is_file()));
            FoundKind::Symlink(target)
        } else if file_type.is_file() {
            FoundKind::File
        } else {
            // Sockets, FIFOs and devices are not source files, and reading one may block.
            return WalkState::Continue;
        };
        // What loading reads is stamped now, while the walk has the entry (a symlink's stamp is
        // its target's: taken later, by path).
        let stamp = if self.stamps
            && matches!(kind, FoundKind::File)
            && entry.file_name().to_str().is_some_and(content_needed)
        {
            entry
                .metadata()
                .ok()
                .and_then(|m| FileStamp::of(&m))
                .map(Box::new)
        } else {
            None
        };
        self.local.found.push(Found {
            path: entry.into_path(),
            kind,
            stamp,
        });
        WalkState::Continue
    }
}

impl Drop for Collector<'_> {
    fn drop(&mut self) {
        let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        shared.append(&mut self.local);
    }
}

/// The walk filter: drops skipped folders (never the walk's root); virtual environments are
/// told by their `pyvenv.cfg` as the walk lists them ([`Environments`]).
fn keep_entry(entry: &DirEntry) -> bool {
    if entry.depth() == 0 || !entry.file_type().is_some_and(|t| t.is_dir()) {
        return true;
    }
    let name = entry.file_name();
    !SKIPPED_DIRS.iter().any(|s| OsStr::new(s) == name)
}

/// The path an `ignore` error is about, if it says.
fn error_path(error: &ignore::Error) -> Option<&Path> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

/// The error text without the path (the path is the key it is recorded under).
fn io_message(error: &ignore::Error) -> String {
    match error.io_error() {
        Some(io) => io.to_string(),
        None => error.to_string(),
    }
}

/// `path` relative to `root` as a `/`-separated key.
fn relative_key(root: &Path, path: &Path) -> Option<String> {
    #[cfg(unix)]
    if let Some(key) = plain_relative_key(root, path) {
        return Some(key);
    }
    components_key(root, path)
}

/// The walk's common case without splitting either path into components (a tenth of the
/// cost, for each of tens of thousands of files): `path` is [`plain`], and is `root`, a `/`,
/// then UTF-8. Anything else is left to [`components_key`].
#[cfg(unix)]
fn plain_relative_key(root: &Path, path: &Path) -> Option<String> {
    use std::os::unix::ffi::OsStrExt;
    let rest = plain(path)?
        .strip_prefix(root.as_os_str().as_bytes())?
        .strip_prefix(b"/")?;
    std::str::from_utf8(rest).ok().map(str::to_string)
}

fn components_key(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut key = String::new();
    for component in rel.components() {
        if let Component::Normal(part) = component {
            if !key.is_empty() {
                key.push('/');
            }
            key.push_str(&part.to_string_lossy());
        }
    }
    Some(key)
}

/// How a file's content is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Read leniently: invalid UTF-8 becomes U+FFFD, as the host reads JSON.
    Json,
    /// Must be UTF-8; NUL bytes mean a binary file.
    Python,
    /// Other text the analysis reads (requirements, `.funcignore`, `pyproject.toml`).
    Text,
}

/// The kind of a file by its name, or `None` when its content is not needed.
fn kind_of(rel: &str) -> Option<Kind> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    match name {
        "host.json" | "local.settings.json" | "function.json" => Some(Kind::Json),
        ".funcignore" | "pyproject.toml" => Some(Kind::Text),
        _ if name.ends_with(".py") || name.ends_with(".pyi") => Some(Kind::Python),
        _ if name.starts_with("requirements") && name.ends_with(".txt") => Some(Kind::Text),
        _ => None,
    }
}

/// Whether the analysis reads this file's content (by its name); other files only need to exist.
pub fn content_needed(rel: &str) -> bool {
    kind_of(rel).is_some()
}

/// Reads one file according to the content policy: text for the files the analysis reads
/// (lenient UTF-8 for JSON, strict for Python, BOM stripped), `TooLarge` past
/// [`MAX_FILE_SIZE`], `NotLoaded` for binary or unneeded files, `Unreadable` on I/O errors.
pub fn read_content(path: &Path, rel: &str) -> FileContent {
    let Some(kind) = kind_of(rel) else {
        return FileContent::NotLoaded;
    };
    match read_bounded(path) {
        Ok(Ok(bytes)) => decode(bytes, kind),
        Ok(Err(len)) => FileContent::TooLarge(len),
        Err(error) => {
            tracing::debug!("cannot read {}: {error}", path.display());
            FileContent::Unreadable(error.to_string())
        }
    }
}

/// The file's bytes, or `Err(len)` when it is larger than [`MAX_FILE_SIZE`].
fn read_bounded(path: &Path) -> std::io::Result<Result<Vec<u8>, u64>> {
    let mut file = File::open(path)?;
    // Most files are small: read them without asking for their size first (one system call
    // fewer per file, which matters for 20,000 files), into memory that is not zeroed first.
    let mut bytes = Vec::with_capacity(FIRST_READ);
    (&mut file)
        .take(FIRST_READ as u64)
        .read_to_end(&mut bytes)?;
    let filled = bytes.len();
    if filled < FIRST_READ {
        return Ok(Ok(bytes));
    }
    let len = file.metadata()?.len();
    if len > MAX_FILE_SIZE {
        return Ok(Err(len));
    }
    // The file may grow between the size check and the read.
    file.take(MAX_FILE_SIZE + 1 - filled as u64)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Ok(Err(bytes.len() as u64));
    }
    Ok(Ok(bytes))
}

/// Turns bytes into content: BOM stripped, binary and non-UTF-8 files per `kind`.
///
/// JSON and requirements files with a UTF-16 or UTF-32 byte order mark are decoded, as the host
/// (.NET `File.ReadAllText`) and pip do. Python files are not: CPython reads source as UTF-8
/// and refuses the rest, NUL bytes included (the analysis reports both).
fn decode(mut bytes: Vec<u8>, kind: Kind) -> FileContent {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    if kind != Kind::Python {
        if let Some(text) = decode_wide(&bytes) {
            return FileContent::Text(Arc::from(text));
        }
    }
    if kind == Kind::Text && bytes[..bytes.len().min(BINARY_SNIFF_LEN)].contains(&0) {
        return FileContent::NotLoaded;
    }
    match String::from_utf8(bytes) {
        Ok(text) => FileContent::Text(Arc::from(text)),
        Err(_) if kind == Kind::Python => FileContent::NotUtf8,
        Err(error) => FileContent::Text(Arc::from(String::from_utf8_lossy(error.as_bytes()))),
    }
}

/// Text with a UTF-32 or UTF-16 byte order mark, decoded (invalid units become U+FFFD).
fn decode_wide(bytes: &[u8]) -> Option<String> {
    let units = |width: usize, little: bool| {
        bytes[width..].chunks(width).map(move |c| {
            let mut word = [0u8; 4];
            word[..c.len()].copy_from_slice(c);
            match (width, little) {
                (4, true) => u32::from_le_bytes(word),
                (4, false) => u32::from_be_bytes(word),
                (_, true) => u32::from(u16::from_le_bytes([word[0], word[1]])),
                (_, false) => u32::from(u16::from_be_bytes([word[0], word[1]])),
            }
        })
    };
    let utf32 = |little| {
        units(4, little)
            .map(|u| char::from_u32(u).unwrap_or('\u{fffd}'))
            .collect()
    };
    let utf16 = |little| {
        let words: Vec<u16> = units(2, little).map(|u| u as u16).collect();
        char::decode_utf16(words)
            .map(|c| c.unwrap_or('\u{fffd}'))
            .collect()
    };
    if bytes.starts_with(b"\xFF\xFE\0\0") {
        Some(utf32(true))
    } else if bytes.starts_with(b"\0\0\xFE\xFF") {
        Some(utf32(false))
    } else if bytes.starts_with(b"\xFF\xFE") {
        Some(utf16(true))
    } else if bytes.starts_with(b"\xFE\xFF") {
        Some(utf16(false))
    } else {
        None
    }
}

/// `path` made absolute against the current directory, with `.` and `..` resolved lexically.
pub fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    Ok(normalize(&std::path::absolute(path)?))
}

/// Resolves `.` and `..` components without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(component);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `base` (both absolute and normalised), with `/` separators; `.` when equal.
pub fn display_relative(path: &Path, base: &Path) -> String {
    let path_parts: Vec<Component> = path.components().collect();
    let base_parts: Vec<Component> = base.components().collect();
    let common = path_parts
        .iter()
        .zip(&base_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        // Different roots (e.g. another drive): keep the absolute path.
        return path.to_string_lossy().replace('\\', "/");
    }
    let mut parts: Vec<String> = Vec::new();
    parts.extend(base_parts[common..].iter().map(|_| "..".to_string()));
    parts.extend(
        path_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_entry_stays_small() {
        // A walk of a large app lists tens of thousands of entries, copied through several
        // steps: a stamp kept inline (80 bytes) cost 15 MB of peak memory at 20,000 files.
        assert!(
            std::mem::size_of::<Found>() <= 64,
            "{}",
            std::mem::size_of::<Found>()
        );
    }

    #[test]
    fn a_stamped_walk_stamps_what_loading_reads_as_a_stat_would() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("app");
        fs::create_dir_all(root.join("F")).unwrap();
        for (path, text) in [
            ("host.json", "{}"),
            ("F/function.json", "{}"),
            ("F/__init__.py", "def main(): ...\n"),
            ("F/data.csv", "a,b\n"),
        ] {
            fs::write(root.join(path), text).unwrap();
        }
        let before = std::time::SystemTime::now();
        let (apps, _) = find_apps_under_stamped(&root).unwrap();
        let listing = apps.into_iter().next().unwrap().list();
        let since = listing.stamped_since.expect("the walk took stamps");
        assert!(since >= before && since <= std::time::SystemTime::now());
        let mut stamped: Vec<(&str, bool)> = listing
            .files
            .iter()
            .map(|f| (f.rel.as_str(), f.walk_stamp.is_some()))
            .collect();
        stamped.sort_unstable();
        assert_eq!(
            stamped,
            [
                ("F/__init__.py", true),
                ("F/data.csv", false),
                ("F/function.json", true),
                ("host.json", true)
            ]
        );
        for file in &listing.files {
            assert_eq!(
                file.stamp(),
                FileStamp::of(&fs::metadata(&file.path).unwrap()),
                "{}",
                file.rel
            );
        }
        // Without stamps, nothing is stamped and nothing says so.
        let plain = find_apps_under(&root)
            .unwrap()
            .into_iter()
            .next()
            .unwrap()
            .list();
        assert!(plain.stamped_since.is_none());
        assert!(plain.files.iter().all(|f| f.walk_stamp.is_none()));
    }

    /// The apps' roots and each app's files with their stamps, sorted.
    type Seen = Vec<(PathBuf, Vec<(String, Option<FileStamp>)>)>;

    fn seen(apps: Vec<FoundApp>) -> Seen {
        apps.into_iter()
            .map(|app| {
                let listing = app.list();
                let mut files: Vec<_> = listing
                    .files
                    .iter()
                    .map(|f| (f.rel.clone(), f.walk_stamp.as_deref().copied()))
                    .collect();
                files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                (listing.root, files)
            })
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn a_walk_listing_finds_what_a_walk_finds_until_a_folder_changes() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().join("repo");
        for (path, text) in [
            ("app/host.json", "{}"),
            ("app/F/function.json", "{}"),
            ("app/F/__init__.py", "def main(): ...\n"),
            ("app/F/data.csv", "a,b\n"),
            ("app/shared/deep/util.py", "X = 1\n"),
            ("app/nested/host.json", "{}"),
            ("app/nested/G/function.json", "{}"),
            ("app/.venv/pyvenv.cfg", "home = /usr\n"),
            ("app/.venv/lib/x.py", "\n"),
            ("app/env/pyvenv.cfg", "home = /usr\n"),
            ("app/env/lib/y.py", "\n"),
            ("notes.txt", "n\n"),
        ] {
            let path = top.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        // A walk, then the same apps from its listing, before and after each change (stamps
        // are compared exactly: each change waits out the file system's clock tick).
        let tick = || std::thread::sleep(std::time::Duration::from_millis(30));
        let walk = || {
            let (apps, listing) = find_apps_under_stamped(&top).unwrap();
            (seen(apps), listing.expect("an exact walk gives a listing"))
        };
        let (walked, listing) = walk();
        assert_eq!(
            walked.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>(),
            [top.join("app"), top.join("app/nested")]
        );
        assert!(walked[0]
            .1
            .iter()
            .any(|(rel, stamp)| rel == "F/__init__.py" && stamp.is_some()));
        assert!(walked[0]
            .1
            .iter()
            .all(|(rel, _)| !rel.starts_with("env/lib")));
        let again = find_apps_under_listing(&top, &listing).expect("nothing changed");
        assert_eq!(seen(again), walked);

        // A file's content: the listing holds, with the file's new stamp.
        tick();
        fs::write(top.join("app/F/__init__.py"), "def main(): return 1\n").unwrap();
        let (walked, _) = walk();
        assert_eq!(
            seen(find_apps_under_listing(&top, &listing).expect("no folder changed")),
            walked
        );

        type Change = fn(&Path);
        let changes: [(&str, Change); 7] = [
            ("a file added deep down", |top| {
                fs::write(top.join("app/shared/deep/more.py"), "").unwrap()
            }),
            ("a file removed", |top| {
                fs::remove_file(top.join("app/F/data.csv")).unwrap()
            }),
            ("a file renamed", |top| {
                fs::rename(
                    top.join("app/shared/deep/util.py"),
                    top.join("app/shared/deep/u.py"),
                )
                .unwrap()
            }),
            ("a function folder added", |top| {
                fs::create_dir(top.join("app/H")).unwrap();
                fs::write(top.join("app/H/function.json"), "{}").unwrap();
            }),
            ("a file replaced by a folder", |top| {
                fs::remove_file(top.join("app/H/function.json")).unwrap();
                fs::create_dir(top.join("app/H/function.json")).unwrap();
            }),
            ("an app's marker removed", |top| {
                fs::remove_file(top.join("app/nested/host.json")).unwrap()
            }),
            ("a folder made an environment", |top| {
                fs::write(top.join("app/shared/pyvenv.cfg"), "").unwrap()
            }),
        ];
        let mut listing = listing;
        for (change, apply) in changes {
            tick();
            apply(&top);
            assert!(
                find_apps_under_listing(&top, &listing).is_none(),
                "{change}: the listing still matched"
            );
            let (walked, fresh) = walk();
            assert_eq!(
                seen(find_apps_under_listing(&top, &fresh).expect(change)),
                walked,
                "{change}"
            );
            listing = fresh;
        }
        // The last listing reflects every change.
        let (walked, _) = walk();
        assert_eq!(
            walked.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>(),
            [top.join("app")]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_listing_comes_only_from_an_exact_walk_and_names_only_paths_inside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("app");
        fs::create_dir_all(root.join("F")).unwrap();
        fs::write(root.join("host.json"), "{}").unwrap();
        fs::write(root.join("F/function.json"), "{}").unwrap();
        assert!(find_apps_under_stamped(&root).unwrap().1.is_some());
        // Without stamps there is nothing to compare.
        assert!(find_apps(&root, false).unwrap().1.is_none());
        // A link's target can change without any folder of the app changing.
        std::os::unix::fs::symlink(root.join("F/function.json"), root.join("link.json")).unwrap();
        assert!(find_apps_under_stamped(&root).unwrap().1.is_none());
        fs::remove_file(root.join("link.json")).unwrap();
        assert!(find_apps_under_stamped(&root).unwrap().1.is_some());
        // A link to the folder walks the folder, and its listing holds while the folder does.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&root, &link).unwrap();
        let (_, listing) = find_apps_under_stamped(&link).unwrap();
        let listing = listing.expect("a walk through a linked folder gives a listing");
        assert!(find_apps_under_listing(&link, &listing).is_some());
        std::thread::sleep(std::time::Duration::from_millis(30));
        fs::write(root.join("F/__init__.py"), "").unwrap();
        assert!(find_apps_under_listing(&link, &listing).is_none());
        // A listing that names a path outside the folder is not one a walk made (the paths
        // named here exist, with the stamps given).
        fs::write(dir.path().join("outside.json"), "{}").unwrap();
        let (_, listing) = find_apps_under_stamped(&root).unwrap();
        let listing = listing.unwrap();
        assert!(find_apps_under_listing(&root, &listing).is_some());
        let outside = dir.path().join("outside.json");
        for name in [
            "../outside.json",
            "F/../../outside.json",
            &outside.to_string_lossy(),
        ] {
            let mut bad = listing.clone();
            bad.files.push(name.to_string());
            assert!(find_apps_under_listing(&root, &bad).is_none(), "{name}");
        }
        let parent = FileStamp::of(&fs::metadata(dir.path()).unwrap()).unwrap();
        for name in ["..", "F/../..", "./..", &dir.path().to_string_lossy()] {
            let mut bad = listing.clone();
            bad.folders.push((name.to_string(), parent));
            assert!(find_apps_under_listing(&root, &bad).is_none(), "{name}");
        }
        // A file path has no listing.
        assert!(find_apps_under_stamped(&root.join("host.json"))
            .unwrap()
            .1
            .is_none());
    }

    #[cfg(unix)]
    #[test]
    fn plain_paths_are_read_by_their_bytes_as_by_their_components() {
        for path in ["/", "/app", "/app/F/function.json", "/a b/ü/host.json"] {
            let bytes = plain(Path::new(path)).expect(path);
            let by_bytes: Vec<&Path> = plain_ancestors(bytes).map(path_of_plain).collect();
            let by_components: Vec<&Path> = Path::new(path).ancestors().collect();
            assert_eq!(by_bytes, by_components, "{path}");
        }
        for path in [
            "app/F",
            "/app/",
            "/app//F",
            "/app/./F",
            "/app/../F",
            "//app",
        ] {
            assert_eq!(plain(Path::new(path)), None, "{path}");
        }
        // Root candidates, either way.
        let paths = [
            "/w/app/host.json",
            "/w/app/F/function.json",
            "/w/other/G/function.json",
            "/w/other/G/x.py",
            "/w/v2/function_app.py",
            "/w/./odd/host.json",
            "/w/odd2//H/function.json",
            "/function.json",
        ];
        let (mut strong, mut weak) = (BTreeSet::new(), BTreeSet::new());
        let (mut strong_parsed, mut weak_parsed) = (BTreeSet::new(), BTreeSet::new());
        for path in paths {
            classify(Path::new(path), &mut strong, &mut weak);
            classify_by_components(Path::new(path), &mut strong_parsed, &mut weak_parsed);
        }
        assert_eq!(strong, strong_parsed);
        assert_eq!(weak, weak_parsed);
        assert_eq!(strong.len(), 3);
        assert_eq!(weak.len(), 3);
    }

    #[test]
    fn entries_go_to_their_nearest_root_whether_paths_are_plain_or_not() {
        let found = |path: &str, kind: FoundKind| Found {
            path: PathBuf::from(path),
            kind,
            stamp: None,
        };
        let entries = || {
            vec![
                found("/w/app/host.json", FoundKind::File),
                found("/w/app/F/__init__.py", FoundKind::File),
                found("/w/app/nested/host.json", FoundKind::File),
                found("/w/app/nested/x.py", FoundKind::File),
                found("/w/app/nested", FoundKind::Unreadable("denied".into())),
                found("/w/app/locked", FoundKind::Unreadable("denied".into())),
                found("/w/app/./F/odd.py", FoundKind::File),
                found("/w/elsewhere/y.py", FoundKind::File),
            ]
        };
        let owners = |roots: &[&str]| {
            let roots: BTreeSet<PathBuf> = roots.iter().map(PathBuf::from).collect();
            let mut shares = assign(&roots, entries());
            // Each root's entries, in the roots' order.
            roots
                .iter()
                .map(|root| {
                    let files = shares.remove(root).unwrap_or_default();
                    files.iter().map(|f| f.path.display().to_string()).collect()
                })
                .collect::<Vec<Vec<String>>>()
        };
        let plain_roots = owners(&["/w/app", "/w/app/nested"]);
        assert_eq!(
            plain_roots,
            [
                vec![
                    "/w/app/host.json",
                    "/w/app/F/__init__.py",
                    // `/w/app/nested`, unreadable and a root itself, is nobody's entry.
                    "/w/app/locked",
                    "/w/app/./F/odd.py",
                ],
                vec!["/w/app/nested/host.json", "/w/app/nested/x.py"],
            ]
        );
        // A root that is not plain: every entry by its components, to the same owners.
        assert_eq!(owners(&["/w/app/", "/w/app/nested"]), plain_roots);
    }

    #[test]
    fn relative_keys_of_plain_paths_match_the_component_reading() {
        let cases = [
            ("/app", "/app/F/__init__.py"),
            ("/app", "/app/function_app.py"),
            ("/app", "/app/a b/ü.py"),
            ("/app", "/app"),
            ("/app", "/app/"),
            ("/app", "/app//F/x.py"),
            ("/app", "/app/./F/x.py"),
            ("/app", "/app/F/../x.py"),
            ("/app/", "/app/F/x.py"),
            ("/app", "/apple/x.py"),
            ("/app", "/other/x.py"),
            ("app", "app/F/function.json"),
        ];
        for (root, path) in cases {
            let (root, path) = (Path::new(root), Path::new(path));
            assert_eq!(
                relative_key(root, path),
                components_key(root, path),
                "{} in {}",
                path.display(),
                root.display()
            );
        }
        // The plain reading answers the walk's paths itself.
        #[cfg(unix)]
        assert_eq!(
            plain_relative_key(Path::new("/app"), Path::new("/app/F/x.py")).as_deref(),
            Some("F/x.py")
        );
    }
}
