//! The device bank's loan rules as a page, `/apparaten/uitleenregels`: deposit, loan length, reminder days and late refunds per municipality.

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::programme::EuroCents;
use keten_store::data_offers::LoanSettings;
use keten_store::{Actor, StoreError};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/apparaten/uitleenregels",
        get(settings_page).post(save_settings),
    )
}

/// Euro cents as the form shows them: "20", "12,50", "0".
pub(crate) fn euro_input(cents: i64) -> String {
    if cents % 100 == 0 {
        format!("{}", cents / 100)
    } else {
        format!("{},{:02}", cents / 100, (cents % 100).abs())
    }
}

/// One bank's rules as typed or stored.
#[derive(Debug, Default, Clone, Deserialize)]
struct RulesForm {
    #[serde(default)]
    municipality_code: String,
    #[serde(default)]
    deposit: String,
    #[serde(default)]
    months: String,
    #[serde(default)]
    remind_days: String,
    #[serde(default)]
    refund_late_returns: Option<String>,
}

impl RulesForm {
    fn of(code: &str, s: LoanSettings) -> Self {
        Self {
            municipality_code: code.to_owned(),
            deposit: euro_input(s.deposit_cents),
            months: s.months.to_string(),
            remind_days: s.remind_days.to_string(),
            refund_late_returns: s.refund_late_returns.then(|| "1".to_owned()),
        }
    }

    fn parse(&self) -> Result<LoanSettings, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let deposit = if self.deposit.trim().is_empty() {
            Ok(0)
        } else {
            EuroCents::parse("deposit", &self.deposit).map(|c| c.0)
        };
        let months = self.months.trim().parse::<i64>().map_err(|_| {
            ValidationError::new(
                "months",
                "Vul de leentijd in hele maanden in, bijvoorbeeld 36.",
            )
        });
        let remind_days = self.remind_days.trim().parse::<i64>().map_err(|_| {
            ValidationError::new(
                "remind_days",
                "Vul in hoeveel dagen voor de einddatum u herinnert, bijvoorbeeld 14.",
            )
        });
        match (deposit, months, remind_days) {
            (Ok(deposit_cents), Ok(months), Ok(remind_days)) => Ok(LoanSettings {
                deposit_cents,
                months,
                remind_days,
                refund_late_returns: self.refund_late_returns.is_some(),
            }),
            (d, m, r) => {
                errors.extend(d.err());
                errors.extend(m.err());
                errors.extend(r.err());
                Err(errors)
            }
        }
    }
}

/// A bank the reader may set the rules of.
struct BankRules {
    municipality: String,
    bank: String,
    form: RulesForm,
    errors: Vec<ValidationError>,
    saved: bool,
}

impl BankRules {
    fn error_at(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "device_loan_rules.html")]
struct RulesPage {
    shell: Shell,
    banks: Vec<BankRules>,
}

fn may_set(actor: &Actor) -> Result<(), AppError> {
    if actor.is_admin() || actor.has_any_role(&[Role::Staff, Role::Coordinator, Role::Steering]) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The banks whose rules the actor may read and set (the bank's staff, the municipality's steering, admins).
async fn banks(
    state: &AppState,
    actor: &Actor,
    saved: Option<&str>,
) -> Result<Vec<BankRules>, AppError> {
    let mut out = Vec::new();
    for bank in state.store.device_banks_for(actor).await? {
        let settings = match state
            .store
            .loan_settings(actor, &bank.municipality_code)
            .await
        {
            Ok(s) => s,
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        out.push(BankRules {
            municipality: keten_core::reference::municipality(&bank.municipality_code)
                .map_or_else(|| bank.municipality_code.clone(), |m| m.name.clone()),
            bank: bank.organisation_name.clone(),
            form: RulesForm::of(&bank.municipality_code, settings),
            errors: Vec::new(),
            saved: saved == Some(bank.municipality_code.as_str()),
        });
    }
    Ok(out)
}

#[derive(Debug, Default, Deserialize)]
struct SavedQuery {
    #[serde(default)]
    opgeslagen: Option<String>,
}

async fn settings_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Result<RulesPage, PageError> {
    let actor = &me.0.actor;
    may_set(actor)?;
    let banks = banks(&state, actor, q.opgeslagen.as_deref()).await?;
    if banks.is_empty() {
        return Err(AppError::NotFound.into());
    }
    Ok(RulesPage { shell, banks })
}

async fn save_settings(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Form(form): Form<RulesForm>,
) -> Result<Response, PageError> {
    let actor = &me.0.actor;
    may_set(actor)?;
    let code = form.municipality_code.trim().to_owned();
    let result = match form.parse() {
        Ok(settings) => state
            .store
            .set_loan_settings(actor, &code, settings)
            .await
            .map_err(AppError::from),
        Err(errors) => Err(AppError::Validation(errors)),
    };
    match result {
        Ok(_) => {
            let query =
                serde_urlencoded::to_string([("opgeslagen", code.as_str())]).unwrap_or_default();
            Ok(
                Redirect::to(&format!("/apparaten/uitleenregels?{query}#regels-{code}"))
                    .into_response(),
            )
        }
        Err(AppError::Validation(errors)) => {
            let mut banks = banks(&state, actor, None).await?;
            let Some(bank) = banks.iter_mut().find(|b| b.form.municipality_code == code) else {
                return Err(AppError::NotFound.into());
            };
            bank.form = form;
            bank.form.municipality_code = code;
            bank.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, RulesPage { shell, banks }).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
