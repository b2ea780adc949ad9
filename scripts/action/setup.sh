#!/usr/bin/env bash
# Step 1 of action.yml: mask the token and decide how to install the tool.
# In: INPUT_INTERCOM_TOKEN, INPUT_VERSION, HELPCENTER_ACTION_SKIP_INSTALL, GITHUB_ACTION_PATH,
#     ACTION_REF, ACTION_REPOSITORY (github.action_ref / action_repository), RUNNER_OS,
#     RUNNER_ARCH.
# Out (step outputs): install (skip | release | cargo), release-tag and release-repository
#     (release), cache-key and cache-restore-key (cargo).
#
# Which binary: `version` when given; else, when the action is used at a release tag
# (`uses: OWNER/helpcenter@v0.2.0`), that tag's release; else (a branch, a SHA, `uses: ./`)
# a build of the action's own source.
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
elif [ -n "${INPUT_VERSION:-}" ] || is_release_tag "$(action_ref)"; then
  if [ -n "${INPUT_VERSION:-}" ]; then
    tag="v${INPUT_VERSION#v}"
  else
    tag=$(action_ref)
  fi
  repo=$(action_repository)
  [ -n "$repo" ] || repo="${HELPCENTER_RELEASE_REPOSITORY:-}"
  [ -n "$repo" ] ||
    die "cannot tell which repository publishes the release of \`$tag\`; set HELPCENTER_RELEASE_REPOSITORY=owner/name"
  say "installing the release \`$tag\` of $repo"
  output install release
  output release-tag "$tag"
  output release-repository "$repo"
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
