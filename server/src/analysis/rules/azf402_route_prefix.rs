//! AZF402: a route starts with `/`, which breaks the host's route table.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF402",
    name: "route-leading-slash",
    severity: Severity::Error,
    summary: "An HTTP route starts with `/`: with a route prefix the host fails to start (`api//…`)",
    explanation: r#"The host builds each route as `<routePrefix>/<route>` without trimming, so `"/orders"` becomes
`api//orders`, which ASP.NET Core routing rejects: the host does not start ("The route template
separator character '/' cannot appear consecutively"). Only with `"routePrefix": ""` in host.json
is a leading `/` harmless.

```json
{ "type": "httpTrigger", "name": "req", "route": "/orders/{id}" }
```

Write `"route": "orders/{id}"`.
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    if ctx.unit.decorated().is_some_and(|v| v.http_app.is_some()) {
        return; // AZF717: the ASGI/WSGI function's route is the library's
    }
    let prefix = ctx.route_prefix();
    if prefix.is_empty() {
        return;
    }
    for route in ctx.http_trigger_routes() {
        if !route.value.starts_with('/') {
            continue;
        }
        let fixed = route.value.trim_start_matches('/');
        out.push(ctx.string_diag(
            &META,
            route.range,
            format!("route '{}' starts with '/': the host builds '{prefix}/{}', which routing rejects, and does not start", route.value, route.value),
            format!("Use route '{fixed}'"),
            fixed,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn prefixes() {
        expect![[r#"
            B/function.json:1:61 AZF402 error route '/health' starts with '/': the host builds 'api//health', which routing rejects, and does not start
              fix: Use route 'health'
        "#]]
        .assert_eq(&check(
            "AZF402",
            "//- /A/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"r\", \"route\": \"api/orders/{id}\"}]}\n//- /B/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"r\", \"route\": \"/health\"}]}\n//- /C/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"r\", \"route\": \"apis/x\"}]}\n",
        ));
    }
}
