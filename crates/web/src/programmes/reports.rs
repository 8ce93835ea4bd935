//! Reports of a programme's participants: the manager asks for them with due dates (per programme or per grant) and sees which are in, late or missing; a participant writes and submits; beside each report keten's own figures for that municipality over the report's period.

use super::grants::field_error;
use super::pages::{Choice, dutch_date};
use super::require_manager;
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use keten_core::ValidationError;
use keten_core::programme::{ReportState, parse_date};
use keten_core::reference::municipality;
use keten_core::steering::Cell;
use keten_store::Actor;
use keten_store::programme_money::{KetenFigures, NewReport, Report, ReportLine};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/programmas/{id}/verslagen",
            get(reports_page).post(create_report),
        )
        .route(
            "/aanvragen/{id}/verslagen",
            get(participant_page).post(submit_report),
        )
}

/// keten's figures as shown: cells of 1 to 4 read "< 5".
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FiguresView {
    pub questions: String,
    /// Help questions per 1,000 residents of the municipality (CBS/Statbel population of the reference data, as
    /// the steering dashboard counts it), one decimal; "< 5" when the questions are, empty without residents.
    pub per_1000: String,
    pub referrals_sent: String,
    pub referrals_completed: String,
    pub help_points: String,
    /// Partners' consultation hours at the chain's help points in the directory today.
    pub consultation_hours: String,
}

pub(crate) fn small_cell(n: i64) -> Cell {
    Cell::new(n, n > 0 && n < 5)
}

/// Help questions per 1,000 residents as a cell: hidden like the count it comes from (a rate must not reveal a
/// count of 1 to 4), absent without residents.
pub(crate) fn per_1000_cell(questions: i64, municipality_code: &str) -> Option<Cell> {
    let residents = municipality(municipality_code).map_or(0, |m| m.population);
    if questions > 0 && questions < 5 {
        return Some(Cell::Hidden);
    }
    keten_core::steering::per_thousand_tenths(questions, residents).map(Cell::Tenths)
}

pub(crate) fn figures_view(f: &KetenFigures, municipality_code: &str) -> FiguresView {
    FiguresView {
        questions: small_cell(f.questions).to_string(),
        per_1000: per_1000_cell(f.questions, municipality_code)
            .map(|c| c.to_string())
            .unwrap_or_default(),
        consultation_hours: f.consultation_hours.to_string(),
        referrals_sent: small_cell(f.referrals_sent).to_string(),
        referrals_completed: small_cell(f.referrals_completed).to_string(),
        help_points: f.help_points.to_string(),
    }
}

/// One participant's side of a report, as pages show it.
#[derive(Debug, Clone)]
struct LineView {
    report_id: String,
    title: String,
    period: String,
    due: String,
    application_id: String,
    organisation: String,
    municipality: String,
    state: &'static str,
    state_code: &'static str,
    submitted_on: String,
    body: String,
    figures: String,
    keten: FiguresView,
}

pub(crate) fn period_text(r: &Report) -> String {
    format!(
        "{} tot en met {}",
        dutch_date(r.period_from),
        dutch_date(r.period_until)
    )
}

pub(crate) async fn keten_figures_of(
    state: &AppState,
    line: &ReportLine,
) -> Result<KetenFigures, AppError> {
    Ok(state
        .store
        .keten_figures(
            &line.municipality_code,
            line.report.period_from,
            line.report.period_until,
        )
        .await?)
}

async fn line_view(state: &AppState, line: &ReportLine) -> Result<LineView, AppError> {
    let keten = figures_view(
        &keten_figures_of(state, line).await?,
        &line.municipality_code,
    );
    Ok(LineView {
        report_id: line.report.id.clone(),
        title: line.report.title.clone(),
        period: period_text(&line.report),
        due: dutch_date(line.report.due_on),
        application_id: line.application_id.clone(),
        organisation: line.organisation_name.clone(),
        municipality: municipality(&line.municipality_code)
            .map_or_else(|| line.municipality_code.clone(), |m| m.name.clone()),
        state: line.state.label(),
        state_code: line.state.as_str(),
        submitted_on: line
            .submission
            .as_ref()
            .map(|s| dutch_date(s.submitted_on))
            .unwrap_or_default(),
        body: line
            .submission
            .as_ref()
            .map(|s| s.body.clone())
            .unwrap_or_default(),
        figures: line
            .submission
            .as_ref()
            .map(|s| s.figures.clone())
            .unwrap_or_default(),
        keten,
    })
}

/// The report form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ReportForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub period_from: String,
    #[serde(default)]
    pub period_until: String,
    #[serde(default)]
    pub due_on: String,
    /// Empty: every participant.
    #[serde(default)]
    pub grant_id: String,
}

