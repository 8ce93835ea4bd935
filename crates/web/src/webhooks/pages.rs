//! The page where an organisation's coordinator sets its webhook, sees the secret once and the recent deliveries.

use super::api::save;
use super::require_webhook_keeper;
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use keten_core::ValidationError;
use keten_core::opening_hours::{Region, date_nl};
use keten_store::Actor;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organisaties/{id}/webhook",
            get(webhook_page).post(save_webhook),
        )
        .route(
            "/organisaties/{id}/webhook/verwijderen",
            post(remove_webhook),
        )
}

/// Deliveries on the page.
const RECENT: i64 = 20;

pub struct DeliveryLine {
    pub created: String,
    pub event_type: String,
    pub referral_id: String,
    pub status: &'static str,
    pub attempts: i64,
    pub last_result: String,
    pub next_attempt: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "webhook.html")]
struct WebhookPage {
    shell: Shell,
    id: String,
    organisation: String,
    /// The saved address, if any.
    current: Option<String>,
    /// What is in the address field: the saved address, or what was typed.
    url: String,
    /// The new secret, shown this once.
    secret: Option<String>,
    deliveries: Vec<DeliveryLine>,
    errors: Vec<ValidationError>,
}

/// A moment in Dutch, in Dutch time: "2 maart 2026, 10:00".
fn moment(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|t| {
            let local = t.to_zoned(Region::Nl.time_zone().clone());
            format!("{}, {}", date_nl(local.date()), local.strftime("%H:%M"))
        })
        .unwrap_or_default()
}

fn status_label(status: &str) -> &'static str {
    match status {
        "delivered" => "Afgeleverd",
        "pending" => "Wacht op (nieuwe) poging",
        _ => "Mislukt, gestopt",
    }
}

async fn view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: &str,
) -> Result<WebhookPage, AppError> {
    require_webhook_keeper(actor, id)?;
    let organisation = state.store.organisation(actor, id).await?;
    let current = state.store.webhook(actor, id).await?.map(|w| w.url);
    let deliveries = state
        .store
        .webhook_deliveries(actor, id, RECENT)
        .await?
        .into_iter()
        .map(|d| DeliveryLine {
            created: moment(d.created_at),
            status: status_label(&d.status),
            last_result: match (d.last_status_code, d.last_error) {
                (Some(code), _) => format!("HTTP {code}"),
                (None, Some(e)) => e,
                (None, None) => "nog niet geprobeerd".into(),
            },
            next_attempt: d
                .next_attempt_at
                .filter(|_| d.status == "pending")
                .map(moment),
            event_type: d.event_type,
            referral_id: d.referral_id,
            attempts: d.attempts,
        })
        .collect();
    Ok(WebhookPage {
        shell,
        id: id.to_owned(),
        organisation: organisation.name,
        url: current.clone().unwrap_or_default(),
        current,
        secret: None,
        deliveries,
        errors: Vec::new(),
    })
}

async fn webhook_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<WebhookPage, PageError> {
    Ok(view(&state, shell, &me.0.actor, &id).await?)
}

#[derive(Debug, Default, Deserialize)]
struct SaveForm {
    #[serde(default)]
    url: String,
    /// Checkbox: make a new secret.
    #[serde(default)]
    rotate: Option<String>,
}

async fn save_webhook(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
    Form(form): Form<SaveForm>,
) -> Result<Response, PageError> {
    let actor = &me.0.actor;
    let mut page = view(&state, shell, actor, &id).await?;
    match save(&state, actor, &id, &form.url, form.rotate.is_some()).await {
        Ok((hook, secret, _)) => {
            page.url = hook.url.clone();
            page.current = Some(hook.url);
            page.secret = secret;
            // The secret is on this page once: no cache may keep it.
            Ok(([(header::CACHE_CONTROL, "no-store")], page).into_response())
        }
        Err(AppError::Validation(errors)) => {
            page.errors = errors;
            page.url = form.url;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_webhook(
    State(state): State<AppState>,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<Redirect, PageError> {
    let actor = &me.0.actor;
    require_webhook_keeper(actor, &id)?;
    state.store.delete_webhook(actor, &id, state.now()).await?;
    Ok(Redirect::to(&format!("/organisaties/{id}/webhook")))
}
