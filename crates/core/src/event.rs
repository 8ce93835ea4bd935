//! Events with limited places of a programme (a city safari, a congress session): the event's settings, the public sign-up form, when sign-ups are erased, and the iCalendar (RFC 5545) text of events.

use crate::ValidationError;
use crate::account::Email;
use crate::codes::code_list;
use crate::opening_hours::Region;
use crate::programme::parse_date;
use jiff::Timestamp;
use jiff::civil::{Date, Time};

/// Days after the event's end at which sign-ups' names, organisations and e-mail addresses are erased, unless
/// the manager sets another number.
pub const DEFAULT_ERASE_AFTER_DAYS: u32 = 30;
/// The most days a manager may keep sign-ups after the event (a year).
pub const MAX_ERASE_AFTER_DAYS: u32 = 365;
/// The most places an event may have.
pub const MAX_CAPACITY: u32 = 10_000;

/// An event's settings as the manager typed them (dates as dag-maand-jaar, times as uu:mm, local time).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventInput {
    pub title: String,
    pub description: String,
    pub place: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub capacity: String,
    /// The last day of sign-up (inclusive, until 23:59 local time); empty means until the start.
    pub closes_on: String,
    /// Empty means [`DEFAULT_ERASE_AFTER_DAYS`].
    pub erase_after_days: String,
}

/// An event's checked settings; moments are unix seconds (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    pub title: String,
    pub description: String,
    pub place: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: u32,
    pub sign_up_closes_at: i64,
    pub erase_after_days: u32,
}

fn parse_time(field: &'static str, input: &str) -> Result<Time, ValidationError> {
    let s = input.trim().replace('.', ":");
    let parts: Vec<&str> = s.split(':').collect();
    if let [h, m] = parts.as_slice()
        && let (Ok(h), Ok(m)) = (h.parse::<i8>(), m.parse::<i8>())
        && let Ok(t) = Time::new(h, m, 0, 0)
    {
        return Ok(t);
    }
    Err(ValidationError::new(
        field,
        "Vul een tijd in als uren:minuten, bijvoorbeeld 13:30.",
    ))
}

/// The moment of a local date and time in the region's zone (NL and BE share CET/CEST).
fn moment(date: Date, time: Time, region: Region) -> Option<i64> {
    date.to_datetime(time)
        .to_zoned(region.time_zone().clone())
        .ok()
        .map(|z| z.timestamp().as_second())
}

fn text(
    errors: &mut Vec<ValidationError>,
    field: &'static str,
    value: &str,
    max: usize,
    required: Option<&str>,
) -> String {
    let v = value.trim();
    if let Some(message) = required
        && v.is_empty()
    {
        errors.push(ValidationError::new(field, message));
    }
    if v.chars().count() > max {
        errors.push(ValidationError::new(
            field,
            format!("Schrijf hier hooguit {max} tekens."),
        ));
    }
    v.to_owned()
}

impl EventInput {
    /// Checks the settings; `now` is the moment of saving, so that a new event cannot start in the past.
    /// `places_taken` is the number of places already given (0 for a new event): capacity cannot go below it.
    pub fn parse(
        &self,
        region: Region,
        places_taken: u32,
    ) -> Result<EventDraft, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let title = text(
            &mut errors,
            "title",
            &self.title,
            200,
            Some("Vul de naam van het evenement in."),
        );
        let description = text(&mut errors, "description", &self.description, 5000, None);
        let place = text(
            &mut errors,
            "place",
            &self.place,
            300,
            Some("Vul in waar het evenement is: het adres of de plek."),
        );
        let date = parse_date("date", &self.date)
            .map_err(|e| errors.push(e))
            .ok();
        let start = parse_time("start", &self.start)
            .map_err(|e| errors.push(e))
            .ok();
        let end = parse_time("end", &self.end)
            .map_err(|e| errors.push(e))
            .ok();
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
        {
            errors.push(ValidationError::new(
                "end",
                "De eindtijd moet na de begintijd liggen.",
            ));
        }
        let capacity = match self.capacity.trim().parse::<u32>() {
            Ok(c) if (1..=MAX_CAPACITY).contains(&c) => {
                if c < places_taken {
                    errors.push(ValidationError::new(
                        "capacity",
                        format!(
                            "Er hebben al {places_taken} mensen een plaats. Kies minstens {places_taken} plaatsen, of meld eerst mensen af."
                        ),
                    ));
                }
                Some(c)
            }
            _ => {
                errors.push(ValidationError::new(
                    "capacity",
                    format!("Vul het aantal plaatsen in: een heel getal van 1 tot {MAX_CAPACITY}."),
                ));
                None
            }
        };
        let closes_on = if self.closes_on.trim().is_empty() {
            None
        } else {
            parse_date("closes_on", &self.closes_on)
                .map_err(|e| errors.push(e))
                .ok()
        };
        if let (Some(c), Some(d)) = (closes_on, date)
            && c > d
        {
            errors.push(ValidationError::new(
                "closes_on",
                "De inschrijving moet sluiten op of voor de dag van het evenement.",
            ));
        }
        let erase_after_days = if self.erase_after_days.trim().is_empty() {
            Some(DEFAULT_ERASE_AFTER_DAYS)
        } else {
            match self.erase_after_days.trim().parse::<u32>() {
                Ok(d) if (1..=MAX_ERASE_AFTER_DAYS).contains(&d) => Some(d),
                _ => {
                    errors.push(ValidationError::new(
                        "erase_after_days",
                        format!(
                            "Vul een aantal dagen in van 1 tot {MAX_ERASE_AFTER_DAYS}. Zonder getal is het {DEFAULT_ERASE_AFTER_DAYS} dagen."
                        ),
                    ));
                    None
                }
            }
        };
        let starts_at = date.zip(start).and_then(|(d, t)| moment(d, t, region));
        let ends_at = date.zip(end).and_then(|(d, t)| moment(d, t, region));
        let closes_at = match closes_on {
            Some(c) => moment(c, Time::constant(23, 59, 59, 0), region).map(|m| m + 1),
            None => starts_at,
        };
        match (starts_at, ends_at, capacity, closes_at, erase_after_days) {
            (
                Some(starts_at),
                Some(ends_at),
                Some(capacity),
                Some(closes_at),
                Some(erase_after_days),
            ) if errors.is_empty() => Ok(EventDraft {
                title,
                description,
                place,
                starts_at,
                ends_at,
                capacity,
                // Sign-up never stays open after the start.
                sign_up_closes_at: closes_at.min(starts_at),
                erase_after_days,
            }),
            _ => Err(errors),
        }
    }
}

