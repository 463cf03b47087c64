//! One function's `function.json` bindings as decorator calls of the v2 model: the catalog's
//! decorator for every binding type it knows, `route` for an HTTP trigger with its one HTTP
//! output, and the generic decorators for the rest. Each call emits, through the library, the
//! binding the host read from `function.json`: the same type, direction, name and properties.

use crate::analysis::catalog::decorator_types::{camel_case, DecoratorKind, DecoratorSpec};
use crate::analysis::catalog::decorators::DECORATORS;
use crate::analysis::catalog::{decorator, enumeration};
use crate::analysis::function_json::{Binding, Direction};
use crate::analysis::json::{JsonKind, JsonValue};
use crate::analysis::text::TextRange;

/// Nested arrays and objects deeper than this are not converted.
const MAX_VALUE_DEPTH: u32 = 32;

/// A decorator call: the app method and its keyword arguments as Python source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecoratorCall {
    pub method: &'static str,
    pub args: Vec<(String, String)>,
}

impl DecoratorCall {
    /// `@app.method(key=value, …)`, wrapped one argument per line when longer than 99 columns.
    pub fn render(&self, app_var: &str) -> String {
        let args: Vec<String> = self.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let one_line = format!("@{app_var}.{}({})", self.method, args.join(", "));
        if one_line.len() <= 99 || args.is_empty() {
            return one_line;
        }
        let mut out = format!("@{app_var}.{}(\n", self.method);
        for a in args {
            out.push_str("    ");
            out.push_str(&a);
            out.push_str(",\n");
        }
        out.push(')');
        out
    }
}

/// Why a binding cannot be expressed with decorators, and where (in function.json).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untranslatable {
    pub range: TextRange,
    pub reason: String,
}

fn refuse(range: TextRange, reason: impl Into<String>) -> Untranslatable {
    Untranslatable {
        range,
        reason: reason.into(),
    }
}

/// The decorator calls that declare `bindings`, in their order (an HTTP trigger and the HTTP
/// output it pairs with become one `route` call), or every binding that cannot be translated.
pub fn translate(bindings: &[Binding]) -> Result<Vec<DecoratorCall>, Vec<Untranslatable>> {
    let mut calls = Vec::new();
    let mut problems = Vec::new();
    let http_trigger = bindings.iter().position(|b| b.is_http_trigger());
    let http_outputs: Vec<usize> = bindings
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            b.direction == Some(Direction::Out)
                && b.type_str().is_some_and(|t| t.eq_ignore_ascii_case("http"))
        })
        .map(|(i, _)| i)
        .collect();
    let route_pair = match (http_trigger, http_outputs.as_slice()) {
        (Some(t), [o]) => Some((t, *o)),
        _ => None,
    };
    for (i, b) in bindings.iter().enumerate() {
        let result = match route_pair {
            Some((t, o)) if i == t => route(b, &bindings[o]),
            Some((_, o)) if i == o => continue,
            _ => binding_call(b),
        };
        match result {
            Ok(call) => calls.push(call),
            Err(mut e) => problems.append(&mut e),
        }
    }
    if problems.is_empty() {
        Ok(calls)
    } else {
        Err(problems)
    }
}

/// The properties of a binding other than `name`, `type` and `direction`, with their values
/// (`null` values are left out: the library drops `None` and the host reads null as absent).
fn properties(b: &Binding) -> Vec<(&str, TextRange, &JsonValue)> {
    b.members
        .iter()
        .filter(|m| {
            !["name", "type", "direction"]
                .iter()
                .any(|k| m.key.eq_ignore_ascii_case(k))
        })
        .filter_map(|m| {
            let v = m.value.as_ref()?;
            (v.kind != JsonKind::Null).then_some((m.key.as_str(), m.key_range, v))
        })
        .collect()
}

