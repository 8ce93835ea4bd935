//! Historical help questions from a help point's own spreadsheet: columns
//! mapped to our fields (guessed from the headers, adjustable), every row
//! checked with the same rules as the desk, errors per row in Dutch.
//!
//! One row is one question (one visit). Values may be codes (`digid`) or the
//! Dutch labels people type (`DigiD`, `Binnengelopen`), in any case.

use crate::ValidationError;
use crate::help_question::{
    AgeBand, Categories, Channel, Outcome, QuestionInput, VisitDraft, VisitInput,
};
use crate::opening_hours::Region;
use crate::spreadsheet::Table;

/// The fields a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Date,
    Topic,
    Minutes,
    Agency,
    Kind,
    Channel,
    Outcome,
    AgeBand,
    Pc4,
    FirstVisit,
}

impl Field {
    pub const ALL: [Field; 10] = [
        Field::Date,
        Field::Topic,
        Field::Minutes,
        Field::Agency,
        Field::Kind,
        Field::Channel,
        Field::Outcome,
        Field::AgeBand,
        Field::Pc4,
        Field::FirstVisit,
    ];

    /// The name used in `--map name=Column` and on the mapping page.
    pub fn name(self) -> &'static str {
        match self {
            Field::Date => "datum",
            Field::Topic => "onderwerp",
            Field::Minutes => "minuten",
            Field::Agency => "instantie",
            Field::Kind => "soort",
            Field::Channel => "kanaal",
            Field::Outcome => "resultaat",
            Field::AgeBand => "leeftijd",
            Field::Pc4 => "pc4",
            Field::FirstVisit => "eerste_bezoek",
        }
    }

    pub fn required(self) -> bool {
        matches!(self, Field::Date | Field::Topic | Field::Minutes)
    }

    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name.trim())
    }

    /// Guesses the field from a header in Dutch or English.
    fn from_header(header: &str) -> Option<Field> {
        let key: String = header
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "datum" | "date" | "dag" | "datumtijd" | "tijdstip" => Field::Date,
            "onderwerp" | "topic" | "vraag" | "onderwerpcode" => Field::Topic,
            "minuten" | "minutes" | "duur" | "tijd" | "tijdbesteed" => Field::Minutes,
            "instantie" | "agency" | "organisatie" | "instantiecode" => Field::Agency,
            "soort" | "soortvraag" | "kind" | "type" => Field::Kind,
            "kanaal" | "channel" | "contact" => Field::Channel,
            "resultaat" | "uitkomst" | "outcome" => Field::Outcome,
            "leeftijd" | "leeftijdsgroep" | "agegroup" | "ageband" | "age" => Field::AgeBand,
            "pc4" | "postcode" | "postcodecijfers" => Field::Pc4,
            "eerstebezoek" | "firstvisit" | "nieuw" => Field::FirstVisit,
            _ => return None,
        })
    }
}

/// Which column (index) fills which field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    pub columns: Vec<(Field, usize)>,
}

impl Mapping {
    /// Guesses from the headers, then applies `field=Header` overrides
    /// (an empty header unmaps the field).
    pub fn build(
        headers: &[String],
        overrides: &[(String, String)],
    ) -> Result<Mapping, Vec<String>> {
        let mut errors = Vec::new();
        let mut columns: Vec<(Field, usize)> = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            if let Some(f) = Field::from_header(h)
                && !columns.iter().any(|(g, _)| *g == f)
            {
                columns.push((f, i));
            }
        }
        for (name, header) in overrides {
            let Some(field) = Field::from_name(name) else {
                errors.push(format!(
                    "Het veld '{name}' kennen we niet. Kies uit: {}.",
                    Field::ALL.map(Field::name).join(", ")
                ));
                continue;
            };
            columns.retain(|(f, _)| *f != field);
            if header.trim().is_empty() {
                continue;
            }
            match headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(header.trim()))
            {
                Some(i) => columns.push((field, i)),
                None => errors.push(format!(
                    "De kolom '{header}' voor {name} staat niet in het bestand. Kolommen: {}.",
                    headers.join(", ")
                )),
            }
        }
        for f in Field::ALL.into_iter().filter(|f| f.required()) {
            if !columns.iter().any(|(g, _)| *g == f) {
                errors.push(format!(
                    "Geen kolom voor {}. Noem de kolom '{}' of wijs hem aan (bijvoorbeeld --map {}=\"Kolomnaam\").",
                    f.name(),
                    f.name(),
                    f.name()
                ));
            }
        }
        if errors.is_empty() {
            Ok(Mapping { columns })
        } else {
            Err(errors)
        }
    }

    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, i)| *i)
    }
}

