//! The names the host and the worker accept for bindings (and so for parameters).

/// Hosts ≥ 4.1038: `^(?!.*__)([a-zA-Z_][a-zA-Z0-9_]{0,127}|\$return)$`.
pub fn is_valid_binding_name(name: &str) -> bool {
    if name == "$return" {
        return true;
    }
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.contains("__")
}

/// Older hosts: `^([a-zA-Z][a-zA-Z0-9]{0,127}|\$return)$`.
pub fn is_valid_legacy(name: &str) -> bool {
    if name == "$return" {
        return true;
    }
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric())
}

/// Python's keywords: not usable as parameter names.
const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Whether `name` is a Python keyword.
pub fn is_python_keyword(name: &str) -> bool {
    PYTHON_KEYWORDS.contains(&name)
}

/// Why `name` cannot be a binding (and parameter) name, if it cannot.
pub fn binding_name_problem(name: &str) -> Option<String> {
    if name == "$return" {
        return Some("'$return' is reserved for the return value".to_string());
    }
    if !is_valid_binding_name(name) {
        return Some(format!(
            "'{name}' is not a valid binding name: use a letter or '_' first, then letters, digits and single '_' (at most 128 characters)"
        ));
    }
    if PYTHON_KEYWORDS.contains(&name) {
        return Some(format!(
            "'{name}' is a Python keyword and cannot name a parameter"
        ));
    }
    None
}

/// The host's `Utility.ValidateName`: `^[a-z][a-z0-9_\-]{0,127}$` ignoring case, not `host`.
pub fn is_valid_function_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    first_ok
        && name.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !name.eq_ignore_ascii_case("host")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes() {
        assert!(is_valid_binding_name("input_blob") && !is_valid_legacy("input_blob"));
        assert!(
            !is_valid_binding_name("a__b")
                && !is_valid_binding_name("1a")
                && !is_valid_binding_name("a-b")
        );
        assert!(is_valid_legacy("inputBlob") && is_valid_legacy("$return"));
        assert!(!is_valid_binding_name("$Return"));
    }
}
