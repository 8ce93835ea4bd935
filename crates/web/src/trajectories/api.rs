//! `/api/v1/programmes/{id}/trajectories`, `/meetings`, `/attendance` and `/evaluations`: trajectories with their intakes, conditions, end date, stage, work sessions, interim assignments and evaluation, and group meetings with attendance, as JSON.

use super::{
    check_assignment_input, check_condition_positions, check_end_date_input, check_intake_input,
    check_new_trajectory, check_session_input, require_manager, require_reader, store_error,
};
use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiActor, ApiJson};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use keten_core::programme::parse_date;
use keten_core::trajectory::{
    AssignmentKind, AssignmentStatus, Attendee, AttendeeRole, IntakeKind, ParticipantKind, Stage,
    days_left,
};
use keten_store::trajectories::{
    Attendance, EvaluationSummary, Meeting, Trajectory, TrajectoryDetail,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A trajectory in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrajectorySummary {
    pub id: String,
    pub programme_id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub municipality_code: String,
    pub participant_kind: ParticipantKind,
    pub partnership_name: Option<String>,
    pub year: i16,
    pub stage: Stage,
    /// `YYYY-MM-DD`, once agreed.
    pub end_date: Option<String>,
    /// Days from today (the local day) to the end date; negative once passed.
    pub days_left: Option<i64>,
}

fn summary(t: &Trajectory, today: jiff::civil::Date) -> TrajectorySummary {
    TrajectorySummary {
        id: t.id.clone(),
        programme_id: t.programme_id.clone(),
        organisation_id: t.organisation_id.clone(),
        organisation_name: t.organisation_name.clone(),
        municipality_code: t.municipality_code.clone(),
        participant_kind: t.participant_kind,
        partnership_name: t.partnership_name.clone(),
        year: t.year,
        stage: t.stage,
        end_date: t.end_date.map(|d| d.to_string()),
        days_left: t.end_date.map(|d| days_left(d, today)),
    }
}

/// Someone present at an intake.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AttendeeBody {
    pub name: String,
    pub role: AttendeeRole,
}

/// An intake with the people present.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntakeResponse {
    pub kind: IntakeKind,
    pub held_on: String,
    pub notes: String,
    pub attendees: Vec<AttendeeBody>,
}

/// A work session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    pub id: String,
    pub held_on: String,
    pub training: bool,
    pub internal_participants: String,
    pub external_participants: String,
    pub notes: String,
}

/// An interim assignment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentResponse {
    pub kind: AssignmentKind,
    pub due_on: String,
    pub status: AssignmentStatus,
    pub overdue: bool,
    pub note: String,
}

/// One trajectory with everything in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrajectoryResponse {
    #[serde(flatten)]
    pub trajectory: TrajectorySummary,
    pub conditions: Vec<String>,
    /// Positions (from 0) in `conditions` the local government confirmed.
    pub confirmed_conditions: Vec<usize>,
    pub intakes: Vec<IntakeResponse>,
    pub sessions: Vec<SessionResponse>,
    pub assignments: Vec<AssignmentResponse>,
    pub evaluation_given: bool,
}

pub(crate) fn detail_response(
    d: &TrajectoryDetail,
    today: jiff::civil::Date,
) -> TrajectoryResponse {
    TrajectoryResponse {
        trajectory: summary(&d.trajectory, today),
        conditions: d.conditions.clone(),
        confirmed_conditions: d.confirmed_conditions.clone(),
        intakes: d
            .intakes
            .iter()
            .map(|i| IntakeResponse {
                kind: i.kind,
                held_on: i.held_on.to_string(),
                notes: i.notes.clone(),
                attendees: i
                    .attendees
                    .iter()
                    .map(|a| AttendeeBody {
                        name: a.name.clone(),
                        role: a.role,
                    })
                    .collect(),
            })
            .collect(),
        sessions: d
            .sessions
            .iter()
            .map(|s| SessionResponse {
                id: s.id.clone(),
                held_on: s.held_on.to_string(),
                training: s.training,
                internal_participants: s.internal_participants.clone(),
                external_participants: s.external_participants.clone(),
                notes: s.notes.clone(),
            })
            .collect(),
        assignments: d
            .assignments
            .iter()
            .map(|a| AssignmentResponse {
                kind: a.kind,
                due_on: a.due_on.to_string(),
                status: a.status,
                overdue: keten_core::trajectory::assignment_overdue(a.status, a.due_on, today),
                note: a.note.clone(),
            })
            .collect(),
        evaluation_given: d.evaluation.is_some(),
    }
}

