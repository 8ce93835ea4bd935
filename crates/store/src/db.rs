//! Connecting to SQLite or PostgreSQL, chosen once from the URL, and running migrations.

use crate::error::{Result, StoreError};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Picks the backend from the URL scheme; anything else is refused loudly.
    pub fn from_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// The database behind keten. Cheap to clone (a pool handle).
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer; concurrent writers that collide wait in
    /// SQLite's busy handler, which sleeps in growing steps and makes the tail
    /// latency of the desk's inserts jump to 100+ ms. Hot write paths queue
    /// here instead (in-process, fair) on SQLite; PostgreSQL does not need it.
    pub(crate) write_queue: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// The registrations' writer task (group commit), started on first use.
    pub(crate) group: crate::group_commit::GroupWriter,
    /// Sessions, actors, API tokens and categories in memory (`caches`).
    pub(crate) caches: std::sync::Arc<crate::caches::Caches>,
}

/// The default database: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://keten.db";

impl Store {
    /// Connects to `url` (`sqlite://path` or `postgres://...`). A SQLite file is
    /// created when missing.
    pub async fn connect(url: &str) -> Result<Self> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let (url, max) = match backend {
            Backend::Sqlite => {
                let with_mode = if url.contains("mode=") {
                    url.to_owned()
                } else if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                };
                (with_mode, 8)
            }
            Backend::Postgres => (url.to_owned(), 16),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            // A ping before every checkout is a round trip to SQLite's worker thread per query, for a file that
            // cannot go away under the pool; a PostgreSQL connection can (a server restart), so it stays checked.
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the one writer; busy_timeout
                        // waits for that writer instead of failing with "locked".
                        // secure_delete overwrites what a delete or update frees, so erased
                        // contact data is not left readable in free space of the file.
                        // A multi-row insert inside a transaction keeps a statement journal: in memory it
                        // costs no file writes. A 32 MB page cache (default 2 MB) holds the indexes a bulk
                        // load walks without spilling (measured on 1,000,000 demo questions: the journal in
                        // memory 35.4 s -> 33.9 s; the cache 19.8 s -> 15.4 s).
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                             PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                             PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; \
                             PRAGMA cache_size = -32768;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        Ok(Self {
            pool,
            backend,
            write_queue: Default::default(),
            group: Default::default(),
            caches: Default::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Refreshes the query planner's statistics of the big tables (help questions and their rollups): after a
    /// bulk load, a rebuild, and hourly while serving. Right after a bulk load PostgreSQL has none until its
    /// autovacuum comes round, and plans a municipality's figures poorly (at 700 help points Rotterdam's year
    /// took three times as long); an SQLite database never gets any unless asked, so its plans could only
    /// follow fixed guesses. SQLite samples at most `analysis_limit` rows per index (milliseconds on a large
    /// database).
    pub async fn refresh_planner_statistics(&self) -> Result<()> {
        const TABLES: [&str; 4] = [
            "help_questions",
            "question_dimension_rollups",
            "question_month_rollups",
            "question_consultation_rollups",
        ];
        let mut conn = self.pool.acquire().await?;
        if self.backend() == Backend::Sqlite {
            sqlx::query("PRAGMA analysis_limit = 400")
                .execute(&mut *conn)
                .await?;
        }
        for table in TABLES {
            // Only the constants above go into the text.
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("ANALYZE {table}")))
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// Applies pending migrations and adds missing default topics. Safe to run
    /// from several processes at once: sqlx takes an advisory lock on
    /// PostgreSQL, SQLite serialises writers, and seeding skips existing rows.
    pub async fn migrate(&self) -> Result<()> {
        self.migrate_schema().await?;
        self.rebuild_rollups_if_missing().await
    }

    /// [`Store::migrate`] up to, not including, recomputing rollups a migration emptied: `keten serve` does that
    /// while it already answers ([`Store::rollups_missing`]).
    pub async fn migrate_schema(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await?;
        self.install_cache_triggers().await?;
        // The default taxonomy is reference data every installation needs.
        self.seed_default_topics().await?;
        self.seed_default_categories().await
    }

    /// Waits for this process's turn to write on SQLite; no wait on PostgreSQL.
    pub(crate) async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.write_queue.lock().await),
            Backend::Postgres => None,
        }
    }

    /// SQL that joins a column's values of a group into one comma-separated, sorted string (the two
    /// databases name the aggregate differently).
    pub(crate) fn comma_list(&self, column: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("group_concat({column}, ',' ORDER BY {column})"),
            Backend::Postgres => format!("string_agg({column}, ',' ORDER BY {column})"),
        }
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Runs a statement that takes no parameters (administration and tests,
    /// e.g. creating a schema); never pass user input.
    pub async fn execute_raw(&self, sql: &str) -> Result<()> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Makes erased data gone from the files, after a purge: on SQLite the write-ahead log is copied into the
    /// database and emptied (its old frames may hold the rows as they were; `secure_delete` already zeroed
    /// the freed space). PostgreSQL keeps old row versions until VACUUM, which autovacuum runs; nothing here.
    pub async fn checkpoint(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***{}", &url[..scheme_end], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_url() {
        assert_eq!(
            Backend::from_url("sqlite://keten.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::from_url("mysql://x").is_err());
    }

    #[test]
    fn redact_hides_password() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("sqlite://keten.db"), "sqlite://keten.db");
    }
}
