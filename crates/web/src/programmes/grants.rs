//! Grants of a programme: awarding a contribution to a selected application within the cap and the budget left, recording payments in instalments, and the budget awarded, paid and left.

use super::pages::{Choice, dutch_date};
use super::require_manager;
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use keten_core::ValidationError;
use keten_core::programme::{Amount, ApplicationStatus, EuroCents, parse_date};
use keten_store::Actor;
use keten_store::programme_money::{Budget, Grant};
use keten_store::programmes::{ApplicationFilter, Programme};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programmas/{id}/geld", get(grants_page))
        .route("/programmas/{id}/subsidies", post(award_grant))
        .route("/subsidies/{id}", get(grant_page))
        .route("/subsidies/{id}/betalingen", post(record_payment))
        .route("/subsidies/{id}/bedrag", post(change_amount))
        .route("/subsidies/{id}/intrekken", post(withdraw_grant))
}

/// The money of a programme as pages show it.
#[derive(Debug, Clone)]
pub(crate) struct BudgetView {
    pub budget: String,
    pub awarded: String,
    pub paid: String,
    pub left: String,
    pub footing: &'static str,
    /// Paid on withdrawn grants, to be reclaimed; empty when nothing is.
    pub to_reclaim: String,
}

pub(crate) fn budget_view(b: &Budget, p: &Programme) -> BudgetView {
    BudgetView {
        budget: b.budget.display(),
        awarded: b.awarded.display(),
        paid: b.paid.display(),
        left: b.left.display(),
        footing: footing(p.cap.vat_included),
        to_reclaim: if b.to_reclaim.0 > 0 {
            b.to_reclaim.display()
        } else {
            String::new()
        },
    }
}

fn footing(vat_included: bool) -> &'static str {
    if vat_included {
        "inclusief btw"
    } else {
        "exclusief btw"
    }
}

/// A grant as pages show it.
#[derive(Debug, Clone)]
pub(crate) struct GrantView {
    pub id: String,
    pub application_id: String,
    pub organisation: String,
    pub amount: String,
    pub paid: String,
    pub open: String,
    pub note: String,
    pub awarded: String,
    pub payments: Vec<(String, String)>,
    /// The day and reason of a withdrawal.
    pub withdrawn: Option<(String, String)>,
    /// What the participant must pay back after a withdrawal (empty when nothing).
    pub to_reclaim: String,
}

pub(crate) fn grant_view(g: &Grant) -> GrantView {
    GrantView {
        id: g.id.clone(),
        application_id: g.application_id.clone(),
        organisation: g.organisation_name.clone(),
        amount: format!(
            "{} {}",
            g.amount.cents.display(),
            footing(g.amount.vat_included)
        ),
        paid: g.paid.display(),
        open: if g.withdrawn.is_some() {
            EuroCents(0).display()
        } else {
            EuroCents(g.amount.cents.0 - g.paid.0).display()
        },
        note: g.note.clone(),
        awarded: dutch_date(keten_core::steering::local_date(g.awarded_at)),
        payments: g
            .payments
            .iter()
            .map(|p| (dutch_date(p.paid_on), p.amount.display()))
            .collect(),
        withdrawn: g.withdrawn.as_ref().map(|w| {
            (
                dutch_date(keten_core::steering::local_date(w.at)),
                w.reason.clone(),
            )
        }),
        to_reclaim: if g.to_reclaim().0 > 0 {
            g.to_reclaim().display()
        } else {
            String::new()
        },
    }
}

/// The grant form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct AwardForm {
    #[serde(default)]
    pub application_id: String,
    #[serde(default)]
    pub amount: String,
    /// "1" when the amount includes VAT; empty means the programme's own footing.
    #[serde(default)]
    pub amount_vat_included: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_grants.html")]
struct GrantsPage {
    shell: Shell,
    programme_id: String,
    programme_name: String,
    budget: BudgetView,
    cap: String,
    grants: Vec<GrantView>,
    candidates: Vec<Choice>,
    form: AwardForm,
    vat_included: bool,
    errors: Vec<ValidationError>,
}

impl GrantsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field)
    }
}