fn today(state: &AppState) -> jiff::civil::Date {
    keten_core::steering::local_date(state.now())
}

/// The trajectory, checked to belong to the programme in the path (else 404).
async fn trajectory_in(
    state: &AppState,
    actor: &keten_store::Actor,
    programme_id: &str,
    id: &str,
) -> Result<TrajectoryDetail, AppError> {
    let d = state
        .store
        .trajectory(actor, id)
        .await
        .map_err(store_error)?;
    if d.trajectory.programme_id == programme_id {
        Ok(d)
    } else {
        Err(AppError::NotFound)
    }
}

/// The trajectories of a programme the caller manages (programme managers of its organisation and admins;
/// another programme's manager gets 404).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/trajectories", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id")),
    responses((status = 200, body = [TrajectorySummary]), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_trajectories(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<TrajectorySummary>>, ApiError> {
    require_manager(&actor)?;
    let list = state.store.programme_trajectories(&actor, &id).await?;
    let today = today(&state);
    Ok(Json(list.iter().map(|t| summary(t, today)).collect()))
}

/// A new trajectory as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTrajectoryBody {
    /// Name or code of the local government (its municipality organisation must exist in keten).
    pub municipality: String,
    #[serde(default)]
    pub participant_kind: Option<ParticipantKind>,
    /// Name of the intermunicipal partnership (participant_kind `partnership`), led by `municipality`.
    #[serde(default)]
    pub partnership_name: Option<String>,
    pub year: i16,
}

/// Starts a trajectory for a local government (or an intermunicipal partnership) under the selection rule: at
/// most the cap per year; a partnership only when fewer local governments than the cap are chosen (422
/// otherwise, with the reason).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/trajectories", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id")), request_body = NewTrajectoryBody,
    responses((status = 201, body = TrajectoryResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_trajectory(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<NewTrajectoryBody>, ApiError>,
) -> Result<(StatusCode, Json<TrajectoryResponse>), ApiError> {
    require_manager(&actor)?;
    state.store.managed_programme(&actor, &id).await?;
    let ApiJson(body) = body?;
    let new = check_new_trajectory(
        &state,
        &body.municipality,
        body.participant_kind
            .unwrap_or(ParticipantKind::LocalGovernment)
            .as_str(),
        body.partnership_name.as_deref().unwrap_or_default(),
        &body.year.to_string(),
    )
    .await?;
    let t = state
        .store
        .create_trajectory(&actor, &id, &new, state.now())
        .await?;
    let d = state.store.trajectory(&actor, &t.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail_response(&d, today(&state))),
    ))
}

/// One trajectory: for the programme's managers and the local government's steering (anyone else 404).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/trajectories/{trajectory}", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id"), ("trajectory" = String, Path, description = "Trajectory id")),
    responses((status = 200, body = TrajectoryResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_trajectory(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, trajectory)): Path<(String, String)>,
) -> Result<Json<TrajectoryResponse>, ApiError> {
    require_reader(&actor)?;
    let d = trajectory_in(&state, &actor, &id, &trajectory).await?;
    Ok(Json(detail_response(&d, today(&state))))
}

/// An intake as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IntakeBody {
    pub kind: IntakeKind,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub attendees: Vec<AttendeeBody>,
    #[serde(default)]
    pub notes: String,
}

