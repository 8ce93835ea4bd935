//! Spreadsheet downloads as responses: CSV and Excel files with a header row, for every page that offers one.

use crate::error::AppError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use keten_core::spreadsheet::neutralise_formula;

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn attachment(filename: &str) -> String {
    format!("attachment; filename=\"{filename}\"")
}

/// Rows (the first is the header) as a UTF-8 CSV file named `filename`. Every CSV download of keten is written
/// here, and every cell passes [`neutralise_formula`], so a help point named `=HYPERLINK(...)` stays text when the
/// file is opened in a spreadsheet program (issue 18).
pub fn csv<R, C>(filename: &str, rows: R) -> Result<Response, AppError>
where
    R: IntoIterator<Item = C>,
    C: IntoIterator,
    C::Item: AsRef<str>,
{
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        let cells: Vec<String> = row
            .into_iter()
            .map(|cell| neutralise_formula(cell.as_ref()).into_owned())
            .collect();
        out.write_record(&cells)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let body = out
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, attachment(filename)),
        ],
        body,
    )
        .into_response())
}

/// A workbook of one sheet named `sheet`: the bold header row with a filter on it, then text cells.
pub fn xlsx(
    filename: &str,
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Response, AppError> {
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let worksheet = book.add_worksheet();
        worksheet.set_name(sheet)?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (col, name) in (0u16..).zip(headers) {
            worksheet.write_string_with_format(0, col, *name, &bold)?;
        }
        for (row, cells) in (1u32..).zip(rows) {
            for (col, cell) in (0u16..).zip(cells) {
                worksheet.write_string(row, col, cell)?;
            }
        }
        let last_col = u16::try_from(headers.len().saturating_sub(1)).unwrap_or(u16::MAX);
        worksheet.autofilter(
            0,
            0,
            u32::try_from(rows.len()).unwrap_or(u32::MAX),
            last_col,
        )?;
        worksheet.set_freeze_panes(1, 0)?;
        book.save_to_buffer()
    };
    xlsx_file(
        filename,
        build().map_err(|e| AppError::Internal(e.to_string()))?,
    )
}

/// A workbook built elsewhere (with number or date cells) as a download named `filename`.
pub fn xlsx_file(filename: &str, body: Vec<u8>) -> Result<Response, AppError> {
    Ok(file(filename, XLSX_TYPE, body))
}

/// Any other file (an image, a calendar) as a download named `filename`.
pub fn file(filename: &str, content_type: &str, body: impl Into<axum::body::Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, attachment(filename)),
        ],
        body.into(),
    )
        .into_response()
}
