//! The programme pages: the list of programmes and calls, a new programme, the manager's applications, the
//! application form, one application (with the request for a missing piece and a member's confirmation), and
//! the public page of a programme.

use super::{ApplicationInput, require_manager};
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::programme::{
    ApplicantKind, ApplicationStatus, MemberRole, ProgrammeDraft, ProgrammeInput, ProgrammeKind,
    size_class,
};
use keten_core::reference::municipality;
use keten_store::Actor;
use keten_store::programmes::{Application, ApplicationFilter, Programme};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programmas", get(list_page))
        .route("/programmas/nieuw", get(new_page).post(create_programme))
        .route("/programmas/{id}", get(public_page))
        .route("/programmas/{id}/beheer", get(manage_page))
        .route(
            "/programmas/{id}/aanvragen",
            get(apply_page).post(submit_application),
        )
        .route("/aanvragen/{id}", get(application_page))
        .route("/aanvragen/{id}/aanvulling", post(request_information))
        .route("/aanvragen/{id}/bevestigen", post(confirm_membership))
}

/// A choice in a select or radio group.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A programme as lists and pages show it.
#[derive(Debug, Clone)]
pub(crate) struct ProgrammeView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub organisation: String,
    pub applicants: String,
    pub opens: String,
    pub closes: String,
    pub open: bool,
    pub budget: String,
    pub cap: String,
    pub max_participants: u32,
    pub conditions: Vec<String>,
    pub rules: Vec<String>,
    pub waves: Vec<WaveView>,
    /// The calendar years the waves' amounts are spread over (the columns of the table per wave and year).
    pub wave_years: Vec<i32>,
}

#[derive(Debug, Clone)]
pub(crate) struct WaveView {
    pub id: String,
    pub name: String,
    pub places: u32,
    pub amount: String,
    pub announce: String,
    /// The amount per participant in each of [`ProgrammeView::wave_years`] ("" where the wave pays nothing).
    pub per_year: Vec<String>,
}

pub(crate) fn dutch_date(d: jiff::civil::Date) -> String {
    d.strftime("%d-%m-%Y").to_string()
}

pub(crate) fn programme_view(p: &Programme, today: jiff::civil::Date) -> ProgrammeView {
    let mut rules = Vec::new();
    if let Some(c) = p.rules.country {
        rules.push(match c {
            keten_core::reference::Country::Nl => "Alleen in Nederland.".to_owned(),
            keten_core::reference::Country::Be => "Alleen in België.".to_owned(),
        });
    }
    let n = |x: u32| keten_core::steering::thousands(i64::from(x));
    match (p.rules.min_population, p.rules.max_population) {
        (Some(a), Some(b)) => rules.push(format!("Van {} tot en met {} inwoners.", n(a), n(b))),
        (Some(a), None) => rules.push(format!("Minstens {} inwoners.", n(a))),
        (None, Some(b)) => rules.push(format!("Hooguit {} inwoners.", n(b))),
        (None, None) => {}
    }
    for other in &p.rules.excluded_programmes {
        rules.push(format!(
            "Wie al meedoet aan {other}, krijgt geen financiering maar kan partner zijn in een dossier."
        ));
    }
    rules.push(format!(
        "Grootteklassen: klein onder {} inwoners, groot vanaf {} inwoners.",
        n(p.size_thresholds.0),
        n(p.size_thresholds.1)
    ));
    let mut wave_years: Vec<i32> = p
        .waves
        .iter()
        .flat_map(|w| w.years.iter().map(|(year, _)| *year))
        .collect();
    wave_years.sort_unstable();
    wave_years.dedup();
    ProgrammeView {
        id: p.id.clone(),
        name: p.name.clone(),
        description: p.description.clone(),
        kind: p.kind.label().to_owned(),
        organisation: p.organisation_name.clone(),
        applicants: p.applicant_kind.label().to_owned(),
        opens: dutch_date(p.opens_on),
        closes: dutch_date(p.closes_on),
        open: p.is_open(today),
        budget: p.budget.display(),
        cap: format!(
            "{} {}",
            p.cap.cents.display(),
            if p.cap.vat_included {
                "inclusief btw"
            } else {
                "exclusief btw"
            }
        ),
        max_participants: p.max_participants,
        conditions: p.conditions.clone(),
        rules,
        waves: p
            .waves
            .iter()
            .map(|w| WaveView {
                id: w.id.clone(),
                name: w.name.clone(),
                places: w.places,
                amount: w.amount.display(),
                announce: w.announce_on.map(dutch_date).unwrap_or_default(),
                per_year: wave_years
                    .iter()
                    .map(|year| {
                        w.years
                            .iter()
                            .find(|(y, _)| y == year)
                            .map(|(_, cents)| cents.display())
                            .unwrap_or_default()
                    })
                    .collect(),
            })
            .collect(),
        wave_years,
    }
}

