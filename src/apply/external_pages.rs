//! Executes the plan of a Fin target: the Content Import Source found or created first
//! (a lost create response is reconciled by listing the sources by URL before re-sending),
//! then the pages upserted by `external_id` (an idempotent call: the client re-sends it after
//! a lost response or a 5xx), then deletes. Every write's intent is journaled before it is
//! sent and its outcome after, as for articles.

use std::sync::Mutex;

use futures::StreamExt;
use futures::stream;

use crate::apply::executor::{Failure, Report, journal_outcome};
use crate::apply::progress::Progress;
use crate::apply::resource::Execute;
use crate::plan::external_pages::{
    DesiredPage, ExternalPages, PAGE_LOCALE, PagesWork, remote_fingerprint,
};
use crate::plan::model::{Action, Change, ObjectKind, Plan};
use crate::plan::resource::{self, Resource};
use crate::remote::ai_content::{CreateContentImportSource, UpsertExternalPage};
use crate::remote::{Client, RemoteError};
use crate::state::journal::{JournalEntry, Recorder};
use crate::state::state_file::{PageRecord, PendingLocale, PendingWrite};
use crate::test_hooks;

/// How many times a lost source create is reconciled (look, then re-send).
const RECONCILE_ROUNDS: usize = 6;

impl Execute for ExternalPages {
    fn delete(
        client: &Client,
        id: &str,
    ) -> impl std::future::Future<Output = Result<(), RemoteError>> + Send {
        client.delete_external_page(id)
    }
}

/// Everything the pages executor reads.
pub struct PagesExecutor<'a> {
    pub client: &'a Client,
    pub plan: &'a Plan,
    pub work: &'a PagesWork,
    pub concurrency: usize,
    pub progress: &'a Progress,
}

struct Shared {
    recorder: Recorder,
    report: Report,
    journal_broken: bool,
}

