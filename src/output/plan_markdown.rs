//! The plan as GitHub-flavoured Markdown for a pull-request comment: a compact table with one
//! row per change, pending deletes in their own section, then per change a diff folded to a
//! few lines of context, hunks headed by the nearest Markdown heading. The whole comment stays
//! within GitHub's 65,536-character limit: when the budget is short, every change keeps its
//! row and the diffs shrink evenly (the largest first), and the comment says where the rest is.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::plan::body_diff::{self, CONTEXT, Hunk, Sign};
use crate::plan::model::{Change, FieldChange, Plan};

/// GitHub rejects comments over 65,536 characters (bytes are counted here: never fewer).
pub const MAX_LEN: usize = 65_536;
/// Room kept for what the Action adds around the plan (its marker line).
const RESERVE: usize = 512;
/// A diff line longer than this is cut (a paragraph is one line of readable text).
const MAX_LINE: usize = 300;
/// A diff shrunk below this many characters is not worth showing: its row names it.
const MIN_DIFF: usize = 160;

/// Renders the plan; `marker` (e.g. a hidden HTML comment) is put first when given.
pub fn render(plan: &Plan, marker: Option<&str>) -> String {
    render_within(plan, marker, MAX_LEN - RESERVE)
}

/// Renders the plan in at most `budget` bytes.
pub fn render_within(plan: &Plan, marker: Option<&str>, budget: usize) -> String {
    let mut head = String::new();
    if let Some(m) = marker {
        let _ = writeln!(head, "{m}");
    }
    let _ = writeln!(head, "### helpcenter plan for `{}`\n", plan.target);
    let (changes, pending): (Vec<&Change>, Vec<&Change>) =
        plan.changes.iter().partition(|c| !c.needs_prune);
    if changes.is_empty() && pending.is_empty() {
        let _ = writeln!(
            head,
            "No changes. {} objects unchanged.",
            plan.summary.unchanged
        );
        return head;
    }
    let _ = writeln!(head, "{}\n", summary_line(plan));
    if plan.summary.drift > 0 {
        let _ = writeln!(
            head,
            "> [!WARNING]\n> {} object(s) were edited in Intercom since the last apply. Applying puts back the repository's version; run `helpcenter pull KEY` to keep an edit.\n",
            plan.summary.drift
        );
    }
    for e in &plan.errors {
        let _ = writeln!(head, "> [!CAUTION]\n> {}\n", cell(&e.message));
    }
    let footer = "\n_The plan is shortened to fit a pull-request comment: run `helpcenter plan` locally (or open the plan file the workflow uploads) for every diff._\n";
    let room = budget.saturating_sub(head.len() + footer.len());

    // Tables first: they must fit whole, or shrink to lists of keys.
    let mut tables = String::new();
    if !changes.is_empty() {
        tables.push_str(&change_table(&changes));
    }
    if !pending.is_empty() {
        tables.push_str(&pending_section(&pending));
    }
    let mut cut = false;
    if tables.len() > room {
        cut = true;
        tables = key_lists(&changes, &pending, room);
    }
    let diffs: Vec<(&Change, Vec<String>)> = changes
        .iter()
        .filter_map(|c| {
            let lines = diff_lines(c);
            (!lines.is_empty() || !notes(c).is_empty()).then_some((*c, lines))
        })
        .collect();
    let room = room.saturating_sub(tables.len());
    let (blocks, shortened) = fit_diffs(&diffs, room);
    cut |= shortened;
    let mut out = head;
    out.push_str(&tables);
    if !blocks.is_empty() {
        out.push_str("#### Diffs\n\n");
        out.push_str(&blocks);
    }
    if cut {
        out.push_str(footer);
    }
    out
}

