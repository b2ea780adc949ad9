#!/usr/bin/env bash
# The action's `state-branch` input: the state files live on their own branch (for
# repositories whose main branch is protected), not on the branch that is checked out.
# Usage:
#   state-branch.sh read DIR BRANCH           copy DIR/.helpcenter/*.state.json from origin's
#                                             BRANCH into the working tree (before plan/apply)
#   state-branch.sh commit DIR TARGET BRANCH  commit DIR/.helpcenter/*.state.json to BRANCH and
#                                             push it (after apply); prints one summary line
# The branch holds only state files, at the same paths as in the repository. It is created
# as an orphan branch (no history shared with the code) on the first commit. The checked-out
# branch, its index and HEAD are never touched: commits are made with a temporary index.
# In: GITHUB_SHA (named in the commit message).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mode="${1:-}"
dir="${2:?usage: state-branch.sh read|commit DIR ...}"
case "$mode" in
  read) branch="${3:?usage: state-branch.sh read DIR BRANCH}" ;;
  commit)
    target="${3:?usage: state-branch.sh commit DIR TARGET BRANCH}"
    branch="${4:?usage: state-branch.sh commit DIR TARGET BRANCH}"
    ;;
  *) die "usage: state-branch.sh read|commit DIR ..." ;;
esac
git check-ref-format --branch "$branch" >/dev/null 2>&1 ||
  die "input \`state-branch\` is not a valid branch name: \`$branch\`"
[ -d "$dir" ] || die "no folder \`$dir\` (input \`directory\`)"
# DIR/.helpcenter as a path from the top of the repository, the same on every branch.
prefix="$(cd "$dir" && git rev-parse --show-prefix).helpcenter/"
top="$(git -C "$dir" rev-parse --show-toplevel)"
cd "$top"

# Fetches origin's BRANCH into $fetched: its commit, or empty when the branch does not exist.
fetched=""
fetch_branch() {
  local rc=0
  fetched=""
  git ls-remote --exit-code --heads origin "refs/heads/$branch" >/dev/null 2>&1 || rc=$?
  if [ "$rc" -eq 2 ]; then
    return 0
  elif [ "$rc" -ne 0 ]; then
    die "cannot reach the remote \`origin\` to read the state branch \`$branch\`"
  fi
  git fetch --quiet --no-tags origin "+refs/heads/$branch:refs/helpcenter/state-branch" >&2 ||
    die "cannot fetch the state branch \`$branch\`"
  fetched=$(git rev-parse refs/helpcenter/state-branch)
}

if [ "$mode" = read ]; then
  fetch_branch
  head="$fetched"
  if [ -z "$head" ]; then
    say "the state branch \`$branch\` does not exist yet: using the state in the checkout (if any); apply creates the branch"
    exit 0
  fi
  count=0
  while IFS= read -r path; do
    case "$path" in "$prefix"*.state.json) ;; *) continue ;; esac
    mkdir -p "$(dirname "$path")"
    git cat-file blob "$head:$path" >"$path"
    count=$((count + 1))
  done < <(git ls-tree -r --name-only "$head" -- "$prefix")
  say "read $count state file(s) from the state branch \`$branch\` ($(git rev-parse --short "$head"))"
  exit 0
fi

shopt -s nullglob
files=("$prefix"*.state.json)
if [ "${#files[@]}" -eq 0 ]; then
  echo "No state file to commit."
  exit 0
fi
name=$(git config user.name || true)
email=$(git config user.email || true)
if [ -z "$email" ]; then
  name="github-actions[bot]"
  email="41898282+github-actions[bot]@users.noreply.github.com"
fi
export GIT_AUTHOR_NAME="${name:-github-actions[bot]}" GIT_AUTHOR_EMAIL="$email"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$email"
index=$(mktemp)
trap 'rm -f "$index"' EXIT

for try in 1 2 3; do
  fetch_branch
  parent="$fetched"
  rm -f "$index"
  if [ -n "$parent" ]; then
    GIT_INDEX_FILE="$index" git read-tree "$parent"
  else
    GIT_INDEX_FILE="$index" git read-tree --empty
  fi
  for f in "${files[@]}"; do
    blob=$(git hash-object -w -- "$f")
    GIT_INDEX_FILE="$index" git update-index --add --cacheinfo "100644,$blob,$f"
  done
  tree=$(GIT_INDEX_FILE="$index" git write-tree)
  if [ -n "$parent" ] && [ "$tree" = "$(git rev-parse "$parent^{tree}")" ]; then
    echo "The state file is unchanged on \`$branch\`."
    exit 0
  fi
  message="helpcenter: update state of \`${target}\` [skip ci]"
  body="Written by \`helpcenter apply\` for ${GITHUB_SHA:-HEAD}."
  if [ -n "$parent" ]; then
    commit=$(git commit-tree "$tree" -p "$parent" -m "$message" -m "$body")
  else
    commit=$(git commit-tree "$tree" -m "$message" -m "$body")
  fi
  # --force-with-lease: the push fails if the branch moved since it was fetched (or was
  # created meanwhile), instead of overwriting another run's state.
  if git push --quiet --force-with-lease="refs/heads/$branch:${parent}" origin "$commit:refs/heads/$branch" >&2; then
    short=$(git rev-parse --short "$commit")
    if [ -n "$parent" ]; then
      echo "Committed the state file as $short on \`$branch\`."
    else
      echo "Committed the state file as $short on \`$branch\` (a new orphan branch)."
    fi
    exit 0
  fi
  [ "$try" -lt 3 ] || break
  say "push to the state branch rejected (try $try of 3): reading \`$branch\` again"
done
die "could not push the state commit to \`$branch\` after 3 tries"
