//! Keeping referrals going: consent for a new receiver, per-municipality settings with their bounds, lead times.

use super::{CONSENT_TEXT_VERSION, ConsentDraft, ConsentMethod, ConsentPurpose};
use crate::ValidationError;

/// The consent part of a form or API body, as typed. A re-route asks for it again: consent is per receiver.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
pub struct ConsentInput {
    /// The resident gave consent (the consent text was shown or read out).
    #[serde(default)]
    pub consent_given: bool,
    /// `spoken`, `written` or `digital`.
    #[serde(default)]
    pub consent_method: Option<String>,
    /// The version of the consent text that was shown; must be the current one.
    #[serde(default)]
    pub consent_text_version: Option<String>,
    #[serde(default)]
    pub sender_sees_progress: bool,
}

impl ConsentInput {
    /// Checks the consent; every problem is pushed to `errors`. `None` when it is not usable.
    pub fn check(&self, errors: &mut Vec<ValidationError>) -> Option<ConsentDraft> {
        let method = if self.consent_given {
            match self
                .consent_method
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
            {
                None => {
                    errors.push(ValidationError::new(
                        "consent_method",
                        "Kies hoe de inwoner toestemming gaf: mondeling, schriftelijk of digitaal.",
                    ));
                    None
                }
                Some(m) => m.parse::<ConsentMethod>().map_err(|e| errors.push(e)).ok(),
            }
        } else {
            errors.push(ValidationError::new(
                "consent",
                "Zonder toestemming van de inwoner kunt u niet doorverwijzen. Geef de inwoner dan het adres van de hulpzoeker.",
            ));
            None
        };
        // The version proves which text the resident heard; a system that leaves it out proves nothing.
        match self
            .consent_text_version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            Some(CONSENT_TEXT_VERSION) => {}
            Some(_) => {
                errors.push(ValidationError::new(
                    "consent_text_version",
                    format!(
                        "De toestemmingstekst is veranderd (nu versie {CONSENT_TEXT_VERSION}). Lees de nieuwe tekst voor en probeer opnieuw."
                    ),
                ));
                return None;
            }
            None => {
                errors.push(ValidationError::new(
                    "consent_text_version",
                    format!(
                        "Geef mee welke versie van de toestemmingstekst de inwoner kreeg (nu versie {CONSENT_TEXT_VERSION})."
                    ),
                ));
                return None;
            }
        }
        method.map(|method| ConsentDraft {
            method,
            purpose: ConsentPurpose::Referral,
            text_version: CONSENT_TEXT_VERSION,
            sender_sees_progress: self.sender_sees_progress,
        })
    }

    /// The consent alone, all problems at once.
    pub fn parse(&self) -> Result<ConsentDraft, Vec<ValidationError>> {
        let mut errors = Vec::new();
        match self.check(&mut errors) {
            Some(c) if errors.is_empty() => Ok(c),
            _ => Err(errors),
        }
    }
}

/// Bounds of the per-municipality settings: wide enough for every chain, narrow enough to stay meaningful.
pub const OVERDUE_WORKING_DAYS: std::ops::RangeInclusive<u32> = 1..=10;
pub const NOT_REACHED_AFTER: std::ops::RangeInclusive<u32> = 1..=10;
/// At least a week (time to re-route a declined referral), at most 90 days: the consent texts promise residents
/// erasure within 90 days of closing, whichever municipality their referral lands in.
pub const RETENTION_DAYS: std::ops::RangeInclusive<i64> = 7..=90;

/// A municipality's referral settings, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingsDraft {
    pub overdue_working_days: u32,
    pub not_reached_after: u32,
    pub retention_days: i64,
}

fn whole_number<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
    field: &'static str,
    input: &str,
    range: &std::ops::RangeInclusive<T>,
    what: &str,
    errors: &mut Vec<ValidationError>,
) -> Option<T> {
    let message = || {
        ValidationError::new(
            field,
            format!(
                "Vul voor {what} een heel getal in van {} tot en met {}.",
                range.start(),
                range.end()
            ),
        )
    };
    match input.trim().parse::<T>() {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            errors.push(message());
            None
        }
    }
}

