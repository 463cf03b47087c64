//! AZF118: a timer trigger's `schedule` is neither an NCRONTAB expression the host parses nor a TimeSpan.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function_json::{Binding, Spanned};

pub const META: RuleMeta = RuleMeta {
    code: "AZF118",
    name: "invalid-timer-schedule",
    severity: Severity::Error,
    summary: "A timer `schedule` is neither an NCRONTAB expression the host parses nor a TimeSpan",
    explanation: r#"The host reads a timer schedule as an NCRONTAB expression of six fields
(`{second} {minute} {hour} {day} {month} {day-of-week}`) or of five (the same without seconds),
else as a TimeSpan such as `00:05:00`. Anything else — another number of fields, a value out of
range, a name it does not know, a cron macro such as `@daily` — fails to parse: the host does not
index the timer trigger and the function does not start.

```json
{ "type": "timerTrigger", "name": "timer", "schedule": "0 0 2 * * 7" }
```

Days of the week run from 0 (Sunday) to 6: use `"0 0 2 * * 0"` or `"0 0 2 * * Sun"`.
"#,
    fix: FixAvailability::None,
};

const FIELDS: [(&str, u32, u32); 6] = [
    ("second", 0, 59),
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 6),
];

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// How the host reads a schedule that is not an app setting.
#[derive(Debug, PartialEq, Eq)]
pub enum ScheduleForm {
    /// A TimeSpan, or a six-field NCRONTAB expression (seconds first).
    Accepted,
    /// A valid five-field NCRONTAB expression: the host runs it at second 0 (AZF122).
    FiveFields,
    /// The host cannot parse it: why.
    Invalid(String),
}

/// Reads `schedule` as the host's timer extension does (`TimerSchedule.Create`): an `%AppSetting%`
/// is resolved at run time (`None`); else a cron expression, with a seconds field unless it has
/// exactly five space-separated parts (`CronSchedule.TryCreate`), then a TimeSpan.
pub fn schedule_form(schedule: &str) -> Option<ScheduleForm> {
    let s = schedule.trim();
    if s.contains('%') {
        return None;
    }
    if is_timespan(s) {
        return Some(ScheduleForm::Accepted);
    }
    // The host counts the parts between spaces to choose the form; NCRONTAB then splits the
    // expression at any whitespace.
    let with_seconds = s.split(' ').filter(|p| !p.is_empty()).count() != 5;
    let fields: Vec<&str> = s.split_whitespace().collect();
    let expected = if with_seconds { 6 } else { 5 };
    if fields.len() != expected {
        let problem = if with_seconds {
            format!(
                "'{s}' has {} fields; expected 6 ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}), 5 (the same without seconds) or a TimeSpan like 00:05:00",
                fields.len()
            )
        } else {
            format!("'{s}' separates its fields with other whitespace than spaces: the host counts 5 parts between spaces but {} fields", fields.len())
        };
        return Some(ScheduleForm::Invalid(problem));
    }
    let first = if with_seconds { 0 } else { 1 };
    for (field, &(name, min, max)) in fields.iter().zip(&FIELDS[first..]) {
        if let Err(why) = check_field(field, name, min, max) {
            return Some(ScheduleForm::Invalid(format!(
                "the {name} field '{field}' is invalid: {why}"
            )));
        }
    }
    Some(if with_seconds {
        ScheduleForm::Accepted
    } else {
        ScheduleForm::FiveFields
    })
}

/// Why the host cannot parse a schedule, or `None` when it can (or it is an app setting).
pub fn schedule_problem(schedule: &str) -> Option<String> {
    match schedule_form(schedule)? {
        ScheduleForm::Invalid(problem) => Some(problem),
        ScheduleForm::Accepted | ScheduleForm::FiveFields => None,
    }
}

fn is_timespan(s: &str) -> bool {
    // [d.]hh:mm[:ss[.fffffff]] — TimeSpan.TryParse's common forms.
    if !s.contains(':')
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == ':' || c == '.')
    {
        return false;
    }
    let parts: Vec<&str> = s.split(':').collect();
    (2..=3).contains(&parts.len()) && parts.iter().all(|p| !p.is_empty())
}

