//! Architecture invariants that a reviewer would otherwise have to check by eye.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn src(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(sub)
}

/// The analysis core works on text it is given: no I/O, no protocol types, no async runtime.
#[test]
fn analysis_core_has_no_io_and_no_protocol_types() {
    let forbidden = [
        "std::fs",
        "std::net",
        "tower_lsp",
        "ls_types",
        "lsp_types",
        "tokio",
        "serde_json",
        "std::process",
    ];
    for file in rust_files(&src("analysis")) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in forbidden {
                assert!(
                    !code.contains(word),
                    "{}:{}: `{word}` in the analysis core",
                    file.display(),
                    n + 1
                );
            }
        }
    }
}

/// stdout belongs to JSON-RPC in server mode: only the CLI prints.
#[test]
fn only_the_cli_prints() {
    for dir in ["analysis", "lsp"] {
        for file in rust_files(&src(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                assert!(
                    !(code.starts_with("println!")
                        || code.starts_with("print!")
                        || code.starts_with("eprintln!")
                        || code.starts_with("dbg!")),
                    "{}:{}: printing outside the CLI",
                    file.display(),
                    n + 1
                );
            }
        }
    }
}

/// One rule per file: the file's first line names its code, and the file has tests.
#[test]
fn every_rule_file_is_documented_and_tested() {
    let mut count = 0;
    for file in rust_files(&src("analysis/rules")) {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let Some(code) = name.strip_prefix("azf").and_then(|r| r.get(..3)) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let code = format!("AZF{code}");
        assert!(
            text.starts_with(&format!("//! {code}: ")),
            "{name}: first line must be `//! {code}: …`"
        );
        assert!(
            text.contains(&format!("code: \"{code}\"")),
            "{name}: META.code must be {code}"
        );
        assert!(text.contains("#[cfg(test)]"), "{name}: no tests");
        count += 1;
    }
    assert_eq!(
        count,
        azfunc_lsp::analysis::rules::RULES.len(),
        "a rule file is not registered, or a registered rule has no file"
    );
}
