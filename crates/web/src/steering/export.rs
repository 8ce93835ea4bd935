//! Tables of the dashboard as files: CSV through the shared download helper, XLSX with number cells and a native Excel chart beside each table.

use super::tables::{ChartKind, Dashboard, Table};
use crate::error::AppError;
use axum::response::Response;
use keten_core::steering::Cell;
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};

/// What a hidden cell says in every file.
pub const HIDDEN: &str = "< 5";

fn cell_text(c: Cell) -> String {
    c.plain().unwrap_or_else(|| HIDDEN.to_owned())
}

/// One table as CSV: its header row, then label and counts (hidden cells as "< 5", cells without a figure empty).
pub fn csv(table: &Table, filename: &str) -> Result<Response, AppError> {
    let mut rows: Vec<Vec<String>> = vec![table.headers.iter().map(|h| (*h).to_owned()).collect()];
    for r in &table.rows {
        rows.push(
            std::iter::once(r.label.clone())
                .chain(r.cells.iter().map(|c| cell_text(*c)))
                .collect(),
        );
    }
    crate::download::csv(filename, rows)
}

/// Sheet names: at most 31 characters, no `[]:*?/\`.
fn sheet_name(table: &Table) -> String {
    let clean: String = table
        .title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .collect();
    clean.chars().take(31).collect()
}

fn write_table(
    sheet: &mut Worksheet,
    table: &Table,
    name: &str,
    bold: &Format,
) -> Result<(), XlsxError> {
    let name = name.to_owned();
    sheet.set_name(&name)?;
    for (col, h) in (0u16..).zip(&table.headers) {
        sheet.write_string_with_format(0, col, *h, bold)?;
    }
    for (row, r) in (1u32..).zip(&table.rows) {
        sheet.write_string(row, 0, &r.label)?;
        for (col, c) in (1u16..).zip(&r.cells) {
            // No figure: an empty cell, as in the CSV.
            if *c == Cell::Empty {
                continue;
            }
            match c.number() {
                // Counts stay far below 2^53, so a spreadsheet number holds them exactly.
                Some(n) => sheet.write_number(row, col, n)?,
                None => sheet.write_string(row, col, HIDDEN)?,
            };
        }
    }
    sheet.set_column_width(0, 36)?;
    sheet.set_freeze_panes(1, 0)?;
    let last = u32::try_from(table.rows.len()).unwrap_or(u32::MAX);
    if last > 0 && table.headers.len() > 1 {
        let mut chart = Chart::new(match table.chart {
            ChartKind::Bar => ChartType::Bar,
            ChartKind::Column => ChartType::Column,
            ChartKind::Line => ChartType::Line,
        });
        // The first count column is the figure itself; the others are shares, minutes or last year.
        chart
            .add_series()
            .set_name((name.as_str(), 0, 1))
            .set_categories((name.as_str(), 1, 0, last, 0))
            .set_values((name.as_str(), 1, 1, last, 1));
        chart.title().set_name(&table.title);
        chart.legend().set_hidden();
        let width = u16::try_from(table.headers.len()).unwrap_or(1) + 1;
        sheet.insert_chart(1, width, &chart)?;
    }
    Ok(())
}

/// Tables as one workbook, a sheet per table with its chart, plus a first sheet saying what it is about.
pub fn xlsx(
    dashboard: &Dashboard,
    tables: &[&Table],
    filename: &str,
) -> Result<Response, AppError> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let about = book.add_worksheet();
        about.set_name("Over deze cijfers")?;
        let (from, to) = dashboard.period.range.dates();
        about.write_string_with_format(0, 0, "Cijfers van", &bold)?;
        about.write_string(0, 1, &dashboard.scope_name)?;
        about.write_string_with_format(1, 0, "Periode", &bold)?;
        about.write_string(
            1,
            1,
            format!(
                "{} tot en met {}",
                super::tables::date_text(from),
                super::tables::date_text(to)
            ),
        )?;
        about.write_string_with_format(2, 0, "Kleine aantallen", &bold)?;
        about.write_string(
            2,
            1,
            "Aantallen onder de 5 voor gebieden kleiner dan een gemeente staan er als \"< 5\"; staat er in een rij of kolom maar één zo, dan ook het kleinste andere getal (ook als dat groter is), zodat niemand het kan terugrekenen.",
        )?;
        about.set_column_width(0, 20)?;
        let mut used: Vec<String> = Vec::new();
        for table in tables {
            // Two titles that share their first 31 characters would clash: the key is unique.
            let mut name = sheet_name(table);
            if used.contains(&name) {
                name = table.key.to_owned();
            }
            used.push(name.clone());
            let sheet = book.add_worksheet();
            write_table(sheet, table, &name, &bold)?;
        }
        book.save_to_buffer()
    };
    crate::download::xlsx_file(
        filename,
        build().map_err(|e| AppError::Internal(e.to_string()))?,
    )
}
