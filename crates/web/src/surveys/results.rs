//! The survey's results for steering, programme managers and admins: per municipality or help point over a period, on a page and as CSV and XLSX, with the cells-under-5 rule.

use super::{SurveyResults, survey_results};
use crate::AppState;
use crate::auth::RequireUser;
use crate::download;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use crate::steering::tables::{Resolved, StatsQuery, resolve, scope_name};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use keten_core::steering::PeriodKind;
use keten_store::Actor;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/regie/enquete", get(results_page))
        .route("/regie/enquete.csv", get(download_csv))
        .route("/regie/enquete.xlsx", get(download_xlsx))
}

/// A survey gathers answers slowly: without a period asked for, the results cover this year.
pub(crate) fn with_default_period(mut q: StatsQuery) -> StatsQuery {
    if q.period.as_deref().is_none_or(|p| p.trim().is_empty()) {
        q.period = Some("this_year".into());
    }
    q
}

/// Role, tenant and period as on `/regie`, then the results.
pub(crate) async fn checked_results(
    state: &AppState,
    actor: &Actor,
    q: &StatsQuery,
) -> Result<(Resolved, SurveyResults), AppError> {
    // Answers are not tied to a consultation hour, so a partner's hours are no scope here: the dashboard's
    // `partner=` carried along in a link narrows nothing and is dropped, rather than labelling the municipality's
    // answers as the partner's.
    let q = StatsQuery {
        partner: None,
        ..q.clone()
    };
    let resolved = resolve(state, actor, &q).await?;
    let results = survey_results(
        state,
        &resolved.scope,
        resolved.period.range,
        crate::i18n::Lang::dutch(),
    )
    .await?;
    Ok((resolved, results))
}

#[derive(Template, WebTemplate)]
#[template(path = "survey_results.html")]
struct ResultsPage {
    shell: Shell,
    scope_name: String,
    from: String,
    to: String,
    query: String,
    municipality: Option<String>,
    help_point: Option<String>,
    periods: Vec<(&'static str, &'static str, bool)>,
    results: SurveyResults,
}

async fn results_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Query(q): Query<StatsQuery>,
) -> Result<ResultsPage, PageError> {
    let q = with_default_period(q);
    let (r, results) = checked_results(&state, &me.0.actor, &q).await?;
    let (from, to) = r.period.range.dates();
    Ok(ResultsPage {
        shell,
        scope_name: scope_name(&r.scope),
        from: keten_core::opening_hours::date_nl(from),
        to: keten_core::opening_hours::date_nl(to),
        query: q.to_query_string(),
        municipality: r.scope.municipality_code.clone(),
        help_point: r.scope.help_point.as_ref().map(|h| h.id.clone()),
        periods: PeriodKind::ALL
            .iter()
            .filter(|k| **k != PeriodKind::Custom)
            .map(|k| (k.code(), k.label(), *k == r.period.kind))
            .collect(),
        results,
    })
}

const HEADERS: [&str; 4] = ["Vraag", "Antwoord", "Code", "Aantal"];

/// The rows of both files: every option of every question, then the number of answers per help point; hidden
/// cells read "< 5".
fn rows(results: &SurveyResults) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for q in &results.questions {
        for o in &q.options {
            rows.push(vec![
                q.text.clone(),
                o.label.clone(),
                format!("{}:{}", q.code, o.code),
                o.shown.clone(),
            ]);
        }
    }
    for (p, _, shown) in &results.points {
        rows.push(vec![
            "Antwoorden per hulppunt".to_owned(),
            p.name.clone(),
            format!("help_point:{}", p.id),
            shown.clone(),
        ]);
    }
    rows
}

fn file_name(r: &Resolved, ext: &str) -> String {
    let (from, to) = r.period.range.dates();
    format!("enquete-{from}-{to}.{ext}")
}

async fn download_csv(
    State(state): State<AppState>,
    me: RequireUser,
    Query(q): Query<StatsQuery>,
) -> Result<Response, PageError> {
    let q = with_default_period(q);
    let (r, results) = checked_results(&state, &me.0.actor, &q).await?;
    let mut all = vec![HEADERS.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()];
    all.extend(rows(&results));
    Ok(download::csv(&file_name(&r, "csv"), all)?)
}

async fn download_xlsx(
    State(state): State<AppState>,
    me: RequireUser,
    Query(q): Query<StatsQuery>,
) -> Result<Response, PageError> {
    let q = with_default_period(q);
    let (r, results) = checked_results(&state, &me.0.actor, &q).await?;
    Ok(download::xlsx(
        &file_name(&r, "xlsx"),
        "Enquete",
        &HEADERS,
        &rows(&results),
    )?)
}
