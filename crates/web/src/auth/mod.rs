//! Signing in and out (password, then the second factor where needed), and the extractor that requires a
//! signed-in user.

mod second_factor;
pub use second_factor::seal_stored_secrets;

use crate::AppState;
use crate::context::{
    CSRF_COOKIE, RequestContext, SESSION_COOKIE, SignedIn, random_token, set_cookie, token_hash,
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
use keten_store::accounts::{AttemptKey, SessionStage};
use serde::Deserialize;

/// Failed sign-ins allowed per account, and per client address, in the window.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_IP: i64 = 20;
pub const FAILURE_WINDOW_SECONDS: i64 = 15 * 60;
/// While an account is locked, its owner still gets in with password plus second factor; but not after this
/// many failures in the window, so that someone who has the password cannot try codes without end.
pub const MAX_FAILURES_WITH_SECOND_FACTOR: i64 = 3 * MAX_FAILURES_PER_ACCOUNT;
/// A sign-in half done (the code, or setting up a second factor) must be finished within this time.
pub const PENDING_SECONDS: i64 = 15 * 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/aanmelden", get(sign_in_form).post(sign_in))
        .route("/afmelden", post(sign_out))
        .route("/afmelden/overal", post(sign_out_everywhere))
        .route("/account", get(account))
        .merge(second_factor::router())
}

#[derive(Template, WebTemplate)]
#[template(path = "sign_in.html")]
struct SignInPage {
    shell: Shell,
    email: String,
    next: String,
    error: Option<String>,
    /// The account is locked: the form also asks for a code, with which the owner still gets in.
    locked: bool,
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
        locked: false,
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
    /// Only while the account is locked: a code from the app or a recovery code.
    #[serde(default)]
    code: String,
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
    let again = |status: StatusCode, message: &str, locked: bool| {
        (
            status,
            SignInPage {
                shell: shell.clone(),
                email: form.email.clone(),
                next: form.next.clone(),
                error: Some(message.to_owned()),
                locked,
            },
        )
            .into_response()
    };
    let wrong = "Het e-mailadres of het wachtwoord klopt niet.";
    let email_key = form.email.trim().to_lowercase();
    let since = now - FAILURE_WINDOW_SECONDS;
    let store = &state.store;
    if store
        .failed_login_attempts(AttemptKey::Ip(&ctx.client_ip), since)
        .await?
        >= MAX_FAILURES_PER_IP
    {
        return Ok(again(
            StatusCode::TOO_MANY_REQUESTS,
            &AppError::RateLimited.detail(),
            false,
        ));
    }
    let account_failures = store
        .failed_login_attempts(AttemptKey::Email(&email_key), since)
        .await?;
    let locked = account_failures >= MAX_FAILURES_PER_ACCOUNT;
    let locked_message = format!(
        "{} Heeft u een tweede stap ingesteld? Dan komt u er nu wel in met uw wachtwoord en een code uit uw \
         app (of een herstelcode).",
        AppError::RateLimited.detail()
    );
    let locked_message = locked_message.as_str();
    // Locked without a code: refused before the password is even looked at, as before the second factor.
    if locked
        && (form.code.trim().is_empty() || account_failures >= MAX_FAILURES_WITH_SECOND_FACTOR)
    {
        return Ok(again(StatusCode::TOO_MANY_REQUESTS, locked_message, true));
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
        Some(c) if matches && c.disabled_at.is_none() => Some(c.user_id),
        _ => None,
    };
    if locked {
        // The owner's way through a lock: password and second factor together, one answer for any wrong part
        // (so the lock does not become a way to test passwords), and every wrong try counted.
        let through = match &user_id {
            Some(id) => second_factor::verify(&state, id, &form.code, now).await?,
            None => false,
        };
        let Some(user_id) = user_id.filter(|_| through) else {
            store
                .record_login_attempt(&email_key, &ctx.client_ip, now, false)
                .await?;
            return Ok(again(StatusCode::TOO_MANY_REQUESTS, locked_message, true));
        };
        store
            .record_login_attempt(&email_key, &ctx.client_ip, now, true)
            .await?;
        return finish_sign_in(&state, &ctx, &user_id, &form.next).await;
    }
    let Some(user_id) = user_id else {
        store
            .record_login_attempt(&email_key, &ctx.client_ip, now, false)
            .await?;
        return Ok(again(StatusCode::UNAUTHORIZED, wrong, false));
    };
    store
        .record_login_attempt(&email_key, &ctx.client_ip, now, true)
        .await?;

