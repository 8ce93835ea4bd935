//! The trajectory pages: a programme's trajectories, meetings, attendance and evaluations for its manager; one trajectory with the forms of each party; the local government's own page with its trajectories and attendance.

use super::{
    check_assignment_input, check_condition_positions, check_end_date_input, check_intake_input,
    check_new_trajectory, check_session_input, require_manager, require_reader, store_error,
};
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use keten_core::ValidationError;
use keten_core::programme::{ProgrammeKind, parse_date};
use keten_core::trajectory::{
    AssignmentKind, AssignmentStatus, IntakeKind, ParticipantKind, Stage, assignment_overdue,
    days_left, parse_attendees, parse_evaluation,
};
use keten_store::Actor;
use keten_store::trajectories::{Attendance, GuidanceSettings, Trajectory, TrajectoryDetail};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/programmas/{id}/trajecten",
            get(programme_page).post(start_trajectory),
        )
        .route(
            "/programmas/{id}/trajecten/instellingen",
            post(save_settings),
        )
        .route("/programmas/{id}/bijeenkomsten", post(add_meeting))
        .route("/bijeenkomsten/{id}/aanwezigheid", post(save_attendance))
        .route("/trajecten", get(own_page))
        .route("/trajecten/{id}", get(trajectory_page))
        .route("/trajecten/{id}/intake", post(post_intake))
        .route("/trajecten/{id}/einddatum", post(post_end_date))
        .route("/trajecten/{id}/fase", post(post_stage))
        .route("/trajecten/{id}/werksessies", post(post_session))
        .route("/trajecten/{id}/opdrachten", post(post_assignment))
        .route(
            "/trajecten/{id}/opdrachten/status",
            post(post_assignment_status),
        )
        .route("/trajecten/{id}/voorwaarden", post(post_conditions))
        .route("/trajecten/{id}/evaluatie", post(post_evaluation))
}

/// What a form sent, so that a page shows it back with its errors (only the form that failed).
#[derive(Debug, Default)]
struct Form {
    name: &'static str,
    values: HashMap<String, Vec<String>>,
    errors: Vec<ValidationError>,
}

impl Form {
    fn read(name: &'static str, body: &[u8]) -> Self {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            values.entry(k).or_default().push(v);
        }
        Form {
            name,
            values,
            errors: Vec::new(),
        }
    }

    fn get(&self, field: &str) -> &str {
        self.values
            .get(field)
            .and_then(|v| v.first())
            .map_or("", String::as_str)
    }

    fn all(&self, field: &str) -> Vec<String> {
        self.values.get(field).cloned().unwrap_or_default()
    }

    /// The value typed in `field` of form `form`, when that is the form shown back.
    fn val(&self, form: &str, field: &str) -> &str {
        if self.name == form {
            self.get(field)
        } else {
            ""
        }
    }

    /// Whether `value` was among the choices of `field` in form `form`.
    fn has(&self, form: &str, field: &str, value: &str) -> bool {
        self.name == form
            && self
                .values
                .get(field)
                .is_some_and(|v| v.iter().any(|x| x == value))
    }

    fn errors_of(&self, form: &str) -> Vec<&ValidationError> {
        if self.name == form {
            self.errors.iter().collect()
        } else {
            Vec::new()
        }
    }
}

fn dutch(d: jiff::civil::Date) -> String {
    d.strftime("%d-%m-%Y").to_string()
}

fn today(state: &AppState) -> jiff::civil::Date {
    keten_core::steering::local_date(state.now())
}

/// A trajectory in a list.
struct TrajectoryRow {
    id: String,
    name: String,
    programme: String,
    kind: String,
    year: i16,
    stage: String,
    end_date: String,
    days_left: Option<i64>,
}

fn row(t: &Trajectory, today: jiff::civil::Date) -> TrajectoryRow {
    TrajectoryRow {
        id: t.id.clone(),
        name: t.partnership_name.as_ref().map_or_else(
            || t.organisation_name.clone(),
            |p| format!("{p} (penhouder {})", t.organisation_name),
        ),
        programme: t.programme_name.clone(),
        kind: t.participant_kind.label().to_owned(),
        year: t.year,
        stage: t.stage.label().to_owned(),
        end_date: t.end_date.map(dutch).unwrap_or_default(),
        days_left: t.end_date.map(|d| days_left(d, today)),
    }
}

