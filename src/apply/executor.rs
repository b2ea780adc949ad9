//! Executes a plan: collections parent-first, then articles, a second pass for links to
//! articles created (or renamed) in the same run, then deletes children-first. Every write's
//! intent is journaled before it is sent and its outcome after; nothing more is sent once
//! the journal cannot be written. Creates whose response was lost or answered 5xx are
//! reconciled in the same run (look, then re-send only what is absent).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use futures::stream;

use crate::apply::group_commit::GroupCommit;
use crate::apply::progress::Progress;
use crate::apply::resource::Execute;
use crate::content::config::CalloutColors;
use crate::plan::compute::{
    Resolution, UrlMap, article_expected_fingerprint, article_raw_hash, article_seen_fingerprint,
    article_sent_hash, collection_hash,
};
use crate::plan::desired::{Desired, DesiredArticle, DesiredCollection};
use crate::plan::model::{Action, Change, ObjectKind, Plan};
use crate::plan::remote_view::{RemoteView, article_locale, collection_locale};
use crate::plan::resource::{self, Articles, Collections, Resource};
use crate::plan::signed_images::SignedImages;
use crate::remote::models::{
    Article, ArticleContentRequest, Collection, CreateArticle, CreateCollection,
    GroupContentRequest, UpdateArticle, UpdateCollection,
};
use crate::remote::{Client, ErrorKind, RemoteError};
use crate::render::callouts::with_notation;
use crate::state::journal::{JournalEntry, Recorder};
use crate::state::state_file::{LocaleRecord, PendingLocale, PendingWrite};
use crate::test_hooks;

/// How many times a lost create is reconciled (look, then re-send) before giving up.
const RECONCILE_ROUNDS: usize = 6;

/// Whether a create's outcome is unknown: its response was lost, or a 5xx answered it (the
/// server may have stored it before failing). Either way: look before re-sending.
fn create_outcome_unknown(e: &RemoteError) -> bool {
    e.is_outcome_unknown() || e.status().is_some_and(|s| s >= 500)
}

/// One change that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: ObjectKind,
    pub key: String,
    pub message: String,
}

/// What an apply did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Changes carried out.
    pub done: usize,
    /// Extra body updates of the second pass (links to articles created in this run).
    pub link_updates: usize,
    /// Lost create responses that were found on the remote and adopted instead of re-sent.
    pub reconciled: usize,
    pub failures: Vec<Failure>,
}

/// An article write whose intent is journaled, waiting for a sending slot.
struct PreparedArticle<'p> {
    change: &'p Change,
    da: &'p DesiredArticle,
    parent: Option<String>,
    request: ArticleRequest,
    /// Per locale sent, the body with its links resolved (what the intent hashed).
    bodies: BTreeMap<String, String>,
    /// `Shared::url_generation` when the request was built.
    generation: u64,
}

/// What an article write sends.
enum ArticleRequest {
    Create(CreateArticle),
    Update(String, UpdateArticle),
    /// An update with nothing to send (only an unpublished locale that was already gone):
    /// the remote article as it is.
    Nothing(String),
}

/// Everything the executor reads.
pub struct Executor<'a> {
    pub client: &'a Client,
    pub desired: &'a Desired,
    pub plan: &'a Plan,
    pub resolution: &'a Resolution,
    pub remote: &'a RemoteView,
    pub concurrency: usize,
    pub progress: &'a Progress,
    /// Keys left alone this run (`--on-drift skip`): not even the link pass touches them.
    pub skip: &'a BTreeSet<String>,
    /// The notation of callout colours on the wire (the target's `callout_colors`).
    pub callout_colors: CalloutColors,
}

struct Shared {
    recorder: Recorder,
    /// Shared fsyncs of the journal: an intent is on disk before its write is sent.
    group: Arc<GroupCommit>,
    urls: UrlMap,
    collection_ids: BTreeMap<String, String>,
    article_ids: BTreeMap<String, String>,
    report: Report,
    /// Keys whose URL is new or changed in this run (second pass).
    url_changed: bool,
    /// Bumped whenever an article's URL is new or changed: a body prepared before may now
    /// resolve its links differently.
    url_generation: u64,
    /// Signed CDN image URLs of the remote bodies, put back into every body sent.
    signed_images: SignedImages,
    /// The journal could not be written: nothing more is sent.
    journal_broken: bool,
    callout_colors: CalloutColors,
}