    // The password was right. A confirmed second factor asks for a code next; a role that requires one but has
    // none sets it up first; anyone else is signed in.
    let confirmed = store
        .second_factor(&user_id)
        .await?
        .is_some_and(|f| f.confirmed_at.is_some());
    let roles = roles_of(&state, &user_id).await?;
    let (stage, step) = if confirmed {
        (SessionStage::Code, "/aanmelden/code")
    } else if keten_core::second_factor::required_for(&roles) {
        (SessionStage::Enrol, "/account/tweede-stap")
    } else {
        return finish_sign_in(&state, &ctx, &user_id, &form.next).await;
    };
    let target = match safe_next(&form.next) {
        Some(next) => format!(
            "{step}?{}",
            serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
        ),
        None => step.to_owned(),
    };
    let mut response = Redirect::to(&target).into_response();
    start_session(&state, &ctx, &user_id, stage, &mut response).await?;
    Ok(response)
}

async fn roles_of(
    state: &AppState,
    user_id: &str,
) -> Result<Vec<keten_core::account::Role>, AppError> {
    Ok(state
        .store
        .actor_for_user(user_id)
        .await?
        .memberships
        .iter()
        .map(|m| m.role)
        .collect())
}

/// Starts a new session for `user_id` at `stage` and puts its cookie on `response`. The session the request came
/// with (signed in, half done or stale) ends, and the signed-out CSRF cookie is replaced: nothing from before
/// the sign-in carries over (session fixation).
pub(crate) async fn start_session(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &str,
    stage: SessionStage,
    response: &mut Response,
) -> Result<(), AppError> {
    let now = state.now();
    if let Some(old) = ctx
        .signed_in
        .as_ref()
        .map(|s| s.session_hash.as_str())
        .or(ctx.pending.as_ref().map(|p| p.session_hash.as_str()))
    {
        state.store.delete_session(old).await?;
    }
    let token = random_token();
    let lifetime = match stage {
        SessionStage::Full => state.config.session_hours * 3600,
        SessionStage::Code | SessionStage::Enrol => PENDING_SECONDS,
    };
    state
        .store
        .create_session(
            &token_hash(&token),
            user_id,
            &random_token(),
            stage,
            now,
            now + lifetime,
        )
        .await?;
    let secure = state.config.secure_cookies;
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, Some(lifetime), secure),
    );
    headers.append(
        header::SET_COOKIE,
        set_cookie(CSRF_COOKIE, &random_token(), None, secure),
    );
    Ok(())
}

/// Signs `user_id` in fully (a new session) and sends them on: to a safe `next`, else where their role works.
pub(crate) async fn finish_sign_in(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &str,
    next: &str,
) -> Result<Response, PageError> {
    let landing = match safe_next(next) {
        Some(next) => next.to_owned(),
        None => landing_path(&roles_of(state, user_id).await?).to_owned(),
    };
    let mut response = Redirect::to(&landing).into_response();
    start_session(state, ctx, user_id, SessionStage::Full, &mut response).await?;
    Ok(response)
}

async fn sign_out(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Response, PageError> {
    if let Some(signed_in) = &ctx.signed_in {
        state.store.delete_session(&signed_in.session_hash).await?;
    }
    if let Some(pending) = &ctx.pending {
        state.store.delete_session(&pending.session_hash).await?;
    }
    Ok(signed_out(&state))
}

/// Home, with the session cookie cleared.
fn signed_out(state: &AppState) -> Response {
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies),
    );
    response
}

/// Ends every session of the signed-in user, on every device (a lost phone, a shared computer).
async fn sign_out_everywhere(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
) -> Result<Response, PageError> {
    state.store.delete_sessions_of(&me.user.id).await?;
    Ok(signed_out(&state))
}

/// A page extractor: the signed-in user, or a redirect to the sign-in page.
pub struct RequireUser(pub SignedIn);

impl<S: Send + Sync> FromRequestParts<S> for RequireUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ctx = parts.extensions.get::<RequestContext>();
        if let Some(pending) = ctx.and_then(|c| c.pending.as_ref()) {
            // Halfway through signing in: nothing but the next step.
            let step = match pending.stage {
                SessionStage::Enrol => "/account/tweede-stap",
                _ => "/aanmelden/code",
            };
            return Err(Redirect::to(step).into_response());
        }
        match ctx.and_then(|c| c.signed_in.clone()) {
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
    /// A second factor is set up and confirmed.
    second_factor: bool,
}

async fn account(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
) -> Result<AccountPage, PageError> {
    let second_factor = state
        .store
        .second_factor(&me.user.id)
        .await?
        .is_some_and(|f| f.confirmed_at.is_some());
    Ok(AccountPage {
        shell,
        second_factor,
        display_name: me.user.display_name,
        email: me.user.email,
        memberships: me
            .actor
            .memberships
            .iter()
            .map(|m| (m.organisation_name.clone(), m.role.label()))
            .collect(),
    })
}
