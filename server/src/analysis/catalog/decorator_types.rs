//! The shape of the v2 decorator catalog (`decorators.rs`, generated) and lookups into it.

/// What a decorator adds to the function it decorates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecoratorKind {
    /// Adds the trigger binding.
    Trigger,
    /// `route`: adds an `httpTrigger` and an `http` output binding.
    Route,
    /// Adds an input binding.
    Input,
    /// Adds an output binding.
    Output,
    /// A function setting (`function_name`, `retry`), not a binding.
    Setting,
    /// Changes the function without adding a binding (`http_type`, `mcp_tool_property`).
    Modifier,
}

/// One keyword parameter of a decorator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    pub name: &'static str,
    /// No default: leaving it out is a `TypeError` when the decorator is called.
    pub required: bool,
    /// The enumeration a string value is parsed into (by upper-cased member name), if any.
    pub enum_type: Option<&'static str>,
}

/// One decorator method of `FunctionApp` / `Blueprint` / `DFApp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecoratorSpec {
    pub name: &'static str,
    pub kind: DecoratorKind,
    /// The binding `type` it emits; `None` for the generic decorators (the `type=` argument) and
    /// for settings and modifiers.
    pub binding_type: Option<&'static str>,
    /// `in` or `out`, for decorators that emit a binding.
    pub direction: Option<&'static str>,
    /// The parameters after `self`, in signature order (`**kwargs` not included).
    pub params: &'static [ParamSpec],
    /// Extra keyword arguments become binding properties.
    pub kwargs: bool,
    /// The parameter whose value names the binding (and the Python parameter it binds).
    pub name_param: Option<&'static str>,
    /// A Durable Functions decorator (needs the `azure-functions-durable` package).
    pub durable: bool,
}

impl DecoratorSpec {
    pub fn param(&self, name: &str) -> Option<&'static ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Whether the decorator is one of the generic ones (`type=` names the binding type).
    pub fn is_generic(&self) -> bool {
        self.binding_type.is_none() && self.direction.is_some()
    }

    /// Whether it adds the function's trigger.
    pub fn adds_trigger(&self) -> bool {
        matches!(self.kind, DecoratorKind::Trigger | DecoratorKind::Route)
    }
}

/// An enumeration a decorator parses strings into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumSpec {
    pub name: &'static str,
    pub members: &'static [&'static str],
}

/// `snake_case` → `camelCase` the way the library names binding properties
/// (`queue_name` → `queueName`): the first word as is, the others title-cased. `None` when the
/// library refuses the key (it must be one word or snake_case).
pub fn camel_case(key: &str) -> Option<String> {
    if !is_word(key) && !is_snake_case(key) {
        return None;
    }
    let mut words = key.split('_');
    let mut out = words.next().unwrap_or("").to_string();
    for w in words {
        // Python's str.title(): upper-case a letter after a non-letter, lower-case the others.
        let mut prev_letter = false;
        for c in w.chars() {
            if c.is_ascii_alphabetic() {
                out.push(if prev_letter {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                });
                prev_letter = true;
            } else {
                out.push(c);
                prev_letter = false;
            }
        }
    }
    Some(out)
}

/// `^([a-zA-Z]+\d*)$`
pub fn is_word(s: &str) -> bool {
    let letters = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    letters > 0 && s.bytes().skip(letters).all(|b| b.is_ascii_digit())
}

/// `^([a-zA-Z]+\d*_|_+[a-zA-Z\d])\w*$` (ASCII)
pub fn is_snake_case(s: &str) -> bool {
    let b = s.as_bytes();
    let word = |c: &u8| c.is_ascii_alphanumeric() || *c == b'_';
    let head_ok = if b.first().is_some_and(u8::is_ascii_alphabetic) {
        let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let digits = b[letters..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        b.get(letters + digits) == Some(&b'_')
    } else if b.first() == Some(&b'_') {
        let unders = b.iter().take_while(|c| **c == b'_').count();
        b.get(unders).is_some_and(u8::is_ascii_alphanumeric)
    } else {
        false
    };
    head_ok && b.iter().all(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::catalog::{decorator, enumeration};

    #[test]
    fn camel_case_follows_the_library() {
        assert_eq!(camel_case("queue_name").as_deref(), Some("queueName"));
        assert_eq!(
            camel_case("o_auth_bearer_method").as_deref(),
            Some("oAuthBearerMethod")
        );
        assert_eq!(camel_case("queueName").as_deref(), Some("queueName"));
        assert_eq!(camel_case("x2"), Some("x2".into()));
        assert_eq!(camel_case("visibility-timeout"), None);
        assert_eq!(camel_case("Foo2Bar"), None);
        assert_eq!(camel_case("_x").as_deref(), Some("X"));
        assert_eq!(camel_case(""), None);
    }

    #[test]
    fn catalog_lookups() {
        let route = decorator("route").unwrap();
        assert_eq!(route.kind, DecoratorKind::Route);
        assert_eq!(
            route.param("auth_level").unwrap().enum_type,
            Some("AuthLevel")
        );
        assert!(decorator("generic_trigger").unwrap().is_generic());
        assert!(decorator("schedule").unwrap().adds_trigger());
        assert!(decorator("activity_trigger").unwrap().durable);
        assert_eq!(enumeration("DataType").unwrap().members.len(), 4);
    }
}
