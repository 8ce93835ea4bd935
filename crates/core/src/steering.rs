//! Steering figures as pure rules: local days and hours of the rollups, periods and their year-earlier twins, trends, milestones and the cells-under-5 rule with secondary suppression.

pub mod compare;
pub mod report;

use crate::ValidationError;
use crate::opening_hours::Region;
use jiff::Timestamp;
use jiff::civil::{Date, Weekday};

/// Cells with fewer questions than this are hidden for areas smaller than a municipality (DESIGN.md §5).
pub const MIN_CELL: i64 = 5;

/// Municipalities below this many residents are "small": one help point's figures there are an area smaller
/// than a municipality in all but name, so its rankings and single-point scopes follow the cells-under-5 rule.
pub const SMALL_MUNICIPALITY: u32 = 25_000;

/// Running totals worth a line on the dashboard ("the 100,000th question").
pub const MILESTONES: &[i64] = &[
    1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 10_000_000,
];

const EPOCH: Date = Date::constant(1970, 1, 1);

/// The local calendar day (days since 1970-01-01) and hour (0..=23) of a moment. NL and BE share one rule
/// (CET/CEST), so the rollups need no help point's region to place a question in its day.
#[must_use]
pub fn local_day_hour(unix_seconds: i64) -> (i64, i64) {
    let Ok(ts) = Timestamp::from_second(unix_seconds) else {
        return (unix_seconds.div_euclid(86_400), 0);
    };
    let local = ts.to_zoned(Region::Nl.time_zone().clone());
    (day_number(local.date()), i64::from(local.hour()))
}

/// Days since 1970-01-01 of a date.
#[must_use]
pub fn day_number(date: Date) -> i64 {
    // `since` between dates counts whole days by default.
    date.since(EPOCH).map_or(0, |s| i64::from(s.get_days()))
}

/// The date of a day number.
#[must_use]
pub fn date_of(day: i64) -> Date {
    jiff::Span::new()
        .try_days(day)
        .and_then(|s| EPOCH.checked_add(s))
        .unwrap_or(EPOCH)
}

/// The Monday of the day's week, as a day number.
#[must_use]
pub fn week_start(day: i64) -> i64 {
    // 1970-01-01 was a Thursday: day 4 (1970-01-05) was the first Monday.
    day - (day - 4).rem_euclid(7)
}

/// The weekday of a day number.
#[must_use]
pub fn weekday(day: i64) -> Weekday {
    date_of(day).weekday()
}

/// The first day of the day's month, as a day number.
#[must_use]
pub fn month_start(day: i64) -> i64 {
    day_number(date_of(day).first_of_month())
}

/// The periods the dashboard offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    ThisMonth,
    LastMonth,
    ThisQuarter,
    ThisYear,
    Custom,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 5] = [
        PeriodKind::ThisMonth,
        PeriodKind::LastMonth,
        PeriodKind::ThisQuarter,
        PeriodKind::ThisYear,
        PeriodKind::Custom,
    ];

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            PeriodKind::ThisMonth => "this_month",
            PeriodKind::LastMonth => "last_month",
            PeriodKind::ThisQuarter => "this_quarter",
            PeriodKind::ThisYear => "this_year",
            PeriodKind::Custom => "custom",
        }
    }

    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            PeriodKind::ThisMonth => "Deze maand",
            PeriodKind::LastMonth => "Vorige maand",
            PeriodKind::ThisQuarter => "Dit kwartaal",
            PeriodKind::ThisYear => "Dit jaar",
            PeriodKind::Custom => "Zelf kiezen",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// A range of local days, `from` inclusive, `until` exclusive (day numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: i64,
    pub until: i64,
}

impl DayRange {
    /// The same calendar days a year earlier (29 February becomes 28 February).
    #[must_use]
    pub fn year_earlier(self) -> DayRange {
        let back = |day: i64| {
            let d = date_of(day);
            let y = d.year() - 1;
            let day_of_month = d.day().min(days_in_month(y, d.month()));
            day_number(Date::new(y, d.month(), day_of_month).unwrap_or(d))
        };
        DayRange {
            from: back(self.from),
            until: back(self.until),
        }
    }

