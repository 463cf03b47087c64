//! AZF801: a durable call names an activity, orchestrator or entity that the app does not have.

use std::cell::OnceCell;

use super::context::{did_you_mean_hint, AppCtx, Counterparts};
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::durable::{self, DurableKind, NameRef};
use crate::analysis::function::FunctionUnit;
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF801",
    name: "durable-unknown-function",
    severity: Severity::Warning,
    summary: "`call_activity`, `call_sub_orchestrator`, `start_new` or `EntityId` names no function of that kind in the app",
    explanation: r#"Durable Functions runs activities, sub-orchestrations and entities by name. The name in
`context.call_activity("X")`, `context.call_activity_with_retry("X", …)`,
`context.call_sub_orchestrator[_with_retry]("X")`, `client.start_new("X")` and `df.EntityId("X", key)`
must be the name of a function of the app with an `activityTrigger`, `orchestrationTrigger` or
`entityTrigger` (the folder name of a function.json function; the `function_name` or `def` name of a
decorated one, blueprints included; a name given by the trigger's `orchestration`, `activity` or
`entity` property is accepted as well). Names are compared without case, as the Durable extension
does.

This is a warning, not an error: the app loads and every function is indexed. The mistake shows
only when the orchestration reaches the call — the extension then fails it with "The function 'X'
doesn't exist, is disabled, or is not an activity function" — or when `start_new` is called.

```python
yield context.call_activity("SendEmial", order)    # the activity is SendEmail
yield context.call_activity("Process", data)       # Process is an orchestrator
```

Use the function's name (the fix offers the nearest one), or the call for its kind
(`call_sub_orchestrator` for an orchestrator). Names built at run time (variables, f-strings,
function objects in the decorator model) are not checked. Nothing is reported when a function's
name is not a literal, nor for `start_new` or `EntityId` in an app without orchestrators or
entities, or in an app with a `durableClient` binding that names a task hub or a connection:
those may live in another app.
"#,
    fix: FixAvailability::Unsafe,
};

/// A durable function of the app.
struct Target<'u> {
    unit: &'u FunctionUnit,
    kind: DurableKind,
    lower: String,
    /// The name its trigger's `orchestration` / `activity` / `entity` property gives, lowercased.
    alias: Option<String>,
}

/// What makes a function a durable function, or keeps the app's durable names from being
/// checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DurableFacts {
    /// Its name, or the name its trigger gives, is not a literal: no name can be checked.
    unknowable: bool,
    kind: Option<DurableKind>,
    /// The name its trigger's `orchestration` / `activity` / `entity` property gives, lowercased.
    alias: Option<String>,
    /// It has a client bound to another task hub (or another storage).
    other_hub: bool,
}

