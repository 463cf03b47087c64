//! What an app object has besides its decorators, and the third-party decorators known to refuse
//! being applied above them. Read from azure-functions 2.3.0 and azure-functions-durable 1.7.0
//! (`dir()` of `FunctionApp`, `AsgiFunctionApp`, `WsgiFunctionApp`, `Blueprint`, `DFApp` and the
//! durable `Blueprint`, and their instances), azure-functions-validation 0.16.0.

/// Public attributes of every app object and blueprint that are not decorators.
pub const COMMON_ATTRIBUTES: &[&str] = &["app_script_file"];

/// Public attributes of the classes the worker indexes (`FunctionApp`, `AsgiFunctionApp`,
/// `WsgiFunctionApp`, `DFApp`) that are not decorators.
pub const REGISTER_ATTRIBUTES: &[&str] = &[
    "auth_level",
    "functions_bindings",
    "get_functions",
    "register_blueprint",
    "register_functions",
    "validate_function_names",
];

/// Public attributes only the durable classes (`DFApp` and its `Blueprint`) have.
pub const DURABLE_ATTRIBUTES: &[&str] = &["durable_openai_agent_orchestrator"];

/// Decorators that raise when they receive a `FunctionBuilder` (that is, when placed above a
/// binding decorator), by module and name.
pub const REJECT_FUNCTION_BUILDER: &[(&str, &str)] =
    &[("azure_functions_validation", "validate_http")];

/// Whether `(module, name)` is a decorator that raises when placed above a binding decorator.
pub fn rejects_function_builder(module: &str, name: &str) -> bool {
    REJECT_FUNCTION_BUILDER
        .iter()
        .any(|(m, n)| *m == module && *n == name)
}