    #[must_use]
    pub fn days(self) -> i64 {
        self.until - self.from
    }

    /// The range cut at month boundaries, so that a year is read as twelve month rows plus a few days rather
    /// than 365 day rows: whole calendar months and the days around them. Where a partial month at either end
    /// covers most of its month, the whole month is read and the few days outside the range are taken off
    /// again ([`MonthParts::minus`]): a wide scope's month has few more rows than one of its days, so 25 days
    /// cost more than one month and 6 days. Days after `today` count as empty in that choice (they hold no
    /// questions yet), so "this month" reads one month; the figures are right whichever way is chosen.
    #[must_use]
    pub fn month_parts(self, today: i64) -> MonthParts {
        if self.until <= self.from {
            return MonthParts::default();
        }
        // Days that may hold questions: the ones up to today.
        let cost = |r: DayRange| (r.until.min(today + 1) - r.from).max(0);
        // Take a partial month's complement off the whole month only where it is clearly cheaper: a month of a
        // wide scope has about as many rows as two of its days.
        let take_off = |added: DayRange, complement: &[DayRange]| {
            complement.iter().map(|c| cost(*c)).sum::<i64>() * 2 + 2 < cost(added)
        };
        let nonempty = |ranges: Vec<DayRange>| -> Vec<DayRange> {
            ranges.into_iter().filter(|d| d.days() > 0).collect()
        };
        let first_month = month_start(self.from);
        let last_month = month_start(self.until - 1);
        let after_last = month_after(last_month);
        if first_month == last_month {
            let month = DayRange {
                from: first_month,
                until: after_last,
            };
            let outside = [
                DayRange {
                    from: first_month,
                    until: self.from,
                },
                DayRange {
                    from: self.until,
                    until: after_last,
                },
            ];
            if month == self || take_off(self, &outside) {
                return MonthParts {
                    months: Some(month),
                    days: Vec::new(),
                    minus: nonempty(outside.to_vec()),
                };
            }
            return MonthParts {
                months: None,
                days: vec![self],
                minus: Vec::new(),
            };
        }
        // The first month of the months read, and its days added or taken off.
        let start = if self.from == first_month {
            self.from
        } else {
            let added = DayRange {
                from: self.from,
                until: month_after(self.from),
            };
            let before = DayRange {
                from: first_month,
                until: self.from,
            };
            if take_off(added, &[before]) {
                first_month
            } else {
                added.until
            }
        };
        let end = if self.until == after_last {
            self.until
        } else {
            let added = DayRange {
                from: last_month,
                until: self.until,
            };
            let after = DayRange {
                from: self.until,
                until: after_last,
            };
            if take_off(added, &[after]) {
                after_last
            } else {
                last_month
            }
        };
        if start >= end {
            // Two partial months and neither taken whole.
            return MonthParts {
                months: None,
                days: vec![self],
                minus: Vec::new(),
            };
        }
        MonthParts {
            months: Some(DayRange {
                from: start,
                until: end,
            }),
            days: nonempty(vec![
                DayRange {
                    from: self.from,
                    until: start,
                },
                DayRange {
                    from: end,
                    until: self.until,
                },
            ]),
            minus: nonempty(vec![
                DayRange {
                    from: start,
                    until: self.from,
                },
                DayRange {
                    from: self.until,
                    until: end,
                },
            ]),
        }
    }

    /// The first and last day as dates (the last one inclusive), for display.
    #[must_use]
    pub fn dates(self) -> (Date, Date) {
        (date_of(self.from), date_of(self.until - 1))
    }
}

/// A [`DayRange`] as month rows and day rows ([`DayRange::month_parts`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthParts {
    /// Whole months: `from` is the first day of the first month, `until` the first day after the last month.
    pub months: Option<DayRange>,
    /// Days outside those months to add (none, one or two ranges).
    pub days: Vec<DayRange>,
    /// Days inside those months but outside the range, to take off again (none, one or two ranges).
    pub minus: Vec<DayRange>,
}

fn month_after(day: i64) -> i64 {
    let d = date_of(day);
    day_number(d.last_of_month()) + 1
}

fn days_in_month(year: i16, month: i8) -> i8 {
    Date::new(year, month, 1).map_or(28, |d| d.days_in_month())
}

