//! AZF002: the function folder's name is not a valid function name.

use crate::analysis::names::is_valid_function_name;
use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF002",
    name: "invalid-function-name",
    severity: Severity::Error,
    summary: "The function folder's name is not a valid function name",
    explanation: r#"A function is named after its folder. The host accepts names that start with a letter and
contain only letters, digits, `_` and `-` (at most 128 characters), and reserves `host`.

```text
my.func/function.json      ← '.' is not allowed
```

Rename the folder, e.g. `my_func/function.json`.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    if !ctx.unit.name_is_known() {
        return; // `function_name(name=...)` is not a literal: the name is not known
    }
    let name = ctx.name();
    if is_valid_function_name(name) {
        return;
    }
    let why = if name.eq_ignore_ascii_case("host") {
        "'host' is reserved".to_string()
    } else {
        "a function name starts with a letter and has only letters, digits, '_' and '-' (at most 128)"
            .to_string()
    };
    let range = ctx.unit.name_range().unwrap_or(TextRange::empty(0));
    out.push(ctx.declaration_diag(
        &META,
        range,
        format!("'{name}' is not a valid function name: {why}; the host will not load it"),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_script};
    use super::is_valid_function_name;
    use expect_test::expect;

    #[test]
    fn names() {
        assert!(is_valid_function_name("Http-Trigger_1"));
        assert!(!is_valid_function_name("1Func"));
        assert!(!is_valid_function_name("my.func"));
        assert!(!is_valid_function_name("HOST"));
        assert!(!is_valid_function_name(&"a".repeat(129)));
        expect![[r#"
            1Func/function.json:1:1 AZF002 error '1Func' is not a valid function name: a function name starts with a letter and has only letters, digits, '_' and '-' (at most 128); the host will not load it
            host/function.json:1:1 AZF002 error 'host' is not a valid function name: 'host' is reserved; the host will not load it
        "#]]
        .assert_eq(&check(
            "AZF002",
            "//- /1Func/function.json\n{}\n//- /host/function.json\n{}\n//- /ok-name_2/function.json\n{}\n",
        ));
    }

    #[test]
    fn decorated_function_names() {
        expect![[r#"
            function_app.py:4:25 AZF002 error 'get items' is not a valid function name: a function name starts with a letter and has only letters, digits, '_' and '-' (at most 128); the host will not load it
        "#]]
        .assert_eq(&check_script(
            "AZF002",
            r#"

@app.function_name(name="get items")
@app.route(route="items")
def get_items(req): return "[]"
"#,
        ));
    }
}
