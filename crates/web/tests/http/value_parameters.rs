//! The MKBA parameter form `/regie/waarde/parameters` on both databases: Dutch decimal input, every save a new
//! version (old ones kept, the version in use named on the analysis), a refused value re-rendered with everything
//! typed, and role and tenant checks (steering its own copy, programme managers the national default).

use crate::support::TestApp;
use crate::support::demo_users::{PARTNER, STAFF, STEERING};
use keten_core::account::Role;
use keten_core::scba::ScbaModel;
use serde_json::Value;

const PROGRAMME: &str = "programma@digitale-inclusie.demo.keten.nl";
const PAGE: &str = "/regie/waarde/parameters";

/// The form of keten's default model as a Dutch user would type it (decimal commas), with `changes` on top.
fn form(changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let model = ScbaModel::default_model();
    let mut fields = vec![("name".to_owned(), model.name.clone())];
    for p in &model.parameters {
        let code = p.param.as_str();
        let typed = |v: f64| format!("{v}").replace('.', ",");
        fields.push((format!("{code}.low"), typed(p.low)));
        fields.push((format!("{code}.base"), typed(p.base)));
        fields.push((format!("{code}.high"), typed(p.high)));
        fields.push((format!("{code}.rationale"), p.rationale.clone()));
        fields.push((format!("{code}.source"), p.source.clone()));
    }
    for (key, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push(((*key).to_owned(), (*value).to_owned())),
        }
    }
    fields
}

