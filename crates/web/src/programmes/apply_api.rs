//! `/api/v1` for applicants and selection: applying to a programme, a dossier member's confirmation, a manager's request for a missing piece, reading one's application with its decision, the selection result (everything for the programme's managers, the published choice for others), running the lottery and overriding a decision with a reason.

use super::api::{ApplicationResponse, Created, application_response};
use super::{ApplicationInput, apply, require_manager};
use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiActor, ApiJson};
use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::programme::{ApplicationStatus, EuroCents};
use keten_core::selection::Explanation;
use keten_store::Actor;
use keten_store::programmes::{Application, ApplicationFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An application as the applicant sends it: the page's fields, typed.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewApplicationRequest {
    /// The organisation applying (a municipality the caller steers, a library it coordinates); may be left out
    /// when the caller applies for one organisation only.
    pub organisation_id: Option<String>,
    /// The contribution asked, in euro cents; 0 takes part without a contribution.
    pub amount_cents: Option<i64>,
    /// Whether `amount_cents` includes VAT; the cap is checked on its own footing at the programme's VAT rate.
    pub vat_included: bool,
    pub proposal: String,
    /// Partners from the quadruple helix named in the dossier, free text.
    pub helix_partners: String,
    /// The wave applied for (subsidy schemes: required).
    pub wave_id: Option<String>,
    /// Positions (from 0) of the programme's conditions the applicant confirms: every one is required.
    pub confirmed_conditions: Vec<usize>,
    /// Funded member municipalities of a dossier (project calls), by code or name; each confirms from its own
    /// account.
    pub members: Vec<String>,
    /// Partner municipalities without funding, by code or name.
    pub partners: Vec<String>,
}

/// An application as its applicant, its dossier members and the programme's managers see it, with the decision
/// of the latest selection run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationDetailResponse {
    pub programme_id: String,
    #[serde(flatten)]
    pub application: ApplicationResponse,
    pub proposal: String,
    pub helix_partners: String,
    /// Positions of the conditions confirmed.
    pub confirmed_conditions: Vec<usize>,
    /// What the manager asked to add, while the application waits for it.
    pub info_request: Option<String>,
    /// Chance of being selected in the latest run, 0 to 1; absent before a run.
    pub probability: Option<f64>,
    /// The decision in plain Dutch ("gekozen: laatste plaats voor kleine gemeenten in Drenthe, door loting met
    /// 2 andere"); absent before a run.
    pub explanation: Option<String>,
}

/// The explanation worded by the same template the application page uses, without HTML escaping (JSON).
#[derive(Template)]
#[template(path = "_selection_explanation.html", escape = "none")]
struct ExplanationText<'a> {
    explanation: &'a Explanation,
}

fn worded(json: Option<&str>) -> Option<String> {
    let explanation = super::selection::explanation(json)?;
    ExplanationText {
        explanation: &explanation,
    }
    .render()
    .ok()
    .map(|t| t.trim().to_owned())
}

async fn detail(
    state: &AppState,
    actor: &Actor,
    a: Application,
) -> Result<ApplicationDetailResponse, AppError> {
    let (probability, explanation) = state.store.selection_of(actor, &a.id).await?;
    Ok(ApplicationDetailResponse {
        programme_id: a.programme_id.clone(),
        application: application_response(&a),
        proposal: a.proposal,
        helix_partners: a.helix_partners,
        confirmed_conditions: a.confirmed_conditions,
        info_request: a.info_request,
        probability,
        explanation: worded(explanation.as_deref()),
    })
}

/// Field names of the page's checks as the JSON body names them.
fn json_fields(errors: Vec<ValidationError>) -> AppError {
    AppError::Validation(
        errors
            .into_iter()
            .map(|mut e| {
                e.field = match e.field {
                    "amount" => "amount_cents",
                    "conditions" => "confirmed_conditions",
                    other => other,
                };
                e
            })
            .collect(),
    )
}

