//! API: `/api/v1/stakeholders` (list with activity, create) and `/api/v1/stakeholders/{id}` (read, update, delete), for the municipality's steering users only.

use super::{Entry, MapQuery, input_of, load_map, municipality_of, require_steering};
use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use keten_core::organisation::Sector;
use keten_core::stakeholder::{ChainRole, Quadrant, StakeholderDraft, StakeholderInput, quadrant};
use keten_core::steering::local_date;
use keten_store::Actor;
use keten_store::stakeholders::{Activity, KetenAgreements, Stakeholder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an organisation did in keten over the period asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityResponse {
    pub referrals_sent: i64,
    pub referrals_received: i64,
    /// Consultation hours it holds now at help points of the municipality.
    pub consultation_hours: i64,
    /// Help questions registered during its consultation hours.
    pub questions_in_consultation_hours: i64,
    /// Help questions at the help points it runs.
    pub questions_at_help_points: i64,
}

impl From<Activity> for ActivityResponse {
    fn from(a: Activity) -> Self {
        Self {
            referrals_sent: a.referrals_sent,
            referrals_received: a.referrals_received,
            consultation_hours: a.consultation_hours,
            questions_in_consultation_hours: a.questions_in_hours,
            questions_at_help_points: a.questions_at_help_points,
        }
    }
}

/// The agreements keten holds itself (read-only here).
#[derive(Debug, Serialize, ToSchema)]
pub struct KetenAgreementsResponse {
    /// Topics whose routing rules send referrals to this organisation.
    pub routing_rules: Vec<String>,
    /// Its consultation hours: "title, help point".
    pub consultation_hours: Vec<String>,
}

/// One stakeholder of the map. The contact person is personal data: only the municipality's steering users get
/// this document.
#[derive(Debug, Serialize, ToSchema)]
pub struct StakeholderResponse {
    pub id: String,
    pub municipality: String,
    /// The organisation in keten; absent for an organisation outside the chain.
    pub organisation_id: Option<String>,
    pub name: String,
    pub sector: Sector,
    pub roles: Vec<ChainRole>,
    /// 1 (little) to 5 (much).
    pub power: u8,
    /// 1 (little) to 5 (much).
    pub interest: u8,
    /// The field of the power/interest grid (high is 4 or 5).
    pub quadrant: Quadrant,
    pub covenant: bool,
    pub agreements: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    /// `YYYY-MM-DD`.
    pub joined_on: String,
    /// Only for organisations in keten.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keten_agreements: Option<KetenAgreementsResponse>,
    /// Only for organisations in keten.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity: Option<ActivityResponse>,
}

impl StakeholderResponse {
    fn of(s: Stakeholder, keten: Option<(KetenAgreements, Activity)>) -> Self {
        let (keten_agreements, activity) = match keten {
            Some((k, a)) => (
                Some(KetenAgreementsResponse {
                    routing_rules: k.routing_rules,
                    consultation_hours: k.consultation_hours,
                }),
                Some(a.into()),
            ),
            None => (None, None),
        };
        Self {
            quadrant: quadrant(s.power, s.interest),
            id: s.id,
            municipality: s.municipality_code,
            organisation_id: s.organisation_id,
            name: s.name,
            sector: s.sector,
            roles: s.roles,
            power: s.power,
            interest: s.interest,
            covenant: s.covenant,
            agreements: s.agreements,
            contact_name: s.contact_name,
            contact_email: s.contact_email,
            joined_on: s.joined_on,
            keten_agreements,
            activity,
        }
    }

    fn of_entry(e: Entry) -> Self {
        let keten = e.in_keten().then_some((e.keten, e.activity));
        Self::of(e.stakeholder, keten)
    }
}

/// The map of a municipality over a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct StakeholderListResponse {
    pub municipality: String,
    /// First day of the activity period, `YYYY-MM-DD`.
    pub from: String,
    /// Last day (inclusive).
    pub to: String,
    pub stakeholders: Vec<StakeholderResponse>,
}

/// A stakeholder to create or (as a whole) replace. Codes as in the responses; checks as on the page.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StakeholderRequest {
    /// CBS or NIS code; on create, default the caller's first steered municipality. Ignored on update.
    #[serde(default)]
    pub municipality: Option<String>,
    /// An organisation keten knows in the municipality (create only); then `name` and `sector` default to its own.
    #[serde(default)]
    pub organisation_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// `public`, `civil`, `private`, `knowledge` or `citizens`.
    #[serde(default)]
    pub sector: Option<String>,
    /// Codes: `signals`, `refers`, `helps`, `funds`, `hosts`, `consultation_hour`.
    #[serde(default)]
    pub roles: Vec<String>,
    /// 1 to 5.
    pub power: i64,
    /// 1 to 5.
    pub interest: i64,
    #[serde(default)]
    pub covenant: bool,
    #[serde(default)]
    pub agreements: String,
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub contact_email: Option<String>,
    /// `YYYY-MM-DD`; default today.
    #[serde(default)]
    pub joined_on: Option<String>,
}

