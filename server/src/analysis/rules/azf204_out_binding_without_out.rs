//! AZF204: an output binding's parameter is not annotated `func.Out[...]`.

use super::context::{out_shape, FunctionCtx, OutShape};
use super::{FixAvailability, RuleMeta};
use crate::analysis::annotations::Resolved;
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::function_json::Direction;
use crate::analysis::python::{NameKind, PyModule};

pub const META: RuleMeta = RuleMeta {
    code: "AZF204",
    name: "out-binding-without-out",
    severity: Severity::Error,
    summary: "An output binding's parameter is annotated without `func.Out[...]`",
    explanation: r#"A parameter bound to an `out` binding receives an `Out` object to `.set()` the value. Annotating
it with the value's type fails the load.

```python
def main(msg: func.QueueMessage, outputBlob: str):     # outputBlob is direction "out"
```

Annotate `outputBlob: func.Out[str]` and call `outputBlob.set(...)`.
"#,
    fix: FixAvailability::Safe,
};

/// How the module spells `Out`: `func.Out` for `import azure.functions as func`, `Out` after
/// `from azure.functions import Out`.
pub fn out_spelling(module: &PyModule) -> Option<String> {
    for (name, defs) in &module.names {
        for d in defs {
            match &d.kind {
                NameKind::FromImport {
                    level: 0,
                    module: m,
                    name: n,
                } if m == "azure.functions" && n == "Out" => {
                    return Some(name.clone());
                }
                _ => {}
            }
        }
    }
    for (name, defs) in &module.names {
        for d in defs {
            match &d.kind {
                NameKind::Module(m) if m == "azure.functions" => {
                    return Some(format!("{name}.Out"))
                }
                NameKind::FromImport {
                    level: 0,
                    module: m,
                    name: n,
                } if m == "azure" && n == "functions" => return Some(format!("{name}.Out")),
                NameKind::Module(m) if m == "azure" => {
                    return Some(format!("{name}.functions.Out"))
                }
                _ => {}
            }
        }
    }
    None
}

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let (Some(sig), Some(module)) = (ctx.signature(), ctx.module) else {
        return;
    };
    for p in &sig.params {
        let Some(resolved) = &p.resolved else {
            continue;
        };
        let Some(binding) = ctx.bindings_by_name.get(p.param.name.as_str()) else {
            continue;
        };
        if binding.direction != Some(Direction::Out) || binding.is_return() {
            continue;
        }
        let OutShape::Plain(r) = out_shape(resolved) else {
            continue;
        };
        let definite = matches!(
            r,
            Resolved::Class(_) | Resolved::List(_) | Resolved::OtherGeneric | Resolved::NoneType
        );
        if !definite {
            continue;
        }
        let Some(ann) = &p.param.annotation else {
            continue;
        };
        let Some(mut d) = ctx.script_diag(
            &META,
            ann.range,
            ctx.app_fails(format!(
                "binding '{}' has direction 'out', so its annotation must be func.Out[...]: use func.Out[{}]",
                p.param.name, ann.text
            )),
        ) else {
            continue;
        };
        d = d.with_related(
            ctx.unit.declaration_file(),
            binding
                .direction_raw
                .as_ref()
                .map(|x| x.range)
                .unwrap_or(binding.anchor()),
            "declared 'out' here",
        );
        if let (Some(spelling), Some(script)) = (out_spelling(module), ctx.script_path) {
            d = d.with_fix(
                format!("Wrap in {spelling}[...]"),
                vec![FileEdit {
                    file: script.to_string(),
                    range: ann.range,
                    new_text: format!("{spelling}[{}]", ann.text),
                }],
            );
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_fix};
    use expect_test::expect;

    #[test]
    fn out_without_out() {
        expect![[r#"
            F/__init__.py:2:25 AZF204 error binding 'doc' has direction 'out', so its annotation must be func.Out[...]: use func.Out[str]
              related F/function.json:1:119: declared 'out' here
              fix: Wrap in func.Out[...]
        "#]]
        .assert_eq(&check(
            "AZF204",
            r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}, {"type": "blob", "name": "doc", "direction": "out", "path": "x"}]}
//- /F/__init__.py
import azure.functions as func
def main(msg: str, doc: str): pass
"#,
        ));
    }

    /// The fix, applied as the editor offers it.
    #[test]
    fn fix() {
        let not_out = r#"
//- /F/function.json
{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}, {"type": "blob", "name": "doc", "direction": "out", "path": "x", "connection": "AzureWebJobsStorage"}]}
//- /F/__init__.py
import azure.functions as func
def main(msg: str, doc: str): pass
"#;
        expect_test::expect![[r#"
            Wrap in func.Out[...] [preferred] [auto]
            --- F/__init__.py
            import azure.functions as func
            def main(msg: str, doc: func.Out[str]): pass
        "#]]
        .assert_eq(&check_fix(not_out, "AZF204", "Wrap"));
    }
}
