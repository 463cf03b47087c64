//! Outlines and summaries: document symbols of function.json, local.settings.json and the
//! decorated functions of a Python module, workspace symbols for every function, code lenses above entry functions and inlay hints after
//! their parameters.

use super::refs;
use crate::analysis::entry::EntryDef;
use crate::analysis::function::FunctionUnit;
use crate::analysis::function_json::{self, Binding, Direction};
use crate::analysis::host_view::{self, binding_target};
use crate::analysis::json::{self, JsonKind, JsonMember};
use crate::analysis::routes;
use crate::analysis::settings::{self, LOCAL_SETTINGS};
use crate::analysis::state::AppState;
use crate::analysis::text::TextRange;

/// What a symbol is, for the editor's icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    File,
    Function,
    Array,
    Object,
    Key,
    Event,
    Variable,
    Constant,
    Boolean,
}

/// One entry of a document's outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub range: TextRange,
    pub selection: TextRange,
    pub children: Vec<DocumentSymbol>,
}

/// A function of the app, for workspace symbol search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    /// `Orders — httpTrigger GET,POST /api/orders/{id}`.
    pub name: String,
    pub kind: SymbolKind,
    pub file: String,
    pub range: TextRange,
    /// The function's folder.
    pub container: String,
}

/// A line of text above an entry function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLens {
    pub range: TextRange,
    pub title: String,
    /// The function it sums up (for the command that shows what the host sees of it).
    pub function: String,
}

/// A label shown after a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: usize,
    pub label: String,
    pub tooltip: Option<String>,
}

/// The outline of function.json (its bindings, `scriptFile`, `entryPoint`),
/// local.settings.json (its settings, grouped) or a Python module of a decorator app (its
/// decorated functions and their bindings).
pub fn document_symbols(state: &AppState, file: &str) -> Vec<DocumentSymbol> {
    let Some(text) = state.input().text(file) else {
        return Vec::new();
    };
    if file.ends_with("/function.json") {
        return function_json_symbols(text);
    }
    if file == LOCAL_SETTINGS {
        return local_settings_symbols(text);
    }
    if file.ends_with(".py") {
        return decorated_symbols(state, file);
    }
    Vec::new()
}

/// The functions whose entry `def` is in `file`, with that `def`, in the host's order.
fn entries_in<'s>(state: &'s AppState, file: &str) -> Vec<(&'s FunctionUnit, EntryDef<'s>)> {
    state
        .units()
        .filter(|u| crate::analysis::entry::script_is(u, file))
        .filter_map(|u| Some((u, refs::entry_def(state, u)?)))
        .filter(|(_, def)| def.script == file)
        .collect()
}

/// What the host sees of each of `units`, summed up: `GET POST /api/orders/{id} · 3 bindings`.
fn host_summaries<'u>(
    state: &AppState,
    units: impl IntoIterator<Item = &'u FunctionUnit>,
) -> Vec<String> {
    host_view::host_view(state.input(), units, None)
        .functions
        .iter()
        .map(|f| f.summary())
        .collect()
}

/// One symbol per decorated function of `file`, named as the host names it, spanning its
/// decorators and `def`, with its bindings as children.
fn decorated_symbols(state: &AppState, file: &str) -> Vec<DocumentSymbol> {
    let entries: Vec<_> = entries_in(state, file)
        .into_iter()
        .filter(|(u, _)| u.decorated().is_some() && u.declaration_file() == file)
        .collect();
    let summaries = host_summaries(state, entries.iter().map(|(u, _)| *u));
    let mut out: Vec<DocumentSymbol> = entries
        .iter()
        .zip(summaries)
        .map(|((unit, def), summary)| {
            let mut range = def.function.range;
            let mut children: Vec<DocumentSymbol> = unit
                .bindings()
                .iter()
                .map(|b| {
                    // A binding's range is in its decorator; grow the function's range to hold
                    // it should a decorator be applied elsewhere.
                    range = TextRange::new(
                        range.start.min(b.range.start) as usize,
                        range.end.max(b.range.end) as usize,
                    );
                    let anchor = b.anchor();
                    let selection = if b.range.start <= anchor.start && anchor.end <= b.range.end {
                        anchor
                    } else {
                        b.range
                    };
                    DocumentSymbol {
                        name: b.name_str().unwrap_or("(no name)").to_string(),
                        detail: Some(binding_detail(b)),
                        kind: if b.is_trigger() {
                            SymbolKind::Event
                        } else {
                            SymbolKind::Variable
                        },
                        range: b.range,
                        selection,
                        children: Vec::new(),
                    }
                })
                .collect();
            // In source order: the library lists the innermost decorator's bindings first.
            children.sort_by_key(|c| c.range.start);
            DocumentSymbol {
                name: unit.name.clone(),
                detail: Some(summary),
                kind: SymbolKind::Function,
                range,
                selection: def.function.name_range,
                children,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.range.start, &a.name).cmp(&(b.range.start, &b.name)));
    out
}

/// `1 binding`, `3 bindings`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn member_range(m: &JsonMember) -> TextRange {
    let end = m
        .value
        .as_ref()
        .map(|v| v.range.end)
        .unwrap_or(m.key_range.end);
    TextRange::new(m.key_range.start as usize, end as usize)
}

