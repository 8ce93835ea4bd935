//! For an organisation's coordinator: the audit trail of its referrals, and a resident's AVG request (inzage and
//! erasure) found by the exact phone number or e-mail address.

use super::pages::{event_text, local_time, topic_label};
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use keten_core::ValidationError;
use keten_core::account::{Email, Role};
use keten_core::referral::{ContactChannel, parse_phone};
use keten_store::Actor;
use keten_store::referral_upkeep::AuditEntry;
use keten_store::referrals::ReferralDetail;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/doorverwijzingen/audit", get(audit_page))
        .route("/doorverwijzingen/avg", get(request_page).post(search))
        .route("/doorverwijzingen/avg/wissen", post(erase))
}

/// Lines per page of the audit trail.
const PAGE_SIZE: i64 = 50;

/// An organisation the actor coordinates, for a chooser.
pub struct OrgChoice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// The organisation a coordinator's page is about: the one asked for (which it must coordinate) or its first.
fn coordinated_organisation(
    actor: &Actor,
    asked: Option<&str>,
) -> Result<(String, Vec<OrgChoice>), AppError> {
    let mine: Vec<(String, String)> = actor
        .memberships
        .iter()
        .filter(|m| m.role == Role::Coordinator)
        .map(|m| (m.organisation_id.clone(), m.organisation_name.clone()))
        .collect();
    let chosen = match asked.map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => mine
            .iter()
            .find(|(id, _)| id == a)
            .ok_or(AppError::NotFound)?
            .0
            .clone(),
        None => mine.first().ok_or(AppError::Forbidden)?.0.clone(),
    };
    let options = mine
        .into_iter()
        .map(|(id, name)| OrgChoice {
            selected: id == chosen,
            id,
            name,
        })
        .collect();
    Ok((chosen, options))
}

pub struct AuditRow {
    pub at: String,
    pub who: String,
    pub what: &'static str,
    pub referral_id: String,
}

fn audit_row(e: AuditEntry) -> AuditRow {
    let org = e.organisation_name.clone().unwrap_or_default();
    let who = match (
        &e.user_name,
        &e.event.actor_user_id,
        &e.event.actor_organisation_id,
    ) {
        (Some(name), _, _) => format!("{name} ({org})"),
        (None, Some(_), Some(_)) => format!("Iemand van {org}"),
        (None, None, Some(_)) => format!("Koppeling van {org}"),
        _ => "keten zelf".to_owned(),
    };
    AuditRow {
        at: local_time(e.event.at),
        who,
        what: match e.event.action.as_str() {
            "create" => "Doorverwijzing gemaakt",
            "read" => "Gegevens bekeken",
            "erase" => "Gegevens gewist",
            "purge" => "Gewist na de bewaartermijn",
            "search" => "Gevonden bij een AVG-verzoek",
            "reroute" => "Naar een andere organisatie gestuurd",
            _ => "Anders",
        },
        referral_id: e.event.subject_id,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_audit.html")]
struct AuditPage {
    shell: Shell,
    organisations: Vec<OrgChoice>,
    rows: Vec<AuditRow>,
    page: i64,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct AuditQuery {
    organisatie: Option<String>,
    pagina: Option<String>,
}

fn page_link(path: &str, organisation: &str, page: i64) -> String {
    let query = serde_urlencoded::to_string([
        ("organisatie", organisation.to_owned()),
        ("pagina", page.to_string()),
    ])
    .unwrap_or_default();
    format!("{path}?{query}")
}

async fn audit_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Query(q): Query<AuditQuery>,
) -> Result<AuditPage, PageError> {
    let (organisation, organisations) =
        coordinated_organisation(&me.actor, q.organisatie.as_deref())?;
    // A page number that is not one shows the first page rather than an error.
    let page = q
        .pagina
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    let mut entries = state
        .store
        .referral_audit_page(
            &me.actor,
            &organisation,
            PAGE_SIZE + 1,
            (page - 1) * PAGE_SIZE,
        )
        .await?;
    let more = entries.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX);
    entries.truncate(usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX));
    let link = |p: i64| page_link("/doorverwijzingen/audit", &organisation, p);
    Ok(AuditPage {
        shell,
        rows: entries.into_iter().map(audit_row).collect(),
        page,
        previous: (page > 1).then(|| link(page - 1)),
        next: more.then(|| link(page + 1)),
        organisations,
    })
}

