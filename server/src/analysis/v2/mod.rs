//! The v2 (decorator) programming model: an app whose script (`PYTHON_SCRIPT_FILE_NAME`, default
//! `function_app.py`) exists is indexed by the worker from the decorators in that script and the
//! modules it imports; function.json folders are then ignored.
//!
//! [`model`] follows what importing the script does, statically: it runs the module-level
//! statements of the script and of the app modules it imports (in import order, each module once),
//! tracks the app objects (`FunctionApp`, `AsgiFunctionApp`, `WsgiFunctionApp`, Durable `DFApp`,
//! `Blueprint`s), the function builders each object's decorators create and
//! `register_functions` calls, and finds the module-level app object the worker indexes.
//! [`units`] turns the indexed functions into [`DecoratedUnit`]s whose bindings come from the
//! decorator arguments (as the library sends them to the host), so that the binding rules apply
//! to them unchanged; `function::discover_all` makes them the app's functions.

pub mod bind;
pub mod condition;
mod interp;
/// The script's statements as the decorator model reads them (kept with each module's summary).
pub use super::python::syntax;
pub use interp::constant;
mod unit;

use super::app::AppInput;
use super::modules::Modules;
use super::text::TextRange;

pub use super::app_script::{script_name, ScriptName, DEFAULT_SCRIPT};
pub use bind::{BoundArgs, EnumValue};
pub use condition::Condition;
#[cfg(test)]
pub(crate) use unit::{units, UNITS_DERIVED};
pub use unit::{
    units_keeping, BindingOrigin, DecoratedUnit, Derivation, Derived, SignatureKind, V2Unit,
};

/// Index of an [`AppObject`] in [`V2App::objects`].
pub type ObjId = usize;
/// Index of a [`DecoratedFunction`] in [`V2App::functions`].
pub type FnId = usize;

/// The classes whose instances hold decorated functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    FunctionApp,
    AsgiFunctionApp,
    WsgiFunctionApp,
    /// `azure.durable_functions.DFApp`.
    DfApp,
    Blueprint,
    /// `azure.durable_functions.Blueprint`.
    DurableBlueprint,
}

impl ObjectKind {
    /// A `FunctionRegister`: the worker indexes it; it cannot be registered on another app.
    pub fn is_register(self) -> bool {
        !matches!(self, ObjectKind::Blueprint | ObjectKind::DurableBlueprint)
    }

    /// The class name as the user writes it.
    pub fn class_name(self) -> &'static str {
        match self {
            ObjectKind::FunctionApp => "FunctionApp",
            ObjectKind::AsgiFunctionApp => "AsgiFunctionApp",
            ObjectKind::WsgiFunctionApp => "WsgiFunctionApp",
            ObjectKind::DfApp => "DFApp",
            ObjectKind::Blueprint | ObjectKind::DurableBlueprint => "Blueprint",
        }
    }

    /// Whether it is one of the durable classes (their decorators are native).
    pub fn is_durable(self) -> bool {
        matches!(self, ObjectKind::DfApp | ObjectKind::DurableBlueprint)
    }

    /// The class for a fully qualified name (`azure.functions.FunctionApp`).
    pub fn from_qualified(q: &str) -> Option<ObjectKind> {
        let (module, class) = q.rsplit_once('.')?;
        let af = module == "azure.functions" || module.starts_with("azure.functions.");
        let df =
            module == "azure.durable_functions" || module.starts_with("azure.durable_functions.");
        match class {
            "FunctionApp" if af => Some(ObjectKind::FunctionApp),
            "AsgiFunctionApp" if af => Some(ObjectKind::AsgiFunctionApp),
            "WsgiFunctionApp" if af => Some(ObjectKind::WsgiFunctionApp),
            "Blueprint" if af => Some(ObjectKind::Blueprint),
            "DFApp" if df => Some(ObjectKind::DfApp),
            "Blueprint" if df => Some(ObjectKind::DurableBlueprint),
            _ => None,
        }
    }
}

/// An app object or blueprint created by a constructor call.
#[derive(Debug, Clone, PartialEq)]
pub struct AppObject {
    pub kind: ObjectKind,
    pub file: String,
    /// The constructor call.
    pub range: TextRange,
    pub call: syntax::Call,
    /// The first module-level name it was bound to (for messages).
    pub var: String,
    /// Its function builders after the modules ran, in order.
    pub builders: Vec<Entry>,
    /// Created in a module the script never imports.
    pub imported: bool,
    /// The arms of module-level `if`/`try`/`match` statements its construction needs.
    pub condition: Condition,
}

