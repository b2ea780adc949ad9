//! The plan as coloured text for a terminal: one block per object, per-field and per-locale
//! diffs of readable content (not raw HTML).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::output::printer::paint;
use crate::plan::body_diff::{self, CONTEXT, Sign};
use crate::plan::impact;
use crate::plan::model::{Action, Change, FieldChange, Impact, ObjectKind, Plan};

fn style(color: AnsiColor) -> Style {
    Style::new().fg_color(Some(color.into()))
}

/// The symbol and colour of an action.
fn sigil(action: Action) -> (&'static str, AnsiColor) {
    match action {
        Action::Create | Action::Recreate => ("+", AnsiColor::Green),
        Action::Delete => ("-", AnsiColor::Red),
        Action::Update | Action::Unpublish => ("~", AnsiColor::Yellow),
        Action::Adopt => ("=", AnsiColor::Cyan),
        Action::Move => (">", AnsiColor::Magenta),
    }
}

/// Renders the whole plan.
pub fn render(plan: &Plan, color: bool) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    if plan.changes.is_empty() {
        let _ = writeln!(
            out,
            "No changes: target `{}` matches the content ({} unchanged).",
            plan.target, plan.summary.unchanged
        );
        return out;
    }
    let _ = writeln!(
        out,
        "{}\n",
        paint(color, bold, &format!("Plan for target `{}`", plan.target))
    );
    for change in plan.changes.iter().filter(|c| !c.needs_prune) {
        render_change(&mut out, change, impact_of(plan, change), color);
    }
    let pending: Vec<&Change> = plan.changes.iter().filter(|c| c.needs_prune).collect();
    if !pending.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint(
                color,
                bold,
                &format!(
                    "Pending deletes ({}): not made by this run; apply with --prune to delete them",
                    pending.len()
                )
            )
        );
        for change in pending {
            let mut line = format!("  - {} `{}`", change.kind.as_str(), change.key);
            if !change.title.is_empty() && change.title != change.key {
                let _ = write!(line, " ({})", change.title);
            }
            if let Some(id) = &change.id {
                let _ = write!(line, " id {id}");
            }
            let _ = writeln!(out, "{}", paint(color, style(AnsiColor::Red), &line));
            render_impact(&mut out, change, impact_of(plan, change), color);
        }
        out.push('\n');
    }
    out.push_str(&summary_line(plan));
    out.push('\n');
    out
}

/// The counts of what a plan changes, in the order every format prints them.
pub(crate) fn change_counts(plan: &Plan) -> [(usize, &'static str); 8] {
    let s = &plan.summary;
    [
        (s.create, "to create"),
        (s.update, "to update"),
        (s.adopt, "to adopt"),
        (s.moves, "to move"),
        (s.recreate, "to recreate"),
        (s.unpublish, "to unpublish"),
        (s.delete, "to delete"),
        (s.drift, "with drift"),
    ]
}

/// `Plan: 2 to create, 1 to update, …` (only non-zero counts).
pub fn summary_line(plan: &Plan) -> String {
    let s = &plan.summary;
    let parts: Vec<String> = change_counts(plan)
        .into_iter()
        .chain([
            (s.unchanged, "unchanged"),
            (s.needs_prune, "pending delete(s) need --prune"),
        ])
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    format!("Plan: {}.", parts.join(", "))
}

fn impact_of<'p>(plan: &'p Plan, change: &Change) -> Option<&'p Impact> {
    (change.kind == ObjectKind::Article)
        .then(|| plan.impact.get(&change.key))
        .flatten()
}

/// `impact: 1,234 views, …` and, for a guarded removal, why apply refuses it.
fn render_impact(out: &mut String, change: &Change, impact: Option<&Impact>, color: bool) {
    // Zeros are in the JSON; in text they would be noise on every rename.
    let Some(impact) = impact.filter(|i| !crate::plan::impact::unread(i)) else {
        return;
    };
    let what = match impact::reach(change) {
        Some(impact::Reach::Renamed) => " (its URL changes)",
        _ => "",
    };
    let _ = writeln!(out, "    impact{what}: {}", impact::describe(impact));
    if impact.needs_force_prune {
        let _ = writeln!(
            out,
            "    {} read by many (`protect_views`): apply refuses this without --force-prune",
            paint(color, style(AnsiColor::Red).bold(), "protected:")
        );
    }
}

fn render_change(out: &mut String, change: &Change, impact: Option<&Impact>, color: bool) {
    let (mark, c) = sigil(change.action);
    let mut head = format!(
        "{} {} {} `{}`",
        paint(color, style(c).bold(), mark),
        paint(color, style(c), change.action.as_str()),
        change.kind.as_str(),
        change.key
    );
    if !change.title.is_empty() && change.title != change.key {
        let _ = write!(head, " ({})", change.title);
    }
    if let Some(id) = &change.id {
        let _ = write!(head, " id {id}");
    }
    if !change.locales.is_empty() {
        let _ = write!(head, " [{}]", change.locales.join(", "));
    }
    if let Some(prev) = &change.previous_key {
        let _ = write!(head, " (was `{prev}`)");
    }
    let _ = writeln!(out, "{head}");
    if change.drift {
        let _ = writeln!(
            out,
            "    {} edited in Intercom since the last apply; this plan puts back the repository's version",
            paint(color, style(AnsiColor::Red).bold(), "drift:")
        );
    }
    render_impact(out, change, impact, color);
    for field in &change.fields {
        render_field(out, field, color);
    }
    out.push('\n');
}

fn render_field(out: &mut String, field: &FieldChange, color: bool) {
    let name = match &field.locale {
        Some(l) => format!("{}[{l}]", field.field),
        None => field.field.clone(),
    };
    let drift = if field.drift {
        " (changed in Intercom)"
    } else {
        ""
    };
    for note in &field.notes {
        let _ = writeln!(out, "    {name}: {note}{drift}");
    }
    if field.before.is_none() && field.after.is_none() {
        return;
    }
    let before = field.before.as_deref();
    let after = field.after.as_deref().unwrap_or("");
    let multiline =
        before.is_some_and(|b| b.contains('\n')) || after.contains('\n') || after.len() > 80;
    if !multiline {
        match before {
            Some(b) => {
                let _ = writeln!(
                    out,
                    "    {name}: {} → {}{drift}",
                    paint(color, style(AnsiColor::Red), &quote(b)),
                    paint(color, style(AnsiColor::Green), &quote(after))
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "    {name}: {}{drift}",
                    paint(color, style(AnsiColor::Green), &quote(after))
                );
            }
        }
        return;
    }
    let _ = writeln!(out, "    {name}:{drift}");
    for (i, hunk) in body_diff::hunks(before.unwrap_or(""), after, CONTEXT)
        .iter()
        .enumerate()
    {
        // Like git's hunk headers: the section the hunk is in (or a separator between hunks).
        let header = match &hunk.heading {
            Some(h) => Some(format!("      @@ {h}")),
            None => (i > 0).then(|| "      @@".to_owned()),
        };
        if let Some(header) = header {
            let _ = writeln!(out, "{}", paint(color, style(AnsiColor::Cyan), &header));
        }
        for (sign, text) in &hunk.lines {
            let line = format!("      {} {text}", sign.as_char());
            let c = match sign {
                Sign::Removed => Some(AnsiColor::Red),
                Sign::Added => Some(AnsiColor::Green),
                Sign::Same => None,
            };
            match c {
                Some(c) => {
                    let _ = writeln!(out, "{}", paint(color, style(c), &line));
                }
                None => {
                    let _ = writeln!(out, "{line}");
                }
            }
        }
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\\\""))
}
