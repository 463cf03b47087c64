//! What every function-level rule reads: the function's files, parsed once, and the worker's view
//! of its entry point and signature.

use std::collections::HashMap;
use std::sync::Arc;

use crate::analysis::annotations::{self, EvalSite, Resolved};
use crate::analysis::app::AppInput;
use crate::analysis::diagnostic::{Diagnostic, FileEdit};
use crate::analysis::function::{self, Entry, FunctionUnit, Modules, Script};
use crate::analysis::function_json::{Binding, Spanned};
use crate::analysis::imports::ImportReport;
use crate::analysis::python::{Param, ParamKind, PyFunction, PyModule};
use crate::analysis::requirements::Requirements;
use crate::analysis::settings::{LocalSettings, WatchedSettings};
use crate::analysis::text::TextRange;

use super::RuleMeta;
use super::{AppFacts, NamedUse};
use unlisted::Unlisted;

pub mod unlisted;

/// The app as a whole, for app-level rules.
pub struct AppCtx<'a> {
    pub app: &'a AppInput,
    pub modules: &'a Modules,
    pub units: &'a [&'a FunctionUnit],
    /// The facts of `units`, in their order.
    pub facts: &'a AppFacts,
    /// `local.settings.json`, when the app has one.
    pub settings: Option<Arc<LocalSettings>>,
    /// The decorator model of the app, computed on first use (by whichever of the app-level
    /// rules, which run in parallel, asks first).
    v2_app: std::sync::OnceLock<Option<Arc<crate::analysis::v2::V2App>>>,
}

impl<'a> AppCtx<'a> {
    pub fn new(
        app: &'a AppInput,
        modules: &'a Modules,
        units: &'a [&'a FunctionUnit],
        facts: &'a AppFacts,
        settings: Option<Arc<LocalSettings>>,
    ) -> AppCtx<'a> {
        debug_assert_eq!(units.len(), facts.len());
        AppCtx {
            app,
            modules,
            units,
            facts,
            settings,
            v2_app: std::sync::OnceLock::new(),
        }
    }

    /// The names of `column` (a column of [`AppFacts`]) that do not resolve, in order of first
    /// use in host order, each with every place that uses it; `unresolved` is asked once per
    /// name.
    pub fn unresolved_uses(
        &self,
        column: &'a [Box<[NamedUse]>],
        unresolved: impl Fn(&str) -> bool,
    ) -> Vec<(&'a str, Vec<(&'a FunctionUnit, TextRange)>)> {
        let mut found: Vec<(&str, Vec<(&FunctionUnit, TextRange)>)> = Vec::new();
        // Per name: its position in `found`, `None` when it resolves.
        let mut seen: foldhash::HashMap<&str, Option<usize>> = Default::default();
        for (unit, uses) in self.units.iter().zip(column) {
            for NamedUse { name, range } in uses.iter() {
                let at = *seen.entry(name).or_insert_with(|| {
                    unresolved(name).then(|| {
                        found.push((name, Vec::new()));
                        found.len() - 1
                    })
                });
                if let Some(i) = at {
                    found[i].1.push((*unit, *range));
                }
            }
        }
        found
    }

    /// What the app's decorators define, when the app uses the decorator model.
    pub fn v2_app(&self) -> Option<&crate::analysis::v2::V2App> {
        self.v2_app
            .get_or_init(|| crate::analysis::v2::model(self.app, self.modules).map(Arc::new))
            .as_deref()
    }

    /// A context whose decorator model is `model`, the one the units were found with (`None`:
    /// computed on first use, as by [`AppCtx::new`]).
    pub fn with_v2_app(self, model: Option<Arc<crate::analysis::v2::V2App>>) -> AppCtx<'a> {
        if let Some(model) = model {
            let _ = self.v2_app.set(Some(model));
        }
        self
    }
}

/// One function and everything the rules need about it.
pub struct FunctionCtx<'a> {
    pub app: &'a AppInput,
    pub modules: &'a Modules,
    pub unit: &'a FunctionUnit,
    pub json_text: &'a str,
    /// The script's path when the host found a `.py` script in the app that can be read.
    pub script_path: Option<&'a str>,
    pub script_text: Option<&'a str>,
    pub module: Option<&'a PyModule>,
    /// `entryPoint`, or `main`.
    pub entry_name: String,
    /// The entry point, computed on first use.
    entry: std::cell::OnceCell<Option<Entry<'a>>>,
    /// The signature the worker checks, computed on first use (rules that do not need it, as
    /// those re-run on a settings edit, skip resolving its annotations).
    signature: std::cell::OnceCell<Option<Signature<'a>>>,
    /// Bindings by exact name (first occurrence). Built for every function and looked up by
    /// several rules, so with a fast (still seeded) hasher.
    pub bindings_by_name: foldhash::HashMap<&'a str, &'a Binding>,
    /// The modules the worker runs to load this function, computed on first use.
    loaded: std::cell::OnceCell<Arc<Vec<LoadedModule>>>,
    /// Where the functions of one check share the modules loaded through a decorator app's
    /// script, when they do.
    shared_loads: Option<&'a SharedLoads>,
    /// `local.settings.json`, read on first use (or given, read once for the whole app); `None`
    /// inside when the app has none.
    settings: std::cell::OnceCell<Option<Arc<LocalSettings>>>,
    /// Whether a rule asked for the settings since [`FunctionCtx::take_settings_read`]: its
    /// result then depends on local.settings.json.
    settings_read: std::cell::Cell<bool>,
    /// requirements.txt, parsed on first use (once per check when the loads are shared).
    requirements: std::cell::OnceCell<Option<Arc<Requirements>>>,
    /// The third-party imports requirements.txt does not provide (AZF607 and AZF609 read the
    /// same list), computed on first use.
    unlisted_imports: std::cell::OnceCell<Vec<Unlisted<'a>>>,
}