impl PagesExecutor<'_> {
    /// Runs the plan's changes; returns the report and the recorder (the caller saves it).
    pub async fn run(&self, recorder: Recorder) -> (Report, Recorder) {
        let shared = Mutex::new(Shared {
            recorder,
            report: Report::default(),
            journal_broken: false,
        });
        let writes: Vec<(&Change, &DesiredPage)> = self
            .plan
            .changes
            .iter()
            .filter(|c| c.kind == ObjectKind::ExternalPage && c.action != Action::Delete)
            .filter_map(|c| {
                self.work
                    .desired
                    .iter()
                    .find(|p| p.key == c.key)
                    .map(|p| (c, p))
            })
            .collect();
        if !writes.is_empty() {
            match self.source(&shared).await {
                Ok(source_id) => {
                    stream::iter(writes)
                        .for_each_concurrent(self.concurrency.max(1), |(change, page)| {
                            self.write_page(&shared, &source_id, change, page)
                        })
                        .await;
                }
                Err(message) => {
                    for (change, _) in writes {
                        self.fail(&shared, &change.key, message.clone());
                    }
                }
            }
        }
        let deletes: Vec<&Change> = self
            .plan
            .changes
            .iter()
            .filter(|c| {
                c.kind == ObjectKind::ExternalPage && c.action == Action::Delete && !c.needs_prune
            })
            .collect();
        stream::iter(deletes)
            .for_each_concurrent(self.concurrency.max(1), |change| {
                self.delete_page(&shared, change)
            })
            .await;
        let vanished = {
            let s = shared.lock().expect("lock");
            resource::vanished::<ExternalPages>(
                &s.recorder.state,
                &self.work.resolution.orphans,
                &self.work.view.pages,
            )
        };
        for key in vanished {
            journal(&shared, ExternalPages::forget(key));
        }
        let shared = shared.into_inner().expect("lock");
        (shared.report, shared.recorder)
    }

    fn fail(&self, shared: &Mutex<Shared>, key: &str, message: String) {
        self.progress
            .failed(ObjectKind::ExternalPage, key, &message);
        shared.lock().expect("lock").report.failures.push(Failure {
            kind: ObjectKind::ExternalPage,
            key: key.to_owned(),
            message,
        });
    }

    fn halted(&self, shared: &Mutex<Shared>, key: &str) -> bool {
        if super::interrupt::requested() {
            // Ctrl-C: nothing new is sent; what is in flight finishes and is recorded.
            return true;
        }
        if !shared.lock().expect("lock").journal_broken {
            return false;
        }
        self.fail(
            shared,
            key,
            "not sent: the state journal cannot be written".into(),
        );
        true
    }

    /// The id of the target's source: the one listed, else created (journaled before it is
    /// sent as nothing else is: a source found by URL on the next run is the same source).
    async fn source(&self, shared: &Mutex<Shared>) -> Result<String, String> {
        if let Some(source) = &self.work.view.source {
            if shared
                .lock()
                .expect("lock")
                .recorder
                .state
                .content_import_source_id
                .as_deref()
                != Some(source.id.as_str())
            {
                journal(
                    shared,
                    JournalEntry::ContentImportSource {
                        id: source.id.clone(),
                    },
                );
            }
            return Ok(source.id.clone());
        }
        let url = &self.work.fin.source_url;
        let same = |a: &str| a.trim_end_matches('/') == url.trim_end_matches('/');
        for _ in 0..RECONCILE_ROUNDS {
            match self
                .client
                .create_content_import_source(&CreateContentImportSource::api(url.clone()))
                .await
            {
                Ok(source) => {
                    test_hooks::write_answered();
                    journal(
                        shared,
                        JournalEntry::ContentImportSource {
                            id: source.id.clone(),
                        },
                    );
                    return Ok(source.id);
                }
                Err(e) if e.is_outcome_unknown() || e.status().is_some_and(|s| s >= 500) => {
                    // The source may exist now: look before sending again.
                    let listed = self
                        .client
                        .list_content_import_sources()
                        .await
                        .map_err(|e| format!("the Content Import Source could not be created and the sources could not be listed to check: {e}"))?;
                    if let Some(found) = listed.iter().find(|s| s.is_api() && same(&s.url)) {
                        journal(
                            shared,
                            JournalEntry::ContentImportSource {
                                id: found.id.clone(),
                            },
                        );
                        shared.lock().expect("lock").report.reconciled += 1;
                        return Ok(found.id.clone());
                    }
                }
                Err(e) => {
                    return Err(format!(
                        "the Content Import Source `{url}` could not be created: {e}"
                    ));
                }
            }
        }
        Err(format!(
            "the Content Import Source `{url}` could not be created: its create response was lost several times; run `helpcenter plan` to see what Intercom holds"
        ))
    }

    async fn write_page(
        &self,
        shared: &Mutex<Shared>,
        source_id: &str,
        change: &Change,
        page: &DesiredPage,
    ) {
        let sent = page.fingerprint();
        let record_of = |id: &str, seen: String, updated_at: Option<u64>| {
            let s = shared.lock().expect("lock");
            let previous = s.recorder.state.external_pages.get(&page.key);
            PageRecord {
                id: id.to_owned(),
                path: page.path.clone(),
                sent: sent.clone(),
                seen,
                updated_at,
                adopted: previous.is_some_and(|r| r.adopted)
                    || (change.action == Action::Adopt && change.drift),
            }
        };
        // Adopted with the same content: record it, nothing to send.
        if change.action == Action::Adopt
            && !change.drift
            && let Some(remote) = change
                .id
                .as_deref()
                .and_then(|id| self.work.view.pages.get(id))
        {
            let record = record_of(&remote.id, remote_fingerprint(remote), remote.updated_at);
            journal(
                shared,
                JournalEntry::ExternalPage {
                    key: page.key.clone(),
                    record,
                },
            );
            self.done(shared, change, &remote.id);
            return;
        }
        if self.halted(shared, &page.key) {
            return;
        }
        let intent = ExternalPages::intent(
            page.key.clone(),
            PendingWrite {
                id: change.id.clone(),
                locales: [(
                    PAGE_LOCALE.to_owned(),
                    PendingLocale {
                        sent: sent.clone(),
                        expect: sent.clone(),
                    },
                )]
                .into(),
            },
        );
        if !journal(shared, intent) && self.halted(shared, &page.key) {
            return;
        }
        let mut req = UpsertExternalPage::new(
            source_id.to_owned(),
            page.key.clone(),
            page.title.clone(),
            page.html.clone(),
        );
        req.url = Some(page.url.clone());
        req.ai_agent_availability = Some(page.agent);
        req.ai_copilot_availability = Some(page.copilot);
        match self.client.upsert_external_page(&req).await {
            Ok(answered) => {
                test_hooks::write_answered();
                let record = record_of(
                    &answered.id,
                    remote_fingerprint(&answered),
                    answered.updated_at,
                );
                journal(
                    shared,
                    JournalEntry::ExternalPage {
                        key: page.key.clone(),
                        record,
                    },
                );
                self.done(shared, change, &answered.id);
            }
            Err(e) => {
                // A 4xx was not applied; after a 5xx or a lost response the intent stays
                // pending and the next plan settles it (the upsert is keyed by external_id).
                if e.status().is_some_and(|s| (400..500).contains(&s)) {
                    journal(shared, ExternalPages::refused(page.key.clone()));
                }
                self.fail(shared, &page.key, e.to_string());
            }
        }
    }

    async fn delete_page(&self, shared: &Mutex<Shared>, change: &Change) {
        let id = change.id.as_deref().expect("delete has an id");
        if self.halted(shared, &change.key) {
            return;
        }
        match ExternalPages::delete(self.client, id).await {
            Ok(()) => {
                test_hooks::write_answered();
                journal(shared, ExternalPages::forget(change.key.clone()));
                self.done(shared, change, id);
            }
            Err(e) if e.is_not_found() => {
                journal(shared, ExternalPages::forget(change.key.clone()));
                self.done(shared, change, id);
            }
            Err(e) => self.fail(shared, &change.key, e.to_string()),
        }
    }

    fn done(&self, shared: &Mutex<Shared>, change: &Change, id: &str) {
        self.progress.done(change, id);
        shared.lock().expect("lock").report.done += 1;
    }
}

/// Journals one entry (fsynced before it returns); false when the journal cannot be written
/// (then nothing more is sent).
fn journal(shared: &Mutex<Shared>, entry: JournalEntry) -> bool {
    let mut guard = shared.lock().expect("lock");
    let s = &mut *guard;
    let written = s.recorder.record(entry);
    journal_outcome(
        &mut s.journal_broken,
        &mut s.report,
        ObjectKind::ExternalPage,
        written,
    )
}
