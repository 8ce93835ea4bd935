//! The council report `/regie/verslag`: the municipality's name, period, key figures with last year's, charts, the map and a summary in plain Dutch, printable on A4 with a page per section.

use super::pages::{chart_of, map_svg, range_text};
use super::tables::{Dashboard, StatsQuery, Table, dashboard, date_text, resolve};
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::PageError;
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use keten_core::steering::Cell;
use keten_core::steering::report::PeriodName;

/// The report's sections after the summary: a heading and the tables in it.
const SECTIONS: [(&str, &[&str]); 3] = [
    (
        "Waarover en wanneer",
        &["topics", "per-month", "channels", "outcomes"],
    ),
    (
        "Waar de doelgroep woont",
        &["target-group", "age-rates", "blind-spots"],
    ),
    (
        "Vergeleken en doorverwezen",
        &[
            "comparison",
            "consultation-hours",
            "referral-lead-times",
            "referral-overdue",
        ],
    ),
];

#[derive(Template, WebTemplate)]
#[template(path = "steering_report.html")]
pub struct ReportPage {
    shell: Shell,
    dashboard: Dashboard,
    sections: Vec<(&'static str, Vec<&'static str>)>,
    period_text: String,
    earlier_text: String,
    query: String,
}

impl ReportPage {
    fn cell(&self, c: &Cell) -> String {
        c.to_string()
    }

    fn count(&self, n: &i64) -> String {
        keten_core::steering::thousands(*n)
    }

    fn date(&self, d: &jiff::civil::Date) -> String {
        date_text(*d)
    }

    fn month_name(&self, month: &i8) -> &'static str {
        keten_core::opening_hours::MONTHS_NL
            .get(usize::try_from(*month - 1).unwrap_or(0))
            .copied()
            .unwrap_or("")
    }

    /// The table's chart; the target group's table gets the map.
    fn chart(&self, table: &Table) -> String {
        if table.key == "target-group" {
            return map_svg(&self.dashboard).unwrap_or_default();
        }
        chart_of(table).map(|c| c.render()).unwrap_or_default()
    }
}

/// The report for the period and scope of the dashboard's query (same checks: 403, 404, 422).
pub async fn report_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Query(q): Query<StatsQuery>,
) -> Result<ReportPage, PageError> {
    let resolved = resolve(&state, &me.actor, &q).await?;
    let d = dashboard(&state, &me.actor, &resolved).await?;
    let (from, to) = d.period.range.dates();
    let query = StatsQuery {
        municipality: resolved.scope.municipality_code.clone(),
        period: Some(d.period.kind.code().to_owned()),
        from: Some(from.to_string()),
        to: Some(to.to_string()),
        help_point: resolved.scope.help_point.as_ref().map(|h| h.id.clone()),
        partner: resolved.scope.partner.as_ref().map(|p| p.id.clone()),
    };
    Ok(ReportPage {
        shell,
        sections: SECTIONS
            .iter()
            .map(|(h, keys)| (*h, keys.to_vec()))
            .filter(|(_, keys)| keys.iter().any(|k| d.table(k).is_some()))
            .collect(),
        period_text: range_text(d.period.range),
        earlier_text: range_text(d.year_earlier),
        query: query.to_query_string(),
        dashboard: d,
    })
}
