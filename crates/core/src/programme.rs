//! National programmes (issue 15): kinds, money in euro cents, the cap with or without VAT, conditions,
//! eligibility, size classes and regions, application and report rules. Pure: settings come in, verdicts go out.

use crate::ValidationError;
use crate::codes::code_list;
use crate::reference::{Country, Municipality};
use jiff::civil::Date;

code_list! {
    /// What kind of programme (DESIGN.md): a call, a project call with dossiers, a trajectory, a subsidy scheme.
    pub enum ProgrammeKind ("kind") {
        Call = "call", "Oproep (koplopers)";
        ProjectCall = "project_call", "Projectoproep met dossiers";
        Trajectory = "trajectory", "Ondersteuningstraject";
        SubsidyScheme = "subsidy_scheme", "Subsidieregeling in golven";
    }
}

code_list! {
    /// Who may apply to a programme.
    pub enum ApplicantKind ("applicant_kind") {
        Municipality = "municipality", "Gemeenten en lokale besturen";
        Library = "library", "Bibliotheken";
    }
}

code_list! {
    /// Where an application stands.
    pub enum ApplicationStatus ("status") {
        Submitted = "submitted", "Ingediend";
        MissingInfo = "missing_info", "Aanvulling gevraagd";
        Selected = "selected", "Gekozen";
        Reserve = "reserve", "Reservelijst";
        Rejected = "rejected", "Afgewezen";
        Withdrawn = "withdrawn", "Ingetrokken";
    }
}

code_list! {
    /// A municipality's place in a dossier (project call): the lead applies, members join; a partner joins
    /// without funding (the Brugge case).
    pub enum MemberRole ("member_role") {
        Member = "member", "Deelnemer";
        Partner = "partner", "Partner zonder financiering";
    }
}

code_list! {
    /// Size class of a municipality by population; the thresholds are programme settings.
    pub enum SizeClass ("size_class") {
        Small = "small", "Klein";
        Medium = "medium", "Middelgroot";
        Large = "large", "Groot";
    }
}

code_list! {
    /// Where a report stands on a given day.
    pub enum ReportState ("report_state") {
        Open = "open", "Nog niet nodig";
        In = "in", "Binnen";
        Late = "late", "Te laat binnen";
        Missing = "missing", "Ontbreekt";
    }
}

/// An amount of money in euro cents; never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct EuroCents(pub i64);

impl EuroCents {
    /// The largest amount keten takes (ten billion euro): far above any programme, and far enough from `i64::MAX`
    /// that adding VAT or summing years cannot overflow.
    pub const MAX: EuroCents = EuroCents(1_000_000_000_000);

    /// Whether the amount lies between zero and [`EuroCents::MAX`].
    #[must_use]
    pub fn in_range(self) -> bool {
        (0..=Self::MAX.0).contains(&self.0)
    }

    /// Reads an amount as people type it: `22500`, `22.500`, `22.500,50`, `€ 22.500`. Dots group thousands, a
    /// comma starts the cents. Negative amounts and more than two decimals are refused.
    pub fn parse(field: &'static str, input: &str) -> Result<Self, ValidationError> {
        let bad = || {
            ValidationError::new(
                field,
                "Vul een bedrag in euro in, bijvoorbeeld 22.500 of 22.500,50.",
            )
        };
        let s: String = input
            .trim()
            .trim_start_matches('€')
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if s.is_empty() {
            return Err(ValidationError::new(field, "Vul een bedrag in."));
        }
        let (whole, cents) = match s.split_once(',') {
            Some((w, c)) => (w, c),
            None => (s.as_str(), ""),
        };
        let groups: Vec<&str> = whole.split('.').collect();
        let grouped_ok = groups.len() == 1
            || (!groups[0].is_empty()
                && groups[0].len() <= 3
                && groups[1..].iter().all(|g| g.len() == 3));
        if !grouped_ok
            || cents.len() > 2
            || !whole.chars().all(|c| c.is_ascii_digit() || c == '.')
            || !cents.chars().all(|c| c.is_ascii_digit())
            || groups.concat().is_empty()
        {
            return Err(bad());
        }
        let euros: i64 = groups.concat().parse().map_err(|_| bad())?;
        let cents: i64 = match cents.len() {
            0 => 0,
            1 => cents.parse::<i64>().map_err(|_| bad())? * 10,
            _ => cents.parse().map_err(|_| bad())?,
        };
        euros
            .checked_mul(100)
            .and_then(|e| e.checked_add(cents))
            .filter(|v| *v <= Self::MAX.0)
            .map(EuroCents)
            .ok_or_else(bad)
    }

