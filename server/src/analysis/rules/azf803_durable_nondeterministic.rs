//! AZF803: code in an orchestrator that gives another result when the orchestration replays.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::durable::{self, CallSite};

pub const META: RuleMeta = RuleMeta {
    code: "AZF803",
    name: "durable-nondeterministic",
    severity: Severity::Warning,
    summary: "An orchestrator reads the clock, random numbers or the environment, sleeps, does I/O or starts threads",
    explanation: r#"An orchestrator runs again from the start each time one of its tasks completes, and the
Durable library replays the earlier tasks from the orchestration's history: its code must take the
same path every time. What differs between runs breaks the replay ("non-deterministic workflow
detected") or makes the orchestration do things twice:

| in an orchestrator | instead |
|---|---|
| `datetime.now()`, `utcnow()`, `today()`, `date.today()`, `time.time()` | `context.current_utc_datetime` |
| `random`, `secrets`, `uuid.uuid1()`, `uuid.uuid4()`, `os.urandom` | `context.new_guid()` / `context.new_uuid()`, or an activity |
| `time.sleep`, `asyncio.sleep` | `yield context.create_timer(context.current_utc_datetime + timedelta(...))` |
| `requests`, `httpx`, `urllib`, `aiohttp`, `socket`, `open`, Azure SDK clients | an activity (or `context.call_http`) |
| `os.environ`, `os.getenv` | an activity, or the orchestration's input |
| `threading`, `concurrent.futures`, `multiprocessing`, `subprocess`, `asyncio` tasks | an activity; `context.task_all` for parallel work |

```python
def orchestrator(context):
    deadline = datetime.utcnow() + timedelta(hours=1)    # differs on every replay
    deadline = context.current_utc_datetime + timedelta(hours=1)
```

The app loads and the first run may well work, hence a warning. The orchestrator's body is read
(nested functions and lambdas included), and so are the functions of the same module that it
calls, recursively; only names imported from these modules count. Calls under an `if` that reads
`context.is_replaying` run once, not on replay, and are not reported. The fixes rewrite a call with no
arguments, in the orchestrator itself, to its replay-safe counterpart.
"#,
    fix: FixAvailability::Unsafe,
};

/// Why a call or read is not replay-safe.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Hazard {
    Clock,
    Random,
    Sleep,
    Io,
    Environment,
    Concurrency,
}

impl Hazard {
    fn advice(self, context: &str) -> String {
        match self {
            Hazard::Clock => format!("the time differs on each replay — use {context}.current_utc_datetime"),
            Hazard::Random => format!("the value differs on each replay — use {context}.new_guid() / {context}.new_uuid(), or compute it in an activity"),
            Hazard::Sleep => format!("it blocks the orchestrator on each replay — yield {context}.create_timer(...) instead"),
            Hazard::Io => "I/O runs again on each replay and its result may differ — move it to an activity".into(),
            Hazard::Environment => "settings read in an orchestrator may differ on replay — read them in an activity or pass them as input".into(),
            Hazard::Concurrency => format!("threads and tasks escape the replay — move the work to activities ({context}.task_all runs them in parallel)"),
        }
    }
}

fn hazard(qualified: &str) -> Option<Hazard> {
    let starts = |prefix: &str| {
        qualified == prefix.trim_end_matches('.') || qualified.starts_with(prefix)
    };
    match qualified {
        "datetime.datetime.now"
        | "datetime.datetime.utcnow"
        | "datetime.datetime.today"
        | "datetime.date.today"
        | "time.time"
        | "time.time_ns"
        | "time.monotonic"
        | "time.perf_counter" => return Some(Hazard::Clock),
        "uuid.uuid1" | "uuid.uuid4" | "os.urandom" => return Some(Hazard::Random),
        // A generator with a seed is deterministic.
        "random.Random" | "random.seed" => return None,
        "time.sleep" | "asyncio.sleep" => return Some(Hazard::Sleep),
        "builtins.open" | "io.open" => return Some(Hazard::Io),
        "os.getenv" | "os.putenv" => return Some(Hazard::Environment),
        "asyncio.create_task" | "asyncio.ensure_future" | "asyncio.gather" | "asyncio.run" => {
            return Some(Hazard::Concurrency)
        }
        _ => {}
    }
    if starts("random.") || starts("secrets.") {
        return Some(Hazard::Random);
    }
    if ["requests.", "httpx.", "urllib.request.", "urllib3.", "aiohttp.", "http.client.", "socket."]
        .iter()
        .any(|p| starts(p))
    {
        return Some(Hazard::Io);
    }
    // Azure SDK clients, but not the Functions and Durable libraries themselves.
    if starts("azure.")
        && !starts("azure.functions.")
        && !starts("azure.durable_functions.")
        && qualified != "azure.functions"
    {
        return Some(Hazard::Io);
    }
    if ["threading.", "concurrent.futures.", "multiprocessing.", "subprocess."]
        .iter()
        .any(|p| starts(p))
    {
        return Some(Hazard::Concurrency);
    }
    None
}

