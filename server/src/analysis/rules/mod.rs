//! The rule catalog. Each rule lives in its own file with its `META` (code, name, default
//! severity, one-line summary, explanation) and its check.

use super::app::AppInput;
use super::diagnostic::Diagnostic;
pub use super::diagnostic::{FixAvailability, Rule, RuleMeta};
use super::function::{FunctionUnit, Modules};
use super::settings::LocalSettings;
use std::sync::Arc;

pub mod context;
pub mod fix_support;
#[cfg(test)]
mod test_ranges;
#[cfg(test)]
pub mod test_support;

use context::{AppCtx, FunctionCtx};
use fix_support::{FixCtx, QuickFix};

type FunctionCheck = fn(&FunctionCtx, &mut Vec<Diagnostic>);
type AppCheck = fn(&AppCtx, &mut Vec<Diagnostic>);

/// Builds a rule's fixes for one of its diagnostics from the whole app, on demand.
type FixBuilder = fn(&dyn FixCtx, &Diagnostic) -> Vec<QuickFix>;

/// How a rule runs: once per function, once per app, or both (`check` and `check_app`).
/// `Script` is a function-level check about importing the script, which also runs on a v2
/// app's script as a whole when no decorated function carries it.
#[derive(Clone, Copy)]
enum Check {
    Function(FunctionCheck),
    Script(FunctionCheck),
    App(AppCheck),
    Both(FunctionCheck, AppCheck),
    /// Reported by the suppression step after every check (`analysis::suppress`).
    Suppression,
}

impl Check {
    fn function(self) -> Option<FunctionCheck> {
        match self {
            Check::Function(check) | Check::Script(check) | Check::Both(check, _) => Some(check),
            Check::App(_) | Check::Suppression => None,
        }
    }

    fn app(self) -> Option<AppCheck> {
        match self {
            Check::App(check) | Check::Both(_, check) => Some(check),
            Check::Function(_) | Check::Script(_) | Check::Suppression => None,
        }
    }

    fn script(self) -> Option<FunctionCheck> {
        match self {
            Check::Script(check) => Some(check),
            _ => None,
        }
    }
}

macro_rules! check_of {
    (Function $module:ident) => {
        Check::Function($module::check)
    };
    (Script $module:ident) => {
        Check::Script($module::check)
    };
    (App $module:ident) => {
        Check::App($module::check)
    };
    (Both $module:ident) => {
        Check::Both($module::check, $module::check_app)
    };
    (Suppression $module:ident) => {
        Check::Suppression
    };
}

macro_rules! fixes_of {
    ($module:ident) => {
        None
    };
    ($module:ident fixes) => {
        Some($module::fixes as FixBuilder)
    };
}

/// One line per rule: how it runs, its module, and `fixes` when the module has a fix builder
/// (`pub fn fixes`). Rules without one may still attach fixes to their diagnostics in `check`.
macro_rules! rules {
    ($($kind:ident $module:ident $($fixes:ident)?),* $(,)?) => {
        $(mod $module;)*
        /// Every rule, in code order.
        pub const RULES: &[RuleMeta] = &[$($module::META,)*];
        const CHECKS: &[Check] = &[$(check_of!($kind $module),)*];
        const FIX_BUILDERS: &[Option<FixBuilder>] = &[$(fixes_of!($module $($fixes)?),)*];
    };
}

