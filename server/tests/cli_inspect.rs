//! `azfunc-lsp inspect`, run as the built binary on a function.json app and a decorator app in
//! `tests/fixtures/cli/`: what the host sees of each function, as text and JSON, one function or
//! all, with secret settings masked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const V1: &str = "inspect_v1";
const V2: &str = "inspect_v2";

/// The secrets written in the fixtures' local.settings.json.
const SECRETS: &[&str] = &["c2VjcmV0c2VjcmV0", "hunter2", "9f8e7d6c5b4a"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/cli")
}

fn inspect(args: &[&str]) -> Output {
    let mut all = vec!["inspect"];
    all.extend_from_slice(args);
    Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"))
        .args(&all)
        .current_dir(fixtures())
        .env_remove("AZFUNC_LSP_LOG")
        .output()
        .expect("the binary runs")
}

fn stdout_ok(args: &[&str]) -> String {
    let out = inspect(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&stdout_ok(&all)).expect("inspect --format json prints JSON")
}

#[test]
fn function_json_app_text() {
    insta::assert_snapshot!(stdout_ok(&[V1]));
}

#[test]
fn function_json_app_json() {
    insta::assert_snapshot!(stdout_ok(&[V1, "--format", "json"]));
}

#[test]
fn decorator_app_text() {
    insta::assert_snapshot!(stdout_ok(&[V2]));
}

#[test]
fn decorator_app_json() {
    insta::assert_snapshot!(stdout_ok(&[V2, "--format", "json"]));
}

#[test]
fn route_as_the_host_builds_it_in_both_models() {
    let v1 = json(&[V1, "--function", "Orders"]);
    let http = &v1["functions"][0]["http"];
    assert_eq!(
        http["url"], "/shop/orders/{id}",
        "routePrefix from host.json"
    );
    assert_eq!(http["methods"], serde_json::json!(["GET", "POST"]));
    assert_eq!(http["authLevel"], "anonymous");

    let v2 = json(&[V2]);
    let functions = v2["functions"].as_array().unwrap();
    let by_name = |n: &str| functions.iter().find(|f| f["name"] == n).unwrap();
    // No auth_level on the route: the app's http_auth_level.
    assert_eq!(by_name("GetOrder")["http"]["authLevel"], "anonymous");
    assert_eq!(by_name("GetOrder")["http"]["url"], "/api/orders/{id}");
    assert_eq!(by_name("health")["http"]["authLevel"], "admin");
    assert_eq!(by_name("health")["http"]["methods"], Value::Null);
    assert_eq!(by_name("on_order")["http"], Value::Null);
    assert_eq!(by_name("GetOrder")["entryPoint"], "GetOrder");
    assert_eq!(by_name("GetOrder")["pythonFunction"], "get_order");
}

#[test]
fn function_filter_ignores_case_and_keeps_one_function() {
    let v1 = json(&[V1, "--function", "nightly"]);
    let functions = v1["functions"].as_array().unwrap();
    assert_eq!(functions.len(), 1);
    assert_eq!(functions[0]["name"], "Nightly");
    assert_eq!(functions[0]["entryPoint"], "run_nightly");
    let text = stdout_ok(&[V2, "--function", "on_order"]);
    assert!(
        text.contains("on_order — serviceBusTrigger orders · 2 bindings"),
        "{text}"
    );
    assert!(!text.contains("GetOrder"), "{text}");
}

#[test]
fn unknown_function_exits_2_naming_the_functions() {
    let out = inspect(&[V1, "--function", "Missing"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no function 'Missing' in inspect_v1 (its functions: Nightly, Orders)"),
        "{stderr}"
    );
    let out = inspect(&["no_such_app"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file or directory"));
}

#[test]
fn settings_resolve_and_secrets_are_masked() {
    for app in [V1, V2] {
        for format in ["text", "json"] {
            let out = stdout_ok(&[app, "--format", format]);
            for secret in SECRETS {
                assert!(
                    !out.contains(secret),
                    "{app} {format} shows a secret:\n{out}"
                );
            }
        }
    }
    let v2 = json(&[V2, "--function", "on_order"]);
    let settings: Vec<&Value> = v2["functions"][0]["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["settings"].as_array().unwrap())
        .collect();
    let db = settings
        .iter()
        .find(|s| s["setting"] == "OrdersDb")
        .unwrap();
    assert_eq!(db["foundIn"], "ConnectionStrings");
    assert!(db["value"].as_str().unwrap().starts_with("Serv…"));
    // An identity-based connection resolves to its section; a namespace is not a secret.
    let bus = settings
        .iter()
        .find(|s| s["property"] == "connection")
        .unwrap();
    assert_eq!(bus["setting"], "ServiceBus__fullyQualifiedNamespace");
    assert_eq!(bus["value"], "shop.servicebus.windows.net");
    // A setting local.settings.json does not define.
    let v1 = json(&[V1, "--function", "Nightly"]);
    let archive = &v1["functions"][0]["bindings"][1]["settings"][0];
    assert_eq!(archive["setting"], "ArchiveStorage");
    assert_eq!(archive["foundIn"], Value::Null);
}

/// An app inside another one (a folder with its own host.json): inspecting its folder, or a
/// file of it, inspects it rather than asking which of the two.
#[test]
fn an_app_inside_another_is_the_one_named() {
    let dir = tempfile::tempdir().unwrap();
    let outer = dir.path().join("outer");
    let inner = outer.join("Inner");
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::write(outer.join("host.json"), "{\"version\": \"2.0\"}").unwrap();
    std::fs::write(inner.join("host.json"), "{\"version\": \"2.0\"}").unwrap();
    let http =
        "{\"bindings\": [{\"type\": \"httpTrigger\", \"direction\": \"in\", \"name\": \"req\"}]}";
    std::fs::write(inner.join("function.json"), http).unwrap();
    std::fs::write(inner.join("__init__.py"), "def main(req): pass\n").unwrap();
    let run = |path: &Path| {
        Command::new(env!("CARGO_BIN_EXE_azfunc-lsp"))
            .args(["inspect", "--format", "json"])
            .arg(path)
            .current_dir(dir.path())
            .env_remove("AZFUNC_LSP_LOG")
            .output()
            .expect("the binary runs")
    };
    for path in [
        inner.clone(),
        inner.join("host.json"),
        inner.join("__init__.py"),
    ] {
        let out = run(&path);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{}: {stderr}", path.display());
        let view: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(view["app"], "outer/Inner", "{}", path.display());
    }
}
