//! The JSON API under /api/v1: authentication, the router and its OpenAPI description.

mod accounts;
mod help_questions;
mod organisations;
mod places;

use crate::AppState;
use crate::context::{RequestContext, token_hash};
use crate::error::{ApiError, AppError, FieldProblem, Problem};
use axum::extract::FromRequestParts;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::request::Parts;
use axum::http::{Method, header};
use keten_store::Actor;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "keten API",
        description = "JSON API of keten, the open platform for the local chain approach to digital inclusion. \
                       Errors are RFC 9457 problem documents (application/problem+json).",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2")
    ),
    components(schemas(Problem, FieldProblem)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "accounts", description = "Who am I, users and API tokens"),
        (name = "organisations", description = "Organisations of the chain"),
        (name = "places", description = "Postcodes and place names to points and municipalities"),
        (name = "finder", description = "The public help finder"),
        (name = "help questions", description = "Registering help questions at help points"),
        (name = "referrals", description = "Warm referrals between chain partners, and the routing rules"),
        (name = "stats", description = "Steering figures of help questions, from the rollups"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Per-organisation API token"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("keten_session"))),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(accounts::me))
        .routes(routes!(accounts::list_users, accounts::create_user))
        .routes(routes!(accounts::create_api_token))
        .routes(routes!(accounts::revoke_api_token))
        .routes(routes!(
            organisations::list_organisations,
            organisations::create_organisation
        ))
        .routes(routes!(organisations::get_organisation))
        .routes(routes!(
            crate::webhooks::api::get_webhook,
            crate::webhooks::api::put_webhook,
            crate::webhooks::api::delete_webhook
        ))
        .routes(routes!(places::resolve_place))
        .routes(routes!(
            help_questions::register_help_questions,
            help_questions::list_help_questions
        ))
        .routes(routes!(crate::finder::nearest_help_points))
        .routes(routes!(
            crate::referrals::api::list_referrals,
            crate::referrals::api::create_referral
        ))
        .routes(routes!(crate::referrals::api::get_referral))
        .routes(routes!(crate::referrals::api::act_on_referral))
        .routes(routes!(crate::referrals::api::propose_referral_destination))
        .routes(routes!(crate::referrals::api::referral_statistics))
        .routes(routes!(crate::referrals::api::referral_audit_trail))
        .routes(routes!(crate::referrals::api::erase_referral_contact))
        .routes(routes!(
            crate::referrals::api::list_routing_rules,
            crate::referrals::api::create_routing_rule
        ))
        .routes(routes!(crate::referrals::api::delete_routing_rule))
        .routes(routes!(crate::referrals::reroute::reroute_referral))
        .routes(routes!(
            crate::referrals::settings::get_referral_settings,
            crate::referrals::settings::put_referral_settings
        ))
        .routes(routes!(crate::referrals::settings::put_referrals_full))
        .routes(routes!(crate::referrals::steering::get_referral_overview))
        .routes(routes!(crate::steering::api::get_stats))
        .routes(routes!(crate::steering::api::get_stats_table))
}

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
