//! Security headers and the request log line: layers applied to every response.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, Response, header};
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnRequest, TraceLayer};
use tracing::Span;

fn set(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Wraps the router in the security headers (each says why) and the request log.
pub fn wrap(router: Router) -> Router {
    router
        // No guessing of content types: a user-supplied text can never run as script.
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Only our own scripts, styles and images (map tiles are https images).
        // frame-ancestors: pages cannot be framed for clickjacking (embeds opt out per route).
        .layer(set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data: https:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ))
        // Full URLs (which may hold a postcode) never leak to other sites.
        .layer(set(header::REFERRER_POLICY, "same-origin"))
        // Pages with personal data must not linger in shared computers' caches.
        .layer(set(header::CACHE_CONTROL, "no-store"))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<axum::body::Body>| {
                    // The path only: query strings may hold what people typed.
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
                })
                .on_request(DefaultOnRequest::new().level(tracing::Level::DEBUG))
                .on_response(|res: &Response<axum::body::Body>, latency: Duration, _: &Span| {
                    // One line per request with status and duration.
                    tracing::info!(
                        status = res.status().as_u16(),
                        duration_ms = latency.as_secs_f64() * 1000.0,
                        "response"
                    );
                }),
        )
}