/// One referral as shown for inzage: everything keten stores about it.
pub struct Inzage {
    pub detail: ReferralDetail,
    pub topics: String,
    pub status: &'static str,
    pub sent: String,
    pub moment: &'static str,
    pub consents: Vec<(String, &'static str, String, String)>,
    pub events: Vec<(String, String, String)>,
    pub erased: String,
}

fn inzage(detail: ReferralDetail) -> Inzage {
    let s = &detail.summary;
    let name_of = |org: &str| {
        if org == s.organisation_id {
            s.organisation_name.clone()
        } else if org == s.sender_organisation_id {
            s.sender_organisation_name.clone()
        } else {
            "een eerdere organisatie".to_owned()
        }
    };
    Inzage {
        topics: s
            .topics
            .iter()
            .map(|t| topic_label(t))
            .collect::<Vec<_>>()
            .join(", "),
        status: s.status.map_or("Niet te volgen", |x| x.label()),
        sent: local_time(s.sent_at),
        moment: detail
            .contact
            .as_ref()
            .map_or("", |c| c.preferred_moment.label()),
        consents: detail
            .consents
            .iter()
            .map(|c| {
                (
                    name_of(&c.organisation_id),
                    c.method.label(),
                    local_time(c.given_at),
                    c.withdrawn_at.map(local_time).unwrap_or_default(),
                )
            })
            .collect(),
        events: detail
            .events
            .iter()
            .map(|e| {
                (
                    local_time(e.at),
                    event_text(e),
                    e.actor_organisation_name.clone().unwrap_or_default(),
                )
            })
            .collect(),
        erased: s.erased_at.map(local_time).unwrap_or_default(),
        detail,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_privacy.html")]
struct RequestPage {
    shell: Shell,
    organisation: String,
    organisations: Vec<OrgChoice>,
    search: String,
    searched: bool,
    found: Vec<Inzage>,
    errors: Vec<ValidationError>,
    erased: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
struct RequestQuery {
    organisatie: Option<String>,
    gewist: Option<usize>,
}

async fn request_page(
    shell: Shell,
    RequireUser(me): RequireUser,
    Query(q): Query<RequestQuery>,
) -> Result<RequestPage, PageError> {
    let (organisation, organisations) =
        coordinated_organisation(&me.actor, q.organisatie.as_deref())?;
    Ok(RequestPage {
        shell,
        organisation,
        organisations,
        search: String::new(),
        searched: false,
        found: Vec::new(),
        errors: Vec::new(),
        erased: q.gewist,
    })
}

/// A phone number or an e-mail address, exactly as keten stores it.
fn parse_search(input: &str) -> Result<ContactChannel, ValidationError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(ValidationError::new(
            "zoek",
            "Vul het telefoonnummer of het e-mailadres van de inwoner in.",
        ));
    }
    if input.contains('@') {
        Email::parse(input).map(ContactChannel::Email)
    } else {
        parse_phone(input).map(ContactChannel::Phone)
    }
}

/// Shows what is stored in these referrals (each read writes an audit event); only those the organisation sent
/// or received.
async fn inzage_of(
    state: &AppState,
    actor: &Actor,
    organisation: &str,
    ids: &[String],
) -> Result<Vec<Inzage>, AppError> {
    let now = state.now();
    let mut out = Vec::new();
    for id in ids {
        let summary = state.store.referral_summary(actor, id).await?;
        if summary.sender_organisation_id != organisation && summary.organisation_id != organisation
        {
            return Err(AppError::NotFound);
        }
        out.push(inzage(state.store.referral(actor, id, now).await?));
    }
    Ok(out)
}

/// The search form and the erase form as posted: repeated `ids`, so read by hand.
#[derive(Debug, Default)]
struct RequestForm {
    organisation: String,
    search: String,
    ids: Vec<String>,
    confirmed: bool,
}

fn parse_request_form(body: &[u8]) -> RequestForm {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let mut form = RequestForm::default();
    for (key, value) in pairs {
        match key.as_str() {
            "organisatie" => form.organisation = value,
            "zoek" => form.search = value,
            "ids" => form.ids.push(value),
            "bevestigd" => form.confirmed = true,
            _ => {}
        }
    }
    form
}

async fn search(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = parse_request_form(&body);
    let (organisation, organisations) =
        coordinated_organisation(&me.actor, Some(&form.organisation))?;
    let mut page = RequestPage {
        shell,
        organisation: organisation.clone(),
        organisations,
        search: form.search.clone(),
        searched: false,
        found: Vec::new(),
        errors: Vec::new(),
        erased: None,
    };
    let channel = match parse_search(&form.search) {
        Ok(c) => c,
        Err(e) => {
            page.errors.push(e);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let ids = state
        .store
        .referrals_holding_contact(&me.actor, &organisation, &channel, state.now())
        .await?;
    page.found = inzage_of(&state, &me.actor, &organisation, &ids).await?;
    page.searched = true;
    Ok(page.into_response())
}

async fn erase(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = parse_request_form(&body);
    let (organisation, organisations) =
        coordinated_organisation(&me.actor, Some(&form.organisation))?;
    let mut errors = Vec::new();
    if form.ids.is_empty() {
        errors.push(ValidationError::new(
            "ids",
            "Kies de doorverwijzingen waarvan u de gegevens wilt wissen.",
        ));
    }
    if !form.confirmed {
        errors.push(ValidationError::new(
            "bevestigd",
            "Zet een vinkje als de inwoner vraagt om de gegevens te wissen.",
        ));
    }
    if !errors.is_empty() {
        let found = inzage_of(&state, &me.actor, &organisation, &form.ids).await?;
        let page = RequestPage {
            shell,
            organisation,
            organisations,
            search: form.search,
            searched: true,
            found,
            errors,
            erased: None,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let now = state.now();
    let mut erased = 0;
    for id in &form.ids {
        let summary = state.store.referral_summary(&me.actor, id).await?;
        if summary.sender_organisation_id != organisation && summary.organisation_id != organisation
        {
            return Err(AppError::NotFound.into());
        }
        // Erasing twice would only add a second, empty erasure to the timeline.
        if summary.erased_at.is_none() {
            state
                .store
                .erase_referral_contact(&me.actor, id, now)
                .await?;
            erased += 1;
        }
    }
    let query = serde_urlencoded::to_string([
        ("organisatie", organisation),
        ("gewist", erased.to_string()),
    ])
    .unwrap_or_default();
    Ok(Redirect::to(&format!("/doorverwijzingen/avg?{query}")).into_response())
}
