//! AZF403: two functions serve the same route template with overlapping methods.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use std::collections::{HashMap, HashSet};

use crate::analysis::diagnostic::{quoted, Diagnostic, Severity};
use crate::analysis::function::FunctionUnit;
use crate::analysis::text::TextRange;
use crate::analysis::json::JsonKind;
use crate::analysis::v2::condition::{Condition, ALWAYS, MAX_COMPARED};

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
own name; one without `methods` accepts every method. Decorated functions in different branches
of one `if`/`else`, `try`/`except` or `match` never exist together and do not conflict.
"#,
    fix: FixAvailability::None,
};

/// A function's HTTP route: its name, methods (`None`: all), function.json path and range, and
/// the branches it needs to exist.
type Declared<'u> = (&'u str, &'u Option<Vec<String>>, &'u str, TextRange, &'u Condition);

/// Whether two method lists (`None`: every method) share a method.
fn overlaps(a: &Option<Vec<String>>, b: &Option<Vec<String>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(m), None) | (None, Some(m)) => !m.is_empty(),
        (Some(a), Some(b)) => a.iter().any(|m| b.contains(m)),
    }
}

/// The functions that declared one route shape, indexed so that the first one a new declaration
/// clashes with is found by lookups, not by comparing with each.
#[derive(Default)]
struct Shape<'u> {
    declared: Vec<Declared<'u>>,
    /// The first declaration of each method.
    first_with_method: HashMap<&'u str, usize>,
    /// The first declaration without `methods` (all methods).
    first_without_methods: Option<usize>,
    /// The first declaration that accepts any method at all.
    first_accepting: Option<usize>,
}

impl<'u> Shape<'u> {
    /// The first earlier declaration whose methods overlap `methods`.
    fn first_clash(&self, methods: &Option<Vec<String>>) -> Option<usize> {
        match methods {
            None => self.first_accepting,
            // No method: nothing to clash on.
            Some(m) if m.is_empty() => None,
            Some(m) => m
                .iter()
                .filter_map(|x| self.first_with_method.get(x.as_str()).copied())
                .chain(self.first_without_methods)
                .min(),
        }
    }

    /// The first earlier declaration that can exist together with one under `condition` and
    /// whose methods overlap `methods`.
    fn first_together(&self, methods: &Option<Vec<String>>, condition: &Condition) -> Option<usize> {
        let first = self.first_clash(methods)?;
        if !self.declared[first].4.excludes(condition) {
            return Some(first);
        }
        // That one is an alternative: look further among the functions of this route.
        self.declared
            .iter()
            .take(MAX_COMPARED)
            .position(|d| overlaps(methods, d.1) && !d.4.excludes(condition))
    }

    fn push(&mut self, declared: Declared<'u>) {
        let i = self.declared.len();
        match declared.1 {
            None => {
                self.first_without_methods.get_or_insert(i);
                self.first_accepting.get_or_insert(i);
            }
            Some(m) => {
                for x in m {
                    self.first_with_method.entry(x.as_str()).or_insert(i);
                }
                if !m.is_empty() {
                    self.first_accepting.get_or_insert(i);
                }
            }
        }
        self.declared.push(declared);
    }
}

/// A function's HTTP route as the host compares it.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The template, trimmed of `/` and in lower case.
    shape: String,
    /// Its methods in lower case; `None`: every method.
    methods: Option<Vec<String>>,
    /// Where the route is written (the trigger when it has no `route`).
    range: TextRange,
}

impl Route {
    /// A hash of the template, never 0 (what [`check`] counts templates by before comparing).
    pub fn key(&self) -> u64 {
        use std::hash::BuildHasher;
        foldhash::fast::FixedState::default().hash_one(&self.shape) | 1
    }
}

