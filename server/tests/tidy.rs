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

/// Rule codes are spelled only where rules are defined: everything else holds a `Rule` (a
/// diagnostic's `code`, the rule table), so renaming or retiring a rule cannot miss a string.
/// Test code may name codes; comments may too.
#[test]
fn rule_codes_are_spelled_only_in_rule_files() {
    let rules_dir = src("analysis/rules");
    let mut offenders = Vec::new();
    for file in rust_files(&src("")) {
        let in_rules = file.parent() == Some(rules_dir.as_path());
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        if in_rules && (name.starts_with("azf") || name == "mod.rs" || name == "test_support.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let mut previous = "";
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if previous == "#[cfg(test)]" && code.starts_with("mod ") {
                break; // the test module closes the file
            }
            previous = code;
            if code.starts_with("//") {
                continue;
            }
            let spelled = code
                .match_indices("\"AZF")
                .any(|(i, _)| matches!(code.as_bytes().get(i + 4), Some(b'0'..=b'9' | b'"')));
            if spelled {
                offenders.push(format!("{}:{}: {}", file.display(), n + 1, code));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "rule codes spelled outside rule files (use the rule's `Rule`):\n{}",
        offenders.join("\n")
    );
}