/// Applies to an open programme, or updates the organisation's own application while it is submitted or asked to
/// add a piece (200; the first time 201). The same checks as the application form: open dates, the cap incl. or
/// excl. VAT, every condition, eligibility of the applicant and of each dossier member, the wave. A steering user
/// or token applies for its municipality, a coordinator for its library; anyone else gets 403.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/applications", tag = "programmes",
    params(("id" = String, Path, description = "Programme id")), request_body = NewApplicationRequest,
    responses((status = 201, body = ApplicationDetailResponse,
               headers(("location" = String, description = "The application: /api/v1/applications/{id}"))),
              (status = 200, body = ApplicationDetailResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_application(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<NewApplicationRequest>, ApiError>,
) -> Result<Created<ApplicationDetailResponse>, ApiError> {
    // The role first: only applicants' roles get as far as the programme.
    if !actor.has_any_role(&[Role::Steering, Role::Coordinator]) {
        return Err(AppError::Forbidden.into());
    }
    let p = state.store.programme(&id).await?;
    if state
        .store
        .applicant_organisations(&actor, p.applicant_kind)
        .await?
        .is_empty()
    {
        return Err(AppError::Forbidden.into());
    }
    let ApiJson(new) = body?;
    let amount = match new.amount_cents {
        None => Err(ValidationError::new(
            "amount",
            "Vul het bedrag in dat u vraagt, in eurocent (0 om mee te doen zonder bijdrage).",
        )),
        Some(c) if !EuroCents(c).in_range() => Err(ValidationError::new(
            "amount",
            format!(
                "Het bedrag ligt tussen € 0 en {}.",
                EuroCents::MAX.display()
            ),
        )),
        Some(c) => Ok(EuroCents(c)),
    };
    let mut input = ApplicationInput {
        organisation_id: new.organisation_id.unwrap_or_default(),
        amount: String::new(),
        amount_vat_included: new.vat_included,
        proposal: new.proposal,
        helix_partners: new.helix_partners,
        wave_id: new.wave_id.unwrap_or_default(),
        confirmed: new.confirmed_conditions,
        members: new.members.join("\n"),
        partners: new.partners.join("\n"),
    };
    let existed = state
        .store
        .my_applications(&actor)
        .await?
        .iter()
        .any(|a| a.programme_id == p.id && actor.is_member_of(&a.organisation_id));
    let a = match apply(&state, &actor, &p, &mut input, amount).await {
        Ok(a) => a,
        Err(AppError::Validation(errors)) => return Err(json_fields(errors).into()),
        Err(e) => return Err(e.into()),
    };
    let location = format!("/api/v1/applications/{}", a.id);
    let status = if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        [(header::LOCATION, location)],
        Json(detail(&state, &actor, a).await?),
    ))
}

