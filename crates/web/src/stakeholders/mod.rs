//! The stakeholder map of a municipality's chain for its steering users: pages under `/regie/belanghebbenden`, the power/interest grid and sector wheel, the timeline, CSV/XLSX and `/api/v1/stakeholders`.

pub(crate) mod api;
mod export;
mod pages;
mod pictures;

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use keten_core::account::Role;
use keten_core::stakeholder::{ChainRole, Quadrant, StakeholderInput, quadrant};
use keten_core::steering::{Period, local_date};
use keten_store::Actor;
use keten_store::stakeholders::{Activity, KetenAgreements, Stakeholder, StakeholderEvent};
use serde::Deserialize;
use utoipa::IntoParams;

/// The map's address (Dutch, like `/regie/enquete`).
pub(crate) const BASE: &str = "/regie/belanghebbenden";

pub fn router() -> Router<AppState> {
    pages::router().merge(export::router())
}

/// Only steering users keep a stakeholder map; the municipality is the store's tenant check (404 elsewhere).
pub(crate) fn require_steering(actor: &Actor) -> Result<(), AppError> {
    if actor.has_role(Role::Steering) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The municipality asked for, else the first the actor steers.
pub(crate) fn municipality_of(actor: &Actor, asked: Option<&str>) -> String {
    asked
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .or_else(|| actor.steering_municipalities.first().cloned())
        .unwrap_or_default()
}

/// Municipality and period of the map, its downloads and the API list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MapQuery {
    /// CBS or NIS code (`GM0599`); default the caller's first steered municipality.
    pub municipality: Option<String>,
    /// Period of the activity figures: `this_year` (default), `this_month`, `last_month`, `this_quarter` or
    /// `custom`.
    pub period: Option<String>,
    /// First day of a custom period, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day of a custom period (inclusive), `YYYY-MM-DD`.
    pub to: Option<String>,
}

fn filled(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl MapQuery {
    fn period(&self, now: i64) -> Result<Period, AppError> {
        // A map changes slowly: without a period asked for, the activity covers this year.
        let kind = filled(&self.period).unwrap_or("this_year");
        Ok(Period::parse(
            Some(kind),
            filled(&self.from),
            filled(&self.to),
            local_date(now),
        )?)
    }

    /// The query string of the period, for links to downloads.
    pub fn to_query_string(&self, municipality: &str) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("municipality", Some(municipality)),
            ("period", filled(&self.period)),
            ("from", filled(&self.from)),
            ("to", filled(&self.to)),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// One stakeholder with what keten knows of it.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Its number in the grid and the tables (1-based, in name order).
    pub number: usize,
    pub stakeholder: Stakeholder,
    pub quadrant: Quadrant,
    pub activity: Activity,
    pub keten: KetenAgreements,
}

impl Entry {
    pub fn roles_text(&self) -> String {
        roles_words(&self.stakeholder.roles)
    }

    pub fn in_keten(&self) -> bool {
        self.stakeholder.organisation_id.is_some()
    }
}

pub(crate) fn roles_words(roles: &[ChainRole]) -> String {
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The whole map of a municipality over a period: role and tenant checked.
pub(crate) struct Map {
    pub municipality: String,
    pub municipality_name: String,
    pub period: Period,
    pub entries: Vec<Entry>,
    pub events: Vec<StakeholderEvent>,
}

pub(crate) async fn load_map(
    state: &AppState,
    actor: &Actor,
    q: &MapQuery,
) -> Result<Map, AppError> {
    require_steering(actor)?;
    let municipality = municipality_of(actor, q.municipality.as_deref());
    let stakeholders = state.store.stakeholders(actor, &municipality).await?;
    let period = q.period(state.now())?;
    let activity = state
        .store
        .stakeholder_activity(actor, &municipality, period.range)
        .await?;
    let agreements = state
        .store
        .stakeholder_agreements(actor, &municipality)
        .await?;
    let events = state.store.stakeholder_events(actor, &municipality).await?;
    let entries = stakeholders
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let org = s.organisation_id.clone().unwrap_or_default();
            Entry {
                number: i + 1,
                quadrant: quadrant(s.power, s.interest),
                activity: activity.get(&org).copied().unwrap_or_default(),
                keten: agreements.get(&org).cloned().unwrap_or_default(),
                stakeholder: s,
            }
        })
        .collect();
    Ok(Map {
        municipality_name: municipality_name(&municipality),
        municipality,
        period,
        entries,
        events,
    })
}

pub(crate) fn municipality_name(code: &str) -> String {
    keten_core::reference::municipality(code).map_or_else(|| code.to_owned(), |m| m.name.clone())
}

/// A stored stakeholder as the form's input, to show it again.
pub(crate) fn input_of(s: &Stakeholder) -> StakeholderInput {
    StakeholderInput {
        name: s.name.clone(),
        sector: s.sector.as_str().to_owned(),
        roles: s.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        power: s.power.to_string(),
        interest: s.interest.to_string(),
        covenant: s.covenant,
        agreements: s.agreements.clone(),
        contact_name: s.contact_name.clone().unwrap_or_default(),
        contact_email: s.contact_email.clone().unwrap_or_default(),
        joined_on: s.joined_on.clone(),
    }
}

/// A `YYYY-MM-DD` day as a Dutch date with its year (1-9-2025); other text unchanged.
pub(crate) fn day_nl(day: &str) -> String {
    day.parse::<jiff::civil::Date>()
        .map_or_else(|_| day.to_owned(), |d| d.strftime("%-d-%-m-%Y").to_string())
}
