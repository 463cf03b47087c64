//! AZF212: an HTTP trigger parameter is annotated `str` or `bytes`.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::annotations::{imports_http_streaming, ClassRef, Resolved};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use super::fix_support::{annotated_param, annotation_fixes, FixCtx, QuickFix};

pub const META: RuleMeta = RuleMeta {
    code: "AZF212",
    name: "http-trigger-as-str",
    severity: Severity::Warning,
    summary:
        "An HTTP trigger parameter is annotated `str`/`bytes`: it loads, but every request fails",
    explanation: r#"For `str` and `bytes` the worker swaps the binding's converter for the generic one, so the
function loads; but the generic binding cannot decode an HTTP request, and every invocation fails
with `unexpected type of data received for the "generic" binding`.

```python
def main(req: str) -> func.HttpResponse:
```

Annotate `req: func.HttpRequest` and read `req.get_body()`.
"#,
    fix: FixAvailability::Unsafe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for (p, b, resolved) in ctx.annotated_bindings() {
        let Resolved::Class(ClassRef::Builtin(name)) = resolved else {
            continue;
        };
        if (name != "str" && name != "bytes") || b.type_str() != Some("httpTrigger") {
            continue;
        }
        // With the streaming extension imported, only its `Request` is an HTTP request.
        let class = if ctx.http_streaming() {
            "Request of azurefunctions.extensions.http.fastapi"
        } else {
            "func.HttpRequest"
        };
        out.extend(ctx.annotation_diag(&META, p, |_| {
            format!(
                "'{}: {name}' loads, but every request fails: the worker passes HTTP triggers annotated {name} through the generic binding; use {class}",
                p.param.name
            )
        }));
    }
}

/// Annotate with one of the binding's own classes (not `str` again); none under the streaming
/// extension, whose `Request` is not among the worker's own classes.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    annotated_param(ctx, d)
        .filter(|p| !imports_http_streaming([p.module]))
        .map(|p| annotation_fixes(&p, |c| c.contains('.')))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_fix, titles};
    use expect_test::expect;

    #[test]
    fn str_request() {
        expect![[r#"
            F/__init__.py:1:15 AZF212 warning 'req: str' loads, but every request fails: the worker passes HTTP triggers annotated str through the generic binding; use func.HttpRequest
        "#]]
        .assert_eq(&check(
            "AZF212",
            r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /F/__init__.py
def main(req: str): pass
"#,
        ));
    }

    #[test]
    fn str_request_under_http_streaming() {
        let streaming = r#"
//- /function_app.py
import azure.functions as func
import azurefunctions.extensions.http.fastapi
app = func.FunctionApp()

@app.route(route="r")
async def r(req: str) -> str: pass
"#;
        expect![[r#"
            function_app.py:6:18 AZF212 warning 'req: str' loads, but every request fails: the worker passes HTTP triggers annotated str through the generic binding; use Request of azurefunctions.extensions.http.fastapi
        "#]]
        .assert_eq(&check("AZF212", streaming));
        assert!(titles(streaming, "AZF212").is_empty());
    }

    /// The fix, applied as the editor offers it.
    #[test]
    fn fix() {
        let as_str = r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /F/__init__.py
def main(req: str): pass
"#;
        expect_test::expect![[r#"
            Annotate 'req' as func.HttpRequest [preferred]
            --- F/__init__.py
            import azure.functions as func

            def main(req: func.HttpRequest): pass
        "#]]
        .assert_eq(&check_fix(as_str, "AZF212", "Annotate"));
    }
}
