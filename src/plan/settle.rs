//! Settling the writes an apply sent but never recorded (it died, or lost the response):
//! state file × remote → state file. Where Intercom now holds exactly what was sent, the
//! write was ours: its locale record is brought up to date, so the plan shows no false drift.
//! Where it does not, the write never landed (or a person edited it since): the pending
//! entry is dropped and the plan compares as usual. Pending creates stay until adoption
//! recognises their object (see `compute`).

use crate::plan::compute::{article_raw_hash, article_seen_fingerprint, collection_hash};
use crate::plan::remote_view::{RemoteView, article_locale, collection_locale};
use crate::state::state_file::{LocaleRecord, StateFile};

/// Settles the pending updates of `state` against `remote`. Returns how many locales were
/// recognised as ours.
pub fn settle_pending(state: &mut StateFile, remote: &RemoteView, default_locale: &str) -> usize {
    let mut settled = 0;
    let pending = std::mem::take(&mut state.pending_articles);
    for (key, write) in pending {
        let Some(id) = write.id.clone() else {
            if !state.articles.contains_key(&key) {
                state.pending_articles.insert(key, write);
            }
            continue;
        };
        let (Some(record), Some(article)) =
            (state.articles.get_mut(&key), remote.articles.get(&id))
        else {
            continue;
        };
        if record.id != id {
            continue;
        }
        for (locale, want) in &write.locales {
            let Some(have) = article_locale(article, locale, default_locale) else {
                continue;
            };
            let seen = article_seen_fingerprint(&have);
            if seen == want.expect {
                record.updated_at = article.updated_at;
                record.locales.insert(
                    locale.clone(),
                    LocaleRecord {
                        sent: want.sent.clone(),
                        seen,
                        raw: Some(article_raw_hash(&have)),
                        url: have.url.clone(),
                    },
                );
                settled += 1;
            }
        }
    }
    let pending = std::mem::take(&mut state.pending_collections);
    for (key, write) in pending {
        let Some(id) = write.id.clone() else {
            if !state.collections.contains_key(&key) {
                state.pending_collections.insert(key, write);
            }
            continue;
        };
        let (Some(record), Some(collection)) =
            (state.collections.get_mut(&key), remote.collections.get(&id))
        else {
            continue;
        };
        if record.id != id {
            continue;
        }
        for (locale, want) in &write.locales {
            let Some((name, description)) = collection_locale(collection, locale, default_locale)
            else {
                continue;
            };
            let seen = collection_hash(&name, &description);
            if seen == want.expect {
                record.updated_at = collection.updated_at;
                record.locales.insert(
                    locale.clone(),
                    LocaleRecord {
                        sent: want.sent.clone(),
                        seen,
                        raw: None,
                        url: None,
                    },
                );
                settled += 1;
            }
        }
    }
    settled
}