    /// Dutch notation: `€ 22.500` or `€ 22.500,50`.
    #[must_use]
    pub fn display(self) -> String {
        let euros = crate::steering::thousands(self.0 / 100);
        match (self.0 % 100).abs() {
            0 => format!("€ {euros}"),
            c => format!("€ {euros},{c:02}"),
        }
    }

    /// Plain decimal for files and the API (`22500.50`): no grouping, a point.
    #[must_use]
    pub fn decimal(self) -> String {
        format!("{}.{:02}", self.0 / 100, (self.0 % 100).abs())
    }
}

/// An amount and whether it includes VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub cents: EuroCents,
    pub vat_included: bool,
}

impl Amount {
    /// The amount including VAT at `vat_percent`, rounded to the cent (half up).
    #[must_use]
    pub fn including_vat(self, vat_percent: u32) -> EuroCents {
        if self.vat_included {
            self.cents
        } else {
            EuroCents((self.cents.0 * (100 + i64::from(vat_percent)) + 50) / 100)
        }
    }

    /// The amount excluding VAT at `vat_percent`, rounded to the cent (half up).
    #[must_use]
    pub fn excluding_vat(self, vat_percent: u32) -> EuroCents {
        if self.vat_included {
            let d = 100 + i64::from(vat_percent);
            EuroCents((self.cents.0 * 100 + d / 2) / d)
        } else {
            self.cents
        }
    }
}

/// Checks a requested amount against the cap: both compared on the cap's own footing (with or without VAT).
/// Zero is allowed: taking part without a contribution.
pub fn check_cap(requested: Amount, cap: Amount, vat_percent: u32) -> Result<(), ValidationError> {
    let (asked, label) = if cap.vat_included {
        (requested.including_vat(vat_percent), "inclusief btw")
    } else {
        (requested.excluding_vat(vat_percent), "exclusief btw")
    };
    if asked <= cap.cents {
        return Ok(());
    }
    let message = if requested.vat_included == cap.vat_included {
        format!(
            "U vraagt {}, meer dan het maximum van {} {label}. Vraag hooguit {} aan.",
            asked.display(),
            cap.cents.display(),
            cap.cents.display()
        )
    } else {
        format!(
            "U vraagt {} {}; {label} ({vat_percent}% btw) is dat {}, meer dan het maximum van {} {label}.",
            requested.cents.display(),
            if requested.vat_included {
                "inclusief btw"
            } else {
                "zonder btw"
            },
            asked.display(),
            cap.cents.display()
        )
    };
    Err(ValidationError::new("amount", message))
}

/// The size class of a municipality: below `thresholds.0` small, below `thresholds.1` medium, else large.
#[must_use]
pub fn size_class(population: u32, thresholds: (u32, u32)) -> SizeClass {
    if population < thresholds.0 {
        SizeClass::Small
    } else if population < thresholds.1 {
        SizeClass::Medium
    } else {
        SizeClass::Large
    }
}

/// Who may apply for funding; settings of the programme.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EligibilityRules {
    pub country: Option<Country>,
    pub min_population: Option<u32>,
    pub max_population: Option<u32>,
    /// Names of the other programmes whose participants may not get funding here.
    pub excluded_programmes: Vec<String>,
}

/// Whether a municipality may apply, and in what capacity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Eligibility {
    Eligible,
    /// Takes part in another programme: no funding here, but it may join a dossier as a partner.
    PartnerOnly(String),
    NotEligible(String),
}

