//! A help point's own overview of its registrations, and their export as CSV or XLSX.

use super::desk_point;
use super::form::Labels;
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::numbers::count;
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use keten_store::help_questions::{DeskHelpPoint, HelpQuestion, QuestionFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/balie/{hp}/overzicht", get(overview_page))
        .route("/balie/{hp}/registraties.csv", get(export_csv))
        .route("/balie/{hp}/registraties.xlsx", get(export_xlsx))
        .route("/balie/{hp}/monitor.csv", get(monitor_csv))
        .route("/balie/{hp}/instanties.csv", get(agency_csv))
}

/// Start of today, of this week (Monday) and of this month in the zone, as unix seconds.
pub(crate) fn day_week_month_start(
    now: jiff::Timestamp,
    tz: &jiff::tz::TimeZone,
) -> (i64, i64, i64) {
    let zoned = now.to_zoned(tz.clone());
    let date = zoned.date();
    let start = |d: jiff::civil::Date| {
        d.to_zoned(tz.clone())
            .map(|z| z.timestamp().as_second())
            .unwrap_or_else(|_| now.as_second())
    };
    let monday = date
        .checked_sub(jiff::Span::new().days(i64::from(date.weekday().to_monday_zero_offset())))
        .unwrap_or(date);
    (start(date), start(monday), start(date.first_of_month()))
}

#[derive(Template, WebTemplate)]
#[template(path = "desk_overview.html")]
struct OverviewPage {
    shell: Shell,
    point: DeskHelpPoint,
    /// Counts are written the Dutch way ("1.106"), as everywhere a person reads them.
    today: String,
    this_week: String,
    this_month: String,
    /// "maandag 30 november" and "dinsdag 1 december": where the week and the month start, so that a
    /// week larger than the month is explained.
    week_from: String,
    month_from: String,
    /// Last month as `2026-02`: the month picker's first choice.
    last_month: String,
    total: String,
    top_topics: Vec<(String, String)>,
    top_agencies: Vec<(String, String)>,
    coordinator: bool,
    imported: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct OverviewQuery {
    ingelezen: Option<u64>,
}

async fn overview_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(hp): Path<String>,
    Query(q): Query<OverviewQuery>,
) -> Result<OverviewPage, PageError> {
    let point = desk_point(&state, &me.0.actor, &hp).await?;
    let (day, week, month) = day_week_month_start(state.clock.now(), point.region().time_zone());
    let o = state
        .store
        .desk_overview(&point.id, day, week, month)
        .await?;
    let labels = Labels::load(&state).await?;
    let tz = point.region().time_zone();
    let from = |start: i64| {
        jiff::Timestamp::from_second(start)
            .map(|t| keten_core::opening_hours::date_nl(t.to_zoned(tz.clone()).date()))
            .unwrap_or_default()
    };
    let last_month = jiff::Timestamp::from_second(month)
        .ok()
        .and_then(|t| {
            t.to_zoned(tz.clone())
                .date()
                .checked_sub(jiff::Span::new().months(1))
                .ok()
        })
        .map(|d| d.strftime("%Y-%m").to_string())
        .unwrap_or_default();
    Ok(OverviewPage {
        week_from: from(week),
        month_from: from(month),
        last_month,
        shell,
        coordinator: state.store.coordinates_desk(&me.0.actor, &point),
        imported: q
            .ingelezen
            .map(|n| count(i64::try_from(n).unwrap_or(i64::MAX))),
        today: count(o.today),
        this_week: count(o.this_week),
        this_month: count(o.this_month),
        total: count(o.total),
        top_topics: o
            .top_topics
            .into_iter()
            .map(|(c, n)| (labels.topic(&c), count(n)))
            .collect(),
        top_agencies: o
            .top_agencies
            .into_iter()
            .map(|(c, n)| (labels.agency(&c), count(n)))
            .collect(),
        point,
    })
}

/// Column headings of the export; the remark is never exported.
const EXPORT_COLUMNS: [&str; 15] = [
    "id",
    "bezoek",
    "datum",
    "tijd",
    "onderwerp_code",
    "onderwerp",
    "instantie_code",
    "instantie",
    "soort",
    "kanaal",
    "minuten",
    "resultaat",
    "doorverwezen_naar",
    "leeftijd",
    "pc4",
];