impl SettingsDraft {
    /// Checks the three numbers as typed in a form; every problem at once.
    pub fn parse(
        overdue_working_days: &str,
        not_reached_after: &str,
        retention_days: &str,
    ) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let days = whole_number(
            "overdue_working_days",
            overdue_working_days,
            &OVERDUE_WORKING_DAYS,
            "het aantal werkdagen om aan te nemen",
            &mut errors,
        );
        let attempts = whole_number(
            "not_reached_after",
            not_reached_after,
            &NOT_REACHED_AFTER,
            "het aantal pogingen",
            &mut errors,
        );
        let retention = whole_number(
            "retention_days",
            retention_days,
            &RETENTION_DAYS,
            "het aantal dagen bewaren",
            &mut errors,
        );
        match (days, attempts, retention) {
            (Some(overdue_working_days), Some(not_reached_after), Some(retention_days)) => {
                Ok(Self {
                    overdue_working_days,
                    not_reached_after,
                    retention_days,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Count, mean and median of durations in seconds (for lead times on the steering overview).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LeadTime {
    pub count: usize,
    pub mean_seconds: Option<i64>,
    pub median_seconds: Option<i64>,
    /// 90th percentile (nearest rank: the smallest duration at least 90% of the referrals stay within).
    pub p90_seconds: Option<i64>,
}

impl LeadTime {
    /// Negative durations (clock skew between servers) count as zero.
    #[must_use]
    pub fn of(mut seconds: Vec<i64>) -> Self {
        if seconds.is_empty() {
            return Self::default();
        }
        for s in &mut seconds {
            *s = (*s).max(0);
        }
        seconds.sort_unstable();
        let n = seconds.len();
        let total: i128 = seconds.iter().map(|s| i128::from(*s)).sum();
        let mean = i64::try_from(total / n as i128).unwrap_or(i64::MAX);
        let median = if n % 2 == 1 {
            seconds[n / 2]
        } else {
            // Midpoint without overflow.
            let (a, b) = (seconds[n / 2 - 1], seconds[n / 2]);
            a + (b - a) / 2
        };
        // Nearest rank: the ceil(0.9 n)-th smallest, counted from 1.
        let rank = (n * 9).div_ceil(10).max(1);
        Self {
            count: n,
            mean_seconds: Some(mean),
            median_seconds: Some(median),
            p90_seconds: seconds.get(rank - 1).copied(),
        }
    }
}

/// Hours with one decimal, the way steering reads lead times ("in 26,5 uur").
#[must_use]
pub fn hours_text(seconds: i64) -> String {
    let tenths = (seconds + 180) / 360;
    format!("{},{}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_needs_yes_and_a_method() {
        let none = ConsentInput::default().parse().unwrap_err();
        assert_eq!(none[0].field, "consent");
        let no_method = ConsentInput {
            consent_given: true,
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!(no_method[0].field, "consent_method");
        let old = ConsentInput {
            consent_given: true,
            consent_method: Some("spoken".into()),
            consent_text_version: Some("2019-1".into()),
            sender_sees_progress: false,
        }
        .parse()
        .unwrap_err();
        assert_eq!(old[0].field, "consent_text_version");
        let unsaid = ConsentInput {
            consent_given: true,
            consent_method: Some("spoken".into()),
            consent_text_version: None,
            sender_sees_progress: false,
        }
        .parse()
        .unwrap_err();
        assert_eq!(unsaid[0].field, "consent_text_version");
        let ok = ConsentInput {
            consent_given: true,
            consent_method: Some("written".into()),
            consent_text_version: Some(CONSENT_TEXT_VERSION.into()),
            sender_sees_progress: true,
        }
        .parse()
        .unwrap();
        assert_eq!(ok.method, ConsentMethod::Written);
        assert!(ok.sender_sees_progress);
    }

    #[test]
    fn settings_stay_within_bounds_and_report_every_field() {
        assert_eq!(
            SettingsDraft::parse("2", "3", "90"),
            Ok(SettingsDraft {
                overdue_working_days: 2,
                not_reached_after: 3,
                retention_days: 90
            })
        );
        assert!(SettingsDraft::parse("1", "1", "7").is_ok());
        assert!(SettingsDraft::parse("10", "10", "90").is_ok());
        assert!(
            SettingsDraft::parse("10", "10", "91").is_err(),
            "the consent text promises 90 days"
        );
        let errors = SettingsDraft::parse("0", "11", "6").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "overdue_working_days",
                "not_reached_after",
                "retention_days"
            ]
        );
        assert!(errors[2].message.contains("7 tot en met 90"));
        let errors = SettingsDraft::parse("twee", "-1", "90.5").unwrap_err();
        assert_eq!(errors.len(), 3);
    }

    #[test]
    fn lead_time_mean_and_median() {
        assert_eq!(LeadTime::of(Vec::new()), LeadTime::default());
        let odd = LeadTime::of(vec![30, 10, 20]);
        assert_eq!(odd.median_seconds, Some(20));
        assert_eq!(odd.mean_seconds, Some(20));
        let even = LeadTime::of(vec![10, 40, 20, 100]);
        assert_eq!(even.median_seconds, Some(30));
        assert_eq!(even.mean_seconds, Some(42));
        assert_eq!(even.count, 4);
        assert_eq!(LeadTime::of(vec![-5]).median_seconds, Some(0));
        // 90th percentile by nearest rank: of 10 durations the 9th, of 11 the 10th, of 1 the only one.
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(LeadTime::of(ten).p90_seconds, Some(9));
        let eleven: Vec<i64> = (1..=11).rev().collect();
        assert_eq!(LeadTime::of(eleven).p90_seconds, Some(10));
        assert_eq!(LeadTime::of(vec![7]).p90_seconds, Some(7));
        assert_eq!(LeadTime::of(Vec::new()).p90_seconds, None);
    }

    #[test]
    fn hours_with_one_decimal() {
        assert_eq!(hours_text(7200), "2,0");
        assert_eq!(hours_text(95_400), "26,5");
        assert_eq!(hours_text(0), "0,0");
    }
}
