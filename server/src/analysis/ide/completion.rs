//! Completion for function.json, local.settings.json, host.json and Python scripts.

use super::json_cursor::{self, JsonCursor, Segment, Slot};
use super::{accepted_annotations, azure_prefix, binding_type_markdown};
use crate::analysis::catalog::binding_types::{BINDING_TYPES, DATA_TYPES, HTTP_METHODS};
use crate::analysis::catalog::{binding_type_ignore_case, PropKind};
use crate::analysis::function::{self, Script};
use crate::analysis::function_json::Direction;
use crate::analysis::python::NameKind;
use crate::analysis::settings::{self, LOCAL_SETTINGS};
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
        return function_json(state, folder, text, offset);
    }
    match file {
        LOCAL_SETTINGS => local_settings(state, text, offset),
        "host.json" => host_json(text, offset),
        f if f.ends_with(".py") => python(state, f, text, offset),
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

const ROOT_KEYS: &[(&str, &str)] = &[
    (
        "bindings",
        "The function's trigger and its input/output bindings.",
    ),
    (
        "scriptFile",
        "The Python file to load, relative to this folder (default `__init__.py`).",
    ),
    (
        "entryPoint",
        "The function (or class) the worker calls (default `main`).",
    ),
    ("disabled", "Skip this function when the host starts."),
    (
        "retry",
        "Retry policy for failed executions (`strategy`, `maxRetryCount`, intervals).",
    ),
];

const COMMON_KEYS: &[(&str, &str)] = &[
    (
        "type",
        "The binding type, e.g. `httpTrigger`, `queue`, `blob`.",
    ),
    (
        "name",
        "The Python parameter that receives the binding, or `$return`.",
    ),
    ("direction", "`in` (default) or `out`."),
    (
        "dataType",
        "How the host passes the payload: `string`, `binary` or `stream`.",
    ),
];

/// A conventional parameter name for each binding type, for snippets.
fn default_name(t: &str) -> &'static str {
    match t {
        "httpTrigger" => "req",
        "http" => "$return",
        "timerTrigger" => "timer",
        "queueTrigger" | "serviceBusTrigger" => "msg",
        "queue" | "serviceBus" => "outMsg",
        "blobTrigger" | "blob" => "blob",
        "eventHubTrigger" | "eventGridTrigger" => "event",
        "cosmosDBTrigger" | "cosmosDB" => "documents",
        "orchestrationTrigger" => "context",
        "durableClient" => "starter",
        "activityTrigger" => "payload",
        _ => "item",
    }
}

