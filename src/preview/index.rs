//! The preview's in-memory index of the content tree: one [`Site`] snapshot, shared by every
//! request, refreshed when files change instead of re-read per page.
//!
//! In: the content root. Out: the current [`Site`] ([`Index::fresh`]) and a stream of
//! [`Refresh`]es (which articles changed) for the pages' live reload.
//!
//! How it stays current:
//! - file-system notifications (`notify`, recursive on the root; entries under hidden folders
//!   such as `.helpcenter/`, where the Changes view's sandbox writes, are ignored), debounced:
//!   a burst of events (an editor's save, a `git checkout`) is folded into one refresh once the
//!   tree is quiet for [`QUIET`] (at most [`MAX_WAIT`] after the first event);
//! - a request that arrives while events are waiting for their refresh waits for it, so a page
//!   loaded right after a save shows the save;
//! - a safety net for events not delivered yet (or lost: inotify queues can overflow): each
//!   request compares the modification times of the tree's folders, of `helpcenter.toml` and
//!   of the page's own files with those of the snapshot, and refreshes first when they differ.
//!
//! A refresh loads the tree again (front matter of every file, in parallel) but re-renders only
//! what can have changed: an article file whose content differs from the snapshot's, or every
//! file when the config, the set of articles (link targets) or a non-Markdown file (an image a
//! page points at) changed.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock, Weak, mpsc};
use std::time::{Duration, Instant, SystemTime};

use crate::content::model::{ArticleFile, Project};
use crate::diagnostics::Diagnostic;
use crate::preview::site::Site;
use crate::render::Rendered;

/// How long the tree must stay quiet before a burst of events is folded into a refresh.
pub const QUIET: Duration = Duration::from_millis(50);
/// The longest a burst delays its refresh.
pub const MAX_WAIT: Duration = Duration::from_millis(500);

/// What one refresh changed, for the live-reload stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refresh {
    /// Bumped by every refresh that changed something a page shows.
    pub generation: u64,
    /// Keys of the articles whose files, rendering or diagnostics changed (added and removed
    /// ones included).
    pub articles: Vec<String>,
    /// Whether anything beyond those articles changed (config, collections, diagnostics of
    /// files that are not articles): every page may show it.
    pub tree: bool,
}

/// The shared index. Dropping it stops the watcher.
pub struct Index {
    root: PathBuf,
    current: RwLock<Arc<Snapshot>>,
    /// One refresh at a time.
    refreshing: Mutex<()>,
    /// Relevant events received (a counter) and the count the current snapshot includes.
    events_seen: AtomicU64,
    applied: tokio::sync::watch::Sender<u64>,
    changes: tokio::sync::watch::Sender<Refresh>,
    watcher: Mutex<Option<notify::RecommendedWatcher>>,
}

/// One loaded tree with the stamps the per-request safety net compares.
struct Snapshot {
    site: Arc<Site>,
    /// Modification times of the root, every folder holding content and `helpcenter.toml`.
    dirs: Vec<(PathBuf, Option<SystemTime>)>,
    /// Modification time and length of every article file (relative path).
    files: HashMap<PathBuf, Stamp>,
    /// The article files as loaded, by (key, locale): what a refresh compares.
    sources: HashMap<(String, String), ArticleFile>,
}

type Stamp = (Option<SystemTime>, u64);

fn stamp(path: &Path) -> Stamp {
    match std::fs::metadata(path) {
        Ok(meta) => (meta.modified().ok(), meta.len()),
        Err(_) => (None, 0),
    }
}

