//! AZF201: a parameter of the entry function has no binding in function.json.

use std::collections::HashSet;

use super::context::{did_you_mean_hint, Counterparts, FunctionCtx};
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{quoted, Diagnostic, FileEdit, Severity};
use crate::analysis::annotations::{ClassRef, Resolved};
use crate::analysis::routes::route_params;
use super::fix_support::{entry_of, rename_binding_fix, rename_parameter_fix, unbound_params, unmatched_bindings, FixCtx, QuickFix};
use crate::analysis::annotations::{self, EvalSite};
use crate::analysis::catalog::annotation_matrix::{ANNOTATIONS, MATRIX};
use crate::analysis::catalog::binding_type;
use crate::analysis::edits::{add_object_item, json_quote};
use crate::analysis::entry::EntryDef;
use crate::analysis::function::FunctionUnit;
use crate::analysis::json;
use crate::analysis::names::binding_name_problem;
use crate::analysis::python::Param;
use super::context::counterpart;

pub const META: RuleMeta = RuleMeta {
    code: "AZF201",
    name: "parameter-without-binding",
    severity: Severity::Error,
    summary: "A parameter of the entry function has no binding of the same name in function.json",
    explanation: r#"The worker passes each binding as the parameter of the same name (case-sensitive). A parameter
with no binding (other than `context`) fails the load: "the following parameters are declared in
Python but not in function.json".

```python
def main(request: func.HttpRequest) -> func.HttpResponse:   # the binding is named "req"
```

Rename the parameter to `req`, or the binding to `request`.
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(sig) = ctx.signature() else { return };
    // A decorator above the binding decorators that raises fails the import first (AZF720).
    if let (Some(v2), Some(module)) = (ctx.unit.decorated(), ctx.module) {
        if v2.def_offset == Some(sig.function.def_offset)
            && super::azf720_v2_decorator_above_bindings::import_fails_above(
                module,
                sig.function,
                &v2.decorators,
            )
        {
            return;
        }
    }
    // Every parameter is bound in most functions: nothing below is needed then.
    let unbound = ctx.unbound_params().count();
    if unbound == 0 {
        return;
    }
    // The function's name, as every message of the function quotes it (cut when long).
    let fname = quoted(&sig.function.name);
    let binding_names: Vec<&str> = ctx
        .unit
        .bindings()
        .iter()
        .filter_map(|b| b.name_str())
        .filter(|n| *n != "$return")
        .collect();
    let param_names: HashSet<&str> = sig.params.iter().map(|p| p.param.name.as_str()).collect();
    let unmatched: Vec<&str> = binding_names
        .iter()
        .copied()
        .filter(|b| !param_names.contains(b))
        .collect();
    let counterparts = Counterparts::new(&unmatched);
    let route_params: HashSet<String> = http_route_params(ctx).into_iter().collect();
    for p in ctx.unbound_params() {
        let param = p.param;
        let is_context_like = matches!(
            &p.resolved,
            Some(Resolved::Class(ClassRef::Azure(n))) if n == "Context"
        ) || matches!(param.name.as_str(), "ctx" | "Context" | "context_");
        let route_param = route_params.contains(&param.name);
        let suggestion = if is_context_like || route_param {
            None
        } else {
            counterparts.find(&param.name, unbound == 1)
        };
        let hint = if is_context_like {
            " — name it 'context' to receive the invocation context".to_string()
        } else if route_param {
            format!(
                " — '{}' is a route parameter: read it with req.route_params.get(\"{}\")",
                param.name, param.name
            )
        } else {
            did_you_mean_hint(suggestion)
        };
        let message = match ctx.unit.decorated() {
            None => format!(
                "parameter '{}' of {}() is not declared in function.json, so {}{hint}",
                param.name,
                fname,
                ctx.load_failure()
            ),
            Some(v2) => {
                // `route()` names the request `req` unless `trigger_arg_name` says otherwise.
                let default_name = suggestion
                    .and_then(|s| ctx.bindings_by_name.get(s))
                    .and_then(|b| v2.origin(ctx.unit.bindings(), b))
                    .filter(|o| !o.name_given && !o.name_param.is_empty())
                    .map(|o| format!(" (route() passes the request as '{}' unless {}='{}' is set)", suggestion.unwrap_or(""), o.name_param, param.name))
                    .unwrap_or_default();
                let fault = ctx.app_fails(format!(
                    "parameter '{}' of {}() is not bound by any decorator (no arg_name='{}')",
                    param.name, fname, param.name,
                ));
                format!("{fault}{hint}{default_name}")
            }
        };
        let Some(mut d) = ctx.script_diag(&META, param.name_range, message) else {
            continue;
        };
        if let Some(s) = suggestion {
            if let Some(b) = ctx.bindings_by_name.get(s) {
                d = d.with_related(ctx.unit.declaration_file(), b.anchor(), format!("binding '{s}'"));
            }
            if let Some(script) = ctx.script_path {
                d = d.with_fix(
                    format!("Rename parameter '{}' to '{s}'", param.name),
                    vec![FileEdit {
                        file: script.to_string(),
                        range: param.name_range,
                        new_text: s.to_string(),
                    }],
                );
            }
        }
        out.push(d);
    }
}

