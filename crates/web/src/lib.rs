//! keten's HTTP layer: server-rendered pages, the JSON API under /api/v1 and its OpenAPI document.

mod about;
mod action_plans;
mod admin;
mod api;
mod api_tokens;
mod assets;
mod auth;
mod categories;
/// Shared by every area that shows figures (steering, programmes, value, devices).
pub mod charts;
mod check_reminders;
mod context;
mod desk;
mod devices;
mod directory;
mod download;
mod error;
mod events;
mod extract;
mod finder;
mod health;
pub mod hsds;
pub mod i18n;
pub mod mail;
pub mod numbers;
mod programmes;
mod referrals;
mod security;
mod shell;
mod stakeholders;
mod steering;
mod surveys;
mod trajectories;
pub mod updating;
mod upload;
mod value;
pub mod webhooks;

use axum::Router;
use keten_core::clock::Clock;
use keten_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

pub use auth::seal_stored_secrets;
pub use check_reminders::send_check_reminders;
pub use context::{random_token, token_hash};
pub use devices::send_loan_reminders;
pub use error::AppError;
pub use programmes::report_mail::send_report_reminders;
pub use referrals::notify::send_due_notifications;
pub use webhooks::deliver_webhooks;

/// Settings of the HTTP layer, filled in by the binary from flags and environment.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Set `Secure` on cookies: keten is reached over https (directly or via a proxy).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_forwarded_for: bool,
    /// Where front-end packages from npm live (`node_modules`); absent is fine.
    pub assets_dir: std::path::PathBuf,
    /// How long a sign-in lasts at most, used or not (absolute expiry).
    pub session_hours: i64,
    /// A sign-in ends after this many minutes without a request (idle expiry).
    pub session_idle_minutes: i64,
    /// How often (seconds) the finder checks the database for directory changes.
    pub finder_refresh_seconds: u64,
    /// Map tile URL template for the interactive map (`{z}/{x}/{y}`).
    pub map_tiles: String,
    /// Where e-mail goes (SMTP or a folder) and the public address for links in it.
    pub mail: mail::MailConfig,
    /// Let webhooks reach addresses inside the server's own network (tests, closed installations).
    pub webhook_private_addresses: bool,
    /// Requests to "Ik wil hulp", and apart from those reports of wrong information, per client address per 10
    /// minutes.
    pub resident_requests_per_10_minutes: u32,
    /// Seals authenticator secrets before they are stored (kept outside the database). `keten serve` always sets
    /// one; `None` stores them as plain base32, as before sealing existed (library use without a key).
    pub second_factor_key: Option<keten_core::second_factor::SealingKey>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trust_forwarded_for: false,
            assets_dir: "node_modules".into(),
            session_hours: 12,
            session_idle_minutes: 30,
            finder_refresh_seconds: 5,
            map_tiles: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            mail: mail::MailConfig::default(),
            webhook_private_addresses: false,
            resident_requests_per_10_minutes: 5,
            second_factor_key: None,
        }
    }
}

/// Everything a handler may use; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<WebConfig>,
    pub finder: finder::Finder,
    pub mailer: mail::Mailer,
    pub webhooks: webhooks::WebhookClient,
    pub resident_limit: referrals::resident::RequestLimit,
    /// The same guard, counted apart, for "Meld een fout" on help point pages.
    pub report_limit: referrals::resident::RequestLimit,
    /// Closed while an update finishes in the background: every page and API answers "come back later".
    pub updating: updating::UpdateGate,
}

impl AppState {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: WebConfig) -> Self {
        Self {
            store,
            clock,
            mailer: mail::Mailer::new(&config.mail),
            webhooks: webhooks::WebhookClient::new(config.webhook_private_addresses),
            resident_limit: referrals::resident::RequestLimit::new(
                config.resident_requests_per_10_minutes,
            ),
            report_limit: referrals::resident::RequestLimit::new(
                config.resident_requests_per_10_minutes,
            ),
            config: Arc::new(config),
            finder: finder::Finder::default(),
            updating: updating::UpdateGate::default(),
        }
    }

    /// Now, in unix seconds.
    pub(crate) fn now(&self) -> i64 {
        self.clock.now().as_second()
    }
}

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    let (api_router, mut openapi) = api::router().split_for_parts();
    hsds::document(&mut openapi);
    error::document_problem_responses(&mut openapi);
    let openapi_json = openapi.to_json().unwrap_or_default();
    let map_tiles = state.config.map_tiles.clone();
    let app = Router::new()
        .merge(finder::router())
        .merge(about::router())
        .merge(auth::router())
        .merge(admin::router())
        .merge(categories::router())
        .merge(directory::router())
        .merge(desk::router())
        .merge(referrals::router())
        .merge(devices::router())
        .merge(programmes::router())
        .merge(trajectories::router())
        .merge(action_plans::router())
        .merge(events::router())
        .merge(steering::router())
        .merge(value::router())
        .merge(surveys::router())
        .merge(stakeholders::router())
        .merge(directory::details::router())
        .merge(directory::import::router())
        .merge(directory::export::router())
        .merge(api_tokens::router())
        .merge(webhooks::router())
        .merge(health::router())
        .merge(
            hsds::router().route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                hsds::cache,
            )),
        )
        .merge(assets::router(&state.config.assets_dir))
        .merge(api_router)
        .route(
            "/api/openapi.json",
            axum::routing::get(move || async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    openapi_json,
                )
            }),
        )
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            updating::gate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            context::load_request_context,
        ))
        .with_state(state);
    security::wrap(app, &map_tiles).layer(tower_http::limit::RequestBodyLimitLayer::new(
        8 * 1024 * 1024,
    ))
}

/// Serves until `shutdown` completes, then lets running requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// The OpenAPI document, for the CLI and tests.
pub fn openapi_json() -> String {
    let (_, mut openapi) = api::router().split_for_parts();
    hsds::document(&mut openapi);
    error::document_problem_responses(&mut openapi);
    openapi.to_pretty_json().unwrap_or_default()
}
