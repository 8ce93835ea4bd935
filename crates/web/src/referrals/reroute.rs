//! Re-routing a declined referral: the sender picks a new receiver (keten proposes one) and records consent again.

use super::api::SentReferralResponse;
use super::destinations::{self, DestinationChoices, Pick};
use super::pages::{choices, topic_label};
use super::{
    DestinationInput, Sent, area_of, propose_destination_excluding, require_referral_role,
};
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{ApiError, AppError, PageError};
use crate::extract::{ApiActor, ApiJson};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use keten_core::ValidationError;
use keten_core::referral::deadline::due_at;
use keten_core::referral::upkeep::ConsentInput;
use keten_core::referral::{
    CONSENT_TEXT_VERSION, ConsentMethod, Party, ReferralStatus, consent_text,
};
use keten_store::Actor;
use keten_store::referrals::ReferralSummary;
use serde::Deserialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/doorverwijzingen/{id}/opnieuw",
        get(reroute_page).post(submit_reroute),
    )
}

/// What a re-route knows before the sender chooses: the referral, who declined, keten's proposal.
struct Situation {
    summary: ReferralSummary,
    decliners: Vec<String>,
    /// Where keten would send it now, why, and the routing rule behind it.
    proposal: Option<(Pick, String, Option<String>)>,
}

/// Only the sender re-routes, only a declined referral that still has the resident's contact data.
async fn situation(state: &AppState, actor: &Actor, id: &str) -> Result<Situation, AppError> {
    require_referral_role(actor)?;
    let summary = state.store.referral_summary(actor, id).await?;
    if !actor.refers_for(&summary.sender_organisation_id) {
        return Err(AppError::Forbidden);
    }
    if summary.erased_at.is_some() {
        return Err(AppError::Conflict(
            "De gegevens van de inwoner zijn gewist. Verwijs de inwoner opnieuw door met het formulier."
                .into(),
        ));
    }
    // A sender without sight of progress does not know it was declined; the store decides on the real status.
    if summary.party == Party::Sender
        && summary
            .status
            .is_some_and(|s| s != ReferralStatus::Declined)
    {
        return Err(AppError::Conflict(
            "Alleen een afgewezen doorverwijzing kunt u opnieuw versturen.".into(),
        ));
    }
    let decliners = state.store.referral_decliners(actor, id).await?;
    let area = area_of(&summary.pc4)?;
    // Neither an organisation that declined nor the sender itself.
    let leave_out: Vec<String> = decliners
        .iter()
        .cloned()
        .chain(std::iter::once(summary.sender_organisation_id.clone()))
        .collect();
    let proposal = match summary.topics.first() {
        Some(topic) => {
            propose_destination_excluding(state, topic, summary.agency, &area, &leave_out).await?
        }
        None => None,
    };
    Ok(Situation {
        proposal: proposal.map(|p| (Pick::of_proposal(&p), p.why.to_owned(), p.rule_id)),
        summary,
        decliners,
    })
}