fn function_json(state: &AppState, folder: &str, text: &str, offset: usize) -> Vec<CompletionItem> {
    let Some(cursor) = json_cursor::cursor(text, offset) else {
        return Vec::new();
    };
    let mut out = JsonItems {
        cursor: &cursor,
        items: Vec::new(),
    };
    let unit = state.unit(folder);
    let object = cursor
        .object_start
        .map(|s| object_text(text, s))
        .unwrap_or("");
    match (cursor.path.as_slice(), &cursor.slot) {
        ([], Slot::Key) => out.missing_keys(text, ROOT_KEYS),
        ([], Slot::Value { key }) if key == "scriptFile" => {
            for f in state
                .input()
                .files_in(folder)
                .filter(|f| f.ends_with(".py"))
            {
                let name = f.rsplit('/').next().unwrap_or(f);
                out.push(name, CompletionKind::File, Some(f.to_string()), None, "0");
            }
        }
        ([], Slot::Value { key }) if key == "entryPoint" => {
            if let Some(Script::Found { path, .. }) = unit.map(|u| &u.script) {
                if let Some(module) = state.modules().get(path) {
                    let mut names: Vec<(&String, &str)> = module
                        .names
                        .iter()
                        .filter_map(|(n, defs)| match defs.last().map(|d| &d.kind) {
                            Some(NameKind::Function(_)) => Some((n, "function")),
                            Some(NameKind::Class(_)) => Some((n, "class")),
                            _ => None,
                        })
                        .collect();
                    names.sort();
                    for (n, what) in names {
                        let kind = if what == "class" {
                            CompletionKind::Class
                        } else {
                            CompletionKind::Function
                        };
                        out.push(n, kind, Some(format!("{what} in {path}")), None, "0");
                    }
                }
            }
        }
        ([Segment::Key(b)], Slot::ArrayItem { .. }) if b == "bindings" && !cursor.in_string => {
            for spec in BINDING_TYPES.iter().filter(|t| t.props.is_some()) {
                let name = default_name(spec.name);
                let direction = spec.directions[0];
                let mut lines = vec![
                    format!("\t\"type\": \"{}\"", spec.name),
                    format!("\t\"direction\": \"{direction}\""),
                    format!("\t\"name\": \"${{1:{name}}}\""),
                ];
                let mut n = 2;
                for group in spec.required {
                    lines.push(format!("\t\"{}\": \"${{{n}}}\"", group[0]));
                    n += 1;
                }
                if spec
                    .props
                    .unwrap_or_default()
                    .iter()
                    .any(|p| p.name == "connection")
                {
                    lines.push(format!(
                        "\t\"connection\": \"${{{n}:AzureWebJobsStorage}}\""
                    ));
                }
                let body = format!("{{\n{}\n}}", lines.join(",\n"));
                out.snippet(spec.name, body, binding_type_markdown(spec));
            }
        }
        ([Segment::Key(b), Segment::Index(_)], Slot::Key) if b == "bindings" => {
            let present = present_keys(object);
            for (k, doc) in COMMON_KEYS {
                if !present.contains(&k.to_ascii_lowercase()) {
                    out.push(
                        k,
                        CompletionKind::Property,
                        None,
                        Some(doc.to_string()),
                        "0",
                    );
                }
            }
            if let Some(spec) =
                member_value(object, "type").and_then(|t| binding_type_ignore_case(&t))
            {
                for p in spec.props.unwrap_or_default() {
                    if !present.contains(&p.name.to_ascii_lowercase()) {
                        out.push(
                            p.name,
                            CompletionKind::Property,
                            Some(spec.name.to_string()),
                            Some(p.doc.to_string()),
                            "1",
                        );
                    }
                }
            }
        }
        ([Segment::Key(b), Segment::Index(_)], Slot::Value { key }) if b == "bindings" => {
            binding_value(state, unit, object, key, &mut out);
        }
        ([Segment::Key(b), Segment::Index(_), Segment::Key(m)], Slot::ArrayItem { .. })
            if b == "bindings" && m.eq_ignore_ascii_case("methods") =>
        {
            let present: Vec<String> = present_methods(object);
            for m in HTTP_METHODS.iter().filter(|m| **m != "connect") {
                if !present.contains(&m.to_string()) {
                    out.push(m, CompletionKind::EnumMember, None, None, "0");
                }
            }
        }
        _ => {}
    }
    out.items
}

fn present_methods(object: &str) -> Vec<String> {
    let lower = object.to_ascii_lowercase();
    let Some(at) = lower.find("\"methods\"") else {
        return Vec::new();
    };
    let rest = &lower[at..];
    let end = rest.find(']').unwrap_or(rest.len());
    HTTP_METHODS
        .iter()
        .filter(|m| rest[..end].contains(&format!("\"{m}\"")))
        .map(|m| m.to_string())
        .collect()
}

