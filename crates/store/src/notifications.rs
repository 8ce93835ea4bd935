//! Who hears about referrals and how often: recipients, digest choices, overdue and digest bookkeeping.

use crate::error::Result;
use crate::sql::Sql;
use crate::{Store, parse_code};
pub use keten_core::referral::DigestChoice;

/// Someone to tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: String,
    pub email: String,
    pub digest: DigestChoice,
}

/// A digest that is due, with its counts (no single referral, no personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDigest {
    pub recipient: Recipient,
    /// Received, not yet accepted.
    pub waiting: i64,
    /// Of those, past their deadline.
    pub overdue: i64,
    /// Sent, not yet accepted by the receiver (only where the resident lets the sender follow progress).
    pub sent_waiting: i64,
    /// Closed since the last digest: received ones, and sent ones as far as the sender may see them.
    pub closed: i64,
}

impl Store {
    /// Members of an organisation who send and receive its referrals (partner, staff, coordinator) and so receive
    /// referral mail, with their choice.
    pub async fn notification_recipients(&self, organisation_id: &str) -> Result<Vec<Recipient>> {
        let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT DISTINCT u.id, u.email, n.digest FROM memberships m JOIN users u ON u.id = m.user_id \
             LEFT JOIN notification_settings n ON n.user_id = u.id \
             WHERE m.organisation_id = $1 AND m.role IN ('partner', 'staff', 'coordinator') AND u.disabled_at IS NULL \
             ORDER BY u.email",
        )
        .bind(organisation_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(user_id, email, digest)| {
                Ok(Recipient {
                    user_id,
                    email,
                    digest: digest
                        .as_deref()
                        .map(parse_code)
                        .transpose()?
                        .unwrap_or(DigestChoice::Each),
                })
            })
            .collect()
    }

    /// The user's choice (each when never chosen).
    pub async fn digest_choice(&self, user_id: &str) -> Result<DigestChoice> {
        let row: Option<String> =
            sqlx::query_scalar("SELECT digest FROM notification_settings WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row
            .as_deref()
            .map(parse_code)
            .transpose()?
            .unwrap_or(DigestChoice::Each))
    }

    pub async fn set_digest_choice(
        &self,
        user_id: &str,
        digest: DigestChoice,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM notification_settings WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        // Starting now: the first digest covers the period from the choice on.
        sqlx::query("INSERT INTO notification_settings (user_id, digest, last_digest_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(digest.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Referrals that became overdue and whose receiver was not told yet; marks them told.
    /// Returns (referral id, receiving organisation id).
    pub async fn take_new_overdue_referrals(&self, now: i64) -> Result<Vec<(String, String)>> {
        let mut tx = self.pool.begin().await?;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, organisation_id FROM referrals WHERE status IN ('sent', 'received') \
             AND due_at < $1 AND overdue_notified_at IS NULL ORDER BY due_at, id",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        if !rows.is_empty() {
            let mut sql = Sql::new("UPDATE referrals SET overdue_notified_at = ");
            sql.bind(now).push(" WHERE id IN ");
            sql.bind_list(rows.iter().map(|r| r.0.clone()));
            sql.query()?.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(rows)
    }

    /// Digests that are due (a day or a week since the last), with counts over the user's organisations;
    /// marks them sent. A user with nothing to hear of gets none.
    pub async fn take_due_digests(&self, now: i64) -> Result<Vec<DueDigest>> {
        let rows: Vec<(String, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT u.id, u.email, n.digest, n.last_digest_at FROM notification_settings n \
             JOIN users u ON u.id = n.user_id WHERE u.disabled_at IS NULL AND n.digest IN ('daily', 'weekly') \
             ORDER BY u.email",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for (user_id, email, digest, last) in rows {
            let digest: DigestChoice = parse_code(&digest)?;
            let period = if digest == DigestChoice::Weekly {
                7 * 86_400
            } else {
                86_400
            };
            let since = last.unwrap_or(0);
            if now - since < period {
                continue;
            }
            let counts: (i64, i64, i64, i64) = sqlx::query_as(
                "WITH mine AS (SELECT organisation_id FROM memberships WHERE user_id = $1 \
                 AND role IN ('partner', 'staff', 'coordinator')) SELECT \
                 CAST(COALESCE(SUM(CASE WHEN received = 1 AND r.status IN ('sent', 'received') THEN 1 ELSE 0 END), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN received = 1 AND r.status IN ('sent', 'received') AND r.due_at < $2 \
                 THEN 1 ELSE 0 END), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN received = 0 AND r.sender_sees_progress = 1 \
                 AND r.status IN ('sent', 'received') THEN 1 ELSE 0 END), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN r.closed_at >= $3 AND (received = 1 OR r.sender_sees_progress = 1 \
                 OR r.status = 'declined') THEN 1 ELSE 0 END), 0) AS BIGINT) \
                 FROM (SELECT r.*, CASE WHEN r.organisation_id IN (SELECT organisation_id FROM mine) THEN 1 ELSE 0 END \
                 AS received FROM referrals r WHERE r.organisation_id IN (SELECT organisation_id FROM mine) \
                 OR r.sender_organisation_id IN (SELECT organisation_id FROM mine)) r",
            )
            .bind(&user_id)
            .bind(now)
            .bind(since)
            .fetch_one(&self.pool)
            .await?;
            // Nothing to tell: no mail, and the period runs on from the last digest so nothing closed is missed.
            if counts == (0, 0, 0, 0) {
                continue;
            }
            sqlx::query("UPDATE notification_settings SET last_digest_at = $1 WHERE user_id = $2")
                .bind(now)
                .bind(&user_id)
                .execute(&self.pool)
                .await?;
            out.push(DueDigest {
                recipient: Recipient {
                    user_id,
                    email,
                    digest,
                },
                waiting: counts.0,
                overdue: counts.1,
                sent_waiting: counts.2,
                closed: counts.3,
            });
        }
        Ok(out)
    }
}
