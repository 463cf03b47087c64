//! AZF608: `.funcignore` excludes a file or folder the app needs.

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "AZF608",
    name: "funcignore-excludes-needed",
    severity: Severity::Warning,
    summary: "`.funcignore` excludes host.json, requirements.txt, a function folder or a local package the code imports",
    explanation: r#"Files matched by `.funcignore` (gitignore syntax) are left out of the deployment package. If
that includes host.json, requirements.txt, a function's folder or a local package the functions
import, the deployed app is broken.

```text
.venv
shared*
```

`shared*` also excludes `shared_code/`, which the functions import. Narrow the pattern.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(text) = ctx.app.text(".funcignore") else { return };
    let mut builder = ignore::gitignore::GitignoreBuilder::new("/app");
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if builder.add_line(None, content).is_ok() {
            lines.push((content.to_string(), TextRange::new(offset, offset + content.len())));
        }
        offset += line.len();
    }
    let Ok(matcher) = builder.build() else { return };
    // What must be deployed: the root files, every function folder, and local packages imported.
    let mut needed: Vec<(String, bool, &str)> = vec![
        ("host.json".into(), false, "host.json"),
        ("requirements.txt".into(), false, "requirements.txt"),
    ];
    for unit in ctx.units {
        needed.push((unit.name.clone(), true, "a function folder"));
    }
    let mut locals: Vec<String> = Vec::new();
    for (path, module) in ctx.modules.iter() {
        for import in module.imports.iter().filter(|i| i.level == 0) {
            let name = if import.is_from { import.module.as_str() } else { import.names.first().map(|n| n.name.as_str()).unwrap_or("") };
            let top = name.split('.').next().unwrap_or("");
            if !top.is_empty() && ctx.app.dir_exists(top) && !ctx.units.iter().any(|u| u.name == top) && !locals.contains(&top.to_string()) {
                locals.push(top.to_string());
            }
        }
        let _ = path;
    }
    for l in &locals {
        needed.push((l.clone(), true, "a local package the functions import"));
    }
    for (path, is_dir, what) in needed {
        if (!is_dir && !ctx.app.exists(&path)) || (is_dir && !ctx.app.dir_exists(&path)) {
            continue;
        }
        let m = matcher.matched(format!("/app/{path}"), is_dir);
        if m.is_ignore() {
            let pattern = m.inner().map(|g| g.original().to_string()).unwrap_or_default();
            let range = lines.iter().find(|(l, _)| *l == pattern).map(|(_, r)| *r).unwrap_or(TextRange::empty(0));
            out.push(META.diag(".funcignore", range, format!("'{pattern}' excludes '{path}' ({what}) from the deployment")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn excluded() {
        expect![[r#"
            .funcignore:2:1 AZF608 warning 'shared*' excludes 'shared_code' (a local package the functions import) from the deployment
            .funcignore:3:1 AZF608 warning '*.txt' excludes 'requirements.txt' (requirements.txt) from the deployment
        "#]]
        .assert_eq(&check(
            "AZF608",
            "//- /.funcignore\n.venv\nshared*\n*.txt\n//- /host.json\n{}\n//- /requirements.txt\nazure-functions\n//- /F/function.json\n{}\n//- /F/__init__.py\nfrom shared_code import util\n//- /shared_code/util.py\n",
        ));
    }
}
