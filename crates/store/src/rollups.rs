//! Rollups of help questions (migrations 0008, 0019, 0027, 0031, 0032, 0034 and 0035): counts per local day and per calendar month and dimension, kept in the same transaction as every write of a help question, and rebuilt from the raw rows on demand.
//!
//! Every write path of `help_questions` calls one function here: [`add_new`] with the questions it inserts,
//! [`apply`] with stored rows it adds (`+1`) or removes (`-1`), or [`retract`] before it deletes or changes
//! rows. A new write path is one call. A write that changes which municipalities a help point serves calls
//! [`before_serving_changes`] first and [`after_serving_changes`] last.

use crate::Store;
use crate::bulk_load::{CountTable, Field, push_fields};
use crate::db::Backend;
use crate::error::Result;
use crate::help_questions::{HelpQuestion, NewHelpQuestion};
use crate::sql::Sql;
use futures_util::TryStreamExt;
use keten_core::help_question::AgeBand;
use keten_core::steering::{local_day_hour, month_start};
use rustc_hash::{FxHashMap, FxHashSet};
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

fn push_outcome_key(key: &mut String, topic: &str, agency: &str, outcome: &str) {
    key.push_str(topic);
    key.push(OUTCOME_KEY_SEPARATOR);
    key.push_str(agency);
    key.push(OUTCOME_KEY_SEPARATOR);
    key.push_str(outcome);
}

/// (topic, agency, outcome) of a key made by [`push_outcome_key`].
pub(crate) fn split_outcome_key(key: &str) -> (String, String, String) {
    let mut parts = key.splitn(3, OUTCOME_KEY_SEPARATOR).map(str::to_owned);
    (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    )
}

/// A [`Fact`] borrowed from a stored or a new question, so that summing a bulk load copies no text.
#[derive(Debug, Clone, Copy)]
struct FactView<'a> {
    help_point_id: &'a str,
    asked_at: i64,
    topic_code: &'a str,
    agency: &'a str,
    kind: &'a str,
    channel: &'a str,
    outcome: &'a str,
    referred_to: Option<&'a str>,
    minutes: i64,
    age_band: Option<&'a str>,
    pc4: Option<&'a str>,
    first_visit: Option<i64>,
    consultation_hour_id: Option<&'a str>,
}

impl<'a> From<&'a Fact> for FactView<'a> {
    fn from(f: &'a Fact) -> Self {
        FactView {
            help_point_id: &f.help_point_id,
            asked_at: f.asked_at,
            topic_code: &f.topic_code,
            agency: &f.agency,
            kind: &f.kind,
            channel: &f.channel,
            outcome: &f.outcome,
            referred_to: f.referred_to.as_deref(),
            minutes: f.minutes,
            age_band: f.age_band.as_deref(),
            pc4: f.pc4.as_deref(),
            first_visit: f.first_visit,
            consultation_hour_id: f.consultation_hour_id.as_deref(),
        }
    }
}

impl<'a> From<&'a NewHelpQuestion> for FactView<'a> {
    fn from(q: &'a NewHelpQuestion) -> Self {
        FactView {
            help_point_id: &q.help_point_id,
            asked_at: q.asked_at,
            topic_code: &q.topic_code,
            agency: &q.agency,
            kind: &q.kind,
            channel: q.channel.as_str(),
            outcome: q.outcome.as_str(),
            referred_to: q.referred_to.as_deref(),
            minutes: q.minutes,
            age_band: q.age_band.map(AgeBand::as_str),
            pc4: q.pc4.as_deref(),
            first_visit: q.first_visit.map(i64::from),
            consultation_hour_id: q.consultation_hour_id.as_deref(),
        }
    }
}

