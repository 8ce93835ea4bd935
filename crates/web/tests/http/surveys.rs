//! The visitor survey on both databases: a coordinator's link and poster, the anonymous public form (what is stored
//! and what is not), the flood guard, the cells-under-5 rule in the results, and role and tenant checks.

use crate::support::TestApp;
use crate::support::demo_users::{COORDINATOR, PARTNER, STAFF, STEERING};
use keten_core::account::Role;
use serde_json::Value;

const AGENT: &str = "keten-test-agent/1.0 (survey)";

/// A browser with a recognisable user agent, to prove it is not stored.
fn visitor() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(AGENT)
        .build()
        .unwrap()
}

/// The coordinator makes a survey link for the help point; returns the link's token and id.
async fn make_link(app: &TestApp, coordinator: &reqwest::Client, point: &str) -> (String, String) {
    let page = format!("/balie/{point}/enquete");
    let r = app
        .post_form(
            coordinator,
            &page,
            &page,
            &[("label", "Poster bij de balie")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let links = app.store.survey_links(point).await.unwrap();
    let link = links.first().unwrap();
    (link.token.clone(), link.id.clone())
}

/// Opens the form (which gives the device cookie) and sends `answers`; returns the answer's status.
async fn answer(
    app: &TestApp,
    client: &reqwest::Client,
    token: &str,
    answers: &[(&str, &str)],
) -> reqwest::Response {
    let path = format!("/enquete/{token}");
    app.post_form(client, &path, &path, answers).await
}

async fn surveys(app: &TestApp, client: &reqwest::Client, query: &str) -> Value {
    let r = client
        .get(app.url(&format!("/api/v1/surveys{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{query}");
    r.json().await.unwrap()
}

fn option<'a>(body: &'a Value, question: &str, option: &str) -> &'a Value {
    let q = body["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["question"] == question)
        .unwrap();
    &q["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["option"] == option)
        .unwrap()["count"]
}

crate::both_backends! {
    anonymous_answers_keep_the_day_and_nothing_about_the_visitor => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let coordinator = app.signed_in(COORDINATOR).await;
        let (token, _) = make_link(&app, &coordinator, &central).await;

        let v = visitor();
        let form = v.get(app.url(&format!("/enquete/{token}?lang=en"))).send().await.unwrap();
        assert_eq!(form.status(), 200);
        let cookies: Vec<String> = form.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned()).collect();
        assert!(cookies.iter().any(|c| c.starts_with("keten_enquete=") && c.contains("HttpOnly")), "{cookies:?}");
        let html = form.text().await.unwrap();
        assert!(html.contains("Did you get help today?"), "English on ?lang=en");
        assert_eq!(html.matches("<fieldset").count(), 6, "six questions");
        assert!(!html.contains("<script"), "no JavaScript needed");

        let r = answer(&app, &v, &token, &[("helped", "yes"), ("feeling", "good"), ("age_band", "75+")]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], format!("/enquete/{token}/bedankt"));
        let thanks = v.get(app.url(&format!("/enquete/{token}/bedankt"))).send().await.unwrap().text().await.unwrap();
        assert!(thanks.contains("Centrale Bibliotheek"));

        // What is stored: the help point, its municipality, the local day, the language and the coded answers.
        let stored = app.store.stored_survey_responses(&central).await.unwrap();
        assert_eq!(stored.len(), 1);
        let s = &stored[0];
        assert_eq!(s.municipality_code, "GM0599");
        assert_eq!(s.answered_on, "2026-03-02");
        assert_eq!(s.language, "en", "the language the visitor chose");
        assert_eq!(s.helped.as_deref(), Some("yes"));
        assert_eq!(s.feeling.as_deref(), Some("good"));
        assert_eq!(s.age_band.as_deref(), Some("75+"));
        assert_eq!((s.self_next.as_deref(), s.recommend.as_deref(), s.heard_via.as_deref()), (None, None, None));
        // And nothing else: the table's columns are exactly these, and no text of the request is in them.
        let columns = app.store.survey_response_columns().await.unwrap();
        assert_eq!(columns, ["id", "help_point_id", "municipality_code", "answered_on", "language", "helped",
            "self_next", "feeling", "recommend", "heard_via", "age_band"]);
        let row = format!("{s:?}");
        for secret in [AGENT, "127.0.0.1", &app.now().to_string(), &token] {
            assert!(!row.contains(secret), "{secret} stored with the answer");
        }
        // The guard's rows hold neither the response's id nor the cookie itself.
        let guard = app.store.survey_guard_rows().await.unwrap();
        assert!(!guard.is_empty());
        let cookie = cookies.iter().find(|c| c.starts_with("keten_enquete=")).unwrap();
        let cookie_value = cookie.trim_start_matches("keten_enquete=").split(';').next().unwrap();
        for g in &guard {
            assert!(!g.contains(&s.id) && !g.contains(cookie_value), "{g}");
        }
        // The purge removes the guard once its pause and window are over.
        app.clock.advance_seconds(2 * 3600);
        app.store.purge_survey_guard(app.now()).await.unwrap();
        assert!(app.store.survey_guard_rows().await.unwrap().is_empty());
    };

    the_form_keeps_choices_and_refuses_nonsense => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let coordinator = app.signed_in(COORDINATOR).await;
        let (token, _) = make_link(&app, &coordinator, &central).await;
        let v = visitor();
        let empty = answer(&app, &v, &token, &[]).await;
        assert_eq!(empty.status(), 422);
        assert!(empty.text().await.unwrap().contains("Kies bij minstens één vraag een antwoord."));
        let wrong = answer(&app, &v, &token, &[("helped", "partly"), ("feeling", "ecstatic")]).await;
        assert_eq!(wrong.status(), 422);
        let html = wrong.text().await.unwrap();
        assert!(html.contains("Kies een van de antwoorden."));
        assert!(html.contains(r#"id="helped-partly" name="helped" value="partly" checked"#), "choice kept");
        assert!(app.store.stored_survey_responses(&central).await.unwrap().is_empty());

        // Without the device cookie the answers are kept and the browser gets one; the next press stores them.
        let bare = app.browser();
        let csrf = app.csrf_token(&bare, "/aanmelden").await;
        let r = bare.post(app.url(&format!("/enquete/{token}")))
            .form(&[("helped", "no"), ("csrf_token", &csrf)]).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap().starts_with("keten_enquete=")));
        assert!(r.text().await.unwrap().contains(r#"value="no" checked"#));
        let again = bare.post(app.url(&format!("/enquete/{token}")))
            .form(&[("helped", "no"), ("csrf_token", &csrf)]).send().await.unwrap();
        assert_eq!(again.status(), 303);

        // A revoked link closes the survey.
        let (_, id) = make_link(&app, &coordinator, &central).await;
        let link = app.store.survey_links(&central).await.unwrap().into_iter().find(|l| l.id == id).unwrap();
        let page = format!("/balie/{central}/enquete");
        let r = app.post_form(&coordinator, &page, &format!("/balie/{central}/enquete/{id}/intrekken"), &[]).await;
        assert_eq!(r.status(), 303);
        let gone = v.get(app.url(&format!("/enquete/{}", link.token))).send().await.unwrap();
        assert_eq!(gone.status(), 404);
        assert!(gone.text().await.unwrap().contains("Deze enquête is gesloten."));
        let unknown = v.get(app.url("/enquete/00000000000000000000000000000000")).send().await.unwrap();
        assert_eq!(unknown.status(), 404);
    };

    the_flood_guard_pauses_a_device_and_caps_a_help_point => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let coordinator = app.signed_in(COORDINATOR).await;
        let (token, _) = make_link(&app, &coordinator, &central).await;
        let tablet = visitor();
        assert_eq!(answer(&app, &tablet, &token, &[("helped", "yes")]).await.status(), 303);
        let again = answer(&app, &tablet, &token, &[("helped", "yes")]).await;
        assert_eq!(again.status(), 429);
        assert!(again.headers().contains_key("retry-after"));
        assert!(again.text().await.unwrap().contains("U heeft net al meegedaan"));
        // The next visitor at the tablet, a minute later, may answer.
        app.clock.advance_seconds(61);
        assert_eq!(answer(&app, &tablet, &token, &[("helped", "no")]).await.status(), 303);
        // Another device at once too; the guard is per device.
        assert_eq!(answer(&app, &visitor(), &token, &[("helped", "no")]).await.status(), 303);
        // A help point takes at most 60 answers in one hour window, from however many devices.
        let hour = keten_core::survey::window_start(app.now());
        app.clock.advance_seconds(hour + 3600 - app.now() + 1);
        for i in 0..keten_core::survey::POINT_ANSWERS_PER_WINDOW {
            assert_eq!(answer(&app, &visitor(), &token, &[("recommend", "yes")]).await.status(), 303, "answer {i}");
        }
        let full = answer(&app, &visitor(), &token, &[("recommend", "yes")]).await;
        assert_eq!(full.status(), 429);
        assert!(full.text().await.unwrap().contains("Het is nu heel druk"));
        let stored = app.store.stored_survey_responses(&central).await.unwrap();
        assert_eq!(stored.len(), 3 + 60);
        // The next hour opens again.
        app.clock.advance_seconds(3600);
        assert_eq!(answer(&app, &visitor(), &token, &[("recommend", "yes")]).await.status(), 303);
    };

    results_hide_cells_under_five_per_help_point_and_municipality => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let coordinator = app.signed_in(COORDINATOR).await;
        let (token, _) = make_link(&app, &coordinator, &central).await;
        let steering = app.signed_in(STEERING).await;
        for _ in 0..3 {
            assert_eq!(answer(&app, &visitor(), &token, &[("helped", "yes"), ("feeling", "good")]).await.status(), 303);
        }
        let few = surveys(&app, &steering, "").await;
        assert_eq!(few["about"]["municipality_code"], "GM0599");
        assert_eq!(few["about"]["from"], "2026-01-01", "this year without a period");
        assert!(few["responses"].is_null(), "3 answers read < 5");
        assert!(option(&few, "helped", "yes").is_null());
        assert_eq!(option(&few, "helped", "no"), 0);
        let csv = app.get_as(&steering, "/regie/enquete.csv").await.text().await.unwrap();
        assert!(csv.contains("< 5"), "{csv}");
        assert!(csv.lines().all(|l| !l.trim_end().ends_with(",3")), "{csv}");

        for _ in 0..6 {
            answer(&app, &visitor(), &token, &[("helped", "yes"), ("feeling", "good")]).await;
        }
        for _ in 0..5 {
            answer(&app, &visitor(), &token, &[("helped", "partly")]).await;
        }
        answer(&app, &visitor(), &token, &[("helped", "no"), ("feeling", "bad")]).await;
        let more = surveys(&app, &steering, &format!("?help_point={central}")).await;
        assert_eq!(more["about"]["help_point_id"], central.as_str());
        // A partner's consultation hours are no scope for answers: the parameter is dropped, not a 404 and not a
        // label on the municipality's answers.
        let with_partner = surveys(&app, &steering, &format!("?help_point={central}&partner=onbekend")).await;
        assert_eq!(with_partner, more);
        assert_eq!(more["responses"], 15);
        // 9 yes shown; the single no is hidden, and with it the smallest other cell (partly, 5) so that it cannot
        // be found from the total.
        assert_eq!(option(&more, "helped", "yes"), 9);
        assert!(option(&more, "helped", "no").is_null());
        assert!(option(&more, "helped", "partly").is_null());
        assert_eq!(more["help_points"][0]["responses"], 15);

        let page = app.get_as(&steering, "/regie/enquete").await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("Centrale Bibliotheek") && html.contains("&lt; 5"));
        // "partly" (5) reads "< 5" too: the note says a second, larger number may stand so.
        assert!(html.contains("dan staat het kleinste andere antwoord er ook zo (ook als dat groter is)"), "{html}");
        let xlsx = app.get_as(&steering, "/regie/enquete.xlsx").await;
        assert_eq!(xlsx.status(), 200);
        assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
        let dashboard = app.get_as(&steering, "/regie").await.text().await.unwrap();
        assert!(dashboard.contains("/regie/enquete?"), "linked from /regie");
        // The coordinator reads the help point's own results beside its links.
        let own = app.get_as(&coordinator, &format!("/balie/{central}/enquete")).await.text().await.unwrap();
        assert!(own.contains("Antwoorden in deze periode: <strong>15</strong>"), "{own}");
    };

    poster_and_qr_codes_for_the_coordinator_only => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let coordinator = app.signed_in(COORDINATOR).await;
        let (token, id) = make_link(&app, &coordinator, &central).await;
        let poster = app.get_as(&coordinator, &format!("/balie/{central}/enquete/{id}/poster")).await;
        assert_eq!(poster.status(), 200);
        let html = poster.text().await.unwrap();
        assert!(html.contains("Centrale Bibliotheek") && html.contains("<svg") && html.contains(&format!("/enquete/{token}")));
        assert!(html.contains("keten-poster-page"));
        let svg = app.get_as(&coordinator, &format!("/balie/{central}/enquete/{id}/qr.svg")).await;
        assert_eq!(svg.headers()["content-type"], "image/svg+xml");
        assert!(svg.text().await.unwrap().contains("<svg"));
        let png = app.get_as(&coordinator, &format!("/balie/{central}/enquete/{id}/qr.png")).await;
        assert_eq!(png.headers()["content-type"], "image/png");
        assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG\r\n\x1a\n"));
        // A label is required; the form keeps what was typed.
        let page = format!("/balie/{central}/enquete");
        let long = "x".repeat(101);
        let r = app.post_form(&coordinator, &page, &page, &[("label", &long)]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains(&long));

        // Staff of the help point may not make links (403); another municipality's coordinator does not see it (404).
        let staff = app.signed_in(STAFF).await;
        assert_eq!(app.get_as(&staff, &page).await.status(), 403);
        let gent_library = app.organisation("Bibliotheek Gent", "library", "civil", "44021").await;
        app.user("coordinator@gent.test", Role::Coordinator, &gent_library).await;
        let gent = app.signed_in("coordinator@gent.test").await;
        assert_eq!(app.get_as(&gent, &page).await.status(), 404);
        assert_eq!(app.get_as(&gent, &format!("/balie/{central}/enquete/{id}/qr.png")).await.status(), 404);

        // Results: a partner has no figures (403), another municipality's steering gets 404, anonymous API 401.
        let partner = app.signed_in(PARTNER).await;
        assert_eq!(app.get_as(&partner, "/regie/enquete").await.status(), 403);
        assert_eq!(app.get_as(&partner, "/api/v1/surveys").await.status(), 403);
        let gent_municipality = app.organisation("Stad Gent", "municipality", "public", "44021").await;
        app.user("regie@gent.test", Role::Steering, &gent_municipality).await;
        let gent_steering = app.signed_in("regie@gent.test").await;
        assert_eq!(app.get_as(&gent_steering, "/api/v1/surveys?municipality=GM0599").await.status(), 404);
        assert_eq!(app.get_as(&gent_steering, &format!("/regie/enquete?help_point={central}")).await.status(), 404);
        assert_eq!(app.get_as(&app.browser(), "/api/v1/surveys").await.status(), 401);
    };
}
