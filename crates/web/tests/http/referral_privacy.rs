//! Who sees what of a referral, through HTTP on both databases: steering never the contact data, a sender without
//! the resident's yes to following progress only a decline, and digests for everyone who works referrals.

use crate::support::TestApp;
use crate::support::demo_users::{COORDINATOR, PARTNER, STAFF, STEERING};
use crate::support::referral_body;
use keten_core::referral::DigestChoice;
use serde_json::{Value, json};
use std::sync::Arc;

/// The municipality's own desk (Vraagwijzer), staff of Gemeente Rotterdam like the steering user is its member.
const VRAAGWIJZER: &str = "vraagwijzer@rotterdam.demo.keten.nl";

async fn status_of(app: &TestApp, client: &reqwest::Client, id: &str) -> Value {
    let r = client
        .get(app.url(&format!("/api/v1/referrals/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["status"].clone()
}

both_backends! {
    steering_never_sees_contact_data_even_of_its_own_organisation => |app: TestApp| async move {
        app.demo_chain().await;
        let gemeente = app.organisation_id("Gemeente Rotterdam").await;
        let staff = app.signed_in(STAFF).await;
        let mut body = referral_body("digid", "3011");
        body["destination"] = json!({"organisation_id": gemeente});
        let id = app.send_referral(&staff, &body).await;

        // The policy officer is a member of the receiving municipality, but steering sees counts only.
        let steering = app.signed_in(STEERING).await;
        let api = steering.get(app.url(&format!("/api/v1/referrals/{id}"))).send().await.unwrap();
        assert_eq!(api.status(), 404);
        assert_eq!(app.referral_action(&steering, &id, json!({"action": "accept"})).await.status(), 404);
        let page = steering.get(app.url(&format!("/doorverwijzingen/{id}"))).send().await.unwrap();
        assert_eq!(page.status(), 404);
        assert!(!page.text().await.unwrap().contains("Fatima"));
        assert_eq!(status_of(&app, &staff, &id).await, "sent", "steering's look did not open it");

        // The municipality's desk does receive it.
        let desk = app.signed_in(VRAAGWIJZER).await;
        let r = desk.get(app.url(&format!("/api/v1/referrals/{id}"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let seen: Value = r.json().await.unwrap();
        assert_eq!(seen["party"], "receiver");
        assert_eq!(seen["contact"]["name"], "Fatima de Vries");
        let stats: Value = steering
            .get(app.url("/api/v1/referrals/statistics?municipality=GM0599"))
            .send().await.unwrap().json().await.unwrap();
        assert!(!stats.to_string().contains("Fatima") && !stats.to_string().contains(&id), "{stats}");
    };

    a_sender_that_may_not_follow_progress_sees_only_a_decline => |plain: TestApp| async move {
        let dir = tempfile::tempdir().unwrap();
        let app = TestApp::spawn_with(plain.db, crate::support::mail_config(dir.path())).await;
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        let partner = app.signed_in(PARTNER).await;
        let mut body = referral_body("bankzaken", "3011");
        body["agency"] = json!("bank");
        body["sender_sees_progress"] = json!(false);
        let subjects = || crate::support::mails_in(dir.path()).iter()
            .filter(|m| m.contains(&format!("To: {STAFF}")))
            .filter_map(|m| m.lines().find(|l| l.starts_with("Subject:")).map(str::to_owned))
            .collect::<Vec<_>>();

        // Completed: the sender sees no status, gets no mail, and a late step is refused without naming the status.
        let helped = app.send_referral(&staff, &body).await;
        for step in [json!({"action": "accept"}), json!({"action": "contact_attempt", "reached": true}), json!({"action": "complete", "outcome": "solved"})] {
            assert_eq!(app.referral_action(&partner, &helped, step).await.status(), 200);
        }
        assert_eq!(status_of(&app, &staff, &helped).await, Value::Null);
        assert!(subjects().is_empty(), "{:?}", subjects());
        let late = app.referral_action(&staff, &helped, json!({"action": "withdraw"})).await;
        assert_eq!(late.status(), 409);
        let detail = late.json::<Value>().await.unwrap()["detail"].as_str().unwrap().to_owned();
        assert!(!detail.contains("afgerond"), "{detail}");
        // The page still offers to pass on a withdrawal, the one step a sender always has.
        let page = staff.get(app.url(&format!("/doorverwijzingen/{helped}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("De inwoner trekt toestemming in"), "{page}");

        // Declined: it comes back to the sender, who is told and may route it elsewhere.
        let declined = app.send_referral(&staff, &body).await;
        let r = app.referral_action(&partner, &declined, json!({"action": "decline", "decline_reason": "no_capacity"})).await;
        assert_eq!(r.status(), 200);
        assert_eq!(status_of(&app, &staff, &declined).await, "declined");
        assert_eq!(subjects().len(), 1, "{:?}", subjects());
        let page = staff.get(app.url(&format!("/doorverwijzingen/{declined}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("/doorverwijzingen/{declined}/opnieuw")), "{page}");
    };

    a_coordinator_gets_the_digest_of_its_organisation => |plain: TestApp| async move {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::support::mail_config(dir.path());
        let app = TestApp::spawn_with(plain.db, config.clone()).await;
        app.demo_chain().await;
        let state = keten_web::AppState::new(app.store.clone(), Arc::new(app.clock.clone()), config);
        let coordinator_id = app.actor(COORDINATOR).await.user_id.unwrap();
        app.store.set_digest_choice(&coordinator_id, DigestChoice::Daily, app.now()).await.unwrap();
        // Nothing waiting: no empty digest.
        app.clock.advance_seconds(86_400);
        keten_web::send_due_notifications(&state).await.unwrap();
        assert!(crate::support::mails_in(dir.path()).iter().all(|m| !m.contains(COORDINATOR)));

        // The bank refers a resident to the library.
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let partner = app.signed_in(PARTNER).await;
        let mut body = referral_body("digid", "3011");
        body["destination"] = json!({"organisation_id": library});
        app.send_referral(&partner, &body).await;
        app.clock.advance_seconds(3600);
        keten_web::send_due_notifications(&state).await.unwrap();
        let mine: Vec<String> = crate::support::mails_in(dir.path()).into_iter().filter(|m| m.contains(&format!("To: {COORDINATOR}"))).collect();
        assert_eq!(mine.len(), 1, "{mine:#?}");
        assert!(mine[0].contains("Overzicht doorverwijzingen van vandaag"), "{}", mine[0]);
        assert!(mine[0].contains("naar u gestuurd, wachten op aannemen: 1"), "{}", mine[0]);
    };

    only_coordinators_read_the_audit_trail_and_erase_on_request => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        let id = app.send_referral(&staff, &referral_body("digid", "3011")).await;
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let trail = format!("/api/v1/referrals/audit?organisation={library}");
        assert_eq!(staff.get(app.url(&trail)).send().await.unwrap().status(), 403);
        let erase = format!("/api/v1/referrals/{id}/erase");
        assert_eq!(staff.post(app.url(&erase)).json(&json!({})).send().await.unwrap().status(), 403);
        let coordinator = app.signed_in(COORDINATOR).await;
        let bank = app.organisation_id("Maasbank").await;
        let other = coordinator.get(app.url(&format!("/api/v1/referrals/audit?organisation={bank}"))).send().await.unwrap();
        assert_eq!(other.status(), 404, "not the coordinator's organisation");
        let r = coordinator.get(app.url(&trail)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let events: Value = r.json().await.unwrap();
        assert!(events.as_array().unwrap().iter().any(|e| e["action"] == "create" && e["referral_id"] == id.as_str()));
        assert_eq!(coordinator.post(app.url(&erase)).json(&json!({})).send().await.unwrap().status(), 204);
        let seen: Value = staff.get(app.url(&format!("/api/v1/referrals/{id}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(seen["contact"], Value::Null);
        assert!(seen["erased_at"].is_i64());
    };
}
