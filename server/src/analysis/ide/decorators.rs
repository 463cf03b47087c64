//! What the editor knows about the decorators of a v2 app (`@app.route(auth_level="…")`), for
//! completion (`completion/decorators.rs`) and hover (`hover/decorators.rs`) alike: where the
//! cursor is in a decorator call, the parameters of the decorated function, and what a decorator
//! or keyword means.

use crate::analysis::catalog::binding_type_ignore_case;
use crate::analysis::catalog::decorator_types::{camel_case, DecoratorKind, DecoratorSpec};
use crate::analysis::catalog::enumeration;
use crate::analysis::state::AppState;

/// How far back a decorator's start is looked for.
const MAX_DECORATOR_LEN: usize = 4000;

/// Where the cursor is inside a decorator call, read from the text (it may not parse yet).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct CallCursor {
    /// `app.route`
    pub(super) callee: String,
    /// The keyword whose value holds the cursor (at the call's top level), if any.
    pub(super) keyword: Option<String>,
    /// Inside a string literal: where its content starts.
    pub(super) string_start: Option<usize>,
    /// Outside strings, at the top level of the call: the identifier being typed and its start.
    pub(super) word: Option<(String, usize)>,
    /// Keywords already written in the call.
    pub(super) given: Vec<String>,
}

/// Reads the decorator call around `offset`: the nearest line before it that starts with `@`,
/// scanned forward to `offset`.
pub(super) fn call_cursor(text: &str, offset: usize) -> Option<CallCursor> {
    let window_start = offset.saturating_sub(MAX_DECORATOR_LEN);
    let before = text.get(window_start..offset)?;
    let mut at = None;
    let mut line_start = 0;
    for (i, line) in before.split_inclusive('\n').enumerate() {
        if i > 0 || window_start == 0 || text.as_bytes().get(window_start - 1) == Some(&b'\n') {
            let t = line.trim_start();
            if t.starts_with('@') {
                at = Some(line_start + (line.len() - t.len()));
            } else if t.starts_with("def ") || t.starts_with("async ") || t.starts_with("class ") {
                at = None;
            }
        }
        line_start += line.len();
    }
    let start = at?;
    let src = &before[start + 1..];
    let open = src.find('(')?;
    let callee = src[..open].trim().to_string();
    if callee.is_empty()
        || !callee
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        return None;
    }
    let body = &src[open + 1..];
    let base = window_start + start + 1 + open + 1;
    let bytes = body.as_bytes();
    let mut depth = 0usize;
    let mut keyword: Option<String> = None;
    let mut given = Vec::new();
    let mut string: Option<(u8, usize)> = None;
    let mut segment_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if let Some((q, _)) = string {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == q {
                string = None;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' | b'\'' => string = Some((c, i + 1)),
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                if depth == 0 {
                    return None; // the call is closed before the cursor
                }
                depth -= 1;
            }
            b',' if depth == 0 => {
                keyword = None;
                segment_start = i + 1;
            }
            b'=' if depth == 0 && bytes.get(i + 1) != Some(&b'=') => {
                let name = body[segment_start..i].trim();
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    keyword = Some(name.to_string());
                    given.push(name.to_string());
                }
            }
            _ => {}
        }
        i += 1;
    }
    let string_start = string.map(|(_, s)| base + s);
    let word = if string.is_none() && depth == 0 && keyword.is_none() {
        let seg = &body[segment_start..];
        let typed = seg.trim_start();
        (typed.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then(|| (typed.to_string(), base + body.len() - typed.len()))
    } else {
        None
    };
    Some(CallCursor {
        callee,
        keyword,
        string_start,
        word,
        given,
    })
}

/// The end of the identifier-like text at `offset` (what a completion replaces).
pub(super) fn word_end(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = offset;
    while end < bytes.len()
        && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'_' | b'-' | b'.' | b'$'))
    {
        end += 1;
    }
    end
}

/// The parameters of the `def` that the decorator at `offset` decorates.
pub(super) fn decorated_params(state: &AppState, file: &str, offset: usize) -> Vec<String> {
    let Some(module) = state.modules().get(file) else {
        return Vec::new();
    };
    module
        .functions
        .iter()
        .filter(|f| f.range.start as usize <= offset && offset < f.def_offset)
        .max_by_key(|f| f.range.start)
        .map(|f| f.params.iter().map(|p| p.name.clone()).collect())
        .unwrap_or_default()
}

