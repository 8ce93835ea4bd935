//! Per-request context: who is signed in, the CSRF token, the client address;
//! and the CSRF check for every form post. One middleware, one place to audit.

use crate::AppState;
use crate::error::{ErrorPage, PendingErrorPage};
use crate::i18n::{self, Lang};
use crate::shell::Shell;
use askama::Template;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use keten_store::Actor;
use keten_store::accounts::{SessionStage, User};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "keten_session";
pub const CSRF_COOKIE: &str = "keten_csrf";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in user and what they may see.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub actor: Actor,
    pub session_hash: String,
}

/// A sign-in half done: the password was right, the second factor (or setting one up) is next. Such a session
/// reaches the sign-in steps only; everywhere else it counts as signed out.
#[derive(Debug, Clone)]
pub struct Pending {
    pub user: User,
    pub stage: SessionStage,
    pub session_hash: String,
}

#[derive(Debug, Clone)]
pub struct RequestContext {
    pub signed_in: Option<SignedIn>,
    pub pending: Option<Pending>,
    /// The token forms must echo: the session's when signed in, else the
    /// anonymous CSRF cookie's (double submit).
    pub csrf_token: String,
    pub client_ip: String,
    /// The reader's language for public pages: `?lang=`, else the cookie, else `Accept-Language`, else Dutch.
    pub lang: Lang,
    /// The language chosen in the address itself.
    pub lang_param: Option<Lang>,
    /// Path and query of the request, for the language switch.
    pub page_path: String,
}

/// The reader's language and whether the address chose it.
fn reader_language(req: &Request) -> (Lang, Option<Lang>) {
    let from_param = req.uri().query().and_then(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == i18n::PARAM)
            .and_then(|(_, v)| Lang::from_code(&v))
    });
    let lang = from_param
        .or_else(|| cookie(req.headers(), i18n::COOKIE).and_then(|c| Lang::from_code(&c)))
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_else(Lang::dutch);
    (lang, from_param)
}

/// Residents' pages, whose error pages follow the reader's language.
fn is_public_path(path: &str) -> bool {
    path == "/"
        || path.starts_with("/hulppunten/")
        || path.starts_with("/inbedden")
        || path.starts_with("/ik-wil-hulp")
        || path == "/laptop-of-internet"
        || path == "/toegankelijkheid"
        || path == "/privacy"
}

/// Random 32 bytes as hex: session tokens, CSRF tokens, API tokens.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

/// Tokens are stored hashed; SHA-256 suffices because they are long and random.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value: never readable by scripts, sent on top-level
/// navigation only (Lax), and over https only when keten is served so.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        s.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        s.push_str("; Secure");
    }
    HeaderValue::from_str(&s).unwrap_or(HeaderValue::from_static(""))
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn client_ip(req: &Request, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        // The proxy appends the address it saw; the last entry is the one we trust.
        if let Some(ip) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
        {
            return ip.trim().to_owned();
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The session a request carries: signed in, or a sign-in half done; with its CSRF token.
enum Carried {
    SignedIn(SignedIn),
    Pending(Pending),
}

/// How often a session's "last seen" is written: once a minute is precise enough for an idle expiry in minutes
/// and spares a write per request.
const TOUCH_EVERY_SECONDS: i64 = 60;

async fn carried_session(state: &AppState, headers: &HeaderMap) -> Option<(Carried, String)> {
    let token = cookie(headers, SESSION_COOKIE)?;
    let hash = token_hash(&token);
    let now = state.now();
    let idle_since = now - state.config.session_idle_minutes * 60;
    // Remembered between requests while the database's revision counters stand still (store `caches`).
    let caller = state
        .store
        .session_caller(&hash, now, idle_since)
        .await
        .ok()??;
    if now - caller.session.last_seen_at >= TOUCH_EVERY_SECONDS {
        // A failed touch only shortens the session; the request itself may go on.
        if let Err(e) = state.store.touch_session(&hash, now).await {
            tracing::warn!(error = %e, "could not record session use");
        }
    }
    let user = caller.user;
    let carried = match (SessionStage::parse(&caller.session.stage), caller.actor) {
        (SessionStage::Full, Some(actor)) => Carried::SignedIn(SignedIn {
            user,
            actor,
            session_hash: hash,
        }),
        (SessionStage::Full, None) => return None,
        (stage, _) => Carried::Pending(Pending {
            user,
            stage,
            session_hash: hash,
        }),
    };
    Some((carried, caller.session.csrf_token))
}

fn is_form_post(req: &Request) -> bool {
    let path = req.uri().path();
    !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && !path.starts_with("/api/")
        && !path.starts_with("/hsds")
}

/// How far into a multipart body the CSRF token is looked for. Forms put it first, before the file; reading
/// further would mean holding a whole upload in memory before anyone is known to have sent it.
const MULTIPART_TOKEN_WINDOW: usize = 64 * 1024;

/// The `csrf_token` field among the first fields of a multipart body (file uploads, issue 20: the token goes in
/// the body, not in the URL where logs keep it). Reads at most [`MULTIPART_TOKEN_WINDOW`] bytes and gives the
/// request back with its body whole, still streaming, so the handler reads the upload as sent.
async fn token_from_multipart(req: Request, boundary: String) -> (Option<String>, Request) {
    use futures_util::StreamExt;
    let (parts, body) = req.into_parts();
    let mut stream = body.into_data_stream();
    let mut prefix = Vec::new();
    let mut failed = None;
    while prefix.len() < MULTIPART_TOKEN_WINDOW {
        match stream.next().await {
            Some(Ok(chunk)) => prefix.extend_from_slice(&chunk),
            Some(Err(e)) => {
                failed = Some(e);
                break;
            }
            None => break,
        }
    }
    let prefix = axum::body::Bytes::from(prefix);
    let seen = prefix.clone();
    let mut fields = multer::Multipart::new(
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(seen) }),
        boundary,
    );
    let mut token = None;
    // A truncated window ends in an error, which only means the token was not in it.
    for _ in 0..8 {
        let Ok(Some(field)) = fields.next_field().await else {
            break;
        };
        if field.name() == Some(CSRF_FIELD) {
            token = field.text().await.ok();
            break;
        }
    }
    let body = Body::from_stream(
        futures_util::stream::iter(std::iter::once(Ok(prefix)).chain(failed.map(Err)))
            .chain(stream),
    );
    (token, Request::from_parts(parts, body))
}

