//! The check cache's files and what it reuses: where it is written, what it writes beside its
//! records, that a damaged or unwritable cache changes nothing, which changes are misses, and
//! how many functions an edit re-checks.

#[allow(dead_code)]
mod cli_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cli_support::copy_dir;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn command(cwd: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"));
    command
        .args(args)
        .current_dir(cwd)
        .env("AZFUNC_LSP_LOG", "debug")
        .env_remove("AZFUNC_LSP_CACHE_DIR")
        .env_remove("NO_COLOR");
    command
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    command(cwd, args).output().expect("the binary runs")
}

/// What the cache said it did: (whole-app hit, functions checked, functions reused), from its
/// debug line.
fn cache_line(output: &Output) -> (bool, usize, usize) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains(" functions checked, "))
        .unwrap_or_else(|| panic!("no cache line in: {stderr}"));
    let number_before = |word: &str| -> usize {
        let before = &line[..line.find(word).unwrap()];
        before
            .split(|c: char| !c.is_ascii_digit())
            .rfind(|s| !s.is_empty())
            .unwrap()
            .parse()
            .unwrap()
    };
    (
        line.contains("whole-app hit"),
        number_before(" functions checked"),
        number_before(" reused"),
    )
}

/// How many of the app's modules the check had parsed when its rules were done, and how many
/// there are, from its debug line.
fn modules_parsed(output: &Output) -> (usize, usize) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains(" modules parsed in all"))
        .unwrap_or_else(|| panic!("no rules line in: {stderr}"));
    let numbers: Vec<usize> = line
        .rsplit("; ")
        .next()
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|s| s.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

/// The cached run's stdout and exit code equal the uncached run's.
fn assert_same_as_uncached(cwd: &Path, args: &[&str], cached: &Output) {
    let uncached = run(cwd, &[args, &["--no-cache"]].concat());
    assert_eq!(
        String::from_utf8_lossy(&cached.stdout),
        String::from_utf8_lossy(&uncached.stdout)
    );
    assert_eq!(cached.status.code(), uncached.status.code());
}

/// The repository's `rel` (an example or a fixture).
fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

/// A copy of the app at `rel` in a new temporary folder, under the app folder's own name.
fn app_copy(rel: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(Path::new(rel).file_name().unwrap());
    copy_dir(&repo_path(rel), &root);
    (dir, root)
}

fn orders_app() -> (tempfile::TempDir, PathBuf) {
    app_copy("examples/orders-app")
}

const V2_APP: &str = "tests/fixtures/lsp/v2-app";

/// The record files of the cache folder `cache`.
fn records(cache: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(cache.join(VERSION))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    out.sort();
    out
}

const CHECK: &[&str] = &["check", "--format", "json", "."];

#[test]
fn the_cache_folder_is_ignored_by_git_tagged_and_versioned() {
    let (_dir, root) = orders_app();
    let first = run(&root, CHECK);
    assert_eq!(cache_line(&first), (false, 5, 0));
    let cache = root.join(".azfunc_cache");
    let gitignore = std::fs::read_to_string(cache.join(".gitignore")).unwrap();
    assert!(gitignore.lines().any(|l| l == "*"), "{gitignore}");
    let tag = std::fs::read_to_string(cache.join("CACHEDIR.TAG")).unwrap();
    assert!(tag.starts_with("Signature: 8a477f597d28d172789f06886806bc55"));
    let records = records(&cache);
    assert_eq!(records.len(), 2, "{records:?}");
    for record in &records {
        // The magic, the format, a checksum, then the header with the version.
        let bytes = std::fs::read(record).unwrap();
        assert!(bytes.starts_with(b"azfcache"), "{record:?}");
        assert!(
            bytes
                .windows(VERSION.len())
                .any(|w| w == VERSION.as_bytes()),
            "{record:?}"
        );
    }
    // The cache is not part of the app: the second run sees the same files, a hit.
    let second = run(&root, CHECK);
    assert_eq!(cache_line(&second), (true, 0, 0));
    assert_same_as_uncached(&root, CHECK, &second);
    // git would ignore it.
    let git = Command::new("git")
        .args(["init", "--quiet"])
        .current_dir(&root)
        .status();
    if git.is_ok_and(|s| s.success()) {
        let status = Command::new("git")
            .args(["status", "--porcelain", "--untracked-files=all"])
            .current_dir(&root)
            .output()
            .unwrap();
        let status = String::from_utf8_lossy(&status.stdout);
        assert!(!status.contains(".azfunc_cache"), "{status}");
        assert!(status.contains("host.json"), "{status}");
    }
}

