//! `/api/v1/surveys`: the visitor survey's results of a scope and period, with the cells-under-5 rule applied (a hidden count is `null`).

use super::results::{checked_results, with_default_period};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiActor, ApiQuery};
use crate::steering::tables::StatsQuery;
use axum::Json;
use axum::extract::State;
use keten_core::steering::Cell;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyAbout {
    /// `null`: every municipality (programme managers and admins).
    pub municipality_code: Option<String>,
    pub help_point_id: Option<String>,
    /// First and last local day (inclusive), `YYYY-MM-DD`. Without `period` the results cover this year.
    pub from: String,
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyOption {
    /// The answer's code (`yes`, `with_help`, `good`, `library`, `65-74`, ...).
    pub option: String,
    /// Dutch wording of the answer.
    pub label: String,
    /// How many chose it; `null` when 1 to 4 (or hidden so that such a cell cannot be found from the total).
    pub count: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyQuestion {
    /// `helped`, `self_next`, `feeling`, `recommend`, `heard_via` or `age_band`.
    pub question: String,
    pub text: String,
    /// How many answered it (skipping is allowed); `null` when 1 to 4.
    pub answered: Option<i64>,
    pub options: Vec<SurveyOption>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyHelpPoint {
    pub id: String,
    pub name: String,
    /// Responses in the period; `null` when 1 to 4.
    pub responses: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyResultsResponse {
    pub about: SurveyAbout,
    /// All responses in the scope and period; `null` when 1 to 4.
    pub responses: Option<i64>,
    pub questions: Vec<SurveyQuestion>,
    /// Help points with at least one response.
    pub help_points: Vec<SurveyHelpPoint>,
}

fn shown(cell: Cell) -> Option<i64> {
    cell.value()
}

/// The visitor survey's results over a period for a municipality (its chain's help points) or one help point.
/// Steering reads its own municipality (another one answers 404); programme managers and admins any
/// municipality or, without `municipality`, all. Counts of 1 to 4 are `null`.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "surveys", params(StatsQuery),
    responses((status = 200, body = SurveyResultsResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_surveys(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Json<SurveyResultsResponse>, ApiError> {
    let q = with_default_period(q);
    let (r, results) = checked_results(&state, &actor, &q).await?;
    let (from, to) = r.period.range.dates();
    Ok(Json(SurveyResultsResponse {
        about: SurveyAbout {
            municipality_code: r.scope.municipality_code.clone(),
            help_point_id: r.scope.help_point.as_ref().map(|h| h.id.clone()),
            from: from.to_string(),
            to: to.to_string(),
        },
        responses: shown(results.responses),
        questions: results
            .questions
            .into_iter()
            .map(|q| SurveyQuestion {
                question: q.code.to_owned(),
                text: q.text,
                answered: shown(q.answered),
                options: q
                    .options
                    .into_iter()
                    .map(|o| SurveyOption {
                        option: o.code.to_owned(),
                        label: o.label,
                        count: shown(o.cell),
                    })
                    .collect(),
            })
            .collect(),
        help_points: results
            .points
            .into_iter()
            .map(|(p, cell, _)| SurveyHelpPoint {
                id: p.id,
                name: p.name,
                responses: shown(cell),
            })
            .collect(),
    }))
}
