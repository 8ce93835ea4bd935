//! When a referral becomes overdue: N working days after sending, skipping weekends and public holidays.

use super::ReferralStatus;
use crate::opening_hours::{Region, public_holiday};
use jiff::civil::{Date, Weekday};
use jiff::{Timestamp, ToSpan};

/// Default working days to accept a referral; a municipality may choose another number.
pub const DEFAULT_OVERDUE_WORKING_DAYS: u32 = 2;

/// A working day: Monday to Friday and not a public holiday of the region.
#[must_use]
pub fn is_working_day(region: Region, date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
        && public_holiday(region, date).is_none()
}

/// The moment a referral sent at `sent_at` is due: the same local time on the `working_days`-th working day
/// after the day it was sent (sent on Friday 15:00 with 2 days: Tuesday 15:00, or later around holidays).
/// Zero days means due at once.
#[must_use]
pub fn due_at(sent_at: Timestamp, working_days: u32, region: Region) -> Timestamp {
    let tz = region.time_zone();
    let local = tz.to_datetime(sent_at);
    let mut date = local.date();
    let mut left = working_days;
    while left > 0 {
        match date.checked_add(1.day()) {
            Ok(next) => date = next,
            Err(_) => return sent_at,
        }
        if is_working_day(region, date) {
            left -= 1;
        }
    }
    tz.to_ambiguous_timestamp(date.to_datetime(local.time()))
        .compatible()
        .unwrap_or(sent_at)
}

/// Overdue: still not accepted after the due moment.
#[must_use]
pub fn is_overdue(status: ReferralStatus, due_at: Timestamp, now: Timestamp) -> bool {
    status.awaits_acceptance() && now > due_at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn two_working_days_skip_the_weekend() {
        // Monday 2 March 2026 10:00 CET -> Wednesday 10:00.
        assert_eq!(
            due_at(at("2026-03-02T09:00:00Z"), 2, Region::Nl),
            at("2026-03-04T09:00:00Z")
        );
        // Friday 6 March 15:00 -> Tuesday 10 March 15:00.
        assert_eq!(
            due_at(at("2026-03-06T14:00:00Z"), 2, Region::Nl),
            at("2026-03-10T14:00:00Z")
        );
        // Saturday counts from the next working day: Mon, Tue.
        assert_eq!(
            due_at(at("2026-03-07T10:00:00Z"), 2, Region::Nl),
            at("2026-03-10T10:00:00Z")
        );
    }

    #[test]
    fn public_holidays_do_not_count_and_differ_per_country() {
        // Thursday 23 April 2026 -> Fri 24, (Sat, Sun), Mon 27 is Koningsdag in NL, so Tue 28.
        assert_eq!(
            due_at(at("2026-04-23T08:00:00Z"), 2, Region::Nl),
            at("2026-04-28T08:00:00Z")
        );
        // Belgium works on 27 April.
        assert_eq!(
            due_at(at("2026-04-23T08:00:00Z"), 2, Region::Be),
            at("2026-04-27T08:00:00Z")
        );
        // Christmas: Wed 23 Dec 2026 -> Thu 24, (25, 26 holidays, 27 Sunday), Mon 28.
        assert_eq!(
            due_at(at("2026-12-23T10:00:00Z"), 2, Region::Nl),
            at("2026-12-28T10:00:00Z")
        );
    }

    #[test]
    fn local_time_is_kept_across_the_clock_change() {
        // Friday 27 March 2026 10:00 CET (09:00Z) -> Tuesday 31 March 10:00 CEST (08:00Z).
        assert_eq!(
            due_at(at("2026-03-27T09:00:00Z"), 2, Region::Nl),
            at("2026-03-31T08:00:00Z")
        );
    }

    #[test]
    fn configurable_days_and_overdue_only_before_acceptance() {
        let sent = at("2026-03-02T09:00:00Z");
        assert_eq!(due_at(sent, 0, Region::Nl), sent);
        assert_eq!(due_at(sent, 5, Region::Nl), at("2026-03-09T09:00:00Z"));
        let due = due_at(sent, 2, Region::Nl);
        let later = at("2026-03-04T09:00:01Z");
        assert!(!is_overdue(ReferralStatus::Sent, due, due));
        assert!(is_overdue(ReferralStatus::Sent, due, later));
        assert!(is_overdue(ReferralStatus::Received, due, later));
        for s in ReferralStatus::ALL {
            if !s.awaits_acceptance() {
                assert!(!is_overdue(*s, due, later), "{s}");
            }
        }
    }
}
