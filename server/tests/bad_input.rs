//! Hostile and broken input must give a clear diagnostic, never a panic or a hang.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use azfunc_lsp::analysis::{check_app, AppInput, Config, Diagnostic, FileContent};
use azfunc_lsp::loader::load_app;

const HTTP: &str = r#"{"bindings": [{"type": "httpTrigger", "name": "req"}]}"#;

/// The load-time families: these tests are about surviving broken files, not about settings or
/// packaging.
fn load_rules() -> Config {
    Config {
        select: vec!["AZF0".into(), "AZF1".into(), "AZF2".into()],
        ..Config::default()
    }
}

fn check_dir(root: &Path) -> Vec<Diagnostic> {
    let app = load_app(root, "app".into());
    check_app(&app, &load_rules())
}

fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code.as_str()).collect()
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn app_with(rel: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "host.json", br#"{"version": "2.0"}"#);
    write(dir.path(), rel, bytes);
    dir
}

#[test]
fn empty_function_json() {
    let dir = app_with("F/function.json", b"");
    write(dir.path(), "F/__init__.py", b"def main(req): pass\n");
    let d = check_dir(dir.path());
    assert_eq!(codes(&d), ["AZF001"]);
    assert!(d[0].message.contains("empty"), "{}", d[0].message);
}

#[test]
fn empty_script() {
    let dir = app_with("F/function.json", HTTP.as_bytes());
    write(dir.path(), "F/__init__.py", b"");
    assert_eq!(codes(&check_dir(dir.path())), ["AZF008"]);
}

#[test]
fn invalid_utf8_script_and_json() {
    let dir = app_with("F/function.json", HTTP.as_bytes());
    write(
        dir.path(),
        "F/__init__.py",
        b"def main(req):\n    return '\xff\xfe'\n",
    );
    let d = check_dir(dir.path());
    assert_eq!(codes(&d), ["AZF009"]);
    assert!(d[0].message.contains("UTF-8"));

    // The host reads JSON with replacement characters: invalid bytes inside a string are harmless.
    let dir = app_with(
        "F/function.json",
        b"{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"req\", \"route\": \"caf\xe9\"}]}",
    );
    write(dir.path(), "F/__init__.py", b"def main(req): pass\n");
    assert_eq!(codes(&check_dir(dir.path())), Vec::<&str>::new());
}

#[test]
fn five_megabyte_function_json() {
    let mut text = String::from(
        "{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"req\"}], \"padding\": [",
    );
    while text.len() < 5 * 1024 * 1024 {
        text.push_str("\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",");
    }
    text.push_str("\"end\"]}");
    let dir = app_with("F/function.json", text.as_bytes());
    write(dir.path(), "F/__init__.py", b"def main(request): pass\n");
    let started = Instant::now();
    let d = check_dir(dir.path());
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(codes(&d), ["AZF201"]);
}

#[test]
fn oversized_file_is_reported_not_read() {
    let big = vec![b' '; 9 * 1024 * 1024];
    let dir = app_with("F/function.json", &big);
    let d = check_dir(dir.path());
    assert_eq!(codes(&d), ["AZF013"]);
    assert!(d[0].message.contains("too large"));
}

#[test]
fn binary_function_json() {
    let mut bytes = vec![0u8, 1, 2, 0xff, 0x7f, b'{'];
    bytes.extend((0..4096u32).map(|i| (i * 7 % 256) as u8));
    let dir = app_with("F/function.json", &bytes);
    let d = check_dir(dir.path());
    assert!(
        !d.is_empty() && d.iter().all(|d| d.code == "AZF001"),
        "{:?}",
        codes(&d)
    );
}

#[test]
fn deeply_nested_json() {
    let text = "[".repeat(100_000) + &"]".repeat(100_000);
    let dir = app_with("F/function.json", text.as_bytes());
    let d = check_dir(dir.path());
    assert_eq!(codes(&d), ["AZF001"]);
    assert!(d[0].message.contains("deeper than 64"), "{}", d[0].message);
    // Objects too, with the nesting inside a binding.
    let text = format!(
        "{{\"bindings\": [{{\"type\": \"httpTrigger\", \"name\": \"req\", \"x\": {}1{}}}]}}",
        "{\"a\":".repeat(100_000),
        "}".repeat(100_000)
    );
    let dir = app_with("F/function.json", text.as_bytes());
    assert_eq!(codes(&check_dir(dir.path())), ["AZF001"]);
}

#[test]
fn deeply_nested_python() {
    let dir = app_with("F/function.json", HTTP.as_bytes());
    let src = format!(
        "x = {}1{}\ndef main(req): pass\n",
        "(".repeat(50_000),
        ")".repeat(50_000)
    );
    write(dir.path(), "F/__init__.py", src.as_bytes());
    // Python itself refuses this ("too many nested parentheses"); we must simply survive it.
    let _ = check_dir(dir.path());
}

#[cfg(unix)]
#[test]
fn symlink_loop_and_escape() {
    let dir = app_with("F/function.json", HTTP.as_bytes());
    write(dir.path(), "F/__init__.py", b"def main(req): pass\n");
    std::os::unix::fs::symlink(dir.path(), dir.path().join("F/loop")).unwrap();
    std::os::unix::fs::symlink("/etc", dir.path().join("outside")).unwrap();
    let started = Instant::now();
    let app = load_app(dir.path(), "app".into());
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        app.files.keys().all(|k| !k.starts_with("outside/")),
        "{:?}",
        app.files.keys()
    );
    assert_eq!(codes(&check_app(&app, &load_rules())), Vec::<&str>::new());
}

