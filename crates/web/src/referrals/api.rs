//! API: referrals (`/api/v1/referrals`) and routing rules (`/api/v1/routing-rules`).

use super::{
    DestinationInput, area_of, overdue, propose_destination, require_referral_role,
    require_steering, send_referral,
};
use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use keten_core::ValidationError;
use keten_core::help_question::{Agency, Outcome};
use keten_core::referral::routing::RuleTarget;
use keten_core::referral::{
    Action, DeclineReason, Party, PreferredMoment, ReferralInput, ReferralSource, ReferralStatus,
};
use keten_store::referrals::{ReferralBox, ReferralDetail, ReferralSummary};
use keten_store::routing_rules::{NewRoutingRule, RoutingRule};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A new referral: the resident's details, consent, and optionally a chosen destination.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SendReferralRequest {
    /// The sending organisation; may be left out when the caller sends for one organisation only.
    #[serde(default)]
    pub sender_organisation_id: Option<String>,
    #[serde(flatten)]
    pub referral: ReferralInput,
    /// Leave out to take keten's proposal from the routing rules.
    #[serde(default)]
    pub destination: Option<DestinationInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SentReferralResponse {
    pub id: String,
    pub status: ReferralStatus,
    pub organisation_id: String,
    pub help_point_id: Option<String>,
    pub consultation_hour_id: Option<String>,
    pub routing_rule_id: Option<String>,
    /// Unix seconds: overdue when not accepted by then.
    pub due_at: i64,
}

/// A referral in a list; no personal data.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralSummaryResponse {
    pub id: String,
    /// `sender` or `receiver`: how the caller stands to it.
    pub party: String,
    pub source: ReferralSource,
    /// Absent when the caller sent it and the resident did not allow following progress.
    pub status: Option<ReferralStatus>,
    pub overdue: bool,
    pub topics: Vec<String>,
    pub agency: Option<Agency>,
    pub pc4: String,
    pub municipality_code: String,
    pub sender_organisation_id: String,
    pub sender_organisation_name: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub help_point_id: Option<String>,
    pub help_point_name: Option<String>,
    pub failed_attempts: u32,
    pub decline_reason: Option<DeclineReason>,
    pub outcome: Option<Outcome>,
    pub sent_at: i64,
    pub due_at: i64,
    pub accepted_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// When the contact data was erased (purge or withdrawal).
    pub erased_at: Option<i64>,
}

pub(crate) fn party_code(p: Party) -> &'static str {
    match p {
        Party::Sender => "sender",
        Party::Receiver => "receiver",
    }
}

