//! AZF114: a binding property looks like a misspelling of a property of its type.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::{binding_type_ignore_case, did_you_mean};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF114",
    name: "unknown-binding-property",
    severity: Severity::Warning,
    summary:
        "A binding property is not one of its type's properties and looks like a misspelling of one",
    explanation: r#"The host silently ignores properties it does not know, so a misspelled property behaves as if
it were missing: the default applies, or the binding fails when it runs.

```json
{ "type": "queueTrigger", "name": "msg", "queueNmae": "orders" }
```

Use `queueName`.
"#,
    fix: FixAvailability::None,
};

const COMMON: &[&str] = &["name", "type", "direction", "dataType"];

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        let Some(t) = b.type_str() else { continue };
        let Some(spec) = binding_type_ignore_case(t) else {
            continue;
        };
        let Some(props) = spec.props else { continue };
        let known = || COMMON.iter().copied().chain(props.iter().map(|p| p.name));
        // Decorator parameters are the library's own; only extra keyword arguments can be typos.
        let origin = ctx.unit.decorated().map(|v| v.origin(ctx.unit.bindings(), b));
        for m in &b.members {
            if known().any(|k| k.eq_ignore_ascii_case(&m.key)) {
                continue;
            }
            if let Some(origin) = origin {
                if !origin.is_some_and(|o| o.extra_keys.contains(&m.key)) {
                    continue;
                }
            }
            if let Some(suggestion) = did_you_mean(&m.key, known()) {
                out.push(ctx.declaration_diag(
                    &META,
                    m.key_range,
                    format!(
                        "'{}' is not a property of a {} binding, so the host ignores it — did you mean '{suggestion}'?",
                        m.key, spec.name
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn misspelled_properties() {
        expect![[r#"
            F/function.json:1:55 AZF114 warning 'queueNmae' is not a property of a queueTrigger binding, so the host ignores it — did you mean 'queueName'?
        "#]]
        .assert_eq(&check(
            "AZF114",
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueNmae": "q", "queuename": "q", "customThing": 1}]}
"#,
        ));
    }
}
