//! AZF607: a third-party import that no requirements.txt line provides.

use super::context::unlisted::Unlisted;
use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::catalog::distributions::Provenance;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::requirements::{self, append_line, normalize, Requirements};

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

Which distribution provides an import comes from the app's environment when it has one (`.venv`,
`venv` or `.python_packages`: the installed distributions' `RECORD` and `top_level.txt`), else
from a table of known import names. When neither knows, the message says so and no fix guesses a
name. An import of the app's own module in another letter case (`ScrapeNewEntries` for
`scrapeNewEntries.py`) says so: imports are case-sensitive. Without an environment, a listed
package may bring the module in as its own dependency
(`requests` comes with `azure-core`): the message then says so. With one, a module that a listed
requirement brings in is AZF609, not this;
the durable package of a decorator app is AZF716's.
Each package is reported once per file, at its first import. The fix that adds the line is offered
in the editor only: "fix all", fix-on-save and `check --fix` never edit requirements.txt for a
diagnostic in another file.
"#,
    fix: FixAvailability::Unsafe,
};


/// The distributions listed in `reqs` that bring `distribution` in, per the environment.
pub(super) fn comes_through(ctx: &FunctionCtx, reqs: &Requirements, u: &Unlisted) -> Vec<String> {
    let Some(environment) = ctx.app.environment.as_deref() else {
        return Vec::new();
    };
    if u.providers.provenance != Provenance::Environment {
        return Vec::new();
    }
    let listed: Vec<&str> = reqs.items.iter().map(|r| r.name.as_str()).collect();
    environment.comes_through(u.providers.suggestion(), &listed)
}

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let reqs = ctx.requirements();
    // Read only for a message, and only when requirements.txt is missing.
    let no_file = || match requirements::pyproject_declares_dependencies(ctx.app) {
        true => "the app has no requirements.txt (remote build does not read pyproject.toml)",
        false => "the app has no requirements.txt",
    };
    for u in ctx.unlisted_imports() {
        let name = &u.module;
        // The app's own module, written in another letter case: no distribution is meant.
        let own = u
            .distribution()
            .is_none()
            .then(|| ctx.app_module_in_other_case(u.top()))
            .flatten();
        if let Some(own) = own {
            let unless = match reqs {
                Some(_) => format!("unless a listed package provides `{}`, ", u.top()),
                None => String::new(),
            };
            out.push(META.diag(
                u.file,
                u.range,
                format!("'{name}' is imported, but the app's module is '{own}': imports are case-sensitive, so {unless}it fails with ModuleNotFoundError"),
            ));
            continue;
        }
        let diagnostic = match (reqs, u.distribution()) {
            (None, Some(dist)) => META.diag(
                u.file,
                u.range,
                format!("'{name}' is imported, but {}: deployments do not install {dist}, so it fails with ModuleNotFoundError", no_file()),
            ),
            (None, None) => META.diag(
                u.file,
                u.range,
                format!("'{name}' is imported, but {}: deployments install no packages, so it fails with ModuleNotFoundError", no_file()),
            ),
            (Some(reqs), Some(dist)) => {
                if !comes_through(ctx, reqs, u).is_empty() {
                    continue; // AZF609
                }
                if ctx.unit.decorated().is_some() && normalize(dist) == "azure-functions-durable" {
                    continue; // AZF716 says it where the durable decorators need it.
                }
                // Without an environment to read, a listed package may bring it in as a
                // dependency (`requests` through `azure-core`, `numpy` through `pandas`).
                let others_listed = reqs
                    .items
                    .iter()
                    .any(|r| normalize(&r.name) != "azure-functions");
                let unless = match ctx.app.environment.is_none() && others_listed {
                    true => "unless a listed package brings it in, ",
                    false => "",
                };
                META.diag(
                    u.file,
                    u.range,
                    format!("'{name}' is imported, but requirements.txt does not list {dist}, which provides it: {unless}it fails with ModuleNotFoundError after deploy"),
                )
                .with_fix(
                    format!("Add {dist} to requirements.txt"),
                    vec![append_line(ctx.app, "requirements.txt", dist)],
                )
            }
            (Some(_), None) => META.diag(
                u.file,
                u.range,
                format!("'{name}' is imported, but no listed requirement provides `{}` (which distribution does is not known): unless a listed package brings it in, it fails with ModuleNotFoundError after deploy", u.top()),
            ),
        };
        out.push(diagnostic);
    }
}


