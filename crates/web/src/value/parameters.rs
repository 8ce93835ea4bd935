//! The page `/regie/waarde/parameters`: editing the MKBA parameter set (steering its municipality's own copy, programme managers the national default), Dutch decimal input, every save a new version.

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use keten_core::account::Role;
use keten_core::scba::{Param, Parameter, ScbaModel, parse_decimal};
use keten_store::Actor;
use keten_store::scba::ModelOrigin;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The roles that may edit a model at all; who edits which model is the store's rule.
fn require_editor(actor: &Actor) -> Result<(), AppError> {
    if actor.has_any_role(&[Role::Steering, Role::ProgrammeManager, Role::Admin]) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The model the actor asked for: `None` is the national default.
fn target(actor: &Actor, asked: Option<&str>) -> Option<String> {
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => Some(code.to_owned()),
        // Without a choice a steering user edits their own municipality (the first, when they steer several);
        // a programme manager or admin who steers nothing edits the national default.
        None => actor.steering_municipalities.first().cloned(),
    }
}

/// A number as typed back into a field: every decimal kept, a decimal comma, no thousands dots.
fn typed(v: f64) -> String {
    format!("{v}").replace('.', ",")
}

/// One parameter's fields as shown.
pub struct ParamRow {
    pub code: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub low: String,
    pub base: String,
    pub high: String,
    pub rationale: String,
    pub source: String,
    pub error: Option<String>,
    /// Which inputs the error is about (for `aria-invalid`).
    pub bad: Vec<&'static str>,
    pub setting: bool,
    /// The first of the contact costs per agency, where the form says what they are.
    pub starts_contact_costs: bool,
}

impl ParamRow {
    pub fn is_bad(&self, part: &str) -> bool {
        self.bad.contains(&part)
    }
}

pub struct VersionRow {
    pub version: u32,
    pub name: String,
    pub saved: String,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "value_parameters.html")]
pub struct ParametersPage {
    shell: Shell,
    /// "Rotterdam" or "het landelijke model".
    whose: String,
    municipality: String,
    /// Where the values shown come from, in a sentence.
    starting_point: String,
    name: String,
    name_error: Option<String>,
    rows: Vec<ParamRow>,
    versions: Vec<VersionRow>,
    error_count: usize,
    saved: bool,
}

fn starts_contact_costs(param: Param) -> bool {
    param.contact_cost_agency().is_some()
        && Param::ALL
            .iter()
            .find(|p| p.contact_cost_agency().is_some())
            .is_some_and(|first| *first == param)
}

fn rows_of(model: &ScbaModel) -> Vec<ParamRow> {
    Param::ALL
        .iter()
        .map(|param| {
            let p = model.parameter(*param);
            ParamRow {
                code: param.as_str(),
                label: param.label(),
                unit: param.unit().label(),
                low: p.map(|p| typed(p.low)).unwrap_or_default(),
                base: p.map(|p| typed(p.base)).unwrap_or_default(),
                high: p.map(|p| typed(p.high)).unwrap_or_default(),
                rationale: p.map(|p| p.rationale.clone()).unwrap_or_default(),
                source: p.map(|p| p.source.clone()).unwrap_or_default(),
                error: None,
                bad: Vec::new(),
                setting: param.is_setting(),
                starts_contact_costs: starts_contact_costs(*param),
            }
        })
        .collect()
}

async fn view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    municipality: Option<&str>,
    typed_form: Option<(String, Vec<ParamRow>, Option<String>)>,
    saved: bool,
) -> Result<ParametersPage, AppError> {
    let (model, origin) = state.store.scba_model_to_edit(actor, municipality).await?;
    let versions = state.store.scba_model_versions(actor, municipality).await?;
    let whose = match municipality {
        Some(code) => keten_core::reference::municipality(code)
            .map_or_else(|| code.to_owned(), |m| m.name.clone()),
        None => "het landelijke model".to_owned(),
    };
    let starting_point = match (origin, municipality) {
        (ModelOrigin::Municipality, _) | (ModelOrigin::National, None) => format!(
            "U ziet versie {} van dit model. Bewaren maakt versie {}; eerdere versies blijven bewaard.",
            model.version,
            versions.first().map_or(1, |v| v.version + 1)
        ),
        (ModelOrigin::National, Some(_)) => format!(
            "Deze gemeente heeft nog geen eigen model: u ziet het landelijke model (versie {}). Bewaren maakt versie 1 van het eigen model van de gemeente.",
            model.version
        ),
        (ModelOrigin::Default, _) => {
            "Er is nog niets bewaard: u ziet het standaardmodel van keten. Bewaren maakt versie 1."
                .to_owned()
        }
    };
    let current = versions.first().map(|v| v.version);
    let versions = versions
        .into_iter()
        .map(|v| VersionRow {
            current: Some(v.version) == current,
            version: v.version,
            name: v.name,
            saved: keten_core::steering::local_date(v.created_at)
                .strftime("%d-%m-%Y")
                .to_string(),
        })
        .collect();
    let (name, rows, name_error) =
        typed_form.unwrap_or_else(|| (model.name.clone(), rows_of(&model), None));
    let error_count =
        rows.iter().filter(|r| r.error.is_some()).count() + usize::from(name_error.is_some());
    Ok(ParametersPage {
        shell,
        whose,
        municipality: municipality.unwrap_or_default().to_owned(),
        starting_point,
        name,
        name_error,
        rows,
        versions,
        error_count,
        saved,
    })
}

