//! The visitor impact survey: its six questions and their answers, the flood guard's limits, and results with the cells-under-5 rule.
//!
//! A response is anonymous by construction: six coded answers, the help point and the day. Every question may be
//! skipped (a visitor owes nobody an answer), but a response with no answer at all is refused, because it says
//! nothing and only adds noise.

use crate::ValidationError;
use crate::codes::code_list;
use crate::help_question::AgeBand;
use crate::steering::{Cell, suppress_list};

code_list! {
    /// "Bent u geholpen?"
    pub enum Helped ("helped") {
        Yes = "yes", "Ja";
        Partly = "partly", "Een beetje";
        No = "no", "Nee";
    }
}

code_list! {
    /// "Kunt u het de volgende keer zelf?"
    pub enum SelfNext ("self_next") {
        Yes = "yes", "Ja";
        WithHelp = "with_help", "Met een beetje hulp";
        No = "no", "Nee";
    }
}

code_list! {
    /// "Hoe voelde u zich?" (shown as pictograms with words).
    pub enum Feeling ("feeling") {
        Good = "good", "Goed";
        Neutral = "neutral", "Gewoon";
        Bad = "bad", "Niet goed";
    }
}

code_list! {
    /// "Komt u terug, of raadt u ons aan?"
    pub enum Recommend ("recommend") {
        Yes = "yes", "Ja";
        Maybe = "maybe", "Misschien";
        No = "no", "Nee";
    }
}

code_list! {
    /// "Hoe hoorde u van dit hulppunt?"
    pub enum HeardVia ("heard_via") {
        Library = "library", "Bibliotheek";
        Municipality = "municipality", "Gemeente";
        Organisation = "organisation", "Een andere organisatie stuurde mij";
        FamilyFriends = "family_friends", "Familie, vrienden of buren";
        Internet = "internet", "Internet";
        Other = "other", "Anders";
    }
}

/// The questions in the order of the form; the code is the form field, the database column and the API key.
pub const QUESTIONS: [&str; 6] = [
    "helped",
    "self_next",
    "feeling",
    "recommend",
    "heard_via",
    "age_band",
];

/// The option codes of one question, in the order of the form.
#[must_use]
pub fn options(question: &str) -> Vec<&'static str> {
    fn codes<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|v| f(*v)).collect()
    }
    match question {
        "helped" => codes(Helped::ALL, Helped::as_str),
        "self_next" => codes(SelfNext::ALL, SelfNext::as_str),
        "feeling" => codes(Feeling::ALL, Feeling::as_str),
        "recommend" => codes(Recommend::ALL, Recommend::as_str),
        "heard_via" => codes(HeardVia::ALL, HeardVia::as_str),
        "age_band" => codes(AgeBand::ALL, AgeBand::as_str),
        _ => Vec::new(),
    }
}

/// One visitor's answers; `None` is a skipped question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurveyAnswers {
    pub helped: Option<Helped>,
    pub self_next: Option<SelfNext>,
    pub feeling: Option<Feeling>,
    pub recommend: Option<Recommend>,
    pub heard_via: Option<HeardVia>,
    pub age_band: Option<AgeBand>,
}

/// What the form sent, as text, so that a refused form shows the visitor's choices again.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct SurveyInput {
    #[serde(default)]
    pub helped: String,
    #[serde(default)]
    pub self_next: String,
    #[serde(default)]
    pub feeling: String,
    #[serde(default)]
    pub recommend: String,
    #[serde(default)]
    pub heard_via: String,
    #[serde(default)]
    pub age_band: String,
}

impl SurveyInput {
    /// The chosen code of `question` ("" when skipped).
    #[must_use]
    pub fn get(&self, question: &str) -> &str {
        match question {
            "helped" => &self.helped,
            "self_next" => &self.self_next,
            "feeling" => &self.feeling,
            "recommend" => &self.recommend,
            "heard_via" => &self.heard_via,
            "age_band" => &self.age_band,
            _ => "",
        }
    }
}