/// The entry point's parameters as `inspect.signature` sees them, and their annotations as
/// `typing.get_type_hints` resolves them.
pub struct Signature<'a> {
    pub function: &'a PyFunction,
    pub params: Vec<SigParam<'a>>,
    /// The return annotation, when the worker sees it.
    pub return_annotation: Option<(&'a crate::analysis::python::Annotation, Resolved)>,
    /// The entry point is a class: the worker reads parameter names from `__init__` but the
    /// annotations it checks come from the class body, so parameter annotations are not checked.
    pub is_class: bool,
}

pub struct SigParam<'a> {
    pub param: &'a Param,
    /// The resolved annotation (None when unannotated or not visible to the worker).
    pub resolved: Option<Resolved>,
    /// `context` with no binding of that name: the invocation context.
    pub is_context: bool,
}

impl<'a> FunctionCtx<'a> {
    /// This function's orchestrator `def` and the script that holds it, when the function is a
    /// Durable Functions orchestrator (what the AZF80x rules on orchestrators start from).
    pub fn orchestrator(&self) -> Option<(crate::analysis::durable::Orchestrator<'a>, &'a str)> {
        use crate::analysis::durable::{kind_of, DurableKind};
        // Asked by several rules of every function: most are not orchestrators, and need no
        // look-up of the script among the app's files to say so.
        if kind_of(self.unit) != Some(DurableKind::Orchestrator) {
            return None;
        }
        let (module, file) = (self.module?, self.script_path?);
        let orchestrator = crate::analysis::durable::orchestrator(
            self.unit,
            module,
            self.app.content(file),
            &self.entry_name,
        )?;
        Some((orchestrator, file))
    }

    pub fn new(app: &'a AppInput, modules: &'a Modules, unit: &'a FunctionUnit) -> FunctionCtx<'a> {
        Self::with_settings(app, modules, unit, None)
    }

    /// A context whose `local.settings.json` is `settings` when given (`Some(None)`: the app
    /// has none), rather than read from the app.
    pub fn with_settings(
        app: &'a AppInput,
        modules: &'a Modules,
        unit: &'a FunctionUnit,
        settings: Option<Option<Arc<LocalSettings>>>,
    ) -> FunctionCtx<'a> {
        let json_text = app.text(unit.declaration_file()).unwrap_or("");
        let (script_path, script_text) = match &unit.script {
            Script::Found { path, .. } if path.ends_with(".py") => {
                (Some(path.as_str()), app.text(path))
            }
            _ => (None, None),
        };
        let module = script_path.and_then(|p| modules.get(p)).map(|m| m.as_ref());
        let entry_name = unit.entry_name().to_string();
        let mut bindings_by_name = foldhash::HashMap::default();
        for b in unit.bindings() {
            if let Some(n) = b.name_str() {
                bindings_by_name.entry(n).or_insert(b);
            }
        }
        FunctionCtx {
            app,
            modules,
            unit,
            json_text,
            script_path,
            script_text,
            module,
            entry_name,
            entry: std::cell::OnceCell::new(),
            signature: std::cell::OnceCell::new(),
            bindings_by_name,
            loaded: std::cell::OnceCell::new(),
            shared_loads: None,
            settings: settings.map(std::cell::OnceCell::from).unwrap_or_default(),
            settings_read: std::cell::Cell::new(false),
            requirements: std::cell::OnceCell::new(),
            unlisted_imports: std::cell::OnceCell::new(),
        }
    }

