#!/usr/bin/env bash
# Step 3 of action.yml: put `helpcenter` on PATH.
# In: INSTALL_MODE (release | cargo), INPUT_VERSION, CACHE_HIT, ACTION_REPOSITORY,
#     GITHUB_ACTION_PATH, GITHUB_SERVER_URL, GITHUB_PATH, RUNNER_TOOL_CACHE.
#
# release: downloads
#   ${GITHUB_SERVER_URL}/${ACTION_REPOSITORY}/releases/download/v${VERSION}/helpcenter-${TRIPLE}.tar.gz
#   and its `.sha256` file, checks the checksum and unpacks the `helpcenter` binary;
#   TRIPLE is x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu, x86_64-apple-darwin or
#   aarch64-apple-darwin.
# cargo: `cargo install --path` of this repository (the action's own checkout), with the build
#   directory cached by the previous step (actions/cache keyed on Cargo.lock and the source).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${INSTALL_MODE:-}" in
  release)
    version="${INPUT_VERSION#v}"
    repo="${ACTION_REPOSITORY:-${HELPCENTER_RELEASE_REPOSITORY:-}}"
    [ -n "$repo" ] || die "cannot tell which repository publishes the release; set HELPCENTER_RELEASE_REPOSITORY=owner/name"
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) triple=x86_64-unknown-linux-gnu ;;
      Linux-aarch64 | Linux-arm64) triple=aarch64-unknown-linux-gnu ;;
      Darwin-x86_64) triple=x86_64-apple-darwin ;;
      Darwin-arm64) triple=aarch64-apple-darwin ;;
      *) die "no released binary for $(uname -s) $(uname -m); leave \`version\` empty to build from source" ;;
    esac
    asset="helpcenter-${triple}.tar.gz"
    url="${GITHUB_SERVER_URL:-https://github.com}/${repo}/releases/download/v${version}/${asset}"
    dest="${RUNNER_TOOL_CACHE:-$HOME/.cache}/helpcenter/${version}/${triple}"
    mkdir -p "$dest"
    tmp=$(mktemp -d)
    say "downloading $url"
    curl --fail --silent --show-error --location --retry 3 -o "$tmp/$asset" "$url"
    curl --fail --silent --show-error --location --retry 3 -o "$tmp/$asset.sha256" "$url.sha256"
    want=$(cut -d' ' -f1 <"$tmp/$asset.sha256")
    got=$(sha256 <"$tmp/$asset")
    [ "$want" = "$got" ] || die "checksum mismatch for $asset (expected $want, got $got)"
    tar -xzf "$tmp/$asset" -C "$dest" helpcenter
    rm -rf "$tmp"
    bin_dir="$dest"
    ;;
  cargo)
    bin_dir="${CARGO_HOME:-$HOME/.cargo}/bin"
    if [ "${CACHE_HIT:-}" = "true" ] && [ -x "$bin_dir/helpcenter" ]; then
      say "using the cached build of helpcenter"
    else
      command -v cargo >/dev/null 2>&1 ||
        die "cargo is not installed; add a Rust toolchain step before this action, or set \`version\` to use a released binary"
      cargo install --path "${GITHUB_ACTION_PATH:?}" --locked --force \
        --target-dir "$HOME/.cache/helpcenter-action/target"
    fi
    ;;
  *) die "unknown install mode \`${INSTALL_MODE:-}\`" ;;
esac

if [ -n "${GITHUB_PATH:-}" ]; then
  printf '%s\n' "$bin_dir" >>"$GITHUB_PATH"
fi
"$bin_dir/helpcenter" --version