#[test]
fn a_damaged_cache_is_a_miss_and_is_written_again() {
    let (_dir, root) = orders_app();
    run(&root, CHECK);
    let records = records(&root.join(".azfunc_cache"));
    for (i, record) in records.iter().enumerate() {
        let bytes = std::fs::read(record).unwrap();
        let damaged = if i == 0 {
            bytes[..bytes.len() / 2].to_vec()
        } else {
            b"\x00\xffnot a record".to_vec()
        };
        std::fs::write(record, damaged).unwrap();
    }
    let output = run(&root, CHECK);
    assert_eq!(cache_line(&output), (false, 5, 0));
    assert_same_as_uncached(&root, CHECK, &output);
    let again = run(&root, CHECK);
    assert_eq!(cache_line(&again), (true, 0, 0));
    assert_same_as_uncached(&root, CHECK, &again);
}

#[test]
fn a_cache_that_cannot_be_written_changes_nothing() {
    let (dir, root) = orders_app();
    // A folder below a regular file cannot be created, even by root.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "").unwrap();
    let cache_dir = blocker.join("cache");
    let args = [CHECK, &["--cache-dir", cache_dir.to_str().unwrap()]].concat();
    for _ in 0..2 {
        let output = run(&root, &args);
        assert_eq!(cache_line(&output), (false, 5, 0));
        assert_same_as_uncached(&root, CHECK, &output);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("ERROR") && !stderr.contains("WARN"),
            "{stderr}"
        );
    }
    assert!(!root.join(".azfunc_cache").exists());
}

#[test]
fn another_selection_reuses_the_functions_but_not_the_output() {
    let (_dir, root) = orders_app();
    run(&root, CHECK);
    let select = [CHECK, &["--select", "AZF6"]].concat();
    let selected = run(&root, &select);
    assert_eq!(cache_line(&selected), (false, 0, 5));
    assert_same_as_uncached(&root, &select, &selected);
    assert_eq!(cache_line(&run(&root, &select)), (true, 0, 0));
    // And back: the output of the first selection was replaced, the functions stay.
    let all = run(&root, CHECK);
    assert_eq!(cache_line(&all), (false, 0, 5));
    assert_same_as_uncached(&root, CHECK, &all);
}

#[test]
fn text_and_file_scoped_runs_equal_uncached_runs() {
    let (_dir, root) = orders_app();
    let text = ["check", "--color", "never", "."];
    run(&root, &text);
    let output = run(&root, &text);
    assert_eq!(cache_line(&output), (true, 0, 0));
    assert_same_as_uncached(&root, &text, &output);
    let scoped = ["check", "--format", "json", "CreateOrder/__init__.py"];
    let output = run(&root, &scoped);
    // Never the whole app's output; the functions' diagnostics are reused.
    assert_eq!(cache_line(&output), (false, 0, 5));
    assert_same_as_uncached(&root, &scoped, &output);
}

