//! The emulator's data file: a SQLite database (rusqlite, bundled SQLite), written row by row
//! after every write and read whole at start. An older JSON state file is migrated on first use.
//!
//! Crash safety: every write request is one transaction in WAL mode with `synchronous = NORMAL`.
//! A process killed at any point leaves the database at the last committed write (SQLite replays
//! or discards the WAL tail on the next open); a power loss may forget the last few commits but
//! never corrupts the file. `FULL` would add an fsync to every request for a guarantee the
//! emulator does not need. Inspect it with `sqlite3 FILE .tables` (see docs/sandbox.md).

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::store::{
    Article, ArticleContent, Collection, ContentImportSource, ExternalPage, GroupContent, Store,
    first_page_id, first_source_id,
};

/// `PRAGMA user_version` of the schema below. 2 added `content_import_sources` and
/// `external_pages`: a version-1 file gets them (empty) when it is opened, nothing else changes.
const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER,
    parent_type TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS article_contents (
    article_id     INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    locale         TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    body           TEXT NOT NULL,
    author_id      INTEGER NOT NULL,
    published      INTEGER NOT NULL,
    ever_published INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (article_id, locale)
);
CREATE TABLE IF NOT EXISTS collections (
    id             INTEGER PRIMARY KEY,
    help_center_id INTEGER NOT NULL,
    parent_id      INTEGER,
    \"order\"        INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS collection_contents (
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    locale        TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT,
    PRIMARY KEY (collection_id, locale)
);
CREATE TABLE IF NOT EXISTS content_import_sources (
    id             INTEGER PRIMARY KEY,
    url            TEXT NOT NULL,
    sync_behavior  TEXT NOT NULL,
    status         TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    last_synced_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS external_pages (
    id                          INTEGER PRIMARY KEY,
    source_id                   INTEGER NOT NULL,
    external_id                 TEXT NOT NULL,
    title                       TEXT NOT NULL,
    html                        TEXT NOT NULL,
    url                         TEXT,
    ai_agent_availability       INTEGER NOT NULL,
    ai_copilot_availability     INTEGER NOT NULL,
    ai_sales_agent_availability INTEGER NOT NULL,
    locale                      TEXT NOT NULL,
    created_at                  INTEGER NOT NULL,
    updated_at                  INTEGER NOT NULL,
    last_ingested_at            INTEGER NOT NULL
);
";

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// Which rows one write touched: each id is written again if the store still has it, else
/// deleted. The counters and the clock are written with every change.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    pub articles: BTreeSet<u64>,
    pub collections: BTreeSet<u64>,
    /// Content import sources and external pages (`/ai/*`).
    pub sources: BTreeSet<u64>,
    pub pages: BTreeSet<u64>,
}

/// Where the data lives for a configured `state_file`: the database, and the JSON file an
/// older version wrote, which is migrated when the database does not exist yet.
///
/// A `.json` path names the legacy file; the database is beside it with the extension `.db`
/// (`docs.sandbox.json` → `docs.sandbox.db`). Any other path is the database itself, and its
/// `.json` sibling is the legacy file.
pub fn locate(state_file: &Path) -> (PathBuf, PathBuf) {
    if state_file.extension().is_some_and(|e| e == "json") {
        (state_file.with_extension("db"), state_file.to_path_buf())
    } else {
        (state_file.to_path_buf(), state_file.with_extension("json"))
    }
}

/// The suffix a migrated JSON file is renamed with (kept as a backup, never read again).
pub const MIGRATED_SUFFIX: &str = ".migrated";

/// An open data file.
pub struct Database {
    conn: Connection,
    path: PathBuf,
}

/// What [`open`] found.
pub struct Opened {
    pub database: Database,
    pub store: Store,
    /// The JSON file that was migrated into the database now, if any (renamed with
    /// [`MIGRATED_SUFFIX`]).
    pub migrated_from: Option<PathBuf>,
}

fn sql_error(path: &Path, e: &rusqlite::Error) -> io::Error {
    io::Error::other(format!("sandbox data file `{}`: {e}", path.display()))
}

