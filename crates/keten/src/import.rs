//! `keten import`: data from files. `keten import help-points FILE --org ORG [--dry-run]` reads a coordinator's
//! spreadsheet (CSV), shows every problem per row, and stores all rows in one transaction or none.

use anyhow::{Context, bail};
use clap::Subcommand;
use keten_core::help_point_import::{decode, parse_help_points_csv};
use keten_store::Store;
use keten_store::help_points::NewHelpPoint;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Help points from a spreadsheet saved as CSV (`;` or `,`), with a header line:
    /// naam;adres;postcode;openingstijden (required), plaats, onderwerpen, talen, soort, locatie, toegankelijkheid,
    /// telefoon, email, website, meenemen (optional). Nothing is stored while any row has an error.
    HelpPoints {
        /// The CSV file.
        file: PathBuf,
        /// Organisation id or exact name that runs the help points.
        #[arg(long)]
        org: String,
        /// Check the file and report, but store nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// An Open Referral HSDS 3.0 tabular data package (a folder with organizations.csv, services.csv,
    /// locations.csv, ...): organisations, help points, consultation hours, opening hours and topics. Existing rows
    /// with the same id (organisations also with the same name in the same municipality) are updated. Nothing is
    /// stored while any row has an error.
    Hsds {
        /// The folder with the CSV files.
        dir: PathBuf,
        /// Check the package and report what would change, but store nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

pub async fn run(store: &Store, cmd: ImportCommand) -> anyhow::Result<()> {
    match cmd {
        ImportCommand::HelpPoints { file, org, dry_run } => {
            help_points(store, &file, &org, dry_run).await
        }
        ImportCommand::Hsds { dir, dry_run } => crate::hsds::import(store, &dir, dry_run).await,
    }
}

async fn help_points(
    store: &Store,
    file: &std::path::Path,
    org: &str,
    dry_run: bool,
) -> anyhow::Result<()> {
    let organisations = store.organisations(&crate::accounts::operator()).await?;
    let Some(organisation) = organisations.iter().find(|o| o.id == org || o.name == org) else {
        bail!("organisatie '{org}' bestaat niet; maak haar eerst met `keten org add`");
    };
    let bytes =
        std::fs::read(file).with_context(|| format!("kan {} niet lezen", file.display()))?;
    let (text, windows_1252) = decode(&bytes);
    if windows_1252 {
        println!(
            "Let op: het bestand is geen UTF-8; we lezen het als Windows-1252. \
             Kies in Excel bij opslaan liever 'CSV UTF-8'."
        );
    }
    let report = parse_help_points_csv(&text);
    for warning in &report.warnings {
        println!("Let op: {warning}");
    }
    for error in report.errors() {
        println!("{error}");
    }
    let existing = store.help_point_keys(&organisation.id).await?;
    let mut already = 0usize;
    for row in report.help_points() {
        if existing.contains(&row.key()) {
            already += 1;
            println!(
                "Regel {}: '{}' ({}) bestaat al bij {}; die slaan we niet opnieuw op.",
                row.line, row.name, row.postcode, organisation.name
            );
        }
    }
    let already_text = match already {
        0 => String::new(),
        1 => "; 1 bestaat al".to_owned(),
        n => format!("; {n} bestaan al"),
    };
    let summary = report.summary_nl();
    if !report.is_ok() {
        println!("{summary}{already_text}; niets opgeslagen.");
        bail!("het bestand heeft fouten; verbeter ze en probeer het opnieuw");
    }
    if dry_run {
        println!("{summary}{already_text}; niets opgeslagen (proefrun).");
        return Ok(());
    }
    let rows: Vec<NewHelpPoint> = report
        .help_points()
        .map(|row| NewHelpPoint::from_import_row(&organisation.id, row))
        .collect();
    let created = store
        .import_help_points(&organisation.id, &rows, crate::now().as_second())
        .await
        .context("opslaan mislukt; er is niets opgeslagen")?;
    println!(
        "{summary}{already_text}; {created} {} opgeslagen bij {}.",
        if created == 1 {
            "hulppunt"
        } else {
            "hulppunten"
        },
        organisation.name
    );
    Ok(())
}