/// `queueTrigger · in · orders`: a binding's type, direction and target.
fn binding_detail(b: &Binding) -> String {
    let mut parts = vec![b.type_str().unwrap_or("?").to_string()];
    parts.push(b.direction.unwrap_or(Direction::In).as_str().to_string());
    if let Some(t) = binding_target(b) {
        parts.push(t);
    }
    parts.join(" · ")
}

fn function_json_symbols(text: &str) -> Vec<DocumentSymbol> {
    let fj = function_json::parse(text);
    let Some(root) = fj.root.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for m in root.as_object().unwrap_or_default() {
        match m.key.as_str() {
            "scriptFile" | "entryPoint" => out.push(DocumentSymbol {
                name: m.key.clone(),
                detail: m.value.as_ref().and_then(|v| v.scalar_text()),
                kind: if m.key == "scriptFile" {
                    SymbolKind::File
                } else {
                    SymbolKind::Function
                },
                range: member_range(m),
                selection: m.key_range,
                children: Vec::new(),
            }),
            "bindings" => {
                let children = fj
                    .bindings
                    .iter()
                    .map(|b| DocumentSymbol {
                        name: b.name_str().unwrap_or("(no name)").to_string(),
                        detail: Some(binding_detail(b)),
                        kind: if b.is_trigger() {
                            SymbolKind::Event
                        } else {
                            SymbolKind::Variable
                        },
                        range: b.range,
                        selection: b.anchor(),
                        children: Vec::new(),
                    })
                    .collect();
                out.push(DocumentSymbol {
                    name: "bindings".to_string(),
                    detail: Some(count(fj.bindings.len(), "binding")),
                    kind: SymbolKind::Array,
                    range: member_range(m),
                    selection: m.key_range,
                    children,
                });
            }
            _ => {}
        }
    }
    out
}

fn local_settings_symbols(text: &str) -> Vec<DocumentSymbol> {
    let Some(root) = json::parse(text).value else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for m in root.as_object().unwrap_or_default() {
        let value = m.value.as_ref();
        let (kind, detail, children) = match value.map(|v| &v.kind) {
            Some(JsonKind::Object(members)) => {
                let children = members
                    .iter()
                    .map(|s| {
                        let shown = s.value.as_ref().and_then(|v| v.scalar_text());
                        DocumentSymbol {
                            name: s.key.clone(),
                            detail: shown.map(|v| settings::masked(&s.key, &v)),
                            kind: if m.key == "Values" || m.key == "ConnectionStrings" {
                                SymbolKind::Key
                            } else {
                                SymbolKind::Constant
                            },
                            range: member_range(s),
                            selection: s.key_range,
                            children: Vec::new(),
                        }
                    })
                    .collect::<Vec<_>>();
                let detail = count(children.len(), "setting");
                (SymbolKind::Object, Some(detail), children)
            }
            Some(JsonKind::Bool(b)) => (SymbolKind::Boolean, Some(b.to_string()), Vec::new()),
            _ => (
                SymbolKind::Constant,
                value.and_then(|v| v.scalar_text()),
                Vec::new(),
            ),
        };
        out.push(DocumentSymbol {
            name: m.key.clone(),
            detail,
            kind,
            range: member_range(m),
            selection: m.key_range,
            children,
        });
    }
    out
}

/// `GET,POST /api/orders/{id}` for an HTTP trigger.
fn http_summary(state: &AppState, unit: &FunctionUnit, b: &Binding) -> String {
    let methods = b
        .property("methods")
        .and_then(|m| m.value.as_ref())
        .and_then(|v| v.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str())
                .map(|s| s.to_ascii_uppercase())
                .collect::<Vec<_>>()
                .join(",")
        })
        .filter(|m| !m.is_empty());
    let route = b
        .property_str("route")
        .map(|r| r.value)
        .unwrap_or_else(|| unit.name.clone());
    let prefix = routes::route_prefix(state.input());
    let path = if prefix.is_empty() {
        format!("/{route}")
    } else {
        format!("/{prefix}/{route}")
    };
    match methods {
        Some(m) => format!("{m} {path}"),
        None => path,
    }
}

