//! The device bank's figures as tables of the steering dashboard (`/regie`, `/api/v1/stats`, for its period) and of the bank's `/apparaten` page (since the start).

use crate::error::AppError;
use crate::steering::tables::{ChartKind, Row, Table};
use keten_core::device::median_wait_tenths_of_day;
use keten_core::steering::{Cell, suppress_list};
use keten_store::Store;
use keten_store::device_figures::FigureScope;

/// A count as it may be shown on its own: 1 to 4 reads "< 5" (a resident or a small donor could be recognised).
fn count(n: i64) -> Cell {
    Cell::new(n, (1..5).contains(&n))
}

fn municipality_name(code: &str) -> String {
    keten_core::reference::municipality(code).map_or_else(|| code.to_owned(), |m| m.name.clone())
}

/// The period the figures cover: since the start (the bank's page) or the dashboard's chosen days.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Period {
    SinceStart,
    /// Unix seconds, from inclusive, until exclusive.
    Chosen {
        from: i64,
        until: i64,
    },
}

/// The two tables: devices per municipality and donor, and residents helped with the median wait. Counts of 1 to
/// 4 read "< 5", and per column the next smallest count too when only one is hidden, so that no hidden count can
/// be worked out from a total (the rule of the other steering tables).
pub(crate) async fn tables(
    store: &Store,
    scope: &FigureScope,
    period: Period,
) -> Result<Vec<Table>, AppError> {
    let (during, when) = match period {
        Period::SinceStart => (None, "sinds de start"),
        Period::Chosen { from, until } => (Some((from, until)), "in de gekozen periode"),
    };
    let figures = store.device_figures(scope, during).await?;
    let mut device_rows: Vec<Row> = figures
        .donors
        .iter()
        .map(|d| Row {
            label: format!("{}: {}", municipality_name(&d.municipality_code), d.donor),
            cells: [d.donated, d.wiped, d.handed_out, d.returned, d.recycled]
                .into_iter()
                .map(count)
                .collect(),
        })
        .collect();
    let counts: Vec<Vec<i64>> = figures
        .donors
        .iter()
        .map(|d| vec![d.donated, d.wiped, d.handed_out, d.returned, d.recycled])
        .collect();
    hide_per_column(&mut device_rows, &counts);
    let devices = Table {
        key: "devices",
        title: format!("Digibank: apparaten per gemeente en donor ({when})"),
        headers: vec![
            "Gemeente: donor",
            "Gedoneerd",
            "Gewist",
            "Uitgegeven",
            "Teruggekomen",
            "Gerecycled",
        ],
        rows: device_rows,
        chart: ChartKind::Bar,
        note: Some(
            "Elk wisverslag, elke uitgifte en elke terugkomst telt: een apparaat dat twee keer is uitgeleend telt twee keer. Minder dan 5 staat als \"< 5\". Staat er in een kolom maar een getal zo, dan staat het kleinste andere getal er ook zo.",
        ),
    };
    let helped_counts: Vec<Vec<i64>> = figures
        .helped
        .iter()
        .map(|h| vec![h.residents_helped])
        .collect();
    let mut resident_rows: Vec<Row> = figures
        .helped
        .iter()
        .map(|h| Row {
            label: municipality_name(&h.municipality_code),
            cells: vec![
                count(h.residents_helped),
                match median_wait_tenths_of_day(&h.waits_seconds) {
                    Some(t) if h.residents_helped >= 5 => Cell::Tenths(t),
                    _ => Cell::Hidden,
                },
            ],
        })
        .collect();
    hide_per_column(&mut resident_rows, &helped_counts);
    // A median of residents whose number is hidden would tell too much.
    for row in &mut resident_rows {
        if row.cells.first() == Some(&Cell::Hidden)
            && let Some(median) = row.cells.get_mut(1)
        {
            *median = Cell::Hidden;
        }
    }
    let residents = Table {
        key: "device-residents",
        title: format!("Digibank: inwoners geholpen met een apparaat ({when})"),
        headers: vec![
            "Gemeente",
            "Inwoners geholpen",
            "Dagen van aanvraag tot uitgifte (mediaan)",
        ],
        rows: resident_rows,
        chart: ChartKind::Bar,
        note: Some(
            "Een inwoner is een aanvraag waarvoor een apparaat is uitgegeven. De mediaan staat er pas bij 5 of meer inwoners.",
        ),
    };
    Ok(vec![devices, residents])
}

/// Per column of `counts` (rows by columns), hides the cells the cells-under-5 rule hides with its secondary
/// suppression.
fn hide_per_column(rows: &mut [Row], counts: &[Vec<i64>]) {
    let columns = counts.first().map_or(0, Vec::len);
    for c in 0..columns {
        let column: Vec<i64> = counts.iter().map(|r| r[c]).collect();
        for (row, hide) in rows.iter_mut().zip(suppress_list(&column)) {
            if hide && let Some(cell) = row.cells.get_mut(c) {
                *cell = Cell::Hidden;
            }
        }
    }
}
