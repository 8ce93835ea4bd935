//! The event pages: a programme's events for its manager (new event, places taken, waiting list), one event's sign-ups with attendance, the public sign-up page, the cancellation link and the .ics downloads.

use super::{local, require_manager, send_sign_up_mail, store_error, when};
use crate::AppState;
use crate::auth::RequireUser;
use crate::context::{random_token, token_hash};
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use keten_core::ValidationError;
use keten_core::event::{EventInput, SignUpInput, SignUpStatus, sign_up_open};
use keten_store::events::{Event, SignUp};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/programmas/{id}/evenementen",
            get(programme_page).post(create_event),
        )
        .route("/programmas/{id}/evenementen.ics", get(programme_feed))
        .route("/evenementen/{id}", get(public_page).post(sign_up))
        .route("/evenementen/{id}/agenda.ics", get(event_ics))
        .route(
            "/evenementen/{id}/beheer",
            get(manage_page).post(edit_event),
        )
        .route("/evenementen/{id}/aanwezigheid", post(save_attendance))
        .route(
            "/evenementen/{id}/inschrijvingen/{sign_up}/afmelden",
            post(manager_cancel),
        )
        .route("/inschrijving/{token}", get(cancel_page).post(cancel_post))
}

/// A form's values and errors, to show it again as typed.
#[derive(Debug, Default)]
struct Form {
    values: HashMap<String, Vec<String>>,
    errors: Vec<ValidationError>,
}

