//! The device bank's rules: a donated device's lifecycle, the data-wiping record, requests through the chain, loans.
//!
//! A device moves `donated -> accepted | declined -> wiped -> refurbished -> ready -> reserved -> handed_out ->
//! returned`, and may be `recycled` from any state in which the bank holds it. [`transition`] is the only way to
//! change a status, as for referrals. The one rule that matters most: a device with storage media never leaves
//! the bank's hands, nor is reserved, before a wiping record (or a recorded exemption) for *this* round exists.
//! A returned device held a resident's data, so its round starts again and it needs a new record.

use crate::ValidationError;
use crate::codes::code_list;
use jiff::civil::Date;

code_list! {
    /// What kind of device.
    pub enum DeviceKind ("kind") {
        Laptop = "laptop", "Laptop";
        Tablet = "tablet", "Tablet";
        Phone = "phone", "Telefoon";
    }
}

code_list! {
    /// The state a donated device is in when it arrives.
    pub enum DeviceCondition ("condition") {
        AsNew = "as_new", "Zo goed als nieuw";
        Good = "good", "Goed";
        Worn = "worn", "Gebruikt, werkt";
        Broken = "broken", "Kapot";
    }
}

code_list! {
    /// Where a device stands.
    pub enum DeviceStatus ("status") {
        Donated = "donated", "Gedoneerd";
        Accepted = "accepted", "Aangenomen";
        Declined = "declined", "Niet aangenomen";
        Wiped = "wiped", "Gewist";
        Refurbished = "refurbished", "Opgeknapt";
        Ready = "ready", "Klaar om uit te geven";
        Reserved = "reserved", "Gereserveerd";
        HandedOut = "handed_out", "Uitgegeven";
        Returned = "returned", "Terug";
        Recycled = "recycled", "Gerecycled";
    }
}

impl DeviceStatus {
    /// No further step: counted as gone in the figures.
    #[must_use]
    pub fn is_final(self) -> bool {
        matches!(self, Self::Recycled)
    }

    /// The device bank holds the device (it may still be recycled).
    #[must_use]
    pub fn held_by_bank(self) -> bool {
        !matches!(self, Self::HandedOut | Self::Recycled)
    }
}

code_list! {
    /// How storage media were wiped: the standards a refurbisher certifies against.
    pub enum WipeMethod ("wipe_method") {
        NistClear = "nist_800_88_clear", "NIST SP 800-88 Clear";
        NistPurge = "nist_800_88_purge", "NIST SP 800-88 Purge";
        Ieee2883Clear = "ieee_2883_clear", "IEEE 2883 Clear";
        Ieee2883Purge = "ieee_2883_purge", "IEEE 2883 Purge";
        Other = "other", "Andere methode (noem die bij het hulpmiddel)";
    }
}

/// Proof that a device's storage holds no one's data any more, or why none is needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WipeEvidence {
    /// A wipe with a standard, the tool used, the day and the certificate the tool or refurbisher issued.
    Record {
        method: WipeMethod,
        tool: String,
        wiped_on: Date,
        certificate: String,
    },
    /// No wipe, with the reason (the storage was removed and destroyed, the device was never switched on).
    Exemption { reason: String },
}