impl StakeholderRequest {
    fn input(self, defaults: Option<(String, Sector)>) -> StakeholderInput {
        let (default_name, default_sector) = defaults
            .map(|(n, s)| (n, s.as_str().to_owned()))
            .unwrap_or_default();
        StakeholderInput {
            name: self
                .name
                .filter(|n| !n.trim().is_empty())
                .unwrap_or(default_name),
            sector: self
                .sector
                .filter(|s| !s.trim().is_empty())
                .unwrap_or(default_sector),
            roles: self.roles,
            power: self.power.to_string(),
            interest: self.interest.to_string(),
            covenant: self.covenant,
            agreements: self.agreements,
            contact_name: self.contact_name.unwrap_or_default(),
            contact_email: self.contact_email.unwrap_or_default(),
            joined_on: self.joined_on.unwrap_or_default(),
        }
    }
}

fn draft(state: &AppState, input: &StakeholderInput) -> Result<StakeholderDraft, AppError> {
    StakeholderDraft::parse(input, local_date(state.now())).map_err(AppError::Validation)
}

async fn keten_of(
    state: &AppState,
    actor: &Actor,
    s: &Stakeholder,
) -> Result<Option<(KetenAgreements, Activity)>, AppError> {
    let Some(org) = s.organisation_id.as_deref() else {
        return Ok(None);
    };
    let map = load_map(
        state,
        actor,
        &MapQuery {
            municipality: Some(s.municipality_code.clone()),
            ..MapQuery::default()
        },
    )
    .await?;
    Ok(map
        .entries
        .into_iter()
        .find(|e| e.stakeholder.organisation_id.as_deref() == Some(org))
        .map(|e| (e.keten, e.activity)))
}

/// The municipality's stakeholders with their quadrant and their activity in keten over the period (default this
/// year).
#[utoipa::path(get, path = "/api/v1/stakeholders", tag = "stakeholders", params(MapQuery),
    responses((status = 200, body = StakeholderListResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_stakeholders(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<MapQuery>,
) -> Result<Json<StakeholderListResponse>, ApiError> {
    let map = load_map(&state, &actor, &q).await?;
    let (from, to) = map.period.range.dates();
    Ok(Json(StakeholderListResponse {
        municipality: map.municipality,
        from: from.to_string(),
        to: to.to_string(),
        stakeholders: map
            .entries
            .into_iter()
            .map(StakeholderResponse::of_entry)
            .collect(),
    }))
}

/// Puts an organisation on the map (201); a "joined" event marks its day in the timeline.
#[utoipa::path(post, path = "/api/v1/stakeholders", tag = "stakeholders", request_body = StakeholderRequest,
    responses((status = 201, body = StakeholderResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_stakeholder(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    // The body is judged after the role: a caller without the role hears 403 whatever it sent.
    body: Result<ApiJson<StakeholderRequest>, ApiError>,
) -> Result<Response, ApiError> {
    require_steering(&actor)?;
    let ApiJson(body) = body?;
    let municipality = municipality_of(&actor, body.municipality.as_deref());
    let candidates = state
        .store
        .stakeholder_candidates(&actor, &municipality)
        .await?;
    let organisation = body.organisation_id.clone().filter(|o| !o.is_empty());
    let defaults = organisation.as_deref().and_then(|o| {
        candidates
            .iter()
            .find(|c| c.organisation_id == o)
            .map(|c| (c.name.clone(), c.sector))
    });
    let input = body.input(defaults);
    let d = draft(&state, &input)?;
    let s = state
        .store
        .create_stakeholder(
            &actor,
            &municipality,
            organisation.as_deref(),
            &d,
            state.now(),
        )
        .await?;
    let keten = keten_of(&state, &actor, &s).await?;
    Ok((StatusCode::CREATED, Json(StakeholderResponse::of(s, keten))).into_response())
}

/// One stakeholder with the agreements keten holds and its activity this year.
#[utoipa::path(get, path = "/api/v1/stakeholders/{id}", tag = "stakeholders",
    params(("id" = String, Path, description = "Stakeholder id")),
    responses((status = 200, body = StakeholderResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_stakeholder(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<StakeholderResponse>, ApiError> {
    require_steering(&actor)?;
    let s = state.store.stakeholder(&actor, &id).await?;
    let keten = keten_of(&state, &actor, &s).await?;
    Ok(Json(StakeholderResponse::of(s, keten)))
}

/// Replaces a stakeholder's fields (its organisation and municipality stay); a new power or interest is a
/// "changed" event today.
#[utoipa::path(put, path = "/api/v1/stakeholders/{id}", tag = "stakeholders",
    params(("id" = String, Path, description = "Stakeholder id")), request_body = StakeholderRequest,
    responses((status = 200, body = StakeholderResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_stakeholder(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<StakeholderRequest>, ApiError>,
) -> Result<Json<StakeholderResponse>, ApiError> {
    require_steering(&actor)?;
    let old = state.store.stakeholder(&actor, &id).await?;
    let ApiJson(body) = body?;
    let mut input = body.input(Some((old.name.clone(), old.sector)));
    if input.joined_on.is_empty() {
        input.joined_on = input_of(&old).joined_on;
    }
    let d = draft(&state, &input)?;
    let s = state
        .store
        .update_stakeholder(&actor, &id, &d, state.now())
        .await?;
    let keten = keten_of(&state, &actor, &s).await?;
    Ok(Json(StakeholderResponse::of(s, keten)))
}

/// Takes a stakeholder off the map (204): its contact person is erased, the timeline records that it left.
#[utoipa::path(delete, path = "/api/v1/stakeholders/{id}", tag = "stakeholders",
    params(("id" = String, Path, description = "Stakeholder id")),
    responses((status = 204), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn delete_stakeholder(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require_steering(&actor)?;
    state
        .store
        .delete_stakeholder(&actor, &id, state.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
