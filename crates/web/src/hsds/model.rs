//! The directory as HSDS 3.0 objects: help points become locations with a "digital help" service of their
//! operator, consultation hours become services of the partner at that location, topics become one taxonomy.
//!
//! Each stop of a mobile or pop-up help point is a location of its own (its address and point) where the help point's
//! service is offered: one more service_at_location, with the stop's hours as its schedules.
//!
//! The device bank's lending (issue 19) is a service of the bank at each of its help points, its deposit a cost
//! option; each running data offer is a service of the offering organisation with its monthly price as a cost option,
//! at its help point or, without one, a service of the organisation alone (no service_at_location).
//!
//! Ids are stable: keten's own UUIDs where an object is a keten row (help point -> location, stop -> location,
//! consultation hour -> service, organisation -> organization) and UUID v5 names under [`NAMESPACE`] for derived
//! objects.

use keten_core::directory::{HelpPointStatus, language_name};
use keten_core::geo::Point;
use keten_core::help_question::DEFAULT_TOPICS;
use keten_core::opening_hours::{ExceptionKind, OpeningHours, TimeSlot, WeekOfMonth, Weekday};
use keten_core::organisation::OrganisationIdentifiers;
use keten_core::programme::EuroCents;
use keten_core::reference::{Country, Municipality, municipality, postcode_area};
use keten_store::data_offers::{DataOffer, DevicePoint};
use keten_store::help_point_details::Stop;
use keten_store::help_points::{ConsultationHour, Directory, HelpPoint};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// Namespace of keten's derived HSDS ids (a fixed random UUID: never change it, ids would change).
const NAMESPACE: Uuid = Uuid::from_u128(0x6b1f_3c2e_9d4a_4e57_8a0b_52c7_e1d9_f3a4);

/// The one taxonomy: keten's topics (onderwerpen).
pub const TAXONOMY_NAME: &str = "keten-onderwerpen";

/// A stable UUID for a derived object, from its kind and the keys it is derived from.
/// An organisation's KvK and KBO numbers as HSDS organization identifiers, with the schemes of org-id.guide
/// (`NL-KVK`, `BE-BCE_KBO`).
fn organization_identifiers(o: &Org) -> Vec<Value> {
    [
        ("NL-KVK", "KvK-nummer", &o.identifiers.kvk_number),
        (
            "BE-BCE_KBO",
            "Ondernemingsnummer (KBO)",
            &o.identifiers.kbo_number,
        ),
    ]
    .into_iter()
    .filter_map(|(scheme, kind, number)| {
        number.as_ref().map(|n| {
            json!({
                "id": derived_id(&["organization_identifier", &o.id, scheme]),
                "organization_id": o.id,
                "identifier_scheme": scheme,
                "identifier_type": kind,
                "identifier": n,
            })
        })
    })
    .collect()
}

pub fn derived_id(parts: &[&str]) -> String {
    Uuid::new_v5(&NAMESPACE, parts.join("\u{1f}").as_bytes()).to_string()
}

pub fn taxonomy_id() -> String {
    derived_id(&["taxonomy", TAXONOMY_NAME])
}

/// The one taxonomy as HSDS.
pub fn taxonomy_json() -> Value {
    json!({
        "id": taxonomy_id(),
        "name": TAXONOMY_NAME,
        "description": "Onderwerpen van hulpvragen in de keten voor digitale inclusie (waar de hulp over gaat).",
        "version": "1",
    })
}

pub fn term_id(code: &str) -> String {
    derived_id(&["taxonomy_term", TAXONOMY_NAME, code])
}

/// An HSDS timestamp (RFC 3339, UTC) from unix seconds.
pub fn rfc3339(unix: i64) -> Option<String> {
    jiff::Timestamp::from_second(unix)
        .ok()
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// A taxonomy term (one topic).
#[derive(Debug, Clone)]
pub struct Term {
    pub id: String,
    pub code: String,
    pub name: String,
    pub parent_id: Option<String>,
}

/// An organization that appears in the public directory.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub updated_at: i64,
    pub help_points: usize,
    pub consultation_hours: usize,
    /// KvK and KBO numbers, published as `organization_identifiers`.
    pub identifiers: OrganisationIdentifiers,
    /// Device lending and data offers.
    pub access_services: usize,
}

/// The device bank's help points and the running data offers, published beside the directory.
#[derive(Debug, Clone, Default)]
pub struct Access {
    pub device_points: Vec<DevicePoint>,
    pub offers: Vec<DataOffer>,
}

/// The topic of device lending and data offers in keten's taxonomy.
const ACCESS_TOPIC: &str = "apparaten";

/// Where a service comes from.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// The digital help a help point offers.
    HelpPoint,
    /// A partner's consultation hour (index into `Directory::consultation_hours`).
    Consultation(usize),
    /// Device lending at a help point of the bank (index into `Access::device_points`).
    DeviceLending(usize),
    /// A data offer (index into `Access::offers`).
    DataOffer(usize),
}

