//! AZF118: a timer trigger's `schedule` is neither a six-field NCRONTAB expression nor a TimeSpan.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use super::fix_support::{unit_of, FixCtx, QuickFix};
use crate::analysis::diagnostic::FileEdit;
use crate::analysis::edits::json_quote;

pub const META: RuleMeta = RuleMeta {
    code: "AZF118",
    name: "invalid-timer-schedule",
    severity: Severity::Error,
    summary: "A timer `schedule` is neither a six-field NCRONTAB expression nor a TimeSpan",
    explanation: r#"Timer schedules are NCRONTAB expressions **with seconds** (six fields:
`{second} {minute} {hour} {day} {month} {day-of-week}`) or a TimeSpan such as `00:05:00`. A
five-field cron expression, common elsewhere, is rejected and the function does not start.

```json
{ "type": "timerTrigger", "name": "timer", "schedule": "*/5 * * * *" }
```

Use `"0 */5 * * * *"` (every five minutes).
"#,
    fix: FixAvailability::Safe,
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

/// Why a schedule is invalid, or `None` when the host accepts it.
pub fn schedule_problem(schedule: &str) -> Option<String> {
    let s = schedule.trim();
    if s.contains('%') {
        return None; // an app setting, resolved at run time
    }
    if is_timespan(s) {
        return None;
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 6 {
        return Some(if fields.len() == 5 {
            format!("'{s}' has 5 fields; Azure Functions needs 6 (seconds first), e.g. '0 {s}'")
        } else {
            format!("'{s}' has {} fields; expected 6 ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}) or a TimeSpan like 00:05:00", fields.len())
        });
    }
    for (i, field) in fields.iter().enumerate() {
        let (name, min, max) = FIELDS[i];
        if let Err(why) = check_field(field, i, min, max) {
            return Some(format!("the {name} field '{field}' is invalid: {why}"));
        }
    }
    None
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

fn value(token: &str, index: usize, min: u32, max: u32) -> Result<u32, String> {
    let lower = token.to_ascii_lowercase();
    let named = match index {
        4 => MONTHS
            .iter()
            .position(|m| lower.starts_with(m))
            .map(|p| p as u32 + 1),
        5 => DAYS
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

fn check_field(field: &str, index: usize, min: u32, max: u32) -> Result<(), String> {
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
                let (a, b) = (value(a, index, min, max)?, value(b, index, min, max)?);
                if a > b {
                    return Err(format!("range {a}-{b} is reversed"));
                }
            }
            None => {
                value(range, index, min, max)?;
            }
        }
    }
    Ok(())
}

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        if !b
            .type_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("timerTrigger"))
        {
            continue;
        }
        let Some(schedule) = b.property_str("schedule") else {
            continue;
        };
        if schedule.value.trim().is_empty() {
            continue; // AZF115
        }
        if let Some(problem) = schedule_problem(&schedule.value) {
            out.push(ctx.declaration_diag(
                &META,
                schedule.range,
                format!("invalid timer schedule: {problem}"),
            ));
        }
    }
}

/// The fixes of an AZF118 diagnostic.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    schedule_fix(ctx, d).into_iter().collect()
}

/// AZF118: a five-field cron expression gets its seconds field.
fn schedule_fix(ctx: &dyn FixCtx, d: &Diagnostic) -> Option<QuickFix> {
    let unit = unit_of(ctx, d)?;
    let schedule = unit
        .bindings()
        .iter()
        .filter_map(|b| b.property_str("schedule"))
        .find(|s| s.range == d.range)?;
    let trimmed = schedule.value.trim();
    if trimmed.split_whitespace().count() != 5 {
        return None;
    }
    let fixed = format!("0 {trimmed}");
    if schedule_problem(&fixed).is_some() {
        return None;
    }
    Some(
        QuickFix::new(
            format!("Use schedule '{fixed}' (seconds first)"),
            vec![FileEdit {
                file: unit.declaration_file().to_string(),
                range: schedule.range,
                new_text: json_quote(&fixed),
            }],
        )
        .preferred(true)
        .auto(true),
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_fix};
    use super::schedule_problem;
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
        ] {
            assert_eq!(schedule_problem(ok), None, "{ok}");
        }
        for bad in [
            "*/5 * * * *",
            "0 61 * * * *",
            "0 * 24 * * *",
            "0 * * 0 * *",
            "0 * * * 13 *",
            "0 * * * * 7",
            "0 */0 * * * *",
            "every 5 minutes",
            "0 5-1 * * * *",
        ] {
            assert!(schedule_problem(bad).is_some(), "{bad}");
        }
        expect![[r#"
            F/function.json:1:65 AZF118 error invalid timer schedule: '*/5 * * * *' has 5 fields; Azure Functions needs 6 (seconds first), e.g. '0 */5 * * * *'
        "#]]
        .assert_eq(&check(
            "AZF118",
            r#"
//- /F/function.json
{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "*/5 * * * *"}]}
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
        expect_test::expect![[r#"
            Use schedule '0 0 2 * * *' (seconds first) [preferred] [auto]
            --- F/function.json
            {"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 2 * * *"}]}
        "#]]
        .assert_eq(&check_fix(timer, "AZF118", "Use schedule"));
    }
}
