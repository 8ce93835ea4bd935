//! Running a programme's selection (the pure `keten_core::selection::select`), storing and publishing it, and a
//! manager's override with a recorded reason.

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use keten_core::ValidationError;
use keten_core::programme::{ApplicationStatus, size_class};
use keten_core::reference::municipality;
use keten_core::selection::{
    Candidate, Decision, Explanation, RefusalReason, Selection, SelectionRules, Stratum, select,
};
use keten_store::Actor;
use keten_store::programmes::{Application, Programme, RunOutcome};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programmas/{id}/selectie", post(run_selection_page))
        .route("/aanvragen/{id}/afwijken", post(override_page))
}

/// The stratum of an application: size class (Dutch, lower case, as the explanations read it) and province.
pub(crate) fn stratum_of(a: &Application, p: &Programme) -> Stratum {
    match municipality(&a.municipality_code) {
        Some(m) => Stratum::new(
            size_class(m.population, p.size_thresholds)
                .label()
                .to_lowercase(),
            if m.province.is_empty() {
                "Brussel".to_owned()
            } else {
                m.province.clone()
            },
        ),
        None => Stratum::new("onbekend", "onbekend"),
    }
}

/// The hard rules at the moment of the run: a missing piece or an unconfirmed dossier member keeps an application
/// out of the lottery; so does a condition no longer confirmed (the programme's list may have grown). The request
/// for a missing piece, not the status, says what is missing: a re-run finds statuses set by the earlier run.
fn refusal(a: &Application, p: &Programme) -> Option<RefusalReason> {
    if a.status == ApplicationStatus::Withdrawn {
        Some(RefusalReason::Withdrawn)
    } else if a.info_request.is_some() || !a.members_confirmed() {
        Some(RefusalReason::Incomplete)
    } else if (0..p.conditions.len()).any(|i| !a.confirmed_conditions.contains(&i)) {
        Some(RefusalReason::ConditionNotConfirmed)
    } else {
        None
    }
}

/// Runs the selection and stores it; the seed is the one given or a fresh random one. Without a wave: over every
/// application, for the programme's maximum. With a wave (the libraries' scheme): over the applications for that
/// wave and those of earlier waves not selected there ("later waves from the rest"), for the wave's places; the
/// participants selected in earlier waves keep their places.
pub(crate) async fn run_selection(
    state: &AppState,
    actor: &Actor,
    programme_id: &str,
    seed: Option<u64>,
    wave_id: Option<&str>,
) -> Result<Selection, AppError> {
    let p = state.store.managed_programme(actor, programme_id).await?;
    let mut applications = state
        .store
        .selection_candidates(actor, programme_id)
        .await?;
    let mut capacity = p.max_participants;
    let mut budget = u64::try_from(p.budget.0).ok().filter(|b| *b > 0);
    if let Some(w) = wave_id {
        let Some(position) = p.waves.iter().position(|x| x.id == w) else {
            return Err(AppError::Validation(vec![ValidationError::new(
                "wave_id",
                "Kies een golf uit de lijst.",
            )]));
        };
        let earlier: Vec<&str> = p.waves[..position].iter().map(|x| x.id.as_str()).collect();
        applications.retain(|a| match a.wave_id.as_deref() {
            Some(x) if x == w => true,
            Some(x) => earlier.contains(&x) && a.status != ApplicationStatus::Selected,
            None => false,
        });
        capacity = p.waves[position].places;
        // The amounts per wave are the scheme's table; the programme's budget is not split over the waves.
        budget = None;
    }
    let candidates: Vec<Candidate> = applications
        .iter()
        .map(|a| Candidate {
            id: a.id.clone(),
            stratum: stratum_of(a, &p),
            amount_cents: u64::try_from(a.amount.cents.0).unwrap_or(0),
            refusal: refusal(a, &p),
        })
        .collect();
    let seed = seed.unwrap_or_else(rand::random::<u64>);
    let rules = SelectionRules {
        capacity,
        budget_cents: budget,
        seed,
    };
    let selection = select(&candidates, &rules)?;
    let outcomes = selection
        .outcomes
        .iter()
        .map(|o| RunOutcome {
            application_id: o.id.clone(),
            status: match o.decision {
                Decision::Selected => ApplicationStatus::Selected,
                Decision::Reserve { .. } => ApplicationStatus::Reserve,
                Decision::Refused { .. } => ApplicationStatus::Rejected,
            },
            probability: o.probability,
            explanation: serde_json::to_string(&o.explanation).unwrap_or_default(),
        })
        .collect::<Vec<_>>();
    let result = serde_json::to_string(&selection)
        .map_err(|e| AppError::Internal(format!("selection to JSON: {e}")))?;
    state
        .store
        .record_selection(
            actor,
            programme_id,
            &seed.to_string(),
            &result,
            &outcomes,
            wave_id,
            state.now(),
        )
        .await?;
    Ok(selection)
}

/// An explanation read back from its stored JSON (None when absent or unreadable).
pub(crate) fn explanation(json: Option<&str>) -> Option<Explanation> {
    json.and_then(|j| serde_json::from_str(j).ok())
}

#[derive(Debug, Default, Deserialize)]
struct RunForm {
    #[serde(default)]
    seed: String,
    /// Empty: the whole programme at once.
    #[serde(default)]
    wave_id: String,
}

async fn run_selection_page(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<RunForm>,
) -> Result<Response, PageError> {
    super::require_manager(&me.actor)?;
    let seed = match form.seed.trim() {
        "" => None,
        s => Some(s.parse::<u64>().map_err(|_| {
            AppError::Validation(vec![ValidationError::new(
                "seed",
                "Het startgetal van de loting is een heel getal van 0 tot 18446744073709551615, of leeg.",
            )])
        })?),
    };
    let wave = Some(form.wave_id.trim()).filter(|w| !w.is_empty());
    run_selection(&state, &me.actor, &id, seed, wave).await?;
    Ok(Redirect::to(&format!("/programmas/{id}/beheer")).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct OverrideForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
}

async fn override_page(
    State(state): State<AppState>,
    shell: crate::shell::Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<OverrideForm>,
) -> Result<Response, PageError> {
    super::require_manager(&me.actor)?;
    let result = match form.status.parse::<ApplicationStatus>() {
        Ok(to) => {
            state
                .store
                .override_decision(&me.actor, &id, to, &form.reason, state.now())
                .await
        }
        Err(_) => {
            // Unknown or foreign applications stay 404 before their input is judged.
            state.store.application(&me.actor, &id).await?;
            Err(keten_store::StoreError::Invalid(vec![
                ValidationError::new("status", "Kies gekozen, reservelijst of afgewezen."),
            ]))
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/aanvragen/{id}")).into_response()),
        Err(keten_store::StoreError::Invalid(errors)) => Ok(super::pages::override_refused(
            &state,
            shell,
            &me.actor,
            &id,
            errors,
            form.status,
            form.reason,
        )
        .await?),
        Err(e) => Err(AppError::from(e).into()),
    }
}
