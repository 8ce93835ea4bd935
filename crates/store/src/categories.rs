//! Categories of help questions (agencies, kinds of question, topics' monitor
//! mapping): reference data seeded from core's defaults and extendable by an admin.

use crate::Store;
use crate::error::{Result, StoreError};
use keten_core::ValidationError;
use keten_core::help_question::{Agency, QuestionKind, default_monitor_topic};

/// Which list a category belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoryList {
    Agency,
    Kind,
}

impl CategoryList {
    pub fn as_str(self) -> &'static str {
        match self {
            CategoryList::Agency => "agency",
            CategoryList::Kind => "kind",
        }
    }
}

/// One category with its label and the national IDO monitor category it counts under.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Category {
    pub code: String,
    pub label: String,
    pub monitor_code: String,
}

/// The monitor category of an agency: the monitor names agencies as we do,
/// except that banks, insurers and telecoms count as "commercial".
fn default_monitor_agency(agency: Agency) -> &'static str {
    match agency {
        Agency::Bank | Agency::Insurer | Agency::Telecom => "commercieel",
        Agency::Other => "overig",
        a => a.as_str(),
    }
}

impl Store {
    /// Adds the default agencies and kinds that are missing and gives topics
    /// without a monitor category their default; edited rows keep their edits.
    pub async fn seed_default_categories(&self) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let agencies = Agency::ALL.iter().map(|a| {
            (
                CategoryList::Agency,
                a.as_str(),
                a.label(),
                default_monitor_agency(*a),
            )
        });
        let kinds = QuestionKind::ALL
            .iter()
            .map(|k| (CategoryList::Kind, k.as_str(), k.label(), k.as_str()));
        for (position, (list, code, label, monitor)) in agencies.chain(kinds).enumerate() {
            sqlx::query(
                "INSERT INTO question_categories (list, code, label, monitor_code, position) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (list, code) DO NOTHING",
            )
            .bind(list.as_str())
            .bind(code)
            .bind(label)
            .bind(monitor)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
        let unmapped: Vec<String> =
            sqlx::query_scalar("SELECT code FROM topics WHERE monitor_code IS NULL")
                .fetch_all(&mut *tx)
                .await?;
        for code in unmapped {
            sqlx::query("UPDATE topics SET monitor_code = $1 WHERE code = $2")
                .bind(default_monitor_topic(&code))
                .bind(&code)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.forget_categories();
        Ok(())
    }

    /// The agencies or kinds from the database (`category_list` remembers them).
    pub(crate) async fn load_category_list(&self, list: CategoryList) -> Result<Vec<Category>> {
        Ok(sqlx::query_as(
            "SELECT code, label, monitor_code FROM question_categories WHERE list = $1 \
             ORDER BY position, code",
        )
        .bind(list.as_str())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Topics with their monitor category, in taxonomy order, from the database.
    pub(crate) async fn load_topic_categories(&self) -> Result<Vec<Category>> {
        Ok(sqlx::query_as(
            "SELECT code, label, COALESCE(monitor_code, 'overig') AS monitor_code FROM topics \
             ORDER BY position, code",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Adds a category (admin); a code that exists is a conflict.
    pub async fn add_category(&self, list: CategoryList, category: &Category) -> Result<()> {
        check_code(&category.code)?;
        let position: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM question_categories WHERE list = $1",
        )
        .bind(list.as_str())
        .fetch_one(&self.pool)
        .await?;
        sqlx::query(
            "INSERT INTO question_categories (list, code, label, monitor_code, position) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(list.as_str())
        .bind(&category.code)
        .bind(category.label.trim())
        .bind(category.monitor_code.trim())
        .bind(position)
        .execute(&self.pool)
        .await?;
        self.forget_categories();
        Ok(())
    }

    /// Adds a topic to the taxonomy (admin), optionally under a parent.
    pub async fn add_topic(&self, category: &Category, parent: Option<&str>) -> Result<()> {
        check_code(&category.code)?;
        let position: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM topics")
            .fetch_one(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO topics (code, label, parent_code, position, monitor_code) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&category.code)
        .bind(category.label.trim())
        .bind(parent)
        .bind(position)
        .bind(category.monitor_code.trim())
        .execute(&self.pool)
        .await?;
        self.forget_categories();
        Ok(())
    }

    /// Changes the monitor category a topic, agency or kind counts under.
    pub async fn set_monitor_code(
        &self,
        list: Option<CategoryList>,
        code: &str,
        monitor_code: &str,
    ) -> Result<()> {
        let done = match list {
            Some(list) => sqlx::query(
                "UPDATE question_categories SET monitor_code = $1 WHERE list = $2 AND code = $3",
            )
            .bind(monitor_code.trim())
            .bind(list.as_str())
            .bind(code)
            .execute(&self.pool)
            .await?,
            None => {
                sqlx::query("UPDATE topics SET monitor_code = $1 WHERE code = $2")
                    .bind(monitor_code.trim())
                    .bind(code)
                    .execute(&self.pool)
                    .await?
            }
        };
        self.forget_categories();
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

/// Codes are stored and sent by API clients: keep them short and plain.
fn check_code(code: &str) -> Result<()> {
    let ok = !code.is_empty()
        && code.len() <= 40
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(vec![ValidationError::new(
            "code",
            "Een code bestaat uit kleine letters, cijfers, - en _ (hooguit 40 tekens), zoals 'energietoeslag'.",
        )]))
    }
}