/// What a decorator keyword is: the binding property it becomes, required or not, its values.
pub(super) fn param_markdown(spec: &DecoratorSpec, param: &str) -> String {
    let p = spec.param(param);
    let mut md = format!("**{param}** — `{}()` ", spec.name);
    md.push_str(if p.is_some_and(|p| p.required) {
        "(required)"
    } else {
        "(optional)"
    });
    if Some(param) == spec.name_param || matches!(param, "trigger_arg_name" | "binding_arg_name") {
        md.push_str(
            "\n\nThe name of the binding: the function's parameter of the same name receives it.",
        );
    }
    if let Some(e) = p.and_then(|p| p.enum_type).and_then(enumeration) {
        md.push_str(&format!(
            "\n\n{}: {}",
            e.name,
            e.members
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let property = if param == "data_type" {
        Some("dataType".to_string())
    } else {
        camel_case(param)
    };
    if let (Some(key), Some(t)) = (
        property,
        spec.binding_type.and_then(binding_type_ignore_case),
    ) {
        if let Some(prop) = t
            .props
            .unwrap_or_default()
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(&key))
        {
            md.push_str(&format!(
                "\n\nBinding property `{}`: {}",
                prop.name, prop.doc
            ));
        }
    }
    md
}

/// A decorator's description: what it adds and its parameters.
pub(super) fn decorator_markdown(spec: &DecoratorSpec) -> String {
    let what = match spec.kind {
        DecoratorKind::Trigger => "adds the trigger",
        DecoratorKind::Route => "adds an HTTP trigger and the `$return` response",
        DecoratorKind::Input => "adds an input binding",
        DecoratorKind::Output => "adds an output binding",
        DecoratorKind::Setting => "sets a function setting",
        DecoratorKind::Modifier => "changes the function",
    };
    let mut md = format!("**{}()** — {what}", spec.name);
    match spec.binding_type {
        Some(t) => md.push_str(&format!(" (`{t}`)")),
        None if spec.is_generic() => md.push_str(" of the type given by `type=`"),
        None => {}
    }
    if let Some(t) = spec.binding_type.and_then(binding_type_ignore_case) {
        md.push_str(&format!("\n\n{}", t.doc));
    }
    let params: Vec<String> = spec
        .params
        .iter()
        .map(|p| {
            if p.required {
                format!("**`{}`**", p.name)
            } else {
                format!("`{}`", p.name)
            }
        })
        .collect();
    if !params.is_empty() {
        md.push_str(&format!(
            "\n\nParameters (required in bold): {}",
            params.join(", ")
        ));
    }
    if spec.kwargs {
        md.push_str("\n\nOther keyword arguments become binding properties (`visibility_timeout` → `visibilityTimeout`).");
    }
    if spec.durable {
        md.push_str("\n\nNeeds the `azure-functions-durable` package.");
    }
    md
}

/// A v2 app for the tests of decorator completion and hover.
#[cfg(test)]
pub(super) mod test_app {
    use crate::analysis::rules::test_support::app;
    use crate::analysis::state::AppState;

    pub const SCRIPT: &str = "import azure.functions as func\napp = func.FunctionApp()\n\n@app.route(route=\"items\", auth_level=\"\", methods=[\"GET\", \"\"])\n@app.queue_output(arg_name=\"\", connection=\"\")\ndef items(req: func.HttpRequest, outbox: func.Out[str]) -> str:\n    return \"x\"\n";

    pub fn state() -> AppState {
        AppState::new(app(&format!(
            "//- /local.settings.json\n{{\"IsEncrypted\": false, \"Values\": {{\"QueueConn\": \"x\"}}}}\n//- /function_app.py\n{SCRIPT}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_decorators_nothing() {
        assert!(call_cursor("x = f(a=\"", 9).is_none());
        assert!(call_cursor("@app.route(route=\"a\")\ndef f(): g(a=\"", 36).is_none());
        let c = call_cursor("@app.route(methods=[\"GET\", \"P", 29).unwrap();
        assert_eq!(c.keyword.as_deref(), Some("methods"));
        assert_eq!(c.callee, "app.route");
    }
}