/// Judges a municipality against the rules. `takes_part_in` holds the names of the programmes it already takes
/// part in (selected there).
#[must_use]
pub fn eligibility(
    rules: &EligibilityRules,
    municipality: &Municipality,
    takes_part_in: &[String],
) -> Eligibility {
    if let Some(country) = rules.country
        && municipality.country != country
    {
        let land = match country {
            Country::Nl => "Nederland",
            Country::Be => "België",
        };
        return Eligibility::NotEligible(format!(
            "Deze oproep is alleen voor gemeenten in {land}; {} kan niet meedoen.",
            municipality.name
        ));
    }
    if let Some(min) = rules.min_population
        && municipality.population < min
    {
        return Eligibility::NotEligible(format!(
            "Deze oproep is voor gemeenten met minstens {} inwoners; {} heeft er {}.",
            crate::steering::thousands(i64::from(min)),
            municipality.name,
            crate::steering::thousands(i64::from(municipality.population))
        ));
    }
    if let Some(max) = rules.max_population
        && municipality.population > max
    {
        return Eligibility::NotEligible(format!(
            "Deze oproep is voor gemeenten met hooguit {} inwoners; {} heeft er {}.",
            crate::steering::thousands(i64::from(max)),
            municipality.name,
            crate::steering::thousands(i64::from(municipality.population))
        ));
    }
    if let Some(other) = rules
        .excluded_programmes
        .iter()
        .find(|p| takes_part_in.contains(p))
    {
        return Eligibility::PartnerOnly(format!(
            "{} doet al mee aan {other} en kan daarom geen financiering krijgen. U kunt wel als partner meedoen in een dossier van een andere gemeente.",
            municipality.name
        ));
    }
    Eligibility::Eligible
}

/// The conditions an applicant must confirm: every one, or an error per missing one.
pub fn check_conditions(conditions: &[String], confirmed: &[usize]) -> Vec<ValidationError> {
    conditions
        .iter()
        .enumerate()
        .filter(|(i, _)| !confirmed.contains(i))
        .map(|(_, text)| {
            ValidationError::new(
                "conditions",
                format!("Bevestig deze voorwaarde om mee te doen: “{text}”."),
            )
        })
        .collect()
}

/// A report's state on `today`: in (on time or late) when submitted, else open until the due date and missing
/// after it.
#[must_use]
pub fn report_state(due_on: Date, submitted_on: Option<Date>, today: Date) -> ReportState {
    match submitted_on {
        Some(d) if d <= due_on => ReportState::In,
        Some(_) => ReportState::Late,
        None if today > due_on => ReportState::Missing,
        None => ReportState::Open,
    }
}

/// Reads a date as typed (`2023-09-15` from a date field, or `15-09-2023`).
pub fn parse_date(field: &'static str, input: &str) -> Result<Date, ValidationError> {
    let s = input.trim();
    if let Ok(d) = s.parse::<Date>() {
        return Ok(d);
    }
    let parts: Vec<&str> = s.split(['-', '/']).collect();
    if let [d, m, y] = parts.as_slice()
        && let (Ok(d), Ok(m), Ok(y)) = (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>())
        && let Ok(date) = Date::new(y, m, d)
    {
        return Ok(date);
    }
    Err(ValidationError::new(
        field,
        "Vul een datum in als dag-maand-jaar, bijvoorbeeld 15-09-2023.",
    ))
}

/// A programme's settings as a manager enters them, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeDraft {
    pub kind: ProgrammeKind,
    pub name: String,
    pub description: String,
    pub applicant_kind: ApplicantKind,
    pub opens_on: Date,
    pub closes_on: Date,
    pub budget: EuroCents,
    pub cap: Amount,
    pub vat_percent: u32,
    pub max_participants: u32,
    pub conditions: Vec<String>,
    pub rules: EligibilityRules,
    /// Population thresholds between small and medium, and medium and large.
    pub size_thresholds: (u32, u32),
    /// Waves (subsidy scheme): name, places, amount per participant.
    pub waves: Vec<WaveDraft>,
}

/// One wave of a subsidy scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveDraft {
    pub name: String,
    pub places: u32,
    pub amount: EuroCents,
    pub announce_on: Option<Date>,
    /// What one participant receives per calendar year, in the order given (empty: not spread); their total is
    /// `amount`.
    pub years: Vec<(i32, EuroCents)>,
}

/// The programme form as typed (text everywhere, so a page can show it back).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct ProgrammeInput {
    pub kind: String,
    pub name: String,
    pub description: String,
    pub applicant_kind: String,
    pub opens_on: String,
    pub closes_on: String,
    pub budget: String,
    pub cap: String,
    pub cap_vat_included: String,
    pub vat_percent: String,
    pub max_participants: String,
    /// One condition per line.
    pub conditions: String,
    pub country: String,
    pub min_population: String,
    pub max_population: String,
    /// Names of excluded programmes, one per line.
    pub excluded_programmes: String,
    pub small_below: String,
    pub large_from: String,
    /// One wave per line: `name; places; amount; announcement date`, the amount either one sum or per year
    /// (`2019: 40.000, 2020: 20.000`).
    pub waves: String,
}