/// Every registration of the help point, oldest saved first.
async fn all_rows(state: &AppState, point: &DeskHelpPoint) -> Result<Vec<HelpQuestion>, AppError> {
    let ids = [point.id.clone()];
    let mut rows = Vec::new();
    let mut filter = QuestionFilter {
        limit: 10_000,
        ..Default::default()
    };
    loop {
        let page = state.store.help_questions(&ids, &filter).await?;
        let done = page.len() < 10_000;
        filter.after = page.last().map(|q| (q.created_at, q.id.clone()));
        rows.extend(page);
        if done {
            return Ok(rows);
        }
    }
}

fn export_cells(q: &HelpQuestion, labels: &Labels, tz: &jiff::tz::TimeZone) -> [String; 16] {
    let at = jiff::Timestamp::from_second(q.asked_at)
        .map(|t| t.to_zoned(tz.clone()))
        .ok();
    [
        q.id.clone(),
        q.visit_id.clone(),
        at.as_ref()
            .map(|z| z.date().to_string())
            .unwrap_or_default(),
        at.as_ref()
            .map(|z| z.strftime("%H:%M").to_string())
            .unwrap_or_default(),
        q.topic_code.clone(),
        labels.topic(&q.topic_code),
        q.agency.clone(),
        labels.agency(&q.agency),
        q.kind.clone(),
        q.channel.clone(),
        q.minutes.to_string(),
        q.outcome.clone(),
        q.referred_to.clone().unwrap_or_default(),
        q.age_band.clone().unwrap_or_default(),
        q.pc4.clone().unwrap_or_default(),
        match q.first_visit {
            Some(0) => "nee".into(),
            Some(_) => "ja".into(),
            None => String::new(),
        },
    ]
}

fn file_name(name: &str, extension: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("registraties-{safe}.{extension}")
}

async fn export_csv(
    State(state): State<AppState>,
    me: RequireUser,
    Path(hp): Path<String>,
) -> Result<Response, PageError> {
    let point = desk_point(&state, &me.0.actor, &hp).await?;
    let rows = all_rows(&state, &point).await?;
    let labels = Labels::load(&state).await?;
    let tz = point.region().time_zone();
    let mut header: Vec<String> = EXPORT_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    header.push("eerste_bezoek".to_owned());
    let cells = rows.iter().map(|q| export_cells(q, &labels, tz).to_vec());
    Ok(crate::download::csv(
        &file_name(&point.name, "csv"),
        std::iter::once(header).chain(cells),
    )?)
}

async fn export_xlsx(
    State(state): State<AppState>,
    me: RequireUser,
    Path(hp): Path<String>,
) -> Result<Response, PageError> {
    let point = desk_point(&state, &me.0.actor, &hp).await?;
    let rows = all_rows(&state, &point).await?;
    let labels = Labels::load(&state).await?;
    let tz = point.region().time_zone();
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Registraties")?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let mut header: Vec<&str> = EXPORT_COLUMNS.to_vec();
        header.push("eerste_bezoek");
        for (col, name) in (0u16..).zip(header) {
            sheet.write_string_with_format(0, col, name, &bold)?;
        }
        for (row, q) in (1u32..).zip(&rows) {
            for (col, cell) in (0u16..).zip(export_cells(q, &labels, tz)) {
                if col == 10 {
                    sheet.write_number(row, col, q.minutes as f64)?;
                } else {
                    sheet.write_string(row, col, cell)?;
                }
            }
        }
        sheet.autofilter(0, 0, u32::try_from(rows.len()).unwrap_or(u32::MAX), 15)?;
        book.save_to_buffer()
    };
    let body = build().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::download::xlsx_file(
        &file_name(&point.name, "xlsx"),
        body,
    )?)
}

/// `?maand=2026-03` (default: last month), in the help point's time zone.
#[derive(Debug, Default, serde::Deserialize)]
struct MonthQuery {
    maand: Option<String>,
}