/// An application as lists and pages show it.
#[derive(Debug, Clone)]
pub(crate) struct ApplicationView {
    pub id: String,
    pub programme_id: String,
    pub programme: String,
    pub organisation: String,
    pub municipality: String,
    pub province: String,
    pub size_class: String,
    pub amount: String,
    pub status: String,
    pub status_code: &'static str,
    pub proposal: String,
    pub helix_partners: String,
    pub info_request: Option<String>,
    pub members: Vec<MemberView>,
    pub waiting_for_members: bool,
    pub conditions: Vec<String>,
    /// Chance in the latest selection run, as a Dutch percentage.
    pub probability: Option<String>,
    pub explanation: Option<keten_core::selection::Explanation>,
}

#[derive(Debug, Clone)]
pub(crate) struct MemberView {
    pub organisation_id: String,
    pub name: String,
    pub role: String,
    pub confirmed: bool,
    /// The viewer confirms for this member.
    pub mine: bool,
}

pub(crate) fn application_view(a: &Application, p: &Programme, actor: &Actor) -> ApplicationView {
    let m = municipality(&a.municipality_code);
    ApplicationView {
        id: a.id.clone(),
        programme_id: a.programme_id.clone(),
        programme: a.programme_name.clone(),
        organisation: a.organisation_name.clone(),
        municipality: m.map_or_else(|| a.municipality_code.clone(), |m| m.name.clone()),
        province: m.map(|m| m.province.clone()).unwrap_or_default(),
        size_class: m
            .map(|m| {
                size_class(m.population, p.size_thresholds)
                    .label()
                    .to_owned()
            })
            .unwrap_or_default(),
        amount: format!(
            "{} {}",
            a.amount.cents.display(),
            if a.amount.vat_included {
                "incl. btw"
            } else {
                "excl. btw"
            }
        ),
        status: a.status.label().to_owned(),
        status_code: a.status.as_str(),
        proposal: a.proposal.clone(),
        helix_partners: a.helix_partners.clone(),
        info_request: a.info_request.clone(),
        members: a
            .members
            .iter()
            .map(|x| MemberView {
                organisation_id: x.organisation_id.clone(),
                name: x.organisation_name.clone(),
                role: x.role.label().to_owned(),
                confirmed: x.confirmed_at.is_some(),
                mine: actor
                    .organisation_ids_with(Role::Steering)
                    .any(|o| o == x.organisation_id),
            })
            .collect(),
        waiting_for_members: !a.members_confirmed(),
        conditions: a
            .confirmed_conditions
            .iter()
            .filter_map(|i| p.conditions.get(*i).cloned())
            .collect(),
        probability: None,
        explanation: None,
    }
}

/// A probability 0..1 as a Dutch percentage with one decimal: "42,9%".
pub(crate) fn percentage(p: f64) -> String {
    format!("{:.1}%", p * 100.0).replace('.', ",")
}

#[derive(Template, WebTemplate)]
#[template(path = "programmes.html")]
struct ListPage {
    shell: Shell,
    manages: bool,
    managed: Vec<ProgrammeView>,
    open_calls: Vec<ProgrammeView>,
    applications: Vec<ApplicationView>,
}

