//! The HSDS 3.0 tabular data package (one CSV per table plus `datapackage.json`): writing the directory as one,
//! reading one, and checking one against the official table schemas.
//!
//! The table schemas are the official `datapackage.json` of Open Referral (CC BY-SA 4.0), embedded at compile time
//! from `shared/hsds/` beside the repository, so the export and the validator follow the same source of truth as
//! the tests. The export does not map anything itself: it flattens the nested objects that [`super::model`] builds
//! for the `/hsds` API into rows, so the API and the export cannot drift apart.

use super::model::{Dataset, taxonomy_json};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

/// The official HSDS 3.0 data package descriptor (Open Referral, CC BY-SA 4.0).
const OFFICIAL_DATAPACKAGE: &str = include_str!("../../../../../shared/hsds/datapackage.json");

/// A column of an HSDS table.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    /// `string`, `number`, `date`, `datetime` or `time`.
    pub kind: String,
    /// `uuid`, `email`, `uri` or empty.
    pub format: String,
    pub required: bool,
    pub unique: bool,
    /// Allowed values, empty when any value is allowed.
    pub allowed: Vec<String>,
    /// Part of the HSDS core: recommended even when not required.
    pub core: bool,
}

/// One table (resource) of the package.
#[derive(Debug, Clone)]
pub struct Table {
    /// Singular name (`organization`).
    pub name: String,
    /// File name (`organizations.csv`).
    pub path: String,
    pub fields: Vec<Field>,
    pub primary_key: String,
    /// (column, referenced table) pairs; the referenced column is always `id`.
    pub foreign_keys: Vec<(String, String)>,
}

impl Table {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// The tables of the official descriptor, in its order.
pub struct Schema {
    pub tables: Vec<Table>,
    descriptor: Value,
}

impl Schema {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The descriptor written next to an export: the official one, named for keten.
    pub fn descriptor(&self) -> Value {
        let mut d = self.descriptor.clone();
        if let Value::Object(map) = &mut d {
            map.insert("name".into(), Value::from("keten-hulppunten"));
            map.insert(
                "title".into(),
                Value::from("Hulppunten voor digitale inclusie (keten), HSDS 3.0"),
            );
        }
        d
    }
}

/// The official schema, read once.
pub static SCHEMA: LazyLock<Schema> = LazyLock::new(|| parse_schema(OFFICIAL_DATAPACKAGE));

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn parse_schema(json: &str) -> Schema {
    // The descriptor is compiled in and checked by the tests; an unreadable one would be a build defect.
    let descriptor: Value = serde_json::from_str(json).unwrap_or(Value::Null);
    let mut tables = Vec::new();
    for r in descriptor
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let schema = r.get("schema").cloned().unwrap_or(Value::Null);
        let fields = schema
            .get("fields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|f| {
                let c = f.get("constraints");
                let flag = |k: &str| {
                    c.and_then(|c| c.get(k))
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                };
                Field {
                    name: text(f, "name"),
                    kind: text(f, "type"),
                    format: text(f, "format"),
                    required: flag("required"),
                    unique: flag("unique"),
                    allowed: c
                        .and_then(|c| c.get("enum"))
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                    core: text(f, "core") == "Y",
                }
            })
            .collect();
        let foreign_keys = schema
            .get("foreignKeys")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|k| {
                (
                    text(k, "fields"),
                    k.get("reference")
                        .map(|r| text(r, "resource"))
                        .unwrap_or_default(),
                )
            })
            .collect();
        tables.push(Table {
            name: text(r, "name"),
            path: text(r, "path"),
            fields,
            primary_key: text(&schema, "primaryKey"),
            foreign_keys,
        });
    }
    Schema { tables, descriptor }
}

/// Rows per table (singular table name), each a column -> value map.
pub type Rows = BTreeMap<String, Vec<Map<String, Value>>>;

