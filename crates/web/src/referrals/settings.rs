//! A municipality's referral settings (steering) and help points marked full for referrals (their keepers).

use super::pages::Choice;
use super::require_steering;
use crate::AppState;
use crate::auth::RequireUser;
use crate::directory::require_coordinator;
use crate::error::{ApiError, AppError, PageError};
use crate::extract::{ApiActor, ApiJson};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use keten_core::ValidationError;
use keten_core::referral::upkeep::{
    NOT_REACHED_AFTER, OVERDUE_WORKING_DAYS, RETENTION_DAYS, SettingsDraft,
};
use keten_store::Actor;
use keten_store::routing_rules::ReferralSettings;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/verwijsafspraken/instellingen",
            get(settings_page).post(save_settings),
        )
        .route("/doorverwijzingen/hulppunten", get(intake_page))
        .route("/doorverwijzingen/hulppunten/{id}", post(save_intake))
}

/// The municipality a steering page is about: the one asked for when the actor steers it (or is an admin and
/// it exists), else the actor's first. Shared by the steering pages.
pub(crate) fn steered_municipality(actor: &Actor, asked: Option<&str>) -> Result<String, AppError> {
    require_steering(actor)?;
    let asked = asked.map(str::trim).filter(|m| !m.is_empty());
    if let Some(m) = asked {
        let known = keten_core::reference::municipality(m).is_some();
        if actor.steering_municipalities.iter().any(|s| s == m) || (actor.is_admin() && known) {
            return Ok(m.to_owned());
        }
        return Err(AppError::NotFound);
    }
    actor
        .steering_municipalities
        .first()
        .cloned()
        .ok_or(AppError::Forbidden)
}

/// The municipalities the actor steers, for a chooser.
pub(crate) fn municipality_choices(actor: &Actor, current: &str) -> Vec<Choice> {
    actor
        .steering_municipalities
        .iter()
        .map(|m| Choice {
            value: m.clone(),
            label: municipality_name(m),
            selected: m == current,
        })
        .collect()
}

pub(crate) fn municipality_name(code: &str) -> String {
    keten_core::reference::municipality(code).map_or_else(|| code.to_owned(), |x| x.name.clone())
}

/// The settings form as typed: kept on errors.
#[derive(Debug, Clone, Default, Deserialize)]
struct SettingsForm {
    #[serde(default)]
    municipality_code: String,
    #[serde(default)]
    overdue_working_days: String,
    #[serde(default)]
    not_reached_after: String,
    #[serde(default)]
    retention_days: String,
}

