//! Help points from a spreadsheet: the CSV or Excel file a coordinator exports, checked row by row.
//!
//! An Excel workbook's first sheet is read as CSV ([`read_help_point_file`]). A CSV file is UTF-8 (a byte-order
//! mark is fine; [`decode`] also reads the Windows-1252 that older Excel writes), separated by `;` (Excel in the
//! Netherlands and Flanders) or `,` (detected from the header line). Columns are found by their header, in Dutch
//! or English, in any case and order:
//!
//! | column | required | content |
//! |---|---|---|
//! | `naam` / `name` | yes | name of the help point |
//! | `adres` / `address` | yes | street and house number |
//! | `postcode` | yes | `3011 AB`, `3011` (NL) or `9000` (BE); gives place, municipality, location and region |
//! | `plaats` / `city` | no | filled from the postcode when empty |
//! | `openingstijden` / `hours` | yes | `ma-vr 10:00-16:00; za 10:00-12:00`, also `eerste di 10-12` ([`parse_recurring`]) |
//! | `onderwerpen` / `topics` | no | topic codes or Dutch labels, separated by `,` or `\|` |
//! | `talen` / `languages` | no | `nl, en, ar` or Dutch names (`Nederlands, Engels`); default `nl` |
//! | `soort` / `kind` | no | `ido`, `digipunt`, `other` (or their labels); default `ido` |
//! | `locatie` / `venue` | no | venue code or label (`bibliotheek`, `buurthuis`); default `other` |
//! | `toegankelijkheid` / `accessibility` | no | `drempelvrij, toilet, ringleiding, stille ruimte` |
//! | `telefoon` / `phone`, `email`, `website`, `meenemen` / `preparation` | no | contact and how to prepare |
//! | `kvk` / `kvknummer`, `kbo` / `ondernemingsnummer` | no | the operating organisation's KvK or KBO number: picks the organisation on import |
//!
//! Line numbers are the spreadsheet's row numbers: the header is line 1, and a cell with a line break in it does not
//! shift the rows after it. Messages are Dutch, for the coordinator who fixes the spreadsheet.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use crate::account::Email;
use crate::directory::{Accessibility, LANGUAGES, language_name, parse_languages};
use crate::geo::{Point, normalise, resolve_place};
use crate::help_question::DEFAULT_TOPICS;
use crate::opening_hours::{
    NO_FIXED_HOURS, OpeningHours, Region, format_recurring, parse_recurring,
};
use crate::organisation::{HelpPointKind, VenueKind};
use crate::reference::{Country, PostcodeArea, postcode_area};

/// Longest accepted name, address or other one-line text, in characters.
const MAX_TEXT: usize = 200;
/// Longest accepted preparation text, in characters.
const MAX_PREPARATION: usize = 1000;

/// The columns of the import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Name,
    Address,
    Postcode,
    City,
    Hours,
    Topics,
    Languages,
    Kind,
    Venue,
    Accessibility,
    Phone,
    Email,
    Website,
    Preparation,
    Kvk,
    Kbo,
}

impl Column {
    pub const ALL: [Self; 16] = [
        Self::Name,
        Self::Address,
        Self::Postcode,
        Self::City,
        Self::Hours,
        Self::Topics,
        Self::Languages,
        Self::Kind,
        Self::Venue,
        Self::Accessibility,
        Self::Phone,
        Self::Email,
        Self::Website,
        Self::Preparation,
        Self::Kvk,
        Self::Kbo,
    ];

    /// The Dutch header, as in the template and in messages.
    #[must_use]
    pub const fn dutch(self) -> &'static str {
        match self {
            Self::Name => "naam",
            Self::Address => "adres",
            Self::Postcode => "postcode",
            Self::City => "plaats",
            Self::Hours => "openingstijden",
            Self::Topics => "onderwerpen",
            Self::Languages => "talen",
            Self::Kind => "soort",
            Self::Venue => "locatie",
            Self::Accessibility => "toegankelijkheid",
            Self::Phone => "telefoon",
            Self::Email => "email",
            Self::Website => "website",
            Self::Preparation => "meenemen",
            Self::Kvk => "kvk",
            Self::Kbo => "kbo",
        }
    }

    #[must_use]
    pub const fn required(self) -> bool {
        matches!(
            self,
            Self::Name | Self::Address | Self::Postcode | Self::Hours
        )
    }

    /// Recognises a header: Dutch or English, any case, spaces, dashes and underscores ignored.
    #[must_use]
    pub fn from_header(header: &str) -> Option<Self> {
        let key: String = header
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.'))
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "naam" | "name" => Self::Name,
            "adres" | "address" | "straat" | "street" | "streetaddress" => Self::Address,
            "postcode" | "postalcode" | "zip" | "zipcode" => Self::Postcode,
            "plaats" | "woonplaats" | "city" | "place" => Self::City,
            "openingstijden" | "openingsuren" | "hours" | "openinghours" => Self::Hours,
            "onderwerpen" | "onderwerp" | "topics" | "topic" => Self::Topics,
            "talen" | "taal" | "languages" | "language" => Self::Languages,
            "soort" | "kind" | "type" => Self::Kind,
            "locatie" | "venue" | "soortlocatie" | "venuekind" => Self::Venue,
            "toegankelijkheid" | "accessibility" => Self::Accessibility,
            "telefoon" | "telefoonnummer" | "phone" | "telephone" => Self::Phone,
            "email" | "emailadres" | "mail" => Self::Email,
            "website" | "site" | "url" | "webadres" => Self::Website,
            "meenemen" | "voorbereiding" | "preparation" => Self::Preparation,
            "kvk" | "kvknummer" | "kvknumber" => Self::Kvk,
            "kbo" | "kbonummer" | "ondernemingsnummer" | "enterprisenumber" => Self::Kbo,
            _ => return None,
        })
    }
}

/// One problem in the file, on a spreadsheet line (header = 1), in a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    /// The column's header as written in the file (or the Dutch name when the column is missing).
    pub field: String,
    /// Dutch, one or two short sentences.
    pub message: String,
}

impl fmt::Display for RowError {
    /// `Regel 4, postcode: '3011 XYZ' is geen geldige postcode. ...`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "Regel {}: {}", self.line, self.message)
        } else {
            write!(f, "Regel {}, {}: {}", self.line, self.field, self.message)
        }
    }
}

/// A row that passed every check: ready to store for an organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct HelpPointRow {
    /// Spreadsheet line (header = 1).
    pub line: usize,
    pub name: String,
    pub kind: HelpPointKind,
    pub venue_kind: VenueKind,
    pub street_address: String,
    /// Normalised: `3011 AB`, `3011` or `9000`.
    pub postcode: String,
    pub city: String,
    pub country: Country,
    pub municipality_code: String,
    /// The centre of the postcode area (PC4 precision).
    pub location: Point,
    pub hours: OpeningHours,
    pub preparation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub languages: Vec<String>,
    pub accessibility: Accessibility,
    pub topics: Vec<String>,
    /// The operating organisation's KvK number (8 digits), when the file names it.
    pub kvk_number: Option<String>,
    /// The operating organisation's KBO number (10 digits), when the file names it.
    pub kbo_number: Option<String>,
}

impl HelpPointRow {
    /// The key that makes two help points of one organisation the same: see [`duplicate_key`].
    #[must_use]
    pub fn key(&self) -> (String, String) {
        duplicate_key(&self.name, &self.postcode)
    }
}