rules!(
    Function azf001_function_json_invalid,
    Function azf002_invalid_function_name,
    Function azf003_no_bindings,
    Function azf004_script_file_not_found,
    Function azf005_primary_script_undetermined,
    Function azf006_script_not_python,
    Function azf007_script_outside_app,
    Function azf008_entry_point_missing,
    Script azf009_python_syntax_error,
    Script azf010_local_import_missing,
    Script azf011_import_time_failure,
    Function azf012_miscased_top_level_key,
    Both azf013_file_not_analysed,
    Suppression azf014_unused_suppression,
    Function azf101_binding_missing_name,
    Function azf102_binding_missing_type,
    Function azf103_invalid_direction,
    Function azf104_invalid_data_type,
    Function azf105_invalid_binding_name,
    Function azf106_binding_name_underscore,
    Function azf107_duplicate_binding_name,
    Function azf108_return_binding_not_out,
    Function azf109_no_trigger,
    Function azf110_multiple_triggers,
    Function azf111_inout_direction,
    Function azf112_unknown_binding_type,
    Function azf113_binding_type_case,
    Function azf114_unknown_binding_property,
    Function azf115_missing_required_property,
    Function azf116_invalid_property_value,
    Function azf117_invalid_http_method,
    Function azf118_invalid_timer_schedule,
    Function azf119_unsupported_direction,
    Function azf120_malformed_binding,
    Function azf121_timer_run_on_startup fixes,
    Function azf122_five_field_timer_schedule fixes,
    Function azf201_parameter_without_binding fixes,
    Function azf202_binding_without_parameter fixes,
    Function azf203_annotation_mismatch fixes,
    Function azf204_out_binding_without_out,
    Function azf205_in_binding_with_out,
    Function azf206_invalid_out_annotation,
    Function azf207_annotation_not_a_type fixes,
    Function azf208_return_annotation_mismatch fixes,
    Function azf209_context_annotation,
    Function azf210_variadic_parameter,
    Both azf211_unresolved_annotation,
    Function azf212_http_trigger_as_str fixes,
    Function azf213_return_without_binding,
    Function azf214_return_binding_never_set,
    Function azf215_sdk_type_connection,
    App azf301_local_settings_invalid,
    App azf302_setting_not_a_string,
    App azf303_is_encrypted_missing,
    App azf304_worker_runtime fixes,
    Function azf305_storage_missing fixes,
    App azf306_connection_unresolved fixes,
    Function azf307_identity_connection_incomplete,
    Function azf308_percent_in_connection,
    App azf309_app_setting_unresolved fixes,
    Script azf310_env_var_unset fixes,
    Script azf311_env_var_unset_at_import fixes,
    Function azf401_cors_preflight,
    Function azf402_route_prefix,
    App azf403_duplicate_route,
    Function azf404_route_param_unknown,
    Function azf405_route_repeats_prefix,
    App azf406_cors_in_host_json,
    Function azf407_reserved_route,
    Function azf501_binding_token_unknown,
    Function azf502_unbalanced_expression,
    App azf601_host_json_missing fixes,
    App azf602_host_json_invalid,
    Function azf603_extension_bundle_missing fixes,
    App azf604_requirements_missing fixes,
    App azf605_azure_functions_not_required,
    App azf606_worker_package_listed,
    Script azf607_import_not_in_requirements,
    App azf608_funcignore_excludes,
    Script azf609_import_only_through_dependency,
    App azf701_v2_script_name_invalid,
    App azf702_v2_no_function_app,
    App azf703_v2_several_function_apps,
    App azf704_v2_function_json_ignored,
    App azf705_v2_register_function_app,
    App azf706_v2_blueprint_not_registered,
    App azf707_v2_duplicate_function_name,
    Function azf708_v2_no_trigger,
    App azf709_v2_multiple_triggers,
    App azf710_v2_stacked_app_objects,
    App azf711_v2_invalid_enum_value,
    App azf712_v2_decorator_arguments,
    App azf713_v2_event_grid_credentials,
    Function azf714_v2_retry_invalid,
    Function azf715_v2_extra_field_key,
    App azf716_v2_durable_package_missing,
    App azf717_v2_http_app_route_prefix,
    Function azf718_v2_durable_context_name,
    App azf719_v2_unknown_app_attribute,
    App azf720_v2_decorator_above_bindings,
    App azf801_durable_unknown_function,
    Function azf802_durable_orchestrator_shape,
    Function azf803_durable_nondeterministic,
    Function azf804_durable_replay_logging,
    Function azf805_durable_client_not_wrapped,
    Function azf806_durable_client_not_awaited,
    Function azf807_durable_trigger_with_bindings,
    Function azf808_durable_unserialisable_value,
);

