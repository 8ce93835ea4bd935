//! The dashboard as tables: one model of every figure, with the cells-under-5 rule applied once, that the page, the JSON API, CSV and XLSX all render.

use crate::AppState;
use crate::error::AppError;
use keten_core::account::Role;
use keten_core::help_question::{AgeBand, Channel, Outcome};
use keten_core::steering::{
    self, Cell, DayRange, Period, SMALL_MUNICIPALITY, change_percent, date_of, local_date,
    milestone, month_start, percent, suppress_list, week_start, weekday,
};
use keten_store::Actor;
use keten_store::stats::{Count, Dimension, FigureReach, Figures, ReferralTimes, StatsScope};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::IntoParams;

/// Period and scope, as query parameters of the page, the downloads and the API.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// CBS or NIS code (`GM0599`); default the caller's own municipality. Programme managers and admins may
    /// leave it out for the whole installation.
    pub municipality: Option<String>,
    /// `this_month` (default), `last_month`, `this_quarter`, `this_year` or `custom`.
    pub period: Option<String>,
    /// First day of a custom period, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day of a custom period (inclusive), `YYYY-MM-DD`.
    pub to: Option<String>,
    /// One help point of the municipality's chain (its id).
    pub help_point: Option<String>,
    /// One partner organisation (its id): only the questions registered during its consultation hours at
    /// the municipality's chain.
    pub partner: Option<String>,
}

fn filled(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl StatsQuery {
    /// The query string of these parameters, for links to downloads.
    pub fn to_query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("municipality", filled(&self.municipality)),
            ("period", filled(&self.period)),
            ("from", filled(&self.from)),
            ("to", filled(&self.to)),
            ("help_point", filled(&self.help_point)),
            ("partner", filled(&self.partner)),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// Who may read figures at all: steering (its own municipalities), programme managers and admins.
const FIGURE_ROLES: [Role; 3] = [Role::Steering, Role::ProgrammeManager, Role::Admin];

/// A checked request: scope and period.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub scope: StatsScope,
    pub period: Period,
    /// Whose figures the caller reads: the dashboard's choice of municipalities.
    pub reach: FigureReach,
}

/// Checks role, period and scope: 403 without a figures role, 422 for a bad period, 404 for a municipality
/// or help point the caller may not see.
pub async fn resolve(
    state: &AppState,
    actor: &Actor,
    q: &StatsQuery,
) -> Result<Resolved, AppError> {
    if !actor.has_any_role(&FIGURE_ROLES) {
        return Err(AppError::Forbidden);
    }
    let today = local_date(state.now());
    let period = Period::parse(filled(&q.period), filled(&q.from), filled(&q.to), today)?;
    // Without a municipality: steering's own, a regional programme manager's first; the nation for those who
    // reach every municipality.
    let reach = state.store.figure_reach(actor).await?;
    let municipality = match (filled(&q.municipality), &reach) {
        (Some(code), _) => Some(code.to_owned()),
        (None, FigureReach::Everywhere) => None,
        (None, FigureReach::Municipalities(codes)) => actor
            .steering_municipalities
            .first()
            .or(codes.first())
            .cloned(),
    };
    let scope = state
        .store
        .stats_scope_within(
            &reach,
            municipality.as_deref(),
            filled(&q.help_point),
            filled(&q.partner),
        )
        .await?;
    Ok(Resolved {
        scope,
        period,
        reach,
    })
}

/// Which chart fits a table in the XLSX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Bar,
    Column,
    Line,
}

/// One table of figures: a label column and count columns.
#[derive(Debug, Clone)]
pub struct Table {
    /// Stable name in addresses and the API (`topics`, `per-week`).
    pub key: &'static str,
    pub title: String,
    /// Header of the label column, then of each count column.
    pub headers: Vec<&'static str>,
    pub rows: Vec<Row>,
    pub chart: ChartKind,
    /// A sentence under the table (what it counts, why cells are hidden).
    pub note: Option<&'static str>,
}

impl Table {
    /// What the page says instead of an empty table. No blind spots is good news, not an absence of questions.
    pub fn empty_text(&self) -> &'static str {
        match self.key {
            "blind-spots" => "Geen blinde vlekken in deze periode.",
            _ => "Geen vragen in deze periode.",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Row {
    pub label: String,
    pub cells: Vec<Cell>,
}

/// The dashboard: what the figures are about and its tables.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub scope_name: String,
    pub period: Period,
    pub year_earlier: DayRange,
    pub questions: i64,
    pub questions_before: i64,
    pub tables: Vec<Table>,
    /// The municipality's PC4 areas (empty for the national view).
    pub map: Vec<MapArea>,
    /// The facts of the council report's summary.
    pub summary: steering::report::Summary,
    /// The largest topic's label (the summary holds its code).
    pub largest_topic: Option<String>,
}

impl Dashboard {
    pub fn table(&self, key: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.key == key)
    }
}

/// The tables' keys, in page order.
pub const TABLE_KEYS: &[&str] = &[
    "key-figures",
    "topics",
    "agencies",
    "kinds",
    "channels",
    "outcomes",
    "referred-to",
    "first-visits",
    "referral-lead-times",
    "referral-overdue",
    "age-bands",
    "per-week",
    "per-month",
    "weekdays",
    "hours",
    "help-points",
    "consultation-hours",
    "running-totals",
    "comparison",
    "provinces",
    "size-classes",
    "pc4",
    "target-group",
    "age-rates",
    "blind-spots",
    "devices",
    "device-residents",
];

