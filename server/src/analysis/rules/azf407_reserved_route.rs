//! AZF407: a route starts with a prefix the host reserves (`admin`, `runtime`).

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF407",
    name: "reserved-route",
    severity: Severity::Error,
    summary: "An HTTP route starts with `admin` or `runtime`, which the host reserves for its own endpoints",
    explanation: r#"The host refuses an HTTP function whose route (without leading or trailing `/`, ignoring
case) starts with `admin` or `runtime`, whatever the route prefix: "The specified route conflicts
with one or more built in routes". The test is on the text, so `administration/…` is refused too,
and a function without a route uses its name as the route.

```json
{ "type": "httpTrigger", "name": "req", "route": "admin/users" }
```

Choose another first segment, e.g. `manage/users`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        if !b.is_http_trigger() || b.is_return() {
            continue;
        }
        let route = b.property_str("route");
        let (value, range, defaulted) = match &route {
            Some(r) if !r.value.trim().is_empty() => (r.value.clone(), r.range, false),
            _ if !ctx.unit.name_is_known() => continue,
            _ => {
                let range = ctx.unit.name_range().unwrap_or(b.anchor());
                (ctx.name().to_string(), range, true)
            }
        };
        let lower = value.trim_matches('/').to_ascii_lowercase();
        let Some(reserved) = ["admin", "runtime"].into_iter().find(|p| lower.starts_with(p)) else {
            continue;
        };
        let what = if defaulted {
            format!("with no route, the function name '{value}' is the route; it")
        } else {
            format!("route '{value}'")
        };
        out.push(ctx.declaration_diag(
            &META,
            range,
            format!("{what} starts with '{reserved}', which the host reserves for its built-in routes: '{}' does not load", ctx.name()),
        ));
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
            B/function.json:1:61 AZF407 error route '/Administration' starts with 'admin', which the host reserves for its built-in routes: 'B' does not load
            runtime_status/function.json:1:47 AZF407 error with no route, the function name 'runtime_status' is the route; it starts with 'runtime', which the host reserves for its built-in routes: 'runtime_status' does not load
        "#]]
        .assert_eq(&check(
            "AZF407",
            r#"
//- /host.json
{"version": "2.0"}
//- /A/function.json
{"bindings": [{"type": "httpTrigger", "name": "r", "route": "admin/users"}]}
//- /B/function.json
{"bindings": [{"type": "httpTrigger", "name": "r", "route": "/Administration"}]}
//- /runtime_status/function.json
{"bindings": [{"type": "httpTrigger", "name": "r"}]}
//- /ok/function.json
{"bindings": [{"type": "httpTrigger", "name": "r", "route": "users/admin"}]}
"#,
        ));
    }
}
