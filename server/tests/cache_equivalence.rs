//! The check cache never changes a result: over a seeded series of random edits to a copy of
//! an app (scripts, shared modules, function.json, settings, requirements, host.json, files and
//! function folders appearing and vanishing, files touched, a change that keeps the size with
//! the modification time set back), `check` with its cache prints exactly what `--no-cache`
//! prints, with the same exit code.

#[allow(dead_code)]
mod cli_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cli_support::copy_dir;
use std::time::{Duration, SystemTime};

fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"))
        .args(args)
        .current_dir(cwd)
        .env_remove("AZFUNC_LSP_LOG")
        .env_remove("AZFUNC_LSP_CACHE_DIR")
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs")
}

/// A small deterministic generator (xorshift), so that a failing seed can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

/// Every file of the app (outside the cache) with the given suffix, relative paths.
fn files(root: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".azfunc_cache") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Sets every file's modification time an hour back, so that the cache trusts their stamps
/// from the first record on (and the racy edit below meets a trusted stamp).
fn age(root: &Path) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    for file in files(root, "") {
        let f = std::fs::File::options()
            .write(true)
            .open(root.join(file))
            .unwrap();
        f.set_modified(old).unwrap();
    }
}

const PY_EDITS: &[(&str, &str)] = &[
    ("", "\n# a comment\n"),
    ("", "\nimport requests\n"),
    ("", "\ndef broken(:\n"),
    ("", "\nfrom . import missing_module\n"),
    ("", "\nimport os\nVALUE = os.environ[\"MISSING_SETTING\"]\n"),
];

/// One random edit; returns what it did (for the failure message).
fn edit(rng: &mut Rng, root: &Path, originals: &[(PathBuf, Vec<u8>)], step: usize) -> String {
    let py = files(root, ".py");
    let json = files(root, "function.json");
    match rng.below(12) {
        0 | 1 => {
            let Some(file) = rng.pick(&py) else {
                return "nothing".into();
            };
            let (_, text) = PY_EDITS[rng.below(PY_EDITS.len())];
            let mut content = std::fs::read_to_string(root.join(file)).unwrap();
            content.push_str(text);
            std::fs::write(root.join(file), content).unwrap();
            format!("appended {text:?} to {}", file.display())
        }
        2 => {
            // Rename a parameter or a binding: the classic mistake.
            let candidates: Vec<&PathBuf> = py.iter().chain(&json).collect();
            let Some(file) = rng.pick(&candidates) else {
                return "nothing".into();
            };
            let content = std::fs::read_to_string(root.join(file)).unwrap();
            let (from, to) = [
                ("req", "request"),
                ("msg", "message"),
                ("\"anonymous\"", "\"admin\""),
            ][rng.below(3)];
            std::fs::write(root.join(file), content.replacen(from, to, 1)).unwrap();
            format!("replaced {from} by {to} in {}", file.display())
        }
        3 => {
            let Some(file) = rng.pick(&json) else {
                return "nothing".into();
            };
            let content = std::fs::read_to_string(root.join(file)).unwrap();
            let broken = content.trim_end().trim_end_matches('}').to_string();
            std::fs::write(root.join(file), broken).unwrap();
            format!("broke {}", file.display())
        }
        4 => {
            let settings = root.join("local.settings.json");
            let text = [
                r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}"#,
                r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python"}}"#,
                r#"{"Values": {"FUNCTIONS_WORKER_RUNTIME": 3"#,
            ][rng.below(3)];
            std::fs::write(&settings, text).unwrap();
            format!("local.settings.json = {text}")
        }
        5 => {
            let text = ["azure-functions\n", "", "azure-functions\nrequests\n"][rng.below(3)];
            std::fs::write(root.join("requirements.txt"), text).unwrap();
            format!("requirements.txt = {text:?}")
        }
        6 => {
            let text = [
                r#"{"version": "2.0"}"#,
                r#"{"version": "2.0", "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}}"#,
                r#"{"version": "#,
            ][rng.below(3)];
            std::fs::write(root.join("host.json"), text).unwrap();
            format!("host.json = {text}")
        }
        7 => {
            // A function folder appears (v1) or a Python module (both).
            if let Some(folder) = json.first().and_then(|j| j.parent()) {
                let to = root.join(format!("Added{step}"));
                copy_dir(&root.join(folder), &to);
                format!("copied {} to Added{step}", folder.display())
            } else {
                std::fs::write(
                    root.join(format!("helper_{step}.py")),
                    "import json\nimport missing_package\n",
                )
                .unwrap();
                format!("added helper_{step}.py")
            }
        }
        8 => {
            // Something vanishes: a function folder or a Python file.
            let folders: Vec<PathBuf> = json
                .iter()
                .filter_map(|j| j.parent().map(Path::to_path_buf))
                .collect();
            if let (Some(folder), true) = (rng.pick(&folders), rng.below(2) == 0) {
                std::fs::remove_dir_all(root.join(folder)).unwrap();
                format!("removed {}", folder.display())
            } else if let Some(file) = rng.pick(&py) {
                std::fs::remove_file(root.join(file)).unwrap();
                format!("removed {}", file.display())
            } else {
                "nothing".into()
            }
        }
        9 => {
            // Touched, unchanged.
            let all = files(root, "");
            let Some(file) = rng.pick(&all) else {
                return "nothing".into();
            };
            let f = std::fs::File::options()
                .write(true)
                .open(root.join(file))
                .unwrap();
            f.set_modified(SystemTime::now()).unwrap();
            format!("touched {}", file.display())
        }
        10 => {
            // The racy case: same size, modification time set back to what it was.
            let candidates: Vec<&PathBuf> = py.iter().chain(&json).collect();
            let Some(file) = rng.pick(&candidates) else {
                return "nothing".into();
            };
            let path = root.join(file);
            let before = std::fs::metadata(&path).unwrap().modified().unwrap();
            let mut bytes = std::fs::read(&path).unwrap();
            let Some(i) = bytes
                .iter()
                .position(|&b| b == b'q' || b == b'(' || b == b'"')
            else {
                return "nothing".into();
            };
            bytes[i] = match bytes[i] {
                b'q' => b'z',
                b'(' => b'[',
                _ => b'\'',
            };
            std::fs::write(&path, &bytes).unwrap();
            let f = std::fs::File::options().write(true).open(&path).unwrap();
            f.set_modified(before).unwrap();
            format!(
                "changed byte {i} of {} keeping size and mtime",
                file.display()
            )
        }
        _ => {
            // Back to how a file was at the start (a state the cache may have seen).
            let Some((rel, bytes)) = rng.pick(originals) else {
                return "nothing".into();
            };
            let path = root.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap();
            }
            std::fs::write(&path, bytes).unwrap();
            format!("restored {}", rel.display())
        }
    }
}

