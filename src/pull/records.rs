//! The state a pull leaves behind, computed with the plan's own hashes: per locale, `sent` is
//! the hash of what `apply` would send for the pulled file (rendered, links resolved through
//! the same URL map as the planner's) and `seen` the fingerprint of what Intercom holds. A
//! following `plan` therefore finds neither a local change nor drift.

use crate::plan::compute::{
    self, PlanOptions, UrlMap, article_raw_hash, article_seen_fingerprint, article_sent_hash,
    collection_hash,
};
use crate::plan::desired::Desired;
use crate::plan::remote_view::{RemoteView, article_locale, collection_locale};
use crate::pull::Placement;
use crate::state::state_file::{ArticleRecord, CollectionRecord, LocaleRecord, StateFile};

/// Replaces the records of the pulled objects in `state`. Objects missing from `desired` (the
/// content loader did not see their file) are left out and returned by key.
pub fn record(
    state: &mut StateFile,
    desired: &Desired,
    view: &RemoteView,
    collections: &[Placement],
    articles: &[Placement],
) -> Vec<String> {
    let dl = desired.default_locale.as_str();
    let mut missing = Vec::new();
    for p in collections {
        let Some(dc) = desired.collections.iter().find(|c| c.key == p.key) else {
            missing.push(p.key.clone());
            continue;
        };
        let remote = &view.collections[&p.id];
        let mut record = CollectionRecord {
            id: p.id.clone(),
            dir: dc.dir.clone(),
            parent: dc.parent.clone(),
            updated_at: remote.updated_at,
            ..CollectionRecord::default()
        };
        for (locale, want) in &dc.locales {
            if let Some((name, description)) = collection_locale(remote, locale, dl) {
                record.locales.insert(
                    locale.clone(),
                    LocaleRecord {
                        sent: collection_hash(&want.name, &want.description),
                        seen: collection_hash(&name, &description),
                        raw: None,
                        url: None,
                    },
                );
            }
        }
        state.collections.insert(p.key.clone(), record);
    }
    // Identities first (ids, no locales yet), so the planner's URL map sees every article.
    for p in articles {
        let Some(da) = desired.articles.iter().find(|a| a.key == p.key) else {
            missing.push(p.key.clone());
            continue;
        };
        let remote = &view.articles[&p.id];
        state.articles.insert(
            p.key.clone(),
            ArticleRecord {
                id: p.id.clone(),
                path: da.path.clone(),
                collection: da.collection.clone(),
                title: da.locales[dl].title.clone(),
                updated_at: remote.updated_at,
                ..ArticleRecord::default()
            },
        );
    }
    let (_, resolution) =
        compute::compute(&state.target, desired, view, state, PlanOptions::default());
    let mut urls = UrlMap::new(dl);
    for (key, identity) in &resolution.articles {
        if let Some(article) = identity.id().and_then(|id| view.articles.get(id)) {
            urls.insert_article(key, article);
        }
    }
    for p in articles {
        let Some(da) = desired.articles.iter().find(|a| a.key == p.key) else {
            continue;
        };
        let remote = &view.articles[&p.id];
        let record = state.articles.get_mut(&p.key).expect("inserted above");
        for (locale, want) in &da.locales {
            let Some(have) = article_locale(remote, locale, dl) else {
                continue;
            };
            let body = urls.resolve(&want.body, locale);
            record.locales.insert(
                locale.clone(),
                LocaleRecord {
                    sent: article_sent_hash(want, &body),
                    seen: article_seen_fingerprint(&have),
                    raw: Some(article_raw_hash(&have)),
                    url: have.url.clone(),
                },
            );
        }
    }
    missing
}
