//! The value of the help points (MKBA): the cost-benefit analysis of a municipality's registered outcomes with every assumption in sight, as JSON under `/api/v1/scba` and as a workbook with live formulas.

pub(crate) mod api;
mod export;
mod page;
mod parameters;

use crate::AppState;
use crate::auth::RequireUser;
use crate::download::xlsx_file;
use crate::error::{AppError, PageError};
use crate::steering::tables::{Resolved, StatsQuery, resolve};
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use keten_core::scba::{Outcomes, ScbaModel};
use keten_store::Actor;
use keten_store::categories::CategoryList;
use keten_store::scba::ModelOrigin;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/regie/waarde", get(page::value_page))
        .route("/regie/waarde/mkba.xlsx", get(download))
        .route(
            "/regie/waarde/parameters",
            get(parameters::parameters_page).post(parameters::save_parameters),
        )
}

/// The analysis of the scope and period as XLSX (same roles and scopes as `/regie`).
async fn download(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Query(q): Query<StatsQuery>,
) -> Result<Response, PageError> {
    let Inputs {
        resolved: r,
        model,
        outcomes,
        agencies,
        ..
    } = inputs(&state, &me.actor, &q).await?;
    let result = keten_core::scba::calculate(&model, &outcomes);
    let bytes = export::workbook(&model, &outcomes, &result, &agencies)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let (from, to) = r.period.range.dates();
    Ok(xlsx_file(&format!("mkba-{from}-{to}.xlsx"), bytes)?)
}

/// What every view of the analysis starts from: the scope and period asked for (role and tenant checked as on
/// `/regie`), the model that applies there and the registered outcomes.
pub(crate) struct Inputs {
    pub resolved: Resolved,
    pub model: ScbaModel,
    pub origin: ModelOrigin,
    pub outcomes: Outcomes,
    /// Agency codes with their names (keten's own and those an admin added).
    pub agencies: AgencyNames,
}

/// Agency codes with their names, from the registration's reference data.
#[derive(Debug, Clone, Default)]
pub(crate) struct AgencyNames(BTreeMap<String, String>);

impl AgencyNames {
    /// The name of an agency; its code when the list does not know it.
    pub fn name(&self, code: &str) -> String {
        self.0.get(code).cloned().unwrap_or_else(|| code.to_owned())
    }
}

pub(crate) async fn inputs(
    state: &AppState,
    actor: &Actor,
    q: &StatsQuery,
) -> Result<Inputs, AppError> {
    let resolved = resolve(state, actor, q).await?;
    let (model, origin) = state.store.scba_model(&resolved.scope).await?;
    let outcomes = state
        .store
        .scba_outcomes(&resolved.scope, resolved.period.range)
        .await?;
    let agencies = AgencyNames(
        state
            .store
            .category_list(CategoryList::Agency)
            .await?
            .into_iter()
            .map(|c| (c.code, c.label))
            .collect(),
    );
    Ok(Inputs {
        resolved,
        model,
        origin,
        outcomes,
        agencies,
    })
}