/// Codes of rules that were removed. A code is never given to another rule, so a setting or a
/// report that names it never starts to mean something else; add a code here when its rule goes.
pub const RETIRED: &[&str] = &[];

/// The rule that reports unused suppressions, and its findings (see `analysis::suppress`).
pub const UNUSED_SUPPRESSION: &RuleMeta = &azf014_unused_suppression::META;
pub use azf014_unused_suppression::report as unused_suppression;

/// A parameter without binding, and a binding without parameter: when the first names the
/// second as the binding the parameter was meant to be, they are one mistake, reported once
/// (see `analysis::suppress::one_per_mistake`).
pub const PARAMETER_WITHOUT_BINDING: &RuleMeta = &azf201_parameter_without_binding::META;
pub const BINDING_WITHOUT_PARAMETER: &RuleMeta = &azf202_binding_without_parameter::META;

/// The rule with this code (case-insensitive).
pub fn rule(code: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.code.eq_ignore_ascii_case(code))
}

/// A rule read back from its code (the check cache stores diagnostics); a code no rule has
/// (any more) does not deserialise.
impl<'de> serde::Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Rule, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        rule(&code)
            .filter(|meta| meta.code == code)
            .map(Rule::new)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown rule code {code}")))
    }
}

/// Runs every function-level rule on one function.
pub fn check_function(app: &AppInput, modules: &Modules, unit: &FunctionUnit) -> Vec<Diagnostic> {
    check_function_and_modules(app, modules, unit).0
}

/// Runs every function-level rule on one function, and returns with the diagnostics the app
/// files the worker imports to load it (the script, its packages, the local modules it imports):
/// an edit to any of them can change the function's diagnostics.
pub fn check_function_and_modules(
    app: &AppInput,
    modules: &Modules,
    unit: &FunctionUnit,
) -> (Vec<Diagnostic>, Vec<String>) {
    let checked = check_function_parts(app, modules, unit, None, None);
    let files = checked.files().map(str::to_string).collect();
    (checked.into_diagnostics(), files)
}

/// Runs every function-level rule on one function, with `local.settings.json` read once for
/// the app (`None`: it has none).
/// The functions of one check pass the same `loads`, so that those of a decorator app resolve the
/// modules its script loads once.
pub fn check_function_with_settings(
    app: &AppInput,
    modules: &Modules,
    unit: &FunctionUnit,
    settings: &Option<Arc<LocalSettings>>,
    loads: &context::SharedLoads,
) -> Vec<Diagnostic> {
    super::guard::catch(|| {
        check_function_unguarded(
            app,
            modules,
            unit,
            Some(settings.clone()),
            Some(loads),
            Keep::Diagnostics,
        )
    })
    .unwrap_or_else(|reason| FunctionChecked {
        independent: vec![function_not_checked(unit, &reason)],
        ..FunctionChecked::default()
    })
    .into_diagnostics()
}

/// [`check_function_with_settings`], with the modules the function's load ran (their files,
/// besides its unit and the app's root files, are what its diagnostics depend on; the functions
/// of a decorator app share one list); `None` when the rules failed with an internal error
/// (nothing then says what the error depended on).
pub fn check_function_with_loaded_modules(
    app: &AppInput,
    modules: &Modules,
    unit: &FunctionUnit,
    settings: &Option<Arc<LocalSettings>>,
    loads: &context::SharedLoads,
) -> (Vec<Diagnostic>, Option<Arc<Vec<context::LoadedModule>>>) {
    match super::guard::catch(|| {
        check_function_unguarded(
            app,
            modules,
            unit,
            Some(settings.clone()),
            Some(loads),
            Keep::Loaded,
        )
    }) {
        Ok(mut checked) => {
            let loaded = std::mem::take(&mut checked.loaded);
            (checked.into_diagnostics(), Some(loaded))
        }
        Err(reason) => (vec![function_not_checked(unit, &reason)], None),
    }
}