/// The period asked for, checked: a kind and its days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    pub range: DayRange,
}

/// Longest custom period: five years of history.
pub const MAX_PERIOD_DAYS: i64 = 5 * 366;

impl Period {
    /// Parses `period` (a [`PeriodKind`] code; empty means this month) with `from` and `to` (inclusive dates,
    /// `YYYY-MM-DD`) for a custom period, relative to `today` (local).
    pub fn parse(
        kind: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        today: Date,
    ) -> Result<Period, ValidationError> {
        let code = kind.map(str::trim).filter(|k| !k.is_empty());
        let kind = match code {
            None => PeriodKind::ThisMonth,
            Some(c) => PeriodKind::parse(c).ok_or_else(|| {
                ValidationError::new(
                    "period",
                    "Kies een periode: this_month, last_month, this_quarter, this_year of custom.",
                )
            })?,
        };
        let month = today.first_of_month();
        let range = match kind {
            PeriodKind::ThisMonth => DayRange {
                from: day_number(month),
                until: day_number(today) + 1,
            },
            PeriodKind::LastMonth => {
                let start = month
                    .checked_sub(jiff::Span::new().months(1))
                    .unwrap_or(month);
                DayRange {
                    from: day_number(start),
                    until: day_number(month),
                }
            }
            PeriodKind::ThisQuarter => {
                let q_month = (today.month() - 1) / 3 * 3 + 1;
                let start = Date::new(today.year(), q_month, 1).unwrap_or(month);
                DayRange {
                    from: day_number(start),
                    until: day_number(today) + 1,
                }
            }
            PeriodKind::ThisYear => DayRange {
                from: day_number(today.first_of_year()),
                until: day_number(today) + 1,
            },
            PeriodKind::Custom => {
                let date = |field: &'static str, v: Option<&str>| {
                    v.map(str::trim)
                        .filter(|v| !v.is_empty())
                        .ok_or_else(|| {
                            ValidationError::new(field, "Vul een datum in (jjjj-mm-dd).")
                        })?
                        .parse::<Date>()
                        .map_err(|_| {
                            ValidationError::new(
                                field,
                                "Deze datum kennen we niet. Schrijf hem als jjjj-mm-dd, bijvoorbeeld 2026-01-31.",
                            )
                        })
                };
                let (f, t) = (date("from", from)?, date("to", to)?);
                if t < f {
                    return Err(ValidationError::new(
                        "to",
                        "De einddatum ligt voor de begindatum.",
                    ));
                }
                let range = DayRange {
                    from: day_number(f),
                    until: day_number(t) + 1,
                };
                if range.days() > MAX_PERIOD_DAYS {
                    return Err(ValidationError::new(
                        "to",
                        "Kies een periode van hoogstens vijf jaar.",
                    ));
                }
                range
            }
        };
        Ok(Period { kind, range })
    }
}

/// The first second of a local day (midnight in CET/CEST), as unix seconds: the bound for rows that are
/// not rolled up per day (referrals).
#[must_use]
pub fn day_start_seconds(day: i64) -> i64 {
    date_of(day)
        .to_zoned(Region::Nl.time_zone().clone())
        .map_or(day * 86_400, |z| z.timestamp().as_second())
}

/// Whether a referral was (or is) overdue: no answer (accepted, declined or otherwise closed) before its
/// deadline. Still waiting past the deadline at `now` counts too.
#[must_use]
pub fn referral_overdue(
    due_at: i64,
    accepted_at: Option<i64>,
    closed_at: Option<i64>,
    now: i64,
) -> bool {
    let answered = match (accepted_at, closed_at) {
        (Some(a), Some(c)) => a.min(c),
        (Some(a), None) => a,
        (None, Some(c)) => c,
        (None, None) => now,
    };
    answered > due_at
}

/// The local date of a moment (for "today").
#[must_use]
pub fn local_date(unix_seconds: i64) -> Date {
    date_of(local_day_hour(unix_seconds).0)
}

/// The highest milestone a running total has passed.
#[must_use]
pub fn milestone(total: i64) -> Option<i64> {
    MILESTONES.iter().rev().copied().find(|m| total >= *m)
}

