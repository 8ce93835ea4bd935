//! Help points to and from a coordinator's spreadsheet: the rows to download, and the import of all rows in one
//! transaction, or none.

use std::collections::{HashMap, HashSet};

use crate::Store;
use crate::error::Result;
use crate::help_points::{NewHelpPoint, bump_directory_revision, insert_help_point};
use keten_core::help_point_import::{HelpPointRow, ImportReport, RowError, duplicate_key};

impl NewHelpPoint {
    /// A checked spreadsheet row as a new help point of `organisation_id`.
    #[must_use]
    pub fn from_import_row(organisation_id: &str, row: &HelpPointRow) -> Self {
        Self {
            organisation_id: organisation_id.to_owned(),
            name: row.name.clone(),
            kind: row.kind,
            venue_kind: row.venue_kind,
            street_address: row.street_address.clone(),
            postcode: row.postcode.clone(),
            city: row.city.clone(),
            municipality_code: row.municipality_code.clone(),
            location: row.location,
            hours: row.hours.clone(),
            preparation: row.preparation.clone(),
            phone: row.phone.clone(),
            email: row.email.clone(),
            website: row.website.clone(),
            languages: row.languages.clone(),
            accessibility: row.accessibility,
            topics: row.topics.clone(),
            municipalities_served: Vec::new(),
        }
    }
}

impl Store {
    /// The help points the actor coordinates as spreadsheet rows (ordered by name), with the KvK and KBO numbers of
    /// the organisation running each, so reading the file in again finds the same organisation.
    pub async fn help_point_rows(&self, actor: &crate::Actor) -> Result<Vec<HelpPointRow>> {
        let identifiers = self.organisation_identifiers().await?;
        let mut rows = Vec::new();
        for listed in self.coordinated_help_points(actor).await? {
            let point = self.help_point(&listed.id).await?;
            let numbers = identifiers.get(&point.organisation_id);
            rows.push(HelpPointRow {
                line: rows.len() + 2,
                country: point.hours.region.into(),
                name: point.name,
                kind: point.kind,
                venue_kind: point.venue_kind,
                street_address: point.street_address,
                postcode: point.postcode,
                city: point.city,
                municipality_code: point.municipality_code,
                location: point.location,
                hours: point.hours,
                preparation: point.preparation,
                phone: point.phone,
                email: point.email,
                website: point.website,
                languages: point.languages,
                accessibility: point.accessibility,
                topics: point.topics,
                kvk_number: numbers.and_then(|n| n.kvk_number.clone()),
                kbo_number: numbers.and_then(|n| n.kbo_number.clone()),
            });
        }
        Ok(rows)
    }

    /// The (name, postcode) keys ([`duplicate_key`]) of the organisation's help points, to tell which rows of an
    /// import already exist ("bestaat al").
    pub async fn help_point_keys(
        &self,
        organisation_id: &str,
    ) -> Result<HashSet<(String, String)>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT name, postcode FROM help_points WHERE organisation_id = $1")
                .bind(organisation_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(|(name, postcode)| duplicate_key(name, postcode))
            .collect())
    }

    /// Creates the help points of `organisation_id` (each row's own `organisation_id` is ignored) with their topics
    /// and served municipalities, in ONE transaction: on any failure nothing is stored. Rows whose (name, postcode)
    /// the organisation already has, or that repeat an earlier row, are skipped, so importing a file twice stores it
    /// once. Moves the directory revision when anything was created. Returns how many help points were created.
    pub async fn import_help_points(
        &self,
        organisation_id: &str,
        rows: &[NewHelpPoint],
        now: i64,
    ) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        let existing: Vec<(String, String)> =
            sqlx::query_as("SELECT name, postcode FROM help_points WHERE organisation_id = $1")
                .bind(organisation_id)
                .fetch_all(&mut *tx)
                .await?;
        let mut keys: HashSet<(String, String)> = existing
            .iter()
            .map(|(name, postcode)| duplicate_key(name, postcode))
            .collect();
        let mut created = 0;
        for new in rows {
            if !keys.insert(duplicate_key(&new.name, &new.postcode)) {
                continue;
            }
            insert_help_point(&mut tx, organisation_id, new, now).await?;
            created += 1;
        }
        if created > 0 {
            // Finder instances rebuild their index when the revision moves.
            bump_directory_revision(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(created)
    }
}

/// One good row of an import, with the organisation that will run it.
#[derive(Debug, Clone)]
pub struct PlannedHelpPoint {
    pub line: usize,
    pub organisation_id: String,
    pub organisation_name: String,
    pub new: NewHelpPoint,
    /// The organisation already has a help point with this name and postcode: it is skipped.
    pub exists: bool,
}

/// What an import would do: the rows to store, and the rows that cannot be stored because their organisation is
/// unknown or not the importer's.
#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    pub help_points: Vec<PlannedHelpPoint>,
    pub errors: Vec<RowError>,
}

