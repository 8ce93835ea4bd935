//! The about pages: accessibility and privacy statements, and the page about keten's data for other systems.

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
        .route("/gegevens", get(open_data))
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

/// One operation of the API as the data page lists it without JavaScript.
pub struct ApiOperation {
    pub method: &'static str,
    pub path: String,
    /// The operation's summary from the OpenAPI document (English, as the code documents it).
    pub summary: String,
}

/// The operations of the OpenAPI document in path order, read once.
static API_OPERATIONS: std::sync::LazyLock<Vec<ApiOperation>> = std::sync::LazyLock::new(|| {
    let (_, mut openapi) = crate::api::router().split_for_parts();
    crate::hsds::document(&mut openapi);
    let mut out = Vec::new();
    for (path, item) in &openapi.paths.paths {
        let operations = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, operation) in operations {
            if let Some(op) = operation {
                out.push(ApiOperation {
                    method,
                    path: path.clone(),
                    summary: op
                        .summary
                        .clone()
                        .or_else(|| op.description.clone())
                        .unwrap_or_default(),
                });
            }
        }
    }
    out
});

#[derive(Template, WebTemplate)]
#[template(path = "open_data.html")]
struct OpenDataPage {
    shell: Shell,
    operations: &'static [ApiOperation],
}

/// "Gegevens voor websites en systemen": the API, HSDS and the downloads in plain words, the OpenAPI document as a
/// list (without JavaScript) and in a documentation viewer from npm (with it).
async fn open_data(shell: Shell) -> OpenDataPage {
    OpenDataPage {
        shell: shell.public(),
        operations: API_OPERATIONS.as_slice(),
    }
}
