//! Webhooks per organisation: the settings, the outbox of referral events and its delivery bookkeeping.
//!
//! Tenant rule: an organisation's webhook and its deliveries are for its own members and admins; anyone else
//! gets NotFound. Which role may change them is the web layer's check.

use crate::error::{Result, StoreError};
use crate::{Actor, Store, new_id};
use keten_core::webhook::{EventFacts, WebhookEvent, recipients};
use std::fmt;

/// The signing secret: `Debug` and `Display` never print it, so it cannot slip into a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    pub fn new(secret: String) -> Self {
        Self(secret)
    }

    /// The secret itself, for signing and for showing once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

/// An organisation's webhook as pages and the API show it: no secret.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Webhook {
    pub organisation_id: String,
    pub url: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One row of the outbox, as the coordinator's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Delivery {
    pub id: String,
    pub event_id: String,
    pub referral_id: String,
    pub event_type: String,
    pub created_at: i64,
    /// pending, delivered or failed.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub last_attempt_at: Option<i64>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
}

/// A delivery the worker now holds, with where to send it and the secret to sign it with.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    pub attempts: i64,
    /// `None` when the organisation removed its webhook since: the delivery is dropped.
    pub target: Option<(String, WebhookSecret)>,
}

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    Delivered {
        status_code: u16,
    },
    /// Failed; try again at `next_attempt_at`, or give up when it is `None`.
    Failed {
        status_code: Option<u16>,
        error: String,
        next_attempt_at: Option<i64>,
    },
}

/// Seconds a worker may hold a claimed delivery before another process may take it over.
const LEASE_SECONDS: i64 = 120;