/// The nested member names of the API objects and the table their items belong in.
const NESTED: &[(&str, &str)] = &[
    ("services", "service"),
    ("service", "service"),
    ("organization", "organization"),
    ("locations", "location"),
    ("location", "location"),
    ("addresses", "address"),
    ("accessibility", "accessibility"),
    ("languages", "language"),
    ("schedules", "schedule"),
    ("phones", "phone"),
    ("attributes", "attribute"),
    ("taxonomy_term", "taxonomy_term"),
    ("service_at_locations", "service_at_location"),
    ("organization_identifiers", "organization_identifier"),
    ("cost_options", "cost_option"),
];

/// Adds `object` (of `table`) and everything nested in it to `rows`, once per id.
fn flatten(table: &str, object: &Value, rows: &mut Rows, seen: &mut HashSet<(String, String)>) {
    let Value::Object(map) = object else {
        return;
    };
    let mut row = Map::new();
    for (key, value) in map {
        match (NESTED.iter().find(|(k, _)| k == key), value) {
            (Some((_, child)), Value::Array(items)) => {
                for item in items {
                    flatten(child, item, rows, seen);
                }
            }
            (Some((_, child)), Value::Object(_)) => flatten(child, value, rows, seen),
            _ => {
                row.insert(key.clone(), value.clone());
            }
        }
    }
    let id = row
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if seen.insert((table.to_owned(), id)) {
        rows.entry(table.to_owned()).or_default().push(row);
    }
}

/// The whole directory as HSDS table rows, from the same objects the `/hsds` API serves.
pub fn export_rows(dataset: &Dataset) -> Rows {
    let mut rows = Rows::new();
    let mut seen = HashSet::new();
    for o in &dataset.organizations {
        flatten("organization", &dataset.org_full(o), &mut rows, &mut seen);
    }
    for s in &dataset.services {
        flatten("service", &dataset.service_full(s), &mut rows, &mut seen);
    }
    flatten("taxonomy", &taxonomy_json(), &mut rows, &mut seen);
    for t in &dataset.terms {
        flatten("taxonomy_term", &dataset.term_json(t), &mut rows, &mut seen);
    }
    rows
}

/// A value as CSV text: strings as they are, numbers in their JSON form.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Errors of reading or writing a package.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{path}: geen geldig CSV-bestand: {message}")]
    Csv { path: String, message: String },
}