/// One application with its decision: the applicant, its dossier members and the programme's managers; anyone
/// else gets 404.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "programmes",
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = ApplicationDetailResponse), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_application(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ApplicationDetailResponse>, ApiError> {
    let a = state.store.application(&actor, &id).await?;
    Ok(Json(detail(&state, &actor, a).await?))
}

/// The caller's own applications (its organisations applied or are members of the dossier), newest first, each
/// with its decision; empty for callers who never applied.
#[utoipa::path(get, path = "/api/v1/applications", tag = "programmes",
    responses((status = 200, body = Vec<ApplicationDetailResponse>), (status = 401, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_my_applications(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<ApplicationDetailResponse>>, ApiError> {
    let mut out = Vec::new();
    for a in state.store.my_applications(&actor).await? {
        out.push(detail(&state, &actor, a).await?);
    }
    Ok(Json(out))
}

/// The selection of a programme: the published run and the decisions the caller may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct SelectionResponse {
    pub programme_id: String,
    /// The published seed of the latest run (decimal text, a u64); with it anyone can repeat the draw. Absent
    /// before the first run.
    pub seed: Option<String>,
    /// Unix seconds of the latest run.
    pub run_at: Option<i64>,
    /// True for the programme's managers, who see every application; others see the selected participants and
    /// their own applications.
    pub complete: bool,
    /// Decisions changed by a manager after the draw, each with its reason (public, like the public page).
    pub overrides: Vec<OverrideResponse>,
    pub outcomes: Vec<OutcomeResponse>,
}

/// One application's place in the selection.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeResponse {
    pub application_id: String,
    pub organisation: String,
    pub municipality_code: String,
    /// `submitted`, `missing_info`, `selected`, `reserve`, `rejected` or `withdrawn`.
    pub status: String,
    /// Chance of being selected in the latest run, 0 to 1.
    pub probability: Option<f64>,
    /// The decision in plain Dutch.
    pub explanation: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideResponse {
    pub application_id: String,
    pub organisation: String,
    pub from_status: String,
    pub to_status: String,
    pub reason: String,
    /// Unix seconds.
    pub at: i64,
}

async fn selection_response(
    state: &AppState,
    actor: &Actor,
    programme_id: &str,
) -> Result<SelectionResponse, AppError> {
    state.store.programme(programme_id).await?;
    let complete = state
        .store
        .managed_programme(actor, programme_id)
        .await
        .is_ok();
    let run = state.store.latest_selection(programme_id).await?;
    let shown: Vec<Application> = if complete {
        state
            .store
            .programme_applications(actor, programme_id, &ApplicationFilter::default())
            .await?
    } else {
        let mut shown = state.store.selected_participants(programme_id).await?;
        for a in state.store.my_applications(actor).await? {
            if a.programme_id == programme_id && !shown.iter().any(|s| s.id == a.id) {
                shown.push(a);
            }
        }
        shown
    };
    let decisions = state.store.selection_decisions(programme_id).await?;
    let outcomes = shown
        .into_iter()
        .map(|a| {
            let (probability, explanation) = decisions
                .iter()
                .find(|(id, _, _)| *id == a.id)
                .map(|(_, p, e)| (*p, worded(e.as_deref())))
                .unwrap_or_default();
            OutcomeResponse {
                application_id: a.id,
                organisation: a.organisation_name,
                municipality_code: a.municipality_code,
                status: a.status.as_str().to_owned(),
                probability,
                explanation,
            }
        })
        .collect();
    Ok(SelectionResponse {
        programme_id: programme_id.to_owned(),
        seed: run.as_ref().map(|r| r.seed.clone()),
        run_at: run.as_ref().map(|r| r.created_at),
        complete,
        overrides: run
            .map(|r| r.overrides)
            .unwrap_or_default()
            .into_iter()
            .map(|o| OverrideResponse {
                application_id: o.application_id,
                organisation: o.organisation_name,
                from_status: o.from_status.as_str().to_owned(),
                to_status: o.to_status.as_str().to_owned(),
                reason: o.reason,
                at: o.created_at,
            })
            .collect(),
        outcomes,
    })
}

/// The selection result with each decision's probability and explanation. The programme's managers see every
/// application, also before the first run; everyone else the published choice (the selected participants) and
/// their own applications.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/selection", tag = "programmes",
    params(("id" = String, Path, description = "Programme id")),
    responses((status = 200, body = SelectionResponse), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_selection(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<SelectionResponse>, ApiError> {
    Ok(Json(selection_response(&state, &actor, &id).await?))
}

/// A run of the lottery.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RunRequest {
    /// The seed to publish; left out, keten draws one. The same seed on the same applications gives the same
    /// result.
    pub seed: Option<u64>,
    /// Run for one wave of a subsidy scheme (its places, its applicants and those of earlier waves not yet
    /// selected); left out, the whole programme at once.
    pub wave_id: Option<String>,
}

/// Runs the selection (hard rules, quotas per size class and province, a lottery with the seed) and publishes it,
/// as the manage page does: the programme's managers only; another body's manager gets 404.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/selection", tag = "programmes",
    params(("id" = String, Path, description = "Programme id")), request_body = RunRequest,
    responses((status = 201, body = SelectionResponse,
               headers(("location" = String, description = "/api/v1/programmes/{id}/selection"))),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn run_selection(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<RunRequest>, ApiError>,
) -> Result<Created<SelectionResponse>, ApiError> {
    require_manager(&actor)?;
    state.store.managed_programme(&actor, &id).await?;
    let ApiJson(run) = body?;
    let wave = run
        .wave_id
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty());
    super::selection::run_selection(&state, &actor, &id, run.seed, wave).await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/programmes/{id}/selection"),
        )],
        Json(selection_response(&state, &actor, &id).await?),
    ))
}

/// A manager's change of a decision after the draw.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct OverrideRequest {
    /// `selected`, `reserve` or `rejected`.
    pub status: String,
    /// Why the decision departs from the lottery (10 to 2000 characters); kept, and the public page says an
    /// override happened.
    pub reason: String,
}