fn count(field: &'static str, input: &str, what: &str) -> Result<Option<u32>, ValidationError> {
    let s: String = input.trim().chars().filter(|c| *c != '.').collect();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<u32>()
        .map(Some)
        .map_err(|_| ValidationError::new(field, format!("Vul bij {what} een heel getal in.")))
}

impl ProgrammeDraft {
    /// Checks every field of the form; all problems together, each with its field. The rules between fields are
    /// [`ProgrammeDraft::check`], shared with the API.
    pub fn parse(input: &ProgrammeInput) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let kind = take(
            &mut errors,
            input
                .kind
                .parse::<ProgrammeKind>()
                .map_err(|_| ValidationError::new("kind", "Kies wat voor programma het is.")),
        );
        let applicant_kind = take(
            &mut errors,
            input
                .applicant_kind
                .parse::<ApplicantKind>()
                .map_err(|_| ValidationError::new("applicant_kind", "Kies wie er kan aanvragen.")),
        );
        let opens_on = take(&mut errors, parse_date("opens_on", &input.opens_on));
        let closes_on = take(&mut errors, parse_date("closes_on", &input.closes_on));
        let budget = take(&mut errors, EuroCents::parse("budget", &input.budget));
        let cap_cents = take(&mut errors, EuroCents::parse("cap", &input.cap));
        let vat_percent = take(
            &mut errors,
            count("vat_percent", &input.vat_percent, "btw-percentage"),
        )
        .map(|v| v.unwrap_or(21));
        let max_participants = take(
            &mut errors,
            count(
                "max_participants",
                &input.max_participants,
                "het aantal deelnemers",
            )
            .and_then(|v| {
                v.ok_or_else(|| ValidationError::new("max_participants", NO_PARTICIPANTS))
            }),
        );
        let country = match input.country.trim() {
            "" => None,
            "NL" => Some(Country::Nl),
            "BE" => Some(Country::Be),
            _ => {
                errors.push(ValidationError::new(
                    "country",
                    "Kies Nederland, België of beide.",
                ));
                None
            }
        };
        let min_population = take(
            &mut errors,
            count(
                "min_population",
                &input.min_population,
                "het minimum aantal inwoners",
            ),
        )
        .flatten();
        let max_population = take(
            &mut errors,
            count(
                "max_population",
                &input.max_population,
                "het maximum aantal inwoners",
            ),
        )
        .flatten();
        let small_below = take(
            &mut errors,
            count(
                "small_below",
                &input.small_below,
                "de grens klein/middelgroot",
            ),
        )
        .flatten()
        .unwrap_or(20_000);
        let large_from = take(
            &mut errors,
            count(
                "large_from",
                &input.large_from,
                "de grens middelgroot/groot",
            ),
        )
        .flatten()
        .unwrap_or(50_000);
        let mut waves = Vec::new();
        for (i, line) in lines(&input.waves).iter().enumerate() {
            match parse_wave(line) {
                Ok(w) => waves.push(w),
                Err(message) => errors.push(ValidationError::new(
                    "waves",
                    format!("Golf op regel {}: {message}", i + 1),
                )),
            }
        }
        // The rules between fields run on what could be read, standing in for what could not, so that a bad date
        // and an empty name are reported together; a field already refused is not judged twice.
        let refused: Vec<&'static str> = errors.iter().map(|e| e.field).collect();
        let draft = Self {
            kind: kind.unwrap_or(ProgrammeKind::Call),
            name: input.name.trim().to_owned(),
            description: input.description.trim().to_owned(),
            applicant_kind: applicant_kind.unwrap_or(ApplicantKind::Municipality),
            opens_on: opens_on.or(closes_on).unwrap_or_default(),
            closes_on: closes_on.or(opens_on).unwrap_or_default(),
            budget: budget.unwrap_or_default(),
            cap: Amount {
                cents: cap_cents.unwrap_or_default(),
                vat_included: !matches!(input.cap_vat_included.trim(), "0" | "nee" | "false"),
            },
            vat_percent: vat_percent.unwrap_or(21),
            max_participants: max_participants.unwrap_or(1),
            conditions: lines(&input.conditions),
            rules: EligibilityRules {
                country,
                min_population,
                max_population,
                excluded_programmes: lines(&input.excluded_programmes),
            },
            size_thresholds: (small_below, large_from),
            waves,
        };
        errors.extend(
            draft
                .check()
                .into_iter()
                .filter(|e| !refused.contains(&e.field)),
        );
        if errors.is_empty() {
            Ok(draft)
        } else {
            Err(errors)
        }
    }

    /// The rules of a programme whose fields are typed, for the form and the API alike: a name, the dates in
    /// order, amounts and percentages in range, the population limits and size thresholds in order, conditions of
    /// reasonable length, and waves (a subsidy scheme has one at least) whose amounts per year each come once,
    /// not before the programme opens, and add up to the wave's amount per participant.
    #[must_use]
    pub fn check(&self) -> Vec<ValidationError> {
        let mut errors = Vec::new();
        let mut refuse = |field: &'static str, message: String| {
            errors.push(ValidationError::new(field, message));
        };
        if self.name.is_empty() || self.name.chars().count() > 200 {
            refuse("name", "Vul een naam in van hooguit 200 tekens.".into());
        }
        if self.closes_on < self.opens_on {
            refuse(
                "closes_on",
                "De sluitingsdatum ligt voor de openingsdatum.".into(),
            );
        }
        if !self.budget.in_range() {
            refuse(
                "budget",
                format!(
                    "Het budget ligt tussen € 0 en {}.",
                    EuroCents::MAX.display()
                ),
            );
        }
        if !self.cap.cents.in_range() {
            refuse(
                "cap",
                format!(
                    "De hoogste bijdrage ligt tussen € 0 (geen geld) en {}.",
                    EuroCents::MAX.display()
                ),
            );
        }
        if self.vat_percent > 100 {
            refuse(
                "vat_percent",
                "Het btw-percentage ligt tussen 0 en 100.".into(),
            );
        }
        if self.max_participants == 0 {
            refuse("max_participants", NO_PARTICIPANTS.into());
        }
        if let (Some(a), Some(b)) = (self.rules.min_population, self.rules.max_population)
            && b < a
        {
            refuse(
                "max_population",
                "Het maximum aantal inwoners is kleiner dan het minimum.".into(),
            );
        }
        if self.size_thresholds.1 <= self.size_thresholds.0 {
            refuse(
                "large_from",
                "De grens voor grote gemeenten moet hoger zijn dan die voor kleine.".into(),
            );
        }
        if self
            .conditions
            .iter()
            .any(|c| c.trim().is_empty() || c.chars().count() > 500)
        {
            refuse(
                "conditions",
                "Een voorwaarde is een tekst van hooguit 500 tekens.".into(),
            );
        }
        if self.kind == ProgrammeKind::SubsidyScheme && self.waves.is_empty() {
            refuse(
                "waves",
                "Een subsidieregeling heeft minstens één golf.".into(),
            );
        }
        let opening_year = i32::from(self.opens_on.year());
        for (i, w) in self.waves.iter().enumerate() {
            let label = format!("Golf {} ({})", i + 1, w.name);
            if w.name.trim().is_empty() || w.name.chars().count() > 200 {
                refuse(
                    "waves",
                    format!(
                        "Golf {}: geef de golf een naam van hooguit 200 tekens.",
                        i + 1
                    ),
                );
            }
            if !w.amount.in_range() || w.years.iter().any(|(_, a)| !a.in_range()) {
                refuse(
                    "waves",
                    format!(
                        "{label}: een bedrag ligt tussen € 0 en {}.",
                        EuroCents::MAX.display()
                    ),
                );
                continue;
            }
            for (j, (year, _)) in w.years.iter().enumerate() {
                if w.years[..j].iter().any(|(y, _)| y == year) {
                    refuse(
                        "waves",
                        format!(
                            "{label}: het jaar {year} staat er twee keer in. Noem elk jaar één keer."
                        ),
                    );
                } else if *year < opening_year {
                    refuse(
                        "waves",
                        format!(
                            "{label}: het programma opent in {opening_year}; een bedrag voor {year} kan niet."
                        ),
                    );
                } else if *year > 9999 {
                    refuse(
                        "waves",
                        format!(
                            "{label}: {year} is geen jaartal; schrijf het jaar in vier cijfers."
                        ),
                    );
                }
            }
            let total = w
                .years
                .iter()
                .fold(0_i64, |t, (_, a)| t.saturating_add(a.0));
            if !w.years.is_empty() && total != w.amount.0 {
                refuse(
                    "waves",
                    format!(
                        "{label}: het bedrag per deelnemer ({}) is niet de som van de bedragen per jaar ({}).",
                        w.amount.display(),
                        EuroCents(total).display()
                    ),
                );
            }
        }
        errors
    }
}

