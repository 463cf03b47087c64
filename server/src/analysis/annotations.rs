//! Resolves Python annotations statically to what the worker would see at load time, and judges
//! them against the worker's annotation matrix.

use super::catalog::extensions::{self, ExtensionRole};
use super::catalog::{self, annotation_matrix as matrix};
use super::function_json::Direction;
use super::python::{Binding, ExprKind, NameKind, PyExpr, PyModule};

/// What an annotation evaluates to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// A class.
    Class(ClassRef),
    /// `typing.List[X]` (or `List[X]`).
    List(Box<Resolved>),
    /// Some other subscripted generic (`Dict[str, int]`, `list[str]`).
    OtherGeneric,
    /// A generic alias or class whose `__name__` is `Out`, with its type arguments (none for a
    /// bare `func.Out`).
    Out(Vec<Resolved>),
    /// Something that is not a class: `Optional[X]`, `Union[...]`, `X | None`, `Literal[...]`.
    NotAType(String),
    /// `None` (evaluates to `NoneType`).
    NoneType,
    /// A name that is not defined where the annotation is evaluated (NameError).
    Undefined(String),
    /// An attribute that the module does not have (AttributeError), with a suggestion.
    MissingAttribute {
        module: String,
        attr: String,
        suggestion: Option<&'static str>,
    },
    /// Cannot be known statically.
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ClassRef {
    /// A builtin class such as `str`.
    Builtin(String),
    /// A class of `azure.functions` (by its public name).
    Azure(String),
    /// A class exported by an extension package (`azurefunctions.extensions.*`).
    Extension {
        module: &'static str,
        name: String,
        role: ExtensionRole,
    },
    /// A class defined in the module, with its bases resolved.
    Local { name: String, bases: Vec<Resolved> },
    /// A class we know nothing more about.
    Opaque,
}

/// Where and how an annotation is evaluated.
#[derive(Debug, Clone, Copy)]
pub struct EvalSite {
    /// Byte offset of the `def` that owns the annotation.
    pub def_offset: usize,
    /// The annotation is evaluated after the whole module has run (a string annotation, or
    /// `from __future__ import annotations`), so names defined later are visible.
    pub deferred: bool,
}

/// A value an expression can denote while resolving.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Module(String),
    Resolved(Resolved),
    /// A `typing` special form such as `Optional`, `Union`, `List`.
    TypingForm(String),
}

pub fn resolve(expr: &PyExpr, module: &PyModule, site: EvalSite) -> Resolved {
    resolve_depth(expr, module, site, 0)
}

