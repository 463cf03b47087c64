//! The indexed v2 functions as [`DecoratedUnit`]s: each decorator's arguments become the binding
//! JSON the library sends to the host (`snake_case` → `camelCase`, `arg_name` → `name`, enum
//! strings → member names, `None` left out), with ranges that point at the decorator arguments.

use std::borrow::Cow;

use super::bind::{bind_args, enum_value, sequence, EnumValue};
use super::interp::constant;
use super::syntax::{Arg, ExprKind, PyExpr};
use super::{AppliedDecorator, Condition, FnId, ObjectKind, V2App};
use crate::analysis::catalog::decorator_types::{camel_case, DecoratorKind, DecoratorSpec};
use crate::analysis::catalog::enumeration;
use crate::analysis::function_json::{Binding, Direction, FunctionJson, Spanned};
use crate::analysis::json::{JsonKind, JsonMember, JsonValue};
use crate::analysis::modules::Modules;
use crate::analysis::text::TextRange;

/// How the worker sees the signature of a v2 function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureKind {
    /// The decorated `def` itself.
    Def,
    /// The `def` wrapped by this many other decorators below the app decorators.
    Wrapped(usize),
    /// A Durable orchestrator or entity: the worker sees the library's `handle(context)`.
    DurableHandle,
    /// Not a `def` of the app (the ASGI/WSGI function, an `mcp_tool` wrapper).
    None,
}

/// Where a binding of a v2 function comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BindingOrigin {
    /// Index into [`V2Unit::decorators`].
    pub decorator: usize,
    /// The parameter that names the binding (`arg_name`, `trigger_arg_name`, …).
    pub name_param: &'static str,
    /// The name was written (not the parameter's default).
    pub name_given: bool,
    /// Properties that come from extra keyword arguments (camelCase keys).
    pub extra_keys: Vec<String>,
    /// `**mapping` or `*args` that cannot be read: more properties may exist.
    pub dynamic: bool,
}

/// A function the worker indexes, as its decorators declare it.
#[derive(Debug, Clone, PartialEq)]
pub struct DecoratedUnit {
    /// The function name.
    pub name: String,
    /// The binding JSON the library sends to the host, with ranges in [`V2Unit::file`].
    pub bindings: FunctionJson,
    /// Boxed as [`crate::analysis::function::Declaration`] keeps it: thousands of units are
    /// collected and converted without copying it each time.
    pub unit: Box<V2Unit>,
}

/// What a decorated function knows beyond its bindings.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct V2Unit {
    /// The Python file with the decorators (and the `def`).
    pub file: String,
    /// The app script the worker imports (every v2 function loads through it).
    pub script: String,
    /// The `def` (`PyFunction::def_offset`) in the unit's file, when there is one.
    pub def_offset: Option<usize>,
    pub def_name: String,
    pub def_name_range: TextRange,
    /// Where the function's name is written: the `function_name(name=…)` value or the `def` name.
    pub name_range: TextRange,
    /// The function name is not a literal (the unit is named after the `def`).
    pub name_dynamic: bool,
    /// The module-level name of the app object that indexes the function.
    pub app_var: String,
    pub app_kind: ObjectKind,
    /// The app decorators applied to the function, innermost first.
    pub decorators: Vec<AppliedDecorator>,
    /// Parallel to the function's bindings (`FunctionUnit::bindings`).
    pub origins: Vec<BindingOrigin>,
    pub signature: SignatureKind,
    /// A binding name is not a literal: parameter checks cannot be made.
    pub dynamic_names: bool,
    /// Parameters bound by `durable_client_input` (their annotation is replaced by `str`).
    pub durable_clients: Vec<String>,
    /// The function an `AsgiFunctionApp`/`WsgiFunctionApp` adds for its web app.
    pub http_app: Option<ObjectKind>,
    /// The arms of module-level `if`/`try`/`match` statements the function needs to be indexed
    /// (those every indexed copy of it needs): functions whose conditions exclude each other
    /// never exist together.
    pub condition: Condition,
}

