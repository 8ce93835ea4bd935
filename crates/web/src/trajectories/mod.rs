//! Guided trajectories and group meetings of a programme over HTTP: the input checks shared by pages and the JSON API, and the routes.

pub(crate) mod api;
mod pages;

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::programme::parse_date;
use keten_core::reference::municipality_by_code_or_name;
use keten_core::trajectory::{
    AssignmentKind, Attendee, IntakeKind, ParticipantKind, check_end_date,
};
use keten_store::trajectories::{Intake, NewSession, NewTrajectory};
use keten_store::{Actor, StoreError};

pub fn router() -> Router<AppState> {
    pages::router()
}

/// Only programme managers (and admins) manage trajectories and meetings.
pub(crate) fn require_manager(actor: &Actor) -> Result<(), AppError> {
    if actor.has_any_role(&[Role::ProgrammeManager, Role::Admin]) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Who may look at a trajectory at all: its managers and the local government's steering.
pub(crate) fn require_reader(actor: &Actor) -> Result<(), AppError> {
    if actor.has_any_role(&[Role::ProgrammeManager, Role::Admin, Role::Steering]) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The store says a step belongs to the other party (manager or local government): that is 403, not 409.
pub(crate) fn store_error(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(what)
            if matches!(
                what.as_str(),
                "manager_only" | "participant_only" | "assignment_role"
            ) =>
        {
            AppError::Forbidden
        }
        StoreError::Conflict(what) if what == "trajectory_stage_changed" => AppError::Conflict(
            "Het traject is intussen al verder gezet. Laad de pagina opnieuw.".into(),
        ),
        other => other.into(),
    }
}

/// A new trajectory as typed: the municipality by name or code, the kind, the partnership's name, the year.
pub(crate) async fn check_new_trajectory(
    state: &AppState,
    municipality: &str,
    kind: &str,
    partnership_name: &str,
    year: &str,
) -> Result<NewTrajectory, AppError> {
    let mut errors = Vec::new();
    let organisation_id = match municipality_by_code_or_name(municipality.trim()) {
        Some(m) => match state.store.municipality_organisation(&m.code).await? {
            Some((id, _)) => Some(id),
            None => {
                errors.push(ValidationError::new(
                    "municipality",
                    format!(
                        "{} heeft nog geen account in keten. Maak eerst de organisatie aan.",
                        m.name
                    ),
                ));
                None
            }
        },
        None => {
            errors.push(ValidationError::new(
                "municipality",
                "Vul de naam of de code van een gemeente in, bijvoorbeeld Aalst of 41002.",
            ));
            None
        }
    };
    let kind = match kind.trim() {
        "" => Some(ParticipantKind::LocalGovernment),
        k => match k.parse::<ParticipantKind>() {
            Ok(k) => Some(k),
            Err(_) => {
                errors.push(ValidationError::new(
                    "participant_kind",
                    "Kies een lokaal bestuur of een samenwerkingsverband.",
                ));
                None
            }
        },
    };
    let year = match year.trim().parse::<i16>() {
        Ok(y) if (2000..=2100).contains(&y) => Some(y),
        _ => {
            errors.push(ValidationError::new(
                "year",
                "Vul een jaartal in, bijvoorbeeld 2024.",
            ));
            None
        }
    };
    match (organisation_id, kind, year) {
        (Some(organisation_id), Some(participant_kind), Some(year)) if errors.is_empty() => {
            Ok(NewTrajectory {
                organisation_id,
                participant_kind,
                partnership_name: Some(partnership_name.trim().to_owned())
                    .filter(|s| !s.is_empty()),
                year,
            })
        }
        _ => Err(AppError::Validation(errors)),
    }
}

/// An intake as typed: kind, date, attendees, notes.
pub(crate) fn check_intake_input(
    kind: &str,
    held_on: &str,
    attendees: Vec<Attendee>,
    notes: &str,
) -> Result<Intake, AppError> {
    let mut errors = Vec::new();
    let kind = kind.parse::<IntakeKind>().map_err(|_| {
        ValidationError::new(
            "kind",
            "Kies het kennismakingsgesprek of de uitgebreide intake.",
        )
    });
    let held_on = parse_date("held_on", held_on);
    if notes.chars().count() > 5000 {
        errors.push(ValidationError::new(
            "notes",
            "Schrijf de notities in hooguit 5000 tekens.",
        ));
    }
    if let Err(e) = keten_core::trajectory::check_intake(&attendees) {
        errors.push(e);
    }
    match (kind, held_on) {
        (Ok(kind), Ok(held_on)) if errors.is_empty() => Ok(Intake {
            kind,
            held_on,
            notes: notes.trim().to_owned(),
            attendees,
        }),
        (kind, held_on) => {
            errors.extend(kind.err());
            errors.extend(held_on.err());
            Err(AppError::Validation(errors))
        }
    }
}

/// An end date as typed, after today.
pub(crate) fn check_end_date_input(
    state: &AppState,
    input: &str,
) -> Result<jiff::civil::Date, AppError> {
    let end = parse_date("end_date", input)?;
    check_end_date(end, keten_core::steering::local_date(state.now()))?;
    Ok(end)
}

/// A work session as typed.
pub(crate) fn check_session_input(
    held_on: &str,
    training: bool,
    internal: &str,
    external: &str,
    notes: &str,
) -> Result<NewSession, AppError> {
    let mut errors = Vec::new();
    let held_on = parse_date("held_on", held_on);
    for (field, text, max) in [
        ("internal_participants", internal, 2000),
        ("external_participants", external, 2000),
        ("notes", notes, 5000),
    ] {
        if text.chars().count() > max {
            errors.push(ValidationError::new(
                field,
                format!("Schrijf hier hooguit {max} tekens."),
            ));
        }
    }
    if internal.trim().is_empty() {
        errors.push(ValidationError::new(
            "internal_participants",
            "Vul in wie er van het lokaal bestuur was.",
        ));
    }
    match held_on {
        Ok(held_on) if errors.is_empty() => Ok(NewSession {
            held_on,
            training,
            internal_participants: internal.trim().to_owned(),
            external_participants: external.trim().to_owned(),
            notes: notes.trim().to_owned(),
        }),
        held_on => {
            errors.extend(held_on.err());
            Err(AppError::Validation(errors))
        }
    }
}

/// An interim assignment as typed: which one (its template) and the due date.
pub(crate) fn check_assignment_input(
    kind: &str,
    due_on: &str,
) -> Result<(AssignmentKind, jiff::civil::Date), AppError> {
    let kind = kind
        .parse::<AssignmentKind>()
        .map_err(|_| ValidationError::new("kind", "Kies welke tussentijdse opdracht het is."));
    let due = parse_date("due_on", due_on);
    match (kind, due) {
        (Ok(k), Ok(d)) => Ok((k, d)),
        (k, d) => Err(AppError::Validation(
            k.err().into_iter().chain(d.err()).collect(),
        )),
    }
}

/// The conditions the local government confirms: at least one.
pub(crate) fn check_condition_positions(positions: &[usize]) -> Result<(), AppError> {
    if positions.is_empty() {
        return Err(AppError::Validation(vec![ValidationError::new(
            "conditions",
            "Vink de voorwaarden aan die u bevestigt.",
        )]));
    }
    Ok(())
}
