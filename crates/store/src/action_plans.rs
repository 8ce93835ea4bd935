//! Local action plans: plans per municipality with their inventory (from the directory or free) and actions, the figures their actions aim at, and the tenant rule (steering writes its own municipality's; a programme manager with a trajectory there and admins read).

use crate::error::{Result, StoreError};
use crate::sql::Sql;
use crate::stats::{StatsScope, push_chain_filter};
use crate::{Actor, Store, new_id, parse_code};
use jiff::civil::Date;
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::action_plan::{
    ActionDraft, ActionStatus, Horizon, ItemDraft, ItemSource, Metric, MetricInputs, PlanDraft,
};
use keten_core::steering::{DayRange, day_number, day_start_seconds};

/// A plan's headline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPlan {
    pub id: String,
    pub municipality_code: String,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Date,
    /// The trajectory whose outcome this plan is.
    pub trajectory_id: Option<String>,
}

impl ActionPlan {
    /// The plan's period as local days (the end day included).
    #[must_use]
    pub fn range(&self) -> DayRange {
        DayRange {
            from: day_number(self.starts_on),
            until: day_number(self.ends_on) + 1,
        }
    }
}

/// An inventory entry: something that already happens locally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanItem {
    pub id: String,
    pub source: ItemSource,
    pub source_id: Option<String>,
    pub title: String,
    pub description: String,
    pub who: String,
}

/// An action of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanAction {
    pub id: String,
    pub title: String,
    pub horizon: Horizon,
    pub owner_organisation_id: Option<String>,
    pub owner_name: Option<String>,
    pub status: ActionStatus,
    pub due_on: Option<Date>,
    pub metric: Option<Metric>,
}

/// A plan with everything in it, and whether the actor may change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDetail {
    pub plan: ActionPlan,
    pub writable: bool,
    pub items: Vec<PlanItem>,
    pub actions: Vec<PlanAction>,
}

/// An organisation of a municipality's chain (an action's owner, a partner in the inventory).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChainOrganisation {
    pub id: String,
    pub name: String,
    pub kind: String,
}

/// What keten knows of a municipality's chain, for the inventory's pick lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanDirectory {
    /// (id, name, operator's name, address)
    pub help_points: Vec<(String, String, String, String)>,
    /// Partner organisations of the chain.
    pub partners: Vec<ChainOrganisation>,
    /// (id, title, partner's name, help point's name)
    pub consultation_hours: Vec<(String, String, String, String)>,
}

#[derive(sqlx::FromRow)]
struct PlanRow {
    id: String,
    municipality_code: String,
    title: String,
    starts_on: String,
    ends_on: String,
    trajectory_id: Option<String>,
}

fn date(s: &str) -> Result<Date> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("unreadable date '{s}'")))
}

fn refused(field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(vec![ValidationError::new(field, message)])
}

impl PlanRow {
    fn into_plan(self) -> Result<ActionPlan> {
        Ok(ActionPlan {
            starts_on: date(&self.starts_on)?,
            ends_on: date(&self.ends_on)?,
            id: self.id,
            municipality_code: self.municipality_code,
            title: self.title,
            trajectory_id: self.trajectory_id,
        })
    }
}

const SELECT_PLANS: &str = "SELECT p.id, p.municipality_code, p.title, p.starts_on, p.ends_on, p.trajectory_id \
     FROM action_plans p WHERE 1 = 1";

/// Who may read the plans of a municipality without writing them: admins, and the programme managers of a
/// programme with a trajectory in that municipality.
fn push_reader_filter(sql: &mut Sql, actor: &Actor) {
    if actor.is_admin() {
        return;
    }
    sql.push(" AND (p.municipality_code IN ")
        .bind_list(actor.steering_municipalities.iter().cloned());
    sql.push(
        " OR p.municipality_code IN (SELECT t.municipality_code FROM trajectories t \
         JOIN programmes g ON g.id = t.programme_id WHERE g.organisation_id IN ",
    )
    .bind_list(actor.organisation_ids_with(Role::ProgrammeManager));
    sql.push("))");
}

