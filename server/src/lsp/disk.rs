//! Reading one file for the server (a watched-file event, a closed buffer falling back to disk),
//! with the loader's content policy. Whole apps are loaded through [`crate::loader`].
//!
//! FIXME: the loader keeps its single-file reader private; once it exports one, call it here.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use crate::analysis::FileContent;
use crate::loader::MAX_FILE_SIZE;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Json,
    Python,
    Text,
}

/// The kind of a file the analysis reads, by name; `None` when its content is not needed.
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

/// The content of an open buffer as the analysis should see it.
pub fn buffer_content(rel: &str, text: &str) -> FileContent {
    match kind_of(rel) {
        None => FileContent::NotLoaded,
        Some(_) if text.len() as u64 > MAX_FILE_SIZE => FileContent::TooLarge(text.len() as u64),
        Some(_) => FileContent::Text(Arc::from(text.strip_prefix('\u{feff}').unwrap_or(text))),
    }
}

/// Reads one file; `None` when it does not exist (or is not a regular file).
pub fn read_file(path: &Path, rel: &str) -> Option<FileContent> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let Some(kind) = kind_of(rel) else {
        return Some(FileContent::NotLoaded);
    };
    if meta.len() > MAX_FILE_SIZE {
        return Some(FileContent::TooLarge(meta.len()));
    }
    let mut bytes = Vec::new();
    let read = File::open(path).and_then(|f| f.take(MAX_FILE_SIZE + 1).read_to_end(&mut bytes));
    if let Err(e) = read {
        return Some(FileContent::Unreadable(e.to_string()));
    }
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Some(FileContent::TooLarge(bytes.len() as u64));
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    if kind != Kind::Json && bytes[..bytes.len().min(8 * 1024)].contains(&0) {
        return Some(FileContent::NotLoaded);
    }
    Some(match String::from_utf8(bytes) {
        Ok(text) => FileContent::Text(Arc::from(text)),
        Err(_) if kind == Kind::Python => FileContent::NotUtf8,
        Err(e) => FileContent::Text(Arc::from(String::from_utf8_lossy(e.as_bytes()))),
    })
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