/// One PC4 area of the municipality on the map: where, questions per 1,000 residents (hidden: `None`),
/// and whether it is a blind spot.
#[derive(Debug, Clone)]
pub struct MapArea {
    pub pc4: String,
    pub lat: f64,
    pub lon: f64,
    pub rate: Option<f64>,
    pub blind_spot: bool,
}

fn shown(n: i64) -> Cell {
    Cell::Shown(n)
}

/// Counts per value of a dimension, now and a year earlier, most questions first; empty values dropped
/// when `drop_empty`.
fn dimension_rows(
    now: &[Count],
    before: &[Count],
    label: impl Fn(&str) -> String,
    drop_empty: bool,
) -> Vec<Row> {
    let total: i64 = now.iter().map(|c| c.questions).sum();
    let mut values: Vec<&str> = now.iter().map(|c| c.value.as_str()).collect();
    for c in before {
        if !values.contains(&c.value.as_str()) {
            values.push(&c.value);
        }
    }
    values
        .into_iter()
        .filter(|v| !(drop_empty && v.is_empty()))
        .map(|v| {
            let n = now.iter().find(|c| c.value == v);
            let b = before
                .iter()
                .find(|c| c.value == v)
                .map_or(0, |c| c.questions);
            let q = n.map_or(0, |c| c.questions);
            Row {
                label: label(v),
                cells: vec![
                    shown(q),
                    shown(percent(q, total)),
                    shown(n.map_or(0, |c| c.minutes)),
                    shown(b),
                ],
            }
        })
        .collect()
}

/// A breakdown table: key, title, dimension, how a code reads, whether "not recorded" is left out.
type DimensionTable<'a> = (
    &'static str,
    &'static str,
    Dimension,
    Box<dyn Fn(&str) -> String + 'a>,
    bool,
);

const DIMENSION_HEADERS: [&str; 4] = ["Vragen", "Aandeel (%)", "Minuten", "Een jaar eerder"];

/// Labels of codes that live in the database (topics, agencies, kinds, organisations).
struct Labels {
    topics: BTreeMap<String, String>,
    agencies: BTreeMap<String, String>,
    kinds: BTreeMap<String, String>,
    organisations: BTreeMap<String, String>,
}

impl Labels {
    fn of<'a>(map: &'a BTreeMap<String, String>, code: &'a str) -> String {
        if code.is_empty() {
            return "Niet ingevuld".to_owned();
        }
        map.get(code).cloned().unwrap_or_else(|| code.to_owned())
    }
}

fn channel_label(code: &str) -> String {
    code.parse::<Channel>()
        .map_or_else(|_| code.to_owned(), |c| c.label().to_owned())
}

fn outcome_label(code: &str) -> String {
    code.parse::<Outcome>()
        .map_or_else(|_| code.to_owned(), |c| c.label().to_owned())
}

fn age_label(code: &str) -> String {
    if code.is_empty() {
        return "Niet gevraagd".to_owned();
    }
    code.parse::<AgeBand>()
        .map_or_else(|_| code.to_owned(), |a| a.label().to_owned())
}

fn first_visit_label(code: &str) -> String {
    match code {
        "yes" => "Eerste bezoek",
        "no" => "Eerder geweest",
        _ => "Niet gevraagd",
    }
    .to_owned()
}

/// "3 maart 2026".
pub fn date_text(date: jiff::civil::Date) -> String {
    let month = keten_core::opening_hours::MONTHS_NL
        .get(usize::try_from(date.month() - 1).unwrap_or(0))
        .copied()
        .unwrap_or("");
    format!("{} {month} {}", date.day(), date.year())
}

fn month_text(day: i64) -> String {
    let d = date_of(day);
    let month = keten_core::opening_hours::MONTHS_NL
        .get(usize::try_from(d.month() - 1).unwrap_or(0))
        .copied()
        .unwrap_or("");
    format!("{month} {}", d.year())
}

/// Whether figures below a municipality (one help point) fall under the cells-under-5 rule here: the
/// national view, or a municipality with fewer than [`SMALL_MUNICIPALITY`] residents.
fn points_are_small_areas(scope: &StatsScope) -> bool {
    match &scope.municipality_code {
        None => true,
        Some(code) => keten_core::reference::municipality(code)
            .is_none_or(|m| m.population < SMALL_MUNICIPALITY),
    }
}

/// Hides counts under 5 (with secondary cells) in the given count columns of a table.
fn suppress_columns(rows: &mut [Row], columns: &[usize]) {
    for &c in columns {
        let values: Vec<i64> = rows
            .iter()
            .map(|r| r.cells.get(c).and_then(|x| x.value()).unwrap_or(0))
            .collect();
        for (row, hide) in rows.iter_mut().zip(suppress_list(&values)) {
            if hide && let Some(cell) = row.cells.get_mut(c) {
                *cell = Cell::Hidden;
            }
        }
    }
}

/// Hides every count of rows whose questions are hidden (minutes and shares would give them away).
fn hide_dependants(rows: &mut [Row], source: usize, dependants: &[usize]) {
    for row in rows {
        if row.cells.get(source) == Some(&Cell::Hidden) {
            for &d in dependants {
                if let Some(cell) = row.cells.get_mut(d) {
                    *cell = Cell::Hidden;
                }
            }
        }
    }
}