    /// `local.settings.json`, when the app has one (rules that need it are skipped otherwise).
    /// Every read of the settings by a rule goes through here, and what it observes through
    /// [`WatchedSettings`], so that it is known which results an edit of the settings can change.
    pub fn settings(&self) -> Option<WatchedSettings<'_>> {
        self.settings_read.set(true);
        self.settings
            .get_or_init(|| crate::analysis::settings::local_settings(self.app).map(Arc::new))
            .as_deref()
            .map(WatchedSettings::new)
    }

    /// What `entryPoint` (or the decorated `def`) names in the script, when the script is a
    /// parsed Python module.
    pub fn entry(&self) -> Option<Entry<'a>> {
        *self.entry.get_or_init(
            || match (self.unit.decorated(), self.module, self.script_text) {
                (Some(v2), Some(m), _) => Some(v2_entry(m, v2)),
                (None, Some(m), Some(t)) => Some(function::entry_point(m, &self.entry_name, t)),
                _ => None,
            },
        )
    }

    /// The signature the worker checks, when the entry point is a function or class we can read
    /// and the script parses.
    pub fn signature(&self) -> Option<&Signature<'a>> {
        self.signature
            .get_or_init(|| self.compute_signature())
            .as_ref()
    }

    fn compute_signature(&self) -> Option<Signature<'a>> {
        let unit = self.unit;
        match (self.module, self.entry()) {
            (Some(_), Some(_)) if unit.decorated().is_some_and(|v| v.dynamic_names) => None,
            (Some(m), Some(e)) if m.syntax_errors.is_empty() => {
                let mut sig = signature(m, e, &self.bindings_by_name);
                if let (Some(sig), Some(v2)) = (sig.as_mut(), unit.decorated()) {
                    // `durable_client_input` replaces the client parameter's annotation by `str`.
                    for p in &mut sig.params {
                        if v2.durable_clients.contains(&p.param.name) {
                            p.resolved = None;
                        }
                    }
                }
                sig
            }
            _ => None,
        }
    }

    /// The loaded modules, shared (to hand to a later re-run of some rules, see
    /// [`FunctionCtx::set_loaded_modules`]).
    pub fn shared_loaded_modules(&self) -> Arc<Vec<LoadedModule>> {
        self.loaded_modules();
        self.loaded.get().cloned().unwrap_or_default()
    }

    /// Takes the modules loaded through a decorator app's script from `shared` (computed by the
    /// first function of the app that needs them) rather than computing them again.
    pub fn sharing_loads(mut self, shared: &'a SharedLoads) -> Self {
        self.shared_loads = Some(shared);
        self
    }

    /// Gives the loaded modules computed by an earlier check of the same function and files
    /// (they do not depend on the settings).
    pub fn set_loaded_modules(&self, loaded: Arc<Vec<LoadedModule>>) {
        let _ = self.loaded.set(loaded);
    }

    /// Whether the settings were read since the last call.
    pub fn take_settings_read(&self) -> bool {
        self.settings_read.replace(false)
    }

    pub fn name(&self) -> &str {
        &self.unit.name
    }

    /// A diagnostic of `rule` in `file` for this function.
    pub fn diag(
        &self,
        rule: &'static RuleMeta,
        file: &str,
        range: TextRange,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            function: Some(self.unit.name.clone()),
            ..rule.diag(file, range, message)
        }
    }

    /// A diagnostic in the file that declares this function's bindings (function.json or the
    /// Python file with the decorators), where every binding range is.
    pub fn declaration_diag(
        &self,
        rule: &'static RuleMeta,
        range: TextRange,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.diag(rule, self.unit.declaration_file(), range, message)
    }

    /// A diagnostic in this function's script.
    pub fn script_diag(
        &self,
        rule: &'static RuleMeta,
        range: TextRange,
        message: impl Into<String>,
    ) -> Option<Diagnostic> {
        Some(self.diag(rule, self.script_path?, range, message))
    }

    /// A diagnostic at `param`'s annotation in the script; `message` gets the annotation as
    /// written. `None` when the parameter is not annotated.
    pub fn annotation_diag(
        &self,
        rule: &'static RuleMeta,
        param: &SigParam,
        message: impl FnOnce(&str) -> String,
    ) -> Option<Diagnostic> {
        let annotation = param.param.annotation.as_ref()?;
        self.script_diag(rule, annotation.range, message(&annotation.text))
    }

    /// A diagnostic at a string of the declaration (`range`, with its quotes), with the fix
    /// `title` that writes the string `value` there instead.
    pub fn string_diag(
        &self,
        rule: &'static RuleMeta,
        range: TextRange,
        message: String,
        title: String,
        value: &str,
    ) -> Diagnostic {
        let edit = FileEdit {
            file: self.unit.declaration_file().to_string(),
            range,
            new_text: format!("\"{value}\""),
        };
        self.declaration_diag(rule, range, message)
            .with_fix(title, vec![edit])
    }

    /// The parameters the worker matches to a binding (same name) whose annotation it resolves,
    /// with that binding and that annotation.
    pub fn annotated_bindings(
        &self,
    ) -> impl Iterator<Item = (&SigParam<'a>, &'a Binding, &Resolved)> + '_ {
        self.signature().into_iter().flat_map(move |sig| {
            sig.params.iter().filter_map(move |p| {
                let resolved = p.resolved.as_ref()?;
                let binding = *self.bindings_by_name.get(p.param.name.as_str())?;
                Some((p, binding, resolved))
            })
        })
    }

    /// The parameters the worker wants a binding for (neither the invocation context nor
    /// `*args`/`**kwargs`) that have none.
    pub fn unbound_params(&self) -> impl Iterator<Item = &SigParam<'a>> + '_ {
        let unbound = || {
            self.signature()
                .into_iter()
                .flat_map(|sig| &sig.params)
                .filter(|p| {
                    !p.is_context
                        && !self.bindings_by_name.contains_key(p.param.name.as_str())
                        && !matches!(
                            p.param.kind,
                            ParamKind::VarPositional | ParamKind::VarKeyword
                        )
                })
        };
        // The worker fills the one parameter without a binding itself when it is annotated with
        // a settlement client class (`GrpcClientType`, e.g. `ServiceBusMessageActions`).
        let worker_filled = {
            let mut it = unbound();
            match (it.next(), it.next()) {
                (Some(only), None) => only
                    .resolved
                    .as_ref()
                    .is_some_and(crate::analysis::annotations::is_grpc_client),
                _ => false,
            }
        };
        unbound().filter(move |_| !worker_filled)
    }

    /// The `route` of each of the function's HTTP triggers that has one.
    pub fn http_trigger_routes(&self) -> impl Iterator<Item = Spanned> + 'a {
        self.unit
            .bindings()
            .iter()
            .filter(|b| b.is_http_trigger())
            .filter_map(|b| b.property_str("route"))
    }

    /// Finds the app's modules, sharing what was found with the other functions of one check.
    pub fn finder(&self) -> crate::analysis::imports::Finder<'a> {
        crate::analysis::imports::Finder {
            app: self.app,
            known: self.shared_loads.map(|shared| &shared.locations),
        }
    }

    /// The HTTP route prefix of host.json (`api` by default), read once for the functions of
    /// one check (each function parsing host.json again added up across a large app).
    pub fn route_prefix(&self) -> String {
        match self.shared_loads {
            Some(shared) => shared.host(self.app).route_prefix.clone(),
            None => crate::analysis::routes::route_prefix(self.app),
        }
    }

    /// The app's requirements.txt, when it has one: parsed once for the functions of one check
    /// (every function reads the same file), else once for this function.
    pub fn requirements(&self) -> Option<&Requirements> {
        self.requirements
            .get_or_init(|| match self.shared_loads {
                Some(shared) => shared.requirements(self.app),
                None => read_requirements(self.app),
            })
            .as_deref()
    }

    /// The app's top-level module whose name is `top` in another letter case
    /// (`scrapeNewEntries` for `ScrapeNewEntries`), when there is one: imports are
    /// case-sensitive, so `top` does not import it.
    pub fn app_module_in_other_case(&self, top: &str) -> Option<String> {
        let find = |names: &RootModules| {
            names
                .get(&top.to_lowercase())
                .filter(|name| name.as_str() != top)
                .cloned()
        };
        match self.shared_loads {
            Some(shared) => find(
                shared
                    .root_modules
                    .get_or_init(|| Arc::new(root_modules(self.app))),
            ),
            None => find(&root_modules(self.app)),
        }
    }

    /// The third-party packages that the modules loading this function import and that
    /// requirements.txt does not provide (AZF607 and AZF609 read them), computed once.
    pub fn unlisted_imports(&self) -> &[Unlisted<'a>] {
        self.unlisted_imports
            .get_or_init(|| unlisted::unlisted_imports(self, self.requirements()))
    }

    /// Whether host.json is a JSON object without `extensionBundle` (read once, as
    /// [`FunctionCtx::route_prefix`]).
    pub fn host_lacks_extension_bundle(&self) -> bool {
        match self.shared_loads {
            Some(shared) => shared.host(self.app).lacks_extension_bundle,
            None => lacks_extension_bundle(self.app),
        }
    }

    /// Whether the modules the worker runs to load this function import the HTTP streaming
    /// extension (it changes the worker's checks of HTTP annotations).
    pub fn http_streaming(&self) -> bool {
        let compute = || {
            crate::analysis::annotations::imports_http_streaming(
                self.parsed_loaded_modules().map(|(_, m)| m),
            )
        };
        // The functions of a decorator app load the same modules: the same answer.
        match (self.shared_loads, self.unit.decorated()) {
            // Shared, so not recorded for any one function: see `reads::unrecorded`.
            (Some(shared), Some(v2)) => {
                shared.http_streaming(&v2.script, || crate::analysis::reads::unrecorded(compute))
            }
            _ => compute(),
        }
    }

    /// The modules the worker runs to load this function that parse (a module with a syntax
    /// error is AZF009's), with their summaries.
    pub fn parsed_loaded_modules(&self) -> impl Iterator<Item = (&LoadedModule, &'a PyModule)> {
        let modules = self.modules;
        self.loaded_modules().iter().filter_map(move |m| {
            let module = modules.get(&m.file)?;
            module
                .syntax_errors
                .is_empty()
                .then_some((m, module.as_ref()))
        })
    }

    /// The script path for messages (`HttpTrigger/__init__.py`).
    pub fn script_display(&self) -> &str {
        self.script_path.unwrap_or("the script")
    }

    /// What a load failure of this function means, for messages: `'F' does not load`, or in a v2
    /// app, where the worker indexes the app as one unit, that no function is indexed.
    pub fn load_failure(&self) -> String {
        match self.unit.decorated() {
            Some(_) => V2_LOAD_FAILURE.to_string(),
            None => format!("'{}' does not load", self.unit.name),
        }
    }

    /// A worker error about this function, as reported: unchanged for function.json apps; in a
    /// v2 app it also says that the whole app fails.
    pub fn app_fails(&self, message: String) -> String {
        if self.unit.decorated().is_none() {
            return message;
        }
        if message.ends_with('?') || message.ends_with('.') {
            format!(
                "{message} The worker then indexes no function of the app (\"0 functions found\")."
            )
        } else {
            format!("{message}; {V2_APP_FAILS}")
        }
    }

    /// In a v2 app, where several functions share a module: the file and range of this function's
    /// `def` (code elsewhere in the module belongs to other functions). `None` for function.json
    /// functions, whose whole script is theirs.
    pub fn own_code(&self) -> Option<(&str, TextRange)> {
        let v2 = self.unit.decorated()?;
        let offset = v2.def_offset?;
        let f = self.module?.function_at(offset)?;
        Some((self.script_path?, f.range))
    }

    /// The items of `sorted` (a list of the script's module in source order, `range` giving
    /// each one's place) in this function's code: all of them for a function.json function,
    /// those inside its `def` for a decorated one (see [`FunctionCtx::own_code`]). Found by
    /// binary search: in a module of thousands of decorated functions, each reads only its own.
    pub fn own_items<'s, T>(
        &self,
        sorted: &'s [T],
        range: impl Fn(&T) -> TextRange + 's,
    ) -> impl Iterator<Item = &'s T> + 's {
        let (candidates, own) = match self.own_code() {
            Some((_, own)) => {
                let from = sorted.partition_point(|item| range(item).start < own.start);
                let to = from + sorted[from..].partition_point(|item| range(item).start < own.end);
                (&sorted[from..to], Some(own))
            }
            None if self.unit.decorated().is_some() => (&sorted[..0], None),
            None => (sorted, None),
        };
        candidates
            .iter()
            .filter(move |item| own.is_none_or(|own| range(item).end <= own.end))
    }
}