impl Executor<'_> {
    /// Runs the plan's changes; the recorder journals each success. Returns the report and
    /// the recorder (the caller saves the state, on failure too).
    pub async fn run(&self, recorder: Recorder) -> (Report, Recorder) {
        let dl = self.desired.default_locale.clone();
        let mut urls = UrlMap::new(&dl);
        let mut collection_ids = BTreeMap::new();
        let mut article_ids = BTreeMap::new();
        for (key, identity) in &self.resolution.collections {
            if let Some(id) = identity.id() {
                collection_ids.insert(key.clone(), id.to_owned());
            }
        }
        for (key, identity) in &self.resolution.articles {
            if let Some(id) = identity.id() {
                article_ids.insert(key.clone(), id.to_owned());
                if let Some(article) = self.remote.articles.get(id) {
                    urls.insert_article(key, article);
                }
            }
        }
        let group = Arc::new(GroupCommit::new(recorder.journal_sync()));
        let shared = Mutex::new(Shared {
            recorder,
            group,
            urls,
            collection_ids,
            article_ids,
            report: Report::default(),
            url_changed: false,
            url_generation: 0,
            signed_images: SignedImages::from_remote(self.remote),
            journal_broken: false,
            callout_colors: self.callout_colors,
        });
        if let Some(hc) = &self.plan.help_center_id {
            journal(&shared, JournalEntry::HelpCenter { id: hc.clone() });
        }
        self.collections_phase(&shared).await;
        self.articles_phase(&shared).await;
        self.links_phase(&shared).await;
        self.deletes_phase(&shared).await;
        self.forget_vanished(&shared);
        let shared = shared.into_inner().expect("lock");
        (shared.report, shared.recorder)
    }

    fn fail(&self, shared: &Mutex<Shared>, kind: ObjectKind, key: &str, message: String) {
        self.progress.failed(kind, key, &message);
        shared.lock().expect("lock").report.failures.push(Failure {
            kind,
            key: key.to_owned(),
            message,
        });
    }

    fn done(&self, shared: &Mutex<Shared>, change: &Change, id: &str) {
        self.progress.done(change, id);
        shared.lock().expect("lock").report.done += 1;
    }

    /// A write answered with a definite error: its intent is void, and it is a failure.
    fn refused(&self, shared: &Mutex<Shared>, kind: ObjectKind, key: &str, e: &RemoteError) {
        // A 4xx was not applied; after a 5xx or a lost response the intent stays pending and
        // the next plan settles it against what Intercom holds.
        if e.status().is_some_and(|s| (400..500).contains(&s)) {
            let key = key.to_owned();
            journal(
                shared,
                match kind {
                    ObjectKind::Collection => Collections::refused(key.clone()),
                    ObjectKind::Article => Articles::refused(key.clone()),
                    ObjectKind::ExternalPage => {
                        crate::plan::external_pages::ExternalPages::refused(key.clone())
                    }
                },
            );
            self.fail(shared, kind, &key, e.to_string());
        } else {
            self.fail(shared, kind, key, e.to_string());
        }
    }

    /// True (and a failure) when the journal is broken: the write must not be sent.
    fn halted(&self, shared: &Mutex<Shared>, kind: ObjectKind, key: &str) -> bool {
        if super::interrupt::requested() {
            // Ctrl-C: nothing new is sent; what is in flight finishes and is recorded.
            return true;
        }
        if !shared.lock().expect("lock").journal_broken {
            return false;
        }
        self.fail(
            shared,
            kind,
            key,
            "not sent: the state journal cannot be written".into(),
        );
        true
    }

    /// Journals the intent of a write of collection `dc` (its `locales`); false: do not send.
    async fn intend_collection<'l>(
        &self,
        shared: &Mutex<Shared>,
        dc: &DesiredCollection,
        id: Option<&str>,
        locales: impl Iterator<Item = &'l String>,
    ) -> bool {
        if self.halted(shared, ObjectKind::Collection, &dc.key) {
            return false;
        }
        let locales = locales
            .filter_map(|l| dc.locales.get(l).map(|f| (l, f)))
            .map(|(l, f)| {
                let hash = collection_hash(&f.name, &f.description);
                (
                    l.clone(),
                    PendingLocale {
                        sent: hash.clone(),
                        expect: hash,
                    },
                )
            })
            .collect();
        let entry = Collections::intent(
            dc.key.clone(),
            PendingWrite {
                id: id.map(str::to_owned),
                locales,
            },
        );
        journal_durable(shared, entry).await
            || !self.halted(shared, ObjectKind::Collection, &dc.key)
    }

    /// Journals the intent of a write of article `da` (the locales of `bodies`, as sent);
    /// false: do not send.
    async fn intend_article(
        &self,
        shared: &Mutex<Shared>,
        da: &DesiredArticle,
        id: Option<&str>,
        bodies: &BTreeMap<String, String>,
    ) -> bool {
        if self.halted(shared, ObjectKind::Article, &da.key) {
            return false;
        }
        let locales = bodies
            .iter()
            .filter_map(|(l, body)| da.locales.get(l).map(|f| (l, f, body)))
            .map(|(l, f, body)| {
                (
                    l.clone(),
                    PendingLocale {
                        sent: article_sent_hash(f, body),
                        expect: article_expected_fingerprint(f, body),
                    },
                )
            })
            .collect();
        let entry = Articles::intent(
            da.key.clone(),
            PendingWrite {
                id: id.map(str::to_owned),
                locales,
            },
        );
        journal_durable(shared, entry).await || !self.halted(shared, ObjectKind::Article, &da.key)
    }

    fn changes(&self, kind: ObjectKind, deletes: bool) -> impl Iterator<Item = &Change> {
        self.plan
            .changes
            .iter()
            .filter(move |c| c.kind == kind && (c.action == Action::Delete) == deletes)
    }

    // ---- collections -------------------------------------------------------------------

    async fn collections_phase(&self, shared: &Mutex<Shared>) {
        let by_key: BTreeMap<&str, &DesiredCollection> = self
            .desired
            .collections
            .iter()
            .map(|c| (c.key.as_str(), c))
            .collect();
        let max_depth = self
            .desired
            .collections
            .iter()
            .map(|c| c.depth)
            .max()
            .unwrap_or(0);
        for depth in 1..=max_depth {
            let level: Vec<(&Change, &DesiredCollection)> = self
                .changes(ObjectKind::Collection, false)
                .filter_map(|c| by_key.get(c.key.as_str()).map(|d| (c, *d)))
                .filter(|(_, d)| d.depth == depth)
                .collect();
            let lost: Vec<&DesiredCollection> = stream::iter(level)
                .map(|(change, dc)| self.apply_collection(shared, change, dc))
                .buffer_unordered(self.concurrency.max(1))
                .filter_map(|lost| async move { lost })
                .collect()
                .await;
            if !lost.is_empty() {
                self.reconcile_collections(shared, lost).await;
            }
        }
    }

    /// Returns the collection when its create response was lost.
    async fn apply_collection<'d>(
        &self,
        shared: &Mutex<Shared>,
        change: &Change,
        dc: &'d DesiredCollection,
    ) -> Option<&'d DesiredCollection> {
        let dl = &self.desired.default_locale;
        let parent_id = match &dc.parent {
            Some(parent) => {
                let id = shared
                    .lock()
                    .expect("lock")
                    .collection_ids
                    .get(parent)
                    .cloned();
                let Some(id) = id else {
                    self.fail(
                        shared,
                        ObjectKind::Collection,
                        &dc.key,
                        format!("its parent collection `{parent}` was not created"),
                    );
                    return None;
                };
                Some(id)
            }
            None => None,
        };
        let result = match change.action {
            Action::Create | Action::Recreate => {
                let req = self.create_collection_request(dc, parent_id);
                if !self
                    .intend_collection(shared, dc, None, dc.locales.keys())
                    .await
                {
                    return None;
                }
                self.client.create_collection(&req).await
            }
            _ => {
                let id = change.id.clone().expect("planned change has an id");
                let mut req = UpdateCollection::default();
                for locale in &change.locales {
                    let Some(f) = dc.locales.get(locale) else {
                        continue;
                    };
                    if locale == dl {
                        req.name = Some(f.name.clone());
                        req.description = Some(f.description.clone());
                    } else {
                        req.translated_content.insert(
                            locale.clone(),
                            GroupContentRequest {
                                kind: "group_content",
                                name: Some(f.name.clone()),
                                description: Some(f.description.clone()),
                            },
                        );
                    }
                }
                if change.parent_changed {
                    req.parent_id = parent_id;
                }
                if req == UpdateCollection::default() {
                    // Adopted or re-keyed with nothing to send: record what is there.
                    let remote = self.remote.collections.get(&id).cloned();
                    remote.ok_or_else(|| gone(format!("/help_center/collections/{id}")))
                } else {
                    if !self
                        .intend_collection(shared, dc, Some(&id), change.locales.iter())
                        .await
                    {
                        return None;
                    }
                    self.client.update_collection(&id, &req).await
                }
            }
        };
        match result {
            Ok(collection) => {
                let locales: Vec<String> =
                    if matches!(change.action, Action::Create | Action::Recreate) {
                        dc.locales.keys().cloned().collect()
                    } else {
                        change.locales.clone()
                    };
                self.record_collection(shared, change, dc, &collection, &locales);
                self.done(shared, change, &collection.id);
                None
            }
            Err(e)
                if matches!(change.action, Action::Create | Action::Recreate)
                    && create_outcome_unknown(&e) =>
            {
                Some(dc)
            }
            Err(e) => {
                self.refused(shared, ObjectKind::Collection, &dc.key, &e);
                None
            }
        }
    }

    fn create_collection_request(
        &self,
        dc: &DesiredCollection,
        parent_id: Option<String>,
    ) -> CreateCollection {
        let dl = &self.desired.default_locale;
        let main = &dc.locales[dl];
        CreateCollection {
            name: main.name.clone(),
            description: Some(main.description.clone()).filter(|d| !d.is_empty()),
            help_center_id: if parent_id.is_none() {
                self.plan
                    .help_center_id
                    .as_deref()
                    .and_then(|h| h.parse().ok())
            } else {
                None
            },
            parent_id,
            translated_content: dc
                .locales
                .iter()
                .filter(|(l, _)| *l != dl)
                .map(|(l, f)| {
                    (
                        l.clone(),
                        GroupContentRequest {
                            kind: "group_content",
                            name: Some(f.name.clone()),
                            description: Some(f.description.clone()).filter(|d| !d.is_empty()),
                        },
                    )
                })
                .collect(),
        }
    }

    fn record_collection(
        &self,
        shared: &Mutex<Shared>,
        change: &Change,
        dc: &DesiredCollection,
        collection: &Collection,
        sent_locales: &[String],
    ) {
        let dl = &self.desired.default_locale;
        test_hooks::write_answered();
        let previous_key = change.previous_key.as_deref().unwrap_or(&dc.key);
        let mut record = {
            let s = shared.lock().expect("lock");
            s.recorder
                .state
                .collections
                .get(previous_key)
                .cloned()
                .unwrap_or_default()
        };
        record.id.clone_from(&collection.id);
        if change.action == Action::Adopt && change.drift {
            record.adopted = true;
        }
        record.dir.clone_from(&dc.dir);
        record.parent.clone_from(&dc.parent);
        record.updated_at = collection.updated_at;
        let adopt_all = matches!(change.action, Action::Adopt | Action::Move);
        for (locale, want) in &dc.locales {
            let sent = sent_locales.contains(locale);
            if !sent && (!adopt_all || record.locales.contains_key(locale)) {
                continue;
            }
            match collection_locale(collection, locale, dl) {
                Some((name, description)) => {
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
                None if sent => self.fail(
                    shared,
                    ObjectKind::Collection,
                    &dc.key,
                    format!("Intercom did not keep the `{locale}` translation: the help center is probably single-language, or `{locale}` is not one of its languages"),
                ),
                None => {}
            }
        }
        if change.previous_key.is_some() {
            journal(shared, Collections::forget(previous_key.to_owned()));
        }
        journal(
            shared,
            JournalEntry::Collection {
                key: dc.key.clone(),
                record,
            },
        );
        shared
            .lock()
            .expect("lock")
            .collection_ids
            .insert(dc.key.clone(), collection.id.clone());
    }

    /// Looks for collections whose create response was lost; re-sends only those not found.
    async fn reconcile_collections(
        &self,
        shared: &Mutex<Shared>,
        mut lost: Vec<&DesiredCollection>,
    ) {
        let dl = &self.desired.default_locale;
        for round in 0..RECONCILE_ROUNDS {
            let listed = match self.client.list_collections().await {
                Ok(l) => l,
                Err(e) => {
                    for dc in lost {
                        self.fail(shared, ObjectKind::Collection, &dc.key, format!("the create response was lost and the collections could not be listed to check: {e}"));
                    }
                    return;
                }
            };
            let mut still_lost = Vec::new();
            for dc in lost {
                let parent_id = dc
                    .parent
                    .as_ref()
                    .and_then(|p| shared.lock().expect("lock").collection_ids.get(p).cloned());
                let taken: BTreeSet<String> = shared
                    .lock()
                    .expect("lock")
                    .collection_ids
                    .values()
                    .cloned()
                    .collect();
                let found = listed.iter().find(|c| {
                    !self.remote.collections.contains_key(&c.id)
                        && !taken.contains(&c.id)
                        && c.name == dc.locales[dl].name
                        && c.parent_id == parent_id
                });
                let change = self
                    .plan
                    .changes
                    .iter()
                    .find(|c| c.kind == ObjectKind::Collection && c.key == dc.key)
                    .expect("change");
                if let Some(c) = found {
                    self.record_collection(
                        shared,
                        change,
                        dc,
                        c,
                        &dc.locales.keys().cloned().collect::<Vec<_>>(),
                    );
                    self.done(shared, change, &c.id);
                    shared.lock().expect("lock").report.reconciled += 1;
                } else if round + 1 < RECONCILE_ROUNDS {
                    let req = self.create_collection_request(dc, parent_id);
                    if !self
                        .intend_collection(shared, dc, None, dc.locales.keys())
                        .await
                    {
                        continue;
                    }
                    match self.client.create_collection(&req).await {
                        Ok(c) => {
                            self.record_collection(
                                shared,
                                change,
                                dc,
                                &c,
                                &dc.locales.keys().cloned().collect::<Vec<_>>(),
                            );
                            self.done(shared, change, &c.id);
                        }
                        Err(e) if create_outcome_unknown(&e) => still_lost.push(dc),
                        Err(e) => self.refused(shared, ObjectKind::Collection, &dc.key, &e),
                    }
                } else {
                    self.fail(shared, ObjectKind::Collection, &dc.key, "the create response was lost several times; run `helpcenter plan` to see what Intercom holds".into());
                }
            }
            if still_lost.is_empty() {
                return;
            }
            lost = still_lost;
        }
    }

    // ---- articles ----------------------------------------------------------------------

    async fn articles_phase(&self, shared: &Mutex<Shared>) {
        let by_key: BTreeMap<&str, &DesiredArticle> = self
            .desired
            .articles
            .iter()
            .map(|a| (a.key.as_str(), a))
            .collect();
        let work: Vec<(&Change, &DesiredArticle)> = self
            .changes(ObjectKind::Article, false)
            .filter_map(|c| by_key.get(c.key.as_str()).map(|d| (c, *d)))
            .collect();
        // Two stages: the intents of the next writes are journaled (and fsynced, shared) while
        // the writes before them are in flight, so no send waits for an fsync. At most
        // `concurrency` writes are prepared ahead of those in flight.
        let ahead = self.concurrency.max(1);
        let lost: Vec<(&Change, &DesiredArticle)> = stream::iter(work)
            .map(|(change, da)| self.prepare_article(shared, change, da))
            .buffered(ahead)
            .filter_map(|prepared| async move { prepared })
            .map(|prepared| async move {
                let (change, da) = (prepared.change, prepared.da);
                self.send_article(shared, prepared)
                    .await
                    .then_some((change, da))
            })
            .buffer_unordered(self.concurrency.max(1))
            .filter_map(|lost| async move { lost })
            .collect()
            .await;
        if !lost.is_empty() {
            self.reconcile_articles(shared, lost).await;
        }
    }

    fn create_article_request(
        &self,
        shared: &Mutex<Shared>,
        da: &DesiredArticle,
        parent: Option<&str>,
    ) -> (CreateArticle, BTreeMap<String, String>) {
        let dl = &self.desired.default_locale;
        let mut bodies = BTreeMap::new();
        let (main, main_body) = article_content(shared, da, dl).expect("default locale");
        bodies.insert(dl.clone(), main_body);
        let mut translated = BTreeMap::new();
        for locale in da.locales.keys().filter(|l| *l != dl) {
            let (content, body) = article_content(shared, da, locale).expect("locale exists");
            bodies.insert(locale.clone(), body);
            translated.insert(locale.clone(), content);
        }
        let req = CreateArticle {
            title: main.title.unwrap_or_default(),
            description: main.description.filter(|d| !d.is_empty()),
            body: main.body,
            author_id: main.author_id.unwrap_or_default(),
            state: main.state,
            parent_id: parent.and_then(|p| p.parse().ok()),
            parent_type: parent.map(|_| "collection".to_owned()),
            translated_content: translated,
        };
        (req, bodies)
    }

    /// The request of a planned article write, built from the current link resolution.
    fn article_request(
        &self,
        shared: &Mutex<Shared>,
        change: &Change,
        da: &DesiredArticle,
        parent: Option<&str>,
    ) -> (ArticleRequest, BTreeMap<String, String>) {
        let dl = &self.desired.default_locale;
        if matches!(change.action, Action::Create | Action::Recreate) {
            let (req, bodies) = self.create_article_request(shared, da, parent);
            return (ArticleRequest::Create(req), bodies);
        }
        let id = change.id.clone().expect("planned change has an id");
        let mut req = UpdateArticle::default();
        let mut bodies = BTreeMap::new();
        for locale in &change.locales {
            match article_content(shared, da, locale) {
                Some((content, body)) => {
                    bodies.insert(locale.clone(), body);
                    if locale == dl {
                        req.title = content.title;
                        req.description = content.description;
                        req.body = content.body;
                        req.author_id = content.author_id;
                        req.state = content.state;
                    } else {
                        req.translated_content.insert(locale.clone(), content);
                    }
                }
                None => {
                    // A translation file was removed: unpublish that locale.
                    req.translated_content.insert(
                        locale.clone(),
                        ArticleContentRequest {
                            kind: "article_content",
                            state: Some("draft".into()),
                            ..ArticleContentRequest::default()
                        },
                    );
                }
            }
        }
        if change.parent_changed {
            req.parent_id = parent.map(str::to_owned);
            req.parent_type = Some("collection".into());
        }
        if req == UpdateArticle::default() {
            (ArticleRequest::Nothing(id), bodies)
        } else {
            (ArticleRequest::Update(id, req), bodies)
        }
    }

    /// First stage of an article write: its request, and its intent on disk. `None`: nothing
    /// to send (a failure, or sending has stopped).
    async fn prepare_article<'p>(
        &self,
        shared: &Mutex<Shared>,
        change: &'p Change,
        da: &'p DesiredArticle,
    ) -> Option<PreparedArticle<'p>> {
        let parent = match parent_of(shared, da) {
            Ok(p) => p,
            Err(message) => {
                self.fail(shared, ObjectKind::Article, &da.key, message);
                return None;
            }
        };
        let generation = shared.lock().expect("lock").url_generation;
        let (request, bodies) = self.article_request(shared, change, da, parent.as_deref());
        // Nothing to send, nothing to journal; a write is journaled before it is sent.
        let id = match &request {
            ArticleRequest::Update(id, _) => Some(id.clone()),
            ArticleRequest::Create(_) | ArticleRequest::Nothing(_) => None,
        };
        if !matches!(request, ArticleRequest::Nothing(_))
            && !self
                .intend_article(shared, da, id.as_deref(), &bodies)
                .await
        {
            return None;
        }
        Some(PreparedArticle {
            change,
            da,
            parent,
            request,
            bodies,
            generation,
        })
    }

    /// Second stage: sends a prepared write and records its outcome. Returns true when a
    /// create response was lost (to reconcile).
    async fn send_article(&self, shared: &Mutex<Shared>, prepared: PreparedArticle<'_>) -> bool {
        let PreparedArticle {
            change,
            da,
            parent,
            mut request,
            mut bodies,
            generation,
        } = prepared;
        let journaled = !matches!(request, ArticleRequest::Nothing(_));
        if journaled && stopped(shared) {
            // Journaled ahead, never sent: its intent is void.
            journal(shared, Articles::refused(da.key.clone()));
            return false;
        }
        let links_moved = shared.lock().expect("lock").url_generation != generation
            && da.locales.values().any(|f| !f.links.is_empty());
        if journaled && links_moved {
            // An article this one links to got its URL since the intent was written: send the
            // body as it resolves now, under a new intent.
            let (now, now_bodies) = self.article_request(shared, change, da, parent.as_deref());
            if now_bodies != bodies {
                let id = match &now {
                    ArticleRequest::Update(id, _) | ArticleRequest::Nothing(id) => Some(id.clone()),
                    ArticleRequest::Create(_) => None,
                };
                if !self
                    .intend_article(shared, da, id.as_deref(), &now_bodies)
                    .await
                {
                    journal(shared, Articles::refused(da.key.clone()));
                    return false;
                }
                (request, bodies) = (now, now_bodies);
            }
        }
        let result = match request {
            ArticleRequest::Create(req) => self.client.create_article(&req).await,
            ArticleRequest::Update(id, req) => self.client.update_article(&id, &req).await,
            ArticleRequest::Nothing(id) => self
                .remote
                .articles
                .get(&id)
                .cloned()
                .ok_or_else(|| gone(format!("/articles/{id}"))),
        };
        match result {
            Ok(article) => {
                self.record_article(shared, change, da, &article, &bodies);
                self.done(shared, change, &article.id);
                false
            }
            Err(e)
                if matches!(change.action, Action::Create | Action::Recreate)
                    && create_outcome_unknown(&e) =>
            {
                true
            }
            Err(e) => {
                self.refused(shared, ObjectKind::Article, &da.key, &e);
                false
            }
        }
    }

    fn record_article(
        &self,
        shared: &Mutex<Shared>,
        change: &Change,
        da: &DesiredArticle,
        article: &Article,
        bodies: &BTreeMap<String, String>,
    ) {
        let dl = &self.desired.default_locale;
        test_hooks::write_answered();
        if let Some(remote_default) = article.default_locale.as_deref().filter(|l| l != dl) {
            self.fail(
                shared,
                ObjectKind::Article,
                &da.key,
                format!("the help center's default locale is `{remote_default}` but `helpcenter.toml` says `default_locale = \"{dl}\"`: fix `default_locale` before applying again"),
            );
        }
        let previous_key = change.previous_key.as_deref().unwrap_or(&da.key);
        let mut record = {
            let s = shared.lock().expect("lock");
            s.recorder
                .state
                .articles
                .get(previous_key)
                .cloned()
                .unwrap_or_default()
        };
        record.id.clone_from(&article.id);
        if change.action == Action::Adopt && change.drift {
            record.adopted = true;
        }
        record.path.clone_from(&da.path);
        record.collection.clone_from(&da.collection);
        record.title.clone_from(&da.locales[dl].title);
        record.updated_at = article.updated_at;
        let adopt_all = matches!(change.action, Action::Adopt | Action::Move);
        let mut failures = Vec::new();
        for locale in change
            .locales
            .iter()
            .filter(|l| !da.locales.contains_key(*l))
        {
            record.locales.remove(locale); // unpublished: no longer ours
        }
        for (locale, want) in &da.locales {
            let sent_body = bodies.get(locale);
            if sent_body.is_none() && (!adopt_all || record.locales.contains_key(locale)) {
                continue;
            }
            let body = sent_body.cloned().unwrap_or_else(|| {
                shared
                    .lock()
                    .expect("lock")
                    .urls
                    .resolve(&want.body, locale)
            });
            match article_locale(article, locale, dl) {
                Some(remote) => {
                    record.locales.insert(
                        locale.clone(),
                        LocaleRecord {
                            sent: article_sent_hash(want, &body),
                            seen: article_seen_fingerprint(&remote),
                            raw: Some(article_raw_hash(&remote)),
                            url: remote.url.clone(),
                        },
                    );
                }
                None if sent_body.is_some() => failures.push(format!(
                    "Intercom did not keep the `{locale}` translation: the help center is probably single-language, or `{locale}` is not one of its languages"
                )),
                None => {}
            }
        }
        for (locale, rec) in &mut record.locales {
            if let Some(remote) = article_locale(article, locale, dl) {
                rec.url = remote.url;
            }
        }
        for message in failures {
            self.fail(shared, ObjectKind::Article, &da.key, message);
        }
        if change.previous_key.is_some() {
            journal(shared, Articles::forget(previous_key.to_owned()));
        }
        journal(
            shared,
            JournalEntry::Article {
                key: da.key.clone(),
                record,
            },
        );
        let mut s = shared.lock().expect("lock");
        s.article_ids.insert(da.key.clone(), article.id.clone());
        let before: Vec<Option<String>> = da
            .locales
            .keys()
            .map(|l| s.urls.get(&da.key, l).map(str::to_owned))
            .collect();
        s.urls.insert_article(&da.key, article);
        let after: Vec<Option<String>> = da
            .locales
            .keys()
            .map(|l| s.urls.get(&da.key, l).map(str::to_owned))
            .collect();
        if before != after {
            s.url_changed = true;
            s.url_generation += 1;
        }
    }

    async fn reconcile_articles(
        &self,
        shared: &Mutex<Shared>,
        mut lost: Vec<(&Change, &DesiredArticle)>,
    ) {
        let dl = &self.desired.default_locale;
        for round in 0..RECONCILE_ROUNDS {
            let listed = match self.client.list_articles().await {
                Ok(l) => l,
                Err(e) => {
                    for (_, da) in lost {
                        self.fail(shared, ObjectKind::Article, &da.key, format!("the create response was lost and the articles could not be listed to check: {e}"));
                    }
                    return;
                }
            };
            let mut still_lost = Vec::new();
            for (change, da) in lost {
                let parent = parent_of(shared, da).ok().flatten();
                let taken: BTreeSet<String> = shared
                    .lock()
                    .expect("lock")
                    .article_ids
                    .values()
                    .cloned()
                    .collect();
                let found = listed.iter().find(|a| {
                    !self.remote.articles.contains_key(&a.id)
                        && !taken.contains(&a.id)
                        && a.title == da.locales[dl].title
                        && a.parent_id == parent
                });
                let (_, bodies) = self.create_article_request(shared, da, parent.as_deref());
                if let Some(article) = found {
                    self.record_article(shared, change, da, article, &bodies);
                    self.done(shared, change, &article.id);
                    shared.lock().expect("lock").report.reconciled += 1;
                } else if round + 1 < RECONCILE_ROUNDS {
                    let (req, bodies) = self.create_article_request(shared, da, parent.as_deref());
                    if !self.intend_article(shared, da, None, &bodies).await {
                        continue;
                    }
                    match self.client.create_article(&req).await {
                        Ok(article) => {
                            self.record_article(shared, change, da, &article, &bodies);
                            self.done(shared, change, &article.id);
                        }
                        Err(e) if create_outcome_unknown(&e) => still_lost.push((change, da)),
                        Err(e) => self.refused(shared, ObjectKind::Article, &da.key, &e),
                    }
                } else {
                    self.fail(shared, ObjectKind::Article, &da.key, "the create response was lost several times; run `helpcenter plan` to see what Intercom holds".into());
                }
            }
            if still_lost.is_empty() {
                return;
            }
            lost = still_lost;
        }
    }

    /// Second pass: bodies whose links now resolve differently (targets created or renamed).
    async fn links_phase(&self, shared: &Mutex<Shared>) {
        if !shared.lock().expect("lock").url_changed {
            return;
        }
        let mut work = Vec::new();
        {
            let s = shared.lock().expect("lock");
            for da in self.desired.articles.iter().filter(|a| {
                !self.skip.contains(&a.key) && a.locales.values().any(|f| !f.links.is_empty())
            }) {
                let Some(record) = s.recorder.state.articles.get(&da.key) else {
                    continue;
                };
                let stale: Vec<String> = da
                    .locales
                    .iter()
                    .filter(|(l, f)| {
                        !f.links.is_empty()
                            && record.locales.get(*l).is_some_and(|r| {
                                r.sent != article_sent_hash(f, &s.urls.resolve(&f.body, l))
                            })
                    })
                    .map(|(l, _)| l.clone())
                    .collect();
                if !stale.is_empty() {
                    work.push((da, record.id.clone(), stale));
                }
            }
        }
        let dl = &self.desired.default_locale;
        stream::iter(work)
            .for_each_concurrent(self.concurrency.max(1), |(da, id, locales)| async move {
                let mut req = UpdateArticle::default();
                let mut bodies = BTreeMap::new();
                for locale in &locales {
                    let (content, body) =
                        article_content(shared, da, locale).expect("locale exists");
                    bodies.insert(locale.clone(), body);
                    if locale == dl {
                        req.body = content.body;
                    } else {
                        req.translated_content.insert(
                            locale.clone(),
                            ArticleContentRequest {
                                kind: "article_content",
                                body: content.body,
                                ..ArticleContentRequest::default()
                            },
                        );
                    }
                }
                let change = Change {
                    action: Action::Update,
                    kind: ObjectKind::Article,
                    key: da.key.clone(),
                    id: Some(id.clone()),
                    title: da.locales[dl].title.clone(),
                    locales: locales.clone(),
                    drift: false,
                    needs_prune: false,
                    previous_key: None,
                    parent_changed: false,
                    fields: Vec::new(),
                    remote_updated_at: None,
                };
                if !self.intend_article(shared, da, Some(&id), &bodies).await {
                    return;
                }
                match self.client.update_article(&id, &req).await {
                    Ok(article) => {
                        self.record_article(shared, &change, da, &article, &bodies);
                        self.progress.link_pass(&da.key);
                        shared.lock().expect("lock").report.link_updates += 1;
                    }
                    Err(e) => self.fail(
                        shared,
                        ObjectKind::Article,
                        &da.key,
                        format!("updating links: {e}"),
                    ),
                }
            })
            .await;
    }

    // ---- deletes -----------------------------------------------------------------------

    async fn deletes_phase(&self, shared: &Mutex<Shared>) {
        let articles: Vec<&Change> = self
            .changes(ObjectKind::Article, true)
            .filter(|c| !c.needs_prune)
            .collect();
        stream::iter(articles)
            .for_each_concurrent(self.concurrency.max(1), |change| {
                self.delete_one::<Articles>(shared, change)
            })
            .await;
        // Collections one at a time, in plan order (children first).
        for change in self
            .changes(ObjectKind::Collection, true)
            .filter(|c| !c.needs_prune)
        {
            self.delete_one::<Collections>(shared, change).await;
        }
    }

    /// Deletes one object of kind `R`; its record is forgotten once Intercom confirms it
    /// (or answers that it is already gone).
    async fn delete_one<R: Execute>(&self, shared: &Mutex<Shared>, change: &Change) {
        let id = change.id.as_deref().expect("delete has an id");
        if self.halted(shared, R::KIND, &change.key) {
            return;
        }
        match R::delete(self.client, id).await {
            Ok(()) => {
                test_hooks::write_answered();
                journal(shared, R::forget(change.key.clone()));
                self.done(shared, change, id);
            }
            Err(e) if e.is_not_found() => {
                journal(shared, R::forget(change.key.clone()));
                self.done(shared, change, id);
            }
            Err(e) => self.fail(shared, R::KIND, &change.key, e.to_string()),
        }
    }

    /// State entries whose object is gone from Intercom and from the content: forget them.
    fn forget_vanished(&self, shared: &Mutex<Shared>) {
        let s = shared.lock().expect("lock");
        let state = &s.recorder.state;
        let vanished_articles = resource::vanished::<Articles>(
            state,
            &self.resolution.orphan_articles,
            &self.remote.articles,
        );
        let vanished_collections = resource::vanished::<Collections>(
            state,
            &self.resolution.orphan_collections,
            &self.remote.collections,
        );
        drop(s);
        for key in vanished_articles {
            journal(shared, Articles::forget(key));
        }
        for key in vanished_collections {
            journal(shared, Collections::forget(key));
        }
    }
}

