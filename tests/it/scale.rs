//! Scale: the SQLite data file of the embedded sandbox and `sandbox serve --state` (incremental,
//! crash-safe writes; migration of the JSON state file older versions wrote).

use std::path::Path;

use serde_json::json;

use crate::support::{Emulator, copy_tree, repo, run_in};

fn count(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn embedded_target_keeps_its_data_in_sqlite_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("example-content"), dir.path());
    let _ = std::fs::remove_dir_all(dir.path().join(".helpcenter"));
    run_in(dir.path(), &["apply", "--yes"]).expect(0);
    let db = dir.path().join(".helpcenter/local.sandbox.db");
    assert!(db.exists());
    assert!(!dir.path().join(".helpcenter/local.sandbox.json").exists());
    let articles = count(&db, "SELECT count(*) FROM articles");
    assert!(articles > 0);
    assert!(count(&db, "SELECT count(*) FROM article_contents") >= articles);
    assert!(count(&db, "SELECT count(*) FROM collections") > 0);
    // What the database holds is what the emulator serves: a second plan is empty.
    run_in(dir.path(), &["plan", "--detailed-exitcode"]).expect(0);
}

#[test]
fn a_json_state_file_of_the_embedded_target_is_migrated_on_first_use() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("example-content"), dir.path());
    let _ = std::fs::remove_dir_all(dir.path().join(".helpcenter"));
    run_in(dir.path(), &["apply", "--yes"]).expect(0);
    // Turn the data into the JSON file an older version wrote, and remove the database.
    let db = dir.path().join(".helpcenter/local.sandbox.db");
    let json_path = dir.path().join(".helpcenter/local.sandbox.json");
    let store = helpcenter::sandbox::persist::open(&db).unwrap().store;
    let articles = i64::try_from(store.articles.len()).unwrap();
    std::fs::write(&json_path, serde_json::to_vec(&store).unwrap()).unwrap();
    std::fs::remove_file(&db).unwrap();

    run_in(dir.path(), &["plan", "--detailed-exitcode"]).expect(0);
    assert!(db.exists(), "the database is created from the JSON file");
    assert!(!json_path.exists(), "the JSON file is not read again");
    assert!(
        dir.path()
            .join(".helpcenter/local.sandbox.json.migrated")
            .exists(),
        "the JSON file is kept as a backup"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM articles"), articles);
    assert_eq!(
        helpcenter::sandbox::persist::open(&db).unwrap().store,
        store,
        "nothing lost or changed in the migration"
    );
    // A second run uses the database (the backup is never migrated again).
    run_in(dir.path(), &["plan", "--detailed-exitcode"]).expect(0);
}

#[test]
fn serve_state_json_path_is_migrated_to_a_database_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("state.json");
    let first = {
        let emu = Emulator::start(&["--state", dir.path().join("state.db").to_str().unwrap()]);
        let (status, created) = emu.http().call(
            "POST",
            "/articles",
            Some(&json!({"title": "Old", "author_id": 991_266_200})),
        );
        assert_eq!(status, 200, "{created}");
        created
    };
    // Write the same data as an old JSON state file and start over from it alone.
    let store = helpcenter::sandbox::persist::open(&dir.path().join("state.db"))
        .unwrap()
        .store;
    std::fs::write(&json_path, serde_json::to_vec(&store).unwrap()).unwrap();
    std::fs::remove_file(dir.path().join("state.db")).unwrap();
    let emu = Emulator::start(&["--state", json_path.to_str().unwrap()]);
    let http = emu.http();
    let id = first["id"].as_str().unwrap();
    assert_eq!(http.get(&format!("/articles/{id}"))["title"], "Old");
    let (status, _) = http.call(
        "POST",
        "/articles",
        Some(&json!({"title": "New", "author_id": 991_266_200})),
    );
    assert_eq!(status, 200);
    drop(emu);
    let db = dir.path().join("state.db");
    assert_eq!(count(&db, "SELECT count(*) FROM articles"), 2);
    assert!(dir.path().join("state.json.migrated").exists());
    assert!(!json_path.exists());
}

#[test]
fn every_acknowledged_write_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let state = db.to_str().unwrap();
    let mut ids: Vec<String> = Vec::new();
    let collection_id;
    {
        // `Emulator` is killed with SIGKILL on drop: no shutdown code runs.
        let emu = Emulator::start(&["--state", state]);
        let http = emu.http();
        let (status, collection) = http.call(
            "POST",
            "/help_center/collections",
            Some(&json!({"name": "Kept"})),
        );
        assert_eq!(status, 200, "{collection}");
        collection_id = collection["id"].as_str().unwrap().to_owned();
        for n in 0..20 {
            let (status, body) = http.call(
                "POST",
                "/articles",
                Some(&json!({"title": format!("A{n}"), "author_id": 991_266_200,
                             "parent_id": collection_id, "state": "published"})),
            );
            assert_eq!(status, 200, "{body}");
            ids.push(body["id"].as_str().unwrap().to_owned());
        }
        let (status, _) = http.call(
            "PUT",
            &format!("/articles/{}", ids[3]),
            Some(&json!({"title": "Renamed"})),
        );
        assert_eq!(status, 200);
        let (status, _) = http.call("DELETE", &format!("/articles/{}", ids[4]), None);
        assert_eq!(status, 200);
    }
    let emu = Emulator::start(&["--state", state]);
    let http = emu.http();
    let articles = http.articles();
    assert_eq!(articles.len(), 19);
    assert_eq!(
        http.get(&format!("/articles/{}", ids[3]))["title"],
        "Renamed"
    );
    let (status, _) = http.call("GET", &format!("/articles/{}", ids[4]), None);
    assert_eq!(status, 404);
    // Counters survive too: a new article gets a new id.
    let (_, next) = http.call(
        "POST",
        "/articles",
        Some(&json!({"title": "Next", "author_id": 991_266_200})),
    );
    let next_id = next["id"].as_str().unwrap();
    assert!(!ids.iter().any(|id| id == next_id));
    drop(emu);
    // A cascade delete removes the collection's articles from the file as well.
    let emu = Emulator::start(&[
        "--state",
        state,
        "--switch",
        "delete_collection_with_children=cascade",
    ]);
    let (status, body) = emu.http().call(
        "DELETE",
        &format!("/help_center/collections/{collection_id}"),
        None,
    );
    assert_eq!(status, 200, "{body}");
    drop(emu);
    assert_eq!(count(&db, "SELECT count(*) FROM collections"), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM articles"), 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM article_contents WHERE article_id NOT IN (SELECT id FROM articles)"
        ),
        0
    );
}