/// Start and end (unix seconds) of the chosen month, and its name as `YYYY-MM`.
fn month_range(
    q: &MonthQuery,
    now: jiff::Timestamp,
    tz: &jiff::tz::TimeZone,
) -> Result<(i64, i64, String), AppError> {
    let first = match q.maand.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => format!("{m}-01")
            .parse::<jiff::civil::Date>()
            .map_err(|_| {
                AppError::Validation(vec![keten_core::ValidationError::new(
                    "maand",
                    "Kies een maand als jjjj-mm, bijvoorbeeld 2026-03.",
                )])
            })?,
        None => {
            let this = now.to_zoned(tz.clone()).date().first_of_month();
            this.checked_sub(jiff::Span::new().months(1))
                .unwrap_or(this)
        }
    };
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let start = |d: jiff::civil::Date| {
        d.to_zoned(tz.clone())
            .map(|z| z.timestamp().as_second())
            .map_err(|e| AppError::Internal(e.to_string()))
    };
    Ok((
        start(first)?,
        start(next)?,
        first.strftime("%Y-%m").to_string(),
    ))
}

/// The month's figures in the shape of the national IDO monitor: questions
/// and minutes per monitor topic, monitor agency and kind.
async fn monitor_csv(
    State(state): State<AppState>,
    me: RequireUser,
    Path(hp): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, PageError> {
    let point = desk_point(&state, &me.0.actor, &hp).await?;
    let (from, until, month) = month_range(&q, state.clock.now(), point.region().time_zone())?;
    let counts = state
        .store
        .question_counts(std::slice::from_ref(&point.id), from, until)
        .await?;
    let topics = state.store.topic_categories().await?;
    let agencies = state
        .store
        .category_list(keten_store::categories::CategoryList::Agency)
        .await?;
    let kinds = state
        .store
        .category_list(keten_store::categories::CategoryList::Kind)
        .await?;
    let monitor = |list: &[keten_store::categories::Category], code: &str| {
        list.iter()
            .find(|c| c.code == code)
            .map(|c| c.monitor_code.clone())
            .unwrap_or_else(|| "overig".into())
    };
    let mut totals: std::collections::BTreeMap<(String, String, String), (i64, i64)> =
        std::collections::BTreeMap::new();
    for c in counts {
        let key = (
            monitor(&topics, &c.topic_code),
            monitor(&agencies, &c.agency),
            monitor(&kinds, &c.kind),
        );
        let t = totals.entry(key).or_default();
        t.0 += c.questions;
        t.1 += c.minutes;
    }
    let mut rows = vec![
        [
            "maand",
            "hulppunt",
            "onderwerp",
            "instantie",
            "soort_vraag",
            "aantal_vragen",
            "minuten",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for ((topic, agency, kind), (n, minutes)) in totals {
        rows.push(vec![
            month.clone(),
            point.name.clone(),
            topic,
            agency,
            kind,
            n.to_string(),
            minutes.to_string(),
        ]);
    }
    Ok(crate::download::csv(
        &format!("ido-monitor-{month}.csv"),
        rows,
    )?)
}

/// Cells with fewer cases are shown as "<5": the export leaves the chain, and a
/// help point is smaller than a municipality (DESIGN.md, privacy).
const SMALL_CELL: i64 = 5;

/// Per agency: what its users needed help with this month, by topic, kind and
/// outcome, anonymous and with small counts suppressed.
async fn agency_csv(
    State(state): State<AppState>,
    me: RequireUser,
    Path(hp): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, PageError> {
    let point = desk_point(&state, &me.0.actor, &hp).await?;
    let (from, until, month) = month_range(&q, state.clock.now(), point.region().time_zone())?;
    let counts = state
        .store
        .question_counts(std::slice::from_ref(&point.id), from, until)
        .await?;
    let labels = Labels::load(&state).await?;
    let mut rows = vec![
        [
            "maand",
            "instantie",
            "onderwerp",
            "soort_vraag",
            "resultaat",
            "aantal_vragen",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for c in counts {
        rows.push(vec![
            month.clone(),
            labels.agency(&c.agency),
            labels.topic(&c.topic_code),
            c.kind,
            c.outcome,
            if c.questions < SMALL_CELL {
                format!("<{SMALL_CELL}")
            } else {
                c.questions.to_string()
            },
        ]);
    }
    Ok(crate::download::csv(
        &format!("instanties-{month}.csv"),
        rows,
    )?)
}
