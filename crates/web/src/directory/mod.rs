//! Keeping the directory: coordinators list, edit and confirm their help points.

pub(crate) mod details;
pub(crate) mod export;
pub(crate) mod import;

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::directory::{CHECK_REMINDER_DAYS, HelpPointDraft, HelpPointInput, HelpPointStatus};
use keten_core::help_question::DEFAULT_TOPICS;
use keten_core::opening_hours::format_recurring;
use keten_store::Actor;
use keten_store::help_points::{CoordinatedHelpPoint, HelpPoint};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/beheer/hulppunten", get(list_page))
        .route("/beheer/hulppunten/{id}", get(edit_page).post(save))
        .route("/beheer/hulppunten/{id}/gecontroleerd", post(mark_checked))
        .route(
            "/beheer/hulppunten/{id}/meldingen/{report}/gelezen",
            post(resolve_report),
        )
}

/// Coordinators: staff of a help point's organisation, steering of its municipality, admins.
pub(crate) fn require_coordinator(actor: &Actor) -> Result<(), AppError> {
    if actor.has_any_role(&[Role::Staff, Role::Coordinator, Role::Steering, Role::Admin]) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub struct ListItem {
    pub point: CoordinatedHelpPoint,
    pub status_label: &'static str,
    pub checked: String,
    pub needs_check: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "directory_list.html")]
struct ListPage {
    shell: Shell,
    items: Vec<ListItem>,
    reminder_months: i64,
}

async fn list_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
) -> Result<ListPage, PageError> {
    require_coordinator(&me.0.actor)?;
    let now = state.now();
    let points = state.store.coordinated_help_points(&me.0.actor).await?;
    let items = points
        .into_iter()
        .map(|point| {
            let needs_check = point
                .last_checked_at
                .is_none_or(|t| now - t > CHECK_REMINDER_DAYS * 86_400);
            ListItem {
                status_label: point
                    .status
                    .parse::<HelpPointStatus>()
                    .map(HelpPointStatus::label)
                    .unwrap_or("Onbekend"),
                checked: point
                    .last_checked_at
                    .and_then(|t| jiff::Timestamp::from_second(t).ok())
                    .map(|t| {
                        keten_core::opening_hours::date_nl(
                            t.to_zoned(jiff::tz::TimeZone::UTC).date(),
                        )
                    })
                    .unwrap_or_else(|| "nooit".into()),
                needs_check,
                point,
            }
        })
        .collect();
    Ok(ListPage {
        shell,
        items,
        reminder_months: CHECK_REMINDER_DAYS / 30,
    })
}

pub struct TopicBox {
    pub code: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "directory_edit.html")]
struct EditPage {
    shell: Shell,
    id: String,
    input: HelpPointInput,
    topics: Vec<TopicBox>,
    statuses: &'static [HelpPointStatus],
    errors: Vec<ValidationError>,
    saved: bool,
    /// Residents' open reports that something is wrong, oldest first.
    reports: Vec<ReportLine>,
    report_closed: bool,
}

pub struct ReportLine {
    pub id: String,
    pub message: String,
    /// "maandag 2 maart 2026".
    pub date: String,
}

async fn report_lines(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<Vec<ReportLine>, AppError> {
    Ok(state
        .store
        .coordinated_information_reports(actor, id)
        .await?
        .into_iter()
        .map(|r| ReportLine {
            date: keten_core::opening_hours::day_with_year_nl(r.created_at).unwrap_or_default(),
            id: r.id,
            message: r.message,
        })
        .collect())
}

fn input_from(hp: &HelpPoint) -> HelpPointInput {
    HelpPointInput {
        name: hp.name.clone(),
        street_address: hp.street_address.clone(),
        postcode: hp.postcode.clone(),
        city: hp.city.clone(),
        status: hp.status.as_str().to_owned(),
        status_reason: hp.status_reason.clone().unwrap_or_default(),
        reopens_on: hp.reopens_on.clone().unwrap_or_default(),
        // A point without hours (a bus at its stops) says so, so that saving the form keeps it that way.
        hours: Some(format_recurring(&hp.hours.weekly, &hp.hours.monthly))
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| keten_core::opening_hours::NO_FIXED_HOURS.to_owned()),
        topics: hp.topics.clone(),
        languages: hp.languages.join(", "),
        step_free: hp.accessibility.step_free,
        accessible_toilet: hp.accessibility.accessible_toilet,
        hearing_loop: hp.accessibility.hearing_loop,
        quiet_room: hp.accessibility.quiet_room,
        preparation: hp.preparation.clone(),
        phone: hp.phone.clone().unwrap_or_default(),
        email: hp.email.clone().unwrap_or_default(),
        website: hp.website.clone().unwrap_or_default(),
    }
}

