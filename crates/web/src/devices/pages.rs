//! The device bank's pages (`/apparaten`): devices by status, a device's timeline and next steps, donations with their
//! certificate list, and requests through the chain. Dutch, without JavaScript; every form keeps its input on error.

use super::api::{
    BatchRequest, NewDeviceRequestBody, create_request, parse_request_step, register, today,
};
use super::{
    WipeInput, may_wipe, next_steps, parse_action, require_bank_role, require_donor_role,
    require_request_role,
};
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use keten_core::ValidationError;
use keten_core::device::{
    DeviceCondition, DeviceKind, DeviceRequestStatus, DeviceStatus, FirstUseSession, WipeMethod,
};
use keten_core::opening_hours::{Region, date_nl};
use keten_store::Actor;
use keten_store::device_loans::{Loan, LoanReminder, parse_loan_input};
use keten_store::devices::{
    Batch, Device, DeviceBank, DeviceDetail, DeviceFilter, DeviceRequest, RequestStep,
};
use keten_store::referrals::ReferralBox;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/apparaten", get(devices_page))
        .route("/apparaten/donatie", get(batch_form).post(save_batch))
        .route(
            "/apparaten/donaties/{id}/certificaten.csv",
            get(certificates_csv),
        )
        .route(
            "/apparaten/aanvragen",
            get(requests_page).post(save_request),
        )
        .route("/apparaten/aanvragen/{id}", get(request_page))
        .route("/apparaten/aanvragen/{id}/stap", post(request_step))
        .route("/apparaten/aanvragen/{id}/data-aanbod", post(pair_offer))
        .route("/apparaten/{id}", get(device_page))
        .route("/apparaten/{id}/stap", post(device_step))
        .route("/apparaten/{id}/wissen", post(wipe_device))
}

/// A moment in Dutch, in Dutch time: "2 maart 2026, 10:00".
fn moment(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|t| {
            let local = t.to_zoned(Region::Nl.time_zone().clone());
            format!("{}, {}", date_nl(local.date()), local.strftime("%H:%M"))
        })
        .unwrap_or_default()
}

fn status_label(code: &str) -> &'static str {
    code.parse::<DeviceStatus>()
        .map_or("onbekend", DeviceStatus::label)
}

fn kind_label(code: &str) -> &'static str {
    code.parse::<DeviceKind>()
        .map_or("onbekend", DeviceKind::label)
}

/// A choice in a select or radio group: code, label, chosen.
pub struct Choice {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    chosen: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            code: code(*v).to_owned(),
            label: label(*v).to_owned(),
            selected: code(*v) == chosen,
        })
        .collect()
}

/// The message of a field, if it has one (for `aria-invalid` and the text at the field).
fn field_error(errors: &[ValidationError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.clone())
}

// ---------------------------------------------------------------- the overview

pub struct DeviceLine {
    pub id: String,
    pub label: String,
    pub donor: String,
    pub status: &'static str,
    pub round: i64,
    pub wipe: &'static str,
    pub updated: String,
}

impl From<&Device> for DeviceLine {
    fn from(d: &Device) -> Self {
        Self {
            id: d.id.clone(),
            label: format!("{} {} nr. {}", d.kind.label(), d.make_model, d.number),
            donor: d.donor_name.clone(),
            status: d.status.label(),
            round: d.round,
            wipe: if !d.has_storage {
                "geen opslag"
            } else if d.wipe_recorded {
                "vastgelegd"
            } else {
                "nog niet"
            },
            updated: moment(d.updated_at),
        }
    }
}

pub struct BatchLine {
    pub id: String,
    pub kind: &'static str,
    pub make_model: String,
    pub count: i64,
    pub bank: String,
    pub created: String,
}

