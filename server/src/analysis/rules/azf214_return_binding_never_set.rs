//! AZF214: a `$return` binding is declared, but the entry function never returns a value.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function::Entry;

pub const META: RuleMeta = RuleMeta {
    code: "AZF214",
    name: "return-binding-never-set",
    severity: Severity::Warning,
    summary: "A `$return` binding is declared, but the entry function never returns a value",
    explanation: r#"The `$return` binding receives the function's return value. If the function only ever returns
`None`, the output is never written (an HTTP caller gets an empty response).

```python
def main(req: func.HttpRequest):        # "$return" is an http output
    func.HttpResponse("hello")          # built, but not returned
```

Add `return`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let (Some(Entry::Function(f)), Some(_)) = (ctx.entry(), ctx.signature()) else {
        return;
    };
    let Some(ret) = ctx.bindings_by_name.get("$return") else {
        return;
    };
    if !f.value_returns.is_empty() || f.is_generator {
        return;
    }
    let mut d = ctx.declaration_diag(
        &META,
        ret.anchor(),
        format!(
            "'$return' is declared, but {}() never returns a value, so the output is never written",
            f.name
        ),
    );
    if let Some(script) = ctx.script_path {
        d = d.with_related(
            script,
            f.name_range,
            format!("{}() is defined here", f.name),
        );
    }
    out.push(d);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn never_returns() {
        expect![[r#"
            F/function.json:1:100 AZF214 warning '$return' is declared, but main() never returns a value, so the output is never written
              related F/__init__.py:2:5: main() is defined here
        "#]]
        .assert_eq(&check(
            "AZF214",
            r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}]}
//- /F/__init__.py
import azure.functions as func
def main(req):
    func.HttpResponse("hi")
"#,
        ));
    }
}
