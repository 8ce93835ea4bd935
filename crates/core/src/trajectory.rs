//! Guided support trajectories (issue 16): intake, end date, stages, the yearly cap with the intermunicipal exception, interim assignments, evaluation and meeting attendance. Pure rules.

use crate::ValidationError;
use crate::codes::code_list;
use jiff::civil::Date;

code_list! {
    /// Where a trajectory stands; it moves one step at a time.
    pub enum Stage ("stage") {
        Intake = "intake", "Kennismakingsgesprek";
        ExtendedIntake = "extended_intake", "Uitgebreide intake";
        WorkSessions = "work_sessions", "Werksessies";
        Evaluation = "evaluation", "Evaluatie";
        Closed = "closed", "Afgerond";
    }
}

code_list! {
    /// The two intake conversations.
    pub enum IntakeKind ("intake_kind") {
        Introduction = "introduction", "Kennismakingsgesprek";
        Extended = "extended", "Uitgebreide intake";
    }
}

code_list! {
    /// The capacity in which someone attends an intake.
    pub enum AttendeeRole ("attendee_role") {
        Manager = "manager", "Leidinggevende van het lokaal bestuur";
        Staff = "staff", "Medewerker van het lokaal bestuur";
        External = "external", "Begeleider of externe deelnemer";
    }
}

code_list! {
    /// Who a trajectory is for: a local government, or an intermunicipal partnership (considered only when
    /// fewer local governments than the cap are chosen).
    pub enum ParticipantKind ("participant_kind") {
        LocalGovernment = "local_government", "Lokaal bestuur";
        Partnership = "partnership", "Intergemeentelijk samenwerkingsverband";
    }
}

code_list! {
    /// The interim assignments of a trajectory.
    pub enum AssignmentKind ("assignment_kind") {
        EnvironmentAnalysis = "environment_analysis", "Omgevingsanalyse";
        Actors = "actors", "Interne en externe actoren contacteren";
        StakeholderAnalysis = "stakeholder_analysis", "Stakeholderanalyse";
        UserSurvey = "user_survey", "Gebruikersbevraging";
    }
}

code_list! {
    /// Where an interim assignment stands.
    pub enum AssignmentStatus ("assignment_status") {
        Open = "open", "Nog te doen";
        Submitted = "submitted", "Ingeleverd";
        Approved = "approved", "Goedgekeurd";
    }
}

/// The conditions a local government confirms for the VVSG/Mediawijs trajectory (2024); a new trajectory
/// programme starts with these, the manager may change them.
pub const DEFAULT_CONDITIONS: [&str; 7] = [
    "Alleen lokale besturen nemen deel.",
    "Het management engageert zich om een beleid rond digitale inclusie te ontwikkelen.",
    "Meerdere beleidsdomeinen zijn betrokken.",
    "Het lokaal bestuur voert de tussentijdse opdrachten uit.",
    "Het lokaal bestuur schrijft zelf het beleids- of actieplan.",
    "Er is een afgesproken uiterste einddatum.",
    "Het lokaal bestuur evalueert de begeleiding en geeft feedback.",
];

/// One person present at an intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    pub name: String,
    pub role: AttendeeRole,
}

/// The intake rule: at least 2 staff of the local government, of whom at least 1 manager (leidinggevende).
pub fn check_intake(attendees: &[Attendee]) -> Result<(), ValidationError> {
    let staff = attendees
        .iter()
        .filter(|a| matches!(a.role, AttendeeRole::Manager | AttendeeRole::Staff))
        .count();
    let managers = attendees
        .iter()
        .filter(|a| a.role == AttendeeRole::Manager)
        .count();
    if staff < 2 {
        return Err(ValidationError::new(
            "attendees",
            format!(
                "Bij een intake zijn minstens 2 medewerkers van het lokaal bestuur aanwezig, van wie minstens 1 leidinggevende. Nu {}.",
                match staff {
                    0 => "is er geen medewerker".to_owned(),
                    n => format!("is er {n} medewerker"),
                }
            ),
        ));
    }
    if managers == 0 {
        return Err(ValidationError::new(
            "attendees",
            format!(
                "Bij een intake is minstens 1 leidinggevende van het lokaal bestuur aanwezig. Nu zijn er {staff} medewerkers, maar geen leidinggevende."
            ),
        ));
    }
    Ok(())
}

