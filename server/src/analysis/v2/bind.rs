//! Decorator calls read the way Python binds them: positional and keyword arguments matched to
//! the decorator's parameters, extra keyword arguments (including `**{...}` literals), and
//! enumeration values parsed the way the library parses them.

use std::borrow::Cow;

use super::syntax::{Arg, Call, ExprKind, PyExpr, Splat};
use crate::analysis::catalog::decorator_types::{DecoratorSpec, EnumSpec, ParamSpec};
use crate::analysis::text::TextRange;

/// A decorator call's arguments matched to the decorator's parameters; the arguments are the
/// call's own, borrowed (only the entries of a `**{...}` literal are made).
#[derive(Debug, Clone, Default)]
pub struct BoundArgs<'a> {
    /// Parameters given, in the order written.
    pub params: Vec<(&'static ParamSpec, Cow<'a, Arg>)>,
    /// Keyword arguments that are not parameters (they become binding properties when the
    /// decorator takes `**kwargs`), including the string keys of `**{...}` literals.
    pub extra: Vec<Cow<'a, Arg>>,
    /// `*args` or a `**mapping` that is not a literal: anything may be passed.
    pub dynamic: bool,
    /// Positional arguments beyond the parameters.
    pub too_many: Vec<Cow<'a, Arg>>,
    /// A parameter given twice.
    pub repeated: Vec<Cow<'a, Arg>>,
}

impl<'a> BoundArgs<'a> {
    /// The argument given for `name`.
    pub fn get(&self, name: &str) -> Option<&Arg> {
        self.params
            .iter()
            .find(|(p, _)| p.name == name)
            .map(|(_, a)| a.as_ref())
    }

    /// The value given for `name`, unless it is `None` (the library treats that as not given).
    pub fn value(&self, name: &str) -> Option<&PyExpr> {
        self.get(name)
            .map(|a| &a.value)
            .filter(|v| v.kind != ExprKind::None)
    }

    /// [`BoundArgs::value`]'s argument, kept as borrowed from the call (for a caller that
    /// keeps what it reads past the binding).
    pub fn take_value(self, name: &str) -> Option<Cow<'a, Arg>> {
        self.params
            .into_iter()
            .find(|(p, _)| p.name == name)
            .map(|(_, a)| a)
            .filter(|a| a.value.kind != ExprKind::None)
    }

    /// Required parameters of `spec` (the one the arguments were bound to) that are not given
    /// (when no `*args`/`**mapping` may supply them).
    pub fn missing(&self, spec: &DecoratorSpec) -> Vec<&'static str> {
        if self.dynamic {
            return Vec::new();
        }
        // The spec's own parameters: found by identity, not by name.
        spec.params
            .iter()
            .filter(|p| {
                p.required
                    && !self
                        .params
                        .iter()
                        .any(|(given, _)| std::ptr::eq(*given, *p))
            })
            .map(|p| p.name)
            .collect()
    }
}

/// Matches `call`'s arguments to `spec`'s parameters.
pub fn bind_args<'a>(spec: &DecoratorSpec, call: &'a Call) -> BoundArgs<'a> {
    let mut out = BoundArgs::default();
    let mut position = 0;
    let give = |out: &mut BoundArgs<'a>, name: &str, arg: Cow<'a, Arg>| match spec.param(name) {
        Some(p) => {
            // The spec's own parameter: the same one is the same object.
            if out.params.iter().any(|(given, _)| std::ptr::eq(*given, p)) {
                out.repeated.push(arg);
            } else {
                out.params.push((p, arg));
            }
        }
        None => out.extra.push(arg),
    };
    for arg in &call.args {
        match (arg.splat, &arg.keyword) {
            (Splat::List, _) => out.dynamic = true,
            (Splat::Dict, _) => match &arg.value.kind {
                ExprKind::Dict(items) => {
                    for item in items {
                        match item
                            .key
                            .as_ref()
                            .and_then(|k| k.as_str().map(|s| (s, k.range)))
                        {
                            Some((key, key_range)) => give(
                                &mut out,
                                key,
                                Cow::Owned(Arg {
                                    keyword: Some((key.to_string(), key_range)),
                                    value: item.value.clone(),
                                    splat: Splat::None,
                                    range: TextRange::new(
                                        key_range.start as usize,
                                        item.value.range.end as usize,
                                    ),
                                }),
                            ),
                            None => out.dynamic = true,
                        }
                    }
                }
                _ => out.dynamic = true,
            },
            (Splat::None, Some((name, _))) => give(&mut out, name, Cow::Borrowed(arg)),
            (Splat::None, None) => {
                match spec.params.get(position) {
                    Some(p) => give(&mut out, p.name, Cow::Borrowed(arg)),
                    None => out.too_many.push(Cow::Borrowed(arg)),
                }
                position += 1;
            }
        }
    }
    out
}

