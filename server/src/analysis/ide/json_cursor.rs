//! Where a cursor is in a JSON document, found by scanning tokens up to it. Works on broken,
//! half-typed text, where a syntax tree is not reliable.

use crate::analysis::text::TextRange;

/// One step of the path from the root to the container the cursor is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A member of an object.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// What the cursor is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// Where a key goes (inside a key string, or between members).
    Key,
    /// The value of `key` (inside a string value, or after the colon).
    Value { key: String },
    /// An element of the array that is the value of `key`.
    ArrayItem { key: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonCursor {
    /// Path of the object or array containing the cursor.
    pub path: Vec<Segment>,
    pub slot: Slot,
    /// The token being typed: the string's content range (without quotes) when the cursor is in a
    /// string, or an empty range at the cursor.
    pub token: TextRange,
    /// The cursor is inside a string literal.
    pub in_string: bool,
    /// The string being typed has a closing quote.
    pub closed: bool,
    /// Byte offset where the innermost object containing the cursor starts.
    pub object_start: Option<usize>,
}

#[derive(Debug)]
enum Frame {
    Object {
        start: usize,
        key: Option<String>,
        after_colon: bool,
    },
    Array {
        index: usize,
    },
}

/// Finds the cursor's context at `offset` in `text`.
///
/// Long by design: one forward scan with a small state machine (strings, comments, brackets,
/// keys); split up, its state would have to travel between the pieces.
pub fn cursor(text: &str, offset: usize) -> Option<JsonCursor> {
    let bytes = text.as_bytes();
    let offset = offset.min(text.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut path: Vec<Segment> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' && bytes[j] != b'\n' {
                    if bytes[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                let end = j.min(bytes.len());
                let closed = end < bytes.len() && bytes[end] == b'"';
                if offset >= start && (offset <= end) {
                    // The cursor is inside this string.
                    let token = TextRange::new(start, end);
                    let slot = slot_for(&stack, text, start - 1);
                    return Some(JsonCursor {
                        path,
                        slot,
                        token,
                        in_string: true,
                        closed,
                        object_start: innermost_object(&stack),
                    });
                }
                let s = text.get(start..end).unwrap_or("").to_string();
                if let Some(Frame::Object {
                    key, after_colon, ..
                }) = stack.last_mut()
                {
                    if !*after_colon {
                        *key = Some(s);
                    }
                }
                i = if closed { end + 1 } else { end };
                continue;
            }
            _ if i >= offset => break,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            b'{' | b'[' => {
                if let Some(seg) = current_segment(&stack) {
                    path.push(seg);
                } else if !stack.is_empty() {
                    path.push(Segment::Index(0));
                }
                stack.push(if c == b'{' {
                    Frame::Object {
                        start: i,
                        key: None,
                        after_colon: false,
                    }
                } else {
                    Frame::Array { index: 0 }
                });
            }
            b'}' | b']' => {
                stack.pop();
                if !stack.is_empty() {
                    path.pop();
                }
                if let Some(Frame::Object { after_colon, .. }) = stack.last_mut() {
                    *after_colon = true;
                }
            }
            b':' => {
                if let Some(Frame::Object { after_colon, .. }) = stack.last_mut() {
                    *after_colon = true;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object {
                    key, after_colon, ..
                }) => {
                    *key = None;
                    *after_colon = false;
                }
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    if stack.is_empty() {
        return None;
    }
    let slot = slot_for(&stack, text, offset);
    // A bare token being typed (e.g. `tru`): extend over identifier characters before the cursor.
    let mut start = offset;
    while start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
        start -= 1;
    }
    Some(JsonCursor {
        path,
        slot,
        token: TextRange::new(start, offset),
        in_string: false,
        closed: false,
        object_start: innermost_object(&stack),
    })
}

fn innermost_object(stack: &[Frame]) -> Option<usize> {
    stack.iter().rev().find_map(|f| match f {
        Frame::Object { start, .. } => Some(*start),
        Frame::Array { .. } => None,
    })
}

/// The path segment that a container opened now would have.
fn current_segment(stack: &[Frame]) -> Option<Segment> {
    match stack.last()? {
        Frame::Object { key: Some(k), .. } => Some(Segment::Key(k.clone())),
        Frame::Object { key: None, .. } => None,
        Frame::Array { index } => Some(Segment::Index(*index)),
    }
}

fn slot_for(stack: &[Frame], text: &str, at: usize) -> Slot {
    match stack.last() {
        Some(Frame::Object {
            key, after_colon, ..
        }) => {
            // After `"key":` the cursor is in the value; otherwise a key is being written.
            let before = text[..at.min(text.len())].trim_end();
            if *after_colon && !before.ends_with(',') && !before.ends_with('{') {
                Slot::Value {
                    key: key.clone().unwrap_or_default(),
                }
            } else {
                Slot::Key
            }
        }
        Some(Frame::Array { .. }) => {
            let key = stack
                .iter()
                .rev()
                .nth(1)
                .and_then(|f| match f {
                    Frame::Object { key, .. } => key.clone(),
                    _ => None,
                })
                .unwrap_or_default();
            Slot::ArrayItem { key }
        }
        None => Slot::Key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> JsonCursor {
        let offset = text.find('|').unwrap();
        let clean = text.replacen('|', "", 1);
        cursor(&clean, offset).unwrap()
    }

    #[test]
    fn keys_values_and_array_items() {
        let c = at(r#"{"bindings": [{"type": "qu|"#);
        assert_eq!(c.path, [Segment::Key("bindings".into()), Segment::Index(0)]);
        assert_eq!(c.slot, Slot::Value { key: "type".into() });
        assert!(c.in_string && !c.closed);

        let c = at(r#"{"bindings": [{"name": "x", "|"}]}"#);
        assert_eq!(c.slot, Slot::Key);
        assert!(c.closed);

        let c = at(r#"{"bindings": [{}, {"methods": ["get", "|"]}]}"#);
        assert_eq!(
            c.path,
            [
                Segment::Key("bindings".into()),
                Segment::Index(1),
                Segment::Key("methods".into())
            ]
        );
        assert_eq!(
            c.slot,
            Slot::ArrayItem {
                key: "methods".into()
            }
        );

        let c = at(r#"{"scriptFile": |}"#);
        assert_eq!(
            c.slot,
            Slot::Value {
                key: "scriptFile".into()
            }
        );
        assert!(!c.in_string);

        let c = at("{\n  |\n}");
        assert_eq!(c.slot, Slot::Key);
        assert!(c.path.is_empty());

        let c = at(r#"{"bindings": [|]}"#);
        assert_eq!(
            c.slot,
            Slot::ArrayItem {
                key: "bindings".into()
            }
        );
    }
}
