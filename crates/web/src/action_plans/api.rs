//! `/api/v1/action-plans`: a municipality's local action plans with their inventory, actions, progress and the figures the actions aim at, as JSON.

use super::{plan_figures, plan_progress, require_reader, require_writer, store_error, today};
use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiActor, ApiJson};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use keten_core::action_plan::{
    ActionDraft, ActionStatus, Horizon, ItemDraft, ItemSource, Metric, PlanDraft, overdue,
};
use keten_store::action_plans::{ActionPlan, PlanDetail};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A plan in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanSummary {
    pub id: String,
    pub municipality_code: String,
    pub title: String,
    /// `YYYY-MM-DD`
    pub starts_on: String,
    /// `YYYY-MM-DD`, included.
    pub ends_on: String,
    pub trajectory_id: Option<String>,
}

fn summary(p: &ActionPlan) -> PlanSummary {
    PlanSummary {
        id: p.id.clone(),
        municipality_code: p.municipality_code.clone(),
        title: p.title.clone(),
        starts_on: p.starts_on.to_string(),
        ends_on: p.ends_on.to_string(),
        trajectory_id: p.trajectory_id.clone(),
    }
}

/// An inventory entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemResponse {
    pub id: String,
    pub source: ItemSource,
    /// The help point, organisation or consultation hour in keten; absent for a free entry.
    pub source_id: Option<String>,
    pub title: String,
    pub description: String,
    pub who: String,
}

/// An action.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionResponse {
    pub id: String,
    pub title: String,
    pub horizon: Horizon,
    pub owner_organisation_id: Option<String>,
    pub owner_name: Option<String>,
    pub status: ActionStatus,
    pub due_on: Option<String>,
    pub overdue: bool,
    pub metric: Option<Metric>,
}

/// A figure an action may aim at, for the plan's municipality and period.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureResponse {
    pub metric: Metric,
    /// The value (tenths as a decimal for the rate per 1,000 residents, whole percent for a share); absent
    /// when it cannot be computed.
    pub value: Option<f64>,
}

/// Counts of the actions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressResponse {
    pub total: u32,
    pub overdue: u32,
    /// Per horizon (short, medium, long), counts per status (planned, under_way, done, dropped).
    pub per_horizon: Vec<HorizonCounts>,
    /// Done actions in percent of those not dropped.
    pub done_percent: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HorizonCounts {
    pub horizon: Horizon,
    pub planned: u32,
    pub under_way: u32,
    pub done: u32,
    pub dropped: u32,
}

/// One plan with everything in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanResponse {
    #[serde(flatten)]
    pub plan: PlanSummary,
    /// Whether the caller may change it (its municipality's steering).
    pub writable: bool,
    pub items: Vec<ItemResponse>,
    pub actions: Vec<ActionResponse>,
    pub progress: ProgressResponse,
    pub figures: Vec<FigureResponse>,
}

async fn response(state: &AppState, d: &PlanDetail) -> Result<PlanResponse, AppError> {
    let today = today(state);
    let p = plan_progress(d, today);
    Ok(PlanResponse {
        plan: summary(&d.plan),
        writable: d.writable,
        items: d
            .items
            .iter()
            .map(|i| ItemResponse {
                id: i.id.clone(),
                source: i.source,
                source_id: i.source_id.clone(),
                title: i.title.clone(),
                description: i.description.clone(),
                who: i.who.clone(),
            })
            .collect(),
        actions: d
            .actions
            .iter()
            .map(|a| ActionResponse {
                id: a.id.clone(),
                title: a.title.clone(),
                horizon: a.horizon,
                owner_organisation_id: a.owner_organisation_id.clone(),
                owner_name: a.owner_name.clone(),
                status: a.status,
                due_on: a.due_on.map(|d| d.to_string()),
                overdue: overdue(a.status, a.due_on, today),
                metric: a.metric,
            })
            .collect(),
        progress: ProgressResponse {
            total: p.total,
            overdue: p.overdue,
            done_percent: p.done_percent(),
            per_horizon: Horizon::ALL
                .iter()
                .zip(p.counts)
                .map(|(h, c)| HorizonCounts {
                    horizon: *h,
                    planned: c[0],
                    under_way: c[1],
                    done: c[2],
                    dropped: c[3],
                })
                .collect(),
        },
        figures: plan_figures(state, d)
            .await?
            .into_iter()
            .map(|(metric, v)| FigureResponse {
                metric,
                value: v.map(keten_core::action_plan::MetricValue::number),
            })
            .collect(),
    })
}

