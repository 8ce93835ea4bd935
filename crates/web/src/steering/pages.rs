//! The dashboard page and its downloads: `/regie` and `/regie/download/{table}.{csv|xlsx}`.

use super::export;
use super::tables::ChartKind;
use super::tables::{
    Dashboard, Resolved, StatsQuery, TABLE_KEYS, Table, dashboard, date_text, resolve,
};
use crate::AppState;
use crate::auth::RequireUser;
use crate::charts::map::{Area, AreaMap};
use crate::charts::{Chart, Kind, Series};
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use keten_core::ValidationError;
use keten_core::steering::{Cell, PeriodKind, change_percent, thousands};
use keten_store::stats::FigureReach;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/regie", get(dashboard_page))
        .route("/regie/download/{file}", get(download))
        .route("/regie/verslag", get(super::report::report_page))
        .route("/regie/landelijk", get(national_page))
}

/// One option of a chooser.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "steering.html")]
struct DashboardPage {
    shell: Shell,
    dashboard: Dashboard,
    errors: Vec<ValidationError>,
    municipalities: Vec<Choice>,
    periods: Vec<Choice>,
    help_points: Vec<Choice>,
    /// Partners with consultation hours in the chain: "one partner's consultation hours".
    partners: Vec<Choice>,
    from: String,
    to: String,
    /// The query string of the shown figures, for the download links.
    query: String,
    period_text: String,
    earlier_text: String,
    /// "1.240 vragen, 18% meer dan een jaar eerder."
    summary: String,
}

impl DashboardPage {
    fn cell(&self, c: &Cell) -> String {
        c.to_string()
    }

    /// The table's chart (accessible SVG with its numbers), or nothing for tables without one; the
    /// target-group table gets the map of the municipality.
    fn chart(&self, table: &Table) -> String {
        if table.key == "target-group" {
            return self.map().unwrap_or_default();
        }
        chart_of(table).map(|c| c.render()).unwrap_or_default()
    }

    fn map(&self) -> Option<String> {
        map_svg(&self.dashboard)
    }
}

/// The municipality's map of questions per 1,000 residents, or nothing for the national view.
pub(super) fn map_svg(dashboard: &Dashboard) -> Option<String> {
    if dashboard.map.is_empty() {
        return None;
    }
    Some(
            AreaMap {
                id: "kaart-doelgroep".into(),
                title: "Vragen per 1.000 inwoners op de kaart".into(),
                description: "Cirkels op het midden van elk postcodegebied (bij benadering): hoe groter, hoe meer vragen per 1.000 inwoners. Gemarkeerd: blinde vlekken, waar veel 65-plussers wonen en geen vraag vandaan kwam. De getallen staan in de tabel eronder.".into(),
                unit: "vragen per 1.000 inwoners".into(),
                decimals: 1,
                areas: dashboard
                    .map
                    .iter()
                    .map(|a| Area {
                        label: a.pc4.clone(),
                        lat: a.lat,
                        lon: a.lon,
                        value: a.rate,
                        blind_spot: a.blind_spot,
                    })
                    .collect(),
            }
            .render(),
        )
}

/// A chart of a table's first count column, with the year earlier beside it where the table has one.
pub(super) fn chart_of(table: &Table) -> Option<Chart> {
    // Key figures and referral figures mix units in their columns: a table says it better than a chart.
    if table.key == "key-figures" || table.key.starts_with("referral-") || table.rows.is_empty() {
        return None;
    }
    let kind = match table.chart {
        ChartKind::Bar => Kind::Bars,
        ChartKind::Column => Kind::Columns,
        ChartKind::Line => Kind::Lines,
    };
    let values = |col: usize| -> Vec<Option<f64>> {
        table
            .rows
            .iter()
            .map(|r| r.cells.get(col).and_then(|c| c.number()))
            .collect()
    };
    let heading = table.headers.first().copied().unwrap_or("");
    let first = table.headers.get(1).copied().unwrap_or("Vragen");
    let mut chart = Chart::new(
        kind,
        &format!("grafiek-{}", table.key),
        &table.title,
        &format!(
            "{}: {} per {}. De getallen staan in de tabel eronder.",
            table.title,
            first.to_lowercase(),
            heading.to_lowercase()
        ),
    )
    .categories(heading, table.rows.iter().map(|r| r.label.clone()))
    .series(Series::new(
        if table.headers.len() > 2 {
            "Deze periode"
        } else {
            first
        },
        values(0),
    ));
    if let Some(col) = table
        .headers
        .iter()
        .skip(1)
        .position(|h| *h == "Een jaar eerder")
    {
        chart = chart.series(Series::new("Een jaar eerder", values(col)));
    }
    // The full table follows the chart; the chart's own copy stays folded.
    Some(chart.fold_table())
}

fn summary(d: &Dashboard) -> String {
    let n = thousands(d.questions);
    let word = if d.questions == 1 { "vraag" } else { "vragen" };
    match change_percent(d.questions, d.questions_before) {
        Some(0) => format!("{n} {word}, evenveel als een jaar eerder."),
        Some(p) if p > 0 => format!("{n} {word}, {p}% meer dan een jaar eerder."),
        Some(p) => format!("{n} {word}, {}% minder dan een jaar eerder.", -p),
        None => format!("{n} {word}. Een jaar eerder zijn er geen vragen geregistreerd."),
    }
}

