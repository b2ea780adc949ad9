#!/usr/bin/env bash
# Packages a release build of helpcenter for one target triple.
# Usage: scripts/release/package.sh TRIPLE OUTDIR [BINARY]
#   TRIPLE  x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu, x86_64-apple-darwin,
#           aarch64-apple-darwin or x86_64-pc-windows-msvc
#   OUTDIR  where the archive and its checksum are written (created if missing)
#   BINARY  an already built binary to package; without it, `cargo build --release --locked
#           --target TRIPLE` builds one
# Writes OUTDIR/helpcenter-TRIPLE.tar.gz (.zip for Windows) holding the binary, README.md and
# the licence at its top level, and OUTDIR/helpcenter-TRIPLE.tar.gz.sha256 in `sha256sum`
# format ("HEX  NAME"). Prints the archive's path on stdout. Run by .github/workflows/release.yml
# and by .ci/run (for the host triple).
set -euo pipefail
die() { printf 'package.sh: %s\n' "$*" >&2; exit 1; }

[ $# -ge 2 ] && [ $# -le 3 ] || die "usage: package.sh TRIPLE OUTDIR [BINARY]"
triple="$1"
outdir="$2"
binary="${3:-}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

case "$triple" in
  x86_64-unknown-linux-gnu | aarch64-unknown-linux-gnu | x86_64-apple-darwin | aarch64-apple-darwin)
    exe=helpcenter
    archive="helpcenter-${triple}.tar.gz"
    ;;
  x86_64-pc-windows-msvc)
    exe=helpcenter.exe
    archive="helpcenter-${triple}.zip"
    ;;
  *) die "unsupported target triple \`$triple\` (see PRODUCT.md, Releases)" ;;
esac

if [ -z "$binary" ]; then
  (cd "$root" && cargo build --release --locked --target "$triple") >&2
  binary="${CARGO_TARGET_DIR:-$root/target}/$triple/release/$exe"
fi
[ -f "$binary" ] || die "no binary at \`$binary\`"

mkdir -p "$outdir"
outdir="$(cd "$outdir" && pwd)"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$binary" "$stage/$exe"
chmod 755 "$stage/$exe"
cp "$root/README.md" "$stage/README.md"
[ ! -f "$root/LICENSE" ] || cp "$root/LICENSE" "$stage/LICENSE"
files=("$exe" README.md)
[ ! -f "$stage/LICENSE" ] || files+=(LICENSE)

rm -f "$outdir/$archive" "$outdir/$archive.sha256"
case "$archive" in
  *.tar.gz)
    owner=()
    # GNU tar (Linux): no build-machine user names in the archive. bsdtar (macOS) has its own flags.
    if tar --version 2>/dev/null | grep -q 'GNU tar'; then
      owner=(--owner=0 --group=0 --numeric-owner)
    else
      owner=(--uid 0 --gid 0)
    fi
    tar -czf "$outdir/$archive" "${owner[@]}" -C "$stage" "${files[@]}"
    ;;
  *.zip)
    if command -v zip >/dev/null 2>&1; then
      (cd "$stage" && zip -q -X "$outdir/$archive" "${files[@]}")
    elif command -v 7z >/dev/null 2>&1; then
      (cd "$stage" && 7z a -tzip -bd "$outdir/$archive" "${files[@]}" >/dev/null)
    else
      die "neither zip nor 7z is installed"
    fi
    ;;
esac

if command -v sha256sum >/dev/null 2>&1; then
  sum=$(sha256sum "$outdir/$archive" | cut -d' ' -f1)
else
  sum=$(shasum -a 256 "$outdir/$archive" | cut -d' ' -f1)
fi
printf '%s  %s\n' "$sum" "$archive" >"$outdir/$archive.sha256"
printf '%s\n' "$outdir/$archive"
