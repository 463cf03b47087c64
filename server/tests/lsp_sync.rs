//! Document synchronization: the server's text equals the client's after random incremental
//! edits (UTF-16 and UTF-8, CRLF, emoji, CJK), and requests never overtake earlier
//! notifications (the ordering stress test).

mod lsp_support;

use lsp_support::*;
use serde_json::{json, Value};

/// A small deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The client's model of positions, written independently of the server's code: lines end at
/// `\n`, `\r\n` or `\r`; columns count UTF-16 units or UTF-8 bytes.
fn position(text: &str, offset: usize, utf8: bool) -> Value {
    let mut line = 0;
    let mut line_start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < offset {
        match bytes[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => {
                line += 1;
                line_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let prefix = &text[line_start..offset];
    let col = if utf8 {
        prefix.len()
    } else {
        prefix.encode_utf16().count()
    };
    json!({"line": line, "character": col})
}

/// Char boundaries that are valid positions (not between `\r` and `\n`).
fn boundaries(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .filter(|&i| {
            !(i > 0 && text.as_bytes()[i - 1] == b'\r' && text.as_bytes().get(i) == Some(&b'\n'))
        })
        .collect()
}

const PIECES: &[&str] = &[
    "a",
    "def ",
    "é",
    "😀",
    "中文",
    "𝄞",
    "\r\n",
    "\n",
    " ",
    "x = \"🎉\"\r\n",
    "\"",
    "{",
    "}",
    "\r",
    "ß",
];

/// The edits since the last full text were parsed incrementally; replacing the whole text
/// (with itself) parses it from scratch: diagnostics and symbols must not differ.
async fn same_as_from_scratch(
    client: &mut TestClient,
    uri: &str,
    version: i32,
    text: &str,
    seed: u64,
) {
    let doc = json!({"textDocument": {"uri": uri}});
    let diagnostics = client.request("textDocument/diagnostic", doc.clone()).await;
    let symbols = client
        .request("textDocument/documentSymbol", doc.clone())
        .await;
    client.change(uri, version, json!([{ "text": text }])).await;
    let diagnostics_scratch = client.request("textDocument/diagnostic", doc.clone()).await;
    let symbols_scratch = client.request("textDocument/documentSymbol", doc).await;
    assert_eq!(
        diagnostics.unwrap()["items"],
        diagnostics_scratch.unwrap()["items"],
        "seed {seed} version {version}"
    );
    assert_eq!(
        symbols.unwrap(),
        symbols_scratch.unwrap(),
        "seed {seed} version {version}"
    );
}

async fn random_edits(utf8: bool, seed: u64) {
    let (_dir, root) = fixture("basic");
    let caps = if utf8 { pull_caps() } else { push_caps() };
    let mut client = TestClient::start(caps, &[&root], None).await;
    let expected_encoding = if utf8 { "utf-8" } else { "utf-16" };
    assert_eq!(
        client.init["capabilities"]["positionEncoding"],
        expected_encoding
    );
    let uri = file_uri(&root.join("HttpOk/__init__.py"));
    let mut text = std::fs::read_to_string(root.join("HttpOk/__init__.py"))
        .unwrap()
        .replace('\n', "\r\n");
    if utf8 {
        // Diagnostics are compared below: the document must belong to an indexed app.
        client.wait_indexed().await;
    }
    client.open(&uri, "python", 1, &text).await;
    let mut rng = Rng(seed);
    for version in 2..300 {
        let mut changes = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let b = boundaries(&text);
            let mut start = b[rng.below(b.len())];
            let mut end = b[rng.below(b.len())];
            if start > end {
                std::mem::swap(&mut start, &mut end);
            }
            if end - start > 12 {
                end = *b.iter().find(|&&x| x >= start + rng.below(12)).unwrap();
            }
            let insert: String = (0..rng.below(3))
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect();
            let range =
                json!({"start": position(&text, start, utf8), "end": position(&text, end, utf8)});
            let mut next = text.clone();
            next.replace_range(start..end, &insert);
            changes.push(json!({"range": range, "text": insert}));
            text = next;
        }
        client.change(&uri, version, Value::Array(changes)).await;
        if utf8 && version % 5 == 0 {
            same_as_from_scratch(&mut client, &uri, version, &text, seed).await;
        }
        if version % 25 == 0 {
            let (server, v) = client.server_text(&uri).await.unwrap();
            assert_eq!(v, version as i64);
            assert_eq!(server, text, "seed {seed} version {version}");
        }
    }
    let (server, _) = client.server_text(&uri).await.unwrap();
    assert_eq!(server, text);
    // A full-text change replaces everything.
    client
        .change(&uri, 400, json!([{"text": "reset ✓\r\n"}]))
        .await;
    assert_eq!(client.server_text(&uri).await.unwrap().0, "reset ✓\r\n");
    client.shutdown().await;
}

#[tokio::test]
async fn random_incremental_edits_utf16() {
    for seed in [1, 2, 3] {
        random_edits(false, 0x9E3779B97F4A7C15 ^ seed).await;
    }
}

#[tokio::test]
async fn random_incremental_edits_utf8() {
    for seed in [4, 5, 6] {
        random_edits(true, 0x9E3779B97F4A7C15 ^ seed).await;
    }
}

/// One session: single-character edits interleaved with requests, none awaited until the end;
/// every `azfunc/documentText` must see exactly the edits sent before it.
async fn ordering_session(session: u64) -> usize {
    let (_dir, root) = fixture("basic");
    let mut client = TestClient::start(push_caps(), &[&root], None).await;
    let uri = file_uri(&root.join("Mismatch/__init__.py"));
    let original = std::fs::read_to_string(root.join("Mismatch/__init__.py")).unwrap();
    client.open(&uri, "python", 1, &original).await;
    let mut rng = Rng(session * 7919 + 13);
    let mut typed = String::new();
    let mut pending = Vec::new();
    let line = original.lines().count() as u64;
    for i in 0..200 {
        let ch = ["a", "é", "😀", "中", "\n", " "][rng.below(6)];
        let at = position(&typed, typed.len(), false);
        let pos =
            json!({"line": line + at["line"].as_u64().unwrap(), "character": at["character"]});
        client
            .change(
                &uri,
                i + 2,
                json!([{"range": {"start": pos, "end": pos}, "text": ch}]),
            )
            .await;
        typed.push_str(ch);
        match rng.below(4) {
            0 => {
                let expected = format!("{original}{typed}");
                let (_, rx) = client
                    .start_request("azfunc/documentText", json!({"uri": uri}))
                    .await;
                pending.push((expected, i + 2, rx));
            }
            1 => {
                let _ = client
                    .start_request(
                        "textDocument/hover",
                        json!({"textDocument": {"uri": uri}, "position": {"line": 3, "character": 10}}),
                    )
                    .await;
            }
            2 => {
                let _ = client
                    .start_request(
                        "textDocument/completion",
                        json!({"textDocument": {"uri": uri}, "position": pos}),
                    )
                    .await;
            }
            _ => {}
        }
    }
    let checked = pending.len();
    for (expected, version, rx) in pending {
        let response = tokio::time::timeout(*TIMEOUT, rx).await.unwrap().unwrap();
        assert_eq!(response["result"]["version"], version, "session {session}");
        assert_eq!(
            response["result"]["text"].as_str().unwrap(),
            expected,
            "session {session}: a request overtook an edit"
        );
    }
    client.shutdown().await;
    checked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordering_stress_requests_never_overtake_edits() {
    let sessions: Vec<_> = (0..24).map(|s| tokio::spawn(ordering_session(s))).collect();
    let mut checked = 0;
    for s in sessions {
        checked += s.await.unwrap();
    }
    assert!(checked > 24 * 20, "only {checked} checks");
}