/// A public sign-up as typed: name, organisation (optional), e-mail, consent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignUpInput {
    pub name: String,
    pub organisation: String,
    pub email: String,
    pub consent: bool,
}

/// A checked sign-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUpDraft {
    pub name: String,
    pub organisation: String,
    pub email: Email,
}

impl SignUpInput {
    /// Checks the sign-up form; every problem is reported at its field.
    pub fn parse(&self) -> Result<SignUpDraft, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let name = text(
            &mut errors,
            "name",
            &self.name,
            200,
            Some("Vul uw naam in."),
        );
        let organisation = text(&mut errors, "organisation", &self.organisation, 200, None);
        let email = Email::parse(&self.email).map_err(|e| errors.push(e)).ok();
        if !self.consent {
            errors.push(ValidationError::new(
                "consent",
                "Zet een vinkje als u het goed vindt dat wij uw gegevens bewaren voor dit evenement.",
            ));
        }
        match email {
            Some(email) if errors.is_empty() => Ok(SignUpDraft {
                name,
                organisation,
                email,
            }),
            _ => Err(errors),
        }
    }
}

code_list! {
    /// Where a sign-up stands.
    pub enum SignUpStatus ("sign_up_status") {
        Place = "place", "Heeft een plaats";
        Waiting = "waiting", "Op de wachtlijst";
        Cancelled = "cancelled", "Afgemeld";
    }
}

/// The moment from which an event's sign-ups are erased.
#[must_use]
pub fn erase_at(ends_at: i64, erase_after_days: u32) -> i64 {
    ends_at + i64::from(erase_after_days) * 86_400
}

/// Whether sign-up is open at `now`.
#[must_use]
pub fn sign_up_open(sign_up_closes_at: i64, now: i64) -> bool {
    now < sign_up_closes_at
}

/// One event in an iCalendar document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsEvent {
    /// Stable over edits: the same event keeps its UID, so calendars update it instead of adding a copy.
    pub uid: String,
    /// Raised by every edit (RFC 5545 SEQUENCE).
    pub sequence: u32,
    /// The last change, unix seconds.
    pub stamp: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub title: String,
    pub description: String,
    pub place: String,
    /// The public page of the event.
    pub url: String,
}

