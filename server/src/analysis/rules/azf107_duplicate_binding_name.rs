//! AZF107: two bindings have the same name (ignoring case).

use std::collections::hash_map::{Entry, HashMap};

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{quoted, Diagnostic, Severity};
use crate::analysis::function_json::Spanned;

pub const META: RuleMeta = RuleMeta {
    code: "AZF107",
    name: "duplicate-binding-name",
    severity: Severity::Error,
    summary: "Two bindings have the same name (names are compared ignoring case)",
    explanation: r#"Binding names must be unique, ignoring case: the host refuses `msg` and `Msg` together.

```json
[ { "type": "queueTrigger", "name": "msg", "queueName": "in" },
  { "type": "queue", "name": "msg", "direction": "out", "queueName": "out" } ]
```

Rename one, e.g. `outMsg`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    // The first binding of each name, compared ignoring ASCII case: one hash lookup per binding.
    let mut first_of: HashMap<String, &Spanned> = HashMap::new();
    for b in ctx.unit.bindings() {
        let Some(name) = &b.name else { continue };
        let first = match first_of.entry(name.value.to_ascii_lowercase()) {
            Entry::Vacant(v) => {
                v.insert(name);
                continue;
            }
            Entry::Occupied(o) => *o.get(),
        };
        let how = if first.value == name.value {
            String::new()
        } else {
            format!(
                " (as '{}'; names are compared ignoring case)",
                quoted(&first.value)
            )
        };
        out.push(
            ctx.declaration_diag(
                &META,
                name.range,
                format!(
                    "two bindings are named '{}'{how}: the host will not load '{}'; give each binding its own name",
                    quoted(&name.value),
                    ctx.name()
                ),
            )
            .with_related(
                ctx.unit.declaration_file(),
                first.range,
                "first binding with this name",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn duplicates() {
        expect![[r#"
            F/function.json:1:65 AZF107 error two bindings are named 'MSG' (as 'msg'; names are compared ignoring case): the host will not load 'F'; give each binding its own name
              related F/function.json:1:48: first binding with this name
        "#]]
        .assert_eq(&check(
            "AZF107",
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg"}, {"name": "MSG", "type": "queue", "direction": "out"}]}
"#,
        ));
    }

    #[test]
    fn many_bindings_each_point_at_their_first() {
        use crate::analysis::{check_app, AppInput, Config};
        let n = 20_000;
        let bindings: Vec<String> = (0..n)
            .map(|i| {
                let name = if i % 2 == 0 { format!("b{i}") } else { format!("B{}", i - 1) };
                format!("{{\"type\": \"blob\", \"name\": \"{name}\"}}")
            })
            .collect();
        let json = format!("{{\"bindings\": [{}]}}", bindings.join(",\n"));
        let app = AppInput::new("app").with_file("F/function.json", &json);
        let config = Config { select: vec!["AZF107".into()], ..Config::default() };
        let found = check_app(&app, &config);
        assert_eq!(found.len(), n / 2);
        for d in &found {
            let dup = &json[d.range.as_usize()];
            let first = &json[d.related[0].range.as_usize()];
            assert_eq!(dup.to_ascii_lowercase(), first.to_ascii_lowercase());
            assert_ne!(dup, first);
            assert!(d.message.contains("names are compared ignoring case"));
        }
    }

    #[test]
    fn long_names_are_quoted_cut() {
        use crate::analysis::{check_app, AppInput, Config};
        let name = "n".repeat(100_000);
        let json = format!("{{\"bindings\": [{{\"name\": \"{name}\"}}, {{\"name\": \"{name}\"}}]}}");
        let app = AppInput::new("app").with_file("F/function.json", &json);
        let config = Config { select: vec!["AZF107".into()], ..Config::default() };
        let found = check_app(&app, &config);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.len() < 300, "{}", found[0].message.len());
        assert!(found[0].message.contains("nnn…'"));
    }
}
