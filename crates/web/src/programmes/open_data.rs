//! A programme's selected participants as open data (CSV and JSON, no sign-in): transparency is a condition.

use super::pages::application_view;
use crate::AppState;
use crate::download;
use crate::error::{ApiError, AppError, PageError};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use keten_store::Actor;
use keten_store::programmes::Application;
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programmas/{id}/deelnemers.csv", get(participants_csv))
        .route("/programmas/{id}/deelnemers.json", get(participants_json))
        .route("/programmas/{id}/deelnemers.xlsx", get(participants_xlsx))
}

/// One selected participant, as the public page lists it.
#[derive(Debug, Serialize)]
struct Participant {
    organisation: String,
    municipality: String,
    province: String,
    size_class: String,
    amount_cents: i64,
    vat_included: bool,
}

/// The programme, how it selected and whom.
#[derive(Debug, Serialize)]
struct Participants {
    programme: String,
    method: &'static str,
    /// The published seed of the lottery; with it anyone can repeat the draw.
    seed: Option<String>,
    /// A manager changed a decision after the draw (each with a recorded reason).
    overridden: bool,
    participants: Vec<Participant>,
}

const METHOD: &str = "Eerst de vaste regels (voorwaarden, maximumbedrag, wie in aanmerking komt), dan plaatsen per groep van gemeenten (grootte en provincie) naar het aantal aanvragen, en binnen elke groep een loting (ChaCha20) met het gepubliceerde startgetal.";

async fn participants(state: &AppState, id: &str) -> Result<Participants, AppError> {
    let programme = state.store.programme(id).await?;
    let run = state.store.latest_selection(id).await?;
    let selected: Vec<Application> = state.store.selected_participants(id).await?;
    let participants = selected
        .iter()
        .map(|a| {
            let view = application_view(a, &programme, &Actor::default());
            Participant {
                organisation: view.organisation,
                municipality: view.municipality,
                province: view.province,
                size_class: view.size_class,
                amount_cents: a.amount.cents.0,
                vat_included: a.amount.vat_included,
            }
        })
        .collect();
    Ok(Participants {
        programme: programme.name,
        method: METHOD,
        overridden: run.as_ref().is_some_and(|r| !r.overrides.is_empty()),
        seed: run.map(|r| r.seed),
        participants,
    })
}

async fn participants_json(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(participants(&state, &id).await?).into_response())
}

const HEADER: [&str; 6] = [
    "Organisatie",
    "Gemeente",
    "Provincie",
    "Grootteklasse",
    "Bedrag (eurocent)",
    "Inclusief btw",
];

fn participant_cells(p: Participant) -> [String; 6] {
    [
        p.organisation,
        p.municipality,
        p.province,
        p.size_class,
        p.amount_cents.to_string(),
        if p.vat_included { "ja" } else { "nee" }.to_owned(),
    ]
}

/// The same list as an Excel workbook. Cells are text; they pass the same formula guard as the CSV, so a name
/// typed as `=HYPERLINK(...)` stays harmless when the sheet is saved on as CSV.
async fn participants_xlsx(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let list = participants(&state, &id).await?;
    let rows: Vec<Vec<String>> = list
        .participants
        .into_iter()
        .map(|p| {
            participant_cells(p)
                .iter()
                .map(|c| keten_core::spreadsheet::neutralise_formula(c).into_owned())
                .collect()
        })
        .collect();
    Ok(download::xlsx(
        "deelnemers.xlsx",
        "Deelnemers",
        &HEADER,
        &rows,
    )?)
}

async fn participants_csv(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let list = participants(&state, &id).await?;
    let header = HEADER.map(str::to_owned);
    let rows = list.participants.into_iter().map(participant_cells);
    Ok(download::csv(
        "deelnemers.csv",
        std::iter::once(header).chain(rows).collect::<Vec<_>>(),
    )?)
}
