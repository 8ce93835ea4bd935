//! The public start page (place search; the full finder comes with the directory) and the about pages.

use crate::AppState;
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use keten_core::geo::{ResolveError, resolve_place};
use keten_core::reference::Country;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/toegankelijkheid", get(accessibility))
        .route("/privacy", get(privacy))
}

#[derive(Debug, Default, Deserialize)]
struct HomeQuery {
    #[serde(default)]
    plaats: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    shell: Shell,
    place: String,
    found: Option<String>,
    error: Option<String>,
    suggestions: Vec<String>,
}

async fn home(shell: Shell, Query(q): Query<HomeQuery>) -> HomePage {
    let place = q.plaats.unwrap_or_default();
    let mut page = HomePage {
        shell,
        place: place.clone(),
        found: None,
        error: None,
        suggestions: Vec::new(),
    };
    if q_is_blank(&place) {
        return page;
    }
    match resolve_place(&place, Country::Nl) {
        Ok(resolved) => {
            page.found = Some(format!(
                "{} (gemeente {})",
                resolved.label, resolved.municipality.name
            ));
        }
        Err(e) => {
            page.error = Some(e.to_string());
            if let ResolveError::NotFound { suggestions, .. } = e {
                page.suggestions = suggestions;
            }
        }
    }
    page
}

fn q_is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

#[derive(Template, WebTemplate)]
#[template(path = "accessibility.html")]
struct AccessibilityPage {
    shell: Shell,
}

async fn accessibility(shell: Shell) -> AccessibilityPage {
    AccessibilityPage { shell }
}

#[derive(Template, WebTemplate)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    shell: Shell,
}

async fn privacy(shell: Shell) -> PrivacyPage {
    PrivacyPage { shell }
}
