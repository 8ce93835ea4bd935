//! API: an organisation's webhook (`/api/v1/organisations/{id}/webhook`): read, set, remove.

use super::{check_url, new_secret, require_webhook_keeper};
use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiActor, ApiJson};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use keten_store::webhooks::{Delivery, Webhook};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Deliveries shown with the webhook.
const RECENT: i64 = 20;

/// An organisation's webhook. The secret is only in the answer that made it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookResponse {
    pub organisation_id: String,
    pub url: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// The signing secret, only when this request made a new one: store it now, it is never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// The most recent deliveries, newest first.
    pub recent_deliveries: Vec<DeliveryResponse>,
}

/// One message to the webhook and how its delivery went.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub id: String,
    /// The event id in the message body (the same on every retry).
    pub event_id: String,
    pub referral_id: String,
    /// `referral.received` or `referral.updated`.
    pub event_type: String,
    /// `pending`, `delivered` or `failed` (gave up after the last retry).
    pub status: String,
    pub attempts: i64,
    pub created_at: i64,
    pub next_attempt_at: Option<i64>,
    pub last_attempt_at: Option<i64>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
}

impl From<Delivery> for DeliveryResponse {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            referral_id: d.referral_id,
            event_type: d.event_type,
            status: d.status,
            attempts: d.attempts,
            created_at: d.created_at,
            next_attempt_at: d.next_attempt_at,
            last_attempt_at: d.last_attempt_at,
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            delivered_at: d.delivered_at,
        }
    }
}

/// Where keten sends the organisation's referral events.
#[derive(Debug, Deserialize, ToSchema)]
pub struct WebhookRequest {
    /// An http(s) address reachable from the internet.
    pub url: String,
    /// Make a new secret (the old one stops working at once). A new webhook always gets one.
    #[serde(default)]
    pub rotate_secret: bool,
}

async fn respond(
    state: &AppState,
    actor: &keten_store::Actor,
    hook: Webhook,
    secret: Option<String>,
) -> Result<WebhookResponse, AppError> {
    let recent = state
        .store
        .webhook_deliveries(actor, &hook.organisation_id, RECENT)
        .await?;
    Ok(WebhookResponse {
        organisation_id: hook.organisation_id,
        url: hook.url,
        created_at: hook.created_at,
        updated_at: hook.updated_at,
        secret,
        recent_deliveries: recent.into_iter().map(Into::into).collect(),
    })
}

/// The organisation's webhook and its recent deliveries (coordinators, partner members and admins); 404 when it
/// has none.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/webhook", tag = "organisations",
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, body = WebhookResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_webhook(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<WebhookResponse>, ApiError> {
    require_webhook_keeper(&actor, &id)?;
    let hook = state
        .store
        .webhook(&actor, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(respond(&state, &actor, hook, None).await?))
}

/// Sets the webhook's address. A new webhook (201) or `rotate_secret` gets a new signing secret, returned in
/// this answer only.
#[utoipa::path(put, path = "/api/v1/organisations/{id}/webhook", tag = "organisations",
    params(("id" = String, Path, description = "Organisation id")), request_body = WebhookRequest,
    responses((status = 200, body = WebhookResponse), (status = 201, body = WebhookResponse),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_webhook(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<WebhookRequest>,
) -> Result<Response, ApiError> {
    let (hook, secret, created) = save(&state, &actor, &id, &body.url, body.rotate_secret).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let body = respond(&state, &actor, hook, secret).await?;
    // An answer with the secret must not be kept by any cache.
    Ok((status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// Saves the address, making a secret when there is none or when asked; shared by the page.
/// Returns the webhook, the new secret (if one was made) and whether the webhook is new.
pub(crate) async fn save(
    state: &AppState,
    actor: &keten_store::Actor,
    organisation_id: &str,
    url: &str,
    rotate: bool,
) -> Result<(Webhook, Option<String>, bool), AppError> {
    require_webhook_keeper(actor, organisation_id)?;
    // An organisation outside the actor's chains is not found, also for an admin typing a wrong id.
    state.store.organisation(actor, organisation_id).await?;
    let url = check_url(url, state.webhooks.allow_private)?;
    let existed = state.store.webhook(actor, organisation_id).await?.is_some();
    let secret = (rotate || !existed).then(new_secret);
    state
        .store
        .set_webhook(actor, organisation_id, &url, secret.as_ref(), state.now())
        .await?;
    let hook = state
        .store
        .webhook(actor, organisation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((hook, secret.map(|s| s.expose().to_owned()), !existed))
}

/// Removes the webhook; messages still waiting are not sent.
#[utoipa::path(delete, path = "/api/v1/organisations/{id}/webhook", tag = "organisations",
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require_webhook_keeper(&actor, &id)?;
    if state.store.delete_webhook(&actor, &id, state.now()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound.into())
    }
}
