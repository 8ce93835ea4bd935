//! `/api/v1/scba`: the cost-benefit analysis of a scope's registered outcomes with the model that applies, and saving a model version.

use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::steering::tables::StatsQuery;
use axum::Json;
use axum::extract::State;
use keten_core::scba::{
    ModelInput, Outcomes, Param, PersonaResult, ScbaModel, ScbaResult, Scenarios, TornadoBar,
    calculate, personas, scenarios, tornado, tornado_without_effect,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What the analysis is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScbaAbout {
    /// `null`: every municipality (programme managers and admins).
    pub municipality_code: Option<String>,
    pub help_point_id: Option<String>,
    /// First and last local day (inclusive), `YYYY-MM-DD`; flows are scaled from these days to a year.
    pub from: String,
    pub to: String,
    /// `default` (keten's documented default), `national` (saved by a programme manager) or `municipality`
    /// (the municipality's own copy).
    pub model_origin: String,
}

/// The model, the outcomes it read, and what follows from them.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScbaResponse {
    pub about: ScbaAbout,
    pub model: ScbaModel,
    pub outcomes: Outcomes,
    pub result: ScbaResult,
    /// Net present value with every parameter at its pessimistic end, at base, at its optimistic end.
    pub scenarios: Scenarios,
    /// One parameter at a time at its low and high value, widest swing first; parameters that change nothing are
    /// left out.
    pub tornado: Vec<TornadoBar>,
    /// The uncertain parameters left out of the tornado: their low and high value give the same result (for
    /// example the contact costs of an agency without questions).
    pub tornado_without_effect: Vec<Param>,
    pub personas: Vec<PersonaResult>,
}

/// The cost-benefit analysis (MKBA) of a scope's registered outcomes over a period, with the model that applies
/// (the municipality's own copy, else the national default, else keten's documented default). Steering reads its
/// own municipality (another one answers 404); programme managers and admins any municipality or, without
/// `municipality`, all.
#[utoipa::path(get, path = "/api/v1/scba", tag = "scba", params(StatsQuery),
    responses((status = 200, body = ScbaResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_scba(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Json<ScbaResponse>, ApiError> {
    let super::Inputs {
        resolved: r,
        model,
        origin,
        outcomes,
        ..
    } = super::inputs(&state, &actor, &q).await?;
    let (from, to) = r.period.range.dates();
    Ok(Json(ScbaResponse {
        about: ScbaAbout {
            municipality_code: r.scope.municipality_code.clone(),
            help_point_id: r.scope.help_point.as_ref().map(|h| h.id.clone()),
            from: from.to_string(),
            to: to.to_string(),
            model_origin: origin.as_str().to_owned(),
        },
        result: calculate(&model, &outcomes),
        scenarios: scenarios(&model, &outcomes),
        tornado: tornado(&model, &outcomes),
        tornado_without_effect: tornado_without_effect(&model, &outcomes),
        personas: personas(&model),
        model,
        outcomes,
    }))
}

/// Whose model to save.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ModelQuery {
    /// The municipality's own copy (its steering users); leave out for the national default (programme managers
    /// and admins).
    pub municipality: Option<String>,
}

/// Saves a new version of a model, checked (every parameter once, within its bounds, `low <= base <= high`, a
/// source or "Aanname"). The single `phone_contact_cost` and `desk_contact_cost` of earlier versions are refused
/// with a problem naming the per-agency parameters that replaced them. Returns the saved model with its version
/// number.
#[utoipa::path(put, path = "/api/v1/scba/model", tag = "scba", params(ModelQuery), request_body = ScbaModel,
    responses((status = 200, body = ScbaModel), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_scba_model(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ModelQuery>,
    // The body is judged after the role: a caller without the role hears 403 whatever it sent.
    body: Result<ApiJson<ModelInput>, ApiError>,
) -> Result<Json<ScbaModel>, ApiError> {
    use keten_core::account::Role;
    if !actor.has_any_role(&[Role::Steering, Role::ProgrammeManager, Role::Admin]) {
        return Err(AppError::Forbidden.into());
    }
    let municipality = q
        .municipality
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    // The tenant before the body too: another municipality's copy is 404 whatever was sent.
    state
        .store
        .scba_model_versions(&actor, municipality)
        .await?;
    let ApiJson(input) = body?;
    let model = input.strict().map_err(AppError::Validation)?;
    let saved = state
        .store
        .save_scba_model(&actor, municipality, model, state.now())
        .await?;
    Ok(Json(saved))
}
