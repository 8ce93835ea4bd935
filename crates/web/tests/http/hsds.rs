//! The read-only Open Referral HSDS 3.0 API at /hsds, through HTTP on both databases with the demo chain.
//!
//! Every response is validated against the official HSDS 3.0 schemas in `shared/hsds/schema` (Open Referral,
//! CC BY-SA 4.0), read at test time from the shared folder beside the repository.

use crate::support::TestApp;
use keten_core::opening_hours::OpeningHours;
use keten_store::help_points::NewConsultationHour;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn schema_dir() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/hsds/schema"
    ))
    .to_path_buf()
}

/// Loads a schema and inlines relative file references (`"$ref": "metadata.json"`), which only the
/// non-compiled schemas (taxonomy, taxonomy_term) have.
fn load_schema(name: &str) -> Value {
    let path = schema_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (is shared/ beside the repository?)",
            path.display()
        )
    });
    let mut v: Value = serde_json::from_str(&text).unwrap();
    inline_refs(&mut v, &path.parent().unwrap().to_path_buf(), 0);
    v
}

fn inline_refs(v: &mut Value, dir: &PathBuf, depth: usize) {
    assert!(depth < 8, "reference cycle");
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && r.ends_with(".json")
                && !r.contains('#')
            {
                let mut inner = load_schema_raw(&dir.join(r));
                inline_refs(&mut inner, dir, depth + 1);
                *v = inner;
                return;
            }
            for child in map.values_mut() {
                inline_refs(child, dir, depth);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|c| inline_refs(c, dir, depth)),
        _ => {}
    }
}

fn load_schema_raw(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A validator that also checks formats (uuid, uri, email, date-time).
struct Schema {
    name: &'static str,
    validator: jsonschema::Validator,
}

impl Schema {
    fn new(name: &'static str) -> Self {
        let schema = load_schema(name);
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("schema {name}: {e}"));
        Schema { name, validator }
    }

    #[track_caller]
    fn check(&self, instance: &Value) {
        let errors: Vec<String> = self
            .validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "not valid against {}:\n{}\n{}",
            self.name,
            errors.join("\n"),
            serde_json::to_string_pretty(instance).unwrap()
        );
    }
}

