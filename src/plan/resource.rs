//! The resource seam: what plan and apply need from one kind of remote object (a collection,
//! an article, a Fin external page), expressed once. A kind implements [`Resource`] (how its
//! state records and remote objects are read, which journal entries it writes); the planner
//! and the executor call the plain functions below for everything that does not depend on
//! the kind's fields: which recorded ids a listing missed (fetch them by id), identity (the
//! record, a move, adoption, a create), orphaned records, deletes with the prune guards,
//! records of objects that vanished. What stays per kind is what its fields make different:
//! the per-field diff and the create/update request.

use std::collections::{BTreeMap, BTreeSet};

use crate::plan::model::{Action, Change, ObjectKind, PlanProblem};
use crate::remote::models::{Article, Collection};
use crate::state::journal::JournalEntry;
use crate::state::state_file::{ArticleRecord, CollectionRecord, PendingWrite, StateFile};

/// One kind of remote object, as plan and apply see it.
pub trait Resource {
    /// The kind named in plans.
    const KIND: ObjectKind;
    /// The object as Intercom sends it.
    type Remote: 'static;
    /// What the state file records of one managed object.
    type Record: 'static;

    /// The state's records of this kind, by key.
    fn records(state: &StateFile) -> &BTreeMap<String, Self::Record>;
    /// The Intercom id a record names.
    fn record_id(record: &Self::Record) -> &str;
    /// Adopted while its content differed (a person's work): never deleted.
    fn record_adopted(record: &Self::Record) -> bool;

    /// The remote object's id.
    fn remote_id(remote: &Self::Remote) -> &str;
    /// Its human name (title or collection name), the adoption match.
    fn remote_title(remote: &Self::Remote) -> &str;
    /// Its parent's id, the other half of the adoption match.
    fn remote_parent(remote: &Self::Remote) -> Option<&str>;
    /// Its `updated_at` (the stale-plan check).
    fn remote_updated_at(remote: &Self::Remote) -> Option<u64>;

    /// The journal entry that records a write's intent.
    fn intent(key: String, write: PendingWrite) -> JournalEntry;
    /// The journal entry that voids an intent (the write was refused).
    fn refused(key: String) -> JournalEntry;
    /// The journal entry that forgets a record (deleted, or gone from Intercom).
    fn forget(key: String) -> JournalEntry;
}

/// Collections of the help center.
pub struct Collections;

/// Articles of the help center.
pub struct Articles;

impl Resource for Collections {
    const KIND: ObjectKind = ObjectKind::Collection;
    type Remote = Collection;
    type Record = CollectionRecord;

    fn records(state: &StateFile) -> &BTreeMap<String, CollectionRecord> {
        &state.collections
    }
    fn record_id(record: &CollectionRecord) -> &str {
        &record.id
    }
    fn record_adopted(record: &CollectionRecord) -> bool {
        record.adopted
    }
    fn remote_id(remote: &Collection) -> &str {
        &remote.id
    }
    fn remote_title(remote: &Collection) -> &str {
        &remote.name
    }
    fn remote_parent(remote: &Collection) -> Option<&str> {
        remote.parent_id.as_deref()
    }
    fn remote_updated_at(remote: &Collection) -> Option<u64> {
        remote.updated_at
    }
    fn intent(key: String, write: PendingWrite) -> JournalEntry {
        JournalEntry::CollectionIntent { key, write }
    }
    fn refused(key: String) -> JournalEntry {
        JournalEntry::CollectionRefused { key }
    }
    fn forget(key: String) -> JournalEntry {
        JournalEntry::ForgetCollection { key }
    }
}

impl Resource for Articles {
    const KIND: ObjectKind = ObjectKind::Article;
    type Remote = Article;
    type Record = ArticleRecord;

    fn records(state: &StateFile) -> &BTreeMap<String, ArticleRecord> {
        &state.articles
    }
    fn record_id(record: &ArticleRecord) -> &str {
        &record.id
    }
    fn record_adopted(record: &ArticleRecord) -> bool {
        record.adopted
    }
    fn remote_id(remote: &Article) -> &str {
        &remote.id
    }
    fn remote_title(remote: &Article) -> &str {
        &remote.title
    }
    fn remote_parent(remote: &Article) -> Option<&str> {
        remote.parent_id.as_deref()
    }
    fn remote_updated_at(remote: &Article) -> Option<u64> {
        remote.updated_at
    }
    fn intent(key: String, write: PendingWrite) -> JournalEntry {
        JournalEntry::ArticleIntent { key, write }
    }
    fn refused(key: String) -> JournalEntry {
        JournalEntry::ArticleRefused { key }
    }
    fn forget(key: String) -> JournalEntry {
        JournalEntry::ForgetArticle { key }
    }
}

/// How a desired object maps to the remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// Recorded in state and present remotely.
    Managed(String),
    /// Recognised from an orphaned state entry (file moved or renamed).
    Moved { id: String, previous_key: String },
    /// Unmanaged remote object with the same title in the same parent.
    Adopted(String),
    /// Recorded, but deleted in Intercom.
    Recreate,
    /// New.
    Create,
}

impl Identity {
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Managed(id) | Self::Adopted(id) | Self::Moved { id, .. } => Some(id),
            Self::Recreate | Self::Create => None,
        }
    }
}

