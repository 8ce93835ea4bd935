//! Registration links: a revocable token per help point with which volunteers
//! without an account can register questions (and never read them).

use crate::Store;
use crate::error::{Result, StoreError};
use crate::help_questions::DeskHelpPoint;
use crate::new_id;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RegistrationLink {
    pub id: String,
    pub help_point_id: String,
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

impl Store {
    /// Stores a new link; the caller keeps the token and stores only its hash.
    pub async fn create_registration_link(
        &self,
        help_point_id: &str,
        label: &str,
        token_hash: &str,
        created_by: Option<&str>,
        now: i64,
    ) -> Result<RegistrationLink> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO registration_links (id, help_point_id, token_hash, label, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(help_point_id)
        .bind(token_hash)
        .bind(label)
        .bind(created_by)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(RegistrationLink {
            id,
            help_point_id: help_point_id.to_owned(),
            label: label.to_owned(),
            created_at: now,
            revoked_at: None,
        })
    }

    pub async fn registration_links(&self, help_point_id: &str) -> Result<Vec<RegistrationLink>> {
        Ok(sqlx::query_as(
            "SELECT id, help_point_id, label, created_at, revoked_at FROM registration_links \
             WHERE help_point_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(help_point_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn revoke_registration_link(
        &self,
        help_point_id: &str,
        id: &str,
        now: i64,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE registration_links SET revoked_at = $1 WHERE id = $2 AND help_point_id = $3 \
             AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .bind(help_point_id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The help point and link id of a live link token; `NotFound` when the
    /// token is unknown or revoked.
    pub async fn help_point_for_link(&self, token_hash: &str) -> Result<(DeskHelpPoint, String)> {
        let row: (String, String, String, String, String) = sqlx::query_as(
            "SELECT h.id, h.name, h.organisation_id, h.municipality_code, l.id FROM registration_links l \
             JOIN help_points h ON h.id = l.help_point_id WHERE l.token_hash = $1 AND l.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_one(&self.pool)
        .await?;
        Ok((
            DeskHelpPoint {
                id: row.0,
                name: row.1,
                organisation_id: row.2,
                municipality_code: row.3,
            },
            row.4,
        ))
    }
}
