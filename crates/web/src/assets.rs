//! Static files: keten's own CSS compiled into the binary, npm packages served from node_modules when present.

use crate::AppState;
use axum::Router;
use axum::http::header;
use axum::routing::get;
use std::path::Path;
use tower_http::services::ServeDir;

const KETEN_CSS: &str = include_str!("../static/keten.css");
const KETEN_MAP_JS: &str = include_str!("../static/keten-map.js");
const KETEN_FINDER_JS: &str = include_str!("../static/keten-finder.js");
const KETEN_API_DOCS_JS: &str = include_str!("../static/keten-api-docs.js");
/// keten's own pictogram (two chain links), drawn for keten.
const FAVICON_SVG: &str = include_str!("../static/favicon.svg");
/// The same pictogram at 32 x 32 pixels for browsers that ask for `/favicon.ico` whatever the page says.
const FAVICON_ICO: &[u8] = include_bytes!("../static/favicon.ico");

/// A file compiled into the binary, cached for an hour (a new version of keten reaches browsers the same day).
fn compiled_in(
    content_type: &'static str,
    body: &'static [u8],
) -> axum::routing::MethodRouter<AppState> {
    get(move || async move {
        (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            body,
        )
    })
}

pub fn router(assets_dir: &Path) -> Router<AppState> {
    Router::new()
        .route(
            "/static/keten.css",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                        (header::CACHE_CONTROL, "public, max-age=3600"),
                    ],
                    KETEN_CSS,
                )
            }),
        )
        .route(
            "/static/keten-map.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, "public, max-age=3600"),
                    ],
                    KETEN_MAP_JS,
                )
            }),
        )
        .route(
            "/static/keten-finder.js",
            compiled_in("text/javascript; charset=utf-8", KETEN_FINDER_JS.as_bytes()),
        )
        .route(
            "/static/keten-api-docs.js",
            compiled_in(
                "text/javascript; charset=utf-8",
                KETEN_API_DOCS_JS.as_bytes(),
            ),
        )
        .route(
            "/static/favicon.svg",
            compiled_in("image/svg+xml", FAVICON_SVG.as_bytes()),
        )
        .route("/favicon.ico", compiled_in("image/x-icon", FAVICON_ICO))
        // Leaflet and friends come from npm (package.json); without them the
        // pages still work, these URLs then answer 404.
        .nest_service("/static/vendor", ServeDir::new(assets_dir))
}

#[cfg(test)]
mod tests {
    /// An unclosed rule makes browsers drop every rule after it; a merge once
    /// lost a `}` and the embed-code page scrolled sideways on phones.
    #[test]
    fn stylesheet_braces_balance() {
        let mut depth = 0i32;
        for (n, line) in super::KETEN_CSS.lines().enumerate() {
            let top_level_rule =
                !line.starts_with([' ', '}', '/', '@', '\t']) && !line.trim().is_empty();
            assert!(
                depth == 0 || !top_level_rule || line.starts_with(' '),
                "line {} starts a rule inside an unclosed block: {line}",
                n + 1
            );
            depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
            assert!(depth >= 0, "line {}: too many closing braces", n + 1);
        }
        assert_eq!(depth, 0, "unclosed block at the end");
    }
}
