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
            }),
            _ => Err(errors),
        }
    }
}