/// One function's diagnostics, split by whether they depend on `local.settings.json`.
#[derive(Debug, Clone, Default)]
pub struct FunctionChecked {
    /// From the rules that did not read the settings.
    pub independent: Vec<Diagnostic>,
    /// The rules (positions in [`RULES`]) that read the settings: an edit of the settings
    /// re-runs only these.
    pub settings_rules: Vec<usize>,
    /// What those rules reported.
    pub on_settings: Vec<Diagnostic>,
    /// What those rules read of the settings: an edit of the settings that changes none of it
    /// leaves `on_settings` as it is.
    pub settings_reads: crate::analysis::settings::SettingsReads,
    /// The modules the worker runs to load it, with their imports (kept for re-runs).
    pub loaded: Arc<Vec<context::LoadedModule>>,
    /// The Python files the rules read, besides what the functions of a decorator app share
    /// (the modules its script loads, whether they import the HTTP streaming extension):
    /// recorded for a decorated function in the language server's state, unknown otherwise.
    pub python_reads: crate::analysis::reads::PythonReads,
}

impl FunctionChecked {
    /// The app files the worker runs to load the function.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.loaded.iter().map(|m| m.file.as_str())
    }

    /// Both parts, in rule order.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        let mut all = self.independent;
        all.extend(self.on_settings);
        // Rules run in code order: a stable sort by code restores their order.
        all.sort_by_key(|d| d.code);
        all
    }
}

/// Runs the function-level rules on one function, with `settings` read once for the app
/// (`Some(None)`: it has none) or, when `None`, read here. Functions checked at once over the
/// same files pass one `loads`: what they share (the modules a script loads, host.json,
/// requirements.txt, each module's imports) is then found once.
pub fn check_function_parts(
    app: &AppInput,
    modules: &Modules,
    unit: &FunctionUnit,
    settings: Option<Option<Arc<LocalSettings>>>,
    loads: Option<&context::SharedLoads>,
) -> FunctionChecked {
    super::guard::catch(|| {
        check_function_unguarded(app, modules, unit, settings, loads, Keep::Everything)
    })
    .unwrap_or_else(|reason| FunctionChecked {
        independent: vec![function_not_checked(unit, &reason)],
        ..FunctionChecked::default()
    })
}

/// AZF013 for a function whose rules failed with an internal error.
fn function_not_checked(unit: &FunctionUnit, reason: &str) -> Diagnostic {
    let what = format!("function '{}'", unit.name);
    azf013_file_not_analysed::internal_error(
        unit.declaration_file(),
        Some(&unit.name),
        &what,
        reason,
    )
}

/// What a caller of [`check_function_unguarded`] keeps of its result besides the diagnostics.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// The diagnostics only: what the rules read of the settings is not recorded.
    Diagnostics,
    /// The loaded modules too.
    Loaded,
    /// The loaded modules and what the rules read of the settings (for later re-runs of the
    /// rules that read them).
    Everything,
}

