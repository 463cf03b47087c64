//! HTTP route templates: parameters and normalisation.

/// The parameter names of a route template: `items/{id:int}/{*rest}` → `id`, `rest`.
pub fn route_params(route: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = route;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let inner = &after[..close];
        let name = inner
            .trim_start_matches('*')
            .split([':', '=', '?'])
            .next()
            .unwrap_or("")
            .trim();
        if !name.is_empty() {
            out.push(name.to_string());
        }
        rest = &after[close + 1..];
    }
    out
}

/// The route prefix from host.json (`extensions.http.routePrefix`, default `api`).
pub fn route_prefix(app: &crate::analysis::app::AppInput) -> String {
    app.text("host.json")
        .and_then(|t| crate::analysis::json::parse(t).value)
        .and_then(|root| {
            let ext = root.get("extensions")?.value.as_ref()?;
            let http = ext.get("http")?.value.as_ref()?;
            http.get("routePrefix")?
                .value
                .as_ref()?
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_else(|| "api".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params() {
        assert_eq!(
            route_params("items/{id:int}/{*rest}/{opt?}"),
            ["id", "rest", "opt"]
        );
    }
}
