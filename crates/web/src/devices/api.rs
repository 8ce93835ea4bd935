//! API of the device bank: `/api/v1/devices` (donations and steps), `/api/v1/device-requests`, `/api/v1/device-bank`.

use super::{
    WipeInput, donor_organisation, parse_action, require_bank_role, require_donor_role,
    require_request_role,
};
use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use keten_core::ValidationError;
use keten_core::device::{
    DeviceCondition, DeviceKind, DeviceNeeds, DeviceRequestStatus, DeviceStatus, FirstUseSession,
};
use keten_core::opening_hours::Region;
use keten_store::device_loans::{Loan, LoanInput};
use keten_store::devices::{
    Batch, Device, DeviceBank, DeviceDetail, DeviceFilter, DeviceRequest, NewBatch,
    NewDeviceRequest, RequestStep,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Today in Dutch time (wiping dates are calendar days).
pub(crate) fn today(state: &AppState) -> jiff::civil::Date {
    state
        .clock
        .now()
        .to_zoned(Region::Nl.time_zone().clone())
        .date()
}

/// A device at the bank.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceResponse {
    pub id: String,
    pub batch_id: String,
    pub municipality_code: String,
    pub bank_organisation_id: String,
    pub donor: String,
    /// Number of the device within its batch.
    pub number: i64,
    pub kind: DeviceKind,
    pub make_model: String,
    pub has_storage: bool,
    pub status: DeviceStatus,
    /// 1 for the first time out; each return starts a new round that needs a new wiping record.
    pub round: i64,
    /// A wiping record or exemption exists for this round.
    pub wipe_recorded: bool,
    pub request_id: Option<String>,
    pub updated_at: i64,
}

impl From<Device> for DeviceResponse {
    fn from(d: Device) -> Self {
        Self {
            id: d.id,
            batch_id: d.batch_id,
            municipality_code: d.municipality_code,
            bank_organisation_id: d.bank_organisation_id,
            donor: d.donor_name,
            number: d.number,
            kind: d.kind,
            make_model: d.make_model,
            has_storage: d.has_storage,
            status: d.status,
            round: d.round,
            wipe_recorded: d.wipe_recorded,
            request_id: d.request_id,
            updated_at: d.updated_at,
        }
    }
}

/// One step in a device's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceEventResponse {
    pub seq: i64,
    pub at: i64,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub round: i64,
    pub actor_organisation: Option<String>,
    pub note: Option<String>,
}

/// A wiping record of one round (or its exemption).
#[derive(Debug, Serialize, ToSchema)]
pub struct WipeRecordResponse {
    pub round: i64,
    pub method: Option<String>,
    pub tool: Option<String>,
    pub wiped_on: Option<String>,
    pub certificate: Option<String>,
    pub exemption: Option<String>,
    pub recorded_at: i64,
}

/// A device with its timeline and wiping records.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceDetailResponse {
    pub device: DeviceResponse,
    pub events: Vec<DeviceEventResponse>,
    pub wipes: Vec<WipeRecordResponse>,
    /// The device's loans, one per hand-out with a loan, oldest first.
    pub loans: Vec<LoanResponse>,
}

/// A device lent to a resident: deposit, due date, reminder and refund.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoanResponse {
    pub device_id: String,
    pub round: i64,
    pub request_id: Option<String>,
    /// Euro cents.
    pub deposit_cents: i64,
    pub months: i64,
    /// Day (YYYY-MM-DD) of the hand-out.
    pub lent_on: String,
    /// Day (YYYY-MM-DD) the device should be back.
    pub due_on: String,
    /// Days before the due date that the bank reminds the resident.
    pub remind_days_before: i64,
    /// Whether a late return still gets the deposit back (the bank's setting at hand-out).
    pub refund_late_returns: bool,
    /// The reminder is due today (not returned, from the reminder day on).
    pub reminder_due: bool,
    pub returned_on: Option<String>,
    /// Set on return: the deposit paid back, in euro cents.
    pub refund_cents: Option<i64>,
}

