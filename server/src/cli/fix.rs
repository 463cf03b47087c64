//! `check --fix`: applies the automatic fixes of an app and writes the changed files safely.
//!
//! Every fix is computed in memory first (fix, re-check, fix again). Then every changed file is
//! validated against the disk and written to a temporary file beside it with the original's
//! mode, owner and group; a file that cannot be replaced faithfully is refused with the reason
//! (a symbolic link, a file with several hard links, a read-only file, one whose owner cannot be
//! kept, one that changed since it was read), and then nothing is written. Only when every file
//! is ready are they renamed over the originals, one by one, each checked again (same inode,
//! size, modification time and content) immediately before its own rename, so an edit saved by
//! another program meanwhile is never overwritten. If a late check or rename fails, the message
//! says which files were already written.
//!
//! Files with several hard links are refused rather than rewritten in place: an in-place write
//! is not atomic (an interruption leaves a truncated file), and the other names may belong to
//! another project or a backup that the user does not expect `--fix` to change.

use std::fs;
use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::analysis::ide::fixes::{self, FixedProblem};
use crate::analysis::{AppInput, Config};

/// What `--fix` did to one app.
#[derive(Debug, Clone, Default)]
pub struct FixOutcome {
    pub fixed: Vec<FixedProblem>,
    /// The files written (relative to the app root), created ones included.
    pub written: Vec<String>,
}

/// Fixes the app at `root` whose files are `input`, and writes the result. `Err` when a changed
/// file cannot be written safely: nothing written when the problem is found while preparing,
/// otherwise the message names the files already written.
pub fn fix_on_disk(root: &Path, input: &AppInput, config: &Config) -> Result<FixOutcome, String> {
    write_fixed(root, input, fixes::fix_app(input.clone(), config))
}

/// Writes the files that `fixed` changed from `input` (the app read from `root`), as
/// [`fix_on_disk`] does.
pub fn write_fixed(
    root: &Path,
    input: &AppInput,
    fixed: fixes::FixedApp,
) -> Result<FixOutcome, String> {
    let changes: Vec<(String, String)> = fixed
        .input
        .files
        .iter()
        .filter(|(rel, content)| input.files.get(*rel) != Some(*content))
        .filter_map(|(rel, content)| Some((rel.clone(), content.text()?.to_string())))
        .collect();
    write_all(root, input, &changes)?;
    Ok(FixOutcome {
        fixed: fixed.fixed,
        written: changes.into_iter().map(|(rel, _)| rel).collect(),
    })
}

/// The path of a `/`-separated relative path under `root`.
fn join(root: &Path, rel: &str) -> PathBuf {
    rel.split('/')
        .fold(root.to_path_buf(), |p, part| p.join(part))
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What a file on disk was when it was validated; it must still be that right before its rename.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    device: u64,
    inode: u64,
    size: u64,
    modified: Option<SystemTime>,
}

