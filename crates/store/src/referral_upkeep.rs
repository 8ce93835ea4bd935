//! Keeping referrals going: paged inbox lists, the steering overview, the audit trail in pages, AVG look-ups, full help points.

use crate::error::{Result, StoreError};
use crate::referrals::{
    AuditEvent, ReferralStatistics, ReferralSummary, SELECT_SUMMARY, SummaryRow, insert_audit,
};
use crate::sql::Sql;
use crate::{Actor, Store};
use keten_core::account::Role;
use keten_core::referral::upkeep::LeadTime;
use keten_core::referral::{ContactChannel, DeclineReason};

/// The lists of the inbox page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralList {
    /// Received, waiting to be accepted.
    New,
    /// Received and accepted, or contact made.
    Accepted,
    /// Received, not accepted by the due moment.
    Overdue,
    /// Sent by the actor's organisations.
    Sent,
}

impl ReferralList {
    pub const ALL: [ReferralList; 4] = [Self::New, Self::Accepted, Self::Overdue, Self::Sent];

    /// The list's predicate; `now` is bound for the overdue list.
    fn push_filter(self, actor: &Actor, now: i64, sql: &mut Sql) {
        match self {
            Self::Sent => {
                sql.push(" AND r.sender_organisation_id IN ");
                sql.bind_list(actor.referral_organisation_ids());
            }
            received => {
                sql.push(" AND r.organisation_id IN ");
                sql.bind_list(actor.referral_organisation_ids());
                match received {
                    Self::Accepted => sql.push(" AND r.status IN ('accepted', 'contacted')"),
                    Self::Overdue => sql
                        .push(" AND r.status IN ('sent', 'received') AND r.due_at < ")
                        .bind(now),
                    _ => sql.push(" AND r.status IN ('sent', 'received')"),
                };
            }
        }
    }
}

/// Overdue referrals of one receiving organisation, for steering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueAtOrganisation {
    pub organisation_id: String,
    pub organisation_name: String,
    pub count: i64,
    /// Whole days the longest-waiting one is past its due moment.
    pub max_days_overdue: i64,
}

/// The steering overview of a municipality's referrals: counts and times only, never a single referral.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReferralOverview {
    pub statistics: ReferralStatistics,
    pub total: i64,
    pub overdue_by_organisation: Vec<OverdueAtOrganisation>,
    /// From sending (or the last re-route) to acceptance.
    pub to_accept: LeadTime,
    /// From sending to completed or not reached: the help is over.
    pub to_close: LeadTime,
    /// Declines per coded reason, counted from the timeline: a re-routed referral's decline still counts.
    pub declines: Vec<(DeclineReason, i64)>,
}

/// One line of an organisation's audit trail, with the names a coordinator reads.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    #[sqlx(flatten)]
    pub event: AuditEvent,
    pub user_name: Option<String>,
    pub organisation_name: Option<String>,
}

/// A help point whose referral intake its keepers may switch.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IntakeHelpPoint {
    pub id: String,
    pub name: String,
    pub organisation_name: String,
    pub city: String,
    pub referrals_full: i64,
}

impl Store {
    /// One page of one inbox list, newest first with a stable order, without personal data.
    pub async fn referral_list_page(
        &self,
        actor: &Actor,
        list: ReferralList,
        now: i64,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ReferralSummary>> {
        let mut sql = Sql::new(SELECT_SUMMARY);
        list.push_filter(actor, now, &mut sql);
        sql.push(" ORDER BY r.sent_at DESC, r.id LIMIT ")
            .bind(limit)
            .push(" OFFSET ")
            .bind(offset);
        let rows: Vec<SummaryRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        let mut out: Vec<ReferralSummary> = rows
            .into_iter()
            .map(|r| r.into_summary(actor))
            .collect::<Result<_>>()?;
        self.fill_topics(&mut out).await?;
        Ok(out)
    }

    /// How many referrals each list holds, in the order of [`ReferralList::ALL`].
    pub async fn referral_list_counts(&self, actor: &Actor, now: i64) -> Result<[i64; 4]> {
        let mut counts = [0; 4];
        for (slot, list) in counts.iter_mut().zip(ReferralList::ALL) {
            let mut sql = Sql::new("SELECT CAST(COUNT(*) AS BIGINT) FROM referrals r WHERE 1 = 1");
            list.push_filter(actor, now, &mut sql);
            let (n,): (i64,) = sql.query_as()?.fetch_one(&self.pool).await?;
            *slot = n;
        }
        Ok(counts)
    }

    /// Counts, overdue referrals per receiving organisation and lead times of a municipality, for its steering
    /// role (or an admin); another municipality is NotFound.
    pub async fn referral_overview(
        &self,
        actor: &Actor,
        municipality_code: &str,
        now: i64,
    ) -> Result<ReferralOverview> {
        // Checks the role and the municipality.
        let statistics = self
            .referral_statistics(actor, municipality_code, now)
            .await?;
        let overdue: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT r.organisation_id, o.name, CAST(COUNT(*) AS BIGINT), CAST(MIN(r.due_at) AS BIGINT) \
             FROM referrals r JOIN organisations o ON o.id = r.organisation_id \
             WHERE r.municipality_code = $1 AND r.status IN ('sent', 'received') AND r.due_at < $2 \
             GROUP BY r.organisation_id, o.name ORDER BY 3 DESC, o.name",
        )
        .bind(municipality_code)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let to_accept: Vec<i64> = sqlx::query_scalar(
            "SELECT accepted_at - sent_at FROM referrals WHERE municipality_code = $1 AND accepted_at IS NOT NULL",
        )
        .bind(municipality_code)
        .fetch_all(&self.pool)
        .await?;
        let to_close: Vec<i64> = sqlx::query_scalar(
            "SELECT closed_at - sent_at FROM referrals WHERE municipality_code = $1 \
             AND status IN ('completed', 'not_reached') AND closed_at IS NOT NULL",
        )
        .bind(municipality_code)
        .fetch_all(&self.pool)
        .await?;
        let declines: Vec<(String, i64)> = sqlx::query_as(
            "SELECT e.decline_reason, CAST(COUNT(*) AS BIGINT) FROM referral_events e \
             JOIN referrals r ON r.id = e.referral_id WHERE r.municipality_code = $1 AND e.action = 'decline' \
             AND e.decline_reason IS NOT NULL GROUP BY e.decline_reason ORDER BY e.decline_reason",
        )
        .bind(municipality_code)
        .fetch_all(&self.pool)
        .await?;
        Ok(ReferralOverview {
            declines: declines
                .into_iter()
                .map(|(r, n)| Ok((crate::parse_code(&r)?, n)))
                .collect::<Result<_>>()?,
            total: statistics.by_status.iter().map(|(_, n)| n).sum(),
            statistics,
            overdue_by_organisation: overdue
                .into_iter()
                .map(|(id, name, count, oldest_due)| OverdueAtOrganisation {
                    organisation_id: id,
                    organisation_name: name,
                    count,
                    max_days_overdue: (now - oldest_due).max(0) / 86_400,
                })
                .collect(),
            to_accept: LeadTime::of(to_accept),
            to_close: LeadTime::of(to_close),
        })
    }

