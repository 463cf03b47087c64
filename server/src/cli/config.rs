//! `[tool.azfunc-lsp]` in `pyproject.toml` (a [`RuleSettings`], the same type the editor's
//! settings are read into), merged with the command-line flags into an
//! [`analysis::Config`](crate::analysis::Config).
//!
//! Problems in the file (bad TOML, wrong types, unknown codes) are warnings on stderr, never
//! failures: the check goes on with what could be understood.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::analysis::config::RuleSettings;
pub use crate::analysis::config::{quoted, split_codes, QUOTED_CHARS};
use crate::analysis::text::{ColumnUnit, LineIndex};
use crate::analysis::Config;
use crate::loader::MAX_FILE_SIZE;

/// The settings read from one `pyproject.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileConfig {
    /// The file it came from.
    pub path: PathBuf,
    pub config: Config,
}

/// Settings given on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagConfig {
    /// `--select`: replaces the file's `select` when given.
    pub select: Option<Vec<String>>,
    /// `--ignore`: added to the file's `ignore`.
    pub ignore: Vec<String>,
}

impl FlagConfig {
    /// The flags on top of the file's settings (if any).
    pub fn merge(&self, file: Option<&FileConfig>) -> Config {
        let mut config = file.map(|f| f.config.clone()).unwrap_or_default();
        if let Some(select) = &self.select {
            config.select = select.clone();
        }
        config.ignore.extend(self.ignore.iter().cloned());
        config
    }

    /// Codes in the flags that match no rule.
    pub fn unknown_codes(&self) -> Vec<String> {
        Config {
            select: self.select.clone().unwrap_or_default(),
            ignore: self.ignore.clone(),
            severity: BTreeMap::new(),
            ..Config::default()
        }
        .unknown_codes()
    }
}

/// Finds and parses the configuration for app roots, reading each `pyproject.toml` once.
#[derive(Debug, Default)]
pub struct ConfigFinder {
    cache: HashMap<PathBuf, Option<FileConfig>>,
    /// Warnings to show on stderr, in the order they were found.
    pub warnings: Vec<String>,
}

impl ConfigFinder {
    /// The nearest `pyproject.toml` at or above `root` with a `[tool.azfunc-lsp]` table. The
    /// search stops at the folder that holds `.git`. Each candidate is read under the loader's
    /// policy (see [`read_config_file`]).
    pub fn find(&mut self, root: &Path) -> Option<FileConfig> {
        for dir in root.ancestors() {
            let candidate = dir.join("pyproject.toml");
            if fs::symlink_metadata(&candidate).is_ok() {
                if !self.cache.contains_key(&candidate) {
                    let parsed = self.parse(dir, &candidate);
                    self.cache.insert(candidate.clone(), parsed);
                }
                if let Some(Some(found)) = self.cache.get(&candidate) {
                    let mut found = found.clone();
                    found.config.base = glob_base(dir, root);
                    return Some(found);
                }
            }
            if dir.join(".git").exists() {
                break;
            }
        }
        None
    }

    fn parse(&mut self, dir: &Path, path: &Path) -> Option<FileConfig> {
        let shown = path.display();
        let text = match read_config_file(dir, path) {
            Ok(text) => text,
            Err(refusal) => {
                self.warnings.push(format!("{shown}: {refusal}"));
                return None;
            }
        };
        match parse_pyproject(&text) {
            Ok(None) => None,
            Ok(Some(settings)) => {
                self.warnings
                    .extend(settings.problems.iter().map(|w| format!("{shown}: {w}")));
                let mut config = settings.over(&Config::default());
                // Written relative to the folder of the pyproject.toml that names it.
                if let Some(python) = &mut config.python {
                    if python.is_relative() {
                        *python = dir.join(&*python);
                    }
                }
                self.warnings.extend(
                    config
                        .unknown_codes()
                        .into_iter()
                        .map(|c| format!("{shown}: unknown rule code or prefix {}", quoted(&c))),
                );
                Some(FileConfig {
                    path: path.to_path_buf(),
                    config,
                })
            }
            Err(error) => {
                self.warnings.push(format!(
                    "{shown}: not valid TOML, its settings are ignored: {error}"
                ));
                None
            }
        }
    }
}

