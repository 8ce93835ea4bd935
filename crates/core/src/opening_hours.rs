//! Opening hours of help points: weekly slots, dated exceptions, public holidays, and "open at / open next".
//!
//! A help point's [`OpeningHours`] are weekly time slots (several per day: "10:00-12:30 en 13:30-16:00") plus dated
//! [`Exception`]s (closing weeks, extra hours in the tax-return season) and, unless switched off, the national public
//! holidays of its [`Region`] ([`public_holidays`]).
//!
//! # What applies on a day
//! [`OpeningHours::slots_on`] starts from the weekly slots of the weekday and the monthly slots that fall on the date
//! ("elke eerste dinsdag van de maand", "laatste vrijdag": see [`Recurrence`]), empties them on a public holiday (when
//! `closed_on_public_holidays`), and then applies every exception that covers the date, the longest first and, among
//! exceptions of equal length, in list order: `Closed` empties the day, `OpenOnly` replaces its slots, `Extra` adds
//! slots. So exceptions override holidays (an `Extra` on Koningsdag opens the point for those hours), and the more
//! specific exception wins: one closed day inside an extra-hours season is closed, one extra day inside a closing
//! month is open.
//!
//! # Time zone
//! Hours are local to the help point: Europe/Amsterdam (NL) or Europe/Brussels (BE). Both follow CET/CEST with the EU
//! transition rule, so this module uses the built-in POSIX rule [`CET_CEST_RULE`] and never needs the system
//! time-zone database. This assumes the EU keeps its current rule (last Sunday of March 02:00 to last Sunday of October
//! 03:00); historical dates before 1996 are evaluated with today's rule too. A test compares the rule with the tz
//! database where one is installed.
//!
//! Around the DST changes a local slot maps to the instants whose local time lies in it: on the spring day a slot
//! 02:30-03:30 (02:00-03:00 does not exist) is open from the jump (03:00 CEST) until 03:30 CEST, and a slot entirely
//! inside the missing hour does not happen at all; on the autumn day (02:00-03:00 happens twice) a slot starts at the
//! first occurrence of its start time and ends at the last occurrence of its end time. [`OpeningHours::is_open_at`],
//! [`OpeningHours::next_open`] and the "today" / "this week" filters all use that one mapping, so the filter and the
//! display always agree.
//!
//! # Text syntax
//! [`parse_weekly`] reads the syntax used in spreadsheets ("ma-vr 10:00-16:00; za 10:00-12:00") and
//! [`format_weekly`] writes it back, so that `parse_weekly(&format_weekly(&x)) == x` for every parsed `x`.

use std::fmt::{self, Write as _};
use std::sync::LazyLock;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::reference::Country;

/// The POSIX rule for Central European Time with the EU's summer time: Europe/Amsterdam and Europe/Brussels.
pub const CET_CEST_RULE: &str = "CET-1CEST,M3.5.0,M10.5.0/3";

static CET_CEST: LazyLock<TimeZone> = LazyLock::new(|| {
    TimeZone::posix(CET_CEST_RULE).unwrap_or_else(|_| TimeZone::fixed(Offset::constant(1)))
});

/// How far ahead [`OpeningHours::next_open`] looks, in days after the day of the instant.
pub const SEARCH_DAYS: u16 = 366;

// ---------------------------------------------------------------------------------------------------------------
// Weekday
// ---------------------------------------------------------------------------------------------------------------

/// A day of the week; serialised as `"mon"` .. `"sun"`. Ordered from Monday (the Dutch week starts on Monday).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// Monday to Sunday.
    pub const ALL: [Self; 7] = [
        Self::Mon,
        Self::Tue,
        Self::Wed,
        Self::Thu,
        Self::Fri,
        Self::Sat,
        Self::Sun,
    ];

    /// 0 for Monday .. 6 for Sunday.
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The weekday of a date.
    #[must_use]
    pub fn of(date: Date) -> Self {
        date.weekday().into()
    }

    /// The Dutch name, lower case: `"maandag"`.
    #[must_use]
    pub const fn name_nl(self) -> &'static str {
        match self {
            Self::Mon => "maandag",
            Self::Tue => "dinsdag",
            Self::Wed => "woensdag",
            Self::Thu => "donderdag",
            Self::Fri => "vrijdag",
            Self::Sat => "zaterdag",
            Self::Sun => "zondag",
        }
    }

    /// The Dutch two-letter abbreviation: `"ma"`.
    #[must_use]
    pub const fn abbr_nl(self) -> &'static str {
        match self {
            Self::Mon => "ma",
            Self::Tue => "di",
            Self::Wed => "wo",
            Self::Thu => "do",
            Self::Fri => "vr",
            Self::Sat => "za",
            Self::Sun => "zo",
        }
    }

    /// The day after (Sunday is followed by Monday).
    #[must_use]
    pub const fn next(self) -> Self {
        Self::ALL[(self.index() + 1) % 7]
    }
}

impl From<jiff::civil::Weekday> for Weekday {
    fn from(day: jiff::civil::Weekday) -> Self {
        use jiff::civil::Weekday as J;
        match day {
            J::Monday => Self::Mon,
            J::Tuesday => Self::Tue,
            J::Wednesday => Self::Wed,
            J::Thursday => Self::Thu,
            J::Friday => Self::Fri,
            J::Saturday => Self::Sat,
            J::Sunday => Self::Sun,
        }
    }
}

impl From<Weekday> for jiff::civil::Weekday {
    fn from(day: Weekday) -> Self {
        match day {
            Weekday::Mon => Self::Monday,
            Weekday::Tue => Self::Tuesday,
            Weekday::Wed => Self::Wednesday,
            Weekday::Thu => Self::Thursday,
            Weekday::Fri => Self::Friday,
            Weekday::Sat => Self::Saturday,
            Weekday::Sun => Self::Sunday,
        }
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.abbr_nl())
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Slots, exceptions, region
// ---------------------------------------------------------------------------------------------------------------

/// A local time span within one day, `start` inclusive, `end` exclusive; `end > start`. Serialised as
/// `{"start": "10:00", "end": "12:30"}` (seconds only when they are not zero). The last possible end is 23:59.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(try_from = "RawTimeSlot")]
pub struct TimeSlot {
    #[serde(with = "hhmm")]
    #[schema(value_type = String, example = "10:00")]
    pub start: Time,
    #[serde(with = "hhmm")]
    #[schema(value_type = String, example = "12:30")]
    pub end: Time,
}

#[derive(Deserialize)]
struct RawTimeSlot {
    #[serde(with = "hhmm")]
    start: Time,
    #[serde(with = "hhmm")]
    end: Time,
}

impl TryFrom<RawTimeSlot> for TimeSlot {
    type Error = ValidationError;
    fn try_from(raw: RawTimeSlot) -> Result<Self, Self::Error> {
        Self::new(raw.start, raw.end)
    }
}

impl TimeSlot {
    /// A slot from `start` to `end`; the end must lie after the start.
    pub fn new(start: Time, end: Time) -> Result<Self, ValidationError> {
        if end > start {
            Ok(Self { start, end })
        } else if end == start {
            Err(ValidationError::new(
                "hours",
                format!(
                    "Eindtijd {} is gelijk aan begintijd {}.",
                    clock(end),
                    clock(start)
                ),
            ))
        } else {
            Err(ValidationError::new(
                "hours",
                format!(
                    "Eindtijd {} ligt voor begintijd {}.",
                    clock(end),
                    clock(start)
                ),
            ))
        }
    }

    /// True when the local time `t` lies in the slot (start inclusive, end exclusive).
    #[must_use]
    pub fn contains(self, t: Time) -> bool {
        self.start <= t && t < self.end
    }

    fn is_valid(self) -> bool {
        self.end > self.start
    }
}

impl fmt::Display for TimeSlot {
    /// `10:00-12:30`, the form of the text syntax.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", clock(self.start), clock(self.end))
    }
}

/// A slot on a day of the week. Serialised flat: `{"weekday": "mon", "start": "10:00", "end": "12:30"}`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub struct WeeklySlot {
    pub weekday: Weekday,
    #[serde(flatten)]
    pub slot: TimeSlot,
}

/// Which occurrence of a weekday in its month a monthly recurrence falls on: the first to the fourth, or the last.
/// Serialised as its iCalendar number (`1`..`4`, `-1` for the last), as in HSDS's `byday` (`1TU`, `-1FR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i8", into = "i8")]
pub enum WeekOfMonth {
    First,
    Second,
    Third,
    Fourth,
    /// The last one of the month (the fourth or the fifth).
    Last,
}

impl WeekOfMonth {
    /// In order: first, second, third, fourth, last.
    pub const ALL: [Self; 5] = [
        Self::First,
        Self::Second,
        Self::Third,
        Self::Fourth,
        Self::Last,
    ];

    /// The iCalendar ordinal: 1 to 4, or -1 for the last.
    #[must_use]
    pub const fn number(self) -> i8 {
        match self {
            Self::First => 1,
            Self::Second => 2,
            Self::Third => 3,
            Self::Fourth => 4,
            Self::Last => -1,
        }
    }

    /// The reverse of [`number`](Self::number).
    #[must_use]
    pub const fn from_number(n: i8) -> Option<Self> {
        match n {
            1 => Some(Self::First),
            2 => Some(Self::Second),
            3 => Some(Self::Third),
            4 => Some(Self::Fourth),
            -1 => Some(Self::Last),
            _ => None,
        }
    }

    /// The Dutch ordinal word: `"eerste"` .. `"vierde"`, `"laatste"`.
    #[must_use]
    pub const fn word_nl(self) -> &'static str {
        match self {
            Self::First => "eerste",
            Self::Second => "tweede",
            Self::Third => "derde",
            Self::Fourth => "vierde",
            Self::Last => "laatste",
        }
    }

    /// True when `date` is this occurrence of its weekday in its month (the weekday itself is not checked).
    #[must_use]
    pub fn contains(self, date: Date) -> bool {
        let day = date.day();
        match self {
            // The last occurrence: a week later lies in the next month.
            Self::Last => day + 7 > date.days_in_month(),
            n => (day - 1) / 7 + 1 == n.number(),
        }
    }
}

impl TryFrom<i8> for WeekOfMonth {
    type Error = String;
    fn try_from(n: i8) -> Result<Self, Self::Error> {
        Self::from_number(n)
            .ok_or_else(|| format!("week {n} bestaat niet; gebruik 1 tot en met 4 of -1"))
    }
}

impl From<WeekOfMonth> for i8 {
    fn from(w: WeekOfMonth) -> Self {
        w.number()
    }
}

/// A slot on one weekday of the month: the first Tuesday, the last Friday. Serialised flat:
/// `{"week": 1, "weekday": "tue", "start": "10:00", "end": "12:00"}` (`"week": -1` is the last).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub struct MonthlySlot {
    #[schema(value_type = i8, example = 1)]
    pub week: WeekOfMonth,
    pub weekday: Weekday,
    #[serde(flatten)]
    pub slot: TimeSlot,
}

/// How a slot recurs: every week on a weekday, or once a month on the Nth (or last) weekday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recurrence {
    Weekly(Weekday),
    Monthly(WeekOfMonth, Weekday),
}

impl Recurrence {
    /// The weekday it falls on.
    #[must_use]
    pub const fn weekday(self) -> Weekday {
        match self {
            Self::Weekly(day) | Self::Monthly(_, day) => day,
        }
    }

    /// True when it recurs on `date`.
    #[must_use]
    pub fn occurs_on(self, date: Date) -> bool {
        Weekday::of(date) == self.weekday()
            && match self {
                Self::Weekly(_) => true,
                Self::Monthly(week, _) => week.contains(date),
            }
    }
}

impl WeeklySlot {
    #[must_use]
    pub const fn recurrence(&self) -> Recurrence {
        Recurrence::Weekly(self.weekday)
    }
}

impl MonthlySlot {
    #[must_use]
    pub const fn recurrence(&self) -> Recurrence {
        Recurrence::Monthly(self.week, self.weekday)
    }
}

/// What a dated exception does on the days it covers.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    /// Closed the whole day(s).
    Closed,
    /// Open only in the exception's slots; they replace the weekly slots.
    OpenOnly,
    /// Open in the exception's slots besides the weekly slots.
    Extra,
}

impl ExceptionKind {
    /// The Dutch label shown to people.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Closed => "Gesloten",
            Self::OpenOnly => "Andere openingstijden",
            Self::Extra => "Extra open",
        }
    }
}

/// A dated exception to the weekly hours, from `from` to `to` inclusive (local dates).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Exception {
    #[schema(value_type = String, format = Date, example = "2025-12-22")]
    pub from: Date,
    #[schema(value_type = String, format = Date, example = "2026-01-02")]
    pub to: Date,
    pub kind: ExceptionKind,
    /// The hours of an `OpenOnly` or `Extra` exception; empty for `Closed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<TimeSlot>,
    /// Why, in plain Dutch, shown to residents: "Kerstvakantie", "Extra spreekuur belastingaangifte".
    #[serde(default)]
    pub reason: String,
}