/// Members of the organisation, or an admin; anyone else does not see it exist.
fn check_access(actor: &Actor, organisation_id: &str) -> Result<()> {
    if actor.is_admin() || actor.is_member_of(organisation_id) {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

impl Store {
    /// The organisation's webhook, if it has one.
    pub async fn webhook(&self, actor: &Actor, organisation_id: &str) -> Result<Option<Webhook>> {
        check_access(actor, organisation_id)?;
        Ok(sqlx::query_as(
            "SELECT organisation_id, url, created_at, updated_at FROM organisation_webhooks \
             WHERE organisation_id = $1",
        )
        .bind(organisation_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Sets the webhook's address; `new_secret` replaces the secret (required when there is no webhook yet).
    /// Returns false when there is no webhook and no secret was given.
    pub async fn set_webhook(
        &self,
        actor: &Actor,
        organisation_id: &str,
        url: &str,
        new_secret: Option<&WebhookSecret>,
        now: i64,
    ) -> Result<bool> {
        check_access(actor, organisation_id)?;
        let mut tx = self.pool.begin().await?;
        let updated = match new_secret {
            Some(secret) => sqlx::query(
                "UPDATE organisation_webhooks SET url = $1, secret = $2, updated_by = $3, updated_at = $4 \
                 WHERE organisation_id = $5",
            )
            .bind(url)
            .bind(secret.expose())
            .bind(&actor.user_id)
            .bind(now)
            .bind(organisation_id)
            .execute(&mut *tx)
            .await?,
            None => sqlx::query(
                "UPDATE organisation_webhooks SET url = $1, updated_by = $2, updated_at = $3 \
                 WHERE organisation_id = $4",
            )
            .bind(url)
            .bind(&actor.user_id)
            .bind(now)
            .bind(organisation_id)
            .execute(&mut *tx)
            .await?,
        };
        if updated.rows_affected() == 0 {
            let Some(secret) = new_secret else {
                return Ok(false);
            };
            sqlx::query(
                "INSERT INTO organisation_webhooks (organisation_id, url, secret, updated_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(organisation_id)
            .bind(url)
            .bind(secret.expose())
            .bind(&actor.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Removes the webhook; deliveries still waiting are given up. Returns false when there was none.
    pub async fn delete_webhook(
        &self,
        actor: &Actor,
        organisation_id: &str,
        now: i64,
    ) -> Result<bool> {
        check_access(actor, organisation_id)?;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM organisation_webhooks WHERE organisation_id = $1")
            .bind(organisation_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, last_attempt_at = $1, \
             last_error = 'webhook removed' WHERE organisation_id = $2 AND status = 'pending'",
        )
        .bind(now)
        .bind(organisation_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// The organisation's most recent deliveries, newest first.
    pub async fn webhook_deliveries(
        &self,
        actor: &Actor,
        organisation_id: &str,
        limit: i64,
    ) -> Result<Vec<Delivery>> {
        check_access(actor, organisation_id)?;
        Ok(sqlx::query_as(
            "SELECT id, event_id, referral_id, event_type, created_at, status, attempts, next_attempt_at, \
             last_attempt_at, last_status_code, last_error, delivered_at FROM webhook_deliveries \
             WHERE organisation_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(organisation_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Claims up to `limit` deliveries that are due, each under a short lease; another process skips them.
    pub async fn claim_due_webhook_deliveries(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<DueDelivery>> {
        type DueRow = (
            String,
            String,
            String,
            String,
            i64,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<DueRow> = sqlx::query_as(
            "SELECT d.id, d.event_id, d.event_type, d.payload, d.attempts, w.url, w.secret \
             FROM webhook_deliveries d LEFT JOIN organisation_webhooks w ON w.organisation_id = d.organisation_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 \
             AND (d.claimed_until IS NULL OR d.claimed_until < $1) \
             ORDER BY d.next_attempt_at, d.created_at, d.id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, event_id, event_type, payload, attempts, url, secret) in rows {
            // Compare-and-set: only the process whose update lands holds the row.
            let claimed = sqlx::query(
                "UPDATE webhook_deliveries SET claimed_until = $1 WHERE id = $2 AND status = 'pending' \
                 AND (claimed_until IS NULL OR claimed_until < $3)",
            )
            .bind(now + LEASE_SECONDS)
            .bind(&id)
            .bind(now)
            .execute(&self.pool)
            .await?;
            if claimed.rows_affected() == 1 {
                out.push(DueDelivery {
                    id,
                    event_id,
                    event_type,
                    payload,
                    attempts,
                    target: url.zip(secret.map(WebhookSecret)),
                });
            }
        }
        Ok(out)
    }

    /// Records how an attempt went and releases the lease.
    pub async fn finish_webhook_attempt(
        &self,
        id: &str,
        result: &AttemptResult,
        now: i64,
    ) -> Result<()> {
        match result {
            AttemptResult::Delivered { status_code } => {
                sqlx::query(
                    "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, \
                     last_attempt_at = $1, delivered_at = $1, last_status_code = $2, last_error = NULL, \
                     next_attempt_at = NULL, claimed_until = NULL WHERE id = $3",
                )
                .bind(now)
                .bind(i64::from(*status_code))
                .bind(id)
                .execute(&self.pool)
                .await?;
            }
            AttemptResult::Failed {
                status_code,
                error,
                next_attempt_at,
            } => {
                sqlx::query(
                    "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, last_attempt_at = $2, \
                     last_status_code = $3, last_error = $4, next_attempt_at = $5, claimed_until = NULL \
                     WHERE id = $6",
                )
                .bind(if next_attempt_at.is_some() {
                    "pending"
                } else {
                    "failed"
                })
                .bind(now)
                .bind(status_code.map(i64::from))
                .bind(error)
                .bind(*next_attempt_at)
                .bind(id)
                .execute(&self.pool)
                .await?;
            }
        }
        Ok(())
    }

    /// Removes delivered and failed deliveries older than `before` (the page shows recent ones only).
    pub async fn purge_webhook_deliveries(&self, before: i64) -> Result<u64> {
        Ok(sqlx::query(
            "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1",
        )
        .bind(before)
        .execute(&self.pool)
        .await?
        .rows_affected())
    }
}

/// Writes the outbox rows for one timeline event, inside the event's transaction: the message goes out if and
/// only if the step was stored. Organisations without a webhook get nothing.
pub(crate) async fn enqueue_referral_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: &str,
    referral_id: &str,
    at: i64,
    action: &str,
    actor_organisation_id: Option<&str>,
) -> Result<()> {
    let (sender, receiver, sees, status): (String, String, i64, String) = sqlx::query_as(
        "SELECT sender_organisation_id, organisation_id, sender_sees_progress, status FROM referrals WHERE id = $1",
    )
    .bind(referral_id)
    .fetch_one(&mut **tx)
    .await?;
    let told = recipients(EventFacts {
        action,
        sender_organisation_id: &sender,
        receiver_organisation_id: &receiver,
        sender_sees_progress: sees != 0,
        actor_organisation_id,
    });
    let occurred_at = jiff::Timestamp::from_second(at)
        .map(|t| t.to_string())
        .unwrap_or_default();
    for (organisation_id, event_type) in told {
        let has_webhook: Option<String> = sqlx::query_scalar(
            "SELECT organisation_id FROM organisation_webhooks WHERE organisation_id = $1",
        )
        .bind(&organisation_id)
        .fetch_optional(&mut **tx)
        .await?;
        if has_webhook.is_none() {
            continue;
        }
        let payload = serde_json::to_string(&WebhookEvent {
            id: event_id.to_owned(),
            event_type,
            organisation_id: organisation_id.clone(),
            referral_id: referral_id.to_owned(),
            status: status.clone(),
            action: action.to_owned(),
            occurred_at: occurred_at.clone(),
        })
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, event_id, organisation_id, referral_id, event_type, payload, \
             created_at, status, attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $7)",
        )
        .bind(new_id())
        .bind(event_id)
        .bind(&organisation_id)
        .bind(referral_id)
        .bind(event_type)
        .bind(payload)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
