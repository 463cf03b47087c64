//! AZF107: two bindings have the same name (ignoring case).

use super::context::FunctionCtx;
use super::RuleMeta;
use crate::analysis::diagnostic::{Diagnostic, Severity};

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
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let bindings = &ctx.unit.json.bindings;
    for (i, b) in bindings.iter().enumerate() {
        let Some(name) = &b.name else { continue };
        let first = bindings[..i]
            .iter()
            .filter_map(|o| o.name.as_ref())
            .find(|o| o.value.eq_ignore_ascii_case(&name.value));
        if let Some(first) = first {
            let how = if first.value == name.value {
                String::new()
            } else {
                format!(" (as '{}'; names are compared ignoring case)", first.value)
            };
            out.push(
                ctx.json_diag(
                    &META,
                    name.range,
                    format!(
                        "multiple bindings are named '{}'{how}; binding names must be unique",
                        name.value
                    ),
                )
                .with_related(
                    &ctx.unit.json_path,
                    first.range,
                    "first binding with this name",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn duplicates() {
        expect![[r#"
            F/function.json:1:65 AZF107 error multiple bindings are named 'MSG' (as 'msg'; names are compared ignoring case); binding names must be unique
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
}
