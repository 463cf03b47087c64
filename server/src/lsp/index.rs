//! Finding and loading the apps of the workspace folders, off the main loop.

use std::path::{Path, PathBuf};

use super::config::{self, ClientSettings};
use super::state::App;
use crate::loader;

/// Loads and checks every app below a workspace folder. `report` receives progress messages.
pub fn index_folder(folder: &Path, settings: &ClientSettings, report: &dyn Fn(String)) -> Vec<App> {
    let started = std::time::Instant::now();
    let found = loader::find_apps_under(folder);
    tracing::debug!("{}: walked in {:?}", folder.display(), started.elapsed());
    let found = match found {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!("cannot index {}: {e:#}", folder.display());
            return Vec::new();
        }
    };
    let total = found.len();
    let mut apps = Vec::with_capacity(total);
    for (i, app) in found.into_iter().enumerate() {
        let root = app.root.clone();
        report(format!("{}/{total}: {}", i + 1, root.display()));
        let (project, config) = configs(&root, settings);
        let started = std::time::Instant::now();
        let input = app.load_with_interpreter(root.display().to_string(), config.python.as_deref());
        tracing::debug!(
            "{}: read {} files in {:?}",
            root.display(),
            input.files.len(),
            started.elapsed()
        );
        apps.push(App::new(root, input, project, config));
    }
    apps
}

/// Loads and checks one app.
pub fn load_root(root: &Path, settings: &ClientSettings) -> App {
    let (project, config) = configs(root, settings);
    let input = loader::load_app_with_interpreter(
        root,
        root.display().to_string(),
        config.python.as_deref(),
    );
    App::new(root.to_path_buf(), input, project, config)
}

/// The app's project configuration and the configuration in force (the editor's settings over
/// it): known before the app is loaded, as it can name the interpreter whose packages to read.
fn configs(
    root: &Path,
    settings: &ClientSettings,
) -> (crate::analysis::Config, crate::analysis::Config) {
    let project = config::project_config(root);
    let config = config::merge(&project, settings);
    (project, config)
}

/// The app roots of every folder.
pub fn find_roots(folders: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    for folder in folders {
        match loader::find_app_roots_under(folder) {
            Ok(found) => roots.extend(found),
            Err(e) => tracing::warn!("cannot search {}: {e:#}", folder.display()),
        }
    }
    roots.sort();
    roots.dedup();
    roots
}
