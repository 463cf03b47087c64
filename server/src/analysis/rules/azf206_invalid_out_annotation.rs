//! AZF206: `func.Out` is used without exactly one type argument.

use super::context::{out_shape, FunctionCtx, OutShape};
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF206",
    name: "invalid-out-annotation",
    severity: Severity::Error,
    summary: "`func.Out` is used without exactly one type argument",
    explanation: r#"The worker needs to know the type inside `Out`: a bare `func.Out` (or `Out[A, B]`) fails the load.

```python
def main(msg: str, outputBlob: func.Out):
```

Write `func.Out[str]` (or `bytes`, `func.InputStream`, …).
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for (p, _, resolved) in ctx.annotated_bindings() {
        let OutShape::Out(args) = out_shape(resolved) else {
            continue;
        };
        if args.len() == 1 {
            continue;
        }
        out.extend(ctx.annotation_diag(&META, p, |ann| {
            ctx.app_fails(format!(
                "binding '{}' has invalid Out annotation '{ann}': Out takes exactly one type, e.g. func.Out[str]",
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
    fn bare_out() {
        expect![[r#"
            F/__init__.py:2:23 AZF206 error binding 'o' has invalid Out annotation 'func.Out': Out takes exactly one type, e.g. func.Out[str]
        "#]]
        .assert_eq(&check(
            "AZF206",
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}, {"type": "blob", "name": "o", "path": "x", "direction": "out"}]}
//- /F/__init__.py
import azure.functions as func
def main(msg: str, o: func.Out): pass
"#,
        ));
    }
}