fn optional<T: std::str::FromStr<Err = ValidationError>>(
    value: &str,
    errors: &mut Vec<ValidationError>,
) -> Option<T> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse() {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

/// Message (a Fluent key of `survey.ftl`) when nothing was answered.
pub const EMPTY_KEY: &str = "survey-error-empty";

impl SurveyAnswers {
    /// Checks the form: known codes only, and at least one answer. Errors carry the field; an empty form has
    /// the field `form` and [`EMPTY_KEY`] as its message (the page words it in the reader's language).
    pub fn parse(input: &SurveyInput) -> Result<SurveyAnswers, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let answers = SurveyAnswers {
            helped: optional(&input.helped, &mut errors),
            self_next: optional(&input.self_next, &mut errors),
            feeling: optional(&input.feeling, &mut errors),
            recommend: optional(&input.recommend, &mut errors),
            heard_via: optional(&input.heard_via, &mut errors),
            age_band: optional(&input.age_band, &mut errors),
        };
        if errors.is_empty() && answers.codes().iter().all(Option::is_none) {
            errors.push(ValidationError::new("form", EMPTY_KEY));
        }
        if errors.is_empty() {
            Ok(answers)
        } else {
            Err(errors)
        }
    }

    /// The answers as codes in the order of [`QUESTIONS`].
    #[must_use]
    pub fn codes(&self) -> [Option<&'static str>; 6] {
        [
            self.helped.map(Helped::as_str),
            self.self_next.map(SelfNext::as_str),
            self.feeling.map(Feeling::as_str),
            self.recommend.map(Recommend::as_str),
            self.heard_via.map(HeardVia::as_str),
            self.age_band.map(AgeBand::as_str),
        ]
    }
}

/// How long one device waits before it can answer again for the same help point (seconds). Short, because a
/// tablet at the help point is shared by the visitors who follow each other.
pub const DEVICE_PAUSE_SECONDS: i64 = 60;
/// Length of the window in which a help point's answers are counted (seconds).
pub const POINT_WINDOW_SECONDS: i64 = 3600;
/// Most answers a help point takes in one window: far above a busy help point's visitors per hour.
pub const POINT_ANSWERS_PER_WINDOW: i64 = 60;

/// The start of the counting window that holds `now` (unix seconds).
#[must_use]
pub fn window_start(now: i64) -> i64 {
    now.div_euclid(POINT_WINDOW_SECONDS) * POINT_WINDOW_SECONDS
}

/// Counts of one question's options (in the order of [`options`]) and how many skipped it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionCounts {
    pub question: &'static str,
    pub counts: Vec<(&'static str, i64)>,
}

/// One question's result as it may be shown: each option's count or "< 5", and the number who answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionResult {
    pub question: &'static str,
    pub answered: Cell,
    pub cells: Vec<(&'static str, Cell)>,
}

/// Counts per option from `(question, option, count)` rows, in form order; unknown codes are ignored.
#[must_use]
pub fn tally(rows: &[(String, String, i64)]) -> Vec<QuestionCounts> {
    QUESTIONS
        .iter()
        .map(|&q| QuestionCounts {
            question: q,
            counts: options(q)
                .into_iter()
                .map(|o| {
                    let n = rows
                        .iter()
                        .filter(|(rq, ro, _)| rq == q && ro == o)
                        .map(|(_, _, n)| *n)
                        .sum();
                    (o, n)
                })
                .collect(),
        })
        .collect()
}

/// Applies the cells-under-5 rule to each question: options of 1 to 4 answers are hidden, and a second cell when
/// one hidden cell could be found from the total. A question answered by fewer than 5 people shows nothing.
#[must_use]
pub fn results(counts: &[QuestionCounts]) -> Vec<QuestionResult> {
    counts
        .iter()
        .map(|qc| {
            let values: Vec<i64> = qc.counts.iter().map(|(_, n)| *n).collect();
            let total: i64 = values.iter().sum();
            let few = total > 0 && total < crate::steering::MIN_CELL;
            let hidden = suppress_list(&values);
            QuestionResult {
                question: qc.question,
                answered: Cell::new(total, few),
                cells: qc
                    .counts
                    .iter()
                    .zip(hidden)
                    .map(|((o, n), h)| (*o, Cell::new(*n, h || (few && *n > 0))))
                    .collect(),
            }
        })
        .collect()
}

