//! The rule settings read the same from TOML (`[tool.azfunc-lsp]` in `pyproject.toml`) and JSON
//! (the editor's `azfunc` settings): one type, the same accepted values, the same problems.

use azfunc_lsp::analysis::config::{Level, RuleSettings};
use azfunc_lsp::analysis::{Config, Severity};
use azfunc_lsp::cli::config::parse_pyproject;
use azfunc_lsp::lsp::config::ClientSettings;

fn from_toml(body: &str) -> RuleSettings {
    parse_pyproject(&format!("[tool.azfunc-lsp]\n{body}\n"))
        .expect("valid TOML")
        .expect("the table is there")
}

fn from_json(text: &str) -> RuleSettings {
    ClientSettings::from_value(&serde_json::from_str(text).expect("valid JSON"))
}

/// The same settings in both formats, valid ones and ones with every kind of mistake.
const PAIRS: &[(&str, &str)] = &[
    (
        r#"select = ["AZF2", " AZF301 "]
ignore = "AZF106, AZF6,,"
severity = { AZF203 = "Warning", AZF4 = "off", AZF5 = "NONE", AZF6 = "ignore", AZF1 = "warn", AZF2 = "info", AZF3 = "hint", AZF7 = "error" }"#,
        r#"{"select": ["AZF2", " AZF301 "], "ignore": "AZF106, AZF6,,",
            "severity": {"AZF203": "Warning", "AZF4": "off", "AZF5": "NONE", "AZF6": "ignore",
                         "AZF1": "warn", "AZF2": "info", "AZF3": "hint", "AZF7": "error"}}"#,
    ),
    (r#"select = []"#, r#"{"select": []}"#),
    (
        r#"select = 1
ignore = ["AZF1", 2, true, 1.5, ["x"], { a = 1 }]
severity = { AZF1 = "fatal", AZF2 = 3, AZF3 = ["error"] }
colour = "blue""#,
        r#"{"select": 1, "ignore": ["AZF1", 2, true, 1.5, ["x"], {"a": 1}],
            "severity": {"AZF1": "fatal", "AZF2": 3, "AZF3": ["error"]}, "colour": "blue"}"#,
    ),
    (r#"ignore = { AZF1 = "x" }"#, r#"{"ignore": {"AZF1": "x"}}"#),
    (r#"severity = "AZF1""#, r#"{"severity": "AZF1"}"#),
    (
        r#"severity = ["AZF1"]"#,
        r#"{"azfunc": {"severity": ["AZF1"]}}"#,
    ),
    (
        r#"exclude = ["build", "tests/fixtures/**"]
extend-exclude = "legacy, a/[b"
per-file-ignores = { "scripts/*.py" = ["AZF6"], "tools.py" = "AZF2, AZF3", "x" = 1 }"#,
        r#"{"exclude": ["build", "tests/fixtures/**"], "extendExclude": "legacy, a/[b",
            "perFileIgnores": {"scripts/*.py": ["AZF6"], "tools.py": "AZF2, AZF3", "x": 1}}"#,
    ),
    (
        r#"per-file-ignores = ["x"]"#,
        r#"{"per-file-ignores": ["x"]}"#,
    ),
    (
        r#"python = "envs/prod/bin/python""#,
        r#"{"python": "envs/prod/bin/python"}"#,
    ),
    (r#"python = ["x"]"#, r#"{"python": ["x"]}"#),
];

#[test]
fn the_interpreter() {
    let settings = from_toml(PAIRS[8].0);
    assert_eq!(settings.python.as_deref(), Some("envs/prod/bin/python"));
    assert!(settings.problems.is_empty(), "{:?}", settings.problems);
    let config = settings.over(&Config::default());
    assert_eq!(
        config.python.as_deref(),
        Some(std::path::Path::new("envs/prod/bin/python"))
    );
    // The editor's setting wins over the project's; absent, the project's stays.
    let editor = from_json(r#"{"python": "/opt/venv"}"#).over(&config);
    assert_eq!(
        editor.python.as_deref(),
        Some(std::path::Path::new("/opt/venv"))
    );
    assert_eq!(from_json("{}").over(&config).python, config.python);
    let wrong = from_toml(PAIRS[9].0);
    assert_eq!(wrong.python, None);
    assert_eq!(
        wrong.problems,
        ["'python' must be the path of an interpreter or of its environment"]
    );
}

#[test]
fn paths_and_per_file_ignores() {
    let settings = from_toml(PAIRS[6].0);
    assert_eq!(
        settings.exclude.as_deref(),
        Some(&["build".to_string(), "tests/fixtures/**".to_string()][..])
    );
    assert_eq!(settings.extend_exclude, ["legacy"]);
    assert_eq!(
        settings.per_file_ignores.len(),
        2,
        "the entry without codes is left out"
    );
    let problems = settings.problems.join("\n");
    assert!(
        problems.contains("'a/[b' is not a valid glob"),
        "{problems}"
    );
    assert!(
        problems.contains("'per-file-ignores.x' must be an array of strings, found integer"),
        "{problems}"
    );
    let config = settings.over(&Config::default());
    // `exclude` replaced the defaults; `extend-exclude` added to it.
    assert!(config.excluded("build/x.py") && config.excluded("legacy/y.py"));
    assert!(config.excluded("tests/fixtures/app/host.json"));
    assert!(
        !config.excluded(".venv/lib/z.py"),
        "the defaults were replaced"
    );
    assert!(!config.enabled_in("AZF607", "scripts/seed.py"));
    assert!(
        config.enabled_in("AZF607", "scripts/sub/seed.py"),
        "`*` stops at `/`"
    );
    assert!(!config.enabled_in("AZF201", "any/where/tools.py"));
    assert!(config.enabled_in("AZF101", "tools.py"));
    // Editor settings on top of the project's: `extend-exclude` adds to the project's list.
    let editor = from_json(r#"{"extendExclude": ["generated"]}"#).over(&config);
    assert!(editor.excluded("generated/a.py") && editor.excluded("legacy/y.py"));
    assert!(!from_toml(PAIRS[7].0).problems.is_empty());
}

#[test]
fn the_same_settings_in_toml_and_json_are_equal() {
    for (toml, json) in PAIRS {
        let mut a = from_toml(toml);
        let mut b = from_json(json);
        // Problems come in key order in both, but compare them as sets to be sure.
        a.problems.sort();
        b.problems.sort();
        assert_eq!(a, b, "TOML:\n{toml}\nJSON:\n{json}");
    }
}

#[test]
fn accepted_values_and_problems() {
    let valid = from_toml(PAIRS[0].0);
    assert_eq!(valid.problems, Vec::<String>::new());
    assert_eq!(
        valid.select.as_deref(),
        Some(&["AZF2".to_string(), "AZF301".to_string()][..])
    );
    assert_eq!(valid.ignore, ["AZF106", "AZF6"]);
    assert_eq!(valid.severity["AZF203"], Level::On(Severity::Warning));
    assert_eq!(valid.severity["AZF1"], Level::On(Severity::Warning));
    assert_eq!(valid.severity["AZF2"], Level::On(Severity::Information));
    for off in ["AZF4", "AZF5", "AZF6"] {
        assert_eq!(valid.severity[off], Level::Off, "{off}");
    }
    let config = valid.over(&Config::default());
    assert_eq!(config.ignore, ["AZF106", "AZF6", "AZF4", "AZF5", "AZF6"]);

    let invalid = from_json(PAIRS[2].1);
    assert_eq!(invalid.select, None, "a wrong type leaves select unset");
    assert_eq!(invalid.ignore, ["AZF1"], "only the strings are kept");
    assert!(invalid.severity.is_empty());
    let problems = invalid.problems.join("\n");
    for expected in [
        "'select' must be an array of strings, found integer",
        "'ignore' must hold strings, found integer",
        "'ignore' must hold strings, found boolean",
        "'ignore' must hold strings, found float",
        "'ignore' must hold strings, found array",
        "'ignore' must hold strings, found table",
        "severity of 'AZF1': 'fatal' is not one of error, warning, information, hint, off",
        "severity of 'AZF2' must be a string",
        "severity of 'AZF3' must be a string",
        "unknown key 'colour'",
    ] {
        assert!(problems.contains(expected), "{expected}\nin\n{problems}");
    }
    assert_eq!(invalid.problems.len(), 10, "{problems}");
}

/// A TOML datetime reaches serde as its text: a code that matches no rule, which the checker
/// warns about like any other unknown code.
#[test]
fn a_toml_datetime_is_an_unknown_code() {
    let settings = from_toml("select = [1979-05-27T07:32:00Z]");
    assert_eq!(
        settings.over(&Config::default()).unknown_codes(),
        ["1979-05-27T07:32:00Z"]
    );
}

#[test]
fn long_or_odd_text_is_quoted_briefly() {
    let key = format!("k\u{1b}{}", "x".repeat(500));
    let settings = from_json(
        &serde_json::json!({ key: 1, "severity": {"AZF1": "y".repeat(500)} }).to_string(),
    );
    for problem in &settings.problems {
        assert!(problem.chars().count() < 200, "{problem}");
        assert!(!problem.contains('\u{1b}'), "{problem}");
    }
    assert_eq!(settings.problems.len(), 2);
}
