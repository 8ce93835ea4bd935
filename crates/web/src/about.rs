//! The about pages: accessibility and privacy statements.

use crate::AppState;
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/toegankelijkheid", get(accessibility))
        .route("/privacy", get(privacy))
}

#[derive(Template, WebTemplate)]
#[template(path = "accessibility.html")]
struct AccessibilityPage {
    shell: Shell,
}

async fn accessibility(shell: Shell) -> AccessibilityPage {
    AccessibilityPage {
        shell: shell.public(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    shell: Shell,
    /// Days after closure that a referral's contact data is kept, unless the municipality chose otherwise.
    retention_days: i64,
}

async fn privacy(shell: Shell) -> PrivacyPage {
    PrivacyPage {
        shell: shell.public(),
        retention_days: keten_store::routing_rules::DEFAULT_RETENTION_DAYS,
    }
}
