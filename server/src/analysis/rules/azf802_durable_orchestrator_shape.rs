//! AZF802: an orchestrator that is a coroutine, or a durable task that is never yielded.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::durable::TaskUse;
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF802",
    name: "durable-orchestrator-shape",
    severity: Severity::Warning,
    summary: "An orchestrator is `async def`, yields something that is not a task, or drops a task of the orchestration context",
    explanation: r#"The Durable library runs a Python orchestrator as a generator: each `yield` hands it a task
(`call_activity`, `call_sub_orchestrator`, `create_timer`, `wait_for_external_event`, `call_http`,
`call_entity`, `task_all`, `task_any`), and the library replays the generator against the
orchestration's history.

- An `async def` orchestrator returns a coroutine that the library never runs: the
  orchestration fails when its output (the coroutine) is serialised, and `await` on a task does
  not schedule it. Write `def` and `yield` each task.
- A task created as a statement of its own (`context.call_activity("Send", x)` without `yield`)
  is dropped: the activity never runs and nothing says so. `yield` it, or pass it to
  `context.task_all([...])` / `context.task_any([...])` and yield that.

```python
async def orchestrator(context):
    await context.call_activity("Send", 1)     # never scheduled
def orchestrator(context):
    context.call_activity("Send", 1)           # never scheduled
    yield context.call_activity("Send", 2)     # right
```

- `yield` of anything but a task (a list of tasks, a string, a number) fails the orchestration:
  gather several tasks with `yield context.task_all([...])`.