/// The replay-safe expression for a call without arguments, when there is one.
fn replacement(qualified: &str, context: &str) -> Option<String> {
    Some(match qualified {
        "datetime.datetime.now" | "datetime.datetime.utcnow" | "datetime.datetime.today" => {
            format!("{context}.current_utc_datetime")
        }
        "datetime.date.today" => format!("{context}.current_utc_datetime.date()"),
        "time.time" => format!("{context}.current_utc_datetime.timestamp()"),
        "uuid.uuid1" | "uuid.uuid4" => format!("{context}.new_guid()"),
        _ => return None,
    })
}

/// Helpers followed from one orchestrator, at most.
const MAX_HELPERS: usize = 64;

/// Reports the hazards of `body`, the code of `function` (a helper called by `orchestrator`, or
/// the orchestrator itself when `None`); fixes only in the orchestrator, where `context` is known.
fn report(
    ctx: &FunctionCtx,
    file: &str,
    body: &durable::OrchestratorBody,
    function: &str,
    orchestrator: Option<&str>,
    context: &str,
    found: &mut Vec<Diagnostic>,
) {
    let place = match orchestrator {
        None => format!("orchestrator {function}()"),
        Some(o) => format!("{function}() (called by orchestrator {o}())"),
    };
    for CallSite {
        qualified,
        range,
        no_arguments,
        replay_guarded,
        ..
    } in &body.calls
    {
        // Code under `if not context.is_replaying:` runs once, not on replays (logging there
        // is what the guard is for).
        if *replay_guarded {
            continue;
        }
        // `os.environ.get(...)` is reported once, as a read of `os.environ`.
        if qualified.starts_with("os.environ") {
            continue;
        }
        let Some(h) = hazard(qualified) else { continue };
        let mut d = ctx.diag(
            &META,
            file,
            *range,
            format!(
                "{}() in {place}: {}",
                qualified.strip_prefix("builtins.").unwrap_or(qualified),
                h.advice(context)
            ),
        );
        let new_text = replacement(qualified, context).filter(|_| *no_arguments);
        if let (Some(new_text), None) = (new_text, orchestrator) {
            d = d.with_fix(
                format!("Use {new_text}"),
                vec![FileEdit {
                    file: file.to_string(),
                    range: *range,
                    new_text,
                }],
            );
        }
        found.push(d);
    }
    for (qualified, range) in &body.attributes {
        if qualified == "os.environ" {
            found.push(ctx.diag(
                &META,
                file,
                *range,
                format!(
                    "os.environ in {place}: {}",
                    Hazard::Environment.advice(context)
                ),
            ));
        }
    }
}

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let (Some(module), Some((orch, file))) = (ctx.module, ctx.orchestrator()) else {
        return;
    };
    let f = orch.function;
    let Some(body) = orch.read.body(f) else {
        return;
    };
    let context = orch.context.as_str();
    let mut found = Vec::new();
    report(ctx, file, body, &f.name, None, context, &mut found);
    // Helpers of the module that the orchestrator calls run during replay as well (app functions,
    // decorated, are not helpers).
    let mut seen = std::collections::HashSet::new();
    let mut queue: Vec<usize> = body.helpers.clone();
    while let Some(i) = queue.pop() {
        if !seen.insert(i) || seen.len() > MAX_HELPERS {
            continue;
        }
        let Some(helper) = module.functions.get(i) else {
            continue;
        };
        if !helper.decorators.is_empty() || helper.def_offset == f.def_offset {
            continue;
        }
        if let Some(inner) = orch.read.body(helper) {
            report(ctx, file, inner, &helper.name, Some(&f.name), context, &mut found);
            queue.extend(inner.helpers.iter().copied());
        }
    }
    found.sort_by_key(|d| d.range.start);
    out.extend(found);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_fix};
    use expect_test::expect;

    const V1: &str = r#"
