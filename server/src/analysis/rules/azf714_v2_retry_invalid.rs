//! AZF714: a `retry` policy the worker cannot turn into retry options.

use super::context::{did_you_mean_hint, FunctionCtx};
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;
use crate::analysis::v2::bind::{int_literal_ok, time_of_day_ok};
use crate::analysis::v2::syntax::{ExprKind, PyExpr};

pub const META: RuleMeta = RuleMeta {
    code: "AZF714",
    name: "retry-invalid",
    severity: Severity::Error,
    summary: "`@app.retry` has a strategy, count or interval the worker cannot read",
    explanation: r#"The worker turns `@app.retry(...)` into retry options while it indexes the app: `max_retry_count`
must be an integer (`"3"`), intervals must be `hh:mm:ss`, `fixed_delay` needs `delay_interval`, and
the strategy must be `fixed_delay` or `exponential_backoff`. Anything else raises (`ValueError: time
data '10s' does not match format '%H:%M:%S'`, `ValueError: unknown enum label "linear"`) and the
app has no function.

```python
@app.retry(strategy="fixed_delay", max_retry_count="3", delay_interval="10s")
```

Use `delay_interval="00:00:10"`.
"#,
    fix: FixAvailability::None,
};

/// A literal string (or `None` for the `None` literal); `Err` when it cannot be read.
fn literal(expr: Option<&PyExpr>) -> Result<Option<&str>, ()> {
    match expr.map(|e| &e.kind) {
        None | Some(ExprKind::None) => Ok(None),
        Some(ExprKind::Str(s)) => Ok(Some(s)),
        _ => Err(()),
    }
}

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    // The worker reads the retry setting nearest the `def`.
    let Some(d) = ctx.unit.decorators().iter().find(|d| d.method == "retry") else {
        return;
    };
    let Some((_, bound)) = d.bound_args() else {
        return;
    };
    if bound.dynamic {
        return;
    }
    let range_of = |name: &str| bound.value(name).map(|v| v.range).unwrap_or(d.callee_range());
    let mut report = |range: TextRange, what: String| {
        out.push(ctx.diag(
            &META,
            ctx.unit.declaration_file(),
            range,
            ctx.app_fails(what),
        ));
    };
    // 1. int(max_retry_count)
    match bound.value("max_retry_count").map(|v| &v.kind) {
        Some(ExprKind::Str(s)) if !int_literal_ok(s) => {
            return report(
                range_of("max_retry_count"),
                format!("max_retry_count '{s}' is not an integer: the worker fails (ValueError: invalid literal for int() with base 10: '{s}')"),
            );
        }
        Some(ExprKind::Number(n)) if n.contains(['j', 'J']) => return,
        None if bound.get("max_retry_count").is_some() => {
            return report(
                range_of("max_retry_count"),
                "max_retry_count is None: the worker fails (TypeError in int())".to_string(),
            );
        }
        _ => {}
    }
    let Ok(strategy) = literal(bound.value("strategy")) else {
        return;
    };
    let Some(strategy) = strategy else { return };
    let interval = |name: &str, report: &mut dyn FnMut(TextRange, String)| -> bool {
        match literal(bound.value(name)) {
            Ok(Some(s)) if !s.is_empty() && !time_of_day_ok(s) => {
                report(
                    range_of(name),
                    format!("{name} '{s}' is not hh:mm:ss: the worker fails (ValueError: time data '{s}' does not match format '%H:%M:%S')"),
                );
                false
            }
            _ => true,
        }
    };
    if strategy == "fixed_delay" {
        match literal(bound.value("delay_interval")) {
            Ok(None) => report(
                d.callee_range(),
                "a fixed_delay retry needs delay_interval (hh:mm:ss): the worker fails (TypeError: strptime() argument 0 must be str)".to_string(),
            ),
            _ => {
                interval("delay_interval", &mut report);
            }
        }
        return;
    }
    if !interval("minimum_interval", &mut report) || !interval("maximum_interval", &mut report) {
        return;
    }
    if strategy != "exponential_backoff" {
        let hint = did_you_mean_hint(crate::analysis::catalog::did_you_mean(
            strategy,
            ["fixed_delay", "exponential_backoff"],
        ));
        report(
            range_of("strategy"),
            format!("retry strategy '{strategy}' is neither 'fixed_delay' nor 'exponential_backoff'{hint}: the worker fails (ValueError: unknown enum label \"{strategy}\")"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check_script;
    use expect_test::expect;

    #[test]
    fn retry_policies() {
        expect![[r#"
            function_app.py:4:72 AZF714 error delay_interval '10s' is not hh:mm:ss: the worker fails (ValueError: time data '10s' does not match format '%H:%M:%S'); the worker then indexes no function of the app ("0 functions found")
            function_app.py:8:21 AZF714 error retry strategy 'linear' is neither 'fixed_delay' nor 'exponential_backoff': the worker fails (ValueError: unknown enum label "linear"); the worker then indexes no function of the app ("0 functions found")
            function_app.py:12:60 AZF714 error max_retry_count 'three' is not an integer: the worker fails (ValueError: invalid literal for int() with base 10: 'three'); the worker then indexes no function of the app ("0 functions found")
            function_app.py:16:2 AZF714 error a fixed_delay retry needs delay_interval (hh:mm:ss): the worker fails (TypeError: strptime() argument 0 must be str); the worker then indexes no function of the app ("0 functions found")
        "#]]
        .assert_eq(&check_script(
            "AZF714",
            r#"

@app.retry(strategy="fixed_delay", max_retry_count="3", delay_interval="10s")
@app.timer_trigger(arg_name="t", schedule="0 */5 * * * *")
def a(t): pass

@app.retry(strategy="linear", max_retry_count="3", delay_interval="00:00:10")
@app.timer_trigger(arg_name="t", schedule="0 */5 * * * *")
def b(t): pass

@app.retry(strategy="exponential_backoff", max_retry_count="three")
@app.timer_trigger(arg_name="t", schedule="0 */5 * * * *")
def c(t): pass

@app.retry(strategy="fixed_delay", max_retry_count="3")
@app.timer_trigger(arg_name="t", schedule="0 */5 * * * *")
def d(t): pass

@app.retry(strategy="exponential_backoff", max_retry_count=3, minimum_interval="00:00:01")
@app.timer_trigger(arg_name="t", schedule="0 */5 * * * *")
def ok(t): pass
"#,
        ));
    }
}
