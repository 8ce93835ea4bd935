//! keten's storage: one `Store` over SQLite or PostgreSQL, with tenant-scoped queries.

pub mod accounts;
pub mod action_plans;
pub mod backup;
mod bulk_load;
pub mod caches;
pub mod categories;
pub mod check_reminders;
pub mod data_offers;
pub mod db;
pub mod demo;
pub mod device_figures;
pub mod device_loans;
pub mod devices;
pub mod error;
pub mod events;
pub mod finder_directory;
mod group_commit;
pub mod help_point_details;
pub mod help_points;
pub mod help_questions;
pub mod hsds_import;
pub mod import;
pub mod notifications;
pub mod organisations;
pub mod programme_money;
pub mod programmes;
pub mod referral_upkeep;
pub mod referrals;
pub mod registration_links;
pub mod rollups;
pub mod routing_rules;
pub mod scba;
pub mod scope;
mod sql;
pub mod stakeholders;
pub mod stats;
pub mod stats_raw;
pub mod surveys;
pub mod topics;
pub mod trajectories;
pub mod webhooks;

pub use db::{Backend, Store};
pub use error::StoreError;
pub use scope::Actor;

/// A fresh random id for a new row (UUID v4 as text, the portable id type).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Reads a stored code back into its domain enum; a code the binary does not
/// know means the database was written by something else.
pub(crate) fn parse_code<T: std::str::FromStr>(code: &str) -> Result<T, StoreError> {
    code.parse()
        .map_err(|_| StoreError::Corrupt(format!("unknown code '{code}'")))
}
