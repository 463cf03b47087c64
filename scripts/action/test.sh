#!/usr/bin/env bash
# Tests of scripts/action/run.sh (what action.yml runs) under a simulated GitHub runner
# (GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, INPUT_*), on copies of
# examples/orders-app.
#
# Usage: scripts/action/test.sh --binary PATH [--wheel PATH]
#   --binary: an azfunc-lsp binary. A fake `python3` on PATH stands in for the interpreter: its
#             venv's pip records the requirement it was asked for and installs this binary, so
#             the choice of version is tested without a package index.
#   --wheel:  a built wheel: one more run installs it with the real interpreter and pip.
# Prints `action: N passed, M failed`; exit 1 when a test failed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
binary=""
wheel=""
while [ $# -gt 0 ]; do
  case $1 in
    --binary) binary=$(realpath "$2"); shift 2 ;;
    --wheel) wheel=$(realpath "$2"); shift 2 ;;
    *) echo "usage: $0 --binary PATH [--wheel PATH]" >&2; exit 2 ;;
  esac
done
[ -x "$binary" ] || { echo "--binary must name an executable azfunc-lsp" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; shift; printf '     %s\n' "$@"; }

# The fake interpreter: `-m venv DIR` makes DIR/bin/python (this script again), whose
# `-m pip install ... SPEC` writes SPEC to $PIP_LOG and links the binary under test into DIR/bin.
mkdir -p "$work/fakebin"
cat >"$work/fakebin/python3" <<FAKE
#!/usr/bin/env bash
if [ "\$1 \$2" = "-m venv" ]; then
  mkdir -p "\$3/bin" && cp "\$0" "\$3/bin/python" && exit 0
fi
if [ "\$1 \$2 \$3" = "-m pip install" ]; then
  echo "\${@: -1}" >>"\$PIP_LOG"
  ln -sf "$binary" "\$(dirname "\$0")/azfunc-lsp" && exit 0
fi
echo "fake python: unexpected arguments: \$*" >&2
exit 3
FAKE
chmod +x "$work/fakebin/python3"

# run_action NAME [VAR=VALUE...]: runs the action script in a fresh simulated runner whose
# workspace holds a copy of the example app as orders-app; leaves stdout, stderr and status in
# $out, $err, $status, and the runner files in $case.
run_action() {
  case=$work/$1
  shift
  mkdir -p "$case/workspace" "$case/temp"
  cp -r "$repo/examples/orders-app" "$case/workspace/orders-app"
  : >"$case/output"
  : >"$case/summary"
  : >"$case/pip.log"
  (
    cd "$case/workspace" || exit 99
    env -u INPUT_VERSION -u INPUT_PATHS -u INPUT_ARGS -u INPUT_FORMAT -u INPUT_SARIF_FILE \
      -u AZFUNC_LSP_PACKAGE -u AZFUNC_LSP_PYTHON \
      GITHUB_ACTIONS=true GITHUB_ACTION_PATH="$repo" GITHUB_WORKSPACE="$case/workspace" \
      RUNNER_TEMP="$case/temp" GITHUB_OUTPUT="$case/output" GITHUB_STEP_SUMMARY="$case/summary" \
      PIP_LOG="$case/pip.log" PATH="$work/fakebin:$PATH" "$@" \
      bash "$repo/scripts/action/run.sh" >"$case/stdout" 2>"$case/stderr"
  )
  status=$?
  out=$(cat "$case/stdout")
  err=$(cat "$case/stderr")
}

