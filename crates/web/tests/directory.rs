//! Keeping the directory through HTTP on both databases: who may edit what, input kept on errors, checks and reminders.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::TestApp;

const STAFF: &str = "balie@bibliotheek-rotterdam.demo.keten.nl";
const STEERING: &str = "regie@rotterdam.demo.keten.nl";
const PARTNER: &str = "partner@maasbank.demo.keten.nl";

/// The demo's help point ids by name.
async fn point_id(app: &TestApp, name: &str) -> String {
    app.store
        .directory()
        .await
        .unwrap()
        .help_points
        .into_iter()
        .find(|h| h.name == name)
        .unwrap()
        .id
}

both_backends! {
    coordinators_see_their_own_help_points_only => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        let html = staff.get(app.url("/beheer/hulppunten")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Centrale Bibliotheek"));
        assert!(!html.contains("Digipunt Moskee Spangen"), "another organisation's point");
        assert!(!html.contains("Controleer nu"), "just created, so just checked");
        let steering = app.signed_in(STEERING).await;
        let html = steering.get(app.url("/beheer/hulppunten")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Centrale Bibliotheek") && html.contains("Digipunt Moskee Spangen"));
        assert!(!html.contains("Bibliotheek Schiedam"), "Schiedam is not Rotterdam's to steer");
        let partner = app.signed_in(PARTNER).await;
        assert_eq!(partner.get(app.url("/beheer/hulppunten")).send().await.unwrap().status(), 403);
        // Someone else's point: not found, for reading and for saving.
        let mosque = point_id(&app, "Digipunt Moskee Spangen").await;
        let page = format!("/beheer/hulppunten/{mosque}");
        assert_eq!(staff.get(app.url(&page)).send().await.unwrap().status(), 404);
        let own = format!("/beheer/hulppunten/{}", point_id(&app, "Centrale Bibliotheek").await);
        let token = app.csrf_token(&staff, &own).await;
        let r = staff.post(app.url(&page)).form(&[("csrf_token", token.as_str()), ("name", "Gekaapt")]).send().await.unwrap();
        assert_eq!(r.status(), 404);
        assert!(app.store.directory().await.unwrap().help_points.iter().all(|h| h.name != "Gekaapt"));
    };

    edits_keep_input_on_errors_and_reach_the_finder => |app: TestApp| async move {
        app.demo_chain().await;
        let id = point_id(&app, "Bibliotheek Delfshaven").await;
        let page = format!("/beheer/hulppunten/{id}");
        let staff = app.signed_in(STAFF).await;
        let form = staff.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
        assert!(form.contains("value=\"di, do 10:00-12:30 en 13:30-16:00; za 10:00-12:00\""), "hours in the text syntax");
        let bad = app.post_form(&staff, &page, &page, &[
            ("name", "Bibliotheek Delfshaven"), ("street_address", "Schiedamseweg 97"), ("postcode", "0000"),
            ("hours", "mo 10-12"), ("languages", "nl"), ("topics", "digid"), ("status", "open"),
        ]).await;
        assert_eq!(bad.status(), 422);
        let html = bad.text().await.unwrap();
        assert!(html.contains("Vul een bestaande postcode in"));
        assert!(html.contains("Onbekende dag"));
        assert!(html.contains("value=\"mo 10-12\""), "typed hours kept");
        assert!(html.contains("value=\"0000\""));
        let good = app.post_form(&staff, &page, &page, &[
            ("name", "Bibliotheek Delfshaven"), ("street_address", "Schiedamseweg 97"), ("postcode", "3025 AB"),
            ("hours", "ma-vr 09:00-17:00"), ("languages", "nl, tr"), ("topics", "digid"), ("topics", "bankzaken"),
            ("status", "open"), ("step_free", "1"),
        ]).await;
        assert_eq!(good.status(), 303);
        let v: Value = app.browser().get(app.url("/api/v1/help-points/nearest?place=3025&language=tr&limit=3")).send().await.unwrap().json().await.unwrap();
        let first = &v["results"][0];
        assert_eq!(first["name"], "Bibliotheek Delfshaven");
        assert_eq!(first["next_open_text"], "Nu open tot 17:00", "new hours (Monday 10:00)");
        assert_eq!(first["topics"], serde_json::json!(["bankzaken", "digid"]));
        // Temporarily closed points disappear from the finder.
        let closed = app.post_form(&staff, &page, &page, &[
            ("name", "Bibliotheek Delfshaven"), ("street_address", "Schiedamseweg 97"), ("postcode", "3025 AB"),
            ("hours", "ma-vr 09:00-17:00"), ("languages", "nl"), ("status", "temporarily_closed"),
            ("status_reason", "Verbouwing"), ("reopens_on", "2026-09-01"),
        ]).await;
        assert_eq!(closed.status(), 303);
        let v: Value = app.browser().get(app.url("/api/v1/help-points/nearest?place=3025&limit=20")).send().await.unwrap().json().await.unwrap();
        assert!(v["results"].as_array().unwrap().iter().all(|r| r["name"] != "Bibliotheek Delfshaven"));
    };

    checking_a_point_shows_to_residents_and_closes_reports => |app: TestApp| async move {
        app.demo_chain().await;
        let id = point_id(&app, "Centrale Bibliotheek").await;
        app.store.report_wrong_information(&id, "Het telefoonnummer klopt niet", app.now()).await.unwrap();
        let steering = app.signed_in(STEERING).await;
        let list = steering.get(app.url("/beheer/hulppunten")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("1 open"));
        let before = app.browser().get(app.url(&format!("/hulppunten/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(before.contains("gecontroleerd op maandag 2 maart"), "created by a person counts as checked");
        app.clock.advance_seconds(10 * 86_400);
        // Sessions last hours, not days: sign in again.
        let steering = app.signed_in(STEERING).await;
        let r = app.post_form(&steering, "/beheer/hulppunten", &format!("/beheer/hulppunten/{id}/gecontroleerd"), &[]).await;
        assert_eq!(r.status(), 303);
        let after = app.browser().get(app.url(&format!("/hulppunten/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(after.contains("gecontroleerd op donderdag 12 maart"), "{after}");
        assert!(app.store.open_information_reports(&id).await.unwrap().is_empty());
        // Half a year later the reminder is back.
        app.clock.advance_seconds(183 * 86_400);
        let steering = app.signed_in(STEERING).await;
        let list = steering.get(app.url("/beheer/hulppunten")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("Controleer nu"));
    };
}
