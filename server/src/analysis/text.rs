//! Byte ranges and line/column conversion. The core speaks UTF-8 byte offsets; the edges convert.

/// A half-open byte range `[start, end)` into a file's text.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    /// A range from `start` to `end`; the ends are swapped if given in the wrong order.
    pub fn new(start: usize, end: usize) -> TextRange {
        let (a, b) = if start <= end {
            (start, end)
        } else {
            (end, start)
        };
        TextRange {
            start: a as u32,
            end: b as u32,
        }
    }

    /// An empty range at `offset`.
    pub fn empty(offset: usize) -> TextRange {
        TextRange::new(offset, offset)
    }

    pub fn len(&self) -> u32 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Whether `offset` lies inside the range, its end included (a cursor right after a token
    /// still touches it).
    pub fn touches(&self, offset: usize) -> bool {
        self.start as usize <= offset && offset <= self.end as usize
    }

    pub fn as_usize(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A zero-based line and a zero-based column counted in the unit the caller asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Where an offset is, in both the encodings LSP positions use: worked out once from the text so
/// that a position can be given later without the text or its line index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCols {
    pub line: u32,
    /// The column in UTF-8 bytes.
    pub utf8: u32,
    /// The column in UTF-16 code units.
    pub utf16: u32,
}

/// A range's ends as [`LineCols`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RangeLines {
    pub start: LineCols,
    pub end: LineCols,
}

impl RangeLines {
    /// The ends of `range` in `text`, whose line index is `index`, as [`LineIndex::line_col`]
    /// gives them.
    pub fn of(index: &LineIndex, text: &str, range: TextRange) -> RangeLines {
        let at = |offset: u32| {
            let utf8 = index.line_col(text, offset as usize, ColumnUnit::Utf8);
            let utf16 = index.line_col(text, offset as usize, ColumnUnit::Utf16);
            LineCols {
                line: utf8.line,
                utf8: utf8.col,
                utf16: utf16.col,
            }
        };
        RangeLines {
            start: at(range.start),
            end: at(range.end),
        }
    }
}

/// How columns are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnUnit {
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units (LSP's default).
    Utf16,
    /// Unicode scalar values (what a person counts, used by the CLI).
    Char,
}

/// Line starts of one text, for byte ↔ line/column conversion. Lines end at `\n`, `\r\n` or a
/// lone `\r`, as LSP defines them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
    /// For texts with lines longer than [`CHECKPOINT_STRIDE`] (minified JSON): character counts
    /// from the start of the text every stride, so a column costs at most a stride to count.
    checkpoints: Vec<Checkpoint>,
}

