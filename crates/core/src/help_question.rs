//! Help questions registered at help points, and the code lists they use.

use crate::ValidationError;
use crate::codes::code_list;
use crate::reference::Country;

code_list! {
    /// How the resident reached the help point.
    pub enum Channel ("channel") {
        WalkIn = "walk_in", "Binnengelopen";
        Appointment = "appointment", "Op afspraak";
        Phone = "phone", "Telefonisch";
        Outreach = "outreach", "Outreachend";
    }
}

impl Channel {
    /// The choice in plain words on the desk form, where "Outreachend" means little to a volunteer.
    #[must_use]
    pub fn desk_label(self) -> &'static str {
        match self {
            Self::Outreach => "Wij gingen naar de inwoner toe",
            other => other.label(),
        }
    }
}

code_list! {
    /// How the question ended.
    pub enum Outcome ("outcome") {
        Solved = "solved", "Opgelost";
        PartlySolved = "partly_solved", "Deels opgelost";
        Referred = "referred", "Doorverwezen";
        NotSolved = "not_solved", "Niet opgelost";
    }
}

code_list! {
    /// Kind of question, as the national IDO monitor counts them.
    pub enum QuestionKind ("kind") {
        DigitalGovernment = "digital_government", "Digitale overheid";
        LibraryService = "library_service", "Dienst van de bibliotheek";
        Other = "other", "Anders";
    }
}

code_list! {
    /// Anonymous age band of the resident.
    pub enum AgeBand ("age_band") {
        Under18 = "0-17", "Jonger dan 18";
        From18 = "18-34", "18 tot 35";
        From35 = "35-49", "35 tot 50";
        From50 = "50-64", "50 tot 65";
        From65 = "65-74", "65 tot 75";
        From75 = "75+", "75 of ouder";
    }
}

/// Longest a single help question may take, in minutes (a working day).
pub const MAX_MINUTES: i64 = 480;

/// A topic of the default taxonomy: code, Dutch label, parent code, and the country it exists in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicSeed {
    pub code: &'static str,
    pub label: &'static str,
    pub parent: Option<&'static str>,
    /// A service of one country only (DigiD in the Netherlands, itsme in Belgium); `None`: both.
    pub country: Option<Country>,
}

const fn topic(code: &'static str, label: &'static str, parent: Option<&'static str>) -> TopicSeed {
    TopicSeed {
        code,
        label,
        parent,
        country: None,
    }
}

/// A government topic of one country only.
const fn national(code: &'static str, label: &'static str, country: Country) -> TopicSeed {
    TopicSeed {
        code,
        label,
        parent: Some("overheid"),
        country: Some(country),
    }
}

/// Whether residents of `country` can get help with topic `code`: false for another country's services (DigiD in
/// Gent). Unknown codes (an admin's own topics) count as offered everywhere.
#[must_use]
pub fn topic_offered_in(code: &str, country: Country) -> bool {
    DEFAULT_TOPICS
        .iter()
        .find(|t| t.code == code)
        .and_then(|t| t.country)
        .is_none_or(|c| c == country)
}

/// The default topic taxonomy shipped with keten; an admin can extend it.
pub const DEFAULT_TOPICS: &[TopicSeed] = &[
    topic("overheid", "Overheid en regelingen", None),
    national(
        "belastingen-toeslagen",
        "Belastingen en toeslagen",
        Country::Nl,
    ),
    national("digid", "DigiD", Country::Nl),
    topic(
        "uitkering-pensioen",
        "Uitkering en pensioen",
        Some("overheid"),
    ),
    topic("zorg", "Zorg en zorgverzekering", Some("overheid")),
    national("studie", "Studiefinanciering", Country::Nl),
    topic("vervoer", "Rijbewijs, auto en boetes", Some("overheid")),
    topic("gemeente-zaken", "Zaken bij de gemeente", Some("overheid")),
    national("itsme", "itsme (inloggen in België)", Country::Be),
    national(
        "tax-on-web",
        "Tax-on-web (belastingaangifte in België)",
        Country::Be,
    ),
    national(
        "myminfin",
        "MyMinfin (uw belastingdossier in België)",
        Country::Be,
    ),
    national("e-loket", "E-loket van uw gemeente (België)", Country::Be),
    topic("geld", "Geld en bankzaken", None),
    topic("bankzaken", "Bankzaken", Some("geld")),
    topic("geldzaken-schulden", "Rondkomen en schulden", Some("geld")),
    topic("apparaten", "Telefoon, computer en internet", None),
    topic(
        "telefoon-tablet",
        "Telefoon of tablet instellen",
        Some("apparaten"),
    ),
    topic("email-internet", "E-mail en internet", Some("apparaten")),
    topic("veilig-online", "Veilig online", Some("apparaten")),
    topic("wonen", "Wonen en huur", None),
];