crate_version=$(sed -n '/^\[package\]/,/^\[/ s/^version *= *"\([^"]*\)".*/\1/p' "$repo/server/Cargo.toml" | head -n 1)
binary_version=$("$binary" --version)
binary_version=${binary_version##* }

# 1. Defaults: the action's own version, GitHub annotations, the whole workspace, exit 1.
run_action defaults INPUT_PATHS=orders-app
if [ "$(cat "$case/pip.log")" = "azfunc-lsp==$crate_version" ]; then ok "default version is the crate's ($crate_version)"; else fail "default version" "pip got: $(cat "$case/pip.log")"; fi
if [ "$status" = 1 ]; then ok "findings fail the step (exit 1)"; else fail "exit status" "got $status" "$err"; fi
if grep -q "^::error file=orders-app/CreateOrder/__init__.py,line=9,endLine=9,col=10,endColumn=17,title=AZF201::" <<<"$out" \
  && [ "$(grep -c '^::error ' <<<"$out")" = 4 ] && grep -q "^::warning file=orders-app/NightlyReport/function.json,.*title=AZF122::" <<<"$out"; then ok "four error annotations and one warning in the github format"; else fail "annotations" "$out"; fi
if grep -qx "version=$binary_version" "$case/output"; then ok "the version output"; else fail "version output" "$(cat "$case/output")"; fi
if grep -q "checked \`orders-app\`: findings" "$case/summary"; then ok "job summary"; else fail "job summary" "$(cat "$case/summary")"; fi

# 2. Version input: a tag-like version and "latest".
run_action tagged INPUT_VERSION=v0.2.0 INPUT_PATHS=orders-app/Health/__init__.py
if [ "$(cat "$case/pip.log")" = "azfunc-lsp==0.2.0" ] && [ "$status" = 0 ]; then ok "version v0.2.0 pins azfunc-lsp==0.2.0; a clean function passes"; else fail "version v0.2.0" "pip got: $(cat "$case/pip.log"), status $status" "$out" "$err"; fi
run_action latest INPUT_VERSION=latest INPUT_PATHS=orders-app
if [ "$(cat "$case/pip.log")" = "azfunc-lsp" ]; then ok "version latest installs the newest"; else fail "version latest" "pip got: $(cat "$case/pip.log")"; fi

# 3. SARIF beside the annotations, several paths on lines, extra arguments.
run_action sarif INPUT_PATHS=$'orders-app/NightlyReport/function.json\norders-app/ProcessOrder/__init__.py' \
  INPUT_SARIF_FILE=reports/azfunc.sarif INPUT_ARGS="--fail-on warning --ignore AZF204"
sarif_check=$(python3 - "$case/workspace/reports/azfunc.sarif" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
results = log["runs"][0]["results"]
print(log["version"], len(results), ",".join(sorted(r["ruleId"] for r in results)))
PY
)
if [ "$sarif_check" = "2.1.0 1 AZF122" ]; then ok "SARIF file written for the named files, --ignore applied"; else fail "SARIF file" "$sarif_check" "$err"; fi
if grep -qx "sarif-file=reports/azfunc.sarif" "$case/output" && [ "$status" = 1 ]; then ok "sarif-file output, step still fails on the warning (--fail-on warning)"; else fail "sarif output" "status $status" "$(cat "$case/output")"; fi

# 4. A bad argument is a usage error (exit 2), not a silent pass.
run_action usage INPUT_PATHS=orders-app INPUT_ARGS="--fail-on sometimes"
if [ "$status" = 2 ]; then ok "a bad argument exits 2"; else fail "bad argument" "status $status"; fi

# 5. Format input.
run_action text INPUT_PATHS=orders-app INPUT_FORMAT=text
if grep -q "^Found 4 errors, 1 warning" <<<"$out"; then ok "format text"; else fail "format text" "$out"; fi

# 6. The real interpreter and pip, installing the wheel.
if [ -n "$wheel" ]; then
  run_action wheel INPUT_PATHS=orders-app AZFUNC_LSP_PACKAGE="$wheel" AZFUNC_LSP_PYTHON="$(command -v python3)"
  if [ "$status" = 1 ] && [ "$(grep -c '^::error ' <<<"$out")" = 4 ] && [ "$(grep -c '^::warning ' <<<"$out")" = 1 ] && grep -qx "version=$crate_version" "$case/output"; then
    ok "the wheel installs into the action's venv and checks"
  else
    fail "wheel install" "status $status" "$err"
  fi
fi

echo "action: $passed passed, $failed failed"
[ "$failed" = 0 ]
