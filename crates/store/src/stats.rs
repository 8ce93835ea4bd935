//! The steering figures, read from the rollups only (never the raw rows): a scope (the nation, a municipality, one help point, one partner's consultation hours) checked against the actor, and counts per dimension, day, hour, profile and help point.

use crate::Store;
use crate::error::{Result, StoreError};
use crate::rollups::{
    CONSULTATION_HOUR, EVERY_HELP_POINT, HOUR, MUNICIPALITY_ROWS, OLDER_AGE_BANDS,
    municipality_rows,
};
use crate::scope::Actor;
use crate::sql::Sql;
use keten_core::account::Role;
use keten_core::organisation::OrganisationKind;
use keten_core::programme::ApplicationStatus;
use keten_core::steering::DayRange;

/// Whose figures: a municipality's chain (its help points and the ones serving it), one of its help points,
/// or every help point (national bodies and admins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsScope {
    /// `None`: the whole installation.
    pub municipality_code: Option<String>,
    pub help_point: Option<ScopePoint>,
    /// One partner's consultation hours at the municipality's chain: only the questions registered during
    /// them (read from `question_consultation_rollups`).
    pub partner: Option<ScopePartner>,
}

/// The partner organisation whose consultation hours a scope is narrowed to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ScopePartner {
    pub id: String,
    pub name: String,
}

/// Questions during one consultation hour in a period.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HourCount {
    pub consultation_hour_id: String,
    pub title: String,
    pub organisation_name: String,
    pub help_point_name: String,
    pub questions: i64,
    pub minutes: i64,
}

/// The help point a scope is narrowed to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ScopePoint {
    pub id: String,
    pub name: String,
    pub municipality_code: String,
}

/// A help point of a municipality's chain, for the scope chooser.
pub type ChainPoint = ScopePoint;

/// What the figures break down by: a dimension code of `question_dimension_rollups` and a column of
/// `question_consultation_rollups`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Topic,
    Agency,
    Kind,
    Channel,
    Outcome,
    ReferredTo,
    FirstVisit,
}

impl Dimension {
    pub const ALL: [Dimension; 7] = [
        Dimension::Topic,
        Dimension::Agency,
        Dimension::Kind,
        Dimension::Channel,
        Dimension::Outcome,
        Dimension::ReferredTo,
        Dimension::FirstVisit,
    ];

    fn column(self) -> &'static str {
        match self {
            Dimension::Topic => "topic_code",
            Dimension::Agency => "agency",
            Dimension::Kind => "kind",
            Dimension::Channel => "channel",
            Dimension::Outcome => "outcome",
            Dimension::ReferredTo => "referred_to",
            Dimension::FirstVisit => "first_visit",
        }
    }
}

/// Questions and minutes under one value of a dimension ('' = not recorded).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Count {
    pub value: String,
    pub questions: i64,
    pub minutes: i64,
}

/// Questions at one help point in a period.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PointCount {
    pub help_point_id: String,
    pub name: String,
    pub municipality_code: String,
    pub questions: i64,
    pub minutes: i64,
}

/// A help point's running total since it began registering.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RunningTotal {
    pub help_point_id: String,
    pub name: String,
    pub total: i64,
}

/// [`Figures`]' counts per dimension and its areas.
type FiguresPerValue = (Vec<(Dimension, Vec<Count>)>, Vec<(String, i64, i64)>);

/// [`Figures`]' days, hours, age bands and help points, and the questions per PC4 asked by residents of 65
/// or over (empty for a partner's scope, whose areas come whole with [`FiguresPerValue`]).
type FiguresOverTimeAndPoints = (
    Vec<(i64, i64, i64)>,
    Vec<(i64, i64)>,
    Vec<(String, i64)>,
    Vec<PointCount>,
    Vec<(String, i64)>,
);