/// Bytes between two checkpoints.
const CHECKPOINT_STRIDE: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Checkpoint {
    /// A character boundary at or just after a multiple of the stride.
    byte: u32,
    chars: u32,
    utf16: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0u32];
        let mut longest = 0;
        // Line breaks are found with a vectorised search: this runs over the whole of a large
        // module on every change made in an editor.
        let mut breaks = memchr::memchr2_iter(b'\n', b'\r', bytes);
        while let Some(i) = breaks.next() {
            let mut end = i;
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                // A CRLF is one break: skip its LF.
                breaks.next();
                end = i + 1;
            }
            line_starts.push(end as u32 + 1);
            let n = line_starts.len();
            longest = longest.max(line_starts[n - 1] - line_starts[n - 2]);
        }
        longest = longest.max(text.len() as u32 - line_starts[line_starts.len() - 1]);
        let checkpoints = if longest as usize > CHECKPOINT_STRIDE {
            checkpoints(text)
        } else {
            Vec::new()
        };
        LineIndex {
            line_starts,
            len: text.len() as u32,
            checkpoints,
        }
    }

    /// Characters (or UTF-16 units) from the start of the text to `offset`, a char boundary.
    fn count_to(&self, text: &str, offset: usize, unit: ColumnUnit) -> usize {
        let k = self
            .checkpoints
            .partition_point(|c| c.byte as usize <= offset);
        let (from, chars, utf16) = match k.checked_sub(1).map(|k| self.checkpoints[k]) {
            Some(c) => (c.byte as usize, c.chars as usize, c.utf16 as usize),
            None => (0, 0, 0),
        };
        let rest = &text[from..offset];
        match unit {
            ColumnUnit::Utf8 => offset,
            ColumnUnit::Utf16 => utf16 + rest.chars().map(char::len_utf16).sum::<usize>(),
            ColumnUnit::Char => chars + rest.chars().count(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where `line` starts, or `None` past the last line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).map(|&s| s as usize)
    }

    /// The line of a byte offset (offsets past the end are on the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len as usize) as u32;
        match self.line_starts.binary_search(&offset) {
            Ok(l) => l,
            Err(l) => l - 1,
        }
    }

    /// The byte range of `line` without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> Option<std::ops::Range<usize>> {
        let start = self.line_start(line)?;
        let mut end = self
            .line_starts
            .get(line + 1)
            .map(|&s| s as usize)
            .unwrap_or(text.len());
        let bytes = text.as_bytes();
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        Some(start..end)
    }

    /// Line and column of a byte offset. Offsets past the end clamp to the end; offsets inside a
    /// multi-byte character count from the character's start.
    pub fn line_col(&self, text: &str, offset: usize, unit: ColumnUnit) -> LineCol {
        let offset = offset.min(self.len as usize).min(text.len());
        let line = match self.line_starts.binary_search(&(offset as u32)) {
            Ok(l) => l,
            Err(l) => l - 1,
        };
        let start = self.line_starts[line] as usize;
        let mut end = offset;
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let prefix = &text[start..end];
        if prefix.len() > CHECKPOINT_STRIDE && !self.checkpoints.is_empty() {
            let col = self.count_to(text, end, unit) - self.count_to(text, start, unit);
            return LineCol {
                line: line as u32,
                col: col as u32,
            };
        }
        let col = match unit {
            ColumnUnit::Utf8 => prefix.len(),
            ColumnUnit::Utf16 => prefix.chars().map(char::len_utf16).sum(),
            ColumnUnit::Char => prefix.chars().count(),
        };
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// Byte offset of a line and column. A line past the end gives the text's end; a column past
    /// the end of its line clamps to the line's end (its line break excluded).
    pub fn offset(&self, text: &str, pos: LineCol, unit: ColumnUnit) -> usize {
        let Some(range) = self.line_range(text, pos.line as usize) else {
            return text.len();
        };
        let line_text = &text[range.clone()];
        let mut counted = 0usize;
        for (i, ch) in line_text.char_indices() {
            if counted >= pos.col as usize {
                return range.start + i;
            }
            counted += match unit {
                ColumnUnit::Utf8 => ch.len_utf8(),
                ColumnUnit::Utf16 => ch.len_utf16(),
                ColumnUnit::Char => 1,
            };
            if counted > pos.col as usize {
                // Inside a character: stay at its start.
                return range.start + i;
            }
        }
        range.end
    }
}

/// Character and UTF-16 counts at every [`CHECKPOINT_STRIDE`] bytes.
fn checkpoints(text: &str) -> Vec<Checkpoint> {
    let mut out = Vec::with_capacity(text.len() / CHECKPOINT_STRIDE + 1);
    let (mut chars, mut utf16) = (0u32, 0u32);
    let mut next = CHECKPOINT_STRIDE;
    for (i, c) in text.char_indices() {
        if i >= next {
            out.push(Checkpoint {
                byte: i as u32,
                chars,
                utf16,
            });
            next = (i / CHECKPOINT_STRIDE + 1) * CHECKPOINT_STRIDE;
        }
        chars += 1;
        utf16 += c.len_utf16() as u32;
    }
    out
}

/// A fixed string looked for in every file (whether a file needs a closer look): a vectorised
/// search, set up once for the process rather than on each call as `str::contains` does.
pub struct Needle {
    text: &'static str,
    finder: std::sync::OnceLock<memchr::memmem::Finder<'static>>,
}