/// Builds every table of the dashboard for a checked request.
pub async fn dashboard(
    state: &AppState,
    actor: &Actor,
    r: &Resolved,
) -> Result<Dashboard, AppError> {
    let store = &state.store;
    let range = r.period.range;
    let earlier = range.year_earlier();
    let now = store.stats_figures(&r.scope, range).await?;
    let before = store.stats_figures(&r.scope, earlier).await?;
    let referred_ids: Vec<String> = now
        .counts(Dimension::ReferredTo)
        .iter()
        .chain(before.counts(Dimension::ReferredTo))
        .map(|c| c.value.clone())
        .filter(|v| !v.is_empty())
        .collect();
    let labels = Labels {
        topics: store
            .topics()
            .await?
            .into_iter()
            .map(|t| (t.code, t.label))
            .collect(),
        agencies: store
            .category_list(keten_store::categories::CategoryList::Agency)
            .await?
            .into_iter()
            .map(|c| (c.code, c.label))
            .collect(),
        kinds: store
            .category_list(keten_store::categories::CategoryList::Kind)
            .await?
            .into_iter()
            .map(|c| (c.code, c.label))
            .collect(),
        organisations: store
            .organisation_names(&referred_ids)
            .await?
            .into_iter()
            .collect(),
    };
    let small_points = points_are_small_areas(&r.scope);
    // One partner's consultation hours are an area smaller than the municipality, like one help point.
    let single_point = r.scope.help_point.is_some() || r.scope.partner.is_some();
    let mut tables = vec![key_figures(&now, &before)];
    let dims: [DimensionTable<'_>; 7] = [
        (
            "topics",
            "Vragen per onderwerp",
            Dimension::Topic,
            Box::new(|c| Labels::of(&labels.topics, c)),
            false,
        ),
        (
            "agencies",
            "Vragen per instantie",
            Dimension::Agency,
            Box::new(|c| Labels::of(&labels.agencies, c)),
            false,
        ),
        (
            "kinds",
            "Vragen per soort",
            Dimension::Kind,
            Box::new(|c| Labels::of(&labels.kinds, c)),
            false,
        ),
        (
            "channels",
            "Vragen per kanaal",
            Dimension::Channel,
            Box::new(channel_label),
            false,
        ),
        (
            "outcomes",
            "Vragen per resultaat",
            Dimension::Outcome,
            Box::new(outcome_label),
            false,
        ),
        (
            "referred-to",
            "Doorverwezen naar",
            Dimension::ReferredTo,
            Box::new(|c| Labels::of(&labels.organisations, c)),
            true,
        ),
        (
            "first-visits",
            "Eerste bezoek",
            Dimension::FirstVisit,
            Box::new(first_visit_label),
            false,
        ),
    ];
    for (key, title, dimension, label, drop_empty) in dims {
        let mut rows = dimension_rows(
            now.counts(dimension),
            before.counts(dimension),
            label,
            drop_empty,
        );
        let suppressed = single_point && small_points;
        if suppressed {
            suppress_columns(&mut rows, &[0, 3]);
            hide_dependants(&mut rows, 0, &[1, 2]);
        }
        tables.push(Table {
            key,
            title: title.to_owned(),
            headers: std::iter::once(match key {
                "referred-to" => "Organisatie",
                _ => "Waarde",
            })
            .chain(DIMENSION_HEADERS)
            .collect(),
            rows,
            chart: ChartKind::Bar,
            note: match key {
                "referred-to" => Some(
                    "Alleen vragen waarbij de organisatie is vastgelegd waarnaar is doorverwezen.",
                ),
                _ if suppressed => Some(SMALL_NOTE),
                _ => None,
            },
        });
    }
    let referrals = store
        .stats_referral_times(
            &r.scope,
            steering::day_start_seconds(range.from),
            steering::day_start_seconds(range.until),
        )
        .await?;
    tables.extend(referral_tables(
        &referrals,
        state.now(),
        single_point && small_points,
    ));
    let mut ages = age_rows(&now, &before);
    if single_point && small_points {
        suppress_columns(&mut ages, &[0, 2]);
        hide_dependants(&mut ages, 0, &[1]);
    }
    tables.push(Table {
        key: "age-bands",
        title: "Vragen per leeftijdsgroep".to_owned(),
        headers: vec!["Leeftijd", "Vragen", "Aandeel (%)", "Een jaar eerder"],
        rows: ages,
        chart: ChartKind::Bar,
        note: Some("Leeftijd, postcode en eerste bezoek vraagt de balie alleen als de inwoner dat wil vertellen."),
    });
    tables.extend(trend_tables(&now, &before, range, earlier));
    let mut points: Vec<Row> = now
        .help_points
        .iter()
        .map(|p| Row {
            label: p.name.clone(),
            cells: vec![
                shown(p.questions),
                shown(p.minutes),
                shown(
                    before
                        .help_points
                        .iter()
                        .find(|b| b.help_point_id == p.help_point_id)
                        .map_or(0, |b| b.questions),
                ),
            ],
        })
        .collect();
    if small_points {
        suppress_columns(&mut points, &[0, 2]);
        hide_dependants(&mut points, 0, &[1]);
    }
    tables.push(Table {
        key: "help-points",
        title: "Hulppunten naar gebruik".to_owned(),
        headers: vec!["Hulppunt", "Vragen", "Minuten", "Een jaar eerder"],
        rows: points,
        chart: ChartKind::Bar,
        note: small_points.then_some(SMALL_NOTE),
    });
    let hours_now = store.stats_consultation_hours(&r.scope, range).await?;
    if !hours_now.is_empty() {
        let hours_before = store.stats_consultation_hours(&r.scope, earlier).await?;
        let mut rows: Vec<Row> = hours_now
            .iter()
            .map(|h| Row {
                label: format!(
                    "{}: {} ({})",
                    h.organisation_name, h.title, h.help_point_name
                ),
                cells: vec![
                    shown(h.questions),
                    shown(h.minutes),
                    shown(
                        hours_before
                            .iter()
                            .find(|b| b.consultation_hour_id == h.consultation_hour_id)
                            .map_or(0, |b| b.questions),
                    ),
                ],
            })
            .collect();
        // A consultation hour is always smaller than the municipality.
        suppress_columns(&mut rows, &[0, 2]);
        hide_dependants(&mut rows, 0, &[1]);
        tables.push(Table {
            key: "consultation-hours",
            title: "Spreekuren naar gebruik".to_owned(),
            headers: vec!["Spreekuur", "Vragen", "Minuten", "Een jaar eerder"],
            rows,
            chart: ChartKind::Bar,
            note: Some(
                "Vragen die de balie bij een spreekuur van een partner heeft geregistreerd. Aantallen onder de 5 staan er als \"< 5\".",
            ),
        });
    }
    // Running totals count every question of a help point: they say nothing about one partner's hours.
    let totals = if r.scope.partner.is_some() {
        Vec::new()
    } else {
        store.stats_running_totals(&r.scope).await?
    };
    tables.push(Table {
        key: "running-totals",
        title: "Lopend totaal per hulppunt".to_owned(),
        headers: vec!["Hulppunt", "Vragen sinds de start", "Mijlpaal bereikt"],
        rows: totals
            .iter()
            .map(|t| Row {
                label: t.name.clone(),
                cells: vec![shown(t.total), shown(milestone(t.total).unwrap_or(0))],
            })
            .collect(),
        chart: ChartKind::Bar,
        note: Some("Een mijlpaal van 0 betekent: nog geen 1.000 vragen."),
    });
    if let (Some(code), None, None) = (
        &r.scope.municipality_code,
        &r.scope.help_point,
        &r.scope.partner,
    ) {
        let per_municipality: BTreeMap<String, i64> = store
            .stats_questions_per_municipality(range)
            .await?
            .into_iter()
            .collect();
        tables.extend(comparison_table(code, &per_municipality));
    }
    if r.scope.municipality_code.is_none() && r.scope.help_point.is_none() {
        tables.extend(national_tables(&now, &before));
    }
    tables.push(pc4_table(&now, &before));
    // The device bank's figures are the municipality's (or all), not one help point's or partner's.
    if r.scope.help_point.is_none() && r.scope.partner.is_none() {
        let scope = r.scope.municipality_code.clone().map_or(
            keten_store::device_figures::FigureScope::All,
            keten_store::device_figures::FigureScope::Municipality,
        );
        let period = crate::devices::figures::Period::Chosen {
            from: steering::day_start_seconds(range.from),
            until: steering::day_start_seconds(range.until),
        };
        tables.extend(crate::devices::figures::tables(store, &scope, period).await?);
    }
    let mut map = Vec::new();
    let mut area_facts = Vec::new();
    if let Some(code) = &r.scope.municipality_code {
        let (target, ages, blind, areas, facts) = target_group(code, &now);
        tables.extend([target, ages, blind]);
        map = areas;
        area_facts = facts;
    }
    let topic_counts: Vec<(String, i64)> = now
        .counts(Dimension::Topic)
        .iter()
        .map(|c| (c.value.clone(), c.questions))
        .collect();
    let summary = steering::report::summarise(
        range,
        now.questions(),
        before.questions(),
        &topic_counts,
        &area_facts,
    );
    let largest_topic = summary
        .largest_topic
        .as_deref()
        .map(|c| Labels::of(&labels.topics, c));
    let _ = actor;
    Ok(Dashboard {
        map,
        summary,
        largest_topic,
        scope_name: scope_name(&r.scope),
        period: r.period,
        year_earlier: earlier,
        questions: now.questions(),
        questions_before: before.questions(),
        tables,
    })
}

