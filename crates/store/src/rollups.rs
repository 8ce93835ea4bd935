//! Rollups of help questions (migrations 0008, 0019, 0027, 0031 and 0032): counts per local day and per calendar month and dimension, kept in the same transaction as every write of a help question, and rebuilt from the raw rows on demand.
//!
//! Every write path of `help_questions` calls one function here: [`apply`] with the rows it adds (`+1`) or
//! removes (`-1`), or [`retract`] before it deletes or changes rows. A new write path is one call.

use crate::Store;
use crate::error::Result;
use crate::help_questions::{HelpQuestion, NewHelpQuestion};
use crate::sql::Sql;
use futures_util::TryStreamExt;
use keten_core::help_question::AgeBand;
use keten_core::steering::{local_day_hour, month_start};
use std::collections::BTreeMap;

/// What a rollup needs of one help question.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Fact {
    pub help_point_id: String,
    pub asked_at: i64,
    pub topic_code: String,
    pub agency: String,
    pub kind: String,
    pub channel: String,
    pub outcome: String,
    pub referred_to: Option<String>,
    pub minutes: i64,
    pub age_band: Option<String>,
    pub pc4: Option<String>,
    pub first_visit: Option<i64>,
    pub consultation_hour_id: Option<String>,
}

/// The columns of [`Fact`], for reading facts back from `help_questions`.
pub(crate) const FACT_COLUMNS: &str = "help_point_id, asked_at, topic_code, agency, kind, channel, outcome, referred_to, \
    minutes, age_band, pc4, first_visit, consultation_hour_id";

impl From<&NewHelpQuestion> for Fact {
    fn from(q: &NewHelpQuestion) -> Self {
        Fact {
            help_point_id: q.help_point_id.clone(),
            asked_at: q.asked_at,
            topic_code: q.topic_code.clone(),
            agency: q.agency.clone(),
            kind: q.kind.clone(),
            channel: q.channel.as_str().to_owned(),
            outcome: q.outcome.as_str().to_owned(),
            referred_to: q.referred_to.clone(),
            minutes: q.minutes,
            age_band: q.age_band.map(|a| AgeBand::as_str(a).to_owned()),
            pc4: q.pc4.clone(),
            first_visit: q.first_visit.map(i64::from),
            consultation_hour_id: q.consultation_hour_id.clone(),
        }
    }
}

impl From<&HelpQuestion> for Fact {
    fn from(q: &HelpQuestion) -> Self {
        Fact {
            help_point_id: q.help_point_id.clone(),
            asked_at: q.asked_at,
            topic_code: q.topic_code.clone(),
            agency: q.agency.clone(),
            kind: q.kind.clone(),
            channel: q.channel.clone(),
            outcome: q.outcome.clone(),
            referred_to: q.referred_to.clone(),
            minutes: q.minutes,
            age_band: q.age_band.clone(),
            pc4: q.pc4.clone(),
            first_visit: q.first_visit,
            consultation_hour_id: q.consultation_hour_id.clone(),
        }
    }
}

/// `first_visit` as the rollups store it.
pub fn first_visit_code(first_visit: Option<i64>) -> &'static str {
    match first_visit {
        Some(0) => "no",
        Some(_) => "yes",
        None => "",
    }
}

/// Age bands counted as "65 or over" for the blind spots (`pc4_65plus`).
pub const OLDER_AGE_BANDS: [AgeBand; 2] = [AgeBand::From65, AgeBand::From75];

/// Whether a stored age band is 65 or over.
pub fn is_older(age_band: &str) -> bool {
    OLDER_AGE_BANDS.iter().any(|a| a.as_str() == age_band)
}

/// The one cross of dimensions a figure needs (the cost-benefit analysis values a solved question by topic,
/// agency and outcome together), kept as one dimension whose value joins the three codes.
pub(crate) const OUTCOME_KEY: &str = "topic_agency_outcome";
const OUTCOME_KEY_SEPARATOR: char = '\u{1f}';

pub(crate) fn outcome_key(topic: &str, agency: &str, outcome: &str) -> String {
    format!("{topic}{OUTCOME_KEY_SEPARATOR}{agency}{OUTCOME_KEY_SEPARATOR}{outcome}")
}

/// (topic, agency, outcome) of an [`outcome_key`].
pub(crate) fn split_outcome_key(key: &str) -> (String, String, String) {
    let mut parts = key.splitn(3, OUTCOME_KEY_SEPARATOR).map(str::to_owned);
    (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    )
}

