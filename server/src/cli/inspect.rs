//! `azfunc-lsp inspect APP`: what the host sees of each function (see docs/inspect.md), as text
//! or as a stable JSON document.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::write_stdout;
use crate::analysis::host_view::{self, FunctionView, HostView, Value};
use crate::loader;

#[derive(Debug, Clone, Args)]
pub struct InspectArgs {
    /// The app's folder (or a file or folder inside it).
    pub app: PathBuf,
    /// Only this function (its name, ignoring case).
    #[arg(long, value_name = "NAME")]
    pub function: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
    pub format: InspectFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    /// Readable text, one block per function.
    Text,
    /// A stable JSON document (see docs/inspect.md).
    Json,
}

/// The version of the JSON document's shape; it changes only when a field changes meaning or
/// goes away.
pub const JSON_VERSION: u32 = 1;

/// Runs `inspect`: exit 0 with the view, 2 when the app or the function cannot be found.
pub fn run(args: &InspectArgs) -> ExitCode {
    match view(args) {
        Ok((root, view)) => write_stdout(&match args.format {
            InspectFormat::Text => text(&root, &view),
            InspectFormat::Json => json(&root, &view),
        }),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Loads the one app at `args.app` and builds its view, narrowed to `--function`.
fn view(args: &InspectArgs) -> Result<(String, HostView), String> {
    let path = &args.app;
    if !path.exists() {
        return Err(format!("{}: no such file or directory", path.display()));
    }
    let mut apps = loader::find_apps_under(path).map_err(|e| format!("{e:#}"))?;
    // One app inside another (its own host.json in a folder of the outer app), or a stray
    // function.json beside host.json, finds the outer app too: the app whose root is the folder
    // named (or the named file's folder) is the one meant.
    if apps.len() > 1 {
        let folder = if path.is_dir() {
            Some(path.as_path())
        } else {
            path.parent()
        };
        let named = folder.and_then(|f| loader::absolute(f).ok());
        if let Some(i) = apps.iter().position(|a| Some(&a.root) == named.as_ref()) {
            apps = vec![apps.swap_remove(i)];
        }
    }
    let app = match apps.len() {
        0 => {
            return Err(format!(
                "{}: no Azure Functions app found (looked for a folder with host.json, \
                 function_app.py or */function.json)",
                path.display()
            ))
        }
        1 => apps.remove(0),
        _ => {
            let roots: Vec<String> = apps.iter().map(|a| a.root.display().to_string()).collect();
            return Err(format!(
                "{}: {} apps found ({}); inspect one of them",
                path.display(),
                roots.len(),
                roots.join(", ")
            ));
        }
    };
    let cwd = std::env::current_dir()
        .and_then(|d| loader::absolute(&d))
        .unwrap_or_default();
    let root = loader::display_relative(&app.root, &cwd);
    let input = app.load(root.clone());
    let mut view = host_view::host_view_of_app(&input);
    if let Some(name) = &args.function {
        let Some(found) = view.function(name).cloned() else {
            let names: Vec<&str> = view.functions.iter().map(|f| f.name.as_str()).collect();
            let known = if names.is_empty() {
                "the app has no function".to_string()
            } else {
                format!("its functions: {}", names.join(", "))
            };
            return Err(format!("no function '{name}' in {root} ({known})"));
        };
        view.functions = vec![found];
    }
    Ok((root, view))
}

/// The JSON document: `{"version", "app", "model", "routePrefix", "localSettings", "functions"}`.
pub fn json(root: &str, view: &HostView) -> String {
    #[derive(serde::Serialize)]
    struct Document<'v> {
        version: u32,
        app: &'v str,
        #[serde(flatten)]
        view: &'v HostView,
    }
    let doc = Document {
        version: JSON_VERSION,
        app: root,
        view,
    };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// The text report.
pub fn text(root: &str, view: &HostView) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{root}: {} model, route prefix '{}', {}",
        view.model,
        view.route_prefix,
        if view.local_settings {
            "settings from local.settings.json"
        } else {
            "no local.settings.json (settings not resolved)"
        }
    );
    if view.functions.is_empty() {
        out.push_str("\nno functions\n");
    }
    for f in &view.functions {
        function_text(f, &mut out);
    }
    out
}

fn function_text(f: &FunctionView, out: &mut String) {
    let _ = writeln!(out, "\n{} — {}", f.name, f.summary());
    let _ = writeln!(out, "  declared in  {}", f.declared_in);
    let script = f.script_file.as_deref().unwrap_or("(none found)");
    let _ = write!(
        out,
        "  script       {script}, entry point '{}'",
        f.entry_point
    );
    match &f.python_function {
        Some(def) if *def != f.entry_point => {
            let _ = writeln!(out, " (def {def})");
        }
        _ => out.push('\n'),
    }
    if let Some(h) = &f.http {
        let methods = h
            .methods
            .as_ref()
            .filter(|m| !m.is_empty())
            .map_or("every method".to_string(), |m| m.join(" "));
        let _ = writeln!(
            out,
            "  http         {methods} {} (template '{}'), auth level {}",
            h.url, h.template, h.auth_level
        );
    }
    for b in &f.bindings {
        let _ = writeln!(
            out,
            "  binding      {} · {} · {}",
            b.name.as_deref().unwrap_or("(no name)"),
            b.binding_type.as_deref().unwrap_or("(no type)"),
            b.direction.as_deref().unwrap_or("in")
        );
        for (key, value) in &b.properties.0 {
            let shown = serde_json::to_string(&Value(value)).unwrap_or_default();
            let _ = writeln!(out, "    {key}: {shown}");
            for s in b.settings.iter().filter(|s| s.property == *key) {
                let _ = match (s.found_in, &s.value) {
                    (Some(place), Some(v)) => {
                        writeln!(out, "      → {} ({place}) = {v}", s.setting)
                    }
                    (Some(place), None) => writeln!(out, "      → {} ({place})", s.setting),
                    (None, _) => writeln!(out, "      → {} (not set)", s.setting),
                };
            }
        }
    }
}
