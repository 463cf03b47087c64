//! Hover in `host.json` and `local.settings.json`: what a key is for, and for a setting, its
//! (masked) value and everything in the app that reads it.

use std::fmt::Write as _;

use super::HoverInfo;
use crate::analysis::catalog::config_files::{HOST_JSON_KEYS, KNOWN_SETTINGS, LOCAL_SETTINGS_KEYS};
use crate::analysis::ide::json_cursor::{self, Segment, Slot};
use crate::analysis::ide::refs::{setting_occurrences, Occurrence, SettingSubject};
use crate::analysis::settings;
use crate::analysis::state::AppState;
use crate::analysis::text::{ColumnUnit, LineIndex};

/// The id of the extension bundle for Azure Functions.
const BUNDLE_ID: &str = "Microsoft.Azure.Functions.ExtensionBundle";

/// Most places listed under "Read by" in a setting's hover.
const MAX_USES_SHOWN: usize = 12;

pub(super) fn host_json(text: &str, offset: usize) -> Option<HoverInfo> {
    let c = json_cursor::cursor(text, offset)?;
    if !c.in_string {
        return None;
    }
    let word = text.get(c.token.as_usize())?;
    let markdown = match (c.path.as_slice(), &c.slot) {
        ([], Slot::Key) => {
            let (key, doc) = HOST_JSON_KEYS.iter().find(|(k, _)| *k == word)?;
            format!("**{key}** (host.json)\n\n{doc}")
        }
        ([Segment::Key(e)], Slot::Key) if e == "extensionBundle" => match word {
            "id" => bundle_id_markdown(),
            "version" => "**extensionBundle.version**: the range of bundle versions the host may \
                          use, in interval notation: `[4.*, 5.0.0)` is every 4.x version (`[` \
                          includes, `)` excludes). The host takes the newest version in the range \
                          that it has or can download."
                .to_string(),
            _ => return None,
        },
        ([Segment::Key(e)], Slot::Value { key }) if e == "extensionBundle" && key == "id" => {
            if word == BUNDLE_ID {
                bundle_id_markdown()
            } else {
                format!(
                    "**{word}**: not the Functions bundle (`{BUNDLE_ID}`); the host fails to \
                     start when it cannot find a bundle of that id."
                )
            }
        }
        ([Segment::Key(e)], Slot::Value { key }) if e == "extensionBundle" && key == "version" => {
            version_range_markdown(word)
        }
        _ => return None,
    };
    Some(HoverInfo {
        range: c.token,
        markdown,
    })
}

fn bundle_id_markdown() -> String {
    format!(
        "**extensionBundle.id**: `{BUNDLE_ID}` gives the host the binding extensions of every \
         trigger and binding but HTTP and timer (Storage blobs, queues and tables, Service Bus, \
         Event Hubs, Event Grid, Cosmos DB, Durable Functions, SQL, …) without an \
         `extensions.csproj`."
    )
}

/// What an interval such as `[4.*, 5.0.0)` allows.
fn version_range_markdown(range: &str) -> String {
    let trimmed = range.trim();
    let parsed = trimmed
        .strip_prefix(['[', '('])
        .and_then(|r| r.strip_suffix([']', ')']))
        .and_then(|inner| inner.split_once(','));
    match parsed {
        Some((low, high)) => {
            let (low, high) = (low.trim(), high.trim());
            let from = if trimmed.starts_with('[') {
                "from"
            } else {
                "above"
            };
            let to = if trimmed.ends_with(']') {
                "up to and including"
            } else {
                "below"
            };
            let major = low.split('.').next().unwrap_or(low);
            let mut out = format!(
                "**{trimmed}**: bundle versions {from} `{low}` {to} `{high}`; the host takes the \
                 newest one it has or can download."
            );
            if major.parse::<u32>().is_ok_and(|m| m < 3) {
                let _ = write!(
                    out,
                    " Bundles before 3.x are out of support: use `[4.*, 5.0.0)`."
                );
            }
            out
        }
        None => format!(
            "**{trimmed}**: not a version range; write an interval such as `[4.*, 5.0.0)` (every \
             4.x version)."
        ),
    }
}

