//! Warm referrals through HTTP on both databases: consent, routing, tenancy, the timeline, deadlines, purge, audit.

use crate::support::TestApp;
use keten_core::account::Role;
use serde_json::{Value, json};

use crate::support::demo_users::{COORDINATOR, PARTNER, STAFF, STEERING};
const OUTSIDER: &str = "vrijwilliger@moskee-spangen.test";

use crate::support::referral_body as referral;

async fn json_of(r: reqwest::Response) -> Value {
    r.json().await.unwrap()
}

/// The library's desk sends a banking referral (routed to the bank); returns its id.
async fn send_banking_referral(app: &TestApp, staff: &reqwest::Client) -> String {
    let r = staff
        .post(app.url("/api/v1/referrals"))
        .json(&referral("bankzaken", "3011"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v = json_of(r).await;
    assert_eq!(v["organisation_id"], app.organisation_id("Maasbank").await);
    v["id"].as_str().unwrap().to_owned()
}

both_backends! {
    without_consent_nothing_is_sent => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        let mut body = referral("bankzaken", "3011");
        body["consent_given"] = json!(false);
        let r = staff.post(app.url("/api/v1/referrals")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let v = json_of(r).await;
        assert_eq!(v["errors"][0]["field"], "consent");
        assert!(v["detail"].as_str().unwrap().contains("hulpzoeker"));
        let sent = json_of(app.get_as(&staff, "/api/v1/referrals?box=sent").await).await;
        assert_eq!(sent.as_array().unwrap().len(), 0, "nothing half-saved");
        // A steering officer cannot send at all.
        let steering = app.signed_in(STEERING).await;
        let r = steering.post(app.url("/api/v1/referrals")).json(&referral("bankzaken", "3011")).send().await.unwrap();
        assert_eq!(r.status(), 403);
    };

    routing_picks_bank_telecom_and_the_municipality => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        let propose = |topic: &'static str, pc4: &'static str| {
            let staff = staff.clone();
            let url = app.url("/api/v1/referrals/proposal");
            async move {
                let r = staff.post(url).json(&json!({"topic": topic, "pc4": pc4})).send().await.unwrap();
                assert_eq!(r.status(), 200, "{topic}");
                r.json::<Value>().await.unwrap()
            }
        };
        // Partners answering their own customers' topics win over the library.
        let bank = propose("bankzaken", "3011").await;
        assert_eq!(bank["organisation_id"], app.organisation_id("Maasbank").await);
        assert!(bank["consultation_hour_id"].is_string());
        let telecom = propose("telefoon-tablet", "3024").await;
        assert_eq!(telecom["organisation_id"], app.organisation_id("Havenstad Telecom").await);
        // Government topics: without a rule the nearest help point; the municipality's rule sends them to its desk.
        let before = propose("digid", "3011").await;
        assert!(before["routing_rule_id"].is_null());
        let gemeente = app.organisation_id("Gemeente Rotterdam").await;
        let steering = app.signed_in(STEERING).await;
        let r = steering.post(app.url("/api/v1/routing-rules")).json(&json!({
            "municipality_code": "GM0599", "topic": "overheid", "priority": 1, "organisation_id": gemeente
        })).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let rule = json_of(r).await;
        let after = propose("digid", "3011").await;
        assert_eq!(after["organisation_id"], gemeente);
        assert_eq!(after["routing_rule_id"], rule["id"]);
        assert!(after["help_point_id"].as_str().is_some(), "at the Vraagwijzer");
        // Only steering keeps rules, only in its own municipality.
        let r = staff.post(app.url("/api/v1/routing-rules")).json(&json!({
            "municipality_code": "GM0599", "topic": "digid", "organisation_id": gemeente
        })).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let r = steering.post(app.url("/api/v1/routing-rules")).json(&json!({
            "municipality_code": "GM0606", "topic": "digid", "organisation_id": gemeente
        })).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let rules = json_of(app.get_as(&staff, "/api/v1/routing-rules?municipality=GM0599").await).await;
        assert_eq!(rules.as_array().unwrap().len(), 1);
    };

    sender_follows_every_step_and_others_get_not_found => |app: TestApp| async move {
        app.demo_chain().await;
        let spangen = app.organisation_id("Stichting Moskee Spangen").await;
        app.user(OUTSIDER, Role::Staff, &spangen).await;
        let staff = app.signed_in(STAFF).await;
        let partner = app.signed_in(PARTNER).await;
        let id = send_banking_referral(&app, &staff).await;
        let path = format!("/api/v1/referrals/{id}");
        // The receiver's inbox lists it without personal data.
        let inbox = json_of(app.get_as(&partner, "/api/v1/referrals").await).await;
        assert_eq!(inbox[0]["id"], id.as_str());
        assert!(!inbox.to_string().contains("Fatima"));
        // A third organisation, steering, and the sender's wrong-party step.
        let outsider = app.signed_in(OUTSIDER).await;
        assert_eq!(app.get_as(&outsider, &path).await.status(), 404);
        assert_eq!(app.referral_action(&outsider, &id, json!({"action": "accept"})).await.status(), 404);
        let steering = app.signed_in(STEERING).await;
        assert_eq!(app.get_as(&steering, &path).await.status(), 404);
        let r = app.referral_action(&staff, &id, json!({"action": "accept"})).await;
        assert_eq!(r.status(), 409);
        assert!(json_of(r).await["detail"].as_str().unwrap().contains("ontvangende"));
        // The receiver works through the lifecycle.
        for (step, status) in [
            (json!({"action": "open"}), "received"),
            (json!({"action": "accept"}), "accepted"),
            (json!({"action": "contact_attempt", "reached": false}), "accepted"),
            (json!({"action": "contact_attempt", "reached": true}), "contacted"),
            (json!({"action": "complete", "outcome": "solved"}), "completed"),
        ] {
            app.clock.advance_seconds(3600);
            let r = app.referral_action(&partner, &id, step.clone()).await;
            assert_eq!(r.status(), 200, "{step}");
            assert_eq!(json_of(r).await["status"], status);
            // The sender sees each change.
            let seen = json_of(app.get_as(&staff, &path).await).await;
            assert_eq!(seen["status"], status);
        }
        let seen = json_of(app.get_as(&staff, &path).await).await;
        let actions: Vec<&str> = seen["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["send", "open", "accept", "contact_attempt", "contact_attempt", "complete"]);
        assert_eq!(seen["outcome"], "solved");
        assert_eq!(seen["contact"]["name"], "Fatima de Vries", "the sender sees what it sent");
        assert_eq!(seen["consents"][0]["text_version"], keten_core::referral::CONSENT_TEXT_VERSION);
        assert_eq!(seen["consents"][0]["method"], "spoken");
        // A closed referral refuses further steps, clearly, and stays as it was.
        let r = app.referral_action(&partner, &id, json!({"action": "accept"})).await;
        assert_eq!(r.status(), 409);
        assert!(json_of(r).await["detail"].as_str().unwrap().contains("afgerond"));
        assert_eq!(json_of(app.get_as(&partner, &path).await).await["status"], "completed");
        // Steering sees counts only.
        let stats = json_of(app.get_as(&steering, "/api/v1/referrals/statistics?municipality=GM0599").await).await;
        assert_eq!(stats["by_status"], json!([{"status": "completed", "count": 1}]));
        assert_eq!(stats["mean_hours_to_accept"], 2.0);
        assert!(!stats.to_string().contains(&id));
        // Every read of the contact data left an audit event: 1 create + 6 sender reads + 1 receiver read.
        let trail = app.store.referral_audit_trail(&app.actor(PARTNER).await, &app.organisation_id("Maasbank").await, 100).await.unwrap();
        assert_eq!(trail.iter().filter(|a| a.action == "read").count(), 7);
        assert_eq!(trail.iter().filter(|a| a.action == "create").count(), 1);
        assert!(trail.iter().all(|a| a.subject_id == id));
    };

    overdue_after_two_working_days => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        // Monday 2 March 2026 10:00: due Wednesday 10:00.
        let id = send_banking_referral(&app, &staff).await;
        // Sessions last 12 hours, so sign in again after moving the clock.
        let overdue = || async {
            let partner = app.signed_in(PARTNER).await;
            json_of(app.get_as(&partner, "/api/v1/referrals?box=overdue").await).await
        };
        assert_eq!(overdue().await.as_array().unwrap().len(), 0);
        app.clock.advance_seconds(2 * 86_400);
        assert_eq!(overdue().await.as_array().unwrap().len(), 0, "exactly at the due moment: not yet");
        app.clock.advance_seconds(60);
        let late = overdue().await;
        assert_eq!(late[0]["id"], id.as_str());
        assert_eq!(late[0]["overdue"], true);
        let steering = app.signed_in(STEERING).await;
        let stats = json_of(app.get_as(&steering, "/api/v1/referrals/statistics?municipality=GM0599").await).await;
        assert_eq!(stats["overdue"], 1);
        // Accepting ends it.
        let partner = app.signed_in(PARTNER).await;
        assert_eq!(app.referral_action(&partner, &id, json!({"action": "accept"})).await.status(), 200);
        assert_eq!(overdue().await.as_array().unwrap().len(), 0);
    };

    purge_erases_contact_data_and_keeps_the_timeline => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        let partner = app.signed_in(PARTNER).await;
        let id = send_banking_referral(&app, &staff).await;
        let open = send_banking_referral(&app, &staff).await;
        let r = app.referral_action(&partner, &id, json!({"action": "decline", "decline_reason": "no_capacity"})).await;
        assert_eq!(json_of(r).await["status"], "declined");
        let closed_at = app.now();
        assert_eq!(app.store.purge_referrals(closed_at + 89 * 86_400, 90).await.unwrap(), 0);
        assert_eq!(app.store.purge_referrals(closed_at + 90 * 86_400, 90).await.unwrap(), 1);
        assert_eq!(app.store.purge_referrals(closed_at + 91 * 86_400, 90).await.unwrap(), 0, "once");
        let v = json_of(app.get_as(&partner, &format!("/api/v1/referrals/{id}")).await).await;
        assert!(v["contact"].is_null());
        assert!(v["erased_at"].is_number());
        assert_eq!(v["decline_reason"], "no_capacity");
        assert_eq!(v["timeline"].as_array().unwrap().len(), 2);
        let still = json_of(app.get_as(&partner, &format!("/api/v1/referrals/{open}")).await).await;
        assert_eq!(still["contact"]["name"], "Fatima de Vries", "open referrals are never purged");
        let trail = app.store.referral_audit_trail(&app.actor(STAFF).await, &app.organisation_id("Bibliotheek Rotterdam").await, 100).await.unwrap();
        assert_eq!(trail.iter().filter(|a| a.action == "purge" && a.subject_id == id).count(), 1);
    };

    withdrawn_consent_ends_the_referral_and_erases_contact_data => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        let partner = app.signed_in(PARTNER).await;
        let id = send_banking_referral(&app, &staff).await;
        assert_eq!(app.referral_action(&partner, &id, json!({"action": "accept"})).await.status(), 200);
        let r = app.referral_action(&staff, &id, json!({"action": "withdraw"})).await;
        assert_eq!(json_of(r).await["status"], "withdrawn");
        let v = json_of(app.get_as(&partner, &format!("/api/v1/referrals/{id}")).await).await;
        assert!(v["contact"].is_null());
        assert!(v["consents"][0]["withdrawn_at"].is_number());
        assert_eq!(app.referral_action(&partner, &id, json!({"action": "contact_attempt", "reached": true})).await.status(), 409);
    };
}