/// Records an intake with the people present (managers only). Refused (422) unless at least 2 staff of the
/// local government are present, at least 1 of them a manager (leidinggevende).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/trajectories/{trajectory}/intakes", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id"), ("trajectory" = String, Path, description = "Trajectory id")),
    request_body = IntakeBody,
    responses((status = 201, body = TrajectoryResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn record_intake(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, trajectory)): Path<(String, String)>,
    body: Result<ApiJson<IntakeBody>, ApiError>,
) -> Result<(StatusCode, Json<TrajectoryResponse>), ApiError> {
    require_manager(&actor)?;
    trajectory_in(&state, &actor, &id, &trajectory).await?;
    let ApiJson(body) = body?;
    let attendees = body
        .attendees
        .into_iter()
        .map(|a| Attendee {
            name: a.name.trim().to_owned(),
            role: a.role,
        })
        .collect();
    let intake = check_intake_input(body.kind.as_str(), &body.held_on, attendees, &body.notes)?;
    let d = state
        .store
        .record_intake(&actor, &trajectory, &intake, state.now())
        .await
        .map_err(store_error)?;
    Ok((
        StatusCode::CREATED,
        Json(detail_response(&d, today(&state))),
    ))
}

/// The agreed end date as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EndDateBody {
    /// `YYYY-MM-DD`, after today.
    pub end_date: String,
}

/// Sets the end date agreed with the local government (managers only); it must lie after today.
#[utoipa::path(put, path = "/api/v1/programmes/{id}/trajectories/{trajectory}/end-date", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id"), ("trajectory" = String, Path, description = "Trajectory id")),
    request_body = EndDateBody,
    responses((status = 200, body = TrajectoryResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_end_date(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, trajectory)): Path<(String, String)>,
    body: Result<ApiJson<EndDateBody>, ApiError>,
) -> Result<Json<TrajectoryResponse>, ApiError> {
    require_manager(&actor)?;
    trajectory_in(&state, &actor, &id, &trajectory).await?;
    let ApiJson(body) = body?;
    let end = check_end_date_input(&state, &body.end_date)?;
    let d = state
        .store
        .set_end_date(&actor, &trajectory, end, state.now())
        .await
        .map_err(store_error)?;
    Ok(Json(detail_response(&d, today(&state))))
}

/// The next stage as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StageBody {
    pub stage: Stage,
}

/// Moves a trajectory one stage on (managers only). Past the extended intake only with that intake recorded,
/// every condition confirmed and the end date agreed (422 otherwise).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/trajectories/{trajectory}/stage", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id"), ("trajectory" = String, Path, description = "Trajectory id")),
    request_body = StageBody,
    responses((status = 200, body = TrajectoryResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn advance_stage(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, trajectory)): Path<(String, String)>,
    body: Result<ApiJson<StageBody>, ApiError>,
) -> Result<Json<TrajectoryResponse>, ApiError> {
    require_manager(&actor)?;
    trajectory_in(&state, &actor, &id, &trajectory).await?;
    let ApiJson(body) = body?;
    let d = state
        .store
        .advance_stage(&actor, &trajectory, body.stage, state.now())
        .await
        .map_err(store_error)?;
    Ok(Json(detail_response(&d, today(&state))))
}

/// A group meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingResponse {
    pub id: String,
    pub held_on: String,
    pub title: String,
    pub agenda: String,
    /// Organisation ids recorded as present.
    pub present: Vec<String>,
}

fn meeting_response(m: Meeting) -> MeetingResponse {
    MeetingResponse {
        id: m.id,
        held_on: m.held_on.to_string(),
        title: m.title,
        agenda: m.agenda,
        present: m.present,
    }
}

/// The group meetings of a programme the caller manages.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/meetings", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id")),
    responses((status = 200, body = [MeetingResponse]), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_meetings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<MeetingResponse>>, ApiError> {
    require_manager(&actor)?;
    let list = state.store.meetings(&actor, &id).await?;
    Ok(Json(list.into_iter().map(meeting_response).collect()))
}

/// A new meeting as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MeetingBody {
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub title: String,
    #[serde(default)]
    pub agenda: String,
}

/// Records a group meeting of a programme (managers only).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/meetings", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id")), request_body = MeetingBody,
    responses((status = 201, body = MeetingResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_meeting(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<MeetingBody>, ApiError>,
) -> Result<(StatusCode, Json<MeetingResponse>), ApiError> {
    require_manager(&actor)?;
    state.store.managed_programme(&actor, &id).await?;
    let ApiJson(body) = body?;
    let held_on = parse_date("held_on", &body.held_on)?;
    let m = state
        .store
        .create_meeting(&actor, &id, held_on, &body.title, &body.agenda, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(meeting_response(m))))
}

/// Who was present, as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AttendanceBody {
    /// Organisation ids of the participants present; every other participant is recorded absent.
    pub present: Vec<String>,
}