/// The function-level rules on one function; `loads` shares the modules loaded through a
/// decorator app's script with the other functions of the check, and `keep` says what the
/// caller reads of the result.
fn check_function_unguarded(
    app: &AppInput,
    modules: &Modules,
    unit: &FunctionUnit,
    settings: Option<Option<Arc<LocalSettings>>>,
    loads: Option<&context::SharedLoads>,
    keep: Keep,
) -> FunctionChecked {
    let run = || {
        #[cfg(test)]
        if unit.name == super::guard::TEST_PANIC_MARKER {
            panic!("test panic while checking a function");
        }
        let ctx = FunctionCtx::with_settings(app, modules, unit, settings);
        let ctx = match loads {
            Some(loads) => ctx.sharing_loads(loads),
            None => ctx,
        };
        let mut out = FunctionChecked::default();
        // The checks of the script's import say the same for every function of a decorator app:
        // they run once, on the script, with the app-level rules (per function, their findings
        // would grow with functions × findings).
        let decorated = unit.decorated().is_some();
        let run_checks = |out: &mut FunctionChecked| {
            for (i, check) in CHECKS.iter().enumerate() {
                if decorated && check.script().is_some() {
                    continue;
                }
                if let Some(check) = check.function() {
                    let mut found = Vec::new();
                    check(&ctx, &mut found);
                    found.iter_mut().for_each(Diagnostic::escape_messages);
                    if ctx.take_settings_read() {
                        out.settings_rules.push(i);
                        out.on_settings.extend(found);
                    } else {
                        out.independent.extend(found);
                    }
                }
            }
        };
        // What the rules read of the settings, for a caller that keeps it: one record for all
        // of them. A rule that reads nothing of the settings adds nothing to it, so it is the
        // union of what the rules in `settings_rules` read, as one record per rule would give.
        match keep {
            Keep::Everything => {
                let ((), reads) = crate::analysis::settings::recording(|| run_checks(&mut out));
                out.settings_reads = reads;
            }
            Keep::Diagnostics | Keep::Loaded => run_checks(&mut out),
        }
        if keep != Keep::Diagnostics {
            out.loaded = ctx.shared_loaded_modules();
        }
        out
    };
    // Only a decorator app's state asks which files a function read (see `AppState::refresh`).
    if keep == Keep::Everything && unit.decorated().is_some() {
        let (mut checked, reads) = crate::analysis::reads::recording(run);
        checked.python_reads = reads;
        return checked;
    }
    run()
}

/// Re-runs only `rules` (positions in [`RULES`], function-level) on one function, what an edit
/// of `local.settings.json` can change, and says what they read of the settings and which
/// Python files.
pub fn check_function_rules_reading(
    app: &AppInput,
    modules: &Modules,
    unit: &FunctionUnit,
    settings: Option<Arc<LocalSettings>>,
    loaded: Arc<Vec<context::LoadedModule>>,
    rules: &[usize],
) -> (
    Vec<Diagnostic>,
    crate::analysis::settings::SettingsReads,
    crate::analysis::reads::PythonReads,
) {
    let ((found, reads), python_reads) = crate::analysis::reads::recording(|| {
        crate::analysis::settings::recording(|| {
            check_function_rules_unrecorded(app, modules, unit, settings, loaded, rules)
        })
    });
    (found, reads, python_reads)
}

fn check_function_rules_unrecorded(
    app: &AppInput,
    modules: &Modules,
    unit: &FunctionUnit,
    settings: Option<Arc<LocalSettings>>,
    loaded: Arc<Vec<context::LoadedModule>>,
    rules: &[usize],
) -> Vec<Diagnostic> {
    super::guard::catch(|| {
        let ctx = FunctionCtx::with_settings(app, modules, unit, Some(settings));
        ctx.set_loaded_modules(loaded);
        let mut out = Vec::new();
        for &i in rules {
            if let Some(check) = CHECKS.get(i).and_then(|c| c.function()) {
                check(&ctx, &mut out);
            }
        }
        out.iter_mut().for_each(Diagnostic::escape_messages);
        out
    })
    .unwrap_or_else(|reason| vec![function_not_checked(unit, &reason)])
}

