//! AZF207: a parameter's annotation is not a class (`Optional[...]`, `X | None`, `Union[...]`).

use super::context::{out_shape, FunctionCtx, OutShape};
use super::RuleMeta;
use crate::analysis::annotations::Resolved;
use crate::analysis::diagnostic::{Diagnostic, Severity};

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
                "binding {} has invalid non-type annotation '{ann}': {what} is not a class; annotate with the class itself",
                p.param.name
            ))
        }));
    }
}


#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn optional_and_unions() {
        expect![[r#"
            F/__init__.py:3:15 AZF207 error binding req has invalid non-type annotation 'Optional[func.HttpRequest]': `Optional[...]` is not a class; annotate with the class itself
            G/__init__.py:2:15 AZF207 error binding req has invalid non-type annotation 'func.HttpRequest | None': a union (`X | Y`) is not a class; annotate with the class itself
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
}