impl V2Unit {
    /// The origin of `binding` (one of `bindings`, the function's bindings).
    pub fn origin<'a>(
        &'a self,
        bindings: &[Binding],
        binding: &Binding,
    ) -> Option<&'a BindingOrigin> {
        let i = bindings.iter().position(|b| std::ptr::eq(b, binding))?;
        self.origins.get(i)
    }

    /// The decorator that declares `binding`.
    pub fn decorator_of<'a>(
        &'a self,
        bindings: &[Binding],
        binding: &Binding,
    ) -> Option<&'a AppliedDecorator> {
        self.decorators
            .get(self.origin(bindings, binding)?.decorator)
    }
}

/// The function name the library gives builder `f`, where it is written and in which file
/// (borrowed from the model unless the name is a constant's value).
pub(super) fn function_name<'m>(
    model: &'m V2App,
    modules: &Modules,
    f: FnId,
) -> Option<(Cow<'m, str>, TextRange, &'m str)> {
    let func = model.functions.get(f)?;
    if let Some(kind) = func.http_app {
        let obj = &model.objects[func.owner];
        let position = match kind {
            ObjectKind::AsgiFunctionApp | ObjectKind::WsgiFunctionApp => 2,
            _ => usize::MAX,
        };
        let arg = obj
            .call
            .keyword("function_name")
            .or_else(|| obj.call.args.get(position).filter(|a| a.keyword.is_none()));
        return match arg {
            None => Some(("http_app_func".into(), obj.range, obj.file.as_str())),
            Some(a) => a
                .value
                .as_str()
                .map(|s| (Cow::Borrowed(s), a.value.range, obj.file.as_str())),
        };
    }
    // Asked of every decorator of every function: compared by catalog position, not by name.
    static FUNCTION_NAME: std::sync::OnceLock<Option<u16>> = std::sync::OnceLock::new();
    let function_name =
        *FUNCTION_NAME.get_or_init(|| crate::analysis::catalog::decorator_index("function_name"));
    for d in &func.decorators {
        if d.spec_index.is_none() || d.spec_index != function_name {
            continue;
        }
        let spec = d.spec()?;
        let call = d.call.as_ref()?;
        let arg = bind_args(spec, call).take_value("name")?;
        let range = arg.value.range;
        let name = match &arg {
            // Written in the call: borrowed from it.
            Cow::Borrowed(Arg {
                value:
                    PyExpr {
                        kind: ExprKind::Str(s),
                        ..
                    },
                ..
            }) => Some(Cow::Borrowed(s.as_str())),
            other => match &other.value.kind {
                ExprKind::Str(s) => Some(Cow::Owned(s.clone())),
                ExprKind::Name(n) => constant(modules, &d.file, n).map(Cow::Owned),
                _ => None,
            },
        };
        return name.map(|n| (n, range, &*d.file));
    }
    Some((
        Cow::Borrowed(&*func.def_name),
        func.def_name_range,
        &*func.file,
    ))
}

/// The units of the functions the worker indexes, in its order (each builder once).
#[cfg(test)]
pub(crate) fn units(modules: &Modules, model: &V2App) -> Vec<DecoratedUnit> {
    let keep_none = |_: &Derivation| None::<()>;
    units_keeping(modules, model, &keep_none)
        .into_iter()
        .filter_map(|(_, derived)| match derived {
            Derived::New(unit) => Some(unit),
            Derived::Kept(()) => None,
        })
        .collect()
}

/// What the unit of a builder is derived from besides the model's builder, its owner and the
/// module of its file: what [`units_keeping`] hands its caller to decide whether a unit derived
/// earlier from the same inputs can stand.
#[derive(Debug)]
pub struct Derivation<'m> {
    pub function: FnId,
    /// The arms every indexed copy of the builder needs ([`V2Unit::condition`]).
    pub condition: &'m Condition,
    /// [`V2Unit::app_var`] and [`V2Unit::app_kind`].
    pub app_var: &'m str,
    pub app_kind: ObjectKind,
}