async fn list_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
) -> Result<ListPage, PageError> {
    let actor = &me.actor;
    let today = keten_core::steering::local_date(state.now());
    let manages = actor.has_any_role(&[Role::ProgrammeManager, Role::Admin]);
    let managed = if manages {
        state.store.managed_programmes(actor).await?
    } else {
        Vec::new()
    };
    let mut open_calls = Vec::new();
    for p in state.store.programmes().await? {
        if p.is_open(today)
            && !state
                .store
                .applicant_organisations(actor, p.applicant_kind)
                .await?
                .is_empty()
        {
            open_calls.push(programme_view(&p, today));
        }
    }
    let mut applications = Vec::new();
    for a in state.store.my_applications(actor).await? {
        let p = state.store.programme(&a.programme_id).await?;
        applications.push(application_view(&a, &p, actor));
    }
    Ok(ListPage {
        shell,
        manages,
        managed: managed.iter().map(|p| programme_view(p, today)).collect(),
        open_calls,
        applications,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_new.html")]
struct NewPage {
    shell: Shell,
    input: ProgrammeInput,
    organisations: Vec<Choice>,
    kinds: Vec<Choice>,
    applicant_kinds: Vec<Choice>,
    errors: Vec<ValidationError>,
}

fn new_view(
    shell: Shell,
    actor: &Actor,
    input: ProgrammeInput,
    organisation_id: String,
    errors: Vec<ValidationError>,
) -> NewPage {
    let organisations = actor
        .memberships
        .iter()
        .filter(|m| matches!(m.role, Role::ProgrammeManager | Role::Admin))
        .map(|m| Choice {
            selected: m.organisation_id == organisation_id,
            value: m.organisation_id.clone(),
            label: m.organisation_name.clone(),
        })
        .collect();
    NewPage {
        kinds: ProgrammeKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: k.label().into(),
                selected: k.as_str() == input.kind,
            })
            .collect(),
        applicant_kinds: ApplicantKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: k.label().into(),
                selected: k.as_str() == input.applicant_kind,
            })
            .collect(),
        shell,
        input,
        organisations,
        errors,
    }
}

async fn new_page(shell: Shell, RequireUser(me): RequireUser) -> Result<NewPage, PageError> {
    require_manager(&me.actor)?;
    let input = ProgrammeInput {
        cap_vat_included: "1".into(),
        vat_percent: "21".into(),
        small_below: "20.000".into(),
        large_from: "50.000".into(),
        ..Default::default()
    };
    Ok(new_view(shell, &me.actor, input, String::new(), Vec::new()))
}

#[derive(Debug, Default, Deserialize)]
struct NewProgrammeForm {
    #[serde(default)]
    organisation_id: String,
    #[serde(flatten)]
    input: ProgrammeInput,
}

