//! Opening a mirror: several processes starting on one new database at once
//! (a `sync` and a `webhook serve --db` started by one script) all open it;
//! none is refused because another was creating the schema or switching a
//! SQLite file to WAL.

mod common;

use std::sync::{Arc, Barrier};

use common::TestDb;
use supportkit_sync::Database;

const OPENERS: usize = 6;

/// Opens `url` from `OPENERS` threads (each its own runtime and connection)
/// released together by a barrier; every open must succeed.
fn race(url: &str, round: usize) {
    let barrier = Arc::new(Barrier::new(OPENERS));
    let openers: Vec<_> = (0..OPENERS)
        .map(|_| {
            let (url, barrier) = (url.to_owned(), barrier.clone());
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                barrier.wait();
                rt.block_on(Database::open(&url)).map(drop)
            })
        })
        .collect();
    for opener in openers {
        if let Err(e) = opener.join().unwrap() {
            panic!("round {round}: an opener was refused: {e}");
        }
    }
}

#[test]
fn openers_racing_on_a_new_sqlite_file_all_open_it() {
    for round in 0..25 {
        let db = TestDb::sqlite();
        race(&db.url(), round);
        let TestDb::Sqlite { path, .. } = &db else {
            unreachable!()
        };
        let mode: String = rusqlite::Connection::open(path)
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal", "round {round}");
    }
}

#[test]
fn openers_racing_on_a_new_postgres_database_all_open_it() {
    let mut db = TestDb::postgres();
    for round in 0..5 {
        let url = db.server().create_db(&format!("race{round}"));
        race(&url, round);
    }
}
