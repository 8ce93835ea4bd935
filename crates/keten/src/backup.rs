//! `keten backup FILE` and `keten restore FILE`: SQLite copies itself while serving, PostgreSQL goes through pg_dump and pg_restore.

use anyhow::{Context, bail};
use keten_store::Store;
use keten_store::db::Backend;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The new backup file (it must not exist yet).
    pub file: PathBuf,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// A file made by `keten backup`.
    pub file: PathBuf,
    /// Replace a database that already holds data.
    #[arg(long)]
    pub force: bool,
}

/// A consistent copy while keten keeps serving.
pub async fn backup(store: &Store, url: &str, args: &BackupArgs) -> anyhow::Result<()> {
    match store.backend() {
        Backend::Sqlite => store.backup_sqlite_into(&args.file).await?,
        Backend::Postgres => {
            if args.file.exists() {
                bail!(
                    "{} bestaat al; kies een nieuwe bestandsnaam",
                    args.file.display()
                );
            }
            // pg_dump reads one snapshot, so the dump is consistent while keten serves.
            run(Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(&args.file)
                .arg(url))?;
        }
    }
    let size = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    println!(
        "Back-up geschreven naar {} ({} kB).",
        args.file.display(),
        size / 1024
    );
    Ok(())
}

/// Puts a backup in place of the database of `url`. Runs before keten opens that database.
pub async fn restore(url: &str, args: &RestoreArgs) -> anyhow::Result<()> {
    if !args.file.is_file() {
        bail!("{} bestaat niet", args.file.display());
    }
    match Backend::from_url(url)? {
        Backend::Sqlite => restore_sqlite(url, args).await?,
        Backend::Postgres => {
            let store = Store::connect(url).await?;
            let empty = store.is_empty().await.unwrap_or(true);
            store.close().await;
            if !empty && !args.force {
                bail!(
                    "de database bevat al gegevens; stop keten en voeg --force toe om ze te vervangen"
                );
            }
            run(Command::new("pg_restore")
                .args([
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                    url,
                ])
                .arg(&args.file))?;
        }
    }
    // An older backup is brought up to this version's schema.
    let store = Store::connect(url).await?;
    store.migrate().await?;
    let tables = store.table_fingerprints().await?;
    let rows: i64 = tables.iter().map(|t| t.rows).sum();
    store.close().await;
    println!(
        "Back-up {} hersteld: {} tabellen, {rows} rijen.",
        args.file.display(),
        tables.len()
    );
    Ok(())
}

/// Copies the backup beside the database, checks it is one of keten's, then swaps it in.
async fn restore_sqlite(url: &str, args: &RestoreArgs) -> anyhow::Result<()> {
    let target = sqlite_path(url)?;
    if target.exists() && !args.force {
        let store = Store::connect(url).await?;
        let empty = store.is_empty().await.unwrap_or(true);
        store.close().await;
        if !empty {
            bail!(
                "{} bevat al gegevens; stop keten en voeg --force toe om ze te vervangen",
                target.display()
            );
        }
    }
    let staged = target.with_extension("restore");
    std::fs::copy(&args.file, &staged)
        .with_context(|| format!("kan {} niet kopiëren", args.file.display()))?;
    let staged_url = format!("sqlite://{}", staged.display());
    let check = Store::connect(&staged_url).await;
    let is_keten = match &check {
        Ok(store) => store
            .table_names()
            .await
            .map(|t| t.iter().any(|n| n == "_sqlx_migrations"))
            .unwrap_or(false),
        Err(_) => false,
    };
    if let Ok(store) = check {
        store.close().await;
    }
    if !is_keten {
        let _ = std::fs::remove_file(&staged);
        bail!("{} is geen back-up van keten", args.file.display());
    }
    // The old database's journal must not be replayed onto the restored file.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(&target, suffix));
        let _ = std::fs::remove_file(with_suffix(&staged, suffix));
    }
    std::fs::rename(&staged, &target)
        .with_context(|| format!("kan {} niet vervangen", target.display()))?;
    Ok(())
}

fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .context("geen SQLite-adres")?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" {
        bail!("een database in het geheugen kan niet worden hersteld");
    }
    Ok(PathBuf::from(path))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let program = command.get_program().to_string_lossy().into_owned();
    let out = command.output().with_context(|| {
        format!("{program} niet gevonden: installeer de PostgreSQL-clientprogramma's (Debian: postgresql-client)")
    })?;
    if !out.status.success() {
        bail!(
            "{program} mislukte: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_come_from_the_url() {
        assert_eq!(
            sqlite_path("sqlite://keten.db").unwrap(),
            PathBuf::from("keten.db")
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/k.db?mode=rwc").unwrap(),
            PathBuf::from("/tmp/k.db")
        );
        assert!(sqlite_path("sqlite::memory:").is_err());
    }
}
