//! AZF401: the code answers CORS itself, but `methods` leaves out `options`, so pre-flight fails.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::json::JsonKind;
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF401",
    name: "cors-preflight-blocked",
    severity: Severity::Warning,
    summary: "The code sets `Access-Control-Allow-*` headers, but `methods` lacks `options`: browser pre-flight gets 404",
    explanation: r#"A browser sends an `OPTIONS` pre-flight request before a cross-origin call. When neither the
platform's CORS nor `Host.CORS` (locally) answers it, the function must — but an HTTP trigger
with a `methods` list only receives the methods listed, so `OPTIONS` never reaches your code
and the browser sees 404/405.

```json
{ "type": "httpTrigger", "name": "req", "methods": ["get", "post"] }
```

with code that sets `Access-Control-Allow-Origin`: add `"options"` to `methods`.
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let header = match ctx.own_code() {
        // In a v2 app the function's own code is what sets its headers.
        Some((file, _)) => ctx.modules.get(file).and_then(|module| {
            ctx.own_items(&module.cors_headers, |r| *r)
                .next()
                .map(|r| (file.to_string(), *r))
        }),
        None if ctx.unit.decorated().is_some() => None,
        None => ctx.loaded_modules().iter().find_map(|m| {
            let module = ctx.modules.get(&m.file)?;
            module.cors_headers.first().map(|r| (m.file.clone(), *r))
        }),
    };
    let Some((header_file, header_range)) = header else { return };
    // Asked only now: a function whose code sets no CORS header does not depend on Host.CORS.
    let Some(settings) = ctx.settings() else { return };
    if settings.cors_is_set() {
        return;
    }
    for b in ctx.unit.bindings() {
        if !b.is_http_trigger() {
            continue;
        }
        let Some(methods) = b.property("methods").and_then(|m| m.value.as_ref()) else { continue };
        let JsonKind::Array(items) = &methods.kind else { continue };
        if items.iter().any(|i| i.as_str().is_some_and(|s| s.eq_ignore_ascii_case("options"))) {
            continue;
        }
        let insert_at = methods.range.end as usize - 1;
        let new_text = if items.is_empty() { "\"options\"" } else { ", \"options\"" };
        out.push(
            ctx.declaration_diag(
                &META,
                methods.range,
                "the code sets CORS headers, but `methods` has no \"options\": the browser's pre-flight request gets 404 (and Host.CORS is not set)",
            )
            .with_related(&header_file, header_range, "CORS header set here")
            .with_fix(
                "Add \"options\" to methods",
                vec![FileEdit { file: ctx.unit.declaration_file().to_string(), range: TextRange::empty(insert_at), new_text: new_text.to_string() }],
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_script};
    use expect_test::expect;

    const SETTINGS: &str = "//- /local.settings.json\n{\"IsEncrypted\": false, \"Values\": {}}\n";

    #[test]
    fn preflight() {
        let code = "//- /F/__init__.py\nimport azure.functions as func\nHEADERS = {\"Access-Control-Allow-Origin\": \"*\"}\ndef main(req):\n    return func.HttpResponse(\"x\", headers=HEADERS)\n";
        expect![[r#"
            F/function.json:1:65 AZF401 warning the code sets CORS headers, but `methods` has no "options": the browser's pre-flight request gets 404 (and Host.CORS is not set)
              related F/__init__.py:2:13: CORS header set here
              fix: Add "options" to methods
        "#]]
        .assert_eq(&check(
            "AZF401",
            &format!("{SETTINGS}//- /F/function.json\n{{\"bindings\": [{{\"type\": \"httpTrigger\", \"name\": \"req\", \"methods\": [\"get\", \"post\"]}}]}}\n{code}"),
        ));
        // Silent with options, without methods, or with Host.CORS.
        for json in [r#"{"bindings": [{"type": "httpTrigger", "name": "req", "methods": ["get", "OPTIONS"]}]}"#, r#"{"bindings": [{"type": "httpTrigger", "name": "req"}]}"#] {
            expect![""].assert_eq(&check("AZF401", &format!("{SETTINGS}//- /F/function.json\n{json}\n{code}")));
        }
        let cors = "//- /local.settings.json\n{\"IsEncrypted\": false, \"Values\": {}, \"Host\": {\"CORS\": \"*\"}}\n";
        expect![""].assert_eq(&check("AZF401", &format!("{cors}//- /F/function.json\n{{\"bindings\": [{{\"type\": \"httpTrigger\", \"name\": \"req\", \"methods\": [\"get\"]}}]}}\n{code}")));
    }

    #[test]
    fn a_decorated_function_is_judged_by_the_headers_it_sets_itself() {
        expect![[r#"
            function_app.py:10:31 AZF401 warning the code sets CORS headers, but `methods` has no "options": the browser's pre-flight request gets 404 (and Host.CORS is not set)
              related function_app.py:12:45: CORS header set here
              fix: Add "options" to methods
        "#]].assert_eq(&check_script(
            "AZF401",
            r#"
@app.route(route="a", methods=["GET"])
def fa(req):
    return func.HttpResponse("a")

def helper():
    return {"Access-Control-Allow-Origin": "*"}

@app.route(route="b", methods=["GET"])
def fb(req):
    return func.HttpResponse("b", headers={"Access-Control-Allow-Origin": "*"})

@app.route(route="c", methods=["GET"])
def fc(req):
    return func.HttpResponse("c", headers=helper())
//- /local.settings.json
{"IsEncrypted": false, "Values": {}}
"#,
        ));
    }
}