/// `unit`'s route, when it has an HTTP trigger.
pub fn route(unit: &FunctionUnit) -> Option<Route> {
    let b = unit.http_trigger()?;
    let route = b.property_str("route");
    let shape = route_key(route.as_ref().map(|r| r.value.as_str()).unwrap_or(&unit.name));
    let methods = b.property("methods").and_then(|m| m.value.as_ref()).and_then(|v| match &v.kind {
        JsonKind::Array(items) => Some(items.iter().filter_map(|i| i.as_str()).map(|s| s.to_ascii_lowercase()).collect::<Vec<_>>()),
        _ => None,
    });
    let range = route.as_ref().map(|r| r.range).unwrap_or(b.anchor());
    Some(Route { shape, methods, range })
}

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    // Most routes are declared once: count them first, and compare only those declared again.
    let keys = &ctx.facts.route_keys;
    let routes = keys.iter().filter(|&&k| k != 0);
    let mut declarations: HashMap<u64, u32, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(routes.clone().count(), Default::default());
    for &key in routes {
        *declarations.entry(key).or_default() += 1;
    }
    let mut seen: HashMap<&str, Shape> = HashMap::new();
    for (i, unit) in ctx.units.iter().enumerate() {
        if declarations.get(&keys[i]).is_none_or(|&n| n < 2) {
            continue;
        }
        let Some(Route { shape, methods, range }) = ctx.facts.routes[i].as_deref() else {
            continue;
        };
        let range = *range;
        let condition = unit.decorated().map_or(&ALWAYS, |d| &d.condition);
        let entry = seen.entry(shape.as_str()).or_default();
        if let Some(i) = entry.first_together(methods, condition) {
            let (other, other_methods, other_path, other_range, _) = &entry.declared[i];
            let overlap: Vec<&str> = match (methods, other_methods) {
                (None, None) => vec!["every method"],
                (Some(m), None) | (None, Some(m)) => m.iter().map(String::as_str).collect(),
                (Some(a), Some(b)) => {
                    let b: HashSet<&str> = b.iter().map(String::as_str).collect();
                    a.iter().map(String::as_str).filter(|m| b.contains(m)).collect()
                }
            };
            // Two functions of one name (AZF707 reports the name) are not compared by name.
            let earlier = match *other == unit.name {
                true => "another function of that name".to_string(),
                false => format!("'{}'", quoted(other)),
            };
            out.push(
                META.diag(unit.declaration_file(),
                    range,
                    format!(
                        "'{}' declares route '{}' for {}, as {earlier} does: the host refuses '{}' (route conflict)",
                        quoted(&unit.name),
                        quoted(shape),
                        quoted(&overlap.join(", ")),
                        quoted(&unit.name)
                    ),
                )
                .with_related(other_path, *other_range, format!("{earlier} declares the same route")),
            );
        }
        entry.push((&unit.name, methods, unit.declaration_file(), range, condition));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn clashes() {
        expect![[r#"
            B/function.json:1:61 AZF403 error 'B' declares route 'orders/{id}' for get, as 'A' does: the host refuses 'B' (route conflict)
              related A/function.json:1:61: 'A' declares the same route
        "#]]
        .assert_eq(&check(
            "AZF403",
            "//- /A/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"r\", \"route\": \"orders/{id}\", \"methods\": [\"get\", \"put\"]}]}\n//- /B/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"r\", \"route\": \"/Orders/{id}\", \"methods\": [\"GET\"]}]}\n//- /C/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"r\", \"route\": \"orders/{id}\", \"methods\": [\"post\"]}]}\n",
        ));
    }

    #[test]
    fn many_functions_on_one_route_with_distinct_methods() {
        use crate::analysis::{check_app, AppInput, Config};
        // 3,000 functions share a route; each has its own method except every 100th, which
        // repeats the method of the function before it.
        let mut app = AppInput::new("app");
        for i in 0..3_000 {
            let method = if i % 100 == 99 { i - 1 } else { i };
            app = app.with_file(
                &format!("F{i:04}/function.json"),
                &format!(r#"{{"bindings": [{{"type": "httpTrigger", "name": "req", "route": "same", "methods": ["m{method}"]}}]}}"#),
            );
        }
        let config = Config { select: vec!["AZF403".into()], ..Config::default() };
        let found = check_app(&app, &config);
        assert_eq!(found.len(), 30);
        assert!(found[0].message.starts_with("'F0099' declares route 'same' for m98, as 'F0098' does"), "{}", found[0].message);
    }

    #[test]
    fn routes_in_alternatives_do_not_conflict() {
        // Same route per arm of an if/else (one of them exists), and blueprints registered per
        // arm; the function outside the alternatives conflicts with the one in the arm.
        expect![[r#"
            function_app.py:20:18 AZF403 error 'items_post' declares route 'items' for post, as 'add_item' does: the host refuses 'items_post' (route conflict)
              related function_app.py:18:22: 'add_item' declares the same route
        "#]]
        .assert_eq(&super::super::test_support::check_script(
            "AZF403",
            r#"
import os
bp_a = func.Blueprint()
bp_b = func.Blueprint()
@bp_a.route(route="hello")
def hello_a(req): pass
@bp_b.route(route="hello")
def hello_b(req): pass
if os.environ.get("B"):
    app.register_functions(bp_b)
    @app.route(route="items", methods=["GET"])
    def list_items(req): pass
else:
    app.register_functions(bp_a)
    @app.route(route="items", methods=["GET"])
    def list_items(req): pass
    @app.route(route="items", methods=["POST"])
    def add_item(req): pass
@app.route(route="items", methods=["POST"])
def items_post(req): pass
"#,
        ));
    }

    #[test]
    fn a_function_is_not_compared_with_itself_by_name() {
        expect![[r#"
            function_app.py:7:22 AZF403 error 'run' declares route 'run' for every method, as another function of that name does: the host refuses 'run' (route conflict)
              related function_app.py:3:18: another function of that name declares the same route
        "#]]
        .assert_eq(&super::super::test_support::check_script(
            "AZF403",
            r#"
@app.route(route="run")
def run(req): pass
import os
if os.environ.get("EXTRA"):
    @app.route(route="run")
    def run(req): pass
"#,
        ));
    }
}