/// ` — did you mean 'x'?` for a suggestion, or nothing.
pub fn did_you_mean_hint(suggestion: Option<impl std::fmt::Display>) -> String {
    suggestion
        .map(|s| format!(" — did you mean '{s}'?"))
        .unwrap_or_default()
}

/// What any worker error of a v2 function does: the worker indexes the app as one unit.
/// What a failure of a decorator app's module means: the worker indexes none of its functions.
pub const V2_LOAD_FAILURE: &str = "no function of the app is indexed (\"0 functions found\")";

pub const V2_APP_FAILS: &str =
    "the worker then indexes no function of the app (\"0 functions found\")";

/// The entry point of a v2 function: the decorated `def` (through other decorators below the app
/// decorators, when they keep the signature).
fn v2_entry<'m>(module: &'m PyModule, v2: &crate::analysis::v2::V2Unit) -> Entry<'m> {
    use crate::analysis::v2::SignatureKind;
    let Some(f) = v2.def_offset.and_then(|o| module.function_at(o)) else {
        return Entry::Unknown;
    };
    match v2.signature {
        SignatureKind::Def => Entry::Function(f),
        SignatureKind::Wrapped(n) if n <= f.decorators.len() => {
            let inner = &f.decorators[f.decorators.len() - n..];
            match function::signature_through(module, f, inner) {
                Some(g) => Entry::Function(g),
                None => Entry::Unknown,
            }
        }
        _ => Entry::Unknown,
    }
}

