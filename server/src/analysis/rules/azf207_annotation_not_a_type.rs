//! AZF207: a parameter's annotation is not a class (`Optional[...]`, `X | None`, `Union[...]`).

use super::context::{out_shape, FunctionCtx, OutShape};
use super::{FixAvailability, RuleMeta};
use crate::analysis::annotations::Resolved;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use super::fix_support::{annotated_param, annotation_fixes, FixCtx, QuickFix};
use crate::analysis::annotations::{self, EvalSite, Position, Verdict};
use crate::analysis::python::{self, NameKind, PyModule};

pub const META: RuleMeta = RuleMeta {
    code: "AZF207",
    name: "annotation-not-a-type",
    severity: Severity::Error,
    summary: "A parameter's annotation is not a class (`Optional[...]`, `X | None`, `Union[...]`)",
    explanation: r#"The worker needs a class (or a generic like `List[str]`) to pick a converter. `Optional[X]`,
`X | None` and other unions are rejected: "has invalid non-type annotation".

```python
def main(req: Optional[func.HttpRequest]) -> func.HttpResponse:
```

Write `req: func.HttpRequest`: the worker always passes a value.
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for (p, _, resolved) in ctx.annotated_bindings() {
        let what = match out_shape(resolved) {
            OutShape::Plain(Resolved::NotAType(what)) => what,
            OutShape::Out([Resolved::NotAType(what)]) => what,
            _ => continue,
        };
        out.extend(ctx.annotation_diag(&META, p, |ann| {
            ctx.app_fails(format!(
                "binding '{}' has invalid non-type annotation '{ann}': {what} is not a class; annotate with the class itself",
                p.param.name
            ))
        }));
    }
}

/// Drop `Optional[...]` when what is left is accepted (the worker passes no `None`), or use an
/// annotation the worker accepts.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    let Some(p) = annotated_param(ctx, d) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(inner) = strip_optional(&p.annotation.text) {
        if accepted(&inner, p.module, p.site, p.binding_type, p.position) {
            out.push(
                QuickFix::new(
                    format!("Annotate '{}' as {inner}", p.param.name),
                    p.replace(&inner, None),
                )
                .preferred(true)
                .auto(true),
            );
        }
    }
    if let Some(typed) = typing_generic(&p.annotation.text, p.module) {
        if out.is_empty() && accepted(&typed, p.module, p.site, p.binding_type, p.position) {
            out.push(
                QuickFix::new(
                    format!("Annotate '{}' as {typed}", p.param.name),
                    p.replace(&typed, None),
                )
                .preferred(true),
            );
        }
    }
    let first = out.is_empty();
    out.extend(
        annotation_fixes(&p, |_| true)
            .into_iter()
            .map(|f| if first { f } else { f.preferred(false) }),
    );
    out
}

/// `list[X]` (`dict[K, V]`, also inside `Out[...]`) spelled with the `typing` generic the module
/// already imports (`List[X]`, `typing.List[X]`); `None` when it imports neither.
fn typing_generic(text: &str, module: &PyModule) -> Option<String> {
    let (outer, inner) = split_subscript(text)?;
    if outer.rsplit('.').next() == Some("Out") {
        return typing_generic(inner, module).map(|x| format!("{outer}[{x}]"));
    }
    let form = match outer {
        "list" => "List",
        "dict" => "Dict",
        _ => return None,
    };
    let spelled = module.first_import_binding(|name, kind| match kind {
        NameKind::FromImport {
            level: 0,
            module: m,
            name: n,
        } if m == "typing" && n == form => Some(name.to_string()),
        NameKind::Module(m) if m == "typing" => Some(format!("{name}.{form}")),
        _ => None,
    })?;
    Some(format!("{spelled}[{inner}]"))
}

/// Splits `a[b]` into `a` and `b` (the outermost subscript).
fn split_subscript(text: &str) -> Option<(&str, &str)> {
    let t = text.trim();
    let inner_end = t.strip_suffix(']')?;
    let open = t.find('[')?;
    Some((t[..open].trim(), inner_end.get(open + 1..)?))
}