fn resolve_depth(expr: &PyExpr, module: &PyModule, site: EvalSite, depth: u32) -> Resolved {
    if depth > 16 {
        return Resolved::Unknown;
    }
    match &expr.kind {
        ExprKind::Str(s) => match super::python::parse_expression(s) {
            Some(inner) => resolve_depth(
                &inner,
                module,
                EvalSite {
                    deferred: true,
                    ..site
                },
                depth + 1,
            ),
            None => Resolved::Unknown,
        },
        ExprKind::None => Resolved::NoneType,
        ExprKind::Number(n) => Resolved::NotAType(format!("the number `{n}`")),
        // `[str]`, `(a, b)`, `{}`: a value, not a class (a common slip for `List[str]`).
        ExprKind::List(_) => Resolved::NotAType("a list display `[...]`".into()),
        ExprKind::Tuple(_) => Resolved::NotAType("a tuple display `(...)`".into()),
        ExprKind::Dict(_) => Resolved::NotAType("a dict display `{...}`".into()),
        ExprKind::Bool(b) => Resolved::NotAType(format!("`{}`", if *b { "True" } else { "False" })),
        ExprKind::BitOr(l, r) => {
            let (l, r) = (
                resolve_depth(l, module, site, depth + 1),
                resolve_depth(r, module, site, depth + 1),
            );
            for side in [&l, &r] {
                if matches!(
                    side,
                    Resolved::Undefined(_) | Resolved::MissingAttribute { .. }
                ) {
                    return side.clone();
                }
            }
            if matches!(l, Resolved::Unknown) || matches!(r, Resolved::Unknown) {
                // `X | Y` on unknown objects may be anything (a user class may define `__or__`).
                return Resolved::Unknown;
            }
            Resolved::NotAType("a union (`X | Y`)".into())
        }
        ExprKind::Subscript {
            value: base,
            index: args,
        } => {
            let base_value = value_of(base, module, site, depth + 1);
            let resolved_args: Vec<Resolved> = args
                .iter()
                .map(|a| resolve_depth(a, module, site, depth + 1))
                .collect();
            if let Some(bad) = resolved_args.iter().find(|a| {
                matches!(
                    a,
                    Resolved::Undefined(_) | Resolved::MissingAttribute { .. }
                )
            }) {
                return bad.clone();
            }
            match base_value {
                Value::TypingForm(form) => match form.as_str() {
                    "Optional" => Resolved::NotAType("`Optional[...]`".into()),
                    "Union" => Resolved::NotAType("`Union[...]`".into()),
                    "Literal" => Resolved::NotAType("`Literal[...]`".into()),
                    "List" if resolved_args.len() == 1 => {
                        Resolved::List(Box::new(resolved_args.into_iter().next().unwrap()))
                    }
                    "Annotated" => Resolved::Unknown,
                    _ => Resolved::OtherGeneric,
                },
                Value::Resolved(Resolved::Class(ClassRef::Azure(name))) if name == "Out" => {
                    Resolved::Out(resolved_args)
                }
                Value::Resolved(Resolved::Class(ClassRef::Local { name, .. })) if name == "Out" => {
                    Resolved::Out(resolved_args)
                }
                // `list[X]`, `dict[K, V]`: a `types.GenericAlias`, neither a class nor a `typing`
                // generic for the worker (`typing.List[X]` is one).
                Value::Resolved(Resolved::Class(ClassRef::Builtin(name))) => {
                    let typing_form = match name.as_str() {
                        "list" => Some("List"),
                        "dict" => Some("Dict"),
                        "set" => Some("Set"),
                        "frozenset" => Some("FrozenSet"),
                        _ => None,
                    };
                    Resolved::NotAType(match typing_form {
                        Some(form) => format!(
                            "the builtin generic `{name}[...]` (`typing.{form}[...]` is accepted)"
                        ),
                        None => format!("the builtin generic `{name}[...]`"),
                    })
                }
                Value::Resolved(
                    r @ (Resolved::Undefined(_) | Resolved::MissingAttribute { .. }),
                ) => r,
                _ => Resolved::Unknown,
            }
        }
        ExprKind::Name(_) | ExprKind::Attribute { .. } => {
            match value_of(expr, module, site, depth + 1) {
                Value::Resolved(r) => r,
                Value::Module(_) => Resolved::Unknown,
                Value::TypingForm(form) => match form.as_str() {
                    "Any" => Resolved::Unknown,
                    "List" => Resolved::OtherGeneric,
                    "Optional" | "Union" => Resolved::NotAType(format!("`{form}`")),
                    _ => Resolved::Unknown,
                },
            }
        }
        // Calls, literals, displays and anything else.
        _ => Resolved::Unknown,
    }
}

fn value_of(expr: &PyExpr, module: &PyModule, site: EvalSite, depth: u32) -> Value {
    if depth > 16 {
        return Value::Resolved(Resolved::Unknown);
    }
    match &expr.kind {
        ExprKind::Name(name) => name_value(name, module, site, depth),
        ExprKind::Attribute {
            object: base,
            name: attr,
            ..
        } => match value_of(base, module, site, depth + 1) {
            Value::Module(m) => module_attribute(&m, attr),
            Value::Resolved(r @ (Resolved::Undefined(_) | Resolved::MissingAttribute { .. })) => {
                Value::Resolved(r)
            }
            _ => Value::Resolved(Resolved::Unknown),
        },
        _ => Value::Resolved(resolve_depth(expr, module, site, depth + 1)),
    }
}

