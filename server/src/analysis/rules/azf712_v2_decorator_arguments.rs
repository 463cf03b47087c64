//! AZF712: a decorator call lacks a required argument or passes one it does not take.

use super::context::{did_you_mean_hint, AppCtx};
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::did_you_mean;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::v2::import_fails;

pub const META: RuleMeta = RuleMeta {
    code: "AZF712",
    name: "decorator-arguments",
    severity: Severity::Error,
    summary: "A decorator call misses a required argument, or passes one the decorator does not take",
    explanation: r#"Decorators are Python calls: a missing required argument (`queue_trigger` needs `arg_name`,
`queue_name` and `connection`), an unknown keyword to a decorator without `**kwargs` (`route`,
`table_input`, the Durable ones, `function_name`, `retry`) or too many positional arguments raise
`TypeError` while the worker imports the script, and the app has no function.

```python
@app.queue_trigger(arg_name="msg", queue_name="orders")     # no connection
@app.route(path="items")                                     # route() has no 'path'
```

Pass the arguments the decorator takes (completion lists them).
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    let fails = import_fails(&model.script.name);
    for f in model.functions.iter().filter(|f| f.imported) {
        for d in &f.decorators {
            let Some((spec, bound)) = d.bound_args() else {
                continue;
            };
            // Named in messages only (most decorators have none): written, not kept.
            let name = d.shown();
            let missing = bound.missing(spec);
            if !missing.is_empty() {
                let list = missing
                    .iter()
                    .map(|m| format!("'{m}'"))
                    .collect::<Vec<_>>()
                    .join(", ");
                out.push(META.diag(&d.file,
                    d.callee_range(),
                    format!(
                        "{name}() is missing the required argument{} {list}: it raises TypeError, and {fails}",
                        if missing.len() > 1 { "s" } else { "" }
                    ),
                ));
            }
            if !spec.kwargs {
                for a in &bound.extra {
                    let Some((k, range)) = &a.keyword else { continue };
                    let hint = did_you_mean_hint(did_you_mean(k, spec.params.iter().map(|p| p.name)));
                    out.push(META.diag(&d.file,
                        *range,
                        format!(
                            "{name}() takes no argument '{k}': it raises TypeError, and {fails}{hint}"
                        ),
                    ));
                }
            }
            for a in &bound.too_many {
                out.push(META.diag(&d.file,
                    a.range,
                    format!(
                        "{name}() takes {} positional argument{}: it raises TypeError, and {fails}",
                        spec.params.len(),
                        if spec.params.len() == 1 { "" } else { "s" }
                    ),
                ));
            }
            for a in &bound.repeated {
                let which = a.keyword.as_ref().map(|k| k.0.as_str()).unwrap_or("an argument");
                out.push(META.diag(&d.file,
                    a.range,
                    format!("{name}() gets '{which}' twice: it raises TypeError, and {fails}"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check_script;
    use expect_test::expect;

    #[test]
    fn bad_arguments() {
        expect![[r#"
            function_app.py:4:2 AZF712 error app.queue_trigger() is missing the required argument 'connection': it raises TypeError, and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found")
            function_app.py:7:12 AZF712 error app.route() takes no argument 'rout': it raises TypeError, and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found") — did you mean 'route'?
            function_app.py:8:25 AZF712 error app.function_name() gets 'name' twice: it raises TypeError, and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found")
        "#]]
        .assert_eq(&check_script(
            "AZF712",
            r#"

@app.queue_trigger(arg_name="m", queue_name="q")
def q(m): pass

@app.route(rout="x")
@app.function_name("a", name="b")
def x(req): pass

@app.blob_trigger("b", "c/{name}", "C", custom_property=1)
@app.queue_trigger(*args)
def ok(b): pass
"#,
        ));
    }
}
