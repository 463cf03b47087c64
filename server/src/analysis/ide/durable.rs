//! Durable Functions in the editor: completion of function names inside `call_activity("…")`,
//! `call_sub_orchestrator("…")`, `start_new("…")` and `EntityId("…")`, hover on such a name,
//! and a code lens above each orchestrator listing what it calls by name.

use super::symbols::CodeLens;
use std::collections::{HashMap, HashSet};

use crate::analysis::durable::{self, Alias, DurableKind};
use crate::analysis::function::{FunctionUnit, Script};
use crate::analysis::python::PyFunction;
use crate::analysis::state::AppState;
use crate::analysis::text::TextRange;

/// Names listed in a lens before the rest is counted.
const LENS_NAMES: usize = 8;

/// A durable function of the app and the name its callers use.
struct Target<'s> {
    unit: &'s FunctionUnit,
    kind: DurableKind,
    /// The trigger's `orchestration`/`activity`/`entity` alias, else the function's name.
    called_as: String,
}

fn targets(state: &AppState) -> Vec<Target<'_>> {
    let mut out: Vec<Target> = state
        .units()
        .filter_map(|unit| {
            let kind = durable::kind_of(unit)?;
            let called_as = match durable::alias_of(unit) {
                Alias::Named(a) => a,
                Alias::None => unit.name.clone(),
                Alias::Unknown => return None,
            };
            Some(Target {
                unit,
                kind,
                called_as,
            })
        })
        .collect();
    out.sort_by(|a, b| a.called_as.cmp(&b.called_as));
    out
}

fn script_of(unit: &FunctionUnit) -> Option<&str> {
    match &unit.script {
        Script::Found { path, .. } => Some(path),
        _ => None,
    }
}

/// The `def` that runs for `unit` (an orchestrator's generator behind `Orchestrator.create`
/// too), with its script's path and text.
fn def_of<'s>(state: &'s AppState, unit: &'s FunctionUnit) -> Option<(&'s str, &'s PyFunction)> {
    let script = script_of(unit)?;
    let module = state.modules().get(script)?;
    if let Some(orch) = durable::orchestrator(
        unit,
        module,
        state.input().files.get(script),
        unit.entry_name(),
    ) {
        return Some((script, orch.function));
    }
    let def = super::refs::entry_def(state, unit)?;
    Some((def.script, def.function))
}

/// `def hello(city: str) -> str`, as written.
fn signature(text: &str, f: &PyFunction) -> Option<String> {
    let end = f
        .return_annotation
        .as_ref()
        .map_or(f.params_range.end, |a| a.range.end);
    let written = text.get(f.name_range.start as usize..end as usize)?;
    let one_line: Vec<&str> = written.split_whitespace().collect();
    Some(format!(
        "{}def {}",
        if f.is_async { "async " } else { "" },
        one_line.join(" ").replace("( ", "(").replace(" )", ")")
    ))
}

/// What a caller wants to know of a durable function: signature, trigger, bindings, docstring,
/// and where it is declared.
/// Syntax trees of scripts, parsed once per request (many targets may share a script).
type Trees = HashMap<String, Option<tree_sitter::Tree>>;

fn describe(state: &AppState, t: &Target, trees: &mut Trees) -> String {
    let unit = t.unit;
    let mut md = format!("**{}** — {} function", t.called_as, t.kind.noun());
    if t.called_as != unit.name {
        md.push_str(&format!(" (function `{}`)", unit.name));
    }
    md.push_str("\n\n");
    let def = def_of(state, unit);
    let text = def.and_then(|(script, _)| state.input().text(script));
    if let (Some((_, f)), Some(text)) = (def, text) {
        if let Some(sig) = signature(text, f) {
            md.push_str(&format!("```python\n{sig}\n```\n\n"));
        }
    }
    let bindings: Vec<String> = unit
        .bindings()
        .iter()
        .map(|b| {
            let direction = b.direction.map_or("?", |d| d.as_str());
            format!(
                "`{}` {} ({direction})",
                b.name_str().unwrap_or("?"),
                b.type_str().unwrap_or("?")
            )
        })
        .collect();
    if let Some(trigger) = unit.bindings().iter().find(|b| b.is_trigger()) {
        md.push_str(&format!(
            "Trigger: `{}`\n\n",
            trigger.type_str().unwrap_or("?")
        ));
    }
    if !bindings.is_empty() {
        md.push_str(&format!("Bindings: {}\n\n", bindings.join(", ")));
    }
    if let (Some((_, f)), Some(text)) = (def, text) {
        let script = def.map_or("", |(script, _)| script);
        let tree = trees
            .entry(script.to_string())
            .or_insert_with(|| durable::parse(text));
        let doc = tree.as_ref().and_then(|tree| {
            durable::def_node(tree, f).and_then(|node| durable::docstring(node, text))
        });
        if let Some(doc) = doc {
            md.push_str(&format!("{doc}\n\n"));
        }
    }
    md.push_str(&format!("Declared in `{}`", unit.declaration_file()));
    md
}