fn name_value(name: &str, module: &PyModule, site: EvalSite, depth: u32) -> Value {
    match module.binding_at(name, site.def_offset, site.deferred) {
        Binding::Unknown => Value::Resolved(Resolved::Unknown),
        Binding::Unbound => {
            if catalog::BUILTIN_CLASSES.contains(&name) {
                Value::Resolved(Resolved::Class(ClassRef::Builtin(name.to_string())))
            } else if catalog::is_builtin(name) {
                Value::Resolved(Resolved::Unknown)
            } else {
                Value::Resolved(Resolved::Undefined(name.to_string()))
            }
        }
        Binding::Def(def) => match &def.kind {
            NameKind::Module(m) => Value::Module(m.clone()),
            NameKind::FromImport {
                level: 0,
                module: m,
                name: n,
            } => {
                let full = format!("{m}.{n}");
                if is_known_module(&full) {
                    Value::Module(full)
                } else {
                    module_attribute(m, n)
                }
            }
            NameKind::Class(idx) => {
                let class = &module.classes[*idx];
                if class.has_metaclass {
                    return Value::Resolved(Resolved::Class(ClassRef::Opaque));
                }
                let class_site = EvalSite {
                    def_offset: def.offset,
                    deferred: false,
                };
                let bases = class
                    .bases
                    .iter()
                    .map(|b| match value_of(b, module, class_site, depth + 1) {
                        Value::Resolved(r) => r,
                        _ => Resolved::Unknown,
                    })
                    .collect();
                Value::Resolved(Resolved::Class(ClassRef::Local {
                    name: class.name.clone(),
                    bases,
                }))
            }
            _ => Value::Resolved(Resolved::Unknown),
        },
    }
}

fn is_known_module(path: &str) -> bool {
    matches!(path, "azure.functions" | "typing" | "azure")
        || extensions::extension_module(path).is_some()
        || extensions::is_extension_namespace(path)
}

fn module_attribute(module: &str, attr: &str) -> Value {
    match module {
        "azure" if attr == "functions" => Value::Module("azure.functions".into()),
        "azure.functions" => {
            if catalog::AZURE_FUNCTIONS_NAMES.contains(&attr) {
                let is_class = attr.chars().next().is_some_and(|c| c.is_ascii_uppercase());
                if is_class {
                    Value::Resolved(Resolved::Class(ClassRef::Azure(attr.to_string())))
                } else {
                    Value::Module(format!("azure.functions.{attr}"))
                }
            } else {
                match catalog::did_you_mean(attr, catalog::AZURE_FUNCTIONS_NAMES.iter().copied()) {
                    Some(s) => Value::Resolved(Resolved::MissingAttribute {
                        module: module.into(),
                        attr: attr.into(),
                        suggestion: Some(s),
                    }),
                    None => Value::Resolved(Resolved::Unknown),
                }
            }
        }
        "typing" => {
            if catalog::TYPING_NAMES.contains(&attr) {
                Value::TypingForm(attr.to_string())
            } else {
                match catalog::did_you_mean(attr, catalog::TYPING_NAMES.iter().copied()) {
                    Some(s) => Value::Resolved(Resolved::MissingAttribute {
                        module: module.into(),
                        attr: attr.into(),
                        suggestion: Some(s),
                    }),
                    None => Value::Resolved(Resolved::Unknown),
                }
            }
        }
        _ if extensions::is_extension_namespace(module) => {
            let full = format!("{module}.{attr}");
            if is_known_module(&full) {
                Value::Module(full)
            } else {
                Value::Resolved(Resolved::Unknown)
            }
        }
        _ => match extensions::extension_module(module) {
            Some(ext) => match extensions::extension_role(module, attr) {
                Some(role) => Value::Resolved(Resolved::Class(ClassRef::Extension {
                    module: ext.module,
                    name: attr.to_string(),
                    role,
                })),
                None => Value::Resolved(Resolved::Unknown),
            },
            None => Value::Resolved(Resolved::Unknown),
        },
    }
}

/// Whether one of `modules` (those the worker runs to load a function) imports the HTTP
/// streaming extension, which makes the worker check every HTTP request and response
/// annotation against FastAPI's classes instead.
pub fn imports_http_streaming<'m>(modules: impl IntoIterator<Item = &'m PyModule>) -> bool {
    let streaming = extensions::HTTP_STREAMING_MODULE;
    let is_streaming = |path: &str| {
        path == streaming
            || path
                .strip_prefix(streaming)
                .is_some_and(|rest| rest.starts_with('.'))
    };
    modules.into_iter().any(|m| {
        m.imports.iter().any(|i| {
            if i.is_from {
                i.level == 0
                    && (is_streaming(&i.module)
                        || i.names
                            .iter()
                            .any(|n| is_streaming(&format!("{}.{}", i.module, n.name))))
            } else {
                i.names.iter().any(|n| is_streaming(&n.name))
            }
        })
    })
}

