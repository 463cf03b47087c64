#!/usr/bin/env bash
# What the GitHub Action (action.yml) runs: installs azfunc-lsp from PyPI into a virtual
# environment of its own and runs `azfunc-lsp check` on the workspace.
#
# Inputs (environment): INPUT_VERSION ("" = the version in the action's server/Cargo.toml,
# "latest", or a version), INPUT_PATHS, INPUT_ARGS, INPUT_FORMAT, INPUT_SARIF_FILE.
# Outside GitHub (scripts/action/test.sh), AZFUNC_LSP_PACKAGE replaces the PyPI requirement with
# a wheel file or any other pip requirement, and AZFUNC_LSP_PYTHON names the interpreter.
# Exit status: the check's (0 clean, 1 findings at or above --fail-on, 2 usage or I/O error).
set -euo pipefail

action_dir=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}
version=${INPUT_VERSION:-}
format=${INPUT_FORMAT:-github}
sarif=${INPUT_SARIF_FILE:-}
output=${GITHUB_OUTPUT:-/dev/null}

# The version the action was released with: `version` of [package] in server/Cargo.toml.
crate_version() {
  sed -n '/^\[package\]/,/^\[/ s/^version *= *"\([^"]*\)".*/\1/p' "$action_dir/server/Cargo.toml" | head -n 1
}

if [ -n "${AZFUNC_LSP_PACKAGE:-}" ]; then
  spec=$AZFUNC_LSP_PACKAGE
elif [ -z "$version" ]; then
  version=$(crate_version)
  if [ -z "$version" ]; then
    echo "::error title=azfunc-lsp::cannot read the version from $action_dir/server/Cargo.toml; set the 'version' input" >&2
    exit 2
  fi
  spec="azfunc-lsp==$version"
elif [ "$version" = latest ]; then
  spec=azfunc-lsp
else
  spec="azfunc-lsp==${version#v}"
fi

python=${AZFUNC_LSP_PYTHON:-}
if [ -z "$python" ]; then
  python=$(command -v python3 || command -v python || true)
fi
if [ -z "$python" ]; then
  echo "::error title=azfunc-lsp::no Python interpreter found (use actions/setup-python before this action)" >&2
  exit 2
fi

# A venv of our own: system interpreters refuse `pip install` (PEP 668), and the project's
# environment stays untouched.
venv=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/azfunc-lsp-action-venv
rm -rf "$venv"
"$python" -m venv "$venv"
bin=$venv/bin
[ -d "$venv/Scripts" ] && bin=$venv/Scripts
echo "::group::Install $spec"
"$bin/python" -m pip install --disable-pip-version-check --quiet "$spec"
echo "::endgroup::"
exe=$bin/azfunc-lsp
[ -x "$exe" ] || exe=$bin/azfunc-lsp.exe
installed=$("$exe" --version)
echo "$installed"
echo "version=${installed##* }" >>"$output"

# Paths and arguments are split on white space (new lines included).
read -r -d '' -a paths <<<"${INPUT_PATHS:-.}" || true
read -r -d '' -a args <<<"${INPUT_ARGS:-}" || true
[ ${#paths[@]} -gt 0 ] || paths=(.)

if [ -n "$sarif" ]; then
  mkdir -p "$(dirname "$sarif")"
  status=0
  "$exe" check --format sarif ${args[@]+"${args[@]}"} "${paths[@]}" >"$sarif" || status=$?
  if [ "$status" -gt 1 ]; then
    exit "$status"
  fi
  echo "sarif-file=$sarif" >>"$output"
fi

status=0
"$exe" check --format "$format" ${args[@]+"${args[@]}"} "${paths[@]}" || status=$?
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  case $status in
    0) verdict="no findings at or above the failure threshold" ;;
    1) verdict="findings at or above the failure threshold (see the annotations)" ;;
    *) verdict="could not check (exit $status)" ;;
  esac
  echo "**${installed}** checked \`${paths[*]}\`: $verdict." >>"$GITHUB_STEP_SUMMARY"
fi
exit "$status"
