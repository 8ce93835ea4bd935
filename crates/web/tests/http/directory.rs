//! Keeping the directory through HTTP on both databases: who may edit what, input kept on errors, checks and reminders.

use crate::support::TestApp;
use serde_json::Value;

use crate::support::demo_users::{COORDINATOR, PARTNER, STAFF, STEERING};

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
        let mosque = app.help_point("Digipunt Moskee Spangen").await.id;
        let page = format!("/beheer/hulppunten/{mosque}");
        assert_eq!(staff.get(app.url(&page)).send().await.unwrap().status(), 404);
        let own = format!("/beheer/hulppunten/{}", app.help_point("Centrale Bibliotheek").await.id);
        let token = app.csrf_token(&staff, &own).await;
        let r = staff.post(app.url(&page)).form(&[("csrf_token", token.as_str()), ("name", "Gekaapt")]).send().await.unwrap();
        assert_eq!(r.status(), 404);
        assert!(app.store.directory().await.unwrap().help_points.iter().all(|h| h.name != "Gekaapt"));
    };

    edits_keep_input_on_errors_and_reach_the_finder => |app: TestApp| async move {
        app.demo_chain().await;
        let id = app.help_point("Bibliotheek Delfshaven").await.id;
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
        // Closed (inactive) points disappear from the finder; temporarily closed ones do not (see the finder tests).
        let closed = app.post_form(&staff, &page, &page, &[
            ("name", "Bibliotheek Delfshaven"), ("street_address", "Schiedamseweg 97"), ("postcode", "3025 AB"),
            ("hours", "ma-vr 09:00-17:00"), ("languages", "nl"), ("status", "closed"),
        ]).await;
        assert_eq!(closed.status(), 303);
        let v: Value = app.browser().get(app.url("/api/v1/help-points/nearest?place=3025&limit=20")).send().await.unwrap().json().await.unwrap();
        assert!(v["results"].as_array().unwrap().iter().all(|r| r["name"] != "Bibliotheek Delfshaven"));
        assert_eq!(app.browser().get(app.url(&format!("/hulppunten/{id}"))).send().await.unwrap().status(), 404);
    };

    checking_a_point_shows_to_residents_and_leaves_reports_open => |app: TestApp| async move {
        app.demo_chain().await;
        let id = app.help_point("Centrale Bibliotheek").await.id;
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
        // "Alles klopt" does not close a report nobody read.
        assert_eq!(app.store.open_information_reports(&id).await.unwrap().len(), 1);
        // Half a year later the reminder is back.
        app.clock.advance_seconds(183 * 86_400);
        let steering = app.signed_in(STEERING).await;
        let list = steering.get(app.url("/beheer/hulppunten")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("Controleer nu"));
    };
}

/// Every mail written to the folder, as text, oldest name first.
mod reminders {
    use super::*;
    use keten_core::account::Role;
    const MOSQUE_STAFF: &str = "vrijwilliger@moskee-spangen.test";
    const DAY: i64 = 86_400;

