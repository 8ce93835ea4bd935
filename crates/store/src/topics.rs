//! The topic taxonomy: seeded from the default list, extendable by an admin.

use crate::Store;
use crate::error::Result;
use keten_core::help_question::DEFAULT_TOPICS;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Topic {
    pub code: String,
    pub label: String,
    pub parent_code: Option<String>,
    pub position: i64,
}

impl Store {
    /// Adds the default topics that are missing; existing ones keep their (edited) labels.
    pub async fn seed_default_topics(&self) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (position, t) in DEFAULT_TOPICS.iter().enumerate() {
            sqlx::query(
                "INSERT INTO topics (code, label, parent_code, position, country) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (code) DO NOTHING",
            )
            .bind(t.code)
            .bind(t.label)
            .bind(t.parent)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(t.country.map(|c| c.as_str()))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.forget_categories();
        Ok(())
    }

    /// The taxonomy from the database (`topics` remembers it).
    pub(crate) async fn load_topics(&self) -> Result<Vec<Topic>> {
        Ok(sqlx::query_as(
            "SELECT code, label, parent_code, position FROM topics ORDER BY position, code",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}
