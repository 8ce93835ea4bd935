//! Routing rules (verwijsafspraken) per municipality, per-municipality referral settings, and routing candidates.

use crate::error::{Result, StoreError};
use crate::{Actor, Store, new_id, parse_code};
use keten_core::account::Role;
use keten_core::geo::{Point, distance_km};
use keten_core::help_question::Agency;
use keten_core::organisation::OrganisationKind;
use keten_core::referral::DEFAULT_NOT_REACHED_AFTER;
use keten_core::referral::deadline::DEFAULT_OVERDUE_WORKING_DAYS;
use keten_core::referral::routing::{Candidate, Rule, RuleTarget};

/// Days contact data is kept after a referral closes, unless the municipality chose otherwise.
pub const DEFAULT_RETENTION_DAYS: i64 = 90;

/// A stored routing rule with the names a page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingRule {
    pub rule: Rule,
    pub organisation_name: String,
    pub help_point_name: Option<String>,
    pub consultation_hour_title: Option<String>,
}

/// A new rule as the steering role enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRoutingRule {
    pub municipality_code: String,
    pub topic_code: String,
    pub agency: Option<Agency>,
    pub priority: i64,
    pub organisation_id: String,
    pub help_point_id: Option<String>,
    pub consultation_hour_id: Option<String>,
}

/// Per-municipality referral settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralSettings {
    pub overdue_working_days: u32,
    pub not_reached_after: u32,
    pub retention_days: i64,
}

impl Default for ReferralSettings {
    fn default() -> Self {
        Self {
            overdue_working_days: DEFAULT_OVERDUE_WORKING_DAYS,
            not_reached_after: DEFAULT_NOT_REACHED_AFTER,
            retention_days: DEFAULT_RETENTION_DAYS,
        }
    }
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: String,
    municipality_code: String,
    topic_code: String,
    agency: Option<String>,
    priority: i64,
    organisation_id: String,
    help_point_id: Option<String>,
    consultation_hour_id: Option<String>,
    organisation_name: String,
    help_point_name: Option<String>,
    consultation_hour_title: Option<String>,
}

impl TryFrom<RuleRow> for RoutingRule {
    type Error = StoreError;
    fn try_from(r: RuleRow) -> Result<Self> {
        let target = match (r.help_point_id, r.consultation_hour_id) {
            (_, Some(hour)) => RuleTarget::ConsultationHour(hour),
            (Some(point), None) => RuleTarget::HelpPoint(point),
            (None, None) => RuleTarget::Organisation(r.organisation_id.clone()),
        };
        Ok(RoutingRule {
            rule: Rule {
                agency: r.agency.as_deref().map(parse_code).transpose()?,
                id: r.id,
                municipality_code: r.municipality_code,
                topic_code: r.topic_code,
                priority: r.priority,
                organisation_id: r.organisation_id,
                target,
            },
            organisation_name: r.organisation_name,
            help_point_name: r.help_point_name,
            consultation_hour_title: r.consultation_hour_title,
        })
    }
}

const SELECT_RULES: &str = "SELECT r.id, r.municipality_code, r.topic_code, r.agency, r.priority, \
     r.organisation_id, r.help_point_id, r.consultation_hour_id, o.name AS organisation_name, \
     h.name AS help_point_name, c.title AS consultation_hour_title \
     FROM routing_rules r JOIN organisations o ON o.id = r.organisation_id \
     LEFT JOIN help_points h ON h.id = r.help_point_id \
     LEFT JOIN consultation_hours c ON c.id = r.consultation_hour_id \
     WHERE r.municipality_code = $1 ORDER BY r.topic_code, r.priority, r.id";

impl Store {
    /// The routing rules of a municipality. Rules are the chain's public agreements, not personal data:
    /// everyone in the chain may read them (the referral form needs them).
    pub async fn routing_rules(&self, municipality_code: &str) -> Result<Vec<RoutingRule>> {
        let rows: Vec<RuleRow> = sqlx::query_as(SELECT_RULES)
            .bind(municipality_code)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(TryFrom::try_from).collect()
    }

