//! Accountability across a programme for its managers: keten's figures for every selected participant over a period (one row each, totals, CSV and XLSX), and the reminder list of reports due soon or overdue.

use super::grants::field_error;
use super::pages::dutch_date;
use super::reports::{per_1000_cell, small_cell};
use super::require_manager;
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::civil::Date;
use keten_core::ValidationError;
use keten_core::programme::{ApplicationStatus, ReportState, parse_date};
use keten_core::reference::municipality;
use keten_core::steering::day_number;
use keten_store::Actor;
use keten_store::programme_money::{KetenFigures, ReportLine};
use keten_store::programmes::{ApplicationFilter, Programme};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programmas/{id}/verantwoording", get(figures_page))
        .route("/programmas/{id}/verantwoording.csv", get(figures_csv))
        .route("/programmas/{id}/verantwoording.xlsx", get(figures_xlsx))
        .route("/programmas/{id}/herinneringen", get(reminders_page))
}

/// The period as typed (`van`, `tot`; dag-maand-jaar or ISO). Empty: from the programme's opening to today.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PeriodQuery {
    #[serde(default)]
    pub van: String,
    #[serde(default)]
    pub tot: String,
}

/// One participant's figures over the period (raw counts; cells are hidden when shown).
#[derive(Debug, Clone)]
pub(crate) struct ParticipantFigures {
    pub organisation: String,
    pub municipality_code: String,
    pub municipality: String,
    pub residents: u32,
    pub figures: KetenFigures,
}

pub(crate) const HEADERS: [&str; 9] = [
    "Deelnemer",
    "Gemeente",
    "Inwoners",
    "Hulpvragen",
    "Hulpvragen per 1.000 inwoners",
    "Doorverwijzingen verstuurd",
    "Doorverwijzingen afgerond",
    "Hulppunten in de keten",
    "Spreekuren van partners",
];

/// The period asked for, or the errors at its fields.
fn period(
    p: &Programme,
    q: &PeriodQuery,
    today: Date,
) -> Result<(Date, Date), Vec<ValidationError>> {
    let mut errors = Vec::new();
    let from = match q.van.trim() {
        "" => Ok(p.opens_on),
        s => parse_date("van", s),
    }
    .map_err(|e| errors.push(e));
    let until = match q.tot.trim() {
        "" => Ok(today.max(p.opens_on)),
        s => parse_date("tot", s),
    }
    .map_err(|e| errors.push(e));
    match (from, until) {
        (Ok(f), Ok(u)) if u < f => Err(vec![ValidationError::new(
            "tot",
            "Het einde van de periode ligt voor het begin.",
        )]),
        (Ok(f), Ok(u)) if errors.is_empty() => Ok((f, u)),
        _ => Err(errors),
    }
}

/// keten's figures for each selected participant of a managed programme over `from..=until`, by name.
pub(crate) async fn participant_figures(
    state: &AppState,
    actor: &Actor,
    programme_id: &str,
    from: Date,
    until: Date,
) -> Result<Vec<ParticipantFigures>, AppError> {
    let selected = state
        .store
        .programme_applications(
            actor,
            programme_id,
            &ApplicationFilter {
                status: Some(ApplicationStatus::Selected),
                province: None,
            },
        )
        .await?;
    let mut out = Vec::with_capacity(selected.len());
    for a in selected {
        let figures = state
            .store
            .keten_figures(&a.municipality_code, from, until)
            .await?;
        let m = municipality(&a.municipality_code);
        out.push(ParticipantFigures {
            municipality: m.map_or_else(|| a.municipality_code.clone(), |m| m.name.clone()),
            residents: m.map_or(0, |m| m.population),
            organisation: a.organisation_name,
            municipality_code: a.municipality_code,
            figures,
        });
    }
    out.sort_by(|a, b| a.organisation.cmp(&b.organisation));
    Ok(out)
}

/// The totals: each municipality counted once (a library and its municipality may both take part).
pub(crate) fn totals(rows: &[ParticipantFigures]) -> (usize, u32, KetenFigures) {
    let mut seen = std::collections::BTreeSet::new();
    let mut residents = 0u32;
    let mut total = KetenFigures::default();
    for r in rows {
        if !seen.insert(r.municipality_code.clone()) {
            continue;
        }
        residents = residents.saturating_add(r.residents);
        total.questions += r.figures.questions;
        total.referrals_sent += r.figures.referrals_sent;
        total.referrals_completed += r.figures.referrals_completed;
        total.help_points += r.figures.help_points;
        total.consultation_hours += r.figures.consultation_hours;
    }
    (seen.len(), residents, total)
}

fn per_1000_of(questions: i64, residents: u32) -> String {
    if questions > 0 && questions < 5 {
        return small_cell(questions).to_string();
    }
    keten_core::steering::per_thousand_tenths(questions, residents)
        .map(|t| keten_core::steering::Cell::Tenths(t).to_string())
        .unwrap_or_default()
}

fn cells(
    label: String,
    place: String,
    residents: u32,
    f: &KetenFigures,
    rate: String,
) -> Vec<String> {
    vec![
        label,
        place,
        keten_core::steering::thousands(i64::from(residents)),
        small_cell(f.questions).to_string(),
        rate,
        small_cell(f.referrals_sent).to_string(),
        small_cell(f.referrals_completed).to_string(),
        f.help_points.to_string(),
        f.consultation_hours.to_string(),
    ]
}