/// Calls `count` with each (dimension, value) pair one question asked in local hour `hour` counts under in
/// `question_dimension_rollups` and `question_month_rollups`; `scratch` holds the joined outcome key.
fn each_dimension(
    f: FactView<'_>,
    hour: i64,
    scratch: &mut String,
    mut count: impl FnMut(&'static str, &str),
) {
    let pc4 = f.pc4.unwrap_or_default();
    let age = f.age_band.unwrap_or_default();
    count("all", "");
    count("topic_code", f.topic_code);
    count("agency", f.agency);
    count("kind", f.kind);
    count("channel", f.channel);
    count("outcome", f.outcome);
    count("referred_to", f.referred_to.unwrap_or_default());
    count("first_visit", first_visit_code(f.first_visit));
    count("pc4", pc4);
    scratch.clear();
    push_outcome_key(scratch, f.topic_code, f.agency, f.outcome);
    count(OUTCOME_KEY, scratch);
    if is_older(age) {
        count("pc4_65plus", pc4);
    }
    count("age_band", age);
    count(HOUR, hour_value(hour));
    count(
        CONSULTATION_HOUR,
        f.consultation_hour_id.unwrap_or_default(),
    );
}

/// The dimension of the consultation hour a question was registered in ('' outside one).
pub(crate) const CONSULTATION_HOUR: &str = "consultation_hour";

/// The dimension of the local hour a question was asked in.
pub(crate) const HOUR: &str = "hour";

/// The stored values of the hours: two digits, so that text order is time order.
const HOUR_VALUES: [&str; 24] = [
    "00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15",
    "16", "17", "18", "19", "20", "21", "22", "23",
];

/// The stored value of an hour.
fn hour_value(hour: i64) -> &'static str {
    usize::try_from(hour)
        .ok()
        .and_then(|h| HOUR_VALUES.get(h))
        .copied()
        .unwrap_or("00")
}

/// Dimension code, day (or month's first day), help point, value: one row of `question_dimension_rollups`
/// (or `question_month_rollups`), as numbers into the delta's texts.
type DimensionKey = (u32, i64, u32, u32);
/// Consultation hour, help point, day, hour, then [topic, agency, kind, channel, outcome, referred to,
/// first visit, PC4, age band].
type ConsultationKey = (String, String, i64, i64, [String; 9]);

/// One summed row of a dimension rollup, its texts borrowed from the delta.
type DimensionRow<'a> = ((&'a str, i64, &'a str, &'a str), (i64, i64));

/// Every text a delta's keys hold, once: summing millions of questions (a rebuild, a bulk load) then hashes
/// small numbers instead of comparing and copying strings.
#[derive(Default)]
struct Texts {
    numbers: FxHashMap<Box<str>, u32>,
    texts: Vec<Box<str>>,
}

impl Texts {
    fn number(&mut self, text: &str) -> u32 {
        if let Some(n) = self.numbers.get(text) {
            return *n;
        }
        let n = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.texts.push(text.into());
        self.numbers.insert(text.into(), n);
        n
    }

    fn text(&self, n: u32) -> &str {
        self.texts.get(n as usize).map_or("", |t| t)
    }
}

/// The help point of the rollup rows that sum every help point: the nation's figures read a few rows per
/// value instead of one per help point and value (at 700 help points a year of the nation summed some 1.5
/// million rows per figure set). No help point has this id, so a chain's or a help point's filter never
/// meets these rows; a nation-wide read picks them alone, or leaves them out (`stats::Across`).
pub(crate) const EVERY_HELP_POINT: &str = "";

/// What the help point id of a municipality's rows starts with: they sum every help point of its chain (located
/// there or serving it), so a municipality's figures read a few rows per value instead of one per help point and
/// value (Amsterdam's 41 help points took 90 to 100 ms for a year at 1,000,000 questions). A help point's id is a
/// UUID, so no help point's rows start with it.
pub(crate) const MUNICIPALITY_ROWS: &str = "@";

/// The help point id under which a municipality's rows are kept.
pub(crate) fn municipality_rows(code: &str) -> String {
    format!("{MUNICIPALITY_ROWS}{code}")
}

/// Which rows a delta sums each fact under.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Rows {
    /// Its help point's and the nation's: every write of questions.
    #[default]
    PointAndNation,
    /// Its help point's only (a rebuild, which sums the nation apart).
    Point,
    /// The nation's only (ditto).
    Nation,
}

/// The three rollups' changes of a set of facts, summed per key.
#[derive(Default)]
struct Delta {
    rows: Rows,
    texts: Texts,
    dimension: FxHashMap<DimensionKey, (i64, i64)>,
    month: FxHashMap<DimensionKey, (i64, i64)>,
    /// Only questions registered during a consultation hour (few; kept sorted).
    consultation: BTreeMap<ConsultationKey, (i64, i64)>,
    /// The help points of the facts (numbers into `texts`).
    points: FxHashSet<u32>,
    /// Room for one outcome key, reused for every fact.
    scratch: String,
}

