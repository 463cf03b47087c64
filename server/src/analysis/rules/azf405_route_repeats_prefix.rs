//! AZF405: a route starts with the route prefix, so it is served at `/api/api/…`.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF405",
    name: "route-repeats-prefix",
    severity: Severity::Warning,
    summary: "An HTTP route starts with the route prefix (`api/`), so it is served at `/api/api/…`",
    explanation: r#"Routes are relative to the route prefix (`api` unless host.json changes it). A route that starts
with `api/` is served at `/api/api/...`.

```json
{ "type": "httpTrigger", "name": "req", "route": "api/orders/{id}" }
```

Write `"route": "orders/{id}"`.
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let prefix = ctx.route_prefix();
    if prefix.is_empty() {
        return;
    }
    for route in ctx.http_trigger_routes() {
        let v = route.value.as_str();
        let repeats = v.len() > prefix.len()
            && v[..prefix.len()].eq_ignore_ascii_case(&prefix)
            && v.as_bytes()[prefix.len()] == b'/';
        if !repeats {
            continue;
        }
        let fixed = &v[prefix.len() + 1..];
        let message = format!("route '{v}' repeats the route prefix '{prefix}': it is served at /{prefix}/{v}");
        out.push(ctx.string_diag(&META, route.range, message, format!("Use route '{fixed}'"), fixed));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn repeated_prefix() {
        expect![[r#"
            A/function.json:1:61 AZF405 warning route 'api/orders/{id}' repeats the route prefix 'api': it is served at /api/api/orders/{id}
              fix: Use route 'orders/{id}'
        "#]]
        .assert_eq(&check(
            "AZF405",
            "//- /A/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"r\", \"route\": \"api/orders/{id}\"}]}\n//- /C/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"r\", \"route\": \"apis/x\"}]}\n",
        ));
    }
}