/// A function.json app of 50 functions: every fifth loads `shared/common.py`.
fn fifty_functions(root: &Path) {
    std::fs::create_dir_all(root.join("shared")).unwrap();
    std::fs::write(root.join("host.json"), r#"{"version": "2.0"}"#).unwrap();
    std::fs::write(root.join("requirements.txt"), "azure-functions\n").unwrap();
    std::fs::write(root.join("shared/__init__.py"), "").unwrap();
    std::fs::write(
        root.join("shared/common.py"),
        "def greet():\n    return 1\n",
    )
    .unwrap();
    for i in 0..50 {
        let folder = root.join(format!("Func{i:02}"));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("function.json"),
            r#"{"bindings": [
  {"type": "httpTrigger", "direction": "in", "name": "req", "methods": ["get"]},
  {"type": "http", "direction": "out", "name": "$return"}
]}"#,
        )
        .unwrap();
        let import = if i % 5 == 0 {
            "from shared import common\n"
        } else {
            ""
        };
        std::fs::write(
            folder.join("__init__.py"),
            format!(
                "import azure.functions as func\n{import}\n\ndef main(req: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse('ok')\n"
            ),
        )
        .unwrap();
    }
}

#[test]
fn an_edit_rechecks_exactly_the_functions_that_load_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    fifty_functions(&root);
    assert_eq!(cache_line(&run(&root, CHECK)), (false, 50, 0));
    assert_eq!(cache_line(&run(&root, CHECK)), (true, 0, 0));

    // One function's script (with a mistake: a parameter no binding names).
    let script = root.join("Func07/__init__.py");
    let text = std::fs::read_to_string(&script).unwrap();
    std::fs::write(&script, text.replace("(req:", "(request:")).unwrap();
    let output = run(&root, CHECK);
    assert_eq!(cache_line(&output), (false, 1, 49));
    // The rules parse only the script they check again: the other 50 modules wait unparsed.
    assert_eq!(modules_parsed(&output), (1, 52));
    assert_same_as_uncached(&root, CHECK, &output);
    assert!(String::from_utf8_lossy(&output.stdout).contains("Func07"));

    // The shared module: the ten functions that import it.
    std::fs::write(
        root.join("shared/common.py"),
        "import os\n\ndef greet():\n    return 2\n",
    )
    .unwrap();
    let output = run(&root, CHECK);
    assert_eq!(cache_line(&output), (false, 10, 40));
    // The ten scripts and the package they import, `shared/__init__.py` and `common.py`.
    assert_eq!(modules_parsed(&output), (12, 52));
    assert_same_as_uncached(&root, CHECK, &output);

    // A root file: every function.
    std::fs::write(root.join("requirements.txt"), "azure-functions\nrequests\n").unwrap();
    assert_eq!(cache_line(&run(&root, CHECK)), (false, 50, 0));

    // A function folder appears: every function (the list of files changed).
    copy_dir(&root.join("Func01"), &root.join("Func50"));
    let output = run(&root, CHECK);
    assert_eq!(cache_line(&output), (false, 51, 0));
    assert_same_as_uncached(&root, CHECK, &output);
}

