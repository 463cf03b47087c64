#!/usr/bin/env bash
# Publishes every .vsix in a folder to the Visual Studio Marketplace (vsce, token VSCE_PAT) or
# Open VSX (ovsx, token OVSX_PAT). With DRY_RUN=1 it prints the commands instead.
# Usage: scripts/release/publish-vsix.sh marketplace|openvsx DIR
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
registry=${1:?usage: publish-vsix.sh marketplace|openvsx DIR}
dir=${2:?usage: publish-vsix.sh marketplace|openvsx DIR}
mapfile -t packages < <(find "$dir" -name '*.vsix' | sort)
if [ ${#packages[@]} = 0 ]; then
  echo "publish-vsix: no .vsix in $dir" >&2
  exit 1
fi
run() {
  if [ "${DRY_RUN:-}" = 1 ]; then echo "$*"; else "$@"; fi
}
case $registry in
  marketplace)
    [ "${DRY_RUN:-}" = 1 ] || [ -n "${VSCE_PAT:-}" ] || { echo "publish-vsix: VSCE_PAT is not set" >&2; exit 1; }
    args=()
    for p in "${packages[@]}"; do args+=(--packagePath "$p"); done
    run "$repo/editors/vscode/node_modules/.bin/vsce" publish "${args[@]}"
    ;;
  openvsx)
    [ "${DRY_RUN:-}" = 1 ] || [ -n "${OVSX_PAT:-}" ] || { echo "publish-vsix: OVSX_PAT is not set" >&2; exit 1; }
    for p in "${packages[@]}"; do run npx --yes ovsx@1.4.0 publish "$p"; done
    ;;
  *)
    echo "publish-vsix: unknown registry $registry (marketplace or openvsx)" >&2
    exit 2
    ;;
esac
