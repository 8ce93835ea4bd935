//! Static files: keten's own CSS compiled into the binary, npm packages served from node_modules when present.

use crate::AppState;
use axum::Router;
use axum::http::header;
use axum::routing::get;
use std::path::Path;
use tower_http::services::ServeDir;

const KETEN_CSS: &str = include_str!("../static/keten.css");
const KETEN_MAP_JS: &str = include_str!("../static/keten-map.js");

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
        // Leaflet and friends come from npm (package.json); without them the
        // pages still work, these URLs then answer 404.
        .nest_service("/static/vendor", ServeDir::new(assets_dir))
}
