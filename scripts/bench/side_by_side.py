#!/usr/bin/env python3
"""`azfunc-lsp check` next to ruff's syntax-only pass and next to our own floor.

For each model (v1: function.json folders, v2: decorated functions in blueprint modules) and
each size, this generates an app, then times, in alternating rounds:

  ours   `azfunc-lsp check --no-cache --format json APP` (release build, output discarded)
  ruff   `ruff check --no-cache --isolated --select E9 --quiet --exit-zero APP`
  floor  `bench_floor APP`: walk + read + parse every .py/.json file with the same parsers and
         the same allocators as the binary

and prints the medians of wall and CPU (user + sys) time, peak RSS, the ratios ours/ruff and
ours/floor (wall, then CPU), and the scaling exponent of our wall and CPU time between
consecutive sizes (1.0 is linear). With --instructions, also the instructions ours and the floor
execute, counted by valgrind's callgrind (one run each: the count barely moves between runs, where
times on a shared machine move by tens of percent). With --cache, also our check with its cache (docs/cache.md, kept in the
scratch folder): warm (app unchanged since the last check) and after an edit of one function's
script (each round changes it). Needs cargo, python3 with venv, and network access once to install ruff into
a scratch virtual environment (or RUFF=/path/to/ruff).

    python3 scripts/bench/side_by_side.py                      # 1k, 10k, 50k; v1 and v2; 5 rounds
    python3 scripts/bench/side_by_side.py --sizes 1000 10000 --models v1 --rounds 3
    python3 scripts/bench/side_by_side.py --sizes 10000 --cache --rounds 3
    python3 scripts/bench/side_by_side.py --sizes 1000 --instructions --rounds 1
"""

