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

/// The origin of a map tile URL template for the content security policy: `http://tiles.example:8080` of
/// `http://tiles.example:8080/{z}/{x}/{y}.png`, with a `{s}` subdomain placeholder as the wildcard `*.`.
/// `None` for anything that is not a plain http(s) host, so that a bad setting cannot widen the policy.
pub(crate) fn tile_origin(template: &str) -> Option<String> {
    let (scheme, rest) = template.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    let host = match host.strip_prefix("{s}.") {
        Some(rest) => format!("*.{rest}"),
        None => host.to_owned(),
    };
    let bare = host.strip_prefix("*.").unwrap_or(&host);
    let valid = !bare.is_empty()
        && bare
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    valid.then(|| format!("{scheme}://{host}"))
}

/// The content security policy: only our own scripts and styles; images of our own, `data:` and the configured
/// map tile server's origin only (which may be plain http on an internal network), so an injected image cannot
/// carry data to any other site (issue 18). `frame_ancestors` is `'none'` for every page but the embeddable finder.
pub(crate) fn content_security_policy(map_tiles: &str, frame_ancestors: &str) -> String {
    let tiles = tile_origin(map_tiles)
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; img-src 'self' data:{tiles}; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

/// Wraps the router in the security headers (each says why) and the request log.
pub fn wrap(router: Router, map_tiles: &str) -> Router {
    let csp = HeaderValue::from_str(&content_security_policy(map_tiles, "'none'")).unwrap_or(
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    router
        // No guessing of content types: a user-supplied text can never run as script.
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Only our own scripts, styles and images (and the configured map tile server's).
        // frame-ancestors: pages cannot be framed for clickjacking (embeds opt out per route).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            csp,
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
                .on_response(
                    |res: &Response<axum::body::Body>, latency: Duration, _: &Span| {
                        // One line per request with status and duration.
                        tracing::info!(
                            status = res.status().as_u16(),
                            duration_ms = latency.as_secs_f64() * 1000.0,
                            "response"
                        );
                    },
                ),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tile_servers_origin_is_allowed() {
        assert_eq!(
            tile_origin("http://tiles.gemeente.local:8080/{z}/{x}/{y}.png").as_deref(),
            Some("http://tiles.gemeente.local:8080")
        );
        assert_eq!(
            tile_origin("http://{s}.tile.example.org/{z}/{x}/{y}.png").as_deref(),
            Some("http://*.tile.example.org")
        );
        assert_eq!(tile_origin("javascript:alert(1)"), None);
        assert_eq!(tile_origin("http://evil.example; script-src *"), None);
        assert_eq!(tile_origin("ftp://x/{z}"), None);
        let csp = content_security_policy("http://tiles.local/{z}/{x}/{y}.png", "'none'");
        assert!(
            csp.contains("img-src 'self' data: http://tiles.local;"),
            "{csp}"
        );
        let csp = content_security_policy("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "*");
        assert!(
            csp.contains("img-src 'self' data: https://tile.openstreetmap.org;")
                && csp.ends_with("frame-ancestors *"),
            "{csp}"
        );
        let csp = content_security_policy("javascript:alert(1)", "'none'");
        assert!(csp.contains("img-src 'self' data:;"), "{csp}");
    }
}
