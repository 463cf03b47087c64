//! AZF203: a parameter's annotation is not accepted for its binding's type.

use super::context::{out_shape, FunctionCtx, OutShape};
use super::{FixAvailability, RuleMeta};
use crate::analysis::annotations::{self, Position, Resolved, Verdict};
use crate::analysis::catalog::annotation_matrix::ANNOTATIONS;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function_json::Direction;
use super::fix_support::{annotated_param, annotation_fixes, FixCtx, QuickFix};

pub const META: RuleMeta = RuleMeta {
    code: "AZF203",
    name: "annotation-mismatch",
    severity: Severity::Error,
    summary: "A parameter's annotation is not accepted for its binding's type and direction",
    explanation: r#"The worker checks each annotated parameter against the converter of its binding type. A type
the converter does not accept fails the load, sometimes with a raw `AttributeError` or
`TypeError` (for example reading from an output-only `queue` binding).

```python
def main(msg: func.QueueMessage, doc: func.Document):   # doc is a cosmosDB input
```

`cosmosDB` input accepts `func.DocumentList` (or `str`/`bytes`), not `func.Document`.
"#,
    fix: FixAvailability::Unsafe,
};

/// The accepted annotations of a matrix row, for messages.
pub fn accepted_list(binding_type: &str, position: Position) -> String {
    let entry = annotations::matrix_entry(binding_type);
    let row = match position {
        Position::Input => entry.input,
        Position::Output => entry.output,
        Position::Return => entry.ret,
    };
    let accepted: Vec<String> = ANNOTATIONS
        .iter()
        .zip(row.bytes())
        .filter(|(_, c)| *c == b'o')
        .map(|(a, _)| a.replace("typing.", ""))
        .collect();
    if accepted.is_empty() {
        "nothing".to_string()
    } else if accepted.len() > 8 {
        "any class".to_string()
    } else {
        accepted.join(", ")
    }
}

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(sig) = ctx.signature() else { return };
    for p in &sig.params {
        let (Some(resolved), false) = (&p.resolved, p.is_context) else {
            continue;
        };
        let Some(binding) = ctx.bindings_by_name.get(p.param.name.as_str()) else {
            continue;
        };
        let Some(binding_type) = binding.type_str() else {
            continue;
        };
        let (position, ty): (Position, &Resolved) = match (binding.direction, out_shape(resolved)) {
            (Some(Direction::In), OutShape::Plain(r)) => (Position::Input, r),
            (Some(Direction::Out), OutShape::Out([inner])) => (Position::Output, inner),
            _ => continue,
        };
        if ty.is_type() == Some(false) {
            continue; // AZF207
        }
        let streaming = binding_type == "httpTrigger" && ctx.http_streaming();
        let verdict = annotations::judge_in(binding_type, position, ty, streaming);
        let ann = p
            .param
            .annotation
            .as_ref()
            .map(|a| a.text.as_str())
            .unwrap_or("");
        let direction = binding.direction.map(|d| d.as_str()).unwrap_or("in");
        // Written only into a message: most annotations match.
        let accepted = || accepted_list(binding_type, position);
        let message = match verdict {
            Verdict::Mismatch => {
                let generic = if annotations::is_registered(binding_type) {
                    String::new()
                } else {
                    format!(" (the worker has no converter for '{binding_type}' and treats it as a generic binding)")
                };
                format!(
                    "annotation '{ann}' of '{}' does not match its '{binding_type}' binding{generic}; accepted: {}",
                    p.param.name,
                    accepted()
                )
            }
            Verdict::CrashAttribute | Verdict::CrashType => {
                let exc = if verdict == Verdict::CrashType { "TypeError" } else { "AttributeError" };
                format!(
                    "annotation '{ann}' of '{}' is not supported for a '{binding_type}' binding with direction '{direction}': the worker fails with {exc}; accepted: {}",
                    p.param.name,
                    accepted()
                )
            }
            _ => continue,
        };
        let Some(anchor) = p.param.annotation.as_ref().map(|a| a.range) else {
            continue;
        };
        if let Some(d) = ctx.script_diag(&META, anchor, ctx.app_fails(message)) {
            out.push(
                d.with_related(
                    ctx.unit.declaration_file(),
                    binding
                        .binding_type
                        .as_ref()
                        .map(|t| t.range)
                        .unwrap_or(binding.range),
                    format!("binding '{}' is of type '{binding_type}'", p.param.name),
                ),
            );
        }
    }
}

