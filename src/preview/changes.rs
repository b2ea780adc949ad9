//! The "Changes" view: the plan against the selected target (computed per request, like
//! `helpcenter plan`), shown per object and per locale with before/after side by side and
//! drift highlighted. In: a loaded [`Project`] and a target name. Out: HTML.

use std::fmt::Write as _;

use similar::{ChangeTag, TextDiff};

use crate::content::config::Target;
use crate::content::model::Project;
use crate::error::CommandError;
use crate::pipeline::{self, PlanFailure};
use crate::plan::model::{Action, Change, FieldChange, Plan};
use crate::preview::pages::escape;
use crate::preview::site::article_url;
use crate::settings::RunFlags;
use crate::state::state_file::StateFile;

/// How many requests the plan may have in flight.
const CONCURRENCY: usize = 4;

/// Lines of context around each changed hunk of a body.
const CONTEXT_LINES: usize = 3;

/// The target named `wanted`, else `default`, else `default_target`, else the only one.
pub fn choose_target<'p>(
    project: &'p Project,
    wanted: Option<&str>,
    default: Option<&str>,
) -> Result<&'p Target, CommandError> {
    let targets = &project.config.targets;
    let name = wanted
        .or(default)
        .or(project.config.default_target.as_deref())
        .or_else(|| (targets.len() == 1).then(|| targets.keys().next().map(String::as_str))?)
        .ok_or_else(|| {
            CommandError::invalid("no target given and `helpcenter.toml` has no `default_target`")
                .with_hint("start the preview with `--target NAME`")
        })?;
    targets.get(name).ok_or_else(|| {
        CommandError::invalid(format!("unknown target `{name}`")).with_hint(format!(
            "targets in `helpcenter.toml`: {}",
            targets
                .keys()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// Computes the plan against `target` (read-only: the state file is read, never written).
pub async fn compute(project: &Project, target: &Target) -> Result<Plan, PlanFailure> {
    let state = StateFile::load(&project.root, &target.name)
        .map_err(|e| CommandError::state("read the state file", e))?;
    // The plan releases the Markdown it rendered: the preview keeps its own project whole.
    let mut project = project.clone();
    let planned = pipeline::plan_target(
        &mut project,
        target,
        &state,
        // `prune = true` in the config shows deletes as `plan` does (no flags here).
        RunFlags::plan(false).resolve(target).plan,
        CONCURRENCY,
        None,
    )
    .await?;
    planned.connection.close().await;
    Ok(planned.plan)
}

/// The main column of the Changes view for a computed plan.
pub fn plan_html(project: &Project, plan: &Plan, target: &Target) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<header class=\"changes-header\"><h1>Changes</h1><p>The plan against target \
         <code id=\"target-name\">{name}</code> ({kind}), as <code>helpcenter plan</code> computes it.</p>",
        name = escape(&target.name),
        kind = match target.kind {
            crate::content::config::TargetKind::Sandbox => "the embedded sandbox",
            crate::content::config::TargetKind::Intercom => "Intercom",
        },
    );
    html.push_str(&target_switcher(project, &target.name));
    html.push_str("</header>");
    html.push_str(&summary_html(plan));
    for problem in &plan.errors {
        let _ = write!(
            html,
            "<p class=\"notice error\">error: {}{}</p>",
            escape(&problem.message),
            problem
                .hint
                .as_ref()
                .map(|h| format!("<br>hint: {}", escape(h)))
                .unwrap_or_default()
        );
    }
    for warning in &plan.warnings {
        let _ = write!(html, "<p class=\"notice\">warning: {}</p>", escape(warning));
    }
    if plan.changes.is_empty() {
        html.push_str(
            "<p class=\"no-changes\" id=\"no-changes\">No changes: the target matches the content.</p>",
        );
    }
    for change in &plan.changes {
        change_html(&mut html, project, change, plan.impact.get(&change.key));
    }
    html
}

/// Intercom's statistics of an article the plan deletes, unpublishes or renames: who would
/// notice (the plan fetched them, one `GET /articles/{id}` each, for those only).
fn impact_html(change: &Change, impact: &crate::plan::model::Impact) -> String {
    let what = match change.action {
        Action::Delete => "deleted",
        Action::Unpublish => "unpublished",
        _ => "renamed (its URL changes)",
    };
    let mut html = format!(
        "<p class=\"impact\" data-views=\"{views}\">Read by readers before it is {what}: \
         <strong>{views}</strong> views · <strong>{conversations}</strong> conversations · \
         <strong>{reactions}</strong> reactions",
        views = impact.views,
        conversations = impact.conversations,
        reactions = impact.reactions,
    );
    if impact.needs_force_prune {
        html.push_str(" <span class=\"badge protected\">🔒 needs --force-prune</span>");
    }
    html.push_str("</p>");
    html
}

fn target_switcher(project: &Project, current: &str) -> String {
    if project.config.targets.len() < 2 {
        return String::new();
    }
    let mut html = String::from("<nav class=\"targets\" aria-label=\"Target\">");
    for name in project.config.targets.keys() {
        let class = if name == current {
            " class=\"current\""
        } else {
            ""
        };
        let _ = write!(
            html,
            "<a href=\"/changes?target={}\"{class}>{}</a>",
            escape(&crate::preview::site::encode_path(name)),
            escape(name)
        );
    }
    html.push_str("</nav>");
    html
}

fn summary_html(plan: &Plan) -> String {
    let s = &plan.summary;
    let items = [
        ("create", s.create),
        ("update", s.update),
        ("delete", s.delete),
        ("adopt", s.adopt),
        ("move", s.moves),
        ("recreate", s.recreate),
        ("unpublish", s.unpublish),
        ("unchanged", s.unchanged),
        ("drift", s.drift),
    ];
    let mut html = String::from("<ul class=\"summary\" id=\"summary\">");
    for (name, n) in items {
        let _ = write!(
            html,
            "<li class=\"{name}{}\"><span class=\"n\">{n}</span> {name}</li>",
            if n == 0 { " zero" } else { "" }
        );
    }
    html.push_str("</ul>");
    html
}

fn change_html(
    html: &mut String,
    project: &Project,
    change: &Change,
    impact: Option<&crate::plan::model::Impact>,
) {
    let drift = if change.drift { " has-drift" } else { "" };
    let _ = write!(
        html,
        "<section class=\"change action-{action}{drift}\" data-key=\"{key}\"><header>\
         <span class=\"action\">{action}</span><span class=\"kind\">{kind}</span>\
         <span class=\"title\">{title}</span><code class=\"key\">{key}</code>",
        action = change.action.as_str(),
        kind = change.kind.as_str(),
        title = escape(&change.title),
        key = escape(&change.key),
    );
    if change.drift {
        html.push_str("<span class=\"badge drift\">drift: edited in Intercom</span>");
    }
    if change.needs_prune {
        html.push_str("<span class=\"badge prune\">needs --prune</span>");
    }
    if let Some(id) = &change.id {
        let _ = write!(html, "<span class=\"id\">id {}</span>", escape(id));
    }
    if change.kind == crate::plan::model::ObjectKind::Article
        && change.action != Action::Delete
        && project.articles.iter().any(|a| a.key == change.key)
    {
        let _ = write!(
            html,
            "<a class=\"open\" href=\"{}\">open</a>",
            escape(&article_url(&change.key, &project.config.default_locale))
        );
    }
    html.push_str("</header>");
    if let Some(impact) = impact {
        html.push_str(&impact_html(change, impact));
    }
    if let Some(previous) = &change.previous_key {
        let _ = write!(
            html,
            "<p class=\"moved\">moved from <code>{}</code></p>",
            escape(previous)
        );
    }
    if !change.locales.is_empty() {
        let _ = write!(
            html,
            "<p class=\"locales-line\">locales: {}</p>",
            escape(&change.locales.join(", "))
        );
    }
    // Group the field changes by locale: non-localized fields (parent) first.
    let mut groups: Vec<(Option<&str>, Vec<&FieldChange>)> = Vec::new();
    for field in &change.fields {
        let locale = field.locale.as_deref();
        match groups.iter_mut().find(|(l, _)| *l == locale) {
            Some((_, fields)) => fields.push(field),
            None => groups.push((locale, vec![field])),
        }
    }
    let default_locale = project.config.default_locale.as_str();
    groups.sort_by_key(|(l, _)| {
        (
            l.is_some(),
            *l != Some(default_locale),
            l.map(str::to_owned),
        )
    });
    for (locale, fields) in groups {
        let _ = write!(
            html,
            "<div class=\"locale-group\" data-locale=\"{0}\"><h3>{1}</h3>",
            escape(locale.unwrap_or("")),
            locale.map_or_else(
                || "all locales".to_owned(),
                |l| format!("locale <code>{}</code>", escape(l))
            )
        );
        for field in fields {
            field_html(html, field);
        }
        html.push_str("</div>");
    }
    html.push_str("</section>");
}

fn field_html(html: &mut String, field: &FieldChange) {
    let drift = if field.drift { " drift" } else { "" };
    let _ = write!(
        html,
        "<div class=\"field{drift}\" data-field=\"{name}\"><div class=\"field-name\">{name}",
        name = escape(&field.field)
    );
    if field.drift {
        html.push_str(
            " <span class=\"badge drift\">changed in Intercom since the last apply</span>",
        );
    }
    html.push_str("</div>");
    if !field.notes.is_empty() {
        html.push_str("<ul class=\"notes\">");
        for note in &field.notes {
            let _ = write!(html, "<li>{}</li>", escape(note));
        }
        html.push_str("</ul>");
    }
    if field.before.is_none() && field.after.is_none() {
        html.push_str("</div>");
        return;
    }
    html.push_str("<table class=\"diff\"><thead><tr><th>Intercom now</th><th>After apply</th></tr></thead><tbody>");
    match (&field.before, &field.after) {
        (Some(before), Some(after)) => diff_rows(html, &readable(before), &readable(after)),
        (None, Some(after)) => {
            for line in readable(after).lines() {
                row(html, None, Some((line, "ins")));
            }
        }
        (Some(before), None) => {
            for line in readable(before).lines() {
                row(html, Some((line, "del")), None);
            }
        }
        (None, None) => {}
    }
    html.push_str("</tbody></table></div>");
}

/// HTML with one block per line, so that a body Intercom holds on one line lines up with the
/// rendered one; other text is returned as is.
fn readable(text: &str) -> String {
    const BREAK_AFTER: [&str; 16] = [
        "</p>",
        "</li>",
        "</div>",
        "</h1>",
        "</h2>",
        "</h3>",
        "</h4>",
        "</pre>",
        "</table>",
        "</tr>",
        "<ol>",
        "<ul>",
        "</ol>",
        "</ul>",
        "<br>",
        "</blockquote>",
    ];
    if !text.trim_start().starts_with('<') {
        return text.to_owned();
    }
    let mut spaced = join_soft_breaks(text);
    for tag in BREAK_AFTER {
        spaced = spaced.replace(tag, &format!("{tag}\n"));
    }
    spaced
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Newlines are spaces in HTML outside `<pre>` (and nothing between two tags): join them so a
/// wrapped paragraph is one line.
fn join_soft_breaks(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_pre = false;
    for (i, c) in html.char_indices() {
        if html[i..].starts_with("<pre") {
            in_pre = true;
        } else if html[..i].ends_with("</pre>") {
            in_pre = false;
        }
        if c == '\n' && !in_pre {
            let between_tags = html[..i].ends_with('>') && html[i + 1..].starts_with('<');
            if !between_tags {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Side-by-side rows: changed hunks with context, deleted lines left, inserted lines right.
fn diff_rows(html: &mut String, before: &str, after: &str) {
    let diff = TextDiff::from_lines(before, after);
    let groups = diff.grouped_ops(CONTEXT_LINES);
    if groups.is_empty() {
        // Identical text (e.g. only trailing whitespace differs in a way lines hide).
        for line in after.lines() {
            row(html, Some((line, "same")), Some((line, "same")));
        }
        return;
    }
    for (i, group) in groups.iter().enumerate() {
        if i > 0 {
            html.push_str("<tr class=\"gap\"><td>⋯</td><td>⋯</td></tr>");
        }
        let mut deleted: Vec<String> = Vec::new();
        let mut inserted: Vec<String> = Vec::new();
        for op in group {
            for change in diff.iter_changes(op) {
                let text = change.value().trim_end_matches(['\n', '\r']).to_owned();
                match change.tag() {
                    ChangeTag::Delete => deleted.push(text),
                    ChangeTag::Insert => inserted.push(text),
                    ChangeTag::Equal => {
                        flush(html, &mut deleted, &mut inserted);
                        row(html, Some((&text, "same")), Some((&text, "same")));
                    }
                }
            }
        }
        flush(html, &mut deleted, &mut inserted);
    }
}

fn flush(html: &mut String, deleted: &mut Vec<String>, inserted: &mut Vec<String>) {
    let n = deleted.len().max(inserted.len());
    for i in 0..n {
        let (left, right) = match (deleted.get(i), inserted.get(i)) {
            (Some(old), Some(new)) => {
                let (old, new) = inline_marks(old, new);
                (Some(old), Some(new))
            }
            (old, new) => (old.map(|l| escape(l)), new.map(|l| escape(l))),
        };
        row_html(
            html,
            left.as_deref().map(|h| (h, "del")),
            right.as_deref().map(|h| (h, "ins")),
        );
    }
    deleted.clear();
    inserted.clear();
}

/// A changed line pair as escaped HTML, the words that differ wrapped in `<mark>` when the
/// lines are similar enough for that to help.
fn inline_marks(old: &str, new: &str) -> (String, String) {
    let diff = TextDiff::from_words(old, new);
    if diff.ratio() < 0.5 {
        return (escape(old), escape(new));
    }
    // Runs of equal, deleted and inserted words, so a change is one mark, not one per word.
    let mut runs: Vec<(ChangeTag, String)> = Vec::new();
    for change in diff.iter_all_changes() {
        match runs.last_mut() {
            Some((tag, text)) if *tag == change.tag() => text.push_str(change.value()),
            _ => runs.push((change.tag(), change.value().to_owned())),
        }
    }
    let (mut left, mut right) = (String::new(), String::new());
    for (tag, text) in runs {
        let text = escape(&text);
        match tag {
            ChangeTag::Equal => {
                left.push_str(&text);
                right.push_str(&text);
            }
            ChangeTag::Delete => {
                let _ = write!(left, "<mark>{text}</mark>");
            }
            ChangeTag::Insert => {
                let _ = write!(right, "<mark>{text}</mark>");
            }
        }
    }
    (left, right)
}

fn row(html: &mut String, left: Option<(&str, &str)>, right: Option<(&str, &str)>) {
    let (l, r) = (
        left.map(|(t, c)| (escape(t), c)),
        right.map(|(t, c)| (escape(t), c)),
    );
    row_html(
        html,
        l.as_ref().map(|(t, c)| (t.as_str(), *c)),
        r.as_ref().map(|(t, c)| (t.as_str(), *c)),
    );
}

/// One table row from already escaped cell HTML.
fn row_html(html: &mut String, left: Option<(&str, &str)>, right: Option<(&str, &str)>) {
    html.push_str("<tr>");
    for side in [left, right] {
        match side {
            Some((cell, class)) => {
                let _ = write!(html, "<td class=\"{class}\">{cell}</td>");
            }
            None => html.push_str("<td class=\"empty\"></td>"),
        }
    }
    html.push_str("</tr>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_by_side_pairs_deletions_with_insertions() {
        let mut html = String::new();
        diff_rows(&mut html, "a\nb\nc\n", "a\nB\nc\nd\n");
        assert!(
            html.contains("<td class=\"del\">b</td><td class=\"ins\">B</td>"),
            "{html}"
        );
        assert!(
            html.contains("<td class=\"empty\"></td><td class=\"ins\">d</td>"),
            "{html}"
        );
        assert!(
            html.contains("<td class=\"same\">a</td><td class=\"same\">a</td>"),
            "{html}"
        );
    }

    #[test]
    fn html_bodies_get_one_block_per_line() {
        assert_eq!(
            readable("<p>a</p><ol><li>b</li></ol>"),
            "<p>a</p>\n<ol>\n<li>b</li>\n</ol>"
        );
        assert_eq!(readable("plain <b>text</b>"), "plain <b>text</b>");
        assert_eq!(
            readable("<p>a\nb</p>\n<pre><code>x\ny\n</code></pre>"),
            "<p>a b</p>\n<pre><code>x\ny\n</code></pre>"
        );
    }

    #[test]
    fn similar_lines_mark_the_words_that_changed() {
        let (old, new) = inline_marks("Prices are <listed> here", "All prices are <listed> here");
        assert_eq!(old, "<mark>Prices</mark> are &lt;listed&gt; here");
        assert_eq!(new, "<mark>All prices</mark> are &lt;listed&gt; here");
        let (old, new) = inline_marks("one", "two");
        assert_eq!((old.as_str(), new.as_str()), ("one", "two"));
    }

    #[test]
    fn field_text_is_escaped() {
        let mut html = String::new();
        field_html(
            &mut html,
            &FieldChange {
                locale: Some("en".into()),
                field: "title".into(),
                before: Some("<b>old</b>".into()),
                after: None,
                drift: true,
                notes: Vec::new(),
            },
        );
        assert!(html.contains("&lt;b&gt;old&lt;/b&gt;"));
        assert!(html.contains("class=\"field drift\""));
    }
}
