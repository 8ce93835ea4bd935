//! The second factor: the code step of signing in, setting up an authenticator app, and recovery codes.

use super::{
    FAILURE_WINDOW_SECONDS, MAX_FAILURES_PER_ACCOUNT, RequireUser, finish_sign_in, safe_next,
};
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use keten_core::second_factor::{
    TotpSecret, generate_recovery_codes, hash_recovery_code, is_one_time_code,
    matching_recovery_code,
};
use keten_store::accounts::{AttemptKey, SessionStage, User};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/aanmelden/code", get(code_form).post(code_submit))
        .route("/account/tweede-stap", get(enrol_form).post(enrol_confirm))
        .route(
            "/account/tweede-stap/herstelcodes",
            post(new_recovery_codes),
        )
}

/// A stored secret opened with the installation's key; a legacy plain secret (stored before sealing existed)
/// also opens.
fn open_secret(state: &AppState, user_id: &str, stored: &str) -> Option<TotpSecret> {
    match &state.config.second_factor_key {
        Some(key) => key.open(user_id, stored),
        None => TotpSecret::from_base32(stored),
    }
}

/// The form a new secret is stored in: sealed for this user when the installation has a key.
fn stored_secret(state: &AppState, user_id: &str, secret: &TotpSecret) -> String {
    match &state.config.second_factor_key {
        Some(key) => key.seal(user_id, secret),
        None => secret.as_base32().to_owned(),
    }
}

/// Seals every secret still stored in plain text (from before sealing existed, or loaded by the demo), at
/// start-up. Returns how many were sealed.
pub async fn seal_stored_secrets(
    store: &keten_store::Store,
    key: &keten_core::second_factor::SealingKey,
) -> Result<usize, keten_store::StoreError> {
    let mut sealed = 0;
    for (user_id, stored) in store.second_factor_secrets().await? {
        if keten_core::second_factor::is_sealed(&stored) {
            continue;
        }
        let Some(secret) = TotpSecret::from_base32(&stored) else {
            continue;
        };
        if store
            .reseal_second_factor(&user_id, &stored, &key.seal(&user_id, &secret))
            .await?
        {
            sealed += 1;
        }
    }
    Ok(sealed)
}