/// `httpTrigger GET,POST /api/orders/{id}`: the function's trigger and what it listens to.
pub fn trigger_summary(state: &AppState, unit: &FunctionUnit) -> String {
    let Some(trigger) = unit.bindings().iter().find(|b| b.is_trigger()) else {
        return "no trigger".to_string();
    };
    let t = trigger.type_str().unwrap_or("?");
    let detail = if t.eq_ignore_ascii_case("httpTrigger") {
        Some(http_summary(state, unit, trigger))
    } else {
        binding_target(trigger)
    };
    match detail {
        Some(d) => format!("{t} {d}"),
        None => t.to_string(),
    }
}

/// Whether every character of `query` appears in `name` in order, ignoring case.
fn matches_query(name: &str, query: &str) -> bool {
    let mut chars = name.chars().flat_map(char::to_lowercase);
    query
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .all(|q| chars.any(|c| c == q))
}

/// Every function of the app whose name or summary matches `query` (a fuzzy, case-insensitive
/// subsequence; empty matches all), at its entry function when there is one, else at its
/// trigger in function.json.
pub fn workspace_symbols(state: &AppState, query: &str) -> Vec<WorkspaceSymbol> {
    let mut out = Vec::new();
    for unit in state.units() {
        let name = format!("{} — {}", unit.name, trigger_summary(state, unit));
        if !matches_query(&name, query) {
            continue;
        }
        let (file, range) = match refs::entry_def(state, unit) {
            Some(def) => (def.script.to_string(), def.function.name_range),
            None => {
                let range = unit
                    .bindings()
                    .iter()
                    .find(|b| b.is_trigger())
                    .map(|b| b.anchor())
                    .unwrap_or_default();
                (unit.declaration_file().to_string(), range)
            }
        };
        out.push(WorkspaceSymbol {
            name,
            kind: SymbolKind::Function,
            file,
            range,
            container: unit.name.clone(),
        });
    }
    out
}

/// A lens above each entry function defined in `file`, with what the host sees of it:
/// `GET POST /api/orders/{id} · 3 bindings`, `queueTrigger orders-in · 2 bindings`.
pub fn code_lenses(state: &AppState, file: &str) -> Vec<CodeLens> {
    let entries = entries_in(state, file);
    // The host's view gives the title: the route as the host serves it, the trigger's target.
    let summaries = host_summaries(state, entries.iter().map(|(u, _)| *u));
    let mut out: Vec<CodeLens> = entries
        .iter()
        .zip(summaries)
        .map(|((unit, def), title)| CodeLens {
            range: TextRange::new(
                def.function.range.start as usize,
                def.function.name_range.end as usize,
            ),
            title,
            function: unit.name.clone(),
        })
        .collect();
    out.sort_by(|a, b| (a.range.start, &a.title).cmp(&(b.range.start, &b.title)));
    out
}