/// A function builder in an object's list, and the arms it needs to be there (those of its
/// `def` and of every `register_functions` that copied it).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub function: FnId,
    pub condition: Condition,
}

/// A decorator of an app object applied to a function builder.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct AppliedDecorator {
    pub object: ObjId,
    /// How the object is written (`app`, `bp`, `orders.bp`); shared by the decorators that
    /// write it alike one after the other.
    pub object_text: std::sync::Arc<str>,
    /// The catalog's name of the decorator.
    pub method: &'static str,
    /// The position of `method` in the catalog of decorators, found once.
    pub spec_index: Option<u16>,
    pub method_range: TextRange,
    /// The decorator expression.
    pub range: TextRange,
    /// The call's arguments (`None` when the decorator is not called).
    pub call: Option<std::sync::Arc<syntax::Call>>,
    /// Shared by everything the model makes of one module.
    pub file: std::sync::Arc<str>,
}

impl AppliedDecorator {
    /// The decorator's catalog entry.
    pub fn spec(
        &self,
    ) -> Option<&'static crate::analysis::catalog::decorator_types::DecoratorSpec> {
        self.spec_index.map(crate::analysis::catalog::decorator_at)
    }

    /// The decorator's catalog entry and its call's arguments bound to its parameters, when the
    /// decorator is known and called.
    pub fn bound_args(
        &self,
    ) -> Option<(
        &'static crate::analysis::catalog::decorator_types::DecoratorSpec,
        BoundArgs<'_>,
    )> {
        let spec = self.spec()?;
        Some((spec, bind::bind_args(spec, self.call.as_deref()?)))
    }

    /// Where `app.route` is written: what a diagnostic about the decorator as a whole underlines
    /// (not its arguments, which may span lines).
    pub fn callee_range(&self) -> TextRange {
        if self.range.start <= self.method_range.start && self.method_range.end <= self.range.end {
            TextRange {
                start: self.range.start,
                end: self.method_range.end,
            }
        } else {
            self.method_range
        }
    }

    /// `app.route`, written where it is shown.
    pub fn shown(&self) -> impl std::fmt::Display + '_ {
        struct Shown<'d>(&'d AppliedDecorator);
        impl std::fmt::Display for Shown<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}.{}", self.0.object_text, self.0.method)
            }
        }
        Shown(self)
    }

    /// `app.route`
    pub fn display(&self) -> String {
        format!("{}.{}", self.object_text, self.method)
    }
}

/// A function builder: a decorated `def` (or the function an ASGI/WSGI app adds itself).
#[derive(Debug, Clone, PartialEq)]
pub struct DecoratedFunction {
    /// Shared by everything the model makes of one module.
    pub file: std::sync::Arc<str>,
    /// `PyFunction::def_offset` of the `def`; `None` for the ASGI/WSGI function.
    pub def_offset: Option<usize>,
    /// Shared with the module's summary.
    pub def_name: std::sync::Arc<str>,
    /// The `def`'s name (the constructor call for the ASGI/WSGI function).
    pub def_name_range: TextRange,
    /// The object whose decorator created the builder.
    pub owner: ObjId,
    /// App decorators applied to it, in application order (innermost first).
    pub decorators: Vec<AppliedDecorator>,
    /// How many other decorators sit between the `def` and its first app decorator.
    pub inner_wrappers: usize,
    /// Defined inside a module-level `if`/`try`/`with`/loop.
    pub conditional: bool,
    /// The function an `AsgiFunctionApp`/`WsgiFunctionApp` registers for its web app.
    pub http_app: Option<ObjectKind>,
    /// Its module is imported when the worker imports the script.
    pub imported: bool,
    /// The arms of module-level `if`/`try`/`match` statements its `def` needs.
    pub condition: Condition,
}

/// `app.register_functions(bp)` / `app.register_blueprint(bp)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    pub file: String,
    /// The call.
    pub range: TextRange,
    /// The argument.
    pub arg_range: TextRange,
    pub app: ObjId,
    /// The registered object, when known.
    pub container: Option<ObjId>,
    /// How many builders the container had when it was registered.
    pub snapshot: usize,
    /// The arms of module-level `if`/`try`/`match` statements the call needs.
    pub condition: Condition,
}

