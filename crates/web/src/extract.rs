//! Extractors every JSON API handler shares: who calls (`ApiActor`), and query and body parsing that answers with a problem document.

use crate::AppState;
use crate::context::{RequestContext, token_hash};
use crate::error::{ApiError, AppError};
use axum::extract::FromRequestParts;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::request::Parts;
use axum::http::{Method, header};
use keten_store::Actor;

/// Who calls the API: an organisation's API token (`Authorization: Bearer`)
/// or a signed-in browser session.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let token = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or(AppError::Unauthorized)?;
            return match state
                .store
                .actor_for_api_token(&token_hash(token.trim()))
                .await?
            {
                Some(actor) => Ok(ApiActor(actor)),
                None => Err(AppError::Unauthorized.into()),
            };
        }
        let signed_in = parts
            .extensions
            .get::<RequestContext>()
            .and_then(|c| c.signed_in.clone())
            .ok_or(AppError::Unauthorized)?;
        // A cookie rides along on cross-site requests, but a cross-site page
        // cannot send a JSON content type without a CORS preflight, which
        // keten never grants: that is the API's CSRF defence.
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        let is_json = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if unsafe_method && !is_json && parts.method != Method::DELETE {
            return Err(AppError::BadRequest(
                "Stuur gegevens als JSON (Content-Type: application/json).".into(),
            )
            .into());
        }
        Ok(ApiActor(signed_in.actor))
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        AppError::BadRequest(format!("De JSON klopt niet: {}", rejection.body_text()))
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::BadRequest(query_problem(&rejection.body_text()))
    }
}

/// A Dutch sentence for serde's English complaint about a query string.
fn query_problem(text: &str) -> String {
    match text
        .split_once("missing field `")
        .and_then(|(_, rest)| rest.split_once('`'))
    {
        Some((field, _)) => format!("De parameter {field} ontbreekt in het adres."),
        None => {
            let detail = text
                .strip_prefix("Failed to deserialize query string: ")
                .unwrap_or(text);
            format!("Een parameter in het adres heeft een waarde die niet kan ({detail}).")
        }
    }
}

/// `axum::extract::Query`, but missing or malformed parameters become a problem document.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `axum::Json`, but a malformed body becomes a problem document.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

#[cfg(test)]
mod query_tests {
    use super::query_problem;

    #[test]
    fn query_problems_are_dutch_and_name_the_parameter() {
        assert_eq!(
            query_problem("Failed to deserialize query string: missing field `municipality`"),
            "De parameter municipality ontbreekt in het adres."
        );
        assert!(
            query_problem("Failed to deserialize query string: invalid digit found in string")
                .starts_with("Een parameter in het adres heeft een waarde die niet kan")
        );
    }
}