/// What the app-level rules that compare functions take from each function, one column per
/// rule (row `i`: the `i`-th function in host order), so that a rule's pass over every function
/// reads only its own column. A function's facts come from its unit (and the text it is declared
/// in) alone — never from the settings or another function — so the language server keeps them
/// and, after an edit, derives only the edited function's again: the rules then combine facts
/// instead of reading every function.
#[derive(Debug, Clone, Default)]
pub struct AppFacts {
    /// Whether row `i` is derived (the others read as empty).
    derived: Vec<bool>,
    /// A hash of each function's route template, 0 for none (AZF403 counts them first).
    pub route_keys: Vec<u64>,
    /// Each function's HTTP route (AZF403).
    pub routes: Vec<Option<Box<azf403_duplicate_route::Route>>>,
    /// The connection names each function's bindings use (AZF306).
    pub connections: Vec<Box<[NamedUse]>>,
    /// The `%Name%` expressions of each function's bindings (AZF309).
    pub setting_uses: Vec<Box<[NamedUse]>>,
    /// What makes a function a durable function, or keeps durable names from being checked;
    /// `None` for most functions, which are neither (AZF801).
    pub durable: Vec<Option<Box<azf801_durable_unknown_function::DurableFacts>>>,
    /// Each function's script, when it is a decorated function in a Python script (AZF211).
    pub decorated_scripts: Vec<Option<Box<str>>>,
}

/// A setting name one of a function's bindings uses (a connection, a `%Name%` expression), and
/// where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedUse {
    pub name: String,
    pub range: crate::analysis::text::TextRange,
}

/// One function's row of [`AppFacts`].
struct FunctionFacts {
    route: Option<azf403_duplicate_route::Route>,
    connections: Vec<NamedUse>,
    setting_uses: Vec<NamedUse>,
    durable: Option<azf801_durable_unknown_function::DurableFacts>,
    decorated_script: Option<String>,
}

impl FunctionFacts {
    fn of(app: &AppInput, unit: &FunctionUnit) -> FunctionFacts {
        FunctionFacts {
            route: azf403_duplicate_route::route(unit),
            connections: azf306_connection_unresolved::uses(unit),
            setting_uses: azf309_app_setting_unresolved::uses(app, unit),
            durable: azf801_durable_unknown_function::facts(unit),
            decorated_script: azf211_unresolved_annotation::decorated_script(unit),
        }
    }
}

