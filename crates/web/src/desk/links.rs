//! Registration links for volunteers: coordinators make and revoke them; the
//! link opens the desk form for one help point, to register and nothing else.

use super::desk_point;
use super::form::{self, Submitted};
use crate::AppState;
use crate::auth::RequireUser;
use crate::context::{random_token, token_hash};
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use keten_store::StoreError;
use keten_store::help_questions::{DeskHelpPoint, Registrar, Source};
use keten_store::registration_links::RegistrationLink;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/balie/{hp}/links", get(links_page).post(create_link))
        .route("/balie/{hp}/links/{id}/intrekken", post(revoke_link))
        .route(
            "/registreren/{token}",
            get(volunteer_page).post(volunteer_register),
        )
        .route(
            "/registreren/{token}/bezoek/{visit}/ongedaan",
            post(volunteer_undo),
        )
        .route(
            "/registreren/{token}/bezoek/{visit}/vraag/{id}/ongedaan",
            post(volunteer_undo_question),
        )
}

#[derive(Template, WebTemplate)]
#[template(path = "desk_links.html")]
struct LinksPage {
    shell: Shell,
    point: DeskHelpPoint,
    links: Vec<(RegistrationLink, String)>,
    /// The full URL of a link just made: shown once, never stored.
    new_url: Option<String>,
    label: String,
    error: Option<String>,
}

/// Only the help point's coordinator manages its links.
async fn coordinated_point(
    state: &AppState,
    me: &RequireUser,
    hp: &str,
) -> Result<DeskHelpPoint, AppError> {
    let point = desk_point(state, &me.0.actor, hp).await?;
    if state.store.coordinates_desk(&me.0.actor, &point) {
        Ok(point)
    } else {
        Err(AppError::Forbidden)
    }
}

async fn links_view(
    state: &AppState,
    shell: Shell,
    point: DeskHelpPoint,
) -> Result<LinksPage, AppError> {
    let tz = point.region().time_zone().clone();
    let links = state
        .store
        .registration_links(&point.id)
        .await?
        .into_iter()
        .map(|l| {
            let made = jiff::Timestamp::from_second(l.created_at)
                .map(|t| keten_core::opening_hours::date_nl(t.to_zoned(tz.clone()).date()))
                .unwrap_or_default();
            (l, made)
        })
        .collect();
    Ok(LinksPage {
        shell,
        point,
        links,
        new_url: None,
        label: String::new(),
        error: None,
    })
}

async fn links_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(hp): Path<String>,
) -> Result<LinksPage, PageError> {
    let point = coordinated_point(&state, &me, &hp).await?;
    Ok(links_view(&state, shell, point).await?)
}

#[derive(Debug, Deserialize)]
struct NewLink {
    #[serde(default)]
    label: String,
}

/// The address people use to reach keten, for the link to copy.
fn origin(headers: &HeaderMap, secure: bool) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("{}://{host}", if secure { "https" } else { "http" })
}

async fn create_link(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(hp): Path<String>,
    headers: HeaderMap,
    axum::Form(input): axum::Form<NewLink>,
) -> Result<Response, PageError> {
    let point = coordinated_point(&state, &me, &hp).await?;
    let label = input.label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        let mut page = links_view(&state, shell, point).await?;
        page.label = input.label.clone();
        page.error = Some(
            "Geef de link een naam van hooguit 100 tekens, zoals 'Vrijwilligers dinsdag'.".into(),
        );
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let token = random_token();
    state
        .store
        .create_registration_link(
            &point.id,
            label,
            &token_hash(&token),
            Some(&me.0.user.id),
            state.now(),
        )
        .await?;
    let mut page = links_view(&state, shell, point).await?;
    page.new_url = Some(format!(
        "{}/registreren/{token}",
        origin(&headers, state.config.secure_cookies)
    ));
    Ok(page.into_response())
}

async fn revoke_link(
    State(state): State<AppState>,
    me: RequireUser,
    Path((hp, id)): Path<(String, String)>,
) -> Result<Redirect, PageError> {
    let point = coordinated_point(&state, &me, &hp).await?;
    state
        .store
        .revoke_registration_link(&point.id, &id, state.now())
        .await?;
    Ok(Redirect::to(&format!("/balie/{}/links", point.id)))
}

/// The help point of a live link; a revoked or unknown link is a clear 404.
async fn link_point(state: &AppState, token: &str) -> Result<(DeskHelpPoint, String), AppError> {
    match state.store.help_point_for_link(&token_hash(token)).await {
        Ok(found) => Ok(found),
        Err(StoreError::NotFound) => Err(AppError::BadRequest(
            "Deze registratielink werkt niet (meer). Vraag de coördinator van het hulppunt om een nieuwe link."
                .into(),
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct SavedQuery {
    bezoek: Option<String>,
    nummer: Option<i64>,
    ongedaan: Option<String>,
    vraag_ongedaan: Option<String>,
}

async fn volunteer_page(
    State(state): State<AppState>,
    shell: Shell,
    Path(token): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<form::DeskForm, PageError> {
    let (point, link_id) = link_point(&state, &token).await?;
    let mut page = form::desk_form(&state, shell, &point, None, None).await?;
    page.action = format!("/registreren/{token}");
    page.undo_base = format!("/registreren/{token}/bezoek");
    page.volunteer = true;
    page.undone = q.ongedaan.is_some();
    if let Some(visit) = q.bezoek {
        page.saved =
            form::saved_notice(&state, &point, &visit, q.nummer, None, Some(&link_id)).await?;
        page.question_undone = q.vraag_ongedaan.is_some() && page.saved.is_some();
    }
    Ok(page)
}

async fn volunteer_register(
    State(state): State<AppState>,
    shell: Shell,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (point, link_id) = link_point(&state, &token).await?;
    let submitted: Submitted = form::parse_visit_form(&body);
    let by = Registrar {
        source: Source::Link,
        user_id: None,
        link_id: Some(link_id),
    };
    let action = format!("/registreren/{token}");
    let undo_base = format!("/registreren/{token}/bezoek");
    form::handle_submission(
        &state,
        shell,
        &point,
        None,
        Some((&action, &undo_base)),
        submitted,
        &by,
        &action,
    )
    .await
}

async fn volunteer_undo(
    State(state): State<AppState>,
    Path((token, visit)): Path<(String, String)>,
) -> Result<Redirect, PageError> {
    let (point, link_id) = link_point(&state, &token).await?;
    form::undo_visit(&state, &point, &visit, None, Some(&link_id)).await?;
    Ok(Redirect::to(&format!("/registreren/{token}?ongedaan=1")))
}

async fn volunteer_undo_question(
    State(state): State<AppState>,
    Path((token, visit, id)): Path<(String, String, String)>,
) -> Result<Redirect, PageError> {
    let (point, link_id) = link_point(&state, &token).await?;
    form::undo_question(&state, &point, &visit, &id, None, Some(&link_id)).await?;
    let base = format!("/registreren/{token}");
    Ok(Redirect::to(
        &form::after_question_undone(&base, &state, &point, &visit).await?,
    ))
}
