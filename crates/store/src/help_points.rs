//! The help-point directory: help points, their topics and hours, partners' consultation hours.

use crate::error::{Result, StoreError};
use crate::{Store, new_id, parse_code};
use keten_core::directory::{Accessibility, HelpPointStatus};
use keten_core::geo::Point;
use keten_core::opening_hours::OpeningHours;
use keten_core::organisation::{HelpPointKind, VenueKind};

/// A help point with everything the finder and its page show.
#[derive(Debug, Clone, PartialEq)]
pub struct HelpPoint {
    pub id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub name: String,
    pub kind: HelpPointKind,
    pub venue_kind: VenueKind,
    pub street_address: String,
    pub postcode: String,
    pub city: String,
    pub municipality_code: String,
    pub location: Point,
    pub status: HelpPointStatus,
    pub status_reason: Option<String>,
    pub reopens_on: Option<String>,
    pub hours: OpeningHours,
    /// How to prepare a visit, in plain words ("Neem uw DigiD-brief mee").
    pub preparation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub languages: Vec<String>,
    pub accessibility: Accessibility,
    /// When a person last confirmed these details (not the same as `updated_at`).
    pub last_checked_at: Option<i64>,
    pub topics: Vec<String>,
    pub municipalities_served: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Everything needed to create a help point.
#[derive(Debug, Clone)]
pub struct NewHelpPoint {
    pub organisation_id: String,
    pub name: String,
    pub kind: HelpPointKind,
    pub venue_kind: VenueKind,
    pub street_address: String,
    pub postcode: String,
    pub city: String,
    pub municipality_code: String,
    pub location: Point,
    pub hours: OpeningHours,
    pub preparation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub languages: Vec<String>,
    pub accessibility: Accessibility,
    pub topics: Vec<String>,
    /// Further municipalities served besides the one it sits in.
    pub municipalities_served: Vec<String>,
}

/// A partner's recurring hour at a help point.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsultationHour {
    pub id: String,
    pub help_point_id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub title: String,
    pub topics: Vec<String>,
    pub hours: OpeningHours,
    pub appointment_needed: bool,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewConsultationHour {
    pub help_point_id: String,
    pub organisation_id: String,
    pub title: String,
    pub topics: Vec<String>,
    pub hours: OpeningHours,
    pub appointment_needed: bool,
}

/// The whole directory, as the finder's index is built from it.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub help_points: Vec<HelpPoint>,
    pub consultation_hours: Vec<ConsultationHour>,
    /// Stops of mobile or pop-up help points, each found at its own place.
    pub stops: Vec<crate::help_point_details::Stop>,
}

/// Changes whenever the directory changes; instances compare it to know when to rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DirectoryVersion {
    pub revision: i64,
}

