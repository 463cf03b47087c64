//! AZF012: a top-level key of function.json differs from `scriptFile`/`entryPoint` only in case.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF012",
    name: "miscased-top-level-key",
    severity: Severity::Warning,
    summary: "A top-level key differs from `scriptFile` or `entryPoint` only in case, so the host ignores it",
    explanation: r#"The host reads `scriptFile` and `entryPoint` case-sensitively. A key spelled `ScriptFile` or
`entrypoint` is silently ignored, and the defaults (`__init__.py`, `main`) apply.

```json
{ "EntryPoint": "handle", "bindings": [ ... ] }
```

Use `entryPoint`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for (range, key, known) in &ctx.unit.json.miscased_keys {
        if *known == "bindings" {
            continue; // AZF003 explains a miscased `bindings`
        }
        out.push(ctx.declaration_diag(
            &META,
            *range,
            format!("the host ignores '{key}' (keys are case-sensitive) — did you mean '{known}'?"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn miscased_keys() {
        expect![[r#"
            F/function.json:1:2 AZF012 warning the host ignores 'EntryPoint' (keys are case-sensitive) — did you mean 'entryPoint'?
        "#]]
        .assert_eq(&check(
            "AZF012",
            r#"
//- /F/function.json
{"EntryPoint": "run", "bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *"}]}
//- /F/__init__.py
def main(t): pass
"#,
        ));
    }
}
