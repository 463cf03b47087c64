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

/// Reads one file; `None` when it does not exist (or is not a regular file).
pub fn read_file(path: &Path, rel: &str) -> Option<FileContent> {
    let meta = std::fs::metadata(path).ok()?;
    meta.is_file().then(|| read_content(path, rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_with_the_loader_policy() {
        let dir = tempfile::tempdir().unwrap();
        let py = dir.path().join("a.py");
        std::fs::write(&py, b"x = '\xff'\n").unwrap();
        assert_eq!(read_file(&py, "F/a.py"), Some(FileContent::NotUtf8));
        let json = dir.path().join("function.json");
        std::fs::write(&json, b"\xEF\xBB\xBF{\"a\": \"\xff\"}").unwrap();
        assert_eq!(
            read_file(&json, "F/function.json"),
            Some(FileContent::Text(Arc::from("{\"a\": \"\u{fffd}\"}")))
        );
        let other = dir.path().join("data.bin");
        std::fs::write(&other, b"\0\0").unwrap();
        assert_eq!(
            read_file(&other, "F/data.bin"),
            Some(FileContent::NotLoaded)
        );
        assert_eq!(
            read_file(&dir.path().join("missing.py"), "missing.py"),
            None
        );
        assert_eq!(read_file(dir.path(), "F"), None);
        assert_eq!(buffer_content("README.md", "x"), FileContent::NotLoaded);
    }
}
