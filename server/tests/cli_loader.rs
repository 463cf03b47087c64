//! The loader: app root detection, the skip list, the content policy, symlinks and unreadable
//! files, on temporary folders.

use std::fs;
use std::path::{Path, PathBuf};

use azfunc_lsp::analysis::FileContent;
use azfunc_lsp::loader::{self, find_app_roots, find_app_roots_under, load_app, MAX_FILE_SIZE};

/// Writes `files` (path → content) below `root`.
fn write_tree(root: &Path, files: &[(&str, &[u8])]) {
    for (path, content) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
}

/// A temporary folder with a `.git` folder, so that walking up stops there.
fn repo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = loader::absolute(&fs::canonicalize(dir.path()).unwrap()).unwrap();
    fs::create_dir(root.join(".git")).unwrap();
    (dir, root)
}

/// Roots relative to `base`, for readable assertions.
fn rel(roots: &[PathBuf], base: &Path) -> Vec<String> {
    roots
        .iter()
        .map(|r| loader::display_relative(r, base))
        .collect()
}

const FUNCTION_JSON: &[u8] = br#"{"bindings": []}"#;

#[test]
fn finds_roots_by_host_json_function_app_py_and_function_folders() {
    let (_dir, root) = repo();
    write_tree(
        &root,
        &[
            ("v1/host.json", b"{}"),
            ("v1/HttpTrigger/function.json", FUNCTION_JSON),
            ("v1/HttpTrigger/__init__.py", b""),
            ("v2/function_app.py", b""),
            ("bare/Timer/function.json", FUNCTION_JSON),
            ("nested/outer/host.json", b"{}"),
            ("nested/outer/inner/host.json", b"{}"),
            // A function.json deep inside an app is not another app.
            ("v1/data/samples/function.json", FUNCTION_JSON),
            ("docs/readme.md", b""),
        ],
    );
    let roots = find_app_roots(std::slice::from_ref(&root)).unwrap();
    assert_eq!(
        rel(&roots, &root),
        ["bare", "nested/outer", "nested/outer/inner", "v1", "v2"]
    );
}

#[test]
fn a_path_inside_an_app_resolves_to_the_app() {
    let (_dir, root) = repo();
    write_tree(
        &root,
        &[
            ("app/host.json", b"{}"),
            ("app/HttpTrigger/function.json", FUNCTION_JSON),
            ("app/HttpTrigger/__init__.py", b""),
            ("app/shared/util.py", b""),
            ("bare/Timer/function.json", FUNCTION_JSON),
            ("bare/Timer/__init__.py", b""),
        ],
    );
    for inside in [
        "app/HttpTrigger",
        "app/shared",
        "app/HttpTrigger/__init__.py",
        "app/host.json",
    ] {
        let roots = find_app_roots_under(&root.join(inside)).unwrap();
        assert_eq!(rel(&roots, &root), ["app"], "{inside}");
    }
    // Without host.json, a function folder's parent is the app.
    let roots = find_app_roots_under(&root.join("bare/Timer")).unwrap();
    assert_eq!(rel(&roots, &root), ["bare"]);
    // Paths are de-duplicated.
    let roots = find_app_roots(&[root.join("app"), root.join("app/shared")]).unwrap();
    assert_eq!(rel(&roots, &root), ["app"]);
}

#[test]
fn walking_up_stops_at_the_repository_top() {
    let (_dir, root) = repo();
    write_tree(&root, &[("host.json", b"{}"), ("sub/repo/.git/HEAD", b"")]);
    fs::create_dir_all(root.join("sub/repo/src")).unwrap();
    let roots = find_app_roots_under(&root.join("sub/repo/src")).unwrap();
    assert!(roots.is_empty(), "{roots:?}");
    let roots = find_app_roots_under(&root.join("sub")).unwrap();
    assert_eq!(rel(&roots, &root), ["."]);
}

#[test]
fn missing_paths_are_errors_and_empty_folders_have_no_app() {
    let (_dir, root) = repo();
    assert!(find_app_roots(&[root.join("nope")]).is_err());
    fs::create_dir(root.join("empty")).unwrap();
    assert!(find_app_roots(&[root.join("empty")]).unwrap().is_empty());
}