impl Identity {
    fn of(meta: &fs::Metadata) -> Identity {
        #[cfg(unix)]
        let (device, inode) = (meta.dev(), meta.ino());
        #[cfg(not(unix))]
        let (device, inode) = (0, 0);
        Identity {
            device,
            inode,
            size: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// A file ready to replace its target, or to be removed.
struct Staged {
    rel: String,
    /// The new content, written beside the target; `None` for a file to remove.
    temp: Option<PathBuf>,
    target: PathBuf,
    /// `None` for a file that did not exist (it is created, never replacing one that appeared).
    original: Option<(Identity, Vec<u8>)>,
}

impl Staged {
    fn discard(&self) {
        if let Some(temp) = &self.temp {
            let _ = fs::remove_file(temp);
        }
    }
}

/// How to take back one committed change.
enum Undo {
    /// The file was created: remove it.
    Remove(PathBuf),
    /// The original was moved aside to `backup`: move it back over `target`.
    Restore { backup: PathBuf, target: PathBuf },
}

impl Undo {
    fn undo(&self) -> std::io::Result<()> {
        match self {
            Undo::Remove(target) => fs::remove_file(target),
            Undo::Restore { backup, target } => fs::rename(backup, target),
        }
    }

    /// The change stays: drop the moved-aside original.
    fn keep(&self) {
        if let Undo::Restore { backup, .. } = self {
            let _ = fs::remove_file(backup);
        }
    }
}

/// Writes every change or none: validate and stage all (temporary files), then rename each one
/// after checking it again.
fn write_all(root: &Path, original: &AppInput, changes: &[(String, String)]) -> Result<(), String> {
    let changes: Vec<(String, Option<String>)> = changes
        .iter()
        .map(|(rel, text)| (rel.clone(), Some(text.clone())))
        .collect();
    write_changes(root, original, &changes, false)
}

/// Writes, creates (`Some`) and removes (`None`) files of the app read from `root` as
/// `check --fix` writes, and moreover takes back the changes already made when a late check or
/// rename fails, so that the app is either wholly changed or left as it was.
pub fn write_all_or_nothing(
    root: &Path,
    original: &AppInput,
    changes: &[(String, Option<String>)],
) -> Result<(), String> {
    write_changes(root, original, changes, true)
}

fn write_changes(
    root: &Path,
    original: &AppInput,
    changes: &[(String, Option<String>)],
    undo: bool,
) -> Result<(), String> {
    let mut staged: Vec<Staged> = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    for (rel, text) in changes {
        let result = match text {
            Some(text) => stage(root, original, rel, text),
            None => stage_removal(root, original, rel),
        };
        match result {
            Ok(s) => staged.push(s),
            Err(e) => refused.push(format!("{rel}: {e}")),
        }
    }
    if !refused.is_empty() {
        for s in &staged {
            s.discard();
        }
        return Err(format!("{}; no file was changed", refused.join("; ")));
    }
    let mut written: Vec<&str> = Vec::new();
    let mut undos: Vec<Undo> = Vec::new();
    for (i, s) in staged.iter().enumerate() {
        #[cfg(test)]
        tests::before_commit(&s.target);
        match commit(s, undo) {
            Ok(u) => undos.extend(u),
            Err(e) => {
                for rest in &staged[i..] {
                    rest.discard();
                }
                let left: Vec<&str> = staged[i..].iter().map(|s| s.rel.as_str()).collect();
                let done = if written.is_empty() {
                    "no file was changed".to_string()
                } else if undo {
                    let failed: Vec<String> = undos
                        .iter()
                        .rev()
                        .filter_map(|u| u.undo().err().map(|e| e.to_string()))
                        .collect();
                    if failed.is_empty() {
                        format!(
                            "the files already written were restored ({}): no file was changed",
                            written.join(", ")
                        )
                    } else {
                        format!(
                            "already written: {}; restoring them failed: {}",
                            written.join(", "),
                            failed.join("; ")
                        )
                    }
                } else {
                    format!("already written: {}", written.join(", "))
                };
                return Err(format!(
                    "{}: {e}; {done}; not written: {}",
                    s.rel,
                    left.join(", ")
                ));
            }
        }
        written.push(&s.rel);
    }
    for u in &undos {
        u.keep();
    }
    Ok(())
}

/// Checks the target once more and puts the staged file in its place (or removes the target).
/// With `undo`, a replaced or removed original is moved aside rather than dropped, and the way
/// to take the change back is returned.
fn commit(s: &Staged, undo: bool) -> Result<Option<Undo>, String> {
    let backup = || {
        let name = s
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        s.target
            .with_file_name(format!(".{name}.{}.azfunc-undo", std::process::id()))
    };
    match &s.original {
        Some((identity, bytes)) => {
            let changed = || "changed on disk while fixing; it was left as it is".to_string();
            let meta = fs::symlink_metadata(&s.target)
                .map_err(|e| format!("cannot look at it again: {e}"))?;
            // Metadata first: what is read must still be the same regular file.
            if !meta.is_file() || Identity::of(&meta) != *identity || link_count(&meta) > 1 {
                return Err(changed());
            }
            let now = fs::read(&s.target).map_err(|e| format!("cannot read it again: {e}"))?;
            if now != *bytes {
                return Err(changed());
            }
            if !undo {
                return match &s.temp {
                    Some(temp) => fs::rename(temp, &s.target)
                        .map(|()| None)
                        .map_err(|e| format!("cannot replace it: {e}")),
                    None => fs::remove_file(&s.target)
                        .map(|()| None)
                        .map_err(|e| format!("cannot remove it: {e}")),
                };
            }
            let backup = backup();
            fs::rename(&s.target, &backup).map_err(|e| format!("cannot move it aside: {e}"))?;
            if let Some(temp) = &s.temp {
                if let Err(e) = fs::rename(temp, &s.target) {
                    let _ = fs::rename(&backup, &s.target);
                    return Err(format!("cannot replace it: {e}"));
                }
            }
            Ok(Some(Undo::Restore {
                backup,
                target: s.target.clone(),
            }))
        }
        None => {
            let Some(temp) = &s.temp else {
                return Ok(None);
            };
            // A hard link fails when the name exists: a file created meanwhile is kept.
            fs::hard_link(temp, &s.target).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    "was created by someone else while fixing; it was left as it is".to_string()
                } else {
                    format!("cannot create it: {e}")
                }
            })?;
            let _ = fs::remove_file(temp);
            Ok(undo.then(|| Undo::Remove(s.target.clone())))
        }
    }
}

