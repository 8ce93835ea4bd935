//! The stakeholder map of a local chain: roles in the chain, power and interest (1-5) with the quadrant rule, the input checks, the roles keten's own data suggests, and the demo map.

use crate::ValidationError;
use crate::account::Email;
use crate::codes::code_list;
use crate::organisation::Sector;
use jiff::civil::Date;

code_list! {
    /// What an organisation does in the local chain; a stakeholder may have several roles.
    pub enum ChainRole ("roles") {
        Signals = "signals", "Signaleert";
        Refers = "refers", "Verwijst door";
        Helps = "helps", "Helpt inwoners";
        Funds = "funds", "Financiert";
        Hosts = "hosts", "Biedt een plek";
        ConsultationHour = "consultation_hour", "Houdt spreekuur";
    }
}

code_list! {
    /// The four fields of the power/interest grid (Mendelow), with the way to deal with each.
    pub enum Quadrant ("quadrant") {
        ManageClosely = "manage_closely", "Nauw betrekken";
        KeepSatisfied = "keep_satisfied", "Tevreden houden";
        KeepInformed = "keep_informed", "Op de hoogte houden";
        Monitor = "monitor", "In de gaten houden";
    }
}

code_list! {
    /// One change in the map's history.
    pub enum EventKind ("kind") {
        Joined = "joined", "Op de kaart gezet";
        Changed = "changed", "Invloed of belang gewijzigd";
        Left = "left", "Van de kaart gehaald";
    }
}

/// Lowest and highest score for power and interest.
pub const MIN_SCORE: u8 = 1;
pub const MAX_SCORE: u8 = 5;

/// A score counts as high from this value: strictly above the middle of the 1-5 scale, so that a stakeholder
/// scored "average" (3) is not escalated to the upper fields by default.
pub const HIGH_FROM: u8 = 4;

/// Longest organisation or contact name, and longest agreements text.
pub const MAX_NAME: usize = 200;
pub const MAX_AGREEMENTS: usize = 2000;

/// The quadrant rule: high power and high interest is manage closely, high power only keep satisfied, high
/// interest only keep informed, neither monitor.
pub fn quadrant(power: u8, interest: u8) -> Quadrant {
    match (power >= HIGH_FROM, interest >= HIGH_FROM) {
        (true, true) => Quadrant::ManageClosely,
        (true, false) => Quadrant::KeepSatisfied,
        (false, true) => Quadrant::KeepInformed,
        (false, false) => Quadrant::Monitor,
    }
}

impl Quadrant {
    /// What the field asks of the chain, in one plain sentence.
    pub fn advice(self) -> &'static str {
        match self {
            Quadrant::ManageClosely => {
                "Veel invloed en veel belang: werk nauw samen en overleg vaak."
            }
            Quadrant::KeepSatisfied => {
                "Veel invloed, weinig belang: houd tevreden, vraag niet te veel."
            }
            Quadrant::KeepInformed => {
                "Weinig invloed, veel belang: houd op de hoogte en betrek bij acties."
            }
            Quadrant::Monitor => "Weinig invloed en weinig belang: volg en kijk of dat verandert.",
        }
    }
}

/// A stakeholder as typed in a form or sent to the API, before any check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StakeholderInput {
    pub name: String,
    pub sector: String,
    pub roles: Vec<String>,
    pub power: String,
    pub interest: String,
    pub covenant: bool,
    pub agreements: String,
    pub contact_name: String,
    pub contact_email: String,
    /// `YYYY-MM-DD`; empty is today.
    pub joined_on: String,
}

/// A checked stakeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StakeholderDraft {
    pub name: String,
    pub sector: Sector,
    /// Sorted, without repeats.
    pub roles: Vec<ChainRole>,
    pub power: u8,
    pub interest: u8,
    pub covenant: bool,
    pub agreements: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub joined_on: Date,
}

fn score(field: &'static str, word: &str, input: &str) -> Result<u8, ValidationError> {
    match input.trim().parse::<u8>() {
        Ok(v) if (MIN_SCORE..=MAX_SCORE).contains(&v) => Ok(v),
        _ => Err(ValidationError::new(
            field,
            format!("Kies {word} van 1 (weinig) tot 5 (veel)."),
        )),
    }
}

fn text(field: &'static str, input: &str, max: usize) -> Result<String, ValidationError> {
    let t = input.trim();
    if t.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("Gebruik hoogstens {max} tekens."),
        ));
    }
    Ok(t.to_owned())
}

