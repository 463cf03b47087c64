//! Editor features computed by the core: completion and hover, in byte offsets.

pub mod completion;
pub(crate) mod decorators;
pub mod durable;
pub mod fixes;
pub mod hover;
pub mod json_cursor;
pub mod navigation;
pub(crate) mod refs;
pub mod symbols;

pub use completion::{completions, CompletionItem, CompletionKind};
pub use hover::{hover, HoverInfo};

use std::cmp::Ordering;
use std::collections::{btree_map, BTreeMap};
use std::ops::Bound;

pub(crate) use super::annotations::accepted_annotations;
use super::app::{AppInput, FileContent};
use super::catalog::BindingType;
use super::function_json::Direction;
use super::python::{NameKind, PyModule};

/// Looks up the files of an app asked for in ascending path order (as a scan of the functions by
/// name, or a sorted answer, asks for them): from the previous file, a few steps forward before a
/// new search. A search in a large app compares the path with a dozen or more others, each in a
/// cold allocation of its own; in order, the next file is usually a step or two away. Any order
/// gives the right answer.
pub struct FilesInOrder<'a> {
    files: &'a BTreeMap<String, FileContent>,
    /// The files after the last one looked up.
    rest: Option<btree_map::Range<'a, String, FileContent>>,
}

impl<'a> FilesInOrder<'a> {
    /// How many files forward a look-up walks before a new search.
    const STEPS: usize = 8;

    pub fn new(input: &'a AppInput) -> FilesInOrder<'a> {
        FilesInOrder {
            files: &input.files,
            rest: None,
        }
    }

    /// The content of the file at `path`.
    pub fn get(&mut self, path: &str) -> Option<&'a FileContent> {
        if let Some(rest) = &self.rest {
            let mut walk = rest.clone();
            for _ in 0..Self::STEPS {
                let Some((key, content)) = walk.next() else {
                    break;
                };
                match key.as_str().cmp(path) {
                    Ordering::Less => continue,
                    Ordering::Equal => {
                        self.rest = Some(walk);
                        return Some(content);
                    }
                    Ordering::Greater => break,
                }
            }
        }
        let mut from = self
            .files
            .range::<str, _>((Bound::Included(path), Bound::Unbounded));
        let found = match from.clone().next() {
            Some((key, content)) if key == path => {
                from.next();
                Some(content)
            }
            _ => None,
        };
        self.rest = Some(from);
        found
    }

    /// The text of the file at `path`, `None` when it does not exist or is not text.
    pub fn text(&mut self, path: &str) -> Option<&'a str> {
        self.get(path).and_then(FileContent::text)
    }
}

/// How the module refers to `azure.functions` (`func.` for `import azure.functions as func`),
/// for the annotations we suggest.
pub(crate) fn azure_prefix(module: Option<&PyModule>) -> String {
    if let Some(m) = module {
        for (name, defs) in &m.names {
            for d in defs {
                match &d.kind {
                    NameKind::Module(p) if p == "azure.functions" => return format!("{name}."),
                    NameKind::FromImport {
                        level: 0,
                        module,
                        name: n,
                    } if module == "azure" && n == "functions" => return format!("{name}."),
                    _ => {}
                }
            }
        }
    }
    "func.".to_string()
}

/// A short Markdown description of a binding type.
pub(crate) fn binding_type_markdown(spec: &BindingType) -> String {
    let role = if spec.is_trigger {
        "trigger"
    } else {
        "binding"
    };
    let mut md = format!(
        "**{}** — {role} · direction {}\n\n{}\n",
        spec.name,
        spec.directions.join("/"),
        spec.doc
    );
    if !spec.required.is_empty() {
        let req: Vec<String> = spec
            .required
            .iter()
            .map(|g| {
                g.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            })
            .collect();
        md.push_str(&format!("\nRequired: {}\n", req.join(", ")));
    }
    if let Some(props) = spec.props {
        if !props.is_empty() {
            let names: Vec<String> = props.iter().map(|p| format!("`{}`", p.name)).collect();
            md.push_str(&format!("\nProperties: {}\n", names.join(", ")));
        }
    }
    let direction = if spec.directions.contains(&"in") {
        Direction::In
    } else {
        Direction::Out
    };
    let accepted = accepted_annotations(spec.name, direction, "func.");
    if !accepted.is_empty() {
        let shown: Vec<String> = accepted.iter().map(|a| format!("`{a}`")).collect();
        md.push_str(&format!("\nPython annotation: {}\n", shown.join(", ")));
    }
    md
}

/// An app state from `(path, text)` files where `file` contains a `|` cursor marker, and the
/// cursor's byte offset (the marker removed).
#[cfg(test)]
pub(crate) fn test_state(files: &[(&str, &str)], file: &str) -> (super::state::AppState, usize) {
    let mut app = super::app::AppInput::new("app");
    let mut offset = 0;
    for (path, text) in files {
        if *path == file {
            offset = text.find('|').expect("a | cursor marker");
            app = app.with_file(path, &text.replacen('|', "", 1));
        } else {
            app = app.with_file(path, text);
        }
    }
    (super::state::AppState::new(app), offset)
}

#[cfg(test)]
mod files_in_order_tests {
    use super::*;

    #[test]
    fn files_in_order_answer_in_any_order() {
        let mut input = AppInput::new("app");
        let paths: Vec<String> = (0..40)
            .flat_map(|i| {
                [
                    format!("F{i:02}/__init__.py"),
                    format!("F{i:02}/function.json"),
                ]
            })
            .collect();
        for p in &paths {
            input = input.with_file(p, p);
        }
        let mut asked: Vec<String> = paths.clone();
        // Absent paths before, between and after the files.
        asked.extend(["A".to_string(), "F05/x".to_string(), "Z".to_string()]);
        for order in [
            asked.clone(),
            asked.iter().rev().cloned().collect(),
            asked
                .iter()
                .step_by(7)
                .chain(asked.iter().step_by(3))
                .cloned()
                .collect::<Vec<_>>(),
        ] {
            let mut lookup = FilesInOrder::new(&input);
            for p in &order {
                assert_eq!(lookup.text(p), input.text(p), "{p}");
            }
        }
    }
}