/// A unit derived now, or what the caller kept instead of deriving it.
// A list of them is made once per derivation; a box for each new unit would cost more.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Derived<K> {
    New(DecoratedUnit),
    Kept(K),
}

/// [`units`], each with its builder, asking `keep` first for each builder: what it returns stands
/// in for the unit, which is then not derived. A unit depends only on the builder
/// (`model.functions[f]`), its owner object, the module of its file (constants it names), the
/// script's name and the [`Derivation`]: `keep` may return a unit derived earlier when all of
/// them are the same.
pub fn units_keeping<K: Send>(
    modules: &Modules,
    model: &V2App,
    keep: &(dyn Fn(&Derivation) -> Option<K> + Sync),
) -> Vec<(FnId, Derived<K>)> {
    // Which app name indexes each builder (the first one that holds it).
    let mut app_of: foldhash::HashMap<FnId, &super::AppName> = Default::default();
    for n in &model.app_names {
        for e in &model.objects[n.object].builders {
            app_of.entry(e.function).or_insert(n);
        }
    }
    // What every indexed copy of each builder needs, and the builders in their first order.
    let mut conditions: foldhash::HashMap<FnId, Condition> = Default::default();
    let mut order = Vec::new();
    for e in &model.indexed {
        match conditions.entry(e.function) {
            std::collections::hash_map::Entry::Occupied(mut c) => {
                let common = c.get().common(&e.condition);
                c.insert(common);
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(e.condition.clone());
                order.push(e.function);
            }
        }
    }
    let work: Vec<(FnId, Condition)> = order
        .into_iter()
        .map(|f| (f, conditions.remove(&f).unwrap_or_default()))
        .collect();
    // Each unit reads only the finished model: they are built in parallel (in a decorator app
    // this is most of finding the functions), and collected in the worker's order.
    use rayon::prelude::*;
    // Mapped rather than filtered: rayon then writes each unit into its slot of one list, where
    // a filter collects chunks in lists that grow and are copied again at the end.
    let built: Vec<Option<(FnId, Derived<K>)>> = work
        .into_par_iter()
        .with_min_len(16)
        .map(|(f, condition)| {
            let func = model.functions.get(f)?;
            let app_name = app_of.get(&f).copied();
            let (app_var, app_kind) = match app_name {
                Some(n) => (n.name.as_str(), model.objects[n.object].kind),
                None => {
                    let owner = &model.objects[func.owner];
                    (owner.var.as_str(), owner.kind)
                }
            };
            let derivation = Derivation {
                function: f,
                condition: &condition,
                app_var,
                app_kind,
            };
            if let Some(kept) = keep(&derivation) {
                return Some((f, Derived::Kept(kept)));
            }
            let mut u = unit(modules, model, f, app_name)?;
            u.unit.condition = condition;
            Some((f, Derived::New(u)))
        })
        .collect();
    // In place: `filter_map` reuses the list, where `flatten` would allocate another.
    #[allow(clippy::filter_map_identity)]
    built.into_iter().filter_map(|unit| unit).collect()
}