/// `unit`'s durable facts; `None` when it is not a durable function and keeps nothing from
/// being checked (most functions).
pub fn facts(unit: &FunctionUnit) -> Option<DurableFacts> {
    let alias = durable::alias_of(unit);
    let facts = DurableFacts {
        unknowable: !unit.name_is_known() || alias == durable::Alias::Unknown,
        kind: durable::kind_of(unit),
        alias: match alias {
            durable::Alias::Named(a) => Some(a.to_ascii_lowercase()),
            _ => None,
        },
        other_hub: unit.bindings().iter().any(|b| {
            b.type_str()
                .is_some_and(|t| t.eq_ignore_ascii_case("durableClient"))
                && ["taskHub", "task_hub", "connectionName", "connection_name"]
                    .iter()
                    .any(|k| b.property(k).is_some())
        }),
    };
    let plain = !facts.unknowable && facts.kind.is_none() && !facts.other_hub;
    (!plain).then_some(facts)
}

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let durable = || ctx.units.iter().zip(&ctx.facts.durable).filter_map(|(u, f)| Some((*u, f.as_deref()?)));
    if durable().any(|(_, f)| f.unknowable) {
        return;
    }
    let targets: Vec<Target> = durable()
        .filter_map(|(u, f)| {
            Some(Target {
                unit: u,
                kind: f.kind?,
                lower: u.name.to_ascii_lowercase(),
                alias: f.alias.clone(),
            })
        })
        .collect();
    if targets.is_empty() {
        return;
    }
    let names_of = |kind: DurableKind| -> Vec<&str> {
        targets
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| t.unit.name.as_str())
            .collect()
    };
    let by_kind = [
        DurableKind::Activity,
        DurableKind::Orchestrator,
        DurableKind::Entity,
    ]
    .map(|k| (k, names_of(k), OnceCell::new()));
    // The targets a lowercased name or alias names, in the order of `targets`: one look-up per
    // call, however many functions the app has.
    let mut by_lower: foldhash::HashMap<&str, Vec<&Target>> = foldhash::HashMap::default();
    for t in &targets {
        by_lower.entry(t.lower.as_str()).or_default().push(t);
        if let Some(alias) = t.alias.as_deref().filter(|a| *a != t.lower) {
            by_lower.entry(alias).or_default().push(t);
        }
    }
    let mut first_by_name: foldhash::HashMap<&str, &Target> = foldhash::HashMap::default();
    for t in &targets {
        first_by_name.entry(t.unit.name.as_str()).or_insert(t);
    }
    // A client bound to another task hub (or another storage) starts and signals what another
    // app declares.
    let other_hub = durable().any(|(_, f)| f.other_hub);
    // Every spelling of the import names `durable_functions`: a module not parsed yet is read
    // only if its text has it (a check that takes most findings from its cache parses no other).
    let mut files: Vec<(&String, &std::sync::Arc<crate::analysis::python::PyModule>)> = ctx
        .modules
        .parsed_or_containing("durable_functions")
        .into_iter()
        .filter(|(path, m)| {
            m.syntax_errors.is_empty() && !is_test_file(path) && durable::imports_durable(m)
        })
        .collect();
    files.sort_by_key(|(path, _)| *path);
    for (file, module) in files {
        let Some(crate::analysis::app::FileContent::Text(source)) = ctx.app.content(file) else {
            continue;
        };
        let text: &str = source;
        // The tree the orchestrator rules read, when they read this module just before: a
        // module of thousands of orchestrators is not parsed again.
        let Some(read) = durable::module_bodies(module, source) else {
            continue;
        };
        for r in durable::name_refs(&read.tree, text) {
            if other_hub && (r.method == "start_new" || r.method == "EntityId") {
                continue;
            }
            let lower = r.name.to_ascii_lowercase();
            let same_name = by_lower.get(lower.as_str()).map_or(&[][..], Vec::as_slice);
            if same_name.iter().any(|t| t.kind == r.kind) {
                continue;
            }
            let (_, candidates, counterparts) =
                by_kind.iter().find(|(k, _, _)| *k == r.kind).expect("kind");
            if let Some(other) = same_name.first() {
                out.push(wrong_kind(file, &r, other));
            } else if !candidates.is_empty() || r.method.starts_with("call_") {
                // Built once per kind, on the first unknown name.
                let counterparts = counterparts.get_or_init(|| Counterparts::new(candidates));
                out.push(unknown(file, &r, counterparts, &first_by_name));
            }
        }
    }
}

/// Tests of an app mock the durable calls with names of their own.
fn is_test_file(path: &str) -> bool {
    path.split('/')
        .any(|segment| segment == "tests" || segment == "test" || segment.starts_with("test_"))
}

/// Where a durable function is declared, for a related location.
fn declared_at(unit: &FunctionUnit) -> TextRange {
    unit.name_range().unwrap_or_else(|| {
        unit.bindings()
            .iter()
            .find(|b| b.is_trigger())
            .map(|b| b.anchor())
            .unwrap_or_default()
    })
}

fn call_display(r: &NameRef) -> String {
    format!("{}('{}')", r.method, r.name)
}

