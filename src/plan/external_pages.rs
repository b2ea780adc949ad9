//! The plan of a Fin target (`publish = "external_pages"`, API-NOTES §8): the desired pages
//! (one per article the target selects: its default-locale title and rendered body, links
//! between articles pointing at their `page_url`s), the remote pages of the target's Content
//! Import Source, and the diff between them, through the resource seam
//! ([`crate::plan::resource`]) like collections and articles. Pages are stored verbatim by
//! Intercom, so one hash of (title, html, url, availabilities) is both what was sent and what
//! Intercom holds.

use std::collections::{BTreeMap, BTreeSet};

use crate::content::config::FinPages;
use crate::plan::desired::{Desired, hash_fields};
use crate::plan::fingerprint::readable_text;
use crate::plan::model::{Action, Change, FieldChange, ObjectKind, Plan, Summary};
use crate::plan::resource::{self, Identity, Orphan, Resource};
use crate::remote::ai_content::{ContentImportSource, ExternalPage};
use crate::render::resolve_links;
use crate::state::journal::JournalEntry;
use crate::state::state_file::{PageRecord, PendingWrite, StateFile};

/// The only locale of an external page in 2.12.
pub const PAGE_LOCALE: &str = "en";

/// Fin external pages of one Content Import Source.
pub struct ExternalPages;

impl Resource for ExternalPages {
    const KIND: ObjectKind = ObjectKind::ExternalPage;
    type Remote = ExternalPage;
    type Record = PageRecord;

    fn records(state: &StateFile) -> &BTreeMap<String, PageRecord> {
        &state.external_pages
    }
    fn record_id(record: &PageRecord) -> &str {
        &record.id
    }
    fn record_adopted(record: &PageRecord) -> bool {
        record.adopted
    }
    fn remote_id(remote: &ExternalPage) -> &str {
        &remote.id
    }
    fn remote_title(remote: &ExternalPage) -> &str {
        &remote.title
    }
    fn remote_parent(_: &ExternalPage) -> Option<&str> {
        None
    }
    fn remote_updated_at(remote: &ExternalPage) -> Option<u64> {
        remote.updated_at
    }
    fn intent(key: String, write: PendingWrite) -> JournalEntry {
        JournalEntry::ExternalPageIntent { key, write }
    }
    fn refused(key: String) -> JournalEntry {
        JournalEntry::ExternalPageRefused { key }
    }
    fn forget(key: String) -> JournalEntry {
        JournalEntry::ForgetExternalPage { key }
    }
}

/// One page as it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredPage {
    /// The article key, sent as `external_id`.
    pub key: String,
    pub path: String,
    pub title: String,
    /// The rendered body, links resolved to `page_url`s.
    pub html: String,
    pub url: String,
    pub agent: bool,
    pub copilot: bool,
}

impl DesiredPage {
    /// The hash of what is sent (and, stored verbatim, of what Intercom then holds).
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.title, &self.html, &self.url, self.agent, self.copilot)
    }
}

/// The hash of one page's fields.
pub fn fingerprint(title: &str, html: &str, url: &str, agent: bool, copilot: bool) -> String {
    hash_fields(&[
        title,
        html,
        url,
        if agent { "agent" } else { "" },
        if copilot { "copilot" } else { "" },
    ])
}

/// The hash of a remote page, comparable with [`DesiredPage::fingerprint`].
pub fn remote_fingerprint(page: &ExternalPage) -> String {
    fingerprint(
        &page.title,
        &page.html,
        page.url.as_deref().unwrap_or_default(),
        page.ai_agent_availability,
        page.ai_copilot_availability,
    )
}

/// The desired pages of a Fin target, and warnings about links to articles it does not
/// publish (their `page_url` leads nowhere in Fin).
pub fn desired_pages(
    target: &str,
    desired: &Desired,
    fin: &FinPages,
    availability: impl Fn(&str) -> (bool, bool),
) -> (Vec<DesiredPage>, Vec<String>) {
    let keys: BTreeSet<&str> = desired.articles.iter().map(|a| a.key.as_str()).collect();
    let mut warnings = Vec::new();
    let pages = desired
        .articles
        .iter()
        .map(|a| {
            let fields = &a.locales[&desired.default_locale];
            for link in fields.links.iter().filter(|l| !keys.contains(l.as_str())) {
                warnings.push(format!(
                    "`{}` links to `{link}`, which target `{target}` does not publish: the link points at `{}`, which Fin has no page for",
                    a.path,
                    fin.url_of(link)
                ));
            }
            let (agent, copilot) = availability(&a.key);
            DesiredPage {
                key: a.key.clone(),
                path: a.path.clone(),
                title: fields.title.clone(),
                html: resolve_links(&fields.body, |key| Some(fin.url_of(key))),
                url: fin.url_of(&a.key),
                agent,
                copilot,
            }
        })
        .collect();
    (pages, warnings)
}