async fn create_programme(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    axum::Form(form): axum::Form<NewProgrammeForm>,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    let organisation_id = if form.organisation_id.is_empty() {
        me.actor
            .organisation_ids_with(Role::ProgrammeManager)
            .next()
            .unwrap_or_default()
    } else {
        form.organisation_id.clone()
    };
    match ProgrammeDraft::parse(&form.input) {
        Ok(draft) => {
            let p = state
                .store
                .create_programme(&me.actor, &organisation_id, &draft, state.now())
                .await?;
            Ok(Redirect::to(&format!("/programmas/{}/beheer", p.id)).into_response())
        }
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            new_view(shell, &me.actor, form.input, organisation_id, errors),
        )
            .into_response()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_public.html")]
struct PublicPage {
    shell: Shell,
    programme: ProgrammeView,
    run: Option<RunView>,
    participants: Vec<ApplicationView>,
    waves: Vec<WaveRunView>,
}

/// A wave's own published selection: its seed, day and the participants it selected (still selected now).
#[derive(Debug, Clone)]
pub(crate) struct WaveRunView {
    pub name: String,
    pub places: u32,
    pub seed: String,
    pub when: String,
    pub participants: Vec<String>,
}

async fn wave_run_views(
    state: &AppState,
    p: &keten_store::programmes::Programme,
) -> Result<Vec<WaveRunView>, AppError> {
    let runs = state.store.wave_runs(&p.id).await?;
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    let selected = state.store.selected_participants(&p.id).await?;
    let mut out = Vec::new();
    for wave in &p.waves {
        let Some((_, seed, result, created_at)) = runs.iter().find(|r| r.0 == wave.id) else {
            continue;
        };
        let chosen: Vec<String> = serde_json::from_str::<keten_core::selection::Selection>(result)
            .map(|s| {
                s.outcomes
                    .into_iter()
                    .filter(|o| o.decision == keten_core::selection::Decision::Selected)
                    .map(|o| o.id)
                    .collect()
            })
            .unwrap_or_default();
        let mut participants: Vec<String> = selected
            .iter()
            .filter(|a| chosen.contains(&a.id))
            .map(|a| a.organisation_name.clone())
            .collect();
        participants.sort();
        out.push(WaveRunView {
            name: wave.name.clone(),
            places: wave.places,
            seed: seed.clone(),
            when: dutch_date(keten_core::steering::local_date(*created_at)),
            participants,
        });
    }
    Ok(out)
}

async fn public_page(
    State(state): State<AppState>,
    shell: Shell,
    Path(id): Path<String>,
) -> Result<PublicPage, PageError> {
    let p = state.store.programme(&id).await?;
    let today = keten_core::steering::local_date(state.now());
    let participants = state
        .store
        .selected_participants(&id)
        .await?
        .iter()
        .map(|a| application_view(a, &p, &Actor::default()))
        .collect();
    Ok(PublicPage {
        programme: programme_view(&p, today),
        run: run_view(&state, &id).await?,
        waves: wave_run_views(&state, &p).await?,
        participants,
        shell,
    })
}

#[derive(Debug, Default, Deserialize)]
struct ManageQuery {
    status: Option<String>,
    provincie: Option<String>,
    grootte: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_manage.html")]
struct ManagePage {
    shell: Shell,
    programme: ProgrammeView,
    applications: Vec<ApplicationView>,
    statuses: Vec<Choice>,
    provinces: Vec<Choice>,
    sizes: Vec<Choice>,
    total: usize,
    run: Option<RunView>,
    budget: super::grants::BudgetView,
}

/// The latest selection run, as pages show it.
#[derive(Debug, Clone)]
pub(crate) struct RunView {
    pub seed: String,
    pub when: String,
    pub selected: usize,
    pub overrides: Vec<(String, String, String, String)>,
}

pub(crate) async fn run_view(
    state: &AppState,
    programme_id: &str,
) -> Result<Option<RunView>, AppError> {
    let Some(run) = state.store.latest_selection(programme_id).await? else {
        return Ok(None);
    };
    let selected = state.store.selected_participants(programme_id).await?.len();
    Ok(Some(RunView {
        seed: run.seed,
        when: dutch_date(keten_core::steering::local_date(run.created_at)),
        selected,
        overrides: run
            .overrides
            .into_iter()
            .map(|o| {
                (
                    o.organisation_name,
                    o.from_status.label().to_owned(),
                    o.to_status.label().to_owned(),
                    o.reason,
                )
            })
            .collect(),
    }))
}

async fn manage_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    Query(q): Query<ManageQuery>,
) -> Result<ManagePage, PageError> {
    require_manager(&me.actor)?;
    let p = state.store.managed_programme(&me.actor, &id).await?;
    let status = q.status.as_deref().unwrap_or("").trim().to_owned();
    let province = q.provincie.as_deref().unwrap_or("").trim().to_owned();
    let all = state
        .store
        .programme_applications(&me.actor, &id, &ApplicationFilter::default())
        .await?;
    let mut provinces: Vec<String> = all
        .iter()
        .filter_map(|a| municipality(&a.municipality_code).map(|m| m.province.clone()))
        .filter(|p| !p.is_empty())
        .collect();
    provinces.sort();
    provinces.dedup();
    let filter = ApplicationFilter {
        status: status.parse::<ApplicationStatus>().ok(),
        province: Some(province.clone()).filter(|p| !p.is_empty()),
    };
    let size = q.grootte.as_deref().unwrap_or("").trim().to_owned();
    let size_filter = size.parse::<keten_core::programme::SizeClass>().ok();
    let mut shown = state
        .store
        .programme_applications(&me.actor, &id, &filter)
        .await?;
    // Size classes follow the programme's own thresholds, so they are judged here rather than in SQL.
    if let Some(wanted) = size_filter {
        shown.retain(|a| {
            municipality(&a.municipality_code)
                .is_some_and(|m| size_class(m.population, p.size_thresholds) == wanted)
        });
    }
    let today = keten_core::steering::local_date(state.now());
    let budget = state.store.programme_budget(&me.actor, &id).await?;
    Ok(ManagePage {
        budget: super::grants::budget_view(&budget, &p),
        shell,
        run: run_view(&state, &id).await?,
        total: all.len(),
        applications: shown
            .iter()
            .map(|a| application_view(a, &p, &me.actor))
            .collect(),
        statuses: ApplicationStatus::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().into(),
                label: s.label().into(),
                selected: s.as_str() == status,
            })
            .collect(),
        sizes: keten_core::programme::SizeClass::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str().into(),
                label: c.label().into(),
                selected: c.as_str() == size,
            })
            .collect(),
        provinces: provinces
            .into_iter()
            .map(|p| Choice {
                selected: p == province,
                label: p.clone(),
                value: p,
            })
            .collect(),
        programme: programme_view(&p, today),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_apply.html")]
