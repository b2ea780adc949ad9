//! The diff engine: desired (local) × actual (remote) × recorded (state file) → [`Plan`].
//!
//! Change detection never compares sent HTML with returned HTML: per locale, a hash of what
//! we would send is compared with the hash recorded at the last write (local change), and a
//! fingerprint of what Intercom holds now is compared with the fingerprint recorded right
//! after that write (remote change, i.e. drift).

use std::collections::{BTreeMap, BTreeSet};

use crate::plan::desired::{
    ArticleFields, Desired, DesiredArticle, DesiredCollection, hash_fields,
};
use crate::plan::fingerprint::{normalize, readable_text};
use crate::plan::model::{Action, Change, FieldChange, ObjectKind, Plan, PlanProblem};
use crate::plan::remote_view::{
    RemoteArticleLocale, RemoteView, article_locale, collection_locale,
};
use crate::plan::resource::{
    self as resource, Articles, Collections, Orphan, identify, orphan_keys,
};
use crate::plan::{body_diff, drift_fields};
use crate::remote::models::{Article, Collection};
use crate::render::resolve_links;
use crate::state::state_file::{LocaleRecord, StateFile};

/// Options that change what is planned.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions {
    pub prune: bool,
    pub force_prune: bool,
}

pub use crate::plan::resource::Identity;

/// Everything the planner found, used by `apply` to execute.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    pub collections: BTreeMap<String, Identity>,
    pub articles: BTreeMap<String, Identity>,
    /// State keys that are neither desired nor matched: deleted (if remote) or forgotten.
    pub orphan_collections: Vec<String>,
    pub orphan_articles: Vec<String>,
}

/// Hash of what we send for one article locale (body with links resolved).
pub fn article_sent_hash(fields: &ArticleFields, body: &str) -> String {
    hash_fields(&[
        &fields.title,
        &fields.description,
        body,
        fields.state.as_str(),
        &fields.author_id.to_string(),
    ])
}

/// Fingerprint of what Intercom holds for one article locale.
pub fn article_seen_fingerprint(remote: &RemoteArticleLocale) -> String {
    hash_fields(&[
        &remote.title,
        &remote.description,
        &normalize(&remote.body),
        remote.state.map_or("", |s| s.as_str()),
        &remote.author_id.map(|a| a.to_string()).unwrap_or_default(),
    ])
}

/// Hash of one remote article locale's fields exactly as Intercom returned them (no
/// normalisation): cheap, and when it equals the recorded `raw`, the recorded `seen` still holds.
pub fn article_raw_hash(remote: &RemoteArticleLocale) -> String {
    hash_fields(&[
        &remote.title,
        &remote.description,
        &remote.body,
        remote.state.map_or("", |s| s.as_str()),
        &remote.author_id.map(|a| a.to_string()).unwrap_or_default(),
    ])
}

/// Whether Intercom's fields for one article locale still match the record: byte-identical to
/// what was recorded (no body normalisation needed), else the same fingerprint.
fn seen_unchanged(remote: &RemoteArticleLocale, record: &LocaleRecord) -> bool {
    record.raw.as_deref() == Some(article_raw_hash(remote).as_str())
        || article_seen_fingerprint(remote) == record.seen
}

/// The fingerprint Intercom holds for one article locale once it took a write of these
/// fields: [`article_seen_fingerprint`] of what was sent (the body normalised alike).
pub fn article_expected_fingerprint(fields: &ArticleFields, body: &str) -> String {
    hash_fields(&[
        &fields.title,
        &fields.description,
        &normalize(body),
        fields.state.as_str(),
        &fields.author_id.to_string(),
    ])
}

/// Hash (and fingerprint: collections are stored verbatim) of a collection locale.
pub fn collection_hash(name: &str, description: &str) -> String {
    hash_fields(&[name, description])
}

/// Link resolution context: the public URL of each article key per locale.
#[derive(Debug, Clone, Default)]
pub struct UrlMap {
    urls: BTreeMap<(String, String), String>,
    /// URL → key, to name links in plans.
    keys: BTreeMap<String, String>,
    default_locale: String,
}

impl UrlMap {
    pub fn new(default_locale: &str) -> Self {
        Self {
            urls: BTreeMap::new(),
            keys: BTreeMap::new(),
            default_locale: default_locale.to_owned(),
        }
    }

    /// Records the URLs of `article` (all locales) under `key`.
    pub fn insert_article(&mut self, key: &str, article: &Article) {
        if let Some(url) = article.url.as_ref().filter(|u| !u.is_empty()) {
            self.urls
                .insert((key.to_owned(), self.default_locale.clone()), url.clone());
            self.keys.insert(url.clone(), key.to_owned());
        }
        for (locale, content) in &article.translated_content {
            if let Some(url) = content.url.as_ref().filter(|u| !u.is_empty()) {
                self.urls
                    .insert((key.to_owned(), locale.clone()), url.clone());
                self.keys.insert(url.clone(), key.to_owned());
            }
        }
    }

    /// URL of `key` in `locale`, falling back to the default locale.
    pub fn get(&self, key: &str, locale: &str) -> Option<&str> {
        self.urls
            .get(&(key.to_owned(), locale.to_owned()))
            .or_else(|| {
                self.urls
                    .get(&(key.to_owned(), self.default_locale.clone()))
            })
            .map(String::as_str)
    }

