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
}
