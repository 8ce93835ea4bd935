//! The registration desk through HTTP on both databases: the short common case,
//! input kept on errors, undo and correction windows, volunteer links, the API.

use crate::support::TestApp;
use serde_json::{Value, json};

use crate::support::demo_users::{COORDINATOR, PARTNER, STAFF};

async fn count(app: &TestApp) -> i64 {
    app.store.count_help_questions().await.unwrap()
}

/// Questions stored for a visit id, read straight from the database.
async fn rows_of(
    app: &TestApp,
    point: &str,
    visit: &str,
) -> Vec<keten_store::help_questions::HelpQuestion> {
    app.store.visit_questions(point, visit).await.unwrap()
}

fn query_param(location: &str, name: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

async fn text(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

both_backends! {
    staff_pick_a_help_point_once_and_register_in_three_steps => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let staff = app.signed_in(STAFF).await;
        // Several help points: a choice first, then the choice is remembered.
        let choose = staff.get(app.url("/balie")).send().await.unwrap();
        assert_eq!(choose.status(), 200);
        let html = text(choose).await;
        assert!(html.contains("Centrale Bibliotheek") && html.contains("Bibliotheek Delfshaven"));
        assert!(!html.contains("Moskee"), "another organisation's point");
        let desk = format!("/balie/{central}");
        let form = text(staff.get(app.url(&desk)).send().await.unwrap()).await;
        assert!(form.contains("name=\"q0_topic\" value=\"digid\""));
        let again = staff.get(app.url("/balie")).send().await.unwrap();
        assert_eq!(again.status(), 303);
        assert_eq!(again.headers()["location"], desk.as_str());
        // The common case: topic, minutes, save. Everything else has a default.
        let saved = app.post_form(&staff, &desk, &desk, &[("q0_topic", "digid"), ("q0_minutes", "15"), ("action", "save")]).await;
        assert_eq!(saved.status(), 303);
        let location = saved.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(query_param(&location, "nummer").as_deref(), Some("1"));
        let visit = query_param(&location, "bezoek").unwrap();
        let rows = rows_of(&app, &central, &visit).await;
        assert_eq!(rows.len(), 1);
        let q = &rows[0];
        assert_eq!((q.topic_code.as_str(), q.agency.as_str(), q.kind.as_str()), ("digid", "logius", "digital_government"));
        assert_eq!((q.channel.as_str(), q.outcome.as_str(), q.minutes), ("walk_in", "solved", 15));
        assert_eq!(q.asked_at, app.now());
        assert_eq!(q.source, "desk");
        let confirmation = text(staff.get(app.url(&location)).send().await.unwrap()).await;
        assert!(confirmation.contains("Opgeslagen:") && confirmation.contains("DigiD"));
        assert!(confirmation.contains("Ongedaan maken") && confirmation.contains("Kan tot 10:05 uur"));
        // Question number two of this help point.
        let second = app.post_form(&staff, &desk, &desk, &[("q0_topic", "bankzaken"), ("q0_minutes-other", "25"), ("action", "save")]).await;
        let location = second.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(query_param(&location, "nummer").as_deref(), Some("2"));
        // The most used topics of this help point come first on the form.
        let form = text(staff.get(app.url(&desk)).send().await.unwrap()).await;
        let bank = form.find("value=\"bankzaken\"").unwrap();
        let taxes = form.find("value=\"belastingen-toeslagen\"").unwrap();
        assert!(bank < taxes, "a used topic before an unused one");
    };

    bad_input_keeps_what_was_typed_and_saves_nothing => |app: TestApp| async move {
        app.demo_chain().await;
        let desk = format!("/balie/{}", app.help_point("Centrale Bibliotheek").await.id);
        let staff = app.signed_in(STAFF).await;
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("q0_topic", "digid"), ("q0_minutes-other", "0")], "Vul de minuten in als een getal van 1 tot en met 480."),
            (&[("q0_topic", "digid"), ("q0_minutes-other", "481")], "Vul de minuten in als een getal van 1 tot en met 480."),
            (&[("q0_topic", "astrologie"), ("q0_minutes", "10")], "Het onderwerp 'astrologie' kennen we niet."),
            (&[("q0_topic", "digid"), ("q0_minutes", "10"), ("pc4", "1234")], "Postcode 1234 bestaat niet."),
            (&[("q0_topic", "digid"), ("q0_minutes", "10"), ("date", "2026-03-03")], "De datum ligt in de toekomst."),
            (&[("q0_minutes", "10")], "Kies het onderwerp van de vraag."),
            (&[("q0_topic", "digid"), ("q0_minutes", "10"), ("q0_agency", "nasa")], "De instantie 'nasa' kennen we niet."),
        ];
        for (fields, message) in cases {
            let mut fields = fields.to_vec();
            fields.push(("remark", "printer stuk"));
            let r = app.post_form(&staff, &desk, &desk, &fields).await;
            assert_eq!(r.status(), 422, "{fields:?}");
            let html = text(r).await;
            assert!(html.contains(&message.replace('\'', "&#39;")), "{message} in {fields:?}");
            assert!(html.contains("value=\"printer stuk\""), "input kept");
            for (name, value) in &fields {
                if name.ends_with("topic") && *value == "digid" {
                    assert!(html.contains("value=\"digid\" checked"), "topic kept");
                }
                if *name == "pc4" {
                    assert!(html.contains("value=\"1234\""), "pc4 kept");
                }
            }
        }
        assert_eq!(count(&app).await, 0, "nothing half-saved");
        // A help point the user does not work at.
        let mosque = format!("/balie/{}", app.help_point("Digipunt Moskee Spangen").await.id);
        assert_eq!(staff.get(app.url(&mosque)).send().await.unwrap().status(), 404);
        let token = app.csrf_token(&staff, &desk).await;
        let r = staff.post(app.url(&mosque)).form(&[("q0_topic", "digid"), ("q0_minutes", "10"), ("csrf_token", token.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let partner = app.signed_in(PARTNER).await;
        assert_eq!(partner.get(app.url("/balie")).send().await.unwrap().status(), 403);
        assert_eq!(count(&app).await, 0);
    };

    one_visit_holds_several_questions => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let desk = format!("/balie/{central}");
        let staff = app.signed_in(STAFF).await;
        let r = app.post_form(&staff, &desk, &desk, &[("q0_topic", "digid"), ("q0_minutes", "10"), ("pc4", "3011"), ("action", "add")]).await;
        assert_eq!(r.status(), 200);
        let html = text(r).await;
        assert!(html.contains("Vraag 2") && html.contains("name=\"q1_topic\""));
        assert!(html.contains("value=\"3011\""), "profile kept while adding");
        assert_eq!(count(&app).await, 0, "adding a block saves nothing");
        let r = app.post_form(&staff, &desk, &desk, &[
            ("q0_topic", "digid"), ("q0_minutes", "10"), ("q1_topic", "belastingen-toeslagen"), ("q1_minutes", "30"),
            ("q1_outcome", "referred"), ("pc4", "3011"), ("age_band", "75+"), ("first_visit", "yes"), ("action", "save"),
        ]).await;
        assert_eq!(r.status(), 303);
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let rows = rows_of(&app, &central, &query_param(&location, "bezoek").unwrap()).await;
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|q| q.pc4.as_deref() == Some("3011") && q.age_band.as_deref() == Some("75+") && q.first_visit == Some(1)));
        assert!(rows.iter().any(|q| q.topic_code == "belastingen-toeslagen" && q.outcome == "referred" && q.agency == "belastingdienst"));
        // The same topic twice in one visit is refused.
        let r = app.post_form(&staff, &desk, &desk, &[("q0_topic", "digid"), ("q0_minutes", "10"), ("q1_topic", "digid"), ("q1_minutes", "5")]).await;
        assert_eq!(r.status(), 422);
        assert!(text(r).await.contains("Vraag 2: dit onderwerp staat al"));
        assert_eq!(count(&app).await, 2);
    };

    undo_lasts_five_minutes_and_only_for_who_saved => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let desk = format!("/balie/{central}");
        let staff = app.signed_in(STAFF).await;
        let save = |fields: Vec<(&'static str, &'static str)>| {
            let (app, staff, desk) = (&app, &staff, &desk);
            async move {
                let r = app.post_form(staff, desk, desk, &fields).await;
                query_param(r.headers()["location"].to_str().unwrap(), "bezoek").unwrap()
            }
        };
        let visit = save(vec![("q0_topic", "digid"), ("q0_minutes", "10")]).await;
        app.clock.advance_seconds(299);
        let undo = format!("{desk}/bezoek/{visit}/ongedaan");
        let r = app.post_form(&staff, &desk, &undo, &[]).await;
        assert_eq!(r.status(), 303);
        assert!(rows_of(&app, &central, &visit).await.is_empty(), "undone");
        let visit = save(vec![("q0_topic", "digid"), ("q0_minutes", "10")]).await;
        // A colleague cannot undo it.
        let coordinator = app.signed_in(COORDINATOR).await;
        let undo = format!("{desk}/bezoek/{visit}/ongedaan");
        assert_eq!(app.post_form(&coordinator, &desk, &undo, &[]).await.status(), 422);
        app.clock.advance_seconds(301);
        let late = app.post_form(&staff, &desk, &undo, &[]).await;
        assert_eq!(late.status(), 422);
        assert!(text(late).await.contains("eerste 5 minuten"));
        assert_eq!(rows_of(&app, &central, &visit).await.len(), 1, "still there");
        let page = text(staff.get(app.url(&format!("{desk}?bezoek={visit}&nummer=1"))).send().await.unwrap()).await;
        assert!(!page.contains("Ongedaan maken"), "no undo button after the window");
        // The running total the Dutch way, and a milestone said when this visit reached it.
        let page = text(staff.get(app.url(&format!("{desk}?bezoek={visit}&nummer=1000"))).send().await.unwrap()).await;
        assert!(page.contains("Dit hulppunt heeft nu 1.000 vragen geregistreerd."), "{page}");
        assert!(page.contains("Een mijlpaal: dit was vraag 1.000 van dit hulppunt."), "{page}");
        let page = text(staff.get(app.url(&format!("{desk}?bezoek={visit}&nummer=1106"))).send().await.unwrap()).await;
        assert!(page.contains("heeft nu 1.106 vragen") && !page.contains("mijlpaal"), "{page}");
    };

    staff_correct_their_own_for_a_day_then_only_the_coordinator => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let desk = format!("/balie/{central}");
        let staff = app.signed_in(STAFF).await;
        let r = app.post_form(&staff, &desk, &desk, &[("q0_topic", "digid"), ("q0_minutes", "10")]).await;
        let visit = query_param(r.headers()["location"].to_str().unwrap(), "bezoek").unwrap();
        let id = rows_of(&app, &central, &visit).await[0].id.clone();
        let recent = text(staff.get(app.url(&format!("{desk}/recent"))).send().await.unwrap()).await;
        assert!(recent.contains(&format!("/vragen/{id}")));
        let edit = format!("{desk}/vragen/{id}");
        let form = text(staff.get(app.url(&edit)).send().await.unwrap()).await;
        assert!(form.contains("value=\"10\" checked") && form.contains("value=\"digid\" checked"));
        // A bad correction keeps the input and changes nothing.
        let r = app.post_form(&staff, &edit, &edit, &[("q0_topic", "digid"), ("q0_minutes-other", "999"), ("date", "2026-03-02")]).await;
        assert_eq!(r.status(), 422);
        assert!(text(r).await.contains("value=\"999\""));
        let r = app.post_form(&staff, &edit, &edit, &[("q0_topic", "bankzaken"), ("q0_minutes", "20"), ("date", "2026-03-02")]).await;
        assert_eq!(r.status(), 303);
        let q = &rows_of(&app, &central, &visit).await[0];
        assert_eq!((q.topic_code.as_str(), q.minutes, q.agency.as_str()), ("bankzaken", 20, "bank"));
        assert_eq!(q.asked_at, app.now(), "same day keeps the time");
        // After 24 hours staff cannot, the coordinator can.
        app.clock.advance_seconds(24 * 3600 + 1);
        let staff = app.signed_in(STAFF).await;
        assert_eq!(staff.get(app.url(&edit)).send().await.unwrap().status(), 409);
        let token = app.csrf_token(&staff, &desk).await;
        let refused = staff.post(app.url(&edit)).form(&[("q0_topic", "digid"), ("q0_minutes", "5"), ("csrf_token", token.as_str())]).send().await.unwrap();
        assert_eq!(refused.status(), 409);
        let coordinator = app.signed_in(COORDINATOR).await;
        let r = app.post_form(&coordinator, &edit, &edit, &[("q0_topic", "bankzaken"), ("q0_minutes", "45"), ("date", "2026-03-02")]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(rows_of(&app, &central, &visit).await[0].minutes, 45);
    };

    volunteer_links_register_only_until_revoked => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let links = format!("/balie/{central}/links");
        let staff = app.signed_in(STAFF).await;
        assert_eq!(staff.get(app.url(&links)).send().await.unwrap().status(), 403, "only the coordinator");
        let coordinator = app.signed_in(COORDINATOR).await;
        let r = app.post_form(&coordinator, &links, &links, &[("label", "")]).await;
        assert_eq!(r.status(), 422);
        let r = app.post_form(&coordinator, &links, &links, &[("label", "Vrijwilligers dinsdag")]).await;
        assert_eq!(r.status(), 200);
        let html = text(r).await;
        let start = html.find("/registreren/").unwrap();
        let end = start + html[start..].find('"').unwrap();
        let path = html[start..end].to_owned();
        assert!(path.len() > "/registreren/".len() + 40, "a long random token");
        // Shown once: the list does not repeat it.
        assert!(!text(coordinator.get(app.url(&links)).send().await.unwrap()).await.contains(&path));
        // A volunteer without an account registers through the link.
        let volunteer = app.browser();
        let form = text(volunteer.get(app.url(&path)).send().await.unwrap()).await;
        assert!(form.contains("Centrale Bibliotheek") && form.contains("name=\"q0_topic\""));
        assert!(!form.contains("Mijn registraties verbeteren"), "a link cannot read");
        let r = app.post_form(&volunteer, &path, &path, &[("q0_topic", "digid"), ("q0_minutes", "10")]).await;
        assert_eq!(r.status(), 303);
        let visit = query_param(r.headers()["location"].to_str().unwrap(), "bezoek").unwrap();
        let rows = rows_of(&app, &central, &visit).await;
        assert_eq!((rows.len(), rows[0].source.as_str(), rows[0].registered_by.as_deref()), (1, "link", None));
        // The volunteer can undo their own registration in time.
        let undo = format!("{path}/bezoek/{visit}/ongedaan");
        assert_eq!(app.post_form(&volunteer, &path, &undo, &[]).await.status(), 303);
        assert!(rows_of(&app, &central, &visit).await.is_empty());
        // ...but cannot read the desk's pages.
        let desk_pages = volunteer.get(app.url(&format!("/balie/{central}/overzicht"))).send().await.unwrap();
        assert_eq!(desk_pages.status(), 303, "sign in first");
        // Revoked: the link stops working, for showing and for saving.
        let list = text(coordinator.get(app.url(&links)).send().await.unwrap()).await;
        let marker = "/links/";
        let start = list.find(marker).unwrap() + marker.len();
        let id = &list[start..start + list[start..].find('/').unwrap()];
        let revoke = format!("{links}/{id}/intrekken");
        assert_eq!(app.post_form(&coordinator, &links, &revoke, &[]).await.status(), 303);
        assert!(text(coordinator.get(app.url(&links)).send().await.unwrap()).await.contains("ingetrokken"));
        let gone = volunteer.get(app.url(&path)).send().await.unwrap();
        assert_eq!(gone.status(), 400);
        assert!(text(gone).await.contains("werkt niet (meer)"));
        let token = crate::support::csrf_from_html(&form).unwrap();
        let r = volunteer.post(app.url(&path)).form(&[("q0_topic", "digid"), ("q0_minutes", "10"), ("csrf_token", token.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(count(&app).await, 0);
    };

    overview_and_exports_of_the_help_point_leave_out_remarks => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let desk = format!("/balie/{central}");
        let staff = app.signed_in(STAFF).await;
        for (topic, date) in [("digid", ""), ("digid", ""), ("bankzaken", "2026-02-27"), ("zorg", "2026-01-15")] {
            let r = app.post_form(&staff, &desk, &desk, &[("q0_topic", topic), ("q0_minutes", "10"), ("date", date), ("remark", "geheim-7731")]).await;
            assert_eq!(r.status(), 303);
        }
        let html = text(staff.get(app.url(&format!("{desk}/overzicht"))).send().await.unwrap()).await;
        assert!(html.contains("in totaal <strong>4</strong>"));
        assert!(html.contains("<dt>Vandaag</dt><dd>2</dd>") && html.contains("<dt>Deze week (vanaf maandag 2 maart)</dt><dd>2</dd>"), "{html}");
        assert!(html.contains("<dt>Deze maand (vanaf zondag 1 maart)</dt><dd>2</dd>"));
        assert!(html.contains("DigiD: 2"));
        // A large running total is written the Dutch way.
        app.store.execute_raw(&format!("UPDATE help_point_question_counts SET total = 1106 WHERE help_point_id = '{central}'")).await.unwrap();
        let html = text(staff.get(app.url(&format!("{desk}/overzicht"))).send().await.unwrap()).await;
        assert!(html.contains("in totaal <strong>1.106</strong>"), "{html}");
        let csv = staff.get(app.url(&format!("{desk}/registraties.csv"))).send().await.unwrap();
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = text(csv).await;
        assert!(csv.starts_with("id,bezoek,datum,tijd,onderwerp_code"));
        assert_eq!(csv.lines().count(), 5);
        assert!(csv.contains(",2026-01-15,") && csv.contains("Zorg en zorgverzekering"));
        assert!(!csv.contains("geheim-7731"), "remarks never leave the help point");
        let xlsx = staff.get(app.url(&format!("{desk}/registraties.xlsx"))).send().await.unwrap();
        assert_eq!(xlsx.status(), 200);
        let bytes = xlsx.bytes().await.unwrap();
        assert_eq!(&bytes[..2], b"PK", "a zip container");
        let mosque = app.help_point("Digipunt Moskee Spangen").await.id;
        assert_eq!(staff.get(app.url(&format!("/balie/{mosque}/registraties.csv"))).send().await.unwrap().status(), 404);
    };

    the_api_registers_single_visits_and_batches_and_pages_with_a_cursor => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let mosque = app.help_point("Digipunt Moskee Spangen").await.id;
        // The library's coordinator keeps its API tokens (issue 18) and makes one for the till system.
        let staff = app.signed_in(COORDINATOR).await;
        let me: Value = staff.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
        let library = me["memberships"][0]["organisation_id"].as_str().unwrap().to_owned();
        let created: Value = staff.post(app.url("/api/v1/api-tokens"))
            .json(&json!({"organisation_id": library, "role": "staff", "name": "kassasysteem"}))
            .send().await.unwrap().json().await.unwrap();
        let token = created["token"].as_str().unwrap().to_owned();
        let api = reqwest::Client::new();
        let post = |body: Value| api.post(app.url("/api/v1/help-questions")).bearer_auth(&token).json(&body).send();
        let one = post(json!({"help_point_id": central, "questions": [{"topic": "digid", "minutes": 12}]})).await.unwrap();
        assert_eq!(one.status(), 201);
        let one: Value = one.json().await.unwrap();
        assert_eq!(one["visits"][0]["running_total"], 1);
        // A batch with one bad visit saves nothing and says which visit.
        let bad = post(json!([
            {"help_point_id": central, "questions": [{"topic": "digid", "minutes": 5}]},
            {"help_point_id": central, "questions": [{"topic": "digid", "minutes": 0}]},
            {"help_point_id": mosque, "questions": [{"topic": "digid", "minutes": 5}]},
            {"help_point_id": central, "pc4": "1234", "asked_at": "2027-01-01T10:00:00+01:00", "questions": [{"topic": "onbekend", "minutes": 5}]},
        ])).await.unwrap();
        assert_eq!(bad.status(), 422);
        assert_eq!(bad.headers()["content-type"], "application/problem+json");
        let problem: Value = bad.json().await.unwrap();
        let messages: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
        assert!(messages.iter().any(|m| m.starts_with("Bezoek 2: ") && m.contains("minuten")), "{messages:?}");
        assert!(messages.iter().any(|m| m.starts_with("Bezoek 3: ") && m.contains("werkt er niet")), "{messages:?}");
        assert!(messages.iter().any(|m| m.starts_with("Bezoek 4: ") && m.contains("1234")), "{messages:?}");
        assert!(messages.iter().any(|m| m.starts_with("Bezoek 4: ") && m.contains("toekomst")), "{messages:?}");
        assert!(messages.iter().any(|m| m.starts_with("Bezoek 4: ") && m.contains("onbekend")), "{messages:?}");
        assert_eq!(count(&app).await, 1, "all or nothing");
        let unknown_field = post(json!({"help_point_id": central, "name": "Jan", "questions": [{"topic": "digid", "minutes": 5}]})).await.unwrap();
        assert_eq!(unknown_field.status(), 400, "no room for personal data");
        let batch: Vec<Value> = (0..5).map(|i| json!({"help_point_id": central, "asked_at": "2026-03-01T14:00:00+01:00",
            "questions": [{"topic": "digid", "minutes": 5 + i}, {"topic": "bankzaken", "minutes": 5, "outcome": "referred", "referred_to": library}]})).collect();
        let ok = post(Value::Array(batch)).await.unwrap();
        assert_eq!(ok.status(), 201);
        let ok: Value = ok.json().await.unwrap();
        assert_eq!(ok["visits"].as_array().unwrap().len(), 5);
        assert_eq!(ok["visits"][4]["running_total"], 11);
        // Paging through all 11 with a cursor, three at a time.
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!("/api/v1/help-questions?limit=3&help_point_id={central}");
            if let Some(c) = &cursor { url.push_str(&format!("&cursor={c}")); }
            let page: Value = api.get(app.url(&url)).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
            for item in page["items"].as_array().unwrap() { seen.push(item["id"].as_str().unwrap().to_owned()); }
            match page["next_cursor"].as_str() { Some(c) => cursor = Some(c.to_owned()), None => break }
        }
        assert_eq!(seen.len(), 11);
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 11, "no row twice");
        let filtered: Value = api.get(app.url("/api/v1/help-questions?topic=bankzaken&from=2026-03-01T00:00:00%2B01:00"))
            .bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(filtered["items"].as_array().unwrap().len(), 5);
        assert_eq!(filtered["items"][0]["referred_to"], library.as_str());
        assert!(filtered["items"][0].get("remark").is_none());
        let bad_cursor = api.get(app.url("/api/v1/help-questions?cursor=zzz")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(bad_cursor.status(), 422);
        // Another organisation's caller sees none of it.
        let partner = app.signed_in(PARTNER).await;
        let theirs: Value = partner.get(app.url("/api/v1/help-questions")).send().await.unwrap().json().await.unwrap();
        assert_eq!(theirs["items"].as_array().unwrap().len(), 0);
        let refused = partner.post(app.url("/api/v1/help-questions"))
            .json(&json!({"help_point_id": central, "questions": [{"topic": "digid", "minutes": 5}]})).send().await.unwrap();
        assert_eq!(refused.status(), 422);
    };

    categories_are_extendable_and_map_to_the_monitor_export => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let desk = format!("/balie/{central}");
        let page = "/beheer/categorieen";
        let staff = app.signed_in(STAFF).await;
        assert_eq!(staff.get(app.url(page)).send().await.unwrap().status(), 403);
        let admin = app.signed_in("beheer@digitale-inclusie.demo.keten.nl").await;
        let html = text(admin.get(app.url(page)).send().await.unwrap()).await;
        assert!(html.contains("belastingdienst") && html.contains("commercieel"));
        let bad = app.post_form(&admin, page, page, &[("list", "agency"), ("code", "Energie Bedrijf"), ("label", "Energieleverancier"), ("monitor_code", "commercieel")]).await;
        assert_eq!(bad.status(), 422);
        let html = text(bad).await;
        assert!(html.contains("kleine letters") && html.contains("value=\"Energieleverancier\""), "input kept");
        let ok = app.post_form(&admin, page, page, &[("list", "agency"), ("code", "energie"), ("label", "Energieleverancier"), ("monitor_code", "commercieel")]).await;
        assert_eq!(ok.status(), 303);
        let again = app.post_form(&admin, page, page, &[("list", "agency"), ("code", "energie"), ("label", "Nog eens"), ("monitor_code", "x")]).await;
        assert_eq!(again.status(), 422);
        assert!(text(again).await.contains("bestaat al"));
        let topic = app.post_form(&admin, page, page, &[("list", "topic"), ("code", "energietoeslag"), ("label", "Energietoeslag"), ("monitor_code", "toeslagen"), ("parent", "geld")]).await;
        assert_eq!(topic.status(), 303);
        // Staff can use the new categories at once.
        let form = text(staff.get(app.url(&desk)).send().await.unwrap()).await;
        assert!(form.contains("value=\"energie\"") && form.contains("value=\"energietoeslag\""));
        for (topic, agency) in [("energietoeslag", "energie"), ("digid", ""), ("digid", ""), ("digid", "")] {
            let r = app.post_form(&staff, &desk, &desk, &[("q0_topic", topic), ("q0_agency", agency), ("q0_minutes", "10")]).await;
            assert_eq!(r.status(), 303);
        }
        let monitor = "/beheer/categorieen/monitor";
        assert_eq!(app.post_form(&admin, page, monitor, &[("list", "topic"), ("code", "digid"), ("monitor_code", "inloggen")]).await.status(), 303);
        let csv = text(staff.get(app.url(&format!("{desk}/monitor.csv?maand=2026-03"))).send().await.unwrap()).await;
        assert!(csv.starts_with("maand,hulppunt,onderwerp,instantie,soort_vraag,aantal_vragen,minuten"));
        assert!(csv.contains("2026-03,Centrale Bibliotheek,inloggen,logius,digital_government,3,30"), "{csv}");
        assert!(csv.contains("2026-03,Centrale Bibliotheek,toeslagen,commercieel,other,1,10"), "{csv}");
        let february = text(staff.get(app.url(&format!("{desk}/monitor.csv?maand=2026-02"))).send().await.unwrap()).await;
        assert_eq!(february.lines().count(), 1, "nothing in February");
        let bad_month = staff.get(app.url(&format!("{desk}/monitor.csv?maand=maart"))).send().await.unwrap();
        assert_eq!(bad_month.status(), 422);
        let agencies = text(staff.get(app.url(&format!("{desk}/instanties.csv?maand=2026-03"))).send().await.unwrap()).await;
        assert!(agencies.contains("Energieleverancier,Energietoeslag,other,solved,<5"), "{agencies}");
        assert!(agencies.contains("DigiD / Logius,DigiD,digital_government,solved,<5"), "{agencies}");
    };

    coordinators_import_history_from_a_page_all_or_nothing => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let page = format!("/balie/{central}/inlezen");
        let staff = app.signed_in(STAFF).await;
        assert_eq!(staff.get(app.url(&page)).send().await.unwrap().status(), 403);
        let coordinator = app.signed_in(COORDINATOR).await;
        let token = app.csrf_token(&coordinator, &page).await;
        let upload = |csv: &'static str, map_date: &'static str| {
            let boundary = "----ketengrens";
            let body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"h.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"kolom_datum\"\r\n\r\n{map_date}\r\n--{boundary}--\r\n"
            );
            coordinator
                .post(app.url(&format!("{page}?csrf_token={token}")))
                .header("content-type", format!("multipart/form-data; boundary={boundary}"))
                .body(body)
                .send()
        };
        let bad = upload("Wanneer;Onderwerp;Minuten\n2026-02-01;DigiD;10\n2026-02-02;Astrologie;10\n", "Wanneer").await.unwrap();
        assert_eq!(bad.status(), 422);
        let html = text(bad).await;
        assert!(html.contains("Regel 3: Het onderwerp &#39;Astrologie&#39; kennen we niet."), "{html}");
        assert!(html.contains("value=\"Wanneer\""), "mapping kept");
        let unmapped = upload("Wanneer;Onderwerp;Minuten\n2026-02-01;DigiD;10\n", "").await.unwrap();
        assert_eq!(unmapped.status(), 422);
        assert!(text(unmapped).await.contains("Geen kolom voor datum"));
        let good = upload("Wanneer;Onderwerp;Minuten\n2026-02-01;DigiD;10\n02-02-2026;Bankzaken;25\n", "Wanneer").await.unwrap();
        assert_eq!(good.status(), 200);
        let html = text(good).await;
        assert!(html.contains("Alle 2 regels zijn goed"));
        assert_eq!(count(&app).await, 0, "checking stores nothing");
        let start = html.find("name=\"inhoud\" value=\"").unwrap() + "name=\"inhoud\" value=\"".len();
        let content = html[start..start + html[start..].find('"').unwrap()]
            .replace("&#10;", "\n").replace("&#13;", "\r").replace("&#34;", "\"").replace("&#59;", ";").replace("&#44;", ",").replace("&#38;", "&");
        let save = format!("{page}/opslaan");
        let r = app.post_form(&coordinator, &page, &save, &[("inhoud", content.as_str()), ("kolom_datum", "Wanneer")]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(count(&app).await, 2);
        let csv = text(coordinator.get(app.url(&format!("/balie/{central}/registraties.csv"))).send().await.unwrap()).await;
        assert!(csv.contains(",2026-02-02,") && csv.contains("bankzaken"));
    };
}