fn io_error(path: &Path, e: &dyn std::fmt::Display) -> PackageError {
    PackageError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Writes `rows` as a data package into `dir` (created when missing): every table of the schema as a CSV file with
/// the schema's columns in the schema's order (tables without rows get only their header), plus `datapackage.json`.
/// Returns (file name, row count) per table.
pub fn write_package(rows: &Rows, dir: &Path) -> Result<Vec<(String, usize)>, PackageError> {
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
    let mut written = Vec::new();
    for table in &SCHEMA.tables {
        let path = dir.join(&table.path);
        let mut out = csv::Writer::from_path(&path).map_err(|e| io_error(&path, &e))?;
        out.write_record(table.fields.iter().map(|f| f.name.as_str()))
            .map_err(|e| io_error(&path, &e))?;
        let table_rows = rows.get(&table.name).map_or(&[][..], Vec::as_slice);
        for row in table_rows {
            out.write_record(table.fields.iter().map(|f| cell(row.get(&f.name))))
                .map_err(|e| io_error(&path, &e))?;
        }
        out.flush().map_err(|e| io_error(&path, &e))?;
        written.push((table.path.clone(), table_rows.len()));
    }
    let path = dir.join("datapackage.json");
    let descriptor =
        serde_json::to_string_pretty(&SCHEMA.descriptor()).map_err(|e| io_error(&path, &e))?;
    std::fs::write(&path, descriptor + "\n").map_err(|e| io_error(&path, &e))?;
    Ok(written)
}

/// One CSV file of a package as read: its header and its rows with their line numbers (the header is line 1).
#[derive(Debug, Clone, Default)]
pub struct CsvFile {
    pub path: String,
    pub header: Vec<String>,
    pub rows: Vec<(usize, HashMap<String, String>)>,
}

/// A package as read from a directory: the files of the schema's tables that exist, by table name.
#[derive(Debug, Clone, Default)]
pub struct Package {
    pub files: BTreeMap<String, CsvFile>,
    /// CSV files in the directory that no HSDS table names.
    pub unknown_files: Vec<String>,
    pub has_descriptor: bool,
}

impl Package {
    pub fn rows(&self, table: &str) -> &[(usize, HashMap<String, String>)] {
        self.files.get(table).map_or(&[][..], |f| f.rows.as_slice())
    }
}

/// Reads the package in `dir`. Cells are trimmed; empty cells are left out of the row maps.
pub fn read_package(dir: &Path) -> Result<Package, PackageError> {
    if !dir.is_dir() {
        return Err(io_error(dir, &"map bestaat niet"));
    }
    let mut package = Package {
        has_descriptor: dir.join("datapackage.json").is_file(),
        ..Package::default()
    };
    for table in &SCHEMA.tables {
        let path = dir.join(&table.path);
        if !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| io_error(&path, &e))?;
        let text = String::from_utf8_lossy(&bytes);
        let text = text.trim_start_matches('\u{feff}');
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let csv_error = |e: csv::Error| PackageError::Csv {
            path: table.path.clone(),
            message: e.to_string(),
        };
        let header: Vec<String> = reader
            .headers()
            .map_err(csv_error)?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        let mut rows = Vec::new();
        for (n, record) in reader.records().enumerate() {
            let record = record.map_err(csv_error)?;
            // The line where the record starts, counted from its byte offset (a quoted cell may span lines).
            let line = record
                .position()
                .and_then(|p| usize::try_from(p.byte()).ok())
                // With CRLF line ends the csv reader puts a record's start on the header's '\n': count it too.
                .and_then(|b| text.as_bytes().get(..=b.min(text.len().saturating_sub(1))))
                .map_or(n + 2, |before| {
                    before.iter().filter(|&&c| c == b'\n').count() + 1
                });
            let row: HashMap<String, String> = header
                .iter()
                .zip(record.iter())
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(h, v)| (h.clone(), v.trim().to_owned()))
                .collect();
            rows.push((line, row));
        }
        package.files.insert(
            table.name.clone(),
            CsvFile {
                path: table.path.clone(),
                header,
                rows,
            },
        );
    }
    let known: HashSet<&str> = SCHEMA.tables.iter().map(|t| t.path.as_str()).collect();
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, &e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".csv") && !known.contains(name.as_str()) {
            package.unknown_files.push(name);
        }
    }
    package.unknown_files.sort();
    Ok(package)
}

// ---------------------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------------------

/// One finding of the validator, in Dutch. `line` is the CSV line (header = 1); `None` for file-level findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, " regel {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", kolom {column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What the validator found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub errors: Vec<Finding>,
    pub warnings: Vec<Finding>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Tables a dataset must have: without organizations and services there is no directory.
pub const REQUIRED_TABLES: &[&str] = &["organization", "service"];

fn finding(file: &str, line: Option<usize>, column: Option<&str>, message: String) -> Finding {
    Finding {
        file: file.to_owned(),
        line,
        column: column.map(str::to_owned),
        message,
    }
}

/// Why `value` does not fit `field`, in Dutch; `None` when it fits.
pub fn check_value(field: &Field, value: &str) -> Option<String> {
    let kind_ok = match field.kind.as_str() {
        "number" => value.parse::<f64>().is_ok_and(f64::is_finite),
        "date" => value.parse::<jiff::civil::Date>().is_ok(),
        "datetime" => value.parse::<jiff::Timestamp>().is_ok(),
        "time" => is_time(value),
        _ => true,
    };
    if !kind_ok {
        let expected = match field.kind.as_str() {
            "number" => "een getal",
            "date" => "een datum als JJJJ-MM-DD",
            "datetime" => "een tijdstip als JJJJ-MM-DDTUU:MM:SSZ",
            _ => "een tijd als UU:MM of UU:MM:SS",
        };
        return Some(format!(
            "'{value}' is geen geldige waarde; verwacht {expected}"
        ));
    }
    let format_ok = match field.format.as_str() {
        "uuid" => uuid::Uuid::parse_str(value).is_ok(),
        "email" => is_email(value),
        "uri" => is_uri(value),
        _ => true,
    };
    if !format_ok {
        let expected = match field.format.as_str() {
            "uuid" => "een UUID (zoals 3f7b145d-84af-42d7-8fae-eaca714b02b2)",
            "email" => "een e-mailadres",
            _ => "een webadres (zoals https://voorbeeld.nl)",
        };
        return Some(format!(
            "'{value}' is geen geldige waarde; verwacht {expected}"
        ));
    }
    if !field.allowed.is_empty() && !field.allowed.iter().any(|a| a == value) {
        return Some(format!(
            "'{value}' is geen toegestane waarde; kies uit: {}",
            field.allowed.join(", ")
        ));
    }
    None
}