The app loads either way, hence a warning. A task assigned to a name, returned or passed to another
call is not reported: it may be yielded later.
"#,
    fix: FixAvailability::Unsafe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let (Some(text), Some((orch, file))) = (ctx.script_text, ctx.orchestrator()) else {
        return;
    };
    let f = orch.function;
    let Some(body) = orch.read.body(f) else {
        return;
    };
    if f.is_async {
        let awaited: Vec<(TextRange, bool)> = body
            .tasks
            .iter()
            .filter_map(|t| match t.usage {
                TaskUse::Awaited { range, bare } => Some((range, bare)),
                _ => None,
            })
            .collect();
        let mut d = ctx.diag(
            &META,
            file,
            f.name_range,
            format!(
                "orchestrator {}() is `async def`: the Durable library runs orchestrators as generators, so the coroutine never runs{} and the orchestration fails — write `def` and `yield` each task",
                f.name,
                if awaited.is_empty() {
                    String::new()
                } else {
                    format!(" (and `await` schedules none of its {} task(s))", awaited.len())
                }
            ),
        );
        let async_kw = text
            .get(f.def_offset..)
            .filter(|rest| rest.starts_with("async"))
            .and_then(|rest| rest.find("def"));
        if let (Some(def_at), 0) = (async_kw, body.other_awaits) {
            let mut edits = vec![FileEdit {
                file: file.to_string(),
                range: TextRange::new(f.def_offset, f.def_offset + def_at),
                new_text: String::new(),
            }];
            for (range, bare) in awaited {
                let start = range.start as usize;
                edits.push(FileEdit {
                    file: file.to_string(),
                    range: TextRange::new(start, start + "await".len()),
                    new_text: if bare { "yield" } else { "(yield" }.to_string(),
                });
                if !bare {
                    edits.push(FileEdit {
                        file: file.to_string(),
                        range: TextRange::new(range.end as usize, range.end as usize),
                        new_text: ")".to_string(),
                    });
                }
            }
            d = d.with_fix("Make it a generator: `def` and `yield`", edits);
        }
        out.push(d);
        return;
    }
    for y in &body.non_task_yields {
        let what = text
            .get(y.value.start as usize..y.value.end as usize)
            .unwrap_or("");
        let shown: String = what.chars().take(40).collect();
        let mut d = ctx.diag(
            &META,
            file,
            y.value,
            format!(
                "yield {shown}{}: an orchestrator may only yield tasks — the library fails the orchestration on anything else{}",
                if shown.len() < what.len() { "…" } else { "" },
                if y.is_list {
                    format!("; yield {}.task_all([...]) to wait for several tasks", orch.context)
                } else {
                    String::new()
                }
            ),
        );
        if y.is_list {
            d = d.with_fix(
                format!("Wait for all: {}.task_all(...)", orch.context),
                vec![
                    FileEdit {
                        file: file.to_string(),
                        range: TextRange::new(y.value.start as usize, y.value.start as usize),
                        new_text: format!("{}.task_all(", orch.context),
                    },
                    FileEdit {
                        file: file.to_string(),
                        range: TextRange::new(y.value.end as usize, y.value.end as usize),
                        new_text: ")".to_string(),
                    },
                ],
            );
        }
        out.push(d);
    }
    for t in body.tasks.iter().filter(|t| t.usage == TaskUse::Discarded) {
        out.push(
            ctx.diag(
                &META,
                file,
                t.range,
                format!(
                    "{}.{}(...) creates a task that is neither yielded nor passed to task_all/task_any: it is never scheduled",
                    orch.context, t.method
                ),
            )
            .with_fix(
                "Yield the task",
                vec![FileEdit {
                    file: file.to_string(),
                    range: TextRange::new(t.range.start as usize, t.range.start as usize),
                    new_text: "yield ".to_string(),
                }],
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_fix};
    use expect_test::expect;

    const V1: &str = r#"
//- /Orch/function.json
{"bindings": [{"name": "context", "type": "orchestrationTrigger", "direction": "in"}]}
//- /Orch/__init__.py
import azure.durable_functions as df

def orchestrator_function(context: df.DurableOrchestrationContext):
    context.call_activity("Hello", "Tokyo")
    (context.create_timer(context.current_utc_datetime))
    first = yield context.call_activity("Hello", "Seattle")
    pending = context.call_activity("Hello", "London")
    tasks = [context.call_activity("Hello", c) for c in ["a", "b"]]
    rest = yield context.task_all(tasks + [pending])
    both = yield [context.call_activity("Hello", "x"), context.call_activity("Hello", "y")]
    yield "done"
    yield from sub_generator(context)
    def local_generator():
        yield [1, 2]
    context.set_custom_status("done")
    context.signal_entity(df.EntityId("Counter", "c"), "add", 1)
    return [first, rest]

main = df.Orchestrator.create(orchestrator_function)

def sub_generator(context):
    yield context.call_activity("Hello", "z")
//- /Hello/function.json
{"bindings": [{"name": "city", "type": "activityTrigger", "direction": "in"}]}
//- /Hello/__init__.py
def main(city: str) -> str:
    return city
"#;

    #[test]
    fn v1_dropped_tasks() {
        expect![[r#"
            Orch/__init__.py:4:5 AZF802 warning context.call_activity(...) creates a task that is neither yielded nor passed to task_all/task_any: it is never scheduled
              fix: Yield the task
            Orch/__init__.py:5:6 AZF802 warning context.create_timer(...) creates a task that is neither yielded nor passed to task_all/task_any: it is never scheduled
              fix: Yield the task
            Orch/__init__.py:10:18 AZF802 warning yield [context.call_activity("Hello", "x"), co…: an orchestrator may only yield tasks — the library fails the orchestration on anything else; yield context.task_all([...]) to wait for several tasks
              fix: Wait for all: context.task_all(...)
            Orch/__init__.py:11:11 AZF802 warning yield "done": an orchestrator may only yield tasks — the library fails the orchestration on anything else
        "#]]
        .assert_eq(&check("AZF802", V1));
    }

    const V2: &str = r#"
//- /function_app.py
import azure.durable_functions as df
app = df.DFApp()

@app.orchestration_trigger(context_name="context")
async def coroutine_orchestrator(context):
    x = await context.call_activity("hello", "Tokyo")
    return await context.call_activity("hello", x)

@app.orchestration_trigger(context_name="context")
def generator_orchestrator(ctx: df.DurableOrchestrationContext):
    ctx.call_activity("hello", "Tokyo")
    result = yield ctx.call_activity("hello", "Seattle")
    return result

@app.orchestration_trigger(context_name="context")
def plain_orchestrator(context):
    return "no task at all"

@app.activity_trigger(input_name="city")
async def hello(city: str):
    helper = some_client()
    await helper.call_activity("not durable")
    return city
"#;

    #[test]
    fn v2_coroutines_and_dropped_tasks() {
        expect![[r#"
            function_app.py:5:11 AZF802 warning orchestrator coroutine_orchestrator() is `async def`: the Durable library runs orchestrators as generators, so the coroutine never runs (and `await` schedules none of its 2 task(s)) and the orchestration fails — write `def` and `yield` each task
              fix: Make it a generator: `def` and `yield`
            function_app.py:11:5 AZF802 warning ctx.call_activity(...) creates a task that is neither yielded nor passed to task_all/task_any: it is never scheduled
              fix: Yield the task
        "#]]
        .assert_eq(&check("AZF802", V2));
    }

    #[test]
    fn valid_orchestrators_are_silent() {
        let fixed_v1 = V1
            .replace("    context.call_activity(\"Hello\", \"Tokyo\")", "    yield context.call_activity(\"Hello\", \"Tokyo\")")
            .replace("    (context.create_timer(", "    (yield context.create_timer(")
            .replace("yield [context", "yield context.task_all([context")
            .replace("\"y\")]", "\"y\")])")
            .replace("    yield \"done\"\n", "");
        expect![[""]].assert_eq(&check("AZF802", &fixed_v1));
    }

    #[test]
    fn fixes() {
        expect![[r#"
            Make it a generator: `def` and `yield` [preferred]
            --- function_app.py
            import azure.durable_functions as df
            app = df.DFApp()

            @app.orchestration_trigger(context_name="context")
            def coroutine_orchestrator(context):
                x = yield context.call_activity("hello", "Tokyo")
                return (yield context.call_activity("hello", x))

            @app.orchestration_trigger(context_name="context")
            def generator_orchestrator(ctx: df.DurableOrchestrationContext):
                ctx.call_activity("hello", "Tokyo")
                result = yield ctx.call_activity("hello", "Seattle")
                return result

            @app.orchestration_trigger(context_name="context")
            def plain_orchestrator(context):
                return "no task at all"

            @app.activity_trigger(input_name="city")
            async def hello(city: str):
                helper = some_client()
                await helper.call_activity("not durable")
                return city
        "#]]
        .assert_eq(&check_fix(V2, "AZF802", "Make it a generator"));
        expect![[r#"
            Yield the task [preferred]
            --- Orch/__init__.py
            import azure.durable_functions as df

            def orchestrator_function(context: df.DurableOrchestrationContext):
                yield context.call_activity("Hello", "Tokyo")
                (context.create_timer(context.current_utc_datetime))
                first = yield context.call_activity("Hello", "Seattle")
                pending = context.call_activity("Hello", "London")
                tasks = [context.call_activity("Hello", c) for c in ["a", "b"]]
                rest = yield context.task_all(tasks + [pending])
                both = yield [context.call_activity("Hello", "x"), context.call_activity("Hello", "y")]
                yield "done"
                yield from sub_generator(context)
                def local_generator():
                    yield [1, 2]
                context.set_custom_status("done")
                context.signal_entity(df.EntityId("Counter", "c"), "add", 1)
                return [first, rest]

            main = df.Orchestrator.create(orchestrator_function)

            def sub_generator(context):
                yield context.call_activity("Hello", "z")
        "#]]
        .assert_eq(&check_fix(V1, "AZF802", "Yield the task"));
        expect![[r#"
            Wait for all: context.task_all(...) [preferred]
            --- Orch/__init__.py
            import azure.durable_functions as df

            def orchestrator_function(context: df.DurableOrchestrationContext):
                first = yield context.call_activity("Hello", "Seattle")
                pending = context.call_activity("Hello", "London")
                tasks = [context.call_activity("Hello", c) for c in ["a", "b"]]
                rest = yield context.task_all(tasks + [pending])
                both = yield context.task_all([context.call_activity("Hello", "x"), context.call_activity("Hello", "y")])
                yield "done"
                yield from sub_generator(context)
                def local_generator():
                    yield [1, 2]
                context.set_custom_status("done")
                context.signal_entity(df.EntityId("Counter", "c"), "add", 1)
                return [first, rest]

            main = df.Orchestrator.create(orchestrator_function)

            def sub_generator(context):
                yield context.call_activity("Hello", "z")
        "#]]
        .assert_eq(&check_fix(
            &V1.replace("    context.call_activity(\"Hello\", \"Tokyo\")\n", "")
                .replace("    (context.create_timer(context.current_utc_datetime))\n", ""),
            "AZF802",
            "Wait for all",
        ));
    }
}
