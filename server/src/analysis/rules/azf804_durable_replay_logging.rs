//! AZF804: an orchestrator logs without checking `is_replaying`, so each replay logs again.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF804",
    name: "durable-replay-logging",
    severity: Severity::Information,
    summary: "An orchestrator logs with `logging` outside `if not context.is_replaying:`",
    explanation: r#"An orchestrator runs again from the start each time one of its tasks completes, so a log line
in its body is written once per replay: an orchestration of ten activities logs its first line
eleven times. Nothing fails; the logs are only misleading. Log when the orchestrator is not
replaying:

```python
def orchestrator(context):
    if not context.is_replaying:
        logging.info("starting %s", context.instance_id)
    result = yield context.call_activity("Work", 1)
```

Only calls of the `logging` module in the orchestrator's own body are reported; a call inside an
`if` whose condition reads `is_replaying` is not. The fix puts the call under
`if not context.is_replaying:`.
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
    for call in &body.calls {
        let Some(level) = call.qualified.strip_prefix("logging.") else {
            continue;
        };
        if call.replay_guarded
            || !matches!(
                level,
                "debug" | "info" | "warning" | "warn" | "error" | "exception" | "critical" | "log"
            )
        {
            continue;
        }
        let mut d = ctx.diag(
            &META,
            file,
            call.range,
            format!(
                "{}() in orchestrator {}() logs again on every replay — log under `if not {}.is_replaying:`",
                call.qualified, f.name, orch.context
            ),
        );
        // A statement alone on its line: it moves under the condition, one level deeper.
        let start = call.range.start as usize;
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent = &text[line_start..start];
        if call.statement && indent.chars().all(|c| c == ' ' || c == '\t') {
            d = d.with_fix(
                format!("Log only when not replaying (if not {}.is_replaying)", orch.context),
                vec![FileEdit {
                    file: file.to_string(),
                    range: TextRange::new(start, start),
                    new_text: format!("if not {}.is_replaying:\n{indent}    ", orch.context),
                }],
            );
        }
        out.push(d);
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
import logging
import azure.durable_functions as df

def orchestrator_function(context: df.DurableOrchestrationContext):
    logging.info("starting")
    if not context.is_replaying:
        logging.info("first run only")
    result = yield context.call_activity("Hello", "Tokyo")
    return result

main = df.Orchestrator.create(orchestrator_function)
//- /Hello/function.json
{"bindings": [{"name": "city", "type": "activityTrigger", "direction": "in"}]}
//- /Hello/__init__.py
import logging
def main(city: str) -> str:
    logging.info(city)
    return city
"#;

    const V2: &str = r#"
//- /function_app.py
import logging
import azure.durable_functions as df
app = df.DFApp()

@app.orchestration_trigger(context_name="context")
def orchestrator(context):
    logging.warning("status %s", context.instance_id)
    yield context.call_activity("hello", "Tokyo")

@app.orchestration_trigger(context_name="context")
def quiet(context):
    if context.is_replaying:
        pass
    else:
        logging.warning("first run only")
    yield context.call_activity("hello", "Tokyo")

@app.activity_trigger(input_name="city")
def hello(city: str):
    logging.info(city)
    return city
"#;

    #[test]
    fn logging_in_orchestrators_only() {
        expect![[r#"
            Orch/__init__.py:5:5 AZF804 information logging.info() in orchestrator orchestrator_function() logs again on every replay — log under `if not context.is_replaying:`
              fix: Log only when not replaying (if not context.is_replaying)
        "#]]
        .assert_eq(&check("AZF804", V1));
        expect![[r#"
            function_app.py:7:5 AZF804 information logging.warning() in orchestrator orchestrator() logs again on every replay — log under `if not context.is_replaying:`
              fix: Log only when not replaying (if not context.is_replaying)
        "#]]
        .assert_eq(&check("AZF804", V2));
    }

    #[test]
    fn fix_puts_the_call_under_the_condition() {
        expect![[r#"
            Log only when not replaying (if not context.is_replaying) [preferred]
            --- function_app.py
            import logging
            import azure.durable_functions as df
            app = df.DFApp()

            @app.orchestration_trigger(context_name="context")
            def orchestrator(context):
                if not context.is_replaying:
                    logging.warning("status %s", context.instance_id)
                yield context.call_activity("hello", "Tokyo")

            @app.orchestration_trigger(context_name="context")
            def quiet(context):
                if context.is_replaying:
                    pass
                else:
                    logging.warning("first run only")
                yield context.call_activity("hello", "Tokyo")

            @app.activity_trigger(input_name="city")
            def hello(city: str):
                logging.info(city)
                return city
        "#]]
        .assert_eq(&check_fix(V2, "AZF804", "Log only when not replaying"));
    }
}
