//! Reminders to check help points: which points are due (not checked by a person for months, no reminder lately) and who hears about them.

use crate::Store;
use crate::error::Result;

/// A help point whose coordinators are to be reminded to check it. Public directory data only.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueCheck {
    pub id: String,
    pub organisation_id: String,
    pub name: String,
    pub postcode: String,
    pub city: String,
    pub last_checked_at: Option<i64>,
}

impl Store {
    /// Help points not checked by a person since `checked_before` (or never) whose last reminder was sent before
    /// `reminded_before` (or never), by organisation and name; permanently closed points are left alone. Each is
    /// claimed by marking its reminder sent at `now`, with a conditional update, so that several instances running
    /// the hourly task at the same time never remind twice.
    pub async fn take_due_check_reminders(
        &self,
        now: i64,
        checked_before: i64,
        reminded_before: i64,
    ) -> Result<Vec<DueCheck>> {
        let candidates: Vec<DueCheck> = sqlx::query_as(
            "SELECT id, organisation_id, name, postcode, city, last_checked_at FROM help_points \
             WHERE status <> 'closed' AND (last_checked_at IS NULL OR last_checked_at < $1) \
             AND (check_reminder_sent_at IS NULL OR check_reminder_sent_at < $2) \
             ORDER BY organisation_id, name, id",
        )
        .bind(checked_before)
        .bind(reminded_before)
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = Vec::with_capacity(candidates.len());
        if candidates.is_empty() {
            return Ok(claimed);
        }
        let mut tx = self.pool.begin().await?;
        for point in candidates {
            // A reminder is not a change residents see: no updated_at, no directory revision.
            let won = sqlx::query(
                "UPDATE help_points SET check_reminder_sent_at = $1 WHERE id = $2 \
                 AND (check_reminder_sent_at IS NULL OR check_reminder_sent_at < $3)",
            )
            .bind(now)
            .bind(&point.id)
            .bind(reminded_before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if won == 1 {
                claimed.push(point);
            }
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// E-mail addresses of those who keep an organisation's help points: its coordinators, or its staff when it has
    /// no coordinator. Disabled accounts are left out.
    pub async fn check_reminder_recipients(&self, organisation_id: &str) -> Result<Vec<String>> {
        for role in ["coordinator", "staff"] {
            let emails: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT u.email FROM memberships m JOIN users u ON u.id = m.user_id \
                 WHERE m.organisation_id = $1 AND m.role = $2 AND u.disabled_at IS NULL ORDER BY u.email",
            )
            .bind(organisation_id)
            .bind(role)
            .fetch_all(&self.pool)
            .await?;
            if !emails.is_empty() {
                return Ok(emails);
            }
        }
        Ok(Vec::new())
    }
}
