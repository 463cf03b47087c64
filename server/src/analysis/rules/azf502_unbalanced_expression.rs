//! AZF502: a binding string has an unbalanced `{`/`}` or an odd number of `%`.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF502",
    name: "unbalanced-expression",
    severity: Severity::Warning,
    summary: "A binding string has an unbalanced `{`/`}` or a lone `%`",
    explanation: r#"`{token}` and `%Setting%` expressions must be closed; otherwise the host fails to parse the
binding expression when it indexes the function.

```json
{ "type": "blob", "name": "doc", "path": "docs/{id.json" }
```

Close the token: `docs/{id}.json`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for b in ctx.unit.bindings() {
        for m in &b.members {
            if matches!(m.key.to_ascii_lowercase().as_str(), "name" | "type" | "direction" | "datatype" | "schedule") {
                continue;
            }
            let Some(v) = m.value.as_ref() else { continue };
            let Some(s) = v.as_str() else { continue };
            let mut depth = 0i32;
            let mut bad = false;
            for c in s.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        bad |= depth > 1;
                    }
                    '}' => {
                        depth -= 1;
                        bad |= depth < 0;
                    }
                    _ => {}
                }
            }
            let problem = if bad || depth != 0 {
                Some("unbalanced `{`/`}`")
            } else if m.key.eq_ignore_ascii_case("connection") || s.matches('%').count() % 2 == 0 {
                None
            } else {
                Some("a `%` without its closing `%`")
            };
            if let Some(problem) = problem {
                out.push(ctx.declaration_diag(&META, v.range, format!("'{}' of binding '{}' has {problem}: the host cannot parse the binding expression", m.key, b.name_str().unwrap_or(""))));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn unbalanced() {
        expect![[r#"
            F/function.json:1:60 AZF502 warning 'path' of binding 'b' has unbalanced `{`/`}`: the host cannot parse the binding expression
            F/function.json:1:141 AZF502 warning 'queueName' of binding 'q' has a `%` without its closing `%`: the host cannot parse the binding expression
        "#]]
        .assert_eq(&check(
            "AZF502",
            "//- /F/function.json\n{\"bindings\": [{\"type\": \"blobTrigger\", \"name\": \"b\", \"path\": \"in/{name.txt\"}, {\"type\": \"queue\", \"direction\": \"out\", \"name\": \"q\", \"queueName\": \"%Q\"}, {\"type\": \"blob\", \"name\": \"c\", \"path\": \"%C%/{name}\"}]}\n",
        ));
    }
}
