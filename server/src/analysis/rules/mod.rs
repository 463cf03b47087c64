//! The rule catalog. Each rule lives in its own file with its `META` (code, name, default
//! severity, one-line summary, explanation) and its check.

use super::app::AppInput;
use super::diagnostic::{Diagnostic, Severity};
use super::function::{FunctionUnit, Modules};

pub mod context;
#[cfg(test)]
pub mod test_support;

use context::FunctionCtx;

/// A rule's identity and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable code, `AZF` plus three digits; never reused.
    pub code: &'static str,
    /// Kebab-case name of the problem.
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// Why it matters, with an example of the mistake and the fix (Markdown).
    pub explanation: &'static str,
}

type FunctionCheck = fn(&FunctionCtx, &mut Vec<Diagnostic>);

macro_rules! function_rules {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*
        /// Every rule, in code order.
        pub const RULES: &[RuleMeta] = &[$($module::META,)*];
        const FUNCTION_CHECKS: &[FunctionCheck] = &[$($module::check,)*];
    };
}

function_rules!(
    azf001_function_json_invalid,
    azf002_invalid_function_name,
    azf003_no_bindings,
    azf004_script_file_not_found,
    azf005_primary_script_undetermined,
    azf006_script_not_python,
    azf007_script_outside_app,
    azf008_entry_point_missing,
    azf009_python_syntax_error,
    azf010_local_import_missing,
    azf011_import_time_failure,
    azf012_miscased_top_level_key,
    azf013_file_not_analysed,
    azf101_binding_missing_name,
    azf102_binding_missing_type,
    azf103_invalid_direction,
    azf104_invalid_data_type,
    azf105_invalid_binding_name,
    azf106_binding_name_underscore,
    azf107_duplicate_binding_name,
    azf108_return_binding_not_out,
    azf109_no_trigger,
    azf110_multiple_triggers,
    azf111_inout_direction,
    azf112_unknown_binding_type,
    azf113_binding_type_case,
    azf114_unknown_binding_property,
    azf115_missing_required_property,
    azf116_invalid_property_value,
    azf117_invalid_http_method,
    azf118_invalid_timer_schedule,
    azf119_unsupported_direction,
    azf120_malformed_binding,
    azf201_parameter_without_binding,
    azf202_binding_without_parameter,
    azf203_annotation_mismatch,
    azf204_out_binding_without_out,
    azf205_in_binding_with_out,
    azf206_invalid_out_annotation,
    azf207_annotation_not_a_type,
    azf208_return_annotation_mismatch,
    azf209_context_annotation,
    azf210_variadic_parameter,
    azf211_unresolved_annotation,
    azf212_http_trigger_as_str,
    azf213_return_without_binding,
    azf214_return_binding_never_set,
);

/// The rule with this code (case-insensitive).
pub fn rule(code: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.code.eq_ignore_ascii_case(code))
}

/// Runs every function-level rule on one function.
pub fn check_function(app: &AppInput, modules: &Modules, unit: &FunctionUnit) -> Vec<Diagnostic> {
    let ctx = FunctionCtx::new(app, modules, unit);
    let mut out = Vec::new();
    for check in FUNCTION_CHECKS {
        check(&ctx, &mut out);
    }
    out
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
}