    /// Adds a rule; only the municipality's steering role (or an admin) may. The organisation must be active in
    /// the rule's municipality and the target must belong to it; a foreign municipality or organisation is
    /// NotFound.
    pub async fn create_routing_rule(
        &self,
        actor: &Actor,
        new: &NewRoutingRule,
        now: i64,
    ) -> Result<RoutingRule> {
        if !actor.is_admin()
            && !actor
                .steering_municipalities
                .contains(&new.municipality_code)
        {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.pool.begin().await?;
        // Only an organisation of this municipality's chain: a rule naming another chain's would show its name
        // to this chain and route referrals that its members cannot send (issue 18), as `create_referral` refuses.
        let org: Option<String> = sqlx::query_scalar(
            "SELECT organisation_id FROM organisation_municipalities \
             WHERE organisation_id = $1 AND municipality_code = $2",
        )
        .bind(&new.organisation_id)
        .bind(&new.municipality_code)
        .fetch_optional(&mut *tx)
        .await?;
        if org.is_none() {
            return Err(StoreError::NotFound);
        }
        if let Some(point) = &new.help_point_id {
            let owner: Option<String> =
                sqlx::query_scalar("SELECT organisation_id FROM help_points WHERE id = $1")
                    .bind(point)
                    .fetch_optional(&mut *tx)
                    .await?;
            if owner.as_ref() != Some(&new.organisation_id) {
                return Err(StoreError::Conflict(
                    "routing_rules_help_point_owner".into(),
                ));
            }
        }
        if let Some(hour) = &new.consultation_hour_id {
            let owner: Option<String> =
                sqlx::query_scalar("SELECT organisation_id FROM consultation_hours WHERE id = $1")
                    .bind(hour)
                    .fetch_optional(&mut *tx)
                    .await?;
            if owner.as_ref() != Some(&new.organisation_id) {
                return Err(StoreError::Conflict(
                    "routing_rules_consultation_hour_owner".into(),
                ));
            }
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO routing_rules (id, municipality_code, topic_code, agency, priority, organisation_id, \
             help_point_id, consultation_hour_id, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(&id)
        .bind(&new.municipality_code)
        .bind(&new.topic_code)
        .bind(new.agency.map(|a| a.as_str().to_owned()))
        .bind(new.priority)
        .bind(&new.organisation_id)
        .bind(&new.help_point_id)
        .bind(&new.consultation_hour_id)
        .bind(&actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.routing_rules(&new.municipality_code)
            .await?
            .into_iter()
            .find(|r| r.rule.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Removes a rule of a municipality the actor steers.
    pub async fn delete_routing_rule(&self, actor: &Actor, id: &str) -> Result<()> {
        let municipality: Option<String> =
            sqlx::query_scalar("SELECT municipality_code FROM routing_rules WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        match municipality {
            Some(m) if actor.is_admin() || actor.steering_municipalities.contains(&m) => {
                sqlx::query("DELETE FROM routing_rules WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
            _ => Err(StoreError::NotFound),
        }
    }

    /// The municipality's referral settings, or the defaults.
    pub async fn referral_settings(&self, municipality_code: &str) -> Result<ReferralSettings> {
        let row: Option<(i64, i64, i64)> = sqlx::query_as(
            "SELECT overdue_working_days, not_reached_after, retention_days FROM referral_settings \
             WHERE municipality_code = $1",
        )
        .bind(municipality_code)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some((days, attempts, retention)) => ReferralSettings {
                overdue_working_days: u32::try_from(days).unwrap_or(DEFAULT_OVERDUE_WORKING_DAYS),
                not_reached_after: u32::try_from(attempts).unwrap_or(DEFAULT_NOT_REACHED_AFTER),
                retention_days: retention,
            },
            None => ReferralSettings::default(),
        })
    }

    /// Sets a municipality's referral settings (its steering role or an admin).
    pub async fn set_referral_settings(
        &self,
        actor: &Actor,
        municipality_code: &str,
        settings: ReferralSettings,
        now: i64,
    ) -> Result<()> {
        if !actor.is_admin()
            && !actor
                .steering_municipalities
                .iter()
                .any(|m| m == municipality_code)
        {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM referral_settings WHERE municipality_code = $1")
            .bind(municipality_code)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO referral_settings (municipality_code, overdue_working_days, not_reached_after, \
             retention_days, updated_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(municipality_code)
        .bind(i64::from(settings.overdue_working_days))
        .bind(i64::from(settings.not_reached_after))
        .bind(settings.retention_days)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks a help point full (takes no new referrals) or open again; its coordinators only.
    pub async fn set_help_point_referrals_full(
        &self,
        actor: &Actor,
        help_point_id: &str,
        full: bool,
    ) -> Result<()> {
        let mut sql = crate::sql::Sql::new("UPDATE help_points SET referrals_full = ");
        sql.bind(i64::from(full))
            .push(" WHERE id = ")
            .bind(help_point_id.to_owned());
        sql.push(" AND id IN (SELECT h.id FROM help_points h WHERE 1 = 1");
        actor.push_help_point_coordination_filter(&mut sql);
        sql.push(")");
        let done = sql.query()?.execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Every help point and consultation hour as a routing candidate, with its distance from `origin`.
    /// Reads the whole directory: fine for a chain's few hundred points; a large installation would ask
    /// the finder's in-memory index instead.
    pub async fn referral_candidates(&self, origin: Point) -> Result<Vec<Candidate>> {
        let directory = self.directory().await?;
        let full: Vec<String> =
            sqlx::query_scalar("SELECT id FROM help_points WHERE referrals_full = 1")
                .fetch_all(&self.pool)
                .await?;
        let kinds: Vec<(String, String)> = sqlx::query_as("SELECT id, kind FROM organisations")
            .fetch_all(&self.pool)
            .await?;
        let is_partner = |org: &str| {
            kinds
                .iter()
                .any(|(id, kind)| id == org && kind == OrganisationKind::Partner.as_str())
        };
        let mut out = Vec::new();
        for hp in &directory.help_points {
            let distance = distance_km(origin, hp.location);
            let is_full = full.contains(&hp.id);
            out.push(Candidate {
                help_point_id: hp.id.clone(),
                organisation_id: hp.organisation_id.clone(),
                consultation_hour_id: None,
                topics: hp.topics.clone(),
                distance_km: distance,
                status: hp.status,
                full: is_full,
                partner: is_partner(&hp.organisation_id),
            });
            for hour in directory
                .consultation_hours
                .iter()
                .filter(|c| c.help_point_id == hp.id)
            {
                out.push(Candidate {
                    help_point_id: hp.id.clone(),
                    organisation_id: hour.organisation_id.clone(),
                    consultation_hour_id: Some(hour.id.clone()),
                    topics: hour.topics.clone(),
                    distance_km: distance,
                    status: hp.status,
                    full: is_full,
                    partner: is_partner(&hour.organisation_id),
                });
            }
        }
        Ok(out)
    }
}

/// Roles that send and receive referrals.
pub const REFERRAL_ROLES: &[Role] = &[Role::Partner, Role::Staff, Role::Coordinator];