/// A demo visitor's answers, drawn from `r` (a uniform number per question in 0..1000): most are helped and feel
/// good, as the libraries' own surveys report; the shares are invented for the demo.
#[must_use]
pub fn demo_answers(r: [u32; 6]) -> SurveyAnswers {
    let pick = |x: u32, weights: &[u32]| -> usize {
        let mut acc = 0;
        for (i, w) in weights.iter().enumerate() {
            acc += w;
            if x % 1000 < acc {
                return i;
            }
        }
        weights.len().saturating_sub(1)
    };
    SurveyAnswers {
        helped: Helped::ALL.get(pick(r[0], &[780, 160, 60])).copied(),
        self_next: SelfNext::ALL.get(pick(r[1], &[300, 450, 250])).copied(),
        feeling: Feeling::ALL.get(pick(r[2], &[700, 230, 70])).copied(),
        recommend: Recommend::ALL.get(pick(r[3], &[820, 130, 50])).copied(),
        heard_via: HeardVia::ALL
            .get(pick(r[4], &[350, 150, 200, 200, 60, 40]))
            .copied(),
        age_band: AgeBand::ALL
            .get(pick(r[5], &[10, 90, 150, 250, 280, 220]))
            .copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(pairs: &[(&str, &str)]) -> SurveyInput {
        let mut i = SurveyInput::default();
        for (k, v) in pairs {
            let v = (*v).to_owned();
            match *k {
                "helped" => i.helped = v,
                "self_next" => i.self_next = v,
                "feeling" => i.feeling = v,
                "recommend" => i.recommend = v,
                "heard_via" => i.heard_via = v,
                "age_band" => i.age_band = v,
                _ => {}
            }
        }
        i
    }

    #[test]
    fn parse_takes_known_codes_and_skipped_questions() {
        let a = SurveyAnswers::parse(&input(&[("helped", "yes"), ("age_band", "65-74")])).unwrap();
        assert_eq!(a.helped, Some(Helped::Yes));
        assert_eq!(a.age_band, Some(AgeBand::From65));
        assert_eq!(a.feeling, None);
        assert_eq!(
            a.codes(),
            [Some("yes"), None, None, None, None, Some("65-74")]
        );
    }

    #[test]
    fn parse_refuses_empty_and_unknown() {
        let e = SurveyAnswers::parse(&SurveyInput::default()).unwrap_err();
        assert_eq!(e[0].field, "form");
        assert_eq!(e[0].message, EMPTY_KEY);
        let e = SurveyAnswers::parse(&input(&[("feeling", "ecstatic"), ("helped", "yes")]))
            .unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "feeling");
    }

    #[test]
    fn every_question_has_options() {
        for q in QUESTIONS {
            assert!(options(q).len() >= 3, "{q}");
        }
        assert_eq!(options("helped"), ["yes", "partly", "no"]);
    }

    #[test]
    fn windows_start_on_the_hour() {
        assert_eq!(window_start(7199), 3600);
        assert_eq!(window_start(7200), 7200);
        assert_eq!(window_start(-1), -3600);
    }

    #[test]
    fn tally_and_cells_under_five() {
        let rows = vec![
            ("helped".to_owned(), "yes".to_owned(), 12),
            ("helped".to_owned(), "partly".to_owned(), 3),
            ("helped".to_owned(), "no".to_owned(), 7),
            ("feeling".to_owned(), "good".to_owned(), 2),
            ("feeling".to_owned(), "bad".to_owned(), 1),
            ("nonsense".to_owned(), "yes".to_owned(), 99),
        ];
        let counts = tally(&rows);
        assert_eq!(counts[0].counts, [("yes", 12), ("partly", 3), ("no", 7)]);
        let r = results(&counts);
        // helped: 3 is hidden, and then the smallest other (7) so that 3 cannot be found from the total 22.
        assert_eq!(r[0].answered, Cell::Shown(22));
        assert_eq!(
            r[0].cells,
            [
                ("yes", Cell::Shown(12)),
                ("partly", Cell::Hidden),
                ("no", Cell::Hidden)
            ]
        );
        // feeling: 3 answers in all, so the total and every non-zero cell are hidden.
        assert_eq!(r[2].answered, Cell::Hidden);
        assert!(
            r[2].cells
                .iter()
                .all(|(o, c)| *c == Cell::Hidden || *o == "neutral")
        );
        // a question nobody answered shows zeros.
        assert_eq!(r[1].answered, Cell::Shown(0));
    }

    #[test]
    fn demo_answers_follow_the_weights() {
        let a = demo_answers([0, 0, 0, 0, 0, 0]);
        assert_eq!(a.helped, Some(Helped::Yes));
        let b = demo_answers([999, 999, 999, 999, 999, 999]);
        assert_eq!(b.helped, Some(Helped::No));
        assert_eq!(b.age_band, Some(AgeBand::From75));
    }
}
