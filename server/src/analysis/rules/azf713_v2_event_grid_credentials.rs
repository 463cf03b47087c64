//! AZF713: `event_grid_output` needs either `connection` or the topic endpoint and key, not both.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::v2::import_fails;

pub const META: RuleMeta = RuleMeta {
    code: "AZF713",
    name: "event-grid-credentials",
    severity: Severity::Error,
    summary: "`event_grid_output` has neither or both of `connection` and the `topic_endpoint_uri`/`topic_key_setting` pair",
    explanation: r#"The Event Grid output binding authenticates either with `connection` (an identity-based
connection) or with the pair `topic_endpoint_uri` + `topic_key_setting`. Neither, half of the pair,
or both forms raise `ValueError: Specify either the 'Connection' property or both 'TopicKeySetting'
and 'TopicEndpointUri' properties, but not both.` while the worker imports the script.

```python
@app.event_grid_output(arg_name="out_event")        # no credentials
```

Add `connection="EventGridConnection"`, or both `topic_endpoint_uri=` and `topic_key_setting=`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    for f in model.functions.iter().filter(|f| f.imported) {
        for d in &f.decorators {
            if d.method != "event_grid_output" {
                continue;
            }
            let Some((_, bound)) = d.bound_args() else {
                continue;
            };
            if bound.dynamic {
                continue;
            }
            let conn = bound.value("connection").is_some();
            let uri = bound.value("topic_endpoint_uri").is_some();
            let key = bound.value("topic_key_setting").is_some();
            let what = match (conn, uri, key) {
                (true, false, false) | (false, true, true) => continue,
                (true, _, _) => "both 'connection' and a topic endpoint/key",
                (false, false, false) => "no 'connection' and no topic endpoint/key",
                (false, true, false) => "'topic_endpoint_uri' without 'topic_key_setting'",
                (false, false, true) => "'topic_key_setting' without 'topic_endpoint_uri'",
            };
            out.push(META.diag(&d.file,
                d.callee_range(),
                format!(
                    "{}() has {what}: it raises ValueError (\"Specify either the 'Connection' property or both 'TopicKeySetting' and 'TopicEndpointUri' properties, but not both.\"), and {}; pass either connection= or both topic_endpoint_uri= and topic_key_setting=",
                    d.display(),
                    import_fails(&model.script.name)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check_script;
    use expect_test::expect;

    #[test]
    fn credentials() {
        expect![[r#"
            function_app.py:5:2 AZF713 error app.event_grid_output() has no 'connection' and no topic endpoint/key: it raises ValueError ("Specify either the 'Connection' property or both 'TopicKeySetting' and 'TopicEndpointUri' properties, but not both."), and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found"); pass either connection= or both topic_endpoint_uri= and topic_key_setting=
            function_app.py:9:2 AZF713 error app.event_grid_output() has both 'connection' and a topic endpoint/key: it raises ValueError ("Specify either the 'Connection' property or both 'TopicKeySetting' and 'TopicEndpointUri' properties, but not both."), and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found"); pass either connection= or both topic_endpoint_uri= and topic_key_setting=
        "#]]
        .assert_eq(&check_script(
            "AZF713",
            r#"

@app.queue_trigger(arg_name="m", queue_name="q", connection="C")
@app.event_grid_output(arg_name="o")
def a(m, o): pass

@app.queue_trigger(arg_name="m", queue_name="q", connection="C")
@app.event_grid_output(arg_name="o", connection="E", topic_endpoint_uri="U", topic_key_setting="K")
def b(m, o): pass

@app.queue_trigger(arg_name="m", queue_name="q", connection="C")
@app.event_grid_output(arg_name="o", topic_endpoint_uri="U", topic_key_setting="K")
def c(m, o): pass
"#,
        ));
    }
}
