//! `/api/v1/programmes`: programmes (public settings; managers create them), and for the programme's managers its applications, grants with instalments, and reports with their states and keten's figures.

use super::require_manager;
use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiActor, ApiJson};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::programme::{
    Amount, ApplicantKind, EligibilityRules, EuroCents, ProgrammeDraft, ProgrammeKind, WaveDraft,
    parse_date,
};
use keten_core::reference::Country;
use keten_store::programme_money::{Grant, ReportLine};
use keten_store::programmes::{Application, ApplicationFilter, Programme};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A programme's settings (public: a call is published).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeResponse {
    pub id: String,
    /// `call`, `project_call`, `trajectory` or `subsidy_scheme`.
    pub kind: String,
    pub name: String,
    pub description: String,
    pub organisation: String,
    /// `municipality` or `library`.
    pub applicant_kind: String,
    /// `YYYY-MM-DD`, the programme's own calendar days.
    pub opens_on: String,
    pub closes_on: String,
    pub budget_cents: i64,
    pub cap_cents: i64,
    /// Whether the cap, the budget and grants include VAT.
    pub cap_vat_included: bool,
    pub vat_percent: u32,
    pub max_participants: u32,
    pub conditions: Vec<String>,
    /// The waves of a subsidy scheme (kopgroep, later phases), in order; empty for other kinds.
    pub waves: Vec<WaveResponse>,
}

/// One wave: its places, what one participant receives in all and per calendar year, and when the choice is
/// announced.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaveResponse {
    pub id: String,
    pub name: String,
    pub places: u32,
    pub amount_cents: i64,
    /// `YYYY-MM-DD`, or absent while no date is set.
    pub announce_on: Option<String>,
    /// The amount spread over calendar years, in year order (empty: not spread).
    pub years: Vec<WaveYearResponse>,
}

/// What one participant of a wave receives in one calendar year.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaveYearResponse {
    pub year: i32,
    pub amount_cents: i64,
}

