//! Coordinators read help points in from a spreadsheet: upload, check (dry run) with per-row errors, then store all or nothing.

use super::require_coordinator;
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use keten_core::account::Role;
use keten_core::help_point_import::{
    Column, parse_help_points_csv, read_help_point_file, row_outcome_nl, stored_nl,
};
use keten_store::Actor;
use keten_store::import::{ImportOrganisation, ImportPlan};
use keten_store::organisations::Organisation;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/beheer/hulppunten/inlezen", get(upload_page).post(upload))
        .route("/beheer/hulppunten/inlezen/opslaan", post(confirm))
}

/// Largest file accepted: a spreadsheet of a few thousand help points.
const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

/// The organisations the actor may add help points to: admins all, staff and coordinators their own (the same
/// people who may edit its help points), steering those active in the municipality they steer.
fn may_import_for(actor: &Actor, organisation: &Organisation) -> bool {
    actor.is_admin()
        || actor
            .organisation_ids_with(Role::Staff)
            .chain(actor.organisation_ids_with(Role::Coordinator))
            .any(|o| o == organisation.id)
        || organisation
            .active_in
            .iter()
            .any(|m| actor.steering_municipalities.contains(m))
}

pub struct OrganisationOption {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

pub struct ErrorLine {
    pub line: String,
    pub field: String,
    pub message: String,
}

pub struct PlannedLine {
    pub line: usize,
    pub name: String,
    pub postcode: String,
    pub organisation: String,
    /// "Nieuw", "Ongewijzigd" or what changes.
    pub outcome: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "directory_import.html")]
struct ImportPage {
    shell: Shell,
    organisations: Vec<OrganisationOption>,
    columns: String,
    /// After a check or an import: what the file held.
    checked: bool,
    summary: String,
    warnings: Vec<ErrorLine>,
    errors: Vec<ErrorLine>,
    planned: Vec<PlannedLine>,
    /// The file's text, carried to the "store" button after a clean check.
    content: String,
    chosen_organisation: String,
    can_import: bool,
    /// "3 hulppunten opgeslagen." after an import.
    created_message: Option<String>,
    /// A problem with the upload itself (no file, too large).
    upload_error: Option<String>,
}

async fn allowed_organisations(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<Organisation>, AppError> {
    Ok(state
        .store
        .organisations(actor)
        .await?
        .into_iter()
        .filter(|o| may_import_for(actor, o))
        .collect())
}

fn empty_page(shell: Shell, organisations: &[Organisation], chosen: &str) -> ImportPage {
    ImportPage {
        shell,
        organisations: organisations
            .iter()
            .map(|o| OrganisationOption {
                id: o.id.clone(),
                name: o.name.clone(),
                selected: o.id == chosen,
            })
            .collect(),
        columns: Column::ALL.map(Column::dutch).join(", "),
        checked: false,
        summary: String::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
        planned: Vec::new(),
        content: String::new(),
        chosen_organisation: chosen.to_owned(),
        can_import: false,
        created_message: None,
        upload_error: None,
    }
}

async fn upload_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
) -> Result<ImportPage, PageError> {
    require_coordinator(&me.0.actor)?;
    let organisations = allowed_organisations(&state, &me.0.actor).await?;
    let chosen = match organisations.as_slice() {
        [only] => only.id.clone(),
        _ => String::new(),
    };
    Ok(empty_page(shell, &organisations, &chosen))
}

/// Help points that lie outside the municipalities their organisation serves (a mistyped postcode, most often).
fn outside_warnings(
    plan: &ImportPlan,
    organisations: &[Organisation],
) -> Vec<keten_core::help_point_import::RowError> {
    plan.help_points
        .iter()
        .filter_map(|p| {
            let served = organisations
                .iter()
                .find(|o| o.id == p.organisation_id)
                .map_or(&[][..], |o| o.active_in.as_slice());
            keten_core::help_point_import::outside_served(
                p.line,
                &p.new.postcode,
                &p.new.municipality_code,
                &p.organisation_name,
                served,
            )
        })
        .collect()
}