mod pages {
    use super::*;

    both_backends! {
        steering_names_a_partners_consultation_hour_in_a_rule_and_keeps_what_it_typed => |app: TestApp| async move {
            app.demo_chain().await;
            let steering = app.signed_in(STEERING).await;
            let bank = app.organisation_id("Maasbank").await;
            let hour = app.store.directory().await.unwrap().consultation_hours.into_iter()
                .find(|c| c.organisation_id == bank).unwrap();
            let page = steering.get(app.url("/verwijsafspraken")).send().await.unwrap().text().await.unwrap();
            assert!(page.contains(&format!("<option value=\"{}\">", hour.id)), "the hour is offered");
            let mut fields = vec![("municipality_code", "GM0599"), ("topic", "bankzaken"), ("agency", "bank"),
                                  ("priority", "eerst"), ("organisation_id", bank.as_str()), ("consultation_hour_id", hour.id.as_str())];
            let refused = app.post_form(&steering, "/verwijsafspraken", "/verwijsafspraken", &fields).await;
            assert_eq!(refused.status(), 422);
            let html = refused.text().await.unwrap();
            assert!(html.contains("Vul een getal in van 1 tot en met 99."));
            assert!(html.contains("value=\"eerst\""), "typed priority kept");
            assert!(html.contains(&format!("<option value=\"{}\" selected>", hour.id)), "chosen hour kept");
            assert!(html.contains("<option value=\"bankzaken\" selected>"));
            fields[3] = ("priority", "1");
            let saved = app.post_form(&steering, "/verwijsafspraken", "/verwijsafspraken", &fields).await;
            assert_eq!(saved.status(), 303);
            let rules = json_of(app.get_as(&steering, "/api/v1/routing-rules?municipality=GM0599").await).await;
            assert_eq!(rules[0]["consultation_hour_id"], hour.id.as_str(), "{rules}");
        };

        the_form_asks_for_the_agency_and_names_the_receiver_in_the_consent => |app: TestApp| async move {
            app.demo_chain().await;
            let steering = app.signed_in(STEERING).await;
            let bank = app.organisation_id("Maasbank").await;
            let library = app.organisation_id("Bibliotheek Rotterdam").await;
            for (agency, priority, organisation) in [(json!("bank"), 1, &bank), (Value::Null, 2, &library)] {
                let r = steering.post(app.url("/api/v1/routing-rules")).json(&json!({
                    "municipality_code": "GM0599", "topic": "bankzaken", "agency": agency, "priority": priority,
                    "organisation_id": organisation
                })).send().await.unwrap();
                assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
            }
            let staff = app.signed_in(STAFF).await;
            let form = staff.get(app.url("/doorverwijzingen/nieuw")).send().await.unwrap().text().await.unwrap();
            assert!(form.contains("name=\"agency\"") && form.contains("Telecomaanbieder"));
            assert!(form.contains("Kies eerst hierboven waar de inwoner heen gaat") && !form.contains("doorgeeft aan"), "no receiver chosen yet");
            let propose = |agency: &'static str| {
                let staff = staff.clone();
                let app = &app;
                async move {
                    let fields = [("topics", "bankzaken"), ("agency", agency), ("resident_name", "Fatima de Vries"),
                                  ("pc4", "3011"), ("stap", "voorstel")];
                    let r = app.post_form(&staff, "/doorverwijzingen/nieuw", "/doorverwijzingen/nieuw", &fields).await;
                    assert_eq!(r.status(), 200);
                    r.text().await.unwrap()
                }
            };
            // The bank answers its own customers' banking questions; other banking questions go to the library.
            let own = propose("bank").await;
            assert!(own.contains("doorgeeft aan Maasbank. Maasbank neemt"), "{own}");
            assert!(own.contains("<option value=\"bank\" selected>"), "the agency is kept");
            assert!(own.contains("value=\"Fatima de Vries\""));
            // Other banking questions go to the library: the library's own staff need no referral for that.
            let general = propose("").await;
            assert!(general.contains("Volgens de verwijsafspraken helpt uw eigen organisatie hierbij"), "{general}");
            assert!(!general.contains("doorgeeft aan"), "{general}");

            // A place keten does not know, or an organisation outside the chain: form errors, input kept.
            let gent = app.organisation("Stad Gent", "municipality", "public", "44021").await;
            let outside = format!("organisatie:{gent}");
            let mut fields = vec![("topics", "bankzaken"), ("resident_name", "Fatima de Vries"), ("phone", "0612345678"),
                                  ("pc4", "3011"), ("consent_method", "spoken"),
                                  ("consent_text_version", keten_core::referral::CONSENT_TEXT_VERSION),
                                  ("destination", "hulppunt:onbekend"), ("stap", "versturen")];
            let r = app.post_form(&staff, "/doorverwijzingen/nieuw", "/doorverwijzingen/nieuw", &fields).await;
            assert_eq!(r.status(), 422);
            let html = r.text().await.unwrap();
            assert!(html.contains("Deze plek kennen wij niet") && html.contains("Zonder toestemming"), "every problem at once");
            fields[6] = ("destination", outside.as_str());
            fields.push(("consent_given", "1"));
            let r = app.post_form(&staff, "/doorverwijzingen/nieuw", "/doorverwijzingen/nieuw", &fields).await;
            assert_eq!(r.status(), 422);
            let html = r.text().await.unwrap();
            assert!(html.contains("Naar deze organisatie kunt u niet doorverwijzen"), "{html}");
            assert!(html.contains("value=\"Fatima de Vries\""));
        };

