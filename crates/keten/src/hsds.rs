//! `keten export hsds`, `keten validate hsds` and `keten import hsds`: the directory as an Open Referral HSDS 3.0
//! tabular data package (CSV files plus `datapackage.json`).

use anyhow::{Context, bail};
use clap::Subcommand;
use keten_store::Store;
use keten_web::hsds::model::Dataset;
use keten_web::hsds::tabular::{read_package, validate, write_package};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum ExportCommand {
    /// The whole public directory as an HSDS 3.0 tabular data package: one CSV file per HSDS table plus
    /// datapackage.json, written into DIR (created when missing; existing files of the same name are replaced).
    Hsds {
        /// The folder to write.
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum ValidateCommand {
    /// Checks an HSDS 3.0 tabular data package against the official table schemas and reports errors and warnings.
    /// Exits with status 1 when there are errors.
    Hsds {
        /// The folder with the CSV files.
        dir: PathBuf,
    },
}

pub async fn export(store: &Store, cmd: ExportCommand) -> anyhow::Result<()> {
    let ExportCommand::Hsds { dir } = cmd;
    let today = crate::now()
        .to_zoned(keten_core::opening_hours::Region::Nl.time_zone().clone())
        .date();
    let dataset = Dataset::build(
        store.directory().await?,
        &store.organisation_identifiers().await?,
        keten_web::hsds::access(store, today)
            .await
            .map_err(|e| anyhow::anyhow!(e.detail()))?,
    );
    let rows = keten_web::hsds::tabular::export_rows(&dataset);
    let written = write_package(&rows, &dir)?;
    for (file, count) in written.iter().filter(|(_, n)| *n > 0) {
        println!("{file}: {count} rij(en)");
    }
    println!(
        "HSDS 3.0-gegevenspakket geschreven in {} ({} bestanden en datapackage.json).",
        dir.display(),
        written.len()
    );
    Ok(())
}

/// Prints the validator's findings; returns whether there were no errors.
pub fn print_validation(dir: &Path) -> anyhow::Result<bool> {
    let package = read_package(dir).with_context(|| format!("kan {} niet lezen", dir.display()))?;
    let report = validate(&package);
    for e in &report.errors {
        println!("Fout: {e}");
    }
    for w in &report.warnings {
        println!("Let op: {w}");
    }
    let rows: usize = package.files.values().map(|f| f.rows.len()).sum();
    println!(
        "{} bestanden met {rows} rij(en) gecontroleerd: {} fout(en), {} waarschuwing(en).",
        package.files.len(),
        report.errors.len(),
        report.warnings.len()
    );
    Ok(report.is_ok())
}

pub fn validate_command(cmd: ValidateCommand) -> anyhow::Result<()> {
    let ValidateCommand::Hsds { dir } = cmd;
    if print_validation(&dir)? {
        println!("Het pakket voldoet aan HSDS 3.0.");
        Ok(())
    } else {
        bail!("het pakket voldoet niet aan HSDS 3.0")
    }
}

pub async fn import(store: &Store, dir: &Path, dry_run: bool) -> anyhow::Result<()> {
    let package = read_package(dir).with_context(|| format!("kan {} niet lezen", dir.display()))?;
    let result = keten_web::hsds::import::plan_import(&package, crate::now().as_second());
    for w in &result.warnings {
        println!("Let op: {w}");
    }
    for e in &result.errors {
        println!("Fout: {e}");
    }
    if !result.is_ok() {
        bail!(
            "{} fout(en) in het pakket; niets opgeslagen. Verbeter de regels hierboven en probeer het opnieuw.",
            result.errors.len()
        );
    }
    let out = store
        .import_hsds(&result.plan, crate::now().as_second(), dry_run)
        .await?;
    let prefix = if dry_run {
        "Proefimport (--dry-run), dit zou er gebeuren"
    } else {
        "Opgeslagen"
    };
    println!(
        "{prefix}: organisaties {} nieuw en {} bijgewerkt, hulppunten {} nieuw en {} bijgewerkt, \
         haltes {} nieuw en {} bijgewerkt, spreekuren {} nieuw en {} bijgewerkt, onderwerpen {} nieuw.",
        out.organisations_created,
        out.organisations_updated,
        out.help_points_created,
        out.help_points_updated,
        out.stops_created,
        out.stops_updated,
        out.consultation_hours_created,
        out.consultation_hours_updated,
        out.topics_created,
    );
    if dry_run {
        println!("Proefimport (--dry-run): niets opgeslagen.");
    }
    Ok(())
}