/// Pulls the CSRF token a form sent: from the urlencoded or multipart body, or from the header; the query
/// string is still read for forms of older pages.
async fn submitted_token(req: Request) -> Result<(Option<String>, Request), Response> {
    let from_header = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let from_query = req.uri().query().and_then(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v)
    });
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if content_type.starts_with("multipart/form-data") {
        let Ok(boundary) = multer::parse_boundary(&content_type) else {
            return Ok((from_header.or(from_query), req));
        };
        let (from_body, req) = token_from_multipart(req, boundary).await;
        return Ok((from_body.or(from_header).or(from_query), req));
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((from_header.or(from_query), req));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 8 * 1024 * 1024)
        .await
        .map_err(|_| axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    let from_body = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|fields| fields.into_iter().find(|(k, _)| k == CSRF_FIELD))
        .map(|(_, v)| v);
    Ok((
        from_body.or(from_header),
        Request::from_parts(parts, Body::from(bytes)),
    ))
}

pub async fn load_request_context(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let anon_cookie = cookie(req.headers(), CSRF_COOKIE);
    let carried = carried_session(&state, req.headers()).await;
    let mut new_anon_cookie = None;
    let (signed_in, pending, csrf_token) = match carried {
        Some((Carried::SignedIn(s), csrf)) => (Some(s), None, csrf),
        Some((Carried::Pending(p), csrf)) => (None, Some(p), csrf),
        None => match anon_cookie {
            Some(token) => (None, None, token),
            None => {
                let token = random_token();
                new_anon_cookie = Some(token.clone());
                (None, None, token)
            }
        },
    };
    let (lang, lang_param) = reader_language(&req);
    let public = is_public_path(req.uri().path());
    let context = RequestContext {
        signed_in,
        pending,
        csrf_token,
        client_ip: client_ip(&req, state.config.trust_forwarded_for),
        lang,
        lang_param,
        page_path: req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into()),
    };

    let mut req = req;
    if is_form_post(&req) {
        let (submitted, rebuilt) = match submitted_token(req).await {
            Ok(v) => v,
            Err(response) => return response,
        };
        req = rebuilt;
        let valid = submitted.is_some_and(|t| constant_time_eq(&t, &context.csrf_token));
        if !valid {
            let mut shell = Shell::from_context(&context);
            if public {
                shell = shell.public();
            }
            let page = ErrorPage {
                heading: shell.t("error-form-expired-heading"),
                detail: shell.t("error-form-expired"),
                shell,
            };
            return (axum::http::StatusCode::FORBIDDEN, render(&page)).into_response();
        }
    }

    req.extensions_mut().insert(context.clone());
    let mut response = next.run(req).await;

    if let Some(pending) = response.extensions_mut().remove::<PendingErrorPage>() {
        let status = response.status();
        let mut shell = Shell::from_context(&context);
        // Residents' error pages in their language, when the catalogue words this error.
        let worded = pending.key.and_then(|key| {
            let lang = context.lang;
            Some((
                lang.try_t(&format!("error-{key}-heading"))?,
                lang.try_t(&format!("error-{key}"))?,
            ))
        });
        let (heading, detail) = match worded {
            Some(words) if public => {
                shell = shell.public();
                words
            }
            _ => (pending.heading.to_owned(), pending.detail),
        };
        let page = ErrorPage {
            shell,
            heading,
            detail,
        };
        let mut rendered = render(&page).into_response();
        *rendered.status_mut() = status;
        // "Come back in a minute" (a 503 while updating) stays on the rendered page.
        if let Some(retry) = response.headers().get(header::RETRY_AFTER) {
            rendered
                .headers_mut()
                .insert(header::RETRY_AFTER, retry.clone());
        }
        response = rendered;
    }
    if let Some(lang) = lang_param {
        // The switch was used: remember it for a year.
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                i18n::COOKIE,
                lang.code(),
                Some(365 * 24 * 3600),
                state.config.secure_cookies,
            ),
        );
    }
    if let Some(token) = new_anon_cookie {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &token, None, state.config.secure_cookies),
        );
    }
    response
}

fn render(page: &impl Template) -> Html<String> {
    Html(page.render().unwrap_or_else(|_| "Er ging iets mis.".into()))
}