    /// The key of the article whose URL (in any locale) is `url`.
    pub fn key_of(&self, url: &str) -> Option<&str> {
        self.keys.get(url).map(String::as_str)
    }

    /// Whether `key` has its own URL in `locale` (no fallback).
    pub fn has_exact(&self, key: &str, locale: &str) -> bool {
        self.urls.contains_key(&(key.to_owned(), locale.to_owned()))
    }

    /// The body with placeholders replaced by known URLs.
    pub fn resolve(&self, body: &str, locale: &str) -> String {
        resolve_links(body, |key| self.get(key, locale).map(str::to_owned))
    }
}

/// Recorded ids that the listings did not return: fetch them by id before planning.
pub fn missing_recorded_ids(
    state: &StateFile,
    articles: &[Article],
    collections: &[Collection],
) -> (Vec<String>, Vec<String>) {
    (
        resource::missing_recorded_ids::<Articles>(state, articles),
        resource::missing_recorded_ids::<Collections>(state, collections),
    )
}

/// Computes the plan and the identity resolution apply needs.
pub fn compute(
    target: &str,
    desired: &Desired,
    remote: &RemoteView,
    state: &StateFile,
    options: PlanOptions,
) -> (Plan, Resolution) {
    let mut planner = Planner {
        desired,
        remote,
        state,
        options,
        dl: &desired.default_locale,
        changes: Vec::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
        unchanged: 0,
        claimed: BTreeSet::new(),
        resolution: Resolution::default(),
        urls: UrlMap::new(&desired.default_locale),
        by_key: desired
            .articles
            .iter()
            .map(|a| (a.key.as_str(), a))
            .collect(),
    };
    planner.check_help_center();
    planner.resolve_collections();
    planner.resolve_articles();
    planner.diff_collections();
    planner.diff_articles();
    planner.plan_deletes();
    planner.warn_twins();
    planner.warn_unresolved_links();
    let mut plan = Plan {
        version: 1,
        target: target.to_owned(),
        help_center_id: remote.help_center.as_ref().map(|h| h.id.clone()),
        content_hash: desired.content_hash(),
        summary: crate::plan::model::Summary::default(),
        changes: planner.changes,
        warnings: planner.warnings,
        errors: planner.errors,
        impact: std::collections::BTreeMap::new(),
    };
    let image_warnings = crate::plan::signed_images::plan_warnings(&plan, desired, remote);
    plan.warnings.extend(image_warnings);
    plan.summarize(planner.unchanged);
    drift_fields::default_locale_first(&mut plan, &desired.default_locale);
    (plan, planner.resolution)
}

struct Planner<'a> {
    desired: &'a Desired,
    remote: &'a RemoteView,
    state: &'a StateFile,
    options: PlanOptions,
    dl: &'a str,
    changes: Vec<Change>,
    warnings: Vec<String>,
    errors: Vec<PlanProblem>,
    unchanged: usize,
    /// Remote ids already matched to a key.
    claimed: BTreeSet<String>,
    resolution: Resolution,
    urls: UrlMap,
    /// Desired articles by key (link titles in plans).
    by_key: BTreeMap<&'a str, &'a DesiredArticle>,
}

