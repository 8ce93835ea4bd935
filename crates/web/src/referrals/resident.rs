//! The resident's own request from the public finder ("Ik wil hulp"): a plain form that arrives as a referral.

use super::{area_of, propose_destination};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use keten_core::ValidationError;
use keten_core::directory::HelpPointStatus;
use keten_core::help_question::DEFAULT_TOPICS;
use keten_core::referral::deadline::due_at;
use keten_core::referral::{
    CONSENT_TEXT_VERSION, RESIDENT_CONSENT_TEXT, ReferralInput, ReferralSource,
};
use keten_store::referrals::{Destination, NewReferral};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/ik-wil-hulp", get(form_page).post(submit))
}

pub struct TopicChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_resident.html")]
struct ResidentPage {
    shell: Shell,
    help_point_id: String,
    help_point_name: String,
    input: ReferralInput,
    topics: Vec<TopicChoice>,
    consent_text: &'static str,
    errors: Vec<ValidationError>,
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_resident_done.html")]
struct DonePage {
    shell: Shell,
    organisation_name: String,
    help_point_name: String,
    by: String,
}

#[derive(Debug, Default, Deserialize)]
struct PointQuery {
    hulppunt: Option<String>,
}

async fn point_name(state: &AppState, id: &str) -> Option<String> {
    if id.is_empty() {
        return None;
    }
    state
        .store
        .help_point(id)
        .await
        .ok()
        .filter(|h| h.status != HelpPointStatus::Closed)
        .map(|h| h.name)
}

fn view(
    shell: Shell,
    help_point_id: String,
    help_point_name: String,
    input: ReferralInput,
) -> ResidentPage {
    let topics = DEFAULT_TOPICS
        .iter()
        .filter(|t| t.parent.is_some())
        .map(|t| TopicChoice {
            value: t.code,
            label: t.label,
            selected: input.topics.iter().any(|c| c == t.code),
        })
        .collect();
    ResidentPage {
        shell,
        help_point_id,
        help_point_name,
        input,
        topics,
        consent_text: RESIDENT_CONSENT_TEXT,
        errors: Vec::new(),
    }
}

async fn form_page(
    State(state): State<AppState>,
    shell: Shell,
    Query(q): Query<PointQuery>,
) -> ResidentPage {
    let id = q.hulppunt.unwrap_or_default();
    let name = point_name(&state, &id).await;
    let id = if name.is_some() { id } else { String::new() };
    view(
        shell,
        id,
        name.unwrap_or_default(),
        ReferralInput::default(),
    )
}

fn parse_form(body: &[u8]) -> (String, ReferralInput) {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let mut point = String::new();
    let mut input = ReferralInput {
        consent_method: Some("digital".into()),
        consent_text_version: Some(CONSENT_TEXT_VERSION.into()),
        preferred_moment: Some("any".into()),
        ..ReferralInput::default()
    };
    for (key, value) in pairs {
        match key.as_str() {
            "hulppunt" => point = value,
            "topics" => input.topics.push(value),
            "reason" => input.reason = value,
            "resident_name" => input.resident_name = value,
            "phone" => input.phone = Some(value),
            "email" => input.email = Some(value),
            "preferred_moment" => input.preferred_moment = Some(value),
            "pc4" => input.pc4 = value,
            "consent_given" => input.consent_given = true,
            _ => {}
        }
    }
    (point, input)
}

/// Plain-language versions of the form's messages.
fn b1(mut errors: Vec<ValidationError>) -> Vec<ValidationError> {
    for e in &mut errors {
        match e.field {
            "consent" => {
                e.message = "Zet een vinkje als u het goed vindt dat het hulppunt uw gegevens gebruikt. Anders kunnen wij u niet terugbellen.".into();
            }
            "resident_name" => e.message = "Schrijf uw naam op.".into(),
            "topics" => e.message = "Kies waarmee u hulp wilt.".into(),
            _ => {}
        }
    }
    errors
}

async fn submit(
    State(state): State<AppState>,
    shell: Shell,
    body: Bytes,
) -> Result<Response, PageError> {
    let (point, input) = parse_form(&body);
    let name = point_name(&state, &point).await;
    let point = if name.is_some() { point } else { String::new() };
    let fail = |errors: Vec<ValidationError>, input: ReferralInput| {
        let mut page = view(
            shell.clone(),
            point.clone(),
            name.clone().unwrap_or_default(),
            input,
        );
        page.errors = b1(errors);
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let draft = match input.parse() {
        Ok(d) => d,
        Err(errors) => return fail(errors, input),
    };
    let area = match area_of(&draft.pc4) {
        Ok(a) => a,
        Err(AppError::Validation(errors)) => return fail(errors, input),
        Err(e) => return Err(e.into()),
    };
    // The chosen help point when it takes referrals and offers the topic, else the nearest one that does.
    let candidates = state.store.referral_candidates(area.point).await?;
    let chosen = candidates.iter().find(|c| {
        c.help_point_id == point
            && c.consultation_hour_id.is_none()
            && c.takes_referrals()
            && draft.topics.iter().any(|t| {
                c.topics.contains(t)
                    || super::parent_of(t).is_some_and(|p| c.topics.iter().any(|x| x == p))
            })
    });
    let destination = match chosen {
        Some(c) => Some((c.organisation_id.clone(), Some(c.help_point_id.clone()))),
        None => propose_destination(&state, &draft.topics[0], None, &area)
            .await?
            .map(|p| (p.organisation_id, p.help_point_id)),
    };
    let Some((organisation_id, help_point_id)) = destination else {
        return fail(
            vec![ValidationError::new(
                "topics",
                "Wij vonden geen hulppunt in de buurt voor deze vraag. Bel de gemeente of zoek een hulppunt in de hulpzoeker.",
            )],
            input,
        );
    };
    let settings = state
        .store
        .referral_settings(&area.municipality_code)
        .await?;
    let now = state.clock.now();
    let due = due_at(now, settings.overdue_working_days, area.region);
    let id = state
        .store
        .create_resident_request(&NewReferral {
            draft: &draft,
            source: ReferralSource::Resident,
            municipality_code: area.municipality_code.clone(),
            sender_organisation_id: organisation_id.clone(),
            destination: Destination {
                organisation_id: organisation_id.clone(),
                help_point_id: help_point_id.clone(),
                consultation_hour_id: None,
                routing_rule_id: None,
            },
            sent_at: now.as_second(),
            due_at: due.as_second(),
        })
        .await?;
    super::notify::new_referral(&state, &id, &organisation_id).await?;
    let help_point_name = match &help_point_id {
        Some(id) => state
            .store
            .help_point(id)
            .await
            .map(|h| h.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let organisation_name = state
        .store
        .organisation_name(&organisation_id)
        .await?
        .unwrap_or_default();
    Ok(DonePage {
        shell,
        organisation_name,
        help_point_name,
        by: keten_core::opening_hours::date_nl(area.region.time_zone().to_datetime(due).date()),
    }
    .into_response())
}
