//! MKBA models per tenant: the national default (programme managers) and a municipality's own copy (steering), versioned, with the registered outcomes the calculation reads from the rollups.

use crate::Store;
use crate::error::{Result, StoreError};
use crate::rollups::{OUTCOME_KEY, split_outcome_key};
use crate::scope::Actor;
use crate::sql::Sql;
use crate::stats::{NONZERO_GROUPS, StatsScope, TOTALS, push_rollup, push_rollup_per_point};
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::scba::{ModelInput, OutcomeCount, Outcomes, ScbaModel};
use keten_core::steering::DayRange;

/// Where the model in use comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelOrigin {
    /// keten's documented default: nobody saved a model yet.
    Default,
    /// The national default saved by a programme manager.
    National,
    /// The municipality's own copy.
    Municipality,
}

impl ModelOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::National => "national",
            Self::Municipality => "municipality",
        }
    }
}

/// One saved version of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelVersion {
    pub version: u32,
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct ModelRow {
    municipality_code: String,
    version: i64,
    parameters: String,
}

impl ModelRow {
    /// The stored model; the row's version column is the truth (the JSON is written before the number is known).
    /// Versions saved by an earlier keten are read as today's model ([`ModelInput::upgrade`]: the old single
    /// contact costs become every agency's).
    fn into_model(self) -> Result<(ScbaModel, ModelOrigin)> {
        let input: ModelInput = serde_json::from_str(&self.parameters)
            .map_err(|e| StoreError::Corrupt(format!("scba model: {e}")))?;
        let mut model = input.upgrade();
        model.version = u32::try_from(self.version)
            .map_err(|_| StoreError::Corrupt(format!("scba model version {}", self.version)))?;
        let origin = if self.municipality_code.is_empty() {
            ModelOrigin::National
        } else {
            ModelOrigin::Municipality
        };
        Ok((model, origin))
    }
}

impl Store {
    /// The model that applies to a scope: the municipality's own copy, else the national default, else keten's
    /// documented default. The scope was checked against the actor by [`Store::stats_scope`].
    pub async fn scba_model(&self, scope: &StatsScope) -> Result<(ScbaModel, ModelOrigin)> {
        let mut sql = Sql::new(
            "SELECT municipality_code, version, parameters FROM scba_models WHERE municipality_code = ''",
        );
        if let Some(code) = &scope.municipality_code {
            sql.push(" OR municipality_code = ").bind(code.clone());
        }
        // The municipality's copy sorts before the national '' row; the newest version first.
        sql.push(" ORDER BY municipality_code DESC, version DESC");
        let row: Option<ModelRow> = sql.query_as()?.fetch_optional(&self.pool).await?;
        match row {
            None => Ok((ScbaModel::default_model(), ModelOrigin::Default)),
            Some(r) => r.into_model(),
        }
    }

    /// Saves a new version of a model: `municipality` `None` is the national default (programme managers and
    /// admins), a code the municipality's own copy (its steering users). Anything else is NotFound. Returns the
    /// saved model with its version.
    pub async fn save_scba_model(
        &self,
        actor: &Actor,
        municipality: Option<&str>,
        mut model: ScbaModel,
        now: i64,
    ) -> Result<ScbaModel> {
        Self::may_edit_scba_model(actor, municipality)?;
        model.validate().map_err(StoreError::Invalid)?;
        let code = municipality.unwrap_or_default().to_owned();
        // One statement takes the next number, so two saves at once both land (SQLite runs writes one at a time;
        // on PostgreSQL the loser of the race hits the unique version and simply tries again).
        let json = serde_json::to_string(&model)
            .map_err(|e| StoreError::Corrupt(format!("scba model: {e}")))?;
        let mut attempts = 0;
        let version = loop {
            attempts += 1;
            let inserted: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(
                "INSERT INTO scba_models (id, municipality_code, version, name, parameters, created_by, created_at) \
                 SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4, $5, $6 FROM scba_models \
                 WHERE municipality_code = $2 RETURNING version",
            )
            .bind(crate::new_id())
            .bind(code.clone())
            .bind(model.name.clone())
            .bind(json.clone())
            .bind(actor.user_id.clone())
            .bind(now)
            .fetch_one(&self.pool)
            .await;
            match inserted.map_err(StoreError::from) {
                Ok((version,)) => break version,
                Err(StoreError::Conflict(_)) if attempts < 5 => {}
                Err(e) => return Err(e),
            }
        };
        model.version = u32::try_from(version).map_err(|_| {
            StoreError::Invalid(vec![ValidationError::new("version", "Te veel versies.")])
        })?;
        Ok(model)
    }