/// The name, type and direction every binding needs.
fn head(b: &Binding) -> Result<(&str, &str, Direction), Vec<Untranslatable>> {
    let name = b
        .name_str()
        .ok_or_else(|| vec![refuse(b.range, "the binding has no string `name`")])?;
    let ty = b
        .type_str()
        .ok_or_else(|| vec![refuse(b.range, "the binding has no string `type`")])?;
    match b.direction {
        Some(Direction::InOut) => Err(vec![refuse(
            b.direction_raw.as_ref().map_or(b.range, |d| d.range),
            "direction `inout` has no decorator (the Python worker refuses it too)",
        )]),
        None => Err(vec![refuse(
            b.direction_raw.as_ref().map_or(b.range, |d| d.range),
            "the binding's `direction` is not `in` or `out`",
        )]),
        Some(d) => Ok((name, ty, d)),
    }
}

/// The catalog's decorator for a binding, or the generic one.
fn binding_call(b: &Binding) -> Result<DecoratorCall, Vec<Untranslatable>> {
    let (name, ty, direction) = head(b)?;
    let props = properties(b);
    let kind = if b.is_trigger() {
        DecoratorKind::Trigger
    } else if direction == Direction::Out {
        DecoratorKind::Output
    } else {
        DecoratorKind::Input
    };
    let spec = best_decorator(ty, kind, &props).unwrap_or_else(|| generic(kind));
    let mut args = Vec::new();
    let mut problems = Vec::new();
    let name_param = spec.name_param.unwrap_or("arg_name");
    args.push((name_param.to_string(), py_str(name)));
    if spec.is_generic() {
        args.push(("type".to_string(), py_str(ty)));
    }
    // Named parameters in signature order, then the other properties as keyword arguments.
    let mut used = vec![false; props.len()];
    for p in spec.params {
        if p.name == name_param || p.name == "type" {
            continue;
        }
        let Some(key) = camel_case(p.name) else {
            continue;
        };
        let Some(i) = props
            .iter()
            .position(|(k, _, _)| k.eq_ignore_ascii_case(&key))
        else {
            continue;
        };
        used[i] = true;
        let (_, range, value) = props[i];
        let converted = match p.enum_type {
            Some(e) => enum_member(e, value),
            None => py_value(value, 0),
        };
        match converted {
            Ok(v) => args.push((p.name.to_string(), v)),
            Err(reason) => problems.push(refuse(range, reason)),
        }
    }
    for (i, (key, range, value)) in props.iter().enumerate() {
        if used[i] {
            continue;
        }
        match extra_argument(key, value) {
            Ok(arg) => args.push(arg),
            Err(reason) => problems.push(refuse(*range, reason)),
        }
    }
    if problems.is_empty() {
        Ok(DecoratorCall {
            method: spec.name,
            args,
        })
    } else {
        Err(problems)
    }
}

/// The generic decorator of a binding kind.
fn generic(kind: DecoratorKind) -> &'static DecoratorSpec {
    let name = match kind {
        DecoratorKind::Trigger => "generic_trigger",
        DecoratorKind::Output => "generic_output_binding",
        _ => "generic_input_binding",
    };
    decorator(name).expect("the catalog has the generic decorators")
}

/// Of the catalog's decorators for `ty` and `kind`, the one whose parameters cover the most
/// properties. Durable decorators are left out (their library wraps the function and changes
/// what it receives), and so is a decorator that needs a property the binding does not have
/// (calling it without the argument is a `TypeError`) or that cannot take the properties it has
/// no parameter for.
fn best_decorator(
    ty: &str,
    kind: DecoratorKind,
    props: &[(&str, TextRange, &JsonValue)],
) -> Option<&'static DecoratorSpec> {
    let mut best: Option<(usize, bool, &'static DecoratorSpec)> = None;
    for spec in DECORATORS {
        if spec.kind != kind
            || spec.durable
            || spec.name_param.is_none()
            || !spec
                .binding_type
                .is_some_and(|t| t.eq_ignore_ascii_case(ty))
        {
            continue;
        }
        let covers = |param: &str| {
            camel_case(param)
                .is_some_and(|key| props.iter().any(|(k, _, _)| k.eq_ignore_ascii_case(&key)))
        };
        let missing_required = spec
            .params
            .iter()
            .any(|p| p.required && Some(p.name) != spec.name_param && !covers(p.name));
        if missing_required {
            continue;
        }
        let unmatched = props
            .iter()
            .filter(|(k, _, _)| {
                !spec.params.iter().any(|p| {
                    Some(p.name) != spec.name_param
                        && camel_case(p.name).is_some_and(|key| k.eq_ignore_ascii_case(&key))
                })
            })
            .count();
        if unmatched > 0 && !spec.kwargs {
            continue;
        }
        // `schedule` is the older spelling of `timer_trigger`.
        let alias = spec.name == "schedule";
        if best.is_none_or(|(u, a, _)| (unmatched, alias) < (u, a)) {
            best = Some((unmatched, alias, spec));
        }
    }
    best.map(|(_, _, s)| s)
}

