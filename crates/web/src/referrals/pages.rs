//! Referral pages: the form, the inbox, one referral with its steps, and the routing rules page.

use super::api::{RoutingRuleRequest, create_rule, parse_action};
use super::destinations::{self, DestinationChoices, Pick};
use super::{
    area_of, overdue, propose_destination, require_referral_role, require_steering, send_referral,
};
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::help_question::{Agency, DEFAULT_TOPICS, Outcome, topic_offered_in};
use keten_core::opening_hours::Region;
use keten_core::referral::{
    Action, CONSENT_TEXT_VERSION, ConsentMethod, DeclineReason, DigestChoice, Lifecycle, Party,
    PreferredMoment, ReferralInput, ReferralSource, ReferralStatus, available_actions,
    consent_text,
};
use keten_store::Actor;
use keten_store::referral_upkeep::ReferralList;
use keten_store::referrals::{ReferralDetail, ReferralEvent, ReferralSummary};
use keten_store::routing_rules::REFERRAL_ROLES;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/doorverwijzingen", get(inbox_page))
        .route("/doorverwijzingen/nieuw", get(form_page).post(submit_form))
        .route("/doorverwijzingen/meldingen", post(save_digest))
        .route("/doorverwijzingen/{id}", get(detail_page))
        .route("/doorverwijzingen/{id}/stap", post(take_step))
        .route("/verwijsafspraken", get(rules_page).post(add_rule))
        .route("/verwijsafspraken/{id}/verwijderen", post(remove_rule))
}

