//! The plan as coloured text for a terminal: one block per object, per-field and per-locale
//! diffs of readable content (not raw HTML).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use similar::{ChangeTag, TextDiff};

use crate::output::printer::paint;
use crate::plan::model::{Action, Change, FieldChange, Plan};

/// Lines of context around a changed body line.
const CONTEXT: usize = 2;

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
    for change in &plan.changes {
        render_change(&mut out, change, color);
    }
    out.push_str(&summary_line(plan));
    out.push('\n');
    out
}

/// `Plan: 2 to create, 1 to update, …` (only non-zero counts).
pub fn summary_line(plan: &Plan) -> String {
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
        (s.unchanged, "unchanged"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    format!("Plan: {}.", parts.join(", "))
}

fn render_change(out: &mut String, change: &Change, color: bool) {
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
    if change.needs_prune {
        let _ = writeln!(
            out,
            "    {}",
            paint(
                color,
                style(AnsiColor::Red),
                "needs --prune (not deleted without it)"
            )
        );
    }
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
    let before = before.unwrap_or("");
    let diff = TextDiff::from_lines(before, after);
    for group in diff.grouped_ops(CONTEXT) {
        for op in group {
            for line in diff.iter_changes(&op) {
                let text = line.value().trim_end_matches('\n');
                let (sign, c) = match line.tag() {
                    ChangeTag::Delete => ("-", Some(AnsiColor::Red)),
                    ChangeTag::Insert => ("+", Some(AnsiColor::Green)),
                    ChangeTag::Equal => (" ", None),
                };
                let line = format!("      {sign} {text}");
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
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\\\""))
}
