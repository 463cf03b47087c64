//! AZF211: an annotation names something that does not exist when the worker evaluates it.

use super::context::{did_you_mean_hint, AppCtx, FunctionCtx, V2_LOAD_FAILURE};
use super::{FixAvailability, RuleMeta};
use crate::analysis::annotations::{self, EvalSite, Resolved};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function::{Entry, FunctionUnit, Script};
use crate::analysis::python::{
    Annotation, ExprKind, FailingAnnotation, NameDef, NameKind, PyFunction, PyModule,
};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF211",
    name: "unresolved-annotation",
    severity: Severity::Error,
    summary: "An annotation names something that is not defined when it is evaluated",
    explanation: r#"Annotations are evaluated when a `def` runs (at import), or, for string annotations and under
`from __future__ import annotations`, when the worker calls `typing.get_type_hints` on the entry
point while loading it. A name that does not exist then raises `NameError` (or `AttributeError`
for `func.HttpRequets`) and the function does not load, even for the return annotation.

```python
def main(req: func.HttpRequest) -> "HttpResponse":   # HttpResponse is not imported
```

Write `-> func.HttpResponse`.
"#,
    fix: FixAvailability::None,
};

/// Why an annotation fails, and the did-you-mean that ends the message.
fn problem(resolved: &Resolved) -> Option<(String, String)> {
    match resolved {
        Resolved::Undefined(name) => Some((
            format!("name '{name}' is not defined (NameError)"),
            String::new(),
        )),
        Resolved::MissingAttribute {
            module,
            attr,
            suggestion,
        } => Some((
            format!("module '{module}' has no attribute '{attr}' (AttributeError)"),
            did_you_mean_hint(suggestion.as_ref()),
        )),
        _ => None,
    }
}

fn annotations_of(f: &PyFunction) -> impl Iterator<Item = &Annotation> {
    f.params
        .iter()
        .filter_map(|p| p.annotation.as_ref())
        .chain(f.return_annotation.as_ref())
}

/// The annotations of `f` that fail when evaluated, with why: at import (`deferred` false), where
/// string annotations stay strings, or by `get_type_hints` (`deferred` true), which evaluates them
/// too.
fn unresolved<'f>(
    f: &'f PyFunction,
    module: &'f PyModule,
    deferred: bool,
) -> impl Iterator<Item = (&'f Annotation, (String, String))> + 'f {
    let site = EvalSite {
        def_offset: f.def_offset,
        deferred,
    };
    annotations_of(f)
        .filter(move |ann| deferred || !matches!(ann.expr.kind, ExprKind::Str(_)))
        .filter_map(move |ann| Some((ann, problem(&annotations::resolve(&ann.expr, module, site))?)))
}

/// A module whose top-level `def`s evaluate their annotations when it is imported.
fn evaluated_at_import(module: &PyModule) -> bool {
    module.syntax_errors.is_empty() && !module.future_annotations
}

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let (Some(module), Some(script)) = (ctx.module, ctx.script_path) else {
        return;
    };
    if !module.syntax_errors.is_empty() {
        return;
    }
    let mut reported = std::collections::HashSet::new();
    // At import: every unconditional top-level def evaluates its non-string annotations, unless
    // the module defers them with `from __future__ import annotations`. A function.json function
    // owns its whole script; a decorated function only its own `def` (the module's other
    // functions are checked once for the app, by `check_app`).
    if evaluated_at_import(module) {
        // Most functions have no finding: the message's tail is made for the first one.
        let mut when = None;
        let mut report = |range: TextRange, text: &str, why: &str, hint: &str| {
            if reported.insert(range) {
                let when = when.get_or_insert_with(|| {
                    format!("when the worker imports {script}, so {}", ctx.load_failure())
                });
                let message = format!("annotation '{text}': {why} {when}{hint}");
                out.push(ctx.diag(&META, script, range, message));
            }
        };
        match ctx.unit.decorated() {
            None => {
                for f in failing_at_import(module) {
                    report(f.range, &f.text, &f.why, &f.hint);
                }
            }
            Some(v2) => {
                let def = v2
                    .def_offset
                    .and_then(|offset| module.function_at(offset))
                    .filter(|f| {
                        top_level_functions_named(module, &f.name)
                            .any(|t| t.def_offset == f.def_offset)
                    });
                if let Some(f) = def {
                    for (ann, (why, hint)) in unresolved(f, module, false) {
                        report(ann.range, &ann.text, &why, &hint);
                    }
                }
            }
        }
    }
    // At load: `get_type_hints(main)` evaluates every annotation of the entry function.
    if let Some(Entry::Function(f)) = ctx.entry() {
        let mut when = None;
        for (ann, (why, hint)) in unresolved(f, module, true) {
            if reported.insert(ann.range) {
                let when = when.get_or_insert_with(|| {
                    format!(
                        "when the worker reads the signature of {}(), so {}",
                        f.name,
                        ctx.load_failure()
                    )
                });
                let message = format!("annotation '{}': {why} {when}{hint}", ann.text);
                out.push(ctx.diag(&META, script, ann.range, message));
            }
        }
    }
}

/// The annotations of `module`'s unconditional top-level `def`s that fail when it is imported
/// (it evaluates them: see [`evaluated_at_import`]), found once per module.
fn failing_at_import(module: &PyModule) -> &[FailingAnnotation] {
    module.failing_at_import.get_or_init(|| {
        top_level_functions(module)
            .flat_map(|f| unresolved(f, module, false))
            .map(|(ann, (why, hint))| FailingAnnotation {
                range: ann.range,
                text: ann.text.clone(),
                why,
                hint,
            })
            .collect()
    })
}

