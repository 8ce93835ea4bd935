//! The help-point directory's own code lists and rules: status, accessibility, languages.

use crate::ValidationError;
use crate::codes::code_list;
use serde::{Deserialize, Serialize};

code_list! {
    /// Whether residents can go to a help point. Inactive points are hidden from the finder.
    pub enum HelpPointStatus ("status") {
        Open = "open", "Open";
        TemporarilyClosed = "temporarily_closed", "Tijdelijk gesloten";
        Closed = "closed", "Gesloten";
    }
}

/// Whether a help point is closed to residents on `today` (a date in its own time zone) because of its status.
///
/// A temporarily closed point is closed until its expected reopening date; from that date on its opening hours
/// apply again, even before a coordinator sets the status back to open. Without a date it stays closed. A closed
/// (inactive) point is always closed; residents do not see it at all.
#[must_use]
pub fn closed_by_status(
    status: HelpPointStatus,
    reopens_on: Option<jiff::civil::Date>,
    today: jiff::civil::Date,
) -> bool {
    match status {
        HelpPointStatus::Open => false,
        HelpPointStatus::Closed => true,
        HelpPointStatus::TemporarilyClosed => reopens_on.is_none_or(|d| today < d),
    }
}

/// What a help point offers people with a disability.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Accessibility {
    /// No steps or a ramp or lift at the entrance and inside.
    pub step_free: bool,
    pub accessible_toilet: bool,
    /// An induction loop for hearing aids.
    pub hearing_loop: bool,
    /// A quiet room for people who are easily overwhelmed.
    pub quiet_room: bool,
}

impl Accessibility {
    /// Codes of the features present (`step_free`, `accessible_toilet`, `hearing_loop`, `quiet_room`), for pages
    /// that word them in the reader's language.
    pub fn feature_codes(&self) -> Vec<&'static str> {
        [
            (self.step_free, "step_free"),
            (self.accessible_toilet, "accessible_toilet"),
            (self.hearing_loop, "hearing_loop"),
            (self.quiet_room, "quiet_room"),
        ]
        .into_iter()
        .filter(|(present, _)| *present)
        .map(|(_, code)| code)
        .collect()
    }

    /// Dutch phrases for the features present, for pages.
    pub fn labels(&self) -> Vec<&'static str> {
        self.feature_codes()
            .into_iter()
            .map(|code| match code {
                "step_free" => "Zonder trappen bereikbaar",
                "accessible_toilet" => "Toilet voor rolstoelgebruikers",
                "hearing_loop" => "Ringleiding voor hoortoestellen",
                _ => "Stille ruimte",
            })
            .collect()
    }
}

/// Languages help can be given in: ISO 639-1 code and Dutch name. A fixed list
/// keeps the finder's language filter small; extend it here.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("nl", "Nederlands"),
    ("en", "Engels"),
    ("fr", "Frans"),
    ("de", "Duits"),
    ("ar", "Arabisch"),
    ("tr", "Turks"),
    ("pl", "Pools"),
    ("ro", "Roemeens"),
    ("bg", "Bulgaars"),
    ("uk", "Oekraïens"),
    ("ru", "Russisch"),
    ("ti", "Tigrinya"),
    ("so", "Somalisch"),
    ("es", "Spaans"),
    ("pt", "Portugees"),
    ("zgh", "Berbers (Tamazight)"),
    ("pap", "Papiaments"),
    ("srn", "Sranantongo"),
    ("fa", "Perzisch"),
    ("zh", "Chinees"),
];

/// The position of a language code in [`LANGUAGES`].
pub fn language_index(code: &str) -> Option<usize> {
    LANGUAGES.iter().position(|(c, _)| *c == code)
}

pub fn language_name(code: &str) -> &str {
    LANGUAGES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| *name)
        .unwrap_or(code)
}