/// A moment as an RFC 5545 UTC date-time (`20261104T120000Z`).
#[must_use]
pub fn ics_time(unix_seconds: i64) -> String {
    Timestamp::from_second(unix_seconds)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// Escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines.
#[must_use]
pub fn ics_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            // Other control characters are not allowed in TEXT.
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character; lines end in CRLF.
#[must_use]
pub fn ics_fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        // The first line holds 75 octets; continuation lines start with a space, so 74 more each.
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

/// An iCalendar document (METHOD:PUBLISH) with the events, times in UTC.
#[must_use]
pub fn ics_calendar(name: &str, events: &[IcsEvent]) -> String {
    let mut out = String::new();
    let mut line = |l: String| out.push_str(&ics_fold(&l));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//keten//evenementen//NL".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", ics_escape(name)));
    for e in events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", e.uid));
        line(format!("SEQUENCE:{}", e.sequence));
        line(format!("DTSTAMP:{}", ics_time(e.stamp)));
        line(format!("DTSTART:{}", ics_time(e.starts_at)));
        line(format!("DTEND:{}", ics_time(e.ends_at)));
        line(format!("SUMMARY:{}", ics_escape(&e.title)));
        if !e.description.is_empty() {
            line(format!("DESCRIPTION:{}", ics_escape(&e.description)));
        }
        line(format!("LOCATION:{}", ics_escape(&e.place)));
        if !e.url.is_empty() {
            line(format!("URL:{}", e.url));
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn input() -> EventInput {
        EventInput {
            title: "Stadssafari digitale inclusie".into(),
            description: "Een wandeling langs plekken waar inwoners hulp krijgen.".into(),
            place: "Centrale Bibliotheek, Hoogstraat 110, Rotterdam".into(),
            date: "04-11-2026".into(),
            start: "13:00".into(),
            end: "17:30".into(),
            capacity: "25".into(),
            closes_on: "01-11-2026".into(),
            erase_after_days: String::new(),
        }
    }

    #[test]
    fn local_times_become_utc_and_defaults_apply() {
        let d = input().parse(Region::Nl, 0).unwrap();
        // 4 November is winter time (UTC+1): 13:00 local is 12:00Z.
        assert_eq!(ics_time(d.starts_at), "20261104T120000Z");
        assert_eq!(ics_time(d.ends_at), "20261104T163000Z");
        // Closes at the end of 1 November local: 2 November 00:00 CET = 1 November 23:00Z.
        assert_eq!(ics_time(d.sign_up_closes_at), "20261101T230000Z");
        assert_eq!(d.erase_after_days, 30);
        assert_eq!(d.capacity, 25);
        // Summer time (UTC+2).
        let summer = EventInput {
            date: "2026-06-10".into(),
            closes_on: String::new(),
            ..input()
        }
        .parse(Region::Be, 0)
        .unwrap();
        assert_eq!(ics_time(summer.starts_at), "20260610T110000Z");
        assert_eq!(summer.sign_up_closes_at, summer.starts_at);
    }

    #[test]
    fn errors_are_reported_per_field() {
        let bad = EventInput {
            title: " ".into(),
            end: "12:00".into(),
            capacity: "0".into(),
            closes_on: "05-11-2026".into(),
            erase_after_days: "400".into(),
            ..input()
        };
        let errors = bad.parse(Region::Nl, 0).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["title", "end", "capacity", "closes_on", "erase_after_days"]
        );
        let shrunk = EventInput {
            capacity: "10".into(),
            ..input()
        };
        let errors = shrunk.parse(Region::Nl, 12).unwrap_err();
        assert!(errors[0].message.contains("al 12 mensen"));
    }

    #[test]
    fn sign_up_needs_name_email_and_consent() {
        let ok = SignUpInput {
            name: " Sanne de Wit ".into(),
            organisation: String::new(),
            email: "Sanne@Bieb.nl".into(),
            consent: true,
        }
        .parse()
        .unwrap();
        assert_eq!(ok.name, "Sanne de Wit");
        assert_eq!(ok.email.as_str(), "sanne@bieb.nl");
        let errors = SignUpInput::default().parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "email", "consent"]);
    }

    #[test]
    fn escaping_and_folding_follow_rfc_5545() {
        assert_eq!(
            ics_escape("Zaal 1, 2; 3\\4\r\nregel 2\nregel 3"),
            "Zaal 1\\, 2\\; 3\\\\4\\nregel 2\\nregel 3"
        );
        let long = format!("DESCRIPTION:{}", "é".repeat(60));
        let folded = ics_fold(&long);
        for l in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        // Unfolding gives the line back.
        assert_eq!(folded.replace("\r\n ", "").trim_end(), long);
        assert_eq!(ics_fold("UID:x"), "UID:x\r\n");
    }

    #[test]
    fn calendar_holds_each_event_with_utc_times() {
        let text = ics_calendar(
            "Evenementen, 2026",
            &[IcsEvent {
                uid: "abc@keten".into(),
                sequence: 2,
                stamp: 0,
                starts_at: 3600,
                ends_at: 7200,
                title: "Safari; deel 1".into(),
                description: String::new(),
                place: "Hal A".into(),
                url: "https://keten.test/evenementen/abc".into(),
            }],
        );
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.contains("X-WR-CALNAME:Evenementen\\, 2026\r\n"));
        assert!(text.contains("DTSTART:19700101T010000Z\r\nDTEND:19700101T020000Z\r\n"));
        assert!(text.contains("SUMMARY:Safari\\; deel 1\r\n"));
        assert!(text.contains("SEQUENCE:2\r\n"));
        assert!(!text.contains("DESCRIPTION"));
        assert!(text.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
    }

    #[test]
    fn erasure_moment_counts_whole_days_after_the_end() {
        assert_eq!(erase_at(1_000, 30), 1_000 + 30 * 86_400);
        assert!(sign_up_open(100, 99));
        assert!(!sign_up_open(100, 100));
    }
}