impl From<&Batch> for BatchLine {
    fn from(b: &Batch) -> Self {
        Self {
            id: b.id.clone(),
            kind: kind_label(&b.kind),
            make_model: b.make_model.clone(),
            count: b.device_count,
            bank: b.bank_name.clone(),
            created: moment(b.created_at),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "devices.html")]
struct DevicesPage {
    shell: Shell,
    at_bank: bool,
    donor: bool,
    requests: bool,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    counts: Vec<(String, i64)>,
    devices: Vec<DeviceLine>,
    batches: Vec<BatchLine>,
    /// Loans to remind the resident of (from the reminder day on, until the device is back).
    reminders: Vec<ReminderLine>,
    /// The bank's figures, as on the steering dashboard.
    figures: Vec<crate::steering::tables::Table>,
}

pub struct ReminderLine {
    pub id: String,
    pub label: String,
    pub due_on: String,
    pub deposit: String,
}

impl From<&LoanReminder> for ReminderLine {
    fn from(r: &LoanReminder) -> Self {
        Self {
            id: r.loan.device_id.clone(),
            label: format!(
                "{} {} nr. {}",
                kind_label(&r.kind),
                r.make_model,
                r.device_number
            ),
            due_on: day_nl(&r.loan.due_on),
            deposit: euro(r.loan.deposit_cents),
        }
    }
}

/// Euro cents as Dutch money: "€ 20,00".
fn euro(cents: i64) -> String {
    format!("€ {},{:02}", cents / 100, (cents % 100).abs())
}

/// An ISO day as Dutch text, or the day as stored if it does not parse.
fn day_nl(iso: &str) -> String {
    iso.parse::<jiff::civil::Date>()
        .map_or_else(|_| iso.to_owned(), date_nl)
}

/// One loan, as the device page tells it.
fn loan_text(l: &Loan) -> String {
    let mut text = format!(
        "Ronde {}: uitgeleend op {} voor {} maanden, borg {}, terug uiterlijk {}",
        l.round,
        day_nl(&l.lent_on),
        l.months,
        euro(l.deposit_cents),
        day_nl(&l.due_on)
    );
    match (&l.returned_on, l.refund_cents) {
        (Some(back), Some(refund)) => {
            text.push_str(&format!(
                ". Terug op {}, borg terugbetaald: {}",
                day_nl(back),
                euro(refund)
            ));
        }
        _ => text.push_str(". Nog niet terug"),
    }
    text
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
}

async fn devices_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Query(q): Query<ListQuery>,
) -> Result<DevicesPage, PageError> {
    let actor = &me.0.actor;
    let at_bank = require_bank_role(actor).is_ok();
    let donor = require_donor_role(actor).is_ok();
    let requests = require_request_role(actor).is_ok();
    if !(at_bank || donor || requests) {
        return Err(AppError::Forbidden.into());
    }
    let filter = DeviceFilter {
        status: q.status.parse().ok(),
        kind: q.kind.parse().ok(),
    };
    let (devices, counts) = if at_bank {
        let devices = state.store.devices(actor, &filter).await?;
        let counts = state
            .store
            .device_counts(actor)
            .await?
            .into_iter()
            .map(|(code, n)| (status_label(&code).to_owned(), n))
            .collect();
        (devices.iter().map(DeviceLine::from).collect(), counts)
    } else {
        (Vec::new(), Vec::new())
    };
    let reminders = if at_bank {
        state
            .store
            .loan_reminders(actor, today(&state))
            .await?
            .iter()
            .map(ReminderLine::from)
            .collect()
    } else {
        Vec::new()
    };
    let figures = if at_bank {
        super::figures::tables(
            &state.store,
            &keten_store::device_figures::FigureScope::of_bank_staff(actor),
            super::figures::Period::SinceStart,
        )
        .await?
    } else {
        Vec::new()
    };
    let batches = if donor {
        state
            .store
            .batches(actor)
            .await?
            .iter()
            .map(BatchLine::from)
            .collect()
    } else {
        Vec::new()
    };
    Ok(DevicesPage {
        shell,
        at_bank,
        donor,
        requests,
        statuses: choices(
            DeviceStatus::ALL,
            DeviceStatus::as_str,
            DeviceStatus::label,
            &q.status,
        ),
        kinds: choices(
            DeviceKind::ALL,
            DeviceKind::as_str,
            DeviceKind::label,
            &q.kind,
        ),
        counts,
        devices,
        batches,
        reminders,
        figures,
    })
}

// ---------------------------------------------------------------- one device

pub struct EventLine {
    pub at: String,
    pub step: String,
    pub to: &'static str,
    pub round: i64,
    pub by: String,
    pub note: String,
}