fn signature<'a>(
    module: &'a PyModule,
    entry: Entry<'a>,
    bindings: &foldhash::HashMap<&str, &Binding>,
) -> Option<Signature<'a>> {
    let (function, skip_first, is_class) = match entry {
        Entry::Function(f) => (f, false, false),
        Entry::Class {
            init: Some(f),
            class,
        } if !class.has_metaclass => (f, true, true),
        _ => return None,
    };
    let site = EvalSite {
        def_offset: function.def_offset,
        deferred: module.future_annotations,
    };
    let params = function
        .params
        .iter()
        .skip(usize::from(skip_first))
        .map(|param| {
            let resolved = if is_class {
                None
            } else {
                param
                    .annotation
                    .as_ref()
                    .map(|a| annotations::resolve(&a.expr, module, site))
            };
            SigParam {
                param,
                resolved,
                is_context: param.name == "context"
                    && !bindings.contains_key("context")
                    && !matches!(param.kind, ParamKind::VarPositional | ParamKind::VarKeyword),
            }
        })
        .collect();
    let return_annotation = if is_class {
        None
    } else {
        function
            .return_annotation
            .as_ref()
            .map(|a| (a, annotations::resolve(&a.expr, module, site)))
    };
    Some(Signature {
        function,
        params,
        return_annotation,
        is_class,
    })
}

/// Where a parameter's annotation sits in the worker's Out logic.
pub enum OutShape<'r> {
    /// Not an `Out` annotation.
    Plain(&'r Resolved),
    /// `Out[...]` with these arguments (empty for a bare `func.Out`).
    Out(&'r [Resolved]),
}

/// Classifies a resolved annotation the way the worker's Out detection does (by class name).
pub fn out_shape(resolved: &Resolved) -> OutShape<'_> {
    match resolved {
        Resolved::Out(args) => OutShape::Out(args),
        Resolved::Class(crate::analysis::annotations::ClassRef::Azure(n)) if n == "Out" => {
            OutShape::Out(&[])
        }
        Resolved::Class(crate::analysis::annotations::ClassRef::Local { name, .. })
            if name == "Out" =>
        {
            OutShape::Out(&[])
        }
        other => OutShape::Plain(other),
    }
}

/// A v2 app is imported with the app root on `sys.path`, not as the `__app__` package: modules at
/// the root are top-level modules (a relative import in them fails) and `__app__.` does not exist.
fn v2_import_rules(file: &str, module: &PyModule, report: &mut ImportReport) {
    let inside = |r: TextRange, outer: TextRange| outer.start <= r.start && r.end <= outer.end;
    for import in module.imports.iter().filter(|i| i.unconditional) {
        let first = if import.is_from {
            import.module.as_str()
        } else {
            import.names.first().map(|n| n.name.as_str()).unwrap_or("")
        };
        let message = if import.level > 0 && !file.contains('/') {
            "attempted relative import with no known parent package"
        } else if import.level == 0 && (first == "__app__" || first.starts_with("__app__.")) {
            "No module named '__app__'"
        } else {
            continue;
        };
        report.local.retain(|l| !inside(l.range, import.range));
        report.broken.retain(|b| !inside(b.range, import.range));
        report.broken.push(crate::analysis::imports::BrokenImport {
            range: import.module_range,
            message: message.to_string(),
        });
    }
}

/// The modules loaded through each decorator app script, shared by the functions of one check
/// (running in parallel): without it, each of N functions resolves the imports of every module
/// the script imports, N × modules in all.
#[derive(Debug, Default)]
pub struct SharedLoads {
    by_script: std::sync::Mutex<foldhash::HashMap<String, Arc<LoadsCell>>>,
    /// Whether those modules import the HTTP streaming extension, by script.
    streaming: std::sync::Mutex<foldhash::HashMap<String, bool>>,
    /// What the function-level rules read of host.json, read once.
    host: std::sync::Mutex<Option<Arc<HostFacts>>>,
    /// requirements.txt, parsed once (`Some(None)`: the app has none).
    requirements: std::sync::Mutex<Option<Option<Arc<Requirements>>>>,
    /// Each app module's imports, resolved by the first function.json function that loads it:
    /// the functions of such an app mostly import the same shared modules, which each would
    /// otherwise resolve again.
    imports_by_file: std::sync::Mutex<foldhash::HashMap<String, Arc<ImportReport>>>,
    /// Where the modules the functions import live (or that they are not the app's).
    locations: crate::analysis::imports::KnownLocations,
    /// The app's top-level module names by their lower case, made by the first who asks.
    root_modules: std::sync::OnceLock<Arc<RootModules>>,
}

/// The app's top-level module names (a `.py` file at its root, or a folder with Python files)
/// by their lower case: the first in path order for names that differ only in case.
pub type RootModules = foldhash::HashMap<String, String>;

/// The app's [`RootModules`]: one pass over its files. Only `.py` files count, as only their
/// coming and going re-checks every function in the editor.
fn root_modules(app: &AppInput) -> RootModules {
    let mut names = RootModules::default();
    for path in app.files.keys().filter(|p| p.ends_with(".py")) {
        let name = match path.split_once('/') {
            Some((folder, _)) => folder,
            None => &path[..path.len() - ".py".len()],
        };
        names
            .entry(name.to_lowercase())
            .or_insert_with(|| name.to_string());
    }
    names
}

/// The app's requirements.txt, parsed.
fn read_requirements(app: &AppInput) -> Option<Arc<Requirements>> {
    crate::analysis::requirements::parse(app, "requirements.txt").map(Arc::new)
}

/// What function-level rules read of host.json: the same for every function of the app.
#[derive(Debug)]
struct HostFacts {
    route_prefix: String,
    lacks_extension_bundle: bool,
}

impl HostFacts {
    fn read(app: &AppInput) -> HostFacts {
        HostFacts {
            route_prefix: crate::analysis::routes::route_prefix(app),
            lacks_extension_bundle: lacks_extension_bundle(app),
        }
    }
}

/// Whether host.json is a JSON object without `extensionBundle` (`false` when it is missing or
/// cannot be read).
fn lacks_extension_bundle(app: &AppInput) -> bool {
    app.text("host.json")
        .and_then(|t| crate::analysis::json::parse(t).value)
        .is_some_and(|root| root.as_object().is_some() && root.get("extensionBundle").is_none())
}

