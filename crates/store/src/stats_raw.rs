//! The steering figures computed from the raw help questions instead of the rollups: the baseline the dashboard benchmark measures the rollups against, and an independent check that the rollups are right.

use crate::Store;
use crate::error::Result;
use crate::rollups::{FACT_COLUMNS, Fact, first_visit_code, is_older};
use crate::sql::Sql;
use crate::stats::{Count, Dimension, Figures, PointCount, StatsScope, push_chain_filter};
use futures_util::TryStreamExt;
use keten_core::steering::{DayRange, day_start_seconds, local_day_hour};
use std::collections::{BTreeMap, HashMap};

impl Store {
    /// The same [`Figures`] as [`Store::stats_figures`], from every raw row of the scope and period: what the
    /// dashboard would cost without rollups. Lists come in the same order (most questions first, ties by
    /// value or name in byte order).
    pub async fn stats_figures_from_raw_rows(
        &self,
        scope: &StatsScope,
        range: DayRange,
    ) -> Result<Figures> {
        let mut sql = Sql::new("SELECT ");
        sql.push(FACT_COLUMNS)
            .push(" FROM help_questions WHERE asked_at >= ")
            .bind(day_start_seconds(range.from))
            .push(" AND asked_at < ")
            .bind(day_start_seconds(range.until));
        match (&scope.help_point, &scope.municipality_code) {
            (Some(p), _) => {
                sql.push(" AND help_point_id = ").bind(p.id.clone());
            }
            (None, Some(code)) => push_chain_filter(&mut sql, "help_point_id", code),
            (None, None) => {}
        }
        if let Some(partner) = &scope.partner {
            sql.push(
                " AND consultation_hour_id IN (SELECT id FROM consultation_hours WHERE organisation_id = ",
            )
            .bind(partner.id.clone())
            .push(")");
        }
        let mut tally = Tally::default();
        let mut rows = sql.query_as::<Fact>()?.fetch(&self.pool);
        while let Some(fact) = rows.try_next().await? {
            tally.add(&fact);
        }
        drop(rows);
        let names = self.help_point_names(tally.points.keys()).await?;
        Ok(tally.into_figures(&names))
    }

    async fn help_point_names(
        &self,
        ids: impl Iterator<Item = &String>,
    ) -> Result<HashMap<String, (String, String)>> {
        let ids: Vec<String> = ids.cloned().collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut sql = Sql::new("SELECT id, name, municipality_code FROM help_points WHERE id IN ");
        sql.bind_list(ids);
        let rows: Vec<(String, String, String)> = sql.query_as()?.fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, code)| (id, (name, code)))
            .collect())
    }
}

/// Running sums over the facts, one map per figure.
#[derive(Default)]
struct Tally {
    by: [BTreeMap<String, (i64, i64)>; Dimension::ALL.len()],
    days: BTreeMap<i64, (i64, i64)>,
    hours: BTreeMap<i64, i64>,
    /// PC4 -> (questions, of which by residents of 65 or over).
    areas: BTreeMap<String, (i64, i64)>,
    age_bands: BTreeMap<String, i64>,
    points: HashMap<String, (i64, i64)>,
}

impl Tally {
    fn add(&mut self, f: &Fact) {
        let (day, hour) = local_day_hour(f.asked_at);
        for (i, dimension) in Dimension::ALL.into_iter().enumerate() {
            let value = match dimension {
                Dimension::Topic => f.topic_code.clone(),
                Dimension::Agency => f.agency.clone(),
                Dimension::Kind => f.kind.clone(),
                Dimension::Channel => f.channel.clone(),
                Dimension::Outcome => f.outcome.clone(),
                Dimension::ReferredTo => f.referred_to.clone().unwrap_or_default(),
                Dimension::FirstVisit => first_visit_code(f.first_visit).to_owned(),
            };
            let cell = self.by[i].entry(value).or_default();
            cell.0 += 1;
            cell.1 += f.minutes;
        }
        let cell = self.days.entry(day).or_default();
        cell.0 += 1;
        cell.1 += f.minutes;
        *self.hours.entry(hour).or_default() += 1;
        let age = f.age_band.clone().unwrap_or_default();
        let area = self
            .areas
            .entry(f.pc4.clone().unwrap_or_default())
            .or_default();
        area.0 += 1;
        if is_older(&age) {
            area.1 += 1;
        }
        *self.age_bands.entry(age).or_default() += 1;
        let cell = self.points.entry(f.help_point_id.clone()).or_default();
        cell.0 += 1;
        cell.1 += f.minutes;
    }

    fn into_figures(self, names: &HashMap<String, (String, String)>) -> Figures {
        let by = Dimension::ALL
            .into_iter()
            .zip(self.by)
            .map(|(dimension, counts)| {
                let mut counts: Vec<Count> = counts
                    .into_iter()
                    .map(|(value, (questions, minutes))| Count {
                        value,
                        questions,
                        minutes,
                    })
                    .collect();
                counts.sort_by(|a, b| b.questions.cmp(&a.questions).then(a.value.cmp(&b.value)));
                (dimension, counts)
            })
            .collect();
        let mut help_points: Vec<PointCount> = self
            .points
            .into_iter()
            .map(|(help_point_id, (questions, minutes))| {
                let (name, municipality_code) =
                    names.get(&help_point_id).cloned().unwrap_or_default();
                PointCount {
                    help_point_id,
                    name,
                    municipality_code,
                    questions,
                    minutes,
                }
            })
            .collect();
        help_points.sort_by(|a, b| b.questions.cmp(&a.questions).then(a.name.cmp(&b.name)));
        Figures {
            by,
            days: self.days.into_iter().map(|(d, (q, m))| (d, q, m)).collect(),
            hours: self.hours.into_iter().collect(),
            areas: self
                .areas
                .into_iter()
                .map(|(pc4, (q, older))| (pc4, q, older))
                .collect(),
            age_bands: self.age_bands.into_iter().collect(),
            help_points,
        }
    }
}
