//! What the host sees: for every function, the metadata the worker sends the host (name, script,
//! entry point, bindings with every property after the decorators are translated), the settings
//! each property resolves to in local.settings.json (secret values masked), and the HTTP route as
//! the host builds it. The same view in both models; `azfunc-lsp inspect` and the server's
//! `azfunc-lsp.showFunctionMetadata` command print it.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::app::AppInput;
use super::function::{Declaration, FunctionUnit, Script};
use super::function_json::Binding;
use super::json::{JsonKind, JsonMember, JsonValue};
use super::settings::{self, LocalSettings, Resolution, CONNECTION_KEYS};
use super::v2::{self, V2App};

/// The view of one app.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostView {
    /// `function.json` or `decorators`.
    pub model: &'static str,
    /// `extensions.http.routePrefix` of host.json (`api` when unset).
    pub route_prefix: String,
    /// Whether local.settings.json exists (when it does not, no setting resolves).
    pub local_settings: bool,
    pub functions: Vec<FunctionView>,
}

/// One function as the host receives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionView {
    pub name: String,
    /// The file that declares the function (its function.json, or the Python file with its
    /// decorators).
    pub declared_in: String,
    /// The script the worker loads; `None` when the host finds none.
    pub script_file: Option<String>,
    /// The entry point in the metadata (function.json's `entryPoint`, `main` by default; the
    /// function name for a decorated function).
    pub entry_point: String,
    /// The Python function the worker calls, when it is a `def` of the app.
    pub python_function: Option<String>,
    /// The HTTP route, for a function with an HTTP trigger.
    pub http: Option<HttpView>,
    pub bindings: Vec<BindingView>,
}

/// An HTTP trigger's route as the host serves it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpView {
    /// The URL path: `/api/orders/{id}`.
    pub url: String,
    /// The route template (`route`, or the function name when unset).
    pub template: String,
    /// Upper-case methods; `None` when the trigger accepts every method.
    pub methods: Option<Vec<String>>,
    /// `anonymous`, `function` or `admin` (as written when it is none of them).
    pub auth_level: String,
}

/// One binding: its name, type and direction, every other property, and the settings those
/// properties name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BindingView {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub binding_type: Option<String>,
    pub direction: Option<String>,
    pub properties: Properties,
    pub settings: Vec<SettingUse>,
    /// Whether the host takes the binding as the function's trigger.
    #[serde(skip)]
    pub is_trigger: bool,
    /// What the binding points at (its queue, path, schedule, …), for the summary.
    #[serde(skip)]
    pub target: Option<String>,
}

/// Properties in declaration order (a JSON object when serialised).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Properties(pub Vec<(String, JsonValue)>);

/// A setting a property reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingUse {
    /// The property (`connection`, `queueName`, …).
    pub property: String,
    /// The setting's name.
    pub setting: String,
    /// `Values` or `ConnectionStrings` of local.settings.json; `None` when it is not set there.
    pub found_in: Option<&'static str>,
    /// The value, masked when it looks secret (always for a connection string).
    pub value: Option<String>,
}