/// Change against a year earlier in whole percent (rounded half away from zero); `None` without a base.
#[must_use]
pub fn change_percent(now: i64, before: i64) -> Option<i64> {
    if before <= 0 {
        return None;
    }
    let diff = (now - before) * 200;
    let scaled = diff / before;
    Some(if scaled >= 0 {
        (scaled + 1) / 2
    } else {
        (scaled - 1) / 2
    })
}

/// Share of `part` in `whole` in whole percent, rounded.
#[must_use]
pub fn percent(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        0
    } else {
        (part * 200 / whole + 1) / 2
    }
}

/// Which cells of a table to hide: cells of 1..=4 questions (primary), then, while a row or column with a
/// shown total has exactly one hidden cell, the smallest other cell of that row or column (secondary), so
/// that no hidden cell can be recovered by subtracting. `rows[r][c]` are counts; totals per row and per
/// column are assumed shown. A hidden cell of 0 is allowed as a secondary (it still hides the other).
#[must_use]
pub fn suppress_table(rows: &[Vec<i64>]) -> Vec<Vec<bool>> {
    let mut hidden: Vec<Vec<bool>> = rows
        .iter()
        .map(|r| r.iter().map(|&n| n > 0 && n < MIN_CELL).collect())
        .collect();
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    loop {
        let mut changed = false;
        for (r, row) in rows.iter().enumerate() {
            let line: Vec<(i64, bool)> =
                row.iter().copied().zip(hidden[r].iter().copied()).collect();
            if let Some(c) = second_to_hide(&line) {
                hidden[r][c] = true;
                changed = true;
            }
        }
        for c in 0..cols {
            let members: Vec<usize> = (0..rows.len()).filter(|&r| c < rows[r].len()).collect();
            let line: Vec<(i64, bool)> = members
                .iter()
                .map(|&r| (rows[r][c], hidden[r][c]))
                .collect();
            if let Some(i) = second_to_hide(&line) {
                hidden[members[i]][c] = true;
                changed = true;
            }
        }
        if !changed {
            return hidden;
        }
    }
}

/// In one line of (count, hidden): when exactly one cell is hidden, the position of the smallest shown
/// other cell (non-zero cells first) to hide as well.
fn second_to_hide(line: &[(i64, bool)]) -> Option<usize> {
    if line.iter().filter(|(_, h)| *h).count() != 1 {
        return None;
    }
    line.iter()
        .enumerate()
        .filter(|(_, (_, h))| !*h)
        .min_by_key(|(i, (n, _))| (*n == 0, *n, *i))
        .map(|(i, _)| i)
}

/// [`suppress_table`] for a single list whose total is shown.
#[must_use]
pub fn suppress_list(values: &[i64]) -> Vec<bool> {
    suppress_table(&[values.to_vec()]).pop().unwrap_or_default()
}

/// A figure as it may be shown: a count, a rate with one decimal (held in tenths, so that it stays exact),
/// hidden ("< 5"), or none at all ("–": nothing to compare with, no residents to count against).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Shown(i64),
    /// A rate in tenths: `Tenths(125)` reads 12,5.
    Tenths(i64),
    Hidden,
    /// No figure exists, as opposed to a small one kept back: shown as "–" on pages, left empty in files.
    Empty,
}

impl Cell {
    #[must_use]
    pub fn new(value: i64, hidden: bool) -> Cell {
        if hidden {
            Cell::Hidden
        } else {
            Cell::Shown(value)
        }
    }

    /// The count, or `None` when hidden or a rate (the cells-under-5 rule works on counts only).
    #[must_use]
    pub fn value(self) -> Option<i64> {
        match self {
            Cell::Shown(n) => Some(n),
            Cell::Tenths(_) | Cell::Hidden | Cell::Empty => None,
        }
    }

    /// The figure as a number (a rate with its decimal), or `None` when hidden.
    #[must_use]
    #[expect(clippy::cast_precision_loss, reason = "figures are far below 2^53")]
    pub fn number(self) -> Option<f64> {
        match self {
            Cell::Shown(n) => Some(n as f64),
            Cell::Tenths(t) => Some(t as f64 / 10.0),
            Cell::Hidden | Cell::Empty => None,
        }
    }