#[test]
fn the_cache_goes_beside_the_project_settings_or_where_asked() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    let root = project.join("apps/orders");
    copy_dir(&repo_path("examples/orders-app"), &root);
    std::fs::write(
        project.join("pyproject.toml"),
        "[tool.azfunc-lsp]\nignore = [\"AZF9\"]\n",
    )
    .unwrap();
    run(&root, CHECK);
    assert!(project.join(".azfunc_cache/.gitignore").is_file());
    assert!(!root.join(".azfunc_cache").exists());
    // Checking the project finds the one app, not anything in the cache.
    let from_project = run(&project, CHECK);
    assert_same_as_uncached(&project, CHECK, &from_project);

    let elsewhere = dir.path().join("elsewhere");
    let output = command(&root, CHECK)
        .env("AZFUNC_LSP_CACHE_DIR", &elsewhere)
        .output()
        .unwrap();
    assert_eq!(cache_line(&output), (false, 5, 0));
    assert!(elsewhere.join(VERSION).is_dir());
    let flag = dir.path().join("flag");
    let output = command(
        &root,
        &[CHECK, &["--cache-dir", flag.to_str().unwrap()]].concat(),
    )
    .env("AZFUNC_LSP_CACHE_DIR", &elsewhere)
    .output()
    .unwrap();
    // The flag wins over the variable: a new, empty cache.
    assert_eq!(cache_line(&output), (false, 5, 0));
    assert!(flag.join(VERSION).is_dir());

    // `clean` removes the caches of the apps found, and only folders it made.
    let clean = run(&project, &["clean"]);
    assert!(clean.status.success(), "{clean:?}");
    assert!(!project.join(".azfunc_cache").exists());
    std::fs::create_dir_all(project.join(".azfunc_cache/mine")).unwrap();
    let refused = run(&project, &["clean"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(project.join(".azfunc_cache/mine").is_dir());
}

#[test]
fn apps_inside_the_cache_folder_are_never_checked() {
    let (_dir, root) = orders_app();
    let stray = root.join(".azfunc_cache/stray");
    std::fs::create_dir_all(&stray).unwrap();
    std::fs::write(stray.join("host.json"), "{").unwrap();
    std::fs::write(stray.join("function_app.py"), "import nothing(\n").unwrap();
    let output = run(&root, CHECK);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("azfunc_cache"), "{stdout}");
    assert!(stdout.contains("\"app\": \".\""), "{stdout}");
    assert_same_as_uncached(&root, CHECK, &output);
}

#[test]
fn a_change_to_the_environment_is_a_miss() {
    let (dir, root) = app_copy("tests/fixtures/venv/venv-app");
    // Environment files changed in the last two seconds are not trusted: nothing is recorded.
    let output = run(&root, CHECK);
    assert_same_as_uncached(&root, CHECK, &output);
    assert!(!cache_line(&run(&root, CHECK)).0);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    run(&root, CHECK);
    assert_eq!(cache_line(&run(&root, CHECK)), (true, 0, 0));

    // A package uninstalled: which distribution provides `yaml` is no longer known.
    let site_packages = root.join(".venv/lib/python3.11/site-packages");
    let dist_info = site_packages.join("PyYAML-6.0.1.dist-info");
    let kept = dir.path().join("PyYAML-6.0.1.dist-info");
    std::fs::rename(&dist_info, &kept).unwrap();
    let output = run(&root, CHECK);
    assert!(!cache_line(&output).0);
    assert_same_as_uncached(&root, CHECK, &output);
    // And installed again.
    std::fs::rename(&kept, &dist_info).unwrap();
    let output = run(&root, CHECK);
    assert_same_as_uncached(&root, CHECK, &output);
}

/// Whether the run found its apps from the record of the last walk (no folder changed).
fn found_from_record(output: &Output) -> bool {
    String::from_utf8_lossy(&output.stderr).contains("no folder changed since its last walk")
}

fn walk_records(cache: &Path) -> usize {
    records(cache)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "walk"))
        .count()
}

#[test]
fn a_settled_walk_is_recorded_and_a_changed_folder_is_walked_again() {
    let (dir, root) = orders_app();
    let cache = root.join(".azfunc_cache");
    // Just copied: its folders changed moments ago, so their stamps are not trusted yet.
    let output = run(&root, CHECK);
    assert!(!found_from_record(&output));
    assert_eq!(walk_records(&cache), 0);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert!(!found_from_record(&run(&root, CHECK)));
    assert_eq!(walk_records(&cache), 1);
    let output = run(&root, CHECK);
    assert!(found_from_record(&output));
    assert_eq!(cache_line(&output), (true, 0, 0));
    assert_same_as_uncached(&root, CHECK, &output);

    // A script edited in place: no folder changed; the edit is seen by the file's stamp.
    let script = root.join("Health/__init__.py");
    let text = std::fs::read_to_string(&script).unwrap();
    std::fs::write(&script, text.replace("(req:", "(request:")).unwrap();
    let output = run(&root, CHECK);
    assert!(found_from_record(&output));
    assert_eq!(cache_line(&output), (false, 1, 4));
    assert_same_as_uncached(&root, CHECK, &output);
    assert!(String::from_utf8_lossy(&output.stdout).contains("Health/__init__.py"));

    // A function folder added: walked again, and the new function is checked.
    copy_dir(&root.join("Health"), &root.join("Ping"));
    let output = run(&root, CHECK);
    assert!(!found_from_record(&output));
    assert_eq!(cache_line(&output), (false, 6, 0));
    assert_same_as_uncached(&root, CHECK, &output);
    assert!(String::from_utf8_lossy(&output.stdout).contains("Ping/__init__.py"));
    // The folders changed just now: the old record, which can no longer match, is gone.
    assert_eq!(walk_records(&cache), 0);

    // A folder whose walk no app's cache folder would hold leaves nothing there.
    let output = run(dir.path(), CHECK);
    assert_same_as_uncached(dir.path(), CHECK, &output);
    assert!(!dir.path().join(".azfunc_cache").exists());
}

