//! The public survey form behind a help point's link or QR code: no account, no JavaScript, the reader's language, and a flood guard that stores nothing with the answers.

use super::{option_key, question_key};
use crate::AppState;
use crate::context::{cookie, set_cookie, token_hash};
use crate::error::PageError;
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use keten_core::ValidationError;
use keten_core::survey::{
    DEVICE_PAUSE_SECONDS, EMPTY_KEY, QUESTIONS, SurveyAnswers, SurveyInput, options,
};
use keten_store::StoreError;
use keten_store::help_questions::DeskHelpPoint;
use keten_store::surveys::Recorded;

/// The device cookie of the flood guard: random, only for the survey's paths, gone after a day.
pub(crate) const DEVICE_COOKIE: &str = "keten_enquete";
const DEVICE_COOKIE_SECONDS: i64 = 86_400;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enquete/{token}", get(form_page).post(submit))
        .route("/enquete/{token}/bedankt", get(thanks_page))
}

pub(crate) struct FormOption {
    pub id: String,
    pub code: &'static str,
    pub label: String,
    pub checked: bool,
}

pub(crate) struct FormQuestion {
    pub code: &'static str,
    pub text: String,
    pub options: Vec<FormOption>,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "survey_form.html")]
struct FormPage {
    shell: Shell,
    token: String,
    point_name: String,
    questions: Vec<FormQuestion>,
    /// A message about the whole form (nothing answered, no cookie).
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "survey_message.html")]
struct MessagePage {
    shell: Shell,
    title: String,
    text: String,
    /// Back to an empty form (after thanks).
    again: Option<String>,
}

fn form_view(
    shell: Shell,
    token: &str,
    point: &DeskHelpPoint,
    input: &SurveyInput,
    errors: &[ValidationError],
) -> FormPage {
    let lang = shell.lang;
    let questions = QUESTIONS
        .iter()
        .map(|&q| FormQuestion {
            code: q,
            text: lang.t(&question_key(q)),
            options: options(q)
                .into_iter()
                .map(|o| FormOption {
                    id: format!("{q}-{}", o.replace('+', "plus")),
                    code: o,
                    label: lang.t(&option_key(q, o)),
                    checked: input.get(q) == o,
                })
                .collect(),
            error: errors
                .iter()
                .any(|e| e.field == q)
                .then(|| lang.t("survey-error-value")),
        })
        .collect();
    let error = errors.iter().find(|e| e.field == "form").map(|e| {
        if e.message == EMPTY_KEY {
            lang.t("survey-error-empty")
        } else {
            lang.t("survey-error-cookie")
        }
    });
    FormPage {
        shell,
        token: token.to_owned(),
        point_name: point.name.clone(),
        questions,
        error,
    }
}

/// The help point of a live survey link; an unknown or revoked link is a 404 page that says the survey closed.
async fn survey_point(
    state: &AppState,
    shell: &Shell,
    token: &str,
) -> Result<Result<DeskHelpPoint, Response>, PageError> {
    match state.store.survey_point(token).await {
        Ok(p) => Ok(Ok(p)),
        Err(StoreError::NotFound) => Ok(Err((
            StatusCode::NOT_FOUND,
            MessagePage {
                shell: shell.clone(),
                title: shell.t("survey-title"),
                text: shell.t("survey-gone"),
                again: None,
            },
        )
            .into_response())),
        Err(e) => Err(e.into()),
    }
}

fn device_cookie(state: &AppState) -> HeaderValue {
    let value = crate::context::random_token();
    set_cookie(
        DEVICE_COOKIE,
        &value,
        Some(DEVICE_COOKIE_SECONDS),
        state.config.secure_cookies,
    )
}

async fn form_page(
    State(state): State<AppState>,
    shell: Shell,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let shell = shell.public();
    let point = match survey_point(&state, &shell, &token).await? {
        Ok(p) => p,
        Err(gone) => return Ok(gone),
    };
    let page = form_view(shell, &token, &point, &SurveyInput::default(), &[]);
    let mut response = page.into_response();
    if cookie(&headers, DEVICE_COOKIE).is_none() {
        response
            .headers_mut()
            .append(header::SET_COOKIE, device_cookie(&state));
    }
    Ok(response)
}

/// The local day of the help point: the only time a response keeps.
fn local_day(point: &DeskHelpPoint, now: i64) -> String {
    let tz = point.region().time_zone().clone();
    jiff::Timestamp::from_second(now)
        .map(|t| t.to_zoned(tz).date().to_string())
        .unwrap_or_default()
}

async fn submit(
    State(state): State<AppState>,
    shell: Shell,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let shell = shell.public();
    let point = match survey_point(&state, &shell, &token).await? {
        Ok(p) => p,
        Err(gone) => return Ok(gone),
    };
    let input: SurveyInput = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let answers = match SurveyAnswers::parse(&input) {
        Ok(a) => a,
        Err(errors) => {
            let page = form_view(shell, &token, &point, &input, &errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let Some(device) = cookie(&headers, DEVICE_COOKIE).filter(|c| !c.is_empty()) else {
        // A browser that never got the cookie (it opened the form elsewhere, or blocks cookies for a moment):
        // give it one and keep the answers, so one more press sends them.
        let errors = [ValidationError::new("form", "cookie")];
        let page = form_view(shell, &token, &point, &input, &errors);
        let mut response = (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
        response
            .headers_mut()
            .append(header::SET_COOKIE, device_cookie(&state));
        return Ok(response);
    };
    let now = state.now();
    // The key ties the device to this help point only while the pause lasts; it is never stored with answers.
    let device_key = token_hash(&format!("{device}:{}", point.id));
    let recorded = state
        .store
        .record_survey_response(
            &point,
            &answers,
            &local_day(&point, now),
            shell.lang.code(),
            &device_key,
            now,
        )
        .await?;
    let (title, text, seconds) = match recorded {
        Recorded::Saved => {
            return Ok(
                Redirect::to(&format!("/enquete/{token}/bedankt{}", shell.lang_query()))
                    .into_response(),
            );
        }
        Recorded::DeviceWait => (
            shell.t("survey-wait-title"),
            shell.t("survey-wait-text"),
            DEVICE_PAUSE_SECONDS,
        ),
        Recorded::PointFull => (
            shell.t("survey-full-title"),
            shell.t("survey-full-text"),
            keten_core::survey::window_start(now) + keten_core::survey::POINT_WINDOW_SECONDS - now,
        ),
    };
    Ok((
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, seconds.max(1).to_string())],
        MessagePage {
            shell,
            title,
            text,
            again: None,
        },
    )
        .into_response())
}

async fn thanks_page(
    State(state): State<AppState>,
    shell: Shell,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let shell = shell.public();
    let point = match survey_point(&state, &shell, &token).await? {
        Ok(p) => p,
        Err(gone) => return Ok(gone),
    };
    let again = format!("/enquete/{token}{}", shell.lang_query());
    Ok(MessagePage {
        title: shell.t("survey-thanks-title"),
        text: shell.t1("survey-thanks-text", "point", point.name),
        again: Some(again),
        shell,
    }
    .into_response())
}
