//! Checks for the details of a help point kept on their own pages: partners' hours, exceptions, served municipalities, coordinates, mobile stops.

use crate::ValidationError;
use crate::directory::postcode_place;
use crate::geo::Point;
use crate::opening_hours::{
    Exception, ExceptionKind, OpeningHours, Region, TimeSlot, WeeklySlot, parse_recurring,
    parse_weekly,
};
use crate::reference::{self, Country};
use jiff::civil::Date;

/// Reads "10:00-12:30 en 13:30-16:00" (the times part of the weekly syntax) as slots.
pub fn parse_times(text: &str, field: &'static str) -> Result<Vec<TimeSlot>, ValidationError> {
    if text.trim().is_empty() {
        return Err(ValidationError::new(
            field,
            "Vul de tijden in, bijvoorbeeld 10:00-12:00 of 10:00-12:00 en 13:00-15:00.",
        ));
    }
    // The weekly parser already reads times; one weekday in front reuses it.
    parse_weekly(&format!("ma {}", text.trim()))
        .map(|slots| slots.into_iter().map(|w| w.slot).collect())
        .map_err(|_| {
            ValidationError::new(
                field,
                format!(
                    "'{}' zijn geen geldige tijden. Schrijf bijvoorbeeld 10:00-12:00 of 10:00-12:00 en 13:00-15:00.",
                    text.trim()
                ),
            )
        })
}

fn parse_date(text: &str, field: &'static str, what: &str) -> Result<Date, ValidationError> {
    text.trim().parse::<Date>().map_err(|_| {
        ValidationError::new(
            field,
            format!("Vul de {what} in als jjjj-mm-dd, bijvoorbeeld 2026-12-24."),
        )
    })
}

/// A partner's consultation hour as typed in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsultationHourInput {
    pub organisation_id: String,
    pub title: String,
    pub topics: Vec<String>,
    /// Weekly or monthly hours in the text syntax: "di 10:00-12:00; eerste do 13:00-15:00".
    pub hours: String,
    pub appointment_needed: bool,
}

/// A checked consultation hour.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsultationHourDraft {
    pub organisation_id: String,
    pub title: String,
    pub topics: Vec<String>,
    pub hours: OpeningHours,
    pub appointment_needed: bool,
}

impl ConsultationHourDraft {
    /// `partners` are the organisation ids that may hold an hour at this help point.
    pub fn parse(
        input: &ConsultationHourInput,
        known_topics: &[&str],
        partners: &[&str],
        region: Region,
    ) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        if !partners.contains(&input.organisation_id.as_str()) {
            errors.push(ValidationError::new(
                "organisation_id",
                "Kies de partnerorganisatie die het spreekuur houdt.",
            ));
        }
        let title = input.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            errors.push(ValidationError::new(
                "title",
                "Vul een korte naam van het spreekuur in, zoals 'Bankspreekuur' (hoogstens 200 tekens).",
            ));
        }
        let mut topics = Vec::new();
        for topic in input
            .topics
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
        {
            if !known_topics.contains(&topic) {
                errors.push(ValidationError::new(
                    "topics",
                    format!("Onbekend onderwerp '{topic}'."),
                ));
            } else if !topics.iter().any(|t| t == topic) {
                topics.push(topic.to_owned());
            }
        }
        if topics.is_empty() && input.topics.iter().all(|t| t.trim().is_empty()) {
            errors.push(ValidationError::new(
                "topics",
                "Kies minstens één onderwerp waarbij het spreekuur helpt.",
            ));
        }
        let recurring = match parse_recurring(&input.hours) {
            Ok((w, m)) if w.is_empty() && m.is_empty() => {
                errors.push(ValidationError::new(
                    "hours",
                    "Vul in wanneer het spreekuur is, bijvoorbeeld di 10:00-12:00.",
                ));
                None
            }
            Ok(wm) => Some(wm),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        match recurring {
            Some((weekly, monthly)) if errors.is_empty() => Ok(Self {
                organisation_id: input.organisation_id.clone(),
                title: title.to_owned(),
                topics,
                hours: OpeningHours {
                    monthly,
                    ..OpeningHours::weekly(region, weekly)
                },
                appointment_needed: input.appointment_needed,
            }),
            _ => Err(errors),
        }
    }
}

