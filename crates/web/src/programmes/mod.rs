//! National programmes over HTTP: the checks of an application shared by pages and the JSON API, and the routes.

mod accountability;
pub(crate) mod api;
pub(crate) mod apply_api;
pub(crate) mod grants;
mod open_data;
mod pages;
pub(crate) mod report_mail;
pub(crate) mod reports;
pub(crate) mod selection;

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::programme::{
    Amount, Eligibility, EuroCents, MemberRole, ProgrammeKind, check_cap, check_conditions,
    eligibility,
};
use keten_core::reference::{municipality, municipality_by_code_or_name};
use keten_store::Actor;
use keten_store::programmes::{Application, NewApplication, Programme};

pub fn router() -> Router<AppState> {
    pages::router()
        .merge(selection::router())
        .merge(open_data::router())
        .merge(grants::router())
        .merge(reports::router())
        .merge(accountability::router())
}

/// Only programme managers (and admins) run programmes.
pub(crate) fn require_manager(actor: &Actor) -> Result<(), AppError> {
    if actor.has_any_role(&[Role::ProgrammeManager, Role::Admin]) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// An application as typed, on a page or in the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ApplicationInput {
    pub organisation_id: String,
    pub amount: String,
    /// "1" when the amount includes VAT.
    pub amount_vat_included: bool,
    pub proposal: String,
    pub helix_partners: String,
    pub wave_id: String,
    pub confirmed: Vec<usize>,
    /// Funded member municipalities (names or codes), one per line.
    pub members: String,
    /// Partners without funding (names or codes), one per line.
    pub partners: String,
}

/// Checks an application against the programme: open, cap (with or without VAT), every condition, the
/// eligibility of the applicant and of each member, the wave. All problems together, in Dutch. The amount comes
/// already read: as typed on the page, or in cents from the API.
pub(crate) async fn check_application_with(
    state: &AppState,
    programme: &Programme,
    applicant_municipality: &str,
    input: &ApplicationInput,
    amount: Result<EuroCents, ValidationError>,
) -> Result<NewApplication, AppError> {
    let mut errors: Vec<ValidationError> = Vec::new();
    let today = keten_core::steering::local_date(state.now());
    if !programme.is_open(today) {
        errors.push(ValidationError::new(
            "programme",
            format!(
                "Deze oproep is open van {} tot en met {}. Aanvragen kan nu niet.",
                programme.opens_on.strftime("%d-%m-%Y"),
                programme.closes_on.strftime("%d-%m-%Y")
            ),
        ));
    }
    let amount = match amount {
        Ok(cents) => {
            let amount = Amount {
                cents,
                vat_included: input.amount_vat_included,
            };
            if let Err(e) = check_cap(amount, programme.cap, programme.vat_percent) {
                errors.push(e);
            }
            Some(amount)
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    errors.extend(check_conditions(&programme.conditions, &input.confirmed));
    if let Some(m) = municipality(applicant_municipality) {
        let taking_part = state.store.programmes_of_municipality(&m.code).await?;
        match eligibility(&programme.rules, m, &taking_part) {
            Eligibility::Eligible => {}
            Eligibility::PartnerOnly(why) | Eligibility::NotEligible(why) => {
                errors.push(ValidationError::new("organisation_id", why));
            }
        }
    }
    let mut members = Vec::new();
    let dossier = programme.kind == ProgrammeKind::ProjectCall;
    for (text, role) in [
        (&input.members, MemberRole::Member),
        (&input.partners, MemberRole::Partner),
    ] {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !dossier {
                errors.push(ValidationError::new(
                    "members",
                    "Alleen bij een projectoproep vraagt u samen met andere gemeenten aan.",
                ));
                break;
            }
            let Some(m) = municipality_by_code_or_name(line) else {
                errors.push(ValidationError::new(
                    "members",
                    format!("De gemeente '{line}' kennen wij niet. Controleer de naam."),
                ));
                continue;
            };
            if members.iter().any(|(c, _)| *c == m.code) {
                continue;
            }
            if role == MemberRole::Member {
                let taking_part = state.store.programmes_of_municipality(&m.code).await?;
                match eligibility(&programme.rules, m, &taking_part) {
                    Eligibility::Eligible => {}
                    Eligibility::PartnerOnly(why) => errors.push(ValidationError::new(
                        "members",
                        format!("{why} Zet {} bij de partners zonder financiering.", m.name),
                    )),
                    Eligibility::NotEligible(why) => {
                        errors.push(ValidationError::new("members", why));
                    }
                }
            }
            members.push((m.code.clone(), role));
        }
    }
    let wave_id = match input.wave_id.trim() {
        "" if programme.kind == ProgrammeKind::SubsidyScheme => {
            errors.push(ValidationError::new(
                "wave_id",
                "Kies de golf waarin u wilt meedoen.",
            ));
            None
        }
        "" => None,
        w if programme.waves.iter().any(|x| x.id == w) => Some(w.to_owned()),
        _ => {
            errors.push(ValidationError::new(
                "wave_id",
                "Kies een golf uit de lijst.",
            ));
            None
        }
    };
    let proposal = input.proposal.trim().to_owned();
    if proposal.is_empty() || proposal.chars().count() > 10_000 {
        errors.push(ValidationError::new(
            "proposal",
            "Beschrijf uw voorstel in hooguit 10.000 tekens.",
        ));
    }
    match amount {
        Some(amount) if errors.is_empty() => Ok(NewApplication {
            organisation_id: input.organisation_id.clone(),
            amount,
            proposal,
            helix_partners: input.helix_partners.trim().to_owned(),
            wave_id,
            confirmed_conditions: input.confirmed.clone(),
            members,
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

/// Applies for `input.organisation_id` (or, left empty, the actor's only organisation that may apply): the
/// checks of [`check_application_with`], then the store. The page and the API both come here. Forbidden when the
/// actor applies for no organisation of the programme's kind of applicant; the organisation actually applied for
/// is written back into `input`.
pub(crate) async fn apply(
    state: &AppState,
    actor: &Actor,
    programme: &Programme,
    input: &mut ApplicationInput,
    amount: Result<EuroCents, ValidationError>,
) -> Result<Application, AppError> {
    let mine = state
        .store
        .applicant_organisations(actor, programme.applicant_kind)
        .await?;
    if mine.is_empty() {
        return Err(AppError::Forbidden);
    }
    let Some((organisation_id, _, municipality_code)) = mine
        .iter()
        .find(|(id, _, _)| *id == input.organisation_id)
        .or_else(|| (mine.len() == 1).then(|| &mine[0]))
    else {
        return Err(AppError::Validation(vec![ValidationError::new(
            "organisation_id",
            "Kies voor welke organisatie u aanvraagt.",
        )]));
    };
    input.organisation_id.clone_from(organisation_id);
    let new = check_application_with(state, programme, municipality_code, input, amount).await?;
    state
        .store
        .submit_application(actor, programme, &new, state.now())
        .await
        .map_err(|e| match e {
            keten_store::StoreError::Conflict(_) => AppError::Conflict(
                "Over deze aanvraag is al besloten; u kunt hem niet meer wijzigen.".into(),
            ),
            other => other.into(),
        })
}

/// Euro cents from the selection (unsigned) in Dutch notation, for the explanations.
pub(crate) fn cents(c: &u64) -> String {
    EuroCents(i64::try_from(*c).unwrap_or(i64::MAX)).display()
}
