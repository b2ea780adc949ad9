//! Reviewer-facing refinements of a computed plan: which fields of a drifted locale Intercom
//! actually changed (from the fingerprint recorded after the last write), and the default
//! locale first in locale lists. In: plan pieces. Out: the same, refined.

use crate::plan::desired::{ArticleFields, hash_fields};
use crate::plan::fingerprint::normalize;
use crate::plan::model::Plan;
use crate::plan::remote_view::RemoteArticleLocale;
use crate::remote::models::Admin;

/// Field names in the order of the article fingerprint.
const ARTICLE_FIELDS: [&str; 5] = ["title", "description", "body", "state", "author"];

/// The fields Intercom changed in one article locale since the last write, or `None` when the
/// fingerprint cannot tell (the same field was also changed locally, or the record is older).
///
/// `seen` is the fingerprint of what Intercom held right after the last write. A field the
/// repository did not change still holds, locally, the value that was sent then; so putting
/// the local value back into exactly the fields Intercom changed reproduces `seen`. The
/// smallest such set of fields is the answer (at most 2⁵ hashes, only for drifted locales).
pub fn article(
    want: &ArticleFields,
    body: &str,
    have: &RemoteArticleLocale,
    seen: &str,
) -> Option<Vec<&'static str>> {
    let remote = [
        have.title.clone(),
        have.description.clone(),
        normalize(&have.body),
        have.state.map_or(String::new(), |s| s.as_str().to_owned()),
        have.author_id.map(|a| a.to_string()).unwrap_or_default(),
    ];
    let local = [
        want.title.clone(),
        want.description.clone(),
        normalize(body),
        want.state.as_str().to_owned(),
        want.author_id.to_string(),
    ];
    let mut masks: Vec<u32> = (1..32).collect();
    masks.sort_by_key(|m| m.count_ones());
    for mask in masks {
        // A field whose value is the same on both sides cannot explain the difference.
        if (0..5).any(|i| mask & (1 << i) != 0 && remote[i] == local[i]) {
            continue;
        }
        let candidate: Vec<&str> = (0..5)
            .map(|i| {
                if mask & (1 << i) != 0 {
                    local[i].as_str()
                } else {
                    remote[i].as_str()
                }
            })
            .collect();
        if hash_fields(&candidate) == seen {
            return Some(
                (0..5)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| ARTICLE_FIELDS[i])
                    .collect(),
            );
        }
    }
    None
}

/// Puts the default locale first in every change's locale list and field list (the others
/// keep their order), as reviewers read the default language first.
pub fn default_locale_first(plan: &mut Plan, default_locale: &str) {
    for change in &mut plan.changes {
        change.locales.sort_by_key(|l| l.as_str() != default_locale);
        change.fields.sort_by_key(|f| match f.locale.as_deref() {
            Some(l) if l == default_locale => 0,
            Some(_) => 1,
            None => 2,
        });
    }
}

/// Shows authors by name and email (`Ada Lovelace <ada@example.com>`) instead of Intercom's
/// numeric admin ids; an id no admin has stays as `admin 123`.
pub fn name_authors(plan: &mut Plan, admins: &[Admin]) {
    let label = |id: &str| {
        admins.iter().find(|a| a.id.trim() == id).map_or_else(
            || format!("admin {id}"),
            |a| match (a.name.as_deref(), a.email.as_deref()) {
                (Some(n), Some(e)) if !n.is_empty() => format!("{n} <{e}>"),
                (_, Some(e)) => e.to_owned(),
                (Some(n), None) => n.to_owned(),
                (None, None) => format!("admin {id}"),
            },
        )
    };
    for change in &mut plan.changes {
        for f in change.fields.iter_mut().filter(|f| f.field == "author") {
            f.before = f.before.as_deref().map(label);
            f.after = f.after.as_deref().map(label);
        }
    }
}
