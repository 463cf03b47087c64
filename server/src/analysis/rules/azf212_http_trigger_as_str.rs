//! AZF212: an HTTP trigger parameter is annotated `str` or `bytes`.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::annotations::{ClassRef, Resolved};
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
        out.extend(ctx.annotation_diag(&META, p, |_| {
            format!(
                "'{}: {name}' loads, but every request fails: the worker passes HTTP triggers annotated {name} through the generic binding; use func.HttpRequest",
                p.param.name
            )
        }));
    }
}

/// Annotate with one of the binding's own classes (not `str` again).
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    annotated_param(ctx, d)
        .map(|p| annotation_fixes(&p, |c| c.contains('.')))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_fix};
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