fn value(token: &str, field: &str, min: u32, max: u32) -> Result<u32, String> {
    let lower = token.to_ascii_lowercase();
    let named = match field {
        "month" => MONTHS
            .iter()
            .position(|m| lower.starts_with(m))
            .map(|p| p as u32 + 1),
        "day of week" => DAYS
            .iter()
            .position(|d| lower.starts_with(d))
            .map(|p| p as u32),
        _ => None,
    };
    let v = match named {
        Some(v) => v,
        None => token
            .parse::<u32>()
            .map_err(|_| format!("'{token}' is not a number"))?,
    };
    if v < min || v > max {
        return Err(format!("{v} is outside {min}-{max}"));
    }
    Ok(v)
}

fn check_field(field: &str, name: &str, min: u32, max: u32) -> Result<(), String> {
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(n) if n > 0 => {}
                _ => return Err(format!("step '{step}' must be a positive number")),
            }
        }
        if range == "*" {
            continue;
        }
        match range.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (value(a, name, min, max)?, value(b, name, min, max)?);
                if a > b {
                    return Err(format!("range {a}-{b} is reversed"));
                }
            }
            None => {
                value(range, name, min, max)?;
            }
        }
    }
    Ok(())
}

/// The `schedule` of each timer trigger among `bindings` that is set (an empty one is AZF115's).
pub fn timer_schedules(bindings: &[Binding]) -> impl Iterator<Item = Spanned> + '_ {
    bindings
        .iter()
        .filter(|b| {
            b.type_str()
                .is_some_and(|t| t.eq_ignore_ascii_case("timerTrigger"))
        })
        .filter_map(|b| b.property_str("schedule"))
        .filter(|s| !s.value.trim().is_empty())
}

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for schedule in timer_schedules(ctx.unit.bindings()) {
        if let Some(problem) = schedule_problem(&schedule.value) {
            out.push(ctx.declaration_diag(
                &META,
                schedule.range,
                format!("invalid timer schedule: {problem}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use super::{schedule_form, schedule_problem, ScheduleForm};
    use expect_test::expect;

    #[test]
    fn schedules() {
        for ok in [
            "0 */5 * * * *",
            "0 30 9 * * 1-5",
            "0 0 0 1 Jan *",
            "00:05:00",
            "1.00:00:00",
            "%TIMER%",
            "0 0,30 * * * Mon-Fri",
            "*/10 * * * * *",
            // Five fields: minutes first, as the host's timer extension reads them.
            "*/5 * * * *",
            "* * * * *",
            "0 2 * * Sun",
            " 30  9 * * 1-5 ",
        ] {
            assert_eq!(schedule_problem(ok), None, "{ok}");
        }
        for bad in [
            "0 61 * * * *",
            "0 * 24 * * *",
            "0 * * 0 * *",
            "0 * * * 13 *",
            "0 * * * * 7",
            "0 */0 * * * *",
            "every 5 minutes",
            "0 5-1 * * * *",
            "@daily",
            "* * * *",
            "0 0 0 * * * *",
            "60 * * * *",
            "0 24 * * *",
            "* * * * 7",
            "0\t*/5 * * * *",
        ] {
            assert!(schedule_problem(bad).is_some(), "{bad}");
        }
        assert_eq!(schedule_form("0 2 * * *"), Some(ScheduleForm::FiveFields));
        assert_eq!(schedule_form("0 0 2 * * *"), Some(ScheduleForm::Accepted));
        assert_eq!(schedule_form("%NIGHTLY%"), None);
        // Five fields are minute, hour, day, month and day of week.
        assert_eq!(
            schedule_problem("0 24 * * *").as_deref(),
            Some("the hour field '24' is invalid: 24 is outside 0-23")
        );
        assert_eq!(
            schedule_problem("0 0 24 * * *").as_deref(),
            Some("the hour field '24' is invalid: 24 is outside 0-23")
        );
        expect![[r#"
            F/function.json:1:65 AZF118 error invalid timer schedule: the day of week field '7' is invalid: 7 is outside 0-6
            G/function.json:1:65 AZF118 error invalid timer schedule: '0 0 2 * * * *' has 7 fields; expected 6 ({second} {minute} {hour} {day} {month} {day-of-week}), 5 (the same without seconds) or a TimeSpan like 00:05:00
        "#]]
        .assert_eq(&check(
            "AZF118",
            r#"
//- /F/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 2 * * 7"}]}
//- /G/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 2 * * * *"}]}
//- /H/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 2 * * *"}]}
"#,
        ));
    }
}