    /// One page of the audit trail of the referrals an organisation sent or received, newest first; members only.
    /// Names of users of other organisations are left out: the trail says which organisation, not who there.
    pub async fn referral_audit_page(
        &self,
        actor: &Actor,
        organisation_id: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AuditEntry>> {
        if !actor.is_member_of(organisation_id) {
            return Err(StoreError::NotFound);
        }
        Ok(sqlx::query_as(
            "SELECT a.at, a.actor_user_id, a.actor_organisation_id, a.action, a.subject_kind, a.subject_id, \
             CASE WHEN a.actor_organisation_id = $1 THEN u.display_name ELSE NULL END AS user_name, \
             o.name AS organisation_name \
             FROM audit_events a LEFT JOIN users u ON u.id = a.actor_user_id \
             LEFT JOIN organisations o ON o.id = a.actor_organisation_id \
             WHERE a.sender_organisation_id = $1 OR a.receiver_organisation_id = $1 \
             ORDER BY a.at DESC, a.id LIMIT $2 OFFSET $3",
        )
        .bind(organisation_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?)
    }

    /// For a resident's AVG request: the referrals that organisation sent or received holding exactly this phone
    /// number or e-mail address. Only the organisation's coordinator may look; each hit writes an audit event.
    pub async fn referrals_holding_contact(
        &self,
        actor: &Actor,
        organisation_id: &str,
        channel: &ContactChannel,
        now: i64,
    ) -> Result<Vec<String>> {
        if !actor
            .organisation_ids_with(Role::Coordinator)
            .any(|o| o == organisation_id)
        {
            return Err(StoreError::NotFound);
        }
        let mut sql = Sql::new(
            "SELECT id, sender_organisation_id, organisation_id FROM referrals \
             WHERE (sender_organisation_id = ",
        );
        sql.bind(organisation_id.to_owned())
            .push(" OR organisation_id = ")
            .bind(organisation_id.to_owned())
            .push(")");
        match channel {
            ContactChannel::Phone(p) => sql.push(" AND contact_phone = ").bind(p.clone()),
            ContactChannel::Email(e) => sql
                .push(" AND contact_email = ")
                .bind(e.as_str().to_owned()),
        };
        sql.push(" ORDER BY sent_at DESC, id");
        let found: Vec<(String, String, String)> = sql.query_as()?.fetch_all(&self.pool).await?;
        let mut tx = self.pool.begin().await?;
        for (id, sender, receiver) in &found {
            insert_audit(
                &mut *tx,
                now,
                actor,
                Some(organisation_id),
                "search",
                (id, sender, receiver),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(found.into_iter().map(|(id, _, _)| id).collect())
    }

    /// The help points whose referral intake the actor may switch (the directory's coordination rule).
    pub async fn referral_intake_help_points(&self, actor: &Actor) -> Result<Vec<IntakeHelpPoint>> {
        let mut sql = Sql::new(
            "SELECT h.id, h.name, o.name AS organisation_name, h.city, h.referrals_full \
             FROM help_points h JOIN organisations o ON o.id = h.organisation_id WHERE 1 = 1",
        );
        actor.push_help_point_coordination_filter(&mut sql);
        sql.push(" ORDER BY h.name, h.id");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// Ids of the help points marked full (public: routing skips them for everyone).
    pub async fn full_help_points(&self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM help_points WHERE referrals_full = 1 ORDER BY id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The organisations that declined this referral so far (a re-route proposes someone else). Members of the
    /// sending or receiving organisation only; no personal data, so no audit event.
    pub async fn referral_decliners(&self, actor: &Actor, id: &str) -> Result<Vec<String>> {
        self.referral_summary(actor, id).await?;
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT actor_organisation_id FROM referral_events \
             WHERE referral_id = $1 AND action = 'decline' AND actor_organisation_id IS NOT NULL \
             ORDER BY actor_organisation_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }
}