impl HostView {
    /// The function named `name` (as the host compares names: ignoring case).
    pub fn function(&self, name: &str) -> Option<&FunctionView> {
        self.functions
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

impl FunctionView {
    /// `GET POST /api/orders/{id} · 3 bindings`, or the trigger and what it listens to:
    /// `queueTrigger orders-in · 2 bindings` (`ANY` when an HTTP trigger takes every method).
    pub fn summary(&self) -> String {
        let bindings = match self.bindings.len() {
            1 => "1 binding".to_string(),
            n => format!("{n} bindings"),
        };
        let head = match &self.http {
            Some(h) => match &h.methods {
                Some(m) if !m.is_empty() => format!("{} {}", m.join(" "), h.url),
                _ => format!("ANY {}", h.url),
            },
            None => match self.bindings.iter().find(|b| b.is_trigger) {
                Some(b) => {
                    let t = b.binding_type.as_deref().unwrap_or("?");
                    match &b.target {
                        Some(target) => format!("{t} {target}"),
                        None => t.to_string(),
                    }
                }
                None => "no trigger".to_string(),
            },
        };
        format!("{head} · {bindings}")
    }
}

/// The view of every function of `units` (the app's functions in host order). `model` is the
/// decorator model of the app, when it uses it (for the app object's `http_auth_level`).
pub fn host_view<'u>(
    app: &AppInput,
    units: impl IntoIterator<Item = &'u FunctionUnit>,
    model: Option<&V2App>,
) -> HostView {
    let local = settings::local_settings(app);
    let prefix = super::routes::route_prefix(app);
    let functions = units
        .into_iter()
        .map(|u| function_view(u, &prefix, local.as_ref(), model))
        .collect();
    HostView {
        model: if super::app_script::uses_decorator_model(app) {
            "decorators"
        } else {
            "function.json"
        },
        route_prefix: prefix,
        local_settings: local.is_some(),
        functions,
    }
}

/// [`host_view`] of a whole app: reads its modules and finds its functions.
pub fn host_view_of_app(app: &AppInput) -> HostView {
    let modules = super::function::parse_modules(app);
    let units = super::function::discover_all(app, &modules);
    let model = v2::model(app, &modules);
    host_view(app, &units, model.as_ref())
}

fn function_view(
    unit: &FunctionUnit,
    prefix: &str,
    local: Option<&LocalSettings>,
    model: Option<&V2App>,
) -> FunctionView {
    let (script_file, entry_point, python_function) = match &unit.declaration {
        Declaration::FunctionJson { .. } => {
            let script = match &unit.script {
                Script::Found { path, .. } => Some(path.clone()),
                _ => None,
            };
            let entry = unit.json.entry_name().to_string();
            (script, entry.clone(), Some(entry))
        }
        Declaration::Decorators(d) => {
            let def = (d.signature != v2::SignatureKind::None).then(|| d.def_name.clone());
            (Some(d.script.clone()), unit.name.clone(), def)
        }
    };
    let bindings: Vec<Binding> = unit
        .bindings()
        .iter()
        .map(|b| match unit.decorated() {
            Some(_) if b.is_http_trigger() => library_http_defaults(unit, b, model),
            _ => b.clone(),
        })
        .collect();
    let http = bindings
        .iter()
        .find(|b| b.is_http_trigger())
        .map(|b| http_view(unit, b, prefix));
    FunctionView {
        name: unit.name.clone(),
        declared_in: unit.declaration_file().to_string(),
        script_file,
        entry_point,
        python_function,
        http,
        bindings: bindings.iter().map(|b| binding_view(b, local)).collect(),
    }
}

/// A decorated HTTP trigger as the library completes it when the app builds its functions: no
/// `route` means the function name, no `auth_level` the indexing app's `http_auth_level`
/// (`FUNCTION` by default).
fn library_http_defaults(unit: &FunctionUnit, b: &Binding, model: Option<&V2App>) -> Binding {
    let mut b = b.clone();
    let text = |key: &str, value: String| JsonMember {
        key: key.to_string(),
        key_range: Default::default(),
        value: Some(JsonValue {
            kind: JsonKind::String(value),
            range: Default::default(),
        }),
    };
    if b.property("route").is_none() {
        b.members.push(text("route", unit.name.clone()));
    }
    if b.property("authLevel").is_none() {
        let level = app_auth_level(unit, model).unwrap_or_else(|| "FUNCTION".to_string());
        b.members.push(text("authLevel", level));
    }
    b
}

/// What a binding points at: its queue, path, schedule, route, hub, topic or table.
pub fn binding_target(b: &Binding) -> Option<String> {
    let t = b.type_str()?.to_ascii_lowercase();
    let get = |k: &str| b.property_str(k).map(|s| s.value).filter(|s| !s.is_empty());
    match t.as_str() {
        "httptrigger" => None,
        "cosmosdbtrigger" | "cosmosdb" => {
            let db = get("databaseName");
            let container = get("containerName").or_else(|| get("collectionName"));
            match (db, container) {
                (Some(d), Some(c)) => Some(format!("{d}/{c}")),
                (d, c) => d.or(c),
            }
        }
        "servicebustrigger" | "servicebus" => get("queueName").or_else(|| {
            let topic = get("topicName")?;
            Some(match get("subscriptionName") {
                Some(s) => format!("{topic}/{s}"),
                None => topic,
            })
        }),
        _ => [
            "queueName",
            "path",
            "schedule",
            "eventHubName",
            "tableName",
            "topicName",
            "hubName",
        ]
        .iter()
        .find_map(|k| get(k)),
    }
}

/// The keys shown apart from a binding's other properties.
const OWN_KEYS: [&str; 3] = ["name", "type", "direction"];

fn binding_view(b: &Binding, local: Option<&LocalSettings>) -> BindingView {
    let properties: Vec<(String, JsonValue)> = b
        .members
        .iter()
        .filter(|m| !OWN_KEYS.iter().any(|k| m.key.eq_ignore_ascii_case(k)))
        .filter_map(|m| Some((m.key.clone(), m.value.clone()?)))
        .collect();
    let mut settings = Vec::new();
    for (key, value) in &properties {
        let strings: Vec<&str> = match &value.kind {
            JsonKind::String(s) => vec![s.as_str()],
            JsonKind::Array(items) => items.iter().filter_map(|i| i.as_str()).collect(),
            _ => Vec::new(),
        };
        if CONNECTION_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            if let Some(name) = strings.first() {
                connection_uses(key, name, local, &mut settings);
            }
            continue;
        }
        for s in strings {
            for (name, _) in settings::setting_expressions(s) {
                settings.push(value_use(key, &name, local));
            }
        }
    }
    BindingView {
        name: b.name_str().map(str::to_string),
        binding_type: b.type_str().map(str::to_string),
        direction: b
            .direction
            .map(|d| d.as_str().to_string())
            .or_else(|| b.direction_raw.as_ref().map(|d| d.value.clone())),
        properties: Properties(properties),
        settings,
        is_trigger: b.is_trigger(),
        target: binding_target(b),
    }
}

