//! Coordinators download their help points as a spreadsheet in the import's own columns, to check, edit and read in again.

use super::require_coordinator;
use crate::AppState;
use crate::auth::RequireUser;
use crate::download;
use crate::error::PageError;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use keten_core::help_point_import::Column;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/beheer/hulppunten/hulppunten.csv", get(as_csv))
        .route("/beheer/hulppunten/hulppunten.xlsx", get(as_xlsx))
}

/// The headers and rows of the actor's help points.
async fn table(
    state: &AppState,
    me: &RequireUser,
) -> Result<(Vec<&'static str>, Vec<Vec<String>>), PageError> {
    require_coordinator(&me.0.actor)?;
    let rows = state.store.help_point_rows(&me.0.actor).await?;
    Ok((
        Column::ALL.iter().map(|c| c.dutch()).collect(),
        rows.iter().map(|row| row.cells()).collect(),
    ))
}

async fn as_csv(State(state): State<AppState>, me: RequireUser) -> Result<Response, PageError> {
    let (headers, rows) = table(&state, &me).await?;
    let header_row: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    Ok(download::csv(
        "hulppunten.csv",
        std::iter::once(header_row).chain(rows),
    )?)
}

async fn as_xlsx(State(state): State<AppState>, me: RequireUser) -> Result<Response, PageError> {
    let (headers, rows) = table(&state, &me).await?;
    Ok(download::xlsx(
        "hulppunten.xlsx",
        "Hulppunten",
        &headers,
        &rows,
    )?)
}
