#!/usr/bin/env python3
"""Creates or updates the one pull-request comment that carries a target's plan.

Usage: pr-comment.py MARKER BODY_FILE HAS_CHANGES [PREVIEW_NOTE]

The comment is found by MARKER (a hidden `<!-- helpcenter-plan:TARGET -->` line) among all
the pull request's comments (every page). It is created the first time the plan has changes,
then edited in place (PATCH) on later runs, including to say "No changes". While there has
never been a change, no comment is made. PREVIEW_NOTE (a Markdown line linking the run's
preview artifact) goes after the plan.

In: GITHUB_TOKEN (never printed), GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_EVENT_PATH.
Only the standard library: the GitHub REST API over urllib, the token in a header, never on a
command line.
"""

import json
import os
import re
import sys
import urllib.error
import urllib.request

PER_PAGE = 100


def call(method, url, token, body=None):
    """One REST call; returns (parsed JSON, Link header)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Accept", "application/vnd.github+json")
    req.add_header("X-GitHub-Api-Version", "2022-11-28")
    req.add_header("User-Agent", "helpcenter-action")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as resp:
        text = resp.read().decode()
        return (json.loads(text) if text else None), resp.headers.get("Link", "")


def next_link(link):
    """The rel="next" URL of a Link header, if any."""
    for part in link.split(","):
        m = re.search(r'<([^>]+)>\s*;\s*rel="next"', part)
        if m:
            return m.group(1)
    return None


def find_comment(api, repo, number, token, marker):
    """The first comment whose body holds the marker, looking through every page."""
    url = f"{api}/repos/{repo}/issues/{number}/comments?per_page={PER_PAGE}&page=1"
    page = 1
    while url:
        comments, link = call("GET", url, token)
        for comment in comments or []:
            if marker in (comment.get("body") or ""):
                return comment
        nxt = next_link(link)
        if nxt:
            url = nxt
        elif len(comments or []) == PER_PAGE:
            page += 1
            url = f"{api}/repos/{repo}/issues/{number}/comments?per_page={PER_PAGE}&page={page}"
        else:
            url = None
    return None


def main(argv):
    marker, body_path, has_changes = argv[1], argv[2], argv[3] == "true"
    preview_note = argv[4] if len(argv) > 4 else ""
    token = os.environ.get("GITHUB_TOKEN", "")
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    repo = os.environ["GITHUB_REPOSITORY"]
    with open(os.environ["GITHUB_EVENT_PATH"], encoding="utf-8") as f:
        event = json.load(f)
    pr = event.get("pull_request") or {}
    number = pr.get("number") or event.get("number")
    if not number:
        print("helpcenter-action: no pull request number in the event: no comment", file=sys.stderr)
        return 0
    with open(body_path, encoding="utf-8") as f:
        plan = f.read().rstrip("\n")
    body = f"{marker}\n{plan}\n"
    if preview_note:
        body += f"\n{preview_note}\n"
    head = (pr.get("head") or {}).get("sha")
    if head:
        body += f"\n<sub>Plan for {head[:7]}, updated on each push by the helpcenter action.</sub>\n"

    try:
        existing = find_comment(api, repo, number, token, marker)
        if existing is None:
            if not has_changes:
                print("helpcenter-action: no changes and no earlier plan comment: nothing to post",
                      file=sys.stderr)
                return 0
            created, _ = call("POST", f"{api}/repos/{repo}/issues/{number}/comments", token,
                              {"body": body})
            print(f"helpcenter-action: posted the plan comment {created.get('id')}", file=sys.stderr)
        elif existing.get("body") == body:
            print(f"helpcenter-action: the plan comment {existing['id']} is up to date",
                  file=sys.stderr)
        else:
            call("PATCH", f"{api}/repos/{repo}/issues/comments/{existing['id']}", token,
                 {"body": body})
            print(f"helpcenter-action: updated the plan comment {existing['id']}", file=sys.stderr)
    except urllib.error.HTTPError as e:
        detail = ""
        try:
            detail = json.loads(e.read().decode()).get("message", "")
        except (ValueError, AttributeError):
            pass
        # A missing permission should not hide the plan, which is in the job summary anyway.
        print(f"::warning title=helpcenter action::could not post the plan comment: HTTP {e.code}"
              f"{': ' + detail if detail else ''} (the job needs `permissions: pull-requests: write`)")
    except urllib.error.URLError as e:
        print(f"::warning title=helpcenter action::could not reach the GitHub API: {e.reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