/// One script's loaded modules, once computed.
type LoadsCell = std::sync::OnceLock<Arc<Vec<LoadedModule>>>;

impl SharedLoads {
    /// The modules loaded through `script`, computed by `compute` for the first caller (the
    /// others wait for it rather than computing them too).
    fn get_or_compute(
        &self,
        script: &str,
        compute: impl FnOnce() -> Vec<LoadedModule>,
    ) -> Arc<Vec<LoadedModule>> {
        let cell = {
            let mut by_script = self.by_script.lock().unwrap_or_else(|e| e.into_inner());
            by_script.entry(script.to_string()).or_default().clone()
        };
        cell.get_or_init(|| Arc::new(compute())).clone()
    }

    /// requirements.txt, parsed by the first function that asks.
    fn requirements(&self, app: &AppInput) -> Option<Arc<Requirements>> {
        let mut requirements = self.requirements.lock().unwrap_or_else(|e| e.into_inner());
        requirements
            .get_or_insert_with(|| read_requirements(app))
            .clone()
    }

    /// What the function-level rules read of host.json, read by the first function that asks.
    fn host(&self, app: &AppInput) -> Arc<HostFacts> {
        let mut host = self.host.lock().unwrap_or_else(|e| e.into_inner());
        host.get_or_insert_with(|| Arc::new(HostFacts::read(app)))
            .clone()
    }

    /// The imports of the module at `file`, resolved by `resolve` for the first caller.
    fn imports_of(&self, file: &str, resolve: impl FnOnce() -> ImportReport) -> Arc<ImportReport> {
        remembered(&self.imports_by_file, file, || Arc::new(resolve()))
    }

    /// Whether the modules loaded through `script` import the HTTP streaming extension.
    fn http_streaming(&self, script: &str, compute: impl FnOnce() -> bool) -> bool {
        remembered(&self.streaming, script, compute)
    }
}

/// The value kept under `key`, or the one `compute` makes, kept for the next caller. Computed
/// outside the lock: two callers racing for a key compute the same value, and the first one
/// kept serves the others.
fn remembered<V: Clone, S: std::hash::BuildHasher>(
    map: &std::sync::Mutex<HashMap<String, V, S>>,
    key: &str,
    compute: impl FnOnce() -> V,
) -> V {
    let lock = || map.lock().unwrap_or_else(|e| e.into_inner());
    let known = lock().get(key).cloned();
    known.unwrap_or_else(|| {
        let value = compute();
        lock().entry(key.to_string()).or_insert(value).clone()
    })
}

/// A module the worker runs while loading a function.
#[derive(Debug, Clone)]
pub struct LoadedModule {
    pub file: String,
    /// The import statement that brings it in (file and range); `None` for the script and the
    /// packages the worker imports on the way to it.
    pub imported_from: Option<(String, TextRange)>,
    /// Its imports of the app's own modules (one report for every function that loads it).
    pub imports: Arc<ImportReport>,
}

impl FunctionCtx<'_> {
    /// Every local module the worker imports to load this function: the packages on the way to
    /// the script, the script, and (transitively) the app modules they import unconditionally.
    pub fn loaded_modules(&self) -> &[LoadedModule] {
        self.loaded.get_or_init(|| {
            // Every function of a decorator app loads through the same script: the same list.
            match (self.shared_loads, self.unit.decorated()) {
                // Shared, so not recorded for any one function: see `reads::unrecorded`.
                (Some(shared), Some(v2)) => shared.get_or_compute(&v2.script, || {
                    crate::analysis::reads::unrecorded(|| self.compute_loaded_modules())
                }),
                _ => Arc::new(self.compute_loaded_modules()),
            }
        })
    }

    fn compute_loaded_modules(&self) -> Vec<LoadedModule> {
        // A v2 function loads through the app script, which imports everything else.
        let Some(script) = self
            .unit
            .decorated()
            .map(|v| v.script.as_str())
            .or(self.script_path)
        else {
            return Vec::new();
        };
        let mut seen = foldhash::HashSet::default();
        let mut queue: std::collections::VecDeque<(String, Option<(String, TextRange)>)> =
            function::import_chain(self.app, script)
                .into_iter()
                .map(|file| (file, None))
                .collect();
        let mut out = Vec::new();
        while let Some((file, imported_from)) = queue.pop_front() {
            if !seen.insert(file.clone()) || out.len() > 200 {
                continue;
            }
            let imports = match self.modules.get(&file) {
                Some(module) => {
                    let resolve = || {
                        crate::analysis::imports::resolve_imports(
                            self.finder(),
                            &file,
                            module,
                            self.modules,
                        )
                    };
                    match (self.shared_loads, self.unit.decorated()) {
                        // A decorator app's whole list is shared already.
                        (_, Some(_)) => {
                            let mut report = resolve();
                            v2_import_rules(&file, module, &mut report);
                            Arc::new(report)
                        }
                        (Some(shared), None) => shared.imports_of(&file, resolve),
                        (None, None) => Arc::new(resolve()),
                    }
                }
                None => Default::default(),
            };
            for local in &imports.local {
                if !seen.contains(&local.file) {
                    queue.push_back((local.file.clone(), Some((file.clone(), local.range))));
                }
            }
            out.push(LoadedModule {
                file,
                imported_from,
                imports,
            });
        }
        out
    }

    /// A diagnostic in the loaded module `m`, with where it is imported.
    pub fn module_diag(
        &self,
        rule: &'static RuleMeta,
        m: &LoadedModule,
        range: TextRange,
        message: String,
    ) -> Diagnostic {
        self.with_import_context(self.diag(rule, &m.file, range, message), m)
    }

    /// Adds "imported by" context to a diagnostic in a module other than the script.
    pub fn with_import_context(&self, d: Diagnostic, m: &LoadedModule) -> Diagnostic {
        match &m.imported_from {
            Some((file, range)) => d.with_related(
                file,
                *range,
                format!("imported here while loading '{}'", self.name()),
            ),
            None => d,
        }
    }
}

