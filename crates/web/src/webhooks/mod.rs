//! Webhooks per organisation: who may keep them, checking the address, signing, and delivering the outbox.

pub(crate) mod api;
mod pages;

use crate::AppState;
use crate::error::AppError;
use hmac::{Hmac, Mac};
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::webhook::{MAX_ATTEMPTS, retry_delay, signed_payload};
use keten_store::Actor;
use keten_store::webhooks::{AttemptResult, DueDelivery, WebhookSecret};
use sha2::Sha256;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

pub use pages::router;

/// Header with the signature: `sha256=` and the hex HMAC-SHA256 of `{timestamp}.{body}`.
pub const SIGNATURE_HEADER: &str = "x-keten-signature";
/// Header with the unix time (seconds) that is part of the signed string.
pub const TIMESTAMP_HEADER: &str = "x-keten-timestamp";

/// How long one delivery may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries claimed per run of the worker.
const BATCH: i64 = 50;
/// Longest accepted address.
const MAX_URL_LEN: usize = 2000;

/// Who may keep an organisation's webhook: its coordinators, its partner members (a partner organisation has no
/// coordinator role) and admins. Not a member at all: not found, as every other tenant check.
pub(crate) fn require_webhook_keeper(actor: &Actor, organisation_id: &str) -> Result<(), AppError> {
    if actor.is_admin() {
        return Ok(());
    }
    if !actor.is_member_of(organisation_id) {
        return Err(AppError::NotFound);
    }
    let keeps = actor.memberships.iter().any(|m| {
        m.organisation_id == organisation_id && matches!(m.role, Role::Coordinator | Role::Partner)
    });
    if keeps {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Checks an address typed by a coordinator: http(s), a host, no password in it, and (unless the installation
/// allows it) not an address inside the server's own network.
pub(crate) fn check_url(input: &str, allow_private: bool) -> Result<String, ValidationError> {
    let field = "url";
    let input = input.trim();
    if input.is_empty() {
        return Err(ValidationError::new(
            field,
            "Vul het adres van de webhook in.",
        ));
    }
    if input.len() > MAX_URL_LEN {
        return Err(ValidationError::new(
            field,
            "Dit adres is te lang (hoogstens 2000 tekens).",
        ));
    }
    let url = reqwest::Url::parse(input).map_err(|_| {
        ValidationError::new(
            field,
            "Dit is geen geldig adres. Begin met https:// en schrijf het hele adres.",
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ValidationError::new(
            field,
            "Het adres moet beginnen met https:// (of http://).",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ValidationError::new(
            field,
            "Zet geen gebruikersnaam of wachtwoord in het adres. Uw systeem controleert de handtekening.",
        ));
    }
    let Some(host) = url.host_str() else {
        return Err(ValidationError::new(
            field,
            "Het adres mist een servernaam.",
        ));
    };
    // IPv6 literals come in brackets.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let internal = match host.parse::<IpAddr>() {
        Ok(ip) => !is_public(ip),
        Err(_) => {
            let name = host.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    if internal && !allow_private {
        return Err(ValidationError::new(
            field,
            "Dit adres is van een intern netwerk. Kies een adres dat vanaf internet bereikbaar is.",
        ));
    }
    Ok(url.to_string())
}

/// An address a webhook may reach: the rule lives in core, with its tests.
fn is_public(ip: IpAddr) -> bool {
    keten_core::webhook::is_public_address(ip)
}

/// Resolves host names for deliveries and drops internal addresses, so a name that points inside the network
/// (set up after the address was checked) is not reached either.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if found.is_empty() {
                return Err("no public address".into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// The HTTP client of deliveries: a timeout, no redirects (a redirect could lead inside the network) and,
/// unless allowed, public addresses only.
#[derive(Clone)]
pub struct WebhookClient {
    http: reqwest::Client,
    allow_private: bool,
}

impl WebhookClient {
    pub fn new(allow_private: bool) -> Self {
        let mut builder = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("keten-webhooks/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            builder = builder.dns_resolver(std::sync::Arc::new(PublicOnly));
        }
        let http = builder.build().unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot build the webhook client; using the default one");
            reqwest::Client::new()
        });
        Self {
            http,
            allow_private,
        }
    }
}

/// `sha256=` and the hex HMAC-SHA256 of the signed string under the secret.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(signed_payload(timestamp, body).as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A new signing secret: 256 random bits, with a prefix that tells people what it is.
pub(crate) fn new_secret() -> WebhookSecret {
    WebhookSecret::new(format!("whsec_{}", crate::context::random_token()))
}

/// What one run of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryRun {
    pub delivered: usize,
    /// Failed and will be tried again.
    pub retrying: usize,
    /// Failed for good (or the webhook was removed).
    pub failed: usize,
}

/// Sends every delivery that is due; runs from the worker in `keten serve` and from tests.
pub async fn deliver_webhooks(state: &AppState) -> Result<DeliveryRun, AppError> {
    let mut run = DeliveryRun::default();
    loop {
        let due = state
            .store
            .claim_due_webhook_deliveries(state.now(), BATCH)
            .await?;
        if due.is_empty() {
            return Ok(run);
        }
        for delivery in due {
            let result = attempt(state, &delivery).await;
            match &result {
                AttemptResult::Delivered { .. } => run.delivered += 1,
                AttemptResult::Failed {
                    next_attempt_at: Some(_),
                    ..
                } => run.retrying += 1,
                AttemptResult::Failed { .. } => run.failed += 1,
            }
            state
                .store
                .finish_webhook_attempt(&delivery.id, &result, state.now())
                .await?;
        }
    }
}

async fn attempt(state: &AppState, delivery: &DueDelivery) -> AttemptResult {
    let Some((url, secret)) = &delivery.target else {
        return AttemptResult::Failed {
            status_code: None,
            error: "webhook removed".into(),
            next_attempt_at: None,
        };
    };
    let failed_before = u32::try_from(delivery.attempts).unwrap_or(MAX_ATTEMPTS);
    let fail = |status_code: Option<u16>, error: String| AttemptResult::Failed {
        status_code,
        error,
        next_attempt_at: retry_delay(failed_before + 1).map(|d| state.now() + d),
    };
    // The address was checked when it was saved; a changed rule (or a row written by hand) is checked again.
    if check_url(url, state.webhooks.allow_private).is_err() {
        return AttemptResult::Failed {
            status_code: None,
            error: "address not allowed".into(),
            next_attempt_at: None,
        };
    }
    let timestamp = state.now();
    let response = state
        .webhooks
        .http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("x-keten-event", &delivery.event_type)
        .header("x-keten-event-id", &delivery.event_id)
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(
            SIGNATURE_HEADER,
            signature(secret.expose(), timestamp, &delivery.payload),
        )
        .body(delivery.payload.clone())
        .send()
        .await;
    match response {
        Ok(r) if r.status().is_success() => AttemptResult::Delivered {
            status_code: r.status().as_u16(),
        },
        Ok(r) => fail(Some(r.status().as_u16()), format!("HTTP {}", r.status())),
        // A short cause only: the error's text can hold the address, which may carry a token.
        Err(e) if e.is_timeout() => fail(None, "timeout".into()),
        Err(e) if e.is_connect() => fail(None, "connection failed".into()),
        Err(_) => fail(None, "request failed".into()),
    }
}
