//! AZF211: an annotation names something that does not exist when the worker evaluates it.

use super::context::{did_you_mean_hint, FunctionCtx};
use super::{FixAvailability, RuleMeta};
use crate::analysis::annotations::{self, EvalSite, Resolved};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function::Entry;
use crate::analysis::python::{Annotation, ExprKind, NameKind, PyFunction, PyModule};

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

fn problem(resolved: &Resolved) -> Option<String> {
    match resolved {
        Resolved::Undefined(name) => Some(format!("name '{name}' is not defined (NameError)")),
        Resolved::MissingAttribute {
            module,
            attr,
            suggestion,
        } => Some(format!(
            "module '{module}' has no attribute '{attr}' (AttributeError){}",
            did_you_mean_hint(suggestion.as_ref())
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

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let (Some(module), Some(script)) = (ctx.module, ctx.script_path) else {
        return;
    };
    if !module.syntax_errors.is_empty() {
        return;
    }
    let mut reported = std::collections::HashSet::new();
    // Reports the annotations of `f` that fail when evaluated: at import (`deferred` false), where
    // string annotations stay strings, or by `get_type_hints` (`deferred` true), which evaluates
    // them too. `when` says when the failure happens.
    let mut report_unresolved = |f: &PyFunction, deferred: bool, when: &dyn Fn() -> String| {
        let site = EvalSite {
            def_offset: f.def_offset,
            deferred,
        };
        for ann in annotations_of(f) {
            if !deferred && matches!(ann.expr.kind, ExprKind::Str(_)) {
                continue;
            }
            let Some(why) = problem(&annotations::resolve(&ann.expr, module, site)) else {
                continue;
            };
            if reported.insert(ann.range) {
                out.push(ctx.diag(
                    &META,
                    script,
                    ann.range,
                    format!("annotation '{}': {why} {}", ann.text, when()),
                ));
            }
        }
    };
    // At import: every unconditional top-level def evaluates its non-string annotations, unless
    // the module defers them with `from __future__ import annotations`.
    if !module.future_annotations {
        // In a v2 app the module holds many functions: each one checks its own `def`, and the
        // undecorated helpers are checked by every function (the diagnostics are the same).
        let own = ctx.unit.decorated().map(|v| v.def_offset);
        let mine = |f: &&PyFunction| match own {
            None => true,
            Some(offset) => f.decorators.is_empty() || Some(f.def_offset) == offset,
        };
        let when = || format!("when the worker imports {script}, so {}", ctx.load_failure());
        for f in top_level_functions(module).filter(mine) {
            report_unresolved(f, false, &when);
        }
    }
    // At load: `get_type_hints(main)` evaluates every annotation of the entry function.
    if let Some(Entry::Function(f)) = ctx.entry() {
        let when = || {
            format!(
                "when the worker reads the signature of {}(), so {}",
                f.name,
                ctx.load_failure()
            )
        };
        report_unresolved(f, true, &when);
    }
}

fn top_level_functions(module: &PyModule) -> impl Iterator<Item = &PyFunction> {
    module
        .names
        .values()
        .flatten()
        .filter_map(move |d| match d.kind {
            NameKind::Function(i) if !d.conditional && !d.type_checking_only => {
                Some(&module.functions[i])
            }
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn unresolved_names() {
        expect![[r#"
            Attr/__init__.py:2:15 AZF211 error annotation 'func.HttpRequets': module 'azure.functions' has no attribute 'HttpRequets' (AttributeError) — did you mean 'HttpRequest'? when the worker imports Attr/__init__.py, so 'Attr' does not load
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
}