/// The (dimension, value) pairs one question asked in local hour `hour` counts under in
/// `question_dimension_rollups` and `question_month_rollups`.
fn dimension_values(f: &Fact, hour: i64) -> Vec<(&'static str, String)> {
    let pc4 = f.pc4.clone().unwrap_or_default();
    let age = f.age_band.clone().unwrap_or_default();
    let mut values = vec![
        ("all", String::new()),
        ("topic_code", f.topic_code.clone()),
        ("agency", f.agency.clone()),
        ("kind", f.kind.clone()),
        ("channel", f.channel.clone()),
        ("outcome", f.outcome.clone()),
        ("referred_to", f.referred_to.clone().unwrap_or_default()),
        ("first_visit", first_visit_code(f.first_visit).to_owned()),
        ("pc4", pc4.clone()),
        (
            OUTCOME_KEY,
            outcome_key(&f.topic_code, &f.agency, &f.outcome),
        ),
    ];
    if is_older(&age) {
        values.push(("pc4_65plus", pc4));
    }
    values.push(("age_band", age));
    values.push((HOUR, hour_value(hour)));
    values.push((
        CONSULTATION_HOUR,
        f.consultation_hour_id.clone().unwrap_or_default(),
    ));
    values
}

/// The dimension of the consultation hour a question was registered in ('' outside one).
pub(crate) const CONSULTATION_HOUR: &str = "consultation_hour";

/// The dimension of the local hour a question was asked in.
pub(crate) const HOUR: &str = "hour";

/// The stored value of an hour: two digits, so that text order is time order.
pub(crate) fn hour_value(hour: i64) -> String {
    format!("{hour:02}")
}

