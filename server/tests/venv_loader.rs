//! Finding an app's Python environment and reading its installed distributions' metadata.

use std::path::{Path, PathBuf};

use azfunc_lsp::loader::venv::{find_site_packages, load_environment, read_site_packages};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/venv")
        .join(name)
}

fn names(
    env: &azfunc_lsp::analysis::requirements::installed::Installed,
    module: &str,
) -> Vec<String> {
    env.providers(module)
        .iter()
        .map(|d| d.name.clone())
        .collect()
}

#[test]
fn a_dot_venv_is_found_and_read() {
    let app = fixture("venv-app");
    let env = load_environment(&app, None).expect("the .venv is found");
    assert!(env
        .site_packages
        .ends_with(".venv/lib/python3.11/site-packages"));
    let installed = &env.installed;
    assert_eq!(installed.distributions().len(), 5);
    assert_eq!(names(installed, "yaml"), ["PyYAML"]);
    assert_eq!(names(installed, "_yaml"), ["PyYAML"]);
    assert_eq!(
        names(installed, "azure.storage.blob.aio"),
        ["azure-storage-blob"]
    );
    assert_eq!(names(installed, "azure.core.exceptions"), ["azure-core"]);
    assert_eq!(names(installed, "requests"), ["requests"]);
    assert_eq!(names(installed, "win32api"), ["pywin32"]);
    assert_eq!(names(installed, "win32com.client"), ["pywin32"]);
    assert_eq!(names(installed, "pythoncom"), ["pywin32"]);
    // `azure` alone is a namespace, no distribution's import name.
    assert!(names(installed, "azure").is_empty());
    assert!(names(installed, "azure.identity").is_empty());
    // requests is not listed: it comes through azure-storage-blob → azure-core.
    assert_eq!(
        installed.comes_through("requests", &["azure-functions", "azure-storage-blob"]),
        ["azure-storage-blob"]
    );
    assert!(installed
        .comes_through("PyYAML", &["azure-functions", "azure-storage-blob"])
        .is_empty());
}

#[test]
fn python_packages_and_interpreters_are_found() {
    let app = fixture("packages-app");
    let env = load_environment(&app, None).expect(".python_packages is found");
    assert_eq!(names(&env.installed, "six"), ["six"]);

    // An interpreter given relative to the app, Unix layout.
    let venv_app = fixture("venv-app");
    let sp = find_site_packages(&venv_app, Some(Path::new(".venv/bin/python"))).unwrap();
    assert!(sp.ends_with(".venv/lib/python3.11/site-packages"));
    // The environment's folder works as well.
    assert_eq!(
        find_site_packages(&venv_app, Some(Path::new(".venv"))),
        Some(sp)
    );
    // An interpreter whose environment has no site-packages: nothing.
    assert!(find_site_packages(&venv_app, Some(Path::new("no-env/bin/python"))).is_none());
    // No environment at all.
    let empty = tempfile::tempdir().unwrap();
    assert!(load_environment(empty.path(), None).is_none());
}

#[test]
fn a_windows_layout_and_the_order_of_candidates() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path();
    let windows = app.join("venv/Lib/site-packages/six-1.16.0.dist-info");
    std::fs::create_dir_all(&windows).unwrap();
    std::fs::write(windows.join("RECORD"), "six.py,,\n").unwrap();
    let packages = app.join(".python_packages/lib/site-packages/attrs-23.1.0.dist-info");
    std::fs::create_dir_all(&packages).unwrap();
    std::fs::write(packages.join("RECORD"), "attr/__init__.py,,\n").unwrap();
    let env = load_environment(app, None).unwrap();
    // `venv` comes before `.python_packages`.
    assert!(env.site_packages.ends_with("venv/Lib/site-packages"));
    assert_eq!(names(&env.installed, "six"), ["six"]);
    let sp = find_site_packages(app, Some(Path::new("venv\\Scripts\\python.exe")));
    // A Windows path on Unix is one file name: its parents are the app, which has no layout.
    if cfg!(unix) {
        assert!(sp.is_none());
    } else {
        assert!(sp.is_some());
    }
}

#[cfg(unix)]
#[test]
fn links_out_fifos_and_large_files_are_not_read() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let secret_env = outside
        .path()
        .join("lib/python3.11/site-packages/evil-1.0.dist-info");
    std::fs::create_dir_all(&secret_env).unwrap();
    std::fs::write(secret_env.join("RECORD"), "evil.py,,\n").unwrap();

    let dir = tempfile::tempdir().unwrap();
    let app = dir.path();
    // A `.venv` that links out of the app is not used.
    symlink(outside.path(), app.join(".venv")).unwrap();
    assert!(find_site_packages(app, None).is_none());

    // Inside a real environment: a linked dist-info folder, a linked file, a FIFO and a file
    // over the size limit are skipped; the good folder is read.
    let sp = app.join("venv/lib/python3.11/site-packages");
    std::fs::create_dir_all(&sp).unwrap();
    symlink(&secret_env, sp.join("evil-1.0.dist-info")).unwrap();
    let odd = sp.join("odd-1.0.dist-info");
    std::fs::create_dir_all(&odd).unwrap();
    symlink(secret_env.join("RECORD"), odd.join("RECORD")).unwrap();
    let fifo = std::ffi::CString::new(odd.join("METADATA").to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let big = sp.join("big-1.0.dist-info");
    std::fs::create_dir_all(&big).unwrap();
    let record =
        "big.py,,\n".repeat((azfunc_lsp::loader::venv::MAX_METADATA_FILE / 9 + 1) as usize);
    std::fs::write(big.join("RECORD"), record).unwrap();
    let good = sp.join("good-1.0.dist-info");
    std::fs::create_dir_all(&good).unwrap();
    std::fs::write(good.join("METADATA"), "Name: good\n").unwrap();
    std::fs::write(good.join("RECORD"), "good/__init__.py,,\n").unwrap();

    assert_eq!(find_site_packages(app, None), Some(sp.clone()));
    let installed = read_site_packages(&sp);
    let listed: Vec<(&str, &[String])> = installed
        .distributions()
        .iter()
        .map(|d| (d.name.as_str(), d.import_names.as_slice()))
        .collect();
    // `big` and `odd` are there by their folder names, with nothing read from their files.
    assert_eq!(
        listed,
        [
            ("big", &[][..]),
            ("good", &["good".to_string()][..]),
            ("odd", &[][..])
        ]
    );
    assert!(names(&installed, "evil").is_empty());
}