/// The municipality against its neighbours, its size class and the installation, per 1,000 residents.
fn comparison_table(code: &str, questions: &BTreeMap<String, i64>) -> Option<Table> {
    use keten_core::steering::compare::{Line, compare, size_class_label};
    let c = compare(code, questions)?;
    let own = keten_core::reference::municipality(code).map_or(code, |m| m.name.as_str());
    let row = |label: String, l: &Line| Row {
        label,
        cells: vec![
            l.rate_tenths.map_or(Cell::Hidden, Cell::Tenths),
            shown(l.questions),
            shown(l.residents),
        ],
    };
    let mut rows = vec![row(format!("{own} (deze gemeente)"), &c.own)];
    rows.extend(
        c.neighbours
            .iter()
            .map(|(name, l)| row(format!("{name} (buurgemeente)"), l)),
    );
    if let Some((n, l)) = &c.same_size {
        rows.push(row(
            format!(
                "{n} andere {} met {} op deze installatie",
                if *n == 1 { "gemeente" } else { "gemeenten" },
                size_class_label(c.size_class)
            ),
            l,
        ));
    }
    if let Some((n, l)) = &c.installation {
        rows.push(row(
            format!(
                "Alle {n} {} op deze installatie",
                if *n == 1 { "gemeente" } else { "gemeenten" }
            ),
            l,
        ));
    }
    Some(Table {
        key: "comparison",
        title: "Vergeleken met andere gemeenten".to_owned(),
        headers: vec![
            "Gemeente",
            "Vragen per 1.000 inwoners",
            "Vragen",
            "Inwoners",
        ],
        rows,
        chart: ChartKind::Bar,
        note: Some(
            "Buurgemeenten zijn bij benadering: de 6 gemeenten waarvan het midden het dichtst bij ligt (keten kent de gemeentegrenzen niet). Alleen totalen, en alleen van gemeenten met minstens 5 vragen in deze periode; een hulppunt dat voor meer gemeenten werkt telt bij elk mee. Inwoners: CBS 2025 (Nederland), Statbel 2020 (België).",
        ),
    })
}

