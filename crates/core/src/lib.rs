//! keten's domain: types and rules of the local digital-inclusion chain, free of I/O.

pub mod account;
pub mod action_plan;
pub mod clock;
mod codes;
pub mod data_offer;
pub mod demo;
pub mod device;
pub mod directory;
pub mod directory_details;
pub mod error;
pub mod event;
pub mod finder;
pub mod geo;
pub mod help_point_import;
pub mod help_question;
pub mod help_question_import;
pub mod opening_hours;
pub mod organisation;
pub mod programme;
pub mod reference;
pub mod referral;
pub mod scba;
pub mod second_factor;
pub mod selection;
pub mod spreadsheet;
pub mod stakeholder;
pub mod steering;
pub mod survey;
pub mod trajectory;
pub mod webhook;

pub use error::ValidationError;
