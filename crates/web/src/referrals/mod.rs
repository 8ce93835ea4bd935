//! Warm referrals over HTTP: the service functions shared by pages and the JSON API, and the page routes.

pub(crate) mod api;
mod destinations;
pub(crate) mod notify;
mod pages;
pub(crate) mod privacy_requests;
pub(crate) mod reroute;
pub(crate) mod resident;
pub(crate) mod settings;
pub(crate) mod steering;

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::geo::Point;
use keten_core::help_question::{Agency, DEFAULT_TOPICS};
use keten_core::opening_hours::Region;
use keten_core::reference::{Country, postcode_area};
use keten_core::referral::deadline::{due_at, is_overdue};
use keten_core::referral::routing::{Proposal, RouteRequest, propose};
use keten_core::referral::{ReferralDraft, ReferralInput, ReferralSource};
use keten_store::Actor;
use keten_store::StoreError;
use keten_store::referrals::{Destination, NewReferral, ReferralError, ReferralSummary};
use keten_store::routing_rules::REFERRAL_ROLES;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    pages::router()
        .merge(resident::router())
        .merge(reroute::router())
        .merge(settings::router())
        .merge(steering::router())
        .merge(privacy_requests::router())
}

impl From<ReferralError> for AppError {
    fn from(e: ReferralError) -> Self {
        match e {
            ReferralError::Refused(t) => AppError::Conflict(t.to_string()),
            ReferralError::Store(StoreError::Conflict(_)) => AppError::Conflict(
                "Iemand anders heeft deze doorverwijzing net veranderd. Laad de pagina opnieuw."
                    .into(),
            ),
            ReferralError::Store(s) => s.into(),
        }
    }
}

/// Where the resident lives, from the four postcode digits: municipality, region and a point for distances.
pub(crate) struct Area {
    pub municipality_code: String,
    pub region: Region,
    pub point: Point,
}

pub(crate) fn area_of(pc4: &str) -> Result<Area, AppError> {
    let found = postcode_area(Country::Nl, pc4).or_else(|| postcode_area(Country::Be, pc4));
    match found {
        Some(a) => Ok(Area {
            municipality_code: a.municipality_code.clone(),
            region: a.country.into(),
            point: a.centre,
        }),
        None => Err(AppError::Validation(vec![ValidationError::new(
            "pc4",
            "Deze postcode kennen wij niet. Controleer de vier cijfers.",
        )])),
    }
}

/// The organisation the actor sends for: the one named, or its only partner/staff organisation.
pub(crate) fn sending_organisation(actor: &Actor, named: Option<&str>) -> Result<String, AppError> {
    let mut allowed = actor
        .memberships
        .iter()
        .filter(|m| REFERRAL_ROLES.contains(&m.role))
        .map(|m| m.organisation_id.clone());
    match named.map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => allowed.find(|o| o == id).ok_or(AppError::Forbidden),
        None => allowed.next().ok_or(AppError::Forbidden),
    }
}

/// Only partners and help-point staff send and handle referrals.
pub(crate) fn require_referral_role(actor: &Actor) -> Result<(), AppError> {
    if actor.has_any_role(REFERRAL_ROLES) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Every topic must be in the taxonomy (the database refuses unknown ones).
async fn check_topics(state: &AppState, topics: &[String]) -> Result<(), AppError> {
    let known = state.store.topics().await?;
    if let Some(unknown) = topics.iter().find(|t| !known.iter().any(|k| &k.code == *t)) {
        return Err(AppError::Validation(vec![ValidationError::new(
            "topics",
            format!("Het onderwerp '{unknown}' kennen wij niet."),
        )]));
    }
    Ok(())
}

pub(crate) fn parent_of(topic: &str) -> Option<&'static str> {
    DEFAULT_TOPICS
        .iter()
        .find(|t| t.code == topic)
        .and_then(|t| t.parent)
}

/// Proposes a destination for the first topic from the municipality's rules and the nearest usable point.
pub(crate) async fn propose_destination(
    state: &AppState,
    topic: &str,
    agency: Option<Agency>,
    area: &Area,
) -> Result<Option<Proposal>, AppError> {
    propose_destination_excluding(state, topic, agency, area, &[]).await
}

/// The proposal without the organisations in `leave_out` (those that declined a referral being re-routed).
pub(crate) async fn propose_destination_excluding(
    state: &AppState,
    topic: &str,
    agency: Option<Agency>,
    area: &Area,
    leave_out: &[String],
) -> Result<Option<Proposal>, AppError> {
    let rules: Vec<_> = state
        .store
        .routing_rules(&area.municipality_code)
        .await?
        .into_iter()
        .map(|r| r.rule)
        .filter(|r| !leave_out.contains(&r.organisation_id))
        .collect();
    let mut candidates = state.store.referral_candidates(area.point).await?;
    candidates.retain(|c| !leave_out.contains(&c.organisation_id));
    Ok(propose(
        &RouteRequest {
            municipality_code: &area.municipality_code,
            topic,
            parent_topic: parent_of(topic),
            agency,
        },
        &rules,
        &candidates,
    ))
}