/// The national view per province and per size class: questions counted once, at the municipality where the
/// help point stands; residents of the municipalities with questions; counts under 5 hidden (with a second
/// cell where a total would give them away).
fn national_tables(now: &Figures, before: &Figures) -> [Table; 2] {
    use keten_core::steering::compare::{SIZE_CLASSES, size_class};
    let group = |key: &'static str,
                 title: &str,
                 heading: &'static str,
                 of: &dyn Fn(&keten_core::reference::Municipality) -> String| {
        // group -> (municipalities with questions, questions, residents, questions a year earlier)
        let mut by: BTreeMap<String, (std::collections::BTreeSet<String>, i64, i64)> =
            BTreeMap::new();
        for (f, earlier) in [(now, false), (before, true)] {
            for p in &f.help_points {
                let Some(m) = keten_core::reference::municipality(&p.municipality_code) else {
                    continue;
                };
                let e = by.entry(of(m)).or_default();
                if earlier {
                    e.2 += p.questions;
                } else {
                    e.0.insert(m.code.clone());
                    e.1 += p.questions;
                }
            }
        }
        let mut rows: Vec<Row> = by
            .into_iter()
            .map(|(label, (codes, q, b))| {
                let residents: i64 = codes
                    .iter()
                    .filter_map(|c| keten_core::reference::municipality(c))
                    .map(|m| i64::from(m.population))
                    .sum();
                Row {
                    label,
                    cells: vec![
                        shown(q),
                        shown(i64::try_from(codes.len()).unwrap_or(0)),
                        shown(residents),
                        per_1_000(q, u32::try_from(residents).unwrap_or(u32::MAX)),
                        shown(b),
                    ],
                }
            })
            .collect();
        suppress_columns(&mut rows, &[0, 4]);
        hide_dependants(&mut rows, 0, &[3]);
        Table {
            key,
            title: title.to_owned(),
            headers: vec![
                heading,
                "Vragen",
                "Gemeenten met vragen",
                "Inwoners van die gemeenten",
                "Vragen per 1.000 inwoners",
                "Een jaar eerder",
            ],
            rows,
            chart: ChartKind::Bar,
            note: Some(
                "Elke vraag telt één keer: bij de gemeente waar het hulppunt staat. Inwoners: van de gemeenten met vragen in deze periode. Aantallen onder de 5 staan er als \"< 5\".",
            ),
        }
    };
    [
        group("provinces", "Vragen per provincie", "Provincie", &|m| {
            if m.province.is_empty() {
                "Brussel".to_owned()
            } else {
                m.province.clone()
            }
        }),
        group(
            "size-classes",
            "Vragen per grootteklasse",
            "Gemeenten met",
            &|m| {
                let class = size_class(m.population);
                // A sortable label: the class's number, then its words.
                format!(
                    "{}. {}",
                    class + 1,
                    SIZE_CLASSES.get(class).map_or("", |c| c.1)
                )
            },
        ),
    ]
}

/// Fewer measured referrals than this and a median or percentile would describe single residents' cases.
const MIN_LEAD_TIMES: usize = 5;

/// Hours in tenths of `seconds`, rounded half up (`26,5` hours).
fn hours_tenths(seconds: i64) -> i64 {
    (seconds.max(0) * 10 + 1_800) / 3_600
}

/// Referral lead times (sent -> accepted -> completed: median and 90th percentile in hours) and the share
/// overdue, of the referrals sent in the period. `small`: a single help point of a small municipality, where
/// counts under 5 are hidden.
fn referral_tables(rows: &[ReferralTimes], now: i64, small: bool) -> [Table; 2] {
    use keten_core::referral::upkeep::LeadTime;
    let completed = |r: &&ReferralTimes| r.status == "completed";
    let to_accept: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.accepted_at.map(|a| a - r.sent_at))
        .collect();
    let accept_to_complete: Vec<i64> = rows
        .iter()
        .filter(completed)
        .filter_map(|r| Some(r.closed_at? - r.accepted_at?))
        .collect();
    let to_complete: Vec<i64> = rows
        .iter()
        .filter(completed)
        .filter_map(|r| r.closed_at.map(|c| c - r.sent_at))
        .collect();
    let lead_row = |label: &str, seconds: Vec<i64>| {
        let t = LeadTime::of(seconds);
        let time = |s: Option<i64>| match s {
            Some(s) if t.count >= MIN_LEAD_TIMES => Cell::Tenths(hours_tenths(s)),
            _ => Cell::Hidden,
        };
        let n = i64::try_from(t.count).unwrap_or(i64::MAX);
        Row {
            label: label.to_owned(),
            cells: vec![
                if small && n > 0 && n < steering::MIN_CELL {
                    Cell::Hidden
                } else {
                    shown(n)
                },
                time(t.median_seconds),
                time(t.p90_seconds),
            ],
        }
    };
    let sent = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let overdue = i64::try_from(
        rows.iter()
            .filter(|r| steering::referral_overdue(r.due_at, r.accepted_at, r.closed_at, now))
            .count(),
    )
    .unwrap_or(i64::MAX);
    let hide = |n: i64| small && n > 0 && n < steering::MIN_CELL;
    let overdue_hidden = hide(overdue) || hide(sent - overdue);
    [
        Table {
            key: "referral-lead-times",
            title: "Doorlooptijd van warme doorverwijzingen".to_owned(),
            headers: vec![
                "Stap",
                "Verwijzingen",
                "Mediaan (uren)",
                "90% binnen (uren)",
            ],
            rows: vec![
                lead_row("Van versturen tot aannemen", to_accept),
                lead_row("Van aannemen tot afgerond", accept_to_complete),
                lead_row("Van versturen tot afgerond", to_complete),
            ],
            chart: ChartKind::Bar,
            note: Some(
                "Verwijzingen die in deze periode zijn verstuurd. Bij minder dan 5 verwijzingen staat er geen doorlooptijd (\"< 5\"): die zou over losse inwoners gaan.",
            ),
        },
        Table {
            key: "referral-overdue",
            title: "Verwijzingen te laat opgepakt".to_owned(),
            headers: vec!["Verwijzingen", "Aantal", "Aandeel (%)"],
            rows: vec![
                Row {
                    label: "Verstuurd".to_owned(),
                    cells: vec![
                        if hide(sent) {
                            Cell::Hidden
                        } else {
                            shown(sent)
                        },
                        shown(100),
                    ],
                },
                Row {
                    label: "Niet voor de termijn aangenomen of afgewezen".to_owned(),
                    cells: if overdue_hidden {
                        vec![Cell::Hidden, Cell::Hidden]
                    } else {
                        vec![shown(overdue), shown(percent(overdue, sent))]
                    },
                },
            ],
            chart: ChartKind::Bar,
            note: Some("Ook verwijzingen die nu nog wachten en over hun termijn zijn tellen mee."),
        },
    ]
}