/// Codes with their labels, so a spreadsheet may use either.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub topics: Vec<(String, String)>,
    pub agencies: Vec<(String, String)>,
    pub kinds: Vec<(String, String)>,
}

fn code_for(value: &str, pairs: &[(String, String)]) -> String {
    let v = value.trim();
    pairs
        .iter()
        .find(|(code, label)| code.eq_ignore_ascii_case(v) || label.eq_ignore_ascii_case(v))
        .map(|(code, _)| code.clone())
        .unwrap_or_else(|| v.to_owned())
}

fn closed_code<T: Copy>(
    value: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> String {
    let v = value.trim();
    all.iter()
        .find(|x| code(**x).eq_ignore_ascii_case(v) || label(**x).eq_ignore_ascii_case(v))
        .map(|x| code(*x).to_owned())
        .unwrap_or_else(|| v.to_owned())
}

/// A date as people type it: `2026-03-02`, `02-03-2026`, `2/3/2026`, with an optional ` 10:15`.
fn parse_date(value: &str) -> Option<(jiff::civil::Date, Option<jiff::civil::Time>)> {
    let value = value.trim().replace('T', " ");
    let (date, time) = match value.split_once(' ') {
        Some((d, t)) => (d.to_owned(), Some(t.trim().to_owned())),
        None => (value.clone(), None),
    };
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (y, m, d) = if a.len() == 4 { (a, b, c) } else { (c, b, a) };
    let date = jiff::civil::Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()?;
    let time = match time {
        Some(t) => {
            let (h, min) = t.split_once(':')?;
            let min = min.get(..2).unwrap_or(min);
            Some(jiff::civil::Time::new(h.parse().ok()?, min.parse().ok()?, 0, 0).ok()?)
        }
        None => None,
    };
    Some((date, time))
}

/// One row's problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Regel {}: {}", self.line, self.message)
    }
}

/// The checked rows, or what is wrong with them.
#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    pub visits: Vec<(usize, VisitDraft)>,
    pub errors: Vec<RowError>,
}

