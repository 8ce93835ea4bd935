//! The device bank's figures as tables of the steering dashboard (`/regie`, `/api/v1/stats`) and of the bank's `/apparaten` page.

use crate::error::AppError;
use crate::steering::tables::{ChartKind, Row, Table};
use keten_core::device::median_wait_tenths_of_day;
use keten_core::steering::Cell;
use keten_store::Store;
use keten_store::device_figures::FigureScope;

/// A count as it may be shown: 1 to 4 reads "< 5" (a resident or a small donor could be recognised).
fn count(n: i64) -> Cell {
    Cell::new(n, (1..5).contains(&n))
}

fn municipality_name(code: &str) -> String {
    keten_core::reference::municipality(code).map_or_else(|| code.to_owned(), |m| m.name.clone())
}

/// The two tables: devices per municipality and donor, and residents helped with the median wait.
pub(crate) async fn tables(store: &Store, scope: &FigureScope) -> Result<Vec<Table>, AppError> {
    let figures = store.device_figures(scope).await?;
    let devices = Table {
        key: "devices",
        title: "Digibank: apparaten per gemeente en donor (sinds de start)".to_owned(),
        headers: vec![
            "Gemeente: donor",
            "Gedoneerd",
            "Gewist",
            "Uitgegeven",
            "Teruggekomen",
            "Gerecycled",
        ],
        rows: figures
            .donors
            .iter()
            .map(|d| Row {
                label: format!("{}: {}", municipality_name(&d.municipality_code), d.donor),
                cells: [d.donated, d.wiped, d.handed_out, d.returned, d.recycled]
                    .into_iter()
                    .map(count)
                    .collect(),
            })
            .collect(),
        chart: ChartKind::Bar,
        note: Some(
            "Elk wisverslag, elke uitgifte en elke terugkomst telt: een apparaat dat twee keer is uitgeleend telt twee keer. Minder dan 5 staat als \"< 5\".",
        ),
    };
    let residents = Table {
        key: "device-residents",
        title: "Digibank: inwoners geholpen met een apparaat (sinds de start)".to_owned(),
        headers: vec![
            "Gemeente",
            "Inwoners geholpen",
            "Dagen van aanvraag tot uitgifte (mediaan)",
        ],
        rows: figures
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
            .collect(),
        chart: ChartKind::Bar,
        note: Some(
            "Een inwoner is een aanvraag waarvoor een apparaat is uitgegeven. De mediaan staat er pas bij 5 of meer inwoners.",
        ),
    };
    Ok(vec![devices, residents])
}