impl Exception {
    /// True when `date` lies in `from..=to`.
    #[must_use]
    pub fn covers(&self, date: Date) -> bool {
        self.from <= date && date <= self.to
    }

    /// Number of days after `from` that `to` lies (0 for a one-day exception); used to rank overlapping exceptions.
    fn span_days(&self) -> i32 {
        self.from.until(self.to).map_or(0, |s| s.get_days())
    }
}

/// Which country's public holidays and time zone apply. Serialised as `"NL"` / `"BE"`, like [`Country`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Region {
    /// The Netherlands: Europe/Amsterdam.
    #[default]
    Nl,
    /// Belgium: Europe/Brussels.
    Be,
}

impl Region {
    /// The IANA name of the region's zone, for display and exports (HSDS).
    #[must_use]
    pub const fn iana_zone(self) -> &'static str {
        match self {
            Self::Nl => "Europe/Amsterdam",
            Self::Be => "Europe/Brussels",
        }
    }

    /// The region's zone as the built-in CET/CEST rule ([`CET_CEST_RULE`]): no time-zone database needed.
    #[must_use]
    pub fn time_zone(self) -> &'static TimeZone {
        // Amsterdam and Brussels share the rule.
        &CET_CEST
    }
}

impl From<Country> for Region {
    fn from(country: Country) -> Self {
        match country {
            Country::Nl => Self::Nl,
            Country::Be => Self::Be,
        }
    }
}

impl From<Region> for Country {
    fn from(region: Region) -> Self {
        match region {
            Region::Nl => Self::Nl,
            Region::Be => Self::Be,
        }
    }
}

fn default_true() -> bool {
    true
}

/// A help point's opening hours. Stored as JSON:
/// `{"weekly":[{"weekday":"mon","start":"10:00","end":"12:30"}],"exceptions":[],"region":"NL","closed_on_public_holidays":true}`;
/// every field may be left out when reading (no hours, no exceptions, NL, closed on public holidays). Monthly slots
/// (`"monthly":[{"week":1,"weekday":"tue","start":"10:00","end":"12:00"}]`) are written only when there are some,
/// so hours without them keep their stored form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OpeningHours {
    #[serde(default)]
    pub weekly: Vec<WeeklySlot>,
    /// Slots on the Nth or last weekday of every month ("elke eerste dinsdag van de maand").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monthly: Vec<MonthlySlot>,
    #[serde(default)]
    pub exceptions: Vec<Exception>,
    #[serde(default)]
    pub region: Region,
    #[serde(default = "default_true")]
    pub closed_on_public_holidays: bool,
}

impl Default for OpeningHours {
    fn default() -> Self {
        Self {
            weekly: Vec::new(),
            monthly: Vec::new(),
            exceptions: Vec::new(),
            region: Region::Nl,
            closed_on_public_holidays: true,
        }
    }
}

/// One stretch of opening: from `start` (inclusive) to `end` (exclusive). `is_now` when the instant asked about lies in
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OpenPeriod {
    #[schema(value_type = String, format = DateTime)]
    pub start: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end: Timestamp,
    pub is_now: bool,
}

impl OpeningHours {
    /// Weekly hours in `region`, closed on public holidays, without exceptions.
    #[must_use]
    pub fn weekly(region: Region, weekly: Vec<WeeklySlot>) -> Self {
        Self {
            weekly,
            region,
            ..Self::default()
        }
    }

    /// Every regular slot with how it recurs: the weekly ones, then the monthly ones.
    #[must_use]
    pub fn recurring(&self) -> Vec<(Recurrence, TimeSlot)> {
        self.weekly
            .iter()
            .map(|w| (w.recurrence(), w.slot))
            .chain(self.monthly.iter().map(|m| (m.recurrence(), m.slot)))
            .collect()
    }