/// The plans the caller may read.
#[utoipa::path(get, path = "/api/v1/action-plans", tag = "action-plans",
    responses((status = 200, body = [PlanSummary]), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_action_plans(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<PlanSummary>>, ApiError> {
    require_reader(&actor)?;
    let list = state.store.action_plans(&actor).await?;
    Ok(Json(list.iter().map(summary).collect()))
}

/// A plan as sent: dates as `YYYY-MM-DD` (or dag-maand-jaar).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlanBody {
    /// CBS or NIS code; needed on create when the caller steers more than one municipality.
    #[serde(default)]
    pub municipality_code: Option<String>,
    pub title: String,
    pub starts_on: String,
    pub ends_on: String,
    /// A trajectory of the same municipality whose outcome the plan is.
    #[serde(default)]
    pub trajectory_id: Option<String>,
}

/// A new plan for a municipality the caller steers.
#[utoipa::path(post, path = "/api/v1/action-plans", tag = "action-plans", request_body = PlanBody,
    responses((status = 201, body = PlanResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_action_plan(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Result<ApiJson<PlanBody>, ApiError>,
) -> Result<(StatusCode, Json<PlanResponse>), ApiError> {
    require_writer(&actor)?;
    let ApiJson(body) = body?;
    let draft = PlanDraft::parse(&body.title, &body.starts_on, &body.ends_on)
        .map_err(AppError::Validation)?;
    let code = match body.municipality_code {
        Some(c) => c,
        None => actor
            .steering_municipalities
            .first()
            .cloned()
            .ok_or(AppError::NotFound)?,
    };
    let plan = state
        .store
        .create_action_plan(
            &actor,
            &code,
            &draft,
            body.trajectory_id.as_deref(),
            state.now(),
        )
        .await
        .map_err(store_error)?;
    let d = state.store.action_plan(&actor, &plan.id).await?;
    Ok((StatusCode::CREATED, Json(response(&state, &d).await?)))
}

/// One plan with its inventory, actions, progress and figures.
#[utoipa::path(get, path = "/api/v1/action-plans/{id}", tag = "action-plans",
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, body = PlanResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_action_plan(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<PlanResponse>, ApiError> {
    require_reader(&actor)?;
    let d = state.store.action_plan(&actor, &id).await?;
    Ok(Json(response(&state, &d).await?))
}

/// Changes a plan's title, period and trajectory.
#[utoipa::path(put, path = "/api/v1/action-plans/{id}", tag = "action-plans",
    params(("id" = String, Path, description = "Plan id")), request_body = PlanBody,
    responses((status = 200, body = PlanResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_action_plan(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<PlanBody>, ApiError>,
) -> Result<Json<PlanResponse>, ApiError> {
    require_writer(&actor)?;
    let ApiJson(body) = body?;
    let draft = PlanDraft::parse(&body.title, &body.starts_on, &body.ends_on)
        .map_err(AppError::Validation)?;
    state
        .store
        .update_action_plan(
            &actor,
            &id,
            &draft,
            body.trajectory_id.as_deref(),
            state.now(),
        )
        .await
        .map_err(store_error)?;
    let d = state.store.action_plan(&actor, &id).await?;
    Ok(Json(response(&state, &d).await?))
}

/// An inventory entry as sent: a free entry (`title`, `description`, `who`), or something keten knows
/// (`source` help_point, partner or consultation_hour with its `source_id`), or `from_directory: true` to
/// take over everything keten knows of the municipality's chain.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ItemBody {
    #[serde(default)]
    pub from_directory: bool,
    #[serde(default)]
    pub source: Option<ItemSource>,
    #[serde(default)]
    pub source_id: Option<String>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub who: String,
}

/// Adds inventory entries; answers with the whole plan.
#[utoipa::path(post, path = "/api/v1/action-plans/{id}/items", tag = "action-plans",
    params(("id" = String, Path, description = "Plan id")), request_body = ItemBody,
    responses((status = 201, body = PlanResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_plan_item(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<ItemBody>, ApiError>,
) -> Result<(StatusCode, Json<PlanResponse>), ApiError> {
    require_writer(&actor)?;
    let ApiJson(body) = body?;
    let now = state.now();
    let result = if body.from_directory {
        state
            .store
            .add_plan_items_from_directory(&actor, &id, None, now)
            .await
            .map(|_| ())
    } else {
        match (body.source, body.source_id) {
            (Some(ItemSource::Free) | None, _) => {
                let draft = ItemDraft::parse(&body.title, &body.description, &body.who)
                    .map_err(AppError::Validation)?;
                state
                    .store
                    .add_plan_item(&actor, &id, &draft, now)
                    .await
                    .map(|_| ())
            }
            (Some(source), Some(source_id)) => state
                .store
                .add_plan_items_from_directory(&actor, &id, Some(&[(source, source_id)]), now)
                .await
                .map(|_| ()),
            (Some(_), None) => {
                return Err(AppError::Validation(vec![keten_core::ValidationError::new(
                    "source_id",
                    "Geef het id van het hulppunt, de partner of het spreekuur.",
                )])
                .into());
            }
        }
    };
    result.map_err(store_error)?;
    let d = state.store.action_plan(&actor, &id).await?;
    Ok((StatusCode::CREATED, Json(response(&state, &d).await?)))
}

/// An action as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionBody {
    pub title: String,
    pub horizon: String,
    #[serde(default)]
    pub owner_organisation_id: Option<String>,
    /// Default planned.
    #[serde(default)]
    pub status: Option<String>,
    /// `YYYY-MM-DD`
    #[serde(default)]
    pub due_on: Option<String>,
    #[serde(default)]
    pub metric: Option<String>,
}

fn action_draft(b: &ActionBody) -> Result<ActionDraft, AppError> {
    ActionDraft::parse(
        &b.title,
        &b.horizon,
        b.owner_organisation_id.as_deref().unwrap_or_default(),
        b.status.as_deref().unwrap_or_default(),
        b.due_on.as_deref().unwrap_or_default(),
        b.metric.as_deref().unwrap_or_default(),
    )
    .map_err(AppError::Validation)
}

/// Adds an action; answers with the whole plan.
#[utoipa::path(post, path = "/api/v1/action-plans/{id}/actions", tag = "action-plans",
    params(("id" = String, Path, description = "Plan id")), request_body = ActionBody,
    responses((status = 201, body = PlanResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_plan_action(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<ActionBody>, ApiError>,
) -> Result<(StatusCode, Json<PlanResponse>), ApiError> {
    require_writer(&actor)?;
    let ApiJson(body) = body?;
    let draft = action_draft(&body)?;
    state
        .store
        .add_plan_action(&actor, &id, &draft, state.now())
        .await
        .map_err(store_error)?;
    let d = state.store.action_plan(&actor, &id).await?;
    Ok((StatusCode::CREATED, Json(response(&state, &d).await?)))
}

/// Changes an action as a whole; answers with the whole plan.
#[utoipa::path(put, path = "/api/v1/action-plans/{id}/actions/{action}", tag = "action-plans",
    params(("id" = String, Path, description = "Plan id"), ("action" = String, Path, description = "Action id")),
    request_body = ActionBody,
    responses((status = 200, body = PlanResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_plan_action(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, action)): Path<(String, String)>,
    body: Result<ApiJson<ActionBody>, ApiError>,
) -> Result<Json<PlanResponse>, ApiError> {
    require_writer(&actor)?;
    let ApiJson(body) = body?;
    let draft = action_draft(&body)?;
    state
        .store
        .update_plan_action(&actor, &id, &action, &draft, state.now())
        .await
        .map_err(store_error)?;
    let d = state.store.action_plan(&actor, &id).await?;
    Ok(Json(response(&state, &d).await?))
}
