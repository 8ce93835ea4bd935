//! Help questions: anonymous registrations at help points, written in bulk or one by one.

use crate::Store;
use crate::error::Result;
use crate::error::StoreError;
use crate::rollups;
use crate::scope::Actor;
use crate::sql::Sql;
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::help_question::{AgeBand, Channel, Outcome, VisitDraft};
use keten_core::opening_hours::Region;

/// A help question ready to be stored; ids are made by the caller so that a
/// batch can be written without a round trip per row.
#[derive(Debug, Clone)]
pub struct NewHelpQuestion {
    pub id: String,
    pub visit_id: String,
    pub help_point_id: String,
    pub asked_at: i64,
    pub topic_code: String,
    pub agency: String,
    pub kind: String,
    pub channel: Channel,
    pub minutes: i64,
    pub outcome: Outcome,
    pub age_band: Option<AgeBand>,
    pub pc4: Option<String>,
    pub first_visit: Option<bool>,
    pub registered_by: Option<String>,
    pub created_at: i64,
    pub source: Source,
    pub registration_link_id: Option<String>,
    pub referred_to: Option<String>,
    pub remark: Option<String>,
    /// The partner's consultation hour the visit took place in.
    pub consultation_hour_id: Option<String>,
}

/// Where a registration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Desk,
    Link,
    Api,
    Import,
    Demo,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Desk => "desk",
            Source::Link => "link",
            Source::Api => "api",
            Source::Import => "import",
            Source::Demo => "demo",
        }
    }
}

/// Rows per INSERT statement. With `$N` placeholders SQLite's binding cost grew
/// with the square of the parameters (16 rows were best); with plain `?` on
/// SQLite ([`Sql::for_connection`]) it does not, and the demo's 300,000
/// questions load in 23.2 s with 16 rows, 14.1 s with 64 and 13.7 s with 256
/// (release, 2026-12-06).
pub const ROWS_PER_STATEMENT: usize = 64;

impl Store {
    /// Writes the questions in one transaction: all or nothing.
    pub async fn insert_help_questions(&self, questions: &[NewHelpQuestion]) -> Result<()> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        insert_rows(&mut tx, questions).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes the questions in one transaction without touching the rollups:
    /// a bulk load calls [`Store::rebuild_rollups`] once when it is done.
    pub(crate) async fn insert_help_questions_without_rollups(
        &self,
        questions: &[NewHelpQuestion],
    ) -> Result<()> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        insert_rows_without_rollups(&mut tx, questions).await?;
        tx.commit().await?;
        Ok(())
    }

    /// All questions ever registered (the running total).
    pub async fn count_help_questions(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM help_questions")
            .fetch_one(&self.pool)
            .await?)
    }
}

/// Multi-row INSERTs inside the caller's transaction, with their rollups;
/// returns each help point's new running total.
pub(crate) async fn insert_rows(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    questions: &[NewHelpQuestion],
) -> Result<Vec<(String, i64)>> {
    rollups::add_new(tx, questions).await?;
    insert_rows_without_rollups(tx, questions).await
}

/// [`insert_rows`] without the rollups: only for bulk loads that rebuild the
/// rollups once at the end (the demo loader).
async fn insert_rows_without_rollups(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    questions: &[NewHelpQuestion],
) -> Result<Vec<(String, i64)>> {
    for chunk in questions.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::for_connection(
            tx,
            "INSERT INTO help_questions (id, visit_id, help_point_id, asked_at, topic_code, agency, kind, channel, \
                 minutes, outcome, age_band, pc4, first_visit, registered_by, created_at, source, \
                 registration_link_id, referred_to, remark, consultation_hour_id) VALUES ",
        );
        for (i, q) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(q.id.clone()).push(", ");
            sql.bind(q.visit_id.clone()).push(", ");
            sql.bind(q.help_point_id.clone()).push(", ");
            sql.bind(q.asked_at).push(", ");
            sql.bind(q.topic_code.clone()).push(", ");
            sql.bind(q.agency.clone()).push(", ");
            sql.bind(q.kind.clone()).push(", ");
            sql.bind(q.channel.as_str()).push(", ");
            sql.bind(q.minutes).push(", ");
            sql.bind(q.outcome.as_str()).push(", ");
            sql.bind(q.age_band.map(AgeBand::as_str)).push(", ");
            sql.bind(q.pc4.clone()).push(", ");
            sql.bind(q.first_visit.map(i64::from)).push(", ");
            sql.bind(q.registered_by.clone()).push(", ");
            sql.bind(q.created_at).push(", ");
            sql.bind(q.source.as_str()).push(", ");
            sql.bind(q.registration_link_id.clone()).push(", ");
            sql.bind(q.referred_to.clone()).push(", ");
            sql.bind(q.remark.clone()).push(", ");
            sql.bind(q.consultation_hour_id.clone()).push(")");
        }
        sql.query()?.execute(&mut **tx).await?;
    }
    let mut added: Vec<(&str, i64)> = Vec::new();
    for q in questions {
        match added.iter_mut().find(|(id, _)| *id == q.help_point_id) {
            Some((_, n)) => *n += 1,
            None => added.push((&q.help_point_id, 1)),
        }
    }
    // In id order, like the rollups' keys: concurrent PostgreSQL writers lock the totals in one order.
    added.sort_unstable();
    let mut totals = Vec::with_capacity(added.len());
    for (help_point_id, n) in added {
        totals.push((
            help_point_id.to_owned(),
            add_to_count(tx, help_point_id, n).await?,
        ));
    }
    Ok(totals)
}