/// The likely intended counterpart of `name` among `candidates`: a near spelling, a prefix
/// (`req` ↔ `request`), or the only candidate when `name` is the only unmatched name on its side.
/// For many names against the same candidates, build [`Counterparts`] once.
pub fn counterpart<'c>(name: &str, candidates: &[&'c str], alone: bool) -> Option<&'c str> {
    Counterparts::new(candidates).find(name, alone)
}

/// Names longer than this (in bytes) are not matched by prefix: they are no abbreviation.
const MAX_PREFIX_LEN: usize = 256;

/// [`counterpart`] over a fixed set of candidates, indexed once so that each lookup costs about
/// the length of the name, not the number of candidates.
pub struct Counterparts<'c> {
    suggester: crate::analysis::catalog::Suggester<'c>,
    /// Lowercased candidates with their positions, sorted (for "starts with the name").
    sorted: Vec<(String, usize)>,
}

impl<'c> Counterparts<'c> {
    pub fn new(candidates: &[&'c str]) -> Counterparts<'c> {
        let mut sorted: Vec<(String, usize)> = candidates
            .iter()
            .enumerate()
            .map(|(i, c)| (c.to_ascii_lowercase(), i))
            .collect();
        sorted.sort();
        Counterparts {
            suggester: crate::analysis::catalog::Suggester::new(candidates.iter().copied()),
            sorted,
        }
    }

    /// Never `name` itself: a suggestion identical to the name it corrects helps no one.
    pub fn find(&self, name: &str, alone: bool) -> Option<&'c str> {
        self.find_any(name, alone).filter(|c| *c != name)
    }

    fn find_any(&self, name: &str, alone: bool) -> Option<&'c str> {
        if let Some(s) = self.suggester.suggest(name) {
            return Some(s);
        }
        let candidates = self.suggester.candidates();
        // A candidate and the name, one a prefix of the other (at least 3 bytes in common):
        // taken when it is the only one.
        let lower = name.to_ascii_lowercase();
        let mut found: Option<usize> = None;
        let mut count = 0;
        if (3..=MAX_PREFIX_LEN).contains(&lower.len()) {
            let from = self
                .sorted
                .partition_point(|(c, _)| c.as_str() < lower.as_str());
            for (c, i) in self.sorted[from..].iter().take(2) {
                if !c.starts_with(&lower) {
                    break;
                }
                count += 1;
                found = Some(*i);
            }
        }
        for end in 3..lower.len().min(MAX_PREFIX_LEN) {
            if count > 1 {
                break;
            }
            if !lower.is_char_boundary(end) {
                continue;
            }
            let prefix = &lower[..end];
            let from = self.sorted.partition_point(|(c, _)| c.as_str() < prefix);
            for (c, i) in self.sorted[from..].iter().take(2) {
                if c != prefix {
                    break;
                }
                count += 1;
                found = Some(*i);
            }
        }
        if count == 1 {
            return found.map(|i| candidates[i]);
        }
        match candidates {
            [only] if alone => Some(only),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decorator_app() -> AppInput {
        AppInput::new(".")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file(
                "function_app.py",
                "import azure.functions as func\nfrom blueprints import jobs\n\napp = func.FunctionApp()\napp.register_functions(jobs.bp)\n\n\n@app.route(route=\"a\")\ndef a(req: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"a\")\n\n\n@app.route(route=\"b\")\ndef b(req: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"b\")\n",
            )
            .with_file("blueprints/__init__.py", "")
            .with_file(
                "blueprints/jobs.py",
                "import azure.functions as func\n\nbp = func.Blueprint()\n",
            )
    }

    #[test]
    fn the_app_level_rules_read_the_model_the_units_were_found_with() {
        let app = decorator_app();
        let modules = function::parse_modules(&app);
        let (units, model) = function::discover_all_keeping_model(&app, &modules);
        let model = model.expect("a decorator app has a model");
        let units: Vec<&FunctionUnit> = units.iter().collect();
        let facts = crate::analysis::rules::AppFacts::new(units.len());
        let given =
            AppCtx::new(&app, &modules, &units, &facts, None).with_v2_app(Some(Arc::clone(&model)));
        assert!(std::ptr::eq(given.v2_app().expect("given"), &*model));
        // The model computed on first use is the same model.
        let computed = AppCtx::new(&app, &modules, &units, &facts, None);
        assert_eq!(computed.v2_app(), Some(&*model));
        // A function.json app has none to give.
        let v1 = AppInput::new(".")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("f/function.json", r#"{"bindings": []}"#)
            .with_file("f/__init__.py", "def main():\n    pass\n");
        let v1_modules = function::parse_modules(&v1);
        let (v1_units, none) = function::discover_all_keeping_model(&v1, &v1_modules);
        assert_eq!(v1_units.len(), 1);
        assert!(none.is_none());
    }

    #[test]
    fn app_level_findings_are_the_same_from_a_given_model() {
        // Only a Blueprint in the script: AZF702 reads the model.
        let app = AppInput::new(".")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file(
                "function_app.py",
                "import azure.functions as func\n\nbp = func.Blueprint()\n\n\n@bp.route(route=\"a\")\ndef a(req: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"a\")\n",
            );
        let modules = function::parse_modules(&app);
        let (units, model) = function::discover_all_keeping_model(&app, &modules);
        assert!(model.is_some());
        let units: Vec<&FunctionUnit> = units.iter().collect();
        let computed = crate::analysis::rules::check_app_files(&app, &modules, &units, None);
        let given =
            crate::analysis::rules::check_app_files_with_model(&app, &modules, &units, None, model);
        assert!(computed.iter().any(|d| d.code.as_str() == "AZF702"));
        assert_eq!(given, computed);
    }

    #[test]
    fn the_functions_of_a_decorator_app_share_the_modules_its_script_loads() {
        let app = decorator_app();
        let modules = function::parse_modules(&app);
        let units = function::discover_all(&app, &modules);
        assert_eq!(units.len(), 2);
        let shared = SharedLoads::default();
        let loads: Vec<Arc<Vec<LoadedModule>>> = units
            .iter()
            .map(|u| {
                FunctionCtx::new(&app, &modules, u)
                    .sharing_loads(&shared)
                    .shared_loaded_modules()
            })
            .collect();
        assert!(Arc::ptr_eq(&loads[0], &loads[1]));
        let files = |l: &[LoadedModule]| l.iter().map(|m| m.file.clone()).collect::<Vec<_>>();
        assert!(files(&loads[0]).contains(&"blueprints/jobs.py".to_string()));
        // Computed alone, a function's list is a list of its own with the same modules.
        let alone = FunctionCtx::new(&app, &modules, &units[1]).shared_loaded_modules();
        assert!(!Arc::ptr_eq(&alone, &loads[1]));
        assert_eq!(files(&alone), files(&loads[1]));
    }

    #[test]
    fn checks_that_share_loads_say_what_checks_alone_say_and_new_loads_start_again() {
        let app = decorator_app();
        let modules = function::parse_modules(&app);
        let units = function::discover_all(&app, &modules);
        let settings = crate::analysis::settings::local_settings(&app).map(Arc::new);
        let files = |loaded: &[LoadedModule]| -> Vec<String> {
            loaded.iter().map(|m| m.file.clone()).collect()
        };
        let shared = SharedLoads::default();
        let sharing: Vec<_> = units
            .iter()
            .map(|u| {
                super::super::check_function_with_loaded_modules(
                    &app, &modules, u, &settings, &shared,
                )
            })
            .collect();
        let loaded = |i: usize| sharing[i].1.clone().expect("checked");
        assert!(Arc::ptr_eq(&loaded(0), &loaded(1)));
        for (i, u) in units.iter().enumerate() {
            let alone = super::super::check_function_parts(&app, &modules, u, None, None);
            let alone_files: Vec<String> = alone.files().map(str::to_string).collect();
            assert_eq!(files(&loaded(i)), alone_files);
            assert_eq!(sharing[i].0, alone.into_diagnostics());
        }
        let fresh = SharedLoads::default();
        let (_, again) = super::super::check_function_with_loaded_modules(
            &app, &modules, &units[0], &settings, &fresh,
        );
        let again = again.expect("checked");
        assert!(!Arc::ptr_eq(&again, &loaded(0)));
        assert_eq!(files(&again), files(&loaded(0)));
    }

    #[test]
    fn host_json_is_read_once_for_the_functions_that_share_loads() {
        let with_host = |host: &str| decorator_app().with_file("host.json", host);
        let first =
            with_host(r#"{"version": "2.0", "extensions": {"http": {"routePrefix": "one"}}}"#);
        let modules = function::parse_modules(&first);
        let units = function::discover_all(&first, &modules);
        let alone = FunctionCtx::new(&first, &modules, &units[0]);
        assert_eq!(alone.route_prefix(), "one");
        assert!(alone.host_lacks_extension_bundle());
        let shared = SharedLoads::default();
        let ctx = FunctionCtx::new(&first, &modules, &units[0]).sharing_loads(&shared);
        assert_eq!(ctx.route_prefix(), "one");
        // Another host.json through the same loads: what was read first is kept; new loads
        // read it again.
        let second = with_host(r#"{"version": "2.0", "extensionBundle": {}}"#);
        let ctx = FunctionCtx::new(&second, &modules, &units[0]).sharing_loads(&shared);
        assert_eq!(ctx.route_prefix(), "one");
        assert!(ctx.host_lacks_extension_bundle());
        let fresh = SharedLoads::default();
        let ctx = FunctionCtx::new(&second, &modules, &units[0]).sharing_loads(&fresh);
        assert_eq!(ctx.route_prefix(), "api");
        assert!(!ctx.host_lacks_extension_bundle());
    }

    #[test]
    fn requirements_are_parsed_once_for_the_functions_that_share_loads() {
        let with_requirements = |text: &str| decorator_app().with_file("requirements.txt", text);
        let first = with_requirements("azure-functions\nPyYAML\n");
        let modules = function::parse_modules(&first);
        let units = function::discover_all(&first, &modules);
        let names = |ctx: &FunctionCtx| -> Vec<String> {
            ctx.requirements()
                .map(|r| r.items.iter().map(|i| i.name.clone()).collect())
                .unwrap_or_default()
        };
        let alone = FunctionCtx::new(&first, &modules, &units[0]);
        assert_eq!(names(&alone), ["azure-functions", "PyYAML"]);
        let shared = SharedLoads::default();
        let ctx = FunctionCtx::new(&first, &modules, &units[0]).sharing_loads(&shared);
        assert_eq!(names(&ctx), ["azure-functions", "PyYAML"]);
        // Another requirements.txt through the same loads: what was read first is kept.
        let second = with_requirements("requests\n");
        let ctx = FunctionCtx::new(&second, &modules, &units[1]).sharing_loads(&shared);
        assert_eq!(names(&ctx), ["azure-functions", "PyYAML"]);
        let fresh = SharedLoads::default();
        let ctx = FunctionCtx::new(&second, &modules, &units[1]).sharing_loads(&fresh);
        assert_eq!(names(&ctx), ["requests"]);
        let without = decorator_app();
        let none = FunctionCtx::new(&without, &modules, &units[1]);
        assert!(none.requirements().is_none());
    }

    #[test]
    fn counterpart_is_never_the_name_itself() {
        // The only candidate, a prefix match, or equal to the name: never suggested for itself.
        assert_eq!(counterpart("msg", &["msg"], true), None);
        assert_eq!(counterpart("req", &["req", "other"], false), None);
        assert_eq!(
            counterpart("order", &["order", "orders"], false),
            Some("orders")
        );
        // The cases it exists for still hold.
        assert_eq!(counterpart("req", &["request"], false), Some("request"));
        assert_eq!(counterpart("msg", &["message"], true), Some("message"));
        assert_eq!(counterpart("Msg", &["msg"], false), Some("msg"));
    }
}
