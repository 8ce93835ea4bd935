//! The answer while keten finishes an update in the background (the steering rollups recomputed after a migration): "come back in a few minutes" instead of a refused connection.
//
// Why a closed gate rather than serving beside the update: the recomputation holds SQLite's write turn (and on
// PostgreSQL the rollup rows' locks) for minutes, so a registration would hang until it ends and a proxy would
// time out while it still lands; the dashboard would show empty figures. A clear 503 with `Retry-After` lets
// people and API clients try again, and `/readyz` tells a load balancer to send traffic elsewhere.
//
// The public directory stays open meanwhile: the finder, the help point pages and the open data APIs only read
// the help points (SQLite's readers keep their snapshot beside the writer), so a resident still finds help.
// Whatever writes (a form sent, "Ik wil hulp") or reads the figures waits behind the gate; the help point page
// leaves out its report form, so nobody types a message that could not be sent.

use crate::AppState;
use crate::error::{AppError, answer_for};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Seconds a client is asked to wait before it tries again.
const RETRY_AFTER_SECONDS: &str = "60";

/// Open unless an update is running; shared by every clone of the state.
#[derive(Debug, Clone, Default)]
pub struct UpdateGate(Arc<AtomicBool>);

impl UpdateGate {
    /// From now on every request but the probes and the style sheet gets "come back later".
    pub fn close(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// The update is done: serve as usual.
    pub fn open(&self) {
        self.0.store(false, Ordering::SeqCst);
    }

    pub fn is_closed(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Middleware inside the request context (so that the page comes in the reader's language and shell).
pub(crate) async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let passes = path == "/healthz"
        || path == "/readyz"
        || path == "/favicon.ico"
        || path.starts_with("/static/")
        || (matches!(*req.method(), Method::GET | Method::HEAD) && reads_the_directory_only(path));
    if !state.updating.is_closed() || passes {
        return next.run(req).await;
    }
    let mut response = answer_for(path, AppError::Updating);
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(RETRY_AFTER_SECONDS),
    );
    response
}

/// Public pages and APIs that only read the directory of help points (GET): open while the update runs.
fn reads_the_directory_only(path: &str) -> bool {
    matches!(
        path,
        "/" | "/inbedden"
            | "/inbedden/code"
            | "/laptop-of-internet"
            | "/toegankelijkheid"
            | "/privacy"
            | "/gegevens"
            | "/api/openapi.json"
            | "/hsds"
    ) || path.starts_with("/hsds/")
        || path.starts_with("/api/v1/help-points")
        || path
            .strip_prefix("/hulppunten/")
            .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::reads_the_directory_only;

    #[test]
    fn only_pages_that_read_the_directory_stay_open() {
        for open in [
            "/",
            "/hulppunten/abc",
            "/hsds/services",
            "/api/v1/help-points/nearest",
            "/gegevens",
        ] {
            assert!(reads_the_directory_only(open), "{open}");
        }
        for closed in [
            "/ik-wil-hulp",
            "/hulppunten/abc/melding",
            "/hulppunten/",
            "/regie",
            "/balie",
            "/api/v1/stats/key-figures",
            "/api/v1/help-questions",
            "/aanmelden",
        ] {
            assert!(!reads_the_directory_only(closed), "{closed}");
        }
    }
}