impl Store {
    /// The plans the actor may read, by municipality and newest period first.
    pub async fn action_plans(&self, actor: &Actor) -> Result<Vec<ActionPlan>> {
        let mut sql = Sql::new(SELECT_PLANS);
        push_reader_filter(&mut sql, actor);
        sql.push(" ORDER BY p.municipality_code, p.starts_on DESC, p.id");
        let rows: Vec<PlanRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        rows.into_iter().map(PlanRow::into_plan).collect()
    }

    /// The plans that are the outcome of one trajectory (the caller has checked the trajectory's access).
    pub async fn action_plans_of_trajectory(&self, trajectory_id: &str) -> Result<Vec<ActionPlan>> {
        let mut sql = Sql::new(SELECT_PLANS);
        sql.push(" AND p.trajectory_id = ")
            .bind(trajectory_id.to_owned());
        sql.push(" ORDER BY p.starts_on DESC, p.id");
        let rows: Vec<PlanRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        rows.into_iter().map(PlanRow::into_plan).collect()
    }

    /// The plan's headline and whether the actor writes it; NotFound for anyone who may not read it.
    async fn plan_access(&self, actor: &Actor, id: &str) -> Result<(ActionPlan, bool)> {
        let mut sql = Sql::new(SELECT_PLANS);
        sql.push(" AND p.id = ").bind(id.to_owned());
        push_reader_filter(&mut sql, actor);
        let row: PlanRow = sql.query_as()?.fetch_one(&self.pool).await?;
        let plan = row.into_plan()?;
        let writable = actor
            .steering_municipalities
            .contains(&plan.municipality_code);
        Ok((plan, writable))
    }

    /// A plan the actor writes (its municipality's steering); NotFound when it may not even read it, a
    /// conflict `action_plan_read_only` when it only reads.
    async fn writable_plan(&self, actor: &Actor, id: &str) -> Result<ActionPlan> {
        let (plan, writable) = self.plan_access(actor, id).await?;
        if writable {
            Ok(plan)
        } else {
            Err(StoreError::Conflict("action_plan_read_only".into()))
        }
    }