pub(super) fn local_settings(state: &AppState, text: &str, offset: usize) -> Option<HoverInfo> {
    let c = json_cursor::cursor(text, offset)?;
    if !c.in_string || c.slot != Slot::Key {
        return None;
    }
    let word = text.get(c.token.as_usize())?;
    let markdown = match c.path.as_slice() {
        [] => {
            let (key, doc) = LOCAL_SETTINGS_KEYS.iter().find(|(k, _)| *k == word)?;
            format!("**{key}** (local.settings.json)\n\n{doc}")
        }
        [Segment::Key(section)] if section == "Values" || section == "ConnectionStrings" => {
            setting_markdown(state, section, word)
        }
        _ => return None,
    };
    Some(HoverInfo {
        range: c.token,
        markdown,
    })
}

/// A setting: its value (masked when it looks secret), what the host or worker reads it for,
/// and every place in the app that reads it.
fn setting_markdown(state: &AppState, section: &str, name: &str) -> String {
    let mut out = format!("**{name}**");
    let local = settings::local_settings(state.input());
    let value = local.as_ref().and_then(|s| {
        let list = if section == "Values" {
            &s.values
        } else {
            &s.connection_strings
        };
        list.iter().find(|v| v.name == name)?.value.clone()
    });
    match value {
        Some(v) if v.is_empty() => out.push_str(" = `\"\"` (empty)"),
        Some(v) => {
            let _ = write!(out, " = `{}`", settings::masked(name, &v));
        }
        None => {}
    }
    if section == "ConnectionStrings" {
        out.push_str(
            "\n\nA connection string for frameworks that read `ConnectionStrings`; bindings and \
             `os.environ` do not see it, and it is not published as an app setting.",
        );
    }
    if let Some((_, doc)) = KNOWN_SETTINGS.iter().find(|(k, _)| *k == name) {
        let _ = write!(out, "\n\n{doc}");
    } else if let Some((prefix, part)) = name.split_once("__") {
        let _ = write!(
            out,
            "\n\nThe `{part}` part of the identity-based connection `{prefix}`."
        );
    }
    let uses: Vec<Occurrence> = setting_occurrences(
        state,
        &SettingSubject {
            name: name.to_string(),
            section: false,
        },
    )
    .into_iter()
    .filter(|o| !o.declaration)
    .collect();
    if section == "Values" {
        if uses.is_empty() {
            out.push_str("\n\nNo binding or code of the app reads it.");
        } else {
            let _ = write!(out, "\n\nRead by:");
            // Only the uses shown are described (each costs a line index of its file).
            for o in uses.iter().take(MAX_USES_SHOWN) {
                let u = describe_use(state, &o.file, o.range.start as usize);
                let _ = write!(out, "\n- {u}");
            }
            if uses.len() > MAX_USES_SHOWN {
                let _ = write!(out, "\n- … and {} more", uses.len() - MAX_USES_SHOWN);
            }
        }
    }
    out
}

