//! The cost-benefit analysis (MKBA) under `/api/v1/scba` on both databases: computed from the registered outcomes
//! through the rollups with the model that applies (own copy, national default, keten's default); saving a model
//! checks role, tenant and every parameter.

use crate::support::TestApp;
use crate::support::demo_users::{STAFF, STEERING};
use keten_core::account::Role;
use serde_json::{Value, json};

const PROGRAMME: &str = "programma@digitale-inclusie.demo.keten.nl";

/// Registers one visit of `n` questions on `topic` ending in `outcome` over the API as staff.
async fn register(
    app: &TestApp,
    staff: &reqwest::Client,
    point: &str,
    topic: &str,
    outcome: &str,
    n: usize,
) {
    for _ in 0..n {
        let r = staff
            .post(app.url("/api/v1/help-questions"))
            .json(&json!({
                "help_point_id": point,
                "questions": [{"topic": topic, "minutes": 30, "outcome": outcome}]
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
}

async fn scba(app: &TestApp, client: &reqwest::Client, query: &str) -> Value {
    let r = client
        .get(app.url(&format!("/api/v1/scba{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{query}");
    r.json().await.unwrap()
}

fn parameter<'a>(model: &'a mut Value, code: &str) -> &'a mut Value {
    model["parameters"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["param"] == code)
        .unwrap()
}

/// A model as an earlier keten stored it: one phone and one desk contact cost for all agencies.
fn old_model_json(phone: f64, desk: f64) -> Value {
    let mut json = serde_json::to_value(keten_core::scba::ScbaModel::default_model()).unwrap();
    let parameters = json["parameters"].as_array_mut().unwrap();
    parameters.retain(|p| {
        let code = p["param"].as_str().unwrap();
        !code.starts_with("phone_contact_cost_") && !code.starts_with("desk_contact_cost_")
    });
    for (code, base) in [("phone_contact_cost", phone), ("desk_contact_cost", desk)] {
        parameters.push(json!({"param": code, "low": base / 2.0, "base": base, "high": base * 2.0,
            "rationale": "Eén bedrag voor alle instanties.", "source": "Eigen meting Rotterdam 2024"}));
    }
    json
}

fn flows<'a>(body: &'a Value, category: &str) -> Vec<&'a Value> {
    body["result"]["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["category"] == category)
        .collect()
}

fn base_of(body: &Value, code: &str) -> f64 {
    body["model"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["param"] == code)
        .unwrap()["base"]
        .as_f64()
        .unwrap()
}

crate::both_backends! {
    computed_from_registered_outcomes_with_the_default_model => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let staff = app.signed_in(STAFF).await;
        let steering = app.signed_in(STEERING).await;
        register(&app, &staff, &central, "belastingen-toeslagen", "solved", 4).await;
        register(&app, &staff, &central, "digid", "not_solved", 2).await;
        let first = scba(&app, &steering, "").await;
        assert_eq!(first["about"]["municipality_code"], "GM0599");
        assert_eq!(first["about"]["model_origin"], "default");
        let rows = first["outcomes"]["rows"].as_array().unwrap();
        let solved: u64 = rows.iter().filter(|r| r["outcome"] == "solved").map(|r| r["questions"].as_u64().unwrap()).sum();
        assert_eq!(solved, 4);
        assert_eq!(first["outcomes"]["help_points"], 1);
        // Effective solved questions per year: 4 solved, scaled from the period's days to 365.
        let days = first["outcomes"]["days"].as_f64().unwrap();
        let effective = first["result"]["effective_solved"].as_f64().unwrap();
        assert!((effective - 4.0 * 365.0 / days).abs() < 1e-6, "{effective}");
        // Allowances taken up are a transfer: shown, and not in the benefits.
        assert!(first["result"]["yearly_transfers"].as_f64().unwrap() > 0.0);
        assert!(first["tornado"].as_array().unwrap().len() > 10);
        assert_eq!(first["personas"].as_array().unwrap().len(), 3);
        let s = &first["scenarios"];
        assert!(s["pessimistic"].as_f64() <= s["base"].as_f64() && s["base"].as_f64() <= s["optimistic"].as_f64());
        // More solved questions never lower the benefits.
        register(&app, &staff, &central, "geldzaken-schulden", "solved", 3).await;
        let second = scba(&app, &steering, "").await;
        assert!(second["result"]["yearly_benefits"].as_f64() > first["result"]["yearly_benefits"].as_f64());
        // The OpenAPI document describes it.
        let doc: Value = app.browser().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
        assert!(doc["paths"]["/api/v1/scba"]["get"].is_object());
        assert!(doc["paths"]["/api/v1/scba/model"]["put"].is_object());
    };

    saved_models_apply_by_tenant_and_are_checked => |app: TestApp| async move {
        app.demo_chain().await;
        let schiedam = app.organisation_id("Gemeente Schiedam").await;
        app.user("regie@schiedam.test", Role::Steering, &schiedam).await;
        let other = app.signed_in("regie@schiedam.test").await;
        let steering = app.signed_in(STEERING).await;
        let programme = app.signed_in(PROGRAMME).await;
        let staff = app.signed_in(STAFF).await;

        let mut model = scba(&app, &steering, "").await["model"].clone();
        // A bad range is refused with the parameter named, and nothing is saved.
        let mut bad = model.clone();
        parameter(&mut bad, "value_of_time")["low"] = json!(20.0);
        let r = steering.put(app.url("/api/v1/scba/model?municipality=GM0599")).json(&bad).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let text = r.text().await.unwrap();
        assert!(text.contains("value_of_time") && text.contains("lage waarde"), "{text}");
        assert_eq!(scba(&app, &steering, "").await["about"]["model_origin"], "default");

        // Rotterdam's own copy.
        parameter(&mut model, "value_of_time")["base"] = json!(12.0);
        let r = steering.put(app.url("/api/v1/scba/model?municipality=GM0599")).json(&model).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let again = steering.put(app.url("/api/v1/scba/model?municipality=GM0599")).json(&model).send().await.unwrap();
        assert_eq!(again.json::<Value>().await.unwrap()["version"], 2);
        let own = scba(&app, &steering, "").await;
        assert_eq!(own["about"]["model_origin"], "municipality");
        assert_eq!(parameter(&mut own["model"].clone(), "value_of_time")["base"], 12.0);

        // Another municipality's steering can neither save Rotterdam's copy nor read Rotterdam's analysis.
        let r = other.put(app.url("/api/v1/scba/model?municipality=GM0599")).json(&model).send().await.unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(other.get(app.url("/api/v1/scba?municipality=GM0599")).send().await.unwrap().status(), 404);
        // Steering cannot set the national default; staff has no access at all; anonymous is 401.
        assert_eq!(steering.put(app.url("/api/v1/scba/model")).json(&model).send().await.unwrap().status(), 404);
        assert_eq!(staff.put(app.url("/api/v1/scba/model?municipality=GM0599")).json(&model).send().await.unwrap().status(), 403);
        assert_eq!(staff.get(app.url("/api/v1/scba")).send().await.unwrap().status(), 403);
        assert_eq!(app.browser().get(app.url("/api/v1/scba")).send().await.unwrap().status(), 401);

        // The national default applies to Schiedam, not to Rotterdam, which keeps its own copy.
        parameter(&mut model, "value_of_time")["base"] = json!(9.0);
        let r = programme.put(app.url("/api/v1/scba/model")).json(&model).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let schiedam_view = scba(&app, &other, "").await;
        assert_eq!(schiedam_view["about"]["model_origin"], "national");
        assert_eq!(parameter(&mut schiedam_view["model"].clone(), "value_of_time")["base"], 9.0);
        assert_eq!(scba(&app, &steering, "").await["about"]["model_origin"], "municipality");
        assert_eq!(scba(&app, &programme, "?municipality=GM0606").await["about"]["model_origin"], "national");
    };

    workbook_has_live_formulas_over_named_assumptions => |app: TestApp| async move {
        use calamine::{Data, Reader, Xlsx};
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let staff = app.signed_in(STAFF).await;
        let steering = app.signed_in(STEERING).await;
        register(&app, &staff, &central, "belastingen-toeslagen", "solved", 3).await;
        register(&app, &staff, &central, "geldzaken-schulden", "partly_solved", 2).await;
        let json = scba(&app, &steering, "").await;
        let r = steering.get(app.url("/regie/waarde/mkba.xlsx")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        // Every parameter is a named cell beside its range, rationale and source.
        let names: Vec<String> = book.defined_names().iter().map(|(n, _)| n.clone()).collect();
        for code in ["value_of_time", "staff_rate", "risk_premium", "eff_all", "npv"] {
            assert!(names.iter().any(|n| n == code), "{code} in {names:?}");
        }
        let assumptions = book.worksheet_range("Aannames").unwrap();
        let sources: Vec<String> = assumptions.rows().skip(1).map(|r| r[7].to_string()).collect();
        assert!(sources.iter().all(|s| !s.is_empty()) && sources.iter().any(|s| s.starts_with("Rapport Werkgroep discontovoet")));
        // The results are formulas over the named assumptions, not numbers.
        let formulas = book.worksheet_formula("Resultaat").unwrap();
        let all: Vec<String> = formulas.rows().flat_map(|r| r.iter().cloned()).filter(|f| !f.is_empty()).collect();
        assert!(all.iter().any(|f| f.contains("hours_saved*value_of_time")), "{all:?}");
        assert!(all.iter().any(|f| f.contains("(benefits-costs)*annuity")), "{all:?}");
        assert!(all.iter().any(|f| f.contains("risk_free_rate+risk_premium")), "{all:?}");
        let effective = book.worksheet_formula("Uitkomsten").unwrap();
        assert!(effective.rows().flatten().any(|f| f.contains("partly_solved_weight")));
        // Their stored results are the API's figures.
        let values = book.worksheet_range("Resultaat").unwrap();
        let npv_row = values.rows().find(|r| r[0] == Data::String("Netto contante waarde".into())).unwrap();
        let npv = match &npv_row[2] { Data::Float(f) => *f, other => panic!("{other:?}") };
        assert!((npv - json["result"]["npv"].as_f64().unwrap()).abs() < 1e-6);
        // Role and tenant as on /regie.
        assert_eq!(staff.get(app.url("/regie/waarde/mkba.xlsx")).send().await.unwrap().status(), 403);
        let schiedam = app.organisation_id("Gemeente Schiedam").await;
        app.user("regie@schiedam.test", Role::Steering, &schiedam).await;
        let other = app.signed_in("regie@schiedam.test").await;
        assert_eq!(other.get(app.url("/regie/waarde/mkba.xlsx?municipality=GM0599")).send().await.unwrap().status(), 404);
    };

    page_explains_the_result_with_every_assumption => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let staff = app.signed_in(STAFF).await;
        let steering = app.signed_in(STEERING).await;
        register(&app, &staff, &central, "belastingen-toeslagen", "solved", 2).await;
        let r = steering.get(app.url("/regie/waarde")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        for text in [
            "Wat leveren de hulppunten op: Rotterdam",
            "het standaardmodel van keten",
            "Overdrachten per jaar",
            "Waarde van een uur van een inwoner: 10 euro per uur (bron: Aanname, in lijn met KiM",
            "Rapport Werkgroep discontovoet 2020",
            "Netto contante waarde bij 2,25% discontovoet",
            "/regie/waarde/mkba.xlsx?",
            "<svg",
            "Een gepensioneerde die zonder hulp geen huurtoeslag had aangevraagd",
        ] {
            assert!(html.contains(text), "{text}");
        }
        assert_eq!(staff.get(app.url("/regie/waarde")).send().await.unwrap().status(), 403);
        let schiedam = app.organisation_id("Gemeente Schiedam").await;
        app.user("regie@schiedam.test", Role::Steering, &schiedam).await;
        let other = app.signed_in("regie@schiedam.test").await;
        assert_eq!(other.get(app.url("/regie/waarde?municipality=GM0599")).send().await.unwrap().status(), 404);
    };

    contacts_avoided_are_valued_per_agency_on_the_page_in_the_api_and_in_the_workbook => |app: TestApp| async move {
        use calamine::{Data, Reader, Xlsx};
        use keten_store::categories::{Category, CategoryList};
        app.demo_chain().await;
        // An agency the admin added: it has no costs of its own and uses those of "other".
        app.store.add_category(CategoryList::Agency, &Category {
            code: "woningcorporatie".into(), label: "Woningcorporatie Maasstad".into(), monitor_code: "overig".into(),
        }).await.unwrap();
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let staff = app.signed_in(STAFF).await;
        let steering = app.signed_in(STEERING).await;
        // The desk's usual agency per topic: UWV, the municipality, the Belastingdienst.
        register(&app, &staff, &central, "uitkering-pensioen", "solved", 3).await;
        register(&app, &staff, &central, "wonen", "solved", 2).await;
        register(&app, &staff, &central, "belastingen-toeslagen", "not_solved", 1).await;
        let r = staff.post(app.url("/api/v1/help-questions"))
            .json(&json!({"help_point_id": central, "questions": [{"topic": "wonen", "agency": "woningcorporatie", "minutes": 20, "outcome": "solved"}]}))
            .send().await.unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

        let body = scba(&app, &steering, "").await;
        let year = 365.0 / body["outcomes"]["days"].as_f64().unwrap();
        let contacts = flows(&body, "contacts");
        let agencies: Vec<&str> = contacts.iter().map(|f| f["agency"].as_str().unwrap()).collect();
        assert_eq!(agencies, ["belastingdienst", "uwv", "municipality", "woningcorporatie"]);
        // Each at its own costs, 1 phone call and 0,1 desk visit avoided per solved question (keten's default).
        for (agency, solved, phone, desk, group) in [
            ("uwv", 3.0, 9.0, 35.0, "agencies"),
            ("municipality", 2.0, 7.0, 30.0, "municipality"),
            ("woningcorporatie", 1.0, 2.0, 5.0, "agencies"),
            ("belastingdienst", 0.0, 10.0, 40.0, "agencies"),
        ] {
            let f = contacts.iter().find(|f| f["agency"] == agency).unwrap();
            let expected = solved * year * (phone + 0.1 * desk);
            assert!((f["yearly"].as_f64().unwrap() - expected).abs() < 1e-6, "{agency}: {f}");
            assert_eq!(f["group"], group, "{agency}");
        }
        let fallback = contacts.iter().find(|f| f["agency"] == "woningcorporatie").unwrap();
        assert!(fallback["drivers"].as_array().unwrap().contains(&json!("phone_contact_cost_other")));
        // The tornado leaves out what changes nothing (the DUO had no questions), and says which.
        let tornado: Vec<&str> = body["tornado"].as_array().unwrap().iter().map(|b| b["param"].as_str().unwrap()).collect();
        let left_out: Vec<&str> = body["tornado_without_effect"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        assert!(tornado.contains(&"phone_contact_cost_uwv") && !tornado.contains(&"phone_contact_cost_duo"), "{tornado:?}");
        assert!(left_out.contains(&"phone_contact_cost_duo") && left_out.contains(&"phone_contact_cost_belastingdienst"), "{left_out:?}");
        assert!(body["tornado"].as_array().unwrap().iter().all(|b| b["npv_low"] != b["npv_high"]));

        // The page: a table per agency, the added agency by its name, the tornado's note.
        let html = steering.get(app.url("/regie/waarde")).send().await.unwrap().text().await.unwrap();
        for text in [
            "Contacten voorkomen per instantie",
            "Contacten bij instanties voorkomen: UWV",
            "Woningcorporatie Maasstad (kosten van \"andere instantie\")",
            "Kosten van een telefonisch contact bij het UWV: 9 euro (bron: Aanname)",
            "staan niet in de grafiek",
            "<li>Kosten van een telefonisch contact bij DUO</li>",
        ] {
            assert!(html.contains(text), "{text}");
        }

        // The workbook: a named cell per agency cost and live formulas per agency.
        let r = steering.get(app.url("/regie/waarde/mkba.xlsx")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
        let names: Vec<String> = book.defined_names().iter().map(|(n, _)| n.clone()).collect();
        for name in ["phone_contact_cost_uwv", "desk_contact_cost_other", "eff_agency_uwv", "eff_agency_woningcorporatie"] {
            assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
        }
        let result = book.worksheet_formula("Resultaat").unwrap();
        let all: Vec<String> = result.rows().flat_map(|r| r.iter().cloned()).filter(|f| !f.is_empty()).collect();
        assert!(all.iter().any(|f| f.contains("eff_agency_uwv*(phone_contacts_avoided*phone_contact_cost_uwv+desk_contacts_avoided*desk_contact_cost_uwv)")), "{all:?}");
        assert!(all.iter().any(|f| f.contains("eff_agency_woningcorporatie*(phone_contacts_avoided*phone_contact_cost_other")), "{all:?}");
        let formulas = book.worksheet_formula("Contacten").unwrap();
        let contact_formulas: Vec<String> = formulas.rows().flat_map(|r| r.iter().cloned()).filter(|f| !f.is_empty()).collect();
        assert!(contact_formulas.iter().any(|f| f.contains("phone_contact_cost_municipality")), "{contact_formulas:?}");
        assert!(contact_formulas.iter().any(|f| f.contains("*phone_contacts_avoided")), "{contact_formulas:?}");
        let values = book.worksheet_range("Contacten").unwrap();
        let uwv = values.rows().find(|r| r[0] == Data::String("UWV".into())).unwrap();
        let euro = match &uwv[4] { Data::Float(f) => *f, other => panic!("{other:?}") };
        let api = contacts.iter().find(|f| f["agency"] == "uwv").unwrap()["yearly"].as_f64().unwrap();
        assert!((euro - api).abs() < 1e-6, "{euro} {api}");
        let phone_calls = match &uwv[2] { Data::Float(f) => *f, other => panic!("{other:?}") };
        assert!((phone_calls - 3.0 * year).abs() < 1e-6);
        assert!(values.rows().any(|r| r[0] == Data::String("Woningcorporatie Maasstad".into())));
    };

    a_model_stored_with_the_old_contact_costs_still_loads_and_the_api_refuses_the_old_names => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let staff = app.signed_in(STAFF).await;
        let steering = app.signed_in(STEERING).await;
        let schiedam = app.organisation_id("Gemeente Schiedam").await;
        app.user("regie@schiedam.test", Role::Steering, &schiedam).await;
        let other = app.signed_in("regie@schiedam.test").await;
        register(&app, &staff, &central, "uitkering-pensioen", "solved", 2).await;
        // Rotterdam saved its copy before the split: store one, then give it the old shape.
        let model = scba(&app, &steering, "").await["model"].clone();
        let r = steering.put(app.url("/api/v1/scba/model?municipality=GM0599")).json(&model).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let old = old_model_json(11.0, 44.0).to_string().replace('\'', "''");
        app.store.execute_raw(&format!("UPDATE scba_models SET parameters = '{old}' WHERE municipality_code = 'GM0599'")).await.unwrap();

        // It loads: the old single cost is every agency's cost, with its source.
        let body = scba(&app, &steering, "").await;
        assert_eq!(body["about"]["model_origin"], "municipality");
        for code in ["phone_contact_cost_uwv", "phone_contact_cost_belastingdienst", "phone_contact_cost_other"] {
            assert!((base_of(&body, code) - 11.0).abs() < 1e-9, "{code}");
        }
        assert!((base_of(&body, "desk_contact_cost_municipality") - 44.0).abs() < 1e-9);
        let year = 365.0 / body["outcomes"]["days"].as_f64().unwrap();
        let uwv = flows(&body, "contacts").into_iter().find(|f| f["agency"] == "uwv").unwrap().clone();
        assert!((uwv["yearly"].as_f64().unwrap() - 2.0 * year * (11.0 + 0.1 * 44.0)).abs() < 1e-6, "{uwv}");
        let page = app.get_as(&steering, "/regie/waarde/parameters").await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("name=\"phone_contact_cost_uwv.base\" inputmode=\"decimal\" value=\"11\""), "the form shows the old value at each agency");
        assert!(html.contains("Eigen meting Rotterdam 2024"));
        assert_eq!(app.get_as(&steering, "/regie/waarde").await.status(), 200);
        assert_eq!(steering.get(app.url("/regie/waarde/mkba.xlsx")).send().await.unwrap().status(), 200);

        // A client that still sends the old names hears what replaced them; nothing is saved.
        let r = steering.put(app.url("/api/v1/scba/model?municipality=GM0599")).json(&old_model_json(11.0, 44.0)).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let problem: Value = r.json().await.unwrap();
        let text = problem.to_string();
        assert!(text.contains("phone_contact_cost") && text.contains("bestaat niet meer"), "{text}");
        assert!(text.contains("phone_contact_cost_other") && text.contains("desk_contact_cost_belastingdienst"), "{text}");
        let actor = app.actor(STEERING).await;
        assert_eq!(app.store.scba_model_versions(&actor, Some("GM0599")).await.unwrap().len(), 1);
        // The tenant is checked before the body: another municipality hears 404 whatever it sends.
        let r = other.put(app.url("/api/v1/scba/model?municipality=GM0599")).json(&old_model_json(11.0, 44.0)).send().await.unwrap();
        assert_eq!(r.status(), 404);
        // Today's names save.
        let mut upgraded = body["model"].clone();
        upgraded["parameters"].as_array_mut().unwrap().iter_mut().find(|p| p["param"] == "phone_contact_cost_uwv").unwrap()["base"] = json!(12.0);
        let r = steering.put(app.url("/api/v1/scba/model?municipality=GM0599")).json(&upgraded).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert!((base_of(&scba(&app, &steering, "").await, "phone_contact_cost_uwv") - 12.0).abs() < 1e-9);
    };
}