impl Planner<'_> {
    /// Readable text of a body for the plan, links to articles named by their titles.
    fn readable(&self, html: &str, locale: &str) -> String {
        let named = body_diff::name_links(html, |href| {
            let key = match href.strip_prefix(crate::render::LINK_PLACEHOLDER) {
                Some(key) => key.to_owned(),
                None => self.urls.key_of(href)?.to_owned(),
            };
            let article = self.by_key.get(key.as_str())?;
            let fields = article
                .locales
                .get(locale)
                .or_else(|| article.locales.get(self.dl))?;
            Some(fields.title.clone())
        });
        readable_text(&named)
    }

    fn error(&mut self, message: String, hint: Option<&str>) {
        self.errors.push(PlanProblem {
            message,
            hint: hint.map(str::to_owned),
        });
    }

    /// The help center's default locale and languages must match the config.
    fn check_help_center(&mut self) {
        let mut seen_default: Option<String> = None;
        let mut single_language = false;
        for a in self.remote.articles.values() {
            match &a.default_locale {
                Some(l) => seen_default = Some(l.clone()),
                None => single_language = true,
            }
        }
        for c in self.remote.collections.values() {
            match &c.default_locale {
                Some(l) => seen_default = Some(l.clone()),
                None => single_language = true,
            }
        }
        if let Some(remote_default) = seen_default.filter(|l| l != self.dl) {
            self.error(
                format!(
                    "the help center's default locale is `{remote_default}` but `helpcenter.toml` says `default_locale = \"{}\"`",
                    self.dl
                ),
                Some("set `default_locale` to the help center's default language"),
            );
        }
        let has_translations = self.desired.articles.iter().any(|a| a.locales.len() > 1)
            || self.desired.collections.iter().any(|c| c.locales.len() > 1);
        if single_language && has_translations {
            self.error(
                "the help center is single-language (Intercom returns no `translated_content`), but the content has translations".to_owned(),
                Some("turn on multiple languages in Intercom's Help Center settings, or remove the translation files"),
            );
        }
        if !self.remote.single_help_center
            && let Some(a) = self
                .desired
                .articles
                .iter()
                .find(|a| a.collection.is_none())
        {
            self.error(
                format!("`{}` is a root article, but the workspace has several help centers and Intercom 2.12 cannot place it in one", a.path),
                Some("move the file into a collection directory"),
            );
        }
    }

    fn collection_id(&self, key: &str) -> Option<String> {
        self.resolution
            .collections
            .get(key)
            .and_then(|i| i.id().map(str::to_owned))
    }

    fn resolve_collections(&mut self) {
        let desired_keys = self.desired.collections.iter().map(|c| c.key.as_str());
        let mut orphans = orphan_keys::<Collections>(self.state, desired_keys);
        let recorded = resource::recorded_ids::<Collections>(self.state);
        for dc in &self.desired.collections {
            let recorded_id = self.state.collections.get(&dc.key).map(|r| r.id.as_str());
            let identity = identify(
                recorded_id,
                |id| self.remote.collections.contains_key(id),
                || {
                    let pos = self.find_moved_collection(dc, &orphans)?;
                    let previous_key = orphans.remove(pos);
                    Some((
                        self.state.collections[&previous_key].id.clone(),
                        previous_key,
                    ))
                },
                || self.find_adoptable_collection(dc, &recorded),
            );
            if let Some(id) = identity.id() {
                self.claimed.insert(id.to_owned());
            }
            self.resolution.collections.insert(dc.key.clone(), identity);
        }
        self.resolution.orphan_collections = orphans;
    }

    fn find_moved_collection(&self, dc: &DesiredCollection, orphans: &[String]) -> Option<usize> {
        let name = &dc.locales[self.dl].name;
        only_match(orphans, |key| {
            let record = &self.state.collections[key];
            self.remote
                .collections
                .get(&record.id)
                .is_some_and(|c| &c.name == name && !self.claimed.contains(&c.id))
        })
    }

    fn find_adoptable_collection(
        &self,
        dc: &DesiredCollection,
        recorded: &BTreeSet<String>,
    ) -> Option<String> {
        let parent_id = match self.remote_parent(dc.parent.as_deref()) {
            RemoteParent::TopLevel => None,
            RemoteParent::Id(id) => Some(id),
            RemoteParent::NotYetCreated => return None,
        };
        let taken = |id: &str| recorded.contains(id) || self.claimed.contains(id);
        resource::oldest_match::<Collections>(
            self.remote.collections.values(),
            &dc.locales[self.dl].name,
            parent_id.as_deref(),
            taken,
        )
    }

    /// Where the parent collection `parent` (a key) is on the remote.
    fn remote_parent(&self, parent: Option<&str>) -> RemoteParent {
        match parent {
            None => RemoteParent::TopLevel,
            Some(key) => self
                .collection_id(key)
                .map_or(RemoteParent::NotYetCreated, RemoteParent::Id),
        }
    }

    fn resolve_articles(&mut self) {
        let desired_keys = self.desired.articles.iter().map(|a| a.key.as_str());
        let mut orphans = orphan_keys::<Articles>(self.state, desired_keys);
        let recorded = resource::recorded_ids::<Articles>(self.state);
        for da in &self.desired.articles {
            let recorded_id = self.state.articles.get(&da.key).map(|r| r.id.as_str());
            let identity = identify(
                recorded_id,
                |id| self.remote.articles.contains_key(id),
                || {
                    let pos = self.find_moved_article(da, &orphans)?;
                    let previous_key = orphans.remove(pos);
                    Some((self.state.articles[&previous_key].id.clone(), previous_key))
                },
                || self.find_adoptable_article(da, &recorded),
            );
            if let Some(id) = identity.id() {
                self.claimed.insert(id.to_owned());
                if let Some(article) = self.remote.articles.get(id) {
                    self.urls.insert_article(&da.key, article);
                }
            }
            self.resolution.articles.insert(da.key.clone(), identity);
        }
        self.resolution.orphan_articles = orphans;
    }

    /// A renamed or moved file: an orphaned state entry whose article has the same title or body.
    fn find_moved_article(&self, da: &DesiredArticle, orphans: &[String]) -> Option<usize> {
        let fields = &da.locales[self.dl];
        let body = normalize(&fields.body);
        only_match(orphans, |key| {
            let record = &self.state.articles[key];
            let Some(remote) = self.remote.articles.get(&record.id) else {
                return false;
            };
            !self.claimed.contains(&remote.id)
                && (remote.title == fields.title
                    || record.title == fields.title
                    || normalize(remote.body.as_deref().unwrap_or("")) == body)
        })
    }

    fn find_adoptable_article(
        &self,
        da: &DesiredArticle,
        recorded: &BTreeSet<String>,
    ) -> Option<String> {
        let parent_id = match self.remote_parent(da.collection.as_deref()) {
            RemoteParent::TopLevel => None,
            RemoteParent::Id(id) => Some(id),
            RemoteParent::NotYetCreated => return None,
        };
        let taken = |id: &str| recorded.contains(id) || self.claimed.contains(id);
        resource::oldest_match::<Articles>(
            self.remote.articles.values(),
            &da.locales[self.dl].title,
            parent_id.as_deref(),
            taken,
        )
    }

    fn diff_collections(&mut self) {
        for dc in &self.desired.collections {
            let identity = self.resolution.collections[&dc.key].clone();
            let title = dc.locales[self.dl].name.clone();
            let (action, id) = match &identity {
                Identity::Create | Identity::Recreate => {
                    let action = if identity == Identity::Create {
                        Action::Create
                    } else {
                        Action::Recreate
                    };
                    let fields = dc
                        .locales
                        .iter()
                        .flat_map(|(l, f)| {
                            [
                                field(l, "name", None, Some(&f.name), false),
                                field(l, "description", None, Some(&f.description), false),
                            ]
                        })
                        .filter(|f| f.after.as_deref() != Some(""))
                        .collect();
                    self.changes.push(Change {
                        action,
                        kind: ObjectKind::Collection,
                        key: dc.key.clone(),
                        id: None,
                        title,
                        locales: dc.locales.keys().cloned().collect(),
                        drift: false,
                        needs_prune: false,
                        previous_key: None,
                        parent_changed: false,
                        fields,
                        remote_updated_at: None,
                    });
                    continue;
                }
                Identity::Managed(id) => (Action::Update, id.clone()),
                Identity::Moved { id, .. } => (Action::Move, id.clone()),
                Identity::Adopted(id) => (Action::Adopt, id.clone()),
            };
            let remote = &self.remote.collections[&id];
            let record_key = match &identity {
                Identity::Moved { previous_key, .. } => previous_key.as_str(),
                _ => dc.key.as_str(),
            };
            let record = self.state.collections.get(record_key);
            let mut fields = Vec::new();
            let mut locales = Vec::new();
            let mut drift = false;
            for (locale, want) in &dc.locales {
                let have = collection_locale(remote, locale, self.dl);
                let sent = collection_hash(&want.name, &want.description);
                let rec = record.and_then(|r| r.locales.get(locale));
                let (local_changed, remote_changed) = match (&have, rec) {
                    (Some((n, d)), Some(rec)) => {
                        (sent != rec.sent, collection_hash(n, d) != rec.seen)
                    }
                    (Some((n, d)), None) => {
                        let differs = n != &want.name || d != &want.description;
                        let ours = self
                            .state
                            .pending_collections
                            .get(&dc.key)
                            .is_some_and(|p| {
                                p.id.is_none()
                                    && p.locales
                                        .get(locale)
                                        .is_some_and(|l| l.expect == collection_hash(n, d))
                            });
                        // Adopting an object a person made, whose content differs: drift.
                        (differs, differs && action == Action::Adopt && !ours)
                    }
                    (None, Some(_)) => (true, true),
                    (None, None) => (true, false),
                };
                if !local_changed && !remote_changed {
                    continue;
                }
                let (have_name, have_desc) = have
                    .clone()
                    .map_or((None, None), |(n, d)| (Some(n), Some(d)));
                let mut changed_any = false;
                if have_name.as_deref() != Some(want.name.as_str()) {
                    fields.push(field(
                        locale,
                        "name",
                        have_name.as_deref(),
                        Some(&want.name),
                        remote_changed,
                    ));
                    changed_any = true;
                }
                if have_desc.as_deref() != Some(want.description.as_str()) {
                    fields.push(field(
                        locale,
                        "description",
                        have_desc.as_deref(),
                        Some(&want.description),
                        remote_changed,
                    ));
                    changed_any = true;
                }
                // A pure hash change with equal text (e.g. first apply after a lost state) is no change.
                if changed_any || rec.is_some_and(|r| r.sent != sent) {
                    locales.push(locale.clone());
                    drift |= remote_changed && changed_any;
                }
            }
            if let Some(record) = record {
                for locale in record.locales.keys() {
                    if !dc.locales.contains_key(locale) {
                        self.warnings.push(format!(
                            "collection `{}`: the `{locale}` translation was removed from `_collection.yml`, but the API cannot delete or hide a collection translation; it stays in Intercom",
                            dc.key
                        ));
                    }
                }
            }
            let want_parent = dc.parent.as_ref().map(|p| self.collection_id(p));
            let parent_changed = match want_parent {
                Some(None) => true, // parent is being created
                Some(Some(pid)) => remote.parent_id.as_deref() != Some(pid.as_str()),
                None => remote.parent_id.is_some(),
            };
            let parent_drift = parent_changed
                && record.is_some_and(|r| r.parent == dc.parent)
                && !matches!(identity, Identity::Moved { .. });
            if parent_changed {
                fields.push(FieldChange {
                    locale: None,
                    field: "parent".into(),
                    before: Some(self.parent_label(remote.parent_id.as_deref())),
                    after: Some(dc.parent.clone().unwrap_or_else(|| "(top level)".into())),
                    drift: parent_drift,
                    notes: Vec::new(),
                });
                drift |= parent_drift;
            }
            let action = if action == Action::Update && parent_changed && !parent_drift {
                Action::Move
            } else {
                action
            };
            if locales.is_empty() && !parent_changed && action == Action::Update {
                self.unchanged += 1;
                continue;
            }
            self.changes.push(Change {
                action,
                kind: ObjectKind::Collection,
                key: dc.key.clone(),
                id: Some(id.clone()),
                title,
                locales,
                drift,
                needs_prune: false,
                previous_key: match &identity {
                    Identity::Moved { previous_key, .. } => Some(previous_key.clone()),
                    _ => None,
                },
                parent_changed,
                fields,
                remote_updated_at: remote.updated_at,
            });
        }
    }

    fn parent_label(&self, parent_id: Option<&str>) -> String {
        let Some(pid) = parent_id else {
            return "(top level)".into();
        };
        self.resolution
            .collections
            .iter()
            .find(|(_, i)| i.id() == Some(pid))
            .map_or_else(|| format!("collection {pid}"), |(k, _)| k.clone())
    }

    fn diff_articles(&mut self) {
        for da in &self.desired.articles {
            let identity = self.resolution.articles[&da.key].clone();
            let title = da.locales[self.dl].title.clone();
            let id = match &identity {
                Identity::Create | Identity::Recreate => {
                    let action = if identity == Identity::Create {
                        Action::Create
                    } else {
                        Action::Recreate
                    };
                    let mut fields = Vec::new();
                    for (locale, f) in &da.locales {
                        let body = self.urls.resolve(&f.body, locale);
                        fields.push(field(locale, "title", None, Some(&f.title), false));
                        if !f.description.is_empty() {
                            fields.push(field(
                                locale,
                                "description",
                                None,
                                Some(&f.description),
                                false,
                            ));
                        }
                        fields.push(field(
                            locale,
                            "body",
                            None,
                            Some(&self.readable(&body, locale)),
                            false,
                        ));
                        fields.push(field(locale, "state", None, Some(f.state.as_str()), false));
                    }
                    self.changes.push(Change {
                        action,
                        kind: ObjectKind::Article,
                        key: da.key.clone(),
                        id: None,
                        title,
                        locales: da.locales.keys().cloned().collect(),
                        drift: false,
                        needs_prune: false,
                        previous_key: None,
                        parent_changed: false,
                        fields,
                        remote_updated_at: None,
                    });
                    continue;
                }
                Identity::Managed(id) | Identity::Adopted(id) | Identity::Moved { id, .. } => {
                    id.clone()
                }
            };
            self.diff_article(da, &identity, &id, title);
        }
    }

    fn diff_article(&mut self, da: &DesiredArticle, identity: &Identity, id: &str, title: String) {
        let remote = &self.remote.articles[id];
        let record_key = match identity {
            Identity::Moved { previous_key, .. } => previous_key.as_str(),
            _ => da.key.as_str(),
        };
        let record = self.state.articles.get(record_key);
        let mut fields = Vec::new();
        let mut locales = Vec::new();
        let mut unpublish = Vec::new();
        let mut drift = false;
        for (locale, want) in &da.locales {
            let body = self.urls.resolve(&want.body, locale);
            for link in &want.links {
                if !self.urls.has_exact(link, locale) && self.urls.get(link, locale).is_some() {
                    self.warnings.push(format!(
                        "`{}` [{locale}] links to `{link}`, which has no `{locale}` translation in Intercom: the link goes to the `{}` version",
                        da.path, self.dl
                    ));
                }
            }
            let have = article_locale(remote, locale, self.dl);
            let sent = article_sent_hash(want, &body);
            let rec = record.and_then(|r| r.locales.get(locale));
            let (local_changed, remote_changed) = match (&have, rec) {
                (Some(h), Some(rec)) => (sent != rec.sent, !seen_unchanged(h, rec)),
                (Some(h), None) => {
                    let pending = self
                        .state
                        .pending_articles
                        .get(&da.key)
                        .filter(|p| p.id.is_none())
                        .and_then(|p| p.locales.get(locale))
                        .filter(|p| p.expect == article_seen_fingerprint(h));
                    if let Some(p) = pending {
                        // Our own create whose outcome was never recorded.
                        (p.sent != sent, false)
                    } else {
                        let differs = !same_article_content(want, &body, h);
                        // Adopting an object a person made, whose content differs: drift.
                        (differs, differs && matches!(identity, Identity::Adopted(_)))
                    }
                }
                (None, Some(_)) => (true, true),
                (None, None) => (true, false),
            };
            if !local_changed && !remote_changed {
                continue;
            }
            let before = have.clone().unwrap_or_default();
            if have.is_some() && before.title != want.title && before.url.is_some() {
                self.warnings.push(format!(
                    "`{}` [{locale}]: the title changes, so the article's URL changes too (Intercom builds it from the title); links to the old URL from outside this help center may break",
                    da.path
                ));
            }
            // Which fields Intercom changed, when the recorded fingerprint tells (else all).
            let drifted = match (&have, rec) {
                (Some(h), Some(r)) if remote_changed => {
                    drift_fields::article(want, &body, h, &r.seen)
                }
                _ => None,
            };
            let remote_drift =
                |name: &str| remote_changed && drifted.as_ref().is_none_or(|d| d.contains(&name));
            let mut changed_any = false;
            let mut push = |name: &str, b: Option<String>, a: &str| {
                if b.as_deref() != Some(a) {
                    fields.push(field(
                        locale,
                        name,
                        b.as_deref(),
                        Some(a),
                        remote_drift(name),
                    ));
                    changed_any = true;
                }
            };
            let present = have.is_some();
            push("title", present.then(|| before.title.clone()), &want.title);
            push(
                "description",
                present.then(|| before.description.clone()),
                &want.description,
            );
            let before_text = present.then(|| self.readable(&before.body, locale));
            let after_text = self.readable(&body, locale);
            if before_text.as_deref() != Some(after_text.as_str()) {
                fields.push(field(
                    locale,
                    "body",
                    before_text.as_deref(),
                    Some(&after_text),
                    remote_drift("body"),
                ));
                changed_any = true;
            } else if local_changed
                && !remote_changed
                && rec.is_some_and(|r| body_sent_changed(&before, want, &body, &r.sent))
            {
                // Same readable text, different HTML: say what changed (an image, a link).
                let mut f = field(locale, "body", None, None, false);
                f.notes = body_diff::markup_notes(
                    &before.body,
                    &body,
                    self.desired.asset_base.as_deref(),
                );
                fields.push(f);
                changed_any = true;
            }
            let before_state = before.state.map(|s| s.as_str().to_owned());
            if present && before_state.as_deref() != Some(want.state.as_str()) {
                fields.push(field(
                    locale,
                    "state",
                    before_state.as_deref(),
                    Some(want.state.as_str()),
                    remote_drift("state"),
                ));
                changed_any = true;
            } else if !present {
                fields.push(field(
                    locale,
                    "state",
                    None,
                    Some(want.state.as_str()),
                    remote_changed,
                ));
                changed_any = true;
            }
            if present && before.author_id != Some(want.author_id) {
                let b = before.author_id.map(|a| a.to_string());
                fields.push(field(
                    locale,
                    "author",
                    b.as_deref(),
                    Some(&want.author_id.to_string()),
                    remote_drift("author"),
                ));
                changed_any = true;
            }
            if changed_any || local_changed {
                locales.push(locale.clone());
                drift |= remote_changed;
            }
        }
        if let Some(record) = record {
            for locale in record.locales.keys() {
                if da.locales.contains_key(locale) {
                    continue;
                }
                if let Some(have) = article_locale(remote, locale, self.dl)
                    && have.state == Some(crate::content::model::ArticleState::Published)
                {
                    fields.push(field(
                        locale,
                        "state",
                        Some("published"),
                        Some("draft"),
                        false,
                    ));
                    unpublish.push(locale.clone());
                }
            }
        }
        let want_parent = da.collection.as_ref().map(|p| self.collection_id(p));
        let parent_changed = match &want_parent {
            Some(None) => true,
            Some(Some(pid)) => remote.parent_id.as_deref() != Some(pid.as_str()),
            None => remote.parent_id.is_some(),
        };
        let mut parent_drift = false;
        if parent_changed {
            if want_parent.is_none() {
                self.error(
                    format!("`{}` moved to the root, but Intercom 2.12 cannot take an article out of its collection", da.path),
                    Some("keep the article in a collection directory, or delete it and create a new one"),
                );
            }
            parent_drift = record.is_some_and(|r| r.collection == da.collection)
                && !matches!(identity, Identity::Moved { .. });
            fields.push(FieldChange {
                locale: None,
                field: "collection".into(),
                before: Some(self.parent_label(remote.parent_id.as_deref())),
                after: Some(da.collection.clone().unwrap_or_else(|| "(none)".into())),
                drift: parent_drift,
                notes: Vec::new(),
            });
            drift |= parent_drift;
        }
        let action = match identity {
            Identity::Adopted(_) => Action::Adopt,
            Identity::Moved { .. } => Action::Move,
            _ if parent_changed && !parent_drift => Action::Move,
            _ if locales.is_empty() && !parent_changed && !unpublish.is_empty() => {
                Action::Unpublish
            }
            _ => Action::Update,
        };
        if action == Action::Update && locales.is_empty() && !parent_changed {
            self.unchanged += 1;
            return;
        }
        let mut all_locales = locales;
        all_locales.extend(unpublish);
        self.changes.push(Change {
            action,
            kind: ObjectKind::Article,
            key: da.key.clone(),
            id: Some(id.to_owned()),
            title,
            locales: all_locales,
            drift,
            needs_prune: false,
            previous_key: match identity {
                Identity::Moved { previous_key, .. } => Some(previous_key.clone()),
                _ => None,
            },
            parent_changed,
            fields,
            remote_updated_at: remote.updated_at,
        });
    }

    fn plan_deletes(&mut self) {
        let prune = self.options.prune || self.options.force_prune;
        let mut deletes = Vec::new();
        for key in &self.resolution.orphan_articles {
            match resource::orphan::<Articles>(self.state, &self.remote.articles, key, prune) {
                Some(Orphan::KeptAdopted { id }) => self.warnings.push(format!(
                    "article `{key}` (id {id}) is kept: its file is gone, but helpcenter adopted it from Intercom with different content (a person's work), so it never deletes it; delete it in Intercom if it should go"
                )),
                Some(Orphan::Delete(change)) => deletes.push(change),
                None => {}
            }
        }
        // Children first: deepest directories first.
        let mut orphan_collections = self.resolution.orphan_collections.clone();
        orphan_collections
            .sort_by_key(|k| std::cmp::Reverse(self.state.collections[k].dir.matches('/').count()));
        let managed_ids: BTreeSet<&str> = self
            .state
            .articles
            .values()
            .map(|r| r.id.as_str())
            .chain(self.state.collections.values().map(|r| r.id.as_str()))
            .collect();
        let mut kept: BTreeSet<String> = BTreeSet::new();
        for key in &orphan_collections {
            let record = &self.state.collections[key];
            if let Some(remote) = self.remote.collections.get(&record.id) {
                if record.adopted {
                    self.warnings.push(format!(
                        "collection `{key}` (id {}) is kept: its directory is gone, but helpcenter adopted it from Intercom with different content (a person's work), so it never deletes it; delete it in Intercom if it should go",
                        record.id
                    ));
                    kept.insert(record.id.clone());
                    continue;
                }
                let foreign = self.unmanaged_inside(&record.id, &managed_ids, &kept);
                if !foreign.is_empty() {
                    let shown = foreign
                        .iter()
                        .take(5)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ");
                    let more = foreign.len().saturating_sub(5);
                    self.warnings.push(format!(
                        "collection `{key}` (id {}) is kept: it holds {} object(s) helpcenter does not manage ({shown}{}), and deleting it would delete or move them; move or delete them in Intercom, then prune again",
                        record.id,
                        foreign.len(),
                        if more > 0 { format!(", and {more} more") } else { String::new() },
                    ));
                    kept.insert(record.id.clone());
                    continue;
                }
                deletes.push(resource::delete_change::<Collections>(
                    key, &record.id, remote, prune,
                ));
            }
        }
        let managed = self.state.articles.len() + self.state.collections.len();
        if let Some(problem) =
            resource::prune_guard(deletes.len(), managed, prune, self.options.force_prune)
        {
            self.errors.push(problem);
        }
        self.changes.extend(deletes);
    }
}

