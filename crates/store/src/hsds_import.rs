//! Storing an imported HSDS data package: organisations, topics, help points, their stops and consultation hours in
//! ONE transaction, updating rows that already exist instead of duplicating them; a dry run rolls it all back.

use crate::Store;
use crate::error::Result;
use crate::help_points::{
    NewConsultationHour, NewHelpPoint, bump_directory_revision, hours_json,
    insert_help_point_links, insert_help_point_with_id,
};
use keten_core::directory::HelpPointStatus;
use std::collections::HashMap;

/// An organisation of the package.
#[derive(Debug, Clone)]
pub struct ImportOrganisation {
    /// The HSDS id; kept as keten's id for new organisations.
    pub id: String,
    pub name: String,
    /// Where its first imported help point or consultation hour lies.
    pub municipality_code: String,
    /// Its KvK and KBO numbers, if the package has them: they match an organisation keten already has.
    pub identifiers: keten_core::organisation::OrganisationIdentifiers,
}

/// A help point (HSDS location) of the package.
#[derive(Debug, Clone)]
pub struct ImportHelpPoint {
    pub id: String,
    /// `new.organisation_id` is the package's organisation id (mapped to a matched organisation when stored).
    pub new: NewHelpPoint,
    pub status: HelpPointStatus,
    pub status_reason: Option<String>,
    pub updated_at: i64,
}

/// A consultation hour (a partner's service at a location) of the package.
#[derive(Debug, Clone)]
pub struct ImportConsultationHour {
    pub id: String,
    pub new: NewConsultationHour,
    pub updated_at: i64,
}

/// A stop of a mobile or pop-up help point (an HSDS location where the help point's own service is also offered).
#[derive(Debug, Clone)]
pub struct ImportStop {
    pub id: String,
    pub help_point_id: String,
    pub place_name: String,
    pub street_address: String,
    pub postcode: String,
    pub location: keten_core::geo::Point,
    pub hours: keten_core::opening_hours::OpeningHours,
}

/// A topic (taxonomy term) the directory does not know yet.
#[derive(Debug, Clone)]
pub struct ImportTopic {
    pub code: String,
    pub label: String,
}

/// Everything an HSDS import stores.
#[derive(Debug, Clone, Default)]
pub struct HsdsImport {
    pub organisations: Vec<ImportOrganisation>,
    pub topics: Vec<ImportTopic>,
    pub help_points: Vec<ImportHelpPoint>,
    pub consultation_hours: Vec<ImportConsultationHour>,
    pub stops: Vec<ImportStop>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub organisations_created: usize,
    pub organisations_updated: usize,
    pub topics_created: usize,
    pub help_points_created: usize,
    pub help_points_updated: usize,
    pub consultation_hours_created: usize,
    pub consultation_hours_updated: usize,
    pub stops_created: usize,
    pub stops_updated: usize,
}

