//! "Laptop of internet nodig?" over HTTP: the device bank's help points of the resident's municipality nearest
//! first with the bank's terms, the data offers running there, where to go, and bad places kept with a 422.

use crate::support::TestApp;
use crate::support::demo_users::{PARTNER, STAFF, STEERING};
use keten_core::account::Role;
use serde_json::{Value, json};

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let r = app.browser().get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post_json(app: &TestApp, client: &reqwest::Client, path: &str, body: &Value) -> Value {
    let r = client.post(app.url(path)).json(body).send().await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

/// Rotterdam's bank at the library with a € 20 deposit for 36 months, the demo's two offers, an ended offer and
/// an offer in Gent.
async fn chain(app: &TestApp) {
    app.demo_chain().await;
    let library = app.organisation_id("Bibliotheek Rotterdam").await;
    let steering = app.actor(STEERING).await;
    app.store
        .set_device_bank(&steering, "GM0599", &library, 5, app.now())
        .await
        .unwrap();
    let staff = app.signed_in(STAFF).await;
    let r = staff
        .put(app.url("/api/v1/device-bank/GM0599/loans"))
        .json(&json!({"deposit_cents": 2000, "months": 36, "remind_days": 14, "refund_late_returns": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    app.store.load_demo_data_offers(app.now()).await.unwrap();
    let partner = app.signed_in(PARTNER).await;
    let ended = post_json(app, &partner, "/api/v1/data-offers", &json!({"municipality_code": "GM0599",
        "kind": "voucher", "provider": "Beëindigd Aanbod", "gb_per_month": 5, "months": 3, "price_cents": 0,
        "conditions": "Iedereen", "how_to_get": "Bel ons"})).await;
    let path = format!("/api/v1/data-offers/{}", ended["id"].as_str().unwrap());
    assert_eq!(
        partner
            .delete(app.url(&path))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let gent = app
        .organisation("Bibliotheek Gent", "library", "civil", "44021")
        .await;
    app.user("balie@gent.test", Role::Staff, &gent).await;
    let gent_staff = app.signed_in("balie@gent.test").await;
    post_json(app, &gent_staff, "/api/v1/data-offers", &json!({"municipality_code": "44021",
        "kind": "sim", "provider": "Gentse Simkaart", "gb_per_month": 20, "months": 1, "price_cents": 500,
        "conditions": "Inwoners van Gent", "how_to_get": "Vraag het aan de balie"})).await;
}

/// `count` laptops of the Maasbank (no storage), accepted and made ready by the library; their ids.
async fn ready_laptops(app: &TestApp, count: i64) -> Vec<String> {
    let partner = app.signed_in(PARTNER).await;
    let staff = app.signed_in(STAFF).await;
    let batch = post_json(app, &partner, "/api/v1/devices", &json!({"kind": "laptop",
        "make_model": "Lenovo ThinkPad T480", "count": count, "condition": "good", "has_storage": false})).await;
    let devices: Value = staff
        .get(app.url("/api/v1/devices"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<String> = devices
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["batch_id"] == batch["id"])
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    for id in &ids {
        for step in ["accept", "mark_ready"] {
            post_json(
                app,
                &staff,
                &format!("/api/v1/devices/{id}/transitions"),
                &json!({"action": step}),
            )
            .await;
        }
    }
    ids
}

/// A request of the Maasbank for a laptop, reserved by the library for `device`; its id.
async fn reserved_request(app: &TestApp, device: &str) -> String {
    let partner = app.signed_in(PARTNER).await;
    let staff = app.signed_in(STAFF).await;
    let referral = app
        .send_referral(&staff, &crate::support::referral_body("bankzaken", "3011"))
        .await;
    let request = post_json(app, &partner, "/api/v1/device-requests", &json!({"referral_id": referral,
        "kind": "laptop", "internet_at_home": false, "limited_mobility": false, "first_use_session": true})).await;
    let id = request["id"].as_str().unwrap().to_owned();
    post_json(
        app,
        &staff,
        &format!("/api/v1/device-requests/{id}/transitions"),
        &json!({"action": "reserve", "device_id": device}),
    )
    .await;
    id
}

crate::both_backends! {
    the_finder_links_to_the_question_and_the_page_asks_for_a_place => |app: TestApp| async move {
        let (status, html) = page(&app, "/").await;
        assert_eq!(status, 200);
        assert!(html.contains("href=\"/laptop-of-internet\""), "{html}");
        // After a search the link carries the place, so the answer is there at once; an unknown place is not carried.
        let (_, html) = page(&app, "/?plaats=3025+AB").await;
        assert!(html.contains("href=\"/laptop-of-internet?plaats=3025%20AB#resultaten\""), "{html}");
        let (_, html) = page(&app, "/?plaats=Qqqqqq").await;
        assert!(html.contains("href=\"/laptop-of-internet\""), "{html}");
        let (status, html) = page(&app, "/laptop-of-internet").await;
        assert_eq!(status, 200);
        assert!(html.contains("Laptop of internet nodig?"));
        assert!(html.contains("U vraagt een apparaat niet zelf aan"));
        assert!(html.contains("name=\"plaats\""));
        // The page says where to go; it holds no request form of its own.
        assert!(!html.contains("method=\"post\""), "{html}");
        assert!(!html.contains("id=\"resultaten\""));
    };

    the_bank_nearest_first_and_the_offers_of_the_municipality => |app: TestApp| async move {
        chain(&app).await;
        let (status, html) = page(&app, "/laptop-of-internet?plaats=3025").await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Apparaten en internet bij 3025"), "{html}");
        // Delfshaven is at 3025, the central library further away; both are the bank's help points.
        let near = html.find("Bibliotheek Delfshaven").expect("the nearest help point of the bank");
        let far = html.find("Centrale Bibliotheek").expect("another help point of the bank");
        assert!(near < far);
        assert!(html.contains("U leent het apparaat 36 maanden. U betaalt € 20 borg."), "{html}");
        assert!(html.contains("Op dit moment zijn er geen apparaten klaar"));
        // At most five of the bank's help points.
        assert!(html.matches("Digibank van Bibliotheek Rotterdam").count() <= 5);

        // The demo's SIM at the library and the social tariff of the Maasbank; not the ended one, not Gent's.
        assert!(html.contains("Simkaart met internet: Stichting Sociaal Internet (demo)"), "{html}");
        assert!(html.contains("10 GB internet per maand"));
        assert!(html.contains("6 maanden"));
        assert!(html.contains("Gratis"));
        assert!(html.contains("Neem uw ID-bewijs mee."));
        assert!(html.contains("Sociaal tarief: goedkoper internet: Telecombedrijf Rijnmond (demo)"));
        assert!(html.contains("Onbeperkt internet"));
        assert!(html.contains("U betaalt € 10 per maand"));
        assert!(html.contains("Maasbank"));
        assert!(!html.contains("Beëindigd Aanbod"));
        assert!(!html.contains("Gentse Simkaart"));
        // Where to go next: the finder for the same place.
        assert!(html.contains("href=\"/?plaats=3025#resultaten\""), "{html}");

        // A laptop made ready: the page says devices are ready now.
        let partner = app.signed_in(PARTNER).await;
        let staff = app.signed_in(STAFF).await;
        let batch = post_json(&app, &partner, "/api/v1/devices", &json!({"kind": "laptop",
            "make_model": "HP ProBook 450", "count": 1, "condition": "good", "has_storage": false})).await;
        let devices: Value = staff.get(app.url("/api/v1/devices")).send().await.unwrap().json().await.unwrap();
        let device = devices.as_array().unwrap().iter().find(|d| d["batch_id"] == batch["id"]).unwrap()["id"]
            .as_str().unwrap().to_owned();
        for step in ["accept", "mark_ready"] {
            post_json(&app, &staff, &format!("/api/v1/devices/{device}/transitions"), &json!({"action": step})).await;
        }
        let (_, html) = page(&app, "/laptop-of-internet?plaats=Rotterdam").await;
        assert!(html.contains("Er zijn nu apparaten klaar om te lenen."), "{html}");
        assert!(!html.contains("HP ProBook"), "no device details on a public page");

        // Gent: its own offer, and no bank there.
        let (status, html) = page(&app, "/laptop-of-internet?plaats=Gent").await;
        assert_eq!(status, 200);
        assert!(html.contains("Gentse Simkaart"), "{html}");
        assert!(html.contains("1 maand"));
        assert!(html.contains("U betaalt € 5 per maand"));
        assert!(html.contains("kennen we nog geen plek waar u een apparaat kunt lenen"));
        assert!(!html.contains("Stichting Sociaal Internet"));

        // In English on request; what organisations typed stays Dutch and says so.
        let (_, html) = page(&app, "/laptop-of-internet?plaats=3011&lang=en").await;
        assert!(html.contains("Borrow a laptop, tablet or phone"), "{html}");
        assert!(html.contains("You pay a deposit of € 20"));
        assert!(html.contains("<span lang=\"nl\">Inwoners van Rotterdam zonder internet thuis"), "{html}");
    };

    a_place_we_do_not_know_is_kept_with_suggestions => |app: TestApp| async move {
        let (status, html) = page(&app, "/laptop-of-internet?plaats=Roterdam").await;
        assert_eq!(status, 422);
        assert!(html.contains("value=\"Roterdam\""), "{html}");
        assert!(html.contains("We kennen deze plaats of postcode niet."));
        assert!(html.contains("href=\"/laptop-of-internet?plaats=Rotterdam#resultaten\""), "{html}");
        let (status, html) = page(&app, "/laptop-of-internet?plaats=+").await;
        assert_eq!(status, 422);
        assert!(html.contains("Vul uw postcode of woonplaats in."), "{html}");
        assert!(html.contains("aria-invalid=\"true\""));
    };

    the_loan_rules_page_sets_the_terms_the_hand_out_forms_start_from => |app: TestApp| async move {
        chain(&app).await;
        let staff = app.signed_in(STAFF).await;
        let page = "/apparaten/uitleenregels";
        let html = app.get_as(&staff, page).await.text().await.unwrap();
        assert!(html.contains("Bibliotheek Rotterdam in Rotterdam"), "{html}");
        assert!(html.contains("id=\"deposit-GM0599\" name=\"deposit\""));
        assert!(html.contains("value=\"20\""), "the deposit set through the API: {html}");

        // Wrong input: 422, every message at its field, what was typed kept.
        let fields = [("municipality_code", "GM0599"), ("deposit", "twintig"), ("months", "0"),
            ("remind_days", "400")];
        let r = app.post_form(&staff, page, page, &fields).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"twintig\""), "{html}");
        assert!(html.contains("id=\"deposit-GM0599-error\""));
        assert!(html.contains("value=\"400\""));
        let fields = [("municipality_code", "GM0599"), ("deposit", "0"), ("months", "0"), ("remind_days", "400")];
        let html = app.post_form(&staff, page, page, &fields).await.text().await.unwrap();
        assert!(html.contains("Kies een leentijd van 1 tot 120 maanden."), "{html}");
        assert!(html.contains("Vul in hoeveel dagen voor de einddatum u herinnert: 0 tot 365."));

        // Saved: no deposit, 24 months, 10 days, late returns refunded.
        let fields = [("municipality_code", "GM0599"), ("deposit", "0"), ("months", "24"), ("remind_days", "10"),
            ("refund_late_returns", "1")];
        let r = app.post_form(&staff, page, page, &fields).await;
        assert_eq!(r.status(), 303);
        let read: Value = staff.get(app.url("/api/v1/device-bank/GM0599/loans")).send().await.unwrap()
            .json().await.unwrap();
        assert_eq!(read, json!({"deposit_cents": 0, "months": 24, "remind_days": 10, "refund_late_returns": true}));
        let html = app.get_as(&staff, "/apparaten/uitleenregels?opgeslagen=GM0599").await.text().await.unwrap();
        assert!(html.contains("De regels zijn opgeslagen."));
        // The steering changes the cap of open requests: the loan terms stay.
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let steering = app.signed_in(STEERING).await;
        let r = steering.put(app.url("/api/v1/device-bank/GM0599"))
            .json(&json!({"organisation_id": library, "request_cap": 8})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let kept: Value = staff.get(app.url("/api/v1/device-bank/GM0599/loans")).send().await.unwrap()
            .json().await.unwrap();
        assert_eq!(kept, read, "a new cap keeps the loan terms");

        // A bank without a deposit prefills 0 on the device page and on the request page.
        let ids = ready_laptops(&app, 2).await;
        let request = reserved_request(&app, &ids[1]).await;
        let html = app.get_as(&staff, &format!("/apparaten/{}", ids[1])).await.text().await.unwrap();
        assert!(html.contains("id=\"deposit\" name=\"deposit\" inputmode=\"decimal\" maxlength=\"12\" value=\"0\""), "{html}");
        assert!(html.contains("id=\"months\" name=\"months\" inputmode=\"numeric\" maxlength=\"3\" value=\"24\""));
        // A device that cannot be handed out now has no loan fields.
        let html = app.get_as(&staff, &format!("/apparaten/{}", ids[0])).await.text().await.unwrap();
        assert!(!html.contains("id=\"deposit\""));
        let request_page = format!("/apparaten/aanvragen/{request}");
        let html = app.get_as(&staff, &request_page).await.text().await.unwrap();
        assert!(html.contains("value=\"0\""), "{html}");
        assert!(html.contains("value=\"24\""));
        // Handing out from the request page makes the loan on the typed terms; a wrong period is kept with 422.
        let step = format!("{request_page}/stap");
        let r = app.post_form(&staff, &request_page, &step, &[("action", "hand_out"), ("deposit", "7,50"),
            ("months", "twee")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"7,50\"") && html.contains("value=\"twee\""), "{html}");
        let r = app.post_form(&staff, &request_page, &step, &[("action", "hand_out"), ("deposit", "7,50"),
            ("months", "12")]).await;
        assert_eq!(r.status(), 303);
        let detail: Value = staff.get(app.url(&format!("/api/v1/devices/{}", ids[1]))).send().await.unwrap()
            .json().await.unwrap();
        assert_eq!(detail["loans"][0]["deposit_cents"], 750, "{detail}");
        assert_eq!(detail["loans"][0]["remind_days_before"], 10);

        // Not for a partner, nor for another municipality's staff (no bank of theirs: 404).
        let partner = app.signed_in(PARTNER).await;
        assert_eq!(app.get_as(&partner, page).await.status(), 403);
        let gent = app.signed_in("balie@gent.test").await;
        assert_eq!(app.get_as(&gent, page).await.status(), 404);
        let r = app.post_form(&gent, "/apparaten/data-aanbod", page, &fields).await;
        assert_eq!(r.status(), 404);
    };

    the_bank_pairs_a_data_offer_on_the_request_page => |app: TestApp| async move {
        chain(&app).await;
        let staff = app.signed_in(STAFF).await;
        let partner = app.signed_in(PARTNER).await;
        let ids = ready_laptops(&app, 1).await;
        let request = reserved_request(&app, &ids[0]).await;
        let page = format!("/apparaten/aanvragen/{request}");
        let html = app.get_as(&staff, &page).await.text().await.unwrap();
        assert!(html.contains("Er is nog geen data-aanbod gekoppeld."), "{html}");
        // The running offers of Rotterdam, not the ended one, not Gent's.
        assert!(html.contains("Stichting Sociaal Internet (demo): 10 GB per maand, 6 maanden, gratis"), "{html}");
        assert!(html.contains("Telecombedrijf Rijnmond (demo)"));
        assert!(!html.contains("Beëindigd Aanbod"));
        assert!(!html.contains("Gentse Simkaart"));
        let offers: Value = partner.get(app.url("/api/v1/data-offers?municipality=GM0599")).send().await.unwrap()
            .json().await.unwrap();
        let sim = offers.as_array().unwrap().iter().find(|o| o["kind"] == "sim").unwrap()["id"]
            .as_str().unwrap().to_owned();
        let gent: Value = app.signed_in("balie@gent.test").await.get(app.url("/api/v1/data-offers"))
            .send().await.unwrap().json().await.unwrap();
        let gent_offer = gent[0]["id"].as_str().unwrap().to_owned();
        let pair = format!("{page}/data-aanbod");

        // Another municipality's offer: 422 with the message on the page.
        let r = app.post_form(&staff, &page, &pair, &[("data_offer_id", gent_offer.as_str())]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Kies een data-aanbod dat nu loopt in de gemeente van deze aanvraag."));
        // The SIM: paired, shown to the bank and to the referrer.
        let r = app.post_form(&staff, &page, &pair, &[("data_offer_id", sim.as_str())]).await;
        assert_eq!(r.status(), 303);
        let html = app.get_as(&staff, &page).await.text().await.unwrap();
        assert!(html.contains("Gekoppeld: Simkaart met data van Stichting Sociaal Internet (demo): 10 GB per maand"), "{html}");
        let html = app.get_as(&partner, &page).await.text().await.unwrap();
        assert!(html.contains("Gekoppeld: Simkaart met data"), "{html}");
        assert!(!html.contains("Data-aanbod koppelen"), "the referrer does not pair");
        let seen: Value = partner.get(app.url(&format!("/api/v1/device-requests/{request}"))).send().await.unwrap()
            .json().await.unwrap();
        assert_eq!(seen["data_offer"]["id"], sim.as_str());
        // The referrer cannot pair through the page either.
        let r = app.post_form(&partner, &page, &pair, &[("data_offer_id", "")]).await;
        assert_eq!(r.status(), 403);
        // Removed again by the bank.
        let r = app.post_form(&staff, &page, &pair, &[("data_offer_id", "")]).await;
        assert_eq!(r.status(), 303);
        let html = app.get_as(&staff, &page).await.text().await.unwrap();
        assert!(html.contains("Er is nog geen data-aanbod gekoppeld."));
    };

    the_offer_form_places_an_offer_at_a_help_point_of_the_organisation => |app: TestApp| async move {
        chain(&app).await;
        let staff = app.signed_in(STAFF).await;
        let page = "/apparaten/data-aanbod";
        let html = app.get_as(&staff, page).await.text().await.unwrap();
        let point = app.help_point("Bibliotheek Delfshaven").await;
        assert!(html.contains(&format!("<option value=\"{}\">Bibliotheek Delfshaven, Rotterdam</option>", point.id)), "{html}");
        // The Maasbank's partner has no help point: no choice.
        let partner = app.signed_in(PARTNER).await;
        let html = app.get_as(&partner, page).await.text().await.unwrap();
        assert!(!html.contains("id=\"help_point_id\""));
        let fields = [("municipality_code", "GM0599"), ("kind", "voucher"), ("provider", "Databundel Delfshaven"),
            ("gb_per_month", "5"), ("months", "3"), ("price", "0"), ("conditions", "Iedereen met een Rotterdampas"),
            ("how_to_get", "Vraag het aan de balie"), ("active_from", "2026-03-01"), ("active_until", ""),
            ("help_point_id", point.id.as_str())];
        let r = app.post_form(&staff, page, page, &fields).await;
        assert_eq!(r.status(), 303);
        let (_, html) = crate::access::page(&app, "/laptop-of-internet?plaats=3025").await;
        assert!(html.contains("Bibliotheek Delfshaven, Schiedamseweg 97, 3025 AB Rotterdam</a>"), "{html}");
    };

    device_figures_follow_the_dashboard_period_with_secondary_suppression => |app: TestApp| async move {
        chain(&app).await;
        // A second donor in Rotterdam: the municipality's own desk gives 6 laptops, the Maasbank 3.
        let steering = app.signed_in(STEERING).await;
        let steering_org = app.actor(STEERING).await.memberships[0].organisation_id.clone();
        let r = steering.post(app.url("/api/v1/devices")).json(&json!({"kind": "laptop",
            "make_model": "Dell Latitude 7490", "count": 6, "condition": "good", "has_storage": false,
            "donor_organisation_id": steering_org})).send().await.unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        ready_laptops(&app, 3).await;
        let stats: Value = steering.get(app.url("/api/v1/stats/devices?municipality=GM0599")).send().await.unwrap()
            .json().await.unwrap();
        let rows = stats["tables"][0]["rows"].as_array().unwrap().clone();
        assert_eq!(rows.len(), 2, "{stats}");
        assert!(stats["tables"][0]["title"].as_str().unwrap().ends_with("(in de gekozen periode)"));
        // Donated: 3 is hidden, and so is the other donor's 6 (else 3 follows from Rotterdam's total).
        for row in &rows {
            assert_eq!(row["values"][0], Value::Null, "{row}");
        }
        // A month before the steps: nothing counted.
        let before: Value = steering
            .get(app.url("/api/v1/stats/devices?municipality=GM0599&period=custom&from=2026-01-01&to=2026-01-31"))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(before["tables"][0]["rows"].as_array().unwrap().len(), 0, "{before}");
        // The month after: nothing either; the bank's own page still counts since the start.
        app.clock.advance_seconds(40 * 86_400);
        let steering = app.signed_in(STEERING).await;
        let later: Value = steering.get(app.url("/api/v1/stats/devices?municipality=GM0599&period=this_month"))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(later["tables"][0]["rows"].as_array().unwrap().len(), 0, "{later}");
        let staff = app.signed_in(STAFF).await;
        let html = app.get_as(&staff, "/apparaten").await.text().await.unwrap();
        assert!(html.contains("Digibank: apparaten per gemeente en donor (sinds de start)"), "{html}");
    };
}