/// Unix seconds as local Dutch date and time, e.g. `04-03-2026 10:00`.
pub(crate) fn local_time(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| {
            Region::Nl
                .time_zone()
                .to_datetime(t)
                .strftime("%d-%m-%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

pub(super) fn topic_label(code: &str) -> String {
    DEFAULT_TOPICS
        .iter()
        .find(|t| t.code == code)
        .map_or_else(|| code.to_owned(), |t| t.label.to_owned())
}

pub struct Row {
    pub id: String,
    pub topics: String,
    pub pc4: String,
    pub other_side: String,
    pub status: &'static str,
    pub sent: String,
    pub due: String,
    pub overdue: bool,
}

fn row(s: &ReferralSummary, now: i64) -> Row {
    Row {
        id: s.id.clone(),
        topics: s
            .topics
            .iter()
            .map(|t| topic_label(t))
            .collect::<Vec<_>>()
            .join(", "),
        pc4: s.pc4.clone(),
        other_side: match s.party {
            Party::Receiver => s.sender_organisation_name.clone(),
            Party::Sender => s.organisation_name.clone(),
        },
        status: s.status.map_or("Niet te volgen", ReferralStatus::label),
        sent: local_time(s.sent_at),
        due: local_time(s.due_at),
        overdue: overdue(s, now),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_inbox.html")]
struct InboxPage {
    shell: Shell,
    list: &'static str,
    heading: &'static str,
    rows: Vec<Row>,
    counts: Vec<(&'static str, &'static str, i64)>,
    digests: Vec<Choice>,
    page: i64,
    pages: i64,
    previous: Option<String>,
    next: Option<String>,
    /// Keeps help points (may mark them full).
    keeps_points: bool,
    /// Coordinator of an organisation: audit trail and residents' requests.
    coordinates: bool,
}

#[derive(Debug, Default, Deserialize)]
struct InboxQuery {
    #[serde(alias = "status")]
    lijst: Option<String>,
    pagina: Option<String>,
}

/// Referrals per page of the inbox.
const INBOX_PAGE_SIZE: i64 = 25;

/// The inbox lists: code in the address, heading, and the store's list.
const LISTS: [(&str, &str, ReferralList); 4] = [
    ("nieuw", "Nieuw", ReferralList::New),
    ("aangenomen", "Aangenomen", ReferralList::Accepted),
    ("te-laat", "Te laat", ReferralList::Overdue),
    ("verstuurd", "Door ons verstuurd", ReferralList::Sent),
];

async fn inbox_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Query(q): Query<InboxQuery>,
) -> Result<InboxPage, PageError> {
    require_referral_role(&me.actor)?;
    let now = state.now();
    let (list, heading, which) = LISTS
        .iter()
        .find(|l| Some(l.0) == q.lijst.as_deref())
        .copied()
        .unwrap_or(LISTS[0]);
    let totals = state.store.referral_list_counts(&me.actor, now).await?;
    let total = LISTS
        .iter()
        .zip(totals)
        .find(|(l, _)| l.0 == list)
        .map_or(0, |(_, n)| n);
    let pages = ((total + INBOX_PAGE_SIZE - 1) / INBOX_PAGE_SIZE).max(1);
    // A page past the end shows the last one; a page number that is not one shows the first.
    let page = q
        .pagina
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
        .min(pages);
    let chosen = state
        .store
        .referral_list_page(
            &me.actor,
            which,
            now,
            INBOX_PAGE_SIZE,
            (page - 1) * INBOX_PAGE_SIZE,
        )
        .await?;
    let link = |p: i64| format!("/doorverwijzingen?lijst={list}&pagina={p}");
    let digest = state.store.digest_choice(&me.user.id).await?;
    Ok(InboxPage {
        digests: choices(
            DigestChoice::ALL,
            DigestChoice::as_str,
            DigestChoice::label,
            digest.as_str(),
        ),
        keeps_points: me.actor.has_any_role(&[Role::Staff, Role::Coordinator]),
        coordinates: me.actor.has_role(Role::Coordinator),
        shell,
        list,
        heading,
        rows: chosen.iter().map(|s| row(s, now)).collect(),
        counts: LISTS
            .iter()
            .zip(totals)
            .map(|(l, n)| (l.0, l.1, n))
            .collect(),
        page,
        pages,
        previous: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
    })
}

#[derive(Debug, Default, Deserialize)]
struct DigestForm {
    digest: String,
}

async fn save_digest(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    axum::Form(form): axum::Form<DigestForm>,
) -> Result<Redirect, PageError> {
    require_referral_role(&me.actor)?;
    let digest: DigestChoice = form.digest.parse()?;
    state
        .store
        .set_digest_choice(&me.user.id, digest, state.now())
        .await?;
    Ok(Redirect::to("/doorverwijzingen"))
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(super) fn choices<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    selected: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code(*v).to_owned(),
            label: label(*v).to_owned(),
            selected: code(*v) == selected,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_form.html")]
struct FormPage {
    shell: Shell,
    input: FormInput,
    topics: Vec<Choice>,
    agencies: Vec<Choice>,
    moments: Vec<Choice>,
    methods: Vec<Choice>,
    destinations: DestinationChoices,
    /// The organisations the user may send for; a chooser only when there are several.
    senders: Vec<Choice>,
    /// The text to read out, naming the receiver; `None` until a destination is chosen or proposed.
    consent_text: Option<String>,
    /// Which sender and receiver the shown consent text named, sent back with the form.
    consent_for: Option<String>,
    consent_version: &'static str,
    proposal: Option<String>,
    errors: Vec<ValidationError>,
    no_consent: bool,
}

/// The form as typed: kept on errors.
#[derive(Debug, Clone, Default)]
struct FormInput {
    referral: ReferralInput,
    /// A [`Pick`] value, or empty for keten's proposal.
    destination: String,
    /// The organisation sending, for users of several organisations.
    sender: String,
    /// The [`consent_key`] of the consent text the user read out, if any.
    consent_for: String,
}

/// A receiver outside the sender's chains.
const NOT_A_RECEIVER: &str =
    "Naar deze organisatie kunt u niet doorverwijzen. Kies een organisatie uit de lijst.";

/// Names the sender and receiver a consent text was read out for: consent counts only for those two.
fn consent_key(sender: &str, destination: &str) -> String {
    format!("{sender}|{destination}")
}

fn parse_form(body: &[u8]) -> (FormInput, bool) {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let mut input = FormInput::default();
    let mut propose_only = false;
    for (key, value) in pairs {
        let r = &mut input.referral;
        match key.as_str() {
            "topics" => r.topics.push(value),
            "agency" => r.agency = Some(value),
            "reason" => r.reason = value,
            "resident_name" => r.resident_name = value,
            "phone" => r.phone = Some(value),
            "email" => r.email = Some(value),
            "preferred_moment" => r.preferred_moment = Some(value),
            "pc4" => r.pc4 = value,
            "consent_given" => r.consent_given = true,
            "consent_method" => r.consent_method = Some(value),
            "consent_text_version" => r.consent_text_version = Some(value),
            "sender_sees_progress" => r.sender_sees_progress = true,
            "destination" => input.destination = value,
            "sender_organisation_id" => input.sender = value,
            "consent_for" => input.consent_for = value,
            "stap" => propose_only = value == "voorstel",
            _ => {}
        }
    }
    (input, propose_only)
}

async fn form_view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    input: FormInput,
) -> Result<FormPage, AppError> {
    let r = &input.referral;
    // Another country's services (itsme for a Dutch chain, DigiD for a Flemish one) are left out.
    let mut countries = Vec::new();
    for m in actor
        .memberships
        .iter()
        .filter(|m| REFERRAL_ROLES.contains(&m.role))
    {
        let organisation = state.store.organisation(actor, &m.organisation_id).await?;
        if let Some(place) = keten_core::reference::municipality(&organisation.municipality_code) {
            countries.push(place.country);
        }
    }
    let offered =
        |code: &str| countries.is_empty() || countries.iter().any(|c| topic_offered_in(code, *c));
    let topics = DEFAULT_TOPICS
        .iter()
        .filter(|t| t.parent.is_some() && offered(t.code))
        .map(|t| Choice {
            value: t.code.to_owned(),
            label: t.label.to_owned(),
            selected: r.topics.iter().any(|c| c == t.code),
        })
        .collect();
    let mut senders: Vec<Choice> = Vec::new();
    for m in actor
        .memberships
        .iter()
        .filter(|m| REFERRAL_ROLES.contains(&m.role))
    {
        if !senders.iter().any(|c| c.value == m.organisation_id) {
            senders.push(Choice {
                selected: m.organisation_id == input.sender,
                value: m.organisation_id.clone(),
                label: m.organisation_name.clone(),
            });
        }
    }
    let (sender_id, sender) = senders
        .iter()
        .find(|c| c.selected)
        .or(senders.first())
        .map(|c| (c.value.clone(), c.label.clone()))
        .unwrap_or_default();
    // A referral goes to another organisation: the sender's own is not offered (with one sending organisation).
    let own: Vec<String> = match senders.as_slice() {
        [only] => vec![only.value.clone()],
        _ => Vec::new(),
    };
    let destinations = destinations::choices(state, actor, &input.destination, &own).await?;
    // Consent is given for one receiver: the text is shown once a destination is chosen or proposed.
    let receiver = destinations::receiver_name(state, &input.destination).await?;
    Ok(FormPage {
        topics,
        agencies: choices(
            Agency::ALL,
            Agency::as_str,
            Agency::label,
            r.agency.as_deref().unwrap_or(""),
        ),
        moments: choices(
            PreferredMoment::ALL,
            PreferredMoment::as_str,
            PreferredMoment::label,
            r.preferred_moment.as_deref().unwrap_or("any"),
        ),
        methods: choices(
            ConsentMethod::ALL,
            ConsentMethod::as_str,
            ConsentMethod::label,
            r.consent_method.as_deref().unwrap_or(""),
        ),
        destinations,
        senders,
        consent_text: receiver.as_deref().map(|r| consent_text(&sender, r)),
        consent_for: receiver
            .as_ref()
            .map(|_| consent_key(&sender_id, &input.destination)),
        consent_version: CONSENT_TEXT_VERSION,
        proposal: None,
        errors: Vec::new(),
        no_consent: false,
        shell,
        input,
    })
}

async fn form_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
) -> Result<FormPage, PageError> {
    require_referral_role(&me.actor)?;
    Ok(form_view(&state, shell, &me.actor, FormInput::default()).await?)
}

async fn submit_form(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    body: Bytes,
) -> Result<Response, PageError> {
    require_referral_role(&me.actor)?;
    let (mut input, propose_only) = parse_form(&body);
    // Consent names one receiver: sending without a chosen one first shows keten's proposal and the text to read.
    let unnamed = !propose_only && input.destination.trim().is_empty();
    if propose_only && Pick::parse(&input.destination).is_some() {
        // A destination is chosen already: keep it and show the consent text that names it.
        return Ok(form_view(&state, shell, &me.actor, input)
            .await?
            .into_response());
    }
    if propose_only || unnamed {
        // Show keten's proposal and preselect it; the sender may pick another.
        let topic = input.referral.topics.first().cloned().unwrap_or_default();
        let mut errors = Vec::new();
        let mut proposal = None;
        match area_of(input.referral.pc4.trim()) {
            Ok(area) => {
                let agency = input
                    .referral
                    .agency
                    .as_deref()
                    .and_then(|a| a.parse::<Agency>().ok());
                let sender = super::sending_organisation(&me.actor, Some(&input.sender)).ok();
                match propose_destination(&state, &topic, agency, &area).await? {
                    // The rules send it to the sender itself (a bank's own customers): say so, propose nothing.
                    Some(p) if sender.as_deref() == Some(p.organisation_id.as_str()) => {
                        errors.push(ValidationError::new(
                            "destination",
                            super::OWN_ORGANISATION_HELPS,
                        ));
                    }
                    Some(p) => {
                        input.destination = Pick::of_proposal(&p).value();
                        proposal = Some(p.why.to_owned());
                    }
                    None => errors.push(ValidationError::new("destination", "Wij vonden geen organisatie voor dit onderwerp. Kies zelf een organisatie.")),
                }
            }
            Err(AppError::Validation(e)) => errors.extend(e),
            Err(e) => return Err(e.into()),
        }
        if unnamed && let Err(others) = input.referral.parse() {
            // Everything else that is missing, in one go.
            errors.extend(others);
        }
        let no_consent = errors.iter().any(|e| e.field == "consent");
        if unnamed && !no_consent && !errors.iter().any(|e| e.field == "destination") {
            errors.push(ValidationError::new(
                "consent",
                "Nog niet verstuurd. Keten stelt hieronder een organisatie voor. Lees de inwoner de toestemming voor met die naam. Is de inwoner het eens? Verstuur dan opnieuw.",
            ));
            input.referral.consent_given = false;
        }
        let status = if unnamed {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        let mut page = form_view(&state, shell, &me.actor, input).await?;
        page.proposal = proposal;
        page.errors = errors;
        page.no_consent = unnamed && no_consent;
        return Ok((status, page).into_response());
    }
    let chosen = match Pick::parse(&input.destination) {
        Some(pick) => match pick.to_input(&state.store.directory().await?) {
            Ok(c) => Some(c),
            Err(AppError::Validation(mut errors)) => {
                // Say what else is wrong too, so the sender fixes everything in one go.
                if let Err(others) = input.referral.parse() {
                    errors.extend(others);
                }
                let no_consent = errors.iter().any(|e| e.field == "consent");
                let mut page = form_view(&state, shell, &me.actor, input).await?;
                page.errors = errors;
                page.no_consent = no_consent;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    // Consent counts for the receiver it named: a receiver picked without reading its name out is not sent yet.
    if let Some(c) = &chosen {
        let sender = super::sending_organisation(&me.actor, Some(&input.sender))?;
        if input.consent_for != consent_key(&sender, &input.destination) {
            let mut errors = input.referral.parse().err().unwrap_or_default();
            errors.retain(|e| e.field != "consent");
            // A receiver the sender may not use is said first: no consent text is read out for it.
            let in_chain = state
                .store
                .organisations(&me.actor)
                .await?
                .iter()
                .any(|o| o.id == c.organisation_id);
            let usable = match super::refuse_self_referral(&sender, &c.organisation_id) {
                Ok(()) if !in_chain => Err(AppError::NotFound),
                Ok(()) => destinations::check(&state, c).await.map(|_| ()),
                Err(e) => Err(e),
            };
            match usable {
                Ok(()) => {
                    errors.push(ValidationError::new(
                        "consent",
                        "Nog niet verstuurd. Hieronder staat nu de tekst voor toestemming, met de naam van de organisatie die u koos. Lees die de inwoner voor. Is de inwoner het eens? Verstuur dan opnieuw.",
                    ));
                    input.referral.consent_given = false;
                }
                Err(AppError::NotFound) => {
                    errors.push(ValidationError::new("destination", NOT_A_RECEIVER))
                }
                Err(AppError::Validation(e)) => errors.extend(e),
                Err(e) => return Err(e.into()),
            }
            let mut page = form_view(&state, shell, &me.actor, input).await?;
            page.errors = errors;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    }
    match send_referral(
        &state,
        &me.actor,
        Some(&input.sender),
        &input.referral,
        chosen.as_ref(),
        ReferralSource::Organisation,
    )
    .await
    {
        Ok(sent) => {
            Ok(Redirect::to(&format!("/doorverwijzingen/{}?verstuurd=1", sent.id)).into_response())
        }
        // A chosen organisation outside the sender's chains is the store's "not found": on the form, a field error.
        Err(AppError::NotFound) if chosen.is_some() => {
            let mut page = form_view(&state, shell, &me.actor, input).await?;
            page.errors = vec![ValidationError::new("destination", NOT_A_RECEIVER)];
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(AppError::Validation(errors)) => {
            let no_consent = errors.iter().any(|e| e.field == "consent");
            let mut page = form_view(&state, shell, &me.actor, input).await?;
            page.errors = errors;
            page.no_consent = no_consent;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub struct EventRow {
    pub at: String,
    pub what: String,
    pub by: String,
}

pub struct ActionButton {
    pub action: &'static str,
    pub label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_detail.html")]
struct DetailPage {
    shell: Shell,
    id: String,
    row: Row,
    detail: ReferralDetail,
    moment: &'static str,
    events: Vec<EventRow>,
    buttons: Vec<ActionButton>,
    can_decline: bool,
    can_complete: bool,
    can_attempt: bool,
    reasons: Vec<Choice>,
    outcomes: Vec<Choice>,
    just_sent: bool,
    /// What the step just taken did, in a sentence.
    done: Option<&'static str>,
    /// The deadline to accept matters only until the referral is accepted.
    awaits_acceptance: bool,
    /// After the first contact, further attempts are a side path.
    contacted: bool,
    errors: Vec<ValidationError>,
    erased: String,
    /// The sender may send a declined referral elsewhere.
    can_reroute: bool,
}

#[derive(Debug, Default, Deserialize)]
struct DetailQuery {
    verstuurd: Option<String>,
    /// The step just taken (its action code), for the confirmation.
    gedaan: Option<String>,
}

/// The confirmation after a step on the referral page.
fn done_message(action: &str) -> Option<&'static str> {
    Some(match action {
        "accept" => "U heeft de doorverwijzing aangenomen. Neem contact op met de inwoner.",
        "decline" => "U heeft de doorverwijzing afgewezen. De verzender ziet dat.",
        "reached" => "Vastgelegd: u heeft de inwoner gesproken.",
        "not_reached" => "Vastgelegd: u kon de inwoner niet bereiken.",
        "mark_not_reached" => "Gestopt: de inwoner was niet te bereiken.",
        "complete" => "De doorverwijzing is afgerond.",
        "withdraw" => "De toestemming is ingetrokken. De gegevens van de inwoner zijn gewist.",
        _ => return None,
    })
}

pub(super) fn event_text(e: &ReferralEvent) -> String {
    let (reason, outcome, to) = (e.decline_reason, e.outcome, e.to_status);
    let base = match e.action.as_str() {
        "send" => "Verstuurd".to_owned(),
        "open" => "Geopend".to_owned(),
        "accept" => "Aangenomen".to_owned(),
        "decline" => "Afgewezen".to_owned(),
        "contact_attempt" if to == ReferralStatus::Contacted => "Contact gehad".to_owned(),
        "contact_attempt" => "Gebeld of gemaild, niet bereikt".to_owned(),
        "mark_not_reached" => "Niet bereikt, gestopt".to_owned(),
        "complete" => "Afgerond".to_owned(),
        "withdraw" => "Toestemming ingetrokken, gegevens gewist".to_owned(),
        "reroute" => match &e.to_organisation_name {
            Some(name) => format!("Opnieuw verstuurd naar {name}"),
            None => "Opnieuw verstuurd".to_owned(),
        },
        "erase" => "Gegevens van de inwoner gewist".to_owned(),
        other => other.to_owned(),
    };
    match (reason, outcome) {
        (Some(r), _) => format!("{base}: {}", r.label()),
        (_, Some(o)) => format!("{base}: {}", o.label()),
        _ => base,
    }
}

async fn detail_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Result<DetailPage, PageError> {
    let mut page = detail_view(&state, shell, &me.actor, id).await?;
    page.just_sent = q.verstuurd.is_some();
    page.done = q.gedaan.as_deref().and_then(done_message);
    Ok(page)
}

async fn detail_view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: String,
) -> Result<DetailPage, AppError> {
    let now = state.now();
    // The receiver opening a new referral marks it received: the sender sees that it arrived.
    let first = state.store.referral_summary(actor, &id).await?;
    if first.party == Party::Receiver && first.status == Some(ReferralStatus::Sent) {
        super::take_step(state, actor, &id, &Action::Open).await?;
    }
    let detail = state.store.referral(actor, &id, now).await?;
    let s = &detail.summary;
    let settings = state.store.referral_settings(&s.municipality_code).await?;
    let actions = match s.status {
        Some(status) => available_actions(
            Lifecycle {
                status,
                failed_attempts: s.failed_attempts,
            },
            s.party,
            settings.not_reached_after,
        ),
        // A sender that may not follow progress can still pass on that the resident withdrew consent; the store
        // refuses it, without naming the status, once the referral has closed.
        None if s.erased_at.is_none() => vec![Action::Withdraw],
        None => Vec::new(),
    };
    let mut buttons = Vec::new();
    for a in &actions {
        let button = match a {
            Action::Open => None,
            Action::Accept => Some(ActionButton {
                action: "accept",
                label: "Aannemen",
            }),
            Action::MarkNotReached => Some(ActionButton {
                action: "mark_not_reached",
                label: "Niet bereikt: stoppen",
            }),
            Action::Withdraw => Some(ActionButton {
                action: "withdraw",
                label: "De inwoner trekt toestemming in",
            }),
            _ => None,
        };
        if let Some(b) = button
            && !buttons.iter().any(|x: &ActionButton| x.action == b.action)
        {
            buttons.push(b);
        }
    }
    let events = detail
        .events
        .iter()
        .map(|e| EventRow {
            at: local_time(e.at),
            what: event_text(e),
            by: e.actor_organisation_name.clone().unwrap_or_default(),
        })
        .collect();
    Ok(DetailPage {
        shell,
        row: row(s, now),
        moment: detail
            .contact
            .as_ref()
            .map_or("", |c| c.preferred_moment.label()),
        can_decline: actions.iter().any(|a| matches!(a, Action::Decline(_))),
        can_complete: actions.iter().any(|a| matches!(a, Action::Complete(_))),
        can_attempt: actions
            .iter()
            .any(|a| matches!(a, Action::ContactAttempt { .. })),
        reasons: choices(
            DeclineReason::ALL,
            DeclineReason::as_str,
            DeclineReason::label,
            "",
        ),
        outcomes: choices(Outcome::ALL, Outcome::as_str, Outcome::label, ""),
        just_sent: false,
        done: None,
        awaits_acceptance: s.status.is_some_and(ReferralStatus::awaits_acceptance),
        contacted: s.status == Some(ReferralStatus::Contacted),
        errors: Vec::new(),
        can_reroute: s.status == Some(ReferralStatus::Declined)
            && actor.refers_for(&s.sender_organisation_id)
            && s.erased_at.is_none(),
        erased: s.erased_at.map(local_time).unwrap_or_default(),
        buttons,
        events,
        id,
        detail,
    })
}

#[derive(Debug, Default, Deserialize)]
struct StepForm {
    action: String,
    decline_reason: Option<String>,
    outcome: Option<String>,
    reached: Option<String>,
}

async fn take_step(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<StepForm>,
) -> Result<Response, PageError> {
    let parsed = step_of(&form);
    let taken = match parsed {
        Ok(action) => super::take_step(&state, &me.actor, &id, &action)
            .await
            .map(|_| action),
        Err(e) => Err(e),
    };
    match taken {
        Ok(action) => {
            let done = match action {
                Action::ContactAttempt { reached: true } => "reached",
                Action::ContactAttempt { reached: false } => "not_reached",
                other => other.code(),
            };
            Ok(Redirect::to(&format!("/doorverwijzingen/{id}?gedaan={done}")).into_response())
        }
        // A step without its choice (no outcome, no reason): the page again, with the message at the form.
        Err(AppError::Validation(errors)) => {
            let mut page = detail_view(&state, shell, &me.actor, id).await?;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn step_of(form: &StepForm) -> Result<Action, AppError> {
    let reason = form
        .decline_reason
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(str::parse::<DeclineReason>)
        .transpose()?;
    let outcome = form
        .outcome
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(str::parse::<Outcome>)
        .transpose()?;
    let reached = form.reached.as_deref().map(|r| r == "ja");
    parse_action(&form.action, reason, outcome, reached)
}

pub struct RuleRow {
    pub id: String,
    pub topic: String,
    pub agency: String,
    pub priority: i64,
    pub destination: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_rules.html")]
struct RulesPage {
    shell: Shell,
    municipality: String,
    municipalities: Vec<Choice>,
    rules: Vec<RuleRow>,
    topics: Vec<Choice>,
    agencies: Vec<Choice>,
    organisations: Vec<Choice>,
    help_points: Vec<Choice>,
    consultation_hours: Vec<Choice>,
    /// The new rule as typed: kept on errors.
    form: RuleForm,
    errors: Vec<ValidationError>,
}

#[derive(Debug, Default, Deserialize)]
struct RulesQuery {
    gemeente: Option<String>,
}

async fn rules_view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    municipality: Option<String>,
    form: RuleForm,
) -> Result<RulesPage, AppError> {
    require_steering(actor)?;
    let municipality = municipality
        .filter(|m| actor.is_admin() || actor.steering_municipalities.contains(m))
        .or_else(|| actor.steering_municipalities.first().cloned())
        .ok_or(AppError::Forbidden)?;
    let rules = state.store.routing_rules(&municipality).await?;
    let organisations = state.store.organisations(actor).await?;
    let directory = state.store.directory().await?;
    Ok(RulesPage {
        municipalities: actor
            .steering_municipalities
            .iter()
            .map(|m| Choice {
                value: m.clone(),
                label: keten_core::reference::municipality(m)
                    .map_or_else(|| m.clone(), |x| x.name.clone()),
                selected: *m == municipality,
            })
            .collect(),
        rules: rules
            .into_iter()
            .map(|r| RuleRow {
                topic: topic_label(&r.rule.topic_code),
                agency: r
                    .rule
                    .agency
                    .map_or_else(|| "Alle".to_owned(), |a| a.label().to_owned()),
                priority: r.rule.priority,
                destination: match (r.help_point_name, r.consultation_hour_title) {
                    (Some(h), _) => format!("{} ({h})", r.organisation_name),
                    (_, Some(c)) => format!("{} ({c})", r.organisation_name),
                    _ => r.organisation_name,
                },
                id: r.rule.id,
            })
            .collect(),
        topics: DEFAULT_TOPICS
            .iter()
            .map(|t| Choice {
                value: t.code.into(),
                label: t.label.into(),
                selected: t.code == form.topic,
            })
            .collect(),
        agencies: choices(
            Agency::ALL,
            Agency::as_str,
            Agency::label,
            form.agency.as_deref().unwrap_or(""),
        ),
        organisations: organisations
            .into_iter()
            .map(|o| Choice {
                selected: o.id == form.organisation_id,
                value: o.id,
                label: o.name,
            })
            .collect(),
        consultation_hours: directory
            .consultation_hours
            .iter()
            .filter_map(|c| {
                let point = directory
                    .help_points
                    .iter()
                    .find(|h| h.id == c.help_point_id)?;
                (point.municipality_code == municipality).then(|| Choice {
                    selected: form.consultation_hour_id.as_deref() == Some(c.id.as_str()),
                    value: c.id.clone(),
                    label: format!("{} ({}, {})", c.title, c.organisation_name, point.name),
                })
            })
            .collect(),
        help_points: directory
            .help_points
            .into_iter()
            .filter(|h| h.municipality_code == municipality)
            .map(|h| Choice {
                selected: form.help_point_id.as_deref() == Some(h.id.as_str()),
                value: h.id,
                label: format!("{} ({})", h.name, h.organisation_name),
            })
            .collect(),
        municipality,
        form,
        errors: Vec::new(),
        shell,
    })
}

async fn rules_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Query(q): Query<RulesQuery>,
) -> Result<RulesPage, PageError> {
    let form = RuleForm {
        priority: Some("1".into()),
        ..RuleForm::default()
    };
    Ok(rules_view(&state, shell, &me.actor, q.gemeente, form).await?)
}

#[derive(Debug, Clone, Default, Deserialize)]
struct RuleForm {
    municipality_code: String,
    topic: String,
    agency: Option<String>,
    priority: Option<String>,
    organisation_id: String,
    help_point_id: Option<String>,
    consultation_hour_id: Option<String>,
}

fn chosen(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

async fn add_rule(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    axum::Form(form): axum::Form<RuleForm>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let agency = chosen(&form.agency).and_then(|a| {
        a.parse::<Agency>()
            .map_err(|_| {
                errors.push(ValidationError::new(
                    "agency",
                    "Kies een instantie uit de lijst.",
                ))
            })
            .ok()
    });
    let priority = chosen(&form.priority).and_then(|p| {
        p.parse::<i64>()
            .map_err(|_| {
                errors.push(ValidationError::new(
                    "priority",
                    "Vul een getal in van 1 tot en met 99.",
                ))
            })
            .ok()
    });
    let outcome = if errors.is_empty() {
        let request = RoutingRuleRequest {
            municipality_code: form.municipality_code.clone(),
            topic: form.topic.clone(),
            agency,
            priority,
            organisation_id: form.organisation_id.clone(),
            help_point_id: chosen(&form.help_point_id),
            consultation_hour_id: chosen(&form.consultation_hour_id),
        };
        create_rule(&state, &me.actor, &request).await.map(|_| ())
    } else {
        Err(AppError::Validation(errors))
    };
    match outcome {
        Ok(()) => {
            let query = serde_urlencoded::to_string([("gemeente", &form.municipality_code)])
                .unwrap_or_default();
            Ok(Redirect::to(&format!("/verwijsafspraken?{query}")).into_response())
        }
        Err(AppError::Validation(errors)) => {
            let municipality = Some(form.municipality_code.clone());
            let mut page = rules_view(&state, shell, &me.actor, municipality, form).await?;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_rule(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<Redirect, PageError> {
    require_steering(&me.actor)?;
    state.store.delete_routing_rule(&me.actor, &id).await?;
    Ok(Redirect::to("/verwijsafspraken"))
}
