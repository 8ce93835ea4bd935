//! Backups of a SQLite database while keten serves, and a fingerprint of every table to prove a restore complete.
//!
//! PostgreSQL backups are `pg_dump`'s job (the binary calls it); what both backends share here is
//! the fingerprint: per table its row count and a SHA-256 over every row in a fixed order, so a
//! test (or an operator) can compare a restored database with its source table by table.

use crate::Store;
use crate::db::Backend;
use crate::error::{Result, StoreError};
use keten_core::ValidationError;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// One table's contents in short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFingerprint {
    pub table: String,
    pub rows: i64,
    /// SHA-256 (hex) over the rows ordered by every column.
    pub digest: String,
}

impl Store {
    /// Writes a consistent copy of the SQLite database to `path` while others keep reading and
    /// writing (`VACUUM INTO` reads one snapshot). Refuses an existing file.
    pub async fn backup_sqlite_into(&self, path: &std::path::Path) -> Result<()> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::Invalid(vec![ValidationError::new(
                "database",
                "deze back-up is voor SQLite; gebruik voor PostgreSQL pg_dump",
            )]));
        }
        if path.exists() {
            return Err(StoreError::Invalid(vec![ValidationError::new(
                "bestand",
                format!(
                    "{} bestaat al; kies een nieuwe bestandsnaam",
                    path.display()
                ),
            )]));
        }
        let target = path.to_string_lossy().into_owned();
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Names of keten's tables (migrations' own bookkeeping included), sorted.
    pub async fn table_names(&self) -> Result<Vec<String>> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::TEXT FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
            }
        };
        Ok(sqlx::query_scalar(sql).fetch_all(&self.pool).await?)
    }

    /// Every table's row count and digest, sorted by table name.
    pub async fn table_fingerprints(&self) -> Result<Vec<TableFingerprint>> {
        let mut out = Vec::new();
        for table in self.table_names().await? {
            // Table names come from the database's own catalogue, never from input; quoted anyway.
            let quoted = format!("\"{}\"", table.replace('"', "\"\""));
            // sqlx's own table has a timestamp column `Any` cannot read; its identity is the rest.
            let select = if table == "_sqlx_migrations" {
                "SELECT version, description, checksum FROM _sqlx_migrations".to_owned()
            } else {
                format!("SELECT * FROM {quoted}")
            };
            let columns: i64 = {
                let probe = format!("{select} LIMIT 1");
                let row = sqlx::query(sqlx::AssertSqlSafe(probe))
                    .fetch_optional(&self.pool)
                    .await?;
                row.map_or(0, |r| r.columns().len() as i64)
            };
            let order = (1..=columns.max(1))
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("{select} ORDER BY {order}");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await?;
            let mut hash = Sha256::new();
            for row in &rows {
                for i in 0..row.columns().len() {
                    hash.update(cell_text(row, i).as_bytes());
                    hash.update([0x1f]);
                }
                hash.update([0x1e]);
            }
            out.push(TableFingerprint {
                table,
                rows: rows.len() as i64,
                digest: hex::encode(hash.finalize()),
            });
        }
        Ok(out)
    }
}

/// A cell as text, whatever its type (`Any` carries integers, floats, text and bytes).
fn cell_text(row: &sqlx::any::AnyRow, i: usize) -> String {
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return v.map_or_else(|| "\u{0}".into(), |v| v.to_string());
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return v.map_or_else(|| "\u{0}".into(), |v| v.to_string());
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return v.unwrap_or_else(|| "\u{0}".into());
    }
    if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(i) {
        return v.map_or_else(|| "\u{0}".into(), hex::encode);
    }
    if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
        return v.map_or_else(|| "\u{0}".into(), |v| v.to_string());
    }
    "?".into()
}
