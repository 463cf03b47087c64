//! AZF208: the return annotation is not accepted for the `$return` binding.

use super::azf203_annotation_mismatch::accepted_list;
use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::annotations::{self, ClassRef, Position, Resolved, Verdict};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use super::fix_support::{entry_of, FixCtx, QuickFix};
use crate::analysis::catalog::annotation_matrix::ANNOTATIONS;
use crate::analysis::diagnostic::FileEdit;
use crate::analysis::edits::azure_prefix_with_import;

pub const META: RuleMeta = RuleMeta {
    code: "AZF208",
    name: "return-annotation-mismatch",
    severity: Severity::Error,
    summary: "The return annotation is not accepted for the `$return` binding's type",
    explanation: r#"With a `$return` binding, the worker checks the return annotation against that binding's
type. There is no `str`/`bytes` shortcut here: `-> bytes` is rejected for `http` although
`func.Out[bytes]` is accepted, and `-> None` is rejected for every non-durable type. `Out[...]`,
`Optional[...]` and `List[...]` are rejected too.

```python
def main(req: func.HttpRequest) -> bytes:       # $return is an http binding
```

Return `func.HttpResponse` (or `str`).
"#,
    fix: FixAvailability::Unsafe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(sig) = ctx.signature() else { return };
    let Some((annotation, resolved)) = &sig.return_annotation else {
        return;
    };
    let Some(ret) = ctx.bindings_by_name.get("$return") else {
        return;
    };
    let Some(binding_type) = ret.type_str() else {
        return;
    };
    let text = &annotation.text;
    let is_out = match resolved {
        Resolved::Out(_) => true,
        Resolved::Class(ClassRef::Azure(n)) | Resolved::Class(ClassRef::Local { name: n, .. }) => {
            n == "Out"
        }
        _ => false,
    };
    let message = match resolved {
        _ if is_out => {
            format!("return annotation should not be func.Out: return the value and annotate '-> {}'", first_accepted(binding_type))
        }
        Resolved::NotAType(_) | Resolved::List(_) | Resolved::OtherGeneric => format!(
            "invalid non-type return annotation '{text}': with a '$return' binding of type '{binding_type}' the worker needs a class; accepted: {}",
            accepted_list(binding_type, Position::Return)
        ),
        Resolved::Class(_) | Resolved::NoneType => match annotations::judge_in(binding_type, Position::Return, resolved, binding_type == "http" && ctx.http_streaming()) {
            Verdict::Mismatch | Verdict::NotAType | Verdict::CrashAttribute | Verdict::CrashType => format!(
                "return annotation '{text}' does not match the '$return' binding of type '{binding_type}'; accepted: {}",
                accepted_list(binding_type, Position::Return)
            ),
            _ => return,
        },
        _ => return,
    };
    if let Some(d) = ctx.script_diag(&META, annotation.range, ctx.app_fails(message)) {
        out.push(d.with_related(
            ctx.unit.declaration_file(),
            ret.anchor(),
            format!("'$return' is a '{binding_type}' binding"),
        ));
    }
}

fn first_accepted(binding_type: &str) -> String {
    accepted_list(binding_type, Position::Return)
        .split(", ")
        .next()
        .unwrap_or("str")
        .to_string()
}

/// Replace the return annotation with one the `$return` binding accepts.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    let Some((unit, def)) = entry_of(ctx, d) else {
        return Vec::new();
    };
    let Some(module) = ctx.modules().get(def.script) else {
        return Vec::new();
    };
    let Some(ann) = def
        .function
        .return_annotation
        .as_ref()
        .filter(|a| a.range == d.range)
    else {
        return Vec::new();
    };
    let Some(binding_type) = unit
        .bindings()
        .iter()
        .find(|b| b.is_return())
        .and_then(|b| b.type_str())
    else {
        return Vec::new();
    };
    let (prefix, import) = azure_prefix_with_import(def.script, def.text, module);
    let row = annotations::matrix_entry(binding_type).ret.as_bytes();
    let mut candidates: Vec<String> = ANNOTATIONS
        .iter()
        .enumerate()
        .filter(|(i, a)| row.get(*i) == Some(&b'o') && **a != "object")
        .map(|(_, a)| a.replace("func.", &prefix).replace("typing.", ""))
        .collect();
    candidates.sort_by_key(|a| (!a.contains('.'), a.clone()));
    candidates
        .into_iter()
        .filter(|c| *c != ann.text)
        .take(3)
        .enumerate()
        .map(|(i, c)| {
            let mut edits = Vec::new();
            if c.contains(&prefix) {
                edits.extend(import.clone());
            }
            edits.push(FileEdit {
                file: def.script.to_string(),
                range: ann.range,
                new_text: c.clone(),
            });
            QuickFix::new(format!("Change the return annotation to {c}"), edits).preferred(i == 0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_script};
    use expect_test::expect;

    #[test]
    fn return_annotations() {
        expect![[r#"
            Bytes/__init__.py:2:36 AZF208 error return annotation 'bytes' does not match the '$return' binding of type 'http'; accepted: str, func.HttpResponse
              related Bytes/function.json:1:100: '$return' is a 'http' binding
            NoneRet/__init__.py:2:36 AZF208 error return annotation 'None' does not match the '$return' binding of type 'http'; accepted: str, func.HttpResponse
              related NoneRet/function.json:1:100: '$return' is a 'http' binding
            Opt/__init__.py:3:36 AZF208 error invalid non-type return annotation 'Optional[func.HttpResponse]': with a '$return' binding of type 'http' the worker needs a class; accepted: str, func.HttpResponse
              related Opt/function.json:1:100: '$return' is a 'http' binding
        "#]]
        .assert_eq(&check(
            "AZF208",
            r#"
//- /Bytes/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}]}
//- /Bytes/__init__.py
import azure.functions as func
def main(req: func.HttpRequest) -> bytes: pass
//- /NoneRet/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}]}
//- /NoneRet/__init__.py
import azure.functions as func
def main(req: func.HttpRequest) -> None: pass
//- /Opt/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}]}
//- /Opt/__init__.py
import azure.functions as func
from typing import Optional
def main(req: func.HttpRequest) -> Optional[func.HttpResponse]: pass
//- /NoReturnBinding/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /NoReturnBinding/__init__.py
import azure.functions as func
def main(req: func.HttpRequest) -> bytes: pass
"#,
        ));
    }

    #[test]
    fn http_streaming_accepts_its_response_types() {
        // Importing the streaming extension makes FastAPI's responses and plain JSON values the
        // accepted returns; `bytes` is not one, but only acceptance is claimed.
        expect![""]
        .assert_eq(&check_script(
            "AZF208",
            r#"from azurefunctions.extensions.http.fastapi import Request, StreamingResponse, JSONResponse

@app.route(route="count")
async def count(req: Request) -> int: pass

@app.route(route="data")
async def data(req: Request) -> dict: pass

@app.route(route="stream")
async def stream(req: Request) -> StreamingResponse: pass

@app.route(route="json")
async def json(req: Request) -> JSONResponse: pass

@app.route(route="raw")
async def raw(req: Request) -> bytes: pass
"#,
        ));
        // Without the extension the same return is refused.
        expect![[r#"
            function_app.py:4:37 AZF208 error return annotation 'int' does not match the '$return' binding of type 'http'; accepted: str, func.HttpResponse; the worker then indexes no function of the app ("0 functions found")
              related function_app.py:3:6: '$return' is a 'http' binding
        "#]]
        .assert_eq(&check_script(
            "AZF208",
            r#"
@app.route(route="count")
def count(req: func.HttpRequest) -> int: pass
"#,
        ));
    }
}
