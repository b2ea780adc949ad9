#!/usr/bin/env bash
# Step 3 of action.yml: put `helpcenter` on PATH.
# In: INSTALL_MODE (release | cargo), RELEASE_TAG and RELEASE_REPOSITORY (from setup.sh),
#     CACHE_HIT, GITHUB_ACTION_PATH, GITHUB_SERVER_URL, GITHUB_PATH, RUNNER_TOOL_CACHE.
#
# release: downloads
#   ${GITHUB_SERVER_URL}/${RELEASE_REPOSITORY}/releases/download/${RELEASE_TAG}/helpcenter-${TRIPLE}.tar.gz
#   and its `.sha256` file, checks the checksum, and only then unpacks the `helpcenter`
#   binary; TRIPLE is x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu,
#   x86_64-apple-darwin or aarch64-apple-darwin (the assets scripts/release/package.sh makes).
# cargo: `cargo install --path` of this repository (the action's own checkout), with the build
#   directory cached by the previous step (actions/cache keyed on Cargo.lock and the source).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Downloads URL to FILE; fails the step with the HTTP status and what it means.
download() {
  local status
  status=$(curl --silent --show-error --location --retry 3 --output "$2" --write-out '%{http_code}' "$1") ||
    die "could not download $1 (curl failed; is the server reachable?)"
  case "$status" in
    200) ;;
    404) die "$1 does not exist (HTTP 404): is there a release \`$tag\` of $repo with the asset \`$asset\`? Pin the action to a published release tag, set \`version\`, or use a branch or SHA to build from source" ;;
    *) die "could not download $1 (HTTP $status)" ;;
  esac
}

case "${INSTALL_MODE:-}" in
  release)
    tag="${RELEASE_TAG:?RELEASE_TAG is not set}"
    repo="${RELEASE_REPOSITORY:?RELEASE_REPOSITORY is not set}"
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) triple=x86_64-unknown-linux-gnu ;;
      Linux-aarch64 | Linux-arm64) triple=aarch64-unknown-linux-gnu ;;
      Darwin-x86_64) triple=x86_64-apple-darwin ;;
      Darwin-arm64) triple=aarch64-apple-darwin ;;
      *) die "no released binary for $(uname -s) $(uname -m); use the action at a branch or SHA to build from source" ;;
    esac
    asset="helpcenter-${triple}.tar.gz"
    url="${GITHUB_SERVER_URL:-https://github.com}/${repo}/releases/download/${tag}/${asset}"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    say "downloading $url"
    download "$url" "$tmp/$asset"
    download "$url.sha256" "$tmp/$asset.sha256"
    want=$(cut -d' ' -f1 <"$tmp/$asset.sha256" | tr 'A-F' 'a-f')
    [[ "$want" =~ ^[0-9a-f]{64}$ ]] ||
      die "$asset.sha256 of release \`$tag\` does not start with a SHA-256 (64 hex digits); not installing"
    got=$(sha256 <"$tmp/$asset")
    [ "$want" = "$got" ] ||
      die "checksum mismatch for $asset of release \`$tag\`: $asset.sha256 says $want, the download is $got. The download is corrupt or the release was altered; nothing was installed"
    dest="${RUNNER_TOOL_CACHE:-$HOME/.cache}/helpcenter/${tag}/${triple}"
    rm -rf "$dest"
    mkdir -p "$dest"
    tar -xzf "$tmp/$asset" -C "$dest" helpcenter
    bin_dir="$dest"
    ;;
  cargo)
    bin_dir="${CARGO_HOME:-$HOME/.cargo}/bin"
    if [ "${CACHE_HIT:-}" = "true" ] && [ -x "$bin_dir/helpcenter" ]; then
      say "using the cached build of helpcenter"
    else
      command -v cargo >/dev/null 2>&1 ||
        die "cargo is not installed; add a Rust toolchain step before this action, or use the action at a release tag (or set \`version\`) to download a released binary"
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