/// Rows as shown and downloaded: one per participant, then the totals.
pub(crate) fn table(rows: &[ParticipantFigures]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let rate = per_1000_cell(r.figures.questions, &r.municipality_code)
                .map(|c| c.to_string())
                .unwrap_or_default();
            cells(
                r.organisation.clone(),
                r.municipality.clone(),
                r.residents,
                &r.figures,
                rate,
            )
        })
        .collect();
    let (places, residents, total) = totals(rows);
    out.push(cells(
        "Totaal".to_owned(),
        format!(
            "{places} {}",
            if places == 1 { "gemeente" } else { "gemeenten" }
        ),
        residents,
        &total,
        per_1000_of(total.questions, residents),
    ));
    out
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_accountability.html")]
struct FiguresPage {
    shell: Shell,
    programme_id: String,
    programme_name: String,
    period: String,
    query: PeriodQuery,
    headers: [&'static str; 9],
    rows: Vec<Vec<String>>,
    errors: Vec<ValidationError>,
}

impl FiguresPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field)
    }
}

async fn figures_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    let p = state.store.managed_programme(&me.actor, &id).await?;
    let today = keten_core::steering::local_date(state.now());
    let (status, period, rows, errors) = match period(&p, &query, today) {
        Ok((from, until)) => {
            let figures = participant_figures(&state, &me.actor, &id, from, until).await?;
            (
                StatusCode::OK,
                format!("{} tot en met {}", dutch_date(from), dutch_date(until)),
                table(&figures),
                Vec::new(),
            )
        }
        Err(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            String::new(),
            Vec::new(),
            errors,
        ),
    };
    Ok((
        status,
        FiguresPage {
            shell,
            programme_id: p.id,
            programme_name: p.name,
            period,
            query,
            headers: HEADERS,
            rows,
            errors,
        },
    )
        .into_response())
}

async fn download_rows(
    state: &AppState,
    actor: &Actor,
    id: &str,
    query: &PeriodQuery,
) -> Result<(Vec<Vec<String>>, String), AppError> {
    require_manager(actor)?;
    let p = state.store.managed_programme(actor, id).await?;
    let today = keten_core::steering::local_date(state.now());
    let (from, until) = period(&p, query, today).map_err(AppError::Validation)?;
    let figures = participant_figures(state, actor, id, from, until).await?;
    Ok((table(&figures), format!("verantwoording-{from}-{until}")))
}

async fn figures_csv(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let (rows, name) = download_rows(&state, &me.actor, &id, &query).await?;
    let all =
        std::iter::once(HEADERS.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()).chain(rows);
    Ok(crate::download::csv(&format!("{name}.csv"), all)?)
}

async fn figures_xlsx(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let (rows, name) = download_rows(&state, &me.actor, &id, &query).await?;
    Ok(crate::download::xlsx(
        &format!("{name}.xlsx"),
        "Verantwoording",
        &HEADERS,
        &rows,
    )?)
}

/// How many days ahead the reminder list looks, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct RemindQuery {
    #[serde(default)]
    pub dagen: String,
}

/// Days ahead when nothing is typed.
pub(crate) const DEFAULT_DAYS: i64 = 14;

/// A report line to remind about.
#[derive(Debug, Clone)]
pub(crate) struct Reminder {
    pub title: String,
    pub due: String,
    pub application_id: String,
    pub organisation: String,
    /// Days until the due day (negative: days overdue).
    pub days: i64,
}

/// The report lines still missing: due within `days` days (`due_soon`), or past their due day (`overdue`).
pub(crate) fn reminders(
    lines: &[ReportLine],
    today: Date,
    days: i64,
) -> (Vec<Reminder>, Vec<Reminder>) {
    let mut soon = Vec::new();
    let mut overdue = Vec::new();
    for l in lines {
        if l.submission.is_some() {
            continue;
        }
        let left = day_number(l.report.due_on) - day_number(today);
        let r = Reminder {
            title: l.report.title.clone(),
            due: dutch_date(l.report.due_on),
            application_id: l.application_id.clone(),
            organisation: l.organisation_name.clone(),
            days: left,
        };
        if l.state == ReportState::Missing || left < 0 {
            overdue.push(r);
        } else if left <= days {
            soon.push(r);
        }
    }
    soon.sort_by_key(|r| r.days);
    overdue.sort_by_key(|r| r.days);
    (soon, overdue)
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_reminders.html")]
struct RemindersPage {
    shell: Shell,
    programme_id: String,
    programme_name: String,
    days: i64,
    query: RemindQuery,
    soon: Vec<Reminder>,
    overdue: Vec<Reminder>,
    errors: Vec<ValidationError>,
}

impl RemindersPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field)
    }
}

async fn reminders_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Path(id): Path<String>,
    Query(query): Query<RemindQuery>,
) -> Result<Response, PageError> {
    require_manager(&me.actor)?;
    let p = state.store.managed_programme(&me.actor, &id).await?;
    let (days, errors) = match query.dagen.trim() {
        "" => (DEFAULT_DAYS, Vec::new()),
        s => match s.parse::<i64>() {
            Ok(n) if (0..=366).contains(&n) => (n, Vec::new()),
            _ => (
                DEFAULT_DAYS,
                vec![ValidationError::new(
                    "dagen",
                    "Vul een aantal dagen in van 0 tot en met 366, bijvoorbeeld 14.",
                )],
            ),
        },
    };
    let today = keten_core::steering::local_date(state.now());
    let lines = state
        .store
        .programme_report_lines(&me.actor, &id, today)
        .await?;
    let (soon, overdue) = reminders(&lines, today, days);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        RemindersPage {
            shell,
            programme_id: p.id,
            programme_name: p.name,
            days,
            query,
            soon,
            overdue,
            errors,
        },
    )
        .into_response())
}
