//! `azfunc-lsp migrate`: the diff it prints, the refusal report, `--out` and `--write`.

mod cli_support;

use std::path::{Path, PathBuf};

use cli_support::{copy_dir, run, snapshot};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/migrate")
        .join(name)
}

/// A copy of a fixture app in a temporary folder, run from that folder.
fn copied(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join(name);
    copy_dir(&fixture(name), &app);
    (dir, app)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn by_default_the_change_is_printed_as_a_diff_and_nothing_is_written() {
    let (dir, app) = copied("cli_app");
    let before = snapshot(&app);
    let out = run(dir.path(), &["migrate", "cli_app"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    insta::assert_snapshot!("migrate_diff", stdout(&out));
    assert_eq!(snapshot(&app), before);
}

#[test]
fn blueprints_are_one_module_per_folder() {
    let (dir, _app) = copied("cli_app");
    let out = run(dir.path(), &["migrate", "cli_app", "--blueprints"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let diff = stdout(&out);
    let created: Vec<&str> = diff
        .lines()
        .filter_map(|l| l.strip_prefix("+++ b/"))
        .collect();
    assert_eq!(
        created,
        [
            "HttpHello_blueprint.py",
            "function_app.py",
            "host.json",
            "nightly_report_blueprint.py"
        ]
    );
    insta::assert_snapshot!("migrate_blueprints_diff", diff);
}

#[test]
fn an_app_that_cannot_be_converted_faithfully_is_reported_and_left_alone() {
    let (dir, app) = copied("cli_refused");
    let before = snapshot(&app);
    for args in [
        &["migrate", "cli_refused"][..],
        &["migrate", "cli_refused", "--write"],
    ] {
        let out = run(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        insta::assert_snapshot!("migrate_refused", stdout(&out));
        assert_eq!(snapshot(&app), before);
    }
}

#[test]
fn out_writes_the_converted_app_to_a_new_folder_and_write_converts_in_place() {
    let (dir, app) = copied("cli_app");
    let before = snapshot(&app);
    let out = run(dir.path(), &["migrate", "cli_app", "--out", "converted"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    insta::assert_snapshot!("migrate_out_summary", stdout(&out));
    assert_eq!(snapshot(&app), before, "--out leaves the app alone");
    let converted = snapshot(&dir.path().join("converted"));
    assert!(converted.contains_key(Path::new("function_app.py")));
    assert!(converted.contains_key(Path::new("HttpHello/greeting.py")));
    assert!(!converted.contains_key(Path::new("HttpHello/function.json")));

    // A folder that is not empty is refused.
    let again = run(dir.path(), &["migrate", "cli_app", "--out", "converted"]);
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));

    // In place: the same files as --out wrote.
    let out = run(dir.path(), &["migrate", "cli_app", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(snapshot(&app), converted);

    // The converted app is no longer a function.json app: a second run is refused.
    let out = run(dir.path(), &["migrate", "cli_app"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

#[test]
fn out_leaves_the_check_cache_behind() {
    let (dir, app) = copied("cli_app");
    std::fs::create_dir_all(app.join(".azfunc_cache/0.1.0")).unwrap();
    std::fs::write(app.join(".azfunc_cache/0.1.0/record.json"), "{}").unwrap();
    let out = run(dir.path(), &["migrate", "cli_app", "--out", "converted"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let converted = snapshot(&dir.path().join("converted"));
    assert!(converted.contains_key(Path::new("function_app.py")));
    assert!(
        converted.keys().all(|p| !p.starts_with(".azfunc_cache")),
        "{converted:?}"
    );
}

#[test]
fn out_and_write_exclude_each_other() {
    let (dir, _app) = copied("cli_app");
    let out = run(dir.path(), &["migrate", "cli_app", "--write", "--out", "x"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
