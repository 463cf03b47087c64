//! `azfunc-lsp check [PATH…]`: find the apps, load them, run the analysis, print, exit.
//!
//! A folder stands for every app below it; a file for the app that owns it, of which only the
//! findings that belong to the named files are reported (see [`super::files`]).
//!
//! Exit codes: 0 when no diagnostic is at or above `--fail-on`, 1 when one is, 2 on a usage or
//! I/O error (a path that does not exist, a path with no app, an internal error).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use rayon::prelude::*;

use super::cache::{AppCache, CacheOptions, FolderWalk, FunctionReuse};
use super::config::{split_codes, ConfigFinder, FlagConfig};
use super::files::{self, FileSet};
use super::report::{self, CheckedApp, Item};
use super::{fix, github, sarif, text, write_json_stdout, write_stdout};
use crate::analysis::ide::fixes;
use crate::analysis::rules::FixAvailability;
use crate::analysis::state::AppState;
use crate::analysis::{self, Config, Severity};
use crate::loader;

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Folders or files to check (default: the current folder). A folder: every app found
    /// below it. A file: the app that owns it is checked, and only the findings located in the
    /// named files, or that depend on them, are reported (a renamed binding shows at the
    /// script's parameter, a removed setting at the connection that names it), plus the
    /// findings about the app as a whole (host.json, requirements.txt, local.settings.json).
    /// Files outside any app are skipped.
    #[arg(value_name = "PATH", verbatim_doc_comment)]
    pub paths: Vec<PathBuf>,

    /// With file paths: report every finding of the apps that own them, not only the files'.
    #[arg(long)]
    pub all: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Only report these codes or prefixes (comma-separated, repeatable; e.g. `AZF2,AZF301`).
    /// Replaces `select` from pyproject.toml.
    #[arg(long, value_name = "CODES")]
    pub select: Vec<String>,

    /// Never report these codes or prefixes (comma-separated, repeatable). Added to `ignore`
    /// from pyproject.toml.
    #[arg(long, value_name = "CODES")]
    pub ignore: Vec<String>,

    /// Exit with 1 when a diagnostic at or above this severity is found.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// When to colour text output (`auto`: on a terminal and `NO_COLOR` unset).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Text format: leave out the summary line.
    #[arg(long, short)]
    pub quiet: bool,

    /// Apply the automatic fixes (the ones that need no choice), write the changed files, then
    /// report what remains. A file that changed on disk in the meantime stops the app's fixes
    /// before anything is written. With file paths, only the named files are written: fixes
    /// that would edit another file are left for you. requirements.txt is never edited for a
    /// finding in another file: which package to add is yours to choose. "(N fixable)" and the
    /// JSON `automatic` flag say what this applies.
    #[arg(long)]
    pub fix: bool,

    /// Neither read nor write the cache of earlier checks (docs/cache.md). `--fix` never uses it.
    #[arg(long)]
    pub no_cache: bool,

    /// Keep the cache in this folder (default: `.azfunc_cache` beside the pyproject.toml that
    /// holds the settings, else in the app; also `AZFUNC_LSP_CACHE_DIR`).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: error[CODE] message` with a source snippet.
    Text,
    /// A stable JSON document (see docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    #[value(alias = "info")]
    Information,
    Hint,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Information => Some(Severity::Information),
            FailOn::Hint => Some(Severity::Hint),
            FailOn::Never => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