/// A service at its help point (`sal_id`) and, for a mobile help point's own service, at each of its stops.
#[derive(Debug, Clone)]
pub struct Service {
    pub id: String,
    /// The service_at_location at the help point itself.
    pub sal_id: String,
    /// Indices into `Directory::stops`: further places the service is offered at, by place name.
    pub stops: Vec<usize>,
    pub organization_id: String,
    pub name: String,
    pub source: Source,
    /// Index of the help point (the location); `None`: an organisation's data offer without a place.
    pub help_point: Option<usize>,
    pub topics: Vec<String>,
    pub updated_at: i64,
}

/// One service at one place: at its help point (`stop: None`) or at a stop of a mobile help point.
#[derive(Debug, Clone, Copy)]
pub struct SalRef<'a> {
    pub service: &'a Service,
    /// Index of the service's help point.
    pub help_point: usize,
    /// Index into `Directory::stops`.
    pub stop: Option<usize>,
}

/// The directory seen as HSDS, in stable orders (name, then id).
pub struct Dataset {
    pub directory: Directory,
    pub access: Access,
    pub organizations: Vec<Org>,
    pub services: Vec<Service>,
    pub terms: Vec<Term>,
    org_index: HashMap<String, usize>,
}

impl Dataset {
    pub fn build(
        directory: Directory,
        identifiers: &HashMap<String, OrganisationIdentifiers>,
        access: Access,
    ) -> Self {
        let hp_index: HashMap<&str, usize> = directory
            .help_points
            .iter()
            .enumerate()
            .map(|(i, h)| (h.id.as_str(), i))
            .collect();

        let mut stops_at: Vec<Vec<usize>> = vec![Vec::new(); directory.help_points.len()];
        for (si, stop) in directory.stops.iter().enumerate() {
            if let Some(&h) = hp_index.get(stop.help_point_id.as_str()) {
                stops_at[h].push(si);
            }
        }
        let mut services = Vec::new();
        for (i, hp) in directory.help_points.iter().enumerate() {
            let id = derived_id(&["service", "help_point", &hp.id]);
            services.push(Service {
                sal_id: derived_id(&["service_at_location", &id, &hp.id]),
                stops: std::mem::take(&mut stops_at[i]),
                id,
                organization_id: hp.organisation_id.clone(),
                name: format!("Digitale hulp bij {}", hp.name),
                source: Source::HelpPoint,
                help_point: Some(i),
                topics: hp.topics.clone(),
                updated_at: hp.updated_at,
            });
        }
        for (i, ch) in directory.consultation_hours.iter().enumerate() {
            let Some(&h) = hp_index.get(ch.help_point_id.as_str()) else {
                continue;
            };
            services.push(Service {
                sal_id: derived_id(&["service_at_location", &ch.id, &ch.help_point_id]),
                stops: Vec::new(),
                id: ch.id.clone(),
                organization_id: ch.organisation_id.clone(),
                name: ch.title.clone(),
                source: Source::Consultation(i),
                help_point: Some(h),
                topics: ch.topics.clone(),
                updated_at: ch.updated_at.max(directory.help_points[h].updated_at),
            });
        }
        for (i, p) in access.device_points.iter().enumerate() {
            let Some(&h) = hp_index.get(p.help_point_id.as_str()) else {
                continue;
            };
            let id = derived_id(&["service", "device_lending", &p.help_point_id]);
            services.push(Service {
                sal_id: derived_id(&["service_at_location", &id, &p.help_point_id]),
                stops: Vec::new(),
                id,
                organization_id: p.organisation_id.clone(),
                name: format!("Laptop, tablet of telefoon lenen bij {}", p.help_point_name),
                source: Source::DeviceLending(i),
                help_point: Some(h),
                topics: vec![ACCESS_TOPIC.to_owned()],
                updated_at: directory.help_points[h].updated_at,
            });
        }
        for (i, o) in access.offers.iter().enumerate() {
            let at = o
                .help_point_id
                .as_deref()
                .and_then(|id| hp_index.get(id).copied());
            let id = derived_id(&["service", "data_offer", &o.id]);
            services.push(Service {
                sal_id: derived_id(&[
                    "service_at_location",
                    &id,
                    o.help_point_id.as_deref().unwrap_or_default(),
                ]),
                stops: Vec::new(),
                id,
                organization_id: o.organisation_id.clone(),
                name: format!("{}: {}", o.kind().label(), o.provider),
                source: Source::DataOffer(i),
                help_point: at,
                topics: vec![ACCESS_TOPIC.to_owned()],
                updated_at: o.updated_at,
            });
        }
        services.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));

        let mut orgs: BTreeMap<String, Org> = BTreeMap::new();
        #[derive(Clone, Copy)]
        enum Kind {
            HelpPoint,
            Consultation,
            Access,
        }
        let mut touch = |id: &str, name: &str, updated_at: i64, kind: Kind| {
            let org = orgs.entry(id.to_owned()).or_insert_with(|| Org {
                id: id.to_owned(),
                name: name.to_owned(),
                updated_at,
                help_points: 0,
                consultation_hours: 0,
                identifiers: identifiers.get(id).cloned().unwrap_or_default(),
                access_services: 0,
            });
            org.updated_at = org.updated_at.max(updated_at);
            match kind {
                Kind::HelpPoint => org.help_points += 1,
                Kind::Consultation => org.consultation_hours += 1,
                Kind::Access => org.access_services += 1,
            }
        };
        for hp in &directory.help_points {
            touch(
                &hp.organisation_id,
                &hp.organisation_name,
                hp.updated_at,
                Kind::HelpPoint,
            );
        }
        for ch in &directory.consultation_hours {
            touch(
                &ch.organisation_id,
                &ch.organisation_name,
                ch.updated_at,
                Kind::Consultation,
            );
        }
        for s in services
            .iter()
            .filter(|s| matches!(s.source, Source::DeviceLending(_) | Source::DataOffer(_)))
        {
            let name = match s.source {
                Source::DeviceLending(i) => &access.device_points[i].organisation_name,
                Source::DataOffer(i) => &access.offers[i].organisation_name,
                _ => continue,
            };
            touch(&s.organization_id, name, s.updated_at, Kind::Access);
        }
        let mut organizations: Vec<Org> = orgs.into_values().collect();
        organizations.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        let org_index = organizations
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.clone(), i))
            .collect();

        let mut terms: Vec<Term> = DEFAULT_TOPICS
            .iter()
            .map(|t| Term {
                id: term_id(t.code),
                code: t.code.to_owned(),
                name: t.label.to_owned(),
                parent_id: t.parent.map(term_id),
            })
            .collect();
        // Topics added to the directory beyond the default list still get a term, so no link dangles.
        let known: HashSet<String> = terms.iter().map(|t| t.code.clone()).collect();
        let mut extra: Vec<&String> = services
            .iter()
            .flat_map(|s| &s.topics)
            .filter(|c| !known.contains(*c))
            .collect();
        extra.sort();
        extra.dedup();
        terms.extend(extra.into_iter().map(|code| Term {
            id: term_id(code),
            code: code.clone(),
            name: code.clone(),
            parent_id: None,
        }));

        Dataset {
            directory,
            access,
            organizations,
            services,
            terms,
            org_index,
        }
    }

    /// The help point a service is offered at; `None` for an organisation's data offer without a place.
    pub fn help_point(&self, s: &Service) -> Option<&HelpPoint> {
        s.help_point.map(|i| &self.directory.help_points[i])
    }

    /// The help point of a service at a place.
    pub fn sal_help_point(&self, r: SalRef<'_>) -> &HelpPoint {
        &self.directory.help_points[r.help_point]
    }

    pub fn stop(&self, i: usize) -> &Stop {
        &self.directory.stops[i]
    }

    /// Where a service is offered: at its help point, then at each stop (nowhere without a help point).
    pub fn sals_of<'a>(&'a self, s: &'a Service) -> impl Iterator<Item = SalRef<'a>> + 'a {
        s.help_point.into_iter().flat_map(move |help_point| {
            std::iter::once(None)
                .chain(s.stops.iter().copied().map(Some))
                .map(move |stop| SalRef {
                    service: s,
                    help_point,
                    stop,
                })
        })
    }

    /// Every service_at_location, in the services' order.
    pub fn sals(&self) -> impl Iterator<Item = SalRef<'_>> {
        self.services.iter().flat_map(|s| self.sals_of(s))
    }

    pub fn sal_id(&self, r: SalRef<'_>) -> String {
        match r.stop {
            None => r.service.sal_id.clone(),
            Some(i) => derived_id(&["service_at_location", &r.service.id, &self.stop(i).id]),
        }
    }

    /// The point of the place: the stop's own, not the help point's.
    pub fn sal_point(&self, r: SalRef<'_>) -> Point {
        match r.stop {
            None => self.sal_help_point(r).location,
            Some(i) => self.stop(i).location,
        }
    }

    pub fn consultation(&self, s: &Service) -> Option<&ConsultationHour> {
        match s.source {
            Source::Consultation(i) => Some(&self.directory.consultation_hours[i]),
            Source::HelpPoint | Source::DeviceLending(_) | Source::DataOffer(_) => None,
        }
    }

    pub fn org(&self, id: &str) -> Option<&Org> {
        self.org_index.get(id).map(|&i| &self.organizations[i])
    }

    pub fn term(&self, code: &str) -> Option<&Term> {
        self.terms.iter().find(|t| t.code == code)
    }

    /// The codes of a term and all terms below it.
    pub fn term_and_descendants(&self, term_id: &str) -> HashSet<String> {
        let mut ids: HashSet<&str> = HashSet::from([term_id]);
        loop {
            let before = ids.len();
            for t in &self.terms {
                if t.parent_id.as_deref().is_some_and(|p| ids.contains(p)) {
                    ids.insert(&t.id);
                }
            }
            if ids.len() == before {
                break;
            }
        }
        self.terms
            .iter()
            .filter(|t| ids.contains(t.id.as_str()))
            .map(|t| t.code.clone())
            .collect()
    }

    // -----------------------------------------------------------------------------------------------------------
    // JSON
    // -----------------------------------------------------------------------------------------------------------

    pub fn term_json(&self, t: &Term) -> Value {
        prune(json!({
            "id": t.id,
            "code": t.code,
            "name": t.name,
            "description": t.name,
            "parent_id": t.parent_id,
            "taxonomy": TAXONOMY_NAME,
            "taxonomy_id": taxonomy_id(),
            "language": "nl",
        }))
    }

    pub fn org_brief(&self, o: &Org) -> Value {
        json!({
            "id": o.id,
            "name": o.name,
            "description": org_description(o),
        })
    }

    /// [`Dataset::org_full`] with every service fully nested (`full_service=true`).
    pub fn org_with_full_services(&self, o: &Org) -> Value {
        let mut v = self.org_full(o);
        let services: Vec<Value> = self
            .services
            .iter()
            .filter(|s| s.organization_id == o.id)
            .map(|s| self.service_full(s))
            .collect();
        insert(&mut v, "services", Value::Array(services));
        v
    }

    /// The organization with its services (list-level) and the locations of the help points it runs.
    pub fn org_full(&self, o: &Org) -> Value {
        let mut v = self.org_brief(o);
        let services: Vec<Value> = self
            .services
            .iter()
            .filter(|s| s.organization_id == o.id)
            .map(|s| self.service_fields(s))
            .collect();
        let locations: Vec<Value> = self
            .directory
            .help_points
            .iter()
            .filter(|h| h.organisation_id == o.id)
            .map(|h| self.location_full(h))
            .chain(self.directory.stops.iter().filter_map(|stop| {
                self.directory
                    .help_points
                    .iter()
                    .find(|h| h.id == stop.help_point_id && h.organisation_id == o.id)
                    .map(|h| self.stop_location_full(h, stop))
            }))
            .collect();
        insert(&mut v, "services", Value::Array(services));
        insert(&mut v, "locations", Value::Array(locations));
        insert(
            &mut v,
            "organization_identifiers",
            Value::Array(organization_identifiers(o)),
        );
        v
    }

    /// The service's one-to-one fields.
    fn service_fields(&self, s: &Service) -> Value {
        match s.source {
            Source::DeviceLending(i) => {
                return self.lending_fields(s, &self.access.device_points[i]);
            }
            Source::DataOffer(i) => return self.offer_fields(s, &self.access.offers[i]),
            Source::HelpPoint | Source::Consultation(_) => {}
        }
        let Some(hp) = self.help_point(s) else {
            return json!({"id": s.id, "name": s.name, "status": "active"});
        };
        let (description, url, email, application_process) = match self.consultation(s) {
            Some(ch) => (
                format!(
                    "Spreekuur van {} bij {} ({}, {}).",
                    ch.organisation_name, hp.name, hp.street_address, hp.city
                ),
                None,
                None,
                if ch.appointment_needed {
                    "Alleen op afspraak."
                } else {
                    "Binnenlopen zonder afspraak."
                },
            ),
            None => (
                format!(
                    "Hulp bij digitale zaken en de digitale overheid bij {} in {}.{}",
                    hp.name,
                    hp.city,
                    if hp.preparation.is_empty() {
                        String::new()
                    } else {
                        format!(" {}", hp.preparation)
                    }
                ),
                hp.website.clone(),
                hp.email.clone(),
                "Binnenlopen tijdens de openingstijden.",
            ),
        };
        prune(json!({
            "id": s.id,
            "organization_id": s.organization_id,
            "name": s.name,
            "description": description,
            "url": url,
            "email": email,
            "status": service_status(hp.status),
            "application_process": application_process,
            "fees_description": "Gratis.",
            "alert": hp.status_reason,
            "last_modified": rfc3339(s.updated_at),
        }))
    }

    /// Device lending at a help point of the bank: through the chain only, with the bank's deposit and loan length.
    fn lending_fields(&self, s: &Service, p: &DevicePoint) -> Value {
        let status = self
            .help_point(s)
            .map_or("active", |hp| service_status(hp.status));
        let deposit = if p.loan_deposit_cents > 0 {
            format!(
                "U betaalt {} borg; die krijgt u terug als u het apparaat terugbrengt.",
                EuroCents(p.loan_deposit_cents).display()
            )
        } else {
            "U betaalt geen borg.".to_owned()
        };
        prune(json!({
            "id": s.id,
            "organization_id": s.organization_id,
            "name": s.name,
            "description": format!(
                "De digibank van {} leent laptops, tablets en telefoons uit aan inwoners die er geen hebben, \
                 met uitleg bij het eerste gebruik. U leent het apparaat {} maanden.",
                p.organisation_name, p.loan_months
            ),
            "status": status,
            "application_process": "Niet zelf aan te vragen: een hulppunt of uw hulpverlener vraagt het apparaat \
                voor u aan met een warme doorverwijzing. U haalt het hier op.",
            "fees_description": format!("Lenen is gratis. {deposit}"),
            "eligibility_description": "Inwoners van de gemeente zonder goed werkend apparaat.",
            "last_modified": rfc3339(s.updated_at),
        }))
    }

    /// A data offer: what it is, for whom, how to get it; its price per month is the cost option.
    fn offer_fields(&self, s: &Service, o: &DataOffer) -> Value {
        prune(json!({
            "id": s.id,
            "organization_id": s.organization_id,
            "name": s.name,
            "description": format!(
                "{}: {}.",
                o.kind().label(),
                keten_core::data_offer::summary_nl(o.gb(), o.month_count(), o.price_cents)
            ),
            "status": "active",
            "application_process": o.how_to_get,
            "fees_description": if o.price_cents == 0 {
                "Gratis.".to_owned()
            } else {
                format!("{} per maand.", EuroCents(o.price_cents).display())
            },
            "eligibility_description": o.conditions,
            "last_modified": rfc3339(s.updated_at),
        }))
    }

    /// The cost options of device lending (the deposit) and of a data offer (the price per month); none else.
    fn cost_options(&self, s: &Service) -> Value {
        let option = |option: &str,
                      cents: i64,
                      description: String,
                      from: Option<&str>,
                      to: Option<&str>| {
            prune(json!({
                "id": derived_id(&["cost_option", &s.id]),
                "service_id": s.id,
                "option": option,
                "currency": "EUR",
                "amount": cents_as_amount(cents),
                "amount_description": description,
                "valid_from": from,
                "valid_to": to,
            }))
        };
        match s.source {
            Source::DeviceLending(i) => {
                let p = &self.access.device_points[i];
                json!([option(
                    "Borg",
                    p.loan_deposit_cents,
                    format!(
                        "Borg voor een lening van {} maanden, terug bij het terugbrengen; 0 is geen borg.",
                        p.loan_months
                    ),
                    None,
                    None,
                )])
            }
            Source::DataOffer(i) => {
                let o = &self.access.offers[i];
                json!([option(
                    "Prijs per maand",
                    o.price_cents,
                    keten_core::data_offer::summary_nl(o.gb(), o.month_count(), o.price_cents),
                    Some(o.active_from.as_str()),
                    o.active_until.as_deref(),
                )])
            }
            Source::HelpPoint | Source::Consultation(_) => json!([]),
        }
    }

    /// The hours a service keeps: its consultation hour's, else its help point's (none without a help point).
    fn hours(&self, s: &Service) -> Option<&keten_core::opening_hours::OpeningHours> {
        match self.consultation(s) {
            Some(ch) => Some(&ch.hours),
            None => self.help_point(s).map(|hp| &hp.hours),
        }
    }

    /// A service as `/services` lists it: one-to-one fields and its organization.
    pub fn service_brief(&self, s: &Service) -> Value {
        let mut v = self.service_fields(s);
        if let Some(o) = self.org(&s.organization_id) {
            insert(&mut v, "organization", self.org_brief(o));
        }
        v
    }

    /// The fully nested service.
    pub fn service_full(&self, s: &Service) -> Value {
        let mut v = self.service_brief(s);
        insert(
            &mut v,
            "schedules",
            Value::Array(
                self.hours(s)
                    .map(|hours| schedules(hours, &s.id, "service_id"))
                    .unwrap_or_default(),
            ),
        );
        let sals: Vec<Value> = self.sals_of(s).map(|r| self.sal_nested(r)).collect();
        insert(&mut v, "service_at_locations", Value::Array(sals));
        insert(
            &mut v,
            "languages",
            self.help_point(s)
                .map_or_else(|| json!([]), |hp| self.languages(hp, Some(&s.id))),
        );
        insert(&mut v, "cost_options", self.cost_options(s));
        insert(&mut v, "attributes", self.attributes(&s.id, &s.topics));
        insert(&mut v, "phones", json!([]));
        v
    }

    /// A service_at_location inside a nested service (no service object: it is the parent). At a stop it carries
    /// the stop's hours, which are not the service's own.
    fn sal_nested(&self, r: SalRef<'_>) -> Value {
        let hp = self.sal_help_point(r);
        let mut v = self.sal_fields(r);
        match r.stop {
            None => insert(&mut v, "location", self.location_full(hp)),
            Some(i) => {
                let stop = self.stop(i);
                let id = self.sal_id(r);
                insert(
                    &mut v,
                    "schedules",
                    Value::Array(schedules(&stop.hours, &id, "service_at_location_id")),
                );
                insert(&mut v, "location", self.stop_location_full(hp, stop));
            }
        }
        v
    }

    fn sal_fields(&self, r: SalRef<'_>) -> Value {
        let s = r.service;
        let hp = self.sal_help_point(r);
        let (location_id, description) = match r.stop.map(|i| self.stop(i)) {
            None => (hp.id.clone(), format!("{} bij {}", s.name, hp.name)),
            Some(stop) => (
                stop.id.clone(),
                format!("{} bij {}, halte {}", s.name, hp.name, stop.place_name),
            ),
        };
        json!({
            "id": self.sal_id(r),
            "service_id": s.id,
            "location_id": location_id,
            "description": description,
        })
    }

    /// A service_at_location as `/service_at_locations` lists it: with its location and service (one-to-one fields).
    pub fn sal_brief(&self, r: SalRef<'_>) -> Value {
        let hp = self.sal_help_point(r);
        let mut v = self.sal_fields(r);
        let location = match r.stop {
            None => self.location_fields(hp),
            Some(i) => self.stop_location_fields(hp, self.stop(i)),
        };
        insert(&mut v, "location", location);
        insert(&mut v, "service", self.service_brief(r.service));
        v
    }

    /// The fully nested service_at_location.
    pub fn sal_full(&self, r: SalRef<'_>) -> Value {
        let s = r.service;
        let hp = self.sal_help_point(r);
        let id = self.sal_id(r);
        let mut v = self.sal_fields(r);
        let (hours, location) = match r.stop.map(|i| self.stop(i)) {
            None => (self.hours(s).unwrap_or(&hp.hours), self.location_full(hp)),
            Some(stop) => (&stop.hours, self.stop_location_full(hp, stop)),
        };
        insert(
            &mut v,
            "schedules",
            Value::Array(schedules(hours, &id, "service_at_location_id")),
        );
        insert(&mut v, "location", location);
        insert(&mut v, "service", self.service_brief(s));
        insert(&mut v, "attributes", self.attributes(&id, &[]));
        v
    }

    /// A stop as a location of its own: its place name, point and address; it belongs to the help point's
    /// organization and its description names the help point.
    fn stop_location_fields(&self, hp: &HelpPoint, stop: &Stop) -> Value {
        json!({
            "id": stop.id,
            "location_type": "physical",
            "organization_id": hp.organisation_id,
            "name": stop.place_name,
            "description": format!("Halte van {}: {}.", hp.name, stop.place_name),
            "latitude": stop.location.lat,
            "longitude": stop.location.lon,
        })
    }

    fn stop_location_full(&self, hp: &HelpPoint, stop: &Stop) -> Value {
        let mut v = self.stop_location_fields(hp, stop);
        let (city, m) = stop_place(hp, stop);
        insert(
            &mut v,
            "addresses",
            json!([address_json(
                &derived_id(&["address", &stop.id]),
                &stop.id,
                &stop.street_address,
                &city,
                &stop.postcode,
                m,
            )]),
        );
        v
    }

    fn location_fields(&self, hp: &HelpPoint) -> Value {
        prune(json!({
            "id": hp.id,
            "location_type": "physical",
            "url": hp.website,
            "organization_id": hp.organisation_id,
            "name": hp.name,
            "description": location_description(hp),
            "latitude": hp.location.lat,
            "longitude": hp.location.lon,
        }))
    }

    fn location_full(&self, hp: &HelpPoint) -> Value {
        let mut v = self.location_fields(hp);
        let address = address_json(
            &derived_id(&["address", &hp.id]),
            &hp.id,
            &hp.street_address,
            &hp.city,
            &hp.postcode,
            municipality(&hp.municipality_code),
        );
        insert(&mut v, "addresses", json!([address]));
        let mut accessibility = Vec::new();
        let a = hp.accessibility;
        for (on, key, label) in [
            (a.step_free, "step_free", "Zonder trappen bereikbaar"),
            (
                a.accessible_toilet,
                "accessible_toilet",
                "Toilet voor rolstoelgebruikers",
            ),
            (
                a.hearing_loop,
                "hearing_loop",
                "Ringleiding voor hoortoestellen",
            ),
            (a.quiet_room, "quiet_room", "Stille ruimte"),
        ] {
            if on {
                accessibility.push(json!({
                    "id": derived_id(&["accessibility", &hp.id, key]),
                    "location_id": hp.id,
                    "description": label,
                    "details": key,
                }));
            }
        }
        insert(&mut v, "accessibility", Value::Array(accessibility));
        insert(&mut v, "languages", self.languages(hp, None));
        insert(
            &mut v,
            "schedules",
            Value::Array(schedules(&hp.hours, &hp.id, "location_id")),
        );
        if let Some(phone) = &hp.phone {
            insert(
                &mut v,
                "phones",
                json!([{
                    "id": derived_id(&["phone", &hp.id]),
                    "location_id": hp.id,
                    "number": phone,
                    "type": "voice",
                }]),
            );
        }
        v
    }

    /// Languages spoken at a help point, for its location or (with `service_id`) for a service there.
    fn languages(&self, hp: &HelpPoint, service_id: Option<&str>) -> Value {
        Value::Array(
            hp.languages
                .iter()
                .map(|code| {
                    let owner = service_id.unwrap_or(&hp.id);
                    let mut v = json!({
                        "id": derived_id(&["language", owner, code]),
                        "name": language_name(code),
                        "code": code,
                    });
                    match service_id {
                        Some(id) => insert(&mut v, "service_id", json!(id)),
                        None => insert(&mut v, "location_id", json!(hp.id)),
                    }
                    v
                })
                .collect(),
        )
    }

    /// Topic attributes of a service: one per topic, with the taxonomy term.
    fn attributes(&self, link_id: &str, topics: &[String]) -> Value {
        Value::Array(
            topics
                .iter()
                .filter_map(|code| self.term(code))
                .map(|t| {
                    json!({
                        "id": derived_id(&["attribute", link_id, &t.code]),
                        "link_id": link_id,
                        "taxonomy_term_id": t.id,
                        "link_type": "topic",
                        "link_entity": "service",
                        "value": t.code,
                        "taxonomy_term": self.term_json(t),
                    })
                })
                .collect(),
        )
    }
}

