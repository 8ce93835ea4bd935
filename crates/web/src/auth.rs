//! Signing in and out, and the extractor that requires a signed-in user.

use crate::AppState;
use crate::context::{
    RequestContext, SESSION_COOKIE, SignedIn, random_token, set_cookie, token_hash,
};
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use keten_core::account::{Email, dummy_password_hash, landing_path, verify_password};
use keten_store::accounts::AttemptKey;
use serde::Deserialize;

/// Failed sign-ins allowed per account, and per client address, in the window.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_IP: i64 = 20;
pub const FAILURE_WINDOW_SECONDS: i64 = 15 * 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/aanmelden", get(sign_in_form).post(sign_in))
        .route("/afmelden", post(sign_out))
        .route("/account", get(account))
}

#[derive(Template, WebTemplate)]
#[template(path = "sign_in.html")]
struct SignInPage {
    shell: Shell,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn sign_in_form(shell: Shell, Query(q): Query<NextQuery>) -> Response {
    if shell.user.is_some() {
        return Redirect::to("/account").into_response();
    }
    SignInPage {
        shell,
        email: String::new(),
        next: q.next.unwrap_or_default(),
        error: None,
    }
    .into_response()
}

#[derive(Debug, Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The page to go to after signing in: `next` when it is a path of this site, else `None`. A browser reads
/// `/\t/evil.example/` as `//evil.example/` (it drops tabs and line breaks) and `/\\evil.example` as
/// `//evil.example`, so any control character, whitespace or backslash refuses `next`, as does anything that
/// does not parse as a path without scheme and host (issue 18).
fn safe_next(next: &str) -> Option<&str> {
    let plain = !next
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    let local = next.starts_with('/') && !next.starts_with("//");
    let parses = next
        .parse::<axum::http::Uri>()
        .is_ok_and(|u| u.scheme().is_none() && u.authority().is_none());
    (plain && local && parses).then_some(next)
}

async fn sign_in(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    shell: Shell,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    let again = |status: StatusCode, message: &str| {
        (
            status,
            SignInPage {
                shell: shell.clone(),
                email: form.email.clone(),
                next: form.next.clone(),
                error: Some(message.to_owned()),
            },
        )
            .into_response()
    };
    let wrong = "Het e-mailadres of het wachtwoord klopt niet.";
    let email_key = form.email.trim().to_lowercase();
    let since = now - FAILURE_WINDOW_SECONDS;
    let store = &state.store;
    if store
        .failed_login_attempts(AttemptKey::Email(&email_key), since)
        .await?
        >= MAX_FAILURES_PER_ACCOUNT
        || store
            .failed_login_attempts(AttemptKey::Ip(&ctx.client_ip), since)
            .await?
            >= MAX_FAILURES_PER_IP
    {
        return Ok(again(
            StatusCode::TOO_MANY_REQUESTS,
            &AppError::RateLimited.detail(),
        ));
    }
    let credentials = match Email::parse(&form.email) {
        Ok(email) => store.credentials(&email).await?,
        Err(_) => None,
    };
    // Verify even when the account is unknown, so timing does not tell which e-mail addresses exist.
    let hash = credentials
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(|| dummy_password_hash().to_owned());
    let password = form.password.clone();
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let user_id = match credentials {
        Some(c) if matches && c.disabled_at.is_none() => c.user_id,
        _ => {
            store
                .record_login_attempt(&email_key, &ctx.client_ip, now, false)
                .await?;
            return Ok(again(StatusCode::UNAUTHORIZED, wrong));
        }
    };
    store
        .record_login_attempt(&email_key, &ctx.client_ip, now, true)
        .await?;

    let token = random_token();
    let max_age = state.config.session_hours * 3600;
    store
        .create_session(
            &token_hash(&token),
            &user_id,
            &random_token(),
            now,
            now + max_age,
        )
        .await?;
    // An explicit safe `next` wins; else each role lands where its work is.
    let landing = match safe_next(&form.next) {
        Some(next) => next.to_owned(),
        None => {
            let roles: Vec<_> = store
                .actor_for_user(&user_id)
                .await?
                .memberships
                .iter()
                .map(|m| m.role)
                .collect();
            landing_path(&roles).to_owned()
        }
    };
    let mut response = Redirect::to(&landing).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            &token,
            Some(max_age),
            state.config.secure_cookies,
        ),
    );
    Ok(response)
}

async fn sign_out(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Response, PageError> {
    if let Some(signed_in) = &ctx.signed_in {
        state.store.delete_session(&signed_in.session_hash).await?;
    }
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies),
    );
    Ok(response)
}

/// A page extractor: the signed-in user, or a redirect to the sign-in page.
pub struct RequireUser(pub SignedIn);

impl<S: Send + Sync> FromRequestParts<S> for RequireUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts
            .extensions
            .get::<RequestContext>()
            .and_then(|c| c.signed_in.clone())
        {
            Some(s) => Ok(RequireUser(s)),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let target = format!(
                    "/aanmelden?{}",
                    serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
                );
                Err(Redirect::to(&target).into_response())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_plain_local_paths_are_followed() {
        for good in ["/balie", "/doorverwijzingen/abc?tab=open", "/hulppunten/x"] {
            assert_eq!(safe_next(good), Some(good));
        }
        for bad in [
            "",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\r\n/evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "evil.example",
            "/ /evil.example",
            "/\u{a0}/evil.example",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
struct AccountPage {
    shell: Shell,
    display_name: String,
    email: String,
    memberships: Vec<(String, &'static str)>,
}

async fn account(shell: Shell, RequireUser(me): RequireUser) -> AccountPage {
    AccountPage {
        shell,
        display_name: me.user.display_name,
        email: me.user.email,
        memberships: me
            .actor
            .memberships
            .iter()
            .map(|m| (m.organisation_name.clone(), m.role.label()))
            .collect(),
    }
}