/// `route` for an HTTP trigger and the one HTTP output beside it.
fn route(trigger: &Binding, output: &Binding) -> Result<DecoratorCall, Vec<Untranslatable>> {
    let (trigger_name, _, _) = head(trigger)?;
    let (output_name, _, _) = head(output)?;
    let mut args = Vec::new();
    let mut problems = Vec::new();
    if trigger_name != "req" {
        args.push(("trigger_arg_name".to_string(), py_str(trigger_name)));
    }
    if output_name != "$return" {
        args.push(("binding_arg_name".to_string(), py_str(output_name)));
    }
    let mut trigger_extra = Vec::new();
    for (key, range, value) in properties(trigger) {
        let converted = if key.eq_ignore_ascii_case("route") {
            py_value(value, 0).map(|v| ("route".to_string(), v))
        } else if key.eq_ignore_ascii_case("methods") {
            methods(value).map(|v| ("methods".to_string(), v))
        } else if key.eq_ignore_ascii_case("authLevel") {
            enum_member("AuthLevel", value).map(|v| ("auth_level".to_string(), v))
        } else {
            match extra_argument(key, value) {
                Ok(entry) => {
                    trigger_extra.push(entry);
                    continue;
                }
                Err(e) => Err(e),
            }
        };
        match converted {
            Ok(arg) => args.push(arg),
            Err(reason) => problems.push(refuse(range, reason)),
        }
    }
    let mut output_extra = Vec::new();
    for (key, range, value) in properties(output) {
        match extra_argument(key, value) {
            Ok(entry) => output_extra.push(entry),
            Err(reason) => problems.push(refuse(range, reason)),
        }
    }
    for (param, extra) in [
        ("trigger_extra_fields", trigger_extra),
        ("binding_extra_fields", output_extra),
    ] {
        if !extra.is_empty() {
            let items: Vec<String> = extra
                .iter()
                .map(|(k, v)| format!("{}: {v}", py_str(k)))
                .collect();
            args.push((param.to_string(), format!("{{{}}}", items.join(", "))));
        }
    }
    if problems.is_empty() {
        Ok(DecoratorCall {
            method: "route",
            args,
        })
    } else {
        Err(problems)
    }
}

/// `methods`: a list of `func.HttpMethod` members.
fn methods(value: &JsonValue) -> Result<String, String> {
    let JsonKind::Array(items) = &value.kind else {
        return Err("`methods` is not a list of HTTP methods".to_string());
    };
    let members: Result<Vec<String>, String> =
        items.iter().map(|m| enum_member("HttpMethod", m)).collect();
    Ok(format!("[{}]", members?.join(", ")))
}

/// A string the library parses into enumeration `enum_type`, as `func.Enum.MEMBER`.
fn enum_member(enum_type: &str, value: &JsonValue) -> Result<String, String> {
    let spec = enumeration(enum_type).ok_or_else(|| format!("unknown enumeration {enum_type}"))?;
    let Some(s) = value.as_str() else {
        return Err(format!(
            "the value is not a string the decorator can turn into `{enum_type}`"
        ));
    };
    let upper = s.to_ascii_uppercase();
    match spec.members.iter().find(|m| **m == upper) {
        Some(m) => Ok(format!("func.{enum_type}.{m}")),
        None => Err(format!(
            "`{s}` is not one of `{enum_type}` ({}), which the decorator requires",
            spec.members.join(", ")
        )),
    }
}