impl ImportPlan {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Checks every row of the table with the desk's rules.
pub fn plan(
    table: &Table,
    mapping: &Mapping,
    vocabulary: &Vocabulary,
    categories: &Categories,
    now: jiff::Timestamp,
    region: Region,
) -> ImportPlan {
    let mut out = ImportPlan::default();
    let tz = region.time_zone();
    for (line, cells) in &table.rows {
        let get = |f: Field| {
            mapping
                .column_of(f)
                .and_then(|i| cells.get(i))
                .map_or("", |s| s.trim())
        };
        let mut input = VisitInput {
            channel: closed_code(
                get(Field::Channel),
                Channel::ALL,
                Channel::as_str,
                Channel::label,
            ),
            age_band: closed_code(
                get(Field::AgeBand),
                AgeBand::ALL,
                AgeBand::as_str,
                AgeBand::label,
            ),
            pc4: get(Field::Pc4)
                .chars()
                .take_while(char::is_ascii_digit)
                .collect(),
            first_visit: match get(Field::FirstVisit).to_lowercase().as_str() {
                "ja" | "yes" | "j" | "1" | "waar" | "true" => "yes".into(),
                "nee" | "no" | "n" | "0" | "onwaar" | "false" => "no".into(),
                other => other.to_owned(),
            },
            questions: vec![QuestionInput {
                topic: code_for(get(Field::Topic), &vocabulary.topics),
                agency: code_for(get(Field::Agency), &vocabulary.agencies),
                kind: code_for(get(Field::Kind), &vocabulary.kinds),
                channel: String::new(),
                minutes: get(Field::Minutes).to_owned(),
                outcome: closed_code(
                    get(Field::Outcome),
                    Outcome::ALL,
                    Outcome::as_str,
                    Outcome::label,
                ),
                referred_to: String::new(),
            }],
            ..VisitInput::default()
        };
        let raw_date = get(Field::Date);
        match parse_date(raw_date) {
            Some((date, Some(time))) => {
                input.asked_at = date
                    .to_datetime(time)
                    .to_zoned(tz.clone())
                    .map(|z| z.timestamp().to_string())
                    .unwrap_or_default();
            }
            Some((date, None)) => input.date = date.to_string(),
            None => {
                let message = if raw_date.is_empty() {
                    "de datum ontbreekt.".to_owned()
                } else {
                    format!(
                        "de datum '{raw_date}' kunnen we niet lezen; gebruik 2026-03-02 of 02-03-2026."
                    )
                };
                out.errors.push(RowError {
                    line: *line,
                    message,
                });
                continue;
            }
        }
        match VisitDraft::parse(&input, categories, now, region) {
            Ok(draft) => out.visits.push((*line, draft)),
            Err(errors) => out.errors.push(RowError {
                line: *line,
                message: errors
                    .iter()
                    .map(|e: &ValidationError| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::help_question::{Agency, DEFAULT_TOPICS, QuestionKind};
    use crate::spreadsheet::read_csv;

    fn vocabulary() -> (Vocabulary, Categories) {
        let v = Vocabulary {
            topics: DEFAULT_TOPICS
                .iter()
                .map(|t| (t.code.to_owned(), t.label.to_owned()))
                .collect(),
            agencies: Agency::ALL
                .iter()
                .map(|a| (a.as_str().to_owned(), a.label().to_owned()))
                .collect(),
            kinds: QuestionKind::ALL
                .iter()
                .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
                .collect(),
        };
        let c = Categories {
            topics: v.topics.iter().map(|(c, _)| c.clone()).collect(),
            agencies: v.agencies.iter().map(|(c, _)| c.clone()).collect(),
            kinds: v.kinds.iter().map(|(c, _)| c.clone()).collect(),
        };
        (v, c)
    }

    fn run(csv: &str, overrides: &[(&str, &str)]) -> Result<ImportPlan, Vec<String>> {
        let table = read_csv(csv).unwrap();
        let overrides: Vec<(String, String)> = overrides
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        let mapping = Mapping::build(&table.headers, &overrides)?;
        let (v, c) = vocabulary();
        Ok(plan(
            &table,
            &mapping,
            &v,
            &c,
            "2026-03-02T09:00:00Z".parse().unwrap(),
            Region::Nl,
        ))
    }

    #[test]
    fn labels_codes_and_dutch_dates_are_read() {
        let p = run(
            "Datum;Onderwerp;Minuten;Kanaal;Resultaat;Leeftijd;Postcode;Eerste bezoek\n\
             02-03-2026 09:45;DigiD;15;Telefonisch;Deels opgelost;75 of ouder;3011 AB;ja\n\
             2026-02-27;bankzaken;20;;;;;\n",
            &[],
        )
        .unwrap();
        assert!(p.is_ok(), "{:?}", p.errors);
        let (line, v) = &p.visits[0];
        assert_eq!(*line, 2);
        assert_eq!(
            v.asked_at,
            "2026-03-02T08:45:00Z"
                .parse::<jiff::Timestamp>()
                .unwrap()
                .as_second()
        );
        assert_eq!(v.questions[0].topic_code, "digid");
        assert_eq!(v.questions[0].channel, Channel::Phone);
        assert_eq!(v.questions[0].outcome, Outcome::PartlySolved);
        assert_eq!(v.age_band, Some(AgeBand::From75));
        assert_eq!(v.pc4.as_deref(), Some("3011"));
        assert_eq!(v.first_visit, Some(true));
        assert_eq!(p.visits[1].1.questions[0].agency, "bank");
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let p = run(
            "datum,onderwerp,minuten\n2026-03-02,DigiD,15\n2026-13-01,DigiD,15\n2026-03-02,Astrologie,15\n2026-03-02,DigiD,0\n2027-01-01,DigiD,5\n",
            &[],
        )
        .unwrap();
        let lines: Vec<usize> = p.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
        assert!(p.errors[0].message.contains("2026-13-01"));
        assert!(p.errors[1].message.contains("Astrologie"));
        assert!(
            p.errors[3]
                .to_string()
                .starts_with("Regel 6: De datum ligt in de toekomst")
        );
        assert_eq!(p.visits.len(), 1);
    }

    #[test]
    fn columns_can_be_mapped_by_hand() {
        let csv = "Wanneer;Wat;Hoe lang\n2026-03-02;DigiD;10\n";
        let missing = run(csv, &[]).unwrap_err();
        assert_eq!(missing.len(), 3);
        assert!(missing[0].contains("--map datum="));
        let p = run(
            csv,
            &[
                ("datum", "Wanneer"),
                ("onderwerp", "wat"),
                ("minuten", "Hoe lang"),
            ],
        )
        .unwrap();
        assert_eq!(p.visits.len(), 1);
        let wrong = run(csv, &[("datum", "Nergens"), ("kleur", "Wat")]).unwrap_err();
        assert!(wrong.iter().any(|e| e.contains("'Nergens'")));
        assert!(wrong.iter().any(|e| e.contains("'kleur'")));
    }
}
