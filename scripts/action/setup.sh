#!/usr/bin/env bash
# Step 1 of action.yml: mask the token and decide how to install the tool.
# In: INPUT_INTERCOM_TOKEN, INPUT_VERSION, HELPCENTER_ACTION_SKIP_INSTALL, GITHUB_ACTION_PATH,
#     RUNNER_OS, RUNNER_ARCH.
# Out (step outputs): install (skip | release | cargo), cache-key, cache-restore-key.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Secrets passed as inputs are masked by the runner already; a token built from other values
# (or passed through a plain variable) is not, so mask it here before anything can print it.
if [ -n "${INPUT_INTERCOM_TOKEN:-}" ]; then
  printf '::add-mask::%s\n' "$INPUT_INTERCOM_TOKEN"
fi

if [ "${HELPCENTER_ACTION_SKIP_INSTALL:-}" = "true" ]; then
  command -v helpcenter >/dev/null 2>&1 ||
    die "HELPCENTER_ACTION_SKIP_INSTALL is true but \`helpcenter\` is not on PATH"
  say "using \`$(command -v helpcenter)\` (install skipped)"
  output install skip
elif [ -n "${INPUT_VERSION:-}" ]; then
  output install release
else
  root="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
  lock=$(sha256 <"$root/Cargo.lock" | cut -c1-16)
  # The source tree is part of the key: the same Cargo.lock with changed code must rebuild.
  source=$(cd "$root" && find src Cargo.toml Cargo.lock -type f | LC_ALL=C sort |
    while IFS= read -r f; do printf '%s ' "$f"; sha256 <"$f"; done | sha256 | cut -c1-16)
  prefix="helpcenter-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-${lock}-"
  output install cargo
  output cache-key "${prefix}${source}"
  output cache-restore-key "$prefix"
fi