/// Everything the dashboard shows for one period, as read from the rollups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// One list per [`Dimension::ALL`] entry, most questions first.
    pub by: Vec<(Dimension, Vec<Count>)>,
    /// (day, questions, minutes), days with questions only, oldest first.
    pub days: Vec<(i64, i64, i64)>,
    /// (local hour, questions), hours with questions only.
    pub hours: Vec<(i64, i64)>,
    /// (PC4, questions, of which asked by residents of 65 or over); '' where not recorded.
    pub areas: Vec<(String, i64, i64)>,
    /// (age band, questions); '' where not recorded.
    pub age_bands: Vec<(String, i64)>,
    pub help_points: Vec<PointCount>,
}

impl Figures {
    pub fn questions(&self) -> i64 {
        self.days.iter().map(|d| d.1).sum()
    }

    pub fn minutes(&self) -> i64 {
        self.days.iter().map(|d| d.2).sum()
    }

    pub fn counts(&self, dimension: Dimension) -> &[Count] {
        self.by
            .iter()
            .find(|(d, _)| *d == dimension)
            .map_or(&[][..], |(_, c)| c.as_slice())
    }
}

/// The times of one referral, for lead times and the overdue share (no personal data, no ids).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReferralTimes {
    pub status: String,
    pub sent_at: i64,
    pub due_at: i64,
    pub accepted_at: Option<i64>,
    pub closed_at: Option<i64>,
}

/// Whose figures an actor reads: every municipality and the nation, or a list of municipalities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FigureReach {
    Everywhere,
    /// Sorted, without duplicates; may be empty.
    Municipalities(Vec<String>),
}

impl FigureReach {
    pub fn includes(&self, municipality_code: &str) -> bool {
        match self {
            FigureReach::Everywhere => {
                keten_core::reference::municipality(municipality_code).is_some()
            }
            FigureReach::Municipalities(codes) => codes.iter().any(|c| c == municipality_code),
        }
    }
}

impl Store {
    /// Whose figures the actor reads. Admins and the programme managers of a national body (the issue's
    /// "all, for the national body"): every municipality and the nation. The programme managers of another
    /// organisation (a province's library service, a regional consortium): the municipalities that take part
    /// in its programmes (chosen applications, lead and dossier members). Steering: its own municipalities.
    pub async fn figure_reach(&self, actor: &Actor) -> Result<FigureReach> {
        if actor.has_role(Role::Admin) {
            return Ok(FigureReach::Everywhere);
        }
        let mut codes: Vec<String> = actor.steering_municipalities.clone();
        let managing: Vec<String> = actor
            .organisation_ids_with(Role::ProgrammeManager)
            .collect();
        if !managing.is_empty() {
            let mut sql = Sql::new("SELECT COUNT(*) FROM organisations WHERE kind = ");
            sql.bind(OrganisationKind::NationalBody.as_str().to_owned())
                .push(" AND id IN ")
                .bind_list(managing.iter().cloned());
            let (national,): (i64,) = sql.query_as()?.fetch_one(&self.pool).await?;
            if national > 0 {
                return Ok(FigureReach::Everywhere);
            }
            let chosen = ApplicationStatus::Selected.as_str().to_owned();
            let mut sql = Sql::new(
                "SELECT a.municipality_code FROM applications a JOIN programmes p ON p.id = a.programme_id \
                 WHERE a.status = ",
            );
            sql.bind(chosen.clone())
                .push(" AND p.organisation_id IN ")
                .bind_list(managing.iter().cloned())
                .push(
                    " UNION SELECT m.municipality_code FROM application_members m \
                     JOIN applications a ON a.id = m.application_id JOIN programmes p ON p.id = a.programme_id \
                     WHERE a.status = ",
                )
                .bind(chosen)
                .push(" AND p.organisation_id IN ")
                .bind_list(managing.iter().cloned());
            let taking_part: Vec<(String,)> = sql.query_as()?.fetch_all(&self.pool).await?;
            codes.extend(taking_part.into_iter().map(|(code,)| code));
        }
        codes.sort();
        codes.dedup();
        Ok(FigureReach::Municipalities(codes))
    }

