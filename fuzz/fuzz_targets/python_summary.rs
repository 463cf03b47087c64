//! The Python module summary (and the scope-aware helpers of the editor features) on arbitrary
//! bytes: never a panic, every range inside the text.
#![no_main]

use azfunc_lsp::analysis::{python, python_scopes};
use azfunc_lsp_fuzz::assert_range;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The loader gives the analysis only UTF-8 modules.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let module = python::parse(text);
    let quick = python::parse_for(text, false);
    assert_eq!(module.syntax_errors, quick.syntax_errors);
    for e in &module.syntax_errors {
        assert_range(text, e.range, &e.message);
    }
    for i in &module.imports {
        assert_range(text, i.range, "import");
    }
    for f in &module.import_failures {
        assert_range(text, f.range, "import failure");
    }
    for r in &module.env_reads {
        assert_range(text, r.range, "environment read");
    }
    for f in &module.functions {
        assert_range(text, f.name_range, "function name");
        assert_range(text, f.range, "function");
        for p in &f.params {
            assert_range(text, p.name_range, "parameter");
        }
    }
    // The scope helpers parse the module again: a few calls are enough.
    for f in module.functions.iter().take(2) {
        for p in f.params.iter().take(2) {
            let _ = python_scopes::parameter_uses(text, f.name_range, &p.name);
            let _ = python_scopes::rename_conflicts(text, f.name_range, &p.name, "other");
        }
    }
    let _ = python::parse_expression(text);
    for offset in [0, text.len() / 3, text.len() / 2, text.len()] {
        if text.is_char_boundary(offset) {
            let _ = python_scopes::identifier_at(text, offset);
        }
    }
});