/// Moves a help point's running total by `n` (negative for undo) and returns
/// the new total (RETURNING saves a round trip inside SQLite's write turn).
async fn add_to_count(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    help_point_id: &str,
    n: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO help_point_question_counts (help_point_id, total) VALUES ($1, $2) \
         ON CONFLICT (help_point_id) DO UPDATE SET total = help_point_question_counts.total + $2 \
         RETURNING total",
    )
    .bind(help_point_id)
    .bind(n)
    .fetch_one(&mut **tx)
    .await?)
}

/// A help point where the actor may register questions.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeskHelpPoint {
    pub id: String,
    pub name: String,
    pub organisation_id: String,
    pub municipality_code: String,
}

impl DeskHelpPoint {
    /// The time zone and holidays that apply.
    pub fn region(&self) -> Region {
        keten_core::reference::municipality(&self.municipality_code)
            .map(|m| Region::from(m.country))
            .unwrap_or(Region::Nl)
    }
}

/// Who registers: the user or token (for the audit columns) and how.
#[derive(Debug, Clone)]
pub struct Registrar {
    pub source: Source,
    pub user_id: Option<String>,
    pub link_id: Option<String>,
}

/// A saved visit: its id, its questions and the help point's running total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredVisit {
    pub visit_id: String,
    pub question_ids: Vec<String>,
    /// How many questions the help point has registered, this visit included.
    pub running_total: i64,
}

/// One stored registration. The remark is for the help point only: exports leave it out.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HelpQuestion {
    pub id: String,
    pub visit_id: String,
    pub help_point_id: String,
    /// Unix seconds.
    pub asked_at: i64,
    pub topic_code: String,
    pub agency: String,
    pub kind: String,
    pub channel: String,
    pub minutes: i64,
    pub outcome: String,
    pub referred_to: Option<String>,
    pub age_band: Option<String>,
    pub pc4: Option<String>,
    pub first_visit: Option<i64>,
    pub source: String,
    pub registered_by: Option<String>,
    pub registration_link_id: Option<String>,
    pub remark: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: Option<i64>,
    pub consultation_hour_id: Option<String>,
}

const QUESTION_COLUMNS: &str = "q.id, q.visit_id, q.help_point_id, q.asked_at, q.topic_code, q.agency, q.kind, \
    q.channel, q.minutes, q.outcome, q.referred_to, q.age_band, q.pc4, q.first_visit, q.source, q.registered_by, \
    q.registration_link_id, q.remark, q.created_at, q.updated_at, q.consultation_hour_id";

/// Filters for listing registrations (API, exports).
#[derive(Debug, Clone, Default)]
pub struct QuestionFilter {
    pub help_point_id: Option<String>,
    pub topic_code: Option<String>,
    /// Unix seconds, inclusive.
    pub asked_from: Option<i64>,
    /// Unix seconds, exclusive.
    pub asked_until: Option<i64>,
    /// Continue after this (created_at, id).
    pub after: Option<(i64, String)>,
    pub limit: i64,
}