/// Replace the annotation with one the worker accepts for the binding.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    annotated_param(ctx, d)
        .map(|p| annotation_fixes(&p, |_| true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_fix, check_script, titles};
    use expect_test::expect;

    #[test]
    fn annotations_against_the_matrix() {
        expect![[r#"
            F/__init__.py:3:39 AZF203 error annotation 'func.Document' of 'doc' does not match its 'cosmosDB' binding; accepted: str, bytes, func.DocumentList
              related F/function.json:1:84: binding 'doc' is of type 'cosmosDB'
            F/__init__.py:3:57 AZF203 error annotation 'func.QueueMessage' of 'q' is not supported for a 'queue' binding with direction 'in': the worker fails with AttributeError; accepted: str, bytes
              related F/function.json:1:121: binding 'q' is of type 'queue'
            G/__init__.py:2:15 AZF203 error annotation 'func.HttpRequest' of 'req' does not match its 'HttpTrigger' binding (the worker has no converter for 'HttpTrigger' and treats it as a generic binding); accepted: str, bytes
              related G/function.json:1:24: binding 'req' is of type 'HttpTrigger'
        "#]]
        .assert_eq(&check(
            "AZF203",
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "in"}, {"type": "cosmosDB", "name": "doc"}, {"type": "queue", "name": "q"}, {"type": "queue", "name": "out", "direction": "out"}]}
//- /F/__init__.py
import azure.functions as func
from typing import List
def main(msg: func.QueueMessage, doc: func.Document, q: func.QueueMessage, out: func.Out[List[str]]): pass
//- /G/function.json
{"bindings": [{"type": "HttpTrigger", "name": "req"}]}
//- /G/__init__.py
import azure.functions as func
def main(req: func.HttpRequest): pass
//- /Ok/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "blob", "name": "b", "direction": "out", "path": "x"}]}
//- /Ok/__init__.py
import azure.functions as func
from mylib import Thing
def main(req: str, b: func.Out[bytes], ) -> Thing: pass
"#,
        ));
    }

    #[test]
    fn decorated_functions() {
        expect![[r#"
            function_app.py:5:17 AZF203 error annotation 'func.QueueMessage' of 'timer' does not match its 'timerTrigger' binding; accepted: str, bytes, func.TimerRequest; the worker then indexes no function of the app ("0 functions found")
              related function_app.py:4:6: binding 'timer' is of type 'timerTrigger'
        "#]]
        .assert_eq(&check_script(
            "AZF203",
            r#"

@app.timer_trigger(arg_name="timer", schedule="0 */5 * * * *")
def tick(timer: func.QueueMessage) -> None:
    pass

@app.durable_client_input(client_name="client")
@app.route(route="start")
async def start(req: func.HttpRequest, client: func.QueueMessage) -> func.HttpResponse:
    return func.HttpResponse("ok")
"#,
        ));
    }

    /// The fix, applied as the editor offers it.
    #[test]
    fn fix() {
        let mismatch = r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "in"}, {"type": "cosmosDB", "name": "doc", "databaseName": "d", "containerName": "c", "connection": "AzureWebJobsStorage"}]}
//- /F/__init__.py
import azure.functions as func
def main(msg: func.QueueMessage, doc: func.Document): pass
"#;
        expect_test::expect![[r#"
            [
                "Annotate 'doc' as func.DocumentList [preferred]",
                "Annotate 'doc' as bytes",
                "Annotate 'doc' as str",
            ]
        "#]]
        .assert_debug_eq(&titles(mismatch, "AZF203"));
        expect_test::expect![[r#"
            Annotate 'doc' as func.DocumentList [preferred]
            --- F/__init__.py
            import azure.functions as func
            def main(msg: func.QueueMessage, doc: func.DocumentList): pass
        "#]]
        .assert_eq(&check_fix(
            mismatch,
            "AZF203",
            "Annotate 'doc' as func.DocumentList",
        ));
    }
}