/// Whether the annotation is a settlement client class (`GrpcClientType` or a subclass), which
/// the worker fills without a binding.
pub fn is_grpc_client(resolved: &Resolved) -> bool {
    match resolved {
        Resolved::Class(ClassRef::Extension { role, .. }) => *role == ExtensionRole::GrpcClient,
        Resolved::Class(ClassRef::Local { bases, .. }) => bases.iter().any(is_grpc_client_shallow),
        _ => false,
    }
}

fn is_grpc_client_shallow(resolved: &Resolved) -> bool {
    matches!(
        resolved,
        Resolved::Class(ClassRef::Extension {
            role: ExtensionRole::GrpcClient,
            ..
        })
    )
}

impl Resolved {
    /// The name the worker prints for this annotation in mismatch messages (`__name__`).
    pub fn py_name(&self) -> Option<String> {
        match self {
            Resolved::Class(ClassRef::Builtin(n)) => Some(n.clone()),
            Resolved::Class(ClassRef::Azure(n)) => Some(n.clone()),
            Resolved::Class(ClassRef::Local { name, .. }) => Some(name.clone()),
            Resolved::Class(ClassRef::Extension { name, .. }) => Some(name.clone()),
            Resolved::List(_) => Some("List".into()),
            Resolved::NoneType => Some("NoneType".into()),
            _ => None,
        }
    }

    /// Whether the worker's "is a type" test passes (a class or a subscripted generic).
    pub fn is_type(&self) -> Option<bool> {
        match self {
            Resolved::Class(_) | Resolved::List(_) | Resolved::OtherGeneric | Resolved::Out(_) => {
                Some(true)
            }
            Resolved::NoneType => Some(true),
            Resolved::NotAType(_) => Some(false),
            _ => None,
        }
    }
}

/// Where an annotation is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// `p: A` on an `in` binding.
    Input,
    /// `p: func.Out[A]` on an `out` binding (A given).
    Output,
    /// `-> A` with a `$return` binding.
    Return,
}

/// The worker's verdict on an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// Rejected with the worker's mismatch message.
    Mismatch,
    /// The converter crashes with `AttributeError` (it has no check for this direction).
    CrashAttribute,
    /// The converter crashes with `TypeError` (`issubclass()` on a generic alias).
    CrashType,
    /// The return annotation is not a class.
    NotAType,
    /// Not known statically.
    Unknown,
}

/// The matrix row the worker uses for `binding_type` (case-sensitive; unknown types are generic).
pub fn matrix_entry(binding_type: &str) -> &'static matrix::MatrixEntry {
    matrix::MATRIX
        .iter()
        .find(|e| e.binding_type == binding_type)
        .or_else(|| {
            matrix::MATRIX
                .iter()
                .find(|e| e.binding_type == "someCustomBinding")
        })
        .expect("the matrix has a generic row")
}

/// Whether the worker treats the binding type as having implicit output.
pub fn has_implicit_output(binding_type: &str) -> bool {
    matrix_entry(binding_type).implicit_output
}

/// Whether the worker registers a converter for exactly this type (otherwise it is generic).
pub fn is_registered(binding_type: &str) -> bool {
    binding_type != "someCustomBinding"
        && matrix::MATRIX
            .iter()
            .any(|e| e.binding_type == binding_type)
}

fn letter_verdict(c: u8) -> Verdict {
    match c {
        b'o' => Verdict::Accepted,
        b'm' => Verdict::Mismatch,
        b'a' => Verdict::CrashAttribute,
        b't' => Verdict::CrashType,
        b'n' => Verdict::NotAType,
        _ => Verdict::Unknown,
    }
}

/// The worker's verdict on annotation `ty` for `binding_type` at `position`.
pub fn judge(binding_type: &str, position: Position, ty: &Resolved) -> Verdict {
    judge_in(binding_type, position, ty, false)
}

