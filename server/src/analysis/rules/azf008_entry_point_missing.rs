//! AZF008: the entry point is not defined in the script, or cannot be called.

use super::context::{did_you_mean_hint, FunctionCtx};
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::did_you_mean;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function::Entry;
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF008",
    name: "entry-point-missing",
    severity: Severity::Error,
    summary: "The entry point (`main` or `entryPoint`) is not a function or class of the script",
    explanation: r#"The worker calls `main` (or the name in `entryPoint`) from the script. When the module has no
such callable, the function does not load ("function main() is not present").

```python
def run(req):          # function.json has no "entryPoint", so the worker looks for main()
    ...
```

Rename the function to `main`, or add `"entryPoint": "run"` to function.json.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let (Some(entry), Some(module)) = (ctx.entry(), ctx.module) else {
        return;
    };
    if !module.syntax_errors.is_empty() {
        return; // the import fails first (AZF009)
    }
    let name = &ctx.entry_name;
    let declared = ctx.unit.json.entry_point.as_ref();
    let message = match entry {
        Entry::Missing => {
            let functions = module
                .names
                .iter()
                .filter(|(_, defs)| {
                    defs.iter().any(|d| {
                        matches!(
                            d.kind,
                            crate::analysis::python::NameKind::Function(_)
                                | crate::analysis::python::NameKind::Class(_)
                        )
                    })
                })
                .map(|(n, _)| n.as_str());
            let hint = did_you_mean_hint(did_you_mean(name, functions));
            format!(
                "function {name}() is not present in {}, so {}{hint}",
                ctx.script_display(),
                ctx.load_failure()
            )
        }
        Entry::NotCallable { what, .. } => format!(
            "the entry point '{name}' in {} is {what}, not a function or class, so {}",
            ctx.script_display(),
            ctx.load_failure()
        ),
        Entry::Instance { class, .. } => format!(
            "the entry point '{name}' is an instance of '{class}', not a function or class: the worker fails with TypeError, so {}",
            ctx.load_failure()
        ),
        _ => return,
    };
    let mut d = match (declared, entry) {
        (Some(e), _) => ctx.declaration_diag(&META, e.range, message),
        (None, Entry::NotCallable { offset, .. } | Entry::Instance { offset, .. }) => {
            match ctx.script_diag(&META, TextRange::new(offset, offset + name.len()), message) {
                Some(d) => d,
                None => return,
            }
        }
        (None, _) => match ctx.script_diag(&META, TextRange::empty(0), message) {
            Some(d) => d,
            None => return,
        },
    };
    if declared.is_some() {
        if let Some(script) = ctx.script_path {
            d = d.with_related(script, TextRange::empty(0), "the script");
        }
    }
    out.push(d);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    const TIMER: &str =
        r#"{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}"#;

    #[test]
    fn missing_and_not_callable() {
        let fixture = format!(
            "//- /Missing/function.json\n{TIMER}\n//- /Missing/__init__.py\ndef mian(t): pass\n\
             //- /Str/function.json\n{{\"entryPoint\": \"handler\", \"bindings\": [{{\"type\": \"timerTrigger\", \"name\": \"t\", \"schedule\": \"0 * * * * *\"}}]}}\n//- /Str/__init__.py\nhandler = 'x'\n\
             //- /Instance/function.json\n{TIMER}\n//- /Instance/__init__.py\nclass H:\n    def __call__(self, t): pass\nmain = H()\n\
             //- /Class/function.json\n{TIMER}\n//- /Class/__init__.py\nclass main:\n    def __init__(self, t): pass\n\
             //- /Imported/function.json\n{TIMER}\n//- /Imported/__init__.py\nfrom .impl import main\n//- /Imported/impl.py\ndef main(t): pass\n\
             //- /Async/function.json\n{TIMER}\n//- /Async/__init__.py\nasync def main(t): pass\n"
        );
        expect![[r#"
            Instance/__init__.py:3:1 AZF008 error the entry point 'main' is an instance of 'H', not a function or class: the worker fails with TypeError, so 'Instance' does not load
            Missing/__init__.py:1:1 AZF008 error function main() is not present in Missing/__init__.py, so 'Missing' does not load — did you mean 'mian'?
            Str/function.json:1:16 AZF008 error the entry point 'handler' in Str/__init__.py is a string, not a function or class, so 'Str' does not load
              related Str/__init__.py:1:1: the script
        "#]]
        .assert_eq(&check("AZF008", &fixture));
    }
}
