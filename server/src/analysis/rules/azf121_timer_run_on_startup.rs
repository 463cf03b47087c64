//! AZF121: a timer trigger sets `runOnStartup` (`run_on_startup=True`), so it also fires whenever the host starts.

use super::context::FunctionCtx;
use super::fix_support::{unit_of, FixCtx, QuickFix};
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{escape_controls, quoted, Diagnostic, Severity};
use crate::analysis::edits::remove_list_item;
use crate::analysis::function_json::Binding;
use crate::analysis::json::JsonKind;
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF121",
    name: "timer-run-on-startup",
    severity: Severity::Warning,
    summary: "A timer trigger also runs whenever the host starts (`runOnStartup` is true)",
    explanation: r#"With `runOnStartup` the host runs the timer function each time it starts, on top
of the schedule. In Azure the host starts on every restart, deployment and scale-out, so a job meant
to run nightly can run many times a day, at times nobody chose. Microsoft advises against it in
production; it is meant for trying a function out locally.

```json
{ "type": "timerTrigger", "name": "timer", "schedule": "0 0 2 * * *", "runOnStartup": true }
```

```python
@app.timer_trigger(schedule="0 0 2 * * *", arg_name="timer", run_on_startup=True)
```

Remove the property (or set it to `false`) before deploying; run the function by hand while
developing instead.
"#,
    fix: FixAvailability::Unsafe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        let Some(range) = run_on_startup(b) else {
            continue;
        };
        let name = b.name_str().unwrap_or("");
        out.push(ctx.declaration_diag(
            &META,
            range,
            format!(
                "timer trigger '{}' also runs each time the host starts: in Azure that is every restart, deployment and scale-out; keep run on startup for local runs only",
                quoted(name)
            ),
        ));
    }
}

/// The range of a timer trigger's `runOnStartup: true` member (key to value).
fn run_on_startup(b: &Binding) -> Option<TextRange> {
    if !b
        .type_str()
        .is_some_and(|t| t.eq_ignore_ascii_case("timerTrigger"))
    {
        return None;
    }
    b.members.iter().find_map(|m| {
        let value = m.value.as_ref()?;
        let on = m.key.eq_ignore_ascii_case("runOnStartup")
            && matches!(value.kind, JsonKind::Bool(true));
        on.then(|| TextRange::new(m.key_range.start as usize, value.range.end as usize))
    })
}

/// Remove the property (or the keyword argument): a person may want it while developing.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    let Some(unit) = unit_of(ctx, d) else {
        return Vec::new();
    };
    let found = unit.bindings().iter().filter_map(run_on_startup);
    if !found.into_iter().any(|r| r == d.range) {
        return Vec::new();
    }
    let Some(text) = ctx.input().text(&d.file) else {
        return Vec::new();
    };
    let (Some(written), Some(edit)) = (
        text.get(d.range.as_usize()),
        remove_list_item(&d.file, text, d.range),
    ) else {
        return Vec::new();
    };
    let title = format!("Remove {}", escape_controls(&quoted(written)));
    vec![QuickFix::new(title, vec![edit]).preferred(true)]
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_fix, titles};
    use expect_test::expect;

    #[test]
    fn function_json() {
        expect![[r#"
            F/function.json:1:80 AZF121 warning timer trigger 't' also runs each time the host starts: in Azure that is every restart, deployment and scale-out; keep run on startup for local runs only
        "#]]
        .assert_eq(&check(
            "AZF121",
            r#"
//- /F/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 2 * * *", "runOnStartup": true}]}
"#,
        ));
    }

    #[test]
    fn decorators() {
        expect![[r#"
            function_app.py:4:62 AZF121 warning timer trigger 'timer' also runs each time the host starts: in Azure that is every restart, deployment and scale-out; keep run on startup for local runs only
        "#]]
        .assert_eq(&check(
            "AZF121",
            r#"
//- /function_app.py
import azure.functions as func
app = func.FunctionApp()

@app.timer_trigger(schedule="0 0 2 * * *", arg_name="timer", run_on_startup=True)
def nightly(timer: func.TimerRequest) -> None:
    pass
"#,
        ));
    }

    #[test]
    fn false_absent_or_other_types_are_fine() {
        expect![[""]].assert_eq(&check(
            "AZF121",
            r#"
//- /A/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 2 * * *", "runOnStartup": false}]}
//- /B/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 2 * * *"}]}
//- /C/function.json
{"bindings": [{"type": "queueTrigger", "name": "m", "queueName": "q", "runOnStartup": true}]}
"#,
        ));
    }

    #[test]
    fn timer_run_on_startup() {
        let json = r#"
//- /F/function.json
{
  "bindings": [
    {
      "type": "timerTrigger",
      "name": "t",
      "schedule": "0 0 2 * * *",
      "runOnStartup": true
    }
  ]
}
//- /F/__init__.py
def main(t): pass
"#;
        expect![[r#"
            [
                "Remove \"runOnStartup\": true [preferred]",
            ]
        "#]]
        .assert_debug_eq(&titles(json, "AZF121"));
        expect![[r#"
            Remove "runOnStartup": true [preferred]
            --- F/function.json
            {
              "bindings": [
                {
                  "type": "timerTrigger",
                  "name": "t",
                  "schedule": "0 0 2 * * *"
                }
              ]
            }
        "#]]
        .assert_eq(&check_fix(json, "AZF121", "Remove"));
        let decorators = r#"
//- /function_app.py
import azure.functions as func
app = func.FunctionApp()

@app.timer_trigger(schedule="0 0 2 * * *", arg_name="timer", run_on_startup=True, use_monitor=False)
def nightly(timer: func.TimerRequest) -> None:
    pass
"#;
        expect![[r#"
            Remove run_on_startup=True [preferred]
            --- function_app.py
            import azure.functions as func
            app = func.FunctionApp()

            @app.timer_trigger(schedule="0 0 2 * * *", arg_name="timer", use_monitor=False)
            def nightly(timer: func.TimerRequest) -> None:
                pass
        "#]]
        .assert_eq(&check_fix(decorators, "AZF121", "Remove"));
    }
}