/// A value for an enumeration parameter, as the library parses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumValue {
    /// The member's name (`ANONYMOUS`).
    Valid(&'static str),
    /// A string (or member) the enumeration does not have, as written.
    Invalid(String),
    /// Not a literal: cannot be known.
    Unknown,
}

/// Reads `expr` as a value of `spec`: a string (upper-cased, or exact when `exact`) or a member
/// (`func.AuthLevel.ANONYMOUS`). `constant` resolves a module-level name to a string.
pub fn enum_value(
    spec: &EnumSpec,
    expr: &PyExpr,
    exact: bool,
    constant: &dyn Fn(&str) -> Option<String>,
) -> EnumValue {
    // Asked of every enum argument of every decorator: compared without a copy, except for the
    // upper case of a value that is not ASCII (Python's `upper()` maps some such letters, `ſ`
    // and `ı`, to ASCII ones).
    let lookup = |s: &str, exact: bool| {
        let found = if exact {
            spec.members.iter().find(|m| **m == s)
        } else if s.is_ascii() {
            spec.members.iter().find(|m| {
                m.len() == s.len()
                    && m.bytes()
                        .zip(s.bytes())
                        .all(|(m, s)| m == s.to_ascii_uppercase())
            })
        } else {
            let upper = s.to_uppercase();
            spec.members.iter().find(|m| **m == upper)
        };
        match found {
            Some(m) => EnumValue::Valid(m),
            None => EnumValue::Invalid(s.to_string()),
        }
    };
    match &expr.kind {
        ExprKind::Str(s) => lookup(s, exact),
        ExprKind::Name(n) => match constant(n) {
            Some(s) => lookup(&s, exact),
            None => EnumValue::Unknown,
        },
        ExprKind::Attribute { object, name, .. } => {
            if object.is_dotted_ending_in(spec.name) {
                lookup(name, true)
            } else {
                EnumValue::Unknown
            }
        }
        _ => EnumValue::Unknown,
    }
}

/// The items of a list or tuple display; `None` for anything else.
pub fn sequence(expr: &PyExpr) -> Option<&[PyExpr]> {
    match &expr.kind {
        ExprKind::List(items) | ExprKind::Tuple(items) => Some(items),
        _ => None,
    }
}

/// `retry` strategy and interval checks, in the worker's order: the first problem wins.
pub fn time_of_day_ok(s: &str) -> bool {
    // time.strptime(s, '%H:%M:%S'): 1–2 digits each, H ≤ 23, M ≤ 59, S ≤ 61, nothing else.
    let parts: Vec<&str> = s.split(':').collect();
    let [h, m, sec] = parts.as_slice() else {
        return false;
    };
    let num = |p: &str, max: u32| {
        !p.is_empty()
            && p.len() <= 2
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|v| v <= max)
    };
    num(h, 23) && num(m, 59) && num(sec, 61)
}