/// Reads attendees typed one per line as `name; role` where role is `leidinggevende`, `medewerker` or
/// `extern` (the codes work too).
pub fn parse_attendees(input: &str) -> Result<Vec<Attendee>, ValidationError> {
    let mut out = Vec::new();
    for line in input.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, role) = line.rsplit_once(';').ok_or_else(|| {
            ValidationError::new(
                "attendees",
                format!(
                    "Schrijf per regel een naam en de rol, gescheiden door een puntkomma, bijvoorbeeld: An Peeters; leidinggevende. Deze regel klopt niet: “{line}”."
                ),
            )
        })?;
        let role = match role.trim().to_lowercase().as_str() {
            "leidinggevende" | "manager" => AttendeeRole::Manager,
            "medewerker" | "staff" => AttendeeRole::Staff,
            "extern" | "externe" | "begeleider" | "external" => AttendeeRole::External,
            other => {
                return Err(ValidationError::new(
                    "attendees",
                    format!("Onbekende rol “{other}”. Kies leidinggevende, medewerker of extern."),
                ));
            }
        };
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(ValidationError::new(
                "attendees",
                "Vul bij elke aanwezige een naam in van hooguit 120 tekens.",
            ));
        }
        out.push(Attendee {
            name: name.to_owned(),
            role,
        });
    }
    Ok(out)
}

/// What a stage change needs to know about the trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub introduction_recorded: bool,
    pub extended_intake_recorded: bool,
    pub end_date: Option<Date>,
    pub conditions_confirmed: bool,
    pub evaluation_given: bool,
}

/// Whether a trajectory may move from `from` to `to`: one step forward only; past the introduction only with
/// an intake recorded; past the extended intake only with that intake, every condition confirmed and the end
/// date agreed; closed only after the evaluation.
pub fn check_advance(from: Stage, to: Stage, progress: &Progress) -> Result<(), ValidationError> {
    let next = Stage::ALL
        .iter()
        .position(|s| *s == from)
        .and_then(|i| Stage::ALL.get(i + 1))
        .copied();
    if next != Some(to) {
        return Err(ValidationError::new(
            "stage",
            format!(
                "Een traject gaat één stap tegelijk verder: van “{}” kan het alleen naar {}.",
                from.label(),
                next.map_or_else(
                    || "nergens meer heen: het is afgerond".to_owned(),
                    |n| format!("“{}”", n.label())
                )
            ),
        ));
    }
    match from {
        Stage::Intake if !progress.introduction_recorded => Err(ValidationError::new(
            "stage",
            "Leg eerst het kennismakingsgesprek vast met wie er aanwezig was.",
        )),
        Stage::ExtendedIntake if !progress.extended_intake_recorded => Err(ValidationError::new(
            "stage",
            "Leg eerst de uitgebreide intake vast met wie er aanwezig was.",
        )),
        Stage::ExtendedIntake if progress.end_date.is_none() => Err(ValidationError::new(
            "end_date",
            "Spreek eerst samen een einddatum af: uiterlijk tijdens de uitgebreide intake. Zonder einddatum gaat het traject niet verder.",
        )),
        Stage::ExtendedIntake if !progress.conditions_confirmed => Err(ValidationError::new(
            "conditions",
            "Het lokaal bestuur bevestigt eerst alle voorwaarden.",
        )),
        Stage::Evaluation if !progress.evaluation_given => Err(ValidationError::new(
            "stage",
            "Het lokaal bestuur vult eerst de evaluatie in.",
        )),
        _ => Ok(()),
    }
}

/// Checks an agreed end date: it lies after `today`.
pub fn check_end_date(end: Date, today: Date) -> Result<(), ValidationError> {
    if end <= today {
        return Err(ValidationError::new(
            "end_date",
            "Kies een einddatum na vandaag.",
        ));
    }
    Ok(())
}

/// Days from `today` to the end date: negative once it has passed.
#[must_use]
pub fn days_left(end: Date, today: Date) -> i64 {
    (end - today).get_days().into()
}

/// The trajectories already chosen in one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Chosen {
    pub local_governments: u32,
    pub partnerships: u32,
}

/// The selection rule for a new trajectory in a year: never more than `cap` trajectories; an intermunicipal
/// partnership only while the local governments chosen plus those still waiting for a decision stay below
/// the cap (so local governments always go first).
pub fn check_selection(
    cap: u32,
    year: i16,
    chosen: Chosen,
    local_waiting: u32,
    kind: ParticipantKind,
) -> Result<(), ValidationError> {
    let total = chosen.local_governments + chosen.partnerships;
    if total >= cap {
        return Err(ValidationError::new(
            "organisation_id",
            format!(
                "Er zijn al {total} trajecten in {year}; het maximum is {cap} per jaar. Er kan geen traject meer bij."
            ),
        ));
    }
    if kind == ParticipantKind::Partnership && chosen.local_governments + local_waiting >= cap {
        return Err(ValidationError::new(
            "participant_kind",
            format!(
                "Een intergemeentelijk samenwerkingsverband komt alleen in aanmerking als er minder dan {cap} lokale besturen gekozen worden. Nu zijn er {} gekozen en wachten er nog {local_waiting} op een besluit.",
                chosen.local_governments
            ),
        ));
    }
    Ok(())
}

