//! Finds the app's Python environment and reads its installed distributions' metadata
//! (`*.dist-info/METADATA`, `RECORD`, `top_level.txt`), nothing else.
//!
//! The same policy as the rest of the loader: no link is followed out of the environment, only
//! regular files are opened (never a FIFO or a device, which may block), each file and the whole
//! read are bounded in size, and every failure is a missing file, not an error.

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::analysis::requirements::installed::{DistInfo, Installed};

/// A metadata file larger than this is not read (a `RECORD` of the largest wheels is a few
/// hundred KiB).
pub const MAX_METADATA_FILE: u64 = 4 * 1024 * 1024;

/// Bytes read from one environment at most, all files together.
pub const MAX_ENVIRONMENT_BYTES: u64 = 256 * 1024 * 1024;

/// Entries of `site-packages` looked at, at most.
pub const MAX_SITE_PACKAGES_ENTRIES: usize = 50_000;

/// The metadata files read from each `*.dist-info` folder.
const METADATA_FILES: [&str; 3] = ["METADATA", "top_level.txt", "RECORD"];

/// An environment found for an app and what is installed in it.
#[derive(Debug)]
pub struct Environment {
    pub site_packages: PathBuf,
    pub installed: Installed,
}

/// The `site-packages` folder of the app's environment: the one of `interpreter` when given
/// (relative to the app root; `…/bin/python` or `…\Scripts\python.exe` of a virtual
/// environment, or the environment's folder), else of `.venv`, `venv` or
/// `.python_packages/lib/site-packages` in the app. App-local folders must lie inside the app
/// once links are resolved; an interpreter's `site-packages` must lie inside the interpreter's
/// environment.
pub fn find_site_packages(app_root: &Path, interpreter: Option<&Path>) -> Option<PathBuf> {
    if let Some(interpreter) = interpreter {
        let interpreter = app_root.join(interpreter);
        // `<env>/bin/python` → `<env>`, lexically: the interpreter itself is often a link to a
        // system Python, which says nothing about the environment. Editors also accept the
        // environment's folder itself.
        let env = if real_dir(&interpreter) {
            interpreter.as_path()
        } else {
            interpreter.parent()?.parent()?
        };
        return venv_site_packages(env).filter(|sp| lies_inside(sp, env));
    }
    let candidates = [
        venv_site_packages(&app_root.join(".venv")),
        venv_site_packages(&app_root.join("venv")),
        Some(app_root.join(".python_packages/lib/site-packages")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|sp| real_dir(sp) && lies_inside(sp, app_root))
}

/// `<env>/lib/python3.X/site-packages` (the highest version when several) or
/// `<env>/Lib/site-packages`.
fn venv_site_packages(env: &Path) -> Option<PathBuf> {
    let windows = env.join("Lib").join("site-packages");
    let lib = env.join("lib");
    let mut versions: Vec<PathBuf> = fs::read_dir(&lib)
        .into_iter()
        .flatten()
        .flatten()
        .take(64)
        .filter(|e| e.file_name().to_string_lossy().starts_with("python"))
        .map(|e| e.path().join("site-packages"))
        .filter(|sp| real_dir(sp))
        .collect();
    versions.sort();
    versions
        .pop()
        .or_else(|| real_dir(&windows).then_some(windows))
}

fn real_dir(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_dir())
}

/// Whether `path` resolves to a place inside `root` (both with links resolved).
fn lies_inside(path: &Path, root: &Path) -> bool {
    match (fs::canonicalize(path), fs::canonicalize(root)) {
        (Ok(path), Ok(root)) => path.starts_with(root),
        _ => false,
    }
}

/// Finds the environment ([`find_site_packages`]) and reads what is installed there.
pub fn load_environment(app_root: &Path, interpreter: Option<&Path>) -> Option<Environment> {
    let site_packages = find_site_packages(app_root, interpreter)?;
    let installed = read_site_packages(&site_packages);
    Some(Environment {
        site_packages,
        installed,
    })
}