/// A `%Name%` setting: the host reads it from the app settings (`Values`).
fn value_use(property: &str, name: &str, local: Option<&LocalSettings>) -> SettingUse {
    let found = local.and_then(|l| l.value(name));
    SettingUse {
        property: property.to_string(),
        setting: name.to_string(),
        found_in: found.map(|_| "Values"),
        value: found
            .and_then(|s| s.value.as_deref())
            .map(|v| settings::masked(name, v)),
    }
}

/// A connection: the setting (or identity-based section) the SDK resolves it to.
fn connection_uses(
    property: &str,
    name: &str,
    local: Option<&LocalSettings>,
    out: &mut Vec<SettingUse>,
) {
    let shown = |s: &settings::Setting, always: bool| {
        s.value.as_deref().map(|v| {
            if always && v != "UseDevelopmentStorage=true" {
                settings::mask(v)
            } else {
                settings::masked(&s.name, v)
            }
        })
    };
    let unresolved = || SettingUse {
        property: property.to_string(),
        setting: if name.trim().is_empty() {
            "AzureWebJobsStorage".to_string()
        } else {
            name.to_string()
        },
        found_in: None,
        value: None,
    };
    let Some(local) = local else {
        out.push(unresolved());
        return;
    };
    match local.resolve_connection(name) {
        Resolution::Setting(s) => out.push(SettingUse {
            property: property.to_string(),
            setting: s.name.clone(),
            found_in: Some("Values"),
            value: shown(s, true),
        }),
        Resolution::ConnectionString(s) => out.push(SettingUse {
            property: property.to_string(),
            setting: s.name.clone(),
            found_in: Some("ConnectionStrings"),
            value: shown(s, true),
        }),
        Resolution::Section { keys, .. } => out.extend(keys.into_iter().map(|s| SettingUse {
            property: property.to_string(),
            setting: s.name.clone(),
            found_in: Some("Values"),
            value: shown(s, false),
        })),
        Resolution::Unresolved => out.push(unresolved()),
    }
}

fn http_view(unit: &FunctionUnit, b: &Binding, prefix: &str) -> HttpView {
    let template = b
        .property_str("route")
        .map(|r| r.value)
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| unit.name.clone());
    let prefix = prefix.trim_matches('/');
    let path = template.trim_matches('/');
    let url = match (prefix.is_empty(), path.is_empty()) {
        (true, _) => format!("/{path}"),
        (false, true) => format!("/{prefix}"),
        (false, false) => format!("/{prefix}/{path}"),
    };
    let methods = b
        .property("methods")
        .and_then(|m| m.value.as_ref())
        .and_then(|v| v.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str())
                .map(str::to_ascii_uppercase)
                .collect()
        });
    let auth_level = b
        .property_str("authLevel")
        .map(|a| a.value)
        .unwrap_or_else(|| "function".to_string())
        .to_ascii_lowercase();
    HttpView {
        url,
        template,
        methods,
        auth_level,
    }
}