        the_form_needs_consent_and_the_receiver_opens_it_on_its_page => |app: TestApp| async move {
            app.demo_chain().await;
            let staff = app.signed_in(STAFF).await;
            let form = staff.get(app.url("/doorverwijzingen/nieuw")).send().await.unwrap().text().await.unwrap();
            assert!(form.contains(keten_core::referral::CONSENT_TEXT_VERSION));
            let fields = [
                ("topics", "bankzaken"), ("resident_name", "Fatima de Vries"), ("phone", "0612345678"),
                ("pc4", "3011"), ("preferred_moment", "morning"), ("consent_method", "spoken"),
                ("consent_text_version", keten_core::referral::CONSENT_TEXT_VERSION), ("stap", "versturen"),
            ];
            let refused = app.post_form(&staff, "/doorverwijzingen/nieuw", "/doorverwijzingen/nieuw", &fields).await;
            assert_eq!(refused.status(), 422);
            let html = refused.text().await.unwrap();
            assert!(html.contains("Zonder toestemming"));
            assert!(html.contains("de hulpzoeker van keten"), "offers the finder instead");
            assert!(html.contains("value=\"Fatima de Vries\""), "typed input kept");
            let mut with_consent = fields.to_vec();
            with_consent.push(("consent_given", "1"));
            with_consent.push(("sender_sees_progress", "1"));
            // Without a chosen receiver nothing is sent yet: keten proposes one and names it in the consent text.
            let unnamed = app.post_form(&staff, "/doorverwijzingen/nieuw", "/doorverwijzingen/nieuw", &with_consent).await;
            assert_eq!(unnamed.status(), 422);
            let html = unnamed.text().await.unwrap();
            assert!(html.contains("Nog niet verstuurd.") && html.contains("doorgeeft aan Maasbank. Maasbank neemt"), "{html}");
            let bank = format!("organisatie:{}", app.organisation_id("Maasbank").await);
            with_consent.push(("destination", bank.as_str()));
            // A receiver picked without its name read out (no "Voorstel bekijken", no JavaScript): not sent yet.
            let sent_list = "/api/v1/referrals?box=sent";
            let before = app.get_as(&staff, sent_list).await.text().await.unwrap();
            let unread = app.post_form(&staff, "/doorverwijzingen/nieuw", "/doorverwijzingen/nieuw", &with_consent).await;
            assert_eq!(unread.status(), 422);
            let html = unread.text().await.unwrap();
            assert!(html.contains("Nog niet verstuurd. Hieronder staat nu de tekst") && html.contains("doorgeeft aan Maasbank. Maasbank neemt"), "{html}");
            assert!(!html.contains("id=\"consent_given\" name=\"consent_given\" value=\"1\" checked"), "consent asked again");
            assert_eq!(app.get_as(&staff, sent_list).await.text().await.unwrap(), before, "nothing sent");
            let read_out = crate::support::hidden_field(&html, "consent_for").expect("the form says whose consent was read");
            with_consent.push(("consent_for", read_out.as_str()));
            let sent = app.post_form(&staff, "/doorverwijzingen/nieuw", "/doorverwijzingen/nieuw", &with_consent).await;
            assert_eq!(sent.status(), 303);
            let location = sent.headers()["location"].to_str().unwrap().to_owned();
            let id = location.trim_start_matches("/doorverwijzingen/").split('?').next().unwrap().to_owned();
            let page = staff.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
            assert!(page.contains("Verstuurd naar Maasbank"));
            // The receiver's page shows the contact data and marks it opened; the inbox lists it.
            let partner = app.signed_in(PARTNER).await;
            let inbox = partner.get(app.url("/doorverwijzingen")).send().await.unwrap().text().await.unwrap();
            assert!(inbox.contains(&id) && !inbox.contains("Fatima"));
            let detail = partner.get(app.url(&format!("/doorverwijzingen/{id}"))).send().await.unwrap().text().await.unwrap();
            assert!(detail.contains("Fatima de Vries") && detail.contains("Aannemen"));
            let seen = json_of(app.get_as(&staff, &format!("/api/v1/referrals/{id}")).await).await;
            assert_eq!(seen["status"], "received");
            let r = app.post_form(&partner, &format!("/doorverwijzingen/{id}"), &format!("/doorverwijzingen/{id}/stap"), &[("action", "accept")]).await;
            assert_eq!(r.status(), 303);
            assert_eq!(json_of(app.get_as(&staff, &format!("/api/v1/referrals/{id}")).await).await["status"], "accepted");
            // Someone else's referral page is not found; the rules page is for steering.
            let spangen = app.organisation_id("Stichting Moskee Spangen").await;
            app.user(OUTSIDER, Role::Staff, &spangen).await;
            let outsider = app.signed_in(OUTSIDER).await;
            assert_eq!(outsider.get(app.url(&format!("/doorverwijzingen/{id}"))).send().await.unwrap().status(), 404);
            assert_eq!(staff.get(app.url("/verwijsafspraken")).send().await.unwrap().status(), 403);
            let steering = app.signed_in(STEERING).await;
            assert_eq!(steering.get(app.url("/verwijsafspraken")).send().await.unwrap().status(), 200);
        };

