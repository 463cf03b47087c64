//! The input of the analysis: one function app as a set of files keyed by their path relative to
//! the app root. The loader fills it from disk; the language server from disk plus open buffers.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::installed::Installed;

/// The content of one file, as far as the loader could (or wanted to) read it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FileContent {
    /// UTF-8 text. JSON files with invalid UTF-8 arrive here with U+FFFD replacements, as the host
    /// reads them.
    Text(Arc<str>),
    /// A Python file that is not valid UTF-8 (the interpreter refuses to import it).
    NotUtf8,
    /// The file was too large to analyse; the size in bytes.
    TooLarge(u64),
    /// The file exists but could not be read.
    Unreadable(String),
    /// The file exists; its content is not needed (e.g. `sample.dat` beside a function).
    NotLoaded,
}

impl FileContent {
    pub fn text(&self) -> Option<&str> {
        match self {
            FileContent::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// One function app: its root (as shown to the user) and its files, keyed by `/`-separated paths
/// relative to the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppInput {
    /// The app root as the user should see it in messages (e.g. `examples/orders-app`).
    pub root: String,
    pub files: BTreeMap<String, FileContent>,
    /// What the app's Python environment has installed, when it has one (the loader reads it):
    /// which distribution provides an import, and what each requires.
    pub environment: Option<Arc<Installed>>,
}

impl AppInput {
    pub fn new(root: impl Into<String>) -> AppInput {
        AppInput {
            root: root.into(),
            files: BTreeMap::new(),
            environment: None,
        }
    }

    /// Adds a text file (for tests and the language server).
    pub fn with_file(mut self, path: &str, text: &str) -> AppInput {
        self.files
            .insert(path.to_string(), FileContent::Text(Arc::from(text)));
        self
    }

    /// The text of `path`, when it is a text file (a read a function's rules make is recorded:
    /// see [`super::reads`]).
    pub fn text(&self, path: &str) -> Option<&str> {
        self.content(path).and_then(FileContent::text)
    }

    /// What `path` holds, when it exists (recorded as [`AppInput::text`]).
    pub fn content(&self, path: &str) -> Option<&FileContent> {
        super::reads::note(path);
        self.files.get(path)
    }

    pub fn exists(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Whether `dir` (a relative folder path, empty for the root) contains any file.
    pub fn dir_exists(&self, dir: &str) -> bool {
        if dir.is_empty() {
            return true;
        }
        let prefix = format!("{dir}/");
        self.files
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
    }

    /// Files directly inside `dir` (not in sub-folders), as full relative paths.
    pub fn files_in<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let start = prefix.clone();
        self.files
            .range(start..)
            .map(|(k, _)| k.as_str())
            .take_while(move |k| k.starts_with(&prefix))
            .filter(move |k| !k[dir.len() + usize::from(!dir.is_empty())..].contains('/'))
    }
}

/// Joins a folder and a relative path, resolving `.` and `..` the way `Path.GetFullPath` does.
/// Returns `None` when the result would leave the app root.
pub fn join_relative(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_direct_children_only() {
        let app = AppInput::new("app")
            .with_file("F/function.json", "{}")
            .with_file("F/__init__.py", "")
            .with_file("F/sub/x.py", "")
            .with_file("G/function.json", "{}");
        let files: Vec<_> = app.files_in("F").collect();
        assert_eq!(files, ["F/__init__.py", "F/function.json"]);
        assert!(app.dir_exists("F/sub"));
        assert!(!app.dir_exists("H"));
    }

    #[test]
    fn joins_relative_paths() {
        assert_eq!(
            join_relative("F", "../shared/x.py").as_deref(),
            Some("shared/x.py")
        );
        assert_eq!(join_relative("F", "./run.py").as_deref(), Some("F/run.py"));
        assert_eq!(join_relative("F", "../../x.py"), None);
    }
}
