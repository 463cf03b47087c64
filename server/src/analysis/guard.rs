//! Containment of internal errors: a panic while analysing one file or one function must not take
//! the rest of the app (or the process) with it. The affected part is reported as not analysed
//! (AZF013) and everything else is still checked.
//!
//! Stack overflows cannot be caught; they are prevented instead: every recursive walk over user
//! input has an explicit bound, and callers run the analysis on threads with
//! [`ANALYSIS_STACK_SIZE`].

use std::panic::{catch_unwind, AssertUnwindSafe};

/// The stack the command line and the server give every thread that runs the analysis. The
/// bounded walks need far less; the margin covers unoptimised builds and future rules.
pub const ANALYSIS_STACK_SIZE: usize = 64 * 1024 * 1024;

/// Runs `f`, turning a panic into its message.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string())
    })
}

/// In test builds, a module containing this text, or a function with this name, makes the
/// analysis panic, to prove the panic stays contained.
#[cfg(test)]
pub(crate) const TEST_PANIC_MARKER: &str = "PanicForTest";

#[cfg(test)]
mod tests {
    use super::TEST_PANIC_MARKER;
    use crate::analysis::{check_app, AppInput, Config};

    const HTTP: &str = r#"{"bindings": [{"type": "httpTrigger", "name": "req"}]}"#;

    #[test]
    fn a_panic_is_reported_for_its_own_file_and_the_rest_is_checked() {
        let app = AppInput::new("app")
            .with_file("host.json", r#"{"version": "2.0"}"#)
            .with_file("Parse/function.json", HTTP)
            .with_file("Parse/__init__.py", "def main(req): pass  # PanicForTest\n")
            .with_file(&format!("{TEST_PANIC_MARKER}/function.json"), HTTP)
            .with_file(
                &format!("{TEST_PANIC_MARKER}/__init__.py"),
                "def main(req): pass\n",
            )
            .with_file("Fine/function.json", HTTP)
            .with_file("Fine/__init__.py", "def main(request): pass\n");
        let config = Config {
            select: vec!["AZF0".into(), "AZF2".into()],
            ..Config::default()
        };
        let found: Vec<_> = check_app(&app, &config)
            .into_iter()
            .map(|d| (d.code, d.file, d.message))
            .collect();
        let expected = [
            ("AZF201", "Fine/__init__.py", "request"),
            ("AZF013", "Parse/__init__.py", "internal error"),
            ("AZF013", "PanicForTest/function.json", "internal error"),
        ];
        assert_eq!(found.len(), expected.len(), "{found:?}");
        for (code, file, part) in expected {
            assert!(
                found
                    .iter()
                    .any(|(c, f, m)| *c == code && f == file && m.contains(part)),
                "{code} {file} missing from {found:?}"
            );
        }
    }
}
