//! AZF719: a decorator or call names an attribute the app object does not have
//! (`@app.rout(...)`, `app.register_function(bp)`).


use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::app_objects::{
    COMMON_ATTRIBUTES, DURABLE_ATTRIBUTES, REGISTER_ATTRIBUTES,
};
use crate::analysis::catalog::decorators::DECORATORS;
use crate::analysis::catalog::{decorator, did_you_mean};
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::python::syntax::StmtKind;
use crate::analysis::python::{ExprKind, PyExpr};
use crate::analysis::v2::{import_fails, AppObject, ObjectKind};

pub const META: RuleMeta = RuleMeta {
    code: "AZF719",
    name: "unknown-app-attribute",
    severity: Severity::Error,
    summary: "A decorator or call names an attribute the app object or blueprint does not have",
    explanation: r#"`@app.rout(...)` looks up `rout` on the `FunctionApp` while the script is imported; the class
has no such attribute, so the import fails with `AttributeError` and the app has no function. The
name is compared with the decorators of azure-functions (and azure-functions-durable for `DFApp`):
a near miss is an error; a name close to none of them is a warning, since a newer library may
have it.

```python
@app.rout(route="hello")          # AttributeError: 'FunctionApp' object has no attribute 'rout'
def hello(req): ...
```

Use the decorator's name (`@app.route`).
"#,
    fix: FixAvailability::Unsafe,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    // The app objects by file and name; `None` where one name holds several.
    let mut objects: foldhash::HashMap<(&str, &str), Option<&AppObject>> = Default::default();
    for o in &model.objects {
        objects
            .entry((o.file.as_str(), o.var.as_str()))
            .and_modify(|seen| *seen = None)
            .or_insert(Some(o));
    }
    for file in &model.executed {
        let Some(module) = ctx.modules.get(file) else {
            continue;
        };
        for stmt in &module.statements {
            // A statement that may not run cannot be said to fail.
            if stmt.conditional {
                continue;
            }
            // Decorators, and calls as statements (`app.register_functions(bp)`).
            let used: &[PyExpr] = match &stmt.kind {
                StmtKind::Def { decorators, .. } => decorators,
                StmtKind::Expr(e) if matches!(e.kind, ExprKind::Call(_)) => std::slice::from_ref(e),
                _ => continue,
            };
            for d in used {
                let callee = match &d.kind {
                    ExprKind::Call(call) => &call.func,
                    _ => d,
                };
                let ExprKind::Attribute {
                    object,
                    name,
                    name_range,
                } = &callee.kind
                else {
                    continue;
                };
                let ExprKind::Name(var) = &object.kind else {
                    continue;
                };
                // A name bound more than once may hold something else when the `def` runs.
                if module.names.get(var).map_or(0, Vec::len) != 1 {
                    continue;
                }
                let Some(Some(app_object)) = objects.get(&(file.as_str(), var.as_str())) else {
                    continue;
                };
                // Used before the object exists: a NameError, not this.
                if app_object.range.start > d.range.start {
                    continue;
                }
                // Private names may be set on the instance; they are not guessed at.
                if name.starts_with('_') || has_attribute(app_object.kind, name) {
                    continue;
                }
                let class = app_object.kind.class_name();
                let suggestion = did_you_mean(name, candidates(app_object.kind));
                let mut message = format!(
                    "'{class}' object has no attribute '{name}': {var}.{name} raises AttributeError, and {}",
                    import_fails(&model.script.name)
                );
                let mut diagnostic = match suggestion {
                    Some(s) => {
                        message.push_str(&format!(" — did you mean '{s}'?"));
                        META.diag(file, *name_range, message).with_fix(
                            format!("Change '{name}' to '{s}'"),
                            vec![FileEdit {
                                file: file.clone(),
                                range: *name_range,
                                new_text: s.to_string(),
                            }],
                        )
                    }
                    None => META.diag(
                        file,
                        *name_range,
                        format!("{message} (unless the installed azure-functions is newer than the one this checker knows and has it)"),
                    ),
                };
                if suggestion.is_none() {
                    diagnostic.severity = Severity::Warning;
                }
                out.push(diagnostic);
            }
        }
    }
}

fn has_attribute(kind: ObjectKind, name: &str) -> bool {
    decorator(name).is_some_and(|d| !d.durable || kind.is_durable() || durable_on_any(name))
        || COMMON_ATTRIBUTES.contains(&name)
        || (kind.is_register() && REGISTER_ATTRIBUTES.contains(&name))
        || (kind.is_durable() && DURABLE_ATTRIBUTES.contains(&name))
}

/// The durable decorators every app object has (azure-functions forwards them to the durable
/// library); the others exist only on the durable classes.
fn durable_on_any(name: &str) -> bool {
    matches!(
        name,
        "orchestration_trigger" | "activity_trigger" | "entity_trigger" | "durable_client_input"
    )
}

fn candidates(kind: ObjectKind) -> impl Iterator<Item = &'static str> {
    DECORATORS
        .iter()
        .map(|d| d.name)
        .chain(COMMON_ATTRIBUTES.iter().copied())
        .chain(
            REGISTER_ATTRIBUTES
                .iter()
                .copied()
                .filter(move |_| kind.is_register()),
        )
        .filter(move |n| has_attribute(kind, n))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_script};
    use expect_test::expect;

    #[test]
    fn misspelt_decorators() {
        expect![[r#"
            function_app.py:3:6 AZF719 error 'FunctionApp' object has no attribute 'rout': app.rout raises AttributeError, and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found") — did you mean 'route'?
              fix: Change 'rout' to 'route'
            function_app.py:6:6 AZF719 error 'FunctionApp' object has no attribute 'queue_triger': app.queue_triger raises AttributeError, and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found") — did you mean 'queue_trigger'?
              fix: Change 'queue_triger' to 'queue_trigger'
            function_app.py:9:6 AZF719 warning 'FunctionApp' object has no attribute 'fancy_new_trigger': app.fancy_new_trigger raises AttributeError, and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found") (unless the installed azure-functions is newer than the one this checker knows and has it)
            function_app.py:16:5 AZF719 error 'FunctionApp' object has no attribute 'register_function': app.register_function raises AttributeError, and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found") — did you mean 'register_functions'?
              fix: Change 'register_function' to 'register_functions'
        "#]]
        .assert_eq(&check_script(
            "AZF719",
            r#"
@app.rout(route="hello")
def hello(req): pass

@app.queue_triger(arg_name="m", queue_name="q", connection="C")
def job(m): pass

@app.fancy_new_trigger(arg_name="x")
def fancy(x): pass

@app.route(route="ok")
@app.function_name(name="ok")
def ok(req): pass

app.register_function(bp)
app.register_functions(bp)

if False:
    @app.rout(route="never")
    def never(req): pass
"#,
        ));
    }

    #[test]
    fn blueprints_have_no_register_functions() {
        expect![[r#"
            bp.py:4:5 AZF719 warning 'Blueprint' object has no attribute 'get_functions': bp.get_functions raises AttributeError, and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found") (unless the installed azure-functions is newer than the one this checker knows and has it)
        "#]]
        .assert_eq(&check(
            "AZF719",
            r#"
//- /function_app.py
import azure.functions as func
from bp import bp
app = func.FunctionApp()
app.register_functions(bp)
//- /bp.py
import azure.functions as func
bp = func.Blueprint()

@bp.get_functions
def listed(req): pass

@bp.route(route="x")
def x(req): pass
"#,
        ));
    }
}
