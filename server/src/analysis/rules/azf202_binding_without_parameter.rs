//! AZF202: a binding in function.json has no parameter of the same name in the entry function.


use super::context::{counterpart, did_you_mean_hint, Counterparts, FunctionCtx};
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{quoted, Diagnostic, Severity};
use super::fix_support::{rename_binding_fix, rename_parameter_fix, unbound_params, unit_of, unmatched_bindings, FixCtx, QuickFix};
use crate::analysis::annotations::{self, accepted_annotations};
use crate::analysis::catalog::annotation_matrix::ANNOTATIONS;
use crate::analysis::edits::{add_parameter, azure_prefix_with_import};
use crate::analysis::entry::EntryDef;
use crate::analysis::function_json::{Binding, Direction};
use crate::analysis::names::binding_name_problem;

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
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(sig) = ctx.signature() else { return };
    // Parameters by name (the first of a name), so each binding costs a lookup.
    let mut params: foldhash::HashMap<&str, &crate::analysis::python::Param> = Default::default();
    for p in &sig.params {
        params.entry(p.param.name.as_str()).or_insert(p.param);
    }
    let missing = ctx
        .unit
        .bindings()
        .iter()
        .filter_map(|b| b.name_str())
        .filter(|n| *n != "$return" && !params.contains_key(n))
        .count();
    // Every binding has its parameter (nearly every function): nothing more to prepare.
    if missing == 0 {
        return;
    }
    // The function's name, as every message of the function quotes it (cut when long).
    let fname = quoted(&sig.function.name);
    let unmatched: Vec<&str> = ctx
        .unbound_params()
        .map(|p| p.param.name.as_str())
        .collect();
    let counterparts = Counterparts::new(&unmatched);
    let mut seen = foldhash::HashSet::default();
    for b in ctx.unit.bindings() {
        let Some(name) = &b.name else { continue };
        if name.value == "$return"
            || params.contains_key(name.value.as_str())
            || !seen.insert(&name.value)
        {
            continue;
        }
        let suggestion = counterparts.find(&name.value, missing == 1);
        let hint = did_you_mean_hint(suggestion);
        let message = match ctx.unit.decorated() {
            None => format!(
                "binding '{}' has no parameter in {}(), so {}{hint}",
                name.value,
                fname,
                ctx.load_failure()
            ),
            Some(v2) => {
                let origin = v2.origin(ctx.unit.bindings(), b);
                let deco = v2
                    .decorator_of(ctx.unit.bindings(), b)
                    .map(|d| d.display())
                    .unwrap_or_else(|| "the decorator".into());
                let fault = ctx.app_fails(match origin {
                    Some(o) if !o.name_given && o.name_param == "trigger_arg_name" => format!(
                        "{deco}() passes the request as '{}' (the trigger_arg_name default), but {}() has no parameter '{}'",
                        name.value, fname, name.value,
                    ),
                    Some(o) if !o.name_param.is_empty() => format!(
                        "{deco}({}='{}') has no parameter '{}' in {}()",
                        o.name_param, name.value, name.value, fname,
                    ),
                    _ => format!(
                        "binding '{}' has no parameter in {}()",
                        name.value, fname,
                    ),
                });
                format!("{fault}{hint}")
            }
        };
        let mut d = ctx.declaration_diag(&META, name.range, message);
        if let (Some(s), Some(script)) = (suggestion, ctx.script_path) {
            if let Some(p) = params.get(s) {
                d = d.with_related(script, p.name_range, format!("parameter '{s}'"));
            }
        } else if let Some(script) = ctx.script_path {
            d = d.with_related(
                script,
                sig.function.name_range,
                format!("{}() is defined here", fname),
            );
        }
        out.push(d);
    }
}

/// Rename the near-match parameter to the binding (or the binding to it), or add the
/// parameter with the annotation the binding takes.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    let Some(unit) = unit_of(ctx, d).filter(|u| u.declaration_file() == d.file) else {
        return Vec::new();
    };
    let Some(b) = unit
        .bindings()
        .iter()
        .find(|b| b.name.as_ref().is_some_and(|n| n.range == d.range))
    else {
        return Vec::new();
    };
    let Some(name) = b.name_str() else {
        return Vec::new();
    };
    let Some(def) = ctx.entry_def(unit) else {
        return Vec::new();
    };
    let unbound: Vec<&str> = unbound_params(unit, &def)
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let missing = unmatched_bindings(unit, &def).len();
    let mut out = Vec::new();
    let suggestion = counterpart(name, &unbound, missing == 1);
    if let Some(s) = suggestion {
        out.extend(rename_parameter_fix(&def, s, name).map(|f| f.preferred(true).auto(true)));
        out.extend(rename_binding_fix(ctx, unit, name, s));
    }
    let first = out.is_empty();
    out.extend(
        add_parameter_fix(ctx, &def, b).map(|f| f.preferred(first).auto(suggestion.is_none())),
    );
    out
}

