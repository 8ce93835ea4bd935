//! Data offers over HTTP: recording (422 keeps input), the API with tenant checks, pairing with a device at
//! hand-out, the bank's loan settings, and the loan reminder mailed once by the hourly job.

use crate::support::TestApp;
use crate::support::demo_users::{COORDINATOR, PARTNER, STAFF, STEERING};
use keten_core::account::Role;
use serde_json::{Value, json};

async fn json_of(r: reqwest::Response) -> Value {
    r.json().await.unwrap()
}

/// The demo chain with Bibliotheek Rotterdam as Rotterdam's device bank.
async fn bank(app: &TestApp) -> String {
    app.demo_chain().await;
    let library = app.organisation_id("Bibliotheek Rotterdam").await;
    let steering = app.actor(STEERING).await;
    app.store
        .set_device_bank(&steering, "GM0599", &library, 5, app.now())
        .await
        .unwrap();
    library
}

fn sim_offer() -> Value {
    json!({"municipality_code": "GM0599", "kind": "sim", "provider": "Stichting Sociaal Internet",
           "gb_per_month": 10, "months": 6, "price_cents": 0,
           "conditions": "Inwoners zonder internet thuis", "how_to_get": "Vraag ernaar aan de balie",
           "active_from": "2026-03-01", "active_until": "2026-12-31"})
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    body: &Value,
) -> reqwest::Response {
    client.post(app.url(path)).json(body).send().await.unwrap()
}

async fn put(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    body: &Value,
) -> reqwest::Response {
    client.put(app.url(path)).json(body).send().await.unwrap()
}