/// The whole choice of a year at once, in the given orders of preference: local governments first up to the
/// cap, then partnerships in the places left. Returns the indices chosen of each list.
#[must_use]
pub fn choose(cap: u32, local_governments: usize, partnerships: usize) -> (Vec<usize>, Vec<usize>) {
    let cap = cap as usize;
    let locals: Vec<usize> = (0..local_governments.min(cap)).collect();
    let left = cap - locals.len();
    let partners: Vec<usize> = if locals.len() < cap {
        (0..partnerships.min(left)).collect()
    } else {
        Vec::new()
    };
    (locals, partners)
}

/// An assignment's state on `today`: done when submitted or approved, else open until its due date and late
/// after it.
#[must_use]
pub fn assignment_overdue(status: AssignmentStatus, due_on: Date, today: Date) -> bool {
    status == AssignmentStatus::Open && today > due_on
}

/// How many meetings a participant still falls short of the minimum; `None` when it meets it.
#[must_use]
pub fn shortfall(minimum: u32, attended: u32) -> Option<u32> {
    (attended < minimum).then(|| minimum - attended)
}

/// A participant's evaluation at the end, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// 1 (poor) to 5 (very good).
    pub score: u8,
    pub helped: String,
    pub improve: String,
}

/// Checks an evaluation as typed; all problems together.
pub fn parse_evaluation(
    score: &str,
    helped: &str,
    improve: &str,
) -> Result<Evaluation, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let score = match score.trim().parse::<u8>() {
        Ok(s) if (1..=5).contains(&s) => s,
        _ => {
            errors.push(ValidationError::new(
                "score",
                "Kies een cijfer van 1 (slecht) tot 5 (heel goed).",
            ));
            0
        }
    };
    for (field, text, what) in [
        ("helped", helped, "wat hielp"),
        ("improve", improve, "wat beter kan"),
    ] {
        let n = text.trim().chars().count();
        if n == 0 || n > 2000 {
            errors.push(ValidationError::new(
                field,
                format!("Schrijf in hooguit 2000 tekens {what}."),
            ));
        }
    }
    if errors.is_empty() {
        Ok(Evaluation {
            score,
            helped: helped.trim().to_owned(),
            improve: improve.trim().to_owned(),
        })
    } else {
        Err(errors)
    }
}