const NO_PARTICIPANTS: &str = "Vul in hoeveel deelnemers er hooguit gekozen worden (1 of meer).";

fn take<T>(errors: &mut Vec<ValidationError>, r: Result<T, ValidationError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads one wave line: `name; places; amount; (announcement date)`, where the amount is one sum per participant
/// (`40.000`) or a sum per year (`2019: 40.000, 2020: 20.000`); the wave's amount is then their total.
fn parse_wave(line: &str) -> Result<WaveDraft, String> {
    let parts: Vec<&str> = line.split(';').map(str::trim).collect();
    let (name, places, amount, announce) = match parts.as_slice() {
        [n, p, a] => (*n, *p, *a, None),
        [n, p, a, d] => (*n, *p, *a, Some(*d)),
        _ => {
            return Err(
                "schrijf naam; aantal plaatsen; bedrag per deelnemer (of per jaar: 2019: 40.000, 2020: 20.000); (datum bekendmaking)".into(),
            );
        }
    };
    if name.is_empty() {
        return Err("de golf heeft geen naam.".into());
    }
    let places = places
        .parse::<u32>()
        .map_err(|_| "het aantal plaatsen is geen heel getal.".to_owned())?;
    let (amount, years) = if amount.contains(':') {
        let years = parse_years(amount)?;
        (
            EuroCents(years.iter().fold(0_i64, |t, (_, a)| t.saturating_add(a.0))),
            years,
        )
    } else {
        (
            EuroCents::parse("waves", amount).map_err(|e| e.message)?,
            Vec::new(),
        )
    };
    let announce_on = announce
        .filter(|d| !d.is_empty())
        .map(|d| parse_date("waves", d).map_err(|e| e.message))
        .transpose()?;
    Ok(WaveDraft {
        name: name.to_owned(),
        places,
        amount,
        announce_on,
        years,
    })
}

/// Reads `2019: 40.000, 2020: 20.000,50`. A comma separates the years, but also starts the cents of an amount:
/// one or two digits straight after a comma are cents.
fn parse_years(text: &str) -> Result<Vec<(i32, EuroCents)>, String> {
    let mut entries: Vec<String> = Vec::new();
    for piece in text.split(',') {
        let cents = (1..=2).contains(&piece.len()) && piece.chars().all(|c| c.is_ascii_digit());
        match entries.last_mut() {
            Some(last) if cents => {
                last.push(',');
                last.push_str(piece);
            }
            _ => entries.push(piece.to_owned()),
        }
    }
    let mut years = Vec::new();
    for entry in &entries {
        let Some((year, amount)) = entry.split_once(':') else {
            return Err(format!(
                "“{}” heeft geen jaartal; schrijf per jaar jaartal: bedrag, bijvoorbeeld 2019: 40.000, 2020: 20.000.",
                entry.trim()
            ));
        };
        let year = year.trim();
        let year: i32 = year
            .parse()
            .ok()
            .filter(|_| year.len() == 4 && year.chars().all(|c| c.is_ascii_digit()))
            .ok_or_else(|| {
                format!(
                    "“{year}” is geen jaartal; schrijf het jaar in vier cijfers, bijvoorbeeld 2019."
                )
            })?;
        let amount = EuroCents::parse("waves", amount)
            .map_err(|e| format!("het bedrag bij {year} klopt niet. {}", e.message))?;
        years.push((year, amount));
    }
    Ok(years)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::municipality_by_code_or_name;

    #[test]
    fn amounts_parse_dutch_notation_and_refuse_the_rest() {
        for (text, cents) in [
            ("22500", 2_250_000),
            ("22.500", 2_250_000),
            ("€ 22.500,50", 2_250_050),
            ("22500,5", 2_250_050),
            ("0", 0),
        ] {
            assert_eq!(
                EuroCents::parse("a", text).unwrap(),
                EuroCents(cents),
                "{text}"
            );
        }
        for bad in ["", "-5", "22.50", "1,234", "abc", "22,500,00", "."] {
            assert!(EuroCents::parse("a", bad).is_err(), "{bad}");
        }
        assert_eq!(EuroCents(2_250_050).display(), "€ 22.500,50");
        assert_eq!(EuroCents(2_250_000).display(), "€ 22.500");
        assert_eq!(EuroCents(2_250_050).decimal(), "22500.50");
    }

    #[test]
    fn the_cap_including_vat_counts_the_vat_on_an_amount_without() {
        let cap = Amount {
            cents: EuroCents(2_250_000),
            vat_included: true,
        };
        let excl = |c| Amount {
            cents: EuroCents(c),
            vat_included: false,
        };
        // 18.595,04 + 21% = 22.499,99: inside; 20.000 + 21% = 24.200: over.
        assert!(check_cap(excl(1_859_504), cap, 21).is_ok());
        let err = check_cap(excl(2_000_000), cap, 21).unwrap_err();
        assert!(err.message.contains("€ 24.200"), "{}", err.message);
        assert!(check_cap(excl(0), cap, 21).is_ok());
        let incl = Amount {
            cents: EuroCents(2_250_001),
            vat_included: true,
        };
        assert!(check_cap(incl, cap, 21).is_err());
    }

    #[test]
    fn brugge_in_the_city_deal_may_only_be_a_partner() {
        let rules = EligibilityRules {
            country: Some(Country::Be),
            min_population: None,
            max_population: Some(150_000),
            excluded_programmes: vec!["City Deal e-Inclusie".into()],
        };
        let brugge = municipality_by_code_or_name("Brugge").unwrap();
        let damme = municipality_by_code_or_name("Damme").unwrap();
        let rotterdam = municipality_by_code_or_name("Rotterdam").unwrap();
        let antwerpen = municipality_by_code_or_name("Antwerpen").unwrap();
        assert!(matches!(
            eligibility(&rules, brugge, &["City Deal e-Inclusie".into()]),
            Eligibility::PartnerOnly(_)
        ));
        assert_eq!(eligibility(&rules, damme, &[]), Eligibility::Eligible);
        assert!(matches!(
            eligibility(&rules, rotterdam, &[]),
            Eligibility::NotEligible(_)
        ));
        assert!(matches!(
            eligibility(&rules, antwerpen, &[]),
            Eligibility::NotEligible(_)
        ));
    }

    #[test]
    fn every_condition_must_be_confirmed() {
        let c = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        assert!(check_conditions(&c, &[0, 1, 2]).is_empty());
        let missing = check_conditions(&c, &[1]);
        assert_eq!(missing.len(), 2);
        assert!(missing[0].message.contains("“a”"));
    }

    #[test]
    fn reports_are_in_late_open_or_missing() {
        let due: Date = "2024-03-31".parse().unwrap();
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(
            report_state(due, Some(d("2024-03-30")), d("2024-05-01")),
            ReportState::In
        );
        assert_eq!(
            report_state(due, Some(d("2024-04-02")), d("2024-05-01")),
            ReportState::Late
        );
        assert_eq!(report_state(due, None, d("2024-03-31")), ReportState::Open);
        assert_eq!(
            report_state(due, None, d("2024-04-01")),
            ReportState::Missing
        );
    }

    #[test]
    fn size_classes_follow_the_thresholds() {
        assert_eq!(size_class(19_999, (20_000, 50_000)), SizeClass::Small);
        assert_eq!(size_class(20_000, (20_000, 50_000)), SizeClass::Medium);
        assert_eq!(size_class(50_000, (20_000, 50_000)), SizeClass::Large);
    }

    #[test]
    fn a_programme_draft_reports_every_problem_and_reads_waves() {
        let input = ProgrammeInput {
            kind: "subsidy_scheme".into(),
            name: "Plan Digitale Inclusie".into(),
            applicant_kind: "library".into(),
            opens_on: "01-01-2019".into(),
            closes_on: "2021-12-31".into(),
            budget: "3.000.000".into(),
            cap: "40.000".into(),
            cap_vat_included: "1".into(),
            max_participants: "15".into(),
            waves: "Kopgroep; 15; 40.000; 2019-06-01\nFase 2; 30; 25.000".into(),
            ..Default::default()
        };
        let d = ProgrammeDraft::parse(&input).unwrap();
        assert_eq!(d.waves.len(), 2);
        assert_eq!(d.waves[0].places, 15);
        assert_eq!(d.size_thresholds, (20_000, 50_000));
        let bad = ProgrammeInput {
            kind: "x".into(),
            closes_on: "gisteren".into(),
            ..input
        };
        let errors = ProgrammeDraft::parse(&bad).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert!(
            fields.contains(&"kind") && fields.contains(&"closes_on"),
            "{fields:?}"
        );
    }

    fn scheme(waves: &str) -> ProgrammeInput {
        ProgrammeInput {
            kind: "subsidy_scheme".into(),
            name: "Plan Digitale Inclusie".into(),
            applicant_kind: "library".into(),
            opens_on: "01-01-2019".into(),
            closes_on: "2021-12-31".into(),
            budget: "3.000.000".into(),
            cap: "60.000".into(),
            max_participants: "15".into(),
            waves: waves.into(),
            ..Default::default()
        }
    }

    fn wave_errors(waves: &str) -> Vec<String> {
        ProgrammeDraft::parse(&scheme(waves))
            .unwrap_err()
            .into_iter()
            .map(|e| {
                assert_eq!(e.field, "waves");
                e.message
            })
            .collect()
    }

    #[test]
    fn a_wave_gives_its_amount_per_year_and_the_single_amount_stays_valid() {
        let d = ProgrammeDraft::parse(&scheme(
            "Kopgroep; 15; 2019: 40.000, 2020: 20.000; 01-06-2019\nFase 2; 30; 2020: 12.500,50, 2021:12.500\nFase 3; 30; 25.000",
        ))
        .unwrap();
        assert_eq!(
            d.waves[0].years,
            vec![(2019, EuroCents(4_000_000)), (2020, EuroCents(2_000_000))]
        );
        assert_eq!(
            d.waves[0].amount,
            EuroCents(6_000_000),
            "the total per participant"
        );
        assert_eq!(d.waves[0].announce_on, Some("2019-06-01".parse().unwrap()));
        // A comma followed by one or two digits starts the cents of an amount, not a new year.
        assert_eq!(
            d.waves[1].years,
            vec![(2020, EuroCents(1_250_050)), (2021, EuroCents(1_250_000))]
        );
        assert_eq!(d.waves[1].amount, EuroCents(2_500_050));
        assert!(d.waves[2].years.is_empty());
        assert_eq!(d.waves[2].amount, EuroCents(2_500_000));
    }

    #[test]
    fn wave_years_are_refused_per_line_in_plain_dutch() {
        let e = wave_errors("Kopgroep; 15; 2019: 40.000, 20.000");
        assert!(
            e[0].starts_with("Golf op regel 1: “20.000” heeft geen jaartal"),
            "{e:?}"
        );
        let e = wave_errors("Kopgroep; 15; 40.000\nFase 2; 30; volgend jaar: 10.000");
        assert!(
            e[0].starts_with("Golf op regel 2: “volgend jaar” is geen jaartal"),
            "{e:?}"
        );
        let e = wave_errors("Kopgroep; 15; 19: 10.000");
        assert!(e[0].contains("“19” is geen jaartal"), "{e:?}");
        let e = wave_errors("Kopgroep; 15; 2019: veel");
        assert!(e[0].contains("het bedrag bij 2019 klopt niet"), "{e:?}");
        let e = wave_errors("Kopgroep; 15; 2019: 10.000, 2019: 5.000");
        assert_eq!(
            e,
            vec!["Golf 1 (Kopgroep): het jaar 2019 staat er twee keer in. Noem elk jaar één keer."]
        );
        let e = wave_errors("Kopgroep; 15; 2018: 10.000, 2019: 5.000");
        assert_eq!(
            e,
            vec!["Golf 1 (Kopgroep): het programma opent in 2019; een bedrag voor 2018 kan niet."]
        );
    }

    #[test]
    fn the_shared_check_judges_typed_drafts_as_the_api_sends_them() {
        let mut d =
            ProgrammeDraft::parse(&scheme("Kopgroep; 15; 2019: 40.000, 2020: 20.000")).unwrap();
        assert!(d.check().is_empty());
        d.waves[0].amount = EuroCents(1);
        d.budget = EuroCents(-1);
        d.max_participants = 0;
        d.name = String::new();
        let fields: Vec<_> = d.check().iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["name", "budget", "max_participants", "waves"],
            "every rule, each on its field"
        );
        d.waves.clear();
        assert!(
            d.check()
                .iter()
                .any(|e| e.message.contains("minstens één golf"))
        );
    }

    #[test]
    fn an_empty_name_and_a_bad_date_are_reported_together() {
        let input = ProgrammeInput {
            name: " ".into(),
            opens_on: "morgen".into(),
            ..scheme("Kopgroep; 15; 40.000")
        };
        let fields: Vec<_> = ProgrammeDraft::parse(&input)
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["opens_on", "name"]);
    }
}
