//! Hover: binding types and keys, parameters and their bindings, settings.

mod config_files;
mod decorators;

#[cfg(test)]
mod agreement_tests;

use crate::analysis::catalog::binding_type_ignore_case;
use crate::analysis::entry;
use crate::analysis::function;
use crate::analysis::function_json::{Binding, Direction};
use crate::analysis::ide::json_cursor::{self, Segment, Slot};
use crate::analysis::ide::{accepted_annotations, binding_type_markdown};
use crate::analysis::settings::{self, LOCAL_SETTINGS};
use crate::analysis::state::AppState;
use crate::analysis::text::TextRange;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverInfo {
    pub range: TextRange,
    pub markdown: String,
}

/// Hover at byte `offset` of `file`.
pub fn hover(state: &AppState, file: &str, offset: usize) -> Option<HoverInfo> {
    let text = state.input().text(file)?;
    let offset = offset.min(text.len());
    if let Some(folder) = file.strip_suffix("/function.json") {
        return function_json(state, folder, text, offset);
    }
    if file == "host.json" {
        return config_files::host_json(text, offset);
    }
    if file == LOCAL_SETTINGS {
        return config_files::local_settings(state, text, offset);
    }
    if file.ends_with(".py") {
        // A decorator of a v2 app, or one of its keywords.
        if let Some(h) = decorators::hover(state, file, offset) {
            return Some(h);
        }
        if let Some(h) = super::durable::hover(state, file, offset) {
            return Some(HoverInfo {
                range: h.range,
                markdown: h.markdown,
            });
        }
        return python(state, file, offset);
    }
    None
}

fn function_json(state: &AppState, folder: &str, text: &str, offset: usize) -> Option<HoverInfo> {
    let c = json_cursor::cursor(text, offset)?;
    if !c.in_string {
        return None;
    }
    let word = text.get(c.token.as_usize())?;
    let range = c.token;
    let unit = state.unit(folder);
    let in_binding =
        matches!(c.path.as_slice(), [Segment::Key(b), Segment::Index(_)] if b == "bindings");
    let binding = || {
        let i = match c.path.as_slice() {
            [_, Segment::Index(i)] => *i,
            _ => return None,
        };
        unit?.bindings().get(i)
    };
    let markdown = match (&c.slot, in_binding) {
        (Slot::Value { key }, true) if key.eq_ignore_ascii_case("type") => match binding_type_ignore_case(word) {
            Some(spec) => binding_type_markdown(spec),
            None => format!("**{word}**: a binding type this tool has no data for; it must come from an extension in the bundle."),
        },
        (Slot::Value { key }, true) if key.eq_ignore_ascii_case("name") => {
            let b = binding()?;
            param_markdown(state, unit?, b.name_str()?)
        }
        (Slot::Value { key }, true) if key.eq_ignore_ascii_case("connection") => setting_markdown(state, word, true),
        (Slot::Value { .. }, _) if word.starts_with('%') && word.ends_with('%') && word.len() > 2 => {
            setting_markdown(state, &word[1..word.len() - 1], false)
        }
        (Slot::Key, true) => {
            let b = binding();
            let spec = b.and_then(|b| b.type_str()).and_then(binding_type_ignore_case);
            let common = match word.to_ascii_lowercase().as_str() {
                "type" => Some("The binding type, e.g. `httpTrigger`, `queue`, `blob`."),
                "name" => Some("The Python parameter that receives the binding (case-sensitive), or `$return` for the return value."),
                "direction" => Some("`in` (the default) or `out`; the Python worker rejects `inout`."),
                "datatype" => Some("How the host passes the payload: `string`, `binary` or `stream`."),
                _ => None,
            };
            match (common, spec) {
                (Some(doc), _) => format!("**{word}**\n\n{doc}"),
                (None, Some(spec)) => match spec.props.unwrap_or_default().iter().find(|p| p.name.eq_ignore_ascii_case(word)) {
                    Some(p) => format!("**{}** ({} binding)\n\n{}", p.name, spec.name, p.doc),
                    None => match crate::analysis::catalog::binding_types::open_type_property_doc(spec.name, word) {
                        Some((key, doc)) => format!("**{key}** ({} binding)\n\n{doc}", spec.name),
                        None => decorator_property_markdown(spec.name, word)?,
                    },
                },
                _ => return None,
            }
        }
        (Slot::Key, false) if c.path.is_empty() => match word {
            "scriptFile" => "**scriptFile**\n\nThe Python file to load, relative to this folder. Without it the host uses the only file in the folder, else `run.*` or `__init__.py`.".into(),
            "entryPoint" => "**entryPoint**\n\nThe function (or class) the worker calls; `main` when absent.".into(),
            "bindings" => "**bindings**\n\nThe function's trigger (exactly one) and its input and output bindings.".into(),
            _ => return None,
        },
        _ => return None,
    };
    Some(HoverInfo { range, markdown })
}