struct AttendanceRow {
    programme: String,
    organisation: String,
    attended: u32,
    meetings: u32,
    minimum: u32,
    shortfall: Option<u32>,
    /// "2 bijeenkomsten" still needed, empty when the minimum is met.
    needed: String,
}

fn attendance_row(a: Attendance) -> AttendanceRow {
    AttendanceRow {
        needed: match a.shortfall {
            None => String::new(),
            Some(1) => "1 bijeenkomst".to_owned(),
            Some(n) => format!("{n} bijeenkomsten"),
        },
        programme: a.programme_name,
        organisation: a.organisation_name,
        attended: a.attended,
        meetings: a.meetings,
        minimum: a.minimum,
        shortfall: a.shortfall,
    }
}

struct MeetingRow {
    id: String,
    held_on: String,
    title: String,
    agenda: String,
    /// (organisation id, name, present) per participant.
    checks: Vec<(String, String, bool)>,
}

struct Choice {
    value: String,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "trajectories_programme.html")]
struct ProgrammePage {
    shell: Shell,
    programme_id: String,
    programme_name: String,
    is_trajectory: bool,
    settings: GuidanceSettings,
    trajectories: Vec<TrajectoryRow>,
    kinds: Vec<Choice>,
    has_participants: bool,
    meetings: Vec<MeetingRow>,
    attendance: Vec<AttendanceRow>,
    answered: u32,
    average: String,
    answers: Vec<(String, u8, String, String)>,
    form: Form,
    year: i16,
}

async fn programme_view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: &str,
    form: Form,
) -> Result<ProgrammePage, PageError> {
    require_manager(actor)?;
    let p = state.store.managed_programme(actor, id).await?;
    let today = today(state);
    let trajectories = state.store.programme_trajectories(actor, id).await?;
    let summary = state.store.evaluation_summary(actor, id).await?;
    let meetings = state.store.meetings(actor, id).await?;
    let participants = state.store.programme_participants(id).await?;
    Ok(ProgrammePage {
        shell,
        programme_id: p.id.clone(),
        programme_name: p.name.clone(),
        is_trajectory: p.kind == ProgrammeKind::Trajectory,
        settings: state.store.guidance_settings(id).await?,
        trajectories: trajectories.iter().map(|t| row(t, today)).collect(),
        kinds: ParticipantKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: k.label().into(),
            })
            .collect(),
        meetings: meetings
            .into_iter()
            .map(|m| MeetingRow {
                checks: participants
                    .iter()
                    .map(|(oid, name)| (oid.clone(), name.clone(), m.present.contains(oid)))
                    .collect(),
                id: m.id,
                held_on: dutch(m.held_on),
                title: m.title,
                agenda: m.agenda,
            })
            .collect(),
        has_participants: !participants.is_empty(),
        attendance: state
            .store
            .programme_attendance(actor, id)
            .await?
            .into_iter()
            .map(attendance_row)
            .collect(),
        answered: summary.answered,
        average: summary
            .average_tenths
            .map(|t| format!("{},{}", t / 10, t % 10))
            .unwrap_or_default(),
        answers: summary
            .answers
            .into_iter()
            .map(|(n, e)| (n, e.score, e.helped, e.improve))
            .collect(),
        form,
        year: today.year(),
    })
}

async fn programme_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<ProgrammePage, PageError> {
    programme_view(&state, shell, &me.actor, &id, Form::default()).await
}