impl Delta {
    fn summing(rows: Rows) -> Self {
        Delta {
            rows,
            ..Delta::default()
        }
    }

    fn add(&mut self, f: FactView<'_>, sign: i64) {
        let (day, hour) = local_day_hour(f.asked_at);
        let month = month_start(day);
        let point = self.texts.number(f.help_point_id);
        let nation = self.texts.number(EVERY_HELP_POINT);
        if self.rows != Rows::Nation {
            self.points.insert(point);
        }
        let points: &[u32] = match self.rows {
            Rows::PointAndNation => &[point, nation],
            Rows::Point => &[point],
            Rows::Nation => &[nation],
        };
        let Delta {
            texts,
            dimension,
            month: months,
            scratch,
            ..
        } = self;
        each_dimension(f, hour, scratch, |name, value| {
            let name = texts.number(name);
            let value = texts.number(value);
            for &p in points {
                let row = months.entry((name, month, p, value)).or_default();
                row.0 += sign;
                row.1 += sign * f.minutes;
                let row = dimension.entry((name, day, p, value)).or_default();
                row.0 += sign;
                row.1 += sign * f.minutes;
            }
        });
        if self.rows == Rows::Nation {
            return;
        }
        if let Some(consultation_hour) = f.consultation_hour_id {
            let row = self
                .consultation
                .entry((
                    consultation_hour.to_owned(),
                    f.help_point_id.to_owned(),
                    day,
                    hour,
                    [
                        f.topic_code,
                        f.agency,
                        f.kind,
                        f.channel,
                        f.outcome,
                        f.referred_to.unwrap_or_default(),
                        first_visit_code(f.first_visit),
                        f.pc4.unwrap_or_default(),
                        f.age_band.unwrap_or_default(),
                    ]
                    .map(str::to_owned),
                ))
                .or_default();
            row.0 += sign;
            row.1 += sign * f.minutes;
        }
    }

    /// The rows of the municipalities the delta's help points serve (`served`: help point, municipality code),
    /// summed from its rows per help point.
    fn municipal(&mut self, served: &[(String, String)]) -> Municipal {
        let mut keys: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
        for (point, code) in served {
            let point = self.texts.number(point);
            let key = self.texts.number(&municipality_rows(code));
            keys.entry(point).or_default().push(key);
        }
        let mut out = Municipal::default();
        for (rows, into) in [
            (&self.dimension, &mut out.dimension),
            (&self.month, &mut out.month),
        ] {
            for (&(name, at, point, value), &(n, minutes)) in rows {
                for &key in keys.get(&point).map_or(&[][..], Vec::as_slice) {
                    let row = into.entry((name, at, key, value)).or_default();
                    row.0 += n;
                    row.1 += minutes;
                }
            }
        }
        out
    }

    /// The help point ids of the delta's facts.
    fn point_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .points
            .iter()
            .map(|p| self.texts.text(*p).to_owned())
            .collect();
        ids.sort_unstable();
        ids
    }

    /// A dimension rollup's rows with their texts, sorted by key, so that concurrent transactions on
    /// PostgreSQL lock rows in the same order and cannot deadlock.
    fn sorted<'a>(&'a self, rows: &FxHashMap<DimensionKey, (i64, i64)>) -> Vec<DimensionRow<'a>> {
        let t = &self.texts;
        let mut out: Vec<DimensionRow<'a>> = rows
            .iter()
            .map(|((name, at, point, value), sums)| {
                ((t.text(*name), *at, t.text(*point), t.text(*value)), *sums)
            })
            .collect();
        out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// The municipalities' rows of a delta ([`Delta::municipal`]).
#[derive(Default)]
struct Municipal {
    dimension: FxHashMap<DimensionKey, (i64, i64)>,
    month: FxHashMap<DimensionKey, (i64, i64)>,
}

/// Rollups summed in memory over a bulk load and added once at its end, so that a loader need not read its
/// rows back as [`Store::rebuild_rollups`] does (the demo's history).
#[derive(Default)]
pub(crate) struct BulkRollups(Delta);

impl BulkRollups {
    pub(crate) fn add(&mut self, q: &NewHelpQuestion) {
        self.0.add(FactView::from(q), 1);
    }
}

/// The dimension rollups as COPY writes them.
const DIMENSION_COUNTS: CountTable = CountTable {
    name: DIMENSION_TABLE,
    columns: &[
        "dimension",
        "day",
        "help_point_id",
        "value",
        "questions",
        "minutes",
    ],
    key: 4,
};