code_list! {
    /// The organisation a question concerns.
    pub enum Agency ("agency") {
        Belastingdienst = "belastingdienst", "Belastingdienst";
        Toeslagen = "toeslagen", "Dienst Toeslagen";
        Uwv = "uwv", "UWV";
        Svb = "svb", "SVB";
        Duo = "duo", "DUO";
        Cak = "cak", "CAK";
        Cbr = "cbr", "CBR";
        Ciz = "ciz", "CIZ";
        Cjib = "cjib", "CJIB";
        Rdw = "rdw", "RDW";
        Logius = "logius", "DigiD / Logius";
        Municipality = "municipality", "Gemeente";
        Bank = "bank", "Bank";
        Insurer = "insurer", "Zorgverzekeraar";
        Telecom = "telecom", "Telecomaanbieder";
        Other = "other", "Anders";
    }
}

/// Monitor category of the national IDO monitor that a topic counts under
/// by default; an admin can change the mapping per topic.
pub fn default_monitor_topic(topic_code: &str) -> &'static str {
    match topic_code {
        "belastingen-toeslagen" => "belastingen_toeslagen",
        "digid" => "digid",
        "uitkering-pensioen" => "werk_uitkering_pensioen",
        "zorg" => "zorg",
        "studie" => "onderwijs",
        "vervoer" => "vervoer",
        "gemeente-zaken" | "overheid" => "gemeente",
        "wonen" => "wonen",
        _ => "overig",
    }
}

/// The agency a topic usually concerns: what the desk form picks when the
/// volunteer leaves "agency" on its default, so the common case stays short.
pub fn default_agency(topic_code: &str) -> Agency {
    match topic_code {
        "belastingen-toeslagen" => Agency::Belastingdienst,
        "digid" => Agency::Logius,
        "uitkering-pensioen" => Agency::Uwv,
        "zorg" => Agency::Insurer,
        "studie" => Agency::Duo,
        "vervoer" => Agency::Rdw,
        "gemeente-zaken" | "wonen" => Agency::Municipality,
        "bankzaken" | "geldzaken-schulden" => Agency::Bank,
        "telefoon-tablet" => Agency::Telecom,
        _ => Agency::Other,
    }
}

/// Default kind for a topic: government topics count as digital government.
pub fn default_kind(topic_code: &str) -> QuestionKind {
    match DEFAULT_TOPICS.iter().find(|t| t.code == topic_code) {
        Some(t) if t.code == "overheid" || t.parent == Some("overheid") => {
            QuestionKind::DigitalGovernment
        }
        _ => QuestionKind::Other,
    }
}

/// How long after saving the person who registered may undo a visit.
pub const UNDO_SECONDS: i64 = 5 * 60;
/// How long after saving staff may correct their own registrations; after
/// that only a coordinator may.
pub const CORRECTION_SECONDS: i64 = 24 * 60 * 60;
/// Longest remark; the field is for "printer broken", not for a story.
pub const MAX_REMARK_CHARS: usize = 200;
/// Most questions in one visit (one per topic).
pub const MAX_QUESTIONS_PER_VISIT: usize = 20;
/// Preset buttons for minutes spent on the desk form.
pub const MINUTE_PRESETS: &[i64] = &[5, 10, 15, 20, 30, 45, 60, 90];

