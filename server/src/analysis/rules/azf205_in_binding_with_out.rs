//! AZF205: an input binding's parameter is annotated `func.Out[...]`.

use super::context::{out_shape, FunctionCtx, OutShape};
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::function_json::Direction;

pub const META: RuleMeta = RuleMeta {
    code: "AZF205",
    name: "in-binding-with-out",
    severity: Severity::Error,
    summary:
        "An input binding's parameter is annotated `func.Out[...]` (direction defaults to `in`)",
    explanation: r#"`func.Out[...]` is for output bindings. When the binding's `direction` is `in`, which is the
default when it is missing, the worker refuses the annotation.

```json
{ "type": "queue", "name": "msg", "queueName": "orders" }
```

with `msg: func.Out[str]`: add `"direction": "out"` to the binding.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for (p, binding, resolved) in ctx.annotated_bindings() {
        if binding.direction != Some(Direction::In) {
            continue;
        }
        let OutShape::Out(args) = out_shape(resolved) else {
            continue;
        };
        if args.len() != 1 {
            continue; // AZF206 comes first
        }
        let decorated = ctx.unit.decorated().is_some();
        let implied = if binding.direction_raw.is_none() && !decorated {
            " (the default)"
        } else {
            ""
        };
        let fix = if decorated {
            "an input binding's parameter takes the value itself (drop Out)"
        } else {
            "set \"direction\": \"out\" or drop Out"
        };
        let d = ctx.annotation_diag(&META, p, |_| {
            ctx.app_fails(format!(
                "binding '{}' has direction 'in'{implied}, but its annotation is func.Out: {fix}",
                p.param.name
            ))
        });
        if let Some(d) = d {
            out.push(d.with_related(ctx.unit.declaration_file(), binding.anchor(), "the binding"));
        }
    }
}


#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn in_with_out() {
        expect![[r#"
            F/__init__.py:2:23 AZF205 error binding 'o' has direction 'in' (the default), but its annotation is func.Out: set "direction": "out" or drop Out
              related F/function.json:1:99: the binding
        "#]]
        .assert_eq(&check(
            "AZF205",
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}, {"type": "blob", "name": "o", "path": "x"}]}
//- /F/__init__.py
import azure.functions as func
def main(msg: str, o: func.Out[str]): pass
"#,
        ));
    }
}