/// The `http_auth_level` of the app object that indexes a decorated function (a blueprint's
/// functions take the level of the app that registers them), when it is written.
fn app_auth_level(unit: &FunctionUnit, model: Option<&V2App>) -> Option<String> {
    let d = unit.decorated()?;
    let model = model?;
    let object = model.app_names.iter().find(|n| n.name == d.app_var)?.object;
    let obj = model.objects.get(object)?;
    let position = match obj.kind {
        v2::ObjectKind::AsgiFunctionApp | v2::ObjectKind::WsgiFunctionApp => 1,
        _ => 0,
    };
    let arg = obj.call.keyword("http_auth_level").or_else(|| {
        obj.call
            .args
            .get(position)
            .filter(|a| a.keyword.is_none() && a.splat == v2::syntax::Splat::None)
    })?;
    let spec = super::catalog::enumeration("AuthLevel")?;
    // Only a literal or an `AuthLevel` member: a named constant is left to the default.
    let lookup = |_: &str| None;
    match v2::bind::enum_value(spec, &arg.value, true, &lookup) {
        v2::bind::EnumValue::Valid(m) => Some(m.to_string()),
        _ => None,
    }
}

impl Serialize for Properties {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, &Value(v))?;
        }
        map.end()
    }
}

/// A JSON value serialised as the JSON it is (numbers as numbers when they fit).
pub struct Value<'v>(pub &'v JsonValue);

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0.kind {
            JsonKind::String(v) => s.serialize_str(v),
            JsonKind::Number(n) => {
                if let Ok(i) = n.parse::<i64>() {
                    s.serialize_i64(i)
                } else if let Some(f) = n.parse::<f64>().ok().filter(|f| f.is_finite()) {
                    s.serialize_f64(f)
                } else {
                    s.serialize_str(n)
                }
            }
            JsonKind::Bool(b) => s.serialize_bool(*b),
            JsonKind::Null | JsonKind::Invalid => s.serialize_none(),
            JsonKind::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(&Value(i))?;
                }
                seq.end()
            }
            JsonKind::Object(members) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for m in members {
                    if let Some(v) = &m.value {
                        map.serialize_entry(&m.key, &Value(v))?;
                    }
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support::app;

    fn http(view: &HostView, name: &str) -> HttpView {
        view.function(name).unwrap().http.clone().unwrap()
    }

    #[test]
    fn decorated_routes_get_the_library_defaults() {
        let view = host_view_of_app(&app(
            "//- /function_app.py\nimport azure.functions as func\nfrom jobs import bp\n\napp = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)\napp.register_functions(bp)\n\n@app.route(route=\"/items/{id}/\", methods=[\"get\"], auth_level=\"admin\")\ndef item(req: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"\")\n//- /jobs.py\nimport azure.functions as func\n\nbp = func.Blueprint()\n\n@bp.route()\ndef ping(req: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"\")\n//- /host.json\n{\"version\": \"2.0\"}\n",
        ));
        assert_eq!(view.model, "decorators");
        // A blueprint's route: the function name, at the registering app's level.
        let ping = http(&view, "ping");
        assert_eq!(
            (ping.url.as_str(), ping.template.as_str()),
            ("/api/ping", "ping")
        );
        assert_eq!(ping.auth_level, "anonymous");
        assert_eq!(ping.methods, None);
        let trigger = &view.function("ping").unwrap().bindings[0];
        let keys: Vec<&str> = trigger
            .properties
            .0
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["route", "authLevel"]);
        let item = http(&view, "item");
        assert_eq!(item.url, "/api/items/{id}");
        assert_eq!(item.methods, Some(vec!["GET".to_string()]));
        assert_eq!(item.auth_level, "admin");
    }

    #[test]
    fn function_json_defaults_and_no_local_settings() {
        let view = host_view_of_app(&app(
            "//- /host.json\n{\"version\": \"2.0\", \"extensions\": {\"http\": {\"routePrefix\": \"\"}}}\n//- /Orders/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"req\"}, {\"type\": \"queue\", \"direction\": \"out\", \"name\": \"q\", \"queueName\": \"%Q%\", \"connection\": \"\"}]}\n//- /Orders/__init__.py\ndef main(req, q):\n    pass\n",
        ));
        assert_eq!(view.model, "function.json");
        assert!(!view.local_settings);
        let orders = view.function("orders").unwrap();
        assert_eq!(orders.entry_point, "main");
        assert_eq!(orders.script_file.as_deref(), Some("Orders/__init__.py"));
        let h = orders.http.clone().unwrap();
        assert_eq!(
            (h.url.as_str(), h.auth_level.as_str()),
            ("/Orders", "function")
        );
        assert_eq!(orders.summary(), "ANY /Orders · 2 bindings");
        let settings: Vec<(&str, Option<&str>)> = orders.bindings[1]
            .settings
            .iter()
            .map(|s| (s.setting.as_str(), s.found_in))
            .collect();
        // An empty connection is the storage account's.
        assert_eq!(settings, [("Q", None), ("AzureWebJobsStorage", None)]);
    }
}
