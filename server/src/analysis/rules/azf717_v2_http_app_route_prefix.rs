//! AZF717: an ASGI/WSGI app with a route prefix: the host cannot build its route and does not start.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::routes::route_prefix;
use crate::analysis::v2::ObjectKind;

pub const META: RuleMeta = RuleMeta {
    code: "AZF717",
    name: "web-app-route-prefix",
    severity: Severity::Error,
    summary: "An `AsgiFunctionApp`/`WsgiFunctionApp` runs with a route prefix, so the host builds `api//{*route}` and does not start",
    explanation: r#"`AsgiFunctionApp` and `WsgiFunctionApp` register one function with the route `/{*route}`. The
host joins the route prefix (`api` unless host.json sets `extensions.http.routePrefix`) and the
route with a `/`, giving `api//{*route}`, which ASP.NET Core routing rejects ("The route template
separator character '/' cannot appear consecutively"): the host does not start.

```json
{ "version": "2.0" }
```

Set the prefix to empty in host.json: `"extensions": { "http": { "routePrefix": "" } }` (the web
framework then routes every path itself).
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    let prefix = route_prefix(ctx.app);
    if prefix.is_empty() {
        return;
    }
    for id in model.app_objects() {
        let obj = &model.objects[id];
        if !matches!(obj.kind, ObjectKind::AsgiFunctionApp | ObjectKind::WsgiFunctionApp) {
            continue;
        }
        out.push(META.diag(&obj.file,
            obj.call.func.range,
            format!(
                "{} serves its web app on the route '/{{*route}}': with the route prefix '{prefix}' the host builds '{prefix}//{{*route}}', which routing rejects, and the host does not start; set extensions.http.routePrefix to \"\" in host.json",
                obj.kind.class_name()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn http_app_with_prefix() {
        expect![[r#"
            function_app.py:3:7 AZF717 error AsgiFunctionApp serves its web app on the route '/{*route}': with the route prefix 'api' the host builds 'api//{*route}', which routing rejects, and the host does not start; set extensions.http.routePrefix to "" in host.json
        "#]]
        .assert_eq(&check(
            "AZF717",
            r#"
//- /host.json
{"version": "2.0"}
//- /function_app.py
import azure.functions as func
async def asgi(scope, receive, send): pass
app = func.AsgiFunctionApp(app=asgi, http_auth_level=func.AuthLevel.ANONYMOUS)
"#,
        ));
        expect![""].assert_eq(&check(
            "AZF717",
            r#"
//- /host.json
{"version": "2.0", "extensions": {"http": {"routePrefix": ""}}}
//- /function_app.py
import azure.functions as func
def wsgi(environ, start_response): pass
app = func.WsgiFunctionApp(app=wsgi)
"#,
        ));
    }
}