/// Euro cents as an HSDS amount (a JSON number of euros, exact for whole cents).
fn cents_as_amount(cents: i64) -> Value {
    if cents % 100 == 0 {
        json!(cents / 100)
    } else {
        serde_json::Number::from_f64(cents as f64 / 100.0).map_or(Value::Null, Value::Number)
    }
}

/// An HSDS address in a municipality of the reference data.
fn address_json(
    id: &str,
    location_id: &str,
    street: &str,
    city: &str,
    postcode: &str,
    m: Option<&Municipality>,
) -> Value {
    let country = m.map_or("NL", |m| m.country.as_str());
    let province = m.map_or("", |m| m.province.as_str());
    prune(json!({
        "id": id,
        "location_id": location_id,
        "address_1": street,
        "city": city,
        "region": m.map(|m| m.name.clone()),
        // Brussels municipalities belong to no province.
        "state_province": if province.is_empty() && country == "BE" { "Brussels Hoofdstedelijk Gewest" } else { province },
        "postal_code": postcode,
        "country": country,
        "address_type": "physical",
    }))
}

/// A stop's place (woonplaats) and municipality from its postcode, in the help point's country; the help point's
/// when the postcode is not in the reference data.
fn stop_place(hp: &HelpPoint, stop: &Stop) -> (String, Option<&'static Municipality>) {
    let home = municipality(&hp.municipality_code);
    let country = home.map_or(Country::Nl, |m| m.country);
    let digits: String = stop
        .postcode
        .chars()
        .filter(char::is_ascii_digit)
        .take(4)
        .collect();
    match postcode_area(country, &digits) {
        Some(area) => (
            area.place.clone(),
            municipality(&area.municipality_code).or(home),
        ),
        None => (hp.city.clone(), home),
    }
}

