//! The desk form: one visit with one or more questions, shared by staff and
//! volunteer links, rendered without JavaScript and read back by hand.

use crate::AppState;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use keten_core::ValidationError;
use keten_core::help_question::{
    AgeBand, Channel, MINUTE_PRESETS, Outcome, QuestionInput, UNDO_SECONDS, VisitDraft, VisitInput,
};
use keten_store::Actor;
use keten_store::categories::CategoryList;
use keten_store::help_questions::{DeskHelpPoint, Registrar};
use std::collections::HashMap;

/// A choice in a list: code and Dutch label.
#[derive(Debug, Clone)]
pub struct Choice {
    pub code: String,
    pub label: String,
}

/// Labels of the categories, for showing stored codes to people.
pub struct Labels {
    pub topics: Vec<Choice>,
    pub agencies: Vec<Choice>,
    pub kinds: Vec<Choice>,
    by_topic: HashMap<String, String>,
    by_agency: HashMap<String, String>,
}

impl Labels {
    pub async fn load(state: &AppState) -> Result<Labels, AppError> {
        let topics: Vec<Choice> = state
            .store
            .topics()
            .await?
            .into_iter()
            .map(|t| Choice {
                code: t.code,
                label: t.label,
            })
            .collect();
        let list = |l: Vec<keten_store::categories::Category>| -> Vec<Choice> {
            l.into_iter()
                .map(|c| Choice {
                    code: c.code,
                    label: c.label,
                })
                .collect()
        };
        let agencies = list(state.store.category_list(CategoryList::Agency).await?);
        let kinds = list(state.store.category_list(CategoryList::Kind).await?);
        let map = |v: &[Choice]| {
            v.iter()
                .map(|c| (c.code.clone(), c.label.clone()))
                .collect()
        };
        Ok(Labels {
            by_topic: map(&topics),
            by_agency: map(&agencies),
            topics,
            agencies,
            kinds,
        })
    }

    pub fn topic(&self, code: &str) -> String {
        self.by_topic
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_owned())
    }

    pub fn agency(&self, code: &str) -> String {
        self.by_agency
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_owned())
    }
}

/// What the confirmation after saving shows.
#[derive(Debug, Clone)]
pub struct SavedNotice {
    pub visit_id: String,
    pub count: usize,
    /// The help point's running total after this visit, written the Dutch way ("1.106").
    pub number: Option<String>,
    /// The milestone this visit reached ("1.000"), a moment worth saying at the desk.
    pub milestone: Option<String>,
    pub topics: Vec<String>,
    /// Each question (id, topic label): with several, each can be undone on its own.
    pub questions: Vec<Choice>,
    pub undo_until: String,
    pub can_undo: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "desk.html")]
pub struct DeskForm {
    pub shell: Shell,
    pub point: DeskHelpPoint,
    /// Other help points the user can switch to.
    pub other_points: Vec<DeskHelpPoint>,
    pub action: String,
    /// Where the undo button posts, with `{visit}` filled in by the template.
    pub undo_base: String,
    pub volunteer: bool,
    pub correcting: bool,
    pub topics: Vec<Choice>,
    pub frequent: usize,
    pub agencies: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub organisations: Vec<Choice>,
    /// The partners' consultation hours held at this help point ("Spreekuur"); the field is left out
    /// without any.
    pub consultation_hours: Vec<Choice>,
    pub channels: &'static [Channel],
    pub outcomes: &'static [Outcome],
    pub age_bands: &'static [AgeBand],
    pub minute_presets: &'static [i64],
    pub visit: VisitInput,
    pub errors: Vec<ValidationError>,
    pub saved: Option<SavedNotice>,
    pub undone: bool,
    /// One question of the visit in `saved` was just undone.
    pub question_undone: bool,
    pub corrected: bool,
    /// The question whose first topic gets the focus: the new one after "add a question".
    pub focus_question: usize,
}