#[cfg(test)]
thread_local! {
    /// How many units were derived on this thread.
    pub(crate) static UNITS_DERIVED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn unit(
    modules: &Modules,
    model: &V2App,
    f: FnId,
    app_name: Option<&super::AppName>,
) -> Option<DecoratedUnit> {
    #[cfg(test)]
    UNITS_DERIVED.with(|derived| derived.set(derived.get() + 1));
    let func = model.functions.get(f)?;
    let file = &func.file;
    let lookup = |name: &str| constant(modules, file, name);
    let (name, name_range, name_dynamic) = match function_name(model, modules, f) {
        Some((n, r, _)) => (n.into_owned(), r, false),
        None => (func.def_name.to_string(), func.def_name_range, true),
    };
    let (app_var, app_kind) = match app_name {
        Some(n) => (n.name.clone(), model.objects[n.object].kind),
        None => (
            model.objects[func.owner].var.clone(),
            model.objects[func.owner].kind,
        ),
    };
    let mut bindings = Vec::new();
    let mut origins = Vec::new();
    let mut durable_clients = Vec::new();
    let mut dynamic_names = false;
    let mut signature = if func.http_app.is_some() {
        SignatureKind::None
    } else if func.inner_wrappers > 0 {
        SignatureKind::Wrapped(func.inner_wrappers)
    } else {
        SignatureKind::Def
    };
    if func.http_app.is_some() {
        http_app_bindings(model, func.owner, &mut bindings, &mut origins);
    }
    for (di, d) in func.decorators.iter().enumerate() {
        let Some(spec) = d.spec() else { continue };
        match d.method {
            "orchestration_trigger" | "entity_trigger" => signature = SignatureKind::DurableHandle,
            "mcp_tool" => signature = SignatureKind::None,
            _ => {}
        }
        let Some(call) = &d.call else { continue };
        let made = decorator_bindings(spec, d, call, di, &lookup);
        for (b, o) in made {
            if b.name.is_none() && !o.name_param.is_empty() {
                dynamic_names = true;
            }
            if d.method == "durable_client_input" {
                if let Some(n) = b.name_str() {
                    durable_clients.push(n.to_string());
                }
            }
            bindings.push(b);
            origins.push(o);
        }
    }
    let json = FunctionJson {
        bindings,
        bindings_key: Some(func.def_name_range),
        ..FunctionJson::default()
    };
    Some(DecoratedUnit {
        name,
        bindings: json,
        unit: Box::new(V2Unit {
            file: file.to_string(),
            script: model.script.name.clone(),
            def_offset: func.def_offset,
            def_name: func.def_name.to_string(),
            def_name_range: func.def_name_range,
            name_range,
            name_dynamic,
            app_var,
            app_kind,
            decorators: func.decorators.clone(),
            origins,
            signature,
            dynamic_names,
            durable_clients,
            http_app: func.http_app,
            condition: Condition::default(),
        }),
    })
}

fn spanned(value: &str, range: TextRange) -> Spanned {
    Spanned {
        value: value.to_string(),
        range,
    }
}

fn member(key: &str, key_range: TextRange, value: JsonValue) -> JsonMember {
    JsonMember {
        key: key.to_string(),
        key_range,
        value: Some(value),
    }
}

fn string_value(s: &str, range: TextRange) -> JsonValue {
    JsonValue {
        kind: JsonKind::String(s.to_string()),
        range,
    }
}

/// The binding JSON value of a plain (non-enum) argument; `None` when the library leaves it out.
fn json_value(
    expr: &PyExpr,
    lookup: &dyn Fn(&str) -> Option<String>,
    depth: u32,
) -> Option<JsonValue> {
    let kind = match &expr.kind {
        ExprKind::None => return None,
        ExprKind::Str(s) => JsonKind::String(s.clone()),
        ExprKind::Number(n) => JsonKind::Number(n.clone()),
        ExprKind::Bool(b) => JsonKind::Bool(*b),
        ExprKind::Name(n) => match lookup(n) {
            Some(s) => JsonKind::String(s),
            None => JsonKind::Invalid,
        },
        ExprKind::List(items) | ExprKind::Tuple(items) if depth < 8 => JsonKind::Array(
            items
                .iter()
                .filter_map(|i| json_value(i, lookup, depth + 1))
                .collect(),
        ),
        ExprKind::Dict(items) if depth < 8 => JsonKind::Object(
            items
                .iter()
                .filter_map(|i| {
                    let key = i.key.as_ref()?;
                    let k = key.as_str()?;
                    Some(JsonMember {
                        key: k.to_string(),
                        key_range: key.range,
                        value: json_value(&i.value, lookup, depth + 1),
                    })
                })
                .collect(),
        ),
        _ => JsonKind::Invalid,
    };
    Some(JsonValue {
        kind,
        range: expr.range,
    })
}

/// The value of an enum-typed argument: the member name, `Invalid` JSON for a value that cannot
/// be read, `None` for `None` or a value the library refuses (reported by AZF711).
fn enum_json(
    enum_type: &str,
    expr: &PyExpr,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<JsonValue> {
    let spec = enumeration(enum_type)?;
    if expr.kind == ExprKind::None {
        return None;
    }
    if enum_type == "HttpMethod" {
        let Some(items) = sequence(expr) else {
            return Some(JsonValue {
                kind: JsonKind::Invalid,
                range: expr.range,
            });
        };
        let mut out = Vec::new();
        for item in items {
            match enum_value(spec, item, false, lookup) {
                EnumValue::Valid(m) => out.push(string_value(m, item.range)),
                EnumValue::Invalid(_) => return None,
                EnumValue::Unknown => out.push(JsonValue {
                    kind: JsonKind::Invalid,
                    range: item.range,
                }),
            }
        }
        return Some(JsonValue {
            kind: JsonKind::Array(out),
            range: expr.range,
        });
    }
    match enum_value(spec, expr, false, lookup) {
        EnumValue::Valid(m) => Some(string_value(m, expr.range)),
        EnumValue::Invalid(_) => None,
        EnumValue::Unknown => Some(JsonValue {
            kind: JsonKind::Invalid,
            range: expr.range,
        }),
    }
}

/// Properties from extra keyword arguments (or an `*_extra_fields` dict).
fn extra_members<'a>(
    args: impl IntoIterator<Item = &'a Arg>,
    lookup: &dyn Fn(&str) -> Option<String>,
    members: &mut Vec<JsonMember>,
    keys: &mut Vec<String>,
) {
    for a in args {
        let Some((k, key_range)) = &a.keyword else {
            continue;
        };
        let key = camel_case(k).unwrap_or_else(|| k.clone());
        if let Some(v) = json_value(&a.value, lookup, 0) {
            keys.push(key.clone());
            members.push(member(&key, *key_range, v));
        }
    }
}

/// The entries of a dict display passed as `trigger_extra_fields=` / `binding_extra_fields=`.
fn dict_args(expr: Option<&PyExpr>) -> (Vec<Arg>, bool) {
    let Some(expr) = expr else {
        return (Vec::new(), false);
    };
    match &expr.kind {
        ExprKind::Dict(items) => {
            let mut out = Vec::new();
            let mut dynamic = false;
            for i in items {
                match i
                    .key
                    .as_ref()
                    .and_then(|k| k.as_str().map(|s| (s, k.range)))
                {
                    Some((k, r)) => out.push(Arg {
                        keyword: Some((k.to_string(), r)),
                        value: i.value.clone(),
                        splat: super::syntax::Splat::None,
                        range: TextRange::new(r.start as usize, i.value.range.end as usize),
                    }),
                    None => dynamic = true,
                }
            }
            (out, dynamic)
        }
        ExprKind::None => (Vec::new(), false),
        _ => (Vec::new(), true),
    }
}

fn new_binding(
    d: &AppliedDecorator,
    name: Option<Spanned>,
    binding_type: Option<Spanned>,
    direction: Direction,
    mut members: Vec<JsonMember>,
    data_type: Option<Spanned>,
) -> Binding {
    // `name`, `type` and `direction`, then the decorator's members.
    let mut head = Vec::with_capacity(3 + members.len());
    match &name {
        Some(n) => head.push(member("name", n.range, string_value(&n.value, n.range))),
        None => head.push(member(
            "name",
            d.method_range,
            JsonValue {
                kind: JsonKind::Invalid,
                range: d.method_range,
            },
        )),
    }
    match &binding_type {
        Some(t) => head.push(member("type", t.range, string_value(&t.value, t.range))),
        None => head.push(member(
            "type",
            d.method_range,
            JsonValue {
                kind: JsonKind::Invalid,
                range: d.method_range,
            },
        )),
    }
    head.push(member(
        "direction",
        d.method_range,
        string_value(direction.as_str(), d.method_range),
    ));
    head.append(&mut members);
    Binding {
        range: d.range,
        name,
        binding_type,
        direction_raw: None,
        direction: Some(direction),
        data_type,
        members: head,
        malformed: Vec::new(),
    }
}

/// The name a binding gets from `param` (its value, or `default` when not given).
fn name_of(
    bound: &super::bind::BoundArgs,
    param: &str,
    default: Option<&str>,
    d: &AppliedDecorator,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> (Option<Spanned>, bool) {
    match bound.value(param) {
        Some(v) => match &v.kind {
            ExprKind::Str(s) => (Some(spanned(s, v.range)), true),
            ExprKind::Name(n) => (lookup(n).map(|s| spanned(&s, v.range)), true),
            _ => (None, true),
        },
        None => (default.map(|s| spanned(s, d.method_range)), false),
    }
}

fn decorator_bindings(
    spec: &'static DecoratorSpec,
    d: &AppliedDecorator,
    call: &super::syntax::Call,
    di: usize,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Vec<(Binding, BindingOrigin)> {
    let bound = bind_args(spec, call);
    let mut out = Vec::new();
    match spec.kind {
        DecoratorKind::Setting | DecoratorKind::Modifier => {}
        DecoratorKind::Route => {
            let (name, given) = name_of(&bound, "trigger_arg_name", Some("req"), d, lookup);
            let mut members = Vec::new();
            if let Some(route) = bound.value("route") {
                if let Some(v) = json_value(route, lookup, 0) {
                    members.push(member("route", key_range(&bound, "route"), v));
                }
            }
            if let Some(m) = bound.get("methods") {
                if let Some(v) = enum_json("HttpMethod", &m.value, lookup) {
                    members.push(member("methods", key_range(&bound, "methods"), v));
                }
            }
            if let Some(a) = bound.get("auth_level") {
                if let Some(v) = enum_json("AuthLevel", &a.value, lookup) {
                    members.push(member("authLevel", key_range(&bound, "auth_level"), v));
                }
            }
            let (extra, dynamic) = dict_args(bound.value("trigger_extra_fields"));
            let mut keys = Vec::new();
            extra_members(&extra, lookup, &mut members, &mut keys);
            let trigger_type = spanned("httpTrigger", d.method_range);
            out.push((
                new_binding(d, name, Some(trigger_type), Direction::In, members, None),
                BindingOrigin {
                    decorator: di,
                    name_param: "trigger_arg_name",
                    name_given: given,
                    extra_keys: keys,
                    dynamic: dynamic || bound.dynamic,
                },
            ));
            let (name, given) = name_of(&bound, "binding_arg_name", Some("$return"), d, lookup);
            let (extra, dynamic) = dict_args(bound.value("binding_extra_fields"));
            let mut members = Vec::new();
            let mut keys = Vec::new();
            extra_members(&extra, lookup, &mut members, &mut keys);
            out.push((
                new_binding(
                    d,
                    name,
                    Some(spanned("http", d.method_range)),
                    Direction::Out,
                    members,
                    None,
                ),
                BindingOrigin {
                    decorator: di,
                    name_param: "binding_arg_name",
                    name_given: given,
                    extra_keys: keys,
                    dynamic: dynamic || bound.dynamic,
                },
            ));
        }
        DecoratorKind::Trigger | DecoratorKind::Input | DecoratorKind::Output => {
            let (name, given, name_param) = match spec.name_param {
                Some(p) => {
                    let (n, g) = name_of(&bound, p, None, d, lookup);
                    (n, g, p)
                }
                // `mcp_tool` names its trigger `context`.
                None => (Some(spanned("context", d.method_range)), false, ""),
            };
            let binding_type = match spec.binding_type {
                Some(t) => Some(spanned(t, d.method_range)),
                None => bound.value("type").and_then(|v| match &v.kind {
                    ExprKind::Str(s) => Some(spanned(s, v.range)),
                    ExprKind::Name(n) => lookup(n).map(|s| spanned(&s, v.range)),
                    _ => None,
                }),
            };
            let direction = if spec.direction == Some("out") {
                Direction::Out
            } else {
                Direction::In
            };
            let mut members = Vec::new();
            let mut data_type = None;
            for (p, arg) in &bound.params {
                if Some(p.name) == spec.name_param || p.name == "type" {
                    continue;
                }
                let key = if p.name == "data_type" {
                    "dataType".to_string()
                } else {
                    camel_case(p.name).unwrap_or_else(|| p.name.to_string())
                };
                let value = match p.enum_type {
                    Some(e) => enum_json(e, &arg.value, lookup),
                    None => json_value(&arg.value, lookup, 0),
                };
                let Some(value) = value else { continue };
                if p.name == "data_type" {
                    if let Some(s) = value.as_str() {
                        data_type = Some(spanned(s, value.range));
                    }
                }
                let kr = arg.keyword.as_ref().map(|k| k.1).unwrap_or(arg.value.range);
                members.push(member(&key, kr, value));
            }
            let mut keys = Vec::new();
            if spec.kwargs {
                extra_members(
                    bound.extra.iter().map(|a| a.as_ref()),
                    lookup,
                    &mut members,
                    &mut keys,
                );
            }
            out.push((
                new_binding(d, name, binding_type, direction, members, data_type),
                BindingOrigin {
                    decorator: di,
                    name_param,
                    name_given: given,
                    extra_keys: keys,
                    dynamic: bound.dynamic,
                },
            ));
        }
    }
    out
}

fn key_range(bound: &super::bind::BoundArgs, param: &str) -> TextRange {
    bound
        .get(param)
        .map(|a| a.keyword.as_ref().map(|k| k.1).unwrap_or(a.value.range))
        .unwrap_or_default()
}

/// The bindings of the function an ASGI/WSGI app registers: an HTTP trigger on `/{*route}` for
/// every method at the app's auth level, and the `$return` response.
fn http_app_bindings(
    model: &V2App,
    owner: usize,
    bindings: &mut Vec<Binding>,
    origins: &mut Vec<BindingOrigin>,
) {
    let obj = &model.objects[owner];
    let r = obj.range;
    let d = AppliedDecorator {
        object: owner,
        object_text: obj.var.as_str().into(),
        method: "route",
        spec_index: crate::analysis::catalog::decorator_index("route"),
        method_range: r,
        range: r,
        call: None,
        file: obj.file.as_str().into(),
    };
    let methods = JsonValue {
        kind: JsonKind::Array(
            enumeration("HttpMethod")
                .map(|e| e.members)
                .unwrap_or_default()
                .iter()
                .map(|m| string_value(m, r))
                .collect(),
        ),
        range: r,
    };
    let members = vec![
        member("route", r, string_value("/{*route}", r)),
        member("methods", r, methods),
    ];
    bindings.push(new_binding(
        &d,
        Some(spanned("req", r)),
        Some(spanned("httpTrigger", r)),
        Direction::In,
        members,
        None,
    ));
    bindings.push(new_binding(
        &d,
        Some(spanned("$return", r)),
        Some(spanned("http", r)),
        Direction::Out,
        Vec::new(),
        None,
    ));
    for name_param in ["trigger_arg_name", "binding_arg_name"] {
        origins.push(BindingOrigin {
            decorator: usize::MAX,
            name_param,
            name_given: false,
            extra_keys: Vec::new(),
            dynamic: false,
        });
    }
}