/// The app folder `root` relative to `dir` (the folder of its `pyproject.toml`) as the globs of
/// `exclude` and `per-file-ignores` see it: `/`-separated and `/`-terminated, empty for `dir`
/// itself.
pub fn glob_base(dir: &Path, root: &Path) -> String {
    let Ok(rel) = root.strip_prefix(dir) else {
        return String::new();
    };
    let mut base = String::new();
    for part in rel.components() {
        base.push_str(&part.as_os_str().to_string_lossy());
        base.push('/');
    }
    base
}

/// Why a configuration file was not read. The messages never quote the file's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A symbolic link (or a path through one) whose target is outside the folder searched.
    Outside,
    /// A FIFO, device, socket or folder.
    NotRegular,
    TooLarge(u64),
    NotUtf8,
    Io(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Outside => f.write_str(
                "a symbolic link to a file outside its folder; not read (the checker never \
                 follows a link out of the project)",
            ),
            Refusal::NotRegular => f.write_str("not a regular file; not read"),
            Refusal::TooLarge(len) => write!(
                f,
                "{len} bytes, larger than the {MAX_FILE_SIZE}-byte limit; not read"
            ),
            Refusal::NotUtf8 => f.write_str("not valid UTF-8; its settings are ignored"),
            Refusal::Io(error) => write!(f, "cannot read it: {error}"),
        }
    }
}

/// Reads the configuration file `path` in the folder `dir` with the loader's policy: a symbolic
/// link is followed only to a regular file inside `dir` (the folder being searched), never out of
/// it; FIFOs and devices are not opened for reading (so nothing blocks); files over
/// [`MAX_FILE_SIZE`] are not read.
pub fn read_config_file(dir: &Path, path: &Path) -> Result<String, Refusal> {
    let io = |e: std::io::Error| Refusal::Io(e.to_string());
    let folder = fs::canonicalize(dir).map_err(io)?;
    let real = fs::canonicalize(path).map_err(io)?;
    if !real.starts_with(&folder) {
        return Err(Refusal::Outside);
    }
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // `real` has no symbolic link left: one appearing now is refused, and a FIFO swapped in
        // does not block the open.
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(&real).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(Refusal::NotRegular);
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(Refusal::TooLarge(meta.len()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(Refusal::TooLarge(bytes.len() as u64));
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|_| Refusal::NotUtf8)
}

/// Parses `[tool.azfunc-lsp]` from a `pyproject.toml`: `Ok(None)` when the table is absent;
/// otherwise its settings, with what was not understood in their `problems`. Messages quote keys
/// and values only briefly, and a syntax error gives its position, not the line.
pub fn parse_pyproject(text: &str) -> Result<Option<RuleSettings>, String> {
    let document: toml::Table = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
    let Some(section) = document.get("tool").and_then(|t| t.get("azfunc-lsp")) else {
        return Ok(None);
    };
    if !section.is_table() {
        return Ok(Some(RuleSettings {
            problems: vec!["[tool.azfunc-lsp] is not a table".to_string()],
            ..RuleSettings::default()
        }));
    }
    // Every value is accepted by `RuleSettings` (problems are collected, not raised).
    Ok(Some(
        section
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| e.message().to_string())?,
    ))
}

