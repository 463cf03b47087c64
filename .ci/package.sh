#!/usr/bin/env bash
# Packaging checks, from a clean clone on a machine with Python 3 + pip, Rust stable and Node 20:
#   - the wheel: built by maturin, installed into a fresh venv, run (`azfunc-lsp --version`,
#     `python -m azfunc_lsp --version`, `check examples/orders-app` exits 1 with its known errors);
#     `pip install .` and `pipx install .` from the source tree;
#   - the pre-commit hooks (`pre-commit try-repo` on a temporary git repository holding a copy of
#     the example app): the check hook fails on a bad commit and passes after the fix, the fix
#     hook rewrites what `check --fix` rewrites;
#   - the GitHub Action's script (scripts/action/test.sh) and the release scripts
#     (scripts/release/: versions, the VS Code packages per target and universal, publishing);
#   - every workflow and action.yml against the vendored GitHub schemas (check-jsonschema);
#   - `cargo package -p azfunc-lsp`.
# Python tools come from PyPI into venvs under a temporary folder; the cargo target folder is
# shared with the other builds so that maturin, pip and pre-commit reuse one release build.
# Prints `package: N passed, M failed`; exit 1 when a check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
export PIP_DISABLE_PIP_VERSION_CHECK=1
PYTHON=${PYTHON:-$(command -v python3)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/azfunc-package.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export PRE_COMMIT_HOME=$WORK/pre-commit-home
GIT=(git -c user.name=ci -c user.email=ci@localhost -c init.defaultBranch=main -c commit.gpgsign=false)
EXAMPLE=examples/orders-app

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; shift; [ $# -gt 0 ] && printf '     %s\n' "$@" | tail -40; }
expect() { # NAME EXPECTED_STATUS STATUS [details...]
  local name=$1 want=$2 got=$3
  shift 3
  if [ "$got" = "$want" ]; then ok "$name"; else fail "$name (exit $got, expected $want)" "$@"; fi
}
T0=$EPOCHREALTIME
timings=()
phase_name=""
phase_t=$T0
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
phase() {
  local now=$EPOCHREALTIME
  [ -n "$phase_name" ] && timings+=("$(printf '%-38s %6s s' "$phase_name" "$(secs "$phase_t" "$now")")")
  phase_name=$1
  phase_t=$now
  [ -n "$1" ] && echo "== package: $1"
  return 0
}
venv() { # DIR: a fresh virtual environment; prints its scripts folder
  "$PYTHON" -m venv "$1" >&2 && { [ -d "$1/Scripts" ] && echo "$1/Scripts" || echo "$1/bin"; }
}

# ------------------------------------------------------------------------------------------
phase "tools from PyPI (maturin, pre-commit, check-jsonschema, pipx)"
TOOLS=$(venv "$WORK/tools")
if "$TOOLS/pip" install --quiet "maturin>=1.9,<2" pre-commit check-jsonschema pipx; then
  ok "tools installed: $("$TOOLS/maturin" --version), pre-commit $("$TOOLS/pre-commit" --version | cut -d' ' -f2)"
else
  fail "pip install maturin pre-commit check-jsonschema pipx"
  echo "package: $passed passed, $failed failed"
  exit 1
fi
export PATH="$TOOLS:$PATH"

phase "wheel (maturin build --release)"
if maturin build --release --out "$WORK/dist" >"$WORK/maturin.log" 2>&1; then
  WHEEL=$(ls "$WORK"/dist/azfunc_lsp-*.whl)
  ok "wheel built: $(basename "$WHEEL") ($(du -k "$WHEEL" | cut -f1) KiB)"
else
  fail "maturin build" "$(tail -30 "$WORK/maturin.log")"
  echo "package: $passed passed, $failed failed"
  exit 1
fi
wheel_zip() { "$PYTHON" - "$WHEEL" "$@" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
print("\n".join(names))
PY
}
contents=$(wheel_zip)
if grep -qx 'azfunc_lsp/__main__.py' <<<"$contents" && grep -q '\.data/scripts/azfunc-lsp$' <<<"$contents" \
  && ! grep -q 'tests/fixtures\|examples/' <<<"$contents"; then
  ok "the wheel holds the binary and the azfunc_lsp shim, no fixtures"
else
  fail "wheel contents" "$contents"
fi

phase "the wheel in a fresh venv"
if bash scripts/release/smoke-wheel.sh "$WHEEL" "$PYTHON" >"$WORK/smoke.log" 2>&1; then
  ok "wheel: $(grep -o 'pip install [^ ]* ([0-9.]* s)' "$WORK/smoke.log"), --version, python -m azfunc_lsp, check on the example app"
else
  fail "scripts/release/smoke-wheel.sh" "$(cat "$WORK/smoke.log")"
fi
# For the next checks: the installed binary, as a user would run it.
BIN=$(venv "$WORK/run")
"$BIN/pip" install --quiet "$WHEEL"
out=$("$BIN/azfunc-lsp" check --color never "$EXAMPLE" 2>&1)
status=$?
expect "installed azfunc-lsp check $EXAMPLE: the known errors" 1 "$status" "$out"
for code in AZF201 AZF207 AZF208 AZF204; do
  grep -q "error\[$code\]" <<<"$out" || fail "known error $code missing from the check output" "$out"
done
grep -q "warning\[AZF122\]" <<<"$out" || fail "known warning AZF122 missing from the check output" "$out"
# The misnamed parameter is one finding (AZF201, naming the binding), not AZF201 + AZF202.
! grep -q "error\[AZF202\]" <<<"$out" || fail "the name mismatch reported twice (AZF202)" "$out"

phase "pip install . and pipx install . from the source tree"
SRC=$(venv "$WORK/src")
t=$EPOCHREALTIME
if "$SRC/pip" install --quiet "$REPO" >"$WORK/pip-src.log" 2>&1 && [ "$("$SRC/azfunc-lsp" --version)" = "$("$BIN/azfunc-lsp" --version)" ]; then
  ok "pip install . puts azfunc-lsp on the venv's PATH ($(secs "$t" "$EPOCHREALTIME") s)"
else
  fail "pip install ." "$(tail -30 "$WORK/pip-src.log")"
fi
t=$EPOCHREALTIME
if PIPX_HOME=$WORK/pipx PIPX_BIN_DIR=$WORK/pipx-bin PIPX_MAN_DIR=$WORK/pipx-man \
  pipx install --python "$PYTHON" "$REPO" >"$WORK/pipx.log" 2>&1 \
  && "$WORK/pipx-bin/azfunc-lsp" --version >/dev/null; then
  ok "pipx install . ($(secs "$t" "$EPOCHREALTIME") s)"
else
  fail "pipx install ." "$(tail -30 "$WORK/pipx.log")"
fi

# ------------------------------------------------------------------------------------------
phase "pre-commit hooks (try-repo)"
HOOKS=$WORK/hooks-repo
mkdir -p "$HOOKS"
cp -r "$EXAMPLE" "$HOOKS/orders-app"
(cd "$HOOKS" && "${GIT[@]}" init -q && "${GIT[@]}" add . && "${GIT[@]}" commit -q -m "the app, with its old problems")
# pre-commit installs hooks from a git revision: a snapshot of this working tree (tracked files
# and new ones that are not ignored), committed.
SNAP=$WORK/hook-source
mkdir -p "$SNAP"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - 2>/dev/null | tar -xf - -C "$SNAP"
(cd "$SNAP" && "${GIT[@]}" init -q && "${GIT[@]}" add -A && "${GIT[@]}" commit -q -m snapshot)
SNAP_REV=$(cd "$SNAP" && git rev-parse HEAD)
# try-repo builds each hook environment afresh (pip installs the wheel from source: a release
# build of the crate from a new clone folder, 2-3 minutes here). The hooks' behaviour does not
# depend on optimisation, so these builds skip it: the dependencies compile once into the shared
# target folder, then each run compiles only the crate.
try_repo() { # HOOK [pre-commit args]: runs a hook of this working tree in the hooks repository
  (cd "$HOOKS" && CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_DEBUG=false \
    pre-commit try-repo "$SNAP" "$1" --ref "$SNAP_REV" "${@:2}" >"$WORK/try-repo.log" 2>&1)
}
# A bad commit: the Health function's parameter no longer matches its binding.
sed -i 's/def main(req: func.HttpRequest)/def main(request: func.HttpRequest)/' "$HOOKS/orders-app/Health/__init__.py"
(cd "$HOOKS" && "${GIT[@]}" add orders-app/Health/__init__.py)
t=$EPOCHREALTIME
try_repo azfunc-lsp
status=$?
HOOK_ENV_SECS=$(secs "$t" "$EPOCHREALTIME")
log=$(cat "$WORK/try-repo.log")
expect "check hook fails on the staged bad change (with the hook's env built: $HOOK_ENV_SECS s)" 1 "$status" "$log"
if grep -q "Health/__init__.py.*AZF201" <<<"$log" && ! grep -q "NightlyReport" <<<"$log"; then
  ok "check hook reports the staged file's problem, not the app's old ones"
else
  fail "check hook output" "$log"
fi
# The fix: the parameter matches again. The app's old problems elsewhere do not block it.
sed -i 's/def main(request: func.HttpRequest)/def main(req: func.HttpRequest)/' "$HOOKS/orders-app/Health/__init__.py"
echo "# checked" >>"$HOOKS/orders-app/Health/__init__.py"
(cd "$HOOKS" && "${GIT[@]}" add orders-app/Health/__init__.py)
try_repo azfunc-lsp
expect "check hook passes after the fix" 0 $? "$(cat "$WORK/try-repo.log")"
(cd "$HOOKS" && "${GIT[@]}" commit -q -m "Health: fixed" --no-verify)
try_repo azfunc-lsp --all-files --hook-stage pre-commit
expect "check hook with --all-files sees the old problems" 1 $? "$(cat "$WORK/try-repo.log")"

# The fix hook rewrites the named files as `check --fix FILES` does, and only them.
FIX_FILES=(orders-app/NightlyReport/function.json orders-app/ProcessOrder/__init__.py orders-app/CreateOrder/__init__.py)
cp -r "$HOOKS/orders-app" "$WORK/fix-expected"
(cd "$WORK" && mkdir -p cli && rm -rf cli/orders-app && cp -r fix-expected cli/orders-app \
  && cd cli && "$BIN/azfunc-lsp" check --fix --format json "${FIX_FILES[@]}" >/dev/null 2>&1)
try_repo azfunc-lsp-fix --files "${FIX_FILES[@]}"
status=$?
log=$(cat "$WORK/try-repo.log")
expect "fix hook rewrites files (pre-commit fails the run when a hook modified files)" 1 "$status" "$log"
changed=$(cd "$HOOKS" && "${GIT[@]}" diff --name-only | sort | tr '\n' ' ')
if [ "$changed" = "orders-app/CreateOrder/__init__.py orders-app/NightlyReport/function.json orders-app/ProcessOrder/__init__.py " ]; then
  ok "fix hook rewrote only the named files"
else
  fail "fix hook changed: $changed" "$log"
fi
if diff -r "$WORK/cli/orders-app" "$HOOKS/orders-app" >"$WORK/fix.diff"; then
  ok "fix hook wrote what check --fix writes"
else
  fail "fix hook and check --fix differ" "$(cat "$WORK/fix.diff")"
fi
(cd "$HOOKS" && "${GIT[@]}" add -A)
try_repo azfunc-lsp --files "${FIX_FILES[@]}"
status=$?
log=$(cat "$WORK/try-repo.log")
# CreateOrder's function.json was not named: its half of the pair was fixed in __init__.py.
expect "check hook passes on the fixed files" 0 "$status" "$log"

# ------------------------------------------------------------------------------------------
phase "GitHub Action script"
if bash scripts/action/test.sh --binary "$BIN/azfunc-lsp" --wheel "$WHEEL" >"$WORK/action.log" 2>&1; then
  ok "$(tail -1 "$WORK/action.log")"
else
  fail "scripts/action/test.sh" "$(cat "$WORK/action.log")"
fi

phase "release scripts"
version=$(bash scripts/release/check-version.sh "v$("$BIN/azfunc-lsp" --version | cut -d' ' -f2)" 2>&1)
expect "check-version: crate, extension and tag agree ($version)" 0 $? "$version"
out=$(bash scripts/release/check-version.sh v999.0.0 2>&1)
expect "check-version: a tag of another version is refused" 1 $? "$out"

(cd editors/vscode && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; }) >"$WORK/npm.log" 2>&1 \
  || fail "npm ci in editors/vscode" "$(cat "$WORK/npm.log")"
rm -f editors/vscode/*.vsix
vsix_manifest() { # VSIX: `target=<platform> server=<mode of extension/server/azfunc-lsp or none>`
  "$PYTHON" - "$1" <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
manifest = z.read("extension.vsixmanifest").decode()
target = re.search(r'TargetPlatform="([^"]+)"', manifest)
server = [i for i in z.infolist() if i.filename.startswith("extension/server/")]
mode = " ".join(f"{i.filename.split('/')[-1]}:{oct(i.external_attr >> 16 & 0o777)}" for i in server)
print(f"target={target.group(1) if target else 'universal'} server={mode or 'none'}")
PY
}
if vsix=$(bash scripts/release/vsix.sh linux-x64 "$WHEEL" 2>"$WORK/vsix.log"); then
  got=$(vsix_manifest "$vsix")
  if [ "$got" = "target=linux-x64 server=azfunc-lsp:0o755" ]; then
    ok "vsix linux-x64 carries the wheel's binary: $(basename "$vsix") ($(du -k "$vsix" | cut -f1) KiB)"
  else
    fail "vsix linux-x64: $got"
  fi
else
  fail "scripts/release/vsix.sh linux-x64" "$(cat "$WORK/vsix.log")"
fi
if vsix=$(bash scripts/release/vsix.sh universal 2>"$WORK/vsix.log"); then
  got=$(vsix_manifest "$vsix")
  if [ "$got" = "target=universal server=none" ]; then
    ok "vsix universal has no server: $(basename "$vsix") ($(du -k "$vsix" | cut -f1) KiB)"
  else
    fail "vsix universal: $got"
  fi
else
  fail "scripts/release/vsix.sh universal" "$(cat "$WORK/vsix.log")"
fi
# A Windows package made on Linux names its binary azfunc-lsp.exe.
if vsix=$(bash scripts/release/vsix.sh win32-x64 "$WHEEL" 2>"$WORK/vsix.log") \
  && [ "$(vsix_manifest "$vsix")" = "target=win32-x64 server=azfunc-lsp.exe:0o755" ]; then
  ok "vsix win32-x64 names the binary azfunc-lsp.exe"
else
  fail "vsix win32-x64" "$(cat "$WORK/vsix.log")"
fi
out=$(DRY_RUN=1 bash scripts/release/publish-vsix.sh marketplace editors/vscode 2>&1)
if [ "$(grep -o -- '--packagePath [^ ]*' <<<"$out" | wc -l)" = 3 ]; then ok "publish-vsix marketplace: one vsce call for the 3 packages"; else fail "publish-vsix marketplace" "$out"; fi
out=$(DRY_RUN=1 bash scripts/release/publish-vsix.sh openvsx editors/vscode 2>&1)
if [ "$(grep -c 'ovsx@[0-9.]* publish' <<<"$out")" = 3 ]; then ok "publish-vsix openvsx: one ovsx call per package"; else fail "publish-vsix openvsx" "$out"; fi
out=$(env -u VSCE_PAT bash scripts/release/publish-vsix.sh marketplace editors/vscode 2>&1)
expect "publish-vsix refuses to run without its token" 1 $? "$out"
rm -f editors/vscode/*.vsix
rm -rf editors/vscode/server

# ------------------------------------------------------------------------------------------
phase "workflow and action schemas (check-jsonschema, vendored schemas)"
mapfile -t workflows < <(ls .github/workflows/*.yml .github/workflows/*.yaml 2>/dev/null)
out=$(check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}" 2>&1)
expect "workflows valid: ${workflows[*]}" 0 $? "$out"
out=$(check-jsonschema --builtin-schema vendor.github-actions action.yml 2>&1)
expect "action.yml valid" 0 $? "$out"
# The validation can fail: a job without runs-on, an action input with an unknown key.
sed 's/^    runs-on: ubuntu-latest$/    runs-onn: ubuntu-latest/' .github/workflows/release.yml >"$WORK/broken-workflow.yml"
out=$(check-jsonschema --builtin-schema vendor.github-workflows "$WORK/broken-workflow.yml" 2>&1)
expect "a broken workflow is rejected" 1 $? "$out"
sed 's/^    required: false$/    requird: false/' action.yml >"$WORK/broken-action.yml"
out=$(check-jsonschema --builtin-schema vendor.github-actions "$WORK/broken-action.yml" 2>&1)
expect "a broken action.yml is rejected" 1 $? "$out"
out=$(pre-commit validate-manifest .pre-commit-hooks.yaml 2>&1)
expect ".pre-commit-hooks.yaml valid" 0 $? "$out"

phase "cargo package -p azfunc-lsp"
if cargo package -p azfunc-lsp >"$WORK/cargo-package.log" 2>&1; then
  crate=$(ls "$CARGO_TARGET_DIR"/package/azfunc-lsp-*.crate | tail -1)
  listing=$(tar tzf "$crate")
  if grep -q '/tests/\|fixtures\|/benches/' <<<"$listing"; then
    fail "the crate ships tests or fixtures" "$(grep '/tests/\|fixtures\|/benches/' <<<"$listing" | head)"
  else
    ok "cargo package builds the crate from its package: $(basename "$crate"), $(wc -l <<<"$listing") files, no tests or fixtures"
  fi
else
  fail "cargo package -p azfunc-lsp" "$(tail -30 "$WORK/cargo-package.log")"
fi

phase ""
echo "== package: timings"
printf '   %s\n' "${timings[@]}"
echo "   total $(secs "$T0" "$EPOCHREALTIME") s; wheel $(du -k "$WHEEL" | cut -f1) KiB"
echo "package: $passed passed, $failed failed"
[ "$failed" = 0 ]