impl DeskForm {
    /// Minutes typed that are not a preset go into the "other" box.
    pub fn custom_minutes(&self, q: &QuestionInput) -> String {
        let m = q.minutes.trim();
        if MINUTE_PRESETS.iter().any(|p| p.to_string() == m) {
            String::new()
        } else {
            m.to_owned()
        }
    }

    pub fn outcome_of<'a>(&self, q: &'a QuestionInput) -> &'a str {
        if q.outcome.is_empty() {
            "solved"
        } else {
            q.outcome.as_str()
        }
    }

    pub fn channel_of(&self) -> &str {
        if self.visit.channel.is_empty() {
            "walk_in"
        } else {
            self.visit.channel.as_str()
        }
    }

    pub fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

/// The form as posted: the visit and what the user asked for.
pub struct Submitted {
    pub visit: VisitInput,
    /// "Add a question" rather than "save".
    pub add_question: bool,
}

/// Reads the urlencoded desk form: visit fields plus `q{n}_{field}` per question.
pub fn parse_visit_form(body: &[u8]) -> Submitted {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let mut visit = VisitInput::default();
    let mut questions: Vec<QuestionInput> = Vec::new();
    let mut custom: HashMap<usize, String> = HashMap::new();
    let mut add_question = false;
    for (key, value) in pairs {
        match key.as_str() {
            "date" => visit.date = value,
            "channel" => visit.channel = value,
            "age_band" => visit.age_band = value,
            "pc4" => visit.pc4 = value,
            "first_visit" => visit.first_visit = value,
            "remark" => visit.remark = value,
            "consultation_hour" => visit.consultation_hour = value,
            "action" => add_question = value == "add",
            _ => {
                let Some((index, field)) = key
                    .strip_prefix('q')
                    .and_then(|k| k.split_once('_'))
                    .and_then(|(i, f)| i.parse::<usize>().ok().map(|i| (i, f)))
                else {
                    continue;
                };
                if index >= keten_core::help_question::MAX_QUESTIONS_PER_VISIT {
                    continue;
                }
                if questions.len() <= index {
                    questions.resize_with(index + 1, QuestionInput::default);
                }
                let Some(q) = questions.get_mut(index) else {
                    continue;
                };
                match field {
                    "topic" => q.topic = value,
                    "agency" => q.agency = value,
                    "kind" => q.kind = value,
                    "minutes" => q.minutes = value,
                    "outcome" => q.outcome = value,
                    "referred" => q.referred_to = value,
                    "minutes-other" => {
                        custom.insert(index, value);
                    }
                    _ => {}
                }
            }
        }
    }
    for (index, value) in custom {
        if let Some(q) = questions.get_mut(index)
            && !value.trim().is_empty()
        {
            q.minutes = value;
        }
    }
    if questions.is_empty() {
        questions.push(QuestionInput::default());
    }
    visit.questions = questions;
    Submitted {
        visit,
        add_question,
    }
}

