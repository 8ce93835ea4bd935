//! Reading an HSDS 3.0 tabular package into keten's directory: the reverse of [`super::model`]. Locations become
//! help points, services of a location's own organisation add their topics to it, services of other organisations
//! become their consultation hours there, schedules become opening hours, taxonomy terms become topics. A location
//! where another location's own "digital help" service (keten's derived id) is offered is that help point's stop.
//!
//! Every problem is reported per row (file, CSV line, column, a Dutch message); the plan is only stored when there
//! are none. Municipalities come from the address's postcode through the reference data: keten only knows the
//! Netherlands and Belgium, so locations with an address in another country are left out with a clear warning.

use super::model::{derived_id, taxonomy_id, term_id};
use super::tabular::{Finding, Package, SCHEMA, check_value};
use keten_core::directory::{Accessibility, HelpPointStatus};
use keten_core::geo::Point;
use keten_core::help_question::DEFAULT_TOPICS;
use keten_core::opening_hours::{
    Exception, ExceptionKind, MonthlySlot, OpeningHours, Region, TimeSlot, WeekOfMonth, Weekday,
    WeeklySlot,
};
use keten_core::organisation::{
    HelpPointKind, OrganisationIdentifiers, VenueKind, parse_kbo, parse_kvk,
};
use keten_core::reference::{Country, postcode_area};
use keten_store::help_points::{NewConsultationHour, NewHelpPoint};
use keten_store::hsds_import::{
    HsdsImport, ImportConsultationHour, ImportHelpPoint, ImportOrganisation, ImportStop,
    ImportTopic,
};
use std::collections::{BTreeMap, HashMap, HashSet};

type Row = HashMap<String, String>;

/// The tables keten reads; the others are reported as left out.
const USED_TABLES: &[&str] = &[
    "organization",
    "service",
    "location",
    "service_at_location",
    "address",
    "schedule",
    "taxonomy_term",
    "attribute",
    "phone",
    "language",
    "accessibility",
];

/// The plan and what was found on the way.
#[derive(Debug, Default)]
pub struct ImportPlan {
    pub plan: HsdsImport,
    pub errors: Vec<Finding>,
    pub warnings: Vec<Finding>,
}

impl ImportPlan {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

struct Reader<'a> {
    package: &'a Package,
    errors: Vec<Finding>,
    warnings: Vec<Finding>,
}

impl<'a> Reader<'a> {
    fn path(table: &str) -> String {
        SCHEMA
            .table(table)
            .map_or_else(|| table.to_owned(), |t| t.path.clone())
    }

    fn error(&mut self, table: &str, line: usize, column: &str, message: String) {
        self.errors.push(Finding {
            file: Self::path(table),
            line: Some(line),
            column: Some(column.to_owned()),
            message,
        });
    }

    fn warn(&mut self, table: &str, line: Option<usize>, message: String) {
        self.warnings.push(Finding {
            file: Self::path(table),
            line,
            column: None,
            message,
        });
    }

    /// A cell (its type, format and allowed values were checked up front by [`Reader::check_all`]).
    fn get<'r>(
        &mut self,
        _table: &str,
        _line: usize,
        row: &'r Row,
        column: &str,
    ) -> Option<&'r str> {
        row.get(column).map(String::as_str)
    }

    /// Checks every cell of the tables the import reads against the official schema.
    fn check_all(&mut self) {
        for table in USED_TABLES {
            let Some(schema) = SCHEMA.table(table) else {
                continue;
            };
            for (line, row) in self.rows(table) {
                for field in &schema.fields {
                    if let Some(value) = row.get(&field.name)
                        && let Some(message) = check_value(field, value)
                    {
                        self.error(table, *line, &field.name, message);
                    }
                }
            }
        }
    }

    /// A required cell: absent or bad is an error.
    fn need<'r>(
        &mut self,
        table: &str,
        line: usize,
        row: &'r Row,
        column: &str,
    ) -> Option<&'r str> {
        if !row.contains_key(column) {
            self.error(table, line, column, "verplicht veld is leeg".into());
            return None;
        }
        self.get(table, line, row, column)
    }

    fn rows(&self, table: &str) -> &'a [(usize, Row)] {
        self.package.rows(table)
    }
}

