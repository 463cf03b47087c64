#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the last release for Node 20) into $1 without
# any download outside the npm registry. `npm install code-server` alone fails offline: the
# ripgrep package's install script fetches rg from the network, so the install scripts are run
# by hand here and rg comes from Debian's ripgrep package.
# Needs: node 20, npm, rg, a C/C++ toolchain, python3, libkrb5-dev.
set -euo pipefail
DEST=${1:?usage: install-code-server.sh DEST}
VERSION=4.100.3
CS=$DEST/node_modules/.bin/code-server

if [ -x "$CS" ] && "$CS" --version 2>/dev/null | grep -q "^$VERSION "; then
  echo "code-server $VERSION already in $DEST"
  exit 0
fi

rm -rf "$DEST"
mkdir -p "$DEST"
cd "$DEST"
npm init -y >/dev/null
npm install --ignore-scripts --no-audit --no-fund "code-server@$VERSION"
# argon2's prebuilt binary is not reachable: node-pre-gyp falls back to a source build.
npm rebuild argon2 --dangerously-allow-all-scripts

cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts --no-audit --no-fund
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg  # its install script skips when bin/ exists
# node-pty, spdlog, kerberos, native-watchdog, @parcel/watcher, ...
npm_config_yes=true npm rebuild --dangerously-allow-all-scripts
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --no-audit --no-fund --dangerously-allow-all-scripts)

# A bare --version writes ~/.config/code-server/config.yaml; keep $HOME clean.
XDG_CONFIG_HOME="$DEST/.config" XDG_DATA_HOME="$DEST/.local" "$CS" --version
