//! AZF607: a third-party import that no requirements.txt line provides.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, FileEdit, Severity};
use crate::analysis::requirements::{self, distributions_for, is_stdlib};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF607",
    name: "import-not-in-requirements",
    severity: Severity::Warning,
    summary: "A third-party module is imported, but no requirements.txt line provides it",
    explanation: r#"Deployment installs only what requirements.txt lists, so an import that works on your machine
fails after deploy with `ModuleNotFoundError` ("0 functions loaded" in the v2 model). Import names
and distribution names often differ: `yaml` comes from `PyYAML`, `PIL` from `Pillow`, `cv2` from
`opencv-python`.

```python
import yaml        # requirements.txt: azure-functions
```

Add `PyYAML` to requirements.txt.
"#,
    fix: FixAvailability::Safe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(reqs) = requirements::parse(ctx.app, "requirements.txt") else { return };
    for m in ctx.loaded_modules() {
        let Some(module) = ctx.modules.get(&m.file) else { continue };
        for import in module.imports.iter().filter(|i| i.unconditional && i.level == 0) {
            let modules: Vec<&str> = if import.is_from {
                vec![import.module.as_str()]
            } else {
                import.names.iter().map(|n| n.name.as_str()).collect()
            };
            for name in modules {
                let top = name.split('.').next().unwrap_or("");
                if top.is_empty() || top == "__app__" || is_stdlib(name) || is_local(ctx, top) {
                    continue;
                }
                // The worker provides azure.functions; AZF605 asks for it in requirements.txt.
                if name == "azure.functions" || name.starts_with("azure.functions.") {
                    continue;
                }
                let candidates = distributions_for(name);
                if candidates.iter().any(|d| reqs.provides(d)) {
                    continue;
                }
                let suggest = candidates[0].clone();
                let text = ctx.app.text("requirements.txt").unwrap_or("");
                let prefix = if text.is_empty() || text.ends_with('\n') { "" } else { "\n" };
                out.push(
                    META.diag(&m.file,
                        import.range,
                        format!("'{name}' is imported, but requirements.txt does not list {suggest}: it fails with ModuleNotFoundError after deploy"),
                    )
                    .with_fix(
                        format!("Add {suggest} to requirements.txt"),
                        vec![FileEdit { file: "requirements.txt".into(), range: TextRange::empty(text.len()), new_text: format!("{prefix}{suggest}\n") }],
                    ),
                );
            }
        }
    }
}

fn is_local(ctx: &FunctionCtx, top: &str) -> bool {
    ctx.app.exists(&format!("{top}.py")) || ctx.app.exists(&format!("{top}/__init__.py")) || ctx.app.dir_exists(top)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn imports() {
        expect![[r#"
            F/__init__.py:2:1 AZF607 warning 'yaml' is imported, but requirements.txt does not list PyYAML: it fails with ModuleNotFoundError after deploy
              fix: Add PyYAML to requirements.txt
            F/__init__.py:5:1 AZF607 warning 'azure.storage.blob' is imported, but requirements.txt does not list azure-storage-blob: it fails with ModuleNotFoundError after deploy
              fix: Add azure-storage-blob to requirements.txt
        "#]]
        .assert_eq(&check(
            "AZF607",
            r#"
//- /requirements.txt
azure-functions
Requests==2.31
python_dateutil
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /F/__init__.py
import os, json
import yaml
import requests
from dateutil import parser
from azure.storage.blob import BlobClient
import azure.functions as func
from shared import util
from . import helpers
try:
    import ujson
except ImportError:
    ujson = None
def main(req): pass
//- /shared/util.py
//- /F/helpers.py
"#,
        ));
    }
}