impl Needle {
    pub const fn new(text: &'static str) -> Needle {
        Needle {
            text,
            finder: std::sync::OnceLock::new(),
        }
    }

    fn finder(&self) -> &memchr::memmem::Finder<'static> {
        self.finder
            .get_or_init(|| memchr::memmem::Finder::new(self.text))
    }

    /// Whether the needle occurs in `haystack`.
    pub fn is_in(&self, haystack: &str) -> bool {
        self.finder().find(haystack.as_bytes()).is_some()
    }

    /// How many times it occurs in `haystack`, not overlapping (`str::matches(..).count()`).
    pub fn count_in(&self, haystack: &str) -> usize {
        self.finder().find_iter(haystack.as_bytes()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_are_lf_crlf_and_lone_cr() {
        let index = LineIndex::new("a\r\r\nb\n\r\nc\r");
        let starts: Vec<usize> = (0..index.line_count())
            .filter_map(|l| index.line_start(l))
            .collect();
        assert_eq!(starts, [0, 2, 4, 6, 8, 10]);
    }

    #[test]
    fn columns_on_long_lines_match_counting() {
        // A minified line with multi-byte characters across checkpoint boundaries.
        let line: String = (0..5_000)
            .map(|i| if i % 7 == 0 { "é𝄞" } else { "ab" })
            .collect();
        let text = format!("first\n{line}\n{line}");
        let index = LineIndex::new(&text);
        assert!(!index.checkpoints.is_empty());
        let second = text.find('\n').unwrap() + 1;
        let mut offset = 0;
        while offset <= text.len() {
            if text.is_char_boundary(offset) {
                let start = index.line_start(index.line_of(offset)).unwrap();
                let prefix = &text[start..offset];
                for (unit, expected) in [
                    (ColumnUnit::Char, prefix.chars().count()),
                    (ColumnUnit::Utf16, prefix.chars().map(char::len_utf16).sum()),
                    (ColumnUnit::Utf8, prefix.len()),
                ] {
                    assert_eq!(index.line_col(&text, offset, unit).col as usize, expected);
                }
            }
            offset += if offset < second + 9000 { 1 } else { 997 };
        }
    }

    #[test]
    fn line_col_across_encodings_and_line_breaks() {
        let text = "aé𝄞b\r\nx\ry\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        let b = text.find('b').unwrap();
        assert_eq!(
            index.line_col(text, b, ColumnUnit::Utf8),
            LineCol { line: 0, col: 7 }
        );
        assert_eq!(
            index.line_col(text, b, ColumnUnit::Utf16),
            LineCol { line: 0, col: 4 }
        );
        assert_eq!(
            index.line_col(text, b, ColumnUnit::Char),
            LineCol { line: 0, col: 3 }
        );
        let y = text.find('y').unwrap();
        assert_eq!(
            index.line_col(text, y, ColumnUnit::Utf16),
            LineCol { line: 2, col: 0 }
        );
        assert_eq!(
            index.line_col(text, text.len() + 10, ColumnUnit::Utf8),
            LineCol { line: 3, col: 4 }
        );
    }

    #[test]
    fn offsets_clamp_and_round_trip() {
        let text = "aé𝄞b\r\nx";
        let index = LineIndex::new(text);
        let b = text.find('b').unwrap();
        for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Char] {
            let pos = index.line_col(text, b, unit);
            assert_eq!(index.offset(text, pos, unit), b);
        }
        // Past the end of line 0: clamps before the CRLF.
        assert_eq!(
            index.offset(text, LineCol { line: 0, col: 99 }, ColumnUnit::Utf16),
            text.find('\r').unwrap()
        );
        // Inside the surrogate pair of 𝄞: the character's start.
        let clef = text.find('𝄞').unwrap();
        assert_eq!(
            index.offset(text, LineCol { line: 0, col: 3 }, ColumnUnit::Utf16),
            clef
        );
        assert_eq!(
            index.offset(text, LineCol { line: 9, col: 0 }, ColumnUnit::Utf8),
            text.len()
        );
    }
}
