//! The visitor impact survey: survey links per help point, anonymous responses, the flood guard kept apart from them, and counts for the results.

use crate::Store;
use crate::error::{Result, StoreError};
use crate::help_questions::DeskHelpPoint;
use crate::new_id;
use crate::sql::Sql;
use crate::stats::{StatsScope, push_chain_filter};
use keten_core::survey::{
    DEVICE_PAUSE_SECONDS, POINT_ANSWERS_PER_WINDOW, POINT_WINDOW_SECONDS, SurveyAnswers,
    window_start,
};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SurveyLink {
    pub id: String,
    pub help_point_id: String,
    pub token: String,
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// What became of an answered survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Saved,
    /// This device answered for this help point moments ago: nothing stored.
    DeviceWait,
    /// The help point took its maximum of answers in this window: nothing stored.
    PointFull,
}

/// A response as stored, for tests and the privacy page: every column of `survey_responses`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredResponse {
    pub id: String,
    pub help_point_id: String,
    pub municipality_code: String,
    pub answered_on: String,
    pub language: String,
    pub helped: Option<String>,
    pub self_next: Option<String>,
    pub feeling: Option<String>,
    pub recommend: Option<String>,
    pub heard_via: Option<String>,
    pub age_band: Option<String>,
}

/// One help point's number of responses in a period.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PointResponses {
    pub id: String,
    pub name: String,
    pub responses: i64,
}

/// Adds the scope's help point or municipality (chain) to a query on `survey_responses r`.
fn push_scope(sql: &mut Sql, scope: &StatsScope, from: &str, to: &str) {
    sql.push(" AND r.answered_on >= ")
        .bind(from.to_owned())
        .push(" AND r.answered_on <= ")
        .bind(to.to_owned());
    if let Some(point) = &scope.help_point {
        sql.push(" AND r.help_point_id = ").bind(point.id.clone());
    } else if let Some(code) = &scope.municipality_code {
        push_chain_filter(sql, "r.help_point_id", code);
    }
}

type AnswerRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

impl Store {
    /// Stores a new survey link for a help point (the token is made by the caller).
    pub async fn create_survey_link(
        &self,
        help_point_id: &str,
        label: &str,
        token: &str,
        created_by: Option<&str>,
        now: i64,
    ) -> Result<SurveyLink> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO survey_links (id, help_point_id, token, label, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(help_point_id)
        .bind(token)
        .bind(label)
        .bind(created_by)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(SurveyLink {
            id,
            help_point_id: help_point_id.to_owned(),
            token: token.to_owned(),
            label: label.to_owned(),
            created_at: now,
            revoked_at: None,
        })
    }