/// A binding property the catalog has no description for but a decorator of the Python library
/// writes (so the host reads it): which decorator keyword sets it.
fn decorator_property_markdown(binding_type: &str, key: &str) -> Option<String> {
    use crate::analysis::catalog::decorator_types::camel_case;
    crate::analysis::catalog::decorators::DECORATORS
        .iter()
        .filter(|d| d.binding_type.is_some_and(|t| t.eq_ignore_ascii_case(binding_type)))
        .find_map(|d| {
            let p = d.params.iter().find(|p| {
                Some(p.name) != d.name_param
                    && match p.name {
                        "data_type" => key.eq_ignore_ascii_case("dataType"),
                        name => camel_case(name).is_some_and(|c| c.eq_ignore_ascii_case(key)),
                    }
            })?;
            let required = if p.required { ", required there" } else { "" };
            Some(format!(
                "**{key}** ({binding_type} binding)\n\nThe decorator model writes it from `{}({}=…)`{required}.",
                d.name, p.name
            ))
        })
}

/// What a binding's parameter looks like in the script.
fn param_markdown(state: &AppState, unit: &function::FunctionUnit, name: &str) -> String {
    let b = unit.bindings().iter().find(|b| b.name_str() == Some(name));
    let t = b.and_then(|b| b.type_str()).unwrap_or("?");
    let mut md = format!("**{name}** — `{t}` binding");
    if let Some(def) = entry::entry_def(state.input(), state.modules(), unit) {
        let (f, path) = (def.function, def.script);
        {
            {
                match def.param(name) {
                    Some(p) => {
                        let ann = p
                            .annotation
                            .as_ref()
                            .map(|a| format!(": {}", a.text))
                            .unwrap_or_default();
                        md.push_str(&format!(
                            "\n\nParameter `{name}{ann}` of `{}()` in `{path}`",
                            f.name
                        ));
                    }
                    None if name == "$return" => {
                        md.push_str(&format!("\n\nThe return value of `{}()`", f.name))
                    }
                    None => md.push_str(&format!(
                        "\n\n`{}()` in `{path}` has no parameter `{name}`",
                        f.name
                    )),
                }
            }
        }
    }
    md
}

/// Where a setting is defined and whether it is set; secret-looking values are masked.
pub(super) fn setting_markdown(state: &AppState, name: &str, is_connection: bool) -> String {
    let mut md = format!("**{name}** — app setting");
    match settings::local_settings(state.input()) {
        None => md.push_str(
            "\n\nNo local.settings.json in this app: set it as an app setting where the app runs.",
        ),
        Some(s) => {
            let prefixed = format!("AzureWebJobs{name}");
            let identity = format!("{name}__");
            let found = s.value(name).or_else(|| {
                if is_connection {
                    s.value(&prefixed)
                } else {
                    None
                }
            });
            match found {
                Some(v) => {
                    let shown = v
                        .value
                        .as_deref()
                        .map(|x| settings::masked(&v.name, x))
                        .unwrap_or_default();
                    md.push_str(&format!(
                        "\n\nSet in `{LOCAL_SETTINGS}` as `{}` = `{shown}`",
                        v.name
                    ));
                }
                None if is_connection && s.values.iter().any(|v| v.name.starts_with(&identity)) => {
                    let keys: Vec<&str> = s
                        .values
                        .iter()
                        .filter(|v| v.name.starts_with(&identity))
                        .map(|v| v.name.as_str())
                        .collect();
                    md.push_str(&format!(
                        "\n\nIdentity-based connection: {}",
                        keys.join(", ")
                    ));
                }
                None => md.push_str(&format!("\n\nNot set in `{LOCAL_SETTINGS}`")),
            }
        }
    }
    md
}

fn python(state: &AppState, file: &str, offset: usize) -> Option<HoverInfo> {
    // A parameter of an entry function.
    for unit in state.units_with_script(file) {
        let Some(def) = entry::entry_def(state.input(), state.modules(), unit) else {
            continue;
        };
        for p in def.params() {
            if !p.name_range.touches(offset) {
                continue;
            }
            let Some(b) = unit
                .bindings()
                .iter()
                .find(|b| b.name_str() == Some(p.name.as_str()))
            else {
                let markdown = if p.name == "context" {
                    CONTEXT_MARKDOWN.to_string()
                } else {
                    format!(
                        "**{}** has no binding in `{}`",
                        p.name,
                        unit.declaration_file()
                    )
                };
                return Some(HoverInfo {
                    range: p.name_range,
                    markdown,
                });
            };
            let t = b.type_str().unwrap_or("?");
            let direction = b.direction.unwrap_or(Direction::In);
            let mut md = format!(
                "**{}** — `{t}` binding, direction `{}` ({})",
                p.name,
                direction.as_str(),
                unit.declaration_file()
            );
            push_binding_details(&mut md, b, t, direction);
            return Some(HoverInfo {
                range: p.name_range,
                markdown: md,
            });
        }
    }
    // A setting name in os.environ / getenv: the module summary already knows where they are.
    let module = state.modules().get(file)?;
    let read = module.env_reads.iter().find(|r| r.range.touches(offset))?;
    Some(HoverInfo {
        range: read.range,
        markdown: setting_markdown(state, &read.name, false),
    })
}

