//! The stakeholder map `/regie/belanghebbenden` and `/api/v1/stakeholders` on both databases: a refused form keeps
//! what was typed, keten partners are offered prefilled, the quadrant follows power and interest, activity equals
//! the raw rows, every change is a timeline event, CSV/XLSX read back, the contact person goes with a removed
//! stakeholder, and only the municipality's steering users get in.

use crate::support::TestApp;
use crate::support::demo_users::{PARTNER, STAFF, STEERING};
use keten_core::account::Role;
use keten_core::steering::{day_number, day_start_seconds, local_date};
use serde_json::{Value, json};

const PAGE: &str = "/regie/belanghebbenden";
const NEW: &str = "/regie/belanghebbenden/nieuw";

async fn api_create(app: &TestApp, client: &reqwest::Client, body: Value) -> Value {
    let r = client
        .post(app.url("/api/v1/stakeholders"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

async fn list(app: &TestApp, client: &reqwest::Client) -> Value {
    let r = client
        .get(app.url("/api/v1/stakeholders"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn named<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["stakeholders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {list}"))
}

crate::both_backends! {
    the_form_offers_partners_prefilled_and_keeps_input_when_refused => |app: TestApp| async move {
        app.demo_chain().await;
        let steering = app.signed_in(STEERING).await;
        let maasbank = app.organisation_id("Maasbank").await;
        // The steering page links to the map; the map offers the partners keten knows.
        let regie = app.get_as(&steering, "/regie").await.text().await.unwrap();
        assert!(regie.contains("href=\"/regie/belanghebbenden\""));
        let map = app.get_as(&steering, PAGE).await.text().await.unwrap();
        assert!(map.contains("Er staat nog geen organisatie op de kaart"));
        assert!(map.contains(&format!("organisation={maasbank}")), "{map}");

        let path = format!("{NEW}?organisation={maasbank}");
        let form = app.get_as(&steering, &path).await;
        assert_eq!(form.status(), 200);
        let form = form.text().await.unwrap();
        assert!(form.contains("value=\"Maasbank\""), "{form}");
        assert!(form.contains("<option value=\"private\" selected>"), "sector prefilled");
        assert!(form.contains(&format!("name=\"organisation_id\" value=\"{maasbank}\"")));

        // Power missing, a bad e-mail: 422, nothing stored, everything typed is back with messages at the fields.
        let r = app.post_form(&steering, &path, NEW, &[
            ("organisation_id", maasbank.as_str()), ("municipality", "GM0599"), ("name", "Maasbank"),
            ("sector", "private"), ("roles", "consultation_hour"), ("roles", "signals"), ("power", ""),
            ("interest", "2"), ("agreements", "Spreekuur om de week"), ("contact_name", "Joost van Dijk"),
            ("contact_email", "joost@"), ("covenant", "1"),
        ]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("Kies de invloed van 1 (weinig) tot 5 (veel)."), "{page}");
        assert!(page.contains("id=\"contact_email-error\""));
        assert!(page.contains("Spreekuur om de week") && page.contains("value=\"Joost van Dijk\"") && page.contains("value=\"joost@\""));
        assert!(page.contains("value=\"consultation_hour\" checked") && page.contains("value=\"signals\" checked"));
        assert!(page.contains("id=\"covenant\" name=\"covenant\" value=\"1\" checked"));
        assert!(list(&app, &steering).await["stakeholders"].as_array().unwrap().is_empty());

        let r = app.post_form(&steering, &path, NEW, &[
            ("organisation_id", maasbank.as_str()), ("municipality", "GM0599"), ("name", "Maasbank"),
            ("sector", "private"), ("roles", "consultation_hour"), ("power", "4"), ("interest", "2"),
            ("agreements", "Spreekuur om de week"), ("contact_name", "Joost van Dijk"),
            ("contact_email", "joost@maasbank.nl"),
        ]).await;
        assert_eq!(r.status(), 303);
        let all = list(&app, &steering).await;
        let m = named(&all, "Maasbank");
        assert_eq!(m["quadrant"], "keep_satisfied");
        assert_eq!(m["organisation_id"], maasbank.as_str());
        assert_eq!(m["contact_email"], "joost@maasbank.nl");
        // The same organisation twice is refused at its field, input kept.
        let r = app.post_form(&steering, NEW, NEW, &[
            ("organisation_id", maasbank.as_str()), ("municipality", "GM0599"), ("name", "Maasbank 2"),
            ("sector", "private"), ("power", "1"), ("interest", "1"),
        ]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("staat al op de kaart") && page.contains("value=\"Maasbank 2\""));
        // On the map: the grid (SVG with a title and the marker's text), the tables, no longer offered.
        let map = app.get_as(&steering, PAGE).await.text().await.unwrap();
        assert!(map.contains("<svg") && map.contains("Invloed en belang van de belanghebbenden"));
        assert!(map.contains("1. Maasbank: invloed 4, belang 2 (Tevreden houden)"), "{map}");
        assert!(!map.contains(&format!("organisation={maasbank}")));
        assert!(map.contains("Belanghebbenden per sector"));
    };

    quadrants_timeline_activity_and_exports_rest_on_the_data => |app: TestApp| async move {
        let ids = app.demo_chain().await;
        crate::steering::demo_history(&app, ids.clone(), 400).await;
        let staff = app.signed_in(STAFF).await;
        for _ in 0..2 {
            app.send_referral(&staff, &crate::support::referral_body("bankzaken", "3011")).await;
        }
        let steering = app.signed_in(STEERING).await;
        let bieb = app.organisation_id("Bibliotheek Rotterdam").await;
        let maasbank = app.organisation_id("Maasbank").await;
        let b = api_create(&app, &steering, json!({"organisation_id": bieb, "power": 4, "interest": 5,
            "roles": ["helps", "hosts"], "joined_on": "2025-09-01"})).await;
        assert_eq!(b["name"], "Bibliotheek Rotterdam", "name from keten");
        assert_eq!(b["sector"], "civil");
        assert_eq!(b["quadrant"], "manage_closely");
        api_create(&app, &steering, json!({"organisation_id": maasbank, "power": 2, "interest": 2})).await;
        let outside = api_create(&app, &steering, json!({"name": "Ouderenbond Zuid", "sector": "citizens",
            "power": 3, "interest": 4, "contact_name": "Els", "contact_email": "els@ouderenbond.nl"})).await;
        assert_eq!(outside["quadrant"], "keep_informed");
        assert!(outside.get("activity").is_none(), "no keten data for an outside organisation");
        // A refused API body: 422 problem with the field.
        let r = steering.post(app.url("/api/v1/stakeholders")).json(&json!({"name": "X", "sector": "church", "power": 9, "interest": 1})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let problem: Value = r.json().await.unwrap();
        assert!(problem.to_string().contains("sector") && problem.to_string().contains("power"), "{problem}");

        // Activity equals the raw rows: this year's questions at the library's own help points, the referrals.
        let today = local_date(app.now());
        let from = day_start_seconds(day_number(today.first_of_year()));
        let until = day_start_seconds(day_number(today) + 1);
        let directory = app.store.directory().await.unwrap();
        let bieb_points: Vec<String> = directory.help_points.iter()
            .filter(|h| h.organisation_id == bieb && h.municipality_code == "GM0599")
            .map(|h| h.id.clone()).collect();
        let raw = crate::steering::raw_rows(&app, &bieb_points).await;
        let expected = raw.iter().filter(|q| q.asked_at >= from && q.asked_at < until).count() as i64;
        assert!(expected > 0);
        let all = list(&app, &steering).await;
        let a = &named(&all, "Bibliotheek Rotterdam")["activity"];
        assert_eq!(a["questions_at_help_points"], expected, "{a}");
        assert_eq!(a["referrals_sent"], 2);
        assert_eq!(named(&all, "Maasbank")["activity"]["referrals_received"], 2);

        // Changes are events: power changed, then removed (contact person erased, the row gone).
        let id = outside["id"].as_str().unwrap().to_owned();
        let r = steering.put(app.url(&format!("/api/v1/stakeholders/{id}"))).json(&json!({"power": 5, "interest": 4,
            "sector": "citizens", "contact_name": "Els", "contact_email": "els@ouderenbond.nl"})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let changed: Value = r.json().await.unwrap();
        assert_eq!(changed["quadrant"], "manage_closely");
        assert_eq!(changed["name"], "Ouderenbond Zuid");

        // CSV and XLSX read back: a row per stakeholder with its field and activity, no contact person.
        let csv = app.get_as(&steering, "/regie/belanghebbenden.csv").await;
        assert_eq!(csv.status(), 200);
        let body = csv.text().await.unwrap();
        let rows = crate::steering::csv_rows(&body);
        assert_eq!(rows.len(), 4, "{body}");
        assert_eq!(rows[0][0], "Nr");
        let lib = rows.iter().find(|r| r[1] == "Bibliotheek Rotterdam").unwrap();
        assert_eq!(lib[7], "Nauw betrekken");
        assert_eq!(lib[15], expected.to_string());
        assert!(!body.contains("els@ouderenbond.nl") && !body.contains("Els"));
        let xlsx = app.get_as(&steering, "/regie/belanghebbenden.xlsx").await;
        assert_eq!(xlsx.status(), 200);
        let bytes = xlsx.bytes().await.unwrap();
        {
            use calamine::Reader;
            let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
            let sheet = book.worksheet_range("Belanghebbenden").unwrap();
            let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
            assert_eq!(cells.len(), 4);
            let lib = cells.iter().find(|r| r[1] == "Bibliotheek Rotterdam").unwrap();
            assert_eq!(lib[11], "2", "referrals sent");
        }

        let r = steering.delete(app.url(&format!("/api/v1/stakeholders/{id}"))).send().await.unwrap();
        assert_eq!(r.status(), 204);
        let r = steering.get(app.url(&format!("/api/v1/stakeholders/{id}"))).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let actor = app.actor(STEERING).await;
        assert!(app.store.stakeholders(&actor, "GM0599").await.unwrap().iter().all(|s| s.contact_name.is_none()));
        let events = app.store.stakeholder_events(&actor, "GM0599").await.unwrap();
        let kinds: Vec<(String, &str)> = events.iter().map(|e| (e.name.clone(), e.kind.as_str())).collect();
        assert_eq!(kinds.iter().filter(|(_, k)| *k == "joined").count(), 3);
        assert!(kinds.contains(&("Ouderenbond Zuid".to_owned(), "changed")));
        assert!(kinds.contains(&("Ouderenbond Zuid".to_owned(), "left")));
        assert_eq!(events[0].name, "Bibliotheek Rotterdam", "oldest first: joined 2025-09-01");
        assert_eq!(events[0].happened_on, "2025-09-01");
        let map = app.get_as(&steering, PAGE).await.text().await.unwrap();
        assert!(map.contains("Tijdlijn") && map.contains("Van de kaart gehaald") && map.contains("1-9-2025"), "{map}");
    };

    only_the_municipalitys_steering_users_get_in => |app: TestApp| async move {
        app.demo_chain().await;
        let steering = app.signed_in(STEERING).await;
        let s = api_create(&app, &steering, json!({"name": "Fonds Digitaal", "sector": "private", "power": 4,
            "interest": 1, "contact_name": "Piet", "contact_email": "piet@fonds.nl"})).await;
        let id = s["id"].as_str().unwrap();
        // Steering of another municipality: 404 for the row, the map and the form.
        let schiedam = app.organisation_id("Gemeente Schiedam").await;
        app.user("regie@schiedam.test", Role::Steering, &schiedam).await;
        let other = app.signed_in("regie@schiedam.test").await;
        for path in [format!("/api/v1/stakeholders/{id}"), format!("{PAGE}/{id}"),
                     format!("{PAGE}?municipality=GM0599"), "/api/v1/stakeholders?municipality=GM0599".to_owned(),
                     format!("{PAGE}.csv?municipality=GM0599")] {
            assert_eq!(app.get_as(&other, &path).await.status(), 404, "{path}");
        }
        let r = other.delete(app.url(&format!("/api/v1/stakeholders/{id}"))).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let r = other.post(app.url("/api/v1/stakeholders")).json(&json!({"municipality": "GM0599", "name": "X",
            "sector": "public", "power": 1, "interest": 1})).send().await.unwrap();
        assert_eq!(r.status(), 404);
        // Its own map is empty: Rotterdam's contact person is nowhere.
        let own = app.get_as(&other, "/api/v1/stakeholders").await.text().await.unwrap();
        assert!(!own.contains("piet@fonds.nl") && own.contains("GM0606"), "{own}");
        // Other roles: 403; anonymous: 303 to sign in for pages, 401 for the API.
        let partner = app.signed_in(PARTNER).await;
        assert_eq!(app.get_as(&partner, PAGE).await.status(), 403);
        assert_eq!(app.get_as(&partner, &format!("/api/v1/stakeholders/{id}")).await.status(), 403);
        let r = partner.post(app.url("/api/v1/stakeholders")).json(&json!({"power": "veel"})).send().await.unwrap();
        assert_eq!(r.status(), 403, "role before body");
        let anonymous = app.browser();
        assert_eq!(app.get_as(&anonymous, PAGE).await.status(), 303);
        assert_eq!(app.get_as(&anonymous, "/api/v1/stakeholders").await.status(), 401);
        // The row is untouched.
        let r = steering.get(app.url(&format!("/api/v1/stakeholders/{id}"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<Value>().await.unwrap()["contact_email"], "piet@fonds.nl");
    };

    the_demo_holds_a_map_for_rotterdam_with_a_history => |app: TestApp| async move {
        app.demo_chain().await;
        let n = app.store.load_demo_stakeholders("GM0599", app.now()).await.unwrap();
        assert_eq!(n, keten_core::stakeholder::demo_stakeholders().len());
        let steering = app.signed_in(STEERING).await;
        let all = list(&app, &steering).await;
        let list = all["stakeholders"].as_array().unwrap();
        assert!(list.iter().any(|s| s["organisation_id"].is_null()) && list.iter().any(|s| s["organisation_id"].is_string()));
        let actor = app.actor(STEERING).await;
        let events = app.store.stakeholder_events(&actor, "GM0599").await.unwrap();
        assert!(events.iter().any(|e| e.kind.as_str() == "changed"));
        let page = app.get_as(&steering, PAGE).await;
        assert_eq!(page.status(), 200);
    };
}
