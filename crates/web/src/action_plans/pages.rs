//! The action plan pages under `/regie/actieplan`: the list with the new-plan form, one plan with its inventory, actions, progress and figures, the print page for the council and the XLSX download.

use super::{
    municipality_name, plan_figures, plan_progress, require_reader, require_writer, store_error,
    today,
};
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use keten_core::ValidationError;
use keten_core::action_plan::{
    ActionDraft, ActionStatus, Horizon, ItemDraft, ItemSource, Metric, PlanDraft, overdue,
};
use keten_store::Actor;
use keten_store::action_plans::{PlanDetail, PlanDirectory};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/regie/actieplan", get(list_page).post(create_plan))
        .route("/regie/actieplan/{id}", get(plan_page).post(edit_plan))
        .route("/regie/actieplan/{id}/inventaris", post(post_item))
        .route("/regie/actieplan/{id}/acties", post(post_action))
        .route("/regie/actieplan/{id}/acties/{action}", post(post_status))
        .route("/regie/actieplan/{id}/afdrukken", get(print_page))
        .route("/regie/actieplan/{id}/actieplan.xlsx", get(download))
}

/// A submitted form, kept to show it back with its errors.
#[derive(Debug, Default)]
struct Form {
    name: &'static str,
    values: HashMap<String, String>,
    errors: Vec<ValidationError>,
}

impl Form {
    fn read(name: &'static str, body: &[u8]) -> Self {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        Form {
            name,
            values: pairs.into_iter().collect(),
            errors: Vec::new(),
        }
    }

    fn get(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    /// The value typed in `field` of form `form`, when that is the form shown back.
    fn val(&self, form: &str, field: &str) -> &str {
        if self.name == form {
            self.get(field)
        } else {
            ""
        }
    }

    fn error(&self, form: &str, field: &str) -> Option<&str> {
        (self.name == form)
            .then(|| self.errors.iter().find(|e| e.field == field))
            .flatten()
            .map(|e| e.message.as_str())
    }

    fn errors_of(&self, form: &str) -> Vec<&ValidationError> {
        if self.name == form {
            self.errors.iter().collect()
        } else {
            Vec::new()
        }
    }
}

struct Choice {
    value: String,
    label: String,
}

/// The trajectories of a municipality as choices: "programme (year)", with the municipality's name when the
/// reader steers more than one.
async fn trajectory_choices(
    state: &AppState,
    code: &str,
    with_municipality: bool,
) -> Result<Vec<Choice>, AppError> {
    Ok(state
        .store
        .municipality_trajectories(code)
        .await?
        .into_iter()
        .map(|(id, programme, year)| Choice {
            value: id,
            label: if with_municipality {
                format!("{programme} ({year}), {}", municipality_name(code))
            } else {
                format!("{programme} ({year})")
            },
        })
        .collect())
}

/// The trajectory chosen in a form: none when left empty.
fn chosen_trajectory(form: &Form) -> Option<&str> {
    Some(form.get("trajectory_id").trim()).filter(|t| !t.is_empty())
}

fn dutch(d: jiff::civil::Date) -> String {
    d.strftime("%d-%m-%Y").to_string()
}

struct PlanRow {
    id: String,
    title: String,
    municipality: String,
    period: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "action_plans.html")]
struct ListPage {
    shell: Shell,
    plans: Vec<PlanRow>,
    can_write: bool,
    municipalities: Vec<Choice>,
    /// The trajectories of the municipalities the reader steers, for "outcome of".
    trajectories: Vec<Choice>,
    form: Form,
}

async fn list_view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    form: Form,
) -> Result<ListPage, PageError> {
    require_reader(actor)?;
    let plans = state.store.action_plans(actor).await?;
    let mut trajectories = Vec::new();
    for code in &actor.steering_municipalities {
        trajectories.extend(
            trajectory_choices(state, code, actor.steering_municipalities.len() > 1).await?,
        );
    }
    Ok(ListPage {
        trajectories,
        shell,
        plans: plans
            .into_iter()
            .map(|p| PlanRow {
                period: format!("{} tot en met {}", dutch(p.starts_on), dutch(p.ends_on)),
                municipality: municipality_name(&p.municipality_code),
                id: p.id,
                title: p.title,
            })
            .collect(),
        can_write: !actor.steering_municipalities.is_empty(),
        municipalities: actor
            .steering_municipalities
            .iter()
            .map(|c| Choice {
                value: c.clone(),
                label: municipality_name(c),
            })
            .collect(),
        form,
    })
}