/// Every write to the directory calls this inside its transaction.
pub(crate) async fn bump_directory_revision(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
) -> Result<()> {
    sqlx::query("UPDATE directory_revision SET revision = revision + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Writes one help point with its topics and served municipalities inside
/// the caller's transaction (one statement set for creating and importing);
/// `organisation_id` overrides `new.organisation_id`. Returns the new id.
pub(crate) async fn insert_help_point(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    organisation_id: &str,
    new: &NewHelpPoint,
    now: i64,
) -> Result<String> {
    let id = new_id();
    insert_help_point_with_id(tx, &id, organisation_id, new, now).await?;
    Ok(id)
}

/// [`insert_help_point`] with a given id (an HSDS import keeps the location's id).
pub(crate) async fn insert_help_point_with_id(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    organisation_id: &str,
    new: &NewHelpPoint,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO help_points (id, organisation_id, name, kind, venue_kind, street_address, postcode, city, \
         municipality_code, lat, lon, hours, preparation, phone, email, website, languages, step_free, \
         accessible_toilet, hearing_loop, quiet_room, last_checked_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22, $22)",
    )
    .bind(id)
    .bind(organisation_id)
    .bind(new.name.trim())
    .bind(new.kind.as_str())
    .bind(new.venue_kind.as_str())
    .bind(new.street_address.trim())
    .bind(new.postcode.trim())
    .bind(new.city.trim())
    .bind(&new.municipality_code)
    .bind(new.location.lat)
    .bind(new.location.lon)
    .bind(hours_json(&new.hours)?)
    .bind(new.preparation.trim())
    .bind(new.phone.as_deref())
    .bind(new.email.as_deref())
    .bind(new.website.as_deref())
    .bind(new.languages.join(","))
    .bind(i64::from(new.accessibility.step_free))
    .bind(i64::from(new.accessibility.accessible_toilet))
    .bind(i64::from(new.accessibility.hearing_loop))
    .bind(i64::from(new.accessibility.quiet_room))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    insert_help_point_links(tx, id, new).await
}

/// Sets a help point's topics to `topics` (repeats dropped).
pub(crate) async fn replace_topics(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    topics: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM help_point_topics WHERE help_point_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let mut topics: Vec<&String> = topics.iter().collect();
    topics.sort();
    topics.dedup();
    for topic in topics {
        sqlx::query("INSERT INTO help_point_topics (help_point_id, topic_code) VALUES ($1, $2)")
            .bind(id)
            .bind(topic)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The topics and served municipalities of a help point (its own municipality always among them).
pub(crate) async fn insert_help_point_links(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    new: &NewHelpPoint,
) -> Result<()> {
    replace_topics(tx, id, &new.topics).await?;
    let mut served: Vec<&String> = std::iter::once(&new.municipality_code)
        .chain(&new.municipalities_served)
        .collect();
    served.sort();
    served.dedup();
    for code in served {
        sqlx::query("INSERT INTO help_point_municipalities (help_point_id, municipality_code) VALUES ($1, $2)")
            .bind(id)
            .bind(code)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    organisation_id: String,
    organisation_name: String,
    name: String,
    kind: String,
    venue_kind: String,
    street_address: String,
    postcode: String,
    city: String,
    municipality_code: String,
    lat: f64,
    lon: f64,
    status: String,
    status_reason: Option<String>,
    reopens_on: Option<String>,
    hours: String,
    preparation: String,
    phone: Option<String>,
    email: Option<String>,
    website: Option<String>,
    languages: String,
    step_free: i64,
    accessible_toilet: i64,
    hearing_loop: i64,
    quiet_room: i64,
    last_checked_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

macro_rules! select_help_points {
    () => {
        "SELECT h.id, h.organisation_id, o.name AS organisation_name, h.name, h.kind, h.venue_kind, \
         h.street_address, h.postcode, h.city, h.municipality_code, h.lat, h.lon, h.status, h.status_reason, \
         h.reopens_on, h.hours, h.preparation, h.phone, h.email, h.website, h.languages, h.step_free, \
         h.accessible_toilet, h.hearing_loop, h.quiet_room, h.last_checked_at, h.created_at, h.updated_at \
         FROM help_points h JOIN organisations o ON o.id = h.organisation_id"
    };
}

pub(crate) fn parse_hours(json: &str) -> Result<OpeningHours> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("opening hours: {e}")))
}

pub(crate) fn hours_json(hours: &OpeningHours) -> Result<String> {
    serde_json::to_string(hours).map_err(|e| StoreError::Corrupt(format!("opening hours: {e}")))
}

impl TryFrom<Row> for HelpPoint {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        Ok(HelpPoint {
            kind: parse_code(&r.kind)?,
            venue_kind: parse_code(&r.venue_kind)?,
            status: parse_code(&r.status)?,
            hours: parse_hours(&r.hours)?,
            languages: r
                .languages
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            accessibility: Accessibility {
                step_free: r.step_free != 0,
                accessible_toilet: r.accessible_toilet != 0,
                hearing_loop: r.hearing_loop != 0,
                quiet_room: r.quiet_room != 0,
            },
            location: Point {
                lat: r.lat,
                lon: r.lon,
            },
            id: r.id,
            organisation_id: r.organisation_id,
            organisation_name: r.organisation_name,
            name: r.name,
            street_address: r.street_address,
            postcode: r.postcode,
            city: r.city,
            municipality_code: r.municipality_code,
            status_reason: r.status_reason,
            reopens_on: r.reopens_on,
            preparation: r.preparation,
            phone: r.phone,
            email: r.email,
            website: r.website,
            last_checked_at: r.last_checked_at,
            topics: Vec::new(),
            municipalities_served: Vec::new(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ConsultationRow {
    id: String,
    help_point_id: String,
    organisation_id: String,
    organisation_name: String,
    title: String,
    hours: String,
    appointment_needed: i64,
    updated_at: i64,
}

macro_rules! select_consultation_hours {
    () => {
        "SELECT c.id, c.help_point_id, c.organisation_id, o.name AS organisation_name, \
         c.title, c.hours, c.appointment_needed, c.updated_at \
         FROM consultation_hours c JOIN organisations o ON o.id = c.organisation_id"
    };
}

/// Groups (key, value) pairs by key, for the link tables.
fn group(pairs: Vec<(String, String)>) -> std::collections::HashMap<String, Vec<String>> {
    let mut map: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for (k, v) in pairs {
        map.entry(k).or_default().push(v);
    }
    map
}

impl Store {
    /// Creates a help point with its topics and served municipalities, in one transaction.
    pub async fn create_help_point(&self, new: &NewHelpPoint, now: i64) -> Result<HelpPoint> {
        let mut tx = self.pool.begin().await?;
        let id = insert_help_point(&mut tx, &new.organisation_id, new, now).await?;
        bump_directory_revision(&mut tx).await?;
        tx.commit().await?;
        self.help_point(&id).await
    }

    /// Help points are public information: no actor is needed to read them.
    pub async fn help_point(&self, id: &str) -> Result<HelpPoint> {
        let row: Row = sqlx::query_as(concat!(select_help_points!(), " WHERE h.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut hp = HelpPoint::try_from(row)?;
        hp.topics = sqlx::query_scalar(
            "SELECT topic_code FROM help_point_topics WHERE help_point_id = $1 ORDER BY topic_code",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        hp.municipalities_served = sqlx::query_scalar(
            "SELECT municipality_code FROM help_point_municipalities WHERE help_point_id = $1 ORDER BY municipality_code",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(hp)
    }

    /// Adds a partner's consultation hour at a help point.
    pub async fn create_consultation_hour(
        &self,
        new: &NewConsultationHour,
        now: i64,
    ) -> Result<String> {
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO consultation_hours (id, help_point_id, organisation_id, title, hours, appointment_needed, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(&id)
        .bind(&new.help_point_id)
        .bind(&new.organisation_id)
        .bind(new.title.trim())
        .bind(hours_json(&new.hours)?)
        .bind(i64::from(new.appointment_needed))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for topic in &new.topics {
            sqlx::query(
                "INSERT INTO consultation_hour_topics (consultation_hour_id, topic_code) VALUES ($1, $2)",
            )
            .bind(&id)
            .bind(topic)
            .execute(&mut *tx)
            .await?;
        }
        // The help point's listing changes with it.
        sqlx::query("UPDATE help_points SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&new.help_point_id)
            .execute(&mut *tx)
            .await?;
        bump_directory_revision(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The whole directory in four queries, for building the finder's index.
    pub async fn directory(&self) -> Result<Directory> {
        let rows: Vec<Row> =
            sqlx::query_as(concat!(select_help_points!(), " ORDER BY h.name, h.id"))
                .fetch_all(&self.pool)
                .await?;
        let mut topics = group(
            sqlx::query_as(
                "SELECT help_point_id, topic_code FROM help_point_topics ORDER BY topic_code",
            )
            .fetch_all(&self.pool)
            .await?,
        );
        let mut served = group(
            sqlx::query_as(
                "SELECT help_point_id, municipality_code FROM help_point_municipalities ORDER BY municipality_code",
            )
            .fetch_all(&self.pool)
            .await?,
        );
        let mut help_points = Vec::with_capacity(rows.len());
        for row in rows {
            let mut hp = HelpPoint::try_from(row)?;
            hp.topics = topics.remove(&hp.id).unwrap_or_default();
            hp.municipalities_served = served.remove(&hp.id).unwrap_or_default();
            help_points.push(hp);
        }
        let consultation_hours = self.directory_consultation_hours(None).await?;
        let stops = crate::help_point_details::all_stops(&self.pool).await?;
        Ok(Directory {
            help_points,
            consultation_hours,
            stops,
        })
    }

    /// Consultation hours with their topics: all, or those at one help point.
    pub(crate) async fn directory_consultation_hours(
        &self,
        help_point_id: Option<&str>,
    ) -> Result<Vec<ConsultationHour>> {
        let mut sql = crate::sql::Sql::new(concat!(select_consultation_hours!(), " WHERE 1 = 1"));
        if let Some(id) = help_point_id {
            sql.push(" AND c.help_point_id = ").bind(id.to_owned());
        }
        sql.push(" ORDER BY c.help_point_id, c.title, c.id");
        let consultation_rows: Vec<ConsultationRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        let mut consultation_topics = group(
            sqlx::query_as(
                "SELECT consultation_hour_id, topic_code FROM consultation_hour_topics ORDER BY topic_code",
            )
            .fetch_all(&self.pool)
            .await?,
        );
        consultation_rows
            .into_iter()
            .map(|r| {
                Ok(ConsultationHour {
                    hours: parse_hours(&r.hours)?,
                    topics: consultation_topics.remove(&r.id).unwrap_or_default(),
                    appointment_needed: r.appointment_needed != 0,
                    id: r.id,
                    help_point_id: r.help_point_id,
                    organisation_id: r.organisation_id,
                    organisation_name: r.organisation_name,
                    title: r.title,
                    updated_at: r.updated_at,
                })
            })
            .collect()
    }

    /// The directory's revision: one indexed row, cheap to ask often.
    pub async fn directory_version(&self) -> Result<DirectoryVersion> {
        let revision: i64 =
            sqlx::query_scalar("SELECT revision FROM directory_revision WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(DirectoryVersion { revision })
    }
}

impl Store {
    /// Stores a resident's report that a listing is wrong, for the point's coordinators.
    pub async fn report_wrong_information(
        &self,
        help_point_id: &str,
        message: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO information_reports (id, help_point_id, message, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(new_id())
        .bind(help_point_id)
        .bind(message.trim())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Open reports about a help point, newest first.
    pub async fn open_information_reports(
        &self,
        help_point_id: &str,
    ) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT message, created_at FROM information_reports \
             WHERE help_point_id = $1 AND resolved_at IS NULL ORDER BY created_at DESC",
        )
        .bind(help_point_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// A resident's report that a listing is wrong, as its coordinators read it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InformationReport {
    pub id: String,
    pub message: String,
    pub created_at: i64,
}

impl Store {
    /// The open reports about a help point the actor coordinates, oldest first; `NotFound` for others' points.
    pub async fn coordinated_information_reports(
        &self,
        actor: &crate::Actor,
        help_point_id: &str,
    ) -> Result<Vec<InformationReport>> {
        self.coordinated_help_point(actor, help_point_id).await?;
        Ok(sqlx::query_as(
            "SELECT id, message, created_at FROM information_reports \
             WHERE help_point_id = $1 AND resolved_at IS NULL ORDER BY created_at, id",
        )
        .bind(help_point_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// A coordinator read one open report and closes it; `NotFound` for others' points and unknown or closed reports.
    pub async fn resolve_information_report(
        &self,
        actor: &crate::Actor,
        help_point_id: &str,
        report_id: &str,
        now: i64,
    ) -> Result<()> {
        self.coordinated_help_point(actor, help_point_id).await?;
        let done = sqlx::query(
            "UPDATE information_reports SET resolved_at = $1 \
             WHERE id = $2 AND help_point_id = $3 AND resolved_at IS NULL",
        )
        .bind(now)
        .bind(report_id)
        .bind(help_point_id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

/// A line in a coordinator's list of help points.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CoordinatedHelpPoint {
    pub id: String,
    pub name: String,
    pub postcode: String,
    pub city: String,
    pub status: String,
    pub last_checked_at: Option<i64>,
    pub open_reports: i64,
}

impl Store {
    /// The help points the actor keeps up to date (see `Actor::push_help_point_coordination_filter`).
    pub async fn coordinated_help_points(
        &self,
        actor: &crate::Actor,
    ) -> Result<Vec<CoordinatedHelpPoint>> {
        let mut sql = crate::sql::Sql::new(
            "SELECT h.id, h.name, h.postcode, h.city, h.status, h.last_checked_at, \
             (SELECT COUNT(*) FROM information_reports r WHERE r.help_point_id = h.id AND r.resolved_at IS NULL) AS open_reports \
             FROM help_points h WHERE 1 = 1",
        );
        actor.push_help_point_coordination_filter(&mut sql);
        sql.push(" ORDER BY h.name, h.id");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// One help point the actor coordinates; others give `NotFound`.
    pub async fn coordinated_help_point(
        &self,
        actor: &crate::Actor,
        id: &str,
    ) -> Result<HelpPoint> {
        let mut sql = crate::sql::Sql::new("SELECT h.id FROM help_points h WHERE h.id = ");
        sql.bind(id.to_owned());
        actor.push_help_point_coordination_filter(&mut sql);
        let found: Option<(String,)> = sql.query_as()?.fetch_optional(&self.pool).await?;
        match found {
            Some(_) => self.help_point(id).await,
            None => Err(StoreError::NotFound),
        }
    }

    /// Saves a coordinator's edit; the topics are replaced. Editing is not
    /// checking: `last_checked_at` moves only with [`Store::mark_help_point_checked`].
    pub async fn update_help_point(
        &self,
        actor: &crate::Actor,
        id: &str,
        draft: &keten_core::directory::HelpPointDraft,
        now: i64,
    ) -> Result<()> {
        let current = self.coordinated_help_point(actor, id).await?;
        // The main form holds the weekly hours only: dated exceptions and the
        // holiday rule, kept on their own page, stay as they are.
        let mut hours = draft.hours.clone();
        hours.exceptions = current.hours.exceptions;
        hours.closed_on_public_holidays = current.hours.closed_on_public_holidays;
        // Coordinates adjusted by hand stay while the postcode stays.
        let location = if current.postcode == draft.postcode {
            current.location
        } else {
            draft.location
        };
        let mut tx = self.pool.begin().await?;
        // A new postcode may stand in another municipality, which the point then serves too.
        let serving = crate::rollups::before_serving_changes(&mut tx, &[id.to_owned()]).await?;
        sqlx::query(
            "UPDATE help_points SET name = $1, street_address = $2, postcode = $3, city = $4, municipality_code = $5, \
             lat = $6, lon = $7, status = $8, status_reason = $9, reopens_on = $10, hours = $11, languages = $12, \
             step_free = $13, accessible_toilet = $14, hearing_loop = $15, quiet_room = $16, preparation = $17, \
             phone = $18, email = $19, website = $20, updated_at = $21 WHERE id = $22",
        )
        .bind(&draft.name)
        .bind(&draft.street_address)
        .bind(&draft.postcode)
        .bind(&draft.city)
        .bind(&draft.municipality_code)
        .bind(location.lat)
        .bind(location.lon)
        .bind(draft.status.as_str())
        .bind(draft.status_reason.as_deref())
        .bind(draft.reopens_on.as_deref())
        .bind(hours_json(&hours)?)
        .bind(draft.languages.join(","))
        .bind(i64::from(draft.accessibility.step_free))
        .bind(i64::from(draft.accessibility.accessible_toilet))
        .bind(i64::from(draft.accessibility.hearing_loop))
        .bind(i64::from(draft.accessibility.quiet_room))
        .bind(&draft.preparation)
        .bind(draft.phone.as_deref())
        .bind(draft.email.as_deref())
        .bind(draft.website.as_deref())
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        replace_topics(&mut tx, id, &draft.topics).await?;
        sqlx::query(
            "INSERT INTO help_point_municipalities (help_point_id, municipality_code) VALUES ($1, $2) \
             ON CONFLICT (help_point_id, municipality_code) DO NOTHING",
        )
        .bind(id)
        .bind(&draft.municipality_code)
        .execute(&mut *tx)
        .await?;
        crate::rollups::after_serving_changes(&mut tx, serving).await?;
        bump_directory_revision(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A person confirmed the details are right. Residents' open reports stay open: each is closed on its own after
    /// reading ([`Store::resolve_information_report`]), so "Alles klopt" never closes a report nobody read.
    pub async fn mark_help_point_checked(
        &self,
        actor: &crate::Actor,
        id: &str,
        now: i64,
    ) -> Result<()> {
        self.coordinated_help_point(actor, id).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE help_points SET last_checked_at = $1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        bump_directory_revision(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