pub(super) fn range_text(r: keten_core::steering::DayRange) -> String {
    let (from, to) = r.dates();
    format!("{} tot en met {}", date_text(from), date_text(to))
}

/// The national view: every municipality's figures together, with tables per province and size class.
/// Admins and a national body's programme managers only; anyone else gets 404, as for another municipality's
/// figures (a regional programme's manager reads its municipalities one by one).
async fn national_page(
    state: State<AppState>,
    shell: Shell,
    user: RequireUser,
    Query(mut q): Query<StatsQuery>,
) -> Result<DashboardPage, PageError> {
    if state.store.figure_reach(&user.0.actor).await? != FigureReach::Everywhere {
        return Err(AppError::NotFound.into());
    }
    q.municipality = None;
    q.help_point = None;
    q.partner = None;
    dashboard_page(state, shell, user, Query(q)).await
}

async fn dashboard_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Query(mut q): Query<StatsQuery>,
) -> Result<DashboardPage, PageError> {
    let actor = &me.actor;
    // A period that does not parse is shown as an error above this month's figures; the typed dates stay.
    let (resolved, errors) = match resolve(&state, actor, &q).await {
        Ok(r) => (r, Vec::new()),
        Err(AppError::Validation(errors)) => {
            let typed = (q.from.clone(), q.to.clone());
            q.period = None;
            let r = resolve(&state, actor, &q).await?;
            (q.from, q.to) = typed;
            (r, errors)
        }
        Err(e) => return Err(e.into()),
    };
    let d = dashboard(&state, actor, &resolved).await?;
    let municipality = resolved.scope.municipality_code.clone();
    // The municipalities within reach to choose from; none for those who reach every one (the national view).
    let within_reach: &[String] = match &resolved.reach {
        FigureReach::Everywhere => &[],
        FigureReach::Municipalities(codes) => codes,
    };
    let municipalities = within_reach
        .iter()
        .map(|m| Choice {
            value: m.clone(),
            label: keten_core::reference::municipality(m)
                .map_or_else(|| m.clone(), |x| x.name.clone()),
            selected: Some(m) == municipality.as_ref(),
        })
        .collect();
    let help_points = match &municipality {
        Some(code) => state
            .store
            .chain_help_points(code)
            .await?
            .into_iter()
            .map(|p| Choice {
                selected: resolved
                    .scope
                    .help_point
                    .as_ref()
                    .is_some_and(|h| h.id == p.id),
                value: p.id,
                label: p.name,
            })
            .collect(),
        None => Vec::new(),
    };
    let partners = match &municipality {
        Some(code) => state
            .store
            .chain_consultation_partners(code)
            .await?
            .into_iter()
            .map(|p| Choice {
                selected: resolved
                    .scope
                    .partner
                    .as_ref()
                    .is_some_and(|s| s.id == p.id),
                value: p.id,
                label: p.name,
            })
            .collect(),
        None => Vec::new(),
    };
    let periods = PeriodKind::ALL
        .iter()
        .map(|p| Choice {
            value: p.code().to_owned(),
            label: p.label().to_owned(),
            selected: *p == resolved.period.kind,
        })
        .collect();
    let (from, to) = resolved.period.range.dates();
    let shown_query = StatsQuery {
        municipality: municipality.clone(),
        period: Some(resolved.period.kind.code().to_owned()),
        from: Some(from.to_string()),
        to: Some(to.to_string()),
        help_point: resolved.scope.help_point.as_ref().map(|h| h.id.clone()),
        partner: resolved.scope.partner.as_ref().map(|p| p.id.clone()),
    };
    Ok(DashboardPage {
        shell,
        errors,
        municipalities,
        periods,
        help_points,
        partners,
        from: q
            .from
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| from.to_string()),
        to: q
            .to
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| to.to_string()),
        query: shown_query.to_query_string(),
        period_text: range_text(d.period.range),
        earlier_text: range_text(d.year_earlier),
        summary: summary(&d),
        dashboard: d,
    })
}

/// `{table}.csv`, `{table}.xlsx`, or `all.xlsx` (every table in one workbook).
async fn download(
    State(state): State<AppState>,
    RequireUser(me): RequireUser,
    Path(file): Path<String>,
    Query(q): Query<StatsQuery>,
) -> Result<Response, PageError> {
    let (key, ext) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    if !(key == "all" || TABLE_KEYS.contains(&key)) || !matches!(ext, "csv" | "xlsx") {
        return Err(AppError::NotFound.into());
    }
    let resolved: Resolved = resolve(&state, &me.actor, &q).await?;
    let d = dashboard(&state, &me.actor, &resolved).await?;
    let (from, to) = d.period.range.dates();
    let name = |what: &str| format!("cijfers-{what}-{from}-{to}.{ext}");
    let tables: Vec<&Table> = if key == "all" {
        d.tables.iter().collect()
    } else {
        d.table(key).into_iter().collect()
    };
    match (ext, tables.as_slice()) {
        ("csv", [table]) => Ok(export::csv(table, &name(key))?),
        ("xlsx", tables) if !tables.is_empty() => Ok(export::xlsx(&d, tables, &name(key))?),
        _ => Err(AppError::NotFound.into()),
    }
}