pub struct WipeLine {
    pub round: i64,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "device.html")]
struct DevicePage {
    shell: Shell,
    id: String,
    title: String,
    donor: String,
    status: &'static str,
    round: i64,
    has_storage: bool,
    wipe_recorded: bool,
    request_id: Option<String>,
    events: Vec<EventLine>,
    wipes: Vec<WipeLine>,
    steps: Vec<(&'static str, &'static str)>,
    show_wipe: bool,
    /// The step form's refusal, if any.
    step_error: Option<String>,
    /// What the wipe form holds: empty, or what was typed.
    wipe: WipeInput,
    methods: Vec<Choice>,
    errors: Vec<ValidationError>,
    /// The device's loans, as sentences.
    loans: Vec<String>,
    /// The step form offers a hand-out: show the loan fields.
    lending: bool,
    /// What was typed in the loan fields.
    deposit: String,
    months: String,
}

impl DevicePage {
    fn error_at(&self, field: &str) -> Option<String> {
        field_error(&self.errors, field)
    }
}

fn action_label(code: &str) -> String {
    match code {
        "donate" => "gedoneerd".into(),
        "accept" => "aangenomen".into(),
        "decline" => "niet aangenomen".into(),
        "wipe" => "wissen vastgelegd".into(),
        "refurbish" => "opgeknapt".into(),
        "mark_ready" => "klaargezet".into(),
        "reserve" => "gereserveerd voor een aanvraag".into(),
        "release" => "reservering vrijgegeven".into(),
        "hand_out" => "uitgegeven".into(),
        "return" => "teruggekomen".into(),
        "recycle" => "gerecycled".into(),
        other => other.to_owned(),
    }
}

fn device_page_of(shell: Shell, detail: DeviceDetail, loans: &[Loan]) -> DevicePage {
    let d = &detail.device;
    let state = d.state();
    let steps = next_steps(state);
    DevicePage {
        loans: loans.iter().map(loan_text).collect(),
        lending: steps.iter().any(|(code, _)| *code == "hand_out"),
        deposit: String::new(),
        months: String::new(),
        shell,
        id: d.id.clone(),
        title: format!("{} {} nr. {}", d.kind.label(), d.make_model, d.number),
        donor: d.donor_name.clone(),
        status: d.status.label(),
        round: d.round,
        has_storage: d.has_storage,
        wipe_recorded: d.wipe_recorded,
        request_id: d.request_id.clone(),
        events: detail
            .events
            .iter()
            .map(|e| EventLine {
                at: moment(e.at),
                step: action_label(&e.action),
                to: status_label(&e.to_status),
                round: e.round,
                by: e.actor_organisation_name.clone().unwrap_or_default(),
                note: e.note.clone().unwrap_or_default(),
            })
            .collect(),
        wipes: detail
            .wipes
            .iter()
            .map(|w| WipeLine {
                round: w.round,
                text: match &w.exemption {
                    Some(reason) => format!("Niet gewist: {reason}"),
                    None => format!(
                        "{}, met {}, op {}, certificaat {}",
                        w.method
                            .as_deref()
                            .and_then(|m| m.parse::<WipeMethod>().ok())
                            .map_or("onbekende methode", WipeMethod::label),
                        w.tool.clone().unwrap_or_default(),
                        w.wiped_on.clone().unwrap_or_default(),
                        w.certificate.clone().unwrap_or_default()
                    ),
                },
            })
            .collect(),
        steps,
        show_wipe: may_wipe(state),
        step_error: None,
        wipe: WipeInput::default(),
        methods: choices(WipeMethod::ALL, WipeMethod::as_str, WipeMethod::label, ""),
        errors: Vec::new(),
    }
}

async fn load_device(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: &str,
) -> Result<DevicePage, AppError> {
    require_bank_role(actor)?;
    let detail = state.store.device_detail(actor, id).await?;
    let loans = state.store.device_loans(&detail.device.id).await?;
    let defaults = state
        .store
        .bank_loan_defaults(
            &detail.device.bank_organisation_id,
            &detail.device.municipality_code,
        )
        .await?;
    let mut page = device_page_of(shell, detail, &loans);
    // The bank's usual terms, to change for this loan if needed; a bank without a deposit shows 0.
    if page.lending
        && let Some(d) = defaults
    {
        page.deposit = super::loan_settings::euro_input(d.deposit_cents);
        page.months = d.months.to_string();
    }
    Ok(page)
}