/// Opens (creating if needed) the data file for `state_file`, migrating a JSON state file
/// on first use, and reads the whole store.
pub fn open(state_file: &Path) -> io::Result<Opened> {
    let (db_path, legacy) = locate(state_file);
    if let Some(dir) = db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut migrated_from = None;
    match std::fs::read(&db_path) {
        // A database path that holds JSON (an old file given without `.json`): migrate it too.
        Ok(bytes) if !bytes.is_empty() && !bytes.starts_with(SQLITE_MAGIC) => {
            let store = load_json(&db_path, &bytes)?;
            let mut backup = db_path.as_os_str().to_owned();
            backup.push(".json");
            backup.push(MIGRATED_SUFFIX);
            std::fs::rename(&db_path, &backup)?;
            create_from(&db_path, &store)?;
            migrated_from = Some(PathBuf::from(backup));
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(store) = read_legacy(&legacy)? {
                create_from(&db_path, &store)?;
                let mut backup = legacy.as_os_str().to_owned();
                backup.push(MIGRATED_SUFFIX);
                std::fs::rename(&legacy, &backup)?;
                migrated_from = Some(legacy);
            }
        }
        Err(e) => return Err(e),
    }
    let mut database = Database::connect(&db_path)?;
    let store = if let Some(store) = database.read()? {
        store
    } else {
        let store = Store::default();
        database.write_all(&store)?;
        store
    };
    Ok(Opened {
        database,
        store,
        migrated_from,
    })
}

fn load_json(path: &Path, bytes: &[u8]) -> io::Result<Store> {
    serde_json::from_slice(bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("`{}` is not a sandbox state file: {e}", path.display()),
        )
    })
}

