//! AZF201: a parameter of the entry function has no binding in function.json.

use std::collections::HashSet;

use super::context::{did_you_mean_hint, Counterparts, FunctionCtx};
use super::RuleMeta;
use crate::analysis::diagnostic::{quoted, Diagnostic, FileEdit, Severity};
use crate::analysis::annotations::{ClassRef, Resolved};
use crate::analysis::routes::route_params;

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
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(sig) = ctx.signature() else { return };
    // The function's name, as every message of the function quotes it (cut when long).
    let fname = quoted(&sig.function.name);
    let binding_names: Vec<&str> = ctx
        .unit
        .json
        .bindings
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
    let unbound = ctx.unbound_params().count();
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
                "parameter '{}' of {}() is not declared in function.json{hint}",
                param.name, fname
            ),
            Some(v2) => {
                // `route()` names the request `req` unless `trigger_arg_name` says otherwise.
                let default_name = suggestion
                    .and_then(|s| ctx.bindings_by_name.get(s))
                    .and_then(|b| v2.origin(&ctx.unit.json, b))
                    .filter(|o| !o.name_given && !o.name_param.is_empty())
                    .map(|o| format!(" (route() names it '{}' unless {}='{}' is set)", suggestion.unwrap_or(""), o.name_param, param.name))
                    .unwrap_or_default();
                ctx.app_fails(format!(
                    "parameter '{}' of {}() is not bound by any decorator (no arg_name='{}'){hint}{default_name}",
                    param.name, fname, param.name,
                ))
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
        .json
        .http_trigger()
        .and_then(|b| b.property_str("route"))
        .map(|r| route_params(&r.value))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_script};
    use expect_test::expect;

    #[test]
    fn parameters_without_bindings() {
        expect![[r#"
            Ctx/__init__.py:2:15 AZF201 error parameter 'ctx' of main() is not declared in function.json — name it 'context' to receive the invocation context
            F/__init__.py:2:10 AZF201 error parameter 'request' of main() is not declared in function.json — did you mean 'req'?
              related F/function.json:1:47: binding 'req'
              fix: Rename parameter 'request' to 'req'
            F/__init__.py:2:37 AZF201 error parameter 'extra' of main() is not declared in function.json
            G/__init__.py:1:10 AZF201 error parameter 'Msg' of main() is not declared in function.json — did you mean 'msg'?
              related G/function.json:1:48: binding 'msg'
              fix: Rename parameter 'Msg' to 'msg'
            Route/__init__.py:1:15 AZF201 error parameter 'id' of main() is not declared in function.json — 'id' is a route parameter: read it with req.route_params.get("id")
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
            function_app.py:5:11 AZF201 error parameter 'request' of hello() is not bound by any decorator (no arg_name='request') — did you mean 'req'? (route() names it 'req' unless trigger_arg_name='request' is set); the worker then indexes no function of the app ("0 functions found")
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
}