/// Dimension code, day (or month's first day), help point, value: one row of `question_dimension_rollups`
/// (or `question_month_rollups`).
type DimensionKey = (&'static str, i64, String, String);
/// Consultation hour, help point, day, hour, then [topic, agency, kind, channel, outcome, referred to,
/// first visit, PC4, age band].
type ConsultationKey = (String, String, i64, i64, [String; 9]);

/// The three rollups' changes of a set of facts, summed per key (sorted, so that concurrent transactions
/// on PostgreSQL lock rows in the same order and cannot deadlock).
#[derive(Default)]
struct Delta {
    dimension: BTreeMap<DimensionKey, (i64, i64)>,
    month: BTreeMap<DimensionKey, (i64, i64)>,
    /// Only questions registered during a consultation hour.
    consultation: BTreeMap<ConsultationKey, (i64, i64)>,
}

impl Delta {
    fn add(&mut self, f: &Fact, sign: i64) {
        let (day, hour) = local_day_hour(f.asked_at);
        let month = month_start(day);
        for (dimension, value) in dimension_values(f, hour) {
            let row = self
                .month
                .entry((dimension, month, f.help_point_id.clone(), value.clone()))
                .or_default();
            row.0 += sign;
            row.1 += sign * f.minutes;
            let row = self
                .dimension
                .entry((dimension, day, f.help_point_id.clone(), value))
                .or_default();
            row.0 += sign;
            row.1 += sign * f.minutes;
        }
        if let Some(consultation_hour) = &f.consultation_hour_id {
            let row = self
                .consultation
                .entry((
                    consultation_hour.clone(),
                    f.help_point_id.clone(),
                    day,
                    hour,
                    [
                        f.topic_code.clone(),
                        f.agency.clone(),
                        f.kind.clone(),
                        f.channel.clone(),
                        f.outcome.clone(),
                        f.referred_to.clone().unwrap_or_default(),
                        first_visit_code(f.first_visit).to_owned(),
                        f.pc4.clone().unwrap_or_default(),
                        f.age_band.clone().unwrap_or_default(),
                    ],
                ))
                .or_default();
            row.0 += sign;
            row.1 += sign * f.minutes;
        }
    }
}

/// Rollups summed in memory over a bulk load and added once at its end, so that a loader need not read its
/// rows back as [`Store::rebuild_rollups`] does (the demo's history).
#[derive(Default)]
pub(crate) struct BulkRollups(Delta);

impl BulkRollups {
    pub(crate) fn add(&mut self, q: &NewHelpQuestion) {
        self.0.add(&Fact::from(q), 1);
    }
}

impl Store {
    /// Adds a bulk load's rollups in one transaction.
    pub(crate) async fn add_bulk_rollups(&self, bulk: BulkRollups) -> Result<()> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        write(&mut tx, &bulk.0, true).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Rows per upsert statement (as for the raw rows, see `help_questions::ROWS_PER_STATEMENT`).
const ROWS_PER_STATEMENT: usize = 64;

/// Adds (`sign` = 1) or removes (`sign` = -1) the facts' counts in every rollup, inside the caller's
/// transaction. Rows that reach zero are deleted, so the maintained rollups equal rebuilt ones.
pub async fn apply(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    facts: &[Fact],
    sign: i64,
) -> Result<()> {
    if facts.is_empty() {
        return Ok(());
    }
    let mut delta = Delta::default();
    for f in facts {
        delta.add(f, sign);
    }
    write(tx, &delta, true).await?;
    if sign < 0 {
        // Exactly the rows this write lowered, by primary key: rows that reached zero go.
        for (table, time, rows) in [
            ("question_dimension_rollups", "day", &delta.dimension),
            ("question_month_rollups", "month", &delta.month),
        ] {
            for (dimension, at, point, value) in rows.keys() {
                let mut sql = Sql::new("DELETE FROM ");
                sql.push(table).push(" WHERE dimension = ").bind(*dimension);
                sql.push(" AND ").push(time).push(" = ").bind(*at);
                sql.push(" AND help_point_id = ").bind(point.clone());
                sql.push(" AND value = ").bind(value.clone());
                sql.push(" AND questions <= 0");
                sql.query()?.execute(&mut **tx).await?;
            }
        }
        let mut touched: Vec<(&String, i64)> = delta
            .consultation
            .keys()
            .map(|(_, p, d, _, _)| (p, *d))
            .collect();
        touched.sort_unstable();
        touched.dedup();
        for (point, day) in touched {
            sqlx::query(
                "DELETE FROM question_consultation_rollups WHERE help_point_id = $1 AND day = $2 AND questions <= 0",
            )
            .bind(point)
            .bind(day)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Which stored questions a write is about to delete or change.
#[derive(Debug, Clone, Copy)]
pub enum Questions<'a> {
    /// All questions of one visit at one help point (undo of a visit).
    Visit {
        help_point_id: &'a str,
        visit_id: &'a str,
    },
    /// Questions by id (undo of one question, a correction).
    Ids(&'a [String]),
}

/// Removes the counts of stored questions from the rollups; call it in the transaction that deletes or
/// changes them, before the DELETE or UPDATE. Returns the facts it removed (a correction adds the new ones).
pub async fn retract(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    which: Questions<'_>,
) -> Result<Vec<Fact>> {
    let facts = facts_of(tx, which).await?;
    apply(tx, &facts, -1).await?;
    Ok(facts)
}

/// Adds the counts of stored questions to the rollups; call it in the transaction that changed them, after
/// the UPDATE (a correction: [`retract`] before, `include` after).
pub async fn include(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    which: Questions<'_>,
) -> Result<Vec<Fact>> {
    let facts = facts_of(tx, which).await?;
    apply(tx, &facts, 1).await?;
    Ok(facts)
}

async fn facts_of(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    which: Questions<'_>,
) -> Result<Vec<Fact>> {
    let mut sql = Sql::new("SELECT ");
    sql.push(FACT_COLUMNS).push(" FROM help_questions WHERE ");
    match which {
        Questions::Visit {
            help_point_id,
            visit_id,
        } => {
            sql.push("help_point_id = ")
                .bind(help_point_id.to_owned())
                .push(" AND visit_id = ")
                .bind(visit_id.to_owned());
        }
        Questions::Ids(ids) => {
            sql.push("id IN ").bind_list(ids.iter().cloned());
        }
    }
    Ok(sql.query_as()?.fetch_all(&mut **tx).await?)
}

/// Upserts (or, into empty tables, inserts) a delta's rows.
async fn write(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    delta: &Delta,
    upsert: bool,
) -> Result<()> {
    write_dimension_rows(
        tx,
        "question_dimension_rollups",
        "day",
        &delta.dimension,
        upsert,
    )
    .await?;
    write_dimension_rows(tx, "question_month_rollups", "month", &delta.month, upsert).await?;
    let consultation: Vec<_> = delta.consultation.iter().collect();
    for chunk in consultation.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::for_connection(
            tx,
            "INSERT INTO question_consultation_rollups (consultation_hour_id, help_point_id, day, hour, \
             topic_code, agency, kind, channel, outcome, referred_to, first_visit, pc4, age_band, questions, \
             minutes) VALUES ",
        );
        for (i, ((hour_id, point, day, h, dims), (n, minutes))) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(hour_id.clone()).push(", ").bind(point.clone());
            sql.push(", ").bind(*day).push(", ").bind(*h);
            for d in dims {
                sql.push(", ").bind(d.clone());
            }
            sql.push(", ").bind(*n).push(", ").bind(*minutes).push(")");
        }
        if upsert {
            sql.push(
                " ON CONFLICT (consultation_hour_id, help_point_id, day, hour, topic_code, agency, kind, channel, \
                 outcome, referred_to, first_visit, pc4, age_band) DO UPDATE SET \
                 questions = question_consultation_rollups.questions + excluded.questions, \
                 minutes = question_consultation_rollups.minutes + excluded.minutes",
            );
        }
        sql.query()?.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Upserts (or inserts) rows of `question_dimension_rollups` (`time` = `day`) or `question_month_rollups`
/// (`time` = `month`).
async fn write_dimension_rows(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    table: &'static str,
    time: &'static str,
    rows: &BTreeMap<DimensionKey, (i64, i64)>,
    upsert: bool,
) -> Result<()> {
    let rows: Vec<_> = rows.iter().collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::for_connection(tx, "INSERT INTO ");
        sql.push(table).push(" (dimension, ").push(time);
        sql.push(", help_point_id, value, questions, minutes) VALUES ");
        for (i, ((dim, at, point, value), (n, minutes))) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(*dim).push(", ").bind(*at).push(", ");
            sql.bind(point.clone()).push(", ").bind(value.clone());
            sql.push(", ").bind(*n).push(", ").bind(*minutes).push(")");
        }
        if upsert {
            sql.push(" ON CONFLICT (dimension, ").push(time);
            sql.push(", help_point_id, value) DO UPDATE SET questions = ")
                .push(table)
                .push(".questions + excluded.questions, minutes = ")
                .push(table)
                .push(".minutes + excluded.minutes");
        }
        sql.query()?.execute(&mut **tx).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ConsultationRow {
    consultation_hour_id: String,
    help_point_id: String,
    day: i64,
    hour: i64,
    topic_code: String,
    agency: String,
    kind: String,
    channel: String,
    outcome: String,
    referred_to: String,
    first_visit: String,
    pc4: String,
    age_band: String,
    questions: i64,
    minutes: i64,
}

/// One row of a rollup table as text, for comparing maintained and rebuilt rollups.
pub type RollupRow = Vec<String>;

impl Store {
    /// Recomputes every rollup from the raw rows in one transaction, a help point at a time (memory stays
    /// bounded by one help point's history). Returns the number of questions read.
    pub async fn rebuild_rollups(&self) -> Result<u64> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        for table in [
            "DELETE FROM question_dimension_rollups",
            "DELETE FROM question_month_rollups",
            "DELETE FROM question_consultation_rollups",
        ] {
            sqlx::query(table).execute(&mut *tx).await?;
        }
        let points: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT help_point_id FROM help_questions ORDER BY help_point_id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut read = 0u64;
        for point in points {
            let mut delta = Delta::default();
            {
                let mut sql = Sql::new("SELECT ");
                sql.push(FACT_COLUMNS)
                    .push(" FROM help_questions WHERE help_point_id = ")
                    .bind(point);
                let mut rows = sql.query_as::<Fact>()?.fetch(&mut *tx);
                while let Some(fact) = rows.try_next().await? {
                    delta.add(&fact, 1);
                    read += 1;
                }
            }
            write(&mut tx, &delta, false).await?;
        }
        tx.commit().await?;
        Ok(read)
    }

    /// Rebuilds the rollups when questions exist but no rollup does (a database from before migration 0008,
    /// or a bulk load that stopped before its rebuild).
    pub(crate) async fn rebuild_rollups_if_missing(&self) -> Result<()> {
        let rolled: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM question_dimension_rollups LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        let raw: Option<i64> = sqlx::query_scalar("SELECT 1 FROM help_questions LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        if rolled.is_none() && raw.is_some() {
            self.rebuild_rollups().await?;
        }
        Ok(())
    }

    /// Every rollup row as text, sorted: for tests and `keten rollups check`.
    pub async fn rollup_rows(&self) -> Result<Vec<RollupRow>> {
        let mut out: Vec<RollupRow> = Vec::new();
        let dimension: Vec<(String, i64, String, String, i64, i64)> = sqlx::query_as(
            "SELECT dimension, day, help_point_id, value, questions, minutes FROM question_dimension_rollups",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in dimension {
            out.push(vec![
                "dimension".into(),
                r.0,
                r.1.to_string(),
                r.2,
                r.3,
                r.4.to_string(),
                r.5.to_string(),
            ]);
        }
        let month: Vec<(String, i64, String, String, i64, i64)> = sqlx::query_as(
            "SELECT dimension, month, help_point_id, value, questions, minutes FROM question_month_rollups",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in month {
            out.push(vec![
                "month".into(),
                r.0,
                r.1.to_string(),
                r.2,
                r.3,
                r.4.to_string(),
                r.5.to_string(),
            ]);
        }
        let consultation: Vec<ConsultationRow> = sqlx::query_as(
            "SELECT consultation_hour_id, help_point_id, day, hour, topic_code, agency, kind, channel, outcome, \
             referred_to, first_visit, pc4, age_band, questions, minutes FROM question_consultation_rollups",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in consultation {
            out.push(vec![
                "consultation".into(),
                r.consultation_hour_id,
                r.help_point_id,
                r.day.to_string(),
                r.hour.to_string(),
                r.topic_code,
                r.agency,
                r.kind,
                r.channel,
                r.outcome,
                r.referred_to,
                r.first_visit,
                r.pc4,
                r.age_band,
                r.questions.to_string(),
                r.minutes.to_string(),
            ]);
        }
        out.sort();
        Ok(out)
    }
}