/// Checks consent and destination and sends the referral to its new receiver; tells the receiver.
pub(crate) async fn reroute(
    state: &AppState,
    actor: &Actor,
    id: &str,
    consent: &ConsentInput,
    chosen: Option<&DestinationInput>,
) -> Result<Sent, AppError> {
    let here = situation(state, actor, id).await?;
    let mut errors = Vec::new();
    let consent = consent.check(&mut errors);
    let mut rule = None;
    let chosen = match chosen.filter(|c| !c.organisation_id.trim().is_empty()) {
        Some(c) => Some(c.clone()),
        None => match &here.proposal {
            Some((pick, _, rule_id)) => {
                rule.clone_from(rule_id);
                Some(pick.to_input(&state.store.directory().await?)?)
            }
            None => {
                errors.push(ValidationError::new(
                    "destination",
                    "Wij vonden geen andere organisatie voor dit onderwerp. Kies zelf een organisatie.",
                ));
                None
            }
        },
    };
    if let Some(c) = &chosen
        && here.decliners.iter().any(|d| d == c.organisation_id.trim())
    {
        errors.push(ValidationError::new(
            "destination",
            "Deze organisatie heeft de doorverwijzing al afgewezen. Kies een andere.",
        ));
    }
    if let Some(c) = &chosen
        && let Err(AppError::Validation(mut own)) =
            super::refuse_self_referral(&here.summary.sender_organisation_id, &c.organisation_id)
    {
        errors.append(&mut own);
    }
    let (Some(consent), Some(chosen), true) = (consent, chosen, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let mut destination = destinations::check(state, &chosen).await?;
    destination.routing_rule_id = rule;
    let area = area_of(&here.summary.pc4)?;
    let settings = state
        .store
        .referral_settings(&here.summary.municipality_code)
        .await?;
    let now = state.clock.now();
    let due = due_at(now, settings.overdue_working_days, area.region).as_second();
    state
        .store
        .reroute_referral(actor, id, &destination, &consent, now.as_second(), due)
        .await?;
    super::notify::new_referral(state, id, &destination.organisation_id).await?;
    Ok(Sent {
        id: id.to_owned(),
        destination,
        due_at: due,
    })
}

/// The form as typed: kept on errors.
#[derive(Debug, Clone, Default, Deserialize)]
struct RerouteForm {
    #[serde(default)]
    destination: String,
    #[serde(default)]
    consent_given: Option<String>,
    #[serde(default)]
    consent_method: Option<String>,
    #[serde(default)]
    consent_text_version: Option<String>,
    #[serde(default)]
    sender_sees_progress: Option<String>,
}

impl RerouteForm {
    fn consent(&self) -> ConsentInput {
        ConsentInput {
            consent_given: self.consent_given.is_some(),
            consent_method: self.consent_method.clone(),
            consent_text_version: self.consent_text_version.clone(),
            sender_sees_progress: self.sender_sees_progress.is_some(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_reroute.html")]
struct ReroutePage {
    shell: Shell,
    id: String,
    topics: String,
    declined_by: String,
    proposal: Option<String>,
    destinations: DestinationChoices,
    methods: Vec<super::pages::Choice>,
    consent_text: String,
    consent_version: &'static str,
    consent_given: bool,
    sender_sees_progress: bool,
    errors: Vec<ValidationError>,
}

/// The proposed organisation, with its help point when it names one: what the sender reads first.
async fn proposal_name(state: &AppState, pick: &Pick) -> Result<String, AppError> {
    let directory = state.store.directory().await?;
    let input = pick.to_input(&directory)?;
    let organisation = state
        .store
        .organisation_name(&input.organisation_id)
        .await?
        .unwrap_or_default();
    let place = input
        .help_point_id
        .and_then(|id| directory.help_points.into_iter().find(|h| h.id == id))
        .map(|h| h.name);
    Ok(match place {
        Some(place) => format!("{organisation} ({place})"),
        None => organisation,
    })
}

async fn page_view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: &str,
    form: &RerouteForm,
    errors: Vec<ValidationError>,
) -> Result<ReroutePage, AppError> {
    let here = situation(state, actor, id).await?;
    let selected = if form.destination.trim().is_empty() {
        here.proposal
            .as_ref()
            .map(|(p, _, _)| p.value())
            .unwrap_or_default()
    } else {
        form.destination.clone()
    };
    let destinations = destinations::choices(state, actor, &selected, &here.decliners).await?;
    let sender = here.summary.sender_organisation_name.clone();
    // Consent is given for the new receiver: name it (the proposal is preselected).
    let receiver = destinations::receiver_name(state, &selected).await?;
    Ok(ReroutePage {
        shell,
        id: id.to_owned(),
        topics: here
            .summary
            .topics
            .iter()
            .map(|t| topic_label(t))
            .collect::<Vec<_>>()
            .join(", "),
        declined_by: here.summary.organisation_name.clone(),
        proposal: match &here.proposal {
            Some((pick, why, _)) => Some(format!("{}. {why}", proposal_name(state, pick).await?)),
            None => None,
        },
        destinations,
        methods: choices(
            ConsentMethod::ALL,
            ConsentMethod::as_str,
            ConsentMethod::label,
            form.consent_method.as_deref().unwrap_or(""),
        ),
        consent_text: consent_text(
            &sender,
            receiver.as_deref().unwrap_or("de nieuwe organisatie"),
        ),
        consent_version: CONSENT_TEXT_VERSION,
        consent_given: form.consent_given.is_some(),
        sender_sees_progress: form.sender_sees_progress.is_some(),
        errors,
    })
}

async fn reroute_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<ReroutePage, PageError> {
    Ok(page_view(
        &state,
        shell,
        &me.actor,
        &id,
        &RerouteForm::default(),
        Vec::new(),
    )
    .await?)
}

async fn submit_reroute(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<RerouteForm>,
) -> Result<Response, PageError> {
    let chosen = match Pick::parse(&form.destination) {
        Some(pick) => match pick.to_input(&state.store.directory().await?) {
            Ok(c) => Some(c),
            Err(AppError::Validation(errors)) => {
                let page = page_view(&state, shell, &me.actor, &id, &form, errors).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    match reroute(&state, &me.actor, &id, &form.consent(), chosen.as_ref()).await {
        Ok(_) => Ok(Redirect::to(&format!("/doorverwijzingen/{id}?verstuurd=1")).into_response()),
        Err(AppError::Validation(errors)) => {
            let page = page_view(&state, shell, &me.actor, &id, &form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A declined referral sent to another organisation, with the resident's consent for that organisation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RerouteRequest {
    #[serde(flatten)]
    pub consent: ConsentInput,
    /// Leave out to take keten's proposal (never the organisation that declined).
    #[serde(default)]
    pub destination: Option<DestinationInput>,
}

/// Re-routes a declined referral (its sender only). The old receiver no longer sees it; the timeline records it.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/reroute", tag = "referrals", request_body = RerouteRequest,
    params(("id" = String, Path, description = "Referral id")),
    responses((status = 200, body = SentReferralResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn reroute_referral(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RerouteRequest>,
) -> Result<Json<SentReferralResponse>, ApiError> {
    let sent = reroute(
        &state,
        &actor,
        &id,
        &body.consent,
        body.destination.as_ref(),
    )
    .await?;
    Ok(Json(SentReferralResponse {
        id: sent.id,
        status: ReferralStatus::Sent,
        organisation_id: sent.destination.organisation_id,
        help_point_id: sent.destination.help_point_id,
        consultation_hour_id: sent.destination.consultation_hour_id,
        routing_rule_id: sent.destination.routing_rule_id,
        due_at: sent.due_at,
    }))
}