/// What keten says when the chain's rules send the question to the sender's own organisation.
pub(crate) const OWN_ORGANISATION_HELPS: &str = "Volgens de verwijsafspraken helpt uw eigen organisatie hierbij, bijvoorbeeld op uw spreekuur. Dan is er geen doorverwijzing nodig. Moet de inwoner toch naar een andere organisatie? Kies die dan zelf.";

/// A referral goes to another organisation: a partner helps its own customers itself (at its consultation hour,
/// for instance), without a referral to itself that it would then have to accept.
pub(crate) fn refuse_self_referral(sender: &str, destination: &str) -> Result<(), AppError> {
    if sender == destination.trim() {
        Err(AppError::Validation(vec![ValidationError::new(
            "destination",
            "Dit is uw eigen organisatie. Een doorverwijzing gaat naar een andere organisatie. Helpt u de inwoner zelf, bijvoorbeeld op uw spreekuur? Dan is er geen doorverwijzing nodig.",
        )]))
    } else {
        Ok(())
    }
}

/// A destination chosen by the sender instead of the proposal.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DestinationInput {
    pub organisation_id: String,
    #[serde(default)]
    pub help_point_id: Option<String>,
    #[serde(default)]
    pub consultation_hour_id: Option<String>,
}

/// What was sent and where it went.
pub(crate) struct Sent {
    pub id: String,
    pub destination: Destination,
    pub due_at: i64,
}

/// Checks and stores a referral: consent, topics, postcode; proposes the destination unless one is chosen.
pub(crate) async fn send_referral(
    state: &AppState,
    actor: &Actor,
    sender: Option<&str>,
    input: &ReferralInput,
    chosen: Option<&DestinationInput>,
    source: ReferralSource,
) -> Result<Sent, AppError> {
    require_referral_role(actor)?;
    let sender = sending_organisation(actor, sender)?;
    let draft: ReferralDraft = input.parse().map_err(AppError::Validation)?;
    check_topics(state, &draft.topics).await?;
    let area = area_of(&draft.pc4)?;
    let destination = match chosen.filter(|c| !c.organisation_id.trim().is_empty()) {
        Some(c) => {
            refuse_self_referral(&sender, &c.organisation_id)?;
            destinations::check(state, c).await?
        }
        None => {
            let proposal = propose_destination(state, &draft.topics[0], draft.agency, &area)
                .await?
                .ok_or_else(|| {
                    AppError::Validation(vec![ValidationError::new(
                        "destination",
                        "Wij vonden geen organisatie voor dit onderwerp in deze gemeente. Kies zelf een organisatie.",
                    )])
                })?;
            // A bank's rule for its own customers, proposed to the bank itself: no referral.
            refuse_self_referral(&sender, &proposal.organisation_id).map_err(|_| {
                AppError::Validation(vec![ValidationError::new(
                    "destination",
                    OWN_ORGANISATION_HELPS,
                )])
            })?;
            Destination {
                organisation_id: proposal.organisation_id,
                help_point_id: proposal.help_point_id,
                consultation_hour_id: proposal.consultation_hour_id,
                routing_rule_id: proposal.rule_id,
            }
        }
    };
    let settings = state
        .store
        .referral_settings(&area.municipality_code)
        .await?;
    let now = state.clock.now();
    let due = due_at(now, settings.overdue_working_days, area.region).as_second();
    let id = state
        .store
        .create_referral(
            actor,
            &NewReferral {
                draft: &draft,
                source,
                municipality_code: area.municipality_code,
                sender_organisation_id: sender,
                destination: destination.clone(),
                sent_at: now.as_second(),
                due_at: due,
            },
        )
        .await?;
    notify::new_referral(state, &id, &destination.organisation_id).await?;
    Ok(Sent {
        id,
        destination,
        due_at: due,
    })
}

/// Takes a step of the lifecycle and tells the sender when its referral closed, as far as it may know.
pub(crate) async fn take_step(
    state: &AppState,
    actor: &Actor,
    id: &str,
    action: &keten_core::referral::Action,
) -> Result<ReferralSummary, AppError> {
    let summary = state
        .store
        .act_on_referral(actor, id, action, state.now())
        .await?;
    // The receiver took the step, so the summary holds the status; the sender hears of a completion only when the
    // resident allowed it to follow progress, and always of a decline (the referral comes back to it).
    if let Some(status) = summary.status
        && matches!(
            status,
            keten_core::referral::ReferralStatus::Completed
                | keten_core::referral::ReferralStatus::Declined
        )
        && status.shown_to_sender(summary.sender_sees_progress)
    {
        notify::closed_referral(state, id, &summary.sender_organisation_id, status).await?;
    }
    Ok(summary)
}

/// Overdue now: not accepted by its due moment.
pub(crate) fn overdue(summary: &ReferralSummary, now: i64) -> bool {
    match (
        summary.status,
        jiff::Timestamp::from_second(summary.due_at),
        jiff::Timestamp::from_second(now),
    ) {
        (Some(status), Ok(due), Ok(now)) => is_overdue(status, due, now),
        _ => false,
    }
}

/// Roles allowed to keep routing rules.
pub(crate) fn require_steering(actor: &Actor) -> Result<(), AppError> {
    if actor.has_any_role(&[Role::Steering, Role::Admin]) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}
