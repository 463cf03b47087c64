//! AZF808: a value that JSON cannot carry is passed to an activity or sub-orchestrator, or
//! returned by an activity.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::app::FileContent;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::durable::{self, DurableKind};
use crate::analysis::python::fields::FIELDS;
use crate::analysis::python::{node_text, range_of};

pub const META: RuleMeta = RuleMeta {
    code: "AZF808",
    name: "durable-unserialisable-value",
    severity: Severity::Information,
    summary: "A value JSON cannot carry is passed to an activity or returned by one",
    explanation: r#"Inputs and results of activities and sub-orchestrations travel through the task hub as JSON:
the library writes them with `json.dumps`, which accepts dicts, lists, strings, numbers, booleans,
`None` and objects with a `to_json` class method. A set, a lambda, a generator, an open file or an
instance of a class without `to_json` raises `TypeError` when the call is scheduled or the result
returned, and the orchestration fails.

```python
tags = yield context.call_activity("tag", sorted({"a", "b"}))   # a list, not a set
```

Only values whose kind is certain where they are written are reported: a set display or
comprehension, `set(...)`, `frozenset(...)`, a lambda, a generator expression or a call of a
generator function of the module, `open(...)`, and a call of a class of the module that has no
base class and no `to_json`. It reads the input of `call_activity[_with_retry]` and
`call_sub_orchestrator[_with_retry]` in an orchestrator and the `return` values of an activity.
"#,
    fix: FixAvailability::None,
};

/// The calls that carry an input, with the input's position and keyword.
const INPUT_OF: &[(&str, usize)] = &[
    ("call_activity", 1),
    ("call_activity_with_retry", 2),
    ("call_sub_orchestrator", 1),
    ("call_sub_orchestrator_with_retry", 2),
];

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    match durable::kind_of(ctx.unit) {
        Some(DurableKind::Orchestrator) => orchestrator_inputs(ctx, out),
        Some(DurableKind::Activity) => activity_returns(ctx, out),
        _ => {}
    }
}

fn orchestrator_inputs(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let (Some(text), Some(module), Some((orch, file))) =
        (ctx.script_text, ctx.module, ctx.orchestrator())
    else {
        return;
    };
    let Some(def) = durable::def_node(&orch.read.tree, orch.function) else {
        return;
    };
    for n in durable::descendants(def) {
        if n.kind() != "call" {
            continue;
        }
        let Some(callee) = n
            .child_by_field_id(FIELDS.function)
            .filter(|f| f.kind() == "attribute")
        else {
            continue;
        };
        let on_context = callee
            .child_by_field_id(FIELDS.object)
            .is_some_and(|o| o.kind() == "identifier" && node_text(o, text) == orch.context);
        let method = callee
            .child_by_field_id(FIELDS.attribute)
            .map_or("", |m| node_text(m, text));
        let Some(&(_, position)) = INPUT_OF.iter().find(|(m, _)| *m == method) else {
            continue;
        };
        if !on_context {
            continue;
        }
        let Some(input) = durable::call_argument(n, position, "input_", text) else {
            continue;
        };
        if let Some(what) = durable::unserialisable(input, text, module) {
            out.push(ctx.diag(
                &META,
                file,
                range_of(input),
                format!(
                    "The input of '{method}' is {what}, which JSON cannot carry, so scheduling the call raises TypeError and fails the orchestration — pass a list, dict or other JSON value"
                ),
            ));
        }
    }
}