impl Planner<'_> {
    /// What collection `id` holds (at any depth) that helpcenter does not manage, or that
    /// is kept: articles and collections, as readable labels.
    fn unmanaged_inside(
        &self,
        id: &str,
        managed: &BTreeSet<&str>,
        kept: &BTreeSet<String>,
    ) -> Vec<String> {
        let mut inside: BTreeSet<&str> = BTreeSet::from([id]);
        loop {
            let before = inside.len();
            for c in self.remote.collections.values() {
                if c.parent_id.as_deref().is_some_and(|p| inside.contains(p)) {
                    inside.insert(c.id.as_str());
                }
            }
            if inside.len() == before {
                break;
            }
        }
        let mut foreign = Vec::new();
        for c in self.remote.collections.values() {
            if c.id != id
                && inside.contains(c.id.as_str())
                && (!managed.contains(c.id.as_str()) || kept.contains(&c.id))
            {
                foreign.push(format!("collection \"{}\" id {}", c.name, c.id));
            }
        }
        for a in self.remote.articles.values() {
            if a.parent_id.as_deref().is_some_and(|p| inside.contains(p))
                && !managed.contains(a.id.as_str())
            {
                foreign.push(format!("article \"{}\" id {}", a.title, a.id));
            }
        }
        foreign
    }

    /// Same-title twins of managed objects in the same parent that helpcenter does not
    /// manage (e.g. made by two runs that overlapped on different machines): a warning.
    fn warn_twins(&mut self) {
        let recorded: BTreeSet<&str> = self
            .state
            .articles
            .values()
            .map(|r| r.id.as_str())
            .chain(self.state.collections.values().map(|r| r.id.as_str()))
            .collect();
        let free = |id: &str| !recorded.contains(id) && !self.claimed.contains(id);
        let mut warnings = Vec::new();
        for (key, identity) in &self.resolution.collections {
            let Some(c) = identity.id().and_then(|id| self.remote.collections.get(id)) else {
                continue;
            };
            for twin in self.remote.collections.values().filter(|t| {
                t.id != c.id && t.name == c.name && t.parent_id == c.parent_id && free(&t.id)
            }) {
                warnings.push(format!(
                    "collection `{key}` (id {}) has a twin helpcenter does not manage: \"{}\" (id {}) in the same parent; if it is a duplicate (two applies that overlapped), delete it in Intercom",
                    c.id, twin.name, twin.id
                ));
            }
        }
        for (key, identity) in &self.resolution.articles {
            let Some(a) = identity.id().and_then(|id| self.remote.articles.get(id)) else {
                continue;
            };
            for twin in self.remote.articles.values().filter(|t| {
                t.id != a.id && t.title == a.title && t.parent_id == a.parent_id && free(&t.id)
            }) {
                warnings.push(format!(
                    "article `{key}` (id {}) has a twin helpcenter does not manage: \"{}\" (id {}) in the same collection; if it is a duplicate (two applies that overlapped), delete it in Intercom",
                    a.id, twin.title, twin.id
                ));
            }
        }
        self.warnings.extend(warnings);
    }

    /// Published bodies in Intercom that still hold `#helpcenter-key:` placeholders (a run
    /// failed or was interrupted before its link pass): readers see dead links until the
    /// next apply.
    fn warn_unresolved_links(&mut self) {
        let mut warnings = Vec::new();
        for da in &self.desired.articles {
            let Some(article) = self.resolution.articles[&da.key]
                .id()
                .and_then(|id| self.remote.articles.get(id))
            else {
                continue;
            };
            let locales: Vec<&str> = da
                .locales
                .keys()
                .map(String::as_str)
                .filter(|l| {
                    article_locale(article, l, self.dl).is_some_and(|h| {
                        h.state == Some(crate::content::model::ArticleState::Published)
                            && h.body.contains(crate::render::LINK_PLACEHOLDER)
                    })
                })
                .collect();
            if !locales.is_empty() {
                warnings.push(format!(
                    "`{}` [{}] (id {}) is published with unresolved `{}` links (an earlier apply failed or was interrupted before its link pass); `helpcenter apply` resolves them",
                    da.path,
                    locales.join(", "),
                    article.id,
                    crate::render::LINK_PLACEHOLDER
                ));
            }
        }
        self.warnings.extend(warnings);
    }
}

