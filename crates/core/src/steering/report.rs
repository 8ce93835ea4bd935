//! The facts behind the council report's summary, computed from the figures (the Dutch sentences are the template's): which period in words, the change against a year earlier, the largest topic and the blind spots.

use super::{DayRange, change_percent, day_number};
use jiff::civil::Date;

/// Residents aged 65 or over with no question from their area make it a blind spot when there are at least this many.
pub const BLIND_SPOT_OLDER_RESIDENTS: u32 = 250;

/// How many blind spots the summary names.
pub const NAMED_BLIND_SPOTS: usize = 3;

/// Whether an area is a blind spot: no question in the period and many residents over 65.
#[must_use]
pub fn is_blind_spot(questions: i64, older_residents: u32) -> bool {
    questions == 0 && older_residents >= BLIND_SPOT_OLDER_RESIDENTS
}

/// The period as a reader names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodName {
    /// A calendar month (1..=12) or part of one from its first day.
    Month {
        month: i8,
        year: i16,
    },
    /// A quarter (1..=4) or part of one from its first day.
    Quarter {
        quarter: i8,
        year: i16,
    },
    Year {
        year: i16,
    },
    /// Any other range: its first and last day.
    Days {
        from: Date,
        to: Date,
    },
}

impl PeriodName {
    /// Names a range: a month, quarter or year when it starts on the first day of one and ends within it.
    #[must_use]
    pub fn of(range: DayRange) -> PeriodName {
        let (from, to) = range.dates();
        let same_year = from.year() == to.year();
        if same_year && from.day() == 1 {
            if from.month() == 1 && (to.month() > 3 || range.days() > 92) {
                return PeriodName::Year { year: from.year() };
            }
            if (from.month() - 1) % 3 == 0
                && to.month() > from.month()
                && to.month() < from.month() + 3
            {
                return PeriodName::Quarter {
                    quarter: (from.month() - 1) / 3 + 1,
                    year: from.year(),
                };
            }
            if to.month() == from.month() {
                return PeriodName::Month {
                    month: from.month(),
                    year: from.year(),
                };
            }
        }
        PeriodName::Days { from, to }
    }
}

/// What the summary says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub period: PeriodName,
    pub questions: i64,
    /// Whole percent against the same days a year earlier; `None` without questions then.
    pub change_percent: Option<i64>,
    /// The topic code with the most questions (ties: the first code); `None` without questions.
    pub largest_topic: Option<String>,
    /// Up to [`NAMED_BLIND_SPOTS`] blind spots, the most older residents first.
    pub blind_spots: Vec<String>,
}

/// The summary's facts from the figures: questions now and a year earlier, questions per topic code, and the
/// areas as (PC4, questions, residents of 65 or over).
#[must_use]
pub fn summarise(
    range: DayRange,
    questions: i64,
    questions_before: i64,
    topics: &[(String, i64)],
    areas: &[(String, i64, u32)],
) -> Summary {
    let largest_topic = topics
        .iter()
        .filter(|(_, n)| *n > 0)
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(code, _)| code.clone());
    let mut blind: Vec<&(String, i64, u32)> = areas
        .iter()
        .filter(|(_, q, older)| is_blind_spot(*q, *older))
        .collect();
    blind.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    Summary {
        period: PeriodName::of(range),
        questions,
        change_percent: change_percent(questions, questions_before),
        largest_topic,
        blind_spots: blind
            .into_iter()
            .take(NAMED_BLIND_SPOTS)
            .map(|a| a.0.clone())
            .collect(),
    }
}

/// A range of whole days from `from` to `to` inclusive (for tests and callers that hold dates).
#[must_use]
pub fn days(from: Date, to: Date) -> DayRange {
    DayRange {
        from: day_number(from),
        until: day_number(to) + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn periods_are_named_as_readers_name_them() {
        assert_eq!(
            PeriodName::of(days(d("2026-07-01"), d("2026-09-30"))),
            PeriodName::Quarter {
                quarter: 3,
                year: 2026
            }
        );
        assert_eq!(
            PeriodName::of(days(d("2026-10-01"), d("2026-11-15"))),
            PeriodName::Quarter {
                quarter: 4,
                year: 2026
            }
        );
        assert_eq!(
            PeriodName::of(days(d("2026-03-01"), d("2026-03-31"))),
            PeriodName::Month {
                month: 3,
                year: 2026
            }
        );
        assert_eq!(
            PeriodName::of(days(d("2026-01-01"), d("2026-12-31"))),
            PeriodName::Year { year: 2026 }
        );
        assert_eq!(
            PeriodName::of(days(d("2026-01-01"), d("2026-05-20"))),
            PeriodName::Year { year: 2026 }
        );
        assert_eq!(
            PeriodName::of(days(d("2026-01-01"), d("2026-03-31"))),
            PeriodName::Quarter {
                quarter: 1,
                year: 2026
            }
        );
        assert_eq!(
            PeriodName::of(days(d("2026-03-02"), d("2026-05-20"))),
            PeriodName::Days {
                from: d("2026-03-02"),
                to: d("2026-05-20")
            }
        );
        assert!(matches!(
            PeriodName::of(days(d("2025-12-01"), d("2026-01-31"))),
            PeriodName::Days { .. }
        ));
    }

    #[test]
    fn the_summary_names_the_largest_topic_the_change_and_the_blind_spots() {
        let topics = vec![
            ("digid".to_owned(), 40),
            ("toeslagen".to_owned(), 90),
            ("zorg".to_owned(), 90),
        ];
        let areas = vec![
            ("3011".to_owned(), 0, 800),
            ("3012".to_owned(), 0, 1200),
            ("3013".to_owned(), 3, 2000),
            ("3014".to_owned(), 0, 249),
            ("3015".to_owned(), 0, 300),
            ("3016".to_owned(), 0, 260),
        ];
        let s = summarise(
            days(d("2026-07-01"), d("2026-09-30")),
            1_240,
            1_051,
            &topics,
            &areas,
        );
        assert_eq!(s.change_percent, Some(18));
        assert_eq!(
            s.largest_topic.as_deref(),
            Some("toeslagen"),
            "a tie goes to the first code"
        );
        assert_eq!(s.blind_spots, vec!["3012", "3011", "3015"]);
        let empty = summarise(days(d("2026-07-01"), d("2026-07-31")), 0, 0, &[], &[]);
        assert_eq!((empty.change_percent, empty.largest_topic), (None, None));
        assert!(is_blind_spot(0, 250) && !is_blind_spot(1, 5_000) && !is_blind_spot(0, 249));
    }
}