impl AppFacts {
    /// The facts of `len` functions, none derived yet.
    pub fn new(len: usize) -> AppFacts {
        AppFacts {
            derived: vec![false; len],
            route_keys: vec![0; len],
            routes: (0..len).map(|_| None).collect(),
            connections: (0..len).map(|_| Box::default()).collect(),
            setting_uses: (0..len).map(|_| Box::default()).collect(),
            durable: (0..len).map(|_| None).collect(),
            decorated_scripts: (0..len).map(|_| None).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.derived.len()
    }

    pub fn is_empty(&self) -> bool {
        self.derived.is_empty()
    }

    /// How many functions' facts are not derived.
    pub fn not_derived(&self) -> usize {
        self.derived.iter().filter(|d| !**d).count()
    }

    /// Drops the facts of function `i` (after an edit of it); they are derived again when next
    /// needed.
    pub fn forget(&mut self, i: usize) {
        if i < self.len() {
            self.set(i, None);
        }
    }

    /// Row `i` becomes row `j` of `other` (the same unit, at another place in host order, or in
    /// a list made again), which is left not derived.
    pub fn take_row(&mut self, i: usize, other: &mut AppFacts, j: usize) {
        if i >= self.len() || j >= other.len() || !other.derived[j] {
            return;
        }
        self.derived[i] = true;
        other.derived[j] = false;
        self.route_keys[i] = std::mem::take(&mut other.route_keys[j]);
        self.routes[i] = other.routes[j].take();
        self.connections[i] = std::mem::take(&mut other.connections[j]);
        self.setting_uses[i] = std::mem::take(&mut other.setting_uses[j]);
        self.durable[i] = other.durable[j].take();
        self.decorated_scripts[i] = other.decorated_scripts[j].take();
    }

    fn set(&mut self, i: usize, facts: Option<FunctionFacts>) {
        self.derived[i] = facts.is_some();
        let facts = facts.unwrap_or(FunctionFacts {
            route: None,
            connections: Vec::new(),
            setting_uses: Vec::new(),
            durable: None,
            decorated_script: None,
        });
        self.route_keys[i] = facts.route.as_ref().map_or(0, |r| r.key());
        self.routes[i] = facts.route.map(Box::new);
        self.connections[i] = facts.connections.into_boxed_slice();
        self.setting_uses[i] = facts.setting_uses.into_boxed_slice();
        self.durable[i] = facts.durable.map(Box::new);
        self.decorated_scripts[i] = facts.decorated_script.map(String::into_boxed_str);
    }

    /// Derives the facts of `units[i]` for every row not derived (in parallel when many are).
    fn derive(&mut self, app: &AppInput, units: &[&FunctionUnit]) {
        use rayon::prelude::*;
        let missing: Vec<usize> = (0..self.len()).filter(|&i| !self.derived[i]).collect();
        let of = |&i: &usize| (i, FunctionFacts::of(app, units[i]));
        // After an edit, one function's are missing: derived here, without waking the pool.
        let rows: Vec<(usize, FunctionFacts)> = if missing.len() > 64 {
            missing.par_iter().map(of).collect()
        } else {
            missing.iter().map(of).collect()
        };
        for (i, facts) in rows {
            self.set(i, Some(facts));
        }
    }
}

/// Runs every app-level rule (host.json, local.settings.json, requirements, routes across
/// functions), with `settings` the app's `local.settings.json` read once for the check.
pub fn check_app_files(
    app: &AppInput,
    modules: &Modules,
    units: &[&FunctionUnit],
    settings: Option<Arc<LocalSettings>>,
) -> Vec<Diagnostic> {
    check_app_files_with_model(app, modules, units, settings, None)
}

/// [`check_app_files`], reading `v2_model`, the decorator model `units` were found with (from
/// [`crate::analysis::function::discover_all_keeping_model`]), rather than computing it again.
pub fn check_app_files_with_model(
    app: &AppInput,
    modules: &Modules,
    units: &[&FunctionUnit],
    settings: Option<Arc<LocalSettings>>,
    v2_model: Option<Arc<crate::analysis::v2::V2App>>,
) -> Vec<Diagnostic> {
    let mut facts = AppFacts::new(units.len());
    guarded_app_files(app, || {
        check_app_files_unguarded(app, modules, units, settings, &mut facts, v2_model)
    })
}

/// [`check_app_files_with_model`] with the facts of `units` known so far; derives those not
/// known and leaves them in `facts` (an edit of one function then derives only its own).
pub fn check_app_files_keeping(
    app: &AppInput,
    modules: &Modules,
    units: &[&FunctionUnit],
    settings: Option<Arc<LocalSettings>>,
    facts: &mut AppFacts,
    v2_model: Option<Arc<crate::analysis::v2::V2App>>,
) -> Vec<Diagnostic> {
    guarded_app_files(app, || {
        check_app_files_unguarded(app, modules, units, settings, facts, v2_model)
    })
}

/// The app-level findings of `check`, or an internal error (AZF013) should it panic.
fn guarded_app_files(app: &AppInput, check: impl FnOnce() -> Vec<Diagnostic>) -> Vec<Diagnostic> {
    super::guard::catch(check).unwrap_or_else(|reason| {
        let file = ["host.json", "function_app.py"]
            .into_iter()
            .find(|f| app.exists(f))
            .unwrap_or("host.json");
        vec![azf013_file_not_analysed::internal_error(
            file,
            None,
            "the app's files",
            &reason,
        )]
    })
}

fn check_app_files_unguarded(
    app: &AppInput,
    modules: &Modules,
    units: &[&FunctionUnit],
    settings: Option<Arc<LocalSettings>>,
    facts: &mut AppFacts,
    v2_model: Option<Arc<crate::analysis::v2::V2App>>,
) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    assert_eq!(units.len(), facts.len(), "one row of facts per function");
    facts.derive(app, units);
    let ctx = AppCtx::new(app, modules, units, facts, settings).with_v2_app(v2_model);
    // Most of them read every function: with thousands, each is a scan worth a thread. Their
    // findings are joined in rule order.
    let checks: Vec<_> = CHECKS.iter().filter_map(|c| c.app()).collect();
    let found: Vec<Vec<Diagnostic>> = checks
        .par_iter()
        .map(|check| {
            let mut found = Vec::new();
            check(&ctx, &mut found);
            found
        })
        .collect();
    let mut out: Vec<Diagnostic> = found.into_iter().flatten().collect();
    // In a decorator app, the checks of the script's import run once, on the script itself
    // (also when a syntax error leaves no decorated function to find).
    let script_unit = ctx
        .v2_app()
        .filter(|m| m.script.is_valid())
        .map(|m| FunctionUnit::from(crate::analysis::v2::script_unit(m)));
    if let Some(unit) = script_unit {
        let fctx = FunctionCtx::new(app, modules, &unit);
        let mut found = Vec::new();
        for check in CHECKS.iter().filter_map(|c| c.script()) {
            check(&fctx, &mut found);
        }
        out.extend(found.into_iter().map(|mut d| {
            d.function = None;
            d
        }));
    }
    out.iter_mut().for_each(Diagnostic::escape_messages);
    out
}