//- /Orch/function.json
{"bindings": [{"name": "context", "type": "orchestrationTrigger", "direction": "in"}]}
//- /Orch/__init__.py
import datetime
import os
import random
import time
import uuid
from datetime import date, timedelta
import requests
from azure.storage.blob import BlobServiceClient
import azure.durable_functions as df

def orchestrator_function(context: df.DurableOrchestrationContext):
    started = datetime.datetime.utcnow()
    day = date.today()
    n = random.randint(1, 6)
    rng = random.Random(42).random()
    token = uuid.uuid4()
    time.sleep(1)
    body = requests.get(os.environ["URL"]).text
    level = os.getenv("LEVEL", "info")
    client = BlobServiceClient.from_connection_string(os.environ.get("CONN"))
    with open("data.txt") as f:
        data = f.read()
    safe = context.current_utc_datetime + timedelta(minutes=5)
    guid = context.new_uuid()
    yield context.create_timer(safe)
    if not context.is_replaying:
        print("first run at", datetime.datetime.now())
    stamp = helper()
    return [started, day, n, rng, token, body, level, data, guid, stamp]

def helper():
    return nested_helper()

def nested_helper():
    return time.time()

main = df.Orchestrator.create(orchestrator_function)
//- /Fetch/function.json
{"bindings": [{"name": "url", "type": "activityTrigger", "direction": "in"}]}
//- /Fetch/__init__.py
import datetime, os, requests
def main(url: str) -> str:
    return requests.get(url + os.environ["KEY"]).text + str(datetime.datetime.now())