    /// The scope the actor asks for, checked against [`Store::figure_reach`]: a municipality within reach, or
    /// the nation (`municipality` `None`) for those who reach every municipality. Anything else is NotFound,
    /// so another municipality's figures look like no figures at all.
    pub async fn stats_scope(
        &self,
        actor: &Actor,
        municipality: Option<&str>,
        help_point_id: Option<&str>,
    ) -> Result<StatsScope> {
        self.stats_scope_of(actor, municipality, help_point_id, None)
            .await
    }

    /// [`Store::stats_scope`] with one partner's consultation hours as a further narrowing: it needs a
    /// municipality and a partner holding consultation hours in its chain, else NotFound.
    pub async fn stats_scope_of(
        &self,
        actor: &Actor,
        municipality: Option<&str>,
        help_point_id: Option<&str>,
        partner_id: Option<&str>,
    ) -> Result<StatsScope> {
        let reach = self.figure_reach(actor).await?;
        self.stats_scope_within(&reach, municipality, help_point_id, partner_id)
            .await
    }

    /// [`Store::stats_scope_of`] for a caller that already holds the actor's [`Store::figure_reach`] (the
    /// dashboard also lists the municipalities within it).
    pub async fn stats_scope_within(
        &self,
        reach: &FigureReach,
        municipality: Option<&str>,
        help_point_id: Option<&str>,
        partner_id: Option<&str>,
    ) -> Result<StatsScope> {
        let municipality_code = match municipality {
            Some(code) if reach.includes(code) => Some(code.to_owned()),
            None if *reach == FigureReach::Everywhere => None,
            _ => return Err(StoreError::NotFound),
        };
        let help_point = match help_point_id {
            None => None,
            Some(id) => {
                let mut sql = Sql::new(
                    "SELECT h.id, h.name, h.municipality_code FROM help_points h WHERE h.id = ",
                );
                sql.bind(id.to_owned());
                if let Some(code) = &municipality_code {
                    push_chain_filter(&mut sql, "h.id", code);
                }
                Some(
                    sql.query_as()?
                        .fetch_optional(&self.pool)
                        .await?
                        .ok_or(StoreError::NotFound)?,
                )
            }
        };
        let partner = match (partner_id, &municipality_code) {
            (None, _) => None,
            (Some(_), None) => return Err(StoreError::NotFound),
            (Some(id), Some(code)) => {
                let mut sql = Sql::new("SELECT o.id, o.name FROM organisations o WHERE o.id = ");
                sql.bind(id.to_owned()).push(
                    " AND o.id IN (SELECT c.organisation_id FROM consultation_hours c WHERE 1 = 1",
                );
                push_chain_filter(&mut sql, "c.help_point_id", code);
                sql.push(")");
                Some(
                    sql.query_as()?
                        .fetch_optional(&self.pool)
                        .await?
                        .ok_or(StoreError::NotFound)?,
                )
            }
        };
        Ok(StatsScope {
            municipality_code,
            help_point,
            partner,
        })
    }