fn activity_returns(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let (Some(module), Some(file)) = (ctx.module, ctx.script_path) else {
        return;
    };
    let Some(function) = durable::entry_def(ctx.unit, module, &ctx.entry_name) else {
        return;
    };
    if function.value_returns.is_empty() || !module.syntax_errors.is_empty() {
        return;
    }
    let Some(FileContent::Text(source)) = ctx.app.content(file) else {
        return;
    };
    // Most activities return a name or a string: parse the module only when a returned value
    // could be one of the reported kinds.
    let maybe = function.value_returns.iter().any(|r| {
        let value = source
            .get(r.start as usize..r.end as usize)
            .unwrap_or("")
            .trim_start_matches("return")
            .trim_start();
        value.starts_with(['{', '(']) || value.starts_with("lambda") || {
            let head = value
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("");
            !head.is_empty() && value[head.len()..].starts_with('(')
        }
    });
    if !maybe {
        return;
    }
    let Some(read) = durable::module_bodies(module, source) else {
        return;
    };
    let text: &str = source;
    for r in &function.value_returns {
        let Some(statement) = read
            .tree
            .root_node()
            .descendant_for_byte_range(r.start as usize, r.end as usize)
        else {
            continue;
        };
        let statement = if statement.kind() == "return_statement" {
            statement
        } else {
            match statement.parent().filter(|p| p.kind() == "return_statement") {
                Some(p) => p,
                None => continue,
            }
        };
        let Some(value) = statement.named_child(0) else {
            continue;
        };
        if let Some(what) = durable::unserialisable(value, text, module) {
            out.push(ctx.diag(
                &META,
                file,
                range_of(value),
                format!(
                    "Activity '{}' returns {what}, which JSON cannot carry, so the activity fails with TypeError after it ran — return a list, dict or other JSON value",
                    ctx.name()
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    const V1: &str = r#"
//- /Orch/function.json
{"bindings": [{"name": "context", "type": "orchestrationTrigger", "direction": "in"}]}
//- /Orch/__init__.py
import azure.durable_functions as df

class Point:
    def __init__(self, x):
        self.x = x

class Tagged:
    @staticmethod
    def to_json(obj):
        return "{}"

def orchestrator_function(context):
    a = yield context.call_activity("Hello", {"x", "y"})
    b = yield context.call_activity("Hello", input_=Point(1))
    c = yield context.call_activity("Hello", ["x", "y"])
    d = yield context.call_activity("Hello", Tagged())
    e = yield context.call_activity_with_retry("Hello", df.RetryOptions(5000, 3), (n for n in a))
    return [a, b, c, d, e]

main = df.Orchestrator.create(orchestrator_function)
//- /Hello/function.json
{"bindings": [{"name": "city", "type": "activityTrigger", "direction": "in"}]}
//- /Hello/__init__.py
def main(city: str):
    if city:
        return set(city)
    return sorted(set(city))
"#;

    const V2: &str = r#"
//- /function_app.py
import azure.functions as func
import azure.durable_functions as df
app = df.DFApp()

@app.orchestration_trigger(context_name="context")
def orch(context):
    x = yield context.call_sub_orchestrator("sub", lambda: 1)
    y = yield context.call_activity("hello", {"k": [1, 2]})
    return x, y

@app.orchestration_trigger(context_name="context")
def sub(context):
    return context.get_input()

@app.activity_trigger(input_name="city")
def hello(city: str):
    return open(city)

@app.activity_trigger(input_name="city")
def fine(city: str):
    return {"city": city, "tags": list({city})}
"#;

    #[test]
    fn literal_values_json_cannot_carry() {
        expect![[r#"
            Hello/__init__.py:3:16 AZF808 information Activity 'Hello' returns a set, which JSON cannot carry, so the activity fails with TypeError after it ran — return a list, dict or other JSON value
            Orch/__init__.py:13:46 AZF808 information The input of 'call_activity' is a set, which JSON cannot carry, so scheduling the call raises TypeError and fails the orchestration — pass a list, dict or other JSON value
            Orch/__init__.py:14:53 AZF808 information The input of 'call_activity' is an instance of class 'Point', which has no 'to_json', which JSON cannot carry, so scheduling the call raises TypeError and fails the orchestration — pass a list, dict or other JSON value
            Orch/__init__.py:17:83 AZF808 information The input of 'call_activity_with_retry' is a generator, which JSON cannot carry, so scheduling the call raises TypeError and fails the orchestration — pass a list, dict or other JSON value
        "#]]
        .assert_eq(&check("AZF808", V1));
        expect![[r#"
            function_app.py:7:52 AZF808 information The input of 'call_sub_orchestrator' is a lambda, which JSON cannot carry, so scheduling the call raises TypeError and fails the orchestration — pass a list, dict or other JSON value
            function_app.py:17:12 AZF808 information Activity 'hello' returns an open file, which JSON cannot carry, so the activity fails with TypeError after it ran — return a list, dict or other JSON value
        "#]]
        .assert_eq(&check("AZF808", V2));
    }
}