/// A dated exception to the opening hours as typed in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExceptionInput {
    pub from: String,
    /// Empty for a single day.
    pub to: String,
    /// closed, extra or open_only
    pub kind: String,
    pub times: String,
    pub reason: String,
}

impl ExceptionInput {
    pub fn from_exception(e: &Exception) -> Self {
        Self {
            from: e.from.to_string(),
            to: e.to.to_string(),
            kind: exception_kind_code(e.kind).to_owned(),
            times: e
                .slots
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" en "),
            reason: e.reason.clone(),
        }
    }
}

/// The form value of an exception kind.
pub const fn exception_kind_code(kind: ExceptionKind) -> &'static str {
    match kind {
        ExceptionKind::Closed => "closed",
        ExceptionKind::Extra => "extra",
        ExceptionKind::OpenOnly => "open_only",
    }
}

/// The kinds in form order, with their values.
pub const EXCEPTION_KINDS: [ExceptionKind; 3] = [
    ExceptionKind::Closed,
    ExceptionKind::Extra,
    ExceptionKind::OpenOnly,
];

/// Checks an exception: dates in order, times only when open, a reason for residents.
pub fn parse_exception(input: &ExceptionInput) -> Result<Exception, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let from = parse_date(&input.from, "from", "eerste dag")
        .map_err(|e| errors.push(e))
        .ok();
    let to = if input.to.trim().is_empty() {
        from
    } else {
        parse_date(&input.to, "to", "laatste dag")
            .map_err(|e| errors.push(e))
            .ok()
    };
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            errors.push(ValidationError::new(
                "to",
                "De laatste dag ligt voor de eerste dag.",
            ));
        } else if f.until(t).map_or(0, |s| s.get_days()) > 366 {
            errors.push(ValidationError::new(
                "to",
                "Een uitzondering duurt hoogstens een jaar.",
            ));
        }
    }
    let kind = EXCEPTION_KINDS
        .into_iter()
        .find(|k| exception_kind_code(*k) == input.kind.trim());
    if kind.is_none() {
        errors.push(ValidationError::new(
            "kind",
            "Kies of het hulppunt dicht is, extra open is of andere tijden heeft.",
        ));
    }
    let slots = match kind {
        Some(ExceptionKind::Closed) => Vec::new(),
        Some(_) => parse_times(&input.times, "times")
            .map_err(|e| errors.push(e))
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        errors.push(ValidationError::new(
            "reason",
            "Vul de reden in die bewoners zien, zoals 'Kerstvakantie' of 'Extra spreekuur belastingaangifte' (hoogstens 200 tekens).",
        ));
    }
    match (from, to, kind) {
        (Some(from), Some(to), Some(kind)) if errors.is_empty() => Ok(Exception {
            from,
            to,
            kind,
            slots,
            reason: reason.to_owned(),
        }),
        _ => Err(errors),
    }
}

