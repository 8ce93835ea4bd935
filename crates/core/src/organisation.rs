//! Organisations in the chain: their kind and quadruple-helix sector.

use crate::ValidationError;
use crate::codes::code_list;

code_list! {
    /// What an organisation is in the chain.
    pub enum OrganisationKind ("kind") {
        Municipality = "municipality", "Gemeente";
        Library = "library", "Bibliotheek";
        Community = "community", "Maatschappelijke organisatie";
        Partner = "partner", "Ketenpartner";
        NationalBody = "national_body", "Landelijke organisatie";
    }
}

code_list! {
    /// Quadruple-helix sector of an organisation.
    pub enum Sector ("sector") {
        Public = "public", "Overheid";
        Civil = "civil", "Maatschappelijk";
        Private = "private", "Bedrijfsleven";
        Knowledge = "knowledge", "Kennisinstelling";
        Citizens = "citizens", "Inwoners";
    }
}

code_list! {
    /// What kind of help point a place is.
    pub enum HelpPointKind ("kind") {
        Ido = "ido", "Informatiepunt Digitale Overheid";
        Digipunt = "digipunt", "Digipunt";
        Other = "other", "Ander hulppunt";
    }
}

code_list! {
    /// The building a help point sits in.
    pub enum VenueKind ("venue_kind") {
        Library = "library", "Bibliotheek";
        CommunityCentre = "community_centre", "Buurthuis";
        Church = "church", "Kerk";
        Mosque = "mosque", "Moskee";
        MunicipalOffice = "municipal_office", "Gemeentehuis";
        Mobile = "mobile", "Mobiel of pop-up";
        Other = "other", "Andere plek";
    }
}

/// A new organisation as typed by an admin, checked against the domain rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationDraft {
    pub name: String,
    pub kind: OrganisationKind,
    pub sector: Sector,
    /// Home municipality (CBS or NIS code).
    pub municipality_code: String,
    /// Further municipalities it is active in.
    pub active_in: Vec<String>,
    /// Registry numbers; set with [`OrganisationIdentifiers::parse`] (the plain `parse` leaves them empty).
    pub identifiers: OrganisationIdentifiers,
}

/// An organisation's numbers in the business registers, used to recognise it on import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganisationIdentifiers {
    /// Dutch Chamber of Commerce (KvK) number: 8 digits.
    pub kvk_number: Option<String>,
    /// Belgian enterprise number (KBO/BCE): 10 digits, the last two a modulo-97 check.
    pub kbo_number: Option<String>,
}

impl OrganisationIdentifiers {
    /// Checks both numbers (blank means none); all problems together.
    pub fn parse(kvk: &str, kbo: &str) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let kvk_number = parse_kvk(kvk).map_err(|e| errors.push(e)).ok().flatten();
        let kbo_number = parse_kbo(kbo).map_err(|e| errors.push(e)).ok().flatten();
        if errors.is_empty() {
            Ok(Self {
                kvk_number,
                kbo_number,
            })
        } else {
            Err(errors)
        }
    }
}

/// Digits of a number typed with spaces, dots or dashes ("0203.201.340", "6935 2318").
fn digits_of(text: &str) -> Option<String> {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    cleaned
        .chars()
        .all(|c| c.is_ascii_digit())
        .then_some(cleaned)
}

/// A KvK number: exactly 8 digits. `Ok(None)` when blank.
pub fn parse_kvk(text: &str) -> Result<Option<String>, ValidationError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    match digits_of(text.trim()) {
        Some(d) if d.len() == 8 => Ok(Some(d)),
        _ => Err(ValidationError::new(
            "kvk_number",
            format!(
                "'{}' is geen KvK-nummer. Een KvK-nummer heeft 8 cijfers, zoals 12345678.",
                text.trim()
            ),
        )),
    }
}

