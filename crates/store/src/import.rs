//! Help points to and from a coordinator's spreadsheet: the rows to download, and the import of all rows in one
//! transaction, or none.

use std::collections::{HashMap, HashSet};

use crate::Store;
use crate::error::Result;
use crate::help_points::{
    HelpPoint, NewHelpPoint, bump_directory_revision, hours_json, insert_help_point, replace_topics,
};
use keten_core::help_point_import::{
    Column, HelpPointRow, ImportReport, RowError, duplicate_key, outcome_nl,
};
use keten_core::organisation::OrganisationIdentifiers;

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
        // One help point at a time: a coordinator keeps tens of them, and `directory()` would read every one.
        for listed in self.coordinated_help_points(actor).await? {
            let point = self.help_point(&listed.id).await?;
            let numbers = identifiers.get(&point.organisation_id).cloned();
            rows.push(import_row(
                point,
                rows.len() + 2,
                numbers.unwrap_or_default(),
            ));
        }
        Ok(rows)
    }

    /// The organisation's help points by (name, postcode) key ([`duplicate_key`]), to tell which rows of an import
    /// are for a help point it already has.
    async fn help_point_ids_by_key(
        &self,
        organisation_id: &str,
    ) -> Result<HashMap<(String, String), String>> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, name, postcode FROM help_points WHERE organisation_id = $1")
                .bind(organisation_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, postcode)| (duplicate_key(&name, &postcode), id))
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

/// A stored help point as a spreadsheet row (see [`HelpPointRow::cells`]).
fn import_row(point: HelpPoint, line: usize, numbers: OrganisationIdentifiers) -> HelpPointRow {
    HelpPointRow {
        line,
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
        kvk_number: numbers.kvk_number,
        kbo_number: numbers.kbo_number,
    }
}

/// One good row of an import, with the organisation that will run it.
#[derive(Debug, Clone)]
pub struct PlannedHelpPoint {
    pub line: usize,
    pub organisation_id: String,
    pub organisation_name: String,
    pub new: NewHelpPoint,
    /// The organisation already has a help point with this name and postcode: the row is for that one.
    pub existing: Option<PlannedUpdate>,
}

/// What a row does to the help point it is for.
#[derive(Debug, Clone)]
pub struct PlannedUpdate {
    pub id: String,
    /// The help point as it will be: as stored, with the file's columns ([`HelpPointRow::updated_with`]).
    pub updated: HelpPointRow,
    /// The columns that change; none when the row says what is stored already.
    pub changes: Vec<Column>,
}

/// What an import would do: the rows to store, and the rows that cannot be stored because their organisation is
/// unknown or not the importer's.
#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    pub help_points: Vec<PlannedHelpPoint>,
    pub errors: Vec<RowError>,
}

impl ImportPlan {
    /// Rows for help points that do not exist yet.
    #[must_use]
    pub fn to_create(&self) -> usize {
        self.help_points
            .iter()
            .filter(|p| p.existing.is_none())
            .count()
    }

    /// Rows that change an existing help point.
    #[must_use]
    pub fn to_update(&self) -> usize {
        self.updates().filter(|u| !u.changes.is_empty()).count()
    }

    /// Rows that say what is stored already.
    #[must_use]
    pub fn unchanged(&self) -> usize {
        self.updates().filter(|u| u.changes.is_empty()).count()
    }

    fn updates(&self) -> impl Iterator<Item = &PlannedUpdate> {
        self.help_points.iter().filter_map(|p| p.existing.as_ref())
    }

    /// `1 nieuw, 2 aangepast`: see [`outcome_nl`].
    #[must_use]
    pub fn outcome_nl(&self) -> String {
        outcome_nl(self.to_create(), self.to_update(), self.unchanged())
    }
}

/// What storing a plan did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub created: usize,
    pub updated: usize,
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
        let mut keys: HashMap<String, HashMap<(String, String), String>> = HashMap::new();
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
                let existing = self.help_point_ids_by_key(&organisation.id).await?;
                keys.insert(organisation.id.clone(), existing);
            }
            let existing_id = keys
                .get(&organisation.id)
                .and_then(|k| k.get(&row.key()))
                .cloned();
            let existing = match existing_id {
                Some(id) => {
                    let stored = import_row(
                        self.help_point(&id).await?,
                        row.line,
                        OrganisationIdentifiers::default(),
                    );
                    let updated = stored.updated_with(row, &report.columns);
                    Some(PlannedUpdate {
                        changes: stored.changed_columns(&updated),
                        id,
                        updated,
                    })
                }
                None => None,
            };
            plan.help_points.push(PlannedHelpPoint {
                line: row.line,
                new: NewHelpPoint::from_import_row(&organisation.id, row),
                organisation_id: organisation.id,
                organisation_name: organisation.name,
                existing,
            });
        }
        plan.errors.sort_by_key(|e| e.line);
        Ok(plan)
    }

    /// Stores a plan in ONE transaction: new help points (each with its own organisation) are created, existing ones
    /// changed as planned. Rows for a help point that appeared since the check, or that repeat an earlier row, are
    /// skipped. Editing is not checking: `last_checked_at` stays.
    pub async fn import_planned_help_points(
        &self,
        plan: &ImportPlan,
        now: i64,
    ) -> Result<ImportOutcome> {
        let mut tx = self.pool.begin().await?;
        let mut keys: HashMap<String, HashSet<(String, String)>> = HashMap::new();
        let mut outcome = ImportOutcome::default();
        for planned in &plan.help_points {
            if let Some(update) = &planned.existing {
                if !update.changes.is_empty() {
                    update_from_import(&mut tx, &update.id, &update.updated, now).await?;
                    outcome.updated += 1;
                }
                continue;
            }
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
            outcome.created += 1;
        }
        if outcome != ImportOutcome::default() {
            bump_directory_revision(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }
}

/// Writes the spreadsheet's fields of an existing help point; status, coordinates, served municipalities and
/// `last_checked_at` are not in the spreadsheet and stay.
async fn update_from_import(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    row: &HelpPointRow,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE help_points SET name = $1, kind = $2, venue_kind = $3, street_address = $4, postcode = $5, city = $6, \
         hours = $7, preparation = $8, phone = $9, email = $10, website = $11, languages = $12, step_free = $13, \
         accessible_toilet = $14, hearing_loop = $15, quiet_room = $16, updated_at = $17 WHERE id = $18",
    )
    .bind(row.name.trim())
    .bind(row.kind.as_str())
    .bind(row.venue_kind.as_str())
    .bind(row.street_address.trim())
    .bind(row.postcode.trim())
    .bind(row.city.trim())
    .bind(hours_json(&row.hours)?)
    .bind(row.preparation.trim())
    .bind(row.phone.as_deref())
    .bind(row.email.as_deref())
    .bind(row.website.as_deref())
    .bind(row.languages.join(","))
    .bind(i64::from(row.accessibility.step_free))
    .bind(i64::from(row.accessibility.accessible_toilet))
    .bind(i64::from(row.accessibility.hearing_loop))
    .bind(i64::from(row.accessibility.quiet_room))
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    replace_topics(tx, id, &row.topics).await
}
