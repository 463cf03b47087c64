//! The third-party packages that the modules loading a function import and that
//! requirements.txt does not provide: what AZF607 and AZF609 report on, computed once per
//! function ([`FunctionCtx::unlisted_imports`]).

use std::collections::HashSet;

use super::FunctionCtx;
use crate::analysis::catalog::distributions::Providers;
use crate::analysis::installed::Installed;
use crate::analysis::python::ImportedName;
use crate::analysis::requirements::{is_stdlib, normalize, providers_in, Requirements};
use crate::analysis::text::TextRange;

/// One third-party package a module imports that requirements.txt does not list.
pub struct Unlisted<'a> {
    pub file: &'a str,
    pub range: TextRange,
    /// The dotted module as imported.
    pub module: String,
    pub providers: Providers,
}

impl Unlisted<'_> {
    /// The distribution that provides the module, when known (not guessed from its name).
    pub fn distribution(&self) -> Option<&str> {
        self.providers
            .is_known()
            .then(|| self.providers.suggestion())
    }

    /// The top-level module (`numpy` of `numpy.linalg`).
    pub fn top(&self) -> &str {
        top_of(&self.module)
    }
}

/// The third-party packages that the modules loading this function import unconditionally and
/// that no line of `reqs` provides (every one when the app has no requirements.txt), the first
/// import of each package per file.
/// Read through [`FunctionCtx::unlisted_imports`], which keeps them for the rules that ask.
pub(super) fn unlisted_imports<'a>(
    ctx: &FunctionCtx<'a>,
    reqs: Option<&Requirements>,
) -> Vec<Unlisted<'a>> {
    let environment = ctx.app.environment.as_deref();
    // Indexed on first use: most imports are of the standard library or the app itself.
    let listed = std::cell::OnceCell::new();
    let modules = ctx.modules;
    let mut out = Vec::new();
    for m in ctx.loaded_modules().iter() {
        let Some((file, module)) = modules.get_key_value(&m.file) else {
            continue;
        };
        let mut seen: HashSet<String> = HashSet::new();
        for import in module
            .imports
            .iter()
            .filter(|i| i.unconditional && i.level == 0)
        {
            // The modules a `from` import names all share its module's top: checked first, before
            // the distributions of each are looked up.
            if import.is_from && !may_be_third_party(ctx, &import.module, top_of(&import.module)) {
                continue;
            }
            let names: Vec<String> = if import.is_from {
                from_import_modules(&import.module, &import.names, environment)
            } else {
                import.names.iter().map(|n| n.name.clone()).collect()
            };
            for name in &names {
                let top = top_of(name);
                if !may_be_third_party(ctx, name, top) {
                    continue;
                }
                let providers = providers_in(name, environment);
                if let Some(listed) = listed.get_or_init(|| reqs.map(Listed::new)) {
                    if providers.distributions.iter().any(|d| listed.provides(d))
                        || (!providers.is_known() && listed.under_its_name(top))
                    {
                        continue;
                    }
                }
                // One finding per package: `numpy` and `numpy.linalg` are one distribution.
                let key = match providers.is_known() {
                    true => normalize(providers.suggestion()),
                    false => top.to_string(),
                };
                if seen.insert(key) {
                    // The module's name, not the whole statement.
                    let range = match import.is_from {
                        true => import.module_range,
                        false => import
                            .names
                            .iter()
                            .find(|n| &n.name == name)
                            .map_or(import.range, |n| n.range),
                    };
                    out.push(Unlisted {
                        file: file.as_str(),
                        range,
                        module: name.clone(),
                        providers,
                    });
                }
            }
        }
    }
    out
}

/// The modules `from module import names` brings in: `module` when it is known (or nothing
/// is), else each `module.name` (`from azure import durable_functions` imports the distribution of
/// `azure.durable_functions`; `azure` alone is a namespace that no distribution is named after).
fn from_import_modules(
    module: &str,
    names: &[ImportedName],
    environment: Option<&Installed>,
) -> Vec<String> {
    let submodules: Vec<String> = names
        .iter()
        .filter(|n| n.name != "*")
        .map(|n| format!("{module}.{}", n.name))
        .collect();
    let known = |m: &str| providers_in(m, environment).is_known();
    if known(module) || !submodules.iter().any(|s| known(s)) {
        return vec![module.to_string()];
    }
    submodules
}

/// What requirements.txt lists, for lookups in constant time: the names, and every run of
/// consecutive words of each name (`py-staticmaps` → `py`, `staticmaps`, `py-staticmaps`).
struct Listed {
    names: HashSet<String>,
    words: HashSet<String>,
}

/// Names longer than this many words are not split: no distribution's name is that long, and
/// the runs of a name grow with the square of its words.
const MAX_NAME_WORDS: usize = 8;

impl Listed {
    fn new(reqs: &Requirements) -> Listed {
        let names: HashSet<String> = reqs.items.iter().map(|r| r.normalized.clone()).collect();
        let mut words = HashSet::new();
        for name in &names {
            let parts: Vec<&str> = name.split('-').collect();
            if parts.len() > MAX_NAME_WORDS {
                continue;
            }
            for start in 0..parts.len() {
                for end in start + 1..=parts.len() {
                    words.insert(parts[start..end].join("-"));
                }
            }
        }
        Listed { names, words }
    }

    fn provides(&self, distribution: &str) -> bool {
        self.names.contains(&normalize(distribution))
    }

    /// A listed requirement whose name contains the module's name as its words
    /// (`py-staticmaps` for `staticmaps`, `github-copilot-sdk` for `copilot`): when nothing else
    /// is known, it likely provides the module, and a warning would only be noise.
    fn under_its_name(&self, top: &str) -> bool {
        self.words.contains(&normalize(top))
    }
}

/// The top-level package of a dotted module name.
fn top_of(name: &str) -> &str {
    name.split('.').next().unwrap_or("")
}

/// Whether the module `name` (whose top-level package is `top`) may come from a distribution
/// that requirements.txt should list: not the standard library, the app itself, or what the
/// worker provides (azure.functions, which AZF605 asks for in requirements.txt, and up to Python
/// 3.12 the worker itself, `azure_functions_worker`). The cheaper questions first.
fn may_be_third_party(ctx: &FunctionCtx, name: &str, top: &str) -> bool {
    let worker_provides = name == "azure.functions"
        || name.starts_with("azure.functions.")
        || top == "azure_functions_worker";
    !(top.is_empty()
        || top == "__app__"
        || worker_provides
        || is_stdlib(top)
        || ctx.finder().top_level(top).is_some())
}