pub(crate) fn field_error<'a>(errors: &'a [ValidationError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

async fn grants_view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    programme_id: &str,
    form: AwardForm,
    errors: Vec<ValidationError>,
) -> Result<GrantsPage, AppError> {
    let p = state.store.managed_programme(actor, programme_id).await?;
    let budget = state.store.programme_budget(actor, programme_id).await?;
    let grants = state.store.programme_grants(actor, programme_id).await?;
    let selected = state
        .store
        .programme_applications(
            actor,
            programme_id,
            &ApplicationFilter {
                status: Some(ApplicationStatus::Selected),
                province: None,
            },
        )
        .await?;
    let candidates = selected
        .into_iter()
        .filter(|a| !grants.iter().any(|g| g.application_id == a.id))
        .map(|a| Choice {
            selected: a.id == form.application_id,
            label: format!(
                "{} (vraagt {})",
                a.organisation_name,
                a.amount.cents.display()
            ),
            value: a.id,
        })
        .collect();
    let vat_included = match form.amount_vat_included.as_str() {
        "1" => true,
        "0" => false,
        _ => p.cap.vat_included,
    };
    Ok(GrantsPage {
        shell,
        programme_id: p.id.clone(),
        programme_name: p.name.clone(),
        budget: budget_view(&budget, &p),
        cap: format!("{} {}", p.cap.cents.display(), footing(p.cap.vat_included)),
        grants: grants.iter().map(grant_view).collect(),
        candidates,
        form,
        vat_included,
        errors,
    })
}

async fn grants_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<GrantsPage, PageError> {
    require_manager(&me.actor)?;
    Ok(grants_view(
        &state,
        shell,
        &me.actor,
        &id,
        AwardForm::default(),
        Vec::new(),
    )
    .await?)
}

/// The typed amount on the programme's footing (its cap with or without VAT).
pub(crate) fn amount_on_footing(
    p: &Programme,
    input: &str,
    vat_included: Option<bool>,
) -> Result<EuroCents, ValidationError> {
    let cents = EuroCents::parse("amount", input)?;
    let amount = Amount {
        cents,
        vat_included: vat_included.unwrap_or(p.cap.vat_included),
    };
    Ok(if p.cap.vat_included {
        amount.including_vat(p.vat_percent)
    } else {
        amount.excluding_vat(p.vat_percent)
    })
}

/// Awards a grant: shared by the page and the API. Validation problems come back as `AppError::Validation`.
pub(crate) async fn award(
    state: &AppState,
    actor: &Actor,
    programme_id: &str,
    form: &AwardForm,
) -> Result<Grant, AppError> {
    let p = state.store.managed_programme(actor, programme_id).await?;
    let application = state
        .store
        .application(actor, form.application_id.trim())
        .await
        .map_err(|_| {
            AppError::Validation(vec![ValidationError::new(
                "application_id",
                "Kies een gekozen deelnemer van dit programma.",
            )])
        })?;
    if application.programme_id != p.id {
        return Err(AppError::Validation(vec![ValidationError::new(
            "application_id",
            "Kies een gekozen deelnemer van dit programma.",
        )]));
    }
    let vat = match form.amount_vat_included.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    };
    let amount = amount_on_footing(&p, &form.amount, vat)?;
    Ok(state
        .store
        .award_grant(actor, &application.id, amount, &form.note, state.now())
        .await?)
}

async fn award_grant(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<AwardForm>,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    match award(&state, &me.actor, &id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/programmas/{id}/geld")).into_response()),
        Err(AppError::Validation(errors)) => {
            let page = grants_view(&state, shell, &me.actor, &id, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_grant.html")]
struct GrantPage {
    shell: Shell,
    grant: GrantView,
    programme_id: String,
    programme_name: String,
    manages: bool,
    form: PaymentForm,
    edit: EditForm,
    withdraw: WithdrawForm,
    /// The cap per participant, for the edit form's hint.
    cap: String,
    vat_included: bool,
    errors: Vec<ValidationError>,
}

impl GrantPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field)
    }
}

/// An instalment as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PaymentForm {
    #[serde(default)]
    pub paid_on: String,
    #[serde(default)]
    pub amount: String,
}

/// A new amount for a grant as typed (its own field names: the page also holds the payment form).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct EditForm {
    #[serde(default)]
    pub new_amount: String,
    /// "1" when the amount includes VAT; empty means the programme's own footing.
    #[serde(default)]
    pub new_amount_vat_included: String,
}

/// A withdrawal as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct WithdrawForm {
    #[serde(default)]
    pub reason: String,
}