/// Where a desired object's parent collection is on the remote.
enum RemoteParent {
    TopLevel,
    Id(String),
    /// Created in this run: nothing under it exists yet, so nothing can be adopted there.
    NotYetCreated,
}

/// The position of the one item for which `pred` holds; `None` when none or several do
/// (an ambiguous move is not guessed: the object is adopted or created instead).
fn only_match(items: &[String], mut pred: impl FnMut(&str) -> bool) -> Option<usize> {
    let mut found = None;
    for (i, item) in items.iter().enumerate() {
        if pred(item) {
            if found.is_some() {
                return None;
            }
            found = Some(i);
        }
    }
    found
}

/// Whether the body we send differs from the last one sent, though the readable text is the
/// same: the recorded hash is recomputed with Intercom's current title, description, state
/// and author (unchanged since that write when there is no drift) and the new body.
fn body_sent_changed(
    have: &RemoteArticleLocale,
    want: &ArticleFields,
    body: &str,
    sent: &str,
) -> bool {
    let with_new_body = ArticleFields {
        title: have.title.clone(),
        description: have.description.clone(),
        body: String::new(),
        state: have.state.unwrap_or(want.state),
        author_id: have.author_id.unwrap_or(want.author_id),
        links: Vec::new(),
    };
    article_sent_hash(&with_new_body, body) != sent
}

