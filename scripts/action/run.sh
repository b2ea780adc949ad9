#!/usr/bin/env bash
# Step 4 of action.yml: run check, plan or apply and report to the job summary, the pull
# request and the step outputs.
# In: INPUT_COMMAND, INPUT_DIRECTORY, INPUT_TARGET, INPUT_INTERCOM_TOKEN, INPUT_GITHUB_TOKEN,
#     INPUT_PRUNE, INPUT_ON_DRIFT, INPUT_COMMIT_STATE, INPUT_STATE_BRANCH, INPUT_PREVIEW and
#     the runner's GITHUB_* / RUNNER_TEMP.
# Out (step outputs): has-changes (true | false), plan-file (the saved plan, JSON), and on a
#     pull request with INPUT_PREVIEW=true: preview-dir, preview-artifact (for the upload step).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

event="${GITHUB_EVENT_NAME:-}"
is_pr=false
case "$event" in pull_request | pull_request_target) is_pr=true ;; esac

command="${INPUT_COMMAND:-}"
if [ -z "$command" ]; then
  case "$event" in
    push) command=apply ;;
    *) command=plan ;;
  esac
fi
case "$command" in
  check | plan | apply) ;;
  *) die "input \`command\` must be check, plan or apply, not \`$command\`" ;;
esac

dir="${INPUT_DIRECTORY:-.}"
config="$dir/helpcenter.toml"
[ -f "$config" ] || die "no \`helpcenter.toml\` in \`$dir\` (input \`directory\`)"

target="${INPUT_TARGET:-}"
[ -n "$target" ] || target=$(toml_get "$config" "" default_target)
kind=""
token_env=INTERCOM_TOKEN
if [ -n "$target" ]; then
  kind=$(toml_get "$config" "targets.$target" kind)
  configured=$(toml_get "$config" "targets.$target" token_env)
  [ -z "$configured" ] || token_env="$configured"
fi
[[ "$token_env" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "\`token_env\` of target \`$target\` is not a variable name"

# The token travels only through the environment: the input, or the variable itself when the
# workflow sets it in `env:`. It is never on a command line and never printed.
token="${INPUT_INTERCOM_TOKEN:-}"
unset INPUT_INTERCOM_TOKEN
[ -n "$token" ] || token="${!token_env:-}"
if [ -n "$token" ]; then
  printf '::add-mask::%s\n' "$token"
  export "${token_env}=${token}"
fi
github_token="${INPUT_GITHUB_TOKEN:-}"
unset INPUT_GITHUB_TOKEN

fallback=false
if [ "$command" != check ] && [ -z "$token" ] && [ "$kind" != sandbox ] && [ "$is_pr" = true ]; then
  # Pull requests from forks get no secrets: validate offline instead of failing.
  command=check
  fallback=true
fi

work="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/helpcenter-action"
mkdir -p "$work"
name="${target:-default}"
plan_file="$work/$name.plan.json"
plan_md="$work/$name.plan.md"
log="$work/$name.log"

args=(--color never --dir "$dir")
[ -z "${INPUT_TARGET:-}" ] || args+=(--target "$INPUT_TARGET")
prune_flag=()
[ "${INPUT_PRUNE:-false}" != true ] || prune_flag=(--prune)

# Runs helpcenter with stderr saved to $log (and echoed to the job log afterwards).
hc() {
  local rc=0
  helpcenter "${args[@]}" "$@" 2>"$log" || rc=$?
  cat "$log" >&2
  return "$rc"
}

# Last lines of the log as a fenced block for the summary.
log_block() {
  printf '\n```text\n'
  tail -n 40 "$log"
  printf '```\n'
}

output has-changes false

# Annotations first: `check --format github` prints `::error file=…` lines on stdout.
check_rc=0
hc check --format github || check_rc=$?
if [ "$command" = check ] || [ "$check_rc" -ne 0 ]; then
  {
    printf '### helpcenter check%s\n\n' "${target:+ for \`$target\`}"
    if [ "$fallback" = true ]; then
      # shellcheck disable=SC2016 # backticks are Markdown
      printf '> [!NOTE]\n> No Intercom token is available (a pull request from a fork gets no secrets), so only `check` ran. The plan is made when the pull request is merged, or by a maintainer re-running it from a branch of this repository.\n\n'
    fi
    if [ "$check_rc" -eq 0 ]; then
      printf 'The content is valid.\n'
    else
      printf 'The content has errors: they are annotated on the files in this run.\n'
      log_block
    fi
  } | summary
  [ "$fallback" = false ] || say "no Intercom token: ran \`check\` only (pull request from a fork?)"
  exit "$check_rc"
fi

# With `state-branch`, the state plan and apply start from is the one on that branch.
state_branch="${INPUT_STATE_BRANCH:-}"
if [ -n "$state_branch" ]; then
  "$here/state-branch.sh" read "$dir" "$state_branch"
fi

plan_rc=0
hc plan --format markdown --out "$plan_file" --detailed-exitcode ${prune_flag[@]+"${prune_flag[@]}"} >"$plan_md" || plan_rc=$?
case "$plan_rc" in
  0) has_changes=false ;;
  2) has_changes=true ;;
  *)
    {
      printf '### helpcenter %s%s failed\n' "$command" "${target:+ for \`$target\`}"
      log_block
    } | summary
    exit 1
    ;;