    /// The figure for files and machines: `12`, `12.5`, `""` when there is none, or `None` when hidden.
    #[must_use]
    pub fn plain(self) -> Option<String> {
        match self {
            Cell::Shown(n) => Some(n.to_string()),
            Cell::Tenths(t) => Some(tenths_text(t, '.')),
            Cell::Empty => Some(String::new()),
            Cell::Hidden => None,
        }
    }
}

/// Questions per 1,000 residents in tenths, rounded half up (`Some(125)` is 12,5 per 1,000); `None` without
/// residents.
#[must_use]
pub fn per_thousand_tenths(questions: i64, residents: u32) -> Option<i64> {
    (residents > 0).then(|| (questions * 20_000 / i64::from(residents) + 1) / 2)
}

/// Tenths as a decimal with one place and the given decimal mark: 125 -> "12,5"; the whole part keeps
/// Dutch thousands separators when the mark is a comma.
fn tenths_text(t: i64, mark: char) -> String {
    let sign = if t < 0 { "-" } else { "" };
    let (whole, tenth) = (t.unsigned_abs() / 10, t.unsigned_abs() % 10);
    let whole = i64::try_from(whole).unwrap_or(i64::MAX);
    if mark == ',' {
        format!("{sign}{},{tenth}", thousands(whole))
    } else {
        format!("{sign}{whole}.{tenth}")
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Shown(n) => write!(f, "{}", thousands(*n)),
            Cell::Tenths(t) => f.write_str(&tenths_text(*t, ',')),
            Cell::Hidden => f.write_str("< 5"),
            Cell::Empty => f.write_str("–"),
        }
    }
}