/// A property the decorator has no parameter for, as a keyword argument the library turns back
/// into the same key (it camel-cases keyword names, so the key must already be camelCase).
fn extra_argument(key: &str, value: &JsonValue) -> Result<(String, String), String> {
    if !is_identifier(key) {
        return Err(format!(
            "property `{key}` cannot be a keyword argument of a decorator (not a Python name)"
        ));
    }
    if camel_case(key).as_deref() != Some(key) {
        return Err(format!(
            "property `{key}` cannot be passed to a decorator: the library would rename it to \
             `{}`",
            camel_case(key).unwrap_or_default()
        ));
    }
    Ok((key.to_string(), py_value(value, 0)?))
}

/// Whether `s` can be a keyword argument: an ASCII identifier that is not a keyword.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !PYTHON_KEYWORDS.contains(&s)
}

pub const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// A JSON value as a Python literal.
fn py_value(value: &JsonValue, depth: u32) -> Result<String, String> {
    if depth > MAX_VALUE_DEPTH {
        return Err("the value is nested too deeply to convert".to_string());
    }
    Ok(match &value.kind {
        JsonKind::String(s) => py_str(s),
        JsonKind::Number(n) => n.clone(),
        JsonKind::Bool(true) => "True".to_string(),
        JsonKind::Bool(false) => "False".to_string(),
        JsonKind::Null => "None".to_string(),
        JsonKind::Array(items) => {
            let items: Result<Vec<String>, String> =
                items.iter().map(|i| py_value(i, depth + 1)).collect();
            format!("[{}]", items?.join(", "))
        }
        JsonKind::Object(members) => {
            let mut items = Vec::new();
            for m in members {
                let v = match &m.value {
                    Some(v) => py_value(v, depth + 1)?,
                    None => return Err("the value is incomplete".to_string()),
                };
                items.push(format!("{}: {v}", py_str(&m.key)));
            }
            format!("{{{}}}", items.join(", "))
        }
        JsonKind::Invalid => return Err("the value cannot be read".to_string()),
    })
}