    /// Who may edit which model: `None` the national default (programme managers and admins), a code that
    /// municipality's own copy (its steering users). Anything else is NotFound, as for a foreign row.
    fn may_edit_scba_model(actor: &Actor, municipality: Option<&str>) -> Result<()> {
        let allowed = match municipality {
            None => actor.has_any_role(&[Role::ProgrammeManager, Role::Admin]),
            Some(code) => actor.steering_municipalities.iter().any(|m| m == code),
        };
        if allowed {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The model an editor starts from: the newest saved version of that model, else (for a municipality) the
    /// national default, else keten's documented default. Same access rule as [`Store::save_scba_model`].
    pub async fn scba_model_to_edit(
        &self,
        actor: &Actor,
        municipality: Option<&str>,
    ) -> Result<(ScbaModel, ModelOrigin)> {
        Self::may_edit_scba_model(actor, municipality)?;
        let mut sql = Sql::new(
            "SELECT municipality_code, version, parameters FROM scba_models WHERE municipality_code = ''",
        );
        if let Some(code) = municipality {
            sql.push(" OR municipality_code = ").bind(code.to_owned());
        }
        sql.push(" ORDER BY municipality_code DESC, version DESC");
        let row: Option<ModelRow> = sql.query_as()?.fetch_optional(&self.pool).await?;
        match row {
            None => Ok((ScbaModel::default_model(), ModelOrigin::Default)),
            Some(r) => r.into_model(),
        }
    }

    /// Every saved version of one model, newest first (old versions are kept: a figure names the version it
    /// used). Same access rule as [`Store::save_scba_model`].
    pub async fn scba_model_versions(
        &self,
        actor: &Actor,
        municipality: Option<&str>,
    ) -> Result<Vec<ModelVersion>> {
        Self::may_edit_scba_model(actor, municipality)?;
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT version, name, created_at FROM scba_models WHERE municipality_code = $1 ORDER BY version DESC",
        )
        .bind(municipality.unwrap_or_default().to_owned())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(version, name, created_at)| ModelVersion {
                version: u32::try_from(version).unwrap_or(0),
                name,
                created_at,
            })
            .collect())
    }

    /// Registered outcomes of the scope over `range` (questions and minutes per topic, agency and outcome), from
    /// the rollups, with the number of help points that registered.
    pub async fn scba_outcomes(&self, scope: &StatsScope, range: DayRange) -> Result<Outcomes> {
        let rows: Vec<(String, String, String, i64, i64)> = if scope.partner.is_some() {
            let mut sql = Sql::new(
                "SELECT topic_code, agency, outcome, CAST(SUM(questions) AS BIGINT), \
                 CAST(SUM(minutes) AS BIGINT) FROM ",
            );
            push_rollup(&mut sql, scope, range, &[OUTCOME_KEY]);
            sql.push(" GROUP BY topic_code, agency, outcome")
                .push(NONZERO_GROUPS);
            sql.query_as()?.fetch_all(&self.pool).await?
        } else {
            let mut sql = Sql::new(
                "SELECT value, CAST(SUM(questions) AS BIGINT), CAST(SUM(minutes) AS BIGINT) FROM ",
            );
            push_rollup(&mut sql, scope, range, &[OUTCOME_KEY]);
            sql.push(" GROUP BY value").push(NONZERO_GROUPS);
            let keyed: Vec<(String, i64, i64)> = sql.query_as()?.fetch_all(&self.pool).await?;
            keyed
                .into_iter()
                .map(|(key, questions, minutes)| {
                    let (topic, agency, outcome) = split_outcome_key(&key);
                    (topic, agency, outcome, questions, minutes)
                })
                .collect()
        };
        let mut rows = rows;
        rows.sort();
        // Help points with questions in the range, not those whose counts were all taken off again.
        let mut sql =
            Sql::new("SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT r.help_point_id FROM ");
        push_rollup_per_point(&mut sql, scope, range, &[TOTALS]);
        sql.push(" GROUP BY r.help_point_id")
            .push(NONZERO_GROUPS)
            .push(") p");
        let (points,): (i64,) = sql.query_as()?.fetch_one(&self.pool).await?;
        Ok(Outcomes {
            days: u32::try_from((range.until - range.from).max(1)).unwrap_or(u32::MAX),
            help_points: u32::try_from(points).unwrap_or(0),
            rows: rows
                .into_iter()
                .map(
                    |(topic, agency, outcome, questions, minutes)| OutcomeCount {
                        topic,
                        agency,
                        outcome,
                        questions: u64::try_from(questions).unwrap_or(0),
                        minutes: u64::try_from(minutes).unwrap_or(0),
                    },
                )
                .collect(),
        })
    }
}