/// A whole number with Dutch thousands separators: 100000 -> "100.000".
#[must_use]
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn local_days_follow_cet_and_cest() {
        // 2026-03-01 23:30 UTC is 2 March 00:30 in Amsterdam (CET).
        let ts: Timestamp = "2026-03-01T23:30:00Z".parse().unwrap();
        let (day, hour) = local_day_hour(ts.as_second());
        assert_eq!((date_of(day), hour), (d("2026-03-02"), 0));
        // Summer: UTC+2.
        let ts: Timestamp = "2026-07-01T22:15:00Z".parse().unwrap();
        assert_eq!(
            local_day_hour(ts.as_second()),
            (day_number(d("2026-07-02")), 0)
        );
        assert_eq!(day_number(d("1970-01-01")), 0);
        assert_eq!(date_of(day_number(d("2026-12-04"))), d("2026-12-04"));
    }

    #[test]
    fn a_range_splits_into_whole_months_and_the_days_around_them() {
        let r = |a: &str, b: &str| DayRange {
            from: day_number(d(a)),
            until: day_number(d(b)),
        };
        let today = day_number(d("2026-12-04"));
        let long_after = day_number(d("2030-01-01"));
        // "This year" up to 4 December: eleven months and four days; the rest of December holds nothing yet,
        // so on 4 December the whole of it is read (nothing to take off) instead of four days.
        assert_eq!(
            r("2026-01-01", "2026-12-05").month_parts(long_after),
            MonthParts {
                months: Some(r("2026-01-01", "2026-12-01")),
                days: vec![r("2026-12-01", "2026-12-05")],
                minus: vec![],
            }
        );
        assert_eq!(
            r("2026-01-01", "2026-12-05").month_parts(today),
            MonthParts {
                months: Some(r("2026-01-01", "2027-01-01")),
                days: vec![],
                minus: vec![r("2026-12-05", "2027-01-01")],
            }
        );
        // From the middle of one month: 27 days of December are read as December less its first four.
        assert_eq!(
            r("2025-12-05", "2026-12-05").month_parts(long_after),
            MonthParts {
                months: Some(r("2025-12-01", "2026-12-01")),
                days: vec![r("2026-12-01", "2026-12-05")],
                minus: vec![r("2025-12-01", "2025-12-05")],
            }
        );
        // From the 20th to the 10th: the days on both ends.
        assert_eq!(
            r("2026-01-20", "2026-05-11").month_parts(long_after),
            MonthParts {
                months: Some(r("2026-02-01", "2026-05-01")),
                days: vec![r("2026-01-20", "2026-02-01"), r("2026-05-01", "2026-05-11")],
                minus: vec![],
            }
        );
        // Inside one month: its days, or the month less a day on each side; a whole month: the month only;
        // two partial months: their days; nothing: nothing.
        assert_eq!(
            r("2026-02-03", "2026-02-20").month_parts(long_after),
            MonthParts {
                months: None,
                days: vec![r("2026-02-03", "2026-02-20")],
                minus: vec![],
            }
        );
        assert_eq!(
            r("2026-02-02", "2026-02-28").month_parts(long_after),
            MonthParts {
                months: Some(r("2026-02-01", "2026-03-01")),
                days: vec![],
                minus: vec![r("2026-02-01", "2026-02-02"), r("2026-02-28", "2026-03-01")],
            }
        );
        assert_eq!(
            r("2026-02-01", "2026-03-01").month_parts(long_after),
            MonthParts {
                months: Some(r("2026-02-01", "2026-03-01")),
                days: vec![],
                minus: vec![],
            }
        );
        assert_eq!(
            r("2026-01-20", "2026-02-10").month_parts(long_after),
            MonthParts {
                months: None,
                days: vec![r("2026-01-20", "2026-02-10")],
                minus: vec![],
            }
        );
        assert_eq!(
            r("2026-02-03", "2026-02-03").month_parts(long_after),
            MonthParts::default()
        );
    }

    proptest::proptest! {
        #[test]
        fn month_parts_count_every_day_of_the_range_once_and_no_other(
            from in 19_000i64..21_000,
            len in 0i64..800,
            today in 18_900i64..22_000,
        ) {
            let range = DayRange { from, until: from + len };
            let parts = range.month_parts(today);
            let mut net: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
            for day in parts.days.iter().flat_map(|d| d.from..d.until) {
                *net.entry(day).or_default() += 1;
            }
            if let Some(m) = parts.months {
                proptest::prop_assert_eq!(month_start(m.from), m.from);
                proptest::prop_assert_eq!(month_start(m.until), m.until);
                for day in m.from..m.until {
                    *net.entry(day).or_default() += 1;
                }
                // Days are taken off the months only, never off the days added.
                for minus in &parts.minus {
                    proptest::prop_assert!(m.from <= minus.from && minus.until <= m.until);
                }
            } else {
                proptest::prop_assert!(parts.minus.is_empty());
            }
            for day in parts.minus.iter().flat_map(|d| d.from..d.until) {
                *net.entry(day).or_default() -= 1;
            }
            net.retain(|_, n| *n != 0);
            proptest::prop_assert!(net.values().all(|n| *n == 1));
            proptest::prop_assert_eq!(
                net.into_keys().collect::<Vec<_>>(),
                (range.from..range.until).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        let friday = day_number(d("2026-12-04"));
        assert_eq!(date_of(week_start(friday)), d("2026-11-30"));
        assert_eq!(week_start(week_start(friday)), week_start(friday));
        assert_eq!(weekday(friday), Weekday::Friday);
        assert_eq!(date_of(month_start(friday)), d("2026-12-01"));
    }

    #[test]
    fn periods_and_a_year_earlier() {
        let today = d("2026-05-20");
        let p = |k: &str| {
            Period::parse(Some(k), None, None, today)
                .unwrap()
                .range
                .dates()
        };
        assert_eq!(p("this_month"), (d("2026-05-01"), d("2026-05-20")));
        assert_eq!(p("last_month"), (d("2026-04-01"), d("2026-04-30")));
        assert_eq!(p("this_quarter"), (d("2026-04-01"), d("2026-05-20")));
        assert_eq!(p("this_year"), (d("2026-01-01"), d("2026-05-20")));
        let jan = Period::parse(Some("last_month"), None, None, d("2026-01-10")).unwrap();
        assert_eq!(jan.range.dates(), (d("2025-12-01"), d("2025-12-31")));
        let custom = Period::parse(
            Some("custom"),
            Some("2024-02-01"),
            Some("2024-02-29"),
            today,
        )
        .unwrap();
        assert_eq!(custom.range.days(), 29);
        assert_eq!(
            custom.range.year_earlier().dates(),
            (d("2023-02-01"), d("2023-02-28"))
        );
        assert_eq!(
            Period::parse(None, None, None, today).unwrap().kind,
            PeriodKind::ThisMonth
        );
        for (kind, from, to, field) in [
            ("weekly", None, None, "period"),
            ("custom", None, Some("2026-01-01"), "from"),
            ("custom", Some("2026-02-30"), Some("2026-03-01"), "from"),
            ("custom", Some("2026-03-01"), Some("2026-02-01"), "to"),
            ("custom", Some("2010-01-01"), Some("2026-01-01"), "to"),
        ] {
            let e = Period::parse(Some(kind), from, to, today).unwrap_err();
            assert_eq!(e.field, field, "{kind} {from:?} {to:?}");
        }
    }

    #[test]
    fn small_cells_are_hidden_and_cannot_be_recovered() {
        // One small cell in a list with a total: a second cell goes too, the smallest.
        assert_eq!(
            suppress_list(&[120, 3, 40, 7]),
            vec![false, true, false, true]
        );
        // Two small cells already hide each other; zeros stay shown.
        assert_eq!(
            suppress_list(&[2, 0, 4, 30]),
            vec![true, false, true, false]
        );
        assert_eq!(suppress_list(&[10, 20]), vec![false, false]);
        // A table: the secondary in the row creates a lone hidden cell in its column, which spreads.
        let t = vec![vec![20, 2, 30], vec![15, 10, 40], vec![50, 60, 70]];
        let h = suppress_table(&t);
        for row in &h {
            let n = row.iter().filter(|x| **x).count();
            assert!(n == 0 || n >= 2, "{h:?}");
        }
        for c in 0..3 {
            let n = h.iter().filter(|r| r[c]).count();
            assert!(n == 0 || n >= 2, "{h:?}");
        }
        assert!(h[0][1]);
    }

    #[test]
    fn local_midnight_and_overdue_referrals() {
        let day = day_number(d("2026-03-02"));
        let midnight: Timestamp = "2026-03-01T23:00:00Z".parse().unwrap();
        assert_eq!(day_start_seconds(day), midnight.as_second());
        let summer: Timestamp = "2026-06-30T22:00:00Z".parse().unwrap();
        assert_eq!(
            day_start_seconds(day_number(d("2026-07-01"))),
            summer.as_second()
        );
        assert!(!referral_overdue(100, Some(90), None, 500));
        assert!(referral_overdue(100, Some(110), Some(200), 500));
        assert!(
            !referral_overdue(100, None, Some(100), 500),
            "declined on the deadline"
        );
        assert!(referral_overdue(100, None, None, 101), "still waiting");
        assert!(!referral_overdue(100, None, None, 99));
    }

    #[test]
    fn figures_in_words() {
        assert_eq!(milestone(99_999), Some(50_000));
        assert_eq!(milestone(100_000), Some(100_000));
        assert_eq!(milestone(12), None);
        assert_eq!(change_percent(118, 100), Some(18));
        assert_eq!(change_percent(50, 0), None);
        assert_eq!(change_percent(0, 3), Some(-100));
        assert_eq!(percent(1, 3), 33);
        assert_eq!(thousands(1_240), "1.240");
        assert_eq!(thousands(100_000), "100.000");
        assert_eq!(Cell::Hidden.to_string(), "< 5");
        assert_eq!(Cell::Empty.to_string(), "–");
        assert_eq!(Cell::Empty.plain().as_deref(), Some(""));
        assert_eq!(Cell::Empty.number(), None);
        assert_eq!(Cell::Tenths(125).to_string(), "12,5");
        assert_eq!(Cell::Tenths(12_345).to_string(), "1.234,5");
        assert_eq!(Cell::Tenths(7).plain().as_deref(), Some("0.7"));
        assert_eq!(Cell::Tenths(125).number(), Some(12.5));
        assert_eq!(Cell::Tenths(125).value(), None);
        // 3 questions among 1,234 residents: 2,43 per 1,000, shown as 2,4.
        assert_eq!(per_thousand_tenths(3, 1_234), Some(24));
        assert_eq!(per_thousand_tenths(1, 2_000), Some(5));
        assert_eq!(per_thousand_tenths(1, 0), None);
    }
}
