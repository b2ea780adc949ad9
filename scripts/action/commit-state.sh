#!/usr/bin/env bash
# Commits the state files under DIR/.helpcenter/ and pushes them to the branch that triggered
# the run, rebasing and retrying (3 tries) when the branch moved meanwhile.
# Usage: commit-state.sh DIR TARGET. Prints one summary line on stdout.
# In: GITHUB_REF_NAME (or GITHUB_REF), GITHUB_SHA.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir="$1"
target="$2"
ref="${GITHUB_REF:-}"
branch="${GITHUB_REF_NAME:-${ref#refs/heads/}}"
[ -n "$branch" ] || die "cannot tell which branch to push the state to (GITHUB_REF_NAME is empty)"

shopt -s nullglob
files=("$dir"/.helpcenter/*.state.json)
if [ "${#files[@]}" -eq 0 ]; then
  echo "No state file to commit."
  exit 0
fi
git add -- "${files[@]}"
if git diff --cached --quiet -- "${files[@]}"; then
  echo "The state file is unchanged."
  exit 0
fi
if [ -z "$(git config user.email || true)" ]; then
  git config user.name "github-actions[bot]"
  git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
fi
# `[skip ci]` keeps the push from starting the workflow again.
git commit --quiet -m "helpcenter: update state of \`${target}\` [skip ci]" \
  -m "Written by \`helpcenter apply\` for ${GITHUB_SHA:-HEAD}." -- "${files[@]}" >&2

for try in 1 2 3; do
  if git push --quiet origin "HEAD:refs/heads/$branch" >&2; then
    echo "Committed the state file as $(git rev-parse --short HEAD) on \`$branch\`."
    exit 0
  fi
  [ "$try" -lt 3 ] || break
  say "push rejected (try $try of 3): rebasing on \`$branch\`"
  git pull --quiet --rebase origin "$branch" >&2 || {
    git rebase --abort >/dev/null 2>&1 || true
    die "could not rebase the state commit on \`$branch\`"
  }
done
die "could not push the state commit to \`$branch\` after 3 tries"
