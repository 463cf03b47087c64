//! The hover on a parameter and the checks agree: every annotation the hover lists as accepted
//! for a binding draws no annotation diagnostic (AZF2xx) on that parameter, for every binding
//! type of the catalog in each of its directions, in both programming models.

use super::hover;
use crate::analysis::catalog::binding_types::BINDING_TYPES;
use crate::analysis::rules::test_support;
use crate::analysis::state::AppState;
use crate::analysis::text::TextRange;

#[derive(Clone, Copy, Debug)]
enum Model {
    FunctionJson,
    Decorators,
}

/// An app with one function: a binding of `binding_type` in `direction` bound to parameter `p`
/// annotated `annotation` (none when empty), beside a timer trigger when the binding is not one.
/// Returns the app and the Python file.
fn app(
    model: Model,
    binding_type: &str,
    is_trigger: bool,
    direction: &str,
    annotation: &str,
) -> (String, &'static str) {
    let p = if annotation.is_empty() {
        "p".to_string()
    } else {
        format!("p: {annotation}")
    };
    let params = if is_trigger {
        p
    } else {
        format!("t: func.TimerRequest, {p}")
    };
    let imports = "import typing\nfrom typing import List\nimport azure.functions as func\n";
    match model {
        Model::FunctionJson => {
            let trigger = if is_trigger {
                String::new()
            } else {
                r#"{"type": "timerTrigger", "name": "t", "schedule": "0 */5 * * * *"}, "#
                    .to_string()
            };
            (
                format!(
                    "//- /host.json\n{{\"version\": \"2.0\"}}\n//- /F/function.json\n{{\"bindings\": [{trigger}{{\"type\": \"{binding_type}\", \"direction\": \"{direction}\", \"name\": \"p\"}}]}}\n//- /F/__init__.py\n{imports}def main({params}) -> None:\n    pass\n"
                ),
                "F/__init__.py",
            )
        }
        Model::Decorators => {
            let decorator = match (is_trigger, direction) {
                (true, _) => "generic_trigger",
                (false, "out") => "generic_output_binding",
                _ => "generic_input_binding",
            };
            let timer = if is_trigger {
                ""
            } else {
                "@app.timer_trigger(arg_name=\"t\", schedule=\"0 */5 * * * *\")\n"
            };
            (
                format!(
                    "//- /host.json\n{{\"version\": \"2.0\"}}\n//- /function_app.py\n{imports}app = func.FunctionApp()\n\n{timer}@app.{decorator}(arg_name=\"p\", type=\"{binding_type}\")\ndef main({params}) -> None:\n    pass\n"
                ),
                "function_app.py",
            )
        }
    }
}

/// The annotations listed by the hover on `p`.
fn listed(state: &AppState, file: &str) -> Vec<String> {
    let text = state.input().text(file).unwrap();
    let offset = param_range(text).start as usize;
    let md = hover(state, file, offset)
        .unwrap_or_else(|| panic!("no hover on p in\n{text}"))
        .markdown;
    let Some(line) = md
        .lines()
        .find_map(|l| l.strip_prefix("Accepted annotations: "))
    else {
        return Vec::new();
    };
    line.split(", ")
        .map(|a| a.trim_matches('`').to_string())
        .collect()
}

/// The range of parameter `p` (with its annotation) in `text`.
fn param_range(text: &str) -> TextRange {
    let start = text
        .find(", p")
        .map(|i| i + 2)
        .or_else(|| text.find("(p").map(|i| i + 1))
        .unwrap();
    let end = start + text[start..].find(") -> None").unwrap();
    TextRange::new(start, end)
}