/// Recorded ids of kind `R` that a listing did not return: fetch them by id before planning
/// (listings are paged by offset over a changing order).
pub fn missing_recorded_ids<R: Resource>(state: &StateFile, listed: &[R::Remote]) -> Vec<String> {
    let listed: BTreeSet<&str> = listed.iter().map(R::remote_id).collect();
    R::records(state)
        .values()
        .map(R::record_id)
        .filter(|id| !listed.contains(id))
        .map(str::to_owned)
        .collect()
}

/// Every id the state records for kind `R`.
pub fn recorded_ids<R: Resource>(state: &StateFile) -> BTreeSet<String> {
    R::records(state)
        .values()
        .map(|r| R::record_id(r).to_owned())
        .collect()
}

/// Decides how one desired object maps to the remote: its record, else a move recognised
/// from an orphaned record (state evidence wins), else adoption, else a create.
pub fn identify(
    recorded_id: Option<&str>,
    exists: impl Fn(&str) -> bool,
    moved: impl FnOnce() -> Option<(String, String)>,
    adoptable: impl FnOnce() -> Option<String>,
) -> Identity {
    if let Some(id) = recorded_id {
        return if exists(id) {
            Identity::Managed(id.to_owned())
        } else {
            Identity::Recreate
        };
    }
    if let Some((id, previous_key)) = moved() {
        return Identity::Moved { id, previous_key };
    }
    adoptable().map_or(Identity::Create, Identity::Adopted)
}

/// Adoption: the oldest (lowest id) remote object of kind `R` with this title in this
/// parent that no state entry or other key has taken.
pub fn oldest_match<'r, R: Resource>(
    candidates: impl Iterator<Item = &'r R::Remote>,
    title: &str,
    parent: Option<&str>,
    taken: impl Fn(&str) -> bool,
) -> Option<String> {
    candidates
        .filter(|r| {
            R::remote_title(r) == title && R::remote_parent(r) == parent && !taken(R::remote_id(r))
        })
        .map(R::remote_id)
        .min_by_key(|id| id.parse::<u64>().unwrap_or(u64::MAX))
        .map(str::to_owned)
}

/// State keys of kind `R` that are no longer in the content.
pub fn orphan_keys<'a, R: Resource>(
    state: &StateFile,
    desired: impl Iterator<Item = &'a str>,
) -> Vec<String> {
    let desired: BTreeSet<&str> = desired.collect();
    R::records(state)
        .keys()
        .filter(|k| !desired.contains(k.as_str()))
        .cloned()
        .collect()
}

/// What the planner makes of an orphaned record of kind `R` whose object Intercom still holds.
pub enum Orphan<'r> {
    /// Adopted with a person's content: kept, with the id to name in the warning.
    KeptAdopted { id: &'r str },
    /// To delete (with `needs_prune` when the run does not prune).
    Delete(Change),
}

/// The planner's verdict on orphaned record `key`: `None` when Intercom no longer holds
/// its object (the record is forgotten at apply, see [`vanished`]).
pub fn orphan<'r, R: Resource>(
    state: &'r StateFile,
    listed: &'r BTreeMap<String, R::Remote>,
    key: &str,
    prune: bool,
) -> Option<Orphan<'r>> {
    let record = &R::records(state)[key];
    let remote = listed.get(R::record_id(record))?;
    if R::record_adopted(record) {
        return Some(Orphan::KeptAdopted {
            id: R::record_id(record),
        });
    }
    Some(Orphan::Delete(delete_change::<R>(
        key,
        R::record_id(record),
        remote,
        prune,
    )))
}

/// The delete of one managed object of kind `R`.
pub fn delete_change<R: Resource>(key: &str, id: &str, remote: &R::Remote, prune: bool) -> Change {
    Change {
        action: Action::Delete,
        kind: R::KIND,
        key: key.to_owned(),
        id: Some(id.to_owned()),
        title: R::remote_title(remote).to_owned(),
        locales: Vec::new(),
        drift: false,
        needs_prune: !prune,
        previous_key: None,
        parent_changed: false,
        fields: Vec::new(),
        remote_updated_at: R::remote_updated_at(remote),
    }
}

/// The guard on mass deletes: never more than half of the `managed` objects in one run
/// unless `--force-prune`.
pub fn prune_guard(
    deletes: usize,
    managed: usize,
    prune: bool,
    force_prune: bool,
) -> Option<PlanProblem> {
    (prune && !force_prune && deletes * 2 > managed).then(|| PlanProblem {
        message: format!(
            "refusing to delete {deletes} of {managed} managed objects in one run (more than half)"
        ),
        hint: Some("check that the content directory is complete; pass `--force-prune` if the deletes are intended".to_owned()),
    })
}

/// Orphaned records of kind `R` (among `orphans`, as `state` now holds them) whose object is
/// gone from Intercom as well: the apply forgets them.
pub fn vanished<R: Resource>(
    state: &StateFile,
    orphans: &[String],
    listed: &BTreeMap<String, R::Remote>,
) -> Vec<String> {
    orphans
        .iter()
        .filter(|k| {
            R::records(state)
                .get(*k)
                .is_some_and(|r| !listed.contains_key(R::record_id(r)))
        })
        .cloned()
        .collect()
}
