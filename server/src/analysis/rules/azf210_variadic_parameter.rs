//! AZF210: the entry function takes `*args` or `**kwargs`.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::python::ParamKind;

pub const META: RuleMeta = RuleMeta {
    code: "AZF210",
    name: "variadic-parameter",
    severity: Severity::Error,
    summary: "The entry function takes `*args` or `**kwargs`, which the worker treats as parameters without bindings",
    explanation: r#"The worker matches parameters to bindings by name, and `*args`/`**kwargs` count as parameters
named `args`/`kwargs`. Without bindings of those names the load fails.

```python
def main(req: func.HttpRequest, *args, **kwargs):
```

List the bindings explicitly.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(sig) = ctx.signature() else { return };
    for p in &sig.params {
        let star = match p.param.kind {
            ParamKind::VarPositional => "*",
            ParamKind::VarKeyword => "**",
            _ => continue,
        };
        if ctx.bindings_by_name.contains_key(p.param.name.as_str()) {
            continue;
        }
        if let Some(d) = ctx.script_diag(
            &META,
            p.param.range,
            ctx.app_fails(format!(
                "the worker treats {star}{} as a parameter named '{}', {}",
                p.param.name,
                p.param.name,
                match ctx.unit.decorated() {
                    Some(_) => "which no decorator binds".to_string(),
                    None => format!(
                        "which has no binding in function.json, so {}",
                        ctx.load_failure()
                    ),
                }
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
    fn variadics() {
        expect![[r#"
            F/__init__.py:1:15 AZF210 error the worker treats *args as a parameter named 'args', which has no binding in function.json, so 'F' does not load
            F/__init__.py:1:22 AZF210 error the worker treats **kw as a parameter named 'kw', which has no binding in function.json, so 'F' does not load
        "#]]
        .assert_eq(&check(
            "AZF210",
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}]}
//- /F/__init__.py
def main(msg, *args, **kw): pass
"#,
        ));
    }
}
