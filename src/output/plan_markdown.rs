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

/// Rows of the impact table (the most read; guarded removals are always listed).
const IMPACT_ROWS: usize = 25;

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
    let impact = impact_section(plan);
    tables.push_str(&impact);
    let mut cut = false;
    if tables.len() > room {
        cut = true;
        tables = key_lists(&changes, &pending, room.saturating_sub(impact.len()));
        if tables.len() + impact.len() <= room {
            tables.push_str(&impact);
        }
    }
    let diffs = same_edits(&changes);
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
    let parts: Vec<String> = super::plan_text::change_counts(plan)
        .into_iter()
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

/// Intercom's statistics of the articles deleted, unpublished or renamed (URL change), and
/// which removals `protect_views` holds back.
fn impact_section(plan: &Plan) -> String {
    let mut rows: Vec<(&Change, &crate::plan::model::Impact)> = plan
        .changes
        .iter()
        .filter(|c| c.kind == crate::plan::model::ObjectKind::Article)
        .filter_map(|c| Some((c, plan.impact.get(&c.key)?)))
        .collect();
    let unread = rows
        .iter()
        .filter(|(_, i)| crate::plan::impact::unread(i))
        .count();
    rows.retain(|(_, i)| !crate::plan::impact::unread(i));
    if rows.is_empty() {
        return String::new();
    }
    // Most read first; guarded ones always shown.
    rows.sort_by(|a, b| {
        (b.1.needs_force_prune, b.1.views, b.1.conversations).cmp(&(
            a.1.needs_force_prune,
            a.1.views,
            a.1.conversations,
        ))
    });
    let mut out = String::from(
        "#### Impact on readers\n\nArticles this plan deletes, unpublishes or renames (a new title is a new URL), most read first, with Intercom's statistics.\n\n| change | key | title | views | conversations | reactions |\n|---|---|---|---|---|---|\n",
    );
    let shown = rows
        .iter()
        .take_while(|(_, i)| i.needs_force_prune)
        .count()
        .max(IMPACT_ROWS.min(rows.len()));
    for (c, i) in &rows[..shown] {
        let mut change = match crate::plan::impact::reach(c) {
            Some(crate::plan::impact::Reach::Renamed) => "rename (URL changes)".to_owned(),
            _ if c.needs_prune => "pending delete".to_owned(),
            _ => c.action.as_str().to_owned(),
        };
        if i.needs_force_prune {
            change.push_str(" 🔒 needs `--force-prune`");
        }
        let _ = writeln!(
            out,
            "| {change} | `{}` | {} | {} | {} | {} |",
            cell(&c.key),
            cell(&c.title),
            i.views,
            i.conversations,
            i.reactions
        );
    }
    let rest = rows.len() - shown;
    if rest > 0 {
        let views: u64 = rows[shown..].iter().map(|(_, i)| i.views).sum();
        let _ = writeln!(out, "\n… and {rest} more, with {views} views in all.");
    }
    if unread > 0 {
        let _ = writeln!(
            out,
            "\n{unread} more with no views, conversations or reactions."
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

/// The diff of one change, and the other changes that make exactly the same edit.
struct Diff<'p> {
    change: &'p Change,
    lines: Vec<String>,
    same: Vec<&'p Change>,
}

/// What a change edits, word by word, without its context: two changes with one signature
/// make the same edit (a product renamed across 500 articles), so one diff shows for all.
fn edit_signature(c: &Change) -> String {
    let mut sig = format!("{} {}", c.action.as_str(), c.kind.as_str());
    for f in &c.fields {
        let _ = write!(sig, "\n{}:", f.field);
        for n in &f.notes {
            let _ = write!(sig, " ={n}");
        }
        let before = f.before.as_deref().unwrap_or("");
        let after = f.after.as_deref().unwrap_or("");
        if f.before.is_none() {
            // A new value is its own edit: creates are never grouped.
            let _ = write!(sig, " +{after}");
            continue;
        }
        for change in similar::TextDiff::from_words(before, after).iter_all_changes() {
            match change.tag() {
                similar::ChangeTag::Delete => {
                    let _ = write!(sig, " -{}", change.value());
                }
                similar::ChangeTag::Insert => {
                    let _ = write!(sig, " +{}", change.value());
                }
                similar::ChangeTag::Equal => {}
            }
        }
    }
    sig
}

/// The diffs to show: one per distinct edit, each with the changes that repeat it.
fn same_edits<'p>(changes: &[&'p Change]) -> Vec<Diff<'p>> {
    let mut out: Vec<Diff<'p>> = Vec::new();
    let mut by_signature: std::collections::HashMap<String, usize> =
        std::collections::HashMap::new();
    for c in changes {
        let lines = diff_lines(c);
        if lines.is_empty() && notes(c).is_empty() {
            continue;
        }
        let signature = edit_signature(c);
        if let Some(&i) = by_signature.get(&signature) {
            out[i].same.push(c);
            continue;
        }
        by_signature.insert(signature, out.len());
        out.push(Diff {
            change: c,
            lines,
            same: Vec::new(),
        });
    }
    out
}