    both_backends! {
        unchecked_help_points_remind_their_coordinators_at_most_once_a_month => |plain: TestApp| async move {
            let dir = tempfile::tempdir().unwrap();
            let config = crate::support::mail_config(dir.path());
            let app = TestApp::spawn_with(plain.db, config.clone()).await;
            app.demo_chain().await;
            let state = keten_web::AppState::new(app.store.clone(), std::sync::Arc::new(app.clock.clone()), config);
            // Just loaded: every point was checked today.
            assert_eq!(keten_web::send_check_reminders(&state).await.unwrap(), 0);
            assert!(crate::support::mails_in(dir.path()).is_empty());

            // The Centrale Bibliotheek was last checked seven months ago.
            let id = app.help_point("Centrale Bibliotheek").await.id;
            let coordinator = app.actor(COORDINATOR).await;
            app.store.mark_help_point_checked(&coordinator, &id, app.now() - 213 * DAY).await.unwrap();
            assert_eq!(keten_web::send_check_reminders(&state).await.unwrap(), 1);
            let all = crate::support::mails_in(dir.path());
            assert_eq!(all.len(), 1, "{all:#?}");
            let mail = &all[0];
            assert!(mail.contains(&format!("To: {COORDINATOR}")), "{mail}");
            assert!(!mail.contains(STAFF), "the organisation has a coordinator: staff are not mailed");
            assert!(mail.contains("Subject: Controleer uw hulppunt"), "{mail}");
            assert!(mail.contains("- Centrale Bibliotheek, 3011 "), "{mail}");
            assert!(mail.contains("augustus 2025"), "the date it was last checked: {mail}");
            assert!(mail.contains("https://keten.test/aanmelden?next=/beheer/hulppunten"), "{mail}");
            assert!(!mail.contains("Bibliotheek Delfshaven"), "checked points are not listed");
            // No personal data: not the coordinator's name, not a resident's report.
            assert!(!mail.contains("Ruud Bakker") && mail.contains("geen persoonsgegevens"));

            // Running again, the next hour or the next day, sends nothing.
            assert_eq!(keten_web::send_check_reminders(&state).await.unwrap(), 0);
            app.clock.advance_seconds(DAY);
            assert_eq!(keten_web::send_check_reminders(&state).await.unwrap(), 0);
            assert_eq!(crate::support::mails_in(dir.path()).len(), 1);
            // A month later, still unchecked: one more.
            app.clock.advance_seconds(30 * DAY);
            assert_eq!(keten_web::send_check_reminders(&state).await.unwrap(), 1);
            assert_eq!(crate::support::mails_in(dir.path()).len(), 2);

            // The coordinator says "Alles klopt": no more reminders, a month later neither.
            let browser = app.signed_in(COORDINATOR).await;
            let r = app.post_form(&browser, "/beheer/hulppunten", &format!("/beheer/hulppunten/{id}/gecontroleerd"), &[]).await;
            assert_eq!(r.status(), 303);
            app.clock.advance_seconds(31 * DAY);
            assert_eq!(keten_web::send_check_reminders(&state).await.unwrap(), 0);
            assert_eq!(crate::support::mails_in(dir.path()).len(), 2);

            // An organisation without a coordinator: its staff hear, one mail listing its points.
            let mosque = app.help_point("Digipunt Moskee Spangen").await;
            app.user(MOSQUE_STAFF, Role::Staff, &mosque.organisation_id).await;
            let steering = app.actor(STEERING).await;
            app.store.mark_help_point_checked(&steering, &mosque.id, app.now() - 200 * DAY).await.unwrap();
            assert_eq!(keten_web::send_check_reminders(&state).await.unwrap(), 1);
            let all = crate::support::mails_in(dir.path());
            let mosque_mail = all.iter().find(|m| m.contains(MOSQUE_STAFF)).expect("mail to the mosque's staff");
            assert!(mosque_mail.contains("Digipunt Moskee Spangen"));
            assert!(!mosque_mail.contains("Centrale Bibliotheek"), "another organisation's point");
        };

        residents_reports_reach_the_coordinators_who_read_and_close_each => |plain: TestApp| async move {
            let dir = tempfile::tempdir().unwrap();
            let app = TestApp::spawn_with(plain.db, crate::support::mail_config(dir.path())).await;
            app.demo_chain().await;
            let id = app.help_point("Centrale Bibliotheek").await.id;
            let resident = app.browser();
            let page = format!("/hulppunten/{id}");
            let action = format!("{page}/melding");
            let text = "Op zaterdag is de bibliotheek dicht. Groet, Fatima de Vries 06 12345678";
            let sent = app.post_form(&resident, &page, &action, &[("message", text)]).await;
            assert_eq!(sent.status(), 200);
            let all = crate::support::mails_in(dir.path());
            assert_eq!(all.len(), 1, "one coordinator: {all:#?}");
            // Long lines may come quoted-printable: undo its soft breaks and escaped '='.
            let mail = all[0].replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
            assert!(mail.contains(&format!("To: {COORDINATOR}")), "{mail}");
            assert!(mail.contains("Subject: Melding over Centrale Bibliotheek"), "{mail}");
            assert!(mail.contains(&format!("https://keten.test/beheer/hulppunten/{id}")), "{mail}");
            assert!(!mail.contains("Fatima") && !mail.contains("12345678") && !mail.contains("zaterdag"), "no resident's data: {mail}");
            app.clock.advance_seconds(DAY);
            app.post_form(&resident, &page, &action, &[("message", "Het telefoonnummer klopt niet.")]).await;
            assert_eq!(crate::support::mails_in(dir.path()).len(), 2);

            // The coordinator reads both on the edit page, with their dates.
            let coordinator = app.signed_in(COORDINATOR).await;
            let edit = format!("/beheer/hulppunten/{id}");
            let html = coordinator.get(app.url(&edit)).send().await.unwrap().text().await.unwrap();
            assert!(html.contains("Meldingen van inwoners (2)"), "{html}");
            assert!(html.contains("Op zaterdag is de bibliotheek dicht."));
            assert!(html.contains("Gemeld op maandag 2 maart 2026") && html.contains("Gemeld op dinsdag 3 maart 2026"), "{html}");
            // "Alles klopt" leaves them open.
            let r = app.post_form(&coordinator, "/beheer/hulppunten", &format!("/beheer/hulppunten/{id}/gecontroleerd"), &[]).await;
            assert_eq!(r.status(), 303);
            let reports = app.store.coordinated_information_reports(&app.actor(COORDINATOR).await, &id).await.unwrap();
            assert_eq!(reports.len(), 2);
            // Closing one after reading it.
            let close = format!("/beheer/hulppunten/{id}/meldingen/{}/gelezen", reports[0].id);
            assert!(html.contains(&format!("action=\"{close}\"")), "a close button per report");
            let r = app.post_form(&coordinator, &edit, &close, &[]).await;
            assert_eq!(r.status(), 303);
            let html = coordinator.get(app.url(&format!("{edit}?melding_gesloten=1"))).send().await.unwrap().text().await.unwrap();
            assert!(html.contains("De melding is gesloten.") && html.contains("Meldingen van inwoners (1)"));
            assert!(!html.contains("Op zaterdag is de bibliotheek dicht.") && html.contains("Het telefoonnummer klopt niet."));
            // Twice, or without the form's token, or for another organisation's point: refused.
            assert_eq!(app.post_form(&coordinator, &edit, &close, &[]).await.status(), 404);
            let second = format!("/beheer/hulppunten/{id}/meldingen/{}/gelezen", reports[1].id);
            assert_eq!(coordinator.post(app.url(&second)).form(&[("x", "y")]).send().await.unwrap().status(), 403);
            let mosque = app.help_point("Digipunt Moskee Spangen").await.id;
            let foreign = format!("/beheer/hulppunten/{mosque}/meldingen/{}/gelezen", reports[1].id);
            assert_eq!(app.post_form(&coordinator, &edit, &foreign, &[]).await.status(), 404);
            assert_eq!(app.store.open_information_reports(&id).await.unwrap().len(), 1);
        };
    }
}