fn read_legacy(path: &Path) -> io::Result<Option<Store>> {
    match std::fs::read(path) {
        Ok(bytes) => load_json(path, &bytes).map(Some),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes `store` into a new database at `path` through a temporary file and a rename, so a
/// migration that dies half-way leaves no half-filled database behind.
fn create_from(path: &Path, store: &Store) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    {
        let conn = Connection::open(&tmp).map_err(|e| sql_error(&tmp, &e))?;
        // The rollback journal while filling: closing leaves one self-contained file to rename.
        conn.execute_batch("PRAGMA journal_mode = DELETE;")
            .map_err(|e| sql_error(&tmp, &e))?;
        let mut database = Database {
            conn,
            path: tmp.clone(),
        };
        database.init()?;
        database.write_all(store)?;
    }
    std::fs::rename(&tmp, path)
}

impl Database {
    fn connect(path: &Path) -> io::Result<Self> {
        let conn = Connection::open(path).map_err(|e| sql_error(path, &e))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| sql_error(path, &e))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(|e| sql_error(path, &e))?;
        let mut database = Self {
            conn,
            path: path.to_path_buf(),
        };
        database.init()?;
        Ok(database)
    }

    fn err(&self, e: &rusqlite::Error) -> io::Error {
        sql_error(&self.path, e)
    }

    /// Creates the tables; refuses a database written by a newer schema.
    fn init(&mut self) -> io::Result<()> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(&e))?;
        if version > SCHEMA_VERSION {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "sandbox data file `{}` has schema version {version}; this helpcenter \
                     knows {SCHEMA_VERSION} (upgrade helpcenter, or remove the file to start over)",
                    self.path.display()
                ),
            ));
        }
        self.conn.execute_batch(SCHEMA).map_err(|e| self.err(&e))?;
        self.conn
            .execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION};"))
            .map_err(|e| self.err(&e))
    }

    /// The whole store, or `None` for a database that was never written (no `meta` rows).
    fn read(&mut self) -> io::Result<Option<Store>> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| sql_error(&path, &e);
        let tx = self.conn.transaction().map_err(err)?;
        let meta = |key: &str| -> rusqlite::Result<Option<i64>> {
            tx.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
        };
        let (Some(clock), Some(created_at), Some(next_article_id), Some(next_collection_id)) = (
            meta("clock").map_err(err)?,
            meta("created_at").map_err(err)?,
            meta("next_article_id").map_err(err)?,
            meta("next_collection_id").map_err(err)?,
        ) else {
            return Ok(None);
        };
        // Absent from a version-1 file.
        let next_source_id = meta("next_source_id").map_err(err)?;
        let next_page_id = meta("next_page_id").map_err(err)?;
        let mut store = Store {
            clock,
            created_at,
            next_article_id: u64::try_from(next_article_id).unwrap_or_default(),
            next_collection_id: u64::try_from(next_collection_id).unwrap_or_default(),
            next_source_id: next_source_id
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or_else(first_source_id),
            next_page_id: next_page_id
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or_else(first_page_id),
            ..Store::default()
        };
        {
            let mut rows = tx
                .prepare("SELECT id, parent_id, parent_type, created_at, updated_at FROM articles")
                .map_err(err)?;
            let articles = rows
                .query_map([], |r| {
                    Ok(Article {
                        id: r.get(0)?,
                        parent_id: r.get(1)?,
                        parent_type: r.get(2)?,
                        created_at: r.get(3)?,
                        updated_at: r.get(4)?,
                        contents: std::collections::BTreeMap::new(),
                    })
                })
                .map_err(err)?;
            for article in articles {
                let article = article.map_err(err)?;
                store.articles.insert(article.id, article);
            }
            let mut rows = tx
                .prepare(
                    "SELECT article_id, locale, title, description, body, author_id, published,
                            ever_published, created_at, updated_at FROM article_contents",
                )
                .map_err(err)?;
            let contents = rows
                .query_map([], |r| {
                    Ok((
                        r.get::<_, u64>(0)?,
                        r.get::<_, String>(1)?,
                        ArticleContent {
                            title: r.get(2)?,
                            description: r.get(3)?,
                            body: r.get(4)?,
                            author_id: r.get(5)?,
                            published: r.get(6)?,
                            ever_published: r.get(7)?,
                            created_at: r.get(8)?,
                            updated_at: r.get(9)?,
                        },
                    ))
                })
                .map_err(err)?;
            for row in contents {
                let (id, locale, content) = row.map_err(err)?;
                if let Some(article) = store.articles.get_mut(&id) {
                    article.contents.insert(locale, content);
                }
            }
            let mut rows = tx
                .prepare(
                    "SELECT id, help_center_id, parent_id, \"order\", created_at, updated_at
                     FROM collections",
                )
                .map_err(err)?;
            let collections = rows
                .query_map([], |r| {
                    Ok(Collection {
                        id: r.get(0)?,
                        help_center_id: r.get(1)?,
                        parent_id: r.get(2)?,
                        order: r.get(3)?,
                        created_at: r.get(4)?,
                        updated_at: r.get(5)?,
                        contents: std::collections::BTreeMap::new(),
                    })
                })
                .map_err(err)?;
            for collection in collections {
                let collection = collection.map_err(err)?;
                store.collections.insert(collection.id, collection);
            }
            let mut rows = tx
                .prepare("SELECT collection_id, locale, name, description FROM collection_contents")
                .map_err(err)?;
            let contents = rows
                .query_map([], |r| {
                    Ok((
                        r.get::<_, u64>(0)?,
                        r.get::<_, String>(1)?,
                        GroupContent {
                            name: r.get(2)?,
                            description: r.get(3)?,
                        },
                    ))
                })
                .map_err(err)?;
            for row in contents {
                let (id, locale, content) = row.map_err(err)?;
                if let Some(collection) = store.collections.get_mut(&id) {
                    collection.contents.insert(locale, content);
                }
            }
            read_ai_content(&tx, &mut store).map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(Some(store))
    }

    /// Writes the rows `changes` names, and the counters, in one transaction.
    pub fn write(&mut self, store: &Store, changes: &Changes) -> io::Result<()> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| sql_error(&path, &e);
        let tx = self.conn.transaction().map_err(err)?;
        write_meta(&tx, store).map_err(err)?;
        for id in &changes.articles {
            write_article(&tx, *id, store.articles.get(id)).map_err(err)?;
        }
        for id in &changes.collections {
            write_collection(&tx, *id, store.collections.get(id)).map_err(err)?;
        }
        for id in &changes.sources {
            write_source(&tx, *id, store.sources.get(id)).map_err(err)?;
        }
        for id in &changes.pages {
            write_page(&tx, *id, store.pages.get(id)).map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Replaces everything with `store` in one transaction.
    fn write_all(&mut self, store: &Store) -> io::Result<()> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| sql_error(&path, &e);
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute_batch(
            "DELETE FROM article_contents; DELETE FROM articles;
             DELETE FROM collection_contents; DELETE FROM collections; DELETE FROM meta;
             DELETE FROM external_pages; DELETE FROM content_import_sources;",
        )
        .map_err(err)?;
        write_meta(&tx, store).map_err(err)?;
        for (id, article) in &store.articles {
            write_article(&tx, *id, Some(article)).map_err(err)?;
        }
        for (id, collection) in &store.collections {
            write_collection(&tx, *id, Some(collection)).map_err(err)?;
        }
        for (id, source) in &store.sources {
            write_source(&tx, *id, Some(source)).map_err(err)?;
        }
        for (id, page) in &store.pages {
            write_page(&tx, *id, Some(page)).map_err(err)?;
        }
        tx.commit().map_err(err)
    }
}