/// The categories a registration may use: topics, agencies and kinds are
/// reference data in the database, so the caller passes the current codes.
#[derive(Debug, Clone, Default)]
pub struct Categories {
    pub topics: Vec<String>,
    pub agencies: Vec<String>,
    pub kinds: Vec<String>,
}

/// One question as typed: every field a string, so a form can show it back.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct QuestionInput {
    pub topic: String,
    /// Empty means "the usual agency for this topic".
    pub agency: String,
    /// Empty means "the usual kind for this topic".
    pub kind: String,
    /// Empty means the visit's channel.
    pub channel: String,
    pub minutes: String,
    pub outcome: String,
    pub referred_to: String,
}

/// One visit as typed: the resident's anonymous profile and its questions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitInput {
    /// `YYYY-MM-DD`; empty means today.
    pub date: String,
    /// An exact RFC 3339 time (API clients); wins over `date`.
    pub asked_at: String,
    pub channel: String,
    pub age_band: String,
    pub pc4: String,
    /// "yes", "no" or empty.
    pub first_visit: String,
    pub remark: String,
    /// The partner's consultation hour at the help point the visit took place in; empty for none. The store
    /// checks that it is one of the help point's hours.
    pub consultation_hour: String,
    pub questions: Vec<QuestionInput>,
}

/// A question that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionDraft {
    pub topic_code: String,
    pub agency: String,
    pub kind: String,
    pub channel: Channel,
    pub minutes: i64,
    pub outcome: Outcome,
    pub referred_to: Option<String>,
}

/// A visit that passed every rule; `asked_at` is unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitDraft {
    pub asked_at: i64,
    pub age_band: Option<AgeBand>,
    pub pc4: Option<String>,
    pub first_visit: Option<bool>,
    pub remark: Option<String>,
    /// The consultation hour the visit took place in (checked against the help point by the store).
    pub consultation_hour_id: Option<String>,
    pub questions: Vec<QuestionDraft>,
}

