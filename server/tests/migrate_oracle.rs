//! The migration suite: every v1 fixture app that the worker loads (its functions that load) is
//! converted to the decorator model, and the converted app must index the same functions with
//! the same bindings (type, direction, name and the properties the host reads) as the original's
//! function.json files give the host. The runtime's side is recorded data
//! (`tests/fixtures/migrate/oracle/*.json`, from the v1 and v2 oracles by
//! `tests/fixtures/migrate/record.py`): no oracle runs here. Apps the conversion refuses are
//! recorded with the refusal report, which must not change silently. And `check` on a converted
//! app reports no error code that the original did not have.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use azfunc_lsp::analysis::function::{discover_all, parse_modules};
use azfunc_lsp::analysis::json::{JsonKind, JsonValue};
use azfunc_lsp::analysis::migrate::{plan, Options};
use azfunc_lsp::analysis::{check_app, AppInput, Config, Severity};
use serde_json::{Map, Value};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// The recorded data, by app name.
fn records() -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(fixtures().join("migrate/oracle")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        out.insert(name, serde_json::from_str(&text).unwrap());
    }
    out
}

/// The source app with only the function folders the worker loads.
fn loaded_app(name: &str, record: &Value) -> AppInput {
    let source = fixtures().join(record["source"].as_str().unwrap());
    let mut app = azfunc_lsp::loader::load_app(&source, name.to_string());
    let keep: BTreeSet<&str> = record["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let dropped: BTreeSet<String> = app
        .files
        .keys()
        .filter_map(|p| p.strip_suffix("/function.json"))
        .filter(|dir| !dir.contains('/') && !keep.contains(dir))
        .map(|dir| format!("{dir}/"))
        .collect();
    app.files
        .retain(|p, _| !dropped.iter().any(|d| p.starts_with(d.as_str())));
    app
}

/// Enumeration values the library writes in upper case and the host reads in any case.
const CASELESS: &[&str] = &[
    "authlevel",
    "methods",
    "cardinality",
    "datatype",
    "accessrights",
];

/// A binding as the host reads it: keys without case, `direction` `in` when absent, enumeration
/// values without case, and an HTTP trigger's defaults (route = the function's name, auth level
/// `function`) written out.
fn normalized(function: &str, binding: &Map<String, Value>) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (k, v) in binding {
        let key = k.to_ascii_lowercase();
        if v.is_null() {
            continue;
        }
        let v = if CASELESS.contains(&key.as_str()) || key == "type" || key == "direction" {
            serde_json::from_str(&v.to_string().to_ascii_lowercase()).unwrap()
        } else {
            v.clone()
        };
        out.insert(key, v);
    }
    out.entry("direction".into()).or_insert("in".into());
    if out.get("type") == Some(&Value::from("httptrigger")) {
        out.entry("route".into()).or_insert(function.into());
        out.entry("authlevel".into()).or_insert("function".into());
    }
    out
}

fn bindings_of(function: &str, list: &Value) -> Vec<BTreeMap<String, Value>> {
    let mut out: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|b| normalized(function, b.as_object().unwrap()))
        .collect();
    out.sort_by_key(|b| b.get("name").map(Value::to_string));
    out
}

fn json_of(v: &JsonValue) -> Value {
    match &v.kind {
        JsonKind::Object(members) => Value::Object(
            members
                .iter()
                .map(|m| {
                    let value = m.value.as_ref().map_or(Value::Null, json_of);
                    (m.key.clone(), value)
                })
                .collect(),
        ),
        JsonKind::Array(items) => Value::Array(items.iter().map(json_of).collect()),
        JsonKind::String(s) => Value::from(s.as_str()),
        JsonKind::Number(n) => serde_json::from_str(n).unwrap_or(Value::Null),
        JsonKind::Bool(b) => Value::from(*b),
        JsonKind::Null => Value::Null,
        JsonKind::Invalid => Value::from("<invalid>"),
    }
}

/// The functions of `app` with their bindings, as the checker indexes them.
fn indexed(app: &AppInput) -> BTreeMap<String, Vec<BTreeMap<String, Value>>> {
    let modules = parse_modules(app);
    discover_all(app, &modules)
        .into_iter()
        .map(|u| {
            let list = Value::Array(
                u.bindings()
                    .iter()
                    .map(|b| {
                        Value::Object(
                            b.members
                                .iter()
                                .map(|m| {
                                    let value = m.value.as_ref().map_or(Value::Null, json_of);
                                    (m.key.clone(), value)
                                })
                                .collect(),
                        )
                    })
                    .collect(),
            );
            (u.name.clone(), bindings_of(&u.name, &list))
        })
        .collect()
}