/// The route parameters of the function's HTTP trigger.
fn http_route_params(ctx: &FunctionCtx) -> Vec<String> {
    ctx.unit
        .http_trigger()
        .and_then(|b| b.property_str("route"))
        .map(|r| route_params(&r.value))
        .unwrap_or_default()
}

/// Rename the parameter to its near-match binding (or the binding to it), or add a
/// binding of the type its annotation implies.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    let Some((unit, def)) = entry_of(ctx, d) else {
        return Vec::new();
    };
    let Some(p) = def.params().find(|p| p.name_range == d.range) else {
        return Vec::new();
    };
    let unmatched = unmatched_bindings(unit, &def);
    let unbound = unbound_params(unit, &def).len();
    let mut out = Vec::new();
    let suggestion = counterpart(&p.name, &unmatched, unbound == 1);
    if let Some(s) = suggestion {
        out.extend(rename_parameter_fix(&def, &p.name, s).map(|f| f.preferred(true).auto(true)));
        out.extend(rename_binding_fix(ctx, unit, s, &p.name));
    }
    let added = add_binding_fixes(ctx, unit, &def, p);
    let prefer_added = out.is_empty() && added.len() == 1;
    out.extend(added.into_iter().map(|f| f.preferred(prefer_added)));
    out
}

/// AZF201 in a decorator app: a binding decorator for the type(s) the annotation implies, written
/// right above the `def` (the library reads app decorators in any order).
fn add_decorator_fixes(
    unit: &FunctionUnit,
    def: &EntryDef,
    p: &Param,
    module: &crate::analysis::python::PyModule,
    annotation: &crate::analysis::python::Annotation,
    text: &str,
) -> Vec<QuickFix> {
    let Some(v2) = unit.decorated() else {
        return Vec::new();
    };
    // Another decorator between the app decorators and the `def` would receive the new one.
    if v2.signature != crate::analysis::v2::SignatureKind::Def || def.script != v2.file {
        return Vec::new();
    }
    let site = EvalSite {
        def_offset: def.function.def_offset,
        deferred: module.future_annotations,
    };
    let resolved = annotations::resolve(&annotation.expr, module, site);
    let Some((key, out)) = matrix_key(&resolved) else {
        return Vec::new();
    };
    let line_start = text[..def.function.def_offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let indent: String = text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let has_trigger = unit.bindings().iter().any(|b| b.is_trigger());
    let direction = if out { "out" } else { "in" };
    // The object as this file writes it (`app`, `bp`).
    let object = v2
        .decorators
        .first()
        .map_or(v2.app_var.as_str(), |d| &*d.object_text);
    binding_types_for(&key, out, has_trigger)
        .into_iter()
        .filter_map(|t| {
            crate::analysis::catalog::decorators::DECORATORS.iter().find(|d| {
                d.binding_type == Some(t) && d.direction == Some(direction) && !d.durable
            })
        })
        .take(3)
        .map(|spec| {
            let trigger = spec.adds_trigger();
            let mut args = vec![format!(
                "{}={}",
                spec.name_param.unwrap_or("arg_name"),
                json_quote(&p.name)
            )];
            let storage = matches!(
                spec.binding_type,
                Some("queueTrigger" | "queue" | "blobTrigger" | "blob" | "table")
            );
            for param in spec
                .params
                .iter()
                .filter(|x| x.required && Some(x.name) != spec.name_param && x.name != "connection")
            {
                let key = crate::analysis::catalog::decorator_types::camel_case(param.name)
                    .unwrap_or_else(|| param.name.to_string());
                args.push(format!(
                    "{}={}",
                    param.name,
                    json_quote(&placeholder(&key, &p.name, trigger))
                ));
            }
            let connection_required = spec.param("connection").is_some_and(|c| c.required);
            if storage && spec.param("connection").is_some() {
                args.push("connection=\"AzureWebJobsStorage\"".to_string());
            } else if connection_required {
                args.push(format!("connection={}", json_quote(&placeholder("connection", &p.name, trigger))));
            }
            let line = format!("{indent}@{object}.{}({})\n", spec.name, args.join(", "));
            QuickFix::new(
                format!(
                    "Add @{object}.{}(…) for '{}' in {}",
                    spec.name,
                    p.name,
                    super::fix_support::file_name(&v2.file)
                ),
                vec![FileEdit {
                    file: v2.file.clone(),
                    range: crate::analysis::text::TextRange::empty(line_start),
                    new_text: line,
                }],
            )
        })
        .collect()
}

/// The key of the annotation matrix a resolved annotation matches, and whether it is an output
/// (`Out[...]`).
fn matrix_key(resolved: &Resolved) -> Option<(String, bool)> {
    let key = |r: &Resolved| -> Option<String> {
        match r {
            Resolved::Class(ClassRef::Builtin(n)) => Some(n.clone()),
            Resolved::Class(ClassRef::Azure(n)) => Some(format!("func.{n}")),
            Resolved::List(inner) => match inner.as_ref() {
                Resolved::Class(ClassRef::Builtin(n)) if n == "str" => {
                    Some("typing.List[str]".to_string())
                }
                Resolved::Class(ClassRef::Azure(n)) => Some(format!("typing.List[func.{n}]")),
                _ => None,
            },
            _ => None,
        }
    };
    match resolved {
        Resolved::Out(args) => match args.as_slice() {
            [inner] => Some((key(inner)?, true)),
            _ => None,
        },
        other => Some((key(other)?, false)),
    }
}

/// Binding types commonly added by hand, in the order we suggest them.
const COMMON_TYPES: &[&str] = &[
    "httpTrigger",
    "timerTrigger",
    "queueTrigger",
    "blobTrigger",
    "serviceBusTrigger",
    "eventHubTrigger",
    "eventGridTrigger",
    "cosmosDBTrigger",
    "queue",
    "blob",
    "table",
    "cosmosDB",
    "serviceBus",
    "eventHub",
    "eventGrid",
    "http",
];

/// The binding types that take an annotation (by its matrix key), most likely first: the
/// types whose converter accepts it and does not accept every class.
fn binding_types_for(key: &str, out: bool, has_trigger: bool) -> Vec<&'static str> {
    let Some(i) = ANNOTATIONS.iter().position(|a| *a == key) else {
        return Vec::new();
    };
    let Some(object) = ANNOTATIONS.iter().position(|a| *a == "object") else {
        return Vec::new();
    };
    let mut found: Vec<&'static str> = MATRIX
        .iter()
        .filter(|e| {
            let row = if out { e.output } else { e.input }.as_bytes();
            row.get(i) == Some(&b'o') && row.get(object) != Some(&b'o')
        })
        .filter_map(|e| binding_type(e.binding_type))
        .filter(|spec| {
            let direction_ok = spec.directions.contains(&if out { "out" } else { "in" });
            let trigger_ok = !spec.is_trigger || (!out && !has_trigger);
            direction_ok && trigger_ok
        })
        .map(|spec| spec.name)
        .collect();
    found.sort_by_key(|t| {
        let rank = COMMON_TYPES
            .iter()
            .position(|c| c == t)
            .unwrap_or(COMMON_TYPES.len());
        let trigger = binding_type(t).is_some_and(|s| s.is_trigger);
        (trigger == has_trigger, rank)
    });
    found
}

