#!/usr/bin/env bash
# Runs the fuzz targets for a while and prints how many inputs each one executed.
#
#   fuzz/run.sh TARGET SECONDS     one target
#   fuzz/run.sh --all SECONDS      every target (`cargo fuzz list`), one after the other
#
# Needs a nightly toolchain (FUZZ_TOOLCHAIN, default `nightly`); installs cargo-fuzz when it is
# missing. Each run starts from the committed seeds (fuzz/corpus/TARGET) plus what earlier runs
# found (fuzz/work/corpus/TARGET, not committed). A crash leaves its input in
# fuzz/artifacts/TARGET and makes the script exit 1; add it as a regression test.
# FUZZ_SANITIZER picks the sanitizer (default `none`: the code under test is safe Rust plus
# tree-sitter, and the runs go several times faster without one).
set -euo pipefail

usage() {
    echo "usage: $0 TARGET SECONDS | $0 --all SECONDS" >&2
    exit 2
}
[ $# -eq 2 ] || usage
what=$1
seconds=$2
case $seconds in '' | *[!0-9]*) usage ;; esac

cd "$(dirname "$0")"
toolchain=${FUZZ_TOOLCHAIN:-nightly}
sanitizer=${FUZZ_SANITIZER:-none}

if ! cargo "+$toolchain" fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo "+$toolchain" install cargo-fuzz --locked
fi

if [ "$what" = --all ]; then
    mapfile -t targets < <(cargo "+$toolchain" fuzz list)
else
    targets=("$what")
fi

# Build first, so the time given is spent fuzzing.
for target in "${targets[@]}"; do
    cargo "+$toolchain" fuzz build -s "$sanitizer" "$target"
done

failed=0
summary=()
for target in "${targets[@]}"; do
    mkdir -p "work/corpus/$target" "corpus/$target"
    log="work/$target.log"
    echo "== $target: ${seconds}s" >&2
    started=$(date +%s)
    status=0
    cargo "+$toolchain" fuzz run -s "$sanitizer" "$target" \
        "work/corpus/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=16384 -timeout=20 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    elapsed=$(($(date +%s) - started))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [ "$status" -ne 0 ]; then
        failed=1
        tail -n 40 "$log" >&2
        summary+=("$target: FAILED (exit $status) after ${runs:-?} executions, ${elapsed}s; see fuzz/artifacts/$target")
    else
        summary+=("$target: ${runs:-?} executions in ${elapsed}s")
    fi
done

printf '%s\n' "${summary[@]}"
exit "$failed"
