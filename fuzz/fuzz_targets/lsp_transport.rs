//! The LSP framing guard's decoder on arbitrary bytes: it never panics, never holds more than
//! one header block or one body (up to its limit) plus the chunk being pushed, decodes the same
//! frames whatever the chunking, and after garbage that announces no body of its own it delivers
//! every well-formed frame that follows.

#![no_main]

use azfunc_lsp::lsp::transport::{Frame, FrameDecoder, MAX_HEADER_BLOCK};
use libfuzzer_sys::fuzz_target;

const MAX_BODY: usize = 4096;

/// Every frame decoded from `input` pushed in chunks whose sizes come from `sizes`.
fn decode(input: &[u8], sizes: &[u8]) -> Vec<Frame> {
    let mut decoder = FrameDecoder::new(MAX_BODY);
    let mut out = Vec::new();
    let mut rest = input;
    let mut i = 0;
    while !rest.is_empty() {
        let size = sizes
            .get(i)
            .map_or(rest.len(), |&s| s as usize + 1)
            .min(rest.len());
        i += 1;
        decoder.push(&rest[..size]);
        rest = &rest[size..];
        while let Some(frame) = decoder.next_frame() {
            out.push(frame);
        }
        assert!(
            decoder.buffered() <= MAX_HEADER_BLOCK + MAX_BODY + size,
            "holds {} bytes",
            decoder.buffered()
        );
    }
    out.extend(decoder.finish());
    out
}

fn bodies(frames: &[Frame]) -> Vec<&[u8]> {
    frames
        .iter()
        .filter_map(|f| match f {
            Frame::Body(b) => Some(b.as_slice()),
            Frame::Bad(_) => None,
        })
        .collect()
}

fn mentions_content_length(bytes: &[u8]) -> bool {
    bytes
        .windows(b"content-length".len())
        .any(|w| w.eq_ignore_ascii_case(b"content-length"))
}

fuzz_target!(|data: &[u8]| {
    // Layout: [garbage length][chunk sizes (16 bytes)][garbage][frame texts...].
    let Some((&garbage_len, rest)) = data.split_first() else {
        return;
    };
    let sizes = &rest[..rest.len().min(16)];
    let rest = &rest[sizes.len()..];
    let (garbage, texts) = rest.split_at((garbage_len as usize).min(rest.len()));

    // Raw input: same frames in any chunking.
    let whole = decode(rest, &[]);
    let chunked = decode(rest, sizes);
    assert_eq!(bodies(&whole), bodies(&chunked));

    // Garbage, then well-formed frames (JSON bodies made from the remaining bytes).
    let expected: Vec<Vec<u8>> = texts
        .split(|&b| b == 0xff)
        .take(8)
        .map(|t| serde_json::to_vec(&serde_json::json!({"t": String::from_utf8_lossy(t)})).unwrap())
        .filter(|b| b.len() <= MAX_BODY)
        .collect();
    let mut input = garbage.to_vec();
    for body in &expected {
        input.extend(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        input.extend(body);
    }
    let frames = decode(&input, sizes);
    if !mentions_content_length(garbage) {
        let got = bodies(&frames);
        let expected: Vec<&[u8]> = expected.iter().map(Vec::as_slice).collect();
        assert_eq!(got, expected, "frames after garbage lost: {frames:?}");
    }
});
