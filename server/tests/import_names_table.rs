//! The generated import-name table matches what its generator makes of the committed inputs
//! (`server/data/gen_import_names.py --check`; no network).

use std::path::Path;
use std::process::Command;

#[test]
fn the_import_name_table_is_up_to_date() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/gen_import_names.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg("--check")
        .output()
        .expect("python3 runs the table generator");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_check_fails_on_a_stale_table() {
    // The check compares with the committed file: run it on a copy of the generator whose
    // output path points at a stale table, so a check that always passes is caught.
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let script = std::fs::read_to_string(data.join("gen_import_names.py")).unwrap();
    let stale = dir.path().join("import_names.rs");
    std::fs::write(
        &stale,
        "pub const IMPORT_NAMES: &[(&str, &[&str])] = &[];\n",
    )
    .unwrap();
    let patched = script
        .replace(
            "HERE = os.path.dirname(os.path.abspath(__file__))",
            &format!("HERE = {:?}", data.to_str().unwrap()),
        )
        .replace(
            "OUTPUT = os.path.join(HERE, \"..\", \"src\", \"analysis\", \"catalog\", \"import_names.rs\")",
            &format!("OUTPUT = {:?}", stale.to_str().unwrap()),
        );
    assert_ne!(patched, script);
    let copy = dir.path().join("gen.py");
    std::fs::write(&copy, patched).unwrap();
    let output = Command::new("python3")
        .arg(&copy)
        .arg("--check")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("out of date"));
}
