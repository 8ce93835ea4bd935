//! The web layer's one error type, shown as a Dutch page or as an RFC 9457 problem document.

use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use keten_core::ValidationError;
use keten_store::StoreError;
use serde::Serialize;

/// Why a request failed. Messages are Dutch: they are shown to people.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("niet gevonden")]
    NotFound,
    /// A place or postcode keten does not know, with names it does know.
    #[error("{detail}")]
    UnknownPlace {
        detail: String,
        suggestions: Vec<String>,
    },
    #[error("u moet inloggen")]
    Unauthorized,
    #[error("geen toegang")]
    Forbidden,
    #[error("ongeldige invoer")]
    Validation(Vec<ValidationError>),
    #[error("{0}")]
    Conflict(String),
    #[error("te veel pogingen")]
    RateLimited,
    #[error("{0}")]
    BadRequest(String),
    #[error("interne fout: {0}")]
    Internal(String),
    /// keten finishes an update in the background (`updating`): come back in a few minutes.
    #[error("keten wordt bijgewerkt")]
    Updating,
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Invalid(errors) => AppError::Validation(errors),
            StoreError::Conflict(what) => AppError::Conflict(conflict_message(&what)),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        AppError::Validation(vec![e])
    }
}

impl AppError {
    /// A place that could not be resolved: empty input is a validation
    /// problem on `field`, an unknown place a 404 with suggestions.
    pub fn from_place(field: &'static str, e: keten_core::geo::ResolveError) -> Self {
        let detail = e.to_string();
        match e {
            keten_core::geo::ResolveError::Empty => {
                AppError::Validation(vec![ValidationError::new(field, detail)])
            }
            keten_core::geo::ResolveError::NotFound { suggestions, .. } => AppError::UnknownPlace {
                detail,
                suggestions,
            },
        }
    }
}

/// Dutch text for a named constraint that refused a change.
fn conflict_message(constraint: &str) -> String {
    if constraint.contains("email") {
        "Er is al een account met dit e-mailadres.".into()
    } else {
        "Dit bestaat al.".into()
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::UnknownPlace { .. } => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Updating => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// A short Dutch explanation for people.
    pub fn detail(&self) -> String {
        match self {
            AppError::NotFound => "Deze pagina bestaat niet, of u mag hem niet zien.".into(),
            AppError::Unauthorized => "Log eerst in.".into(),
            AppError::Forbidden => "U heeft geen toegang tot deze pagina.".into(),
            AppError::Validation(errors) => errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            AppError::Conflict(msg) | AppError::BadRequest(msg) => msg.clone(),
            AppError::UnknownPlace { detail, .. } => detail.clone(),
            AppError::RateLimited => {
                "Te veel mislukte pogingen. Wacht 15 minuten en probeer het dan opnieuw.".into()
            }
            AppError::Internal(_) => "Er ging iets mis bij ons. Probeer het later opnieuw.".into(),
            AppError::Updating => {
                "keten wordt bijgewerkt. Over een paar minuten kunt u verder. Probeer het dan opnieuw.".into()
            }
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            AppError::NotFound => "not-found",
            AppError::UnknownPlace { .. } => "unknown-place",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::Validation(_) => "validation",
            AppError::Conflict(_) => "conflict",
            AppError::RateLimited => "rate-limited",
            AppError::BadRequest(_) => "bad-request",
            AppError::Internal(_) => "internal",
            AppError::Updating => "updating",
        }
    }

    fn log(&self) {
        if let AppError::Internal(cause) = self {
            // The cause goes to the log, never to the user.
            tracing::error!(%cause, "request failed");
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// URI identifying the kind of problem (`urn:keten:problem:<slug>`).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Per-field messages, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// Known places that look like what was asked, for unknown places.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// `AppError` as the JSON API answers it.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let status = e.status();
        let problem = Problem {
            kind: format!("urn:keten:problem:{}", e.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: e.detail(),
            errors: match &e {
                AppError::Validation(errors) => errors
                    .iter()
                    .map(|v| FieldProblem {
                        field: v.field.to_owned(),
                        message: v.message.clone(),
                    })
                    .collect(),
                _ => Vec::new(),
            },
            suggestions: match &e {
                AppError::UnknownPlace { suggestions, .. } => suggestions.clone(),
                _ => Vec::new(),
            },
        };
        let mut response = (status, Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub shell: Shell,
    pub heading: String,
    pub detail: String,
}

/// `AppError` as a page. The response carries only the error; the request
/// context middleware renders it inside the shell (it knows who is signed in),
/// so that handlers can use `?` without building a shell first.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

/// Left in a response's extensions for the middleware to render.
#[derive(Debug, Clone)]
pub(crate) struct PendingErrorPage {
    pub heading: &'static str,
    pub detail: String,
    /// For errors with a fixed text: the catalogue's `error-KEY-heading` and `error-KEY`
    /// word it for residents in their language.
    pub key: Option<&'static str>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        if matches!(e, AppError::Unauthorized) {
            return axum::response::Redirect::to("/aanmelden").into_response();
        }
        let heading = match e {
            AppError::NotFound | AppError::UnknownPlace { .. } => "Pagina niet gevonden",
            AppError::Forbidden => "Geen toegang",
            AppError::RateLimited => "Even wachten",
            AppError::Internal(_) => "Er ging iets mis",
            AppError::Updating => "Even geduld",
            _ => "Dat lukte niet",
        };
        let mut response = e.status().into_response();
        let key = match e {
            AppError::NotFound => Some("not-found"),
            AppError::Forbidden => Some("forbidden"),
            AppError::RateLimited => Some("rate-limited"),
            AppError::Internal(_) => Some("internal"),
            AppError::Updating => Some("updating"),
            _ => None,
        };
        response.extensions_mut().insert(PendingErrorPage {
            heading,
            detail: e.detail(),
            key,
        });
        response
    }
}

/// Answer for routes nobody defined.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    answer_for(uri.path(), AppError::NotFound)
}

/// An error outside any handler: a problem document under the APIs, a page everywhere else.
pub(crate) fn answer_for(path: &str, e: AppError) -> Response {
    if path.starts_with("/api/") || path.starts_with("/hsds") {
        ApiError(e).into_response()
    } else {
        PageError(e).into_response()
    }
}

/// Says in the OpenAPI document that every operation may answer a problem document: a `default`
/// response (any status not listed) of type `application/problem+json`, so that clients and
/// schema checkers know the shape of errors without each handler listing every status; and
/// the error responses handlers list with `body = Problem` get the media type keten really
/// sends (utoipa writes `application/json` for every body).
pub(crate) fn document_problem_responses(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::response::ResponseBuilder;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr};
    let problem = ResponseBuilder::new()
        .description(
            "An RFC 9457 problem document: what went wrong, in Dutch, per field where it applies",
        )
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build();
    for item in openapi.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            for response in operation.responses.responses.values_mut() {
                if let RefOr::T(response) = response
                    && let Some(index) = response.content.get_index_of("application/json")
                    && matches!(
                        response.content.get("application/json"),
                        Some(RefOr::T(c)) if matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"))
                    )
                    && let Some((_, content)) = response.content.shift_remove_index(index)
                {
                    response
                        .content
                        .insert("application/problem+json".into(), content);
                }
            }
            operation
                .responses
                .responses
                .entry("default".into())
                .or_insert_with(|| RefOr::T(problem.clone()));
        }
    }
}