/// The string argument being typed at `offset` in a call that names a durable function: the
/// kind the call expects, where the string's content starts, and its quote.
fn call_at(text: &str, offset: usize) -> Option<(DurableKind, usize, char)> {
    if !text.is_char_boundary(offset) {
        return None;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let open = before.rfind('(')?;
    let head = &before[..open];
    let method_start = head
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let method = &head[method_start..];
    let kind = durable::naming_kind(method)?;
    if method != "EntityId" && !head[..method_start].ends_with('.') {
        return None;
    }
    let args = &before[open + 1..];
    let arg = args.trim_start();
    let quote = arg.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let typed = &arg[1..];
    if typed.contains([quote, '\\']) {
        return None;
    }
    Some((kind, offset - typed.len(), quote))
}

/// A function name to offer inside a durable call (the completion module turns it into an item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameSuggestion {
    pub label: String,
    /// `activity · activityTrigger`.
    pub detail: String,
    /// Markdown: signature, trigger, bindings, docstring.
    pub documentation: String,
    pub edit_range: TextRange,
    pub insert_text: String,
}

/// What a hover on the name in a durable call shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalledName {
    /// The name in the string.
    pub range: TextRange,
    pub markdown: String,
}

/// Function names to offer inside the string argument of a durable call at `offset`; `None`
/// when the cursor is not in such a string.
pub fn completions(state: &AppState, text: &str, offset: usize) -> Option<Vec<NameSuggestion>> {
    let (kind, start, quote) = call_at(text, offset)?;
    let bytes = text.as_bytes();
    let mut end = offset;
    while end < text.len()
        && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'_' | b'-'))
    {
        end += 1;
    }
    let closed = text[end..].starts_with(quote);
    let mut trees = Trees::new();
    let items = targets(state)
        .iter()
        .filter(|t| t.kind == kind)
        .map(|t| NameSuggestion {
            label: t.called_as.clone(),
            detail: format!(
                "{} · {}",
                t.kind.noun(),
                super::symbols::trigger_summary(state, t.unit)
            ),
            documentation: describe(state, t, &mut trees),
            edit_range: TextRange::new(start, end),
            insert_text: if closed {
                t.called_as.clone()
            } else {
                format!("{}{quote}", t.called_as)
            },
        })
        .collect();
    Some(items)
}

/// Hover on the name in a durable call: the function it names.
pub fn hover(state: &AppState, file: &str, offset: usize) -> Option<CalledName> {
    let text = state.input().text(file)?;
    // Cheap test first: most hovers are nowhere near a durable call.
    if !durable::naming_methods().any(|m| text.contains(m)) {
        return None;
    }
    let tree = durable::parse(text)?;
    let r = durable::name_refs(&tree, text)
        .into_iter()
        .find(|r| r.content.touches(offset))?;
    let all = targets(state);
    let target = all
        .iter()
        .find(|t| t.called_as == r.name && t.kind == r.kind)
        .or_else(|| {
            all.iter()
                .find(|t| t.called_as.eq_ignore_ascii_case(&r.name) && t.kind == r.kind)
        })?;
    Some(CalledName {
        range: r.content,
        markdown: describe(state, target, &mut Trees::new()),
    })
}

