//! The analysis core: pure functions from an app's files to diagnostics. No I/O, no LSP types.

pub mod annotations;
pub mod app;
pub mod app_script;
pub mod catalog;
pub mod config;
pub mod diagnostic;
pub mod durable;
pub mod edits;
pub mod entry;
pub mod function;
pub mod function_json;
pub mod guard;
pub mod host_view;
pub mod ide;
pub mod imports;
pub mod installed;
pub mod json;
pub mod maps;
pub mod migrate;
pub mod modules;
pub mod names;
pub mod python;
pub mod python_scopes;
pub mod reads;
pub mod requirements;
pub mod routes;
pub mod rules;
pub mod setting_places;
pub mod settings;
pub mod state;
pub mod suppress;
pub mod text;
pub mod v2;

pub use app::{AppInput, FileContent};
pub use config::Config;
pub use diagnostic::{Diagnostic, FileEdit, Fix, Related, Rule, Severity};

/// Every function's diagnostics, unfiltered, in host order (a diagnostic in a module shared by
/// several functions appears once for each of them).
pub fn check_functions(app: &AppInput) -> Vec<(String, Vec<Diagnostic>)> {
    use rayon::prelude::*;
    let modules = function::parse_modules(app);
    let units = function::discover_all(app, &modules);
    let settings = settings::local_settings(app).map(std::sync::Arc::new);
    let loads = rules::context::SharedLoads::default();
    units
        .par_iter()
        .map(|unit| {
            (
                unit.name.clone(),
                rules::check_function_with_settings(app, &modules, unit, &settings, &loads),
            )
        })
        .collect()
}

/// Checks one app: every diagnostic, filtered and re-ranked by `config`, sorted by file and
/// position, each reported once, and the app-level consequence of a decorator-model failure
/// ("0 functions found") stated once per file.
pub fn check_app(app: &AppInput, config: &Config) -> Vec<Diagnostic> {
    let mut all = check_app_whole_messages(app, config);
    suppress::consequence_once(&mut all);
    all
}

/// [`check_app`] with every message whole, each stating its own consequences (the rules' own
/// tests show what each rule says).
pub fn check_app_whole_messages(app: &AppInput, config: &Config) -> Vec<Diagnostic> {
    check_modules_whole_messages(app, &function::parse_modules(app), config)
}

/// [`check_app`] of an app close to one checked before: the summary of each module whose text
/// is the same as in `earlier` is taken from it, only the others are parsed.
pub fn check_app_reusing(
    app: &AppInput,
    config: &Config,
    earlier: &function::Modules,
) -> Vec<Diagnostic> {
    let modules = function::Modules::lazy_reusing(app, earlier);
    tracing::debug!(
        "checking again: {} of {} module summaries taken over",
        modules.parsed_count(),
        modules.len()
    );
    modules.parse_all();
    let mut all = check_modules_whole_messages(app, &modules, config);
    suppress::consequence_once(&mut all);
    all
}

fn check_modules_whole_messages(
    app: &AppInput,
    modules: &function::Modules,
    config: &Config,
) -> Vec<Diagnostic> {
    let units = function::discover_all(app, modules);
    let unit_refs: Vec<&function::FunctionUnit> = units.iter().collect();
    check_parsed_whole_messages(app, modules, &unit_refs, config, None)
}

/// [`check_app`] on an app whose modules are parsed and functions found already (by an
/// [`state::AppState`] that also serves its fixes); `v2_model` is the decorator model the
/// functions were found with, when kept ([`state::AppState::new_keeping_model`]).
pub fn check_parsed(
    app: &AppInput,
    modules: &function::Modules,
    units: &[&function::FunctionUnit],
    config: &Config,
    v2_model: Option<std::sync::Arc<v2::V2App>>,
) -> Vec<Diagnostic> {
    let mut all = check_parsed_whole_messages(app, modules, units, config, v2_model);
    suppress::consequence_once(&mut all);
    all
}

fn check_parsed_whole_messages(
    app: &AppInput,
    modules: &function::Modules,
    units: &[&function::FunctionUnit],
    config: &Config,
    v2_model: Option<std::sync::Arc<v2::V2App>>,
) -> Vec<Diagnostic> {
    let per_function: &FunctionChecker = &|unit, settings, loads| {
        rules::check_function_with_settings(app, modules, unit, settings, loads)
    };
    check_parsed_with(app, modules, units, config, per_function, v2_model)
}

/// What runs the function-level rules on one function for [`check_parsed_using`], given the
/// app's local.settings.json and the modules shared by the functions of the check.
pub type FunctionChecker<'a> = dyn Fn(
        &function::FunctionUnit,
        &Option<std::sync::Arc<settings::LocalSettings>>,
        &rules::context::SharedLoads,
    ) -> Vec<Diagnostic>
    + Sync
    + 'a;

/// [`check_parsed`], with each function's unfiltered diagnostics from `per_function` (which
/// the check cache answers from what it kept when nothing the function depends on changed);
/// everything after (filtering, app-level rules, order, suppressions) is the same code.
pub fn check_parsed_using(
    app: &AppInput,
    modules: &function::Modules,
    units: &[&function::FunctionUnit],
    config: &Config,
    per_function: &FunctionChecker,
    v2_model: Option<std::sync::Arc<v2::V2App>>,
) -> Vec<Diagnostic> {
    let mut all = check_parsed_with(app, modules, units, config, per_function, v2_model);
    suppress::consequence_once(&mut all);
    all
}

fn check_parsed_with(
    app: &AppInput,
    modules: &function::Modules,
    units: &[&function::FunctionUnit],
    config: &Config,
    per_function: &FunctionChecker,
    v2_model: Option<std::sync::Arc<v2::V2App>>,
) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    // local.settings.json is read once for all functions.
    let settings = settings::local_settings(app).map(std::sync::Arc::new);
    let loads = rules::context::SharedLoads::default();
    // The app-level rules read the units, not the functions' findings: both run at once, so
    // that neither's slowest part (a rule scanning every function, the last big module) leaves
    // a core idle. The functions' findings come first, as they always did.
    let (mut all, app_level): (Vec<Diagnostic>, Vec<Diagnostic>) = rayon::join(
        || {
            units
                .par_iter()
                .flat_map_iter(|unit| per_function(unit, &settings, &loads))
                .filter(|d| config.enabled(d.code.as_str()))
                .collect()
        },
        || rules::check_app_files_with_model(app, modules, units, settings.clone(), v2_model),
    );
    all.extend(
        app_level
            .into_iter()
            .filter(|d| config.enabled(d.code.as_str())),
    );
    all.sort_by(|a, b| {
        (&a.file, a.range.start, a.code, &a.message, a.range.end).cmp(&(
            &b.file,
            b.range.start,
            b.code,
            &b.message,
            b.range.end,
        ))
    });
    // A problem in a module that several functions import is reported once.
    all.dedup_by(|b, a| {
        a.file == b.file && a.range == b.range && a.code == b.code && a.message == b.message
    });
    let covered = suppress::one_per_mistake(&all, config);
    all.retain(|d| !suppress::is_covered(d, &covered));
    suppress::finish_app(app, config, all)
}