impl StakeholderDraft {
    /// Checks every field and returns all problems at once, each at its field; `today` (local) fills an empty
    /// joining date and bounds it.
    pub fn parse(input: &StakeholderInput, today: Date) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let name = match text("name", &input.name, MAX_NAME) {
            Ok(n) if n.is_empty() => {
                errors.push(ValidationError::new(
                    "name",
                    "Vul de naam van de organisatie in.",
                ));
                n
            }
            Ok(n) => n,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let sector = match input.sector.trim() {
            "" => {
                errors.push(ValidationError::new("sector", "Kies een sector."));
                None
            }
            s => s.parse::<Sector>().map_err(|e| errors.push(e)).ok(),
        };
        let mut roles = Vec::new();
        for r in input.roles.iter().filter(|r| !r.trim().is_empty()) {
            match r.parse::<ChainRole>() {
                Ok(role) => roles.push(role),
                Err(e) => {
                    errors.push(e);
                    break;
                }
            }
        }
        roles.sort();
        roles.dedup();
        let power = score("power", "de invloed", &input.power)
            .map_err(|e| errors.push(e))
            .ok();
        let interest = score("interest", "het belang", &input.interest)
            .map_err(|e| errors.push(e))
            .ok();
        let agreements = text("agreements", &input.agreements, MAX_AGREEMENTS)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        let contact_name = text("contact_name", &input.contact_name, MAX_NAME)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        let contact_email = match input.contact_email.trim() {
            "" => None,
            e => match Email::parse(e) {
                Ok(email) => Some(email.as_str().to_owned()),
                Err(err) => {
                    errors.push(ValidationError::new("contact_email", err.message));
                    None
                }
            },
        };
        let joined_on = match input.joined_on.trim() {
            "" => Some(today),
            d => match d.parse::<Date>() {
                Ok(date) if date > today => {
                    errors.push(ValidationError::new(
                        "joined_on",
                        "Deze datum ligt in de toekomst. Kies vandaag of een dag ervoor.",
                    ));
                    None
                }
                Ok(date) => Some(date),
                Err(_) => {
                    errors.push(ValidationError::new(
                        "joined_on",
                        "Schrijf de datum als jjjj-mm-dd, bijvoorbeeld 2025-09-01.",
                    ));
                    None
                }
            },
        };
        match (sector, power, interest, joined_on) {
            (Some(sector), Some(power), Some(interest), Some(joined_on)) if errors.is_empty() => {
                Ok(Self {
                    name,
                    sector,
                    roles,
                    power,
                    interest,
                    covenant: input.covenant,
                    agreements,
                    contact_name: Some(contact_name).filter(|n| !n.is_empty()),
                    contact_email,
                    joined_on,
                })
            }
            _ => Err(errors),
        }
    }

    pub fn quadrant(&self) -> Quadrant {
        quadrant(self.power, self.interest)
    }
}

/// Roles as stored: sorted codes joined by commas.
pub fn roles_to_text(roles: &[ChainRole]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Roles read back from their stored text; unknown codes are an error.
pub fn roles_from_text(text: &str) -> Result<Vec<ChainRole>, ValidationError> {
    text.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(str::parse)
        .collect()
}

/// What keten's own data says an organisation does in the chain, to prefill the form.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KnownActivity {
    pub runs_help_points: bool,
    pub holds_consultation_hours: bool,
    pub sends_referrals: bool,
    pub receives_referrals: bool,
}

/// The roles the data suggests: a help point's operator hosts and helps, a partner with hours holds a
/// consultation hour, a sender refers (and so signals), a receiver helps.
pub fn suggested_roles(a: KnownActivity) -> Vec<ChainRole> {
    let mut roles = Vec::new();
    if a.runs_help_points {
        roles.extend([ChainRole::Hosts, ChainRole::Helps]);
    }
    if a.holds_consultation_hours {
        roles.push(ChainRole::ConsultationHour);
    }
    if a.sends_referrals {
        roles.extend([ChainRole::Signals, ChainRole::Refers]);
    }
    if a.receives_referrals {
        roles.push(ChainRole::Helps);
    }
    roles.sort();
    roles.dedup();
    roles
}