    /// Partners holding consultation hours at the help points of a municipality's chain, by name: the
    /// scope chooser's "one partner's consultation hours".
    pub async fn chain_consultation_partners(
        &self,
        municipality_code: &str,
    ) -> Result<Vec<ScopePartner>> {
        let mut sql = Sql::new(
            "SELECT o.id, o.name FROM organisations o WHERE o.id IN \
             (SELECT c.organisation_id FROM consultation_hours c WHERE 1 = 1",
        );
        push_chain_filter(&mut sql, "c.help_point_id", municipality_code);
        sql.push(") ORDER BY o.name, o.id");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// Questions per consultation hour of the scope over the days of `range`, most first: consultation hours
    /// ranked by use. Hours removed from the directory since are left out (their questions still count at
    /// their help point).
    pub async fn stats_consultation_hours(
        &self,
        scope: &StatsScope,
        range: DayRange,
    ) -> Result<Vec<HourCount>> {
        // A partner's scope reads its consultation rollup (column `consultation_hour_id`); the others the
        // `consultation_hour` dimension (its id in `value`), which is far smaller.
        let mut sql = Sql::new("SELECT r.");
        sql.push(if scope.partner.is_some() {
            "consultation_hour_id"
        } else {
            "value"
        })
        .push(
            " AS consultation_hour_id, c.title, o.name AS organisation_name, h.name AS help_point_name, \
             CAST(SUM(r.questions) AS BIGINT) AS questions, CAST(SUM(r.minutes) AS BIGINT) AS minutes FROM ",
        );
        push_rollup_per_point(&mut sql, scope, range, &[CONSULTATION_HOUR]);
        sql.push(" JOIN consultation_hours c ON c.id = r.");
        sql.push(if scope.partner.is_some() {
            "consultation_hour_id"
        } else {
            "value"
        })
        .push(
            " JOIN organisations o ON o.id = c.organisation_id JOIN help_points h ON h.id = r.help_point_id \
             GROUP BY 1, c.title, o.name, h.name",
        )
        .push(NONZERO_GROUPS)
        .push(" ORDER BY 5 DESC, 3, 2, 1");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// The help points of a municipality's chain (located there or serving it), by name.
    pub async fn chain_help_points(&self, municipality_code: &str) -> Result<Vec<ChainPoint>> {
        let mut sql =
            Sql::new("SELECT h.id, h.name, h.municipality_code FROM help_points h WHERE 1 = 1");
        push_chain_filter(&mut sql, "h.id", municipality_code);
        sql.push(" ORDER BY h.name, h.id");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// Every figure of the scope over the days of `range`, from the rollups.
    pub async fn stats_figures(&self, scope: &StatsScope, range: DayRange) -> Result<Figures> {
        // Two halves on two connections at once (a wide scope's figures take tens of milliseconds each half);
        // not more, so that a dashboard leaves the pool's other connections to the desk's registrations. The
        // nation's areas (some 4,000 PC4s, each read twice: all questions and those of residents of 65 or
        // over) are the largest reads, so one goes in each half: the first with the small counts per dimension.
        let ((by, mut areas), (days, hours, age_bands, help_points, older)) = futures_util::try_join!(
            self.figures_per_value(scope, range),
            self.figures_over_time_and_points(scope, range)
        )?;
        if !older.is_empty() {
            let older: std::collections::HashMap<String, i64> = older.into_iter().collect();
            for (pc4, _, of_which_older) in &mut areas {
                *of_which_older = older.get(pc4).copied().unwrap_or(0);
            }
        }
        Ok(Figures {
            by,
            days,
            hours,
            areas,
            age_bands,
            help_points,
        })
    }

    /// The counts per value of every [`Dimension`], and the PC4 areas (with the questions of residents of 65 or
    /// over only for a partner's scope; the other half reads them for the others).
    async fn figures_per_value(
        &self,
        scope: &StatsScope,
        range: DayRange,
    ) -> Result<FiguresPerValue> {
        let mut by = Vec::with_capacity(Dimension::ALL.len());
        for dimension in Dimension::ALL {
            let mut sql = Sql::new("SELECT ");
            sql.push(value_of(scope, dimension.column())).push(
                " AS value, CAST(SUM(questions) AS BIGINT) AS questions, \
                     CAST(SUM(minutes) AS BIGINT) AS minutes FROM ",
            );
            push_rollup(&mut sql, scope, range, &[dimension.column()]);
            sql.push(" GROUP BY 1")
                .push(NONZERO_GROUPS)
                .push(" ORDER BY 2 DESC, 1");
            by.push((dimension, sql.query_as()?.fetch_all(&self.pool).await?));
        }
        let mut sql = Sql::new("SELECT ");
        if scope.partner.is_some() {
            sql.push("pc4, CAST(SUM(questions) AS BIGINT), CAST(SUM(CASE WHEN age_band IN ")
                .bind_list(OLDER_AGE_BANDS.map(|a| a.as_str()))
                .push(" THEN questions ELSE 0 END) AS BIGINT) FROM ");
            push_rollup(&mut sql, scope, range, &["pc4"]);
        } else {
            // The share of residents of 65 or over comes from the other half (`pc4_65plus`).
            sql.push("value, CAST(SUM(questions) AS BIGINT), 0 FROM ");
            push_rollup(&mut sql, scope, range, &["pc4"]);
        }
        sql.push(" GROUP BY 1")
            .push(NONZERO_GROUPS)
            .push(" ORDER BY 1");
        let areas = sql.query_as()?.fetch_all(&self.pool).await?;
        Ok((by, areas))
    }

    /// The trend per day, the hours, the age bands, the help points and the PC4 areas' questions asked by
    /// residents of 65 or over.
    async fn figures_over_time_and_points(
        &self,
        scope: &StatsScope,
        range: DayRange,
    ) -> Result<FiguresOverTimeAndPoints> {
        // The trend needs every day: the day rollups' totals alone.
        let mut sql = Sql::new(
            "SELECT day, CAST(SUM(questions) AS BIGINT), CAST(SUM(minutes) AS BIGINT) FROM ",
        );
        if scope.partner.is_some() {
            push_rollup(&mut sql, scope, range, &[TOTALS]);
        } else {
            sql.push(DIMENSION_TABLE)
                .push(" r WHERE r.dimension = ")
                .bind(TOTALS)
                .push(" AND ");
            push_scope(&mut sql, scope, range);
        }
        sql.push(" GROUP BY day ORDER BY day");
        let days = sql.query_as()?.fetch_all(&self.pool).await?;
        let hours: Vec<(i64, i64)> = if scope.partner.is_some() {
            let mut sql = Sql::new("SELECT hour, CAST(SUM(questions) AS BIGINT) FROM ");
            push_rollup(&mut sql, scope, range, &[HOUR]);
            sql.push(" GROUP BY hour")
                .push(NONZERO_GROUPS)
                .push(" ORDER BY hour");
            sql.query_as()?.fetch_all(&self.pool).await?
        } else {
            let mut sql = Sql::new("SELECT value, CAST(SUM(questions) AS BIGINT) FROM ");
            push_rollup(&mut sql, scope, range, &[HOUR]);
            sql.push(" GROUP BY value")
                .push(NONZERO_GROUPS)
                .push(" ORDER BY value");
            let rows: Vec<(String, i64)> = sql.query_as()?.fetch_all(&self.pool).await?;
            rows.into_iter()
                .filter_map(|(hour, n)| Some((hour.parse().ok()?, n)))
                .collect()
        };
        let mut sql = Sql::new("SELECT ");
        sql.push(value_of(scope, "age_band"))
            .push(", CAST(SUM(questions) AS BIGINT) FROM ");
        push_rollup(&mut sql, scope, range, &["age_band"]);
        sql.push(" GROUP BY 1")
            .push(NONZERO_GROUPS)
            .push(" ORDER BY 1");
        let age_bands = sql.query_as()?.fetch_all(&self.pool).await?;
        let mut sql = Sql::new(
            "SELECT r.help_point_id, h.name, h.municipality_code, CAST(SUM(r.questions) AS BIGINT) AS questions, \
             CAST(SUM(r.minutes) AS BIGINT) AS minutes FROM ",
        );
        push_rollup_per_point(&mut sql, scope, range, &[TOTALS]);
        sql.push(" JOIN help_points h ON h.id = r.help_point_id");
        sql.push(" GROUP BY r.help_point_id, h.name, h.municipality_code")
            .push(NONZERO_GROUPS)
            .push(" ORDER BY 4 DESC, 2");
        let help_points = sql.query_as()?.fetch_all(&self.pool).await?;
        let older = if scope.partner.is_some() {
            Vec::new()
        } else {
            let mut sql = Sql::new("SELECT value, CAST(SUM(questions) AS BIGINT) FROM ");
            push_rollup(&mut sql, scope, range, &["pc4_65plus"]);
            sql.push(" GROUP BY 1").push(NONZERO_GROUPS);
            sql.query_as()?.fetch_all(&self.pool).await?
        };
        Ok((days, hours, age_bands, help_points, older))
    }

    /// The times of the scope's referrals sent in `[from, until)` (unix seconds): a municipality's referrals,
    /// the ones sent to one help point, or all. Referrals are few next to questions, so these are read from
    /// their own rows (indexed on municipality and sending time), as the referral overview does.
    pub async fn stats_referral_times(
        &self,
        scope: &StatsScope,
        from: i64,
        until: i64,
    ) -> Result<Vec<ReferralTimes>> {
        let mut sql = Sql::new(
            "SELECT status, sent_at, due_at, accepted_at, closed_at FROM referrals WHERE sent_at >= ",
        );
        sql.bind(from).push(" AND sent_at < ").bind(until);
        if let Some(code) = &scope.municipality_code {
            sql.push(" AND municipality_code = ").bind(code.clone());
        }
        if let Some(p) = &scope.help_point {
            sql.push(" AND help_point_id = ").bind(p.id.clone());
        }
        if let Some(partner) = &scope.partner {
            // Referrals to one of the partner's consultation hours.
            sql.push(
                " AND consultation_hour_id IN (SELECT id FROM consultation_hours WHERE organisation_id = ",
            )
            .bind(partner.id.clone())
            .push(")");
        }
        sql.push(" ORDER BY sent_at");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// Questions per municipality's chain over the days of `range`, from the rollups: a help point counts for
    /// the municipality it is in and every one it serves. Totals only, for comparisons between municipalities.
    pub async fn stats_questions_per_municipality(
        &self,
        range: DayRange,
    ) -> Result<Vec<(String, i64)>> {
        let mut sql =
            Sql::new("SELECT c.municipality_code, CAST(SUM(r.questions) AS BIGINT) FROM ");
        push_rollup_per_point(&mut sql, &StatsScope::default(), range, &[TOTALS]);
        sql.push(
            " JOIN (SELECT id AS help_point_id, municipality_code FROM help_points \
             UNION SELECT help_point_id, municipality_code FROM help_point_municipalities) c \
             ON c.help_point_id = r.help_point_id GROUP BY c.municipality_code",
        )
        .push(NONZERO_GROUPS)
        .push(" ORDER BY c.municipality_code");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// Running totals of the scope's help points, highest first.
    pub async fn stats_running_totals(&self, scope: &StatsScope) -> Result<Vec<RunningTotal>> {
        let mut sql = Sql::new(
            "SELECT c.help_point_id, h.name, c.total FROM help_point_question_counts c \
             JOIN help_points h ON h.id = c.help_point_id WHERE c.total > 0",
        );
        match (&scope.help_point, &scope.municipality_code) {
            (Some(p), _) => {
                sql.push(" AND c.help_point_id = ").bind(p.id.clone());
            }
            (None, Some(code)) => push_chain_filter(&mut sql, "c.help_point_id", code),
            (None, None) => {}
        }
        sql.push(" ORDER BY c.total DESC, h.name");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }
}

const CONSULTATION_TABLE: &str = "question_consultation_rollups";
const DIMENSION_TABLE: &str = "question_dimension_rollups";
const MONTH_TABLE: &str = "question_month_rollups";
/// Ends a `GROUP BY` over [`push_rollup`]'s rows: drops the groups whose counts were all taken off again
/// (rows never hold zero questions, so no other group sums to zero).
pub(crate) const NONZERO_GROUPS: &str = " HAVING SUM(r.questions) <> 0";

/// Today's local day number: days after it hold no questions yet, which [`DayRange::month_parts`] weighs.
fn today() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    keten_core::steering::local_day_hour(now).0
}

/// The dimension whose one row per help point and day holds the totals.
pub(crate) const TOTALS: &str = "all";

/// The value column of a dimension: `value` in `question_dimension_rollups`, the dimension's own column in
/// `question_consultation_rollups` (a partner's scope).
fn value_of(scope: &StatsScope, dimension: &'static str) -> &'static str {
    if scope.partner.is_some() {
        dimension
    } else {
        "value"
    }
}

/// `(<rows>) r`: the scope's rollup rows of the `dimensions` over the days of `range`, as a derived table
/// with the columns `dimension`, `help_point_id`, `value`, `questions` and `minutes`. Whole months come from
/// `question_month_rollups` and only the days of partial months from `question_dimension_rollups`, so a year
/// reads some twelve rows per help point and value instead of 365; the nation reads the rows that sum every
/// help point ([`EVERY_HELP_POINT`]), so it too reads some twelve rows per value. A partner's scope reads
/// `question_consultation_rollups`, which holds every dimension in its own column (one row per question
/// there), with all its columns.
///
/// Where a partial month is read as its whole month less the days outside the range, those days' rows come
/// with negative counts ([`DayRange::month_parts`]): sum them, and end every `GROUP BY` with
/// [`NONZERO_GROUPS`], so a value asked only on days taken off again is left out as it would be without them.
pub(crate) fn push_rollup(
    sql: &mut Sql,
    scope: &StatsScope,
    range: DayRange,
    dimensions: &[&'static str],
) {
    push_rollup_rows(sql, scope, range, dimensions, Across::Summed);
}

/// As [`push_rollup`], but with a row per help point also for the nation, for figures per help point.
pub(crate) fn push_rollup_per_point(
    sql: &mut Sql,
    scope: &StatsScope,
    range: DayRange,
    dimensions: &[&'static str],
) {
    push_rollup_rows(sql, scope, range, dimensions, Across::PerPoint);
}

/// What a read of the nation or a municipality takes of the rollups: the rows that sum its help points, or each
/// help point's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Across {
    Summed,
    PerPoint,
}

fn push_rollup_rows(
    sql: &mut Sql,
    scope: &StatsScope,
    range: DayRange,
    dimensions: &[&'static str],
    across: Across,
) {
    if scope.partner.is_some() {
        sql.push("(SELECT r.* FROM ")
            .push(CONSULTATION_TABLE)
            .push(" r WHERE ");
        push_scope(sql, scope, range);
        sql.push(") r");
        return;
    }
    let parts = range.month_parts(today());
    // (table, its time column, days, counted or taken off); the first branch names the columns.
    let mut branches: Vec<(&'static str, &'static str, DayRange, bool)> = Vec::new();
    if let Some(months) = parts.months {
        branches.push((MONTH_TABLE, "month", months, true));
    }
    branches.extend(
        parts
            .days
            .iter()
            .map(|d| (DIMENSION_TABLE, "day", *d, true)),
    );
    branches.extend(
        parts
            .minus
            .iter()
            .map(|d| (DIMENSION_TABLE, "day", *d, false)),
    );
    sql.push("(");
    if branches.is_empty() {
        // An empty range: no rows, with the right columns.
        branches.push((DIMENSION_TABLE, "day", range, true));
    }
    for (i, (table, time, days, counted)) in branches.into_iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push(if counted {
            "SELECT r.dimension, r.help_point_id, r.value, r.questions, r.minutes FROM "
        } else {
            "SELECT r.dimension, r.help_point_id, r.value, 0 - r.questions, 0 - r.minutes FROM "
        })
        .push(table)
        .push(" r WHERE r.dimension IN ")
        .bind_list(dimensions.iter().copied());
        sql.push(" AND r.").push(time).push(" >= ").bind(days.from);
        sql.push(" AND r.").push(time).push(" < ").bind(days.until);
        push_points(sql, scope, across);
    }
    sql.push(") r");
}

/// `day` range and the scope's help points (and, for a partner's scope, its consultation hours) on a rollup
/// table aliased `r`; a partner's scope needs `question_consultation_rollups` ([`push_rollup`]).
pub(crate) fn push_scope(sql: &mut Sql, scope: &StatsScope, range: DayRange) {
    sql.push("r.day >= ")
        .bind(range.from)
        .push(" AND r.day < ")
        .bind(range.until);
    // The consultation rollup keeps rows per help point only.
    let across = if scope.partner.is_some() {
        Across::PerPoint
    } else {
        Across::Summed
    };
    push_points(sql, scope, across);
    if let Some(partner) = &scope.partner {
        sql.push(
            " AND r.consultation_hour_id IN (SELECT id FROM consultation_hours WHERE organisation_id = ",
        )
        .bind(partner.id.clone())
        .push(")");
    }
}

/// ` AND r.help_point_id ...`: the scope's one help point; for a municipality the rows that sum its chain, or
/// the rows of each help point of its chain; for the nation the rows that sum every help point, or every help
/// point's own ([`EVERY_HELP_POINT`], `rollups::municipality_rows`).
fn push_points(sql: &mut Sql, scope: &StatsScope, across: Across) {
    match (&scope.help_point, &scope.municipality_code, across) {
        (Some(p), _, _) => {
            sql.push(" AND r.help_point_id = ").bind(p.id.clone());
        }
        (None, Some(code), Across::Summed) => {
            sql.push(" AND r.help_point_id = ")
                .bind(municipality_rows(code));
        }
        (None, Some(code), Across::PerPoint) => push_chain_filter(sql, "r.help_point_id", code),
        (None, None, Across::Summed) => {
            sql.push(" AND r.help_point_id = ").bind(EVERY_HELP_POINT);
        }
        (None, None, Across::PerPoint) => {
            sql.push(" AND r.help_point_id <> ")
                .bind(EVERY_HELP_POINT)
                .push(" AND r.help_point_id NOT LIKE ")
                .bind(format!("{MUNICIPALITY_ROWS}%"));
        }
    }
}

/// `AND column IN (help points of the municipality's chain)`: located there, or serving it.
pub(crate) fn push_chain_filter(sql: &mut Sql, column: &'static str, code: &str) {
    sql.push(" AND ").push(column);
    sql.push(" IN (SELECT id FROM help_points WHERE municipality_code = ")
        .bind(code.to_owned());
    sql.push(
        " UNION SELECT help_point_id FROM help_point_municipalities WHERE municipality_code = ",
    )
    .bind(code.to_owned())
    .push(")");
}

impl Store {
    /// Names of organisations by id ("referred to" in the figures); unknown ids are left out.
    pub async fn organisation_names(&self, ids: &[String]) -> Result<Vec<(String, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new("SELECT id, name FROM organisations WHERE id IN ");
        sql.bind_list(ids.iter().cloned());
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }
}

/// The demo's questions asked during a partner's consultation hour: a help point's hours by topic, so that the
/// partner scope shows figures after `keten demo`.
#[derive(Debug, Clone, Default)]
pub struct DemoHours(std::collections::HashMap<(String, String), String>);

impl DemoHours {
    /// Every second demo question on a topic of one of its help point's consultation hours is counted as asked
    /// in that hour (deterministic, from the time asked).
    pub fn assign(&self, q: &mut crate::help_questions::NewHelpQuestion) {
        if q.asked_at % 2 == 0
            && let Some(hour) = self.0.get(&(q.help_point_id.clone(), q.topic_code.clone()))
        {
            q.consultation_hour_id = Some(hour.clone());
        }
    }
}

impl Store {
    /// The consultation hours of every help point by topic (the first hour per topic), for [`DemoHours`].
    pub async fn demo_hours(&self) -> Result<DemoHours> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT c.help_point_id, t.topic_code, c.id FROM consultation_hours c \
             JOIN consultation_hour_topics t ON t.consultation_hour_id = c.id ORDER BY c.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut map = std::collections::HashMap::new();
        for (point, topic, id) in rows {
            map.entry((point, topic)).or_insert(id);
        }
        Ok(DemoHours(map))
    }
}
