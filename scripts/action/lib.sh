#!/usr/bin/env bash
# Shared helpers for the action's step scripts (sourced, never run on its own).
# shellcheck shell=bash

# Prints a message on stderr with the action's prefix.
say() { printf 'helpcenter-action: %s\n' "$*" >&2; }

# Fails the step with a GitHub error annotation.
die() {
  printf '::error title=helpcenter action::%s\n' "$*"
  exit 1
}

# Appends stdin to the job summary (a no-op when run outside Actions).
summary() {
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    cat >>"$GITHUB_STEP_SUMMARY"
  else
    cat >/dev/null
  fi
}

# Sets a step output: output NAME VALUE (single-line values only).
output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

# Reads a simple `key = "value"` from a TOML file: toml_get FILE SECTION KEY
# (SECTION "" is the top level, "targets.production" a table). Enough for helpcenter.toml;
# the tool itself parses the file properly, this only finds the target's name and token_env.
toml_get() {
  awk -v want="$2" -v key="$3" '
    BEGIN { sec = ""; q = sprintf("%c", 39) }
    /^[[:space:]]*\[/ {
      s = $0
      sub(/^[[:space:]]*\[+[[:space:]]*/, "", s)
      sub(/[[:space:]]*\]+.*$/, "", s)
      gsub(/"/, "", s)
      gsub(q, "", s)
      gsub(/[[:space:]]*\.[[:space:]]*/, ".", s)
      sec = s
      next
    }
    sec == want {
      line = $0
      if (match(line, "^[[:space:]]*\"?" key "\"?[[:space:]]*=")) {
        v = substr(line, RLENGTH + 1)
        sub(/^[[:space:]]+/, "", v)
        if (substr(v, 1, 1) == "\"") { v = substr(v, 2); sub(/".*$/, "", v) }
        else if (substr(v, 1, 1) == q) { v = substr(v, 2); sub(q ".*$", "", v) }
        else { sub(/[[:space:]]*(#.*)?$/, "", v) }
        print v
        exit
      }
    }' "$1"
}

# SHA-256 of stdin, hex (sha256sum on Linux, shasum on macOS).
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum | cut -d' ' -f1
  else
    shasum -a 256 | cut -d' ' -f1
  fi
}

# The ref the action is used at (`uses: OWNER/REPO@REF`). github.action_ref is not always set
# for composite actions (actions/runner#2473), so fall back to the folder the runner unpacked
# the action into: RUNNER_WORK/_actions/OWNER/REPO/REF.
action_ref() {
  if [ -n "${ACTION_REF:-}" ]; then
    printf '%s\n' "$ACTION_REF"
  else
    case "${GITHUB_ACTION_PATH:-}" in
      */_actions/*/*/*) basename "$GITHUB_ACTION_PATH" ;;
      *) printf '\n' ;;
    esac
  fi
}

# OWNER/REPO of the action, the same way.
action_repository() {
  if [ -n "${ACTION_REPOSITORY:-}" ]; then
    printf '%s\n' "$ACTION_REPOSITORY"
  else
    case "${GITHUB_ACTION_PATH:-}" in
      */_actions/*/*/*)
        local repo_dir
        repo_dir=$(dirname "$GITHUB_ACTION_PATH")
        printf '%s/%s\n' "$(basename "$(dirname "$repo_dir")")" "$(basename "$repo_dir")"
        ;;
      *) printf '\n' ;;
    esac
  fi
}

# True for a release tag: v1.2.3, v1.2.3-rc.1 (a branch or a commit SHA is not one).
is_release_tag() {
  [[ "$1" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]
}
