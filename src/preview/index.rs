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
//! A refresh reads again only what can have changed. When the events (or the request's check)
//! name only Markdown files and a walk of the tree finds the same files as the snapshot's, it
//! re-reads and re-renders those files alone (`content::loader::reload_files`, which gives
//! what a full load would). Otherwise it loads the whole tree (front matter of every file, in
//! parallel) and re-renders the article files whose content differs from the snapshot's, or
//! every file when the config, the set of articles (link targets) or a non-Markdown file (an
//! image a page points at) changed.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock, Weak, mpsc};
use std::time::{Duration, Instant, SystemTime};

use crate::content::model::{ArticleFile, LocalArticle, Project};
use crate::content::walk;
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
    /// Modification time and length of every Markdown file of the tree (relative path), taken
    /// before it was read.
    files: HashMap<PathBuf, Stamp>,
    /// The files of the tree as walked before the load (`None` without a usable config): a
    /// refresh of a few files compares a new walk with it.
    tree: Option<Arc<walk::Tree>>,
    /// The loader's diagnostics (without the renderer's), what a refresh of a few files
    /// starts from.
    load_diagnostics: Vec<Diagnostic>,
    /// The Markdown files this snapshot read again alone (the only ones that can differ from
    /// the snapshot before); `None` when it loaded the tree.
    read_alone: Option<BTreeSet<PathBuf>>,
}

/// What a refresh must read again.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    /// The contents of these Markdown files (relative paths), and nothing else as far as the
    /// events or the check can tell: only they are read again when the tree still holds the
    /// same files, else everything is loaded (renderings of unchanged files kept).
    Files(BTreeSet<PathBuf>),
    /// Anything (the config, a folder, an image, lost events): load and render everything.
    Everything,
}