/// Longer than the cache's margin for racily clean files.
const SETTLE: Duration = Duration::from_millis(2100);

fn equivalence(fixture: &str, seed: u64, steps: usize) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(fixture);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    copy_dir(&src, &root);
    age(&root);
    let originals: Vec<(PathBuf, Vec<u8>)> = files(&root, "")
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(root.join(&f)).unwrap();
            (f, bytes)
        })
        .collect();
    let mut rng = Rng(seed);
    let mut history = Vec::new();
    for step in 0..steps {
        if step % 10 == 0 {
            // Stamps are trusted only some time after the change they show (racily clean
            // files are read again): let the files settle now and then, so that the edits
            // meet trusted stamps.
            std::thread::sleep(SETTLE);
        }
        if step > 0 {
            history.push(edit(&mut rng, &root, &originals, step));
        }
        if step % 5 == 4 {
            // A file-scoped check: the functions' diagnostics may come from the cache.
            if let Some(file) = rng.pick(&files(&root, ".py")) {
                let file = file.to_string_lossy().into_owned();
                let args = ["check", "--format", "json", file.as_str()];
                let uncached = run(&root, &[&args[..], &["--no-cache"]].concat());
                let cached = run(&root, &args);
                assert_eq!(
                    String::from_utf8_lossy(&cached.stdout),
                    String::from_utf8_lossy(&uncached.stdout),
                    "{fixture}, seed {seed}, step {step}, check {file} after: {history:#?}"
                );
                assert_eq!(cached.status.code(), uncached.status.code());
            }
        }
        let format = if step == steps / 2 { "text" } else { "json" };
        let args = ["check", "--format", format, "--color", "never", "."];
        let uncached = run(&root, &[&args[..], &["--no-cache"]].concat());
        // Twice: the first run may check and record, the second may answer from the record.
        for attempt in 0..2 {
            let cached = run(&root, &args);
            assert_eq!(
                String::from_utf8_lossy(&cached.stdout),
                String::from_utf8_lossy(&uncached.stdout),
                "{fixture}, seed {seed}, step {step} (run {attempt}) after: {history:#?}\n\
                 stderr: {}",
                String::from_utf8_lossy(&cached.stderr)
            );
            assert_eq!(
                cached.status.code(),
                uncached.status.code(),
                "{fixture}, seed {seed}, step {step}"
            );
        }
    }
    assert!(
        root.join(".azfunc_cache/.gitignore").is_file(),
        "the cache was written inside the app"
    );
}

#[test]
fn cached_checks_equal_uncached_checks_function_json_app() {
    equivalence("examples/orders-app", 0x5eed_0001, 40);
}

#[test]
fn cached_checks_equal_uncached_checks_decorator_app() {
    equivalence("tests/fixtures/lsp/v2-app", 0x5eed_0002, 40);
}

/// Durable functions in function.json folders: AZF801 reads every module that imports the
/// durable package, also when the other functions' findings come from the cache.
#[test]
fn cached_checks_equal_uncached_checks_durable_function_json_app() {
    equivalence("tests/fixtures/durable_replay", 0x5eed_0003, 30);
}
