//! `azfunc-lsp migrate APP`: converts a function.json app to the decorator model
//! (docs/migrate.md). By default it prints the change as a unified diff and writes nothing;
//! `--out DIR` writes the converted app to a new folder; `--write` converts the app in place
//! through the all-or-nothing writer of `check --fix`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::write_stdout;
use crate::analysis::migrate::{self, Options, Plan, Refusal};
use crate::analysis::text::{ColumnUnit, LineIndex};
use crate::analysis::AppInput;
use crate::loader;

#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    /// The app's folder (the one with host.json).
    pub app: PathBuf,
    /// Write the converted app to this new folder (it must not exist, or be empty).
    #[arg(long, value_name = "DIR", conflicts_with = "write")]
    pub out: Option<PathBuf>,
    /// Convert the app in place: every file or none.
    #[arg(long)]
    pub write: bool,
    /// One blueprint module per function folder, registered from function_app.py.
    #[arg(long)]
    pub blueprints: bool,
}

/// Runs `migrate`: exit 0 when converted (or the diff printed), 1 when the app cannot be
/// converted faithfully (the report says what and where), 2 on a usage or write error.
pub fn run(args: &MigrateArgs) -> ExitCode {
    let (root, input) = match load(&args.app) {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let options = Options {
        blueprints: args.blueprints,
    };
    let plan = match migrate::plan(&input, &options) {
        Ok(plan) => plan,
        Err(refusals) => {
            let code = write_stdout(&refusal_report(&input, &refusals));
            return if code == ExitCode::SUCCESS {
                ExitCode::from(1)
            } else {
                code
            };
        }
    };
    let result = if args.write {
        super::fix::write_all_or_nothing(&root, &input, &plan.new_texts(&input))
            .map(|()| summary(&input, &plan, "converted in place"))
    } else if let Some(out) = &args.out {
        write_out(&root, &input, &plan, out)
            .map(|()| summary(&input, &plan, &format!("written to {}", out.display())))
    } else {
        return write_stdout(&diff(&input, &plan));
    };
    match result {
        Ok(text) => write_stdout(&text),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The app at `path`, which must be an app root.
fn load(path: &Path) -> Result<(PathBuf, AppInput), String> {
    if !path.is_dir() {
        return Err(format!("{}: not a folder", path.display()));
    }
    if !path.join("host.json").is_file() {
        return Err(format!(
            "{}: not a function app root (no host.json)",
            path.display()
        ));
    }
    let root = loader::absolute(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let input = loader::load_app(&root, path.display().to_string());
    Ok((root, input))
}

/// `path:line:column: reason` for each refusal, under a one-line verdict.
pub fn refusal_report(input: &AppInput, refusals: &[Refusal]) -> String {
    let mut out = format!(
        "{}: cannot be converted faithfully ({} problem{}); nothing was changed\n",
        input.root,
        refusals.len(),
        if refusals.len() == 1 { "" } else { "s" }
    );
    for r in refusals {
        let place = match (r.range, input.text(&r.file)) {
            (Some(range), Some(text)) if range.end as usize <= text.len() => {
                let at =
                    LineIndex::new(text).line_col(text, range.start as usize, ColumnUnit::Char);
                format!("{}:{}:{}", r.file, at.line + 1, at.col + 1)
            }
            _ => r.file.clone(),
        };
        let _ = writeln!(out, "  {place}: {}", r.reason);
    }
    out
}

/// The plan as a unified diff (`a/` and `b/` prefixes, `/dev/null` for created and removed files).
pub fn diff(input: &AppInput, plan: &Plan) -> String {
    let mut out = String::new();
    let removed: std::collections::HashSet<&str> = plan.removed().into_iter().collect();
    for (path, new) in plan.new_texts(input) {
        let old = input.text(&path).unwrap_or("");
        let new = new.as_deref().unwrap_or("");
        let from = if input.exists(&path) {
            format!("a/{path}")
        } else {
            "/dev/null".to_string()
        };
        let to = if removed.contains(path.as_str()) {
            "/dev/null".to_string()
        } else {
            format!("b/{path}")
        };
        let text_diff = similar::TextDiff::from_lines(old, new);
        let mut unified = text_diff.unified_diff();
        let _ = write!(
            out,
            "{}",
            unified
                .context_radius(3)
                .missing_newline_hint(true)
                .header(&from, &to)
        );
    }
    out
}

/// What was done, for `--write` and `--out`.
fn summary(input: &AppInput, plan: &Plan, done: &str) -> String {
    let mut out = format!(
        "{}: {} function{} {done}\n",
        input.root,
        plan.functions.len(),
        if plan.functions.len() == 1 { "" } else { "s" }
    );
    for (path, new) in plan.new_texts(input) {
        let what = match (input.exists(&path), new.is_some()) {
            (false, _) => "created",
            (true, true) => "changed",
            (true, false) => "removed",
        };
        let _ = writeln!(out, "  {what}: {path}");
    }
    out
}

/// Copies the app into `out` (a new or empty folder) with the plan applied. Everything is
/// written into a temporary folder beside `out` first and renamed into place at the end, so a
/// failure leaves no half-written app.
fn write_out(root: &Path, input: &AppInput, plan: &Plan, out: &Path) -> Result<(), String> {
    if out.exists() {
        let empty = fs::read_dir(out)
            .map_err(|e| format!("{}: {e}", out.display()))?
            .next()
            .is_none();
        if !empty {
            return Err(format!("{}: exists and is not empty", out.display()));
        }
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let staging = tempfile_dir(&parent)?;
    let result = (|| {
        copy_tree(root, &staging, 0)?;
        for (path, text) in plan.new_texts(input) {
            let target = path.split('/').fold(staging.clone(), |p, s| p.join(s));
            match text {
                Some(text) => fs::write(&target, text),
                None => fs::remove_file(&target),
            }
            .map_err(|e| format!("{}: {e}", target.display()))?;
        }
        if out.exists() {
            fs::remove_dir(out).map_err(|e| format!("{}: {e}", out.display()))?;
        }
        fs::rename(&staging, out).map_err(|e| format!("{}: {e}", out.display()))
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

/// A new empty folder inside `parent`.
fn tempfile_dir(parent: &Path) -> Result<PathBuf, String> {
    for n in 0..1000u32 {
        let dir = parent.join(format!(".azfunc-migrate.{}.{n}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("{}: {e}", parent.display())),
        }
    }
    Err(format!(
        "{}: cannot create a temporary folder",
        parent.display()
    ))
}

/// Copies the regular files and folders under `from` (a symbolic link is refused: what it
/// points to may be outside the app). `.git`, `__pycache__` and the check cache are left out.
fn copy_tree(from: &Path, to: &Path, depth: usize) -> Result<(), String> {
    if depth > 64 {
        return Err(format!("{}: folders nested too deeply", from.display()));
    }
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let name = entry.file_name();
        if name == ".git" || name == "__pycache__" || name == crate::loader::CACHE_DIR_NAME {
            continue;
        }
        let kind = entry
            .file_type()
            .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        let target = to.join(&name);
        if kind.is_symlink() {
            return Err(format!(
                "{}: is a symbolic link; copy the app by hand",
                entry.path().display()
            ));
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &target, depth + 1)?;
        } else if kind.is_file() {
            fs::copy(entry.path(), &target)
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::fix::tests::set_hook;
    use std::collections::BTreeMap;

    fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path
                        .strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned();
                    out.insert(rel, fs::read(&path).unwrap());
                }
            }
        }
        out
    }

    fn app_copy() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("app");
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/migrate/cli_app");
        copy_tree(&fixture, &root, 0).unwrap();
        (dir, root)
    }

    /// A failure injected halfway through `--write` (after some files were already removed,
    /// created or replaced) leaves the app exactly as it was.
    #[test]
    fn write_is_all_or_nothing_when_a_change_fails_halfway() {
        // Another program edits host.json, or creates function_app.py, just before its turn.
        let injected: [(&str, &[u8]); 2] = [
            ("host.json", b"{\"version\": \"2.0\"}\n"),
            ("function_app.py", b"# someone else's\n"),
        ];
        for (victim, content) in injected {
            let (_dir, root) = app_copy();
            let input = loader::load_app(&root, "app".into());
            let plan = migrate::plan(&input, &Options::default()).unwrap();
            let changes = plan.new_texts(&input);
            let position = changes.iter().position(|(p, _)| p == victim).unwrap();
            assert!(position > 0, "something is written before {victim}");
            let before = files(&root);
            let target = root.join(victim);
            set_hook(Some(Box::new(move |path| {
                if path == target {
                    fs::write(path, content).unwrap();
                }
            })));
            let err = super::super::fix::write_all_or_nothing(&root, &input, &changes).unwrap_err();
            set_hook(None);
            assert!(err.contains("were restored"), "{err}");
            assert!(err.contains("no file was changed"), "{err}");
            let mut expected = before;
            expected.insert(victim.to_string(), content.to_vec());
            assert_eq!(files(&root), expected, "{victim}");
        }
    }

    #[test]
    fn write_changes_every_file_of_the_plan() {
        let (_dir, root) = app_copy();
        let input = loader::load_app(&root, "app".into());
        let plan = migrate::plan(&input, &Options::default()).unwrap();
        super::super::fix::write_all_or_nothing(&root, &input, &plan.new_texts(&input)).unwrap();
        let after = files(&root);
        assert!(!after.contains_key("HttpHello/function.json"));
        assert!(!after.contains_key("nightly-report/function.json"));
        let script = String::from_utf8(after["function_app.py"].clone()).unwrap();
        assert!(script.contains("def HttpHello("), "{script}");
        assert!(after.keys().all(|k| !k.contains(".azfunc-")), "{after:?}");
    }
}