fn binding_value(
    state: &AppState,
    unit: Option<&function::FunctionUnit>,
    object: &str,
    key: &str,
    out: &mut JsonItems,
) {
    let binding_type = member_value(object, "type");
    let spec = binding_type.as_deref().and_then(binding_type_ignore_case);
    match key.to_ascii_lowercase().as_str() {
        "type" => {
            for t in BINDING_TYPES {
                let sort = if t.is_trigger { "0" } else { "1" };
                let role = if t.is_trigger { "trigger" } else { "binding" };
                out.push(
                    t.name,
                    CompletionKind::EnumMember,
                    Some(role.into()),
                    Some(binding_type_markdown(t)),
                    sort,
                );
            }
        }
        "direction" => {
            let allowed: &[&str] = spec.map(|s| s.directions).unwrap_or(&["in", "out"]);
            for d in allowed.iter().filter(|d| **d != "inout") {
                out.push(d, CompletionKind::EnumMember, None, None, "0");
            }
        }
        "datatype" => {
            for d in DATA_TYPES.iter().filter(|d| **d != "undefined") {
                out.push(d, CompletionKind::EnumMember, None, None, "0");
            }
        }
        "name" => {
            // Parameters of the entry function that no binding takes yet.
            let Some(unit) = unit else { return };
            let Script::Found { path, .. } = &unit.script else {
                return;
            };
            let Some(module) = state.modules().get(path) else {
                return;
            };
            let entry = unit.json.entry_name();
            let text = state.input().text(path).unwrap_or("");
            if let function::Entry::Function(f) = function::entry_point(module, entry, text) {
                for p in &f.params {
                    let bound = unit
                        .json
                        .bindings
                        .iter()
                        .any(|b| b.name_str() == Some(p.name.as_str()));
                    if !bound && p.name != "context" {
                        let ann = p.annotation.as_ref().map(|a| a.text.clone());
                        out.push(
                            &p.name,
                            CompletionKind::Variable,
                            ann.map(|a| format!("{}: {a}", p.name)),
                            None,
                            "0",
                        );
                    }
                }
                if f.return_annotation.is_some() || !f.value_returns.is_empty() {
                    out.push(
                        "$return",
                        CompletionKind::Variable,
                        Some("the return value".into()),
                        None,
                        "1",
                    );
                }
            }
        }
        "connection" | "connectionstringsetting" => {
            for (name, detail) in setting_candidates(state) {
                out.push(&name, CompletionKind::Variable, Some(detail), None, "0");
            }
        }
        _ => {
            if let Some(spec) = spec {
                for p in spec.props.unwrap_or_default() {
                    if !p.name.eq_ignore_ascii_case(key) {
                        continue;
                    }
                    if let PropKind::Enum(values) = p.kind {
                        for v in values {
                            out.push(
                                v,
                                CompletionKind::EnumMember,
                                None,
                                Some(p.doc.to_string()),
                                "0",
                            );
                        }
                    }
                }
            }
            // `%Setting%` inside any string value.
            if out.cursor.in_string {
                let text = state
                    .input()
                    .text(&format!(
                        "{}/function.json",
                        unit.map(|u| u.name.as_str()).unwrap_or("")
                    ))
                    .unwrap_or("");
                let typed = text
                    .get(out.cursor.token.start as usize..out.cursor.token.end as usize)
                    .unwrap_or("");
                if typed.starts_with('%') {
                    for (name, detail) in setting_candidates(state) {
                        let label = format!("%{name}%");
                        out.push(&label, CompletionKind::Variable, Some(detail), None, "0");
                    }
                }
            }
        }
    }
}

/// Setting names from local.settings.json, plus `AzureWebJobsStorage`.
pub(super) fn setting_candidates(state: &AppState) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(s) = settings::local_settings(state.input()) {
        for v in &s.values {
            out.push((v.name.clone(), "local.settings.json".to_string()));
        }
    }
    if !out.iter().any(|(n, _)| n == "AzureWebJobsStorage") {
        out.push((
            "AzureWebJobsStorage".into(),
            "the app's storage account".into(),
        ));
    }
    out
}

const SETTINGS_KEYS: &[(&str, &str)] = &[
    ("IsEncrypted", "Must be `false` for a plain-text file: when absent, Core Tools tries to decrypt every value."),
    ("Values", "App settings, exported to the host and the worker as environment variables."),
    ("Host", "Local host options: `LocalHttpPort`, `CORS`, `CORSCredentials`."),
    ("ConnectionStrings", "Connection strings for frameworks that read them (not published as app settings)."),
];