struct ApplyPage {
    shell: Shell,
    programme: ProgrammeView,
    dossier: bool,
    organisations: Vec<Choice>,
    input: FormView,
    errors: Vec<ValidationError>,
    status: Option<String>,
}

/// The form as typed, with the checked conditions marked.
#[derive(Debug, Clone, Default)]
struct FormView {
    amount: String,
    amount_vat_included: bool,
    proposal: String,
    helix_partners: String,
    wave_id: String,
    members: String,
    partners: String,
    conditions: Vec<(usize, String, bool)>,
}

fn form_view(p: &Programme, input: &ApplicationInput) -> FormView {
    FormView {
        amount: input.amount.clone(),
        amount_vat_included: input.amount_vat_included,
        proposal: input.proposal.clone(),
        helix_partners: input.helix_partners.clone(),
        wave_id: input.wave_id.clone(),
        members: input.members.clone(),
        partners: input.partners.clone(),
        conditions: p
            .conditions
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.clone(), input.confirmed.contains(&i)))
            .collect(),
    }
}

fn parse_application_form(body: &[u8]) -> ApplicationInput {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let mut input = ApplicationInput::default();
    for (key, value) in pairs {
        match key.as_str() {
            "organisation_id" => input.organisation_id = value,
            "amount" => input.amount = value,
            "amount_vat_included" => input.amount_vat_included = value == "1",
            "proposal" => input.proposal = value,
            "helix_partners" => input.helix_partners = value,
            "wave_id" => input.wave_id = value,
            "members" => input.members = value,
            "partners" => input.partners = value,
            "condition" => {
                if let Ok(i) = value.parse() {
                    input.confirmed.push(i);
                }
            }
            _ => {}
        }
    }
    input
}

/// The organisations the actor may apply for in this programme, as choices; Forbidden when none.
async fn applicant_choices(
    state: &AppState,
    actor: &Actor,
    p: &Programme,
    selected: &str,
) -> Result<Vec<(Choice, String)>, AppError> {
    let orgs = state
        .store
        .applicant_organisations(actor, p.applicant_kind)
        .await?;
    if orgs.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(orgs
        .into_iter()
        .map(|(id, name, code)| {
            (
                Choice {
                    selected: id == selected,
                    value: id,
                    label: name,
                },
                code,
            )
        })
        .collect())
}

async fn apply_view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    p: &Programme,
    input: &ApplicationInput,
    errors: Vec<ValidationError>,
) -> Result<ApplyPage, AppError> {
    let choices = applicant_choices(state, actor, p, &input.organisation_id).await?;
    let today = keten_core::steering::local_date(state.now());
    let status = state
        .store
        .my_applications(actor)
        .await?
        .into_iter()
        .find(|a| {
            a.programme_id == p.id && choices.iter().any(|(c, _)| c.value == a.organisation_id)
        })
        .map(|a| a.status.label().to_owned());
    Ok(ApplyPage {
        shell,
        programme: programme_view(p, today),
        dossier: p.kind == ProgrammeKind::ProjectCall,
        organisations: choices.into_iter().map(|(c, _)| c).collect(),
        input: form_view(p, input),
        errors,
        status,
    })
}

async fn apply_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<ApplyPage, PageError> {
    let p = state.store.programme(&id).await?;
    // An earlier application of the actor's organisation fills the form (to answer a request for a missing piece).
    let mine = state
        .store
        .my_applications(&me.actor)
        .await?
        .into_iter()
        .find(|a| a.programme_id == p.id && me.actor.is_member_of(&a.organisation_id));
    let input = match mine {
        Some(a) => ApplicationInput {
            organisation_id: a.organisation_id.clone(),
            amount: keten_core::steering::thousands(a.amount.cents.0 / 100)
                + &match a.amount.cents.0 % 100 {
                    0 => String::new(),
                    c => format!(",{c:02}"),
                },
            amount_vat_included: a.amount.vat_included,
            proposal: a.proposal.clone(),
            helix_partners: a.helix_partners.clone(),
            wave_id: a.wave_id.clone().unwrap_or_default(),
            confirmed: a.confirmed_conditions.clone(),
            members: member_lines(&a, MemberRole::Member),
            partners: member_lines(&a, MemberRole::Partner),
        },
        None => ApplicationInput {
            amount_vat_included: true,
            ..Default::default()
        },
    };
    Ok(apply_view(&state, shell, &me.actor, &p, &input, Vec::new()).await?)
}

