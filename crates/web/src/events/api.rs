//! `/api/v1/programmes/{id}/events` and `/events/{event}/sign-ups`: a programme's events with their counts (and a new one), and for its managers the sign-ups with attendance, as JSON.

use super::{require_manager, store_error};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiActor, ApiJson};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use keten_core::event::{EventInput, SignUpStatus};
use keten_store::events::{Event, SignUp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An event with its counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeEventResponse {
    pub id: String,
    pub programme_id: String,
    pub title: String,
    pub description: String,
    pub place: String,
    /// RFC 3339, UTC.
    pub starts_at: String,
    pub ends_at: String,
    pub sign_up_closes_at: String,
    pub capacity: u32,
    pub places_taken: u32,
    pub waiting: u32,
    /// Sign-ups with a place ticked as present.
    pub attended: u32,
    pub erase_after_days: u32,
    pub erased: bool,
}

fn rfc3339(s: i64) -> String {
    jiff::Timestamp::from_second(s)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn event_response(e: &Event) -> ProgrammeEventResponse {
    ProgrammeEventResponse {
        id: e.id.clone(),
        programme_id: e.programme_id.clone(),
        title: e.title.clone(),
        description: e.description.clone(),
        place: e.place.clone(),
        starts_at: rfc3339(e.starts_at),
        ends_at: rfc3339(e.ends_at),
        sign_up_closes_at: rfc3339(e.sign_up_closes_at),
        capacity: e.capacity,
        places_taken: e.places_taken,
        waiting: e.waiting,
        attended: e.attended,
        erase_after_days: e.erase_after_days,
        erased: e.erased_at.is_some(),
    }
}

/// A sign-up; name, organisation and e-mail are null once erased.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignUpResponse {
    pub id: String,
    pub status: SignUpStatus,
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub email: Option<String>,
    pub signed_up_at: String,
    pub attended: bool,
}

fn sign_up_response(s: &SignUp) -> SignUpResponse {
    SignUpResponse {
        id: s.id.clone(),
        status: s.status,
        name: s.name.clone(),
        organisation: s.organisation.clone(),
        email: s.email.clone(),
        signed_up_at: rfc3339(s.signed_up_at),
        attended: s.attended,
    }
}

/// The events of a programme the caller manages (another programme's manager gets 404).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/events", tag = "events",
    params(("id" = String, Path, description = "Programme id")),
    responses((status = 200, body = [ProgrammeEventResponse]), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_events(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<ProgrammeEventResponse>>, ApiError> {
    require_manager(&actor)?;
    let events = state.store.managed_events(&actor, &id).await?;
    Ok(Json(events.iter().map(event_response).collect()))
}

/// A new event as sent; times are local to the programme's country (Europe/Amsterdam or Europe/Brussels).
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewEventBody {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The address or place.
    pub place: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`, local time.
    pub start: String,
    /// `HH:MM`, local time, after `start`.
    pub end: String,
    /// Number of places, 1 or more.
    pub capacity: u32,
    /// Last day of sign-up (`YYYY-MM-DD`, included, until 23:59 local time), on or before `date`; absent means
    /// until the start.
    #[serde(default)]
    pub closes_on: Option<String>,
    /// Days after the event when sign-ups' personal data is erased; absent means the default (30).
    #[serde(default)]
    pub erase_after_days: Option<u32>,
}

/// Creates an event of a programme the caller manages, with the same checks as the manager's page (422 with
/// every problem at its field).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/events", tag = "events",
    params(("id" = String, Path, description = "Programme id")), request_body = NewEventBody,
    responses((status = 201, body = ProgrammeEventResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_event(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<NewEventBody>, ApiError>,
) -> Result<(StatusCode, Json<ProgrammeEventResponse>), ApiError> {
    require_manager(&actor)?;
    state.store.managed_programme(&actor, &id).await?;
    let ApiJson(body) = body?;
    let input = EventInput {
        title: body.title,
        description: body.description,
        place: body.place,
        date: body.date,
        start: body.start,
        end: body.end,
        capacity: body.capacity.to_string(),
        closes_on: body.closes_on.unwrap_or_default(),
        erase_after_days: body
            .erase_after_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
    };
    let e = super::create_event(&state, &actor, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(event_response(&e))))
}

async fn event_in(
    state: &AppState,
    actor: &keten_store::Actor,
    programme_id: &str,
    id: &str,
) -> Result<Event, ApiError> {
    let e = state.store.managed_event(actor, id).await?;
    if e.programme_id == programme_id {
        Ok(e)
    } else {
        Err(crate::error::AppError::NotFound.into())
    }
}

/// The sign-ups of an event (managers only): places, then the waiting list in order, then cancellations.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/events/{event}/sign-ups", tag = "events",
    params(("id" = String, Path, description = "Programme id"), ("event" = String, Path, description = "Event id")),
    responses((status = 200, body = [SignUpResponse]), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_sign_ups(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, event)): Path<(String, String)>,
) -> Result<Json<Vec<SignUpResponse>>, ApiError> {
    require_manager(&actor)?;
    event_in(&state, &actor, &id, &event).await?;
    let list = state
        .store
        .event_sign_ups(&actor, &event, state.now())
        .await?;
    Ok(Json(list.iter().map(sign_up_response).collect()))
}

/// Who came, as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EventAttendanceBody {
    /// Ids of sign-ups with a place who came; every other place counts as absent.
    pub present: Vec<String>,
}

/// Records attendance on the day (managers only); returns the event with its counts.
#[utoipa::path(put, path = "/api/v1/programmes/{id}/events/{event}/attendance", tag = "events",
    params(("id" = String, Path, description = "Programme id"), ("event" = String, Path, description = "Event id")),
    request_body = EventAttendanceBody,
    responses((status = 200, body = ProgrammeEventResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_attendance(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, event)): Path<(String, String)>,
    body: Result<ApiJson<EventAttendanceBody>, ApiError>,
) -> Result<Json<ProgrammeEventResponse>, ApiError> {
    require_manager(&actor)?;
    event_in(&state, &actor, &id, &event).await?;
    let ApiJson(body) = body?;
    let e = state
        .store
        .set_event_attendance(&actor, &event, &body.present, state.now())
        .await
        .map_err(store_error)?;
    Ok(Json(event_response(&e)))
}