/// The remote side of a Fin target: its source (when it exists) and the source's pages by id.
#[derive(Debug, Clone, Default)]
pub struct PageView {
    pub source: Option<ContentImportSource>,
    pub pages: BTreeMap<String, ExternalPage>,
}

impl PageView {
    /// The target's source among `sources` (the recorded one when its URL still matches,
    /// else the `api` source whose URL is `source_url`), and its pages among `pages`.
    pub fn new(
        sources: &[ContentImportSource],
        pages: impl IntoIterator<Item = ExternalPage>,
        source_url: &str,
        recorded: Option<&str>,
    ) -> Self {
        let same = |a: &str| a.trim_end_matches('/') == source_url.trim_end_matches('/');
        let source = sources
            .iter()
            .find(|s| Some(s.id.as_str()) == recorded && same(&s.url))
            .or_else(|| sources.iter().find(|s| s.is_api() && same(&s.url)))
            .cloned();
        let pages = match &source {
            Some(s) => pages
                .into_iter()
                .filter(|p| p.source_id == s.id)
                .map(|p| (p.id.clone(), p))
                .collect(),
            None => BTreeMap::new(),
        };
        Self { source, pages }
    }
}

/// What apply needs beyond the plan: each page's identity and the orphaned records.
#[derive(Debug, Clone, Default)]
pub struct PageResolution {
    pub pages: BTreeMap<String, Identity>,
    pub orphans: Vec<String>,
}

/// What apply needs of a Fin target's plan, beside the plan.
#[derive(Debug, Clone)]
pub struct PagesWork {
    pub fin: FinPages,
    pub view: PageView,
    pub desired: Vec<DesiredPage>,
    pub resolution: PageResolution,
}

/// Settles the page writes an interrupted apply left pending: a write Intercom took (the page
/// of that key holds what was sent) becomes the page's record; any other is dropped (the plan
/// then compares the page with its record, or adopts it). Returns whether `state` changed.
pub fn settle_pending(state: &mut StateFile, view: &PageView) -> bool {
    if state.pending_external_pages.is_empty() {
        return false;
    }
    let pending = std::mem::take(&mut state.pending_external_pages);
    for (key, write) in pending {
        let Some(sent) = write.locales.get(PAGE_LOCALE) else {
            continue;
        };
        let landed = view.pages.values().find(|p| {
            let same_page = match &write.id {
                Some(id) => &p.id == id,
                None => p.external_id == key,
            };
            same_page && remote_fingerprint(p) == sent.expect
        });
        if let Some(page) = landed {
            let previous = state.external_pages.get(&key);
            let record = PageRecord {
                id: page.id.clone(),
                path: previous.map(|r| r.path.clone()).unwrap_or_default(),
                sent: sent.sent.clone(),
                seen: sent.expect.clone(),
                updated_at: page.updated_at,
                adopted: previous.is_some_and(|r| r.adopted),
            };
            state.external_pages.insert(key, record);
        }
    }
    true
}

/// A content hash of the desired pages (the stale-plan check).
pub fn content_hash(pages: &[DesiredPage]) -> String {
    let parts: Vec<String> = pages
        .iter()
        .flat_map(|p| [p.key.clone(), p.fingerprint()])
        .collect();
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    hash_fields(&refs)
}

