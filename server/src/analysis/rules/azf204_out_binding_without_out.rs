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
/// `from azure.functions import Out` (preferred); of several spellings, that of the
/// alphabetically first name, so the fix does not depend on the order of a map. Asked once per
/// finding: only the names of import statements are looked at.
pub fn out_spelling(module: &PyModule) -> Option<String> {
    let imported = module.first_import_binding(|name, kind| match kind {
        NameKind::FromImport {
            level: 0,
            module: m,
            name: n,
        } if m == "azure.functions" && n == "Out" => Some(name.to_string()),
        _ => None,
    });
    imported.or_else(|| {
        module.first_import_binding(|name, kind| match kind {
            NameKind::Module(m) if m == "azure.functions" => Some(format!("{name}.Out")),
            NameKind::FromImport {
                level: 0,
                module: m,
                name: n,
            } if m == "azure" && n == "functions" => Some(format!("{name}.Out")),
            NameKind::Module(m) if m == "azure" => Some(format!("{name}.functions.Out")),
            _ => None,
        })
    })
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

    #[test]
    fn the_fix_spells_out_as_the_module_imports_it() {
        let spelling = |imports: &str| super::out_spelling(&crate::analysis::python::parse(imports));
        // Of two aliases, the alphabetically first, whatever the order of the imports.
        for imports in [
            "import azure.functions as func\nimport azure.functions as af\n",
            "import azure.functions as af\nimport azure.functions as func\n",
        ] {
            assert_eq!(spelling(imports).as_deref(), Some("af.Out"), "{imports}");
            let fixture = format!(
                "//- /F/function.json\n{}\n//- /F/__init__.py\n{imports}def main(msg: str, doc: str): pass\n",
                r#"{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q"}, {"type": "blob", "name": "doc", "direction": "out", "path": "x", "connection": "AzureWebJobsStorage"}]}"#
            );
            let fixed = check_fix(&fixture, "AZF204", "Wrap");
            assert!(fixed.contains("doc: af.Out[str]"), "{fixed}");
        }
        // `Out` imported by name is preferred to the package.
        let both = "import azure.functions as func\nfrom azure.functions import Out as O\n";
        assert_eq!(spelling(both).as_deref(), Some("O"));
        let from_azure = "from azure import functions as fn\n";
        assert_eq!(spelling(from_azure).as_deref(), Some("fn.Out"));
        assert_eq!(spelling("import os\n"), None);
    }
}