#[test]
fn skips_virtual_environments_caches_and_vcs_folders() {
    let (_dir, root) = repo();
    let mut files: Vec<(String, &[u8])> = loader::SKIPPED_DIRS
        .iter()
        .map(|d| (format!("app/{d}/pkg/host.json"), b"{}" as &[u8]))
        .collect();
    files.extend([
        ("app/host.json".to_string(), b"{}" as &[u8]),
        ("app/env/pyvenv.cfg".to_string(), b"home = /usr" as &[u8]),
        ("app/env/lib/site.py".to_string(), b"" as &[u8]),
        ("app/env/lib/function_app.py".to_string(), b"" as &[u8]),
        ("app/F/__init__.py".to_string(), b"" as &[u8]),
        ("app/.hidden/x.py".to_string(), b"" as &[u8]),
    ]);
    let files: Vec<(&str, &[u8])> = files.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    write_tree(&root, &files);

    let roots = find_app_roots(std::slice::from_ref(&root)).unwrap();
    assert_eq!(rel(&roots, &root), ["app"]);
    let app = load_app(&root.join("app"), "app".into());
    let keys: Vec<&str> = app.files.keys().map(String::as_str).collect();
    assert_eq!(keys, [".hidden/x.py", "F/__init__.py", "host.json"]);
}

#[test]
fn nested_app_roots_belong_to_their_own_app() {
    let (_dir, root) = repo();
    write_tree(
        &root,
        &[
            ("host.json", b"{}"),
            ("F/function.json", FUNCTION_JSON),
            ("tools/v2/function_app.py", b""),
            ("tools/v2/helper.py", b""),
            ("tools/readme.md", b""),
        ],
    );
    let app = load_app(&root, ".".into());
    let keys: Vec<&str> = app.files.keys().map(String::as_str).collect();
    assert_eq!(keys, ["F/function.json", "host.json", "tools/readme.md"]);
    let nested = load_app(&root.join("tools/v2"), "tools/v2".into());
    assert_eq!(nested.files.len(), 2);
}

#[test]
fn content_policy() {
    let (_dir, root) = repo();
    let mut big = vec![b'#'; 16];
    big.extend(std::iter::repeat_n(b'x', 1024));
    write_tree(
        &root,
        &[
            ("host.json", b"\xEF\xBB\xBF{\"version\": \"2.0\"}"),
            ("local.settings.json", b"{\"Values\": {\"K\": \"caf\xE9\"}}"),
            ("requirements.txt", b"azure-functions\n"),
            ("requirements-dev.txt", b"pytest\n"),
            (".funcignore", b".venv\n"),
            ("pyproject.toml", b"[tool.azfunc-lsp]\n"),
            ("F/function.json", FUNCTION_JSON),
            ("F/__init__.py", b"def main(req):\n    pass\n"),
            ("F/stubs.pyi", b"x: int\n"),
            ("F/latin1.py", b"# caf\xE9\n"),
            ("F/binary.py", b"abc\0def"),
            ("F/binary.json", b"{\"a\": \"\0\"}"),
            ("F/data.csv", b"a,b\n"),
            ("F/image.png", b"\x89PNG\0\0"),
            ("README.md", b"# app\n"),
        ],
    );
    let app = load_app(&root, "app".into());
    assert_eq!(app.root, "app");
    assert_eq!(app.text("host.json"), Some("{\"version\": \"2.0\"}"));
    assert_eq!(
        app.text("local.settings.json"),
        Some("{\"Values\": {\"K\": \"caf\u{FFFD}\"}}")
    );
    for text in [
        "requirements.txt",
        "requirements-dev.txt",
        ".funcignore",
        "pyproject.toml",
        "F/function.json",
        "F/__init__.py",
        "F/stubs.pyi",
    ] {
        assert!(
            app.text(text).is_some(),
            "{text}: {:?}",
            app.files.get(text)
        );
    }
    assert_eq!(app.files["F/latin1.py"], FileContent::NotUtf8);
    // CPython refuses a module with a NUL byte: it is read so that the analysis can say so.
    assert_eq!(app.text("F/binary.py"), Some("abc\0def"));
    assert_eq!(app.files["F/data.csv"], FileContent::NotLoaded);
    assert_eq!(app.files["F/image.png"], FileContent::NotLoaded);
    assert_eq!(app.files["README.md"], FileContent::NotLoaded);
    // binary.json is neither a JSON file the analysis reads nor Python.
    assert_eq!(app.files["F/binary.json"], FileContent::NotLoaded);
}

#[test]
fn large_files_are_not_read() {
    let (_dir, root) = repo();
    write_tree(&root, &[("host.json", b"{}")]);
    fs::create_dir(root.join("F")).unwrap();
    let file = fs::File::create(root.join("F/__init__.py")).unwrap();
    file.set_len(MAX_FILE_SIZE + 1).unwrap();
    let file = fs::File::create(root.join("F/function.json")).unwrap();
    file.set_len(MAX_FILE_SIZE).unwrap();
    let app = load_app(&root, ".".into());
    assert_eq!(
        app.files["F/__init__.py"],
        FileContent::TooLarge(MAX_FILE_SIZE + 1)
    );
    // Exactly at the limit is read (a JSON file of NUL bytes stays text).
    assert!(matches!(app.files["F/function.json"], FileContent::Text(_)));
}