/// The month rollups as COPY writes them.
const MONTH_COUNTS: CountTable = CountTable {
    name: MONTH_TABLE,
    columns: &[
        "dimension",
        "month",
        "help_point_id",
        "value",
        "questions",
        "minutes",
    ],
    key: 4,
};

/// The consultation-hour rollups as COPY writes them.
const CONSULTATION_COUNTS: CountTable = CountTable {
    name: CONSULTATION_TABLE,
    columns: &[
        "consultation_hour_id",
        "help_point_id",
        "day",
        "hour",
        "topic_code",
        "agency",
        "kind",
        "channel",
        "outcome",
        "referred_to",
        "first_visit",
        "pc4",
        "age_band",
        "questions",
        "minutes",
    ],
    key: 13,
};

impl Store {
    /// Adds a bulk load's rollups in one transaction.
    pub(crate) async fn add_bulk_rollups(&self, bulk: BulkRollups) -> Result<()> {
        let _turn = self.write_turn().await;
        let mut delta = bulk.0;
        if self.backend() == Backend::Postgres {
            return self.copy_bulk_rollups(delta).await;
        }
        let mut tx = self.pool.begin().await?;
        write(&mut tx, &mut delta, true, Municipalities::Served).await?;
        tx.commit().await?;
        Ok(())
    }

    /// [`Store::add_bulk_rollups`] on PostgreSQL: through COPY, which takes millions of rows several times
    /// faster than multi-row INSERTs through the `Any` driver. A bulk load runs where nothing else writes
    /// yet, so the municipalities served are read before the transaction.
    async fn copy_bulk_rollups(&self, mut delta: Delta) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let served = served_municipalities(&mut tx, &delta.point_ids()).await?;
        tx.commit().await?;
        let municipal = delta.municipal(&served);
        let t = &delta.texts;
        let dimension_row = |buf: &mut Vec<u8>, (key, sums): (&DimensionKey, &(i64, i64))| {
            let (name, at, point, value) = *key;
            push_fields(
                buf,
                &[
                    Field::Text(Some(t.text(name))),
                    Field::Int(Some(at)),
                    Field::Text(Some(t.text(point))),
                    Field::Text(Some(t.text(value))),
                    Field::Int(Some(sums.0)),
                    Field::Int(Some(sums.1)),
                ],
            );
        };
        let mut copy = self.begin_counts_copy().await?;
        // A help point's and the nation's rows never share a key with a municipality's ('@' and its code).
        copy.add(
            &DIMENSION_COUNTS,
            delta.dimension.iter().chain(&municipal.dimension),
            dimension_row,
        )
        .await?;
        copy.add(
            &MONTH_COUNTS,
            delta.month.iter().chain(&municipal.month),
            dimension_row,
        )
        .await?;
        copy.add(
            &CONSULTATION_COUNTS,
            delta.consultation.iter(),
            |buf, ((hour_id, point, day, hour, dims), (n, minutes))| {
                let mut fields = Vec::with_capacity(15);
                fields.extend([
                    Field::Text(Some(hour_id)),
                    Field::Text(Some(point)),
                    Field::Int(Some(*day)),
                    Field::Int(Some(*hour)),
                ]);
                fields.extend(dims.iter().map(|d| Field::Text(Some(d))));
                fields.extend([Field::Int(Some(*n)), Field::Int(Some(*minutes))]);
                push_fields(buf, &fields);
            },
        )
        .await?;
        copy.commit().await
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
    apply_views(tx, facts.iter().map(FactView::from), sign).await
}

/// Adds new questions' counts inside the caller's transaction (the registration path), reading their texts
/// where they are instead of copying each question into a [`Fact`].
pub(crate) async fn add_new(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    questions: &[NewHelpQuestion],
) -> Result<()> {
    apply_views(tx, questions.iter().map(FactView::from), 1).await
}

