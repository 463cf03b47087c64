//! A strict reader for well-formed JSON with comments and trailing commas. It gives up (`None`)
//! at the first thing it does not expect; the tolerant reader then takes over.

use super::{JsonKind, JsonMember, JsonValue, MAX_DEPTH};
use crate::analysis::text::TextRange;

pub fn parse(text: &str) -> Option<JsonValue> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
    };
    p.skip_trivia()?;
    let value = p.value(0)?;
    p.skip_trivia()?;
    (p.pos == p.bytes.len()).then_some(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn skip_trivia(&mut self) -> Option<()> {
        loop {
            match self.bytes.get(self.pos) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') => match self.bytes.get(self.pos + 1) {
                    Some(b'/') => {
                        while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
                            self.pos += 1;
                        }
                    }
                    Some(b'*') => {
                        let end = self.text.get(self.pos + 2..)?.find("*/")?;
                        self.pos += 2 + end + 2;
                    }
                    _ => return None,
                },
                _ => return Some(()),
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<JsonValue> {
        let start = self.pos;
        let kind = match *self.bytes.get(self.pos)? {
            b'{' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.pos += 1;
                let mut members = Vec::new();
                loop {
                    self.skip_trivia()?;
                    if self.bytes.get(self.pos) == Some(&b'}') {
                        self.pos += 1;
                        break;
                    }
                    let key_start = self.pos;
                    let key = self.string()?;
                    let key_range = TextRange::new(key_start, self.pos);
                    self.skip_trivia()?;
                    if self.bytes.get(self.pos) != Some(&b':') {
                        return None;
                    }
                    self.pos += 1;
                    self.skip_trivia()?;
                    let value = self.value(depth + 1)?;
                    members.push(JsonMember {
                        key,
                        key_range,
                        value: Some(value),
                    });
                    self.skip_trivia()?;
                    match self.bytes.get(self.pos)? {
                        b',' => self.pos += 1,
                        b'}' => {
                            self.pos += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                // Trees are kept (every function.json of an app): room for four or eight
                // members holding three or five would be a third of their size.
                members.shrink_to_fit();
                JsonKind::Object(members)
            }
            b'[' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_trivia()?;
                    if self.bytes.get(self.pos) == Some(&b']') {
                        self.pos += 1;
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    self.skip_trivia()?;
                    match self.bytes.get(self.pos)? {
                        b',' => self.pos += 1,
                        b']' => {
                            self.pos += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                items.shrink_to_fit();
                JsonKind::Array(items)
            }
            b'"' => JsonKind::String(self.string()?),
            b't' => self.word("true", JsonKind::Bool(true))?,
            b'f' => self.word("false", JsonKind::Bool(false))?,
            b'n' => self.word("null", JsonKind::Null)?,
            b'-' | b'0'..=b'9' => {
                while self.pos < self.bytes.len()
                    && matches!(
                        self.bytes[self.pos],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.pos += 1;
                }
                let number = &self.text[start..self.pos];
                number.parse::<f64>().ok()?;
                JsonKind::Number(number.to_string())
            }
            _ => return None,
        };
        Some(JsonValue {
            kind,
            range: TextRange::new(start, self.pos),
        })
    }

    fn word(&mut self, word: &str, kind: JsonKind) -> Option<JsonKind> {
        if self.text.get(self.pos..self.pos + word.len())? == word {
            self.pos += word.len();
            Some(kind)
        } else {
            None
        }
    }

    fn string(&mut self) -> Option<String> {
        if self.bytes.get(self.pos) != Some(&b'"') {
            return None;
        }
        let start = self.pos + 1;
        let mut i = start;
        let mut escaped = false;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'"' => {
                    let raw = &self.text[start..i];
                    self.pos = i + 1;
                    return Some(if escaped {
                        super::unescape(raw)
                    } else {
                        raw.to_string()
                    });
                }
                b'\\' => {
                    escaped = true;
                    i += 2;
                }
                b'\n' => return None,
                _ => i += 1,
            }
        }
        None
    }
}
