//! The registration desk: staff register help questions at their help point,
//! undo within minutes, correct within a day; volunteers use a link.

mod form;
mod import;
mod links;
mod overview;

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
use keten_core::help_question::{
    CORRECTION_SECONDS, QuestionInput, VisitDraft, VisitInput, may_correct, may_undo,
};
use keten_store::Actor;
use keten_store::help_questions::{DeskHelpPoint, HelpQuestion, Registrar, Source};
use serde::Deserialize;

pub use form::{DeskForm, Labels};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/balie", get(choose_page))
        .route("/balie/{hp}", get(desk_page).post(register))
        .route("/balie/{hp}/bezoek/{visit}/ongedaan", post(undo))
        .route(
            "/balie/{hp}/bezoek/{visit}/vraag/{id}/ongedaan",
            post(undo_question),
        )
        .route("/balie/{hp}/recent", get(recent_page))
        .route("/balie/{hp}/vragen/{id}", get(correct_page).post(correct))
        .merge(overview::router())
        .merge(links::router())
        .merge(import::router())
}

/// The help point of a desk URL, checked against the signed-in user: a help
/// point the user does not work at is a 404 page here (unlike a form field).
async fn desk_point(state: &AppState, actor: &Actor, id: &str) -> Result<DeskHelpPoint, AppError> {
    match state.store.desk_help_point(actor, id).await {
        Ok(p) => Ok(p),
        Err(keten_store::StoreError::Invalid(_)) => Err(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "desk_choose.html")]
struct ChoosePage {
    shell: Shell,
    points: Vec<DeskHelpPoint>,
}

/// `/balie`: straight to the remembered (or only) help point, else a choice.
async fn choose_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
) -> Result<Response, PageError> {
    let points = state.store.desk_help_points(&me.0.actor).await?;
    if points.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    let remembered = state.store.remembered_desk(&me.0.user.id).await?;
    let pick = match remembered {
        Some(r) if points.iter().any(|p| p.id == r) => Some(r),
        _ if points.len() == 1 => points.first().map(|p| p.id.clone()),
        _ => None,
    };
    Ok(match pick {
        Some(id) => Redirect::to(&format!("/balie/{id}")).into_response(),
        None => ChoosePage { shell, points }.into_response(),
    })
}

#[derive(Debug, Default, Deserialize)]
struct SavedQuery {
    bezoek: Option<String>,
    nummer: Option<i64>,
    ongedaan: Option<String>,
    vraag_ongedaan: Option<String>,
    gecorrigeerd: Option<String>,
}

async fn desk_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(hp): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<DeskForm, PageError> {
    let point = desk_point(&state, &me.0.actor, &hp).await?;
    state.store.remember_desk(&me.0.user.id, &point.id).await?;
    let mut page = form::desk_form(&state, shell, &point, Some(&me.0.actor), None).await?;
    page.undone = q.ongedaan.is_some();
    page.corrected = q.gecorrigeerd.is_some();
    if let Some(visit) = q.bezoek {
        page.saved =
            form::saved_notice(&state, &point, &visit, q.nummer, Some(&me.0.user.id), None).await?;
        page.question_undone = q.vraag_ongedaan.is_some() && page.saved.is_some();
    }
    Ok(page)
}

async fn register(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(hp): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let point = desk_point(&state, &me.0.actor, &hp).await?;
    let submitted = form::parse_visit_form(&body);
    let by = Registrar {
        source: Source::Desk,
        user_id: Some(me.0.user.id.clone()),
        link_id: None,
    };
    form::handle_submission(
        &state,
        shell,
        &point,
        Some(&me.0.actor),
        None,
        submitted,
        &by,
        &format!("/balie/{}", point.id),
    )
    .await
}

async fn undo(
    State(state): State<AppState>,
    me: RequireUser,
    Path((hp, visit)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let point = desk_point(&state, &me.0.actor, &hp).await?;
    form::undo_visit(&state, &point, &visit, Some(&me.0.user.id), None).await?;
    Ok(Redirect::to(&format!("/balie/{}?ongedaan=1", point.id)).into_response())
}

/// Undoes one question of a visit; the confirmation shows what is left.
async fn undo_question(
    State(state): State<AppState>,
    me: RequireUser,
    Path((hp, visit, id)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let point = desk_point(&state, &me.0.actor, &hp).await?;
    form::undo_question(&state, &point, &visit, &id, Some(&me.0.user.id), None).await?;
    Ok(Redirect::to(
        &form::after_question_undone(&format!("/balie/{}", point.id), &state, &point, &visit)
            .await?,
    )
    .into_response())
}

pub struct RecentRow {
    pub question: HelpQuestion,
    pub when: String,
    pub topic: String,
    pub editable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "desk_recent.html")]
struct RecentPage {
    shell: Shell,
    point: DeskHelpPoint,
    coordinator: bool,
    rows: Vec<RecentRow>,
}

/// Own registrations of the last 24 hours; a coordinator sees the help
/// point's last seven days.
async fn recent_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(hp): Path<String>,
) -> Result<RecentPage, PageError> {
    let point = desk_point(&state, &me.0.actor, &hp).await?;
    let coordinator = state.store.coordinates_desk(&me.0.actor, &point);
    let now = state.now();
    let (since, who) = if coordinator {
        (now - 7 * 86_400, None)
    } else {
        (now - CORRECTION_SECONDS, Some(me.0.user.id.as_str()))
    };
    let labels = Labels::load(&state).await?;
    let questions = state
        .store
        .recent_help_questions(&point.id, who, since, 200)
        .await?;
    let tz = point.region().time_zone();
    let rows = questions
        .into_iter()
        .map(|question| RecentRow {
            when: jiff::Timestamp::from_second(question.created_at)
                .map(|t| t.to_zoned(tz.clone()).strftime("%d-%m %H:%M").to_string())
                .unwrap_or_default(),
            topic: labels.topic(&question.topic_code),
            editable: may_correct(
                question.registered_by.as_deref() == Some(me.0.user.id.as_str()),
                coordinator,
                question.created_at,
                now,
            ),
            question,
        })
        .collect();
    Ok(RecentPage {
        shell,
        point,
        coordinator,
        rows,
    })
}