/// [`judge`] in an app that does (`http_streaming`) or does not import the HTTP streaming
/// extension.
pub fn judge_in(
    binding_type: &str,
    position: Position,
    ty: &Resolved,
    http_streaming: bool,
) -> Verdict {
    if http_streaming && matches!(binding_type, "httpTrigger" | "http") {
        return judge_http_streaming(position, ty);
    }
    if let Some(v) = judge_extension_class(binding_type, position, ty) {
        return v;
    }
    let entry = matrix_entry(binding_type);
    let row = match position {
        Position::Input => entry.input,
        Position::Output => entry.output,
        Position::Return => entry.ret,
    }
    .as_bytes();
    let lookup = |key: &str| -> Option<Verdict> {
        matrix::ANNOTATIONS
            .iter()
            .position(|a| *a == key)
            .map(|i| letter_verdict(row[i]))
    };
    match ty {
        Resolved::Class(class) => match class_key(class) {
            Some(key) => lookup(&key).unwrap_or(Verdict::Unknown),
            None => Verdict::Unknown,
        },
        Resolved::List(inner) => {
            let key = match inner.as_ref() {
                Resolved::Class(ClassRef::Builtin(n)) if n == "str" => {
                    Some("typing.List[str]".to_string())
                }
                Resolved::Class(ClassRef::Azure(n)) => Some(format!("typing.List[func.{n}]")),
                _ => None,
            };
            if let Some(v) = key.as_deref().and_then(lookup) {
                return v;
            }
            // Any other list: when every list candidate gets the same verdict, so does this one.
            let verdicts: Vec<Verdict> = matrix::ANNOTATIONS
                .iter()
                .enumerate()
                .filter(|(_, a)| a.starts_with("typing.List["))
                .map(|(i, _)| letter_verdict(row[i]))
                .collect();
            match verdicts.first() {
                Some(first) if verdicts.iter().all(|v| v == first) => *first,
                _ => Verdict::Unknown,
            }
        }
        Resolved::NoneType if position == Position::Return => {
            // `NoneType` is accepted only where any class is (implicit-output types).
            lookup("object").unwrap_or(Verdict::Unknown)
        }
        _ => Verdict::Unknown,
    }
}

/// With the streaming extension imported, the request must be (a subclass of) its `Request`
/// and a returned value one of its registered response types. Only acceptance is claimed: a
/// class of unknown ancestry may well derive from one of them (a pydantic model does).
fn judge_http_streaming(position: Position, ty: &Resolved) -> Verdict {
    let accepted = match (position, ty) {
        (
            Position::Input,
            Resolved::Class(ClassRef::Extension {
                role: ExtensionRole::HttpRequest,
                ..
            }),
        ) => true,
        (
            Position::Return,
            Resolved::Class(ClassRef::Extension {
                role: ExtensionRole::HttpResponse,
                ..
            }),
        ) => true,
        (Position::Return, Resolved::Class(ClassRef::Builtin(name))) => {
            extensions::HTTP_STREAMING_BUILTIN_RETURNS.contains(&name.as_str())
        }
        _ => false,
    };
    if accepted {
        Verdict::Accepted
    } else {
        Verdict::Unknown
    }
}

/// The verdict on an extension's class (or a `List[...]` of one): accepted where its converter
/// registers for the binding type; otherwise not known (the extension's converters decide).
fn judge_extension_class(binding_type: &str, position: Position, ty: &Resolved) -> Option<Verdict> {
    let class = match ty {
        Resolved::Class(c) => c,
        Resolved::List(inner) => match inner.as_ref() {
            Resolved::Class(c @ ClassRef::Extension { .. }) => c,
            _ => return None,
        },
        _ => return None,
    };
    let ClassRef::Extension { role, .. } = class else {
        return None;
    };
    Some(match role {
        ExtensionRole::SdkType { bindings }
            if position == Position::Input && bindings.contains(&binding_type) =>
        {
            Verdict::Accepted
        }
        _ => Verdict::Unknown,
    })
}

/// The matrix candidate a class behaves like under `issubclass` checks.
fn class_key(class: &ClassRef) -> Option<String> {
    match class {
        ClassRef::Builtin(n) => Some(match n.as_str() {
            "str" | "bytes" | "bytearray" | "int" | "float" | "dict" | "list" | "object" => {
                n.clone()
            }
            "bool" => "int".into(),
            _ => "object".into(),
        }),
        ClassRef::Azure(n) => {
            let key = format!("func.{n}");
            if matrix::ANNOTATIONS.contains(&key.as_str()) {
                Some(key)
            } else {
                None
            }
        }
        ClassRef::Local { bases, .. } => {
            if bases.is_empty() {
                return Some("object".into());
            }
            let mut keys = Vec::new();
            for b in bases {
                match b {
                    Resolved::Class(ClassRef::Azure(_)) => keys.push(class_key(match b {
                        Resolved::Class(c) => c,
                        _ => unreachable!(),
                    })?),
                    Resolved::Class(ClassRef::Builtin(n)) if n == "object" => {}
                    Resolved::Class(c @ ClassRef::Local { .. }) => keys.push(class_key(c)?),
                    _ => return None,
                }
            }
            match keys.as_slice() {
                [] => Some("object".into()),
                [one] if one != "str" && one != "bytes" => Some(one.clone()),
                _ => None,
            }
        }
        ClassRef::Opaque | ClassRef::Extension { .. } => None,
    }
}