/// `**2** to create, **1** to update · 3 unchanged · 1 pending delete(s) need --prune`.
fn summary_line(plan: &Plan) -> String {
    let s = &plan.summary;
    let parts: Vec<String> = [
        (s.create, "to create"),
        (s.update, "to update"),
        (s.adopt, "to adopt"),
        (s.moves, "to move"),
        (s.recreate, "to recreate"),
        (s.unpublish, "to unpublish"),
        (s.delete, "to delete"),
        (s.drift, "with drift"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("**{n}** {what}"))
    .collect();
    let mut line = if parts.is_empty() {
        "Nothing to change".to_owned()
    } else {
        parts.join(", ")
    };
    let _ = write!(line, " · {} unchanged", s.unchanged);
    if s.needs_prune > 0 {
        let _ = write!(
            line,
            " · {} pending delete(s) need `--prune`",
            s.needs_prune
        );
    }
    line
}

fn change_table(changes: &[&Change]) -> String {
    let mut out = String::from(
        "| action | kind | key | title | locales | fields |\n|---|---|---|---|---|---|\n",
    );
    for c in changes {
        let mut action = c.action.as_str().to_owned();
        if c.drift {
            action.push_str(" ⚠️ drift");
        }
        let mut key = format!("`{}`", cell(&c.key));
        if let Some(prev) = &c.previous_key {
            let _ = write!(key, " (was `{}`)", cell(prev));
        }
        let _ = writeln!(
            out,
            "| {action} | {} | {key} | {} | {} | {} |",
            c.kind.as_str(),
            cell(&c.title),
            c.locales.join(", "),
            field_names(c)
        );
    }
    out.push('\n');
    out
}

fn pending_section(pending: &[&Change]) -> String {
    let mut out = format!(
        "#### Pending deletes ({})\n\nIn the state file but no longer in the content. Not deleted by this run: apply with `--prune` (or set `prune = true`) to delete them.\n\n| kind | key | title |\n|---|---|---|\n",
        pending.len()
    );
    for c in pending {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} |",
            c.kind.as_str(),
            cell(&c.key),
            cell(&c.title)
        );
    }
    out.push('\n');
    out
}

/// The tables shrunk to comma-separated keys per action, cut to `room` with a count of the
/// rest (a plan of many thousands of changes cannot list them all in one comment).
fn key_lists(changes: &[&Change], pending: &[&Change], room: usize) -> String {
    let mut groups: Vec<(String, Vec<&Change>)> = Vec::new();
    for c in changes {
        let name = c.action.as_str().to_owned();
        match groups.iter_mut().find(|(n, _)| *n == name) {
            Some((_, list)) => list.push(c),
            None => groups.push((name, vec![c])),
        }
    }
    if !pending.is_empty() {
        groups.push(("pending delete (needs `--prune`)".into(), pending.to_vec()));
    }
    // Even shares of the room per group, each ending with how many keys it could not show.
    let share = room / groups.len().max(1);
    let mut out = String::new();
    for (name, list) in &groups {
        let mut line = format!("- **{name}** ({}): ", list.len());
        let mut shown = 0;
        for c in list {
            let item = format!("`{}`, ", cell(&c.key));
            if line.len() + item.len() + 40 > share {
                break;
            }
            line.push_str(&item);
            shown += 1;
        }
        let line = line.trim_end_matches(", ").to_owned();
        let rest = list.len() - shown;
        let _ = if rest > 0 {
            writeln!(out, "{line} … and {rest} more")
        } else {
            writeln!(out, "{line}")
        };
    }
    out.push('\n');
    out
}

