//! Programmes, what remained of issue 15, on both databases: a subsidy scheme's amounts per wave and per year
//! typed in the programme form; a programme created over the API with the form's checks; applying, reading the
//! selection, running it and overriding a decision over the API, with the role checked before the tenant.

use crate::programmes::municipality;
use crate::support::TestApp;
use crate::support::demo_users::{COORDINATOR, STAFF, STEERING};
use keten_core::account::Role;
use serde_json::{Value, json};

const MANAGER: &str = "programma@digitale-inclusie.demo.keten.nl";

fn scheme_form(waves: &str) -> Vec<(&str, &str)> {
    vec![
        ("kind", "subsidy_scheme"),
        ("name", "Plan Digitale Inclusie bibliotheken"),
        ("description", "Regeling in golven"),
        ("applicant_kind", "library"),
        ("opens_on", "01-01-2026"),
        ("closes_on", "31-12-2027"),
        ("budget", "1.200.000"),
        ("cap", "60.000"),
        ("cap_vat_included", "1"),
        ("vat_percent", "21"),
        ("max_participants", "15"),
        ("small_below", "20.000"),
        ("large_from", "50.000"),
        ("waves", waves),
    ]
}

async fn post(client: &reqwest::Client, url: String, body: &Value) -> (u16, Option<String>, Value) {
    let r = client.post(url).json(body).send().await.unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, location, r.json().await.unwrap_or(Value::Null))
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|x| x["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn front_runner_call() -> Value {
    json!({
        "kind": "call",
        "name": "Koplopersprogramma Lokale Ketenaanpak Digitale Inclusie",
        "description": "Koplopers testen de lokale ketenaanpak.",
        "applicant_kind": "municipality",
        "opens_on": "2026-01-01",
        "closes_on": "2026-12-31",
        "budget_cents": 45_000_000,
        "cap_cents": 2_250_000,
        "cap_vat_included": true,
        "max_participants": 3,
        "country": "NL",
        "conditions": ["Wij testen de methode", "Wij rapporteren open"]
    })
}

