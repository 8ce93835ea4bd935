//! Data offers (social internet) over HTTP: the page `/apparaten/data-aanbod`, the API `/api/v1/data-offers`, the
//! pairing of an offer with a device at hand-out, the bank's loan settings, and the loan reminder mails.

use super::api::today;
use super::{require_bank_role, require_donor_role};
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{ApiError, AppError, PageError};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::civil::Date;
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::data_offer::{DataOfferDraft, DataOfferKind, summary_nl};
use keten_core::programme::EuroCents;
use keten_store::Actor;
use keten_store::data_offers::{DataOffer, LoanSettings, NewDataOffer};
use keten_store::devices::DONOR_ROLES;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new().route("/apparaten/data-aanbod", get(offers_page).post(save_offer))
}

/// An offer as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataOfferResponse {
    pub id: String,
    pub municipality_code: String,
    pub organisation_id: String,
    pub organisation: String,
    /// Where residents get it; absent: at the organisation.
    pub help_point_id: Option<String>,
    pub help_point: Option<String>,
    pub kind: DataOfferKind,
    pub provider: String,
    /// Absent: unlimited.
    pub gb_per_month: Option<i64>,
    /// Absent: no end while the resident qualifies.
    pub months: Option<i64>,
    /// Euro cents per month; 0 is free.
    pub price_cents: i64,
    pub conditions: String,
    pub how_to_get: String,
    /// `YYYY-MM-DD`.
    pub active_from: String,
    pub active_until: Option<String>,
    /// Set when the offer was ended by hand.
    pub ended_at: Option<i64>,
    /// On offer today.
    pub active: bool,
    /// In plain Dutch: "10 GB per maand, 6 maanden, gratis".
    pub summary: String,
}

impl DataOfferResponse {
    pub(crate) fn of(o: DataOffer, today: Date) -> Self {
        Self {
            active: o.active_on(today),
            summary: summary_nl(o.gb(), o.month_count(), o.price_cents),
            kind: o.kind(),
            id: o.id,
            municipality_code: o.municipality_code,
            organisation_id: o.organisation_id,
            organisation: o.organisation_name,
            help_point_id: o.help_point_id,
            help_point: o.help_point_name,
            provider: o.provider,
            gb_per_month: o.gb_per_month,
            months: o.months,
            price_cents: o.price_cents,
            conditions: o.conditions,
            how_to_get: o.how_to_get,
            active_from: o.active_from,
            active_until: o.active_until,
            ended_at: o.ended_at,
        }
    }
}

/// An offer to record or to replace.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DataOfferBody {
    /// Municipality code (`GM0599`) where the offer holds.
    pub municipality_code: String,
    /// The offering organisation (the caller's); default the caller's first organisation that may offer.
    #[serde(default)]
    pub organisation_id: Option<String>,
    #[serde(default)]
    pub help_point_id: Option<String>,
    pub kind: DataOfferKind,
    pub provider: String,
    #[serde(default)]
    pub gb_per_month: Option<u32>,
    #[serde(default)]
    pub months: Option<u32>,
    /// Euro cents per month; 0 is free.
    pub price_cents: i64,
    pub conditions: String,
    pub how_to_get: String,
    /// `YYYY-MM-DD`; default today.
    #[serde(default)]
    pub active_from: Option<String>,
    /// `YYYY-MM-DD`; absent: no last day.
    #[serde(default)]
    pub active_until: Option<String>,
}

fn parse_day(field: &'static str, text: Option<&str>) -> Result<Option<Date>, ValidationError> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(t) => t.parse::<Date>().map(Some).map_err(|_| {
            ValidationError::new(
                field,
                "Vul de datum in als jjjj-mm-dd, bijvoorbeeld 2026-03-02.",
            )
        }),
    }
}

/// The offering organisation: the one named (the actor must be allowed to offer there), or its first.
fn offering_organisation(actor: &Actor, named: Option<&str>) -> Result<String, AppError> {
    let mut allowed = actor
        .memberships
        .iter()
        .filter(|m| DONOR_ROLES.contains(&m.role) || m.role == Role::Admin)
        .map(|m| m.organisation_id.clone());
    match named.map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) if actor.is_admin() => Ok(id.to_owned()),
        Some(id) => allowed.find(|o| o == id).ok_or_else(|| {
            AppError::Validation(vec![ValidationError::new(
                "organisation_id",
                "U kunt alleen aanbod vastleggen voor uw eigen organisatie.",
            )])
        }),
        None => allowed.next().ok_or(AppError::Forbidden),
    }
}