/// Shows the programme page again with the form's input and errors (422), or follows the redirect.
async fn programme_outcome(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: &str,
    mut form: Form,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/programmas/{id}/trajecten")).into_response()),
        Err(AppError::Validation(errors)) => {
            form.errors = errors;
            let page = programme_view(state, shell, actor, id, form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn start_trajectory(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    state.store.managed_programme(&me.actor, &id).await?;
    let form = Form::read("start", &body);
    let result: Result<(), AppError> = async {
        let new = check_new_trajectory(
            &state,
            form.get("municipality"),
            form.get("participant_kind"),
            form.get("partnership_name"),
            form.get("year"),
        )
        .await?;
        state
            .store
            .create_trajectory(&me.actor, &id, &new, state.now())
            .await?;
        Ok(())
    }
    .await;
    programme_outcome(&state, shell, &me.actor, &id, form, result).await
}

async fn save_settings(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    state.store.managed_programme(&me.actor, &id).await?;
    let form = Form::read("settings", &body);
    let result: Result<(), AppError> = async {
        let mut errors = Vec::new();
        let cap = form.get("cap_per_year").trim().parse::<u32>();
        let minimum = form.get("meeting_minimum").trim().parse::<u32>();
        if !matches!(cap, Ok(1..=1000)) {
            errors.push(ValidationError::new(
                "cap_per_year",
                "Vul bij het maximum aantal trajecten per jaar een heel getal van 1 tot 1000 in.",
            ));
        }
        if !matches!(minimum, Ok(0..=100)) {
            errors.push(ValidationError::new(
                "meeting_minimum",
                "Vul bij het minimum aantal bijeenkomsten een heel getal van 0 tot 100 in.",
            ));
        }
        match (cap, minimum) {
            (Ok(cap_per_year), Ok(meeting_minimum)) if errors.is_empty() => {
                state
                    .store
                    .set_guidance_settings(
                        &me.actor,
                        &id,
                        GuidanceSettings {
                            cap_per_year,
                            meeting_minimum,
                        },
                        state.now(),
                    )
                    .await?;
                Ok(())
            }
            _ => Err(AppError::Validation(errors)),
        }
    }
    .await;
    programme_outcome(&state, shell, &me.actor, &id, form, result).await
}

async fn add_meeting(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    state.store.managed_programme(&me.actor, &id).await?;
    let form = Form::read("meeting", &body);
    let result: Result<(), AppError> = async {
        let held_on = parse_date("held_on", form.get("held_on"))?;
        state
            .store
            .create_meeting(
                &me.actor,
                &id,
                held_on,
                form.get("title"),
                form.get("agenda"),
                state.now(),
            )
            .await?;
        Ok(())
    }
    .await;
    programme_outcome(&state, shell, &me.actor, &id, form, result).await
}

async fn save_attendance(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    let meeting = state.store.meeting(&me.actor, &id).await?;
    let form = Form::read("attendance", &body);
    state
        .store
        .record_attendance(&me.actor, &id, &form.all("present"))
        .await?;
    Ok(Redirect::to(&format!("/programmas/{}/trajecten", meeting.programme_id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "trajectories_own.html")]
struct OwnPage {
    shell: Shell,
    trajectories: Vec<TrajectoryRow>,
    attendance: Vec<AttendanceRow>,
}

/// The local government's own page: its trajectories and its attendance at group meetings.
async fn own_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
) -> Result<OwnPage, PageError> {
    // Libraries' coordinators take part in programmes too (subsidy schemes): they see their attendance.
    if !me.actor.has_any_role(&[
        keten_core::account::Role::Steering,
        keten_core::account::Role::Coordinator,
        keten_core::account::Role::ProgrammeManager,
        keten_core::account::Role::Admin,
    ]) {
        return Err(AppError::Forbidden.into());
    }
    let today = today(&state);
    Ok(OwnPage {
        shell,
        trajectories: state
            .store
            .my_trajectories(&me.actor)
            .await?
            .iter()
            .map(|t| row(t, today))
            .collect(),
        attendance: state
            .store
            .my_attendance(&me.actor)
            .await?
            .into_iter()
            .map(attendance_row)
            .collect(),
    })
}

struct IntakeRow {
    kind: String,
    held_on: String,
    notes: String,
    attendees: Vec<(String, String)>,
}

struct SessionRow {
    held_on: String,
    training: bool,
    internal: String,
    external: String,
    notes: String,
}

struct AssignmentRow {
    kind: String,
    kind_label: String,
    due_on: String,
    status: String,
    submitted: bool,
    overdue: bool,
    note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "trajectory.html")]
struct DetailPage {
    shell: Shell,
    id: String,
    programme_id: String,
    name: String,
    programme: String,
    stage: String,
    next_stage: Option<(String, String)>,
    end_date: String,
    /// The end date with the days left, as shown.
    end_text: String,
    manages: bool,
    steers: bool,
    /// The participant's municipality (for the stakeholder analysis' link to the stakeholder map).
    municipality: String,
    in_evaluation: bool,
    conditions: Vec<(usize, String, bool)>,
    intakes: Vec<IntakeRow>,
    intake_kinds: Vec<Choice>,
    sessions: Vec<SessionRow>,
    assignments: Vec<AssignmentRow>,
    assignment_kinds: Vec<Choice>,
    evaluation: Option<(u8, String, String)>,
    /// Action plans that are this trajectory's outcome: (id, title, progress).
    plans: Vec<(String, String, String)>,
    form: Form,
}

fn detail_view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    d: TrajectoryDetail,
    form: Form,
) -> DetailPage {
    let today = today(state);
    let t = &d.trajectory;
    let next = Stage::ALL
        .iter()
        .position(|s| *s == t.stage)
        .and_then(|i| Stage::ALL.get(i + 1))
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()));
    let steers = actor
        .organisation_ids_with(keten_core::account::Role::Steering)
        .any(|o| o == t.organisation_id);
    DetailPage {
        id: t.id.clone(),
        programme_id: t.programme_id.clone(),
        name: row(t, today).name,
        programme: t.programme_name.clone(),
        stage: t.stage.label().to_owned(),
        next_stage: next,
        end_date: t.end_date.map(dutch).unwrap_or_default(),
        end_text: t
            .end_date
            .map_or_else(String::new, |e| match days_left(e, today) {
                n if n < 0 => format!("{} (verstreken)", dutch(e)),
                1 => format!("{} (nog 1 dag)", dutch(e)),
                n => format!("{} (nog {n} dagen)", dutch(e)),
            }),
        manages: d.manages,
        steers,
        municipality: t.municipality_code.clone(),
        in_evaluation: t.stage == Stage::Evaluation,
        conditions: d
            .conditions
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.clone(), d.confirmed_conditions.contains(&i)))
            .collect(),
        intakes: d
            .intakes
            .iter()
            .map(|i| IntakeRow {
                kind: i.kind.label().to_owned(),
                held_on: dutch(i.held_on),
                notes: i.notes.clone(),
                attendees: i
                    .attendees
                    .iter()
                    .map(|a| (a.name.clone(), a.role.label().to_owned()))
                    .collect(),
            })
            .collect(),
        intake_kinds: IntakeKind::ALL
            .iter()
            .filter(|k| !d.intakes.iter().any(|i| i.kind == **k))
            .map(|k| Choice {
                value: k.as_str().into(),
                label: k.label().into(),
            })
            .collect(),
        sessions: d
            .sessions
            .iter()
            .map(|s| SessionRow {
                held_on: dutch(s.held_on),
                training: s.training,
                internal: s.internal_participants.clone(),
                external: s.external_participants.clone(),
                notes: s.notes.clone(),
            })
            .collect(),
        assignments: d
            .assignments
            .iter()
            .map(|a| AssignmentRow {
                kind: a.kind.as_str().to_owned(),
                kind_label: a.kind.label().to_owned(),
                due_on: dutch(a.due_on),
                status: a.status.label().to_owned(),
                submitted: a.status == AssignmentStatus::Submitted,
                overdue: assignment_overdue(a.status, a.due_on, today),
                note: a.note.clone(),
            })
            .collect(),
        assignment_kinds: AssignmentKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: k.label().into(),
            })
            .collect(),
        evaluation: d
            .evaluation
            .as_ref()
            .map(|e| (e.score, e.helped.clone(), e.improve.clone())),
        plans: Vec::new(),
        form,
        shell,
    }
}