esac
output has-changes "$has_changes"
output plan-file "$plan_file"
# The plan's own title names the resolved target when the config chose it.
# shellcheck disable=SC2016 # backticks are Markdown
resolved=$(sed -n '1s/^### helpcenter plan for `\(.*\)`$/\1/p' "$plan_md")
[ -z "$resolved" ] || target="$resolved"

if [ "$command" = plan ]; then
  # The rendered preview, as static files the next step uploads as an artifact; the comment
  # links the run's artifacts.
  preview_note=""
  if [ "$is_pr" = true ] && [ "${INPUT_PREVIEW:-true}" = true ]; then
    preview_dir="$work/$name.preview"
    artifact="helpcenter-preview-${target:-default}"
    rm -rf "$preview_dir"
    if hc preview --export "$preview_dir"; then
      output preview-dir "$preview_dir"
      output preview-artifact "$artifact"
      runs_url="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}"
      # shellcheck disable=SC2016 # backticks are Markdown
      preview_note=$(printf '🔎 **Rendered preview**: artifact [`%s`](%s#artifacts) of this run (download it, unzip, open `index.html`).' "$artifact" "$runs_url")
    else
      say "the preview could not be exported (see above); the plan comment has no preview link"
    fi
  fi
  {
    cat "$plan_md"
    [ -z "$preview_note" ] || printf '\n%s\n' "$preview_note"
  } | summary
  if [ "$is_pr" = true ]; then
    if [ -z "$github_token" ]; then
      say "no \`github-token\`: the plan is in the job summary only"
    else
      GITHUB_TOKEN="$github_token" python3 "$here/pr-comment.py" \
        "<!-- helpcenter-plan:$target -->" "$plan_md" "$has_changes" "$preview_note"
    fi
  fi
  exit 0
fi

# apply
apply_rc=0
if [ "$has_changes" = true ]; then
  apply_args=(apply --yes ${prune_flag[@]+"${prune_flag[@]}"})
  [ -z "${INPUT_ON_DRIFT:-}" ] || apply_args+=(--on-drift "$INPUT_ON_DRIFT")
  # The plan apply prints on stdout goes to the log; the summary has the Markdown one.
  hc "${apply_args[@]}" >&2 || apply_rc=$?
fi

state_note=""
commit=false
[ "${INPUT_COMMIT_STATE:-false}" != true ] && [ -z "$state_branch" ] || commit=true
if [ "$commit" = true ] && [ "$is_pr" = true ]; then
  printf '::warning title=helpcenter action::the state is not committed on pull requests (the checkout is a merge commit)\n'
elif [ "$commit" = true ]; then
  # Commit what succeeded even when the apply failed: the state is the only record of the
  # objects it created.
  commit_rc=0
  if [ -n "$state_branch" ]; then
    state_note=$("$here/state-branch.sh" commit "$dir" "$target" "$state_branch") || commit_rc=$?
  else
    state_note=$("$here/commit-state.sh" "$dir" "$target") || commit_rc=$?
  fi
  if [ "$commit_rc" -ne 0 ]; then
    state_note="The state file could not be pushed: see the log."
    [ "$apply_rc" -ne 0 ] || apply_rc=$commit_rc
  fi
fi

{
  # shellcheck disable=SC2016 # backticks are Markdown
  printf '### helpcenter apply for `%s`\n\n' "$target"
  if [ "$has_changes" = false ]; then
    printf 'No changes: the help center already matches the content.\n'
  elif [ "$apply_rc" -eq 0 ]; then
    printf 'Applied.\n'
  else
    printf '**Apply failed.** The state file keeps what succeeded; fix the cause and run again.\n'
  fi
  if [ "$has_changes" = true ]; then
    log_block
    printf '\n<details><summary>Plan</summary>\n\n'
    tail -n +2 "$plan_md"
    printf '\n</details>\n'
  fi
  [ -z "$state_note" ] || printf '\n%s\n' "$state_note"
} | summary
exit "$apply_rc"
