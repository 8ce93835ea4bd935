//! The steering dashboard (`/regie`, "Cijfers"): help-question figures of a municipality's chain from the rollups, as a page, as CSV and XLSX per table, and as the JSON API under `/api/v1/stats`.

pub(crate) mod api;
mod export;
mod pages;
mod report;
pub(crate) mod tables;

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    pages::router()
}