impl WipeEvidence {
    /// Checks the evidence as typed: every part filled in, no day in the future.
    pub fn check(&self, today: Date) -> Result<(), Vec<ValidationError>> {
        let mut errors = Vec::new();
        match self {
            WipeEvidence::Record {
                tool,
                wiped_on,
                certificate,
                ..
            } => {
                if tool.trim().is_empty() {
                    errors.push(ValidationError::new(
                        "tool",
                        "Vul in met welk programma of apparaat is gewist.",
                    ));
                }
                if certificate.trim().is_empty() {
                    errors.push(ValidationError::new(
                        "certificate",
                        "Vul het nummer van het wiscertificaat in.",
                    ));
                }
                if *wiped_on > today {
                    errors.push(ValidationError::new(
                        "wiped_on",
                        "De datum van het wissen ligt in de toekomst.",
                    ));
                }
            }
            WipeEvidence::Exemption { reason } => {
                if reason.trim().chars().count() < 10 {
                    errors.push(ValidationError::new(
                        "exemption",
                        "Schrijf op waarom wissen niet nodig is (minstens 10 tekens).",
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// What the bank knows about a device that the lifecycle rule needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceState {
    pub status: DeviceStatus,
    pub has_storage: bool,
    /// A wiping record or exemption exists for the current round (since donation or the last return).
    pub wipe_recorded: bool,
}

impl DeviceState {
    /// A device as registered in a donation batch.
    #[must_use]
    pub fn donated(has_storage: bool) -> Self {
        Self {
            status: DeviceStatus::Donated,
            has_storage,
            wipe_recorded: false,
        }
    }

    /// May the device be given to a resident (reserved or handed out) as far as data is concerned?
    #[must_use]
    pub fn clean(self) -> bool {
        !self.has_storage || self.wipe_recorded
    }
}

/// A step in the device's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceAction {
    Accept,
    Decline,
    /// Records the wipe (or the exemption) for this round.
    Wipe(WipeEvidence),
    Refurbish,
    MarkReady,
    /// Kept for one request; ends with a hand-out or a release.
    Reserve,
    /// The reservation ends without a hand-out (the resident did not come, the request was cancelled).
    Release,
    HandOut,
    Return,
    Recycle,
}

impl DeviceAction {
    /// The Dutch name of the step, for messages and the timeline.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            Self::Accept => "aannemen",
            Self::Decline => "niet aannemen",
            Self::Wipe(_) => "wissen vastleggen",
            Self::Refurbish => "opknappen",
            Self::MarkReady => "klaarzetten",
            Self::Reserve => "reserveren",
            Self::Release => "reservering vrijgeven",
            Self::HandOut => "uitgeven",
            Self::Return => "terugnemen",
            Self::Recycle => "recyclen",
        }
    }
}

/// Why a step is refused; the Dutch text says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    #[error("Dit kan niet: het apparaat is '{}', en '{}' kan dan niet.", .from.label().to_lowercase(), .action)]
    NotAllowed {
        from: DeviceStatus,
        action: &'static str,
    },
    #[error(
        "Dit apparaat heeft opslag. Leg eerst vast hoe het is gewist (methode, hulpmiddel, datum en certificaat), of waarom wissen niet nodig is."
    )]
    WipeRecordMissing,
}

/// The one rule of the lifecycle: may `action` happen to a device in `state`, and what state follows?
pub fn transition(state: DeviceState, action: &DeviceAction) -> Result<DeviceState, DeviceError> {
    use DeviceStatus as S;
    let not_allowed = || DeviceError::NotAllowed {
        from: state.status,
        action: action.label(),
    };
    let mut next = state;
    next.status = match (state.status, action) {
        (S::Donated, DeviceAction::Accept) => S::Accepted,
        (S::Donated, DeviceAction::Decline) => S::Declined,
        (S::Accepted | S::Returned, DeviceAction::Wipe(_)) => {
            next.wipe_recorded = true;
            S::Wiped
        }
        // A device without storage skips the wipe; with storage it may not move on without a record.
        (S::Accepted | S::Wiped | S::Returned, DeviceAction::Refurbish) => S::Refurbished,
        (S::Accepted | S::Wiped | S::Refurbished | S::Returned, DeviceAction::MarkReady) => {
            S::Ready
        }
        (S::Ready, DeviceAction::Reserve) => S::Reserved,
        (S::Reserved, DeviceAction::Release) => S::Ready,
        (S::Reserved, DeviceAction::HandOut) => S::HandedOut,
        (S::HandedOut, DeviceAction::Return) => {
            // The resident used it: a new round, a new wipe.
            next.wipe_recorded = false;
            S::Returned
        }
        (s, DeviceAction::Recycle) if s.held_by_bank() => S::Recycled,
        _ => return Err(not_allowed()),
    };
    let past_wipe = matches!(
        next.status,
        S::Refurbished | S::Ready | S::Reserved | S::HandedOut
    );
    if past_wipe && !next.clean() {
        return Err(DeviceError::WipeRecordMissing);
    }
    Ok(next)
}

code_list! {
    /// Where a request for a device stands.
    pub enum DeviceRequestStatus ("request_status") {
        Open = "open", "Aangevraagd";
        Reserved = "reserved", "Apparaat gereserveerd";
        HandedOut = "handed_out", "Apparaat uitgegeven";
        Completed = "completed", "Afgerond";
        Cancelled = "cancelled", "Geannuleerd";
    }
}

