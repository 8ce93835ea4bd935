//! Guided trajectories and group meetings on both databases: the intake rule (1 staff member refused, 2 without
//! a manager refused, 2 with a manager accepted), the end date before leaving the extended intake, the yearly cap
//! and the intermunicipal exception, attendance shortfall on the manager's and the participant's page, forms that
//! keep their input, and roles and tenants (the local government sees only its own trajectory; another
//! programme's manager gets 404).

use crate::support::TestApp;
use crate::support::demo_users::{STAFF, STEERING};
use keten_core::account::Role;
use serde_json::{Value, json};

const MANAGER: &str = "programma@digitale-inclusie.demo.keten.nl";

/// The test clock's day is 2 March 2026.
const CONDITIONS: &str = "Alleen lokale besturen nemen deel\nHet management engageert zich\nEr is een afgesproken uiterste einddatum";

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// A trajectory programme made through the manager's form; returns its id.
async fn trajectory_programme(app: &TestApp, manager: &reqwest::Client) -> String {
    let fields: Vec<(&str, &str)> = vec![
        ("kind", "trajectory"),
        (
            "name",
            "Ondersteuningstraject digitale inclusie (VVSG en Mediawijs)",
        ),
        ("description", "Begeleiding van drie lokale besturen"),
        ("applicant_kind", "municipality"),
        ("opens_on", "01-01-2026"),
        ("closes_on", "28-03-2026"),
        ("budget", "0"),
        ("cap", "0"),
        ("cap_vat_included", "1"),
        ("vat_percent", "21"),
        ("max_participants", "3"),
        ("country", "BE"),
        ("conditions", CONDITIONS),
        ("small_below", "20.000"),
        ("large_from", "50.000"),
    ];
    let r = app
        .post_form(manager, "/programmas/nieuw", "/programmas/nieuw", &fields)
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    location(&r)
        .trim_start_matches("/programmas/")
        .trim_end_matches("/beheer")
        .to_owned()
}

/// A local government with a steering user; returns its organisation id.
async fn local_government(app: &TestApp, name: &str, code: &str, email: &str) -> String {
    let org = app
        .organisation(&format!("Gemeente {name}"), "municipality", "public", code)
        .await;
    app.user(email, Role::Steering, &org).await;
    org
}

async fn start(
    client: &reqwest::Client,
    app: &TestApp,
    programme: &str,
    body: Value,
) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/v1/programmes/{programme}/trajectories")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn attendee(name: &str, role: &str) -> Value {
    json!({"name": name, "role": role})
}

