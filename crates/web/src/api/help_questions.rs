//! API: registering help questions (one visit or a batch) and reading them back page by page.

use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::extract::ApiQuery;
use crate::extract::{ApiActor, ApiJson};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use keten_core::ValidationError;
use keten_core::help_question::{QuestionInput, VisitDraft, VisitInput};
use keten_store::help_questions::{DeskHelpPoint, HelpQuestion, QuestionFilter, Registrar, Source};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Most visits in one batch: enough for a day's backlog of a large help
/// point, small enough to answer well within a second.
const MAX_BATCH: usize = 1_000;

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct QuestionRequest {
    /// Topic code from the taxonomy (`GET /hsds/taxonomy_terms` lists them).
    pub topic: String,
    /// Agency code; absent means the usual agency for the topic.
    pub agency: Option<String>,
    /// `digital_government`, `library_service`, `other` (or a code an admin added); absent means the usual kind.
    pub kind: Option<String>,
    /// `walk_in`, `appointment`, `phone`, `outreach`; absent means the visit's channel.
    pub channel: Option<String>,
    /// Minutes spent, 1 to 480.
    pub minutes: i64,
    /// `solved` (default), `partly_solved`, `referred`, `not_solved`.
    pub outcome: Option<String>,
    /// Organisation id the resident was referred to.
    pub referred_to: Option<String>,
}

/// One visit: a resident at the desk with one or more questions (one per topic).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VisitRequest {
    pub help_point_id: String,
    /// When the visit took place (RFC 3339); absent means now.
    pub asked_at: Option<String>,
    /// `walk_in` (default), `appointment`, `phone`, `outreach`.
    pub channel: Option<String>,
    /// `0-17`, `18-34`, `35-49`, `50-64`, `65-74`, `75+`.
    pub age_band: Option<String>,
    /// The 4 digits of the resident's postcode.
    pub pc4: Option<String>,
    pub first_visit: Option<bool>,
    /// Id of a partner's consultation hour at this help point during which the visit took place (as the
    /// desk form's "Spreekuur" choice); absent for none. Another help point's hour is a 422.
    pub consultation_hour_id: Option<String>,
    pub questions: Vec<QuestionRequest>,
}