    /// A help point's survey links, newest first.
    pub async fn survey_links(&self, help_point_id: &str) -> Result<Vec<SurveyLink>> {
        Ok(sqlx::query_as(
            "SELECT id, help_point_id, token, label, created_at, revoked_at FROM survey_links \
             WHERE help_point_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(help_point_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One live link of a help point (for its poster); `NotFound` when revoked or of another help point.
    pub async fn survey_link(&self, help_point_id: &str, id: &str) -> Result<SurveyLink> {
        sqlx::query_as(
            "SELECT id, help_point_id, token, label, created_at, revoked_at FROM survey_links \
             WHERE help_point_id = $1 AND id = $2 AND revoked_at IS NULL",
        )
        .bind(help_point_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    pub async fn revoke_survey_link(&self, help_point_id: &str, id: &str, now: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE survey_links SET revoked_at = $1 WHERE id = $2 AND help_point_id = $3 \
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

    /// The help point of a live survey link token; `NotFound` when unknown or revoked.
    pub async fn survey_point(&self, token: &str) -> Result<DeskHelpPoint> {
        sqlx::query_as(
            "SELECT h.id, h.name, h.organisation_id, h.municipality_code FROM survey_links l \
             JOIN help_points h ON h.id = l.help_point_id WHERE l.token = $1 AND l.revoked_at IS NULL",
        )
        .bind(token)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Stores one response unless the flood guard says no, in one transaction: the device's pause (keyed by
    /// `device_key`, a hash the caller makes of its cookie and the help point) and the help point's count in the
    /// current window. The guard rows carry no response id, and the response no device, link or time of day.
    pub async fn record_survey_response(
        &self,
        point: &DeskHelpPoint,
        answers: &SurveyAnswers,
        answered_on: &str,
        language: &str,
        device_key: &str,
        now: i64,
    ) -> Result<Recorded> {
        let mut tx = self.pool.begin().await?;
        // A device's key is written, or its expired pause renewed; a live pause changes no row.
        let device = sqlx::query(
            "INSERT INTO survey_device_guard (key_hash, until_at) VALUES ($1, $2) \
             ON CONFLICT (key_hash) DO UPDATE SET until_at = $2 WHERE survey_device_guard.until_at <= $3",
        )
        .bind(device_key)
        .bind(now + DEVICE_PAUSE_SECONDS)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if device.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(Recorded::DeviceWait);
        }
        let window = window_start(now);
        sqlx::query(
            "INSERT INTO survey_point_windows (help_point_id, window_start, answers) VALUES ($1, $2, 1) \
             ON CONFLICT (help_point_id, window_start) DO UPDATE SET answers = survey_point_windows.answers + 1",
        )
        .bind(&point.id)
        .bind(window)
        .execute(&mut *tx)
        .await?;
        let answers_now: i64 = sqlx::query_scalar(
            "SELECT answers FROM survey_point_windows WHERE help_point_id = $1 AND window_start = $2",
        )
        .bind(&point.id)
        .bind(window)
        .fetch_one(&mut *tx)
        .await?;
        if answers_now > POINT_ANSWERS_PER_WINDOW {
            tx.rollback().await?;
            return Ok(Recorded::PointFull);
        }
        let [helped, self_next, feeling, recommend, heard_via, age_band] = answers.codes();
        sqlx::query(
            "INSERT INTO survey_responses (id, help_point_id, municipality_code, answered_on, language, helped, \
             self_next, feeling, recommend, heard_via, age_band) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(new_id())
        .bind(&point.id)
        .bind(&point.municipality_code)
        .bind(answered_on)
        .bind(language)
        .bind(helped)
        .bind(self_next)
        .bind(feeling)
        .bind(recommend)
        .bind(heard_via)
        .bind(age_band)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Recorded::Saved)
    }

    /// Deletes guard rows whose pause or window is over, so that no table keeps the time of an answer for longer
    /// than the guard needs it (run by the hourly purge).
    pub async fn purge_survey_guard(&self, now: i64) -> Result<u64> {
        let a = sqlx::query("DELETE FROM survey_device_guard WHERE until_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?
            .rows_affected();
        let b = sqlx::query("DELETE FROM survey_point_windows WHERE window_start <= $1")
            .bind(now - POINT_WINDOW_SECONDS)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(a + b)
    }

    /// Every stored response of a help point, as stored (tests read what is kept).
    pub async fn stored_survey_responses(
        &self,
        help_point_id: &str,
    ) -> Result<Vec<StoredResponse>> {
        Ok(sqlx::query_as(
            "SELECT id, help_point_id, municipality_code, answered_on, language, helped, self_next, feeling, \
             recommend, heard_via, age_band FROM survey_responses WHERE help_point_id = $1 ORDER BY id",
        )
        .bind(help_point_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// `(question, option, count)` over the scope and the days `from..=to` (`YYYY-MM-DD`). The caller checked
    /// the scope (`stats_scope`).
    pub async fn survey_counts(
        &self,
        scope: &StatsScope,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, String, i64)>> {
        let mut sql = Sql::new(
            "SELECT r.helped, r.self_next, r.feeling, r.recommend, r.heard_via, r.age_band, \
             CAST(COUNT(*) AS BIGINT) FROM survey_responses r WHERE 1 = 1",
        );
        push_scope(&mut sql, scope, from, to);
        sql.push(
            " GROUP BY r.helped, r.self_next, r.feeling, r.recommend, r.heard_via, r.age_band",
        );
        let rows: Vec<AnswerRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        let mut out: Vec<(String, String, i64)> = Vec::new();
        for (a, b, c, d, e, f, n) in rows {
            for (q, v) in keten_core::survey::QUESTIONS.iter().zip([a, b, c, d, e, f]) {
                let Some(v) = v else { continue };
                match out.iter_mut().find(|(oq, ov, _)| oq == q && *ov == v) {
                    Some(found) => found.2 += n,
                    None => out.push(((*q).to_owned(), v, n)),
                }
            }
        }
        Ok(out)
    }

    /// Responses per help point of the scope in the days `from..=to`, by name; points without any are left out.
    pub async fn survey_responses_per_point(
        &self,
        scope: &StatsScope,
        from: &str,
        to: &str,
    ) -> Result<Vec<PointResponses>> {
        let mut sql = Sql::new(
            "SELECT h.id, h.name, CAST(COUNT(*) AS BIGINT) AS responses FROM survey_responses r \
             JOIN help_points h ON h.id = r.help_point_id WHERE 1 = 1",
        );
        push_scope(&mut sql, scope, from, to);
        sql.push(" GROUP BY h.id, h.name ORDER BY h.name, h.id");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// Demo answers for every help point of a municipality: `per_point` responses spread over the year before
    /// `today` (days as `YYYY-MM-DD`), drawn from a fixed seed so the demo is the same every time.
    pub async fn load_demo_surveys(
        &self,
        municipality_code: &str,
        today: jiff::civil::Date,
        per_point: u32,
    ) -> Result<u64> {
        use rand::{Rng, SeedableRng};
        let points: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM help_points WHERE municipality_code = $1 ORDER BY id")
                .bind(municipality_code)
                .fetch_all(&self.pool)
                .await?;
        let mut rng = rand::rngs::StdRng::seed_from_u64(17);
        let mut tx = self.pool.begin().await?;
        let mut stored = 0;
        for (point,) in points {
            for _ in 0..per_point {
                let back = i64::from(rng.random_range(0..365u32));
                let day = today
                    .checked_sub(jiff::Span::new().days(back))
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let answers = keten_core::survey::demo_answers(std::array::from_fn(|_| {
                    rng.random_range(0..1000)
                }));
                let [a, b, c, d, e, f] = answers.codes();
                sqlx::query(
                    "INSERT INTO survey_responses (id, help_point_id, municipality_code, answered_on, language, \
                     helped, self_next, feeling, recommend, heard_via, age_band) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(new_id())
                .bind(&point)
                .bind(municipality_code)
                .bind(day.to_string())
                .bind(if rng.random_range(0..10u32) == 0 { "en" } else { "nl" })
                .bind(a)
                .bind(b)
                .bind(c)
                .bind(d)
                .bind(e)
                .bind(f)
                .execute(&mut *tx)
                .await?;
                stored += 1;
            }
        }
        tx.commit().await?;
        Ok(stored)
    }
}

/// Reading back what is kept, for the tests that prove the survey anonymous.
impl Store {
    /// The column names of `survey_responses`, in table order (empty while the table has no row).
    pub async fn survey_response_columns(&self) -> Result<Vec<String>> {
        use sqlx::{Column, Row};
        let row = sqlx::query("SELECT * FROM survey_responses")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| r.columns().iter().map(|c| c.name().to_owned()).collect())
            .unwrap_or_default())
    }

    /// Every row of the flood guard's two tables, as `key|time` text.
    pub async fn survey_guard_rows(&self) -> Result<Vec<String>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT key_hash, until_at FROM survey_device_guard \
             UNION ALL SELECT help_point_id, window_start FROM survey_point_windows",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(k, t)| format!("{k}|{t}")).collect())
    }
}
