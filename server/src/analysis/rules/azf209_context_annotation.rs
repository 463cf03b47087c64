//! AZF209: the `context` parameter is annotated with something other than `func.Context`.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::annotations::{ClassRef, Resolved};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF209",
    name: "context-annotation",
    severity: Severity::Error,
    summary: "The `context` parameter is annotated with something other than `func.Context`",
    explanation: r#"A parameter named `context` with no binding of that name receives the invocation context. If
annotated, the annotation must be `func.Context` (not `Optional[func.Context]`).

```python
def main(req: func.HttpRequest, context: dict) -> func.HttpResponse:
```

Annotate `context: func.Context`, or leave it unannotated.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(sig) = ctx.signature() else { return };
    for p in sig.params.iter().filter(|p| p.is_context) {
        let Some(resolved) = &p.resolved else {
            continue;
        };
        let ok = match resolved {
            Resolved::Class(ClassRef::Azure(n))
            | Resolved::Class(ClassRef::Local { name: n, .. }) => n == "Context",
            Resolved::Class(ClassRef::Builtin(_))
            | Resolved::NotAType(_)
            | Resolved::List(_)
            | Resolved::OtherGeneric
            | Resolved::Out(_)
            | Resolved::NoneType => false,
            _ => true,
        };
        if ok {
            continue;
        }
        out.extend(ctx.annotation_diag(&META, p, |ann| {
            let fault = format!(
                "parameter 'context' is annotated '{ann}', but the worker gives the invocation context only to a parameter annotated func.Context"
            );
            match ctx.unit.decorated() {
                Some(_) => ctx.app_fails(fault),
                None => format!("{fault}: {}", ctx.load_failure()),
            }
        }));
    }
}


#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn context_annotations() {
        expect![[r#"
            F/__init__.py:3:29 AZF209 error parameter 'context' is annotated 'Optional[func.Context]', but the worker gives the invocation context only to a parameter annotated func.Context: 'F' does not load
        "#]]
        .assert_eq(&check(
            "AZF209",
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}]}
//- /F/__init__.py
import azure.functions as func
from typing import Optional
def main(msg: str, context: Optional[func.Context]): pass
//- /Ok/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}]}
//- /Ok/__init__.py
import azure.functions as func
def main(msg: str, context: func.Context): pass
//- /Durable/function.json
{"bindings": [{"type": "orchestrationTrigger", "name": "context"}]}
//- /Durable/__init__.py
def main(context: dict): pass
"#,
        ));
    }
}
