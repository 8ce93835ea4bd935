//! Local action plans over HTTP (`/regie/actieplan`, `/api/v1/action-plans`): role checks, the figures of a plan's actions and its progress, shared by pages, exports and the JSON API.

pub(crate) mod api;
mod pages;

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use keten_core::account::Role;
use keten_core::action_plan::{Metric, MetricValue, Progress, progress};
use keten_store::action_plans::PlanDetail;
use keten_store::{Actor, StoreError};

pub fn router() -> Router<AppState> {
    pages::router()
}

/// Who may read plans at all: steering (its own), programme managers (with a trajectory there) and admins.
pub(crate) fn require_reader(actor: &Actor) -> Result<(), AppError> {
    if actor.has_any_role(&[Role::Steering, Role::ProgrammeManager, Role::Admin]) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Only a municipality's steering writes its plans.
pub(crate) fn require_writer(actor: &Actor) -> Result<(), AppError> {
    if actor.has_role(Role::Steering) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A reader who may not write (a programme manager, or steering of a plan it only reads) gets 403.
pub(crate) fn store_error(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(what) if what == "action_plan_read_only" => AppError::Forbidden,
        other => other.into(),
    }
}

pub(crate) fn today(state: &AppState) -> jiff::civil::Date {
    keten_core::steering::local_date(state.now())
}

/// The current value of every metric for the plan's municipality and period.
pub(crate) async fn plan_figures(
    state: &AppState,
    d: &PlanDetail,
) -> Result<Vec<(Metric, Option<MetricValue>)>, AppError> {
    let inputs = state
        .store
        .plan_metric_inputs(&d.plan.municipality_code, d.plan.range())
        .await?;
    Ok(Metric::ALL.iter().map(|m| (*m, m.value(&inputs))).collect())
}

pub(crate) fn plan_progress(d: &PlanDetail, today: jiff::civil::Date) -> Progress {
    let list: Vec<_> = d
        .actions
        .iter()
        .map(|a| (a.horizon, a.status, a.due_on))
        .collect();
    progress(&list, today)
}

pub(crate) fn municipality_name(code: &str) -> String {
    keten_core::reference::municipality(code).map_or_else(|| code.to_owned(), |m| m.name.clone())
}

/// A plan that is the outcome of a trajectory, as the trajectory page shows it: (id, title, progress text).
pub(crate) async fn trajectory_plans(
    state: &AppState,
    trajectory_id: &str,
) -> Result<Vec<(String, String, String)>, AppError> {
    let today = today(state);
    let mut out = Vec::new();
    for plan in state
        .store
        .action_plans_of_trajectory(trajectory_id)
        .await?
    {
        let d = state.store.plan_detail_unchecked(plan).await?;
        let p = plan_progress(&d, today);
        let done = p.with_status(keten_core::action_plan::ActionStatus::Done);
        let mut text = format!("{done} van {} acties klaar", p.total);
        if p.overdue > 0 {
            text.push_str(&format!(", {} te laat", p.overdue));
        }
        out.push((d.plan.id.clone(), d.plan.title.clone(), text));
    }
    Ok(out)
}
