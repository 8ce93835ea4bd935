//! Help points: where residents get help, and who runs them.

use crate::error::{Result, StoreError};
use crate::{Store, new_id, parse_code};
use keten_core::geo::Point;
use keten_core::organisation::{HelpPointKind, VenueKind};

#[derive(Debug, Clone, PartialEq)]
pub struct HelpPoint {
    pub id: String,
    pub organisation_id: String,
    pub name: String,
    pub kind: HelpPointKind,
    pub venue_kind: VenueKind,
    pub street_address: String,
    pub postcode: String,
    pub city: String,
    pub municipality_code: String,
    pub location: Point,
}

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
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    organisation_id: String,
    name: String,
    kind: String,
    venue_kind: String,
    street_address: String,
    postcode: String,
    city: String,
    municipality_code: String,
    lat: f64,
    lon: f64,
}

impl TryFrom<Row> for HelpPoint {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        Ok(HelpPoint {
            kind: parse_code(&r.kind)?,
            venue_kind: parse_code(&r.venue_kind)?,
            id: r.id,
            organisation_id: r.organisation_id,
            name: r.name,
            street_address: r.street_address,
            postcode: r.postcode,
            city: r.city,
            municipality_code: r.municipality_code,
            location: Point {
                lat: r.lat,
                lon: r.lon,
            },
        })
    }
}

impl Store {
    pub async fn create_help_point(&self, new: &NewHelpPoint, now: i64) -> Result<HelpPoint> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO help_points (id, organisation_id, name, kind, venue_kind, street_address, postcode, city, \
             municipality_code, lat, lon, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(&id)
        .bind(&new.organisation_id)
        .bind(new.name.trim())
        .bind(new.kind.as_str())
        .bind(new.venue_kind.as_str())
        .bind(new.street_address.trim())
        .bind(new.postcode.trim())
        .bind(new.city.trim())
        .bind(&new.municipality_code)
        .bind(new.location.lat)
        .bind(new.location.lon)
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.help_point(&id).await
    }

    /// Help points are public information: no actor needed to read them.
    pub async fn help_point(&self, id: &str) -> Result<HelpPoint> {
        let row: Row = sqlx::query_as(
            "SELECT id, organisation_id, name, kind, venue_kind, street_address, postcode, city, municipality_code, lat, lon \
             FROM help_points WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        row.try_into()
    }

    pub async fn help_points(&self) -> Result<Vec<HelpPoint>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, organisation_id, name, kind, venue_kind, street_address, postcode, city, municipality_code, lat, lon \
             FROM help_points ORDER BY name, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(HelpPoint::try_from).collect()
    }
}
