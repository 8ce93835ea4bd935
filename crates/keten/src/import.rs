//! `keten import`: data from files. `keten import help-points FILE --org ORG [--dry-run]` reads a coordinator's
//! spreadsheet (CSV), shows every problem per row, and stores all rows in one transaction or none.

use anyhow::{Context, bail};
use clap::Subcommand;
use keten_core::help_point_import::{decode, parse_help_points_csv};
use keten_store::Store;
use keten_store::import::ImportOrganisation;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Help points from a spreadsheet saved as CSV (`;` or `,`), with a header line:
    /// naam;adres;postcode;openingstijden (required), plaats, onderwerpen, talen, soort, locatie, toegankelijkheid,
    /// telefoon, email, website, meenemen, kvk, kbo (optional). A row's kvk or kbo number picks the organisation
    /// that runs it; other rows go to --org. Nothing is stored while any row has an error.
    HelpPoints {
        /// The CSV file.
        file: PathBuf,
        /// Organisation id or exact name that runs the rows without a kvk or kbo number.
        #[arg(long)]
        org: Option<String>,
        /// Check the file and report, but store nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

pub async fn run(store: &Store, cmd: ImportCommand) -> anyhow::Result<()> {
    match cmd {
        ImportCommand::HelpPoints { file, org, dry_run } => {
            help_points(store, &file, org.as_deref(), dry_run).await
        }
    }
}

async fn help_points(
    store: &Store,
    file: &std::path::Path,
    org: Option<&str>,
    dry_run: bool,
) -> anyhow::Result<()> {
    let default = match org {
        Some(org) => {
            let organisations = store.organisations(&crate::accounts::operator()).await?;
            let Some(organisation) = organisations.iter().find(|o| o.id == org || o.name == org)
            else {
                bail!("organisatie '{org}' bestaat niet; maak haar eerst met `keten org add`");
            };
            Some(ImportOrganisation {
                id: organisation.id.clone(),
                name: organisation.name.clone(),
            })
        }
        None => None,
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
    // The operator may import for every organisation.
    let plan = store
        .plan_help_point_import(&report, default.as_ref(), &|_| true)
        .await?;
    for error in &plan.errors {
        println!("{error}");
    }
    for planned in plan.help_points.iter().filter(|p| p.exists) {
        println!(
            "Regel {}: '{}' ({}) bestaat al bij {}; die slaan we niet opnieuw op.",
            planned.line, planned.new.name, planned.new.postcode, planned.organisation_name
        );
    }
    let already_text = match plan.already_there() {
        0 => String::new(),
        1 => "; 1 bestaat al".to_owned(),
        n => format!("; {n} bestaan al"),
    };
    let summary = report.summary_nl();
    if !report.is_ok() || !plan.errors.is_empty() {
        println!("{summary}{already_text}; niets opgeslagen.");
        bail!("het bestand heeft fouten; verbeter ze en probeer het opnieuw");
    }
    if dry_run {
        println!("{summary}{already_text}; niets opgeslagen (proefrun).");
        return Ok(());
    }
    let created = store
        .import_planned_help_points(&plan, crate::now().as_second())
        .await
        .context("opslaan mislukt; er is niets opgeslagen")?;
    let mut names: Vec<&str> = plan
        .help_points
        .iter()
        .map(|p| p.organisation_name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    println!(
        "{summary}{already_text}; {created} {} opgeslagen bij {}.",
        if created == 1 {
            "hulppunt"
        } else {
            "hulppunten"
        },
        names.join(", ")
    );
    Ok(())
}