#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn imports() {
        expect![[r#"
            F/__init__.py:2:8 AZF607 warning 'yaml' is imported, but requirements.txt does not list PyYAML, which provides it: unless a listed package brings it in, it fails with ModuleNotFoundError after deploy
              fix: Add PyYAML to requirements.txt
            F/__init__.py:5:6 AZF607 warning 'azure.storage.blob' is imported, but requirements.txt does not list azure-storage-blob, which provides it: unless a listed package brings it in, it fails with ModuleNotFoundError after deploy
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

    #[test]
    fn one_finding_per_package_and_no_guessed_names() {
        expect![[r#"
            function_app.py:1:8 AZF607 warning 'numpy.linalg' is imported, but requirements.txt does not list numpy, which provides it: unless a listed package brings it in, it fails with ModuleNotFoundError after deploy
              fix: Add numpy to requirements.txt
            function_app.py:3:6 AZF607 warning 'opentelemetry.sdk.trace' is imported, but requirements.txt does not list opentelemetry-sdk, which provides it: unless a listed package brings it in, it fails with ModuleNotFoundError after deploy
              fix: Add opentelemetry-sdk to requirements.txt
            function_app.py:5:6 AZF607 warning 'does_not_exists' is imported, but no listed requirement provides `does_not_exists` (which distribution does is not known): unless a listed package brings it in, it fails with ModuleNotFoundError after deploy
            function_app.py:12:6 AZF607 warning 'yaml' is imported, but requirements.txt does not list PyYAML, which provides it: unless a listed package brings it in, it fails with ModuleNotFoundError after deploy
              fix: Add PyYAML to requirements.txt
        "#]]
        .assert_eq(&check(
            "AZF607",
            r#"
//- /requirements.txt
azure-functions
py-staticmaps
github-copilot-sdk
azurefunctions-extensions-http-fastapi
//- /function_app.py
import numpy.linalg
import numpy
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.resources import Resource
from does_not_exists import x
import staticmaps
from copilot import Agent
from azurefunctions.extensions.http.fastapi import Request
from azure_functions_worker import logging
from azure import functions as f2
from azure import durable_functions as df
from yaml import *
import azure.functions as func
app = func.FunctionApp()
"#,
        ));
    }

    /// `bcrypt` is the distribution of the `bcrypt` module (not `python_bcrypt`); with only the
    /// Functions library listed, nothing else can bring a module in.
    #[test]
    fn a_module_named_after_its_distribution_and_nothing_else_listed() {
        expect![[r#"
            F/__init__.py:2:8 AZF607 warning 'yaml' is imported, but requirements.txt does not list PyYAML, which provides it: it fails with ModuleNotFoundError after deploy
              fix: Add PyYAML to requirements.txt
        "#]]
        .assert_eq(&check(
            "AZF607",
            r#"
//- /requirements.txt
azure-functions
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /F/__init__.py
import azure.functions as func
import yaml
def main(req): pass
"#,
        ));
        expect![[""]].assert_eq(&check(
            "AZF607",
            r#"
//- /requirements.txt
azure-functions
bcrypt==3.1.4
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /F/__init__.py
import bcrypt
def main(req): pass
"#,
        ));
    }

    /// The app's own module imported in another letter case: a module by that exact name
    /// exists nowhere, and the message names the app's.
    #[test]
    fn an_app_module_in_another_letter_case() {
        expect![[r#"
            function_app.py:2:6 AZF607 warning 'ScrapeNewEntries' is imported, but the app's module is 'scrapeNewEntries': imports are case-sensitive, so unless a listed package provides `ScrapeNewEntries`, it fails with ModuleNotFoundError
            function_app.py:3:8 AZF607 warning 'Helpers.text' is imported, but the app's module is 'helpers': imports are case-sensitive, so unless a listed package provides `Helpers`, it fails with ModuleNotFoundError
        "#]]
        .assert_eq(&check(
            "AZF607",
            r#"
//- /requirements.txt
azure-functions
//- /function_app.py
import azure.functions as func
from ScrapeNewEntries import scrape
import Helpers.text
import scrapeNewEntries
app = func.FunctionApp()
//- /scrapeNewEntries.py
def scrape(): pass
//- /helpers/text.py
"#,
        ));
    }

    #[test]
    fn without_requirements_txt_imports_are_still_reported() {
        expect![[r#"
            function_app.py:1:8 AZF607 warning 'yaml' is imported, but the app has no requirements.txt: deployments do not install PyYAML, so it fails with ModuleNotFoundError
            function_app.py:2:8 AZF607 warning 'flask' is imported, but the app has no requirements.txt: deployments do not install Flask, so it fails with ModuleNotFoundError
            function_app.py:3:8 AZF607 warning 'leftpad_tools' is imported, but the app has no requirements.txt: deployments install no packages, so it fails with ModuleNotFoundError
        "#]]
        .assert_eq(&check(
            "AZF607",
            r#"
//- /host.json
{}
//- /function_app.py
import yaml
import flask
import leftpad_tools
import azure.functions as func
app = func.FunctionApp()
"#,
        ));
    }

    #[test]
    fn many_imports_and_requirements_cost_linear_time() {
        let n = 20_000;
        let requirements: String = (0..n).map(|i| format!("dist-{i}-x\n")).collect();
        let imports: String = (0..n).map(|i| format!("import mod{i}\n")).collect();
        let hostile_name = "a-".repeat(100_000) + "b\n";
        let fixture = format!(
            "//- /requirements.txt\n{requirements}{hostile_name}//- /function_app.py\n{imports}import dist_7_x\nimport azure.functions as func\napp = func.FunctionApp()\n"
        );
        let app = super::super::test_support::app(&fixture);
        let config = crate::analysis::Config {
            select: vec!["AZF607".into()],
            ..Default::default()
        };
        let start = std::time::Instant::now();
        let found = crate::analysis::check_app(&app, &config);
        assert_eq!(found.len(), n, "one per unknown module");
        assert!(!found.iter().any(|d| d.message.contains("'dist_7_x'")));
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn the_durable_package_of_a_decorator_app_is_azf716s() {
        let app = r#"
//- /requirements.txt
azure-functions
//- /function_app.py
import azure.functions as func
import azure.durable_functions as df
app = df.DFApp()
@app.orchestration_trigger(context_name="context")
def orchestrator(context):
    return 1
"#;
        expect![[r#"
            function_app.py:4:2 AZF716 warning app.orchestration_trigger() needs azure-functions-durable, which requirements.txt does not list: after deploy the worker's import of function_app.py fails and no function of the app is indexed
              fix: Add azure-functions-durable to requirements.txt
        "#]]
        .assert_eq(&(check("AZF7", app) + &check("AZF607", app)));
        // A function.json app has no AZF716: AZF607 says it.
        expect![[r#"
            F/__init__.py:1:8 AZF607 warning 'azure.durable_functions' is imported, but requirements.txt does not list azure-functions-durable, which provides it: it fails with ModuleNotFoundError after deploy
              fix: Add azure-functions-durable to requirements.txt
        "#]]
        .assert_eq(&check(
            "AZF607",
            r#"
//- /host.json
{"version": "2.0"}
//- /requirements.txt
azure-functions
//- /F/function.json
{"bindings": [{"type": "orchestrationTrigger", "name": "context"}]}
//- /F/__init__.py
import azure.durable_functions as df
def main(context): pass
"#,
        ));
    }
}