    /// The trajectory a plan points to must be one of the same municipality.
    async fn check_plan_trajectory(&self, code: &str, trajectory_id: Option<&str>) -> Result<()> {
        let Some(t) = trajectory_id else {
            return Ok(());
        };
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM trajectories WHERE id = $1 AND municipality_code = $2",
        )
        .bind(t)
        .bind(code)
        .fetch_one(&self.pool)
        .await?;
        if n == 0 {
            return Err(refused(
                "trajectory_id",
                "Kies een begeleidingstraject van deze gemeente, of geen.",
            ));
        }
        Ok(())
    }

    /// The trajectories of a municipality, for the plan's "outcome of" choice: (id, programme name, year).
    pub async fn municipality_trajectories(
        &self,
        code: &str,
    ) -> Result<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT t.id, g.name, t.year FROM trajectories t JOIN programmes g ON g.id = t.programme_id \
             WHERE t.municipality_code = $1 ORDER BY t.year DESC, g.name, t.id",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await?)
    }

    /// A new plan for a municipality the actor steers (else NotFound).
    pub async fn create_action_plan(
        &self,
        actor: &Actor,
        municipality_code: &str,
        draft: &PlanDraft,
        trajectory_id: Option<&str>,
        now: i64,
    ) -> Result<ActionPlan> {
        if !actor
            .steering_municipalities
            .iter()
            .any(|m| m == municipality_code)
        {
            return Err(StoreError::NotFound);
        }
        self.check_plan_trajectory(municipality_code, trajectory_id)
            .await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO action_plans (id, municipality_code, title, starts_on, ends_on, trajectory_id, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(&id)
        .bind(municipality_code)
        .bind(&draft.title)
        .bind(draft.starts_on.to_string())
        .bind(draft.ends_on.to_string())
        .bind(trajectory_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(self.plan_access(actor, &id).await?.0)
    }

    /// Changes a plan's title, period and trajectory.
    pub async fn update_action_plan(
        &self,
        actor: &Actor,
        id: &str,
        draft: &PlanDraft,
        trajectory_id: Option<&str>,
        now: i64,
    ) -> Result<ActionPlan> {
        let plan = self.writable_plan(actor, id).await?;
        self.check_plan_trajectory(&plan.municipality_code, trajectory_id)
            .await?;
        sqlx::query(
            "UPDATE action_plans SET title = $1, starts_on = $2, ends_on = $3, trajectory_id = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(&draft.title)
        .bind(draft.starts_on.to_string())
        .bind(draft.ends_on.to_string())
        .bind(trajectory_id)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(self.plan_access(actor, id).await?.0)
    }

    /// One plan with its inventory and actions.
    pub async fn action_plan(&self, actor: &Actor, id: &str) -> Result<PlanDetail> {
        let (plan, writable) = self.plan_access(actor, id).await?;
        self.plan_detail(plan, writable).await
    }

    /// A plan's inventory and actions, read-only, for a caller that checked access another way (the
    /// trajectory page: the plan is the outcome of a trajectory its reader may see).
    pub async fn plan_detail_unchecked(&self, plan: ActionPlan) -> Result<PlanDetail> {
        self.plan_detail(plan, false).await
    }

    async fn plan_detail(&self, plan: ActionPlan, writable: bool) -> Result<PlanDetail> {
        let id = plan.id.clone();
        let id = id.as_str();
        let items: Vec<(String, String, Option<String>, String, String, String)> = sqlx::query_as(
            "SELECT id, source, source_id, title, description, who FROM action_plan_items \
             WHERE plan_id = $1 ORDER BY created_at, title, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        #[allow(clippy::type_complexity)]
        let actions: Vec<(
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
        )> = sqlx::query_as(
            "SELECT a.id, a.title, a.horizon, a.owner_organisation_id, o.name, a.status, a.due_on, a.metric \
             FROM action_plan_actions a LEFT JOIN organisations o ON o.id = a.owner_organisation_id \
             WHERE a.plan_id = $1 ORDER BY a.created_at, a.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let mut actions = actions
            .into_iter()
            .map(
                |(id, title, horizon, owner_id, owner_name, status, due_on, metric)| {
                    Ok(PlanAction {
                        id,
                        title,
                        horizon: parse_code(&horizon)?,
                        owner_organisation_id: owner_id,
                        owner_name,
                        status: parse_code(&status)?,
                        due_on: due_on.as_deref().map(date).transpose()?,
                        metric: metric.as_deref().map(parse_code).transpose()?,
                    })
                },
            )
            .collect::<Result<Vec<_>>>()?;
        // Horizon order, then due date (undated last): the order the plan is read in.
        actions.sort_by(|a, b| {
            (a.horizon, a.due_on.is_none(), a.due_on).cmp(&(
                b.horizon,
                b.due_on.is_none(),
                b.due_on,
            ))
        });
        Ok(PlanDetail {
            plan,
            writable,
            items: items
                .into_iter()
                .map(|(id, source, source_id, title, description, who)| {
                    Ok(PlanItem {
                        id,
                        source: parse_code(&source)?,
                        source_id,
                        title,
                        description,
                        who,
                    })
                })
                .collect::<Result<_>>()?,
            actions,
        })
    }

    /// The organisations of a municipality's chain, by name: those of the municipality or active in it, the
    /// operators of its help points and the partners holding consultation hours there. National bodies are
    /// not part of a local chain.
    pub async fn chain_organisations(&self, code: &str) -> Result<Vec<ChainOrganisation>> {
        let mut sql = Sql::new(
            "SELECT o.id, o.name, o.kind FROM organisations o WHERE o.kind <> 'national_body' \
             AND (o.municipality_code = ",
        );
        sql.bind(code.to_owned());
        sql.push(" OR o.id IN (SELECT organisation_id FROM organisation_municipalities WHERE municipality_code = ")
            .bind(code.to_owned());
        sql.push(") OR o.id IN (SELECT h.organisation_id FROM help_points h WHERE 1 = 1");
        push_chain_filter(&mut sql, "h.id", code);
        sql.push(") OR o.id IN (SELECT c.organisation_id FROM consultation_hours c WHERE 1 = 1");
        push_chain_filter(&mut sql, "c.help_point_id", code);
        sql.push(")) ORDER BY o.name, o.id");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// What keten knows of a municipality's chain: help points, partners and consultation hours.
    pub async fn plan_directory(&self, code: &str) -> Result<PlanDirectory> {
        let mut sql = Sql::new(
            "SELECT h.id, h.name, o.name, h.street_address || ', ' || h.city FROM help_points h \
             JOIN organisations o ON o.id = h.organisation_id WHERE 1 = 1",
        );
        push_chain_filter(&mut sql, "h.id", code);
        sql.push(" ORDER BY h.name, h.id");
        let help_points = sql.query_as()?.fetch_all(&self.pool).await?;
        let mut sql = Sql::new(
            "SELECT c.id, c.title, o.name, h.name FROM consultation_hours c \
             JOIN organisations o ON o.id = c.organisation_id JOIN help_points h ON h.id = c.help_point_id \
             WHERE 1 = 1",
        );
        push_chain_filter(&mut sql, "c.help_point_id", code);
        sql.push(" ORDER BY o.name, c.title, c.id");
        let consultation_hours = sql.query_as()?.fetch_all(&self.pool).await?;
        let partners = self
            .chain_organisations(code)
            .await?
            .into_iter()
            .filter(|o| o.kind == "partner")
            .collect();
        Ok(PlanDirectory {
            help_points,
            partners,
            consultation_hours,
        })
    }

    /// Adds a free inventory entry.
    pub async fn add_plan_item(
        &self,
        actor: &Actor,
        plan_id: &str,
        draft: &ItemDraft,
        now: i64,
    ) -> Result<PlanItem> {
        self.writable_plan(actor, plan_id).await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO action_plan_items (id, plan_id, source, source_id, title, description, who, created_at) \
             VALUES ($1, $2, $3, NULL, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(plan_id)
        .bind(ItemSource::Free.as_str())
        .bind(&draft.title)
        .bind(&draft.description)
        .bind(&draft.who)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(PlanItem {
            id,
            source: ItemSource::Free,
            source_id: None,
            title: draft.title.clone(),
            description: draft.description.clone(),
            who: draft.who.clone(),
        })
    }

    /// Adds entries from the directory of the plan's municipality: the chosen ones, or (`None`) everything
    /// keten knows there ("neem over uit keten"). Entries already in the inventory are skipped; returns how
    /// many were added. A chosen id outside the chain is refused.
    pub async fn add_plan_items_from_directory(
        &self,
        actor: &Actor,
        plan_id: &str,
        chosen: Option<&[(ItemSource, String)]>,
        now: i64,
    ) -> Result<u32> {
        let plan = self.writable_plan(actor, plan_id).await?;
        let directory = self.plan_directory(&plan.municipality_code).await?;
        let mut known: Vec<(ItemSource, String, String, String, String)> = Vec::new();
        for (id, name, operator, address) in directory.help_points {
            known.push((ItemSource::HelpPoint, id, name, address, operator));
        }
        for o in directory.partners {
            known.push((
                ItemSource::Partner,
                o.id,
                o.name.clone(),
                "Partner in de keten".to_owned(),
                o.name,
            ));
        }
        for (id, title, partner, point) in directory.consultation_hours {
            known.push((
                ItemSource::ConsultationHour,
                id,
                title,
                format!("Spreekuur bij {point}"),
                partner,
            ));
        }
        let wanted: Vec<&(ItemSource, String, String, String, String)> = match chosen {
            None => known.iter().collect(),
            Some(list) => {
                let mut out = Vec::with_capacity(list.len());
                for (source, id) in list {
                    match known.iter().find(|k| k.0 == *source && k.1 == *id) {
                        Some(k) => out.push(k),
                        None => {
                            return Err(refused(
                                "source_id",
                                "Kies een hulppunt, partner of spreekuur uit de lijst van deze gemeente.",
                            ));
                        }
                    }
                }
                out
            }
        };
        let mut tx = self.pool.begin().await?;
        let mut added = 0u32;
        for (source, source_id, title, description, who) in wanted {
            let done = sqlx::query(
                "INSERT INTO action_plan_items (id, plan_id, source, source_id, title, description, who, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (plan_id, source, source_id) DO NOTHING",
            )
            .bind(new_id())
            .bind(plan_id)
            .bind(source.as_str())
            .bind(source_id)
            .bind(title)
            .bind(description)
            .bind(who)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() > 0 {
                added += 1;
            }
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Removes an inventory entry of a plan.
    pub async fn delete_plan_item(
        &self,
        actor: &Actor,
        plan_id: &str,
        item_id: &str,
    ) -> Result<()> {
        self.writable_plan(actor, plan_id).await?;
        let done = sqlx::query("DELETE FROM action_plan_items WHERE id = $1 AND plan_id = $2")
            .bind(item_id)
            .bind(plan_id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The owner must be an organisation of the plan's chain.
    async fn check_owner(&self, code: &str, owner: Option<&str>) -> Result<()> {
        let Some(owner) = owner else {
            return Ok(());
        };
        if self
            .chain_organisations(code)
            .await?
            .iter()
            .any(|o| o.id == owner)
        {
            Ok(())
        } else {
            Err(refused(
                "owner_organisation_id",
                "Kies een organisatie uit de keten van deze gemeente.",
            ))
        }
    }

    /// Adds an action.
    pub async fn add_plan_action(
        &self,
        actor: &Actor,
        plan_id: &str,
        draft: &ActionDraft,
        now: i64,
    ) -> Result<String> {
        let plan = self.writable_plan(actor, plan_id).await?;
        self.check_owner(
            &plan.municipality_code,
            draft.owner_organisation_id.as_deref(),
        )
        .await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO action_plan_actions (id, plan_id, title, horizon, owner_organisation_id, status, \
             due_on, metric, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(&id)
        .bind(plan_id)
        .bind(&draft.title)
        .bind(draft.horizon.as_str())
        .bind(draft.owner_organisation_id.as_deref())
        .bind(draft.status.as_str())
        .bind(draft.due_on.map(|d| d.to_string()))
        .bind(draft.metric.map(Metric::as_str))
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// Changes an action as a whole.
    pub async fn update_plan_action(
        &self,
        actor: &Actor,
        plan_id: &str,
        action_id: &str,
        draft: &ActionDraft,
        now: i64,
    ) -> Result<()> {
        let plan = self.writable_plan(actor, plan_id).await?;
        self.check_owner(
            &plan.municipality_code,
            draft.owner_organisation_id.as_deref(),
        )
        .await?;
        let done = sqlx::query(
            "UPDATE action_plan_actions SET title = $1, horizon = $2, owner_organisation_id = $3, status = $4, \
             due_on = $5, metric = $6, updated_at = $7 WHERE id = $8 AND plan_id = $9",
        )
        .bind(&draft.title)
        .bind(draft.horizon.as_str())
        .bind(draft.owner_organisation_id.as_deref())
        .bind(draft.status.as_str())
        .bind(draft.due_on.map(|d| d.to_string()))
        .bind(draft.metric.map(Metric::as_str))
        .bind(now)
        .bind(action_id)
        .bind(plan_id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Changes only an action's status.
    pub async fn set_plan_action_status(
        &self,
        actor: &Actor,
        plan_id: &str,
        action_id: &str,
        status: ActionStatus,
        now: i64,
    ) -> Result<()> {
        self.writable_plan(actor, plan_id).await?;
        let done = sqlx::query(
            "UPDATE action_plan_actions SET status = $1, updated_at = $2 WHERE id = $3 AND plan_id = $4",
        )
        .bind(status.as_str())
        .bind(now)
        .bind(action_id)
        .bind(plan_id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The counts behind the plan's figures: the municipality's chain over `range`, from the same rollups
    /// and referral rows as the steering dashboard (`stats_figures`, `stats_referral_times`).
    pub async fn plan_metric_inputs(&self, code: &str, range: DayRange) -> Result<MetricInputs> {
        let scope = StatsScope {
            municipality_code: Some(code.to_owned()),
            help_point: None,
            partner: None,
        };
        let figures = self.stats_figures(&scope, range).await?;
        let sum_of = |dimension, value: &str| {
            figures
                .counts(dimension)
                .iter()
                .filter(|c| c.value == value)
                .map(|c| c.questions)
                .sum::<i64>()
        };
        let referrals = self
            .stats_referral_times(
                &scope,
                day_start_seconds(range.from),
                day_start_seconds(range.until),
            )
            .await?;
        Ok(MetricInputs {
            questions: figures.questions(),
            first_visits: sum_of(crate::stats::Dimension::FirstVisit, "yes"),
            solved: sum_of(
                crate::stats::Dimension::Outcome,
                keten_core::help_question::Outcome::Solved.as_str(),
            ),
            referrals_completed: i64::try_from(
                referrals.iter().filter(|r| r.status == "completed").count(),
            )
            .unwrap_or(i64::MAX),
            residents: keten_core::reference::municipality(code).map_or(0, |m| m.population),
        })
    }

    /// The demo's action plan for Rotterdam: this year and the next two, the inventory taken over from the
    /// directory plus one free entry, and actions on all three horizons in several states. Skipped when
    /// Rotterdam has no municipality organisation or already has a plan.
    pub async fn load_demo_action_plan(&self, now: i64) -> Result<()> {
        const CODE: &str = "GM0599";
        let existing: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM action_plans WHERE municipality_code = $1")
                .bind(CODE)
                .fetch_one(&self.pool)
                .await?;
        if existing > 0 {
            return Ok(());
        }
        let today = keten_core::steering::local_date(now);
        let year = today.year();
        let draft = PlanDraft::parse(
            "Actieplan digitale inclusie Rotterdam",
            &format!("{year}-01-01"),
            &format!("{}-12-31", year + 2),
        )
        .map_err(StoreError::Invalid)?;
        // The demo acts as Rotterdam's steering would.
        let actor = Actor {
            steering_municipalities: vec![CODE.to_owned()],
            ..Actor::default()
        };
        let plan = self
            .create_action_plan(&actor, CODE, &draft, None, now)
            .await?;
        self.add_plan_items_from_directory(&actor, &plan.id, None, now)
            .await?;
        let free = ItemDraft::parse(
            "Digicafé in het wijkcentrum",
            "Elke donderdagmiddag helpen vrijwilligers met de telefoon en de laptop.",
            "Vrijwilligers van het wijkcentrum",
        )
        .map_err(StoreError::Invalid)?;
        self.add_plan_item(&actor, &plan.id, &free, now).await?;
        let owners = self.chain_organisations(CODE).await?;
        let owner = |kind: &str| {
            owners
                .iter()
                .find(|o| o.kind == kind)
                .or(owners.first())
                .map(|o| o.id.clone())
                .unwrap_or_default()
        };
        let day = |months: i32| {
            today
                .checked_add(jiff::Span::new().months(months))
                .unwrap_or(today)
                .to_string()
        };
        let actions = [
            (
                "Spreekuur belastingaangifte in elke bibliotheek",
                "short",
                owner("library"),
                "done",
                day(-2),
                "questions_per_1000",
            ),
            (
                "Warme overdracht tussen bank en Informatiepunt afspreken",
                "short",
                owner("partner"),
                "under_way",
                day(-1),
                "referrals_completed",
            ),
            (
                "Folder over het Informatiepunt in de wijken verspreiden",
                "short",
                owner("municipality"),
                "planned",
                day(2),
                "first_visits",
            ),
            (
                "Vrijwilligers opleiden voor DigiD-vragen",
                "medium",
                owner("library"),
                "under_way",
                day(8),
                "share_solved",
            ),
            (
                "Digitale vaardigheden in het inburgeringstraject",
                "medium",
                owner("municipality"),
                "dropped",
                day(12),
                "",
            ),
            (
                "Alle wijken binnen 15 minuten lopen van een hulppunt",
                "long",
                owner("municipality"),
                "planned",
                day(30),
                "questions_per_1000",
            ),
        ];
        for (title, horizon, owner, status, due, metric) in actions {
            let draft = ActionDraft::parse(title, horizon, &owner, status, &due, metric)
                .map_err(StoreError::Invalid)?;
            self.add_plan_action(&actor, &plan.id, &draft, now).await?;
        }
        Ok(())
    }
}