impl VisitDraft {
    /// Checks a visit against the rules. `now` is unix seconds; a date given
    /// as `YYYY-MM-DD` is stored at noon local time of that day (the hour is
    /// unknown), today's visits at `now`.
    pub fn parse(
        input: &VisitInput,
        categories: &Categories,
        now: jiff::Timestamp,
        region: crate::opening_hours::Region,
    ) -> Result<VisitDraft, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let tz = region.time_zone();
        let today = now.to_zoned(tz.clone()).date();
        let date = input.date.trim();
        let exact = input.asked_at.trim();
        let asked_at = if !exact.is_empty() {
            match exact.parse::<jiff::Timestamp>() {
                // A few minutes of clock difference between systems is no error.
                Ok(t) if t.as_second() > now.as_second() + 300 => {
                    errors.push(ValidationError::new(
                        "asked_at",
                        "Het tijdstip ligt in de toekomst.",
                    ));
                    None
                }
                Ok(t) => Some(t.as_second()),
                Err(_) => {
                    errors.push(ValidationError::new(
                        "asked_at",
                        "Geef het tijdstip als RFC 3339, bijvoorbeeld 2026-03-02T10:15:00+01:00.",
                    ));
                    None
                }
            }
        } else if date.is_empty() {
            Some(now.as_second())
        } else {
            match date.parse::<jiff::civil::Date>() {
                Ok(d) if d > today => {
                    errors.push(ValidationError::new(
                        "date",
                        "De datum ligt in de toekomst. Registreer een vraag op de dag zelf of later.",
                    ));
                    None
                }
                Ok(d) if d == today => Some(now.as_second()),
                Ok(d) => d
                    .at(12, 0, 0, 0)
                    .to_zoned(tz.clone())
                    .ok()
                    .map(|z| z.timestamp().as_second()),
                Err(_) => {
                    errors.push(ValidationError::new(
                        "date",
                        "Vul de datum in als jjjj-mm-dd, bijvoorbeeld 2026-03-02.",
                    ));
                    None
                }
            }
        };
        let visit_channel = match input.channel.trim() {
            "" => Channel::WalkIn,
            c => c.parse().unwrap_or_else(|e| {
                errors.push(e);
                Channel::WalkIn
            }),
        };
        let age_band = match input.age_band.trim() {
            "" => None,
            a => a.parse().map_err(|e| errors.push(e)).ok(),
        };
        let pc4 = match input.pc4.trim() {
            "" => None,
            p if crate::reference::pc4_exists(p) => Some(p.to_owned()),
            p => {
                errors.push(ValidationError::new(
                    "pc4",
                    format!("Postcode {p} bestaat niet. Vul de 4 cijfers van de postcode in, zoals 3011, of laat het leeg."),
                ));
                None
            }
        };
        let first_visit = match input.first_visit.trim() {
            "" => None,
            "yes" | "ja" | "true" | "1" => Some(true),
            "no" | "nee" | "false" | "0" => Some(false),
            _ => {
                errors.push(ValidationError::new(
                    "first_visit",
                    "Kies bij 'eerste bezoek' ja, nee of niets.",
                ));
                None
            }
        };
        let remark = match input.remark.trim() {
            "" => None,
            r if r.chars().count() > MAX_REMARK_CHARS => {
                errors.push(ValidationError::new(
                    "remark",
                    format!("De opmerking is te lang: hooguit {MAX_REMARK_CHARS} tekens."),
                ));
                None
            }
            r => Some(r.to_owned()),
        };
        let asked: Vec<&QuestionInput> = input
            .questions
            .iter()
            // A block on the form with neither topic nor minutes was left empty.
            .filter(|q| !q.topic.trim().is_empty() || !q.minutes.trim().is_empty())
            .collect();
        if asked.is_empty() {
            errors.push(ValidationError::new(
                "topic",
                "Kies het onderwerp van de vraag.",
            ));
        }
        if asked.len() > MAX_QUESTIONS_PER_VISIT {
            errors.push(ValidationError::new(
                "questions",
                format!("Een bezoek heeft hooguit {MAX_QUESTIONS_PER_VISIT} vragen."),
            ));
        }
        let many = asked.len() > 1;
        let mut questions = Vec::new();
        for (i, q) in asked.iter().enumerate() {
            let prefix = if many {
                format!("Vraag {}: ", i + 1)
            } else {
                String::new()
            };
            match QuestionDraft::parse(q, categories, visit_channel) {
                Ok(d) => {
                    if questions
                        .iter()
                        .any(|o: &QuestionDraft| o.topic_code == d.topic_code)
                    {
                        errors.push(ValidationError::new(
                            "topic",
                            format!("{prefix}dit onderwerp staat al bij een andere vraag van dit bezoek. Tel elk onderwerp één keer."),
                        ));
                    }
                    questions.push(d);
                }
                Err(es) => errors.extend(es.into_iter().map(|e| ValidationError {
                    field: e.field,
                    message: format!("{prefix}{}", e.message),
                })),
            }
        }
        match (errors.is_empty(), asked_at) {
            (true, Some(asked_at)) => Ok(VisitDraft {
                asked_at,
                age_band,
                pc4,
                first_visit,
                remark,
                consultation_hour_id: Some(input.consultation_hour.trim())
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned),
                questions,
            }),
            _ => Err(errors),
        }
    }
}

