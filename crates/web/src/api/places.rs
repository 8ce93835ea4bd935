//! API: postcodes and place names resolved to a point and a municipality.

use crate::error::{ApiError, AppError};
use crate::extract::ApiQuery;
use axum::Json;
use keten_core::geo::{Point, resolve_place as resolve};
use keten_core::reference::Country;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
pub struct PlaceQuery {
    /// Postcode or place: "3011", "3011 AB", "Rotterdam", "9000", "Gent".
    pub q: String,
    /// Country to prefer when a 4-digit postcode exists in both: NL (default) or BE.
    pub country: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceResponse {
    pub label: String,
    pub point: Point,
    pub municipality_code: String,
    pub municipality_name: String,
    pub country: String,
}

/// Resolves a postcode or place name. Unknown input answers 404 with suggestions in `detail`.
#[utoipa::path(get, path = "/api/v1/places", tag = "places", params(PlaceQuery),
    responses((status = 200, body = PlaceResponse), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn resolve_place(
    ApiQuery(q): ApiQuery<PlaceQuery>,
) -> Result<Json<PlaceResponse>, ApiError> {
    let preferred = match q.country.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("BE") => Country::Be,
        _ => Country::Nl,
    };
    match resolve(&q.q, preferred) {
        Ok(place) => Ok(Json(PlaceResponse {
            label: place.label,
            point: place.point,
            municipality_code: place.municipality.code.clone(),
            municipality_name: place.municipality.name.clone(),
            country: place.country.as_str().to_owned(),
        })),
        Err(e) => Err(AppError::from_place("q", e).into()),
    }
}