/// Checks that `rel` can be removed: a regular file, unchanged since it was read.
fn stage_removal(root: &Path, original: &AppInput, rel: &str) -> Result<Staged, String> {
    let target = join(root, rel);
    let meta = fs::symlink_metadata(&target).map_err(|e| format!("cannot look at it: {e}"))?;
    if meta.file_type().is_symlink() {
        return Err("is a symbolic link; remove it by hand".to_string());
    }
    if !meta.is_file() {
        return Err("is not a regular file".to_string());
    }
    let dir = target.parent().ok_or("has no parent folder")?;
    if !writable(dir) {
        return Err("its folder is not writable by this user".to_string());
    }
    let bytes = fs::read(&target).map_err(|e| format!("cannot read it again: {e}"))?;
    let body = bytes.strip_prefix(BOM).unwrap_or(&bytes);
    let read = original.text(rel).ok_or("was not read as text")?;
    if body != read.as_bytes() {
        return Err("changed on disk since it was read (or is not valid UTF-8)".to_string());
    }
    Ok(Staged {
        rel: rel.to_string(),
        temp: None,
        target,
        original: Some((Identity::of(&meta), bytes)),
    })
}

#[cfg(unix)]
fn link_count(meta: &fs::Metadata) -> u64 {
    meta.nlink()
}

#[cfg(not(unix))]
fn link_count(_: &fs::Metadata) -> u64 {
    1
}