const KNOWN_VALUES: &[(&str, &str)] = &[
    ("FUNCTIONS_WORKER_RUNTIME", "The language worker: `python`."),
    ("AzureWebJobsStorage", "Storage connection the host needs for every trigger but HTTP (`UseDevelopmentStorage=true` for Azurite)."),
    ("AzureWebJobsFeatureFlags", "Comma-separated host feature flags."),
    ("PYTHON_SCRIPT_FILE_NAME", "The v2 model's script (default `function_app.py`)."),
    ("PYTHON_ISOLATE_WORKER_DEPENDENCIES", "Load the app's packages in isolation from the worker's."),
    ("PYTHON_ENABLE_WORKER_EXTENSIONS", "Enable Python worker extensions."),
    ("PYTHON_THREADPOOL_THREAD_COUNT", "Threads for synchronous functions."),
    ("PYTHON_ENABLE_DEBUG_LOGGING", "Verbose worker logging."),
    ("PYTHON_ENABLE_INIT_INDEXING", "Index v2 functions at worker start."),
    ("FUNCTIONS_WORKER_PROCESS_COUNT", "Worker processes per host."),
];

fn local_settings(state: &AppState, text: &str, offset: usize) -> Vec<CompletionItem> {
    let Some(cursor) = json_cursor::cursor(text, offset) else {
        return Vec::new();
    };
    let mut out = JsonItems {
        cursor: &cursor,
        items: Vec::new(),
    };
    match (cursor.path.as_slice(), &cursor.slot) {
        ([], Slot::Key) => out.missing_keys(text, SETTINGS_KEYS),
        ([], Slot::Value { key }) if key == "IsEncrypted" => {
            out.items.push(CompletionItem {
                label: "false".into(),
                kind: CompletionKind::Value,
                detail: None,
                documentation: None,
                edit_range: cursor.token,
                insert_text: "false".into(),
                is_snippet: false,
                sort_text: None,
                filter_text: None,
            });
        }
        ([Segment::Key(v)], Slot::Key) if v == "Values" => {
            let present = settings::local_settings(state.input())
                .map(|s| s.values.into_iter().map(|v| v.name).collect::<Vec<_>>())
                .unwrap_or_default();
            for (k, doc) in KNOWN_VALUES {
                if !present.iter().any(|p| p == k) {
                    out.push(
                        k,
                        CompletionKind::Property,
                        None,
                        Some(doc.to_string()),
                        "0",
                    );
                }
            }
            for name in referenced_settings(state) {
                if !present.contains(&name) && !KNOWN_VALUES.iter().any(|(k, _)| *k == name) {
                    out.push(
                        &name,
                        CompletionKind::Property,
                        Some("used by a binding, not set".into()),
                        None,
                        "1",
                    );
                }
            }
        }
        ([Segment::Key(v)], Slot::Value { key })
            if v == "Values" && key == "FUNCTIONS_WORKER_RUNTIME" =>
        {
            out.push("python", CompletionKind::EnumMember, None, None, "0");
        }
        ([Segment::Key(v)], Slot::Value { key })
            if v == "Values" && key == "AzureWebJobsStorage" =>
        {
            out.push(
                "UseDevelopmentStorage=true",
                CompletionKind::Value,
                Some("Azurite, the local storage emulator".into()),
                None,
                "0",
            );
        }
        ([Segment::Key(h)], Slot::Key) if h == "Host" => {
            for (k, doc) in [
                ("LocalHttpPort", "Port for `func start` (default 7071)."),
                ("CORS", "Comma-separated allowed origins, `*` for any."),
                (
                    "CORSCredentials",
                    "Allow credentials in cross-origin requests.",
                ),
            ] {
                out.push(
                    k,
                    CompletionKind::Property,
                    None,
                    Some(doc.to_string()),
                    "0",
                );
            }
        }
        _ => {}
    }
    out.items
}