/// `function 'Orders' (binding 'msg', function.json:7)` or `function_app.py:12`.
fn describe_use(state: &AppState, file: &str, offset: usize) -> String {
    let line = state
        .input()
        .text(file)
        .map(|text| {
            LineIndex::new(text)
                .line_col(text, offset, ColumnUnit::Utf8)
                .line
                + 1
        })
        .unwrap_or(1);
    let owner = state.units().find_map(|unit| {
        if unit.declaration_file() != file {
            return None;
        }
        unit.bindings().iter().find_map(|b| {
            b.members
                .iter()
                .filter_map(|m| m.value.as_ref())
                .any(|v| v.range.start as usize <= offset && offset <= v.range.end as usize)
                .then(|| (unit.name.as_str(), b.name_str().unwrap_or("?")))
        })
    });
    match owner {
        Some((function, binding)) => {
            format!("function `{function}`, binding `{binding}` ({file}:{line})")
        }
        None => format!("`{file}:{line}`"),
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::ide::hover::hover;

    /// The hover at the `|` of `file` among `files`.
    fn hover_in(files: &[(&str, &str)], file: &str) -> String {
        let (state, offset) = crate::analysis::ide::test_state(files, file);
        hover(&state, file, offset)
            .map(|h| h.markdown)
            .unwrap_or_default()
    }

    #[test]
    fn a_setting_shows_its_masked_value_and_who_reads_it() {
        let files = [
            ("host.json", r#"{"version": "2.0"}"#),
            (
                "local.settings.json",
                r#"{"IsEncrypted": false, "Values": {"Storage|Conn": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=secretsecret", "Unused": "x"}}"#,
            ),
            (
                "Q/function.json",
                r#"{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q", "connection": "StorageConn"}]}"#,
            ),
            (
                "Q/__init__.py",
                "import os\nKEY = os.environ[\"StorageConn\"]\ndef main(msg): pass\n",
            ),
        ];
        let text = hover_in(&files, "local.settings.json");
        assert!(
            text.starts_with("**StorageConn** = `Defa… (masked"),
            "{text}"
        );
        assert!(!text.contains("secretsecret"), "{text}");
        assert!(
            text.contains("function `Q`, binding `msg` (Q/function.json:1)"),
            "{text}"
        );
        assert!(text.contains("`Q/__init__.py:2`"), "{text}");
    }

    #[test]
    fn a_setting_read_by_many_lists_the_first_and_counts_the_rest() {
        let json = r#"{"bindings": [{"type": "queueTrigger", "name": "msg", "queueName": "q", "connection": "Conn"}]}"#;
        let folders: Vec<String> = (0..20).map(|i| format!("F{i:02}/function.json")).collect();
        let mut files = vec![(
            "local.settings.json",
            r#"{"Values": {"Co|nn": "UseDevelopmentStorage=true"}}"#,
        )];
        files.extend(folders.iter().map(|f| (f.as_str(), json)));
        let text = hover_in(&files, "local.settings.json");
        assert_eq!(text.matches("\n- function `").count(), 12, "{text}");
        assert!(text.contains("(F00/function.json:1)"), "{text}");
        assert!(text.contains("\n- … and 8 more"), "{text}");
    }

    #[test]
    fn known_and_unused_settings_and_top_level_keys() {
        let text = hover_in(
            &[(
                "local.settings.json",
                r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_|RUNTIME": "python"}}"#,
            )],
            "local.settings.json",
        );
        assert!(text.contains("= `python`"), "{text}");
        assert!(text.contains("The language worker"), "{text}");
        assert!(
            text.contains("No binding or code of the app reads it."),
            "{text}"
        );
        let text = hover_in(
            &[(
                "local.settings.json",
                r#"{"IsEnc|rypted": false, "Values": {}}"#,
            )],
            "local.settings.json",
        );
        assert!(
            text.starts_with("**IsEncrypted** (local.settings.json)"),
            "{text}"
        );
    }

    #[test]
    fn host_json_keys_and_the_bundle() {
        let at = |text: &str| hover_in(&[("host.json", text)], "host.json");
        let text = at(r#"{"version": "2.0", "functionTim|eout": "00:05:00"}"#);
        assert!(text.contains("Per-invocation time limit"), "{text}");
        let bundle = r#"{"version": "2.0", "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "VERSION"}}"#;
        let text = at(&bundle.replace("VERSION", "[4.*, 5|.0.0)"));
        assert!(
            text.contains("bundle versions from `4.*` below `5.0.0`"),
            "{text}"
        );
        let text = at(&bundle.replace("VERSION", "[2.*|, 3.0.0)"));
        assert!(text.contains("out of support"), "{text}");
        let text = at(&bundle.replace("VERSION", "4|"));
        assert!(text.contains("not a version range"), "{text}");
        let text = at(&bundle
            .replace("Extension", "Exten|sion")
            .replace("VERSION", "[4.*, 5.0.0)"));
        assert!(text.contains("without an `extensions.csproj`"), "{text}");
    }
}
