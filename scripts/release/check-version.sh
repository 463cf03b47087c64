#!/usr/bin/env bash
# Prints the release version and checks that everything that carries it agrees: the crate
# (server/Cargo.toml, which the wheel takes too), the VS Code extension (editors/vscode/package.json)
# and, when given, the tag being released (v1.2.3 or 1.2.3).
# Usage: scripts/release/check-version.sh [TAG]      Exit 1 on a mismatch.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
crate=$(sed -n '/^\[package\]/,/^\[/ s/^version *= *"\([^"]*\)".*/\1/p' "$repo/server/Cargo.toml" | head -n 1)
extension=$(sed -n 's/^  "version": *"\([^"]*\)".*/\1/p' "$repo/editors/vscode/package.json" | head -n 1)
status=0
if [ -z "$crate" ]; then
  echo "check-version: no version in server/Cargo.toml" >&2
  exit 1
fi
if [ "$extension" != "$crate" ]; then
  echo "check-version: editors/vscode/package.json has $extension, server/Cargo.toml has $crate" >&2
  status=1
fi
if [ $# -gt 0 ] && [ -n "$1" ]; then
  tag=${1#refs/tags/}
  if [ "${tag#v}" != "$crate" ]; then
    echo "check-version: tag $tag does not match version $crate" >&2
    status=1
  fi
fi
echo "$crate"
exit "$status"