/// Setting names the app's bindings refer to (`connection`, `%Name%`).
fn referenced_settings(state: &AppState) -> Vec<String> {
    let mut names = Vec::new();
    for unit in state.units() {
        for b in &unit.json.bindings {
            for m in &b.members {
                let Some(v) = m.value.as_ref().and_then(|v| v.as_str()) else {
                    continue;
                };
                let is_connection = m.key.eq_ignore_ascii_case("connection")
                    || m.key.eq_ignore_ascii_case("connectionStringSetting");
                if is_connection && !v.is_empty() && !v.contains('%') {
                    names.push(v.to_string());
                }
                let mut rest = v;
                while let Some(a) = rest.find('%') {
                    let after = &rest[a + 1..];
                    let Some(b) = after.find('%') else { break };
                    if b > 0 {
                        names.push(after[..b].to_string());
                    }
                    rest = &after[b + 1..];
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

fn host_json(text: &str, offset: usize) -> Vec<CompletionItem> {
    let Some(cursor) = json_cursor::cursor(text, offset) else {
        return Vec::new();
    };
    let mut out = JsonItems {
        cursor: &cursor,
        items: Vec::new(),
    };
    match (cursor.path.as_slice(), &cursor.slot) {
        ([], Slot::Key) => {
            let present = present_keys(text);
            for (k, doc) in [
                ("version", "Schema version of host.json: must be \"2.0\"."),
                ("extensionBundle", "The binding extensions the host loads (needed for every trigger but HTTP and timer)."),
                ("logging", "Log levels and Application Insights options."),
                ("functionTimeout", "Per-invocation time limit, `hh:mm:ss`."),
                ("extensions", "Per-extension options (http, queues, serviceBus, eventHubs, durableTask, …)."),
                ("concurrency", "Dynamic concurrency settings."),
                ("retry", "App-wide retry policy."),
                ("functions", "Only load these functions."),
                ("healthMonitor", "Host health monitoring."),
                ("singleton", "Singleton lock settings."),
                ("watchDirectories", "Extra folders whose changes restart the host."),
                ("watchFiles", "Extra files whose changes restart the host."),
                ("aggregator", "Telemetry batching."),
            ] {
                if !present.contains(&k.to_ascii_lowercase()) {
                    out.push(k, CompletionKind::Property, None, Some(doc.to_string()), "0");
                }
            }
        }
        ([], Slot::Value { key }) if key == "version" => {
            out.push("2.0", CompletionKind::Value, None, None, "0")
        }
        ([Segment::Key(e)], Slot::Key) if e == "extensionBundle" => {
            out.push(
                "id",
                CompletionKind::Property,
                None,
                Some("`Microsoft.Azure.Functions.ExtensionBundle`".into()),
                "0",
            );
            out.push(
                "version",
                CompletionKind::Property,
                None,
                Some("A version range, e.g. `[4.*, 5.0.0)`.".into()),
                "0",
            );
        }
        ([Segment::Key(e)], Slot::Value { key }) if e == "extensionBundle" && key == "id" => {
            out.push(
                "Microsoft.Azure.Functions.ExtensionBundle",
                CompletionKind::Value,
                None,
                None,
                "0",
            );
        }
        ([Segment::Key(e)], Slot::Value { key }) if e == "extensionBundle" && key == "version" => {
            out.push(
                "[4.*, 5.0.0)",
                CompletionKind::Value,
                Some("the current bundle".into()),
                None,
                "0",
            );
        }
        _ => {}
    }
    out.items
}

fn python(state: &AppState, file: &str, text: &str, offset: usize) -> Vec<CompletionItem> {
    // Inside a decorator call of a v2 app.
    if let Some(items) = super::decorators::completions(state, file, text, offset) {
        return items;
    }
    let line_start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let before = &text[line_start..offset];
    // Setting keys in os.environ["…"], os.environ.get("…"), os.getenv("…").
    for pattern in ["environ[", "environ.get(", "getenv("] {
        let Some(at) = before.rfind(pattern) else {
            continue;
        };
        let arg = &before[at + pattern.len()..];
        let Some(quote) = arg.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let typed = &arg[1..];
        if typed.contains(quote) {
            continue;
        }
        let start = offset - typed.len();
        let mut end = offset;
        let bytes = text.as_bytes();
        while end < text.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        let local = settings::local_settings(state.input());
        let mut names: Vec<(String, String)> = local
            .iter()
            .flat_map(|s| s.values.iter())
            .map(|v| (v.name.clone(), "local.settings.json".to_string()))
            .collect();
        for r in referenced_settings(state) {
            if !names.iter().any(|(n, _)| *n == r) {
                names.push((r, "used by a binding".into()));
            }
        }
        return names
            .into_iter()
            .map(|(name, detail)| CompletionItem {
                label: name.clone(),
                kind: CompletionKind::Variable,
                detail: Some(detail),
                documentation: None,
                edit_range: TextRange::new(start, end),
                insert_text: name.clone(),
                is_snippet: false,
                sort_text: None,
                filter_text: Some(name),
            })
            .collect();
    }
    signature(state, file, text, offset)
}

/// Parameter names and annotations inside the entry function's signature.
fn signature(state: &AppState, file: &str, text: &str, offset: usize) -> Vec<CompletionItem> {
    let Some(unit) = state
        .units()
        .find(|u| matches!(&u.script, Script::Found { path, .. } if path == file))
    else {
        return Vec::new();
    };
    let Some(module) = state.modules().get(file) else {
        return Vec::new();
    };
    let entry = unit.json.entry_name();
    let function::Entry::Function(f) = function::entry_point(module, entry, text) else {
        return Vec::new();
    };
    let params = f.params_range;
    if offset <= params.start as usize || offset >= params.end as usize {
        return Vec::new();
    }
    let inside = &text[params.start as usize + 1..offset];
    let segment_start = inside.rfind([',', '(']).map(|i| i + 1).unwrap_or(0);
    let segment = &inside[segment_start..];
    let bytes = text.as_bytes();
    let mut start = offset;
    while start > 0
        && (bytes[start - 1].is_ascii_alphanumeric()
            || bytes[start - 1] == b'_'
            || bytes[start - 1] == b'.')
    {
        start -= 1;
    }
    let range = TextRange::new(start, offset);
    let item = |label: String, kind, detail: Option<String>| CompletionItem {
        filter_text: Some(label.clone()),
        insert_text: label.clone(),
        label,
        kind,
        detail,
        documentation: None,
        edit_range: range,
        is_snippet: false,
        sort_text: None,
    };
    let prefix = azure_prefix(Some(module));
    match segment.split_once(':') {
        Some((name, _)) => {
            let name = name.trim().trim_start_matches('*');
            let Some(b) = unit
                .json
                .bindings
                .iter()
                .find(|b| b.name_str() == Some(name))
            else {
                if name == "context" {
                    return vec![item(
                        format!("{prefix}Context"),
                        CompletionKind::Class,
                        Some("invocation context".into()),
                    )];
                }
                return Vec::new();
            };
            let Some(t) = b.type_str() else {
                return Vec::new();
            };
            accepted_annotations(t, b.direction.unwrap_or(Direction::In), &prefix)
                .into_iter()
                .map(|a| {
                    item(
                        a,
                        CompletionKind::Class,
                        Some(format!("accepted for '{t}'")),
                    )
                })
                .collect()
        }
        None => {
            let taken: Vec<&str> = f.params.iter().map(|p| p.name.as_str()).collect();
            let mut items: Vec<CompletionItem> = unit
                .json
                .bindings
                .iter()
                .filter_map(|b| Some((b.name_str()?, b.type_str().unwrap_or(""))))
                .filter(|(n, _)| *n != "$return" && !taken.contains(n))
                .map(|(n, t)| {
                    item(
                        n.to_string(),
                        CompletionKind::Variable,
                        Some(format!("{t} binding")),
                    )
                })
                .collect();
            if !taken.contains(&"context") {
                items.push(item(
                    "context".into(),
                    CompletionKind::Variable,
                    Some("invocation context".into()),
                ));
            }
            items
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(files: &[(&str, &str)], file: &str) -> Vec<CompletionItem> {
        let (state, offset) = super::super::test_state(files, file);
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
    fn names_from_parameters_and_snippets() {
        let files = [
            ("F/function.json", r#"{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "blob", "name": "|"}]}"#),
            ("F/__init__.py", "import azure.functions as func\ndef main(req: func.HttpRequest, doc: func.InputStream) -> str: ...\n"),
        ];
        assert_eq!(
            labels(&complete(&files, "F/function.json")),
            ["doc", "$return"]
        );
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