/// Journals one entry (appended: it survives a killed process; fsynced by the next group
/// commit or the final state save); returns false when the journal cannot be written (the
/// first such error is a failure and stops every further write of the run).
fn journal(shared: &Mutex<Shared>, entry: JournalEntry) -> bool {
    let mut s = shared.lock().expect("lock");
    let appended = s.recorder.append(entry);
    journaled(&mut s, appended.map(|_| ()))
}

/// Whether sending has stopped since a write was prepared (Ctrl-C, or the journal broke).
fn stopped(shared: &Mutex<Shared>) -> bool {
    super::interrupt::requested() || shared.lock().expect("lock").journal_broken
}

/// Journals one entry and waits until it is on disk (group commit: concurrent writers share
/// the fsync); false as [`journal`].
async fn journal_durable(shared: &Mutex<Shared>, entry: JournalEntry) -> bool {
    let (ticket, group) = {
        let mut s = shared.lock().expect("lock");
        match s.recorder.append(entry) {
            Ok(ticket) => (ticket, Arc::clone(&s.group)),
            Err(e) => return journaled(&mut s, Err(e)),
        }
    };
    let synced = group.durable(ticket).await;
    journaled(&mut shared.lock().expect("lock"), synced)
}

/// Reports a journal write's outcome: the test hook on success, the first failure of the run.
fn journaled(s: &mut Shared, written: std::io::Result<()>) -> bool {
    journal_outcome(
        &mut s.journal_broken,
        &mut s.report,
        ObjectKind::Article,
        written,
    )
}

