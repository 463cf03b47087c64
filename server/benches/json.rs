//! The JSON reader's two paths on the JSON files of the generated 10,000-function app (the same
//! app as `benches/check.rs`): the strict fast path that `json::parse` tries first, and the
//! tree-sitter reader it falls back to. The fast path is kept only while it is clearly faster on
//! well-formed files, the files nearly every app consists of. Run with
//! `cargo bench --bench json` (`AZFUNC_BENCH_FUNCTIONS` sets N, `AZFUNC_BENCH_RUNS` the
//! repetitions).

#[path = "support/generate.rs"]
mod generate;

use std::time::{Duration, Instant};

use azfunc_lsp::analysis::json;
use azfunc_lsp::analysis::FileContent;
use azfunc_lsp::loader::load_app;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let n: usize = std::env::var("AZFUNC_BENCH_FUNCTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let runs: usize = std::env::var("AZFUNC_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    generate::generate_app(&root, n).unwrap();
    let app = load_app(&root, "app".into());
    let texts: Vec<&str> = app
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".json"))
        .filter_map(|(_, c)| match c {
            FileContent::Text(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    println!(
        "{} JSON files, {:.1} MB, single thread",
        texts.len(),
        bytes as f64 / 1e6
    );

    // Both paths read every file the same: the comparison is of speed only.
    for t in &texts {
        let fast = json::parse_fast(t).expect("the generated files are well-formed");
        assert_eq!(json::parse_tolerant(t).value, Some(fast));
    }

    let mut timings: Vec<(&str, Vec<Duration>)> = vec![
        ("json::parse (fast path)", Vec::new()),
        ("tree-sitter reader alone", Vec::new()),
    ];
    for _ in 0..runs {
        let t = Instant::now();
        for text in &texts {
            std::hint::black_box(json::parse(std::hint::black_box(text)));
        }
        timings[0].1.push(t.elapsed());
        let t = Instant::now();
        for text in &texts {
            std::hint::black_box(json::parse_tolerant(std::hint::black_box(text)));
        }
        timings[1].1.push(t.elapsed());
    }
    let medians: Vec<Duration> = timings.iter().map(|(_, v)| median(v.clone())).collect();
    for ((name, _), m) in timings.iter().zip(&medians) {
        println!(
            "{name:<26} median {:>8.1} ms  ({:.2} µs per file, {:.0} MB/s)",
            m.as_secs_f64() * 1e3,
            m.as_secs_f64() * 1e6 / texts.len() as f64,
            bytes as f64 / 1e6 / m.as_secs_f64()
        );
    }
    println!(
        "tree-sitter / fast: {:.1}x",
        medians[1].as_secs_f64() / medians[0].as_secs_f64()
    );
}
