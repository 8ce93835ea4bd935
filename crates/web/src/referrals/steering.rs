//! The steering overview of a municipality's referrals: counts, overdue per organisation, lead times, decline
//! reasons; as a page and as CSV. Never a single referral or anything about a resident.

use super::pages::Choice;
use super::settings::{municipality_choices, municipality_name, steered_municipality};
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::ApiError;
use crate::error::{AppError, PageError};
use crate::extract::ApiActor;
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use keten_core::referral::upkeep::{LeadTime, hours_text};
use keten_core::referral::{DeclineReason, ReferralStatus};
use keten_store::referral_upkeep::{OverdueAtOrganisation, ReferralOverview};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/doorverwijzingen/overzicht", get(overview_page))
        .route("/doorverwijzingen/overzicht.csv", get(overview_csv))
}

#[derive(Debug, Default, Deserialize)]
struct OverviewQuery {
    gemeente: Option<String>,
}

/// A lead time as the page shows it.
pub struct LeadRow {
    pub what: &'static str,
    pub count: usize,
    pub median: String,
    pub mean: String,
}

fn lead_row(what: &'static str, t: LeadTime) -> LeadRow {
    let hours =
        |s: Option<i64>| s.map_or_else(|| "-".to_owned(), |s| format!("{} uur", hours_text(s)));
    LeadRow {
        what,
        count: t.count,
        median: hours(t.median_seconds),
        mean: hours(t.mean_seconds),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_overview.html")]
struct OverviewPage {
    shell: Shell,
    municipality: String,
    municipality_name: String,
    municipalities: Vec<Choice>,
    total: i64,
    by_status: Vec<(&'static str, i64)>,
    overdue: i64,
    overdue_by_organisation: Vec<OverdueAtOrganisation>,
    lead_times: Vec<LeadRow>,
    /// (reason, who declined: the resident or the organisation, count).
    declined: Vec<(&'static str, &'static str, i64)>,
}

fn status_counts(o: &ReferralOverview) -> Vec<(ReferralStatus, i64)> {
    ReferralStatus::ALL
        .iter()
        .map(|s| {
            let n = o
                .statistics
                .by_status
                .iter()
                .find(|(x, _)| x == s)
                .map_or(0, |(_, n)| *n);
            (*s, n)
        })
        .collect()
}

fn decline_counts(o: &ReferralOverview) -> Vec<(DeclineReason, i64)> {
    DeclineReason::ALL
        .iter()
        .map(|r| {
            let n = o
                .declines
                .iter()
                .find(|(x, _)| x == r)
                .map_or(0, |(_, n)| *n);
            (*r, n)
        })
        .collect()
}

async fn overview(
    state: &AppState,
    actor: &keten_store::Actor,
    asked: Option<&str>,
) -> Result<(String, ReferralOverview), AppError> {
    let code = steered_municipality(actor, asked)?;
    let overview = state
        .store
        .referral_overview(actor, &code, state.now())
        .await?;
    Ok((code, overview))
}

async fn overview_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Query(q): Query<OverviewQuery>,
) -> Result<OverviewPage, PageError> {
    let (code, o) = overview(&state, &me.actor, q.gemeente.as_deref()).await?;
    Ok(OverviewPage {
        shell,
        municipality_name: municipality_name(&code),
        municipalities: municipality_choices(&me.actor, &code),
        total: o.total,
        by_status: status_counts(&o)
            .into_iter()
            .map(|(s, n)| (s.label(), n))
            .collect(),
        overdue: o.statistics.overdue,
        lead_times: vec![
            lead_row("Van versturen tot aannemen", o.to_accept),
            lead_row("Van versturen tot afgerond of niet bereikt", o.to_close),
        ],
        declined: decline_counts(&o)
            .into_iter()
            .map(|(r, n)| {
                let who = if r.by_resident() {
                    "De inwoner"
                } else {
                    "De organisatie"
                };
                (r.label(), who, n)
            })
            .collect(),
        overdue_by_organisation: o.overdue_by_organisation,
        municipality: code,
    })
}

/// The same figures as the page, one per line: part, description, value, unit. Times in whole minutes, so
/// that no spreadsheet trips over a decimal comma.
async fn overview_csv(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Query(q): Query<OverviewQuery>,
) -> Result<Response, PageError> {
    let (code, o) = overview(&state, &me.actor, q.gemeente.as_deref()).await?;
    let mut rows: Vec<[String; 4]> = vec![[
        "onderdeel".into(),
        "omschrijving".into(),
        "waarde".into(),
        "eenheid".into(),
    ]];
    let count = |part: &str, what: &str, n: i64| {
        [
            part.to_owned(),
            what.to_owned(),
            n.to_string(),
            "doorverwijzingen".to_owned(),
        ]
    };
    rows.push(count("totaal", "Alle doorverwijzingen", o.total));
    for (s, n) in status_counts(&o) {
        rows.push(count("status", s.label(), n));
    }
    rows.push(count("te laat", "Alle organisaties", o.statistics.overdue));
    for org in &o.overdue_by_organisation {
        rows.push(count("te laat", &org.organisation_name, org.count));
        rows.push([
            "te laat, langst".into(),
            org.organisation_name.clone(),
            org.max_days_overdue.to_string(),
            "dagen".into(),
        ]);
    }
    for (part, t) in [
        ("doorlooptijd tot aannemen", o.to_accept),
        ("doorlooptijd tot afgerond of niet bereikt", o.to_close),
    ] {
        rows.push(count(
            part,
            "aantal",
            i64::try_from(t.count).unwrap_or(i64::MAX),
        ));
        for (what, v) in [
            ("mediaan", t.median_seconds),
            ("gemiddelde", t.mean_seconds),
        ] {
            rows.push([
                part.to_owned(),
                what.to_owned(),
                v.map(|s| (s / 60).to_string()).unwrap_or_default(),
                "minuten".into(),
            ]);
        }
    }
    for (r, n) in decline_counts(&o) {
        rows.push(count("afgewezen", r.label(), n));
    }
    Ok(crate::download::csv(
        &format!("doorverwijzingen-{code}.csv"),
        rows,
    )?)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueResponse {
    pub organisation_id: String,
    pub organisation_name: String,
    pub count: i64,
    /// Whole days the longest-waiting referral is past its due moment.
    pub max_days_overdue: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeadTimeResponse {
    pub count: usize,
    pub median_seconds: Option<i64>,
    pub mean_seconds: Option<i64>,
}

impl From<LeadTime> for LeadTimeResponse {
    fn from(t: LeadTime) -> Self {
        Self {
            count: t.count,
            median_seconds: t.median_seconds,
            mean_seconds: t.mean_seconds,
        }
    }
}

/// The steering overview: counts and times only, never a single referral or a resident.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralOverviewResponse {
    pub municipality_code: String,
    pub total: i64,
    pub by_status: Vec<super::api::StatusCount>,
    pub overdue: i64,
    pub overdue_by_organisation: Vec<OverdueResponse>,
    /// From sending (or the last re-route) to acceptance.
    pub to_accept: LeadTimeResponse,
    /// From sending to completed or not reached.
    pub to_close: LeadTimeResponse,
    /// Declines per coded reason, from the timeline (a re-routed referral's decline counts).
    pub declined_by_reason: Vec<super::api::ReasonCount>,
}

/// A municipality's referral overview (its steering role or an admin); another municipality answers 404.
#[utoipa::path(get, path = "/api/v1/referral-overview/{municipality_code}", tag = "referrals",
    params(("municipality_code" = String, Path, description = "CBS or NIS code, e.g. GM0599")),
    responses((status = 200, body = ReferralOverviewResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_referral_overview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(code): Path<String>,
) -> Result<Json<ReferralOverviewResponse>, ApiError> {
    let (code, o) = overview(&state, &actor, Some(&code)).await?;
    Ok(Json(ReferralOverviewResponse {
        municipality_code: code,
        total: o.total,
        by_status: status_counts(&o)
            .into_iter()
            .map(|(status, count)| super::api::StatusCount { status, count })
            .collect(),
        overdue: o.statistics.overdue,
        declined_by_reason: decline_counts(&o)
            .into_iter()
            .map(|(reason, count)| super::api::ReasonCount { reason, count })
            .collect(),
        overdue_by_organisation: o
            .overdue_by_organisation
            .into_iter()
            .map(|x| OverdueResponse {
                organisation_id: x.organisation_id,
                organisation_name: x.organisation_name,
                count: x.count,
                max_days_overdue: x.max_days_overdue,
            })
            .collect(),
        to_accept: o.to_accept.into(),
        to_close: o.to_close.into(),
    }))
}