/// Runs `check`.
pub fn run(args: &CheckArgs) -> ExitCode {
    let started = std::time::Instant::now();
    let mut failed = false;
    let cwd = match std::env::current_dir().and_then(|d| loader::absolute(&d)) {
        Ok(cwd) => cwd,
        Err(error) => {
            eprintln!("error: cannot read the current directory: {error}");
            return ExitCode::from(2);
        }
    };

    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut targets = Targets::default();
    let mut outside: Vec<&Path> = Vec::new();
    let cache_options =
        (!args.no_cache && !args.fix).then(|| CacheOptions::new(args.cache_dir.as_deref()));
    // Finds the cache folder of each folder walked (its warnings are the apps' to give).
    let mut walk_finder = ConfigFinder::default();
    let mut walks = Vec::new();
    for path in &paths {
        let found = if path.is_file() {
            match files::app_of_file(path) {
                Ok(Some((app, rel))) => Ok(vec![(app, Some(rel))]),
                Ok(None) => {
                    outside.push(path);
                    Ok(Vec::new())
                }
                Err(error) => Err(format!("{}: {error:#}", path.display())),
            }
        } else {
            // The cache compares each file's stamp: taken by the walk that finds the apps, or
            // after the record of the last walk, if no folder changed since.
            let cache_dir = cache_options.as_ref().map(|options| {
                let abs = loader::absolute(path).unwrap_or_else(|_| path.clone());
                let pyproject = walk_finder.find(&abs).map(|f| f.path);
                options.dir_for(&abs, pyproject.as_deref())
            });
            find_apps(path, cache_dir.as_deref()).map(|(apps, walk)| {
                walks.extend(walk);
                apps.into_iter().map(|app| (app, None)).collect()
            })
        };
        match found {
            Ok(found) => {
                for (app, file) in found {
                    targets.add(app, file);
                }
            }
            Err(message) => {
                eprintln!("error: {message}");
                failed = true;
            }
        }
    }
    match outside.as_slice() {
        [] => {}
        [one] => eprintln!(
            "note: {} is not part of an Azure Functions app; skipped",
            one.display()
        ),
        [first, ..] => eprintln!(
            "note: {} files are not part of an Azure Functions app (e.g. {}); skipped",
            outside.len(),
            first.display()
        ),
    }
    let apps_found = targets.into_vec();
    tracing::debug!("found {} apps in {:?}", apps_found.len(), started.elapsed());

    let flags = FlagConfig {
        select: (!args.select.is_empty()).then(|| split_codes(&args.select)),
        ignore: split_codes(&args.ignore),
    };
    for code in flags.unknown_codes() {
        eprintln!("warning: unknown rule code or prefix '{code}' in --select/--ignore");
    }
    let mut finder = ConfigFinder::default();
    let configs: Vec<(Config, Option<PathBuf>)> = apps_found
        .iter()
        .map(|(app, _)| {
            let file = finder.find(&app.root);
            let pyproject = file.as_ref().map(|f| f.path.clone());
            (flags.merge(file.as_ref()), pyproject)
        })
        .collect();
    for warning in &finder.warnings {
        eprintln!("warning: {warning}");
    }

    let fix = args.fix;
    let all = args.all;
    let cache_dirs: Vec<PathBuf> = cache_options
        .iter()
        .flat_map(|options| {
            apps_found
                .iter()
                .zip(&configs)
                .map(|((app, _), (_, pyproject))| options.dir_for(&app.root, pyproject.as_deref()))
        })
        .collect();
    // A walk is recorded in a cache folder one of its apps uses: nowhere else is written.
    for walk in walks {
        if cache_dirs.contains(&walk.cache_dir) {
            walk.store();
        }
    }
    let lone_app = apps_found.len() == 1;
    let results: Vec<(Result<CheckedApp, String>, Option<FixReport>)> = apps_found
        .into_par_iter()
        .zip(configs.par_iter())
        .map(|((app, scope), (config, pyproject))| {
            let display_root = loader::display_relative(&app.root, &cwd);
            let scope = scope.as_ref();
            let mut cache = None;
            let (checked, report) = if fix {
                fix_and_check(app, display_root, config, scope)
            } else if let Some(options) = &cache_options {
                let dir = options.dir_for(&app.root, pyproject.as_deref());
                let (checked, run) = check_cached(app, display_root, config, &dir, scope.is_none());
                cache = run;
                (checked, None)
            } else {
                (check_one(app, display_root, config), None)
            };
            let checked = match (checked, scope) {
                (Ok(mut checked), Some(files)) if !all => {
                    let diagnostics = std::mem::take(&mut checked.diagnostics);
                    // Should the second check panic, the findings located in the files remain.
                    let located: Vec<_> = diagnostics
                        .iter()
                        .filter(|d| files.contains(&d.file))
                        .cloned()
                        .collect();
                    let no_modules = Default::default();
                    let modules = checked.state.as_ref().map_or(&no_modules, |s| s.modules());
                    checked.diagnostics = std::panic::catch_unwind(|| {
                        files::belonging_to(&checked.input, config, diagnostics, files, modules)
                    })
                    .unwrap_or(located);
                    Ok(checked)
                }
                (checked, _) => checked,
            };
            let whole_app_hit = cache.as_ref().is_some_and(|c| c.hit);
            // A decorator app's modules, all parsed: recorded for the next run.
            let summaries: Vec<_> = match (&cache, &checked) {
                (Some(run), Ok(checked)) if !run.hit => checked
                    .state
                    .as_ref()
                    .filter(|state| state.modules().decorator_model())
                    .map(|state| {
                        let parsed = state.modules().parsed();
                        parsed.map(|(p, m)| (p.clone(), Arc::clone(m))).collect()
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            let checked = checked.map(|mut checked| {
                // The fixes are a convenience: should building them panic, the findings stay.
                // A result from the cache has its fixes already.
                if !whole_app_hit {
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        resolve_fixes(&mut checked, scope, lone_app)
                    }));
                }
                checked
            });
            if let Some(run) = cache {
                let whole = checked.as_ref().ok().filter(|_| scope.is_none());
                let functions = run.reuse.filter(|_| checked.is_ok());
                run.cache.store(whole, functions, summaries);
            }
            (checked, report)
        })
        .collect();
    let mut apps = Vec::new();
    for (result, report) in results {
        if let Some(report) = report {
            failed |= report.print();
        }
        match result {
            Ok(app) => apps.push(app),
            Err(message) => {
                eprintln!("error: {message}");
                failed = true;
            }
        }
    }

    let reported = std::time::Instant::now();
    let items = report::resolve(&apps);
    // No app checked: nothing passed, so no summary says so.
    let quiet = args.quiet || apps.is_empty();
    let written = match args.format {
        Format::Text => write_stdout(&text::render(&apps, &items, args.color.enabled(), quiet)),
        Format::Json => write_json_stdout(&report::json_output(&items)),
        Format::Sarif => write_json_stdout(&sarif::sarif_log(&items)),
        Format::Github => write_stdout(&github::render(&items)),
    };
    tracing::debug!("reported in {:?}", reported.elapsed());
    tracing::debug!("checked and printed in {:?}", started.elapsed());
    // The process ends after this: freeing each app's modules, units and findings one by one
    // would cost 2–5 % of a check's CPU for nothing (the binary is this function's only caller).
    std::mem::forget(apps);
    if failed || written != ExitCode::SUCCESS {
        return ExitCode::from(2);
    }
    if fails(&items, args.fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Gives each diagnostic every fix the editor offers for it (those its rule builds from the
/// whole app included), the automatic one first and marked so: the one `--fix` applies. With
/// `files` (`check FILE… --fix`), a fix is automatic only when all its edits fall in those files,
/// as `--fix` then writes nothing else. So the JSON `fixes` and the "(N fixable)" count say
/// exactly what `--fix` does.
fn resolve_fixes(checked: &mut CheckedApp, files: Option<&FileSet>, keep_state: bool) {
    let has_fixes = |d: &analysis::Diagnostic| d.code.meta().fix != FixAvailability::None;
    if !checked
        .diagnostics
        .iter()
        .any(|d| has_fixes(d) || !d.fixes.is_empty())
    {
        return;
    }
    let state = checked
        .state
        .take()
        .unwrap_or_else(|| AppState::new(checked.input.clone()));
    let inside = |e: &analysis::FileEdit| files.is_none_or(|files| files.contains(&e.file));
    // Each diagnostic's fixes are built on their own: in parallel, as the findings were.
    checked.diagnostics.par_iter_mut().for_each(|d| {
        let offered = fixes::fixes(&state, d);
        let automatic = offered
            .iter()
            .position(|f| f.auto)
            .filter(|&i| offered[i].edits.iter().all(inside));
        let mut all: Vec<analysis::Fix> = offered
            .into_iter()
            .map(|f| analysis::Fix {
                title: f.title,
                edits: f.edits,
                automatic: false,
            })
            .collect();
        if let Some(i) = automatic {
            let mut fix = all.remove(i);
            fix.automatic = true;
            all.insert(0, fix);
        }
        d.fixes = all;
    });
    // A lone app is never freed (see `run`): dropping its modules and units here cost about
    // 1 % of a check for nothing. With several, each is freed once its fixes are built.
    if keep_state {
        checked.state = Some(state);
    }
}

/// Whether any item is at or above the `--fail-on` severity.
fn fails(items: &[Item], fail_on: FailOn) -> bool {
    fail_on
        .threshold()
        .is_some_and(|threshold| items.iter().any(|i| i.severity >= threshold))
}

/// The apps to check, each with the files named in it (`None`: the whole app).
#[derive(Default)]
struct Targets {
    apps: std::collections::BTreeMap<PathBuf, (loader::FoundApp, Option<FileSet>)>,
}

impl Targets {
    /// Adds an app found for a folder (`file` is `None`) or for a file in it. A folder wins over
    /// files; an app whose files the search already listed wins over one that must be walked.
    fn add(&mut self, app: loader::FoundApp, file: Option<String>) {
        match self.apps.get_mut(&app.root) {
            None => {
                let files = file.map(|f| FileSet::from([f]));
                self.apps.insert(app.root.clone(), (app, files));
            }
            Some((known, files)) => {
                match (files.as_mut(), file) {
                    (Some(set), Some(f)) => {
                        set.insert(f);
                    }
                    _ => *files = None,
                }
                if app.is_listed() && !known.is_listed() {
                    *known = app;
                }
            }
        }
    }

    fn into_vec(self) -> Vec<(loader::FoundApp, Option<FileSet>)> {
        self.apps.into_values().collect()
    }
}

/// The apps for one folder given to `check`, or the message to show when there are none. With
/// `cache_dir` (the cache folder of the folder itself), the walk also takes the stamps the check
/// cache compares, or is replaced by the record of the last one, and is returned to record.
fn find_apps(
    path: &Path,
    cache_dir: Option<&Path>,
) -> Result<(Vec<loader::FoundApp>, Option<FolderWalk>), String> {
    if !path.exists() {
        return Err(format!("{}: no such file or directory", path.display()));
    }
    let found = match cache_dir {
        Some(dir) => FolderWalk::find_apps(path, dir),
        None => loader::find_apps_under(path).map(|apps| (apps, None)),
    };
    match found {
        Ok((apps, _)) if apps.is_empty() => Err(format!(
            "{}: no Azure Functions app found (looked for a folder with host.json, \
             function_app.py or */function.json)",
            path.display()
        )),
        Ok(found) => Ok(found),
        Err(error) => Err(format!("{error:#}")),
    }
}

/// What `--fix` did to one app, for stderr.
struct FixReport {
    display_root: String,
    outcome: Result<fix::FixOutcome, String>,
}

impl FixReport {
    /// Prints the report to stderr; `true` when the fixes could not be written.
    fn print(&self) -> bool {
        match &self.outcome {
            Ok(outcome) if outcome.fixed.is_empty() => false,
            Ok(outcome) => {
                let n = outcome.fixed.len();
                let files = outcome.written.len();
                eprintln!(
                    "Fixed {n} problem{} in {} ({files} file{} written):",
                    if n == 1 { "" } else { "s" },
                    self.display_root,
                    if files == 1 { "" } else { "s" },
                );
                for f in &outcome.fixed {
                    eprintln!("  {} {}: {}", f.code, f.file, f.title);
                }
                false
            }
            Err(message) => {
                eprintln!(
                    "error: cannot apply fixes in {}: {message}",
                    self.display_root
                );
                true
            }
        }
    }
}

/// Loads one app, applies its automatic fixes on disk (only to `files` when given), and checks
/// what remains.
fn fix_and_check(
    app: loader::FoundApp,
    display_root: String,
    config: &Config,
    files: Option<&FileSet>,
) -> (Result<CheckedApp, String>, Option<FixReport>) {
    let root = app.root.clone();
    let input = app.load_with_interpreter(display_root.clone(), config.python.as_deref());
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match files {
        Some(files) => fix::write_fixed(
            &root,
            &input,
            files::fix_files(input.clone(), config, files),
        ),
        None => fix::fix_on_disk(&root, &input, config),
    }))
    .unwrap_or_else(|_| Err("internal error while fixing".to_string()));
    let input = match &outcome {
        Ok(o) if !o.written.is_empty() => {
            loader::load_app_with_interpreter(&root, display_root.clone(), config.python.as_deref())
        }
        _ => input,
    };
    let report = FixReport {
        display_root: display_root.clone(),
        outcome,
    };
    (check_input(input, display_root, config, None), Some(report))
}

/// An app checked through its cache, with what to record afterwards.
struct CacheRun {
    cache: AppCache,
    /// The functions' diagnostics of this check (`None` on a whole-app hit).
    reuse: Option<FunctionReuse>,
    /// The final diagnostics came from the cache.
    hit: bool,
}

/// Checks one app through its cache in `dir`: a whole check of an unchanged app (`whole_app`)
/// takes its final diagnostics from the cache; otherwise the app is checked, each function's
/// rules running only when something it depends on changed.
fn check_cached(
    app: loader::FoundApp,
    display_root: String,
    config: &Config,
    dir: &Path,
    whole_app: bool,
) -> (Result<CheckedApp, String>, Option<CacheRun>) {
    let mut cache = match AppCache::open(dir, app, &display_root, config) {
        Ok(cache) => cache,
        Err(app) => return (check_one(app, display_root, config), None),
    };
    if whole_app {
        if let Some(checked) = cache.whole_app_hit() {
            let run = CacheRun {
                cache,
                reuse: None,
                hit: true,
            };
            return (Ok(checked), Some(run));
        }
    }
    let (input, reuse) = cache.load();
    let checked = check_input(input, display_root, config, Some(&reuse));
    let run = CacheRun {
        cache,
        reuse: Some(reuse),
        hit: false,
    };
    (checked, Some(run))
}

/// Loads and checks one app; a panic in the analysis becomes an error message.
fn check_one(
    app: loader::FoundApp,
    display_root: String,
    config: &Config,
) -> Result<CheckedApp, String> {
    let started = std::time::Instant::now();
    let input = app.load_with_interpreter(display_root.clone(), config.python.as_deref());
    tracing::debug!(
        "read {} files in {:?}",
        input.files.len(),
        started.elapsed()
    );
    check_input(input, display_root, config, None)
}

/// Checks an app's loaded files; a panic in the analysis becomes an error message.
fn check_input(
    input: crate::analysis::AppInput,
    display_root: String,
    config: &Config,
    reuse: Option<&FunctionReuse>,
) -> Result<CheckedApp, String> {
    let _span = tracing::debug_span!("check", app = display_root.as_str()).entered();
    // One analysis serves the findings and their fixes: the modules are parsed once.
    let (state, diagnostics) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // The decorator model the units were found with serves the app-level rules too.
        let started = std::time::Instant::now();
        // With the cache, most functions' findings are recorded: a module is parsed only if
        // something still reads it.
        let (state, v2_model) = match reuse {
            Some(reuse) => AppState::new_parsing_on_demand(input, || reuse.recorded_summaries()),
            None => AppState::new_keeping_model(input),
        };
        let units: Vec<&crate::analysis::function::FunctionUnit> = state.units().collect();
        tracing::debug!(
            "parsed {} modules and found {} functions in {:?}",
            state.modules().parsed_count(),
            units.len(),
            started.elapsed()
        );
        let started = std::time::Instant::now();
        let diagnostics = match reuse {
            Some(reuse) => analysis::check_parsed_using(
                state.input(),
                state.modules(),
                &units,
                config,
                &|unit, settings, loads| {
                    reuse.check(state.input(), state.modules(), unit, settings, loads)
                },
                v2_model,
            ),
            None => {
                analysis::check_parsed(state.input(), state.modules(), &units, config, v2_model)
            }
        };
        tracing::debug!(
            "ran the rules in {:?}; {} of {} modules parsed in all",
            started.elapsed(),
            state.modules().parsed_count(),
            state.modules().len()
        );
        (state, diagnostics)
    }))
    .map_err(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        format!("internal error while checking {display_root}: {reason}")
    })?;
    let input = state.input().clone();
    let excluded = input.files.keys().all(|file| config.excluded(file));
    Ok(CheckedApp {
        input,
        display_root,
        diagnostics,
        excluded,
        state: Some(state),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::text::TextRange;
    use crate::analysis::{AppInput, Diagnostic};

    fn items(severities: &[Severity]) -> Vec<Item> {
        let diagnostics = severities
            .iter()
            .map(|&severity| Diagnostic {
                code: crate::analysis::Rule::new(&crate::analysis::rules::RULES[0]),
                severity,
                file: "host.json".into(),
                range: TextRange::empty(0),
                message: String::new(),
                function: None,
                related: vec![],
                fixes: vec![],
            })
            .collect();
        report::resolve(&[CheckedApp {
            input: AppInput::new("."),
            display_root: ".".into(),
            diagnostics,
            excluded: false,
            state: None,
        }])
    }

    #[test]
    fn fail_on_thresholds() {
        let warnings = items(&[Severity::Warning, Severity::Hint]);
        assert!(!fails(&warnings, FailOn::Error));
        assert!(fails(&warnings, FailOn::Warning));
        assert!(fails(&warnings, FailOn::Information));
        assert!(fails(&warnings, FailOn::Hint));
        assert!(!fails(&warnings, FailOn::Never));
        let hints = items(&[Severity::Hint]);
        assert!(!fails(&hints, FailOn::Information));
        assert!(fails(&items(&[Severity::Error]), FailOn::Error));
        assert!(!fails(&items(&[Severity::Error]), FailOn::Never));
        assert!(!fails(&[], FailOn::Hint));
    }
}