/// The second hidden number of a row or column may be large: the note says so, rather than let "< 5" claim it.
const SMALL_NOTE: &str = "Aantallen onder de 5 staan er als \"< 5\". Staat er in een rij of kolom maar één getal zo, dan staat het kleinste andere getal er ook zo (ook als dat groter is), zodat niemand het kan terugrekenen.";

/// The scope in words.
pub fn scope_name(scope: &StatsScope) -> String {
    let municipality = scope.municipality_code.as_deref().map_or_else(
        || "Alle gemeenten".to_owned(),
        |c| {
            keten_core::reference::municipality(c)
                .map_or_else(|| c.to_owned(), |m| format!("Gemeente {}", m.name))
        },
    );
    let place = match &scope.help_point {
        Some(p) => format!("{} ({municipality})", p.name),
        None => municipality,
    };
    match &scope.partner {
        Some(p) => format!("Spreekuren van {} bij {place}", p.name),
        None => place,
    }
}

/// A share in percent; a period without questions has no share ("–"), not a share of 0%.
fn share(part: i64, whole: i64) -> Cell {
    if whole > 0 {
        shown(percent(part, whole))
    } else {
        Cell::Empty
    }
}

fn key_figures(now: &Figures, before: &Figures) -> Table {
    let first = |f: &Figures| {
        f.counts(Dimension::FirstVisit)
            .iter()
            .filter(|c| c.value == "yes")
            .map(|c| c.questions)
            .sum::<i64>()
    };
    let referred = |f: &Figures| {
        f.counts(Dimension::Outcome)
            .iter()
            .filter(|c| c.value == Outcome::Referred.as_str())
            .map(|c| c.questions)
            .sum::<i64>()
    };
    let row = |label: &str, n: i64, b: i64| Row {
        label: label.to_owned(),
        cells: vec![
            shown(n),
            shown(b),
            change_percent(n, b).map_or(Cell::Empty, shown),
        ],
    };
    Table {
        key: "key-figures",
        title: "Kerncijfers".to_owned(),
        headers: vec!["Cijfer", "Deze periode", "Een jaar eerder", "Verschil (%)"],
        rows: vec![
            row("Vragen", now.questions(), before.questions()),
            row("Minuten hulp", now.minutes(), before.minutes()),
            row("Vragen bij een eerste bezoek", first(now), first(before)),
            row("Vragen doorverwezen", referred(now), referred(before)),
            Row {
                label: "Aandeel doorverwezen (%)".to_owned(),
                cells: vec![
                    share(referred(now), now.questions()),
                    share(referred(before), before.questions()),
                    Cell::Empty,
                ],
            },
        ],
        chart: ChartKind::Column,
        note: Some(
            "Verschil: hoeveel procent meer dan een jaar eerder (met een min ervoor: minder). Een \"–\": een jaar eerder waren er geen vragen om mee te vergelijken. Bij het aandeel doorverwezen staat geen verschil.",
        ),
    }
}

/// Questions per age band from the profile rollup, in band order, now and a year earlier.
fn age_rows(now: &Figures, before: &Figures) -> Vec<Row> {
    let sum = |f: &Figures, band: &str| {
        f.age_bands
            .iter()
            .filter(|p| p.0 == band)
            .map(|p| p.1)
            .sum::<i64>()
    };
    let total = now.questions();
    AgeBand::ALL
        .iter()
        .map(|a| a.as_str())
        .chain(std::iter::once(""))
        .map(|band| {
            let q = sum(now, band);
            Row {
                label: age_label(band),
                cells: vec![shown(q), shown(percent(q, total)), shown(sum(before, band))],
            }
        })
        .collect()
}