/// How many keys a "same edit" line names before counting the rest.
const SAME_KEYS: usize = 8;

/// One collapsible block per distinct edit, its diff cut to `cap` bytes of lines.
fn block(d: &Diff<'_>, cap: usize) -> String {
    let (c, lines) = (d.change, &d.lines);
    let mut out = format!(
        "<details><summary><b>{}</b> {} <code>{}</code> {}</summary>\n\n",
        c.action.as_str(),
        c.kind.as_str(),
        crate::html_text::text(&c.key),
        crate::html_text::text(&c.title)
    );
    if !d.same.is_empty() {
        let keys: Vec<String> = d
            .same
            .iter()
            .take(SAME_KEYS)
            .map(|o| format!("`{}`", cell(&o.key)))
            .collect();
        let rest = d.same.len().saturating_sub(SAME_KEYS);
        let _ = writeln!(
            out,
            "The same edit is made in {} other {}(s): {}{}.\n",
            d.same.len(),
            c.kind.as_str(),
            keys.join(", "),
            if rest > 0 {
                format!(" and {rest} more (all in the table)")
            } else {
                String::new()
            }
        );
    }
    let notes = notes(c);
    out.push_str(&notes);
    if !notes.is_empty() && !lines.is_empty() {
        out.push('\n');
    }
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
            let _ = writeln!(out, "```diff\n{body}```");
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
fn fit_diffs(diffs: &[Diff<'_>], room: usize) -> (String, bool) {
    const HEAD: usize = "#### Diffs\n\n".len();
    let shown = |d: &Diff<'_>, cap: usize| {
        let full = full_len(&d.lines);
        !(full > cap && cap < MIN_DIFF && notes(d.change).is_empty())
    };
    // Sizes are measured on the real blocks, built once per diff and cap, so the search is
    // exact; the blocks of a cap are only joined at the end.
    let total = |cap: usize| -> usize {
        diffs
            .iter()
            .filter(|d| shown(d, cap))
            .map(|d| block(d, cap).len())
            .sum::<usize>()
            + HEAD
    };
    let max = diffs.iter().map(|d| full_len(&d.lines)).max().unwrap_or(0);
    let cap = if total(max) <= room {
        max
    } else {
        // The largest cap that fits (the size grows with the cap above MIN_DIFF).
        let (mut lo, mut hi) = (0, max);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if total(mid) <= room {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if total(lo) > room {
            return (String::new(), true);
        }
        lo
    };
    let mut out = String::new();
    let mut shortened = false;
    for d in diffs {
        shortened |= full_len(&d.lines) > cap;
        if shown(d, cap) {
            out.push_str(&block(d, cap));
        }
    }
    (out, shortened)
}

/// Text for a table cell: no line breaks, no pipes, no HTML.
fn cell(s: &str) -> String {
    s.replace('\n', " ")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::plan::model::{Action, ObjectKind, Summary};

    /// `line 0 {tail}\n`… for `count` lines.
    fn numbered(count: usize, tail: &str) -> String {
        (0..count).fold(String::new(), |mut s, i| {
            let _ = writeln!(s, "line {i} {tail}");
            s
        })
    }

    fn change(n: usize, body_lines: usize) -> Change {
        let before = numbered(body_lines, &format!("of {n}"));
        let after = before.replacen("line 0 ", "first line ", 1);
        Change {
            action: Action::Update,
            kind: ObjectKind::Article,
            key: format!("area-{}/article-{n:05}", n % 7),
            id: Some(format!("{}", 7_000_000 + n)),
            title: format!("Article number {n}"),
            locales: vec!["en".into(), "de".into()],
            drift: false,
            needs_prune: false,
            previous_key: None,
            parent_changed: false,
            fields: vec![
                FieldChange {
                    locale: Some("en".into()),
                    field: "title".into(),
                    before: Some(format!("Old article number {n}")),
                    after: Some(format!("Article number {n}")),
                    drift: false,
                    notes: Vec::new(),
                },
                FieldChange {
                    locale: Some("en".into()),
                    field: "body".into(),
                    before: Some(before),
                    after: Some(after),
                    drift: false,
                    notes: Vec::new(),
                },
            ],
            remote_updated_at: None,
        }
    }

    fn plan(changes: Vec<Change>) -> Plan {
        let mut p = Plan {
            version: 1,
            target: "production".into(),
            help_center_id: None,
            content_hash: String::new(),
            summary: Summary::default(),
            changes,
            warnings: Vec::new(),
            errors: Vec::new(),
            impact: std::collections::BTreeMap::new(),
        };
        p.summarize(0);
        p
    }

    const MARKER: &str = "<!-- helpcenter-plan:production -->";

    #[test]
    fn ten_thousand_changes_stay_within_the_limit_and_count_the_rest() {
        let p = plan((0..10_000).map(|n| change(n, 3)).collect());
        let md = render(&p, Some(MARKER));
        assert!(md.len() <= MAX_LEN, "{} bytes", md.len());
        assert!(
            md.contains("- **update** (10000): `area-0/article-00000`"),
            "{md}"
        );
        assert!(md.contains("more\n"), "the keys not listed are counted");
        assert!(md.contains("run `helpcenter plan` locally"));
    }

    #[test]
    fn one_huge_article_is_cut_and_says_so() {
        let mut huge = change(1, 0);
        huge.fields[1].before = Some(String::new());
        huge.fields[1].after = Some("a long paragraph of the new article\n".repeat(20_000));
        let p = plan(vec![huge, change(2, 5)]);
        let md = render(&p, Some(MARKER));
        assert!(md.len() <= MAX_LEN, "{} bytes", md.len());
        assert!(
            md.len() > MAX_LEN / 2,
            "the room is used: {} bytes",
            md.len()
        );
        assert!(md.contains("more diff line(s)"));
        // The small diff is whole.
        assert!(md.contains("-line 0 of 2\n+first line of 2\n"), "{md}");
    }

    #[test]
    fn diffs_shrink_evenly_and_every_change_keeps_its_row() {
        let rewritten = |n: usize| {
            let mut c = change(n, 0);
            c.fields[1].before = Some(numbered(200, &format!("old{n}")));
            c.fields[1].after = Some(numbered(200, &format!("new{n}")));
            c
        };
        let p = plan((0..60).map(rewritten).collect());
        let full: usize = p.changes.iter().map(|c| full_len(&diff_lines(c))).sum();
        assert!(full > MAX_LEN, "the case needs shrinking");
        let md = render(&p, None);
        assert!(md.len() <= MAX_LEN, "{} bytes", md.len());
        for c in &p.changes {
            assert!(
                md.contains(&format!("| `{}` |", c.key)),
                "{} has a row",
                c.key
            );
        }
        let shown = md.matches("<details>").count();
        assert_eq!(shown, 60, "every diff is shown, shortened alike");
        assert_eq!(md.matches("more diff line(s)").count(), 60);
        assert!(md.contains("The plan is shortened"));
    }

    #[test]
    fn the_same_edit_in_many_articles_shows_once() {
        let p = plan((0..40).map(|n| change(n, 4)).collect());
        let md = render(&p, None);
        assert_eq!(md.matches("<details>").count(), 1, "{md}");
        assert!(
            md.contains("The same edit is made in 39 other article(s): `area-1/article-00001`"),
            "{md}"
        );
        assert!(md.contains(" and 31 more (all in the table)."), "{md}");
        assert!(!md.contains("shortened"));
    }

    #[test]
    fn a_plan_that_fits_is_not_marked_shortened() {
        let md = render(&plan(vec![change(1, 5)]), None);
        assert!(!md.contains("shortened"), "{md}");
        assert!(md.contains("@@ body[en] @@\n-line 0 of 1\n+first line of 1\n line 1 of 1\n"));
    }
}