    /// No regular hours and no dated exceptions: nothing says when it is open.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.weekly.is_empty() && self.monthly.is_empty() && self.exceptions.is_empty()
    }

    /// Check what the types cannot: slots end after they start, exceptions end on or after they start, `Closed` has
    /// no slots and the others have some. Messages are Dutch; the field is `"hours"` or `"exceptions"`.
    pub fn validate(&self) -> Result<(), ValidationError> {
        for slot in self
            .weekly
            .iter()
            .map(|w| w.slot)
            .chain(self.monthly.iter().map(|m| m.slot))
        {
            TimeSlot::new(slot.start, slot.end)?;
        }
        for e in &self.exceptions {
            let label = if e.reason.trim().is_empty() {
                format!("{} tot en met {}", e.from, e.to)
            } else {
                format!("'{}'", e.reason.trim())
            };
            if e.to < e.from {
                return Err(ValidationError::new(
                    "exceptions",
                    format!(
                        "Uitzondering {label}: de einddatum {} ligt voor de begindatum {}.",
                        e.to, e.from
                    ),
                ));
            }
            match e.kind {
                ExceptionKind::Closed if !e.slots.is_empty() => {
                    return Err(ValidationError::new(
                        "exceptions",
                        format!(
                            "Uitzondering {label}: bij 'gesloten' horen geen tijden. Kies 'extra open' of 'andere openingstijden'."
                        ),
                    ));
                }
                ExceptionKind::OpenOnly | ExceptionKind::Extra if e.slots.is_empty() => {
                    return Err(ValidationError::new(
                        "exceptions",
                        format!("Uitzondering {label}: vul de tijden in, of kies 'gesloten'."),
                    ));
                }
                _ => {}
            }
            for s in &e.slots {
                TimeSlot::new(s.start, s.end)
                    .map_err(|err| ValidationError::new("exceptions", err.message))?;
            }
        }
        Ok(())
    }

    /// The public holiday on `date` in this region, if any (also when the point opens on public holidays).
    #[must_use]
    pub fn holiday_on(&self, date: Date) -> Option<&'static str> {
        public_holiday(self.region, date)
    }

    /// The slots that apply on a local date (after holidays and exceptions), sorted, merged if overlapping or touching.
    #[must_use]
    pub fn slots_on(&self, date: Date) -> Vec<TimeSlot> {
        let mut slots: Vec<TimeSlot> =
            if self.closed_on_public_holidays && public_holiday(self.region, date).is_some() {
                Vec::new()
            } else {
                let weekday = Weekday::of(date);
                self.weekly
                    .iter()
                    .filter(|w| w.weekday == weekday)
                    .map(|w| w.slot)
                    .chain(
                        self.monthly
                            .iter()
                            .filter(|m| m.weekday == weekday && m.week.contains(date))
                            .map(|m| m.slot),
                    )
                    .collect()
            };
        let mut covering: Vec<&Exception> =
            self.exceptions.iter().filter(|e| e.covers(date)).collect();
        // Longest first, so that the more specific exception is applied last and wins; the sort is stable, so
        // among equally long ones the later in the list wins.
        covering.sort_by_key(|e| std::cmp::Reverse(e.span_days()));
        for e in covering {
            match e.kind {
                ExceptionKind::Closed => slots.clear(),
                ExceptionKind::OpenOnly => {
                    slots.clear();
                    slots.extend_from_slice(&e.slots);
                }
                ExceptionKind::Extra => slots.extend_from_slice(&e.slots),
            }
        }
        merge_slots(slots)
    }

    /// The instants at which the point is open on a local date: [`slots_on`](Self::slots_on) mapped through the
    /// region's zone (see the module documentation for the DST days). Sorted, disjoint, never empty spans.
    #[must_use]
    pub fn periods_on(&self, date: Date) -> Vec<(Timestamp, Timestamp)> {
        let tz = self.region.time_zone();
        let mut periods: Vec<(Timestamp, Timestamp)> = Vec::new();
        for slot in self.slots_on(date) {
            let (Some(start), Some(end)) = (
                local_instant(tz, date.to_datetime(slot.start), Edge::Start),
                local_instant(tz, date.to_datetime(slot.end), Edge::End),
            ) else {
                continue;
            };
            if end <= start {
                continue; // wholly inside the hour skipped in spring
            }
            match periods.last_mut() {
                // On the autumn day two slots can overlap as instants (first 02:45, last 02:15).
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => periods.push((start, end)),
            }
        }
        periods
    }

    /// Open at this instant?
    #[must_use]
    pub fn is_open_at(&self, at: Timestamp) -> bool {
        self.periods_on(self.local_date(at))
            .iter()
            .any(|&(start, end)| start <= at && at < end)
    }

    /// These hours with `other`'s closing days added: a mobile help point's stop is closed when its help point is
    /// (a closing week, a day off), also when the stop's own hours do not say so.
    #[must_use]
    pub fn with_closures_of(&self, other: &OpeningHours) -> OpeningHours {
        let mut hours = self.clone();
        for e in other
            .exceptions
            .iter()
            .filter(|e| e.kind == ExceptionKind::Closed)
        {
            if !hours.exceptions.contains(e) {
                hours.exceptions.push(e.clone());
            }
        }
        hours
    }

    /// The next opening at or after `at` (if open now: the current slot), searching up to [`SEARCH_DAYS`] days ahead.
    #[must_use]
    pub fn next_open(&self, at: Timestamp) -> Option<OpenPeriod> {
        let mut date = self.local_date(at);
        for _ in 0..=SEARCH_DAYS {
            if let Some(&(start, end)) = self.periods_on(date).iter().find(|p| p.1 > at) {
                return Some(OpenPeriod {
                    start,
                    end,
                    is_now: start <= at,
                });
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// Open at any moment from `at` until the end of the local day? (The "open today" filter.)
    #[must_use]
    pub fn open_later_today(&self, at: Timestamp) -> bool {
        self.periods_on(self.local_date(at))
            .iter()
            .any(|&(_, end)| end > at)
    }

    /// Open at any moment from `at` until the end of the local week (Sunday 24:00)? (The "this week" filter.)
    #[must_use]
    pub fn open_this_week(&self, at: Timestamp) -> bool {
        let mut date = self.local_date(at);
        loop {
            if self.periods_on(date).iter().any(|&(_, end)| end > at) {
                return true;
            }
            if Weekday::of(date) == Weekday::Sun {
                return false;
            }
            let Ok(next) = date.tomorrow() else {
                return false;
            };
            date = next;
        }
    }

    fn local_date(&self, at: Timestamp) -> Date {
        self.region.time_zone().to_datetime(at).date()
    }
}

/// Sort, drop invalid (end <= start) slots, merge overlapping or touching ones.
fn merge_slots(mut slots: Vec<TimeSlot>) -> Vec<TimeSlot> {
    slots.retain(|s| s.is_valid());
    slots.sort_unstable();
    let mut merged: Vec<TimeSlot> = Vec::with_capacity(slots.len());
    for s in slots {
        match merged.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    merged
}

#[derive(Clone, Copy)]
enum Edge {
    Start,
    End,
}

/// The instant of a local date-time: in the spring gap, the moment of the jump (the first instant whose local time
/// is later); in the autumn fold, the first occurrence for a start and the last for an end.
fn local_instant(tz: &TimeZone, dt: DateTime, edge: Edge) -> Option<Timestamp> {
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok(),
        AmbiguousOffset::Gap { after, .. } => {
            // Read with the later offset, the local time falls before the jump; the next transition is the jump.
            let before_jump = after.to_timestamp(dt).ok()?;
            tz.following(before_jump).next().map(|t| t.timestamp())
        }
        AmbiguousOffset::Fold { before, after } => match edge {
            Edge::Start => before.to_timestamp(dt).ok(),
            Edge::End => after.to_timestamp(dt).ok(),
        },
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Plain Dutch descriptions
// ---------------------------------------------------------------------------------------------------------------

/// Dutch month names, January first.
pub const MONTHS_NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// `"dinsdag 3 maart"`.
#[must_use]
pub fn date_nl(date: Date) -> String {
    let month = usize::try_from(date.month() - 1)
        .ok()
        .and_then(|m| MONTHS_NL.get(m))
        .copied()
        .unwrap_or("");
    format!("{} {} {month}", Weekday::of(date).name_nl(), date.day())
}

/// `"dinsdag 2 september 2025"`: the day of a moment (unix seconds) in the zone the Netherlands and Belgium share;
/// `None` for a moment jiff cannot represent.
#[must_use]
pub fn day_with_year_nl(unix_seconds: i64) -> Option<String> {
    let moment = jiff::Timestamp::from_second(unix_seconds).ok()?;
    let date = Region::Nl.time_zone().to_datetime(moment).date();
    Some(format!("{} {}", date_nl(date), date.year()))
}

/// When an opening is, relative to now, without words: pages render it in the reader's language
/// ([`OpenPeriod::describe_nl`] is the Dutch rendering). Times are local to the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpeningWhen {
    /// Open at this moment, until `end`.
    Now {
        end: Time,
    },
    Today {
        start: Time,
        end: Time,
    },
    Tomorrow {
        start: Time,
        end: Time,
    },
    /// Another day; `with_year` when the day lies in another year and more than a week ahead.
    OnDate {
        date: Date,
        with_year: bool,
        start: Time,
        end: Time,
    },
}

impl OpenPeriod {
    /// The period relative to `now`, in the region's local time.
    #[must_use]
    pub fn when(&self, now: Timestamp, region: Region) -> OpeningWhen {
        let tz = region.time_zone();
        let start = tz.to_datetime(self.start);
        let end = tz.to_datetime(self.end);
        if self.start <= now && now < self.end {
            return OpeningWhen::Now { end: end.time() };
        }
        let today = tz.to_datetime(now).date();
        let day = start.date();
        let (start, end) = (start.time(), end.time());
        if day == today {
            OpeningWhen::Today { start, end }
        } else if today.tomorrow().is_ok_and(|t| t == day) {
            OpeningWhen::Tomorrow { start, end }
        } else {
            let far = today
                .checked_add(7.days())
                .is_ok_and(|week_ahead| day >= week_ahead);
            OpeningWhen::OnDate {
                date: day,
                with_year: far && day.year() != today.year(),
                start,
                end,
            }
        }
    }

    /// Plain Dutch, in the region's local time: "Nu open tot 16:00", "Vandaag open van 13:30 tot 16:00",
    /// "Morgen open van 10:00 tot 12:30", "Open op dinsdag 3 maart van 10:00 tot 12:00" (with the year when the day
    /// lies in another year and more than a week ahead).
    #[must_use]
    pub fn describe_nl(&self, now: Timestamp, region: Region) -> String {
        let times = |start: Time, end: Time| format!("van {} tot {}", clock(start), clock(end));
        match self.when(now, region) {
            OpeningWhen::Now { end } => format!("Nu open tot {}", clock(end)),
            OpeningWhen::Today { start, end } => format!("Vandaag open {}", times(start, end)),
            OpeningWhen::Tomorrow { start, end } => format!("Morgen open {}", times(start, end)),
            OpeningWhen::OnDate {
                date,
                with_year,
                start,
                end,
            } => {
                let year = if with_year {
                    format!(" {}", date.year())
                } else {
                    String::new()
                };
                format!("Open op {}{year} {}", date_nl(date), times(start, end))
            }
        }
    }
}

/// A local time as a page shows it: `"10:00"` (seconds only when not zero).
#[must_use]
pub fn clock_text(t: Time) -> String {
    clock(t)
}

// ---------------------------------------------------------------------------------------------------------------
// Public holidays
// ---------------------------------------------------------------------------------------------------------------

/// Easter Sunday of a year (Gregorian calendar, the anonymous "Meeus/Jones/Butcher" algorithm).
#[must_use]
pub fn easter_sunday(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let (a, b, c) = (y % 19, y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// Calls `f` for each public holiday of the region in `year`, in no particular order, without allocating.
fn each_public_holiday(region: Region, year: i16, mut f: impl FnMut(Date, &'static str)) {
    let mut fixed = |month: i8, day: i8, name: &'static str| {
        if let Ok(date) = Date::new(year, month, day) {
            f(date, name);
        }
    };
    let easter = easter_sunday(year);
    let after_easter = |days: i64| easter.and_then(|e| e.checked_add(days.days()).ok());
    match region {
        Region::Nl => {
            fixed(1, 1, "Nieuwjaarsdag");
            // Koningsdag: 27 April, or the 26th when the 27th is a Sunday (the rule since 2014).
            if let Ok(kings_day) = Date::new(year, 4, 27) {
                let name = "Koningsdag";
                if kings_day.weekday() == jiff::civil::Weekday::Sunday {
                    fixed(4, 26, name);
                } else {
                    fixed(4, 27, name);
                }
            }
            // Bevrijdingsdag is a national holiday every year, but a general day off only in lustrum years (the
            // national government and most collective agreements give it every five years).
            if year.rem_euclid(5) == 0 {
                fixed(5, 5, "Bevrijdingsdag");
            }
            fixed(12, 25, "Eerste Kerstdag");
            fixed(12, 26, "Tweede Kerstdag");
            // Goede Vrijdag is left out: it is not a general day off in the Netherlands (government offices and most
            // libraries are open); a point that closes adds a `Closed` exception.
            for (days, name) in [
                (0, "Eerste Paasdag"),
                (1, "Tweede Paasdag"),
                (39, "Hemelvaartsdag"),
                (49, "Eerste Pinksterdag"),
                (50, "Tweede Pinksterdag"),
            ] {
                if let Some(date) = after_easter(days) {
                    f(date, name);
                }
            }
        }
        Region::Be => {
            // The ten legal public holidays (wettelijke feestdagen). Community holidays such as the Flemish 11 July
            // are not general days off; a point that closes adds a `Closed` exception.
            fixed(1, 1, "Nieuwjaar");
            fixed(5, 1, "Feest van de Arbeid");
            fixed(7, 21, "Nationale feestdag");
            fixed(8, 15, "Onze-Lieve-Vrouw-Hemelvaart");
            fixed(11, 1, "Allerheiligen");
            fixed(11, 11, "Wapenstilstand");
            fixed(12, 25, "Kerstmis");
            for (days, name) in [
                (1, "Paasmaandag"),
                (39, "Onze-Lieve-Heer-Hemelvaart"),
                (50, "Pinkstermaandag"),
            ] {
                if let Some(date) = after_easter(days) {
                    f(date, name);
                }
            }
        }
    }
}

/// The public holidays of a region in a year, by date, with their Dutch names.
///
/// NL: Nieuwjaarsdag, Eerste en Tweede Paasdag, Koningsdag (27 April, 26 April when the 27th is a Sunday),
/// Bevrijdingsdag (5 May, only in lustrum years 2025, 2030, ...: only then is it a general day off), Hemelvaartsdag,
/// Eerste en Tweede Pinksterdag, Eerste en Tweede Kerstdag. Goede Vrijdag is not included: it is not a general day
/// off. The Koningsdag rule is the one in force since 2014 and is applied to every year.
///
/// BE: the ten legal holidays: Nieuwjaar, Paasmaandag, Feest van de Arbeid (1 May), Onze-Lieve-Heer-Hemelvaart,
/// Pinkstermaandag, Nationale feestdag (21 July), Onze-Lieve-Vrouw-Hemelvaart (15 August), Allerheiligen (1 November),
/// Wapenstilstand (11 November), Kerstmis (25 December).
#[must_use]
pub fn public_holidays(region: Region, year: i16) -> Vec<(Date, &'static str)> {
    let mut days = Vec::with_capacity(11);
    each_public_holiday(region, year, |date, name| days.push((date, name)));
    days.sort_by_key(|&(date, _)| date);
    days
}

/// The public holiday on `date` in the region, if any.
#[must_use]
pub fn public_holiday(region: Region, date: Date) -> Option<&'static str> {
    let mut found = None;
    each_public_holiday(region, date.year(), |d, name| {
        if d == date && found.is_none() {
            found = Some(name);
        }
    });
    found
}

// ---------------------------------------------------------------------------------------------------------------
// Text syntax
// ---------------------------------------------------------------------------------------------------------------

/// `10:00`, or `10:00:30` when seconds are set.
fn clock(t: Time) -> String {
    if t.second() == 0 && t.subsec_nanosecond() == 0 {
        format!("{:02}:{:02}", t.hour(), t.minute())
    } else {
        format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
    }
}

/// Serde for times as `"HH:MM"` (reads `"HH:MM:SS"` too).
mod hhmm {
    use jiff::civil::Time;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(super) fn serialize<S: Serializer>(t: &Time, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::clock(*t))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).ok_or_else(|| D::Error::custom(format!("ongeldige tijd '{s}', verwacht HH:MM")))
    }

    fn parse(s: &str) -> Option<Time> {
        let mut parts = s.split(':');
        let mut two = |max: i8| -> Option<i8> {
            let p = parts.next()?;
            if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.parse::<i8>().ok().filter(|v| *v <= max)
        };
        let hour = two(23)?;
        let minute = two(59)?;
        let second = match parts.next() {
            None => 0,
            Some(p) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<i8>().ok().filter(|v| *v <= 59)?
            }
            Some(_) => return None,
        };
        if parts.next().is_some() {
            return None;
        }
        Time::new(hour, minute, second, 0).ok()
    }
}

/// Per weekday (Monday first): the sorted, de-duplicated slots.
fn per_day(slots: &[WeeklySlot]) -> [Vec<TimeSlot>; 7] {
    let mut days: [Vec<TimeSlot>; 7] = Default::default();
    for w in slots {
        if let Some(day) = days.get_mut(w.weekday.index()) {
            day.push(w.slot);
        }
    }
    for day in &mut days {
        day.sort_unstable();
        day.dedup();
    }
    days
}

/// The reverse of [`parse_weekly`], for display and export: `"ma-vr 10:00-16:00; za 10:00-12:00"`.
///
/// Days with the same slots are written together, consecutive ones as a range (`ma-vr`, or `za, zo` for two days):
/// `"ma, wo, vr 10:00-12:00; di, do 13:00-16:00"`. Several slots on a day are joined by `en`. No hours at all give
/// the empty string.
#[must_use]
pub fn format_weekly(slots: &[WeeklySlot]) -> String {
    let days = per_day(slots);
    let mut groups: Vec<(Vec<Weekday>, &Vec<TimeSlot>)> = Vec::new();
    for (weekday, day_slots) in Weekday::ALL.into_iter().zip(days.iter()) {
        if day_slots.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(_, s)| *s == day_slots) {
            Some((group_days, _)) => group_days.push(weekday),
            None => groups.push((vec![weekday], day_slots)),
        }
    }
    let mut out = String::new();
    for (days, day_slots) in groups {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(&days_text(&days));
        out.push(' ');
        let times: Vec<String> = day_slots.iter().map(ToString::to_string).collect();
        out.push_str(&times.join(" en "));
    }
    out
}

/// Sorted days as runs: `ma-vr`, `za, zo`, `ma, wo-vr`.
fn days_text(days: &[Weekday]) -> String {
    let mut runs: Vec<(Weekday, Weekday)> = Vec::new();
    for &d in days {
        match runs.last_mut() {
            Some(run) if run.1 != Weekday::Sun && run.1.next() == d => run.1 = d,
            _ => runs.push((d, d)),
        }
    }
    let mut out = String::new();
    for (first, last) in runs {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(first.abbr_nl());
        match last.index() - first.index() {
            0 => {}
            1 => {
                let _ = write!(out, ", {}", last.abbr_nl());
            }
            _ => {
                let _ = write!(out, "-{}", last.abbr_nl());
            }
        }
    }
    out
}

/// Per weekday, Monday to Sunday, the merged slots (empty: closed); pages render it in the reader's language.
#[must_use]
pub fn weekly_table(slots: &[WeeklySlot]) -> Vec<(Weekday, Vec<TimeSlot>)> {
    Weekday::ALL.into_iter().zip(per_day(slots)).collect()
}

/// Per-day lines for a help point page, Monday to Sunday:
/// `[("maandag", "10:00 - 12:30 en 13:30 - 16:00"), ..., ("zaterdag", "gesloten"), ...]`.
#[must_use]
pub fn weekly_table_nl(slots: &[WeeklySlot]) -> Vec<(&'static str, String)> {
    weekly_table(slots)
        .into_iter()
        .map(|(weekday, day_slots)| {
            let text = if day_slots.is_empty() {
                "gesloten".to_owned()
            } else {
                day_slots
                    .iter()
                    .map(|s| format!("{} - {}", clock(s.start), clock(s.end)))
                    .collect::<Vec<_>>()
                    .join(" en ")
            };
            (weekday.name_nl(), text)
        })
        .collect()
}

const FIELD: &str = "hours";
const DAY_HINT: &str = "Gebruik ma, di, wo, do, vr, za of zo.";
const TIME_HINT: &str = "Schrijf een tijd als 10:00, 9.30 of 13.";

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// One or more days (`ma`, `werkdagen`).
    Days(&'static [Weekday]),
    /// `-`, `t/m`, `tot`, `tot en met`.
    Dash,
    /// A time and the text it was read from.
    Time(Time),
    /// `gesloten`, `dicht`.
    Closed,
}

fn error(message: impl Into<String>) -> ValidationError {
    ValidationError::new(FIELD, message)
}

/// A Dutch day name: the two-letter abbreviation, the full name, or any longer prefix of it ("din", "woe").
fn day_word(word: &str) -> Option<&'static [Weekday]> {
    const ONE: [&[Weekday]; 7] = [
        &[Weekday::Mon],
        &[Weekday::Tue],
        &[Weekday::Wed],
        &[Weekday::Thu],
        &[Weekday::Fri],
        &[Weekday::Sat],
        &[Weekday::Sun],
    ];
    match word {
        "dagelijks" | "alledagen" => return Some(&Weekday::ALL),
        "werkdagen" | "doordeweeks" => {
            return Some(&[
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ]);
        }
        "weekend" => return Some(&[Weekday::Sat, Weekday::Sun]),
        _ => {}
    }
    if word.chars().count() < 2 {
        return None;
    }
    Weekday::ALL
        .iter()
        .zip(ONE)
        .find(|(d, _)| d.name_nl().starts_with(word))
        .map(|(_, days)| days)
}