        a_resident_asks_for_help_and_it_arrives_at_the_help_point => |app: TestApp| async move {
            let points = app.demo_chain().await;
            let point = &points[0];
            let browser = app.browser();
            let page = format!("/ik-wil-hulp?hulppunt={point}");
            let form = browser.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
            assert!(form.contains("Centrale Bibliotheek"));
            let fields = [("hulppunt", point.as_str()), ("topics", "digid"), ("resident_name", "Jan Jansen"), ("phone", "0611111111"), ("pc4", "3011")];
            let refused = app.post_form(&browser, &page, "/ik-wil-hulp", &fields).await;
            assert_eq!(refused.status(), 422);
            let html = refused.text().await.unwrap();
            assert!(html.contains("<a class=\"utrecht-link\" href=\"#consent_given\">Zet een vinkje"), "{html}");
            assert!(html.contains("id=\"consent-error\">Zet een vinkje"), "the message stands by the box too: {html}");
            assert!(html.contains("value=\"1\" aria-invalid=\"true\" aria-describedby=\"consent-error\">"), "{html}");
            // Without a name and a way to call back: each message by its field, the summary links to them, and
            // what was typed stays.
            let bare = [("hulppunt", point.as_str()), ("topics", "digid"), ("pc4", "3011"), ("reason", "Brief van de Belastingdienst"), ("consent_given", "1")];
            let refused = app.post_form(&browser, &page, "/ik-wil-hulp", &bare).await;
            assert_eq!(refused.status(), 422);
            let html = refused.text().await.unwrap();
            assert!(html.contains("href=\"#resident_name\"") && html.contains("href=\"#phone\""), "{html}");
            assert!(html.contains("id=\"resident_name-error\">Schrijf uw naam op"), "{html}");
            assert!(html.contains("id=\"phone-error\">Vul uw telefoonnummer óf uw e-mailadres in"), "{html}");
            assert!(html.contains("autocomplete=\"email\" aria-invalid=\"true\" aria-describedby=\"phone-error\""), "{html}");
            assert_eq!(html.matches("Eén van de twee is genoeg.").count(), 2, "once in the summary, once by the fields");
            assert!(html.contains(">Brief van de Belastingdienst</textarea>") && html.contains("value=\"3011\""), "{html}");
            assert!(!html.contains("pc4-error"), "{html}");
            let mut agreed = fields.to_vec();
            agreed.push(("consent_given", "1"));
            let done = app.post_form(&browser, &page, "/ik-wil-hulp", &agreed).await;
            assert_eq!(done.status(), 200);
            let html = done.text().await.unwrap();
            assert!(html.contains("Wat gebeurt er nu?") && html.contains("woensdag 4 maart"), "{html}");
            let staff = app.signed_in(STAFF).await;
            let inbox = json_of(app.get_as(&staff, "/api/v1/referrals").await).await;
            assert_eq!(inbox[0]["source"], "resident", "{inbox}");
            assert_eq!(inbox[0]["help_point_id"], point.as_str());
        };
    }
}

