//! A help point's details kept on their own pages: partners' consultation hours, exceptions, served municipalities, coordinates, mobile stops.
//!
//! Every write checks that the actor coordinates the help point (others get `NotFound`), touches the help
//! point's `updated_at` and bumps the directory revision in the same transaction, so the finder follows.

use crate::error::{Result, StoreError};
use crate::help_points::{ConsultationHour, bump_directory_revision, hours_json, parse_hours};
use crate::{Actor, Store, new_id};
use keten_core::directory_details::{ConsultationHourDraft, StopDraft};
use keten_core::geo::Point;
use keten_core::opening_hours::Exception;

/// Where a mobile or pop-up help point stands, with its own hours there.
#[derive(Debug, Clone, PartialEq)]
pub struct Stop {
    pub id: String,
    pub help_point_id: String,
    pub place_name: String,
    pub street_address: String,
    pub postcode: String,
    pub location: Point,
    pub hours: keten_core::opening_hours::OpeningHours,
}

#[derive(sqlx::FromRow)]
struct StopRow {
    id: String,
    help_point_id: String,
    place_name: String,
    street_address: String,
    postcode: String,
    lat: f64,
    lon: f64,
    hours: String,
}

impl TryFrom<StopRow> for Stop {
    type Error = StoreError;
    fn try_from(r: StopRow) -> Result<Self> {
        Ok(Stop {
            hours: parse_hours(&r.hours)?,
            location: Point {
                lat: r.lat,
                lon: r.lon,
            },
            id: r.id,
            help_point_id: r.help_point_id,
            place_name: r.place_name,
            street_address: r.street_address,
            postcode: r.postcode,
        })
    }
}

macro_rules! select_stops {
    () => {
        "SELECT id, help_point_id, place_name, street_address, postcode, lat, lon, hours FROM help_point_stops"
    };
}

fn stops_from(rows: Vec<StopRow>) -> Result<Vec<Stop>> {
    rows.into_iter().map(Stop::try_from).collect()
}

pub(crate) async fn all_stops(pool: &sqlx::AnyPool) -> Result<Vec<Stop>> {
    let rows: Vec<StopRow> = sqlx::query_as(concat!(
        select_stops!(),
        " ORDER BY help_point_id, place_name, id"
    ))
    .fetch_all(pool)
    .await?;
    stops_from(rows)
}

/// Writes a stop without checking who asks: callers check (or, loading the demo, need not).
pub(crate) async fn insert_stop<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    help_point_id: &str,
    draft: &StopDraft,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO help_point_stops (id, help_point_id, place_name, street_address, postcode, lat, lon, hours) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(help_point_id)
    .bind(&draft.place_name)
    .bind(&draft.street_address)
    .bind(&draft.postcode)
    .bind(draft.location.lat)
    .bind(draft.location.lon)
    .bind(hours_json(&draft.hours)?)
    .execute(executor)
    .await?;
    Ok(id)
}

/// An organisation that may hold consultation hours at a help point.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Partner {
    pub id: String,
    pub name: String,
}

async fn touch(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE help_points SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    bump_directory_revision(tx).await
}

