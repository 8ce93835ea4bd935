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
    /// Dutch phrases for the features present, for pages.
    pub fn labels(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.step_free {
            out.push("Zonder trappen bereikbaar");
        }
        if self.accessible_toilet {
            out.push("Toilet voor rolstoelgebruikers");
        }
        if self.hearing_loop {
            out.push("Ringleiding voor hoortoestellen");
        }
        if self.quiet_room {
            out.push("Stille ruimte");
        }
        out
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
}
