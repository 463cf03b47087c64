//! The script of the decorator programming model (`PYTHON_SCRIPT_FILE_NAME`, default
//! `function_app.py`) and the one app-level question about the model: does the app use it? The
//! worker indexes an app whose script exists from the decorators the script defines (the model in
//! `v2/`) and then ignores function.json folders.

use super::app::AppInput;
use super::text::TextRange;

/// The script name the worker uses when `PYTHON_SCRIPT_FILE_NAME` is not set.
pub const DEFAULT_SCRIPT: &str = "function_app.py";

/// The script the worker imports, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptName {
    /// The file name (relative to the app root).
    pub name: String,
    /// The range of `PYTHON_SCRIPT_FILE_NAME`'s value in local.settings.json, when set there.
    pub setting: Option<TextRange>,
}

impl ScriptName {
    /// Whether the worker accepts the name: a letter, digit or `_`, then letters, digits, `_` or
    /// `-`, ending in `.py`, no folders.
    pub fn is_valid(&self) -> bool {
        let Some(stem) = self.name.strip_suffix(".py") else {
            return false;
        };
        let mut chars = stem.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    }
}

/// The configured script name: local.settings.json `Values.PYTHON_SCRIPT_FILE_NAME`, else
/// `function_app.py`.
pub fn script_name(app: &AppInput) -> ScriptName {
    script_name_in(super::settings::local_settings(app).as_ref())
}

/// [`script_name`] from local.settings.json parsed already (`None`: the app has none).
pub fn script_name_in(settings: Option<&super::settings::LocalSettings>) -> ScriptName {
    if let Some(settings) = settings {
        if let Some(s) = settings.value("PYTHON_SCRIPT_FILE_NAME") {
            if let Some(v) = &s.value {
                if !v.is_empty() {
                    return ScriptName {
                        name: v.clone(),
                        setting: Some(s.value_range),
                    };
                }
            }
        }
    }
    ScriptName {
        name: DEFAULT_SCRIPT.to_string(),
        setting: None,
    }
}

/// Whether the app uses the decorator model: its script exists (the worker then ignores
/// function.json).
pub fn uses_decorator_model(app: &AppInput) -> bool {
    app.exists(&script_name(app).name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support::app as fixture;

    #[test]
    fn script_names() {
        let valid = |n: &str| {
            ScriptName {
                name: n.into(),
                setting: None,
            }
            .is_valid()
        };
        assert!(valid("function_app.py"));
        assert!(valid("main-app.py"));
        assert!(!valid("my app.py"));
        assert!(!valid("src/app.py"));
        assert!(!valid("-app.py"));
        assert!(!valid("app.txt"));
        let app = fixture(
            "//- /local.settings.json\n{\"Values\": {\"PYTHON_SCRIPT_FILE_NAME\": \"main.py\"}}\n//- /main.py\nx = 1\n",
        );
        assert_eq!(script_name(&app).name, "main.py");
        assert!(uses_decorator_model(&app));
        assert!(!uses_decorator_model(&fixture(
            "//- /function_app.py.bak\n\n"
        )));
    }
}