/// The stored question as form input.
fn input_of(q: &HelpQuestion, tz: &jiff::tz::TimeZone) -> VisitInput {
    VisitInput {
        date: jiff::Timestamp::from_second(q.asked_at)
            .map(|t| t.to_zoned(tz.clone()).date().to_string())
            .unwrap_or_default(),
        asked_at: String::new(),
        channel: q.channel.clone(),
        age_band: q.age_band.clone().unwrap_or_default(),
        pc4: q.pc4.clone().unwrap_or_default(),
        first_visit: match q.first_visit {
            Some(0) => "no".into(),
            Some(_) => "yes".into(),
            None => String::new(),
        },
        remark: q.remark.clone().unwrap_or_default(),
        consultation_hour: q.consultation_hour_id.clone().unwrap_or_default(),
        questions: vec![QuestionInput {
            topic: q.topic_code.clone(),
            agency: q.agency.clone(),
            kind: q.kind.clone(),
            channel: String::new(),
            minutes: q.minutes.to_string(),
            outcome: q.outcome.clone(),
            referred_to: q.referred_to.clone().unwrap_or_default(),
        }],
    }
}

/// The question, if this user may still correct it.
async fn correctable(
    state: &AppState,
    me: &RequireUser,
    point: &DeskHelpPoint,
    id: &str,
) -> Result<HelpQuestion, AppError> {
    let q = state
        .store
        .help_question(std::slice::from_ref(&point.id), id)
        .await?;
    let own = q.registered_by.as_deref() == Some(me.0.user.id.as_str());
    if may_correct(
        own,
        state.store.coordinates_desk(&me.0.actor, point),
        q.created_at,
        state.now(),
    ) {
        Ok(q)
    } else {
        Err(AppError::Conflict(
            "Deze registratie is ouder dan 24 uur of niet van u. Vraag de coördinator van het hulppunt om haar te verbeteren.".into(),
        ))
    }
}

async fn correct_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path((hp, id)): Path<(String, String)>,
) -> Result<DeskForm, PageError> {
    let point = desk_point(&state, &me.0.actor, &hp).await?;
    let q = correctable(&state, &me, &point, &id).await?;
    let input = input_of(&q, point.region().time_zone());
    Ok(correction_form(&state, shell, &point, &me, &id, input).await?)
}

async fn correction_form(
    state: &AppState,
    shell: Shell,
    point: &DeskHelpPoint,
    me: &RequireUser,
    id: &str,
    input: VisitInput,
) -> Result<DeskForm, AppError> {
    let mut form = form::desk_form(state, shell, point, Some(&me.0.actor), Some(input)).await?;
    form.action = format!("/balie/{}/vragen/{id}", point.id);
    form.correcting = true;
    Ok(form)
}

async fn correct(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path((hp, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let point = desk_point(&state, &me.0.actor, &hp).await?;
    let stored = correctable(&state, &me, &point, &id).await?;
    let submitted = form::parse_visit_form(&body);
    let mut input = submitted.visit;
    input.questions.truncate(1);
    // Same day as before: keep the registered time instead of noon.
    let tz = point.region().time_zone();
    if input_of(&stored, tz).date == input.date.trim() {
        input.asked_at = jiff::Timestamp::from_second(stored.asked_at)
            .map(|t| t.to_string())
            .unwrap_or_default();
    }
    let categories = state.store.question_categories().await?;
    let result = VisitDraft::parse(&input, &categories, state.clock.now(), point.region());
    let errors = match result {
        Ok(draft) => match state
            .store
            .correct_help_question(&id, &draft, Some(&me.0.user.id), state.now())
            .await
        {
            Ok(()) => {
                return Ok(
                    Redirect::to(&format!("/balie/{}?gecorrigeerd=1", point.id)).into_response()
                );
            }
            Err(keten_store::StoreError::Invalid(errors)) => errors,
            Err(e) => return Err(AppError::from(e).into()),
        },
        Err(errors) => errors,
    };
    let mut form = correction_form(&state, shell, &point, &me, &id, input).await?;
    form.errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, form).into_response())
}

/// Undo is allowed for whoever saved the visit (the same user, or the same
/// volunteer link) within five minutes.
pub(crate) fn check_undo(
    questions: &[HelpQuestion],
    user_id: Option<&str>,
    link_id: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    let first = questions.first().ok_or(AppError::NotFound)?;
    let own = match (user_id, link_id) {
        (Some(u), _) => first.registered_by.as_deref() == Some(u),
        (None, Some(l)) => first.registration_link_id.as_deref() == Some(l),
        (None, None) => false,
    };
    if may_undo(own, first.created_at, now) {
        Ok(())
    } else {
        Err(AppError::Validation(vec![ValidationError::new(
            "visit",
            "Ongedaan maken kan alleen in de eerste 5 minuten na het opslaan, door wie de vraag registreerde.",
        )]))
    }
}
