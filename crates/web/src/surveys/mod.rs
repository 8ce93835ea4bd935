//! The visitor impact survey: the public anonymous form behind a help point's QR code, the coordinator's links and poster, and the results for steering and coordinators (page, CSV/XLSX, `/api/v1/surveys`).

pub(crate) mod api;
mod links;
mod public;
mod qr;
mod results;

use crate::AppState;
use crate::error::AppError;
use crate::i18n::Lang;
use axum::Router;
use keten_core::steering::{Cell, DayRange};
use keten_core::survey::{QuestionResult, results as apply_rule, tally};
use keten_store::stats::StatsScope;
use keten_store::surveys::PointResponses;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(public::router())
        .merge(links::router())
        .merge(results::router())
}

/// The Fluent key of a question's text.
pub(crate) fn question_key(question: &str) -> String {
    format!("survey-q-{question}")
}

/// The Fluent key of an option ("75+" becomes "75plus": Fluent ids take letters, digits, `-` and `_`).
pub(crate) fn option_key(question: &str, option: &str) -> String {
    format!("survey-opt-{question}-{}", option.replace('+', "plus"))
}

/// One option's figure, worded for a page or a file.
pub(crate) struct OptionFigure {
    pub code: &'static str,
    pub label: String,
    pub cell: Cell,
    /// The count or "< 5".
    pub shown: String,
}

pub(crate) struct QuestionFigures {
    pub code: &'static str,
    pub text: String,
    pub answered: Cell,
    pub answered_shown: String,
    pub options: Vec<OptionFigure>,
}

/// The results of a scope over a period with the cells-under-5 rule applied: per question, and per help point.
pub(crate) struct SurveyResults {
    pub questions: Vec<QuestionFigures>,
    /// Help points with their number of responses ("< 5" under 5).
    pub points: Vec<(PointResponses, Cell, String)>,
    pub responses: Cell,
    pub responses_shown: String,
}

/// Reads and words the results; the scope was checked by the caller.
pub(crate) async fn survey_results(
    state: &AppState,
    scope: &StatsScope,
    range: DayRange,
    lang: Lang,
) -> Result<SurveyResults, AppError> {
    let (from, to) = range.dates();
    let (from, to) = (from.to_string(), to.to_string());
    let counts = state.store.survey_counts(scope, &from, &to).await?;
    let points = state
        .store
        .survey_responses_per_point(scope, &from, &to)
        .await?;
    let questions = apply_rule(&tally(&counts))
        .into_iter()
        .map(|r: QuestionResult| QuestionFigures {
            code: r.question,
            text: lang.t(&question_key(r.question)),
            answered: r.answered,
            answered_shown: cell_text(r.answered),
            options: r
                .cells
                .into_iter()
                .map(|(code, cell)| OptionFigure {
                    code,
                    label: lang.t(&option_key(r.question, code)),
                    cell,
                    shown: cell_text(cell),
                })
                .collect(),
        })
        .collect();
    let total: i64 = points.iter().map(|p| p.responses).sum();
    let few = |n: i64| n > 0 && n < keten_core::steering::MIN_CELL;
    let points = points
        .into_iter()
        .map(|p| {
            let cell = Cell::new(p.responses, few(p.responses));
            (p, cell, cell_text(cell))
        })
        .collect();
    Ok(SurveyResults {
        questions,
        points,
        responses: Cell::new(total, few(total)),
        responses_shown: cell_text(Cell::new(total, few(total))),
    })
}

/// A figure as text: the count, or "< 5".
pub(crate) fn cell_text(cell: Cell) -> String {
    match cell {
        Cell::Shown(n) => crate::numbers::count(n),
        Cell::Tenths(t) => format!("{},{}", crate::numbers::count(t / 10), (t % 10).abs()),
        Cell::Hidden => "< 5".to_owned(),
        Cell::Empty => "–".to_owned(),
    }
}

/// Every option of every question has words in every language (the keys are built at run time, so the
/// catalogue test that reads literal keys cannot see them).
#[cfg(test)]
mod tests {
    #[test]
    fn every_option_has_words_in_every_language() {
        for lang in crate::i18n::Lang::all() {
            for q in keten_core::survey::QUESTIONS {
                assert!(lang.try_t(&super::question_key(q)).is_some(), "{q} {lang}");
                for o in keten_core::survey::options(q) {
                    let key = super::option_key(q, o);
                    assert!(lang.try_t(&key).is_some(), "{key} in {lang}");
                }
            }
        }
    }
}