impl HelpPointRow {
    /// The row's cells in [`Column::ALL`] order (headers: [`Column::dutch`]), in the words the import reads back, so
    /// a downloaded list can be edited in a spreadsheet and read in again. Dated exceptions have no place in the
    /// hours syntax and are left out.
    #[must_use]
    pub fn cells(&self) -> Vec<String> {
        let accessibility: Vec<&str> = [
            (self.accessibility.step_free, "drempelvrij"),
            (self.accessibility.accessible_toilet, "toilet"),
            (self.accessibility.hearing_loop, "ringleiding"),
            (self.accessibility.quiet_room, "stille ruimte"),
        ]
        .into_iter()
        .filter_map(|(present, word)| present.then_some(word))
        .collect();
        // In the topic list's order, so the same topics always read the same.
        let topics: Vec<&str> = DEFAULT_TOPICS
            .iter()
            .filter(|t| self.topics.iter().any(|c| c == t.code))
            .map(|t| t.label)
            .chain(
                self.topics
                    .iter()
                    .filter(|c| !DEFAULT_TOPICS.iter().any(|t| t.code == c.as_str()))
                    .map(String::as_str),
            )
            .collect();
        let languages: Vec<&str> = self.languages.iter().map(|l| language_name(l)).collect();
        Column::ALL
            .iter()
            .map(|column| match column {
                Column::Name => self.name.clone(),
                Column::Address => self.street_address.clone(),
                Column::Postcode => self.postcode.clone(),
                Column::City => self.city.clone(),
                Column::Hours => match format_recurring(&self.hours.weekly, &self.hours.monthly) {
                    none if none.is_empty() => NO_FIXED_HOURS.to_owned(),
                    hours => hours,
                },
                Column::Topics => topics.join(", "),
                Column::Languages => languages.join(", "),
                Column::Kind => self.kind.label().to_owned(),
                Column::Venue => self.venue_kind.label().to_owned(),
                Column::Accessibility => accessibility.join(", "),
                Column::Phone => self.phone.clone().unwrap_or_default(),
                Column::Email => self.email.clone().unwrap_or_default(),
                Column::Website => self.website.clone().unwrap_or_default(),
                Column::Preparation => self.preparation.clone(),
                Column::Kvk => self.kvk_number.clone().unwrap_or_default(),
                Column::Kbo => self.kbo_number.clone().unwrap_or_default(),
            })
            .collect()
    }
}

impl HelpPointRow {
    /// This help point (as stored) with the values of `file` in the given columns: what reading in a row for an
    /// existing help point makes of it. Hours from the file replace the weekly and monthly hours; dated exceptions,
    /// the holiday rule and the coordinates (the postcode is the same) stay. The organisation's numbers are not the
    /// help point's and stay too.
    #[must_use]
    pub fn updated_with(&self, file: &HelpPointRow, columns: &[Column]) -> HelpPointRow {
        let mut out = self.clone();
        for column in columns {
            match column {
                Column::Name => out.name.clone_from(&file.name),
                Column::Address => out.street_address.clone_from(&file.street_address),
                Column::Postcode => out.postcode.clone_from(&file.postcode),
                Column::City => out.city.clone_from(&file.city),
                Column::Hours => {
                    out.hours.weekly.clone_from(&file.hours.weekly);
                    out.hours.monthly.clone_from(&file.hours.monthly);
                }
                Column::Topics => out.topics.clone_from(&file.topics),
                Column::Languages => out.languages.clone_from(&file.languages),
                Column::Kind => out.kind = file.kind,
                Column::Venue => out.venue_kind = file.venue_kind,
                Column::Accessibility => out.accessibility = file.accessibility,
                Column::Phone => out.phone.clone_from(&file.phone),
                Column::Email => out.email.clone_from(&file.email),
                Column::Website => out.website.clone_from(&file.website),
                Column::Preparation => out.preparation.clone_from(&file.preparation),
                Column::Kvk | Column::Kbo => {}
            }
        }
        out
    }

    /// The columns in which `other` reads differently from this row (in [`Column::ALL`] order).
    #[must_use]
    pub fn changed_columns(&self, other: &HelpPointRow) -> Vec<Column> {
        Column::ALL
            .into_iter()
            .zip(self.cells().into_iter().zip(other.cells()))
            .filter(|(_, (a, b))| a != b)
            .map(|(column, _)| column)
            .collect()
    }
}

/// What an import will do or did, after the file's own summary: `1 nieuw, 2 aangepast, 3 ongewijzigd` (parts that
/// are 0 left out).
#[must_use]
pub fn outcome_nl(created: usize, updated: usize, unchanged: usize) -> String {
    [
        (created, "nieuw"),
        (updated, "aangepast"),
        (unchanged, "ongewijzigd"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| format!("{n} {word}"))
    .collect::<Vec<_>>()
    .join(", ")
}

/// What a row will do, for the check's list: `Nieuw`, `Ongewijzigd`, or `Wordt aangepast: openingstijden,
/// onderwerpen`. `changes` is `None` for a help point that does not exist yet.
#[must_use]
pub fn row_outcome_nl(changes: Option<&[Column]>) -> String {
    match changes {
        None => "Nieuw".to_owned(),
        Some([]) => "Ongewijzigd".to_owned(),
        Some(columns) => format!(
            "Wordt aangepast: {}",
            columns
                .iter()
                .map(|c| c.dutch())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// What storing did, for the page and the command line: `1 hulppunt opgeslagen en 2 aangepast.`
#[must_use]
pub fn stored_nl(created: usize, updated: usize) -> String {
    let created_text = match created {
        1 => "1 hulppunt opgeslagen".to_owned(),
        n => format!("{n} hulppunten opgeslagen"),
    };
    match updated {
        0 => format!("{created_text}."),
        n if created == 0 => format!(
            "{n} {} aangepast.",
            if n == 1 { "hulppunt" } else { "hulppunten" }
        ),
        n => format!("{created_text} en {n} aangepast."),
    }
}

/// Name (case, accents and punctuation ignored) and postcode (spaces and case ignored): two help points of one
/// organisation with the same key are the same place.
#[must_use]
pub fn duplicate_key(name: &str, postcode: &str) -> (String, String) {
    (
        normalise(name),
        postcode
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect(),
    )
}

/// A warning for a help point that lies outside every municipality its organisation serves (`served`, municipality
/// codes): most often a mistyped postcode ("9999 ZZ" for a Rotterdam library). Nothing when the organisation names no
/// municipalities. It is a warning, not an error: an organisation may start somewhere new.
#[must_use]
pub fn outside_served(
    line: usize,
    postcode: &str,
    municipality_code: &str,
    organisation: &str,
    served: &[String],
) -> Option<RowError> {
    if served.is_empty() || served.iter().any(|m| m == municipality_code) {
        return None;
    }
    let name = |code: &str| {
        crate::reference::municipality(code).map_or_else(|| code.to_owned(), |m| m.name.clone())
    };
    let mut names: Vec<String> = served.iter().map(|c| name(c)).collect();
    names.sort();
    Some(RowError {
        line,
        field: Column::Postcode.dutch().to_owned(),
        message: format!(
            "{postcode} ligt in de gemeente {}, maar {organisation} werkt in {}. Klopt de postcode?",
            name(municipality_code),
            names.join(", ")
        ),
    })
}

/// What the file held: per data row its outcome, plus problems with the file as a whole.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// The separator found in the header line.
    pub delimiter: char,
    /// Problems that make the whole file unusable (missing required columns, unreadable CSV).
    pub file_errors: Vec<RowError>,
    /// Things the coordinator should know that do not stop the import (unknown columns, place names).
    pub warnings: Vec<RowError>,
    /// Every non-empty data row, in file order, with its spreadsheet line number.
    pub rows: Vec<(usize, Result<HelpPointRow, Vec<RowError>>)>,
    /// The known columns the file has: an existing help point takes only these from its row.
    pub columns: Vec<Column>,
}

impl ImportReport {
    /// Data rows read (empty rows are not counted).
    #[must_use]
    pub fn rows_read(&self) -> usize {
        self.rows.len()
    }

    #[must_use]
    pub fn rows_ok(&self) -> usize {
        self.rows.iter().filter(|(_, r)| r.is_ok()).count()
    }

    #[must_use]
    pub fn rows_with_errors(&self) -> usize {
        self.rows.len() - self.rows_ok()
    }

    /// True when the file can be imported: no file errors and no row errors (and at least one row).
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.file_errors.is_empty() && self.rows_with_errors() == 0 && !self.rows.is_empty()
    }

    /// The good rows.
    pub fn help_points(&self) -> impl Iterator<Item = &HelpPointRow> {
        self.rows.iter().filter_map(|(_, r)| r.as_ref().ok())
    }

    /// Every error, file errors first, then by line.
    pub fn errors(&self) -> impl Iterator<Item = &RowError> {
        self.file_errors.iter().chain(
            self.rows
                .iter()
                .filter_map(|(_, r)| r.as_ref().err())
                .flatten(),
        )
    }

    /// `12 regels gelezen, 10 goed, 2 met fouten`.
    #[must_use]
    pub fn summary_nl(&self) -> String {
        let read = self.rows_read();
        format!(
            "{read} {} gelezen, {} goed, {} met fouten",
            if read == 1 { "regel" } else { "regels" },
            self.rows_ok(),
            self.rows_with_errors()
        )
    }
}

/// Reads file bytes as text: UTF-8 (with or without byte-order mark), or else Windows-1252, which Excel's plain
/// "CSV" format writes. The flag says the fallback was used.
#[must_use]
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), false),
        Err(_) => (
            Cow::Owned(bytes.iter().map(|&b| windows_1252(b)).collect()),
            true,
        ),
    }
}

fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// What [`read_help_point_file`] says when a CSV file is not UTF-8.
pub const WINDOWS_1252_NOTE: &str = "Het bestand is geen UTF-8; we lezen het als Windows-1252. Kies in Excel bij opslaan liever 'CSV UTF-8'.";

/// An uploaded help-point file as the text [`parse_help_points_csv`] reads: CSV as it is (decoded with [`decode`]),
/// or the first sheet of an Excel workbook written out as CSV with the same row numbers, so both are checked and
/// confirmed the same way. The note is for the coordinator ([`WINDOWS_1252_NOTE`]). The error is Dutch.
pub fn read_help_point_file(bytes: &[u8]) -> Result<(String, Option<&'static str>), String> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok((crate::spreadsheet::read_xlsx(bytes)?.to_csv(), None));
    }
    let (text, windows_1252) = decode(bytes);
    Ok((text.into_owned(), windows_1252.then_some(WINDOWS_1252_NOTE)))
}

/// The separator of the header line: the most frequent of `;`, `,` and tab outside quotes (`,` on a tie).
pub(crate) fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    // Blank lines before the header are skipped by the reader, so they say nothing about the separator.
    for c in text.trim_start_matches(['\r', '\n']).chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let [comma, semicolon, tab] = counts;
    if semicolon > comma && semicolon >= tab {
        b';'
    } else if tab > comma && tab > semicolon {
        b'\t'
    } else {
        b','
    }
}

/// Parses a help-point spreadsheet. Never fails: every problem is in the report.
#[must_use]
pub fn parse_help_points_csv(text: &str) -> ImportReport {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = detect_delimiter(text);
    let mut report = ImportReport {
        delimiter: char::from(delimiter),
        ..ImportReport::default()
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());

    // Line breaks inside quoted cells so far: text lines minus these is the spreadsheet row.
    let mut breaks_in_cells = 0usize;
    // 1-based text line of the current record's start, counted up to byte `counted_to`.
    let (mut text_lines, mut counted_to) = (1usize, 0usize);
    let mut columns: Vec<Option<Column>> = Vec::new();
    let mut headers: Vec<String> = Vec::new();
    let mut header_seen = false;
    // The header's own line: a file with only a header is reported there (a line 2 may not exist).
    let mut header_line = 1;
    // Key -> first line with it, for duplicates within the file.
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();

    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e
                    .position()
                    .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
                report.file_errors.push(RowError {
                    line: line.saturating_sub(breaks_in_cells),
                    field: String::new(),
                    message: format!("Het bestand is geen leesbare CSV ({e})."),
                });
                return report;
            }
        }
        // The csv reader skips blank lines without counting them, so count line breaks up to the record's start.
        let start = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0))
            .min(text.len());
        // The reported start may lie before the blank lines the reader skipped.
        let start = start
            + text.get(start..).map_or(0, |rest| {
                rest.len() - rest.trim_start_matches(['\r', '\n']).len()
            });
        if let Some(skipped) = text.get(counted_to..start) {
            text_lines += skipped.matches('\n').count();
            counted_to = start;
        }
        let line = text_lines.saturating_sub(breaks_in_cells);
        breaks_in_cells += record
            .iter()
            .map(|f| f.matches('\n').count() + f.matches('\r').count() - f.matches("\r\n").count())
            .sum::<usize>();
        if !header_seen {
            header_seen = true;
            header_line = line;
            headers = record.iter().map(|h| h.trim().to_owned()).collect();
            read_header(&headers, line, &mut columns, &mut report);
            report.columns = columns.iter().flatten().copied().collect();
            if !report.file_errors.is_empty() {
                return report;
            }
            continue;
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    if !header_seen {
        report.file_errors.push(RowError {
            line: 1,
            field: String::new(),
            message: "Het bestand is leeg. De eerste regel moet de kolomnamen bevatten, zoals naam;adres;postcode;openingstijden.".into(),
        });
        return report;
    }

    // A postcode found in both countries goes to the country most rows are in.
    let majority = majority_country(&rows, &columns);
    for (line, fields) in rows {
        let result = parse_row(
            line,
            &fields,
            &columns,
            &headers,
            majority,
            &mut report.warnings,
        );
        let result = match result {
            Ok(row) => match seen.get(&row.key()) {
                Some(first) => Err(vec![RowError {
                    line,
                    field: header_of(Column::Name, &columns, &headers),
                    message: format!(
                        "Deze regel staat dubbel in het bestand: zelfde naam en postcode als regel {first}."
                    ),
                }]),
                None => {
                    seen.insert(row.key(), line);
                    Ok(row)
                }
            },
            Err(errors) => Err(errors),
        };
        report.rows.push((line, result));
    }
    if report.rows.is_empty() {
        report.file_errors.push(RowError {
            line: header_line,
            field: String::new(),
            message: "Er staan geen hulppunten in het bestand, alleen de kopregel.".into(),
        });
    }
    report
}