/// Reads "GM0599, GM0606 44021" into known municipality codes, in reference spelling.
pub fn parse_municipalities(text: &str) -> Result<Vec<String>, ValidationError> {
    let mut out: Vec<String> = Vec::new();
    let mut unknown = Vec::new();
    for word in text
        .split([',', ';', ' ', '\n', '\r', '\t'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        match reference::municipality(word) {
            Some(m) => {
                if !out.contains(&m.code) {
                    out.push(m.code.clone());
                }
            }
            None => unknown.push(word.to_owned()),
        }
    }
    if unknown.is_empty() {
        Ok(out)
    } else {
        Err(ValidationError::new(
            "municipalities",
            format!(
                "Onbekende gemeentecode: {}. Gebruik de CBS-code (zoals GM0599) of de NIS-code (zoals 44021).",
                unknown.join(", ")
            ),
        ))
    }
}

/// A point counts as in the Netherlands or Belgium when a postcode area's centre lies within this distance.
pub const MAX_KM_FROM_POSTCODE: f64 = 10.0;

/// Reads latitude and longitude ("51,9225" or "51.9225") and checks they lie in the Netherlands or Belgium.
pub fn parse_coordinates(lat: &str, lon: &str) -> Result<Point, Vec<ValidationError>> {
    let number = |s: &str| {
        s.trim()
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
    };
    let mut errors = Vec::new();
    let la = number(lat);
    if la.is_none() {
        errors.push(ValidationError::new(
            "lat",
            "Vul de breedtegraad in als getal, bijvoorbeeld 51.9225.",
        ));
    }
    let lo = number(lon);
    if lo.is_none() {
        errors.push(ValidationError::new(
            "lon",
            "Vul de lengtegraad in als getal, bijvoorbeeld 4.4792.",
        ));
    }
    let (Some(lat), Some(lon)) = (la, lo) else {
        return Err(errors);
    };
    let point = Point { lat, lon };
    if nearest_country(point).is_none() {
        return Err(vec![ValidationError::new(
            "lat",
            "Deze plek ligt niet in Nederland of België. Kijk of breedte- en lengtegraad niet zijn omgewisseld.",
        )]);
    }
    Ok(point)
}

/// The country of the nearest postcode area, when one lies within [`MAX_KM_FROM_POSTCODE`].
pub fn nearest_country(point: Point) -> Option<Country> {
    // A rough box first: most typing errors (swapped or missing digits) fail here cheaply.
    if !(49.0..=54.0).contains(&point.lat) || !(2.0..=8.0).contains(&point.lon) {
        return None;
    }
    reference::postcode_areas()
        .iter()
        .map(|a| (crate::geo::distance_km(point, a.centre), a.country))
        .filter(|(d, _)| *d <= MAX_KM_FROM_POSTCODE)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A stop of a mobile or pop-up help point as typed in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StopInput {
    pub place_name: String,
    pub street_address: String,
    pub postcode: String,
    /// Weekly or monthly hours in the text syntax ("di 10:00-12:00", "laatste vr 10-12"); empty for a stop on one date.
    pub hours: String,
    /// A single date (jjjj-mm-dd) for a one-off stop, with `times`.
    pub date: String,
    pub times: String,
    /// Empty: the centre of the postcode.
    pub lat: String,
    pub lon: String,
}

/// A checked stop.
#[derive(Debug, Clone, PartialEq)]
pub struct StopDraft {
    pub place_name: String,
    pub street_address: String,
    pub postcode: String,
    pub location: Point,
    pub hours: OpeningHours,
}

impl StopDraft {
    pub fn parse(input: &StopInput) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let place_name = input.place_name.trim();
        if place_name.is_empty() || place_name.chars().count() > 200 {
            errors.push(ValidationError::new(
                "place_name",
                "Vul de naam van de plek in, zoals 'Buurthuis De Boog' of 'Marktplein' (hoogstens 200 tekens).",
            ));
        }
        if input.street_address.trim().is_empty() {
            errors.push(ValidationError::new(
                "street_address",
                "Vul straat en huisnummer in.",
            ));
        }
        let place = postcode_place(&input.postcode, &mut errors);
        let region = place
            .as_ref()
            .map_or(Region::Nl, |p| Region::from(p.country));
        let weekly_text = input.hours.trim();
        let date_text = input.date.trim();
        let mut hours = None;
        match (weekly_text.is_empty(), date_text.is_empty()) {
            (true, true) | (false, false) => errors.push(ValidationError::new(
                "hours",
                "Vul de vaste dagen en tijden in (zoals di 10:00-12:00) of één datum met tijden, niet allebei.",
            )),
            (false, true) => match parse_recurring(weekly_text) {
                Ok((w, m)) => {
                    hours = Some(OpeningHours {
                        monthly: m,
                        ..OpeningHours::weekly(region, w)
                    });
                }
                Err(e) => errors.push(e),
            },
            (true, false) => {
                let date = parse_date(date_text, "date", "datum")
                    .map_err(|e| errors.push(e))
                    .ok();
                let slots = parse_times(&input.times, "times")
                    .map_err(|e| errors.push(e))
                    .ok();
                if let (Some(date), Some(slots)) = (date, slots) {
                    // One date only: no weekly hours, one exception that opens the stop that day.
                    let mut h = OpeningHours::weekly(region, Vec::<WeeklySlot>::new());
                    h.exceptions.push(Exception {
                        from: date,
                        to: date,
                        kind: ExceptionKind::OpenOnly,
                        slots,
                        reason: place_name.to_owned(),
                    });
                    hours = Some(h);
                }
            }
        }
        let typed_coordinates = !(input.lat.trim().is_empty() && input.lon.trim().is_empty());
        let location = if typed_coordinates {
            parse_coordinates(&input.lat, &input.lon)
                .map_err(|e| errors.extend(e))
                .ok()
        } else {
            place.as_ref().map(|p| p.point)
        };
        match (hours, location) {
            (Some(hours), Some(location)) if errors.is_empty() => Ok(Self {
                place_name: place_name.to_owned(),
                street_address: input.street_address.trim().to_owned(),
                postcode: input.postcode.trim().to_uppercase(),
                location,
                hours,
            }),
            _ => Err(errors),
        }
    }
}

impl StopInput {
    /// The form fields of a stored stop; a one-date stop shows its date and times.
    pub fn from_stop(
        place_name: &str,
        street_address: &str,
        postcode: &str,
        location: Point,
        hours: &OpeningHours,
    ) -> Self {
        let one_date =
            hours.weekly.is_empty() && hours.monthly.is_empty() && hours.exceptions.len() == 1;
        let (date, times) = match hours.exceptions.first() {
            Some(e) if one_date => (
                e.from.to_string(),
                e.slots
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" en "),
            ),
            _ => (String::new(), String::new()),
        };
        Self {
            place_name: place_name.to_owned(),
            street_address: street_address.to_owned(),
            postcode: postcode.to_owned(),
            hours: crate::opening_hours::format_recurring(&hours.weekly, &hours.monthly),
            date,
            times,
            lat: format!("{:.6}", location.lat),
            lon: format!("{:.6}", location.lon),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consultation_hours_need_partner_topic_and_hours() {
        let input = ConsultationHourInput {
            organisation_id: "bank".into(),
            title: "Bankspreekuur".into(),
            topics: vec!["bankzaken".into()],
            hours: "di 10:00-11:00".into(),
            appointment_needed: true,
        };
        let d =
            ConsultationHourDraft::parse(&input, &["bankzaken"], &["bank"], Region::Nl).unwrap();
        assert_eq!(d.hours.weekly.len(), 1);
        assert!(d.appointment_needed);
        let monthly = ConsultationHourInput {
            hours: "elke eerste dinsdag van de maand 10:00-12:00".into(),
            ..input.clone()
        };
        let d =
            ConsultationHourDraft::parse(&monthly, &["bankzaken"], &["bank"], Region::Nl).unwrap();
        assert!(d.hours.weekly.is_empty());
        assert_eq!(d.hours.monthly.len(), 1);
        let bad = ConsultationHourInput {
            organisation_id: "someone-else".into(),
            hours: "dinsdag".into(),
            ..Default::default()
        };
        let errors =
            ConsultationHourDraft::parse(&bad, &["bankzaken"], &["bank"], Region::Nl).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["organisation_id", "title", "topics", "hours"]);
    }

    #[test]
    fn exceptions_check_dates_kind_times_and_reason() {
        let closed = parse_exception(&ExceptionInput {
            from: "2026-12-21".into(),
            to: "2026-12-31".into(),
            kind: "closed".into(),
            times: "10:00-12:00".into(),
            reason: "Kerstvakantie".into(),
        })
        .unwrap();
        assert!(closed.slots.is_empty(), "times are ignored when closed");
        let extra = parse_exception(&ExceptionInput {
            from: "2026-03-02".into(),
            kind: "extra".into(),
            times: "18:00-20:00 en 20:30-21:00".into(),
            reason: "Extra uren belastingaangifte".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(extra.to, extra.from);
        assert_eq!(extra.slots.len(), 2);
        let back = ExceptionInput::from_exception(&extra);
        assert_eq!(back.times, "18:00-20:00 en 20:30-21:00");
        let errors = parse_exception(&ExceptionInput {
            from: "2026-03-10".into(),
            to: "2026-03-01".into(),
            kind: "extra".into(),
            times: "laat".into(),
            reason: String::new(),
        })
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["to", "times", "reason"]);
    }

    #[test]
    fn municipalities_are_reference_codes() {
        assert_eq!(
            parse_municipalities("gm0599, 0606\n44021 GM0599").unwrap(),
            ["GM0599", "GM0606", "44021"]
        );
        let e = parse_municipalities("GM0599, GM9999").unwrap_err();
        assert!(e.message.contains("GM9999"));
        assert!(parse_municipalities("").unwrap().is_empty());
    }

    #[test]
    fn coordinates_lie_in_nl_or_be() {
        let rotterdam = parse_coordinates("51,9225", "4.4792").unwrap();
        assert!((rotterdam.lat - 51.9225).abs() < 1e-9);
        assert_eq!(
            nearest_country(Point {
                lat: 51.05,
                lon: 3.72
            }),
            Some(Country::Be),
            "Gent"
        );
        // Swapped, in the North Sea, in Germany (Köln), and not a number.
        for (lat, lon) in [("4.4792", "51.9225"), ("53.5", "3.0"), ("50.94", "6.96")] {
            let e = parse_coordinates(lat, lon).unwrap_err();
            assert!(
                e[0].message.contains("niet in Nederland of België"),
                "{lat},{lon}"
            );
        }
        let e = parse_coordinates("noord", "").unwrap_err();
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn stops_have_weekly_hours_or_one_date() {
        let weekly = StopDraft::parse(&StopInput {
            place_name: "Buurthuis De Boog".into(),
            street_address: "Boogstraat 1".into(),
            postcode: "3025 ab".into(),
            hours: "wo 13:00-15:00".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(weekly.postcode, "3025 AB");
        assert_eq!(weekly.hours.weekly.len(), 1);
        let monthly = StopDraft::parse(&StopInput {
            place_name: "Buurthuis De Boog".into(),
            street_address: "Boogstraat 1".into(),
            postcode: "3025 AB".into(),
            hours: "laatste vr 10-12".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(monthly.hours.monthly.len(), 1);
        let back = StopInput::from_stop(
            "Buurthuis De Boog",
            "Boogstraat 1",
            "3025 AB",
            monthly.location,
            &monthly.hours,
        );
        assert_eq!(back.hours, "laatste vr 10:00-12:00");
        assert!(back.date.is_empty());
        let dated = StopDraft::parse(&StopInput {
            place_name: "Markt".into(),
            street_address: "Markt 1".into(),
            postcode: "9000".into(),
            date: "2026-03-10".into(),
            times: "10:00-12:00".into(),
            lat: "51.0543".into(),
            lon: "3.7174".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(dated.hours.region, Region::Be);
        assert_eq!(dated.hours.exceptions.len(), 1);
        assert!((dated.location.lat - 51.0543).abs() < 1e-9);
        let back = StopInput::from_stop("Markt", "Markt 1", "9000", dated.location, &dated.hours);
        assert_eq!(
            (back.date.as_str(), back.times.as_str()),
            ("2026-03-10", "10:00-12:00")
        );
        let errors = StopDraft::parse(&StopInput {
            hours: "di 10:00-12:00".into(),
            date: "2026-03-10".into(),
            postcode: "0000".into(),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["place_name", "street_address", "postcode", "hours"]
        );
    }
}