/// One stakeholder of the demo map outside keten's demo organisations, or a demo organisation by name.
#[derive(Debug, Clone)]
pub struct DemoStakeholder {
    pub name: &'static str,
    /// Whether `name` is one of the demo chain's organisations (then its id is looked up).
    pub in_keten: bool,
    pub sector: Sector,
    pub roles: &'static [ChainRole],
    pub power: u8,
    pub interest: u8,
    pub covenant: bool,
    pub agreements: &'static str,
    /// Days before today that it joined the map.
    pub joined_days_ago: i64,
    /// A later change of (power, interest), days before today.
    pub change: Option<(i64, u8, u8)>,
}

/// Rotterdam's demo map: chain partners and a few organisations outside keten, with a history.
pub fn demo_stakeholders() -> Vec<DemoStakeholder> {
    use ChainRole as R;
    type Row = (
        &'static str,
        bool,
        Sector,
        &'static [ChainRole],
        u8,
        u8,
        bool,
        &'static str,
        i64,
        Option<(i64, u8, u8)>,
    );
    let s = |r: Row| DemoStakeholder {
        name: r.0,
        in_keten: r.1,
        sector: r.2,
        roles: r.3,
        power: r.4,
        interest: r.5,
        covenant: r.6,
        agreements: r.7,
        joined_days_ago: r.8,
        change: r.9,
    };
    let rows: [Row; 12] = [
        (
            "Gemeente Rotterdam",
            true,
            Sector::Public,
            &[R::Funds, R::Helps],
            5,
            5,
            true,
            "Regisseur van de keten; subsidie aan de bibliotheek voor het IDO.",
            720,
            None,
        ),
        (
            "Bibliotheek Rotterdam",
            true,
            Sector::Civil,
            &[R::Helps, R::Hosts, R::Refers],
            4,
            5,
            true,
            "Convenant Informatiepunt Digitale Overheid 2025-2027.",
            700,
            None,
        ),
        (
            "Stichting Welzijn Maasstad",
            true,
            Sector::Civil,
            &[R::Helps, R::Signals, R::Refers],
            3,
            5,
            true,
            "Afspraak over warme doorverwijzing bij geldzorgen.",
            600,
            Some((200, 4, 5)),
        ),
        (
            "Maasbank",
            true,
            Sector::Private,
            &[R::ConsultationHour, R::Signals],
            4,
            3,
            false,
            "Bankspreekuur in de bibliotheek, eens per twee weken.",
            540,
            None,
        ),
        (
            "Havenstad Telecom",
            true,
            Sector::Private,
            &[R::ConsultationHour],
            2,
            2,
            false,
            "",
            400,
            None,
        ),
        (
            "Zorgverzekeraar Rijnmond Zorg",
            true,
            Sector::Private,
            &[R::Signals, R::Funds],
            4,
            2,
            false,
            "Draagt bij aan de cursus Digitale Zorg.",
            380,
            None,
        ),
        (
            "SVB kantoor Rotterdam",
            true,
            Sector::Public,
            &[R::Refers, R::ConsultationHour],
            3,
            4,
            true,
            "",
            350,
            None,
        ),
        (
            "Hogeschool Maasstad, lectoraat Digitale Inclusie",
            true,
            Sector::Knowledge,
            &[R::Signals],
            2,
            4,
            false,
            "Onderzoek naar bereik van de hulppunten.",
            300,
            None,
        ),
        (
            "Bewonersinitiatief Digitaal Samen Hoogvliet",
            true,
            Sector::Citizens,
            &[R::Helps, R::Hosts],
            1,
            5,
            false,
            "",
            250,
            None,
        ),
        (
            "Ouderenbond Rotterdam-Zuid",
            false,
            Sector::Citizens,
            &[R::Signals],
            2,
            4,
            false,
            "",
            180,
            None,
        ),
        (
            "Fonds Digitaal Meedoen Rijnmond",
            false,
            Sector::Private,
            &[R::Funds],
            4,
            2,
            false,
            "Aanvraag voor tablets in behandeling.",
            120,
            Some((30, 5, 3)),
        ),
        (
            "Erasmus Universiteit, Maatschappelijke Impact",
            false,
            Sector::Knowledge,
            &[],
            2,
            2,
            false,
            "",
            60,
            None,
        ),
    ];
    rows.into_iter().map(s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> StakeholderInput {
        StakeholderInput {
            name: " Maasbank ".into(),
            sector: "private".into(),
            roles: vec!["refers".into(), "consultation_hour".into(), "refers".into()],
            power: "4".into(),
            interest: "2".into(),
            covenant: true,
            agreements: "Spreekuur".into(),
            contact_name: "Joost".into(),
            contact_email: "Joost@Maasbank.NL".into(),
            joined_on: String::new(),
        }
    }

    fn today() -> Date {
        Date::new(2026, 3, 2).unwrap()
    }

    #[test]
    fn the_quadrant_rule_splits_above_the_middle() {
        assert_eq!(quadrant(5, 5), Quadrant::ManageClosely);
        assert_eq!(quadrant(4, 4), Quadrant::ManageClosely);
        assert_eq!(quadrant(4, 3), Quadrant::KeepSatisfied);
        assert_eq!(quadrant(5, 1), Quadrant::KeepSatisfied);
        assert_eq!(quadrant(3, 4), Quadrant::KeepInformed);
        assert_eq!(quadrant(1, 5), Quadrant::KeepInformed);
        assert_eq!(quadrant(3, 3), Quadrant::Monitor);
        assert_eq!(quadrant(1, 1), Quadrant::Monitor);
        // Every cell of the grid lands in exactly one field, 4 of 25 in manage closely.
        let closely = (1..=5)
            .flat_map(|p| (1..=5).map(move |i| quadrant(p, i)))
            .filter(|q| *q == Quadrant::ManageClosely)
            .count();
        assert_eq!(closely, 4);
    }

    #[test]
    fn a_good_input_is_trimmed_sorted_and_dated_today() {
        let d = StakeholderDraft::parse(&input(), today()).unwrap();
        assert_eq!(d.name, "Maasbank");
        assert_eq!(d.sector, Sector::Private);
        assert_eq!(
            d.roles,
            vec![ChainRole::Refers, ChainRole::ConsultationHour]
        );
        assert_eq!((d.power, d.interest), (4, 2));
        assert_eq!(d.quadrant(), Quadrant::KeepSatisfied);
        assert_eq!(d.contact_email.as_deref(), Some("joost@maasbank.nl"));
        assert_eq!(d.joined_on, today());
        assert_eq!(roles_to_text(&d.roles), "refers,consultation_hour");
        assert_eq!(
            roles_from_text("refers,consultation_hour").unwrap(),
            d.roles
        );
        assert_eq!(roles_from_text("").unwrap(), vec![]);
    }

    #[test]
    fn every_problem_is_reported_at_its_field() {
        let bad = StakeholderInput {
            name: "  ".into(),
            sector: "church".into(),
            roles: vec!["bakes".into()],
            power: "6".into(),
            interest: "".into(),
            contact_email: "geen-adres".into(),
            joined_on: "2026-03-03".into(),
            ..input()
        };
        let errors = StakeholderDraft::parse(&bad, today()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                "name",
                "sector",
                "roles",
                "power",
                "interest",
                "contact_email",
                "joined_on"
            ]
        );
        assert!(errors[3].message.contains("1 (weinig) tot 5"));
        let wrong_date = StakeholderInput {
            joined_on: "1-9-2025".into(),
            ..input()
        };
        assert_eq!(
            StakeholderDraft::parse(&wrong_date, today()).unwrap_err()[0].field,
            "joined_on"
        );
        let long = StakeholderInput {
            agreements: "x".repeat(MAX_AGREEMENTS + 1),
            ..input()
        };
        assert_eq!(
            StakeholderDraft::parse(&long, today()).unwrap_err()[0].field,
            "agreements"
        );
    }

    #[test]
    fn the_data_suggests_roles() {
        assert_eq!(suggested_roles(KnownActivity::default()), vec![]);
        assert_eq!(
            suggested_roles(KnownActivity {
                runs_help_points: true,
                receives_referrals: true,
                ..Default::default()
            }),
            vec![ChainRole::Helps, ChainRole::Hosts]
        );
        assert_eq!(
            suggested_roles(KnownActivity {
                holds_consultation_hours: true,
                sends_referrals: true,
                ..Default::default()
            }),
            vec![
                ChainRole::Signals,
                ChainRole::Refers,
                ChainRole::ConsultationHour
            ]
        );
    }

    #[test]
    fn the_demo_map_is_valid() {
        let demo = demo_stakeholders();
        assert!(demo.iter().any(|d| !d.in_keten) && demo.iter().any(|d| d.in_keten));
        for d in &demo {
            assert!((1..=5).contains(&d.power) && (1..=5).contains(&d.interest));
            if let Some((days, p, i)) = d.change {
                assert!(days < d.joined_days_ago && (1..=5).contains(&p) && (1..=5).contains(&i));
            }
        }
    }
}