/// The changed field names of a change, once each, in order.
fn field_names(c: &Change) -> String {
    let mut seen = BTreeSet::new();
    c.fields
        .iter()
        .filter(|f| seen.insert(f.field.as_str()))
        .map(|f| f.field.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `- `body[en]`: image `x.png` changed` lines for fields whose readable text is unchanged.
fn notes(c: &Change) -> String {
    let mut out = String::new();
    for f in &c.fields {
        for n in &f.notes {
            let _ = writeln!(out, "- `{}`: {}", field_label(f), cell(n));
        }
    }
    out
}

fn field_label(f: &FieldChange) -> String {
    match &f.locale {
        Some(l) => format!("{}[{l}]", f.field),
        None => f.field.clone(),
    }
}

/// The diff of a change as lines of one `diff` block: per field, `@@ field[locale] @@` and
/// folded hunks, each hunk headed by its section.
fn diff_lines(c: &Change) -> Vec<String> {
    let mut out = Vec::new();
    for f in &c.fields {
        if f.before.is_none() && f.after.is_none() {
            continue;
        }
        let before = f.before.as_deref().unwrap_or("");
        let after = f.after.as_deref().unwrap_or("");
        let drift = if f.drift {
            " (changed in Intercom)"
        } else {
            ""
        };
        let label = field_label(f);
        let hunks: Vec<Hunk> = if before.contains('\n') || after.contains('\n') {
            body_diff::hunks(before, after, CONTEXT)
        } else {
            let mut lines = Vec::new();
            if f.before.is_some() {
                lines.push((Sign::Removed, before.to_owned()));
            }
            lines.push((Sign::Added, after.to_owned()));
            vec![Hunk {
                heading: None,
                lines,
            }]
        };
        for hunk in hunks {
            let section = hunk
                .heading
                .as_ref()
                .map(|h| format!(" {h}"))
                .unwrap_or_default();
            out.push(format!("@@ {label}{drift} @@{section}"));
            for (sign, text) in hunk.lines {
                out.push(format!(
                    "{}{}",
                    sign.as_char(),
                    body_diff::clip(&text, MAX_LINE).replace("```", "ˋˋˋ")
                ));
            }
        }
    }
    out
}

/// One collapsible block per change, its diff cut to `cap` bytes of lines.
fn block(c: &Change, lines: &[String], cap: usize) -> String {
    let mut out = format!(
        "<details><summary><b>{}</b> {} <code>{}</code> {}</summary>\n\n",
        c.action.as_str(),
        c.kind.as_str(),
        html_escape(&c.key),
        html_escape(&c.title)
    );
    out.push_str(&notes(c));
    if !lines.is_empty() {
        let mut body = String::new();
        let mut shown = 0;
        for line in lines {
            if body.len() + line.len() + 1 > cap {
                break;
            }
            body.push_str(line);
            body.push('\n');
            shown += 1;
        }
        if shown > 0 {
            let _ = write!(out, "\n```diff\n{body}```\n");
        }
        let rest = lines.len() - shown;
        if rest > 0 {
            let _ = writeln!(
                out,
                "\n_… {rest} more diff line(s): run `helpcenter plan` locally._"
            );
        }
    }
    out.push_str("\n</details>\n\n");
    out
}

fn full_len(lines: &[String]) -> usize {
    lines.iter().map(|l| l.len() + 1).sum()
}

/// The blocks of all diffs within `room` bytes, and whether any was shortened. Every diff gets
/// the same cap (the largest that fits): small diffs stay whole, large ones shrink alike. A
/// diff that would shrink below [`MIN_DIFF`] is left to its table row.
fn fit_diffs(diffs: &[(&Change, Vec<String>)], room: usize) -> (String, bool) {
    let render = |cap: usize| {
        let mut out = String::new();
        let mut shortened = false;
        for (c, lines) in diffs {
            let full = full_len(lines);
            if full > cap && cap < MIN_DIFF && notes(c).is_empty() {
                shortened = true;
                continue;
            }
            shortened |= full > cap;
            out.push_str(&block(c, lines, cap));
        }
        (out, shortened)
    };
    let max = diffs.iter().map(|(_, l)| full_len(l)).max().unwrap_or(0);
    let (out, _) = render(max);
    if out.len() + "#### Diffs\n\n".len() <= room {
        return (out, false);
    }
    // The largest cap whose rendering fits (rendering size grows with the cap).
    let (mut lo, mut hi) = (0, max);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if render(mid).0.len() + "#### Diffs\n\n".len() <= room {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let (out, _) = render(lo);
    if out.len() + "#### Diffs\n\n".len() <= room {
        return (out, true);
    }
    (String::new(), true)
}

/// Text for a table cell: no line breaks, no pipes, no HTML.
fn cell(s: &str) -> String {
    s.replace('\n', " ")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
