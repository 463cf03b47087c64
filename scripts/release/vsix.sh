#!/usr/bin/env bash
# Packages the VS Code extension for one target with the server taken out of that platform's
# wheel (so the extension and the Python package ship the same binary), or the universal package.
# Usage: scripts/release/vsix.sh TARGET WHEEL     e.g. linux-x64 dist/azfunc_lsp-…-manylinux…x86_64.whl
#        scripts/release/vsix.sh universal
# Leaves the .vsix in editors/vscode/ and prints its path on the last line.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
target=${1:?usage: vsix.sh TARGET WHEEL | vsix.sh universal}
wheel=""
if [ "$target" != universal ]; then
  wheel=$(realpath "${2:?a wheel is needed for $target}")
fi
cd "$repo/editors/vscode"
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error >&2
if [ "$target" = universal ]; then
  node scripts/package.mjs --universal >&2
  ls -t azfunc-lsp-[0-9]*.vsix | head -n 1 | sed "s|^|$PWD/|"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The wheel holds the binary as <name>-<version>.data/scripts/azfunc-lsp[.exe].
server=$(python3 - "$wheel" "$work" <<'PY'
import sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if ".data/scripts/azfunc-lsp" in n]
    if len(names) != 1:
        sys.exit(f"{wheel}: expected one azfunc-lsp binary, found {names}")
    print(z.extract(names[0], out))
PY
)
node scripts/package.mjs --target "$target" --server "$server" >&2
ls -t azfunc-lsp-"$target"-*.vsix | head -n 1 | sed "s|^|$PWD/|"