/// Query of the page after a save.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub municipality: Option<String>,
    /// "1" right after a save.
    pub bewaard: Option<String>,
}

pub async fn parameters_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Query(q): Query<PageQuery>,
) -> Result<ParametersPage, PageError> {
    require_editor(&me.actor)?;
    let municipality = target(&me.actor, q.municipality.as_deref());
    let saved = q.bewaard.as_deref() == Some("1");
    Ok(view(
        &state,
        shell,
        &me.actor,
        municipality.as_deref(),
        None,
        saved,
    )
    .await?)
}

/// Reads the form as typed: the model when everything is a number, else the rows with a message at each field.
fn read_form(
    fields: &BTreeMap<String, String>,
) -> Result<ScbaModel, (String, Vec<ParamRow>, Option<String>)> {
    let get = |key: String| fields.get(&key).cloned().unwrap_or_default();
    let name = get("name".to_owned());
    let mut parameters = Vec::new();
    let mut rows = Vec::new();
    let mut failed = false;
    for param in Param::ALL {
        let code = param.as_str();
        let mut row = ParamRow {
            code,
            label: param.label(),
            unit: param.unit().label(),
            low: get(format!("{code}.low")),
            base: get(format!("{code}.base")),
            high: get(format!("{code}.high")),
            rationale: get(format!("{code}.rationale")),
            source: get(format!("{code}.source")),
            error: None,
            bad: Vec::new(),
            setting: param.is_setting(),
            starts_contact_costs: starts_contact_costs(*param),
        };
        let mut numbers = [0.0; 3];
        for (i, (part, text, word)) in [
            ("low", &row.low, "de lage waarde"),
            ("base", &row.base, "de basiswaarde"),
            ("high", &row.high, "de hoge waarde"),
        ]
        .into_iter()
        .enumerate()
        {
            match parse_decimal(text) {
                Some(v) => numbers[i] = v,
                None => {
                    if row.error.is_none() {
                        row.error =
                            Some(format!("Vul bij {word} een getal in, bijvoorbeeld 12,50."));
                    }
                    row.bad.push(part);
                }
            }
        }
        if row.error.is_some() {
            failed = true;
        } else {
            parameters.push(Parameter {
                param: *param,
                low: numbers[0],
                base: numbers[1],
                high: numbers[2],
                rationale: row.rationale.trim().to_owned(),
                source: row.source.trim().to_owned(),
            });
        }
        rows.push(row);
    }
    let model = ScbaModel {
        name: name.trim().to_owned(),
        version: 0,
        parameters,
    };
    let mut name_error = None;
    if failed {
        if model.name.is_empty() {
            name_error = Some("Geef het model een naam.".to_owned());
        }
        return Err((name, rows, name_error));
    }
    // Numbers all read: the model's own checks (bounds, low <= base <= high, a source) say the rest.
    if let Err(errors) = model.validate() {
        for e in errors {
            if e.field == "name" {
                name_error = Some(e.message);
            } else if let Some(row) = rows.iter_mut().find(|r| r.code == e.field) {
                if e.message.contains("bron") {
                    row.bad.push("source");
                } else {
                    row.bad.extend(["low", "base", "high"]);
                }
                row.error = Some(e.message);
            }
        }
        return Err((name, rows, name_error));
    }
    Ok(model)
}

pub async fn save_parameters(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    require_editor(&me.actor)?;
    let fields: BTreeMap<String, String> = form.into_iter().collect();
    let municipality = target(&me.actor, fields.get("municipality").map(String::as_str));
    let municipality = municipality.as_deref();
    // The tenant first: a model the actor may not edit is 404 whatever was typed.
    state
        .store
        .scba_model_versions(&me.actor, municipality)
        .await
        .map_err(AppError::from)?;
    let saved = match read_form(&fields) {
        Ok(model) => state
            .store
            .save_scba_model(&me.actor, municipality, model, state.now())
            .await
            .map_err(AppError::from),
        Err(typed_form) => {
            let page = view(
                &state,
                shell,
                &me.actor,
                municipality,
                Some(typed_form),
                false,
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match saved {
        Ok(_) => {
            let query = municipality.map_or_else(String::new, |m| format!("municipality={m}&"));
            Ok(Redirect::to(&format!("/regie/waarde/parameters?{query}bewaard=1")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
