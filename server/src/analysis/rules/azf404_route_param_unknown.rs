//! AZF404: the code reads a route parameter that the route does not declare.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::Suggester;
use crate::analysis::diagnostic::{quoted, Diagnostic, Severity};
use crate::analysis::routes::route_params;

pub const META: RuleMeta = RuleMeta {
    code: "AZF404",
    name: "route-param-unknown",
    severity: Severity::Warning,
    summary: "`req.route_params` reads a name the function's route does not declare",
    explanation: r#"`req.route_params` holds the `{parameters}` of the route. Reading a name the route does not
declare raises `KeyError` (or gives `None` with `.get`).

```json
{ "type": "httpTrigger", "name": "req", "route": "orders/{id}" }
```

with `req.route_params["order_id"]`: use `"id"`, or rename the route parameter.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let (Some(script), Some(module)) = (ctx.script_path, ctx.module) else { return };
    if module.route_param_reads.is_empty() {
        return;
    }
    let Some(trigger) = ctx.unit.http_trigger() else {
        return;
    };
    let route = trigger.property_str("route");
    let declared = route.as_ref().map(|r| route_params(&r.value)).unwrap_or_default();
    let declared_set: foldhash::HashSet<&str> = declared.iter().map(String::as_str).collect();
    let suggester = Suggester::new(declared.iter().map(String::as_str));
    for (name, range) in ctx.own_items(&module.route_param_reads, |(_, range)| *range) {
        if declared_set.contains(name.as_str()) {
            continue;
        }
        let hint = suggester
            .suggest(name)
            .map(|s| format!(" — did you mean '{}'?", quoted(s)))
            .unwrap_or_default();
        let what = match &route {
            Some(r) => format!("route '{}'", quoted(&r.value)),
            None => "the default route (the function name)".to_string(),
        };
        let mut d = ctx.diag(&META, script, *range, format!("route parameter '{}' is not in {what}{hint}", quoted(name)));
        if let Some(r) = &route {
            d = d.with_related(ctx.unit.declaration_file(), r.range, "the route");
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_script};
    use expect_test::expect;

    #[test]
    fn route_params() {
        expect![[r#"
            F/__init__.py:3:27 AZF404 warning route parameter 'order_id' is not in route 'orders/{id}/{item}'
              related F/function.json:1:63: the route
        "#]]
        .assert_eq(&check(
            "AZF404",
            "//- /F/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"req\", \"route\": \"orders/{id}/{item}\"}]}\n//- /F/__init__.py\ndef main(req):\n    a = req.route_params.get(\"id\")\n    b = req.route_params[\"order_id\"]\n    c = req.route_params[\"item\"]\n",
        ));
    }

    #[test]
    fn decorated_functions_read_their_own_route() {
        expect![[r#"
            function_app.py:9:68 AZF404 warning route parameter 'userid' is not in route 'users/{user_id}' — did you mean 'user_id'?
              related function_app.py:7:18: the route
        "#]]
        .assert_eq(&check_script(
            "AZF404",
            r#"

@app.route(route="users")
def list_users(req): return "[]"

@app.route(route="users/{user_id}")
def get_user(req):
    return req.route_params.get("user_id") + req.route_params.get("userid")
"#,
        ));
    }

    #[test]
    fn each_decorated_function_reads_only_the_reads_inside_it() {
        expect![[r#"
            function_app.py:6:30 AZF404 warning route parameter 'y' is not in route 'a/{x}' — did you mean 'x'?
              related function_app.py:4:18: the route
            function_app.py:14:34 AZF404 warning route parameter 'w' is not in route 'b/{y}' — did you mean 'y'?
              related function_app.py:11:18: the route
            function_app.py:15:34 AZF404 warning route parameter 'x' is not in route 'b/{y}' — did you mean 'y'?
              related function_app.py:11:18: the route
        "#]].assert_eq(&check_script(
            "AZF404",
            r#"

@app.route(route="a/{x}")
def fa(req):
    return req.route_params["y"] + req.route_params.get("x")

def helper(req):
    return req.route_params["z"]

@app.route(route="b/{y}")
def fb(req):
    def inner():
        return req.route_params["w"]
    return req.route_params.get("x") + inner()

@app.route(route="c")
def fc(req):
    return "c"

top = req.route_params["v"]
"#,
        ));
    }
}
