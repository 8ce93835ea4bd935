//! The map as CSV and XLSX: one row per stakeholder with its place in the grid and its activity in keten. The contact person stays out of the files (files travel; the page keeps personal data with steering).

use super::{Map, MapQuery, load_map};
use crate::AppState;
use crate::auth::RequireUser;
use crate::download;
use crate::error::PageError;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/regie/belanghebbenden.csv", get(download_csv))
        .route("/regie/belanghebbenden.xlsx", get(download_xlsx))
}

pub(crate) const HEADERS: [&str; 16] = [
    "Nr",
    "Organisatie",
    "In keten",
    "Sector",
    "Rollen",
    "Invloed",
    "Belang",
    "Vak",
    "Convenant",
    "Afspraken",
    "Op de kaart sinds",
    "Verwijzingen verstuurd",
    "Verwijzingen ontvangen",
    "Spreekuren",
    "Vragen in spreekuren",
    "Vragen bij eigen hulppunten",
];

pub(crate) fn rows(map: &Map) -> Vec<Vec<String>> {
    let yes_no = |b: bool| if b { "ja" } else { "nee" }.to_owned();
    map.entries
        .iter()
        .map(|e| {
            let s = &e.stakeholder;
            let a = e.activity;
            vec![
                e.number.to_string(),
                s.name.clone(),
                yes_no(e.in_keten()),
                s.sector.label().to_owned(),
                e.roles_text(),
                s.power.to_string(),
                s.interest.to_string(),
                e.quadrant.label().to_owned(),
                yes_no(s.covenant),
                s.agreements.clone(),
                s.joined_on.clone(),
                a.referrals_sent.to_string(),
                a.referrals_received.to_string(),
                a.consultation_hours.to_string(),
                a.questions_in_hours.to_string(),
                a.questions_at_help_points.to_string(),
            ]
        })
        .collect()
}

fn file_name(map: &Map, ext: &str) -> String {
    let (from, to) = map.period.range.dates();
    format!("belanghebbenden-{}-{from}-{to}.{ext}", map.municipality)
}

async fn download_csv(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Query(q): Query<MapQuery>,
) -> Result<Response, PageError> {
    let map = load_map(&state, &me.actor, &q).await?;
    let mut all = vec![HEADERS.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()];
    all.extend(rows(&map));
    Ok(download::csv(&file_name(&map, "csv"), all)?)
}

async fn download_xlsx(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Query(q): Query<MapQuery>,
) -> Result<Response, PageError> {
    let map = load_map(&state, &me.actor, &q).await?;
    Ok(download::xlsx(
        &file_name(&map, "xlsx"),
        "Belanghebbenden",
        &HEADERS,
        &rows(&map),
    )?)
}
