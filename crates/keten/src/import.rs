//! `keten import`: data from files. `keten import help-points FILE --org ORG [--dry-run]` reads a coordinator's
//! spreadsheet (CSV); `keten import questions FILE --help-point ID [--map field=Column] [--dry-run]` a help
//! point's history of help questions (CSV or .xlsx). Both show every problem per row and store all rows in one
//! transaction or none.

use anyhow::{Context, bail};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use keten_core::help_point_import::{
    parse_help_points_csv, read_help_point_file, row_outcome_nl, stored_nl,
};
use keten_core::help_question_import::{Mapping, Vocabulary};
use keten_core::spreadsheet::read_table;
use keten_store::Store;
use keten_store::categories::{Category, CategoryList};
use keten_store::help_questions::{Registrar, Source};
use keten_store::import::ImportOrganisation;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Historical help questions from a spreadsheet (CSV or .xlsx), one question per row. Columns are found by
    /// their headers (datum, onderwerp, minuten required; instantie, soort, kanaal, resultaat, leeftijd, pc4,
    /// eerste_bezoek optional); `--map veld=Kolom` points a field at another column. Values may be codes or the
    /// Dutch labels. Nothing is stored while any row has an error.
    Questions {
        /// The CSV or .xlsx file.
        file: PathBuf,
        /// Help point id or exact name.
        #[arg(long)]
        help_point: String,
        /// `field=Column header`, e.g. `--map datum="Datum bezoek"`; repeat for more fields.
        #[arg(long)]
        map: Vec<String>,
        /// Check the file and report, but store nothing.
        #[arg(long)]
        dry_run: bool,
    },
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
            help_points(store, &file, org.as_deref(), dry_run).await
        }
        ImportCommand::Questions {
            file,
            help_point,
            map,
            dry_run,
        } => questions(store, &file, &help_point, &map, dry_run).await,
        ImportCommand::Hsds { dir, dry_run } => crate::hsds::import(store, &dir, dry_run).await,
    }
}

/// Historical registrations: map the columns, check every row, then store all
/// rows in one transaction with a progress bar, or nothing.
async fn questions(
    store: &Store,
    file: &std::path::Path,
    help_point: &str,
    map: &[String],
    dry_run: bool,
) -> anyhow::Result<()> {
    let operator = crate::accounts::operator();
    let points = store.desk_help_points(&operator).await?;
    let Some(point) = points
        .iter()
        .find(|p| p.id == help_point || p.name == help_point)
    else {
        bail!("hulppunt '{help_point}' bestaat niet (geef de id of de precieze naam)");
    };
    let bytes =
        std::fs::read(file).with_context(|| format!("kan {} niet lezen", file.display()))?;
    let table = read_table(&bytes).map_err(|e| anyhow::anyhow!(e))?;
    let overrides = map
        .iter()
        .map(|m| {
            m.split_once('=')
                .map(|(f, c)| (f.trim().to_owned(), c.trim().to_owned()))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "--map verwacht veld=Kolom, bijvoorbeeld --map datum=\"Datum bezoek\""
                    )
                })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mapping = match Mapping::build(&table.headers, &overrides) {
        Ok(m) => m,
        Err(errors) => {
            for e in &errors {
                println!("{e}");
            }
            bail!("de kolommen passen niet; niets opgeslagen");
        }
    };
    for (field, column) in &mapping.columns {
        println!(
            "{:<14} <- kolom '{}'",
            field.name(),
            table.headers.get(*column).map_or("", String::as_str)
        );
    }
    let vocabulary = Vocabulary {
        topics: pairs(store.topic_categories().await?),
        agencies: pairs(store.category_list(CategoryList::Agency).await?),
        kinds: pairs(store.category_list(CategoryList::Kind).await?),
    };
    let categories = store.question_categories().await?;
    let plan = keten_core::help_question_import::plan(
        &table,
        &mapping,
        &vocabulary,
        &categories,
        crate::now(),
        point.region(),
    );
    for error in &plan.errors {
        println!("{error}");
    }
    let rows = table.rows.len();
    if !plan.is_ok() {
        println!(
            "{rows} regels gelezen, {} met fouten; niets opgeslagen.",
            plan.errors.len()
        );
        bail!("het bestand heeft fouten; verbeter ze en probeer het opnieuw");
    }
    if dry_run {
        println!("{rows} regels gelezen, alle goed; niets opgeslagen (proefrun).");
        return Ok(());
    }
    let visits: Vec<_> = plan.visits.into_iter().map(|(_, v)| v).collect();
    let bar = ProgressBar::new(visits.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} vragen ({per_sec}, nog {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let by = Registrar {
        source: Source::Import,
        user_id: None,
        link_id: None,
    };
    let written = store
        .import_visits(point, &visits, &by, crate::now().as_second(), |n| {
            bar.set_position(n)
        })
        .await
        .context("opslaan mislukt; er is niets opgeslagen")?;
    bar.finish_and_clear();
    println!("{written} vragen opgeslagen bij {}.", point.name);
    Ok(())
}

fn pairs(categories: Vec<Category>) -> Vec<(String, String)> {
    categories.into_iter().map(|c| (c.code, c.label)).collect()
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
    let (text, note) = read_help_point_file(&bytes).map_err(|e| anyhow::anyhow!(e))?;
    if let Some(note) = note {
        println!("Let op: {note}");
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
    for planned in &plan.help_points {
        if let Some(update) = &planned.existing {
            println!(
                "Regel {}: '{}' ({}) bestaat al bij {}. {}.",
                planned.line,
                planned.new.name,
                planned.new.postcode,
                planned.organisation_name,
                row_outcome_nl(Some(&update.changes))
            );
        }
    }
    let summary = report.summary_nl();
    if !report.is_ok() || !plan.errors.is_empty() {
        println!("{summary}; niets opgeslagen.");
        bail!("het bestand heeft fouten; verbeter ze en probeer het opnieuw");
    }
    let summary = format!("{summary}; {}", plan.outcome_nl());
    if dry_run {
        println!("{summary}; niets opgeslagen (proefrun).");
        return Ok(());
    }
    let outcome = store
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
        "{summary}. {} {}: {}.",
        stored_nl(outcome.created, outcome.updated),
        if names.len() == 1 {
            "Organisatie"
        } else {
            "Organisaties"
        },
        names.join(", ")
    );
    Ok(())
}
