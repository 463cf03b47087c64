//! Completion, by the document it serves: `function.json`, `local.settings.json`, `host.json`,
//! Python scripts (and the decorators of a v2 app in them).

mod decorators;
mod durable;
mod expressions;
mod function_json;
mod host_json;
mod local_settings;
mod python;

use crate::analysis::ide::json_cursor::{JsonCursor, Slot};
use crate::analysis::settings::LOCAL_SETTINGS;
use crate::analysis::state::AppState;
use crate::analysis::text::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Property,
    Value,
    EnumMember,
    Snippet,
    Variable,
    File,
    Function,
    Class,
}

/// One completion: what to show, and the text that replaces `edit_range`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    pub edit_range: TextRange,
    pub insert_text: String,
    pub is_snippet: bool,
    pub sort_text: Option<String>,
    pub filter_text: Option<String>,
}

/// Completions at byte `offset` of `file` (relative to the app root).
pub fn completions(state: &AppState, file: &str, offset: usize) -> Vec<CompletionItem> {
    let Some(text) = state.input().text(file) else {
        return Vec::new();
    };
    let offset = offset.min(text.len());
    if let Some(folder) = file.strip_suffix("/function.json") {
        return function_json::function_json(state, folder, text, offset);
    }
    match file {
        LOCAL_SETTINGS => local_settings::local_settings(state, text, offset),
        "host.json" => host_json::host_json(text, offset),
        f if f.ends_with(".py") => python::python(state, f, text, offset),
        _ => Vec::new(),
    }
}

/// Builds items for one JSON cursor: strings replace the string's content, elsewhere the item is
/// inserted with its quotes.
struct JsonItems<'a> {
    cursor: &'a JsonCursor,
    items: Vec<CompletionItem>,
}

impl JsonItems<'_> {
    fn push(
        &mut self,
        label: &str,
        kind: CompletionKind,
        detail: Option<String>,
        doc: Option<String>,
        sort: &str,
    ) {
        let c = self.cursor;
        let is_key = c.slot == Slot::Key;
        let insert_text = match (c.in_string, c.closed, is_key) {
            (true, true, _) => label.to_string(),
            (true, false, false) => format!("{label}\""),
            (true, false, true) => format!("{label}\": "),
            (false, _, true) => format!("\"{label}\": "),
            (false, _, false) => format!("\"{label}\""),
        };
        self.items.push(CompletionItem {
            label: label.to_string(),
            kind,
            detail,
            documentation: doc,
            edit_range: c.token,
            insert_text,
            is_snippet: false,
            sort_text: Some(format!("{sort}{label}")),
            filter_text: Some(label.to_string()),
        });
    }

    /// The keys of `keys` that `present_in` (an object's text) does not have yet.
    fn missing_keys(&mut self, present_in: &str, keys: &[(&str, &str)]) {
        let present = present_keys(present_in);
        for (k, doc) in keys {
            if !present.contains(&k.to_ascii_lowercase()) {
                self.push(
                    k,
                    CompletionKind::Property,
                    None,
                    Some(doc.to_string()),
                    "0",
                );
            }
        }
    }

    fn snippet(&mut self, label: &str, body: String, doc: String) {
        self.items.push(CompletionItem {
            label: label.to_string(),
            kind: CompletionKind::Snippet,
            detail: Some("binding".into()),
            documentation: Some(doc),
            edit_range: self.cursor.token,
            insert_text: body,
            is_snippet: true,
            sort_text: Some(format!("1{label}")),
            filter_text: Some(label.to_string()),
        });
    }
}

/// The text of the object that starts at `start`, up to its closing brace (or the end).
fn object_text(text: &str, start: usize) -> &str {
    let bytes = text.as_bytes();
    let mut depth = 0;
    let mut i = start;
    let mut in_str = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'{' if !in_str => depth += 1,
            b'}' if !in_str => {
                depth -= 1;
                if depth == 0 {
                    return &text[start..=i];
                }
            }
            _ => {}
        }
        i += 1;
    }
    &text[start..]
}

