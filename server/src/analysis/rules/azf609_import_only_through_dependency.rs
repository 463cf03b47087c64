//! AZF609: a module the app imports comes only as a dependency of a listed requirement.

use super::azf607_import_not_in_requirements::comes_through;
use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::requirements::append_line;

pub const META: RuleMeta = RuleMeta {
    code: "AZF609",
    name: "import-only-through-dependency",
    severity: Severity::Information,
    summary: "An imported module comes only as a dependency of a listed requirement",
    explanation: r#"The app's environment shows that the distribution providing the import is installed because a
listed requirement depends on it, not because requirements.txt lists it. The deployment installs
it today; it stops doing so when that requirement drops or changes the dependency.

```python
import numpy       # requirements.txt: azure-functions, tensorflow (which requires numpy)
```

List `numpy` in requirements.txt if the app uses it directly. Known only when the app has an
environment (`.venv`, `venv` or `.python_packages`); the fix is offered in the editor only.
"#,
    fix: FixAvailability::Unsafe,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(reqs) = ctx.requirements() else {
        return;
    };
    for u in ctx.unlisted_imports() {
        let through = comes_through(ctx, reqs, u);
        let Some(distribution) = u.distribution().filter(|_| !through.is_empty()) else {
            continue;
        };
        out.push(
            META.diag(
                u.file,
                u.range,
                format!(
                    "'{}' comes only through {}: requirements.txt does not list {distribution}, which provides it",
                    u.module,
                    through.join(", ")
                ),
            )
            .with_fix(
                format!("Add {distribution} to requirements.txt"),
                vec![append_line(ctx.app, "requirements.txt", distribution)],
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{app, render};
    use crate::analysis::config::Config;
    use crate::analysis::installed::{DistInfo, Installed};
    use expect_test::expect;
    use std::sync::Arc;

    fn config() -> Config {
        Config {
            select: vec!["AZF607".into(), "AZF609".into()],
            ..Config::default()
        }
    }

    #[test]
    fn a_dependency_of_a_listed_requirement_is_information() {
        let mut input = app(r#"
//- /requirements.txt
azure-functions
tensorflow
//- /host.json
{"version": "2.0"}
//- /function_app.py
import numpy
import numpy.linalg
import azure.functions as func
app = func.FunctionApp()
@app.route()
def f(req): pass
"#);
        input.environment = Some(Arc::new(Installed::from_dist_infos([
            DistInfo {
                dir: "tensorflow-2.16.1.dist-info",
                metadata: Some("Name: tensorflow\nRequires-Dist: numpy<2,>=1.23\n"),
                top_level: Some("tensorflow\n"),
                record: None,
            },
            DistInfo {
                dir: "numpy-1.26.4.dist-info",
                metadata: Some("Name: numpy\n"),
                top_level: None,
                record: Some("numpy/__init__.py,,\nnumpy/linalg/__init__.py,,\n"),
            },
        ])));
        expect![[r#"
            function_app.py:1:8 AZF609 information 'numpy' comes only through tensorflow: requirements.txt does not list numpy, which provides it
              fix: Add numpy to requirements.txt
        "#]]
        .assert_eq(&render(&input, &crate::analysis::check_app(&input, &config())));
        // Without the environment nothing says how numpy arrives: AZF607 asks for it.
        input.environment = None;
        let found = crate::analysis::check_app(&input, &config());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code.as_str(), "AZF607");
    }
}
