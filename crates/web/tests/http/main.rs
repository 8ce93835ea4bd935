//! keten-web's HTTP tests in one binary: each module drives the real app over HTTP on SQLite and PostgreSQL.
//!
//! One binary instead of one per file: every test binary links the whole web stack, and eleven of them filled
//! CI's disk and tripled link time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

mod access;
mod action_plans;
mod authorization;
mod caches;
mod data_offers;
mod desk;
mod devices;
mod directory;
mod directory_details;
mod directory_import;
mod events;
mod finder;
mod finder_usability;
mod foundation;
mod hsds;
mod i18n;
mod programme_money;
mod programme_reports;
mod programmes;
mod programmes_api;
mod referral_delivery;
mod referral_privacy;
mod referral_upkeep;
mod referrals;
mod registration_load;
mod second_factor;
mod security;
mod staff_usability;
mod stakeholders;
mod steering;
mod steering_more;
mod steering_scope;
mod surveys;
mod trajectories;
mod updating;
mod value;
mod value_parameters;
