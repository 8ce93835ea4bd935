//! Referrals: sending, the inbox, steps of the lifecycle with their timeline, consent, audit events and the purge.
//!
//! Tenant rule: a referral exists only for members of its sending or receiving organisation; anyone else
//! (another organisation, steering, even an admin) gets NotFound. Steering sees counts and lead times only
//! ([`Store::referral_statistics`]). Every read that returns the resident's contact data writes an audit event.

use crate::error::{Result, StoreError};
use crate::sql::Sql;
use crate::{Actor, Store, new_id, parse_code};
use keten_core::help_question::{Agency, Outcome};
use keten_core::referral::{
    Action, ConsentDraft, ConsentMethod, ContactChannel, DeclineReason, Lifecycle, Party,
    PreferredMoment, ReferralDraft, ReferralSource, ReferralStatus, TransitionError, transition,
};

/// Where a new referral goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub organisation_id: String,
    pub help_point_id: Option<String>,
    pub consultation_hour_id: Option<String>,
    pub routing_rule_id: Option<String>,
}

/// Everything needed to store a new referral besides the checked draft.
#[derive(Debug, Clone)]
pub struct NewReferral<'a> {
    pub draft: &'a ReferralDraft,
    pub source: ReferralSource,
    pub municipality_code: String,
    pub sender_organisation_id: String,
    pub destination: Destination,
    pub sent_at: i64,
    pub due_at: i64,
}

/// A referral in a list: no personal data, so listing writes no audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralSummary {
    pub id: String,
    pub municipality_code: String,
    pub source: ReferralSource,
    pub sender_organisation_id: String,
    pub sender_organisation_name: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub help_point_id: Option<String>,
    pub help_point_name: Option<String>,
    /// `None` when the actor is the sender and the resident did not allow it to follow progress.
    pub status: Option<ReferralStatus>,
    pub topics: Vec<String>,
    pub agency: Option<Agency>,
    pub pc4: String,
    pub failed_attempts: u32,
    pub decline_reason: Option<DeclineReason>,
    pub outcome: Option<Outcome>,
    pub sender_sees_progress: bool,
    pub sent_at: i64,
    pub due_at: i64,
    pub accepted_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub erased_at: Option<i64>,
    /// How the actor stands to this referral.
    pub party: Party,
}

/// The resident's personal data, as the sender entered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactData {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub preferred_moment: PreferredMoment,
    pub reason: String,
}

/// One step of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralEvent {
    pub at: i64,
    pub action: String,
    pub from_status: Option<ReferralStatus>,
    pub to_status: ReferralStatus,
    pub actor_organisation_id: Option<String>,
    pub actor_organisation_name: Option<String>,
    pub decline_reason: Option<DeclineReason>,
    pub outcome: Option<Outcome>,
    /// Where a re-route sent it (the new receiving organisation).
    pub to_organisation_name: Option<String>,
}

/// The consent as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    pub organisation_id: String,
    pub purpose: String,
    pub text_version: String,
    pub method: ConsentMethod,
    pub sender_sees_progress: bool,
    pub given_at: i64,
    pub withdrawn_at: Option<i64>,
}

/// A referral with its timeline, consents and (when not erased) the contact data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralDetail {
    pub summary: ReferralSummary,
    pub contact: Option<ContactData>,
    pub events: Vec<ReferralEvent>,
    pub consents: Vec<ConsentRecord>,
}

/// Which list of referrals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralBox {
    /// Received by the actor's organisations.
    Inbox,
    /// Sent by the actor's organisations.
    Sent,
}

/// One audit event, as a coordinator reads the trail.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEvent {
    pub at: i64,
    pub actor_user_id: Option<String>,
    pub actor_organisation_id: Option<String>,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: String,
}

/// Counts and lead times of a municipality's referrals, for steering: no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReferralStatistics {
    pub by_status: Vec<(ReferralStatus, i64)>,
    pub overdue: i64,
    /// Mean seconds from sending to acceptance, over accepted referrals.
    pub mean_seconds_to_accept: Option<i64>,
    pub declined_by_reason: Vec<(DeclineReason, i64)>,
}

/// Why a step on a referral failed.
#[derive(Debug, thiserror::Error)]
pub enum ReferralError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Refused(#[from] TransitionError),
}

