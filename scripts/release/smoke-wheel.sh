#!/usr/bin/env bash
# Installs a built wheel into a fresh virtual environment and runs what users run first:
# `azfunc-lsp --version`, `python -m azfunc_lsp --version`, and `azfunc-lsp check` on
# examples/orders-app (exit 1 with its five known errors).
# Usage: scripts/release/smoke-wheel.sh WHEEL [PYTHON]      Prints `smoke-wheel: N passed, M failed`.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
wheel=${1:?usage: smoke-wheel.sh WHEEL [PYTHON]}
python=${2:-$(command -v python3 || command -v python)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; shift; printf '     %s\n' "$@"; }

"$python" -m venv "$work/venv" || { echo "smoke-wheel: cannot create a venv with $python" >&2; exit 2; }
bin=$work/venv/bin
[ -d "$work/venv/Scripts" ] && bin=$work/venv/Scripts
t0=$EPOCHREALTIME
if "$bin/python" -m pip install --quiet --disable-pip-version-check "$wheel"; then
  ok "pip install $(basename "$wheel") ($(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s)"
else
  fail "pip install $(basename "$wheel")"
fi
version=$(sed -n '/^\[package\]/,/^\[/ s/^version *= *"\([^"]*\)".*/\1/p' "$repo/server/Cargo.toml" | head -n 1)

got=$("$bin/azfunc-lsp" --version 2>&1)
if [ "$got" = "azfunc-lsp $version" ]; then ok "azfunc-lsp --version: $got"; else fail "azfunc-lsp --version" "$got"; fi
got=$("$bin/python" -m azfunc_lsp --version 2>&1)
if [ "$got" = "azfunc-lsp $version" ]; then ok "python -m azfunc_lsp --version: $got"; else fail "python -m azfunc_lsp --version" "$got"; fi
located=$("$bin/python" -c 'import azfunc_lsp; print(azfunc_lsp.find_azfunc_lsp_bin())' 2>&1)
case $located in
  "$work"/venv/*) ok "find_azfunc_lsp_bin() finds the venv's binary" ;;
  *) fail "find_azfunc_lsp_bin()" "$located" ;;
esac

out=$(cd "$repo" && "$bin/azfunc-lsp" check --color never examples/orders-app 2>&1)
status=$?
errors=$(grep -c ': error\[AZF' <<<"$out")
if [ "$status" = 1 ] && [ "$errors" = 4 ] && grep -q '^Found 4 errors, 1 warning' <<<"$out"; then
  ok "azfunc-lsp check examples/orders-app: exit 1, the 4 known errors and 1 warning"
else
  fail "azfunc-lsp check examples/orders-app" "exit $status, $errors errors" "$out"
fi
out=$(cd "$repo" && "$bin/python" -m azfunc_lsp check --format json examples/orders-app/NightlyReport/function.json 2>&1)
status=$?
if [ "$status" = 0 ] && grep -q '"code": "AZF122"' <<<"$out"; then
  ok "python -m azfunc_lsp check FILE: exit 0, the warning AZF122"
else
  fail "python -m azfunc_lsp check FILE" "exit $status" "$out"
fi

echo "smoke-wheel: $passed passed, $failed failed"
[ "$failed" = 0 ]
