//! The `function.json` model, read from the tolerant JSON tree the way the host reads it: top-level
//! keys are case-sensitive, the binding keys `name`, `type`, `direction` and `dataType` are not.

use super::json::{self, JsonKind, JsonMember, JsonSyntaxError, JsonValue};
use super::text::TextRange;

/// A string value with its range (the range covers the quotes).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Spanned {
    pub value: String,
    pub range: TextRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    In,
    Out,
    InOut,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
            Direction::InOut => "inout",
        }
    }
}

/// One entry of `bindings`.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Binding {
    /// The binding object's range.
    pub range: TextRange,
    pub name: Option<Spanned>,
    pub binding_type: Option<Spanned>,
    /// The `direction` as written, if any.
    pub direction_raw: Option<Spanned>,
    /// The effective direction: `in` when absent; `None` when the value is invalid.
    pub direction: Option<Direction>,
    pub data_type: Option<Spanned>,
    /// Every member of the binding object, in order (including the four above).
    pub members: Vec<JsonMember>,
    /// Members whose value had the wrong JSON kind for name/type/direction/dataType.
    pub malformed: Vec<(TextRange, String)>,
}

impl Binding {
    pub fn name_str(&self) -> Option<&str> {
        self.name.as_ref().map(|n| n.value.as_str())
    }

    pub fn type_str(&self) -> Option<&str> {
        self.binding_type.as_ref().map(|t| t.value.as_str())
    }

    /// The type ends with `trigger` ignoring case and the direction is not `out` (the host's test).
    pub fn is_trigger(&self) -> bool {
        self.type_str()
            .is_some_and(|t| t.to_ascii_lowercase().ends_with("trigger"))
            && self.direction != Some(Direction::Out)
    }

    /// The type is `httpTrigger`, ignoring case.
    pub fn is_http_trigger(&self) -> bool {
        self.type_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("httpTrigger"))
    }

    pub fn is_return(&self) -> bool {
        self.name_str() == Some("$return")
    }

    /// The best range to point at for this binding: its name, else the object.
    pub fn anchor(&self) -> TextRange {
        self.name.as_ref().map(|n| n.range).unwrap_or(self.range)
    }

    /// A property by name, ignoring case.
    pub fn property(&self, key: &str) -> Option<&JsonMember> {
        self.members
            .iter()
            .find(|m| m.key.eq_ignore_ascii_case(key))
    }

    /// A string property's value by name, ignoring case.
    pub fn property_str(&self, key: &str) -> Option<Spanned> {
        let m = self.property(key)?;
        let v = m.value.as_ref()?;
        Some(Spanned {
            value: v.as_str()?.to_string(),
            range: v.range,
        })
    }
}

/// The parsed `function.json`.
#[derive(Debug, Clone, PartialEq, Hash, Default)]
pub struct FunctionJson {
    pub syntax_errors: Vec<JsonSyntaxError>,
    /// The root value, when there is one. The objects of its `bindings` array are moved into
    /// [`FunctionJson::bindings`] (each binding's `members`): the array keeps its range and the
    /// entries that are not objects, and nothing is held twice.
    pub root: Option<JsonValue>,
    /// The root exists but is not an object.
    pub root_not_object: bool,
    /// The `bindings` member (exact key), when present.
    pub bindings_key: Option<TextRange>,
    /// `bindings` is present but not an array.
    pub bindings_not_array: bool,
    /// The range of `bindings` when it is an empty array.
    pub bindings_empty: Option<TextRange>,
    pub bindings: Vec<Binding>,
    /// Entries of `bindings` that are not objects.
    pub non_object_bindings: Vec<TextRange>,
    pub script_file: Option<Spanned>,
    pub entry_point: Option<Spanned>,
    /// A key that differs only in case from `bindings`, `scriptFile` or `entryPoint` (the host
    /// ignores it).
    pub miscased_keys: Vec<(TextRange, String, &'static str)>,
}

/// The entry point the host calls when `entryPoint` is absent (or empty).
pub const DEFAULT_ENTRY_POINT: &str = "main";

impl FunctionJson {
    /// `entryPoint`, or [`DEFAULT_ENTRY_POINT`].
    pub fn entry_name(&self) -> &str {
        self.entry_point
            .as_ref()
            .map(|e| e.value.as_str())
            .filter(|e| !e.is_empty())
            .unwrap_or(DEFAULT_ENTRY_POINT)
    }