"#;

    #[test]
    fn v1_hazards_in_orchestrators_only() {
        expect![[r#"
            Orch/__init__.py:12:15 AZF803 warning datetime.datetime.utcnow() in orchestrator orchestrator_function(): the time differs on each replay — use context.current_utc_datetime
              fix: Use context.current_utc_datetime
            Orch/__init__.py:13:11 AZF803 warning datetime.date.today() in orchestrator orchestrator_function(): the time differs on each replay — use context.current_utc_datetime
              fix: Use context.current_utc_datetime.date()
            Orch/__init__.py:14:9 AZF803 warning random.randint() in orchestrator orchestrator_function(): the value differs on each replay — use context.new_guid() / context.new_uuid(), or compute it in an activity
            Orch/__init__.py:16:13 AZF803 warning uuid.uuid4() in orchestrator orchestrator_function(): the value differs on each replay — use context.new_guid() / context.new_uuid(), or compute it in an activity
              fix: Use context.new_guid()
            Orch/__init__.py:17:5 AZF803 warning time.sleep() in orchestrator orchestrator_function(): it blocks the orchestrator on each replay — yield context.create_timer(...) instead
            Orch/__init__.py:18:12 AZF803 warning requests.get() in orchestrator orchestrator_function(): I/O runs again on each replay and its result may differ — move it to an activity
            Orch/__init__.py:18:25 AZF803 warning os.environ in orchestrator orchestrator_function(): settings read in an orchestrator may differ on replay — read them in an activity or pass them as input
            Orch/__init__.py:19:13 AZF803 warning os.getenv() in orchestrator orchestrator_function(): settings read in an orchestrator may differ on replay — read them in an activity or pass them as input
            Orch/__init__.py:20:14 AZF803 warning azure.storage.blob.BlobServiceClient.from_connection_string() in orchestrator orchestrator_function(): I/O runs again on each replay and its result may differ — move it to an activity
            Orch/__init__.py:20:55 AZF803 warning os.environ in orchestrator orchestrator_function(): settings read in an orchestrator may differ on replay — read them in an activity or pass them as input
            Orch/__init__.py:21:10 AZF803 warning open() in orchestrator orchestrator_function(): I/O runs again on each replay and its result may differ — move it to an activity
            Orch/__init__.py:35:12 AZF803 warning time.time() in nested_helper() (called by orchestrator orchestrator_function()): the time differs on each replay — use context.current_utc_datetime
        "#]]
        .assert_eq(&check("AZF803", V1));
    }

    const V2: &str = r#"
//- /function_app.py
import asyncio
import threading
import azure.functions as func
import azure.durable_functions as df
from datetime import datetime
app = df.DFApp()

@app.orchestration_trigger(context_name="context")
def orchestrator(context: df.DurableOrchestrationContext):
    import uuid as u
    now = datetime.now()
    key = u.uuid1()
    threading.Thread(target=print).start()
    status = func.HttpResponse("ok")
    yield context.call_activity("work", str(now) + str(key))

@app.orchestration_trigger(context_name="context")
def replay_safe(context: df.DurableOrchestrationContext):
    now = context.current_utc_datetime
    key = context.new_guid()
    result = yield context.call_activity("work", str(now) + str(key))
    return result

@app.activity_trigger(input_name="payload")
async def work(payload: str) -> str:
    await asyncio.sleep(1)
    return datetime.now().isoformat() + payload
"#;

    #[test]
    fn v2_hazards_in_orchestrators_only() {
        expect![[r#"
            function_app.py:11:11 AZF803 warning datetime.datetime.now() in orchestrator orchestrator(): the time differs on each replay — use context.current_utc_datetime
              fix: Use context.current_utc_datetime
            function_app.py:12:11 AZF803 warning uuid.uuid1() in orchestrator orchestrator(): the value differs on each replay — use context.new_guid() / context.new_uuid(), or compute it in an activity
              fix: Use context.new_guid()
            function_app.py:13:5 AZF803 warning threading.Thread() in orchestrator orchestrator(): threads and tasks escape the replay — move the work to activities (context.task_all runs them in parallel)
        "#]]
        .assert_eq(&check("AZF803", V2));
    }

    #[test]
    fn fixes() {
        expect![[r#"
            Use context.current_utc_datetime [preferred]
            --- function_app.py
            import asyncio
            import threading
            import azure.functions as func
            import azure.durable_functions as df
            from datetime import datetime
            app = df.DFApp()

            @app.orchestration_trigger(context_name="context")
            def orchestrator(context: df.DurableOrchestrationContext):
                import uuid as u
                now = context.current_utc_datetime
                key = u.uuid1()
                threading.Thread(target=print).start()
                status = func.HttpResponse("ok")
                yield context.call_activity("work", str(now) + str(key))

            @app.orchestration_trigger(context_name="context")
            def replay_safe(context: df.DurableOrchestrationContext):
                now = context.current_utc_datetime
                key = context.new_guid()
                result = yield context.call_activity("work", str(now) + str(key))
                return result

            @app.activity_trigger(input_name="payload")
            async def work(payload: str) -> str:
                await asyncio.sleep(1)
                return datetime.now().isoformat() + payload
        "#]]
        .assert_eq(&check_fix(V2, "AZF803", "Use context.current_utc_datetime"));
        let uuid_first = V2.replace("    now = datetime.now()\n", "");
        expect![[r#"
            Use context.new_guid() [preferred]
            --- function_app.py
            import asyncio
            import threading
            import azure.functions as func
            import azure.durable_functions as df
            from datetime import datetime
            app = df.DFApp()

            @app.orchestration_trigger(context_name="context")
            def orchestrator(context: df.DurableOrchestrationContext):
                import uuid as u
                key = context.new_guid()
                threading.Thread(target=print).start()
                status = func.HttpResponse("ok")
                yield context.call_activity("work", str(now) + str(key))

            @app.orchestration_trigger(context_name="context")
            def replay_safe(context: df.DurableOrchestrationContext):
                now = context.current_utc_datetime
                key = context.new_guid()
                result = yield context.call_activity("work", str(now) + str(key))
                return result

            @app.activity_trigger(input_name="payload")
            async def work(payload: str) -> str:
                await asyncio.sleep(1)
                return datetime.now().isoformat() + payload
        "#]]
        .assert_eq(&check_fix(&uuid_first, "AZF803", "Use context.new_guid()"));
    }
}