/// A journal write's outcome, for every executor: the test hook on success; on the run's
/// first failure, `broken` is set and the report says why sending stopped. False: send
/// nothing more (a write whose intent is not journaled could not be recovered after a kill).
pub(crate) fn journal_outcome(
    broken: &mut bool,
    report: &mut Report,
    kind: ObjectKind,
    written: std::io::Result<()>,
) -> bool {
    match written {
        Ok(()) => {
            test_hooks::journaled();
            true
        }
        Err(e) => {
            if !*broken {
                *broken = true;
                report.failures.push(Failure {
                    kind,
                    key: String::new(),
                    message: format!(
                        "could not write the state journal: {e}; stopped sending (nothing more was written to Intercom)"
                    ),
                });
            }
            false
        }
    }
}

/// The id of the article's collection (created earlier in this run, or existing).
fn parent_of(shared: &Mutex<Shared>, da: &DesiredArticle) -> Result<Option<String>, String> {
    match &da.collection {
        None => Ok(None),
        Some(key) => shared
            .lock()
            .expect("lock")
            .collection_ids
            .get(key)
            .cloned()
            .map(Some)
            .ok_or_else(|| format!("its collection `{key}` was not created")),
    }
}

/// One locale of an article as request content, with its body's links resolved now and its
/// CDN images signed and its callout colours in the target's notation (the second value, the
/// body that is hashed, keeps both as rendered).
fn article_content(
    shared: &Mutex<Shared>,
    da: &DesiredArticle,
    locale: &str,
) -> Option<(ArticleContentRequest, String)> {
    let f = da.locales.get(locale)?;
    let (body, wire) = {
        let s = shared.lock().expect("lock");
        let body = s.urls.resolve(&f.body, locale);
        let wire = with_notation(&s.signed_images.restore(&body), s.callout_colors);
        (body, wire)
    };
    Some((
        ArticleContentRequest {
            kind: "article_content",
            title: Some(f.title.clone()),
            description: Some(f.description.clone()),
            body: Some(wire),
            author_id: Some(f.author_id),
            state: Some(f.state.as_str().to_owned()),
        },
        body,
    ))
}

/// The object vanished between plan and apply.
fn gone(path: String) -> RemoteError {
    RemoteError::new(
        "GET",
        path,
        ErrorKind::Api {
            status: 404,
            code: Some("not_found".into()),
            message: Some("Resource Not Found".into()),
            request_id: None,
        },
    )
}
