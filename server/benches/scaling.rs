//! How `check` scales on hostile inputs: each case of `support/hostile.rs` is generated at N and
//! 4N and checked by the release binary under `/usr/bin/time`; the table shows wall time, peak
//! RSS and output size, and the 4N/N ratios (linear work gives about 4, quadratic about 16).
//!
//! Run with `cargo bench --bench scaling` (optionally `-- CASE...` to pick cases).
//! `AZFUNC_HOSTILE_EXE` checks with another binary (e.g. an older build, for comparison);
//! `AZFUNC_HOSTILE_DIR` keeps the generated apps there (`CASE-N/`).

#[path = "support/hostile.rs"]
mod hostile;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Run {
    seconds: f64,
    rss_mb: f64,
    output_bytes: u64,
    exit: Option<i32>,
}

/// Runs `exe check root --format format` under GNU time, counting stdout without keeping it.
fn run(exe: &str, root: &Path, format: &str) -> Run {
    let report = root.with_extension("time");
    let mut child = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%e %M %x")
        .arg("-o")
        .arg(&report)
        .arg(exe)
        .arg("check")
        .arg(root)
        .args(["--format", format])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("/usr/bin/time runs");
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = vec![0u8; 1 << 16];
    let mut output_bytes = 0u64;
    loop {
        match stdout.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(k) => output_bytes += k as u64,
        }
    }
    child.wait().unwrap();
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let last = text.lines().last().unwrap_or("");
    let mut fields = last.split_whitespace();
    let seconds = fields
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::NAN);
    let rss_kb: f64 = fields
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::NAN);
    let exit = fields.next().and_then(|s| s.parse().ok());
    Run {
        seconds,
        rss_mb: rss_kb / 1024.0,
        output_bytes,
        exit,
    }
}

fn input_size(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let meta = entry.metadata().unwrap();
        total += if meta.is_dir() {
            input_size(&entry.path())
        } else {
            meta.len()
        };
    }
    total
}

fn main() {
    let exe = std::env::var("AZFUNC_HOSTILE_EXE")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_azfunc-lsp").to_string());
    let picked: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let temp = tempfile::tempdir().unwrap();
    let base: PathBuf = std::env::var_os("AZFUNC_HOSTILE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| temp.path().to_path_buf());
    println!("checking with {exe}");
    println!(
        "{:<18} {:>7} {:>10} {:>9} {:>10} {:>12} {:>5}",
        "case", "N", "input KB", "time s", "RSS MB", "output KB", "exit"
    );
    for case in hostile::CASES {
        if !picked.is_empty() && !picked.iter().any(|p| p == case.name) {
            continue;
        }
        let mut runs = Vec::new();
        for n in [case.n, 4 * case.n] {
            let root = base.join(format!("{}-{n}", case.name));
            let _ = std::fs::remove_dir_all(&root);
            (case.generate)(&root, n).unwrap();
            let r = run(&exe, &root, case.format);
            println!(
                "{:<18} {:>7} {:>10.0} {:>9.2} {:>10.1} {:>12.0} {:>5}",
                case.name,
                n,
                input_size(&root) as f64 / 1024.0,
                r.seconds,
                r.rss_mb,
                r.output_bytes as f64 / 1024.0,
                r.exit.map_or("?".to_string(), |c| c.to_string()),
            );
            runs.push(r);
        }
        let (small, large) = (&runs[0], &runs[1]);
        println!(
            "{:<18} 4N/N: time x{:.1}, output x{:.1} (linear: about 4)",
            case.name,
            large.seconds / small.seconds.max(0.01),
            large.output_bytes as f64 / small.output_bytes.max(1) as f64,
        );
    }
}