crate::both_backends! {
    offers_are_recorded_read_changed_and_ended_within_the_chain => |app: TestApp| async move {
        bank(&app).await;
        let partner = app.signed_in(PARTNER).await;
        let r = post(&app, &partner, "/api/v1/data-offers", &sim_offer()).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let offer = json_of(r).await;
        let id = offer["id"].as_str().unwrap().to_owned();
        assert_eq!(offer["summary"], "10 GB per maand, 6 maanden, gratis");
        assert_eq!(offer["active"], true);
        assert_eq!(offer["organisation"], "Maasbank");

        // Broken rules: 422 with every field named.
        let mut bad = sim_offer();
        bad["provider"] = json!(" ");
        bad["gb_per_month"] = json!(0);
        bad["active_until"] = json!("2026-01-01");
        let r = post(&app, &partner, "/api/v1/data-offers", &bad).await;
        assert_eq!(r.status(), 422);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/problem+json"));
        let fields: Vec<String> = json_of(r).await["errors"].as_array().unwrap().iter()
            .map(|e| e["field"].as_str().unwrap().to_owned()).collect();
        assert_eq!(fields, ["provider", "gb_per_month", "active_until"]);
        // A municipality where the organisation is not active.
        let mut elsewhere = sim_offer();
        elsewhere["municipality_code"] = json!("44021");
        assert_eq!(post(&app, &partner, "/api/v1/data-offers", &elsewhere).await.status(), 422);

        // The library's staff read it, but only the Maasbank changes it.
        let staff = app.signed_in(STAFF).await;
        let path = format!("/api/v1/data-offers/{id}");
        assert_eq!(json_of(app.get_as(&staff, &path).await).await["provider"], "Stichting Sociaal Internet");
        let mut changed = sim_offer();
        changed["gb_per_month"] = json!(20);
        assert_eq!(put(&app, &staff, &path, &changed).await.status(), 404);
        let r = put(&app, &partner, &path, &changed).await;
        assert_eq!(r.status(), 200);
        assert_eq!(json_of(r).await["gb_per_month"], 20);

        // Another municipality's staff: not in its chain.
        let gent = app.organisation("Bibliotheek Gent", "library", "civil", "44021").await;
        app.user("balie@gent.test", Role::Staff, &gent).await;
        let gent_staff = app.signed_in("balie@gent.test").await;
        assert_eq!(app.get_as(&gent_staff, &path).await.status(), 404);
        assert_eq!(json_of(app.get_as(&gent_staff, "/api/v1/data-offers").await).await.as_array().unwrap().len(), 0);
        assert_eq!(gent_staff.delete(app.url(&path)).send().await.unwrap().status(), 404);
        // Anonymous callers: 401.
        assert_eq!(app.browser().get(app.url("/api/v1/data-offers")).send().await.unwrap().status(), 401);

        // Ended: still readable, no longer listed by default, no longer changeable.
        let r = partner.delete(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let ended = json_of(r).await;
        assert!(ended["ended_at"].is_number());
        assert_eq!(ended["active"], false);
        assert_eq!(json_of(app.get_as(&partner, "/api/v1/data-offers").await).await.as_array().unwrap().len(), 0);
        assert_eq!(json_of(app.get_as(&partner, "/api/v1/data-offers?include_ended=true").await).await.as_array().unwrap().len(), 1);
        assert_eq!(put(&app, &partner, &path, &changed).await.status(), 404);
    };

    the_form_keeps_what_was_typed_and_saves_a_good_offer => |app: TestApp| async move {
        bank(&app).await;
        let coordinator = app.signed_in(COORDINATOR).await;
        let page = "/apparaten/data-aanbod";
        let html = app.get_as(&coordinator, page).await.text().await.unwrap();
        assert!(html.contains("Aanbod toevoegen"), "{html}");
        let fields = [("municipality_code", "GM0599"), ("kind", "voucher"), ("provider", "Vodafone"),
            ("gb_per_month", "veel"), ("months", "12"), ("price", "2,50"),
            ("conditions", "Met een Rotterdampas"), ("how_to_get", "Bel de bibliotheek"),
            ("active_from", "2026-03-01"), ("active_until", "")];
        let r = app.post_form(&coordinator, page, page, &fields).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Vul het aantal GB per maand in als heel getal"), "{html}");
        assert!(html.contains("value=\"Vodafone\""));
        assert!(html.contains("Met een Rotterdampas"));
        assert!(html.contains("value=\"2,50\""));
        let mut good = fields.to_vec();
        good[3] = ("gb_per_month", "");
        let r = app.post_form(&coordinator, page, page, &good).await;
        assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
        let offers = json_of(app.get_as(&coordinator, "/api/v1/data-offers").await).await;
        assert_eq!(offers[0]["price_cents"], 250);
        assert_eq!(offers[0]["summary"], "onbeperkt internet, 12 maanden, € 2,50 per maand");
        let html = app.get_as(&coordinator, page).await.text().await.unwrap();
        assert!(html.contains("onbeperkt internet, 12 maanden"), "{html}");
        // A partner without the role of a donor? Steering may; a resident (signed out) is sent to sign in.
        let r = app.browser().get(app.url(page)).send().await.unwrap();
        assert_ne!(r.status(), 200);
    };

    a_paired_offer_settings_applied_and_the_reminder_mailed_once => |plain: TestApp| async move {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::support::mail_config(dir.path());
        let app = TestApp::spawn_with(plain.db, config.clone()).await;
        bank(&app).await;
        let state = keten_web::AppState::new(app.store.clone(), std::sync::Arc::new(app.clock.clone()), config);
        let partner = app.signed_in(PARTNER).await;
        let staff = app.signed_in(STAFF).await;
        let steering = app.signed_in(STEERING).await;

        // Loan settings: the bank and its municipality's steering; not a partner.
        let settings = json!({"deposit_cents": 2500, "months": 1, "remind_days": 7, "refund_late_returns": true});
        assert_eq!(put(&app, &partner, "/api/v1/device-bank/GM0599/loans", &settings).await.status(), 403);
        let r = put(&app, &staff, "/api/v1/device-bank/GM0599/loans", &settings).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let read = json_of(app.get_as(&steering, "/api/v1/device-bank/GM0599/loans").await).await;
        assert_eq!(read["remind_days"], 7);
        assert_eq!(read["deposit_cents"], 2500);
        let bad = json!({"deposit_cents": -1, "months": 0, "remind_days": 7, "refund_late_returns": false});
        assert_eq!(put(&app, &staff, "/api/v1/device-bank/GM0599/loans", &bad).await.status(), 422);
        assert_eq!(app.get_as(&staff, "/api/v1/device-bank/44021/loans").await.status(), 404);

        // A laptop through a request, reserved.
        let batch = json_of(post(&app, &partner, "/api/v1/devices", &json!({"kind": "laptop",
            "make_model": "Dell Latitude 5490", "count": 1, "condition": "good", "has_storage": false})).await).await;
        let devices = json_of(app.get_as(&staff, "/api/v1/devices").await).await;
        let device = devices.as_array().unwrap().iter().find(|d| d["batch_id"] == batch["id"]).unwrap()["id"]
            .as_str().unwrap().to_owned();
        for s in ["accept", "mark_ready"] {
            let r = post(&app, &staff, &format!("/api/v1/devices/{device}/transitions"), &json!({"action": s})).await;
            assert_eq!(r.status(), 200);
        }
        let referral = app.send_referral(&staff, &crate::support::referral_body("bankzaken", "3011")).await;
        let request = json_of(post(&app, &partner, "/api/v1/device-requests", &json!({"referral_id": referral,
            "kind": "laptop", "internet_at_home": false, "limited_mobility": false, "first_use_session": true})).await).await;
        let rid = request["id"].as_str().unwrap().to_owned();
        let pair_path = format!("/api/v1/device-requests/{rid}/data-offer");
        let offer = json_of(post(&app, &partner, "/api/v1/data-offers", &sim_offer()).await).await;
        // Not before the device is reserved.
        assert_eq!(put(&app, &staff, &pair_path, &json!({"data_offer_id": offer["id"]})).await.status(), 422);
        let r = post(&app, &staff, &format!("/api/v1/device-requests/{rid}/transitions"),
            &json!({"action": "reserve", "device_id": device})).await;
        assert_eq!(r.status(), 200);
        // The referrer does not pair; the bank does.
        assert_eq!(put(&app, &partner, &pair_path, &json!({"data_offer_id": offer["id"]})).await.status(), 403);
        assert_eq!(put(&app, &staff, &pair_path, &json!({"data_offer_id": "nope"})).await.status(), 422);
        let r = put(&app, &staff, &pair_path, &json!({"data_offer_id": offer["id"]})).await;
        assert_eq!(r.status(), 200);
        assert_eq!(json_of(r).await["provider"], "Stichting Sociaal Internet");

        // Handed out on 2 March for a month: the bank's 7 reminder days are copied onto the loan.
        let r = post(&app, &staff, &format!("/api/v1/device-requests/{rid}/transitions"),
            &json!({"action": "hand_out", "loan": {"deposit_cents": 2500, "months": 1}})).await;
        let handed = json_of(r).await;
        assert_eq!(handed["loan"]["remind_days_before"], 7);
        assert_eq!(handed["loan"]["due_on"], "2026-04-02");
        // The pairing is on the request, for the bank and the referrer.
        assert_eq!(handed["data_offer"]["id"], offer["id"]);
        let seen = json_of(app.get_as(&partner, &format!("/api/v1/device-requests/{rid}")).await).await;
        assert_eq!(seen["data_offer"]["summary"], "10 GB per maand, 6 maanden, gratis");

        // Due 2 April, reminder from 26 March: none before, one mail round on that day, never again.
        app.clock.advance_seconds(23 * 86_400);
        assert_eq!(keten_web::send_loan_reminders(&state).await.unwrap(), 0);
        app.clock.advance_seconds(86_400);
        let sent = keten_web::send_loan_reminders(&state).await.unwrap();
        assert!(sent >= 2, "bank and referrer: {sent}");
        assert_eq!(keten_web::send_loan_reminders(&state).await.unwrap(), 0);
        let mails = crate::support::mails_in(dir.path());
        let reminder = mails.iter().find(|m| m.contains("Dell Latitude 5490")).expect("a reminder mail");
        assert!(reminder.contains("2 april"), "{reminder}");
        assert!(
            mails.iter().any(|m| m.contains("To: partner@maasbank") && m.contains("Dell Latitude 5490")),
            "the referrer hears of it too: {mails:?}"
        );
        // The bank's list keeps it until the device is back.
        let staff = app.signed_in(STAFF).await;
        let due = json_of(app.get_as(&staff, "/api/v1/device-loans/reminders").await).await;
        assert_eq!(due.as_array().unwrap().len(), 1, "{due}");
    };

    the_demo_offers_a_free_sim_at_the_library_and_a_social_tariff => |app: TestApp| async move {
        app.demo_chain().await;
        app.store.load_demo_data_offers(app.now()).await.unwrap();
        let partner = app.signed_in(PARTNER).await;
        let offers = json_of(app.get_as(&partner, "/api/v1/data-offers?municipality=GM0599").await).await;
        let offers = offers.as_array().unwrap();
        assert_eq!(offers.len(), 2);
        let sim = offers.iter().find(|o| o["kind"] == "sim").unwrap();
        assert_eq!(sim["help_point"], "Centrale Bibliotheek");
        assert_eq!(sim["summary"], "10 GB per maand, 6 maanden, gratis");
        assert_eq!(sim["active"], true);
        assert!(offers.iter().any(|o| o["kind"] == "social_tariff" && o["price_cents"] == 1000));
    };
}