/// How many module summaries the run took from the cache, from its debug line.
fn summaries_reused(output: &Output) -> usize {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains(" module summaries reused"))
        .unwrap_or_else(|| panic!("no cache line in: {stderr}"));
    let before = &line[..line.find(" module summaries reused").unwrap()];
    before.rsplit(' ').next().unwrap().parse().unwrap()
}

fn record_kinds(cache: &Path) -> Vec<String> {
    let mut kinds: Vec<String> = records(cache)
        .iter()
        .filter_map(|p| Some(p.extension()?.to_string_lossy().into_owned()))
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

#[test]
fn a_decorator_app_parses_again_only_the_modules_that_changed() {
    let (_dir, root) = app_copy(V2_APP);
    let first = run(&root, CHECK);
    assert_eq!(summaries_reused(&first), 0);
    assert!(record_kinds(&root.join(".azfunc_cache")).contains(&"modules".to_string()));

    // One blueprint edited: its functions' module is parsed again, the other two are not.
    let blueprint = root.join("blueprints/jobs.py");
    let text = std::fs::read_to_string(&blueprint).unwrap();
    std::fs::write(&blueprint, format!("{text}\nimport missing_module\n")).unwrap();
    let output = run(&root, CHECK);
    assert_eq!(summaries_reused(&output), 2);
    assert_eq!(modules_parsed(&output), (3, 3));
    assert_same_as_uncached(&root, CHECK, &output);
    assert!(String::from_utf8_lossy(&output.stdout).contains("missing_module"));

    // The app script edited, then the blueprint back as it was: the record follows.
    let script = root.join("function_app.py");
    let script_text = std::fs::read_to_string(&script).unwrap();
    std::fs::write(&script, format!("{script_text}\n# a comment\n")).unwrap();
    let output = run(&root, CHECK);
    assert_eq!(summaries_reused(&output), 2);
    assert_same_as_uncached(&root, CHECK, &output);
    std::fs::write(&blueprint, text).unwrap();
    let output = run(&root, CHECK);
    assert_eq!(summaries_reused(&output), 2);
    assert_same_as_uncached(&root, CHECK, &output);

    // A function.json app keeps no summaries: it parses only what it reads.
    let (_dir, orders) = orders_app();
    run(&orders, CHECK);
    assert_eq!(
        record_kinds(&orders.join(".azfunc_cache")),
        ["app", "functions"]
    );
}

#[test]
fn checking_a_file_again_without_it_takes_over_the_summaries_already_made() {
    let (_dir, root) = app_copy(V2_APP);
    // The app is checked once more without the named file, to tell which findings it causes:
    // the two other modules' summaries are taken from the first check, with or without the
    // cache.
    let args = ["check", "--format", "json", "blueprints/jobs.py"];
    for extra in [&[][..], &["--no-cache"]] {
        let output = run(&root, &[&args[..], extra].concat());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("checking again: 2 of 2 module summaries taken over"),
            "{stderr}"
        );
    }
    let output = run(&root, &args);
    assert_same_as_uncached(&root, &args, &output);
}