both_backends! {
    the_programme_form_takes_amounts_per_wave_and_year_and_keeps_the_input_on_a_mistake => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        // A year without its amount's year, and a year twice: each line named, the input kept.
        let typed = "Kopgroep; 15; 2026: 40.000, 20.000; 01-06-2026\nFase 2; 30; 2027: 10.000, 2027: 5.000";
        let r = app.post_form(&manager, "/programmas/nieuw", "/programmas/nieuw", &scheme_form(typed)).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("Golf op regel 1: “20.000” heeft geen jaartal"), "{page}");
        assert!(page.contains("2026: 40.000, 20.000; 01-06-2026"), "input kept");
        let r = app.post_form(&manager, "/programmas/nieuw", "/programmas/nieuw", &scheme_form("Kopgroep; 15; 2025: 10.000, 2026: 5.000\nFase 2; 30; 2027: 10.000, 2027: 5.000")).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("Golf 1 (Kopgroep): het programma opent in 2026; een bedrag voor 2025 kan niet."), "{page}");
        assert!(page.contains("Golf 2 (Fase 2): het jaar 2027 staat er twee keer in."), "{page}");

        // The scheme's table: the kopgroep spread over two years, a later phase in one sum.
        let r = app.post_form(&manager, "/programmas/nieuw", "/programmas/nieuw", &scheme_form("Kopgroep; 15; 2026: 40.000, 2027: 20.000,50; 01-06-2026\nFase 2; 30; 25.000")).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let to = r.headers()["location"].to_str().unwrap().to_owned();
        let id = to.trim_start_matches("/programmas/").trim_end_matches("/beheer").to_owned();
        for (who, path) in [(&manager, to.clone()), (&app.browser(), format!("/programmas/{id}"))] {
            let page = app.get_as(who, &path).await.text().await.unwrap();
            let table = page.split("Bedragen per deelnemer, per golf en per jaar").nth(1).unwrap_or_else(|| panic!("{path}: {page}"));
            let kopgroep = table.split("Kopgroep</th>").nth(1).unwrap().split("</tr>").next().unwrap();
            assert!(kopgroep.contains("€ 40.000</td>") && kopgroep.contains("€ 20.000,50</td>") && kopgroep.contains("€ 60.000,50</td>"), "{path}: {kopgroep}");
            let later = table.split("Fase 2</th>").nth(1).unwrap().split("</tr>").next().unwrap();
            assert_eq!(later.matches(">-</td>").count(), 2, "{path}: a wave in one sum has no years: {later}");
        }
        let api: Value = app.get_as(&manager, &format!("/api/v1/programmes/{id}")).await.json().await.unwrap();
        assert_eq!(api["waves"][0]["amount_cents"], 6_000_050);
        assert_eq!(api["waves"][0]["years"], json!([{"year": 2026, "amount_cents": 4_000_000}, {"year": 2027, "amount_cents": 2_000_050}]));
        assert_eq!(api["waves"][1]["years"], json!([]));
        assert_eq!(api["waves"][1]["amount_cents"], 2_500_000);
    };

    a_manager_creates_a_programme_over_the_api_with_the_forms_checks => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let url = app.url("/api/v1/programmes");
        // The role first: steering gets 403 whatever it sends.
        let steering = app.signed_in(STEERING).await;
        assert_eq!(post(&steering, url.clone(), &front_runner_call()).await.0, 403);
        assert_eq!(post(&steering, url.clone(), &json!({})).await.0, 403);
        // Every problem at once, each on its own field, as an RFC 9457 document.
        let bad = json!({"kind": "koplopers", "name": " ", "applicant_kind": "library", "opens_on": "15-09-2023", "closes_on": "2023-12-31",
            "cap_cents": -1, "vat_percent": 121, "waves": [{"name": "Kopgroep", "places": 15, "years": [{"year": 2019, "amount_cents": 1}, {"year": 2019, "amount_cents": 2}]}, {"name": "Fase 2", "places": 30}]});
        let (status, _, problem) = post(&manager, url.clone(), &bad).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["type"], "urn:keten:problem:validation");
        let f = fields(&problem);
        for field in ["kind", "name", "opens_on", "budget_cents", "cap_cents", "vat_percent", "max_participants", "waves"] {
            assert!(f.contains(&field.to_owned()), "{field}: {problem}");
        }
        assert!(problem["detail"].as_str().unwrap().contains("Schrijf de datum als JJJJ-MM-DD"));
        assert!(problem["detail"].as_str().unwrap().contains("Golf 2: geef het bedrag per deelnemer"), "{problem}");
        // A year twice and a total that is not the sum of the years: the form's own rules.
        let mut scheme = json!({"kind": "subsidy_scheme", "name": "Plan Digitale Inclusie bibliotheken 2026-2027", "applicant_kind": "library",
            "opens_on": "2026-01-01", "closes_on": "2027-12-31", "budget_cents": 120_000_000, "cap_cents": 6_000_000, "max_participants": 15,
            "waves": [{"name": "Kopgroep", "places": 15, "amount_cents": 1, "announce_on": "2026-06-01", "years": [{"year": 2026, "amount_cents": 4_000_000}, {"year": 2026, "amount_cents": 2_000_000}]}]});
        let (status, _, problem) = post(&manager, url.clone(), &scheme).await;
        assert_eq!(status, 422);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("het jaar 2026 staat er twee keer in") && detail.contains("niet de som van de bedragen per jaar"), "{detail}");
        // Amounts far beyond any programme are refused, never an overflow.
        let mut huge = scheme.clone();
        huge["budget_cents"] = json!(i64::MAX);
        huge["waves"] = json!([{"name": "Kopgroep", "places": 15, "years": [{"year": 2026, "amount_cents": i64::MAX}, {"year": 2027, "amount_cents": i64::MAX}]}]);
        let (status, _, problem) = post(&manager, url.clone(), &huge).await;
        assert_eq!((status, fields(&problem)), (422, vec!["budget_cents".to_owned(), "waves".to_owned()]), "{problem}");
        // Another national body's organisation: 404, whatever the body.
        let other = app.organisation("Mediawijs", "national_body", "public", "GM0363").await;
        scheme["organisation_id"] = json!(other);
        assert_eq!(post(&manager, url.clone(), &scheme).await.0, 404);
        // Right: 201, the Location, and the programme as GET shows it, with the waves' years.
        scheme.as_object_mut().unwrap().remove("organisation_id");
        scheme["waves"] = json!([
            {"name": "Kopgroep", "places": 15, "announce_on": "2026-06-01", "years": [{"year": 2027, "amount_cents": 2_000_000}, {"year": 2026, "amount_cents": 4_000_000}]},
            {"name": "Fase 2", "places": 30, "amount_cents": 2_500_000}
        ]);
        let (status, location, created) = post(&manager, url.clone(), &scheme).await;
        assert_eq!(status, 201, "{created}");
        let location = location.unwrap();
        assert_eq!(location, format!("/api/v1/programmes/{}", created["id"].as_str().unwrap()));
        let shown: Value = app.get_as(&manager, &location).await.json().await.unwrap();
        assert_eq!(shown, created);
        assert_eq!(created["cap_vat_included"], true);
        assert_eq!(created["vat_percent"], 21);
        assert_eq!(created["waves"][0]["amount_cents"], 6_000_000, "the sum of the years");
        assert_eq!(created["waves"][0]["years"], json!([{"year": 2026, "amount_cents": 4_000_000}, {"year": 2027, "amount_cents": 2_000_000}]));
        assert_eq!(created["waves"][0]["announce_on"], "2026-06-01");
        // The manage page shows what the API made.
        let page = app.get_as(&manager, &format!("/programmas/{}/beheer", created["id"].as_str().unwrap())).await.text().await.unwrap();
        assert!(page.contains("Plan Digitale Inclusie bibliotheken 2026-2027") && page.contains("€ 40.000</td>"));
    };

    applicants_apply_over_the_api_with_the_forms_checks_and_see_their_decision => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let (status, _, programme) = post(&manager, app.url("/api/v1/programmes"), &front_runner_call()).await;
        assert_eq!(status, 201, "{programme}");
        let id = programme["id"].as_str().unwrap().to_owned();
        let url = app.url(&format!("/api/v1/programmes/{id}/applications"));
        // Roles that never apply: 403 before the body is read; an unknown programme 404 for an applicant.
        for who in [STAFF, MANAGER] {
            let c = app.signed_in(who).await;
            assert_eq!(post(&c, url.clone(), &json!({})).await.0, 403, "{who}");
        }
        // A library coordinator cannot apply to a call for municipalities.
        let coordinator = app.signed_in(COORDINATOR).await;
        assert_eq!(post(&coordinator, url.clone(), &json!({})).await.0, 403);
        let steering = app.signed_in(STEERING).await;
        assert_eq!(post(&steering, app.url("/api/v1/programmes/onbekend/applications"), &json!({})).await.0, 404);
        // 20.000 without VAT is 24.200 with it: over the cap of 22.500 incl. VAT; one condition unconfirmed.
        let (status, _, problem) = post(&steering, url.clone(), &json!({"amount_cents": 2_000_000, "vat_included": false, "proposal": "Pilot in Feijenoord", "confirmed_conditions": [0]})).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), vec!["amount_cents", "confirmed_conditions"]);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("€ 24.200") && detail.contains("“Wij rapporteren open”"), "{detail}");
        let (status, _, problem) = post(&steering, url.clone(), &json!({"vat_included": true, "proposal": "", "confirmed_conditions": [0, 1], "members": ["Damme"]})).await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["amount_cents", "members", "proposal"], "{problem}");
        let (status, _, problem) = post(&steering, url.clone(), &json!({"amount_cents": i64::MAX, "vat_included": false, "proposal": "Alles", "confirmed_conditions": [0, 1]})).await;
        assert_eq!((status, fields(&problem)), (422, vec!["amount_cents".to_owned()]), "{problem}");
        // 18.595,04 without VAT is 22.499,99 with it: inside. 201, with the application where Location says.
        let body = json!({"amount_cents": 1_859_504, "vat_included": false, "proposal": "Pilot in Feijenoord", "confirmed_conditions": [0, 1]});
        let (status, location, created) = post(&steering, url.clone(), &body).await;
        assert_eq!(status, 201, "{created}");
        let location = location.unwrap();
        assert_eq!(location, format!("/api/v1/applications/{}", created["id"].as_str().unwrap()));
        assert_eq!((created["status"].as_str(), created["amount_cents"].as_i64(), created["programme_id"].as_str()), (Some("submitted"), Some(1_859_504), Some(id.as_str())));
        assert!(created["probability"].is_null() && created["explanation"].is_null());
        let seen: Value = app.get_as(&steering, &location).await.json().await.unwrap();
        assert_eq!(seen, created);
        // The page shows the same application.
        let page = app.get_as(&steering, &format!("/aanvragen/{}", created["id"].as_str().unwrap())).await.text().await.unwrap();
        assert!(page.contains("Pilot in Feijenoord"));
        // Applying again updates the same application: 200.
        let (status, again_at, again) = post(&steering, url.clone(), &json!({"amount_cents": 0, "vat_included": true, "proposal": "Meedoen zonder bijdrage", "confirmed_conditions": [0, 1]})).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!((again_at.as_deref(), again["amount_cents"].as_i64()), (Some(location.as_str()), Some(0)));
        // Another municipality and another body's manager see nothing; the programme's manager does.
        municipality(&app, "Den Haag", "GM0518", "regie@denhaag.test").await;
        let den_haag = app.signed_in("regie@denhaag.test").await;
        assert_eq!(app.get_as(&den_haag, &location).await.status(), 404);
        // Each applicant lists its own applications only.
        let mine: Value = app.get_as(&steering, "/api/v1/applications").await.json().await.unwrap();
        assert_eq!(mine.as_array().unwrap().iter().filter(|a| a["id"] == created["id"]).count(), 1, "{mine}");
        let theirs: Value = app.get_as(&den_haag, "/api/v1/applications").await.json().await.unwrap();
        assert_eq!(theirs, json!([]));
        let other = app.organisation("VVSG", "national_body", "public", "GM0363").await;
        app.user("manager@vvsg.test", Role::ProgrammeManager, &other).await;
        let stranger = app.signed_in("manager@vvsg.test").await;
        assert_eq!(app.get_as(&stranger, &location).await.status(), 404);
        assert_eq!(app.get_as(&manager, &location).await.status(), 200);
        assert_eq!(app.browser().get(app.url(&location)).send().await.unwrap().status(), 401);
    };

    the_selection_over_the_api_runs_repeats_explains_and_keeps_an_override => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let (_, _, programme) = post(&manager, app.url("/api/v1/programmes"), &front_runner_call()).await;
        let id = programme["id"].as_str().unwrap().to_owned();
        let towns = [("Ameland", "GM0060"), ("Harlingen", "GM0072"), ("Schiermonnikoog", "GM0088"), ("Stadskanaal", "GM0037"), ("Veendam", "GM0047"), ("Achtkarspelen", "GM0059")];
        let mut applicants = Vec::new();
        for (name, code) in towns {
            let email = format!("regie@{}.test", name.to_lowercase());
            municipality(&app, name, code, &email).await;
            let c = app.signed_in(&email).await;
            let (status, _, a) = post(&c, app.url(&format!("/api/v1/programmes/{id}/applications")), &json!({"amount_cents": 1_000_000, "vat_included": true, "proposal": "Pilot", "confirmed_conditions": [0, 1]})).await;
            assert_eq!(status, 201, "{a}");
            applicants.push((c, a["id"].as_str().unwrap().to_owned()));
        }
        let selection = app.url(&format!("/api/v1/programmes/{id}/selection"));
        // Before a run: the manager sees every application, an applicant only its own.
        let before: Value = manager.get(selection.clone()).send().await.unwrap().json().await.unwrap();
        assert_eq!((before["complete"].as_bool(), before["outcomes"].as_array().unwrap().len(), before["seed"].is_null()), (Some(true), 6, true));
        let (ameland, ameland_id) = &applicants[0];
        let mine: Value = ameland.get(selection.clone()).send().await.unwrap().json().await.unwrap();
        assert_eq!((mine["complete"].as_bool(), mine["outcomes"].as_array().unwrap().len()), (Some(false), 1));
        assert_eq!(mine["outcomes"][0]["application_id"], ameland_id.as_str());
        // Running: the role first (403), then the tenant (404 for another body's manager).
        assert_eq!(post(ameland, selection.clone(), &json!({"seed": 42})).await.0, 403);
        let other = app.organisation("VVSG", "national_body", "public", "GM0363").await;
        app.user("manager@vvsg.test", Role::ProgrammeManager, &other).await;
        let stranger = app.signed_in("manager@vvsg.test").await;
        assert_eq!(post(&stranger, selection.clone(), &json!({"seed": 42})).await.0, 404);
        assert_eq!(post(&manager, selection.clone(), &json!({"seed": 42, "wave_id": "onbekend"})).await.0, 422);
        let (status, location, first) = post(&manager, selection.clone(), &json!({"seed": 42})).await;
        assert_eq!(status, 201, "{first}");
        assert_eq!(location.as_deref(), Some(format!("/api/v1/programmes/{id}/selection").as_str()));
        assert_eq!(first["seed"], "42");
        let outcomes = first["outcomes"].as_array().unwrap();
        assert_eq!(outcomes.iter().filter(|o| o["status"] == "selected").count(), 3, "exactly the capacity");
        for o in outcomes {
            let p = o["probability"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&p));
            let words = o["explanation"].as_str().unwrap();
            assert!(words.starts_with("gekozen:") || words.starts_with("reservelijst (plaats"), "{words}");
            assert!(!words.contains('<') && !words.contains("&#"), "plain text: {words}");
        }
        // The same seed gives the same decisions.
        let (_, _, again) = post(&manager, selection.clone(), &json!({"seed": 42})).await;
        let decisions = |v: &Value| v["outcomes"].as_array().unwrap().iter().map(|o| (o["application_id"].as_str().unwrap().to_owned(), o["status"].as_str().unwrap().to_owned())).collect::<Vec<_>>();
        assert_eq!(decisions(&first), decisions(&again));
        // An applicant sees the published choice and its own decision, explained; the application says the same.
        let seen: Value = ameland.get(selection.clone()).send().await.unwrap().json().await.unwrap();
        let shown = seen["outcomes"].as_array().unwrap();
        assert_eq!(shown.iter().filter(|o| o["status"] == "selected").count(), 3);
        let own = shown.iter().find(|o| o["application_id"] == ameland_id.as_str()).unwrap();
        let detail: Value = ameland.get(app.url(&format!("/api/v1/applications/{ameland_id}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!((&detail["explanation"], &detail["probability"]), (&own["explanation"], &own["probability"]));
        assert!(shown.len() <= 4, "never another applicant's refusal or reserve place");
        // An override: managers only, a reason of 10 characters at least, kept and public.
        let reserve = outcomes.iter().find(|o| o["status"] == "reserve").unwrap()["application_id"].as_str().unwrap().to_owned();
        let change = app.url(&format!("/api/v1/applications/{reserve}/override"));
        assert_eq!(post(ameland, change.clone(), &json!({"status": "selected", "reason": "Enige Waddengemeente met een mobiel hulppunt"})).await.0, 403);
        assert_eq!(post(&stranger, change.clone(), &json!({"status": "selected", "reason": "Enige Waddengemeente met een mobiel hulppunt"})).await.0, 404);
        let (status, _, problem) = post(&manager, change.clone(), &json!({"status": "selected", "reason": "kort"})).await;
        assert_eq!((status, fields(&problem)), (422, vec!["reason".to_owned()]));
        let (status, _, problem) = post(&manager, change.clone(), &json!({"status": "gekozen", "reason": "Enige Waddengemeente met een mobiel hulppunt"})).await;
        assert_eq!((status, fields(&problem)), (422, vec!["status".to_owned()]));
        let (status, _, changed) = post(&manager, change.clone(), &json!({"status": "selected", "reason": "Enige Waddengemeente met een mobiel hulppunt"})).await;
        assert_eq!(status, 200, "{changed}");
        assert_eq!(changed["status"], "selected");
        let after: Value = app.browser().get(app.url(&format!("/programmas/{id}/deelnemers.json"))).send().await.unwrap().json().await.unwrap();
        assert_eq!((after["overridden"].as_bool(), after["participants"].as_array().unwrap().len()), (Some(true), 4));
        let seen: Value = ameland.get(selection.clone()).send().await.unwrap().json().await.unwrap();
        assert_eq!(seen["overrides"][0]["reason"], "Enige Waddengemeente met een mobiel hulppunt");
        assert_eq!((seen["overrides"][0]["from_status"].as_str(), seen["overrides"][0]["to_status"].as_str()), (Some("reserve"), Some("selected")));
        assert_eq!(app.browser().get(selection.clone()).send().await.unwrap().status(), 401);
        assert_eq!(ameland.get(app.url("/api/v1/programmes/onbekend/selection")).send().await.unwrap().status(), 404);
    };

    a_dossier_over_the_api_brugge_only_as_partner_members_confirm_and_a_missing_piece_is_asked => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let brugge = municipality(&app, "Brugge", "31005", "regie@brugge.test").await;
        municipality(&app, "Blankenberge", "31004", "regie@blankenberge.test").await;
        let damme = municipality(&app, "Damme", "31006", "regie@damme.test").await;
        municipality(&app, "Knokke-Heist", "31043", "regie@knokke-heist.test").await;
        // Brugge takes part in the City Deal e-Inclusie (selected there).
        let city_deal = json!({"kind": "call", "name": "City Deal e-Inclusie", "applicant_kind": "municipality", "opens_on": "2026-01-01",
            "closes_on": "2026-12-31", "budget_cents": 0, "cap_cents": 0, "max_participants": 10});
        let (_, _, deal) = post(&manager, app.url("/api/v1/programmes"), &city_deal).await;
        let b = app.signed_in("regie@brugge.test").await;
        let (status, _, _) = post(&b, app.url(&format!("/api/v1/programmes/{}/applications", deal["id"].as_str().unwrap())), &json!({"amount_cents": 0, "vat_included": true, "proposal": "Stad"})).await;
        assert_eq!(status, 201);
        app.store.execute_raw(&format!("UPDATE applications SET status = 'selected' WHERE organisation_id = '{brugge}'")).await.unwrap();
        let call = json!({"kind": "project_call", "name": "Iedereen Digitaal: projectoproep", "applicant_kind": "municipality", "opens_on": "2026-01-01",
            "closes_on": "2026-12-31", "budget_cents": 5_000_000_000_i64, "cap_cents": 40_000_000, "max_participants": 30, "country": "BE",
            "max_population": 150_000, "excluded_programmes": ["City Deal e-Inclusie"]});
        let (status, _, programme) = post(&manager, app.url("/api/v1/programmes"), &call).await;
        assert_eq!(status, 201, "{programme}");
        let url = app.url(&format!("/api/v1/programmes/{}/applications", programme["id"].as_str().unwrap()));
        // Brugge gets no funding itself, nor as a funded member; Rotterdam is not in Belgium.
        let (status, _, problem) = post(&b, url.clone(), &json!({"amount_cents": 10_000_000, "vat_included": true, "proposal": "Brugge"})).await;
        assert_eq!((status, fields(&problem)), (422, vec!["organisation_id".to_owned()]));
        assert!(problem["detail"].as_str().unwrap().contains("doet al mee aan City Deal e-Inclusie"));
        let rotterdam = app.signed_in(STEERING).await;
        let (status, _, problem) = post(&rotterdam, url.clone(), &json!({"amount_cents": 1, "vat_included": true, "proposal": "x"})).await;
        assert_eq!(status, 422);
        assert!(problem["detail"].as_str().unwrap().contains("alleen voor gemeenten in België"));
        let lead = app.signed_in("regie@blankenberge.test").await;
        let dossier = json!({"amount_cents": 9_900_000, "vat_included": true, "proposal": "Dossier Noord", "members": ["Damme", "Knokke-Heist", "Brugge"]});
        let (status, _, problem) = post(&lead, url.clone(), &dossier).await;
        assert_eq!((status, fields(&problem)), (422, vec!["members".to_owned()]));
        assert!(problem["detail"].as_str().unwrap().contains("Zet Brugge bij de partners"));
        let dossier = json!({"amount_cents": 9_900_000, "vat_included": true, "proposal": "Dossier Noord", "members": ["Damme", "31043"], "partners": ["Brugge"], "helix_partners": "Hogeschool VIVES"});
        let (status, _, created) = post(&lead, url.clone(), &dossier).await;
        assert_eq!(status, 201, "{created}");
        let members = created["members"].as_array().unwrap();
        assert_eq!(members.len(), 3);
        assert!(members.iter().all(|m| m["confirmed"] == false), "every member must confirm");
        assert!(members.iter().any(|m| m["municipality_code"] == "31005" && m["role"] == "partner"));
        let id = created["id"].as_str().unwrap().to_owned();
        let confirm = app.url(&format!("/api/v1/applications/{id}/membership"));
        // Damme confirms from its own account; Knokke-Heist cannot confirm for Damme; the manager is no member.
        let k = app.signed_in("regie@knokke-heist.test").await;
        assert_eq!(post(&k, confirm.clone(), &json!({"organisation_id": damme})).await.0, 404);
        assert_eq!(post(&manager, confirm.clone(), &json!({})).await.0, 403);
        assert_eq!(post(&rotterdam, confirm.clone(), &json!({})).await.0, 404);
        let d = app.signed_in("regie@damme.test").await;
        let (status, _, confirmed) = post(&d, confirm.clone(), &json!({})).await;
        assert_eq!(status, 200, "{confirmed}");
        let damme_line = confirmed["members"].as_array().unwrap().iter().find(|m| m["organisation_id"] == damme.as_str()).unwrap().clone();
        assert_eq!(damme_line["confirmed"], true);
        assert_eq!(confirmed["members"].as_array().unwrap().iter().filter(|m| m["confirmed"] == true).count(), 1);
        // The manager asks for a missing piece: managers only, a text, and the applicant sees it.
        let ask = app.url(&format!("/api/v1/applications/{id}/information-request"));
        assert_eq!(post(&lead, ask.clone(), &json!({"request": "Stuur de begroting mee."})).await.0, 403);
        let other = app.organisation("VVSG", "national_body", "public", "GM0363").await;
        app.user("manager@vvsg.test", Role::ProgrammeManager, &other).await;
        let stranger = app.signed_in("manager@vvsg.test").await;
        assert_eq!(post(&stranger, ask.clone(), &json!({"request": "Stuur de begroting mee."})).await.0, 404);
        let (status, _, problem) = post(&manager, ask.clone(), &json!({"request": " "})).await;
        assert_eq!((status, fields(&problem)), (422, vec!["request".to_owned()]));
        let (status, _, asked) = post(&manager, ask.clone(), &json!({"request": "Stuur de begroting mee."})).await;
        assert_eq!((status, asked["status"].as_str(), asked["info_request"].as_str()), (200, Some("missing_info"), Some("Stuur de begroting mee.")));
        let seen: Value = lead.get(app.url(&format!("/api/v1/applications/{id}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(seen["info_request"], "Stuur de begroting mee.");
        // Resubmitting clears the request.
        let (status, _, again) = post(&lead, url.clone(), &dossier).await;
        assert_eq!((status, again["status"].as_str(), again["info_request"].is_null()), (200, Some("submitted"), true));
    };
}