impl DeviceRequestStatus {
    /// Counts against the referring organisation's cap of open requests.
    #[must_use]
    pub fn is_open(self) -> bool {
        matches!(self, Self::Open | Self::Reserved | Self::HandedOut)
    }
}

code_list! {
    /// The first-use session at a help point that goes with every device: devices without help go unused.
    pub enum FirstUseSession ("first_use_session") {
        NotBooked = "not_booked", "Nog niet gepland";
        Booked = "booked", "Gepland";
        Done = "done", "Gehad";
    }
}

/// What a resident needs, recorded with the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceNeeds {
    pub kind: DeviceKind,
    pub internet_at_home: bool,
    /// Cannot easily travel: hand out at home or at the nearest help point.
    pub limited_mobility: bool,
    pub wants_first_use_session: bool,
}

/// A referring organisation may have at most `cap` open requests; a new one is refused beyond that.
pub fn check_request_cap(open_requests: u32, cap: u32) -> Result<(), ValidationError> {
    if open_requests >= cap {
        Err(ValidationError::new(
            "cap",
            format!(
                "Uw organisatie heeft al {open_requests} open aanvragen; het maximum is {cap}. Rond eerst een aanvraag af of annuleer er een."
            ),
        ))
    } else {
        Ok(())
    }
}

/// A request ends only when the device is handed out and a first-use session is booked or done: a device alone
/// does not make someone take part online.
#[must_use]
pub fn request_may_complete(status: DeviceRequestStatus, session: FirstUseSession) -> bool {
    status == DeviceRequestStatus::HandedOut && session != FirstUseSession::NotBooked
}

/// The terms a device bank lends on (the Amsterdam example: EUR 20 deposit, back within 3 years).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoanTerms {
    /// Euro cents; 0 for a loan without deposit.
    pub deposit_cents: i64,
    pub months: u32,
    /// Days before the due date that the reminder goes out.
    pub remind_days_before: u32,
    /// Whether a late return still gets the deposit back.
    pub refund_late_returns: bool,
}