/// Hover text on the `context` parameter, in both models.
pub(super) const CONTEXT_MARKDOWN: &str = "**context** — the invocation context (`func.Context`): invocation id, function name and directory, trace context.";

/// What a parameter's hover adds about its binding `b` (of type `t`): the properties that name
/// what it reads or writes, and the annotations the worker accepts for it.
pub(super) fn push_binding_details(md: &mut String, b: &Binding, t: &str, direction: Direction) {
    for key in [
        "queueName",
        "path",
        "schedule",
        "route",
        "connection",
        "eventHubName",
        "topicName",
        "databaseName",
    ] {
        if let Some(v) = b.property_str(key) {
            md.push_str(&format!("\n\n`{key}`: `{}`", v.value));
        }
    }
    let accepted = accepted_annotations(t, direction, "func.");
    if !accepted.is_empty() {
        md.push_str(&format!(
            "\n\nAccepted annotations: {}",
            accepted
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hover_at(files: &[(&str, &str)], file: &str) -> Option<HoverInfo> {
        let (state, offset) = crate::analysis::ide::test_state(files, file);
        hover(&state, file, offset)
    }

    #[test]
    fn hovers() {
        let json = r#"{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "orders", "connection": "Storage"}]}"#;
        let h = hover_at(
            &[(
                "F/function.json",
                &json.replace("queueTrigger", "queue|Trigger"),
            )],
            "F/function.json",
        )
        .unwrap();
        assert!(
            h.markdown.starts_with("**queueTrigger** — trigger"),
            "{}",
            h.markdown
        );
        assert!(h.markdown.contains("`func.QueueMessage`"));

        let files = [
            ("F/function.json", json),
            ("F/__init__.py", "import os\nimport azure.functions as func\ndef main(m|sg: func.QueueMessage):\n    os.environ[\"Storage\"]\n"),
            ("local.settings.json", r#"{"IsEncrypted": false, "Values": {"Storage": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=secretsecret"}}"#),
        ];
        let h = hover_at(&files, "F/__init__.py").unwrap();
        assert!(
            h.markdown.contains("`queueName`: `orders`"),
            "{}",
            h.markdown
        );

        let files2 = [
            files[0],
            (
                "F/__init__.py",
                "import os\ndef main(msg):\n    os.environ[\"Sto|rage\"]\n",
            ),
            files[2],
        ];
        let h = hover_at(&files2, "F/__init__.py").unwrap();
        assert!(
            h.markdown.contains("masked") && !h.markdown.contains("secretsecret"),
            "{}",
            h.markdown
        );
    }

    #[test]
    fn a_binding_name_hover_shows_the_entry_parameter() {
        // entryPoint names a class: the worker calls its `__init__`, whose parameters the
        // binding's hover shows.
        let json = r#"{"entryPoint": "Handler", "bindings": [{"type": "queueTrigger", "name": "m|sg", "queueName": "q", "connection": "C"}]}"#;
        let files = [
            ("F/function.json", json),
            (
                "F/__init__.py",
                "class Handler:\n    def __init__(self, msg: str):\n        pass\n",
            ),
        ];
        let md = hover_at(&files, "F/function.json").unwrap().markdown;
        assert!(
            md.contains("Parameter `msg: str` of `__init__()` in `F/__init__.py`"),
            "{md}"
        );
        let files = [
            (
                "F/__init__.py",
                "class Handler:\n    def __init__(self, m|sg: str):\n        pass\n",
            ),
            ("F/function.json", &json.replace('|', "")),
        ];
        let md = hover_at(&files, "F/__init__.py").unwrap().markdown;
        assert!(md.starts_with("**msg** — `queueTrigger` binding"), "{md}");
    }

    #[test]
    fn a_decorated_parameter_hover_names_its_binding() {
        let script = "import azure.functions as func\napp = func.FunctionApp()\n\n@app.queue_trigger(arg_name=\"msg\", queue_name=\"orders\", connection=\"Storage\")\ndef process(msg: func.QueueMessage, context: func.Context):\n    pass\n";
        let hover_on = |marked: &str| {
            let text = script.replacen(&marked.replace('|', ""), marked, 1);
            hover_at(&[("function_app.py", &text)], "function_app.py")
                .unwrap()
                .markdown
        };
        let msg = hover_on("m|sg: func");
        for part in [
            "`queueName`: `orders`",
            "Accepted annotations: ",
            "`func.QueueMessage`",
            "from `",
        ] {
            assert!(msg.contains(part), "{part} in {msg}");
        }
        let context = hover_on("con|text: func");
        assert_eq!(context, CONTEXT_MARKDOWN);
    }
}