/// Records the attendance of a meeting: every participant of the programme (selected applicants and
/// trajectories' local governments), present or absent. An organisation outside the programme is refused.
#[utoipa::path(put, path = "/api/v1/programmes/{id}/meetings/{meeting}/attendance", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id"), ("meeting" = String, Path, description = "Meeting id")),
    request_body = AttendanceBody,
    responses((status = 200, body = MeetingResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_attendance(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, meeting)): Path<(String, String)>,
    body: Result<ApiJson<AttendanceBody>, ApiError>,
) -> Result<Json<MeetingResponse>, ApiError> {
    require_manager(&actor)?;
    let m = state.store.meeting(&actor, &meeting).await?;
    if m.programme_id != id {
        return Err(AppError::NotFound.into());
    }
    let ApiJson(body) = body?;
    let m = state
        .store
        .record_attendance(&actor, &meeting, &body.present)
        .await?;
    Ok(Json(meeting_response(m)))
}

/// A participant's attendance.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceResponse {
    pub organisation_id: String,
    pub organisation_name: String,
    pub attended: u32,
    pub meetings: u32,
    pub minimum: u32,
    /// Meetings still needed to reach the minimum; absent when it is met.
    pub shortfall: Option<u32>,
}

pub(crate) fn attendance_response(a: Attendance) -> AttendanceResponse {
    AttendanceResponse {
        organisation_id: a.organisation_id,
        organisation_name: a.organisation_name,
        attended: a.attended,
        meetings: a.meetings,
        minimum: a.minimum,
        shortfall: a.shortfall,
    }
}

/// Attendance per participant of a programme the caller manages, with who falls short of the minimum (a
/// programme setting, 3 unless set).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/attendance", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id")),
    responses((status = 200, body = [AttendanceResponse]), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_attendance(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<AttendanceResponse>>, ApiError> {
    require_manager(&actor)?;
    let list = state.store.programme_attendance(&actor, &id).await?;
    Ok(Json(list.into_iter().map(attendance_response).collect()))
}

/// A condition of the programme and whether the local government confirmed it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrajectoryConditionResponse {
    /// Position in the programme's list, from 0.
    pub position: usize,
    pub text: String,
    pub confirmed: bool,
}

fn conditions_response(d: &TrajectoryDetail) -> Vec<TrajectoryConditionResponse> {
    d.conditions
        .iter()
        .enumerate()
        .map(|(position, text)| TrajectoryConditionResponse {
            position,
            text: text.clone(),
            confirmed: d.confirmed_conditions.contains(&position),
        })
        .collect()
}

/// The conditions of a trajectory with what the local government confirmed (its managers and the local
/// government's steering; anyone else 404).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/trajectories/{trajectory}/conditions", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id"), ("trajectory" = String, Path, description = "Trajectory id")),
    responses((status = 200, body = [TrajectoryConditionResponse]), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_conditions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, trajectory)): Path<(String, String)>,
) -> Result<Json<Vec<TrajectoryConditionResponse>>, ApiError> {
    require_reader(&actor)?;
    let d = trajectory_in(&state, &actor, &id, &trajectory).await?;
    Ok(Json(conditions_response(&d)))
}

/// The conditions the local government confirms, as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConditionsBody {
    /// Positions (from 0) of the conditions confirmed. Confirmations add up: one confirmed earlier stays
    /// confirmed.
    pub confirmed: Vec<usize>,
}

