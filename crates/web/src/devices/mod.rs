//! The device bank over HTTP: parsing steps and donations shared by pages and the JSON API, role checks, and the routes.

pub(crate) mod api;
pub(crate) mod data_offers;
pub(crate) mod figures;
pub(crate) mod loan_settings;
mod pages;

use crate::error::AppError;
use jiff::civil::Date;
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::device::{DeviceAction, DeviceError, WipeEvidence, WipeMethod};
use keten_store::Actor;
use keten_store::StoreError;
use keten_store::devices::{BANK_ROLES, DONOR_ROLES, DeviceStepError};

pub use data_offers::send_loan_reminders;

/// The device bank's pages and the data offers' page.
pub fn router() -> axum::Router<crate::AppState> {
    pages::router()
        .merge(data_offers::router())
        .merge(loan_settings::router())
}

impl From<DeviceStepError> for AppError {
    fn from(e: DeviceStepError) -> Self {
        match e {
            DeviceStepError::Refused(refused) => refused.into(),
            DeviceStepError::Store(StoreError::Conflict(_)) => AppError::Conflict(
                "Iemand anders heeft dit apparaat of deze aanvraag net veranderd (of het apparaat is net voor een andere aanvraag gereserveerd). Laad de pagina opnieuw."
                    .into(),
            ),
            DeviceStepError::Store(s) => s.into(),
        }
    }
}

impl From<DeviceError> for AppError {
    fn from(e: DeviceError) -> Self {
        AppError::Conflict(e.to_string())
    }
}

/// Works at a device bank (staff or coordinator of some organisation) or is an admin. Whether that organisation
/// is a bank, and of which devices, is the store's tenant check.
pub(crate) fn require_bank_role(actor: &Actor) -> Result<(), AppError> {
    if actor.is_admin() || actor.has_any_role(BANK_ROLES) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// May register a donation for an organisation (partner, staff, coordinator, steering) or is an admin.
pub(crate) fn require_donor_role(actor: &Actor) -> Result<(), AppError> {
    if actor.is_admin() || actor.has_any_role(DONOR_ROLES) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Asks for devices for residents: the roles that send referrals.
pub(crate) fn require_request_role(actor: &Actor) -> Result<(), AppError> {
    if actor.is_admin() || actor.has_any_role(keten_store::routing_rules::REFERRAL_ROLES) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The donor organisation: the one named (the actor must hold a donor role there), or its first.
pub(crate) fn donor_organisation(actor: &Actor, named: Option<&str>) -> Result<String, AppError> {
    let mut allowed = actor
        .memberships
        .iter()
        .filter(|m| DONOR_ROLES.contains(&m.role) || m.role == Role::Admin)
        .map(|m| m.organisation_id.clone());
    match named.map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => {
            if actor.is_admin() {
                Ok(id.to_owned())
            } else {
                allowed.find(|o| o == id).ok_or(AppError::Forbidden)
            }
        }
        None => allowed.next().ok_or(AppError::Forbidden),
    }
}

/// A wipe as typed: a record (method, tool, day, certificate) or an exemption with its reason.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct WipeInput {
    /// `nist_800_88_clear`, `nist_800_88_purge`, `ieee_2883_clear`, `ieee_2883_purge` or `other`.
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub tool: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub wiped_on: Option<String>,
    #[serde(default)]
    pub certificate: Option<String>,
    /// Instead of a record: why no wipe is needed (at least 10 characters).
    #[serde(default)]
    pub exemption: Option<String>,
}

impl WipeInput {
    /// The evidence, checked against today's date; every problem at its field.
    pub fn parse(&self, today: Date) -> Result<WipeEvidence, Vec<ValidationError>> {
        let exemption = self
            .exemption
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let evidence = if let Some(reason) = exemption {
            WipeEvidence::Exemption {
                reason: reason.to_owned(),
            }
        } else {
            let mut errors = Vec::new();
            let method = match self.method.as_deref().unwrap_or("").parse::<WipeMethod>() {
                Ok(m) => Some(m),
                Err(_) => {
                    errors.push(ValidationError::new(
                        "method",
                        "Kies de methode van wissen, of schrijf op waarom wissen niet nodig is.",
                    ));
                    None
                }
            };
            let wiped_on = match self
                .wiped_on
                .as_deref()
                .unwrap_or("")
                .trim()
                .parse::<Date>()
            {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(ValidationError::new(
                        "wiped_on",
                        "Vul de datum van het wissen in als jjjj-mm-dd, bijvoorbeeld 2026-03-02.",
                    ));
                    None
                }
            };
            let (Some(method), Some(wiped_on)) = (method, wiped_on) else {
                return Err(errors);
            };
            WipeEvidence::Record {
                method,
                tool: self.tool.clone().unwrap_or_default(),
                wiped_on,
                certificate: self.certificate.clone().unwrap_or_default(),
            }
        };
        evidence.check(today)?;
        Ok(evidence)
    }
}

/// A step by its code (`accept`, `decline`, `wipe`, `refurbish`, `mark_ready`, `release`, `hand_out`, `return`,
/// `recycle`); `wipe` takes the evidence. `reserve` goes through a request.
pub(crate) fn parse_action(
    code: &str,
    wipe: Option<&WipeInput>,
    today: Date,
) -> Result<DeviceAction, AppError> {
    Ok(match code.trim() {
        "accept" => DeviceAction::Accept,
        "decline" => DeviceAction::Decline,
        "wipe" => {
            let input = wipe.cloned().unwrap_or_default();
            DeviceAction::Wipe(input.parse(today).map_err(AppError::Validation)?)
        }
        "refurbish" => DeviceAction::Refurbish,
        "mark_ready" => DeviceAction::MarkReady,
        "release" => DeviceAction::Release,
        "hand_out" => DeviceAction::HandOut,
        "return" => DeviceAction::Return,
        "recycle" => DeviceAction::Recycle,
        other => {
            return Err(AppError::Validation(vec![ValidationError::new(
                "action",
                format!(
                    "Onbekende stap '{other}'. Kies uit: accept, decline, wipe, refurbish, mark_ready, release, hand_out, return, recycle (reserveren gaat via een aanvraag)."
                ),
            )]));
        }
    })
}

/// Steps that may follow now, as the lifecycle rule says (wiping is its own form; reserving goes through a
/// request): the page offers exactly these.
pub(crate) fn next_steps(
    state: keten_core::device::DeviceState,
) -> Vec<(&'static str, &'static str)> {
    use keten_core::device::transition;
    let candidates = [
        ("accept", DeviceAction::Accept),
        ("decline", DeviceAction::Decline),
        ("refurbish", DeviceAction::Refurbish),
        ("mark_ready", DeviceAction::MarkReady),
        ("hand_out", DeviceAction::HandOut),
        ("release", DeviceAction::Release),
        ("return", DeviceAction::Return),
        ("recycle", DeviceAction::Recycle),
    ];
    candidates
        .into_iter()
        .filter(|(_, action)| transition(state, action).is_ok())
        .map(|(code, action)| (code, action.label()))
        .collect()
}

/// Whether the wipe form belongs on the page now.
pub(crate) fn may_wipe(state: keten_core::device::DeviceState) -> bool {
    let probe = DeviceAction::Wipe(WipeEvidence::Exemption {
        reason: String::new(),
    });
    keten_core::device::transition(state, &probe).is_ok()
}