async fn trajectory_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<DetailPage, PageError> {
    require_reader(&me.actor)?;
    let d = state
        .store
        .trajectory(&me.actor, &id)
        .await
        .map_err(store_error)?;
    let mut page = detail_view(&state, shell, &me.actor, d, Form::default());
    page.plans = crate::action_plans::trajectory_plans(&state, &id).await?;
    Ok(page)
}

/// Shows the trajectory again with the form's input and errors (422), or goes back to it.
async fn detail_outcome(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: &str,
    mut form: Form,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/trajecten/{id}")).into_response()),
        Err(AppError::Validation(errors)) => {
            form.errors = errors;
            let d = state
                .store
                .trajectory(actor, id)
                .await
                .map_err(store_error)?;
            let page = detail_view(state, shell, actor, d, form);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// Every trajectory form starts the same way: the reader's role, the trajectory visible to the actor, the form.
async fn begin(
    state: &AppState,
    actor: &Actor,
    id: &str,
    name: &'static str,
    body: &[u8],
) -> Result<Form, PageError> {
    require_reader(actor)?;
    state
        .store
        .trajectory(actor, id)
        .await
        .map_err(store_error)?;
    Ok(Form::read(name, body))
}

fn lift(e: keten_store::StoreError) -> AppError {
    store_error(e)
}

async fn post_intake(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    let form = begin(&state, &me.actor, &id, "intake", &body).await?;
    let result: Result<(), AppError> = async {
        let attendees = parse_attendees(form.get("attendees"))?;
        let intake = check_intake_input(
            form.get("kind"),
            form.get("held_on"),
            attendees,
            form.get("notes"),
        )?;
        state
            .store
            .record_intake(&me.actor, &id, &intake, state.now())
            .await
            .map_err(lift)?;
        Ok(())
    }
    .await;
    detail_outcome(&state, shell, &me.actor, &id, form, result).await
}

async fn post_end_date(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    let form = begin(&state, &me.actor, &id, "end_date", &body).await?;
    let result: Result<(), AppError> = async {
        let end = check_end_date_input(&state, form.get("end_date"))?;
        state
            .store
            .set_end_date(&me.actor, &id, end, state.now())
            .await
            .map_err(lift)?;
        Ok(())
    }
    .await;
    detail_outcome(&state, shell, &me.actor, &id, form, result).await
}

async fn post_stage(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    let form = begin(&state, &me.actor, &id, "stage", &body).await?;
    let result: Result<(), AppError> = async {
        let to = form.get("stage").parse::<Stage>()?;
        state
            .store
            .advance_stage(&me.actor, &id, to, state.now())
            .await
            .map_err(lift)?;
        Ok(())
    }
    .await;
    detail_outcome(&state, shell, &me.actor, &id, form, result).await
}

async fn post_session(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    let form = begin(&state, &me.actor, &id, "session", &body).await?;
    let result: Result<(), AppError> = async {
        let session = check_session_input(
            form.get("held_on"),
            form.get("training") == "1",
            form.get("internal_participants"),
            form.get("external_participants"),
            form.get("notes"),
        )?;
        state
            .store
            .add_session(&me.actor, &id, &session, state.now())
            .await
            .map_err(lift)?;
        Ok(())
    }
    .await;
    detail_outcome(&state, shell, &me.actor, &id, form, result).await
}

async fn post_assignment(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    let form = begin(&state, &me.actor, &id, "assignment", &body).await?;
    let result: Result<(), AppError> = async {
        let (kind, due) = check_assignment_input(form.get("kind"), form.get("due_on"))?;
        state
            .store
            .set_assignment(&me.actor, &id, kind, due, state.now())
            .await
            .map_err(lift)?;
        Ok(())
    }
    .await;
    detail_outcome(&state, shell, &me.actor, &id, form, result).await
}

async fn post_assignment_status(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = begin(&state, &me.actor, &id, "assignment_status", &body).await?;
    let result: Result<(), AppError> = async {
        let kind = form.get("kind").parse::<AssignmentKind>()?;
        let status = form.get("status").parse::<AssignmentStatus>()?;
        state
            .store
            .update_assignment(&me.actor, &id, kind, status, form.get("note"), state.now())
            .await
            .map_err(lift)?;
        Ok(())
    }
    .await;
    detail_outcome(&state, shell, &me.actor, &id, form, result).await
}

async fn post_conditions(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = begin(&state, &me.actor, &id, "conditions", &body).await?;
    let result: Result<(), AppError> = async {
        let positions: Vec<usize> = form
            .all("condition")
            .iter()
            .filter_map(|c| c.parse().ok())
            .collect();
        check_condition_positions(&positions)?;
        state
            .store
            .confirm_trajectory_conditions(&me.actor, &id, &positions, state.now())
            .await
            .map_err(lift)?;
        Ok(())
    }
    .await;
    detail_outcome(&state, shell, &me.actor, &id, form, result).await
}

async fn post_evaluation(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = begin(&state, &me.actor, &id, "evaluation", &body).await?;
    let result: Result<(), AppError> = async {
        let evaluation =
            parse_evaluation(form.get("score"), form.get("helped"), form.get("improve"))
                .map_err(AppError::Validation)?;
        state
            .store
            .submit_evaluation(&me.actor, &id, &evaluation, state.now())
            .await
            .map_err(lift)?;
        Ok(())
    }
    .await;
    detail_outcome(&state, shell, &me.actor, &id, form, result).await
}