/// Whether this process may write `path` (root may write anything).
#[cfg(unix)]
fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c_path` is a valid NUL-terminated string for the duration of the call.
    unsafe { libc::access(c_path.as_ptr(), libc::W_OK) == 0 }
}

#[cfg(not(unix))]
fn writable(_: &Path) -> bool {
    true
}

/// Checks that `rel` can be replaced faithfully and writes its new text to a temporary file
/// beside it, with the original's permissions, owner and group.
fn stage(root: &Path, original: &AppInput, rel: &str, text: &str) -> Result<Staged, String> {
    let target = join(root, rel);
    let mut bom = false;
    let mut existing = None;
    match fs::symlink_metadata(&target) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err("is a symbolic link; fix it by hand".to_string());
        }
        Ok(meta) if !meta.is_file() => return Err("is not a regular file".to_string()),
        Ok(meta) => {
            if link_count(&meta) > 1 {
                return Err(format!(
                    "has {} hard links, which replacing it would break; fix it by hand",
                    link_count(&meta)
                ));
            }
            if meta.permissions().readonly() || !writable(&target) {
                return Err(
                    "is read-only (or not writable by this user); make it writable to let \
                            --fix change it"
                        .to_string(),
                );
            }
            let bytes = fs::read(&target).map_err(|e| format!("cannot read it again: {e}"))?;
            let (has_bom, body) = match bytes.strip_prefix(BOM) {
                Some(rest) => (true, rest),
                None => (false, bytes.as_slice()),
            };
            let read = original.text(rel).ok_or("was not read as text")?;
            if body != read.as_bytes() {
                return Err("changed on disk since it was read (or is not valid UTF-8)".to_string());
            }
            bom = has_bom;
            existing = Some((meta, bytes));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if original.exists(rel) {
                return Err("was deleted since it was read".to_string());
            }
        }
        Err(e) => return Err(e.to_string()),
    }
    let dir = target.parent().ok_or("has no parent folder")?;
    if !dir.is_dir() {
        return Err("its folder does not exist".to_string());
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.azfunc-fix", std::process::id()));
    let result = (|| -> Result<(), String> {
        let io = |e: std::io::Error| format!("cannot write {}: {e}", temp.display());
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(io)?;
        if bom {
            file.write_all(BOM).map_err(io)?;
        }
        file.write_all(text.as_bytes()).map_err(io)?;
        if let Some((meta, _)) = &existing {
            keep_owner(&file, meta)?;
            // After the owner: changing it may clear the set-user-ID and set-group-ID bits.
            file.set_permissions(meta.permissions()).map_err(io)?;
        }
        file.sync_all().map_err(io)?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    Ok(Staged {
        rel: rel.to_string(),
        temp: Some(temp),
        target,
        original: existing.map(|(meta, bytes)| (Identity::of(&meta), bytes)),
    })
}

/// Gives the temporary file the original's owner and group (needed when running as another
/// user, typically root on someone else's files); an error when that is not allowed.
#[cfg(unix)]
fn keep_owner(file: &fs::File, original: &fs::Metadata) -> Result<(), String> {
    let temp = file.metadata().map_err(|e| e.to_string())?;
    if (temp.uid(), temp.gid()) == (original.uid(), original.gid()) {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid())).map_err(|e| {
        format!(
            "is owned by user {} and group {}, which the fixed file cannot keep ({e}); run \
             --fix as its owner",
            original.uid(),
            original.gid()
        )
    })
}

#[cfg(not(unix))]
fn keep_owner(_: &fs::File, _: &fs::Metadata) -> Result<(), String> {
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::cell::RefCell;

    pub(crate) type Hook = Box<dyn FnMut(&Path)>;

    thread_local! {
        /// Runs right before each file's final check and rename (simulates another program).
        static BEFORE_COMMIT: RefCell<Option<Hook>> = const { RefCell::new(None) };
    }

    pub(super) fn before_commit(target: &Path) {
        BEFORE_COMMIT.with(|hook| {
            if let Some(hook) = hook.borrow_mut().as_mut() {
                hook(target);
            }
        });
    }

    pub(crate) fn set_hook(hook: Option<Hook>) {
        BEFORE_COMMIT.with(|h| *h.borrow_mut() = hook);
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".azfunc-fix"))
            .collect()
    }

    fn app_dir() -> (tempfile::TempDir, PathBuf, AppInput) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("app");
        fs::create_dir_all(root.join("F")).unwrap();
        fs::write(root.join("host.json"), "{\"version\": \"2.0\", \"extensionBundle\": {\"id\": \"Microsoft.Azure.Functions.ExtensionBundle\", \"version\": \"[4.*, 5.0.0)\"}}").unwrap();
        fs::write(root.join("requirements.txt"), "azure-functions\n").unwrap();
        fs::write(
            root.join("F/function.json"),
            "\u{feff}{\"bindings\": [{\"type\": \"timerTrigger\", \"name\": \"timer\", \"schedule\": \"0 2 * * *\"}]}",
        )
        .unwrap();
        fs::write(root.join("F/__init__.py"), "def main(t):\n    return t\n").unwrap();
        let input = crate::loader::load_app(&root, "app".to_string());
        (dir, root, input)
    }

    #[test]
    fn writes_every_changed_file_keeping_the_bom() {
        let (_dir, root, input) = app_dir();
        let outcome = fix_on_disk(&root, &input, &Config::default()).unwrap();
        assert_eq!(outcome.written, ["F/__init__.py", "F/function.json"]);
        let json = fs::read(root.join("F/function.json")).unwrap();
        assert!(json.starts_with(BOM));
        assert!(String::from_utf8_lossy(&json).contains("\"0 0 2 * * *\""));
        assert_eq!(
            fs::read_to_string(root.join("F/__init__.py")).unwrap(),
            "def main(timer):\n    return timer\n"
        );
        let leftovers: Vec<_> = fs::read_dir(root.join("F"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".azfunc-fix"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn a_file_changed_on_disk_means_no_file_is_written() {
        let (_dir, root, input) = app_dir();
        // Someone edits the script after it was read.
        fs::write(root.join("F/__init__.py"), "def main(t):\n    return 1\n").unwrap();
        let before_json = fs::read(root.join("F/function.json")).unwrap();
        let err = fix_on_disk(&root, &input, &Config::default()).unwrap_err();
        assert!(err.contains("changed on disk"), "{err}");
        assert_eq!(fs::read(root.join("F/function.json")).unwrap(), before_json);
        assert_eq!(
            fs::read_to_string(root.join("F/__init__.py")).unwrap(),
            "def main(t):\n    return 1\n"
        );
        let leftovers = fs::read_dir(root.join("F"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".azfunc-fix")
            })
            .count();
        assert_eq!(leftovers, 0);
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_not_replaced() {
        let (_dir, root, _) = app_dir();
        let real = root.join("F/real.py");
        fs::rename(root.join("F/__init__.py"), &real).unwrap();
        std::os::unix::fs::symlink(&real, root.join("F/__init__.py")).unwrap();
        let input = crate::loader::load_app(&root, "app".to_string());
        let err = fix_on_disk(&root, &input, &Config::default()).unwrap_err();
        assert!(err.contains("symbolic link"), "{err}");
        assert!(fs::symlink_metadata(root.join("F/__init__.py"))
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn an_edit_saved_just_before_a_rename_is_kept() {
        let (_dir, root, input) = app_dir();
        let json = root.join("F/function.json");
        let edit = "{\"bindings\": []}";
        let target = json.clone();
        // Another program saves function.json after the script was renamed into place.
        set_hook(Some(Box::new(move |path| {
            if path == target {
                fs::write(path, edit).unwrap();
            }
        })));
        let err = fix_on_disk(&root, &input, &Config::default()).unwrap_err();
        set_hook(None);
        assert!(
            err.starts_with("F/function.json: changed on disk while fixing"),
            "{err}"
        );
        assert!(err.contains("already written: F/__init__.py"), "{err}");
        assert!(err.contains("not written: F/function.json"), "{err}");
        assert_eq!(fs::read_to_string(&json).unwrap(), edit);
        assert!(leftovers(&root.join("F")).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn an_edit_that_keeps_size_and_time_is_still_noticed() {
        let (_dir, root, input) = app_dir();
        let script = root.join("F/__init__.py");
        let target = script.clone();
        set_hook(Some(Box::new(move |path| {
            if path == target {
                let meta = fs::metadata(path).unwrap();
                let file = fs::OpenOptions::new().write(true).open(path).unwrap();
                std::os::unix::fs::FileExt::write_at(&file, b"X", 0).unwrap();
                file.set_modified(meta.modified().unwrap()).unwrap();
            }
        })));
        let err = fix_on_disk(&root, &input, &Config::default()).unwrap_err();
        set_hook(None);
        assert!(err.contains("F/__init__.py: changed on disk"), "{err}");
        assert!(err.contains("no file was changed"), "{err}");
        assert_eq!(
            fs::read_to_string(&script).unwrap(),
            "Xef main(t):\n    return t\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn owner_group_and_mode_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let (_dir, root, input) = app_dir();
        let files = [root.join("F/__init__.py"), root.join("F/function.json")];
        for file in &files {
            std::os::unix::fs::chown(file, Some(1000), Some(1000)).unwrap();
            fs::set_permissions(file, fs::Permissions::from_mode(0o640)).unwrap();
        }
        fix_on_disk(&root, &input, &Config::default()).unwrap();
        for file in &files {
            let meta = fs::metadata(file).unwrap();
            assert_eq!(
                (meta.uid(), meta.gid(), meta.mode() & 0o7777),
                (1000, 1000, 0o640),
                "{}",
                file.display()
            );
        }
        assert_eq!(
            fs::read_to_string(&files[0]).unwrap(),
            "def main(timer):\n    return timer\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn hard_links_and_read_only_files_are_refused_and_nothing_changes() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, root, input) = app_dir();
        let script = root.join("F/__init__.py");
        let json = root.join("F/function.json");
        let before = (fs::read(&script).unwrap(), fs::read(&json).unwrap());
        fs::hard_link(&script, dir.path().join("backup.py")).unwrap();
        fs::set_permissions(&json, fs::Permissions::from_mode(0o444)).unwrap();
        let err = fix_on_disk(&root, &input, &Config::default()).unwrap_err();
        assert!(err.contains("F/__init__.py: has 2 hard links"), "{err}");
        assert!(err.contains("F/function.json: is read-only"), "{err}");
        assert!(err.ends_with("no file was changed"), "{err}");
        assert_eq!(
            (fs::read(&script).unwrap(), fs::read(&json).unwrap()),
            before
        );
        assert_eq!(fs::metadata(&script).unwrap().nlink(), 2);
        assert_eq!(fs::metadata(&json).unwrap().mode() & 0o777, 0o444);
        assert!(leftovers(&root.join("F")).is_empty());
    }
}