fn trend_tables(now: &Figures, before: &Figures, range: DayRange, earlier: DayRange) -> Vec<Table> {
    // Weeks: every week of the period, also the empty ones.
    let mut weeks: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    let mut day = week_start(range.from);
    while day < range.until {
        weeks.insert(day, (0, 0));
        day += 7;
    }
    for (d, q, m) in &now.days {
        let e = weeks.entry(week_start(*d)).or_default();
        e.0 += q;
        e.1 += m;
    }
    let mut months: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    let mut day = month_start(range.from);
    while day < range.until {
        months.insert(day, (0, 0));
        day = steering::day_number(
            date_of(day)
                .checked_add(jiff::Span::new().months(1))
                .unwrap_or(date_of(range.until)),
        );
    }
    for (d, q, _) in &now.days {
        months.entry(month_start(*d)).or_default().0 += q;
    }
    // The same month a year earlier: the year-earlier range starts at the same calendar day.
    let shift = range.from - earlier.from;
    for (d, q, _) in &before.days {
        months.entry(month_start(d + shift)).or_default().1 += q;
    }
    let mut weekdays = [0i64; 7];
    for (d, q, _) in &now.days {
        let i = usize::try_from(weekday(*d).to_monday_zero_offset()).unwrap_or(0);
        if let Some(w) = weekdays.get_mut(i) {
            *w += q;
        }
    }
    let mut hours = [0i64; 24];
    for (h, q) in &now.hours {
        if let Some(x) = usize::try_from(*h).ok().and_then(|h| hours.get_mut(h)) {
            *x += q;
        }
    }
    let total = now.questions();
    const WEEKDAYS: [&str; 7] = [
        "maandag",
        "dinsdag",
        "woensdag",
        "donderdag",
        "vrijdag",
        "zaterdag",
        "zondag",
    ];
    vec![
        Table {
            key: "per-week",
            title: "Vragen per week".to_owned(),
            headers: vec!["Week vanaf", "Vragen", "Minuten"],
            rows: weeks
                .into_iter()
                .map(|(d, (q, m))| Row {
                    label: date_text(date_of(d)),
                    cells: vec![shown(q), shown(m)],
                })
                .collect(),
            chart: ChartKind::Line,
            note: None,
        },
        Table {
            key: "per-month",
            title: "Vragen per maand".to_owned(),
            headers: vec!["Maand", "Vragen", "Een jaar eerder"],
            rows: months
                .into_iter()
                .map(|(d, (q, b))| Row {
                    label: month_text(d),
                    cells: vec![shown(q), shown(b)],
                })
                .collect(),
            chart: ChartKind::Line,
            note: None,
        },
        Table {
            key: "weekdays",
            title: "Drukste dagen".to_owned(),
            headers: vec!["Dag", "Vragen", "Aandeel (%)"],
            rows: WEEKDAYS
                .iter()
                .zip(weekdays)
                .map(|(name, q)| Row {
                    label: (*name).to_owned(),
                    cells: vec![shown(q), shown(percent(q, total))],
                })
                .collect(),
            chart: ChartKind::Column,
            note: None,
        },
        Table {
            key: "hours",
            title: "Drukste uren".to_owned(),
            headers: vec!["Uur", "Vragen", "Aandeel (%)"],
            rows: hours
                .iter()
                .enumerate()
                .filter(|(_, q)| **q > 0)
                .map(|(h, q)| Row {
                    label: format!("{h:02}.00 tot {:02}.00 uur", h + 1),
                    cells: vec![shown(*q), shown(percent(*q, total))],
                })
                .collect(),
            chart: ChartKind::Column,
            note: Some("Uren waarin geen vraag is geregistreerd staan er niet in."),
        },
    ]
}

/// Questions per PC4 area of residence (an area smaller than a municipality: the cells-under-5 rule).
fn pc4_table(now: &Figures, before: &Figures) -> Table {
    let mut by: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for (pc4, q, _) in &now.areas {
        if !pc4.is_empty() {
            by.entry(pc4).or_default().0 += q;
        }
    }
    for (pc4, q, _) in &before.areas {
        if !pc4.is_empty() {
            by.entry(pc4).or_default().1 += q;
        }
    }
    let mut rows: Vec<Row> = by
        .into_iter()
        .map(|(pc4, (q, b))| Row {
            label: pc4.to_owned(),
            cells: vec![shown(q), shown(b)],
        })
        .collect();
    suppress_columns(&mut rows, &[0, 1]);
    Table {
        key: "pc4",
        title: "Vragen per postcodegebied".to_owned(),
        headers: vec![
            "Postcode (4 cijfers, woonplaats)",
            "Vragen",
            "Een jaar eerder",
        ],
        rows,
        chart: ChartKind::Bar,
        note: Some(SMALL_NOTE),
    }
}

/// Questions per 1,000 residents with one decimal; no residents, no rate.
fn per_1_000(questions: i64, residents: u32) -> Cell {
    steering::per_thousand_tenths(questions, residents).map_or(Cell::Empty, Cell::Tenths)
}

/// Where the target group is: questions per PC4 area of residence and per age band against the residents
/// there (CBS 2021), the blind spots (many residents over 65, no question) and the map's areas.
/// PC4 areas as (PC4, questions, residents of 65 or over), for the report's summary.
type AreaFacts = Vec<(String, i64, u32)>;