fn is_time(value: &str) -> bool {
    // HH:MM or HH:MM:SS, optionally with Z or an offset (the HSDS examples use both forms).
    let core = value
        .trim_end_matches('Z')
        .split(['+', '-'])
        .next()
        .unwrap_or_default();
    let parts: Vec<&str> = core.split(':').collect();
    let ranges = [24, 60, 61];
    (2..=3).contains(&parts.len())
        && parts.iter().zip(ranges).all(|(p, max)| {
            p.len() == 2
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|n| n < max)
        })
}

fn is_email(value: &str) -> bool {
    match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn is_uri(value: &str) -> bool {
    match value.split_once(':') {
        Some((scheme, rest)) => {
            !rest.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !value.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Checks a package against the official table schemas: required files and columns, types, formats, allowed values,
/// duplicate ids and unique columns, and references between tables (errors); recommended columns and unknown files or
/// columns (warnings).
pub fn validate(package: &Package) -> Report {
    let mut report = Report::default();
    if !package.has_descriptor {
        report.warnings.push(finding(
            "datapackage.json",
            None,
            None,
            "ontbreekt; we controleren met het officiële HSDS 3.0-schema".into(),
        ));
    }
    for name in REQUIRED_TABLES {
        if !package.files.contains_key(*name)
            && let Some(t) = SCHEMA.table(name)
        {
            report.errors.push(finding(
                &t.path,
                None,
                None,
                "dit verplichte bestand ontbreekt".into(),
            ));
        }
    }
    for file in &package.unknown_files {
        report.warnings.push(finding(
            file,
            None,
            None,
            "onbekend bestand; HSDS kent deze tabel niet en we slaan het over".into(),
        ));
    }
    // The ids of every table, for the references.
    let ids: HashMap<&str, HashSet<&str>> = package
        .files
        .iter()
        .map(|(name, f)| {
            (
                name.as_str(),
                f.rows
                    .iter()
                    .filter_map(|(_, r)| r.get("id").map(String::as_str))
                    .collect(),
            )
        })
        .collect();
    for table in &SCHEMA.tables {
        let Some(file) = package.files.get(&table.name) else {
            continue;
        };
        let path = file.path.as_str();
        for field in &table.fields {
            if file.header.contains(&field.name) {
                continue;
            }
            if field.required {
                report.errors.push(finding(
                    path,
                    None,
                    Some(&field.name),
                    "deze verplichte kolom ontbreekt".into(),
                ));
            } else if field.core {
                report.warnings.push(finding(
                    path,
                    None,
                    Some(&field.name),
                    "deze aanbevolen kolom ontbreekt".into(),
                ));
            }
        }
        let mut seen_header = HashSet::new();
        for h in &file.header {
            if !seen_header.insert(h) {
                report.errors.push(finding(
                    path,
                    Some(1),
                    Some(h),
                    "deze kolom staat er twee keer in".into(),
                ));
            } else if table.field(h).is_none() {
                report.warnings.push(finding(
                    path,
                    Some(1),
                    Some(h),
                    "onbekende kolom; HSDS kent haar niet en we slaan haar over".into(),
                ));
            }
        }
        let mut unique_seen: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
        let mut empty_core: BTreeMap<&str, usize> = BTreeMap::new();
        for (line, row) in &file.rows {
            let line = *line;
            for field in &table.fields {
                let Some(value) = row.get(&field.name) else {
                    if field.required && file.header.contains(&field.name) {
                        report.errors.push(finding(
                            path,
                            Some(line),
                            Some(&field.name),
                            "verplicht veld is leeg".into(),
                        ));
                    } else if field.core && file.header.contains(&field.name) {
                        *empty_core.entry(&field.name).or_default() += 1;
                    }
                    continue;
                };
                if let Some(message) = check_value(field, value) {
                    report
                        .errors
                        .push(finding(path, Some(line), Some(&field.name), message));
                    continue;
                }
                if field.unique || field.name == table.primary_key {
                    let seen = unique_seen.entry(&field.name).or_default();
                    if let Some(first) = seen.get(value.as_str()) {
                        report.errors.push(finding(
                            path,
                            Some(line),
                            Some(&field.name),
                            format!("'{value}' komt al voor op regel {first}; elke waarde mag maar één keer"),
                        ));
                    } else {
                        seen.insert(value, line);
                    }
                }
            }
            for (column, target) in &table.foreign_keys {
                let Some(value) = row.get(column) else {
                    continue;
                };
                let target_path = SCHEMA
                    .table(target)
                    .map_or(target.as_str(), |t| t.path.as_str());
                match ids.get(target.as_str()) {
                    None => report.errors.push(finding(
                        path,
                        Some(line),
                        Some(column),
                        format!("verwijst naar '{value}', maar {target_path} ontbreekt"),
                    )),
                    Some(known) if !known.contains(value.as_str()) => {
                        report.errors.push(finding(
                            path,
                            Some(line),
                            Some(column),
                            format!(
                                "verwijst naar '{value}', maar dat id staat niet in {target_path}"
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
        // Empty recommended cells matter for the core objects; elsewhere they are mostly alternatives (a schedule
        // belongs to a service OR a location).
        if !matches!(table.name.as_str(), "organization" | "service" | "location") {
            empty_core.clear();
        }
        for (column, count) in empty_core {
            report.warnings.push(finding(
                path,
                None,
                Some(column),
                format!("aanbevolen veld is leeg in {count} rij(en)"),
            ));
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_schema_is_read() {
        let org = SCHEMA.table("organization").expect("organization table");
        assert_eq!(org.path, "organizations.csv");
        assert!(
            org.field("id")
                .is_some_and(|f| f.required && f.format == "uuid")
        );
        let sal = SCHEMA.table("service_at_location").expect("sal table");
        assert!(
            sal.foreign_keys
                .contains(&("service_id".into(), "service".into()))
        );
        let status = SCHEMA
            .table("service")
            .and_then(|t| t.field("status"))
            .expect("status");
        assert!(status.allowed.contains(&"temporarily closed".to_owned()));
    }

    #[test]
    fn values_are_checked_by_type_format_and_enum() {
        let field = |kind: &str, format: &str| Field {
            name: "x".into(),
            kind: kind.into(),
            format: format.into(),
            required: false,
            unique: false,
            allowed: Vec::new(),
            core: false,
        };
        assert!(check_value(&field("number", ""), "51.9").is_none());
        assert!(check_value(&field("number", ""), "veel").is_some());
        assert!(check_value(&field("date", ""), "2026-02-30").is_some());
        assert!(check_value(&field("date", ""), "2026-02-28").is_none());
        assert!(check_value(&field("time", ""), "10:00").is_none());
        assert!(check_value(&field("time", ""), "10:00:00").is_none());
        assert!(check_value(&field("time", ""), "25:00").is_some());
        assert!(check_value(&field("datetime", ""), "2023-03-15T10:30:45.123Z").is_none());
        assert!(check_value(&field("string", "uuid"), "abc").is_some());
        assert!(check_value(&field("string", "email"), "a@b.nl").is_none());
        assert!(check_value(&field("string", "email"), "a.b.nl").is_some());
        assert!(check_value(&field("string", "uri"), "https://x.nl/a").is_none());
        assert!(check_value(&field("string", "uri"), "x.nl").is_some());
        let mut e = field("string", "");
        e.allowed = vec!["active".into()];
        assert!(check_value(&e, "open").is_some());
    }
}
