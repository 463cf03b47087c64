//! Edits applied one after another to a module of many definitions (re-using the previous syntax
//! tree and the summaries of unchanged definitions) give exactly the module summary and the
//! diagnostics of an analysis of the final text from scratch. Seeded random edits: inside
//! definitions, across their boundaries, decorators, imports, indentation, strings and comments.

use std::collections::BTreeMap;

use azfunc_lsp::analysis::state::AppState;
use azfunc_lsp::analysis::{AppInput, Config, FileContent};

const HTTP_JSON: &str = r#"{"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}]}"#;

/// A function.json app whose script defines helpers, classes and conditional code.
const V1_SCRIPT: &str = r#"import os
import azure.functions as func
from . import shared


def main(req: func.HttpRequest) -> func.HttpResponse:
    name = os.environ["NAME"]
    return func.HttpResponse(helper_0(len(name)))


def helper_0(value: int, scale: int = 2) -> int:
    total = value * scale
    return total


@decorate(1)
def helper_1(value: "int", *args, key=None, **kw) -> str:
    # a comment
    text = '''a
string'''
    return text


class Shape(Base, metaclass=Meta):
    def area(self) -> float:
        def inner():
            return 1
        return inner()

    @property
    def name(self):
        yield "shape"


if os.getenv("DEBUG"):
    def helper_2():
        pass

async def helper_3(x: list[int] | None = None) -> None:
    return None
"#;

/// A decorator-model script.
const V2_SCRIPT: &str = r#"import azure.functions as func

app = func.FunctionApp()


@app.route(route="hello", methods=["GET"])
def hello(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("hi")


@app.queue_trigger(arg_name="msg", queue_name="items", connection="Storage")
def consume(msg: func.QueueMessage) -> None:
    pass


def helper(value: int) -> int:
    return value + 1


@app.timer_trigger(schedule="0 */5 * * * *", arg_name="timer")
def tick(timer: func.TimerRequest) -> None:
    helper(1)
"#;

/// Text inserted by the edits: pieces of definitions, decorators, imports, indentation, strings
/// and comments.
const PIECES: &[&str] = &[
    "def ",
    "async ",
    "g(",
    "a: int",
    ", b=1",
    ")",
    ":",
    " -> str",
    "\n",
    "\n\n",
    "\n    ",
    "    ",
    "\t",
    "return x",
    "yield",
    "pass",
    "x",
    "é",
    "😀",
    "\"",
    "'''",
    "#",
    "# note\n",
    "(",
    "[",
    "]",
    "import os\n",
    "from .shared import y\n",
    "@app.route(route=\"r\")\n",
    "@decorate\n",
    "class C:\n",
    "x: int = 1\n",
    "helper_0",
    "\\",
    "lambda: 0",
    " ",
    "os.environ[\"K\"]",
];

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1) as u64) as usize
    }
}

/// The `\n`-based row and byte column of `offset`, as tree-sitter counts them.
fn point(text: &str, offset: usize) -> tree_sitter::Point {
    let before = &text[..offset];
    tree_sitter::Point {
        row: before.matches('\n').count(),
        column: offset - before.rfind('\n').map_or(0, |i| i + 1),
    }
}

/// A char boundary at or after `offset`.
fn boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

/// The byte offsets where lines start.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < text.len())
        .collect()
}

/// One random edit of `text`: the replaced range and the inserted text.
fn random_edit(text: &str, rng: &mut Rng) -> (usize, usize, String) {
    let lines = line_starts(text);
    let line = |rng: &mut Rng| lines.get(rng.below(lines.len())).copied().unwrap_or(0);
    let piece = |rng: &mut Rng| PIECES[rng.below(PIECES.len())].to_string();
    match rng.below(8) {
        // Typing inside a line (most keystrokes).
        0..=2 => {
            let at = boundary(text, line(rng) + rng.below(30));
            let insert = if rng.below(2) == 0 {
                "x".into()
            } else {
                piece(rng)
            };
            (at, at, insert)
        }
        // Deleting a few characters.
        3 => {
            let start = boundary(text, rng.below(text.len() + 1));
            (
                start,
                boundary(text, start + 1 + rng.below(8)),
                String::new(),
            )
        }
        // Deleting or replacing across lines (often across definitions).
        4 => {
            let start = line(rng);
            let end = boundary(text, start + rng.below(400));
            let insert = if rng.below(2) == 0 {
                String::new()
            } else {
                piece(rng)
            };
            (start, end, insert)
        }
        // Indenting or dedenting a line.
        5 => {
            let start = line(rng);
            if text[start..].starts_with("    ") && rng.below(2) == 0 {
                (start, start + 4, String::new())
            } else {
                (start, start, "    ".into())
            }
        }
        // A decorator, an import, a definition or a comment at the start of a line.
        6 => {
            let at = line(rng);
            let insert = match rng.below(5) {
                0 => "@decorate(2)\n",
                1 => "import json\n",
                2 => "def added(a, b: int = 3):\n    return a\n\n",
                3 => "# comment\n",
                _ => "\"\"\"\n",
            };
            (at, at, insert.into())
        }
        // Several pieces anywhere.
        _ => {
            let at = boundary(text, rng.below(text.len() + 1));
            let insert: String = (0..1 + rng.below(3)).map(|_| piece(rng)).collect();
            (at, at, insert)
        }
    }
}