impl Form {
    fn read(body: &[u8]) -> Self {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            values.entry(k).or_default().push(v);
        }
        Form {
            values,
            errors: Vec::new(),
        }
    }

    fn get(&self, field: &str) -> &str {
        self.values
            .get(field)
            .and_then(|v| v.first())
            .map_or("", String::as_str)
    }

    fn all(&self, field: &str) -> Vec<String> {
        self.values.get(field).cloned().unwrap_or_default()
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// An event in a list.
struct EventRow {
    id: String,
    title: String,
    when: String,
    capacity: u32,
    places_taken: u32,
    waiting: u32,
    attended: u32,
}

fn event_row(e: &Event) -> EventRow {
    EventRow {
        id: e.id.clone(),
        title: e.title.clone(),
        when: when(e),
        capacity: e.capacity,
        places_taken: e.places_taken,
        waiting: e.waiting,
        attended: e.attended,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "events_programme.html")]
struct ProgrammePage {
    shell: Shell,
    programme_id: String,
    programme_name: String,
    events: Vec<EventRow>,
    form: Form,
}

async fn programme_view(
    state: &AppState,
    shell: Shell,
    actor: &keten_store::Actor,
    id: &str,
    form: Form,
) -> Result<ProgrammePage, PageError> {
    require_manager(actor)?;
    let p = state.store.managed_programme(actor, id).await?;
    let events = state.store.managed_events(actor, id).await?;
    Ok(ProgrammePage {
        shell,
        programme_id: p.id,
        programme_name: p.name,
        events: events.iter().map(event_row).collect(),
        form,
    })
}

async fn programme_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<ProgrammePage, PageError> {
    programme_view(&state, shell, &me.actor, &id, Form::default()).await
}

async fn create_event(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut form = Form::read(&body);
    match super::create_event(&state, &me.actor, &id, &event_input(&form)).await {
        Ok(e) => Ok(Redirect::to(&format!("/evenementen/{}/beheer", e.id)).into_response()),
        Err(AppError::Validation(errors)) => {
            form.errors = errors;
            let page = programme_view(&state, shell, &me.actor, &id, form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

struct SignUpRow {
    id: String,
    name: String,
    organisation: String,
    email: String,
    status: String,
    has_place: bool,
    attended: bool,
    cancelled: bool,
}

fn sign_up_row(s: &SignUp) -> SignUpRow {
    SignUpRow {
        id: s.id.clone(),
        name: s.name.clone().unwrap_or_else(|| "(gewist)".into()),
        organisation: s.organisation.clone().unwrap_or_default(),
        email: s.email.clone().unwrap_or_default(),
        status: s.status.label().into(),
        has_place: s.status == SignUpStatus::Place,
        attended: s.attended,
        cancelled: s.status == SignUpStatus::Cancelled,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "events_manage.html")]
struct ManagePage {
    shell: Shell,
    event: EventRow,
    programme_id: String,
    place: String,
    closes: String,
    erase_after_days: u32,
    erased: bool,
    sign_ups: Vec<SignUpRow>,
    /// The edit form: the event's settings, or what was typed with its errors.
    form: Form,
}

/// The event's settings as the edit form shows them (local date and times).
fn event_form(e: &Event) -> Form {
    let mut form = Form::default();
    let (date, start) = local(e, e.starts_at)
        .split_once(' ')
        .map(|(d, t)| (d.to_owned(), t.to_owned()))
        .unwrap_or_default();
    let end = local(e, e.ends_at)
        .split_once(' ')
        .map(|(_, t)| t.to_owned())
        .unwrap_or_default();
    // Closing at the start is shown as "no last day"; else the local day before the closing moment.
    let closes_on = if e.sign_up_closes_at >= e.starts_at {
        String::new()
    } else {
        local(e, e.sign_up_closes_at - 1)
            .split_once(' ')
            .map(|(d, _)| d.to_owned())
            .unwrap_or_default()
    };
    for (k, v) in [
        ("title", e.title.clone()),
        ("description", e.description.clone()),
        ("place", e.place.clone()),
        ("date", date),
        ("start", start),
        ("end", end),
        ("capacity", e.capacity.to_string()),
        ("closes_on", closes_on),
        ("erase_after_days", e.erase_after_days.to_string()),
    ] {
        form.values.insert(k.to_owned(), vec![v]);
    }
    form
}

fn event_input(form: &Form) -> EventInput {
    EventInput {
        title: form.get("title").into(),
        description: form.get("description").into(),
        place: form.get("place").into(),
        date: form.get("date").into(),
        start: form.get("start").into(),
        end: form.get("end").into(),
        capacity: form.get("capacity").into(),
        closes_on: form.get("closes_on").into(),
        erase_after_days: form.get("erase_after_days").into(),
    }
}

async fn manage_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<ManagePage, PageError> {
    manage_view(&state, shell, &me.actor, &id, None).await
}

async fn manage_view(
    state: &AppState,
    shell: Shell,
    actor: &keten_store::Actor,
    id: &str,
    form: Option<Form>,
) -> Result<ManagePage, PageError> {
    require_manager(actor)?;
    let e = state.store.managed_event(actor, id).await?;
    let sign_ups = state.store.event_sign_ups(actor, id, state.now()).await?;
    Ok(ManagePage {
        form: form.unwrap_or_else(|| event_form(&e)),
        shell,
        event: event_row(&e),
        programme_id: e.programme_id.clone(),
        place: e.place.clone(),
        closes: local(&e, e.sign_up_closes_at),
        erase_after_days: e.erase_after_days,
        erased: e.erased_at.is_some(),
        sign_ups: sign_ups.iter().map(sign_up_row).collect(),
    })
}

async fn edit_event(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    let e = state.store.managed_event(&me.actor, &id).await?;
    let mut form = Form::read(&body);
    let result: Result<(), AppError> = async {
        let draft = event_input(&form)
            .parse(e.region, e.places_taken)
            .map_err(AppError::Validation)?;
        let (event, promoted) = state
            .store
            .update_event(&me.actor, &id, &draft, state.now())
            .await?;
        for p in &promoted {
            send_sign_up_mail(&state, &event, p, None, true).await;
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/evenementen/{id}/beheer")).into_response()),
        Err(AppError::Validation(errors)) => {
            form.errors = errors;
            let page = manage_view(&state, shell, &me.actor, &id, Some(form)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn save_attendance(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    let form = Form::read(&body);
    state
        .store
        .set_event_attendance(&me.actor, &id, &form.all("present"), state.now())
        .await?;
    Ok(Redirect::to(&format!("/evenementen/{id}/beheer")).into_response())
}

async fn manager_cancel(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Path((id, sign_up)): Path<(String, String)>,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    let c = state
        .store
        .cancel_sign_up(&me.actor, &id, &sign_up, state.now())
        .await
        .map_err(store_error)?;
    if let Some(p) = &c.promoted {
        let e = state.store.public_event(&id).await?;
        send_sign_up_mail(&state, &e, p, None, true).await;
    }
    Ok(Redirect::to(&format!("/evenementen/{id}/beheer")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "events_public.html")]
struct PublicPage {
    shell: Shell,
    id: String,
    title: String,
    description: String,
    place: String,
    when: String,
    closes: String,
    open: bool,
    free: u32,
    form: Form,
}

fn public_view(state: &AppState, shell: Shell, e: &Event, form: Form) -> PublicPage {
    PublicPage {
        shell,
        id: e.id.clone(),
        title: e.title.clone(),
        description: e.description.clone(),
        place: e.place.clone(),
        when: when(e),
        closes: local(e, e.sign_up_closes_at),
        open: sign_up_open(e.sign_up_closes_at, state.now()),
        free: e.free(),
        form,
    }
}

async fn public_page(
    State(state): State<AppState>,
    shell: Shell,
    Path(id): Path<String>,
) -> Result<PublicPage, PageError> {
    let e = state.store.public_event(&id).await?;
    Ok(public_view(&state, shell, &e, Form::default()))
}

#[derive(Template, WebTemplate)]
#[template(path = "events_signed_up.html")]
struct SignedUpPage {
    shell: Shell,
    title: String,
    when: String,
    waiting: bool,
    email: String,
}

async fn sign_up(
    State(state): State<AppState>,
    shell: Shell,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let e = state.store.public_event(&id).await?;
    let mut form = Form::read(&body);
    let input = SignUpInput {
        name: form.get("name").into(),
        organisation: form.get("organisation").into(),
        email: form.get("email").into(),
        consent: form.get("consent") == "1",
    };
    let result: Result<SignUp, AppError> = async {
        let draft = input.parse().map_err(AppError::Validation)?;
        let token = random_token();
        let s = state
            .store
            .sign_up(&id, &draft, &token_hash(&token), state.now())
            .await
            .map_err(store_error)?;
        send_sign_up_mail(&state, &e, &s, Some(&token), false).await;
        Ok(s)
    }
    .await;
    match result {
        Ok(s) => Ok(SignedUpPage {
            shell,
            title: e.title.clone(),
            when: when(&e),
            waiting: s.status == SignUpStatus::Waiting,
            email: s.email.unwrap_or_default(),
        }
        .into_response()),
        Err(AppError::Validation(errors)) => {
            form.errors = errors;
            let e = state.store.public_event(&id).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                public_view(&state, shell, &e, form),
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn calendar(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"agenda.ics\"",
            ),
        ],
        body,
    )
        .into_response()
}

async fn event_ics(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let e = state.store.public_event(&id).await?;
    Ok(calendar(super::event_ics(&state, &e)))
}

async fn programme_feed(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let p = state.store.programme(&id).await?;
    let events = state.store.events_of_programme(&id).await?;
    Ok(calendar(super::feed_ics(&state, &p.name, &events)))
}

#[derive(Template, WebTemplate)]
#[template(path = "events_cancel.html")]
struct CancelPage {
    shell: Shell,
    token: String,
    title: String,
    when: String,
    /// "place", "waiting" or "cancelled".
    status: String,
    /// The event has started: cancelling is no longer possible.
    over: bool,
}

async fn cancel_view(state: &AppState, shell: Shell, token: &str) -> Result<CancelPage, PageError> {
    let (s, e) = state.store.sign_up_by_token(&token_hash(token)).await?;
    Ok(CancelPage {
        shell,
        token: token.to_owned(),
        title: e.title.clone(),
        when: when(&e),
        status: s.status.as_str().into(),
        over: state.now() >= e.starts_at,
    })
}

async fn cancel_page(
    State(state): State<AppState>,
    shell: Shell,
    Path(token): Path<String>,
) -> Result<CancelPage, PageError> {
    cancel_view(&state, shell, &token).await
}

async fn cancel_post(
    State(state): State<AppState>,
    shell: Shell,
    Path(token): Path<String>,
) -> Result<CancelPage, PageError> {
    let c = state
        .store
        .cancel_by_token(&token_hash(&token), state.now())
        .await
        .map_err(store_error)?;
    if let Some(p) = &c.promoted {
        let e = state.store.public_event(&c.sign_up.event_id).await?;
        send_sign_up_mail(&state, &e, p, None, true).await;
    }
    cancel_view(&state, shell, &token).await
}