impl LoanTerms {
    /// Checks terms typed by a device bank.
    pub fn check(&self) -> Result<(), Vec<ValidationError>> {
        let mut errors = Vec::new();
        if self.deposit_cents < 0 {
            errors.push(ValidationError::new(
                "deposit",
                "De borg kan niet negatief zijn.",
            ));
        }
        if self.months == 0 || self.months > 120 {
            errors.push(ValidationError::new(
                "months",
                "Kies een leentijd van 1 tot 120 maanden.",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The day a loan that starts on `lent_on` must come back (the same day of the month, or the month's last).
    pub fn due_on(&self, lent_on: Date) -> Result<Date, ValidationError> {
        lent_on
            .checked_add(jiff::Span::new().months(i64::from(self.months)))
            .map_err(|_| ValidationError::new("months", "Deze leentijd valt buiten de kalender."))
    }

    /// Whether the reminder is due on `today` (from `remind_days_before` days before the due date, until returned).
    #[must_use]
    pub fn reminder_due(&self, due_on: Date, today: Date, reminded: bool) -> bool {
        if reminded {
            return false;
        }
        due_on
            .checked_sub(jiff::Span::new().days(i64::from(self.remind_days_before)))
            .is_ok_and(|from| today >= from)
    }

    /// The deposit paid back when the device comes back on `returned_on`.
    #[must_use]
    pub fn refund_cents(&self, due_on: Date, returned_on: Date) -> i64 {
        if returned_on <= due_on || self.refund_late_returns {
            self.deposit_cents
        } else {
            0
        }
    }
}

/// The median wait from request to hand-out in tenths of a day (`Some(35)` reads 3,5 days); `None` without any.
#[must_use]
pub fn median_wait_tenths_of_day(waits_seconds: &[i64]) -> Option<i64> {
    let mut waits: Vec<i64> = waits_seconds.iter().map(|w| (*w).max(0)).collect();
    waits.sort_unstable();
    let n = waits.len();
    if n == 0 {
        return None;
    }
    // Twice the median in seconds, so that an even count stays exact; then tenths of a day, rounded half up.
    let twice = if n % 2 == 1 {
        2 * waits[n / 2]
    } else {
        waits[n / 2 - 1] + waits[n / 2]
    };
    Some((twice * 10 + 86_400) / (2 * 86_400))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn record() -> WipeEvidence {
        WipeEvidence::Record {
            method: WipeMethod::NistPurge,
            tool: "Blancco Drive Eraser".into(),
            wiped_on: date(2026, 11, 30),
            certificate: "BL-2026-0042".into(),
        }
    }

    fn run(start: DeviceState, steps: &[DeviceAction]) -> Result<DeviceState, DeviceError> {
        steps.iter().try_fold(start, transition)
    }

    #[test]
    fn a_laptop_goes_from_donation_to_a_resident_and_back() {
        use DeviceAction as A;
        let out = run(
            DeviceState::donated(true),
            &[
                A::Accept,
                A::Wipe(record()),
                A::Refurbish,
                A::MarkReady,
                A::Reserve,
                A::HandOut,
            ],
        )
        .unwrap();
        assert_eq!(out.status, DeviceStatus::HandedOut);
        let back = transition(out, &A::Return).unwrap();
        assert_eq!(back.status, DeviceStatus::Returned);
        assert!(!back.wipe_recorded, "a returned device needs a new wipe");
        assert_eq!(
            transition(back, &A::MarkReady),
            Err(DeviceError::WipeRecordMissing)
        );
        let again = run(back, &[A::Wipe(record()), A::MarkReady, A::Reserve]).unwrap();
        assert_eq!(again.status, DeviceStatus::Reserved);
    }

    #[test]
    fn storage_cannot_pass_the_wipe_without_a_record() {
        use DeviceAction as A;
        let accepted = transition(DeviceState::donated(true), &A::Accept).unwrap();
        for step in [A::Refurbish, A::MarkReady] {
            assert_eq!(
                transition(accepted, &step),
                Err(DeviceError::WipeRecordMissing)
            );
        }
        // Without storage there is nothing to wipe.
        let tablet = run(DeviceState::donated(false), &[A::Accept, A::MarkReady]).unwrap();
        assert_eq!(tablet.status, DeviceStatus::Ready);
        // An exemption counts as a record.
        let exempt = A::Wipe(WipeEvidence::Exemption {
            reason: "Opslag eruit gehaald en vernietigd".into(),
        });
        assert!(run(accepted, &[exempt, A::MarkReady, A::Reserve]).is_ok());
    }

    #[test]
    fn declined_or_recycled_devices_are_never_handed_out() {
        use DeviceAction as A;
        let declined = transition(DeviceState::donated(false), &A::Decline).unwrap();
        for step in [A::Accept, A::MarkReady, A::Reserve, A::HandOut] {
            assert!(matches!(
                transition(declined, &step),
                Err(DeviceError::NotAllowed { .. })
            ));
        }
        let recycled = transition(declined, &A::Recycle).unwrap();
        assert!(recycled.status.is_final());
        for step in [A::Accept, A::MarkReady, A::Reserve, A::HandOut, A::Recycle] {
            assert!(transition(recycled, &step).is_err());
        }
        // A device at a resident's home is returned first, then recycled.
        let out = run(
            DeviceState::donated(false),
            &[A::Accept, A::MarkReady, A::Reserve, A::HandOut],
        )
        .unwrap();
        assert!(transition(out, &A::Recycle).is_err());
    }

    #[test]
    fn a_reservation_is_released_or_handed_out_once() {
        use DeviceAction as A;
        let ready = run(DeviceState::donated(false), &[A::Accept, A::MarkReady]).unwrap();
        assert!(transition(ready, &A::HandOut).is_err(), "reserve first");
        let reserved = transition(ready, &A::Reserve).unwrap();
        assert!(
            transition(reserved, &A::Reserve).is_err(),
            "one request per device"
        );
        assert_eq!(
            transition(reserved, &A::Release).unwrap().status,
            DeviceStatus::Ready
        );
    }

    #[test]
    fn wipe_evidence_needs_every_part() {
        let today = date(2026, 12, 4);
        assert!(record().check(today).is_ok());
        let empty = WipeEvidence::Record {
            method: WipeMethod::NistClear,
            tool: " ".into(),
            wiped_on: date(2026, 12, 5),
            certificate: String::new(),
        };
        let fields: Vec<_> = empty
            .check(today)
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["tool", "certificate", "wiped_on"]);
        let vague = WipeEvidence::Exemption {
            reason: "nvt".into(),
        };
        assert_eq!(vague.check(today).unwrap_err()[0].field, "exemption");
    }

    #[test]
    fn requests_complete_only_with_a_first_use_session() {
        use DeviceRequestStatus as R;
        use FirstUseSession as F;
        assert!(!request_may_complete(R::HandedOut, F::NotBooked));
        assert!(request_may_complete(R::HandedOut, F::Booked));
        assert!(request_may_complete(R::HandedOut, F::Done));
        assert!(!request_may_complete(R::Reserved, F::Done), "no device yet");
        assert!(check_request_cap(4, 5).is_ok());
        let refused = check_request_cap(5, 5).unwrap_err();
        assert!(refused.message.contains("al 5 open aanvragen"));
        assert_eq!(
            R::ALL.iter().filter(|s| s.is_open()).count(),
            3,
            "open, reserved and handed out count against the cap"
        );
    }

    fn any_action() -> impl proptest::strategy::Strategy<Value = DeviceAction> {
        use DeviceAction as A;
        proptest::sample::select(vec![
            A::Accept,
            A::Decline,
            A::Wipe(record()),
            A::Refurbish,
            A::MarkReady,
            A::Reserve,
            A::Release,
            A::HandOut,
            A::Return,
            A::Recycle,
        ])
    }

    proptest::proptest! {
        /// Whatever the order of steps tried, a device with storage reaches a resident only wiped in this round,
        /// and nothing declined or recycled is ever reserved or handed out.
        #[test]
        fn no_sequence_of_steps_skips_the_wipe(
            has_storage: bool,
            steps in proptest::collection::vec(any_action(), 0..40),
        ) {
            let mut state = DeviceState::donated(has_storage);
            let mut declined = false;
            for step in &steps {
                if let Ok(next) = transition(state, step) {
                    declined |= next.status == DeviceStatus::Declined;
                    if matches!(next.status, DeviceStatus::Reserved | DeviceStatus::HandedOut) {
                        proptest::prop_assert!(next.clean());
                        proptest::prop_assert!(!declined);
                    }
                    if state.status.is_final() {
                        proptest::prop_assert!(false, "a recycled device moved on");
                    }
                    state = next;
                }
            }
        }
    }

    #[test]
    fn loans_fall_due_remind_and_refund() {
        let amsterdam = LoanTerms {
            deposit_cents: 2_000,
            months: 36,
            remind_days_before: 14,
            refund_late_returns: false,
        };
        assert!(amsterdam.check().is_ok());
        let due = amsterdam.due_on(date(2026, 1, 31)).unwrap();
        assert_eq!(due, date(2029, 1, 31));
        // A month without the 31st: the month's last day.
        let short = LoanTerms {
            months: 1,
            ..amsterdam
        };
        assert_eq!(short.due_on(date(2026, 1, 31)).unwrap(), date(2026, 2, 28));
        assert!(!amsterdam.reminder_due(due, date(2029, 1, 16), false));
        assert!(amsterdam.reminder_due(due, date(2029, 1, 17), false));
        assert!(
            amsterdam.reminder_due(due, date(2029, 3, 1), false),
            "late: still remind"
        );
        assert!(
            !amsterdam.reminder_due(due, date(2029, 1, 20), true),
            "once"
        );
        assert_eq!(amsterdam.refund_cents(due, date(2029, 1, 31)), 2_000);
        assert_eq!(amsterdam.refund_cents(due, date(2029, 2, 1)), 0);
        let lenient = LoanTerms {
            refund_late_returns: true,
            ..amsterdam
        };
        assert_eq!(lenient.refund_cents(due, date(2030, 1, 1)), 2_000);
        let bad = LoanTerms {
            deposit_cents: -1,
            months: 0,
            ..amsterdam
        };
        assert_eq!(bad.check().unwrap_err().len(), 2);
    }

    #[test]
    fn the_median_wait_is_in_tenths_of_a_day() {
        assert_eq!(median_wait_tenths_of_day(&[]), None);
        // 1, 3 and 10 days: 3 days.
        assert_eq!(
            median_wait_tenths_of_day(&[864_000, 86_400, 259_200]),
            Some(30)
        );
        // 1 and 2 days: 1,5 days.
        assert_eq!(median_wait_tenths_of_day(&[86_400, 172_800]), Some(15));
        // 6 hours: 0,25 day rounds half up to 0,3.
        assert_eq!(median_wait_tenths_of_day(&[21_600]), Some(3));
    }
}
