//! AZF202: a binding in function.json has no parameter of the same name in the entry function.

use super::context::{counterpart, FunctionCtx};
use super::RuleMeta;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::python::ParamKind;

pub const META: RuleMeta = RuleMeta {
    code: "AZF202",
    name: "binding-without-parameter",
    severity: Severity::Error,
    summary: "A binding in function.json has no parameter of the same name in the entry function",
    explanation: r#"Every binding except `$return` must be a parameter of the entry function, with exactly the
same name (case-sensitive). Otherwise the load fails: "the following parameters are declared in
function.json but not in Python".

```json
{ "type": "blob", "name": "inputBlob", "path": "in/{name}" }
```

with `def main(msg: func.QueueMessage)`: add `inputBlob: func.InputStream` to the signature.
"#,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(sig) = &ctx.signature else { return };
    let params: Vec<&str> = sig.params.iter().map(|p| p.param.name.as_str()).collect();
    let unmatched: Vec<&str> = sig
        .params
        .iter()
        .filter(|p| {
            !p.is_context
                && !ctx.bindings_by_name.contains_key(p.param.name.as_str())
                && !matches!(
                    p.param.kind,
                    ParamKind::VarPositional | ParamKind::VarKeyword
                )
        })
        .map(|p| p.param.name.as_str())
        .collect();
    let missing = ctx
        .unit
        .json
        .bindings
        .iter()
        .filter_map(|b| b.name_str())
        .filter(|n| *n != "$return" && !params.contains(n))
        .count();
    let mut seen = std::collections::HashSet::new();
    for b in &ctx.unit.json.bindings {
        let Some(name) = &b.name else { continue };
        if name.value == "$return"
            || params.contains(&name.value.as_str())
            || !seen.insert(&name.value)
        {
            continue;
        }
        let suggestion = counterpart(&name.value, &unmatched, missing == 1);
        let hint = suggestion
            .map(|s| format!(" — did you mean '{s}'?"))
            .unwrap_or_default();
        let message = match &ctx.unit.v2 {
            None => format!(
                "binding '{}' has no parameter in {}(){hint}",
                name.value, sig.function.name
            ),
            Some(v2) => {
                let origin = v2.origin(&ctx.unit.json, b);
                let deco = v2
                    .decorator_of(&ctx.unit.json, b)
                    .map(|d| d.display())
                    .unwrap_or_else(|| "the decorator".into());
                ctx.app_fails(match origin {
                    Some(o) if !o.name_given && o.name_param == "trigger_arg_name" => format!(
                        "{deco}() passes the request as '{}' (the trigger_arg_name default), but {}() has no parameter '{}'{hint}",
                        name.value, sig.function.name, name.value,
                    ),
                    Some(o) if !o.name_param.is_empty() => format!(
                        "{deco}({}='{}') has no parameter '{}' in {}(){hint}",
                        o.name_param, name.value, name.value, sig.function.name,
                    ),
                    _ => format!(
                        "binding '{}' has no parameter in {}(){hint}",
                        name.value, sig.function.name,
                    ),
                })
            }
        };
        let mut d = ctx.json_diag(&META, name.range, message);
        if let (Some(s), Some(script)) = (suggestion, ctx.script_path) {
            if let Some(p) = sig.params.iter().find(|p| p.param.name == s) {
                d = d.with_related(script, p.param.name_range, format!("parameter '{s}'"));
            }
        } else if let Some(script) = ctx.script_path {
            d = d.with_related(
                script,
                sig.function.name_range,
                format!("{}() is defined here", sig.function.name),
            );
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn bindings_without_parameters() {
        expect![[r#"
            F/function.json:1:47 AZF202 error binding 'req' has no parameter in main() — did you mean 'request'?
              related F/__init__.py:1:10: parameter 'request'
            F/function.json:1:93 AZF202 error binding 'doc' has no parameter in main()
              related F/__init__.py:1:5: main() is defined here
        "#]]
        .assert_eq(&check(
            "AZF202",
            r#"
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "blob", "path": "a", "name": "doc"}, {"type": "http", "direction": "out", "name": "$return"}]}
//- /F/__init__.py
def main(request): pass
"#,
        ));
    }

    #[test]
    fn decorated_functions() {
        expect![[r#"
            function_app.py:4:6 AZF202 error app.route() passes the request as 'req' (the trigger_arg_name default), but hello() has no parameter 'req' — did you mean 'request'? The worker then indexes no function of the app ("0 functions found").
              related function_app.py:5:11: parameter 'request'
            function_app.py:9:26 AZF202 error app.blob_input(arg_name='template') has no parameter 'template' in report(); the worker then indexes no function of the app ("0 functions found")
              related function_app.py:10:5: report() is defined here
        "#]]
        .assert_eq(&check(
            "AZF202",
            r#"
//- /function_app.py
import azure.functions as func
app = func.FunctionApp()

@app.route(route="hello")
def hello(request: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("hi")

@app.route(route="report")
@app.blob_input(arg_name="template", path="t/report.txt", connection="C")
def report(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("r")
"#,
        ));
    }
}
