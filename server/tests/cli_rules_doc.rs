//! `server/RULES.md` is generated from the rule catalog; this test fails when the committed file
//! is stale, and rewrites it when `UPDATE_RULES_DOC=1` is set.

use std::path::Path;

use azfunc_lsp::cli::rules::markdown_table;

#[test]
fn rules_md_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("RULES.md");
    let expected = markdown_table();
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    if actual.replace("\r\n", "\n") == expected {
        return;
    }
    if std::env::var_os("UPDATE_RULES_DOC").is_some_and(|v| v == "1") {
        std::fs::write(&path, &expected).expect("writing RULES.md");
        eprintln!("updated {}", path.display());
        return;
    }
    panic!(
        "{} is out of date with the rule catalog.\n\
         Run `UPDATE_RULES_DOC=1 cargo test --test cli_rules_doc` and commit the result.",
        path.display()
    );
}
