//! A help point's survey links for its coordinator: make and revoke them, print the A5 poster with the QR code (SVG and PNG), and read the help point's own results.

use super::{SurveyResults, survey_results};
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use keten_core::steering::{Period, PeriodKind, local_date};
use keten_store::help_questions::DeskHelpPoint;
use keten_store::stats::{ScopePoint, StatsScope};
use keten_store::surveys::SurveyLink;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/balie/{hp}/enquete", get(links_page).post(create_link))
        .route("/balie/{hp}/enquete/{id}/intrekken", post(revoke_link))
        .route("/balie/{hp}/enquete/{id}/poster", get(poster_page))
        .route("/balie/{hp}/enquete/{id}/qr.svg", get(qr_svg))
        .route("/balie/{hp}/enquete/{id}/qr.png", get(qr_png))
}

/// Only the help point's coordinator (and admins) keep its survey links: a help point the user does not work at
/// is 404, one where they are staff only is 403.
async fn coordinated_point(
    state: &AppState,
    me: &RequireUser,
    hp: &str,
) -> Result<DeskHelpPoint, AppError> {
    let point = match state.store.desk_help_point(&me.0.actor, hp).await {
        Ok(p) => p,
        Err(keten_store::StoreError::Invalid(_)) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if state.store.coordinates_desk(&me.0.actor, &point) {
        Ok(point)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The address residents reach keten at: the configured public address, else the one this request came to.
fn origin(state: &AppState, headers: &HeaderMap) -> String {
    let configured = state.config.mail.public_url.trim_end_matches('/');
    if !configured.is_empty() && configured != crate::mail::FALLBACK_PUBLIC_URL {
        return configured.to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

pub(crate) struct LinkRow {
    pub link: SurveyLink,
    pub made: String,
}

#[derive(Debug, Default, Deserialize)]
struct PeriodQuery {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "survey_links.html")]
struct LinksPage {
    shell: Shell,
    point: DeskHelpPoint,
    links: Vec<LinkRow>,
    label: String,
    error: Option<String>,
    periods: Vec<(&'static str, &'static str, bool)>,
    results: SurveyResults,
}

async fn links_view(
    state: &AppState,
    shell: Shell,
    point: DeskHelpPoint,
    q: &PeriodQuery,
) -> Result<LinksPage, AppError> {
    let tz = point.region().time_zone().clone();
    let links = state
        .store
        .survey_links(&point.id)
        .await?
        .into_iter()
        .map(|link| {
            let made = jiff::Timestamp::from_second(link.created_at)
                .map(|t| keten_core::opening_hours::date_nl(t.to_zoned(tz.clone()).date()))
                .unwrap_or_default();
            LinkRow { link, made }
        })
        .collect();
    // A survey gathers answers slowly: a year is the first view, not a month.
    let kind = q
        .period
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or("this_year");
    let period = Period::parse(
        Some(kind),
        q.from.as_deref(),
        q.to.as_deref(),
        local_date(state.now()),
    )?;
    let scope = StatsScope {
        municipality_code: Some(point.municipality_code.clone()),
        help_point: Some(ScopePoint {
            id: point.id.clone(),
            name: point.name.clone(),
            municipality_code: point.municipality_code.clone(),
        }),
        partner: None,
    };
    let results = survey_results(state, &scope, period.range, shell.lang).await?;
    let periods = PeriodKind::ALL
        .iter()
        .filter(|k| **k != PeriodKind::Custom)
        .map(|k| (k.code(), k.label(), *k == period.kind))
        .collect();
    Ok(LinksPage {
        shell,
        point,
        links,
        label: String::new(),
        error: None,
        periods,
        results,
    })
}

async fn links_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(hp): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<LinksPage, PageError> {
    let point = coordinated_point(&state, &me, &hp).await?;
    Ok(links_view(&state, shell, point, &q).await?)
}

#[derive(Debug, Deserialize)]
struct NewLink {
    #[serde(default)]
    label: String,
}

/// A link token: 128 random bits, short enough for a QR code that scans from across a table.
fn survey_token() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

async fn create_link(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(hp): Path<String>,
    axum::Form(input): axum::Form<NewLink>,
) -> Result<Response, PageError> {
    let point = coordinated_point(&state, &me, &hp).await?;
    let label = input.label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        let mut page = links_view(&state, shell, point, &PeriodQuery::default()).await?;
        page.label = input.label.clone();
        page.error = Some(
            "Geef de enquête een naam van hooguit 100 tekens, zoals 'Poster bij de balie'.".into(),
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    state
        .store
        .create_survey_link(
            &point.id,
            label,
            &survey_token(),
            Some(&me.0.user.id),
            state.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("/balie/{}/enquete", point.id)).into_response())
}

async fn revoke_link(
    State(state): State<AppState>,
    me: RequireUser,
    Path((hp, id)): Path<(String, String)>,
) -> Result<Redirect, PageError> {
    let point = coordinated_point(&state, &me, &hp).await?;
    state
        .store
        .revoke_survey_link(&point.id, &id, state.now())
        .await?;
    Ok(Redirect::to(&format!("/balie/{}/enquete", point.id)))
}

#[derive(Template, WebTemplate)]
#[template(path = "survey_poster.html")]
struct PosterPage {
    shell: Shell,
    point: DeskHelpPoint,
    link: SurveyLink,
    url: String,
    /// Markup made by the `qrcode` crate from our own address: squares only.
    qr_svg: String,
}

/// The link of a coordinated help point, with the address it opens.
async fn live_link(
    state: &AppState,
    me: &RequireUser,
    hp: &str,
    id: &str,
    headers: &HeaderMap,
) -> Result<(DeskHelpPoint, SurveyLink, String), AppError> {
    let point = coordinated_point(state, me, hp).await?;
    let link = state.store.survey_link(&point.id, id).await?;
    let url = format!("{}/enquete/{}", origin(state, headers), link.token);
    Ok((point, link, url))
}

async fn poster_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    headers: HeaderMap,
    Path((hp, id)): Path<(String, String)>,
) -> Result<PosterPage, PageError> {
    let (point, link, url) = live_link(&state, &me, &hp, &id, &headers).await?;
    let svg = super::qr::svg(&url)?;
    // Inline in the page: the XML declaration has no place inside HTML.
    let qr_svg = svg
        .split_once("?>")
        .map(|(_, rest)| rest.to_owned())
        .unwrap_or(svg);
    Ok(PosterPage {
        shell,
        point,
        link,
        url,
        qr_svg,
    })
}

fn file_name(point: &DeskHelpPoint, ext: &str) -> String {
    let slug: String = point
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("enquete-{}.{ext}", slug.trim_matches('-'))
}

async fn qr_svg(
    State(state): State<AppState>,
    me: RequireUser,
    headers: HeaderMap,
    Path((hp, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (point, _, url) = live_link(&state, &me, &hp, &id, &headers).await?;
    Ok(crate::download::file(
        &file_name(&point, "svg"),
        "image/svg+xml",
        super::qr::svg(&url)?,
    ))
}

async fn qr_png(
    State(state): State<AppState>,
    me: RequireUser,
    headers: HeaderMap,
    Path((hp, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (point, _, url) = live_link(&state, &me, &hp, &id, &headers).await?;
    Ok(crate::download::file(
        &file_name(&point, "png"),
        "image/png",
        super::qr::png(&url)?,
    ))
}