/// A TOML syntax error as a position and the parser's message (bounded), without the offending
/// line.
fn toml_error(text: &str, error: &toml::de::Error) -> String {
    let mut message: String = error
        .message()
        .trim_end()
        .chars()
        .take(4 * QUOTED_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if error.message().trim_end().chars().count() > 4 * QUOTED_CHARS {
        message.push('…');
    }
    match error.span() {
        Some(span) => {
            // Columns in bytes, as the parser counts them. A lone `\r` (a line end for `LineIndex`)
            // is itself a TOML error, so none lies before the error's start.
            let at = LineIndex::new(text).line_col(text, span.start, ColumnUnit::Utf8);
            format!("line {}, column {}: {message}", at.line + 1, at.col + 1)
        }
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Severity;

    #[test]
    fn reads_the_tool_table() {
        let text = r#"
[project]
name = "x"

[tool.azfunc-lsp]
select = ["AZF2", "AZF301"]
ignore = "AZF106, AZF6"
severity = { AZF203 = "warning", AZF4 = "off", AZF5 = "fatal" }
colour = true
"#;
        let settings = parse_pyproject(text).unwrap().unwrap();
        let (config, warnings) = (settings.over(&Config::default()), settings.problems);
        assert_eq!(config.select, ["AZF2", "AZF301"]);
        assert_eq!(config.ignore, ["AZF106", "AZF6", "AZF4"]);
        assert_eq!(config.severity.get("AZF203"), Some(&Severity::Warning));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings.iter().any(|w| w.contains("'fatal'")));
        assert!(warnings.iter().any(|w| w.contains("'colour'")));
    }

    #[test]
    fn absent_table_and_bad_toml() {
        assert_eq!(parse_pyproject("[tool.ruff]\nx = 1\n"), Ok(None));
        assert!(parse_pyproject("[tool.azfunc-lsp\n").is_err());
    }

    /// A project folder with an app below it, and a file with a fake secret outside it.
    fn project_with_outside_secret() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        fs::create_dir_all(project.join("app")).unwrap();
        fs::create_dir(project.join(".git")).unwrap();
        let secret = dir.path().join("environ");
        fs::write(
            &secret,
            "[tool.azfunc-lsp]\nselect = [\"AZF1\"]\nTOKEN=ghp_FAKE_SECRET_1234\n",
        )
        .unwrap();
        (dir, project, secret)
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_project_is_not_read_and_never_quoted() {
        let (_dir, project, secret) = project_with_outside_secret();
        std::os::unix::fs::symlink(&secret, project.join("pyproject.toml")).unwrap();
        let mut finder = ConfigFinder::default();
        assert_eq!(finder.find(&project.join("app")), None);
        let warnings = finder.warnings.join("\n");
        assert!(warnings.contains("outside"), "{warnings}");
        assert!(!warnings.contains("FAKE_SECRET"), "{warnings}");
        // The same through a linked folder.
        fs::remove_file(project.join("pyproject.toml")).unwrap();
        std::os::unix::fs::symlink(secret.parent().unwrap(), project.join("etc")).unwrap();
        assert_eq!(
            read_config_file(&project, &project.join("etc/environ")),
            Err(Refusal::Outside)
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_inside_the_folder_is_followed() {
        let (_dir, project, _) = project_with_outside_secret();
        fs::create_dir(project.join("config")).unwrap();
        fs::write(
            project.join("config/pyproject.toml"),
            "[tool.azfunc-lsp]\nselect = [\"AZF2\"]\n",
        )
        .unwrap();
        std::os::unix::fs::symlink("config/pyproject.toml", project.join("pyproject.toml"))
            .unwrap();
        let found = ConfigFinder::default().find(&project.join("app")).unwrap();
        assert_eq!(found.config.select, ["AZF2"]);
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_huge_files_are_refused_without_blocking() {
        let (_dir, project, _) = project_with_outside_secret();
        let fifo = project.join("pyproject.toml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        assert_eq!(read_config_file(&project, &fifo), Err(Refusal::NotRegular));
        fs::remove_file(&fifo).unwrap();
        let big = fs::File::create(&fifo).unwrap();
        big.set_len(MAX_FILE_SIZE + 1).unwrap();
        assert_eq!(
            read_config_file(&project, &fifo),
            Err(Refusal::TooLarge(MAX_FILE_SIZE + 1))
        );
    }

    #[test]
    fn syntax_errors_give_a_position_not_the_line() {
        let text = format!(
            "[tool.azfunc-lsp]\nselect = [\"AZF1\"]\nkey = {} \n",
            "x".repeat(500)
        );
        let error = parse_pyproject(&text).unwrap_err();
        assert!(error.starts_with("line 3, column 7"), "{error}");
        assert!(!error.contains("xxxxxxxx"), "{error}");
        let keys = format!("[tool.azfunc-lsp]\n\"{}\" = 1\n", "k".repeat(500));
        let warnings = parse_pyproject(&keys).unwrap().unwrap().problems;
        assert!(warnings[0].len() < 120, "{warnings:?}");
    }

    #[test]
    fn flags_replace_select_and_extend_ignore() {
        let file = FileConfig {
            path: PathBuf::from("pyproject.toml"),
            config: Config {
                select: vec!["AZF2".into()],
                ignore: vec!["AZF201".into()],
                severity: BTreeMap::new(),
                ..Config::default()
            },
        };
        let flags = FlagConfig {
            select: Some(vec!["AZF1".into()]),
            ignore: vec!["AZF101".into()],
        };
        let merged = flags.merge(Some(&file));
        assert_eq!(merged.select, ["AZF1"]);
        assert_eq!(merged.ignore, ["AZF201", "AZF101"]);
        assert_eq!(
            split_codes(&["AZF1, AZF2".into(), "AZF3".into()]),
            ["AZF1", "AZF2", "AZF3"]
        );
    }
}
