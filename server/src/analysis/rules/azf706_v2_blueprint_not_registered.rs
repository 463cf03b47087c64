//! AZF706: functions of a blueprint that the app never registers (or registers before they exist).


use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF706",
    name: "blueprint-not-registered",
    severity: Severity::Warning,
    summary: "A blueprint's function is never registered on the app, so it is silently not indexed",
    explanation: r#"A `Blueprint`'s functions exist only once `app.register_functions(bp)` has copied them, and
the copy is taken when the call runs: functions decorated later, blueprints never registered and
modules never imported are silently missing from the app (no error, no function).

```python
app.register_functions(bp)

@bp.route(route="late")        # decorated after the copy: not indexed
def late(req): ...
```

Register each blueprint once, after all its functions are defined (usually at the end of
`function_app.py`, after importing the blueprint modules).
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    if model.unknown_registrations || model.app_names.is_empty() {
        return;
    }
    let indexed: foldhash::HashSet<usize> = model.indexed.iter().map(|e| e.function).collect();
    for (id, obj) in model.objects.iter().enumerate() {
        if obj.builders.is_empty() {
            continue;
        }
        let registrations: Vec<_> = model
            .registrations
            .iter()
            .filter(|r| r.container == Some(id))
            .collect();
        for f in obj.builders.iter().map(|e| e.function) {
            if indexed.contains(&f) {
                continue;
            }
            let func = &model.functions[f];
            if func.owner != id || func.conditional {
                continue;
            }
            let name = &func.def_name;
            let var = if obj.var.is_empty() { "the blueprint" } else { obj.var.as_str() };
            let message = if obj.kind.is_register() {
                format!(
                    "{name}() is declared on '{var}', which is not the app object the worker indexes: it is not indexed"
                )
            } else if !obj.imported {
                format!(
                    "{} is never imported by {}, so its blueprint '{var}' is never registered: {name}() is not indexed",
                    obj.file, model.script.name
                )
            } else if let Some(last) = registrations.last() {
                let d = META.diag(&func.file,
                    func.def_name_range,
                    format!(
                        "{name}() is added to '{var}' after register_functions() copied its functions: it is not indexed; register the blueprint after its last function"
                    ),
                );
                out.push(d.with_related(&last.file, last.range, "the blueprint is registered here"));
                continue;
            } else {
                format!(
                    "blueprint '{var}' is never registered, so {name}() is not indexed; call app.register_functions({var})"
                )
            };
            out.push(META.diag(&func.file, func.def_name_range, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn unregistered_functions() {
        expect![[r#"
            function_app.py:12:5 AZF706 warning late() is added to 'bp' after register_functions() copied its functions: it is not indexed; register the blueprint after its last function
              related function_app.py:9:1: the blueprint is registered here
            orphan.py:5:5 AZF706 warning orphan.py is never imported by function_app.py, so its blueprint 'bp' is never registered: tick() is not indexed
            reports.py:5:5 AZF706 warning blueprint 'bp' is never registered, so nightly() is not indexed; call app.register_functions(bp)
        "#]]
        .assert_eq(&check(
            "AZF706",
            r#"
//- /function_app.py
import azure.functions as func
import reports
app = func.FunctionApp()
bp = func.Blueprint()

@bp.route(route="early")
def early(req): pass

app.register_functions(bp)

@bp.route(route="late")
def late(req): pass
//- /reports.py
import azure.functions as func
bp = func.Blueprint()

@bp.timer_trigger(arg_name="t", schedule="0 0 6 * * *")
def nightly(t): pass
//- /orphan.py
import azure.functions as func
bp = func.Blueprint()

@bp.timer_trigger(arg_name="t", schedule="0 0 6 * * *")
def tick(t): pass
//- /tests/test_bp.py
import azure.functions as func
bp = func.Blueprint()

@bp.timer_trigger(arg_name="t", schedule="0 0 6 * * *")
def test_tick(t): pass
"#,
        ));
    }
}