impl ReferralSummaryResponse {
    fn from(s: ReferralSummary, now: i64) -> Self {
        Self {
            overdue: overdue(&s, now),
            party: party_code(s.party).into(),
            id: s.id,
            source: s.source,
            status: s.status,
            topics: s.topics,
            agency: s.agency,
            pc4: s.pc4,
            municipality_code: s.municipality_code,
            sender_organisation_id: s.sender_organisation_id,
            sender_organisation_name: s.sender_organisation_name,
            organisation_id: s.organisation_id,
            organisation_name: s.organisation_name,
            help_point_id: s.help_point_id,
            help_point_name: s.help_point_name,
            failed_attempts: s.failed_attempts,
            decline_reason: s.decline_reason,
            outcome: s.outcome,
            sent_at: s.sent_at,
            due_at: s.due_at,
            accepted_at: s.accepted_at,
            closed_at: s.closed_at,
            erased_at: s.erased_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactResponse {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub preferred_moment: PreferredMoment,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventResponse {
    pub at: i64,
    pub action: String,
    pub from_status: Option<ReferralStatus>,
    pub to_status: ReferralStatus,
    pub organisation_id: Option<String>,
    pub organisation_name: Option<String>,
    pub decline_reason: Option<DeclineReason>,
    pub outcome: Option<Outcome>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentResponse {
    pub organisation_id: String,
    pub purpose: String,
    pub text_version: String,
    pub method: keten_core::referral::ConsentMethod,
    pub sender_sees_progress: bool,
    pub given_at: i64,
    pub withdrawn_at: Option<i64>,
}

/// One referral with its timeline. Reading it writes an audit event while contact data is present.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralResponse {
    #[serde(flatten)]
    pub summary: ReferralSummaryResponse,
    /// Absent once erased.
    pub contact: Option<ContactResponse>,
    pub timeline: Vec<EventResponse>,
    pub consents: Vec<ConsentResponse>,
}

impl ReferralResponse {
    pub(crate) fn from(d: ReferralDetail, now: i64) -> Self {
        Self {
            summary: ReferralSummaryResponse::from(d.summary, now),
            contact: d.contact.map(|c| ContactResponse {
                name: c.name,
                phone: c.phone,
                email: c.email,
                preferred_moment: c.preferred_moment,
                reason: c.reason,
            }),
            timeline: d
                .events
                .into_iter()
                .map(|e| EventResponse {
                    at: e.at,
                    action: e.action,
                    from_status: e.from_status,
                    to_status: e.to_status,
                    organisation_id: e.actor_organisation_id,
                    organisation_name: e.actor_organisation_name,
                    decline_reason: e.decline_reason,
                    outcome: e.outcome,
                })
                .collect(),
            consents: d
                .consents
                .into_iter()
                .map(|c| ConsentResponse {
                    organisation_id: c.organisation_id,
                    purpose: c.purpose,
                    text_version: c.text_version,
                    method: c.method,
                    sender_sees_progress: c.sender_sees_progress,
                    given_at: c.given_at,
                    withdrawn_at: c.withdrawn_at,
                })
                .collect(),
        }
    }
}

/// Sends a referral (partners and help-point staff). Without consent it is refused with 422.
#[utoipa::path(post, path = "/api/v1/referrals", tag = "referrals", request_body = SendReferralRequest,
    responses((status = 201, body = SentReferralResponse), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_referral(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<SendReferralRequest>,
) -> Result<(StatusCode, Json<SentReferralResponse>), ApiError> {
    let source = if actor.user_id.is_none() {
        ReferralSource::Api
    } else {
        ReferralSource::Organisation
    };
    let sent = send_referral(
        &state,
        &actor,
        body.sender_organisation_id.as_deref(),
        &body.referral,
        body.destination.as_ref(),
        source,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(SentReferralResponse {
            id: sent.id,
            status: ReferralStatus::Sent,
            organisation_id: sent.destination.organisation_id,
            help_point_id: sent.destination.help_point_id,
            consultation_hour_id: sent.destination.consultation_hour_id,
            routing_rule_id: sent.destination.routing_rule_id,
            due_at: sent.due_at,
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// `inbox` (default), `overdue` (inbox, not accepted in time) or `sent`.
    #[serde(default, rename = "box")]
    pub box_name: Option<String>,
}

/// The caller's referrals: received (`inbox`, `overdue`) or sent.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals", params(ListQuery),
    responses((status = 200, body = [ReferralSummaryResponse]), (status = 403, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_referrals(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<ReferralSummaryResponse>>, ApiError> {
    require_referral_role(&actor)?;
    let now = state.now();
    let (which, only_overdue) = match q.box_name.as_deref().unwrap_or("inbox") {
        "inbox" => (ReferralBox::Inbox, false),
        "overdue" => (ReferralBox::Inbox, true),
        "sent" => (ReferralBox::Sent, false),
        _ => {
            return Err(
                AppError::BadRequest("Kies box=inbox, box=overdue of box=sent.".into()).into(),
            );
        }
    };
    let list = state.store.referrals(&actor, which).await?;
    Ok(Json(
        list.into_iter()
            .map(|s| ReferralSummaryResponse::from(s, now))
            .filter(|s| !only_overdue || s.overdue)
            .collect(),
    ))
}

/// One referral with its timeline; another organisation's referral answers 404.
#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "referrals",
    params(("id" = String, Path, description = "Referral id")),
    responses((status = 200, body = ReferralResponse), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_referral(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ReferralResponse>, ApiError> {
    let now = state.now();
    let detail = state.store.referral(&actor, &id, now).await?;
    Ok(Json(ReferralResponse::from(detail, now)))
}

/// A step of the lifecycle.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionRequest {
    /// `open`, `accept`, `decline`, `contact_attempt`, `mark_not_reached`, `complete` or `withdraw`.
    pub action: String,
    /// With `decline`.
    #[serde(default)]
    pub decline_reason: Option<DeclineReason>,
    /// With `complete`.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// With `contact_attempt`: was the resident reached?
    #[serde(default)]
    pub reached: Option<bool>,
}

pub(crate) fn parse_action(
    action: &str,
    reason: Option<DeclineReason>,
    outcome: Option<Outcome>,
    reached: Option<bool>,
) -> Result<Action, AppError> {
    let missing = |field: &'static str, message: &str| {
        AppError::Validation(vec![ValidationError::new(field, message)])
    };
    Ok(match action.trim() {
        "open" => Action::Open,
        "accept" => Action::Accept,
        "decline" => Action::Decline(
            reason.ok_or_else(|| missing("decline_reason", "Kies een reden om af te wijzen."))?,
        ),
        "contact_attempt" => Action::ContactAttempt {
            reached: reached
                .ok_or_else(|| missing("reached", "Zeg of u de inwoner heeft bereikt."))?,
        },
        "mark_not_reached" => Action::MarkNotReached,
        "complete" => Action::Complete(
            outcome.ok_or_else(|| missing("outcome", "Kies hoe het is afgelopen."))?,
        ),
        "withdraw" => Action::Withdraw,
        other => {
            return Err(missing(
                "action",
                &format!(
                    "Onbekende stap '{other}'. Kies open, accept, decline, contact_attempt, mark_not_reached, complete of withdraw."
                ),
            ));
        }
    })
}

/// Takes a step; a step the lifecycle forbids answers 409 and changes nothing.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/actions", tag = "referrals", request_body = ActionRequest,
    params(("id" = String, Path, description = "Referral id")),
    responses((status = 200, body = ReferralSummaryResponse), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn act_on_referral(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActionRequest>,
) -> Result<Json<ReferralSummaryResponse>, ApiError> {
    let action = parse_action(
        &body.action,
        body.decline_reason,
        body.outcome,
        body.reached,
    )?;
    let now = state.now();
    let summary = super::take_step(&state, &actor, &id, &action).await?;
    Ok(Json(ReferralSummaryResponse::from(summary, now)))
}

/// What to propose a destination for.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProposalRequest {
    pub topic: String,
    #[serde(default)]
    pub agency: Option<Agency>,
    pub pc4: String,
    /// For users of several organisations: the one that would send (default: the first).
    #[serde(default)]
    pub sender_organisation_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalResponse {
    pub organisation_id: String,
    pub help_point_id: Option<String>,
    pub consultation_hour_id: Option<String>,
    pub routing_rule_id: Option<String>,
    /// Why, in Dutch.
    pub why: String,
}

/// Where keten would send a referral for this topic and postcode (404 when nowhere).
#[utoipa::path(post, path = "/api/v1/referrals/proposal", tag = "referrals", request_body = ProposalRequest,
    responses((status = 200, body = ProposalResponse), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn propose_referral_destination(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ProposalRequest>,
) -> Result<Json<ProposalResponse>, ApiError> {
    require_referral_role(&actor)?;
    let sender = super::sending_organisation(&actor, body.sender_organisation_id.as_deref())?;
    let area = area_of(body.pc4.trim())?;
    let p = propose_destination(&state, body.topic.trim(), body.agency, &area)
        .await?
        .ok_or(AppError::NotFound)?;
    // As when sending: the rules pointing at the sender itself mean it helps the resident itself.
    if p.organisation_id == sender {
        return Err(AppError::Validation(vec![ValidationError::new(
            "destination",
            super::OWN_ORGANISATION_HELPS,
        )])
        .into());
    }
    Ok(Json(ProposalResponse {
        organisation_id: p.organisation_id,
        help_point_id: p.help_point_id,
        consultation_hour_id: p.consultation_hour_id,
        routing_rule_id: p.rule_id,
        why: p.why.into(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MunicipalityQuery {
    /// CBS or NIS code, e.g. `GM0599`.
    pub municipality: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: ReferralStatus,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonCount {
    pub reason: DeclineReason,
    pub count: i64,
}

/// Counts and lead times for steering: never a single referral or personal data.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralStatisticsResponse {
    pub municipality_code: String,
    pub by_status: Vec<StatusCount>,
    pub overdue: i64,
    pub mean_hours_to_accept: Option<f64>,
    pub declined_by_reason: Vec<ReasonCount>,
}

/// A municipality's referral counts (its steering role).
#[utoipa::path(get, path = "/api/v1/referrals/statistics", tag = "referrals", params(MunicipalityQuery),
    responses((status = 200, body = ReferralStatisticsResponse), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn referral_statistics(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<MunicipalityQuery>,
) -> Result<Json<ReferralStatisticsResponse>, ApiError> {
    let stats = state
        .store
        .referral_statistics(&actor, &q.municipality, state.now())
        .await?;
    Ok(Json(ReferralStatisticsResponse {
        municipality_code: q.municipality,
        by_status: stats
            .by_status
            .into_iter()
            .map(|(status, count)| StatusCount { status, count })
            .collect(),
        overdue: stats.overdue,
        mean_hours_to_accept: stats
            .mean_seconds_to_accept
            .map(|s| (s as f64 / 360.0).round() / 10.0),
        declined_by_reason: stats
            .declined_by_reason
            .into_iter()
            .map(|(reason, count)| ReasonCount { reason, count })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingRuleResponse {
    pub id: String,
    pub municipality_code: String,
    pub topic: String,
    pub agency: Option<Agency>,
    pub priority: i64,
    pub organisation_id: String,
    pub organisation_name: String,
    pub help_point_id: Option<String>,
    pub help_point_name: Option<String>,
    pub consultation_hour_id: Option<String>,
    pub consultation_hour_title: Option<String>,
}

impl From<RoutingRule> for RoutingRuleResponse {
    fn from(r: RoutingRule) -> Self {
        let (help_point_id, consultation_hour_id) = match r.rule.target {
            RuleTarget::Organisation(_) => (None, None),
            RuleTarget::HelpPoint(h) => (Some(h), None),
            RuleTarget::ConsultationHour(c) => (None, Some(c)),
        };
        Self {
            id: r.rule.id,
            municipality_code: r.rule.municipality_code,
            topic: r.rule.topic_code,
            agency: r.rule.agency,
            priority: r.rule.priority,
            organisation_id: r.rule.organisation_id,
            organisation_name: r.organisation_name,
            help_point_id,
            help_point_name: r.help_point_name,
            consultation_hour_id,
            consultation_hour_title: r.consultation_hour_title,
        }
    }
}

/// The routing rules of a municipality in the caller's chains.
#[utoipa::path(get, path = "/api/v1/routing-rules", tag = "referrals", params(MunicipalityQuery),
    responses((status = 200, body = [RoutingRuleResponse]), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_routing_rules(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<MunicipalityQuery>,
) -> Result<Json<Vec<RoutingRuleResponse>>, ApiError> {
    if !actor.is_admin() && !actor.chain_municipalities.contains(&q.municipality) {
        return Err(AppError::NotFound.into());
    }
    let rules = state.store.routing_rules(&q.municipality).await?;
    Ok(Json(rules.into_iter().map(Into::into).collect()))
}

/// A new routing rule.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RoutingRuleRequest {
    pub municipality_code: String,
    pub topic: String,
    #[serde(default)]
    pub agency: Option<Agency>,
    /// Lower goes first; default 1.
    #[serde(default)]
    pub priority: Option<i64>,
    pub organisation_id: String,
    #[serde(default)]
    pub help_point_id: Option<String>,
    #[serde(default)]
    pub consultation_hour_id: Option<String>,
}

pub(crate) async fn create_rule(
    state: &AppState,
    actor: &keten_store::Actor,
    body: &RoutingRuleRequest,
) -> Result<RoutingRule, AppError> {
    require_steering(actor)?;
    let mut errors = Vec::new();
    let topics = state.store.topics().await?;
    if !topics.iter().any(|t| t.code == body.topic.trim()) {
        errors.push(ValidationError::new(
            "topic",
            "Kies een bestaand onderwerp.",
        ));
    }
    let priority = body.priority.unwrap_or(1);
    if !(1..=99).contains(&priority) {
        errors.push(ValidationError::new(
            "priority",
            "Kies een volgorde van 1 tot en met 99.",
        ));
    }
    let blank = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    let (help_point_id, consultation_hour_id) = (
        blank(&body.help_point_id),
        blank(&body.consultation_hour_id),
    );
    if help_point_id.is_some() && consultation_hour_id.is_some() {
        errors.push(ValidationError::new(
            "help_point_id",
            "Kies een hulppunt of een spreekuur, niet allebei.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    state
        .store
        .create_routing_rule(
            actor,
            &NewRoutingRule {
                municipality_code: body.municipality_code.trim().to_owned(),
                topic_code: body.topic.trim().to_owned(),
                agency: body.agency,
                priority,
                organisation_id: body.organisation_id.trim().to_owned(),
                help_point_id,
                consultation_hour_id,
            },
            state.now(),
        )
        .await
        .map_err(|e| match e {
            keten_store::StoreError::Conflict(_) => {
                AppError::Validation(vec![ValidationError::new(
                    "organisation_id",
                    "Het hulppunt of spreekuur hoort niet bij deze organisatie.",
                )])
            }
            other => other.into(),
        })
}

/// Adds a routing rule (steering of that municipality).
#[utoipa::path(post, path = "/api/v1/routing-rules", tag = "referrals", request_body = RoutingRuleRequest,
    responses((status = 201, body = RoutingRuleResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_routing_rule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<RoutingRuleRequest>,
) -> Result<(StatusCode, Json<RoutingRuleResponse>), ApiError> {
    let rule = create_rule(&state, &actor, &body).await?;
    Ok((StatusCode::CREATED, Json(rule.into())))
}

/// Removes a routing rule (steering of its municipality).
#[utoipa::path(delete, path = "/api/v1/routing-rules/{id}", tag = "referrals",
    params(("id" = String, Path, description = "Rule id")),
    responses((status = 204), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn delete_routing_rule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require_steering(&actor)?;
    state.store.delete_routing_rule(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Only an organisation's coordinator reads its audit trail and carries out a resident's AVG request.
fn require_coordinator(actor: &keten_store::Actor) -> Result<(), AppError> {
    if actor.has_role(keten_core::account::Role::Coordinator) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn coordinates(actor: &keten_store::Actor, organisation_id: &str) -> bool {
    actor
        .organisation_ids_with(keten_core::account::Role::Coordinator)
        .any(|o| o == organisation_id)
}

/// Erases the resident's contact data now, at their request (AVG); the timeline stays. Coordinators only.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/erase", tag = "referrals",
    params(("id" = String, Path, description = "Referral id")),
    responses((status = 204), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn erase_referral_contact(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require_coordinator(&actor)?;
    let summary = state.store.referral_summary(&actor, &id).await?;
    // The coordinator of the organisation on whose side the actor is, as on the AVG page.
    let own_side = match summary.party {
        Party::Receiver => &summary.organisation_id,
        Party::Sender => &summary.sender_organisation_id,
    };
    if !coordinates(&actor, own_side) {
        return Err(AppError::Forbidden.into());
    }
    state
        .store
        .erase_referral_contact(&actor, &id, state.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// The organisation whose trail to read; the caller must be a member.
    pub organisation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventResponse {
    pub at: i64,
    pub user_id: Option<String>,
    pub organisation_id: Option<String>,
    /// `create`, `read`, `erase`, `purge`, `reroute` (sent to another organisation) or `search` (found
    /// for a resident's AVG request).
    pub action: String,
    pub referral_id: String,
}

/// The audit trail of the referrals an organisation sent or received (newest 500). Its coordinators only.
#[utoipa::path(get, path = "/api/v1/referrals/audit", tag = "referrals", params(AuditQuery),
    responses((status = 200, body = [AuditEventResponse]), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn referral_audit_trail(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEventResponse>>, ApiError> {
    require_coordinator(&actor)?;
    if !coordinates(&actor, &q.organisation) {
        return Err(AppError::NotFound.into());
    }
    let trail = state
        .store
        .referral_audit_trail(&actor, &q.organisation, 500)
        .await?;
    Ok(Json(
        trail
            .into_iter()
            .map(|a| AuditEventResponse {
                at: a.at,
                user_id: a.actor_user_id,
                organisation_id: a.actor_organisation_id,
                action: a.action,
                referral_id: a.subject_id,
            })
            .collect(),
    ))
}