/// Whether Python's `int(s)` accepts the string.
pub fn int_literal_ok(s: &str) -> bool {
    let t = s.trim_matches(|c: char| c.is_whitespace());
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    !t.is_empty()
        && !t.starts_with('_')
        && !t.ends_with('_')
        && !t.contains("__")
        && t.bytes().all(|b| b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::catalog::{decorator, enumeration};

    fn call(src: &str) -> Call {
        let m = crate::analysis::python::parse(src);
        match &m.statements[0].kind {
            super::super::syntax::StmtKind::Expr(e) => e.as_call().unwrap().clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn binds_positional_keyword_and_extra_arguments() {
        let spec = decorator("queue_trigger").unwrap();
        let given =
            call("app.queue_trigger('msg', queue_name='q', visibility_timeout=3, **{'a-b': 1})\n");
        let b = bind_args(spec, &given);
        assert_eq!(b.get("arg_name").unwrap().value.as_str(), Some("msg"));
        assert_eq!(b.get("queue_name").unwrap().value.as_str(), Some("q"));
        assert_eq!(b.missing(spec), ["connection"]);
        let extra: Vec<_> = b
            .extra
            .iter()
            .map(|a| a.keyword.clone().unwrap().0)
            .collect();
        assert_eq!(extra, ["visibility_timeout", "a-b"]);
        let splat = call("app.queue_trigger(*args)\n");
        let b = bind_args(spec, &splat);
        assert!(b.missing(spec).is_empty());
        let too_many = call("f('a', None, 3)\n");
        let b = bind_args(decorator("function_name").unwrap(), &too_many);
        assert_eq!(b.too_many.len(), 1);
    }

    #[test]
    fn enum_values_parse_like_the_library() {
        let auth = enumeration("AuthLevel").unwrap();
        let none = |_: &str| None;
        let v = |src: &str, exact: bool| {
            let c = call(&format!("f({src})\n"));
            enum_value(auth, &c.args[0].value, exact, &none)
        };
        assert_eq!(v("'anonymous'", false), EnumValue::Valid("ANONYMOUS"));
        assert_eq!(
            v("'anonymous'", true),
            EnumValue::Invalid("anonymous".into())
        );
        assert_eq!(v("func.AuthLevel.ADMIN", true), EnumValue::Valid("ADMIN"));
        assert_eq!(
            v("func.AuthLevel.PUBLIC", false),
            EnumValue::Invalid("PUBLIC".into())
        );
        assert_eq!(v("level", false), EnumValue::Unknown);
        // Upper case as Python's: the long s and the dotless i become ASCII letters.
        assert_eq!(v("'ANONYMOUſ'", false), EnumValue::Valid("ANONYMOUS"));
        assert_eq!(v("'admın'", false), EnumValue::Valid("ADMIN"));
        assert_eq!(
            v("'Anonymous '", false),
            EnumValue::Invalid("Anonymous ".into())
        );
        // The enum named at the end of a dotted name, and nothing else.
        assert_eq!(v("AuthLevel.FUNCTION", true), EnumValue::Valid("FUNCTION"));
        assert_eq!(
            v("azure.functions.AuthLevel.FUNCTION", true),
            EnumValue::Valid("FUNCTION")
        );
        assert_eq!(v("func.Other.FUNCTION", true), EnumValue::Unknown);
        assert_eq!(v("func.AuthLevelX.FUNCTION", true), EnumValue::Unknown);
        assert_eq!(v("levels[0].AuthLevel.FUNCTION", true), EnumValue::Unknown);
    }

    #[test]
    fn retry_values() {
        assert!(time_of_day_ok("00:00:10"));
        assert!(time_of_day_ok("1:2:3"));
        assert!(!time_of_day_ok("10s"));
        assert!(!time_of_day_ok("24:00:00"));
        assert!(!time_of_day_ok("00:00:10.5"));
        assert!(int_literal_ok(" 3 "));
        assert!(int_literal_ok("1_0"));
        assert!(!int_literal_ok("three"));
        assert!(!int_literal_ok("3.0"));
    }
}