/// A single visit, or an array of visits saved all or nothing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RegisterRequest {
    One(VisitRequest),
    Many(Vec<VisitRequest>),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredVisitResponse {
    pub visit_id: String,
    pub question_ids: Vec<String>,
    /// The help point's running total including this visit.
    pub running_total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterResponse {
    pub visits: Vec<RegisteredVisitResponse>,
}

fn to_input(v: &VisitRequest) -> VisitInput {
    VisitInput {
        date: String::new(),
        asked_at: v.asked_at.clone().unwrap_or_default(),
        channel: v.channel.clone().unwrap_or_default(),
        age_band: v.age_band.clone().unwrap_or_default(),
        pc4: v.pc4.clone().unwrap_or_default(),
        first_visit: match v.first_visit {
            Some(true) => "yes".into(),
            Some(false) => "no".into(),
            None => String::new(),
        },
        remark: String::new(),
        consultation_hour: v.consultation_hour_id.clone().unwrap_or_default(),
        questions: v
            .questions
            .iter()
            .map(|q| QuestionInput {
                topic: q.topic.clone(),
                agency: q.agency.clone().unwrap_or_default(),
                kind: q.kind.clone().unwrap_or_default(),
                channel: q.channel.clone().unwrap_or_default(),
                minutes: q.minutes.to_string(),
                outcome: q.outcome.clone().unwrap_or_default(),
                referred_to: q.referred_to.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

/// Registers one visit (an object) or a batch (an array), all or nothing.
#[utoipa::path(post, path = "/api/v1/help-questions", tag = "help questions",
    request_body = RegisterRequest,
    responses((status = 201, body = RegisterResponse),
              (status = 401, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem, description = "A rule is broken; `errors` says where (\"Bezoek 2: ...\" in a batch)")),
    security(("session" = []), ("token" = [])))]
pub async fn register_help_questions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(request): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<RegisterResponse>), ApiError> {
    let (visits, batch) = match request {
        RegisterRequest::One(v) => (vec![v], false),
        RegisterRequest::Many(v) => (v, true),
    };
    if visits.is_empty() || visits.len() > MAX_BATCH {
        return Err(AppError::Validation(vec![ValidationError::new(
            "visits",
            format!("Stuur 1 tot {MAX_BATCH} bezoeken tegelijk."),
        )])
        .into());
    }
    let categories = state.store.question_categories().await?;
    let mut points: Vec<DeskHelpPoint> = Vec::new();
    let mut drafts: Vec<(usize, VisitDraft)> = Vec::with_capacity(visits.len());
    let mut errors = Vec::new();
    let prefix = |i: usize, e: ValidationError| {
        if batch {
            ValidationError {
                field: e.field,
                message: format!("Bezoek {}: {}", i + 1, e.message),
            }
        } else {
            e
        }
    };
    for (i, v) in visits.iter().enumerate() {
        let index = match points.iter().position(|p| p.id == v.help_point_id) {
            Some(index) => index,
            None => match state.store.desk_help_point(&actor, &v.help_point_id).await {
                Ok(p) => {
                    points.push(p);
                    points.len() - 1
                }
                Err(keten_store::StoreError::Invalid(es)) => {
                    errors.extend(es.into_iter().map(|e| prefix(i, e)));
                    continue;
                }
                Err(e) => return Err(AppError::from(e).into()),
            },
        };
        let Some(point) = points.get(index) else {
            continue;
        };
        match VisitDraft::parse(&to_input(v), &categories, state.clock.now(), point.region()) {
            Ok(d) => drafts.push((index, d)),
            Err(es) => errors.extend(es.into_iter().map(|e| prefix(i, e))),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors).into());
    }
    let pairs: Vec<(&DeskHelpPoint, &VisitDraft)> = drafts
        .iter()
        .filter_map(|(i, d)| points.get(*i).map(|p| (p, d)))
        .collect();
    let by = Registrar {
        source: Source::Api,
        user_id: actor.user_id.clone(),
        link_id: None,
    };
    let saved = state
        .store
        .register_visits(&pairs, &by, state.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(RegisterResponse {
            visits: saved
                .into_iter()
                .map(|s| RegisteredVisitResponse {
                    visit_id: s.visit_id,
                    question_ids: s.question_ids,
                    running_total: s.running_total,
                })
                .collect(),
        }),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this help point.
    pub help_point_id: Option<String>,
    /// Only this topic code.
    pub topic: Option<String>,
    /// Asked at or after this time (RFC 3339).
    pub from: Option<String>,
    /// Asked before this time (RFC 3339).
    pub until: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HelpQuestionResponse {
    pub id: String,
    pub visit_id: String,
    pub help_point_id: String,
    /// RFC 3339.
    pub asked_at: String,
    pub topic: String,
    pub agency: String,
    pub kind: String,
    pub channel: String,
    pub minutes: i64,
    pub outcome: String,
    pub referred_to: Option<String>,
    pub age_band: Option<String>,
    pub pc4: Option<String>,
    pub first_visit: Option<bool>,
    /// The partner's consultation hour the visit took place in, if any.
    pub consultation_hour_id: Option<String>,
    /// `desk`, `link`, `api`, `import` or `demo`.
    pub source: String,
    /// RFC 3339: when it was registered.
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HelpQuestionPage {
    pub items: Vec<HelpQuestionResponse>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

fn rfc3339(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

impl From<HelpQuestion> for HelpQuestionResponse {
    fn from(q: HelpQuestion) -> Self {
        HelpQuestionResponse {
            asked_at: rfc3339(q.asked_at),
            created_at: rfc3339(q.created_at),
            id: q.id,
            visit_id: q.visit_id,
            help_point_id: q.help_point_id,
            topic: q.topic_code,
            agency: q.agency,
            kind: q.kind,
            channel: q.channel,
            minutes: q.minutes,
            outcome: q.outcome,
            referred_to: q.referred_to,
            age_band: q.age_band,
            pc4: q.pc4,
            first_visit: q.first_visit.map(|f| f != 0),
            consultation_hour_id: q.consultation_hour_id,
            source: q.source,
        }
    }
}

fn parse_time(field: &'static str, value: &Option<String>) -> Result<Option<i64>, AppError> {
    value
        .as_deref()
        .map(|v| {
            v.parse::<jiff::Timestamp>()
                .map(|t| t.as_second())
                .map_err(|_| {
                    AppError::Validation(vec![ValidationError::new(
                        field,
                        "Geef een tijdstip als RFC 3339, bijvoorbeeld 2026-03-02T00:00:00+01:00.",
                    )])
                })
        })
        .transpose()
}

/// A cursor is "seconds.id" of the last row seen.
fn parse_cursor(cursor: &str) -> Result<(i64, String), AppError> {
    cursor
        .split_once('.')
        .and_then(|(s, id)| s.parse::<i64>().ok().map(|s| (s, id.to_owned())))
        .ok_or_else(|| {
            AppError::Validation(vec![ValidationError::new(
                "cursor",
                "Deze cursor kennen we niet. Gebruik next_cursor van de vorige pagina.",
            )])
        })
}

/// Registrations at the caller's help points, in the order they were saved.
#[utoipa::path(get, path = "/api/v1/help-questions", tag = "help questions", params(ListQuery),
    responses((status = 200, body = HelpQuestionPage), (status = 401, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_help_questions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<HelpQuestionPage>, ApiError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1_000).contains(&limit) {
        return Err(AppError::Validation(vec![ValidationError::new(
            "limit",
            "Kies een limit van 1 tot en met 1000.",
        )])
        .into());
    }
    let points: Vec<String> = state
        .store
        .desk_help_points(&actor)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let filter = QuestionFilter {
        help_point_id: q.help_point_id.clone(),
        topic_code: q.topic.clone(),
        asked_from: parse_time("from", &q.from)?,
        asked_until: parse_time("until", &q.until)?,
        after: q.cursor.as_deref().map(parse_cursor).transpose()?,
        limit: limit + 1,
    };
    let mut rows = state.store.help_questions(&points, &filter).await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = if more {
        rows.last().map(|r| format!("{}.{}", r.created_at, r.id))
    } else {
        None
    };
    Ok(Json(HelpQuestionPage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}
