//! The pages of the stakeholder map: the map with its grid, wheel, tables and timeline; the form to put an organisation on the map (a keten partner prefilled, or a free name), change it or take it off.

use super::{
    BASE, Entry, Map, MapQuery, day_nl, input_of, load_map, municipality_name, municipality_of,
    pictures, require_steering, roles_words,
};
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use keten_core::ValidationError;
use keten_core::organisation::Sector;
use keten_core::stakeholder::{
    ChainRole, Quadrant, StakeholderDraft, StakeholderInput, suggested_roles,
};
use keten_core::steering::{PeriodKind, local_date};
use keten_store::Actor;
use keten_store::stakeholders::{Activity, Candidate, KetenAgreements};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(BASE, get(map_page))
        .route("/regie/belanghebbenden/nieuw", get(new_page).post(create))
        .route("/regie/belanghebbenden/{id}", get(edit_page).post(update))
        .route("/regie/belanghebbenden/{id}/verwijderen", post(remove))
}

pub(crate) struct EventLine {
    pub day: String,
    pub name: String,
    pub what: &'static str,
    pub scores: String,
}

pub(crate) struct CandidateLine {
    pub id: String,
    pub name: String,
    pub sector: &'static str,
    pub roles: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "stakeholders/map.html")]
struct MapPage {
    shell: Shell,
    municipality: String,
    municipality_name: String,
    from: String,
    to: String,
    periods: Vec<(&'static str, &'static str, bool)>,
    query: String,
    entries: Vec<Entry>,
    grid: String,
    wheel: String,
    quadrants: Vec<(&'static str, &'static str, usize)>,
    sectors: Vec<(&'static str, usize)>,
    events: Vec<EventLine>,
    candidates: Vec<CandidateLine>,
    notice: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
struct MapPageQuery {
    #[serde(flatten)]
    map: MapQuery,
    /// `bewaard` or `verwijderd` after a change.
    klaar: Option<String>,
}

fn candidate_lines(candidates: Vec<Candidate>) -> Vec<CandidateLine> {
    candidates
        .into_iter()
        .map(|c| CandidateLine {
            roles: roles_words(&suggested_roles(c.activity)),
            id: c.organisation_id,
            name: c.name,
            sector: c.sector.label(),
        })
        .collect()
}

pub(crate) fn event_lines(map: &Map) -> Vec<EventLine> {
    map.events
        .iter()
        .map(|e| EventLine {
            day: day_nl(&e.happened_on),
            name: e.name.clone(),
            what: e.kind.label(),
            scores: format!("invloed {}, belang {}", e.power, e.interest),
        })
        .collect()
}

async fn map_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Query(q): Query<MapPageQuery>,
) -> Result<MapPage, PageError> {
    let map = load_map(&state, &me.actor, &q.map).await?;
    let candidates = state
        .store
        .stakeholder_candidates(&me.actor, &map.municipality)
        .await
        .map_err(AppError::from)?;
    let (from, to) = map.period.range.dates();
    let lang = shell.lang;
    Ok(MapPage {
        municipality_name: map.municipality_name.clone(),
        municipality: map.municipality.clone(),
        from: keten_core::opening_hours::date_nl(from),
        to: keten_core::opening_hours::date_nl(to),
        periods: PeriodKind::ALL
            .iter()
            .filter(|k| **k != PeriodKind::Custom)
            .map(|k| (k.code(), k.label(), *k == map.period.kind))
            .collect(),
        query: q.map.to_query_string(&map.municipality),
        grid: pictures::grid(&map.entries, lang),
        wheel: pictures::wheel(&map.entries, lang),
        quadrants: Quadrant::ALL
            .iter()
            .map(|qd| {
                (
                    qd.label(),
                    qd.advice(),
                    map.entries.iter().filter(|e| e.quadrant == *qd).count(),
                )
            })
            .collect(),
        sectors: pictures::sector_counts(&map.entries)
            .into_iter()
            .map(|(s, n)| (s.label(), n))
            .collect(),
        events: event_lines(&map),
        candidates: candidate_lines(candidates),
        notice: match q.klaar.as_deref() {
            Some("bewaard") => Some("De belanghebbende is bewaard."),
            Some("verwijderd") => Some(
                "De belanghebbende is van de kaart gehaald. De contactpersoon is gewist; de tijdlijn houdt alleen de naam van de organisatie.",
            ),
            _ => None,
        },
        entries: map.entries,
        shell,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "stakeholders/form.html")]
struct FormPage {
    shell: Shell,
    municipality: String,
    municipality_name: String,
    /// Set when changing a stakeholder.
    id: Option<String>,
    /// The keten organisation this stakeholder is (empty: outside the chain).
    organisation_id: String,
    input: StakeholderInput,
    errors: Vec<ValidationError>,
    sectors: Vec<(&'static str, &'static str)>,
    roles: Vec<(&'static str, &'static str)>,
    /// What keten holds itself (only for a keten organisation on the map).
    keten: Option<KetenAgreements>,
    activity: Option<Activity>,
    /// The organisations keten knows that are not on the map yet, to choose from.
    candidates: Vec<CandidateLine>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    fn has_role(&self, code: &str) -> bool {
        self.input.roles.iter().any(|r| r == code)
    }

    fn is_score(&self, field: &str, n: &u8) -> bool {
        let typed = if field == "power" {
            &self.input.power
        } else {
            &self.input.interest
        };
        typed.trim() == n.to_string()
    }

    fn scores(&self) -> Vec<u8> {
        (keten_core::stakeholder::MIN_SCORE..=keten_core::stakeholder::MAX_SCORE).collect()
    }
}

#[expect(clippy::too_many_arguments)]
fn form_page(
    shell: Shell,
    municipality: &str,
    id: Option<String>,
    organisation_id: String,
    input: StakeholderInput,
    errors: Vec<ValidationError>,
    keten: Option<(KetenAgreements, Activity)>,
    candidates: Vec<CandidateLine>,
) -> FormPage {
    let (keten, activity) = keten.map_or((None, None), |(k, a)| (Some(k), Some(a)));
    FormPage {
        shell,
        municipality: municipality.to_owned(),
        municipality_name: municipality_name(municipality),
        id,
        organisation_id,
        input,
        errors,
        sectors: Sector::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        roles: ChainRole::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        keten,
        activity,
        candidates,
    }
}

#[derive(Debug, Default, Deserialize)]
struct NewQuery {
    municipality: Option<String>,
    /// A keten organisation to prefill the form with.
    organisation: Option<String>,
}

/// The form's input for a keten organisation: its name and sector, and the roles its rows suggest.
fn prefilled(c: &Candidate) -> StakeholderInput {
    StakeholderInput {
        name: c.name.clone(),
        sector: c.sector.as_str().to_owned(),
        roles: suggested_roles(c.activity)
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        ..StakeholderInput::default()
    }
}

async fn new_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Query(q): Query<NewQuery>,
) -> Result<FormPage, PageError> {
    require_steering(&me.actor)?;
    let municipality = municipality_of(&me.actor, q.municipality.as_deref());
    let candidates = state
        .store
        .stakeholder_candidates(&me.actor, &municipality)
        .await
        .map_err(AppError::from)?;
    let chosen = q
        .organisation
        .as_deref()
        .filter(|o| !o.is_empty())
        .map(|o| {
            candidates
                .iter()
                .find(|c| c.organisation_id == o)
                .ok_or(AppError::NotFound)
        })
        .transpose()?;
    let (organisation_id, input) = chosen.map_or_else(
        || (String::new(), StakeholderInput::default()),
        |c| (c.organisation_id.clone(), prefilled(c)),
    );
    let list = if organisation_id.is_empty() {
        candidate_lines(candidates)
    } else {
        Vec::new()
    };
    Ok(form_page(
        shell,
        &municipality,
        None,
        organisation_id,
        input,
        Vec::new(),
        None,
        list,
    ))
}

/// The form as typed: its input, the municipality and the keten organisation.
fn read_form(fields: Vec<(String, String)>) -> (StakeholderInput, String, String) {
    let mut input = StakeholderInput::default();
    let (mut municipality, mut organisation) = (String::new(), String::new());
    for (k, v) in fields {
        match k.as_str() {
            "name" => input.name = v,
            "sector" => input.sector = v,
            "roles" => input.roles.push(v),
            "power" => input.power = v,
            "interest" => input.interest = v,
            "covenant" => input.covenant = v == "1",
            "agreements" => input.agreements = v,
            "contact_name" => input.contact_name = v,
            "contact_email" => input.contact_email = v,
            "joined_on" => input.joined_on = v,
            "municipality" => municipality = v,
            "organisation_id" => organisation = v,
            _ => {}
        }
    }
    (input, municipality, organisation)
}

fn done(municipality: &str, what: &str) -> Response {
    Redirect::to(&format!("{BASE}?municipality={municipality}&klaar={what}")).into_response()
}

fn today(state: &AppState) -> jiff::civil::Date {
    local_date(state.now())
}

async fn create(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    require_steering(&me.actor)?;
    let (input, asked, organisation) = read_form(fields);
    let municipality = municipality_of(&me.actor, Some(&asked));
    // The tenant first: another municipality's map is 404 whatever was typed.
    state
        .store
        .stakeholders(&me.actor, &municipality)
        .await
        .map_err(AppError::from)?;
    let organisation = Some(organisation.trim()).filter(|o| !o.is_empty());
    let refused = |errors: Vec<ValidationError>, input: StakeholderInput| {
        let page = form_page(
            shell.clone(),
            &municipality,
            None,
            organisation.unwrap_or_default().to_owned(),
            input,
            errors,
            None,
            Vec::new(),
        );
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    };
    let draft = match StakeholderDraft::parse(&input, today(&state)) {
        Ok(d) => d,
        Err(errors) => return Ok(refused(errors, input)),
    };
    match state
        .store
        .create_stakeholder(&me.actor, &municipality, organisation, &draft, state.now())
        .await
    {
        Ok(_) => Ok(done(&municipality, "bewaard")),
        Err(keten_store::StoreError::Invalid(errors)) => Ok(refused(errors, input)),
        Err(e) => Err(AppError::from(e).into()),
    }
}

async fn keten_of(
    state: &AppState,
    actor: &Actor,
    municipality: &str,
    organisation_id: Option<&str>,
) -> Result<Option<(KetenAgreements, Activity)>, AppError> {
    let Some(org) = organisation_id else {
        return Ok(None);
    };
    let period = keten_core::steering::Period::parse(
        Some("this_year"),
        None,
        None,
        local_date(state.now()),
    )?;
    let agreements = state
        .store
        .stakeholder_agreements(actor, municipality)
        .await?;
    let activity = state
        .store
        .stakeholder_activity(actor, municipality, period.range)
        .await?;
    Ok(Some((
        agreements.get(org).cloned().unwrap_or_default(),
        activity.get(org).copied().unwrap_or_default(),
    )))
}

async fn edit_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<FormPage, PageError> {
    require_steering(&me.actor)?;
    let s = state
        .store
        .stakeholder(&me.actor, &id)
        .await
        .map_err(AppError::from)?;
    let keten = keten_of(
        &state,
        &me.actor,
        &s.municipality_code,
        s.organisation_id.as_deref(),
    )
    .await?;
    Ok(form_page(
        shell,
        &s.municipality_code,
        Some(s.id.clone()),
        s.organisation_id.clone().unwrap_or_default(),
        input_of(&s),
        Vec::new(),
        keten,
        Vec::new(),
    ))
}

async fn update(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    require_steering(&me.actor)?;
    let s = state
        .store
        .stakeholder(&me.actor, &id)
        .await
        .map_err(AppError::from)?;
    let (input, _, _) = read_form(fields);
    match StakeholderDraft::parse(&input, today(&state)) {
        Ok(draft) => {
            state
                .store
                .update_stakeholder(&me.actor, &id, &draft, state.now())
                .await
                .map_err(AppError::from)?;
            Ok(done(&s.municipality_code, "bewaard"))
        }
        Err(errors) => {
            let keten = keten_of(
                &state,
                &me.actor,
                &s.municipality_code,
                s.organisation_id.as_deref(),
            )
            .await?;
            let page = form_page(
                shell,
                &s.municipality_code,
                Some(s.id.clone()),
                s.organisation_id.clone().unwrap_or_default(),
                input,
                errors,
                keten,
                Vec::new(),
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn remove(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    require_steering(&me.actor)?;
    let s = state
        .store
        .stakeholder(&me.actor, &id)
        .await
        .map_err(AppError::from)?;
    state
        .store
        .delete_stakeholder(&me.actor, &id, state.now())
        .await
        .map_err(AppError::from)?;
    Ok(done(&s.municipality_code, "verwijderd"))
}
