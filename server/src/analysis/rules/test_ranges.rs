//! What the decorator-model rules underline: the token at fault (the decorator's name, the
//! keyword, the value, the `def` name), never a whole multi-line decorator call.

use super::test_support::underlined;
use expect_test::expect;

#[test]
fn decorator_rules_underline_the_decorator_name_not_its_arguments() {
    expect![[r#"
        AZF712 `app.queue_trigger`
        AZF712 `rout`
    "#]]
    .assert_eq(&underlined(
        super::azf712_v2_decorator_arguments::META.code,
        r#"
@app.queue_trigger(arg_name="m",
                   queue_name="q")
def q(m): pass

@app.route(rout="x")
def x(req): pass
"#,
    ));
    expect![[r#"
        AZF709 `app.route`
    "#]]
    .assert_eq(&underlined(
        super::azf709_v2_multiple_triggers::META.code,
        r#"
@app.route(route="orders",
           methods=["POST"])
@app.queue_trigger(arg_name="req", queue_name="q", connection="C")
def orders(req): pass
"#,
    ));
    expect![[r#"
        AZF713 `app.event_grid_output`
    "#]]
    .assert_eq(&underlined(
        super::azf713_v2_event_grid_credentials::META.code,
        r#"
@app.event_grid_output(arg_name="out", connection="C",
                       topic_endpoint_uri="U", topic_key_setting="K")
@app.queue_trigger(arg_name="msg", queue_name="q", connection="C")
def f(msg, out): pass
"#,
    ));
}

#[test]
fn retry_and_trigger_rules_underline_the_value_or_the_name() {
    expect![[r#"
        AZF714 `app.retry`
        AZF714 `"10s"`
    "#]]
    .assert_eq(&underlined(
        super::azf714_v2_retry_invalid::META.code,
        r#"
@app.retry(strategy="fixed_delay",
           max_retry_count="3")
@app.queue_trigger(arg_name="msg", queue_name="q", connection="C")
def a(msg): pass

@app.retry(strategy="fixed_delay", max_retry_count="3", delay_interval="10s")
@app.queue_trigger(arg_name="msg", queue_name="q", connection="C")
def b(msg): pass
"#,
    ));
    expect![[r#"
        AZF708 `enqueue`
    "#]]
    .assert_eq(&underlined(
        super::azf708_v2_no_trigger::META.code,
        r#"
@app.queue_output(arg_name="msg", queue_name="outbox",
                  connection="AzureWebJobsStorage")
def enqueue(msg): pass
"#,
    ));
}

#[test]
fn stacked_objects_and_http_apps_underline_the_name() {
    expect![[r#"
        AZF710 `bp.queue_output`
    "#]]
    .assert_eq(&underlined(
        super::azf710_v2_stacked_app_objects::META.code,
        r#"
bp = func.Blueprint()
@bp.queue_output(arg_name="msg", queue_name="audit",
                 connection="AzureWebJobsStorage")
@app.route(route="orders")
def create_order(req, msg): pass
app.register_functions(bp)
"#,
    ));
}

#[test]
fn unlisted_imports_underline_the_module() {
    expect![[r#"
        AZF607 `yaml`
        AZF607 `requests`
    "#]]
    .assert_eq(&underlined(
        super::azf607_import_not_in_requirements::META.code,
        r#"
import os, yaml
from requests import get
//- /requirements.txt
azure-functions
"#,
    ));
}
