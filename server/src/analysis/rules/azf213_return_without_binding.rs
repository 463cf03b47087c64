//! AZF213: the entry function returns a value but nothing binds it.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::annotations;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function::Entry;

pub const META: RuleMeta = RuleMeta {
    code: "AZF213",
    name: "return-without-binding",
    severity: Severity::Warning,
    summary:
        "The entry function returns a value, but function.json has no `$return` binding to take it",
    explanation: r#"A returned value goes to the `$return` binding. Without one (and without a binding type that
takes the return value implicitly, such as durable triggers), every invocation that returns a
value fails with "function without a $return binding returned a non-None value".

```python
def main(msg: func.QueueMessage):
    return "done"
```

Remove the value, or add a `$return` output binding.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let (Some(Entry::Function(f)), Some(_)) = (ctx.entry(), ctx.signature()) else {
        return;
    };
    if f.is_generator || f.value_returns.is_empty() || ctx.bindings_by_name.contains_key("$return")
    {
        return;
    }
    let implicit = ctx
        .unit
        .bindings()
        .iter()
        .filter_map(|b| b.type_str())
        .any(annotations::has_implicit_output);
    if implicit {
        return;
    }
    if let Some(d) = ctx.script_diag(
        &META,
        f.value_returns[0],
        format!(
            "{}() returns a value, but {}: the invocation fails",
            f.name,
            match ctx.unit.decorated() {
                Some(_) => "no decorator declares a '$return' binding",
                None => "function.json has no '$return' binding",
            }
        ),
    ) {
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn returns() {
        expect![[r#"
            F/__init__.py:3:9 AZF213 warning main() returns a value, but function.json has no '$return' binding: the invocation fails
        "#]]
        .assert_eq(&check(
            "AZF213",
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}]}
//- /F/__init__.py
def main(msg):
    if msg:
        return "done"
    return None
//- /Durable/function.json
{"bindings": [{"type": "activityTrigger", "name": "name"}]}
//- /Durable/__init__.py
def main(name):
    return f"Hello {name}"
"#,
        ));
    }
}