/// The manager's summary across trajectories: how many answered and the average score in tenths.
#[must_use]
pub fn average_score_tenths(scores: &[u8]) -> Option<u32> {
    if scores.is_empty() {
        return None;
    }
    let sum: u32 = scores.iter().map(|s| u32::from(*s)).sum();
    let n = scores.len() as u32;
    // Rounded half up to one decimal.
    Some((sum * 10 * 2 + n) / (2 * n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(roles: &[AttendeeRole]) -> Vec<Attendee> {
        roles
            .iter()
            .enumerate()
            .map(|(i, r)| Attendee {
                name: format!("Persoon {i}"),
                role: *r,
            })
            .collect()
    }

    #[test]
    fn intake_needs_two_staff_with_a_manager() {
        use AttendeeRole::*;
        let one = check_intake(&people(&[Manager, External])).unwrap_err();
        assert!(one.message.contains("Nu is er 1 medewerker"), "{one:?}");
        let none = check_intake(&people(&[External])).unwrap_err();
        assert!(none.message.contains("geen medewerker"));
        let no_manager = check_intake(&people(&[Staff, Staff, External])).unwrap_err();
        assert!(no_manager.message.contains("geen leidinggevende"));
        assert!(check_intake(&people(&[Staff, Manager])).is_ok());
        assert!(check_intake(&people(&[Manager, Manager, External])).is_ok());
    }

    #[test]
    fn attendees_are_read_per_line() {
        let a = parse_attendees(
            "An Peeters; leidinggevende\n\nBert Claes;medewerker\nMediawijs; extern",
        )
        .unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].name, "An Peeters");
        assert_eq!(a[0].role, AttendeeRole::Manager);
        assert_eq!(a[2].role, AttendeeRole::External);
        assert!(parse_attendees("An Peeters").is_err());
        assert!(parse_attendees("An; directeur").is_err());
        assert!(parse_attendees(" ; medewerker").is_err());
        assert_eq!(parse_attendees("").unwrap(), vec![]);
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn stages_move_one_step_and_need_the_end_date() {
        let mut p = Progress::default();
        assert!(check_advance(Stage::Intake, Stage::WorkSessions, &p).is_err());
        assert!(check_advance(Stage::Intake, Stage::ExtendedIntake, &p).is_err());
        p.introduction_recorded = true;
        assert!(check_advance(Stage::Intake, Stage::ExtendedIntake, &p).is_ok());
        p.extended_intake_recorded = true;
        p.conditions_confirmed = true;
        let e = check_advance(Stage::ExtendedIntake, Stage::WorkSessions, &p).unwrap_err();
        assert_eq!(e.field, "end_date");
        p.end_date = Some(d("2024-12-15"));
        assert!(check_advance(Stage::ExtendedIntake, Stage::WorkSessions, &p).is_ok());
        p.conditions_confirmed = false;
        assert_eq!(
            check_advance(Stage::ExtendedIntake, Stage::WorkSessions, &p)
                .unwrap_err()
                .field,
            "conditions"
        );
        assert!(check_advance(Stage::WorkSessions, Stage::Evaluation, &p).is_ok());
        assert!(check_advance(Stage::Evaluation, Stage::Closed, &p).is_err());
        p.evaluation_given = true;
        assert!(check_advance(Stage::Evaluation, Stage::Closed, &p).is_ok());
        let closed = check_advance(Stage::Closed, Stage::Intake, &p).unwrap_err();
        assert!(closed.message.contains("afgerond"));
        assert!(check_advance(Stage::WorkSessions, Stage::ExtendedIntake, &p).is_err());
    }

    #[test]
    fn days_left_and_end_date() {
        assert_eq!(days_left(d("2024-12-15"), d("2024-12-01")), 14);
        assert_eq!(days_left(d("2024-12-15"), d("2024-12-15")), 0);
        assert_eq!(days_left(d("2024-03-01"), d("2024-02-28")), 2); // leap year
        assert_eq!(days_left(d("2024-12-15"), d("2024-12-20")), -5);
        assert!(check_end_date(d("2024-04-01"), d("2024-04-01")).is_err());
        assert!(check_end_date(d("2024-04-02"), d("2024-04-01")).is_ok());
    }

    #[test]
    fn cap_per_year_and_the_intermunicipal_exception() {
        use ParticipantKind::*;
        let c = |l, p| Chosen {
            local_governments: l,
            partnerships: p,
        };
        assert!(check_selection(3, 2024, c(2, 0), 0, LocalGovernment).is_ok());
        let full = check_selection(3, 2024, c(3, 0), 0, LocalGovernment).unwrap_err();
        assert!(full.message.contains("maximum is 3"), "{full:?}");
        assert!(check_selection(3, 2024, c(2, 1), 0, LocalGovernment).is_err());
        // Two local governments chosen, none waiting: a partnership takes the third place.
        assert!(check_selection(3, 2024, c(2, 0), 0, Partnership).is_ok());
        // One more local government waiting: it goes first.
        let waits = check_selection(3, 2024, c(2, 0), 1, Partnership).unwrap_err();
        assert!(waits.message.contains("wachten er nog 1"));
        assert!(check_selection(3, 2024, c(1, 1), 0, Partnership).is_ok());
        assert!(check_selection(0, 2024, c(0, 0), 0, LocalGovernment).is_err());
    }

    #[test]
    fn choose_fills_with_partnerships_only_below_the_cap() {
        assert_eq!(choose(3, 5, 2), (vec![0, 1, 2], vec![]));
        assert_eq!(choose(3, 3, 2), (vec![0, 1, 2], vec![]));
        assert_eq!(choose(3, 2, 2), (vec![0, 1], vec![0]));
        assert_eq!(choose(3, 0, 5), (vec![], vec![0, 1, 2]));
    }

    #[test]
    fn shortfall_and_overdue() {
        assert_eq!(shortfall(3, 1), Some(2));
        assert_eq!(shortfall(3, 3), None);
        assert_eq!(shortfall(3, 4), None);
        assert!(assignment_overdue(
            AssignmentStatus::Open,
            d("2024-05-01"),
            d("2024-05-02")
        ));
        assert!(!assignment_overdue(
            AssignmentStatus::Open,
            d("2024-05-01"),
            d("2024-05-01")
        ));
        assert!(!assignment_overdue(
            AssignmentStatus::Submitted,
            d("2024-05-01"),
            d("2024-06-01")
        ));
    }

    #[test]
    fn evaluation_and_average() {
        assert!(parse_evaluation("4", "De werksessies", "Meer tijd").is_ok());
        let e = parse_evaluation("6", "", "x").unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(average_score_tenths(&[]), None);
        assert_eq!(average_score_tenths(&[4, 5]), Some(45));
        assert_eq!(average_score_tenths(&[4, 4, 5]), Some(43)); // 4.33
        assert_eq!(average_score_tenths(&[5, 5, 4]), Some(47)); // 4.67
    }
}
