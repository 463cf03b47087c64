//! AZF403: two functions serve the same route template with overlapping methods.

use super::context::AppCtx;
use super::RuleMeta;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::json::JsonKind;

/// The template the host compares: trimmed of `/`, lower case.
fn route_key(route: &str) -> String {
    route.trim_matches('/').to_ascii_lowercase()
}

pub const META: RuleMeta = RuleMeta {
    code: "AZF403",
    name: "duplicate-route",
    severity: Severity::Error,
    summary: "Two functions declare the same route template with overlapping HTTP methods",
    explanation: r#"The host compares route templates (ignoring case and surrounding `/`); when a second function
declares the same template for an overlapping method, the host refuses it ("The route specified
conflicts with the route defined by function …"). Functions are registered in name order, so the
later name fails.

```json
{ "type": "httpTrigger", "name": "req", "route": "orders/{id}", "methods": ["get"] }
```

in two functions. Give each its own route or method. A function without `route` is served at its
own name; one without `methods` accepts every method.
"#,
};

/// A function's HTTP route: its name, methods (`None`: all), function.json path and range.
type Declared = (String, Option<Vec<String>>, String, crate::analysis::text::TextRange);

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    // shape -> (function, methods (None = all), json path, range)
    let mut seen: std::collections::HashMap<String, Vec<Declared>> = std::collections::HashMap::new();
    for unit in ctx.units {
        let Some(b) = unit.json.bindings.iter().find(|b| b.type_str().is_some_and(|t| t.eq_ignore_ascii_case("httpTrigger"))) else {
            continue;
        };
        let route = b.property_str("route");
        let shape = route_key(route.as_ref().map(|r| r.value.as_str()).unwrap_or(&unit.name));
        let methods = b.property("methods").and_then(|m| m.value.as_ref()).and_then(|v| match &v.kind {
            JsonKind::Array(items) => Some(items.iter().filter_map(|i| i.as_str()).map(|s| s.to_ascii_lowercase()).collect::<Vec<_>>()),
            _ => None,
        });
        let range = route.as_ref().map(|r| r.range).unwrap_or(b.anchor());
        let entry = seen.entry(shape.clone()).or_default();
        for (other, other_methods, other_path, other_range) in entry.iter() {
            let overlap: Vec<String> = match (&methods, other_methods) {
                (None, None) => vec!["every method".into()],
                (Some(m), None) | (None, Some(m)) => m.clone(),
                (Some(a), Some(b)) => a.iter().filter(|m| b.contains(m)).cloned().collect(),
            };
            if overlap.is_empty() {
                continue;
            }
            out.push(
                ctx.diag(
                    &META,
                    &unit.json_path,
                    range,
                    format!("'{}' declares route '{shape}' for {}, like '{other}': the host refuses '{}' (route conflict)", unit.name, overlap.join(", "), unit.name),
                )
                .with_related(other_path, *other_range, format!("'{other}' declares the same route")),
            );
            break;
        }
        entry.push((unit.name.clone(), methods, unit.json_path.clone(), range));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn clashes() {
        expect![[r#"
            B/function.json:1:61 AZF403 error 'B' declares route 'orders/{id}' for get, like 'A': the host refuses 'B' (route conflict)
              related A/function.json:1:61: 'A' declares the same route
        "#]]
        .assert_eq(&check(
            "AZF403",
            "//- /A/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"r\", \"route\": \"orders/{id}\", \"methods\": [\"get\", \"put\"]}]}\n//- /B/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"r\", \"route\": \"/Orders/{id}\", \"methods\": [\"GET\"]}]}\n//- /C/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"r\", \"route\": \"orders/{id}\", \"methods\": [\"post\"]}]}\n",
        ));
    }
}