async fn list_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
) -> Result<ListPage, PageError> {
    list_view(&state, shell, &me.actor, Form::default()).await
}

async fn create_plan(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    body: Bytes,
) -> Result<Response, PageError> {
    require_writer(&me.actor)?;
    let mut form = Form::read("plan", &body);
    let result: Result<String, AppError> = async {
        let draft = PlanDraft::parse(
            form.get("title"),
            form.get("starts_on"),
            form.get("ends_on"),
        )
        .map_err(AppError::Validation)?;
        let code = match form.get("municipality") {
            "" => me
                .actor
                .steering_municipalities
                .first()
                .cloned()
                .unwrap_or_default(),
            c => c.to_owned(),
        };
        let plan = state
            .store
            .create_action_plan(
                &me.actor,
                &code,
                &draft,
                chosen_trajectory(&form),
                state.now(),
            )
            .await
            .map_err(store_error)?;
        Ok(plan.id)
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/regie/actieplan/{id}")).into_response()),
        Err(AppError::Validation(errors)) => {
            form.errors = errors;
            let page = list_view(&state, shell, &me.actor, form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

struct ActionRow {
    id: String,
    title: String,
    horizon: String,
    owner: String,
    status: ActionStatus,
    status_label: String,
    due_on: String,
    overdue: bool,
    metric: String,
    figure: String,
}

struct ProgressRow {
    horizon: String,
    counts: Vec<u32>,
}

struct PlanView {
    id: String,
    title: String,
    municipality: String,
    period: String,
    writable: bool,
    items: Vec<(String, String, String, String)>,
    actions: Vec<ActionRow>,
    progress: Vec<ProgressRow>,
    total: u32,
    overdue: u32,
    done_percent: i64,
    /// (metric label, value text)
    figures: Vec<(String, String)>,
}

async fn plan_view(state: &AppState, d: &PlanDetail) -> Result<PlanView, AppError> {
    let today = today(state);
    let figures = plan_figures(state, d).await?;
    let figure_of = |m: Metric| {
        figures
            .iter()
            .find(|(x, _)| *x == m)
            .and_then(|(_, v)| v.map(keten_core::action_plan::MetricValue::text))
            .unwrap_or_else(|| "onbekend".to_owned())
    };
    let p = plan_progress(d, today);
    Ok(PlanView {
        id: d.plan.id.clone(),
        title: d.plan.title.clone(),
        municipality: municipality_name(&d.plan.municipality_code),
        period: format!(
            "{} tot en met {}",
            dutch(d.plan.starts_on),
            dutch(d.plan.ends_on)
        ),
        writable: d.writable,
        items: d
            .items
            .iter()
            .map(|i| {
                (
                    i.source.label().to_owned(),
                    i.title.clone(),
                    i.description.clone(),
                    i.who.clone(),
                )
            })
            .collect(),
        actions: d
            .actions
            .iter()
            .map(|a| ActionRow {
                id: a.id.clone(),
                title: a.title.clone(),
                horizon: a.horizon.label().to_owned(),
                owner: a.owner_name.clone().unwrap_or_default(),
                status: a.status,
                status_label: a.status.label().to_owned(),
                due_on: a.due_on.map(dutch).unwrap_or_default(),
                overdue: overdue(a.status, a.due_on, today),
                metric: a.metric.map(|m| m.label().to_owned()).unwrap_or_default(),
                figure: a.metric.map(figure_of).unwrap_or_default(),
            })
            .collect(),
        progress: Horizon::ALL
            .iter()
            .zip(p.counts)
            .map(|(h, c)| ProgressRow {
                horizon: h.label().to_owned(),
                counts: c.to_vec(),
            })
            .collect(),
        total: p.total,
        overdue: p.overdue,
        done_percent: p.done_percent(),
        figures: figures
            .iter()
            .map(|(m, v)| {
                (
                    m.label().to_owned(),
                    v.map_or_else(|| "onbekend".to_owned(), |v| v.text()),
                )
            })
            .collect(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "action_plan.html")]
struct PlanPage {
    shell: Shell,
    plan: PlanView,
    directory: PlanDirectory,
    owners: Vec<Choice>,
    horizons: Vec<Choice>,
    statuses: Vec<Choice>,
    metrics: Vec<Choice>,
    /// The trajectories of the plan's municipality, for the edit form.
    trajectories: Vec<Choice>,
    /// The edit form: the plan as it is, or what was typed with its errors.
    edit: Form,
    form: Form,
}

fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|x| Choice {
            value: code(*x).to_owned(),
            label: label(*x).to_owned(),
        })
        .collect()
}

async fn plan_view_page(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: &str,
    form: Form,
) -> Result<PlanPage, PageError> {
    require_reader(actor)?;
    let d = state.store.action_plan(actor, id).await?;
    let edit = if form.name == "edit" {
        Form {
            name: "edit",
            values: form.values.clone(),
            errors: form.errors.clone(),
        }
    } else {
        let mut values = HashMap::new();
        values.insert("title".to_owned(), d.plan.title.clone());
        values.insert("starts_on".to_owned(), dutch(d.plan.starts_on));
        values.insert("ends_on".to_owned(), dutch(d.plan.ends_on));
        values.insert(
            "trajectory_id".to_owned(),
            d.plan.trajectory_id.clone().unwrap_or_default(),
        );
        Form {
            name: "edit",
            values,
            errors: Vec::new(),
        }
    };
    let trajectories = if d.writable {
        trajectory_choices(state, &d.plan.municipality_code, false).await?
    } else {
        Vec::new()
    };
    let (directory, owners) = if d.writable {
        (
            state
                .store
                .plan_directory(&d.plan.municipality_code)
                .await?,
            state
                .store
                .chain_organisations(&d.plan.municipality_code)
                .await?
                .into_iter()
                .map(|o| Choice {
                    value: o.id,
                    label: o.name,
                })
                .collect(),
        )
    } else {
        (PlanDirectory::default(), Vec::new())
    };
    Ok(PlanPage {
        shell,
        plan: plan_view(state, &d).await?,
        directory,
        owners,
        horizons: choices(Horizon::ALL, Horizon::as_str, Horizon::label),
        statuses: choices(ActionStatus::ALL, ActionStatus::as_str, ActionStatus::label),
        metrics: choices(Metric::ALL, Metric::as_str, Metric::label),
        trajectories,
        edit,
        form,
    })
}

async fn plan_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<PlanPage, PageError> {
    plan_view_page(&state, shell, &me.actor, &id, Form::default()).await
}

/// Back to the plan, or the plan page again with the form's input and errors (422).
async fn outcome(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: &str,
    mut form: Form,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/regie/actieplan/{id}")).into_response()),
        Err(AppError::Validation(errors)) => {
            form.errors = errors;
            let page = plan_view_page(state, shell, actor, id, form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// Changes the plan's title, period and the trajectory whose outcome it is (one of the same municipality).
async fn edit_plan(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_writer(&me.actor)?;
    let form = Form::read("edit", &body);
    let result: Result<(), AppError> = async {
        let draft = PlanDraft::parse(
            form.get("title"),
            form.get("starts_on"),
            form.get("ends_on"),
        )
        .map_err(AppError::Validation)?;
        state
            .store
            .update_action_plan(
                &me.actor,
                &id,
                &draft,
                chosen_trajectory(&form),
                state.now(),
            )
            .await
            .map_err(store_error)?;
        Ok(())
    }
    .await;
    outcome(&state, shell, &me.actor, &id, form, result).await
}

/// An inventory entry: `kind` free (title, description, who), all (take over everything keten knows) or a
/// pick `help_point:ID`, `partner:ID`, `consultation_hour:ID` in `pick`.
async fn post_item(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_writer(&me.actor)?;
    let form = Form::read("item", &body);
    let now = state.now();
    let result: Result<(), AppError> = async {
        match form.get("kind") {
            "all" => {
                state
                    .store
                    .add_plan_items_from_directory(&me.actor, &id, None, now)
                    .await
                    .map_err(store_error)?;
            }
            "pick" => {
                let chosen = form
                    .get("pick")
                    .split_once(':')
                    .and_then(|(s, i)| Some((s.parse::<ItemSource>().ok()?, i.to_owned())))
                    .ok_or_else(|| {
                        ValidationError::new(
                            "pick",
                            "Kies een hulppunt, partner of spreekuur uit de lijst.",
                        )
                    })?;
                state
                    .store
                    .add_plan_items_from_directory(&me.actor, &id, Some(&[chosen]), now)
                    .await
                    .map_err(store_error)?;
            }
            _ => {
                let draft =
                    ItemDraft::parse(form.get("title"), form.get("description"), form.get("who"))
                        .map_err(AppError::Validation)?;
                state
                    .store
                    .add_plan_item(&me.actor, &id, &draft, now)
                    .await
                    .map_err(store_error)?;
            }
        }
        Ok(())
    }
    .await;
    outcome(&state, shell, &me.actor, &id, form, result).await
}

async fn post_action(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_writer(&me.actor)?;
    let form = Form::read("action", &body);
    let result: Result<(), AppError> = async {
        let draft = ActionDraft::parse(
            form.get("title"),
            form.get("horizon"),
            form.get("owner_organisation_id"),
            form.get("status"),
            form.get("due_on"),
            form.get("metric"),
        )
        .map_err(AppError::Validation)?;
        state
            .store
            .add_plan_action(&me.actor, &id, &draft, state.now())
            .await
            .map_err(store_error)?;
        Ok(())
    }
    .await;
    outcome(&state, shell, &me.actor, &id, form, result).await
}

async fn post_status(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_writer(&me.actor)?;
    let form = Form::read("status", &body);
    let result: Result<(), AppError> = async {
        let status = form.get("status").parse::<ActionStatus>()?;
        state
            .store
            .set_plan_action_status(&me.actor, &id, &action, status, state.now())
            .await
            .map_err(store_error)?;
        Ok(())
    }
    .await;
    outcome(&state, shell, &me.actor, &id, form, result).await
}

#[derive(Template, WebTemplate)]
#[template(path = "action_plan_print.html")]
struct PrintPage {
    shell: Shell,
    plan: PlanView,
}

async fn print_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<PrintPage, PageError> {
    require_reader(&me.actor)?;
    let d = state.store.action_plan(&me.actor, &id).await?;
    Ok(PrintPage {
        shell,
        plan: plan_view(&state, &d).await?,
    })
}

/// The plan as a workbook: the actions, the inventory and the figures, one sheet each.
async fn download(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    require_reader(&me.actor)?;
    let d = state.store.action_plan(&me.actor, &id).await?;
    let view = plan_view(&state, &d).await?;
    let figures = plan_figures(&state, &d).await?;
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = book.add_worksheet();
        sheet.set_name("Acties")?;
        let headers = [
            "Actie", "Termijn", "Eigenaar", "Status", "Klaar op", "Te laat", "Cijfer", "Stand nu",
        ];
        for (col, h) in (0u16..).zip(headers) {
            sheet.write_string_with_format(0, col, h, &bold)?;
        }
        for (row, (a, src)) in (1u32..).zip(view.actions.iter().zip(&d.actions)) {
            sheet.write_string(row, 0, &a.title)?;
            sheet.write_string(row, 1, &a.horizon)?;
            sheet.write_string(row, 2, &a.owner)?;
            sheet.write_string(row, 3, &a.status_label)?;
            sheet.write_string(row, 4, &a.due_on)?;
            sheet.write_string(row, 5, if a.overdue { "ja" } else { "nee" })?;
            sheet.write_string(row, 6, &a.metric)?;
            if let Some(v) = src
                .metric
                .and_then(|m| figures.iter().find(|(x, _)| *x == m))
                .and_then(|(_, v)| *v)
            {
                sheet.write_number(row, 7, v.number())?;
            }
        }
        sheet.set_column_width(0, 50)?;
        sheet.set_freeze_panes(1, 0)?;
        let sheet = book.add_worksheet();
        sheet.set_name("Wat er al gebeurt")?;
        for (col, h) in (0u16..).zip(["Soort", "Wat", "Beschrijving", "Wie"]) {
            sheet.write_string_with_format(0, col, h, &bold)?;
        }
        for (row, (kind, title, description, who)) in (1u32..).zip(&view.items) {
            sheet.write_string(row, 0, kind)?;
            sheet.write_string(row, 1, title)?;
            sheet.write_string(row, 2, description)?;
            sheet.write_string(row, 3, who)?;
        }
        sheet.set_column_width(1, 40)?;
        let sheet = book.add_worksheet();
        sheet.set_name("Cijfers")?;
        sheet.write_string_with_format(0, 0, "Cijfer", &bold)?;
        sheet.write_string_with_format(0, 1, &view.period, &bold)?;
        for (row, (m, v)) in (1u32..).zip(&figures) {
            sheet.write_string(row, 0, m.label())?;
            if let Some(v) = v {
                sheet.write_number(row, 1, v.number())?;
            }
        }
        sheet.set_column_width(0, 40)?;
        book.save_to_buffer()
    };
    let bytes = build().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::download::xlsx_file("actieplan.xlsx", bytes)?)
}