impl From<sqlx::Error> for ReferralError {
    fn from(e: sqlx::Error) -> Self {
        ReferralError::Store(e.into())
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow {
    id: String,
    municipality_code: String,
    source: String,
    sender_organisation_id: String,
    sender_organisation_name: String,
    organisation_id: String,
    organisation_name: String,
    help_point_id: Option<String>,
    help_point_name: Option<String>,
    status: String,
    agency: Option<String>,
    pc4: String,
    failed_attempts: i64,
    decline_reason: Option<String>,
    outcome: Option<String>,
    sender_sees_progress: i64,
    sent_at: i64,
    due_at: i64,
    accepted_at: Option<i64>,
    closed_at: Option<i64>,
    erased_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    at: i64,
    action: String,
    from_status: Option<String>,
    to_status: String,
    actor_organisation_id: Option<String>,
    organisation_name: Option<String>,
    decline_reason: Option<String>,
    outcome: Option<String>,
    to_organisation_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ConsentRow {
    organisation_id: String,
    purpose: String,
    text_version: String,
    method: String,
    sender_sees_progress: i64,
    given_at: i64,
    withdrawn_at: Option<i64>,
}

type ContactRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub(crate) const SELECT_SUMMARY: &str = "SELECT r.id, r.municipality_code, r.source, r.sender_organisation_id, \
     so.name AS sender_organisation_name, r.organisation_id, ro.name AS organisation_name, r.help_point_id, \
     h.name AS help_point_name, r.status, r.agency, r.pc4, r.failed_attempts, r.decline_reason, r.outcome, \
     r.sender_sees_progress, r.sent_at, r.due_at, r.accepted_at, r.closed_at, r.erased_at \
     FROM referrals r JOIN organisations so ON so.id = r.sender_organisation_id \
     JOIN organisations ro ON ro.id = r.organisation_id \
     LEFT JOIN help_points h ON h.id = r.help_point_id WHERE 1 = 1";

/// The party the actor is on a referral; receiving wins when it is both (a library referring to itself).
fn party_of(actor: &Actor, sender: &str, receiver: &str) -> Option<Party> {
    if actor.refers_for(receiver) {
        Some(Party::Receiver)
    } else if actor.refers_for(sender) {
        Some(Party::Sender)
    } else {
        None
    }
}

fn opt_code<T: std::str::FromStr>(code: Option<String>) -> Result<Option<T>> {
    code.as_deref().map(parse_code).transpose()
}

impl SummaryRow {
    pub(crate) fn into_summary(self, actor: &Actor) -> Result<ReferralSummary> {
        let party = party_of(actor, &self.sender_organisation_id, &self.organisation_id)
            .ok_or(StoreError::NotFound)?;
        let sees_progress = self.sender_sees_progress != 0;
        let status: ReferralStatus = parse_code(&self.status)?;
        let hide = party == Party::Sender && !status.shown_to_sender(sees_progress);
        Ok(ReferralSummary {
            status: (!hide).then_some(status),
            source: parse_code(&self.source)?,
            agency: opt_code(self.agency)?,
            decline_reason: if hide {
                None
            } else {
                opt_code(self.decline_reason)?
            },
            outcome: if hide { None } else { opt_code(self.outcome)? },
            failed_attempts: u32::try_from(self.failed_attempts).unwrap_or(0),
            accepted_at: if hide { None } else { self.accepted_at },
            closed_at: if hide { None } else { self.closed_at },
            id: self.id,
            municipality_code: self.municipality_code,
            sender_organisation_id: self.sender_organisation_id,
            sender_organisation_name: self.sender_organisation_name,
            organisation_id: self.organisation_id,
            organisation_name: self.organisation_name,
            help_point_id: self.help_point_id,
            help_point_name: self.help_point_name,
            topics: Vec::new(),
            pc4: self.pc4,
            sender_sees_progress: sees_progress,
            sent_at: self.sent_at,
            due_at: self.due_at,
            erased_at: self.erased_at,
            party,
        })
    }
}

/// Appends the tenant predicate: the actor's organisations sent or received it.
fn push_party_filter(actor: &Actor, sql: &mut Sql) {
    sql.push(" AND (r.sender_organisation_id IN ");
    sql.bind_list(actor.referral_organisation_ids());
    sql.push(" OR r.organisation_id IN ");
    sql.bind_list(actor.referral_organisation_ids());
    sql.push(")");
}

#[expect(
    clippy::too_many_arguments,
    reason = "one argument per timeline column"
)]
async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    referral_id: &str,
    at: i64,
    action: &str,
    from: Option<ReferralStatus>,
    to: ReferralStatus,
    actor_organisation_id: Option<&str>,
    actor_user_id: Option<&str>,
    reason: Option<DeclineReason>,
    outcome: Option<Outcome>,
) -> Result<()> {
    let seq: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM referral_events WHERE referral_id = $1",
    )
    .bind(referral_id)
    .fetch_one(&mut **tx)
    .await?;
    let event_id = new_id();
    sqlx::query(
        "INSERT INTO referral_events (id, referral_id, at, seq, action, from_status, to_status, \
         actor_organisation_id, actor_user_id, decline_reason, outcome) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&event_id)
    .bind(referral_id)
    .bind(at)
    .bind(seq)
    .bind(action)
    .bind(from.map(|s| s.as_str().to_owned()))
    .bind(to.as_str())
    .bind(actor_organisation_id)
    .bind(actor_user_id)
    .bind(reason.map(|r| r.as_str().to_owned()))
    .bind(outcome.map(|o| o.as_str().to_owned()))
    .execute(&mut **tx)
    .await?;
    // The partners' webhooks hear of the step in the same transaction (the outbox).
    crate::webhooks::enqueue_referral_event(
        tx,
        &event_id,
        referral_id,
        at,
        action,
        actor_organisation_id,
    )
    .await
}

