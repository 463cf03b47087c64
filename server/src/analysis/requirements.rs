//! `requirements.txt` as pip reads it: PEP 508 names (normalised per PEP 503), extras, markers,
//! URLs, `#egg=` fragments, comments, line continuations and `-r` includes.

pub use super::installed;
pub use super::installed::normalize;

use super::app::{join_relative, AppInput};
use super::catalog::distributions::{providers, Provenance, Providers};
use super::catalog::stdlib::STDLIB_MODULES;
use super::diagnostic::FileEdit;
use super::text::TextRange;

/// One requirement line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The distribution name as written.
    pub name: String,
    /// PEP 503 normalised (`PyYAML` → `pyyaml`, `azure_functions` → `azure-functions`).
    pub normalized: String,
    /// The file it is in and its range there.
    pub file: String,
    pub range: TextRange,
}

/// Every requirement of `file` and the files it includes, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirements {
    pub items: Vec<Requirement>,
    /// `-r`/`-c` includes that name files the app does not have: (file, range, target).
    pub missing_includes: Vec<(String, TextRange, String)>,
}

impl Requirements {
    pub fn provides(&self, distribution: &str) -> bool {
        let d = normalize(distribution);
        self.items.iter().any(|r| r.normalized == d)
    }

    pub fn find(&self, distribution: &str) -> Option<&Requirement> {
        let d = normalize(distribution);
        self.items.iter().find(|r| r.normalized == d)
    }
}

/// Reads `file` (relative to the app root) and its includes.
pub fn parse(app: &AppInput, file: &str) -> Option<Requirements> {
    let mut out = Requirements::default();
    let mut seen = Vec::new();
    read(app, file, &mut out, &mut seen, 0)?;
    Some(out)
}

fn read(
    app: &AppInput,
    file: &str,
    out: &mut Requirements,
    seen: &mut Vec<String>,
    depth: u32,
) -> Option<()> {
    if depth > 8 || seen.iter().any(|s| s == file) {
        return Some(());
    }
    seen.push(file.to_string());
    let text = app.text(file)?;
    let dir = file.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let mut offset = 0;
    let mut pending = String::new();
    let mut pending_start = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if pending.is_empty() {
            pending_start = start;
        }
        if let Some(body) = content.strip_suffix('\\') {
            pending.push_str(body);
            continue;
        }
        pending.push_str(content);
        let logical = std::mem::take(&mut pending);
        // Comments start at `#` preceded by whitespace (or at the line start).
        let without_comment = match logical
            .find(" #")
            .or_else(|| logical.starts_with('#').then_some(0))
        {
            Some(i) => &logical[..i],
            None => &logical[..],
        };
        let trimmed = without_comment.trim();
        let lead = logical.len() - logical.trim_start().len();
        let line_range = TextRange::new(pending_start + lead, pending_start + lead + trimmed.len());
        if trimmed.is_empty() {
            continue;
        }
        if let Some(rest) = trimmed
            .strip_prefix("-r ")
            .or_else(|| trimmed.strip_prefix("--requirement "))
            .or_else(|| trimmed.strip_prefix("-r"))
            .or_else(|| trimmed.strip_prefix("--requirement="))
        {
            let target = rest.trim();
            match join_relative(dir, target) {
                Some(path) if app.exists(&path) => {
                    read(app, &path, out, seen, depth + 1);
                }
                _ => out
                    .missing_includes
                    .push((file.to_string(), line_range, target.to_string())),
            }
            continue;
        }
        if trimmed.starts_with('-') {
            // `-e path#egg=name` / `--editable`: take the egg name when given; other options skip.
            if let Some(egg) = trimmed.split("#egg=").nth(1) {
                let name = egg.split(['&', ' ']).next().unwrap_or("");
                push(out, name, file, line_range);
            }
            continue;
        }
        if let Some(egg) = trimmed.split("#egg=").nth(1) {
            let name = egg.split(['&', ' ']).next().unwrap_or("");
            push(out, name, file, line_range);
            continue;
        }
        // PEP 508: the name runs up to the first character that is not part of it.
        let end = trimmed
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(trimmed.len());
        let name = &trimmed[..end];
        if !name.is_empty() && !name.contains("://") {
            push(out, name, file, line_range);
        }
    }
    Some(())
}

fn push(out: &mut Requirements, name: &str, file: &str, range: TextRange) {
    if name.is_empty() {
        return;
    }
    out.items.push(Requirement {
        name: name.to_string(),
        normalized: normalize(name),
        file: file.to_string(),
        range,
    });
}

/// The edit that adds `line` as the last line of `file` in the file's own style: its line
/// ending (`\r\n` when its first line ends so) and its final newline, kept or left out as it was.
pub fn append_line(app: &AppInput, file: &str, line: &str) -> FileEdit {
    let text = app.text(file).unwrap_or("");
    let eol = match text.find('\n') {
        Some(i) if text[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    };
    let new_text = if text.is_empty() || text.ends_with('\n') {
        format!("{line}{eol}")
    } else if text.ends_with('\r') {
        // A lone CR ends the last line: keep it and add the line after it.
        format!("{line}\r")
    } else {
        format!("{eol}{line}")
    };
    FileEdit {
        file: file.to_string(),
        range: TextRange::empty(text.len()),
        new_text,
    }
}

/// Whether `path` is a requirements file (`requirements.txt`, `requirements-dev.txt`,
/// `reqs/requirements.in`…): fixes that edit one are offered, never applied unattended.
pub fn is_requirements_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.starts_with("requirements") && (name.ends_with(".txt") || name.ends_with(".in"))
}