    /// Whether the host can read the file at all (no syntax error, an object at the root).
    pub fn is_readable(&self) -> bool {
        self.syntax_errors.is_empty() && self.root.is_some() && !self.root_not_object
    }
}

/// Reads `function.json` text into the model.
pub fn parse(text: &str) -> FunctionJson {
    let parsed = json::parse(text);
    let mut fj = FunctionJson {
        syntax_errors: parsed.errors,
        ..FunctionJson::default()
    };
    let Some(mut root) = parsed.value else {
        return fj;
    };
    let JsonKind::Object(members) = &mut root.kind else {
        fj.root_not_object = true;
        fj.root = Some(root);
        return fj;
    };
    for member in members {
        match member.key.as_str() {
            "bindings" => {
                fj.bindings_key = Some(member.key_range);
                match &mut member.value {
                    Some(v) => match &mut v.kind {
                        JsonKind::Array(items) => {
                            if items.is_empty() {
                                fj.bindings_empty = Some(v.range);
                            }
                            fj.bindings.reserve_exact(items.len());
                            items.retain_mut(|item| match &mut item.kind {
                                JsonKind::Object(members) => {
                                    let members = std::mem::take(members);
                                    fj.bindings.push(read_binding(item.range, members));
                                    false
                                }
                                _ => {
                                    fj.non_object_bindings.push(item.range);
                                    true
                                }
                            });
                            items.shrink_to_fit();
                        }
                        JsonKind::Null => fj.bindings_empty = Some(v.range),
                        _ => fj.bindings_not_array = true,
                    },
                    None => fj.bindings_empty = Some(member.key_range),
                }
            }
            "scriptFile" => fj.script_file = spanned(member),
            "entryPoint" => fj.entry_point = spanned(member),
            other => {
                for known in ["bindings", "scriptFile", "entryPoint"] {
                    if other.eq_ignore_ascii_case(known) {
                        fj.miscased_keys
                            .push((member.key_range, other.to_string(), known));
                    }
                }
            }
        }
    }
    fj.root = Some(root);
    fj
}

fn spanned(member: &JsonMember) -> Option<Spanned> {
    let v = member.value.as_ref()?;
    Some(Spanned {
        value: v.scalar_text()?,
        range: v.range,
    })
}

fn read_binding(range: TextRange, members: Vec<JsonMember>) -> Binding {
    let mut b = Binding {
        range,
        name: None,
        binding_type: None,
        direction_raw: None,
        direction: Some(Direction::In),
        data_type: None,
        members: Vec::new(),
        malformed: Vec::new(),
    };
    // The host takes the first match of each key, ignoring case.
    let mut seen = [false; 4];
    for m in &members {
        let slot = ["name", "type", "direction", "datatype"]
            .iter()
            .position(|k| m.key.eq_ignore_ascii_case(k));
        let Some(slot) = slot else { continue };
        if seen[slot] {
            continue;
        }
        seen[slot] = true;
        let Some(v) = &m.value else { continue };
        let value = match &v.kind {
            JsonKind::Null => continue,
            _ => match v.scalar_text() {
                Some(s) => Spanned {
                    value: s,
                    range: v.range,
                },
                None => {
                    b.malformed.push((v.range, m.key.clone()));
                    continue;
                }
            },
        };
        match slot {
            0 => b.name = Some(value),
            1 => b.binding_type = Some(value),
            2 => {
                b.direction = match value.value.to_ascii_lowercase().as_str() {
                    "in" => Some(Direction::In),
                    "out" => Some(Direction::Out),
                    "inout" => Some(Direction::InOut),
                    _ => None,
                };
                b.direction_raw = Some(value);
            }
            _ => b.data_type = Some(value),
        }
    }
    b.members = members;
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bindings_case_insensitively() {
        let fj = parse(
            r#"{"scriptFile": "run.py", "bindings": [
                {"Name": "req", "TYPE": "httpTrigger", "Direction": "IN"},
                {"name": "$return", "type": "http", "direction": "out"},
                {"name": "x", "type": "queue", "direction": "sideways"},
                5
            ]}"#,
        );
        assert!(fj.is_readable());
        assert_eq!(fj.script_file.as_ref().unwrap().value, "run.py");
        assert_eq!(fj.bindings.len(), 3);
        assert_eq!(fj.bindings[0].name_str(), Some("req"));
        assert_eq!(fj.bindings[0].direction, Some(Direction::In));
        assert!(fj.bindings[0].is_trigger());
        assert!(fj.bindings[1].is_return());
        assert_eq!(fj.bindings[2].direction, None);
        assert_eq!(fj.non_object_bindings.len(), 1);
    }

    #[test]
    fn binding_objects_move_out_of_the_tree_and_the_rest_stays() {
        let text = r#"{"bindings": [{"name": "req", "route": "x"}, 5], "disabled": false}"#;
        let fj = parse(text);
        let keys: Vec<&str> = fj.bindings[0]
            .members
            .iter()
            .map(|m| m.key.as_str())
            .collect();
        assert_eq!(keys, ["name", "route"]);
        let root = fj.root.as_ref().unwrap().as_object().unwrap();
        let bindings = root[0].value.as_ref().unwrap();
        assert_eq!(&text[bindings.range.start as usize..][..1], "[");
        let left: Vec<&str> = bindings
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.kind_name())
            .collect();
        assert_eq!(left, ["a number"], "only the entry that is not an object");
        assert_eq!(root[1].key, "disabled");
    }

    #[test]
    fn the_tree_keeps_no_spare_room() {
        let fj = parse(
            r#"{"scriptFile": "__init__.py", "bindings": [
                {"authLevel": "function", "type": "httpTrigger", "direction": "in", "name": "req", "methods": ["get", "post"]},
                {"type": "http", "direction": "out", "name": "$return"}]}"#,
        );
        assert_eq!(fj.bindings.len(), 2);
        assert_eq!(fj.bindings.capacity(), 2);
        assert!(fj
            .bindings
            .iter()
            .all(|b| b.members.capacity() == b.members.len()));
        let capacity = |v: &Option<JsonValue>| match &v.as_ref().unwrap().kind {
            JsonKind::Array(items) => (items.len(), items.capacity()),
            JsonKind::Object(members) => (members.len(), members.capacity()),
            _ => unreachable!("a container"),
        };
        assert_eq!(capacity(&fj.bindings[0].members[4].value), (2, 2));
        assert_eq!(capacity(&fj.root), (2, 2));
        let root = fj.root.as_ref().unwrap().as_object().unwrap();
        assert_eq!(capacity(&root[1].value), (0, 0), "bindings moved out");
    }

    #[test]
    fn direction_defaults_to_in_and_keys_are_exact_at_top_level() {
        let fj = parse(r#"{"Bindings": [], "bindings": [{"name": "a", "type": "blob"}]}"#);
        assert_eq!(fj.bindings[0].direction, Some(Direction::In));
        assert_eq!(fj.miscased_keys.len(), 1);
    }
}