/// The Python script of a decorated function (what [`check_app`] reads of each function).
pub fn decorated_script(unit: &FunctionUnit) -> Option<String> {
    unit.decorated()?;
    match &unit.script {
        Script::Found { path, .. } if path.ends_with(".py") => Some(path.clone()),
        _ => None,
    }
}

/// In a decorator app, the undecorated top-level functions of each module that holds functions:
/// their annotations are evaluated when the worker imports the module, which then fails for the
/// whole app. Checked once per module (per function, this was quadratic in a large module).
pub fn check_app(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let mut scripts: Vec<&str> = ctx.facts.decorated_scripts.iter().flatten().map(|s| &**s).collect();
    scripts.sort_unstable();
    scripts.dedup();
    for script in scripts {
        let Some(module) = ctx.modules.get(script).map(|m| m.as_ref()) else {
            continue;
        };
        if !evaluated_at_import(module) {
            continue;
        }
        let when = format!("when the worker imports {script}, so {V2_LOAD_FAILURE}");
        for f in top_level_functions(module).filter(|f| f.decorators.is_empty()) {
            for (ann, (why, hint)) in unresolved(f, module, false) {
                let message = format!("annotation '{}': {why} {when}{hint}", ann.text);
                out.push(META.diag(script, ann.range, message));
            }
        }
    }
}

fn top_level_functions(module: &PyModule) -> impl Iterator<Item = &PyFunction> {
    module.names.values().flatten().filter_map(move |d| unconditional_function(module, d))
}

fn top_level_functions_named<'m>(
    module: &'m PyModule,
    name: &str,
) -> impl Iterator<Item = &'m PyFunction> {
    module
        .names
        .get(name)
        .into_iter()
        .flatten()
        .filter_map(move |d| unconditional_function(module, d))
}

fn unconditional_function<'m>(module: &'m PyModule, d: &NameDef) -> Option<&'m PyFunction> {
    match d.kind {
        NameKind::Function(i) if !d.conditional && !d.type_checking_only => {
            module.functions.get(i)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn unresolved_names() {
        expect![[r#"
            Attr/__init__.py:2:15 AZF211 error annotation 'func.HttpRequets': module 'azure.functions' has no attribute 'HttpRequets' (AttributeError) when the worker imports Attr/__init__.py, so 'Attr' does not load — did you mean 'HttpRequest'?
            Later/__init__.py:1:15 AZF211 error annotation 'Model': name 'Model' is not defined (NameError) when the worker imports Later/__init__.py, so 'Later' does not load
            Str/__init__.py:2:36 AZF211 error annotation '"HttpResponse"': name 'HttpResponse' is not defined (NameError) when the worker reads the signature of main(), so 'Str' does not load
        "#]]
        .assert_eq(&check(
            "AZF211",
            r#"
//- /Attr/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /Attr/__init__.py
import azure.functions as func
def main(req: func.HttpRequets): pass
//- /Later/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}]}
//- /Later/__init__.py
def main(msg: Model): pass
class Model: pass
//- /Str/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /Str/__init__.py
import azure.functions as func
def main(req: func.HttpRequest) -> "HttpResponse": pass
//- /Future/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}]}
//- /Future/__init__.py
from __future__ import annotations
def main(msg: Model): pass
class Model(str): pass
//- /Guarded/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}]}
//- /Guarded/__init__.py
try:
    from mylib import Model
except ImportError:
    Model = str
def main(msg: Model): pass
"#,
        ));
    }

    #[test]
    fn functions_sharing_a_script_each_report_what_fails_at_its_import() {
        // The module's failing annotations are found once and reported for every function
        // whose load imports it, each with its own name; the entry's own at-load findings stay
        // its own.
        expect![[r#"
            shared/app.py:2:15 AZF211 error annotation 'Missing': name 'Missing' is not defined (NameError) when the worker imports shared/app.py, so 'A' does not load
            shared/app.py:2:15 AZF211 error annotation 'Missing': name 'Missing' is not defined (NameError) when the worker imports shared/app.py, so 'B' does not load
            shared/app.py:3:12 AZF211 error annotation '"Later"': name 'Later' is not defined (NameError) when the worker reads the signature of b(), so 'B' does not load
        "#]]
        .assert_eq(&check(
            "AZF211",
            r#"
//- /A/function.json
{"scriptFile": "../shared/app.py", "entryPoint": "a", "bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /B/function.json
{"scriptFile": "../shared/app.py", "entryPoint": "b", "bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /shared/app.py
def a(req): pass
def helper(x: Missing): pass
def b(req: "Later"): pass
"#,
        ));
    }

    #[test]
    fn a_decorator_app_reports_each_helper_once_and_each_function_its_own_def() {
        // The helper's annotation fails the import once, whatever number of functions share the
        // module; each decorated function reports its own annotations; a decorated helper that is
        // not a function of the app is not checked.
        expect![[r#"
            function_app.py:3:19 AZF211 error annotation 'Missing': name 'Missing' is not defined (NameError) when the worker imports function_app.py, so no function of the app is indexed ("0 functions found")
            function_app.py:5:14 AZF211 error annotation 'Unknown': name 'Unknown' is not defined (NameError) when the worker imports function_app.py, so no function of the app is indexed ("0 functions found")
        "#]]
        .assert_eq(&super::super::test_support::check_script(
            "AZF211",
            r#"
def helper(value: Missing) -> int: return 1
@app.route(route="one")
def one(req: Unknown) -> func.HttpResponse: return func.HttpResponse("1")
@app.route(route="two")
def two(req: func.HttpRequest) -> func.HttpResponse: return func.HttpResponse("2")
@app.route(route="three")
def three(req: func.HttpRequest) -> func.HttpResponse: return func.HttpResponse("3")
"#,
        ));
    }
}