/// Checks the text and, when `store` and everything is right, imports it. The page shows what happened.
async fn check_and_maybe_store(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    text: &str,
    chosen: &str,
    store: bool,
    note: Option<String>,
) -> Result<Response, PageError> {
    let organisations = allowed_organisations(state, actor).await?;
    let mut page = empty_page(shell, &organisations, chosen);
    let default = organisations
        .iter()
        .find(|o| o.id == chosen)
        .map(|o| ImportOrganisation {
            id: o.id.clone(),
            name: o.name.clone(),
        });
    let allowed: Vec<String> = organisations.iter().map(|o| o.id.clone()).collect();
    let owned = text.to_owned();
    let report = crate::upload::off_worker(move || Ok(parse_help_points_csv(&owned)))
        .await
        .map_err(AppError::BadRequest)?;
    let plan: ImportPlan = state
        .store
        .plan_help_point_import(&report, default.as_ref(), &|id| {
            allowed.iter().any(|a| a == id)
        })
        .await?;
    let line = |e: &keten_core::help_point_import::RowError| ErrorLine {
        line: e.line.to_string(),
        field: e.field.clone(),
        message: e.message.clone(),
    };
    page.checked = true;
    page.warnings = note
        .into_iter()
        .map(|message| ErrorLine {
            line: String::new(),
            field: String::new(),
            message,
        })
        .chain(report.warnings.iter().map(line))
        .chain(outside_warnings(&plan, &organisations).iter().map(line))
        .collect();
    let mut errors: Vec<&keten_core::help_point_import::RowError> =
        report.errors().chain(plan.errors.iter()).collect();
    errors.sort_by_key(|e| e.line);
    page.errors = errors.into_iter().map(line).collect();
    page.planned = plan
        .help_points
        .iter()
        .map(|p| PlannedLine {
            line: p.line,
            name: p.new.name.clone(),
            postcode: p.new.postcode.clone(),
            organisation: p.organisation_name.clone(),
            outcome: row_outcome_nl(p.existing.as_ref().map(|u| u.changes.as_slice())),
        })
        .collect();
    page.summary = [report.summary_nl(), plan.outcome_nl()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let clean = report.is_ok() && plan.errors.is_empty();
    if !clean {
        page.summary.push_str("; niets opgeslagen");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    if store {
        let outcome = state
            .store
            .import_planned_help_points(&plan, state.now())
            .await?;
        page.created_message = Some(stored_nl(outcome.created, outcome.updated));
    } else {
        page.can_import = plan.to_create() + plan.to_update() > 0;
        page.content = text.to_owned();
    }
    Ok(page.into_response())
}

/// The upload form: `organisation_id`, `bestand` (the file) and `actie` (`controleren` or `inlezen`).
async fn upload(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    require_coordinator(&me.0.actor)?;
    let mut chosen = String::new();
    let mut file: Option<Vec<u8>> = None;
    let mut store = false;
    let mut too_large = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                // A body over the limit or a broken upload: say so on the page.
                too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                if !too_large {
                    return Err(AppError::BadRequest(
                        "Het bestand kwam niet goed aan. Probeer het opnieuw.".into(),
                    )
                    .into());
                }
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|_| {
            AppError::BadRequest("Het bestand kwam niet goed aan. Probeer het opnieuw.".into())
        })?;
        match name.as_str() {
            "organisation_id" => chosen = String::from_utf8_lossy(&bytes).into_owned(),
            "actie" => store = bytes.as_ref() == b"inlezen",
            "bestand" if !bytes.is_empty() => {
                if bytes.len() > MAX_FILE_BYTES {
                    too_large = true;
                } else {
                    file = Some(bytes.to_vec());
                }
            }
            _ => {}
        }
    }
    let Some(bytes) = file.filter(|_| !too_large) else {
        let organisations = allowed_organisations(&state, &me.0.actor).await?;
        let mut page = empty_page(shell, &organisations, &chosen);
        page.upload_error = Some(if too_large {
            format!(
                "Het bestand is groter dan {} MB. Splits het in kleinere bestanden.",
                MAX_FILE_BYTES / 1024 / 1024
            )
        } else {
            "Kies een bestand (CSV of Excel) om in te lezen.".into()
        });
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let (text, note) = match crate::upload::off_worker(move || read_help_point_file(&bytes)).await {
        Ok(read) => read,
        Err(problem) => {
            let organisations = allowed_organisations(&state, &me.0.actor).await?;
            let mut page = empty_page(shell, &organisations, &chosen);
            page.upload_error = Some(problem);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let note = note.map(str::to_owned);
    check_and_maybe_store(&state, shell, &me.0.actor, &text, &chosen, store, note).await
}

#[derive(Debug, Default, Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    inhoud: String,
}

/// "Alles inlezen" after a clean check: the file's text comes back in the form and is checked again before storing.
async fn confirm(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, PageError> {
    require_coordinator(&me.0.actor)?;
    check_and_maybe_store(
        &state,
        shell,
        &me.0.actor,
        &form.inhoud,
        &form.organisation_id,
        true,
        None,
    )
    .await
}
