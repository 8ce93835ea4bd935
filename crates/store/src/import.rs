//! Bulk import of help points (from a coordinator's spreadsheet): all rows in one transaction, or none.

use std::collections::HashSet;

use crate::Store;
use crate::error::Result;
use crate::help_points::{NewHelpPoint, bump_directory_revision, insert_help_point};
use keten_core::help_point_import::{HelpPointRow, duplicate_key};

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