/// A module's summary with its names in a stable order.
fn summary(state: &AppState, path: &str) -> String {
    match state.modules().get(path) {
        Some(module) => {
            let mut m = (**module).clone();
            let names: BTreeMap<_, _> = std::mem::take(&mut m.names).into_iter().collect();
            format!("{m:?} {names:?}")
        }
        None => "absent".into(),
    }
}

fn diagnostics(state: &mut AppState) -> String {
    format!("{:?}", state.diagnostics_by_file(&Config::default()))
}

fn input(files: &[(&str, &str)]) -> AppInput {
    files
        .iter()
        .fold(AppInput::new("app"), |app, (path, text)| {
            app.with_file(path, text)
        })
}

/// Applies `steps` random edits to `path` (seeded), comparing after each with an analysis of
/// the edited app from scratch.
fn session(files: &[(&str, &str)], path: &str, seed: u64, steps: usize) {
    let mut state = AppState::new(input(files));
    state.check_all();
    let mut text = files
        .iter()
        .find(|(p, _)| *p == path)
        .unwrap()
        .1
        .to_string();
    let (_, mut tree) = state.set_file_reusing(path, FileContent::Text(text.as_str().into()), None);
    let mut rng = Rng(seed);
    for step in 0..steps {
        let (start, end, insert) = random_edit(&text, &mut rng);
        let mut edited = text.clone();
        edited.replace_range(start..end, &insert);
        if let Some(t) = tree.as_mut() {
            t.edit(&tree_sitter::InputEdit {
                start_byte: start,
                old_end_byte: end,
                new_end_byte: start + insert.len(),
                start_position: point(&text, start),
                old_end_position: point(&text, end),
                new_end_position: point(&edited, start + insert.len()),
            });
        }
        text = edited;
        let (_, new_tree) =
            state.set_file_reusing(path, FileContent::Text(text.as_str().into()), tree.as_ref());
        tree = new_tree;
        let others: Vec<(&str, &str)> = files.iter().filter(|(p, _)| *p != path).copied().collect();
        let mut scratch = AppState::new(input(&others).with_file(path, &text));
        scratch.check_all();
        assert_eq!(
            summary(&state, path),
            summary(&scratch, path),
            "seed {seed} step {step}: {text:?}"
        );
        assert_eq!(
            diagnostics(&mut state),
            diagnostics(&mut scratch),
            "seed {seed} step {step}: {text:?}"
        );
    }
}

#[test]
fn edits_of_a_function_json_script_equal_a_fresh_analysis() {
    let files = [
        ("host.json", r#"{"version": "2.0"}"#),
        ("F/function.json", HTTP_JSON),
        ("F/__init__.py", V1_SCRIPT),
        ("F/shared.py", "y = 1\n"),
    ];
    for seed in 1..=12u64 {
        session(
            &files,
            "F/__init__.py",
            seed.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            40,
        );
    }
}

#[test]
fn edits_of_a_decorator_script_equal_a_fresh_analysis() {
    let files = [
        ("host.json", r#"{"version": "2.0"}"#),
        ("function_app.py", V2_SCRIPT),
        (
            "local.settings.json",
            r#"{"Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "Storage": "x"}}"#,
        ),
    ];
    for seed in 1..=12u64 {
        session(
            &files,
            "function_app.py",
            seed.wrapping_mul(0xD1B5_4A32_D192_ED03),
            40,
        );
    }
}
