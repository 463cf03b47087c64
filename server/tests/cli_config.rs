//! `azfunc-lsp check` reads `pyproject.toml` with the loader's policy: a symbolic link out of the
//! project is not followed, and no message quotes the content of such a file.

#![cfg(unix)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A copy of the valid fixture app in a project folder (with `.git`), beside `environ`, a file
/// with fake secrets that is not valid TOML.
fn project() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    let app = project.join("app");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/cli/valid_http");
    copy_dir(&fixture, &app);
    fs::create_dir(project.join(".git")).unwrap();
    let environ = dir.path().join("environ");
    fs::write(
        &environ,
        b"[tool.azfunc-lsp]\nCI_TOKEN=ghp_FAKE_SECRET_0123456789\0HOME=/root\0",
    )
    .unwrap();
    (dir, project, environ)
}

fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for entry in fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dst.join(entry.file_name()));
        } else {
            fs::copy(entry.path(), dst.join(entry.file_name())).unwrap();
        }
    }
}

fn check(app: &Path) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"))
        .args(["check", "--format", "json"])
        .arg(app)
        .env_remove("AZFUNC_LSP_LOG")
        // Checks of the fixtures keep their cache out of the source tree.
        .env(
            "AZFUNC_LSP_CACHE_DIR",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/check-cache"),
        )
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), all)
}

#[test]
fn a_pyproject_link_out_of_the_project_leaks_nothing() {
    let (_dir, project, environ) = project();
    for link in [
        project.join("pyproject.toml"),
        project.join("app/pyproject.toml"),
    ] {
        std::os::unix::fs::symlink(&environ, &link).unwrap();
        let (code, output) = check(&project.join("app"));
        assert_eq!(code, Some(0), "{output}");
        assert!(!output.contains("FAKE_SECRET"), "{output}");
        assert!(!output.contains("HOME=/root"), "{output}");
        assert!(output.contains("outside"), "{output}");
        fs::remove_file(&link).unwrap();
    }
}

#[test]
fn a_bad_pyproject_inside_the_project_is_reported_by_position() {
    let (_dir, project, environ) = project();
    fs::copy(&environ, project.join("pyproject.toml")).unwrap();
    let (code, output) = check(&project.join("app"));
    assert_eq!(code, Some(0), "{output}");
    assert!(output.contains("not valid TOML"), "{output}");
    assert!(output.contains("line 2"), "{output}");
    assert!(!output.contains("FAKE_SECRET"), "{output}");
}