/// Reads `9`, `09`, `9:30`, `9.30`, `9u30`, `9u`, `10uur`, `13h30`.
fn clock_word(raw: &str, part: &str) -> Result<Time, ValidationError> {
    let invalid = || error(format!("Ongeldige tijd '{raw}' in '{part}'. {TIME_HINT}"));
    let mut s = raw.trim_end_matches('.');
    for suffix in ["uur", "u", "h"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest;
            break;
        }
    }
    let (hours, minutes) = match s.find([':', '.', 'u', 'h']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, "00"),
    };
    let digits = |p: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(hours, 1..=2) || !digits(minutes, 2..=2) {
        return Err(invalid());
    }
    let hour: i8 = hours.parse().map_err(|_| invalid())?;
    let minute: i8 = minutes.parse().map_err(|_| invalid())?;
    if hour == 24 && minute == 0 {
        return Err(error(format!(
            "Tijd 24:00 in '{part}' kan niet: gebruik 23:59 voor het einde van de dag."
        )));
    }
    if hour > 23 || minute > 59 {
        return Err(invalid());
    }
    Time::new(hour, minute, 0, 0).map_err(|_| invalid())
}

/// Splits one `;`-separated part into tokens.
fn tokenize(part: &str) -> Result<Vec<Token>, ValidationError> {
    let mut tokens = Vec::new();
    let mut words: Vec<String> = Vec::new(); // pending words, to recognise "tot en met"
    let mut chars = part.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() || matches!(c, ',' | '&' | '+' | ':' | '(' | ')') {
            chars.next();
        } else if matches!(c, '-' | '\u{2013}' | '\u{2014}') {
            chars.next();
            tokens.push(Token::Dash);
        } else if c.is_ascii_digit() {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_ascii_digit() || matches!(d, ':' | '.' | 'u' | 'U' | 'h' | 'H' | 'r' | 'R')
                {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let raw = &part[i..end];
            tokens.push(Token::Time(clock_word(&raw.to_lowercase(), part)?));
        } else if c.is_alphabetic() {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphabetic() || matches!(d, '/' | '.' | '\'') {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let original = &part[i..end];
            let word = original.trim_end_matches('.').to_lowercase();
            words.push(word.clone());
            match word.as_str() {
                "en" | "van" | "uur" | "u" | "h" | "open" => {
                    // "tot en met": the "tot" already became a dash; drop "en met".
                }
                "met"
                    if words.len() >= 3
                        && words[words.len() - 3..words.len() - 1] == ["tot", "en"] => {}
                "tot" | "t/m" | "tm" | "t.e.m" | "tem" => tokens.push(Token::Dash),
                "gesloten" | "dicht" => tokens.push(Token::Closed),
                _ => match day_word(&word) {
                    Some(days) => tokens.push(Token::Days(days)),
                    None => {
                        return Err(error(format!(
                            "Onbekende dag '{original}' in '{part}'. {DAY_HINT}"
                        )));
                    }
                },
            }
        } else {
            return Err(error(format!("Onbekend teken '{c}' in '{part}'.")));
        }
    }
    Ok(tokens)
}

/// Latest end hour read as afternoon when it lies before the start: nobody closes a help point between 01:00 and
/// 07:59, so "9 tot 5" means 09:00-17:00.
const AFTERNOON_END_HOURS: std::ops::RangeInclusive<i8> = 1..=7;

/// A slot as people write it: an end before the start in the early hours is the afternoon ("maandag 9 tot 5" is
/// 09:00-17:00); an end at 08:00 or 09:00 before the start gets a suggestion ("Bedoelt u 10:00-21:00?"), because
/// evening hours exist and keten should not guess them.
fn read_slot(start: Time, end: Time) -> Result<TimeSlot, ValidationError> {
    let afternoon = end
        .checked_add(12.hours())
        .ok()
        .filter(|later| end < start && end.hour() < 12 && *later > start);
    match afternoon {
        Some(later) if AFTERNOON_END_HOURS.contains(&end.hour()) => TimeSlot::new(start, later),
        Some(later) if later.hour() <= 21 => TimeSlot::new(start, end).map_err(|e| {
            error(format!(
                "{} Bedoelt u {}-{}?",
                e.message,
                clock(start),
                clock(later)
            ))
        }),
        _ => TimeSlot::new(start, end),
    }
}

/// What one group of days says: their slots, or that they are closed.
struct Group {
    days: Vec<Weekday>,
    slots: Vec<TimeSlot>,
    closed: bool,
}

/// What a spreadsheet says of a help point without weekly hours (a bus that keeps to its stops): no hours at all,
/// like `gesloten`, without saying the place is shut.
pub const NO_FIXED_HOURS: &str = "geen vaste tijden";

fn parse_part(part: &str) -> Result<Vec<Group>, ValidationError> {
    if part.trim().eq_ignore_ascii_case(NO_FIXED_HOURS) {
        return Ok(Vec::new());
    }
    let tokens = tokenize(part)?;
    if tokens.iter().all(|t| *t == Token::Closed) {
        return Ok(Vec::new()); // "gesloten": no hours at all
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut cur = Group {
        days: Vec::new(),
        slots: Vec::new(),
        closed: false,
    };
    let finish = |cur: &mut Group, groups: &mut Vec<Group>| -> Result<(), ValidationError> {
        if cur.slots.is_empty() && !cur.closed {
            let first = cur.days.first().map_or("", |d| d.abbr_nl());
            return Err(error(format!(
                "Bij '{first}' staan geen tijden in '{part}'. Schrijf bijvoorbeeld '{first} 10:00-12:00' of '{first} gesloten'."
            )));
        }
        groups.push(std::mem::replace(
            cur,
            Group {
                days: Vec::new(),
                slots: Vec::new(),
                closed: false,
            },
        ));
        Ok(())
    };
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        match *token {
            Token::Days(days) => {
                if !cur.slots.is_empty() || cur.closed {
                    finish(&mut cur, &mut groups)?;
                }
                if tokens.get(i + 1) == Some(&Token::Dash) {
                    let (&[first], Some(&Token::Days(&[last]))) = (days, tokens.get(i + 2)) else {
                        return Err(error(format!(
                            "Schrijf een reeks dagen als 'ma-vr' in '{part}'."
                        )));
                    };
                    let mut day = first;
                    cur.days.push(day);
                    while day != last {
                        day = day.next();
                        cur.days.push(day);
                    }
                    i += 3;
                } else {
                    cur.days.extend_from_slice(days);
                    i += 1;
                }
            }
            Token::Time(start) => {
                if cur.days.is_empty() {
                    return Err(error(format!(
                        "Er staat geen dag voor de tijden in '{part}'. Begin met een dag, bijvoorbeeld 'ma 10:00-12:00'."
                    )));
                }
                if cur.closed {
                    return Err(error(format!(
                        "In '{part}' staat een dag zowel 'gesloten' als met tijden."
                    )));
                }
                let (Some(Token::Dash), Some(&Token::Time(end))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                else {
                    return Err(error(format!(
                        "Bij begintijd {} in '{part}' ontbreekt de eindtijd. Schrijf bijvoorbeeld 10:00-12:00.",
                        clock(start)
                    )));
                };
                cur.slots.push(read_slot(start, end)?);
                i += 3;
            }
            Token::Dash => {
                return Err(error(format!(
                    "Er staat een los streepje in '{part}'. Schrijf bijvoorbeeld 'ma-vr 10:00-16:00'."
                )));
            }
            Token::Closed => {
                if cur.days.is_empty() {
                    return Err(error(format!(
                        "Zet de dag voor 'gesloten' in '{part}', bijvoorbeeld 'zo gesloten'."
                    )));
                }
                if !cur.slots.is_empty() {
                    return Err(error(format!(
                        "In '{part}' staat een dag zowel 'gesloten' als met tijden."
                    )));
                }
                cur.closed = true;
                i += 1;
            }
        }
    }
    if !cur.days.is_empty() {
        finish(&mut cur, &mut groups)?;
    }
    Ok(groups)
}

/// Parse the simple text syntax used in spreadsheets: `"ma-vr 10:00-16:00; za 10:00-12:00"`,
/// `"ma, wo 9:00-12:30 en 13:30-16:00"`, `"di 13-16"`, `"dinsdag en donderdag 10:00-12:00"`.
///
/// Days: `ma di wo do vr za zo`, full names (`maandag`) or longer abbreviations (`din`, `woe`), ranges with `-` or
/// `t/m` (a range may wrap past Sunday: `vr-ma`), lists with `,` or `en`, and `werkdagen`, `weekend`, `dagelijks`.
/// Times: `HH:MM`, `H`, `H.MM`, `9u30` (Flemish), optionally `uur`; slots `10-12` or `van 10 tot 12`, several per day
/// separated by `en` or `,`. Parts are separated by `;` or new lines; `zo gesloten` says a day is closed; an empty
/// text, `gesloten` or [`NO_FIXED_HOURS`] means no weekly hours. Overlapping slots on a day are refused; exact
/// repeats are dropped.
/// The result is sorted by weekday and start. Errors are Dutch, on the field `"hours"`.
pub fn parse_weekly(text: &str) -> Result<Vec<WeeklySlot>, ValidationError> {
    let mut slots: [Vec<TimeSlot>; 7] = Default::default();
    let mut closed = [false; 7];
    for part in text.split([';', '\n']).map(str::trim) {
        if part.is_empty() {
            continue;
        }
        for group in parse_part(part)? {
            for day in group.days {
                let i = day.index();
                if let (Some(day_slots), Some(day_closed)) = (slots.get_mut(i), closed.get_mut(i)) {
                    day_slots.extend_from_slice(&group.slots);
                    *day_closed |= group.closed;
                }
            }
        }
    }
    let mut out = Vec::new();
    for ((weekday, mut day_slots), day_closed) in Weekday::ALL.into_iter().zip(slots).zip(closed) {
        if day_closed && !day_slots.is_empty() {
            return Err(error(format!(
                "Voor {} staan zowel tijden als 'gesloten'. Kies een van beide.",
                weekday.name_nl()
            )));
        }
        day_slots.sort_unstable();
        day_slots.dedup();
        for pair in day_slots.windows(2) {
            if let [a, b] = pair
                && b.start < a.end
            {
                return Err(error(format!(
                    "Tijden {a} en {b} op {} overlappen.",
                    weekday.name_nl()
                )));
            }
        }
        out.extend(
            day_slots
                .into_iter()
                .map(|slot| WeeklySlot { weekday, slot }),
        );
    }
    Ok(out)
}

/// The ordinal word of a monthly part ("eerste", "1e", "laatste"), if `word` is one.
fn week_word(word: &str) -> Option<WeekOfMonth> {
    Some(match word {
        "eerste" | "1e" | "1ste" => WeekOfMonth::First,
        "tweede" | "2e" | "2de" => WeekOfMonth::Second,
        "derde" | "3e" | "3de" => WeekOfMonth::Third,
        "vierde" | "4e" | "4de" => WeekOfMonth::Fourth,
        "laatste" => WeekOfMonth::Last,
        _ => return None,
    })
}

/// Splits a part into its week of the month and the rest in the weekly syntax, or `None` for a weekly part.
/// "Elke eerste dinsdag van de maand, 10:00-12:00" -> (First, "dinsdag 10:00-12:00"); "elke di 10-12" -> weekly.
fn monthly_part(part: &str) -> (Option<WeekOfMonth>, String) {
    // The words as typed (error messages quote them) and in lower case without trailing punctuation (to compare).
    let mut words: Vec<(&str, String)> = part
        .split_whitespace()
        .map(|w| (w, w.trim_end_matches([',', '.']).to_lowercase()))
        .collect();
    if words
        .first()
        .is_some_and(|(_, w)| matches!(w.as_str(), "elke" | "iedere"))
    {
        words.remove(0);
    }
    let week = words.first().and_then(|(_, w)| week_word(w));
    if week.is_some() {
        words.remove(0);
    }
    // "van de maand" would otherwise read as a day ("maand" is a prefix of "maandag").
    let mut rest: Vec<&str> = Vec::with_capacity(words.len());
    let mut i = 0;
    while let Some((typed, word)) = words.get(i) {
        let is_phrase = word == "van"
            && words.get(i + 1).is_some_and(|(_, w)| w == "de")
            && words.get(i + 2).is_some_and(|(_, w)| w == "maand");
        if is_phrase {
            i += 3;
        } else {
            rest.push(typed);
            i += 1;
        }
    }
    (week, rest.join(" "))
}

/// The consultation-hour syntax: the weekly syntax of [`parse_weekly`] plus monthly parts, one per `;`:
/// `"di 10:00-12:00; eerste do 13:00-15:00; laatste vr 14-16"`. A monthly part starts with `eerste`, `tweede`,
/// `derde`, `vierde` (or `1e` .. `4e`) or `laatste`, optionally after `elke`, and may say `van de maand`, so the
/// way pages show it reads back: `"Elke eerste dinsdag van de maand, 10:00-12:00"`. Errors are Dutch, on `"hours"`.
pub fn parse_recurring(text: &str) -> Result<(Vec<WeeklySlot>, Vec<MonthlySlot>), ValidationError> {
    let mut weekly_parts: Vec<String> = Vec::new();
    let mut monthly: Vec<MonthlySlot> = Vec::new();
    for part in text.split([';', '\n']).map(str::trim) {
        if part.is_empty() {
            continue;
        }
        match monthly_part(part) {
            (None, rest) => weekly_parts.push(rest),
            (Some(week), rest) => {
                let slots = parse_weekly(&rest).map_err(|e| error(e.message))?;
                if slots.is_empty() {
                    return Err(error(format!(
                        "Bij '{part}' staan geen dag en tijden. Schrijf bijvoorbeeld 'eerste di 10:00-12:00'."
                    )));
                }
                monthly.extend(slots.into_iter().map(|w| MonthlySlot {
                    week,
                    weekday: w.weekday,
                    slot: w.slot,
                }));
            }
        }
    }
    let weekly = parse_weekly(&weekly_parts.join("; "))?;
    monthly.sort_unstable();
    monthly.dedup();
    for pair in monthly.windows(2) {
        if let [a, b] = pair
            && (a.week, a.weekday) == (b.week, b.weekday)
            && b.slot.start < a.slot.end
        {
            return Err(error(format!(
                "Tijden {} en {} op elke {} {} van de maand overlappen.",
                a.slot,
                b.slot,
                a.week.word_nl(),
                a.weekday.name_nl()
            )));
        }
    }
    Ok((weekly, monthly))
}

/// Per (week of the month, weekday), in that order, the sorted slots: the monthly counterpart of [`weekly_table`].
#[must_use]
pub fn monthly_table(slots: &[MonthlySlot]) -> Vec<(WeekOfMonth, Weekday, Vec<TimeSlot>)> {
    let mut sorted = slots.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out: Vec<(WeekOfMonth, Weekday, Vec<TimeSlot>)> = Vec::new();
    for m in sorted {
        match out.last_mut() {
            Some((week, day, day_slots)) if (*week, *day) == (m.week, m.weekday) => {
                day_slots.push(m.slot);
            }
            _ => out.push((m.week, m.weekday, vec![m.slot])),
        }
    }
    out
}

/// The reverse of [`parse_recurring`]: the weekly syntax, then one part per monthly day: `"di 10:00-12:00; eerste
/// do 13:00-15:00"`.
#[must_use]
pub fn format_recurring(weekly: &[WeeklySlot], monthly: &[MonthlySlot]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let weekly = format_weekly(weekly);
    if !weekly.is_empty() {
        parts.push(weekly);
    }
    for (week, day, slots) in monthly_table(monthly) {
        let times: Vec<String> = slots.iter().map(ToString::to_string).collect();
        parts.push(format!(
            "{} {} {}",
            week.word_nl(),
            day.abbr_nl(),
            times.join(" en ")
        ));
    }
    parts.join("; ")
}

/// One monthly day in plain Dutch, as pages show it: `"Elke eerste dinsdag van de maand, 10:00-12:00"`.
#[must_use]
pub fn describe_monthly_nl(week: WeekOfMonth, weekday: Weekday, slots: &[TimeSlot]) -> String {
    let times: Vec<String> = slots.iter().map(ToString::to_string).collect();
    format!(
        "Elke {} {} van de maand, {}",
        week.word_nl(),
        weekday.name_nl(),
        times.join(" en ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn slot(start: &str, end: &str) -> TimeSlot {
        TimeSlot::new(start.parse().unwrap(), end.parse().unwrap()).unwrap()
    }

    fn hours(region: Region, text: &str) -> OpeningHours {
        OpeningHours::weekly(region, parse_weekly(text).unwrap())
    }

    fn period(start: &str, end: &str, is_now: bool) -> Option<OpenPeriod> {
        Some(OpenPeriod {
            start: ts(start),
            end: ts(end),
            is_now,
        })
    }

    fn exception(from: Date, to: Date, kind: ExceptionKind, slots: Vec<TimeSlot>) -> Exception {
        Exception {
            from,
            to,
            kind,
            slots,
            reason: String::new(),
        }
    }

    // ---- weekly slots, open at, next open ----

    #[test]
    fn several_slots_per_day() {
        let h = hours(Region::Nl, "ma, wo 10:00-12:30 en 13:30-16:00; vr 9-12");
        // Monday 3 March 2025 (winter: UTC+1).
        assert_eq!(
            h.slots_on(date(2025, 3, 3)),
            vec![slot("10:00", "12:30"), slot("13:30", "16:00")]
        );
        assert_eq!(h.slots_on(date(2025, 3, 4)), vec![]);
        assert!(!h.is_open_at(ts("2025-03-03T08:59:59Z")));
        assert!(h.is_open_at(ts("2025-03-03T09:00:00Z"))); // 10:00
        assert!(h.is_open_at(ts("2025-03-03T11:29:59Z")));
        assert!(!h.is_open_at(ts("2025-03-03T11:30:00Z"))); // 12:30: end is exclusive
        assert!(!h.is_open_at(ts("2025-03-03T12:00:00Z"))); // lunch
        assert!(h.is_open_at(ts("2025-03-03T13:00:00Z")));
        // During lunch the next opening is the afternoon slot.
        assert_eq!(
            h.next_open(ts("2025-03-03T12:00:00Z")),
            period("2025-03-03T12:30:00Z", "2025-03-03T15:00:00Z", false)
        );
        // While open: the current slot.
        assert_eq!(
            h.next_open(ts("2025-03-03T10:00:00Z")),
            period("2025-03-03T09:00:00Z", "2025-03-03T11:30:00Z", true)
        );
    }

    #[test]
    fn overlapping_and_touching_slots_merge() {
        let h = OpeningHours {
            weekly: vec![
                WeeklySlot {
                    weekday: Weekday::Mon,
                    slot: slot("13:00", "16:00"),
                },
                WeeklySlot {
                    weekday: Weekday::Mon,
                    slot: slot("10:00", "12:00"),
                },
                WeeklySlot {
                    weekday: Weekday::Mon,
                    slot: slot("12:00", "13:30"),
                },
            ],
            ..OpeningHours::default()
        };
        assert_eq!(h.slots_on(date(2025, 3, 3)), vec![slot("10:00", "16:00")]);
    }

    #[test]
    fn next_open_across_midnight_and_weekend() {
        let h = hours(Region::Nl, "ma-vr 10:00-16:00");
        // Tuesday 4 March 2025 23:30 local -> Wednesday 10:00 local.
        assert_eq!(
            h.next_open(ts("2025-03-04T22:30:00Z")),
            period("2025-03-05T09:00:00Z", "2025-03-05T15:00:00Z", false)
        );
        // Just after midnight, local: still Wednesday's slot.
        assert_eq!(
            h.next_open(ts("2025-03-04T23:30:00Z")),
            period("2025-03-05T09:00:00Z", "2025-03-05T15:00:00Z", false)
        );
        // Friday 7 March 16:00 local (closing time) -> Monday 10 March.
        assert_eq!(
            h.next_open(ts("2025-03-07T15:00:00Z")),
            period("2025-03-10T09:00:00Z", "2025-03-10T15:00:00Z", false)
        );
        // Saturday noon -> Monday.
        assert_eq!(
            h.next_open(ts("2025-03-08T11:00:00Z")).map(|p| p.start),
            Some(ts("2025-03-10T09:00:00Z"))
        );
    }

    #[test]
    fn never_open_gives_none() {
        let h = OpeningHours::default();
        assert_eq!(h.next_open(ts("2025-03-03T10:00:00Z")), None);
        assert!(!h.open_later_today(ts("2025-03-03T10:00:00Z")));
        assert!(!h.open_this_week(ts("2025-03-03T10:00:00Z")));
        // Only an extra day more than a year ahead: beyond the search horizon.
        let mut h = OpeningHours::default();
        h.exceptions.push(exception(
            date(2026, 3, 10),
            date(2026, 3, 10),
            ExceptionKind::Extra,
            vec![slot("10:00", "12:00")],
        ));
        assert_eq!(h.next_open(ts("2025-03-03T10:00:00Z")), None);
        assert!(h.next_open(ts("2025-03-11T10:00:00Z")).is_some());
    }

    #[test]
    fn local_ten_oclock_is_nine_utc_in_winter_and_eight_in_summer() {
        let h = hours(Region::Nl, "ma 10:00-11:00");
        assert_eq!(
            h.next_open(ts("2025-01-05T12:00:00Z")).map(|p| p.start),
            Some(ts("2025-01-06T09:00:00Z"))
        );
        assert_eq!(
            h.next_open(ts("2025-07-06T12:00:00Z")).map(|p| p.start),
            Some(ts("2025-07-07T08:00:00Z"))
        );
        // Across the spring change: Saturday 29 March (CET) -> Monday 31 March (CEST).
        assert_eq!(
            h.next_open(ts("2025-03-29T18:00:00Z")),
            period("2025-03-31T08:00:00Z", "2025-03-31T09:00:00Z", false)
        );
        // Across the autumn change: Saturday 25 October (CEST) -> Monday 27 October (CET).
        assert_eq!(
            h.next_open(ts("2025-10-25T18:00:00Z")),
            period("2025-10-27T09:00:00Z", "2025-10-27T10:00:00Z", false)
        );
        let be = hours(Region::Be, "ma 10:00-11:00");
        assert!(be.is_open_at(ts("2025-07-07T08:30:00Z")));
        assert!(!be.is_open_at(ts("2025-07-07T09:30:00Z")));
    }

    #[test]
    fn spring_change_slot_in_the_missing_hour() {
        // Sunday 30 March 2025: at 02:00 CET (01:00Z) clocks jump to 03:00 CEST.
        let h = hours(Region::Nl, "zo 02:30-03:30");
        // Open from the jump until 03:30 CEST.
        assert_eq!(
            h.periods_on(date(2025, 3, 30)),
            vec![(ts("2025-03-30T01:00:00Z"), ts("2025-03-30T01:30:00Z"))]
        );
        assert!(!h.is_open_at(ts("2025-03-30T00:59:59Z"))); // 01:59:59 CET
        assert!(h.is_open_at(ts("2025-03-30T01:00:00Z"))); // 03:00 CEST
        assert!(!h.is_open_at(ts("2025-03-30T01:30:00Z"))); // 03:30 CEST
        assert_eq!(
            h.next_open(ts("2025-03-29T23:00:00Z")),
            period("2025-03-30T01:00:00Z", "2025-03-30T01:30:00Z", false)
        );
        // A normal Sunday a week later: 02:30-03:30 CEST is 00:30Z-01:30Z.
        assert_eq!(
            h.periods_on(date(2025, 4, 6)),
            vec![(ts("2025-04-06T00:30:00Z"), ts("2025-04-06T01:30:00Z"))]
        );
        // A slot wholly inside the missing hour does not happen that day: the next is a week later.
        let gap = hours(Region::Nl, "zo 02:00-02:45");
        assert_eq!(gap.periods_on(date(2025, 3, 30)), vec![]);
        assert_eq!(
            gap.next_open(ts("2025-03-29T23:00:00Z")),
            period("2025-04-06T00:00:00Z", "2025-04-06T00:45:00Z", false)
        );
    }

    #[test]
    fn autumn_change_evening_and_night_slots() {
        // Sunday 26 October 2025: at 03:00 CEST (01:00Z) clocks go back to 02:00 CET.
        let evening = hours(Region::Nl, "za, zo 19:00-21:00");
        // Saturday evening is summer time, Sunday evening winter time.
        assert_eq!(
            evening.periods_on(date(2025, 10, 25)),
            vec![(ts("2025-10-25T17:00:00Z"), ts("2025-10-25T19:00:00Z"))]
        );
        assert_eq!(
            evening.next_open(ts("2025-10-25T20:00:00Z")), // Saturday 22:00 CEST
            period("2025-10-26T18:00:00Z", "2025-10-26T20:00:00Z", false)
        );
        assert!(evening.is_open_at(ts("2025-10-26T19:59:00Z")));
        assert!(!evening.is_open_at(ts("2025-10-26T17:30:00Z")));

        // A night slot across the change lasts one hour longer.
        let night = hours(Region::Nl, "zo 01:00-04:00");
        assert_eq!(
            night.periods_on(date(2025, 10, 26)),
            vec![(ts("2025-10-25T23:00:00Z"), ts("2025-10-26T03:00:00Z"))]
        );
        assert!(night.is_open_at(ts("2025-10-26T00:30:00Z"))); // first 02:30 (CEST)
        assert!(night.is_open_at(ts("2025-10-26T01:30:00Z"))); // second 02:30 (CET)
        // The slot starts at the first 02:15 and ends at the last 02:45.
        let fold = hours(Region::Nl, "zo 02:15-02:45");
        assert_eq!(
            fold.periods_on(date(2025, 10, 26)),
            vec![(ts("2025-10-26T00:15:00Z"), ts("2025-10-26T01:45:00Z"))]
        );
        assert_eq!(
            fold.next_open(ts("2025-10-26T00:30:00Z")),
            period("2025-10-26T00:15:00Z", "2025-10-26T01:45:00Z", true)
        );
    }

    #[test]
    fn open_later_today_and_this_week() {
        let h = hours(Region::Nl, "di 10:00-12:00; do 13:00-15:00");
        // Tuesday 4 March 2025, 11:00 local: open now.
        assert!(h.open_later_today(ts("2025-03-04T10:00:00Z")));
        // Tuesday 12:00 local: closed for the rest of the day, open Thursday.
        assert!(!h.open_later_today(ts("2025-03-04T11:00:00Z")));
        assert!(h.open_this_week(ts("2025-03-04T11:00:00Z")));
        // Thursday 08:00: later today.
        assert!(h.open_later_today(ts("2025-03-06T07:00:00Z")));
        // Thursday 15:00 local: nothing left this week (next Tuesday is next week).
        assert!(!h.open_this_week(ts("2025-03-06T14:00:00Z")));
        // Sunday 23:30 local: the week ends at Sunday 24:00.
        assert!(!h.open_this_week(ts("2025-03-09T22:30:00Z")));
        // Monday 00:10 local belongs to the new week.
        assert!(h.open_this_week(ts("2025-03-09T23:10:00Z")));
        // The filter and the display agree.
        let at = ts("2025-03-04T11:00:00Z");
        let next = h.next_open(at).unwrap();
        assert_eq!(next.start, ts("2025-03-06T12:00:00Z"));
    }

    // ---- holidays and exceptions ----

    #[test]
    fn public_holidays_close_the_point() {
        let h = hours(Region::Nl, "ma-za 10:00-16:00");
        // Koningsdag 2025 is Saturday 26 April (27 April is a Sunday).
        assert_eq!(h.slots_on(date(2025, 4, 26)), vec![]);
        assert_eq!(h.holiday_on(date(2025, 4, 26)), Some("Koningsdag"));
        assert_eq!(
            h.next_open(ts("2025-04-25T15:00:00Z")).map(|p| p.start), // Friday 17:00 CEST
            Some(ts("2025-04-28T08:00:00Z"))
        );
        // Easter Monday 2026 is 6 April: from Saturday 4 April 17:00 the next opening is Tuesday 7 April.
        assert_eq!(h.slots_on(date(2026, 4, 6)), vec![]);
        assert_eq!(
            h.next_open(ts("2026-04-04T15:00:00Z")).map(|p| p.start),
            Some(ts("2026-04-07T08:00:00Z"))
        );
        // Belgian national day: 21 July 2025 (a Monday) closes a Belgian point, not a Dutch one.
        let be = hours(Region::Be, "ma-za 10:00-16:00");
        assert_eq!(be.slots_on(date(2025, 7, 21)), vec![]);
        assert!(!be.is_open_at(ts("2025-07-21T09:00:00Z")));
        assert_eq!(
            be.next_open(ts("2025-07-19T15:00:00Z")).map(|p| p.start),
            Some(ts("2025-07-22T08:00:00Z"))
        );
        assert!(h.is_open_at(ts("2025-07-21T09:00:00Z")));
        // And Koningsdag does not close a Belgian point.
        assert!(be.is_open_at(ts("2025-04-26T09:00:00Z")));
        // A point that opens on public holidays.
        let mut open = h.clone();
        open.closed_on_public_holidays = false;
        assert_eq!(
            open.slots_on(date(2025, 4, 26)),
            vec![slot("10:00", "16:00")]
        );
    }

    #[test]
    fn exceptions_override_weekly_slots_and_holidays() {
        let mut h = hours(Region::Nl, "ma-vr 10:00-12:30 en 13:30-16:00");
        h.exceptions = vec![
            // Closing week around Christmas.
            exception(
                date(2025, 12, 22),
                date(2026, 1, 2),
                ExceptionKind::Closed,
                vec![],
            ),
            // Tax-return season: extra evening hours on weekdays, and open on Saturdays.
            exception(
                date(2026, 3, 1),
                date(2026, 4, 30),
                ExceptionKind::Extra,
                vec![slot("18:00", "20:00")],
            ),
            // Short hours one day.
            exception(
                date(2026, 2, 11),
                date(2026, 2, 11),
                ExceptionKind::OpenOnly,
                vec![slot("10:00", "12:00")],
            ),
            // Staff training in the tax season: closed that day despite the extra hours.
            exception(
                date(2026, 3, 18),
                date(2026, 3, 18),
                ExceptionKind::Closed,
                vec![],
            ),
            // Open on Easter Monday (a holiday) for tax returns only.
            exception(
                date(2026, 4, 6),
                date(2026, 4, 6),
                ExceptionKind::OpenOnly,
                vec![slot("11:00", "14:00")],
            ),
            // Open on Koningsdag 2026 (a Monday) with an extra morning.
            exception(
                date(2026, 4, 27),
                date(2026, 4, 27),
                ExceptionKind::Extra,
                vec![slot("09:00", "11:00")],
            ),
        ];
        h.validate().unwrap();
        // Closed week.
        assert_eq!(h.slots_on(date(2025, 12, 29)), vec![]);
        assert_eq!(
            h.next_open(ts("2025-12-19T16:00:00Z")).map(|p| p.start),
            Some(ts("2026-01-05T09:00:00Z"))
        );
        // OpenOnly replaces the weekly slots.
        assert_eq!(h.slots_on(date(2026, 2, 11)), vec![slot("10:00", "12:00")]);
        // Extra adds to them, also on a Saturday.
        assert_eq!(
            h.slots_on(date(2026, 3, 17)),
            vec![
                slot("10:00", "12:30"),
                slot("13:30", "16:00"),
                slot("18:00", "20:00")
            ]
        );
        assert_eq!(h.slots_on(date(2026, 3, 21)), vec![slot("18:00", "20:00")]);
        // The one closed day inside the season wins over the season.
        assert_eq!(h.slots_on(date(2026, 3, 18)), vec![]);
        // Easter Monday: the holiday would close, the OpenOnly exception opens it (and replaces the Extra).
        assert_eq!(h.slots_on(date(2026, 4, 6)), vec![slot("11:00", "14:00")]);
        // Koningsdag 2026 (Monday 27 April): the holiday empties the weekly slots, the one-day Extra and the
        // season's Extra open it.
        assert_eq!(
            h.slots_on(date(2026, 4, 27)),
            vec![slot("09:00", "11:00"), slot("18:00", "20:00")]
        );
        assert!(h.is_open_at(ts("2026-04-27T07:30:00Z"))); // 09:30 CEST
        assert!(!h.is_open_at(ts("2026-04-27T10:00:00Z"))); // 12:00 CEST
        // After the season: back to normal.
        assert_eq!(h.slots_on(date(2026, 5, 4)).len(), 2);
    }

    #[test]
    fn one_extra_day_inside_a_closed_month_opens() {
        let mut h = hours(Region::Be, "di, do 13:00-16:00");
        h.exceptions = vec![
            exception(
                date(2025, 7, 10),
                date(2025, 7, 10),
                ExceptionKind::Extra,
                vec![slot("10:00", "12:00")],
            ),
            exception(
                date(2025, 7, 1),
                date(2025, 7, 31),
                ExceptionKind::Closed,
                vec![],
            ),
        ];
        assert_eq!(h.slots_on(date(2025, 7, 8)), vec![]);
        // Listed first but shorter: applied after the closing month.
        assert_eq!(h.slots_on(date(2025, 7, 10)), vec![slot("10:00", "12:00")]);
        assert_eq!(
            h.next_open(ts("2025-07-01T08:00:00Z")),
            period("2025-07-10T08:00:00Z", "2025-07-10T10:00:00Z", false)
        );
    }

    #[test]
    fn validate_finds_broken_exceptions() {
        let mut h = hours(Region::Nl, "ma 10-12");
        h.validate().unwrap();
        h.exceptions = vec![exception(
            date(2025, 5, 2),
            date(2025, 5, 1),
            ExceptionKind::Closed,
            vec![],
        )];
        let err = h.validate().unwrap_err();
        assert_eq!(err.field, "exceptions");
        assert!(
            err.message
                .contains("einddatum 2025-05-01 ligt voor de begindatum 2025-05-02")
        );
        h.exceptions = vec![exception(
            date(2025, 5, 1),
            date(2025, 5, 1),
            ExceptionKind::Extra,
            vec![],
        )];
        assert!(
            h.validate()
                .unwrap_err()
                .message
                .contains("vul de tijden in")
        );
        h.exceptions = vec![exception(
            date(2025, 5, 1),
            date(2025, 5, 1),
            ExceptionKind::Closed,
            vec![slot("10:00", "11:00")],
        )];
        assert!(h.validate().unwrap_err().message.contains("geen tijden"));
        h.exceptions.clear();
        h.weekly.push(WeeklySlot {
            weekday: Weekday::Tue,
            slot: TimeSlot {
                start: time(12, 0, 0, 0),
                end: time(11, 0, 0, 0),
            },
        });
        assert_eq!(
            h.validate().unwrap_err().message,
            "Eindtijd 11:00 ligt voor begintijd 12:00."
        );
        // Invalid slots never open a point.
        assert_eq!(h.slots_on(date(2025, 3, 4)), vec![]);
    }

    // ---- public holiday calendars ----

    #[test]
    fn easter_dates() {
        for (year, month, day) in [
            (1943, 4, 25),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(year), Some(date(year, month, day)), "{year}");
        }
    }

    fn dates(region: Region, year: i16) -> Vec<(String, &'static str)> {
        public_holidays(region, year)
            .into_iter()
            .map(|(d, name)| (d.to_string(), name))
            .collect()
    }

    fn expected(list: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
        list.iter().map(|&(d, n)| (d.to_owned(), n)).collect()
    }

    #[test]
    fn dutch_public_holidays_2025_to_2027() {
        assert_eq!(
            dates(Region::Nl, 2025),
            expected(&[
                ("2025-01-01", "Nieuwjaarsdag"),
                ("2025-04-20", "Eerste Paasdag"),
                ("2025-04-21", "Tweede Paasdag"),
                ("2025-04-26", "Koningsdag"),
                ("2025-05-05", "Bevrijdingsdag"),
                ("2025-05-29", "Hemelvaartsdag"),
                ("2025-06-08", "Eerste Pinksterdag"),
                ("2025-06-09", "Tweede Pinksterdag"),
                ("2025-12-25", "Eerste Kerstdag"),
                ("2025-12-26", "Tweede Kerstdag"),
            ])
        );
        assert_eq!(
            dates(Region::Nl, 2026),
            expected(&[
                ("2026-01-01", "Nieuwjaarsdag"),
                ("2026-04-05", "Eerste Paasdag"),
                ("2026-04-06", "Tweede Paasdag"),
                ("2026-04-27", "Koningsdag"),
                ("2026-05-14", "Hemelvaartsdag"),
                ("2026-05-24", "Eerste Pinksterdag"),
                ("2026-05-25", "Tweede Pinksterdag"),
                ("2026-12-25", "Eerste Kerstdag"),
                ("2026-12-26", "Tweede Kerstdag"),
            ])
        );
        assert_eq!(
            dates(Region::Nl, 2027),
            expected(&[
                ("2027-01-01", "Nieuwjaarsdag"),
                ("2027-03-28", "Eerste Paasdag"),
                ("2027-03-29", "Tweede Paasdag"),
                ("2027-04-27", "Koningsdag"),
                ("2027-05-06", "Hemelvaartsdag"),
                ("2027-05-16", "Eerste Pinksterdag"),
                ("2027-05-17", "Tweede Pinksterdag"),
                ("2027-12-25", "Eerste Kerstdag"),
                ("2027-12-26", "Tweede Kerstdag"),
            ])
        );
        // Koningsdag 2014 (the first) fell on Saturday 26 April; Bevrijdingsdag in 2030 again.
        assert_eq!(
            public_holiday(Region::Nl, date(2014, 4, 26)),
            Some("Koningsdag")
        );
        assert_eq!(
            public_holiday(Region::Nl, date(2030, 5, 5)),
            Some("Bevrijdingsdag")
        );
        assert_eq!(public_holiday(Region::Nl, date(2026, 5, 5)), None);
        // Goede Vrijdag is not a general day off.
        assert_eq!(public_holiday(Region::Nl, date(2025, 4, 18)), None);
    }

    #[test]
    fn belgian_public_holidays_2025_to_2027() {
        let belgian = |year: i16, easter_monday: &str, ascension: &str, whit_monday: &str| {
            let y = year.to_string();
            let mut list = vec![
                (format!("{y}-01-01"), "Nieuwjaar"),
                (easter_monday.to_owned(), "Paasmaandag"),
                (format!("{y}-05-01"), "Feest van de Arbeid"),
                (ascension.to_owned(), "Onze-Lieve-Heer-Hemelvaart"),
                (whit_monday.to_owned(), "Pinkstermaandag"),
                (format!("{y}-07-21"), "Nationale feestdag"),
                (format!("{y}-08-15"), "Onze-Lieve-Vrouw-Hemelvaart"),
                (format!("{y}-11-01"), "Allerheiligen"),
                (format!("{y}-11-11"), "Wapenstilstand"),
                (format!("{y}-12-25"), "Kerstmis"),
            ];
            list.sort();
            list
        };
        assert_eq!(
            dates(Region::Be, 2025),
            belgian(2025, "2025-04-21", "2025-05-29", "2025-06-09")
        );
        assert_eq!(
            dates(Region::Be, 2026),
            belgian(2026, "2026-04-06", "2026-05-14", "2026-05-25")
        );
        assert_eq!(
            dates(Region::Be, 2027),
            belgian(2027, "2027-03-29", "2027-05-06", "2027-05-17")
        );
    }

    // ---- time zone ----

    #[test]
    fn posix_rule_matches_the_time_zone_database() {
        for (region, name) in [
            (Region::Nl, "Europe/Amsterdam"),
            (Region::Be, "Europe/Brussels"),
        ] {
            assert_eq!(region.iana_zone(), name);
            let Ok(db) = TimeZone::get(name) else {
                return; // no tz database on this machine: nothing to compare with
            };
            let ours = region.time_zone();
            let mut at = ts("2000-01-01T00:30:00Z");
            let until = ts("2036-01-01T00:00:00Z");
            while at < until {
                assert_eq!(ours.to_offset(at), db.to_offset(at), "{name} {at}");
                at += jiff::SignedDuration::from_hours(1);
            }
        }
    }

    // ---- descriptions ----

    #[test]
    fn describe_in_plain_dutch() {
        let h = hours(Region::Nl, "ma 10:00-12:30 en 13:30-16:00; di 10:00-12:00");
        // Monday 2 March 2026, 11:00 local.
        let now = ts("2026-03-02T10:00:00Z");
        let next = h.next_open(now).unwrap();
        assert!(next.is_now);
        assert_eq!(next.describe_nl(now, Region::Nl), "Nu open tot 12:30");
        // Lunch break.
        let now = ts("2026-03-02T12:00:00Z");
        assert_eq!(
            h.next_open(now).unwrap().describe_nl(now, Region::Nl),
            "Vandaag open van 13:30 tot 16:00"
        );
        // Monday evening.
        let now = ts("2026-03-02T18:00:00Z");
        assert_eq!(
            h.next_open(now).unwrap().describe_nl(now, Region::Nl),
            "Morgen open van 10:00 tot 12:00"
        );
        // Wednesday: next Monday.
        let now = ts("2026-03-04T09:00:00Z");
        assert_eq!(
            h.next_open(now).unwrap().describe_nl(now, Region::Nl),
            "Open op maandag 9 maart van 10:00 tot 12:30"
        );
        // "Open op dinsdag 3 maart": from the previous Saturday.
        let p = OpenPeriod {
            start: ts("2026-03-03T09:00:00Z"),
            end: ts("2026-03-03T11:00:00Z"),
            is_now: false,
        };
        assert_eq!(
            p.describe_nl(ts("2026-02-28T12:00:00Z"), Region::Nl),
            "Open op dinsdag 3 maart van 10:00 tot 12:00"
        );
        // In summer the local times follow CEST; Belgium alike.
        let p = OpenPeriod {
            start: ts("2025-07-22T08:00:00Z"),
            end: ts("2025-07-22T14:00:00Z"),
            is_now: false,
        };
        assert_eq!(
            p.describe_nl(ts("2025-07-21T10:00:00Z"), Region::Be),
            "Morgen open van 10:00 tot 16:00"
        );
        // Far ahead in another year: with the year.
        let p = OpenPeriod {
            start: ts("2026-01-13T09:00:00Z"),
            end: ts("2026-01-13T11:00:00Z"),
            is_now: false,
        };
        assert_eq!(
            p.describe_nl(ts("2025-12-19T12:00:00Z"), Region::Nl),
            "Open op dinsdag 13 januari 2026 van 10:00 tot 12:00"
        );
        // Just after New Year: without.
        let p = OpenPeriod {
            start: ts("2026-01-02T09:00:00Z"),
            end: ts("2026-01-02T11:00:00Z"),
            is_now: false,
        };
        assert_eq!(
            p.describe_nl(ts("2025-12-30T12:00:00Z"), Region::Nl),
            "Open op vrijdag 2 januari van 10:00 tot 12:00"
        );
    }

    // ---- text syntax ----

    fn ws(weekday: Weekday, start: &str, end: &str) -> WeeklySlot {
        WeeklySlot {
            weekday,
            slot: slot(start, end),
        }
    }

    #[test]
    fn parses_the_spreadsheet_syntax() {
        use Weekday::*;
        let weekdays_and_saturday = parse_weekly("ma-vr 10:00-16:00; za 10:00-12:00").unwrap();
        assert_eq!(
            weekdays_and_saturday,
            vec![
                ws(Mon, "10:00", "16:00"),
                ws(Tue, "10:00", "16:00"),
                ws(Wed, "10:00", "16:00"),
                ws(Thu, "10:00", "16:00"),
                ws(Fri, "10:00", "16:00"),
                ws(Sat, "10:00", "12:00"),
            ]
        );
        assert_eq!(
            parse_weekly("ma, wo 9:00-12:30 en 13:30-16:00").unwrap(),
            vec![
                ws(Mon, "09:00", "12:30"),
                ws(Mon, "13:30", "16:00"),
                ws(Wed, "09:00", "12:30"),
                ws(Wed, "13:30", "16:00"),
            ]
        );
        assert_eq!(
            parse_weekly("di 13-16").unwrap(),
            vec![ws(Tue, "13:00", "16:00")]
        );
        assert_eq!(
            parse_weekly("dinsdag en donderdag 10:00-12:00").unwrap(),
            vec![ws(Tue, "10:00", "12:00"), ws(Thu, "10:00", "12:00")]
        );
        // More spellings of the same thing.
        let same = [
            "ma t/m vr 10-16; za 10-12",
            "Maandag - Vrijdag 10.00 - 16.00\nZaterdag 10.00-12.00",
            "ma tot en met vr van 10 tot 16 uur, za 10u-12u",
            "werkdagen 10:00-16:00; za 10:00-12:00; zo gesloten",
            "ma. - vr.: 10:00 \u{2013} 16:00; zat. 10:00-12:00;",
        ];
        for text in same {
            assert_eq!(parse_weekly(text).unwrap(), weekdays_and_saturday, "{text}");
        }
        // Several groups in one part, slots separated by commas, Flemish times.
        assert_eq!(
            parse_weekly("ma 9u30-12u, 13u-16u30 di 10-11").unwrap(),
            vec![
                ws(Mon, "09:30", "12:00"),
                ws(Mon, "13:00", "16:30"),
                ws(Tue, "10:00", "11:00"),
            ]
        );
        // A range may wrap past Sunday.
        assert_eq!(
            parse_weekly("za-ma 10-12").unwrap(),
            vec![
                ws(Mon, "10:00", "12:00"),
                ws(Sat, "10:00", "12:00"),
                ws(Sun, "10:00", "12:00")
            ]
        );
        // Repeats are dropped, the result is sorted.
        assert_eq!(
            parse_weekly("wo 13-14; ma-wo 10-12; wo 10-12").unwrap(),
            vec![
                ws(Mon, "10:00", "12:00"),
                ws(Tue, "10:00", "12:00"),
                ws(Wed, "10:00", "12:00"),
                ws(Wed, "13:00", "14:00"),
            ]
        );
        assert_eq!(parse_weekly("").unwrap(), vec![]);
        assert_eq!(parse_weekly("  gesloten ").unwrap(), vec![]);
        assert_eq!(parse_weekly("Geen vaste tijden").unwrap(), vec![]);
        assert_eq!(parse_weekly("dagelijks 9-17").unwrap().len(), 7);
    }

    fn parse_error(text: &str) -> String {
        let err = parse_weekly(text).unwrap_err();
        assert_eq!(err.field, "hours");
        err.message
    }

    #[test]
    fn afternoon_ends_are_read_as_afternoon_or_suggested() {
        let hours = |text: &str| format_weekly(&parse_weekly(text).unwrap());
        assert_eq!(hours("maandag 9 tot 5"), "ma 09:00-17:00");
        assert_eq!(hours("di 10-4.30"), "di 10:00-16:30");
        assert_eq!(hours("wo 13-5"), "wo 13:00-17:00");
        // Written the 24-hour way, nothing changes.
        assert_eq!(hours("do 9-17"), "do 09:00-17:00");
        // An evening end is not guessed, only suggested; later mistakes stay plain errors.
        assert_eq!(
            parse_error("vr 10-8"),
            "Eindtijd 08:00 ligt voor begintijd 10:00. Bedoelt u 10:00-20:00?"
        );
        assert_eq!(
            parse_error("vr 12-11"),
            "Eindtijd 11:00 ligt voor begintijd 12:00."
        );
    }

    #[test]
    fn parse_errors_are_dutch_and_precise() {
        assert_eq!(
            parse_error("mo 10:00-12:00"),
            "Onbekende dag 'mo' in 'mo 10:00-12:00'. Gebruik ma, di, wo, do, vr, za of zo."
        );
        assert_eq!(
            parse_error("ma-vr 10:00-16:00; Mon 10-12"),
            "Onbekende dag 'Mon' in 'Mon 10-12'. Gebruik ma, di, wo, do, vr, za of zo."
        );
        assert_eq!(
            parse_error("ma 10:00-09:00"),
            "Eindtijd 09:00 ligt voor begintijd 10:00. Bedoelt u 10:00-21:00?"
        );
        assert_eq!(
            parse_error("ma 10-10"),
            "Eindtijd 10:00 is gelijk aan begintijd 10:00."
        );
        assert_eq!(
            parse_error("ma 25:00-26:00"),
            "Ongeldige tijd '25:00' in 'ma 25:00-26:00'. Schrijf een tijd als 10:00, 9.30 of 13."
        );
        assert_eq!(
            parse_error("ma 10:7-12"),
            "Ongeldige tijd '10:7' in 'ma 10:7-12'. Schrijf een tijd als 10:00, 9.30 of 13."
        );
        assert_eq!(
            parse_error("vr 20:00-24:00"),
            "Tijd 24:00 in 'vr 20:00-24:00' kan niet: gebruik 23:59 voor het einde van de dag."
        );
        assert_eq!(
            parse_error("ma 10:00"),
            "Bij begintijd 10:00 in 'ma 10:00' ontbreekt de eindtijd. Schrijf bijvoorbeeld 10:00-12:00."
        );
        assert_eq!(
            parse_error("10:00-12:00"),
            "Er staat geen dag voor de tijden in '10:00-12:00'. Begin met een dag, bijvoorbeeld 'ma 10:00-12:00'."
        );
        assert_eq!(
            parse_error("ma; di 10-12"),
            "Bij 'ma' staan geen tijden in 'ma'. Schrijf bijvoorbeeld 'ma 10:00-12:00' of 'ma gesloten'."
        );
        assert_eq!(
            parse_error("ma 10:00-12:00 en 11:00-13:00"),
            "Tijden 10:00-12:00 en 11:00-13:00 op maandag overlappen."
        );
        assert_eq!(
            parse_error("ma-vr 10-16; wo gesloten"),
            "Voor woensdag staan zowel tijden als 'gesloten'. Kies een van beide."
        );
        assert_eq!(
            parse_error("ma-werkdagen 10-12"),
            "Schrijf een reeks dagen als 'ma-vr' in 'ma-werkdagen 10-12'."
        );
        assert_eq!(
            parse_error("ma 10-12 @ bieb"),
            "Onbekend teken '@' in 'ma 10-12 @ bieb'."
        );
        assert_eq!(
            parse_error("ma - 10-12"),
            "Schrijf een reeks dagen als 'ma-vr' in 'ma - 10-12'."
        );
        assert_eq!(
            parse_error("- ma 10-12"),
            "Er staat een los streepje in '- ma 10-12'. Schrijf bijvoorbeeld 'ma-vr 10:00-16:00'."
        );
    }

    #[test]
    fn formats_and_round_trips() {
        let x = parse_weekly("ma-vr 10:00-16:00; za 10:00-12:00").unwrap();
        assert_eq!(format_weekly(&x), "ma-vr 10:00-16:00; za 10:00-12:00");
        let y = parse_weekly("ma, wo, vr 9-12.30 en 13.30-16; di, do 13-16; za, zo 10-12").unwrap();
        assert_eq!(
            format_weekly(&y),
            "ma, wo, vr 09:00-12:30 en 13:30-16:00; di, do 13:00-16:00; za, zo 10:00-12:00"
        );
        assert_eq!(format_weekly(&[]), "");
        let texts = [
            "ma-vr 10:00-16:00; za 10:00-12:00",
            "ma, wo 9:00-12:30 en 13:30-16:00",
            "di 13-16",
            "dinsdag en donderdag 10:00-12:00",
            "ma-wo 10-12; do 10-12 en 13-15; vr-zo 11-17",
            "zo 02:30-03:30; ma 0-23:59",
            "ma, wo-vr 10:00-12:00",
            "za-ma 10-12",
            "",
        ];
        for text in texts {
            let x = parse_weekly(text).unwrap();
            let formatted = format_weekly(&x);
            assert_eq!(
                parse_weekly(&formatted).unwrap(),
                x,
                "{text} -> {formatted}"
            );
            assert_eq!(format_weekly(&parse_weekly(&formatted).unwrap()), formatted);
        }
        // The weekly table for a help point page.
        let table =
            weekly_table_nl(&parse_weekly("ma 10:00-12:30 en 13:30-16:00; di-vr 10-16").unwrap());
        assert_eq!(table.len(), 7);
        assert_eq!(
            table[0],
            ("maandag", "10:00 - 12:30 en 13:30 - 16:00".to_owned())
        );
        assert_eq!(table[1], ("dinsdag", "10:00 - 16:00".to_owned()));
        assert_eq!(table[5], ("zaterdag", "gesloten".to_owned()));
        assert_eq!(table[6], ("zondag", "gesloten".to_owned()));
    }

    // ---- serde ----

    #[test]
    fn serde_is_compact_and_round_trips() {
        let mut h = hours(Region::Be, "ma 10:00-12:30");
        h.exceptions.push(Exception {
            from: date(2025, 12, 22),
            to: date(2026, 1, 2),
            kind: ExceptionKind::Closed,
            slots: vec![],
            reason: "Kerstvakantie".to_owned(),
        });
        h.exceptions.push(Exception {
            from: date(2026, 3, 1),
            to: date(2026, 4, 30),
            kind: ExceptionKind::OpenOnly,
            slots: vec![slot("18:00", "20:00")],
            reason: "Belastingaangifte".to_owned(),
        });
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"weekly":[{"weekday":"mon","start":"10:00","end":"12:30"}],"#,
                r#""exceptions":[{"from":"2025-12-22","to":"2026-01-02","kind":"closed","reason":"Kerstvakantie"},"#,
                r#"{"from":"2026-03-01","to":"2026-04-30","kind":"open_only","slots":[{"start":"18:00","end":"20:00"}],"reason":"Belastingaangifte"}],"#,
                r#""region":"BE","closed_on_public_holidays":true}"#
            )
        );
        assert_eq!(serde_json::from_str::<OpeningHours>(&json).unwrap(), h);
        // Everything may be left out.
        assert_eq!(
            serde_json::from_str::<OpeningHours>("{}").unwrap(),
            OpeningHours::default()
        );
        assert!(OpeningHours::default().closed_on_public_holidays);
        // Seconds are kept when present; bad times and reversed slots are refused.
        let odd = TimeSlot::new(time(10, 0, 30, 0), time(11, 0, 0, 0)).unwrap();
        let odd_json = serde_json::to_string(&odd).unwrap();
        assert_eq!(odd_json, r#"{"start":"10:00:30","end":"11:00"}"#);
        assert_eq!(serde_json::from_str::<TimeSlot>(&odd_json).unwrap(), odd);
        assert!(serde_json::from_str::<TimeSlot>(r#"{"start":"12:00","end":"11:00"}"#).is_err());
        assert!(serde_json::from_str::<TimeSlot>(r#"{"start":"9:00","end":"11:00"}"#).is_err());
        assert!(serde_json::from_str::<TimeSlot>(r#"{"start":"24:00","end":"11:00"}"#).is_err());
        assert!(
            serde_json::from_str::<WeeklySlot>(r#"{"weekday":"mo","start":"10:00","end":"11:00"}"#)
                .is_err()
        );
        assert_eq!(serde_json::to_string(&Weekday::Sun).unwrap(), r#""sun""#);
        assert_eq!(
            serde_json::to_string(&ExceptionKind::Extra).unwrap(),
            r#""extra""#
        );
    }

    // ---- monthly recurrence ----

    fn recurring(region: Region, text: &str) -> OpeningHours {
        let (weekly, monthly) = parse_recurring(text).unwrap();
        OpeningHours {
            monthly,
            ..OpeningHours::weekly(region, weekly)
        }
    }

    #[test]
    fn weeks_of_the_month() {
        // May 2026 has five Fridays: 1, 8, 15, 22, 29.
        let fridays = [1, 8, 15, 22, 29].map(|d| date(2026, 5, d));
        let which = |week: WeekOfMonth| -> Vec<i8> {
            fridays
                .iter()
                .filter(|d| week.contains(**d))
                .map(|d| d.day())
                .collect()
        };
        assert_eq!(which(WeekOfMonth::First), [1]);
        assert_eq!(which(WeekOfMonth::Fourth), [22]);
        assert_eq!(which(WeekOfMonth::Last), [29]);
        // February 2026 has four Fridays; the fourth is also the last.
        assert!(WeekOfMonth::Fourth.contains(date(2026, 2, 27)));
        assert!(WeekOfMonth::Last.contains(date(2026, 2, 27)));
        assert!(!WeekOfMonth::Last.contains(date(2026, 2, 20)));
        let first_tuesday = Recurrence::Monthly(WeekOfMonth::First, Weekday::Tue);
        assert!(first_tuesday.occurs_on(date(2026, 3, 3)));
        assert!(
            !first_tuesday.occurs_on(date(2026, 3, 10)),
            "second Tuesday"
        );
        assert!(!first_tuesday.occurs_on(date(2026, 3, 2)), "a Monday");
        assert!(Recurrence::Weekly(Weekday::Tue).occurs_on(date(2026, 3, 10)));
        for w in WeekOfMonth::ALL {
            assert_eq!(WeekOfMonth::from_number(w.number()), Some(w));
        }
        assert_eq!(WeekOfMonth::from_number(5), None);
    }

    #[test]
    fn monthly_slots_open_on_their_day_only() {
        let h = recurring(Region::Nl, "eerste di 10:00-12:00; laatste vr 14:00-16:00");
        // Monday 2 March 2026, 10:00 CET: next is the first Tuesday, 3 March.
        let now = ts("2026-03-02T09:00:00Z");
        assert_eq!(
            h.next_open(now),
            period("2026-03-03T09:00:00Z", "2026-03-03T11:00:00Z", false)
        );
        assert!(h.is_open_at(ts("2026-03-03T10:00:00Z")));
        assert!(!h.is_open_at(ts("2026-03-10T10:00:00Z")), "second Tuesday");
        // After the first Tuesday: the last Friday, 27 March (still CET: DST starts on the 29th).
        assert_eq!(
            h.next_open(ts("2026-03-03T12:00:00Z")),
            period("2026-03-27T13:00:00Z", "2026-03-27T15:00:00Z", false)
        );
        assert!(h.open_this_week(ts("2026-03-23T08:00:00Z")));
        assert!(!h.open_this_week(ts("2026-03-09T08:00:00Z")));
        assert!(h.open_later_today(ts("2026-03-27T08:00:00Z")));
    }

    #[test]
    fn monthly_slots_across_dst_and_holidays() {
        // The last Sunday of March is the day summer time starts: 10:00 local is 08:00 UTC that day.
        let h = recurring(Region::Nl, "laatste zo 10:00-12:00");
        assert_eq!(
            h.next_open(ts("2026-03-02T09:00:00Z")),
            period("2026-03-29T08:00:00Z", "2026-03-29T10:00:00Z", false)
        );
        // And the last Sunday of October is the day it ends: 10:00 local is 09:00 UTC again.
        assert_eq!(
            h.next_open(ts("2026-10-01T00:00:00Z")),
            period("2026-10-25T09:00:00Z", "2026-10-25T11:00:00Z", false)
        );
        // The first Monday of April 2026 is Easter Monday: closed, next is the first Monday of May (4 May, CEST).
        let h = recurring(Region::Nl, "eerste maandag van de maand 10:00-12:00");
        assert!(h.slots_on(date(2026, 4, 6)).is_empty());
        assert_eq!(
            h.next_open(ts("2026-04-01T00:00:00Z")),
            period("2026-05-04T08:00:00Z", "2026-05-04T10:00:00Z", false)
        );
        // An exception still wins: an extra opening on the second Monday, a closed first Monday in June.
        let mut h = h;
        h.exceptions.push(exception(
            date(2026, 6, 1),
            date(2026, 6, 1),
            ExceptionKind::Closed,
            Vec::new(),
        ));
        assert!(h.slots_on(date(2026, 6, 1)).is_empty());
        assert_eq!(h.slots_on(date(2026, 7, 6)), [slot("10:00", "12:00")]);
        // Belgium: the first Monday of June 2025 is not a holiday, Pinkstermaandag (9 June) is the second.
        let be = recurring(Region::Be, "tweede ma 10-12");
        assert!(be.slots_on(date(2025, 6, 9)).is_empty());
        assert_eq!(be.slots_on(date(2025, 7, 14)), [slot("10:00", "12:00")]);
    }

    #[test]
    fn recurring_text_reads_and_writes_monthly_parts() {
        let (weekly, monthly) = parse_recurring(
            "di 10:00-12:00; Elke eerste dinsdag van de maand, 13:00-15:00; laatste vrijdag 14-16 en 9-10; 2e wo 9:30-11",
        )
        .unwrap();
        assert_eq!(weekly.len(), 1);
        assert_eq!(monthly.len(), 4);
        assert_eq!(
            format_recurring(&weekly, &monthly),
            "di 10:00-12:00; eerste di 13:00-15:00; tweede wo 09:30-11:00; laatste vr 09:00-10:00 en 14:00-16:00"
        );
        let text = format_recurring(&weekly, &monthly);
        assert_eq!(parse_recurring(&text).unwrap(), (weekly, monthly.clone()));
        // What pages show reads back.
        let (week, day, slots) = monthly_table(&monthly).remove(0);
        let shown = describe_monthly_nl(week, day, &slots);
        assert_eq!(shown, "Elke eerste dinsdag van de maand, 13:00-15:00");
        assert_eq!(parse_recurring(&shown).unwrap().1, [monthly[0]]);
        // "elke" before a weekly part is fine.
        assert_eq!(parse_recurring("elke do 10-12").unwrap().0.len(), 1);
        for bad in [
            "eerste 10:00-12:00",
            "laatste vr",
            "eerste di 10-12 en 11-13",
            "vijfde di 10-12",
        ] {
            let e = parse_recurring(bad).unwrap_err();
            assert_eq!(e.field, "hours", "{bad}");
        }
        // Serialised only when present, so stored weekly hours keep their form.
        let weekly_only = recurring(Region::Nl, "di 10-12");
        assert!(
            !serde_json::to_string(&weekly_only)
                .unwrap()
                .contains("monthly")
        );
        let h = recurring(Region::Nl, "laatste vr 14-16");
        let json = serde_json::to_string(&h).unwrap();
        assert!(
            json.contains(
                r#""monthly":[{"week":-1,"weekday":"fri","start":"14:00","end":"16:00"}]"#
            ),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<OpeningHours>(&json).unwrap(), h);
        assert!(
            serde_json::from_str::<MonthlySlot>(
                r#"{"week":5,"weekday":"fri","start":"14:00","end":"16:00"}"#
            )
            .is_err()
        );
        assert!(!h.is_empty());
        assert_eq!(
            h.recurring(),
            [(
                Recurrence::Monthly(WeekOfMonth::Last, Weekday::Fri),
                slot("14:00", "16:00")
            )]
        );
    }

    #[test]
    fn weekday_conversions() {
        for (i, d) in Weekday::ALL.into_iter().enumerate() {
            assert_eq!(d.index(), i);
            assert_eq!(Weekday::from(jiff::civil::Weekday::from(d)), d);
        }
        assert_eq!(Weekday::of(date(2025, 4, 26)), Weekday::Sat);
        assert_eq!(Weekday::Sun.next(), Weekday::Mon);
        assert_eq!(Region::from(Country::Be), Region::Be);
        assert_eq!(Country::from(Region::Nl), Country::Nl);
    }

    #[test]
    fn a_stop_keeps_its_help_points_closing_days() {
        let stop = hours(Region::Nl, "di 10:00-12:00");
        let mut home = hours(Region::Nl, "ma-vr 09:00-17:00");
        home.exceptions.push(Exception {
            from: "2025-03-04".parse().unwrap(),
            to: "2025-03-04".parse().unwrap(),
            kind: ExceptionKind::Closed,
            slots: Vec::new(),
            reason: "Studiedag".into(),
        });
        let merged = stop.with_closures_of(&home);
        // Monday 3 March 2025: the stop's Tuesday is closed, so the next opening is a week later.
        assert_eq!(
            merged.next_open(ts("2025-03-03T10:00:00Z")),
            period("2025-03-11T09:00:00Z", "2025-03-11T11:00:00Z", false)
        );
        assert_eq!(
            merged.with_closures_of(&home).exceptions.len(),
            1,
            "added once"
        );
        assert_eq!(merged.weekly, stop.weekly);
    }
}

#[cfg(test)]
mod day_with_year_tests {
    use super::day_with_year_nl;

    #[test]
    fn a_moment_is_named_by_its_local_day() {
        // 2025-09-02 08:00 UTC, and 22:30 UTC which is already Wednesday in Amsterdam and Brussels.
        assert_eq!(
            day_with_year_nl(1_756_800_000).as_deref(),
            Some("dinsdag 2 september 2025")
        );
        assert_eq!(
            day_with_year_nl(1_756_852_200).as_deref(),
            Some("woensdag 3 september 2025")
        );
    }
}