/// For an object without a record: whether the remote already holds what we would send.
fn same_article_content(want: &ArticleFields, body: &str, have: &RemoteArticleLocale) -> bool {
    want.title == have.title
        && want.description == have.description
        && normalize(body) == normalize(&have.body)
        && Some(want.state) == have.state
        && Some(want.author_id) == have.author_id
}

fn field(
    locale: &str,
    name: &str,
    before: Option<&str>,
    after: Option<&str>,
    drift: bool,
) -> FieldChange {
    FieldChange {
        locale: Some(locale.to_owned()),
        field: name.to_owned(),
        before: before.map(str::to_owned),
        after: after.map(str::to_owned),
        drift,
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod raw_hash_tests {
    use super::*;
    use crate::content::model::ArticleState;

    fn remote(body: &str) -> RemoteArticleLocale {
        RemoteArticleLocale {
            title: "Title".into(),
            description: String::new(),
            body: body.into(),
            state: Some(ArticleState::Published),
            author_id: Some(7),
            url: None,
        }
    }

    fn recorded(have: &RemoteArticleLocale) -> LocaleRecord {
        LocaleRecord {
            sent: String::new(),
            seen: article_seen_fingerprint(have),
            raw: Some(article_raw_hash(have)),
            url: None,
        }
    }

    #[test]
    fn an_edited_body_is_seen_as_changed() {
        let record = recorded(&remote("<p>one</p>"));
        assert!(seen_unchanged(&remote("<p>one</p>"), &record));
        assert!(!seen_unchanged(&remote("<p>two</p>"), &record));
    }

    #[test]
    fn an_equivalent_rewrite_is_unchanged_through_the_fingerprint() {
        let record = recorded(&remote("<p>one</p>"));
        // Bytes differ (the raw hash misses), the canonical form does not.
        assert!(seen_unchanged(
            &remote("<p class=\"no-margin\">one</p>"),
            &record
        ));
    }

    #[test]
    fn records_without_a_raw_hash_fall_back_to_the_fingerprint() {
        let mut record = recorded(&remote("<p>one</p>"));
        record.raw = None;
        assert!(seen_unchanged(&remote("<p>one</p>"), &record));
        assert!(!seen_unchanged(&remote("<p>two</p>"), &record));
    }

    #[test]
    fn a_matching_raw_hash_skips_the_fingerprint() {
        let have = remote("<p>one</p>");
        let mut record = recorded(&have);
        // A stale `seen` (an older normaliser) is not consulted when the bytes are the same.
        record.seen = "0000000000000000".into();
        assert!(seen_unchanged(&have, &record));
    }
}
