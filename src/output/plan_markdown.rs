//! The plan as GitHub-flavoured Markdown for a pull-request comment: a summary table and one
//! collapsible section per object, kept under GitHub's comment size limit.

use std::fmt::Write;

use similar::{ChangeTag, TextDiff};

use crate::plan::model::{Change, Plan};

/// GitHub rejects comments over 65,536 characters; stay well below.
pub const MAX_LEN: usize = 60_000;
/// Per-field diff budget, so one huge article cannot crowd out the others.
const MAX_FIELD_DIFF: usize = 4_000;

/// Renders the plan; `marker` (e.g. a hidden HTML comment) is put first when given.
pub fn render(plan: &Plan, marker: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(m) = marker {
        let _ = writeln!(out, "{m}");
    }
    let _ = writeln!(out, "### helpcenter plan for `{}`\n", plan.target);
    let s = &plan.summary;
    if plan.changes.is_empty() {
        let _ = writeln!(out, "No changes. {} objects unchanged.", s.unchanged);
        return out;
    }
    out.push_str(
        "| create | update | delete | adopt | move | recreate | unpublish | unchanged | drift |\n",
    );
    out.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
        s.create,
        s.update,
        s.delete,
        s.adopt,
        s.moves,
        s.recreate,
        s.unpublish,
        s.unchanged,
        s.drift
    );
    if s.drift > 0 {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> {} object(s) were edited in Intercom since the last apply. Applying puts back the repository's version; run `helpcenter pull KEY` to keep an edit.\n",
            s.drift
        );
    }
    for e in &plan.errors {
        let _ = writeln!(out, "> [!CAUTION]\n> {}\n", escape(&e.message));
    }
    let footer = "\n_Output truncated: run `helpcenter plan` locally for the full diff._\n";
    let mut omitted = 0;
    for change in &plan.changes {
        let block = change_block(change);
        if out.len() + block.len() + footer.len() > MAX_LEN {
            omitted += 1;
            continue;
        }
        out.push_str(&block);
    }
    if omitted > 0 {
        let _ = write!(out, "\n{omitted} more change(s) not shown.");
        out.push_str(footer);
    }
    out
}

fn change_block(change: &Change) -> String {
    let mut out = String::new();
    let mut summary = format!(
        "<b>{}</b> {} <code>{}</code>",
        change.action.as_str(),
        change.kind.as_str(),
        html_escape(&change.key)
    );
    if !change.locales.is_empty() {
        let _ = write!(summary, " [{}]", change.locales.join(", "));
    }
    if change.drift {
        summary.push_str(" ⚠️ drift");
    }
    if change.needs_prune {
        summary.push_str(" (needs <code>--prune</code>)");
    }
    let _ = writeln!(out, "<details><summary>{summary}</summary>\n");
    if !change.title.is_empty() {
        let _ = writeln!(out, "**{}**\n", escape(&change.title));
    }
    let fence = "```";
    for field in &change.fields {
        let name = match &field.locale {
            Some(l) => format!("{}[{l}]", field.field),
            None => field.field.clone(),
        };
        let _ = writeln!(
            out,
            "`{name}`{}\n",
            if field.drift {
                " (changed in Intercom)"
            } else {
                ""
            }
        );
        let before = field.before.as_deref().unwrap_or("");
        let after = field.after.as_deref().unwrap_or("");
        let mut diff = String::new();
        for change in TextDiff::from_lines(before, after).iter_all_changes() {
            let sign = match change.tag() {
                ChangeTag::Delete => '-',
                ChangeTag::Insert => '+',
                ChangeTag::Equal => ' ',
            };
            let _ = writeln!(diff, "{sign} {}", change.value().trim_end_matches('\n'));
            if diff.len() > MAX_FIELD_DIFF {
                diff.push_str("… (diff truncated)\n");
                break;
            }
        }
        let _ = writeln!(out, "{fence}diff\n{}{fence}\n", diff.replace(fence, "ˋˋˋ"));
    }
    out.push_str("</details>\n\n");
    out
}

fn escape(s: &str) -> String {
    s.replace('<', "&lt;").replace('>', "&gt;")
}

fn html_escape(s: &str) -> String {
    escape(&s.replace('&', "&amp;"))
}