/// Parses "nl, en, ar" into known language codes.
pub fn parse_languages(input: &str) -> Result<Vec<String>, ValidationError> {
    let mut out: Vec<String> = Vec::new();
    for code in input
        .split([',', ' ', ';'])
        .map(|c| c.trim().to_lowercase())
        .filter(|c| !c.is_empty())
    {
        if language_index(&code).is_none() {
            return Err(ValidationError::new(
                "languages",
                format!("Onbekende taalcode '{code}'. Gebruik codes zoals nl, en, ar, tr."),
            ));
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

/// Coordinators are reminded when a point has not been checked by a person for this long.
pub const CHECK_REMINDER_DAYS: i64 = 182;

/// A coordinator gets at most one reminder e-mail per unchecked help point in this many days.
pub const CHECK_REMINDER_REPEAT_DAYS: i64 = 30;

/// A help point's editable details as a coordinator typed them, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct HelpPointDraft {
    pub name: String,
    pub street_address: String,
    pub postcode: String,
    pub city: String,
    /// From the postcode: its municipality and centre (adjustable later).
    pub municipality_code: String,
    pub location: crate::geo::Point,
    pub status: HelpPointStatus,
    pub status_reason: Option<String>,
    pub reopens_on: Option<String>,
    pub hours: crate::opening_hours::OpeningHours,
    pub topics: Vec<String>,
    pub languages: Vec<String>,
    pub accessibility: Accessibility,
    pub preparation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
}

/// The form fields of a help point, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HelpPointInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub street_address: String,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub city: String,
    /// open, temporarily_closed or closed
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub status_reason: String,
    /// Expected reopening, YYYY-MM-DD.
    #[serde(default)]
    pub reopens_on: String,
    /// Weekly hours, e.g. "ma-vr 10:00-16:00; za 10:00-12:00".
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub topics: Vec<String>,
    /// Language codes, e.g. "nl, en, ar".
    #[serde(default)]
    pub languages: String,
    #[serde(default)]
    pub step_free: bool,
    #[serde(default)]
    pub accessible_toilet: bool,
    #[serde(default)]
    pub hearing_loop: bool,
    #[serde(default)]
    pub quiet_room: bool,
    #[serde(default)]
    pub preparation: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub website: String,
}

fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

impl HelpPointDraft {
    /// Checks every field; all problems are reported together.
    pub fn parse(
        input: &HelpPointInput,
        known_topics: &[&str],
    ) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(ValidationError::new(
                "name",
                "Vul de naam van het hulppunt in (hoogstens 200 tekens).",
            ));
        }
        if input.street_address.trim().is_empty() {
            errors.push(ValidationError::new(
                "street_address",
                "Vul straat en huisnummer in.",
            ));
        }
        let place = postcode_place(&input.postcode, &mut errors);
        let status: Option<HelpPointStatus> = if input.status.trim().is_empty() {
            Some(HelpPointStatus::Open)
        } else {
            input.status.parse().map_err(|e| errors.push(e)).ok()
        };
        let reopens_on = optional(&input.reopens_on);
        if let Some(date) = &reopens_on
            && date.parse::<jiff::civil::Date>().is_err()
        {
            errors.push(ValidationError::new(
                "reopens_on",
                "Schrijf de datum als jjjj-mm-dd, bijvoorbeeld 2026-09-01.",
            ));
        }
        // Monthly parts ("eerste di 10-12") are read too, so a point's monthly hours survive an edit. An empty field
        // is a forgotten one: a point without hours says so in words.
        let weekly = if input.hours.trim().is_empty() {
            errors.push(ValidationError::new(
                "hours",
                format!(
                    "Vul de openingstijden in, bijvoorbeeld 'ma-vr 10:00-16:00'. Heeft het hulppunt geen vaste tijden? Schrijf dan '{}'.",
                    crate::opening_hours::NO_FIXED_HOURS
                ),
            ));
            None
        } else {
            crate::opening_hours::parse_recurring(&input.hours)
                .map_err(|e| errors.push(e))
                .ok()
        };
        let mut topics = Vec::new();
        for topic in input
            .topics
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
        {
            if known_topics.contains(&topic) {
                topics.push(topic.to_owned());
            } else {
                errors.push(ValidationError::new(
                    "topics",
                    format!("Onbekend onderwerp '{topic}'."),
                ));
            }
        }
        let languages = parse_languages(&input.languages)
            .map_err(|e| errors.push(e))
            .ok();
        let email = optional(&input.email);
        if let Some(e) = &email
            && crate::account::Email::parse(e).is_err()
        {
            errors.push(ValidationError::new(
                "email",
                "Vul een geldig e-mailadres in.",
            ));
        }
        let website = optional(&input.website);
        if let Some(w) = &website
            && !(w.starts_with("https://") || w.starts_with("http://"))
        {
            errors.push(ValidationError::new(
                "website",
                "Een website begint met https://.",
            ));
        }
        match (place, status, weekly, languages) {
            (Some(place), Some(status), Some((weekly, monthly)), Some(languages))
                if errors.is_empty() =>
            {
                let region = match place.country {
                    crate::reference::Country::Be => crate::opening_hours::Region::Be,
                    crate::reference::Country::Nl => crate::opening_hours::Region::Nl,
                };
                let city = optional(&input.city).unwrap_or_else(|| place.place.clone());
                Ok(HelpPointDraft {
                    name: name.to_owned(),
                    street_address: input.street_address.trim().to_owned(),
                    postcode: input.postcode.trim().to_uppercase(),
                    city,
                    municipality_code: place.municipality.code.clone(),
                    location: place.point,
                    status_reason: optional(&input.status_reason)
                        .filter(|_| status != HelpPointStatus::Open),
                    reopens_on: reopens_on.filter(|_| status == HelpPointStatus::TemporarilyClosed),
                    status,
                    hours: crate::opening_hours::OpeningHours {
                        monthly,
                        ..crate::opening_hours::OpeningHours::weekly(region, weekly)
                    },
                    topics,
                    languages,
                    accessibility: Accessibility {
                        step_free: input.step_free,
                        accessible_toilet: input.accessible_toilet,
                        hearing_loop: input.hearing_loop,
                        quiet_room: input.quiet_room,
                    },
                    preparation: input.preparation.trim().to_owned(),
                    phone: optional(&input.phone),
                    email,
                    website,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The place of a postcode (NL four or six characters, BE four digits); anything
/// else, a place name included, is an error on the `postcode` field.
pub(crate) fn postcode_place(
    postcode: &str,
    errors: &mut Vec<ValidationError>,
) -> Option<crate::geo::ResolvedPlace> {
    match crate::geo::resolve_place(postcode, crate::reference::Country::Nl) {
        Ok(p)
            if matches!(
                p.precision,
                crate::geo::Precision::Postcode4 | crate::geo::Precision::Postcode6
            ) =>
        {
            Some(p)
        }
        _ => {
            errors.push(ValidationError::new(
                "postcode",
                "Vul een bestaande postcode in, zoals 3011 AB of 9000.",
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse_and_dedupe() {
        assert_eq!(parse_languages("nl, EN;ar nl").unwrap(), ["nl", "en", "ar"]);
        assert!(parse_languages("nl, xx").is_err());
        assert_eq!(language_name("tr"), "Turks");
    }

    #[test]
    fn accessibility_labels() {
        let a = Accessibility {
            step_free: true,
            hearing_loop: true,
            ..Default::default()
        };
        assert_eq!(a.labels().len(), 2);
    }

    #[test]
    fn help_point_draft_checks_every_field() {
        let topics = ["digid", "bankzaken"];
        let good = HelpPointInput {
            name: "Bibliotheek Noord".into(),
            street_address: "Straat 1".into(),
            postcode: "3011 ab".into(),
            hours: "ma-vr 10:00-16:00".into(),
            topics: vec!["digid".into()],
            languages: "nl, en".into(),
            status: "temporarily_closed".into(),
            status_reason: "Verbouwing".into(),
            reopens_on: "2026-09-01".into(),
            ..Default::default()
        };
        let draft = HelpPointDraft::parse(&good, &topics).unwrap();
        assert_eq!(draft.municipality_code, "GM0599");
        assert_eq!(draft.postcode, "3011 AB");
        assert_eq!(draft.city, "Rotterdam");
        assert_eq!(draft.reopens_on.as_deref(), Some("2026-09-01"));
        let bad = HelpPointInput {
            name: String::new(),
            postcode: "0000".into(),
            hours: "mo 10-12".into(),
            topics: vec!["astrologie".into()],
            languages: "xx".into(),
            reopens_on: "1 september".into(),
            email: "nope".into(),
            website: "www.x.nl".into(),
            ..Default::default()
        };
        let errors = HelpPointDraft::parse(&bad, &topics).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        // An empty hours field gets keten's own words; "geen vaste tijden" is the way to say there are none.
        let empty = HelpPointInput {
            hours: "  ".into(),
            ..good.clone()
        };
        let errors = HelpPointDraft::parse(&empty, &topics).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.starts_with("Vul de openingstijden in"));
        let none = HelpPointInput {
            hours: crate::opening_hours::NO_FIXED_HOURS.into(),
            ..good.clone()
        };
        assert!(
            HelpPointDraft::parse(&none, &topics)
                .unwrap()
                .hours
                .weekly
                .is_empty()
        );
        for f in [
            "name",
            "street_address",
            "postcode",
            "hours",
            "topics",
            "languages",
            "reopens_on",
            "email",
            "website",
        ] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
    }

    #[test]
    fn temporarily_closed_until_the_reopening_date() {
        let d = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        let reopens = Some(d("2026-09-01"));
        assert!(closed_by_status(
            HelpPointStatus::TemporarilyClosed,
            reopens,
            d("2026-08-31")
        ));
        assert!(!closed_by_status(
            HelpPointStatus::TemporarilyClosed,
            reopens,
            d("2026-09-01")
        ));
        assert!(closed_by_status(
            HelpPointStatus::TemporarilyClosed,
            None,
            d("2030-01-01")
        ));
        assert!(!closed_by_status(
            HelpPointStatus::Open,
            None,
            d("2026-08-31")
        ));
        assert!(closed_by_status(
            HelpPointStatus::Closed,
            reopens,
            d("2026-09-02")
        ));
    }
}