async fn get(app: &TestApp, path: &str) -> (u16, String, Value) {
    let r = app.browser().get(app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = r.text().await.unwrap();
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
    (status, content_type, json)
}

async fn ok(app: &TestApp, path: &str) -> Value {
    let (status, content_type, v) = get(app, path).await;
    assert_eq!(status, 200, "{path}: {v}");
    assert!(
        content_type.starts_with("application/json"),
        "{path}: {content_type}"
    );
    v
}

/// Checks the paging envelope of the HSDS OpenAPI document and validates every item.
#[track_caller]
fn check_page(v: &Value, item: &Schema) -> Vec<Value> {
    for key in ["total_items", "total_pages", "page_number", "size"] {
        assert!(v[key].is_u64(), "{key} in {v}");
    }
    for key in ["first_page", "last_page", "empty"] {
        assert!(v[key].is_boolean(), "{key} in {v}");
    }
    let contents = v["contents"].as_array().expect("contents").clone();
    assert_eq!(v["size"].as_u64().unwrap() as usize, contents.len());
    assert_eq!(v["empty"].as_bool().unwrap(), contents.is_empty());
    for c in &contents {
        item.check(c);
    }
    contents
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[track_caller]
fn assert_problem(status: u16, content_type: &str, v: &Value, expected: u16) {
    assert_eq!(status, expected, "{v}");
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(v["status"], expected);
    assert!(
        v["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:keten:problem:")
    );
    assert!(!v["detail"].as_str().unwrap().is_empty());
}

/// Great-circle distance computed here, independently of keten's own code.
fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let r = 6371.0088_f64;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * a.sqrt().asin()
}

/// The id of the taxonomy term with `code`.
async fn term_id(app: &TestApp, code: &str) -> String {
    let terms = ok(app, "/hsds/taxonomy_terms?per_page=1000").await;
    terms["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == code)
        .unwrap_or_else(|| panic!("no term {code}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Adds a partner's consultation hour with dated exceptions, `later` seconds after the demo was loaded.
async fn add_consultation_hour(app: &TestApp, help_point_id: &str, later: i64) -> String {
    let directory = app.store.directory().await.unwrap();
    let partner = directory.consultation_hours[0].organisation_id.clone();
    let hours: OpeningHours = serde_json::from_value(serde_json::json!({
        "weekly": [{"weekday": "wed", "start": "13:00", "end": "15:00"},
                   {"weekday": "fri", "start": "13:00", "end": "15:00"}],
        "exceptions": [
            {"from": "2026-04-01", "to": "2026-04-30", "kind": "extra",
             "slots": [{"start": "09:00", "end": "11:00"}], "reason": "Belastingaangifte"},
            {"from": "2026-05-05", "to": "2026-05-05", "kind": "closed", "reason": "Bevrijdingsdag"}
        ],
        "region": "NL"
    }))
    .unwrap();
    app.store
        .create_consultation_hour(
            &NewConsultationHour {
                help_point_id: help_point_id.to_owned(),
                organisation_id: partner,
                title: "Spreekuur aangifte inkomstenbelasting".into(),
                topics: vec!["belastingen-toeslagen".into()],
                hours,
                appointment_needed: true,
            },
            app.now() + later,
        )
        .await
        .unwrap()
}

use crate::support::demo_users::STAFF;

/// A stop of the Centrale Bibliotheek at the centre of postcode area 3025 (Delfshaven), on Wednesdays.
async fn add_stop(app: &TestApp, help_point_id: &str) -> keten_store::help_point_details::Stop {
    use keten_core::directory_details::{StopDraft, StopInput};
    let draft = StopDraft::parse(&StopInput {
        place_name: "Buurthuis De Boog".into(),
        street_address: "Boogstraat 1".into(),
        postcode: "3025 AB".into(),
        hours: "wo 13:00-15:00".into(),
        ..Default::default()
    })
    .unwrap();
    let actor = app.actor(STAFF).await;
    let id = app
        .store
        .add_stop(&actor, help_point_id, &draft, app.now())
        .await
        .unwrap();
    app.store
        .stops_of(help_point_id)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap()
}

/// A partner's hour on the first Tuesday and the last Friday of the month.
async fn add_monthly_hour(app: &TestApp, help_point_id: &str) -> String {
    let directory = app.store.directory().await.unwrap();
    let hours: OpeningHours = serde_json::from_value(serde_json::json!({
        "monthly": [{"week": 1, "weekday": "tue", "start": "10:00", "end": "12:00"},
                    {"week": -1, "weekday": "fri", "start": "10:00", "end": "12:00"}],
        "region": "NL"
    }))
    .unwrap();
    app.store
        .create_consultation_hour(
            &NewConsultationHour {
                help_point_id: help_point_id.to_owned(),
                organisation_id: directory.consultation_hours[0].organisation_id.clone(),
                title: "Maandelijks bankspreekuur".into(),
                topics: vec!["bankzaken".into()],
                hours,
                appointment_needed: false,
            },
            app.now(),
        )
        .await
        .unwrap()
}

both_backends! {
    stops_are_locations_of_their_own_and_monthly_hours_are_monthly_schedules => |app: TestApp| async move {
        let help_points = app.demo_chain().await;
        let stop = add_stop(&app, &help_points[0]).await;
        let monthly = add_monthly_hour(&app, &help_points[0]).await;
        let directory = app.store.directory().await.unwrap();
        let service_full = Schema::new("compiled/service.json");
        let sal_list = Schema::new("compiled/service_at_location_list.json");
        let sal_full = Schema::new("compiled/service_at_location.json");
        let org_full = Schema::new("compiled/organization.json");

        // The help point's own service is offered at its stop too: one more service_at_location.
        let services = ok(&app, "/hsds/services?per_page=1000").await;
        let sals = check_page(&ok(&app, "/hsds/service_at_locations?per_page=1000").await, &sal_list);
        assert_eq!(sals.len(), services["total_items"].as_u64().unwrap() as usize + directory.stops.len());
        let at_stop = sals.iter().find(|s| s["location_id"] == stop.id.as_str()).expect("a service_at_location at the stop");
        assert_eq!(at_stop["location"]["name"], "Buurthuis De Boog");
        assert_eq!(at_stop["location"]["latitude"].as_f64().unwrap(), stop.location.lat);
        assert_eq!(at_stop["location"]["longitude"].as_f64().unwrap(), stop.location.lon);
        let own = &directory.help_points.iter().find(|h| h.id == help_points[0]).unwrap();
        assert_ne!(stop.location, own.location, "the stop has its own point");

        // Fully nested: the stop's address and hours, validated against the official schema.
        let full = ok(&app, &format!("/hsds/service_at_locations/{}", at_stop["id"].as_str().unwrap())).await;
        sal_full.check(&full);
        let address = &full["location"]["addresses"][0];
        assert_eq!(address["address_1"], "Boogstraat 1");
        assert_eq!(address["postal_code"], "3025 AB");
        assert_eq!(address["city"], "Rotterdam");
        let schedules = full["schedules"].as_array().unwrap();
        assert_eq!(schedules.len(), 1, "{full}");
        assert_eq!(schedules[0]["byday"], "WE");
        assert_eq!(schedules[0]["service_at_location_id"], full["id"]);
        let service = ok(&app, &format!("/hsds/services/{}", at_stop["service_id"].as_str().unwrap())).await;
        service_full.check(&service);
        let places: Vec<&str> = service["service_at_locations"].as_array().unwrap().iter().map(|s| s["location_id"].as_str().unwrap()).collect();
        assert_eq!(places, [help_points[0].as_str(), stop.id.as_str()]);
        let org = ok(&app, &format!("/hsds/organizations/{}", own.organisation_id)).await;
        org_full.check(&org);
        assert!(org["locations"].as_array().unwrap().iter().any(|l| l["id"] == stop.id.as_str()));

        // Near the stop's postcode, the stop is found at its own point; the library in 3011 is not that near.
        let near = check_page(&ok(&app, "/hsds/service_at_locations?per_page=1000&postcode=3025&proximity=100").await, &sal_list);
        let near_ids: Vec<&str> = near.iter().map(|s| s["location_id"].as_str().unwrap()).collect();
        assert!(near_ids.contains(&stop.id.as_str()), "{near_ids:?}");
        assert!(!near_ids.contains(&help_points[0].as_str()));

        // A monthly consultation hour: one MONTHLY schedule with the occurrence in byday.
        let service = ok(&app, &format!("/hsds/services/{monthly}")).await;
        service_full.check(&service);
        let schedules = service["schedules"].as_array().unwrap();
        assert_eq!(schedules.len(), 1, "{service}");
        assert_eq!(schedules[0]["freq"], "MONTHLY");
        assert_eq!(schedules[0]["byday"], "1TU,-1FR");
        assert_eq!(schedules[0]["opens_at"], "10:00");
        assert_eq!(schedules[0]["closes_at"], "12:00");
        assert_eq!(schedules[0]["description"], "Elke eerste dinsdag en laatste vrijdag van de maand van 10:00 tot 12:00.");
    };

    hsds_answers_carry_an_etag_and_304_until_the_directory_changes => |app: TestApp| async move {
        let help_points = app.demo_chain().await;
        let client = app.browser();
        let first = client.get(app.url("/hsds/services")).send().await.unwrap();
        assert_eq!(first.status().as_u16(), 200);
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert!(etag.starts_with("W/\"hsds-"), "{etag}");
        assert_eq!(first.headers()["cache-control"], "public, max-age=60");
        let again = client
            .get(app.url("/hsds/services"))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 304);
        assert!(again.text().await.unwrap().is_empty());
        // Errors are not cached.
        let missing = client.get(app.url("/hsds/services/00000000-0000-4000-8000-000000000000")).send().await.unwrap();
        assert_eq!(missing.status().as_u16(), 404);
        assert!(missing.headers().get("etag").is_none());
        // A change to the directory changes the ETag: the old one no longer matches.
        add_consultation_hour(&app, &help_points[0], 0).await;
        let changed = client
            .get(app.url("/hsds/services"))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status().as_u16(), 200);
        assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
        // The OpenAPI document lists the HSDS endpoints.
        let doc: Value = client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
        for path in ["/hsds", "/hsds/services", "/hsds/services/{id}", "/hsds/service_at_locations", "/hsds/taxonomy_terms/{id}"] {
            assert!(doc["paths"][path]["get"]["tags"][0] == "hsds", "{path} missing: {}", doc["paths"]);
        }
    };

    every_response_validates_against_the_hsds_schemas => |app: TestApp| async move {
        let help_points = app.demo_chain().await;
        add_consultation_hour(&app, &help_points[0], 0).await;
        // The library's KvK number is published as an organization identifier.
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let admin = keten_store::Actor {
            memberships: vec![keten_store::scope::Membership {
                organisation_id: String::new(),
                organisation_name: String::new(),
                role: keten_core::account::Role::Admin,
            }],
            ..Default::default()
        };
        let numbers = keten_core::organisation::OrganisationIdentifiers { kvk_number: Some("41135289".into()), kbo_number: None };
        app.store.set_organisation_identifiers(&admin, &library, &numbers, app.now()).await.unwrap();
        let directory = app.store.directory().await.unwrap();

        let info = ok(&app, "/hsds/").await;
        assert_eq!(info["version"], "3.0");
        assert!(info["profile"].as_str().unwrap().starts_with("https://"));

        let service_list = Schema::new("compiled/service_list.json");
        let service_full = Schema::new("compiled/service.json");
        // The validators are strict: formats (uuid) and enums are checked, not just required members.
        let bad_id = serde_json::json!({"id": "not-a-uuid", "name": "x", "status": "active"});
        assert!(!service_full.validator.is_valid(&bad_id));
        let bad_status = serde_json::json!({"id": "00000000-0000-4000-8000-000000000000", "name": "x", "status": "open"});
        assert!(!service_full.validator.is_valid(&bad_status));
        let services = check_page(&ok(&app, "/hsds/services?per_page=1000").await, &service_list);
        // One "digital help" service per help point plus one service per consultation hour.
        assert_eq!(services.len(), directory.help_points.len() + directory.consultation_hours.len());
        let digital_help = services
            .iter()
            .filter(|s| s["name"].as_str().unwrap().starts_with("Digitale hulp bij "))
            .count();
        assert_eq!(digital_help, directory.help_points.len());
        let mut term_ids = HashSet::new();
        let mut schedules = 0;
        for s in &services {
            let id = s["id"].as_str().unwrap();
            let full = ok(&app, &format!("/hsds/services/{id}")).await;
            service_full.check(&full);
            assert_eq!(full["id"], id);
            // At its own place, and at each stop when it is the help point's own service of a bus.
            let sals = full["service_at_locations"].as_array().unwrap();
            let home = sals[0]["location_id"].as_str().unwrap();
            let stops = directory.stops.iter().filter(|st| st.help_point_id == home).count();
            assert_eq!(sals.len(), 1 + stops, "{full}");
            schedules += full["schedules"].as_array().unwrap().len();
            for a in full["attributes"].as_array().unwrap() {
                term_ids.insert(a["taxonomy_term_id"].as_str().unwrap().to_owned());
            }
        }
        assert!(schedules > 0);
        assert!(!term_ids.is_empty());
        // A consultation hour is a service of the partner at the help point's location.
        let ch = &directory.consultation_hours[0];
        let full = ok(&app, &format!("/hsds/services/{}", ch.id)).await;
        assert_eq!(full["organization_id"], ch.organisation_id.as_str());
        assert_eq!(full["name"], ch.title.as_str());
        assert_eq!(full["service_at_locations"][0]["location_id"], ch.help_point_id.as_str());

        let org_list = Schema::new("compiled/organization_list.json");
        let org_full = Schema::new("compiled/organization.json");
        let orgs = check_page(&ok(&app, "/hsds/organizations?per_page=1000").await, &org_list);
        let expected: HashSet<&str> = directory
            .help_points
            .iter()
            .map(|h| h.organisation_id.as_str())
            .chain(directory.consultation_hours.iter().map(|c| c.organisation_id.as_str()))
            .collect();
        assert_eq!(ids(&orgs).iter().map(String::as_str).collect::<HashSet<_>>(), expected);
        for o in &orgs {
            let full = ok(&app, &format!("/hsds/organizations/{}", o["id"].as_str().unwrap())).await;
            org_full.check(&full);
            assert!(!full["services"].as_array().unwrap().is_empty());
            let identifiers = full["organization_identifiers"].as_array().unwrap();
            if o["id"] == library.as_str() {
                assert_eq!(identifiers.len(), 1, "{full}");
                assert_eq!(identifiers[0]["identifier_scheme"], "NL-KVK");
                assert_eq!(identifiers[0]["identifier"], "41135289");
                assert_eq!(identifiers[0]["organization_id"], library.as_str());
            } else {
                assert!(identifiers.is_empty());
            }
        }

        // The OpenAPI document's switches: full objects in lists, fully nested services, minimal lists.
        for s in check_page(&ok(&app, "/hsds/services?full=true&per_page=5").await, &service_list) {
            service_full.check(&s);
            assert!(s["service_at_locations"].is_array(), "{s}");
        }
        let minimal = ok(&app, "/hsds/services?minimal=true&per_page=1000").await;
        let minimal = minimal["contents"].as_array().unwrap();
        assert_eq!(minimal.len(), services.len());
        assert!(minimal.iter().all(|m| m.as_object().unwrap().len() == 2 && m["modified_date"].as_str().unwrap().ends_with('Z')));
        let nested = ok(&app, &format!("/hsds/organizations/{library}?full_service=true")).await;
        org_full.check(&nested);
        assert!(nested["services"].as_array().unwrap().iter().all(|s| s["service_at_locations"].is_array()));
        for o in check_page(&ok(&app, "/hsds/organizations?full=true&per_page=1000").await, &org_list) {
            org_full.check(&o);
            assert!(o["locations"].is_array());
        }
        let (status, _, problem) = get(&app, "/hsds/services?full=maybe").await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "full");

        let sal_list = Schema::new("compiled/service_at_location_list.json");
        let sal_full = Schema::new("compiled/service_at_location.json");
        let sals = check_page(&ok(&app, "/hsds/service_at_locations?per_page=1000").await, &sal_list);
        assert_eq!(sals.len(), services.len() + directory.stops.len());
        let mut countries = HashSet::new();
        for sal in &sals {
            let full = ok(&app, &format!("/hsds/service_at_locations/{}", sal["id"].as_str().unwrap())).await;
            sal_full.check(&full);
            assert_eq!(full["service_id"], sal["service_id"]);
            let address = &full["location"]["addresses"][0];
            let country = address["country"].as_str().unwrap().to_owned();
            // The demo's one Flemish help point is in Belgium, with its 4-digit postcode.
            assert_eq!(country == "BE", address["postal_code"] == "9000", "{address}");
            countries.insert(country);
        }
        assert_eq!(countries, HashSet::from(["NL".to_owned(), "BE".to_owned()]));

        let taxonomy = Schema::new("taxonomy.json");
        let taxonomies = check_page(&ok(&app, "/hsds/taxonomies").await, &taxonomy);
        assert_eq!(taxonomies.len(), 1);
        assert_eq!(taxonomies[0]["name"], "keten-onderwerpen");
        let t = ok(&app, &format!("/hsds/taxonomies/{}", taxonomies[0]["id"].as_str().unwrap())).await;
        taxonomy.check(&t);

        let term = Schema::new("taxonomy_term.json");
        let terms = check_page(&ok(&app, "/hsds/taxonomy_terms?per_page=1000").await, &term);
        assert_eq!(terms.len(), keten_core::help_question::DEFAULT_TOPICS.len());
        let all_terms: HashSet<String> = ids(&terms).into_iter().collect();
        assert!(term_ids.is_subset(&all_terms), "attributes link to unknown terms");
        for t in &terms {
            assert_eq!(t["taxonomy_id"], taxonomies[0]["id"]);
            if let Some(parent) = t["parent_id"].as_str() {
                assert!(all_terms.contains(parent));
            }
            let one = ok(&app, &format!("/hsds/taxonomy_terms/{}", t["id"].as_str().unwrap())).await;
            term.check(&one);
        }
        // Children of "geld" and terms without children.
        let geld = term_id(&app, "geld").await;
        let children = check_page(&ok(&app, &format!("/hsds/taxonomy_terms?parent_id={geld}")).await, &term);
        assert!(children.iter().any(|t| t["code"] == "bankzaken"));
        assert!(children.iter().all(|t| t["parent_id"] == geld.as_str()));
        let leaves = check_page(&ok(&app, "/hsds/taxonomy_terms?per_page=1000&top_only=true").await, &term);
        assert!(leaves.iter().all(|t| t["code"] != "geld"));

        // Ids are stable between requests.
        let again = ok(&app, "/hsds/services?per_page=1000").await;
        assert_eq!(ids(again["contents"].as_array().unwrap()), ids(&services));
    };

    paging_walks_every_list_without_duplicates => |app: TestApp| async move {
        app.demo_chain().await;
        let schemas = [
            ("services", Schema::new("compiled/service_list.json")),
            ("service_at_locations", Schema::new("compiled/service_at_location_list.json")),
            ("organizations", Schema::new("compiled/organization_list.json")),
            ("taxonomy_terms", Schema::new("taxonomy_term.json")),
        ];
        for (list, schema) in &schemas {
            let all = ids(&check_page(&ok(&app, &format!("/hsds/{list}?per_page=1000")).await, schema));
            assert!(all.len() > 4, "{list}: too few to page");
            let mut seen = Vec::new();
            let mut page = 1;
            loop {
                let v = ok(&app, &format!("/hsds/{list}?per_page=2&page={page}")).await;
                let items = check_page(&v, schema);
                assert_eq!(v["total_items"].as_u64().unwrap() as usize, all.len());
                assert_eq!(v["total_pages"].as_u64().unwrap() as usize, all.len().div_ceil(2));
                assert_eq!(v["page_number"], page);
                assert_eq!(v["first_page"], page == 1);
                assert!(items.len() <= 2);
                seen.extend(ids(&items));
                if v["last_page"].as_bool().unwrap() {
                    break;
                }
                page += 1;
                assert!(page < 1000);
            }
            assert_eq!(seen, all, "{list}: paging lost, repeated or reordered items");
            let unique: HashSet<&String> = seen.iter().collect();
            assert_eq!(unique.len(), seen.len(), "{list}: duplicates");
            // Past the end: an empty page, not an error.
            let past = ok(&app, &format!("/hsds/{list}?per_page=2&page={}", page + 1)).await;
            assert_eq!(past["empty"], true);
            assert_eq!(past["contents"].as_array().unwrap().len(), 0);
        }
        for bad in ["page=0", "page=abc", "per_page=0", "per_page=100000", "page=-1", "format=xml"] {
            let (status, content_type, v) = get(&app, &format!("/hsds/services?{bad}")).await;
            assert_problem(status, &content_type, &v, 422);
            assert!(!v["errors"].as_array().unwrap().is_empty(), "{bad}");
        }
    };

    modified_after_returns_only_later_changes => |app: TestApp| async move {
        let help_points = app.demo_chain().await;
        let all = ok(&app, "/hsds/services?per_page=1000").await["total_items"].as_u64().unwrap();
        // The demo was loaded at 2026-03-02T09:00:00Z; one consultation hour is added an hour later.
        let id = add_consultation_hour(&app, &help_points[1], 3600).await;

        let schema = Schema::new("compiled/service_list.json");
        let later = check_page(&ok(&app, "/hsds/services?modified_after=2026-03-02T09:30:00Z").await, &schema);
        // The new service, and the help point's other services: their location changed with it.
        assert!(ids(&later).contains(&id));
        assert!((later.len() as u64) < all);
        let new = later.iter().find(|s| s["id"] == id.as_str()).unwrap();
        assert_eq!(new["last_modified"], "2026-03-02T10:00:00Z");
        let sals = ok(&app, "/hsds/service_at_locations?per_page=1000&modified_after=2026-03-02T09:30:00Z").await;
        assert_eq!(sals["total_items"].as_u64().unwrap() as usize, later.len());
        for sal in sals["contents"].as_array().unwrap() {
            assert_eq!(sal["location_id"], help_points[1].as_str());
        }
        // "On or after": the demo's own time includes everything; a date means midnight UTC.
        let from_start = ok(&app, "/hsds/services?modified_after=2026-03-02T09:00:00Z").await;
        assert_eq!(from_start["total_items"].as_u64().unwrap(), all + 1);
        let by_date = ok(&app, "/hsds/services?modified_after=2026-03-02").await;
        assert_eq!(by_date["total_items"].as_u64().unwrap(), all + 1);
        let none = ok(&app, "/hsds/services?modified_after=2026-03-03T00:00:00%2B01:00").await;
        assert_eq!(none["total_items"], 0);
        assert_eq!(none["empty"], true);
        let orgs = ok(&app, "/hsds/organizations?modified_after=2026-03-02T09:30:00Z").await;
        let all_orgs = ok(&app, "/hsds/organizations").await;
        assert!(orgs["total_items"].as_u64().unwrap() >= 1);
        assert!(orgs["total_items"].as_u64().unwrap() < all_orgs["total_items"].as_u64().unwrap());

        let (status, content_type, v) = get(&app, "/hsds/services?modified_after=gisteren").await;
        assert_problem(status, &content_type, &v, 422);
        assert_eq!(v["errors"][0]["field"], "modified_after");

        // The new hour's schedules: weekly days grouped, dated exceptions with valid_from / valid_to.
        let full = ok(&app, &format!("/hsds/services/{id}")).await;
        Schema::new("compiled/service.json").check(&full);
        let schedules = full["schedules"].as_array().unwrap();
        let weekly = schedules.iter().find(|s| s["valid_from"].is_null()).unwrap();
        assert_eq!(weekly["freq"], "WEEKLY");
        assert_eq!(weekly["byday"], "WE,FR");
        assert_eq!(weekly["opens_at"], "13:00");
        assert_eq!(weekly["closes_at"], "15:00");
        let extra = schedules.iter().find(|s| s["valid_from"] == "2026-04-01").unwrap();
        assert_eq!(extra["valid_to"], "2026-04-30");
        assert_eq!(extra["opens_at"], "09:00");
        assert_eq!(extra["byday"], "MO,TU,WE,TH,FR,SA,SU");
        let closed = schedules.iter().find(|s| s["valid_from"] == "2026-05-05").unwrap();
        assert_eq!(closed["valid_to"], "2026-05-05");
        assert!(closed["opens_at"].is_null());
    };

    postcode_and_proximity_filter_service_at_locations => |app: TestApp| async move {
        app.demo_chain().await;
        let schema = Schema::new("compiled/service_at_location_list.json");
        let all = check_page(&ok(&app, "/hsds/service_at_locations?per_page=1000").await, &schema);
        // PC4 3011 centroid from the reference data (data/nl_pc4.csv).
        let (lat, lon) = (51.9197, 4.4875);
        let mut previous_count = 0;
        for metres in [1500, 5000, 50000] {
            let near = check_page(
                &ok(&app, &format!("/hsds/service_at_locations?per_page=1000&postcode=3011&proximity={metres}")).await,
                &schema,
            );
            assert!(!near.is_empty(), "{metres} m");
            assert!(near.len() >= previous_count);
            previous_count = near.len();
            let mut previous = 0.0;
            for sal in &near {
                let loc = &sal["location"];
                let km = haversine_km(lat, lon, loc["latitude"].as_f64().unwrap(), loc["longitude"].as_f64().unwrap());
                assert!(km * 1000.0 <= f64::from(metres) + 2.0, "{km} km outside {metres} m");
                assert!(km + 0.002 >= previous, "not nearest first");
                previous = km;
            }
            // Everything within the distance is there.
            let inside = all
                .iter()
                .filter(|s| {
                    let loc = &s["location"];
                    haversine_km(lat, lon, loc["latitude"].as_f64().unwrap(), loc["longitude"].as_f64().unwrap()) * 1000.0
                        < f64::from(metres) - 2.0
                })
                .count();
            assert!(near.len() >= inside);
        }
        assert!(previous_count > 0);
        // A full postcode works too; without proximity the service area (municipalities served) decides.
        let area = check_page(&ok(&app, "/hsds/service_at_locations?per_page=1000&postcode=3011%20AB").await, &schema);
        assert!(!area.is_empty() && area.len() <= all.len());
        let tiny = ok(&app, "/hsds/service_at_locations?postcode=3011&proximity=1").await;
        assert!(tiny["total_items"].as_u64().unwrap() < all.len() as u64);

        for bad in ["proximity=1000", "postcode=0000", "postcode=3011&proximity=ver"] {
            let (status, content_type, v) = get(&app, &format!("/hsds/service_at_locations?{bad}")).await;
            assert_problem(status, &content_type, &v, 422);
        }
    };

    taxonomy_term_filter_follows_the_topic_tree => |app: TestApp| async move {
        app.demo_chain().await;
        let schema = Schema::new("compiled/service_list.json");
        let bank = term_id(&app, "bankzaken").await;
        let geld = term_id(&app, "geld").await;
        let banking = check_page(&ok(&app, &format!("/hsds/services?per_page=1000&taxonomy_term_id={bank}")).await, &schema);
        assert!(banking.iter().any(|s| s["name"] == "Spreekuur bankzaken"), "consultation hours count");
        for s in &banking {
            let full = ok(&app, &format!("/hsds/services/{}", s["id"].as_str().unwrap())).await;
            let terms: Vec<&str> = full["attributes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["taxonomy_term_id"].as_str().unwrap())
                .collect();
            assert!(terms.contains(&bank.as_str()), "{} lacks bankzaken", s["name"]);
        }
        // A parent term includes the services of its children.
        let money = ids(&check_page(&ok(&app, &format!("/hsds/services?per_page=1000&taxonomy_term_id={geld}")).await, &schema));
        assert!(ids(&banking).iter().all(|id| money.contains(id)));
        let all = ok(&app, "/hsds/services?per_page=1000").await["total_items"].as_u64().unwrap();
        assert!((money.len() as u64) < all);
        // Filters combine, also on service_at_locations.
        let partner = banking.iter().find(|s| s["name"] == "Spreekuur bankzaken").unwrap()["organization_id"].clone();
        let theirs = ok(&app, &format!("/hsds/service_at_locations?per_page=1000&taxonomy_term_id={bank}&organization_id={}", partner.as_str().unwrap())).await;
        assert!(theirs["total_items"].as_u64().unwrap() >= 1);
        for sal in theirs["contents"].as_array().unwrap() {
            assert_eq!(sal["service"]["organization_id"], partner);
        }
        let unknown = ok(&app, "/hsds/services?taxonomy_term_id=00000000-0000-0000-0000-000000000000").await;
        assert_eq!(unknown["total_items"], 0);
        // Search.
        let found = ok(&app, "/hsds/services?per_page=1000&search=BANKZAKEN").await;
        assert!(found["total_items"].as_u64().unwrap() >= banking.len() as u64);
    };

    unknown_ids_are_404_problems => |app: TestApp| async move {
        app.demo_chain().await;
        let id = "00000000-0000-4000-8000-000000000000";
        for list in ["services", "organizations", "service_at_locations", "taxonomies", "taxonomy_terms"] {
            for path in [format!("/hsds/{list}/{id}"), format!("/hsds/{list}/niet-bestaand")] {
                let (status, content_type, v) = get(&app, &path).await;
                assert_problem(status, &content_type, &v, 404);
            }
        }
        let (status, content_type, v) = get(&app, "/hsds/nothing-here").await;
        assert_problem(status, &content_type, &v, 404);
    };
    device_lending_and_data_offers_are_services_with_cost_options => |app: TestApp| async move {
        use crate::support::demo_users::{PARTNER, STAFF, STEERING};
        use serde_json::json;
        app.demo_chain().await;
        let before = app.browser().get(app.url("/hsds/services?per_page=1000")).send().await.unwrap();
        let etag = before.headers()["etag"].to_str().unwrap().to_owned();
        let count_before = before.json::<Value>().await.unwrap()["contents"].as_array().unwrap().len();
        // Rotterdam's bank at the library, lending with a € 20 deposit; the demo's SIM (at the Centrale
        // Bibliotheek) and the Maasbank's social tariff (no help point).
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let steering = app.actor(STEERING).await;
        app.store.set_device_bank(&steering, "GM0599", &library, 5, app.now()).await.unwrap();
        let staff = app.signed_in(STAFF).await;
        let r = staff.put(app.url("/api/v1/device-bank/GM0599/loans"))
            .json(&json!({"deposit_cents": 2000, "months": 36, "remind_days": 14, "refund_late_returns": false}))
            .send().await.unwrap();
        assert_eq!(r.status(), 200);
        let changed = app.browser().get(app.url("/hsds/services")).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(changed.status().as_u16(), 200, "the bank changed the services");
        let etag = changed.headers()["etag"].to_str().unwrap().to_owned();
        app.store.load_demo_data_offers(app.now()).await.unwrap();
        let changed = app.browser().get(app.url("/hsds/services")).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(changed.status().as_u16(), 200, "new offers change the ETag");
        let etag = changed.headers()["etag"].to_str().unwrap().to_owned();

        let service_list = Schema::new("compiled/service_list.json");
        let service_full = Schema::new("compiled/service.json");
        let services = check_page(&ok(&app, "/hsds/services?per_page=1000").await, &service_list);
        let lending: Vec<&Value> = services.iter()
            .filter(|s| s["name"].as_str().unwrap().starts_with("Laptop, tablet of telefoon lenen bij ")).collect();
        let bank_points = app.store.device_points().await.unwrap().len();
        assert!(bank_points > 1);
        assert_eq!(lending.len(), bank_points);
        assert_eq!(services.len(), count_before + bank_points + 2);
        let full = ok(&app, &format!("/hsds/services/{}", lending[0]["id"].as_str().unwrap())).await;
        service_full.check(&full);
        assert_eq!(full["organization_id"], library.as_str());
        assert_eq!(full["cost_options"][0]["currency"], "EUR");
        assert_eq!(full["cost_options"][0]["amount"], 20);
        assert_eq!(full["cost_options"][0]["option"], "Borg");
        assert!(full["application_process"].as_str().unwrap().contains("warme doorverwijzing"), "{full}");
        assert_eq!(full["service_at_locations"].as_array().unwrap().len(), 1);
        assert!(full["attributes"].as_array().unwrap().iter().any(|a| a["value"] == "apparaten"));

        let sim = services.iter().find(|s| s["name"] == "Simkaart met data: Stichting Sociaal Internet (demo)").unwrap();
        let full = ok(&app, &format!("/hsds/services/{}", sim["id"].as_str().unwrap())).await;
        service_full.check(&full);
        assert_eq!(full["cost_options"][0]["amount"], 0);
        assert_eq!(full["eligibility_description"], "Inwoners van Rotterdam zonder internet thuis, met een laag inkomen.");
        let point = app.help_point("Centrale Bibliotheek").await;
        assert_eq!(full["service_at_locations"][0]["location_id"], point.id.as_str());

        // The Maasbank's tariff: a service of the organisation without a place, € 10 a month.
        let tariff = services.iter()
            .find(|s| s["name"] == "Sociaal tarief van een provider: Telecombedrijf Rijnmond (demo)").unwrap();
        let full = ok(&app, &format!("/hsds/services/{}", tariff["id"].as_str().unwrap())).await;
        service_full.check(&full);
        assert_eq!(full["service_at_locations"].as_array().unwrap().len(), 0);
        assert_eq!(full["cost_options"][0]["amount"], 10);
        assert_eq!(full["cost_options"][0]["option"], "Prijs per maand");
        let maasbank = app.organisation_id("Maasbank").await;
        assert_eq!(full["organization_id"], maasbank.as_str());
        let org = ok(&app, &format!("/hsds/organizations/{maasbank}")).await;
        assert!(org["services"].as_array().unwrap().iter().any(|s| s["id"] == tariff["id"]), "{org}");
        // Not at a place: not in service_at_locations; the search finds it by name.
        let sals = ok(&app, "/hsds/service_at_locations?per_page=1000").await;
        assert!(!sals["contents"].as_array().unwrap().iter().any(|s| s["service_id"] == tariff["id"]));
        let found = ok(&app, "/hsds/services?search=telecombedrijf").await;
        assert_eq!(found["contents"].as_array().unwrap().len(), 1);

        // Ending an offer changes the ETag, and the service goes.
        let partner = app.signed_in(PARTNER).await;
        let offers: Value = partner.get(app.url("/api/v1/data-offers?municipality=GM0599")).send().await.unwrap()
            .json().await.unwrap();
        let mine = offers.as_array().unwrap().iter().find(|o| o["organisation_id"] == maasbank.as_str()).unwrap();
        let r = partner.delete(app.url(&format!("/api/v1/data-offers/{}", mine["id"].as_str().unwrap()))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let changed = app.browser().get(app.url("/hsds/services?per_page=1000")).header("if-none-match", &etag)
            .send().await.unwrap();
        assert_eq!(changed.status().as_u16(), 200, "an ended offer changes the ETag");
        let after = changed.json::<Value>().await.unwrap();
        assert!(!after["contents"].as_array().unwrap().iter().any(|s| s["id"] == tariff["id"]));
        let (status, _, _) = get(&app, &format!("/hsds/services/{}", tariff["id"].as_str().unwrap())).await;
        assert_eq!(status, 404);
    };
}