fn error_codes(app: &AppInput) -> BTreeSet<String> {
    check_app(app, &Config::default())
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{} {}: {}", d.code, d.file, d.message))
        .collect()
}

#[test]
fn converted_fixture_apps_index_the_same_functions_and_bindings_as_the_originals() {
    let mut converted = 0;
    let mut refused = 0;
    let mut failures = Vec::new();
    for (name, record) in records() {
        let app = loaded_app(&name, &record);
        let result = plan(&app, &Options::default());
        if let Some(report) = record.get("refused") {
            refused += 1;
            match result {
                Ok(_) => failures.push(format!("{name}: converted, but refused when recorded")),
                Err(r) => {
                    let now = azfunc_lsp::cli::migrate::refusal_report(&app, &r);
                    if now != report.as_str().unwrap() {
                        failures.push(format!("{name}: the report changed:\n{now}"));
                    }
                }
            }
            continue;
        }
        let plan = match result {
            Ok(plan) => plan,
            Err(r) => {
                failures.push(format!("{name}: refused: {r:?}"));
                continue;
            }
        };
        converted += 1;
        let after = plan.apply(&app);
        let v2 = &record["v2"];
        assert!(v2["error"].is_null(), "{name}: the v2 oracle failed");
        // The runtime's side: the v2 oracle indexed what the v1 host received, every function.
        let mut oracle = BTreeMap::new();
        for (function, f) in v2["functions"].as_object().unwrap() {
            assert_eq!(f["ok"], Value::Bool(true), "{name}/{function}: {f}");
            oracle.insert(function.clone(), bindings_of(function, &f["bindings"]));
        }
        let mut original = BTreeMap::new();
        for (function, list) in record["v1"]["bindings"].as_object().unwrap() {
            original.insert(function.clone(), bindings_of(function, list));
        }
        let loads: Vec<&str> = record["v1"]["loads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert_eq!(
            loads,
            original.keys().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(
            oracle, original,
            "{name}: recorded v2 bindings differ from v1"
        );
        // Our side: the checker indexes the converted app as the oracle did.
        let ours = indexed(&after);
        if ours != oracle {
            failures.push(format!(
                "{name}: the converted app indexes\n{ours:#?}\nthe oracle indexed\n{oracle:#?}"
            ));
        }
        // `check` finds no error the original did not have.
        let before: BTreeSet<String> = error_codes(&app)
            .into_iter()
            .map(|e| e.split(' ').next().unwrap().to_string())
            .collect();
        let new: Vec<String> = error_codes(&after)
            .into_iter()
            .filter(|e| !before.contains(e.split(' ').next().unwrap()))
            .collect();
        if !new.is_empty() {
            failures.push(format!("{name}: new errors after the conversion: {new:#?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Every recorded app was looked at (16 converted, 5 refused when recorded).
    assert_eq!((converted, refused), (16, 5));
}

/// Every app of the test fixtures (broken, hostile and decorator apps included) is either
/// converted into an app whose script parses, or refused with at least one reason; nothing
/// panics.
#[test]
fn every_fixture_app_is_converted_or_refused_with_a_reason() {
    let mut stack = vec![fixtures()];
    let mut apps = 0;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            }
        }
        if !dir.join("host.json").is_file() {
            continue;
        }
        apps += 1;
        let app = azfunc_lsp::loader::load_app(&dir, dir.display().to_string());
        match plan(
            &app,
            &Options {
                blueprints: apps % 2 == 0,
            },
        ) {
            Ok(plan) => {
                let after = plan.apply(&app);
                let script = after.text("function_app.py").expect("a script is created");
                let module = azfunc_lsp::analysis::python::parse(script);
                assert!(
                    module.syntax_errors.is_empty(),
                    "{}: {:?}\n{script}",
                    dir.display(),
                    module.syntax_errors
                );
            }
            Err(refusals) => assert!(!refusals.is_empty(), "{}", dir.display()),
        }
    }
    assert!(apps > 100, "{apps} apps");
}
