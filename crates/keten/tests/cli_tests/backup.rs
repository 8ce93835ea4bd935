//! `keten backup` while serving and writing, and `keten restore`: every table comes back the same, on SQLite and PostgreSQL.

use crate::cli::{keten, postgres_database, run_ok, serve, sqlite_url, terminate};
use keten_store::Store;
use keten_store::backup::TableFingerprint;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

async fn fingerprints(url: &str) -> Vec<TableFingerprint> {
    let store = Store::connect(url).await.unwrap();
    let tables = store.table_fingerprints().await.unwrap();
    store.close().await;
    tables
}

/// Waits until a served database stops changing: the server's start-up round (purge, due notifications) writes
/// right after it starts listening, and a backup compared with the source afterwards must not race it.
async fn settled(url: &str) -> Vec<TableFingerprint> {
    let mut last = fingerprints(url).await;
    for _ in 0..60 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let now = fingerprints(url).await;
        if now == last {
            return now;
        }
        last = now;
    }
    panic!("the served database kept changing for 30 seconds");
}

/// The tables whose rows differ, so a failure names them instead of printing two long lists.
fn differing(left: &[TableFingerprint], right: &[TableFingerprint]) -> Vec<String> {
    let mut out: Vec<String> = left
        .iter()
        .filter(|l| !right.contains(l))
        .map(|l| format!("{} ({} rows)", l.table, l.rows))
        .collect();
    out.extend(
        right
            .iter()
            .filter(|r| !left.iter().any(|l| l.table == r.table))
            .map(|r| format!("{} (only on the right)", r.table)),
    );
    out
}

fn rows(tables: &[TableFingerprint], table: &str) -> i64 {
    tables.iter().find(|t| t.table == table).unwrap().rows
}

/// Adds organisations from another process until told to stop; returns how many.
fn keep_writing(url: String, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            run_ok(keten(&url).args([
                "org",
                "add",
                "--name",
                &format!("Schrijver {n}"),
                "--kind",
                "partner",
                "--sector",
                "private",
                "--municipality",
                "GM0599",
            ]));
            n += 1;
        }
        n
    })
}

#[tokio::test]
async fn sqlite_backup_while_serving_and_writing_restores_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    run_ok(keten(&url).args(["demo", "--questions", "3000", "--referrals", "40"]));
    let (server, _base) = serve(&url);
    let before = fingerprints(&url).await;

    // A backup taken while another process writes is one consistent snapshot.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = keep_writing(url.clone(), stop.clone());
    std::thread::sleep(std::time::Duration::from_millis(300));
    let during = dir.path().join("during.db");
    let out = run_ok(keten(&url).arg("backup").arg(&during));
    assert!(out.contains("Back-up geschreven"), "{out}");
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    let after = fingerprints(&url).await;
    let snapshot = fingerprints(&format!("sqlite://{}", during.display())).await;
    let orgs = rows(&snapshot, "organisations");
    assert!(
        orgs >= rows(&before, "organisations") && orgs <= rows(&after, "organisations"),
        "the backup holds {orgs} organisations, between {} and {} ({written} written)",
        rows(&before, "organisations"),
        rows(&after, "organisations")
    );
    assert_eq!(
        rows(&snapshot, "help_questions"),
        rows(&before, "help_questions")
    );

    // A quiet backup restored into a new database equals the source in every table.
    settled(&url).await;
    let quiet = dir.path().join("quiet.db");
    run_ok(keten(&url).arg("backup").arg(&quiet));
    terminate(server);
    let restored = dir.path().join("restored.db");
    let restored_url = format!("sqlite://{}", restored.display());
    let out = run_ok(keten(&restored_url).arg("restore").arg(&quiet));
    assert!(out.contains("hersteld"), "{out}");
    let source = fingerprints(&url).await;
    let copy = fingerprints(&restored_url).await;
    assert!(source.len() > 20, "{source:?}");
    assert!(source == copy, "differ: {:?}", differing(&source, &copy));

    // An existing file is never overwritten by a backup.
    let again = keten(&url).arg("backup").arg(&quiet).output().unwrap();
    assert!(!again.status.success());
    // A database with data is not replaced without --force, and a stray file is refused.
    let refused = keten(&restored_url)
        .arg("restore")
        .arg(&during)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    let stray = dir.path().join("stray.db");
    std::fs::write(&stray, b"not a database").unwrap();
    let out = keten(&restored_url)
        .args(["restore", "--force"])
        .arg(&stray)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        fingerprints(&restored_url).await,
        source,
        "the refused restore changed nothing"
    );
    run_ok(
        keten(&restored_url)
            .args(["restore", "--force"])
            .arg(&during),
    );
    assert_eq!(fingerprints(&restored_url).await, snapshot);
}

#[tokio::test]
async fn postgres_backup_through_pg_dump_restores_every_table() {
    let (Some(source_url), Some(target_url)) = (
        postgres_database("backup_src").await,
        postgres_database("backup_dst").await,
    ) else {
        return;
    };
    run_ok(keten(&source_url).args(["demo", "--questions", "2000", "--referrals", "30"]));
    let (server, _base) = serve(&source_url);
    settled(&source_url).await;
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("keten.dump");
    run_ok(keten(&source_url).arg("backup").arg(&dump));
    terminate(server);
    let out = run_ok(keten(&target_url).arg("restore").arg(&dump));
    assert!(out.contains("hersteld"), "{out}");
    let source = fingerprints(&source_url).await;
    assert!(rows(&source, "help_questions") >= 2000);
    let target = fingerprints(&target_url).await;
    assert!(
        source == target,
        "differ: {:?}",
        differing(&source, &target)
    );
    // A second restore over data needs --force.
    let refused = keten(&target_url)
        .arg("restore")
        .arg(&dump)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    run_ok(keten(&target_url).args(["restore", "--force"]).arg(&dump));
    assert_eq!(source, fingerprints(&target_url).await);
}
