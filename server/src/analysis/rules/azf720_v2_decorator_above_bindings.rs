//! AZF720: a decorator of another library sits above the app's decorators of a function.

use foldhash::HashMap;

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::app_objects::rejects_function_builder;
use crate::analysis::catalog::decorator;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::python::{Binding, ExprKind, NameKind, PyExpr, PyFunction, PyModule};
use crate::analysis::v2::{import_fails, AppliedDecorator};

pub const META: RuleMeta = RuleMeta {
    code: "AZF720",
    name: "decorator-above-bindings",
    severity: Severity::Error,
    summary: "A decorator of another library is placed above the app's binding decorators",
    explanation: r#"Decorators apply bottom-up. The first `@app.` decorator turns the function into a
`FunctionBuilder` that the app object keeps; a decorator placed above the `@app.` ones receives
that builder, not the function. One written for functions (`validate_http` of
azure-functions-validation) raises at import, and the app has no function; any other either
fails in its own way or wraps the builder, and the worker then calls the function without it.
A decorator known to raise is an error; any other is a warning.

```python
@validate_http(body=Item)         # receives the FunctionBuilder: RuntimeError at import
@app.route(route="items", methods=["POST"])
def create_item(req, body): ...
```

Put such decorators below the `@app.` decorators, right above the `def`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    // Each file's functions by `def` offset, built once (an app may have thousands).
    let mut defs: HashMap<&str, HashMap<usize, &PyFunction>> = HashMap::default();
    for f in model.functions.iter().filter(|f| f.imported) {
        let (Some(def_offset), Some(module)) = (f.def_offset, ctx.modules.get(&f.file)) else {
            continue;
        };
        let by_offset = defs.entry(&*f.file).or_insert_with(|| {
            module
                .functions
                .iter()
                .map(|function| (function.def_offset, function))
                .collect()
        });
        let Some(function) = by_offset.get(&def_offset) else {
            continue;
        };
        let Some((app_decorator, above)) = decorators_above(module, function, &f.decorators)
        else {
            continue;
        };
        for Above { expr, shown, raises } in above {
            let order = format!(
                "@{shown} is above @{}: it receives the FunctionBuilder that the binding decorators made, not {}()",
                app_decorator.display(),
                f.def_name
            );
            let mut diagnostic = if raises {
                META.diag(
                    &f.file,
                    expr.range,
                    format!(
                        "{order}, and raises RuntimeError; {} — move it below the @{} decorators",
                        import_fails(&model.script.name),
                        app_decorator.object_text
                    ),
                )
            } else {
                META.diag(
                    &f.file,
                    expr.range,
                    format!(
                        "{order}; unless it is written for that, it fails at import or the worker calls {}() without it — move it below the @{} decorators",
                        f.def_name, app_decorator.object_text
                    ),
                )
            };
            if !raises {
                diagnostic.severity = Severity::Warning;
            }
            out.push(diagnostic);
        }
    }
}

/// Whether a decorator known to raise on a `FunctionBuilder` sits above the app decorators of
/// `function`: the import fails there, before the worker looks at the function.
pub fn import_fails_above(
    module: &PyModule,
    function: &PyFunction,
    app_decorators: &[AppliedDecorator],
) -> bool {
    decorators_above(module, function, app_decorators)
        .is_some_and(|(_, above)| above.iter().any(|a| a.raises))
}

/// A decorator of another library above the app decorators.
struct Above<'m> {
    expr: &'m PyExpr,
    /// As written (`validate_http`, `mylib.log_calls`).
    shown: String,
    /// Known to raise when it receives a `FunctionBuilder`.
    raises: bool,
}

/// The topmost app decorator of `function` and the other decorators above it.
fn decorators_above<'m, 'a>(
    module: &PyModule,
    function: &'m PyFunction,
    app_decorators: &'a [AppliedDecorator],
) -> Option<(&'a AppliedDecorator, Vec<Above<'m>>)> {
    let decorators = &function.decorators;
    let def_offset = function.def_offset;
    // A function has a few decorators: a scan beats building a set per function.
    let first_app = decorators
        .iter()
        .position(|d| app_decorators.iter().any(|a| a.range == d.range))?;
    let app_decorator = app_decorators
        .iter()
        .find(|d| d.range == decorators[first_app].range)?;
    let above = decorators[..first_app]
        .iter()
        .filter_map(|d| {
            let callee = callee(d);
            // `@other.route(...)` on an object the model could not follow is an app decorator too.
            if let ExprKind::Attribute { name, .. } = &callee.kind {
                if decorator(name).is_some() {
                    return None;
                }
            }
            let raises = origin(module, callee, def_offset)
                .is_some_and(|(m, n)| rejects_function_builder(&m, &n));
            Some(Above {
                expr: d,
                shown: callee
                    .dotted()
                    .unwrap_or_else(|| "this decorator".to_string()),
                raises,
            })
        })
        .collect();
    Some((app_decorator, above))
}

fn callee(d: &PyExpr) -> &PyExpr {
    match &d.kind {
        ExprKind::Call(call) => &call.func,
        _ => d,
    }
}

/// The module and name a decorator comes from (`from pkg import name`, `pkg.name`).
fn origin(module: &PyModule, callee: &PyExpr, offset: usize) -> Option<(String, String)> {
    match &callee.kind {
        ExprKind::Name(name) => match module.binding_at(name, offset, false) {
            Binding::Def(def) => match &def.kind {
                NameKind::FromImport {
                    level: 0,
                    module: m,
                    name: n,
                } => Some((m.clone(), n.clone())),
                _ => None,
            },
            _ => None,
        },
        ExprKind::Attribute { object, name, .. } => match &object.kind {
            ExprKind::Name(base) => match module.binding_at(base, offset, false) {
                Binding::Def(def) => match &def.kind {
                    NameKind::Module(m) => Some((m.clone(), name.clone())),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check_script;
    use expect_test::expect;

    #[test]
    fn decorators_above_the_binding_decorators() {
        expect![[r#"
            function_app.py:6:2 AZF720 error @validate_http is above @app.route: it receives the FunctionBuilder that the binding decorators made, not create_item(), and raises RuntimeError; the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found") — move it below the @app decorators
            function_app.py:10:2 AZF720 warning @mylib.log_calls is above @app.function_name: it receives the FunctionBuilder that the binding decorators made, not other(); unless it is written for that, it fails at import or the worker calls other() without it — move it below the @app decorators
        "#]]
        .assert_eq(&check_script(
            "AZF720",
            r#"from azure_functions_validation import validate_http
import mylib

@validate_http(body=dict)
@app.route(route="items", methods=["POST"])
def create_item(req, body): pass

@mylib.log_calls
@app.function_name(name="other")
@app.route(route="other")
def other(req): pass

@app.route(route="below")
@validate_http(body=dict)
@mylib.log_calls
def below(req): pass
"#,
        ));
    }
}
