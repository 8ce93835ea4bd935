//! Data offers (social internet): what a help point or partner offers for a connection, and its rules.
//!
//! An offer is help offered, not a contract: a SIM card or voucher with a data bundle, a provider's social tariff,
//! or wifi at home through a scheme; with GB per month (none: unlimited), how many months (none: no end), the price
//! (euro cents, 0 = free), who qualifies and how to get it, and the days it is on offer. [`DataOfferDraft::check`]
//! holds every rule; [`summary_nl`] words an offer for residents in plain Dutch.

use crate::ValidationError;
use crate::codes::code_list;
use crate::programme::EuroCents;
use jiff::civil::Date;

code_list! {
    /// What is offered.
    pub enum DataOfferKind ("kind") {
        Sim = "sim", "Simkaart met data";
        Voucher = "voucher", "Tegoedbon of databundel";
        SocialTariff = "social_tariff", "Sociaal tarief van een provider";
        HomeWifi = "home_wifi", "Wifi thuis via een regeling";
    }
}

/// Longest text of the provider's name.
pub const MAX_PROVIDER: usize = 200;
/// Longest text of the conditions and of "how to get it".
pub const MAX_TEXT: usize = 2000;

/// An offer as typed, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataOfferDraft {
    pub kind: DataOfferKind,
    pub provider: String,
    /// `None`: unlimited.
    pub gb_per_month: Option<u32>,
    /// `None`: no end while the resident qualifies.
    pub months: Option<u32>,
    pub price_cents: i64,
    pub conditions: String,
    pub how_to_get: String,
    pub active_from: Date,
    pub active_until: Option<Date>,
}

impl DataOfferDraft {
    /// Every broken rule, each at its field, with a Dutch message.
    pub fn check(&self) -> Result<(), Vec<ValidationError>> {
        let mut errors = Vec::new();
        let provider = self.provider.trim();
        if provider.is_empty() || provider.chars().count() > MAX_PROVIDER {
            errors.push(ValidationError::new(
                "provider",
                "Vul de aanbieder in (hoogstens 200 tekens), bijvoorbeeld 'KPN' of 'Stichting Sociaal Internet'.",
            ));
        }
        if matches!(self.gb_per_month, Some(gb) if !(1..=10_000).contains(&gb)) {
            errors.push(ValidationError::new(
                "gb_per_month",
                "Vul het aantal GB per maand in (1 tot 10.000), of laat het leeg bij onbeperkt.",
            ));
        }
        if matches!(self.months, Some(m) if !(1..=120).contains(&m)) {
            errors.push(ValidationError::new(
                "months",
                "Vul de duur in hele maanden in (1 tot 120), of laat het leeg als het niet stopt.",
            ));
        }
        if self.price_cents < 0 || self.price_cents > 100_000 {
            errors.push(ValidationError::new(
                "price",
                "Vul de prijs per maand in euro in (0 is gratis, hoogstens 1.000 euro).",
            ));
        }
        let conditions = self.conditions.trim();
        if conditions.is_empty() || conditions.chars().count() > MAX_TEXT {
            errors.push(ValidationError::new(
                "conditions",
                "Schrijf op wie het kan krijgen (hoogstens 2000 tekens), bijvoorbeeld 'Inwoners met een laag inkomen'.",
            ));
        }
        let how = self.how_to_get.trim();
        if how.is_empty() || how.chars().count() > MAX_TEXT {
            errors.push(ValidationError::new(
                "how_to_get",
                "Schrijf op hoe iemand het krijgt (hoogstens 2000 tekens), bijvoorbeeld 'Vraag ernaar aan de balie'.",
            ));
        }
        if let Some(until) = self.active_until
            && until < self.active_from
        {
            errors.push(ValidationError::new(
                "active_until",
                "De einddatum ligt voor de begindatum. Kies een latere einddatum.",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Whether an offer is on offer on `today`: started, not past its last day, not ended by hand.
#[must_use]
pub fn is_active(active_from: Date, active_until: Option<Date>, ended: bool, today: Date) -> bool {
    !ended && active_from <= today && active_until.is_none_or(|until| today <= until)
}

/// "10 GB per maand, 6 maanden, gratis" in plain Dutch.
#[must_use]
pub fn summary_nl(gb_per_month: Option<u32>, months: Option<u32>, price_cents: i64) -> String {
    let data = match gb_per_month {
        Some(gb) => format!("{gb} GB per maand"),
        None => "onbeperkt internet".to_owned(),
    };
    let time = match months {
        Some(1) => "1 maand".to_owned(),
        Some(m) => format!("{m} maanden"),
        None => "zolang u er recht op heeft".to_owned(),
    };
    let price = if price_cents == 0 {
        "gratis".to_owned()
    } else {
        format!("{} per maand", EuroCents(price_cents).display())
    };
    format!("{data}, {time}, {price}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn library_sim() -> DataOfferDraft {
        DataOfferDraft {
            kind: DataOfferKind::Sim,
            provider: "Stichting Sociaal Internet".into(),
            gb_per_month: Some(10),
            months: Some(6),
            price_cents: 0,
            conditions: "Inwoners zonder internet thuis".into(),
            how_to_get: "Vraag ernaar bij de balie van de bibliotheek".into(),
            active_from: date(2026, 1, 1),
            active_until: Some(date(2026, 12, 31)),
        }
    }

    #[test]
    fn a_complete_offer_passes() {
        assert_eq!(library_sim().check(), Ok(()));
        let unlimited = DataOfferDraft {
            gb_per_month: None,
            months: None,
            active_until: None,
            ..library_sim()
        };
        assert_eq!(unlimited.check(), Ok(()));
    }

    #[test]
    fn every_broken_rule_is_named_at_its_field() {
        let bad = DataOfferDraft {
            provider: "  ".into(),
            gb_per_month: Some(0),
            months: Some(121),
            price_cents: -1,
            conditions: String::new(),
            how_to_get: "x".repeat(MAX_TEXT + 1),
            active_until: Some(date(2025, 12, 31)),
            ..library_sim()
        };
        let fields: Vec<&str> = bad.check().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "provider",
                "gb_per_month",
                "months",
                "price",
                "conditions",
                "how_to_get",
                "active_until"
            ]
        );
    }

    #[test]
    fn active_between_first_and_last_day_inclusive() {
        let from = date(2026, 3, 1);
        let until = Some(date(2026, 3, 31));
        assert!(!is_active(from, until, false, date(2026, 2, 28)));
        assert!(is_active(from, until, false, date(2026, 3, 1)));
        assert!(is_active(from, until, false, date(2026, 3, 31)));
        assert!(!is_active(from, until, false, date(2026, 4, 1)));
        assert!(is_active(from, None, false, date(2030, 1, 1)));
        assert!(!is_active(from, None, true, date(2026, 3, 2)));
    }

    #[test]
    fn summaries_read_plainly() {
        assert_eq!(
            summary_nl(Some(10), Some(6), 0),
            "10 GB per maand, 6 maanden, gratis"
        );
        assert_eq!(
            summary_nl(None, None, 1250),
            "onbeperkt internet, zolang u er recht op heeft, € 12,50 per maand"
        );
        assert_eq!(
            summary_nl(Some(1), Some(1), 500),
            "1 GB per maand, 1 maand, € 5 per maand"
        );
    }
}
