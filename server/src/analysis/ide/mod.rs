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

pub(crate) use super::annotations::accepted_annotations;
use super::catalog::BindingType;
use super::function_json::Direction;
use super::python::{NameKind, PyModule};

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