fn write_meta(tx: &Transaction<'_>, store: &Store) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?;
    stmt.execute(params!["clock", store.clock])?;
    stmt.execute(params!["created_at", store.created_at])?;
    stmt.execute(params!["next_article_id", store.next_article_id])?;
    stmt.execute(params!["next_collection_id", store.next_collection_id])?;
    stmt.execute(params!["next_source_id", store.next_source_id])?;
    stmt.execute(params!["next_page_id", store.next_page_id])?;
    Ok(())
}

fn read_ai_content(tx: &Transaction<'_>, store: &mut Store) -> rusqlite::Result<()> {
    let mut rows = tx.prepare(
        "SELECT id, url, sync_behavior, status, created_at, updated_at, last_synced_at
         FROM content_import_sources",
    )?;
    let sources = rows.query_map([], |r| {
        Ok(ContentImportSource {
            id: r.get(0)?,
            url: r.get(1)?,
            sync_behavior: r.get(2)?,
            status: r.get(3)?,
            created_at: r.get(4)?,
            updated_at: r.get(5)?,
            last_synced_at: r.get(6)?,
        })
    })?;
    for source in sources {
        let source = source?;
        store.sources.insert(source.id, source);
    }
    let mut rows = tx.prepare(
        "SELECT id, source_id, external_id, title, html, url, ai_agent_availability,
                ai_copilot_availability, ai_sales_agent_availability, locale, created_at,
                updated_at, last_ingested_at FROM external_pages",
    )?;
    let pages = rows.query_map([], |r| {
        Ok(ExternalPage {
            id: r.get(0)?,
            source_id: r.get(1)?,
            external_id: r.get(2)?,
            title: r.get(3)?,
            html: r.get(4)?,
            url: r.get(5)?,
            ai_agent_availability: r.get(6)?,
            ai_copilot_availability: r.get(7)?,
            ai_sales_agent_availability: r.get(8)?,
            locale: r.get(9)?,
            created_at: r.get(10)?,
            updated_at: r.get(11)?,
            last_ingested_at: r.get(12)?,
        })
    })?;
    for page in pages {
        let page = page?;
        store.pages.insert(page.id, page);
    }
    Ok(())
}

fn write_source(
    tx: &Transaction<'_>,
    id: u64,
    source: Option<&ContentImportSource>,
) -> rusqlite::Result<()> {
    let Some(s) = source else {
        tx.prepare_cached("DELETE FROM content_import_sources WHERE id = ?1")?
            .execute([id])?;
        return Ok(());
    };
    tx.prepare_cached(
        "INSERT OR REPLACE INTO content_import_sources
             (id, url, sync_behavior, status, created_at, updated_at, last_synced_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id,
        s.url,
        s.sync_behavior,
        s.status,
        s.created_at,
        s.updated_at,
        s.last_synced_at
    ])?;
    Ok(())
}

fn write_page(tx: &Transaction<'_>, id: u64, page: Option<&ExternalPage>) -> rusqlite::Result<()> {
    let Some(p) = page else {
        tx.prepare_cached("DELETE FROM external_pages WHERE id = ?1")?
            .execute([id])?;
        return Ok(());
    };
    tx.prepare_cached(
        "INSERT OR REPLACE INTO external_pages
             (id, source_id, external_id, title, html, url, ai_agent_availability,
              ai_copilot_availability, ai_sales_agent_availability, locale, created_at,
              updated_at, last_ingested_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        id,
        p.source_id,
        p.external_id,
        p.title,
        p.html,
        p.url,
        p.ai_agent_availability,
        p.ai_copilot_availability,
        p.ai_sales_agent_availability,
        p.locale,
        p.created_at,
        p.updated_at,
        p.last_ingested_at
    ])?;
    Ok(())
}

