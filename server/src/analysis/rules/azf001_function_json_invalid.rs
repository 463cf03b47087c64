//! AZF001: function.json is not valid JSON, or not a JSON object.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF001",
    name: "function-json-invalid",
    severity: Severity::Error,
    summary: "function.json is not valid JSON or not a JSON object",
    explanation: r#"The host parses `function.json` with a JSON reader that accepts comments and trailing
commas. Anything else that is not valid JSON, or a document that is not an object, stops the host
from loading the function.

```json
{ "bindings": [ { "type": "httpTrigger" "name": "req" } ] }
```

A comma is missing between the two properties. Fixed:

```json
{ "bindings": [ { "type": "httpTrigger", "name": "req" } ] }
```
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let json = &ctx.unit.json;
    if ctx.unit.json_unavailable().is_some() {
        return; // AZF013 says why the file was not read.
    }
    for error in json.syntax_errors.iter().take(5) {
        out.push(ctx.declaration_diag(
            &META,
            error.range,
            format!(
                "function.json is not valid JSON: {}; the host will not load '{}'",
                error.message,
                ctx.name()
            ),
        ));
    }
    if json.syntax_errors.is_empty() && json.root_not_object {
        let root = json.root.as_ref();
        out.push(ctx.declaration_diag(
            &META,
            root.map(|r| r.range).unwrap_or(TextRange::empty(0)),
            format!(
                "function.json must hold a JSON object, not {}",
                root.map(|r| r.kind_name()).unwrap_or("nothing")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn reports_syntax_errors_but_accepts_comments_and_trailing_commas() {
        expect![[r#"
            Array/function.json:1:1 AZF001 error function.json must hold a JSON object, not an array
            Broken/function.json:1:52 AZF001 error function.json is not valid JSON: expected `,` between properties; the host will not load 'Broken'
            Empty/function.json:1:1 AZF001 error function.json is not valid JSON: the file is empty; expected a JSON object; the host will not load 'Empty'
        "#]]
        .assert_eq(&check(
            "AZF001",
            r#"
//- /Broken/function.json
{"bindings": [{"type": "httpTrigger", "name": "req" "direction": "in"}]}
//- /Array/function.json
[{"bindings": []}]
//- /Empty/function.json
//- /Lenient/function.json
{
  // comments are fine
  "bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 * * * * *",},],
}
"#,
        ));
    }
}
