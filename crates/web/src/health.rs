//! Liveness and readiness probes for load balancers and orchestrators.

use crate::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
}

/// Ready when the database answers and no update is finishing; a proxy stops sending traffic otherwise.
async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.updating.is_closed() {
        (StatusCode::SERVICE_UNAVAILABLE, "updating")
    } else if state.store.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}