fn read_header(
    headers: &[String],
    line: usize,
    columns: &mut Vec<Option<Column>>,
    report: &mut ImportReport,
) {
    let mut found: HashMap<Column, &str> = HashMap::new();
    for header in headers {
        let column = Column::from_header(header);
        match column {
            Some(c) => {
                if let Some(first) = found.insert(c, header) {
                    report.file_errors.push(RowError {
                        line,
                        field: header.clone(),
                        message: format!(
                            "De kolom '{}' staat twee keer in de kopregel ('{first}' en '{header}'). Laat er één over.",
                            c.dutch()
                        ),
                    });
                }
            }
            None if header.is_empty() => {}
            None => report.warnings.push(RowError {
                line,
                field: header.clone(),
                message: format!(
                    "Kolom '{header}' kennen we niet; die slaan we over. Bekende kolommen: {}.",
                    Column::ALL.map(Column::dutch).join(", ")
                ),
            }),
        }
        columns.push(column);
    }
    for c in Column::ALL {
        if c.required() && !found.contains_key(&c) {
            report.file_errors.push(RowError {
                line,
                field: c.dutch().into(),
                message: format!(
                    "De kolom '{}' ontbreekt in de kopregel. Verplicht zijn: naam, adres, postcode en openingstijden.",
                    c.dutch()
                ),
            });
        }
    }
}

fn header_of(column: Column, columns: &[Option<Column>], headers: &[String]) -> String {
    columns
        .iter()
        .position(|c| *c == Some(column))
        .and_then(|i| headers.get(i))
        .filter(|h| !h.is_empty())
        .cloned()
        .unwrap_or_else(|| column.dutch().to_owned())
}

fn cell<'a>(fields: &'a [String], columns: &[Option<Column>], column: Column) -> &'a str {
    columns
        .iter()
        .position(|c| *c == Some(column))
        .and_then(|i| fields.get(i))
        .map_or("", |s| crate::spreadsheet::strip_formula_guard(s.trim()))
}

fn majority_country(rows: &[(usize, Vec<String>)], columns: &[Option<Column>]) -> Country {
    let (mut nl, mut be) = (0usize, 0usize);
    for (_, fields) in rows {
        if let Ok(p) = parse_postcode(cell(fields, columns, Column::Postcode)) {
            match (
                p.country.or(p.letters.then_some(Country::Nl)),
                postcode_area(Country::Nl, &p.digits),
                postcode_area(Country::Be, &p.digits),
            ) {
                (Some(Country::Nl), _, _) | (None, Some(_), None) => nl += 1,
                (Some(Country::Be), _, _) | (None, None, Some(_)) => be += 1,
                _ => {}
            }
        }
    }
    if be > nl { Country::Be } else { Country::Nl }
}

struct PostcodeInput {
    country: Option<Country>,
    digits: String,
    letters: bool,
    /// `3011 AB`, `3011`, `9000`.
    normalised: String,
}

/// `3011 AB`, `3011ab`, `3011`, `9000`, `B-9000`, `NL-3011 AB`.
fn parse_postcode(input: &str) -> Result<PostcodeInput, ()> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    let (country, rest) = [
        ("NL-", Country::Nl),
        ("NL", Country::Nl),
        ("BE-", Country::Be),
        ("B-", Country::Be),
        ("BE", Country::Be),
    ]
    .into_iter()
    .find_map(|(prefix, c)| {
        compact
            .strip_prefix(prefix)
            .filter(|r| r.starts_with(|ch: char| ch.is_ascii_digit()))
            .map(|r| (Some(c), r))
    })
    .unwrap_or((None, compact.as_str()));
    let digits = rest.get(..4).ok_or(())?;
    let letters = rest.get(4..).ok_or(())?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return Err(());
    }
    let has_letters = match letters.len() {
        0 => false,
        2 if letters.bytes().all(|b| b.is_ascii_uppercase()) => true,
        _ => return Err(()),
    };
    if has_letters && country == Some(Country::Be) {
        return Err(());
    }
    Ok(PostcodeInput {
        country,
        digits: digits.to_owned(),
        letters: has_letters,
        normalised: if has_letters {
            format!("{digits} {letters}")
        } else {
            digits.to_owned()
        },
    })
}

/// Finds the postcode's area. A 4-digit code in both countries goes to the one whose place matches the city column,
/// else to `majority`.
fn postcode_lookup(
    p: &PostcodeInput,
    city: &str,
    majority: Country,
) -> Option<&'static PostcodeArea> {
    if let Some(c) = p.country.or(p.letters.then_some(Country::Nl)) {
        return postcode_area(c, &p.digits);
    }
    match (
        postcode_area(Country::Nl, &p.digits),
        postcode_area(Country::Be, &p.digits),
    ) {
        (Some(nl), Some(be)) => {
            let city = normalise(city);
            if !city.is_empty() && normalise(&be.place) == city {
                Some(be)
            } else if !city.is_empty() && normalise(&nl.place) == city {
                Some(nl)
            } else if majority == Country::Be {
                Some(be)
            } else {
                Some(nl)
            }
        }
        (nl, be) => nl.or(be),
    }
}