/// A problem found while following the modules that makes the import raise.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// A decorator of `object` applied to a builder while `object` has none: `IndexError`.
    StackedEmpty {
        decorator: AppliedDecorator,
        function: FnId,
    },
    /// A decorator of `object` applied to a builder of another object: it takes `object`'s last
    /// builder (`grabbed`) instead.
    StackedForeign {
        decorator: AppliedDecorator,
        function: FnId,
        grabbed: FnId,
    },
    /// `register_functions` given a `FunctionRegister`: `TypeError`.
    RegisterApp {
        file: String,
        range: TextRange,
        kind: ObjectKind,
    },
}

/// A module-level name of the script bound to a `FunctionRegister`.
#[derive(Debug, Clone, PartialEq)]
pub struct AppName {
    pub name: String,
    pub object: ObjId,
    /// Where the script binds the name (the assignment target, import or `def`).
    pub range: TextRange,
    /// The arms of module-level `if`/`try`/`match` statements that binding needs.
    pub condition: Condition,
}

/// What importing the script defines, as far as it can be followed statically.
#[derive(Debug, Clone, PartialEq)]
pub struct V2App {
    pub script: ScriptName,
    pub objects: Vec<AppObject>,
    pub functions: Vec<DecoratedFunction>,
    pub registrations: Vec<Registration>,
    pub problems: Vec<Problem>,
    /// The script's module-level names bound to app objects, in definition order.
    pub app_names: Vec<AppName>,
    /// The builders the worker indexes, in its order (duplicates included), each with the arms
    /// it needs: two entries whose conditions exclude each other never exist together.
    pub indexed: Vec<Entry>,
    /// App modules the import runs, in order (the script first).
    pub executed: Vec<String>,
    /// Something the model cannot follow may define or register app objects (a star import, an
    /// app built by a function, a conditional definition): checks of completeness stay silent.
    pub uncertain: bool,
    /// A `register_functions` argument could not be followed.
    pub unknown_registrations: bool,
}

impl V2App {
    /// The distinct app objects the script binds at module level.
    pub fn app_objects(&self) -> Vec<ObjId> {
        let mut out: Vec<ObjId> = Vec::new();
        for n in &self.app_names {
            if !out.contains(&n.object) {
                out.push(n.object);
            }
        }
        out
    }

    /// The function name the library gives a builder: the `function_name` nearest the `def`, else
    /// the `def` name. `None` when the name is not a literal.
    pub fn function_name(
        &self,
        modules: &Modules,
        f: FnId,
    ) -> Option<(std::borrow::Cow<'_, str>, TextRange, &str)> {
        unit::function_name(self, modules, f)
    }
}

/// What a failure while the worker imports the script means, for messages.
pub fn import_fails(script: &str) -> String {
    format!("the worker's import of {script} fails, so no function of the app is indexed (\"0 functions found\")")
}

/// A unit standing for the script itself (no decorated function): the checks of the script's
/// import run on it when the app has no indexed function to carry them.
pub fn script_unit(model: &V2App) -> DecoratedUnit {
    let script = model.script.name.clone();
    DecoratedUnit {
        name: script.trim_end_matches(".py").to_string(),
        bindings: Default::default(),
        unit: Box::new(V2Unit {
            file: script.clone(),
            script,
            def_offset: None,
            def_name: String::new(),
            def_name_range: TextRange::default(),
            name_range: TextRange::default(),
            name_dynamic: true,
            app_var: String::new(),
            app_kind: ObjectKind::FunctionApp,
            decorators: Vec::new(),
            origins: Vec::new(),
            signature: SignatureKind::None,
            dynamic_names: true,
            durable_clients: Vec::new(),
            http_app: None,
            condition: Condition::default(),
        }),
    }
}

/// Follows the script of a v2 app; `None` when the app is not a v2 app.
pub fn model(app: &AppInput, modules: &Modules) -> Option<V2App> {
    let script = script_name(app);
    if !app.exists(&script.name) {
        return None;
    }
    #[cfg(test)]
    MODELS_RUN.with(|run| run.set(run.get() + 1));
    Some(interp::run(app, modules, script))
}