/// Builds the form for a help point: the most used topics of the last 90
/// days first, the chain's organisations for "referred to".
pub async fn desk_form(
    state: &AppState,
    shell: Shell,
    point: &DeskHelpPoint,
    actor: Option<&Actor>,
    visit: Option<VisitInput>,
) -> Result<DeskForm, AppError> {
    let mut labels = Labels::load(state).await?;
    // Another country's services (itsme at a Dutch desk, DigiD at a Flemish one) are not offered.
    let country = keten_core::reference::Country::from(point.region());
    labels
        .topics
        .retain(|t| keten_core::help_question::topic_offered_in(&t.code, country));
    let frequent_codes = state
        .store
        .frequent_topics(&point.id, state.now() - 90 * 86_400)
        .await?;
    let frequent = frequent_codes.len().min(6);
    let mut topics: Vec<Choice> = frequent_codes
        .iter()
        .take(frequent)
        .filter_map(|c| labels.topics.iter().find(|t| &t.code == c).cloned())
        .collect();
    let frequent = topics.len();
    topics.extend(
        labels
            .topics
            .iter()
            .filter(|t| !frequent_codes.iter().take(frequent).any(|c| c == &t.code))
            .cloned(),
    );
    let organisations = state
        .store
        .organisation_names_in(&point.municipality_code)
        .await?
        .into_iter()
        .map(|(code, label)| Choice { code, label })
        .collect();
    let consultation_hours = state
        .store
        .desk_consultation_hours(&point.id)
        .await?
        .into_iter()
        .map(|h| Choice {
            code: h.id,
            label: format!("{}: {}", h.organisation_name, h.title),
        })
        .collect();
    let other_points = match actor {
        Some(a) => state
            .store
            .desk_help_points(a)
            .await?
            .into_iter()
            .filter(|p| p.id != point.id)
            .collect(),
        None => Vec::new(),
    };
    let mut visit = visit.unwrap_or_default();
    if visit.questions.is_empty() {
        visit.questions.push(QuestionInput::default());
    }
    let focus_question = visit.questions.len() - 1;
    Ok(DeskForm {
        shell,
        point: point.clone(),
        other_points,
        action: format!("/balie/{}", point.id),
        undo_base: format!("/balie/{}/bezoek", point.id),
        volunteer: false,
        correcting: false,
        topics,
        frequent,
        agencies: labels.agencies,
        kinds: labels.kinds,
        organisations,
        consultation_hours,
        channels: Channel::ALL,
        outcomes: Outcome::ALL,
        age_bands: AgeBand::ALL,
        minute_presets: MINUTE_PRESETS,
        visit,
        errors: Vec::new(),
        saved: None,
        undone: false,
        question_undone: false,
        corrected: false,
        focus_question,
    })
}

/// The milestone (1,000th, 5,000th, ... question) among the visit's questions, numbered up to `total`.
fn reached_milestone(total: i64, questions: usize) -> Option<String> {
    let first = total - i64::try_from(questions).unwrap_or(i64::MAX) + 1;
    keten_core::steering::milestone(total)
        .filter(|m| *m >= first)
        .map(crate::numbers::count)
}

/// The confirmation for a visit just saved, if it is still there.
pub async fn saved_notice(
    state: &AppState,
    point: &DeskHelpPoint,
    visit_id: &str,
    number: Option<i64>,
    user_id: Option<&str>,
    link_id: Option<&str>,
) -> Result<Option<SavedNotice>, AppError> {
    let questions = state.store.visit_questions(&point.id, visit_id).await?;
    let Some(first) = questions.first() else {
        return Ok(None);
    };
    let labels = Labels::load(state).await?;
    let tz = point.region().time_zone();
    let can_undo = super::check_undo(&questions, user_id, link_id, state.now()).is_ok();
    Ok(Some(SavedNotice {
        visit_id: visit_id.to_owned(),
        count: questions.len(),
        number: number.map(crate::numbers::count),
        milestone: number.and_then(|n| reached_milestone(n, questions.len())),
        topics: questions
            .iter()
            .map(|q| labels.topic(&q.topic_code))
            .collect(),
        questions: questions
            .iter()
            .map(|q| Choice {
                code: q.id.clone(),
                label: labels.topic(&q.topic_code),
            })
            .collect(),
        undo_until: jiff::Timestamp::from_second(first.created_at + UNDO_SECONDS)
            .map(|t| t.to_zoned(tz.clone()).strftime("%H:%M").to_string())
            .unwrap_or_default(),
        can_undo,
    }))
}