/// The `*.dist-info` folders directly in `site_packages` (links skipped, at most
/// `MAX_SITE_PACKAGES_ENTRIES` entries looked at), in name order so that nothing depends on the
/// order of the disk: what [`read_site_packages`] reads and [`environment_stamps`] stamps.
fn dist_info_folders(site_packages: &Path) -> Vec<(String, PathBuf)> {
    let mut dirs: Vec<(String, PathBuf)> = fs::read_dir(site_packages)
        .into_iter()
        .flatten()
        .take(MAX_SITE_PACKAGES_ENTRIES)
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.ends_with(".dist-info").then(|| (name, e.path()))
        })
        .collect();
    dirs.sort();
    dirs
}

/// Reads the metadata of every `*.dist-info` folder directly in `site_packages` (folders that
/// are links are skipped), in name order so that the result does not depend on the disk.
pub fn read_site_packages(site_packages: &Path) -> Installed {
    let dirs = dist_info_folders(site_packages);
    let mut budget = MAX_ENVIRONMENT_BYTES;
    let texts: Vec<(String, [Option<String>; 3])> = dirs
        .into_iter()
        .map(|(name, dir)| {
            let files = METADATA_FILES.map(|file| read_small_file(&dir.join(file), &mut budget));
            (name, files)
        })
        .collect();
    Installed::from_dist_infos(
        texts
            .iter()
            .map(|(dir, [metadata, top_level, record])| DistInfo {
                dir,
                metadata: metadata.as_deref(),
                top_level: top_level.as_deref(),
                record: record.as_deref(),
            }),
    )
}

/// The text of a regular file of at most [`MAX_METADATA_FILE`] bytes, within what is left of
/// `budget`; `None` for anything else (links, FIFOs, devices, large or unreadable files).
fn read_small_file(path: &Path, budget: &mut u64) -> Option<String> {
    let file = open_regular(path)?;
    let limit = MAX_METADATA_FILE.min(*budget);
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).ok()?;
    if bytes.len() as u64 > limit {
        tracing::debug!("skipping large metadata file {}", path.display());
        return None;
    }
    *budget -= bytes.len() as u64;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Opens `path` when it is a regular file and not a link.
fn open_regular(path: &Path) -> Option<File> {
    if !fs::symlink_metadata(path).ok()?.file_type().is_file() {
        return None;
    }
    #[cfg(unix)]
    let file = {
        use std::os::unix::fs::OpenOptionsExt;
        // The file may have been swapped for a link or a FIFO since the check: never follow the
        // link, never wait for a writer.
        fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path)
            .ok()?
    };
    #[cfg(not(unix))]
    let file = File::open(path).ok()?;
    file.metadata().ok()?.is_file().then_some(file)
}

/// A `*.dist-info` folder's name and the stamps of its metadata files.
pub type DistInfoStamps = (String, [Option<super::FileStamp>; 3]);

/// What the environment [`load_environment`] would read says of itself without being read: its
/// `site-packages` and, for each `*.dist-info` folder (in the same order and under the same
/// limits), the stamps of its metadata files (`None` where the file would not be read). Equal
/// stamps mean equal metadata, so the check cache keys on them.
pub fn environment_stamps(
    app_root: &Path,
    interpreter: Option<&Path>,
) -> Option<(PathBuf, Vec<DistInfoStamps>)> {
    let site_packages = find_site_packages(app_root, interpreter)?;
    let dirs = dist_info_folders(&site_packages);
    let stamps = dirs
        .into_iter()
        .map(|(name, dir)| {
            let stamps = METADATA_FILES.map(|file| {
                let meta = fs::symlink_metadata(dir.join(file)).ok()?;
                meta.file_type()
                    .is_file()
                    .then(|| super::FileStamp::of(&meta))
                    .flatten()
            });
            (name, stamps)
        })
        .collect();
    Some((site_packages, stamps))
}