fn edit_view(shell: Shell, id: String, input: HelpPointInput) -> EditPage {
    let topics = DEFAULT_TOPICS
        .iter()
        .map(|t| TopicBox {
            code: t.code,
            label: t.label,
            checked: input.topics.iter().any(|c| c == t.code),
        })
        .collect();
    EditPage {
        shell,
        id,
        input,
        topics,
        statuses: HelpPointStatus::ALL,
        errors: Vec::new(),
        saved: false,
        reports: Vec::new(),
        report_closed: false,
    }
}

#[derive(Debug, Default, Deserialize)]
struct SavedQuery {
    opgeslagen: Option<String>,
    melding_gesloten: Option<String>,
}

async fn edit_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<EditPage, PageError> {
    require_coordinator(&me.0.actor)?;
    let hp = state.store.coordinated_help_point(&me.0.actor, &id).await?;
    let mut page = edit_view(shell, id, input_from(&hp));
    page.saved = q.opgeslagen.is_some();
    page.report_closed = q.melding_gesloten.is_some();
    page.reports = report_lines(&state, &me.0.actor, &page.id).await?;
    Ok(page)
}

/// Reads the urlencoded form by hand: topics come as repeated `topics` fields.
fn parse_form(body: &[u8]) -> HelpPointInput {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let mut input = HelpPointInput::default();
    for (key, value) in pairs {
        match key.as_str() {
            "name" => input.name = value,
            "street_address" => input.street_address = value,
            "postcode" => input.postcode = value,
            "city" => input.city = value,
            "status" => input.status = value,
            "status_reason" => input.status_reason = value,
            "reopens_on" => input.reopens_on = value,
            "hours" => input.hours = value,
            "topics" => input.topics.push(value),
            "languages" => input.languages = value,
            "step_free" => input.step_free = true,
            "accessible_toilet" => input.accessible_toilet = true,
            "hearing_loop" => input.hearing_loop = true,
            "quiet_room" => input.quiet_room = true,
            "preparation" => input.preparation = value,
            "phone" => input.phone = value,
            "email" => input.email = value,
            "website" => input.website = value,
            _ => {}
        }
    }
    input
}

async fn save(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_coordinator(&me.0.actor)?;
    // Checks access before looking at the input.
    state.store.coordinated_help_point(&me.0.actor, &id).await?;
    let input = parse_form(&body);
    let known: Vec<&str> = DEFAULT_TOPICS.iter().map(|t| t.code).collect();
    match HelpPointDraft::parse(&input, &known) {
        Ok(draft) => {
            state
                .store
                .update_help_point(&me.0.actor, &id, &draft, state.now())
                .await?;
            Ok(Redirect::to(&format!("/beheer/hulppunten/{id}?opgeslagen=1")).into_response())
        }
        Err(errors) => {
            let mut page = edit_view(shell, id, input);
            page.errors = errors;
            page.reports = report_lines(&state, &me.0.actor, &page.id).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn mark_checked(
    State(state): State<AppState>,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<Redirect, PageError> {
    require_coordinator(&me.0.actor)?;
    state
        .store
        .mark_help_point_checked(&me.0.actor, &id, state.now())
        .await?;
    Ok(Redirect::to("/beheer/hulppunten"))
}

/// The coordinator read a resident's report and closes it.
async fn resolve_report(
    State(state): State<AppState>,
    me: RequireUser,
    Path((id, report)): Path<(String, String)>,
) -> Result<Redirect, PageError> {
    require_coordinator(&me.0.actor)?;
    state
        .store
        .resolve_information_report(&me.0.actor, &id, &report, state.now())
        .await?;
    Ok(Redirect::to(&format!(
        "/beheer/hulppunten/{id}?melding_gesloten=1"
    )))
}

/// The mail to a help point's coordinators that a resident reported wrong information (no text, no personal data).
#[derive(Template)]
#[template(path = "mail/information_report.txt")]
struct ReportMail {
    name: String,
    link: String,
}

/// Tells the help point's coordinators (its organisation's staff when it has none) that a report arrived.
pub(crate) async fn send_information_report_mail(
    state: &AppState,
    hp: &HelpPoint,
) -> Result<usize, AppError> {
    let mail = ReportMail {
        name: hp.name.clone(),
        // Signed out, this page asks to sign in first and then opens.
        link: format!("{}/beheer/hulppunten/{}", state.mailer.public_url, hp.id),
    };
    let Some((subject, body)) = crate::mail::render(&mail) else {
        return Ok(0);
    };
    let recipients = state
        .store
        .check_reminder_recipients(&hp.organisation_id)
        .await?;
    for email in &recipients {
        state.mailer.send(email, &subject, body.clone()).await;
    }
    Ok(recipients.len())
}
