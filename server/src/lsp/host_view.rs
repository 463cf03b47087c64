//! `azfunc-lsp.showFunctionMetadata` (`workspace/executeCommand`): what the host sees of an app's
//! functions, the document `azfunc-lsp inspect --format json` prints (with the app's folder URI
//! as `root` instead of `app`). The code lens above each function runs it for that function.

use serde_json::Value;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::convert;
use super::state::{App, State};
use crate::analysis::host_view::{self, HostView};
use crate::analysis::v2;

/// The command's name.
pub const SHOW_FUNCTION_METADATA: &str = "azfunc-lsp.showFunctionMetadata";

/// The commands the server executes.
pub const COMMANDS: &[&str] = &[SHOW_FUNCTION_METADATA];

/// The version of the answer's shape (the CLI's JSON version).
const VERSION: u32 = crate::cli::inspect::JSON_VERSION;

/// The command's arguments: `[{"uri"?: string, "function"?: string}]`, or `["Name"]`.
#[derive(Debug, Default, PartialEq)]
struct Target {
    uri: Option<Uri>,
    function: Option<String>,
}

fn target(arguments: &[Value]) -> Result<Target, String> {
    match arguments.first() {
        None | Some(Value::Null) => Ok(Target::default()),
        Some(Value::String(name)) => Ok(Target {
            uri: None,
            function: Some(name.clone()),
        }),
        Some(Value::Object(o)) => {
            let text = |key: &str| -> Result<Option<String>, String> {
                match o.get(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s.clone())),
                    Some(_) => Err(format!(
                        "{SHOW_FUNCTION_METADATA}: '{key}' must be a string"
                    )),
                }
            };
            let uri = match text("uri")? {
                Some(u) => Some(
                    u.parse::<Uri>()
                        .map_err(|_| format!("{SHOW_FUNCTION_METADATA}: '{u}' is not a URI"))?,
                ),
                None => None,
            };
            Ok(Target {
                uri,
                function: text("function")?,
            })
        }
        Some(_) => Err(format!(
            "{SHOW_FUNCTION_METADATA} takes a function name or {{\"uri\", \"function\"}}"
        )),
    }
}

impl State {
    pub(super) fn execute_command(
        &self,
        p: lsp::ExecuteCommandParams,
    ) -> Result<Option<Value>, String> {
        if p.command != SHOW_FUNCTION_METADATA {
            return Err(format!("unknown command '{}'", p.command));
        }
        let target = target(&p.arguments)?;
        let apps: Vec<&App> = match &target.uri {
            Some(uri) => vec![self.app_at(uri).ok_or_else(|| {
                format!("{} is not in a function app of the workspace", uri.as_str())
            })?],
            None => self.apps.by_root.values().collect(),
        };
        let (app, view) = match &target.function {
            Some(name) => {
                let app = apps
                    .into_iter()
                    .find(|a| a.state.units().any(|u| u.name.eq_ignore_ascii_case(name)))
                    .ok_or_else(|| format!("no function '{name}' in the workspace's apps"))?;
                let mut view = view_of(app);
                view.functions.retain(|f| f.name.eq_ignore_ascii_case(name));
                view.functions.truncate(1);
                (app, view)
            }
            None => match apps.as_slice() {
                [app] => (*app, view_of(app)),
                [] => return Err("no function app in the workspace".to_string()),
                _ => {
                    return Err(format!(
                        "{SHOW_FUNCTION_METADATA}: the workspace has several apps; \
                         pass a document's URI or a function name"
                    ))
                }
            },
        };
        #[derive(serde::Serialize)]
        struct Answer<'v> {
            version: u32,
            root: String,
            #[serde(flatten)]
            view: &'v HostView,
        }
        let root = self
            .uri_of(&app.root)
            .map(|u| u.as_str().to_string())
            .unwrap_or_default();
        let answer = Answer {
            version: VERSION,
            root,
            view: &view,
        };
        serde_json::to_value(&answer)
            .map(Some)
            .map_err(|e| e.to_string())
    }

    /// The app a URI names: its root folder or a file or folder in it.
    fn app_at(&self, uri: &Uri) -> Option<&App> {
        let path = convert::uri_to_path(uri)?;
        if let Some(app) = self.apps.by_root.get(&path) {
            return Some(app);
        }
        let (root, _) = self.apps.locate(&path)?;
        self.apps.by_root.get(&root)
    }
}

fn view_of(app: &App) -> HostView {
    let input = app.state.input();
    let model = v2::model(input, app.state.modules());
    host_view::host_view(input, app.state.units(), model.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arguments() {
        assert_eq!(target(&[]), Ok(Target::default()));
        assert_eq!(
            target(&[json!("Orders")]).unwrap().function.as_deref(),
            Some("Orders")
        );
        let t = target(&[json!({"uri": "file:///app/f.py", "function": "A"})]).unwrap();
        assert_eq!(t.uri.unwrap().as_str(), "file:///app/f.py");
        assert_eq!(t.function.as_deref(), Some("A"));
        assert!(target(&[json!({"function": 3})]).is_err());
        assert!(target(&[json!(3)]).is_err());
    }
}