/// A lens above each orchestrator of `file`: `calls: A, B, Sub (sub-orchestrator)`, the
/// activities, sub-orchestrators and entities it names with a literal string, in order.
pub fn code_lenses(state: &AppState, file: &str) -> Vec<CodeLens> {
    let Some(module) = state.modules().get(file) else {
        return Vec::new();
    };
    let content = state.input().files.get(file);
    let mut out = Vec::new();
    let mut refs: Option<Vec<durable::NameRef>> = None;
    for unit in state.units() {
        if script_of(unit) != Some(file)
            || durable::kind_of(unit) != Some(DurableKind::Orchestrator)
        {
            continue;
        }
        let Some(orch) = durable::orchestrator(unit, module, content, unit.entry_name()) else {
            continue;
        };
        let Some(text) = state.input().text(file) else {
            continue;
        };
        let f = orch.function;
        // The file's names, read once for all its orchestrators (sorted by position).
        let refs = refs.get_or_insert_with(|| durable::name_refs(&orch.read.tree, text));
        let first = refs.partition_point(|r| r.content.start < f.range.start);
        let mut names: Vec<String> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for r in refs[first..]
            .iter()
            .take_while(|r| r.content.end <= f.range.end)
        {
            if r.method == "start_new" {
                continue;
            }
            let shown = match r.kind {
                DurableKind::Activity => r.name.clone(),
                DurableKind::Orchestrator => format!("{} (sub-orchestrator)", r.name),
                DurableKind::Entity => format!("{} (entity)", r.name),
            };
            if seen.insert(shown.clone()) {
                names.push(shown);
            }
        }
        if names.is_empty() {
            continue;
        }
        let more = names.len().saturating_sub(LENS_NAMES);
        names.truncate(LENS_NAMES);
        let mut title = format!("calls: {}", names.join(", "));
        if more > 0 {
            title.push_str(&format!(" and {more} more"));
        }
        out.push(CodeLens {
            range: TextRange::new(f.range.start as usize, f.name_range.end as usize),
            title,
            function: unit.name.clone(),
        });
    }
    out.sort_by_key(|l| l.range.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ide::test_state;

    const V2: &str = r#"import azure.functions as func
import azure.durable_functions as df
app = df.DFApp()

@app.orchestration_trigger(context_name="context")
def orch(context):
    a = yield context.call_activity("hello", "x")
    b = yield context.call_sub_orchestrator("sub")
    c = yield context.call_activity("hello", "y")
    context.signal_entity(df.EntityId("counter", "k"), "add", 1)
    return [a, b, c]

@app.orchestration_trigger(context_name="context")
def sub(context):
    return 1

@app.activity_trigger(input_name="city")
def hello(city: str) -> str:
    """Greets a city.

    Returns the greeting."""
    return city

@app.entity_trigger(context_name="context")
def counter(context):
    context.set_result(1)
"#;

    fn labels(items: &[NameSuggestion]) -> Vec<&str> {
        items.iter().map(|i| i.label.as_str()).collect()
    }

    #[test]
    fn completes_names_of_the_kind_the_call_expects() {
        let cases = [
            (
                "yield context.call_activity(\"hello\"",
                "context.call_activity(\"|",
                vec!["hello"],
            ),
            (
                "context.call_sub_orchestrator(\"sub\")",
                "context.call_sub_orchestrator('|')",
                vec!["orch", "sub"],
            ),
            (
                "df.EntityId(\"counter\"",
                "df.EntityId(\"co|",
                vec!["counter"],
            ),
        ];
        for (find, replace, expected) in cases {
            let text = V2.replacen(find, replace, 1);
            let (state, offset) = test_state(&[("function_app.py", &text)], "function_app.py");
            let t = state.input().text("function_app.py").unwrap();
            let items = completions(&state, t, offset).expect("inside a durable call");
            assert_eq!(labels(&items), expected, "{replace}");
        }
        // A word with a multi-byte character before the parenthesis is not a call's name.
        let (state, offset) = test_state(
            &[("function_app.py", "x = 😀é(\"|\")\n")],
            "function_app.py",
        );
        let t = state.input().text("function_app.py").unwrap();
        assert!(completions(&state, t, offset).is_none());
        // Not in a string argument of such a call.
        let text = V2.replacen("\"x\")", "\"x\", |)", 1);
        let (state, offset) = test_state(&[("function_app.py", &text)], "function_app.py");
        let t = state.input().text("function_app.py").unwrap();
        assert!(completions(&state, t, offset).is_none());
    }

    #[test]
    fn an_item_documents_the_signature() {
        let text = V2.replacen(
            "call_activity(\"hello\", \"y\")",
            "call_activity(\"he|\")",
            1,
        );
        let (state, offset) = test_state(&[("function_app.py", &text)], "function_app.py");
        let t = state.input().text("function_app.py").unwrap();
        let items = completions(&state, t, offset).unwrap();
        let item = &items[0];
        assert_eq!(item.insert_text, "hello");
        assert_eq!(&t[item.edit_range.as_usize()], "he");
        let doc = &item.documentation;
        assert!(doc.contains("def hello(city: str) -> str"), "{doc}");
        assert!(doc.contains("Trigger: `activityTrigger`"), "{doc}");
        assert!(
            doc.contains("Greets a city.\n\nReturns the greeting."),
            "{doc}"
        );
    }

    #[test]
    fn an_unclosed_string_gets_its_quote() {
        let files = [
            (
                "Orch/function.json",
                r#"{"bindings": [{"name": "context", "type": "orchestrationTrigger", "direction": "in"}]}"#,
            ),
            (
                "Orch/__init__.py",
                "import azure.durable_functions as df\n\ndef orchestrator_function(context):\n    r = yield context.call_activity('He|\n",
            ),
            (
                "Hello/function.json",
                r#"{"bindings": [{"name": "city", "type": "activityTrigger", "direction": "in"}]}"#,
            ),
            ("Hello/__init__.py", "def main(city: str) -> str:\n    return city\n"),
        ];
        let (state, offset) = test_state(&files, "Orch/__init__.py");
        let t = state.input().text("Orch/__init__.py").unwrap();
        let items = completions(&state, t, offset).unwrap();
        assert_eq!(labels(&items), vec!["Hello"]);
        assert_eq!(items[0].insert_text, "Hello'");
        assert_eq!(items[0].detail, "activity · activityTrigger");
    }

    #[test]
    fn hover_on_a_called_name_shows_the_target() {
        let text = V2.replacen(
            "call_activity(\"hello\", \"x\")",
            "call_activity(\"hel|lo\", \"x\")",
            1,
        );
        let (state, offset) = test_state(&[("function_app.py", &text)], "function_app.py");
        let h = hover(&state, "function_app.py", offset).expect("a hover");
        assert!(
            h.markdown.starts_with("**hello** — activity function"),
            "{}",
            h.markdown
        );
        assert!(
            h.markdown.contains("Bindings: `city` activityTrigger (in)"),
            "{}",
            h.markdown
        );
        let t = state.input().text("function_app.py").unwrap();
        assert_eq!(&t[h.range.as_usize()], "hello");
        // The method name itself is not a function name.
        let at_method = t.find("call_activity").unwrap() + 2;
        assert!(hover(&state, "function_app.py", at_method).is_none());
    }

    #[test]
    fn lens_lists_what_each_orchestrator_calls_in_function_json_apps_too() {
        let (state, _) = test_state(&[("function_app.py", &format!("{V2}|"))], "function_app.py");
        let titles: Vec<String> = code_lenses(&state, "function_app.py")
            .into_iter()
            .map(|l| format!("{}: {}", l.function, l.title))
            .collect();
        assert_eq!(
            titles,
            vec!["orch: calls: hello, sub (sub-orchestrator), counter (entity)"]
        );
        let files = [
            (
                "Orch/function.json",
                r#"{"bindings": [{"name": "context", "type": "orchestrationTrigger", "direction": "in"}]}"#,
            ),
            (
                "Orch/__init__.py",
                "import azure.durable_functions as df\n\ndef orchestrator_function(context):\n    r = yield context.call_activity('Hello', 'x')\n    return r\n\nmain = df.Orchestrator.create(orchestrator_function)\n|",
            ),
            (
                "Hello/function.json",
                r#"{"bindings": [{"name": "city", "type": "activityTrigger", "direction": "in"}]}"#,
            ),
            ("Hello/__init__.py", "def main(city: str) -> str:\n    return city\n"),
        ];
        let (state, _) = test_state(&files, "Orch/__init__.py");
        let lenses = code_lenses(&state, "Orch/__init__.py");
        assert_eq!(lenses.len(), 1);
        assert_eq!(lenses[0].title, "calls: Hello");
        let t = state.input().text("Orch/__init__.py").unwrap();
        assert!(t[lenses[0].range.as_usize()].ends_with("def orchestrator_function"));
        // Hover from the v1 call names the function.json function and its script's signature.
        let at = t.find("'Hello'").unwrap() + 2;
        let h = hover(&state, "Orch/__init__.py", at).unwrap();
        assert!(
            h.markdown.contains("def main(city: str) -> str"),
            "{}",
            h.markdown
        );
        assert!(
            h.markdown.contains("Declared in `Hello/function.json`"),
            "{}",
            h.markdown
        );
    }
}
