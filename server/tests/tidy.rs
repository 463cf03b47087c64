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

/// The module of `analysis` a file defines, as its path below `analysis` (`v2/unit.rs` →
/// `["v2", "unit"]`, `v2/mod.rs` → `["v2"]`, `mod.rs` → `[]`).
fn module_of(root: &Path, file: &Path) -> Vec<String> {
    let mut parts: Vec<String> = file
        .strip_prefix(root)
        .unwrap()
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The paths a file names through `crate::analysis::…`, `super::…` and `self::…` (with `use`
/// groups expanded), made absolute below `analysis`. Comments and `#[cfg(test)] mod tests` are
/// left out.
fn referenced_paths(module: &[String], text: &str) -> Vec<Vec<String>> {
    let code: String = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or("")
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let bytes = code.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if (i > 0 && (ident(bytes[i - 1]) || bytes[i - 1] == b':')) || !ident(bytes[i]) {
            i += 1;
            continue;
        }
        // The module a leading `super`/`self`/`crate::analysis` stands for.
        let (mut base, j) = if code[i..].starts_with("crate::analysis::") {
            (Vec::new(), i + "crate::analysis::".len())
        } else if code[i..].starts_with("super::") || code[i..].starts_with("self::") {
            // A file's `self` is its module; `super` is its parent (for `mod.rs` too: the parent of
            // the module the folder defines).
            let mut base = module.to_vec();
            let mut j = i;
            if code[j..].starts_with("self::") {
                j += "self::".len();
            }
            while code[j..].starts_with("super::") {
                base.pop();
                j += "super::".len();
            }
            (base, j)
        } else {
            i += 1;
            continue;
        };
        let end = path_end(&code, j);
        expand(&code[j..end], &mut base, &mut out);
        i = end.max(i + 1);
    }
    out
}

/// The end of the path (or `use` group) starting at `start`.
fn path_end(code: &str, start: usize) -> usize {
    let mut depth = 0usize;
    for (k, c) in code[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            c if c.is_alphanumeric() || c == '_' || c == ':' => {}
            _ => return start + k,
        }
    }
    code.len()
}

/// Adds the paths of `path` (`a::b`, `a::{b, c::{d}}`) below `prefix` to `out`.
fn expand(path: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let path = path.trim();
    let (head, group) = match path.find('{') {
        Some(open) => (
            &path[..open],
            Some(&path[open + 1..path.len().saturating_sub(1)]),
        ),
        None => (path, None),
    };
    let len = prefix.len();
    prefix.extend(
        head.split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "self")
            .map(String::from),
    );
    match group {
        None => out.push(prefix.clone()),
        Some(items) => {
            let mut depth = 0;
            let mut from = 0;
            for (k, c) in items.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&items[from..k], prefix, out);
                        from = k + 1;
                    }
                    _ => {}
                }
            }
            expand(&items[from..], prefix, out);
        }
    }
    prefix.truncate(len);
}

/// No import cycle among the modules of the analysis core.
///
/// What counts: module A depends on module B when code in A (or in a module below A) names B or
/// anything inside B through `crate::analysis::…`, `super::…` or `self::…`, and A and B are
/// siblings (children of the same module). A reference between a module and its own ancestor is
/// no dependency between siblings: a parent declares and re-exports its children, children use
/// what their parent shares. So `v2/unit.rs` naming `function.rs` makes `v2` depend on
/// `function`, and `ide/completion.rs` naming `ide/hover.rs` makes `completion` depend on `hover`
/// (inside `ide`). Test code (`#[cfg(test)] mod tests`, `rules/test_support.rs`) and comments do
/// not count.
#[test]
fn no_import_cycle_among_analysis_modules() {
    let root = src("analysis");
    let files = rust_files(&root);
    let modules: std::collections::HashSet<Vec<String>> =
        files.iter().map(|f| module_of(&root, f)).collect();
    let mut edges: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for file in &files {
        if file.ends_with("rules/test_support.rs") {
            continue;
        }
        let from = module_of(&root, file);
        let text = std::fs::read_to_string(file).unwrap();
        for path in referenced_paths(&from, &text) {
            // The deepest module the path names (the rest are items).
            let mut to = path;
            while !to.is_empty() && !modules.contains(&to) {
                to.pop();
            }
            let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common == from.len() || common == to.len() {
                continue;
            }
            edges
                .entry(from[..=common].join("::"))
                .or_default()
                .insert(to[..=common].join("::"));
        }
    }
    let mut cycles: Vec<Vec<String>> = strongly_connected(&edges)
        .into_iter()
        .filter(|c| c.len() > 1)
        .collect();
    cycles.sort();
    assert!(
        cycles.is_empty(),
        "import cycles among analysis modules: {cycles:?}"
    );
}

/// The strongly connected components of a graph (Tarjan), each sorted.
fn strongly_connected(
    edges: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> Vec<Vec<String>> {
    struct Walk<'g> {
        edges: &'g std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        index: std::collections::HashMap<&'g str, (usize, usize)>,
        stack: Vec<&'g str>,
        on_stack: std::collections::HashSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'g>(w: &mut Walk<'g>, v: &'g str) {
        let n = w.index.len();
        w.index.insert(v, (n, n));
        w.stack.push(v);
        w.on_stack.insert(v);
        for next in w.edges.get(v).into_iter().flatten() {
            let next = next.as_str();
            if !w.index.contains_key(next) {
                visit(w, next);
                let low = w.index[v].1.min(w.index[next].1);
                w.index.get_mut(v).unwrap().1 = low;
            } else if w.on_stack.contains(next) {
                let low = w.index[v].1.min(w.index[next].0);
                w.index.get_mut(v).unwrap().1 = low;
            }
        }
        if w.index[v].0 == w.index[v].1 {
            let mut component = Vec::new();
            while let Some(u) = w.stack.pop() {
                w.on_stack.remove(u);
                component.push(u.to_string());
                if u == v {
                    break;
                }
            }
            component.sort();
            w.out.push(component);
        }
    }
    let mut w = Walk {
        edges,
        index: Default::default(),
        stack: Vec::new(),
        on_stack: Default::default(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !w.index.contains_key(v.as_str()) {
            visit(&mut w, v);
        }
    }
    w.out
}
