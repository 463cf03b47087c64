//! `check` on a generated app of 10,000 function folders, next to the time it takes only to read
//! and parse the same files with the same parsers. Run with `cargo bench --bench check`
//! (`AZFUNC_BENCH_FUNCTIONS` sets N, `AZFUNC_BENCH_RUNS` the repetitions, `AZFUNC_BENCH_DIR` keeps
//! the generated app in that folder).

#[path = "support/generate.rs"]
mod generate;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use azfunc_lsp::analysis::{check_app, Config, FileContent};
use azfunc_lsp::loader::load_app;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn fmt(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Reads every file and parses each JSON file with the checker's JSON reader (its fast path, as
/// for any well-formed file) and each Python file with tree-sitter-python: the floor any checker
/// built on these parsers has to pay.
fn read_and_parse(root: &Path) -> usize {
    use rayon::prelude::*;
    let app = load_app(root, "app".into());
    let texts: Vec<(&String, &str)> = app
        .files
        .iter()
        .filter_map(|(p, c)| match c {
            FileContent::Text(t) => Some((p, t.as_ref())),
            _ => None,
        })
        .collect();
    texts
        .par_iter()
        .map_init(
            || {
                let mut py = tree_sitter::Parser::new();
                py.set_language(&tree_sitter_python::LANGUAGE.into())
                    .unwrap();
                py
            },
            |py, (path, text)| {
                if path.ends_with(".py") {
                    py.parse(text, None)
                        .map(|t| t.root_node().child_count() as usize)
                        .unwrap_or(0)
                } else if path.ends_with(".json") {
                    azfunc_lsp::analysis::json::parse(text).errors.len()
                } else {
                    0
                }
            },
        )
        .sum()
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
    // `AZFUNC_BENCH_DIR` keeps the generated app there (for profiling the binary on it).
    let dir = tempfile::tempdir().unwrap();
    let root = match std::env::var_os("AZFUNC_BENCH_DIR") {
        Some(d) => std::path::PathBuf::from(d),
        None => dir.path().join("app"),
    };
    let files = generate::generate_app(&root, n).unwrap();
    let bytes: u64 = walk_size(&root);
    println!(
        "generated {n} functions: {files} files, {:.1} MB",
        bytes as f64 / 1e6
    );

    // Warm the page cache once, as every later run sees it.
    let _ = read_and_parse(&root);

    let mut baseline = Vec::new();
    let mut in_process = Vec::new();
    let mut diagnostics = 0;
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(read_and_parse(&root));
        baseline.push(t.elapsed());

        let t = Instant::now();
        let app = load_app(&root, "app".into());
        let d = check_app(&app, &Config::default());
        in_process.push(t.elapsed());
        diagnostics = d.len();
    }
    println!(
        "read + parse only:                median {} (min {})",
        fmt(median(baseline.clone())),
        fmt(*baseline.iter().min().unwrap())
    );
    println!(
        "check, in process (load + rules): median {} (min {}), {diagnostics} diagnostics",
        fmt(median(in_process.clone())),
        fmt(*in_process.iter().min().unwrap())
    );
    println!(
        "ratio check / read+parse: {:.2}",
        median(in_process).as_secs_f64() / median(baseline).as_secs_f64()
    );

    // The whole command, as CI runs it: process start, discovery, check, JSON output. Cold
    // (`--no-cache`), then warm: the app unchanged since a first run kept its cache.
    let exe = env!("CARGO_BIN_EXE_azfunc-lsp");
    let cache = dir.path().join("cache");
    let cli_run = |cache_args: &[&std::ffi::OsStr]| {
        let t = Instant::now();
        let out = Command::new(exe)
            .args(["check", "--format", "json"])
            .args(cache_args)
            .arg(&root)
            .output()
            .unwrap();
        assert!(
            out.status.code() == Some(1),
            "the generated app has mistakes: exit 1"
        );
        t.elapsed()
    };
    let cold: Vec<Duration> = (0..runs)
        .map(|_| cli_run(&["--no-cache".as_ref()]))
        .collect();
    println!(
        "`azfunc-lsp check --format json --no-cache` wall time: median {} (min {})",
        fmt(median(cold.clone())),
        fmt(*cold.iter().min().unwrap())
    );
    let with_cache = ["--cache-dir".as_ref(), cache.as_os_str()];
    cli_run(&with_cache);
    // Files changed within 2 s of a record are read again on the next run (racily clean).
    std::thread::sleep(Duration::from_millis(2100));
    let warm: Vec<Duration> = (0..runs).map(|_| cli_run(&with_cache)).collect();
    println!(
        "`azfunc-lsp check --format json`, warm (unchanged): median {} (min {})",
        fmt(median(warm.clone())),
        fmt(*warm.iter().min().unwrap())
    );

    // For comparison, when ruff is on PATH: the syntax-only pass of the fastest Python linter.
    let ruff = Command::new("ruff").arg("--version").output();
    if ruff.is_ok_and(|o| o.status.success()) {
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let _ = Command::new("ruff")
                .args([
                    "check",
                    "--select",
                    "E9",
                    "--no-cache",
                    "--quiet",
                    "--exit-zero",
                ])
                .arg(&root)
                .output();
            times.push(t.elapsed());
        }
        println!(
            "`ruff check --select E9 --no-cache` wall time: median {} (min {})",
            fmt(median(times.clone())),
            fmt(*times.iter().min().unwrap())
        );
    } else {
        println!("ruff not on PATH: skipped the comparison (pip install ruff)");
    }
}

fn walk_size(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        total += if meta.is_dir() {
            walk_size(&entry.path())
        } else {
            meta.len()
        };
    }
    total
}