impl QuestionDraft {
    pub fn parse(
        q: &QuestionInput,
        categories: &Categories,
        visit_channel: Channel,
    ) -> Result<QuestionDraft, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let topic = q.topic.trim();
        if topic.is_empty() {
            errors.push(ValidationError::new(
                "topic",
                "Kies het onderwerp van de vraag.",
            ));
        } else if !categories.topics.iter().any(|t| t == topic) {
            errors.push(ValidationError::new(
                "topic",
                format!("Het onderwerp '{topic}' kennen we niet. Kies een onderwerp uit de lijst."),
            ));
        }
        let agency = match q.agency.trim() {
            "" => default_agency(topic).as_str().to_owned(),
            a if categories.agencies.iter().any(|x| x == a) => a.to_owned(),
            a => {
                errors.push(ValidationError::new(
                    "agency",
                    format!("De instantie '{a}' kennen we niet. Kies een instantie uit de lijst."),
                ));
                String::new()
            }
        };
        let kind = match q.kind.trim() {
            "" => default_kind(topic).as_str().to_owned(),
            k if categories.kinds.iter().any(|x| x == k) => k.to_owned(),
            k => {
                errors.push(ValidationError::new(
                    "kind",
                    format!("Het soort vraag '{k}' kennen we niet. Kies uit de lijst."),
                ));
                String::new()
            }
        };
        let channel = match q.channel.trim() {
            "" => visit_channel,
            c => c.parse().unwrap_or_else(|e| {
                errors.push(e);
                visit_channel
            }),
        };
        let minutes = match q.minutes.trim().parse::<i64>() {
            Ok(m) if (1..=MAX_MINUTES).contains(&m) => m,
            Ok(_) => {
                errors.push(ValidationError::new(
                    "minutes",
                    format!("Vul de minuten in als een getal van 1 tot en met {MAX_MINUTES}."),
                ));
                0
            }
            Err(_) => {
                errors.push(ValidationError::new(
                    "minutes",
                    "Kies hoeveel minuten de hulp duurde.",
                ));
                0
            }
        };
        let outcome = match q.outcome.trim() {
            "" => Outcome::Solved,
            o => o.parse().unwrap_or_else(|e| {
                errors.push(e);
                Outcome::Solved
            }),
        };
        let referred_to = match q.referred_to.trim() {
            "" => None,
            r => Some(r.to_owned()),
        };
        if errors.is_empty() {
            Ok(QuestionDraft {
                topic_code: topic.to_owned(),
                agency,
                kind,
                channel,
                minutes,
                outcome,
                referred_to,
            })
        } else {
            Err(errors)
        }
    }
}

/// May this person still change a registration? Undo is for the person who
/// saved it and only for [`UNDO_SECONDS`]; a correction by the same person
/// for [`CORRECTION_SECONDS`]; a coordinator may always correct.
pub fn may_correct(own: bool, coordinator: bool, created_at: i64, now: i64) -> bool {
    coordinator || (own && now - created_at <= CORRECTION_SECONDS)
}