/// A Python string literal in double quotes.
pub fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::function_json;

    /// The decorators for the bindings of a function.json text, or the refusals.
    fn decorators(bindings: &str) -> String {
        let text = format!("{{\"bindings\": [{bindings}]}}");
        let fj = function_json::parse(&text);
        match translate(&fj.bindings) {
            Ok(calls) => calls
                .iter()
                .map(|c| c.render("app"))
                .collect::<Vec<_>>()
                .join("\n"),
            Err(problems) => problems
                .iter()
                .map(|p| format!("refused at `{}`: {}", &text[p.range.as_usize()], p.reason))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    #[test]
    fn each_binding_type_the_catalog_knows_gets_its_decorator() {
        let cases = [
            r#"{"type": "timerTrigger", "name": "t", "schedule": "0 */5 * * * *", "runOnStartup": false}"#,
            r#"{"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "q", "connection": "C"}"#,
            r#"{"type": "queue", "direction": "out", "name": "$return", "queueName": "q"}"#,
            r#"{"type": "blobTrigger", "name": "b", "path": "c/{name}", "connection": "C", "dataType": "binary"}"#,
            r#"{"type": "blob", "direction": "in", "name": "b", "path": "c/x"}"#,
            r#"{"type": "blob", "direction": "out", "name": "b", "path": "c/x"}"#,
            r#"{"type": "cosmosDBTrigger", "name": "docs", "connection": "C", "databaseName": "d", "containerName": "c", "leaseContainerName": "l"}"#,
            r#"{"type": "cosmosDBTrigger", "name": "docs", "connectionStringSetting": "C", "databaseName": "d", "collectionName": "c"}"#,
            r#"{"type": "cosmosDB", "direction": "in", "name": "doc", "connection": "C", "databaseName": "d", "containerName": "c", "id": "{id}"}"#,
            r#"{"type": "cosmosDB", "direction": "out", "name": "doc", "connection": "C", "databaseName": "d", "containerName": "c"}"#,
            r#"{"type": "eventHubTrigger", "name": "e", "eventHubName": "h", "connection": "C", "cardinality": "many"}"#,
            r#"{"type": "eventHub", "direction": "out", "name": "e", "eventHubName": "h", "connection": "C"}"#,
            r#"{"type": "serviceBusTrigger", "name": "m", "queueName": "q", "connection": "C", "accessRights": "listen"}"#,
            r#"{"type": "serviceBusTrigger", "name": "m", "topicName": "t", "subscriptionName": "s", "connection": "C"}"#,
            r#"{"type": "serviceBus", "direction": "out", "name": "m", "queueName": "q", "connection": "C"}"#,
            r#"{"type": "serviceBus", "direction": "out", "name": "m", "topicName": "t", "connection": "C"}"#,
            r#"{"type": "eventGridTrigger", "name": "event"}"#,
            r#"{"type": "eventGrid", "direction": "out", "name": "e", "topicEndpointUri": "U", "topicKeySetting": "K"}"#,
            r#"{"type": "table", "direction": "in", "name": "row", "tableName": "t", "partitionKey": "p", "rowKey": "r", "connection": "C"}"#,
            r#"{"type": "table", "direction": "out", "name": "row", "tableName": "t", "connection": "C"}"#,
            r#"{"type": "sqlTrigger", "name": "changes", "tableName": "dbo.T", "connectionStringSetting": "S"}"#,
            r#"{"type": "sql", "direction": "in", "name": "rows", "commandText": "select 1", "connectionStringSetting": "S"}"#,
            r#"{"type": "kafkaTrigger", "name": "k", "topic": "t", "brokerList": "B", "consumerGroup": "g"}"#,
            r#"{"type": "warmupTrigger", "name": "w"}"#,
        ];
        let out: Vec<String> = cases.iter().map(|c| decorators(c)).collect();
        expect_test::expect![[r#"
            @app.timer_trigger(arg_name="t", schedule="0 */5 * * * *", run_on_startup=False)
            @app.queue_trigger(arg_name="msg", queue_name="q", connection="C")
            @app.generic_output_binding(arg_name="$return", type="queue", queueName="q")
            @app.blob_trigger(arg_name="b", path="c/{name}", connection="C", data_type=func.DataType.BINARY)
            @app.generic_input_binding(arg_name="b", type="blob", path="c/x")
            @app.generic_output_binding(arg_name="b", type="blob", path="c/x")
            @app.cosmos_db_trigger(
                arg_name="docs",
                connection="C",
                database_name="d",
                container_name="c",
                lease_container_name="l",
            )
            @app.cosmos_db_trigger_v3(
                arg_name="docs",
                database_name="d",
                collection_name="c",
                connection_string_setting="C",
            )
            @app.cosmos_db_input(
                arg_name="doc",
                connection="C",
                database_name="d",
                container_name="c",
                id="{id}",
            )
            @app.cosmos_db_output(arg_name="doc", connection="C", database_name="d", container_name="c")
            @app.event_hub_message_trigger(
                arg_name="e",
                connection="C",
                event_hub_name="h",
                cardinality=func.Cardinality.MANY,
            )
            @app.event_hub_output(arg_name="e", connection="C", event_hub_name="h")
            @app.service_bus_queue_trigger(
                arg_name="m",
                connection="C",
                queue_name="q",
                access_rights=func.AccessRights.LISTEN,
            )
            @app.service_bus_topic_trigger(arg_name="m", connection="C", topic_name="t", subscription_name="s")
            @app.service_bus_queue_output(arg_name="m", connection="C", queue_name="q")
            @app.service_bus_topic_output(arg_name="m", connection="C", topic_name="t")
            @app.event_grid_trigger(arg_name="event")
            @app.event_grid_output(arg_name="e", topic_endpoint_uri="U", topic_key_setting="K")
            @app.table_input(arg_name="row", connection="C", table_name="t", row_key="r", partition_key="p")
            @app.table_output(arg_name="row", connection="C", table_name="t")
            @app.sql_trigger(arg_name="changes", table_name="dbo.T", connection_string_setting="S")
            @app.sql_input(arg_name="rows", command_text="select 1", connection_string_setting="S")
            @app.kafka_trigger(arg_name="k", topic="t", broker_list="B", consumer_group="g")
            @app.warm_up_trigger(arg_name="w")"#]].assert_eq(&out.join("\n"));
    }

    #[test]
    fn http_trigger_and_its_output_become_one_route() {
        expect_test::expect![[r#"
            @app.route(
                trigger_arg_name="request",
                binding_arg_name="response",
                auth_level=func.AuthLevel.ADMIN,
                methods=[func.HttpMethod.GET],
                route="items/{id}",
                trigger_extra_fields={"webHookType": "genericJson"},
            )"#]]
        .assert_eq(&decorators(
            r#"{"type": "httpTrigger", "direction": "in", "name": "request", "authLevel": "Admin",
                "methods": ["get"], "route": "items/{id}", "webHookType": "genericJson"},
               {"type": "http", "direction": "out", "name": "response"}"#,
        ));
        // The defaults (`req`, `$return`) are left out.
        expect_test::expect!["@app.route()"].assert_eq(&decorators(
            r#"{"type": "httpTrigger", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}"#,
        ));
        // Without its HTTP output, `route` would add one: the generic decorator keeps it out.
        expect_test::expect![[
            r#"@app.generic_trigger(arg_name="req", type="httpTrigger", authLevel="anonymous")"#
        ]]
        .assert_eq(&decorators(
            r#"{"type": "httpTrigger", "name": "req", "authLevel": "anonymous"}"#,
        ));
    }

    #[test]
    fn types_without_a_decorator_use_the_generic_ones() {
        expect_test::expect![[r#"
            @app.generic_trigger(arg_name="payload", type="activityTrigger")
            @app.generic_input_binding(arg_name="starter", type="durableClient", taskHub="H")
            @app.generic_output_binding(
                arg_name="$return",
                type="signalR",
                data_type=func.DataType.STRING,
                hubName="chat",
            )"#]].assert_eq(&decorators(
            r#"{"type": "activityTrigger", "name": "payload"},
               {"type": "durableClient", "direction": "in", "name": "starter", "taskHub": "H"},
               {"type": "signalR", "direction": "out", "name": "$return", "hubName": "chat", "dataType": "string"}"#,
        ));
        // A decorator that would need a property the binding lacks is not used.
        expect_test::expect![[
            r#"@app.generic_trigger(arg_name="msg", type="queueTrigger", connection="C")"#
        ]]
        .assert_eq(&decorators(
            r#"{"type": "queueTrigger", "name": "msg", "connection": "C"}"#,
        ));
    }

    #[test]
    fn values_keep_their_json_meaning() {
        expect_test::expect![[r#"
            @app.generic_output_binding(
                arg_name="x",
                type="custom",
                text="a \"q\" \\ \n é",
                count=-1.5e3,
                flag=True,
                list=[1, "two", False],
                nested={"k": [None]},
            )"#]]
        .assert_eq(&decorators(
            r#"{"type": "custom", "direction": "out", "name": "x", "text": "a \"q\" \\ \n é",
                "count": -1.5e3, "flag": true, "none": null, "list": [1, "two", false],
                "nested": {"k": [null]}}"#,
        ));
    }

    #[test]
    fn what_the_library_cannot_emit_is_refused() {
        expect_test::expect![[r#"
            refused at `"inout"`: direction `inout` has no decorator (the Python worker refuses it too)
            refused at `"snake_key"`: property `snake_key` cannot be passed to a decorator: the library would rename it to `snakeKey`
            refused at `"dash-key"`: property `dash-key` cannot be a keyword argument of a decorator (not a Python name)
            refused at `"class"`: property `class` cannot be a keyword argument of a decorator (not a Python name)
            refused at `"cardinality"`: `several` is not one of `Cardinality` (ONE, MANY), which the decorator requires
            refused at `{"direction": "out", "name": "nothing"}`: the binding has no string `type`"#]].assert_eq(&decorators(
            r#"{"type": "queue", "direction": "inout", "name": "q"},
               {"type": "custom", "direction": "in", "name": "x", "snake_key": 1, "dash-key": 2, "class": 3},
               {"type": "eventHubTrigger", "name": "e", "eventHubName": "h", "connection": "C", "cardinality": "several"},
               {"direction": "out", "name": "nothing"}"#,
        ));
    }
}