/// The annotations the worker accepts for a binding of `binding_type` in `direction`, spelled for
/// the module (`func.QueueMessage`, `func.Out[str]`).
pub fn accepted_annotations(binding_type: &str, direction: Direction, prefix: &str) -> Vec<String> {
    let entry = matrix_entry(binding_type);
    let (row, position) = match direction {
        Direction::Out => (entry.output, Position::Output),
        _ => (entry.input, Position::Input),
    };
    let spell = |a: &str| a.replace("func.", prefix).replace("typing.", "");
    // An HTTP trigger annotated `str`/`bytes` loads but fails every request (AZF212).
    let fails_at_run_time = |a: &str| {
        binding_type == "httpTrigger" && position == Position::Input && matches!(a, "str" | "bytes")
    };
    let mut out: Vec<String> = matrix::ANNOTATIONS
        .iter()
        .zip(row.bytes())
        .filter(|(a, c)| *c == b'o' && !fails_at_run_time(a))
        .map(|(a, _)| spell(a))
        .collect();
    // Put the binding's own class first: `func.HttpRequest` before `str`.
    out.sort_by_key(|a| {
        (
            a.starts_with("str") || a.starts_with("bytes") || !a.contains('.'),
            a.clone(),
        )
    });
    if out.len() > 12 {
        out.truncate(12);
    }
    if position == Position::Output {
        out = out
            .into_iter()
            .map(|a| format!("{prefix}Out[{a}]"))
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::python;

    fn resolve_param(src: &str) -> Resolved {
        let m = python::parse(src);
        let f = m.functions.iter().find(|f| f.name == "main").unwrap();
        let ann = f.params[0].annotation.as_ref().unwrap();
        resolve(
            &ann.expr,
            &m,
            EvalSite {
                def_offset: f.def_offset,
                deferred: m.future_annotations,
            },
        )
    }

    #[test]
    fn resolves_azure_functions_aliases() {
        for src in [
            "import azure.functions as func\ndef main(r: func.HttpRequest): pass",
            "import azure.functions\ndef main(r: azure.functions.HttpRequest): pass",
            "from azure import functions as af\ndef main(r: af.HttpRequest): pass",
            "from azure.functions import HttpRequest as R\ndef main(r: R): pass",
            "import azure.functions as func\ndef main(r: 'func.HttpRequest'): pass",
        ] {
            assert_eq!(
                resolve_param(src),
                Resolved::Class(ClassRef::Azure("HttpRequest".into())),
                "{src}"
            );
        }
    }

    #[test]
    fn resolves_out_optional_and_unions() {
        let out = resolve_param("import azure.functions as func\ndef main(r: func.Out[str]): pass");
        assert_eq!(
            out,
            Resolved::Out(vec![Resolved::Class(ClassRef::Builtin("str".into()))])
        );
        let bare = resolve_param("import azure.functions as func\ndef main(r: func.Out): pass");
        assert_eq!(bare, Resolved::Class(ClassRef::Azure("Out".into())));
        let opt = resolve_param(
            "import typing\nimport azure.functions as func\ndef main(r: typing.Optional[func.HttpRequest]): pass",
        );
        assert!(matches!(opt, Resolved::NotAType(_)));
        let union = resolve_param(
            "import azure.functions as func\ndef main(r: func.HttpRequest | None): pass",
        );
        assert!(matches!(union, Resolved::NotAType(_)));
        let list = resolve_param("from typing import List\nimport azure.functions as func\ndef main(r: List[func.EventHubEvent]): pass");
        assert_eq!(
            list,
            Resolved::List(Box::new(Resolved::Class(ClassRef::Azure(
                "EventHubEvent".into()
            ))))
        );
    }

    #[test]
    fn undefined_names_depend_on_evaluation_time() {
        assert_eq!(
            resolve_param("def main(r: Foo): pass\nclass Foo: pass"),
            Resolved::Undefined("Foo".into())
        );
        assert!(matches!(
            resolve_param("def main(r: 'Foo'): pass\nclass Foo: pass"),
            Resolved::Class(ClassRef::Local { .. })
        ));
        assert!(matches!(
            resolve_param(
                "from __future__ import annotations\ndef main(r: Foo): pass\nclass Foo: pass"
            ),
            Resolved::Class(ClassRef::Local { .. })
        ));
        assert_eq!(
            resolve_param("import azure.functions as func\ndef main(r: func.HttpRequets): pass"),
            Resolved::MissingAttribute {
                module: "azure.functions".into(),
                attr: "HttpRequets".into(),
                suggestion: Some("HttpRequest")
            }
        );
        assert_eq!(
            resolve_param("from mylib import Thing\ndef main(r: Thing): pass"),
            Resolved::Unknown
        );
    }

    #[test]
    fn judges_against_the_matrix() {
        let req = Resolved::Class(ClassRef::Azure("HttpRequest".into()));
        let bytes = Resolved::Class(ClassRef::Builtin("bytes".into()));
        assert_eq!(
            judge("httpTrigger", Position::Input, &req),
            Verdict::Accepted
        );
        assert_eq!(
            judge("HttpTrigger", Position::Input, &req),
            Verdict::Mismatch
        );
        assert_eq!(judge("http", Position::Return, &bytes), Verdict::Mismatch);
        assert_eq!(judge("http", Position::Output, &bytes), Verdict::Accepted);
        assert_eq!(
            judge(
                "queue",
                Position::Input,
                &Resolved::Class(ClassRef::Azure("QueueMessage".into()))
            ),
            Verdict::CrashAttribute
        );
        assert_eq!(
            judge("http", Position::Return, &Resolved::NoneType),
            Verdict::Mismatch
        );
    }

    #[test]
    fn resolves_extension_classes_and_judges_them_by_their_converters() {
        let blob = resolve_param(
            "import azurefunctions.extensions.bindings.blob as blob\ndef main(r: blob.BlobClient): pass",
        );
        assert!(matches!(
            &blob,
            Resolved::Class(ClassRef::Extension { name, .. }) if name == "BlobClient"
        ));
        assert_eq!(
            judge("blobTrigger", Position::Input, &blob),
            Verdict::Accepted
        );
        assert_eq!(
            judge("queueTrigger", Position::Input, &blob),
            Verdict::Unknown
        );
        let from_import = resolve_param(
            "from azurefunctions.extensions.bindings.eventhub import EventData\nfrom typing import List\ndef main(r: List[EventData]): pass",
        );
        assert_eq!(
            judge("eventHubTrigger", Position::Input, &from_import),
            Verdict::Accepted
        );
        let dotted = resolve_param(
            "import azurefunctions.extensions.base\ndef main(r: azurefunctions.extensions.base.GrpcClientType): pass",
        );
        assert!(is_grpc_client(&dotted));
        assert_eq!(
            resolve_param(
                "import azurefunctions.extensions.base as b\ndef main(r: b.NotExported): pass"
            ),
            Resolved::Unknown
        );
    }

    #[test]
    fn http_streaming_changes_the_http_verdicts() {
        let int = Resolved::Class(ClassRef::Builtin("int".into()));
        let bytes = Resolved::Class(ClassRef::Builtin("bytes".into()));
        assert_eq!(
            judge_in("http", Position::Return, &int, false),
            Verdict::Mismatch
        );
        assert_eq!(
            judge_in("http", Position::Return, &int, true),
            Verdict::Accepted
        );
        assert_eq!(
            judge_in("http", Position::Return, &bytes, true),
            Verdict::Unknown
        );
        let m = python::parse("from azurefunctions.extensions.http.fastapi import Request\n");
        assert!(imports_http_streaming([&m]));
        let m = python::parse("import azurefunctions.extensions.http.fastapi\n");
        assert!(imports_http_streaming([&m]));
        let m = python::parse("from azurefunctions.extensions.http import fastapi\n");
        assert!(imports_http_streaming([&m]));
        let m = python::parse("import azurefunctions.extensions.base\n");
        assert!(!imports_http_streaming([&m]));
    }
}
