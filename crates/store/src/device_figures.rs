//! The device bank's figures: devices donated, wiped, handed out, returned and recycled per municipality and donor, residents helped and waits.
//!
//! Counted from the devices' timelines (each wipe record, hand-out and return counts, so a device lent twice
//! counts twice) and from the requests handed out. No resident's data: only counts and durations.

use crate::error::Result;
use crate::sql::Sql;
use crate::{Actor, Store};
use std::collections::BTreeMap;

/// Whose devices the figures cover.
#[derive(Debug, Clone)]
pub enum FigureScope {
    /// Every municipality (programme managers and admins).
    All,
    /// One municipality's device bank (its steering).
    Municipality(String),
    /// The device banks where the actor works.
    Banks(Vec<String>),
}

impl FigureScope {
    /// The banks where the actor works (admins: all).
    #[must_use]
    pub fn of_bank_staff(actor: &Actor) -> Self {
        if actor.is_admin() {
            return Self::All;
        }
        Self::Banks(
            actor
                .memberships
                .iter()
                .filter(|m| crate::devices::BANK_ROLES.contains(&m.role))
                .map(|m| m.organisation_id.clone())
                .collect(),
        )
    }

    /// Narrows a query: `municipality` is " AND <column> = ", `bank` is " AND <column> IN ".
    fn push(&self, sql: &mut Sql, municipality: &'static str, bank: &'static str) {
        match self {
            Self::All => {}
            Self::Municipality(code) => {
                sql.push(municipality).bind(code.clone());
            }
            Self::Banks(ids) => {
                sql.push(bank).bind_list(ids.iter().cloned());
            }
        }
    }
}

/// The counts of one donor in one municipality.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DonorFigures {
    pub municipality_code: String,
    pub donor: String,
    pub donated: i64,
    pub wiped: i64,
    pub handed_out: i64,
    pub returned: i64,
    pub recycled: i64,
}

/// Requests handed out in one municipality: residents helped and their waits in seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpedFigures {
    pub municipality_code: String,
    pub residents_helped: i64,
    pub waits_seconds: Vec<i64>,
}

/// The figures of a scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceFigures {
    pub donors: Vec<DonorFigures>,
    pub helped: Vec<HelpedFigures>,
}

impl Store {
    /// The device figures of a scope, by municipality and donor name; with `during` (unix seconds, from inclusive,
    /// until exclusive) only the steps taken and the hand-outs made in that time.
    pub async fn device_figures(
        &self,
        scope: &FigureScope,
        during: Option<(i64, i64)>,
    ) -> Result<DeviceFigures> {
        let mut sql = Sql::new(
            "SELECT b.municipality_code, o.name, e.action, CAST(COUNT(*) AS BIGINT) FROM device_events e \
             JOIN devices d ON d.id = e.device_id JOIN device_batches b ON b.id = d.batch_id \
             JOIN organisations o ON o.id = b.donor_organisation_id \
             WHERE e.action IN ('donate', 'wipe', 'hand_out', 'return', 'recycle')",
        );
        scope.push(
            &mut sql,
            " AND b.municipality_code = ",
            " AND d.bank_organisation_id IN ",
        );
        if let Some((from, until)) = during {
            sql.push(" AND e.at >= ").bind(from);
            sql.push(" AND e.at < ").bind(until);
        }
        sql.push(" GROUP BY b.municipality_code, o.name, e.action");
        let rows: Vec<(String, String, String, i64)> =
            sql.query_as()?.fetch_all(&self.pool).await?;
        let mut donors: BTreeMap<(String, String), DonorFigures> = BTreeMap::new();
        for (municipality, donor, action, n) in rows {
            let f = donors
                .entry((municipality.clone(), donor.clone()))
                .or_insert_with(|| DonorFigures {
                    municipality_code: municipality,
                    donor,
                    ..DonorFigures::default()
                });
            match action.as_str() {
                "donate" => f.donated += n,
                "wipe" => f.wiped += n,
                "hand_out" => f.handed_out += n,
                "return" => f.returned += n,
                _ => f.recycled += n,
            }
        }
        let mut sql = Sql::new(
            "SELECT r.municipality_code, r.created_at, r.handed_out_at FROM device_requests r \
             WHERE r.handed_out_at IS NOT NULL",
        );
        scope.push(
            &mut sql,
            " AND r.municipality_code = ",
            " AND r.bank_organisation_id IN ",
        );
        if let Some((from, until)) = during {
            sql.push(" AND r.handed_out_at >= ").bind(from);
            sql.push(" AND r.handed_out_at < ").bind(until);
        }
        let rows: Vec<(String, i64, i64)> = sql.query_as()?.fetch_all(&self.pool).await?;
        let mut helped: BTreeMap<String, HelpedFigures> = BTreeMap::new();
        for (municipality, created, handed_out) in rows {
            let h = helped
                .entry(municipality.clone())
                .or_insert_with(|| HelpedFigures {
                    municipality_code: municipality,
                    ..HelpedFigures::default()
                });
            h.residents_helped += 1;
            h.waits_seconds.push(handed_out - created);
        }
        Ok(DeviceFigures {
            donors: donors.into_values().collect(),
            helped: helped.into_values().collect(),
        })
    }
}
