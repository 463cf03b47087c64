//! AZF711: a decorator (or app) argument is not a member of the enumeration the library parses it into.

use super::context::{did_you_mean_hint, AppCtx};
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::decorator_types::EnumSpec;
use crate::analysis::catalog::enumeration;
use crate::analysis::catalog::did_you_mean;
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::v2::bind::{enum_value, sequence, EnumValue};
use crate::analysis::v2::syntax::{ExprKind, PyExpr};
use crate::analysis::v2::{constant, import_fails, ObjectKind};

pub const META: RuleMeta = RuleMeta {
    code: "AZF711",
    name: "invalid-enum-value",
    severity: Severity::Error,
    summary: "A value of `auth_level`, `methods`, `data_type`, `cardinality`, `access_rights` (or the app's `http_auth_level`) is not one the library accepts",
    explanation: r#"Decorators turn enum strings into members by upper-casing them (`"anonymous"` → `ANONYMOUS`);
anything else raises `KeyError` while the worker imports the script, and the app has no function.
`FunctionApp(http_auth_level=...)` is stricter: it looks the string up as written, so it needs the
upper-case member name.

```python
@app.route(route="hello", auth_level="public")         # FUNCTION, ANONYMOUS or ADMIN
app = func.FunctionApp(http_auth_level="anonymous")     # needs "ANONYMOUS"
```

Use a member name, or the enum itself: `func.AuthLevel.ANONYMOUS`.
"#,
    fix: FixAvailability::Unsafe,
};

/// `'public' is not a member of AuthLevel (FUNCTION, ANONYMOUS, ADMIN)`, and a suggestion.
fn problem(spec: &EnumSpec, value: &str) -> (String, String) {
    let hint = did_you_mean_hint(did_you_mean(&value.to_uppercase(), spec.members.iter().copied()));
    (
        format!(
            "'{value}' is not a member of {} ({})",
            spec.name,
            spec.members.join(", ")
        ),
        hint,
    )
}

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    let fails = import_fails(&model.script.name);
    // App objects: `http_auth_level` is looked up by exact member name.
    for obj in model.objects.iter().filter(|o| o.imported && o.kind.is_register()) {
        let position = match obj.kind {
            ObjectKind::AsgiFunctionApp | ObjectKind::WsgiFunctionApp => 1,
            _ => 0,
        };
        let arg = obj.call.keyword("http_auth_level").or_else(|| {
            obj.call
                .args
                .get(position)
                .filter(|a| a.keyword.is_none() && a.splat == crate::analysis::v2::syntax::Splat::None)
        });
        let Some(arg) = arg else { continue };
        let Some(spec) = enumeration("AuthLevel") else { continue };
        let lookup = |n: &str| constant(ctx.modules, &obj.file, n);
        if let EnumValue::Invalid(v) = enum_value(spec, &arg.value, true, &lookup) {
            let upper = v.to_uppercase();
            let mut d = META.diag(&obj.file,
                arg.value.range,
                format!(
                    "{}(http_auth_level='{v}') needs the member name as written in AuthLevel ({}): it raises KeyError, and {fails}",
                    obj.kind.class_name(),
                    spec.members.join(", ")
                ),
            );
            if spec.members.contains(&upper.as_str()) && arg.value.as_str().is_some() {
                d = d.with_fix(
                    format!("Use \"{upper}\""),
                    vec![FileEdit {
                        file: obj.file.clone(),
                        range: arg.value.range,
                        new_text: format!("\"{upper}\""),
                    }],
                );
            }
            out.push(d);
        }
    }
    for f in model.functions.iter().filter(|f| f.imported) {
        for d in &f.decorators {
            let Some((_, bound)) = d.bound_args() else {
                continue;
            };
            let lookup = |n: &str| constant(ctx.modules, &d.file, n);
            for (p, arg) in &bound.params {
                let Some(e) = p.enum_type.and_then(enumeration) else {
                    continue;
                };
                let mut report = |value: &PyExpr, (what, hint): (String, String)| {
                    out.push(META.diag(&d.file,
                        value.range,
                        format!("{what}: {}() raises KeyError, and {fails}{hint}", d.display()),
                    ));
                };
                if e.name == "HttpMethod" {
                    match (&arg.value.kind, sequence(&arg.value)) {
                        (ExprKind::None, _) => {}
                        (ExprKind::Str(s), _) => report(
                            &arg.value,
                            (
                                format!("methods='{s}' is a string, which the library reads letter by letter"),
                                format!(" — pass a list such as [\"{}\"]", s.to_uppercase()),
                            ),
                        ),
                        (_, Some(items)) => {
                            for item in items {
                                if let EnumValue::Invalid(v) = enum_value(e, item, false, &lookup) {
                                    let (what, hint) = problem(e, &v);
                                    report(item, (format!("methods: {what}"), hint));
                                }
                            }
                        }
                        _ => {}
                    }
                    continue;
                }
                if let EnumValue::Invalid(v) = enum_value(e, &arg.value, false, &lookup) {
                    let (what, hint) = problem(e, &v);
                    report(&arg.value, (format!("{}: {what}", p.name), hint));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn invalid_enum_values() {
        expect![[r#"
            function_app.py:2:40 AZF711 error FunctionApp(http_auth_level='anonymous') needs the member name as written in AuthLevel (FUNCTION, ANONYMOUS, ADMIN): it raises KeyError, and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found")
              fix: Use "ANONYMOUS"
            function_app.py:4:38 AZF711 error auth_level: 'public' is not a member of AuthLevel (FUNCTION, ANONYMOUS, ADMIN): app.route() raises KeyError, and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found")
            function_app.py:4:64 AZF711 error methods: 'FETCH' is not a member of HttpMethod (GET, POST, DELETE, HEAD, PATCH, PUT, OPTIONS, QUERY): app.route() raises KeyError, and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found") — did you mean 'PATCH'?
            function_app.py:7:76 AZF711 error data_type: 'text' is not a member of DataType (UNDEFINED, STRING, BINARY, STREAM): app.queue_trigger() raises KeyError, and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found")
            function_app.py:10:94 AZF711 error cardinality: 'batch' is not a member of Cardinality (ONE, MANY): app.event_hub_message_trigger() raises KeyError, and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found")
            function_app.py:13:31 AZF711 error methods='get' is a string, which the library reads letter by letter: app.route() raises KeyError, and the worker's import of function_app.py fails, so no function of the app is indexed ("0 functions found") — pass a list such as ["GET"]
        "#]]
        .assert_eq(&check(
            "AZF711",
            r#"
//- /function_app.py
import azure.functions as func
app = func.FunctionApp(http_auth_level="anonymous")

@app.route(route="hello", auth_level="public", methods=["get", "FETCH", func.HttpMethod.POST])
def hello(req): pass

@app.queue_trigger(arg_name="m", queue_name="q", connection="C", data_type="text")
def q(m): pass

@app.event_hub_message_trigger(arg_name="e", event_hub_name="h", connection="C", cardinality="batch")
def e(e): pass

@app.route(route="x", methods="get", auth_level=func.AuthLevel.ANONYMOUS)
def x(req): pass

@app.route(route="y", auth_level="Anonymous", methods=("GET",))
def y(req): pass
"#,
        ));
    }
}