/// Saves a posted visit, or shows the form again with the input and the
/// errors; "add a question" shows the form with one more block.
#[allow(clippy::too_many_arguments)]
pub async fn handle_submission(
    state: &AppState,
    shell: Shell,
    point: &DeskHelpPoint,
    actor: Option<&Actor>,
    volunteer_action: Option<(&str, &str)>,
    submitted: Submitted,
    by: &Registrar,
    base: &str,
) -> Result<Response, PageError> {
    let Submitted {
        mut visit,
        add_question,
    } = submitted;
    let rerender = |visit: VisitInput, errors: Vec<ValidationError>| async {
        let mut page = desk_form(state, shell.clone(), point, actor, Some(visit)).await?;
        if let Some((action, undo_base)) = volunteer_action {
            page.action = action.to_owned();
            page.undo_base = undo_base.to_owned();
            page.volunteer = true;
        }
        page.errors = errors;
        Ok::<DeskForm, AppError>(page)
    };
    if add_question {
        if visit.questions.len() < keten_core::help_question::MAX_QUESTIONS_PER_VISIT {
            visit.questions.push(QuestionInput::default());
        }
        return Ok(rerender(visit, Vec::new()).await?.into_response());
    }
    let categories = state.store.question_categories().await?;
    let errors = match VisitDraft::parse(&visit, &categories, state.clock.now(), point.region()) {
        Ok(draft) => match state
            .store
            .register_visit(point, &draft, by, state.now())
            .await
        {
            Ok(saved) => {
                let target = format!(
                    "{base}?bezoek={}&nummer={}",
                    saved.visit_id, saved.running_total
                );
                return Ok(Redirect::to(&target).into_response());
            }
            Err(keten_store::StoreError::Invalid(errors)) => errors,
            Err(e) => return Err(AppError::from(e).into()),
        },
        Err(errors) => errors,
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        rerender(visit, errors).await?,
    )
        .into_response())
}

/// Undoes one question of a visit for whoever saved it, within the window; the
/// rest of the visit stays.
pub async fn undo_question(
    state: &AppState,
    point: &DeskHelpPoint,
    visit_id: &str,
    question_id: &str,
    user_id: Option<&str>,
    link_id: Option<&str>,
) -> Result<(), AppError> {
    let questions = state.store.visit_questions(&point.id, visit_id).await?;
    super::check_undo(&questions, user_id, link_id, state.now())?;
    if !questions.iter().any(|q| q.id == question_id) {
        return Err(AppError::NotFound);
    }
    state
        .store
        .delete_visit_question(&point.id, visit_id, question_id)
        .await?;
    Ok(())
}

/// Where to go after undoing one question: the visit's confirmation while
/// questions are left, else the plain "undone" message.
pub async fn after_question_undone(
    base: &str,
    state: &AppState,
    point: &DeskHelpPoint,
    visit_id: &str,
) -> Result<String, AppError> {
    let left = state.store.visit_questions(&point.id, visit_id).await?;
    Ok(if left.is_empty() {
        format!("{base}?ongedaan=1")
    } else {
        format!("{base}?bezoek={visit_id}&vraag_ongedaan=1")
    })
}

/// Undoes a visit for whoever saved it, within the window.
pub async fn undo_visit(
    state: &AppState,
    point: &DeskHelpPoint,
    visit_id: &str,
    user_id: Option<&str>,
    link_id: Option<&str>,
) -> Result<(), AppError> {
    let questions = state.store.visit_questions(&point.id, visit_id).await?;
    super::check_undo(&questions, user_id, link_id, state.now())?;
    state.store.delete_visit(&point.id, visit_id).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::reached_milestone;

    #[test]
    fn a_visit_reaches_a_milestone_when_one_of_its_questions_has_its_number() {
        assert_eq!(reached_milestone(1_000, 1).as_deref(), Some("1.000"));
        assert_eq!(reached_milestone(1_001, 1), None);
        assert_eq!(reached_milestone(1_001, 2).as_deref(), Some("1.000"));
        assert_eq!(reached_milestone(999, 3), None);
        assert_eq!(reached_milestone(100_002, 3).as_deref(), Some("100.000"));
        assert_eq!(reached_milestone(100_003, 3), None);
    }
}