impl ImportPlan {
    /// Rows that would be created (not yet existing).
    #[must_use]
    pub fn to_create(&self) -> usize {
        self.help_points.iter().filter(|p| !p.exists).count()
    }

    #[must_use]
    pub fn already_there(&self) -> usize {
        self.help_points.iter().filter(|p| p.exists).count()
    }
}

/// An organisation an import may use: id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOrganisation {
    pub id: String,
    pub name: String,
}

impl Store {
    /// Picks the organisation of every good row of a checked file: the one with the row's `kvk` or `kbo` number
    /// when given, else `default`. `allowed` says which organisations the importer may add help points to; a row
    /// for another organisation, or with a number no organisation (or several) has, becomes a row error. Marks rows
    /// that their organisation already has.
    pub async fn plan_help_point_import(
        &self,
        report: &ImportReport,
        default: Option<&ImportOrganisation>,
        allowed: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<ImportPlan> {
        let mut plan = ImportPlan::default();
        let mut keys: HashMap<String, HashSet<(String, String)>> = HashMap::new();
        for row in report.help_points() {
            let error = |message: String, field: &str| RowError {
                line: row.line,
                field: field.to_owned(),
                message,
            };
            let (organisation, field) = if row.kvk_number.is_some() || row.kbo_number.is_some() {
                let found = self
                    .organisations_with_identifier(
                        row.kvk_number.as_deref(),
                        row.kbo_number.as_deref(),
                    )
                    .await?;
                let field = if row.kvk_number.is_some() {
                    "kvk"
                } else {
                    "kbo"
                };
                let number = row
                    .kvk_number
                    .clone()
                    .or_else(|| row.kbo_number.clone())
                    .unwrap_or_default();
                match found.as_slice() {
                    [] => {
                        plan.errors.push(error(
                            format!(
                                "Geen organisatie heeft nummer {number}. Zet het KvK- of KBO-nummer eerst bij de organisatie."
                            ),
                            field,
                        ));
                        continue;
                    }
                    [(id, name)] => (
                        ImportOrganisation {
                            id: id.clone(),
                            name: name.clone(),
                        },
                        field,
                    ),
                    several => {
                        let names: Vec<&str> = several.iter().map(|(_, n)| n.as_str()).collect();
                        plan.errors.push(error(
                            format!(
                                "Meerdere organisaties passen bij dit nummer ({}). Geef het KvK- of het KBO-nummer, niet allebei, of kies de organisatie zelf.",
                                names.join(", ")
                            ),
                            field,
                        ));
                        continue;
                    }
                }
            } else if let Some(default) = default {
                (default.clone(), "")
            } else {
                plan.errors.push(error(
                    "Vul het KvK- of KBO-nummer van de organisatie in, of kies de organisatie bij het inlezen.".into(),
                    "",
                ));
                continue;
            };
            if !allowed(&organisation.id) {
                plan.errors.push(error(
                    format!(
                        "U mag geen hulppunten toevoegen voor {}.",
                        organisation.name
                    ),
                    field,
                ));
                continue;
            }
            if !keys.contains_key(&organisation.id) {
                let existing = self.help_point_keys(&organisation.id).await?;
                keys.insert(organisation.id.clone(), existing);
            }
            let exists = keys
                .get(&organisation.id)
                .is_some_and(|k| k.contains(&row.key()));
            plan.help_points.push(PlannedHelpPoint {
                line: row.line,
                new: NewHelpPoint::from_import_row(&organisation.id, row),
                organisation_id: organisation.id,
                organisation_name: organisation.name,
                exists,
            });
        }
        plan.errors.sort_by_key(|e| e.line);
        Ok(plan)
    }

    /// Stores a plan's help points in ONE transaction (each with its own organisation); rows their organisation
    /// already has, or that repeat an earlier row, are skipped. Returns how many were created.
    pub async fn import_planned_help_points(&self, plan: &ImportPlan, now: i64) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        let mut keys: HashMap<String, HashSet<(String, String)>> = HashMap::new();
        let mut created = 0;
        for planned in &plan.help_points {
            if !keys.contains_key(&planned.organisation_id) {
                let existing: Vec<(String, String)> = sqlx::query_as(
                    "SELECT name, postcode FROM help_points WHERE organisation_id = $1",
                )
                .bind(&planned.organisation_id)
                .fetch_all(&mut *tx)
                .await?;
                keys.insert(
                    planned.organisation_id.clone(),
                    existing
                        .iter()
                        .map(|(name, postcode)| duplicate_key(name, postcode))
                        .collect(),
                );
            }
            let fresh = keys
                .get_mut(&planned.organisation_id)
                .is_some_and(|k| k.insert(duplicate_key(&planned.new.name, &planned.new.postcode)));
            if !fresh {
                continue;
            }
            insert_help_point(&mut tx, &planned.organisation_id, &planned.new, now).await?;
            created += 1;
        }
        if created > 0 {
            bump_directory_revision(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(created)
    }
}