/// A Belgian enterprise number (KBO/BCE): 10 digits starting with 0 or 1, with "BE" allowed in front; the last two
/// digits are 97 minus the first eight modulo 97. `Ok(None)` when blank.
pub fn parse_kbo(text: &str) -> Result<Option<String>, ValidationError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let without_country = trimmed
        .strip_prefix("BE")
        .or_else(|| trimmed.strip_prefix("be"))
        .unwrap_or(trimmed);
    let Some(mut digits) = digits_of(without_country.trim()) else {
        return Err(kbo_error(
            trimmed,
            "Een ondernemingsnummer heeft alleen cijfers",
        ));
    };
    // Old numbers have 9 digits: a 0 in front makes them 10.
    if digits.len() == 9 {
        digits.insert(0, '0');
    }
    if digits.len() != 10 || !(digits.starts_with('0') || digits.starts_with('1')) {
        return Err(kbo_error(
            trimmed,
            "Een ondernemingsnummer heeft 10 cijfers en begint met 0 of 1",
        ));
    }
    let (base, check) = digits.split_at(8);
    let (Ok(base), Ok(check)) = (base.parse::<u64>(), check.parse::<u64>()) else {
        return Err(kbo_error(
            trimmed,
            "Een ondernemingsnummer heeft alleen cijfers",
        ));
    };
    if 97 - base % 97 != check {
        return Err(kbo_error(
            trimmed,
            "Het controlegetal (de laatste 2 cijfers) klopt niet; kijk of u een cijfer verkeerd heeft getypt",
        ));
    }
    Ok(Some(digits))
}

fn kbo_error(typed: &str, why: &str) -> ValidationError {
    ValidationError::new(
        "kbo_number",
        format!("'{typed}' is geen geldig ondernemingsnummer (KBO). {why}, zoals 0203.201.340."),
    )
}

/// "0203.201.340": the usual way to write a KBO number.
pub fn format_kbo(digits: &str) -> String {
    if digits.len() == 10 && digits.is_ascii() {
        format!("{}.{}.{}", &digits[..4], &digits[4..7], &digits[7..])
    } else {
        digits.to_owned()
    }
}

impl OrganisationDraft {
    /// Checks every field and reports all problems at once, so a form can
    /// show them together.
    pub fn parse(
        name: &str,
        kind: &str,
        sector: &str,
        municipality_code: &str,
        active_in: &[String],
    ) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(ValidationError::new(
                "name",
                "Vul de naam van de organisatie in (hoogstens 200 tekens).",
            ));
        }
        let kind = kind.parse().map_err(|e| errors.push(e)).ok();
        let sector = sector.parse().map_err(|e| errors.push(e)).ok();
        let municipality = crate::reference::municipality(municipality_code.trim());
        if municipality.is_none() {
            errors.push(ValidationError::new(
                "municipality_code",
                "Kies een bestaande gemeente (CBS-code zoals GM0599 of NIS-code zoals 44021).",
            ));
        }
        let mut extra = Vec::new();
        for code in active_in.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            match crate::reference::municipality(code) {
                Some(m) => extra.push(m.code.clone()),
                None => errors.push(ValidationError::new(
                    "active_in",
                    format!("Onbekende gemeentecode: {code}."),
                )),
            }
        }
        match (kind, sector, municipality) {
            (Some(kind), Some(sector), Some(m)) if errors.is_empty() => Ok(Self {
                name: name.to_owned(),
                kind,
                sector,
                municipality_code: m.code.clone(),
                active_in: extra,
                identifiers: OrganisationIdentifiers::default(),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kvk_numbers_have_eight_digits() {
        assert_eq!(
            parse_kvk(" 6935 2318 ").unwrap().as_deref(),
            Some("69352318")
        );
        assert_eq!(parse_kvk("").unwrap(), None);
        for bad in ["1234567", "123456789", "1234567a"] {
            let e = parse_kvk(bad).unwrap_err();
            assert!(e.message.contains("8 cijfers"), "{bad}");
        }
    }

    #[test]
    fn kbo_numbers_have_the_modulo_97_check() {
        // 97 - (02032013 mod 97) = 40.
        assert_eq!(
            parse_kbo("0203.201.340").unwrap().as_deref(),
            Some("0203201340")
        );
        assert_eq!(
            parse_kbo("BE 0203 201 340").unwrap().as_deref(),
            Some("0203201340")
        );
        assert_eq!(
            parse_kbo("203201340").unwrap().as_deref(),
            Some("0203201340"),
            "old 9-digit form"
        );
        assert_eq!(format_kbo("0203201340"), "0203.201.340");
        assert!(
            parse_kbo("0203.201.341")
                .unwrap_err()
                .message
                .contains("controlegetal")
        );
        assert!(
            parse_kbo("2203.201.340")
                .unwrap_err()
                .message
                .contains("begint met 0 of 1")
        );
        assert!(
            parse_kbo("0203-2O1-340")
                .unwrap_err()
                .message
                .contains("alleen cijfers")
        );
        let errors = OrganisationIdentifiers::parse("123", "0203.201.341").unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["kvk_number", "kbo_number"]);
    }
}