#[cfg(test)]
thread_local! {
    /// How many times [`model`] ran an app's modules on this thread.
    pub(crate) static MODELS_RUN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::modules::parse_modules;
    use crate::analysis::rules::test_support::app as fixture;

    fn run(text: &str) -> (AppInput, V2App) {
        let app = fixture(text);
        let modules = parse_modules(&app);
        let model = model(&app, &modules).expect("a v2 app");
        (app, model)
    }

    fn indexed_names(app: &AppInput, m: &V2App) -> Vec<String> {
        let modules = parse_modules(app);
        m.indexed
            .iter()
            .map(|e| {
                m.function_name(&modules, e.function)
                    .map(|n| n.0.into_owned())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn follows_blueprints_through_packages_and_aliases() {
        let (app, m) = run(r#"
//- /function_app.py
import azure.functions as func
from azure.functions import FunctionApp as App
import blueprints.orders
from blueprints import users as u
app = App(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(u.bp)
app.register_blueprint(blueprints.orders.bp)

@app.schedule(arg_name="t", schedule="0 * * * * *")
def tick(t): pass
//- /blueprints/__init__.py
//- /blueprints/orders.py
import azure.functions as func
bp = func.Blueprint()
@bp.route(route="orders")
def orders(req): pass
//- /blueprints/users.py
from azure import functions
bp = functions.Blueprint()
@bp.function_name(name="ListUsers")
@bp.route(route="users")
def users(req): pass
"#);
        assert_eq!(m.app_names.len(), 1);
        assert_eq!(indexed_names(&app, &m), ["ListUsers", "orders", "tick"]);
        assert_eq!(
            m.executed,
            [
                "function_app.py",
                "blueprints/__init__.py",
                "blueprints/orders.py",
                "blueprints/users.py"
            ]
        );
        assert!(!m.uncertain);
    }

    #[test]
    fn registration_copies_the_builders_of_that_moment() {
        let (app, m) = run(r#"
//- /function_app.py
import azure.functions as func
app = func.FunctionApp()
bp = func.Blueprint()
@bp.route()
def early(req): pass
app.register_functions(bp)
@bp.route()
def late(req): pass
@app.route()
def own(req): pass
"#);
        assert_eq!(indexed_names(&app, &m), ["early", "own"]);
        assert_eq!(m.registrations[0].snapshot, 1);
    }

    #[test]
    fn decorators_of_two_objects_pop_the_other_list() {
        let (_, m) = run(r#"
//- /function_app.py
import azure.functions as func
app = func.FunctionApp()
bp = func.Blueprint()
@bp.route(route="ping")
def ping(req): pass
@bp.queue_output(arg_name="msg", queue_name="q", connection="C")
@app.route(route="orders")
def orders(req, msg): pass
"#);
        let [Problem::StackedForeign {
            function, grabbed, ..
        }] = m.problems.as_slice()
        else {
            panic!("{:?}", m.problems)
        };
        assert_eq!(&*m.functions[*function].def_name, "orders");
        assert_eq!(&*m.functions[*grabbed].def_name, "ping");
        // The binding went to ping, as the library does.
        assert_eq!(m.functions[*grabbed].decorators.len(), 2);
    }

    #[test]
    fn import_cycles_and_unknown_values_end() {
        let (app, m) = run(r#"
//- /function_app.py
import azure.functions as func
import a
app = func.FunctionApp()
@app.route()
def f(req): pass
//- /a.py
import b
//- /b.py
import a
import function_app
"#);
        assert_eq!(indexed_names(&app, &m), ["f"]);
        let (_, m) =
            run("//- /function_app.py\nfrom helpers import *\nimport azure.functions as func\n");
        assert!(m.uncertain);
        assert!(m.app_names.is_empty());
    }

    #[test]
    fn entries_carry_the_arms_of_their_def_import_and_registration() {
        let (app, m) = run(r#"
//- /function_app.py
import os
import azure.functions as func
app = func.FunctionApp()
bp = func.Blueprint()
if os.environ.get("V2"):
    import api_v2
    @bp.route(route="only_v2")
    def only_v2(req): pass
    app.register_functions(api_v2.bp)
else:
    import api_v1
    app.register_functions(api_v1.bp)
    app.register_functions(bp)
@app.route(route="always")
def always(req): pass
//- /api_v1.py
import azure.functions as func
bp = func.Blueprint()
@bp.route(route="items")
def items(req): pass
//- /api_v2.py
import azure.functions as func
bp = func.Blueprint()
@bp.route(route="items")
def items(req): pass
"#);
        // `only_v2` is defined in the other arm than the registration of `bp`: never copied.
        assert_eq!(indexed_names(&app, &m), ["items", "items", "always"]);
        let [v2, v1, always] = m.indexed.as_slice() else {
            panic!("{:?}", m.indexed)
        };
        // The modules ran under the arm of their import.
        assert!(v2.condition.excludes(&v1.condition));
        assert!(!always.condition.excludes(&v1.condition));
        assert!(always.condition.is_always());
        let modules = parse_modules(&app);
        let units = units(&modules, &m);
        assert!(units[0].unit.condition.excludes(&units[1].unit.condition));
    }

    #[test]
    fn a_blueprint_bound_per_arm_is_registered_in_each() {
        let (app, m) = run(r#"
//- /function_app.py
import os
import azure.functions as func
app = func.FunctionApp()
if os.environ.get("ADMIN"):
    bp = func.Blueprint()
    @bp.route(route="admin/users")
    def users(req): pass
elif os.environ.get("GUEST"):
    bp = func.Blueprint()
    @bp.route(route="guest/users")
    def users(req): pass
else:
    bp = func.Blueprint()
    @bp.route(route="users")
    def users(req): pass
app.register_functions(bp)
bp = func.Blueprint()
@bp.route(route="late")
def late(req): pass
app.register_functions(bp)
"#);
        // The call registers whichever blueprint its arm bound; rebinding the name outside the
        // arms forgets them.
        assert_eq!(indexed_names(&app, &m), ["users", "users", "users", "late"]);
        let c: Vec<&Condition> = m.indexed.iter().map(|e| &e.condition).collect();
        assert!(c[0].excludes(c[1]) && c[0].excludes(c[2]) && c[1].excludes(c[2]));
        assert!(c[3].is_always());
        assert_eq!(m.registrations.len(), 4);
    }

    #[test]
    fn an_app_bound_per_arm_indexes_its_functions_in_that_arm() {
        let (app, m) = run(r#"
//- /function_app.py
import azure.functions as func
try:
    import azure.durable_functions as df
    app = df.DFApp()
    @app.route(route="a")
    def hello(req): pass
except ImportError:
    app = func.FunctionApp()
    @app.route(route="b")
    def hello(req): pass
@app.route(route="c")
def after(req): pass
"#);
        assert_eq!(m.app_names.len(), 2);
        assert!(m.app_names[0].condition.excludes(&m.app_names[1].condition));
        assert_eq!(indexed_names(&app, &m), ["hello", "after", "hello"]);
        assert!(m.indexed[0].condition.excludes(&m.indexed[2].condition));
    }

    #[test]
    fn a_blueprint_growing_in_every_arm_is_copied_within_a_budget() {
        // Arm i registers a blueprint holding i builders of other arms: the copies looked at
        // grow with the square of the arms, so they stop at a budget (and the model says it
        // is unsure).
        let mut script = String::from(
            "//- /function_app.py\nimport os\nimport azure.functions as func\napp = func.FunctionApp()\nbp = func.Blueprint()\n",
        );
        for i in 0..1_500 {
            let keyword = if i == 0 { "if" } else { "elif" };
            script.push_str(&format!(
                "{keyword} os.environ.get('M') == '{i}':\n    @bp.route(route='r{i}')\n    def f{i}(req): pass\n    app.register_functions(bp)\n"
            ));
        }
        let (_, m) = run(&script);
        assert!(m.uncertain);
        // Each arm indexes its own function only, as far as the budget went.
        assert!(m.indexed.len() < 1_500 && m.indexed.len() > 1_000);
        assert!(m
            .indexed
            .windows(2)
            .all(|w| w[0].condition.excludes(&w[1].condition)));
    }

    #[test]
    fn web_apps_register_their_own_function() {
        let (app, m) = run(r#"
//- /function_app.py
import azure.functions as func
app = func.WsgiFunctionApp(app=None, function_name="web")
@app.schedule(arg_name="t", schedule="0 * * * * *")
def tick(t): pass
"#);
        assert_eq!(indexed_names(&app, &m), ["web", "tick"]);
        let modules = parse_modules(&app);
        let units = units(&modules, &m);
        let web = &units[0];
        assert_eq!(web.bindings.bindings.len(), 2);
        assert_eq!(
            web.bindings.bindings[0]
                .property_str("route")
                .map(|r| r.value)
                .as_deref(),
            Some("/{*route}")
        );
    }

    #[test]
    fn every_prefix_of_a_script_is_checked_without_panicking() {
        // What the server sees while a script is typed: every prefix of a real one.
        let script =
            include_str!("../../../../tests/fixtures/templates/v2-every-trigger/function_app.py");
        let jobs = include_str!(
            "../../../../tests/fixtures/templates/v2-every-trigger/blueprints/storage.py"
        );
        let config = crate::analysis::Config::default();
        let mut cut = 0;
        while cut <= script.len() {
            if script.is_char_boundary(cut) {
                let app = AppInput::new("app")
                    .with_file("function_app.py", &script[..cut])
                    .with_file("blueprints/__init__.py", "")
                    .with_file("blueprints/storage.py", &jobs[..cut.min(jobs.len())]);
                let _ = crate::analysis::check_app(&app, &config);
            }
            cut += 13;
        }
    }
}
