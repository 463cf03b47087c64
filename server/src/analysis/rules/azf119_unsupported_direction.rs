//! AZF119: a binding's direction is one its type does not support.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::binding_type_ignore_case;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function_json::Direction;

pub const META: RuleMeta = RuleMeta {
    code: "AZF119",
    name: "unsupported-direction",
    severity: Severity::Warning,
    summary: "A binding's direction is one its type does not support (e.g. a `queue` binding declared `in`)",
    explanation: r#"Output-only bindings (`queue`, `http`, `serviceBus`, `eventHub`, `eventGrid`) cannot be read, and
triggers are always inputs. With a type annotation the worker fails to load such a function;
without one it loads but the binding never works. `direction` defaults to `in`.

```json
{ "type": "queue", "name": "msg", "queueName": "orders" }
```

Add `"direction": "out"` and annotate `msg: func.Out[str]`; to read a queue, use `queueTrigger`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        let (Some(t), Some(direction)) = (b.type_str(), b.direction) else {
            continue;
        };
        if direction == Direction::InOut || b.is_return() {
            continue; // AZF111 / AZF108
        }
        let Some(spec) = binding_type_ignore_case(t) else {
            continue;
        };
        if spec.directions.contains(&direction.as_str()) {
            continue;
        }
        let range = b
            .direction_raw
            .as_ref()
            .map(|d| d.range)
            .unwrap_or(b.anchor());
        let implied = if b.direction_raw.is_none() {
            " (the default)"
        } else {
            ""
        };
        let supported = spec.directions.join("/");
        let hint = if spec.is_trigger {
            "a trigger is always 'in'".to_string()
        } else if spec.name == "queue" && direction == Direction::In {
            "to read messages use a 'queueTrigger'".to_string()
        } else {
            format!("use direction '{}'", spec.directions[0])
        };
        out.push(ctx.declaration_diag(
            &META,
            range,
            format!(
                "a '{}' binding supports only direction {supported}, but '{}' is '{}'{implied}; {hint}",
                spec.name,
                b.name_str().unwrap_or(""),
                direction.as_str()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn directions() {
        expect![[r#"
            F/function.json:1:82 AZF119 warning a 'queue' binding supports only direction out, but 'o' is 'in' (the default); to read messages use a 'queueTrigger'
        "#]]
        .assert_eq(&check(
            "AZF119",
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg"}, {"type": "queue", "name": "o"}, {"type": "blob", "name": "b", "direction": "out"}]}
"#,
        ));
    }
}