import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_timed(argv):
    """Runs argv with stdout/stderr discarded; returns (wall s, user+sys s, peak RSS MB, exit)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss_kb = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    return wall, usage.ru_utime + usage.ru_stime, rss_kb / 1024, proc.returncode


def instructions(argv):
    """The instructions argv executes, all threads together, counted by callgrind."""
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if not found:
        sys.exit(f"callgrind counted nothing for {argv[0]}:\n{proc.stderr[-2000:]}")
    return int(found.group(1))


def build(target_dir, skip):
    cmd = [
        "cargo", "build", "--release", "--quiet", "-p", "azfunc-lsp",
        "--bin", "azfunc-lsp", "--example", "bench_generate", "--example", "bench_floor",
    ]
    env = dict(os.environ)
    if target_dir:
        env["CARGO_TARGET_DIR"] = str(target_dir)
    if not skip:
        subprocess.run(cmd, cwd=REPO, check=True, env=env)
    out = Path(target_dir) if target_dir else REPO / "target"
    release = out / "release"
    return release / "azfunc-lsp", release / "examples" / "bench_generate", release / "examples" / "bench_floor"


def ruff_binary(scratch):
    if os.environ.get("RUFF"):
        return os.environ["RUFF"]
    venv = scratch / "ruffvenv"
    ruff = venv / "bin" / "ruff"
    if not ruff.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "ruff"], check=True)
    return str(ruff)


def tree_size(root):
    files = 0
    size = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(dirpath, name))
    return files, size


def exponent(small, large, n_small, n_large):
    if small <= 0 or large <= 0:
        return float("nan")
    return math.log(large / small) / math.log(n_large / n_small)


def edited_script(app, model):
    """The script one edit changes: the first function's (v1) or the first blueprint module (v2)."""
    if model == "v1":
        folder = min(p for p in app.iterdir() if (p / "function.json").exists())
        return folder / "__init__.py"
    modules = sorted(p for p in app.rglob("*.py") if p.name not in ("function_app.py", "__init__.py"))
    return modules[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--models", nargs="+", default=["v1", "v2"], choices=["v1", "v2"])
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each tool (median)")
    parser.add_argument("--scratch", type=Path, help="where apps and the ruff venv go (kept)")
    parser.add_argument("--target-dir", type=Path, help="cargo target dir (default: target/)")
    parser.add_argument("--exe", type=Path, help="check with this azfunc-lsp instead of the build")
    parser.add_argument("--no-build", action="store_true", help="use the release build as it is")
    parser.add_argument("--cache", action="store_true",
                        help="also time our check with its cache: warm, and after one edit")
    parser.add_argument("--instructions", action="store_true",
                        help="also count the instructions of ours and of the floor (valgrind)")
    args = parser.parse_args()
    if args.instructions and not shutil.which("valgrind"):
        sys.exit("--instructions needs valgrind")

    scratch = args.scratch or Path(tempfile.gettempdir()) / "azfunc-side-by-side"
    scratch.mkdir(parents=True, exist_ok=True)
    ours, generate, floor = build(args.target_dir, args.no_build)
    if args.exe:
        ours = args.exe
    # Builds without a cache have no --no-cache flag (and nothing to turn off).
    check_help = subprocess.run([str(ours), "check", "--help"], capture_output=True, text=True)
    no_cache = ["--no-cache"] if "--no-cache" in check_help.stdout else []
    if args.cache and not no_cache:
        sys.exit(f"{ours} has no check cache")
    ruff = ruff_binary(scratch)
    version = subprocess.run([ruff, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{os.cpu_count()} CPUs; {version}; {args.rounds} rounds, medians; time in s, RSS in MB")
    header = (
        f"{'model':<5} {'N':>6} {'files':>6} {'MB':>5} | {'ours wall':>9} {'cpu':>5} {'RSS':>5}"
        f" | {'ruff wall':>9} {'cpu':>5} | {'ours/ruff':>9} | {'floor':>5} {'cpu':>5}"
        f" {'ours/floor':>10} {'cpu':>5} | {'exp wall':>8} {'cpu':>5}"
    )
    if args.cache:
        header += f" | {'warm wall':>9} {'cpu':>5} {'RSS':>5} | {'edit wall':>9} {'cpu':>5}"
    if args.instructions:
        header += f" | {'ours Minstr':>11} {'floor':>7} {'ratio':>5}"
    print(header)
    print("-" * len(header))
    for model in args.models:
        previous = None
        for n in args.sizes:
            app = scratch / f"{model}-{n}"
            if not app.exists():
                shutil.rmtree(app.with_suffix(".tmp"), ignore_errors=True)
                subprocess.run([str(generate), model, str(n), str(app.with_suffix(".tmp"))],
                               check=True, stdout=subprocess.DEVNULL)
                app.with_suffix(".tmp").rename(app)
            files, size = tree_size(app)
            commands = {
                "ours": [str(ours), "check", *no_cache, "--format", "json", str(app)],
                "ruff": [ruff, "check", "--no-cache", "--isolated", "--select", "E9",
                         "--quiet", "--exit-zero", str(app)],
                "floor": [str(floor), str(app)],
            }
            for argv in commands.values():  # warm the page cache
                run_timed(argv)
            samples = {name: [] for name in commands}
            for _ in range(args.rounds):
                for name, argv in commands.items():
                    wall, cpu, rss, code = run_timed(argv)
                    if name == "ours" and code not in (0, 1):
                        sys.exit(f"azfunc-lsp check failed on {app} (exit {code})")
                    samples[name].append((wall, cpu, rss))
            if args.cache:
                cached = [str(ours), "check", "--cache-dir", str(scratch / "cache"),
                          "--format", "json", str(app)]
                script = edited_script(app, model)
                original = script.read_text()
                run_timed(cached)  # first run: checks and records
                samples["warm"], samples["edit"] = [], []
                for i in range(args.rounds):
                    samples["warm"].append(run_timed(cached)[:3])
                    script.write_text(original + f"\nEDITED = {i}\n")
                    samples["edit"].append(run_timed(cached)[:3])
                script.write_text(original)
                run_timed(cached)
            counted = {
                name: instructions(commands[name]) for name in ("ours", "floor")
            } if args.instructions else {}
            med = {
                name: tuple(statistics.median(s[i] for s in runs) for i in range(3))
                for name, runs in samples.items()
            }
            (ow, oc, orss), (rw, rc, _), (fw, fc, _) = med["ours"], med["ruff"], med["floor"]
            if previous:
                pn, pw, pc = previous
                exps = f"{exponent(pw, ow, pn, n):>8.2f} {exponent(pc, oc, pn, n):>5.2f}"
            else:
                exps = f"{'':>8} {'':>5}"
            print(
                f"{model:<5} {n:>6} {files:>6} {size / 1e6:>5.1f} | {ow:>9.3f} {oc:>5.2f} {orss:>5.0f}"
                f" | {rw:>9.3f} {rc:>5.2f} | {ow / rw:>9.2f} | {fw:>5.3f} {fc:>5.2f}"
                f" {ow / fw:>10.2f} {oc / fc:>5.2f} | {exps}"
                + (
                    f" | {med['warm'][0]:>9.3f} {med['warm'][1]:>5.2f} {med['warm'][2]:>5.0f}"
                    f" | {med['edit'][0]:>9.3f} {med['edit'][1]:>5.2f}"
                    if args.cache else ""
                )
                + (
                    f" | {counted['ours'] / 1e6:>11.1f} {counted['floor'] / 1e6:>7.1f}"
                    f" {counted['ours'] / counted['floor']:>5.2f}"
                    if args.instructions else ""
                ),
                flush=True,
            )
            previous = (n, ow, oc)


if __name__ == "__main__":
    main()