pub(crate) async fn insert_audit<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    executor: E,
    at: i64,
    actor: &Actor,
    actor_organisation_id: Option<&str>,
    action: &str,
    summary: (&str, &str, &str),
) -> Result<()> {
    let (id, sender, receiver) = summary;
    sqlx::query(
        "INSERT INTO audit_events (id, at, actor_user_id, actor_organisation_id, action, subject_kind, \
         subject_id, sender_organisation_id, receiver_organisation_id) \
         VALUES ($1, $2, $3, $4, $5, 'referral', $6, $7, $8)",
    )
    .bind(new_id())
    .bind(at)
    .bind(&actor.user_id)
    .bind(actor_organisation_id)
    .bind(action)
    .bind(id)
    .bind(sender)
    .bind(receiver)
    .execute(executor)
    .await?;
    Ok(())
}

const ERASE_CONTACT: &str = "resident_name = NULL, contact_phone = NULL, contact_email = NULL, \
     preferred_moment = NULL, reason = NULL";

impl Store {
    /// Stores a new referral with its topics, consent and first timeline event, all or nothing. The actor must
    /// be a member of the sending organisation (or the organisation's API token); a destination outside the
    /// actor's chains is NotFound.
    pub async fn create_referral(&self, actor: &Actor, new: &NewReferral<'_>) -> Result<String> {
        if !actor.refers_for(&new.sender_organisation_id) {
            return Err(StoreError::NotFound);
        }
        let mut visible = Sql::new("SELECT o.id FROM organisations o WHERE o.id = ");
        visible.bind(new.destination.organisation_id.clone());
        actor.push_organisation_filter(&mut visible, "o.id");
        let found: Option<(String,)> = visible.query_as()?.fetch_optional(&self.pool).await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        let draft = new.draft;
        let (phone, email) = match &draft.contact.channel {
            ContactChannel::Phone(p) => (Some(p.clone()), None),
            ContactChannel::Email(e) => (None, Some(e.as_str().to_owned())),
        };
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO referrals (id, municipality_code, source, sender_organisation_id, sender_user_id, \
             organisation_id, help_point_id, consultation_hour_id, routing_rule_id, agency, pc4, status, \
             failed_attempts, sender_sees_progress, resident_name, contact_phone, contact_email, \
             preferred_moment, reason, sent_at, due_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'sent', 0, $12, $13, $14, $15, $16, $17, \
             $18, $19, $18)",
        )
        .bind(&id)
        .bind(&new.municipality_code)
        .bind(new.source.as_str())
        .bind(&new.sender_organisation_id)
        .bind(&actor.user_id)
        .bind(&new.destination.organisation_id)
        .bind(&new.destination.help_point_id)
        .bind(&new.destination.consultation_hour_id)
        .bind(&new.destination.routing_rule_id)
        .bind(draft.agency.map(|a| a.as_str().to_owned()))
        .bind(&draft.pc4)
        .bind(i64::from(draft.consent.sender_sees_progress))
        .bind(&draft.contact.name)
        .bind(phone)
        .bind(email)
        .bind(draft.contact.preferred_moment.as_str())
        .bind(&draft.reason)
        .bind(new.sent_at)
        .bind(new.due_at)
        .execute(&mut *tx)
        .await?;
        for (position, topic) in draft.topics.iter().enumerate() {
            sqlx::query(
                "INSERT INTO referral_topics (referral_id, topic_code, position) VALUES ($1, $2, $3)",
            )
            .bind(&id)
            .bind(topic)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
        insert_consent(
            &mut tx,
            &id,
            &new.destination.organisation_id,
            &draft.consent,
            actor,
            new.sent_at,
        )
        .await?;
        insert_event(
            &mut tx,
            &id,
            new.sent_at,
            "send",
            None,
            ReferralStatus::Sent,
            Some(&new.sender_organisation_id),
            actor.user_id.as_deref(),
            None,
            None,
        )
        .await?;
        insert_audit(
            &mut *tx,
            new.sent_at,
            actor,
            Some(&new.sender_organisation_id),
            "create",
            (
                &id,
                &new.sender_organisation_id,
                &new.destination.organisation_id,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Stores a resident's own request ("Ik wil hulp"): sender and receiver are the help point's organisation,
    /// no actor is signed in. Consent is digital, given on the form.
    pub async fn create_resident_request(&self, new: &NewReferral<'_>) -> Result<String> {
        let system = Actor {
            user_id: None,
            memberships: vec![crate::scope::Membership {
                organisation_id: new.sender_organisation_id.clone(),
                organisation_name: String::new(),
                role: keten_core::account::Role::Staff,
            }],
            chain_municipalities: Vec::new(),
            steering_municipalities: Vec::new(),
        };
        let own = NewReferral {
            destination: Destination {
                organisation_id: new.sender_organisation_id.clone(),
                ..new.destination.clone()
            },
            ..new.clone()
        };
        self.create_referral(&system, &own).await
    }

    /// The actor's referrals, newest first, without personal data.
    pub async fn referrals(
        &self,
        actor: &Actor,
        which: ReferralBox,
    ) -> Result<Vec<ReferralSummary>> {
        let mut sql = Sql::new(SELECT_SUMMARY);
        match which {
            ReferralBox::Inbox => {
                sql.push(" AND r.organisation_id IN ");
            }
            ReferralBox::Sent => {
                sql.push(" AND r.sender_organisation_id IN ");
            }
        }
        sql.bind_list(actor.referral_organisation_ids());
        sql.push(" ORDER BY r.sent_at DESC, r.id");
        let rows: Vec<SummaryRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        let mut out: Vec<ReferralSummary> = rows
            .into_iter()
            .map(|r| r.into_summary(actor))
            .collect::<Result<_>>()?;
        self.fill_topics(&mut out).await?;
        Ok(out)
    }

    pub(crate) async fn fill_topics(&self, summaries: &mut [ReferralSummary]) -> Result<()> {
        if summaries.is_empty() {
            return Ok(());
        }
        let mut sql =
            Sql::new("SELECT referral_id, topic_code FROM referral_topics WHERE referral_id IN ");
        sql.bind_list(summaries.iter().map(|s| s.id.clone()));
        sql.push(" ORDER BY referral_id, position");
        let rows: Vec<(String, String)> = sql.query_as()?.fetch_all(&self.pool).await?;
        for s in summaries.iter_mut() {
            s.topics = rows
                .iter()
                .filter(|(id, _)| *id == s.id)
                .map(|(_, t)| t.clone())
                .collect();
        }
        Ok(())
    }

    /// One referral without personal data (no audit event); NotFound outside the two organisations.
    pub async fn referral_summary(&self, actor: &Actor, id: &str) -> Result<ReferralSummary> {
        let mut sql = Sql::new(SELECT_SUMMARY);
        sql.push(" AND r.id = ").bind(id.to_owned());
        push_party_filter(actor, &mut sql);
        let row: SummaryRow = sql
            .query_as()?
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut summary = [row.into_summary(actor)?];
        self.fill_topics(&mut summary).await?;
        let [summary] = summary;
        Ok(summary)
    }

    /// One referral with its timeline and the contact data (until erased). Reading the contact data writes
    /// an audit event. A sender the resident did not allow to follow progress sees only its own steps.
    pub async fn referral(&self, actor: &Actor, id: &str, now: i64) -> Result<ReferralDetail> {
        let summary = self.referral_summary(actor, id).await?;
        let contact_row: ContactRow = sqlx::query_as(
            "SELECT resident_name, contact_phone, contact_email, preferred_moment, reason \
                 FROM referrals WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        let contact = match contact_row {
            (Some(name), phone, email, moment, reason) => Some(ContactData {
                name,
                phone,
                email,
                preferred_moment: opt_code(moment)?.unwrap_or(PreferredMoment::Any),
                reason: reason.unwrap_or_default(),
            }),
            _ => None,
        };
        let event_rows: Vec<EventRow> =
            sqlx::query_as(
                "SELECT e.at, e.action, e.from_status, e.to_status, e.actor_organisation_id, o.name AS organisation_name, \
                 e.decline_reason, e.outcome, t.name AS to_organisation_name FROM referral_events e \
                 LEFT JOIN organisations o ON o.id = e.actor_organisation_id \
                 LEFT JOIN organisations t ON t.id = e.organisation_id \
                 WHERE e.referral_id = $1 ORDER BY e.seq",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        // The summary hides the status from a sender that may not see it; the timeline follows.
        let hide = summary.party == Party::Sender && summary.status.is_none();
        let mut events = Vec::new();
        for EventRow {
            at,
            action,
            from_status: from,
            to_status: to,
            actor_organisation_id: org,
            organisation_name: org_name,
            decline_reason: reason,
            outcome,
            to_organisation_name: to_org,
        } in event_rows
        {
            if hide && org.as_deref() != Some(summary.sender_organisation_id.as_str()) {
                continue;
            }
            events.push(ReferralEvent {
                at,
                action,
                from_status: opt_code(from)?,
                to_status: parse_code(&to)?,
                actor_organisation_id: org,
                actor_organisation_name: org_name,
                decline_reason: opt_code(reason)?,
                outcome: opt_code(outcome)?,
                to_organisation_name: to_org,
            });
        }
        let consent_rows: Vec<ConsentRow> =
            sqlx::query_as(
                "SELECT organisation_id, purpose, text_version, method, sender_sees_progress, given_at, \
                 withdrawn_at FROM referral_consents WHERE referral_id = $1 ORDER BY given_at, id",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        let consents = consent_rows
            .into_iter()
            .map(
                |ConsentRow {
                     organisation_id: org,
                     purpose,
                     text_version: version,
                     method,
                     sender_sees_progress: sees,
                     given_at: given,
                     withdrawn_at: withdrawn,
                 }| {
                    Ok(ConsentRecord {
                        organisation_id: org,
                        purpose,
                        text_version: version,
                        method: parse_code(&method)?,
                        sender_sees_progress: sees != 0,
                        given_at: given,
                        withdrawn_at: withdrawn,
                    })
                },
            )
            .collect::<Result<Vec<_>>>()?;
        if contact.is_some() {
            let org = match summary.party {
                Party::Receiver => &summary.organisation_id,
                Party::Sender => &summary.sender_organisation_id,
            };
            insert_audit(
                &self.pool,
                now,
                actor,
                Some(org),
                "read",
                (
                    id,
                    &summary.sender_organisation_id,
                    &summary.organisation_id,
                ),
            )
            .await?;
        }
        Ok(ReferralDetail {
            summary,
            contact,
            events,
            consents,
        })
    }

    /// Takes one step of the lifecycle as the actor's party; a forbidden step changes nothing. Withdrawal
    /// erases the contact data at once. "Not reached" needs the municipality's number of attempts.
    pub async fn act_on_referral(
        &self,
        actor: &Actor,
        id: &str,
        action: &Action,
        now: i64,
    ) -> Result<ReferralSummary, ReferralError> {
        let summary = self.referral_summary(actor, id).await?;
        let not_reached_after = self
            .referral_settings(&summary.municipality_code)
            .await?
            .not_reached_after;
        let status_row: (String, i64) =
            sqlx::query_as("SELECT status, failed_attempts FROM referrals WHERE id = $1")
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
        let state = Lifecycle {
            status: parse_code(&status_row.0)?,
            failed_attempts: u32::try_from(status_row.1).unwrap_or(0),
        };
        // A member of both organisations acts as whichever party the action needs.
        let party = if action.allowed_parties().contains(&summary.party) {
            summary.party
        } else if action.allowed_parties().contains(&Party::Sender)
            && actor.refers_for(&summary.sender_organisation_id)
        {
            Party::Sender
        } else {
            summary.party
        };
        let step = transition(state, party, action, not_reached_after).map_err(|e| {
            if party == Party::Sender && summary.status.is_none() {
                e.without_status()
            } else {
                e
            }
        })?;
        let acting_org = match party {
            Party::Receiver => summary.organisation_id.clone(),
            Party::Sender => summary.sender_organisation_id.clone(),
        };
        let mut tx = self.pool.begin().await?;
        let mut sql = Sql::new("UPDATE referrals SET status = ");
        sql.bind(step.to.as_str().to_owned());
        sql.push(", failed_attempts = ")
            .bind(i64::from(step.lifecycle.failed_attempts));
        sql.push(", updated_at = ").bind(now);
        if step.to == ReferralStatus::Accepted && state.status != ReferralStatus::Accepted {
            sql.push(", accepted_at = ").bind(now);
        }
        if step.to.is_closed() {
            sql.push(", closed_at = ").bind(now);
        }
        if let Action::Decline(reason) = action {
            sql.push(", decline_reason = ")
                .bind(reason.as_str().to_owned());
        }
        if let Action::Complete(outcome) = action {
            sql.push(", outcome = ").bind(outcome.as_str().to_owned());
        }
        if step.erase_contact {
            sql.push(", ")
                .push(ERASE_CONTACT)
                .push(", erased_at = ")
                .bind(now);
        }
        // Compare-and-set: a concurrent step by someone else makes this one fail rather than overwrite.
        sql.push(" WHERE id = ").bind(id.to_owned());
        sql.push(" AND status = ")
            .bind(state.status.as_str().to_owned());
        sql.push(" AND failed_attempts = ")
            .bind(i64::from(state.failed_attempts));
        let done = sql.query()?.execute(&mut *tx).await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict("referrals_status_changed".into()).into());
        }
        if let Action::ContactAttempt { reached } = action {
            sqlx::query(
                "INSERT INTO referral_contact_attempts (id, referral_id, at, reached, user_id) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(new_id())
            .bind(id)
            .bind(now)
            .bind(i64::from(*reached))
            .bind(&actor.user_id)
            .execute(&mut *tx)
            .await?;
        }
        if step.erase_contact {
            sqlx::query(
                "UPDATE referral_consents SET withdrawn_at = $1 WHERE referral_id = $2 AND withdrawn_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            insert_audit(
                &mut *tx,
                now,
                actor,
                Some(&acting_org),
                "erase",
                (
                    id,
                    &summary.sender_organisation_id,
                    &summary.organisation_id,
                ),
            )
            .await?;
        }
        let (reason, outcome) = match action {
            Action::Decline(r) => (Some(*r), None),
            Action::Complete(o) => (None, Some(*o)),
            _ => (None, None),
        };
        insert_event(
            &mut tx,
            id,
            now,
            action.code(),
            Some(state.status),
            step.to,
            Some(&acting_org),
            actor.user_id.as_deref(),
            reason,
            outcome,
        )
        .await?;
        tx.commit().await?;
        Ok(self.referral_summary(actor, id).await?)
    }

    /// Erases the resident's contact data at their request (AVG), whatever the status; the timeline stays and
    /// records the erasure. Members of the sending or receiving organisation only.
    pub async fn erase_referral_contact(&self, actor: &Actor, id: &str, now: i64) -> Result<()> {
        let summary = self.referral_summary(actor, id).await?;
        let status: String = sqlx::query_scalar("SELECT status FROM referrals WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        let status: ReferralStatus = parse_code(&status)?;
        let acting_org = match summary.party {
            Party::Receiver => summary.organisation_id.clone(),
            Party::Sender => summary.sender_organisation_id.clone(),
        };
        let mut tx = self.pool.begin().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE referrals SET {ERASE_CONTACT}, erased_at = $1, updated_at = $1 WHERE id = $2"
        )))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        insert_event(
            &mut tx,
            id,
            now,
            "erase",
            Some(status),
            status,
            Some(&acting_org),
            actor.user_id.as_deref(),
            None,
            None,
        )
        .await?;
        insert_audit(
            &mut *tx,
            now,
            actor,
            Some(&acting_org),
            "erase",
            (
                id,
                &summary.sender_organisation_id,
                &summary.organisation_id,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The sender sends a declined referral to another organisation, with the resident's consent for it (consent
    /// is per receiving organisation). The old receiver loses sight of it; the timeline records where it went.
    pub async fn reroute_referral(
        &self,
        actor: &Actor,
        id: &str,
        destination: &Destination,
        consent: &ConsentDraft,
        now: i64,
        due_at: i64,
    ) -> Result<(), ReferralError> {
        let summary = self.referral_summary(actor, id).await?;
        if !actor.refers_for(&summary.sender_organisation_id) {
            return Err(TransitionError::WrongParty {
                action: Action::Reroute.label(),
                needed: Party::Sender,
            }
            .into());
        }
        if summary.erased_at.is_some() {
            return Err(StoreError::Conflict("referrals_contact_erased".into()).into());
        }
        // The new receiver must be in the actor's chains, as for a new referral.
        let mut visible = Sql::new("SELECT o.id FROM organisations o WHERE o.id = ");
        visible.bind(destination.organisation_id.clone());
        actor.push_organisation_filter(&mut visible, "o.id");
        let found: Option<(String,)> = visible.query_as()?.fetch_optional(&self.pool).await?;
        if found.is_none() {
            return Err(StoreError::NotFound.into());
        }
        let status: String = sqlx::query_scalar("SELECT status FROM referrals WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        let state = Lifecycle {
            status: parse_code(&status)?,
            failed_attempts: 0,
        };
        let step = transition(state, Party::Sender, &Action::Reroute, 0)?;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE referrals SET status = 'sent', failed_attempts = 0, organisation_id = $1, help_point_id = $2, \
             consultation_hour_id = $3, routing_rule_id = $4, decline_reason = NULL, closed_at = NULL, \
             accepted_at = NULL, overdue_notified_at = NULL, sender_sees_progress = $8, sent_at = $5, due_at = $6, \
             updated_at = $5 WHERE id = $7 AND status = 'declined' AND erased_at IS NULL",
        )
        .bind(&destination.organisation_id)
        .bind(&destination.help_point_id)
        .bind(&destination.consultation_hour_id)
        .bind(&destination.routing_rule_id)
        .bind(now)
        .bind(due_at)
        .bind(id)
        .bind(i64::from(consent.sender_sees_progress))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict("referrals_status_changed".into()).into());
        }
        insert_consent(
            &mut tx,
            id,
            &destination.organisation_id,
            consent,
            actor,
            now,
        )
        .await?;
        insert_event(
            &mut tx,
            id,
            now,
            Action::Reroute.code(),
            Some(state.status),
            step.to,
            Some(&summary.sender_organisation_id),
            actor.user_id.as_deref(),
            None,
            None,
        )
        .await?;
        // Handing the contact data to another organisation is a disclosure: on the new receiver's trail too.
        insert_audit(
            &mut *tx,
            now,
            actor,
            Some(&summary.sender_organisation_id),
            "reroute",
            (
                id,
                &summary.sender_organisation_id,
                &destination.organisation_id,
            ),
        )
        .await?;
        // The event's organisation is where it went, so the timeline can say so.
        sqlx::query(
            "UPDATE referral_events SET organisation_id = $1 WHERE referral_id = $2 AND action = 'reroute' \
             AND at = $3 AND organisation_id IS NULL",
        )
        .bind(&destination.organisation_id)
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Counts and lead times of a municipality's referrals for its steering role (or an admin); no personal
    /// data and no single referral. Another municipality is NotFound.
    pub async fn referral_statistics(
        &self,
        actor: &Actor,
        municipality_code: &str,
        now: i64,
    ) -> Result<ReferralStatistics> {
        if !actor.is_admin()
            && !actor
                .steering_municipalities
                .iter()
                .any(|m| m == municipality_code)
        {
            return Err(StoreError::NotFound);
        }
        let by_status: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status, CAST(COUNT(*) AS BIGINT) FROM referrals WHERE municipality_code = $1 \
             GROUP BY status ORDER BY status",
        )
        .bind(municipality_code)
        .fetch_all(&self.pool)
        .await?;
        let overdue: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM referrals WHERE municipality_code = $1 \
             AND status IN ('sent', 'received') AND due_at < $2",
        )
        .bind(municipality_code)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        let mean: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(AVG(accepted_at - sent_at) AS BIGINT) FROM referrals \
             WHERE municipality_code = $1 AND accepted_at IS NOT NULL",
        )
        .bind(municipality_code)
        .fetch_one(&self.pool)
        .await?;
        let declined: Vec<(String, i64)> = sqlx::query_as(
            "SELECT decline_reason, CAST(COUNT(*) AS BIGINT) FROM referrals WHERE municipality_code = $1 \
             AND decline_reason IS NOT NULL GROUP BY decline_reason ORDER BY decline_reason",
        )
        .bind(municipality_code)
        .fetch_all(&self.pool)
        .await?;
        Ok(ReferralStatistics {
            by_status: by_status
                .into_iter()
                .map(|(s, n)| Ok((parse_code(&s)?, n)))
                .collect::<Result<_>>()?,
            overdue,
            mean_seconds_to_accept: mean,
            declined_by_reason: declined
                .into_iter()
                .map(|(s, n)| Ok((parse_code(&s)?, n)))
                .collect::<Result<_>>()?,
        })
    }