/// The fixes of a diagnostic, its rule's choice first: those its rule builds from the app when
/// it has a fix builder, else those the check attached. Only a rule whose fixes are
/// [`FixAvailability::Safe`] has automatic fixes: its first attached fix, or those its builder
/// marks.
pub fn fixes(ctx: &dyn FixCtx, d: &Diagnostic) -> Vec<QuickFix> {
    let meta = d.code.meta();
    let safe = meta.fix == FixAvailability::Safe;
    let builder = RULES
        .binary_search_by(|r| r.code.cmp(meta.code))
        .ok()
        .and_then(|i| FIX_BUILDERS[i]);
    match builder {
        Some(build) => build(ctx, d)
            .into_iter()
            .map(|f| {
                let auto = f.auto && safe;
                f.auto(auto)
            })
            .collect(),
        None => d
            .fixes
            .iter()
            .enumerate()
            .map(|(i, f)| {
                QuickFix::new(f.title.clone(), f.edits.clone())
                    .preferred(i == 0)
                    .auto(i == 0 && safe)
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_documented() {
        let mut previous = "";
        for r in RULES {
            assert!(r.code.len() == 6 && r.code.starts_with("AZF"), "{}", r.code);
            assert!(r.code > previous, "{} after {previous}", r.code);
            previous = r.code;
            assert!(
                !r.summary.is_empty() && !r.summary.ends_with('.'),
                "{}",
                r.code
            );
            assert!(r.explanation.contains("```"), "{} has no example", r.code);
            assert!(
                r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                r.name
            );
        }
    }

    #[test]
    fn rules_with_a_fix_builder_say_they_have_fixes() {
        assert_eq!(RULES.len(), FIX_BUILDERS.len());
        for (meta, builder) in RULES.iter().zip(FIX_BUILDERS) {
            if builder.is_some() {
                assert_ne!(meta.fix, FixAvailability::None, "{}", meta.code);
            }
        }
    }

    #[test]
    fn retired_codes_stay_retired() {
        for code in RETIRED {
            assert!(code.len() == 6 && code.starts_with("AZF"), "{code}");
            assert!(rule(code).is_none(), "{code} is retired but a rule uses it");
        }
    }

    #[test]
    fn a_diagnostic_shows_its_code_as_before() {
        let rule = Rule::new(&RULES[0]);
        assert_eq!(rule.as_str(), "AZF001");
        assert_eq!(rule.to_string(), "AZF001");
        assert_eq!(format!("{rule:?}"), format!("{:?}", "AZF001"));
        assert_eq!(rule, "AZF001");
        assert!(rule < Rule::new(&RULES[1]));
        assert_eq!(rule.meta().name, RULES[0].name);
    }
}