fn programme_response(p: &Programme) -> ProgrammeResponse {
    ProgrammeResponse {
        id: p.id.clone(),
        kind: p.kind.as_str().to_owned(),
        name: p.name.clone(),
        description: p.description.clone(),
        organisation: p.organisation_name.clone(),
        applicant_kind: p.applicant_kind.as_str().to_owned(),
        opens_on: p.opens_on.to_string(),
        closes_on: p.closes_on.to_string(),
        budget_cents: p.budget.0,
        cap_cents: p.cap.cents.0,
        cap_vat_included: p.cap.vat_included,
        vat_percent: p.vat_percent,
        max_participants: p.max_participants,
        conditions: p.conditions.clone(),
        waves: p
            .waves
            .iter()
            .map(|w| WaveResponse {
                id: w.id.clone(),
                name: w.name.clone(),
                places: w.places,
                amount_cents: w.amount.0,
                announce_on: w.announce_on.map(|d| d.to_string()),
                years: w
                    .years
                    .iter()
                    .map(|(year, amount)| WaveYearResponse {
                        year: *year,
                        amount_cents: amount.0,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Every programme, newest first.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "programmes",
    responses((status = 200, body = Vec<ProgrammeResponse>), (status = 401, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_programmes(
    State(state): State<AppState>,
    ApiActor(_actor): ApiActor,
) -> Result<Json<Vec<ProgrammeResponse>>, ApiError> {
    let all = state.store.programmes().await?;
    Ok(Json(all.iter().map(programme_response).collect()))
}

/// One programme's settings.
#[utoipa::path(get, path = "/api/v1/programmes/{id}", tag = "programmes",
    params(("id" = String, Path, description = "Programme id")),
    responses((status = 200, body = ProgrammeResponse), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_programme(
    State(state): State<AppState>,
    ApiActor(_actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ProgrammeResponse>, ApiError> {
    let p = state.store.programme(&id).await?;
    Ok(Json(programme_response(&p)))
}

/// An application as its programme's managers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationResponse {
    pub id: String,
    pub organisation_id: String,
    pub organisation: String,
    pub municipality_code: String,
    /// `submitted`, `missing_info`, `selected`, `reserve`, `rejected` or `withdrawn`.
    pub status: String,
    pub amount_cents: i64,
    pub vat_included: bool,
    pub wave_id: Option<String>,
    /// Organisation ids of the dossier's members, with whether each confirmed.
    pub members: Vec<MemberResponse>,
    /// Unix seconds.
    pub submitted_at: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberResponse {
    pub organisation_id: String,
    pub municipality_code: String,
    /// `member` or `partner`.
    pub role: String,
    pub confirmed: bool,
}

pub(crate) fn application_response(a: &Application) -> ApplicationResponse {
    ApplicationResponse {
        id: a.id.clone(),
        organisation_id: a.organisation_id.clone(),
        organisation: a.organisation_name.clone(),
        municipality_code: a.municipality_code.clone(),
        status: a.status.as_str().to_owned(),
        amount_cents: a.amount.cents.0,
        vat_included: a.amount.vat_included,
        wave_id: a.wave_id.clone(),
        members: a
            .members
            .iter()
            .map(|m| MemberResponse {
                organisation_id: m.organisation_id.clone(),
                municipality_code: m.municipality_code.clone(),
                role: m.role.as_str().to_owned(),
                confirmed: m.confirmed_at.is_some(),
            })
            .collect(),
        submitted_at: a.submitted_at,
    }
}

/// A programme's applications: its managers only (another body's manager gets 404).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/applications", tag = "programmes",
    params(("id" = String, Path, description = "Programme id")),
    responses((status = 200, body = Vec<ApplicationResponse>), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_programme_applications(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<ApplicationResponse>>, ApiError> {
    require_manager(&actor)?;
    let all = state
        .store
        .programme_applications(&actor, &id, &ApplicationFilter::default())
        .await?;
    Ok(Json(all.iter().map(application_response).collect()))
}

/// A grant with its instalments.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantResponse {
    pub id: String,
    pub application_id: String,
    pub organisation: String,
    pub municipality_code: String,
    /// On the programme's footing (`vat_included` as its cap).
    pub amount_cents: i64,
    pub vat_included: bool,
    pub paid_cents: i64,
    pub payments: Vec<PaymentResponse>,
    /// Unix seconds of the withdrawal; `null` while the grant stands.
    pub withdrawn_at: Option<i64>,
    pub withdrawn_reason: Option<String>,
    /// Paid on a withdrawn grant: to be reclaimed from the participant.
    pub to_reclaim_cents: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentResponse {
    /// `YYYY-MM-DD`.
    pub paid_on: String,
    pub amount_cents: i64,
}

fn grant_response(g: &Grant) -> GrantResponse {
    GrantResponse {
        id: g.id.clone(),
        application_id: g.application_id.clone(),
        organisation: g.organisation_name.clone(),
        municipality_code: g.municipality_code.clone(),
        amount_cents: g.amount.cents.0,
        vat_included: g.amount.vat_included,
        paid_cents: g.paid.0,
        payments: g
            .payments
            .iter()
            .map(|p| PaymentResponse {
                paid_on: p.paid_on.to_string(),
                amount_cents: p.amount.0,
            })
            .collect(),
        withdrawn_at: g.withdrawn.as_ref().map(|w| w.at),
        withdrawn_reason: g.withdrawn.as_ref().map(|w| w.reason.clone()),
        to_reclaim_cents: g.to_reclaim().0,
    }
}

/// A programme's money and its grants.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantsResponse {
    pub budget_cents: i64,
    pub awarded_cents: i64,
    pub paid_cents: i64,
    pub left_cents: i64,
    pub grants: Vec<GrantResponse>,
}

/// The budget awarded, paid and left, and every grant: the programme's managers only.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/grants", tag = "programmes",
    params(("id" = String, Path, description = "Programme id")),
    responses((status = 200, body = GrantsResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_grants(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<GrantsResponse>, ApiError> {
    require_manager(&actor)?;
    let b = state.store.programme_budget(&actor, &id).await?;
    let grants = state.store.programme_grants(&actor, &id).await?;
    Ok(Json(GrantsResponse {
        budget_cents: b.budget.0,
        awarded_cents: b.awarded.0,
        paid_cents: b.paid.0,
        left_cents: b.left.0,
        grants: grants.iter().map(grant_response).collect(),
    }))
}

/// A grant to award.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewGrant {
    pub application_id: String,
    pub amount_cents: i64,
    /// Whether `amount_cents` includes VAT; converted to the programme's footing at its VAT percentage.
    pub vat_included: bool,
    #[serde(default)]
    pub note: String,
}

/// Awards a grant to a selected application: never above the cap per applicant nor the budget left (422).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/grants", tag = "programmes",
    params(("id" = String, Path, description = "Programme id")), request_body = NewGrant,
    responses((status = 201, body = GrantResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_grant(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    // The body is judged after the role: a caller without the role hears 403 whatever it sent.
    body: Result<ApiJson<NewGrant>, ApiError>,
) -> Result<(StatusCode, Json<GrantResponse>), ApiError> {
    require_manager(&actor)?;
    let p = state.store.managed_programme(&actor, &id).await?;
    let ApiJson(new) = body?;
    let not_here = || {
        AppError::Validation(vec![ValidationError::new(
            "application_id",
            "Kies een gekozen deelnemer van dit programma.",
        )])
    };
    let a = state
        .store
        .application(&actor, &new.application_id)
        .await
        .map_err(|_| not_here())?;
    if a.programme_id != p.id {
        return Err(not_here().into());
    }
    let amount = Amount {
        cents: amount_in_range(new.amount_cents)?,
        vat_included: new.vat_included,
    };
    let on_footing = if p.cap.vat_included {
        amount.including_vat(p.vat_percent)
    } else {
        amount.excluding_vat(p.vat_percent)
    };
    let g = state
        .store
        .award_grant(&actor, &a.id, on_footing, &new.note, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(grant_response(&g))))
}

/// An instalment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPayment {
    /// `YYYY-MM-DD`.
    pub paid_on: String,
    pub amount_cents: i64,
}

/// Records an instalment of a grant: never more than what is still to be paid (422). The programme's managers.
#[utoipa::path(post, path = "/api/v1/grants/{id}/payments", tag = "programmes",
    params(("id" = String, Path, description = "Grant id")), request_body = NewPayment,
    responses((status = 201, body = GrantResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_payment(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<NewPayment>, ApiError>,
) -> Result<(StatusCode, Json<GrantResponse>), ApiError> {
    require_manager(&actor)?;
    let g = state.store.grant(&actor, &id).await?;
    state
        .store
        .managed_programme(&actor, &g.programme_id)
        .await?;
    let ApiJson(new) = body?;
    let paid_on = parse_date("paid_on", &new.paid_on)?;
    let g = state
        .store
        .record_payment(
            &actor,
            &id,
            paid_on,
            amount_in_range(new.amount_cents)?,
            state.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(grant_response(&g))))
}

/// One participant's side of a report on today's date.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportLineResponse {
    pub report_id: String,
    pub title: String,
    /// `null`: asked of every selected participant.
    pub grant_id: Option<String>,
    pub period_from: String,
    pub period_until: String,
    pub due_on: String,
    pub application_id: String,
    pub organisation: String,
    pub municipality_code: String,
    /// `open` (not yet due), `in`, `late` or `missing`.
    pub state: String,
    pub submitted_on: Option<String>,
    pub body: Option<String>,
    pub figures: Option<String>,
    /// keten's own figures for the municipality over the period; counts of 1 to 4 read "< 5".
    pub keten: super::reports::FiguresView,
}

async fn line_response(state: &AppState, l: &ReportLine) -> Result<ReportLineResponse, AppError> {
    let keten = super::reports::figures_view(
        &super::reports::keten_figures_of(state, l).await?,
        &l.municipality_code,
    );
    Ok(ReportLineResponse {
        report_id: l.report.id.clone(),
        title: l.report.title.clone(),
        grant_id: l.report.grant_id.clone(),
        period_from: l.report.period_from.to_string(),
        period_until: l.report.period_until.to_string(),
        due_on: l.report.due_on.to_string(),
        application_id: l.application_id.clone(),
        organisation: l.organisation_name.clone(),
        municipality_code: l.municipality_code.clone(),
        state: l.state.as_str().to_owned(),
        submitted_on: l.submission.as_ref().map(|s| s.submitted_on.to_string()),
        body: l.submission.as_ref().map(|s| s.body.clone()),
        figures: l.submission.as_ref().map(|s| s.figures.clone()),
        keten,
    })
}

/// Every report of the programme times each participant it concerns, with its state today: its managers only.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/reports", tag = "programmes",
    params(("id" = String, Path, description = "Programme id")),
    responses((status = 200, body = Vec<ReportLineResponse>), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_reports(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<ReportLineResponse>>, ApiError> {
    require_manager(&actor)?;
    let today = keten_core::steering::local_date(state.now());
    let lines = state
        .store
        .programme_report_lines(&actor, &id, today)
        .await?;
    let mut out = Vec::with_capacity(lines.len());
    for l in &lines {
        out.push(line_response(&state, l).await?);
    }
    Ok(Json(out))
}

/// A report to ask for.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewReportRequest {
    pub title: String,
    /// `YYYY-MM-DD`.
    pub period_from: String,
    pub period_until: String,
    pub due_on: String,
    /// Only this grant's participant; leave out for every selected participant.
    #[serde(default)]
    pub grant_id: Option<String>,
}

/// The report as asked.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportResponse {
    pub id: String,
    pub title: String,
    pub grant_id: Option<String>,
    pub period_from: String,
    pub period_until: String,
    pub due_on: String,
}

/// Asks a report of the programme's participants (or of one grant's). The programme's managers.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/reports", tag = "programmes",
    params(("id" = String, Path, description = "Programme id")), request_body = NewReportRequest,
    responses((status = 201, body = ReportResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_report(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<NewReportRequest>, ApiError>,
) -> Result<(StatusCode, Json<ReportResponse>), ApiError> {
    require_manager(&actor)?;
    state.store.managed_programme(&actor, &id).await?;
    let ApiJson(new) = body?;
    let form = super::reports::ReportForm {
        title: new.title,
        period_from: new.period_from,
        period_until: new.period_until,
        due_on: new.due_on,
        grant_id: new.grant_id.unwrap_or_default(),
    };
    let r = super::reports::ask_report(&state, &actor, &id, &form).await?;
    Ok((
        StatusCode::CREATED,
        Json(ReportResponse {
            id: r.id,
            title: r.title,
            grant_id: r.grant_id,
            period_from: r.period_from.to_string(),
            period_until: r.period_until.to_string(),
            due_on: r.due_on.to_string(),
        }),
    ))
}

/// A grant's new amount.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GrantChange {
    pub amount_cents: i64,
    /// Whether `amount_cents` includes VAT; converted to the programme's footing at its VAT percentage.
    pub vat_included: bool,
}

/// Changes a standing grant's amount: within the cap, not below what was paid, within the budget (422). The
/// programme's managers; race-safe like the award.
#[utoipa::path(patch, path = "/api/v1/grants/{id}", tag = "programmes",
    params(("id" = String, Path, description = "Grant id")), request_body = GrantChange,
    responses((status = 200, body = GrantResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn change_grant(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<GrantChange>, ApiError>,
) -> Result<Json<GrantResponse>, ApiError> {
    require_manager(&actor)?;
    let g = state.store.grant(&actor, &id).await?;
    let p = state
        .store
        .managed_programme(&actor, &g.programme_id)
        .await?;
    let ApiJson(change) = body?;
    let amount = Amount {
        cents: amount_in_range(change.amount_cents)?,
        vat_included: change.vat_included,
    };
    let on_footing = if p.cap.vat_included {
        amount.including_vat(p.vat_percent)
    } else {
        amount.excluding_vat(p.vat_percent)
    };
    let g = state
        .store
        .change_grant_amount(&actor, &id, on_footing, state.now())
        .await?;
    Ok(Json(grant_response(&g)))
}

/// Why a grant is withdrawn.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GrantWithdrawal {
    pub reason: String,
}

/// Withdraws a grant with a recorded reason: its amount returns to the budget, paid instalments stay recorded and
/// are to be reclaimed (`to_reclaim_cents`). The programme's managers.
#[utoipa::path(post, path = "/api/v1/grants/{id}/withdrawal", tag = "programmes",
    params(("id" = String, Path, description = "Grant id")), request_body = GrantWithdrawal,
    responses((status = 200, body = GrantResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn withdraw_grant(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<GrantWithdrawal>, ApiError>,
) -> Result<Json<GrantResponse>, ApiError> {
    require_manager(&actor)?;
    let g = state.store.grant(&actor, &id).await?;
    state
        .store
        .managed_programme(&actor, &g.programme_id)
        .await?;
    let ApiJson(w) = body?;
    let g = state
        .store
        .withdraw_grant(&actor, &id, &w.reason, state.now())
        .await?;
    Ok(Json(grant_response(&g)))
}

/// A participant's report as written and submitted.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SubmissionRequest {
    /// The participant's own text (up to 20,000 characters).
    pub body: String,
    /// Its own figures, free text (up to 5,000 characters).
    #[serde(default)]
    pub figures: String,
}

/// The application of this programme the actor may see; anything else is 404.
async fn application_in(
    state: &AppState,
    actor: &keten_store::Actor,
    programme_id: &str,
    application_id: &str,
) -> Result<Application, ApiError> {
    let a = state.store.application(actor, application_id).await?;
    if a.programme_id != programme_id {
        return Err(AppError::NotFound.into());
    }
    Ok(a)
}

/// One participant's side of a report with keten's figures beside it: the participant (and its dossier members)
/// and the programme's managers.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/reports/{report_id}/submissions/{application_id}",
    tag = "programmes",
    params(("id" = String, Path, description = "Programme id"), ("report_id" = String, Path, description = "Report id"),
           ("application_id" = String, Path, description = "The participant's application id")),
    responses((status = 200, body = ReportLineResponse), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_submission(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, report_id, application_id)): Path<(String, String, String)>,
) -> Result<Json<ReportLineResponse>, ApiError> {
    application_in(&state, &actor, &id, &application_id).await?;
    let today = keten_core::steering::local_date(state.now());
    let line = state
        .store
        .application_report_lines(&actor, &application_id, today)
        .await?
        .into_iter()
        .find(|l| l.report.id == report_id)
        .ok_or(AppError::NotFound)?;
    Ok(Json(line_response(&state, &line).await?))
}

/// The participant writes and submits (or corrects) its own report; the day of the first submission is kept,
/// so a correction does not make a late report on time. Only members of the applying organisation (403 for
/// its dossier members and the programme's managers, who read it); 404 for anyone who may not see it.
#[utoipa::path(put, path = "/api/v1/programmes/{id}/reports/{report_id}/submissions/{application_id}",
    tag = "programmes",
    params(("id" = String, Path, description = "Programme id"), ("report_id" = String, Path, description = "Report id"),
           ("application_id" = String, Path, description = "The participant's own application id")),
    request_body = SubmissionRequest,
    responses((status = 200, body = ReportLineResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_submission(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, report_id, application_id)): Path<(String, String, String)>,
    body: Result<ApiJson<SubmissionRequest>, ApiError>,
) -> Result<Json<ReportLineResponse>, ApiError> {
    let a = application_in(&state, &actor, &id, &application_id).await?;
    // Who writes is checked before the body is read.
    if !actor.is_admin() && !actor.is_member_of(&a.organisation_id) {
        return Err(AppError::Forbidden.into());
    }
    let ApiJson(new) = body?;
    let today = keten_core::steering::local_date(state.now());
    let line = state
        .store
        .submit_report(
            &actor,
            &application_id,
            &report_id,
            &new.body,
            &new.figures,
            today,
            state.now(),
        )
        .await?;
    Ok(Json(line_response(&state, &line).await?))
}

/// A created resource: 201 (or 200), its address in `Location`, and its JSON.
pub(crate) type Created<T> = (StatusCode, [(header::HeaderName, String); 1], Json<T>);

/// A new programme: the fields of the manager's form, typed.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewProgramme {
    /// The national body that runs it; left out, the caller's own (its first organisation as programme manager).
    pub organisation_id: Option<String>,
    /// `call`, `project_call`, `trajectory` or `subsidy_scheme`.
    pub kind: String,
    pub name: String,
    pub description: String,
    /// `municipality` or `library`.
    pub applicant_kind: String,
    /// `YYYY-MM-DD`: the first and last day applications are open.
    pub opens_on: String,
    pub closes_on: String,
    pub budget_cents: Option<i64>,
    /// The most one participant may ask; 0 when there is no money (taking part only).
    pub cap_cents: Option<i64>,
    /// Whether the cap, the budget and grants include VAT (default true).
    pub cap_vat_included: Option<bool>,
    /// Default 21.
    pub vat_percent: Option<u32>,
    pub max_participants: Option<u32>,
    /// What every applicant must confirm, in order.
    pub conditions: Vec<String>,
    /// `NL` or `BE`; left out, both.
    pub country: Option<String>,
    pub min_population: Option<u32>,
    pub max_population: Option<u32>,
    /// Names of programmes whose participants get no funding here (they may be a dossier's partner).
    pub excluded_programmes: Vec<String>,
    /// Population below which a municipality is small (default 20,000) and from which it is large (default
    /// 50,000): the size classes of a balanced selection.
    pub small_below: Option<u32>,
    pub large_from: Option<u32>,
    /// The waves of a subsidy scheme, in order (at least one for that kind).
    pub waves: Vec<NewWave>,
}

/// One wave as sent: the amount per participant in one sum, or spread over years (then the sum of the years;
/// when both are given they must agree).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewWave {
    pub name: String,
    pub places: u32,
    pub amount_cents: Option<i64>,
    /// `YYYY-MM-DD`.
    pub announce_on: Option<String>,
    pub years: Vec<NewWaveYear>,
}

/// What one participant of a wave receives in one calendar year.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct NewWaveYear {
    pub year: i32,
    pub amount_cents: i64,
}

fn read<T>(errors: &mut Vec<ValidationError>, r: Result<T, ValidationError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

/// A date as the API writes it.
fn iso_date(field: &'static str, text: &str) -> Result<jiff::civil::Date, ValidationError> {
    text.trim().parse().map_err(|_| {
        ValidationError::new(
            field,
            "Schrijf de datum als JJJJ-MM-DD, bijvoorbeeld 2023-09-15.",
        )
    })
}

/// The JSON body as a draft: the codes, dates and required numbers read here, the rules between fields by
/// [`ProgrammeDraft::check`], as for the form; a field refused while reading is not judged twice.
fn programme_draft(new: &NewProgramme) -> Result<ProgrammeDraft, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let kind = read(
        &mut errors,
        new.kind.parse::<ProgrammeKind>().map_err(|_| {
            ValidationError::new(
                "kind",
                "Kies het soort programma: call, project_call, trajectory of subsidy_scheme.",
            )
        }),
    );
    let applicant_kind = read(
        &mut errors,
        new.applicant_kind.parse::<ApplicantKind>().map_err(|_| {
            ValidationError::new(
                "applicant_kind",
                "Kies wie er kan aanvragen: municipality of library.",
            )
        }),
    );
    let opens_on = read(&mut errors, iso_date("opens_on", &new.opens_on));
    let closes_on = read(&mut errors, iso_date("closes_on", &new.closes_on));
    let budget = read(
        &mut errors,
        new.budget_cents
            .map(EuroCents)
            .ok_or_else(|| ValidationError::new("budget_cents", "Vul het budget in, in eurocent.")),
    );
    let cap = read(
        &mut errors,
        new.cap_cents.map(EuroCents).ok_or_else(|| {
            ValidationError::new(
                "cap_cents",
                "Vul de hoogste bijdrage per deelnemer in, in eurocent (0 als er geen geld is).",
            )
        }),
    );
    let country = read(
        &mut errors,
        match new.country.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some("NL") => Ok(Some(Country::Nl)),
            Some("BE") => Ok(Some(Country::Be)),
            Some(_) => Err(ValidationError::new(
                "country",
                "Kies NL, BE of laat het land weg (beide).",
            )),
        },
    )
    .flatten();
    let mut waves = Vec::new();
    for (i, w) in new.waves.iter().enumerate() {
        let years: Vec<(i32, EuroCents)> = w
            .years
            .iter()
            .map(|y| (y.year, EuroCents(y.amount_cents)))
            .collect();
        let amount = match w.amount_cents {
            Some(a) => Some(EuroCents(a)),
            None if !years.is_empty() => Some(EuroCents(
                years.iter().fold(0_i64, |t, (_, a)| t.saturating_add(a.0)),
            )),
            None => None,
        };
        let announce_on = match w.announce_on.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(d) => iso_date("waves", d).map(Some),
        };
        match (amount, announce_on) {
            (Some(amount), Ok(announce_on)) => waves.push(WaveDraft {
                name: w.name.trim().to_owned(),
                places: w.places,
                amount,
                announce_on,
                years,
            }),
            (None, _) => errors.push(ValidationError::new(
                "waves",
                format!(
                    "Golf {}: geef het bedrag per deelnemer (amount_cents) of de bedragen per jaar (years).",
                    i + 1
                ),
            )),
            (_, Err(e)) => errors.push(ValidationError::new(
                "waves",
                format!("Golf {}: {}", i + 1, e.message),
            )),
        }
    }
    let refused: Vec<&'static str> = errors.iter().map(|e| e.field).collect();
    let draft = ProgrammeDraft {
        kind: kind.unwrap_or(ProgrammeKind::Call),
        name: new.name.trim().to_owned(),
        description: new.description.trim().to_owned(),
        applicant_kind: applicant_kind.unwrap_or(ApplicantKind::Municipality),
        opens_on: opens_on.or(closes_on).unwrap_or_default(),
        closes_on: closes_on.or(opens_on).unwrap_or_default(),
        budget: budget.unwrap_or_default(),
        cap: Amount {
            cents: cap.unwrap_or_default(),
            vat_included: new.cap_vat_included.unwrap_or(true),
        },
        vat_percent: new.vat_percent.unwrap_or(21),
        max_participants: new.max_participants.unwrap_or(0),
        conditions: new.conditions.iter().map(|c| c.trim().to_owned()).collect(),
        rules: EligibilityRules {
            country,
            min_population: new.min_population,
            max_population: new.max_population,
            excluded_programmes: new
                .excluded_programmes
                .iter()
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect(),
        },
        size_thresholds: (
            new.small_below.unwrap_or(20_000),
            new.large_from.unwrap_or(50_000),
        ),
        waves,
    };
    errors.extend(draft.check().into_iter().filter_map(|mut e| {
        e.field = match e.field {
            "budget" => "budget_cents",
            "cap" => "cap_cents",
            other => other,
        };
        (!refused.contains(&e.field)).then_some(e)
    }));
    if errors.is_empty() {
        Ok(draft)
    } else {
        Err(errors)
    }
}

/// Creates a programme with the same checks as the form `/programmas/nieuw`: the programme managers of the
/// organisation that runs it (403 for other roles, 404 for another body's organisation). 201 with the programme
/// as `GET /api/v1/programmes/{id}` shows it.
#[utoipa::path(post, path = "/api/v1/programmes", tag = "programmes", request_body = NewProgramme,
    responses((status = 201, body = ProgrammeResponse,
               headers(("location" = String, description = "The programme: /api/v1/programmes/{id}"))),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_programme(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Result<ApiJson<NewProgramme>, ApiError>,
) -> Result<Created<ProgrammeResponse>, ApiError> {
    require_manager(&actor)?;
    let ApiJson(new) = body?;
    let organisation_id = match new.organisation_id.as_deref().map(str::trim) {
        Some(o) if !o.is_empty() => o.to_owned(),
        _ => actor
            .organisation_ids_with(Role::ProgrammeManager)
            .next()
            .ok_or_else(|| {
                AppError::Validation(vec![ValidationError::new(
                    "organisation_id",
                    "Kies de organisatie die het programma uitvoert.",
                )])
            })?,
    };
    // The tenant before the content: another body's organisation is not found, whatever was sent.
    if !actor.is_admin()
        && !actor
            .organisation_ids_with(Role::ProgrammeManager)
            .any(|o| o == organisation_id)
    {
        return Err(AppError::NotFound.into());
    }
    let draft = programme_draft(&new).map_err(AppError::Validation)?;
    let p = state
        .store
        .create_programme(&actor, &organisation_id, &draft, state.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/programmes/{}", p.id))],
        Json(programme_response(&p)),
    ))
}

/// An amount of a grant or payment as the API received it: from zero up to [`EuroCents::MAX`], so that adding VAT
/// or summing cannot overflow.
fn amount_in_range(cents: i64) -> Result<EuroCents, ApiError> {
    let amount = EuroCents(cents);
    if amount.in_range() {
        Ok(amount)
    } else {
        Err(AppError::Validation(vec![ValidationError::new(
            "amount_cents",
            "Vul een bedrag in van € 0 tot € 10 miljard.",
        )])
        .into())
    }
}