async fn apply_views<'a>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    facts: impl Iterator<Item = FactView<'a>>,
    sign: i64,
) -> Result<()> {
    let mut delta = Delta::default();
    for f in facts {
        delta.add(f, sign);
    }
    // Every fact counts under "all", so no row there means no facts.
    if delta.dimension.is_empty() {
        return Ok(());
    }
    let municipal = write(tx, &mut delta, true, Municipalities::Served).await?;
    if sign < 0 {
        // Exactly the rows this write lowered, by primary key: rows that reached zero go.
        for (table, time, rows) in [
            (DIMENSION_TABLE, "day", &delta.dimension),
            (MONTH_TABLE, "month", &delta.month),
            (DIMENSION_TABLE, "day", &municipal.dimension),
            (MONTH_TABLE, "month", &municipal.month),
        ] {
            for ((dimension, at, point, value), _) in delta.sorted(rows) {
                let mut sql = Sql::new("DELETE FROM ");
                sql.push(table)
                    .push(" WHERE dimension = ")
                    .bind(String::from(dimension));
                sql.push(" AND ").push(time).push(" = ").bind(at);
                sql.push(" AND help_point_id = ").bind(String::from(point));
                sql.push(" AND value = ").bind(String::from(value));
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

pub(crate) const DIMENSION_TABLE: &str = "question_dimension_rollups";
pub(crate) const MONTH_TABLE: &str = "question_month_rollups";
const CONSULTATION_TABLE: &str = "question_consultation_rollups";
/// Every rollup table.
pub(crate) const ROLLUP_TABLES: [&str; 3] = [DIMENSION_TABLE, MONTH_TABLE, CONSULTATION_TABLE];

/// Whether [`write`] adds the rows of the municipalities a delta's help points serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Municipalities {
    /// Yes, from the municipalities they serve now.
    Served,
    /// No: a rebuild sums them from every help point's rows at the end ([`insert_municipality_rows`]).
    Later,
}

/// Upserts (or, into empty tables, inserts) a delta's rows, then the rows of the municipalities its help points
/// serve (always upserted: several help points add to one municipality's rows). Returns the municipalities' rows.
async fn write(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    delta: &mut Delta,
    upsert: bool,
    municipalities: Municipalities,
) -> Result<Municipal> {
    write_dimension_rows(
        tx,
        DIMENSION_TABLE,
        "day",
        &delta.sorted(&delta.dimension),
        upsert,
    )
    .await?;
    write_dimension_rows(
        tx,
        MONTH_TABLE,
        "month",
        &delta.sorted(&delta.month),
        upsert,
    )
    .await?;
    let municipal = match municipalities {
        Municipalities::Later => Municipal::default(),
        Municipalities::Served => write_municipal_rows(tx, delta).await?,
    };
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
    Ok(municipal)
}

/// Upserts the rows of the municipalities a delta's help points serve, summed from its rows per help point.
async fn write_municipal_rows(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    delta: &mut Delta,
) -> Result<Municipal> {
    // Read after the first write, so that no change of the municipalities served can come between this read and
    // the commit: SQLite holds the write lock from the first write on, and on PostgreSQL a change first takes a
    // table lock that waits for this transaction's writes of the rollups ([`before_serving_changes`]).
    let served = served_municipalities(tx, &delta.point_ids()).await?;
    let municipal = delta.municipal(&served);
    write_dimension_rows(
        tx,
        DIMENSION_TABLE,
        "day",
        &delta.sorted(&municipal.dimension),
        true,
    )
    .await?;
    write_dimension_rows(
        tx,
        MONTH_TABLE,
        "month",
        &delta.sorted(&municipal.month),
        true,
    )
    .await?;
    Ok(municipal)
}

/// Inserts every municipality's rows, summed in SQL from the rows of the help points of its chain: a rebuild's
/// last step (tables without municipality rows). One grouped insert per table writes in key order, instead of
/// upserting each help point's share in turn (a rebuild of 1,000,000 questions over 700 help points: 187 -> 157 s).
async fn insert_municipality_rows(tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> Result<()> {
    for (table, time) in [(DIMENSION_TABLE, "day"), (MONTH_TABLE, "month")] {
        let mut sql = Sql::new("INSERT INTO ");
        sql.push(table).push(" (dimension, ").push(time);
        sql.push(", help_point_id, value, questions, minutes) SELECT r.dimension, r.")
            .push(time)
            .push(", ")
            .bind(MUNICIPALITY_ROWS.to_owned())
            .push(" || s.municipality_code, r.value, SUM(r.questions), SUM(r.minutes) FROM ")
            .push(table)
            .push(
                " r JOIN (SELECT id AS help_point_id, municipality_code FROM help_points \
                 UNION SELECT help_point_id, municipality_code FROM help_point_municipalities) s \
                 ON s.help_point_id = r.help_point_id GROUP BY r.dimension, r.",
            )
            .push(time)
            .push(", s.municipality_code, r.value");
        sql.query()?.execute(&mut **tx).await?;
    }
    Ok(())
}

/// (help point, municipality) for each municipality the help points serve: the one they stand in and the
/// ones in `help_point_municipalities` (the chain of a municipality, as `stats::push_chain_filter` reads it).
async fn served_municipalities(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    points: &[String],
) -> Result<Vec<(String, String)>> {
    if points.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::for_connection(
        tx,
        "SELECT id, municipality_code FROM help_points WHERE id IN ",
    );
    sql.bind_list(points.iter().cloned()).push(
        " UNION SELECT help_point_id, municipality_code FROM help_point_municipalities WHERE help_point_id IN ",
    );
    sql.bind_list(points.iter().cloned()).push(" ORDER BY 1, 2");
    Ok(sql.query_as()?.fetch_all(&mut **tx).await?)
}

/// The municipalities some help points served when a change of them began ([`before_serving_changes`]).
pub(crate) struct Serving {
    points: Vec<String>,
    before: Vec<(String, String)>,
}

/// Call first in a transaction that may change which municipalities the help points serve (the municipality
/// they stand in, or `help_point_municipalities`). It waits until no write of the rollups is under way and
/// holds new ones off until the commit: on SQLite by taking the write lock now, on PostgreSQL by a table lock
/// that conflicts with every write of the rollups. A registration then reads the municipalities served either
/// before the change or after its commit, never in between.
pub(crate) async fn before_serving_changes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    points: &[String],
) -> Result<Serving> {
    let hold = if tx.backend_name().eq_ignore_ascii_case("sqlite") {
        // A write that changes nothing still takes SQLite's write lock.
        "DELETE FROM question_month_rollups WHERE 0 = 1"
    } else {
        "LOCK TABLE question_dimension_rollups, question_month_rollups IN SHARE ROW EXCLUSIVE MODE"
    };
    sqlx::query(hold).execute(&mut **tx).await?;
    Ok(Serving {
        points: points.to_vec(),
        before: served_municipalities(tx, points).await?,
    })
}

/// Call last in that transaction: moves each help point's counts out of the municipalities it no longer serves
/// and into the ones it now serves, from its own rows.
pub(crate) async fn after_serving_changes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    serving: Serving,
) -> Result<()> {
    let after = served_municipalities(tx, &serving.points).await?;
    for (point, code) in serving.before.iter().filter(|s| !after.contains(s)) {
        fold_into_municipality(tx, point, code, -1).await?;
    }
    for (point, code) in after.iter().filter(|s| !serving.before.contains(s)) {
        fold_into_municipality(tx, point, code, 1).await?;
    }
    Ok(())
}

/// Adds (`sign` = 1) or removes (-1) every row of one help point to or from a municipality's rows.
async fn fold_into_municipality(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    point: &str,
    code: &str,
    sign: i64,
) -> Result<()> {
    for (table, time) in [(DIMENSION_TABLE, "day"), (MONTH_TABLE, "month")] {
        let mut sql = Sql::new("INSERT INTO ");
        sql.push(table).push(" (dimension, ").push(time);
        sql.push(", help_point_id, value, questions, minutes) SELECT dimension, ")
            .push(time)
            .push(", ")
            .bind(municipality_rows(code))
            .push(", value, ")
            .bind(sign)
            .push(" * questions, ")
            .bind(sign)
            .push(" * minutes FROM ")
            .push(table)
            .push(" WHERE help_point_id = ")
            .bind(point.to_owned());
        push_add_on_conflict(&mut sql, table, time);
        sql.query()?.execute(&mut **tx).await?;
        if sign < 0 {
            let mut sql = Sql::new("DELETE FROM ");
            sql.push(table)
                .push(" WHERE help_point_id = ")
                .bind(municipality_rows(code))
                .push(" AND questions <= 0");
            sql.query()?.execute(&mut **tx).await?;
        }
    }
    Ok(())
}

/// ` ON CONFLICT ... DO UPDATE`: a row of a dimension rollup that exists already gets the new counts added.
fn push_add_on_conflict(sql: &mut Sql, table: &'static str, time: &'static str) {
    sql.push(" ON CONFLICT (dimension, ").push(time);
    sql.push(", help_point_id, value) DO UPDATE SET questions = ")
        .push(table)
        .push(".questions + excluded.questions, minutes = ")
        .push(table)
        .push(".minutes + excluded.minutes");
}

/// Upserts (or inserts) rows of `question_dimension_rollups` (`time` = `day`) or `question_month_rollups`
/// (`time` = `month`).
async fn write_dimension_rows(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    table: &'static str,
    time: &'static str,
    rows: &[DimensionRow<'_>],
    upsert: bool,
) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::for_connection(tx, "INSERT INTO ");
        sql.push(table).push(" (dimension, ").push(time);
        sql.push(", help_point_id, value, questions, minutes) VALUES ");
        for (i, ((dim, at, point, value), (n, minutes))) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(String::from(*dim)).push(", ").bind(*at).push(", ");
            sql.bind(String::from(*point))
                .push(", ")
                .bind(String::from(*value));
            sql.push(", ").bind(*n).push(", ").bind(*minutes).push(")");
        }
        if upsert {
            push_add_on_conflict(&mut sql, table, time);
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
        // Its indexes and the municipalities' grouped sums are sorts of millions of rows (`sort_on_disk`).
        let mut conn = self.bulk_connection().await?;
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        for table in [
            "DELETE FROM question_dimension_rollups",
            "DELETE FROM question_month_rollups",
            "DELETE FROM question_consultation_rollups",
        ] {
            sqlx::query(table).execute(&mut *tx).await?;
        }
        // On SQLite the rollups' secondary indexes are built once at the end (1,000,000 questions over 700
        // help points write some 8,000,000 rows): readers keep their snapshot, indexes included. On
        // PostgreSQL a dropped index would lock every reader of the table out until the rebuild commits.
        let suspended = match self.backend() {
            Backend::Sqlite => {
                crate::bulk_load::suspend_in(&mut tx, Backend::Sqlite, &ROLLUP_TABLES).await?
            }
            Backend::Postgres => Vec::new(),
        };
        let points: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT help_point_id FROM help_questions ORDER BY help_point_id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut read = 0u64;
        // The nation's rows sum every help point's: kept apart and written once at the end, so that each help
        // point's rows are plain inserts.
        let mut nation = Delta::summing(Rows::Nation);
        for point in points {
            let mut delta = Delta::summing(Rows::Point);
            {
                let mut sql = Sql::new("SELECT ");
                sql.push(FACT_COLUMNS)
                    .push(" FROM help_questions WHERE help_point_id = ")
                    .bind(point);
                let mut rows = sql.query_as::<Fact>()?.fetch(&mut *tx);
                while let Some(fact) = rows.try_next().await? {
                    delta.add(FactView::from(&fact), 1);
                    nation.add(FactView::from(&fact), 1);
                    read += 1;
                }
            }
            write(&mut tx, &mut delta, false, Municipalities::Later).await?;
        }
        write(&mut tx, &mut nation, false, Municipalities::Later).await?;
        // Not earlier: the statement journals of the inserts above are cheaper in memory.
        crate::bulk_load::sort_on_disk(&mut tx, self.backend()).await?;
        insert_municipality_rows(&mut tx).await?;
        crate::bulk_load::restore_in(&mut tx, self.backend(), suspended).await?;
        tx.commit().await?;
        self.refresh_planner_statistics().await?;
        Ok(read)
    }

    /// Rebuilds the rollups when questions exist but no rollup does (a database from before migration 0008,
    /// or a bulk load that stopped before its rebuild).
    pub async fn rebuild_rollups_if_missing(&self) -> Result<()> {
        if self.rollups_missing().await? {
            // Minutes for millions of questions: say so, or it looks hung.
            tracing::info!(
                "the steering rollups are recomputed from the help questions (once, after this update); \
                 registrations wait until that is done (`keten serve` answers \"come back in a few minutes\")"
            );
            let started = std::time::Instant::now();
            let read = self.rebuild_rollups().await?;
            tracing::info!(
                questions = read,
                seconds = started.elapsed().as_secs_f64(),
                "steering rollups recomputed"
            );
        }
        Ok(())
    }

    /// Are there help questions but no rollups (a migration emptied them to recompute them)?
    pub async fn rollups_missing(&self) -> Result<bool> {
        let rolled: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM question_dimension_rollups LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        let raw: Option<i64> = sqlx::query_scalar("SELECT 1 FROM help_questions LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(rolled.is_none() && raw.is_some())
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