/// The forms of the grant page, with whichever was sent.
#[derive(Default)]
struct GrantForms {
    payment: PaymentForm,
    edit: EditForm,
    withdraw: WithdrawForm,
}

async fn grant_view_page(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: &str,
    forms: GrantForms,
    errors: Vec<ValidationError>,
) -> Result<GrantPage, AppError> {
    let g = state.store.grant(actor, id).await?;
    let p = state.store.programme(&g.programme_id).await?;
    let manages = state.store.managed_programme(actor, &p.id).await.is_ok();
    let vat_included = match forms.edit.new_amount_vat_included.as_str() {
        "1" => true,
        "0" => false,
        _ => p.cap.vat_included,
    };
    Ok(GrantPage {
        shell,
        grant: grant_view(&g),
        cap: format!("{} {}", p.cap.cents.display(), footing(p.cap.vat_included)),
        programme_id: p.id,
        programme_name: p.name,
        manages,
        form: forms.payment,
        edit: forms.edit,
        withdraw: forms.withdraw,
        vat_included,
        errors,
    })
}

async fn grant_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<GrantPage, PageError> {
    Ok(grant_view_page(
        &state,
        shell,
        &me.actor,
        &id,
        GrantForms::default(),
        Vec::new(),
    )
    .await?)
}

/// Records an instalment: shared by the page and the API.
pub(crate) async fn pay(
    state: &AppState,
    actor: &Actor,
    grant_id: &str,
    form: &PaymentForm,
) -> Result<Grant, AppError> {
    let mut errors = Vec::new();
    let paid_on = parse_date("paid_on", &form.paid_on).map_err(|e| errors.push(e));
    let amount = EuroCents::parse("amount", &form.amount).map_err(|e| errors.push(e));
    match (paid_on, amount) {
        (Ok(paid_on), Ok(amount)) => Ok(state
            .store
            .record_payment(actor, grant_id, paid_on, amount, state.now())
            .await?),
        _ => {
            // Unknown or foreign grants are 404 before their input is judged.
            state.store.grant(actor, grant_id).await?;
            Err(AppError::Validation(errors))
        }
    }
}

async fn record_payment(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<PaymentForm>,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    match pay(&state, &me.actor, &id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/subsidies/{id}")).into_response()),
        Err(AppError::Validation(errors)) => {
            let forms = GrantForms {
                payment: form,
                ..GrantForms::default()
            };
            let page = grant_view_page(&state, shell, &me.actor, &id, forms, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Changes a grant's amount: shared by the page and the API. `vat_included` None means the programme's footing.
pub(crate) async fn change(
    state: &AppState,
    actor: &Actor,
    grant_id: &str,
    amount: &str,
    vat_included: Option<bool>,
) -> Result<Grant, AppError> {
    let g = state.store.grant(actor, grant_id).await?;
    let p = state
        .store
        .managed_programme(actor, &g.programme_id)
        .await?;
    let cents = amount_on_footing(&p, amount, vat_included)?;
    Ok(state
        .store
        .change_grant_amount(actor, grant_id, cents, state.now())
        .await?)
}

/// The store names the amount `amount`; the page's edit field is `new_amount` (the payment form has `amount`).
fn as_edit_errors(errors: Vec<ValidationError>) -> Vec<ValidationError> {
    errors
        .into_iter()
        .map(|e| {
            if e.field == "amount" {
                ValidationError::new("new_amount", e.message)
            } else {
                e
            }
        })
        .collect()
}

async fn change_amount(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<EditForm>,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    let vat = match form.new_amount_vat_included.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    };
    match change(&state, &me.actor, &id, &form.new_amount, vat).await {
        Ok(_) => Ok(Redirect::to(&format!("/subsidies/{id}")).into_response()),
        Err(AppError::Validation(errors)) => {
            let forms = GrantForms {
                edit: form,
                ..GrantForms::default()
            };
            let page =
                grant_view_page(&state, shell, &me.actor, &id, forms, as_edit_errors(errors))
                    .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn withdraw_grant(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<WithdrawForm>,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    match state
        .store
        .withdraw_grant(&me.actor, &id, &form.reason, state.now())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/subsidies/{id}")).into_response()),
        Err(keten_store::StoreError::Invalid(errors)) => {
            let forms = GrantForms {
                withdraw: form,
                ..GrantForms::default()
            };
            let page = grant_view_page(&state, shell, &me.actor, &id, forms, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(AppError::from(e).into()),
    }
}