/// What a request needs checked against the disk beyond the folders and `helpcenter.toml`.
enum Check {
    /// Nothing more (the home page, assets).
    Tree,
    /// The files of one article (its page).
    Article(String),
    /// Every file (the Changes view).
    EveryFile,
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl Index {
    /// Loads the tree under `root` and starts watching it. When the platform refuses a watch
    /// (e.g. the inotify limit), the index still works through the per-request checks; the
    /// reason is returned beside it.
    pub fn open(root: &Path) -> (Arc<Self>, Option<String>) {
        let (applied, _) = tokio::sync::watch::channel(0);
        let (changes, _) = tokio::sync::watch::channel(Refresh::default());
        let index = Arc::new(Self {
            root: root.to_path_buf(),
            current: RwLock::new(Arc::new(Snapshot::empty(root))),
            refreshing: Mutex::new(()),
            events_seen: AtomicU64::new(0),
            applied,
            changes,
            watcher: Mutex::new(None),
        });
        // Watch first, then load: an edit made during the first load is not lost.
        let warning = match index.start_watching() {
            Ok(()) => None,
            Err(e) => Some(format!(
                "cannot watch `{}` for changes ({e}): pages are refreshed when a request finds the tree changed",
                root.display()
            )),
        };
        index.refresh(true);
        (index, warning)
    }

    fn start_watching(self: &Arc<Self>) -> notify::Result<()> {
        use notify::Watcher as _;
        let (tx, rx) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = tx.send(event);
        })?;
        watcher.watch(&self.root, notify::RecursiveMode::Recursive)?;
        let weak = Arc::downgrade(self);
        std::thread::Builder::new()
            .name("preview-index".into())
            .spawn(move || debounce(&weak, &rx))
            .map_err(|e| notify::Error::generic(&e.to_string()))?;
        *self.watcher.lock().unwrap_or_else(PoisonError::into_inner) = Some(watcher);
        Ok(())
    }

    /// The live-reload stream: the latest [`Refresh`], updated after each refresh that changed
    /// something.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<Refresh> {
        self.changes.subscribe()
    }

    /// The current snapshot, made current first: waits for a refresh owed to events already
    /// received, and refreshes now when the folders, `helpcenter.toml` or the files of the
    /// article `key` (when given) differ from the snapshot.
    pub async fn fresh(self: &Arc<Self>, key: Option<&str>) -> Arc<Site> {
        let owed = self.events_seen.load(Ordering::SeqCst);
        let mut applied = self.applied.subscribe();
        // Returns at once when the snapshot already includes those events; an error means
        // the sender is gone, which cannot happen while `self` lives.
        let _ = applied.wait_for(|done| *done >= owed).await;
        let check = key.map_or(Check::Tree, |key| Check::Article(key.to_owned()));
        if self.snapshot().stale(&self.root, &check).is_some() {
            let index = Arc::clone(self);
            let _ = tokio::task::spawn_blocking(move || index.refresh_if_stale(&check)).await;
        }
        Arc::clone(&self.snapshot().site)
    }

    /// [`Index::fresh`] for a view of the whole tree (the Changes view, which plans every
    /// article): also checks every file's stamp, so a save whose notification has not arrived
    /// yet is still seen (one `stat` per file; the plan it feeds costs far more).
    pub async fn fresh_every_file(self: &Arc<Self>) -> Arc<Site> {
        let site = self.fresh(None).await;
        if self
            .snapshot()
            .stale(&self.root, &Check::EveryFile)
            .is_none()
        {
            return site;
        }
        let index = Arc::clone(self);
        let _ =
            tokio::task::spawn_blocking(move || index.refresh_if_stale(&Check::EveryFile)).await;
        Arc::clone(&self.snapshot().site)
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// [`Index::refresh`] unless a refresh that ran while this one waited for its turn already
    /// made the snapshot current (several requests finding the tree changed at once).
    fn refresh_if_stale(&self, check: &Check) {
        let one = self
            .refreshing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(full) = self.snapshot().stale(&self.root, check) {
            self.refresh_locked(full, &one);
        }
    }

    /// Loads the tree again and swaps the snapshot; `full` re-renders every file. Blocking.
    fn refresh(&self, full: bool) {
        let one = self
            .refreshing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.refresh_locked(full, &one);
    }

    /// [`Index::refresh`] with the refresh lock held (`_one`).
    fn refresh_locked(&self, full: bool, _one: &std::sync::MutexGuard<'_, ()>) {
        // Events counted from here on may not be in what is loaded below: they stay owed.
        let seen = self.events_seen.load(Ordering::SeqCst);
        let old = self.snapshot();
        let new = Arc::new(Snapshot::load(&self.root, &old, full));
        let refresh = changed(&old, &new);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = new;
        if let Some((articles, tree)) = refresh {
            self.changes.send_modify(|r| {
                r.generation += 1;
                r.articles = articles;
                r.tree = tree;
            });
        }
        self.applied.send_modify(|done| *done = (*done).max(seen));
    }
}