/// The local government confirms conditions (its steering only; the manager gets 403). At least one position;
/// a position outside the programme's list is refused (422).
#[utoipa::path(put, path = "/api/v1/programmes/{id}/trajectories/{trajectory}/conditions", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id"), ("trajectory" = String, Path, description = "Trajectory id")),
    request_body = ConditionsBody,
    responses((status = 200, body = [TrajectoryConditionResponse]), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_conditions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, trajectory)): Path<(String, String)>,
    body: Result<ApiJson<ConditionsBody>, ApiError>,
) -> Result<Json<Vec<TrajectoryConditionResponse>>, ApiError> {
    require_reader(&actor)?;
    trajectory_in(&state, &actor, &id, &trajectory).await?;
    let ApiJson(body) = body?;
    check_condition_positions(&body.confirmed)?;
    let d = state
        .store
        .confirm_trajectory_conditions(&actor, &trajectory, &body.confirmed, state.now())
        .await
        .map_err(store_error)?;
    Ok(Json(conditions_response(&d)))
}

/// The work sessions (and the training moment) of a trajectory, by date.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/trajectories/{trajectory}/sessions", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id"), ("trajectory" = String, Path, description = "Trajectory id")),
    responses((status = 200, body = [SessionResponse]), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_sessions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, trajectory)): Path<(String, String)>,
) -> Result<Json<Vec<SessionResponse>>, ApiError> {
    require_reader(&actor)?;
    let d = trajectory_in(&state, &actor, &id, &trajectory).await?;
    Ok(Json(detail_response(&d, today(&state)).sessions))
}

/// A work session as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SessionBody {
    /// `YYYY-MM-DD`.
    pub held_on: String,
    /// The optional training moment rather than a work session.
    #[serde(default)]
    pub training: bool,
    /// Who took part from the local government (required).
    pub internal_participants: String,
    /// External actors who took part.
    #[serde(default)]
    pub external_participants: String,
    #[serde(default)]
    pub notes: String,
}

/// Records a work session or the training moment (managers only), with its date, participants and notes.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/trajectories/{trajectory}/sessions", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id"), ("trajectory" = String, Path, description = "Trajectory id")),
    request_body = SessionBody,
    responses((status = 201, body = TrajectoryResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_session(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, trajectory)): Path<(String, String)>,
    body: Result<ApiJson<SessionBody>, ApiError>,
) -> Result<(StatusCode, Json<TrajectoryResponse>), ApiError> {
    require_manager(&actor)?;
    trajectory_in(&state, &actor, &id, &trajectory).await?;
    let ApiJson(body) = body?;
    let session = check_session_input(
        &body.held_on,
        body.training,
        &body.internal_participants,
        &body.external_participants,
        &body.notes,
    )?;
    let d = state
        .store
        .add_session(&actor, &trajectory, &session, state.now())
        .await
        .map_err(store_error)?;
    Ok((
        StatusCode::CREATED,
        Json(detail_response(&d, today(&state))),
    ))
}

/// An interim assignment's due date as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignmentBody {
    /// `YYYY-MM-DD`.
    pub due_on: String,
}

/// Gives an interim assignment (its template is the kind in the path: environment_analysis, actors,
/// stakeholder_analysis, user_survey) with its due date, or moves the due date (managers only; the status
/// stays).
#[utoipa::path(put, path = "/api/v1/programmes/{id}/trajectories/{trajectory}/assignments/{kind}", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id"), ("trajectory" = String, Path, description = "Trajectory id"),
           ("kind" = AssignmentKind, Path, description = "Which interim assignment")),
    request_body = AssignmentBody,
    responses((status = 200, body = TrajectoryResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_assignment(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, trajectory, kind)): Path<(String, String, String)>,
    body: Result<ApiJson<AssignmentBody>, ApiError>,
) -> Result<Json<TrajectoryResponse>, ApiError> {
    require_manager(&actor)?;
    trajectory_in(&state, &actor, &id, &trajectory).await?;
    let kind: AssignmentKind = kind.parse().map_err(|_| AppError::NotFound)?;
    let ApiJson(body) = body?;
    let (kind, due) = check_assignment_input(kind.as_str(), &body.due_on)?;
    let d = state
        .store
        .set_assignment(&actor, &trajectory, kind, due, state.now())
        .await
        .map_err(store_error)?;
    Ok(Json(detail_response(&d, today(&state))))
}

/// An assignment's new status as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignmentStatusBody {
    pub status: AssignmentStatus,
    /// The local government's note or link to its work (at most 2000 characters).
    #[serde(default)]
    pub note: String,
}

