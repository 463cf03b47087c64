//! What the fuzz targets share: splitting one input into several files, and the properties every
//! analysis result must have whatever the input.

use azfunc_lsp::analysis::edits;
use azfunc_lsp::analysis::ide::{completion, fixes, hover, navigation, symbols};
use azfunc_lsp::analysis::state::AppState;
use azfunc_lsp::analysis::text::TextRange;
use azfunc_lsp::analysis::{check_app, AppInput, Config, Diagnostic, FileContent};

/// Separates the files of one input (the seed corpus uses it; the fuzzer learns it from there).
pub const SEPARATOR: &[u8] = b"\n#~~~#\n";

/// `data` cut at [`SEPARATOR`] into at most `n` parts (the last one keeps any further separators).
pub fn split(data: &[u8], n: usize) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while parts.len() + 1 < n {
        match rest.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
            Some(at) => {
                parts.push(&rest[..at]);
                rest = &rest[at + SEPARATOR.len()..];
            }
            None => break,
        }
    }
    parts.push(rest);
    parts
}

/// A JSON file as the loader reads it (invalid UTF-8 replaced, a UTF-8 byte order mark dropped).
pub fn json_file(bytes: &[u8]) -> FileContent {
    let text = String::from_utf8_lossy(bytes);
    FileContent::Text(text.strip_prefix('\u{feff}').unwrap_or(&text).into())
}

/// A Python file as the loader reads it (strict UTF-8).
pub fn python_file(bytes: &[u8]) -> FileContent {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => FileContent::Text(text.into()),
        Err(_) => FileContent::NotUtf8,
    }
}

/// Asserts that `range` lies inside `text` on character boundaries (every consumer slices with
/// it).
pub fn assert_range(text: &str, range: TextRange, what: &str) {
    let (start, end) = (range.start as usize, range.end as usize);
    assert!(
        start <= end && end <= text.len(),
        "{what}: range {start}..{end} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: range {start}..{end} splits a character"
    );
}

/// The properties of one diagnostic: it points into an existing file, at a valid range, and its
/// message shows no raw control character.
pub fn assert_diagnostic(app: &AppInput, d: &Diagnostic) {
    assert!(
        app.exists(&d.file) || d.range == TextRange::empty(0),
        "{} on a file that does not exist: {}",
        d.code,
        d.file
    );
    if let Some(text) = app.text(&d.file) {
        assert_range(text, d.range, d.code.as_str());
    }
    assert!(
        !d.message.chars().any(char::is_control),
        "{}: control character in {:?}",
        d.code,
        d.message
    );
    for fix in &d.fixes {
        for edit in &fix.edits {
            if let Some(text) = app.text(&edit.file) {
                assert_range(text, edit.range, &fix.title);
            }
        }
    }
}

/// Checks `app` as `check` does and as the server does, asserts they agree, and exercises the
/// editor features at a few offsets chosen from `seed`. Returns the diagnostics.
pub fn analyse_everything(app: &AppInput, seed: &[u8]) -> Vec<Diagnostic> {
    let config = Config::default();
    let diagnostics = check_app(app, &config);
    for d in &diagnostics {
        assert_diagnostic(app, d);
    }

    // The server's incremental state must report exactly what `check` reports.
    let mut state = AppState::new(app.clone());
    state.check_all();
    assert_server_reports(&mut state, &diagnostics, "check and the server disagree");

    let files: Vec<String> = app
        .files
        .iter()
        .filter(|(_, c)| c.text().is_some())
        .map(|(p, _)| p.clone())
        .collect();
    for file in &files {
        let text = app.text(file).unwrap_or("");
        let mut offsets = vec![0, text.len() / 2, text.len()];
        offsets.extend(seed.iter().take(4).map(|b| *b as usize * text.len() / 255));
        for offset in offsets {
            let offset = (0..=offset.min(text.len()))
                .rev()
                .find(|&o| text.is_char_boundary(o))
                .unwrap_or(0);
            for item in completion::completions(&state, file, offset) {
                let _ = item;
            }
            let _ = hover::hover(&state, file, offset);
            for target in navigation::definition(&state, file, offset) {
                let _ = target;
            }
            for r in navigation::references(&state, file, offset, true) {
                if let Some(t) = app.text(&r.file) {
                    assert_range(t, r.range, "reference");
                }
            }
            let _ = navigation::prepare_rename(&state, file, offset);
            if let Ok(edits) = navigation::rename(&state, file, offset, "renamed_name") {
                for e in edits {
                    if let Some(t) = app.text(&e.file) {
                        assert_range(t, e.range, "rename");
                    }
                }
            }
            let _ = fixes::fixes_at(&state, file, offset);
        }
        let _ = symbols::document_symbols(&state, file);
        let _ = symbols::code_lenses(&state, file);
        let _ = symbols::inlay_hints(&state, file, TextRange::new(0, text.len()));
        let _ = navigation::document_links(&state, file);
    }
    let _ = symbols::workspace_symbols(&state, "");
    // "Fix all" gives edits that apply together, file by file.
    let all = fixes::fix_all(&state, &diagnostics);
    let mut edited: Vec<&str> = all.edits.iter().map(|e| e.file.as_str()).collect();
    edited.sort();
    edited.dedup();
    for file in edited {
        let edits: Vec<_> = all.edits.iter().filter(|e| e.file == file).collect();
        if let Some(text) = app.text(file) {
            for e in &edits {
                assert_range(text, e.range, "fix all");
            }
            assert!(
                edits::apply_edits(text, &edits).is_some(),
                "fix all gives clashing edits in {file}"
            );
        }
    }
    diagnostics
}

/// Sets `file` to each of `texts` in turn in the server's incremental state of `app`; after each,
/// the state must report exactly what `check` reports for the app with that text.
pub fn assert_edits_end_where_check_does(app: &AppInput, file: &str, texts: &[String]) {
    let mut state = AppState::new(app.clone());
    state.check_all();
    let mut now = app.clone();
    for text in texts {
        let content = FileContent::Text(std::sync::Arc::from(text.as_str()));
        state.set_file(file, content.clone());
        now.files.insert(file.to_string(), content);
        let diagnostics = check_app(&now, &Config::default());
        assert_server_reports(
            &mut state,
            &diagnostics,
            "check and the server disagree after an edit",
        );
    }
}

/// `state` reports the diagnostics `check` reported (each place, code and message once).
fn assert_server_reports(state: &mut AppState, diagnostics: &[Diagnostic], message: &str) {
    let key = |d: &Diagnostic| (d.file.clone(), d.range, d.code, d.message.clone());
    let mut from_server: Vec<_> = state
        .diagnostics_by_file(&Config::default())
        .into_values()
        .flatten()
        .map(|d| key(&d))
        .collect();
    let mut from_check: Vec<_> = diagnostics.iter().map(key).collect();
    from_server.sort();
    from_server.dedup();
    from_check.sort();
    from_check.dedup();
    assert_eq!(from_check, from_server, "{message}");
}
