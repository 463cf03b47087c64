//! AZF710: decorators of two different app objects (or blueprints) on one function.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::decorator_types::DecoratorKind;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::v2::{import_fails, Problem};

pub const META: RuleMeta = RuleMeta {
    code: "AZF710",
    name: "stacked-app-objects",
    severity: Severity::Error,
    summary: "Decorators of two different app objects or blueprints are stacked on one function",
    explanation: r#"Each app object and blueprint keeps its own list of functions, and a decorator applied to an
already-decorated function takes the *last function of its own list*. A `bp.` decorator stacked on
an `app.` function therefore raises `IndexError: pop from empty list` (the blueprint has no
function yet) or, worse, attaches its binding to another function of the blueprint. Either way the
app fails to index.

```python
@bp.queue_output(arg_name="msg", queue_name="audit", connection="AzureWebJobsStorage")
@app.route(route="orders")
def create_order(req, msg): ...
```

Use decorators of one object per function (`@app.queue_output` here).
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    for p in &model.problems {
        let (decorator, function, grabbed) = match p {
            Problem::StackedEmpty {
                decorator,
                function,
            } => (decorator, *function, None),
            Problem::StackedForeign {
                decorator,
                function,
                grabbed,
            } => (decorator, *function, Some(*grabbed)),
            Problem::RegisterApp { .. } => continue,
        };
        let func = &model.functions[function];
        let owner = model.functions[function]
            .decorators
            .first()
            .map(|d| d.object_text.to_string())
            .unwrap_or_else(|| model.objects[func.owner].var.clone());
        let object = &decorator.object_text;
        let message = match grabbed {
            None => format!(
                "{} is stacked on {}(), a function of '{owner}': '{object}' has no function of its own to attach it to, so it raises IndexError (\"pop from empty list\"), and {}",
                decorator.display(),
                func.def_name,
                import_fails(&model.script.name)
            ),
            Some(g) => {
                let adds_binding = decorator.spec().is_some_and(|s| {
                    !matches!(s.kind, DecoratorKind::Setting | DecoratorKind::Modifier)
                });
                if !adds_binding {
                    continue;
                }
                format!(
                    "{} is stacked on {}(), a function of '{owner}': it attaches to the last function of '{object}', {}(), instead, so neither function matches its bindings and the worker indexes no function of the app (\"0 functions found\"); use {owner}.{}",
                    decorator.display(),
                    func.def_name,
                    model.functions[g].def_name,
                    decorator.method
                )
            }
        };
        out.push(META.diag(&decorator.file, decorator.callee_range(), message));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check_script;
    use expect_test::expect;

    #[test]
    fn stacked_decorators() {
        expect![[r#"
            function_app.py:5:2 AZF710 error bp.queue_output is stacked on create_order(), a function of 'app': 'bp' has no function of its own to attach it to, so it raises IndexError ("pop from empty list"), and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found")
        "#]]
        .assert_eq(&check_script(
            "AZF710",
            r#"
bp = func.Blueprint()

@bp.queue_output(arg_name="msg", queue_name="audit", connection="AzureWebJobsStorage")
@app.route(route="orders", methods=["POST"])
def create_order(req, msg): pass

app.register_functions(bp)
"#,
        ));
        expect![[r#"
            function_app.py:8:2 AZF710 error bp.queue_output is stacked on create_order(), a function of 'app': it attaches to the last function of 'bp', ping(), instead, so neither function matches its bindings and the worker indexes no function of the app ("0 functions found"); use app.queue_output
        "#]]
        .assert_eq(&check_script(
            "AZF710",
            r#"
bp = func.Blueprint()

@bp.route(route="ping")
def ping(req): pass

@bp.queue_output(arg_name="msg", queue_name="audit", connection="AzureWebJobsStorage")
@app.route(route="orders", methods=["POST"])
def create_order(req, msg): pass

app.register_functions(bp)
"#,
        ));
    }
}