fn unknown(
    file: &str,
    r: &NameRef,
    counterparts: &Counterparts,
    first_by_name: &foldhash::HashMap<&str, &Target>,
) -> Diagnostic {
    let suggestion = counterparts.find(&r.name, false);
    let consequence = match r.kind {
        DurableKind::Orchestrator if r.method == "start_new" => "starting it fails at run time",
        DurableKind::Entity => "operations on this entity fail at run time",
        _ => "the orchestration fails when it reaches this call",
    };
    let mut d = META.diag(
        file,
        r.content,
        format!(
            "{}: the app has no {} function named '{}'{}; {consequence}",
            call_display(r),
            r.kind.noun(),
            r.name,
            did_you_mean_hint(suggestion),
        ),
    );
    if let Some(s) = suggestion {
        if let Some(t) = first_by_name.get(s) {
            d = d.with_related(
                t.unit.declaration_file(),
                declared_at(t.unit),
                format!("{} '{s}' is declared here", r.kind.noun()),
            );
        }
        d = d.with_fix(
            format!("Use '{s}'"),
            vec![FileEdit {
                file: file.to_string(),
                range: r.content,
                new_text: s.to_string(),
            }],
        );
    }
    d
}

fn wrong_kind(file: &str, r: &NameRef, other: &Target) -> Diagnostic {
    let d = META
        .diag(
            file,
            r.content,
            format!(
                "{}: '{}' is an {} function, not an {}; the orchestration fails when it reaches this call",
                call_display(r),
                other.unit.name,
                other.kind.noun(),
                r.kind.noun(),
            ),
        )
        .with_related(
            other.unit.declaration_file(),
            declared_at(other.unit),
            format!("'{}' is declared here", other.unit.name),
        );
    // From an orchestrator, an activity and a sub-orchestrator are called the same way.
    let replacement = match (r.method.as_str(), other.kind) {
        ("call_activity", DurableKind::Orchestrator) => Some("call_sub_orchestrator"),
        ("call_activity_with_retry", DurableKind::Orchestrator) => {
            Some("call_sub_orchestrator_with_retry")
        }
        ("call_sub_orchestrator", DurableKind::Activity) => Some("call_activity"),
        ("call_sub_orchestrator_with_retry", DurableKind::Activity) => {
            Some("call_activity_with_retry")
        }
        _ => None,
    };
    match replacement {
        Some(method) => d.with_fix(
            format!("Use {method}"),
            vec![FileEdit {
                file: file.to_string(),
                range: r.method_range,
                new_text: method.to_string(),
            }],
        ),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_fix};
    use expect_test::expect;

    const V1_ACTIVITY: &str = r#"
//- /SendEmail/function.json
{"bindings": [{"name": "order", "type": "activityTrigger", "direction": "in"}]}
//- /SendEmail/__init__.py
def main(order: str) -> str:
    return order
//- /Process/function.json
{"bindings": [{"name": "context", "type": "orchestrationTrigger", "direction": "in"}]}
"#;

    #[test]
    fn v1_unknown_and_wrong_kind_names() {
        expect![[r#"
            Process/__init__.py:4:38 AZF801 warning call_activity('SendEmial'): the app has no activity function named 'SendEmial' — did you mean 'SendEmail'?; the orchestration fails when it reaches this call
              related SendEmail/function.json:1:24: activity 'SendEmail' is declared here
              fix: Use 'SendEmail'
            Process/__init__.py:6:38 AZF801 warning call_activity('Process'): 'Process' is an orchestrator function, not an activity; the orchestration fails when it reaches this call
              related Process/function.json:1:24: 'Process' is declared here
              fix: Use call_sub_orchestrator
        "#]]
        .assert_eq(&check(
            "AZF801",
            &format!(
                "{V1_ACTIVITY}{}",
                r#"
//- /Process/__init__.py
import azure.durable_functions as df

def orchestrator_function(context: df.DurableOrchestrationContext):
    a = yield context.call_activity("SendEmial", 1)
    b = yield context.call_activity("sendemail", 2)
    c = yield context.call_activity("Process", 3)
    name = "Dynamic"
    d = yield context.call_activity(name, 4)
    e = yield context.call_activity(f"Send{name}", 5)
    f = yield context.call_sub_orchestrator("Process")
    return [a, b, c, d, e, f]

main = df.Orchestrator.create(orchestrator_function)
"#
            ),
        ));
    }

    #[test]
    fn v1_client_names_and_test_files() {
        // A client of an app without entities may signal entities of another app of the task
        // hub; tests mock calls with names of their own.
        expect![[r#"
            HttpStart/__init__.py:5:43 AZF801 warning start_new('Proces'): the app has no orchestrator function named 'Proces' — did you mean 'Process'?; starting it fails at run time
              related Process/function.json:1:24: orchestrator 'Process' is declared here
              fix: Use 'Process'
        "#]]
        .assert_eq(&check(
            "AZF801",
            &format!(
                "{V1_ACTIVITY}{}",
                r#"
//- /HttpStart/__init__.py
import azure.durable_functions as df

async def main(req, starter: str):
    client = df.DurableOrchestrationClient(starter)
    instance_id = await client.start_new("Proces", None, None)
    await client.start_new("Process")
    await client.signal_entity(df.EntityId("Counter", "k"), "add", 1)
    return instance_id
//- /tests/test_orchestrator.py
import azure.durable_functions as df
context.call_activity("Mocked")
"#
            ),
        ));
    }

    const V2: &str = r#"
//- /function_app.py
import azure.functions as func
import azure.durable_functions as df
from bp import bp

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(bp)

@app.route(route="orchestrators/{functionName}")
@app.durable_client_input(client_name="client")
async def http_start(req: func.HttpRequest, client):
    instance_id = await client.start_new(req.route_params["functionName"])
    await client.start_new("hello_orchestrator")
    await client.signal_entity(df.EntityId("Countr", "c"), "add", 1)
    return client.create_check_status_response(req, instance_id)

@app.orchestration_trigger(context_name="context")
def hello_orchestrator(context):
    r1 = yield context.call_activity("say_hello", "Tokyo")
    r2 = yield context.call_activity(say_hello, "Seattle")
    r3 = yield context.call_activity("Greet", "London")
    r4 = yield context.call_sub_orchestrator("say_hello")
    r5 = yield context.call_entity(df.EntityId("counter", "c"), "get")
    return [r1, r2, r3, r4, r5]

@app.activity_trigger(input_name="city")
def say_hello(city: str) -> str:
    return f"Hello {city}"
//- /bp.py
import azure.durable_functions as df
bp = df.Blueprint()

@bp.function_name("Greeting")
@bp.activity_trigger(input_name="name")
def greet(name: str) -> str:
    return name

@bp.entity_trigger(context_name="context")
def Counter(context):
    context.set_result(0)
"#;

    #[test]
    fn v2_dfapp_and_blueprints() {
        expect![[r#"
            function_app.py:13:45 AZF801 warning EntityId('Countr'): the app has no entity function named 'Countr' — did you mean 'Counter'?; operations on this entity fail at run time
              related bp.py:10:5: entity 'Counter' is declared here
              fix: Use 'Counter'
            function_app.py:20:39 AZF801 warning call_activity('Greet'): the app has no activity function named 'Greet' — did you mean 'Greeting'?; the orchestration fails when it reaches this call
              related bp.py:4:19: activity 'Greeting' is declared here
              fix: Use 'Greeting'
            function_app.py:21:47 AZF801 warning call_sub_orchestrator('say_hello'): 'say_hello' is an activity function, not an orchestrator; the orchestration fails when it reaches this call
              related function_app.py:26:5: 'say_hello' is declared here
              fix: Use call_activity
        "#]]
        .assert_eq(&check("AZF801", V2));
    }

    #[test]
    fn v2_valid_app_is_silent() {
        let valid = V2
            .replace("\"Countr\"", "\"counter\"")
            .replace("\"Greet\"", "\"Greeting\"")
            .replace(
                "call_sub_orchestrator(\"say_hello\")",
                "call_activity(\"say_hello\")",
            );
        expect![[""]].assert_eq(&check("AZF801", &valid));
    }

    #[test]
    fn a_client_of_another_task_hub_is_not_checked() {
        let other_hub = format!(
            "{V1_ACTIVITY}//- /HttpStart/function.json\n{}\n//- /HttpStart/__init__.py\n{}",
            r#"{"bindings": [{"name": "req", "type": "httpTrigger", "direction": "in"}, {"name": "starter", "type": "durableClient", "direction": "in", "taskHub": "OtherHub"}, {"name": "$return", "type": "http", "direction": "out"}]}"#,
            "import azure.durable_functions as df\nasync def main(req, starter):\n    client = df.DurableOrchestrationClient(starter)\n    return await client.start_new(\"OtherOrchestrator\")\n",
        );
        expect![[""]].assert_eq(&check("AZF801", &other_hub));
        let same_hub = other_hub.replace(", \"taskHub\": \"OtherHub\"", "");
        assert_ne!(check("AZF801", &same_hub), "");
    }

    #[test]
    fn a_trigger_property_names_the_function_too() {
        let aliased = V2.replace(
            "@app.activity_trigger(input_name=\"city\")",
            "@app.activity_trigger(input_name=\"city\", activity=\"Greet\")",
        );
        assert!(aliased.contains("activity=\"Greet\""));
        expect![[r#"
            function_app.py:13:45 AZF801 warning EntityId('Countr'): the app has no entity function named 'Countr' — did you mean 'Counter'?; operations on this entity fail at run time
              related bp.py:10:5: entity 'Counter' is declared here
              fix: Use 'Counter'
            function_app.py:21:47 AZF801 warning call_sub_orchestrator('say_hello'): 'say_hello' is an activity function, not an orchestrator; the orchestration fails when it reaches this call
              related function_app.py:26:5: 'say_hello' is declared here
              fix: Use call_activity
        "#]]
        .assert_eq(&check("AZF801", &aliased));
        let unknown = V2.replace(
            "@app.activity_trigger(input_name=\"city\")",
            "@app.activity_trigger(input_name=\"city\", activity=ACTIVITY)",
        )
        .replace("app = df.DFApp(", "ACTIVITY = \"Gr\" + \"eet\"\napp = df.DFApp(");
        assert!(unknown.contains("ACTIVITY = \"Gr\""));
        expect![[""]].assert_eq(&check("AZF801", &unknown));
    }

    #[test]
    fn a_name_matches_names_and_aliases_of_any_case_and_the_called_kind_wins() {
        let app = r#"
//- /function_app.py
import azure.durable_functions as df
app = df.DFApp()

@app.orchestration_trigger(context_name="context")
def orch(context):
    a = yield context.call_sub_orchestrator("Work")
    b = yield context.call_activity("work")
    c = yield context.call_activity("JOB")
    d = yield context.call_activity("stepp")
    return [a, b, c, d]

@app.orchestration_trigger(context_name="context")
def job(context):
    return 1

@app.activity_trigger(input_name="x", activity="WORK")
def step(x):
    return x

@app.orchestration_trigger(context_name="context")
def work(context):
    return 1
"#;
        expect![[r#"
            function_app.py:8:38 AZF801 warning call_activity('JOB'): 'job' is an orchestrator function, not an activity; the orchestration fails when it reaches this call
              related function_app.py:13:5: 'job' is declared here
              fix: Use call_sub_orchestrator
            function_app.py:9:38 AZF801 warning call_activity('stepp'): the app has no activity function named 'stepp' — did you mean 'step'?; the orchestration fails when it reaches this call
              related function_app.py:17:5: activity 'step' is declared here
              fix: Use 'step'
        "#]].assert_eq(&check("AZF801", app));
    }

    #[test]
    fn unknown_function_name_silences_the_rule() {
        let dynamic = V2.replace(
            "@bp.function_name(\"Greeting\")",
            "def name():\n    return \"Greeting\"\n\n@bp.function_name(name())",
        );
        assert!(dynamic.contains("name())"));
        expect![[""]].assert_eq(&check("AZF801", &dynamic));
    }

    #[test]
    fn fixes_rename_the_name_and_the_call() {
        expect![[r#"
            Use 'Greeting' [preferred]
            --- function_app.py
            import azure.functions as func
            import azure.durable_functions as df
            from bp import bp

            app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
            app.register_functions(bp)

            @app.orchestration_trigger(context_name="context")
            def hello_orchestrator(context):
                r1 = yield context.call_activity("Greeting", "London")
                r2 = yield context.call_sub_orchestrator("say_hello")
                return [r1, r2]

            @app.activity_trigger(input_name="city")
            def say_hello(city: str) -> str:
                return f"Hello {city}"
        "#]]
        .assert_eq(&check_fix(FIX_APP, "AZF801", "Use 'Greeting'"));
        expect![[r#"
            Use call_activity [preferred]
            --- function_app.py
            import azure.functions as func
            import azure.durable_functions as df
            from bp import bp

            app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
            app.register_functions(bp)

            @app.orchestration_trigger(context_name="context")
            def hello_orchestrator(context):
                r1 = yield context.call_activity("Greeting", "London")
                r2 = yield context.call_activity("say_hello")
                return [r1, r2]

            @app.activity_trigger(input_name="city")
            def say_hello(city: str) -> str:
                return f"Hello {city}"
        "#]]
        .assert_eq(&check_fix(
            &FIX_APP.replace("\"Greet\"", "\"Greeting\""),
            "AZF801",
            "Use call_activity",
        ));
    }

    #[test]
    fn an_edit_of_a_function_folder_script_re_checks_the_names() {
        use crate::analysis::app::FileContent;
        use crate::analysis::state::AppState;
        let fixture = format!(
            "{V1_ACTIVITY}//- /Process/__init__.py\nimport azure.durable_functions as df\ndef o(context):\n    yield context.call_activity(\"SendEmail\", 1)\nmain = df.Orchestrator.create(o)\n"
        );
        let mut state = AppState::new(super::super::test_support::app(&fixture));
        let count = |state: &mut AppState| {
            super::super::test_support::diagnostics(state)
                .iter()
                .filter(|d| d.code == "AZF801")
                .count()
        };
        assert_eq!(count(&mut state), 0);
        let typo = state
            .input()
            .text("Process/__init__.py")
            .unwrap()
            .replace("SendEmail", "SendMail");
        state.set_file(
            "Process/__init__.py",
            FileContent::Text(typo.as_str().into()),
        );
        assert_eq!(count(&mut state), 1);
    }

    const FIX_APP: &str = r#"
//- /requirements.txt
azure-functions
azure-functions-durable
//- /function_app.py
import azure.functions as func
import azure.durable_functions as df
from bp import bp

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(bp)

@app.orchestration_trigger(context_name="context")
def hello_orchestrator(context):
    r1 = yield context.call_activity("Greet", "London")
    r2 = yield context.call_sub_orchestrator("say_hello")
    return [r1, r2]

@app.activity_trigger(input_name="city")
def say_hello(city: str) -> str:
    return f"Hello {city}"
//- /bp.py
import azure.durable_functions as df
bp = df.Blueprint()

@bp.function_name("Greeting")
@bp.activity_trigger(input_name="name")
def greet(name: str) -> str:
    return name
"#;
}