/// The watcher thread: folds bursts of events into refreshes until the index is dropped.
fn debounce(index: &Weak<Index>, rx: &mpsc::Receiver<notify::Result<notify::Event>>) {
    loop {
        let Ok(first) = rx.recv() else { return };
        let mut full = false;
        if !note(index, first, &mut full) {
            continue;
        }
        let started = Instant::now();
        loop {
            match rx.recv_timeout(QUIET) {
                Ok(event) => {
                    note(index, event, &mut full);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
            if started.elapsed() >= MAX_WAIT {
                break;
            }
        }
        let Some(index) = index.upgrade() else { return };
        index.refresh(full);
    }
}

/// Counts one event if it concerns content (not a hidden entry); sets `full` when it is not
/// about a Markdown file, or when the watcher lost track (an error, a rescan). Returns whether
/// it counted.
fn note(index: &Weak<Index>, event: notify::Result<notify::Event>, full: &mut bool) -> bool {
    let Some(index) = index.upgrade() else {
        return false;
    };
    let relevant = if let Ok(event) = event {
        let paths: Vec<&Path> = event
            .paths
            .iter()
            .filter_map(|p| p.strip_prefix(&index.root).ok())
            .filter(|rel| !is_hidden(rel))
            .collect();
        if event.need_rescan() {
            *full = true;
            true
        } else if matches!(event.kind, notify::EventKind::Access(_)) || paths.is_empty() {
            false
        } else {
            if paths
                .iter()
                .any(|p| p.extension().is_none_or(|e| e != "md"))
            {
                *full = true;
            }
            true
        }
    } else {
        // The watcher lost events: compare everything.
        *full = true;
        true
    };
    if relevant {
        index.events_seen.fetch_add(1, Ordering::SeqCst);
    }
    relevant
}

/// A path with a component starting with `.` (`.helpcenter/`, `.git/`, an editor's swap file).
fn is_hidden(rel: &Path) -> bool {
    rel.components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

impl Snapshot {
    fn empty(root: &Path) -> Self {
        Self {
            site: Arc::new(Site::from_parts(root, None, Vec::new(), HashMap::new())),
            dirs: Vec::new(),
            files: HashMap::new(),
            sources: HashMap::new(),
        }
    }

    /// Loads `root`, reusing the renderings of `old` that cannot have changed.
    fn load(root: &Path, old: &Snapshot, full: bool) -> Self {
        let loaded = crate::content::load(root);
        let project = loaded.project;
        let reuse = !full
            && match (&old.site.project, &project) {
                (Some(before), Some(now)) => same_context(before, now),
                _ => false,
            };
        let mut rendered = HashMap::new();
        let mut to_render = Vec::new();
        if let Some(project) = &project {
            for article in &project.articles {
                for (locale, file) in &article.locales {
                    let id = (article.key.clone(), locale.clone());
                    let kept = reuse
                        .then(|| old.sources.get(&id).filter(|f| *f == file))
                        .flatten()
                        .and_then(|_| old.site.rendered_shared(&id.0, &id.1));
                    match kept {
                        Some(r) => {
                            rendered.insert(id, Arc::clone(r));
                        }
                        None => to_render.push((article, file)),
                    }
                }
            }
            let fresh = render_in_parallel(project, &to_render);
            for ((article, file), r) in to_render.iter().zip(fresh) {
                rendered.insert((article.key.clone(), file.locale.clone()), Arc::new(r));
            }
        }
        let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
        dirs.insert(root.to_path_buf());
        let mut files = HashMap::new();
        let mut sources = HashMap::new();
        if let Some(project) = &project {
            for collection in &project.collections {
                dirs.insert(root.join(&collection.dir));
            }
            for article in &project.articles {
                for (locale, file) in &article.locales {
                    if let Some(parent) = root.join(&file.path).parent() {
                        dirs.insert(parent.to_path_buf());
                    }
                    files.insert(file.path.clone(), stamp(&root.join(&file.path)));
                    sources.insert((article.key.clone(), locale.clone()), file.clone());
                }
            }
        }
        dirs.insert(root.join("helpcenter.toml"));
        let dirs = dirs
            .into_iter()
            .map(|d| {
                let m = modified(&d);
                (d, m)
            })
            .collect();
        Self {
            site: Arc::new(Site::from_parts(
                root,
                project,
                loaded.diagnostics,
                rendered,
            )),
            dirs,
            files,
            sources,
        }
    }

    /// Whether the tree differs from this snapshot where a request can tell cheaply: `Some(full)`
    /// to refresh (`full` when a folder or the config changed), `None` when it looks the same.
    fn stale(&self, root: &Path, check: &Check) -> Option<bool> {
        if self.dirs.iter().any(|(path, at)| modified(path) != *at) {
            return Some(true);
        }
        let key = match check {
            Check::Tree => return None,
            Check::Article(key) => key,
            Check::EveryFile => {
                return self
                    .files
                    .iter()
                    .any(|(path, at)| stamp(&root.join(path)) != *at)
                    .then_some(false);
            }
        };
        let article = Some(key).and_then(|key| {
            self.site
                .project
                .as_ref()?
                .articles
                .iter()
                .find(|a| a.key == *key)
        })?;
        article
            .locales
            .values()
            .any(|file| self.files.get(&file.path) != Some(&stamp(&root.join(&file.path))))
            .then_some(false)
    }
}

/// Whether renderings made in `before` still hold in `now`: same config, same collections and
/// the same articles at the same paths in the same locales (the link targets).
fn same_context(before: &Project, now: &Project) -> bool {
    before.config == now.config
        && before.collections == now.collections
        && before.articles.len() == now.articles.len()
        && before.articles.iter().zip(&now.articles).all(|(b, n)| {
            b.key == n.key
                && b.path == n.path
                && b.collection == n.collection
                && b.locales.keys().eq(n.locales.keys())
        })
}

/// What changed from `old` to `new`: the articles whose files, renderings or diagnostics
/// differ, and whether anything else a page shows did; `None` when nothing did.
fn changed(old: &Snapshot, new: &Snapshot) -> Option<(Vec<String>, bool)> {
    let mut articles = BTreeSet::new();
    let keys = |s: &Snapshot| {
        s.sources
            .keys()
            .map(|(k, _)| k.clone())
            .collect::<BTreeSet<_>>()
    };
    let (old_keys, new_keys) = (keys(old), keys(new));
    articles.extend(old_keys.symmetric_difference(&new_keys).cloned());
    for (id, file) in &new.sources {
        let same = old.sources.get(id) == Some(file)
            && old.site.rendered(&id.0, &id.1) == new.site.rendered(&id.0, &id.1);
        if !same {
            articles.insert(id.0.clone());
        }
    }
    let structure = |s: &Snapshot| {
        s.site
            .project
            .as_ref()
            .map(|p| (p.config.clone(), p.collections.clone()))
    };
    let mut tree = structure(old) != structure(new);
    // Diagnostics: those of an article file name that article; any other is the tree's.
    let path_to_key: HashMap<&Path, &str> = new
        .sources
        .iter()
        .chain(&old.sources)
        .map(|((key, _), file)| (file.path.as_path(), key.as_str()))
        .collect();
    let identity = |d: &Diagnostic| {
        (
            d.path.clone(),
            d.line,
            d.column,
            d.code,
            d.message.clone(),
            d.hint.clone(),
            d.is_error(),
        )
    };
    let old_d: BTreeSet<_> = old.site.diagnostics.iter().map(identity).collect();
    let new_d: BTreeSet<_> = new.site.diagnostics.iter().map(identity).collect();
    for d in old_d.symmetric_difference(&new_d) {
        match d.0.as_deref().and_then(|p| path_to_key.get(p)) {
            Some(key) => {
                articles.insert((*key).to_owned());
            }
            None => tree = true,
        }
    }
    (tree || !articles.is_empty()).then(|| (articles.into_iter().collect(), tree))
}

/// Renders `files` on up to `available_parallelism` threads, in order.
fn render_in_parallel(
    project: &Project,
    files: &[(&crate::content::model::LocalArticle, &ArticleFile)],
) -> Vec<Rendered> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let chunk = files.len().div_ceil(threads).max(16);
    if files.len() <= chunk {
        return files
            .iter()
            .map(|(article, file)| crate::render::render_article(project, article, file))
            .collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(article, file)| {
                            crate::render::render_article(project, article, file)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(part) => part,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "helpcenter.toml",
            "default_locale = \"en\"\nlocales = [\"en\"]\n",
        );
        write("guides/_collection.yml", "name: Guides\n");
        write("guides/a.md", "---\ntitle: A\n---\nSee [B](b.md).\n");
        write("guides/b.md", "---\ntitle: B\n---\nBody of B.\n");
        dir
    }

    fn html(site: &Site, key: &str) -> String {
        site.rendered(key, "en").unwrap().html.clone()
    }

    #[test]
    fn a_refresh_re_renders_only_the_file_that_changed() {
        let dir = tree();
        let first = Snapshot::load(dir.path(), &Snapshot::empty(dir.path()), true);
        std::fs::write(
            dir.path().join("guides/b.md"),
            "---\ntitle: B\n---\nNew body of B.\n",
        )
        .unwrap();
        let second = Snapshot::load(dir.path(), &first, false);
        assert!(html(&second.site, "guides/b").contains("New body of B."));
        assert_eq!(
            html(&second.site, "guides/a"),
            html(&first.site, "guides/a")
        );
        assert_eq!(
            changed(&first, &second),
            Some((vec!["guides/b".to_owned()], false))
        );
        assert_eq!(changed(&second, &second), None);
    }

    #[test]
    fn removing_a_link_target_re_renders_the_articles_pointing_at_it() {
        let dir = tree();
        let first = Snapshot::load(dir.path(), &Snapshot::empty(dir.path()), true);
        assert!(
            first.site.error_count() == 0,
            "{:?}",
            first.site.diagnostics
        );
        std::fs::remove_file(dir.path().join("guides/b.md")).unwrap();
        let second = Snapshot::load(dir.path(), &first, false);
        assert!(second.site.rendered("guides/b", "en").is_none());
        assert!(
            second
                .site
                .diagnostics
                .iter()
                .any(|d| d.code == "link-broken"),
            "{:?}",
            second.site.diagnostics
        );
        let (articles, _) = changed(&first, &second).unwrap();
        assert_eq!(articles, ["guides/a", "guides/b"]);
    }

    #[test]
    fn the_request_check_sees_a_new_file_and_an_edited_page() {
        let dir = tree();
        let first = Snapshot::load(dir.path(), &Snapshot::empty(dir.path()), true);
        let page = |key: &str| Check::Article(key.to_owned());
        assert_eq!(first.stale(dir.path(), &page("guides/a")), None);
        assert_eq!(first.stale(dir.path(), &Check::EveryFile), None);
        std::fs::write(
            dir.path().join("guides/a.md"),
            "---\ntitle: A2\n---\nLonger body.\n",
        )
        .unwrap();
        assert_eq!(first.stale(dir.path(), &page("guides/a")), Some(false));
        assert_eq!(first.stale(dir.path(), &page("guides/b")), None);
        // Not seen by a view of one other page or of the tree alone, seen by the Changes view.
        assert_eq!(first.stale(dir.path(), &Check::Tree), None);
        assert_eq!(first.stale(dir.path(), &Check::EveryFile), Some(false));
        // A new entry changes the folder's modification time; the pause lets the file-system
        // clock (coarse, a few ms) move past the snapshot's.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(dir.path().join("guides/c.md"), "---\ntitle: C\n---\n").unwrap();
        assert_eq!(first.stale(dir.path(), &Check::Tree), Some(true));
    }

    #[test]
    fn hidden_entries_are_not_content() {
        assert!(is_hidden(Path::new(".helpcenter/local.sandbox.db")));
        assert!(is_hidden(Path::new("guides/.a.md.swp")));
        assert!(!is_hidden(Path::new("guides/a.md")));
    }
}