mod mail {
    use super::*;

    both_backends! {
        mails_tell_about_new_overdue_and_closed_referrals_without_personal_data => |plain: TestApp| async move {
            let dir = tempfile::tempdir().unwrap();
            let config = crate::support::mail_config(dir.path());
            let app = TestApp::spawn_with(plain.db, config.clone()).await;
            app.demo_chain().await;
            let staff = app.signed_in(STAFF).await;
            let partner = app.signed_in(PARTNER).await;
            let id = send_banking_referral(&app, &staff).await;
            let new = crate::support::mails_in(dir.path());
            assert_eq!(new.len(), 1, "one partner user at the bank");
            assert!(new[0].contains(PARTNER));
            assert!(new[0].contains("Subject: Nieuwe doorverwijzing"));
            assert!(new[0].contains(&format!("https://keten.test/doorverwijzingen/{id}")));
            for step in [json!({"action": "accept"}), json!({"action": "contact_attempt", "reached": true}), json!({"action": "complete", "outcome": "solved"})] {
                assert_eq!(app.referral_action(&partner, &id, step).await.status(), 200);
            }
            let all = crate::support::mails_in(dir.path());
            assert_eq!(all.len(), 3, "the library's desk and its coordinator hear it was completed");
            assert!(all.iter().any(|m| m.contains(STAFF) && m.contains("afgerond")));
            assert!(all.iter().any(|m| m.contains(COORDINATOR) && m.contains("afgerond")));
            // Overdue: told once, by the scheduler.
            let late = send_banking_referral(&app, &staff).await;
            app.clock.advance_seconds(3 * 86_400);
            let state = keten_web::AppState::new(app.store.clone(), std::sync::Arc::new(app.clock.clone()), config);
            assert_eq!(keten_web::send_due_notifications(&state).await.unwrap(), 1);
            assert_eq!(keten_web::send_due_notifications(&state).await.unwrap(), 0, "told once");
            let all = crate::support::mails_in(dir.path());
            assert_eq!(all.len(), 5);
            assert!(all.iter().any(|m| m.contains("te laat") && m.contains(&late)), "{all:#?}");
            // A coordinator who chose a daily digest gets counts instead of a mail per referral.
            let partner_id = app.actor(PARTNER).await.user_id.unwrap();
            app.store.set_digest_choice(&partner_id, keten_core::referral::DigestChoice::Daily, app.now()).await.unwrap();
            let staff = app.signed_in(STAFF).await;
            send_banking_referral(&app, &staff).await;
            assert_eq!(crate::support::mails_in(dir.path()).len(), 5, "no single mail any more");
            app.clock.advance_seconds(86_400);
            assert_eq!(keten_web::send_due_notifications(&state).await.unwrap(), 1);
            let all = crate::support::mails_in(dir.path());
            assert!(all.iter().any(|m| m.contains("Overzicht doorverwijzingen") && m.contains("wachten op aannemen: 2")));
            // No personal data in any mail (headers hold random ids, so look at subject and body).
            for m in &all {
                let subject = m.lines().find(|l| l.starts_with("Subject:")).unwrap();
                let body = m.split_once("\r\n\r\n").map_or(m.as_str(), |(_, b)| b);
                assert!(body.contains("geen gegevens van de inwoner"), "{m}");
                for personal in ["Fatima", "Vries", "12345678", "3011", "Lukt niet", "bankzaken", "Bankzaken"] {
                    assert!(!body.contains(personal) && !subject.contains(personal), "{personal} in {m}");
                }
            }
        };
    }
}
