//! AZF014: a suppression comment silences nothing, or names a code no rule has.

use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF014",
    name: "unused-suppression",
    severity: Severity::Hint,
    summary: "A suppression comment silences nothing, or names a code no rule has",
    explanation: r#"`# azfunc: ignore[CODE]` silences the diagnostics with that code that start on its logical line
(a statement or decorator call written over several lines counts as one line);
`# azfunc: ignore-file[CODE]` those of the whole file; without `[...]` every code. A suppression
that silences nothing is left over from code that changed, and hides the next real problem on
that line, so it is reported, with a fix that removes it (or only its unused codes). Codes that
the configuration turns off are not reported as unused.

```python
@app.route(route="hello")  # azfunc: ignore[AZF404]   <- nothing to silence here
def hello(req: func.HttpRequest) -> func.HttpResponse:
```

Remove the comment (the fix does), or name the code of the diagnostic you mean.
"#,
    fix: FixAvailability::Safe,
};

/// The finding for a directive at `range` of `file`, with the edit that removes it (or its
/// unused codes): `(title, (range, new text))`.
pub fn report(
    file: &str,
    range: TextRange,
    message: String,
    fix: Option<(String, (TextRange, String))>,
) -> Diagnostic {
    let d = META.diag(file, range, message);
    match fix {
        Some((title, (range, new_text))) => d.with_fix(
            title,
            vec![FileEdit {
                file: file.to_string(),
                range,
                new_text,
            }],
        ),
        None => d,
    }
}




#[cfg(test)]
mod tests {
    use crate::analysis::rules::test_support::{app, render};
    use crate::analysis::{check_app, Config};
    use expect_test::expect;

    /// A v2 app whose `hello()` names the request `request` (AZF201 on line 3 of the body) and
    /// whose `report()` reads `%Missing%` nowhere: `rest` is the script after the app object.
    fn check(rest: &str) -> String {
        let fixture = format!(
            "//- /host.json\n{{\"version\": \"2.0\"}}\n//- /function_app.py\nimport azure.functions as func\napp = func.FunctionApp()\n{rest}"
        );
        let app = app(&fixture);
        let config = Config {
            select: vec!["AZF0".into(), "AZF2".into(), "AZF7".into()],
            ..Config::default()
        };
        render(&app, &check_app(&app, &config))
    }

    #[test]
    fn a_used_code_silences_and_unused_or_unknown_codes_are_reported() {
        expect![[r#"
            function_app.py:4:61 AZF014 hint unused suppression: no AZF203 or AZF202 diagnostic on this line; unknown code 'AZF999'
              fix: Remove the unused codes from the suppression
        "#]]
        .assert_eq(&check(
            "@app.route(route=\"a\", trigger_arg_name=\"req\")\ndef hello(request: func.HttpRequest) -> func.HttpResponse:  # azfunc: ignore[AZF201, AZF203, azf999, AZF202]\n    return func.HttpResponse(\"hi\")\n",
        ));
    }

    #[test]
    fn bare_and_file_directives() {
        // A bare directive that silences something is used; one on a clean line is not; a file
        // directive for a code the file does not have is not.
        expect![[r#"
            function_app.py:5:15 AZF014 hint unused suppression: no diagnostic starts on this line
              fix: Remove the unused suppression
            function_app.py:7:1 AZF014 hint unused file suppression: no AZF001 diagnostic in this file
              fix: Remove the unused suppression
        "#]]
        .assert_eq(&check(
            "@app.route(route=\"a\")\ndef hello(request: func.HttpRequest) -> func.HttpResponse:  # azfunc: ignore\n    return 1  # azfunc: ignore\n\n# azfunc: ignore-file[AZF001]\n",
        ));
        // `ignore-file` silences the whole file.
        expect![[r#"
            function_app.py:3:1 AZF014 hint unused file suppression: no AZF202 diagnostic in this file
              fix: Remove the unused codes from the suppression
        "#]].assert_eq(&check(
            "# azfunc: ignore-file[AZF201, AZF202]\n@app.route(route=\"a\")\ndef hello(request: func.HttpRequest) -> func.HttpResponse:\n    return 1\n",
        ));
    }

    #[test]
    fn a_comment_anywhere_in_a_multi_line_call_covers_the_call() {
        // The diagnostic starts on the `route=` line; the comment closes the call.
        expect![""].assert_eq(&check(
            "@app.route(\n    route=\"a\",\n    auth_level=\"public\",\n)  # azfunc: ignore[AZF711]\ndef hello(req: func.HttpRequest) -> func.HttpResponse:\n    return 1\n",
        ));
        // Without it, the diagnostic is there, so the test above silenced something.
        assert!(check(
            "@app.route(\n    route=\"a\",\n    auth_level=\"public\",\n)\ndef hello(req: func.HttpRequest) -> func.HttpResponse:\n    return 1\n",
        )
        .contains("AZF711"));
    }

    #[test]
    fn malformed_directives_silence_nothing_and_are_reported() {
        let out = check(
            "@app.route(route=\"a\")\ndef hello(request: func.HttpRequest) -> func.HttpResponse:  # azfunc: ignore[AZF201\n    return 1  # azfunc: ignore[]\n",
        );
        assert!(out.contains("AZF201 error"), "{out}");
        assert!(out.contains("suppression has no closing ']'"), "{out}");
        assert!(out.contains("suppression lists no code"), "{out}");
        // Other words and other tools' comments are not directives.
        assert_eq!(
            check("x = 1  # azfunc: ignored\ny = 2  # noqa: E501  # type: ignore\n"),
            ""
        );
    }

    #[test]
    fn the_fix_removes_the_comment_or_the_codes() {
        use crate::analysis::ide::fixes::fix_app;
        let fixture = "//- /host.json\n{\"version\": \"2.0\"}\n//- /function_app.py\nimport azure.functions as func\napp = func.FunctionApp()\n# azfunc: ignore[AZF203]\n@app.route(route=\"a\")  # azfunc: ignore[AZF203]  # reason\ndef hello(request: func.HttpRequest) -> func.HttpResponse:  # azfunc: ignore[AZF201, AZF203]\n    return 1  # azfunc: ignore why not\nx = 1  # azfunc: ignore\n";
        let config = Config {
            select: vec!["AZF014".into(), "AZF201".into(), "AZF203".into()],
            ..Config::default()
        };
        let fixed = fix_app(app(fixture), &config);
        expect![[r#"
            import azure.functions as func
            app = func.FunctionApp()
            @app.route(route="a")  # reason
            def hello(request: func.HttpRequest) -> func.HttpResponse:  # azfunc: ignore[AZF201]
                return 1  # why not
            x = 1
        "#]]
        .assert_eq(fixed.input.text("function_app.py").unwrap());
        assert!(fixed.fixed.iter().all(|f| f.code == "AZF014"));
    }
}