impl LoanResponse {
    pub(crate) fn of(l: Loan, today: jiff::civil::Date) -> Self {
        Self {
            reminder_due: l.reminder_due(today),
            device_id: l.device_id,
            round: l.round,
            request_id: l.request_id,
            deposit_cents: l.deposit_cents,
            months: l.months,
            lent_on: l.lent_on,
            due_on: l.due_on,
            remind_days_before: l.remind_days_before,
            refund_late_returns: l.refund_late_returns,
            returned_on: l.returned_on,
            refund_cents: l.refund_cents,
        }
    }
}

/// A loan typed at hand-out.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub struct LoanBody {
    /// Euro cents; 0 for a loan without deposit.
    pub deposit_cents: i64,
    /// 1 to 120 months.
    pub months: u32,
}

impl From<LoanBody> for LoanInput {
    fn from(b: LoanBody) -> Self {
        LoanInput {
            deposit_cents: b.deposit_cents,
            months: b.months,
        }
    }
}

impl DeviceDetailResponse {
    fn of(d: DeviceDetail, loans: Vec<Loan>, today: jiff::civil::Date) -> Self {
        Self {
            loans: loans
                .into_iter()
                .map(|l| LoanResponse::of(l, today))
                .collect(),
            device: d.device.into(),
            events: d
                .events
                .into_iter()
                .map(|e| DeviceEventResponse {
                    seq: e.seq,
                    at: e.at,
                    action: e.action,
                    from_status: e.from_status,
                    to_status: e.to_status,
                    round: e.round,
                    actor_organisation: e.actor_organisation_name,
                    note: e.note,
                })
                .collect(),
            wipes: d
                .wipes
                .into_iter()
                .map(|w| WipeRecordResponse {
                    round: w.round,
                    method: w.method,
                    tool: w.tool,
                    wiped_on: w.wiped_on,
                    certificate: w.certificate,
                    exemption: w.exemption,
                    recorded_at: w.recorded_at,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DeviceListQuery {
    /// Only devices in this status.
    pub status: Option<DeviceStatus>,
    /// Only this kind.
    pub kind: Option<DeviceKind>,
}

/// The devices of the caller's device bank (its staff and coordinators; admins: all), newest step first.
#[utoipa::path(get, path = "/api/v1/devices", tag = "devices", params(DeviceListQuery),
    responses((status = 200, body = Vec<DeviceResponse>), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_devices(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<DeviceListQuery>,
) -> Result<Json<Vec<DeviceResponse>>, ApiError> {
    require_bank_role(&actor)?;
    let filter = DeviceFilter {
        status: q.status,
        kind: q.kind,
    };
    let devices = state.store.devices(&actor, &filter).await?;
    Ok(Json(devices.into_iter().map(Into::into).collect()))
}

/// A donation batch: every device in it is registered at the municipality's device bank.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BatchRequest {
    /// The municipality whose device bank receives the batch; default: the first in the caller's chain with one.
    #[serde(default)]
    pub municipality_code: Option<String>,
    /// The donor; default: the caller's organisation.
    #[serde(default)]
    pub donor_organisation_id: Option<String>,
    pub kind: DeviceKind,
    pub make_model: String,
    pub count: i64,
    pub condition: DeviceCondition,
    /// Whether the devices hold storage media (then each needs a wiping record before it goes out).
    pub has_storage: bool,
}

/// A registered donation batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    pub id: String,
    pub municipality_code: String,
    pub donor_organisation_id: String,
    pub donor: String,
    pub bank_organisation_id: String,
    pub bank: String,
    pub kind: String,
    pub make_model: String,
    pub count: i64,
    pub condition: String,
    pub has_storage: bool,
    pub created_at: i64,
}

impl From<Batch> for BatchResponse {
    fn from(b: Batch) -> Self {
        Self {
            id: b.id,
            municipality_code: b.municipality_code,
            donor_organisation_id: b.donor_organisation_id,
            donor: b.donor_name,
            bank_organisation_id: b.bank_organisation_id,
            bank: b.bank_name,
            kind: b.kind,
            make_model: b.make_model,
            count: b.device_count,
            condition: b.condition,
            has_storage: b.has_storage != 0,
            created_at: b.created_at,
        }
    }
}

/// Registers a donation (any organisation of the chain: partner, staff, coordinator or steering members).
pub(crate) async fn register(
    state: &AppState,
    actor: &keten_store::Actor,
    body: BatchRequest,
) -> Result<Batch, AppError> {
    let donor = donor_organisation(actor, body.donor_organisation_id.as_deref())?;
    let municipality = match body.municipality_code.filter(|m| !m.trim().is_empty()) {
        Some(m) => m.trim().to_owned(),
        None => state
            .store
            .device_banks_for(actor)
            .await?
            .into_iter()
            .next()
            .map(|b| b.municipality_code)
            .ok_or_else(|| {
                AppError::Validation(vec![ValidationError::new(
                    "municipality_code",
                    "Geen gemeente in uw keten heeft al een digibank.",
                )])
            })?,
    };
    let new = NewBatch {
        municipality_code: municipality,
        donor_organisation_id: donor,
        kind: body.kind,
        make_model: body.make_model,
        count: body.count,
        condition: body.condition,
        has_storage: body.has_storage,
    };
    Ok(state.store.register_batch(actor, &new, state.now()).await?)
}

/// Registers a donation batch; one device per unit is created at the municipality's device bank (201).
#[utoipa::path(post, path = "/api/v1/devices", tag = "devices", request_body = BatchRequest,
    responses((status = 201, body = BatchResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_device_batch(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    // The body is judged after the role: a caller without the role hears 403 whatever it sent.
    body: Result<ApiJson<BatchRequest>, ApiError>,
) -> Result<Response, ApiError> {
    require_donor_role(&actor)?;
    let ApiJson(body) = body?;
    let batch = register(&state, &actor, body).await?;
    Ok((StatusCode::CREATED, Json(BatchResponse::from(batch))).into_response())
}

/// One device of the caller's bank with its timeline and wiping records.
#[utoipa::path(get, path = "/api/v1/devices/{id}", tag = "devices",
    params(("id" = String, Path, description = "Device id")),
    responses((status = 200, body = DeviceDetailResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_device(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<DeviceDetailResponse>, ApiError> {
    require_bank_role(&actor)?;
    let detail = state.store.device_detail(&actor, &id).await?;
    let loans = state.store.device_loans(&detail.device.id).await?;
    Ok(Json(DeviceDetailResponse::of(detail, loans, today(&state))))
}

/// A step in a device's life.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeviceTransitionRequest {
    /// `accept`, `decline`, `wipe`, `refurbish`, `mark_ready`, `release`, `hand_out`, `return` or `recycle`.
    pub action: String,
    /// For `wipe`: the record or the exemption.
    #[serde(default)]
    pub wipe: Option<WipeInput>,
    /// A short remark for the timeline (no resident's data).
    #[serde(default)]
    pub note: Option<String>,
    /// For `hand_out`: lend the device with a deposit and a loan period.
    #[serde(default)]
    pub loan: Option<LoanBody>,
}

/// Takes a step on a device (the bank's staff and coordinators). A step the lifecycle does not allow, such as
/// passing the wipe without a record or handing out a declined device, is 409.
#[utoipa::path(post, path = "/api/v1/devices/{id}/transitions", tag = "devices",
    params(("id" = String, Path, description = "Device id")), request_body = DeviceTransitionRequest,
    responses((status = 200, body = DeviceResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn transition_device(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<DeviceTransitionRequest>, ApiError>,
) -> Result<Json<DeviceResponse>, ApiError> {
    require_bank_role(&actor)?;
    let ApiJson(body) = body?;
    let action = parse_action(&body.action, body.wipe.as_ref(), today(&state))?;
    let note = body
        .note
        .as_deref()
        .map(|n| n.chars().take(500).collect::<String>());
    let device = state
        .store
        .act_on_device_with_loan(
            &actor,
            &id,
            &action,
            note.as_deref(),
            body.loan.map(LoanInput::from).as_ref(),
            state.now(),
        )
        .await
        .map_err(AppError::from)?;
    Ok(Json(device.into()))
}

/// A request for a device for a resident.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceRequestResponse {
    pub id: String,
    pub municipality_code: String,
    pub referral_id: String,
    pub referring_organisation_id: String,
    pub referring_organisation: String,
    pub bank_organisation_id: String,
    pub kind: DeviceKind,
    /// `null` once erased with the referral's contact data.
    pub internet_at_home: Option<bool>,
    pub limited_mobility: Option<bool>,
    pub wants_first_use_session: bool,
    pub first_use_session: FirstUseSession,
    pub status: DeviceRequestStatus,
    pub device_id: Option<String>,
    pub created_at: i64,
    pub handed_out_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub erased_at: Option<i64>,
    /// The loan recorded at hand-out, if the device was lent.
    pub loan: Option<LoanResponse>,
    /// The data offer the bank paired with the device at hand-out, if any.
    pub data_offer: Option<super::data_offers::DataOfferResponse>,
}

impl DeviceRequestResponse {
    /// The request with its loan.
    pub(crate) async fn load(state: &AppState, r: DeviceRequest) -> Result<Self, AppError> {
        let loan = state.store.request_loan(&r.id).await?;
        let mut response = Self::from(r);
        response.loan = loan.map(|l| LoanResponse::of(l, today(state)));
        let paired = state.store.paired_data_offer(&response.id).await?;
        response.data_offer =
            paired.map(|o| super::data_offers::DataOfferResponse::of(o, today(state)));
        Ok(response)
    }
}

impl From<DeviceRequest> for DeviceRequestResponse {
    fn from(r: DeviceRequest) -> Self {
        Self {
            id: r.id,
            municipality_code: r.municipality_code,
            referral_id: r.referral_id,
            referring_organisation_id: r.referring_organisation_id,
            referring_organisation: r.referring_name,
            bank_organisation_id: r.bank_organisation_id,
            kind: r.kind,
            internet_at_home: r.internet_at_home,
            limited_mobility: r.limited_mobility,
            wants_first_use_session: r.wants_first_use_session,
            first_use_session: r.first_use_session,
            status: r.status,
            device_id: r.device_id,
            created_at: r.created_at,
            handed_out_at: r.handed_out_at,
            closed_at: r.closed_at,
            erased_at: r.erased_at,
            loan: None,
            data_offer: None,
        }
    }
}

/// The requests of the caller's organisation (as referrer) and of its device bank.
#[utoipa::path(get, path = "/api/v1/device-requests", tag = "devices",
    responses((status = 200, body = Vec<DeviceRequestResponse>), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_device_requests(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<DeviceRequestResponse>>, ApiError> {
    if require_request_role(&actor).is_err() {
        require_bank_role(&actor)?;
    }
    let requests = state.store.device_requests(&actor).await?;
    let mut out = Vec::with_capacity(requests.len());
    for request in requests {
        out.push(DeviceRequestResponse::load(&state, request).await?);
    }
    Ok(Json(out))
}

/// A device asked for a resident, as part of a warm referral with consent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewDeviceRequestBody {
    /// The referral of the resident (sent or received by the caller's organisation).
    pub referral_id: String,
    pub kind: DeviceKind,
    pub internet_at_home: bool,
    /// Cannot easily travel.
    #[serde(default)]
    pub limited_mobility: bool,
    /// Wants a first-use session at a help point (every request ends with one booked or held).
    #[serde(default = "yes")]
    pub first_use_session: bool,
}

fn yes() -> bool {
    true
}

/// Creates a request (partners and help-point staff); over the organisation's cap of open requests is 422.
pub(crate) async fn create_request(
    state: &AppState,
    actor: &keten_store::Actor,
    body: NewDeviceRequestBody,
) -> Result<DeviceRequest, AppError> {
    let new = NewDeviceRequest {
        referral_id: body.referral_id.trim().to_owned(),
        needs: DeviceNeeds {
            kind: body.kind,
            internet_at_home: body.internet_at_home,
            limited_mobility: body.limited_mobility,
            wants_first_use_session: body.first_use_session,
        },
    };
    Ok(state
        .store
        .create_device_request(actor, &new, state.now())
        .await?)
}

/// Asks the resident's municipality's device bank for a device (201). The referral's consent rules apply; a
/// referring organisation has at most the municipality's cap of open requests (422 beyond it).
#[utoipa::path(post, path = "/api/v1/device-requests", tag = "devices", request_body = NewDeviceRequestBody,
    responses((status = 201, body = DeviceRequestResponse), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_device_request(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Result<ApiJson<NewDeviceRequestBody>, ApiError>,
) -> Result<Response, ApiError> {
    require_request_role(&actor)?;
    let ApiJson(body) = body?;
    let request = create_request(&state, &actor, body).await?;
    Ok((
        StatusCode::CREATED,
        Json(DeviceRequestResponse::from(request)),
    )
        .into_response())
}

/// One request, for the referring organisation and the bank.
#[utoipa::path(get, path = "/api/v1/device-requests/{id}", tag = "devices",
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, body = DeviceRequestResponse), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_device_request(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<DeviceRequestResponse>, ApiError> {
    let request = state.store.device_request(&actor, &id).await?;
    Ok(Json(DeviceRequestResponse::load(&state, request).await?))
}

/// A step on a request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeviceRequestTransition {
    /// `reserve`, `hand_out`, `release` (the bank), `session_booked`, `session_done`, `cancel`.
    pub action: String,
    /// For `reserve`: the device; default the longest-waiting ready device of the kind.
    #[serde(default)]
    pub device_id: Option<String>,
    /// For `hand_out`: lend the device with a deposit and a loan period.
    #[serde(default)]
    pub loan: Option<LoanBody>,
}

pub(crate) fn parse_request_step(
    action: &str,
    device_id: Option<String>,
) -> Result<RequestStep, AppError> {
    Ok(match action.trim() {
        "reserve" => RequestStep::Reserve {
            device_id: device_id.filter(|d| !d.trim().is_empty()),
        },
        "hand_out" => RequestStep::HandOut,
        "release" => RequestStep::Release,
        "session_booked" => RequestStep::Session(FirstUseSession::Booked),
        "session_done" => RequestStep::Session(FirstUseSession::Done),
        "cancel" => RequestStep::Cancel,
        other => {
            return Err(AppError::Validation(vec![ValidationError::new(
                "action",
                format!(
                    "Onbekende stap '{other}'. Kies uit: reserve, hand_out, release, session_booked, session_done, cancel."
                ),
            )]));
        }
    })
}

/// Takes a step on a request. Two requests racing for the last ready device: one gets it, the other 409.
#[utoipa::path(post, path = "/api/v1/device-requests/{id}/transitions", tag = "devices",
    params(("id" = String, Path, description = "Request id")), request_body = DeviceRequestTransition,
    responses((status = 200, body = DeviceRequestResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn transition_device_request(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Result<ApiJson<DeviceRequestTransition>, ApiError>,
) -> Result<Json<DeviceRequestResponse>, ApiError> {
    if require_request_role(&actor).is_err() {
        require_bank_role(&actor)?;
    }
    let ApiJson(body) = body?;
    let step = parse_request_step(&body.action, body.device_id)?;
    let request = state
        .store
        .act_on_device_request_with_loan(
            &actor,
            &id,
            &step,
            body.loan.map(LoanInput::from).as_ref(),
            state.now(),
        )
        .await
        .map_err(AppError::from)?;
    Ok(Json(DeviceRequestResponse::load(&state, request).await?))
}

/// A municipality's device bank and its cap of open requests per referring organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceBankResponse {
    pub municipality_code: String,
    pub organisation_id: String,
    pub organisation: String,
    pub request_cap: i64,
}

impl From<DeviceBank> for DeviceBankResponse {
    fn from(b: DeviceBank) -> Self {
        Self {
            municipality_code: b.municipality_code,
            organisation_id: b.organisation_id,
            organisation: b.organisation_name,
            request_cap: b.request_cap,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeviceBankRequest {
    /// An organisation active in the municipality.
    pub organisation_id: String,
    /// Open requests per referring organisation (1-1000); default 5.
    #[serde(default)]
    pub request_cap: Option<i64>,
}

/// Which organisation is the municipality's device bank (any signed-in caller; 404 when it has none).
#[utoipa::path(get, path = "/api/v1/device-bank/{municipality_code}", tag = "devices",
    params(("municipality_code" = String, Path, description = "CBS or NIS code")),
    responses((status = 200, body = DeviceBankResponse), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn get_device_bank(
    State(state): State<AppState>,
    ApiActor(_actor): ApiActor,
    Path(municipality_code): Path<String>,
) -> Result<Json<DeviceBankResponse>, ApiError> {
    let bank = state
        .store
        .device_bank(&municipality_code)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(bank.into()))
}

/// Makes an organisation the municipality's device bank (its steering; admins).
#[utoipa::path(put, path = "/api/v1/device-bank/{municipality_code}", tag = "devices",
    params(("municipality_code" = String, Path, description = "CBS or NIS code")),
    request_body = DeviceBankRequest,
    responses((status = 200, body = DeviceBankResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn put_device_bank(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(municipality_code): Path<String>,
    body: Result<ApiJson<DeviceBankRequest>, ApiError>,
) -> Result<Json<DeviceBankResponse>, ApiError> {
    use keten_core::account::Role;
    if !actor.has_any_role(&[Role::Steering, Role::Admin]) {
        return Err(AppError::Forbidden.into());
    }
    if !actor.is_admin() && !actor.steering_municipalities.contains(&municipality_code) {
        return Err(AppError::NotFound.into());
    }
    let ApiJson(body) = body?;
    let bank = state
        .store
        .set_device_bank(
            &actor,
            &municipality_code,
            body.organisation_id.trim(),
            body.request_cap
                .unwrap_or(keten_store::devices::DEFAULT_REQUEST_CAP),
            state.now(),
        )
        .await?;
    Ok(Json(bank.into()))
}

/// A loan whose reminder is due: the bank contacts the resident through the referring organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoanReminderResponse {
    pub loan: LoanResponse,
    pub device_number: i64,
    pub kind: String,
    pub make_model: String,
}

/// The loans of the caller's device bank that need a reminder today (from the reminder day before the due date
/// until the device is back; overdue ones included), by due date.
#[utoipa::path(get, path = "/api/v1/device-loans/reminders", tag = "devices",
    responses((status = 200, body = Vec<LoanReminderResponse>), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_loan_reminders(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<LoanReminderResponse>>, ApiError> {
    require_bank_role(&actor)?;
    let day = today(&state);
    let reminders = state.store.loan_reminders(&actor, day).await?;
    Ok(Json(
        reminders
            .into_iter()
            .map(|r| LoanReminderResponse {
                loan: LoanResponse::of(r.loan, day),
                device_number: r.device_number,
                kind: r.kind,
                make_model: r.make_model,
            })
            .collect(),
    ))
}