async fn device_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<DevicePage, PageError> {
    Ok(load_device(&state, shell, &me.0.actor, &id).await?)
}

#[derive(Debug, Default, Deserialize)]
struct StepForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
    /// Deposit in euro, for a hand-out on loan.
    #[serde(default)]
    deposit: String,
    #[serde(default)]
    months: String,
}

async fn device_step(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    let actor = &me.0.actor;
    require_bank_role(actor)?;
    let loan = if form.action.trim() == "hand_out" {
        parse_loan_input(Some(&form.deposit), Some(&form.months))
    } else {
        Ok(None)
    };
    let result = match (parse_action(&form.action, None, today(&state)), loan) {
        (Ok(action), Ok(loan)) => state
            .store
            .act_on_device_with_loan(
                actor,
                &id,
                &action,
                Some(form.note.as_str()),
                loan.as_ref(),
                state.now(),
            )
            .await
            .map_err(AppError::from),
        (Err(e), _) => Err(e),
        (_, Err(errors)) => Err(AppError::Validation(errors)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/apparaten/{id}")).into_response()),
        Err(e @ (AppError::Conflict(_) | AppError::Validation(_))) => {
            let status = e.status();
            let mut page = load_device(&state, shell, actor, &id).await?;
            if let AppError::Validation(errors) = &e
                && errors
                    .iter()
                    .any(|v| v.field == "deposit" || v.field == "months")
            {
                page.errors.clone_from(errors);
            } else {
                page.step_error = Some(e.detail());
            }
            page.deposit = form.deposit;
            page.months = form.months;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct WipeForm {
    /// `record` or `exemption`.
    #[serde(default)]
    mode: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    tool: String,
    #[serde(default)]
    wiped_on: String,
    #[serde(default)]
    certificate: String,
    #[serde(default)]
    exemption: String,
}

async fn wipe_device(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
    Form(form): Form<WipeForm>,
) -> Result<Response, PageError> {
    let actor = &me.0.actor;
    require_bank_role(actor)?;
    let input = WipeInput {
        method: Some(form.method.clone()),
        tool: Some(form.tool.clone()),
        wiped_on: Some(form.wiped_on.clone()),
        certificate: Some(form.certificate.clone()),
        exemption: (form.mode == "exemption").then(|| form.exemption.clone()),
    };
    // An exemption chosen but left empty is a missing reason, not a record.
    let result = if form.mode == "exemption" && form.exemption.trim().is_empty() {
        Err(AppError::Validation(vec![ValidationError::new(
            "exemption",
            "Schrijf op waarom wissen niet nodig is (minstens 10 tekens).",
        )]))
    } else {
        match parse_action("wipe", Some(&input), today(&state)) {
            Ok(action) => state
                .store
                .act_on_device(actor, &id, &action, None, state.now())
                .await
                .map_err(AppError::from),
            Err(e) => Err(e),
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/apparaten/{id}")).into_response()),
        Err(AppError::Validation(errors)) => {
            let mut page = load_device(&state, shell, actor, &id).await?;
            page.methods = choices(
                WipeMethod::ALL,
                WipeMethod::as_str,
                WipeMethod::label,
                &form.method,
            );
            page.wipe = WipeInput {
                exemption: Some(form.exemption.clone()),
                ..input
            };
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e @ AppError::Conflict(_)) => {
            let mut page = load_device(&state, shell, actor, &id).await?;
            page.step_error = Some(e.detail());
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- donations

#[derive(Template, WebTemplate)]
#[template(path = "device_batch_form.html")]
struct BatchFormPage {
    shell: Shell,
    banks: Vec<Choice>,
    donors: Vec<Choice>,
    kinds: Vec<Choice>,
    conditions: Vec<Choice>,
    form: BatchForm,
    errors: Vec<ValidationError>,
}

impl BatchFormPage {
    fn error_at(&self, field: &str) -> Option<String> {
        field_error(&self.errors, field)
    }
}

#[derive(Debug, Default, Deserialize)]
struct BatchForm {
    #[serde(default)]
    municipality_code: String,
    #[serde(default)]
    donor_organisation_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    make_model: String,
    #[serde(default)]
    count: String,
    #[serde(default)]
    condition: String,
    /// `yes` or `no`.
    #[serde(default)]
    has_storage: String,
}

async fn batch_page(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    form: BatchForm,
    errors: Vec<ValidationError>,
) -> Result<BatchFormPage, AppError> {
    require_donor_role(actor)?;
    let banks: Vec<DeviceBank> = state.store.device_banks_for(actor).await?;
    let banks = banks
        .into_iter()
        .map(|b| Choice {
            selected: b.municipality_code == form.municipality_code,
            label: format!(
                "{} ({})",
                b.organisation_name,
                keten_core::reference::municipality(&b.municipality_code)
                    .map_or(b.municipality_code.clone(), |m| m.name.clone())
            ),
            code: b.municipality_code,
        })
        .collect();
    let donors = actor
        .memberships
        .iter()
        .filter(|m| keten_store::devices::DONOR_ROLES.contains(&m.role))
        .map(|m| Choice {
            code: m.organisation_id.clone(),
            label: m.organisation_name.clone(),
            selected: m.organisation_id == form.donor_organisation_id,
        })
        .fold(Vec::<Choice>::new(), |mut acc, c| {
            if !acc.iter().any(|a| a.code == c.code) {
                acc.push(c);
            }
            acc
        });
    Ok(BatchFormPage {
        shell,
        banks,
        donors,
        kinds: choices(
            DeviceKind::ALL,
            DeviceKind::as_str,
            DeviceKind::label,
            &form.kind,
        ),
        conditions: choices(
            DeviceCondition::ALL,
            DeviceCondition::as_str,
            DeviceCondition::label,
            &form.condition,
        ),
        form,
        errors,
    })
}

async fn batch_form(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
) -> Result<BatchFormPage, PageError> {
    let form = BatchForm {
        count: "1".into(),
        has_storage: "yes".into(),
        ..BatchForm::default()
    };
    Ok(batch_page(&state, shell, &me.0.actor, form, Vec::new()).await?)
}

fn parse_batch(form: &BatchForm) -> Result<BatchRequest, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let kind = form
        .kind
        .parse::<DeviceKind>()
        .map_err(|_| ValidationError::new("kind", "Kies de soort apparaat."));
    let condition = form
        .condition
        .parse::<DeviceCondition>()
        .map_err(|_| ValidationError::new("condition", "Kies in welke staat de apparaten zijn."));
    let count = form
        .count
        .trim()
        .parse::<i64>()
        .map_err(|_| ValidationError::new("count", "Vul een aantal van 1 tot 500 in."));
    let has_storage = match form.has_storage.as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(ValidationError::new(
            "has_storage",
            "Kies of de apparaten een harde schijf of ander geheugen hebben.",
        )),
    };
    if form.make_model.trim().is_empty() {
        errors.push(ValidationError::new(
            "make_model",
            "Vul merk en type in (hoogstens 200 tekens), bijvoorbeeld 'Lenovo ThinkPad T480'.",
        ));
    }
    match (kind, condition, count, has_storage) {
        (Ok(kind), Ok(condition), Ok(count), Ok(has_storage)) if errors.is_empty() => {
            Ok(BatchRequest {
                municipality_code: Some(form.municipality_code.clone()),
                donor_organisation_id: Some(form.donor_organisation_id.clone()),
                kind,
                make_model: form.make_model.clone(),
                count,
                condition,
                has_storage,
            })
        }
        (kind, condition, count, has_storage) => {
            errors.extend(kind.err());
            errors.extend(condition.err());
            errors.extend(count.err());
            errors.extend(has_storage.err());
            Err(errors)
        }
    }
}

async fn save_batch(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Form(form): Form<BatchForm>,
) -> Result<Response, PageError> {
    let actor = &me.0.actor;
    require_donor_role(actor)?;
    let result = match parse_batch(&form) {
        Ok(body) => register(&state, actor, body).await,
        Err(errors) => Err(AppError::Validation(errors)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/apparaten").into_response()),
        Err(AppError::Validation(errors)) => {
            let page = batch_page(&state, shell, actor, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The donor's certificate list of a batch: one line per device and wiping round.
async fn certificates_csv(
    State(state): State<AppState>,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let actor = &me.0.actor;
    let (batch, lines) = state.store.batch_certificates(actor, &id).await?;
    let mut rows = vec![vec![
        "apparaat".to_owned(),
        "nummer".into(),
        "soort".into(),
        "merk en type".into(),
        "status".into(),
        "ronde".into(),
        "methode".into(),
        "hulpmiddel".into(),
        "datum".into(),
        "certificaat".into(),
        "vrijstelling".into(),
    ]];
    for l in lines {
        rows.push(vec![
            l.device_id,
            l.number.to_string(),
            kind_label(&batch.kind).to_owned(),
            batch.make_model.clone(),
            status_label(&l.status).to_owned(),
            l.round.map(|r| r.to_string()).unwrap_or_default(),
            l.method
                .as_deref()
                .and_then(|m| m.parse::<WipeMethod>().ok())
                .map_or(String::new(), |m| m.label().to_owned()),
            l.tool.unwrap_or_default(),
            l.wiped_on.unwrap_or_default(),
            l.certificate.unwrap_or_default(),
            l.exemption.unwrap_or_default(),
        ]);
    }
    Ok(crate::download::csv(
        &format!("wiscertificaten-{id}.csv"),
        rows,
    )?)
}

// ---------------------------------------------------------------- requests

pub struct RequestLine {
    pub id: String,
    pub created: String,
    pub referrer: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub session: &'static str,
}

impl From<&DeviceRequest> for RequestLine {
    fn from(r: &DeviceRequest) -> Self {
        Self {
            id: r.id.clone(),
            created: moment(r.created_at),
            referrer: r.referring_name.clone(),
            kind: r.kind.label(),
            status: r.status.label(),
            session: r.first_use_session.label(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "device_requests.html")]
struct RequestsPage {
    shell: Shell,
    requests: Vec<RequestLine>,
    may_ask: bool,
    referrals: Vec<Choice>,
    kinds: Vec<Choice>,
    form: RequestForm,
    errors: Vec<ValidationError>,
}

impl RequestsPage {
    fn error_at(&self, field: &str) -> Option<String> {
        field_error(&self.errors, field)
    }
}

#[derive(Debug, Default, Deserialize)]
struct RequestForm {
    #[serde(default)]
    referral_id: String,
    #[serde(default)]
    kind: String,
    /// `yes` or `no`.
    #[serde(default)]
    internet_at_home: String,
    #[serde(default)]
    limited_mobility: Option<String>,
    #[serde(default)]
    first_use_session: Option<String>,
}

async fn requests_view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    form: RequestForm,
    errors: Vec<ValidationError>,
) -> Result<RequestsPage, AppError> {
    let may_ask = require_request_role(actor).is_ok();
    if !may_ask {
        require_bank_role(actor)?;
    }
    let requests = state.store.device_requests(actor).await?;
    let mut referrals = Vec::new();
    if may_ask {
        for which in [ReferralBox::Sent, ReferralBox::Inbox] {
            for r in state.store.referrals(actor, which).await? {
                let usable = r.erased_at.is_none()
                    && !matches!(
                        r.status,
                        Some(keten_core::referral::ReferralStatus::Withdrawn)
                            | Some(keten_core::referral::ReferralStatus::Declined)
                    );
                if usable && !referrals.iter().any(|c: &Choice| c.code == r.id) {
                    referrals.push(Choice {
                        selected: r.id == form.referral_id,
                        label: format!(
                            "{} naar {}, {} (postcode {})",
                            r.sender_organisation_name,
                            r.organisation_name,
                            moment(r.sent_at),
                            r.pc4
                        ),
                        code: r.id,
                    });
                }
            }
        }
    }
    Ok(RequestsPage {
        shell,
        requests: requests.iter().map(RequestLine::from).collect(),
        may_ask,
        referrals,
        kinds: choices(
            DeviceKind::ALL,
            DeviceKind::as_str,
            DeviceKind::label,
            &form.kind,
        ),
        form,
        errors,
    })
}

async fn requests_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
) -> Result<RequestsPage, PageError> {
    let form = RequestForm {
        first_use_session: Some("1".into()),
        ..RequestForm::default()
    };
    Ok(requests_view(&state, shell, &me.0.actor, form, Vec::new()).await?)
}

async fn save_request(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Form(form): Form<RequestForm>,
) -> Result<Response, PageError> {
    let actor = &me.0.actor;
    require_request_role(actor)?;
    let mut errors = Vec::new();
    let kind = form.kind.parse::<DeviceKind>().ok();
    if kind.is_none() {
        errors.push(ValidationError::new("kind", "Kies de soort apparaat."));
    }
    let internet = match form.internet_at_home.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.push(ValidationError::new(
                "internet_at_home",
                "Kies of de inwoner thuis internet heeft.",
            ));
            None
        }
    };
    if form.referral_id.trim().is_empty() {
        errors.push(ValidationError::new(
            "referral_id",
            "Kies de doorverwijzing van de inwoner.",
        ));
    }
    let result = match (kind, internet) {
        (Some(kind), Some(internet_at_home)) if errors.is_empty() => {
            let body = NewDeviceRequestBody {
                referral_id: form.referral_id.clone(),
                kind,
                internet_at_home,
                limited_mobility: form.limited_mobility.is_some(),
                first_use_session: form.first_use_session.is_some(),
            };
            create_request(&state, actor, body).await
        }
        _ => Err(AppError::Validation(errors)),
    };
    match result {
        Ok(request) => {
            Ok(Redirect::to(&format!("/apparaten/aanvragen/{}", request.id)).into_response())
        }
        Err(AppError::Validation(errors)) => {
            let page = requests_view(&state, shell, actor, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "device_request.html")]
struct RequestPage {
    shell: Shell,
    request: DeviceRequest,
    created: String,
    at_bank: bool,
    ready: Vec<Choice>,
    step_error: Option<String>,
    /// The hand-out's loan fields: the bank's usual terms, or what was typed.
    deposit: String,
    months: String,
    errors: Vec<ValidationError>,
    /// The paired data offer in words, for the bank and the referrer.
    paired: Option<String>,
    /// Offers running in the request's municipality, for the bank's pairing form (empty: no form).
    offers: Vec<Choice>,
    pair_error: Option<String>,
}

impl RequestPage {
    fn error_at(&self, field: &str) -> Option<String> {
        field_error(&self.errors, field)
    }

    /// The bank may pair an offer once the device is reserved or handed out.
    fn may_pair(&self) -> bool {
        self.at_bank
            && matches!(
                self.request.status,
                DeviceRequestStatus::Reserved
                    | DeviceRequestStatus::HandedOut
                    | DeviceRequestStatus::Completed
            )
    }

    fn status(&self) -> &'static str {
        self.request.status.label()
    }

    fn session(&self) -> &'static str {
        self.request.first_use_session.label()
    }

    fn kind(&self) -> &'static str {
        self.request.kind.label()
    }

    fn is(&self, code: &str) -> bool {
        self.request.status.as_str() == code
    }

    fn session_open(&self) -> bool {
        self.request.status.is_open() && self.request.first_use_session != FirstUseSession::Done
    }

    fn yes_no(&self, value: &Option<bool>) -> &'static str {
        match value {
            Some(true) => "ja",
            Some(false) => "nee",
            None => "gewist",
        }
    }
}

async fn request_view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: &str,
) -> Result<RequestPage, AppError> {
    let request = state.store.device_request(actor, id).await?;
    let at_bank = actor.works_at_bank(&request.bank_organisation_id);
    let ready = if at_bank && request.status == DeviceRequestStatus::Open {
        let filter = DeviceFilter {
            status: Some(DeviceStatus::Ready),
            kind: Some(request.kind),
        };
        state
            .store
            .devices(actor, &filter)
            .await?
            .into_iter()
            .filter(|d| d.bank_organisation_id == request.bank_organisation_id)
            .map(|d| Choice {
                label: format!("{} nr. {} ({})", d.make_model, d.number, d.donor_name),
                code: d.id,
                selected: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    let defaults = if at_bank {
        state
            .store
            .bank_loan_defaults(&request.bank_organisation_id, &request.municipality_code)
            .await?
    } else {
        None
    };
    let paired = state.store.paired_data_offer(&request.id).await?;
    let offers = if at_bank {
        state
            .store
            .active_data_offers_in(&request.municipality_code, today(state))
            .await?
            .into_iter()
            .map(|o| Choice {
                label: format!(
                    "{}: {} ({})",
                    o.provider,
                    keten_core::data_offer::summary_nl(o.gb(), o.month_count(), o.price_cents),
                    o.organisation_name
                ),
                selected: paired.as_ref().is_some_and(|p| p.id == o.id),
                code: o.id,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(RequestPage {
        shell,
        created: moment(request.created_at),
        request,
        at_bank,
        ready,
        step_error: None,
        deposit: defaults.map_or_else(String::new, |d| {
            super::loan_settings::euro_input(d.deposit_cents)
        }),
        months: defaults.map_or_else(String::new, |d| d.months.to_string()),
        errors: Vec::new(),
        paired: paired.map(|o| {
            format!(
                "{} van {}: {}",
                o.kind().label(),
                o.provider,
                keten_core::data_offer::summary_nl(o.gb(), o.month_count(), o.price_cents)
            )
        }),
        offers,
        pair_error: None,
    })
}

async fn request_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<RequestPage, PageError> {
    Ok(request_view(&state, shell, &me.0.actor, &id).await?)
}

#[derive(Debug, Default, Deserialize)]
struct RequestStepForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    device_id: String,
    /// Deposit in euro, for a hand-out on loan.
    #[serde(default)]
    deposit: String,
    #[serde(default)]
    months: String,
}

async fn request_step(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
    Form(form): Form<RequestStepForm>,
) -> Result<Response, PageError> {
    let actor = &me.0.actor;
    let loan = if form.action.trim() == "hand_out" {
        parse_loan_input(Some(&form.deposit), Some(&form.months))
    } else {
        Ok(None)
    };
    let result = match (
        parse_request_step(&form.action, Some(form.device_id.clone())),
        loan,
    ) {
        (Ok(step), Ok(loan)) => {
            let step: RequestStep = step;
            state
                .store
                .act_on_device_request_with_loan(actor, &id, &step, loan.as_ref(), state.now())
                .await
                .map_err(AppError::from)
        }
        (Err(e), _) => Err(e),
        (_, Err(errors)) => Err(AppError::Validation(errors)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/apparaten/aanvragen/{id}")).into_response()),
        Err(e @ (AppError::Conflict(_) | AppError::Validation(_))) => {
            let status = e.status();
            let mut page = request_view(&state, shell, actor, &id).await?;
            if let AppError::Validation(errors) = &e
                && errors
                    .iter()
                    .any(|v| v.field == "deposit" || v.field == "months")
            {
                page.errors.clone_from(errors);
            } else {
                page.step_error = Some(e.detail());
            }
            if form.action.trim() == "hand_out" {
                page.deposit = form.deposit;
                page.months = form.months;
            }
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct PairForm {
    /// Empty: remove the pairing.
    #[serde(default)]
    data_offer_id: String,
}

/// The bank pairs a running data offer of the request's municipality with the device (or removes the pairing).
async fn pair_offer(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
    Form(form): Form<PairForm>,
) -> Result<Response, PageError> {
    let actor = &me.0.actor;
    require_bank_role(actor)?;
    let offer = Some(form.data_offer_id.trim()).filter(|o| !o.is_empty());
    match state
        .store
        .pair_data_offer(actor, &id, offer, today(&state), state.now())
        .await
        .map_err(AppError::from)
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/apparaten/aanvragen/{id}#data-aanbod")).into_response())
        }
        Err(e @ AppError::Validation(_)) => {
            let status = e.status();
            let mut page = request_view(&state, shell, actor, &id).await?;
            page.pair_error = Some(e.detail());
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