/// Changes an interim assignment's status: the local government hands it in (`submitted`), the manager
/// approves it (`approved`) or opens it again (`open`); the other party gets 403. An assignment not given yet
/// is 404.
#[utoipa::path(put, path = "/api/v1/programmes/{id}/trajectories/{trajectory}/assignments/{kind}/status", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id"), ("trajectory" = String, Path, description = "Trajectory id"),
           ("kind" = AssignmentKind, Path, description = "Which interim assignment")),
    request_body = AssignmentStatusBody,
    responses((status = 200, body = TrajectoryResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_assignment_status(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, trajectory, kind)): Path<(String, String, String)>,
    body: Result<ApiJson<AssignmentStatusBody>, ApiError>,
) -> Result<Json<TrajectoryResponse>, ApiError> {
    require_reader(&actor)?;
    trajectory_in(&state, &actor, &id, &trajectory).await?;
    let kind: AssignmentKind = kind.parse().map_err(|_| AppError::NotFound)?;
    let ApiJson(body) = body?;
    let d = state
        .store
        .update_assignment(
            &actor,
            &trajectory,
            kind,
            body.status,
            &body.note,
            state.now(),
        )
        .await
        .map_err(store_error)?;
    Ok(Json(detail_response(&d, today(&state))))
}

/// The participant's evaluation as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EvaluationBody {
    /// 1 (poor) to 5 (very good).
    pub score: i64,
    /// What helped.
    pub helped: String,
    /// What could be better.
    pub improve: String,
}

/// The local government evaluates the guidance (its steering only, once, while the trajectory is in its
/// evaluation stage; 422 otherwise).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/trajectories/{trajectory}/evaluation", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id"), ("trajectory" = String, Path, description = "Trajectory id")),
    request_body = EvaluationBody,
    responses((status = 201, body = TrajectoryResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn submit_evaluation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, trajectory)): Path<(String, String)>,
    body: Result<ApiJson<EvaluationBody>, ApiError>,
) -> Result<(StatusCode, Json<TrajectoryResponse>), ApiError> {
    require_reader(&actor)?;
    trajectory_in(&state, &actor, &id, &trajectory).await?;
    let ApiJson(body) = body?;
    let evaluation = keten_core::trajectory::parse_evaluation(
        &body.score.to_string(),
        &body.helped,
        &body.improve,
    )
    .map_err(AppError::Validation)?;
    let d = state
        .store
        .submit_evaluation(&actor, &trajectory, &evaluation, state.now())
        .await
        .map_err(store_error)?;
    Ok((
        StatusCode::CREATED,
        Json(detail_response(&d, today(&state))),
    ))
}

/// One participant's evaluation.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationAnswer {
    pub organisation_name: String,
    pub score: u8,
    pub helped: String,
    pub improve: String,
}

/// The evaluations across a programme's trajectories.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationSummaryResponse {
    pub trajectories: u32,
    /// Trajectories whose local government filled in the evaluation.
    pub answered: u32,
    /// Average score (1 to 5) to one decimal; absent without answers.
    pub average_score: Option<f64>,
    pub answers: Vec<EvaluationAnswer>,
}

fn evaluation_summary_response(s: EvaluationSummary) -> EvaluationSummaryResponse {
    EvaluationSummaryResponse {
        trajectories: s.trajectories,
        answered: s.answered,
        average_score: s.average_tenths.map(|t| f64::from(t) / 10.0),
        answers: s
            .answers
            .into_iter()
            .map(|(organisation_name, e)| EvaluationAnswer {
                organisation_name,
                score: e.score,
                helped: e.helped,
                improve: e.improve,
            })
            .collect(),
    }
}

/// The summary of the evaluations across a programme's trajectories, for its managers (another programme's
/// manager gets 404).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/evaluations", tag = "trajectories",
    params(("id" = String, Path, description = "Programme id")),
    responses((status = 200, body = EvaluationSummaryResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_evaluations(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<EvaluationSummaryResponse>, ApiError> {
    require_manager(&actor)?;
    let s = state.store.evaluation_summary(&actor, &id).await?;
    Ok(Json(evaluation_summary_response(s)))
}