async fn exists(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    sql: &'static str,
    id: &str,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

impl Store {
    /// Stores `plan` in one transaction. An organisation is matched by id, else by its KvK or KBO number, else by
    /// the same name (ignoring case) in the same municipality; a matched one keeps its id and gets the package's name. Help points and consultation
    /// hours are matched by id and overwritten. With `dry_run` everything is done and then rolled back, so the
    /// outcome is exact and nothing is stored.
    pub async fn import_hsds(
        &self,
        plan: &HsdsImport,
        now: i64,
        dry_run: bool,
    ) -> Result<ImportOutcome> {
        let mut out = ImportOutcome::default();
        let mut tx = self.pool.begin().await?;
        // An imported help point may stand in or serve other municipalities than before.
        let points: Vec<String> = plan.help_points.iter().map(|hp| hp.id.clone()).collect();
        let serving = crate::rollups::before_serving_changes(&mut tx, &points).await?;
        let mut org_ids: HashMap<&str, String> = HashMap::new();
        for o in &plan.organisations {
            let by_id = exists(
                &mut tx,
                "SELECT COUNT(*) FROM organisations WHERE id = $1",
                &o.id,
            )
            .await?;
            // NULL never equals NULL, so a number the package leaves out matches nothing.
            let by_number = if by_id {
                None
            } else {
                sqlx::query_scalar::<_, String>(
                    "SELECT id FROM organisations WHERE kvk_number = $1 OR kbo_number = $2 \
                     ORDER BY created_at, id LIMIT 1",
                )
                .bind(o.identifiers.kvk_number.as_deref())
                .bind(o.identifiers.kbo_number.as_deref())
                .fetch_optional(&mut *tx)
                .await?
            };
            let id = if by_id {
                Some(o.id.clone())
            } else if by_number.is_some() {
                by_number
            } else {
                sqlx::query_scalar::<_, String>(
                    "SELECT id FROM organisations WHERE LOWER(name) = LOWER($1) AND municipality_code = $2 \
                     ORDER BY created_at, id LIMIT 1",
                )
                .bind(o.name.trim())
                .bind(&o.municipality_code)
                .fetch_optional(&mut *tx)
                .await?
            };
            if let Some(id) = id {
                // Numbers the package gives are kept; numbers it leaves out stay as they were.
                sqlx::query(
                    "UPDATE organisations SET name = $1, updated_at = $2, \
                     kvk_number = COALESCE($4, kvk_number), kbo_number = COALESCE($5, kbo_number) WHERE id = $3",
                )
                .bind(o.name.trim())
                .bind(now)
                .bind(&id)
                .bind(o.identifiers.kvk_number.as_deref())
                .bind(o.identifiers.kbo_number.as_deref())
                .execute(&mut *tx)
                .await?;
                out.organisations_updated += 1;
                org_ids.insert(&o.id, id);
                continue;
            }
            // Imported organisations are partners of the chain until an admin says otherwise.
            sqlx::query(
                "INSERT INTO organisations (id, name, kind, sector, municipality_code, kvk_number, kbo_number, \
                 created_at, updated_at) VALUES ($1, $2, 'partner', 'civil', $3, $5, $6, $4, $4)",
            )
            .bind(&o.id)
            .bind(o.name.trim())
            .bind(&o.municipality_code)
            .bind(now)
            .bind(o.identifiers.kvk_number.as_deref())
            .bind(o.identifiers.kbo_number.as_deref())
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO organisation_municipalities (organisation_id, municipality_code) VALUES ($1, $2)",
            )
            .bind(&o.id)
            .bind(&o.municipality_code)
            .execute(&mut *tx)
            .await?;
            out.organisations_created += 1;
            org_ids.insert(&o.id, o.id.clone());
        }
        let org = |id: &str| org_ids.get(id).cloned().unwrap_or_else(|| id.to_owned());

        for t in &plan.topics {
            let position: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM topics")
                    .fetch_one(&mut *tx)
                    .await?;
            let done = sqlx::query(
                "INSERT INTO topics (code, label, parent_code, position) VALUES ($1, $2, NULL, $3) \
                 ON CONFLICT (code) DO NOTHING",
            )
            .bind(&t.code)
            .bind(&t.label)
            .bind(position)
            .execute(&mut *tx)
            .await?;
            out.topics_created += usize::try_from(done.rows_affected()).unwrap_or(0);
        }

        for hp in &plan.help_points {
            let organisation_id = org(&hp.new.organisation_id);
            let n = &hp.new;
            if exists(
                &mut tx,
                "SELECT COUNT(*) FROM help_points WHERE id = $1",
                &hp.id,
            )
            .await?
            {
                sqlx::query(
                    "UPDATE help_points SET organisation_id = $1, name = $2, kind = $3, venue_kind = $4, \
                     street_address = $5, postcode = $6, city = $7, municipality_code = $8, lat = $9, lon = $10, \
                     hours = $11, preparation = $12, phone = $13, email = $14, website = $15, languages = $16, \
                     step_free = $17, accessible_toilet = $18, hearing_loop = $19, quiet_room = $20 WHERE id = $21",
                )
                .bind(&organisation_id)
                .bind(n.name.trim())
                .bind(n.kind.as_str())
                .bind(n.venue_kind.as_str())
                .bind(n.street_address.trim())
                .bind(n.postcode.trim())
                .bind(n.city.trim())
                .bind(&n.municipality_code)
                .bind(n.location.lat)
                .bind(n.location.lon)
                .bind(hours_json(&n.hours)?)
                .bind(n.preparation.trim())
                .bind(n.phone.as_deref())
                .bind(n.email.as_deref())
                .bind(n.website.as_deref())
                .bind(n.languages.join(","))
                .bind(i64::from(n.accessibility.step_free))
                .bind(i64::from(n.accessibility.accessible_toilet))
                .bind(i64::from(n.accessibility.hearing_loop))
                .bind(i64::from(n.accessibility.quiet_room))
                .bind(&hp.id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM help_point_topics WHERE help_point_id = $1")
                    .bind(&hp.id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM help_point_municipalities WHERE help_point_id = $1")
                    .bind(&hp.id)
                    .execute(&mut *tx)
                    .await?;
                insert_help_point_links(&mut tx, &hp.id, n).await?;
                out.help_points_updated += 1;
            } else {
                insert_help_point_with_id(&mut tx, &hp.id, &organisation_id, n, hp.updated_at)
                    .await?;
                out.help_points_created += 1;
            }
            sqlx::query(
                "UPDATE help_points SET status = $1, status_reason = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(hp.status.as_str())
            .bind(hp.status_reason.as_deref())
            .bind(hp.updated_at)
            .bind(&hp.id)
            .execute(&mut *tx)
            .await?;
        }
        crate::rollups::after_serving_changes(&mut tx, serving).await?;

        for ch in &plan.consultation_hours {
            let n = &ch.new;
            let organisation_id = org(&n.organisation_id);
            if exists(
                &mut tx,
                "SELECT COUNT(*) FROM consultation_hours WHERE id = $1",
                &ch.id,
            )
            .await?
            {
                sqlx::query(
                    "UPDATE consultation_hours SET help_point_id = $1, organisation_id = $2, title = $3, hours = $4, \
                     appointment_needed = $5, updated_at = $6 WHERE id = $7",
                )
                .bind(&n.help_point_id)
                .bind(&organisation_id)
                .bind(n.title.trim())
                .bind(hours_json(&n.hours)?)
                .bind(i64::from(n.appointment_needed))
                .bind(ch.updated_at)
                .bind(&ch.id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM consultation_hour_topics WHERE consultation_hour_id = $1")
                    .bind(&ch.id)
                    .execute(&mut *tx)
                    .await?;
                out.consultation_hours_updated += 1;
            } else {
                sqlx::query(
                    "INSERT INTO consultation_hours (id, help_point_id, organisation_id, title, hours, \
                     appointment_needed, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                )
                .bind(&ch.id)
                .bind(&n.help_point_id)
                .bind(&organisation_id)
                .bind(n.title.trim())
                .bind(hours_json(&n.hours)?)
                .bind(i64::from(n.appointment_needed))
                .bind(ch.updated_at)
                .execute(&mut *tx)
                .await?;
                out.consultation_hours_created += 1;
            }
            let mut topics: Vec<&String> = n.topics.iter().collect();
            topics.sort();
            topics.dedup();
            for topic in topics {
                sqlx::query(
                    "INSERT INTO consultation_hour_topics (consultation_hour_id, topic_code) VALUES ($1, $2)",
                )
                .bind(&ch.id)
                .bind(topic)
                .execute(&mut *tx)
                .await?;
            }
        }

        for stop in &plan.stops {
            // Matched by id, like help points: an export imports back onto the same rows.
            let updated = sqlx::query(
                "UPDATE help_point_stops SET help_point_id = $1, place_name = $2, street_address = $3, postcode = $4, \
                 lat = $5, lon = $6, hours = $7 WHERE id = $8",
            )
            .bind(&stop.help_point_id)
            .bind(stop.place_name.trim())
            .bind(stop.street_address.trim())
            .bind(stop.postcode.trim())
            .bind(stop.location.lat)
            .bind(stop.location.lon)
            .bind(hours_json(&stop.hours)?)
            .bind(&stop.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated > 0 {
                out.stops_updated += 1;
                continue;
            }
            sqlx::query(
                "INSERT INTO help_point_stops (id, help_point_id, place_name, street_address, postcode, lat, lon, hours) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&stop.id)
            .bind(&stop.help_point_id)
            .bind(stop.place_name.trim())
            .bind(stop.street_address.trim())
            .bind(stop.postcode.trim())
            .bind(stop.location.lat)
            .bind(stop.location.lon)
            .bind(hours_json(&stop.hours)?)
            .execute(&mut *tx)
            .await?;
            out.stops_created += 1;
        }

        if dry_run {
            tx.rollback().await?;
            return Ok(out);
        }
        if out != ImportOutcome::default() {
            // Finder instances rebuild their index when the revision moves.
            bump_directory_revision(&mut tx).await?;
        }
        tx.commit().await?;
        // New topics show at once in this process (other processes follow the revision counter).
        self.forget_categories();
        Ok(out)
    }
}
