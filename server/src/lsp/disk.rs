//! Reading one file for the server (a watched-file event, a closed buffer falling back to disk),
//! with the loader's content policy. Whole apps are loaded through [`crate::loader`].

use std::path::Path;
use std::sync::Arc;

use crate::analysis::FileContent;
use crate::loader::{content_needed, read_content, MAX_FILE_SIZE};

/// The content of an open buffer as the analysis should see it.
pub fn buffer_content(rel: &str, text: &str) -> FileContent {
    if !content_needed(rel) {
        FileContent::NotLoaded
    } else if text.len() as u64 > MAX_FILE_SIZE {
        FileContent::TooLarge(text.len() as u64)
    } else {
        FileContent::Text(Arc::from(text.strip_prefix('\u{feff}').unwrap_or(text)))
    }
}

/// Reads one file of the app at `root`; `None` when the loader would not list it: it does not
/// exist, is not a regular file (FIFOs are never opened), lies below a symbolically linked
/// folder, or is a symbolic link whose target is outside the app.
pub fn read_file(root: &Path, path: &Path, rel: &str) -> Option<FileContent> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let canonical_root = std::fs::canonicalize(root).ok()?;
    // The loader never enters a linked folder: the file's folder must be the one under the root.
    let parent = std::fs::canonicalize(path.parent()?).ok()?;
    let expected_parent = rel
        .rsplit_once('/')
        .map_or(canonical_root.clone(), |(dir, _)| canonical_root.join(dir));
    if parent != expected_parent {
        return None;
    }
    if meta.file_type().is_symlink() {
        let target = std::fs::canonicalize(path).ok()?;
        let target_is_file = std::fs::metadata(&target).is_ok_and(|m| m.is_file());
        if !target.starts_with(&canonical_root) || !target_is_file {
            return None;
        }
    } else if !meta.is_file() {
        return None;
    }
    Some(read_content(path, rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_with_the_loader_policy() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("F")).unwrap();
        let py = root.join("F/a.py");
        std::fs::write(&py, b"x = '\xff'\n").unwrap();
        assert_eq!(read_file(root, &py, "F/a.py"), Some(FileContent::NotUtf8));
        let json = root.join("F/function.json");
        std::fs::write(&json, b"\xEF\xBB\xBF{\"a\": \"\xff\"}").unwrap();
        assert_eq!(
            read_file(root, &json, "F/function.json"),
            Some(FileContent::Text(Arc::from("{\"a\": \"\u{fffd}\"}")))
        );
        let other = root.join("F/data.bin");
        std::fs::write(&other, b"\0\0").unwrap();
        assert_eq!(
            read_file(root, &other, "F/data.bin"),
            Some(FileContent::NotLoaded)
        );
        assert_eq!(
            read_file(root, &root.join("missing.py"), "missing.py"),
            None
        );
        assert_eq!(read_file(root, &root.join("F"), "F"), None);
        assert_eq!(buffer_content("README.md", "x"), FileContent::NotLoaded);
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_app_and_fifos_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let (root, outside) = (dir.path().join("app"), dir.path().join("outside"));
        std::fs::create_dir_all(root.join("F")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret.py"), "TOKEN = 'x'\n").unwrap();
        std::os::unix::fs::symlink(outside.join("secret.py"), root.join("F/a.py")).unwrap();
        assert_eq!(read_file(&root, &root.join("F/a.py"), "F/a.py"), None);
        std::os::unix::fs::symlink(&outside, root.join("G")).unwrap();
        assert_eq!(
            read_file(&root, &root.join("G/secret.py"), "G/secret.py"),
            None
        );
        // A link inside the app is read, like the loader does.
        std::fs::write(root.join("F/real.py"), "x = 1\n").unwrap();
        std::os::unix::fs::symlink(root.join("F/real.py"), root.join("F/b.py")).unwrap();
        assert_eq!(
            read_file(&root, &root.join("F/b.py"), "F/b.py"),
            Some(FileContent::Text(Arc::from("x = 1\n")))
        );
        let fifo = root.join("F/c.py");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        assert_eq!(read_file(&root, &fifo, "F/c.py"), None);
    }
}
