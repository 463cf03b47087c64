//! AZF207: a parameter's annotation is not a class (`Optional[...]`, `X | None`, `Union[...]`).

use super::context::{out_shape, FunctionCtx, OutShape};
use super::{FixAvailability, RuleMeta};
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
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(sig) = ctx.signature() else { return };
    for p in &sig.params {
        let Some(resolved) = &p.resolved else {
            continue;
        };
        if p.is_context || !ctx.bindings_by_name.contains_key(p.param.name.as_str()) {
            continue;
        }
        let what = match out_shape(resolved) {
            OutShape::Plain(Resolved::NotAType(what)) => what,
            OutShape::Out([Resolved::NotAType(what)]) => what,
            _ => continue,
        };
        let Some(ann) = &p.param.annotation else {
            continue;
        };
        if let Some(d) = ctx.script_diag(
            &META,
            ann.range,
            ctx.app_fails(format!(
                "binding {} has invalid non-type annotation '{}': {what} is not a class; annotate with the class itself",
                p.param.name, ann.text
            )),
        ) {
            out.push(d);
        }
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