/// A placeholder for a required binding property.
fn placeholder(key: &str, param: &str, trigger: bool) -> String {
    let lower = param.to_ascii_lowercase();
    match key {
        "queueName" => lower,
        "path" if trigger => "samples/{name}".to_string(),
        "path" => format!("samples/{lower}"),
        "schedule" => "0 */5 * * * *".to_string(),
        "tableName" => param.to_string(),
        "commandText" => "SELECT 1".to_string(),
        "connectionStringSetting" => "SqlConnectionString".to_string(),
        _ => lower,
    }
}

/// The members of a new binding object.
fn binding_members(type_name: &str, name: &str, out: bool) -> Vec<(String, String)> {
    let q = |s: &str| json_quote(s);
    let mut members = vec![
        (q("type"), q(type_name)),
        (q("direction"), q(if out { "out" } else { "in" })),
        (q("name"), q(name)),
    ];
    let Some(spec) = binding_type(type_name) else {
        return members;
    };
    if spec.name == "httpTrigger" {
        members.push((q("authLevel"), q("function")));
        members.push((q("methods"), "[\"get\", \"post\"]".to_string()));
    }
    for group in spec.required {
        if let Some(key) = group.first() {
            members.push((q(key), q(&placeholder(key, name, spec.is_trigger))));
        }
    }
    let storage = matches!(
        spec.name,
        "queueTrigger" | "queue" | "blobTrigger" | "blob" | "table"
    );
    if storage {
        members.push((q("connection"), q("AzureWebJobsStorage")));
    }
    members
}

