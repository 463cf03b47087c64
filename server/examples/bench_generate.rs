//! Writes a synthetic function app for the benchmarks (scripts/bench/side_by_side.sh):
//! `bench_generate v1|v2 N DIR` writes N function folders (v1, `function.json` model) or N
//! decorated functions in blueprint modules (v2) under DIR and prints how many files it wrote.

#[path = "../benches/support/generate.rs"]
mod generate;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, n, dir] = args.as_slice() else {
        eprintln!("usage: bench_generate v1|v2 N DIR");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<usize>() else {
        eprintln!("N must be a number, not {n:?}");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    let written = match model.as_str() {
        "v1" => generate::generate_app(&dir, n),
        "v2" => generate::generate_app_v2(&dir, n),
        other => {
            eprintln!("the model is v1 or v2, not {other:?}");
            return ExitCode::from(2);
        }
    };
    match written {
        Ok(files) => {
            println!("{files}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("cannot write {}: {error}", dir.display());
            ExitCode::from(2)
        }
    }
}
