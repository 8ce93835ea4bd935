//! The stakeholder map of a municipality's chain: stakeholders with their contact person (steering of that municipality only), the history of changes, the partners keten knows, their activity from keten's own rows, and the agreements keten holds (routing rules, consultation hours).

use crate::Store;
use crate::error::{Result, StoreError};
use crate::new_id;
use crate::scope::Actor;
use crate::sql::Sql;
use keten_core::ValidationError;
use keten_core::organisation::Sector;
use keten_core::stakeholder::{
    ChainRole, EventKind, KnownActivity, StakeholderDraft, roles_from_text, roles_to_text,
};
use keten_core::steering::{DayRange, day_start_seconds, local_date};
use std::collections::BTreeMap;

/// One stakeholder as stored. The contact person is in here: only hand it to the municipality's steering users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stakeholder {
    pub id: String,
    pub municipality_code: String,
    /// The organisation in keten, `None` for an organisation outside the chain.
    pub organisation_id: Option<String>,
    pub name: String,
    pub sector: Sector,
    pub roles: Vec<ChainRole>,
    pub power: u8,
    pub interest: u8,
    pub covenant: bool,
    pub agreements: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    /// `YYYY-MM-DD`.
    pub joined_on: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct StakeholderRow {
    id: String,
    municipality_code: String,
    organisation_id: Option<String>,
    name: String,
    sector: String,
    roles: String,
    power: i64,
    interest: i64,
    covenant: i64,
    agreements: String,
    contact_name: Option<String>,
    contact_email: Option<String>,
    joined_on: String,
    created_at: i64,
    updated_at: i64,
}

const COLUMNS: &str = "SELECT id, municipality_code, organisation_id, name, sector, roles, power, interest, \
    covenant, agreements, contact_name, contact_email, joined_on, created_at, updated_at FROM stakeholders";

fn score(v: i64) -> Result<u8> {
    u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("stakeholder score {v}")))
}

impl TryFrom<StakeholderRow> for Stakeholder {
    type Error = StoreError;
    fn try_from(r: StakeholderRow) -> Result<Self> {
        Ok(Self {
            sector: crate::parse_code(&r.sector)?,
            roles: roles_from_text(&r.roles).map_err(|e| StoreError::Corrupt(e.message))?,
            power: score(r.power)?,
            interest: score(r.interest)?,
            covenant: r.covenant != 0,
            id: r.id,
            municipality_code: r.municipality_code,
            organisation_id: r.organisation_id,
            name: r.name,
            agreements: r.agreements,
            contact_name: r.contact_name,
            contact_email: r.contact_email,
            joined_on: r.joined_on,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// One change in the map's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StakeholderEvent {
    pub stakeholder_id: String,
    pub name: String,
    pub kind: EventKind,
    pub power: u8,
    pub interest: u8,
    /// `YYYY-MM-DD`.
    pub happened_on: String,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    stakeholder_id: String,
    name: String,
    kind: String,
    power: i64,
    interest: i64,
    happened_on: String,
}

/// An organisation keten knows in the municipality that is not on the map yet, with what the data says it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub organisation_id: String,
    pub name: String,
    pub sector: Sector,
    pub activity: KnownActivity,
}

/// An organisation's activity in keten over a period (consultation hours: those it holds now).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    pub referrals_sent: i64,
    pub referrals_received: i64,
    pub consultation_hours: i64,
    /// Help questions registered during its consultation hours.
    pub questions_in_hours: i64,
    /// Help questions at the help points it runs.
    pub questions_at_help_points: i64,
}

/// What keten itself holds as agreements with an organisation: the routing rules that send referrals to it
/// (topic labels) and its consultation hours ("title, help point").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KetenAgreements {
    pub routing_rules: Vec<String>,
    pub consultation_hours: Vec<String>,
}