#[cfg(unix)]
#[test]
fn unreadable_folder() {
    use std::os::unix::fs::PermissionsExt;
    let dir = app_with("F/function.json", HTTP.as_bytes());
    write(dir.path(), "F/__init__.py", b"def main(req): pass\n");
    write(dir.path(), "G/function.json", HTTP.as_bytes());
    let g = dir.path().join("G");
    fs::set_permissions(&g, fs::Permissions::from_mode(0o000)).unwrap();
    let d = check_dir(dir.path());
    fs::set_permissions(&g, fs::Permissions::from_mode(0o755)).unwrap();
    // As root the folder is still readable; otherwise it is skipped or reported, never a panic.
    assert!(
        d.iter().all(|d| d.function.as_deref() != Some("F")),
        "{:?}",
        codes(&d)
    );
}

#[test]
fn hostile_content_in_memory() {
    // Every rule must survive arbitrary text in every file.
    let samples: &[&str] = &[
        "",
        "{",
        "{\"bindings\": [{\"type\": null, \"name\": {}, \"direction\": [], \"dataType\": 5}]}",
        "{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"req\", \"methods\": {\"a\": 1}}]}",
        "{\"bindings\": \"x\", \"scriptFile\": 5, \"entryPoint\": null}",
        "\u{feff}{\"bindings\": []}",
        "{\"bindings\": [{\"type\": \"timerTrigger\", \"name\": \"t\", \"schedule\": \"0 0-/ * * * *\"}]}",
    ];
    let scripts: &[&str] = &[
        "",
        "def",
        "def main(req: 'func.Out[', *, **): pass",
        "from ....... import x\nfrom . import\nimport\n",
        "class main:\n    def __init__(self, *a, **k): pass\n",
        "main = lambda req: 1\n",
        "def main(req: 'not valid python (') -> '': return",
        "\u{1F600} = 1\n",
        "if True:\n    raise\n",
    ];
    for json in samples {
        for py in scripts {
            let app = AppInput::new("app")
                .with_file("F/function.json", json)
                .with_file("F/__init__.py", py)
                .with_file("F/helpers.py", py);
            let _ = check_app(&app, &Config::default());
        }
    }
    let mut app = AppInput::new("app");
    app.files.insert(
        "F/function.json".into(),
        FileContent::Unreadable("denied".into()),
    );
    app.files
        .insert("G/function.json".into(), FileContent::NotLoaded);
    let _ = check_app(&app, &Config::default());
}

#[test]
fn deeply_nested_blocks_and_definitions() {
    let mut src = String::new();
    for level in 0..3000 {
        src.push_str(&" ".repeat(level));
        src.push_str(if level % 2 == 0 {
            "if x:\n"
        } else {
            "def f(a):\n"
        });
    }
    src.push_str(&" ".repeat(3000));
    src.push_str("pass\ndef main(req): pass\n");
    let app = AppInput::new("app")
        .with_file("F/function.json", HTTP)
        .with_file("F/__init__.py", &src);
    let _ = check_app(&app, &Config::default());
    let chain = format!("x = {}1\ndef main(req): pass\n", "1 + ".repeat(100_000));
    let app = AppInput::new("app")
        .with_file("F/function.json", HTTP)
        .with_file("F/__init__.py", &chain);
    let _ = check_app(&app, &Config::default());
}