/// Counts for a help point's own overview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeskOverview {
    pub today: i64,
    pub this_week: i64,
    pub this_month: i64,
    pub total: i64,
    /// (code, count), most first, this month.
    pub top_topics: Vec<(String, i64)>,
    pub top_agencies: Vec<(String, i64)>,
}

/// Roles that work at a help point's desk.
const DESK_ROLES: [Role; 2] = [Role::Staff, Role::Coordinator];

fn desk_organisations(actor: &Actor) -> Vec<String> {
    actor
        .memberships
        .iter()
        .filter(|m| DESK_ROLES.contains(&m.role))
        .map(|m| m.organisation_id.clone())
        .collect()
}

impl Store {
    /// Help points whose organisation the actor works for as staff or
    /// coordinator (an admin: all), by name.
    pub async fn desk_help_points(&self, actor: &Actor) -> Result<Vec<DeskHelpPoint>> {
        let mut sql = Sql::new(
            "SELECT h.id, h.name, h.organisation_id, h.municipality_code FROM help_points h WHERE 1 = 1",
        );
        if !actor.is_admin() {
            sql.push(" AND h.organisation_id IN ")
                .bind_list(desk_organisations(actor));
        }
        sql.push(" ORDER BY h.name, h.id");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// One desk help point of the actor; `Invalid` when the actor does not
    /// work there (a form or API field error, not a 404 page). The help point
    /// comes from memory while it is unchanged (`caches`), so a registration
    /// asks the database nothing to check it; the rule is the one
    /// [`Store::desk_help_points`] applies in SQL.
    pub async fn desk_help_point(&self, actor: &Actor, id: &str) -> Result<DeskHelpPoint> {
        match self.desk_help_point_row(id).await? {
            Some(point)
                if actor.is_admin()
                    || desk_organisations(actor).contains(&point.organisation_id) =>
            {
                Ok(point)
            }
            _ => Err(StoreError::Invalid(vec![ValidationError::new(
                "help_point",
                "U kunt niet registreren voor dit hulppunt: het bestaat niet of u werkt er niet.",
            )])),
        }
    }

    /// A help point as the desk needs it, from the database.
    pub(crate) async fn load_desk_help_point(&self, id: &str) -> Result<Option<DeskHelpPoint>> {
        Ok(sqlx::query_as(
            "SELECT id, name, organisation_id, municipality_code FROM help_points WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Is the actor a coordinator of this help point (its organisation's
    /// coordinator, or an admin)?
    pub fn coordinates_desk(&self, actor: &Actor, point: &DeskHelpPoint) -> bool {
        actor.is_admin()
            || actor
                .memberships
                .iter()
                .any(|m| m.role == Role::Coordinator && m.organisation_id == point.organisation_id)
    }

    /// The help point the user registered at last, if any.
    pub async fn remembered_desk(&self, user_id: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT desk_help_point_id FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?
                .flatten(),
        )
    }

    pub async fn remember_desk(&self, user_id: &str, help_point_id: &str) -> Result<()> {
        sqlx::query("UPDATE users SET desk_help_point_id = $1 WHERE id = $2")
            .bind(help_point_id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Saves a visit's questions in one transaction and returns the help
    /// point's running total. The caller has checked the help point.
    pub async fn register_visit(
        &self,
        point: &DeskHelpPoint,
        visit: &VisitDraft,
        by: &Registrar,
        now: i64,
    ) -> Result<RegisteredVisit> {
        let mut saved = self.register_visits(&[(point, visit)], by, now).await?;
        saved.pop().ok_or(StoreError::NotFound)
    }

    /// Saves several visits at once (API batches): all or nothing. Each visit's running total counts up to
    /// the visit's last question. The visits join the writer task's next batch (`group_commit`): this returns
    /// after the batch's commit, so a saved visit is a durable one.
    pub async fn register_visits(
        &self,
        visits: &[(&DeskHelpPoint, &VisitDraft)],
        by: &Registrar,
        now: i64,
    ) -> Result<Vec<RegisteredVisit>> {
        // Checked before queueing, so one caller's wrong organisation never fails the others' batch.
        if visits
            .iter()
            .any(|(_, v)| v.questions.iter().any(|q| q.referred_to.is_some()))
        {
            let drafts: Vec<(&str, &VisitDraft)> = visits
                .iter()
                .map(|(p, v)| (p.organisation_id.as_str(), *v))
                .collect();
            let mut conn = self.pool.acquire().await?;
            check_referred_organisations(&mut conn, &drafts).await?;
        }
        if visits.iter().any(|(_, v)| v.consultation_hour_id.is_some()) {
            let hours: Vec<(&str, &VisitDraft)> =
                visits.iter().map(|(p, v)| (p.id.as_str(), *v)).collect();
            let mut conn = self.pool.acquire().await?;
            check_consultation_hours(&mut conn, &hours).await?;
        }
        let owned = visits
            .iter()
            .map(|(p, v)| ((*p).clone(), (*v).clone()))
            .collect();
        self.group
            .save(&self.pool, &self.write_queue, owned, by.clone(), now)
            .await
    }

    /// Imports historical visits into one help point in one transaction (all or
    /// nothing), reporting progress after every chunk of rows.
    pub async fn import_visits(
        &self,
        point: &DeskHelpPoint,
        visits: &[VisitDraft],
        by: &Registrar,
        now: i64,
        mut progress: impl FnMut(u64),
    ) -> Result<u64> {
        let pairs: Vec<(&DeskHelpPoint, &VisitDraft)> = visits.iter().map(|v| (point, v)).collect();
        let (rows, _) = build_rows(&pairs, by, now);
        let mut tx = self.pool.begin().await?;
        let drafts: Vec<(&str, &VisitDraft)> = visits
            .iter()
            .map(|v| (point.organisation_id.as_str(), v))
            .collect();
        check_referred_organisations(&mut tx, &drafts).await?;
        let hours: Vec<(&str, &VisitDraft)> =
            visits.iter().map(|v| (point.id.as_str(), v)).collect();
        check_consultation_hours(&mut tx, &hours).await?;
        let mut written = 0u64;
        for chunk in rows.chunks(1_024) {
            insert_rows(&mut tx, chunk).await?;
            written += chunk.len() as u64;
            progress(written);
        }
        tx.commit().await?;
        Ok(written)
    }

    /// The questions of one visit at one help point.
    pub async fn visit_questions(
        &self,
        help_point_id: &str,
        visit_id: &str,
    ) -> Result<Vec<HelpQuestion>> {
        let mut sql = Sql::new("SELECT ");
        sql.push(QUESTION_COLUMNS)
            .push(" FROM help_questions q WHERE q.help_point_id = ");
        sql.bind(help_point_id.to_owned())
            .push(" AND q.visit_id = ")
            .bind(visit_id.to_owned())
            .push(" ORDER BY q.id");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// Removes a whole visit (undo); the caller has checked the window.
    pub async fn delete_visit(&self, help_point_id: &str, visit_id: &str) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        rollups::retract(
            &mut tx,
            rollups::Questions::Visit {
                help_point_id,
                visit_id,
            },
        )
        .await?;
        let done =
            sqlx::query("DELETE FROM help_questions WHERE help_point_id = $1 AND visit_id = $2")
                .bind(help_point_id)
                .bind(visit_id)
                .execute(&mut *tx)
                .await?;
        let removed = i64::try_from(done.rows_affected()).unwrap_or(0);
        add_to_count(&mut tx, help_point_id, -removed).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// Removes one question of a visit (undo of a single question); the caller
    /// has checked the window. The rest of the visit stays.
    pub async fn delete_visit_question(
        &self,
        help_point_id: &str,
        visit_id: &str,
        question_id: &str,
    ) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        // Only a question of this visit at this help point leaves the rollups.
        let found: Option<String> = sqlx::query_scalar(
            "SELECT id FROM help_questions WHERE help_point_id = $1 AND visit_id = $2 AND id = $3",
        )
        .bind(help_point_id)
        .bind(visit_id)
        .bind(question_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(found) = found else {
            return Ok(0);
        };
        rollups::retract(&mut tx, rollups::Questions::Ids(&[found])).await?;
        let done = sqlx::query(
            "DELETE FROM help_questions WHERE help_point_id = $1 AND visit_id = $2 AND id = $3",
        )
        .bind(help_point_id)
        .bind(visit_id)
        .bind(question_id)
        .execute(&mut *tx)
        .await?;
        let removed = i64::try_from(done.rows_affected()).unwrap_or(0);
        add_to_count(&mut tx, help_point_id, -removed).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// One registration at one of the given help points.
    pub async fn help_question(&self, help_point_ids: &[String], id: &str) -> Result<HelpQuestion> {
        let mut sql = Sql::new("SELECT ");
        sql.push(QUESTION_COLUMNS)
            .push(" FROM help_questions q WHERE q.id = ");
        sql.bind(id.to_owned()).push(" AND q.help_point_id IN ");
        sql.bind_list(help_point_ids.iter().cloned());
        Ok(sql.query_as()?.fetch_one(&self.pool).await?)
    }

    /// Corrects one registration: the question's fields and its visit's profile.
    pub async fn correct_help_question(
        &self,
        id: &str,
        visit: &VisitDraft,
        by_user: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let q = visit.questions.first().ok_or(StoreError::NotFound)?;
        let mut tx = self.pool.begin().await?;
        let found: Option<(String, String)> = sqlx::query_as(
            "SELECT h.organisation_id, h.id FROM help_questions q JOIN help_points h ON h.id = q.help_point_id \
             WHERE q.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let (organisation, point) = found.ok_or(StoreError::NotFound)?;
        check_referred_organisations(&mut tx, &[(organisation.as_str(), visit)]).await?;
        check_consultation_hours(&mut tx, &[(point.as_str(), visit)]).await?;
        let ids = [id.to_owned()];
        rollups::retract(&mut tx, rollups::Questions::Ids(&ids)).await?;
        let done = sqlx::query(
            "UPDATE help_questions SET asked_at = $1, topic_code = $2, agency = $3, kind = $4, channel = $5, \
             minutes = $6, outcome = $7, referred_to = $8, age_band = $9, pc4 = $10, first_visit = $11, \
             remark = $12, updated_at = $13, updated_by = $14, consultation_hour_id = $15 WHERE id = $16",
        )
        .bind(visit.asked_at)
        .bind(&q.topic_code)
        .bind(&q.agency)
        .bind(&q.kind)
        .bind(q.channel.as_str())
        .bind(q.minutes)
        .bind(q.outcome.as_str())
        .bind(&q.referred_to)
        .bind(visit.age_band.map(AgeBand::as_str))
        .bind(&visit.pc4)
        .bind(visit.first_visit.map(i64::from))
        .bind(&visit.remark)
        .bind(now)
        .bind(by_user)
        .bind(&visit.consultation_hour_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        rollups::include(&mut tx, rollups::Questions::Ids(&ids)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Registrations at the given help points, oldest registration first,
    /// continuing after a cursor.
    pub async fn help_questions(
        &self,
        help_point_ids: &[String],
        filter: &QuestionFilter,
    ) -> Result<Vec<HelpQuestion>> {
        let mut sql = Sql::new("SELECT ");
        sql.push(QUESTION_COLUMNS)
            .push(" FROM help_questions q WHERE q.help_point_id IN ");
        match &filter.help_point_id {
            Some(id) if help_point_ids.contains(id) => sql.bind_list([id.clone()]),
            Some(_) => sql.bind_list(Vec::<String>::new()),
            None => sql.bind_list(help_point_ids.iter().cloned()),
        };
        if let Some(topic) = &filter.topic_code {
            sql.push(" AND q.topic_code = ").bind(topic.clone());
        }
        if let Some(from) = filter.asked_from {
            sql.push(" AND q.asked_at >= ").bind(from);
        }
        if let Some(until) = filter.asked_until {
            sql.push(" AND q.asked_at < ").bind(until);
        }
        if let Some((created, id)) = &filter.after {
            sql.push(" AND (q.created_at > ").bind(*created);
            sql.push(" OR (q.created_at = ").bind(*created);
            sql.push(" AND q.id > ").bind(id.clone()).push("))");
        }
        sql.push(" ORDER BY q.created_at, q.id LIMIT ")
            .bind(filter.limit);
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// Registrations saved at a help point since `since` (unix seconds),
    /// newest first: the desk's "recent" list for corrections.
    pub async fn recent_help_questions(
        &self,
        help_point_id: &str,
        registered_by: Option<&str>,
        since: i64,
        limit: i64,
    ) -> Result<Vec<HelpQuestion>> {
        let mut sql = Sql::new("SELECT ");
        sql.push(QUESTION_COLUMNS)
            .push(" FROM help_questions q WHERE q.help_point_id = ");
        sql.bind(help_point_id.to_owned())
            .push(" AND q.created_at >= ")
            .bind(since);
        if let Some(user) = registered_by {
            sql.push(" AND q.registered_by = ").bind(user.to_owned());
        }
        sql.push(" ORDER BY q.created_at DESC, q.id DESC LIMIT ")
            .bind(limit);
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// Topic codes by how often this help point used them since `since`,
    /// most used first: the desk form puts them on top.
    pub async fn frequent_topics(&self, help_point_id: &str, since: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT topic_code FROM help_questions WHERE help_point_id = $1 AND asked_at >= $2 \
             GROUP BY topic_code ORDER BY COUNT(*) DESC, topic_code",
        )
        .bind(help_point_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Today, this week, this month (boundaries in unix seconds, computed by
    /// the caller in the help point's time zone) and the running total.
    pub async fn desk_overview(
        &self,
        help_point_id: &str,
        day_start: i64,
        week_start: i64,
        month_start: i64,
    ) -> Result<DeskOverview> {
        let count_since = |since: i64| {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM help_questions WHERE help_point_id = $1 AND asked_at >= $2",
            )
            .bind(help_point_id.to_owned())
            .bind(since)
            .fetch_one(&self.pool)
        };
        let top = |column: &'static str| {
            let mut sql = Sql::new("SELECT ");
            sql.push(column)
                .push(", COUNT(*) FROM help_questions WHERE help_point_id = ");
            sql.bind(help_point_id.to_owned())
                .push(" AND asked_at >= ")
                .bind(month_start)
                .push(" GROUP BY ")
                .push(column)
                .push(" ORDER BY COUNT(*) DESC, ")
                .push(column)
                .push(" LIMIT 5");
            sql
        };
        Ok(DeskOverview {
            today: count_since(day_start).await?,
            this_week: count_since(week_start).await?,
            this_month: count_since(month_start).await?,
            total: sqlx::query_scalar(
                "SELECT COALESCE(MAX(total), 0) FROM help_point_question_counts WHERE help_point_id = $1",
            )
            .bind(help_point_id)
            .fetch_one(&self.pool)
            .await?,
            top_topics: top("topic_code").query_as()?.fetch_all(&self.pool).await?,
            top_agencies: top("agency").query_as()?.fetch_all(&self.pool).await?,
        })
    }
}

/// The rows of the visits, with fresh time-ordered ids, and their ids per visit.
pub(crate) fn build_rows(
    visits: &[(&DeskHelpPoint, &VisitDraft)],
    by: &Registrar,
    now: i64,
) -> (Vec<NewHelpQuestion>, Vec<RegisteredVisit>) {
    let mut rows = Vec::new();
    let mut saved = Vec::with_capacity(visits.len());
    for (point, visit) in visits {
        let visit_id = new_question_id(now);
        let mut ids = Vec::with_capacity(visit.questions.len());
        for q in &visit.questions {
            let id = new_question_id(now);
            ids.push(id.clone());
            rows.push(NewHelpQuestion {
                id,
                visit_id: visit_id.clone(),
                help_point_id: point.id.clone(),
                asked_at: visit.asked_at,
                topic_code: q.topic_code.clone(),
                agency: q.agency.clone(),
                kind: q.kind.clone(),
                channel: q.channel,
                minutes: q.minutes,
                outcome: q.outcome,
                age_band: visit.age_band,
                pc4: visit.pc4.clone(),
                first_visit: visit.first_visit,
                registered_by: by.user_id.clone(),
                created_at: now,
                source: by.source,
                registration_link_id: by.link_id.clone(),
                referred_to: q.referred_to.clone(),
                remark: visit.remark.clone(),
                consultation_hour_id: visit.consultation_hour_id.clone(),
            });
        }
        saved.push(RegisteredVisit {
            visit_id,
            question_ids: ids,
            running_total: 0,
        });
    }
    (rows, saved)
}

/// A time-ordered id, so the primary-key index stays append-only.
fn new_question_id(now: i64) -> String {
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, u64::try_from(now).unwrap_or_default(), 0);
    uuid::Uuid::new_v7(ts).to_string()
}

/// "Referred to" must name an organisation of the help point's chain: one active in a municipality where the
/// help point's organisation is active (issue 18; `create_referral` refuses the same). Another chain's
/// organisation is answered like an unknown one, so its existence does not leak.
async fn check_referred_organisations(
    conn: &mut sqlx::AnyConnection,
    visits: &[(&str, &VisitDraft)],
) -> Result<()> {
    // One query per help point organisation, however many visits an import brings.
    let mut by_organisation: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for (organisation_id, visit) in visits {
        by_organisation
            .entry(organisation_id)
            .or_default()
            .extend(visit.questions.iter().filter_map(|q| q.referred_to.clone()));
    }
    for (organisation_id, mut wanted) in by_organisation {
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            continue;
        }
        let mut sql = Sql::new("SELECT o.id FROM organisations o WHERE o.id IN ");
        sql.bind_list(wanted.iter().cloned());
        sql.push(" AND (o.id = ").bind(organisation_id.to_owned());
        sql.push(
            " OR o.id IN (SELECT m.organisation_id FROM organisation_municipalities m \
             WHERE m.municipality_code IN (SELECT h.municipality_code FROM organisation_municipalities h \
             WHERE h.organisation_id = ",
        )
        .bind(organisation_id.to_owned())
        .push(")))");
        let found: Vec<(String,)> = sql.query_as()?.fetch_all(&mut *conn).await?;
        if let Some(missing) = wanted.iter().find(|w| !found.iter().any(|(f,)| f == *w)) {
            return Err(StoreError::Invalid(vec![ValidationError::new(
                "referred_to",
                format!(
                    "De organisatie '{missing}' bij 'doorverwezen naar' kennen we niet in de keten van dit hulppunt."
                ),
            )]));
        }
    }
    Ok(())
}

/// A visit's consultation hour must be one of its help point's hours (any partner's); another help point's
/// hour is answered like an unknown one.
async fn check_consultation_hours(
    conn: &mut sqlx::AnyConnection,
    visits: &[(&str, &VisitDraft)],
) -> Result<()> {
    let mut wanted: Vec<(&str, &str)> = visits
        .iter()
        .filter_map(|(point, v)| v.consultation_hour_id.as_deref().map(|h| (*point, h)))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    for (point, hour) in wanted {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT id FROM consultation_hours WHERE id = $1 AND help_point_id = $2",
        )
        .bind(hour)
        .bind(point)
        .fetch_optional(&mut *conn)
        .await?;
        if found.is_none() {
            return Err(StoreError::Invalid(vec![ValidationError::new(
                "consultation_hour",
                "Dit spreekuur kennen we niet bij dit hulppunt. Kies een spreekuur uit de lijst of 'Geen spreekuur'.",
            )]));
        }
    }
    Ok(())
}

/// A partner's consultation hour at a help point, as the desk form offers it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeskConsultationHour {
    pub id: String,
    pub title: String,
    pub organisation_name: String,
}

impl Store {
    /// The consultation hours held at a help point, for the desk's "Spreekuur" choice (the caller has
    /// checked the help point).
    pub async fn desk_consultation_hours(
        &self,
        help_point_id: &str,
    ) -> Result<Vec<DeskConsultationHour>> {
        Ok(sqlx::query_as(
            "SELECT c.id, c.title, o.name AS organisation_name FROM consultation_hours c \
             JOIN organisations o ON o.id = c.organisation_id WHERE c.help_point_id = $1 \
             ORDER BY o.name, c.title, c.id",
        )
        .bind(help_point_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// Registrations counted by topic, agency, kind and outcome over a period.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QuestionCount {
    pub topic_code: String,
    pub agency: String,
    pub kind: String,
    pub outcome: String,
    pub questions: i64,
    pub minutes: i64,
}

impl Store {
    /// Counts at the given help points with `from <= asked_at < until`: the
    /// source of the IDO monitor export and the per-agency export.
    pub async fn question_counts(
        &self,
        help_point_ids: &[String],
        from: i64,
        until: i64,
    ) -> Result<Vec<QuestionCount>> {
        let mut sql = Sql::new(
            "SELECT topic_code, agency, kind, outcome, COUNT(*) AS questions, \
             CAST(SUM(minutes) AS BIGINT) AS minutes FROM help_questions WHERE help_point_id IN ",
        );
        sql.bind_list(help_point_ids.iter().cloned())
            .push(" AND asked_at >= ")
            .bind(from)
            .push(" AND asked_at < ")
            .bind(until)
            .push(" GROUP BY topic_code, agency, kind, outcome ORDER BY topic_code, agency, kind, outcome");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }
}