/// The plan of a Fin target.
pub fn compute(
    target: &str,
    fin: &FinPages,
    pages: &[DesiredPage],
    view: &PageView,
    state: &StateFile,
    prune: bool,
    force_prune: bool,
) -> (Plan, PageResolution) {
    let mut changes = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let mut unchanged = 0;
    let mut resolution = PageResolution::default();
    if view.source.is_none() {
        warnings.push(format!(
            "the Content Import Source `{}` does not exist yet: apply creates it (`sync_behavior: \"api\"`)",
            fin.source_url
        ));
    }
    let recorded = resource::recorded_ids::<ExternalPages>(state);
    let mut claimed: BTreeSet<String> = BTreeSet::new();
    for page in pages {
        let recorded_id = state.external_pages.get(&page.key).map(|r| r.id.as_str());
        let identity = resource::identify(
            recorded_id,
            |id| view.pages.contains_key(id),
            || None,
            || {
                view.pages
                    .values()
                    .filter(|p| {
                        p.external_id == page.key
                            && !recorded.contains(&p.id)
                            && !claimed.contains(&p.id)
                    })
                    .map(|p| p.id.clone())
                    .min_by_key(|id| id.parse::<u64>().unwrap_or(u64::MAX))
            },
        );
        if let Some(id) = identity.id() {
            claimed.insert(id.to_owned());
        }
        if let Some(change) = diff_page(page, &identity, view, state) {
            changes.push(change);
        } else {
            unchanged += 1;
        }
        resolution.pages.insert(page.key.clone(), identity);
    }
    resolution.orphans =
        resource::orphan_keys::<ExternalPages>(state, pages.iter().map(|p| p.key.as_str()));
    let mut deletes = Vec::new();
    for key in &resolution.orphans {
        match resource::orphan::<ExternalPages>(state, &view.pages, key, prune || force_prune) {
            Some(Orphan::KeptAdopted { id }) => warnings.push(format!(
                "external page `{key}` (id {id}) is kept: its file is gone, but helpcenter adopted it from Intercom with different content (a person's work), so it never deletes it; delete it in Intercom if it should go"
            )),
            Some(Orphan::Delete(change)) => deletes.push(change),
            None => {}
        }
    }
    if let Some(problem) = resource::prune_guard(
        deletes.len(),
        state.external_pages.len(),
        prune || force_prune,
        force_prune,
    ) {
        errors.push(problem);
    }
    changes.extend(deletes);
    let mut plan = Plan {
        version: 1,
        target: target.to_owned(),
        help_center_id: None,
        content_hash: content_hash(pages),
        summary: Summary::default(),
        changes,
        warnings,
        errors,
        impact: BTreeMap::new(),
    };
    plan.summarize(unchanged);
    (plan, resolution)
}

/// The change of one page, `None` when it is up to date.
fn diff_page(
    page: &DesiredPage,
    identity: &Identity,
    view: &PageView,
    state: &StateFile,
) -> Option<Change> {
    let sent = page.fingerprint();
    let mut change = Change {
        action: Action::Create,
        kind: ObjectKind::ExternalPage,
        key: page.key.clone(),
        id: identity.id().map(str::to_owned),
        title: page.title.clone(),
        locales: vec![PAGE_LOCALE.to_owned()],
        drift: false,
        needs_prune: false,
        previous_key: None,
        parent_changed: false,
        fields: Vec::new(),
        remote_updated_at: None,
    };
    let Some(remote) = identity.id().and_then(|id| view.pages.get(id)) else {
        // New, or recorded but deleted outside the tool (drift: someone removed it).
        change.fields = fields(page, None, false);
        if *identity == Identity::Recreate {
            change.action = Action::Recreate;
            change.drift = true;
        }
        return Some(change);
    };
    change.remote_updated_at = remote.updated_at;
    let seen_now = remote_fingerprint(remote);
    // A write whose outcome was never recorded, which Intercom took: it is ours.
    let pending = state
        .pending_external_pages
        .get(&page.key)
        .and_then(|p| p.locales.get(PAGE_LOCALE))
        .filter(|p| p.expect == seen_now);
    let (local_changed, remote_changed) = match (state.external_pages.get(&page.key), pending) {
        (_, Some(p)) => (p.sent != sent, false),
        (Some(rec), None) => (rec.sent != sent, rec.seen != seen_now),
        (None, None) => {
            let differs = seen_now != sent;
            (differs, differs)
        }
    };
    let adopted = matches!(identity, Identity::Adopted(_));
    if !local_changed && !remote_changed {
        if !adopted {
            return None;
        }
        change.action = Action::Adopt;
        return Some(change);
    }
    change.action = if adopted {
        Action::Adopt
    } else {
        Action::Update
    };
    change.drift = remote_changed;
    change.fields = fields(page, Some(remote), remote_changed);
    Some(change)
}

/// The fields that differ between `remote` (absent: a create) and `page`.
fn fields(page: &DesiredPage, remote: Option<&ExternalPage>, drift: bool) -> Vec<FieldChange> {
    let flag = |b: bool| if b { "on" } else { "off" }.to_owned();
    let want = [
        ("title", page.title.clone()),
        ("body", readable_text(&page.html)),
        ("url", page.url.clone()),
        ("fin_agent", flag(page.agent)),
        ("fin_copilot", flag(page.copilot)),
    ];
    let have = remote.map(|r| {
        [
            r.title.clone(),
            readable_text(&r.html),
            r.url.clone().unwrap_or_default(),
            flag(r.ai_agent_availability),
            flag(r.ai_copilot_availability),
        ]
    });
    want.into_iter()
        .enumerate()
        .filter_map(|(i, (name, after))| {
            let before = have.as_ref().map(|h| h[i].clone());
            (before.as_deref() != Some(after.as_str())).then(|| FieldChange {
                locale: Some(PAGE_LOCALE.to_owned()),
                field: name.to_owned(),
                before,
                after: Some(after),
                drift,
                notes: Vec::new(),
            })
        })
        .collect()
}