fn org_description(o: &Org) -> String {
    match (o.help_points, o.consultation_hours) {
        (0, 0) => format!(
            "{} biedt apparaten of internet aan inwoners aan ({} aanbod).",
            o.name, o.access_services
        ),
        (h, 0) => format!("{} heeft {h} hulppunt(en) voor digitale hulp.", o.name),
        (0, c) => format!("{} houdt {c} spreekuur/spreekuren bij hulppunten.", o.name),
        (h, c) => format!(
            "{} heeft {h} hulppunt(en) en houdt {c} spreekuur/spreekuren bij hulppunten.",
            o.name
        ),
    }
}

fn location_description(hp: &HelpPoint) -> String {
    let mut d = format!(
        "{} ({}, {}).",
        hp.name,
        hp.kind.label(),
        hp.venue_kind.label()
    );
    if !hp.preparation.is_empty() {
        d.push(' ');
        d.push_str(&hp.preparation);
    }
    d
}

/// HSDS service status of a help point's status.
pub fn service_status(status: HelpPointStatus) -> &'static str {
    match status {
        HelpPointStatus::Open => "active",
        HelpPointStatus::TemporarilyClosed => "temporarily closed",
        HelpPointStatus::Closed => "inactive",
    }
}

const fn byday(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn hhmm(t: jiff::civil::Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// HSDS schedules of opening hours, owned by `owner_id` under `owner_field` (`service_id`, `location_id`, ...).
///
/// Weekly slots with the same times become one WEEKLY schedule with several days (`byday`). Times are local wall
/// clock times in the region's zone (Europe/Amsterdam or Europe/Brussels, CET/CEST): a fixed UTC offset would be
/// wrong for half the year, so `opens_at` / `closes_at` carry no offset and `notes` name the zone. Dated exceptions
/// become schedules limited by `valid_from` / `valid_to`: "closed" ones without times, others with their slots.
pub fn schedules(hours: &OpeningHours, owner_id: &str, owner_field: &str) -> Vec<Value> {
    let zone = hours.region.iana_zone();
    let holidays = if hours.closed_on_public_holidays {
        " Gesloten op nationale feestdagen."
    } else {
        ""
    };
    let mut out = Vec::new();
    let mut by_time: BTreeMap<TimeSlot, Vec<Weekday>> = BTreeMap::new();
    for w in &hours.weekly {
        by_time.entry(w.slot).or_default().push(w.weekday);
    }
    for (slot, mut days) in by_time {
        days.sort();
        days.dedup();
        let days: Vec<&str> = days.into_iter().map(byday).collect();
        let (open, close) = (hhmm(slot.start), hhmm(slot.end));
        let mut v = json!({
            "id": derived_id(&["schedule", owner_id, "weekly", &open, &close]),
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": days.join(","),
            "opens_at": open,
            "closes_at": close,
            "description": format!("Elke week {} van {open} tot {close}.", days.join(", ")),
            "notes": format!("Lokale tijd ({zone}).{holidays}"),
        });
        insert(&mut v, owner_field, json!(owner_id));
        out.push(v);
    }
    // Monthly slots with the same times become one MONTHLY schedule; `byday` carries the occurrence: 1TU, -1FR.
    let mut monthly: BTreeMap<TimeSlot, Vec<(WeekOfMonth, Weekday)>> = BTreeMap::new();
    for m in &hours.monthly {
        monthly.entry(m.slot).or_default().push((m.week, m.weekday));
    }
    for (slot, mut days) in monthly {
        days.sort();
        days.dedup();
        let codes: Vec<String> = days
            .iter()
            .map(|(week, day)| format!("{}{}", week.number(), byday(*day)))
            .collect();
        let words: Vec<String> = days
            .iter()
            .map(|(week, day)| format!("{} {}", week.word_nl(), day.name_nl()))
            .collect();
        let (open, close) = (hhmm(slot.start), hhmm(slot.end));
        let mut v = json!({
            "id": derived_id(&["schedule", owner_id, "monthly", &open, &close]),
            "freq": "MONTHLY",
            "byday": codes.join(","),
            "opens_at": open,
            "closes_at": close,
            "description": format!("Elke {} van de maand van {open} tot {close}.", words.join(" en ")),
            "notes": format!("Lokale tijd ({zone}).{holidays}"),
        });
        insert(&mut v, owner_field, json!(owner_id));
        out.push(v);
    }
    for (n, e) in hours.exceptions.iter().enumerate() {
        let (from, to) = (e.from.to_string(), e.to.to_string());
        let n = n.to_string();
        let reason = if e.reason.is_empty() {
            e.kind.label().to_owned()
        } else {
            format!("{}: {}", e.kind.label(), e.reason)
        };
        let days = exception_days(e.from, e.to);
        if e.kind == ExceptionKind::Closed || e.slots.is_empty() {
            let mut v = json!({
                "id": derived_id(&["schedule", owner_id, "exception", &n, &from, &to]),
                "valid_from": from,
                "valid_to": to,
                "description": format!("{reason} (van {from} tot en met {to})."),
                "notes": "Gesloten.",
            });
            insert(&mut v, owner_field, json!(owner_id));
            out.push(v);
            continue;
        }
        for slot in &e.slots {
            let (open, close) = (hhmm(slot.start), hhmm(slot.end));
            let mut v = json!({
                "id": derived_id(&["schedule", owner_id, "exception", &n, &from, &to, &open, &close]),
                "valid_from": from,
                "valid_to": to,
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": days,
                "opens_at": open,
                "closes_at": close,
                "description": format!("{reason} (van {from} tot en met {to}, {open}-{close})."),
                "notes": if e.kind == ExceptionKind::OpenOnly {
                    format!("Vervangt de gewone openingstijden. Lokale tijd ({zone}).")
                } else {
                    format!("Naast de gewone openingstijden. Lokale tijd ({zone}).")
                },
            });
            insert(&mut v, owner_field, json!(owner_id));
            out.push(v);
        }
    }
    out
}

/// The weekdays (`MO,TU,...`) that occur from `from` to `to` inclusive.
fn exception_days(from: jiff::civil::Date, to: jiff::civil::Date) -> String {
    let mut seen = [false; 7];
    let mut d = from;
    for _ in 0..7 {
        if d > to {
            break;
        }
        seen[Weekday::of(d).index()] = true;
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => break,
        }
    }
    Weekday::ALL
        .iter()
        .filter(|w| seen[w.index()])
        .map(|w| byday(*w))
        .collect::<Vec<_>>()
        .join(",")
}

fn insert(v: &mut Value, key: &str, value: Value) {
    if let Value::Object(map) = v {
        map.insert(key.to_owned(), value);
    }
}

/// Drops null members: HSDS leaves absent what it does not know.
fn prune(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .collect::<Map<String, Value>>(),
        ),
        other => other,
    }
}
