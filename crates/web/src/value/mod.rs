//! The value of the help points (MKBA): the cost-benefit analysis of a municipality's registered outcomes with every assumption in sight, as JSON under `/api/v1/scba` and as a workbook with live formulas.

pub(crate) mod api;
mod export;
mod page;

use crate::AppState;
use crate::auth::RequireUser;
use crate::download::xlsx_file;
use crate::error::{AppError, PageError};
use crate::steering::tables::{StatsQuery, resolve};
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/regie/waarde", get(page::value_page))
        .route("/regie/waarde/mkba.xlsx", get(download))
}

/// The analysis of the scope and period as XLSX (same roles and scopes as `/regie`).
async fn download(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Query(q): Query<StatsQuery>,
) -> Result<Response, PageError> {
    let r = resolve(&state, &me.actor, &q).await?;
    let (model, _) = state
        .store
        .scba_model(&r.scope)
        .await
        .map_err(AppError::from)?;
    let outcomes = state
        .store
        .scba_outcomes(&r.scope, r.period.range)
        .await
        .map_err(AppError::from)?;
    let result = keten_core::scba::calculate(&model, &outcomes);
    let bytes = export::workbook(&model, &outcomes, &result)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let (from, to) = r.period.range.dates();
    Ok(xlsx_file(&format!("mkba-{from}-{to}.xlsx"), bytes)?)
}