impl From<(&str, ReferralSettings)> for SettingsForm {
    fn from((code, s): (&str, ReferralSettings)) -> Self {
        Self {
            municipality_code: code.to_owned(),
            overdue_working_days: s.overdue_working_days.to_string(),
            not_reached_after: s.not_reached_after.to_string(),
            retention_days: s.retention_days.to_string(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_settings.html")]
struct SettingsPage {
    shell: Shell,
    municipality_name: String,
    municipalities: Vec<Choice>,
    input: SettingsForm,
    errors: Vec<ValidationError>,
    saved: bool,
    bounds: [(u32, u32); 2],
    retention_bounds: (i64, i64),
}

fn settings_view(
    shell: Shell,
    actor: &Actor,
    input: SettingsForm,
    errors: Vec<ValidationError>,
    saved: bool,
) -> SettingsPage {
    SettingsPage {
        shell,
        municipality_name: municipality_name(&input.municipality_code),
        municipalities: municipality_choices(actor, &input.municipality_code),
        input,
        errors,
        saved,
        bounds: [
            (*OVERDUE_WORKING_DAYS.start(), *OVERDUE_WORKING_DAYS.end()),
            (*NOT_REACHED_AFTER.start(), *NOT_REACHED_AFTER.end()),
        ],
        retention_bounds: (*RETENTION_DAYS.start(), *RETENTION_DAYS.end()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct SettingsQuery {
    gemeente: Option<String>,
    opgeslagen: Option<String>,
}

async fn settings_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Query(q): Query<SettingsQuery>,
) -> Result<SettingsPage, PageError> {
    let code = steered_municipality(&me.actor, q.gemeente.as_deref())?;
    let settings = state.store.referral_settings(&code).await?;
    Ok(settings_view(
        shell,
        &me.actor,
        SettingsForm::from((code.as_str(), settings)),
        Vec::new(),
        q.opgeslagen.is_some(),
    ))
}

/// Checks and stores a municipality's settings (its steering role or an admin).
async fn store_settings(
    state: &AppState,
    actor: &Actor,
    code: &str,
    draft: SettingsDraft,
) -> Result<ReferralSettings, AppError> {
    let settings = ReferralSettings {
        overdue_working_days: draft.overdue_working_days,
        not_reached_after: draft.not_reached_after,
        retention_days: draft.retention_days,
    };
    state
        .store
        .set_referral_settings(actor, code, settings, state.now())
        .await?;
    Ok(settings)
}

async fn save_settings(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    axum::Form(form): axum::Form<SettingsForm>,
) -> Result<Response, PageError> {
    let code = steered_municipality(&me.actor, Some(&form.municipality_code))?;
    match SettingsDraft::parse(
        &form.overdue_working_days,
        &form.not_reached_after,
        &form.retention_days,
    ) {
        Ok(draft) => {
            store_settings(&state, &me.actor, &code, draft).await?;
            let query =
                serde_urlencoded::to_string([("gemeente", code.as_str()), ("opgeslagen", "1")])
                    .unwrap_or_default();
            Ok(Redirect::to(&format!("/verwijsafspraken/instellingen?{query}")).into_response())
        }
        Err(errors) => {
            let page = settings_view(shell, &me.actor, form, errors, false);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// A municipality's referral settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralSettingsResponse {
    pub municipality_code: String,
    /// Working days to accept a referral before it is overdue (new referrals).
    pub overdue_working_days: u32,
    /// Unanswered contact attempts before "not reached" may be chosen.
    pub not_reached_after: u32,
    /// Days the resident's contact data is kept after a referral closes.
    pub retention_days: i64,
}

fn settings_response(code: String, s: ReferralSettings) -> ReferralSettingsResponse {
    ReferralSettingsResponse {
        municipality_code: code,
        overdue_working_days: s.overdue_working_days,
        not_reached_after: s.not_reached_after,
        retention_days: s.retention_days,
    }
}

/// New settings; every field is required. Bounds: 1-10 working days, 1-10 attempts, 7-90 days.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReferralSettingsRequest {
    #[serde(default)]
    pub overdue_working_days: Option<i64>,
    #[serde(default)]
    pub not_reached_after: Option<i64>,
    #[serde(default)]
    pub retention_days: Option<i64>,
}

/// A municipality's referral settings (the defaults until its steering role sets them). Readable in its chain.
#[utoipa::path(get, path = "/api/v1/referral-settings/{municipality_code}", tag = "referrals",
    params(("municipality_code" = String, Path, description = "CBS or NIS code, e.g. GM0599")),
    responses((status = 200, body = ReferralSettingsResponse), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_referral_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(code): Path<String>,
) -> Result<Json<ReferralSettingsResponse>, ApiError> {
    let in_chain =
        actor.chain_municipalities.contains(&code) || actor.steering_municipalities.contains(&code);
    if !(in_chain || actor.is_admin() && keten_core::reference::municipality(&code).is_some()) {
        return Err(AppError::NotFound.into());
    }
    let settings = state.store.referral_settings(&code).await?;
    Ok(Json(settings_response(code, settings)))
}

/// Sets a municipality's referral settings (its steering role or an admin); out of bounds answers 422.
#[utoipa::path(put, path = "/api/v1/referral-settings/{municipality_code}", tag = "referrals",
    request_body = ReferralSettingsRequest,
    params(("municipality_code" = String, Path, description = "CBS or NIS code, e.g. GM0599")),
    responses((status = 200, body = ReferralSettingsResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_referral_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<ReferralSettingsRequest>,
) -> Result<Json<ReferralSettingsResponse>, ApiError> {
    let code = steered_municipality(&actor, Some(&code))?;
    let text = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let draft = SettingsDraft::parse(
        &text(body.overdue_working_days),
        &text(body.not_reached_after),
        &text(body.retention_days),
    )
    .map_err(AppError::Validation)?;
    let settings = store_settings(&state, &actor, &code, draft).await?;
    Ok(Json(settings_response(code, settings)))
}

pub struct IntakeRow {
    pub id: String,
    pub name: String,
    pub organisation_name: String,
    pub city: String,
    pub full: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_intake.html")]
struct IntakePage {
    shell: Shell,
    rows: Vec<IntakeRow>,
    saved: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct IntakeQuery {
    opgeslagen: Option<String>,
}

async fn intake_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Query(q): Query<IntakeQuery>,
) -> Result<IntakePage, PageError> {
    require_coordinator(&me.actor)?;
    let points = state.store.referral_intake_help_points(&me.actor).await?;
    let rows: Vec<IntakeRow> = points
        .into_iter()
        .map(|p| IntakeRow {
            id: p.id,
            name: p.name,
            organisation_name: p.organisation_name,
            city: p.city,
            full: p.referrals_full != 0,
        })
        .collect();
    let saved = q
        .opgeslagen
        .and_then(|id| rows.iter().find(|r| r.id == id).map(|r| r.name.clone()));
    Ok(IntakePage { shell, rows, saved })
}

#[derive(Debug, Default, Deserialize)]
struct IntakeForm {
    #[serde(default)]
    vol: String,
}

async fn save_intake(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<IntakeForm>,
) -> Result<Redirect, PageError> {
    require_coordinator(&me.actor)?;
    let full = match form.vol.as_str() {
        "ja" => true,
        "nee" => false,
        _ => {
            return Err(AppError::BadRequest("Kies vol of weer open.".into()).into());
        }
    };
    state
        .store
        .set_help_point_referrals_full(&me.actor, &id, full)
        .await?;
    let query = serde_urlencoded::to_string([("opgeslagen", id.as_str())]).unwrap_or_default();
    Ok(Redirect::to(&format!(
        "/doorverwijzingen/hulppunten?{query}"
    )))
}

/// Full or open for new referrals.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReferralsFullBody {
    /// `true`: the help point takes no new referrals for now; routing skips it.
    pub full: bool,
}

/// Marks a help point full for new referrals, or open again (staff or coordinators of its organisation,
/// steering of its municipality, admins).
#[utoipa::path(put, path = "/api/v1/help-points/{id}/referrals-full", tag = "referrals",
    request_body = ReferralsFullBody,
    params(("id" = String, Path, description = "Help point id")),
    responses((status = 200, body = ReferralsFullBody), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_referrals_full(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReferralsFullBody>,
) -> Result<Json<ReferralsFullBody>, ApiError> {
    require_coordinator(&actor)?;
    state
        .store
        .set_help_point_referrals_full(&actor, &id, body.full)
        .await?;
    Ok(Json(ReferralsFullBody { full: body.full }))
}