/// Checks a report asked for.
pub(crate) fn parse_report(form: &ReportForm) -> Result<NewReport, AppError> {
    let mut errors = Vec::new();
    let title = form.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(ValidationError::new(
            "title",
            "Geef het verslag een naam van hooguit 200 tekens, bijvoorbeeld Tussenverslag 2024.",
        ));
    }
    let from = parse_date("period_from", &form.period_from).map_err(|e| errors.push(e));
    let until = parse_date("period_until", &form.period_until).map_err(|e| errors.push(e));
    let due = parse_date("due_on", &form.due_on).map_err(|e| errors.push(e));
    if let (Ok(f), Ok(u)) = (from, until)
        && u < f
    {
        errors.push(ValidationError::new(
            "period_until",
            "Het einde van de periode ligt voor het begin.",
        ));
    }
    match (from, until, due) {
        (Ok(period_from), Ok(period_until), Ok(due_on)) if errors.is_empty() => Ok(NewReport {
            grant_id: Some(form.grant_id.trim().to_owned()).filter(|g| !g.is_empty()),
            title,
            period_from,
            period_until,
            due_on,
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_reports.html")]
struct ReportsPage {
    shell: Shell,
    programme_id: String,
    programme_name: String,
    lines: Vec<LineView>,
    counts: Vec<(&'static str, usize)>,
    grants: Vec<Choice>,
    form: ReportForm,
    errors: Vec<ValidationError>,
}

impl ReportsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field)
    }
}

async fn reports_view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    programme_id: &str,
    form: ReportForm,
    errors: Vec<ValidationError>,
) -> Result<ReportsPage, AppError> {
    let p = state.store.managed_programme(actor, programme_id).await?;
    let today = keten_core::steering::local_date(state.now());
    let report_lines = state
        .store
        .programme_report_lines(actor, programme_id, today)
        .await?;
    let mut lines = Vec::with_capacity(report_lines.len());
    for l in &report_lines {
        lines.push(line_view(state, l).await?);
    }
    let counts = ReportState::ALL
        .iter()
        .map(|s| {
            (
                s.label(),
                report_lines.iter().filter(|l| l.state == *s).count(),
            )
        })
        .collect();
    let grants = state
        .store
        .programme_grants(actor, programme_id)
        .await?
        .into_iter()
        .map(|g| Choice {
            selected: g.id == form.grant_id,
            label: g.organisation_name,
            value: g.id,
        })
        .collect();
    Ok(ReportsPage {
        shell,
        programme_id: p.id,
        programme_name: p.name,
        lines,
        counts,
        grants,
        form,
        errors,
    })
}

async fn reports_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<ReportsPage, PageError> {
    require_manager(&me.actor)?;
    Ok(reports_view(
        &state,
        shell,
        &me.actor,
        &id,
        ReportForm::default(),
        Vec::new(),
    )
    .await?)
}

/// Asks for a report: shared by the page and the API.
pub(crate) async fn ask_report(
    state: &AppState,
    actor: &Actor,
    programme_id: &str,
    form: &ReportForm,
) -> Result<Report, AppError> {
    state.store.managed_programme(actor, programme_id).await?;
    let new = parse_report(form)?;
    Ok(state
        .store
        .create_report(actor, programme_id, &new, state.now())
        .await?)
}

async fn create_report(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<ReportForm>,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    match ask_report(&state, &me.actor, &id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/programmas/{id}/verslagen")).into_response()),
        Err(AppError::Validation(errors)) => {
            let page = reports_view(&state, shell, &me.actor, &id, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_participant_reports.html")]
struct ParticipantPage {
    shell: Shell,
    application_id: String,
    organisation: String,
    programme_id: String,
    programme_name: String,
    manages: bool,
    writes: bool,
    lines: Vec<LineView>,
    form: SubmitForm,
    errors: Vec<ValidationError>,
}

impl ParticipantPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field)
    }
}

/// A report as a participant submits it.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct SubmitForm {
    #[serde(default)]
    pub report_id: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub figures: String,
}

async fn participant_view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    application_id: &str,
    form: SubmitForm,
    errors: Vec<ValidationError>,
) -> Result<ParticipantPage, AppError> {
    let a = state.store.application(actor, application_id).await?;
    let p = state.store.programme(&a.programme_id).await?;
    let manages = state.store.managed_programme(actor, &p.id).await.is_ok();
    let today = keten_core::steering::local_date(state.now());
    let report_lines = state
        .store
        .application_report_lines(actor, application_id, today)
        .await?;
    let mut lines = Vec::with_capacity(report_lines.len());
    for l in &report_lines {
        let mut view = line_view(state, l).await?;
        // Keep what the participant typed when its submission was refused.
        if !errors.is_empty() && form.report_id == l.report.id {
            view.body.clone_from(&form.body);
            view.figures.clone_from(&form.figures);
        }
        lines.push(view);
    }
    Ok(ParticipantPage {
        shell,
        application_id: a.id.clone(),
        organisation: a.organisation_name.clone(),
        programme_id: p.id,
        programme_name: p.name,
        manages,
        writes: actor.is_member_of(&a.organisation_id),
        lines,
        form,
        errors,
    })
}

async fn participant_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<ParticipantPage, PageError> {
    Ok(participant_view(
        &state,
        shell,
        &me.actor,
        &id,
        SubmitForm::default(),
        Vec::new(),
    )
    .await?)
}

async fn submit_report(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<SubmitForm>,
) -> Result<Response, PageError> {
    let today = keten_core::steering::local_date(state.now());
    match state
        .store
        .submit_report(
            &me.actor,
            &id,
            &form.report_id,
            &form.body,
            &form.figures,
            today,
            state.now(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/aanvragen/{id}/verslagen")).into_response()),
        Err(keten_store::StoreError::Invalid(errors)) => {
            let page = participant_view(&state, shell, &me.actor, &id, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(AppError::from(e).into()),
    }
}
