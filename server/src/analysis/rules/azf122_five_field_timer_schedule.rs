//! AZF122: a timer `schedule` has five fields (no seconds), which Azure's scale controller does not read.

use super::azf118_invalid_timer_schedule::{schedule_form, timer_schedules, ScheduleForm};
use super::context::FunctionCtx;
use super::fix_support::{unit_of, FixCtx, QuickFix};
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::edits::json_quote;

pub const META: RuleMeta = RuleMeta {
    code: "AZF122",
    name: "five-field-timer-schedule",
    severity: Severity::Warning,
    summary: "A timer `schedule` has five fields (no seconds), which Azure's scale controller does not read",
    explanation: r#"The host's timer extension reads a five-field cron expression as
`{minute} {hour} {day} {month} {day-of-week}` and runs it at second 0, so the function loads and
fires locally and wherever the host keeps running. But the scale controller, which wakes an idle
app on the Consumption plan when a timer is due, reads schedules with seconds only: it fails on a
five-field expression and does not watch the timer, so once deployed the function may not fire
while the app is scaled in. Azure's documentation writes every schedule with six fields.

```json
{ "type": "timerTrigger", "name": "timer", "schedule": "0 2 * * *" }
```

Add the seconds field first: `"0 0 2 * * *"` runs at the same times.
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for schedule in timer_schedules(ctx.unit.bindings()) {
        if schedule_form(&schedule.value) == Some(ScheduleForm::FiveFields) {
            let s = schedule.value.trim();
            out.push(ctx.declaration_diag(
                &META,
                schedule.range,
                format!(
                    "timer schedule '{s}' has no seconds field: the host runs it, but Azure's scale controller reads schedules with seconds only, so on the Consumption plan the timer may not fire once deployed; write '0 {s}'"
                ),
            ));
        }
    }
}

/// The seconds field added: the same times, in the form every reader of the schedule takes.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    let Some(unit) = unit_of(ctx, d) else {
        return Vec::new();
    };
    let Some(schedule) = timer_schedules(unit.bindings()).find(|s| s.range == d.range) else {
        return Vec::new();
    };
    if schedule_form(&schedule.value) != Some(ScheduleForm::FiveFields) {
        return Vec::new();
    }
    let fixed = format!("0 {}", schedule.value.split_whitespace().collect::<Vec<_>>().join(" "));
    if schedule_form(&fixed) != Some(ScheduleForm::Accepted) {
        return Vec::new();
    }
    vec![QuickFix::new(
        format!("Use schedule '{fixed}' (seconds first)"),
        vec![FileEdit {
            file: unit.declaration_file().to_string(),
            range: schedule.range,
            new_text: json_quote(&fixed),
        }],
    )
    .preferred(true)
    .auto(true)]
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_fix};
    use expect_test::expect;

    #[test]
    fn five_fields() {
        expect![[r#"
            F/function.json:1:65 AZF122 warning timer schedule '*/5 * * * *' has no seconds field: the host runs it, but Azure's scale controller reads schedules with seconds only, so on the Consumption plan the timer may not fire once deployed; write '0 */5 * * * *'
        "#]]
        .assert_eq(&check(
            "AZF122",
            r#"
//- /F/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "*/5 * * * *"}]}
//- /G/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 */5 * * * *"}]}
//- /H/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 24 * * *"}]}
//- /I/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "%NIGHTLY%"}]}
"#,
        ));
        expect![[r#"
            function_app.py:4:29 AZF122 warning timer schedule '0 2 * * Sun' has no seconds field: the host runs it, but Azure's scale controller reads schedules with seconds only, so on the Consumption plan the timer may not fire once deployed; write '0 0 2 * * Sun'
        "#]]
        .assert_eq(&check(
            "AZF122",
            r#"
//- /function_app.py
import azure.functions as func
app = func.FunctionApp()

@app.timer_trigger(schedule="0 2 * * Sun", arg_name="t")
def nightly(t: func.TimerRequest) -> None: pass

@app.timer_trigger(schedule="0 0 2 * * Sun", arg_name="u")
def weekly(u: func.TimerRequest) -> None: pass
"#,
        ));
    }

    /// The fix, applied as the editor offers it.
    #[test]
    fn fix() {
        let timer = r#"
//- /F/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 2 * * *"}]}
//- /F/__init__.py
def main(t): pass
"#;
        expect![[r#"
            Use schedule '0 0 2 * * *' (seconds first) [preferred] [auto]
            --- F/function.json
            {"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 2 * * *"}]}
        "#]]
        .assert_eq(&check_fix(timer, "AZF122", "Use schedule"));
    }
}
