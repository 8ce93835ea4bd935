//! The device bank over HTTP: the lifecycle with its wiping record, requests with their cap and the race for the
//! last laptop, role and tenant checks, the certificate list and erasure with the referral purge.

use crate::support::TestApp;
use crate::support::demo_users::{COORDINATOR, PARTNER, STAFF, STEERING};
use keten_core::account::Role;
use serde_json::{Value, json};

async fn json_of(r: reqwest::Response) -> Value {
    r.json().await.unwrap()
}

/// The demo chain with Bibliotheek Rotterdam as Rotterdam's device bank (cap `cap`), set by Rotterdam's steering.
async fn bank(app: &TestApp, cap: i64) -> String {
    app.demo_chain().await;
    let library = app.organisation_id("Bibliotheek Rotterdam").await;
    let steering = app.actor(STEERING).await;
    app.store
        .set_device_bank(&steering, "GM0599", &library, cap, app.now())
        .await
        .unwrap();
    library
}

/// A donation over the API as `client`; the answer must be 201.
async fn donate(
    app: &TestApp,
    client: &reqwest::Client,
    kind: &str,
    count: i64,
    storage: bool,
) -> Value {
    let r = client
        .post(app.url("/api/v1/devices"))
        .json(
            &json!({"kind": kind, "make_model": "Lenovo ThinkPad T480", "count": count,
                      "condition": "good", "has_storage": storage}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    json_of(r).await
}

/// The ids of the bank's devices of one batch, by number.
async fn devices_of(app: &TestApp, staff: &reqwest::Client, batch: &Value) -> Vec<String> {
    let list = json_of(app.get_as(staff, "/api/v1/devices").await).await;
    let mut out: Vec<(i64, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["batch_id"] == batch["id"])
        .map(|d| {
            (
                d["number"].as_i64().unwrap(),
                d["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, id)| id).collect()
}

async fn step(app: &TestApp, client: &reqwest::Client, id: &str, body: Value) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/v1/devices/{id}/transitions")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn wipe() -> Value {
    json!({"action": "wipe", "wipe": {"method": "nist_800_88_purge", "tool": "Blancco Drive Eraser",
                                      "wiped_on": "2026-03-01", "certificate": "BL-2026-0042"}})
}

/// Accepted, wiped (with storage) and ready.
async fn make_ready(app: &TestApp, staff: &reqwest::Client, id: &str, storage: bool) {
    let mut steps = vec![json!({"action": "accept"})];
    if storage {
        steps.push(wipe());
    }
    steps.push(json!({"action": "mark_ready"}));
    for s in steps {
        let r = step(app, staff, id, s.clone()).await;
        assert_eq!(r.status(), 200, "{s}: {}", r.text().await.unwrap());
    }
}

/// A referral from the library's staff to the Maasbank (the partner), on which the partner asks for a device.
async fn referral_to_partner(app: &TestApp, staff: &reqwest::Client) -> String {
    app.send_referral(staff, &crate::support::referral_body("bankzaken", "3011"))
        .await
}

async fn ask(app: &TestApp, client: &reqwest::Client, referral: &str) -> reqwest::Response {
    client
        .post(app.url("/api/v1/device-requests"))
        .json(
            &json!({"referral_id": referral, "kind": "laptop", "internet_at_home": false,
                      "limited_mobility": true, "first_use_session": true}),
        )
        .send()
        .await
        .unwrap()
}

async fn request_step(
    app: &TestApp,
    client: &reqwest::Client,
    id: &str,
    body: Value,
) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/v1/device-requests/{id}/transitions")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

both_backends! {
    a_device_with_storage_never_passes_the_wipe_without_a_record => |app: TestApp| async move {
        bank(&app, 5).await;
        let partner = app.signed_in(PARTNER).await;
        let staff = app.signed_in(STAFF).await;
        let batch = donate(&app, &partner, "laptop", 2, true).await;
        assert_eq!(batch["bank"], "Bibliotheek Rotterdam");
        let ids = devices_of(&app, &staff, &batch).await;
        assert_eq!(ids.len(), 2);
        let id = &ids[0];
        assert_eq!(step(&app, &staff, id, json!({"action": "accept"})).await.status(), 200);
        for skip in ["refurbish", "mark_ready"] {
            let r = step(&app, &staff, id, json!({"action": skip})).await;
            assert_eq!(r.status(), 409, "{skip}");
            assert!(json_of(r).await["detail"].as_str().unwrap().contains("Leg eerst vast hoe het is gewist"));
        }
        // Reserving is only through a request.
        assert_eq!(step(&app, &staff, id, json!({"action": "reserve"})).await.status(), 422);
        // A record needs every part.
        let r = step(&app, &staff, id, json!({"action": "wipe", "wipe": {"method": "nist_800_88_clear",
            "tool": "", "wiped_on": "2026-03-01", "certificate": ""}})).await;
        assert_eq!(r.status(), 422);
        let fields: Vec<String> = json_of(r).await["errors"].as_array().unwrap().iter()
            .map(|e| e["field"].as_str().unwrap().to_owned()).collect();
        assert_eq!(fields, ["tool", "certificate"]);
        let r = step(&app, &staff, id, wipe()).await;
        assert_eq!(json_of(r).await["status"], "wiped");
        let r = step(&app, &staff, id, json!({"action": "mark_ready"})).await;
        assert_eq!(json_of(r).await["status"], "ready");
        let detail = json_of(app.get_as(&staff, &format!("/api/v1/devices/{id}")).await).await;
        let actions: Vec<&str> = detail["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["donate", "accept", "wipe", "mark_ready"]);
        assert_eq!(detail["wipes"][0]["certificate"], "BL-2026-0042");

        // The page: the wipe form keeps what was typed and says what is missing, at the field.
        let other = &ids[1];
        assert_eq!(step(&app, &staff, other, json!({"action": "accept"})).await.status(), 200);
        let page = format!("/apparaten/{other}");
        let r = app.post_form(&staff, &page, &format!("{page}/wissen"), &[("mode", "record"),
            ("method", "nist_800_88_purge"), ("tool", "Blancco Drive Eraser"), ("wiped_on", "2026-03-01"),
            ("certificate", ""), ("exemption", "")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"Blancco Drive Eraser\""));
        assert!(html.contains("Vul het nummer van het wiscertificaat in."));
        assert!(html.contains("value=\"nist_800_88_purge\" selected"));
        // Skipping the wipe on the page is refused with the reason.
        let r = app.post_form(&staff, &page, &format!("{page}/stap"), &[("action", "mark_ready"), ("note", "")]).await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("Leg eerst vast hoe het is gewist"));
        // An exemption counts as a record.
        let r = app.post_form(&staff, &page, &format!("{page}/wissen"), &[("mode", "exemption"),
            ("exemption", "Schijf eruit gehaald en vernietigd")]).await;
        assert_eq!(r.status(), 303);
        let r = app.post_form(&staff, &page, &format!("{page}/stap"), &[("action", "mark_ready"), ("note", "Klaar")]).await;
        assert_eq!(r.status(), 303);
        let html = app.get_as(&staff, &page).await.text().await.unwrap();
        assert!(html.contains("Klaar om uit te geven"));
        assert!(html.contains("Niet gewist: Schijf eruit gehaald en vernietigd"));

        // The donor's certificate list has both rounds' evidence.
        let csv = app.get_as(&partner, &format!("/apparaten/donaties/{}/certificaten.csv", batch["id"].as_str().unwrap())).await;
        assert_eq!(csv.status(), 200);
        let csv = csv.text().await.unwrap();
        assert!(csv.contains("BL-2026-0042"));
        assert!(csv.contains("Schijf eruit gehaald en vernietigd"));
    };

    declined_or_recycled_devices_are_never_handed_out => |app: TestApp| async move {
        bank(&app, 5).await;
        let partner = app.signed_in(PARTNER).await;
        let staff = app.signed_in(STAFF).await;
        let batch = donate(&app, &partner, "laptop", 2, false).await;
        let ids = devices_of(&app, &staff, &batch).await;
        assert_eq!(json_of(step(&app, &staff, &ids[0], json!({"action": "decline"})).await).await["status"], "declined");
        for s in ["accept", "mark_ready", "hand_out"] {
            assert_eq!(step(&app, &staff, &ids[0], json!({"action": s})).await.status(), 409, "{s}");
        }
        assert_eq!(json_of(step(&app, &staff, &ids[0], json!({"action": "recycle"})).await).await["status"], "recycled");
        for s in ["accept", "mark_ready", "hand_out", "recycle", "return"] {
            assert_eq!(step(&app, &staff, &ids[0], json!({"action": s})).await.status(), 409, "{s}");
        }
        // A request cannot get the declined device, nor a ready one once it is recycled.
        make_ready(&app, &staff, &ids[1], false).await;
        assert_eq!(json_of(step(&app, &staff, &ids[1], json!({"action": "recycle"})).await).await["status"], "recycled");
        let referral = referral_to_partner(&app, &staff).await;
        let request = json_of(ask(&app, &partner, &referral).await).await;
        let rid = request["id"].as_str().unwrap();
        for device in &ids {
            let r = request_step(&app, &staff, rid, json!({"action": "reserve", "device_id": device})).await;
            assert_eq!(r.status(), 409);
        }
        // Without a device named: none is ready.
        let r = request_step(&app, &staff, rid, json!({"action": "reserve"})).await;
        assert_eq!(r.status(), 422);
        let r = json_of(app.get_as(&partner, &format!("/api/v1/device-requests/{rid}")).await).await;
        assert_eq!(r["status"], "open");
    };

    requests_racing_past_the_cap_stop_exactly_at_it => |app: TestApp| async move {
        bank(&app, 3).await;
        let partner = app.signed_in(PARTNER).await;
        let staff = app.signed_in(STAFF).await;
        let mut referrals = Vec::new();
        for _ in 0..16 {
            referrals.push(referral_to_partner(&app, &staff).await);
        }
        // Sixteen requests of one organisation at the same moment against a cap of 3: exactly three get in (without
        // the lock on the organisation's row, PostgreSQL let more through), the others are refused, none fails.
        let answers = futures_util::future::join_all(referrals.iter().map(|r| ask(&app, &partner, r))).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 3, "{statuses:?}");
        assert!(statuses.iter().all(|s| matches!(s, 201 | 409 | 422)), "{statuses:?}");
        let list = json_of(app.get_as(&partner, "/api/v1/device-requests").await).await;
        let open = list.as_array().map(|a| a.len()).or_else(|| list["items"].as_array().map(|a| a.len())).unwrap();
        assert_eq!(open, 3, "{list}");
    };

    a_referring_organisation_has_a_cap_of_open_requests => |app: TestApp| async move {
        bank(&app, 5).await;
        // Rotterdam's steering lowers the cap to 2 over the API.
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let steering = app.signed_in(STEERING).await;
        let r = steering.put(app.url("/api/v1/device-bank/GM0599"))
            .json(&json!({"organisation_id": library, "request_cap": 2})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(json_of(r).await["request_cap"], 2);
        let partner = app.signed_in(PARTNER).await;
        let staff = app.signed_in(STAFF).await;
        let mut referrals = Vec::new();
        for _ in 0..3 {
            referrals.push(referral_to_partner(&app, &staff).await);
        }
        let first = json_of(ask(&app, &partner, &referrals[0]).await).await;
        assert_eq!(ask(&app, &partner, &referrals[1]).await.status(), 201);
        let r = ask(&app, &partner, &referrals[2]).await;
        assert_eq!(r.status(), 422);
        assert!(json_of(r).await["detail"].as_str().unwrap().contains("al 2 open aanvragen"));
        // The page says the same and keeps the choices.
        let r = app.post_form(&partner, "/apparaten/aanvragen", "/apparaten/aanvragen", &[
            ("referral_id", &referrals[2]), ("kind", "tablet"), ("internet_at_home", "no"), ("first_use_session", "1")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("al 2 open aanvragen"));
        assert!(html.contains("value=\"tablet\" checked"));
        assert!(html.contains(&format!("value=\"{}\" selected", referrals[2])));
        // A cancelled request makes room.
        let r = request_step(&app, &partner, first["id"].as_str().unwrap(), json!({"action": "cancel"})).await;
        assert_eq!(json_of(r).await["status"], "cancelled");
        assert_eq!(ask(&app, &partner, &referrals[2]).await.status(), 201);
    };

    two_requests_race_for_the_last_ready_laptop_and_exactly_one_gets_it => |app: TestApp| async move {
        bank(&app, 5).await;
        let partner = app.signed_in(PARTNER).await;
        let staff = app.signed_in(STAFF).await;
        let coordinator = app.signed_in(COORDINATOR).await;
        let batch = donate(&app, &partner, "laptop", 1, true).await;
        let laptop = devices_of(&app, &staff, &batch).await.remove(0);
        make_ready(&app, &staff, &laptop, true).await;
        let mut requests = Vec::new();
        for _ in 0..2 {
            let referral = referral_to_partner(&app, &staff).await;
            let r = json_of(ask(&app, &partner, &referral).await).await;
            requests.push(r["id"].as_str().unwrap().to_owned());
        }
        // Two people at the bank reserve the last laptop for two requests at the same moment.
        let (a, b) = tokio::join!(
            request_step(&app, &staff, &requests[0], json!({"action": "reserve", "device_id": laptop})),
            request_step(&app, &coordinator, &requests[1], json!({"action": "reserve", "device_id": laptop})),
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409]);
        let winner = if a.status() == 200 { &requests[0] } else { &requests[1] };
        let loser = if a.status() == 200 { &requests[1] } else { &requests[0] };
        let device = json_of(app.get_as(&staff, &format!("/api/v1/devices/{laptop}")).await).await;
        assert_eq!(device["device"]["status"], "reserved");
        assert_eq!(device["device"]["request_id"], winner.as_str());
        let l = json_of(app.get_as(&partner, &format!("/api/v1/device-requests/{loser}")).await).await;
        assert_eq!(l["status"], "open");
        assert!(l["device_id"].is_null());
        // The same race without naming the device: one reservation, the other finds none ready.
        let batch = donate(&app, &partner, "laptop", 1, false).await;
        let second = devices_of(&app, &staff, &batch).await.remove(0);
        make_ready(&app, &staff, &second, false).await;
        let referral = referral_to_partner(&app, &staff).await;
        let third = json_of(ask(&app, &partner, &referral).await).await["id"].as_str().unwrap().to_owned();
        let (a, b) = tokio::join!(
            request_step(&app, &staff, loser, json!({"action": "reserve"})),
            request_step(&app, &coordinator, &third, json!({"action": "reserve"})),
        );
        let ok = [a.status().as_u16(), b.status().as_u16()].iter().filter(|s| **s == 200).count();
        assert_eq!(ok, 1, "{} {}", a.status(), b.status());

        // Completion needs the hand-out and a first-use session.
        let r = json_of(request_step(&app, &staff, winner, json!({"action": "hand_out"})).await).await;
        assert_eq!(r["status"], "handed_out");
        assert!(r["handed_out_at"].is_number());
        let r = json_of(request_step(&app, &partner, winner, json!({"action": "session_booked"})).await).await;
        assert_eq!(r["status"], "completed");
        let device = json_of(app.get_as(&staff, &format!("/api/v1/devices/{laptop}")).await).await;
        assert_eq!(device["device"]["status"], "handed_out");
        // Back from the resident: a new round, which needs a new wipe before it goes out again.
        let r = json_of(step(&app, &staff, &laptop, json!({"action": "return"})).await).await;
        assert_eq!(r["round"], 2);
        assert_eq!(r["wipe_recorded"], false);
        assert_eq!(step(&app, &staff, &laptop, json!({"action": "mark_ready"})).await.status(), 409);
    };

    roles_and_tenants_are_checked => |app: TestApp| async move {
        bank(&app, 5).await;
        let partner = app.signed_in(PARTNER).await;
        let staff = app.signed_in(STAFF).await;
        let batch = donate(&app, &partner, "tablet", 1, false).await;
        let device = devices_of(&app, &staff, &batch).await.remove(0);
        // Another donor in Rotterdam sees only its own batch.
        let insurer = app.organisation_id("Zorgverzekeraar Rijnmond Zorg").await;
        app.user("partner@rijnmond.test", Role::Partner, &insurer).await;
        let other = app.signed_in("partner@rijnmond.test").await;
        let own = donate(&app, &other, "phone", 3, true).await;
        let html = app.get_as(&other, "/apparaten").await.text().await.unwrap();
        assert!(html.contains(own["id"].as_str().unwrap()));
        assert!(!html.contains(batch["id"].as_str().unwrap()));
        let csv = format!("/apparaten/donaties/{}/certificaten.csv", batch["id"].as_str().unwrap());
        assert_eq!(app.get_as(&other, &csv).await.status(), 404);
        // A donor is not the bank.
        assert_eq!(app.get_as(&partner, "/api/v1/devices").await.status(), 403);
        assert_eq!(step(&app, &partner, &device, json!({"action": "accept"})).await.status(), 403);
        assert_eq!(app.get_as(&partner, &format!("/apparaten/{device}")).await.status(), 403);
        // Another municipality's library staff: not its bank's device.
        let gent = app.organisation("Bibliotheek Gent", "library", "civil", "44021").await;
        app.user("balie@gent.test", Role::Staff, &gent).await;
        let gent_staff = app.signed_in("balie@gent.test").await;
        assert_eq!(json_of(app.get_as(&gent_staff, "/api/v1/devices").await).await.as_array().unwrap().len(), 0);
        assert_eq!(app.get_as(&gent_staff, &format!("/api/v1/devices/{device}")).await.status(), 404);
        assert_eq!(step(&app, &gent_staff, &device, json!({"action": "accept"})).await.status(), 404);
        assert_eq!(app.get_as(&gent_staff, &format!("/apparaten/{device}")).await.status(), 404);
        // Gent has no device bank: a donation there is refused at the field.
        let r = gent_staff.post(app.url("/api/v1/devices"))
            .json(&json!({"kind": "laptop", "make_model": "HP", "count": 1, "condition": "good", "has_storage": true}))
            .send().await.unwrap();
        assert_eq!(r.status(), 422);
        // Requests: the referrer and the bank, nobody else; only on one's own referral.
        let referral = referral_to_partner(&app, &staff).await;
        assert_eq!(ask(&app, &other, &referral).await.status(), 422);
        let request = json_of(ask(&app, &partner, &referral).await).await;
        let path = format!("/api/v1/device-requests/{}", request["id"].as_str().unwrap());
        assert_eq!(app.get_as(&staff, &path).await.status(), 200);
        assert_eq!(app.get_as(&other, &path).await.status(), 404);
        assert_eq!(app.get_as(&gent_staff, &path).await.status(), 404);
        // The referrer may not reserve.
        let r = request_step(&app, &partner, request["id"].as_str().unwrap(), json!({"action": "reserve"})).await;
        assert_eq!(r.status(), 422);
        // Steering sets the bank of its own municipality only; a partner not at all.
        let steering = app.signed_in(STEERING).await;
        let r = steering.put(app.url("/api/v1/device-bank/44021")).json(&json!({"organisation_id": gent})).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let r = partner.put(app.url("/api/v1/device-bank/GM0599")).json(&json!({"organisation_id": insurer})).send().await.unwrap();
        assert_eq!(r.status(), 403);
        // Signed out: the sign-in page, and 401 on the API.
        let anonymous = app.browser();
        let r = app.get_as(&anonymous, "/apparaten").await;
        assert_eq!(r.status(), 303);
        assert_eq!(app.get_as(&anonymous, "/api/v1/devices").await.status(), 401);
    };

    residents_needs_are_erased_with_the_referral_purge => |app: TestApp| async move {
        bank(&app, 5).await;
        let partner = app.signed_in(PARTNER).await;
        let staff = app.signed_in(STAFF).await;
        let referral = referral_to_partner(&app, &staff).await;
        let open = referral_to_partner(&app, &staff).await;
        let request = json_of(ask(&app, &partner, &referral).await).await;
        let kept = json_of(ask(&app, &partner, &open).await).await;
        assert_eq!(request["limited_mobility"], true);
        assert_eq!(request["internet_at_home"], false);
        let r = app.referral_action(&partner, &referral, json!({"action": "decline", "decline_reason": "no_capacity"})).await;
        assert_eq!(r.status(), 200);
        let closed_at = app.now();
        assert_eq!(app.store.purge_referrals(closed_at + 89 * 86_400, 90).await.unwrap(), 0);
        let path = format!("/api/v1/device-requests/{}", request["id"].as_str().unwrap());
        assert_eq!(json_of(app.get_as(&partner, &path).await).await["limited_mobility"], true);
        assert_eq!(app.store.purge_referrals(closed_at + 90 * 86_400, 90).await.unwrap(), 1);
        let erased = json_of(app.get_as(&partner, &path).await).await;
        assert!(erased["limited_mobility"].is_null());
        assert!(erased["internet_at_home"].is_null());
        assert!(erased["erased_at"].is_number());
        assert_eq!(erased["kind"], "laptop", "what is not personal stays for the figures");
        let still = json_of(app.get_as(&partner, &format!("/api/v1/device-requests/{}", kept["id"].as_str().unwrap())).await).await;
        assert_eq!(still["limited_mobility"], true, "open referrals are never purged");
        // A referral without consent any more (erased) takes no new request.
        assert_eq!(ask(&app, &partner, &referral).await.status(), 422);
    };

    a_loan_with_deposit_is_reminded_before_its_due_date_and_refunded_on_return => |app: TestApp| async move {
        bank(&app, 5).await;
        let partner = app.signed_in(PARTNER).await;
        let staff = app.signed_in(STAFF).await;
        let batch = donate(&app, &partner, "laptop", 2, false).await;
        let ids = devices_of(&app, &staff, &batch).await;
        for id in &ids {
            make_ready(&app, &staff, id, false).await;
        }
        let mut requests = Vec::new();
        for device in &ids {
            let referral = referral_to_partner(&app, &staff).await;
            let rid = json_of(ask(&app, &partner, &referral).await).await["id"].as_str().unwrap().to_owned();
            let r = request_step(&app, &staff, &rid, json!({"action": "reserve", "device_id": device})).await;
            assert_eq!(r.status(), 200);
            requests.push(rid);
        }
        // A loan of 0 months is refused at the field, and nothing is handed out.
        let r = request_step(&app, &staff, &requests[0], json!({"action": "hand_out",
            "loan": {"deposit_cents": 2000, "months": 0}})).await;
        assert_eq!(r.status(), 422);
        assert_eq!(json_of(r).await["errors"][0]["field"], "months");
        // Handed out on 2 March for one month with EUR 20 deposit: due on 2 April, reminder from 19 March.
        let r = request_step(&app, &staff, &requests[0], json!({"action": "hand_out",
            "loan": {"deposit_cents": 2000, "months": 1}})).await;
        assert_eq!(r.status(), 200);
        let request = json_of(r).await;
        assert_eq!(request["status"], "handed_out");
        assert_eq!(request["loan"]["deposit_cents"], 2000);
        assert_eq!(request["loan"]["lent_on"], "2026-03-02");
        assert_eq!(request["loan"]["due_on"], "2026-04-02");
        assert_eq!(request["loan"]["remind_days_before"], 14);
        assert_eq!(request["loan"]["reminder_due"], false);
        // The referrer sees the loan on its request too.
        let seen = json_of(app.get_as(&partner, &format!("/api/v1/device-requests/{}", requests[0])).await).await;
        assert_eq!(seen["loan"]["due_on"], "2026-04-02");
        let detail = json_of(app.get_as(&staff, &format!("/api/v1/devices/{}", ids[0])).await).await;
        assert_eq!(detail["loans"][0]["deposit_cents"], 2000);
        assert!(detail["loans"][0]["returned_on"].is_null());

        // Only the bank sees the reminders; none is due yet on 18 March.
        assert_eq!(app.get_as(&partner, "/api/v1/device-loans/reminders").await.status(), 403);
        app.clock.advance_seconds(16 * 86_400);
        // Sessions end after a while: sign in again.
        let staff = app.signed_in(STAFF).await;
        let due = json_of(app.get_as(&staff, "/api/v1/device-loans/reminders").await).await;
        assert_eq!(due.as_array().map(Vec::len), Some(0), "{due}");
        // On 19 March it is, on the API and on the bank's page.
        app.clock.advance_seconds(86_400);
        // Sessions end after a while: sign in again.
        let staff = app.signed_in(STAFF).await;
        let due = json_of(app.get_as(&staff, "/api/v1/device-loans/reminders").await).await;
        assert_eq!(due.as_array().unwrap().len(), 1, "{due}");
        assert_eq!(due[0]["loan"]["device_id"], ids[0].as_str());
        assert_eq!(due[0]["loan"]["reminder_due"], true);
        let html = app.get_as(&staff, "/apparaten").await.text().await.unwrap();
        assert!(html.contains("terug uiterlijk donderdag 2 april, borg € 20,00"), "{html}");

        // Back on time: the whole deposit is refunded, and the reminder goes.
        let r = step(&app, &staff, &ids[0], json!({"action": "return"})).await;
        assert_eq!(json_of(r).await["status"], "returned");
        let detail = json_of(app.get_as(&staff, &format!("/api/v1/devices/{}", ids[0])).await).await;
        assert_eq!(detail["loans"][0]["returned_on"], "2026-03-19");
        assert_eq!(detail["loans"][0]["refund_cents"], 2000);
        let due = json_of(app.get_as(&staff, "/api/v1/device-loans/reminders").await).await;
        assert_eq!(due.as_array().unwrap().len(), 0);
        let html = app.get_as(&staff, &format!("/apparaten/{}", ids[0])).await.text().await.unwrap();
        assert!(html.contains("borg terugbetaald: € 20,00"), "{html}");

        // The page: a hand-out with a wrong loan period keeps what was typed and says so at the field.
        let page = format!("/apparaten/{}", ids[1]);
        let r = app.post_form(&staff, &page, &format!("{page}/stap"), &[("action", "hand_out"), ("note", ""),
            ("deposit", "15,50"), ("months", "een jaar")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"15,50\""));
        assert!(html.contains("Vul de leentijd in hele maanden in"));
        let r = app.post_form(&staff, &page, &format!("{page}/stap"), &[("action", "hand_out"), ("note", ""),
            ("deposit", "15,50"), ("months", "1")]).await;
        assert_eq!(r.status(), 303);
        // Late (due 19 April, back 24 April): the bank's setting refunds no late returns.
        app.clock.advance_seconds(36 * 86_400);
        // Sessions end after a while: sign in again.
        let staff = app.signed_in(STAFF).await;
        let due = json_of(app.get_as(&staff, "/api/v1/device-loans/reminders").await).await;
        assert_eq!(due[0]["loan"]["due_on"], "2026-04-19");
        let r = app.post_form(&staff, &page, &format!("{page}/stap"), &[("action", "return"), ("note", "")]).await;
        assert_eq!(r.status(), 303);
        let detail = json_of(app.get_as(&staff, &format!("/api/v1/devices/{}", ids[1])).await).await;
        assert_eq!(detail["loans"][0]["deposit_cents"], 1550);
        assert_eq!(detail["loans"][0]["returned_on"], "2026-04-24");
        assert_eq!(detail["loans"][0]["refund_cents"], 0);
    };

    device_figures_show_per_municipality_and_donor_with_small_cells_hidden => |app: TestApp| async move {
        bank(&app, 5).await;
        let partner = app.signed_in(PARTNER).await;
        let staff = app.signed_in(STAFF).await;
        let batch = donate(&app, &partner, "laptop", 6, true).await;
        let donor = batch["donor"].as_str().unwrap().to_owned();
        let ids = devices_of(&app, &staff, &batch).await;
        for id in &ids {
            make_ready(&app, &staff, id, true).await;
        }
        let referral = referral_to_partner(&app, &staff).await;
        let rid = json_of(ask(&app, &partner, &referral).await).await["id"].as_str().unwrap().to_owned();
        assert_eq!(request_step(&app, &staff, &rid, json!({"action": "reserve", "device_id": ids[0]})).await.status(), 200);
        assert_eq!(request_step(&app, &staff, &rid, json!({"action": "hand_out"})).await.status(), 200);
        assert_eq!(json_of(step(&app, &staff, &ids[5], json!({"action": "recycle"})).await).await["status"], "recycled");

        // Rotterdam's steering: two tables in /api/v1/stats; 6 donated and wiped, 1 handed out and 1 recycled
        // hidden, 0 returned shown.
        let steering = app.signed_in(STEERING).await;
        let stats = json_of(app.get_as(&steering, "/api/v1/stats?municipality=GM0599").await).await;
        let table = |key: &str| stats["tables"].as_array().unwrap().iter().find(|t| t["key"] == key).cloned().unwrap();
        let devices = table("devices");
        assert_eq!(devices["rows"].as_array().unwrap().len(), 1, "{devices}");
        assert_eq!(devices["rows"][0]["label"], format!("Rotterdam: {donor}"));
        assert_eq!(devices["rows"][0]["values"], json!([6, 6, null, 0, null]));
        let residents = table("device-residents");
        assert_eq!(residents["rows"][0]["label"], "Rotterdam");
        assert_eq!(residents["rows"][0]["values"], json!([null, null]));
        // One table by its key.
        let one = json_of(app.get_as(&steering, "/api/v1/stats/devices?municipality=GM0599").await).await;
        assert_eq!(one["tables"][0]["key"], "devices");
        let html = app.get_as(&steering, "/regie?municipality=GM0599").await.text().await.unwrap();
        assert!(html.contains("Digibank: apparaten per gemeente en donor"));

        // The bank's page shows the same figures, with "< 5".
        let html = app.get_as(&staff, "/apparaten").await.text().await.unwrap();
        assert!(html.contains("Digibank: inwoners geholpen met een apparaat"));
        assert!(html.contains("<td class=\"utrecht-table__cell\">&#60; 5</td>"), "{html}");
        // A donor without a bank role sees no figures of the bank.
        let html = app.get_as(&partner, "/apparaten").await.text().await.unwrap();
        assert!(!html.contains("Digibank: apparaten per gemeente en donor"));
    };
}
