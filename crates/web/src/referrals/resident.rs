//! The resident's own request from the public finder ("Ik wil hulp"): a plain form that arrives as a referral.

use super::{area_of, propose_destination};
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{AppError, PageError};
use crate::i18n::Lang;
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use governor::clock::{Clock as _, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use keten_core::ValidationError;
use keten_core::directory::HelpPointStatus;
use keten_core::help_question::{DEFAULT_TOPICS, topic_offered_in};
use keten_core::reference::Country;
use keten_core::referral::deadline::due_at;
use keten_core::referral::{CONSENT_TEXT_VERSION, ReferralInput, ReferralSource};
use keten_store::referrals::{Destination, NewReferral};
use serde::Deserialize;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

pub fn router() -> Router<AppState> {
    Router::new().route("/ik-wil-hulp", get(form_page).post(submit))
}

type KeyedLimiter = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>;

/// How often one client address may send the form: a guard against floods of fake requests that would bury a
/// help point's inbox. Kept in memory per keten process (a flood guard, not an account lock: with several
/// processes each counts on its own); 0 switches it off.
#[derive(Clone)]
pub struct RequestLimit(Option<Arc<KeyedLimiter>>);

/// Addresses remembered before the limiter forgets the ones that are quiet again.
const REMEMBERED_ADDRESSES: usize = 10_000;

impl RequestLimit {
    pub fn new(per_10_minutes: u32) -> Self {
        let limiter = NonZeroU32::new(per_10_minutes)
            .and_then(|n| {
                Quota::with_period(Duration::from_secs(600) / n.get()).map(|q| q.allow_burst(n))
            })
            .map(|quota| Arc::new(RateLimiter::keyed(quota)));
        Self(limiter)
    }

    /// `Err(seconds)` to wait when the address sent too often.
    pub(crate) fn check(&self, address: &str) -> Result<(), u64> {
        let Some(limiter) = &self.0 else {
            return Ok(());
        };
        if limiter.len() > REMEMBERED_ADDRESSES {
            limiter.retain_recent();
        }
        limiter.check_key(&address.to_owned()).map_err(|not_until| {
            not_until
                .wait_time_from(limiter.clock().now())
                .as_secs()
                .max(1)
        })
    }
}

pub struct TopicChoice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

pub struct MomentChoice {
    pub value: &'static str,
    pub label: String,
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
    moments: Vec<MomentChoice>,
    errors: Vec<ValidationError>,
}

impl ResidentPage {
    /// The message for a field, shown above it; the phone field also carries the "one of the two" message.
    fn error_for(&self, field: &str) -> Option<&str> {
        let found = |f: &str| self.errors.iter().find(|e| e.field == f);
        found(field)
            .or_else(|| (field == "phone").then(|| found("contact")).flatten())
            .map(|e| e.message.as_str())
    }

    /// Neither phone nor e-mail given: both fields are marked, the message stands once, above the phone.
    fn contact_missing(&self) -> bool {
        self.errors.iter().any(|e| e.field == "contact")
    }

    /// Where the summary's link for an error leads: the field to mend (none for "no help point found").
    fn anchor_of(field: &str) -> Option<&'static str> {
        Some(match field {
            "topics" => "topics",
            "reason" => "reason",
            "resident_name" => "resident_name",
            "contact" | "phone" => "phone",
            "email" => "email",
            "pc4" => "pc4",
            "consent" => "consent_given",
            _ => return None,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_resident_wait.html")]
struct WaitPage {
    shell: Shell,
    minutes: u64,
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_resident_done.html")]
struct DonePage {
    shell: Shell,
    organisation_name: String,
    help_point_name: String,
    by: String,
}

/// The link from a help point's page: the point, and the topic and PC4 the resident already gave in the finder.
#[derive(Debug, Default, Deserialize)]
struct PointQuery {
    hulppunt: Option<String>,
    onderwerp: Option<String>,
    pc4: Option<String>,
}

/// The four digits of a PC4 field: a full postcode ("3011AB", "3011 ab") keeps its digits, so the resident need
/// not delete the letters; anything else stays as typed, for the form's own message.
fn pc4_digits(value: &str) -> String {
    let trimmed = value.trim();
    let digits = trimmed.get(..4).unwrap_or_default();
    let letters = trimmed.get(4..).unwrap_or_default().trim_start();
    let full_postcode = digits.len() == 4
        && digits.bytes().all(|b| b.is_ascii_digit())
        && letters.len() == 2
        && letters.bytes().all(|b| b.is_ascii_alphabetic());
    if full_postcode {
        digits.to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The help point's name and country, when the form is for an open help point.
async fn open_help_point(state: &AppState, id: &str) -> Option<(String, Country)> {
    if id.is_empty() {
        return None;
    }
    state
        .store
        .help_point(id)
        .await
        .ok()
        .filter(|h| h.status != HelpPointStatus::Closed)
        .map(|h| {
            let country = keten_core::reference::municipality(&h.municipality_code)
                .map_or(Country::Nl, |m| m.country);
            (h.name, country)
        })
}

fn view(
    shell: Shell,
    help_point_id: String,
    point: Option<(String, Country)>,
    input: ReferralInput,
) -> ResidentPage {
    let lang = shell.lang;
    let (help_point_name, country) = point.unzip();
    let topics = DEFAULT_TOPICS
        .iter()
        .filter(|t| t.parent.is_some())
        // A Dutch help point does not help with itsme, a Flemish one not with DigiD.
        .filter(|t| country.is_none_or(|c| topic_offered_in(t.code, c)))
        .map(|t| TopicChoice {
            value: t.code,
            label: lang.topic(t.code, t.label),
            selected: input.topics.iter().any(|c| c == t.code),
        })
        .collect();
    let chosen = input.preferred_moment.as_deref().unwrap_or("any");
    let moments = ["any", "morning", "afternoon", "evening"]
        .into_iter()
        .map(|value| MomentChoice {
            value,
            label: lang.t(&format!("resident-moment-{value}")),
            selected: value == chosen,
        })
        .collect();
    ResidentPage {
        shell,
        help_point_id,
        help_point_name: help_point_name.unwrap_or_default(),
        input,
        topics,
        moments,
        errors: Vec::new(),
    }
}

async fn form_page(
    State(state): State<AppState>,
    shell: Shell,
    Query(q): Query<PointQuery>,
) -> ResidentPage {
    let shell = shell.public();
    let id = q.hulppunt.unwrap_or_default();
    let chosen = open_help_point(&state, &id).await;
    let id = if chosen.is_some() { id } else { String::new() };
    // What the resident chose in the finder is filled in; a group topic ("Geld en bankzaken") is not a choice of
    // this form, and a PC4 that is not four digits is left out rather than shown as a mistake.
    let topic = q.onderwerp.filter(|t| {
        DEFAULT_TOPICS
            .iter()
            .any(|d| d.code == t.as_str() && d.parent.is_some())
    });
    let pc4 = q
        .pc4
        .map(|p| pc4_digits(&p))
        .filter(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit()));
    view(
        shell,
        id,
        chosen,
        ReferralInput {
            topics: topic.into_iter().collect(),
            pc4: pc4.unwrap_or_default(),
            ..ReferralInput::default()
        },
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
            "pc4" => input.pc4 = pc4_digits(&value),
            "consent_given" => input.consent_given = true,
            _ => {}
        }
    }
    (point, input)
}

/// The form's messages in plain words and the reader's language, one per field.
fn b1(errors: Vec<ValidationError>, lang: Lang) -> Vec<ValidationError> {
    let mut out: Vec<ValidationError> = Vec::new();
    for mut e in errors {
        if out.iter().any(|o| o.field == e.field) {
            continue;
        }
        let key = match e.field {
            "consent" => "resident-error-consent",
            "resident_name" => "resident-error-name",
            "topics" => "resident-error-topics",
            "contact" => "resident-error-contact",
            "phone" => "resident-error-phone",
            "email" => "resident-error-email",
            "pc4" => "resident-error-pc4",
            "reason" => "resident-error-reason",
            "destination" => "resident-error-no-point",
            _ => "resident-error-other",
        };
        e.message = lang.t(key);
        out.push(e);
    }
    out
}

/// 429 with `Retry-After` and a plain page in the reader's language: the answer of every public flood guard.
pub(crate) fn wait_page(shell: Shell, seconds: u64) -> Response {
    let page = WaitPage {
        shell,
        minutes: seconds.div_ceil(60),
    };
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, seconds.to_string())],
        page,
    )
        .into_response()
}

async fn submit(
    State(state): State<AppState>,
    shell: Shell,
    Extension(ctx): Extension<RequestContext>,
    body: Bytes,
) -> Result<Response, PageError> {
    let shell = shell.public();
    if let Err(seconds) = state.resident_limit.check(&ctx.client_ip) {
        return Ok(wait_page(shell, seconds));
    }
    let (point, input) = parse_form(&body);
    let chosen = open_help_point(&state, &point).await;
    let point = if chosen.is_some() {
        point
    } else {
        String::new()
    };
    let fail = |errors: Vec<ValidationError>, input: ReferralInput| {
        let mut page = view(shell.clone(), point.clone(), chosen.clone(), input);
        page.errors = b1(errors, shell.lang);
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
            vec![ValidationError::new("destination", String::new())],
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
    let by = shell
        .lang
        .date(area.region.time_zone().to_datetime(due).date(), false);
    Ok(DonePage {
        shell,
        organisation_name,
        help_point_name,
        by,
    }
    .into_response())
}
