//! Impact before it happens: which changes of a plan remove or move a page readers reach
//! (an article deleted, unpublished in a locale, or renamed: a title change changes its URL),
//! and the `protect_views` guard on deleting or unpublishing a popular one. The statistics
//! themselves are fetched by the caller (one `GET /articles/{id}` per such article, never for
//! the rest) and recorded here.

use crate::plan::model::{Action, Change, Impact, ObjectKind, Plan};
use crate::remote::models::ArticleStatistics;

/// What a change does to the pages readers reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Deleted, or unpublished in at least one locale: guarded by `protect_views`.
    Removed,
    /// Renamed (its URL changes): shown, never guarded.
    Renamed,
}

/// Whether `change` deletes, unpublishes or renames an article.
pub fn reach(change: &Change) -> Option<Reach> {
    if change.kind != ObjectKind::Article || change.id.is_none() {
        return None;
    }
    if matches!(change.action, Action::Delete | Action::Unpublish) {
        return Some(Reach::Removed);
    }
    let unpublished = change.fields.iter().any(|f| {
        f.field == "state"
            && f.before.as_deref() == Some("published")
            && f.after.as_deref() == Some("draft")
    });
    if unpublished {
        return Some(Reach::Removed);
    }
    let renamed = change
        .fields
        .iter()
        .any(|f| f.field == "title" && f.before.is_some() && f.before != f.after);
    renamed.then_some(Reach::Renamed)
}

/// The `(key, id)` of every article whose statistics the plan should show.
pub fn wanted(plan: &Plan) -> Vec<(String, String)> {
    plan.changes
        .iter()
        .filter(|c| reach(c).is_some())
        .filter_map(|c| Some((c.key.clone(), c.id.clone()?)))
        .collect()
}

/// Records the statistics of article `key`; a removal of one with at least `protect_views`
/// views (0: off) needs `--force-prune` unless `force_prune`.
pub fn record(
    plan: &mut Plan,
    key: &str,
    stats: ArticleStatistics,
    protect_views: u64,
    force_prune: bool,
) {
    let removed = plan
        .changes
        .iter()
        .any(|c| c.key == key && reach(c) == Some(Reach::Removed));
    let needs_force_prune =
        removed && !force_prune && protect_views > 0 && stats.views >= protect_views;
    plan.impact.insert(
        key.to_owned(),
        Impact {
            views: stats.views,
            conversations: stats.conversations,
            reactions: stats.reactions,
            needs_force_prune,
        },
    );
}

/// No views, conversations or reactions (and so not guarded).
pub fn unread(impact: &Impact) -> bool {
    impact.views == 0
        && impact.conversations == 0
        && impact.reactions == 0
        && !impact.needs_force_prune
}

/// `1,234 views, 5 conversations, 12 reactions`.
pub fn describe(impact: &Impact) -> String {
    let plural = |n: u64, one: &str, many: &str| {
        format!("{} {}", thousands(n), if n == 1 { one } else { many })
    };
    format!(
        "{}, {}, {}",
        plural(impact.views, "view", "views"),
        plural(impact.conversations, "conversation", "conversations"),
        plural(impact.reactions, "reaction", "reactions")
    )
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The changes `apply` must refuse: removals of popular articles without `--force-prune`
/// (deletes that need `--prune` are not made anyway).
pub fn refused(plan: &Plan) -> Vec<&Change> {
    plan.changes
        .iter()
        .filter(|c| !c.needs_prune)
        .filter(|c| plan.impact.get(&c.key).is_some_and(|i| i.needs_force_prune))
        .filter(|c| reach(c) == Some(Reach::Removed))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn one_view_is_singular() {
        let i = Impact {
            views: 1,
            conversations: 0,
            reactions: 2,
            needs_force_prune: false,
        };
        assert_eq!(describe(&i), "1 view, 0 conversations, 2 reactions");
    }
}