impl Store {
    /// Organisations active in the municipality (the chain there): the partners that can hold an hour.
    pub async fn partners_in(&self, municipality_code: &str) -> Result<Vec<Partner>> {
        Ok(sqlx::query_as(
            "SELECT o.id, o.name FROM organisations o \
             JOIN organisation_municipalities m ON m.organisation_id = o.id \
             WHERE m.municipality_code = $1 ORDER BY o.name, o.id",
        )
        .bind(municipality_code)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The consultation hours at a help point the actor coordinates.
    pub async fn consultation_hours_at(
        &self,
        actor: &Actor,
        help_point_id: &str,
    ) -> Result<Vec<ConsultationHour>> {
        self.coordinated_help_point(actor, help_point_id).await?;
        self.directory_consultation_hours(Some(help_point_id)).await
    }

    /// Adds a partner's hour at a help point the actor coordinates.
    pub async fn add_consultation_hour(
        &self,
        actor: &Actor,
        help_point_id: &str,
        draft: &ConsultationHourDraft,
        now: i64,
    ) -> Result<String> {
        self.coordinated_help_point(actor, help_point_id).await?;
        self.create_consultation_hour(
            &crate::help_points::NewConsultationHour {
                help_point_id: help_point_id.to_owned(),
                organisation_id: draft.organisation_id.clone(),
                title: draft.title.clone(),
                topics: draft.topics.clone(),
                hours: draft.hours.clone(),
                appointment_needed: draft.appointment_needed,
            },
            now,
        )
        .await
    }

    /// Replaces a consultation hour; one at another help point gives `NotFound`.
    pub async fn update_consultation_hour(
        &self,
        actor: &Actor,
        help_point_id: &str,
        id: &str,
        draft: &ConsultationHourDraft,
        now: i64,
    ) -> Result<()> {
        self.coordinated_help_point(actor, help_point_id).await?;
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE consultation_hours SET organisation_id = $1, title = $2, hours = $3, appointment_needed = $4, \
             updated_at = $5 WHERE id = $6 AND help_point_id = $7",
        )
        .bind(&draft.organisation_id)
        .bind(&draft.title)
        .bind(hours_json(&draft.hours)?)
        .bind(i64::from(draft.appointment_needed))
        .bind(now)
        .bind(id)
        .bind(help_point_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM consultation_hour_topics WHERE consultation_hour_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for topic in &draft.topics {
            sqlx::query(
                "INSERT INTO consultation_hour_topics (consultation_hour_id, topic_code) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(topic)
            .execute(&mut *tx)
            .await?;
        }
        touch(&mut tx, help_point_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_consultation_hour(
        &self,
        actor: &Actor,
        help_point_id: &str,
        id: &str,
        now: i64,
    ) -> Result<()> {
        self.coordinated_help_point(actor, help_point_id).await?;
        let mut tx = self.pool.begin().await?;
        // The topic rows go with it (ON DELETE CASCADE is not on in every SQLite connection, so say it).
        sqlx::query("DELETE FROM consultation_hour_topics WHERE consultation_hour_id = $1 AND consultation_hour_id IN (SELECT id FROM consultation_hours WHERE help_point_id = $2)")
            .bind(id)
            .bind(help_point_id)
            .execute(&mut *tx)
            .await?;
        let gone =
            sqlx::query("DELETE FROM consultation_hours WHERE id = $1 AND help_point_id = $2")
                .bind(id)
                .bind(help_point_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        touch(&mut tx, help_point_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the dated exceptions of a help point's hours; weekly hours stay.
    pub async fn set_help_point_exceptions(
        &self,
        actor: &Actor,
        help_point_id: &str,
        exceptions: Vec<Exception>,
        now: i64,
    ) -> Result<()> {
        let hp = self.coordinated_help_point(actor, help_point_id).await?;
        let mut hours = hp.hours;
        hours.exceptions = exceptions;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE help_points SET hours = $1 WHERE id = $2")
            .bind(hours_json(&hours)?)
            .bind(help_point_id)
            .execute(&mut *tx)
            .await?;
        touch(&mut tx, help_point_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the municipalities served; the one the point stands in is always served.
    pub async fn set_municipalities_served(
        &self,
        actor: &Actor,
        help_point_id: &str,
        codes: &[String],
        now: i64,
    ) -> Result<()> {
        let hp = self.coordinated_help_point(actor, help_point_id).await?;
        let mut served: Vec<&String> = std::iter::once(&hp.municipality_code)
            .chain(codes)
            .collect();
        served.sort();
        served.dedup();
        let mut tx = self.pool.begin().await?;
        let serving =
            crate::rollups::before_serving_changes(&mut tx, &[help_point_id.to_owned()]).await?;
        sqlx::query("DELETE FROM help_point_municipalities WHERE help_point_id = $1")
            .bind(help_point_id)
            .execute(&mut *tx)
            .await?;
        for code in served {
            sqlx::query(
                "INSERT INTO help_point_municipalities (help_point_id, municipality_code) VALUES ($1, $2)",
            )
            .bind(help_point_id)
            .bind(code)
            .execute(&mut *tx)
            .await?;
        }
        touch(&mut tx, help_point_id, now).await?;
        crate::rollups::after_serving_changes(&mut tx, serving).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves the point on the map (the postcode's centre is only a first guess).
    pub async fn set_help_point_location(
        &self,
        actor: &Actor,
        help_point_id: &str,
        location: Point,
        now: i64,
    ) -> Result<()> {
        self.coordinated_help_point(actor, help_point_id).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE help_points SET lat = $1, lon = $2 WHERE id = $3")
            .bind(location.lat)
            .bind(location.lon)
            .bind(help_point_id)
            .execute(&mut *tx)
            .await?;
        touch(&mut tx, help_point_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A help point's stops (public, like the point itself).
    pub async fn stops_of(&self, help_point_id: &str) -> Result<Vec<Stop>> {
        let rows: Vec<StopRow> = sqlx::query_as(concat!(
            select_stops!(),
            " WHERE help_point_id = $1 ORDER BY place_name, id"
        ))
        .bind(help_point_id)
        .fetch_all(&self.pool)
        .await?;
        stops_from(rows)
    }

    pub async fn add_stop(
        &self,
        actor: &Actor,
        help_point_id: &str,
        draft: &StopDraft,
        now: i64,
    ) -> Result<String> {
        self.coordinated_help_point(actor, help_point_id).await?;
        let mut tx = self.pool.begin().await?;
        let id = insert_stop(&mut *tx, help_point_id, draft).await?;
        touch(&mut tx, help_point_id, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_stop(
        &self,
        actor: &Actor,
        help_point_id: &str,
        id: &str,
        draft: &StopDraft,
        now: i64,
    ) -> Result<()> {
        self.coordinated_help_point(actor, help_point_id).await?;
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE help_point_stops SET place_name = $1, street_address = $2, postcode = $3, lat = $4, lon = $5, \
             hours = $6 WHERE id = $7 AND help_point_id = $8",
        )
        .bind(&draft.place_name)
        .bind(&draft.street_address)
        .bind(&draft.postcode)
        .bind(draft.location.lat)
        .bind(draft.location.lon)
        .bind(hours_json(&draft.hours)?)
        .bind(id)
        .bind(help_point_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        touch(&mut tx, help_point_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_stop(
        &self,
        actor: &Actor,
        help_point_id: &str,
        id: &str,
        now: i64,
    ) -> Result<()> {
        self.coordinated_help_point(actor, help_point_id).await?;
        let mut tx = self.pool.begin().await?;
        let gone = sqlx::query("DELETE FROM help_point_stops WHERE id = $1 AND help_point_id = $2")
            .bind(id)
            .bind(help_point_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        touch(&mut tx, help_point_id, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