fn member_lines(a: &Application, role: MemberRole) -> String {
    a.members
        .iter()
        .filter(|m| m.role == role)
        .map(|m| {
            municipality(&m.municipality_code)
                .map_or_else(|| m.municipality_code.clone(), |x| x.name.clone())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn submit_application(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = state.store.programme(&id).await?;
    let mut input = parse_application_form(&body);
    let amount = keten_core::programme::EuroCents::parse("amount", &input.amount);
    match super::apply(&state, &me.actor, &p, &mut input, amount).await {
        Ok(a) => Ok(Redirect::to(&format!("/aanvragen/{}", a.id)).into_response()),
        Err(AppError::Validation(errors)) => {
            let page = apply_view(&state, shell, &me.actor, &p, &input, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_application.html")]
struct ApplicationPage {
    shell: Shell,
    application: ApplicationView,
    manages: bool,
    applicant: bool,
    errors: Vec<ValidationError>,
    request: String,
    grant: Option<super::grants::GrantView>,
    /// The override form as typed (kept when it is refused).
    override_status: String,
    override_reason: String,
}

impl ApplicationPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::grants::field_error(&self.errors, field)
    }
}

async fn application_view_page(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: &str,
    errors: Vec<ValidationError>,
    request: String,
) -> Result<ApplicationPage, AppError> {
    let a = state.store.application(actor, id).await?;
    let p = state.store.programme(&a.programme_id).await?;
    let manages = state.store.managed_programme(actor, &p.id).await.is_ok();
    let (probability, explanation) = state.store.selection_of(actor, id).await?;
    let mut view = application_view(&a, &p, actor);
    view.probability = probability.map(percentage);
    view.explanation = super::selection::explanation(explanation.as_deref());
    let grant = state
        .store
        .grant_of_application(actor, id)
        .await?
        .as_ref()
        .map(super::grants::grant_view);
    Ok(ApplicationPage {
        grant,
        override_status: String::new(),
        override_reason: String::new(),
        shell,
        applicant: actor.is_member_of(&a.organisation_id),
        application: view,
        manages,
        errors,
        request,
    })
}

/// The application page again with the refused override, its typed status and reason and the messages (422).
pub(crate) async fn override_refused(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: &str,
    errors: Vec<ValidationError>,
    status: String,
    reason: String,
) -> Result<Response, AppError> {
    let mut page = application_view_page(state, shell, actor, id, errors, String::new()).await?;
    page.override_status = status;
    page.override_reason = reason;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn application_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
) -> Result<ApplicationPage, PageError> {
    Ok(application_view_page(&state, shell, &me.actor, &id, Vec::new(), String::new()).await?)
}

#[derive(Debug, Default, Deserialize)]
struct RequestForm {
    #[serde(default)]
    request: String,
}

async fn request_information(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<RequestForm>,
) -> Result<Response, PageError> {
    match state
        .store
        .request_information(&me.actor, &id, &form.request, state.now())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/aanvragen/{id}")).into_response()),
        Err(keten_store::StoreError::Invalid(errors)) => {
            let page =
                application_view_page(&state, shell, &me.actor, &id, errors, form.request).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(keten_store::StoreError::Conflict(_)) => Err(AppError::Conflict(
            "Over deze aanvraag is al besloten; vragen om aanvulling kan niet meer.".into(),
        )
        .into()),
        Err(e) => Err(AppError::from(e).into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    organisation_id: String,
}

async fn confirm_membership(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> Result<Response, PageError> {
    state
        .store
        .confirm_membership(&me.actor, &id, &form.organisation_id, state.now())
        .await?;
    Ok(Redirect::to(&format!("/aanvragen/{id}")).into_response())
}
