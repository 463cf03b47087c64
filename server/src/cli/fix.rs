//! `check --fix`: applies the automatic fixes of an app and writes the changed files safely.
//!
//! Every fix is computed in memory first (fix, re-check, fix again). Then every changed file is
//! checked against the disk (it must still hold what was read, and not be a symbolic link) and
//! written to a temporary file beside it; only when all of them are ready are they renamed over
//! the originals. A problem with any file leaves every file as it was.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::analysis::ide::fixes::{self, FixedProblem};
use crate::analysis::{AppInput, Config};

/// What `--fix` did to one app.
#[derive(Debug, Clone, Default)]
pub struct FixOutcome {
    pub fixed: Vec<FixedProblem>,
    /// The files written (relative to the app root), created ones included.
    pub written: Vec<String>,
}

/// Fixes the app at `root` whose files are `input`, and writes the result. `Err` (with nothing
/// written) when a changed file cannot be written safely.
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

/// A file ready to replace its target.
struct Staged {
    temp: PathBuf,
    target: PathBuf,
}

/// Writes every change or none: stage all (checks and temporary files), then rename.
fn write_all(root: &Path, original: &AppInput, changes: &[(String, String)]) -> Result<(), String> {
    let mut staged: Vec<Staged> = Vec::new();
    for (rel, text) in changes {
        match stage(root, original, rel, text) {
            Ok(s) => staged.push(s),
            Err(e) => {
                for s in &staged {
                    let _ = fs::remove_file(&s.temp);
                }
                return Err(format!("{rel}: {e}; no file was changed"));
            }
        }
    }
    let mut failure = None;
    for s in &staged {
        if failure.is_some() {
            let _ = fs::remove_file(&s.temp);
            continue;
        }
        if let Err(e) = fs::rename(&s.temp, &s.target) {
            let _ = fs::remove_file(&s.temp);
            failure = Some(format!("{}: {e}", s.target.display()));
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Checks that `rel` can be replaced and writes its new text to a temporary file beside it.
fn stage(root: &Path, original: &AppInput, rel: &str, text: &str) -> Result<Staged, String> {
    let target = join(root, rel);
    let mut bom = false;
    let mut permissions = None;
    match fs::symlink_metadata(&target) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err("is a symbolic link".to_string());
        }
        Ok(meta) if !meta.is_file() => return Err("is not a regular file".to_string()),
        Ok(meta) => {
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
            permissions = Some(meta.permissions());
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
    let result = (|| -> std::io::Result<()> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        if bom {
            file.write_all(BOM)?;
        }
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if let Some(p) = permissions {
            fs::set_permissions(&temp, p)?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&temp);
        return Err(format!("cannot write {}: {e}", temp.display()));
    }
    Ok(Staged { temp, target })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