/// The value of a string member `key` (any case) in an object's text, and whether `key` is there.
fn member_value(object: &str, key: &str) -> Option<String> {
    let lower = object.to_ascii_lowercase();
    let needle = format!("\"{}\"", key.to_ascii_lowercase());
    let at = lower.find(&needle)? + needle.len();
    let rest = object[at..].trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

fn present_keys(object: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = object;
    while let Some(i) = rest.find('"') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('"') else { break };
        let candidate = &after[..j];
        let tail = after[j + 1..].trim_start();
        if tail.starts_with(':') {
            keys.push(candidate.to_ascii_lowercase());
        }
        rest = &after[j + 1..];
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(files: &[(&str, &str)], file: &str) -> Vec<CompletionItem> {
        let (state, offset) = crate::analysis::ide::test_state(files, file);
        completions(&state, file, offset)
    }

    fn labels(items: &[CompletionItem]) -> Vec<&str> {
        let mut sorted: Vec<&CompletionItem> = items.iter().collect();
        sorted.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
        sorted.iter().map(|i| i.label.as_str()).collect()
    }

    #[test]
    fn binding_types_triggers_first_with_string_edits() {
        let items = complete(
            &[("F/function.json", r#"{"bindings": [{"type": "qu|"}]}"#)],
            "F/function.json",
        );
        let l = labels(&items);
        assert!(l.iter().position(|x| *x == "queueTrigger") < l.iter().position(|x| *x == "queue"));
        let q = items.iter().find(|i| i.label == "queue").unwrap();
        assert_eq!(q.insert_text, "queue");
        assert_eq!(q.edit_range, TextRange::new(24, 26));
        assert!(q
            .documentation
            .as_ref()
            .unwrap()
            .contains("Azure Storage queue"));
        // Without a closing quote, the item closes the string.
        let items = complete(
            &[("F/function.json", "{\"bindings\": [{\"type\": \"qu|\n")],
            "F/function.json",
        );
        assert_eq!(
            items
                .iter()
                .find(|i| i.label == "queue")
                .unwrap()
                .insert_text,
            "queue\""
        );
    }

    #[test]
    fn keys_for_the_binding_type_and_enums() {
        let items = complete(
            &[(
                "F/function.json",
                r#"{"bindings": [{"type": "queueTrigger", "name": "m", "|"}]}"#,
            )],
            "F/function.json",
        );
        let l = labels(&items);
        assert!(l.contains(&"queueName") && l.contains(&"connection") && l.contains(&"direction"));
        assert!(!l.contains(&"name") && !l.contains(&"type"));
        let items = complete(
            &[(
                "F/function.json",
                r#"{"bindings": [{"type": "httpTrigger", "authLevel": "|"}]}"#,
            )],
            "F/function.json",
        );
        assert_eq!(
            labels(&items),
            ["admin", "anonymous", "function", "system", "user"]
        );
        let items = complete(
            &[(
                "F/function.json",
                r#"{"bindings": [{"type": "httpTrigger", "methods": ["get", "|"]}]}"#,
            )],
            "F/function.json",
        );
        assert!(!labels(&items).contains(&"get") && labels(&items).contains(&"post"));
    }

    #[test]
    fn settings_and_binding_data_in_binding_strings_in_both_models() {
        let settings = (
            "local.settings.json",
            r#"{"IsEncrypted": false, "Values": {"OrdersQueue": "orders", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}"#,
        );
        let json = r#"{"bindings": [
  {"type": "blobTrigger", "name": "blob", "path": "in/{name}.{ext}", "connection": "AzureWebJobsStorage"},
  {"type": "queue", "direction": "out", "name": "out", "queueName": "%|", "connection": "AzureWebJobsStorage"}
]}"#;
        let script = ("F/__init__.py", "def main(blob, out): pass\n");
        let items = complete(
            &[("F/function.json", json), script, settings],
            "F/function.json",
        );
        assert_eq!(labels(&items), ["%OrdersQueue%", "%AzureWebJobsStorage%"]);
        assert_eq!(items[0].insert_text, "OrdersQueue%");
        // `{` inside a path, after text: only the token is replaced.
        let json = json.replace("\"%|\"", "\"%OrdersQueue%\"").replace(
            "\"name\": \"out\",",
            "\"name\": \"out\", \"path\": \"done/{|}\",",
        );
        let items = complete(
            &[("F/function.json", &json), script, settings],
            "F/function.json",
        );
        let l = labels(&items);
        assert_eq!(
            &l[..4],
            ["{name}", "{ext}", "{BlobTrigger}", "{Uri}"],
            "{l:?}"
        );
        assert!(l.contains(&"{rand-guid}"));
        assert_eq!(items[0].insert_text, "name", "the closing brace is there");
        let text = json.replace('|', "");
        let at = text.find("done/{").unwrap() + 6;
        assert_eq!(items[0].edit_range, TextRange::new(at, at));

        // The same in decorator arguments.
        let script = r#"import azure.functions as func
app = func.FunctionApp()

@app.blob_trigger(arg_name="blob", path="in/{name}.{ext}", connection="AzureWebJobsStorage")
@app.queue_output(arg_name="out", queue_name="%Ord|", connection="AzureWebJobsStorage")
def copy(blob, out): pass
"#;
        let items = complete(&[("function_app.py", script), settings], "function_app.py");
        assert_eq!(labels(&items), ["%OrdersQueue%", "%AzureWebJobsStorage%"]);
        assert_eq!(items[0].insert_text, "OrdersQueue%");
        let start = script.find("%Ord").unwrap() + 1;
        assert_eq!(items[0].edit_range, TextRange::new(start, start + 3));
        let script = script
            .replace("queue_output(", "blob_output(")
            .replace("queue_name=\"%Ord|\"", "path=\"out/{|\"");
        let items = complete(&[("function_app.py", &script), settings], "function_app.py");
        let l = labels(&items);
        assert_eq!(&l[..3], ["{name}", "{ext}", "{BlobTrigger}"], "{l:?}");
        assert_eq!(items[0].insert_text, "name}");
        // Connections still complete setting names, not expressions.
        let script = script
            .replace("path=\"out/{|\"", "path=\"out/x\"")
            .replacen(
                "connection=\"AzureWebJobsStorage\")\ndef",
                "connection=\"|\")\ndef",
                1,
            );
        let items = complete(&[("function_app.py", &script), settings], "function_app.py");
        assert_eq!(labels(&items), ["OrdersQueue", "AzureWebJobsStorage"]);
    }

    #[test]
    fn signature_of_a_decorated_function() {
        // The worker calls the `def` under the decorators, whatever function.json would call
        // `main`: its parameter list completes binding names and accepted annotations.
        let script = "import azure.functions as func\napp = func.FunctionApp()\n\ndef main(x): pass\n\n@app.queue_trigger(arg_name=\"msg\", queue_name=\"q\", connection=\"C\")\n@app.blob_output(arg_name=\"receipt\", path=\"r/x\", connection=\"C\")\ndef process(msg: |):\n    pass\n";
        let items = complete(&[("function_app.py", script)], "function_app.py");
        let l = labels(&items);
        assert!(l.contains(&"func.QueueMessage"), "{l:?}");
        let script = script.replace("msg: |", "msg: func.QueueMessage, |");
        let items = complete(&[("function_app.py", &script)], "function_app.py");
        assert_eq!(labels(&items), ["receipt", "context"]);
        // Outside the decorated function's parameters: nothing from the signature.
        let script = script
            .replace("msg: func.QueueMessage, |", "msg")
            .replace("def main(x)", "def main(|)");
        let items = complete(&[("function_app.py", &script)], "function_app.py");
        assert!(labels(&items).is_empty(), "{:?}", labels(&items));
    }

    #[test]
    fn names_from_parameters_and_snippets() {
        let files = [
            ("F/function.json", r#"{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "blob", "name": "|"}]}"#),
            ("F/__init__.py", "import azure.functions as func\ndef main(req: func.HttpRequest, doc: func.InputStream) -> str: ...\n"),
        ];
        assert_eq!(
            labels(&complete(&files, "F/function.json")),
            ["doc", "$return"]
        );
        // An empty `entryPoint` is `main`, as for the rules.
        let files = [
            (
                "F/function.json",
                r#"{"entryPoint": "", "bindings": [{"type": "blob", "name": "|"}]}"#,
            ),
            (
                "F/__init__.py",
                "def main(doc): ...
",
            ),
        ];
        assert_eq!(labels(&complete(&files, "F/function.json")), ["doc"]);
        let items = complete(
            &[("F/function.json", r#"{"bindings": [|]}"#)],
            "F/function.json",
        );
        let snippet = items.iter().find(|i| i.label == "queueTrigger").unwrap();
        assert!(snippet.is_snippet && snippet.insert_text.contains("\"queueName\": \"${2}\""));
    }

    #[test]
    fn python_settings_and_signature() {
        let settings = (
            "local.settings.json",
            r#"{"IsEncrypted": false, "Values": {"API_KEY": "x", "FUNCTIONS_WORKER_RUNTIME": "python"}}"#,
        );
        let json = (
            "F/function.json",
            r#"{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}, {"type": "blob", "direction": "out", "name": "out", "path": "x"}]}"#,
        );
        let items = complete(
            &[
                settings,
                json,
                (
                    "F/__init__.py",
                    "import os\nkey = os.environ[\"AP|\"]\ndef main(msg): pass\n",
                ),
            ],
            "F/__init__.py",
        );
        assert!(labels(&items).contains(&"API_KEY"));
        assert_eq!(items[0].edit_range, TextRange::new(28, 30));
        let items = complete(
            &[
                json,
                (
                    "F/__init__.py",
                    "import azure.functions as func\ndef main(msg: func.QueueMessage, |): pass\n",
                ),
            ],
            "F/__init__.py",
        );
        assert_eq!(labels(&items), ["out", "context"]);
        let items = complete(
            &[
                json,
                (
                    "F/__init__.py",
                    "import azure.functions as af\ndef main(msg: af.QueueMessage, out: |): pass\n",
                ),
            ],
            "F/__init__.py",
        );
        assert!(labels(&items).contains(&"af.Out[af.InputStream]"));
    }

    #[test]
    fn settings_and_host_keys() {
        let items = complete(
            &[(
                "local.settings.json",
                "{\"IsEncrypted\": false, \"Values\": {\"|\"}}",
            )],
            "local.settings.json",
        );
        assert!(labels(&items).contains(&"FUNCTIONS_WORKER_RUNTIME"));
        let items = complete(
            &[(
                "host.json",
                "{\"version\": \"2.0\", \"extensionBundle\": {\"version\": \"|\"}}",
            )],
            "host.json",
        );
        assert_eq!(labels(&items), ["[4.*, 5.0.0)"]);
    }
}