pub fn may_undo(own: bool, created_at: i64, now: i64) -> bool {
    own && now - created_at <= UNDO_SECONDS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn categories() -> Categories {
        Categories {
            topics: DEFAULT_TOPICS.iter().map(|t| t.code.to_owned()).collect(),
            agencies: Agency::ALL.iter().map(|a| a.as_str().to_owned()).collect(),
            kinds: QuestionKind::ALL
                .iter()
                .map(|k| k.as_str().to_owned())
                .collect(),
        }
    }

    fn now() -> jiff::Timestamp {
        "2026-03-02T09:00:00Z".parse().unwrap()
    }

    fn one(topic: &str, minutes: &str) -> VisitInput {
        VisitInput {
            questions: vec![QuestionInput {
                topic: topic.into(),
                minutes: minutes.into(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn parse(v: &VisitInput) -> Result<VisitDraft, Vec<ValidationError>> {
        VisitDraft::parse(v, &categories(), now(), crate::opening_hours::Region::Nl)
    }

    #[test]
    fn a_consultation_hour_is_kept_trimmed_and_empty_means_none() {
        assert_eq!(
            parse(&one("digid", "15")).unwrap().consultation_hour_id,
            None
        );
        let mut v = one("digid", "15");
        v.consultation_hour = "   ".into();
        assert_eq!(parse(&v).unwrap().consultation_hour_id, None);
        v.consultation_hour = " ch-1 ".into();
        assert_eq!(
            parse(&v).unwrap().consultation_hour_id.as_deref(),
            Some("ch-1")
        );
    }

    #[test]
    fn the_common_case_needs_only_topic_and_minutes() {
        let d = parse(&one("digid", "15")).unwrap();
        assert_eq!(d.asked_at, now().as_second());
        let q = &d.questions[0];
        assert_eq!(q.agency, "logius");
        assert_eq!(q.kind, "digital_government");
        assert_eq!(q.channel, Channel::WalkIn);
        assert_eq!(q.outcome, Outcome::Solved);
        assert_eq!(q.minutes, 15);
    }

    #[test]
    fn bad_input_gets_a_message_per_field() {
        for (minutes, ok) in [
            ("0", false),
            ("-5", false),
            ("481", false),
            ("480", true),
            ("1", true),
            ("abc", false),
            ("", false),
        ] {
            let r = parse(&one("digid", minutes));
            assert_eq!(r.is_ok(), ok, "minutes {minutes}");
            if let Err(e) = r {
                assert_eq!(e[0].field, "minutes");
            }
        }
        let e = parse(&one("astrologie", "10")).unwrap_err();
        assert_eq!(e[0].field, "topic");
        assert!(e[0].message.contains("astrologie"));
        let mut v = one("digid", "10");
        v.pc4 = "1234".into();
        assert_eq!(parse(&v).unwrap_err()[0].field, "pc4");
        v.pc4 = "3011".into();
        assert_eq!(parse(&v).unwrap().pc4.as_deref(), Some("3011"));
        v.date = "2026-03-03".into();
        assert_eq!(parse(&v).unwrap_err()[0].field, "date");
        v.date = "2026-02-27".into();
        let d = parse(&v).unwrap();
        assert_eq!(
            d.asked_at,
            "2026-02-27T11:00:00Z"
                .parse::<jiff::Timestamp>()
                .unwrap()
                .as_second()
        );
        v.date = "27-02-2026".into();
        assert_eq!(parse(&v).unwrap_err()[0].field, "date");
        v.asked_at = "2026-03-02T10:04:00+01:00".into();
        assert_eq!(parse(&v).unwrap().asked_at, now().as_second() + 240);
        v.asked_at = "2026-03-02T10:06:00+01:00".into();
        assert_eq!(parse(&v).unwrap_err()[0].field, "asked_at");
        assert_eq!(parse(&VisitInput::default()).unwrap_err()[0].field, "topic");
    }

    #[test]
    fn a_visit_counts_each_topic_once_and_numbers_its_messages() {
        let mut v = one("digid", "10");
        v.questions.push(QuestionInput {
            topic: "digid".into(),
            minutes: "5".into(),
            ..Default::default()
        });
        let e = parse(&v).unwrap_err();
        assert!(e[0].message.starts_with("Vraag 2: "), "{e:?}");
        v.questions[1].topic = "bankzaken".into();
        v.questions[1].agency = "nasa".into();
        let e = parse(&v).unwrap_err();
        assert_eq!(e[0].field, "agency");
        v.questions[1].agency = String::new();
        let d = parse(&v).unwrap();
        assert_eq!(d.questions[1].agency, "bank");
        // An untouched extra block on the form is not a question.
        v.questions.push(QuestionInput::default());
        assert_eq!(parse(&v).unwrap().questions.len(), 2);
    }

    #[test]
    fn undo_and_correction_windows() {
        assert!(may_undo(true, 0, UNDO_SECONDS));
        assert!(!may_undo(true, 0, UNDO_SECONDS + 1));
        assert!(!may_undo(false, 0, 1));
        assert!(may_correct(true, false, 0, CORRECTION_SECONDS));
        assert!(!may_correct(true, false, 0, CORRECTION_SECONDS + 1));
        assert!(!may_correct(false, false, 0, 1));
        assert!(may_correct(false, true, 0, 10 * CORRECTION_SECONDS));
    }

    #[test]
    fn every_default_topic_has_a_monitor_category() {
        for t in DEFAULT_TOPICS {
            assert!(!default_monitor_topic(t.code).is_empty());
        }
        assert_eq!(default_monitor_topic("digid"), "digid");
    }

    #[test]
    fn taxonomy_parents_exist_and_codes_are_unique() {
        let mut codes = std::collections::HashSet::new();
        for t in DEFAULT_TOPICS {
            assert!(codes.insert(t.code), "duplicate {}", t.code);
            if let Some(p) = t.parent {
                assert!(
                    DEFAULT_TOPICS
                        .iter()
                        .any(|x| x.code == p && x.parent.is_none())
                );
            }
        }
    }
}