/// After each parameter of an entry function in `file` (within `range`), its binding's type and
/// target: `queueTrigger · orders`.
pub fn inlay_hints(state: &AppState, file: &str, range: TextRange) -> Vec<InlayHint> {
    let mut out: Vec<InlayHint> = Vec::new();
    let mut shown = std::collections::HashSet::new();
    for unit in state
        .units()
        .filter(|u| crate::analysis::entry::script_is(u, file))
    {
        let Some(def) = refs::entry_def(state, unit) else {
            continue;
        };
        if def.script != file {
            continue;
        }
        // The first binding of each name, so that each parameter costs a lookup.
        let mut bindings = std::collections::HashMap::new();
        for b in unit.bindings() {
            if let Some(n) = b.name_str() {
                bindings.entry(n).or_insert(b);
            }
        }
        for p in def.params() {
            let Some(b) = bindings.get(p.name.as_str()) else {
                continue;
            };
            let offset = p
                .annotation
                .as_ref()
                .map(|a| a.range.end)
                .unwrap_or(p.name_range.end) as usize;
            if !range.touches(offset) {
                continue;
            }
            let t = b.type_str().unwrap_or("?");
            let target = if t.eq_ignore_ascii_case("httpTrigger") {
                Some(http_summary(state, unit, b))
            } else {
                binding_target(b)
            };
            let mut label = t.to_string();
            if let Some(target) = target {
                label.push_str(" · ");
                label.push_str(&crate::analysis::diagnostic::quoted(&target));
            }
            if !shown.insert((offset, label.clone())) {
                continue;
            }
            out.push(InlayHint {
                offset,
                label,
                tooltip: Some(format!(
                    "binding '{}' in {}",
                    p.name,
                    unit.declaration_file()
                )),
            });
        }
    }
    out.sort_by(|a, b| (a.offset, &a.label).cmp(&(b.offset, &b.label)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support;

    pub(super) const APP: &str = r#"
//- /host.json
{"version": "2.0"}
//- /Orders/function.json
{
  "scriptFile": "__init__.py",
  "bindings": [
    {"type": "httpTrigger", "name": "req", "methods": ["get", "post"], "route": "orders/{id}"},
    {"type": "queue", "direction": "out", "name": "outMsg", "queueName": "orders"},
    {"type": "http", "direction": "out", "name": "$return"}
  ]
}
//- /Orders/__init__.py
import azure.functions as func

def main(req: func.HttpRequest, outMsg: func.Out[str]) -> func.HttpResponse:
    return func.HttpResponse("ok")
//- /Nightly/function.json
{"bindings": [{"type": "timerTrigger", "name": "timer", "schedule": "0 0 2 * * *"}]}
//- /Nightly/__init__.py
def main(timer):
    pass
//- /local.settings.json
{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=secretsecret"}}
"#;

    pub(super) fn outline(symbols: &[DocumentSymbol], depth: usize, out: &mut String) {
        for s in symbols {
            out.push_str(&format!(
                "{}{:?} {} — {}\n",
                "  ".repeat(depth),
                s.kind,
                s.name,
                s.detail.as_deref().unwrap_or("")
            ));
            outline(&s.children, depth + 1, out);
        }
    }

    #[test]
    fn outlines_summaries_lenses_and_hints() {
        let s = AppState::new(test_support::app(APP));
        let mut text = String::new();
        outline(&document_symbols(&s, "Orders/function.json"), 0, &mut text);
        outline(&document_symbols(&s, LOCAL_SETTINGS), 0, &mut text);
        expect_test::expect![[r#"
            File scriptFile — __init__.py
            Array bindings — 3 bindings
              Event req — httpTrigger · in
              Variable outMsg — queue · out · orders
              Variable $return — http · out
            Boolean IsEncrypted — false
            Object Values — 2 settings
              Key FUNCTIONS_WORKER_RUNTIME — python
              Key AzureWebJobsStorage — Defa… (masked, 68 characters)
        "#]]
        .assert_eq(&text);

        let names: Vec<String> = workspace_symbols(&s, "")
            .into_iter()
            .map(|w| w.name)
            .collect();
        assert_eq!(
            names,
            [
                "Nightly — timerTrigger 0 0 2 * * *",
                "Orders — httpTrigger GET,POST /api/orders/{id}"
            ]
        );
        let found = workspace_symbols(&s, "ordhttp");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].file, "Orders/__init__.py");
        assert!(workspace_symbols(&s, "zzz").is_empty());

        let lenses = code_lenses(&s, "Orders/__init__.py");
        assert_eq!(lenses.len(), 1);
        assert_eq!(lenses[0].title, "GET POST /api/orders/{id} · 3 bindings");
        let nightly = code_lenses(&s, "Nightly/__init__.py");
        assert_eq!(nightly[0].title, "timerTrigger 0 0 2 * * * · 1 binding");
        let py = s.input().text("Orders/__init__.py").unwrap();
        let hints = inlay_hints(&s, "Orders/__init__.py", TextRange::new(0, py.len()));
        let shown: Vec<String> = hints
            .iter()
            .map(|h| {
                format!(
                    "{} ⟨{}⟩",
                    &py[..h.offset].rsplit(['(', ',']).next().unwrap().trim(),
                    h.label
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "req: func.HttpRequest ⟨httpTrigger · GET,POST /api/orders/{id}⟩",
                "outMsg: func.Out[str] ⟨queue · orders⟩"
            ]
        );
        let nightly = inlay_hints(&s, "Nightly/__init__.py", TextRange::new(0, 100));
        assert_eq!(nightly[0].label, "timerTrigger · 0 0 2 * * *");
        assert!(inlay_hints(&s, "Orders/__init__.py", TextRange::new(0, 5)).is_empty());
    }
}

#[cfg(test)]
mod decorator_tests {
    use super::tests::outline;
    use super::*;
    use crate::analysis::rules::test_support;

    #[test]
    fn lenses_hints_and_symbols_of_a_decorator_app() {
        let script = r#"import azure.functions as func

app = func.FunctionApp()

@app.route(route="orders/{id}", methods=["GET"])
@app.queue_output(arg_name="outbox", queue_name="orders", connection="AzureWebJobsStorage")
def orders(req: func.HttpRequest, outbox: func.Out[str]) -> func.HttpResponse:
    return func.HttpResponse("")
"#;
        let s = AppState::new(test_support::app(&format!(
            "//- /host.json\n{{\"version\": \"2.0\"}}\n//- /function_app.py\n{script}"
        )));
        let lenses: Vec<String> = code_lenses(&s, "function_app.py")
            .into_iter()
            .map(|l| l.title)
            .collect();
        assert_eq!(lenses, ["GET /api/orders/{id} · 3 bindings"]);
        let hints: Vec<String> =
            inlay_hints(&s, "function_app.py", TextRange::new(0, script.len()))
                .into_iter()
                .map(|h| h.label)
                .collect();
        assert_eq!(
            hints,
            ["httpTrigger · GET /api/orders/{id}", "queue · orders"]
        );
        let symbols = workspace_symbols(&s, "orders");
        assert_eq!(symbols.len(), 1);
        assert_eq!(symbols[0].file, "function_app.py");
        assert_eq!(&script[symbols[0].range.as_usize()], "orders");
    }

    #[test]
    fn outline_of_decorated_functions_in_the_script_and_a_blueprint() {
        let script = r#"import azure.functions as func
import orders

app = func.FunctionApp()
app.register_functions(orders.bp)


def helper():
    pass


@app.function_name(name="Nightly")
@app.timer_trigger(arg_name="timer", schedule="0 0 2 * * *")
def nightly(timer: func.TimerRequest) -> None:
    helper()
"#;
        let blueprint = r#"import azure.functions as func

bp = func.Blueprint()


@bp.route(route="orders/{id}", methods=["GET", "POST"])
@bp.queue_output(arg_name="outbox", queue_name="orders", connection="AzureWebJobsStorage")
def get_order(req: func.HttpRequest, outbox: func.Out[str]) -> func.HttpResponse:
    return func.HttpResponse("")
"#;
        let s = AppState::new(test_support::app(&format!(
            "//- /host.json\n{{\"version\": \"2.0\"}}\n//- /function_app.py\n{script}//- /orders.py\n{blueprint}"
        )));
        let mut text = String::new();
        for (file, source) in [("function_app.py", script), ("orders.py", blueprint)] {
            let symbols = document_symbols(&s, file);
            outline(&symbols, 0, &mut text);
            for f in &symbols {
                // The range spans the decorators and the def; the selection is the def's name.
                let range = &source[f.range.as_usize()];
                assert!(
                    range.starts_with('@') && range.contains("\ndef "),
                    "{range}"
                );
                let def = source[..f.selection.start as usize]
                    .rsplit('\n')
                    .next()
                    .unwrap();
                assert!(def.starts_with("def "), "{def}");
                text.push_str(&format!(
                    "{} at {:?}:",
                    f.name,
                    &source[f.selection.as_usize()]
                ));
                for b in &f.children {
                    assert!(f.range.start <= b.range.start && b.range.end <= f.range.end);
                    assert!(b.range.start <= b.selection.start && b.selection.end <= b.range.end);
                    text.push_str(&format!(
                        " {} at {:?};",
                        b.name,
                        &source[b.selection.as_usize()]
                    ));
                }
                text.push('\n');
            }
        }
        expect_test::expect![[r#"
            Function Nightly — timerTrigger 0 0 2 * * * · 1 binding
              Event timer — timerTrigger · in · 0 0 2 * * *
            Nightly at "nightly": timer at "\"timer\"";
            Function get_order — GET POST /api/orders/{id} · 3 bindings
              Event req — httpTrigger · in
              Variable $return — http · out
              Variable outbox — queue · out · orders
            get_order at "get_order": req at "route"; $return at "route"; outbox at "\"outbox\"";
        "#]]
        .assert_eq(&text);
        // A function.json app's Python has no decorated functions to outline.
        let v1 = AppState::new(test_support::app(super::tests::APP));
        assert!(document_symbols(&v1, "Orders/__init__.py").is_empty());
    }
}