both_backends! {
    intake_needs_two_staff_with_a_manager_and_the_end_date_comes_before_the_work => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = trajectory_programme(&app, &manager).await;
        local_government(&app, "Brugge", "31005", "regie@brugge.test").await;
        let r = start(&manager, &app, &id, json!({"municipality": "Brugge", "year": 2026})).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let t: Value = r.json().await.unwrap();
        let tid = t["id"].as_str().unwrap().to_owned();
        assert_eq!(t["stage"], "intake");
        assert!(t["end_date"].is_null());
        let intakes = app.url(&format!("/api/v1/programmes/{id}/trajectories/{tid}/intakes"));

        // One staff member of the local government: refused.
        let r = manager.post(&intakes).json(&json!({"kind": "introduction", "held_on": "2026-03-01",
            "attendees": [attendee("An Peeters", "manager"), attendee("Mediawijs", "external")]})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let text = r.text().await.unwrap();
        assert!(text.contains("minstens 2 medewerkers") && text.contains("attendees"), "{text}");
        // Two without a manager: refused.
        let r = manager.post(&intakes).json(&json!({"kind": "introduction", "held_on": "2026-03-01",
            "attendees": [attendee("Bert Claes", "staff"), attendee("Chris Maes", "staff")]})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("geen leidinggevende"));
        // Two with a manager: recorded.
        let r = manager.post(&intakes).json(&json!({"kind": "introduction", "held_on": "2026-03-01",
            "attendees": [attendee("An Peeters", "manager"), attendee("Bert Claes", "staff")]})).send().await.unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        assert_eq!(r.json::<Value>().await.unwrap()["intakes"][0]["attendees"][0]["role"], "manager");
        // The same intake twice is refused.
        let again = manager.post(&intakes).json(&json!({"kind": "introduction", "held_on": "2026-03-02",
            "attendees": [attendee("An Peeters", "manager"), attendee("Bert Claes", "staff")]})).send().await.unwrap();
        assert_eq!(again.status(), 422);

        let stage = app.url(&format!("/api/v1/programmes/{id}/trajectories/{tid}/stage"));
        // Skipping a stage is refused.
        let r = manager.post(&stage).json(&json!({"stage": "work_sessions"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let r = manager.post(&stage).json(&json!({"stage": "extended_intake"})).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let r = manager.post(&intakes).json(&json!({"kind": "extended", "held_on": "2026-03-02",
            "attendees": [attendee("An Peeters", "manager"), attendee("Bert Claes", "staff"), attendee("Dirk Wouters", "staff")]})).send().await.unwrap();
        assert_eq!(r.status(), 201);

        // The local government confirms the conditions on its own page.
        let steering = app.signed_in("regie@brugge.test").await;
        let page = format!("/trajecten/{tid}");
        let fields = [("condition", "0"), ("condition", "1"), ("condition", "2")];
        let r = app.post_form(&steering, &page, &format!("{page}/voorwaarden"), &fields).await;
        assert_eq!(r.status(), 303);

        // Without an end date the trajectory does not move past the extended intake.
        let r = manager.post(&stage).json(&json!({"stage": "work_sessions"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let text = r.text().await.unwrap();
        assert!(text.contains("einddatum") && text.contains("end_date"), "{text}");
        // An end date in the past is refused; one ahead is kept and shows the days left.
        let end = app.url(&format!("/api/v1/programmes/{id}/trajectories/{tid}/end-date"));
        let r = manager.put(&end).json(&json!({"end_date": "2026-03-01"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let r = manager.put(&end).json(&json!({"end_date": "2026-03-12"})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<Value>().await.unwrap()["days_left"], 10);
        let r = manager.post(&stage).json(&json!({"stage": "work_sessions"})).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let seen = app.get_as(&steering, &page).await.text().await.unwrap();
        assert!(seen.contains("Werksessies") && seen.contains("12-03-2026") && seen.contains("nog 10 dagen"), "{seen}");

        // The page form keeps its input on error (no manager present).
        let r = app.post_form(&manager, &page, &format!("{page}/werksessies"), &[("held_on", "morgen"), ("internal_participants", "Bert Claes"), ("notes", "Omgevingsanalyse besproken")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Vul een datum in") && html.contains("Omgevingsanalyse besproken") && html.contains(">Bert Claes</textarea>"), "input kept");
        // The steering user may not record a work session: that is the manager's.
        let r = app.post_form(&steering, &page, &format!("{page}/werksessies"), &[("held_on", "03-03-2026"), ("internal_participants", "Bert")]).await;
        assert_eq!(r.status(), 403);
        // An interim assignment, handed in by the local government.
        let r = app.post_form(&manager, &page, &format!("{page}/opdrachten"), &[("kind", "environment_analysis"), ("due_on", "01-03-2026")]).await;
        assert_eq!(r.status(), 303);
        let seen = app.get_as(&steering, &page).await.text().await.unwrap();
        assert!(seen.contains("Omgevingsanalyse") && seen.contains("te laat"), "overdue shown");
        let r = app.post_form(&steering, &page, &format!("{page}/opdrachten/status"), &[("kind", "environment_analysis"), ("status", "submitted"), ("note", "Zie gedeelde map")]).await;
        assert_eq!(r.status(), 303);
        let got: Value = manager.get(app.url(&format!("/api/v1/programmes/{id}/trajectories/{tid}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(got["assignments"][0]["status"], "submitted");
        assert_eq!(got["assignments"][0]["overdue"], false);
    };

    the_cap_per_year_holds_and_partnerships_come_only_below_it => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = trajectory_programme(&app, &manager).await;
        for (name, code) in [("Brugge", "31005"), ("Damme", "31006"), ("Blankenberge", "31004"), ("Zuienkerke", "31042")] {
            local_government(&app, name, code, &format!("regie@{}.test", name.to_lowercase())).await;
        }
        // Two local governments; one more applies and waits for a decision.
        for m in ["Brugge", "Damme"] {
            let r = start(&manager, &app, &id, json!({"municipality": m, "year": 2026})).await;
            assert_eq!(r.status(), 201);
        }
        let zuienkerke = app.signed_in("regie@zuienkerke.test").await;
        let apply = format!("/programmas/{id}/aanvragen");
        let r = app.post_form(&zuienkerke, &apply, &apply, &[("amount", "0"), ("amount_vat_included", "1"), ("proposal", "Wij willen een beleid"), ("condition", "0"), ("condition", "1"), ("condition", "2")]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        // A partnership is not considered while a local government waits for the third place.
        let r = start(&manager, &app, &id, json!({"municipality": "Blankenberge", "participant_kind": "partnership", "partnership_name": "Kust Noord", "year": 2026})).await;
        assert_eq!(r.status(), 422);
        let text = r.text().await.unwrap();
        assert!(text.contains("samenwerkingsverband") && text.contains("wachten er nog 1"), "{text}");
        // Once the manager lowers the cap per year to 3 and fills it with local governments, nothing more fits.
        let page = format!("/programmas/{id}/trajecten");
        let bad = app.post_form(&manager, &page, &format!("{page}/instellingen"), &[("cap_per_year", "drie"), ("meeting_minimum", "3")]).await;
        assert_eq!(bad.status(), 422);
        let html = bad.text().await.unwrap();
        assert!(html.contains("value=\"drie\"") && html.contains("heel getal"), "settings form keeps input");
        // Raising the cap to 4: the partnership gets the place the local governments leave.
        let r = app.post_form(&manager, &page, &format!("{page}/instellingen"), &[("cap_per_year", "4"), ("meeting_minimum", "3")]).await;
        assert_eq!(r.status(), 303);
        let r = start(&manager, &app, &id, json!({"municipality": "Blankenberge", "participant_kind": "partnership", "partnership_name": "Kust Noord", "year": 2026})).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let r = start(&manager, &app, &id, json!({"municipality": "Zuienkerke", "year": 2026})).await;
        assert_eq!(r.status(), 201);
        // Four of four: a fifth is refused, with the cap named; another year has its own places.
        local_government(&app, "Knokke-Heist", "31043", "regie@knokke-heist.test").await;
        let r = start(&manager, &app, &id, json!({"municipality": "Knokke-Heist", "year": 2026})).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("het maximum is 4 per jaar"));
        let r = start(&manager, &app, &id, json!({"municipality": "Knokke-Heist", "year": 2027})).await;
        assert_eq!(r.status(), 201);
        // The page form keeps the typed municipality on error.
        let r = app.post_form(&manager, &page, &page, &[("municipality", "Atlantis"), ("participant_kind", "local_government"), ("year", "2026")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"Atlantis\"") && html.contains("Vul de naam of de code van een gemeente in"));
        let list: Value = manager.get(app.url(&format!("/api/v1/programmes/{id}/trajectories"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 5);
    };

    attendance_shows_who_falls_short_for_the_manager_and_the_participant => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = trajectory_programme(&app, &manager).await;
        let brugge = local_government(&app, "Brugge", "31005", "regie@brugge.test").await;
        let damme = local_government(&app, "Damme", "31006", "regie@damme.test").await;
        for m in ["Brugge", "Damme"] {
            assert_eq!(start(&manager, &app, &id, json!({"municipality": m, "year": 2026})).await.status(), 201);
        }
        let meetings = app.url(&format!("/api/v1/programmes/{id}/meetings"));
        let mut ids = Vec::new();
        for (day, title) in [("2026-02-01", "Aftrap"), ("2026-02-15", "Omgevingsanalyse"), ("2026-03-01", "Terugkoppeling")] {
            let r = manager.post(&meetings).json(&json!({"held_on": day, "title": title, "agenda": "1. Welkom"})).send().await.unwrap();
            assert_eq!(r.status(), 201);
            ids.push(r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned());
        }
        // Brugge at all three, Damme at one.
        for (i, m) in ids.iter().enumerate() {
            let present = if i == 0 { json!([brugge, damme]) } else { json!([brugge]) };
            let r = manager.put(app.url(&format!("/api/v1/programmes/{id}/meetings/{m}/attendance"))).json(&json!({"present": present})).send().await.unwrap();
            assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        }
        // An organisation outside the programme cannot be present.
        let rotterdam = app.organisation_id("Gemeente Rotterdam").await;
        let r = manager.put(app.url(&format!("/api/v1/programmes/{id}/meetings/{}/attendance", ids[0]))).json(&json!({"present": [rotterdam]})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let list: Value = manager.get(app.url(&format!("/api/v1/programmes/{id}/attendance"))).send().await.unwrap().json().await.unwrap();
        let by_name = |name: &str| list.as_array().unwrap().iter().find(|a| a["organisation_name"] == name).unwrap().clone();
        assert_eq!(by_name("Gemeente Brugge")["attended"], 3);
        assert!(by_name("Gemeente Brugge")["shortfall"].is_null());
        assert_eq!(by_name("Gemeente Damme")["attended"], 1);
        assert_eq!(by_name("Gemeente Damme")["shortfall"], 2);
        let html = app.get_as(&manager, &format!("/programmas/{id}/trajecten")).await.text().await.unwrap();
        assert!(html.contains("nog 2 nodig") && html.contains("1 van 3"), "manager's page");
        // The participant's own page.
        let steering = app.signed_in("regie@damme.test").await;
        let own = app.get_as(&steering, "/trajecten").await.text().await.unwrap();
        assert!(own.contains("1 van 3 bijeenkomsten") && own.contains("U moet nog bij 2 bijeenkomsten zijn"), "{own}");
        let brugge_user = app.signed_in("regie@brugge.test").await;
        let own = app.get_as(&brugge_user, "/trajecten").await.text().await.unwrap();
        assert!(own.contains("3 van 3 bijeenkomsten") && own.contains("Dat is voldoende"));
        // A higher minimum in the settings moves the shortfall.
        let page = format!("/programmas/{id}/trajecten");
        let r = app.post_form(&manager, &page, &format!("{page}/instellingen"), &[("cap_per_year", "3"), ("meeting_minimum", "4")]).await;
        assert_eq!(r.status(), 303);
        let list: Value = manager.get(app.url(&format!("/api/v1/programmes/{id}/attendance"))).send().await.unwrap().json().await.unwrap();
        assert!(list.as_array().unwrap().iter().all(|a| a["minimum"] == 4 && !a["shortfall"].is_null()));
        // The meeting form keeps its input on error.
        let r = app.post_form(&manager, &page, &format!("/programmas/{id}/bijeenkomsten"), &[("held_on", "1 april"), ("title", "Slotbijeenkomst")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("value=\"Slotbijeenkomst\""));
    };

    roles_and_tenants => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = trajectory_programme(&app, &manager).await;
        local_government(&app, "Brugge", "31005", "regie@brugge.test").await;
        local_government(&app, "Damme", "31006", "regie@damme.test").await;
        let t: Value = start(&manager, &app, &id, json!({"municipality": "Brugge", "year": 2026})).await.json().await.unwrap();
        let tid = t["id"].as_str().unwrap().to_owned();
        let one = app.url(&format!("/api/v1/programmes/{id}/trajectories/{tid}"));
        // The local government reads its own trajectory, another one gets 404 on page and API.
        let brugge = app.signed_in("regie@brugge.test").await;
        assert_eq!(brugge.get(&one).send().await.unwrap().status(), 200);
        assert_eq!(app.get_as(&brugge, &format!("/trajecten/{tid}")).await.status(), 200);
        let damme = app.signed_in("regie@damme.test").await;
        assert_eq!(damme.get(&one).send().await.unwrap().status(), 404);
        assert_eq!(app.get_as(&damme, &format!("/trajecten/{tid}")).await.status(), 404);
        let own = app.get_as(&damme, "/trajecten").await.text().await.unwrap();
        assert!(!own.contains(&tid), "Damme does not see Brugge's trajectory");
        // Steering cannot manage: list, start, intake are 403.
        assert_eq!(brugge.get(app.url(&format!("/api/v1/programmes/{id}/trajectories"))).send().await.unwrap().status(), 403);
        assert_eq!(start(&brugge, &app, &id, json!({"municipality": "Brugge", "year": 2026})).await.status(), 403);
        let intake = json!({"kind": "introduction", "held_on": "2026-03-01", "attendees": [attendee("A", "manager"), attendee("B", "staff")]});
        assert_eq!(brugge.post(format!("{one}/intakes")).json(&intake).send().await.unwrap().status(), 403);
        // The role is checked before the body: staff sending nonsense hears 403.
        let staff = app.signed_in(STAFF).await;
        assert_eq!(staff.post(format!("{one}/intakes")).body("{").header("content-type", "application/json").send().await.unwrap().status(), 403);
        assert_eq!(staff.get(&one).send().await.unwrap().status(), 403);
        // Another programme's manager gets 404 everywhere.
        let other = app.organisation("Mediawijs", "national_body", "public", "GM0363").await;
        app.user("manager@mediawijs.test", Role::ProgrammeManager, &other).await;
        let stranger = app.signed_in("manager@mediawijs.test").await;
        assert_eq!(stranger.get(&one).send().await.unwrap().status(), 404);
        assert_eq!(stranger.post(format!("{one}/intakes")).json(&intake).send().await.unwrap().status(), 404);
        assert_eq!(start(&stranger, &app, &id, json!({"municipality": "Damme", "year": 2026})).await.status(), 404);
        assert_eq!(stranger.get(app.url(&format!("/api/v1/programmes/{id}/attendance"))).send().await.unwrap().status(), 404);
        assert_eq!(app.get_as(&stranger, &format!("/programmas/{id}/trajecten")).await.status(), 404);
        // A trajectory reached through another programme's path is 404, even for its own manager.
        let call = app.store.programmes().await.unwrap().into_iter().find(|p| p.id != id);
        if let Some(call) = call {
            let wrong = app.url(&format!("/api/v1/programmes/{}/trajectories/{tid}", call.id));
            assert_eq!(manager.get(&wrong).send().await.unwrap().status(), 404);
        }
        // Anonymous: 401 on the API.
        assert_eq!(app.browser().get(&one).send().await.unwrap().status(), 401);
        // Rotterdam's steering (demo) sees no trajectory of Brugge either.
        let rotterdam = app.signed_in(STEERING).await;
        assert_eq!(rotterdam.get(&one).send().await.unwrap().status(), 404);
        // The OpenAPI document describes the routes.
        let doc: Value = app.browser().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
        assert!(doc["paths"]["/api/v1/programmes/{id}/trajectories"]["post"].is_object());
        assert!(doc["paths"]["/api/v1/programmes/{id}/meetings/{meeting}/attendance"]["put"].is_object());
    };

    evaluation_at_the_end_and_the_demo_trajectory => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        // The demo: three Flemish local governments at different stages, meetings with attendance.
        let demo = app.store.programmes().await.unwrap().into_iter().find(|p| p.name.contains("VVSG en Mediawijs")).expect("demo programme");
        let html = app.get_as(&manager, &format!("/programmas/{}/trajecten", demo.id)).await.text().await.unwrap();
        assert!(html.contains("Stad Aalst") && html.contains("Stad Mechelen") && html.contains("Stad Kortrijk"), "{html}");
        assert!(html.contains("Werksessies") && html.contains("Uitgebreide intake") && html.contains("Kennismakingsgesprek"));
        assert!(html.contains("3 van 3") && html.contains("nog 1 nodig") && html.contains("nog 2 nodig"));

        let id = trajectory_programme(&app, &manager).await;
        local_government(&app, "Brugge", "31005", "regie@brugge.test").await;
        let t: Value = start(&manager, &app, &id, json!({"municipality": "Brugge", "year": 2026})).await.json().await.unwrap();
        let tid = t["id"].as_str().unwrap().to_owned();
        let base = app.url(&format!("/api/v1/programmes/{id}/trajectories/{tid}"));
        let people = json!([attendee("An Peeters", "manager"), attendee("Bert Claes", "staff")]);
        for kind in ["introduction", "extended"] {
            let r = manager.post(format!("{base}/intakes")).json(&json!({"kind": kind, "held_on": "2026-03-01", "attendees": people})).send().await.unwrap();
            assert_eq!(r.status(), 201);
        }
        let steering = app.signed_in("regie@brugge.test").await;
        let page = format!("/trajecten/{tid}");
        assert_eq!(app.post_form(&steering, &page, &format!("{page}/voorwaarden"), &[("condition", "0"), ("condition", "1"), ("condition", "2")]).await.status(), 303);
        assert_eq!(manager.put(format!("{base}/end-date")).json(&json!({"end_date": "2026-12-15"})).send().await.unwrap().status(), 200);
        for stage in ["extended_intake", "work_sessions", "evaluation"] {
            let r = manager.post(format!("{base}/stage")).json(&json!({"stage": stage})).send().await.unwrap();
            assert_eq!(r.status(), 200, "{stage}: {}", r.text().await.unwrap());
        }
        // Closing needs the evaluation first.
        assert_eq!(manager.post(format!("{base}/stage")).json(&json!({"stage": "closed"})).send().await.unwrap().status(), 422);
        // The evaluation form keeps its input on error.
        let r = app.post_form(&steering, &page, &format!("{page}/evaluatie"), &[("score", "9"), ("helped", "De werksessies met de sociale dienst"), ("improve", "")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Kies een cijfer van 1") && html.contains("De werksessies met de sociale dienst"));
        // The manager cannot fill it in for them.
        let r = app.post_form(&manager, &page, &format!("{page}/evaluatie"), &[("score", "5"), ("helped", "x"), ("improve", "y")]).await;
        assert_eq!(r.status(), 403);
        let r = app.post_form(&steering, &page, &format!("{page}/evaluatie"), &[("score", "4"), ("helped", "De werksessies met de sociale dienst"), ("improve", "Meer tijd voor de gebruikersbevraging")]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(manager.post(format!("{base}/stage")).json(&json!({"stage": "closed"})).send().await.unwrap().status(), 200);
        let html = app.get_as(&manager, &format!("/programmas/{id}/trajecten")).await.text().await.unwrap();
        assert!(html.contains("1 van 1 trajecten hebben de evaluatie ingevuld; gemiddeld cijfer 4,0 van 5") && html.contains("Meer tijd voor de gebruikersbevraging"), "{html}");
    };

    api_for_conditions_sessions_assignments_and_the_evaluation => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = trajectory_programme(&app, &manager).await;
        local_government(&app, "Brugge", "31005", "regie@brugge.test").await;
        local_government(&app, "Damme", "31006", "regie@damme.test").await;
        let t: Value = start(&manager, &app, &id, json!({"municipality": "Brugge", "year": 2026})).await.json().await.unwrap();
        let tid = t["id"].as_str().unwrap().to_owned();
        let base = app.url(&format!("/api/v1/programmes/{id}/trajectories/{tid}"));
        let steering = app.signed_in("regie@brugge.test").await;
        let damme = app.signed_in("regie@damme.test").await;
        let other = app.organisation("Mediawijs", "national_body", "public", "GM0363").await;
        app.user("manager@mediawijs.test", Role::ProgrammeManager, &other).await;
        let stranger = app.signed_in("manager@mediawijs.test").await;

        // Conditions: the local government reads and confirms them; the manager reads, may not confirm.
        let conditions = format!("{base}/conditions");
        let list: Value = steering.get(&conditions).send().await.unwrap().json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 3);
        assert_eq!(list[2]["text"], "Er is een afgesproken uiterste einddatum");
        assert!(list.as_array().unwrap().iter().all(|c| c["confirmed"] == false));
        assert_eq!(manager.put(&conditions).json(&json!({"confirmed": [0]})).send().await.unwrap().status(), 403);
        let r = steering.put(&conditions).json(&json!({"confirmed": []})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        assert!(r.text().await.unwrap().contains("Vink de voorwaarden aan"));
        let r = steering.put(&conditions).json(&json!({"confirmed": [7]})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Voorwaarde 8 bestaat niet"));
        let r = steering.put(&conditions).json(&json!({"confirmed": [0, 1]})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let list: Value = r.json().await.unwrap();
        assert_eq!((list[0]["confirmed"].as_bool(), list[2]["confirmed"].as_bool()), (Some(true), Some(false)));
        // Confirmations add up.
        let list: Value = steering.put(&conditions).json(&json!({"confirmed": [2]})).send().await.unwrap().json().await.unwrap();
        assert!(list.as_array().unwrap().iter().all(|c| c["confirmed"] == true), "{list}");
        let seen: Value = manager.get(&conditions).send().await.unwrap().json().await.unwrap();
        assert_eq!(seen, list);
        // Another local government and another programme's manager: 404.
        assert_eq!(damme.get(&conditions).send().await.unwrap().status(), 404);
        assert_eq!(damme.put(&conditions).json(&json!({"confirmed": [0]})).send().await.unwrap().status(), 404);
        assert_eq!(stranger.get(&conditions).send().await.unwrap().status(), 404);

        // Work sessions: the manager records them, with every problem at its field.
        let sessions = format!("{base}/sessions");
        let session = json!({"held_on": "2026-03-10", "training": true, "internal_participants": "Bert Claes, sociale dienst",
            "external_participants": "Digipunt Brugge", "notes": "Opleiding over de omgevingsanalyse"});
        assert_eq!(steering.post(&sessions).json(&session).send().await.unwrap().status(), 403);
        assert_eq!(stranger.post(&sessions).json(&session).send().await.unwrap().status(), 404);
        let r = manager.post(&sessions).json(&json!({"held_on": "volgende week", "internal_participants": " "})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let problem: Value = r.json().await.unwrap();
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"held_on") && fields.contains(&"internal_participants"), "{problem}");
        let r = manager.post(&sessions).json(&session).send().await.unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let list: Value = steering.get(&sessions).send().await.unwrap().json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["training"], true);
        assert_eq!(list[0]["held_on"], "2026-03-10");
        assert_eq!(list[0]["external_participants"], "Digipunt Brugge");
        assert_eq!(damme.get(&sessions).send().await.unwrap().status(), 404);

        // Interim assignments: the manager gives them with a due date, the local government hands them in,
        // the manager approves.
        let survey = format!("{base}/assignments/user_survey");
        assert_eq!(steering.put(&survey).json(&json!({"due_on": "2026-04-01"})).send().await.unwrap().status(), 403);
        assert_eq!(manager.put(format!("{base}/assignments/poll")).json(&json!({"due_on": "2026-04-01"})).send().await.unwrap().status(), 404);
        let r = manager.put(&survey).json(&json!({"due_on": "1 april"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("due_on"));
        let r = manager.put(&survey).json(&json!({"due_on": "2026-04-01"})).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let got: Value = r.json().await.unwrap();
        assert_eq!(got["assignments"][0]["kind"], "user_survey");
        assert_eq!(got["assignments"][0]["status"], "open");
        // A new due date keeps the status.
        let status = format!("{survey}/status");
        assert_eq!(manager.put(&status).json(&json!({"status": "submitted"})).send().await.unwrap().status(), 403);
        let r = steering.put(&status).json(&json!({"status": "submitted", "note": "Resultaten in de gedeelde map"})).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let got: Value = manager.put(&survey).json(&json!({"due_on": "2026-04-15"})).send().await.unwrap().json().await.unwrap();
        assert_eq!(got["assignments"][0]["status"], "submitted");
        assert_eq!(got["assignments"][0]["due_on"], "2026-04-15");
        assert_eq!(steering.put(&status).json(&json!({"status": "approved"})).send().await.unwrap().status(), 403);
        let got: Value = manager.put(&status).json(&json!({"status": "approved", "note": "Resultaten in de gedeelde map"})).send().await.unwrap().json().await.unwrap();
        assert_eq!(got["assignments"][0]["status"], "approved");
        // An assignment not given yet.
        let r = steering.put(format!("{base}/assignments/actors/status")).json(&json!({"status": "submitted"})).send().await.unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(damme.put(&status).json(&json!({"status": "submitted"})).send().await.unwrap().status(), 404);

        // The evaluation: only in the evaluation stage, only by the local government, once.
        let evaluation = format!("{base}/evaluation");
        let answer = json!({"score": 4, "helped": "De werksessies met de sociale dienst", "improve": "Meer tijd voor de bevraging"});
        let r = steering.post(&evaluation).json(&answer).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("fase evaluatie"));
        let people = json!([attendee("An Peeters", "manager"), attendee("Bert Claes", "staff")]);
        for kind in ["introduction", "extended"] {
            let r = manager.post(format!("{base}/intakes")).json(&json!({"kind": kind, "held_on": "2026-03-01", "attendees": people})).send().await.unwrap();
            assert_eq!(r.status(), 201);
        }
        assert_eq!(manager.put(format!("{base}/end-date")).json(&json!({"end_date": "2026-12-15"})).send().await.unwrap().status(), 200);
        for stage in ["extended_intake", "work_sessions", "evaluation"] {
            let r = manager.post(format!("{base}/stage")).json(&json!({"stage": stage})).send().await.unwrap();
            assert_eq!(r.status(), 200, "{stage}: {}", r.text().await.unwrap());
        }
        assert_eq!(manager.post(&evaluation).json(&answer).send().await.unwrap().status(), 403);
        assert_eq!(damme.post(&evaluation).json(&answer).send().await.unwrap().status(), 404);
        let r = steering.post(&evaluation).json(&json!({"score": 9, "helped": "", "improve": "x"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let problem: Value = r.json().await.unwrap();
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["score", "helped"], "{problem}");
        let r = steering.post(&evaluation).json(&answer).send().await.unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        assert_eq!(r.json::<Value>().await.unwrap()["evaluation_given"], true);
        assert_eq!(steering.post(&evaluation).json(&answer).send().await.unwrap().status(), 422);

        // The summary for the programme manager.
        let summary = app.url(&format!("/api/v1/programmes/{id}/evaluations"));
        let got: Value = manager.get(&summary).send().await.unwrap().json().await.unwrap();
        assert_eq!(got["trajectories"], 1);
        assert_eq!(got["answered"], 1);
        assert_eq!(got["average_score"], 4.0);
        assert_eq!(got["answers"][0]["organisation_name"], "Gemeente Brugge");
        assert_eq!(got["answers"][0]["improve"], "Meer tijd voor de bevraging");
        assert_eq!(steering.get(&summary).send().await.unwrap().status(), 403);
        assert_eq!(stranger.get(&summary).send().await.unwrap().status(), 404);
        assert_eq!(app.browser().get(&summary).send().await.unwrap().status(), 401);

        let doc: Value = app.browser().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
        let paths = &doc["paths"];
        let one = "/api/v1/programmes/{id}/trajectories/{trajectory}";
        assert!(paths[format!("{one}/conditions")]["put"].is_object());
        assert!(paths[format!("{one}/sessions")]["post"].is_object());
        assert!(paths[format!("{one}/assignments/{{kind}}")]["put"].is_object());
        assert!(paths[format!("{one}/assignments/{{kind}}/status")]["put"].is_object());
        assert!(paths[format!("{one}/evaluation")]["post"].is_object());
        assert!(paths["/api/v1/programmes/{id}/evaluations"]["get"].is_object());
    };

    two_managers_racing_for_the_last_place_of_the_year_give_exactly_one_trajectory => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = trajectory_programme(&app, &manager).await;
        let places = ["31003", "31004", "31005", "31006", "31012", "31022", "31033", "31040", "31042", "31043",
            "32003", "32006", "32010", "32011", "32030", "33011", "33016", "33021"];
        for code in places {
            app.organisation(&format!("Lokaal bestuur {code}"), "municipality", "public", code).await;
        }
        // The cap is 3 a year: two places taken, one left.
        for code in &places[..2] {
            assert_eq!(start(&manager, &app, &id, json!({"municipality": code, "year": 2026})).await.status(), 201);
        }
        // Sixteen starts for the last place at the same moment, from four signed-in managers.
        let mut managers = vec![manager.clone()];
        for _ in 0..3 {
            managers.push(app.signed_in(MANAGER).await);
        }
        let racers = places[2..].iter().enumerate().map(|(i, code)| {
            let client = managers[i % managers.len()].clone();
            let url = app.url(&format!("/api/v1/programmes/{id}/trajectories"));
            async move { client.post(url).json(&json!({"municipality": code, "year": 2026})).send().await.unwrap() }
        });
        let responses = futures_util::future::join_all(racers).await;
        let mut statuses: Vec<u16> = Vec::new();
        for r in responses {
            let status = r.status().as_u16();
            if status == 422 {
                assert!(r.text().await.unwrap().contains("het maximum is 3 per jaar"));
            }
            statuses.push(status);
        }
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 422).count(), places.len() - 3, "{statuses:?}");
        let list: Value = manager.get(app.url(&format!("/api/v1/programmes/{id}/trajectories"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(list.as_array().unwrap().iter().filter(|t| t["year"] == 2026).count(), 3);
    };
}