fn target_group(code: &str, now: &Figures) -> (Table, Table, Table, Vec<MapArea>, AreaFacts) {
    let mut by_pc4: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut by_band = [0i64; 6];
    for (band, q) in &now.age_bands {
        if let Some(b) = AgeBand::ALL
            .iter()
            .position(|a| a.as_str() == band)
            .and_then(|i| by_band.get_mut(i))
        {
            *b += q;
        }
    }
    for (pc4, q, older) in &now.areas {
        let e = by_pc4.entry(pc4).or_default();
        e.0 += q;
        e.1 += older;
    }
    // Areas without residents have no rate; they are left out (their questions stay in the PC4 table).
    let areas: Vec<_> = keten_core::reference::postcode_areas_in(code)
        .filter(|a| a.population.unwrap_or(1) > 0)
        .collect();
    let mut residents_by_band = [0u32; 6];
    let mut rows = Vec::new();
    let mut blind = Vec::new();
    let mut facts = Vec::new();
    for area in &areas {
        let bands =
            keten_core::reference::pc4_residents_by_age_band(&area.postcode).unwrap_or_default();
        for (t, b) in residents_by_band.iter_mut().zip(bands) {
            *t += b;
        }
        let residents = area.population.unwrap_or_else(|| bands.iter().sum());
        let older = bands[4] + bands[5];
        let (q, q_older) = by_pc4
            .get(area.postcode.as_str())
            .copied()
            .unwrap_or_default();
        facts.push((area.postcode.clone(), q, older));
        if steering::report::is_blind_spot(q, older) {
            blind.push((area.postcode.clone(), older));
        }
        rows.push(Row {
            label: area.postcode.clone(),
            cells: vec![
                shown(q),
                shown(i64::from(residents)),
                per_1_000(q, residents),
                shown(q_older),
                shown(i64::from(older)),
                per_1_000(q_older, older),
            ],
        });
    }
    suppress_columns(&mut rows, &[0, 3]);
    hide_dependants(&mut rows, 0, &[2]);
    hide_dependants(&mut rows, 3, &[5]);
    blind.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let map = areas
        .iter()
        .zip(&rows)
        .map(|(a, r)| MapArea {
            pc4: a.postcode.clone(),
            lat: a.centre.lat,
            lon: a.centre.lon,
            rate: r.cells.get(2).and_then(|c| c.number()),
            blind_spot: blind.iter().any(|(p, _)| *p == a.postcode),
        })
        .collect();
    let ages = AgeBand::ALL
        .iter()
        .zip(by_band.iter().zip(residents_by_band))
        .map(|(a, (q, residents))| Row {
            label: a.label().to_owned(),
            cells: vec![
                shown(*q),
                shown(i64::from(residents)),
                per_1_000(*q, residents),
            ],
        })
        .collect();
    (
        Table {
            key: "target-group",
            title: "Doelgroep per postcodegebied".to_owned(),
            headers: vec![
                "Postcode (4 cijfers)",
                "Vragen",
                "Inwoners",
                "Vragen per 1.000 inwoners",
                "Vragen van 65-plussers",
                "Inwoners van 65 of ouder",
                "Per 1.000 65-plussers",
            ],
            rows,
            chart: ChartKind::Bar,
            note: Some(
                "Inwoners: CBS, 1 januari 2021. Alleen vragen waarbij de inwoner zijn postcode noemde. Aantallen onder de 5 staan er als \"< 5\".",
            ),
        },
        Table {
            key: "age-rates",
            title: "Doelgroep per leeftijdsgroep".to_owned(),
            headers: vec![
                "Leeftijd",
                "Vragen",
                "Inwoners",
                "Vragen per 1.000 inwoners",
            ],
            rows: ages,
            chart: ChartKind::Bar,
            note: Some(
                "CBS telt in groepen van 5 jaar: van de 15- tot 20-jarigen telt 3/5 als jonger dan 18.",
            ),
        },
        Table {
            key: "blind-spots",
            title: "Blinde vlekken".to_owned(),
            headers: vec!["Postcode (4 cijfers)", "Inwoners van 65 of ouder", "Vragen"],
            rows: blind
                .into_iter()
                .map(|(pc4, older)| Row {
                    label: pc4,
                    cells: vec![shown(i64::from(older)), shown(0)],
                })
                .collect(),
            chart: ChartKind::Bar,
            note: Some(
                "Postcodegebieden met minstens 250 inwoners van 65 of ouder waaruit in deze periode geen vraag kwam.",
            ),
        },
        map,
        facts,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn referral(sent_at: i64, accepted_after: Option<i64>, status: &str) -> ReferralTimes {
        ReferralTimes {
            status: status.to_owned(),
            sent_at,
            due_at: sent_at + 3_600,
            accepted_at: accepted_after.map(|a| sent_at + a),
            closed_at: None,
        }
    }

    #[test]
    fn referral_figures_of_few_referrals_stay_hidden() {
        let rows = vec![
            referral(0, Some(600), "accepted"),
            referral(10, Some(7_200), "accepted"),
            referral(20, None, "sent"),
        ];
        // A municipality: the counts show, but no median of three referrals.
        let [lead, overdue] = referral_tables(&rows, 100_000, false);
        assert_eq!(
            lead.rows[0].cells,
            vec![Cell::Shown(2), Cell::Hidden, Cell::Hidden]
        );
        assert_eq!(overdue.rows[1].cells, vec![Cell::Shown(2), Cell::Shown(67)]);
        // One help point of a small municipality: counts under 5 are hidden too.
        let [lead, overdue] = referral_tables(&rows, 100_000, true);
        assert_eq!(lead.rows[0].cells[0], Cell::Hidden);
        assert_eq!(overdue.rows[0].cells[0], Cell::Hidden);
        assert_eq!(overdue.rows[1].cells, vec![Cell::Hidden, Cell::Hidden]);
        // Five accepted referrals: median and 90th percentile in hours with one decimal.
        let five: Vec<ReferralTimes> = [1_800, 3_600, 5_400, 7_200, 36_000]
            .iter()
            .map(|a| referral(0, Some(*a), "accepted"))
            .collect();
        let [lead, _] = referral_tables(&five, 100_000, false);
        assert_eq!(
            lead.rows[0].cells,
            vec![Cell::Shown(5), Cell::Tenths(15), Cell::Tenths(100)]
        );
    }
}
