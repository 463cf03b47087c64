//! AZF407: a route starts with a prefix the host reserves (`admin`, `runtime`).

use super::context::FunctionCtx;
use super::RuleMeta;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::routes::route_prefix;

pub const META: RuleMeta = RuleMeta {
    code: "AZF407",
    name: "reserved-route",
    severity: Severity::Error,
    summary: "An HTTP route starts with `admin` or `runtime`, which the host reserves for its own endpoints",
    explanation: r#"With an empty route prefix, routes that start with `admin` or `runtime` clash with the host's
own endpoints and the host refuses the function ("The specified route conflicts with one or more
built in routes").

```json
{ "type": "httpTrigger", "name": "req", "route": "admin/users" }
```

with `"routePrefix": ""` in host.json: choose another first segment, e.g. `manage/users`.
"#,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    if !route_prefix(ctx.app).is_empty() {
        return;
    }
    for b in &ctx.unit.json.bindings {
        if !b.type_str().is_some_and(|t| t.eq_ignore_ascii_case("httpTrigger")) {
            continue;
        }
        let Some(route) = b.property_str("route") else { continue };
        let first = route.value.trim_start_matches('/').split('/').next().unwrap_or("").to_ascii_lowercase();
        if first == "admin" || first == "runtime" {
            out.push(ctx.json_diag(
                &META,
                route.range,
                format!("route '{}' starts with '{first}', which the host reserves for its built-in routes: '{}' does not load", route.value, ctx.name()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn reserved() {
        expect![[r#"
            A/function.json:1:61 AZF407 error route 'admin/users' starts with 'admin', which the host reserves for its built-in routes: 'A' does not load
        "#]]
        .assert_eq(&check(
            "AZF407",
            "//- /host.json\n{\"version\": \"2.0\", \"extensions\": {\"http\": {\"routePrefix\": \"\"}}}\n//- /A/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"r\", \"route\": \"admin/users\"}]}\n",
        ));
    }
}
