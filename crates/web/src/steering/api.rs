//! The dashboard's figures as JSON under `/api/v1/stats`: every table of the page, in the same shape, with hidden cells as null.

use super::tables::{Dashboard, StatsQuery, TABLE_KEYS, Table, dashboard, resolve};
use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiActor, ApiQuery};
use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;

/// One row: its label and one value per column; `null` is a hidden cell (fewer than 5 questions for
/// an area smaller than a municipality, or a cell hidden so that such a one cannot be recomputed). Counts
/// are whole numbers; rates (per 1,000 residents) carry one decimal.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsRow {
    pub label: String,
    /// One number per value column; null where a small figure is kept back ("< 5" on the pages) or where
    /// there is no figure (a change against a year without questions).
    #[schema(value_type = Vec<Option<f64>>)]
    pub values: Vec<Option<serde_json::Number>>,
}

/// A cell as a JSON number: an integer for counts, a decimal for rates.
pub(crate) fn json_number(c: keten_core::steering::Cell) -> Option<serde_json::Number> {
    match c {
        keten_core::steering::Cell::Shown(n) => Some(n.into()),
        other => other.number().and_then(serde_json::Number::from_f64),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatsTable {
    /// Stable name: `key-figures`, `topics`, `agencies`, `kinds`, `channels`, `outcomes`, `referred-to`,
    /// `first-visits`, `referral-lead-times` (hours, one decimal), `referral-overdue`, `age-bands`,
    /// `per-week`, `per-month`, `weekdays`, `hours`, `help-points`, `running-totals`, `pc4`, `target-group`,
    /// `age-rates` (per 1,000 residents, one decimal), `blind-spots`.
    pub key: String,
    pub title: String,
    /// The label column's name, then each value column's.
    pub columns: Vec<String>,
    pub rows: Vec<StatsRow>,
}

impl From<&Table> for StatsTable {
    fn from(t: &Table) -> Self {
        StatsTable {
            key: t.key.to_owned(),
            title: t.title.clone(),
            columns: t.headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: t
                .rows
                .iter()
                .map(|r| StatsRow {
                    label: r.label.clone(),
                    values: r.cells.iter().map(|c| json_number(*c)).collect(),
                })
                .collect(),
        }
    }
}

/// What the figures are about.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsAbout {
    /// `null`: every municipality (admins and the programme managers of a national body).
    pub municipality_code: Option<String>,
    pub help_point_id: Option<String>,
    /// The partner organisation whose consultation hours the figures are narrowed to.
    pub partner_id: Option<String>,
    pub scope_name: String,
    /// `this_month`, `last_month`, `this_quarter`, `this_year` or `custom`.
    pub period: String,
    /// First and last local day (inclusive), `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    /// The same days a year earlier, the comparison in every table.
    pub year_earlier_from: String,
    pub year_earlier_to: String,
    pub questions: i64,
    pub questions_year_earlier: i64,
}

/// The facts of the council report's summary (`/regie/verslag`).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsSummary {
    /// Whole percent against the same days a year earlier; `null` without questions then.
    pub change_percent: Option<i64>,
    /// Code and label of the topic with the most questions; `null` without questions.
    pub largest_topic_code: Option<String>,
    pub largest_topic: Option<String>,
    /// Up to three PC4 areas with many residents of 65 or over and no question, the most older residents first.
    pub blind_spots: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatsResponse {
    pub about: StatsAbout,
    pub summary: StatsSummary,
    pub tables: Vec<StatsTable>,
}

fn summary(d: &Dashboard) -> StatsSummary {
    StatsSummary {
        change_percent: d.summary.change_percent,
        largest_topic_code: d.summary.largest_topic.clone(),
        largest_topic: d.largest_topic.clone(),
        blind_spots: d.summary.blind_spots.clone(),
    }
}

fn about(d: &Dashboard, scope: &keten_store::stats::StatsScope) -> StatsAbout {
    let (from, to) = d.period.range.dates();
    let (bf, bt) = d.year_earlier.dates();
    StatsAbout {
        municipality_code: scope.municipality_code.clone(),
        help_point_id: scope.help_point.as_ref().map(|h| h.id.clone()),
        partner_id: scope.partner.as_ref().map(|p| p.id.clone()),
        scope_name: d.scope_name.clone(),
        period: d.period.kind.code().to_owned(),
        from: from.to_string(),
        to: to.to_string(),
        year_earlier_from: bf.to_string(),
        year_earlier_to: bt.to_string(),
        questions: d.questions,
        questions_year_earlier: d.questions_before,
    }
}

async fn load(
    state: &AppState,
    actor: &keten_store::Actor,
    q: &StatsQuery,
) -> Result<(Dashboard, StatsAbout), AppError> {
    let r = resolve(state, actor, q).await?;
    let d = dashboard(state, actor, &r).await?;
    let a = about(&d, &r.scope);
    Ok((d, a))
}

/// Every figure of the steering dashboard for a period and scope, from the rollups. Steering reads its own
/// municipality (another one answers 404); programme managers and admins any municipality or, without
/// `municipality`, all.
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats", params(StatsQuery),
    responses((status = 200, body = StatsResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_stats(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Json<StatsResponse>, ApiError> {
    let (d, about) = load(&state, &actor, &q).await?;
    Ok(Json(StatsResponse {
        about,
        summary: summary(&d),
        tables: d.tables.iter().map(StatsTable::from).collect(),
    }))
}

/// One table of the steering dashboard (see `GET /api/v1/stats` for the keys).
#[utoipa::path(get, path = "/api/v1/stats/{table}", tag = "stats",
    params(("table" = String, Path, description = "The table's key, e.g. topics"), StatsQuery),
    responses((status = 200, body = StatsResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_stats_table(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(table): Path<String>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Json<StatsResponse>, ApiError> {
    if !TABLE_KEYS.contains(&table.as_str()) {
        return Err(AppError::NotFound.into());
    }
    let (d, about) = load(&state, &actor, &q).await?;
    Ok(Json(StatsResponse {
        about,
        summary: summary(&d),
        tables: d.table(&table).into_iter().map(StatsTable::from).collect(),
    }))
}