/// The annotation a new parameter for a binding gets: the binding's own class (`func.Out[str]`
/// for an output), `str` for bindings the worker treats generically, `None` when nothing fits.
fn annotation_for(binding_type: &str, direction: Direction, prefix: &str) -> Option<String> {
    let entry = annotations::matrix_entry(binding_type);
    let row = match direction {
        Direction::Out => entry.output,
        _ => entry.input,
    };
    let object = ANNOTATIONS.iter().position(|a| *a == "object")?;
    let generic = row.as_bytes().get(object) == Some(&b'o');
    let accepted = accepted_annotations(binding_type, direction, prefix);
    if generic {
        return Some(match direction {
            Direction::Out => format!("{prefix}Out[str]"),
            _ => "str".to_string(),
        });
    }
    match direction {
        Direction::Out => accepted
            .iter()
            .find(|a| a.ends_with("[str]"))
            .or(accepted.first())
            .cloned(),
        _ => accepted.first().cloned(),
    }
}

/// Adds the parameter a binding needs to the entry function.
fn add_parameter_fix(ctx: &dyn FixCtx, def: &EntryDef, b: &Binding) -> Option<QuickFix> {
    let name = b.name_str()?;
    let binding_type = b.type_str()?;
    let direction = b.direction?;
    if binding_name_problem(name).is_some() {
        return None;
    }
    let module = ctx.modules().get(def.script)?;
    let (prefix, import) = azure_prefix_with_import(def.script, def.text, module);
    let annotation = annotation_for(binding_type, direction, &prefix);
    let param = match &annotation {
        Some(a) => format!("{name}: {a}"),
        None => name.to_string(),
    };
    let mut edits = Vec::new();
    if annotation.as_ref().is_some_and(|a| a.contains(&prefix)) {
        edits.extend(import);
    }
    edits.push(add_parameter(def.script, def.text, def.function, &param)?);
    Some(QuickFix::new(
        format!("Add parameter '{param}' to {}()", def.function.name),
        edits,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_script};
    use expect_test::expect;

    #[test]
    fn bindings_without_parameters() {
        expect![[r#"
            F/function.json:1:47 AZF202 error binding 'req' has no parameter in main(), so 'F' does not load — did you mean 'request'?
              related F/__init__.py:1:10: parameter 'request'
            F/function.json:1:93 AZF202 error binding 'doc' has no parameter in main(), so 'F' does not load
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
            function_app.py:4:6 AZF202 error app.route() passes the request as 'req' (the trigger_arg_name default), but hello() has no parameter 'req'; the worker then indexes no function of the app ("0 functions found") — did you mean 'request'?
              related function_app.py:5:11: parameter 'request'
            function_app.py:9:26 AZF202 error app.blob_input(arg_name='template') has no parameter 'template' in report(); the worker then indexes no function of the app ("0 functions found")
              related function_app.py:10:5: report() is defined here
        "#]]
        .assert_eq(&check_script(
            "AZF202",
            r#"

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

    #[test]
    fn many_bindings_and_parameters() {
        use crate::analysis::{check_app, AppInput, Config};
        // 4,000 bindings: the even ones have their parameter, the odd ones a misspelt one.
        let n = 4_000;
        let bindings: Vec<String> = (0..n)
            .map(|i| format!("{{\"type\": \"blob\", \"name\": \"item{i}\"}}"))
            .collect();
        let params: Vec<String> = (0..n)
            .map(|i| if i % 2 == 0 { format!("item{i}") } else { format!("itme{i}") })
            .collect();
        let json = format!("{{\"bindings\": [{}]}}", bindings.join(",\n"));
        let py = format!("def main({}):\n    pass\n", params.join(", "));
        let app = AppInput::new("app")
            .with_file("F/function.json", &json)
            .with_file("F/__init__.py", &py);
        let config = Config { select: vec!["AZF202".into()], ..Config::default() };
        let found = check_app(&app, &config);
        assert_eq!(found.len(), n / 2);
        let name = |d: &crate::analysis::Diagnostic| json[d.range.as_usize()].trim_matches('"');
        assert!(found.iter().all(|d| name(d).starts_with("item")));
        // Suggestions are searched among a bounded number of candidates: the first misspelt
        // parameters are found for their bindings.
        let hinted: Vec<&str> = found
            .iter()
            .filter(|d| d.message.contains("did you mean"))
            .map(name)
            .collect();
        assert!(hinted.contains(&"item1") && hinted.contains(&"item3"), "{hinted:?}");
        for d in &found {
            if let Some(r) = d.related.first().filter(|r| r.message.starts_with("parameter")) {
                let param = &py[r.range.as_usize()];
                assert!(d.message.contains(&format!("did you mean '{param}'")));
            }
        }
    }

    #[test]
    fn a_long_function_name_is_not_repeated_in_full() {
        use crate::analysis::{check_app, AppInput, Config};
        let name = format!("main{}", "x".repeat(50_000));
        let bindings: Vec<String> = (0..200)
            .map(|i| format!("{{\"type\": \"blob\", \"name\": \"b{i}\"}}"))
            .collect();
        let app = AppInput::new("app")
            .with_file(
                "F/function.json",
                &format!("{{\"entryPoint\": \"{name}\", \"bindings\": [{}]}}", bindings.join(",")),
            )
            .with_file("F/__init__.py", &format!("def {name}():\n    pass\n"));
        let config = Config { select: vec!["AZF202".into()], ..Config::default() };
        let found = check_app(&app, &config);
        assert_eq!(found.len(), 200);
        for d in &found {
            assert!(d.message.len() < 300, "{}", d.message.len());
            assert!(d.message.contains("xxx…()"), "{}", d.message);
        }
    }
}