/// Moves an application between selected, reserve and rejected after a run, with a recorded reason: the
/// programme's managers only (403 for other roles, 404 for another programme's manager).
#[utoipa::path(post, path = "/api/v1/applications/{id}/override", tag = "programmes",
    params(("id" = String, Path, description = "Application id")), request_body = OverrideRequest,
    responses((status = 200, body = ApplicationDetailResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn override_decision(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<OverrideRequest>, ApiError>,
) -> Result<Json<ApplicationDetailResponse>, ApiError> {
    managed_application(&state, &actor, &id).await?;
    let ApiJson(change) = body?;
    let to = change.status.parse::<ApplicationStatus>().map_err(|_| {
        AppError::Validation(vec![ValidationError::new(
            "status",
            "Kies selected (gekozen), reserve (reservelijst) of rejected (afgewezen).",
        )])
    })?;
    let a = state
        .store
        .override_decision(&actor, &id, to, &change.reason, state.now())
        .await?;
    Ok(Json(detail(&state, &actor, a).await?))
}

/// A dossier member's confirmation.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct MembershipConfirmation {
    /// The member municipality confirming; may be left out when the caller steers one member of the dossier.
    pub organisation_id: Option<String>,
}

/// A member municipality confirms its place in a dossier from its own account (a steering user or token of that
/// municipality): 403 for other roles, 404 for anyone who is not a member. Until every member confirmed, the
/// application stays out of the lottery.
#[utoipa::path(post, path = "/api/v1/applications/{id}/membership", tag = "programmes",
    params(("id" = String, Path, description = "Application id")), request_body = MembershipConfirmation,
    responses((status = 200, body = ApplicationDetailResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn confirm_membership(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<MembershipConfirmation>, ApiError>,
) -> Result<Json<ApplicationDetailResponse>, ApiError> {
    if !actor.has_any_role(&[Role::Steering]) {
        return Err(AppError::Forbidden.into());
    }
    let a = state.store.application(&actor, &id).await?;
    let ApiJson(confirmation) = body?;
    let organisation_id = match confirmation.organisation_id {
        Some(o) => o,
        None => a
            .members
            .iter()
            .map(|m| m.organisation_id.clone())
            .find(|o| actor.organisation_ids_with(Role::Steering).any(|x| x == *o))
            .ok_or(AppError::NotFound)?,
    };
    let a = state
        .store
        .confirm_membership(&actor, &id, &organisation_id, state.now())
        .await?;
    Ok(Json(detail(&state, &actor, a).await?))
}

/// What the manager asks the applicant to add.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct InformationRequest {
    /// Up to 2000 characters; shown to the applicant until it resubmits.
    pub request: String,
}

/// The programme's manager asks for a missing piece: the application waits (`missing_info`) and stays out of the
/// lottery until the applicant resubmits. 403 for other roles, 404 for another programme's manager, 409 once
/// decided.
#[utoipa::path(post, path = "/api/v1/applications/{id}/information-request", tag = "programmes",
    params(("id" = String, Path, description = "Application id")), request_body = InformationRequest,
    responses((status = 200, body = ApplicationDetailResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn request_information(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<InformationRequest>, ApiError>,
) -> Result<Json<ApplicationDetailResponse>, ApiError> {
    managed_application(&state, &actor, &id).await?;
    let ApiJson(ask) = body?;
    let a = state
        .store
        .request_information(&actor, &id, &ask.request, state.now())
        .await
        .map_err(|e| match e {
            keten_store::StoreError::Conflict(_) => AppError::Conflict(
                "Over deze aanvraag is al besloten; vragen om aanvulling kan niet meer.".into(),
            ),
            other => other.into(),
        })?;
    Ok(Json(detail(&state, &actor, a).await?))
}

/// The role before the body, then the tenant: 403 unless the caller manages programmes, 404 unless it manages the
/// programme of application `id`.
async fn managed_application(state: &AppState, actor: &Actor, id: &str) -> Result<(), ApiError> {
    require_manager(actor)?;
    let a = state.store.application(actor, id).await?;
    state
        .store
        .managed_programme(actor, &a.programme_id)
        .await?;
    Ok(())
}