fn write_article(tx: &Transaction<'_>, id: u64, article: Option<&Article>) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM article_contents WHERE article_id = ?1")?
        .execute([id])?;
    let Some(article) = article else {
        tx.prepare_cached("DELETE FROM articles WHERE id = ?1")?
            .execute([id])?;
        return Ok(());
    };
    tx.prepare_cached(
        "INSERT INTO articles (id, parent_id, parent_type, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id,
             parent_type = excluded.parent_type, created_at = excluded.created_at,
             updated_at = excluded.updated_at",
    )?
    .execute(params![
        id,
        article.parent_id,
        article.parent_type,
        article.created_at,
        article.updated_at
    ])?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO article_contents (article_id, locale, title, description, body, author_id,
             published, ever_published, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (locale, c) in &article.contents {
        stmt.execute(params![
            id,
            locale,
            c.title,
            c.description,
            c.body,
            c.author_id,
            c.published,
            c.ever_published,
            c.created_at,
            c.updated_at
        ])?;
    }
    Ok(())
}

fn write_collection(
    tx: &Transaction<'_>,
    id: u64,
    collection: Option<&Collection>,
) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM collection_contents WHERE collection_id = ?1")?
        .execute([id])?;
    let Some(collection) = collection else {
        tx.prepare_cached("DELETE FROM collections WHERE id = ?1")?
            .execute([id])?;
        return Ok(());
    };
    tx.prepare_cached(
        "INSERT INTO collections (id, help_center_id, parent_id, \"order\", created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET help_center_id = excluded.help_center_id,
             parent_id = excluded.parent_id, \"order\" = excluded.\"order\",
             created_at = excluded.created_at, updated_at = excluded.updated_at",
    )?
    .execute(params![
        id,
        collection.help_center_id,
        collection.parent_id,
        collection.order,
        collection.created_at,
        collection.updated_at
    ])?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO collection_contents (collection_id, locale, name, description)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (locale, c) in &collection.contents {
        stmt.execute(params![id, locale, c.name, c.description])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn sample() -> Store {
        let mut store = Store {
            next_article_id: 42,
            ..Store::default()
        };
        let content = ArticleContent {
            title: "T".into(),
            description: String::new(),
            body: "<p>x</p>".into(),
            author_id: 991,
            published: true,
            ever_published: true,
            created_at: 5,
            updated_at: 6,
        };
        store.articles.insert(
            41,
            Article {
                id: 41,
                parent_id: Some(3),
                parent_type: Some("collection".into()),
                created_at: 5,
                updated_at: 6,
                contents: BTreeMap::from([("en".into(), content.clone()), ("fr".into(), content)]),
            },
        );
        store.collections.insert(
            3,
            Collection {
                id: 3,
                help_center_id: 1,
                parent_id: None,
                order: 1,
                created_at: 4,
                updated_at: 4,
                contents: BTreeMap::from([(
                    "en".into(),
                    GroupContent {
                        name: "C".into(),
                        description: None,
                    },
                )]),
            },
        );
        store
    }

    #[test]
    fn round_trip_and_incremental_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state.db");
        let opened = open(&path).unwrap();
        assert!(opened.store.articles.is_empty());
        assert!(opened.migrated_from.is_none());
        let mut database = opened.database;
        let mut store = sample();
        database
            .write(
                &store,
                &Changes {
                    articles: BTreeSet::from([41]),
                    collections: BTreeSet::from([3]),
                    ..Changes::default()
                },
            )
            .unwrap();
        drop(database);
        let mut again = open(&path).unwrap();
        assert_eq!(again.store, store);
        store.articles.remove(&41);
        store.clock += 10;
        let changes = Changes {
            articles: BTreeSet::from([41]),
            ..Changes::default()
        };
        again.database.write(&store, &changes).unwrap();
        drop(again);
        assert_eq!(open(&path).unwrap().store, store);
    }

    fn with_ai_content(mut store: Store) -> Store {
        store.sources.insert(
            4_000_001,
            ContentImportSource {
                id: 4_000_001,
                url: "https://docs.example/".into(),
                sync_behavior: "api".into(),
                status: "active".into(),
                created_at: 7,
                updated_at: 8,
                last_synced_at: 7,
            },
        );
        store.pages.insert(
            8_000_001,
            ExternalPage {
                id: 8_000_001,
                source_id: 4_000_001,
                external_id: "guides/a".into(),
                title: "A".into(),
                html: "<p>a</p>".into(),
                url: None,
                ai_agent_availability: true,
                ai_copilot_availability: false,
                ai_sales_agent_availability: false,
                locale: "en".into(),
                created_at: 9,
                updated_at: 9,
                last_ingested_at: 9,
            },
        );
        store.next_source_id = 4_000_002;
        store.next_page_id = 8_000_002;
        store
    }

    #[test]
    fn ai_content_round_trips_and_deletes_row_by_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut database = open(&path).unwrap().database;
        let mut store = with_ai_content(sample());
        let changes = Changes {
            sources: BTreeSet::from([4_000_001]),
            pages: BTreeSet::from([8_000_001]),
            ..Changes::default()
        };
        database.write(&store, &changes).unwrap();
        drop(database);
        let mut again = open(&path).unwrap();
        assert_eq!(again.store.sources, store.sources);
        assert_eq!(again.store.pages, store.pages);
        assert_eq!(again.store.next_page_id, 8_000_002);
        store.sources.clear();
        store.pages.clear();
        again.database.write(&store, &changes).unwrap();
        drop(again);
        let last = open(&path).unwrap().store;
        assert!(last.sources.is_empty() && last.pages.is_empty());
        assert_eq!(last.next_source_id, 4_000_002, "counters survive deletes");
    }

    /// A data file written before AI content existed (schema version 1) opens with its
    /// articles intact and takes sources and pages from then on.
    #[test]
    fn a_version_1_file_gains_the_ai_tables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                &format!(
                 "{}\nINSERT INTO article_contents VALUES (7000001, 'en', 'Old', '', '<p>o</p>', 991266200, 1, 1, 5, 6);",
                 include_str!("../../tests/fixtures/sandbox/schema-1.sql")
             ),
            )
            .unwrap();
        }
        let opened = open(&path).unwrap();
        assert_eq!(
            opened.store.articles[&7_000_001].contents["en"].title,
            "Old"
        );
        assert!(opened.store.sources.is_empty());
        assert_eq!(opened.store.next_source_id, first_source_id());
        assert_eq!(opened.store.next_page_id, first_page_id());
        let mut database = opened.database;
        let store = with_ai_content(opened.store);
        let changes = Changes {
            sources: BTreeSet::from([4_000_001]),
            pages: BTreeSet::from([8_000_001]),
            ..Changes::default()
        };
        database.write(&store, &changes).unwrap();
        drop(database);
        let again = open(&path).unwrap().store;
        assert_eq!(again, store);
        let version: i64 = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn a_json_state_file_from_before_ai_content_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("old.sandbox.json");
        let mut value = serde_json::to_value(sample()).unwrap();
        for key in ["next_source_id", "next_page_id", "sources", "pages"] {
            value.as_object_mut().unwrap().remove(key);
        }
        std::fs::write(&json, value.to_string()).unwrap();
        let opened = open(&json).unwrap();
        assert_eq!(opened.store, sample());
        assert_eq!(opened.store.next_page_id, first_page_id());
    }

    #[test]
    fn json_is_migrated_once_and_kept_as_a_backup() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("docs.sandbox.json");
        let store = sample();
        std::fs::write(&json, serde_json::to_vec(&store).unwrap()).unwrap();
        let opened = open(&json).unwrap();
        assert_eq!(opened.store, store);
        assert_eq!(opened.migrated_from.as_deref(), Some(json.as_path()));
        drop(opened);
        assert!(!json.exists());
        assert!(dir.path().join("docs.sandbox.json.migrated").exists());
        assert!(dir.path().join("docs.sandbox.db").exists());
        // The database path names the same data, and nothing is migrated again.
        let again = open(&dir.path().join("docs.sandbox.db")).unwrap();
        assert_eq!(again.store, store);
        assert!(again.migrated_from.is_none());
    }

    #[test]
    fn json_at_the_database_path_is_migrated_and_bad_json_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state");
        let store = sample();
        std::fs::write(&path, serde_json::to_vec(&store).unwrap()).unwrap();
        let opened = open(&path).unwrap();
        assert_eq!(opened.store, store);
        assert!(dir.path().join("state.json.migrated").exists());
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "nope").unwrap();
        let error = open(&bad).err().unwrap();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(error.to_string().contains("bad.json"), "{error}");
        assert!(bad.exists(), "a file that failed to migrate is left alone");
        assert!(!dir.path().join("bad.db").exists());
    }
}
