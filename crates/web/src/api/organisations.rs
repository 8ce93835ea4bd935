//! API: organisations of the caller's chains.

use crate::AppState;
use crate::admin::{OrganisationInput, create_organisation as create_organisation_for};
use crate::error::ApiError;
use crate::extract::{ApiActor, ApiJson};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use keten_core::organisation::{OrganisationKind, Sector};
use keten_store::organisations::Organisation;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationResponse {
    pub id: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub sector: Sector,
    pub municipality_code: String,
    pub active_in: Vec<String>,
    /// KvK number (8 digits), when known.
    pub kvk_number: Option<String>,
    /// KBO/enterprise number (10 digits), when known.
    pub kbo_number: Option<String>,
}

impl From<Organisation> for OrganisationResponse {
    fn from(o: Organisation) -> Self {
        OrganisationResponse {
            id: o.id,
            name: o.name,
            kind: o.kind,
            sector: o.sector,
            municipality_code: o.municipality_code,
            active_in: o.active_in,
            kvk_number: o.identifiers.kvk_number,
            kbo_number: o.identifiers.kbo_number,
        }
    }
}

/// Organisations of the caller's chains (all of them for an admin).
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    responses((status = 200, body = [OrganisationResponse]), (status = 401, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_organisations(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<OrganisationResponse>>, ApiError> {
    let orgs = state.store.organisations(&actor).await?;
    Ok(Json(orgs.into_iter().map(Into::into).collect()))
}

/// One organisation; another chain's organisation answers 404.
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations",
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, body = OrganisationResponse), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_organisation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<OrganisationResponse>, ApiError> {
    Ok(Json(state.store.organisation(&actor, &id).await?.into()))
}

/// Creates an organisation (admins only).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = OrganisationInput,
    responses((status = 201, body = OrganisationResponse), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_organisation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<OrganisationInput>,
) -> Result<(StatusCode, Json<OrganisationResponse>), ApiError> {
    let org = create_organisation_for(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(org.into())))
}