fn parse_row(
    line: usize,
    fields: &[String],
    columns: &[Option<Column>],
    headers: &[String],
    majority: Country,
    warnings: &mut Vec<RowError>,
) -> Result<HelpPointRow, Vec<RowError>> {
    let mut errors = Vec::new();
    if fields.len() > headers.len() && fields[headers.len()..].iter().any(|f| !f.trim().is_empty())
    {
        errors.push(RowError {
            line,
            field: String::new(),
            message: format!(
                "Deze regel heeft {} vakjes, de kopregel maar {}. Staat er een scheidingsteken in een tekst zonder aanhalingstekens?",
                fields.len(),
                headers.len()
            ),
        });
    }
    let mut fail = |column: Column, message: String| {
        errors.push(RowError {
            line,
            field: header_of(column, columns, headers),
            message,
        });
    };
    let get = |column: Column| cell(fields, columns, column);

    let name = get(Column::Name);
    if name.is_empty() {
        fail(Column::Name, "Vul de naam van het hulppunt in.".into());
    } else if name.chars().count() > MAX_TEXT {
        fail(
            Column::Name,
            format!("De naam is langer dan {MAX_TEXT} tekens."),
        );
    }

    let address = get(Column::Address);
    if address.is_empty() {
        fail(
            Column::Address,
            "Vul straat en huisnummer in, bijvoorbeeld 'Hoogstraat 110'.".into(),
        );
    } else if !address.chars().any(|c| c.is_ascii_digit()) {
        fail(
            Column::Address,
            format!(
                "In '{address}' staat geen huisnummer. Schrijf straat en huisnummer, bijvoorbeeld 'Hoogstraat 110'."
            ),
        );
    } else if address.chars().count() > MAX_TEXT {
        fail(
            Column::Address,
            format!("Het adres is langer dan {MAX_TEXT} tekens."),
        );
    }

    let city_input = get(Column::City);
    let postcode_text = get(Column::Postcode);
    let mut place: Option<(String, &'static PostcodeArea)> = None;
    if postcode_text.is_empty() {
        fail(
            Column::Postcode,
            "Vul de postcode in, bijvoorbeeld 3011 AB of 9000.".into(),
        );
    } else {
        match parse_postcode(postcode_text) {
            Err(()) => fail(
                Column::Postcode,
                format!(
                    "'{postcode_text}' is geen geldige postcode. Schrijf bijvoorbeeld 3011 AB of 3011 (Nederland) of 9000 (België)."
                ),
            ),
            Ok(p) => match postcode_lookup(&p, city_input, majority) {
                None => fail(
                    Column::Postcode,
                    format!(
                        "Postcode '{postcode_text}' kennen we niet. Kijk of hij goed geschreven is."
                    ),
                ),
                Some(area) => place = Some((p.normalised, area)),
            },
        }
    }
    let city = match (&place, city_input) {
        (Some((_, area)), "") => area.place.clone(),
        (Some((_, area)), given) => {
            let matches = normalise(given) == normalise(&area.place)
                || resolve_place(given, area.country)
                    .is_ok_and(|r| r.municipality.code == area.municipality_code);
            if !matches {
                warnings.push(RowError {
                    line,
                    field: header_of(Column::City, columns, headers),
                    message: format!(
                        "Plaats '{given}' hoort niet bij postcode {} ({}). We nemen '{given}' over; kijk of het klopt.",
                        area.postcode, area.place
                    ),
                });
            }
            given.to_owned()
        }
        (None, given) => given.to_owned(),
    };

    let hours_text = get(Column::Hours);
    let region = place
        .as_ref()
        .map_or(Region::from(majority), |(_, a)| Region::from(a.country));
    let hours = if hours_text.is_empty() {
        fail(
            Column::Hours,
            "Vul de openingstijden in, bijvoorbeeld 'ma-vr 10:00-16:00; za 10:00-12:00'.".into(),
        );
        None
    } else {
        match parse_recurring(hours_text) {
            Ok((weekly, monthly)) => Some(OpeningHours {
                monthly,
                ..OpeningHours::weekly(region, weekly)
            }),
            Err(e) => {
                fail(Column::Hours, e.message);
                None
            }
        }
    };

    let topics = match parse_topics(get(Column::Topics)) {
        Ok(t) => t,
        Err(message) => {
            fail(Column::Topics, message);
            Vec::new()
        }
    };

    let languages_text = get(Column::Languages);
    let languages = if languages_text.is_empty() {
        vec!["nl".to_owned()]
    } else {
        match parse_languages(&language_names_to_codes(languages_text)) {
            Ok(l) if l.is_empty() => vec!["nl".to_owned()],
            Ok(l) => l,
            Err(e) => {
                fail(Column::Languages, e.message);
                Vec::new()
            }
        }
    };

    let kind_text = get(Column::Kind);
    let kind = if kind_text.is_empty() {
        HelpPointKind::Ido
    } else {
        code_or_label(
            HelpPointKind::ALL,
            HelpPointKind::as_str,
            HelpPointKind::label,
            kind_text,
        )
        .unwrap_or_else(|| {
            fail(
                Column::Kind,
                format!("Soort '{kind_text}' kennen we niet. Kies uit: ido, digipunt, other."),
            );
            HelpPointKind::Ido
        })
    };

    let venue_text = get(Column::Venue);
    let venue_kind = if venue_text.is_empty() {
        VenueKind::Other
    } else {
        code_or_label(
            VenueKind::ALL,
            VenueKind::as_str,
            VenueKind::label,
            venue_text,
        )
        .unwrap_or_else(|| {
            fail(
                Column::Venue,
                format!(
                    "Locatie '{venue_text}' kennen we niet. Kies uit: {}.",
                    VenueKind::ALL
                        .iter()
                        .map(|v| v.label().to_lowercase())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            VenueKind::Other
        })
    };

    let accessibility = match parse_accessibility(get(Column::Accessibility)) {
        Ok(a) => a,
        Err(message) => {
            fail(Column::Accessibility, message);
            Accessibility::default()
        }
    };

    let phone = optional(get(Column::Phone));
    if let Some(p) = &phone {
        let digits = p.chars().filter(char::is_ascii_digit).count();
        if digits < 6
            || p.chars()
                .any(|c| !(c.is_ascii_digit() || " +-()/.".contains(c)))
        {
            fail(
                Column::Phone,
                format!("'{p}' is geen telefoonnummer. Schrijf bijvoorbeeld 010 123 45 67."),
            );
        }
    }
    let email = match optional(get(Column::Email)) {
        None => None,
        Some(e) => match Email::parse(&e) {
            Ok(e) => Some(e.as_str().to_owned()),
            Err(err) => {
                fail(Column::Email, format!("'{e}': {}", err.message));
                None
            }
        },
    };
    let website = optional(get(Column::Website)).and_then(|w| {
        if w.contains(char::is_whitespace) || !w.contains('.') {
            fail(
                Column::Website,
                format!("'{w}' is geen webadres. Schrijf bijvoorbeeld www.bibliotheek.nl."),
            );
            None
        } else if w.starts_with("http://") || w.starts_with("https://") {
            Some(w)
        } else {
            Some(format!("https://{w}"))
        }
    });
    let preparation = get(Column::Preparation).to_owned();
    if preparation.chars().count() > MAX_PREPARATION {
        fail(
            Column::Preparation,
            format!("De tekst is langer dan {MAX_PREPARATION} tekens."),
        );
    }

    let kvk_number = crate::organisation::parse_kvk(get(Column::Kvk))
        .map_err(|e| fail(Column::Kvk, e.message))
        .ok()
        .flatten();
    let kbo_number = crate::organisation::parse_kbo(get(Column::Kbo))
        .map_err(|e| fail(Column::Kbo, e.message))
        .ok()
        .flatten();

    match (errors.is_empty(), place, hours) {
        (true, Some((postcode, area)), Some(hours)) => Ok(HelpPointRow {
            line,
            name: name.to_owned(),
            kind,
            venue_kind,
            street_address: address.to_owned(),
            postcode,
            city,
            country: area.country,
            municipality_code: area.municipality_code.clone(),
            location: area.centre,
            hours,
            preparation,
            phone,
            email,
            website,
            languages,
            accessibility,
            topics,
            kvk_number,
            kbo_number,
        }),
        _ => Err(errors),
    }
}

fn optional(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

fn code_or_label<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    input: &str,
) -> Option<T> {
    let key = normalise(input);
    all.iter()
        .copied()
        .find(|&v| code(v).eq_ignore_ascii_case(input.trim()) || normalise(label(v)) == key)
}

/// Topic codes or Dutch labels, separated by `,`, `|` or `;`. A label with a comma in it ("Telefoon, computer en
/// internet") is recognised too.
fn parse_topics(text: &str) -> Result<Vec<String>, String> {
    let tokens: Vec<&str> = text.split([',', '|', ';']).map(str::trim).collect();
    let find = |candidate: &str| {
        let key = normalise(candidate);
        DEFAULT_TOPICS
            .iter()
            .find(|t| t.code.eq_ignore_ascii_case(candidate.trim()) || normalise(t.label) == key)
            .map(|t| t.code)
    };
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].is_empty() {
            i += 1;
            continue;
        }
        let longest = (1..=(tokens.len() - i).min(4))
            .rev()
            .find_map(|n| find(&tokens[i..i + n].join(", ")).map(|code| (n, code)));
        match longest {
            Some((n, code)) => {
                if !out.iter().any(|c| c == code) {
                    out.push(code.to_owned());
                }
                i += n;
            }
            None => {
                return Err(format!(
                    "Onderwerp '{}' kennen we niet. Gebruik een code of naam, bijvoorbeeld digid, bankzaken of 'Belastingen en toeslagen'.",
                    tokens[i]
                ));
            }
        }
    }
    Ok(out)
}

/// "Nederlands, Engels" -> "nl, en"; codes pass through for [`parse_languages`].
fn language_names_to_codes(text: &str) -> String {
    text.split([',', ';', '|', '/'])
        .flat_map(|part| {
            let key = normalise(part);
            match language_code(&key) {
                Some(code) => vec![code.to_owned()],
                None => part
                    .split_whitespace()
                    .map(|word| {
                        language_code(&normalise(word))
                            .map_or_else(|| word.to_owned(), str::to_owned)
                    })
                    .collect(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn language_code(key: &str) -> Option<&'static str> {
    LANGUAGES
        .iter()
        .find(|(code, name)| normalise(name) == key || key == *code)
        .map(|(code, _)| *code)
}

/// Words like "drempelvrij, toilet, ringleiding, stille ruimte" (Dutch or English; "geen" or "-" for none).
fn parse_accessibility(text: &str) -> Result<Accessibility, String> {
    let mut a = Accessibility::default();
    for part in text
        .split([',', ';', '|', '/'])
        .flat_map(|p| p.split(" en "))
    {
        let key = normalise(part);
        match key.as_str() {
            "" | "geen" | "nee" | "none" => {}
            "drempelvrij"
            | "traploos"
            | "zonder trappen"
            | "rolstoeltoegankelijk"
            | "rolstoel"
            | "toegankelijk"
            | "gelijkvloers"
            | "step free"
            | "stepfree"
            | "wheelchair accessible" => a.step_free = true,
            "toilet"
            | "aangepast toilet"
            | "invalidentoilet"
            | "mindervalidentoilet"
            | "rolstoeltoilet"
            | "toegankelijk toilet"
            | "accessible toilet" => {
                a.accessible_toilet = true;
            }
            "ringleiding" | "hoorlus" | "solo apparatuur" | "hearing loop" => {
                a.hearing_loop = true;
            }
            "stille ruimte" | "stilteruimte" | "prikkelarme ruimte" | "prikkelarm"
            | "quiet room" => a.quiet_room = true,
            _ => {
                return Err(format!(
                    "'{}' kennen we niet. Gebruik: drempelvrij, toilet, ringleiding, stille ruimte.",
                    part.trim()
                ));
            }
        }
    }
    Ok(a)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::opening_hours::Weekday;

    fn only_row(report: &ImportReport) -> &HelpPointRow {
        assert!(report.file_errors.is_empty(), "{:?}", report.file_errors);
        assert_eq!(report.rows.len(), 1, "{:?}", report.rows);
        match &report.rows[0].1 {
            Ok(row) => row,
            Err(e) => panic!("{e:?}"),
        }
    }

    fn errors_of(report: &ImportReport) -> Vec<String> {
        report.errors().map(ToString::to_string).collect()
    }

    #[test]
    fn exported_cells_read_back_as_the_same_help_point() {
        let text = "naam,adres,postcode,openingstijden,onderwerpen,talen,soort,locatie,toegankelijkheid,telefoon,email,website,meenemen,kvk\n\
            Bieb Oost,Hoofdweg 2,3067 GH,\"ma-vr 10:00-12:30 en 13:30-16:00; eerste za 10:00-12:00\",\"Telefoon, computer en internet, digid\",\"nl, ar\",digipunt,buurthuis,\"drempelvrij, ringleiding, stille ruimte\",010 123 45 67,oost@bieb.nl,https://bieb.nl/oost,\"Neem uw telefoon mee; en uw pas.\",69352318\n";
        let mut row = only_row(&parse_help_points_csv(text)).clone();
        assert_eq!(row.hours.monthly.len(), 1);
        // Cells list topics in the topic list's order; the store keeps them as a set.
        row.topics.sort();
        let table = crate::spreadsheet::Table {
            headers: Column::ALL.iter().map(|c| c.dutch().to_owned()).collect(),
            rows: vec![(2, row.cells())],
        };
        let report = parse_help_points_csv(&table.to_csv());
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        let mut again = only_row(&report).clone();
        again.topics.sort();
        assert_eq!(again, row);
    }

    #[test]
    fn a_row_for_an_existing_help_point_changes_only_its_own_columns() {
        let mut stored = only_row(&parse_help_points_csv(
            "naam;adres;postcode;openingstijden;onderwerpen;telefoon\n\
             Bieb;Hoofdweg 2;3067 GH;ma 10-12;digid;010 123 45 67\n",
        ))
        .clone();
        stored
            .hours
            .exceptions
            .push(crate::opening_hours::Exception {
                from: jiff::civil::date(2026, 12, 24),
                to: jiff::civil::date(2027, 1, 1),
                kind: crate::opening_hours::ExceptionKind::Closed,
                slots: Vec::new(),
                reason: "Kerst".into(),
            });
        let report = parse_help_points_csv(
            "naam;adres;postcode;openingstijden\nBieb;Hoofdweg 2;3067 GH;\"di 13-16; eerste za 10-12\"\n",
        );
        let file = only_row(&report);
        let updated = stored.updated_with(file, &report.columns);
        assert_eq!(stored.changed_columns(&updated), vec![Column::Hours]);
        assert_eq!(updated.hours.weekly, file.hours.weekly);
        assert_eq!(updated.hours.monthly.len(), 1);
        assert_eq!(
            updated.hours.exceptions, stored.hours.exceptions,
            "dated exceptions stay"
        );
        assert_eq!(updated.topics, ["digid"], "a column the file lacks stays");
        assert_eq!(updated.phone, stored.phone);
        assert!(stored.changed_columns(&stored).is_empty());
        assert_eq!(outcome_nl(1, 0, 3), "1 nieuw, 3 ongewijzigd");
        assert_eq!(outcome_nl(0, 0, 0), "");
        assert_eq!(stored_nl(1, 0), "1 hulppunt opgeslagen.");
        assert_eq!(stored_nl(0, 2), "2 hulppunten aangepast.");
        assert_eq!(stored_nl(3, 1), "3 hulppunten opgeslagen en 1 aangepast.");
    }

    #[test]
    fn an_excel_file_is_read_like_its_csv() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (col, header) in ["naam", "adres", "postcode", "openingstijden"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, col as u16, *header).unwrap();
        }
        sheet.write_string(1, 0, "Bieb").unwrap();
        sheet.write_string(1, 1, "Hoogstraat 110").unwrap();
        sheet.write_number(1, 2, 9000.0).unwrap();
        sheet.write_string(1, 3, "di 10-12").unwrap();
        sheet.write_string(3, 0, "Zonder adres").unwrap();
        let (text, note) = read_help_point_file(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(note, None);
        let report = parse_help_points_csv(&text);
        let rows: Vec<&HelpPointRow> = report.help_points().collect();
        assert_eq!(rows[0].postcode, "9000");
        assert_eq!(rows[0].city, "Gent");
        // The spreadsheet's own row number, past the empty row 3.
        let errors = errors_of(&report);
        assert!(errors[0].starts_with("Regel 4, adres:"), "{errors:?}");
        assert!(read_help_point_file(b"PK\x03\x04 no zip").is_err());
        let (_, note) = read_help_point_file(b"naam;adres\nCaf\xe9;x\n").unwrap();
        assert_eq!(note, Some(WINDOWS_1252_NOTE));
    }

    #[test]
    fn kvk_and_kbo_columns_are_checked() {
        let report = parse_help_points_csv(
            "naam;adres;postcode;openingstijden;KvK-nummer;ondernemingsnummer\n\
             A;Straat 1;3011 AB;ma 10:00-12:00;6935 2318;\n\
             B;Straat 2;9000;ma 10:00-12:00;;0203.201.340\n\
             C;Straat 3;3011;ma 10:00-12:00;123;0203.201.341\n",
        );
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        let rows: Vec<&HelpPointRow> = report.help_points().collect();
        assert_eq!(rows[0].kvk_number.as_deref(), Some("69352318"));
        assert_eq!(rows[1].kbo_number.as_deref(), Some("0203201340"));
        let errors = errors_of(&report);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].starts_with("Regel 4, KvK-nummer: '123' is geen KvK-nummer"));
        assert!(errors[1].contains("controlegetal"));
    }

    #[test]
    fn semicolon_file_with_dutch_headers_and_bom() {
        let text = "\u{feff}Naam;Adres;Postcode;Plaats;Openingstijden;Onderwerpen;Talen;Soort;Locatie;Toegankelijkheid;Telefoon;E-mail;Website;Meenemen\n\
            Bibliotheek Centrum;Hoogstraat 110;3011 pv;;ma-vr 10:00-16:00, za 10:00-12:00;digid, Bankzaken;nl, en;ido;bibliotheek;drempelvrij, toilet;010 281 61 00;info@bibliotheek.nl;www.bibliotheek.nl;Neem uw DigiD-brief mee\n";
        let report = parse_help_points_csv(text);
        assert_eq!(report.delimiter, ';');
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        let row = only_row(&report);
        assert_eq!(row.line, 2);
        assert_eq!(row.name, "Bibliotheek Centrum");
        assert_eq!(row.postcode, "3011 PV");
        assert_eq!(row.city, "Rotterdam");
        assert_eq!(row.country, Country::Nl);
        assert_eq!(row.municipality_code, "GM0599");
        assert_eq!(row.hours.region, Region::Nl);
        // "ma-vr 10:00-16:00, za 10:00-12:00": five weekdays and Saturday.
        assert_eq!(row.hours.weekly.len(), 6);
        assert_eq!(row.hours.weekly[0].weekday, Weekday::Mon);
        assert_eq!(row.topics, ["digid", "bankzaken"]);
        assert_eq!(row.languages, ["nl", "en"]);
        assert_eq!(row.kind, HelpPointKind::Ido);
        assert_eq!(row.venue_kind, VenueKind::Library);
        assert!(row.accessibility.step_free && row.accessibility.accessible_toilet);
        assert!(!row.accessibility.hearing_loop && !row.accessibility.quiet_room);
        assert_eq!(row.email.as_deref(), Some("info@bibliotheek.nl"));
        assert_eq!(row.website.as_deref(), Some("https://www.bibliotheek.nl"));
        assert_eq!(row.preparation, "Neem uw DigiD-brief mee");
        assert!(report.is_ok());
        assert_eq!(report.summary_nl(), "1 regel gelezen, 1 goed, 0 met fouten");
    }

    #[test]
    fn comma_file_with_english_headers_and_quoted_fields() {
        let text = "name,address,postcode,city,hours,topics,languages,kind,venue,accessibility\r\n\
            \"Buurthuis De Brug, zaal 2\",\"Kerkstraat 5, achteringang\",3011,Rotterdam,\"ma-vr 10:00-16:00; za 10:00-12:00\",\"Telefoon, computer en internet|veilig-online\",Nederlands Arabisch,digipunt,Buurthuis,ringleiding en stille ruimte\r\n";
        let report = parse_help_points_csv(text);
        assert_eq!(report.delimiter, ',');
        let row = only_row(&report);
        assert_eq!(row.name, "Buurthuis De Brug, zaal 2");
        assert_eq!(row.street_address, "Kerkstraat 5, achteringang");
        assert_eq!(row.postcode, "3011");
        assert_eq!(row.hours.weekly.len(), 6);
        assert_eq!(row.topics, ["apparaten", "veilig-online"]);
        assert_eq!(row.languages, ["nl", "ar"]);
        assert_eq!(row.kind, HelpPointKind::Digipunt);
        assert_eq!(row.venue_kind, VenueKind::CommunityCentre);
        assert!(row.accessibility.hearing_loop && row.accessibility.quiet_room);
        // Optional columns left out: defaults.
        assert_eq!(row.phone, None);
        assert_eq!(row.preparation, "");
    }

    #[test]
    fn belgian_postcode_gives_gent_and_region_be() {
        let text = "naam;adres;postcode;openingstijden\nDigipunt Gent;Kouter 1;9000;di 9u30-12u\n";
        let report = parse_help_points_csv(text);
        let row = only_row(&report);
        assert_eq!(row.city, "Gent");
        assert_eq!(row.country, Country::Be);
        assert_eq!(row.municipality_code, "44021");
        assert_eq!(row.hours.region, Region::Be);
        assert_eq!(row.languages, ["nl"]);
        assert_eq!(row.venue_kind, VenueKind::Other);
        let be = postcode_area(Country::Be, "9000").unwrap();
        assert_eq!(row.location, be.centre);
    }

    #[test]
    fn a_postcode_in_both_countries_follows_the_city_or_the_other_rows() {
        let be = crate::reference::postcode_areas()
            .iter()
            .find(|a| a.country == Country::Be && postcode_area(Country::Nl, &a.postcode).is_some())
            .unwrap();
        let nl = postcode_area(Country::Nl, &be.postcode).unwrap();
        let pc = &be.postcode;
        // By the place column.
        let text = format!(
            "naam;adres;postcode;plaats;openingstijden\nA;Straat 1;{pc};{};ma 10-12\nB;Straat 1;{pc};{};ma 10-12\n",
            be.place, nl.place
        );
        let report = parse_help_points_csv(&text);
        let rows: Vec<_> = report.help_points().collect();
        assert_eq!(rows.len(), 2, "{:?}", errors_of(&report));
        assert_eq!(rows[0].country, Country::Be);
        assert_eq!(rows[0].hours.region, Region::Be);
        assert_eq!(rows[1].country, Country::Nl);
        // Without a place: the country of most rows (here Belgium, by 9000 and 1000 which only Belgium has).
        let text = format!(
            "naam;adres;postcode;openingstijden\nA;Straat 1;{pc};ma 10-12\nB;Straat 1;9000;ma 10-12\nC;Straat 1;B-1000;ma 10-12\n"
        );
        let report = parse_help_points_csv(&text);
        let rows: Vec<_> = report.help_points().collect();
        assert_eq!(rows.len(), 3, "{:?}", errors_of(&report));
        assert_eq!(rows[0].country, Country::Be);
        // Letters make it Dutch.
        let text = format!(
            "naam;adres;postcode;openingstijden\nA;Straat 1;{pc} AB;ma 10-12\nB;Straat 1;9000;ma 10-12\n"
        );
        let report = parse_help_points_csv(&text);
        assert_eq!(report.help_points().next().unwrap().country, Country::Nl);
    }

    #[test]
    fn every_error_kind_with_spreadsheet_line_numbers() {
        let text = "naam;adres;postcode;openingstijden;onderwerpen;talen;soort;locatie;toegankelijkheid;telefoon;email;website\n\
            Goed;Hoogstraat 1;3011 AB;ma 10-12;;;;;;;;\n\
            ;Hoogstraat;3011 XYZ;ma 12-10;fietsen;xx;bus;zwembad;lift;bel mij;geen-mail;mijn site\n\
            Zonder postcode;Dorpsstraat 1;;;;;;;;;;\n\
            Onbekend;Dorpsstraat 1;0999;ma 10-12;;;;;;;;\n";
        let report = parse_help_points_csv(text);
        assert!(!report.is_ok());
        assert_eq!(
            report.summary_nl(),
            "4 regels gelezen, 1 goed, 3 met fouten"
        );
        let errors = errors_of(&report);
        let expected = [
            "Regel 3, naam: Vul de naam van het hulppunt in.",
            "Regel 3, adres: In 'Hoogstraat' staat geen huisnummer.",
            "Regel 3, postcode: '3011 XYZ' is geen geldige postcode.",
            "Regel 3, openingstijden: Eindtijd 10:00 ligt voor begintijd 12:00.",
            "Regel 3, onderwerpen: Onderwerp 'fietsen' kennen we niet.",
            "Regel 3, talen: Onbekende taalcode 'xx'.",
            "Regel 3, soort: Soort 'bus' kennen we niet.",
            "Regel 3, locatie: Locatie 'zwembad' kennen we niet.",
            "Regel 3, toegankelijkheid: 'lift' kennen we niet.",
            "Regel 3, telefoon: 'bel mij' is geen telefoonnummer.",
            "Regel 3, email: 'geen-mail': Vul een geldig e-mailadres in",
            "Regel 3, website: 'mijn site' is geen webadres.",
            "Regel 4, postcode: Vul de postcode in",
            "Regel 4, openingstijden: Vul de openingstijden in",
            "Regel 5, postcode: '0999' is geen geldige postcode.",
        ];
        for e in expected {
            assert!(
                errors.iter().any(|x| x.starts_with(e)),
                "missing {e:?} in {errors:#?}"
            );
        }
        assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    }

    #[test]
    fn unknown_postcode_and_wrong_place_and_unknown_column() {
        let unknown = (1000..10_000)
            .map(|n: u32| n.to_string())
            .find(|pc| postcode_area(Country::Nl, pc).is_none())
            .unwrap();
        let text = format!(
            "naam,adres,postcode,plaats,openingstijden,opmerking\n\
            A,Dorpsstraat 1,{unknown} ZZ,,ma 10-12,x\n\
            B,Dorpsstraat 1,3011,Amsterdam,ma 10-12,y\n"
        );
        let report = parse_help_points_csv(&text);
        let errors = errors_of(&report);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with(&format!(
            "Regel 2, postcode: Postcode '{unknown} ZZ' kennen we niet."
        )));
        let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("Regel 1, opmerking: Kolom 'opmerking' kennen we niet"));
        assert!(
            warnings[1]
                .starts_with("Regel 3, plaats: Plaats 'Amsterdam' hoort niet bij postcode 3011")
        );
        // A warning does not stop the row.
        assert_eq!(report.help_points().next().unwrap().city, "Amsterdam");
    }

    #[test]
    fn a_cell_with_line_breaks_does_not_shift_the_line_numbers() {
        let text = "naam;adres;postcode;openingstijden\n\
            A;Hoogstraat 1;3011;\"ma 10-12\nwo 10-12\nvr 10-12\"\n\
            \n\
            ;Hoogstraat 2;3011;ma 10-12\n";
        let report = parse_help_points_csv(text);
        assert_eq!(report.rows.len(), 2);
        assert_eq!(report.rows[0].0, 2);
        assert_eq!(report.help_points().next().unwrap().hours.weekly.len(), 3);
        // The blank text line is a blank spreadsheet row 3; the nameless row is 4.
        assert_eq!(report.rows[1].0, 4);
        assert_eq!(
            errors_of(&report),
            ["Regel 4, naam: Vul de naam van het hulppunt in."]
        );
    }

    #[test]
    fn duplicates_within_the_file_are_flagged() {
        let text = "naam;adres;postcode;openingstijden\n\
            Bibliotheek Centrum;Hoogstraat 110;3011 PV;ma 10-12\n\
            Bibliotheek Oost;Hoogstraat 110;3011 PV;ma 10-12\n\
            bibliotheek  centrum;Hoogstraat 110;3011PV;di 10-12\n";
        let report = parse_help_points_csv(text);
        assert_eq!(
            errors_of(&report),
            [
                "Regel 4, naam: Deze regel staat dubbel in het bestand: zelfde naam en postcode als regel 2."
            ]
        );
    }

    #[test]
    fn file_level_problems() {
        let report = parse_help_points_csv("");
        assert!(
            report.file_errors[0]
                .message
                .starts_with("Het bestand is leeg.")
        );
        let report = parse_help_points_csv("naam;adres;openingstijden\nA;B 1;ma 10-12\n");
        assert_eq!(
            errors_of(&report),
            [
                "Regel 1, postcode: De kolom 'postcode' ontbreekt in de kopregel. Verplicht zijn: naam, adres, postcode en openingstijden."
            ]
        );
        assert!(report.rows.is_empty());
        let report = parse_help_points_csv("naam;adres;postcode;openingstijden\n;;;\n");
        assert!(!report.is_ok());
        assert!(report.file_errors[0].message.contains("geen hulppunten"));
        let report = parse_help_points_csv("naam;name;adres;postcode;openingstijden\n");
        assert!(report.file_errors[0].message.contains("twee keer"));
    }

    #[test]
    fn too_many_cells_hint_at_an_unquoted_separator() {
        let text = "naam,adres,postcode,openingstijden\nA,Hoogstraat 1,3011,ma 10-12,za 10-12\n";
        let report = parse_help_points_csv(text);
        let errors = errors_of(&report);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("Regel 2: Deze regel heeft 5 vakjes, de kopregel maar 4."));
    }

    #[test]
    fn windows_1252_is_read_too() {
        let bytes = b"naam;adres;postcode;openingstijden\nCaf\xe9 \x93De Hoek\x94;Hoogstraat 1;3011;ma 10-12\n";
        let (text, fallback) = decode(bytes);
        assert!(fallback);
        let report = parse_help_points_csv(&text);
        assert_eq!(only_row(&report).name, "Café “De Hoek”");
        assert!(!decode("naam".as_bytes()).1);
    }

    #[test]
    fn topics_by_code_or_label_in_any_case() {
        assert_eq!(
            parse_topics("DIGID | belastingen en toeslagen, Geld en bankzaken").unwrap(),
            ["digid", "belastingen-toeslagen", "geld"]
        );
        assert_eq!(parse_topics("").unwrap(), Vec::<String>::new());
        assert!(parse_topics("digid, fietsen").is_err());
    }

    #[test]
    fn headers_are_matched_loosely() {
        assert_eq!(Column::from_header(" E-mail "), Some(Column::Email));
        assert_eq!(Column::from_header("Opening hours"), Some(Column::Hours));
        assert_eq!(Column::from_header("OPENINGSTIJDEN"), Some(Column::Hours));
        assert_eq!(Column::from_header("opmerking"), None);
        assert_eq!(
            duplicate_key("Bibliotheek  Centrum", "3011 pv"),
            duplicate_key("bibliotheek centrum", "3011PV")
        );
    }

    #[test]
    fn a_point_outside_the_organisations_municipalities_is_flagged() {
        let rotterdam = vec!["GM0599".to_owned()];
        let warning =
            outside_served(4, "9999 ZZ", "GM1966", "Bibliotheek Rotterdam", &rotterdam).unwrap();
        assert_eq!(
            warning.to_string(),
            "Regel 4, postcode: 9999 ZZ ligt in de gemeente Het Hogeland, maar Bibliotheek Rotterdam werkt in \
             Rotterdam. Klopt de postcode?"
        );
        assert!(
            outside_served(4, "3011 AB", "GM0599", "Bibliotheek Rotterdam", &rotterdam).is_none()
        );
        // An organisation that names no municipalities gets no warning.
        assert!(outside_served(4, "9999 ZZ", "GM1966", "Bibliotheek Rotterdam", &[]).is_none());
    }

    /// Found by the property tests: a file with only a header named line 2, which it does not have.
    #[test]
    fn a_file_with_only_a_header_is_reported_on_the_header_line() {
        for (text, line) in [
            ("naam;adres;postcode;openingstijden", 1),
            ("\n\nnaam;adres;postcode;openingstijden\n", 3),
        ] {
            let report = parse_help_points_csv(text);
            let lines: Vec<usize> = report.file_errors.iter().map(|e| e.line).collect();
            assert_eq!(lines, vec![line], "{text:?}");
        }
    }
}
