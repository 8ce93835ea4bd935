//! Events with limited places over HTTP: the manager's pages, the public sign-up page, the cancellation link, the .ics files and feed, and the e-mails with their calendar attachment.

pub(crate) mod api;
mod pages;

use crate::AppState;
use crate::error::AppError;
use askama::Template;
use axum::Router;
use keten_core::account::Role;
use keten_core::event::{EventInput, IcsEvent, ics_calendar};
use keten_store::events::{Event, SignUp};
use keten_store::{Actor, StoreError};

pub fn router() -> Router<AppState> {
    pages::router()
}

/// Only programme managers (and admins) manage events; the store adds the tenant rule.
pub(crate) fn require_manager(actor: &Actor) -> Result<(), AppError> {
    if actor.has_any_role(&[Role::ProgrammeManager, Role::Admin]) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Creates an event in a programme the actor manages from the input as typed or sent: the page and the API
/// share it, so both check the same (the times in the programme's country's zone).
pub(crate) async fn create_event(
    state: &AppState,
    actor: &Actor,
    programme_id: &str,
    input: &EventInput,
) -> Result<Event, AppError> {
    require_manager(actor)?;
    let p = state.store.managed_programme(actor, programme_id).await?;
    let region = p
        .rules
        .country
        .map(keten_core::opening_hours::Region::from)
        .unwrap_or_default();
    let draft = input.parse(region, 0).map_err(AppError::Validation)?;
    Ok(state
        .store
        .create_event(actor, programme_id, &draft, state.now())
        .await?)
}

/// Store conflicts of events in plain Dutch.
pub(crate) fn store_error(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(what) if what == "sign_up_closed" => {
            AppError::Conflict("De inschrijving voor dit evenement is gesloten.".into())
        }
        StoreError::Conflict(what) if what == "event_started" => AppError::Conflict(
            "Het evenement is al begonnen of voorbij. Afmelden kan niet meer.".into(),
        ),
        other => other.into(),
    }
}

/// A moment in the event's own zone as "04-11-2026 13:00".
pub(crate) fn local(event: &Event, unix_seconds: i64) -> String {
    jiff::Timestamp::from_second(unix_seconds)
        .map(|t| {
            t.to_zoned(event.region.time_zone().clone())
                .strftime("%d-%m-%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// "04-11-2026 van 13:00 tot 17:30".
pub(crate) fn when(event: &Event) -> String {
    let start = local(event, event.starts_at);
    let end = local(event, event.ends_at);
    match (start.split_once(' '), end.split_once(' ')) {
        (Some((d1, t1)), Some((d2, t2))) if d1 == d2 => format!("{d1} van {t1} tot {t2}"),
        _ => format!("{start} tot {end}"),
    }
}

fn ics_event(state: &AppState, e: &Event) -> IcsEvent {
    IcsEvent {
        uid: format!("{}@keten", e.id),
        sequence: e.revision,
        stamp: e.updated_at,
        starts_at: e.starts_at,
        ends_at: e.ends_at,
        title: e.title.clone(),
        description: e.description.clone(),
        place: e.place.clone(),
        url: format!("{}/evenementen/{}", state.mailer.public_url, e.id),
    }
}

/// The .ics of one event.
pub(crate) fn event_ics(state: &AppState, e: &Event) -> String {
    ics_calendar(&e.title, &[ics_event(state, e)])
}

/// The .ics feed of a programme's events.
pub(crate) fn feed_ics(state: &AppState, name: &str, events: &[Event]) -> String {
    let list: Vec<IcsEvent> = events.iter().map(|e| ics_event(state, e)).collect();
    ics_calendar(name, &list)
}

/// The confirmation (a place or the waiting list) and the "you moved up" mail.
#[derive(Template)]
#[template(path = "mail/event_sign_up.txt")]
struct SignUpMail {
    promoted: bool,
    waiting: bool,
    name: String,
    title: String,
    when: String,
    place: String,
    cancel_link: String,
}

/// Mails the person about their sign-up, with the event as .ics. `token` is the cancellation link's token
/// (only in the confirmation: the promotion mail has no token, since only its hash is kept).
pub(crate) async fn send_sign_up_mail(
    state: &AppState,
    event: &Event,
    sign_up: &SignUp,
    token: Option<&str>,
    promoted: bool,
) {
    let Some(email) = &sign_up.email else {
        return;
    };
    let mail = SignUpMail {
        promoted,
        waiting: sign_up.status == keten_core::event::SignUpStatus::Waiting,
        name: sign_up.name.clone().unwrap_or_default(),
        title: event.title.clone(),
        when: when(event),
        place: event.place.clone(),
        cancel_link: token
            .map(|t| format!("{}/inschrijving/{t}", state.mailer.public_url))
            .unwrap_or_default(),
    };
    let Some((subject, body)) = crate::mail::render(&mail) else {
        return;
    };
    state
        .mailer
        .send_with_attachment(
            email,
            &subject,
            body,
            Some((
                "evenement.ics",
                "text/calendar; charset=utf-8; method=PUBLISH",
                event_ics(state, event),
            )),
        )
        .await;
}
