//! `azfunc-lsp check` and `azfunc-lsp rules`, run as the built binary from the repository root on
//! the apps in `tests/fixtures/cli/`.
//!
//! The assertions hold whatever rules exist; the snapshots of the mistake apps show what the
//! rules report and are re-accepted (`INSTA_UPDATE=always cargo test --test cli_check`) when
//! rules change.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use azfunc_lsp::analysis::rules::RULES;
use serde_json::Value;

const VALID: &str = "tests/fixtures/cli/valid_http";
const MISTAKE: &str = "tests/fixtures/cli/binding_name_mistake";
const BROKEN: &str = "tests/fixtures/cli/broken_function_json";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate is in server/")
        .to_path_buf()
}

/// Runs the binary with `args` in `cwd`, with a clean environment for colour and logging.
fn run_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("AZFUNC_LSP_LOG")
        // Checks of the fixtures keep their cache out of the source tree.
        .env(
            "AZFUNC_LSP_CACHE_DIR",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/check-cache"),
        )
        .output()
        .expect("the binary runs")
}

fn run(args: &[&str]) -> Output {
    run_in(&repo_root(), args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn valid_app_passes() {
    let output = run(&["check", VALID]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "All checks passed.\n");
    assert_eq!(stderr(&output), "");

    let quiet = run(&["check", "--quiet", VALID]);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(stdout(&quiet), "");

    // A path inside the app checks the app.
    let inside = run(&["check", &format!("{VALID}/HttpTrigger")]);
    assert_eq!(inside.status.code(), Some(0), "{}", stderr(&inside));
    assert_eq!(stdout(&inside), "All checks passed.\n");
}

#[test]
fn valid_app_in_every_format() {
    let output = run(&["check", "--format", "json", VALID]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        json(&output),
        serde_json::json!({"version": 1, "diagnostics": []})
    );

    let output = run(&["check", "--format", "github", VALID]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");

    let output = run(&["check", "--format", "sarif", VALID]);
    assert_eq!(output.status.code(), Some(0));
    let log = json(&output);
    assert_sarif_structure(&log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn missing_path_is_a_usage_error() {
    let output = run(&["check", "tests/fixtures/cli/does-not-exist"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("tests/fixtures/cli/does-not-exist"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn folder_without_an_app_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join("readme.md"), "# not an app\n").unwrap();
    let output = run_in(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no Azure Functions app found"),
        "{}",
        stderr(&output)
    );
    // The apps that were found are still checked.
    let valid = repo_root().join(VALID);
    let output = run_in(dir.path(), &["check", ".", valid.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "All checks passed.\n");
}

#[test]
fn bad_arguments_are_usage_errors() {
    for args in [
        &["check", "--format", "xml"][..],
        &["check", "--fail-on", "sometimes"],
        &["check", "--color", "purple"],
        &["frobnicate"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn version_flag() {
    let output = run(&["--version"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        format!("azfunc-lsp {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn json_output_has_the_documented_shape() {
    for app in [MISTAKE, BROKEN] {
        let output = run(&["check", "--format", "json", app]);
        assert!(matches!(output.status.code(), Some(0 | 1)), "{app}");
        let doc = json(&output);
        assert_eq!(doc["version"], 1);
        let diagnostics = doc["diagnostics"].as_array().expect("diagnostics array");
        for d in diagnostics {
            assert!(d["code"].as_str().unwrap().starts_with("AZF"), "{d}");
            assert!(
                ["error", "warning", "information", "hint"]
                    .contains(&d["severity"].as_str().unwrap()),
                "{d}"
            );
            assert_eq!(d["app"], app);
            assert!(d["file"].as_str().unwrap().starts_with(&format!("{app}/")));
            assert!(d["message"].is_string());
            assert!(d["function"].is_string() || d["function"].is_null());
            assert_range(&d["range"]);
            for r in d["related"].as_array().unwrap() {
                assert!(r["file"].is_string() && r["message"].is_string());
                assert_range(&r["range"]);
            }
            for f in d["fixes"].as_array().unwrap() {
                assert!(f["title"].is_string());
                for e in f["edits"].as_array().unwrap() {
                    assert!(e["file"].is_string() && e["newText"].is_string());
                    assert_range(&e["range"]);
                }
            }
        }
        // The exit code follows --fail-on.
        let errors = diagnostics.iter().any(|d| d["severity"] == "error");
        assert_eq!(output.status.code(), Some(i32::from(errors)), "{app}");
        let never = run(&["check", "--fail-on", "never", app]);
        assert_eq!(never.status.code(), Some(0));
        let any = !diagnostics.is_empty();
        let hint = run(&["check", "--fail-on", "hint", app]);
        assert_eq!(hint.status.code(), Some(i32::from(any)));
    }
}

/// A reader that stops early (`… | head`) ends the output, not the check: the exit code is the
/// findings' own, whatever the format, and nothing is reported on stderr. The report is long
/// enough (far over a pipe's buffer) to be written while the reader is gone.
#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("host.json"), r#"{"version": "2.0"}"#).unwrap();
    let mut script = String::from("import os\n\n\ndef main(req):\n    return req\n\n");
    for i in 0..2_000 {
        script.push_str(&format!("V{i} = os.environ[\"SETTING_{i}\"]\n"));
    }
    std::fs::create_dir(root.join("F")).unwrap();
    std::fs::write(
        root.join("F/function.json"),
        r#"{"bindings": [{"type": "httpTrigger", "name": "req", "direction": "in"}]}"#,
    )
    .unwrap();
    std::fs::write(root.join("F/__init__.py"), script).unwrap();
    std::fs::write(
        root.join("local.settings.json"),
        r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python"}}"#,
    )
    .unwrap();
    for format in ["json", "sarif", "text", "github"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"))
            .args([
                "check",
                "--no-cache",
                "--fail-on",
                "warning",
                "--format",
                format,
                ".",
            ])
            .current_dir(root)
            .env("NO_COLOR", "1")
            .env_remove("AZFUNC_LSP_LOG")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let mut head = [0u8; 4096];
        child
            .stdout
            .take()
            .unwrap()
            .read_exact(&mut head)
            .expect("the output starts");
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format}: {}",
            stderr(&output)
        );
        assert_eq!(stderr(&output), "", "{format}");
    }
}

fn assert_range(range: &Value) {
    for end in ["start", "end"] {
        for field in ["line", "column"] {
            assert!(
                range[end][field].as_u64().is_some_and(|n| n >= 1),
                "{range}"
            );
        }
    }
}

#[test]
fn sarif_output_has_the_required_structure() {
    for app in [MISTAKE, BROKEN] {
        let output = run(&["check", "--format", "sarif", app]);
        assert!(matches!(output.status.code(), Some(0 | 1)), "{app}");
        assert_sarif_structure(&json(&output));
    }
}

/// The parts of SARIF 2.1.0 that GitHub code scanning needs, checked by hand.
fn assert_sarif_structure(log: &Value) {
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif"));
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "azfunc-lsp");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), RULES.len());
    for (rule, meta) in rules.iter().zip(RULES) {
        assert_eq!(rule["id"], meta.code);
        assert_eq!(rule["name"], meta.name);
        assert!(rule["shortDescription"]["text"].is_string());
        assert!(rule["fullDescription"]["text"].is_string());
        assert!(rule["help"]["text"].is_string());
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
    }
    for result in runs[0]["results"].as_array().unwrap() {
        assert!(result["ruleId"].as_str().unwrap().starts_with("AZF"));
        let level = result["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level), "{result}");
        assert!(result["message"]["text"].is_string());
        if let Some(index) = result.get("ruleIndex") {
            assert_eq!(
                rules[index.as_u64().unwrap() as usize]["id"],
                result["ruleId"]
            );
        }
        let locations = result["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1);
        let mut physical: Vec<&Value> = vec![&locations[0]["physicalLocation"]];
        if let Some(related) = result.get("relatedLocations") {
            physical.extend(
                related
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| &r["physicalLocation"]),
            );
        }
        for location in physical {
            let uri = location["artifactLocation"]["uri"].as_str().unwrap();
            assert!(!uri.starts_with('/') && !uri.contains('\\'), "{uri}");
            let region = &location["region"];
            for field in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[field].as_u64().is_some_and(|n| n >= 1), "{region}");
            }
        }
        for fix in result
            .get("fixes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            assert!(fix["description"]["text"].is_string());
            for change in fix["artifactChanges"].as_array().unwrap() {
                assert!(change["artifactLocation"]["uri"].is_string());
                for replacement in change["replacements"].as_array().unwrap() {
                    assert!(replacement["deletedRegion"]["startLine"].is_u64());
                }
            }
        }
    }
}

#[test]
fn github_output_is_one_workflow_command_per_line() {
    for app in [MISTAKE, BROKEN] {
        let output = run(&["check", "--format", "github", app]);
        for line in stdout(&output).lines() {
            assert!(
                ["::error file=", "::warning file=", "::notice file="]
                    .iter()
                    .any(|p| line.starts_with(p)),
                "{line}"
            );
            assert!(line.contains(&format!("file={app}/")), "{line}");
        }
    }
}

#[test]
fn text_output_of_every_app_together_is_sorted_by_path() {
    let output = run(&["check", "--fail-on", "never", "tests/fixtures/cli"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let headers: Vec<String> = stdout(&output)
        .lines()
        .filter(|l| l.starts_with("tests/"))
        .map(|l| l.split(": ").next().unwrap().to_string())
        .collect();
    let mut sorted = headers.clone();
    sorted.sort_by_key(|h| {
        let mut parts = h.rsplitn(3, ':');
        let column: u32 = parts.next().unwrap().parse().unwrap();
        let line: u32 = parts.next().unwrap().parse().unwrap();
        (parts.next().unwrap().to_string(), line, column)
    });
    assert_eq!(headers, sorted);
    assert!(!headers.iter().any(|h| h.starts_with(VALID)));
}

#[test]
fn pyproject_settings_apply_and_unknown_codes_warn() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).unwrap();
    copy_dir(&repo_root().join(MISTAKE), &root.join("app"));
    std::fs::write(
        root.join("pyproject.toml"),
        "[tool.azfunc-lsp]\nignore = [\"AZF\", \"XYZ9\"]\nseverity = { AZF201 = \"off\" }\n",
    )
    .unwrap();
    let output = run_in(root, &["check", "app"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "All checks passed.\n");
    let err = stderr(&output);
    assert!(err.contains("warning:") && err.contains("'XYZ9'"), "{err}");

    // Flags add to the file's settings; unknown codes in flags warn too.
    let output = run_in(root, &["check", "--ignore", "QQQ", "app"]);
    assert!(stderr(&output).contains("'QQQ'"), "{}", stderr(&output));

    // A broken pyproject.toml is a warning, not a failure.
    std::fs::write(root.join("pyproject.toml"), "[tool.azfunc-lsp\n").unwrap();
    let output = run_in(root, &["check", "--fail-on", "never", "app"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("not valid TOML"),
        "{}",
        stderr(&output)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn rules_lists_and_explains_every_rule() {
    let output = run(&["rules"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    // The table (a header line and one line per rule), a blank line, then the severity policy.
    let (table, policy) = text
        .split_once("\n\n")
        .expect("the policy follows the table");
    assert_eq!(table.lines().count(), RULES.len() + 1, "{table}");
    assert!(
        policy.starts_with("An error means the runtime refuses"),
        "{policy}"
    );
    assert!(policy.contains("# azfunc: ignore[AZF201]"), "{policy}");
    for rule in RULES {
        let line = table
            .lines()
            .find(|l| l.starts_with(rule.code))
            .unwrap_or_else(|| panic!("{} is listed", rule.code));
        assert!(line.contains(rule.name) && line.contains(rule.severity.as_str()));

        let output = run(&["rules", &rule.code.to_lowercase()]);
        assert_eq!(output.status.code(), Some(0));
        let text = stdout(&output);
        assert!(text.starts_with(&format!("{} ({})", rule.code, rule.name)));
        assert!(text.contains(rule.explanation.trim()));
    }
}

#[test]
fn unknown_rule_is_a_usage_error() {
    let output = run(&["rules", "AZF9999"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown rule 'AZF9999'"));
    assert_eq!(stdout(&output), "");
    if let Some(rule) = RULES.first() {
        // One wrong character: a suggestion.
        let typo = format!("{}x", rule.code);
        let output = run(&["rules", &typo]);
        assert_eq!(output.status.code(), Some(2));
        assert!(
            stderr(&output).contains(&format!("did you mean '{}'", rule.code)),
            "{}",
            stderr(&output)
        );
    }
}

// Snapshots of the mistake apps. They change when rules land; review and re-accept them.

fn snapshot_output(args: &[&str]) -> String {
    let output = run(args);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    stdout(&output)
}

#[test]
fn snapshot_mistake_text() {
    insta::assert_snapshot!(snapshot_output(&["check", MISTAKE]));
}

#[test]
fn snapshot_mistake_json() {
    insta::assert_snapshot!(snapshot_output(&["check", "--format", "json", MISTAKE]));
}

#[test]
fn snapshot_mistake_sarif() {
    let text = snapshot_output(&["check", "--format", "sarif", MISTAKE]);
    let mut log: Value = serde_json::from_str(&text).unwrap();
    log["runs"][0]["tool"]["driver"]["version"] = Value::from("[version]");
    // The rule catalog is checked above; keep the snapshot to the results.
    log["runs"][0]["tool"]["driver"]["rules"] = Value::from("[RULES]");
    insta::assert_snapshot!(serde_json::to_string_pretty(&log).unwrap());
}

#[test]
fn snapshot_mistake_github() {
    insta::assert_snapshot!(snapshot_output(&["check", "--format", "github", MISTAKE]));
}

#[test]
fn snapshot_broken_function_json_text() {
    insta::assert_snapshot!(snapshot_output(&["check", BROKEN]));
}

#[test]
fn snapshot_broken_function_json_json() {
    insta::assert_snapshot!(snapshot_output(&["check", "--format", "json", BROKEN]));
}

const SETTINGS_MISTAKES: &str = "tests/fixtures/cli/settings_mistakes";

#[test]
fn snapshot_settings_mistakes_json() {
    insta::assert_snapshot!(snapshot_output(&[
        "check",
        "--format",
        "json",
        SETTINGS_MISTAKES
    ]));
}

#[test]
fn snapshot_settings_mistakes_text() {
    insta::assert_snapshot!(snapshot_output(&["check", SETTINGS_MISTAKES]));
}