impl Change {
    /// Adds what `other` names to `self`.
    fn add(&mut self, other: Change) {
        match (&mut *self, other) {
            (Change::Files(mine), Change::Files(theirs)) => mine.extend(theirs),
            (Change::Everything, _) => {}
            (_, Change::Everything) => *self = Change::Everything,
        }
    }
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
        index.refresh(&Change::Everything);
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
        if let Some(change) = self.snapshot().stale(&self.root, check) {
            self.refresh_locked(&change, &one);
        }
    }

    /// Reads again what `change` names and swaps the snapshot. Blocking.
    fn refresh(&self, change: &Change) {
        let one = self
            .refreshing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.refresh_locked(change, &one);
    }

    /// [`Index::refresh`] with the refresh lock held (`_one`).
    fn refresh_locked(&self, change: &Change, _one: &std::sync::MutexGuard<'_, ()>) {
        // Events counted from here on may not be in what is loaded below: they stay owed.
        let seen = self.events_seen.load(Ordering::SeqCst);
        let old = self.snapshot();
        let new = Arc::new(Snapshot::load(&self.root, &old, change));
        let refresh = changed(&old, &new);
        // The generation the event below carries (refreshes run one at a time).
        let generation = refresh
            .as_ref()
            .map(|_| self.changes.borrow().generation + 1);
        log_refresh(new.read_alone.as_ref().map(BTreeSet::len), generation);
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

/// `HELPCENTER_TEST_REFRESH_LOG` (debug builds only, like `crate::test_hooks`): each refresh
/// prints on stderr whether it read a few files alone or loaded the tree, and the generation of
/// the `refresh` event it sends (`-` for none), so the integration tests can tell which way an
/// edit went without timing it.
fn log_refresh(read_alone: Option<usize>, generation: Option<u64>) {
    #[cfg(debug_assertions)]
    if std::env::var_os("HELPCENTER_TEST_REFRESH_LOG").is_some() {
        let generation = generation.map_or_else(|| "-".to_owned(), |g| g.to_string());
        let how = read_alone.map_or_else(
            || "loaded the tree".to_owned(),
            |n| format!("read {n} file(s) alone"),
        );
        #[allow(clippy::print_stderr)]
        {
            eprintln!("test hook: refresh {how}, generation {generation}");
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = (read_alone, generation);
}

/// The watcher thread: folds bursts of events into refreshes until the index is dropped.
fn debounce(index: &Weak<Index>, rx: &mpsc::Receiver<notify::Result<notify::Event>>) {
    loop {
        let Ok(first) = rx.recv() else { return };
        let mut change = Change::Files(BTreeSet::new());
        if !note(index, first, &mut change) {
            continue;
        }
        let started = Instant::now();
        loop {
            match rx.recv_timeout(QUIET) {
                Ok(event) => {
                    note(index, event, &mut change);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
            if started.elapsed() >= MAX_WAIT {
                break;
            }
        }
        let Some(index) = index.upgrade() else { return };
        index.refresh(&change);
    }
}

/// Counts one event if it concerns content (not a hidden entry) and adds its paths to
/// `change`: [`Change::Everything`] when one is not a Markdown file, or when the watcher lost
/// track (an error, a rescan). Returns whether it counted.
fn note(index: &Weak<Index>, event: notify::Result<notify::Event>, change: &mut Change) -> bool {
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
            change.add(Change::Everything);
            true
        } else if matches!(event.kind, notify::EventKind::Access(_)) || paths.is_empty() {
            false
        } else {
            if paths
                .iter()
                .any(|p| p.extension().is_none_or(|e| e != "md"))
            {
                change.add(Change::Everything);
            } else {
                change.add(Change::Files(
                    paths.iter().map(|p| p.to_path_buf()).collect(),
                ));
            }
            true
        }
    } else {
        // The watcher lost events: compare everything.
        change.add(Change::Everything);
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
            tree: None,
            load_diagnostics: Vec::new(),
            read_alone: None,
        }
    }

    /// The tree after `change`: only the named files read again when that is enough, else
    /// everything loaded, reusing the renderings of `old` that cannot have changed.
    fn load(root: &Path, old: &Snapshot, change: &Change) -> Self {
        if let Change::Files(paths) = change
            && let Some(snapshot) = Self::reload(root, old, paths)
        {
            return snapshot;
        }
        Self::load_all(root, old, *change == Change::Everything)
    }

    /// Reads again only the Markdown files `paths`, when the tree holds the same files as
    /// `old` and the loader can tell their effect alone; `None` otherwise. The tree holds the
    /// same files when every path is one of its Markdown files and no folder of the snapshot
    /// changed (an entry added, removed or renamed changes its folder's time; one elsewhere is
    /// named by its own event, a path the snapshot does not know), else when a walk finds the
    /// same files (an editor's save written aside and renamed over the file).
    fn reload(root: &Path, old: &Snapshot, paths: &BTreeSet<PathBuf>) -> Option<Self> {
        let project = old.site.project.as_ref()?;
        let old_tree = old.tree.as_ref()?;
        // Stamps before the walk and the reads: a save after them is seen by the next check.
        let dirs: Vec<(PathBuf, Option<SystemTime>)> = old
            .dirs
            .iter()
            .map(|(dir, _)| (dir.clone(), modified(dir)))
            .collect();
        let stamps: Vec<(&PathBuf, Stamp)> =
            paths.iter().map(|p| (p, stamp(&root.join(p)))).collect();
        let known = paths.iter().all(|p| old.files.contains_key(p)) && dirs == old.dirs;
        let tree = if known {
            Arc::clone(old_tree)
        } else {
            let tree = walk::walk(root, &walk::exclude_set(&project.config.exclude));
            if tree != **old_tree {
                return None;
            }
            Arc::new(tree)
        };
        let mut files = old.files.clone();
        for (path, at) in stamps {
            if let Some(slot) = files.get_mut(path) {
                *slot = at;
            }
        }
        // Markdown files the walk leaves out (a README, an excluded or ignored file) are not
        // content.
        let paths: BTreeSet<PathBuf> = paths
            .iter()
            .filter(|p| old.files.contains_key(*p))
            .cloned()
            .collect();
        if paths.is_empty() {
            return Some(Self {
                site: Arc::clone(&old.site),
                dirs,
                files,
                tree: Some(tree),
                load_diagnostics: old.load_diagnostics.clone(),
                read_alone: Some(BTreeSet::new()),
            });
        }
        let loaded =
            crate::content::loader::reload_files(root, project, &old.load_diagnostics, &paths)?;
        let project = loaded.project?;
        let rendered = renderings(&project, |article, file| {
            if paths.contains(&file.path) {
                None
            } else {
                old.site
                    .rendered_shared(&article.key, &file.locale)
                    .cloned()
            }
        });
        let site = Arc::new(Site::from_parts(
            root,
            Some(project),
            loaded.diagnostics.clone(),
            rendered,
        ));
        Some(Self {
            site,
            dirs,
            files,
            tree: Some(tree),
            load_diagnostics: loaded.diagnostics,
            read_alone: Some(paths),
        })
    }

    /// Loads the whole tree; `full` renders every file again, else only those whose content,
    /// or whose context (config, collections, articles), changed since `old`.
    fn load_all(root: &Path, old: &Snapshot, full: bool) -> Self {
        // The walk and the stamps come first: what changes after them is seen as a change.
        let (config, _) = crate::content::config::load_with_warnings(root);
        let tree = config.map(|c| Arc::new(walk::walk(root, &walk::exclude_set(&c.exclude))));
        let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
        dirs.insert(root.to_path_buf());
        dirs.insert(root.join("helpcenter.toml"));
        let mut files = HashMap::new();
        if let Some(tree) = tree.as_deref() {
            for dir in &tree.collection_dirs {
                dirs.insert(root.join(dir));
            }
            for rel in &tree.markdown {
                if let Some(parent) = root.join(rel).parent() {
                    dirs.insert(parent.to_path_buf());
                }
                files.insert(rel.clone(), stamp(&root.join(rel)));
            }
        }
        let dirs = dirs
            .into_iter()
            .map(|d| {
                let m = modified(&d);
                (d, m)
            })
            .collect();
        let loaded = crate::content::load(root);
        let project = loaded.project;
        let reuse = !full
            && match (&old.site.project, &project) {
                (Some(before), Some(now)) => same_context(before, now),
                _ => false,
            };
        let before = old.site.project.as_ref().map(article_files);
        let rendered = match &project {
            Some(project) => renderings(project, |article, file| {
                let id = (article.key.as_str(), file.locale.as_str());
                let unchanged = before
                    .as_ref()
                    .and_then(|b| b.get(&id))
                    .is_some_and(|f| *f == file);
                (reuse && unchanged)
                    .then(|| {
                        old.site
                            .rendered_shared(&article.key, &file.locale)
                            .cloned()
                    })
                    .flatten()
            }),
            None => HashMap::new(),
        };
        Self {
            site: Arc::new(Site::from_parts(
                root,
                project,
                loaded.diagnostics.clone(),
                rendered,
            )),
            dirs,
            files,
            tree,
            load_diagnostics: loaded.diagnostics,
            read_alone: None,
        }
    }

    /// Whether the tree differs from this snapshot where a request can tell cheaply: the
    /// [`Change`] to refresh with, `None` when it looks the same.
    fn stale(&self, root: &Path, check: &Check) -> Option<Change> {
        if self.dirs.iter().any(|(path, at)| modified(path) != *at) {
            return Some(Change::Everything);
        }
        let differs = |path: &&PathBuf| self.files.get(*path) != Some(&stamp(&root.join(path)));
        let changed: BTreeSet<PathBuf> = match check {
            Check::Tree => return None,
            Check::Article(key) => {
                let article = self
                    .site
                    .outline()
                    .and_then(|o| o.article(key))
                    .and_then(|i| self.site.project.as_ref().map(|p| &p.articles[i]))?;
                article
                    .locales
                    .values()
                    .map(|f| &f.path)
                    .filter(differs)
                    .cloned()
                    .collect()
            }
            Check::EveryFile => self.files.keys().filter(differs).cloned().collect(),
        };
        (!changed.is_empty()).then_some(Change::Files(changed))
    }
}

/// The article files of `project` by (key, locale).
fn article_files(project: &Project) -> HashMap<(&str, &str), &ArticleFile> {
    project
        .articles
        .iter()
        .flat_map(|a| {
            a.locales
                .iter()
                .map(move |(locale, file)| ((a.key.as_str(), locale.as_str()), file))
        })
        .collect()
}

/// Every article file's rendering: `kept` gives the one to reuse, the others are rendered (in
/// parallel).
fn renderings(
    project: &Project,
    kept: impl Fn(&LocalArticle, &ArticleFile) -> Option<Arc<Rendered>>,
) -> HashMap<(String, String), Arc<Rendered>> {
    let mut rendered = HashMap::new();
    let mut to_render = Vec::new();
    for article in &project.articles {
        for (locale, file) in &article.locales {
            match kept(article, file) {
                Some(r) => {
                    rendered.insert((article.key.clone(), locale.clone()), r);
                }
                None => to_render.push((article, file)),
            }
        }
    }
    let fresh = render_in_parallel(project, &to_render);
    for ((article, file), r) in to_render.iter().zip(fresh) {
        rendered.insert((article.key.clone(), file.locale.clone()), Arc::new(r));
    }
    rendered
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
/// differ, and whether anything else a page shows did; `None` when nothing did. When `new`
/// read a few files alone, only those files are compared (the others, the articles and the
/// structure are the same by construction), and the diagnostics.
fn changed(old: &Snapshot, new: &Snapshot) -> Option<(Vec<String>, bool)> {
    fn files(s: &Snapshot) -> HashMap<(&str, &str), &ArticleFile> {
        s.site
            .project
            .as_ref()
            .map(article_files)
            .unwrap_or_default()
    }
    let mut articles = BTreeSet::new();
    let mut tree = false;
    let same_rendering = |key: &str, locale: &str| match (
        old.site.rendered_shared(key, locale),
        new.site.rendered_shared(key, locale),
    ) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
        (a, b) => a.is_none() && b.is_none(),
    };
    if let (Some(paths), Some(before), Some(now)) =
        (&new.read_alone, &old.site.project, &new.site.project)
    {
        for (b, n) in before.articles.iter().zip(&now.articles) {
            for (locale, file) in &n.locales {
                if paths.contains(&file.path)
                    && (b.locales.get(locale) != Some(file) || !same_rendering(&n.key, locale))
                {
                    articles.insert(n.key.clone());
                }
            }
        }
    } else {
        let (old_files, new_files) = (files(old), files(new));
        let keys = |f: &HashMap<(&str, &str), &ArticleFile>| {
            f.keys()
                .map(|(k, _)| (*k).to_owned())
                .collect::<BTreeSet<_>>()
        };
        articles.extend(
            keys(&old_files)
                .symmetric_difference(&keys(&new_files))
                .cloned(),
        );
        for (&(key, locale), file) in &new_files {
            if old_files.get(&(key, locale)) != Some(file) || !same_rendering(key, locale) {
                articles.insert(key.to_owned());
            }
        }
        let structure = |s: &Snapshot| {
            s.site
                .project
                .as_ref()
                .map(|p| (p.config.clone(), p.collections.clone()))
        };
        tree = structure(old) != structure(new);
    }
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
    let differ: Vec<_> = old_d.symmetric_difference(&new_d).collect();
    if !differ.is_empty() {
        // Diagnostics: those of an article file name that article; any other is the tree's.
        let (old_files, new_files) = (files(old), files(new));
        let path_to_key: HashMap<&Path, &str> = new_files
            .iter()
            .chain(&old_files)
            .map(|((key, _), file)| (file.path.as_path(), *key))
            .collect();
        for d in differ {
            match d.0.as_deref().and_then(|p| path_to_key.get(p)) {
                Some(key) => {
                    articles.insert((*key).to_owned());
                }
                None => tree = true,
            }
        }
    }
    (tree || !articles.is_empty()).then(|| (articles.into_iter().collect(), tree))
}

/// Renders `files` on several threads ([`crate::parallel::map_in_order`]), in order.
fn render_in_parallel(project: &Project, files: &[(&LocalArticle, &ArticleFile)]) -> Vec<Rendered> {
    crate::parallel::map_in_order(files, |(article, file)| {
        crate::render::render_article(project, article, file)
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

    fn files(paths: &[&str]) -> Change {
        Change::Files(paths.iter().map(PathBuf::from).collect())
    }

    fn html(site: &Site, key: &str) -> String {
        site.rendered(key, "en").unwrap().html.clone()
    }

    #[test]
    fn a_refresh_re_renders_only_the_file_that_changed() {
        let dir = tree();
        let first = Snapshot::load(
            dir.path(),
            &Snapshot::empty(dir.path()),
            &Change::Everything,
        );
        std::fs::write(
            dir.path().join("guides/b.md"),
            "---\ntitle: B\n---\nNew body of B.\n",
        )
        .unwrap();
        let second = Snapshot::load(dir.path(), &first, &files(&["guides/b.md"]));
        assert!(html(&second.site, "guides/b").contains("New body of B."));
        assert!(Arc::ptr_eq(
            first.site.rendered_shared("guides/a", "en").unwrap(),
            second.site.rendered_shared("guides/a", "en").unwrap()
        ));
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
        let first = Snapshot::load(
            dir.path(),
            &Snapshot::empty(dir.path()),
            &Change::Everything,
        );
        assert!(
            first.site.error_count() == 0,
            "{:?}",
            first.site.diagnostics
        );
        std::fs::remove_file(dir.path().join("guides/b.md")).unwrap();
        // Named as one changed file, the walk finds it gone: the whole tree is loaded.
        let second = Snapshot::load(dir.path(), &first, &files(&["guides/b.md"]));
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
        let first = Snapshot::load(
            dir.path(),
            &Snapshot::empty(dir.path()),
            &Change::Everything,
        );
        let page = |key: &str| Check::Article(key.to_owned());
        assert_eq!(first.stale(dir.path(), &page("guides/a")), None);
        assert_eq!(first.stale(dir.path(), &Check::EveryFile), None);
        std::fs::write(
            dir.path().join("guides/a.md"),
            "---\ntitle: A2\n---\nLonger body.\n",
        )
        .unwrap();
        assert_eq!(
            first.stale(dir.path(), &page("guides/a")),
            Some(files(&["guides/a.md"]))
        );
        assert_eq!(first.stale(dir.path(), &page("guides/b")), None);
        // Not seen by a view of one other page or of the tree alone, seen by the Changes view.
        assert_eq!(first.stale(dir.path(), &Check::Tree), None);
        assert_eq!(
            first.stale(dir.path(), &Check::EveryFile),
            Some(files(&["guides/a.md"]))
        );
        // A new entry changes the folder's modification time; the pause lets the file-system
        // clock (coarse, a few ms) move past the snapshot's.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(dir.path().join("guides/c.md"), "---\ntitle: C\n---\n").unwrap();
        assert_eq!(
            first.stale(dir.path(), &Check::Tree),
            Some(Change::Everything)
        );
    }

    #[test]
    fn a_refresh_of_named_files_reads_only_them_when_the_tree_holds_the_same_files() {
        let dir = tree();
        let first = Snapshot::load(
            dir.path(),
            &Snapshot::empty(dir.path()),
            &Change::Everything,
        );
        let paths = |list: &[&str]| list.iter().map(PathBuf::from).collect::<BTreeSet<_>>();
        let write = |rel: &str, text: &str| std::fs::write(dir.path().join(rel), text).unwrap();
        // An edit: read alone, and the snapshot is what a full load makes.
        write(
            "guides/a.md",
            "---\ntitle: A2\n---\nSee [B](b.md) and [C](c.md).\n",
        );
        let quick = Snapshot::reload(dir.path(), &first, &paths(&["guides/a.md"]))
            .expect("an edit is read alone");
        let full = Snapshot::load_all(dir.path(), &first, true);
        assert_eq!(quick.site.diagnostics, full.site.diagnostics);
        assert!(
            quick
                .site
                .diagnostics
                .iter()
                .any(|d| d.code == "link-broken")
        );
        assert_eq!(html(&quick.site, "guides/a"), html(&full.site, "guides/a"));
        assert_eq!(quick.tree, full.tree);
        assert_eq!(quick.files, full.files);
        assert_eq!(
            changed(&first, &quick),
            Some((vec!["guides/a".to_owned()], false))
        );
        // A README is not content: nothing to read, the same site.
        write("README.md", "# About\n");
        let none = Snapshot::reload(dir.path(), &quick, &paths(&["README.md"])).unwrap();
        assert!(Arc::ptr_eq(&none.site, &quick.site));
        // What a walk or the loader must see whole: a new file, broken front matter.
        write("guides/c.md", "---\ntitle: C\n---\n");
        assert!(Snapshot::reload(dir.path(), &quick, &paths(&["guides/c.md"])).is_none());
        let with_c = Snapshot::load(dir.path(), &quick, &files(&["guides/c.md"]));
        assert!(with_c.site.rendered("guides/c", "en").is_some());
        write("guides/b.md", "---\ntitle: [B\n---\n");
        assert!(Snapshot::reload(dir.path(), &with_c, &paths(&["guides/b.md"])).is_none());
    }

    #[test]
    fn hidden_entries_are_not_content() {
        assert!(is_hidden(Path::new(".helpcenter/local.sandbox.db")));
        assert!(is_hidden(Path::new("guides/.a.md.swp")));
        assert!(!is_hidden(Path::new("guides/a.md")));
    }
}