/// AZF201: bindings of the type(s) the parameter's annotation implies.
fn add_binding_fixes(
    ctx: &dyn FixCtx,
    unit: &FunctionUnit,
    def: &EntryDef,
    p: &Param,
) -> Vec<QuickFix> {
    if binding_name_problem(&p.name).is_some() {
        return Vec::new();
    }
    let (Some(module), Some(annotation)) = (ctx.modules().get(def.script), &p.annotation) else {
        return Vec::new();
    };
    let Some(text) = ctx.input().text(unit.declaration_file()) else {
        return Vec::new();
    };
    if unit.decorated().is_some() {
        return add_decorator_fixes(unit, def, p, module, annotation, text);
    }
    let Some(array) = json::parse(text)
        .value
        .and_then(|root| root.get("bindings")?.value.clone())
        .filter(|v| v.as_array().is_some())
    else {
        return Vec::new();
    };
    let site = EvalSite {
        def_offset: def.function.def_offset,
        deferred: module.future_annotations,
    };
    let resolved = annotations::resolve(&annotation.expr, module, site);
    let Some((key, out)) = matrix_key(&resolved) else {
        return Vec::new();
    };
    let has_trigger = unit.bindings().iter().any(|b| b.is_trigger());
    binding_types_for(&key, out, has_trigger)
        .into_iter()
        .take(3)
        .map(|t| {
            let members = binding_members(t, &p.name, out);
            let edit = add_object_item(unit.declaration_file(), text, &array, &members);
            QuickFix::new(
                format!("Add a '{t}' binding '{}' to function.json", p.name),
                vec![edit],
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_script};
    use expect_test::expect;

    #[test]
    fn a_decorator_app_gets_a_binding_decorator() {
        let fixture = r#"
//- /function_app.py
import azure.functions as func

app = func.FunctionApp()

@app.route(route="orders")
def orders(req: func.HttpRequest, outbox: func.Out[func.QueueMessage]) -> func.HttpResponse:
    return func.HttpResponse("")
"#;
        expect![[r#"
            Add @app.queue_output(…) for 'outbox' in function_app.py [preferred]
            --- function_app.py
            import azure.functions as func

            app = func.FunctionApp()

            @app.route(route="orders")
            @app.queue_output(arg_name="outbox", queue_name="outbox", connection="AzureWebJobsStorage")
            def orders(req: func.HttpRequest, outbox: func.Out[func.QueueMessage]) -> func.HttpResponse:
                return func.HttpResponse("")
        "#]]
        .assert_eq(&super::super::test_support::check_fix(fixture, "AZF201", "Add @app.queue_output"));
    }

    #[test]
    fn parameters_without_bindings() {
        expect![[r#"
            Ctx/__init__.py:2:15 AZF201 error parameter 'ctx' of main() is not declared in function.json, so 'Ctx' does not load — name it 'context' to receive the invocation context
            F/__init__.py:2:10 AZF201 error parameter 'request' of main() is not declared in function.json, so 'F' does not load — did you mean 'req'?
              related F/function.json:1:47: binding 'req'
              fix: Rename parameter 'request' to 'req'
            F/__init__.py:2:37 AZF201 error parameter 'extra' of main() is not declared in function.json, so 'F' does not load
            G/__init__.py:1:10 AZF201 error parameter 'Msg' of main() is not declared in function.json, so 'G' does not load — did you mean 'msg'?
              related G/function.json:1:48: binding 'msg'
              fix: Rename parameter 'Msg' to 'msg'
            Route/__init__.py:1:15 AZF201 error parameter 'id' of main() is not declared in function.json, so 'Route' does not load — 'id' is a route parameter: read it with req.route_params.get("id")
        "#]]
        .assert_eq(&check(
            "AZF201",
            r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}]}
//- /F/__init__.py
import azure.functions as func
def main(request: func.HttpRequest, extra=1, context=None) -> func.HttpResponse:
    return func.HttpResponse("hi")
//- /G/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}]}
//- /G/__init__.py
def main(Msg): pass
//- /Ctx/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}]}
//- /Ctx/__init__.py
import azure.functions as func
def main(msg, ctx: func.Context): pass
//- /Route/function.json
{"bindings": [{"type": "httpTrigger", "name": "req", "route": "items/{id}"}]}
//- /Route/__init__.py
def main(req, id): pass
//- /Ok/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}]}
//- /Ok/__init__.py
def main(msg, context): pass
"#,
        ));
    }

    #[test]
    fn decorated_functions() {
        expect![[r#"
            function_app.py:5:11 AZF201 error parameter 'request' of hello() is not bound by any decorator (no arg_name='request'); the worker then indexes no function of the app ("0 functions found") — did you mean 'req'? (route() passes the request as 'req' unless trigger_arg_name='request' is set)
              related function_app.py:4:6: binding 'req'
              fix: Rename parameter 'request' to 'req'
            function_app.py:9:13 AZF201 error parameter 'message' of process() is not bound by any decorator (no arg_name='message'); the worker then indexes no function of the app ("0 functions found")
            function_app.py:9:41 AZF201 error parameter 'limit' of process() is not bound by any decorator (no arg_name='limit'); the worker then indexes no function of the app ("0 functions found")
        "#]]
        .assert_eq(&check_script(
            "AZF201",
            r#"

@app.route(route="hello")
def hello(request: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("hi")

@app.queue_trigger(arg_name="msg", queue_name="q", connection="C")
def process(message: func.QueueMessage, limit: int = 10) -> None:
    pass

@app.route(route="ok", trigger_arg_name="request")
def ok(request: func.HttpRequest, context: func.Context) -> str:
    return "ok"
"#,
        ));
    }

    #[test]
    fn settlement_client_parameters_are_filled_by_the_worker() {
        // The one unbound parameter annotated with a `GrpcClientType` is the worker's; a second
        // unbound parameter makes both unbound again, as in the worker.
        expect![[r#"
            function_app.py:13:38 AZF201 error parameter 'actions' of two() is not bound by any decorator (no arg_name='actions'); the worker then indexes no function of the app ("0 functions found")
            function_app.py:13:68 AZF201 error parameter 'extra' of two() is not bound by any decorator (no arg_name='extra'); the worker then indexes no function of the app ("0 functions found")
            function_app.py:16:47 AZF201 error parameter 'actions' of not_a_client() is not bound by any decorator (no arg_name='actions'); the worker then indexes no function of the app ("0 functions found")
        "#]]
        .assert_eq(&check_script(
            "AZF201",
            r#"import azurefunctions.extensions.base as base
from azurefunctions.extensions.bindings.servicebus import ServiceBusMessageActions, ServiceBusReceivedMessage

@app.service_bus_queue_trigger(arg_name="msg", queue_name="q", connection="C")
def settle(msg: func.ServiceBusMessage, actions: base.GrpcClientType) -> None: pass

@app.service_bus_queue_trigger(arg_name="msg", queue_name="q2", connection="C")
def actions_class(msg: ServiceBusReceivedMessage, actions: ServiceBusMessageActions) -> None: pass

@app.service_bus_queue_trigger(arg_name="msg", queue_name="q3", connection="C")
def two(msg: func.ServiceBusMessage, actions: base.GrpcClientType, extra: str) -> None: pass

@app.service_bus_queue_trigger(arg_name="msg", queue_name="q4", connection="C")
def not_a_client(msg: func.ServiceBusMessage, actions: base.SdkType) -> None: pass
"#,
        ));
    }

    #[test]
    fn a_decorator_that_fails_the_import_above_the_bindings_says_it_alone() {
        // validate_http above @app.route raises at import (AZF720); below, it owns `body`.
        expect![[r#"
            function_app.py:10:38 AZF201 error parameter 'body' of unrelated() is not bound by any decorator (no arg_name='body'); the worker then indexes no function of the app ("0 functions found")
        "#]]
        .assert_eq(&check_script(
            "AZF201",
            r#"from azure_functions_validation import validate_http

@validate_http(body=dict)
@app.route(route="items", methods=["POST"])
def create_item(req: func.HttpRequest, body: dict): pass

@app.route(route="other")
def unrelated(req: func.HttpRequest, body: dict): pass
"#,
        ));
    }
}