    /// The audit trail of referrals an organisation sent or received, newest first; members only.
    pub async fn referral_audit_trail(
        &self,
        actor: &Actor,
        organisation_id: &str,
        limit: i64,
    ) -> Result<Vec<AuditEvent>> {
        Ok(self
            .referral_audit_page(actor, organisation_id, limit, 0)
            .await?
            .into_iter()
            .map(|e| e.event)
            .collect())
    }

    /// Erases the contact data of referrals closed more than the retention period ago (the municipality's
    /// setting, else `default_retention_days`); the timeline, topics, PC4 and status stay. Writes one audit
    /// event per erased referral. Returns how many were erased.
    pub async fn purge_referrals(&self, now: i64, default_retention_days: i64) -> Result<u64> {
        const EXPIRED: &str = "erased_at IS NULL AND closed_at IS NOT NULL AND closed_at <= $1 - 86400 * \
             COALESCE((SELECT s.retention_days FROM referral_settings s \
             WHERE s.municipality_code = referrals.municipality_code), $2)";
        let mut tx = self.pool.begin().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO audit_events (id, at, actor_user_id, actor_organisation_id, action, subject_kind, \
             subject_id, sender_organisation_id, receiver_organisation_id) \
             SELECT 'purge-' || id || '-' || CAST($1 AS TEXT), $1, NULL, NULL, 'purge', 'referral', id, \
             sender_organisation_id, organisation_id FROM referrals WHERE {EXPIRED}"
        )))
        .bind(now)
        .bind(default_retention_days)
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE referrals SET {ERASE_CONTACT}, erased_at = $1 WHERE {EXPIRED}"
        )))
        .bind(now)
        .bind(default_retention_days)
        .execute(&mut *tx)
        .await?;
        crate::devices::erase_device_requests(&mut tx, now).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// An organisation's name (public: it is shown on the resident's confirmation page).
    pub async fn organisation_name(&self, id: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Referrals that became overdue and were not yet reported, per receiving organisation (for notifications).
    pub async fn overdue_referral_counts(&self, now: i64) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT organisation_id, CAST(COUNT(*) AS BIGINT) FROM referrals \
             WHERE status IN ('sent', 'received') AND due_at < $1 GROUP BY organisation_id ORDER BY organisation_id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }
}

async fn insert_consent(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    referral_id: &str,
    organisation_id: &str,
    consent: &ConsentDraft,
    actor: &Actor,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO referral_consents (id, referral_id, organisation_id, purpose, text_version, method, \
         sender_sees_progress, given_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(referral_id)
    .bind(organisation_id)
    .bind(consent.purpose.as_str())
    .bind(consent.text_version)
    .bind(consent.method.as_str())
    .bind(i64::from(consent.sender_sees_progress))
    .bind(now)
    .bind(&actor.user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
