//! The floor `check` is measured against (scripts/bench/side_by_side.sh): walk a folder in
//! parallel, read every `.py` and `.json` file, and parse it with the parsers `check` uses
//! (tree-sitter-python, and the checker's own JSON reader), building nothing else.
//! `bench_floor DIR` prints the number of files parsed and of syntax errors found.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use azfunc_lsp::analysis::json;
use ignore::{WalkBuilder, WalkState};

thread_local! {
    static PYTHON: RefCell<tree_sitter::Parser> = RefCell::new({
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .expect("tree-sitter-python loads");
        parser
    });
}

/// The binary's allocators, for tree-sitter too: the floor parses as `check` does.
#[global_allocator]
static GLOBAL: azfunc_lsp::allocator::Mimalloc = azfunc_lsp::allocator::Mimalloc;

fn main() {
    // SAFETY: first in `main`, before any tree-sitter object or other thread exists.
    unsafe { azfunc_lsp::allocator::parse_trees_in_mimalloc() };
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let parsed = AtomicUsize::new(0);
    let errors = AtomicUsize::new(0);
    WalkBuilder::new(&dir)
        .standard_filters(false)
        .follow_links(false)
        // The folders the checker never reads (virtual environments, caches, its own cache).
        .filter_entry(|e| {
            e.depth() == 0
                || !e.file_type().is_some_and(|t| t.is_dir())
                || !azfunc_lsp::loader::SKIPPED_DIRS
                    .iter()
                    .any(|s| std::ffi::OsStr::new(s) == e.file_name())
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let Ok(entry) = entry else {
                    return WalkState::Continue;
                };
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return WalkState::Continue;
                }
                let path = entry.path();
                let is_python = path.extension().is_some_and(|e| e == "py");
                let is_json = path.extension().is_some_and(|e| e == "json");
                if !(is_python || is_json) {
                    return WalkState::Continue;
                }
                let Ok(text) = std::fs::read_to_string(path) else {
                    return WalkState::Continue;
                };
                let broken = if is_python {
                    PYTHON.with_borrow_mut(|parser| {
                        parser
                            .parse(&text, None)
                            .is_none_or(|tree| tree.root_node().has_error())
                    })
                } else {
                    !json::parse(&text).errors.is_empty()
                };
                parsed.fetch_add(1, Ordering::Relaxed);
                if broken {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                WalkState::Continue
            })
        });
    println!(
        "{} files parsed, {} with syntax errors",
        parsed.into_inner(),
        errors.into_inner()
    );
}