async fn save(
    app: &TestApp,
    client: &reqwest::Client,
    page: &str,
    changes: &[(&str, &str)],
) -> reqwest::Response {
    let fields = form(changes);
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post_form(client, page, PAGE, &borrowed).await
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

async fn html(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = app.get_as(client, path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

crate::both_backends! {
    steering_saves_dutch_decimals_as_new_versions_and_the_analysis_names_the_version => |app: TestApp| async move {
        app.demo_chain().await;
        let steering = app.signed_in(STEERING).await;
        let first = html(&app, &steering, PAGE).await;
        assert!(first.contains("Rotterdam") && first.contains("standaardmodel"), "{first}");
        // Every parameter has its five fields, a rate shown with all its decimals and a decimal comma.
        assert!(first.contains("name=\"value_of_time.base\"") && first.contains("name=\"horizon_years.source\""));
        assert!(first.contains("value=\"0,0325\""), "the risk premium keeps its decimals");

        let r = save(&app, &steering, PAGE, &[
            ("value_of_time.low", "5"),
            ("value_of_time.base", "12,50"),
            ("value_of_time.high", "1.250,75"),
            ("value_of_time.source", "Eigen onderzoek gemeente Rotterdam 2026"),
        ]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/regie/waarde/parameters?municipality=GM0599&bewaard=1");
        let own = scba(&app, &steering, "").await;
        assert_eq!(own["about"]["model_origin"], "municipality");
        assert_eq!(own["model"]["version"], 1);
        assert!((base_of(&own, "value_of_time") - 12.5).abs() < 1e-9);
        let high = own["model"]["parameters"].as_array().unwrap().iter().find(|p| p["param"] == "value_of_time").unwrap()["high"].as_f64().unwrap();
        assert!((high - 1250.75).abs() < 1e-9, "{high}");

        // A second save is version 2; version 1 is kept and listed.
        let r = save(&app, &steering, PAGE, &[("value_of_time.base", "13"), ("name", "Rotterdam 2027")]).await;
        assert_eq!(r.status(), 303);
        let actor = app.actor(STEERING).await;
        let versions = app.store.scba_model_versions(&actor, Some("GM0599")).await.unwrap();
        assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![2, 1]);
        let page = html(&app, &steering, "/regie/waarde/parameters?municipality=GM0599&bewaard=1").await;
        assert!(page.contains("bewaard als nieuwe versie"));
        assert!(page.contains("Versie 2 (in gebruik)") && page.contains("Versie 1<") && page.contains("Rotterdam 2027"), "{page}");
        // The form shows the newest version (the second save sent the default source again).
        assert!(page.contains("value=\"13\"") && !page.contains("Eigen onderzoek gemeente Rotterdam 2026"));
        assert!((base_of(&scba(&app, &steering, "").await, "value_of_time") - 13.0).abs() < 1e-9);

        // The analysis names the model and version its figures use, and links to the form.
        let value = html(&app, &steering, "/regie/waarde").await;
        assert!(value.contains("het eigen model van de gemeente, versie 2"), "{value}");
        assert!(value.contains("href=\"/regie/waarde/parameters?municipality=GM0599\""));
        // Every assumption beside its figure with all its decimals: the risk premium reads 0,0325, not 0,03.
        assert!(value.contains(">0,0325<"), "{value}");
    };

    a_refused_value_comes_back_with_everything_typed_and_nothing_saved => |app: TestApp| async move {
        app.demo_chain().await;
        let steering = app.signed_in(STEERING).await;
        let r = save(&app, &steering, PAGE, &[
            ("value_of_time.base", "twaalf"),
            ("value_of_time.rationale", "Mijn eigen reden voor dit uurtarief"),
            ("debt_cost.low", "9.000"),
        ]).await;
        assert_eq!(r.status(), 422);
        let body = r.text().await.unwrap();
        assert!(body.contains("value=\"twaalf\"") && body.contains("Mijn eigen reden voor dit uurtarief"), "{body}");
        assert!(body.contains("value=\"9.000\""), "other typed values stay as typed");
        assert!(body.contains("Vul bij de basiswaarde een getal in, bijvoorbeeld 12,50."));
        assert!(body.contains("id=\"value_of_time-base\" name=\"value_of_time.base\" inputmode=\"decimal\" value=\"twaalf\" aria-invalid=\"true\" aria-describedby=\"value_of_time-error\""), "{body}");
        assert!(body.contains("Er is niets bewaard"));
        assert_eq!(scba(&app, &steering, "").await["about"]["model_origin"], "default");

        // Numbers that read but break the model's rules: a share above 1, a range upside down, no source.
        let r = save(&app, &steering, PAGE, &[
            ("error_share.high", "1,5"),
            ("debt_cost.low", "999.999"),
            ("job_value.source", " "),
            ("name", ""),
        ]).await;
        assert_eq!(r.status(), 422);
        let body = r.text().await.unwrap();
        assert!(body.contains("kies waarden tussen 0 en 1"), "{body}");
        assert!(body.contains("de lage waarde mag niet boven de basiswaarde liggen"));
        assert!(body.contains("noem een bron"));
        assert!(body.contains("Geef het model een naam."));
        assert!(body.contains("value=\"1,5\"") && body.contains("value=\"999.999\""));
        assert!(body.contains("Verbeter eerst 4 aannames"), "three parameters and the name");
        let actor = app.actor(STEERING).await;
        assert!(app.store.scba_model_versions(&actor, Some("GM0599")).await.unwrap().is_empty());
    };

    steering_edits_its_own_copy_programme_managers_the_national_default_others_nothing => |app: TestApp| async move {
        app.demo_chain().await;
        let schiedam = app.organisation_id("Gemeente Schiedam").await;
        app.user("regie@schiedam.test", Role::Steering, &schiedam).await;
        let other = app.signed_in("regie@schiedam.test").await;
        let steering = app.signed_in(STEERING).await;
        let programme = app.signed_in(PROGRAMME).await;
        let staff = app.signed_in(STAFF).await;
        let partner = app.signed_in(PARTNER).await;

        // Other roles: 403 for the page and the save; anonymous is sent to sign in.
        assert_eq!(app.get_as(&staff, PAGE).await.status(), 403);
        assert_eq!(app.get_as(&partner, PAGE).await.status(), 403);
        assert_eq!(save(&app, &staff, "/account", &[]).await.status(), 403);
        let r = app.browser().get(app.url(PAGE)).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert!(r.headers()["location"].to_str().unwrap().starts_with("/aanmelden"));

        // Another municipality's copy is 404 to see and to save, and nothing is saved.
        assert_eq!(app.get_as(&other, "/regie/waarde/parameters?municipality=GM0599").await.status(), 404);
        let r = save(&app, &other, PAGE, &[("municipality", "GM0599"), ("value_of_time.base", "11")]).await;
        assert_eq!(r.status(), 404);
        let rotterdam = app.actor(STEERING).await;
        assert!(app.store.scba_model_versions(&rotterdam, Some("GM0599")).await.unwrap().is_empty());
        // Programme managers edit the national default, not a municipality's copy.
        assert_eq!(app.get_as(&programme, "/regie/waarde/parameters?municipality=GM0599").await.status(), 404);

        // The national default, saved by the programme manager, applies to Schiedam (no copy of its own).
        let national = html(&app, &programme, PAGE).await;
        assert!(national.contains("het landelijke model"), "{national}");
        let r = save(&app, &programme, PAGE, &[("value_of_time.base", "9,5")]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/regie/waarde/parameters?bewaard=1");
        let all = html(&app, &programme, "/regie/waarde").await;
        assert!(all.contains("het landelijke model, versie 1") && all.contains("href=\"/regie/waarde/parameters\""), "{all}");
        // Looking at one municipality, the programme manager gets no form: that copy is its steering's.
        let one = html(&app, &programme, "/regie/waarde?municipality=GM0599").await;
        assert!(!one.contains("/regie/waarde/parameters"));
        let schiedam_view = scba(&app, &other, "").await;
        assert_eq!(schiedam_view["about"]["model_origin"], "national");
        assert!((base_of(&schiedam_view, "value_of_time") - 9.5).abs() < 1e-9);
        // Schiedam's steering starts its own copy from the national default; saving it leaves the national one.
        let start = html(&app, &other, PAGE).await;
        assert!(start.contains("nog geen eigen model") && start.contains("value=\"9,5\""), "{start}");
        let r = save(&app, &other, PAGE, &[("value_of_time.base", "10,25")]).await;
        assert_eq!(r.status(), 303);
        let schiedam_view = scba(&app, &other, "").await;
        assert_eq!(schiedam_view["about"]["model_origin"], "municipality");
        assert!((base_of(&schiedam_view, "value_of_time") - 10.25).abs() < 1e-9);
        let national = scba(&app, &programme, "").await;
        assert_eq!(national["about"]["model_origin"], "national");
        assert!((base_of(&national, "value_of_time") - 9.5).abs() < 1e-9);
        // Rotterdam has no copy yet either, so it uses the national one too.
        assert_eq!(scba(&app, &steering, "").await["about"]["model_origin"], "national");
    };

    saves_at_the_same_moment_each_become_a_version => |app: TestApp| async move {
        app.demo_chain().await;
        let steering = app.signed_in(STEERING).await;
        let token = app.csrf_token(&steering, PAGE).await;
        let mut saves = Vec::new();
        for n in 0..4 {
            let mut fields = form(&[("name", &format!("Gelijktijdig {n}"))]);
            fields.push(("csrf_token".to_owned(), token.clone()));
            let client = steering.clone();
            let url = app.url(PAGE);
            saves.push(tokio::spawn(async move { client.post(url).form(&fields).send().await.unwrap().status() }));
        }
        for save in saves {
            assert_eq!(save.await.unwrap(), 303);
        }
        let actor = app.actor(STEERING).await;
        let versions = app.store.scba_model_versions(&actor, Some("GM0599")).await.unwrap();
        assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![4, 3, 2, 1]);
        let mut names: Vec<_> = versions.iter().map(|v| v.name.clone()).collect();
        names.sort();
        assert_eq!(names, ["Gelijktijdig 0", "Gelijktijdig 1", "Gelijktijdig 2", "Gelijktijdig 3"]);
        // The model read back carries the number it was saved under.
        assert_eq!(scba(&app, &steering, "").await["model"]["version"], 4);
    };
}