/// Whether `pyproject.toml` declares the app's dependencies (`[project] dependencies` or
/// `[tool.poetry.dependencies]`), read line by line: remote build does not read it.
pub fn pyproject_declares_dependencies(app: &AppInput) -> bool {
    let Some(text) = app.text("pyproject.toml") else {
        return false;
    };
    let mut table = "";
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            table = line;
            if line == "[tool.poetry.dependencies]" {
                return true;
            }
        } else if table == "[project]" {
            let key = line.split('=').next().unwrap_or("").trim();
            if key == "dependencies" && line.contains('=') {
                return true;
            }
        }
    }
    false
}

/// Whether the top-level module is part of the standard library.
pub fn is_stdlib(module: &str) -> bool {
    let top = module.split('.').next().unwrap_or(module);
    STDLIB_MODULES.binary_search(&top).is_ok()
}

/// The distributions that could provide `module` (a dotted import path), the likeliest first.
/// See [`providers`] for whether they are known or guessed from the name.
pub fn distributions_for(module: &str) -> Vec<String> {
    providers(module).distributions
}

/// The distributions that provide `module`: those installed in the app's environment when it
/// has one that provides it, else the generated table's answer ([`providers`]).
pub fn providers_in(module: &str, installed: Option<&installed::Installed>) -> Providers {
    let found = installed.map(|i| i.providers(module)).unwrap_or_default();
    if found.is_empty() {
        return providers(module);
    }
    Providers {
        distributions: found.iter().map(|d| d.name.clone()).collect(),
        provenance: Provenance::Environment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_pip() {
        let app = AppInput::new("a")
            .with_file(
                "requirements.txt",
                "# comment\nazure-functions\nPyYAML>=6 ; python_version >= '3.9'  # yaml\nrequests[security]==2.31\n-r more/extra.txt\n--index-url https://x\nfoo @ https://example.com/foo.whl\ngit+https://github.com/o/r.git#egg=Bar_Baz\nlong \\\n  >= 1\n-r missing.txt\n",
            )
            .with_file("more/extra.txt", "azure_storage_blob\n");
        let r = parse(&app, "requirements.txt").unwrap();
        let names: Vec<&str> = r.items.iter().map(|i| i.normalized.as_str()).collect();
        assert_eq!(
            names,
            [
                "azure-functions",
                "pyyaml",
                "requests",
                "azure-storage-blob",
                "foo",
                "bar-baz",
                "long"
            ]
        );
        assert_eq!(r.missing_includes.len(), 1);
        assert!(r.provides("azure.functions") && r.provides("Azure_Functions"));
    }

    #[test]
    fn import_names_to_distributions() {
        assert_eq!(distributions_for("yaml"), ["PyYAML"]);
        assert_eq!(distributions_for("cv2")[0], "opencv-python");
        assert_eq!(
            distributions_for("azure.storage.blob.aio"),
            [
                "azure-storage-blob",
                "azure-storage-blob-aio",
                "azure-storage"
            ]
        );
        assert_eq!(
            distributions_for("google.cloud.storage")[0],
            "google-cloud-storage"
        );
        assert_eq!(
            distributions_for("google.protobuf.json_format"),
            ["protobuf"]
        );
        assert_eq!(distributions_for("requests.adapters"), ["requests"]);
        assert!(is_stdlib("os.path") && is_stdlib("json") && !is_stdlib("requests"));
    }

    #[test]
    fn appended_lines_keep_the_file_style() {
        let added = |text: &str| {
            let app = AppInput::new("a").with_file("requirements.txt", text);
            let edit = append_line(&app, "requirements.txt", "PyYAML");
            let mut out = text.to_string();
            out.insert_str(edit.range.start as usize, &edit.new_text);
            out
        };
        assert_eq!(added("a\nb\n"), "a\nb\nPyYAML\n");
        assert_eq!(added("a\nb"), "a\nb\nPyYAML");
        assert_eq!(added("a\r\nb\r\n"), "a\r\nb\r\nPyYAML\r\n");
        assert_eq!(added("a\r\nb"), "a\r\nb\r\nPyYAML");
        assert_eq!(added(""), "PyYAML\n");
        assert_eq!(added("a\r"), "a\rPyYAML\r");
        assert!(
            is_requirements_file("requirements.txt")
                && is_requirements_file("x/requirements-dev.txt")
        );
        assert!(!is_requirements_file("host.json") && !is_requirements_file("requirements.py"));
    }

    #[test]
    fn the_environment_answers_before_the_table() {
        let env = installed::Installed::from_dist_infos([installed::DistInfo {
            dir: "yaml_fork-1.0.dist-info",
            metadata: Some("Name: yaml-fork\n"),
            top_level: None,
            record: Some("yaml/__init__.py,,\n"),
        }]);
        let p = providers_in("yaml.loader", Some(&env));
        assert_eq!(p.distributions, ["yaml-fork"]);
        assert_eq!(p.provenance, Provenance::Environment);
        // Not installed there: the table says.
        let p = providers_in("PIL.Image", Some(&env));
        assert_eq!(
            (p.suggestion(), p.provenance),
            ("Pillow", Provenance::Table)
        );
        assert_eq!(providers_in("yaml", None).suggestion(), "PyYAML");
    }
}
