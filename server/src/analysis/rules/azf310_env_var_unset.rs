//! AZF310: the code reads an environment variable that local.settings.json does not set.

use super::context::{did_you_mean_hint, FunctionCtx};
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::python::EnvRead;
use crate::analysis::settings::WatchedSettings;
use super::fix_support::{undefined_setting_fixes, FixCtx, QuickFix};

pub const META: RuleMeta = RuleMeta {
    code: "AZF310",
    name: "env-var-unset",
    severity: Severity::Warning,
    summary: "The code reads an app setting (environment variable) that local.settings.json does not set",
    explanation: r#"App settings reach Python as environment variables: locally from `Values` in
local.settings.json, in Azure from the app's settings. Reading one that is not set raises
`KeyError` (`os.environ["X"]`) or gives `None` (`os.getenv("X")`) when the function runs.

```python
api_key = os.environ["PAYMENTS_API_KEY"]
```

Add `PAYMENTS_API_KEY` to local.settings.json and to the app settings, or give a default.
"#,
    fix: FixAvailability::Unsafe,
};

/// Variables the platform or the host sets, which local.settings.json need not define.
pub fn provided_by_platform(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["WEBSITE_", "FUNCTIONS_", "AZURE_FUNCTIONS_", "APPSETTING_", "CONTAINER_", "MSI_", "IDENTITY_", "PYTHON"]
        .iter()
        .any(|p| upper.starts_with(p))
        || matches!(
            upper.as_str(),
            "HOME" | "PATH" | "TEMP" | "TMP" | "USER" | "PWD" | "HOSTNAME" | "LANG" | "REGION_NAME"
                | "APPLICATIONINSIGHTS_CONNECTION_STRING" | "AZUREWEBJOBSSCRIPTROOT"
        )
}

/// The env reads of the function's modules that `local.settings.json` does not satisfy.
pub fn unset_reads<'m>(ctx: &'m FunctionCtx, settings: WatchedSettings) -> Vec<(&'m str, &'m EnvRead)> {
    let mut out = Vec::new();
    for m in ctx.loaded_modules() {
        let Some(module) = ctx.modules.get(&m.file) else { continue };
        for read in &module.env_reads {
            if read.has_default || settings.is_set(&read.name) || provided_by_platform(&read.name) {
                continue;
            }
            out.push((m.file.as_str(), read));
        }
    }
    out
}

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(settings) = ctx.settings() else { return };
    for (file, read) in unset_reads(ctx, settings) {
        if read.raises_when_unset && read.at_import {
            continue; // AZF311
        }
        let effect = if read.raises_when_unset { "raises KeyError" } else { "returns None" };
        let hint = did_you_mean_hint(settings.suggest_value(&read.name));
        out.push(META.diag(file,
            read.range,
            format!("'{}' is not set in local.settings.json: this read {effect} when it runs{hint}", read.name),
        ));
    }
}

/// Read the near-miss setting, or add the setting.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    let Some(name) = ctx
        .modules()
        .get(&d.file)
        .and_then(|m| m.env_reads.iter().find(|r| r.range == d.range))
        .map(|r| r.name.clone())
    else {
        return Vec::new();
    };
    let plain = ctx
        .input()
        .text(&d.file)
        .and_then(|t| t.get(d.range.as_usize()))
        == Some(name.as_str());
    undefined_setting_fixes(ctx, d, &name, "", |s| {
        plain.then(|| (format!("Read '{s}' instead"), s.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn env_reads() {
        expect![[r#"
            F/__init__.py:4:23 AZF310 warning 'API_KEY' is not set in local.settings.json: this read raises KeyError when it runs — did you mean 'API_KEYS'?
            F/__init__.py:5:20 AZF310 warning 'REGION' is not set in local.settings.json: this read returns None when it runs
        "#]]
        .assert_eq(&check(
            "AZF310",
            r#"
//- /local.settings.json
{"IsEncrypted": false, "Values": {"API_KEYS": "k", "SET": "1"}}
//- /F/function.json
{"bindings": [{"type": "httpTrigger", "name": "req"}]}
//- /F/__init__.py
import os
from os import getenv
def main(req):
    key = os.environ["API_KEY"]
    r = os.getenv("REGION")
    d = os.environ.get("DEBUG", "0")
    s = os.environ["SET"]
    w = os.environ["WEBSITE_SITE_NAME"]
"#,
        ));
    }
}