#[test]
fn files_around_the_first_read_are_read_whole() {
    // The loader reads the first 16 KiB without asking for the size, then the rest.
    let (_dir, root) = repo();
    write_tree(&root, &[("host.json", b"{}")]);
    let sizes = [0usize, 1, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 40_000];
    let line = "x = 'abcdefghijklmnopqrstuvwxyz'\n";
    for size in sizes {
        let text: String = line.chars().cycle().take(size).collect();
        write_tree(&root, &[(&format!("F/m{size}.py"), text.as_bytes())]);
    }
    let app = load_app(&root, ".".into());
    for size in sizes {
        let expected: String = line.chars().cycle().take(size).collect();
        assert_eq!(app.text(&format!("F/m{size}.py")), Some(expected.as_str()));
    }
}

#[cfg(unix)]
#[test]
fn symlinks_never_lead_out_of_the_app_or_into_a_loop() {
    use std::os::unix::fs::symlink;

    let (_dir, root) = repo();
    write_tree(
        &root,
        &[
            ("app/host.json", b"{}"),
            ("app/F/__init__.py", b"x = 1\n"),
            ("secret/token.py", b"SECRET = 1\n"),
            ("secret/more/host.json", b"{}"),
        ],
    );
    let app_dir = root.join("app");
    symlink("..", app_dir.join("F/loop")).unwrap();
    symlink(&app_dir, app_dir.join("F/self")).unwrap();
    symlink(root.join("secret/token.py"), app_dir.join("F/token.py")).unwrap();
    symlink(root.join("secret"), app_dir.join("F/secret_dir")).unwrap();
    symlink("__init__.py", app_dir.join("F/alias.py")).unwrap();
    symlink("missing.py", app_dir.join("F/dangling.py")).unwrap();

    let roots = find_app_roots(std::slice::from_ref(&app_dir)).unwrap();
    assert_eq!(rel(&roots, &root), ["app"]);
    let app = load_app(&app_dir, "app".into());
    let keys: Vec<&str> = app.files.keys().map(String::as_str).collect();
    assert_eq!(keys, ["F/__init__.py", "F/alias.py", "host.json"]);
    assert_eq!(app.text("F/alias.py"), Some("x = 1\n"));
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_data() {
    use std::os::unix::fs::PermissionsExt;

    let (_dir, root) = repo();
    write_tree(
        &root,
        &[
            ("host.json", b"{}"),
            ("F/function.json", FUNCTION_JSON),
            ("F/__init__.py", b"x = 1\n"),
            ("Locked/function.json", FUNCTION_JSON),
            ("Locked/__init__.py", b""),
        ],
    );
    let locked = root.join("Locked");
    let script = root.join("F/__init__.py");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    // Root (as in many containers) reads through permissions: then only "no panic" is checked.
    let enforced = fs::read_dir(&locked).is_err();

    let roots = find_app_roots(std::slice::from_ref(&root));
    let app = load_app(&root, ".".into());

    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o644)).unwrap();

    assert_eq!(rel(&roots.unwrap(), &root), ["."]);
    assert!(app.text("host.json").is_some());
    if enforced {
        assert!(
            matches!(app.files.get("Locked"), Some(FileContent::Unreadable(_))),
            "{:?}",
            app.files
        );
        assert!(!app.files.keys().any(|k| k.starts_with("Locked/")));
        assert!(matches!(
            app.files.get("F/__init__.py"),
            Some(FileContent::Unreadable(_))
        ));
    } else {
        assert!(app.text("Locked/function.json").is_some());
    }
}

#[test]
fn many_function_folders_load_completely() {
    let (_dir, root) = repo();
    write_tree(&root, &[("host.json", b"{}")]);
    for i in 0..300 {
        write_tree(
            &root,
            &[
                (&format!("F{i}/function.json"), FUNCTION_JSON),
                (&format!("F{i}/__init__.py"), b"def main(req): pass\n"),
            ],
        );
    }
    let app = load_app(&root, ".".into());
    assert_eq!(app.files.len(), 601);
    assert!(app
        .files
        .values()
        .all(|c| matches!(c, FileContent::Text(_))));
}

#[test]
fn display_paths_are_relative_with_forward_slashes() {
    let base = Path::new("/work/repo");
    assert_eq!(
        loader::display_relative(Path::new("/work/repo/apps/a"), base),
        "apps/a"
    );
    assert_eq!(loader::display_relative(Path::new("/work/repo"), base), ".");
    assert_eq!(
        loader::display_relative(Path::new("/work/other/a"), base),
        "../other/a"
    );
}