impl DataOfferBody {
    fn into_new(self, actor: &Actor, today: Date) -> Result<NewDataOffer, AppError> {
        let from = parse_day("active_from", self.active_from.as_deref());
        let until = parse_day("active_until", self.active_until.as_deref());
        let (from, until) = match (from, until) {
            (Ok(f), Ok(u)) => (f.unwrap_or(today), u),
            (f, u) => {
                return Err(AppError::Validation(
                    f.err().into_iter().chain(u.err()).collect(),
                ));
            }
        };
        Ok(NewDataOffer {
            municipality_code: self.municipality_code.trim().to_owned(),
            organisation_id: offering_organisation(actor, self.organisation_id.as_deref())?,
            help_point_id: self
                .help_point_id
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty()),
            draft: DataOfferDraft {
                kind: self.kind,
                provider: self.provider,
                gb_per_month: self.gb_per_month,
                months: self.months,
                price_cents: self.price_cents,
                conditions: self.conditions,
                how_to_get: self.how_to_get,
                active_from: from,
                active_until: until,
            },
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DataOfferQuery {
    /// Only this municipality.
    pub municipality: Option<String>,
    /// Also offers ended by hand.
    #[serde(default)]
    pub include_ended: bool,
}

/// The data offers in the caller's chains, newest first.
#[utoipa::path(get, path = "/api/v1/data-offers", tag = "devices", params(DataOfferQuery),
    responses((status = 200, body = Vec<DataOfferResponse>), (status = 401, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_data_offers(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<DataOfferQuery>,
) -> Result<Json<Vec<DataOfferResponse>>, ApiError> {
    let day = today(&state);
    let offers = state
        .store
        .data_offers(&actor, q.municipality.as_deref(), q.include_ended)
        .await?;
    Ok(Json(
        offers
            .into_iter()
            .map(|o| DataOfferResponse::of(o, day))
            .collect(),
    ))
}

/// Records a data offer of the caller's organisation (partner, staff, coordinator or steering members) (201).
#[utoipa::path(post, path = "/api/v1/data-offers", tag = "devices", request_body = DataOfferBody,
    responses((status = 201, body = DataOfferResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_data_offer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    // The body is judged after the role.
    body: Result<ApiJson<DataOfferBody>, ApiError>,
) -> Result<Response, ApiError> {
    require_donor_role(&actor)?;
    let ApiJson(body) = body?;
    let day = today(&state);
    let new = body.into_new(&actor, day)?;
    let offer = state
        .store
        .create_data_offer(&actor, &new, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(DataOfferResponse::of(offer, day))).into_response())
}

/// One data offer in the caller's chains.
#[utoipa::path(get, path = "/api/v1/data-offers/{id}", tag = "devices",
    params(("id" = String, Path, description = "Offer id")),
    responses((status = 200, body = DataOfferResponse), (status = 401, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_data_offer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<DataOfferResponse>, ApiError> {
    let offer = state.store.data_offer(&actor, &id).await?;
    Ok(Json(DataOfferResponse::of(offer, today(&state))))
}

/// Replaces an offer of the caller's organisation (an ended offer or another organisation's: 404).
#[utoipa::path(put, path = "/api/v1/data-offers/{id}", tag = "devices", request_body = DataOfferBody,
    params(("id" = String, Path, description = "Offer id")),
    responses((status = 200, body = DataOfferResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn update_data_offer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<DataOfferBody>, ApiError>,
) -> Result<Json<DataOfferResponse>, ApiError> {
    require_donor_role(&actor)?;
    let ApiJson(mut body) = body?;
    let day = today(&state);
    // The organisation stays the offer's own; the store checks that it is the caller's.
    body.organisation_id = None;
    let new = body.into_new(&actor, day)?;
    let offer = state
        .store
        .update_data_offer(&actor, &id, &new, state.now())
        .await?;
    Ok(Json(DataOfferResponse::of(offer, day)))
}

/// Ends an offer of the caller's organisation now; it stays readable.
#[utoipa::path(delete, path = "/api/v1/data-offers/{id}", tag = "devices",
    params(("id" = String, Path, description = "Offer id")),
    responses((status = 200, body = DataOfferResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn end_data_offer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<DataOfferResponse>, ApiError> {
    require_donor_role(&actor)?;
    let offer = state.store.end_data_offer(&actor, &id, state.now()).await?;
    Ok(Json(DataOfferResponse::of(offer, today(&state))))
}

/// The offer to pair with a request's device; absent or null removes the pairing.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PairingBody {
    #[serde(default)]
    pub data_offer_id: Option<String>,
}

/// Pairs a data offer with the device of a reserved or handed-out request (the bank's staff).
#[utoipa::path(put, path = "/api/v1/device-requests/{id}/data-offer", tag = "devices", request_body = PairingBody,
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, body = Option<DataOfferResponse>), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn pair_data_offer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<PairingBody>, ApiError>,
) -> Result<Json<Option<DataOfferResponse>>, ApiError> {
    require_bank_role(&actor)?;
    let ApiJson(body) = body?;
    let day = today(&state);
    let offer = body
        .data_offer_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    state
        .store
        .pair_data_offer(&actor, &id, offer, day, state.now())
        .await?;
    let paired = state.store.paired_data_offer(&id).await?;
    Ok(Json(paired.map(|o| DataOfferResponse::of(o, day))))
}

/// The device bank's loan terms for a municipality.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct LoanSettingsBody {
    /// Default deposit offered at hand-out, euro cents.
    pub deposit_cents: i64,
    /// Default loan period offered at hand-out, 1 to 120 months.
    pub months: i64,
    /// Days before the due date that the reminder is mailed (0 to 365).
    pub remind_days: i64,
    /// Whether a late return still gets the deposit back.
    pub refund_late_returns: bool,
}

impl From<LoanSettings> for LoanSettingsBody {
    fn from(s: LoanSettings) -> Self {
        Self {
            deposit_cents: s.deposit_cents,
            months: s.months,
            remind_days: s.remind_days,
            refund_late_returns: s.refund_late_returns,
        }
    }
}

fn require_loan_settings_role(actor: &Actor) -> Result<(), AppError> {
    if actor.is_admin() || actor.has_any_role(&[Role::Staff, Role::Coordinator, Role::Steering]) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The loan terms of the municipality's device bank (its staff, the municipality's steering).
#[utoipa::path(get, path = "/api/v1/device-bank/{code}/loans", tag = "devices",
    params(("code" = String, Path, description = "Municipality code")),
    responses((status = 200, body = LoanSettingsBody), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_loan_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(code): Path<String>,
) -> Result<Json<LoanSettingsBody>, ApiError> {
    require_loan_settings_role(&actor)?;
    Ok(Json(state.store.loan_settings(&actor, &code).await?.into()))
}

/// Sets the loan terms; running loans keep theirs.
#[utoipa::path(put, path = "/api/v1/device-bank/{code}/loans", tag = "devices", request_body = LoanSettingsBody,
    params(("code" = String, Path, description = "Municipality code")),
    responses((status = 200, body = LoanSettingsBody), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_loan_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(code): Path<String>,
    body: Result<ApiJson<LoanSettingsBody>, ApiError>,
) -> Result<Json<LoanSettingsBody>, ApiError> {
    require_loan_settings_role(&actor)?;
    let ApiJson(b) = body?;
    let saved = state
        .store
        .set_loan_settings(
            &actor,
            &code,
            LoanSettings {
                deposit_cents: b.deposit_cents,
                months: b.months,
                remind_days: b.remind_days,
                refund_late_returns: b.refund_late_returns,
            },
        )
        .await?;
    Ok(Json(saved.into()))
}

// ---------------------------------------------------------------- the page

/// The form as typed, kept when it comes back with errors.
#[derive(Debug, Default, Deserialize)]
struct OfferForm {
    #[serde(default)]
    municipality_code: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    help_point_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    gb_per_month: String,
    #[serde(default)]
    months: String,
    #[serde(default)]
    price: String,
    #[serde(default)]
    conditions: String,
    #[serde(default)]
    how_to_get: String,
    #[serde(default)]
    active_from: String,
    #[serde(default)]
    active_until: String,
}

pub struct OfferLine {
    pub provider: String,
    pub kind: String,
    pub summary: String,
    pub organisation: String,
    pub place: String,
    pub active: bool,
}

pub struct Choice {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "data_offers.html")]
struct OffersPage {
    shell: Shell,
    offers: Vec<OfferLine>,
    may_offer: bool,
    municipalities: Vec<Choice>,
    organisations: Vec<Choice>,
    /// The offering organisations' help points, where residents could get the offer.
    help_points: Vec<Choice>,
    kinds: Vec<Choice>,
    form: OfferForm,
    errors: Vec<ValidationError>,
}

impl OffersPage {
    fn error_at(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }
}

fn optional_number(
    field: &'static str,
    text: &str,
    message: &str,
) -> Result<Option<u32>, ValidationError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<u32>()
        .map(Some)
        .map_err(|_| ValidationError::new(field, message))
}

fn parse_form(form: &OfferForm) -> Result<DataOfferBody, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let kind = form.kind.parse::<DataOfferKind>().map_err(|_| {
        ValidationError::new(
            "kind",
            "Kies wat u aanbiedt: simkaart, tegoedbon, sociaal tarief of wifi thuis.",
        )
    });
    let gb = optional_number(
        "gb_per_month",
        &form.gb_per_month,
        "Vul het aantal GB per maand in als heel getal, of laat het leeg bij onbeperkt.",
    );
    let months = optional_number(
        "months",
        &form.months,
        "Vul de duur in hele maanden in, of laat het leeg als het niet stopt.",
    );
    let price = if form.price.trim().is_empty() {
        Ok(0)
    } else {
        EuroCents::parse("price", &form.price).map(|c| c.0)
    };
    if form.municipality_code.trim().is_empty() {
        errors.push(ValidationError::new(
            "municipality_code",
            "Kies de gemeente waar het aanbod geldt.",
        ));
    }
    match (kind, gb, months, price) {
        (Ok(kind), Ok(gb), Ok(months), Ok(price)) if errors.is_empty() => Ok(DataOfferBody {
            municipality_code: form.municipality_code.clone(),
            organisation_id: Some(form.organisation_id.clone()),
            help_point_id: Some(form.help_point_id.clone()),
            kind,
            provider: form.provider.clone(),
            gb_per_month: gb,
            months,
            price_cents: price,
            conditions: form.conditions.clone(),
            how_to_get: form.how_to_get.clone(),
            active_from: Some(form.active_from.clone()),
            active_until: Some(form.active_until.clone()),
        }),
        (kind, gb, months, price) => {
            errors.extend(kind.err());
            errors.extend(gb.err());
            errors.extend(months.err());
            errors.extend(price.err());
            Err(errors)
        }
    }
}

async fn page(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    form: OfferForm,
    errors: Vec<ValidationError>,
) -> Result<OffersPage, AppError> {
    let day = today(state);
    let offers = state
        .store
        .data_offers(actor, None, false)
        .await?
        .into_iter()
        .map(|o| OfferLine {
            active: o.active_on(day),
            summary: summary_nl(o.gb(), o.month_count(), o.price_cents),
            kind: o.kind().label().to_owned(),
            place: match (&o.help_point_name, &o.city) {
                (Some(name), Some(city)) => format!("{name}, {city}"),
                _ => keten_core::reference::municipality(&o.municipality_code)
                    .map_or_else(|| o.municipality_code.clone(), |m| m.name.clone()),
            },
            organisation: o.organisation_name,
            provider: o.provider,
        })
        .collect();
    let may_offer = actor.is_admin() || actor.has_any_role(DONOR_ROLES);
    let mut municipalities: Vec<Choice> = actor
        .chain_municipalities
        .iter()
        .map(|code| Choice {
            label: keten_core::reference::municipality(code)
                .map_or_else(|| code.clone(), |m| m.name.clone()),
            selected: *code == form.municipality_code,
            code: code.clone(),
        })
        .collect();
    municipalities.sort_by(|a, b| a.label.cmp(&b.label));
    municipalities.dedup_by(|a, b| a.code == b.code);
    let mut organisations: Vec<Choice> = Vec::new();
    for m in actor
        .memberships
        .iter()
        .filter(|m| DONOR_ROLES.contains(&m.role))
    {
        if !organisations.iter().any(|c| c.code == m.organisation_id) {
            organisations.push(Choice {
                code: m.organisation_id.clone(),
                label: m.organisation_name.clone(),
                selected: m.organisation_id == form.organisation_id,
            });
        }
    }
    let mut help_points: Vec<Choice> = state
        .store
        .directory()
        .await?
        .help_points
        .into_iter()
        .filter(|h| organisations.iter().any(|o| o.code == h.organisation_id))
        .map(|h| Choice {
            selected: h.id == form.help_point_id,
            label: format!("{}, {}", h.name, h.city),
            code: h.id,
        })
        .collect();
    help_points.sort_by(|a, b| a.label.cmp(&b.label));
    let kinds = DataOfferKind::ALL
        .iter()
        .map(|k| Choice {
            code: k.as_str().to_owned(),
            label: k.label().to_owned(),
            selected: k.as_str() == form.kind,
        })
        .collect();
    Ok(OffersPage {
        shell,
        offers,
        may_offer,
        municipalities,
        organisations,
        help_points,
        kinds,
        form,
        errors,
    })
}

async fn offers_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
) -> Result<OffersPage, PageError> {
    let form = OfferForm {
        active_from: today(&state).to_string(),
        price: "0".into(),
        ..OfferForm::default()
    };
    Ok(page(&state, shell, &me.0.actor, form, Vec::new()).await?)
}

async fn save_offer(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Form(form): Form<OfferForm>,
) -> Result<Response, PageError> {
    let actor = &me.0.actor;
    require_donor_role(actor)?;
    let day = today(&state);
    let result = match parse_form(&form) {
        Ok(body) => match body.into_new(actor, day) {
            Ok(new) => state
                .store
                .create_data_offer(actor, &new, state.now())
                .await
                .map_err(AppError::from),
            Err(e) => Err(e),
        },
        Err(errors) => Err(AppError::Validation(errors)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/apparaten/data-aanbod").into_response()),
        Err(AppError::Validation(errors)) => {
            let page = page(&state, shell, actor, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- loan reminders by mail

/// The reminder mail (plain text, Dutch): which device, when it is due, where to sign in; no resident's data.
#[derive(Template)]
#[template(path = "mail/loan_reminder.txt")]
struct LoanReminderMail {
    kind: String,
    make_model: String,
    number: i64,
    due_on: String,
    link: String,
}

/// Runs from the hourly task: mails each loan's reminder once, when its reminder day has come, to the bank and
/// the referring organisation (which holds the resident's contact data). Returns the number of mails.
pub async fn send_loan_reminders(state: &AppState) -> Result<usize, AppError> {
    let claimed = state
        .store
        .take_due_loan_reminders(state.now(), today(state))
        .await?;
    let mut sent = 0;
    for loan in claimed {
        let due = loan
            .due_on
            .parse::<Date>()
            .map_or_else(|_| loan.due_on.clone(), keten_core::opening_hours::date_nl);
        let link = match &loan.request_id {
            Some(r) => format!(
                "{}/aanmelden?next=/apparaten/aanvragen/{r}",
                state.mailer.public_url
            ),
            None => format!(
                "{}/aanmelden?next=/apparaten/{}",
                state.mailer.public_url, loan.device_id
            ),
        };
        let mail = LoanReminderMail {
            kind: loan
                .kind
                .parse::<keten_core::device::DeviceKind>()
                .map_or("Apparaat", keten_core::device::DeviceKind::label)
                .to_owned(),
            make_model: loan.make_model.clone(),
            number: loan.device_number,
            due_on: due,
            link,
        };
        let body = mail
            .render()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        for email in state
            .store
            .loan_reminder_recipients(
                &loan.bank_organisation_id,
                loan.referring_organisation_id.as_deref(),
            )
            .await?
        {
            state
                .mailer
                .send(
                    &email,
                    "Een geleend apparaat moet binnenkort terug",
                    body.clone(),
                )
                .await;
            sent += 1;
        }
    }
    Ok(sent)
}