/// Splits at `sep` outside brackets.
fn split_top(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' => depth -= 1,
            c if c == sep && depth == 0 => {
                parts.push(text[start..i].trim());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts
}

/// The class inside `Optional[X]`, `Union[X, None]`, `X | None` (also within `Out[...]`).
fn strip_optional(text: &str) -> Option<String> {
    strip_optional_at(text, 0)
}

fn strip_optional_at(text: &str, depth: u32) -> Option<String> {
    // `Out[Out[…]]` in a string annotation is not bounded by the module's bracket check.
    if depth > 8 {
        return None;
    }
    let is_none = |s: &str| s == "None" || s == "NoneType" || s.ends_with(".NoneType");
    let only_one = |parts: Vec<&str>| -> Option<String> {
        let rest: Vec<&str> = parts.iter().copied().filter(|p| !is_none(p)).collect();
        (parts.len() == 2 && rest.len() == 1).then(|| rest[0].to_string())
    };
    if let Some((outer, inner)) = split_subscript(text) {
        let last = outer.rsplit('.').next().unwrap_or(outer);
        return match last {
            "Out" => strip_optional_at(inner, depth + 1).map(|x| format!("{outer}[{x}]")),
            "Optional" => {
                let parts = split_top(inner, ',');
                (parts.len() == 1 && !parts[0].is_empty()).then(|| parts[0].to_string())
            }
            "Union" => only_one(split_top(inner, ',')),
            _ => None,
        };
    }
    only_one(split_top(text, '|'))
}

/// Whether the worker accepts `text` (an annotation spelled in `module`) for the binding.
fn accepted(
    text: &str,
    module: &PyModule,
    site: EvalSite,
    binding_type: &str,
    position: Position,
) -> bool {
    let Some(expr) = python::parse_expression(text) else {
        return false;
    };
    let resolved = annotations::resolve(&expr, module, site);
    let ty = match (position, &resolved) {
        (Position::Output, Resolved::Out(args)) => match args.as_slice() {
            [inner] => inner.clone(),
            _ => return false,
        },
        (Position::Output, _) => return false,
        (_, r) => r.clone(),
    };
    annotations::judge(binding_type, position, &ty) == Verdict::Accepted
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_fix, check_script};
    use expect_test::expect;

    #[test]
    fn optional_and_unions() {
        expect![[r#"
            F/__init__.py:3:15 AZF207 error binding 'req' has invalid non-type annotation 'Optional[func.HttpRequest]': `Optional[...]` is not a class; annotate with the class itself
            G/__init__.py:2:15 AZF207 error binding 'req' has invalid non-type annotation 'func.HttpRequest | None': a union (`X | Y`) is not a class; annotate with the class itself
        "#]]
        .assert_eq(&check(
            "AZF207",
            r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /F/__init__.py
import azure.functions as func
from typing import Optional
def main(req: Optional[func.HttpRequest]): pass
//- /G/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /G/__init__.py
import azure.functions as func
def main(req: func.HttpRequest | None): pass
"#,
        ));
    }

    #[test]
    fn literals_and_builtin_generics() {
        expect![[r#"
            function_app.py:6:17 AZF207 error binding 'req' has invalid non-type annotation '123': the number `123` is not a class; annotate with the class itself; the worker then indexes no function of the app ("0 functions found")
            function_app.py:9:18 AZF207 error binding 'msg' has invalid non-type annotation '[str]': a list display `[...]` is not a class; annotate with the class itself; the worker then indexes no function of the app ("0 functions found")
            function_app.py:12:19 AZF207 error binding 'events' has invalid non-type annotation 'list[func.EventHubEvent]': the builtin generic `list[...]` (`typing.List[...]` is accepted) is not a class; annotate with the class itself; the worker then indexes no function of the app ("0 functions found")
            function_app.py:19:29 AZF207 error binding 'out' has invalid non-type annotation 'func.Out[list[str]]': the builtin generic `list[...]` (`typing.List[...]` is accepted) is not a class; annotate with the class itself; the worker then indexes no function of the app ("0 functions found")
        "#]]
        .assert_eq(&check_script(
            "AZF207",
            r#"from typing import List, Dict

@app.route(route="n")
def number(req: 123): pass

@app.queue_trigger(arg_name="msg", queue_name="l", connection="C")
def display(msg: [str]): pass

@app.event_hub_message_trigger(arg_name="events", event_hub_name="h", connection="C", cardinality="many")
def batch(events: list[func.EventHubEvent]): pass

@app.event_hub_message_trigger(arg_name="events", event_hub_name="h2", connection="C", cardinality="many")
def typed_batch(events: List[func.EventHubEvent]): pass

@app.queue_trigger(arg_name="msg", queue_name="q", connection="C")
@app.queue_output(arg_name="out", queue_name="o", connection="C")
def out_list(msg: str, out: func.Out[list[str]]): pass
"#,
        ));
    }

    #[test]
    fn builtin_generic_fixed_with_the_typing_generic_in_scope() {
        let fixture = r#"
//- /function_app.py
import azure.functions as func
from typing import List
app = func.FunctionApp()

@app.event_hub_message_trigger(arg_name="events", event_hub_name="h", connection="C", cardinality="many")
def batch(events: list[func.EventHubEvent]): pass
"#;
        expect![[r#"
            Annotate 'events' as List[func.EventHubEvent] [preferred]
            --- function_app.py
            import azure.functions as func
            from typing import List
            app = func.FunctionApp()

            @app.event_hub_message_trigger(arg_name="events", event_hub_name="h", connection="C", cardinality="many")
            def batch(events: List[func.EventHubEvent]): pass
        "#]]
        .assert_eq(&check_fix(
            fixture,
            "AZF207",
            "Annotate 'events' as List[func.EventHubEvent]",
        ));
    }
}