/// Only the municipality's steering users keep its map; anything else is NotFound, as for a foreign row.
fn steers(actor: &Actor, municipality: &str) -> Result<()> {
    if actor
        .steering_municipalities
        .iter()
        .any(|m| m == municipality)
    {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

fn invalid(field: &'static str, message: &str) -> StoreError {
    StoreError::Invalid(vec![ValidationError::new(field, message)])
}

fn to_i64(v: u8) -> i64 {
    i64::from(v)
}

/// Counts per organisation id from `(id, n)` rows.
async fn counts(sql: Sql, pool: &sqlx::AnyPool) -> Result<Vec<(String, i64)>> {
    Ok(sql.query_as::<(String, i64)>()?.fetch_all(pool).await?)
}

impl Store {
    /// The municipality's stakeholders, by name.
    pub async fn stakeholders(
        &self,
        actor: &Actor,
        municipality: &str,
    ) -> Result<Vec<Stakeholder>> {
        steers(actor, municipality)?;
        let mut sql = Sql::new(COLUMNS);
        sql.push(" WHERE municipality_code = ")
            .bind(municipality.to_owned())
            .push(" ORDER BY name, id");
        let rows: Vec<StakeholderRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        rows.into_iter().map(Stakeholder::try_from).collect()
    }

    /// One stakeholder of a municipality the actor steers; NotFound otherwise.
    pub async fn stakeholder(&self, actor: &Actor, id: &str) -> Result<Stakeholder> {
        let mut sql = Sql::new(COLUMNS);
        sql.push(" WHERE id = ")
            .bind(id.to_owned())
            .push(" AND municipality_code IN ")
            .bind_list(actor.steering_municipalities.iter().cloned());
        let row: Option<StakeholderRow> = sql.query_as()?.fetch_optional(&self.pool).await?;
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// Puts a stakeholder on the map with a "joined" event on its joining day. `organisation_id` must be an
    /// organisation keten knows in the municipality and not on the map yet (Invalid at `organisation` otherwise).
    pub async fn create_stakeholder(
        &self,
        actor: &Actor,
        municipality: &str,
        organisation_id: Option<&str>,
        draft: &StakeholderDraft,
        now: i64,
    ) -> Result<Stakeholder> {
        steers(actor, municipality)?;
        let mut tx = self.pool.begin().await?;
        if let Some(org) = organisation_id {
            let known: Option<(String,)> = sqlx::query_as(
                "SELECT o.id FROM organisations o WHERE o.id = $1 AND (o.municipality_code = $2 OR o.id IN \
                 (SELECT organisation_id FROM organisation_municipalities WHERE municipality_code = $2))",
            )
            .bind(org)
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?;
            if known.is_none() {
                return Err(invalid(
                    "organisation",
                    "Deze organisatie kent keten niet in deze gemeente.",
                ));
            }
            let taken: Option<(String,)> = sqlx::query_as(
                "SELECT id FROM stakeholders WHERE municipality_code = $1 AND organisation_id = $2",
            )
            .bind(municipality)
            .bind(org)
            .fetch_optional(&mut *tx)
            .await?;
            if taken.is_some() {
                return Err(invalid(
                    "organisation",
                    "Deze organisatie staat al op de kaart. Pas haar daar aan.",
                ));
            }
        }
        let id = new_id();
        let joined_on = draft.joined_on.to_string();
        sqlx::query(
            "INSERT INTO stakeholders (id, municipality_code, organisation_id, name, sector, roles, power, interest, \
             covenant, agreements, contact_name, contact_email, joined_on, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
        )
        .bind(id.clone())
        .bind(municipality)
        .bind(organisation_id)
        .bind(draft.name.clone())
        .bind(draft.sector.as_str())
        .bind(roles_to_text(&draft.roles))
        .bind(to_i64(draft.power))
        .bind(to_i64(draft.interest))
        .bind(i64::from(draft.covenant))
        .bind(draft.agreements.clone())
        .bind(draft.contact_name.clone())
        .bind(draft.contact_email.clone())
        .bind(joined_on.clone())
        .bind(actor.user_id.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_event(
            &mut tx,
            &id,
            municipality,
            &draft.name,
            EventKind::Joined,
            (draft.power, draft.interest),
            &joined_on,
            actor,
            now,
        )
        .await?;
        tx.commit().await?;
        self.stakeholder(actor, &id).await
    }

    /// Changes a stakeholder; a new power or interest is a "changed" event today, a new joining day moves its
    /// "joined" event.
    pub async fn update_stakeholder(
        &self,
        actor: &Actor,
        id: &str,
        draft: &StakeholderDraft,
        now: i64,
    ) -> Result<Stakeholder> {
        let old = self.stakeholder(actor, id).await?;
        let joined_on = draft.joined_on.to_string();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE stakeholders SET name = $1, sector = $2, roles = $3, power = $4, interest = $5, covenant = $6, \
             agreements = $7, contact_name = $8, contact_email = $9, joined_on = $10, updated_at = $11 \
             WHERE id = $12",
        )
        .bind(draft.name.clone())
        .bind(draft.sector.as_str())
        .bind(roles_to_text(&draft.roles))
        .bind(to_i64(draft.power))
        .bind(to_i64(draft.interest))
        .bind(i64::from(draft.covenant))
        .bind(draft.agreements.clone())
        .bind(draft.contact_name.clone())
        .bind(draft.contact_email.clone())
        .bind(joined_on.clone())
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if joined_on != old.joined_on {
            sqlx::query(
                "UPDATE stakeholder_events SET happened_on = $1 WHERE stakeholder_id = $2 AND kind = 'joined'",
            )
            .bind(joined_on)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        if (draft.power, draft.interest) != (old.power, old.interest) {
            insert_event(
                &mut tx,
                id,
                &old.municipality_code,
                &draft.name,
                EventKind::Changed,
                (draft.power, draft.interest),
                &local_date(now).to_string(),
                actor,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        self.stakeholder(actor, id).await
    }

    /// Takes a stakeholder off the map: a "left" event today (name and scores only), and the row with its contact
    /// person is deleted.
    pub async fn delete_stakeholder(&self, actor: &Actor, id: &str, now: i64) -> Result<()> {
        let old = self.stakeholder(actor, id).await?;
        let mut tx = self.pool.begin().await?;
        insert_event(
            &mut tx,
            id,
            &old.municipality_code,
            &old.name,
            EventKind::Left,
            (old.power, old.interest),
            &local_date(now).to_string(),
            actor,
            now,
        )
        .await?;
        sqlx::query("DELETE FROM stakeholders WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The map's history, oldest first.
    pub async fn stakeholder_events(
        &self,
        actor: &Actor,
        municipality: &str,
    ) -> Result<Vec<StakeholderEvent>> {
        steers(actor, municipality)?;
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT stakeholder_id, name, kind, power, interest, happened_on FROM stakeholder_events \
             WHERE municipality_code = $1 ORDER BY happened_on, recorded_at, id",
        )
        .bind(municipality)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(StakeholderEvent {
                    kind: crate::parse_code(&r.kind)?,
                    power: score(r.power)?,
                    interest: score(r.interest)?,
                    stakeholder_id: r.stakeholder_id,
                    name: r.name,
                    happened_on: r.happened_on,
                })
            })
            .collect()
    }

    /// Organisations keten knows in the municipality (home or active there) that are not on its map, by name,
    /// with the roles its rows suggest.
    pub async fn stakeholder_candidates(
        &self,
        actor: &Actor,
        municipality: &str,
    ) -> Result<Vec<Candidate>> {
        steers(actor, municipality)?;
        let rows: Vec<(String, String, String, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT o.id, o.name, o.sector, \
               (SELECT COUNT(*) FROM help_points h WHERE h.organisation_id = o.id AND h.municipality_code = $1), \
               (SELECT COUNT(*) FROM consultation_hours c JOIN help_points h ON h.id = c.help_point_id \
                  WHERE c.organisation_id = o.id AND h.municipality_code = $1), \
               (SELECT COUNT(*) FROM referrals r WHERE r.sender_organisation_id = o.id AND r.municipality_code = $1), \
               (SELECT COUNT(*) FROM referrals r WHERE r.organisation_id = o.id AND r.municipality_code = $1) \
             FROM organisations o \
             WHERE (o.municipality_code = $1 OR o.id IN \
                    (SELECT organisation_id FROM organisation_municipalities WHERE municipality_code = $1)) \
               AND o.kind <> 'national_body' \
               AND o.id NOT IN (SELECT organisation_id FROM stakeholders \
                                WHERE municipality_code = $1 AND organisation_id IS NOT NULL) \
             ORDER BY o.name, o.id",
        )
        .bind(municipality)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, name, sector, points, hours, sent, received)| {
                Ok(Candidate {
                    organisation_id: id,
                    name,
                    sector: crate::parse_code(&sector)?,
                    activity: KnownActivity {
                        runs_help_points: points > 0,
                        holds_consultation_hours: hours > 0,
                        sends_referrals: sent > 0,
                        receives_referrals: received > 0,
                    },
                })
            })
            .collect()
    }

    /// Activity per organisation id in the municipality's chain over a period of local days: referrals sent and
    /// received (by sending time), consultation hours held now at its help points, questions asked in those
    /// hours and questions at the help points it runs (both from the rollups, which equal the raw rows).
    pub async fn stakeholder_activity(
        &self,
        actor: &Actor,
        municipality: &str,
        range: DayRange,
    ) -> Result<BTreeMap<String, Activity>> {
        steers(actor, municipality)?;
        let (from_s, until_s) = (
            day_start_seconds(range.from),
            day_start_seconds(range.until),
        );
        let code = || municipality.to_owned();
        let mut out: BTreeMap<String, Activity> = BTreeMap::new();

        let mut sent = Sql::new(
            "SELECT sender_organisation_id, COUNT(*) FROM referrals WHERE municipality_code = ",
        );
        sent.bind(code()).push(" AND sent_at >= ").bind(from_s);
        sent.push(" AND sent_at < ")
            .bind(until_s)
            .push(" GROUP BY sender_organisation_id");
        for (org, n) in counts(sent, &self.pool).await? {
            out.entry(org).or_default().referrals_sent = n;
        }

        let mut received =
            Sql::new("SELECT organisation_id, COUNT(*) FROM referrals WHERE municipality_code = ");
        received.bind(code()).push(" AND sent_at >= ").bind(from_s);
        received
            .push(" AND sent_at < ")
            .bind(until_s)
            .push(" GROUP BY organisation_id");
        for (org, n) in counts(received, &self.pool).await? {
            out.entry(org).or_default().referrals_received = n;
        }

        let mut hours = Sql::new(
            "SELECT c.organisation_id, COUNT(*) FROM consultation_hours c \
             JOIN help_points h ON h.id = c.help_point_id WHERE h.municipality_code = ",
        );
        hours.bind(code()).push(" GROUP BY c.organisation_id");
        for (org, n) in counts(hours, &self.pool).await? {
            out.entry(org).or_default().consultation_hours = n;
        }

        let mut in_hours = Sql::new(
            "SELECT c.organisation_id, CAST(SUM(r.questions) AS BIGINT) FROM question_consultation_rollups r \
             JOIN consultation_hours c ON c.id = r.consultation_hour_id \
             JOIN help_points h ON h.id = r.help_point_id WHERE h.municipality_code = ",
        );
        in_hours
            .bind(code())
            .push(" AND r.day >= ")
            .bind(range.from);
        in_hours
            .push(" AND r.day < ")
            .bind(range.until)
            .push(" GROUP BY c.organisation_id");
        for (org, n) in counts(in_hours, &self.pool).await? {
            out.entry(org).or_default().questions_in_hours = n;
        }

        let mut at_points = Sql::new(
            "SELECT h.organisation_id, CAST(SUM(r.questions) AS BIGINT) FROM question_dimension_rollups r \
             JOIN help_points h ON h.id = r.help_point_id WHERE r.dimension = 'all' AND h.municipality_code = ",
        );
        at_points
            .bind(code())
            .push(" AND r.day >= ")
            .bind(range.from);
        at_points
            .push(" AND r.day < ")
            .bind(range.until)
            .push(" GROUP BY h.organisation_id");
        for (org, n) in counts(at_points, &self.pool).await? {
            out.entry(org).or_default().questions_at_help_points = n;
        }
        Ok(out)
    }

    /// The agreements keten holds per organisation id in the municipality: routing rules to it and its
    /// consultation hours.
    pub async fn stakeholder_agreements(
        &self,
        actor: &Actor,
        municipality: &str,
    ) -> Result<BTreeMap<String, KetenAgreements>> {
        steers(actor, municipality)?;
        let mut out: BTreeMap<String, KetenAgreements> = BTreeMap::new();
        let rules: Vec<(String, String)> = sqlx::query_as(
            "SELECT r.organisation_id, t.label FROM routing_rules r JOIN topics t ON t.code = r.topic_code \
             WHERE r.municipality_code = $1 ORDER BY t.label, r.priority",
        )
        .bind(municipality)
        .fetch_all(&self.pool)
        .await?;
        for (org, label) in rules {
            let list = &mut out.entry(org).or_default().routing_rules;
            if !list.contains(&label) {
                list.push(label);
            }
        }
        let hours: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT c.organisation_id, c.title, h.name FROM consultation_hours c \
             JOIN help_points h ON h.id = c.help_point_id WHERE h.municipality_code = $1 \
             ORDER BY h.name, c.title",
        )
        .bind(municipality)
        .fetch_all(&self.pool)
        .await?;
        for (org, title, point) in hours {
            out.entry(org)
                .or_default()
                .consultation_hours
                .push(format!("{title}, {point}"));
        }
        Ok(out)
    }

    /// The demo map of a municipality (keten_core::stakeholder::demo_stakeholders) with its history, written
    /// directly (no actor: the demo loader acts for the installation).
    pub async fn load_demo_stakeholders(&self, municipality: &str, now: i64) -> Result<usize> {
        let today = local_date(now);
        let day = |back: i64| -> Result<String> {
            today
                .checked_sub(jiff::Span::new().days(back))
                .map(|d| d.to_string())
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        };
        let actor = Actor {
            steering_municipalities: vec![municipality.to_owned()],
            ..Actor::default()
        };
        let mut written = 0;
        for d in keten_core::stakeholder::demo_stakeholders() {
            let organisation_id = if d.in_keten {
                let found: Option<(String,)> =
                    sqlx::query_as("SELECT id FROM organisations WHERE name = $1")
                        .bind(d.name)
                        .fetch_optional(&self.pool)
                        .await?;
                match found {
                    Some((id,)) => Some(id),
                    None => continue,
                }
            } else {
                None
            };
            let draft = StakeholderDraft {
                name: d.name.to_owned(),
                sector: d.sector,
                roles: d.roles.to_vec(),
                power: d.power,
                interest: d.interest,
                covenant: d.covenant,
                agreements: d.agreements.to_owned(),
                contact_name: None,
                contact_email: None,
                joined_on: day(d.joined_days_ago)?
                    .parse()
                    .map_err(|_| StoreError::Corrupt("demo date".into()))?,
            };
            let created = self
                .create_stakeholder(
                    &actor,
                    municipality,
                    organisation_id.as_deref(),
                    &draft,
                    now,
                )
                .await?;
            if let Some((back, power, interest)) = d.change {
                let mut tx = self.pool.begin().await?;
                sqlx::query("UPDATE stakeholders SET power = $1, interest = $2 WHERE id = $3")
                    .bind(to_i64(power))
                    .bind(to_i64(interest))
                    .bind(created.id.clone())
                    .execute(&mut *tx)
                    .await?;
                insert_event(
                    &mut tx,
                    &created.id,
                    municipality,
                    d.name,
                    EventKind::Changed,
                    (power, interest),
                    &day(back)?,
                    &actor,
                    now,
                )
                .await?;
                tx.commit().await?;
            }
            written += 1;
        }
        Ok(written)
    }
}

#[expect(clippy::too_many_arguments)]
async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    stakeholder_id: &str,
    municipality: &str,
    name: &str,
    kind: EventKind,
    (power, interest): (u8, u8),
    happened_on: &str,
    actor: &Actor,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO stakeholder_events (id, stakeholder_id, municipality_code, name, kind, power, interest, \
         happened_on, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(stakeholder_id)
    .bind(municipality)
    .bind(name)
    .bind(kind.as_str())
    .bind(to_i64(power))
    .bind(to_i64(interest))
    .bind(happened_on)
    .bind(now)
    .bind(actor.user_id.clone())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