#[test]
fn every_accepted_annotation_in_hover_draws_no_annotation_warning() {
    // The parameter and annotation rules: the family of "parameter without binding".
    let family = &crate::analysis::rules::PARAMETER_WITHOUT_BINDING.code[..4];
    let mut checked = 0;
    let mut disagreements = Vec::new();
    for spec in BINDING_TYPES {
        for direction in spec
            .directions
            .iter()
            .filter(|d| matches!(**d, "in" | "out"))
        {
            for model in [Model::FunctionJson, Model::Decorators] {
                let (fixture, file) = app(model, spec.name, spec.is_trigger, direction, "");
                let state = AppState::new(test_support::app(&fixture));
                let accepted = listed(&state, file);
                for annotation in &accepted {
                    let (fixture, file) =
                        app(model, spec.name, spec.is_trigger, direction, annotation);
                    let mut state = AppState::new(test_support::app(&fixture));
                    let text = state.input().text(file).unwrap().to_string();
                    let range = param_range(&text);
                    checked += 1;
                    for d in test_support::diagnostics(&mut state) {
                        if d.file == file
                            && d.code.as_str().starts_with(family)
                            && d.range.start < range.end
                            && range.start < d.range.end
                        {
                            disagreements.push(format!(
                                "{model:?} {} {direction} `{annotation}`: {} {}",
                                spec.name,
                                d.code.as_str(),
                                d.message
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 200, "only {checked} annotations checked");
    assert!(
        disagreements.is_empty(),
        "hover lists annotations the checks warn about:\n{}",
        disagreements.join("\n")
    );
}

/// The binding properties a decorator of the Python library writes for `binding_type`: its
/// keywords in camelCase, except the ones that name the binding or pass extra fields.
fn decorator_properties(binding_type: &str) -> Vec<String> {
    use crate::analysis::catalog::decorator_types::camel_case;
    use crate::analysis::catalog::decorators::DECORATORS;
    let mut out = Vec::new();
    for d in DECORATORS
        .iter()
        .filter(|d| d.binding_type == Some(binding_type))
    {
        for p in d.params {
            if Some(p.name) == d.name_param
                || matches!(p.name, "trigger_arg_name" | "binding_arg_name")
                || p.name.ends_with("_extra_fields")
            {
                continue;
            }
            let key = if p.name == "data_type" {
                Some("dataType".to_string())
            } else {
                camel_case(p.name)
            };
            out.extend(key);
        }
    }
    out
}

#[test]
fn every_binding_property_has_a_hover_in_function_json() {
    let mut checked = 0;
    let mut missing = Vec::new();
    for spec in BINDING_TYPES {
        let mut keys: Vec<String> = ["type", "name", "direction", "dataType"]
            .iter()
            .map(|k| k.to_string())
            .collect();
        keys.extend(
            spec.props
                .unwrap_or_default()
                .iter()
                .map(|p| p.name.to_string()),
        );
        keys.extend(decorator_properties(spec.name));
        keys.sort();
        keys.dedup();
        for key in keys {
            let direction = spec.directions.first().copied().unwrap_or("in");
            let json = format!(
                "{{\"bindings\": [{{\"type\": \"{}\", \"direction\": \"{direction}\", \"name\": \"p\", \"|{key}\": \"x\"}}]}}",
                spec.name
            );
            let (state, offset) = crate::analysis::ide::test_state(
                &[
                    ("host.json", "{\"version\": \"2.0\"}"),
                    ("F/function.json", &json),
                ],
                "F/function.json",
            );
            checked += 1;
            match hover(&state, "F/function.json", offset + 1) {
                Some(h) if h.markdown.contains(&key) => {}
                other => missing.push(format!("{}.{key}: {other:?}", spec.name)),
            }
        }
    }
    assert!(checked > 150, "only {checked} properties checked");
    assert!(
        missing.is_empty(),
        "binding properties without a hover:\n{}",
        missing.join("\n")
    );
}

/// The properties of each binding type in the function.json schema digest of the product's
/// catalog (for the types this tool knows).
const SCHEMA_PROPERTIES: &[(&str, &[&str])] = &[
    ("blob", &["dataType", "path", "connection"]),
    ("blobTrigger", &["dataType", "path", "connection"]),
    ("eventHub", &["dataType", "path", "connection"]),
    (
        "eventHubTrigger",
        &[
            "dataType",
            "path",
            "connection",
            "consumerGroup",
            "cardinality",
        ],
    ),
    ("http", &["dataType"]),
    (
        "httpTrigger",
        &["dataType", "route", "webHookType", "authLevel", "methods"],
    ),
    (
        "kusto",
        &[
            "dataType",
            "connection",
            "database",
            "managedServiceIdentity",
            "kqlCommand",
            "kqlParameters",
            "tableName",
            "mappingRef",
            "dataFormat",
        ],
    ),
    (
        "mysql",
        &[
            "dataType",
            "connectionStringSetting",
            "commandText",
            "commandType",
            "parameters",
        ],
    ),
    (
        "mysqlTrigger",
        &["dataType", "connectionStringSetting", "tableName"],
    ),
    (
        "notificationHub",
        &[
            "dataType",
            "tagExpression",
            "hubName",
            "connection",
            "platform",
        ],
    ),
    ("queue", &["dataType", "queueName", "connection"]),
    ("queueTrigger", &["dataType", "queueName", "connection"]),
    (
        "sendGrid",
        &["dataType", "apiKey", "to", "from", "subject", "text"],
    ),
    (
        "serviceBus",
        &[
            "dataType",
            "queueName",
            "topicName",
            "subscriptionName",
            "connection",
            "accessRights",
        ],
    ),
    (
        "serviceBusTrigger",
        &[
            "dataType",
            "queueName",
            "topicName",
            "subscriptionName",
            "connection",
            "accessRights",
        ],
    ),
    (
        "sql",
        &[
            "dataType",
            "connectionStringSetting",
            "commandText",
            "commandType",
            "parameters",
        ],
    ),
    (
        "sqlTrigger",
        &["dataType", "connectionStringSetting", "tableName"],
    ),
    (
        "table",
        &[
            "dataType",
            "tableName",
            "partitionKey",
            "rowKey",
            "connection",
            "take",
            "filter",
        ],
    ),
    (
        "timerTrigger",
        &["dataType", "schedule", "runOnStartup", "useMonitor"],
    ),
    (
        "twilioSms",
        &["dataType", "accountSid", "authToken", "to", "from", "body"],
    ),
];

#[test]
fn every_schema_property_has_a_hover_in_function_json() {
    let mut missing = Vec::new();
    for (binding_type, keys) in SCHEMA_PROPERTIES {
        let spec = crate::analysis::catalog::binding_type(binding_type).unwrap();
        let direction = spec.directions.first().copied().unwrap_or("in");
        for key in *keys {
            let json = format!(
                "{{\"bindings\": [{{\"type\": \"{binding_type}\", \"direction\": \"{direction}\", \"name\": \"p\", \"|{key}\": \"x\"}}]}}"
            );
            let (state, offset) = crate::analysis::ide::test_state(
                &[
                    ("host.json", "{\"version\": \"2.0\"}"),
                    ("F/function.json", &json),
                ],
                "F/function.json",
            );
            match hover(&state, "F/function.json", offset + 1) {
                Some(h) if h.markdown.contains(key) => {}
                other => missing.push(format!("{binding_type}.{key}: {other:?}")),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "schema properties without a hover:\n{}",
        missing.join("\n")
    );
}