/// True when `input` is a valid code of the user's confirmed second factor: a one-time code not used before, or
/// an unused recovery code (used up by this call). Codes are never logged.
pub(crate) async fn verify(
    state: &AppState,
    user_id: &str,
    input: &str,
    now: i64,
) -> Result<bool, AppError> {
    let Some(factor) = state.store.second_factor(user_id).await? else {
        return Ok(false);
    };
    if factor.confirmed_at.is_none() {
        return Ok(false);
    }
    if is_one_time_code(input) {
        let Some(secret) = open_secret(state, user_id, &factor.secret) else {
            tracing::warn!(
                "a confirmed second factor could not be opened: is the second-factor key the one it was sealed with?"
            );
            return Ok(false);
        };
        let Some(step) = secret.check(input, now) else {
            return Ok(false);
        };
        return Ok(state.store.accept_second_factor_step(user_id, step).await?);
    }
    let codes = state.store.unused_recovery_codes(user_id).await?;
    let hashes: Vec<String> = codes.iter().map(|c| c.code_hash.clone()).collect();
    let typed = input.to_owned();
    let found = tokio::task::spawn_blocking(move || matching_recovery_code(&typed, &hashes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match found.and_then(|i| codes.get(i)) {
        Some(code) => Ok(state.store.use_recovery_code(&code.id, now).await?),
        None => Ok(false),
    }
}

#[derive(Debug, Default, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "second_factor_code.html")]
struct CodePage {
    shell: Shell,
    next: String,
    error: Option<String>,
}

/// The user halfway through signing in at the code step, if that is where this request is.
fn at_code_step(ctx: &RequestContext) -> Option<&crate::context::Pending> {
    ctx.pending
        .as_ref()
        .filter(|p| p.stage == SessionStage::Code)
}

async fn code_form(
    Extension(ctx): Extension<RequestContext>,
    shell: Shell,
    Query(q): Query<NextQuery>,
) -> Response {
    if at_code_step(&ctx).is_none() {
        return Redirect::to("/aanmelden").into_response();
    }
    CodePage {
        shell,
        next: q.next.unwrap_or_default(),
        error: None,
    }
    .into_response()
}

#[derive(Debug, Default, Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

async fn code_submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    shell: Shell,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let Some(pending) = at_code_step(&ctx) else {
        return Ok(Redirect::to("/aanmelden").into_response());
    };
    let now = state.now();
    let user = &pending.user;
    if verify(&state, &user.id, &form.code, now).await? {
        return finish_sign_in(&state, &ctx, &user.id, &form.next).await;
    }
    // A wrong code counts as a failed sign-in of the account: five end this attempt and lock the account, as
    // five wrong passwords do.
    let store = &state.store;
    store
        .record_login_attempt(&user.email, &ctx.client_ip, now, false)
        .await?;
    let failures = store
        .failed_login_attempts(AttemptKey::Email(&user.email), now - FAILURE_WINDOW_SECONDS)
        .await?;
    if failures >= MAX_FAILURES_PER_ACCOUNT {
        store.delete_session(&pending.session_hash).await?;
        return Ok(Redirect::to("/aanmelden").into_response());
    }
    Ok((
        StatusCode::UNAUTHORIZED,
        CodePage {
            shell,
            next: form.next,
            error: Some(
                "Deze code klopt niet of is al gebruikt. Vul de code in die uw app nu laat zien, of een \
                 herstelcode."
                    .into(),
            ),
        },
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "second_factor.html")]
struct EnrolPage {
    shell: Shell,
    /// Setting up (a secret to scan) or already set up (the recovery codes).
    secret: Option<Enrolment>,
    /// A confirmed factor: how many recovery codes are left.
    recovery_left: usize,
    /// A sign-in waits for this set-up: the page says so.
    required: bool,
    next: String,
    error: Option<String>,
}

struct Enrolment {
    grouped: String,
    /// Markup made by the `qrcode` crate from our own `otpauth://` address: squares only, no text of anyone's.
    qr_svg: String,
}

/// Who may see the set-up page: a signed-in user, or one whose sign-in waits for it.
enum Enroller<'a> {
    SignedIn(&'a User),
    Required(&'a User),
}

impl<'a> Enroller<'a> {
    fn of(ctx: &'a RequestContext) -> Option<Self> {
        if let Some(s) = &ctx.signed_in {
            return Some(Enroller::SignedIn(&s.user));
        }
        ctx.pending
            .as_ref()
            .filter(|p| p.stage == SessionStage::Enrol)
            .map(|p| Enroller::Required(&p.user))
    }
    fn user(&self) -> &'a User {
        match self {
            Enroller::SignedIn(u) | Enroller::Required(u) => u,
        }
    }
}

fn qr_svg(url: &str) -> Result<String, AppError> {
    let code =
        qrcode::QrCode::new(url.as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    // Inline in the page: the XML declaration has no place inside HTML.
    Ok(svg
        .split_once("?>")
        .map(|(_, rest)| rest.to_owned())
        .unwrap_or(svg))
}

async fn enrol_view(
    state: &AppState,
    shell: Shell,
    enroller: &Enroller<'_>,
    next: String,
) -> Result<EnrolPage, AppError> {
    let user = enroller.user();
    let factor = state.store.second_factor(&user.id).await?;
    let required = matches!(enroller, Enroller::Required(_));
    if factor.as_ref().is_some_and(|f| f.confirmed_at.is_some()) {
        return Ok(EnrolPage {
            shell,
            secret: None,
            recovery_left: state.store.unused_recovery_codes(&user.id).await?.len(),
            required,
            next,
            error: None,
        });
    }
    // Keep a secret already shown (a reload must not undo what the app scanned); else make one.
    let secret = match factor.and_then(|f| open_secret(state, &user.id, &f.secret)) {
        Some(s) => s,
        None => {
            let fresh = TotpSecret::generate();
            state
                .store
                .start_second_factor(
                    &user.id,
                    &stored_secret(state, &user.id, &fresh),
                    state.now(),
                )
                .await?;
            fresh
        }
    };
    let url = secret
        .otpauth_url(&user.email)
        .ok_or_else(|| AppError::Internal("otpauth address".into()))?;
    Ok(EnrolPage {
        shell,
        secret: Some(Enrolment {
            grouped: secret.grouped(),
            qr_svg: qr_svg(&url)?,
        }),
        recovery_left: 0,
        required,
        next,
        error: None,
    })
}

async fn enrol_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    shell: Shell,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    let Some(enroller) = Enroller::of(&ctx) else {
        return Ok(Redirect::to("/aanmelden?next=%2Faccount%2Ftweede-stap").into_response());
    };
    Ok(
        enrol_view(&state, shell, &enroller, q.next.unwrap_or_default())
            .await?
            .into_response(),
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "second_factor_recovery.html")]
struct RecoveryPage {
    shell: Shell,
    codes: Vec<String>,
    /// Where "Verder" goes.
    onward: String,
}

/// Ten new recovery codes with their hashes (argon2 on the blocking pool: ten hashes take a moment).
async fn fresh_recovery_codes() -> Result<(Vec<String>, Vec<String>), AppError> {
    tokio::task::spawn_blocking(|| {
        let codes = generate_recovery_codes();
        let hashes = codes
            .iter()
            .map(|c| hash_recovery_code(c))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok((codes, hashes))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

async fn enrol_confirm(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    shell: Shell,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let Some(enroller) = Enroller::of(&ctx) else {
        return Ok(Redirect::to("/aanmelden").into_response());
    };
    let user = enroller.user();
    let now = state.now();
    let step = state
        .store
        .second_factor(&user.id)
        .await?
        .filter(|f| f.confirmed_at.is_none())
        .and_then(|f| open_secret(&state, &user.id, &f.secret))
        .and_then(|s| s.check(&form.code, now));
    let Some(step) = step else {
        let mut page = enrol_view(&state, shell, &enroller, form.next).await?;
        if page.secret.is_none() {
            // Already set up (a second tab): the page says so.
            return Ok(Redirect::to("/account/tweede-stap").into_response());
        }
        page.error = Some(
            "Deze code klopt niet. Vul de zes cijfers in die uw app nu laat zien voor keten."
                .into(),
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let (codes, hashes) = fresh_recovery_codes().await?;
    state
        .store
        .confirm_second_factor(&user.id, step, &hashes, now)
        .await?;
    let page = |onward: String| RecoveryPage {
        shell: shell.clone(),
        codes: codes.clone(),
        onward,
    };
    match enroller {
        Enroller::SignedIn(_) => Ok(page("/account".into()).into_response()),
        Enroller::Required(_) => {
            // Set up during sign-in: the sign-in is now complete, in a new session.
            let signed_in = finish_sign_in(&state, &ctx, &user.id, &form.next).await?;
            let onward = signed_in
                .headers()
                .get(axum::http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| safe_next(l).map(str::to_owned))
                .unwrap_or_else(|| "/account".into());
            let mut response = page(onward).into_response();
            for cookie in signed_in.headers().get_all(axum::http::header::SET_COOKIE) {
                response
                    .headers_mut()
                    .append(axum::http::header::SET_COOKIE, cookie.clone());
            }
            Ok(response)
        }
    }
}

async fn new_recovery_codes(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
) -> Result<Response, PageError> {
    let (codes, hashes) = fresh_recovery_codes().await?;
    state
        .store
        .replace_recovery_codes(&me.user.id, &hashes, state.now())
        .await
        .map_err(AppError::from)?;
    Ok(RecoveryPage {
        shell,
        codes,
        onward: "/account".into(),
    }
    .into_response())
}