fn parse_weekday(code: &str) -> Option<Weekday> {
    Some(match code.trim() {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

fn parse_time(value: &str) -> Option<jiff::civil::Time> {
    let core = value.get(..5)?;
    let (h, m) = core.split_once(':')?;
    jiff::civil::Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()
}

/// The country of an address: ISO code or name; `None` when empty, `Some(Err)` for another country.
fn country_of(value: Option<&str>) -> Option<Result<Country, String>> {
    let v = value?.trim();
    let up = v.to_uppercase();
    Some(match up.as_str() {
        "NL" | "NLD" | "NEDERLAND" | "THE NETHERLANDS" | "NETHERLANDS" => Ok(Country::Nl),
        "BE" | "BEL" | "BELGIË" | "BELGIE" | "BELGIUM" | "BELGIQUE" => Ok(Country::Be),
        _ => Err(v.to_owned()),
    })
}

/// The 4 digits of a Dutch ("3011 AB") or Belgian ("9000", "B-9000") postcode.
fn postcode_digits(postcode: &str) -> Option<String> {
    let digits: String = postcode
        .trim()
        .trim_start_matches(['B', 'b'])
        .trim_start_matches('-')
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (digits.len() == 4).then_some(digits)
}

struct Place {
    country: Country,
    municipality_code: String,
    centre: Point,
}

/// Topic codes of the default list, by id of their term, code and label (lower case).
fn known_topics() -> HashMap<String, String> {
    let mut map = HashMap::new();
    for t in DEFAULT_TOPICS {
        map.insert(term_id(t.code), t.code.to_owned());
        map.insert(t.code.to_lowercase(), t.code.to_owned());
        map.insert(t.label.to_lowercase(), t.code.to_owned());
    }
    map
}

/// A topic code for a foreign term: lower case, letters and digits with dashes.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Reads the package into a plan. `now` (unix seconds) stands in for missing modification times.
#[allow(clippy::too_many_lines)]
pub fn plan_import(package: &Package, now: i64) -> ImportPlan {
    let mut r = Reader {
        package,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    for table in super::tabular::REQUIRED_TABLES {
        if !package.files.contains_key(*table) {
            r.errors.push(Finding {
                file: Reader::path(table),
                line: None,
                column: None,
                message: "dit verplichte bestand ontbreekt".into(),
            });
        }
    }
    r.check_all();
    let mut plan = HsdsImport::default();

    // Organizations.
    let mut orgs: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (line, row) in r.rows("organization") {
        let id = r.need("organization", *line, row, "id");
        let name = r.need("organization", *line, row, "name");
        if let (Some(id), Some(name)) = (id, name) {
            if orgs.contains_key(id) {
                r.error(
                    "organization",
                    *line,
                    "id",
                    format!("id '{id}' komt twee keer voor"),
                );
            }
            orgs.insert(id.to_owned(), (*line, name.to_owned()));
        }
    }

    // Taxonomy terms -> topics.
    let known = known_topics();
    let own_taxonomy = taxonomy_id();
    let mut term_topic: HashMap<String, String> = HashMap::new();
    let mut new_topics: BTreeMap<String, String> = BTreeMap::new();
    for (line, row) in r.rows("taxonomy_term") {
        let Some(id) = r.need("taxonomy_term", *line, row, "id") else {
            continue;
        };
        let Some(name) = r.need("taxonomy_term", *line, row, "name") else {
            continue;
        };
        let code = row.get("code").map(String::as_str);
        let found = known
            .get(id)
            .or_else(|| code.and_then(|c| known.get(&c.to_lowercase())))
            .or_else(|| known.get(&name.to_lowercase()))
            .cloned();
        let topic = match found {
            Some(t) => t,
            None => {
                // Keten's own extra topics keep their code; foreign terms get one from their code or name.
                let ours = row.get("taxonomy_id").is_some_and(|t| *t == own_taxonomy);
                let code = match code {
                    Some(c) if ours => c.to_owned(),
                    Some(c) => slug(c),
                    None => slug(name),
                };
                if code.is_empty() {
                    r.error(
                        "taxonomy_term",
                        *line,
                        "name",
                        "naam geeft geen bruikbare code".into(),
                    );
                    continue;
                }
                new_topics
                    .entry(code.clone())
                    .or_insert_with(|| name.to_owned());
                code
            }
        };
        term_topic.insert(id.to_owned(), topic);
    }

    // Attributes: topics per linked object (service or service_at_location id).
    let mut topics_of: HashMap<String, Vec<String>> = HashMap::new();
    for (line, row) in r.rows("attribute") {
        let (Some(link), Some(term)) = (
            r.need("attribute", *line, row, "link_id"),
            r.need("attribute", *line, row, "taxonomy_term_id"),
        ) else {
            continue;
        };
        match term_topic.get(term) {
            Some(topic) => {
                topics_of.entry(link.to_owned()).or_default().push(topic.clone());
            }
            None => r.warn(
                "attribute",
                Some(*line),
                format!("taxonomy_term_id '{term}' staat niet in taxonomy_terms.csv; dit kenmerk slaan we over"),
            ),
        }
    }

    // Schedules per owner (location, service or service_at_location id), in file order.
    let mut schedules_of: HashMap<String, Vec<(usize, &Row)>> = HashMap::new();
    for (line, row) in r.rows("schedule") {
        if r.need("schedule", *line, row, "id").is_none() {
            continue;
        }
        for owner in ["location_id", "service_id", "service_at_location_id"] {
            if let Some(id) = r.get("schedule", *line, row, owner) {
                schedules_of
                    .entry(id.to_owned())
                    .or_default()
                    .push((*line, row));
            }
        }
    }

    // Addresses, phones, languages and accessibility per location.
    let mut address_of: HashMap<String, (usize, &Row)> = HashMap::new();
    for (line, row) in r.rows("address") {
        if let Some(loc) = r.get("address", *line, row, "location_id") {
            let physical = row.get("address_type").is_none_or(|t| t == "physical");
            match address_of.get(loc) {
                Some((_, old))
                    if !physical || old.get("address_type").is_none_or(|t| t == "physical") => {}
                _ => {
                    address_of.insert(loc.to_owned(), (*line, row));
                }
            }
        }
    }
    let mut phone_of: HashMap<String, String> = HashMap::new();
    for (line, row) in r.rows("phone") {
        if let (Some(loc), Some(number)) = (
            r.get("phone", *line, row, "location_id"),
            r.need("phone", *line, row, "number"),
        ) {
            phone_of
                .entry(loc.to_owned())
                .or_insert_with(|| number.trim_matches('"').to_owned());
        }
    }
    let mut languages_of: HashMap<String, Vec<String>> = HashMap::new();
    for (line, row) in r.rows("language") {
        let owner = r
            .get("language", *line, row, "location_id")
            .or_else(|| row.get("service_id").map(String::as_str));
        if let (Some(owner), Some(code)) = (owner, row.get("code")) {
            let code = code.to_lowercase();
            let list = languages_of.entry(owner.to_owned()).or_default();
            if !list.contains(&code) {
                list.push(code);
            }
        }
    }
    let mut access_of: HashMap<String, Accessibility> = HashMap::new();
    for (line, row) in r.rows("accessibility") {
        let Some(loc) = r.get("accessibility", *line, row, "location_id") else {
            continue;
        };
        let text = format!(
            "{} {}",
            row.get("details").map_or("", String::as_str),
            row.get("description").map_or("", String::as_str)
        )
        .to_lowercase();
        let a = access_of.entry(loc.to_owned()).or_default();
        let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
        a.step_free |= has(&[
            "step_free",
            "trappen",
            "wheelchair",
            "rolstoel",
            "step-free",
        ]);
        a.accessible_toilet |= has(&["accessible_toilet", "toilet"]);
        a.hearing_loop |= has(&[
            "hearing_loop",
            "ringleiding",
            "induction loop",
            "hearing aid",
        ]);
        a.quiet_room |= has(&["quiet_room", "stille ruimte", "quiet room"]);
    }

    // keten's own device lending and data offers (known by their cost option's derived id) are not directory data:
    // the device bank and the offers are kept in keten itself, so an import leaves them out.
    let access_services: HashSet<String> = r
        .rows("cost_option")
        .iter()
        .filter_map(|(_, row)| {
            let service = row.get("service_id")?;
            (row.get("id")? == &derived_id(&["cost_option", service])).then(|| service.clone())
        })
        .collect();
    // Services and where they are offered.
    let mut services: HashMap<String, (usize, &Row)> = HashMap::new();
    for (line, row) in r.rows("service") {
        let Some(id) = r.need("service", *line, row, "id") else {
            continue;
        };
        if access_services.contains(id) {
            continue;
        }
        r.need("service", *line, row, "name");
        r.need("service", *line, row, "status");
        r.get("service", *line, row, "last_modified");
        if let Some(org) = r.need("service", *line, row, "organization_id")
            && !orgs.contains_key(org)
        {
            r.error(
                "service",
                *line,
                "organization_id",
                format!("organisatie '{org}' staat niet in organizations.csv"),
            );
        }
        services.insert(id.to_owned(), (*line, row));
    }
    // (service_at_location id, service id) per location, in file order.
    let mut at_location: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let mut locations_of_service: HashMap<String, usize> = HashMap::new();
    for (line, row) in r.rows("service_at_location") {
        let (Some(id), Some(service), Some(location)) = (
            r.need("service_at_location", *line, row, "id"),
            r.need("service_at_location", *line, row, "service_id"),
            r.need("service_at_location", *line, row, "location_id"),
        ) else {
            continue;
        };
        if access_services.contains(service) {
            continue;
        }
        if !services.contains_key(service) {
            r.error(
                "service_at_location",
                *line,
                "service_id",
                format!("dienst '{service}' staat niet in services.csv"),
            );
            continue;
        }
        at_location
            .entry(location.to_owned())
            .or_default()
            .push((id.to_owned(), service.to_owned()));
        *locations_of_service.entry(service.to_owned()).or_default() += 1;
    }

    // Keten's "digital help" service of each location: offered at another location, it makes that one a stop.
    let own_service_home: HashMap<String, String> = r
        .rows("location")
        .iter()
        .filter_map(|(_, row)| row.get("id"))
        .map(|id| {
            (
                derived_id(&["service", "help_point", id.as_str()]),
                id.clone(),
            )
        })
        .collect();

    // Locations -> help points and stops.
    let mut abroad: BTreeMap<String, usize> = BTreeMap::new();
    let mut placed_services: HashSet<String> = HashSet::new();
    let mut org_place: HashMap<String, String> = HashMap::new();
    for (line, row) in r.rows("location") {
        let line = *line;
        let Some(id) = r.need("location", line, row, "id") else {
            continue;
        };
        let Some(kind) = r.need("location", line, row, "location_type") else {
            continue;
        };
        if kind == "virtual" {
            r.warn(
                "location",
                Some(line),
                "een online locatie (virtual) is geen hulppunt; deze slaan we over".into(),
            );
            continue;
        }
        let here = at_location.get(id).cloned().unwrap_or_default();
        // The location's operator: its organization, else the organization of its first service.
        let stated = row.get("organization_id").filter(|o| orgs.contains_key(*o));
        let operator = stated.cloned().or_else(|| {
            here.iter().find_map(|(_, s)| {
                services
                    .get(s)
                    .and_then(|(_, row)| row.get("organization_id"))
                    .cloned()
            })
        });
        let Some(operator) = operator else {
            r.error(
                "location",
                line,
                "organization_id",
                "deze locatie hoort bij geen organisatie (geen organization_id en geen dienst)"
                    .into(),
            );
            continue;
        };
        let Some((address_line, address)) = address_of.get(id).copied() else {
            r.error(
                "location",
                line,
                "id",
                "deze locatie heeft geen adres in addresses.csv; keten heeft een postcode nodig"
                    .into(),
            );
            continue;
        };
        let country = country_of(address.get("country").map(String::as_str));
        if let Some(Err(other)) = &country {
            *abroad.entry(other.clone()).or_default() += 1;
            for (_, s) in &here {
                placed_services.insert(s.clone());
            }
            continue;
        }
        if let Some(o) = row.get("organization_id")
            && stated.is_none()
        {
            r.warn(
                "location",
                Some(line),
                format!("organization_id '{o}' staat niet in organizations.csv; we nemen de organisatie van de eerste dienst hier"),
            );
        }
        let Some(postcode) = r.need("address", address_line, address, "postal_code") else {
            continue;
        };
        let place = postcode_digits(postcode).and_then(|digits| {
            let countries = match country {
                Some(Ok(c)) => vec![c],
                _ => vec![Country::Nl, Country::Be],
            };
            countries.into_iter().find_map(|c| {
                postcode_area(c, &digits).map(|a| Place {
                    country: c,
                    municipality_code: a.municipality_code.clone(),
                    centre: a.centre,
                })
            })
        });
        let Some(place) = place else {
            r.error(
                "address",
                address_line,
                "postal_code",
                format!("postcode '{postcode}' kennen we niet in Nederland of België; we kunnen de gemeente niet bepalen"),
            );
            continue;
        };
        let street = address.get("address_1").cloned().unwrap_or_default();
        if street.is_empty() {
            r.error(
                "address",
                address_line,
                "address_1",
                "verplicht veld is leeg".into(),
            );
        }
        let city = address.get("city").cloned().unwrap_or_default();
        let lat = r
            .get("location", line, row, "latitude")
            .and_then(|v| v.parse::<f64>().ok());
        let lon = r
            .get("location", line, row, "longitude")
            .and_then(|v| v.parse::<f64>().ok());
        let location = match (lat, lon) {
            (Some(lat), Some(lon))
                if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
            {
                Point { lat, lon }
            }
            (Some(_), Some(_)) => {
                r.error(
                    "location",
                    line,
                    "latitude",
                    "breedtegraad moet tussen -90 en 90 liggen en lengtegraad tussen -180 en 180"
                        .into(),
                );
                continue;
            }
            _ => place.centre,
        };
        let home = here.iter().find_map(|(sal, service)| {
            own_service_home
                .get(service)
                .filter(|home| home.as_str() != id)
                .map(|home| (sal.clone(), home.clone()))
        });
        if let Some((sal_id, help_point_id)) = home {
            // A stop: its own place and hours (on the service_at_location), the help point's service.
            for (_, s) in &here {
                placed_services.insert(s.clone());
            }
            let rows: Vec<(usize, &Row)> = [&sal_id, &id.to_owned()]
                .into_iter()
                .flat_map(|k| schedules_of.get(k.as_str()).cloned().unwrap_or_default())
                .collect();
            let hours = hours_from(&mut r, &rows, Region::from(place.country));
            plan.stops.push(ImportStop {
                id: id.to_owned(),
                help_point_id,
                place_name: row.get("name").cloned().unwrap_or_else(|| street.clone()),
                street_address: street,
                postcode: postcode.to_owned(),
                location,
                hours,
            });
            continue;
        }
        let name = row
            .get("name")
            .cloned()
            .or_else(|| orgs.get(&operator).map(|(_, n)| n.clone()))
            .unwrap_or_default();
        let (kind, venue_kind, preparation) =
            parse_location_description(&name, row.get("description").map_or("", String::as_str));
        let region = Region::from(place.country);

        // The operator's own services here give the help point its topics, status and (if it has none) its hours.
        let own_service_id = derived_id(&["service", "help_point", id]);
        let mut topics: Vec<String> = Vec::new();
        let mut status = HelpPointStatus::Open;
        let mut status_reason = None;
        let mut email = None;
        let mut updated_at = None;
        let mut service_hours: Option<OpeningHours> = None;
        let mut consultation: Vec<ImportConsultationHour> = Vec::new();
        for (sal_id, service_id) in &here {
            let Some(&(_, service)) = services.get(service_id) else {
                continue;
            };
            placed_services.insert(service_id.clone());
            let service_org = service.get("organization_id").cloned().unwrap_or_default();
            let mut service_topics: Vec<String> = Vec::new();
            for link in [service_id, sal_id] {
                service_topics.extend(topics_of.get(link).into_iter().flatten().cloned());
            }
            let modified = service
                .get("last_modified")
                .and_then(|v| v.parse::<jiff::Timestamp>().ok())
                .map(jiff::Timestamp::as_second);
            if service_org == operator {
                topics.extend(service_topics);
                // Keten's own "digital help" service decides; otherwise the operator's first service here.
                if *service_id == own_service_id || updated_at.is_none() {
                    status = match service.get("status").map(String::as_str) {
                        Some("temporarily closed") => HelpPointStatus::TemporarilyClosed,
                        Some("inactive" | "defunct") => HelpPointStatus::Closed,
                        _ => HelpPointStatus::Open,
                    };
                    status_reason = service.get("alert").cloned();
                    email = service.get("email").cloned();
                    updated_at = Some(modified.unwrap_or(now));
                }
                if service_hours.is_none() {
                    let rows: Vec<(usize, &Row)> = [service_id, sal_id]
                        .into_iter()
                        .flat_map(|k| schedules_of.get(k).cloned().unwrap_or_default())
                        .collect();
                    if !rows.is_empty() {
                        service_hours = Some(hours_from(&mut r, &rows, region));
                    }
                }
                continue;
            }
            if !orgs.contains_key(&service_org) {
                continue; // reported with the service
            }
            let rows: Vec<(usize, &Row)> = [service_id, sal_id]
                .into_iter()
                .flat_map(|k| schedules_of.get(k).cloned().unwrap_or_default())
                .collect();
            let hours = hours_from(&mut r, &rows, region);
            let appointment = service
                .get("application_process")
                .map(|p| p.to_lowercase())
                .is_some_and(|p| {
                    p.contains("afspraak") && !p.contains("zonder afspraak")
                        || p.contains("appointment")
                });
            let ch_id = if locations_of_service.get(service_id).copied().unwrap_or(0) <= 1 {
                service_id.clone()
            } else {
                derived_id(&["consultation_hour", service_id, id])
            };
            org_place
                .entry(service_org.clone())
                .or_insert_with(|| place.municipality_code.clone());
            consultation.push(ImportConsultationHour {
                id: ch_id,
                new: NewConsultationHour {
                    help_point_id: id.to_owned(),
                    organisation_id: service_org,
                    title: service.get("name").cloned().unwrap_or_default(),
                    topics: dedup(service_topics),
                    hours,
                    appointment_needed: appointment,
                },
                updated_at: modified.unwrap_or(now),
            });
        }
        let own_rows = schedules_of.get(id).cloned().unwrap_or_default();
        let hours = if own_rows.is_empty() {
            service_hours.unwrap_or_else(|| OpeningHours {
                region,
                ..OpeningHours::default()
            })
        } else {
            hours_from(&mut r, &own_rows, region)
        };
        org_place
            .entry(operator.clone())
            .or_insert_with(|| place.municipality_code.clone());
        plan.help_points.push(ImportHelpPoint {
            id: id.to_owned(),
            new: NewHelpPoint {
                organisation_id: operator,
                name,
                kind,
                venue_kind,
                street_address: street,
                postcode: postcode.to_owned(),
                city,
                municipality_code: place.municipality_code,
                location,
                hours,
                preparation,
                phone: phone_of.get(id).cloned(),
                email,
                website: row.get("url").cloned(),
                languages: languages_of.get(id).cloned().unwrap_or_default(),
                accessibility: access_of.get(id).copied().unwrap_or_default(),
                topics: dedup(topics),
                municipalities_served: Vec::new(),
            },
            status,
            status_reason,
            updated_at: updated_at.unwrap_or(now),
        });
        plan.consultation_hours.extend(consultation);
    }
    // A stop needs its help point in the import (or a row error left it out).
    let planned: HashSet<&str> = plan.help_points.iter().map(|h| h.id.as_str()).collect();
    let (kept, orphans): (Vec<ImportStop>, Vec<ImportStop>) = std::mem::take(&mut plan.stops)
        .into_iter()
        .partition(|s| planned.contains(s.help_point_id.as_str()));
    for stop in orphans {
        let line = r
            .rows("location")
            .iter()
            .find(|(_, row)| row.get("id") == Some(&stop.id))
            .map(|(line, _)| *line);
        r.warn(
            "location",
            line,
            format!(
                "halte '{}' hoort bij locatie '{}', die niet wordt ingelezen; deze halte slaan we over",
                stop.place_name, stop.help_point_id
            ),
        );
    }
    plan.stops = kept;
    for (country, count) in &abroad {
        r.warn(
            "address",
            None,
            format!(
                "{count} locatie(s) liggen buiten Nederland en België (land '{country}'); keten kent alleen gemeenten \
                 in Nederland en België, dus deze locaties en hun diensten slaan we over"
            ),
        );
    }
    for (id, (line, service)) in &services {
        if !placed_services.contains(id) {
            let name = service.get("name").map_or("", String::as_str);
            r.warn(
                "service",
                Some(*line),
                format!("dienst '{name}' wordt op geen locatie aangeboden; keten kent alleen diensten op een hulppunt, dus deze slaan we over"),
            );
        }
    }
    // KvK and KBO numbers (org-id.guide schemes NL-KVK and BE-BCE_KBO) match organisations keten already has;
    // other schemes are not kept.
    let mut numbers: HashMap<String, OrganisationIdentifiers> = HashMap::new();
    for (line, row) in r.rows("organization_identifier") {
        let (Some(org), Some(scheme), Some(value)) = (
            row.get("organization_id"),
            row.get("identifier_scheme"),
            row.get("identifier"),
        ) else {
            continue;
        };
        if !orgs.contains_key(org) {
            r.error(
                "organization_identifier",
                *line,
                "organization_id",
                format!("organisatie '{org}' staat niet in organizations.csv"),
            );
            continue;
        }
        let entry = numbers.entry(org.clone()).or_default();
        let parsed = match scheme.trim().to_uppercase().as_str() {
            "NL-KVK" => parse_kvk(value).map(|n| entry.kvk_number = n),
            "BE-BCE_KBO" => parse_kbo(value).map(|n| entry.kbo_number = n),
            other => {
                r.warn(
                    "organization_identifier",
                    Some(*line),
                    format!("schema '{other}' bewaart keten niet; alleen NL-KVK en BE-BCE_KBO"),
                );
                Ok(())
            }
        };
        if let Err(e) = parsed {
            r.error("organization_identifier", *line, "identifier", e.message);
        }
    }
    for (id, (line, name)) in &orgs {
        match org_place.get(id) {
            Some(code) => plan.organisations.push(ImportOrganisation {
                id: id.clone(),
                name: name.clone(),
                municipality_code: code.clone(),
                identifiers: numbers.remove(id).unwrap_or_default(),
            }),
            None => r.warn(
                "organization",
                Some(*line),
                format!("organisatie '{name}' heeft geen hulppunt of spreekuur in Nederland of België; deze slaan we over"),
            ),
        }
    }
    // New topics only when an imported help point or consultation hour uses them.
    let used: HashSet<&String> = plan
        .help_points
        .iter()
        .flat_map(|h| &h.new.topics)
        .chain(plan.consultation_hours.iter().flat_map(|c| &c.new.topics))
        .collect();
    plan.topics = new_topics
        .into_iter()
        .filter(|(code, _)| used.contains(code))
        .map(|(code, label)| ImportTopic { code, label })
        .collect();
    for table in [
        "program",
        "contact",
        "funding",
        "service_area",
        "required_document",
        "cost_option",
        "metadata",
        "meta_table_description",
    ] {
        let n = r
            .rows(table)
            .iter()
            .filter(|(_, row)| {
                table != "cost_option"
                    || !row
                        .get("service_id")
                        .is_some_and(|s| access_services.contains(s))
            })
            .count();
        if n > 0 {
            r.warn(
                table,
                None,
                format!("{n} rij(en); keten bewaart deze gegevens niet en slaat ze over"),
            );
        }
    }
    r.warnings
        .sort_by(|a, b| a.file.cmp(&b.file).then(a.line.cmp(&b.line)));
    ImportPlan {
        plan,
        errors: r.errors,
        warnings: r.warnings,
    }
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// Kind, venue kind and preparation from keten's own location description ("Naam (soort, plek). Voorbereiding");
/// other descriptions give "other" and no preparation.
fn parse_location_description(name: &str, description: &str) -> (HelpPointKind, VenueKind, String) {
    let fallback = (HelpPointKind::Other, VenueKind::Other, String::new());
    let Some(rest) = description
        .strip_prefix(name)
        .and_then(|r| r.strip_prefix(" ("))
    else {
        return fallback;
    };
    let Some((labels, after)) = rest.split_once(").") else {
        return fallback;
    };
    let Some((kind, venue)) = labels.split_once(", ") else {
        return fallback;
    };
    let kind = HelpPointKind::ALL.iter().find(|k| k.label() == kind);
    let venue = VenueKind::ALL.iter().find(|v| v.label() == venue);
    match (kind, venue) {
        (Some(k), Some(v)) => (*k, *v, after.trim().to_owned()),
        _ => fallback,
    }
}

/// Opening hours from HSDS schedules: weekly rows become slots, rows limited by `valid_from`/`valid_to` become
/// dated exceptions (closed without times; with times "extra open", or "other hours" when the notes say they replace
/// the usual ones).
fn hours_from(r: &mut Reader<'_>, rows: &[(usize, &Row)], region: Region) -> OpeningHours {
    let mut hours = OpeningHours {
        region,
        closed_on_public_holidays: false,
        ..OpeningHours::default()
    };
    let mut exceptions: Vec<Exception> = Vec::new();
    for &(line, row) in rows {
        let notes = row.get("notes").map_or("", String::as_str);
        if notes.contains("Gesloten op nationale feestdagen") {
            hours.closed_on_public_holidays = true;
        }
        let from = r
            .get("schedule", line, row, "valid_from")
            .and_then(|v| v.parse::<jiff::civil::Date>().ok());
        let to = r
            .get("schedule", line, row, "valid_to")
            .and_then(|v| v.parse::<jiff::civil::Date>().ok());
        let opens = r.get("schedule", line, row, "opens_at");
        let closes = r.get("schedule", line, row, "closes_at");
        let slot = match (opens, closes) {
            (Some(o), Some(c)) => match (parse_time(o), parse_time(c)) {
                (Some(o), Some(c)) => match TimeSlot::new(o, c) {
                    Ok(s) => Some(s),
                    Err(_) => {
                        r.error(
                            "schedule",
                            line,
                            "closes_at",
                            "sluitingstijd moet na de openingstijd liggen".into(),
                        );
                        continue;
                    }
                },
                _ => {
                    r.error(
                        "schedule",
                        line,
                        "opens_at",
                        "tijd niet te lezen; gebruik UU:MM".into(),
                    );
                    continue;
                }
            },
            (None, None) => None,
            _ => {
                r.error(
                    "schedule",
                    line,
                    "closes_at",
                    "geef zowel opens_at als closes_at, of geen van beide".into(),
                );
                continue;
            }
        };
        let description = row.get("description").map_or("", String::as_str);
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                r.error(
                    "schedule",
                    line,
                    "valid_to",
                    "einddatum ligt voor de begindatum".into(),
                );
                continue;
            }
            let kind = match slot {
                None => ExceptionKind::Closed,
                Some(_) if notes.starts_with("Vervangt") => ExceptionKind::OpenOnly,
                Some(_) => ExceptionKind::Extra,
            };
            // Keten writes "Label: reason (van ...)"; other descriptions are the reason as a whole.
            let head = description.split(" (van ").next().unwrap_or_default();
            let reason = head
                .strip_prefix(kind.label())
                .map(|rest| rest.trim_start_matches(':').trim().to_owned())
                .unwrap_or_else(|| head.trim().to_owned());
            if let Some(e) = exceptions
                .iter_mut()
                .find(|e| e.from == from && e.to == to && e.kind == kind && e.reason == reason)
            {
                e.slots.extend(slot);
            } else {
                exceptions.push(Exception {
                    from,
                    to,
                    kind,
                    slots: slot.into_iter().collect(),
                    reason,
                });
            }
            continue;
        }
        let Some(slot) = slot else {
            continue;
        };
        let monthly = match row.get("freq").map(String::as_str) {
            None | Some("WEEKLY") => false,
            Some("MONTHLY") => true,
            Some(_) => {
                r.warn("schedule", Some(line), "alleen wekelijkse en maandelijkse schema's (freq WEEKLY of MONTHLY) worden overgenomen; deze rij slaan we over".into());
                continue;
            }
        };
        let days = row.get("byday").map_or("", String::as_str);
        if days.is_empty() {
            if monthly {
                r.warn("schedule", Some(line), "alleen maandelijkse schema's op een weekdag (byday, zoals 1TU of -1FR) worden overgenomen; deze rij slaan we over".into());
            } else {
                r.error(
                    "schedule",
                    line,
                    "byday",
                    "geef de dagen (zoals MO,TU) bij een wekelijks schema".into(),
                );
            }
            continue;
        }
        for code in days.split(',').map(str::trim) {
            if !monthly {
                match parse_weekday(code) {
                    Some(weekday) => hours.weekly.push(WeeklySlot { weekday, slot }),
                    None => r.error(
                        "schedule",
                        line,
                        "byday",
                        format!("'{code}' is geen dag; gebruik MO, TU, WE, TH, FR, SA of SU"),
                    ),
                }
                continue;
            }
            // "1TU": the first Tuesday; "-1FR": the last Friday; "TU" alone: every Tuesday (iCalendar).
            let split = code
                .find(|c: char| c.is_ascii_alphabetic())
                .unwrap_or(code.len());
            let (number, day) = code.split_at(split);
            let Some(weekday) = parse_weekday(day) else {
                r.error(
                    "schedule",
                    line,
                    "byday",
                    format!("'{code}' is geen dag van de maand; gebruik bijvoorbeeld 1TU (eerste dinsdag) of -1FR (laatste vrijdag)"),
                );
                continue;
            };
            if number.is_empty() {
                hours.weekly.push(WeeklySlot { weekday, slot });
                continue;
            }
            match number.parse::<i8>().ok().map(WeekOfMonth::from_number) {
                Some(Some(week)) => hours.monthly.push(MonthlySlot { week, weekday, slot }),
                Some(None) => r.warn(
                    "schedule",
                    Some(line),
                    format!("'{code}': keten kent alleen de eerste tot en met vierde en de laatste weekdag van de maand (1 tot en met 4 en -1); deze dag slaan we over"),
                ),
                None => r.error(
                    "schedule",
                    line,
                    "byday",
                    format!("'{code}' is geen dag van de maand; gebruik bijvoorbeeld 1TU (eerste dinsdag) of -1FR (laatste vrijdag)"),
                ),
            }
        }
    }
    hours.weekly.sort_by_key(|w| (w.weekday, w.slot));
    hours.weekly.dedup();
    hours.monthly.sort_unstable();
    hours.monthly.dedup();
    hours.exceptions = exceptions;
    hours
}

/// Property tests: whatever cells a package holds, the import reports per row and never panics; a generated valid
/// package, written and read back as CSV files, imports.
#[cfg(test)]
mod properties {
    use super::super::tabular::{Rows, read_package, write_package};
    use super::*;
    use keten_core::reference::postcode_areas;
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    /// The tables the import reads and what a cell may hold: ids that refer to each other, the values the import
    /// looks for, and anything at all.
    const TABLES: &[&str] = &[
        "organization",
        "service",
        "location",
        "service_at_location",
        "address",
        "schedule",
        "taxonomy_term",
        "attribute",
        "phone",
        "language",
        "accessibility",
        "organization_identifier",
    ];

    fn id(n: u8) -> String {
        derived_id(&["property", &n.to_string()])
    }

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            (0..4u8).prop_map(id),
            prop::sample::select(vec![
                "physical",
                "virtual",
                "active",
                "temporarily closed",
                "WEEKLY",
                "MONTHLY",
                "MO",
                "1TU,-1FR",
                "5MO",
                "x1",
                "10:00",
                "09:30:00Z",
                "25:00",
                "12",
                "3011",
                "9000",
                "B-9000",
                "NL",
                "BE",
                "DE",
                "2026-02-30",
                "2026-03-01",
                "2026-01-01T10:00:00Z",
                "52.1",
                "5.1",
                "999",
                "NL-KVK",
                "BE-BCE_KBO",
                "69352318",
                "digid",
                "é",
                "\"",
            ])
            .prop_map(str::to_owned),
            any::<String>(),
        ]
    }

    fn table_rows(table: &'static str) -> impl Strategy<Value = Vec<Map<String, Value>>> {
        let columns: Vec<String> = SCHEMA
            .table(table)
            .map(|t| t.fields.iter().map(|f| f.name.clone()).collect())
            .unwrap_or_default();
        let row = prop::collection::vec((prop::sample::select(columns), cell()), 0..8).prop_map(
            |cells| {
                cells
                    .into_iter()
                    .map(|(column, value)| (column, Value::String(value)))
                    .collect::<Map<String, Value>>()
            },
        );
        prop::collection::vec(row, 0..4)
    }

    fn rows() -> impl Strategy<Value = Rows> {
        let tables: Vec<_> = TABLES
            .iter()
            .map(|t| table_rows(t).prop_map(move |rows| ((*t).to_owned(), rows)))
            .collect();
        tables.prop_map(|tables| tables.into_iter().collect())
    }

    /// Writes `rows` as a package, reads it back and plans the import.
    fn round_trip(rows: &Rows) -> Result<(Package, ImportPlan), TestCaseError> {
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        write_package(rows, dir.path()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let package = read_package(dir.path()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let plan = plan_import(&package, 1_772_442_000);
        Ok((package, plan))
    }

    /// Every finding names a file of the package and, when it names a line, a line where a row of that file starts.
    fn assert_findings_point_at_rows(
        package: &Package,
        findings: &[Finding],
    ) -> Result<(), TestCaseError> {
        for f in findings {
            let table = SCHEMA.tables.iter().find(|t| t.path == f.file);
            prop_assert!(table.is_some(), "{f}");
            if let (Some(line), Some(table)) = (f.line, table) {
                let lines: Vec<usize> = package.rows(&table.name).iter().map(|r| r.0).collect();
                prop_assert!(lines.contains(&line), "{f}: rows on {lines:?}");
            }
            prop_assert!(!f.message.is_empty());
        }
        Ok(())
    }

    /// A package that keten itself could have written: per location an organisation, its service there with a
    /// weekly schedule, and an address on a reference postcode.
    fn valid() -> impl Strategy<Value = (Rows, Vec<(String, Vec<WeeklySlot>)>)> {
        let areas = postcode_areas();
        let slot = (0..7usize, 0..22i8, 1..=2i8).prop_map(|(day, hour, length)| WeeklySlot {
            weekday: Weekday::ALL[day],
            slot: TimeSlot {
                start: jiff::civil::Time::constant(hour, 0, 0, 0),
                end: jiff::civil::Time::constant(hour + length, 0, 0, 0),
            },
        });
        prop::collection::vec((0..areas.len(), prop::collection::vec(slot, 0..4)), 1..4).prop_map(
            move |locations| {
                let mut rows = Rows::new();
                let mut expected = Vec::new();
                let mut push = |table: &str, cells: &[(&str, String)]| {
                    rows.entry(table.to_owned()).or_default().push(
                        cells
                            .iter()
                            .map(|(k, v)| ((*k).to_owned(), Value::String(v.clone())))
                            .collect(),
                    );
                };
                for (i, (area, slots)) in locations.into_iter().enumerate() {
                    let area = &areas[area];
                    let n = i.to_string();
                    let key = |kind: &str| derived_id(&["valid", kind, &n]);
                    let (org, location, service) = (key("org"), key("location"), key("service"));
                    push(
                        "organization",
                        &[("id", org.clone()), ("name", format!("Organisatie {i}"))],
                    );
                    push(
                        "location",
                        &[
                            ("id", location.clone()),
                            ("location_type", "physical".into()),
                            ("organization_id", org.clone()),
                            ("name", format!("Hulppunt {i}")),
                        ],
                    );
                    let country = match area.country {
                        Country::Nl => "NL",
                        Country::Be => "BE",
                    };
                    push(
                        "address",
                        &[
                            ("id", key("address")),
                            ("location_id", location.clone()),
                            ("address_1", format!("Hoogstraat {}", i + 1)),
                            ("city", area.place.clone()),
                            ("postal_code", area.postcode.clone()),
                            ("country", country.into()),
                            ("address_type", "physical".into()),
                        ],
                    );
                    push(
                        "service",
                        &[
                            ("id", service.clone()),
                            ("organization_id", org),
                            ("name", "Digitale hulp".into()),
                            ("status", "active".into()),
                        ],
                    );
                    push(
                        "service_at_location",
                        &[
                            ("id", key("sal")),
                            ("service_id", service),
                            ("location_id", location.clone()),
                        ],
                    );
                    for (j, w) in slots.iter().enumerate() {
                        let code = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][w.weekday.index()];
                        push(
                            "schedule",
                            &[
                                ("id", derived_id(&["valid", "schedule", &n, &j.to_string()])),
                                ("location_id", location.clone()),
                                ("freq", "WEEKLY".into()),
                                ("byday", code.into()),
                                ("opens_at", w.slot.start.strftime("%H:%M").to_string()),
                                ("closes_at", w.slot.end.strftime("%H:%M").to_string()),
                            ],
                        );
                    }
                    let mut slots = slots;
                    slots.sort_by_key(|w| (w.weekday, w.slot));
                    slots.dedup();
                    expected.push((location, slots));
                }
                (rows, expected)
            },
        )
    }

    /// 64 cases (each writes a package to a temporary folder); `PROPTEST_CASES` for a longer hunt.
    fn config() -> ProptestConfig {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(64);
        ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::with_cases(cases)
        }
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_cells_give_per_row_findings(rows in rows()) {
            let (package, plan) = round_trip(&rows)?;
            assert_findings_point_at_rows(&package, &plan.errors)?;
            assert_findings_point_at_rows(&package, &plan.warnings)?;
        }

        #[test]
        fn any_csv_text_is_read_or_refused(
            text in prop_oneof![any::<String>(), "[a-z_,\"\n\r ]{0,40}"],
            table in prop::sample::select(TABLES.to_vec()),
        ) {
            let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
            let path = SCHEMA.table(table).map(|t| t.path.clone()).unwrap_or_default();
            std::fs::write(dir.path().join(path), &text).map_err(|e| TestCaseError::fail(e.to_string()))?;
            if let Ok(package) = read_package(dir.path()) {
                let plan = plan_import(&package, 0);
                assert_findings_point_at_rows(&package, &plan.errors)?;
                assert_findings_point_at_rows(&package, &plan.warnings)?;
            }
        }

        #[test]
        fn a_generated_valid_package_imports((rows, expected) in valid()) {
            let (_, plan) = round_trip(&rows)?;
            prop_assert!(plan.is_ok(), "{:?}", plan.errors);
            prop_assert_eq!(plan.plan.help_points.len(), expected.len());
            for (id, slots) in expected {
                let point = plan.plan.help_points.iter().find(|h| h.id == id);
                prop_assert!(point.is_some(), "{}", id);
                if let Some(point) = point {
                    prop_assert_eq!(&point.new.hours.weekly, &slots);
                }
            }
        }
    }
}
